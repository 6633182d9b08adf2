//! Cloth draping: an XPBD cloth solver that relaxes a garment on the avatar.
//!
//! The garment arrives as authored (modelled on a reference body). [`carry`] moves it onto
//! the avatar (a rigid vertical shift that keeps the top's height relative to the stature,
//! centred on the torso; trouser legs are moved onto the avatar's legs; with the avatar's
//! joints, [`carry_on`] also turns sleeves onto its arms: [`turn_sleeves`]), then [`drape`]
//! (or [`drape_on`] with a [`BodyCollider`] built once per avatar)
//!
//! 1. pushes vertices that start inside the body out along the body normal, smoothing the
//!    displacement over the mesh (as [`crate::fitmap::resolve_collisions`] does), and
//! 2. runs small-step XPBD (Macklin et al. 2019: many substeps, one constraint sweep
//!    each) with
//!    * stretch: one distance constraint per mesh edge, rest length from the *authored*
//!      garment, compliance from the fabric's stretch (across vs along, by edge direction),
//!    * bending: "skip-one" distance constraints across every interior edge (cheap, soft),
//!    * gravity with the fabric's areal weight as mass,
//!    * body collision: signed distance to the nearest body vertex along its normal, kept
//!      above `thickness_m`, with simple friction; the nearest vertex comes from a
//!      nearest-vertex field on a 3 cm grid refined by walking over the body mesh, and is
//!      tracked by walking once per frame (for cloth near the skin also re-seeded each
//!      frame: a second walk from the field's candidate for the point's cell),
//!    * long-range attachments (tethers) to the held vertices, against artificial sag,
//!    * a hold: vertices near the garment's top (neckline / waistband) may drop at most
//!      `hold_drop_m`, as if hung on shoulders or held by a belt, so nothing slides off;
//!      nothing goes below the floor the avatar stands on.
//!
//! A size too small ends up stretched (per-vertex strain > 0, the body holds it open); a
//! size too large hangs (its yoke settles lower on the shoulders, the hem drops).
//! [`region_strain_pct`] turns a drape into girth strain at the avatar's chest, waist, hip
//! and thigh levels for the fit analysis
//! ([`crate::analysis::FitAnalysis::apply_drape`]).
//!
//! Pure Rust, no threads, no clocks, no hash-order dependence: the same input gives the
//! same output (the wasm bench's mean strain matches native to 6 digits).

use crate::analysis::Region;
use crate::fitmap::{FAR_EASE_CM, share_inside};
use doppel_garment::catalog::{Category, Fabric};
use glam::{Vec3, Vec3A, Vec4};

/// Most garment vertices accepted (as in the catalog checker).
pub const MAX_VERTICES: usize = 200_000;

/// Solver settings. [`Default`] suits tops; [`DrapeParams::for_category`] picks the hold.
#[derive(Debug, Clone, PartialEq)]
pub struct DrapeParams {
    /// Time steps (frames of `dt_s`) to simulate.
    pub steps: usize,
    /// XPBD substeps per time step (one constraint sweep each).
    pub substeps: usize,
    /// Frame time, s.
    pub dt_s: f32,
    /// Gap kept between cloth and skin, m.
    pub thickness_m: f32,
    /// Gravity, m/s².
    pub gravity: [f32; 3],
    /// Compliance of the bending (skip-one) constraints, m/N: larger folds more easily.
    pub bend_compliance: f32,
    /// Share of velocity removed per substep (0–1): air drag and internal friction, so
    /// the drape settles within a few frames.
    pub damping: f32,
    /// Share of tangential motion removed while in contact with the body (0–1).
    pub friction: f32,
    /// Vertices within this distance of the garment's highest point are held, m.
    pub hold_band_m: f32,
    /// How far held vertices may drop below their start, m.
    pub hold_drop_m: f32,
    /// Tension per unit width at which the fabric reaches its rated stretch, N/m.
    pub rated_tension_n_per_m: f32,
    /// Whether garment vertices along the arms are kept from sliding down them (sleeves
    /// hang from the shoulder seam); off for bottoms, which [`carry_on`] does not turn
    /// onto the arms either, so that a wide leg near the hands is never held by an arm.
    pub hold_sleeves: bool,
}

impl Default for DrapeParams {
    fn default() -> Self {
        DrapeParams {
            steps: 10,
            substeps: 4,
            dt_s: 1.0 / 60.0,
            thickness_m: 0.006,
            gravity: [0.0, -9.81, 0.0],
            bend_compliance: 0.5,
            damping: 0.03,
            friction: 0.3,
            hold_band_m: 0.045,
            hold_drop_m: 0.06,
            rated_tension_n_per_m: 100.0,
            hold_sleeves: true,
        }
    }
}

impl DrapeParams {
    /// Defaults with the hold for the category: tops hang from the shoulders (the
    /// neckline may drop a few cm until the yoke rests), bottoms are held at the
    /// waistband (a belt: little drop).
    pub fn for_category(category: Category) -> DrapeParams {
        let mut p = DrapeParams::default();
        if category.is_bottom() {
            p.hold_band_m = 0.015;
            p.hold_drop_m = 0.02;
            p.hold_sleeves = false;
        }
        p
    }

    fn validate(&self) -> Result<(), DrapeError> {
        let bad = |what: &str, range: &str| {
            Err(DrapeError::Params(format!(
                "{what} must be in {range}, got {self:?}"
            )))
        };
        if !(1..=1000).contains(&self.steps) {
            return bad("steps", "1–1000");
        }
        if !(1..=100).contains(&self.substeps) {
            return bad("substeps", "1–100");
        }
        if !(self.dt_s > 0.0 && self.dt_s <= 0.1) {
            return bad("dt_s", "(0, 0.1] s");
        }
        if !(0.0..=0.05).contains(&self.thickness_m) {
            return bad("thickness_m", "0–0.05 m");
        }
        if !self
            .gravity
            .iter()
            .all(|g| g.is_finite() && g.abs() <= 100.0)
        {
            return bad("gravity", "finite, |g| ≤ 100 m/s²");
        }
        if !(self.bend_compliance.is_finite() && self.bend_compliance >= 0.0) {
            return bad("bend_compliance", "[0, ∞)");
        }
        if !(0.0..=1.0).contains(&self.damping) || !(0.0..=1.0).contains(&self.friction) {
            return bad("damping and friction", "0–1");
        }
        if !(0.0..=1.0).contains(&self.hold_band_m) || !(0.0..=1.0).contains(&self.hold_drop_m) {
            return bad("hold_band_m and hold_drop_m", "0–1 m");
        }
        if !(self.rated_tension_n_per_m.is_finite() && self.rated_tension_n_per_m > 0.0) {
            return bad("rated_tension_n_per_m", "(0, ∞) N/m");
        }
        Ok(())
    }
}

/// The garment to drape.
#[derive(Debug, Clone, Copy)]
pub struct ClothMesh<'a> {
    /// Positions as authored: edge rest lengths come from here (the garment's own size).
    pub rest: &'a [[f32; 3]],
    /// Start positions on the avatar (e.g. from [`carry`]); same length as `rest`.
    pub start: &'a [[f32; 3]],
    /// Triangle list.
    pub indices: &'a [u32],
}

/// The avatar's surface (as in `doppel_body::avatar::AvatarMesh`).
#[derive(Debug, Clone, Copy)]
pub struct BodySurface<'a> {
    /// Vertex positions, m.
    pub positions: &'a [[f32; 3]],
    /// Unit outward vertex normals, same length as `positions`.
    pub normals: &'a [[f32; 3]],
    /// Triangle list (used for vertex adjacency while tracking contacts).
    pub indices: &'a [u32],
}

/// The draped garment.
#[derive(Debug, Clone, PartialEq)]
pub struct Draped {
    /// Final vertex positions, m.
    pub positions: Vec<[f32; 3]>,
    /// Per-vertex strain: mean over the vertex's edges of current / rest length − 1
    /// (positive = stretched).
    pub strain: Vec<f32>,
    /// Mean of `strain` over all vertices.
    pub mean_strain: f64,
    /// Mean of the positive part of `strain` (how stretched the garment is where it is).
    pub mean_stretch: f64,
    /// Signed ease per vertex after draping, cm (see [`crate::fitmap`]).
    pub ease_cm: Vec<f32>,
    /// Share of vertices more than 3 mm inside the body after draping.
    pub inside_share_3mm: f64,
    /// Share of vertices more than 3 mm inside the body at the start (carried, before any
    /// collision handling).
    pub inside_share_start_3mm: f64,
    /// Time steps simulated.
    pub steps_run: usize,
}

/// Why a drape could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DrapeError {
    /// No garment vertices or triangles.
    #[error("garment mesh is empty (needs vertices and at least one triangle)")]
    EmptyGarment,
    /// Too many garment vertices.
    #[error("garment has {0} vertices; at most {MAX_VERTICES} are allowed")]
    TooManyVertices(usize),
    /// `rest` and `start` differ in length.
    #[error("garment rest positions ({rest}) and start positions ({start}) differ in count")]
    CountMismatch {
        /// Rest vertex count.
        rest: usize,
        /// Start vertex count.
        start: usize,
    },
    /// Index count not a multiple of three.
    #[error("garment index count {0} is not a multiple of 3")]
    IndexCount(usize),
    /// An index points past the vertices.
    #[error("garment triangle {triangle} refers to vertex {index}; there are {count} vertices")]
    IndexRange {
        /// Triangle number.
        triangle: usize,
        /// The bad index.
        index: u32,
        /// Vertex count.
        count: usize,
    },
    /// A garment position is NaN or infinite.
    #[error("garment vertex {vertex} ({which} position) is not finite")]
    NonFinite {
        /// Vertex number.
        vertex: usize,
        /// "rest" or "start".
        which: &'static str,
    },
    /// The body has no usable vertices.
    #[error("body mesh has no finite vertices")]
    EmptyBody,
    /// Body normals do not match body positions.
    #[error("body has {positions} positions but {normals} normals")]
    BodyNormals {
        /// Position count.
        positions: usize,
        /// Normal count.
        normals: usize,
    },
    /// Fabric values out of range.
    #[error("fabric: {0}")]
    Fabric(String),
    /// Solver settings out of range.
    #[error("drape parameters: {0}")]
    Params(String),
}

// ---------------------------------------------------------------------------------------
// Body lookup: a dense uniform grid over the body's vertices plus vertex adjacency, so
// contacts can be tracked by walking from last substep's nearest vertex.

const GRID_CELL_M: f32 = 0.03;
/// The grid reaches this far beyond the body's bounding box (loose cloth stays inside).
const GRID_PAD_M: f32 = 0.12;
/// Contacts are re-seeded from the grid (rather than walked to) only for cloth this
/// close to the body, every frame (every other frame or a 1.5 cm band let the
/// crotch of trousers poke through in the image tests).
const RESEED_NEAR_M: f32 = 0.03;
/// Search radius for the nearest body vertex (as [`crate::fitmap`] uses for ease).
const START_SEARCH_M: f32 = 0.30;
/// Bending links are swept on every this-many-th substep (every 2nd before session 3:
/// 4 changes the sample catalog's mean strains by < 0.5 points and keeps every size
/// order; BENCHMARKS.md).
const BEND_EVERY: usize = 4;

struct BodyGrid {
    origin: Vec3A,
    dims: [i32; 3],
    start: Vec<u32>,
    items: Vec<u32>,
    pos: Vec<Vec3A>,
    nrm: Vec<Vec3A>,
    adj_start: Vec<u32>,
    adj: Vec<u32>,
    /// Per cell, a body vertex near the cell's centre (a nearest-vertex field), from which
    /// a walk over the body mesh finds the nearest vertex of any point in the cell.
    near: Vec<u32>,
}

