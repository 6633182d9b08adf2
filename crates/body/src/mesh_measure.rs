//! Tape measurements on the body mesh, following ISO 8559-1 definitions.
//!
//! Girths are tape-measure girths: the perimeter of the 2D convex hull of the mesh's
//! cross-section (plane–triangle intersection) at the landmark level, restricted to the
//! right body parts so that A-posed arms never enter a torso girth. Lengths run between
//! landmark points. Every measurement also comes with its gradient with respect to the
//! vertex positions (intersection points treated as fixed edge fractions), which the
//! solver chains with the shape basis into a Jacobian.
//!
//! | measure | definition on the mesh | ANSUR II column |
//! |---|---|---|
//! | height | top of head − soles | `stature` |
//! | chest / bust | horizontal girth at the bust points (nipple rings), arms excluded | `chestcircumference` |
//! | underbust | horizontal girth at the inframammary fold landmark | — |
//! | waist | horizontal girth at the navel (omphalion) | `waistcircumference` |
//! | hip | horizontal girth at max. buttock protrusion between crotch and navel | `buttockcircumference` |
//! | neck | girth in the plane through the front of the neck base and cervicale, clamped to ±0.6 × neck depth laterally | `neckcircumferencebase` |
//! | thigh | left thigh girth, 1.5 % of stature below the crotch (gluteal fold) | `thighcircumference` |
//! | upper arm | left arm girth ⟂ to the arm at mid acromion–elbow (relaxed) | `bicepscircumferenceflexed` (flexed) |
//! | inseam | crotch − soles | `crotchheight` |
//! | sleeve | acromion → elbow → wrist (left) | `sleeveoutseam` |
//! | shoulder | acromion to acromion (straight) | `biacromialbreadth` |

use crate::Measure;
use crate::model::{Model, Part};
use std::collections::BTreeMap;

/// Lateral half-width of the neck cross-section kept, as a fraction of the neck depth
/// (jugular notch to cervicale): the plane runs on into the trapezius slopes beyond it.
pub const NECK_HALF_WIDTH: f64 = 0.6;

/// A measurement value and its gradient with respect to vertex positions.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    /// Value in the positions' unit (metres).
    pub value: f64,
    /// (vertex, ∂value/∂position) pairs; vertices may repeat.
    pub grad: Vec<(u32, [f64; 3])>,
    /// Height (y) of the cross-section centre for girths, in the positions' frame.
    pub level: Option<f64>,
}

/// Measurements of one mesh.
#[derive(Debug, Clone, PartialEq)]
pub struct MeshMeasurements {
    /// Every [`Measure`] in centimetres.
    pub values_cm: BTreeMap<Measure, f64>,
    /// Height above the soles of each girth's cross-section, in metres, keyed by measure key.
    pub levels_m: BTreeMap<String, f64>,
    /// Enclosed volume in cubic metres.
    pub volume_m3: f64,
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
fn norm(a: [f64; 3]) -> f64 {
    dot(a, a).sqrt()
}
fn scale(a: [f64; 3], s: f64) -> [f64; 3] {
    [a[0] * s, a[1] * s, a[2] * s]
}
fn p64(p: [f32; 3]) -> [f64; 3] {
    [f64::from(p[0]), f64::from(p[1]), f64::from(p[2])]
}

/// Enclosed volume of a closed triangle mesh (divergence theorem), in the positions'
/// unit cubed. Positive when triangles wind counter-clockwise seen from outside.
pub fn volume_m3(positions: &[[f32; 3]], triangles: &[[u32; 3]]) -> f64 {
    let mut v = 0.0;
    for t in triangles {
        let (a, b, c) = (
            p64(positions[t[0] as usize]),
            p64(positions[t[1] as usize]),
            p64(positions[t[2] as usize]),
        );
        v += dot(a, cross(b, c));
    }
    v / 6.0
}

/// Volume and its dense gradient (flattened xyz over `positions`).
pub fn volume_with_grad(positions: &[[f32; 3]], triangles: &[[u32; 3]]) -> (f64, Vec<f64>) {
    let mut g = vec![0.0; 3 * positions.len()];
    let mut v = 0.0;
    for t in triangles {
        let (a, b, c) = (
            p64(positions[t[0] as usize]),
            p64(positions[t[1] as usize]),
            p64(positions[t[2] as usize]),
        );
        v += dot(a, cross(b, c));
        for (i, gr) in [
            (t[0], cross(b, c)),
            (t[1], cross(c, a)),
            (t[2], cross(a, b)),
        ] {
            let i = 3 * i as usize;
            g[i] += gr[0] / 6.0;
            g[i + 1] += gr[1] / 6.0;
            g[i + 2] += gr[2] / 6.0;
        }
    }
    (v / 6.0, g)
}

/// Gradient of [`volume_m3`] (flattened xyz over `positions`) in `f32`: what a Jacobian
/// needs, at half the memory traffic of [`volume_with_grad`].
pub fn volume_grad_f32(positions: &[[f32; 3]], triangles: &[[u32; 3]]) -> Vec<f32> {
    let mut g = vec![[0.0f32; 3]; positions.len()];
    let cross = |a: [f32; 3], b: [f32; 3]| {
        [
            a[1] * b[2] - a[2] * b[1],
            a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0],
        ]
    };
    let at = |i: u32| positions.get(i as usize).copied().unwrap_or_default();
    for t in triangles {
        let (a, b, c) = (at(t[0]), at(t[1]), at(t[2]));
        for (i, gr) in [
            (t[0], cross(b, c)),
            (t[1], cross(c, a)),
            (t[2], cross(a, b)),
        ] {
            if let Some(gi) = g.get_mut(i as usize) {
                gi[0] += gr[0];
                gi[1] += gr[1];
                gi[2] += gr[2];
            }
        }
    }
    let mut flat = g.into_flattened();
    for v in &mut flat {
        *v /= 6.0;
    }
    flat
}

