//! `cargo xtask test`: everything CI checks, in the order that fails fastest.
//!
//! `cargo xtask test [--no-e2e] [--no-wasm] [render|e2e|rust]` — with an area name only that
//! part runs (after set-up). Set-up installs what is missing (see `tools`).

use crate::tools::{self, CHROMIUM, root};
use crate::{serve, web};
use anyhow::{Result, bail};
use std::process::Command;

/// Features that make the workspace build include the native renderer.
const NATIVE: &str = "doppel-render/native";

fn cargo(args: &[&str]) -> Command {
    let mut c = Command::new("cargo");
    c.args(args);
    c
}

/// Runs the Rust test suite; GPU tests pinned to Mesa's software rasteriser.
fn rust_tests(only_render: bool) -> Result<()> {
    let mut c = if only_render {
        cargo(&["test", "-p", "doppel-render", "--features", NATIVE])
    } else {
        cargo(&["test", "--workspace", "--features", NATIVE])
    };
    c.env("WGPU_ADAPTER_NAME", "llvmpipe")
        .env("DOPPEL_REQUIRE_GPU", "1");
    // Tests that need ../shared/data/ansur2 find it here; a fresh clone without it skips them.
    tools::run(&mut c)
}

fn e2e() -> Result<()> {
    tools::ensure_node_modules()?;
    let dist = web::dist();
    if !dist.join("app/pkg/webgpu/doppel_bg.wasm").exists() {
        bail!("web build missing: run `cargo xtask build-web` first");
    }
    // Two origins: the widget's and a shop's, like a real embed.
    let app = serve::spawn(dist.clone(), "127.0.0.1:0")?;
    let shop = serve::spawn(dist, "127.0.0.1:0")?;
    tools::run(
        Command::new("node")
            .args(["--test", "--test-concurrency=1", "tests/e2e/"])
            .env("DOPPEL_APP_URL", format!("http://{app}"))
            .env(
                "DOPPEL_SHOP_URL",
                format!("http://localhost:{}", shop.port()),
            )
            .env("CHROMIUM", CHROMIUM),
    )
}

/// Entry point of `cargo xtask test`.
pub fn run(args: &[String]) -> Result<()> {
    let has = |f: &str| args.iter().any(|a| a == f);
    let area = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(String::as_str);
    tools::ensure_browser_and_gpu()?;
    match area {
        Some("render") => return rust_tests(true),
        Some("e2e") => return e2e(),
        Some("rust") => return rust_tests(false),
        Some(other) => bail!("unknown test area {other:?} (render, e2e, rust)"),
        None => {}
    }
    tools::run(&mut cargo(&["fmt", "--all", "--", "--check"]))?;
    tools::run(&mut cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--features",
        NATIVE,
        "--",
        "-D",
        "warnings",
    ]))?;
    tools::ensure_wasm_target()?;
    for f in web::FLAVOURS {
        tools::run(&mut cargo(&[
            "clippy",
            "-p",
            "doppel-web",
            "--target",
            "wasm32-unknown-unknown",
            "--no-default-features",
            "--features",
            f.feature,
            "--",
            "-D",
            "warnings",
        ]))?;
    }
    rust_tests(false)?;
    if !has("--no-wasm") {
        web::build(&[])?;
        // Budgets are reported, not enforced: an overrun is recorded in BENCHMARKS.md and on
        // the issue rather than blocking every other change.
        web::size(&[])?;
    }
    if !has("--no-e2e") && !has("--no-wasm") {
        e2e()?;
    }
    eprintln!("\nall checks passed (root {})", root().display());
    Ok(())
}
