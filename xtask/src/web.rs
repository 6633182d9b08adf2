//! Building the web flavours (two 3D builds and the GPU-free concierge) and assembling the
//! deployable `www/dist/` folder.
//!
//! Pipeline per flavour (no Trunk needed, so it runs in CI unchanged):
//! `cargo build --profile web --target wasm32-unknown-unknown` with std rebuilt for size on a
//! pinned nightly ([`SIZE_NIGHTLY`]) → `wasm-bindgen --target web` → binaryen `wasm-opt -Oz`.
//! Static files from `www/` and the sample assets are copied beside the output, so
//! `www/dist/` is exactly what a host would deploy.

use crate::tools::{self, root};
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A wasm build of `crates/web`: one 3D backend family, or the concierge without 3D.
#[derive(Debug, Clone, Copy)]
pub struct Flavour {
    /// Directory and loader name: `webgpu`, `webgl2` or `concierge`.
    pub name: &'static str,
    /// Cargo feature of `doppel-web`.
    pub feature: &'static str,
    /// Size budget of JS glue + wasm in KiB gzip (from the widget issue), if it has one.
    pub budget_kb: Option<u64>,
}

/// Every flavour; the loader picks a 3D one at runtime, and "My products" loads the
/// concierge one (no WebGPU or WebGL needed).
pub const FLAVOURS: [Flavour; 3] = [
    Flavour {
        name: "webgpu",
        feature: "webgpu",
        budget_kb: Some(250),
    },
    Flavour {
        name: "webgl2",
        feature: "webgl",
        budget_kb: Some(900),
    },
    Flavour {
        name: "concierge",
        feature: "concierge",
        budget_kb: None,
    },
];

/// Knowledge packs published at `/packs/<name>/` (the concierge fetches them from there).
const PACKS: &str = "assets/concierge/packs";

/// The deployable output folder: `www/dist`, or `$DOPPEL_DIST` (a private build beside
/// another one, e.g. two engineers testing different changes).
pub fn dist() -> PathBuf {
    std::env::var_os("DOPPEL_DIST")
        .filter(|d| !d.is_empty())
        .map_or_else(|| root().join("www/dist"), PathBuf::from)
}

/// `cargo xtask build-web [--dev]`.
pub fn build(args: &[String]) -> Result<()> {
    let optimise = !args.iter().any(|a| a == "--dev");
    tools::ensure_wasm_target()?;
    let toolchain = size_toolchain(optimise);
    tools::ensure_wasm_bindgen()?;
    let wasm_opt = if optimise {
        Some(tools::wasm_opt()?)
    } else {
        None
    };
    let dist = dist();
    if dist.exists() {
        std::fs::remove_dir_all(&dist)
            .with_context(|| format!("cannot clear {}", dist.display()))?;
    }
    copy_tree(&root().join("www"), &dist, &|p| {
        p.starts_with(root().join("www/dist"))
    })?;
    for sub in ["catalog", "body", "concierge"] {
        let src = root().join("assets").join(sub);
        if src.exists() {
            copy_tree(&src, &dist.join("assets").join(sub), &|_| false)?;
        }
    }
    let packs = root().join(PACKS);
    if packs.exists() {
        copy_tree(&packs, &dist.join("packs"), &|_| false)?;
    }
    for f in FLAVOURS {
        build_flavour(f, &dist, toolchain, wasm_opt.as_deref())?;
    }
    stamp_service_worker(&dist)?;
    eprintln!("web build ready in {}", dist.display());
    Ok(())
}

/// WebAssembly features rustc enables by default for `wasm32-unknown-unknown`, all shipped
/// in every browser with WebGPU or WebGL2.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-multivalue",
    "--enable-reference-types",
    "--enable-call-indirect-overlong",
];

/// The dated nightly whose `std` the optimised web builds compile for size (dated, so the
/// build does not change under us; rustup installs it on first use, ~40 s).
pub const SIZE_NIGHTLY: &str = "nightly-2026-05-20";

