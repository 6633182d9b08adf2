//! Spread of solve times over many plausible bodies (not just the two benchmark inputs):
//! `cargo run --release -p doppel-body --example solve_spread [N] [--all]`.
//!
//! Bodies: N deterministic draws over sex, height and weight; chest, waist and hip are
//! drawn from the predictor's own joint distribution for that person (so they are
//! realistic and mutually consistent) and supplied to the solver; with `--all`, every
//! predicted measure is drawn and supplied (the hardest case). Prints median, p95 and
//! worst wall-clock time and LM iterations, and the largest error of a supplied value.

#![allow(missing_docs)]

use doppel_body::model::Model;
use doppel_body::solve::{Problem, solve, sweep_input};
use doppel_body::{BodyInput, Measure, predict};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let all = args.iter().any(|a| a == "--all");
    let n: usize = args.iter().find_map(|v| v.parse().ok()).unwrap_or(200);
    let model = Model::builtin()?;
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        let base = sweep_input(i)?;
        let (sex, h, w) = (base.sex, base.height_cm, base.weight_kg);
        let Some(draw) = predict(&base)?.sample(1, i as u64).pop() else {
            continue;
        };
        let supplied: Vec<(Measure, f64)> = draw
            .iter()
            .filter(|(m, _)| {
                **m != Measure::Height
                    && (all || matches!(m, Measure::Chest | Measure::Waist | Measure::Hip))
            })
            .map(|(m, v)| (*m, (v * 10.0).round() / 10.0))
            .collect();
        let input = BodyInput::new(sex, h, w, Some(base.age_years), supplied)?;
        let p = predict(&input)?;
        let prob = Problem::from_prediction(&p, w);
        let t = Instant::now();
        let sol = solve(model, &prob)?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        if sol.max_supplied_error_cm > 0.5 {
            // Name the misses so they can be reproduced.
            let worst = prob
                .targets
                .iter()
                .filter(|t| t.supplied)
                .map(|t| (t.measure, sol.achieved_cm[&t.measure] - t.value_cm))
                .fold((Measure::Height, 0.0f64), |w, e| {
                    if e.1.abs() > w.1.abs() { e } else { w }
                });
            eprintln!(
                "body {i} ({sex}, {h:.1} cm, {w:.1} kg): {} off by {:+.2} cm after {} iterations",
                worst.0, worst.1, sol.iterations
            );
        }
        rows.push((ms, sol.iterations, sol.max_supplied_error_cm));
    }
    let q = |mut v: Vec<f64>, p: f64| {
        v.sort_by(f64::total_cmp);
        v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1]
    };
    let times: Vec<f64> = rows.iter().map(|r| r.0).collect();
    let iters: Vec<f64> = rows.iter().map(|r| r.1 as f64).collect();
    let worst_err = rows.iter().fold(0.0f64, |m, r| m.max(r.2));
    let over = rows.iter().filter(|r| r.2 > 0.5).count();
    println!(
        "{} solves ({} supplied): time ms median {:.1} p95 {:.1} max {:.1}; \
         iterations median {} p95 {} max {}; largest supplied error {:.3} cm \
         ({over} over the 0.5 cm contract)",
        rows.len(),
        if all { "all 9" } else { "chest/waist/hip" },
        q(times.clone(), 0.5),
        q(times.clone(), 0.95),
        q(times, 1.0),
        q(iters.clone(), 0.5),
        q(iters.clone(), 0.95),
        q(iters, 1.0),
        worst_err
    );
    Ok(())
}
