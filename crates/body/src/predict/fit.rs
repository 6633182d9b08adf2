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
    /// Let the residual spread depend on height, weight and age.
    pub heteroscedastic: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            features: FeatureSet::LogQuadratic,
            ridge: 1e-4,
            loss: Loss::Squares,
            heteroscedastic: true,
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
    // Scale model: regress ln(r²) on (1, H, W, A); half of that is ln s(x) up to a
    // constant, which is fixed so that ln s averages 0 and absorbed by `cov` below.
    let psi: Vec<Vec<f64>> = people
        .iter()
        .map(|p| {
            model::scale_features(&input_box, p.height_cm(), p.weight_kg, p.age_years).to_vec()
        })
        .collect();
    let mut log_sd_coef = Vec::new();
    if opts.heteroscedastic {
        for r in resid.iter_mut() {
            let y: Vec<f64> = r.iter().map(|v| (v * v).max(1e-12).ln()).collect();
            let g = lstsq(&psi, &y, None, 0.0).ok_or_else(|| degenerate(sex, "residual scale"))?;
            let mut gamma = [g[0] / 2.0, g[1] / 2.0, g[2] / 2.0, g[3] / 2.0];
            let mean_ls = psi.iter().map(|f| dot(f, &gamma)).sum::<f64>() / n as f64;
            gamma[0] -= mean_ls;
            for (v, f) in r.iter_mut().zip(&psi) {
                *v /= dot(f, &gamma).exp();
            }
            log_sd_coef.push(gamma);
        }
    }
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
        log_sd_coef,
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
    /// Fraction within ±1 sd in each BMI tertile (low, middle, high) of this sex.
    pub coverage_1sd_by_bmi: [f64; 3],
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
        let bmi = |p: &AnsurPerson| p.weight_kg / (p.height_cm() / 100.0).powi(2);
        let mut sorted: Vec<f64> = all.iter().map(|p| bmi(p)).collect();
        sorted.sort_by(f64::total_cmp);
        let cut = [sorted[sorted.len() / 3], sorted[2 * sorted.len() / 3]];
        let (mut cb, mut nb) = (vec![[0usize; 3]; k], [0usize; 3]);
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
                let tertile = usize::from(bmi(p) >= cut[0]) + usize::from(bmi(p) >= cut[1]);
                nb[tertile] += 1;
                for (t, m) in targets.iter().enumerate() {
                    let truth = p.measures_cm.get(m).copied().unwrap_or(f64::NAN);
                    let mean = pred.mean_cm.get(m).copied().unwrap_or(f64::NAN);
                    let sd = pred.sd_cm.get(m).copied().unwrap_or(f64::NAN);
                    let err = (truth - mean).abs();
                    ae[t] += err;
                    c1[t] += usize::from(err <= sd);
                    cb[t][tertile] += usize::from(err <= sd);
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
                coverage_1sd_by_bmi: [0, 1, 2].map(|b| cb[t][b] as f64 / nb[b].max(1) as f64),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predict::predict_with;
    use std::collections::BTreeMap;

    /// Synthetic people whose log-measures follow a known power law with known noise.
    fn synthetic(sex: Sex, n: usize, seed: u64) -> Vec<AnsurPerson> {
        let mut rng = SplitMix64::new(seed);
        (0..n)
            .map(|i| {
                let h = 160.0 + 10.0 * rng.normal();
                let w = 70.0 * (1.0 + 0.15 * rng.normal()).max(0.6);
                let a = 20.0 + 30.0 * rng.uniform();
                let shared = rng.normal();
                let mut measures_cm = BTreeMap::new();
                measures_cm.insert(Measure::Height, h);
                for (j, m) in target_measures().into_iter().enumerate() {
                    // Girths grow with weight, lengths with height; hip and thigh share noise.
                    let e = if matches!(m, Measure::Hip | Measure::Thigh) {
                        0.03 * shared + 0.02 * rng.normal()
                    } else {
                        0.03 * rng.normal()
                    };
                    let v = (50.0 + j as f64)
                        * (h / 170.0).powf(0.8)
                        * (w / 70.0).powf(0.4)
                        * (1.0 + 0.002 * (a - 30.0))
                        * e.exp();
                    measures_cm.insert(m, v);
                }
                AnsurPerson {
                    subject_id: i.to_string(),
                    sex,
                    age_years: a,
                    weight_kg: w,
                    measures_cm,
                    line: i + 2,
                }
            })
            .collect()
    }

    #[test]
    fn lstsq_recovers_exact_coefficients() {
        let x: Vec<Vec<f64>> = (0..50)
            .map(|i| vec![1.0, 150.0 + i as f64, 60.0 + (i * 7 % 13) as f64])
            .collect();
        let y: Vec<f64> = x.iter().map(|r| 3.0 + 0.5 * r[1] - 0.25 * r[2]).collect();
        let b = lstsq(&x, &y, None, 0.0).unwrap();
        for (got, want) in b.iter().zip([3.0, 0.5, -0.25]) {
            assert!((got - want).abs() < 1e-8, "{b:?}");
        }
        // Huber ignores a gross outlier that pulls least squares away.
        let mut y2 = y.clone();
        y2[10] += 100.0;
        let ls = fit_regression(&x, &y2, 0.0, Loss::Squares).unwrap();
        let hub = fit_regression(&x, &y2, 0.0, Loss::Huber(1.345)).unwrap();
        assert!(
            (hub[1] - 0.5).abs() < 0.2 * (ls[1] - 0.5).abs(),
            "{hub:?} vs {ls:?}"
        );
        assert!(lstsq(&x[..2], &y[..2], None, 0.0).is_none());
    }

    #[test]
    fn training_recovers_noise_and_correlation() {
        let people = synthetic(Sex::Female, 3000, 1);
        let sm = fit_sex(
            &people.iter().collect::<Vec<_>>(),
            Sex::Female,
            &TrainOptions::default(),
        )
        .unwrap();
        let c = sm.covariance_at(160.0, 70.0, 30.0);
        let k = sm.targets.len();
        let hip = sm.targets.iter().position(|m| *m == Measure::Hip).unwrap();
        let thigh = sm
            .targets
            .iter()
            .position(|m| *m == Measure::Thigh)
            .unwrap();
        let chest = sm
            .targets
            .iter()
            .position(|m| *m == Measure::Chest)
            .unwrap();
        // True log-sd: 0.03 (independent) and sqrt(0.03² + 0.02²) (shared), correlation 0.69.
        assert!((c[chest * k + chest].sqrt() - 0.03).abs() < 0.003);
        assert!((c[hip * k + hip].sqrt() - 0.0361).abs() < 0.004);
        let corr = c[hip * k + thigh] / (c[hip * k + hip] * c[thigh * k + thigh]).sqrt();
        assert!((corr - 0.69).abs() < 0.06, "{corr}");
        assert!(sm.z_limit >= 6.0 && sm.z_limit > sm.max_training_z);
    }

    #[test]
    fn cross_validation_beats_baseline_on_power_law_and_is_calibrated() {
        let mut people = synthetic(Sex::Female, 1500, 2);
        people.extend(synthetic(Sex::Male, 1500, 3));
        let rows = cross_validate(&people, &TrainOptions::default(), 5, 9).unwrap();
        assert_eq!(rows.len(), 2 * target_measures().len());
        for r in &rows {
            assert_eq!(r.n, 1500);
            assert!(r.ratio() < 1.0, "{r:?}");
            assert!((r.coverage_1sd - 0.683).abs() < 0.04, "{r:?}");
            assert!((r.coverage_2sd - 0.954).abs() < 0.025, "{r:?}");
        }
        // And the fitted model predicts unseen synthetic people close to the truth.
        let model = train(&people, &TrainOptions::default(), "test").unwrap();
        let input = BodyInput::new(Sex::Male, 170.0, 70.0, Some(30.0), []).unwrap();
        let p = predict_with(&model, &input).unwrap();
        assert!(
            (p.mean_cm[&Measure::Chest] - 50.0).abs() < 0.3,
            "{}",
            p.mean_cm[&Measure::Chest]
        );
    }

    #[test]
    fn committed_model_is_reproducible() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ansur2");
        if !dir.is_dir() {
            eprintln!(
                "note: {} not found; skipping reproducibility check",
                dir.display()
            );
            return;
        }
        let mut people = Vec::new();
        let mut summary = Vec::new();
        for name in ["female_train.csv", "male_train.csv"] {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            let p = crate::ansur::parse_people(name, &bytes, None).unwrap();
            summary.push(format!("{name}: {}", p.len()));
            people.extend(p);
        }
        let fresh = train(&people, &TrainOptions::default(), "").unwrap();
        let committed = crate::predict::embedded_model().unwrap();
        // serde_json's default float parsing may be off by one ulp, so compare numbers
        // with a relative tolerance (`cargo xtask train-predictor --check` compares text).
        fn close(a: &serde_json::Value, b: &serde_json::Value) -> bool {
            use serde_json::Value as V;
            match (a, b) {
                (V::Number(x), V::Number(y)) => {
                    let (x, y) = (
                        x.as_f64().unwrap_or(f64::NAN),
                        y.as_f64().unwrap_or(f64::NAN),
                    );
                    (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1e-300)
                }
                (V::Array(x), V::Array(y)) => {
                    x.len() == y.len() && x.iter().zip(y).all(|(a, b)| close(a, b))
                }
                (V::Object(x), V::Object(y)) => {
                    x.len() == y.len()
                        && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| close(v, w)))
                }
                _ => a == b,
            }
        }
        for (a, b) in [
            (&fresh.female, &committed.female),
            (&fresh.male, &committed.male),
        ] {
            let (a, b) = (
                serde_json::to_value(a).unwrap(),
                serde_json::to_value(b).unwrap(),
            );
            assert!(
                close(&a, &b),
                "committed coefficients are stale: run `cargo xtask train-predictor`"
            );
        }
        assert_eq!(fresh.features, committed.features);
    }

    /// Why the 0.9 × OLS goal is out of reach: the irreducible error given (height, weight,
    /// age), estimated without any model from "twins" — pairs of ANSUR subjects of one sex
    /// whose inputs nearly coincide (|Δh| ≤ 1.5 cm, |Δw| ≤ 1.5 kg, |Δage| ≤ 3 y). For such a
    /// pair, the difference of their girths (minus the small part the OLS slope explains)
    /// is the difference of two independent draws of what the inputs cannot tell, so
    /// E|d| / √2 estimates the best possible MAE of *any* predictor from these inputs.
    /// Prints the figures for BENCHMARKS.md; asserts that this floor is above 0.9 × OLS.
    /// Skips without the ANSUR data.
    #[test]
    fn ansur_error_floor_from_input_twins() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ansur2");
        if !dir.is_dir() {
            eprintln!(
                "note: {} not found; skipping ANSUR-based test",
                dir.display()
            );
            return;
        }
        for (file, sex) in [
            ("female_train.csv", Sex::Female),
            ("male_train.csv", Sex::Male),
        ] {
            let bytes = std::fs::read(dir.join(file)).unwrap();
            let people = crate::ansur::parse_people(file, &bytes, Some(sex)).unwrap();
            let x: Vec<Vec<f64>> = people
                .iter()
                .map(|p| vec![1.0, p.height_cm(), p.weight_kg, p.age_years])
                .collect();
            // Each subject's nearest twin (each unordered pair once).
            let mut pairs = Vec::new();
            for i in 0..people.len() {
                let mut best: Option<(f64, usize)> = None;
                for j in i + 1..people.len() {
                    let d = [
                        (x[i][1] - x[j][1]) / 1.5,
                        (x[i][2] - x[j][2]) / 1.5,
                        (x[i][3] - x[j][3]) / 3.0,
                    ];
                    if d.iter().all(|v| v.abs() <= 1.0) {
                        let dist = d.iter().map(|v| v * v).sum::<f64>();
                        if best.is_none_or(|(b, _)| dist < b) {
                            best = Some((dist, j));
                        }
                    }
                }
                if let Some((_, j)) = best {
                    pairs.push((i, j));
                }
            }
            for m in [Measure::Chest, Measure::Waist, Measure::Hip] {
                let y: Vec<f64> = people.iter().map(|p| p.measures_cm[&m]).collect();
                let beta = lstsq(&x, &y, None, 0.0).unwrap();
                let fit = |i: usize| dot(&x[i], &beta);
                let n = y.len() as f64;
                let ols_mae = (0..y.len()).map(|i| (y[i] - fit(i)).abs()).sum::<f64>() / n;
                let ols_sd =
                    ((0..y.len()).map(|i| (y[i] - fit(i)).powi(2)).sum::<f64>() / (n - 4.0)).sqrt();
                let mean = y.iter().sum::<f64>() / n;
                let var = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
                let d: Vec<f64> = pairs
                    .iter()
                    .map(|&(i, j)| (y[i] - fit(i)) - (y[j] - fit(j)))
                    .collect();
                let k = d.len() as f64;
                let floor_mae = d.iter().map(|v| v.abs()).sum::<f64>() / k / 2f64.sqrt();
                let floor_sd = (d.iter().map(|v| v * v).sum::<f64>() / k / 2.0).sqrt();
                eprintln!(
                    "{sex} {m}: n {} twins {}; OLS MAE {ols_mae:.2} cm (sd {ols_sd:.2}, R² {:.3}); \
                     floor MAE {floor_mae:.2} cm (sd {floor_sd:.2}) = {:.3} × OLS; \
                     0.9 × OLS needs R² ≥ {:.3}, floor allows R² ≤ {:.3}",
                    y.len(),
                    pairs.len(),
                    1.0 - ols_sd.powi(2) / var,
                    floor_mae / ols_mae,
                    1.0 - (0.9 * ols_sd).powi(2) / var,
                    1.0 - floor_sd.powi(2) / var,
                );
                assert!(pairs.len() > 100, "{sex}: too few twins");
                assert!(
                    floor_mae > 0.9 * ols_mae,
                    "{sex} {m}: floor {floor_mae} vs OLS {ols_mae}"
                );
            }
        }
    }
}
