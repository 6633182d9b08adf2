//! Triangle meshes as the renderer takes them, plus a placeholder figure.

use crate::RenderError;
use glam::{Quat, Vec3};

/// Axis-aligned bounding box in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Smallest corner.
    pub min: Vec3,
    /// Largest corner.
    pub max: Vec3,
}

impl Bounds {
    /// Centre of the box.
    pub fn center(&self) -> Vec3 {
        (self.min + self.max) * 0.5
    }
    /// Extent along each axis.
    pub fn size(&self) -> Vec3 {
        self.max - self.min
    }
    /// The eight corners.
    pub fn corners(&self) -> [Vec3; 8] {
        let (a, b) = (self.min, self.max);
        [
            Vec3::new(a.x, a.y, a.z),
            Vec3::new(b.x, a.y, a.z),
            Vec3::new(a.x, b.y, a.z),
            Vec3::new(b.x, b.y, a.z),
            Vec3::new(a.x, a.y, b.z),
            Vec3::new(b.x, a.y, b.z),
            Vec3::new(a.x, b.y, b.z),
            Vec3::new(b.x, b.y, b.z),
        ]
    }
    /// Smallest box containing both.
    pub fn union(&self, o: &Bounds) -> Bounds {
        Bounds {
            min: self.min.min(o.min),
            max: self.max.max(o.max),
        }
    }
}

/// An indexed triangle mesh in metres (+Y up). Normals may be empty: they are computed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeshData {
    /// Vertex positions.
    pub positions: Vec<[f32; 3]>,
    /// Per-vertex unit normals (same length as `positions`, or empty).
    pub normals: Vec<[f32; 3]>,
    /// Triangle list indices.
    pub indices: Vec<u32>,
    /// Optional per-vertex linear RGB tint multiplied with the material colour (fit map);
    /// empty means white.
    pub colors: Vec<[f32; 3]>,
}

/// How far cloth is drawn off the draped surface (metres): see
/// [`MeshData::offset_along_normals`]. 3 mm hides the skin's sharp points between cloth
/// vertices (measured on the sample women's T-shirt) and is below what the eye reads as a gap.
pub const CLOTH_OFFSET_M: f32 = 0.003;

impl MeshData {
    /// Checks what the GPU would otherwise choke on; fills in missing normals.
    pub fn validated(mut self, name: &str) -> Result<Self, RenderError> {
        let bad = |reason: String| RenderError::BadMesh {
            name: name.to_string(),
            reason,
        };
        if self.positions.is_empty() || self.indices.is_empty() {
            return Err(bad("no vertices or no triangles".into()));
        }
        if !self.indices.len().is_multiple_of(3) {
            return Err(bad(format!(
                "index count {} is not a multiple of 3",
                self.indices.len()
            )));
        }
        let n = self.positions.len();
        if let Some(i) = self.indices.iter().find(|&&i| i as usize >= n) {
            return Err(bad(format!("index {i} out of range (vertex count {n})")));
        }
        if let Some(p) = self
            .positions
            .iter()
            .position(|p| p.iter().any(|c| !c.is_finite()))
        {
            return Err(bad(format!("vertex {p} has a non-finite position")));
        }
        if self.normals.len() != n
            || self
                .normals
                .iter()
                .any(|v| v.iter().any(|c| !c.is_finite()))
        {
            self.normals = compute_normals(&self.positions, &self.indices);
        }
        Ok(self)
    }

    /// Bounding box (zero box at the origin for an empty mesh).
    pub fn bounds(&self) -> Bounds {
        let mut min = Vec3::splat(f32::INFINITY);
        let mut max = Vec3::splat(f32::NEG_INFINITY);
        for p in &self.positions {
            let v = Vec3::from(*p);
            min = min.min(v);
            max = max.max(v);
        }
        if self.positions.is_empty() {
            min = Vec3::ZERO;
            max = Vec3::ZERO;
        }
        Bounds { min, max }
    }

    /// Moves every vertex `d` metres along its (recomputed, area-weighted) normal and keeps
    /// those normals (an offset surface has the same ones). Cloth is drawn this far off the skin so the body's
    /// small sharp features between cloth vertices do not show through: a drape keeps cloth
    /// vertices off the skin, but a flat cloth triangle can still cut a protruding point.
    pub fn offset_along_normals(&mut self, d: f32) {
        let normals = compute_normals(&self.positions, &self.indices);
        for (p, n) in self.positions.iter_mut().zip(&normals) {
            for k in 0..3 {
                p[k] += n[k] * d;
            }
        }
        self.normals = normals;
    }

