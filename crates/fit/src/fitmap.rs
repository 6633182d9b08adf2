//! Per-vertex ease between a garment and the body, for the fit map.
//!
//! For every garment vertex: the signed distance in cm to the nearest body vertex, measured
//! along that body vertex's outward normal. Positive values are ease (room between cloth and
//! skin); negative values mean the body presses through the cloth — where a cloth solver
//! would stretch it, so the fit map shows them as tight. After draping
//! ([`crate::drape`]) the cloth no longer passes through the body, so stretch shows as
//! strain instead: [`fit_map_cm`] folds both into the one value the fit map colours.

use std::collections::HashMap;

/// Grid cell edge in metres: a few body-vertex spacings, so neighbours are in 27 cells.
const CELL_M: f32 = 0.03;
/// Search radius around a garment vertex (m).
const MAX_SEARCH_M: f32 = 0.30;
/// Ease reported for vertices with no body vertex within 30 cm (cm).
pub const FAR_EASE_CM: f32 = 30.0;

/// A spatial hash over body vertices for nearest-vertex queries.
pub struct BodyIndex<'a> {
    positions: &'a [[f32; 3]],
    normals: &'a [[f32; 3]],
    cells: HashMap<(i32, i32, i32), Vec<u32>>,
}

fn cell_of(p: [f32; 3]) -> (i32, i32, i32) {
    (
        (p[0] / CELL_M).floor() as i32,
        (p[1] / CELL_M).floor() as i32,
        (p[2] / CELL_M).floor() as i32,
    )
}

