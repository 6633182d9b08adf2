//! Answer latency for a 500-entry pack (`cargo bench -p doppel-concierge --bench ask`).
//!
//! The pack is the Bohnenwerk sample grown synthetically to 500 FAQ entries: every extra
//! entry recombines sentences of the real ones (deterministic LCG), so vocabulary and text
//! lengths stay realistic. Timings are printed, never asserted.

#![allow(clippy::unwrap_used, clippy::print_stdout)] // benchmark binary

use doppel_concierge::Pack;
use doppel_concierge::search::AskOptions;
use serde_json::{Value, json};
use std::hint::black_box;
use std::time::Instant;

macro_rules! files {
    ($($f:literal),*) => {
        vec![$(($f.to_string(), include_str!(concat!("../../../assets/concierge/packs/bohnenwerk/", $f)).to_string())),*]
    };
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

fn synthetic(entries: usize) -> Vec<(String, String)> {
    let mut files = files!(
        "pack.json",
        "products.json",
        "serials.json",
        "care.json",
        "errors.json",
        "faq.json",
        "warranty.json",
        "contacts.json",
        "synonyms.json"
    );
    let faq: Value =
        serde_json::from_str(&files.iter().find(|(n, _)| n == "faq.json").unwrap().1).unwrap();
    let real = faq["entries"].as_array().unwrap().clone();
    let mut sentences: Vec<(String, String)> = Vec::new();
    for e in &real {
        let (de, en) = (
            e["answer"]["de"].as_str().unwrap(),
            e["answer"]["en"].as_str().unwrap(),
        );
        for (a, b) in de.split(". ").zip(en.split(". ")) {
            sentences.push((a.to_string(), b.to_string()));
        }
    }
    let mut rng = Lcg(42);
    let mut out = real.clone();
    let mut i = 0;
    while out.len() < entries {
        let base = &real[rng.next(real.len())];
        let pick = |rng: &mut Lcg| sentences[rng.next(sentences.len())].clone();
        let (s1, s2, s3) = (pick(&mut rng), pick(&mut rng), pick(&mut rng));
        out.push(json!({
            "id": format!("synthetic-{i}"),
            "questions": {"de": [format!("{} {}?", base["questions"]["de"][0].as_str().unwrap().trim_end_matches('?'), s1.0.split(' ').take(4).collect::<Vec<_>>().join(" "))],
                          "en": [format!("{} {}?", base["questions"]["en"][0].as_str().unwrap().trim_end_matches('?'), s1.1.split(' ').take(4).collect::<Vec<_>>().join(" "))]},
            "answer": {"de": format!("{}. {}. {}.", s1.0, s2.0, s3.0), "en": format!("{}. {}. {}.", s1.1, s2.1, s3.1)},
            "source": {"document": "Synthetic manual", "section": format!("{i}")}
        }));
        i += 1;
    }
    let faq = json!({"entries": out}).to_string();
    files.iter_mut().find(|(n, _)| n == "faq.json").unwrap().1 = faq;
    files
}

fn main() {
    let files = synthetic(500);
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
