//! Reads one product out of `catalog.json` in the browser.
//!
//! The retailer checks the whole catalog with `doppel catalog check` before publishing;
//! the widget only deserialises the product it shows and re-checks what the fit code
//! relies on (sizes match the chart, ranges are ordered, mesh paths stay inside the
//! catalog folder). Using serde here rather than the full checker keeps the checker's
//! glTF validation out of the wasm bundle.

use doppel_garment::catalog::{FORMAT, is_safe_relative_path};
use doppel_garment::{Catalog, Product};

use crate::json::Value;

/// Prefix of the error for a product id the catalog does not list.
pub const UNKNOWN: &str = "unknown:";

/// Finds and checks product `id` in `catalog.json` text.
pub fn find_product(text: &str, id: &str) -> Result<Product, String> {
    let json = Value::parse(text).map_err(|e| format!("catalog.json is not valid JSON ({e})"))?;
    let format = json.get("format").and_then(|f| f.as_str());
    if format.as_deref() != Some(FORMAT) {
        return Err(format!("catalog.json: \"format\" must be {FORMAT:?}"));
    }
    let catalog: Catalog = json
        .deserialize()
        // In the browser the message names the field but not its line (serde-wasm-bindgen
        // reads parsed values, not text): the checker shows where.
        .map_err(|e| {
            format!("catalog.json is invalid ({e}); `doppel catalog check` lists every problem")
        })?;
    let product = catalog
        .products
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| format!("{UNKNOWN}{id}"))?;
    check(&product)?;
    Ok(product)
}

/// What the fit code and the viewer rely on.
fn check(p: &Product) -> Result<(), String> {
    let chart: Vec<&str> = p.chart.sizes.iter().map(|s| s.label.as_str()).collect();
    let sizes: Vec<&str> = p.sizes.iter().map(|s| s.label.as_str()).collect();
    if sizes.is_empty() || chart != sizes {
        return Err(format!(
            "product {}: sizes {sizes:?} do not match its chart {chart:?}",
            p.id
        ));
    }
    if p.chart.sex != p.sex {
        return Err(format!("product {}: chart is for the other sex", p.id));
    }
    for s in &p.chart.sizes {
        for (m, [lo, hi]) in &s.ranges_cm {
            if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                return Err(format!(
                    "product {} size {}: {m} range [{lo}, {hi}] is not ordered",
                    p.id, s.label
                ));
            }
        }
    }
    for s in &p.sizes {
        if let Some(mesh) = &s.mesh
            && !is_safe_relative_path(mesh)
        {
            return Err(format!(
                "product {} size {}: mesh path {mesh:?} leaves the catalog",
                p.id, s.label
            ));
        }
    }
    Ok(())
}

/// Reference statures (cm) of the sample generator's charts, per chart name and size label:
/// [`doppel_garment::generate::reference_stature_cm`] as a table. That function parses all
/// four embedded chart files on every call, which would put the chart JSON and the chart
/// checker into the wasm; a test keeps this table equal to it.
type StatureTable = [(&'static str, &'static [(&'static str, f64)]); 4];
/// Women's DE sizes: tops and bottoms share one grading of the reference body.
const WOMEN_DE: &[(&str, f64)] = &[
    ("34", 160.0),
    ("36", 160.8),
    ("38", 161.6),
    ("40", 162.4),
    ("42", 163.2),
    ("44", 164.0),
    ("46", 164.8),
    ("48", 165.6),
    ("50", 166.4),
    ("52", 167.2),
    ("54", 168.0),
];
const REFERENCE_STATURES: StatureTable = [
    (
        "Men's tops (letter sizes; chest, waist, neck base)",
        &[
            ("XS", 174.0),
            ("S", 175.0),
            ("M", 176.0),
            ("L", 177.0),
            ("XL", 178.0),
            ("XXL", 179.0),
            ("3XL", 180.0),
        ],
    ),
    (
        "Men's trousers (DE normal sizes 44-62; waist, hip, inside leg)",
        &[
            ("44", 172.5),
            ("46", 173.5),
            ("48", 174.5),
            ("50", 175.5),
            ("52", 176.5),
            ("54", 177.5),
            ("56", 178.5),
            ("58", 179.5),
            ("60", 180.5),
            ("62", 181.5),
        ],
    ),
    (
        "Women's tops and dresses (DE sizes 34-54; bust, waist, hip)",
        WOMEN_DE,
    ),
    (
        "Women's trousers and skirts (DE sizes 34-54; waist, hip)",
        WOMEN_DE,
    ),
];

/// Stature in cm of the body size `label` of the sample chart `chart_name` was modelled on
/// (`None` for other charts): what the cloth solver scales a garment by.
pub fn reference_stature_cm(chart_name: &str, label: &str) -> Option<f64> {
    let (_, sizes) = REFERENCE_STATURES.iter().find(|(n, _)| *n == chart_name)?;
    sizes.iter().find(|(l, _)| *l == label).map(|(_, h)| *h)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../../../assets/catalog/catalog.json");

    #[test]
    fn reads_the_sample_catalog_like_the_checker() {
        let checked = doppel_garment::catalog::check_catalog(
            SAMPLE,
            &|p: &str| Err(format!("{p} not read")),
            doppel_garment::catalog::CheckOptions { meshes: false },
        );
        assert!(!checked.products.is_empty());
        for full in &checked.products {
            let ours = find_product(SAMPLE, &full.id).expect("product");
            assert_eq!(&ours, full);
        }
    }

    #[test]
    fn clear_errors() {
        assert_eq!(
            find_product(SAMPLE, "no-such").expect_err("unknown"),
            "unknown:no-such"
        );
        assert!(
            find_product("{", "x")
                .expect_err("bad")
                .contains("not valid JSON")
        );
        assert!(
            find_product("{\"format\":\"other\",\"products\":[]}", "x")
                .expect_err("bad")
                .contains("format")
        );
        let e =
            find_product(&SAMPLE.replacen("\"label\"", "\"labl\"", 1), "x").expect_err("schema");
        assert!(e.contains("missing field `label`"), "{e}");
        let broken = SAMPLE.replacen("\"label\": \"S\"", "\"label\": \"Q\"", 1);
        let e = find_product(&broken, "tshirt-men").expect_err("mismatch");
        assert!(e.contains("do not match"), "{e}");
    }

    #[test]
    fn reference_statures_match_the_generator() {
        use doppel_garment::chart::SizeChart;
        use doppel_garment::generate::{CHARTS, reference_stature_cm as generator};
        let mut n = 0;
        for (_, text) in CHARTS {
            let c = SizeChart::from_json(text).expect("sample chart");
            for s in &c.sizes {
                let want = generator(&c.name, &s.label);
                assert!(want.is_some());
                assert_eq!(
                    reference_stature_cm(&c.name, &s.label),
                    want,
                    "{} {}",
                    c.name,
                    s.label
                );
                n += 1;
            }
            assert_eq!(reference_stature_cm(&c.name, "no such size"), None);
        }
        assert_eq!(
            n,
            REFERENCE_STATURES
                .iter()
                .map(|(_, s)| s.len())
                .sum::<usize>()
        );
        assert_eq!(reference_stature_cm("a retailer's own chart", "M"), None);
        assert_eq!(generator("a retailer's own chart", "M"), None);
    }
}
