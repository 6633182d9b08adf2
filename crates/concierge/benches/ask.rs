//! Answer latency for a 500-entry pack (`cargo bench -p doppel-concierge --bench ask`).
//!
//! The pack is the Bohnenwerk sample grown to 500 FAQ entries by
//! [`samples::grow_faq`] (deterministic; the wasm benchmark builds the same pack). Timings are printed, never asserted.

#![allow(clippy::unwrap_used, clippy::print_stdout)] // benchmark binary

use doppel_concierge::search::AskOptions;
use doppel_concierge::{Pack, samples};
use serde_json::Value;
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let mut files = samples::sample_files("bohnenwerk").unwrap();
    samples::grow_faq(&mut files, 500).unwrap();
    let t = Instant::now();
    let runs = 20;
    let mut pack = None;
    for _ in 0..runs {
        pack = Some(black_box(Pack::from_files(&files).unwrap()));
    }
    let load_ms = t.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
    let pack = pack.unwrap();
    let eval: Value =
        serde_json::from_str(include_str!("../../../tests/concierge/eval.json")).unwrap();
    let qs: Vec<(String, String)> = eval["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["pack"] == "bohnenwerk")
        .map(|q| {
            (
                q["q"].as_str().unwrap().to_string(),
                q["lang"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut times = Vec::new();
    let mut slowest = (0.0, String::new());
    for _ in 0..20 {
        for (q, l) in &qs {
            let opts = AskOptions {
                lang: Some(l.parse().unwrap()),
                ..Default::default()
            };
            let t = Instant::now();
            black_box(pack.ask(black_box(q), &opts).unwrap());
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            let last = times[times.len() - 1];
            if last > slowest.0 {
                slowest = (last, q.clone());
            }
        }
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    println!(
        "pack: {} FAQ entries, {} error codes, {} care plans",
        pack.faq.len(),
        pack.error_codes.len(),
        pack.care_plans.len()
    );
    println!("load + index (both languages): {load_ms:.2} ms (mean of {runs})");
    println!(
        "ask: {} questions × 20: median {:.3} ms, p95 {:.3} ms, max {:.3} ms",
        qs.len(),
        pct(0.5),
        pct(0.95),
        pct(1.0)
    );
    println!(
        "slowest single call: {:.3} ms for {:?}",
        slowest.0, slowest.1
    );
}
