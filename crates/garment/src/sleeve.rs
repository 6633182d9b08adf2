//! Sleeve length of a garment mesh, so that a catalog's stated `garment_cm.sleeve` can be
//! held to the mesh that is draped ([`crate::catalog::check_catalog`] compares them).
//!
//! Measured as a tailor does on the garment: from the shoulder point (the outer end of
//! the shoulder line) to the far edge of the cuff, along the sleeve. For meshes modelled
//! in an A-pose (arms roughly 30°–60° from vertical, like the sample catalog and the
//! avatar):
//! * the cuff of each side is the open boundary loop furthest out on that side;
//! * the sleeve's direction is the normal of the cuff's plane, pointing away from the
//!   body;
//! * the shoulder point is the garment's extreme point in a direction between the
//!   sleeve's upper fold (45° for an A-pose) and straight up, so it is the corner where
//!   the shoulder line turns into the sleeve (a sleeve modelled as a separate piece is
//!   left out of that search);
//! * the length is the distance from the shoulder point to the cuff's far edge,
//!   projected on the sleeve's direction.

use std::collections::HashMap;

/// Largest accepted difference in cm between a mesh's sleeve and the stated one
/// (stated values are rounded to 0.1 cm; cuffs and shoulder corners are modelled
/// to about a centimetre).
pub const SLEEVE_TOLERANCE_CM: f64 = 1.5;

type V3 = [f64; 3];

fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
fn cross(a: V3, b: V3) -> V3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
fn scale(a: V3, s: f64) -> V3 {
    [a[0] * s, a[1] * s, a[2] * s]
}
fn unit(a: V3) -> Option<V3> {
    let l = dot(a, a).sqrt();
    (l > 1e-12 && l.is_finite()).then(|| scale(a, 1.0 / l))
}

struct Dsu(Vec<u32>);

impl Dsu {
    fn new(n: usize) -> Self {
        Dsu((0..n as u32).collect())
    }
    fn find(&mut self, mut a: u32) -> u32 {
        while self.0[a as usize] != a {
            let up = self.0[self.0[a as usize] as usize];
            self.0[a as usize] = up;
            a = up;
        }
        a
    }
    fn join(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a as usize] = b;
        }
    }
}

