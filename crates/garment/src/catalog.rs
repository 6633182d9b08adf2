//! The retailer's catalog: a folder with `catalog.json`, size charts and one `.glb` per size.
//!
//! # Folder layout
//!
//! ```text
//! catalog.json
//! charts/<name>.json            (optional: charts referenced by "chart_file")
//! meshes/<product-id>/<size>.glb
//! ```
//!
//! **Meshes: one self-contained binary glTF (`.glb`) per size.** A shopper's device then
//! downloads only the size it shows, and a retailer can re-export one size without
//! touching the others. Each `.glb` holds one garment mesh (one or more triangle
//! primitives with `POSITION` and `NORMAL`, indexed) in metres, Y up, +Z forward, in the
//! reference body's pose, with glTF PBR materials (base colour, optional textures).
//!
//! # `catalog.json`
//!
//! ```json
//! {"format": "doppel-catalog/1",
//!  "products": [{
//!    "id": "tshirt-men",                       // [a-z0-9_-], unique, ≤ 64 chars
//!    "name": {"de": "T-Shirt", "en": "T-shirt"},
//!    "category": "top",                        // top shirt trousers jeans dress skirt outerwear hoodie
//!    "sex": "male",                            // male | female
//!    "fabric": {"kind": "knit", "stretch_across_pct": 20, "stretch_along_pct": 10,
//!               "weight_gsm": 160},            // kind: knit | woven
//!    "fit": "regular",                         // slim | regular | loose (the design intent)
//!    "chart": {…size chart…},                  // or "chart_file": "charts/men_tops.json"
//!    "sizes": [{"label": "M",
//!               "garment_cm": {"chest": 108, "length": 72, "sleeve": 21},
//!               "mesh": "meshes/tshirt-men/M.glb"}]}]}
//! ```
//!
//! `garment_cm` are finished-garment measurements in cm; girths (chest, waist, hip,
//! thigh, neck) are full circumferences, i.e. the flat measurement × 2. Keys: chest
//! (bust), waist, hip, thigh, neck, shoulder (seam to seam), length (back length from
//! the side neck point / waistband to the hem), sleeve (shoulder seam to cuff), inseam.
//! Every chart size needs a catalog size with a mesh and vice versa.

use crate::chart::SizeChart;
use crate::problem::{Problem, Problems, json};
use doppel_body::{Measure, Sex};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Format tag expected in `catalog.json`.
pub const FORMAT: &str = "doppel-catalog/1";
/// Most products in one catalog.
pub const MAX_PRODUCTS: usize = 10_000;
/// Longest file path inside the catalog, in characters.
pub const MAX_PATH_CHARS: usize = 200;

/// Garment category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// T-shirt, top, blouse (knit or woven, short or long sleeves).
    Top,
    /// Woven shirt with collar.
    Shirt,
    /// Trousers.
    Trousers,
    /// Jeans.
    Jeans,
    /// Dress.
    Dress,
    /// Skirt.
    Skirt,
    /// Jacket or coat.
    Outerwear,
    /// Hoodie or sweatshirt.
    Hoodie,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 8] = [
        Category::Top,
        Category::Shirt,
        Category::Trousers,
        Category::Jeans,
        Category::Dress,
        Category::Skirt,
        Category::Outerwear,
        Category::Hoodie,
    ];

    /// JSON key.
    pub fn key(self) -> &'static str {
        match self {
            Category::Top => "top",
            Category::Shirt => "shirt",
            Category::Trousers => "trousers",
            Category::Jeans => "jeans",
            Category::Dress => "dress",
            Category::Skirt => "skirt",
            Category::Outerwear => "outerwear",
            Category::Hoodie => "hoodie",
        }
    }

    /// Whether the garment covers the legs (bottoms: measured by waist, hip, inseam).
    pub fn is_bottom(self) -> bool {
        matches!(self, Category::Trousers | Category::Jeans | Category::Skirt)
    }

    /// Whether the garment is worn over other clothes (more ease expected).
    pub fn is_outer(self) -> bool {
        matches!(self, Category::Outerwear)
    }
}

/// Fabric construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FabricKind {
    /// Knitted (jersey, rib, fleece): stretches.
    Knit,
    /// Woven (poplin, denim, twill): little stretch unless elastane is added.
    Woven,
}

