//! Image tests of draped garments: `doppel render` (the real binary, so exactly the CLI's
//! pipeline: avatar → carry → cloth solver → headless render) dresses an avatar in one
//! sample product per category and compares the picture with
//! `tests/render/reference/garment_<category>.png`.
//!
//! - Headless on Mesa lavapipe: the child gets `WGPU_ADAPTER_NAME=llvmpipe` unless the
//!   caller set another adapter.
//! - On failure `garment_<category>.actual.png` and `.diff.png` are written beside the
//!   reference; `DOPPEL_UPDATE_REFERENCES=1` rewrites the references (look at every one
//!   before committing it).
//! - Without any adapter the image comparison is skipped with a note, unless
//!   `DOPPEL_REQUIRE_GPU=1`; the solver's figures in the JSON are checked either way when
//!   a render ran.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed unwrap is a failed test

use doppel_render::compare::Tolerance;
use doppel_render::headless::{RgbaImage, check_reference};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn reference_dir() -> PathBuf {
    root().join("tests/render/reference")
}

/// A scratch folder per test (tests run in parallel threads of one process).
fn out_dir(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "doppel-render-garments-{}-{test}",
        std::process::id()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `doppel render` for a product size on a body; `None` (skip) when no adapter is
/// available and the caller does not require one.
fn render(product: &str, size: &str, body: &[&str], out: &Path) -> Option<Value> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_doppel"));
    cmd.arg("render")
        .arg("--catalog")
        .arg(root().join("assets/catalog"))
        .args(["--product", product, "--size", size])
        .args(body)
        .args(["--width", "256", "--height", "384", "--out"])
        .arg(out);
    if std::env::var_os("WGPU_ADAPTER_NAME").is_none() {
        cmd.env("WGPU_ADAPTER_NAME", "llvmpipe");
    }
    let o = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    if !o.status.success() {
        let no_gpu = o.status.code() == Some(1) && stderr.contains("headless rendering needs");
        if no_gpu && std::env::var_os("DOPPEL_REQUIRE_GPU").is_none() {
            eprintln!("skipping garment render test: {stderr}");
            return None;
        }
        panic!("doppel render {product} {size} failed: {stderr}");
    }
    Some(serde_json::from_slice(&o.stdout).unwrap())
}

fn check_image(name: &str, actual_path: &Path) {
    let actual = RgbaImage::load_png(actual_path).unwrap();
    if let Err(msg) = check_reference(&reference_dir(), name, &actual, Tolerance::default()) {
        panic!("{msg}");
    }
}

const MAN: [&str; 6] = ["--sex", "male", "--height-cm", "178", "--weight-kg", "80"];
const WOMAN: [&str; 6] = ["--sex", "female", "--height-cm", "165", "--weight-kg", "62"];

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

#[test]
fn every_garment_category_on_the_avatar() {
    let dir = out_dir("categories");
    let cases: [(&str, &str, &str, &[&str]); 6] = [
        ("tshirt", "tshirt-men", "M", &MAN),
        // glTF base colour texture (Breton stripes) on TEXCOORD_0.
        ("tshirt_striped", "tshirt-women", "38", &WOMAN),
        ("shirt", "shirt-men", "M", &MAN),
        ("jeans", "jeans-women", "38", &WOMAN),
        ("dress", "dress-women", "38", &WOMAN),
        ("hoodie", "hoodie-men", "M", &MAN),
    ];
    for (category, product, size, body) in cases {
        let out = dir.join(format!("{category}.png"));
        let Some(json) = render(product, size, body, &out) else {
            return;
        };
        // The solver's budget: ≤ 1 % of vertices more than 3 mm inside the body.
        let inside = num(&json, "garment_inside_share_after");
        assert!(inside <= 0.01, "{product} {size}: {inside} inside");
        assert!(num(&json, "garment_mean_strain").is_finite());
        assert_eq!(
            json["garment_texture_notes"],
            serde_json::json!([]),
            "{product} {size}: its textures should all be shown"
        );
        check_image(&format!("garment_{category}"), &out);
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn too_small_is_stretched_and_too_large_hangs() {
    let dir = out_dir("sizes");
    let Some(small) = render("tshirt-men", "S", &MAN, &dir.join("small.png")) else {
        return;
    };
    let large = render("tshirt-men", "XXL", &MAN, &dir.join("large.png")).unwrap();
    let _ = std::fs::remove_dir_all(dir);
    let strain = |v: &Value| num(v, "garment_mean_strain");
    let hem = |v: &Value| num(v, "garment_hem_y_m");
    assert!(
        strain(&small) > strain(&large) + 0.005,
        "{small} vs {large}"
    );
    assert!(hem(&large) < hem(&small) - 0.02, "{small} vs {large}");
    for v in [&small, &large] {
        assert!(num(v, "garment_inside_share_after") <= 0.01, "{v}");
    }
}