/// Perimeter of the convex hull of 2D points and ∂perimeter/∂point for each input point.
pub fn hull_perimeter(points: &[[f64; 2]]) -> (f64, Vec<[f64; 2]>) {
    let mut grad = vec![[0.0; 2]; points.len()];
    if points.len() < 2 {
        return (0.0, grad);
    }
    let mut idx: Vec<usize> = (0..points.len()).collect();
    idx.sort_by(|&a, &b| {
        points[a][0]
            .total_cmp(&points[b][0])
            .then(points[a][1].total_cmp(&points[b][1]))
    });
    let turn = |o: [f64; 2], a: [f64; 2], b: [f64; 2]| {
        (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    };
    // Andrew's monotone chain.
    let mut hull: Vec<usize> = Vec::with_capacity(2 * idx.len());
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &usize>> = if pass == 0 {
            Box::new(idx.iter())
        } else {
            Box::new(idx.iter().rev())
        };
        for &i in iter {
            while hull.len() >= start + 2
                && turn(
                    points[hull[hull.len() - 2]],
                    points[hull[hull.len() - 1]],
                    points[i],
                ) <= 0.0
            {
                hull.pop();
            }
            hull.push(i);
        }
        hull.pop();
    }
    let n = hull.len();
    if n < 2 {
        return (0.0, grad);
    }
    let mut per = 0.0;
    for k in 0..n {
        let (a, b) = (hull[k], hull[(k + 1) % n]);
        let d = [points[b][0] - points[a][0], points[b][1] - points[a][1]];
        let l = (d[0] * d[0] + d[1] * d[1]).sqrt();
        per += l;
        if l > 1e-12 {
            let u = [d[0] / l, d[1] / l];
            grad[b][0] += u[0];
            grad[b][1] += u[1];
            grad[a][0] -= u[0];
            grad[a][1] -= u[1];
        }
    }
    (per, grad)
}

/// A cutting plane with in-plane axes `u`, `v` (unit, orthogonal to `n`).
struct Plane {
    origin: [f64; 3],
    n: [f64; 3],
    u: [f64; 3],
    v: [f64; 3],
}

impl Plane {
    fn horizontal(y: f64) -> Plane {
        Plane {
            origin: [0.0, y, 0.0],
            n: [0.0, 1.0, 0.0],
            u: [1.0, 0.0, 0.0],
            v: [0.0, 0.0, 1.0],
        }
    }
}