/// Fabric properties that drive fit verdicts and (later) the cloth solver.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Fabric {
    /// Knit or woven.
    pub kind: FabricKind,
    /// Maximum comfortable stretch across the body (weft / course), percent.
    pub stretch_across_pct: f64,
    /// Maximum comfortable stretch along the body (warp / wale), percent.
    pub stretch_along_pct: f64,
    /// Areal weight in g/m².
    pub weight_gsm: f64,
}

/// Design intent of the garment's cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FitIntent {
    /// Close to the body.
    Slim,
    /// Standard ease.
    Regular,
    /// Generous ease.
    Loose,
}

/// A finished-garment measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GarmentDim {
    /// Chest / bust circumference.
    Chest,
    /// Waist circumference.
    Waist,
    /// Hip circumference.
    Hip,
    /// Thigh circumference.
    Thigh,
    /// Collar / neckline circumference.
    Neck,
    /// Shoulder width, seam to seam.
    Shoulder,
    /// Garment length (back length of tops and dresses, outseam of bottoms).
    Length,
    /// Sleeve length, shoulder seam to cuff.
    Sleeve,
    /// Inside leg length, crotch to hem.
    Inseam,
}

impl GarmentDim {
    /// Every garment dimension.
    pub const ALL: [GarmentDim; 9] = [
        GarmentDim::Chest,
        GarmentDim::Waist,
        GarmentDim::Hip,
        GarmentDim::Thigh,
        GarmentDim::Neck,
        GarmentDim::Shoulder,
        GarmentDim::Length,
        GarmentDim::Sleeve,
        GarmentDim::Inseam,
    ];

    /// JSON key.
    pub fn key(self) -> &'static str {
        match self {
            GarmentDim::Chest => "chest",
            GarmentDim::Waist => "waist",
            GarmentDim::Hip => "hip",
            GarmentDim::Thigh => "thigh",
            GarmentDim::Neck => "neck",
            GarmentDim::Shoulder => "shoulder",
            GarmentDim::Length => "length",
            GarmentDim::Sleeve => "sleeve",
            GarmentDim::Inseam => "inseam",
        }
    }

    /// Parses a key (`bust` = chest).
    pub fn from_key(k: &str) -> Option<GarmentDim> {
        let k = k.trim().to_ascii_lowercase();
        if k == "bust" {
            return Some(GarmentDim::Chest);
        }
        GarmentDim::ALL.into_iter().find(|d| d.key() == k)
    }

    /// The body measure this garment dimension is compared with (`None` for length).
    pub fn body_measure(self) -> Option<Measure> {
        match self {
            GarmentDim::Chest => Some(Measure::Chest),
            GarmentDim::Waist => Some(Measure::Waist),
            GarmentDim::Hip => Some(Measure::Hip),
            GarmentDim::Thigh => Some(Measure::Thigh),
            GarmentDim::Neck => Some(Measure::Neck),
            GarmentDim::Shoulder => Some(Measure::Shoulder),
            GarmentDim::Length => None,
            GarmentDim::Sleeve => Some(Measure::Sleeve),
            GarmentDim::Inseam => Some(Measure::Inseam),
        }
    }

    /// The garment dimension measured against body measure `m`, if any.
    pub fn for_measure(m: Measure) -> Option<GarmentDim> {
        GarmentDim::ALL
            .into_iter()
            .find(|d| d.body_measure() == Some(m))
    }

    /// Whether this is a circumference (stretches across the fabric).
    pub fn is_girth(self) -> bool {
        matches!(
            self,
            GarmentDim::Chest
                | GarmentDim::Waist
                | GarmentDim::Hip
                | GarmentDim::Thigh
                | GarmentDim::Neck
        )
    }
}

/// One size of a product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductSize {
    /// Label, equal to a chart size label.
    pub label: String,
    /// Finished-garment measurements in cm (girths as full circumference).
    pub garment_cm: BTreeMap<GarmentDim, f64>,
    /// Path of this size's `.glb`, relative to the catalog folder.
    pub mesh: Option<String>,
}

/// Localised product name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Names {
    /// German.
    pub de: String,
    /// English.
    pub en: String,
}

