//! `cargo xtask bench-web [--runs N] [--mode webgpu|webgl2]`: the browser benchmark of
//! issue 6 — from the shopper's click to the first frame showing their avatar, in headless
//! Debian Chromium on both GPU paths, over cold runs (a new browser context each, so no
//! cache). Serves the existing web build (`cargo xtask build-web`, or `$DOPPEL_DIST`) on
//! two origins, as a shop would embed it, and runs `tests/bench/first-frame.mjs`.

use crate::{serve, tools, web};
use anyhow::{Result, bail};
use std::process::Command;

/// Entry point.
pub fn run(args: &[String]) -> Result<()> {
    tools::ensure_node_modules()?;
    let dist = web::dist();
    if !dist.join("app/pkg/webgpu/doppel_bg.wasm").exists() {
        bail!(
            "web build missing in {}: run `cargo xtask build-web` first",
            dist.display()
        );
    }
    let app = serve::spawn(dist.clone(), "127.0.0.1:0")?;
    let shop = serve::spawn(dist, "127.0.0.1:0")?;
    tools::run(
        Command::new("node")
            .arg("tests/bench/first-frame.mjs")
            .args(args)
            .current_dir(tools::root())
            .env("DOPPEL_APP_URL", format!("http://{app}"))
            .env(
                "DOPPEL_SHOP_URL",
                format!("http://localhost:{}", shop.port()),
            ),
    )
}