/// Cargo arguments of a size-optimised std: rebuilt at the web profile's opt-level "z" with
/// `optimize_for_size` (rustup's prebuilt std is compiled at opt-level 3), and
/// `panic = "immediate-abort"`: a panic becomes a bare wasm trap (`RuntimeError:
/// unreachable`) without formatting a message. Together −38.8 KB gz on the webgpu wasm
/// (BENCHMARKS.md, "Web bundle sizes"). Without panic messages nothing reads source
/// locations any more (their other users in wgpu and wasm-bindgen are debug-only), so
/// `-Zlocation-detail=none` drops them too (−5.8 KB gz on the webgl2 wasm).
/// `-Zfmt-debug=shallow`: a derived `Debug` prints only its type or variant name, so the
/// field and variant name tables of wgpu-core's and naga's many error enums leave the
/// wasm (−40.6 KB gz on webgl2, −1.3 KB on webgpu, A/B). Hand-written `Debug` (`str`,
/// numbers, `JsValue`) is unchanged, so messages that quote a value with `{:?}` still do;
/// `=none` would save 20 KB more on webgl2 but blank every `{:?}`, those quotes included.
const SIZE_STD_ARGS: &[&str] = &[
    "-Zbuild-std=std,panic_abort",
    "-Zbuild-std-features=optimize_for_size",
    "-Zpanic-immediate-abort",
    "--config",
    "profile.web.panic=\"immediate-abort\"",
    "--config",
    "target.wasm32-unknown-unknown.rustflags=[\"-Zlocation-detail=none\", \"-Zfmt-debug=shallow\"]",
];

/// The toolchain of the wasm builds: the pinned nightly for an optimised build, installed
/// with rustup when missing. `None` (stable, prebuilt std, panic messages in the console)
/// with `--dev`, with `DOPPEL_WEB_STABLE=1`, or when the nightly cannot be installed
/// (offline): then a warning, and the larger build still works.
fn size_toolchain(optimise: bool) -> Option<&'static str> {
    if !optimise || std::env::var_os("DOPPEL_WEB_STABLE").is_some_and(|v| !v.is_empty()) {
        return None;
    }
    let installed = tools::output(
        "rustup",
        &[
            "component",
            "list",
            "--installed",
            "--toolchain",
            SIZE_NIGHTLY,
        ],
    )
    .is_some_and(|list| {
        let has = |c: &str| list.lines().any(|l| l.trim().starts_with(c));
        has("rust-src") && has("rust-std-wasm32-unknown-unknown")
    });
    if !installed {
        let install = tools::run(Command::new("rustup").args([
            "toolchain",
            "install",
            SIZE_NIGHTLY,
            "--profile",
            "minimal",
            "--component",
            "rust-src",
            "--target",
            "wasm32-unknown-unknown",
        ]));
        if let Err(e) = install {
            eprintln!(
                "warning: {e:#}\nwarning: building the web flavours with stable Rust's \
                 prebuilt std instead (40-100 KB gz larger per flavour)"
            );
            return None;
        }
    }
    Some(SIZE_NIGHTLY)
}

fn build_flavour(
    f: Flavour,
    dist: &Path,
    toolchain: Option<&str>,
    wasm_opt: Option<&Path>,
) -> Result<()> {
    let mut cargo = match toolchain {
        // `rustup run` rather than `cargo +toolchain`: this process runs under stable cargo,
        // whose directory rustup may have put first on PATH.
        Some(t) => {
            let mut c = Command::new("rustup");
            c.args(["run", t, "cargo"]).env_remove("RUSTC");
            c
        }
        None => Command::new("cargo"),
    };
    cargo.args([
        "build",
        "--profile",
        "web",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "doppel-web",
        "--no-default-features",
        "--features",
        f.feature,
    ]);
    if toolchain.is_some() {
        cargo.args(SIZE_STD_ARGS);
    }
    tools::run(&mut cargo)?;
    let wasm = tools::target_dir()?.join("wasm32-unknown-unknown/web/doppel_web.wasm");
    let out = dist.join("app/pkg").join(f.name);
    tools::run(
        Command::new("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                "doppel",
                "--out-dir",
            ])
            .arg(&out)
            .arg(&wasm),
    )?;
    if let Some(opt) = wasm_opt {
        let bg = out.join("doppel_bg.wasm");
        tools::run(
            Command::new(opt)
                // A second -Oz round: −2.8 KB gz on webgl2, −0.5 KB on webgpu, 5–20 s.
                .args(["-Oz", "-Oz", "--strip-debug", "--strip-producers"])
                // Exactly the features rustc emits for wasm32 today; `--all-features` would let
                // wasm-opt use proposals browsers reject (e.g. compact imports).
                .args(WASM_FEATURES)
                .arg("-o")
                .arg(&bg)
                .arg(&bg),
        )?;
        minify_names(opt, &bg, &out.join("doppel.js"))?;
    }
    Ok(())
}

