//! Cloth solver timing: one garment size draped on an avatar (`cargo bench -p doppel-fit
//! --bench drape`). The budget (≤ 20 ms native for ~8k vertices) is recorded in
//! BENCHMARKS.md, never asserted.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // bench harness

use criterion::{Criterion, criterion_group, criterion_main};
use doppel_fit::drape::{BodyCollider, dress_on, subdivide};
use std::hint::black_box;

#[path = "../examples/common/mod.rs"]
mod common;

fn bench(c: &mut Criterion) {
    let common::TimingCase {
        avatar: av,
        product: p,
        mesh,
        ref_m: h,
    } = common::timing_case();
    let body = common::surface(&av);
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