fn sub(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn dot(a: [f32; 3], b: [f32; 3]) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

impl<'a> BodyIndex<'a> {
    /// Indexes the body's vertices (`normals` must match `positions` in length; missing
    /// normals count as pointing up).
    pub fn new(positions: &'a [[f32; 3]], normals: &'a [[f32; 3]]) -> Self {
        let mut cells: HashMap<(i32, i32, i32), Vec<u32>> = HashMap::new();
        for (i, p) in positions.iter().enumerate() {
            if p.iter().all(|c| c.is_finite()) {
                cells.entry(cell_of(*p)).or_default().push(i as u32);
            }
        }
        BodyIndex {
            positions,
            normals,
            cells,
        }
    }

    /// Nearest body vertex to `p` within 30 cm, searching outward ring by ring.
    pub fn nearest(&self, p: [f32; 3]) -> Option<u32> {
        if !p.iter().all(|c| c.is_finite()) {
            return None;
        }
        let (cx, cy, cz) = cell_of(p);
        let max_ring = (MAX_SEARCH_M / CELL_M).ceil() as i32;
        let mut best: Option<(f32, u32)> = None;
        for ring in 0..=max_ring {
            for dx in -ring..=ring {
                for dy in -ring..=ring {
                    for dz in -ring..=ring {
                        if dx.abs().max(dy.abs()).max(dz.abs()) != ring {
                            continue;
                        }
                        let Some(list) = self.cells.get(&(cx + dx, cy + dy, cz + dz)) else {
                            continue;
                        };
                        for &i in list {
                            let d = sub(p, self.positions[i as usize]);
                            let d2 = dot(d, d);
                            if best.is_none_or(|(b, _)| d2 < b) {
                                best = Some((d2, i));
                            }
                        }
                    }
                }
            }
            // Everything in later rings is at least `ring * CELL_M` away.
            if let Some((d2, i)) = best
                && d2.sqrt() <= ring as f32 * CELL_M
            {
                return Some(i);
            }
        }
        best.map(|(_, i)| i)
    }

    /// Signed ease in cm of a garment vertex (see the module docs).
    pub fn ease_cm(&self, p: [f32; 3]) -> f32 {
        match self.nearest(p) {
            Some(i) => {
                let n = self
                    .normals
                    .get(i as usize)
                    .copied()
                    .unwrap_or([0.0, 1.0, 0.0]);
                dot(sub(p, self.positions[i as usize]), n) * 100.0
            }
            None => FAR_EASE_CM,
        }
    }
}

/// Signed ease in cm for every garment vertex.
pub fn vertex_ease_cm(
    body_positions: &[[f32; 3]],
    body_normals: &[[f32; 3]],
    garment_positions: &[[f32; 3]],
) -> Vec<f32> {
    let index = BodyIndex::new(body_positions, body_normals);
    garment_positions
        .iter()
        .map(|p| index.ease_cm(*p))
        .collect()
}

/// Resolves body collisions: every garment vertex closer than `offset_cm` to the body (or
/// inside it) is moved along the nearest body normal to `offset_cm` outside. Then the
/// displacement is smoothed over the mesh's edges (`smooth_iters` Jacobi passes), so
/// neighbours of pushed vertices follow and the cloth does not crease. Returns the ease per
/// vertex after resolution.
///
/// This is the collision step of fitting only: it neither relaxes stretch nor drapes under
/// gravity (that is the cloth solver's job).
pub fn resolve_collisions(
    body_positions: &[[f32; 3]],
    body_normals: &[[f32; 3]],
    garment_positions: &mut [[f32; 3]],
    garment_indices: &[u32],
    offset_cm: f32,
    smooth_iters: usize,
) -> Vec<f32> {
    let index = BodyIndex::new(body_positions, body_normals);
    let offset = offset_cm / 100.0;
    let n = garment_positions.len();
    let mut disp = vec![[0.0f32; 3]; n];
    let mut pinned = vec![false; n];
    for (i, p) in garment_positions.iter().enumerate() {
        if let Some(b) = index.nearest(*p) {
            let nb = body_normals
                .get(b as usize)
                .copied()
                .unwrap_or([0.0, 1.0, 0.0]);
            let depth = dot(sub(*p, body_positions[b as usize]), nb);
            if depth < offset {
                let k = offset - depth;
                disp[i] = [nb[0] * k, nb[1] * k, nb[2] * k];
                pinned[i] = true;
            }
        }
    }
    // Vertex adjacency from triangle edges (indices out of range are ignored).
    let mut neighbours: Vec<Vec<u32>> = vec![Vec::new(); n];
    for t in garment_indices.chunks_exact(3) {
        for (a, b) in [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])] {
            if (a as usize) < n && (b as usize) < n {
                neighbours[a as usize].push(b);
                neighbours[b as usize].push(a);
            }
        }
    }
    for _ in 0..smooth_iters {
        let prev = disp.clone();
        for i in 0..n {
            if pinned[i] || neighbours[i].is_empty() {
                continue;
            }
            let mut acc = [0.0f32; 3];
            for &j in &neighbours[i] {
                let d = prev[j as usize];
                acc = [acc[0] + d[0], acc[1] + d[1], acc[2] + d[2]];
            }
            let k = 1.0 / neighbours[i].len() as f32;
            // Unpinned vertices may only move outward with their neighbours, never inward.
            disp[i] = [acc[0] * k * 0.9, acc[1] * k * 0.9, acc[2] * k * 0.9];
        }
    }
    for (p, d) in garment_positions.iter_mut().zip(&disp) {
        *p = [p[0] + d[0], p[1] + d[1], p[2] + d[2]];
    }
    garment_positions
        .iter()
        .map(|p| index.ease_cm(*p))
        .collect()
}

/// Strain up to this much (1 %) counts as lying flat, not as tight.
pub const STRAIN_SLACK: f32 = 0.01;

/// The fit-map value of a draped vertex, cm: its ease, or — where the cloth is stretched
/// by more than [`STRAIN_SLACK`] — a negative "missing girth" of 1 cm per 1 % of further
/// strain (on a 100 cm girth), whichever is tighter. Feed it to the renderer's ease ramp.
pub fn fit_map_cm(ease_cm: f32, strain: f32) -> f32 {
    let tight = -100.0 * (strain - STRAIN_SLACK).max(0.0);
    if tight < 0.0 {
        ease_cm.min(tight)
    } else {
        ease_cm
    }
}