/// A product of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// Unique id.
    pub id: String,
    /// Names.
    pub name: Names,
    /// Category.
    pub category: Category,
    /// Target sex (selects the body model and chart).
    pub sex: Sex,
    /// Fabric.
    pub fabric: Fabric,
    /// Fit intent of the cut.
    pub fit: FitIntent,
    /// Body size chart.
    pub chart: SizeChart,
    /// Sizes, in chart order.
    pub sizes: Vec<ProductSize>,
}

impl Product {
    /// The size with `label`.
    pub fn size(&self, label: &str) -> Option<&ProductSize> {
        self.sizes.iter().find(|s| s.label == label)
    }
}

/// A parsed catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// Products.
    pub products: Vec<Product>,
}

impl Catalog {
    /// The product with `id`.
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }
}

/// Reads a file of the catalog folder by relative path (the caller owns file access, so
/// this crate stays free of `std::fs` for the browser build).
pub type ReadFile<'a> = &'a dyn Fn(&str) -> Result<Vec<u8>, String>;

/// Result of [`check_catalog`]: the products that could be read, and every problem.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Products read (possibly with problems).
    pub products: Vec<Product>,
    /// Every problem found, in document order.
    pub problems: Vec<Problem>,
}

impl CheckReport {
    /// The catalog, if there were no problems.
    pub fn into_result(self) -> Result<Catalog, Problems> {
        if self.problems.is_empty() {
            Ok(Catalog {
                products: self.products,
            })
        } else {
            Err(Problems(self.problems))
        }
    }
}

/// Options of [`check_catalog`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckOptions {
    /// Whether to open and validate every mesh (slower; `recommend` does not need them).
    pub meshes: bool,
}

/// Parses `catalog.json` text and checks everything it references through `read`.
/// Never panics; reports every problem with product, size and field.
pub fn check_catalog(text: &str, read: ReadFile<'_>, opts: CheckOptions) -> CheckReport {
    let mut rep = CheckReport::default();
    let v = match json::parse(text, "catalog.json") {
        Ok(v) => v,
        Err(p) => {
            rep.problems.push(p);
            return rep;
        }
    };
    let Some(obj) = v.as_object() else {
        rep.problems.push(Problem::new(
            "catalog.json",
            "must be a JSON object with \"products\"",
        ));
        return rep;
    };
    let out = &mut rep.problems;
    json::unknown_keys(obj, &["format", "products", "retailer", "_about"], "", out);
    match obj.get("format") {
        Some(Value::String(f)) if f == FORMAT => {}
        Some(_) => out.push(Problem::new("format", format!("must be {FORMAT:?}"))),
        None => out.push(Problem::new(
            "format",
            format!("is missing (expected {FORMAT:?})"),
        )),
    }
    let items = match obj.get("products") {
        Some(Value::Array(a)) if a.len() <= MAX_PRODUCTS => a,
        Some(Value::Array(_)) => {
            out.push(Problem::new(
                "products",
                format!("at most {MAX_PRODUCTS} products allowed"),
            ));
            return rep;
        }
        _ => {
            out.push(Problem::new("products", "must be an array of products"));
            return rep;
        }
    };
    for (i, item) in items.iter().enumerate() {
        let path = format!("products[{i}]");
        let before = rep.problems.len();
        let product = read_product(item, &path, read, opts, &mut rep.problems);
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{i}"));
        for p in &mut rep.problems[before..] {
            if p.product.is_none() {
                p.product = Some(id.clone());
            }
        }
        if let Some(p) = product {
            if rep.products.iter().any(|o| o.id == p.id) {
                rep.problems.push(
                    Problem::new(format!("{path}.id"), "duplicate product id").in_product(&p.id),
                );
            }
            rep.products.push(p);
        }
    }
    rep
}

