//! Timing of one dense drape (the bench's hoodie-men M subdivided to 7,840 vertices on the
//! man 178/80), robust to a shared machine: `cargo run --release -p doppel-fit --example
//! drape_time [-- RUNS]` prints the minimum, median and mean strain of RUNS drapes (default
//! 40). Criterion (`cargo bench -p doppel-fit --bench drape`) is the reported figure; the
//! minimum here is for before/after comparisons while others use the CPU.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // developer tool

use doppel_body::avatar::build_avatar;
use doppel_body::{BodyInput, Sex};
use doppel_fit::drape::{BodyCollider, BodySurface, dress_on, subdivide};
use doppel_garment::catalog::{CheckOptions, check_catalog};
use doppel_garment::generate::{reference_stature_cm, sample_catalog};
use doppel_garment::mesh::check_glb;
use std::collections::BTreeMap;
use std::time::Instant;

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(40);
    let files: BTreeMap<String, Vec<u8>> = sample_catalog().unwrap().into_iter().collect();
    let read = |p: &str| files.get(p).cloned().ok_or_else(|| "missing".to_string());
    let text = String::from_utf8(files["catalog.json"].clone()).unwrap();
    let products = check_catalog(&text, &read, CheckOptions { meshes: false }).products;
    let av = build_avatar(&BodyInput::new(Sex::Male, 178.0, 80.0, Some(35.0), []).unwrap())
        .unwrap()
        .mesh;
    let body = BodySurface {
        positions: &av.positions,
        normals: &av.normals,
        indices: &av.indices,
    };
    let p = products.iter().find(|p| p.id == "hoodie-men").unwrap();
    let size = p.size("M").unwrap();
    let mesh = check_glb(&files[size.mesh.as_deref().unwrap()])
        .mesh
        .unwrap();
    let h = reference_stature_cm(&p.chart.name, "M").unwrap() as f32 / 100.0;
    let (pos, idx) = subdivide(&mesh.positions, &mesh.indices).unwrap();
    let collider = BodyCollider::new(&body).unwrap().with_joints(&av.joints);
    let mut times = Vec::new();
    let mut strain = 0.0;
    for _ in 0..runs {
        let t = Instant::now();
        let d = dress_on(&collider, &pos, &idx, h, &p.fabric, p.category).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
        strain = d.mean_strain;
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{} v: min {:.2} ms, median {:.2} ms over {runs} runs; mean strain {:.5}",
        pos.len(),
        times[0],
        times[runs / 2],
        strain
    );
}
