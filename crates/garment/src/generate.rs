//! The sample catalog generator: products graded from the charts in `assets/charts/`,
//! with finished-garment measurements per size and one garment mesh (`.glb`) per size.
//!
//! Meshes are built around a parametric reference body for each size (elliptical
//! cross-sections at anatomical levels whose girths are the chart's range midpoints,
//! arms in a 45° A-pose): the torso is a tube from hem to shoulders closed by a shoulder
//! yoke up to the neckline (with a collar stand for shirts), sleeves are tubes along the
//! arms, and trousers are a tube from waistband to crotch that splits into two legs with a
//! shared crotch seam, so the whole garment is one manifold surface with open hems. The
//! ring girths are the garment measurements, so a larger size is visibly larger.
//! Deterministic: the same code writes byte-identical files.

use crate::catalog::{Category, FORMAT, FabricKind, FitIntent, GarmentDim};
use crate::chart::SizeChart;
use crate::ease::standard_ease_cm;
use crate::mesh::{GarmentMesh, Material, Texture, write_glb_textured};
use crate::problem::Problems;
use doppel_body::{Measure, Sex};
use serde_json::json;
use std::collections::BTreeMap;
use std::f64::consts::PI;

/// The charts compiled in (so that generation needs no file access).
pub const CHARTS: [(&str, &str); 4] = [
    (
        "men_tops",
        include_str!("../../../assets/charts/men_tops.json"),
    ),
    (
        "men_bottoms",
        include_str!("../../../assets/charts/men_bottoms.json"),
    ),
    (
        "women_tops",
        include_str!("../../../assets/charts/women_tops.json"),
    ),
    (
        "women_bottoms",
        include_str!("../../../assets/charts/women_bottoms.json"),
    ),
];

/// Sleeve style of a top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sleeves {
    /// No sleeves.
    None,
    /// Short sleeves (about a quarter of the arm).
    Short,
    /// Long sleeves to the wrist.
    Long,
}

/// A sample product design.
#[derive(Debug, Clone)]
pub struct Template {
    /// Product id.
    pub id: &'static str,
    /// German name.
    pub de: &'static str,
    /// English name.
    pub en: &'static str,
    /// Category.
    pub category: Category,
    /// Target sex.
    pub sex: Sex,
    /// Fabric kind, stretch across/along %, weight g/m².
    pub fabric: (FabricKind, f64, f64, f64),
    /// Fit intent.
    pub fit: FitIntent,
    /// Chart name (key of [`CHARTS`]).
    pub chart: &'static str,
    /// First and last chart size to produce (inclusive).
    pub size_range: (&'static str, &'static str),
    /// Sleeve style (tops).
    pub sleeves: Sleeves,
    /// Linear RGB base colour.
    pub color: [f32; 3],
    /// A printed or woven pattern (base colour texture); the factor is then white.
    pub pattern: Option<Pattern>,
}

/// A repeating cloth pattern written as the garment's base colour texture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pattern {
    /// Horizontal stripes (Breton): `period_cm` from one stripe to the next, `stripe`
    /// share of the period in `ink` (sRGB 8-bit) on `ground`.
    Stripes {
        /// Distance between stripe starts, cm.
        period_cm: f64,
        /// Share of the period that is `ink` (0–1).
        stripe: f64,
        /// Stripe colour, sRGB.
        ink: [u8; 3],
        /// Background colour, sRGB.
        ground: [u8; 3],
    },
}

/// Texture side in pixels: one pattern period per texture in both directions.
const PATTERN_PX: u32 = 32;

impl Pattern {
    /// The pattern's tile as RGBA8 rows (sRGB), with a faint knit heather so it reads as
    /// cloth, not print on plastic. Deterministic.
    pub fn tile_rgba(&self) -> Vec<u8> {
        let Pattern::Stripes {
            stripe,
            ink,
            ground,
            ..
        } = *self;
        let n = PATTERN_PX;
        let mut px = Vec::with_capacity((n * n * 4) as usize);
        for y in 0..n {
            // Rows are antialiased at the stripe edges (coverage of the row by the ink band).
            let (y0, y1) = (f64::from(y) / f64::from(n), f64::from(y + 1) / f64::from(n));
            let cover = ((y1.min(stripe) - y0).max(0.0) * f64::from(n)).clamp(0.0, 1.0);
            for x in 0..n {
                let h = (x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663)) % 97;
                let heather = 1.0 + (f64::from(h) / 96.0 - 0.5) * 0.08;
                for k in 0..3 {
                    let c = f64::from(ink[k]) * cover + f64::from(ground[k]) * (1.0 - cover);
                    px.push((c * heather).round().clamp(0.0, 255.0) as u8);
                }
                px.push(255);
            }
        }
        px
    }

    /// UVs for `mesh` (built around the reference body): metres on the garment scaled so
    /// one texture tile is one period; horizontal stripes need only the height.
    pub fn uvs(&self, mesh: &GarmentMesh) -> Vec<[f32; 2]> {
        let Pattern::Stripes { period_cm, .. } = *self;
        let p = (period_cm / 100.0) as f32;
        mesh.positions
            .iter()
            .map(|v| [v[0] / p, -v[1] / p])
            .collect()
    }
}

