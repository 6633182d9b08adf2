//! Second-stage reranking of the best few BM25 entries with character n-grams.
//!
//! BM25 matches word stems; a shopper's word that is a compound, a typo or an inflection
//! the stemmer misses still shares most of its character n-grams with the entry's word
//! ("Entkalkungsprogramm" / "entkalken", "hoodies" / "Hoodie"). The best
//! [`RERANK_DEPTH`] entries of a question are reordered by a linear model over their BM25
//! scores, the character-n-gram cosine between the question and the entry's titles
//! (question variants) and body, and the entry kind. Whether a question is answered at all
//! is still decided by the BM25 score alone (the thresholds in [`crate::search`]); the
//! reranker only chooses among close candidates.
//!
//! The weights are fitted by `examples/fit_rerank.rs` (pairwise logistic regression on the
//! tuning pool and the calibration sets of `tests/concierge/`, leave-one-set-out
//! cross-validated) and committed as [`WEIGHTS`]; the eval test
//! `committed_reranker_weights_match_a_refit` refits them from the committed packs and sets
//! and fails when they differ.

use crate::search::EntryKind;
use crate::text::{self, Lang};
use std::collections::HashMap;

/// How many of the best BM25 entries the reranker reorders.
pub const RERANK_DEPTH: usize = 4;
/// Number of features per candidate (see [`features`]).
pub const FEATURES: usize = 10;
/// Shortest and longest character n-gram (words are padded with a space on each side).
const GRAM_MIN: usize = 3;
const GRAM_MAX: usize = 5;

/// The fitted weights of the features, in the order of [`features`]: printed by
/// `cargo run -p doppel-concierge --example fit_rerank` (penalty λ = 2, depth 4; both
/// chosen by its leave-one-set-out total: λ 0.1 / 0.5 / 2 / 8 → 580 / 580 / 582 / 577 of
/// 652 against 576 in BM25 order; depth 3 / 4 / 5 at λ 2 → 578 / 582 / 581). The title
/// cosine weighs most; a care task gains against a care plan.
pub const WEIGHTS: [f64; FEATURES] = [
    1.0345, 2.1952, 1.5416, -0.0229, 3.9024, 0.5198, -0.1425, 0.2024, 0.7897, -0.8496,
];

/// The question sets in `tests/concierge/` the committed [`WEIGHTS`] were fitted on: the
/// tuning pool and the calibration sets (never a held-out set).
pub const TRAINING_SETS: [&str; 8] = [
    "eval.json",
    "holdout.json",
    "holdout2.json",
    "holdout3.json",
    "holdout4.json",
    "holdout5.json",
    "cal9.json",
    "cal10.json",
];

/// The L2 penalty the committed [`WEIGHTS`] were fitted with.
pub const FIT_LAMBDA: f64 = 2.0;

/// One candidate of a question for [`fit`]: its features and whether it is a right answer.
pub type Example = ([f64; FEATURES], bool);