/// Whether `path` is a safe relative path inside the catalog folder.
pub fn is_safe_relative_path(path: &str) -> bool {
    !path.is_empty()
        && path.chars().count() <= MAX_PATH_CHARS
        && !path.starts_with('/')
        && !path.starts_with('\\')
        && !path.contains(':')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|seg| !seg.is_empty() && seg != ".." && seg != ".")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_'))
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn enum_field<T: Copy>(
    obj: &serde_json::Map<String, Value>,
    key: &str,
    path: &str,
    options: &[(&str, T)],
    out: &mut Vec<Problem>,
) -> Option<T> {
    let allowed = options
        .iter()
        .map(|(k, _)| *k)
        .collect::<Vec<_>>()
        .join(", ");
    match obj.get(key) {
        Some(Value::String(s)) => match options.iter().find(|(k, _)| *k == s.as_str()) {
            Some((_, v)) => Some(*v),
            None => {
                out.push(Problem::new(
                    json::join(path, key),
                    format!("{s:?} is not allowed (allowed: {allowed})"),
                ));
                None
            }
        },
        Some(_) => {
            out.push(Problem::new(
                json::join(path, key),
                format!("must be one of: {allowed}"),
            ));
            None
        }
        None => {
            out.push(Problem::new(
                json::join(path, key),
                format!("is missing (one of: {allowed})"),
            ));
            None
        }
    }
}

fn read_product(
    v: &Value,
    path: &str,
    read: ReadFile<'_>,
    opts: CheckOptions,
    out: &mut Vec<Problem>,
) -> Option<Product> {
    let Some(obj) = v.as_object() else {
        out.push(Problem::new(path, "must be a product object"));
        return None;
    };
    json::unknown_keys(
        obj,
        &[
            "id",
            "name",
            "category",
            "sex",
            "fabric",
            "fit",
            "chart",
            "chart_file",
            "sizes",
            "_about",
        ],
        path,
        out,
    );
    let id = json::string(obj, "id", path, 64, out);
    if let Some(i) = &id
        && !valid_id(i)
    {
        out.push(Problem::new(
            json::join(path, "id"),
            "must be 1–64 characters of a–z, 0–9, '-' and '_'",
        ));
    }
    let name = match obj.get("name") {
        Some(Value::Object(n)) => {
            let np = json::join(path, "name");
            json::unknown_keys(n, &["de", "en"], &np, out);
            let de = json::string(n, "de", &np, 200, out);
            let en = json::string(n, "en", &np, 200, out);
            de.zip(en).map(|(de, en)| Names { de, en })
        }
        _ => {
            out.push(Problem::new(
                json::join(path, "name"),
                "must be an object {\"de\": …, \"en\": …}",
            ));
            None
        }
    };
    let cats: Vec<(&str, Category)> = Category::ALL.iter().map(|c| (c.key(), *c)).collect();
    let category = enum_field(obj, "category", path, &cats, out);
    let sex = enum_field(
        obj,
        "sex",
        path,
        &[("male", Sex::Male), ("female", Sex::Female)],
        out,
    );
    let fit = enum_field(
        obj,
        "fit",
        path,
        &[
            ("slim", FitIntent::Slim),
            ("regular", FitIntent::Regular),
            ("loose", FitIntent::Loose),
        ],
        out,
    );
    let fabric = read_fabric(obj.get("fabric"), &json::join(path, "fabric"), out);
    let chart = match (obj.get("chart"), obj.get("chart_file")) {
        (Some(c), None) => SizeChart::from_value(c, &json::join(path, "chart"), out),
        (None, Some(Value::String(f))) => {
            let fp = json::join(path, "chart_file");
            if !is_safe_relative_path(f) {
                out.push(Problem::new(
                    fp,
                    "must be a relative path inside the catalog (a–z, 0–9, . - _ /; no ..)",
                ));
                None
            } else {
                match read(f) {
                    Ok(bytes) => match std::str::from_utf8(&bytes) {
                        Ok(text) => match json::parse(text, f) {
                            Ok(cv) => SizeChart::from_value(&cv, f, out),
                            Err(p) => {
                                out.push(p);
                                None
                            }
                        },
                        Err(_) => {
                            out.push(Problem::new(fp, format!("{f} is not UTF-8 text")));
                            None
                        }
                    },
                    Err(e) => {
                        out.push(Problem::new(fp, format!("cannot read {f}: {e}")));
                        None
                    }
                }
            }
        }
        (Some(_), Some(_)) => {
            out.push(Problem::new(
                json::join(path, "chart"),
                "give either chart or chart_file, not both",
            ));
            None
        }
        (None, Some(_)) => {
            out.push(Problem::new(
                json::join(path, "chart_file"),
                "must be a path string",
            ));
            None
        }
        (None, None) => {
            out.push(Problem::new(
                json::join(path, "chart"),
                "is missing (give chart or chart_file)",
            ));
            None
        }
    };
    if let (Some(c), Some(s)) = (&chart, sex)
        && c.sex != s
    {
        out.push(Problem::new(
            json::join(path, "chart.sex"),
            format!("chart is for {} but the product is for {s}", c.sex),
        ));
    }
    let sizes_path = json::join(path, "sizes");
    let mut sizes = Vec::new();
    match obj.get("sizes") {
        Some(Value::Array(items))
            if !items.is_empty() && items.len() <= crate::chart::MAX_SIZES =>
        {
            for (i, item) in items.iter().enumerate() {
                if let Some(s) = read_size(item, &format!("{sizes_path}[{i}]"), read, opts, out) {
                    sizes.push(s);
                }
            }
        }
        _ => out.push(Problem::new(
            &sizes_path,
            format!("must be an array of 1–{} sizes", crate::chart::MAX_SIZES),
        )),
    }
    if let Some(c) = &chart {
        for cs in &c.sizes {
            if !sizes.iter().any(|s: &ProductSize| s.label == cs.label) {
                out.push(
                    Problem::new(
                        &sizes_path,
                        "chart size has no product size (garment measurements and mesh)",
                    )
                    .in_size(&cs.label),
                );
            }
        }
        for (i, s) in sizes.iter().enumerate() {
            if c.index_of(&s.label).is_none() {
                out.push(
                    Problem::new(
                        format!("{sizes_path}[{i}].label"),
                        "is not a size of the product's chart",
                    )
                    .in_size(&s.label),
                );
            }
        }
        // Product sizes must follow chart order, so neighbour checks mean the same thing.
        let idx: Vec<usize> = sizes.iter().filter_map(|s| c.index_of(&s.label)).collect();
        if idx.windows(2).any(|w| w[0] >= w[1]) {
            out.push(Problem::new(
                &sizes_path,
                "sizes must be listed in chart order, without duplicates",
            ));
        }
    }
    Some(Product {
        id: id?,
        name: name?,
        category: category?,
        sex: sex?,
        fabric: fabric?,
        fit: fit?,
        chart: chart?,
        sizes,
    })
}

