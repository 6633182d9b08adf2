//! Top-1 accuracy of `Pack::ask` on the committed question sets in `tests/concierge/`:
//!
//! - `eval.json`: the tuning set (synonyms, stemmers, weights and the threshold were tuned
//!   on it);
//! - `holdout.json` (session 1), `holdout2.json` (session 2) and `holdout3.json`
//!   (session 4): written before the tuning of their session; retired into the tuning pool
//!   in session 5 (their misses are printed and were tuned on from then on);
//! - `holdout4.json` (session 5) and `holdout5.json` (session 6, written by its own author
//!   who saw only entry ids and titles): held out when written, retired into the tuning
//!   pool in session 6 (their misses are printed);
//! - `holdout6.json` (session 6): written by another author who saw only entry ids and
//!   titles (never the FAQ texts, the other sets or this code), committed with its
//!   baseline before any change of session 6, never tuned on; only its totals are printed;
//! - `holdout7.json` and `holdout8.json` (session 7): the same protocol, each by its own
//!   author, committed with its baseline (measured on the session-6 code) before any change
//!   of session 7; only their totals are printed;
//! - `holdout9.json` (session 7): by one more author, written after every change of
//!   session 7 and measured once on its final code; totals only;
//! - `holdout10.json` and `holdout11.json` (session 8): the same protocol, each by its own
//!   author (questions repeating one of an older set word for word were reworded by a
//!   third before the first run), committed with its baseline on the session-7 code before
//!   any change of session 8; totals only.
//!
//! Each test computes the figure from the files and fails below a floor a little under the
//! measured value, so a regression shows. The figures are reported in BENCHMARKS.md; run
//! with `--nocapture` to see them (with every miss of the tuning pool; the held-out
//! sets print their totals only). To tune without seeing them, run with
//! `-- --nocapture --skip sixth --skip seventh --skip eighth --skip calibration` (which
//! also skips `holdout8.json` to `holdout11.json` and the calibration sets).

#![allow(clippy::unwrap_used)] // test code: a panic is a test failure

use doppel_concierge::search::{AskOptions, EntryKind};
use doppel_concierge::{Answer, Lang, Pack, samples};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// `kind:id` of the entry an answer cites; `None` for "no answer".
fn key(a: &Answer) -> Option<String> {
    let s = a.source.as_ref()?;
    a.answer.as_ref()?;
    Some(entry_key(s.kind, &s.id))
}

/// `kind:id` of an entry, as the question sets name it.
fn entry_key(kind: EntryKind, id: &str) -> String {
    match kind {
        EntryKind::Faq => format!("faq:{id}"),
        EntryKind::ErrorCode => format!("error:{id}"),
        EntryKind::CareTask => format!("task:{id}"),
        EntryKind::CarePlan => format!("plan:{id}"),
    }
}

/// One question's result.
struct Row {
    q: String,
    lang: Lang,
    accepted: Vec<Option<String>>,
    got: Option<String>,
    score: f64,
    /// Best entry and score with no threshold (for the calibration sweep).
    raw: (Option<String>, f64),
    next: String,
    /// Whether an accepted entry is among the answer's alternatives (the runners-up of an
    /// answer, or the entries offered to pick from without one).
    in_alternatives: bool,
    /// How many alternatives the answer carries.
    offered: usize,
}

impl Row {
    fn hit(&self) -> bool {
        self.accepted.contains(&self.got)
    }
    fn off_topic(&self) -> bool {
        self.accepted == [None]
    }
}

/// Asks every question of `tests/concierge/<file>` with the default options and returns
/// the rows.
fn run_set(file: &str) -> Vec<Row> {
    run_set_with(file, &AskOptions::default())
}