/// Renames the wasm's imports, import module and exports to short names (binaryen's
/// `--minify-imports-and-exports-and-modules`) and rewrites the JS glue to match.
///
/// wasm-bindgen names each import `__wbg_<method>_<16 hex digits>`; the ~470 imports of a
/// 3D flavour spell every name twice (import section and JS glue), and the random hex
/// digits do not compress: measured −6.9 KB gz on the webgpu wasm alone (BENCHMARKS.md).
fn minify_names(opt: &Path, wasm: &Path, js: &Path) -> Result<()> {
    let out = Command::new(opt)
        .arg("--minify-imports-and-exports-and-modules")
        .args(WASM_FEATURES)
        .arg("-o")
        .arg(wasm)
        .arg(wasm)
        .current_dir(root())
        .output()
        .with_context(|| format!("could not start {}", opt.display()))?;
    if !out.status.success() {
        bail!(
            "wasm-opt --minify-imports-and-exports-and-modules failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let map = NameMap::parse(&out.stdout).context("wasm-opt printed no import/export mapping")?;
    let module = import_module(&std::fs::read(wasm)?)?;
    let text =
        std::fs::read_to_string(js).with_context(|| format!("cannot read {}", js.display()))?;
    let text = strip_glue(&rewrite_glue(&text, &map, &module)?)?;
    std::fs::write(js, text).with_context(|| format!("cannot write {}", js.display()))?;
    minify_glue(js)
}

/// Minifies the JS glue in place with terser (compress + mangle local names; the module's
/// exports and the import object's keys, which the wasm links by, stay as they are):
/// −1.8 KB gz on the webgpu glue, −1.6 KB on webgl2, −1.0 KB on the concierge's
/// (BENCHMARKS.md, "Web bundle sizes", session 7).
///
/// The module's exports are what the loaders call (`default`, `start`, `start_concierge`,
/// `flavour`): the step fails if the minified glue does not export the same names.
fn minify_glue(js: &Path) -> Result<()> {
    let read =
        || std::fs::read_to_string(js).with_context(|| format!("cannot read {}", js.display()));
    let before = exported_names(&read()?);
    tools::run(
        Command::new(tools::terser()?)
            .arg(js)
            .args(["--module", "--compress", "--mangle", "--output"])
            .arg(js),
    )?;
    let after = exported_names(&read()?);
    if before.is_empty() || after != before {
        bail!(
            "terser changed the exports of {}: {before:?} -> {after:?}",
            js.display()
        );
    }
    Ok(())
}

/// Names an ES module exports: `export function f`, `export async function f`,
/// `export const|let|var|class x`, `export default`, and `export { a, b as c }`.
fn exported_names(js: &str) -> std::collections::BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
            .collect()
    };
    let mut out = std::collections::BTreeSet::new();
    for (i, _) in js.match_indices("export") {
        // A whole word only (not `exports` or `__wbg_export_3`).
        let before_ok = js[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '$' || c == '.'));
        let rest = &js[i + "export".len()..];
        if !before_ok || rest.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = rest.trim_start();
        if let Some(list) = rest.strip_prefix('{') {
            let list = list.split('}').next().unwrap_or_default();
            for item in list.split(',') {
                let name = item.rsplit(" as ").next().unwrap_or_default().trim();
                if !name.is_empty() {
                    out.insert(ident(name));
                }
            }
        } else if rest.starts_with("default") {
            out.insert("default".into());
        } else {
            let rest = rest.strip_prefix("async").map_or(rest, str::trim_start);
            for kw in ["function", "const", "let", "var", "class"] {
                if let Some(r) = rest.strip_prefix(kw) {
                    let name = ident(r.trim_start_matches(['*', ' ']));
                    if !name.is_empty() {
                        out.insert(name);
                    }
                }
            }
        }
    }
    out
}

