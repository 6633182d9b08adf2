//! Fits the reranker's weights (`doppel_concierge::rerank`) and cross-validates them.
//!
//! `cargo run -p doppel-concierge --example fit_rerank [-- LAMBDA]`
//!
//! Training data: the tuning pool and the calibration sets of `tests/concierge/` (never the
//! held-out sets). For every question that [`Pack::rerank_input`] ranks, each pair of a
//! right and a wrong candidate among the best four is one example of a pairwise logistic
//! regression (no intercept, L2 penalty `LAMBDA`, default 2), solved by Newton's method.
//! Prints the top-1 of each set left out in turn (BM25 order against the reranked order,
//! weights fitted on the other sets), then the weights fitted on all sets as the Rust
//! constant to commit.

use anyhow::{Context, Result, bail};
use doppel_concierge::rerank::FEATURES;
use doppel_concierge::search::{AskOptions, EntryKind, RerankInput};
use doppel_concierge::{Lang, Pack, samples};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The sets the weights are fitted on.
const SETS: [&str; 8] = [
    "eval.json",
    "holdout.json",
    "holdout2.json",
    "holdout3.json",
    "holdout4.json",
    "holdout5.json",
    "cal9.json",
    "cal10.json",
];

/// One question: its accepted `kind:id` keys (`None`: no answer) and what the retriever
/// makes of it.
struct Question {
    set: usize,
    accepted: Vec<Option<String>>,
    /// `None`: a named error code, answered by the code whatever the weights.
    input: Option<RerankInput>,
    /// The answer's key when `input` is `None`.
    coded: Option<String>,
}

fn key(kind: EntryKind, id: &str) -> String {
    let k = match kind {
        EntryKind::Faq => "faq",
        EntryKind::ErrorCode => "error",
        EntryKind::CareTask => "task",
        EntryKind::CarePlan => "plan",
    };
    format!("{k}:{id}")
}

fn load() -> Result<Vec<Question>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/concierge");
    let mut packs: BTreeMap<String, Pack> = BTreeMap::new();
    let mut out = Vec::new();
    for (set, file) in SETS.iter().enumerate() {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
        let v: Value = serde_json::from_str(&text)?;
        for q in v["questions"].as_array().context("questions")? {
            let name = q["pack"].as_str().context("pack")?;
            if !packs.contains_key(name) {
                packs.insert(name.to_string(), samples::sample(name)?);
            }
            let pack = &packs[name];
            let lang: Lang = q["lang"].as_str().context("lang")?.parse()?;
            let opts = AskOptions {
                lang: Some(lang),
                product: q["product"].as_str(),
                ..AskOptions::default()
            };
            let text = q["q"].as_str().context("q")?;
            let accepted = match &q["expect"] {
                Value::Null => vec![None],
                Value::String(s) => vec![Some(s.clone())],
                Value::Array(a) => a.iter().map(|s| s.as_str().map(String::from)).collect(),
                other => bail!("{file}: bad expect {other}"),
            };
            let input = pack.rerank_input(text, &opts)?;
            let coded = if input.is_none() {
                let a = pack.ask(text, &opts)?;
                a.answer.and(a.source).map(|s| key(s.kind, &s.id))
            } else {
                None
            };
            out.push(Question {
                set,
                accepted,
                input,
                coded,
            });
        }
    }
    Ok(out)
}

fn dot(w: &[f64; FEATURES], x: &[f64; FEATURES]) -> f64 {
    w.iter().zip(x).map(|(a, b)| a * b).sum()
}

/// The answer's key under `w` (`None` weights: BM25 order).
fn answer(q: &Question, w: Option<&[f64; FEATURES]>) -> Option<String> {
    let Some(input) = &q.input else {
        return q.coded.clone();
    };
    if !input.answered {
        return None;
    }
    let mut best: Option<(f64, &_)> = None;
    for c in &input.candidates {
        let s = w.map_or(0.0, |w| dot(w, &c.features));
        if best.is_none_or(|(b, _)| s > b) {
            best = Some((s, c));
        }
    }
    best.map(|(_, c)| key(c.kind, &c.id))
}