/// Sleeve lengths in cm of a triangle mesh (metres, Y up, the wearer facing +Z or −Z):
/// `[+X side, −X side]`, `None` for a side where no sleeve was found. Vertices at the
/// same position (within 0.01 mm) count as one, so seams split for UVs or normals do not
/// open the mesh.
pub fn sleeve_lengths_cm(positions: &[[f32; 3]], indices: &[u32]) -> [Option<f64>; 2] {
    // Weld by position.
    let mut ids: HashMap<[i64; 3], u32> = HashMap::new();
    let mut pts: Vec<V3> = Vec::new();
    let mut canon = Vec::with_capacity(positions.len());
    for p in positions {
        let v = [f64::from(p[0]), f64::from(p[1]), f64::from(p[2])];
        if !v.iter().all(|x| x.is_finite()) {
            return [None, None];
        }
        let key = v.map(|x| (x * 1e5).round() as i64);
        let id = *ids.entry(key).or_insert_with(|| {
            pts.push(v);
            (pts.len() - 1) as u32
        });
        canon.push(id);
    }
    let n = pts.len();
    if n < 4 {
        return [None, None];
    }
    let mut edges: HashMap<(u32, u32), u32> = HashMap::new();
    let mut parts = Dsu::new(n);
    for t in indices.chunks_exact(3) {
        let Some(tri) = t
            .iter()
            .map(|&i| canon.get(i as usize).copied())
            .collect::<Option<Vec<u32>>>()
        else {
            return [None, None];
        };
        if tri[0] == tri[1] || tri[1] == tri[2] || tri[0] == tri[2] {
            continue;
        }
        for k in 0..3 {
            let (a, b) = (tri[k], tri[(k + 1) % 3]);
            *edges.entry((a.min(b), a.max(b))).or_insert(0) += 1;
            parts.join(a, b);
        }
    }
    // Open boundary loops: edges used by one triangle, grouped by connection.
    let mut loops_dsu = Dsu::new(n);
    let mut on_boundary = vec![false; n];
    for (&(a, b), &c) in &edges {
        if c == 1 {
            loops_dsu.join(a, b);
            on_boundary[a as usize] = true;
            on_boundary[b as usize] = true;
        }
    }
    let mut loops: HashMap<u32, Vec<u32>> = HashMap::new();
    for v in 0..n as u32 {
        if on_boundary[v as usize] {
            loops.entry(loops_dsu.find(v)).or_default().push(v);
        }
    }
    let part: Vec<u32> = (0..n as u32).map(|v| parts.find(v)).collect();
    let mut part_size: HashMap<u32, usize> = HashMap::new();
    for &p in &part {
        *part_size.entry(p).or_insert(0) += 1;
    }
    let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
    for p in &pts {
        for k in 0..3 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let centre = scale([lo[0] + hi[0], lo[1] + hi[1], lo[2] + hi[2]], 0.5);
    let height = hi[1] - lo[1];
    let mut loop_list: Vec<Vec<u32>> = loops.into_values().collect();
    loop_list.sort(); // deterministic order
    [1.0, -1.0].map(|side| measure_side(side, &pts, &loop_list, &part, &part_size, centre, height))
}

fn measure_side(
    side: f64,
    pts: &[V3],
    loops: &[Vec<u32>],
    part: &[u32],
    part_size: &HashMap<u32, usize>,
    centre: V3,
    height: f64,
) -> Option<f64> {
    let out = |v: u32| side * (pts[v as usize][0] - centre[0]);
    let mean_out = |l: &[u32]| l.iter().map(|&v| out(v)).sum::<f64>() / l.len().max(1) as f64;
    let cuff = loops
        .iter()
        .filter(|l| l.len() >= 3)
        .max_by(|a, b| mean_out(a).total_cmp(&mean_out(b)))?;
    // A cuff lies well out to the side (hems and necklines sit in the middle).
    if mean_out(cuff) < 0.15 * height {
        return None;
    }
    let c = scale(
        cuff.iter().fold([0.0; 3], |s, &v| {
            [
                s[0] + pts[v as usize][0],
                s[1] + pts[v as usize][1],
                s[2] + pts[v as usize][2],
            ]
        }),
        1.0 / cuff.len() as f64,
    );
    // The cuff's plane: the point furthest from its centre, then the one spanning the
    // largest area with it.
    let far = cuff
        .iter()
        .map(|&v| sub(pts[v as usize], c))
        .max_by(|a, b| dot(*a, *a).total_cmp(&dot(*b, *b)))?;
    let span = cuff
        .iter()
        .map(|&v| cross(far, sub(pts[v as usize], c)))
        .max_by(|a, b| dot(*a, *a).total_cmp(&dot(*b, *b)))?;
    let mut d = unit(span)?;
    if dot(d, sub(c, centre)) < 0.0 {
        d = scale(d, -1.0);
    }
    // Upper fold's normal (perpendicular to the sleeve, upwards), then a direction
    // between it and straight up, nearer the fold.
    let up = [0.0, 1.0, 0.0];
    let fold = unit(sub(up, scale(d, dot(up, d))))?;
    let w = unit([4.0 * fold[0], 4.0 * fold[1] + 1.0, 4.0 * fold[2]])?;
    // A sleeve modelled as its own piece is not part of the shoulder.
    let cuff_part = part[cuff[0] as usize];
    let biggest = part_size
        .iter()
        .max_by_key(|(p, n)| (**n, **p))
        .map(|(p, _)| *p)?;
    let separate = cuff_part != biggest;
    let shoulder = (0..pts.len())
        .filter(|&v| !(separate && part[v] == cuff_part) && out(v as u32) > 0.0)
        .map(|v| pts[v])
        .max_by(|a, b| dot(*a, w).total_cmp(&dot(*b, w)))?;
    let end = cuff
        .iter()
        .map(|&v| dot(pts[v as usize], d))
        .fold(f64::NEG_INFINITY, f64::max);
    let len = (end - dot(shoulder, d)) * 100.0;
    (len > 0.0 && len.is_finite()).then_some(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::GarmentDim;
    use crate::generate::{Sleeves, garment_measurements, garment_mesh, reference_body, templates};

    #[test]
    fn sample_sleeves_measure_what_they_state() {
        let chart_text = |name: &str| {
            crate::generate::CHARTS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| *t)
                .unwrap()
        };
        let mut n = 0;
        for t in templates() {
            let chart = crate::chart::SizeChart::from_json(chart_text(t.chart)).unwrap();
            for i in 0..chart.sizes.len() {
                let b = reference_body(&chart, i);
                let g = garment_measurements(&t, &b);
                let mesh = garment_mesh(&t, &b, &g);
                let got = sleeve_lengths_cm(&mesh.positions, &mesh.indices);
                match (t.sleeves, g.get(&GarmentDim::Sleeve)) {
                    (Sleeves::None, _) => {}
                    (_, Some(&stated)) => {
                        for m in got {
                            let m = m.unwrap_or_else(|| panic!("{} {i}: no sleeve", t.id));
                            assert!(
                                (m - stated).abs() < 0.3,
                                "{} size {i}: mesh {m:.2} cm, stated {stated}",
                                t.id
                            );
                            n += 1;
                        }
                    }
                    (_, None) => panic!("{}: sleeves without a stated length", t.id),
                }
            }
        }
        assert!(n > 50, "{n}");
    }

    #[test]
    fn a_longer_sleeve_is_caught_and_split_vertices_are_welded() {
        let t = templates()
            .into_iter()
            .find(|t| t.id == "shirt-men")
            .unwrap();
        let chart = crate::chart::SizeChart::from_json(
            crate::generate::CHARTS
                .iter()
                .find(|(n, _)| *n == t.chart)
                .unwrap()
                .1,
        )
        .unwrap();
        let b = reference_body(&chart, 3);
        let mut g = garment_measurements(&t, &b);
        let stated = g[&GarmentDim::Sleeve];
        // A mesh built with a 6 cm longer sleeve than the catalog states.
        g.insert(GarmentDim::Sleeve, stated + 6.0);
        let mesh = garment_mesh(&t, &b, &g);
        for m in sleeve_lengths_cm(&mesh.positions, &mesh.indices) {
            assert!((m.unwrap() - stated - 6.0).abs() < 0.3);
        }
        // Welding: the same mesh with every triangle's vertices duplicated (no shared
        // vertices at all) measures the same.
        let pos: Vec<[f32; 3]> = mesh
            .indices
            .iter()
            .map(|&i| mesh.positions[i as usize])
            .collect();
        let idx: Vec<u32> = (0..pos.len() as u32).collect();
        assert_eq!(
            sleeve_lengths_cm(&pos, &idx),
            sleeve_lengths_cm(&mesh.positions, &mesh.indices)
        );
        // No sleeves: a lone triangle, an empty mesh, a NaN.
        assert_eq!(sleeve_lengths_cm(&[], &[]), [None, None]);
        let tri = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]];
        assert_eq!(sleeve_lengths_cm(&tri, &[0, 1, 2]), [None, None]);
        let mut bad = mesh.positions.clone();
        bad[0][0] = f32::NAN;
        assert_eq!(sleeve_lengths_cm(&bad, &mesh.indices), [None, None]);
    }

    #[test]
    fn catalog_check_holds_stated_sleeves_to_the_meshes() {
        use crate::catalog::{CheckOptions, check_catalog};
        let files = crate::generate::sample_catalog().unwrap();
        let get = |rel: &str| -> Result<Vec<u8>, String> {
            files
                .iter()
                .find(|(p, _)| p == rel)
                .map(|(_, b)| b.clone())
                .ok_or_else(|| format!("{rel}: no such file"))
        };
        let text = String::from_utf8(get("catalog.json").unwrap()).unwrap();
        let opts = CheckOptions { meshes: true };
        let clean = check_catalog(&text, &get, opts);
        assert!(clean.problems.is_empty(), "{:?}", clean.problems);
        // State shirt-men M's sleeve 4 cm longer than its mesh.
        let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let shirt = doc["products"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|p| p["id"] == "shirt-men")
            .unwrap();
        let m = shirt["sizes"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|s| s["label"] == "M")
            .unwrap();
        let stated = m["garment_cm"]["sleeve"].as_f64().unwrap();
        m["garment_cm"]["sleeve"] = serde_json::json!(stated + 4.0);
        let rep = check_catalog(&doc.to_string(), &get, opts);
        assert_eq!(rep.problems.len(), 1, "{:?}", rep.problems);
        let p = &rep.problems[0];
        assert_eq!(p.product.as_deref(), Some("shirt-men"));
        assert_eq!(p.size.as_deref(), Some("M"));
        assert!(p.field.ends_with("garment_cm.sleeve"), "{p}");
        assert!(
            p.message
                .contains(&format!("{stated:.1} cm from the shoulder")),
            "{p}"
        );
    }
}
