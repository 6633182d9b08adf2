//! doppel in the browser: the yew app around the shared renderer.
//!
//! Built once per flavour: `webgpu` or `webgl` (the fitting app, [`start`]) and the
//! GPU-free `concierge` build (`--no-default-features --features concierge`, "My products",
//! `start_concierge`). `www/app/boot.js` picks the flavour at runtime. Everything the
//! shopper enters stays in this page's memory and its own origin's storage.

pub mod bridge;
pub mod catalog;
pub mod concierge_ui;
pub mod form;
pub mod glb;
pub mod i18n;
pub mod json;
pub mod portable;
pub mod share;
pub mod store;
// The 3D app (renderer, viewer, widget and the panels only it shows): wasm with a backend.
#[cfg(all(target_arch = "wasm32", any(feature = "webgpu", feature = "webgl")))]
mod crypto;
#[cfg(all(target_arch = "wasm32", any(feature = "webgpu", feature = "webgl")))]
mod gpu;
#[cfg(all(target_arch = "wasm32", any(feature = "webgpu", feature = "webgl")))]
mod mydouble;
#[cfg(all(
    target_arch = "wasm32",
    any(feature = "webgpu", feature = "webgl", feature = "concierge")
))]
mod net;
#[cfg(all(target_arch = "wasm32", any(feature = "webgpu", feature = "webgl")))]
mod viewer;
#[cfg(all(target_arch = "wasm32", any(feature = "webgpu", feature = "webgl")))]
mod widget;

use wasm_bindgen::prelude::*;

/// Name of the backend family compiled into this flavour.
pub const FLAVOUR: &str = if cfg!(feature = "webgl") {
    "webgl2"
} else if cfg!(feature = "webgpu") {
    "webgpu"
} else {
    "concierge"
};

/// Mounts the doppel app into `root`. Called by the loader after choosing the flavour.
#[cfg(all(target_arch = "wasm32", any(feature = "webgpu", feature = "webgl")))]
#[wasm_bindgen]
pub fn start(root: web_sys::Element) {
    // The widget is the root component (a wrapper component would cost its own copy of
    // yew's generic lifecycle).
    yew::Renderer::<widget::Widget>::with_root(root).render();
}

/// Mounts automatically into `[data-doppel-autostart]` when present (the `trunk serve`
/// development page); the production loader calls [`start`] itself.
#[cfg(all(target_arch = "wasm32", any(feature = "webgpu", feature = "webgl")))]
#[wasm_bindgen(start)]
pub fn auto_start() {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("[data-doppel-autostart]").ok().flatten())
    {
        start(root);
    }
}

/// Mounts the product concierge ("My products") into `root`; needs no WebGPU or WebGL.
#[cfg(all(target_arch = "wasm32", feature = "concierge"))]
#[wasm_bindgen]
pub fn start_concierge(root: web_sys::Element) {
    yew::Renderer::<concierge_ui::ConciergeApp>::with_root(root).render();
}

/// The flavour of this wasm build (`"webgpu"` or `"webgl2"`), for the loader's checks.
#[wasm_bindgen]
pub fn flavour() -> String {
    FLAVOUR.to_string()
}

#[cfg(all(test, any(feature = "webgpu", feature = "webgl")))]
mod tests {
    /// The legend's swatches (CSS classes, since the CSP forbids inline styles) must show the
    /// renderer's fit-map colours.
    #[test]
    fn legend_swatches_match_the_fit_map_ramp() {
        let css = include_str!("../../../www/app/app.css");
        for (i, (_, rgb, _)) in doppel_render::fitmap::STOPS.iter().enumerate() {
            let enc = |c: f32| {
                let c = c.clamp(0.0, 1.0);
                let s = if c <= 0.003_130_8 {
                    12.92 * c
                } else {
                    1.055 * c.powf(1.0 / 2.4) - 0.055
                };
                (s * 255.0).round() as u8
            };
            let want = format!(
                ".doppel-swatch-{i} {{ background: #{:02x}{:02x}{:02x}; }}",
                enc(rgb[0]),
                enc(rgb[1]),
                enc(rgb[2])
            );
            assert!(css.contains(&want), "app.css lacks {want}");
        }
    }
}
