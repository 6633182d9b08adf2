//! Training and cross-validation of the predictor (used by `cargo xtask train-predictor`).
//!
//! Pure computation on parsed [`AnsurPerson`]s: the caller does the file I/O, so the
//! same code is unit-testable and deterministic (no clocks, no thread-dependent order).

use super::linalg;
use super::model::{self, FeatureSet, InputBox, PredictorModel, SexModel};
use super::rng::SplitMix64;
use crate::BodyError;
use crate::ansur::AnsurPerson;
use crate::input::BodyInput;
use crate::measure::{Measure, Sex};
use serde::Serialize;

/// Loss minimised by the per-measure regressions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Loss {
    /// Ordinary least squares.
    Squares,
    /// Huber loss with threshold `c` robust standard deviations (IRLS).
    Huber(f64),
}

/// Training options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainOptions {
    /// Regressors.
    pub features: FeatureSet,
    /// Ridge penalty on standardised non-intercept coefficients, per subject.
    pub ridge: f64,
    /// Regression loss.
    pub loss: Loss,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            features: FeatureSet::LogQuadratic,
            ridge: 1e-4,
            loss: Loss::Squares,
        }
    }
}

/// Measures the predictor models: every measure with an ANSUR column except height.
pub fn target_measures() -> Vec<Measure> {
    Measure::ALL
        .into_iter()
        .filter(|m| *m != Measure::Height && m.ansur_column().is_some())
        .collect()
}

