use super::*;
use crate::mesh_measure::{measure, volume_m3};
use crate::{Measure, Sex};
use std::collections::HashMap;

#[test]
fn rejects_garbage() {
    assert!(Model::from_bytes(b"").is_err());
    assert!(Model::from_bytes(b"DPLBODY\0\x02\0\0\0").is_err());
}

#[test]
fn builtin_loads_and_round_trips() {
    let m = Model::builtin().expect("the shipped model must load");
    assert!(m.n_surface() > 10_000);
    assert_eq!(m.joint_names().len(), m.n_total() - m.n_surface());
    let bytes = m.to_bytes();
    let again = Model::from_bytes(&bytes).expect("re-encoded model loads");
    // Re-quantising already quantised data is exact up to float rounding.
    assert_eq!(again.to_bytes().len(), bytes.len());
    let a = m.evaluate(&m.neutral(Sex::Male));
    let b = again.evaluate(&again.neutral(Sex::Male));
    let worst = a
        .iter()
        .zip(&b)
        .map(|(p, q)| (0..3).map(|k| (p[k] - q[k]).abs()).fold(0.0, f32::max))
        .fold(0.0, f32::max);
    assert!(worst < 5e-4, "{worst}");
}

#[test]
fn mesh_is_closed_and_outward() {
    let m = Model::builtin().expect("model");
    let mut edges: HashMap<(u32, u32), i32> = HashMap::new();
    for t in m.triangles() {
        for e in 0..3 {
            let (a, b) = (t[e], t[(e + 1) % 3]);
            // Each directed edge once, and its reverse once: closed and consistently wound.
            *edges.entry((a, b)).or_default() += 1;
        }
    }
    let bad = edges
        .iter()
        .filter(|e| *e.1 != 1 || edges.get(&(e.0.1, e.0.0)) != Some(&1))
        .count();
    assert_eq!(bad, 0, "edges not shared by exactly two opposite triangles");
    for sex in [Sex::Female, Sex::Male] {
        let v = m.evaluate(&m.neutral(sex));
        assert!(volume_m3(&v, m.triangles()) > 0.03, "{sex}");
    }
}

#[test]
fn neutral_bodies_measure_plausibly() {
    let m = Model::builtin().expect("model");
    for sex in [Sex::Female, Sex::Male] {
        let v = m.evaluate(&m.neutral(sex));
        let r = measure(m, &v).expect("landmarks");
        eprintln!(
            "{sex}: {:?} levels {:?} volume {}",
            r.values_cm, r.levels_m, r.volume_m3
        );
        for meas in Measure::ALL {
            let (lo, hi) = meas.range_cm();
            let x = r.values_cm[&meas];
            assert!(x > lo && x < hi, "{sex} {meas} = {x}");
        }
        let lv = |k: &str| r.levels_m[k];
        assert!(lv("neck") > lv("chest") && lv("chest") > lv("underbust"));
        assert!(
            lv("underbust") > lv("waist") && lv("waist") > lv("hip") && lv("hip") > lv("thigh")
        );
        assert!(r.values_cm[&Measure::Inseam] < r.values_cm[&Measure::Height] * 0.55);
    }
}

#[test]
fn corrupted_model_files_error_or_load_but_never_panic() {
    let good = Model::builtin().expect("model").to_bytes();
    // Truncations at many points, including inside every header field.
    let mut cuts: Vec<usize> = (0..64).collect();
    cuts.extend((1..200).map(|k| k * good.len() / 200));
    for cut in cuts {
        assert!(
            Model::from_bytes(&good[..cut]).is_err(),
            "truncated at {cut} loaded"
        );
    }
    let mut extra = good.clone();
    extra.push(0);
    assert!(Model::from_bytes(&extra).is_err(), "trailing byte accepted");
    // Byte flips (deterministic xorshift positions): errors are fine, panics are not,
    // and a model that still loads must evaluate and measure.
    let mut state = 0x9E37_79B9_u64;
    for _ in 0..60 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let at = (state % good.len() as u64) as usize;
        let at = if state.is_multiple_of(3) {
            at % 4096
        } else {
            at
        };
        let mut bad = good.clone();
        bad[at] ^= 0xA5;
        if let Ok(m) = Model::from_bytes(&bad) {
            for sex in [Sex::Female, Sex::Male] {
                let v = m.evaluate(&m.neutral(sex));
                let _ = measure(&m, &v);
            }
        }
    }
}