    /// Appends another mesh (indices re-based).
    pub fn append(&mut self, other: &MeshData) {
        let base = self.positions.len() as u32;
        // Keep colours aligned with positions when either side has them.
        if !self.colors.is_empty() || !other.colors.is_empty() {
            self.colors.resize(self.positions.len(), [1.0; 3]);
            if other.colors.is_empty() {
                self.colors
                    .extend(std::iter::repeat_n([1.0; 3], other.positions.len()));
            } else {
                self.colors.extend_from_slice(&other.colors);
            }
        }
        self.positions.extend_from_slice(&other.positions);
        self.normals.extend_from_slice(&other.normals);
        self.indices.extend(other.indices.iter().map(|i| i + base));
    }
}

/// Area-weighted vertex normals; degenerate vertices get +Y.
pub fn compute_normals(positions: &[[f32; 3]], indices: &[u32]) -> Vec<[f32; 3]> {
    let mut acc = vec![Vec3::ZERO; positions.len()];
    for t in indices.chunks_exact(3) {
        let [a, b, c] = [t[0] as usize, t[1] as usize, t[2] as usize];
        if a >= positions.len() || b >= positions.len() || c >= positions.len() {
            continue;
        }
        let (pa, pb, pc) = (
            Vec3::from(positions[a]),
            Vec3::from(positions[b]),
            Vec3::from(positions[c]),
        );
        let n = (pb - pa).cross(pc - pa);
        acc[a] += n;
        acc[b] += n;
        acc[c] += n;
    }
    acc.into_iter()
        .map(|n| n.try_normalize().unwrap_or(Vec3::Y).to_array())
        .collect()
}

/// A tapered capsule from `a` (radius `ra`) to `b` (radius `rb`), scaled by `squash` across
/// its axis in the local X direction (to flatten the torso front-to-back).
fn capsule(a: Vec3, b: Vec3, ra: f32, rb: f32, squash: Vec3, rings: u32, segs: u32) -> MeshData {
    let axis = b - a;
    let len = axis.length().max(1e-6);
    let rot = Quat::from_rotation_arc(Vec3::Y, axis / len);
    let mut m = MeshData::default();
    // Rings along the axis plus hemispherical caps (parameter t in -0.5..1.5 mapped onto caps).
    let cap = rings / 2;
    let total = rings + 2 * cap;
    for i in 0..=total {
        let (y, r) = if i < cap {
            let th = std::f32::consts::FRAC_PI_2 * (1.0 - i as f32 / cap as f32);
            (-ra * th.sin(), ra * th.cos())
        } else if i <= cap + rings {
            let t = (i - cap) as f32 / rings as f32;
            (t * len, ra + (rb - ra) * t)
        } else {
            let th = std::f32::consts::FRAC_PI_2 * ((i - cap - rings) as f32 / cap as f32);
            (len + rb * th.sin(), rb * th.cos())
        };
        for j in 0..segs {
            let phi = j as f32 / segs as f32 * std::f32::consts::TAU;
            let local = Vec3::new(r * phi.cos() * squash.x, y, r * phi.sin() * squash.z);
            m.positions.push((a + rot * local).to_array());
        }
    }
    for i in 0..total {
        for j in 0..segs {
            let j1 = (j + 1) % segs;
            let (p, q) = (i * segs, (i + 1) * segs);
            m.indices
                .extend_from_slice(&[p + j, q + j, p + j1, p + j1, q + j, q + j1]);
        }
    }
    m.normals = compute_normals(&m.positions, &m.indices);
    m
}

