//! Reads one product out of `catalog.json` in the browser.
//!
//! The retailer checks the whole catalog with `doppel catalog check` before publishing;
//! the widget only deserialises the product it shows and re-checks what the fit code
//! relies on (sizes match the chart, ranges are ordered, mesh paths stay inside the
//! catalog folder). Using serde here rather than the full checker keeps the checker's
//! glTF validation out of the wasm bundle.

use doppel_garment::catalog::{FORMAT, is_safe_relative_path};
use doppel_garment::{Catalog, Product};

/// Prefix of the error for a product id the catalog does not list.
pub const UNKNOWN: &str = "unknown:";

/// Finds and checks product `id` in `catalog.json` text.
pub fn find_product(text: &str, id: &str) -> Result<Product, String> {
    let format: Option<String> = serde_json::from_str::<serde_json::Value>(text)
        .map_err(|e| format!("catalog.json is not valid JSON ({e})"))?
        .get("format")
        .and_then(|f| f.as_str().map(str::to_string));
    if format.as_deref() != Some(FORMAT) {
        return Err(format!("catalog.json: \"format\" must be {FORMAT:?}"));
    }
    let catalog: Catalog =
        serde_json::from_str(text).map_err(|e| format!("catalog.json is invalid ({e})"))?;
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
        let broken = SAMPLE.replacen("\"label\": \"S\"", "\"label\": \"Q\"", 1);
        let e = find_product(&broken, "tshirt-men").expect_err("mismatch");
        assert!(e.contains("do not match"), "{e}");
    }
}