impl BodyGrid {
    fn new(body: &BodySurface) -> Result<BodyGrid, DrapeError> {
        if body.normals.len() != body.positions.len() {
            return Err(DrapeError::BodyNormals {
                positions: body.positions.len(),
                normals: body.normals.len(),
            });
        }
        let finite = |p: &[f32; 3]| p.iter().all(|c| c.is_finite());
        let pos: Vec<Vec3A> = body.positions.iter().map(|p| Vec3A::from(*p)).collect();
        let nrm: Vec<Vec3A> = body
            .normals
            .iter()
            .map(|n| {
                let v = Vec3A::from(*n);
                if v.is_finite() && v.length_squared() > 1e-12 {
                    v.normalize()
                } else {
                    Vec3A::Y
                }
            })
            .collect();
        let ok: Vec<bool> = body.positions.iter().map(finite).collect();
        let (mut lo, mut hi) = (Vec3A::splat(f32::MAX), Vec3A::splat(f32::MIN));
        for (p, _) in pos.iter().zip(&ok).filter(|(_, o)| **o) {
            lo = lo.min(*p);
            hi = hi.max(*p);
        }
        if lo.x > hi.x {
            return Err(DrapeError::EmptyBody);
        }
        // A body is a couple of metres at most; clamp the grid so hostile coordinates
        // cannot make it huge (far vertices then share border cells, still correct).
        let (lo, hi) = (lo - Vec3A::splat(GRID_PAD_M), hi + Vec3A::splat(GRID_PAD_M));
        let extent = (hi - lo).min(Vec3A::splat(4.0));
        let dims = [
            (extent.x / GRID_CELL_M) as i32 + 1,
            (extent.y / GRID_CELL_M) as i32 + 1,
            (extent.z / GRID_CELL_M) as i32 + 1,
        ];
        let mut grid = BodyGrid {
            origin: lo,
            dims,
            start: Vec::new(),
            items: Vec::new(),
            pos,
            nrm,
            adj_start: Vec::new(),
            adj: Vec::new(),
            near: Vec::new(),
        };
        let ncell = (dims[0] * dims[1] * dims[2]) as usize;
        let mut count = vec![0u32; ncell + 1];
        let cells: Vec<Option<usize>> = grid
            .pos
            .iter()
            .zip(&ok)
            .map(|(p, o)| o.then(|| grid.cell_index(grid.cell_of(*p))))
            .collect();
        for c in cells.iter().flatten() {
            count[*c + 1] += 1;
        }
        for i in 0..ncell {
            count[i + 1] += count[i];
        }
        let mut fill = count.clone();
        grid.items = vec![0; count[ncell] as usize];
        for (i, c) in cells.iter().enumerate() {
            if let Some(c) = c {
                grid.items[fill[*c] as usize] = i as u32;
                fill[*c] += 1;
            }
        }
        grid.start = count;
        // Vertex adjacency (CSR) from the body's triangles; bad indices and non-finite
        // vertices are skipped. An edge shared by two triangles is listed twice, which
        // only costs the walk a repeated comparison (cheaper than sorting it away).
        let n = grid.pos.len();
        let usable = |t: &[u32]| t.iter().all(|&i| (i as usize) < n && ok[i as usize]);
        let mut adj_start = vec![0u32; n + 1];
        for t in body.indices.chunks_exact(3).filter(|t| usable(t)) {
            for &a in t {
                adj_start[a as usize + 1] += 2;
            }
        }
        for i in 0..n {
            adj_start[i + 1] += adj_start[i];
        }
        let mut fill = adj_start.clone();
        grid.adj = vec![0; adj_start[n] as usize];
        for t in body.indices.chunks_exact(3).filter(|t| usable(t)) {
            for k in 0..3 {
                let a = t[k] as usize;
                for b in [t[(k + 1) % 3], t[(k + 2) % 3]] {
                    grid.adj[fill[a] as usize] = b;
                    fill[a] += 1;
                }
            }
        }
        // Drop the repeats (an interior edge comes from both of its triangles): the walk
        // runs for every cloth vertex every frame, so a short list pays off.
        let mut compact = Vec::with_capacity(grid.adj.len() / 2 + n);
        let mut starts = vec![0u32; n + 1];
        for i in 0..n {
            let list = &mut grid.adj[adj_start[i] as usize..adj_start[i + 1] as usize];
            list.sort_unstable();
            let mut last = u32::MAX;
            for &b in list.iter() {
                if b != last {
                    compact.push(b);
                    last = b;
                }
            }
            starts[i + 1] = compact.len() as u32;
        }
        grid.adj = compact;
        grid.adj_start = starts;
        grid.build_field();
        Ok(grid)
    }

    fn cell_of(&self, p: Vec3A) -> [i32; 3] {
        let c = (p - self.origin) / GRID_CELL_M;
        // Truncation instead of `floor` (a libm call on baseline x86-64): the two differ
        // only below zero, which clamps to cell 0 either way (NaN → 0 too).
        [
            (c.x as i32).clamp(0, self.dims[0] - 1),
            (c.y as i32).clamp(0, self.dims[1] - 1),
            (c.z as i32).clamp(0, self.dims[2] - 1),
        ]
    }

    fn cell_index(&self, c: [i32; 3]) -> usize {
        ((c[2] * self.dims[1] + c[1]) * self.dims[0] + c[0]) as usize
    }

    fn centre(&self, c: [i32; 3]) -> Vec3A {
        self.origin + (Vec3A::new(c[0] as f32, c[1] as f32, c[2] as f32) + 0.5) * GRID_CELL_M
    }

    /// The nearest-vertex field: cells holding vertices start with their closest one,
    /// then a forward and a backward raster sweep hand candidates on to the neighbours
    /// (a vector distance transform: approximate, refined per query by a walk).
    fn build_field(&mut self) {
        let [dx, dy, dz] = self.dims;
        let ncell = (dx * dy * dz) as usize;
        let mut near = vec![u32::MAX; ncell];
        let mut dist = vec![f32::MAX; ncell];
        for z in 0..dz {
            for y in 0..dy {
                for x in 0..dx {
                    let ci = self.cell_index([x, y, z]);
                    let c = self.centre([x, y, z]);
                    let (s, e) = (self.start[ci] as usize, self.start[ci + 1] as usize);
                    for &i in &self.items[s..e] {
                        let d = (c - self.pos[i as usize]).length_squared();
                        if d < dist[ci] {
                            dist[ci] = d;
                            near[ci] = i;
                        }
                    }
                }
            }
        }
        let visit = |near: &mut Vec<u32>, dist: &mut Vec<f32>, c: [i32; 3], sign: i32| {
            let ci = self.cell_index(c);
            let centre = self.centre(c);
            for (ox, oy, oz) in HALF_NEIGHBOURS {
                let n = [c[0] + sign * ox, c[1] + sign * oy, c[2] + sign * oz];
                if n[0] < 0 || n[1] < 0 || n[2] < 0 || n[0] >= dx || n[1] >= dy || n[2] >= dz {
                    continue;
                }
                let v = near[self.cell_index(n)];
                if v != u32::MAX {
                    let d = (centre - self.pos[v as usize]).length_squared();
                    if d < dist[ci] {
                        dist[ci] = d;
                        near[ci] = v;
                    }
                }
            }
        };
        for z in 0..dz {
            for y in 0..dy {
                for x in 0..dx {
                    visit(&mut near, &mut dist, [x, y, z], -1);
                }
            }
        }
        for z in (0..dz).rev() {
            for y in (0..dy).rev() {
                for x in (0..dx).rev() {
                    visit(&mut near, &mut dist, [x, y, z], 1);
                }
            }
        }
        self.near = near;
    }

    /// Nearest body vertex to `p` if within `radius`: the field's candidate for the
    /// point's cell, refined by walking over the body mesh.
    fn nearest(&self, p: Vec3A, radius: f32) -> Option<u32> {
        if !p.is_finite() {
            return None;
        }
        // Seeds from the 2×2×2 cells whose centres surround p: a walk from a single seed
        // can stop in a local minimum (between the legs, arm against torso).
        let c = (p - self.origin) / GRID_CELL_M - 0.5;
        let base = [c.x.floor() as i32, c.y.floor() as i32, c.z.floor() as i32];
        let mut best: Option<(f32, u32)> = None;
        let mut tried = [u32::MAX; 8];
        for k in 0..8 {
            let o = [(k & 1) as i32, ((k >> 1) & 1) as i32, ((k >> 2) & 1) as i32];
            let cell = [
                // Saturating: a far (finite) point floors to i32::MAX (found by fuzzing).
                base[0].saturating_add(o[0]).clamp(0, self.dims[0] - 1),
                base[1].saturating_add(o[1]).clamp(0, self.dims[1] - 1),
                base[2].saturating_add(o[2]).clamp(0, self.dims[2] - 1),
            ];
            let seed = self.near[self.cell_index(cell)];
            if seed == u32::MAX {
                continue;
            }
            if tried[..k].contains(&seed) {
                continue;
            }
            tried[k] = seed;
            let b = self.walk(p, seed);
            let d = (p - self.pos[b as usize]).length_squared();
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, b));
            }
        }
        best.filter(|(d, _)| d.sqrt() <= radius).map(|(_, b)| b)
    }

    /// Nearest body vertex to `p` within `radius` when a recent contact is known: walks
    /// from the contact and from the field's candidate for the cell holding `p` (two walks
    /// instead of [`BodyGrid::nearest`]'s eight), keeping the closer end.
    fn reseed(&self, p: Vec3A, radius: f32, hint: Option<u32>) -> Option<u32> {
        let Some(hint) = hint else {
            return self.nearest(p, radius);
        };
        if !p.is_finite() {
            return None;
        }
        let a = self.walk(p, hint);
        let mut best = (a, (p - self.pos[a as usize]).length_squared());
        let seed = self.near[self.cell_index(self.cell_of(p))];
        if seed != u32::MAX && seed != a {
            let b = self.walk(p, seed);
            let d = (p - self.pos[b as usize]).length_squared();
            if d < best.1 {
                best = (b, d);
            }
        }
        (best.1.sqrt() <= radius).then_some(best.0)
    }

    /// The nearer end of two walks towards `p`: from the recent contact `hint` and from
    /// the field's candidate for the cell holding `p` (a walk from the contact alone can
    /// stay in a local minimum).
    fn walk_reseeded(&self, p: Vec3A, hint: u32) -> u32 {
        let a = self.walk(p, hint);
        if !p.is_finite() {
            return a;
        }
        let seed = self.near[self.cell_index(self.cell_of(p))];
        if seed == u32::MAX || seed == a {
            return a;
        }
        let b = self.walk(p, seed);
        if (p - self.pos[b as usize]).length_squared() < (p - self.pos[a as usize]).length_squared()
        {
            b
        } else {
            a
        }
    }

    /// Walks from `from` to a neighbouring vertex closer to `p` until none is closer.
    fn walk(&self, p: Vec3A, from: u32) -> u32 {
        let mut cur = from;
        let mut d = (p - self.pos[cur as usize]).length_squared();
        for _ in 0..64 {
            let (s, e) = (
                self.adj_start[cur as usize] as usize,
                self.adj_start[cur as usize + 1] as usize,
            );
            let mut next = cur;
            for &j in &self.adj[s..e] {
                let dj = (p - self.pos[j as usize]).length_squared();
                if dj < d {
                    d = dj;
                    next = j;
                }
            }
            if next == cur {
                break;
            }
            cur = next;
        }
        cur
    }

    /// Signed ease in cm as [`crate::fitmap`] defines it, from each point's nearest
    /// body vertex ([`FAR_EASE_CM`] where there is none).
    fn ease_cm(&self, x: &[Vec3A], nearest: &[Option<u32>]) -> Vec<f32> {
        x.iter()
            .zip(nearest)
            .map(|(p, b)| b.map_or(FAR_EASE_CM, |b| self.depth(*p, b).0 * 100.0))
            .collect()
    }

    /// Signed distance of `p` above the body's tangent plane at vertex `b`.
    fn depth(&self, p: Vec3A, b: u32) -> (f32, Vec3A) {
        let n = self.nrm[b as usize];
        ((p - self.pos[b as usize]).dot(n), n)
    }
}

/// The 13 neighbour offsets visited before a cell in raster order (negate for after).
const HALF_NEIGHBOURS: [(i32, i32, i32); 13] = [
    (-1, 0, 0),
    (-1, -1, 0),
    (0, -1, 0),
    (1, -1, 0),
    (-1, -1, -1),
    (0, -1, -1),
    (1, -1, -1),
    (-1, 0, -1),
    (0, 0, -1),
    (1, 0, -1),
    (-1, 1, -1),
    (0, 1, -1),
    (1, 1, -1),
];

// ---------------------------------------------------------------------------------------

/// Bodies (and reference bodies) taller than this, m, are not real avatars: [`carry`]
/// leaves the garment as it is (found by fuzzing: a 10³⁸ m "body" overflowed the leg
/// slices).
pub const MAX_CARRY_STATURE_M: f32 = 10.0;

