//! The compact binary body-model format (`assets/body/model.bin`).
//!
//! Little-endian throughout. Every count and index is checked on load, so arbitrary bytes
//! give an error, never a panic (see the `body_model` fuzz target).
//!
//! ```text
//! magic  b"DPLBODY\0"   version u32 = 1
//! n_surface u32  n_joints u32  n_triangles u32
//! triangles  n_triangles × 3 × u16        (indices < n_surface)
//! parts      n_surface × u8               (see [`Part`])
//! joints     n_joints × name              (joint j is vertex n_surface + j)
//! n_landmarks u16, each: name, count u16, count × u16 (indices < n_surface)
//! spaces: 2 × (female, male): mean qvec(3·n_total), n_comp u16,
//!         n_comp × (sigma f32, qvec(3·n_total))
//! n_local u16, each: name, sigma f32, nnz u32, nnz × u16 index, qvec(3·nnz)
//! name = len u8 + ASCII bytes; qvec(n) = scale f32 + n × i16 deltas: q[k] = q[k−3] + d[k]
//! (wrapping; q = 0 before the start), value = q · scale
//! ```

use super::{LocalTarget, Model, Part, ShapeSpace};
use crate::BodyError;

const MAGIC: &[u8; 8] = b"DPLBODY\0";
const VERSION: u32 = 1;
/// Upper bounds that keep a hostile file from making us allocate gigabytes.
const MAX_VERTICES: usize = 65_535;
const MAX_COMPONENTS: usize = 256;

fn err(msg: impl Into<String>) -> BodyError {
    BodyError::Model(msg.into())
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], BodyError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| {
                err(format!(
                    "truncated while reading {what} at byte {}",
                    self.pos
                ))
            })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self, what: &str) -> Result<u8, BodyError> {
        Ok(self.take(1, what)?[0])
    }
    fn u16(&mut self, what: &str) -> Result<u16, BodyError> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self, what: &str) -> Result<u32, BodyError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn f32(&mut self, what: &str) -> Result<f32, BodyError> {
        let b = self.take(4, what)?;
        let v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        if !v.is_finite() {
            return Err(err(format!("{what} is not finite")));
        }
        Ok(v)
    }
    fn name(&mut self, what: &str) -> Result<String, BodyError> {
        let n = self.u8(what)? as usize;
        let b = self.take(n, what)?;
        if n == 0 || !b.iter().all(|c| c.is_ascii_graphic()) {
            return Err(err(format!(
                "{what}: name must be 1–255 printable ASCII bytes"
            )));
        }
        Ok(String::from_utf8_lossy(b).into_owned())
    }
    fn qvec(&mut self, n: usize, what: &str) -> Result<Vec<f32>, BodyError> {
        let scale = self.f32(what)?;
        if !(0.0..=1.0).contains(&scale) {
            return Err(err(format!(
                "{what}: quantisation scale {scale} outside 0–1"
            )));
        }
        let len = n.checked_mul(2).ok_or_else(|| err("size overflow"))?;
        let b = self.take(len, what)?;
        // Stored as wrapping differences to the same coordinate of the previous vertex:
        // neighbouring vertices move alike, so the deltas are small and gzip well.
        let mut prev = [0i16; 3];
        Ok(b.chunks_exact(2)
            .enumerate()
            .map(|(k, c)| {
                let q = prev[k % 3].wrapping_add(i16::from_le_bytes([c[0], c[1]]));
                prev[k % 3] = q;
                f32::from(q) * scale
            })
            .collect())
    }
}

