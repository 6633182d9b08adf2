//! `doppel recommend --drape`: the cloth solver's girth strain folded into the regions.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed unwrap is a failed test

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn recommend(extra: &[&str]) -> Value {
    let catalog = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/catalog");
    let o = Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args(["recommend", "--catalog"])
        .arg(&catalog)
        .args(["--product", "tshirt-men", "--sex", "male"])
        .args(["--height-cm", "178", "--weight-kg", "95"])
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn strain(v: &Value, size: &str, region: &str) -> f64 {
    v["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["size"] == size && r["region"] == region)
        .unwrap_or_else(|| panic!("no {size} {region}"))["strain_pct"]
        .as_f64()
        .unwrap()
}

#[test]
fn drape_strain_shows_in_the_regions() {
    let chart = recommend(&[]);
    let draped = recommend(&["--drape"]);
    // The recommendation itself is the chart's; only strain_pct may grow.
    for k in ["size", "confidence", "probabilities"] {
        assert_eq!(chart[k], draped[k], "{k}");
    }
    let (a, b) = (
        chart["regions"].as_array().unwrap(),
        draped["regions"].as_array().unwrap(),
    );
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x["verdict"], y["verdict"]);
        assert!(
            y["strain_pct"].as_f64() >= x["strain_pct"].as_f64(),
            "{x} {y}"
        );
    }
    // A 95 kg man in the smallest T-shirt: stretched at the waist by the simulation more
    // than a size in the middle, and the largest size is not stretched there.
    let sizes: Vec<String> = draped["probabilities"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert!(sizes.len() >= 3, "{sizes:?}");
    let (small, large) = ("S", "XXL");
    assert!(strain(&draped, small, "waist") > strain(&draped, "L", "waist"));
    assert!(strain(&draped, small, "waist") > 5.0);
    assert!(strain(&draped, large, "waist") < 1.0);
}