/// Moves an authored garment onto the avatar: shifts it vertically so that its top keeps
/// its height relative to the stature (`ref_stature_m` for the reference body; soles at
/// y = 0 in both) and centres it in x and z on the avatar's torso. Widths and depths are kept: the garment's own girths must
/// show on the body. With `legs` (trousers), the leg tubes are moved onto the avatar's
/// legs. Returns the carried positions (non-finite input stays as it is; the drape
/// reports it).
pub fn carry(
    garment: &[[f32; 3]],
    ref_stature_m: f32,
    body: &[[f32; 3]],
    legs: bool,
) -> Vec<[f32; 3]> {
    let finite: Vec<Vec3A> = body
        .iter()
        .map(|p| Vec3A::from(*p))
        .filter(|p| p.is_finite())
        .collect();
    let (mut lo_y, mut hi_y) = (f32::MAX, f32::MIN);
    for p in &finite {
        lo_y = lo_y.min(p.y);
        hi_y = hi_y.max(p.y);
    }
    let stature = hi_y - lo_y;
    if finite.is_empty()
        || !(0.1..=MAX_CARRY_STATURE_M).contains(&stature)
        || !(ref_stature_m > 0.1 && ref_stature_m <= MAX_CARRY_STATURE_M)
    {
        return garment.to_vec();
    }
    // A rigid vertical shift (lengths kept: a carry must not stretch the garment) that
    // puts the garment's top (neckline, waistband) at the same share of the avatar's
    // stature as of the reference body's.
    let top = garment
        .iter()
        .map(|p| p[1])
        .filter(|y| y.is_finite())
        .fold(f32::MIN, f32::max);
    let shift = if top > 0.0 {
        top / ref_stature_m * stature - top
    } else {
        0.0
    };
    // Torso centre: the bounding box of the body between 50 % and 75 % of its height,
    // near its middle in x (arms hang beside the torso there and would bias z).
    let band = |p: &&Vec3A| {
        let h = (p.y - lo_y) / stature;
        (0.5..=0.75).contains(&h)
    };
    let mid_x = {
        let (mut a, mut b) = (f32::MAX, f32::MIN);
        for p in finite.iter().filter(band) {
            a = a.min(p.x);
            b = b.max(p.x);
        }
        0.5 * (a + b)
    };
    let (mut z0, mut z1) = (f32::MAX, f32::MIN);
    for p in finite
        .iter()
        .filter(band)
        .filter(|p| (p.x - mid_x).abs() < 0.08)
    {
        z0 = z0.min(p.z);
        z1 = z1.max(p.z);
    }
    let mid_z = if z0 <= z1 { 0.5 * (z0 + z1) } else { 0.0 };
    let mut out: Vec<[f32; 3]> = garment
        .iter()
        .map(|p| [p[0] + mid_x, lo_y + p[1] + shift, p[2] + mid_z])
        .collect();
    if legs {
        follow_legs(&mut out, &finite, lo_y, stature, mid_x);
    }
    out
}

/// Leg tubes of trousers follow the avatar's legs: below the crotch, each 2 cm slice of a
/// garment leg is shifted in x and z so that its centre lies on the centre of the body's
/// leg slice at that height (the avatar stands with its feet apart; the garment was made
/// with straight legs). Blended in over 6 % of the stature below the crotch.
fn follow_legs(g: &mut [[f32; 3]], body: &[Vec3A], lo_y: f32, stature: f32, mid_x: f32) {
    const SLICE_M: f32 = 0.02;
    let (top, full) = (0.44 * stature, 0.38 * stature);
    // Bounded: `carry` only calls this for statures up to MAX_CARRY_STATURE_M.
    let bins = ((top / SLICE_M) as usize).min(1 << 12) + 1;
    let slice = |y: f32| (((y - lo_y) / SLICE_M).max(0.0) as usize).min(bins - 1);
    for side in [-1.0f32, 1.0] {
        let on_side = |x: f32| {
            let d = (x - mid_x) * side;
            d > 0.0 && d < 0.28
        };
        let centres = |pts: &mut dyn Iterator<Item = Vec3A>| {
            let mut acc = vec![(Vec3A::ZERO, 0u32); bins];
            for p in pts {
                if p.y - lo_y < top && on_side(p.x) {
                    let b = &mut acc[slice(p.y)];
                    b.0 += p;
                    b.1 += 1;
                }
            }
            acc.into_iter()
                .map(|(s, n)| (n > 0).then(|| s / n as f32))
                .collect::<Vec<_>>()
        };
        let body_c = centres(&mut body.iter().copied());
        let garment_c = centres(&mut g.iter().map(|p| Vec3A::from(*p)));
        for p in g.iter_mut() {
            let h = p[1] - lo_y;
            if h >= top || !on_side(p[0]) {
                continue;
            }
            let b = slice(p[1]);
            if let (Some(bc), Some(gc)) = (body_c[b], garment_c[b]) {
                let w = ((top - h) / (top - full)).clamp(0.0, 1.0);
                let w = w * w * (3.0 - 2.0 * w);
                p[0] += w * (bc.x - gc.x);
                p[2] += w * (bc.z - gc.z);
            }
        }
    }
}

fn validate(cloth: &ClothMesh, fabric: &Fabric) -> Result<(), DrapeError> {
    let n = cloth.rest.len();
    if n == 0 || cloth.indices.len() < 3 {
        return Err(DrapeError::EmptyGarment);
    }
    if n > MAX_VERTICES {
        return Err(DrapeError::TooManyVertices(n));
    }
    if cloth.start.len() != n {
        return Err(DrapeError::CountMismatch {
            rest: n,
            start: cloth.start.len(),
        });
    }
    if !cloth.indices.len().is_multiple_of(3) {
        return Err(DrapeError::IndexCount(cloth.indices.len()));
    }
    if let Some((k, &index)) = cloth
        .indices
        .iter()
        .enumerate()
        .find(|(_, i)| **i as usize >= n)
    {
        return Err(DrapeError::IndexRange {
            triangle: k / 3,
            index,
            count: n,
        });
    }
    for (which, list) in [("rest", cloth.rest), ("start", cloth.start)] {
        if let Some(vertex) = list.iter().position(|p| !p.iter().all(|c| c.is_finite())) {
            return Err(DrapeError::NonFinite { vertex, which });
        }
    }
    let pct = |v: f64| v.is_finite() && (0.0..=200.0).contains(&v);
    if !pct(fabric.stretch_across_pct) || !pct(fabric.stretch_along_pct) {
        return Err(DrapeError::Fabric(format!(
            "stretch_across_pct {} / stretch_along_pct {} must be 0–200 %",
            fabric.stretch_across_pct, fabric.stretch_along_pct
        )));
    }
    if !(fabric.weight_gsm.is_finite() && (10.0..=2000.0).contains(&fabric.weight_gsm)) {
        return Err(DrapeError::Fabric(format!(
            "weight_gsm {} must be 10–2000 g/m²",
            fabric.weight_gsm
        )));
    }
    Ok(())
}

/// One distance constraint.
#[derive(Clone, Copy)]
struct Link {
    a: u32,
    b: u32,
    rest: f32,
    /// Compliance (m/N).
    alpha: f32,
}

/// A distance constraint with its precomputed XPBD factors.
#[derive(Clone, Copy)]
struct Solved {
    a: u32,
    b: u32,
    rest: f32,
    ka: f32,
    kb: f32,
}

/// The avatar prepared for draping: a nearest-vertex field over a grid around the body
/// and the body's vertex adjacency. Build it once per avatar and drape every size on it
/// ([`drape_on`], [`dress_on`]).
pub struct BodyCollider {
    grid: BodyGrid,
    positions: Vec<[f32; 3]>,
    /// Shoulder, elbow and wrist joint of the left and right arm, when known
    /// ([`BodyCollider::with_joints`]): sleeves are then turned to the arms.
    arms: Option<[[[f32; 3]; 3]; 2]>,
    /// The tip of each shoulder (left, right) on the body surface, where a sleeve's
    /// seam sits; found with the arms.
    acromions: Option<[[f32; 3]; 2]>,
}

impl BodyCollider {
    /// Prepares `body` (errors: no finite vertex, normals not matching positions).
    pub fn new(body: &BodySurface) -> Result<BodyCollider, DrapeError> {
        Ok(BodyCollider {
            grid: BodyGrid::new(body)?,
            positions: body.positions.to_vec(),
            arms: None,
            acromions: None,
        })
    }

    /// Adds the avatar's arm joints (`doppel_body`'s `AvatarMesh::joints`: needs
    /// `shoulder_`, `elbow_` and `wrist_` + `left` / `right`), so that
    /// [`dress_on`] turns the sleeves of tops about the shoulder joints to the avatar's
    /// arm angle ([`turn_sleeves`]). Missing or non-finite joints, or a wrist that is not
    /// outwards of its shoulder (away from the other shoulder), leave the collider as it
    /// was (sleeves stay as authored): [`turn_sleeves`] takes the side from the wrist, so
    /// an arm hanging or reaching inwards would turn the torso instead of the sleeve.
    pub fn with_joints(mut self, joints: &std::collections::BTreeMap<String, [f32; 3]>) -> Self {
        let arm = |side: &str| -> Option<[[f32; 3]; 3]> {
            let j = |name: &str| {
                joints
                    .get(&format!("{name}_{side}"))
                    .copied()
                    .filter(|p| p.iter().all(|c| c.is_finite()))
            };
            Some([j("shoulder")?, j("elbow")?, j("wrist")?])
        };
        if let (Some(l), Some(r)) = (arm("left"), arm("right")) {
            // Outwards: the wrist on the far side of its shoulder from the other shoulder.
            let out =
                |[s, _, w]: [[f32; 3]; 3], other: [f32; 3]| (s[0] - other[0]) * (w[0] - s[0]) > 0.0;
            if out(l, r[0]) && out(r, l[0]) {
                self.arms = Some([l, r]);
                self.acromions = match (
                    acromion(&self.positions, l[0], l[2]),
                    acromion(&self.positions, r[0], r[2]),
                ) {
                    (Some(a), Some(b)) => Some([a, b]),
                    _ => None,
                };
            }
        }
        self
    }
}

/// The shoulder tip on the body: the vertex within 12 cm of the shoulder joint, not
/// more than 2 cm inwards of it, that is highest and outermost (largest outward x + 2 y,
/// as `doppel_body`'s sleeve measurement picks its acromion).
fn acromion(body: &[[f32; 3]], shoulder: [f32; 3], wrist: [f32; 3]) -> Option<[f32; 3]> {
    let s = Vec3A::from(shoulder);
    let side = if wrist[0] >= shoulder[0] { 1.0 } else { -1.0 };
    body.iter()
        .map(|p| Vec3A::from(*p))
        .filter(|p| p.is_finite() && (*p - s).length() < 0.12 && side * (p.x - s.x) > -0.02)
        .map(|p| (side * p.x + 2.0 * p.y, p))
        .filter(|(k, _)| k.is_finite())
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, p)| p.to_array())
}

/// Moves a carried sleeve up its arm so that the garment's shoulder line meets the
/// shoulder tip: the yoke above or below `acromion` (garment vertices within 1.5 cm in x
/// and 6 cm in z of it) sat up to 2.8 cm lower than the avatar's shoulder tip (the
/// reference bodies' shoulder lines are lower than the avatar's), so the sleeve started
/// that far down the arm. The sleeve (as in [`turn_sleeves`]) moves along the authored
/// axis by that drop's share along it, faded in over its first 15 cm; at most 5 cm, and
/// never down the arm. Short sleeves (not reaching half way from shoulder to wrist) and
/// non-finite input are left as they are.
pub fn lift_sleeves(
    garment: &mut [[f32; 3]],
    shoulder: [f32; 3],
    wrist: [f32; 3],
    acromion: [f32; 3],
) {
    let [s, w, a] = [shoulder, wrist, acromion].map(Vec3A::from);
    if !(s.is_finite() && w.is_finite() && a.is_finite()) {
        return;
    }
    let yoke = garment
        .iter()
        .filter(|q| (q[0] - a.x).abs() < 0.015 && (q[2] - a.z).abs() < 0.06 && q[1] > a.y - 0.10)
        .map(|q| q[1])
        .filter(|y| y.is_finite())
        .fold(f32::MIN, f32::max);
    if yoke == f32::MIN {
        return;
    }
    let lift = ((a.y - yoke) * AUTHORED_ARM_DEG.to_radians().sin()).clamp(0.0, 0.05);
    if lift <= 0.0 {
        return;
    }
    let axis = SleeveAxis::new(s, w);
    let on_sleeve = |q: &[f32; 3]| {
        axis.place(Vec3A::from(*q))
            .map(|(_, member, along)| (member, along))
    };
    // Short sleeves (not reaching half way to the wrist) stay: their length is a design
    // length, and lifting them pushed tight T-shirts' armholes into the shoulder (worst
    // 0.81 % of vertices inside instead of 0.52 %).
    let reach = garment
        .iter()
        .filter_map(on_sleeve)
        .map(|(_, along)| along)
        .fold(f32::MIN, f32::max);
    if reach < 0.5 * (w - s).length() {
        return;
    }
    for q in garment.iter_mut() {
        let Some((member, along)) = on_sleeve(q) else {
            continue;
        };
        let p = Vec3A::from(*q) - axis.dir * (lift * member * smoothstep(along / 0.15));
        if p.is_finite() {
            *q = p.to_array();
        }
    }
}

/// The arm angle the sample garments are authored for (45° below horizontal, an A-pose;
/// `doppel_garment::generate`).
pub const AUTHORED_ARM_DEG: f32 = 45.0;