/// Share of garment vertices more than `depth_cm` inside the body (the fitting budget:
/// ≤ 1 % deeper than 0.3 cm after fitting).
pub fn share_inside(ease_cm: &[f32], depth_cm: f32) -> f64 {
    if ease_cm.is_empty() {
        return 0.0;
    }
    ease_cm.iter().filter(|e| **e < -depth_cm).count() as f64 / ease_cm.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A unit-ish sphere of radius `r` (m) sampled on a lat-long grid, normals outward.
    fn sphere(r: f32) -> (Vec<[f32; 3]>, Vec<[f32; 3]>) {
        let mut p = Vec::new();
        let mut n = Vec::new();
        for i in 0..=40 {
            let th = std::f32::consts::PI * i as f32 / 40.0;
            for j in 0..80 {
                let ph = std::f32::consts::TAU * j as f32 / 80.0;
                let d = [th.sin() * ph.cos(), th.cos(), th.sin() * ph.sin()];
                p.push([d[0] * r, d[1] * r + 1.0, d[2] * r]);
                n.push(d);
            }
        }
        (p, n)
    }

    #[test]
    fn ease_is_signed_distance_to_the_surface() {
        let (bp, bn) = sphere(0.15);
        let garment = [[0.17, 1.0, 0.0], [0.0, 1.0, -0.14], [0.0, 1.2, 0.0]];
        let e = vertex_ease_cm(&bp, &bn, &garment);
        assert!((e[0] - 2.0).abs() < 0.2, "{e:?}");
        assert!((e[1] + 1.0).abs() < 0.2, "{e:?}");
        assert!((e[2] - 5.0).abs() < 0.3, "{e:?}");
        assert!((share_inside(&e, 0.3) - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn collisions_are_pushed_out_to_the_offset() {
        let (bp, bn) = sphere(0.15);
        // A small strip of cloth crossing the sphere: two vertices inside, one outside.
        let mut g = vec![[0.13, 1.0, 0.0], [0.14, 1.0, 0.01], [0.20, 1.0, 0.02]];
        let before = vertex_ease_cm(&bp, &bn, &g);
        assert!(share_inside(&before, 0.3) > 0.6);
        let after = resolve_collisions(&bp, &bn, &mut g, &[0, 1, 2], 0.5, 4);
        assert_eq!(share_inside(&after, 0.3), 0.0, "{after:?}");
        assert!(after[0] > 0.3 && after[1] > 0.3, "{after:?}");
        // The vertex that was already outside did not move inward.
        assert!(after[2] >= before[2] - 1e-3, "{before:?} -> {after:?}");
    }

    #[test]
    fn stretched_cloth_maps_as_tight() {
        // Loose, unstretched: the ease itself.
        assert_eq!(fit_map_cm(4.0, 0.0), 4.0);
        assert_eq!(fit_map_cm(4.0, 0.005), 4.0);
        // Touching the skin but stretched 5 %: 4 cm too little girth.
        assert!((fit_map_cm(0.6, 0.05) + 4.0).abs() < 1e-4);
        // Inside the body and barely stretched: the (more negative) ease wins.
        assert_eq!(fit_map_cm(-6.0, 0.02), -6.0);
    }

    #[test]
    fn far_and_bad_vertices_do_not_panic() {
        let (bp, bn) = sphere(0.15);
        let e = vertex_ease_cm(&bp, &bn, &[[5.0, 5.0, 5.0], [f32::NAN, 0.0, 0.0]]);
        assert_eq!(e, vec![FAR_EASE_CM, FAR_EASE_CM]);
        assert!(vertex_ease_cm(&[], &[], &[[0.0; 3]])[0] > 0.0);
        assert_eq!(share_inside(&[], 0.3), 0.0);
    }
}