/// [`run_set`] with the thresholds of `base` (its language and product are each
/// question's own).
fn run_set_with(file: &str, base: &AskOptions) -> Vec<Row> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/concierge")
        .join(file);
    let set: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut packs: BTreeMap<String, Pack> = BTreeMap::new();
    let mut rows = Vec::new();
    for q in set["questions"].as_array().unwrap() {
        let name = q["pack"].as_str().unwrap();
        let pack = packs
            .entry(name.to_string())
            .or_insert_with(|| samples::sample(name).unwrap_or_else(|e| panic!("{e}")));
        let lang: Lang = q["lang"].as_str().unwrap().parse().unwrap();
        let text = q["q"].as_str().unwrap();
        let opts = AskOptions {
            lang: Some(lang),
            product: q["product"].as_str(),
            ..*base
        };
        let a = pack.ask(text, &opts).unwrap();
        let raw = pack
            .ask(
                text,
                &AskOptions {
                    min_score: 0.0,
                    ..opts
                },
            )
            .unwrap();
        let accepted = match &q["expect"] {
            Value::Null => vec![None],
            Value::String(s) => vec![Some(s.clone())],
            Value::Array(v) => v.iter().map(|s| s.as_str().map(String::from)).collect(),
            other => panic!("{file}: bad expect {other}"),
        };
        // Alternatives carry bare ids; an accepted `kind:id` matches by its id part.
        let bare = |k: &Option<String>| {
            k.as_ref()
                .map(|k| k.split_once(':').map_or(k.as_str(), |x| x.1).to_string())
        };
        let in_alternatives = a.alternatives.iter().any(|x| {
            accepted
                .iter()
                .any(|k| bare(k).as_deref() == Some(x.id.as_str()))
        });
        rows.push(Row {
            q: text.to_string(),
            lang,
            accepted,
            got: key(&a),
            score: a.score,
            raw: (key(&raw), raw.score),
            next: a
                .alternatives
                .first()
                .map(|x| format!("{}:{:.3}", x.id, x.score))
                .unwrap_or_default(),
            in_alternatives,
            offered: a.alternatives.len(),
        });
    }
    rows
}

/// Prints the figures of a set (and its misses when `show_misses`: the tuning pool only, so
/// that nobody tunes on a held-out question by reading it here) and returns its top-1
/// accuracy.
fn report(name: &str, rows: &[Row], show_misses: bool) -> f64 {
    let n = rows.len();
    let ok = rows.iter().filter(|r| r.hit()).count();
    let count = |f: &dyn Fn(&Row) -> bool| {
        let all: Vec<&Row> = rows.iter().filter(|r| f(r)).collect();
        (all.iter().filter(|r| r.hit()).count(), all.len())
    };
    let (de_ok, de_n) = count(&|r| r.lang == Lang::De);
    let (en_ok, en_n) = count(&|r| r.lang == Lang::En);
    let (null_ok, null_n) = count(&|r| r.off_topic());
    let acc = ok as f64 / n as f64;
    println!("{name}: top-1 accuracy {ok}/{n} = {acc:.3}");
    println!(
        "  de {de_ok}/{de_n}, en {en_ok}/{en_n}, off-topic correctly unanswered {null_ok}/{null_n}"
    );
    // Where the on-topic misses are (counts only, so held-out sets can print them too):
    // turned away although the unthresholded best was right, turned away with a wrong
    // best, or answered with another entry (and whether a right one was a runner-up).
    let misses: Vec<&Row> = rows.iter().filter(|r| !r.hit() && !r.off_topic()).collect();
    let unanswered: Vec<&&Row> = misses.iter().filter(|r| r.got.is_none()).collect();
    let raw_right = unanswered
        .iter()
        .filter(|r| r.accepted.contains(&r.raw.0))
        .count();
    let wrong: Vec<&&Row> = misses.iter().filter(|r| r.got.is_some()).collect();
    let runner_up = wrong.iter().filter(|r| r.in_alternatives).count();
    let offered_right = unanswered.iter().filter(|r| r.in_alternatives).count();
    let off_offered = rows
        .iter()
        .filter(|r| r.off_topic() && r.got.is_none() && r.offered > 0)
        .count();
    println!(
        "  on-topic misses {}: unanswered {} (best entry right but below the threshold {raw_right}; \
         a right one offered to pick {offered_right}), another entry {} (a right one among the \
         runners-up {runner_up}); off-topic turned away with entries offered {off_offered}",
        misses.len(),
        unanswered.len(),
        wrong.len()
    );
    for r in rows.iter().filter(|r| show_misses && !r.hit()) {
        println!(
            "  miss {:?}: expected {:?}, got {:?} ({:.3}; unthresholded {:?} {:.3}; next {})",
            r.q, r.accepted, r.got, r.score, r.raw.0, r.raw.1, r.next
        );
    }
    acc
}

#[test]
fn tuning_set_top1_accuracy() {
    let rows = run_set("eval.json");
    assert!(rows.len() >= 60, "the tuning set needs ≥ 60 questions");
    let acc = report("eval.json (tuning set)", &rows, true);
    // Calibration aid for the "no answer" threshold: apply each cut-off to the raw ranking.
    let sweep: Vec<String> = (10..=40)
        .step_by(2)
        .map(|t| {
            let t = f64::from(t) / 100.0;
            let ok = rows
                .iter()
                .filter(|r| {
                    r.accepted
                        .contains(&r.raw.0.clone().filter(|_| r.raw.1 >= t))
                })
                .count();
            format!("{t:.2}:{ok}")
        })
        .collect();
    println!(
        "main-threshold sweep, without the clear-margin rule (correct of {}): {}",
        rows.len(),
        sweep.join(" ")
    );
    assert!(acc >= 0.90, "tuning-set accuracy {acc:.3} below its floor");
}

