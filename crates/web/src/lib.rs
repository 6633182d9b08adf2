//! doppel in the browser: the yew app around the shared renderer.
//!
//! Built twice (feature `webgpu` or `webgl`); `www/boot.js` picks the flavour at runtime
//! and calls [`start`]. Everything the shopper enters stays in this page's memory and its
//! own origin's storage.

pub mod bridge;
pub mod catalog;
#[cfg(target_arch = "wasm32")]
mod crypto;
pub mod form;
pub mod glb;
#[cfg(target_arch = "wasm32")]
mod gpu;
pub mod i18n;
#[cfg(target_arch = "wasm32")]
mod mydouble;
#[cfg(target_arch = "wasm32")]
mod net;
pub mod portable;
pub mod share;
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

#[cfg(test)]
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