/// Drops the glue's comments, indentation and blank lines (−1.5 KB gz per flavour).
///
/// Only whole-line comments (`//…`, and `/* … */` blocks opening a line) are removed and
/// line breaks are kept, so automatic semicolon insertion reads the code as before. That is
/// safe only without multi-line strings: glue with a line continuation or an unbalanced
/// template literal is refused.
fn strip_glue(js: &str) -> Result<String> {
    let mut out = String::with_capacity(js.len());
    let mut in_block = false;
    for line in js.lines() {
        let t = line.trim();
        if t.matches('`').count() % 2 == 1 || t.ends_with('\\') {
            bail!("the JS glue has a multi-line string ({t:?}): unexpected wasm-bindgen output");
        }
        if in_block {
            if let Some(end) = t.find("*/") {
                if end + 2 != t.len() {
                    bail!("the JS glue has code after a comment ({t:?}): unexpected output");
                }
                in_block = false;
            }
            continue;
        }
        if t.starts_with("/*") {
            match t.find("*/") {
                // A comment and then code on the same line: keep the line as it is.
                Some(end) if end + 2 != t.len() => {}
                Some(_) => continue,
                None => {
                    in_block = true;
                    continue;
                }
            }
        }
        if t.is_empty() || t.starts_with("//") {
            continue;
        }
        out.push_str(t);
        out.push('\n');
    }
    Ok(out)
}

/// binaryen's mapping: imports as `[module, old, new]`, exports as `[old, new]`.
struct NameMap {
    imports: Vec<(String, String, String)>,
    exports: Vec<(String, String)>,
}

impl NameMap {
    fn parse(json: &[u8]) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_slice(json).ok()?;
        let strings = |row: &serde_json::Value| -> Option<Vec<String>> {
            row.as_array()?
                .iter()
                .map(|s| s.as_str().map(String::from))
                .collect()
        };
        let mut imports = Vec::new();
        for row in v.get("imports")?.as_array()? {
            let [m, old, new] = <[String; 3]>::try_from(strings(row)?).ok()?;
            imports.push((m, old, new));
        }
        let mut exports = Vec::new();
        for row in v.get("exports")?.as_array()? {
            let [old, new] = <[String; 2]>::try_from(strings(row)?).ok()?;
            exports.push((old, new));
        }
        Some(Self { imports, exports })
    }
}

/// The one module name all imports of a minified wasm come from.
fn import_module(wasm: &[u8]) -> Result<String> {
    fn leb(b: &[u8], i: &mut usize) -> Result<usize> {
        let (mut r, mut shift) = (0usize, 0);
        loop {
            let x = *b.get(*i).context("truncated wasm")?;
            *i += 1;
            r |= usize::from(x & 0x7f) << shift;
            shift += 7;
            if x < 0x80 {
                return Ok(r);
            }
        }
    }
    fn name(b: &[u8], i: &mut usize) -> Result<String> {
        let n = leb(b, i)?;
        let s = b.get(*i..*i + n).context("truncated wasm")?;
        *i += n;
        Ok(String::from_utf8_lossy(s).into_owned())
    }
    let mut i = 8;
    while i < wasm.len() {
        let id = wasm[i];
        i += 1;
        let size = leb(wasm, &mut i)?;
        if id == 2 {
            let mut j = i;
            let mut modules = std::collections::BTreeSet::new();
            for _ in 0..leb(wasm, &mut j)? {
                modules.insert(name(wasm, &mut j)?);
                name(wasm, &mut j)?;
                let kind = *wasm.get(j).context("truncated wasm")?;
                j += 1;
                match kind {
                    0 => {
                        leb(wasm, &mut j)?;
                    }
                    1 => {
                        j += 1;
                        let flags = leb(wasm, &mut j)?;
                        leb(wasm, &mut j)?;
                        if flags & 1 == 1 {
                            leb(wasm, &mut j)?;
                        }
                    }
                    2 => {
                        let flags = leb(wasm, &mut j)?;
                        leb(wasm, &mut j)?;
                        if flags & 1 == 1 {
                            leb(wasm, &mut j)?;
                        }
                    }
                    3 => j += 2,
                    k => bail!("unknown import kind {k}"),
                }
            }
            let mut it = modules.into_iter();
            return match (it.next(), it.next()) {
                (Some(m), None) => Ok(m),
                _ => bail!("expected exactly one import module after minifying"),
            };
        }
        i += size;
    }
    bail!("the wasm has no import section")
}

