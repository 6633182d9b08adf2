//! Headless render tests: render natively (Mesa lavapipe in CI) and compare with committed
//! references under `tests/render/reference/` with a tolerance.
//!
//! - On failure the harness writes `NAME.actual.png` and `NAME.diff.png` beside the reference.
//! - To refresh references on purpose: `DOPPEL_UPDATE_REFERENCES=1 cargo xtask test render`,
//!   then look at every changed PNG before committing it.
//! - Without any adapter the tests are skipped with a note, unless `DOPPEL_REQUIRE_GPU=1`
//!   (set by `cargo xtask test`), where a missing adapter fails.
#![cfg(feature = "native")]
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use doppel_render::compare::{Tolerance, compare};
use doppel_render::headless::{Headless, RgbaImage};
use doppel_render::mesh::placeholder_figure;
use doppel_render::{Material, ViewPreset};
use std::path::PathBuf;

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/render/reference")
}

fn headless() -> Option<Headless> {
    match Headless::new() {
        Ok(h) => Some(h),
        Err(e) if std::env::var_os("DOPPEL_REQUIRE_GPU").is_none() => {
            eprintln!("skipping render test: {e}");
            None
        }
        Err(e) => panic!("DOPPEL_REQUIRE_GPU is set but: {e}"),
    }
}

fn check(name: &str, actual: &RgbaImage, tol: Tolerance) {
    let dir = reference_dir();
    let reference = dir.join(format!("{name}.png"));
    let actual_path = dir.join(format!("{name}.actual.png"));
    let diff_path = dir.join(format!("{name}.diff.png"));
    if std::env::var_os("DOPPEL_UPDATE_REFERENCES").is_some() {
        actual.save_png(&reference).unwrap();
        eprintln!("updated reference {}", reference.display());
        return;
    }
    let expected = RgbaImage::load_png(&reference).unwrap_or_else(|e| {
        actual.save_png(&actual_path).unwrap();
        panic!(
            "{e}; wrote {} (refresh with DOPPEL_UPDATE_REFERENCES=1)",
            actual_path.display()
        )
    });
    assert_eq!(
        (expected.width, expected.height),
        (actual.width, actual.height),
        "{name}: size differs from reference"
    );
    let c = compare(
        &expected.pixels,
        &actual.pixels,
        actual.width,
        actual.height,
        tol,
    )
    .unwrap();
    if !c.passed {
        actual.save_png(&actual_path).unwrap();
        RgbaImage {
            width: actual.width,
            height: actual.height,
            pixels: c.diff_rgba.clone(),
        }
        .save_png(&diff_path)
        .unwrap();
    } else {
        let _ = std::fs::remove_file(&actual_path);
        let _ = std::fs::remove_file(&diff_path);
    }
    assert!(
        c.passed,
        "{name}: {} of {} pixels differ by more than {} (max {}), mean error {:.2}; see {} and {}",
        c.outliers,
        c.total,
        tol.per_channel,
        c.max_diff,
        c.mean_error,
        actual_path.display(),
        diff_path.display()
    );
}

fn figure_scene(h: &mut Headless, w: u32, hgt: u32) {
    h.renderer
        .add_mesh("figure", placeholder_figure(), Material::SKIN)
        .unwrap();
    h.renderer.frame_scene(w, hgt);
}

#[test]
fn skeleton_scene_front() {
    let Some(mut h) = headless() else { return };
    figure_scene(&mut h, 320, 480);
    let img = h.render(320, 480).unwrap();
    check("skeleton_front", &img, Tolerance::default());
}

#[test]
fn skeleton_scene_side_and_back() {
    let Some(mut h) = headless() else { return };
    figure_scene(&mut h, 240, 360);
    h.renderer.camera.set_view(ViewPreset::Side);
    let side = h.render(240, 360).unwrap();
    check("skeleton_side", &side, Tolerance::default());
    h.renderer.camera.set_view(ViewPreset::Back);
    let back = h.render(240, 360).unwrap();
    check("skeleton_back", &back, Tolerance::default());
}

#[test]
fn figure_is_drawn_and_lit() {
    // Independent of references: the figure covers a plausible share of the frame, and its
    // pixels differ from the background (lit, not blank).
    let Some(mut h) = headless() else { return };
    let empty = h.render(160, 240).unwrap();
    figure_scene(&mut h, 160, 240);
    let img = h.render(160, 240).unwrap();
    let changed = empty
        .pixels
        .chunks_exact(4)
        .zip(img.pixels.chunks_exact(4))
        .filter(|(a, b)| (0..3).any(|c| a[c].abs_diff(b[c]) > 20))
        .count();
    let share = changed as f64 / (160.0 * 240.0);
    assert!(
        (0.08..0.6).contains(&share),
        "figure covers {share:.3} of the frame"
    );
}

/// The avatar of a fixed, typical body (female, 168 cm, 62 kg, 35 years).
fn avatar_mesh() -> doppel_render::MeshData {
    let input =
        doppel_body::BodyInput::new(doppel_body::Sex::Female, 168.0, 62.0, Some(35.0), []).unwrap();
    let av = doppel_body::avatar::build_avatar(&input).unwrap();
    doppel_render::MeshData {
        positions: av.mesh.positions,
        normals: av.mesh.normals,
        indices: av.mesh.indices,
        colors: vec![],
    }
}

#[test]
fn avatar_front_side_back() {
    let Some(mut h) = headless() else { return };
    h.renderer
        .add_mesh("avatar", avatar_mesh(), Material::SKIN)
        .unwrap();
    h.renderer.frame_scene(240, 360);
    for (name, view) in [
        ("avatar_front", ViewPreset::Front),
        ("avatar_side", ViewPreset::Side),
        ("avatar_back", ViewPreset::Back),
    ] {
        h.renderer.camera.set_view(view);
        let img = h.render(240, 360).unwrap();
        check(name, &img, Tolerance::default());
    }
}

#[test]
fn fit_map_tint_colours_the_mesh() {
    // A tinted copy of the figure must differ from the plain one where the tint is dark.
    let Some(mut h) = headless() else { return };
    let mut mesh = placeholder_figure();
    mesh.colors = mesh
        .positions
        .iter()
        .map(|p| doppel_render::fitmap::ease_color(if p[1] > 1.0 { -3.0 } else { 12.0 }))
        .collect();
    h.renderer
        .add_mesh(
            "tinted",
            mesh,
            Material {
                base_color: [1.0; 4],
                roughness: 0.8,
                metallic: 0.0,
            },
        )
        .unwrap();
    h.renderer.frame_scene(200, 300);
    let img = h.render(200, 300).unwrap();
    check("fitmap_tint", &img, Tolerance::default());
    // Upper body warm (red > blue), legs cool (blue > red): sample the centre column.
    let px = |x: u32, y: u32| {
        let i = ((y * img.width + x) * 4) as usize;
        [img.pixels[i], img.pixels[i + 1], img.pixels[i + 2]]
    };
    let chest = px(100, 95);
    let shin = px(92, 240);
    assert!(chest[0] > chest[2] + 40, "chest {chest:?}");
    assert!(shin[2] > shin[0] + 40, "shin {shin:?}");
}

#[test]
fn zero_and_oversized_targets_are_errors() {
    let Some(mut h) = headless() else { return };
    assert!(h.render(0, 100).is_err());
    assert!(h.render(100, 1 << 20).is_err());
}
