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

use doppel_render::compare::Tolerance;
use doppel_render::headless::{Headless, RgbaImage, check_reference};
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
    if let Err(msg) = check_reference(&reference_dir(), name, actual, tol) {
        panic!("{msg}");
    }
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

/// A torso-sized "garment" for the placeholder figure: an open cylinder around the chest.
fn tube(radius: f32, y0: f32, y1: f32) -> doppel_render::MeshData {
    let segs = 32u32;
    let mut m = doppel_render::MeshData::default();
    for y in [y0, y1] {
        for j in 0..segs {
            let a = j as f32 / segs as f32 * std::f32::consts::TAU;
            m.positions
                .push([radius * a.cos(), y, radius * 0.62 * a.sin()]);
        }
    }
    for j in 0..segs {
        let j1 = (j + 1) % segs;
        m.indices
            .extend_from_slice(&[j, segs + j, j1, j1, segs + j, segs + j1]);
    }
    m
}

#[test]
fn split_view_shows_two_sizes_side_by_side() {
    use doppel_render::Slot;
    let Some(mut h) = headless() else { return };
    let (w, hgt) = (320, 240);
    h.renderer
        .add_mesh("figure", placeholder_figure(), Material::SKIN)
        .unwrap();
    let blue = Material {
        base_color: [0.05, 0.15, 0.6, 1.0],
        roughness: 0.9,
        metallic: 0.0,
    };
    let red = Material {
        base_color: [0.6, 0.03, 0.03, 1.0],
        ..blue
    };
    let left = h
        .renderer
        .add_mesh("size M", tube(0.19, 0.9, 1.38), blue)
        .unwrap();
    let right = h
        .renderer
        .add_mesh("size L", tube(0.23, 0.85, 1.4), red)
        .unwrap();
    h.renderer.set_slot(left, Slot::Left);
    h.renderer.set_slot(right, Slot::Right);
    // Not split: only the left (shown) garment is drawn.
    let single = h.render(w, hgt).unwrap();
    h.renderer.set_split(true);
    h.renderer.frame_scene(w, hgt);
    let img = h.render(w, hgt).unwrap();
    check("split_view", &img, Tolerance::default());
    let count = |img: &RgbaImage, x0: u32, x1: u32, red: bool| {
        let mut n = 0;
        for y in 0..img.height {
            for x in x0..x1 {
                let i = ((y * img.width + x) * 4) as usize;
                let (r, b) = (i32::from(img.pixels[i]), i32::from(img.pixels[i + 2]));
                if (red && r > b + 60) || (!red && b > r + 60) {
                    n += 1;
                }
            }
        }
        n
    };
    assert_eq!(
        count(&single, 0, w, true),
        0,
        "compared size hidden when not split"
    );
    assert!(count(&single, 0, w, false) > 500);
    assert_eq!(
        count(&img, 0, w / 2, true),
        0,
        "red garment only on the right"
    );
    assert_eq!(
        count(&img, w / 2, w, false),
        0,
        "blue garment only on the left"
    );
    assert!(count(&img, 0, w / 2, false) > 200 && count(&img, w / 2, w, true) > 200);
}

#[test]
fn shadow_map_darkens_the_floor_behind_the_figure() {
    let Some(mut h) = headless() else { return };
    assert!(h.renderer.shadows(), "lavapipe supports the shadow map");
    figure_scene(&mut h, 200, 300);
    let lit = h.render(200, 300).unwrap();
    h.renderer.set_shadows(false);
    let flat = h.render(200, 300).unwrap();
    // The key light is front-right and high: the shadow falls left and back, on the
    // floor left of the feet. Mean brightness there drops with the map on.
    let mean = |img: &RgbaImage| {
        let mut s = 0u64;
        let mut n = 0u64;
        for y in 230..270 {
            for x in 10..70 {
                let i = ((y * img.width + x) * 4) as usize;
                s += u64::from(img.pixels[i]);
                n += 1;
            }
        }
        s as f64 / n as f64
    };
    let (with, without) = (mean(&lit), mean(&flat));
    assert!(
        with + 8.0 < without,
        "shadowed {with:.1} vs none {without:.1}"
    );
}

#[test]
fn textured_quad_uses_base_colour_and_normal_maps() {
    use doppel_render::{PbrMaps, TextureImage};
    let Some(mut h) = headless() else { return };
    // A 1 m quad standing at z = 0, facing +Z, with UVs over its face.
    let quad = doppel_render::MeshData {
        positions: vec![
            [-0.5, 0.2, 0.0],
            [0.5, 0.2, 0.0],
            [0.5, 1.2, 0.0],
            [-0.5, 1.2, 0.0],
        ],
        normals: vec![],
        indices: vec![0, 1, 2, 0, 2, 3],
        colors: vec![],
    };
    let uvs = [[0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]];
    // 4×4 checker of 8-pixel cells: white and dark red.
    let checker: Vec<u8> = (0..32 * 32)
        .flat_map(|i| {
            if ((i % 32) / 8 + (i / 32) / 8) % 2 == 0 {
                [255, 255, 255, 255]
            } else {
                [120, 10, 10, 255]
            }
        })
        .collect();
    // A normal map tilting every normal towards +X (lit side of the key light).
    let tilt: Vec<u8> = (0..16).flat_map(|_| [200, 128, 200, 255]).collect();
    let maps = PbrMaps {
        base_color: Some(TextureImage::from_rgba(32, 32, checker).unwrap()),
        normal: Some(TextureImage::from_rgba(4, 4, tilt).unwrap()),
        ..PbrMaps::default()
    };
    let white = Material {
        base_color: [1.0; 4],
        roughness: 0.9,
        metallic: 0.0,
    };
    h.renderer
        .add_mesh_pbr("quad", quad.clone(), &uvs, white, &maps)
        .unwrap();
    h.renderer.frame_scene(200, 200);
    let img = h.render(200, 200).unwrap();
    check("pbr_textured", &img, Tolerance::default());
    // Neighbouring checker cells differ strongly in red vs green.
    let px = |img: &RgbaImage, x: u32, y: u32| {
        let i = ((y * img.width + x) * 4) as usize;
        [img.pixels[i], img.pixels[i + 1], img.pixels[i + 2]]
    };
    let (a, b) = (px(&img, 100 - 12, 100 - 12), px(&img, 100 + 12, 100 - 12));
    assert!(a[1].abs_diff(b[1]) > 60, "{a:?} {b:?}");
    // Without UVs the maps are skipped: one flat (factor) colour, no panic.
    let Some(mut h2) = headless() else { return };
    h2.renderer
        .add_mesh_pbr("no uvs", quad, &[], white, &maps)
        .unwrap();
    h2.renderer.frame_scene(200, 200);
    let plain = h2.render(200, 200).unwrap();
    let (a, b) = (
        px(&plain, 100 - 12, 100 - 12),
        px(&plain, 100 + 12, 100 - 12),
    );
    assert!(a[1].abs_diff(b[1]) < 8, "{a:?} {b:?}");
}
