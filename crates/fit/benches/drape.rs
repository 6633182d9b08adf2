//! Cloth solver timing: one garment size draped on an avatar (`cargo bench -p doppel-fit
//! --bench drape`). The budget (≤ 20 ms native for ~8k vertices) is recorded in
//! BENCHMARKS.md, never asserted.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // bench harness

use criterion::{Criterion, criterion_group, criterion_main};
use doppel_body::avatar::build_avatar;
use doppel_body::{BodyInput, Sex};
use doppel_fit::drape::{BodyCollider, BodySurface, dress_on};
use doppel_garment::catalog::{CheckOptions, check_catalog};
use doppel_garment::generate::{reference_stature_cm, sample_catalog};
use doppel_garment::mesh::check_glb;
use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;

/// Splits every triangle into four at its edge midpoints (shared midpoints reused).
fn subdivide(pos: &[[f32; 3]], idx: &[u32]) -> (Vec<[f32; 3]>, Vec<u32>) {
    let mut p = pos.to_vec();
    let mut mid: HashMap<(u32, u32), u32> = HashMap::new();
    let mut out = Vec::with_capacity(idx.len() * 4);
    let mut m = |a: u32, b: u32, p: &mut Vec<[f32; 3]>| {
        *mid.entry((a.min(b), a.max(b))).or_insert_with(|| {
            let (u, v) = (p[a as usize], p[b as usize]);
            p.push([
                (u[0] + v[0]) / 2.0,
                (u[1] + v[1]) / 2.0,
                (u[2] + v[2]) / 2.0,
            ]);
            (p.len() - 1) as u32
        })
    };
    for t in idx.chunks_exact(3) {
        let (a, b, c) = (t[0], t[1], t[2]);
        let (ab, bc, ca) = (m(a, b, &mut p), m(b, c, &mut p), m(c, a, &mut p));
        out.extend([a, ab, ca, ab, b, bc, ca, bc, c, ab, bc, ca]);
    }
    (p, out)
}

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
    let (dense_p, dense_i) = subdivide(&mesh.positions, &mesh.indices);
    let mut g = c.benchmark_group("drape");
    g.sample_size(20);
    // Once per avatar (shared by every size the shopper looks at).
    g.bench_function(format!("collider_{}v", av.positions.len()), |b| {
        b.iter(|| black_box(BodyCollider::new(&body).unwrap()));
    });
    let collider = BodyCollider::new(&body).unwrap();
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