/// Parses and validates a model file.
pub fn decode(bytes: &[u8]) -> Result<Model, BodyError> {
    let mut r = Reader { bytes, pos: 0 };
    if r.take(8, "magic")? != MAGIC {
        return Err(err("not a doppel body model (bad magic)"));
    }
    let version = r.u32("version")?;
    if version != VERSION {
        return Err(err(format!(
            "unsupported model version {version} (expected {VERSION})"
        )));
    }
    let n_surface = r.u32("vertex count")? as usize;
    let n_joints = r.u32("joint count")? as usize;
    let n_tris = r.u32("triangle count")? as usize;
    if !(4..=MAX_VERTICES).contains(&n_surface) || n_joints > 256 {
        return Err(err(format!(
            "vertex count {n_surface} or joint count {n_joints} out of range"
        )));
    }
    let n_total = n_surface + n_joints;
    if n_total > MAX_VERTICES || n_tris == 0 || n_tris > 4 * MAX_VERTICES {
        return Err(err(format!("triangle count {n_tris} out of range")));
    }
    let tri_bytes = r.take(n_tris * 6, "triangles")?;
    let mut triangles = Vec::with_capacity(n_tris);
    for t in tri_bytes.chunks_exact(6) {
        let a = u32::from(u16::from_le_bytes([t[0], t[1]]));
        let b = u32::from(u16::from_le_bytes([t[2], t[3]]));
        let c = u32::from(u16::from_le_bytes([t[4], t[5]]));
        if a as usize >= n_surface || b as usize >= n_surface || c as usize >= n_surface {
            return Err(err("triangle index out of range"));
        }
        if a == b || b == c || a == c {
            return Err(err("degenerate triangle (repeated index)"));
        }
        triangles.push([a, b, c]);
    }
    let parts = r
        .take(n_surface, "parts")?
        .iter()
        .map(|&p| Part::from_u8(p).ok_or_else(|| err(format!("unknown body part code {p}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let mut joints = Vec::with_capacity(n_joints);
    for _ in 0..n_joints {
        joints.push(r.name("joint name")?);
    }
    let n_land = r.u16("landmark count")? as usize;
    let mut landmarks = Vec::with_capacity(n_land);
    for _ in 0..n_land {
        let name = r.name("landmark name")?;
        let n = r.u16("landmark size")? as usize;
        if n == 0 {
            return Err(err(format!("landmark {name} is empty")));
        }
        let mut idx = Vec::with_capacity(n);
        for _ in 0..n {
            let i = r.u16("landmark index")? as usize;
            if i >= n_surface {
                return Err(err(format!("landmark {name} index {i} out of range")));
            }
            idx.push(i as u32);
        }
        landmarks.push((name, idx));
    }
    let mut spaces = Vec::with_capacity(2);
    for sex in ["female", "male"] {
        let mean = r.qvec(3 * n_total, "mean shape")?;
        let n_comp = r.u16("component count")? as usize;
        if n_comp > MAX_COMPONENTS {
            return Err(err(format!("{sex}: {n_comp} components is too many")));
        }
        let mut components = Vec::with_capacity(n_comp);
        let mut sigmas = Vec::with_capacity(n_comp);
        for _ in 0..n_comp {
            let sigma = r.f32("component sigma")?;
            if sigma <= 0.0 {
                return Err(err(format!("{sex}: component sigma must be > 0")));
            }
            sigmas.push(sigma);
            components.push(r.qvec(3 * n_total, "shape component")?);
        }
        spaces.push(ShapeSpace {
            mean,
            components,
            sigmas,
        });
    }
    let n_local = r.u16("local target count")? as usize;
    let mut locals = Vec::with_capacity(n_local);
    for _ in 0..n_local {
        let name = r.name("local target name")?;
        let sigma = r.f32("local target sigma")?;
        if sigma <= 0.0 {
            return Err(err(format!("local target {name}: sigma must be > 0")));
        }
        let nnz = r.u32("local target size")? as usize;
        if nnz > n_total {
            return Err(err(format!(
                "local target {name}: {nnz} entries > vertex count"
            )));
        }
        let mut indices = Vec::with_capacity(nnz);
        for _ in 0..nnz {
            let i = r.u16("local target index")? as usize;
            if i >= n_total {
                return Err(err(format!("local target {name}: index {i} out of range")));
            }
            indices.push(i as u32);
        }
        let deltas = r.qvec(3 * nnz, "local target deltas")?;
        locals.push(LocalTarget {
            name,
            sigma,
            indices,
            deltas,
        });
    }
    if r.pos != bytes.len() {
        return Err(err(format!("{} trailing bytes", bytes.len() - r.pos)));
    }
    let [female, male]: [ShapeSpace; 2] = spaces
        .try_into()
        .map_err(|_| err("expected two shape spaces"))?;
    Model::assemble(
        n_surface,
        triangles,
        parts,
        joints,
        landmarks,
        [female, male],
        locals,
    )
}

fn put_name(out: &mut Vec<u8>, name: &str) {
    let b = name.as_bytes();
    let n = b.len().min(255);
    out.push(n as u8);
    out.extend_from_slice(&b[..n]);
}

fn put_qvec(out: &mut Vec<u8>, v: &[f32]) {
    let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    // 13-bit precision (±4095 steps of the largest magnitude): finer than the mesh needs
    // (0.25 mm on a 1 m range) and it leaves the high bits for gzip to squeeze.
    let scale = if max > 0.0 { max / 4095.0 } else { 0.0 };
    out.extend_from_slice(&scale.to_le_bytes());
    let mut prev = [0i16; 3];
    for (k, &x) in v.iter().enumerate() {
        let q = if scale > 0.0 {
            (x / scale).round().clamp(-32767.0, 32767.0) as i16
        } else {
            0
        };
        out.extend_from_slice(&q.wrapping_sub(prev[k % 3]).to_le_bytes());
        prev[k % 3] = q;
    }
}

/// Serialises a model (quantising every vector to i16 with its own scale).
///
/// Deterministic: the same model gives the same bytes.
pub fn encode(m: &Model) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(m.n_surface as u32).to_le_bytes());
    out.extend_from_slice(&(m.joints.len() as u32).to_le_bytes());
    out.extend_from_slice(&(m.triangles.len() as u32).to_le_bytes());
    for t in &m.triangles {
        for &i in t {
            out.extend_from_slice(&(i as u16).to_le_bytes());
        }
    }
    out.extend(m.parts.iter().map(|p| *p as u8));
    for j in &m.joints {
        put_name(&mut out, j);
    }
    out.extend_from_slice(&(m.landmarks.len() as u16).to_le_bytes());
    for (name, idx) in &m.landmarks {
        put_name(&mut out, name);
        out.extend_from_slice(&(idx.len() as u16).to_le_bytes());
        for &i in idx {
            out.extend_from_slice(&(i as u16).to_le_bytes());
        }
    }
    for s in &m.spaces {
        put_qvec(&mut out, &s.mean);
        out.extend_from_slice(&(s.components.len() as u16).to_le_bytes());
        for (c, sigma) in s.components.iter().zip(&s.sigmas) {
            out.extend_from_slice(&sigma.to_le_bytes());
            put_qvec(&mut out, c);
        }
    }
    out.extend_from_slice(&(m.locals.len() as u16).to_le_bytes());
    for l in &m.locals {
        put_name(&mut out, &l.name);
        out.extend_from_slice(&l.sigma.to_le_bytes());
        out.extend_from_slice(&(l.indices.len() as u32).to_le_bytes());
        for &i in &l.indices {
            out.extend_from_slice(&(i as u16).to_le_bytes());
        }
        put_qvec(&mut out, &l.deltas);
    }
    out
}
