//! A small validating reader over `serde_json::Value` that collects every problem with
//! its file and JSON pointer instead of stopping at the first (as serde derive would).

use crate::text::Lang;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// One problem in a pack (or profile) file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Issue {
    /// File name, e.g. `errors.json`.
    pub file: String,
    /// JSON pointer inside the file, e.g. `/codes/3/steps` (empty: the whole file).
    pub path: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.path, self.message)
        }
    }
}

/// Collects issues for one file.
pub(crate) struct Cx<'a> {
    pub file: String,
    pub issues: &'a mut Vec<Issue>,
    /// Languages every text must have (empty: no requirement).
    pub langs: Vec<Lang>,
}

impl Cx<'_> {
    pub fn err(&mut self, path: &str, message: impl Into<String>) {
        self.issues.push(Issue {
            file: self.file.clone(),
            path: path.to_string(),
            message: message.into(),
        });
    }
}

/// Appends an escaped JSON pointer token.
pub(crate) fn child(path: &str, key: &str) -> String {
    format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Longest string accepted in a pack field.
pub const MAX_STRING: usize = 20_000;

/// Types that can be read from JSON with issue collection.
pub(crate) trait FromJson: Sized {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self>;
}

impl FromJson for String {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        match v {
            Value::String(s) if s.trim().is_empty() => {
                cx.err(path, "must be a non-empty string");
                None
            }
            Value::String(s) if s.len() > MAX_STRING => {
                cx.err(
                    path,
                    format!("is {} bytes long (at most {MAX_STRING})", s.len()),
                );
                None
            }
            Value::String(s) => Some(s.clone()),
            other => {
                cx.err(
                    path,
                    format!("must be a string, found {}", type_name(other)),
                );
                None
            }
        }
    }
}

impl FromJson for u32 {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Some(n),
            None => {
                cx.err(
                    path,
                    format!("must be a whole number ≥ 0, found {}", short(v)),
                );
                None
            }
        }
    }
}

impl FromJson for f64 {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        match v.as_f64() {
            Some(n) if n.is_finite() => Some(n),
            _ => {
                cx.err(path, format!("must be a number, found {}", short(v)));
                None
            }
        }
    }
}

impl FromJson for bool {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        match v {
            Value::Bool(b) => Some(*b),
            other => {
                cx.err(
                    path,
                    format!("must be true or false, found {}", type_name(other)),
                );
                None
            }
        }
    }
}

impl FromJson for Lang {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let s = String::from_json(v, path, cx)?;
        match s.parse::<Lang>() {
            Ok(l) if l.code() == s => Some(l),
            _ => {
                cx.err(
                    path,
                    format!("unknown language {s:?} (allowed: \"de\", \"en\")"),
                );
                None
            }
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let Value::Array(items) = v else {
            cx.err(path, format!("must be a list, found {}", type_name(v)));
            return None;
        };
        let n_before = cx.issues.len();
        let out: Vec<T> = items
            .iter()
            .enumerate()
            .filter_map(|(i, x)| T::from_json(x, &format!("{path}/{i}"), cx))
            .collect();
        // A list with broken elements is reported but not returned, so that later checks
        // (references, duplicates) do not pile up follow-on errors.
        (cx.issues.len() == n_before).then_some(out)
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let Value::Object(map) = v else {
            cx.err(path, format!("must be an object, found {}", type_name(v)));
            return None;
        };
        let n_before = cx.issues.len();
        let mut out = BTreeMap::new();
        for (k, x) in map {
            if k.trim().is_empty() {
                cx.err(path, "keys must be non-empty");
                continue;
            }
            if let Some(t) = T::from_json(x, &child(path, k), cx) {
                out.insert(k.clone(), t);
            }
        }
        (cx.issues.len() == n_before).then_some(out)
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// Reader over one JSON object that remembers which keys were read.
pub(crate) struct Obj<'v> {
    map: &'v Map<String, Value>,
    pub path: String,
    known: Vec<&'static str>,
}

impl<'v> Obj<'v> {
    pub fn new(v: &'v Value, path: &str, cx: &mut Cx) -> Option<Self> {
        match v {
            Value::Object(map) => Some(Self {
                map,
                path: path.to_string(),
                known: Vec::new(),
            }),
            other => {
                cx.err(
                    path,
                    format!("must be an object, found {}", type_name(other)),
                );
                None
            }
        }
    }

    /// A required field.
    pub fn req<T: FromJson>(&mut self, key: &'static str, cx: &mut Cx) -> Option<T> {
        self.known.push(key);
        match self.map.get(key) {
            Some(v) => T::from_json(v, &child(&self.path, key), cx),
            None => {
                cx.err(&self.path, format!("missing required field \"{key}\""));
                None
            }
        }
    }

    /// An optional field (absent or null → `None`; invalid → issue and `None`).
    pub fn opt<T: FromJson>(&mut self, key: &'static str, cx: &mut Cx) -> Option<T> {
        self.known.push(key);
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => T::from_json(v, &child(&self.path, key), cx),
        }
    }

    /// An optional list defaulting to empty; `min` is the least number of elements when present
    /// or required.
    pub fn list<T: FromJson>(&mut self, key: &'static str, min: usize, cx: &mut Cx) -> Vec<T> {
        self.known.push(key);
        let path = child(&self.path, key);
        match self.map.get(key) {
            None | Some(Value::Null) if min == 0 => Vec::new(),
            None | Some(Value::Null) => {
                cx.err(&self.path, format!("missing required field \"{key}\""));
                Vec::new()
            }
            Some(v) => {
                if let Value::Array(a) = v
                    && a.len() < min
                {
                    cx.err(
                        &path,
                        if min == 1 {
                            "must be a non-empty list".into()
                        } else {
                            format!("must have at least {min} elements")
                        },
                    );
                }
                Vec::<T>::from_json(v, &path, cx).unwrap_or_default()
            }
        }
    }

    /// Path of a field (for later semantic messages).
    pub fn at(&self, key: &str) -> String {
        child(&self.path, key)
    }

    /// Reports keys that were never read (typos, unsupported fields).
    pub fn finish(self, cx: &mut Cx) {
        for k in self.map.keys() {
            if !self.known.contains(&k.as_str()) {
                let allowed = self.known.join(", ");
                cx.err(
                    &child(&self.path, k),
                    format!("unknown field (allowed: {allowed})"),
                );
            }
        }
    }
}

/// Checks that an id is short, lower-case and URL/CLI friendly.
pub(crate) fn check_id(id: &str, path: &str, cx: &mut Cx) -> bool {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        })
        && id.as_bytes()[0].is_ascii_alphanumeric();
    if !ok {
        cx.err(path, format!("id {id:?} must be 1–64 characters a–z, 0–9, '-', '_' or '.', starting with a letter or digit"));
    }
    ok
}
