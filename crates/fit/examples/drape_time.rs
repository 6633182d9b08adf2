//! Timing of one dense drape (the bench's hoodie-men M subdivided to 7,840 vertices on the
//! man 178/80), robust to a shared machine: `cargo run --release -p doppel-fit --example
//! drape_time [-- RUNS]` prints the minimum, median and mean strain of RUNS drapes (default
//! 40). Criterion (`cargo bench -p doppel-fit --bench drape`) is the reported figure; the
//! minimum here is for before/after comparisons while others use the CPU.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // developer tool

use doppel_fit::drape::{BodyCollider, dress_on, subdivide};
use std::time::Instant;

mod common;

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(40);
    let common::TimingCase {
        avatar: av,
        product: p,
        mesh,
        ref_m: h,
    } = common::timing_case();
    let body = common::surface(&av);
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
