//! Speed and quality of the cloth solver over the whole sample catalog:
//! `cargo run --release -p doppel-fit --example drape_spread [--dense]`.
//!
//! Drapes every size of every sample product on four avatars (two per sex, as the drape
//! test does; with `--dense` every mesh is first subdivided once, ~4× the vertices) and
//! prints the median and worst time per drape, the worst share of vertices more than 3 mm
//! inside the body by the fit map's exact nearest-vertex ease, and the mean strain of the
//! smallest and largest size per product (a too-small size must stay more stretched).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // developer tool

use doppel_body::Sex;
use doppel_fit::drape::{BodyCollider, dress_on, region_strain_pct, subdivide};
use doppel_fit::fitmap::{BodyIndex, share_inside};
use doppel_garment::generate::reference_stature_cm;
use doppel_garment::mesh::check_glb;
use std::time::Instant;

mod common;

fn main() {
    let dense = std::env::args().any(|a| a == "--dense");
    let (files, products) = common::sample();
    let mut times = Vec::new();
    let (mut worst_inside, mut worst_solver_inside, mut mean_inside) = (0.0f64, 0.0f64, 0.0);
    let mut worst_name = String::new();
    let mut verts = 0usize;
    let (mut worst_tri, mut mean_tri) = (0.0f64, 0.0);
    for (sex, h, w) in [
        (Sex::Male, 178.0, 80.0),
        (Sex::Male, 168.0, 95.0),
        (Sex::Female, 165.0, 62.0),
        (Sex::Female, 174.0, 82.0),
    ] {
        let av = common::avatar(sex, h, w);
        let body = common::surface(&av);
        let collider = BodyCollider::new(&body).unwrap().with_joints(&av.joints);
        let exact = BodyIndex::new(&av.positions, &av.normals);
        let faces = vertex_faces(&av.positions, &av.indices);
        for p in products.iter().filter(|p| p.sex == sex) {
            let mut strains = Vec::new();
            let mut regions = Vec::new();
            for s in &p.sizes {
                let mesh = check_glb(&files[s.mesh.as_deref().unwrap()]).mesh.unwrap();
                let (pos, idx) = if dense {
                    subdivide(&mesh.positions, &mesh.indices).unwrap()
                } else {
                    (mesh.positions, mesh.indices)
                };
                verts = verts.max(pos.len());
                let hs = reference_stature_cm(&p.chart.name, &s.label).unwrap() as f32 / 100.0;
                let t = Instant::now();
                let d = dress_on(&collider, &pos, &idx, hs, &p.fabric, p.category).unwrap();
                times.push(t.elapsed().as_secs_f64() * 1e3);
                let ease: Vec<f32> = d.positions.iter().map(|q| exact.ease_cm(*q)).collect();
                let inside = share_inside(&ease, 0.3);
                let tri_inside = d
                    .positions
                    .iter()
                    .filter(|q| {
                        exact.nearest(**q).is_some_and(|b| {
                            below_faces(**q, &faces[b as usize], &av.positions) < -0.003
                        })
                    })
                    .count() as f64
                    / d.positions.len() as f64;
                worst_tri = worst_tri.max(tri_inside);
                mean_tri += tri_inside;
                mean_inside += inside;
                if inside > worst_inside {
                    worst_inside = inside;
                    worst_name = format!("{} {} on {h}/{w}", p.id, s.label);
                }
                worst_solver_inside = worst_solver_inside.max(d.inside_share_3mm);
                strains.push(d.mean_strain);
                regions.push(region_strain_pct(&pos, &idx, &d.positions, &av.levels_m));
            }
            println!(
                "{:>16} on {h}/{w}: mean strain smallest {:+.4} largest {:+.4}",
                p.id,
                strains[0],
                strains[strains.len() - 1]
            );
            let show = |r: &[(doppel_fit::analysis::Region, f64)]| {
                r.iter()
                    .map(|(g, v)| format!("{g:?} {v:+.1}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            println!(
                "{:>16}   girth strain % smallest [{}] largest [{}]",
                "",
                show(&regions[0]),
                show(&regions[regions.len() - 1])
            );
        }
    }
    let n = times.len();
    mean_inside /= n as f64;
    mean_tri /= n as f64;
    times.sort_by(f64::total_cmp);
    println!(
        "{n} drapes (up to {verts} vertices): time ms median {:.1} max {:.1}; \
         > 3 mm inside (exact): mean {:.3} % worst {:.3} % ({worst_name}); solver's own worst {:.3} %; \
         > 3 mm under the nearest triangles: mean {:.3} % worst {:.3} %",
        times[n / 2],
        times[n - 1],
        100.0 * mean_inside,
        100.0 * worst_inside,
        100.0 * worst_solver_inside,
        100.0 * mean_tri,
        100.0 * worst_tri
    );
}

/// Triangles around each body vertex.
fn vertex_faces(pos: &[[f32; 3]], idx: &[u32]) -> Vec<Vec<[u32; 3]>> {
    let mut f = vec![Vec::new(); pos.len()];
    for t in idx.chunks_exact(3) {
        for &i in t {
            f[i as usize].push([t[0], t[1], t[2]]);
        }
    }
    f
}

/// Signed height of `q` over the body surface near a vertex: over the closest of its
/// triangles that `q` projects into (the avatar winds counter-clockwise seen from
/// outside), or +∞ when it projects into none (not counted as inside).
fn below_faces(q: [f32; 3], faces: &[[u32; 3]], pos: &[[f32; 3]]) -> f32 {
    use glam::Vec3;
    let q = Vec3::from(q);
    let mut best = f32::INFINITY;
    for t in faces {
        let [a, b, c] = t.map(|i| Vec3::from(pos[i as usize]));
        let n = (b - a).cross(c - a).normalize_or_zero();
        let inside = [(a, b), (b, c), (c, a)]
            .iter()
            .all(|(u, v)| n.cross(*v - *u).dot(q - *u) >= -1e-4);
        let h = (q - a).dot(n);
        if inside && h.abs() < best.abs() {
            best = h;
        }
    }
    best
}