/// Applies the mapping to wasm-bindgen's `--target web` glue: the keys of the import object,
/// the import module's key, and every `wasm.<export>` access. Fails (rather than ship a
/// glue that cannot link) if any import key or export access is left unmapped.
fn rewrite_glue(js: &str, map: &NameMap, module: &str) -> Result<String> {
    use std::collections::HashMap;
    let imports: HashMap<&str, &str> = map
        .imports
        .iter()
        .map(|(_, old, new)| (old.as_str(), new.as_str()))
        .collect();
    let exports: HashMap<&str, &str> = map
        .exports
        .iter()
        .map(|(old, new)| (old.as_str(), new.as_str()))
        .collect();
    let old_modules: std::collections::BTreeSet<&str> =
        map.imports.iter().map(|(m, _, _)| m.as_str()).collect();
    let mut out = String::with_capacity(js.len());
    let mut keys = 0;
    for line in js.split_inclusive('\n') {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        // An import object entry: `name: function(…` (or a module key `"./x.js": importN,`).
        if let Some((key, rest)) = body.split_once(": ") {
            if let Some(new) = imports.get(key) {
                keys += 1;
                out.push_str(indent);
                out.push_str(new);
                out.push_str(": ");
                out.push_str(&rename_exports(rest, &exports)?);
                continue;
            }
            let unquoted = key.trim_matches('"');
            if key.starts_with('"') && old_modules.contains(unquoted) {
                out.push_str(indent);
                out.push_str(&format!("\"{module}\": "));
                out.push_str(rest);
                continue;
            }
        }
        out.push_str(&rename_exports(line, &exports)?);
    }
    if keys != imports.len() {
        bail!(
            "the JS glue names {keys} of the wasm's {} imports: unexpected wasm-bindgen output",
            imports.len()
        );
    }
    if let Some(m) = old_modules
        .iter()
        .find(|m| out.contains(&format!("\"{m}\"")))
    {
        bail!("the JS glue still names import module {m:?}");
    }
    Ok(out)
}

/// `wasm.<old>` → `wasm.<new>` for every mapped export in one line of glue; an access to an
/// export the mapping lacks is an error.
fn rename_exports(line: &str, exports: &std::collections::HashMap<&str, &str>) -> Result<String> {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(k) = rest.find("wasm.") {
        // Only a whole `wasm` identifier (not e.g. `doppel_bg.wasm.`).
        let whole = !rest[..k]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '.');
        out.push_str(&rest[..k + 5]);
        let after = &rest[k + 5..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(after.len());
        let name = &after[..end];
        match exports.get(name) {
            Some(new) if whole => out.push_str(new),
            None if whole && !name.is_empty() => {
                bail!("the JS glue uses wasm.{name}, which the minified wasm does not export")
            }
            _ => out.push_str(name),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Placeholder in `www/app/sw.js` for the build's content hash.
const BUILD_PLACEHOLDER: &str = "__DOPPEL_BUILD__";

/// Writes a hash of everything deployed into the service worker, so that each deployment
/// gets its own offline cache (and the browser re-installs the worker when anything changed).
fn stamp_service_worker(dist: &Path) -> Result<()> {
    let sw = dist.join("app/sw.js");
    let mut files = Vec::new();
    list_files(dist, &mut files)?;
    files.sort();
    // FNV-1a over paths and contents: a change detector, not a security measure.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    for f in files.iter().filter(|f| **f != sw) {
        eat(f
            .strip_prefix(dist)
            .unwrap_or(f)
            .to_string_lossy()
            .as_bytes());
        eat(&std::fs::read(f).with_context(|| format!("cannot read {}", f.display()))?);
    }
    let text =
        std::fs::read_to_string(&sw).with_context(|| format!("cannot read {}", sw.display()))?;
    if !text.contains(BUILD_PLACEHOLDER) {
        bail!("{} lacks the {BUILD_PLACEHOLDER} placeholder", sw.display());
    }
    std::fs::write(&sw, text.replace(BUILD_PLACEHOLDER, &format!("{h:016x}")))
        .with_context(|| format!("cannot write {}", sw.display()))
}

fn list_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            list_files(&entry.path(), out)?;
        } else {
            out.push(entry.path());
        }
    }
    Ok(())
}