/// Weighted least squares with an intercept in column 0, solved on standardised columns
/// (raw cm/kg/year columns would make the normal equations badly conditioned).
///
/// Returns coefficients for the original columns, or `None` for degenerate data.
pub fn lstsq(x: &[Vec<f64>], y: &[f64], w: Option<&[f64]>, ridge: f64) -> Option<Vec<f64>> {
    let n = x.len();
    let p = x.first()?.len();
    if n <= p || y.len() != n {
        return None;
    }
    let mut mean = vec![0.0; p];
    let mut sd = vec![1.0; p];
    for j in 1..p {
        mean[j] = x.iter().map(|r| r[j]).sum::<f64>() / n as f64;
        let v = x.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n as f64;
        sd[j] = if v > 0.0 { v.sqrt() } else { 1.0 };
    }
    let mut g = vec![0.0; p * p];
    let mut b = vec![0.0; p];
    let mut z = vec![0.0; p];
    let mut wsum = 0.0;
    for (i, row) in x.iter().enumerate() {
        let wi = w.map_or(1.0, |w| w[i]);
        wsum += wi;
        z[0] = 1.0;
        for j in 1..p {
            z[j] = (row[j] - mean[j]) / sd[j];
        }
        for a in 0..p {
            b[a] += wi * z[a] * y[i];
            for c in 0..=a {
                g[a * p + c] += wi * z[a] * z[c];
            }
        }
    }
    for a in 0..p {
        for c in 0..a {
            g[c * p + a] = g[a * p + c];
        }
        if a > 0 {
            g[a * p + a] += ridge * wsum;
        }
    }
    let l = linalg::cholesky_jitter(&g, p)?;
    let gamma = linalg::chol_solve(&l, p, &b);
    let mut beta = vec![0.0; p];
    beta[0] = gamma[0];
    for j in 1..p {
        beta[j] = gamma[j] / sd[j];
        beta[0] -= gamma[j] * mean[j] / sd[j];
    }
    beta.iter().all(|v| v.is_finite()).then_some(beta)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Fits one regression under `loss` (Huber via iteratively reweighted least squares).
pub fn fit_regression(x: &[Vec<f64>], y: &[f64], ridge: f64, loss: Loss) -> Option<Vec<f64>> {
    let mut beta = lstsq(x, y, None, ridge)?;
    if let Loss::Huber(c) = loss {
        for _ in 0..30 {
            let r: Vec<f64> = x
                .iter()
                .zip(y)
                .map(|(row, yi)| yi - dot(row, &beta))
                .collect();
            let mut abs: Vec<f64> = r.iter().map(|v| v.abs()).collect();
            let scale = 1.4826 * median(&mut abs);
            if scale.is_nan() || scale <= 0.0 {
                break;
            }
            let w: Vec<f64> = r
                .iter()
                .map(|ri| (c * scale / ri.abs().max(1e-300)).min(1.0))
                .collect();
            let next = lstsq(x, y, Some(&w), ridge)?;
            let change = next
                .iter()
                .zip(&beta)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            beta = next;
            if change < 1e-10 {
                break;
            }
        }
    }
    Some(beta)
}

fn degenerate(sex: Sex, what: &str) -> BodyError {
    BodyError::Model(format!(
        "{sex}: cannot fit {what} (too few or degenerate subjects)"
    ))
}

/// Fits one sex's model on `people` (all of that sex).
pub fn fit_sex(
    people: &[&AnsurPerson],
    sex: Sex,
    opts: &TrainOptions,
) -> Result<SexModel, BodyError> {
    let targets = target_measures();
    let xs: Vec<[f64; 3]> = people
        .iter()
        .map(|p| model::transform(p.height_cm(), p.weight_kg, p.age_years))
        .collect();
    if xs.is_empty() {
        return Err(degenerate(sex, "any measure"));
    }
    let mut input_box = InputBox {
        lo: [f64::INFINITY; 3],
        hi: [f64::NEG_INFINITY; 3],
    };
    for x in &xs {
        for (i, v) in x.iter().enumerate() {
            input_box.lo[i] = input_box.lo[i].min(*v);
            input_box.hi[i] = input_box.hi[i].max(*v);
        }
    }
    let design: Vec<Vec<f64>> = people
        .iter()
        .map(|p| {
            model::features(
                opts.features,
                &input_box,
                p.height_cm(),
                p.weight_kg,
                p.age_years,
            )
        })
        .collect();
    let mut coef = Vec::new();
    let mut resid: Vec<Vec<f64>> = Vec::new();
    for m in &targets {
        let y: Vec<f64> = people
            .iter()
            .map(|p| p.measures_cm.get(m).copied().unwrap_or(f64::NAN).ln())
            .collect();
        if y.iter().any(|v| !v.is_finite()) {
            return Err(degenerate(sex, m.key()));
        }
        let beta = fit_regression(&design, &y, opts.ridge, opts.loss)
            .ok_or_else(|| degenerate(sex, m.key()))?;
        resid.push(
            design
                .iter()
                .zip(&y)
                .map(|(row, yi)| yi - dot(row, &beta))
                .collect(),
        );
        coef.push(beta);
    }
    let n = people.len();
    let dof = (n.saturating_sub(opts.features.len())).max(1) as f64;
    let k = targets.len();
    let mut cov = vec![vec![0.0; k]; k];
    for a in 0..k {
        for b in 0..k {
            // Residual means are ≈ 0 for least squares but not for Huber: centre them.
            let ma = resid[a].iter().sum::<f64>() / n as f64;
            let mb = resid[b].iter().sum::<f64>() / n as f64;
            cov[a][b] = resid[a]
                .iter()
                .zip(&resid[b])
                .map(|(x, y)| (x - ma) * (y - mb))
                .sum::<f64>()
                / dof;
        }
    }
    let max_training_z = (0..k)
        .flat_map(|a| {
            let s = cov[a][a].sqrt();
            resid[a].iter().map(move |r| (r / s).abs())
        })
        .fold(0.0, f64::max);
    // No real person may be rejected: stay at least 25 % above the most extreme training
    // value, and never below 6 sd.
    let z_limit = ((max_training_z * 1.25 * 2.0).ceil() / 2.0).max(6.0);
    Ok(SexModel {
        n,
        targets,
        input_box,
        coef,
        cov,
        z_limit,
        max_training_z,
    })
}

/// Trains both sexes on `people`.
pub fn train(
    people: &[AnsurPerson],
    opts: &TrainOptions,
    provenance: &str,
) -> Result<PredictorModel, BodyError> {
    let of = |s: Sex| people.iter().filter(|p| p.sex == s).collect::<Vec<_>>();
    let m = PredictorModel {
        format: model::FORMAT.to_string(),
        features: opts.features,
        provenance: provenance.to_string(),
        female: fit_sex(&of(Sex::Female), Sex::Female, opts)?,
        male: fit_sex(&of(Sex::Male), Sex::Male, opts)?,
    };
    m.validate()?;
    Ok(m)
}

/// Cross-validated accuracy of one measure for one sex.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvRow {
    /// Sex.
    pub sex: Sex,
    /// Measure.
    pub measure: Measure,
    /// Number of held-out predictions.
    pub n: usize,
    /// Mean absolute error of the model, cm.
    pub mae_cm: f64,
    /// Mean absolute error of the OLS baseline (cm ~ 1 + height + weight + age), cm.
    pub ols_mae_cm: f64,
    /// Fraction of held-out values within ±1 predicted sd.
    pub coverage_1sd: f64,
    /// Fraction within ±2 predicted sd.
    pub coverage_2sd: f64,
}