/// Convex-hull girth of the cross-section of the triangles accepted by `tri_ok`, keeping
/// intersection points accepted by `point_ok`.
fn girth(
    pos: &[[f32; 3]],
    model: &Model,
    plane: &Plane,
    tri_ok: impl Fn(&[Part; 3]) -> bool,
    point_ok: impl Fn([f64; 3]) -> bool,
    u_clamp: Option<(f64, f64)>,
) -> Probe {
    let parts = model.parts();
    let mut pts2 = Vec::new();
    let mut src: Vec<(u32, u32, f64, bool)> = Vec::new();
    // Signed distances once per vertex; most triangles are then rejected by sign alone.
    let off = dot(plane.origin, plane.n);
    let n = plane.n;
    let dist: Vec<f64> = pos[..model.n_surface()]
        .iter()
        .map(|q| n[0] * f64::from(q[0]) + n[1] * f64::from(q[1]) + n[2] * f64::from(q[2]) - off)
        .collect();
    for t in model.triangles() {
        let d = [
            dist[t[0] as usize],
            dist[t[1] as usize],
            dist[t[2] as usize],
        ];
        let above = (d[0] > 0.0) as u8 + (d[1] > 0.0) as u8 + (d[2] > 0.0) as u8;
        if above == 0 || above == 3 {
            continue;
        }
        let tp = [
            parts[t[0] as usize],
            parts[t[1] as usize],
            parts[t[2] as usize],
        ];
        if !tri_ok(&tp) {
            continue;
        }
        let p = [
            p64(pos[t[0] as usize]),
            p64(pos[t[1] as usize]),
            p64(pos[t[2] as usize]),
        ];
        for e in 0..3 {
            let (a, b) = (e, (e + 1) % 3);
            if (d[a] > 0.0) != (d[b] > 0.0) {
                let tt = d[a] / (d[a] - d[b]);
                let x = [
                    p[a][0] + tt * (p[b][0] - p[a][0]),
                    p[a][1] + tt * (p[b][1] - p[a][1]),
                    p[a][2] + tt * (p[b][2] - p[a][2]),
                ];
                if point_ok(x) {
                    let mut pu = dot(x, plane.u);
                    // Clamping (not dropping) keeps the girth continuous as points
                    // cross the bound: the tape bridges straight across there.
                    let clamped = match u_clamp {
                        Some((lo, hi)) if pu < lo || pu > hi => {
                            pu = pu.clamp(lo, hi);
                            true
                        }
                        _ => false,
                    };
                    pts2.push([pu, dot(x, plane.v)]);
                    src.push((t[a], t[b], tt, clamped));
                }
            }
        }
    }
    let (per, g2) = hull_perimeter(&pts2);
    let mut grad = Vec::new();
    for ((a, b, tt, clamped), g) in src.iter().zip(&g2) {
        let g = [if *clamped { 0.0 } else { g[0] }, g[1]];
        if g[0] == 0.0 && g[1] == 0.0 {
            continue;
        }
        let g3 = [
            g[0] * plane.u[0] + g[1] * plane.v[0],
            g[0] * plane.u[1] + g[1] * plane.v[1],
            g[0] * plane.u[2] + g[1] * plane.v[2],
        ];
        grad.push((*a, scale(g3, 1.0 - tt)));
        grad.push((*b, scale(g3, *tt)));
    }
    Probe {
        value: per,
        grad,
        level: Some(plane.origin[1]),
    }
}

/// Length between two soft points.
fn distance(pos: &[[f32; 3]], a: &SoftPoint, b: &SoftPoint) -> Probe {
    let d = sub(a.at(pos), b.at(pos));
    let l = norm(d).max(1e-12);
    let u = scale(d, 1.0 / l);
    let mut grad: Vec<(u32, [f64; 3])> =
        a.0.iter().map(|&(i, w)| (i as u32, scale(u, w))).collect();
    grad.extend(b.0.iter().map(|&(i, w)| (i as u32, scale(u, -w))));
    Probe {
        value: l,
        grad,
        level: None,
    }
}

fn mean_y(pos: &[[f32; 3]], idx: &[u32]) -> f64 {
    idx.iter()
        .map(|&i| f64::from(pos[i as usize][1]))
        .sum::<f64>()
        / idx.len().max(1) as f64
}

fn arg_best(idx: &[u32], key: impl Fn(u32) -> f64) -> usize {
    let mut best = idx[0];
    for &i in idx {
        if key(i) > key(best) {
            best = i;
        }
    }
    best as usize
}

