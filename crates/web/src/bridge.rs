//! The widget's side of the embed contract: its configuration (from the page URL and
//! from `doppel:config` messages of the `<doppel-fit>` element) and the messages it
//! sends to the host page.
//!
//! Incoming messages are accepted only from the parent window, from the host origin the
//! page was opened for, with exactly the expected keys and value formats. Outgoing
//! messages are posted with that origin as `targetOrigin`, so no other page receives
//! them. The only data that ever leaves is `{product, size}`, on the shopper's click.

use crate::i18n::Lang;
use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

/// What the host asks the widget to show.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    /// Product id (`[a-z0-9_-]{1,64}`), or empty for "just my double".
    pub product: String,
    /// Catalog folder URL (absolute, ends with `/`).
    pub catalog: String,
    /// Language.
    pub lang: Lang,
    /// Fit preference key: `snug`, `regular` or `loose`.
    pub fit: String,
    /// Whether the page runs inside `<doppel-fit>`.
    pub embed: bool,
    /// Origin of the host page (`http(s)://host[:port]`), only in embed mode.
    pub host: Option<String>,
}

/// Whether `id` is a valid product id.
pub fn valid_product(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Whether `o` looks like a serialised origin (scheme, host, optional port; no path).
pub fn valid_origin(o: &str) -> bool {
    let rest = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && r.len() <= 253
            && r.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
    })
}

/// Normalises a fit preference key (unknown → `regular`).
pub fn valid_fit(f: &str) -> String {
    match f {
        "snug" | "loose" => f.into(),
        _ => "regular".into(),
    }
}

/// Resolves the catalog URL against `base` and checks that it lies on `origin`
/// (the widget's page only fetches from its own origin; CSP `connect-src 'self'`).
pub fn catalog_url(raw: &str, base: &str, origin: &str) -> Result<String, String> {
    let raw = if raw.trim().is_empty() {
        "/catalog/"
    } else {
        raw.trim()
    };
    let url = web_sys::Url::new_with_base(raw, base).map_err(|_| format!("{raw:?}"))?;
    if url.origin() != origin {
        return Err(format!("{raw:?} (not on {origin})"));
    }
    let mut href = url.href();
    if let Some(i) = href.find(['?', '#']) {
        href.truncate(i);
    }
    if !href.ends_with('/') {
        href.push('/');
    }
    Ok(href)
}

/// Reads the configuration from the page URL (`?embed=1&product=…&catalog=…&lang=…&fit=…&host=…`).
pub fn from_location() -> Config {
    let Some(w) = web_sys::window() else {
        return Config::default();
    };
    let search = w.location().search().unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok();
    let get = |k: &str| params.as_ref().and_then(|p| p.get(k)).unwrap_or_default();
    let lang = match get("lang").as_str() {
        "" => Lang::from_tag(&w.navigator().language().unwrap_or_default()),
        tag => Lang::from_tag(tag),
    };
    let product = get("product");
    let host = get("host");
    let embed = get("embed") == "1";
    Config {
        product: if valid_product(&product) {
            product
        } else {
            String::new()
        },
        catalog: get("catalog"),
        lang,
        fit: valid_fit(&get("fit")),
        embed,
        host: (embed && valid_origin(&host) && host_matches_ancestor(&w, &host)).then_some(host),
    }
}

/// Where the browser tells us the parent's origin (Chromium), it must match the claim.
fn host_matches_ancestor(w: &web_sys::Window, host: &str) -> bool {
    let Ok(ancestors) = Reflect::get(&w.location(), &JsValue::from_str("ancestorOrigins")) else {
        return true;
    };
    match Reflect::get(&ancestors, &JsValue::from_f64(0.0))
        .ok()
        .and_then(|v| v.as_string())
    {
        Some(parent) => parent == host,
        None => true,
    }
}

fn string_field(obj: &JsValue, key: &str) -> Option<String> {
    Reflect::get(obj, &JsValue::from_str(key)).ok()?.as_string()
}

/// Parses a `doppel:config` message: exactly `{type, product, catalog, lang, fit}`, all
/// strings of the expected form; anything else is ignored (`None`).
pub fn parse_config_message(data: &JsValue, current: &Config) -> Option<Config> {
    if !data.is_object() || js_sys::Array::is_array(data) {
        return None;
    }
    let keys: Vec<String> = Object::keys(data.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    // Object keys are distinct, so five keys that include all five expected are exactly
    // those (a check without sorting: a sort instantiation is kilobytes of wasm).
    const EXPECTED: [&str; 5] = ["catalog", "fit", "lang", "product", "type"];
    if keys.len() != EXPECTED.len() || !EXPECTED.iter().all(|e| keys.iter().any(|k| k == e)) {
        return None;
    }
    if string_field(data, "type")? != "doppel:config" {
        return None;
    }
    let product = string_field(data, "product")?;
    let catalog = string_field(data, "catalog")?;
    let lang = string_field(data, "lang")?;
    let fit = string_field(data, "fit")?;
    if !(product.is_empty() || valid_product(&product))
        || catalog.len() > 2048
        || !(lang == "de" || lang == "en")
        || !matches!(fit.as_str(), "snug" | "regular" | "loose")
    {
        return None;
    }
    Some(Config {
        product,
        catalog,
        lang: Lang::from_tag(&lang),
        fit,
        embed: current.embed,
        host: current.host.clone(),
    })
}

/// Posts `{type, ...fields}` to the host page (only in embed mode, only to its origin).
pub fn post(config: &Config, kind: &str, fields: &[(&str, JsValue)]) {
    let Some(host) = &config.host else { return };
    let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    let msg = Object::new();
    let _ = Reflect::set(&msg, &"type".into(), &kind.into());
    for (k, v) in fields {
        let _ = Reflect::set(&msg, &(*k).into(), v);
    }
    let _ = parent.post_message(&msg, host);
}

/// Listens for configuration messages from the host; `on_config` gets each valid one.
pub fn listen(config: &Config, on_config: impl Fn(JsValue) + 'static) {
    let Some(host) = config.host.clone() else {
        return;
    };
    let Some(w) = web_sys::window() else { return };
    let parent = w.parent().ok().flatten();
    let cb = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        // Origin AND source: only the page that embeds us, from the origin it was opened for.
        let from_parent = match (&parent, e.source()) {
            (Some(p), Some(s)) => JsValue::from(p.clone()) == JsValue::from(s),
            _ => false,
        };
        if e.origin() == host && from_parent {
            on_config(e.data());
        }
    });
    let _ = w.add_event_listener_with_callback("message", cb.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    cb.forget();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_ids_and_origins() {
        assert!(valid_product("tshirt-men"));
        assert!(!valid_product("T-Shirt"));
        assert!(!valid_product(""));
        assert!(!valid_product(&"a".repeat(65)));
        assert!(valid_origin("http://localhost:8081"));
        assert!(valid_origin("https://shop.example"));
        assert!(!valid_origin("https://shop.example/path"));
        assert!(!valid_origin("javascript:alert(1)"));
        assert!(!valid_origin("*"));
        assert_eq!(valid_fit("loose"), "loose");
        assert_eq!(valid_fit("tight!"), "regular");
    }
}
