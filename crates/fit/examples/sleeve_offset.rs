//! How well sleeves follow the avatar's arms: `cargo run --release -p doppel-fit --example
//! sleeve_offset`. For every long-sleeved sample size on six bodies, the cuff ring's centre
//! after carry and after the drape is compared with the avatar's forearm line (elbow →
//! wrist joints): the distance from the line (cm) and how far the cuff ends short of (+)
//! or beyond (−) the wrist along it (cm). Also prints each body's forearm angle.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // developer tool

use doppel_body::Sex;
use doppel_fit::drape::{BodyCollider, carry_on, dress_on};
use doppel_garment::catalog::Category;
use doppel_garment::generate::reference_stature_cm;
use doppel_garment::mesh::check_glb;
use glam::Vec3;

mod common;

fn main() {
    let (files, products) = common::sample();
    let (mut worst_carry, mut worst_drape) = (0.0f32, 0.0f32);
    let mut worst0 = (0.0f32, 0.0f32);
    for (sex, h, w) in [
        (Sex::Male, 178.0, 80.0),
        (Sex::Male, 168.0, 95.0),
        (Sex::Male, 190.0, 70.0),
        (Sex::Female, 165.0, 62.0),
        (Sex::Female, 174.0, 82.0),
        (Sex::Female, 155.0, 50.0),
    ] {
        let av = common::avatar(sex, h, w);
        let body = common::surface(&av);
        let plain = BodyCollider::new(&body).unwrap();
        let collider = BodyCollider::new(&body).unwrap().with_joints(&av.joints);
        let j = |n: &str| Vec3::from(av.joints[n]);
        let arms = [
            (1.0f32, j("elbow_left"), j("wrist_left")),
            (-1.0, j("elbow_right"), j("wrist_right")),
        ];
        let angle = |s: Vec3, w: Vec3| {
            let d = w - s;
            (-d.y).atan2(d.x.abs()).to_degrees()
        };
        println!(
            "{sex:?} {h}/{w}: forearm below horizontal {:.1}° / {:.1}°; left elbow {:?} wrist {:?}",
            angle(arms[0].1, arms[0].2),
            angle(arms[1].1, arms[1].2),
            arms[0].1,
            arms[0].2
        );
        // Dresses have no sleeves.
        for p in products
            .iter()
            .filter(|p| p.sex == sex && p.category != Category::Dress)
        {
            for s in &p.sizes {
                let mesh = check_glb(&files[s.mesh.as_deref().unwrap()]).mesh.unwrap();
                let hs = reference_stature_cm(&p.chart.name, &s.label).unwrap() as f32 / 100.0;
                let run = |c: &BodyCollider| {
                    let carried = carry_on(c, &mesh.positions, hs, p.category);
                    let d = dress_on(c, &mesh.positions, &mesh.indices, hs, &p.fabric, p.category)
                        .unwrap();
                    (carried, d.positions)
                };
                let (c0, d0) = run(&plain);
                let (c1, d1) = run(&collider);
                let mut line = String::new();
                for (side, sh, wr) in arms {
                    // The cuff ring: the authored vertices farthest along the authored 45°
                    // sleeve direction on this side.
                    let dir = Vec3::new(side * 0.5f32.sqrt(), -(0.5f32.sqrt()), 0.0);
                    let along: Vec<(usize, f32)> = mesh
                        .positions
                        .iter()
                        .enumerate()
                        .filter(|(_, q)| q[0] * side > 0.25)
                        .map(|(k, q)| (k, Vec3::from(*q).dot(dir)))
                        .collect();
                    let Some(max) = along.iter().map(|a| a.1).reduce(f32::max) else {
                        continue;
                    };
                    let ring: Vec<usize> = along
                        .iter()
                        .filter(|a| a.1 > max - 0.005)
                        .map(|a| a.0)
                        .collect();
                    let centre = |pos: &[[f32; 3]]| {
                        ring.iter().map(|&k| Vec3::from(pos[k])).sum::<Vec3>() / ring.len() as f32
                    };
                    // `sh` is the elbow here: the cuff is compared with the forearm line.
                    let axis = (wr - sh).normalize();
                    let off = |c: Vec3| {
                        let t = (c - sh).dot(axis);
                        let perp = (c - sh - axis * t).length() * 100.0;
                        let short = ((wr - sh).length() - t) * 100.0;
                        (perp, short)
                    };
                    let (pc0, _) = off(centre(&c0));
                    let (pd0, sd0) = off(centre(&d0));
                    let (pc, _) = off(centre(&c1));
                    let (pd, sd) = off(centre(&d1));
                    worst_carry = worst_carry.max(pc);
                    worst_drape = worst_drape.max(pd);
                    worst0 = (worst0.0.max(pc0), worst0.1.max(pd0));
                    line += &format!(
                        "  side {side:+}: as authored carried {pc0:.1} / draped {pd0:.1} cm ({sd0:+.1} short); turned {pc:.1} / {pd:.1} cm ({sd:+.1} short)"
                    );
                }
                if !line.is_empty() {
                    println!("    {} {}:{line}", p.id, s.label);
                }
            }
        }
    }
    println!(
        "worst cuff centre distance from the forearm line: as authored carried {:.1} / draped {:.1} cm; turned carried {worst_carry:.1} / draped {worst_drape:.1} cm",
        worst0.0, worst0.1
    );
}