/// A point that is a fixed weighted mean of vertices.
#[derive(Debug, Clone)]
struct SoftPoint(Vec<(usize, f64)>);

impl SoftPoint {
    fn at(&self, pos: &[[f32; 3]]) -> [f64; 3] {
        let mut p = [0.0; 3];
        for &(i, w) in &self.0 {
            let q = p64(pos[i]);
            for k in 0..3 {
                p[k] += w * q[k];
            }
        }
        p
    }
}

/// Soft arg-max over `idx`: weights `exp((key − max) / tau)`, normalised. Unlike a hard
/// arg-max it moves smoothly as the shape changes (the solver needs that).
fn soft_best(idx: &[u32], key: impl Fn(u32) -> f64, tau: f64) -> SoftPoint {
    let best = idx
        .iter()
        .map(|&i| key(i))
        .fold(f64::NEG_INFINITY, f64::max);
    let mut w: Vec<(usize, f64)> = idx
        .iter()
        .map(|&i| (i as usize, ((key(i) - best) / tau).exp()))
        .filter(|(_, w)| *w > 1e-6)
        .collect();
    let sum: f64 = w.iter().map(|(_, w)| w).sum();
    for e in &mut w {
        e.1 /= sum;
    }
    SoftPoint(w)
}

/// Key points found on a posed mesh.
struct Landmarks {
    top: usize,
    floor: usize,
    crotch: usize,
    acromion_l: SoftPoint,
    acromion_r: SoftPoint,
    elbow_l: usize,
    wrist_l: usize,
}

fn landmarks(model: &Model, pos: &[[f32; 3]]) -> Option<Landmarks> {
    let ns = model.n_surface();
    let surf: Vec<u32> = (0..ns as u32).collect();
    let y = |i: u32| f64::from(pos[i as usize][1]);
    let x = |i: u32| f64::from(pos[i as usize][0]);
    Some(Landmarks {
        top: arg_best(&surf, y),
        floor: arg_best(&surf, |i| -y(i)),
        crotch: arg_best(model.landmark("crotch")?, |i| -y(i)),
        // tau: a few millimetres on the model's own scale (about 1.7 m tall).
        acromion_l: soft_best(
            model.landmark("acromion_left")?,
            |i| x(i) + 2.0 * y(i),
            0.006,
        ),
        acromion_r: soft_best(
            model.landmark("acromion_right")?,
            |i| 2.0 * y(i) - x(i),
            0.006,
        ),
        elbow_l: model.joint("elbow_left")?,
        wrist_l: model.joint("wrist_left")?,
    })
}

/// Measures `m` on `pos` (all `n_total` vertices of a shape, any uniform scale and any
/// vertical offset), with its gradient. `None` only if the model lacks a landmark,
/// which [`Model::assemble`] rules out.
pub fn probe(model: &Model, pos: &[[f32; 3]], m: Measure) -> Option<Probe> {
    probe_with(model, pos, &landmarks(model, pos)?, m)
}

/// Measures several measures on one mesh, finding the landmarks once.
pub fn probe_many(model: &Model, pos: &[[f32; 3]], measures: &[Measure]) -> Option<Vec<Probe>> {
    let lm = landmarks(model, pos)?;
    measures
        .iter()
        .map(|&m| probe_with(model, pos, &lm, m))
        .collect()
}