/// A minimal PNG encoder (RGBA8, zlib "stored" blocks): pattern tiles are a few KB, so
/// compression is not worth a dependency in this pure crate.
pub fn encode_png(width: u32, height: u32, rgba: &[u8]) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for &b in bytes {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    let row = width as usize * 4;
    let mut raw = Vec::with_capacity((row + 1) * height as usize);
    for y in 0..height as usize {
        raw.push(0); // filter: none
        raw.extend_from_slice(rgba.get(y * row..(y + 1) * row).unwrap_or(&[]));
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = b.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(b);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// The sample catalog's designs.
pub fn templates() -> Vec<Template> {
    use Category as C;
    use FabricKind::{Knit, Woven};
    vec![
        Template {
            id: "tshirt-men",
            de: "Basic T-Shirt Herren",
            en: "Men's basic T-shirt",
            category: C::Top,
            sex: Sex::Male,
            fabric: (Knit, 25.0, 10.0, 160.0),
            fit: FitIntent::Regular,
            chart: "men_tops",
            size_range: ("S", "XXL"),
            sleeves: Sleeves::Short,
            color: [0.05, 0.08, 0.2],
            pattern: None,
        },
        Template {
            id: "tshirt-women",
            de: "Basic T-Shirt Damen",
            en: "Women's basic T-shirt",
            category: C::Top,
            sex: Sex::Female,
            fabric: (Knit, 30.0, 12.0, 150.0),
            fit: FitIntent::Slim,
            chart: "women_tops",
            size_range: ("34", "46"),
            sleeves: Sleeves::Short,
            color: [0.6, 0.1, 0.15],
            // Breton stripes: navy on off-white, 2.5 cm apart.
            pattern: Some(Pattern::Stripes {
                period_cm: 2.5,
                stripe: 0.38,
                ink: [28, 40, 84],
                ground: [238, 234, 224],
            }),
        },
        Template {
            id: "shirt-men",
            de: "Oxford-Hemd Herren",
            en: "Men's Oxford shirt",
            category: C::Shirt,
            sex: Sex::Male,
            fabric: (Woven, 2.0, 1.0, 125.0),
            fit: FitIntent::Regular,
            chart: "men_tops",
            size_range: ("S", "XXL"),
            sleeves: Sleeves::Long,
            color: [0.55, 0.7, 0.9],
            pattern: None,
        },
        Template {
            id: "jeans-men",
            de: "Straight Jeans Herren",
            en: "Men's straight jeans",
            category: C::Jeans,
            sex: Sex::Male,
            fabric: (Woven, 3.0, 1.0, 380.0),
            fit: FitIntent::Regular,
            chart: "men_bottoms",
            size_range: ("46", "56"),
            sleeves: Sleeves::None,
            color: [0.08, 0.12, 0.3],
            pattern: None,
        },
        Template {
            id: "jeans-women",
            de: "Skinny Jeans Damen",
            en: "Women's skinny jeans",
            category: C::Jeans,
            sex: Sex::Female,
            fabric: (Woven, 18.0, 4.0, 320.0),
            fit: FitIntent::Slim,
            chart: "women_bottoms",
            size_range: ("34", "46"),
            sleeves: Sleeves::None,
            color: [0.1, 0.15, 0.35],
            pattern: None,
        },
        Template {
            id: "dress-women",
            de: "Jerseykleid",
            en: "Jersey dress",
            category: C::Dress,
            sex: Sex::Female,
            fabric: (Knit, 20.0, 10.0, 200.0),
            fit: FitIntent::Regular,
            chart: "women_tops",
            size_range: ("34", "46"),
            sleeves: Sleeves::Short,
            color: [0.1, 0.35, 0.2],
            pattern: None,
        },
        Template {
            id: "hoodie-men",
            de: "Kapuzenpullover Herren",
            en: "Men's hoodie",
            category: C::Hoodie,
            sex: Sex::Male,
            fabric: (Knit, 15.0, 10.0, 320.0),
            fit: FitIntent::Loose,
            chart: "men_tops",
            size_range: ("S", "XXL"),
            sleeves: Sleeves::Long,
            color: [0.35, 0.35, 0.38],
            pattern: None,
        },
        Template {
            id: "hoodie-women",
            de: "Kapuzenpullover Damen",
            en: "Women's hoodie",
            category: C::Hoodie,
            sex: Sex::Female,
            fabric: (Knit, 15.0, 10.0, 300.0),
            fit: FitIntent::Regular,
            chart: "women_tops",
            size_range: ("34", "46"),
            sleeves: Sleeves::Long,
            color: [0.75, 0.6, 0.65],
            pattern: None,
        },
    ]
}

/// Errors of the generator (only if the compiled-in charts were invalid).
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// A compiled-in chart is invalid.
    #[error("chart {0}: {1}")]
    Chart(String, Problems),
    /// A template names a chart or size that does not exist.
    #[error("template {0}: {1}")]
    Template(String, String),
}

/// A reference body of one size, in cm (girths) and cm (lengths).
#[derive(Debug, Clone, Copy)]
pub struct RefBody {
    /// Stature.
    pub height: f64,
    /// Chest / bust girth.
    pub chest: f64,
    /// Waist girth.
    pub waist: f64,
    /// Hip girth.
    pub hip: f64,
    /// Neck base girth.
    pub neck: f64,
    /// Thigh girth.
    pub thigh: f64,
    /// Shoulder (biacromial) breadth.
    pub shoulder: f64,
    /// Arm length (sleeve outseam).
    pub sleeve: f64,
    /// Crotch height.
    pub inseam: f64,
}

/// Reference body of chart size `i`: chart midpoints where the chart has the dimension,
/// otherwise graded from typical ANSUR-like medians by the size's position.
pub fn reference_body(chart: &SizeChart, i: usize) -> RefBody {
    let mid = |m: Measure| {
        chart
            .sizes
            .get(i)
            .and_then(|s| s.ranges_cm.get(&m))
            .map(|r| 0.5 * (r[0] + r[1]))
    };
    // Position relative to the chart's middle size, for grading lengths.
    let k = i as f64 - (chart.sizes.len() as f64 - 1.0) / 2.0;
    let male = chart.sex == Sex::Male;
    let height = if male {
        177.0 + 1.0 * k
    } else {
        164.0 + 0.8 * k
    };
    let chest = mid(Measure::Chest).unwrap_or(if male {
        102.0 + 7.0 * k
    } else {
        94.0 + 5.0 * k
    });
    let waist = mid(Measure::Waist).unwrap_or(chest * if male { 0.88 } else { 0.82 });
    let hip = mid(Measure::Hip).unwrap_or(if male {
        waist * 1.08 + 3.0
    } else {
        waist * 1.1 + 8.0
    });
    RefBody {
        height,
        chest,
        waist,
        hip,
        neck: mid(Measure::Neck).unwrap_or(if male { 0.41 * chest } else { 0.39 * chest }),
        thigh: 0.6 * hip,
        shoulder: if male { 41.5 + 0.8 * k } else { 36.5 + 0.6 * k },
        sleeve: if male { 60.0 + 0.6 * k } else { 54.0 + 0.5 * k },
        inseam: mid(Measure::Inseam).unwrap_or(if male { 84.0 } else { 80.0 + 0.3 * k }),
    }
}

/// Stature in cm of the reference body on which the sample generator modelled size
/// `label` of a product graded from the chart named `chart_name` (the chart's `name`
/// field); `None` for charts the generator does not know. The cloth solver scales a
/// garment by the avatar's stature over this one to carry it onto the avatar.
pub fn reference_stature_cm(chart_name: &str, label: &str) -> Option<f64> {
    CHARTS.iter().find_map(|(_, text)| {
        let c = SizeChart::from_json(text).ok()?;
        if c.name != chart_name {
            return None;
        }
        let i = c.index_of(label)?;
        Some(reference_body(&c, i).height)
    })
}

/// Typical reference stature in cm for garments from elsewhere (the middle of the sample
/// charts' reference bodies).
pub fn default_reference_stature_cm(sex: Sex) -> f64 {
    match sex {
        Sex::Male => 177.0,
        Sex::Female => 164.0,
    }
}

/// Finished-garment measurements of a template on a reference body.
pub fn garment_measurements(t: &Template, b: &RefBody) -> BTreeMap<GarmentDim, f64> {
    let mut eased: Vec<(GarmentDim, f64)> = Vec::new();
    let mut g = BTreeMap::new();
    if t.category.is_bottom() {
        eased.extend([
            (GarmentDim::Waist, b.waist),
            (GarmentDim::Hip, b.hip),
            (GarmentDim::Thigh, b.thigh),
            (GarmentDim::Inseam, b.inseam),
        ]);
    } else {
        eased.extend([
            (GarmentDim::Chest, b.chest),
            (GarmentDim::Waist, b.waist),
            (GarmentDim::Shoulder, b.shoulder),
        ]);
        if t.sex == Sex::Female || t.category == Category::Dress {
            eased.push((GarmentDim::Hip, b.hip));
        }
        if t.category == Category::Shirt {
            eased.push((GarmentDim::Neck, b.neck));
        }
        let len = crate::ease::reference_length_cm(t.category, t.sex, b.height).unwrap_or(70.0);
        let extra = if t.category == Category::Hoodie {
            2.0
        } else {
            0.0
        };
        g.insert(GarmentDim::Length, round1(len + extra));
        match t.sleeves {
            Sleeves::Long => eased.push((GarmentDim::Sleeve, b.sleeve)),
            // Short sleeves: a design length, not assessed against the arm.
            Sleeves::Short => {
                g.insert(GarmentDim::Sleeve, round1(0.32 * b.sleeve));
            }
            Sleeves::None => {}
        }
    }
    for (d, body) in eased {
        if let Some(e) = standard_ease_cm(d, t.category, t.fit, t.fabric.0) {
            g.insert(d, round1(body + e));
        }
    }
    g
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Generates the whole sample catalog: `(relative path, bytes)` for `catalog.json`, the
/// charts and every `.glb`.
pub fn sample_catalog() -> Result<Vec<(String, Vec<u8>)>, GenerateError> {
    let mut charts = BTreeMap::new();
    for (name, text) in CHARTS {
        let c = SizeChart::from_json(text).map_err(|e| GenerateError::Chart(name.into(), e))?;
        charts.insert(name, c);
    }
    let mut files = Vec::new();
    let mut products = Vec::new();
    for t in templates() {
        let full = charts
            .get(t.chart)
            .ok_or_else(|| GenerateError::Template(t.id.into(), format!("no chart {}", t.chart)))?;
        let (Some(a), Some(z)) = (full.index_of(t.size_range.0), full.index_of(t.size_range.1))
        else {
            return Err(GenerateError::Template(
                t.id.into(),
                "size range not in chart".into(),
            ));
        };
        let mut chart = full.clone();
        chart.sizes = full.sizes[a..=z].to_vec();
        let mut sizes = Vec::new();
        for (j, cs) in chart.sizes.iter().enumerate() {
            let b = reference_body(full, a + j);
            let g = garment_measurements(&t, &b);
            let mesh = garment_mesh(&t, &b, &g);
            let path = format!("meshes/{}/{}.glb", t.id, cs.label);
            let c = if t.pattern.is_some() {
                [1.0; 3]
            } else {
                t.color
            };
            let texture = t.pattern.map(|p| Texture {
                uvs: p.uvs(&mesh),
                png: encode_png(PATTERN_PX, PATTERN_PX, &p.tile_rgba()),
            });
            files.push((
                path.clone(),
                write_glb_textured(
                    &mesh,
                    &format!("{}-{}", t.id, cs.label),
                    Material {
                        base_color: [c[0], c[1], c[2], 1.0],
                        roughness: 0.85,
                    },
                    texture.as_ref(),
                ),
            ));
            let gj: serde_json::Map<String, serde_json::Value> = g
                .iter()
                .map(|(d, v)| (d.key().to_string(), json!(v)))
                .collect();
            sizes.push(json!({"label": cs.label, "garment_cm": gj, "mesh": path}));
        }
        let ranges: Vec<serde_json::Value> = chart
            .sizes
            .iter()
            .map(|s| {
                let r: serde_json::Map<String, serde_json::Value> = s
                    .ranges_cm
                    .iter()
                    .map(|(m, r)| (m.key().to_string(), json!(r)))
                    .collect();
                json!({"label": s.label, "ranges_cm": r})
            })
            .collect();
        products.push(json!({
            "id": t.id,
            "name": {"de": t.de, "en": t.en},
            "category": t.category.key(),
            "sex": t.sex.key(),
            "fabric": {"kind": match t.fabric.0 { FabricKind::Knit => "knit", FabricKind::Woven => "woven" },
                       "stretch_across_pct": t.fabric.1, "stretch_along_pct": t.fabric.2, "weight_gsm": t.fabric.3},
            "fit": match t.fit { FitIntent::Slim => "slim", FitIntent::Regular => "regular", FitIntent::Loose => "loose" },
            "chart": {"name": chart.name, "sex": chart.sex.key(), "sizes": ranges},
            "sizes": sizes,
        }));
    }
    let doc = json!({
        "format": FORMAT,
        "retailer": "doppel sample catalog (generated by `doppel catalog generate`)",
        "products": products,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    files.insert(0, ("catalog.json".to_string(), text.into_bytes()));
    Ok(files)
}

// ---------------------------------------------------------------------------------------
// Mesh construction. Units: metres; Y up, +Z forward (the body faces +Z), +X = body left.

/// Semi-axes (a across, b depth) of an ellipse with perimeter `p` and ratio a/b = `r`
/// (Ramanujan's approximation).
fn ellipse_axes(p: f64, r: f64) -> (f64, f64) {
    let k = PI * (3.0 * (r + 1.0) - ((3.0 * r + 1.0) * (r + 3.0)).sqrt());
    let b = p / k;
    (r * b, b)
}

struct Builder {
    pos: Vec<[f64; 3]>,
    idx: Vec<u32>,
}

impl Builder {
    fn ring(&mut self, pts: impl IntoIterator<Item = [f64; 3]>) -> Vec<u32> {
        pts.into_iter()
            .map(|p| {
                self.pos.push(p);
                (self.pos.len() - 1) as u32
            })
            .collect()
    }

    /// Joins two closed rings of equal length; `upper` above/before `lower`, both ordered
    /// counter-clockwise seen from outside the tube's start (outward normals).
    fn band(&mut self, upper: &[u32], lower: &[u32]) {
        let n = upper.len().min(lower.len());
        for j in 0..n {
            let k = (j + 1) % n;
            self.idx
                .extend([upper[j], lower[k], lower[j], upper[j], upper[k], lower[k]]);
        }
    }

    fn finish(self) -> GarmentMesh {
        let mut normals = vec![[0.0f64; 3]; self.pos.len()];
        for t in self.idx.chunks_exact(3) {
            let (a, b, c) = (
                self.pos[t[0] as usize],
                self.pos[t[1] as usize],
                self.pos[t[2] as usize],
            );
            let u = sub(b, a);
            let v = sub(c, a);
            let n = cross(u, v);
            for &i in t {
                for k in 0..3 {
                    normals[i as usize][k] += n[k];
                }
            }
        }
        GarmentMesh {
            positions: self.pos.iter().map(|p| p.map(|x| x as f32)).collect(),
            normals: normals
                .iter()
                .map(|n| {
                    let l = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
                    if l > 0.0 {
                        n.map(|x| (x / l) as f32)
                    } else {
                        [0.0, 1.0, 0.0]
                    }
                })
                .collect(),
            indices: self.idx,
        }
    }
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn cross(u: [f64; 3], v: [f64; 3]) -> [f64; 3] {
    [
        u[1] * v[2] - u[2] * v[1],
        u[2] * v[0] - u[0] * v[2],
        u[0] * v[1] - u[1] * v[0],
    ]
}

/// Points of a horizontal ellipse (perimeter `p_cm`, ratio `r`) centred at (cx, y, cz),
/// `n` points from +X towards +Z (counter-clockwise seen from below → outward bands).
fn h_ellipse(n: usize, p_cm: f64, r: f64, cx: f64, y: f64, cz: f64) -> Vec<[f64; 3]> {
    let (a, b) = ellipse_axes(p_cm / 100.0, r);
    (0..n)
        .map(|j| {
            let t = 2.0 * PI * j as f64 / n as f64;
            [cx + a * t.cos(), y, cz + b * t.sin()]
        })
        .collect()
}

/// Levels (metres above the floor) of the reference body.
struct Levels {
    neck: f64,
    shoulder: f64,
    chest: f64,
    waist: f64,
    hip: f64,
}

fn levels(b: &RefBody) -> Levels {
    let h = b.height / 100.0;
    Levels {
        neck: 0.835 * h,
        shoulder: 0.815 * h,
        chest: 0.72 * h,
        waist: 0.61 * h,
        hip: 0.50 * h,
    }
}

const AROUND: usize = 40;

/// Builds the garment mesh of one size.
pub fn garment_mesh(t: &Template, b: &RefBody, g: &BTreeMap<GarmentDim, f64>) -> GarmentMesh {
    let mut m = Builder {
        pos: Vec::new(),
        idx: Vec::new(),
    };
    if t.category.is_bottom() {
        trousers(&mut m, b, g);
    } else {
        top(&mut m, t, b, g);
    }
    m.finish()
}

fn lerp(a: f64, b: f64, t: f64) -> f64 {
    a + (b - a) * t
}

fn top(m: &mut Builder, t: &Template, b: &RefBody, g: &BTreeMap<GarmentDim, f64>) {
    let lv = levels(b);
    let gv = |d: GarmentDim, body: f64| g.get(&d).copied().unwrap_or(body);
    let chest = gv(GarmentDim::Chest, b.chest + 8.0);
    let waist = gv(GarmentDim::Waist, b.waist + 10.0).max(0.8 * chest);
    let hip = gv(GarmentDim::Hip, b.hip + 8.0).max(waist);
    let length = gv(GarmentDim::Length, 0.4 * b.height) / 100.0;
    let hem_y = lv.neck - length;
    // Girth at height y (cm), piecewise linear between the levels; the skirt of a dress
    // flares below the hip.
    let girth = |y: f64| -> f64 {
        if y >= lv.chest {
            chest
        } else if y >= lv.waist {
            lerp(waist, chest, (y - lv.waist) / (lv.chest - lv.waist))
        } else if y >= lv.hip {
            lerp(hip, waist, (y - lv.hip) / (lv.waist - lv.hip))
        } else if t.category == Category::Dress {
            hip * (1.0 + 0.6 * (lv.hip - y) / (lv.hip - hem_y).max(0.1))
        } else {
            hip
        }
    };
    let ratio = |y: f64| if y > lv.waist { 1.45 } else { 1.3 };
    // Torso rings from the armpit down to the hem, about every 2.5 cm.
    let top_y = lv.chest + 0.04;
    let steps = (((top_y - hem_y) / 0.025).ceil() as usize).max(2);
    let mut rings: Vec<Vec<u32>> = Vec::new();
    for s in 0..=steps {
        let y = lerp(top_y, hem_y, s as f64 / steps as f64);
        rings.push(m.ring(h_ellipse(AROUND, girth(y), ratio(y), 0.0, y, 0.0)));
    }
    // Shoulder yoke: from the armpit ring up to the shoulder line, then in to the neckline.
    let (ca, cb) = ellipse_axes(chest / 100.0, 1.45);
    let sh_half = (gv(GarmentDim::Shoulder, b.shoulder + 3.0) / 200.0).max(0.5 * ca);
    let neck_girth = g.get(&GarmentDim::Neck).copied().unwrap_or(
        b.neck
            + if t.category == Category::Hoodie {
                8.0
            } else {
                6.0
            },
    );
    let (na, nb) = ellipse_axes(neck_girth / 100.0, 1.15);
    let yoke: [(f64, f64, f64); 4] = [
        // (y, half-width, half-depth)
        (lv.shoulder - 0.04, lerp(ca, sh_half, 0.7), cb * 0.85),
        (lv.shoulder, sh_half, cb * 0.7),
        (
            lerp(lv.shoulder, lv.neck, 0.6),
            lerp(sh_half, na, 0.6),
            lerp(cb * 0.7, nb, 0.6),
        ),
        (lv.neck, na, nb),
    ];
    let mut upper: Vec<Vec<u32>> = Vec::new();
    for (y, a, d) in yoke {
        upper.push(m.ring((0..AROUND).map(|j| {
            let th = 2.0 * PI * j as f64 / AROUND as f64;
            // Neckline dips at the front (crew neck).
            let dip = if y == lv.neck {
                0.03 * th.sin().max(0.0).powi(2)
            } else {
                0.0
            };
            [
                a * th.cos(),
                y - dip,
                d * th.sin() - if y == lv.neck { 0.01 } else { 0.0 },
            ]
        })));
    }
    if t.category == Category::Shirt {
        // Collar stand: 3.5 cm up, slightly flared.
        upper.push(m.ring(h_ellipse(
            AROUND,
            neck_girth + 1.0,
            1.15,
            0.0,
            lv.neck + 0.035,
            -0.012,
        )));
    }
    // Order top → bottom and join.
    let mut all: Vec<Vec<u32>> = upper.into_iter().rev().collect();
    all.extend(rings);
    for w in all.windows(2) {
        m.band(&w[0], &w[1]);
    }
    // Sleeves.
    let sleeve_len = g.get(&GarmentDim::Sleeve).copied().unwrap_or(0.0) / 100.0;
    if t.sleeves != Sleeves::None && sleeve_len > 0.05 {
        let arm_top = 0.42 * chest; // armhole / bicep girth of the garment
        let cuff = if t.sleeves == Sleeves::Long {
            (0.26 * chest).max(22.0)
        } else {
            0.38 * chest
        };
        // The tube starts a little inside the shoulder point (the outer end of the
        // shoulder line), where the cloth solver's sleeve turn expects the arm's axis, and
        // is shortened by that start's lead along the arm, so that the stated sleeve is
        // what the mesh measures from the shoulder point to the cuff (`crate::sleeve`).
        let ang = 45f64.to_radians();
        let (inset, drop) = (0.02, 0.05);
        let lead = drop * ang.cos() - inset * ang.sin();
        for side in [1.0, -1.0] {
            sleeve(
                m,
                side,
                [side * (sh_half - inset), lv.shoulder - drop, -0.005],
                sleeve_len - lead,
                arm_top,
                cuff,
            );
        }
    }
}

/// A sleeve tube from `start` along the arm (45° A-pose) with girths tapering from `top`
/// to `cuff` (cm).
fn sleeve(m: &mut Builder, side: f64, start: [f64; 3], len: f64, top: f64, cuff: f64) {
    let ang = 45f64.to_radians();
    let d = [side * ang.sin(), -ang.cos(), 0.0];
    // Ring basis: u in the X-Y plane perpendicular to d, v = Z.
    let u = [ang.cos() * side, ang.sin(), 0.0];
    let steps = ((len / 0.03).ceil() as usize).max(2);
    let mut prev: Option<Vec<u32>> = None;
    for s in 0..=steps {
        let f = s as f64 / steps as f64;
        let c = [
            start[0] + d[0] * len * f,
            start[1] + d[1] * len * f,
            start[2],
        ];
        let r = lerp(top, cuff, f) / 100.0 / (2.0 * PI);
        let ring = m.ring((0..AROUND / 2).map(|j| {
            let th = 2.0 * PI * j as f64 / (AROUND / 2) as f64 * side;
            [
                c[0] + r * (th.cos() * u[0]),
                c[1] + r * th.cos() * u[1],
                c[2] + r * th.sin(),
            ]
        }));
        if let Some(p) = prev {
            m.band(&p, &ring);
        }
        prev = Some(ring);
    }
}

fn trousers(m: &mut Builder, b: &RefBody, g: &BTreeMap<GarmentDim, f64>) {
    let lv = levels(b);
    let gv = |d: GarmentDim, body: f64| g.get(&d).copied().unwrap_or(body);
    let waist = gv(GarmentDim::Waist, b.waist + 2.0);
    let hip = gv(GarmentDim::Hip, b.hip + 4.0).max(waist);
    let thigh = gv(GarmentDim::Thigh, b.thigh + 5.0);
    let crotch_y = b.inseam / 100.0 + 0.015;
    let inseam = gv(GarmentDim::Inseam, b.inseam - 2.0) / 100.0;
    let hem_y = crotch_y - inseam;
    let band_y = lerp(lv.hip, lv.waist, 0.7);
    let k = AROUND / 2; // half ring segments; AROUND multiple of 4
    // Upper tube: waistband → hip → crotch.
    let levels_up = [
        (band_y, waist),
        (lerp(band_y, lv.hip, 0.5), lerp(waist, hip, 0.6)),
        (lv.hip, hip),
        (lerp(lv.hip, crotch_y, 0.5), hip * 0.98),
        (crotch_y, hip * 0.96),
    ];
    let mut up: Vec<Vec<u32>> = Vec::new();
    for (y, p) in levels_up {
        up.push(m.ring(h_ellipse(AROUND, p, 1.25, 0.0, y, 0.0)));
    }
    for w in up.windows(2) {
        m.band(&w[0], &w[1]);
    }
    let Some(crotch) = up.last().cloned() else {
        return;
    };
    let front = k / 2; // +Z
    let back = 3 * k / 2; // −Z
    // Crotch seam: interior points from front to back at x = 0, a little lower.
    let seam_n = 5usize;
    let pf = m.pos[crotch[front] as usize];
    let pb = m.pos[crotch[back] as usize];
    let seam: Vec<u32> = (1..seam_n)
        .map(|i| {
            let f = i as f64 / seam_n as f64;
            let sag = 0.02 * (PI * f).sin();
            m.pos.push([0.0, crotch_y - sag, lerp(pf[2], pb[2], f)]);
            (m.pos.len() - 1) as u32
        })
        .collect();
    let (ha, _) = ellipse_axes(hip * 0.96 / 100.0, 1.25);
    for side in [1.0f64, -1.0] {
        // Leg's first ring: half of the crotch ring on this side + the shared seam.
        let mut first: Vec<u32> = Vec::new();
        if side > 0.0 {
            // back → +X → front, then seam front → back
            first.extend((back..AROUND).chain(0..=front).map(|j| crotch[j]));
            first.extend(seam.iter().copied());
        } else {
            // front → −X → back, then seam back → front
            first.extend((front..=back).map(|j| crotch[j]));
            first.extend(seam.iter().rev().copied());
        }
        let n = first.len();
        let cx = side * ha * 0.5;
        // Angles of the first ring's points around the leg centre, kept for all rings.
        let angles: Vec<f64> = first
            .iter()
            .map(|&i| {
                let p = m.pos[i as usize];
                p[2].atan2(p[0] - cx)
            })
            .collect();
        let knee_y = 0.28 * b.height / 100.0;
        let leg_levels = [
            (crotch_y - 0.05, thigh),
            (lerp(crotch_y, knee_y, 0.5), lerp(thigh, 0.68 * thigh, 0.5)),
            (knee_y, 0.68 * thigh),
            (lerp(knee_y, hem_y, 0.5), 0.64 * thigh),
            (hem_y, 0.64 * thigh),
        ];
        // Subdivide the key levels into rings about every 3 cm, girth linear between.
        let mut dense: Vec<(f64, f64)> = Vec::new();
        let mut last = (crotch_y, leg_levels[0].1);
        for (y, p) in leg_levels {
            let y = y.max(hem_y);
            let steps = (((last.0 - y) / 0.03).ceil() as usize).max(1);
            for s in 1..=steps {
                let f = s as f64 / steps as f64;
                dense.push((lerp(last.0, y, f), lerp(last.1, p, f)));
            }
            last = (y, p);
            if y <= hem_y {
                break;
            }
        }
        let mut prev = first;
        for (y, p) in dense {
            let r = p / 100.0 / (2.0 * PI);
            let ring: Vec<u32> = (0..n)
                .map(|j| {
                    m.pos
                        .push([cx + r * angles[j].cos(), y, r * angles[j].sin()]);
                    (m.pos.len() - 1) as u32
                })
                .collect();
            m.band(&prev, &ring);
            prev = ring;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CheckOptions, check_catalog};
    use crate::mesh::check_glb;

    /// The committed `assets/catalog/` is exactly what the generator writes (refresh with
    /// `doppel catalog generate --out assets/catalog`).
    #[test]
    fn committed_sample_catalog_is_up_to_date() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/catalog");
        for (rel, bytes) in sample_catalog().unwrap() {
            let path = format!("{dir}/{rel}");
            let on_disk = std::fs::read(&path).unwrap_or_default();
            assert!(
                on_disk == bytes,
                "{path} differs from the generator: run `doppel catalog generate --out assets/catalog`"
            );
        }
    }

    #[test]
    fn pattern_png_decodes_to_the_tile() {
        let p = Pattern::Stripes {
            period_cm: 2.0,
            stripe: 0.5,
            ink: [10, 20, 30],
            ground: [200, 210, 220],
        };
        let rgba = p.tile_rgba();
        let png = encode_png(PATTERN_PX, PATTERN_PX, &rgba);
        let dec = png::Decoder::new(std::io::Cursor::new(png));
        let mut r = dec.read_info().expect("valid PNG header");
        let mut buf = vec![0; r.output_buffer_size().expect("size")];
        let info = r.next_frame(&mut buf).expect("valid PNG data");
        assert_eq!((info.width, info.height), (PATTERN_PX, PATTERN_PX));
        assert_eq!(&buf[..info.buffer_size()], &rgba[..]);
        // Ink on top, ground below, within the heather's ±4 %.
        assert!(rgba[0] < 20 && rgba[(PATTERN_PX * PATTERN_PX * 4 - 4) as usize] > 180);
    }

    #[test]
    fn the_striped_tshirt_carries_its_texture() {
        let files = sample_catalog().unwrap();
        let (_, glb) = files
            .iter()
            .find(|(p, _)| p == "meshes/tshirt-women/38.glb")
            .expect("tshirt-women 38");
        let a = crate::appearance::read_appearance(glb).unwrap();
        assert!(a.notes.is_empty(), "{:?}", a.notes);
        assert_eq!(a.base_color, [1.0; 4]);
        let img = a.base_color_image.expect("texture");
        assert!(img.bytes.starts_with(b"\x89PNG"));
        let mesh = crate::mesh::check_glb(glb).mesh.expect("valid mesh");
        assert_eq!(a.uvs.len(), mesh.positions.len());
        // Untextured products stay factor-only.
        let (_, plain) = files
            .iter()
            .find(|(p, _)| p == "meshes/tshirt-men/M.glb")
            .expect("tshirt-men M");
        let b = crate::appearance::read_appearance(plain).unwrap();
        assert!(b.uvs.is_empty() && b.base_color_image.is_none());
    }

    #[test]
    fn charts_are_valid() {
        for (name, text) in CHARTS {
            let c = SizeChart::from_json(text);
            assert!(c.is_ok(), "{name}: {c:?}");
        }
    }

    #[test]
    fn sample_catalog_checks_clean_and_grades() {
        let files = sample_catalog().expect("generates");
        let map: BTreeMap<String, Vec<u8>> = files.into_iter().collect();
        let read = |p: &str| map.get(p).cloned().ok_or_else(|| "missing".to_string());
        let text = String::from_utf8(map["catalog.json"].clone()).expect("utf8");
        let rep = check_catalog(&text, &read, CheckOptions { meshes: true });
        assert!(
            rep.problems.is_empty(),
            "{:#?}",
            &rep.problems[..rep.problems.len().min(5)]
        );
        assert!(rep.products.len() >= 8);
        for p in &rep.products {
            assert!(p.sizes.len() >= 5, "{}", p.id);
            // Garments grow with the size: the first girth strictly increases.
            let d = if p.category.is_bottom() {
                GarmentDim::Hip
            } else {
                GarmentDim::Chest
            };
            let v: Vec<f64> = p.sizes.iter().map(|s| s.garment_cm[&d]).collect();
            assert!(v.windows(2).all(|w| w[1] > w[0]), "{}: {v:?}", p.id);
            // Mesh girth grows too: compare bounding-box widths of smallest and largest size.
            let width = |s: &str| {
                let m = check_glb(&map[s]).mesh.expect("valid mesh");
                let xs = m.positions.iter().map(|p| p[0]);
                xs.clone().fold(f32::MIN, f32::max) - xs.fold(f32::MAX, f32::min)
            };
            let (a, z) = (
                p.sizes[0].mesh.clone().unwrap_or_default(),
                p.sizes
                    .last()
                    .and_then(|s| s.mesh.clone())
                    .unwrap_or_default(),
            );
            assert!(width(&z) > width(&a), "{}", p.id);
        }
    }

    #[test]
    fn reference_stature_follows_the_chart() {
        let c = SizeChart::from_json(CHARTS[0].1).expect("chart");
        let s = reference_stature_cm(&c.name, "S").expect("known");
        let xl = reference_stature_cm(&c.name, "XL").expect("known");
        assert!(xl > s && (170.0..185.0).contains(&s), "{s} {xl}");
        assert_eq!(reference_stature_cm(&c.name, "7XL"), None);
        assert_eq!(reference_stature_cm("someone else's chart", "S"), None);
    }

    #[test]
    fn normals_point_outwards() {
        let t = &templates()[0];
        let c = SizeChart::from_json(CHARTS[0].1).expect("chart");
        let b = reference_body(&c, 2);
        let g = garment_measurements(t, &b);
        let m = garment_mesh(t, &b, &g);
        // At the waist level the torso's normals point away from the body axis.
        let lv = levels(&b);
        let (mut out, mut total) = (0, 0);
        for (p, n) in m.positions.iter().zip(&m.normals) {
            if (f64::from(p[1]) - lv.waist).abs() < 0.02 && p[0].abs() < 0.1 {
                total += 1;
                if p[0] * n[0] + p[2] * n[2] > 0.0 {
                    out += 1;
                }
            }
        }
        assert!(total > 10 && out == total, "{out}/{total}");
    }

    /// Share of vertices whose normal points away from the centroid of the vertices
    /// around them on the same side and level (legs), or from the sleeve axis.
    fn outward_share(m: &GarmentMesh, pick: impl Fn(&[f32; 3]) -> bool) -> (usize, usize) {
        let sel: Vec<usize> = (0..m.positions.len())
            .filter(|&i| pick(&m.positions[i]))
            .collect();
        let mut out = 0;
        for &i in &sel {
            let p = m.positions[i];
            let near: Vec<[f32; 3]> = sel
                .iter()
                .map(|&j| m.positions[j])
                .filter(|q| (q[1] - p[1]).abs() < 0.01 && q[0].signum() == p[0].signum())
                .collect();
            let c = near
                .iter()
                .fold([0.0f32; 3], |a, q| [a[0] + q[0], a[1] + q[1], a[2] + q[2]]);
            let k = near.len() as f32;
            let r = [p[0] - c[0] / k, p[2] - c[2] / k];
            let n = m.normals[i];
            if r[0] * n[0] + r[1] * n[2] > 0.0 {
                out += 1;
            }
        }
        (out, sel.len())
    }

    #[test]
    fn legs_and_sleeves_face_outwards() {
        let all = templates();
        let jeans = all.iter().find(|t| t.id == "jeans-men").expect("template");
        let c = SizeChart::from_json(CHARTS[1].1).expect("chart");
        let b = reference_body(&c, 4);
        let m = garment_mesh(jeans, &b, &garment_measurements(jeans, &b));
        let knee = 0.28 * b.height as f32 / 100.0;
        let (o, n) = outward_share(&m, |p| (p[1] - knee).abs() < 0.005);
        assert!(n > 20 && o == n, "legs {o}/{n}");
        // Sleeves of a long-sleeve top, seen in the plane perpendicular to the arm.
        let shirt = all.iter().find(|t| t.id == "shirt-men").expect("template");
        let c = SizeChart::from_json(CHARTS[0].1).expect("chart");
        let b = reference_body(&c, 2);
        let m = garment_mesh(shirt, &b, &garment_measurements(shirt, &b));
        let d = [
            std::f32::consts::FRAC_1_SQRT_2,
            -std::f32::consts::FRAC_1_SQRT_2,
        ];
        let (mut o, mut n) = (0, 0);
        for (p, nv) in m.positions.iter().zip(&m.normals) {
            if p[0].abs() < 0.45 {
                continue;
            }
            // Distance along the arm (x', y') rotated so the arm is an axis: the
            // across-arm component of the normal must agree with the offset from the
            // sleeve's local centre line, estimated from neighbours at the same length.
            let s = p[0].signum();
            let t = s * p[0] * d[0] + p[1] * d[1];
            let (mut cx, mut cy, mut cz, mut k) = (0.0, 0.0, 0.0, 0.0);
            for q in &m.positions {
                if q[0].signum() == s
                    && q[0].abs() >= 0.45
                    && ((s * q[0] * d[0] + q[1] * d[1]) - t).abs() < 0.01
                {
                    cx += q[0];
                    cy += q[1];
                    cz += q[2];
                    k += 1.0;
                }
            }
            let r = [p[0] - cx / k, p[1] - cy / k, p[2] - cz / k];
            n += 1;
            if r[0] * nv[0] + r[1] * nv[1] + r[2] * nv[2] > 0.0 {
                o += 1;
            }
        }
        assert!(n > 20 && o * 10 >= n * 9, "sleeves {o}/{n}");
    }
}
