//! Finding and installing the tools the build and tests need.
//!
//! Policy: install what can be installed without asking (rustup targets, cargo tools, npm
//! packages pinned in `tests/package-lock.json`, Debian packages when running as root);
//! otherwise stop with one line naming the tool and the command that gets it.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// wasm-bindgen CLI version; must equal the `wasm-bindgen` crate pin in Cargo.toml.
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
/// Debian's Chromium, driven by Playwright (never a downloaded browser).
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Repository root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Runs a command in the repository root, echoing it; fails on a non-zero exit.
pub fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("$ {}", describe(cmd));
    let status = cmd
        .current_dir(root())
        .status()
        .with_context(|| format!("could not start {}", describe(cmd)))?;
    if !status.success() {
        bail!("{} failed ({status})", describe(cmd));
    }
    Ok(())
}

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program().to_string_lossy().into_owned())
        .chain(cmd.get_args().map(|a| a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Output of a command, or None when it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn is_root() -> bool {
    output("id", &["-u"]).is_some_and(|s| s.trim() == "0")
}

/// Ensures the wasm32 target is installed.
pub fn ensure_wasm_target() -> Result<()> {
    let installed = output("rustup", &["target", "list", "--installed"])
        .context("rustup not found: install Rust with rustup (https://rustup.rs)")?;
    if !installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

/// Ensures `wasm-bindgen` of the pinned version is on PATH.
pub fn ensure_wasm_bindgen() -> Result<()> {
    let want = format!("wasm-bindgen {WASM_BINDGEN_VERSION}");
    if output("wasm-bindgen", &["--version"]).is_some_and(|v| v.trim() == want) {
        return Ok(());
    }
    run(Command::new("cargo").args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        WASM_BINDGEN_VERSION,
    ]))
}

/// Ensures node and npm exist and `tests/node_modules` matches the lockfile
/// (playwright-core, binaryen's wasm-opt, axe-core).
pub fn ensure_node_modules() -> Result<()> {
    if output("node", &["--version"]).is_none() || output("npm", &["--version"]).is_none() {
        ensure_debian(&["nodejs", "npm"])?;
    }
    let tests = root().join("tests");
    let lock = tests.join("package-lock.json");
    let stamp = tests.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&stamp)) {
        (Ok(l), Ok(s)) => matches!((l.modified(), s.modified()), (Ok(a), Ok(b)) if b >= a),
        _ => false,
    };
    if !fresh {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--prefix"])
            .arg(&tests)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))?;
    }
    Ok(())
}

/// Path of binaryen's `wasm-opt` from npm (Debian's is too old for current wasm).
pub fn wasm_opt() -> Result<PathBuf> {
    ensure_node_modules()?;
    let p = root().join("tests/node_modules/.bin/wasm-opt");
    if !p.exists() {
        bail!(
            "wasm-opt missing: run `npm ci --prefix tests` (binaryen is pinned in tests/package.json)"
        );
    }
    Ok(p)
}

/// Path of terser (npm, pinned in tests/package.json): minifies the wasm-bindgen JS glue.
pub fn terser() -> Result<PathBuf> {
    ensure_node_modules()?;
    let p = root().join("tests/node_modules/.bin/terser");
    if !p.exists() {
        bail!("terser missing: run `npm ci --prefix tests` (it is pinned in tests/package.json)");
    }
    Ok(p)
}

/// Ensures Debian packages are installed: installs them as root, else names the command.
pub fn ensure_debian(packages: &[&str]) -> Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            !output("dpkg-query", &["-W", "-f=${Status}", p])
                .is_some_and(|s| s.contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !is_root() || output("apt-get", &["--version"]).is_none() {
        bail!(
            "missing system packages: {} — install them with: sudo apt-get install {}",
            missing.join(", "),
            missing.join(" ")
        );
    }
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Ensures Chromium (browser tests) and Mesa's software Vulkan (headless rendering).
pub fn ensure_browser_and_gpu() -> Result<()> {
    ensure_debian(&[
        "chromium",
        "mesa-vulkan-drivers",
        "libvulkan1",
        "fonts-dejavu-core",
    ])?;
    if !Path::new(CHROMIUM).exists() {
        bail!("{CHROMIUM} missing: sudo apt-get install chromium");
    }
    Ok(())
}

/// Where cargo puts build output (honours `CARGO_TARGET_DIR` and cargo config).
pub fn target_dir() -> Result<PathBuf> {
    let out = Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root())
        .output()
        .context("could not run `cargo metadata`")?;
    if !out.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    v["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .context("cargo metadata: no target_directory")
}