#[test]
fn held_out_top1_accuracy() {
    let acc = report("holdout.json (session 1)", &run_set("holdout.json"), true);
    assert!(acc >= 0.90, "held-out accuracy {acc:.3} below its floor");
}

#[test]
fn second_held_out_top1_accuracy() {
    let rows = run_set("holdout2.json");
    assert!(rows.len() >= 40);
    assert!(rows.iter().filter(|r| r.off_topic()).count() >= 5);
    let acc = report("holdout2.json (session 2)", &rows, true);
    assert!(
        acc >= 0.90,
        "second held-out accuracy {acc:.3} below its floor"
    );
}

#[test]
fn third_held_out_top1_accuracy() {
    let rows = run_set("holdout3.json");
    assert!(rows.len() >= 40);
    assert!(rows.iter().filter(|r| r.off_topic()).count() >= 4);
    let acc = report("holdout3.json (session 4)", &rows, true);
    assert!(
        acc >= 0.87,
        "third held-out accuracy {acc:.3} below its floor"
    );
}

/// A 100-question set of sessions 5–6 (≥ 80 questions, ≥ 6 off-topic): reports it as
/// `name` (misses only when `show_misses`) and fails below `floor`.
fn check_set(file: &str, name: &str, show_misses: bool, floor: f64) {
    let rows = run_set(file);
    assert!(rows.len() >= 80, "{file}: {} questions", rows.len());
    assert!(rows.iter().filter(|r| r.off_topic()).count() >= 6, "{file}");
    let acc = report(name, &rows, show_misses);
    assert!(
        acc >= floor,
        "{name}: accuracy {acc:.3} below its floor {floor}"
    );
}

#[test]
fn fourth_held_out_top1_accuracy() {
    check_set("holdout4.json", "holdout4.json (session 5)", true, 0.87);
}

#[test]
fn fifth_held_out_top1_accuracy() {
    // Session-6 baseline 0.850 (85/100) on the session-5 code, less a margin.
    check_set("holdout5.json", "holdout5.json (session 6)", true, 0.82);
}

#[test]
fn sixth_held_out_top1_accuracy() {
    // Session-6 baseline 0.770 (77/100) on the session-5 code; session 7's final code 0.860,
    // session 8's (the reranker) 0.860. The floor sits a little under; totals only.
    check_set("holdout6.json", "holdout6.json (session 6)", false, 0.83);
}

#[test]
fn seventh_held_out_top1_accuracy() {
    // Session-7 baseline 0.800 (80/100) on the session-6 code, measured before any change
    // of session 7; 0.810 on session 7's final code, 0.840 on session 8's. Floor a little
    // under; totals only.
    check_set("holdout7.json", "holdout7.json (session 7)", false, 0.81);
}

#[test]
fn seventh_session_holdout8_top1_accuracy() {
    // Session-7 baseline 0.810 (81/100) on the session-6 code, measured before any change
    // of session 7; 0.860 on session 7's final code, 0.880 on session 8's. Floor a little
    // under; totals only.
    check_set("holdout8.json", "holdout8.json (session 7)", false, 0.85);
}

#[test]
fn seventh_session_holdout9_top1_accuracy() {
    // Written after every change of session 7 and measured once on its final code: 0.770
    // (77/100); 0.800 on session 8's. Totals only; floor a little under.
    check_set("holdout9.json", "holdout9.json (session 7)", false, 0.77);
}

#[test]
fn eighth_session_holdout10_top1_accuracy() {
    // Session-8 baseline 0.820 (82/100) on the session-7 code, measured before any change of
    // session 8; 0.810 on session 8's final code. Totals only; floor a little under.
    check_set("holdout10.json", "holdout10.json (session 8)", false, 0.78);
}

#[test]
fn eighth_session_holdout11_top1_accuracy() {
    // Session-8 baseline 0.730 (73/100) on the session-7 code, measured before any change of
    // session 8; 0.730 on session 8's final code. Totals only; floor a little under.
    check_set("holdout11.json", "holdout11.json (session 8)", false, 0.70);
}

