//! Scoring size recommendations against a chart's true sizes, and the ordinary least
//! squares baseline they are compared with.

use doppel_body::ansur::AnsurPerson;
use doppel_garment::chart::{SizeChart, measure_values};
use serde::Serialize;

/// Scores of a set of recommendations (the `eval-sizes` JSON contract).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EvalScores {
    /// People evaluated.
    pub n: usize,
    /// Share whose recommended size is their true size.
    pub accuracy: f64,
    /// Share whose recommended size is at most one size away.
    pub within_one: f64,
    /// Expected calibration error of the confidence over 10 equal-width bins.
    pub ece: f64,
}

/// Scores predicted size indices against true ones; `confidence[i]` is the stated
/// probability that `predicted[i]` is right. Slices must have equal length.
pub fn score(truth: &[usize], predicted: &[usize], confidence: &[f64]) -> EvalScores {
    let n = truth.len().min(predicted.len()).min(confidence.len());
    if n == 0 {
        return EvalScores {
            n: 0,
            accuracy: 0.0,
            within_one: 0.0,
            ece: 0.0,
        };
    }
    let correct: Vec<bool> = (0..n).map(|i| truth[i] == predicted[i]).collect();
    let acc = correct.iter().filter(|&&c| c).count() as f64 / n as f64;
    let w1 = (0..n)
        .filter(|&i| truth[i].abs_diff(predicted[i]) <= 1)
        .count() as f64
        / n as f64;
    EvalScores {
        n,
        accuracy: acc,
        within_one: w1,
        ece: ece(&correct, &confidence[..n], 10),
    }
}

/// Expected calibration error: bins of equal width on [0, 1]; the weighted mean over
/// bins of |accuracy − mean confidence|. A confidence of exactly 1 falls in the top bin.
pub fn ece(correct: &[bool], confidence: &[f64], bins: usize) -> f64 {
    let n = correct.len().min(confidence.len());
    if n == 0 || bins == 0 {
        return 0.0;
    }
    let mut cnt = vec![0usize; bins];
    let mut hit = vec![0.0; bins];
    let mut conf = vec![0.0; bins];
    for i in 0..n {
        let c = confidence[i].clamp(0.0, 1.0);
        let b = ((c * bins as f64) as usize).min(bins - 1);
        cnt[b] += 1;
        conf[b] += c;
        if correct[i] {
            hit[b] += 1.0;
        }
    }
    (0..bins)
        .filter(|&b| cnt[b] > 0)
        .map(|b| (hit[b] - conf[b]).abs())
        .sum::<f64>()
        / n as f64
}

/// Ordinary least squares `y ≈ X β` via the normal equations with partial pivoting
/// (design matrices here are tiny: intercept, height, weight, age). Columns are
/// centred and scaled internally for conditioning. `None` if singular, or if a value is
/// not finite (a missing measurement would otherwise turn every coefficient into NaN).
pub fn ols(x: &[Vec<f64>], y: &[f64]) -> Option<Vec<f64>> {
    let p = x.first()?.len();
    let n = x.len();
    if n < p
        || y.len() != n
        || x.iter()
            .any(|r| r.len() != p || r.iter().any(|v| !v.is_finite()))
        || y.iter().any(|v| !v.is_finite())
    {
        return None;
    }
    // Scale every column to unit RMS so that cm² and kg² terms are comparable.
    let scale: Vec<f64> = (0..p)
        .map(|j| {
            let s = (x.iter().map(|r| r[j] * r[j]).sum::<f64>() / n as f64).sqrt();
            if s > 0.0 { s } else { 1.0 }
        })
        .collect();
    let mut a = vec![vec![0.0; p + 1]; p];
    for (r, &yi) in x.iter().zip(y) {
        for i in 0..p {
            let xi = r[i] / scale[i];
            for j in 0..p {
                a[i][j] += xi * r[j] / scale[j];
            }
            a[i][p] += xi * yi;
        }
    }
    for c in 0..p {
        let piv = (c..p).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[piv][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, piv);
        let pivot_row = a[c].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != c {
                let f = row[c] / pivot_row[c];
                for (x, pv) in row.iter_mut().zip(&pivot_row).skip(c) {
                    *x -= f * pv;
                }
            }
        }
    }
    Some((0..p).map(|i| a[i][p] / a[i][i] / scale[i]).collect())
}