impl CvRow {
    /// Model MAE divided by baseline MAE (the goal is ≤ 0.9 for chest, waist, hip).
    pub fn ratio(&self) -> f64 {
        self.mae_cm / self.ols_mae_cm
    }
}

/// `folds`-fold cross-validation (deterministic shuffle from `seed`) of the model under
/// `opts` and of the OLS baseline, predicting from height, weight and age only.
pub fn cross_validate(
    people: &[AnsurPerson],
    opts: &TrainOptions,
    folds: usize,
    seed: u64,
) -> Result<Vec<CvRow>, BodyError> {
    let folds = folds.max(2);
    let targets = target_measures();
    let mut out = Vec::new();
    for sex in [Sex::Female, Sex::Male] {
        let all: Vec<&AnsurPerson> = people.iter().filter(|p| p.sex == sex).collect();
        let mut order: Vec<usize> = (0..all.len()).collect();
        let mut rng = SplitMix64::new(seed ^ sex as u64);
        for i in (1..order.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut fold_of = vec![0; all.len()];
        for (pos, &i) in order.iter().enumerate() {
            fold_of[i] = pos % folds;
        }
        let k = targets.len();
        let (mut ae, mut ae_ols, mut c1, mut c2) =
            (vec![0.0; k], vec![0.0; k], vec![0usize; k], vec![0usize; k]);
        let mut count = 0usize;
        for f in 0..folds {
            let train: Vec<&AnsurPerson> = (0..all.len())
                .filter(|&i| fold_of[i] != f)
                .map(|i| all[i])
                .collect();
            let test: Vec<&AnsurPerson> = (0..all.len())
                .filter(|&i| fold_of[i] == f)
                .map(|i| all[i])
                .collect();
            let sm = fit_sex(&train, sex, opts)?;
            let pm = PredictorModel {
                format: model::FORMAT.to_string(),
                features: opts.features,
                provenance: String::new(),
                female: sm.clone(),
                male: sm,
            };
            let xo: Vec<Vec<f64>> = train
                .iter()
                .map(|p| vec![1.0, p.height_cm(), p.weight_kg, p.age_years])
                .collect();
            let ols: Vec<Vec<f64>> = targets
                .iter()
                .map(|m| {
                    let y: Vec<f64> = train
                        .iter()
                        .map(|p| p.measures_cm.get(m).copied().unwrap_or(f64::NAN))
                        .collect();
                    lstsq(&xo, &y, None, 0.0).ok_or_else(|| degenerate(sex, m.key()))
                })
                .collect::<Result<_, _>>()?;
            for p in test {
                let input = BodyInput::new(sex, p.height_cm(), p.weight_kg, Some(p.age_years), [])?;
                let pred = super::predict_with(&pm, &input)?;
                count += 1;
                for (t, m) in targets.iter().enumerate() {
                    let truth = p.measures_cm.get(m).copied().unwrap_or(f64::NAN);
                    let mean = pred.mean_cm.get(m).copied().unwrap_or(f64::NAN);
                    let sd = pred.sd_cm.get(m).copied().unwrap_or(f64::NAN);
                    let err = (truth - mean).abs();
                    ae[t] += err;
                    c1[t] += usize::from(err <= sd);
                    c2[t] += usize::from(err <= 2.0 * sd);
                    ae_ols[t] += (truth
                        - dot(&[1.0, p.height_cm(), p.weight_kg, p.age_years], &ols[t]))
                    .abs();
                }
            }
        }
        for (t, m) in targets.iter().enumerate() {
            let n = count.max(1) as f64;
            out.push(CvRow {
                sex,
                measure: *m,
                n: count,
                mae_cm: ae[t] / n,
                ols_mae_cm: ae_ols[t] / n,
                coverage_1sd: c1[t] as f64 / n,
                coverage_2sd: c2[t] as f64 / n,
            });
        }
    }
    Ok(out)
}