/// The reranker's committed weights (`doppel_concierge::rerank::WEIGHTS`) are what
/// `examples/fit_rerank.rs` fits on the committed packs and sets (the tuning pool and the
/// calibration sets, at `FIT_LAMBDA`): a change to a pack, a feature or a set that moves
/// them fails here until the weights are fitted again and committed.
#[test]
fn committed_reranker_weights_match_a_refit() {
    use doppel_concierge::rerank::{self, Example};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/concierge");
    let mut packs: BTreeMap<String, Pack> = BTreeMap::new();
    let mut questions: Vec<Vec<Example>> = Vec::new();
    for file in rerank::TRAINING_SETS {
        let set: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        for q in set["questions"].as_array().unwrap() {
            let name = q["pack"].as_str().unwrap();
            let pack = packs
                .entry(name.to_string())
                .or_insert_with(|| samples::sample(name).unwrap());
            let opts = AskOptions {
                lang: Some(q["lang"].as_str().unwrap().parse().unwrap()),
                product: q["product"].as_str(),
                ..AskOptions::default()
            };
            let accepted: Vec<String> = match &q["expect"] {
                Value::String(s) => vec![s.clone()],
                Value::Array(v) => v
                    .iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect(),
                _ => Vec::new(),
            };
            let Some(input) = pack.rerank_input(q["q"].as_str().unwrap(), &opts).unwrap() else {
                continue;
            };
            questions.push(
                input
                    .candidates
                    .iter()
                    .map(|c| (c.features, accepted.contains(&entry_key(c.kind, &c.id))))
                    .collect(),
            );
        }
    }
    assert!(
        questions.len() >= 500,
        "{} ranked questions",
        questions.len()
    );
    let refit = rerank::fit(&questions, rerank::FIT_LAMBDA);
    for (i, (w, c)) in refit.iter().zip(rerank::WEIGHTS).enumerate() {
        // The committed weights are printed to four decimals.
        assert!(
            (w - c).abs() < 1e-3,
            "weight {i}: refit {w:.4}, committed {c:.4}; run `cargo run -p doppel-concierge \
             --example fit_rerank` and commit its weights"
        );
    }
}

/// The calibration sets of session 7 (`cal9.json`, `cal10.json`): written by two more
/// independent authors (entry ids and titles only) to choose the answer thresholds on
/// questions whose vocabulary nobody tuned the pack for. The tuning pool cannot do that:
/// its words were added to the pack's synonyms, so its scores run higher than a fresh
/// question's, and a threshold calibrated there turns away too many fresh ones. The sets
/// print totals only and were never read for vocabulary. Since session 8 they are, with the
/// tuning pool, also the training data of the reranker (`examples/fit_rerank.rs`), so their
/// totals are in-sample for its weights. The grid over the main threshold ×
/// clear-margin floor × clear-margin ratio is printed; the test fails when the defaults fall
/// more than two answers below the grid's best.
#[test]
fn calibration_sets_threshold_grid() {
    use doppel_concierge::search::{
        DEFAULT_CLEAR_MIN_SCORE, DEFAULT_CLEAR_RATIO, DEFAULT_MIN_SCORE,
    };
    const SETS: [&str; 2] = ["cal9.json", "cal10.json"];
    for f in SETS {
        report(f, &run_set(f), false);
    }
    let correct = |t: f64, floor: f64, ratio: f64| {
        let opts = AskOptions {
            min_score: t,
            clear_min_score: floor,
            clear_ratio: ratio,
            ..Default::default()
        };
        SETS.iter()
            .flat_map(|f| run_set_with(f, &opts))
            .filter(Row::hit)
            .count()
    };
    let mut best = (0, 0.0, 0.0, 0.0);
    for floor in [0.14f64, 0.16, 0.18, 0.20] {
        for ratio in [1.1, 1.2, 1.3] {
            let line: Vec<String> = (14..=28)
                .step_by(2)
                .map(|t| {
                    let t = f64::from(t) / 100.0;
                    let ok = correct(t, floor.min(t), ratio);
                    if ok > best.0 {
                        best = (ok, t, floor.min(t), ratio);
                    }
                    format!("{t:.2}:{ok}")
                })
                .collect();
            println!(
                "calibration grid, floor {floor}, ratio {ratio}: {}",
                line.join(" ")
            );
        }
    }
    let at_defaults = correct(
        DEFAULT_MIN_SCORE,
        DEFAULT_CLEAR_MIN_SCORE,
        DEFAULT_CLEAR_RATIO,
    );
    println!(
        "calibration sets at the defaults: {at_defaults}; grid best {} at min {:.2}, floor {:.2}, ratio {}",
        best.0, best.1, best.2, best.3
    );
    assert!(
        at_defaults + 2 >= best.0,
        "defaults give {at_defaults} of the calibration sets, the grid's best {}",
        best.0
    );
}