fn read_fabric(v: Option<&Value>, path: &str, out: &mut Vec<Problem>) -> Option<Fabric> {
    let Some(obj) = v.and_then(Value::as_object) else {
        out.push(Problem::new(
            path,
            "must be an object with kind, stretch_across_pct, stretch_along_pct, weight_gsm",
        ));
        return None;
    };
    json::unknown_keys(
        obj,
        &[
            "kind",
            "stretch_across_pct",
            "stretch_along_pct",
            "weight_gsm",
        ],
        path,
        out,
    );
    let kind = enum_field(
        obj,
        "kind",
        path,
        &[("knit", FabricKind::Knit), ("woven", FabricKind::Woven)],
        out,
    );
    let mut num = |k: &str, lim: (f64, f64), unit: &str| match obj.get(k) {
        Some(x) => json::number_in(x, &json::join(path, k), lim, unit, out),
        None => {
            out.push(Problem::new(json::join(path, k), "is missing"));
            None
        }
    };
    let across = num("stretch_across_pct", (0.0, 100.0), "%");
    let along = num("stretch_along_pct", (0.0, 100.0), "%");
    let weight = num("weight_gsm", (20.0, 1500.0), "g/m²");
    Some(Fabric {
        kind: kind?,
        stretch_across_pct: across?,
        stretch_along_pct: along?,
        weight_gsm: weight?,
    })
}