/// Fits reranker weights: each pair of a right and a wrong candidate of one question in
/// `questions` is an example of a pairwise logistic regression without intercept,
/// minimising Σ log(1 + e^(−w·(right − wrong))) + λ/2 |w|² by Newton's method
/// (deterministic; `lambda` is raised to a tiny positive value if it is not positive, which
/// keeps the problem well-posed). Questions without both a right and a wrong candidate
/// add nothing.
pub fn fit(questions: &[Vec<Example>], lambda: f64) -> [f64; FEATURES] {
    let lambda = if lambda > 1e-9 { lambda } else { 1e-9 };
    let mut pairs: Vec<[f64; FEATURES]> = Vec::new();
    for q in questions {
        for (g, _) in q.iter().filter(|c| c.1) {
            for (b, _) in q.iter().filter(|c| !c.1) {
                let mut d = [0.0; FEATURES];
                for (i, d) in d.iter_mut().enumerate() {
                    *d = g[i] - b[i];
                }
                pairs.push(d);
            }
        }
    }
    let mut w = [0.0; FEATURES];
    for _ in 0..50 {
        let mut g = [0.0; FEATURES];
        let mut h = [[0.0; FEATURES]; FEATURES];
        for i in 0..FEATURES {
            g[i] = lambda * w[i];
            h[i][i] = lambda;
        }
        for d in &pairs {
            let p = 1.0 / (1.0 + score(&w, d).exp()); // σ(−w·d)
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
/// definite in [`fit`]: the penalty keeps it so).
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

/// A sparse vector: (n-gram hash, weight), sorted by hash, L2-normalised.
type Sparse = Vec<(u64, f64)>;

/// Character n-gram TF-IDF vectors of an index's entries.
#[derive(Debug, Clone)]
pub(crate) struct Grams {
    lang: Lang,
    /// n-gram hash → idf. (Only looked up, never iterated: results do not depend on the
    /// map's order.)
    idf: HashMap<u64, f64>,
    /// Per entry (in the index's entry order): a vector per title (a FAQ entry: per
    /// question variant) and one of its body.
    entries: Vec<(Vec<Sparse>, Sparse)>,
}

/// The texts of one entry for [`Grams::build`]: its titles (question variants) and body.
pub(crate) type EntryText = (Vec<String>, String);

/// The n-grams of a text, hashed: folded words padded with a space, every n-gram of
/// [`GRAM_MIN`]–[`GRAM_MAX`] characters.
/// Hashes (64-bit FNV-1a of the n-gram's characters) instead of strings keep building the
/// model of a 500-entry pack fast; a collision is as unlikely as it is harmless.
fn grams(text_: &str, lang: Lang) -> Vec<u64> {
    let folded = text::fold(text_, lang);
    let mut out = Vec::new();
    let mut padded: Vec<char> = Vec::new();
    for w in text::words(&folded) {
        padded.clear();
        padded.push(' ');
        padded.extend(w.chars());
        padded.push(' ');
        for n in GRAM_MIN..=GRAM_MAX {
            out.extend(padded.windows(n).map(fnv));
        }
    }
    out
}

/// 64-bit FNV-1a of characters.
fn fnv(chars: &[char]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in chars {
        h ^= u64::from(u32::from(c));
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Grams {
    /// The model of `entries` (texts in `lang`). The idf counts an entry's titles as one
    /// document and its body as another.
    pub(crate) fn build(entries: &[EntryText], lang: Lang) -> Grams {
        // Each text's n-grams, sorted, computed once for the document frequencies and the
        // vectors alike.
        let sorted = |t: &str| {
            let mut g = grams(t, lang);
            g.sort_unstable();
            g
        };
        let texts: Vec<(Vec<Vec<u64>>, Vec<u64>)> = entries
            .iter()
            .map(|(titles, body)| (titles.iter().map(|t| sorted(t)).collect(), sorted(body)))
            .collect();
        let mut df: HashMap<u64, usize> = HashMap::new();
        let mut count = |mut seen: Vec<u64>| {
            seen.dedup();
            for g in seen {
                *df.entry(g).or_default() += 1;
            }
        };
        for (titles, body) in &texts {
            let mut all: Vec<u64> = titles.concat();
            all.sort_unstable();
            count(all);
            count(body.clone());
        }
        let n = (2 * texts.len()) as f64;
        let idf = df
            .into_iter()
            .map(|(g, d)| (g, ((1.0 + n) / (1.0 + d as f64)).ln() + 1.0))
            .collect();
        let mut model = Grams {
            lang,
            idf,
            entries: Vec::new(),
        };
        model.entries = texts
            .iter()
            .map(|(titles, body)| {
                (
                    titles.iter().map(|t| model.vector_of(t)).collect(),
                    model.vector_of(body),
                )
            })
            .collect();
        model
    }

    /// The TF-IDF vector of a text (sublinear tf; n-grams outside the vocabulary dropped).
    fn vector(&self, t: &str) -> Sparse {
        let mut all = grams(t, self.lang);
        all.sort_unstable();
        self.vector_of(&all)
    }

    /// The TF-IDF vector of a text's sorted n-grams.
    fn vector_of(&self, sorted: &[u64]) -> Sparse {
        // Runs of equal hashes are one n-gram's count.
        let mut v: Sparse = Vec::new();
        for run in sorted.chunk_by(|a, b| a == b) {
            if let Some(&idf) = self.idf.get(&run[0]) {
                v.push((run[0], (1.0 + (run.len() as f64).ln()) * idf));
            }
        }
        let norm = v.iter().map(|(_, x)| x * x).sum::<f64>().sqrt();
        if norm > 0.0 {
            for (_, x) in &mut v {
                *x /= norm;
            }
        }
        v
    }

    /// Cosines of a question with entry `e`: (best title, body).
    fn cosines(&self, q: &Sparse, e: usize) -> (f64, f64) {
        self.entries.get(e).map_or((0.0, 0.0), |(titles, body)| {
            let title = titles.iter().map(|t| dot(q, t)).fold(0.0, f64::max);
            (title, dot(q, body))
        })
    }
}

/// Dot product of two sparse vectors sorted by id.
fn dot(a: &Sparse, b: &Sparse) -> f64 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// The features of the candidates (entry index into the model, kind, BM25 score; best
/// first, at most [`RERANK_DEPTH`]): BM25 score, its ratio to the best one, first place,
/// second place, best title cosine, body cosine, four kind indicators (FAQ, error code,
/// care task, care plan). (The weights are fitted on differences between candidates of one
/// question, so a feature relative to the question's best candidate would add nothing.)
pub(crate) fn features(
    model: &Grams,
    question: &str,
    candidates: &[(usize, EntryKind, f64)],
) -> Vec<[f64; FEATURES]> {
    let q = model.vector(question);
    let best = candidates.first().map_or(0.0, |c| c.2);
    let cos: Vec<(f64, f64)> = candidates
        .iter()
        .map(|&(e, _, _)| model.cosines(&q, e))
        .collect();
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    candidates
        .iter()
        .zip(&cos)
        .enumerate()
        .map(|(i, (&(_, kind, s), &(t, b)))| {
            [
                s,
                if best > 0.0 { s / best } else { 0.0 },
                flag(i == 0),
                flag(i == 1),
                t,
                b,
                flag(kind == EntryKind::Faq),
                flag(kind == EntryKind::ErrorCode),
                flag(kind == EntryKind::CareTask),
                flag(kind == EntryKind::CarePlan),
            ]
        })
        .collect()
}

/// The linear score of a feature vector under `weights`.
pub fn score(weights: &[f64; FEATURES], x: &[f64; FEATURES]) -> f64 {
    weights.iter().zip(x).map(|(w, x)| w * x).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compound_shares_grams_with_its_parts() {
        let m = Grams::build(
            &[
                (vec!["Wie entkalke ich?".into()], "Entkalken dauert.".into()),
                (vec!["Wie reinige ich?".into()], "Reinigen dauert.".into()),
            ],
            Lang::De,
        );
        let q = m.vector("Entkalkungsprogramm starten");
        let (a, _) = m.cosines(&q, 0);
        let (b, _) = m.cosines(&q, 1);
        assert!(a > 0.2 && b < a / 2.0, "{a} {b}");
    }

    #[test]
    fn fit_learns_which_feature_marks_the_right_candidate() {
        // Feature 4 (the title cosine) is high for the right candidate; feature 0 is noise.
        let q = |right: f64, wrong: f64, noise: f64| {
            let mut a = [0.0; FEATURES];
            let mut b = [0.0; FEATURES];
            a[4] = right;
            b[4] = wrong;
            a[0] = noise;
            b[0] = 1.0 - noise;
            vec![(a, true), (b, false)]
        };
        let qs = vec![q(0.9, 0.2, 0.1), q(0.6, 0.5, 0.9), q(0.7, 0.1, 0.5), vec![]];
        let w = fit(&qs, 0.1);
        assert!(w[4] > 1.0, "{w:?}");
        assert!(w[4] > w[0].abs() * 2.0, "{w:?}");
        // Deterministic, and a non-positive penalty does not break it.
        assert_eq!(w, fit(&qs, 0.1));
        assert!(fit(&qs, 0.0).iter().all(|x| x.is_finite()));
    }

    #[test]
    fn vectors_are_unit_length_or_empty() {
        let m = Grams::build(&[(vec!["milk foam".into()], "froth".into())], Lang::En);
        let v = m.vector("no milk foam");
        let n: f64 = v.iter().map(|(_, x)| x * x).sum();
        assert!((n - 1.0).abs() < 1e-9);
        assert!(m.vector("zzz qqq").is_empty());
        assert!(m.vector("").is_empty());
    }

    #[test]
    fn features_mark_place_kind_and_relative_cosines() {
        let m = Grams::build(
            &[
                (vec!["descale".into()], "descaler".into()),
                (vec!["filter".into()], "cartridge".into()),
            ],
            Lang::En,
        );
        let f = features(
            &m,
            "descaling",
            &[(1, EntryKind::Faq, 0.5), (0, EntryKind::CareTask, 0.4)],
        );
        assert_eq!(f.len(), 2);
        assert_eq!(f[0][2], 1.0);
        assert_eq!(f[1][3], 1.0);
        assert_eq!(f[0][6], 1.0);
        assert_eq!(f[1][8], 1.0);
        assert!((f[1][1] - 0.8).abs() < 1e-12);
        // "descaling" shares n-grams with the descale entry's title, none with the filter's.
        assert!(f[1][4] > 0.3, "{}", f[1][4]);
        assert_eq!(f[0][4], 0.0);
    }
}
