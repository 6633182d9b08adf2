//! Cloth solver timing: one garment size draped on an avatar (`cargo bench -p doppel-fit
//! --bench drape`). The budget (≤ 20 ms native for ~8k vertices) is recorded in
//! BENCHMARKS.md, never asserted.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // bench harness

use criterion::{Criterion, criterion_group, criterion_main};
use doppel_body::avatar::build_avatar;
use doppel_body::{BodyInput, Sex};
use doppel_fit::drape::subdivide;
use doppel_fit::drape::{BodyCollider, BodySurface, dress_on};
use doppel_garment::catalog::{CheckOptions, check_catalog};
use doppel_garment::generate::{reference_stature_cm, sample_catalog};
use doppel_garment::mesh::check_glb;
use std::collections::BTreeMap;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
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
    let (dense_p, dense_i) = subdivide(&mesh.positions, &mesh.indices).unwrap();
    let mut g = c.benchmark_group("drape");
    g.sample_size(20);
    // Once per avatar (shared by every size the shopper looks at).
    g.bench_function(format!("collider_{}v", av.positions.len()), |b| {
        b.iter(|| black_box(BodyCollider::new(&body).unwrap()));
    });
    // Sleeves turned to the arms, as the CLI drapes.
    let collider = BodyCollider::new(&body).unwrap().with_joints(&av.joints);
    for (name, pos, idx) in [
        (
            format!("hoodie_{}v", mesh.positions.len()),
            &mesh.positions,
            &mesh.indices,
        ),
        (format!("hoodie_{}v", dense_p.len()), &dense_p, &dense_i),
    ] {
        g.bench_function(&name, |b| {
            b.iter(|| {
                black_box(dress_on(&collider, pos, idx, h, &p.fabric, p.category).unwrap());
            });
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