fn probe_with(model: &Model, pos: &[[f32; 3]], lm: &Landmarks, m: Measure) -> Option<Probe> {
    let p = |i: usize| p64(pos[i]);
    let height = p(lm.top)[1] - p(lm.floor)[1];
    let no_arm = |t: &[Part; 3]| !t.iter().any(|p| p.is_arm());
    let any = |_: [f64; 3]| true;
    Some(match m {
        Measure::Height => Probe {
            value: height,
            grad: vec![
                (lm.top as u32, [0.0, 1.0, 0.0]),
                (lm.floor as u32, [0.0, -1.0, 0.0]),
            ],
            level: None,
        },
        Measure::Chest => {
            let l = model.landmark("bust_left")?;
            let r = model.landmark("bust_right")?;
            let y = 0.5 * (mean_y(pos, l) + mean_y(pos, r));
            girth(pos, model, &Plane::horizontal(y), no_arm, any, None)
        }
        Measure::Underbust => {
            let y = mean_y(pos, model.landmark("underbust")?);
            girth(pos, model, &Plane::horizontal(y), no_arm, any, None)
        }
        Measure::Waist => {
            let y = mean_y(pos, model.landmark("navel")?);
            girth(pos, model, &Plane::horizontal(y), no_arm, any, None)
        }
        Measure::Hip => {
            let y = hip_level(model, pos, lm)?;
            girth(pos, model, &Plane::horizontal(y), no_arm, any, None)
        }
        Measure::Thigh => {
            let y = p(lm.crotch)[1] - 0.015 * height;
            let legs = |t: &[Part; 3]| t.iter().all(|p| matches!(p, Part::LegLeft | Part::Torso));
            girth(
                pos,
                model,
                &Plane::horizontal(y),
                legs,
                |q| q[0] > 0.0,
                None,
            )
        }
        Measure::Neck => {
            let f = p(*model.landmark("neck_front")?.first()? as usize);
            let b = p(*model.landmark("neck_back")?.first()? as usize);
            let d = sub(b, f);
            let depth = norm(d).max(1e-9);
            let v = scale(d, 1.0 / depth);
            let u = [1.0, 0.0, 0.0];
            let n = cross(u, v);
            let nn = norm(n).max(1e-12);
            let c = scale([f[0] + b[0], f[1] + b[1], f[2] + b[2]], 0.5);
            let plane = Plane {
                origin: c,
                n: scale(n, 1.0 / nn),
                u,
                v,
            };
            let head_torso =
                |t: &[Part; 3]| t.iter().all(|p| matches!(p, Part::Head | Part::Torso));
            // The plane runs on into the trapezius slopes; 0.6 × neck depth keeps the neck.
            let r = NECK_HALF_WIDTH * depth;
            girth(
                pos,
                model,
                &plane,
                head_torso,
                any,
                Some((c[0] - r, c[0] + r)),
            )
        }
        Measure::UpperArm => {
            let a = lm.acromion_l.at(pos);
            let e = p(lm.elbow_l);
            let axis = sub(e, a);
            let len = norm(axis).max(1e-9);
            let n = scale(axis, 1.0 / len);
            let c = scale([a[0] + e[0], a[1] + e[1], a[2] + e[2]], 0.5);
            let u0 = cross(n, [0.0, 0.0, 1.0]);
            let u = scale(u0, 1.0 / norm(u0).max(1e-12));
            let v = cross(n, u);
            let plane = Plane { origin: c, n, u, v };
            let arm = |t: &[Part; 3]| t.iter().all(|p| *p == Part::ArmLeft);
            let r = 0.6 * len;
            girth(pos, model, &plane, arm, |q| norm(sub(q, c)) < r, None)
        }
        Measure::Inseam => Probe {
            value: p(lm.crotch)[1] - p(lm.floor)[1],
            grad: vec![
                (lm.crotch as u32, [0.0, 1.0, 0.0]),
                (lm.floor as u32, [0.0, -1.0, 0.0]),
            ],
            level: None,
        },
        Measure::Sleeve => {
            let elbow = SoftPoint(vec![(lm.elbow_l, 1.0)]);
            let mut a = distance(pos, &lm.acromion_l, &elbow);
            let b = distance(pos, &elbow, &SoftPoint(vec![(lm.wrist_l, 1.0)]));
            a.value += b.value;
            a.grad.extend(b.grad);
            a
        }
        Measure::Shoulder => distance(pos, &lm.acromion_l, &lm.acromion_r),
    })
}

/// Level of maximum buttock protrusion: the most posterior non-arm vertex between the
/// crotch and the navel.
fn hip_level(model: &Model, pos: &[[f32; 3]], lm: &Landmarks) -> Option<f64> {
    let lo = f64::from(pos[lm.crotch][1]);
    let hi = mean_y(pos, model.landmark("navel")?);
    let mut best: Option<(f64, f64)> = None;
    for (i, part) in model.parts().iter().enumerate() {
        if part.is_arm() {
            continue;
        }
        let y = f64::from(pos[i][1]);
        if y > lo && y < hi {
            let z = f64::from(pos[i][2]);
            if best.is_none_or(|(bz, _)| z < bz) {
                best = Some((z, y));
            }
        }
    }
    Some(best.map_or(0.5 * (lo + hi), |(_, y)| y))
}

