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
use doppel_concierge::rerank::{self, FEATURES};
use doppel_concierge::search::{AskOptions, EntryKind, RerankInput};
use doppel_concierge::{Lang, Pack, samples};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

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
    for (set, file) in rerank::TRAINING_SETS.iter().enumerate() {
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
        let s = w.map_or(0.0, |w| rerank::score(w, &c.features));
        if best.is_none_or(|(b, _)| s > b) {
            best = Some((s, c));
        }
    }
    best.map(|(_, c)| key(c.kind, &c.id))
}

/// The candidates of the questions `use_q` accepts, each marked right or wrong, for
/// [`rerank::fit`].
fn examples(qs: &[Question], use_q: impl Fn(&Question) -> bool) -> Vec<Vec<rerank::Example>> {
    qs.iter()
        .filter(|q| use_q(q))
        .filter_map(|q| q.input.as_ref().map(|input| (q, input)))
        .map(|(q, input)| {
            input
                .candidates
                .iter()
                .map(|c| (c.features, q.accepted.contains(&Some(key(c.kind, &c.id)))))
                .collect()
        })
        .collect()
}

fn main() -> Result<()> {
    let lambda: f64 = match std::env::args().nth(1) {
        Some(s) => s.parse().context("LAMBDA must be a number")?,
        None => rerank::FIT_LAMBDA,
    };
    if lambda.is_nan() || lambda <= 0.0 {
        bail!("LAMBDA must be above 0 (the penalty keeps the fit well-posed), got {lambda}");
    }
    let qs = load()?;
    let hit = |q: &Question, w: Option<&[f64; FEATURES]>| q.accepted.contains(&answer(q, w));
    let (mut base_all, mut rr_all) = (0, 0);
    println!("leave-one-set-out, λ = {lambda}: set, questions, BM25 order, reranked");
    for (s, name) in rerank::TRAINING_SETS.iter().enumerate() {
        let w = rerank::fit(&examples(&qs, |q| q.set != s), lambda);
        let test: Vec<&Question> = qs.iter().filter(|q| q.set == s).collect();
        let base = test.iter().filter(|q| hit(q, None)).count();
        let rr = test.iter().filter(|q| hit(q, Some(&w))).count();
        println!("  {name}: {} questions, {base} → {rr}", test.len());
        base_all += base;
        rr_all += rr;
    }
    println!("  all: {} questions, {base_all} → {rr_all}", qs.len());
    let w = rerank::fit(&examples(&qs, |_| true), lambda);
    let fitted = qs.iter().filter(|q| hit(q, Some(&w))).count();
    println!("fitted on all {} questions: {fitted} right", qs.len());
    let list: Vec<String> = w.iter().map(|x| format!("{x:.4}")).collect();
    println!(
        "pub const WEIGHTS: [f64; FEATURES] = [{}];",
        list.join(", ")
    );
    Ok(())
}
