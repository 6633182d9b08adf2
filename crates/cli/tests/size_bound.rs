//! `doppel size-bound` and `eval-sizes --objective`: bad options exit 2 naming the option
//! (the runs on ANSUR II itself are covered by `doppel_fit::bound`'s data test).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed unwrap is a failed test

use std::path::PathBuf;
use std::process::Command;

fn run(args: &[&str]) -> (i32, String) {
    let chart = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/charts/men_tops.json");
    let o = Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args(&args[..1])
        .arg("--chart")
        .arg(&chart)
        .args(["--ansur-dir", "/nonexistent-ansur"])
        .args(&args[1..])
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn bad_options_name_the_option() {
    for (args, needle) in [
        (&["size-bound", "--tolerances", "0"][..], "--tolerances"),
        (&["size-bound", "--tolerances", "1,9"][..], "0.1–5"),
        (&["size-bound", "--strata", "0"][..], "--strata"),
        (&["size-bound", "--sim-reps", "0"][..], "--sim-reps"),
        (&["size-bound", "--sim-draws", "5"][..], "--sim-draws"),
        (&["eval-sizes", "--objective", "best"][..], "--objective"),
    ] {
        let (code, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // Good options reach the data directory, which is missing here: still a clear exit 2.
    let (code, err) = run(&["size-bound"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("/nonexistent-ansur"), "{err}");
}

#[test]
fn a_chart_dimension_ansur_does_not_measure_is_named() {
    let dir = std::env::temp_dir().join(format!("doppel-size-bound-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let chart = dir.join("underbust.json");
    std::fs::write(
        &chart,
        r#"{"name": "bras", "sex": "female", "sizes": [
            {"label": "70", "ranges_cm": {"underbust": [68, 72]}},
            {"label": "75", "ranges_cm": {"underbust": [72, 77]}}]}"#,
    )
    .unwrap();
    for cmd in ["size-bound", "eval-sizes"] {
        let o = Command::new(env!("CARGO_BIN_EXE_doppel"))
            .arg(cmd)
            .arg("--chart")
            .arg(&chart)
            .args(["--ansur-dir", "/nonexistent-ansur"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {err}");
        assert!(
            err.contains("underbust") && err.contains("--chart"),
            "{cmd}: {err}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