/// Turns sleeves to an arm: every garment vertex on the arm's side near the authored
/// sleeve axis (a line from `shoulder` at [`AUTHORED_ARM_DEG`] below horizontal, outwards
/// in the body's frontal plane) is rotated about the shoulder joint so that this axis
/// points at `elbow`, and the part beyond the elbow (blended over ±4 cm) about the elbow
/// joint so that it points at `wrist` (a straight tube would let the bent elbow poke
/// through the sleeve). The rotation fades in over the first 15 cm of the sleeve (a sharper
/// turn pushed the armhole of tight T-shirts into the upper arm: 0.97 % of vertices
/// inside instead of 0.43 %) and out beyond 9–13 cm from the axis, so the torso (and a
/// wide skirt) stays where it is.
/// Positions must already be on the avatar (after [`carry`]); non-finite input, an arm
/// segment shorter than 5 cm or an arm pointing upwards leaves the garment unchanged (and
/// a vertex whose turn would not be finite stays where it is).
pub fn turn_sleeves(
    garment: &mut [[f32; 3]],
    shoulder: [f32; 3],
    elbow: [f32; 3],
    wrist: [f32; 3],
) {
    let [s, e, w] = [shoulder, elbow, wrist].map(Vec3A::from);
    let (upper, fore) = (e - s, w - e);
    if !(upper.is_finite() && fore.is_finite())
        || upper.length() < 0.05
        || fore.length() < 0.05
        || (w - s).y >= 0.0
    {
        return;
    }
    let axis = SleeveAxis::new(s, w);
    let (u, f) = (upper.normalize(), fore.normalize());
    let elbow_at = upper.length();
    for q in garment.iter_mut() {
        // Which vertices belong to the sleeve, and how far along it: from the authored
        // (carried) geometry, before any turn.
        let Some((r, member, along)) = axis.place(Vec3A::from(*q)) else {
            continue;
        };
        // 1. The whole sleeve about the shoulder joint onto the upper arm, and
        let p = s + rotate(r, axis.dir, u, member * smoothstep(along / 0.15));
        // 2. the part beyond the elbow about the elbow joint onto the forearm.
        let bend = member * smoothstep((along - elbow_at + 0.04) / 0.08);
        let p = if bend > 0.0 {
            e + rotate(p - e, u, f, bend)
        } else {
            p
        };
        // A huge but finite vertex can overflow in the turn: it then stays as it was.
        if p.is_finite() {
            *q = p.to_array();
        }
    }
}

/// Smooth 0 → 1 ramp over `t` in 0–1 (clamped outside).
fn smoothstep(t: f32) -> f32 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// The authored sleeve axis of one arm: from the shoulder joint, [`AUTHORED_ARM_DEG`]
/// below horizontal, outwards on the wrist's side in the frontal plane. Shared by
/// [`lift_sleeves`] and [`turn_sleeves`], so both move the same vertices.
struct SleeveAxis {
    shoulder: Vec3A,
    /// +1 when the arm points to +x.
    side: f32,
    /// Unit direction of the axis.
    dir: Vec3A,
}

impl SleeveAxis {
    fn new(shoulder: Vec3A, wrist: Vec3A) -> SleeveAxis {
        let side = if (wrist - shoulder).x >= 0.0 {
            1.0
        } else {
            -1.0
        };
        let ang = AUTHORED_ARM_DEG.to_radians();
        SleeveAxis {
            shoulder,
            side,
            dir: Vec3A::new(side * ang.cos(), -ang.sin(), 0.0),
        }
    }

    /// A garment vertex's offset from the shoulder, its sleeve membership (fading out
    /// 9–13 cm from the axis and at the shoulder joint's plane) and its distance along the
    /// axis; `None` off the sleeve, and for non-finite input (a NaN from a product
    /// overflowing on a huge coordinate is no member either).
    fn place(&self, q: Vec3A) -> Option<(Vec3A, f32, f32)> {
        let r = q - self.shoulder;
        if !r.is_finite() {
            return None;
        }
        let along = r.dot(self.dir);
        let perp = (r - self.dir * along).length();
        let member = smoothstep((0.13 - perp) / 0.04) * smoothstep(self.side * r.x / 0.04);
        (member > 0.0).then_some((r, member, along))
    }
}

/// `r` rotated by `share` of the rotation that takes unit vector `from` to unit vector
/// `to` (Rodrigues' formula; unchanged when they are parallel).
fn rotate(r: Vec3A, from: Vec3A, to: Vec3A, share: f32) -> Vec3A {
    let axis = from.cross(to);
    let sin = axis.length();
    if sin < 1e-6 || share <= 0.0 {
        return r;
    }
    let axis = axis / sin;
    let (sn, cs) = (share * sin.atan2(from.dot(to))).sin_cos();
    r * cs + axis.cross(r) * sn + axis * axis.dot(r) * (1.0 - cs)
}

/// [`carry`] onto a prepared body; with the avatar's joints
/// ([`BodyCollider::with_joints`]) the sleeves of tops are also turned to its arms
/// ([`turn_sleeves`]). This is the start [`dress_on`] drapes from.
pub fn carry_on(
    body: &BodyCollider,
    garment: &[[f32; 3]],
    ref_stature_m: f32,
    category: Category,
) -> Vec<[f32; 3]> {
    let mut out = carry(
        garment,
        ref_stature_m,
        &body.positions,
        category.is_bottom(),
    );
    if let Some(arms) = body.arms.filter(|_| !category.is_bottom()) {
        for (k, [shoulder, elbow, wrist]) in arms.into_iter().enumerate() {
            if let Some(a) = body.acromions {
                lift_sleeves(&mut out, shoulder, wrist, a[k]);
            }
            turn_sleeves(&mut out, shoulder, elbow, wrist);
        }
    }
    out
}

/// Drapes a garment on the body (see the module docs). Errors name the bad input; odd
/// meshes (zero-length edges, unreferenced vertices, non-manifold edges) are tolerated.
pub fn drape(
    cloth: &ClothMesh,
    body: &BodySurface,
    fabric: &Fabric,
    params: &DrapeParams,
) -> Result<Draped, DrapeError> {
    validate(cloth, fabric)?;
    params.validate()?;
    drape_on(&BodyCollider::new(body)?, cloth, fabric, params)
}

/// [`drape`] on a prepared body.
pub fn drape_on(
    body: &BodyCollider,
    cloth: &ClothMesh,
    fabric: &Fabric,
    params: &DrapeParams,
) -> Result<Draped, DrapeError> {
    validate(cloth, fabric)?;
    params.validate()?;
    let grid = &body.grid;
    let n = cloth.rest.len();
    let rest: Vec<Vec3A> = cloth.rest.iter().map(|p| Vec3A::from(*p)).collect();
    let mut x: Vec<Vec3A> = cloth.start.iter().map(|p| Vec3A::from(*p)).collect();
    // Consecutive garment vertices lie close together, so the previous vertex's contact
    // is a good extra seed: two walks (from it and from the cell's field candidate)
    // instead of `nearest`'s up to eight.
    let mut contact: Vec<Option<u32>> = Vec::with_capacity(n);
    let mut hint = None;
    for p in &x {
        let c = match hint {
            Some(h) => grid.reseed(*p, START_SEARCH_M, Some(h)),
            None => grid.nearest(*p, START_SEARCH_M),
        };
        hint = c.or(hint);
        contact.push(c);
    }
    let inside_start = share_inside(&grid.ease_cm(&x, &contact), 0.3);

    // Edges (unique, sorted for determinism) and, per edge, its opposite vertices.
    let tris: Vec<[u32; 3]> = cloth
        .indices
        .chunks_exact(3)
        .map(|t| [t[0], t[1], t[2]])
        .collect();
    let half = half_edges(&tris, n);
    let rated = params.rated_tension_n_per_m;
    let across = (fabric.stretch_across_pct as f32 / 100.0).max(0.005);
    let along = (fabric.stretch_along_pct as f32 / 100.0).max(0.005);
    let mut stretch: Vec<Link> = Vec::new();
    let mut bend: Vec<Link> = Vec::new();
    let mut i = 0;
    while i < half.len() {
        let (a, b, _) = half[i];
        let mut j = i;
        while j < half.len() && half[j].0 == a && half[j].1 == b {
            j += 1;
        }
        let d = rest[b as usize] - rest[a as usize];
        let len = d.length();
        if len > 1e-6 {
            // Stretch compliance: rated tension reaches the rated stretch; the edge's
            // direction blends "along" (vertical) and "across" (around the body).
            let w_along = (d.y.abs() / len).powi(2);
            let s = w_along * along + (1.0 - w_along) * across;
            stretch.push(Link {
                a,
                b,
                rest: len,
                alpha: s / rated,
            });
        }
        // Exactly two triangles: a bending link between their opposite corners.
        if j - i == 2 {
            let (o1, o2) = (half[i].2, half[i + 1].2);
            let l = (rest[o2 as usize] - rest[o1 as usize]).length();
            if o1 != o2 && l > 1e-6 {
                bend.push(Link {
                    a: o1,
                    b: o2,
                    rest: l,
                    alpha: params.bend_compliance,
                });
            }
        }
        i = j;
    }

    // Gauss-Seidel from the top down: a sweep then carries the hold's support down the
    // whole garment instead of one ring per substep (less artificial sag).
    // (Key: millimetres below 10 m, so that higher links sort first as integers.)
    let key =
        |l: &Link| (10_000.0 - 1000.0 * rest[l.a as usize].y.max(rest[l.b as usize].y)) as i64;
    sort_by_small_key(&mut stretch, key);
    sort_by_small_key(&mut bend, key);
    let stretch = spread_shared_vertices(&stretch);
    let bend = spread_shared_vertices(&bend);

    // Masses from the authored triangle areas and the fabric weight.
    let density = fabric.weight_gsm as f32 / 1000.0;
    let mut mass = vec![0.0f32; n];
    for t in &tris {
        let [a, b, c] = t.map(|k| rest[k as usize]);
        let area = 0.5 * (b - a).cross(c - a).length();
        for &k in t {
            mass[k as usize] += density * area / 3.0;
        }
    }
    let min_mass = mass
        .iter()
        .copied()
        .filter(|m| *m > 0.0)
        .fold(f32::MAX, f32::min);
    let min_mass = if min_mass == f32::MAX { 1e-4 } else { min_mass };
    let inv_mass: Vec<f32> = mass.iter().map(|m| 1.0 / m.max(min_mass)).collect();

    // Hold: the top band may drop only `hold_drop_m`.
    // Everything stays above the floor the avatar stands on (long trousers pool there).
    let top = x.iter().map(|p| p.y).fold(f32::MIN, f32::max);
    let ground = grid
        .pos
        .iter()
        .filter(|p| p.is_finite())
        .map(|p| p.y)
        .fold(f32::MAX, f32::min)
        + params.thickness_m;
    let floor_y: Vec<f32> = x
        .iter()
        .map(|p| {
            if p.y >= top - params.hold_band_m {
                (p.y - params.hold_drop_m).max(ground)
            } else {
                ground
            }
        })
        .collect();

    // Sleeves hang from the shoulder seam: a sleeve vertex may not slide further down
    // its arm segment than where it started (gravity slid cuffs 2.5–2.9 cm past).
    let arm_hold = body
        .arms
        .filter(|_| params.hold_sleeves)
        .map(|arms| arm_holds(&x, &arms))
        .unwrap_or_default();

    // 1. Push-out of vertices starting inside, with the displacement smoothed over the
    //    mesh so that neighbours follow without creasing.
    let mut disp = vec![Vec3A::ZERO; n];
    let mut pushed = vec![false; n];
    for k in 0..n {
        if let Some(b) = contact[k] {
            let (d, nb) = grid.depth(x[k], b);
            if d < params.thickness_m {
                disp[k] = nb * (params.thickness_m - d);
                pushed[k] = true;
            }
        }
    }
    let mut nbrs: Vec<Vec<u32>> = vec![Vec::new(); n];
    for l in &stretch {
        nbrs[l.a as usize].push(l.b);
        nbrs[l.b as usize].push(l.a);
    }
    for _ in 0..8 {
        let prev = disp.clone();
        for k in 0..n {
            if pushed[k] || nbrs[k].is_empty() {
                continue;
            }
            let s: Vec3A = nbrs[k].iter().map(|&j| prev[j as usize]).sum();
            disp[k] = s * (0.9 / nbrs[k].len() as f32);
        }
    }
    for k in 0..n {
        x[k] += disp[k];
    }

    // 2. XPBD relaxation.
    // Long-range attachments (Kim et al. 2012): no vertex may get farther from its
    // nearest held vertex than the geodesic distance along the mesh (plus the slack),
    // which stops the artificial sag of a few Gauss-Seidel sweeps.
    let tether = tethers(&x, &stretch, &floor_y, ground);
    let h = params.dt_s / params.substeps as f32;
    // Per link, the XPBD step with the multiplier restarted each substep (small steps):
    // Δx_a = w_a / (w_a + w_b + α/h²) · (rest − len) · d/len, so precompute the factors.
    let solved = |links: &[Link]| -> Vec<Solved> {
        links
            .iter()
            .map(|l| {
                let (wa, wb) = (inv_mass[l.a as usize], inv_mass[l.b as usize]);
                let k = 1.0 / (wa + wb + l.alpha / (h * h));
                Solved {
                    a: l.a,
                    b: l.b,
                    rest: l.rest,
                    ka: wa * k,
                    kb: wb * k,
                }
            })
            .collect()
    };
    let (stretch_k, bend_k) = (solved(&stretch), solved(&bend));
    let g = Vec3A::from(params.gravity);
    let keep = 1.0 - params.damping;
    let mut v = vec![Vec3A::ZERO; n];
    let mut prev = x.clone();
    for step in 0..params.steps {
        // Contacts are tracked by walking over the body mesh; from the second frame on,
        // the ones near the skin are also re-seeded from the grid (a walk can stop in a
        // local minimum, e.g. between arm and torso), in the first substep's contact pass.
        let reseed = step > 0;
        for sub in 0..params.substeps {
            prev.copy_from_slice(&x);
            for (xk, vk) in x.iter_mut().zip(v.iter_mut()) {
                *vk += g * h;
                *xk += *vk * h;
            }
            // Bending is soft and slow: every BEND_EVERY-th substep is enough (and cheaper).
            let sets: &[&[Solved]] = if sub % BEND_EVERY == 0 {
                &[&stretch_k, &bend_k]
            } else {
                &[&stretch_k]
            };
            for links in sets {
                for l in links.iter() {
                    let (a, b) = (l.a as usize, l.b as usize);
                    let d = x[a] - x[b];
                    let len = d.length();
                    if len < 1e-9 {
                        continue;
                    }
                    let corr = d * ((l.rest - len) / len);
                    x[a] += corr * l.ka;
                    x[b] -= corr * l.kb;
                }
            }
            for (k, t) in tether.iter().enumerate() {
                if let Some((anchor, max_len)) = *t {
                    let d = x[k] - x[anchor as usize];
                    let len = d.length();
                    if len > max_len {
                        x[k] -= d * ((len - max_len) / len);
                    }
                }
            }
            for k in 0..n {
                if sub == 0 {
                    // Walk to the nearest vertex once per step (re-seeded near the skin);
                    // later substeps reuse its tangent plane (the cloth moves millimetres
                    // per substep).
                    contact[k] = match contact[k] {
                        Some(b0) if reseed && grid.depth(x[k], b0).0 < RESEED_NEAR_M => {
                            Some(grid.walk_reseeded(x[k], b0))
                        }
                        Some(b0) => Some(grid.walk(x[k], b0)),
                        None if reseed => grid.nearest(x[k], RESEED_NEAR_M + 0.02),
                        None => None,
                    };
                }
                if let Some(hold) = arm_hold.get(k) {
                    // The arm segment's direction and the largest position along it
                    // (w = ∞: not on an arm).
                    let axis = Vec3A::from(hold.truncate());
                    let over = axis.dot(x[k]) - hold.w;
                    if over > 0.0 {
                        x[k] -= axis * over;
                    }
                }
                if let Some(b) = contact[k] {
                    let (d, nb) = grid.depth(x[k], b);
                    if d < params.thickness_m {
                        x[k] += nb * (params.thickness_m - d);
                        // Simple friction: damp the tangential part of this substep's move.
                        let mv = x[k] - prev[k];
                        let tangential = mv - nb * mv.dot(nb);
                        x[k] -= tangential * params.friction;
                    }
                }
                if x[k].y < floor_y[k] {
                    x[k].y = floor_y[k];
                }
                v[k] = (x[k] - prev[k]) / h * keep;
            }
        }
    }

    // Report.
    let positions: Vec<[f32; 3]> = x.iter().map(|p| p.to_array()).collect();
    let mut sum = vec![0.0f32; n];
    let mut cnt = vec![0u32; n];
    for l in &stretch {
        let (a, b) = (l.a as usize, l.b as usize);
        let e = (x[a] - x[b]).length() / l.rest - 1.0;
        sum[a] += e;
        sum[b] += e;
        cnt[a] += 1;
        cnt[b] += 1;
    }
    let strain: Vec<f32> = sum
        .iter()
        .zip(&cnt)
        .map(|(s, c)| if *c > 0 { s / *c as f32 } else { 0.0 })
        .collect();
    let mean_strain = strain.iter().map(|s| f64::from(*s)).sum::<f64>() / n as f64;
    let mean_stretch = strain.iter().map(|s| f64::from(s.max(0.0))).sum::<f64>() / n as f64;
    let last: Vec<Option<u32>> = x
        .iter()
        .zip(&contact)
        .map(|(p, c)| grid.reseed(*p, START_SEARCH_M, *c))
        .collect();
    let ease_cm = grid.ease_cm(&x, &last);
    let inside_share_3mm = share_inside(&ease_cm, 0.3);
    Ok(Draped {
        positions,
        strain,
        mean_strain,
        mean_stretch,
        ease_cm,
        inside_share_3mm,
        inside_share_start_3mm: inside_start,
        steps_run: params.steps,
    })
}