/// A simple standing figure (about 1.75 m, A-pose, facing +Z) built from capsules. It stands
/// in for the avatar where no body model is loaded (walking skeleton, renderer tests).
pub fn placeholder_figure() -> MeshData {
    let v = Vec3::new;
    let flat = v(1.0, 1.0, 0.62);
    let round = Vec3::ONE;
    let parts = [
        capsule(
            v(0.0, 1.56, 0.0),
            v(0.0, 1.66, 0.0),
            0.085,
            0.08,
            round,
            8,
            20,
        ),
        capsule(
            v(0.0, 1.42, 0.0),
            v(0.0, 1.52, 0.0),
            0.05,
            0.05,
            round,
            4,
            16,
        ),
        capsule(
            v(0.0, 1.02, 0.0),
            v(0.0, 1.36, 0.0),
            0.15,
            0.17,
            flat,
            10,
            28,
        ),
        capsule(
            v(0.0, 0.86, 0.0),
            v(0.0, 1.0, 0.0),
            0.16,
            0.145,
            flat,
            6,
            28,
        ),
        // Arms in an A-pose, clear of the torso.
        capsule(
            v(-0.2, 1.38, 0.0),
            v(-0.33, 1.1, 0.0),
            0.05,
            0.04,
            round,
            6,
            16,
        ),
        capsule(
            v(-0.33, 1.1, 0.0),
            v(-0.43, 0.85, 0.02),
            0.04,
            0.032,
            round,
            6,
            16,
        ),
        capsule(
            v(0.2, 1.38, 0.0),
            v(0.33, 1.1, 0.0),
            0.05,
            0.04,
            round,
            6,
            16,
        ),
        capsule(
            v(0.33, 1.1, 0.0),
            v(0.43, 0.85, 0.02),
            0.04,
            0.032,
            round,
            6,
            16,
        ),
        // Legs.
        capsule(
            v(-0.09, 0.48, 0.0),
            v(-0.09, 0.86, 0.0),
            0.055,
            0.085,
            round,
            8,
            20,
        ),
        capsule(
            v(-0.095, 0.06, 0.0),
            v(-0.09, 0.48, 0.0),
            0.04,
            0.055,
            round,
            8,
            20,
        ),
        capsule(
            v(0.09, 0.48, 0.0),
            v(0.09, 0.86, 0.0),
            0.055,
            0.085,
            round,
            8,
            20,
        ),
        capsule(
            v(0.095, 0.06, 0.0),
            v(0.09, 0.48, 0.0),
            0.04,
            0.055,
            round,
            8,
            20,
        ),
        // Feet pointing forward (+Z).
        capsule(
            v(-0.1, 0.035, -0.03),
            v(-0.11, 0.035, 0.13),
            0.035,
            0.035,
            round,
            4,
            12,
        ),
        capsule(
            v(0.1, 0.035, -0.03),
            v(0.11, 0.035, 0.13),
            0.035,
            0.035,
            round,
            4,
            12,
        ),
    ];
    let mut m = MeshData::default();
    for p in &parts {
        m.append(p);
    }
    m
}

#[cfg(test)]
mod tests {
    #[test]
    fn offset_along_normals_moves_outwards() {
        // A closed tetrahedron (outward winding): every vertex moves away from the centre.
        let mut m = MeshData {
            positions: vec![
                [0.0, 0.0, 0.0],
                [1.0, 0.0, 0.0],
                [0.0, 1.0, 0.0],
                [0.0, 0.0, 1.0],
            ],
            normals: vec![],
            indices: vec![0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3],
            colors: vec![],
        };
        let c = Vec3::splat(0.25);
        let before: Vec<f32> = m
            .positions
            .iter()
            .map(|p| (Vec3::from(*p) - c).length())
            .collect();
        m.offset_along_normals(0.01);
        for (p, b) in m.positions.iter().zip(before) {
            let a = (Vec3::from(*p) - c).length();
            assert!(a > b + 0.005 && a < b + 0.011, "{b} -> {a}");
        }
        assert_eq!(m.normals.len(), m.positions.len());
    }

    use super::*;

    #[test]
    fn placeholder_stands_on_floor_facing_z() {
        let m = placeholder_figure().validated("figure").unwrap();
        let b = m.bounds();
        assert!(b.min.y >= -0.001 && b.min.y < 0.01, "{b:?}");
        assert!((1.65..1.85).contains(&b.max.y), "{b:?}");
        assert!(b.max.z > -b.min.z, "feet point to +Z: {b:?}");
        assert_eq!(m.normals.len(), m.positions.len());
    }

    #[test]
    fn validation_rejects_bad_meshes() {
        let empty = MeshData::default();
        assert!(empty.validated("e").is_err());
        let bad_index = MeshData {
            positions: vec![[0.0; 3]; 3],
            indices: vec![0, 1, 5],
            ..Default::default()
        };
        let e = bad_index.validated("g").unwrap_err().to_string();
        assert!(e.contains("index 5") && e.contains("\"g\""), "{e}");
        let nan = MeshData {
            positions: vec![[0.0; 3], [f32::NAN, 0.0, 0.0], [0.0; 3]],
            indices: vec![0, 1, 2],
            ..Default::default()
        };
        assert!(nan.validated("n").is_err());
    }

    #[test]
    fn normals_point_outward_on_a_capsule() {
        let c = capsule(Vec3::ZERO, Vec3::Y, 0.2, 0.2, Vec3::ONE, 6, 12);
        let mid = Vec3::new(0.0, 0.5, 0.0);
        let outward = c
            .positions
            .iter()
            .zip(&c.normals)
            .filter(|(p, n)| (Vec3::from(**p) - mid).dot(Vec3::from(**n)) > 0.0)
            .count();
        assert!(outward as f32 > 0.95 * c.positions.len() as f32);
    }
}