fn read_size(
    v: &Value,
    path: &str,
    read: ReadFile<'_>,
    opts: CheckOptions,
    out: &mut Vec<Problem>,
) -> Option<ProductSize> {
    let Some(obj) = v.as_object() else {
        out.push(Problem::new(
            path,
            "must be an object with label, garment_cm, mesh",
        ));
        return None;
    };
    let before = out.len();
    json::unknown_keys(obj, &["label", "garment_cm", "mesh"], path, out);
    let label = json::string(obj, "label", path, crate::chart::MAX_LABEL_CHARS, out);
    let mut garment = BTreeMap::new();
    let gp = json::join(path, "garment_cm");
    match obj.get("garment_cm") {
        None => {}
        Some(Value::Object(g)) => {
            for (k, x) in g {
                let field = json::join(&gp, k);
                match GarmentDim::from_key(k) {
                    Some(d) => {
                        if let Some(val) = json::number_in(x, &field, (1.0, 300.0), "cm", out) {
                            garment.insert(d, val);
                        }
                    }
                    None => out.push(Problem::new(
                        field,
                        format!(
                            "unknown garment measurement (known: {})",
                            GarmentDim::ALL.map(|d| d.key()).join(", ")
                        ),
                    )),
                }
            }
        }
        Some(_) => out.push(Problem::new(&gp, "must be an object like {\"chest\": 108}")),
    }
    let mp = json::join(path, "mesh");
    let mesh = match obj.get("mesh") {
        None => {
            out.push(Problem::new(
                &mp,
                "is missing: every size needs a .glb mesh",
            ));
            None
        }
        Some(Value::String(m)) if is_safe_relative_path(m) && m.ends_with(".glb") => {
            if opts.meshes {
                match read(m) {
                    Ok(bytes) => {
                        let rep = crate::mesh::check_glb(&bytes);
                        for p in rep.problems {
                            out.push(p.under(&mp));
                        }
                        if let (Some(mesh), Some(&stated)) =
                            (&rep.mesh, garment.get(&GarmentDim::Sleeve))
                        {
                            check_sleeve(mesh, stated, m, &json::join(&gp, "sleeve"), out);
                        }
                    }
                    Err(e) => out.push(Problem::new(&mp, format!("cannot read {m}: {e}"))),
                }
            }
            Some(m.clone())
        }
        Some(_) => {
            out.push(Problem::new(
                &mp,
                "must be a relative path to a .glb inside the catalog (a–z, 0–9, . - _ /; no ..)",
            ));
            None
        }
    };
    if let Some(l) = &label {
        for p in &mut out[before..] {
            p.size.get_or_insert_with(|| l.clone());
        }
    }
    Some(ProductSize {
        label: label?,
        garment_cm: garment,
        mesh,
    })
}

