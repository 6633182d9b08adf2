//! `cargo xtask bench-wasm [--release] [--json] [--filter TEXT] [--iters N] [--seconds S]`:
//! builds the `doppel-wasm-bench` cdylib (`xtask/wasm-bench`) for wasm32-unknown-unknown
//! and times its `bench_*` exports in Node (`tests/bench/wasm.mjs`).
//!
//! The build uses the browser's `web` profile (opt-level z, LTO) unless `--release` is
//! given. Adding a benchmark needs no change here: see the top of `tests/bench/wasm.mjs`.
//! Not part of `cargo xtask test`: timings are reported (BENCHMARKS.md), never asserted.

use crate::tools;
use anyhow::{Result, bail};
use std::process::Command;

/// Runs the wasm benchmarks; `args` are forwarded to the Node script, except `--release`.
pub fn run(args: &[String]) -> Result<()> {
    let release = args.iter().any(|a| a == "--release");
    let forward: Vec<&String> = args.iter().filter(|a| *a != "--release").collect();
    if tools::output("node", &["--version"]).is_none() {
        bail!("node not found: install Node.js ≥ 20 (e.g. `apt-get install nodejs`)");
    }
    tools::ensure_wasm_target()?;
    let profile = if release { "release" } else { "web" };
    tools::run(Command::new("cargo").args([
        "build",
        "--profile",
        profile,
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "doppel-wasm-bench",
    ]))?;
    let wasm = tools::target_dir()?
        .join("wasm32-unknown-unknown")
        .join(profile)
        .join("doppel_wasm_bench.wasm");
    if !wasm.exists() {
        bail!("build succeeded but {} is missing", wasm.display());
    }
    eprintln!("profile: {profile}");
    tools::run(
        Command::new("node")
            .arg("tests/bench/wasm.mjs")
            .arg("--wasm")
            .arg(&wasm)
            .args(forward),
    )
}
