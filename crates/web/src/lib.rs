//! doppel in the browser: the yew app around the shared renderer.
//!
//! Built twice (feature `webgpu` or `webgl`); `www/boot.js` picks the flavour at runtime
//! and calls [`start`]. Everything the shopper enters stays in this page's memory and its
//! own origin's storage.

pub mod bridge;
pub mod catalog;
pub mod form;
pub mod glb;
#[cfg(target_arch = "wasm32")]
mod gpu;
pub mod i18n;
#[cfg(target_arch = "wasm32")]
mod net;
pub mod store;
#[cfg(target_arch = "wasm32")]
mod viewer;
#[cfg(target_arch = "wasm32")]
mod widget;

use wasm_bindgen::prelude::*;

/// Name of the backend family compiled into this flavour.
pub const FLAVOUR: &str = if cfg!(feature = "webgl") {
    "webgl2"
} else {
    "webgpu"
};

/// Mounts the doppel app into `root`. Called by the loader after choosing the flavour.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn start(root: web_sys::Element) {
    yew::Renderer::<viewer::App>::with_root(root).render();
}

/// Mounts automatically into `[data-doppel-autostart]` when present (the `trunk serve`
/// development page); the production loader calls [`start`] itself.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen(start)]
pub fn auto_start() {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("[data-doppel-autostart]").ok().flatten())
    {
        start(root);
    }
}

/// The flavour of this wasm build (`"webgpu"` or `"webgl2"`), for the loader's checks.
#[wasm_bindgen]
pub fn flavour() -> String {
    FLAVOUR.to_string()
}