/// Checks that ANSUR II measures every dimension of `chart`, so that its true sizes can be
/// computed; the error names the first dimension it lacks (e.g. `underbust`). Without it a
/// missing dimension would silently drop out of the chart rule (its distance reads as 0).
pub fn check_chart_measured(chart: &SizeChart) -> Result<(), String> {
    match chart
        .dims()
        .into_iter()
        .find(|m| m.ansur_column().is_none())
    {
        Some(m) => Err(format!(
            "chart {:?} uses {m}, which ANSUR II does not measure: true sizes cannot be computed",
            chart.name
        )),
        None => Ok(()),
    }
}

/// The least-squares baseline's sizes: per fold, each chart dimension regressed on
/// (1, height, weight, age) over the other folds ([`folds`] with `k` and `seed`), then the
/// chart rule on the point estimate. `people` are those of the chart's sex, in file order.
/// `None` if a fit is singular (or a dimension has no value).
pub fn ols_sizes(
    people: &[AnsurPerson],
    chart: &SizeChart,
    k: usize,
    seed: u64,
) -> Option<Vec<usize>> {
    let dims = chart.dims();
    let x = |p: &AnsurPerson| vec![1.0, p.height_cm(), p.weight_kg, p.age_years];
    let fold = folds(people.len(), k, seed);
    let mut pred = vec![0usize; people.len()];
    for f in 0..k.max(1) {
        let tr: Vec<usize> = (0..people.len()).filter(|&j| fold[j] != f).collect();
        let xs: Vec<Vec<f64>> = tr.iter().map(|&j| x(&people[j])).collect();
        let mut betas = Vec::new();
        for m in &dims {
            let y: Vec<f64> = tr
                .iter()
                .map(|&j| people[j].measures_cm.get(m).copied().unwrap_or(f64::NAN))
                .collect();
            betas.push(ols(&xs, &y)?);
        }
        for j in (0..people.len()).filter(|&j| fold[j] == f) {
            let xi = x(&people[j]);
            let point = measure_values(
                dims.iter()
                    .zip(&betas)
                    .map(|(m, b)| (*m, b.iter().zip(&xi).map(|(b, x)| b * x).sum::<f64>())),
            );
            pred[j] = chart.true_size(&point).unwrap_or(0);
        }
    }
    Some(pred)
}