/// Every triangle side as (lower vertex, upper vertex, opposite vertex), in ascending
/// order: a counting sort on the lower vertex, then a sort of each vertex's few entries
/// (the order of one global sort, without its cost).
fn half_edges(tris: &[[u32; 3]], n: usize) -> Vec<(u32, u32, u32)> {
    let sides = || {
        tris.iter().flat_map(|t| {
            (0..3).filter_map(move |k| {
                let (a, b, o) = (t[k], t[(k + 1) % 3], t[(k + 2) % 3]);
                (a != b).then(|| (a.min(b), a.max(b), o))
            })
        })
    };
    let mut start = vec![0u32; n + 1];
    for (a, _, _) in sides() {
        start[a as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut half = vec![(0, 0, 0); start[n] as usize];
    for e in sides() {
        let f = &mut fill[e.0 as usize];
        half[*f as usize] = e;
        *f += 1;
    }
    for w in start.windows(2) {
        half[w[0] as usize..w[1] as usize].sort_unstable();
    }
    half
}

/// Stable sort by an integer key: a counting sort when the keys span a small range (the
/// millimetre heights of a garment), else the library sort.
fn sort_by_small_key<T: Copy>(items: &mut Vec<T>, key: impl Fn(&T) -> i64) {
    let keys: Vec<i64> = items.iter().map(&key).collect();
    let (lo, hi) = keys
        .iter()
        .fold((i64::MAX, i64::MIN), |(a, b), &k| (a.min(k), b.max(k)));
    if items.is_empty() || hi.saturating_sub(lo) > 1 << 16 {
        items.sort_by_cached_key(key);
        return;
    }
    let mut start = vec![0usize; (hi - lo) as usize + 2];
    for k in &keys {
        start[(k - lo) as usize + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut out = items.clone();
    for (item, k) in items.iter().zip(&keys) {
        let slot = &mut start[(k - lo) as usize];
        out[*slot] = *item;
        *slot += 1;
    }
    *items = out;
}

/// Links are reordered in blocks of this many ([`spread_shared_vertices`]).
const SPREAD_BLOCK: usize = 64;
/// Stride of the reordering within a block.
const SPREAD_STRIDE: usize = 8;

/// Reorders links locally so that consecutive links rarely share a vertex: within each
/// block of [`SPREAD_BLOCK`] links (a few millimetres of height in the top-down order)
/// they are taken with a stride of [`SPREAD_STRIDE`]. A vertex's links sit next to each
/// other after the sort, and a Gauss-Seidel sweep is a chain through `sqrt` and a
/// division wherever a link reads the vertex the previous one just wrote; independent
/// neighbours let the CPU overlap several links.
fn spread_shared_vertices(links: &[Link]) -> Vec<Link> {
    let mut out = Vec::with_capacity(links.len());
    for block in links.chunks(SPREAD_BLOCK) {
        for first in 0..SPREAD_STRIDE.min(block.len()) {
            out.extend(block.iter().skip(first).step_by(SPREAD_STRIDE));
        }
    }
    out
}

/// How far a sleeve vertex may slide down its arm segment beyond its start, m.
const ARM_SLIDE_M: f32 = 0.005;

/// Per cloth vertex on an arm (within 12 cm of the shoulder → elbow → wrist chain,
/// beyond 15 cm from the shoulder joint along the upper arm and outwards of it; holding
/// from 3 cm on kept tight short sleeves from settling: 0.81 % of vertices inside instead
/// of 0.52 %): the
/// direction of its arm segment (xyz) and the largest allowed position along it (w: start
/// + [`ARM_SLIDE_M`]); other vertices get a zero direction and w = ∞.
fn arm_holds(x: &[Vec3A], arms: &[[[f32; 3]; 3]; 2]) -> Vec<Vec4> {
    let mut out = vec![Vec4::new(0.0, 0.0, 0.0, f32::INFINITY); x.len()];
    for arm in arms {
        let [s, e, w] = arm.map(Vec3A::from);
        let (upper, fore) = (e - s, w - e);
        let (lu, lf) = (upper.length(), fore.length());
        if !(lu > 0.05 && lf > 0.05 && upper.is_finite() && fore.is_finite()) {
            continue;
        }
        let (u, f) = (upper / lu, fore / lf);
        // Outwards of the shoulder joint only: the torso beside the upper arm hangs freely.
        let side = if w.x >= s.x { 1.0 } else { -1.0 };
        for (p, o) in x.iter().zip(out.iter_mut()) {
            let (tu, tf) = ((*p - s).dot(u), (*p - e).dot(f));
            let du = (*p - s - u * tu.clamp(0.0, lu)).length();
            let df = (*p - e - f * tf.clamp(0.0, lf)).length();
            let best = if tf > 0.0 && df < du {
                (f, df)
            } else {
                (u, du)
            };
            let limit = best.0.dot(*p) + ARM_SLIDE_M;
            if tu > 0.15
                && (p.x - s.x) * side > 0.0
                && best.1 < 0.12
                && best.1.is_finite()
                && limit.is_finite()
            {
                *o = best.0.extend(limit);
            }
        }
    }
    out
}

/// Slack of the long-range attachments over the geodesic rest distance.
const TETHER_SLACK: f32 = 0.01;

/// For every vertex the nearest held vertex by geodesic distance (Dijkstra over the
/// stretch edges from all held vertices, at the start positions) and the tether length; `None` for held vertices
/// and for parts not connected to any.
fn tethers(
    start: &[Vec3A],
    links: &[Link],
    floor_y: &[f32],
    ground: f32,
) -> Vec<Option<(u32, f32)>> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let n = start.len();
    let mut adj: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n];
    for l in links {
        // The longer of rest and start length: a tether must not yank the carried
        // garment (scaled to the avatar's stature) back in one substep; the stretch
        // constraints restore rest lengths gently.
        let w = l
            .rest
            .max((start[l.a as usize] - start[l.b as usize]).length());
        adj[l.a as usize].push((l.b, w));
        adj[l.b as usize].push((l.a, w));
    }
    let mut dist = vec![f32::INFINITY; n];
    let mut src = vec![u32::MAX; n];
    let mut heap = BinaryHeap::new();
    for k in 0..n {
        if floor_y[k] > ground {
            dist[k] = 0.0;
            src[k] = k as u32;
            // Non-negative floats order like their bit patterns.
            heap.push(Reverse((0u32, k as u32)));
        }
    }
    while let Some(Reverse((bits, k))) = heap.pop() {
        let d = f32::from_bits(bits);
        if d > dist[k as usize] {
            continue;
        }
        for &(j, w) in &adj[k as usize] {
            let nd = d + w;
            if nd < dist[j as usize] {
                dist[j as usize] = nd;
                src[j as usize] = src[k as usize];
                heap.push(Reverse((nd.to_bits(), j)));
            }
        }
    }
    (0..n)
        .map(|k| {
            (dist[k] > 0.0 && dist[k].is_finite()).then(|| (src[k], dist[k] * (1.0 + TETHER_SLACK)))
        })
        .collect()
}

/// The whole fitting step in one call: [`carry`] the authored garment onto the avatar,
/// then [`drape`] it with [`DrapeParams::for_category`]. `ref_stature_m` is the stature of
/// the body the garment was modelled on (see
/// `doppel_garment::generate::reference_stature_cm`). A bare surface has no joints, so
/// sleeves stay as authored: use [`dress_on`] with [`BodyCollider::with_joints`] to turn
/// them to the avatar's arms.
pub fn dress(
    garment_positions: &[[f32; 3]],
    garment_indices: &[u32],
    ref_stature_m: f32,
    body: &BodySurface,
    fabric: &Fabric,
    category: Category,
) -> Result<Draped, DrapeError> {
    dress_on(
        &BodyCollider::new(body)?,
        garment_positions,
        garment_indices,
        ref_stature_m,
        fabric,
        category,
    )
}

/// [`dress`] on a prepared body (the call for a viewer that switches sizes): starts from
/// [`carry_on`], so with the avatar's joints ([`BodyCollider::with_joints`]) the sleeves
/// of tops follow its arms.
pub fn dress_on(
    body: &BodyCollider,
    garment_positions: &[[f32; 3]],
    garment_indices: &[u32],
    ref_stature_m: f32,
    fabric: &Fabric,
    category: Category,
) -> Result<Draped, DrapeError> {
    let start = carry_on(body, garment_positions, ref_stature_m, category);
    drape_on(
        body,
        &ClothMesh {
            rest: garment_positions,
            start: &start,
            indices: garment_indices,
        },
        fabric,
        &DrapeParams::for_category(category),
    )
}

/// Body levels (keys of `doppel_body`'s `levels_m`) whose girth strain
/// [`region_strain_pct`] reports, with the fit-analysis region each feeds.
pub const STRAIN_LEVELS: [(&str, Region); 4] = [
    ("chest", Region::Chest),
    ("waist", Region::Waist),
    ("hip", Region::Hip),
    ("thigh", Region::Thigh),
];

/// Half-height of the band around a body level whose garment edges count, m.
pub const STRAIN_BAND_M: f32 = 0.025;

/// Girth strain of the draped garment at the body's landmark levels, in %: over the
/// garment edges that run around the body (more horizontal than vertical) within
/// [`STRAIN_BAND_M`] of the level, draped length / authored length − 1. This is how much
/// the garment is stretched around the chest, waist, hip or thigh on this body (the
/// chart-based [`crate::analysis::RegionFit::strain_pct`] estimates the same from
/// measurements). Levels the garment does not cover by the band on both sides are
/// left out. Negative: the garment hangs looser there than authored (gravity pulls
/// the fabric down, so girth edges can shorten slightly). `levels_m` is the avatar's
/// `levels_m` (heights above the soles); regions without a level or without garment
/// edges there are left out, as are meshes that do not match (`positions` and `rest`
/// differ in length, or an index is out of range: nothing is reported).
pub fn region_strain_pct(
    rest: &[[f32; 3]],
    indices: &[u32],
    positions: &[[f32; 3]],
    levels_m: &std::collections::BTreeMap<String, f64>,
) -> Vec<(Region, f64)> {
    let n = rest.len();
    if positions.len() != n || indices.iter().any(|&i| i as usize >= n) {
        return Vec::new();
    }
    let (lo, hi) = positions
        .iter()
        .fold((f32::MAX, f32::MIN), |(l, h), p| (l.min(p[1]), h.max(p[1])));
    let mut out = Vec::new();
    for (key, region) in STRAIN_LEVELS {
        let Some(&y) = levels_m.get(key) else {
            continue;
        };
        let y = y as f32;
        // Only levels the garment covers with room to spare: at its edge (a waistband
        // just above the navel, a hem at the thigh) the few edges there say little.
        if !(lo <= y - STRAIN_BAND_M && hi >= y + STRAIN_BAND_M) {
            continue;
        }
        let (mut now, mut authored) = (0.0f64, 0.0f64);
        for t in indices.chunks_exact(3) {
            for k in 0..3 {
                let (a, b) = (t[k] as usize, t[(k + 1) % 3] as usize);
                let (pa, pb) = (Vec3::from(positions[a]), Vec3::from(positions[b]));
                let d = pb - pa;
                let inside = (pa.y - y).abs() <= STRAIN_BAND_M && (pb.y - y).abs() <= STRAIN_BAND_M;
                // Around the body: mostly horizontal now (each edge is counted once per
                // triangle beside it, which weighs every edge alike on a closed mesh).
                if inside && d.y.abs() < 0.5 * d.length() {
                    let r = (Vec3::from(rest[b]) - Vec3::from(rest[a])).length();
                    if r.is_finite() && d.length().is_finite() {
                        now += f64::from(d.length());
                        authored += f64::from(r);
                    }
                }
            }
        }
        if authored > 1e-6 {
            out.push((region, 100.0 * (now / authored - 1.0)));
        }
    }
    out
}

/// Splits every triangle into four at its edge midpoints (shared midpoints reused): raises a
/// garment mesh's resolution for draping (the benchmarks drape the sample hoodie at ~8k
/// vertices this way).
pub fn subdivide(pos: &[[f32; 3]], idx: &[u32]) -> Result<(Vec<[f32; 3]>, Vec<u32>), DrapeError> {
    if !idx.len().is_multiple_of(3) {
        return Err(DrapeError::IndexCount(idx.len()));
    }
    if let Some((k, &index)) = idx
        .iter()
        .enumerate()
        .find(|(_, i)| **i as usize >= pos.len())
    {
        return Err(DrapeError::IndexRange {
            triangle: k / 3,
            index,
            count: pos.len(),
        });
    }
    let mut p = pos.to_vec();
    let mut mid: std::collections::HashMap<(u32, u32), u32> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(idx.len() * 4);
    let mut m = |a: u32, b: u32, p: &mut Vec<[f32; 3]>| {
        *mid.entry((a.min(b), a.max(b))).or_insert_with(|| {
            let (u, v) = (p[a as usize], p[b as usize]);
            p.push([
                (u[0] + v[0]) / 2.0,
                (u[1] + v[1]) / 2.0,
                (u[2] + v[2]) / 2.0,
            ]);
            (p.len() - 1) as u32
        })
    };
    for t in idx.chunks_exact(3) {
        let (a, b, c) = (t[0], t[1], t[2]);
        let (ab, bc, ca) = (m(a, b, &mut p), m(b, c, &mut p), m(c, a, &mut p));
        out.extend([a, ab, ca, ab, b, bc, ca, bc, c, ab, bc, ca]);
    }
    Ok((p, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use doppel_body::avatar::{AvatarMesh, build_avatar};
    use doppel_body::{BodyInput, Sex};
    use doppel_garment::catalog::{CheckOptions, Product, check_catalog};
    use doppel_garment::generate::{reference_stature_cm, sample_catalog};
    use doppel_garment::mesh::{GarmentMesh, check_glb};
    use std::collections::BTreeMap;

    fn avatar(sex: Sex, h: f64, w: f64) -> AvatarMesh {
        let input = BodyInput::new(sex, h, w, Some(35.0), []).expect("valid input");
        build_avatar(&input).expect("avatar").mesh
    }

    fn body(m: &AvatarMesh) -> BodySurface<'_> {
        BodySurface {
            positions: &m.positions,
            normals: &m.normals,
            indices: &m.indices,
        }
    }

    /// The sample catalog, generated in memory: products and their meshes by path.
    fn catalog() -> (Vec<Product>, BTreeMap<String, GarmentMesh>) {
        let files: BTreeMap<String, Vec<u8>> =
            sample_catalog().expect("generates").into_iter().collect();
        let read = |p: &str| files.get(p).cloned().ok_or_else(|| "missing".to_string());
        let text = String::from_utf8(files["catalog.json"].clone()).expect("utf8");
        let rep = check_catalog(&text, &read, CheckOptions { meshes: false });
        let meshes = files
            .iter()
            .filter(|(p, _)| p.ends_with(".glb"))
            .map(|(p, b)| (p.clone(), check_glb(b).mesh.expect("valid mesh")))
            .collect();
        (rep.products, meshes)
    }

    /// The collider as the CLI builds it: with the avatar's arm joints.
    fn collider(m: &AvatarMesh) -> BodyCollider {
        BodyCollider::new(&body(m))
            .expect("collider")
            .with_joints(&m.joints)
    }

    fn dress_size(
        p: &Product,
        label: &str,
        meshes: &BTreeMap<String, GarmentMesh>,
        c: &BodyCollider,
    ) -> Draped {
        let s = p.size(label).expect("size");
        let m = &meshes[s.mesh.as_deref().expect("mesh")];
        let h = reference_stature_cm(&p.chart.name, label).expect("known chart") as f32 / 100.0;
        dress_on(c, &m.positions, &m.indices, h, &p.fabric, p.category).expect("drapes")
    }

    fn hem_y(d: &Draped) -> f32 {
        d.positions.iter().map(|p| p[1]).fold(f32::MAX, f32::min)
    }

    /// Every size of every sample product on two bodies per sex: within the budget of
    /// ≤ 1 % of vertices more than 3 mm inside; the smallest size is more stretched than
    /// the largest, and the largest top hangs lower.
    #[test]
    fn subdivide_quadruples_and_checks_indices() {
        let pos = [
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [1.0, 1.0, 0.0],
        ];
        let (p, i) = subdivide(&pos, &[0, 1, 2, 1, 3, 2]).expect("valid");
        // 4 corners + 5 distinct edge midpoints (the shared diagonal once).
        assert_eq!((p.len(), i.len()), (9, 24));
        assert_eq!(p[4], [0.5, 0.0, 0.0]);
        assert!(matches!(
            subdivide(&pos, &[0, 1]),
            Err(DrapeError::IndexCount(2))
        ));
        assert!(matches!(
            subdivide(&pos, &[0, 1, 9]),
            Err(DrapeError::IndexRange { index: 9, .. })
        ));
    }

    #[test]
    fn sample_catalog_drapes_on_two_bodies_per_sex() {
        let (products, meshes) = catalog();
        let bodies = [
            (Sex::Male, 178.0, 80.0),
            (Sex::Male, 168.0, 95.0),
            (Sex::Female, 165.0, 62.0),
            (Sex::Female, 174.0, 82.0),
        ];
        let mut drapes = 0;
        for (sex, h, w) in bodies {
            let av = avatar(sex, h, w);
            let b = collider(&av);
            // The exact nearest-vertex ease of the fit map, independent of the solver's
            // contact tracking.
            let exact = crate::fitmap::BodyIndex::new(&av.positions, &av.normals);
            for p in products.iter().filter(|p| p.sex == sex) {
                let mut runs = Vec::new();
                for s in &p.sizes {
                    let d = dress_size(p, &s.label, &meshes, &b);
                    let ease: Vec<f32> = d.positions.iter().map(|q| exact.ease_cm(*q)).collect();
                    let inside = share_inside(&ease, 0.3);
                    assert!(
                        inside <= 0.01,
                        "{} {} on {h}/{w}: {inside:.4} inside (fit map)",
                        p.id,
                        s.label
                    );
                    assert!(
                        d.inside_share_3mm <= 0.01,
                        "{} {} on {h}/{w}: {:.4} inside",
                        p.id,
                        s.label,
                        d.inside_share_3mm
                    );
                    assert!(d.positions.iter().flatten().all(|c| c.is_finite()));
                    runs.push(d);
                    drapes += 1;
                }
                let (small, large) = (&runs[0], &runs[runs.len() - 1]);
                assert!(
                    small.mean_strain > large.mean_strain + 0.005,
                    "{} on {h}/{w}: strain {} vs {}",
                    p.id,
                    small.mean_strain,
                    large.mean_strain
                );
                if !p.category.is_bottom() {
                    assert!(
                        hem_y(large) < hem_y(small) - 0.02,
                        "{} on {h}/{w}: hem {} vs {}",
                        p.id,
                        hem_y(large),
                        hem_y(small)
                    );
                }
            }
        }
        assert!(drapes >= 96, "{drapes}");
    }

    #[test]
    fn drape_is_deterministic() {
        let (products, meshes) = catalog();
        let av = avatar(Sex::Female, 165.0, 62.0);
        let b = collider(&av);
        for id in ["dress-women", "hoodie-women"] {
            let p = products.iter().find(|p| p.id == id).expect("product");
            let a = dress_size(p, "38", &meshes, &b);
            let c = dress_size(p, "38", &meshes, &b);
            assert_eq!(a, c);
        }
    }

    /// Distance of each cuff's centre from the forearm line (elbow → wrist joint), m, left
    /// arm first. The cuff ring: the authored vertices farthest along the authored 45°
    /// sleeve direction on that side.
    fn cuff_offsets(authored: &[[f32; 3]], placed: &[[f32; 3]], av: &AvatarMesh) -> [f32; 2] {
        [(1.0f32, "left"), (-1.0, "right")].map(|(side, name)| {
            let dir = Vec3::new(side, -1.0, 0.0).normalize();
            let along: Vec<(usize, f32)> = authored
                .iter()
                .enumerate()
                .filter(|(_, q)| q[0] * side > 0.25)
                .map(|(k, q)| (k, Vec3::from(*q).dot(dir)))
                .collect();
            let max = along.iter().map(|a| a.1).fold(f32::MIN, f32::max);
            let ring: Vec<Vec3> = along
                .iter()
                .filter(|a| a.1 > max - 0.005)
                .map(|a| Vec3::from(placed[a.0]))
                .collect();
            assert!(ring.len() >= 4, "cuff ring of {} vertices", ring.len());
            let centre = ring.iter().sum::<Vec3>() / ring.len() as f32;
            let el = Vec3::from(av.joints[&format!("elbow_{name}")]);
            let arm = (Vec3::from(av.joints[&format!("wrist_{name}")]) - el).normalize();
            let r = centre - el;
            (r - arm * r.dot(arm)).length()
        })
    }

    #[test]
    fn bottoms_drape_the_same_with_or_without_the_arms() {
        // Neither the sleeve turn nor the sleeve hold applies to trousers: the widest
        // jeans on a heavy body drape identically whether the collider knows the arms.
        let (products, meshes) = catalog();
        let av = avatar(Sex::Male, 168.0, 95.0);
        let with = collider(&av);
        let without = BodyCollider::new(&body(&av)).expect("collider");
        let p = products
            .iter()
            .find(|p| p.id == "jeans-men")
            .expect("jeans");
        let label = &p.sizes[p.sizes.len() - 1].label;
        let a = dress_size(p, label, &meshes, &with);
        let b = dress_size(p, label, &meshes, &without);
        assert_eq!(a.positions, b.positions);
        assert!(!DrapeParams::for_category(p.category).hold_sleeves);
        assert!(DrapeParams::for_category(Category::Shirt).hold_sleeves);
    }

    #[test]
    fn long_sleeves_start_at_the_shoulder_tip() {
        // shirt-men L's shoulder line carried onto the man 178/80 lies 2.8 cm below his
        // shoulder tip, so its turned cuff started 5.8 cm past the wrist (2.6 cm of it
        // ease and grading); lifted, about 2 cm less.
        let (products, meshes) = catalog();
        let av = avatar(Sex::Male, 178.0, 80.0);
        let c = collider(&av);
        let acr = c.acromions.expect("shoulder tips");
        for (k, name) in ["left", "right"].into_iter().enumerate() {
            let tip = Vec3::from(acr[k]);
            let joint = Vec3::from(av.joints[&format!("shoulder_{name}")]);
            // Above the joint, outwards of it, within a few cm.
            assert!(
                tip.y - joint.y > 0.02 && (tip - joint).length() < 0.08,
                "{name}: {tip} vs {joint}"
            );
        }
        let j = |n: &str| av.joints[n];
        let arms = [
            [j("shoulder_left"), j("elbow_left"), j("wrist_left")],
            [j("shoulder_right"), j("elbow_right"), j("wrist_right")],
        ];
        for (id, label, lifted) in [("shirt-men", "L", true), ("tshirt-men", "L", false)] {
            let p = products.iter().find(|p| p.id == id).expect("product");
            let m = &meshes[p.size(label).and_then(|s| s.mesh.as_deref()).expect("mesh")];
            let hs = reference_stature_cm(&p.chart.name, label).expect("chart") as f32 / 100.0;
            let mut turned = carry(&m.positions, hs, &c.positions, false);
            for [s, e, w] in arms {
                turn_sleeves(&mut turned, s, e, w);
            }
            let start = carry_on(&c, &m.positions, hs, p.category);
            // How far the sleeve moved up the arm: the lowest vertex on each side rises
            // (about 1 cm: the forearm points forwards as much as down).
            for side in [1.0f32, -1.0] {
                let low = |pos: &[[f32; 3]]| {
                    pos.iter()
                        .filter(|q| q[0] * side > 0.25)
                        .map(|q| q[1])
                        .fold(f32::MAX, f32::min)
                };
                let up = low(&start) - low(&turned);
                if lifted {
                    assert!((0.005..0.04).contains(&up), "{id}: cuff lifted {up} m");
                } else {
                    assert_eq!(start, turned, "{id}: short sleeves are not lifted");
                }
            }
        }
        // Non-finite input is left alone.
        let mut odd = vec![[f32::NAN, 1.0, 0.0], [0.3, 1.2, 0.0]];
        let before = odd.clone();
        lift_sleeves(&mut odd, arms[0][0], arms[0][2], [f32::INFINITY, 0.0, 0.0]);
        assert_eq!(format!("{odd:?}"), format!("{before:?}"));
    }

    #[test]
    fn long_sleeves_do_not_slide_down_the_arms() {
        // Gravity slid the cuff of shirt-men L on the man 178/80 2.5–2.9 cm further down
        // the forearm than where the carry put it (BENCHMARKS.md, `sleeve_offset`).
        let (products, meshes) = catalog();
        let av = avatar(Sex::Male, 178.0, 80.0);
        let c = collider(&av);
        let p = products
            .iter()
            .find(|p| p.id == "shirt-men")
            .expect("product");
        let m = &meshes[p.size("L").and_then(|s| s.mesh.as_deref()).expect("mesh")];
        let hs = reference_stature_cm(&p.chart.name, "L").expect("chart") as f32 / 100.0;
        let start = carry_on(&c, &m.positions, hs, p.category);
        let draped = dress_on(&c, &m.positions, &m.indices, hs, &p.fabric, p.category)
            .expect("drapes")
            .positions;
        for (side, name) in [(1.0f32, "left"), (-1.0, "right")] {
            let el = Vec3::from(av.joints[&format!("elbow_{name}")]);
            let fore = (Vec3::from(av.joints[&format!("wrist_{name}")]) - el).normalize();
            // The cuff ring: authored vertices farthest along the authored 45° sleeve.
            let dir = Vec3::new(side, -1.0, 0.0).normalize();
            let along: Vec<(usize, f32)> = m
                .positions
                .iter()
                .enumerate()
                .filter(|(_, q)| q[0] * side > 0.25)
                .map(|(k, q)| (k, Vec3::from(*q).dot(dir)))
                .collect();
            let max = along.iter().map(|a| a.1).fold(f32::MIN, f32::max);
            let ring: Vec<usize> = along
                .iter()
                .filter(|a| a.1 > max - 0.005)
                .map(|a| a.0)
                .collect();
            assert!(ring.len() >= 4, "cuff ring of {} vertices", ring.len());
            let at = |pos: &[[f32; 3]]| {
                let c = ring.iter().map(|&k| Vec3::from(pos[k])).sum::<Vec3>() / ring.len() as f32;
                (c - el).dot(fore)
            };
            let slide = at(&draped) - at(&start);
            println!(
                "shirt-men L on 178/80, {name} cuff slid {:.1} cm down the forearm",
                slide * 100.0
            );
            assert!(slide < 0.01, "{name} cuff slid {slide} m down the forearm");
        }
    }

    #[test]
    fn sleeves_follow_the_arms() {
        // The avatar's arms hang about 47° below horizontal and reach about 20 cm forwards
        // (wrist in front of the shoulder); the sample sleeves are authored at 45° in the
        // frontal plane, so without turning a long sleeve's cuff drapes 19–28 cm off the
        // forearm (BENCHMARKS.md, `sleeve_offset` example).
        let (products, meshes) = catalog();
        for (sex, h, w, id, label) in [
            (Sex::Male, 178.0, 80.0, "hoodie-men", "M"),
            (Sex::Male, 168.0, 95.0, "shirt-men", "XL"),
            (Sex::Female, 165.0, 62.0, "hoodie-women", "38"),
        ] {
            let av = avatar(sex, h, w);
            let turned = collider(&av);
            let plain = BodyCollider::new(&body(&av)).expect("collider");
            let p = products.iter().find(|p| p.id == id).expect("product");
            let m = &meshes[p.size(label).and_then(|s| s.mesh.as_deref()).expect("mesh")];
            let hs = reference_stature_cm(&p.chart.name, label).expect("chart") as f32 / 100.0;
            let run = |c: &BodyCollider| {
                dress_on(c, &m.positions, &m.indices, hs, &p.fabric, p.category)
                    .expect("drapes")
                    .positions
            };
            let before = cuff_offsets(&m.positions, &run(&plain), &av);
            let after = cuff_offsets(&m.positions, &run(&turned), &av);
            // Reported in BENCHMARKS.md (`cargo test -p doppel-fit sleeves_follow -- --nocapture`).
            println!(
                "{id} {label} on {h}/{w}: cuff centre off the forearm line, as authored {before:?} m, turned {after:?} m"
            );
            for k in 0..2 {
                assert!(before[k] > 0.15, "{id} on {h}/{w}: as authored {before:?}");
                // The cuff (about 22–26 cm round) sits around the wrist: its centre within
                // a few cm of the arm line.
                assert!(after[k] < 0.07, "{id} on {h}/{w}: turned {after:?}");
            }
            // The carried start already follows the arm; the torso is left alone.
            let carried = carry_on(&turned, &m.positions, hs, p.category);
            let c = cuff_offsets(&m.positions, &carried, &av);
            assert!(c[0] < 0.04 && c[1] < 0.04, "{id} carried {c:?}");
            let plain_start = carry_on(&plain, &m.positions, hs, p.category);
            let waist_y = av.levels_m["waist"] as f32;
            for (a, b) in plain_start.iter().zip(&carried) {
                if a[1] < waist_y && a[0].abs() < 0.3 {
                    assert_eq!(a, b, "{id}: a torso vertex below the waist moved");
                }
            }
        }
    }

    #[test]
    fn spreading_links_keeps_every_link_once_within_its_block() {
        for n in [0usize, 1, 7, 63, 64, 65, 130, 200] {
            let links: Vec<Link> = (0..n as u32)
                .map(|k| Link {
                    a: k,
                    b: k + 1,
                    rest: 0.0,
                    alpha: 0.0,
                })
                .collect();
            let out: Vec<u32> = spread_shared_vertices(&links).iter().map(|l| l.a).collect();
            // A permutation that moves no link out of its block of 64.
            let mut sorted = out.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..n as u32).collect::<Vec<_>>(), "n = {n}");
            for (k, a) in out.iter().enumerate() {
                assert_eq!(k / SPREAD_BLOCK, *a as usize / SPREAD_BLOCK, "n = {n}");
            }
            // In a full block, neighbours in the new order are a stride apart.
            if n >= SPREAD_BLOCK {
                assert_eq!(out[1] - out[0], SPREAD_STRIDE as u32);
            }
        }
    }

    #[test]
    fn an_arm_not_reaching_outwards_is_not_turned() {
        // The generated avatars' arms (an A-pose) all reach outwards, slim to heavy.
        for (sex, h, w) in [
            (Sex::Female, 150.0, 40.0),
            (Sex::Female, 180.0, 125.0),
            (Sex::Male, 195.0, 65.0),
            (Sex::Male, 160.0, 120.0),
        ] {
            assert!(collider(&avatar(sex, h, w)).arms.is_some(), "{h}/{w}");
        }
        let av = avatar(Sex::Female, 165.0, 62.0);
        assert!(collider(&av).arms.is_some());
        let side = av.joints["shoulder_left"][0] - av.joints["shoulder_right"][0];
        for name in ["wrist_left", "wrist_right"] {
            let mut joints = av.joints.clone();
            let shoulder = joints[&name.replace("wrist", "shoulder")];
            let inwards = if name.ends_with("left") { -side } else { side };
            if let Some(w) = joints.get_mut(name) {
                // The wrist 2 cm inwards of its shoulder (an arm hanging straight).
                w[0] = shoulder[0] + 0.02 * inwards.signum();
            }
            let c = BodyCollider::new(&body(&av))
                .expect("collider")
                .with_joints(&joints);
            assert!(c.arms.is_none(), "{name}");
        }
        // Why: turned with such an arm, a chest vertex in front of the shoulder moves.
        let chest = [[0.05, 1.25, 0.1]];
        let mut t = chest;
        turn_sleeves(
            &mut t,
            [0.2, 1.4, 0.0],
            [0.18, 1.15, 0.05],
            [0.17, 0.9, 0.1],
        );
        assert_ne!(t, chest);
    }

    #[test]
    fn turn_sleeves_leaves_odd_arms_alone() {
        let g = vec![[0.5, 1.0, 0.0], [f32::NAN, 1.0, 0.0], [0.3, 1.2, 0.0]];
        let s = [0.2, 1.4, 0.0];
        for (e, w) in [
            ([0.2, 1.4, 0.0], [0.5, 1.05, 0.2]),      // zero-length upper arm
            ([0.35, 1.45, 0.0], [0.5, 1.6, 0.0]),     // pointing up
            ([0.35, 1.2, 0.1], [f32::NAN, 1.0, 0.0]), // not finite
        ] {
            let mut t = g.clone();
            turn_sleeves(&mut t, s, e, w);
            assert_eq!(format!("{t:?}"), format!("{g:?}"));
        }
        // A straight arm: one turn about the shoulder, which keeps the far sleeve point's
        // distance from the shoulder.
        let mut t = g.clone();
        turn_sleeves(&mut t, s, [0.35, 1.225, 0.1], [0.5, 1.05, 0.2]);
        let d = |p: [f32; 3]| Vec3::from(p).distance(Vec3::from(s));
        assert!(Vec3::from(t[0]).distance(Vec3::from(g[0])) > 0.05, "{t:?}");
        assert!((d(t[0]) - d(g[0])).abs() < 1e-5);
        assert!(t[1][0].is_nan());
        // Finite but huge input stays finite (products overflowed to inf and NaN here).
        let far = vec![[3e38, -3e38, 0.0], [-3e38, 3e38, 1e38], [1e30, -1e30, 0.0]];
        let mut t = far.clone();
        turn_sleeves(&mut t, s, [0.35, 1.225, 0.1], [0.5, 1.05, 0.2]);
        assert!(t.iter().flatten().all(|c| c.is_finite()), "{t:?}");
    }

    /// A flat square of cloth (n × n vertices, spacing `d`) at height `y`, centred on x = 0.
    fn sheet(n: usize, d: f32, y: f32) -> (Vec<[f32; 3]>, Vec<u32>) {
        let mut p = Vec::new();
        let mut idx = Vec::new();
        for i in 0..n {
            for j in 0..n {
                p.push([
                    (j as f32 - n as f32 / 2.0) * d,
                    y,
                    (i as f32 - n as f32 / 2.0) * d,
                ]);
                if i + 1 < n && j + 1 < n {
                    let k = (i * n + j) as u32;
                    let m = n as u32;
                    idx.extend([k, k + m, k + 1, k + 1, k + m, k + m + 1]);
                }
            }
        }
        (p, idx)
    }

    /// A body stand-in: a ball of radius `r` centred at (0, cy, 0), with a triangle list.
    fn ball(r: f32, cy: f32) -> (Vec<[f32; 3]>, Vec<[f32; 3]>, Vec<u32>) {
        let (rings, segs) = (40usize, 80usize);
        let mut p = Vec::new();
        let mut nrm = Vec::new();
        let mut idx = Vec::new();
        for i in 0..=rings {
            let th = std::f32::consts::PI * i as f32 / rings as f32;
            for j in 0..segs {
                let ph = std::f32::consts::TAU * j as f32 / segs as f32;
                let d = [th.sin() * ph.cos(), th.cos(), th.sin() * ph.sin()];
                p.push([d[0] * r, d[1] * r + cy, d[2] * r]);
                nrm.push(d);
                if i < rings {
                    let a = (i * segs + j) as u32;
                    let b = (i * segs + (j + 1) % segs) as u32;
                    idx.extend([a, b, a + segs as u32, b, b + segs as u32, a + segs as u32]);
                }
            }
        }
        (p, nrm, idx)
    }

    fn fabric() -> Fabric {
        Fabric {
            kind: doppel_garment::catalog::FabricKind::Knit,
            stretch_across_pct: 20.0,
            stretch_along_pct: 10.0,
            weight_gsm: 180.0,
        }
    }

    #[test]
    fn a_sheet_falls_onto_a_ball_and_rests_outside_it() {
        let (bp, bn, bi) = ball(0.2, 1.0);
        let b = BodySurface {
            positions: &bp,
            normals: &bn,
            indices: &bi,
        };
        let (rest, idx) = sheet(31, 0.02, 1.25);
        let prm = DrapeParams {
            steps: 40,
            hold_band_m: 0.0,
            hold_drop_m: 0.0,
            ..DrapeParams::default()
        };
        // hold_band 0 still holds the top row (all vertices start at the same height):
        // allow it to fall by making the drop generous.
        let prm = DrapeParams {
            hold_drop_m: 1.0,
            ..prm
        };
        let cloth = ClothMesh {
            rest: &rest,
            start: &rest,
            indices: &idx,
        };
        let d = drape(&cloth, &b, &fabric(), &prm).expect("drapes");
        // The centre came to rest on top of the ball (radius + thickness), the corners
        // hang lower than the centre, and nothing is inside.
        let centre = d.positions[15 * 31 + 15];
        assert!((centre[1] - 1.2).abs() < 0.02, "{centre:?}");
        assert!(d.positions[0][1] < centre[1] - 0.05, "{:?}", d.positions[0]);
        assert_eq!(d.inside_share_3mm, 0.0);
        assert!(d.inside_share_start_3mm == 0.0);
    }

    #[test]
    fn a_tube_smaller_than_the_body_is_stretched() {
        // A cylinder of cloth, radius 9 cm, around a ball of radius 10 cm: the ball holds
        // it open, so it must report positive strain where it wraps the ball.
        let (bp, bn, bi) = ball(0.10, 1.0);
        let b = BodySurface {
            positions: &bp,
            normals: &bn,
            indices: &bi,
        };
        let (around, rows) = (40usize, 11usize);
        let mut rest = Vec::new();
        let mut idx = Vec::new();
        for r in 0..rows {
            for j in 0..around {
                let t = std::f32::consts::TAU * j as f32 / around as f32;
                rest.push([0.09 * t.cos(), 1.05 - 0.01 * r as f32, 0.09 * t.sin()]);
                if r + 1 < rows {
                    let a = (r * around + j) as u32;
                    let c = (r * around + (j + 1) % around) as u32;
                    let n = around as u32;
                    idx.extend([a, c, a + n, c, c + n, a + n]);
                }
            }
        }
        let cloth = ClothMesh {
            rest: &rest,
            start: &rest,
            indices: &idx,
        };
        let prm = DrapeParams {
            gravity: [0.0; 3],
            ..DrapeParams::default()
        };
        let d = drape(&cloth, &b, &fabric(), &prm).expect("drapes");
        assert!(d.mean_stretch > 0.03, "{}", d.mean_stretch);
        assert!(d.inside_share_3mm <= 0.01, "{}", d.inside_share_3mm);
        assert!(d.inside_share_start_3mm > 0.5);
        // The same tube with a 12 cm radius is not stretched.
        let loose: Vec<[f32; 3]> = rest
            .iter()
            .map(|p| [p[0] * 12.0 / 9.0, p[1], p[2] * 12.0 / 9.0])
            .collect();
        let cloth = ClothMesh {
            rest: &loose,
            start: &loose,
            indices: &idx,
        };
        let l = drape(&cloth, &b, &fabric(), &prm).expect("drapes");
        assert!(l.mean_stretch < 0.01, "{}", l.mean_stretch);
        // Girth strain at the ball's equator: the tight tube goes around the ball plus
        // the cloth gap (r 10.6 cm) instead of its own 9 cm, about +18 % (a 40-gon's
        // chords a little less); the loose tube stays near its own size. A level the tube
        // does not cover (chest at 1.2 m) is left out.
        let levels: std::collections::BTreeMap<String, f64> =
            [("waist".to_string(), 1.0), ("chest".to_string(), 1.2)].into();
        let tight = region_strain_pct(&rest, &idx, &d.positions, &levels);
        assert_eq!(tight.len(), 1, "{tight:?}");
        assert_eq!(tight[0].0, Region::Waist);
        assert!((12.0..=20.0).contains(&tight[0].1), "{tight:?}");
        let relaxed = region_strain_pct(&loose, &idx, &l.positions, &levels);
        assert!(relaxed[0].1.abs() < 2.0, "{relaxed:?}");
        // Mismatched meshes report nothing instead of panicking.
        assert!(region_strain_pct(&rest, &idx, &l.positions[1..], &levels).is_empty());
        assert!(region_strain_pct(&rest, &[0, 1, 9999], &d.positions, &levels).is_empty());
    }

    #[test]
    fn bad_input_is_named_and_odd_meshes_do_not_panic() {
        let (bp, bn, bi) = ball(0.1, 1.0);
        let b = BodySurface {
            positions: &bp,
            normals: &bn,
            indices: &bi,
        };
        let f = fabric();
        let prm = DrapeParams::default();
        let tri = [[0.0, 1.3, 0.0], [0.1, 1.3, 0.0], [0.0, 1.3, 0.1]];
        let run = |rest: &[[f32; 3]], start: &[[f32; 3]], idx: &[u32]| {
            drape(
                &ClothMesh {
                    rest,
                    start,
                    indices: idx,
                },
                &b,
                &f,
                &prm,
            )
        };
        assert_eq!(run(&[], &[], &[]), Err(DrapeError::EmptyGarment));
        assert_eq!(
            run(&tri, &tri[..2], &[0, 1, 2]),
            Err(DrapeError::CountMismatch { rest: 3, start: 2 })
        );
        assert_eq!(
            run(&tri, &tri, &[0, 1, 2, 0]),
            Err(DrapeError::IndexCount(4))
        );
        assert_eq!(
            run(&tri, &tri, &[0, 1, 2, 0, 1, 7]),
            Err(DrapeError::IndexRange {
                triangle: 1,
                index: 7,
                count: 3
            })
        );
        let mut nan = tri;
        nan[1][2] = f32::NAN;
        assert_eq!(
            run(&tri, &nan, &[0, 1, 2]),
            Err(DrapeError::NonFinite {
                vertex: 1,
                which: "start"
            })
        );
        let bad_fabric = Fabric {
            weight_gsm: -3.0,
            ..f
        };
        let e = drape(
            &ClothMesh {
                rest: &tri,
                start: &tri,
                indices: &[0, 1, 2],
            },
            &b,
            &bad_fabric,
            &prm,
        );
        assert!(
            matches!(e, Err(DrapeError::Fabric(ref m)) if m.contains("weight_gsm")),
            "{e:?}"
        );
        let e = drape(
            &ClothMesh {
                rest: &tri,
                start: &tri,
                indices: &[0, 1, 2],
            },
            &b,
            &f,
            &DrapeParams {
                substeps: 0,
                ..DrapeParams::default()
            },
        );
        assert!(
            matches!(e, Err(DrapeError::Params(ref m)) if m.contains("substeps")),
            "{e:?}"
        );
        let e = drape(
            &ClothMesh {
                rest: &tri,
                start: &tri,
                indices: &[0, 1, 2],
            },
            &BodySurface {
                positions: &bp,
                normals: &bn[..3],
                indices: &bi,
            },
            &f,
            &prm,
        );
        assert!(matches!(e, Err(DrapeError::BodyNormals { .. })), "{e:?}");
        let nan_body = [[f32::NAN; 3]];
        let e = drape(
            &ClothMesh {
                rest: &tri,
                start: &tri,
                indices: &[0, 1, 2],
            },
            &BodySurface {
                positions: &nan_body,
                normals: &[[0.0, 1.0, 0.0]],
                indices: &[],
            },
            &f,
            &prm,
        );
        assert_eq!(e, Err(DrapeError::EmptyBody));
        // A finite but far vertex (its grid cell number saturates; found by fuzzing).
        let far = [[0.0, 1.3, 0.0], [3e38, -3e38, 3e38], [0.0, 1.3, 0.1]];
        let d = run(&far, &far, &[0, 1, 2]).expect("drapes");
        assert_eq!(d.positions.len(), 3);
        // Odd but usable: a zero-length edge, a degenerate and a repeated triangle, an
        // unreferenced vertex, a body with some NaN vertices and bad indices.
        let odd = [
            [0.0, 1.3, 0.0],
            [0.0, 1.3, 0.0],
            [0.1, 1.3, 0.0],
            [0.0, 1.3, 0.1],
            [5.0, 5.0, 5.0],
        ];
        let mut bp2 = bp.clone();
        bp2[7] = [f32::NAN; 3];
        let mut bi2 = bi.clone();
        bi2.extend([0, 1, 99_999]);
        let d = drape(
            &ClothMesh {
                rest: &odd,
                start: &odd,
                indices: &[0, 1, 2, 0, 2, 3, 0, 2, 3, 1, 1, 1],
            },
            &BodySurface {
                positions: &bp2,
                normals: &bn,
                indices: &bi2,
            },
            &f,
            &prm,
        )
        .expect("odd meshes drape");
        assert!(d.positions.iter().flatten().all(|c| c.is_finite()));
        assert_eq!(d.strain.len(), 5);
    }

    #[test]
    fn carry_scales_heights_and_keeps_girths() {
        let body = [
            [0.1, 0.0, 0.05],
            [-0.1, 1.6, 0.05],
            [0.0, 0.9, 0.15],
            [0.0, 0.9, -0.05],
        ];
        let g = [[0.2, 1.0, 0.0], [-0.2, 0.5, 0.1]];
        let c = carry(&g, 1.8, &body, false);
        // The top keeps its share of the stature (1.0 / 1.8 of 1.6 m); lengths and
        // widths are kept; x/z shift onto the torso's centre.
        assert!((c[0][1] - 1.6 / 1.8).abs() < 1e-5, "{c:?}");
        assert!(((c[0][1] - c[1][1]) - 0.5).abs() < 1e-5, "{c:?}");
        assert!(((c[0][0] - c[1][0]) - 0.4).abs() < 1e-5, "{c:?}");
        assert!((c[0][2] - 0.05).abs() < 1e-5, "{c:?}");
        // No usable body: unchanged.
        assert_eq!(carry(&g, 1.8, &[], true), g.to_vec());
        // Nor a "body" 10³⁸ m tall or a reference body that is (found by fuzzing).
        let giant = [[0.0, 0.0, 0.0], [0.1, 3e38, 0.0]];
        assert_eq!(carry(&g, 1.8, &giant, true), g.to_vec());
        let body = [[0.0, 0.0, 0.0], [0.1, 1.8, 0.0]];
        assert_eq!(carry(&g, 3e38, &body, true), g.to_vec());
    }
}