/// Pairwise differences (right − wrong candidate) of the questions `use_q` accepts.
fn pairs(qs: &[Question], use_q: impl Fn(&Question) -> bool) -> Vec<[f64; FEATURES]> {
    let mut out = Vec::new();
    for q in qs.iter().filter(|q| use_q(q)) {
        let Some(input) = &q.input else { continue };
        let right = |c: &&doppel_concierge::search::RerankCandidate| {
            q.accepted.contains(&Some(key(c.kind, &c.id)))
        };
        for g in input.candidates.iter().filter(right) {
            for b in input.candidates.iter().filter(|c| !right(c)) {
                let mut d = [0.0; FEATURES];
                for (i, d) in d.iter_mut().enumerate() {
                    *d = g.features[i] - b.features[i];
                }
                out.push(d);
            }
        }
    }
    out
}

/// Minimises Σ log(1 + e^(−w·d)) + λ/2 |w|² by Newton's method.
fn fit(pairs: &[[f64; FEATURES]], lambda: f64) -> [f64; FEATURES] {
    let mut w = [0.0; FEATURES];
    for _ in 0..50 {
        let mut g = [0.0; FEATURES];
        let mut h = [[0.0; FEATURES]; FEATURES];
        for i in 0..FEATURES {
            g[i] = lambda * w[i];
            h[i][i] = lambda;
        }
        for d in pairs {
            let p = 1.0 / (1.0 + dot(&w, d).exp()); // σ(−w·d)
            for i in 0..FEATURES {
                g[i] -= p * d[i];
                for j in 0..FEATURES {
                    h[i][j] += p * (1.0 - p) * d[i] * d[j];
                }
            }
        }
        let step = solve(h, g);
        let mut change: f64 = 0.0;
        for i in 0..FEATURES {
            w[i] -= step[i];
            change = change.max(step[i].abs());
        }
        if change < 1e-10 {
            break;
        }
    }
    w
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting (`a` is positive
/// definite here: the penalty keeps it so).
fn solve(mut a: [[f64; FEATURES]; FEATURES], mut b: [f64; FEATURES]) -> [f64; FEATURES] {
    for col in 0..FEATURES {
        let piv = (col..FEATURES)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        a.swap(col, piv);
        b.swap(col, piv);
        for row in col + 1..FEATURES {
            let f = a[row][col] / a[col][col];
            let pivot = a[col];
            for (x, p) in a[row][col..].iter_mut().zip(&pivot[col..]) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; FEATURES];
    for row in (0..FEATURES).rev() {
        let s: f64 = (row + 1..FEATURES).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    x
}

fn main() -> Result<()> {
    let lambda: f64 = match std::env::args().nth(1) {
        Some(s) => s.parse().context("LAMBDA must be a number")?,
        None => 2.0,
    };
    let qs = load()?;
    let hit = |q: &Question, w: Option<&[f64; FEATURES]>| q.accepted.contains(&answer(q, w));
    let (mut base_all, mut rr_all) = (0, 0);
    println!("leave-one-set-out, λ = {lambda}: set, questions, BM25 order, reranked");
    for (s, name) in SETS.iter().enumerate() {
        let w = fit(&pairs(&qs, |q| q.set != s), lambda);
        let test: Vec<&Question> = qs.iter().filter(|q| q.set == s).collect();
        let base = test.iter().filter(|q| hit(q, None)).count();
        let rr = test.iter().filter(|q| hit(q, Some(&w))).count();
        println!("  {name}: {} questions, {base} → {rr}", test.len());
        base_all += base;
        rr_all += rr;
    }
    println!("  all: {} questions, {base_all} → {rr_all}", qs.len());
    let w = fit(&pairs(&qs, |_| true), lambda);
    let fitted = qs.iter().filter(|q| hit(q, Some(&w))).count();
    println!("fitted on all {} questions: {fitted} right", qs.len());
    let list: Vec<String> = w.iter().map(|x| format!("{x:.4}")).collect();
    println!(
        "pub(crate) const WEIGHTS: [f64; FEATURES] = [{}];",
        list.join(", ")
    );
    Ok(())
}