/// Sizes from an empirical (non-Gaussian) predictive distribution, k-fold: per fold,
/// `ln(measure)` of each chart dimension regressed on (1, H, W, A, H², W², HW, WA) with
/// `H = ln(h/170)`, `W = ln(w/70)`, `A = (age − 30)/10`; a held-out person's draws are
/// their prediction plus every training person's joint residual vector (so skew, heavy
/// tails and the dimensions' dependence come from the data, not a Gaussian). Returns each
/// person's size probabilities (chart order); `None` if a fit is singular.
pub fn residual_probabilities(
    people: &[AnsurPerson],
    chart: &SizeChart,
    k: usize,
    seed: u64,
) -> Option<Vec<Vec<f64>>> {
    let dims = chart.dims();
    let feats = |p: &AnsurPerson| {
        let h = (p.height_cm() / 170.0).ln();
        let w = (p.weight_kg / 70.0).ln();
        let a = (p.age_years - 30.0) / 10.0;
        vec![1.0, h, w, a, h * h, w * w, h * w, w * a]
    };
    let ln_y = |p: &AnsurPerson, m: &doppel_body::Measure| {
        p.measures_cm.get(m).copied().unwrap_or(f64::NAN).ln()
    };
    let fold = folds(people.len(), k, seed);
    let mut out = vec![Vec::new(); people.len()];
    for f in 0..k.max(1) {
        let tr: Vec<usize> = (0..people.len()).filter(|&j| fold[j] != f).collect();
        let xs: Vec<Vec<f64>> = tr.iter().map(|&j| feats(&people[j])).collect();
        let mut betas = Vec::new();
        for m in &dims {
            let y: Vec<f64> = tr.iter().map(|&j| ln_y(&people[j], m)).collect();
            betas.push(ols(&xs, &y)?);
        }
        let fit = |x: &[f64], b: &[f64]| b.iter().zip(x).map(|(b, x)| b * x).sum::<f64>();
        let resid: Vec<Vec<f64>> = tr
            .iter()
            .zip(&xs)
            .map(|(&j, x)| {
                dims.iter()
                    .zip(&betas)
                    .map(|(m, b)| ln_y(&people[j], m) - fit(x, b))
                    .collect()
            })
            .collect();
        for j in (0..people.len()).filter(|&j| fold[j] == f) {
            let x = feats(&people[j]);
            let centre: Vec<f64> = betas.iter().map(|b| fit(&x, b)).collect();
            let mut counts = vec![0usize; chart.sizes.len()];
            for r in &resid {
                let body = measure_values(
                    dims.iter()
                        .zip(centre.iter().zip(r))
                        .map(|(m, (c, e))| (*m, (c + e).exp())),
                );
                if let Some(c) = chart.true_size(&body).and_then(|s| counts.get_mut(s)) {
                    *c += 1;
                }
            }
            let total = resid.len().max(1) as f64;
            out[j] = counts.iter().map(|&c| c as f64 / total).collect();
        }
    }
    Some(out)
}

/// Deterministic fold assignment of `n` items into `k` folds (seeded shuffle).
pub fn folds(n: usize, k: usize, seed: u64) -> Vec<usize> {
    let k = k.max(1);
    let mut f: Vec<usize> = (0..n).map(|i| i % k).collect();
    let mut s = seed ^ 0x9E37_79B9_7F4A_7C15;
    for i in (1..n).rev() {
        // SplitMix64 step: portable and reproducible.
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let j = (z % (i as u64 + 1)) as usize;
        f.swap(i, j);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_and_ece() {
        let s = score(&[0, 1, 2, 3], &[0, 2, 2, 1], &[1.0, 1.0, 1.0, 1.0]);
        assert_eq!(s.n, 4);
        assert_eq!(s.accuracy, 0.5);
        assert_eq!(s.within_one, 0.75);
        // All in the top bin with confidence 1 and accuracy 0.5.
        assert!((s.ece - 0.5).abs() < 1e-12);
        // Perfectly calibrated: 0.25 confidence, 1 of 4 right.
        assert!(ece(&[true, false, false, false], &[0.25; 4], 10) < 1e-12);
    }

    #[test]
    fn ols_recovers_a_plane() {
        let x: Vec<Vec<f64>> = (0..50)
            .map(|i| {
                vec![
                    1.0,
                    150.0 + i as f64,
                    50.0 + ((i * 7) % 30) as f64,
                    20.0 + (i % 9) as f64,
                ]
            })
            .collect();
        let y: Vec<f64> = x
            .iter()
            .map(|r| 3.0 + 0.5 * r[1] - 0.2 * r[2] + 0.1 * r[3])
            .collect();
        let b = ols(&x, &y).expect("well-posed");
        for (got, want) in b.iter().zip([3.0, 0.5, -0.2, 0.1]) {
            assert!((got - want).abs() < 1e-6, "{b:?}");
        }
        assert!(ols(&[vec![1.0, 2.0]], &[1.0]).is_none());
    }

    #[test]
    fn folds_are_balanced_and_deterministic() {
        let f = folds(103, 5, 1);
        assert_eq!(f, folds(103, 5, 1));
        assert_ne!(f, folds(103, 5, 2));
        for k in 0..5 {
            let c = f.iter().filter(|&&x| x == k).count();
            assert!((20..=21).contains(&c));
        }
    }
}
