//! Downloads of the widget's own assets (body model, catalog, garment meshes).
//!
//! Every request goes to the widget's own origin and carries nothing the shopper typed:
//! URLs are built from the catalog's relative paths only, and requests are refused
//! before they are made if they would leave the origin.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The page's origin (`http://127.0.0.1:8080`).
pub fn own_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Fetches `url` (same origin only) and returns its bytes.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let w = web_sys::window().ok_or("no window")?;
    let origin = own_origin();
    let parsed = web_sys::Url::new_with_base(url, &origin).map_err(|_| format!("bad URL {url}"))?;
    if parsed.origin() != origin {
        return Err(format!("{url} is not on this site"));
    }
    let resp = JsFuture::from(w.fetch_with_str(&parsed.href()))
        .await
        .map_err(|_| format!("{url}: network error"))?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| "no response".to_string())?;
    if !resp.ok() {
        return Err(format!("{url}: HTTP {}", resp.status()));
    }
    let buf = JsFuture::from(
        resp.array_buffer()
            .map_err(|_| "unreadable body".to_string())?,
    )
    .await
    .map_err(|_| format!("{url}: download interrupted"))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}
