//! `doppel predict` with chest and waist swapped on an average man: each value is
//! plausible alone and against the other one at a time, the set is not (exit 2, both named).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed unwrap is a failed test

use std::process::Command;

fn predict(chest: &str, waist: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args([
            "predict",
            "--sex",
            "male",
            "--height-cm",
            "178",
            "--weight-kg",
            "80",
        ])
        .args(["--chest-cm", chest, "--waist-cm", waist])
        .output()
        .unwrap()
}

#[test]
fn swapped_chest_and_waist_exit_2_naming_both() {
    let o = predict("90", "103");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("chest") && err.contains("waist"), "{err}");
    assert!(predict("103", "90").status.success());
}