fn copy_tree(src: &Path, dst: &Path, skip: &dyn Fn(&Path) -> bool) -> Result<()> {
    std::fs::create_dir_all(dst).with_context(|| format!("cannot create {}", dst.display()))?;
    for entry in std::fs::read_dir(src).with_context(|| format!("cannot read {}", src.display()))? {
        let entry = entry?;
        let path = entry.path();
        if skip(&path) {
            continue;
        }
        let target = dst.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&path, &target, skip)?;
        } else {
            std::fs::copy(&path, &target)
                .with_context(|| format!("cannot copy {}", path.display()))?;
        }
    }
    Ok(())
}

/// Raw and gzip (level 9) size of a file.
pub fn sizes(path: &Path) -> Result<(u64, u64)> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("{} missing: run `cargo xtask build-web`", path.display()))?;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&bytes)?;
    Ok((bytes.len() as u64, enc.finish()?.len() as u64))
}

/// `cargo xtask size`: bytes of loader, JS glue and wasm per flavour (build first if needed).
pub fn size(args: &[String]) -> Result<()> {
    let dist = dist();
    if !dist.join("app/pkg/webgpu/doppel_bg.wasm").exists() || args.iter().any(|a| a == "--build") {
        build(&[])?;
    }
    let row = |label: &str, (raw, gz): (u64, u64)| {
        println!(
            "| {label:<28} | {raw:>10} | {gz:>9} | {:>8.1} |",
            gz as f64 / 1024.0
        );
    };
    println!("| file                         |  raw bytes |  gz bytes |    gz KB |");
    println!("|------------------------------|-----------:|----------:|---------:|");
    let loader = sizes(&dist.join("app/boot.js"))?;
    row("loader app/boot.js", loader);
    let embed = sizes(&dist.join("doppel.js"))?;
    row("embed loader doppel.js", embed);
    // The 3D data a first visit needs: body model + the largest garment mesh.
    let model = sizes(&dist.join("assets/body/model.bin"))?;
    let mut garment = (0, 0);
    let mut meshes = Vec::new();
    list_files(&dist.join("assets/catalog/meshes"), &mut meshes)?;
    for m in meshes {
        let s = sizes(&m)?;
        if s.1 > garment.1 {
            garment = s;
        }
    }
    let data = (model.0 + garment.0, model.1 + garment.1);
    row("body model + largest garment", data);
    let mut totals = Vec::new();
    for f in FLAVOURS {
        let dir = dist.join("app/pkg").join(f.name);
        let js = sizes(&dir.join("doppel.js"))?;
        let wasm = sizes(&dir.join("doppel_bg.wasm"))?;
        row(&format!("{} JS glue", f.name), js);
        row(&format!("{} wasm", f.name), wasm);
        let total = (js.0 + wasm.0, js.1 + wasm.1);
        row(&format!("{} JS + wasm", f.name), total);
        totals.push((f, total.1));
    }
    // What "My products" downloads on a first visit: its wasm plus both sample packs.
    let mut pack_files = Vec::new();
    list_files(&dist.join("packs"), &mut pack_files)?;
    let mut packs = (0, 0);
    for p in pack_files {
        let s = sizes(&p)?;
        packs = (packs.0 + s.0, packs.1 + s.1);
    }
    row("sample packs (all files)", packs);
    // Budgets from the spine issue: loader ≤ 5 KB gz, WebGPU ≤ 250 KB gz, WebGL2 ≤ 900 KB gz.
    let mut over = Vec::new();
    for (name, (_, gz)) in [("loader", loader), ("embed loader", embed)] {
        if gz > 5 * 1024 {
            over.push(format!("{name} {gz} B gz > 5 KB"));
        }
    }
    if data.1 > 2200 * 1024 {
        over.push(format!("body model + garment {} B gz > 2.2 MB", data.1));
    }
    for (f, gz) in totals {
        if let Some(budget) = f.budget_kb
            && gz > budget * 1024
        {
            over.push(format!("{} {gz} B gz > {budget} KB", f.name));
        }
    }
    if over.is_empty() {
        println!(
            "\nall within budget (loaders ≤ 5 KB gz, webgpu ≤ 250 KB gz, webgl2 ≤ 900 KB gz, \
             model + garment ≤ 2.2 MB gz)"
        );
        Ok(())
    } else if args.iter().any(|a| a == "--check") {
        bail!("over budget: {}", over.join("; "))
    } else {
        println!("\nover budget: {}", over.join("; "));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exported_names_reads_plain_and_minified_glue() {
        let plain = "export function start(root) {\nwasm.a(root);\n}\nexport async function go() {}\n\
                     const x = wasm.__wbg_export_3;\nexport { initSync, __wbg_init as default };\n";
        let names: Vec<String> = exported_names(plain).into_iter().collect();
        assert_eq!(names, ["default", "go", "initSync", "start"]);
        let minified = "function a(b){w.q(b)}async function c(){}export{d as default,c as go,e as initSync,a as start};";
        assert_eq!(exported_names(minified), exported_names(plain));
        assert!(exported_names("const exports = 1; module.exports = 2;").is_empty());
    }

    fn map() -> NameMap {
        NameMap::parse(
            br#"{ "imports": [ ["./doppel_bg.js", "__wbg_log_0123456789abcdef", "a"] ],
                 "exports": [ ["memory", "b"], ["__wbindgen_malloc", "c"] ] }"#,
        )
        .unwrap()
    }

    #[test]
    fn glue_follows_the_minified_names() {
        let js = "const import0 = {\n    __wbg_log_0123456789abcdef: function(arg0) {\n        \
                  wasm.__wbindgen_malloc(wasm.memory.buffer);\n    },\n};\n\
                  return {\n    \"./doppel_bg.js\": import0,\n};\nfetch('doppel_bg.wasm');\n";
        let out = rewrite_glue(js, &map(), "m").unwrap();
        assert!(out.contains("    a: function(arg0)"), "{out}");
        assert!(out.contains("wasm.c(wasm.b.buffer)"), "{out}");
        assert!(out.contains("\"m\": import0"), "{out}");
        assert!(out.contains("doppel_bg.wasm"), "{out}");
        assert!(!out.contains("__wbg_log"), "{out}");
    }

    #[test]
    fn glue_loses_comments_and_indentation_only() {
        let js = "/**\n * Docs.\n */\nexport function f() {\n    // why\n    \
                  return `a${1}`; // kept\n}\n\n/* one line */\n/* c */ let y = 2;\nlet x = 1\n";
        assert_eq!(
            strip_glue(js).unwrap(),
            "export function f() {\nreturn `a${1}`; // kept\n}\n/* c */ let y = 2;\nlet x = 1\n"
        );
        assert!(strip_glue("let s = `a\nb`;\n").is_err());
        assert!(strip_glue("let s = 'a\\\nb';\n").is_err());
    }

    #[test]
    fn glue_with_unmapped_names_is_refused() {
        // An export the wasm no longer has.
        let js = "    __wbg_log_0123456789abcdef: function() {},\nwasm.gone();\n";
        assert!(rewrite_glue(js, &map(), "m").is_err());
        // An import the glue does not provide.
        assert!(rewrite_glue("wasm.memory;\n", &map(), "m").is_err());
    }
}
