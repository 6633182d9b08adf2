//! JSON text in and out of the web crate (catalog, GLB JSON chunk, stored profile).
//!
//! In the browser the platform's `JSON.parse`/`JSON.stringify` do the text work and
//! serde-wasm-bindgen maps the parsed values onto our serde types, so serde_json's parser
//! and writer stay out of the wasm (BENCHMARKS.md, "Web bundle sizes"). Natively (unit tests)
//! serde_json does the same job behind the same functions.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A parsed JSON value, read by key and index like `serde_json::Value`.
#[derive(Debug, Clone)]
pub struct Value(Inner);

#[cfg(target_arch = "wasm32")]
type Inner = wasm_bindgen::JsValue;
#[cfg(not(target_arch = "wasm32"))]
type Inner = serde_json::Value;

/// Serialises plain data (structs, strings, numbers, maps with string keys) as JSON text.
pub fn to_string<T: Serialize>(v: &T) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        // Maps as plain objects and `None` as `null`: the text serde_json would write
        // (numbers in JavaScript's shortest form, e.g. `1` for `1.0`, which read back equal).
        v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .ok()
            .and_then(|js| js_sys::JSON::stringify(&js).ok())
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::to_string(v).unwrap_or_default()
    }
}

/// Parses JSON text into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    Value::parse(text)?.deserialize()
}

impl Value {
    /// Parses JSON text; the error is the parser's message (it says where the text is wrong).
    pub fn parse(text: &str) -> Result<Self, String> {
        #[cfg(target_arch = "wasm32")]
        {
            js_sys::JSON::parse(text).map(Value).map_err(|e| {
                js_sys::Error::from(e)
                    .message()
                    .as_string()
                    .unwrap_or_else(|| "not valid JSON".into())
            })
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            serde_json::from_str(text)
                .map(Value)
                .map_err(|e| e.to_string())
        }
    }

    /// Converts to `T`; the error names the missing or mistyped field.
    pub fn deserialize<T: DeserializeOwned>(self) -> Result<T, String> {
        #[cfg(target_arch = "wasm32")]
        {
            serde_wasm_bindgen::from_value(self.0).map_err(|e| e.to_string())
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            serde_json::from_value(self.0).map_err(|e| e.to_string())
        }
    }

    /// Member `key` of an object (`None` for other values or a missing key).
    pub fn get(&self, key: &str) -> Option<Value> {
        #[cfg(target_arch = "wasm32")]
        {
            use wasm_bindgen::JsCast;
            let key = wasm_bindgen::JsValue::from_str(key);
            // Own members only, so `constructor` and the like never count as present.
            let obj = self
                .0
                .dyn_ref::<js_sys::Object>()
                .filter(|_| !js_sys::Array::is_array(&self.0))?;
            if !js_sys::Object::has_own(obj, &key) {
                return None;
            }
            js_sys::Reflect::get(obj, &key).ok().map(Value)
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.0.get(key).cloned().map(Value)
        }
    }

    /// Element `i` of an array.
    pub fn at(&self, i: usize) -> Option<Value> {
        self.items()?.into_iter().nth(i)
    }

    /// The elements of an array.
    pub fn items(&self) -> Option<Vec<Value>> {
        #[cfg(target_arch = "wasm32")]
        {
            use wasm_bindgen::JsCast;
            let a = self.0.dyn_ref::<js_sys::Array>()?;
            Some(a.iter().map(Value).collect())
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            Some(self.0.as_array()?.iter().cloned().map(Value).collect())
        }
    }

    /// A number.
    pub fn as_f64(&self) -> Option<f64> {
        self.0.as_f64()
    }

    /// A whole non-negative number (JSON has one number type; `2.0` counts as 2 in the
    /// browser, where JavaScript cannot tell the two apart).
    pub fn as_u64(&self) -> Option<u64> {
        #[cfg(target_arch = "wasm32")]
        {
            // 2^53: beyond it a JavaScript number is no longer an exact integer.
            self.0
                .as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f <= 9_007_199_254_740_992.0)
                .map(|f| f as u64)
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.0.as_u64()
        }
    }

    /// A string.
    pub fn as_str(&self) -> Option<String> {
        #[cfg(target_arch = "wasm32")]
        {
            self.0.as_string()
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.0.as_str().map(str::to_string)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_members_elements_and_types() {
        let v = Value::parse(r#"{"a":[1,2.5,"x"],"b":{"c":null}}"#).unwrap();
        let a = v.get("a").unwrap();
        assert_eq!(a.items().map(|i| i.len()), Some(3));
        assert_eq!(a.at(0).and_then(|x| x.as_u64()), Some(1));
        assert_eq!(a.at(1).and_then(|x| x.as_u64()), None);
        assert_eq!(a.at(1).and_then(|x| x.as_f64()), Some(2.5));
        assert_eq!(a.at(2).and_then(|x| x.as_str()).as_deref(), Some("x"));
        assert!(a.at(3).is_none());
        assert!(v.get("z").is_none());
        assert!(a.get("a").is_none());
        assert!(v.get("b").unwrap().items().is_none());
        assert!(Value::parse("{").is_err());
    }

    #[test]
    fn round_trips_serde_types() {
        let m: std::collections::BTreeMap<String, Vec<f64>> = from_str(r#"{"k":[1.5,2]}"#).unwrap();
        assert_eq!(m["k"], vec![1.5, 2.0]);
        assert_eq!(to_string(&m), r#"{"k":[1.5,2.0]}"#);
        let e = from_str::<std::collections::BTreeMap<String, u32>>(r#"{"k":"x"}"#).unwrap_err();
        assert!(e.contains("invalid type"), "{e}");
    }
}
