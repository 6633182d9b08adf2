//! `doppel profile products …` end to end: add by code, list, record usage (never
//! backwards), due care, and bad input exiting 2 with the file left intact.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pack() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/concierge/packs/bohnenwerk")
        .to_string_lossy()
        .into_owned()
}

fn doppel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args(args)
        .output()
        .expect("run doppel")
}

fn json(o: &Output) -> Value {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// `doppel profile products CMD --profile PROFILE REST…`.
fn products(cmd: &str, profile: &str, rest: &[&str]) -> Output {
    let mut args = vec!["profile", "products", cmd, "--profile", profile];
    args.extend_from_slice(rest);
    doppel(&args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh folder per test (tests run in parallel).
fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("doppel-profile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn add_list_usage_care() {
    let dir = temp("flow");
    let file = dir.join("profile.json");
    let f = file.to_str().unwrap();
    let pack = pack();
    let link = "https://id.bohnenwerk.example/01/04260999810028/21/BWBP2452P00007?11=241223";
    let added = json(&products(
        "add",
        f,
        &[
            "--pack",
            &pack,
            "--code",
            link,
            "--purchased",
            "2025-01-10",
            "--today",
            "2025-06-01",
        ],
    ));
    assert_eq!(added["product"], "barista-pro");
    assert_eq!(added["serial"], "BWBP2452P00007");
    let id = added["id"].as_str().unwrap().to_string();
    assert!(
        !dir.join("profile.json.bak").exists(),
        "no backup of a new file"
    );

    let list = json(&products("list", f, &[]));
    assert_eq!(list["owned"].as_array().unwrap().len(), 1);

    let used = json(&products(
        "usage",
        f,
        &[
            "--product",
            &id,
            "--pack",
            &pack,
            "--counter",
            "water_l=58",
            "--date",
            "2025-05-01",
        ],
    ));
    assert_eq!(used["counters"]["water_l"][0]["value"], 58.0);
    // The previous version is kept beside the file.
    assert!(dir.join("profile.json.bak").exists());

    // Backwards: exit 2, the message names the counter, the file is unchanged.
    let before = std::fs::read_to_string(&file).unwrap();
    let back = products(
        "usage",
        f,
        &[
            "--product",
            &id,
            "--counter",
            "water_l=40",
            "--date",
            "2025-05-02",
        ],
    );
    assert_eq!(back.status.code(), Some(2), "{}", stderr(&back));
    assert!(stderr(&back).contains("water_l"), "{}", stderr(&back));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);

    // Unknown counter with the pack at hand: named with the known ones.
    let unknown = products(
        "usage",
        f,
        &["--product", &id, "--pack", &pack, "--counter", "steam=3"],
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("water_l"), "{}", stderr(&unknown));

    // Care: bought in January, never descaled, 58 l by May: descaling is due by September.
    let care = json(&products(
        "care",
        f,
        &["--pack", &pack, "--today", "2025-09-01", "--lang", "en"],
    ));
    let tasks = care[0]["tasks"].as_array().unwrap();
    let descale = tasks.iter().find(|t| t["task"] == "descale").unwrap();
    assert_ne!(descale["state"], "upcoming", "{descale}");
}

#[test]
fn bad_input_exits_2_and_keeps_the_file() {
    let dir = temp("bad");
    let file = dir.join("profile.json");
    let f = file.to_str().unwrap();
    let pack = pack();
    // Wrong GTIN check digit: named, and no file is created.
    let bad = products(
        "add",
        f,
        &[
            "--pack",
            &pack,
            "--code",
            "https://id.bohnenwerk.example/01/04260999810029/21/BWBP2452P00007",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--code"), "{}", stderr(&bad));
    assert!(
        stderr(&bad).to_lowercase().contains("check digit"),
        "{}",
        stderr(&bad)
    );
    assert!(!file.exists());
    // Impossible purchase date.
    let date = products(
        "add",
        f,
        &[
            "--pack",
            &pack,
            "--code",
            "BWBO2410L00042",
            "--purchased",
            "2025-02-30",
        ],
    );
    assert_eq!(date.status.code(), Some(2));
    assert!(stderr(&date).contains("--purchased"), "{}", stderr(&date));
    // A damaged profile is refused and left exactly as it was.
    std::fs::write(&file, "{\"format\": broken").unwrap();
    let add = products("add", f, &["--pack", &pack, "--code", "BWBO2410L00042"]);
    assert_eq!(add.status.code(), Some(2));
    assert!(stderr(&add).contains("--profile"), "{}", stderr(&add));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{\"format\": broken"
    );
    // Missing file for list; malformed counter.
    let missing = dir.join("none.json");
    let list = products("list", missing.to_str().unwrap(), &[]);
    assert_eq!(list.status.code(), Some(2));
    assert!(stderr(&list).contains("no such file"), "{}", stderr(&list));
    std::fs::remove_file(&file).unwrap();
    let ok = json(&products(
        "add",
        f,
        &["--pack", &pack, "--code", "BWBO2410L00042"],
    ));
    let id = ok["id"].as_str().unwrap();
    for c in ["water_l", "water_l=abc", "water_l=-1"] {
        let o = products("usage", f, &["--product", id, "--counter", c]);
        assert_eq!(o.status.code(), Some(2), "{c}");
        assert!(stderr(&o).contains("--counter"), "{c}: {}", stderr(&o));
    }
    let o = products("usage", f, &["--product", "nope", "--counter", "water_l=1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--product"), "{}", stderr(&o));
}