/// All measurements of a posed mesh (positions in metres, soles at y = 0).
pub fn measure(model: &Model, pos: &[[f32; 3]]) -> Option<MeshMeasurements> {
    let floor = pos[..model.n_surface()]
        .iter()
        .fold(f64::INFINITY, |m, p| m.min(f64::from(p[1])));
    let mut values_cm = BTreeMap::new();
    let mut levels_m = BTreeMap::new();
    let probes = probe_many(model, pos, &Measure::ALL)?;
    for (m, pr) in Measure::ALL.into_iter().zip(probes) {
        values_cm.insert(m, pr.value * 100.0);
        // Tilted planes (neck, upper arm) report the height of the section's centre.
        if let (true, Some(l)) = (m.is_girth(), pr.level) {
            levels_m.insert(m.key().to_string(), l - floor);
        }
    }
    Some(MeshMeasurements {
        values_cm,
        levels_m,
        volume_m3: volume_m3(pos, model.triangles()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hull_of_square_with_inner_point() {
        let pts = [
            [0.0, 0.0],
            [1.0, 0.0],
            [1.0, 1.0],
            [0.0, 1.0],
            [0.5, 0.5],
            [0.5, 0.0],
        ];
        let (p, g) = hull_perimeter(&pts);
        assert!((p - 4.0).abs() < 1e-12, "{p}");
        // Interior and collinear points do not move the perimeter.
        assert_eq!(g[4], [0.0, 0.0]);
        // Moving a corner outward along the diagonal lengthens the perimeter.
        assert!(g[2][0] > 0.0 && g[2][1] > 0.0);
    }

    #[test]
    fn hull_gradient_matches_finite_difference() {
        let pts = vec![
            [0.0, 0.0],
            [2.0, 0.3],
            [2.5, 1.7],
            [0.7, 2.2],
            [-0.4, 1.1],
            [1.0, 1.0],
        ];
        let (p0, g) = hull_perimeter(&pts);
        for i in 0..pts.len() {
            for k in 0..2 {
                let mut q = pts.clone();
                q[i][k] += 1e-6;
                let (p1, _) = hull_perimeter(&q);
                assert!(
                    ((p1 - p0) / 1e-6 - g[i][k]).abs() < 1e-4,
                    "point {i} axis {k}"
                );
            }
        }
    }

    #[test]
    fn circle_girth_is_its_circumference() {
        let pts: Vec<[f64; 2]> = (0..720)
            .map(|i| {
                let a = f64::from(i) * std::f64::consts::TAU / 720.0;
                [0.15 * a.cos(), 0.15 * a.sin()]
            })
            .collect();
        let (p, _) = hull_perimeter(&pts);
        assert!((p - std::f64::consts::TAU * 0.15).abs() < 1e-4, "{p}");
    }

    #[test]
    fn unit_cube_volume() {
        let v: Vec<[f32; 3]> = (0..8)
            .map(|i| [(i & 1) as f32, ((i >> 1) & 1) as f32, ((i >> 2) & 1) as f32])
            .collect();
        // Outward-wound cube faces (two triangles each).
        let quads = [
            [0, 2, 3, 1],
            [4, 5, 7, 6],
            [0, 1, 5, 4],
            [2, 6, 7, 3],
            [0, 4, 6, 2],
            [1, 3, 7, 5],
        ];
        let tris: Vec<[u32; 3]> = quads
            .iter()
            .flat_map(|q| [[q[0], q[1], q[2]], [q[0], q[2], q[3]]])
            .collect();
        assert!((volume_m3(&v, &tris) - 1.0).abs() < 1e-9);
        let (vol, g) = volume_with_grad(&v, &tris);
        assert!((vol - 1.0).abs() < 1e-9);
        // Pushing the +x face outward by h grows the volume by h.
        let gx: f64 = [1, 3, 5, 7].iter().map(|&i| g[3 * i]).sum();
        assert!((gx - 1.0).abs() < 1e-9, "{gx}");
        let g32 = volume_grad_f32(&v, &tris);
        assert_eq!(g32.len(), g.len());
        for (a, b) in g32.iter().zip(&g) {
            assert!((f64::from(*a) - b).abs() < 1e-6, "{a} vs {b}");
        }
    }
}