/// Holds a size's stated `garment_cm.sleeve` to its mesh ([`crate::sleeve`]): a problem
/// when a sleeve found on the mesh differs by more than
/// [`crate::sleeve::SLEEVE_TOLERANCE_CM`]. A mesh without recognisable sleeves is not
/// judged (its pose may not be the A-pose the measurement expects).
fn check_sleeve(
    mesh: &crate::mesh::GarmentMesh,
    stated: f64,
    file: &str,
    field: &str,
    out: &mut Vec<Problem>,
) {
    let tol = crate::sleeve::SLEEVE_TOLERANCE_CM;
    let got = crate::sleeve::sleeve_lengths_cm(&mesh.positions, &mesh.indices);
    let worst = got
        .iter()
        .flatten()
        .copied()
        .max_by(|a, b| (a - stated).abs().total_cmp(&(b - stated).abs()));
    if let Some(w) = worst.filter(|w| (w - stated).abs() > tol) {
        let sides: Vec<String> = ["+x", "−x"]
            .iter()
            .zip(got)
            .filter_map(|(s, g)| g.map(|g| format!("{s} {g:.1} cm")))
            .collect();
        out.push(Problem::new(
            field,
            format!(
                "states {stated} cm but the sleeve of {file} measures {w:.1} cm from the shoulder \
                 point to the cuff ({}); they may differ by at most {tol} cm",
                sides.join(", ")
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_files(_: &str) -> Result<Vec<u8>, String> {
        Err("no such file".into())
    }

    const CHART: &str = r#"{"name": "c", "sex": "male", "sizes": [
        {"label": "S", "ranges_cm": {"chest": [88, 96]}},
        {"label": "M", "ranges_cm": {"chest": [96, 104]}}]}"#;

    fn catalog(product_extra: &str, sizes: &str) -> String {
        format!(
            r#"{{"format": "doppel-catalog/1", "products": [{{"id": "tee", "name": {{"de": "T", "en": "T"}},
            "category": "top", "sex": "male", "fit": "regular",
            "fabric": {{"kind": "knit", "stretch_across_pct": 20, "stretch_along_pct": 10, "weight_gsm": 160}},
            "chart": {CHART}, "sizes": {sizes} {product_extra}}}]}}"#
        )
    }

    #[test]
    fn reads_valid_catalog_without_meshes_check() {
        let text = catalog(
            "",
            r#"[{"label": "S", "garment_cm": {"chest": 100}, "mesh": "meshes/tee/S.glb"},
                {"label": "M", "garment_cm": {"bust": 108}, "mesh": "meshes/tee/M.glb"}]"#,
        );
        let rep = check_catalog(&text, &no_files, CheckOptions { meshes: false });
        assert!(rep.problems.is_empty(), "{:?}", rep.problems);
        let c = rep.into_result().unwrap();
        let p = c.product("tee").unwrap();
        assert_eq!(p.sizes[1].garment_cm.get(&GarmentDim::Chest), Some(&108.0));
        assert_eq!(p.chart.sizes.len(), 2);
    }

    #[test]
    fn reports_every_problem_with_product_size_field() {
        let text = catalog(
            r#", "colour": "red""#,
            r#"[{"label": "S", "garment_cm": {"chest": 100, "shoe": 3}},
                {"label": "XL", "garment_cm": {"chest": -4}, "mesh": "../etc/passwd.glb"}]"#,
        );
        let rep = check_catalog(&text, &no_files, CheckOptions { meshes: true });
        let all: Vec<String> = rep.problems.iter().map(ToString::to_string).collect();
        let has = |s: &str| all.iter().any(|p| p.contains(s));
        assert!(has("colour: unknown field"), "{all:#?}");
        assert!(
            has("size \"S\": products[0].sizes[0].garment_cm.shoe"),
            "{all:#?}"
        );
        assert!(
            has("size \"S\": products[0].sizes[0].mesh: is missing"),
            "{all:#?}"
        );
        assert!(
            has("size \"XL\": products[0].sizes[1].garment_cm.chest"),
            "{all:#?}"
        );
        assert!(
            has("size \"XL\": products[0].sizes[1].mesh: must be a relative"),
            "{all:#?}"
        );
        assert!(
            has("size \"M\": products[0].sizes: chart size has no product size"),
            "{all:#?}"
        );
        assert!(
            has("size \"XL\": products[0].sizes[1].label: is not a size"),
            "{all:#?}"
        );
        assert!(
            all.iter().all(|p| p.starts_with("product \"tee\"")),
            "{all:#?}"
        );
    }

    #[test]
    fn unreadable_mesh_is_reported() {
        let text = catalog(
            "",
            r#"[{"label": "S", "mesh": "meshes/tee/S.glb"}, {"label": "M", "mesh": "meshes/tee/M.glb"}]"#,
        );
        let rep = check_catalog(&text, &no_files, CheckOptions { meshes: true });
        assert_eq!(rep.problems.len(), 2, "{:?}", rep.problems);
        assert!(
            rep.problems[0]
                .message
                .contains("cannot read meshes/tee/S.glb")
        );
    }

    #[test]
    fn hostile_documents_do_not_panic() {
        for t in [
            "",
            "{",
            "[]",
            "{\"products\": {}}",
            "{\"format\": \"doppel-catalog/1\", \"products\": [1, null, {\"id\": 5}]}",
            &format!("{}{}", "{\"a\":".repeat(5000), "}".repeat(5000)),
        ] {
            let rep = check_catalog(t, &no_files, CheckOptions { meshes: true });
            assert!(!rep.problems.is_empty(), "{t:.40}");
        }
    }

    #[test]
    fn paths_are_confined() {
        assert!(is_safe_relative_path("meshes/tee/M.glb"));
        for bad in [
            "../x.glb",
            "/etc/x.glb",
            "a//b.glb",
            "C:\\x.glb",
            "a/./b.glb",
            "a b.glb",
            "",
        ] {
            assert!(!is_safe_relative_path(bad), "{bad}");
        }
    }
}
