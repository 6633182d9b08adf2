//! Predicts every body measurement, with an honest standard deviation, from height,
//! weight, age, sex and whichever tape measurements the shopper supplied.
//!
//! Model (per sex, trained on ANSUR II by `cargo xtask train-predictor`):
//! `ln(measure) = β · φ(height, weight, age) + ε`, where `φ` are the regressors of
//! [`model::FeatureSet`] and the residuals `ε` of all measures are one joint Gaussian.
//! Supplied measurements fix their residuals; the others are conditioned on them with
//! the Schur complement, so a supplied hip moves the predicted thigh and waist. Working in
//! logs makes the spread proportional to size (a 120 cm waist varies more than a 70 cm one)
//! and keeps every prediction positive.
//!
//! The coefficients are embedded with `include_str!`, so this works in the browser
//! without any file access.

pub mod consistency;
pub mod fit;
pub mod linalg;
pub mod model;
mod rng;

use crate::BodyError;
use crate::input::BodyInput;
use crate::measure::{Measure, Sex};
use model::PredictorModel;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The committed coefficient file (regenerate with `cargo xtask train-predictor`).
pub const EMBEDDED_MODEL_JSON: &str = include_str!("../../data/predictor/predictor.json");

/// The same coefficients as a compact binary table ([`PredictorModel::from_bin`]): what
/// [`embedded_model`] reads, so the browser build carries neither the JSON text nor its
/// parser for the model (a test keeps it equal to the JSON bit for bit).
pub const EMBEDDED_MODEL_BIN: &[u8] = include_bytes!("predictor.bin");

/// The embedded model, decoded once.
pub fn embedded_model() -> Result<&'static PredictorModel, BodyError> {
    static MODEL: OnceLock<Result<PredictorModel, BodyError>> = OnceLock::new();
    MODEL
        .get_or_init(|| PredictorModel::from_bin(EMBEDDED_MODEL_BIN))
        .as_ref()
        .map_err(Clone::clone)
}

/// Predicted measurements of one person.
///
/// `mean_cm` holds the central estimate (the median of the log-normal predictive
/// distribution, which minimises the expected absolute error) and `sd_cm` its standard
/// deviation, for [`Measure::Height`], every modelled measure and every supplied one.
/// Supplied values (and height) come back unchanged with sd 0. [`Measure::Underbust`] has
/// no ANSUR column and is present only when supplied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// Sex whose model was used.
    pub sex: Sex,
    /// Central estimate per measure, cm.
    pub mean_cm: BTreeMap<Measure, f64>,
    /// Standard deviation per measure, cm (0 for supplied values and height).
    pub sd_cm: BTreeMap<Measure, f64>,
    /// Measures that were predicted (not supplied), in the order of `log_mean`.
    #[serde(skip)]
    free: Vec<Measure>,
    /// Conditional mean of `ln(cm)` of the free measures.
    #[serde(skip)]
    log_mean: Vec<f64>,
    /// Lower Cholesky factor (row-major) of their conditional covariance in logs.
    #[serde(skip)]
    log_chol: Vec<f64>,
}

impl Prediction {
    /// Whether `m` was supplied by the shopper (or is height): its value is exact.
    pub fn is_supplied(&self, m: Measure) -> bool {
        self.mean_cm.contains_key(&m) && !self.free.contains(&m)
    }

    /// The measures that were predicted rather than supplied.
    pub fn predicted_measures(&self) -> &[Measure] {
        &self.free
    }

    /// Central interval `[lo, hi]` in cm covering `z` standard deviations of the
    /// log-normal predictive distribution (e.g. `z = 1.96` for 95 %). Supplied values
    /// give a zero-width interval; unknown measures give `None`.
    pub fn interval_cm(&self, m: Measure, z: f64) -> Option<(f64, f64)> {
        match self.free.iter().position(|&f| f == m) {
            Some(i) => {
                let k = self.free.len();
                let s = (0..=i)
                    .map(|j| self.log_chol[i * k + j].powi(2))
                    .sum::<f64>()
                    .sqrt();
                let mu = self.log_mean[i];
                Some(((mu - z * s).exp(), (mu + z * s).exp()))
            }
            None => self.mean_cm.get(&m).map(|&v| (v, v)),
        }
    }

    /// `n` deterministic correlated draws of the full measurement set (seeded; the same
    /// `(n, seed)` always gives the same draws on every platform). Supplied values and
    /// height are fixed in every draw.
    pub fn sample(&self, n: usize, seed: u64) -> Vec<BTreeMap<Measure, f64>> {
        let k = self.free.len();
        let mut rng = rng::SplitMix64::new(seed);
        let mut z = vec![0.0; k];
        (0..n)
            .map(|_| {
                let mut draw = self.mean_cm.clone();
                for v in z.iter_mut() {
                    *v = rng.normal();
                }
                for (i, m) in self.free.iter().enumerate() {
                    let e: f64 = (0..=i).map(|j| self.log_chol[i * k + j] * z[j]).sum();
                    draw.insert(*m, (self.log_mean[i] + e).exp());
                }
                draw
            })
            .collect()
    }
}

/// Predicts all measurements for `input` with the embedded model.
///
/// Errors: [`BodyError::Contradictory`] when a supplied value is implausible given height,
/// weight and age (the message names the field, the value and the plausible range);
/// [`BodyError::Model`] only if the embedded coefficients were corrupt.
pub fn predict(input: &BodyInput) -> Result<Prediction, BodyError> {
    predict_with(embedded_model()?, input)
}

/// Checks that `input`'s supplied values are plausible, each given height, weight and age
/// and each given all the others ([`consistency`]); the same check [`predict`] makes.
///
/// Errors: [`BodyError::Contradictory`] naming the field (and, for a joint contradiction,
/// the other field it contradicts), its value and the plausible range.
pub fn check_consistency(input: &BodyInput) -> Result<(), BodyError> {
    predict(input).map(|_| ())
}

/// Mean of `ln(cm)` per target of the input's sex model and the residual covariance
/// (row-major) at the input's height, weight and age, before conditioning.
pub fn log_moments(model: &PredictorModel, input: &BodyInput) -> (Vec<f64>, Vec<f64>) {
    let sm = model.for_sex(input.sex);
    let phi = model::features(
        model.features,
        &sm.input_box,
        input.height_cm,
        input.weight_kg,
        input.age_years,
    );
    let mu: Vec<f64> = sm
        .coef
        .iter()
        .map(|row| row.iter().zip(&phi).map(|(b, f)| b * f).sum())
        .collect();
    let cov = sm.covariance_at(input.height_cm, input.weight_kg, input.age_years);
    (mu, cov)
}

/// Predicts with an explicit model (used by the trainer's cross-validation and tests).
pub fn predict_with(model: &PredictorModel, input: &BodyInput) -> Result<Prediction, BodyError> {
    let sm = model.for_sex(input.sex);
    let k = sm.targets.len();
    let (mu, cov) = log_moments(model, input);
    let cov = cov.as_slice();
    let sd: Vec<f64> = (0..k).map(|i| cov[i * k + i].sqrt()).collect();

    // Split targets into supplied (S) and free (U) and check each supplied value.
    let mut s_idx = Vec::new();
    let mut r_s = Vec::new();
    let mut worst: Option<(f64, usize, f64)> = None;
    for (i, m) in sm.targets.iter().enumerate() {
        if let Some(&v) = input.measured_cm.get(m) {
            let r = v.ln() - mu[i];
            let z = r / sd[i];
            if z.abs() > sm.z_limit && worst.is_none_or(|(wz, _, _)| z.abs() > wz) {
                worst = Some((z.abs(), i, v));
            }
            s_idx.push(i);
            r_s.push(r);
        }
    }
    if let Some((_, i, v)) = worst {
        let lo = (mu[i] - sm.z_limit * sd[i]).exp();
        let hi = (mu[i] + sm.z_limit * sd[i]).exp();
        return Err(BodyError::Contradictory {
            field: sm.targets[i].key().to_string(),
            value: v,
            reason: format!(
                "for a {} of {} cm, {} kg and {} years the plausible range is {:.0}–{:.0} cm",
                input.sex, input.height_cm, input.weight_kg, input.age_years, lo, hi
            ),
        });
    }
    // Each value alone is plausible; now each against the others (a 60 cm waist with a
    // 130 cm hip).
    if s_idx.len() >= 2 {
        let agree = consistency::agreements(sm, input, &mu, cov);
        if let Some(e) = consistency::joint_error(input, &agree) {
            return Err(e);
        }
        // …and the set as a whole (chest and waist swapped on an average body).
        if let Some(z) = consistency::set_z(sm, input, &mu, cov)
            && let Some(e) = consistency::set_error(input, &agree, z)
        {
            return Err(e);
        }
    }
    let u_idx: Vec<usize> = (0..k).filter(|i| !s_idx.contains(i)).collect();
    let (ns, nu) = (s_idx.len(), u_idx.len());

    // Schur complement: with Σ_SS = L Lᵀ and A = L⁻¹ Σ_SU,
    // mean_U|S = μ_U + Aᵀ L⁻¹ r_S and Σ_U|S = Σ_UU − Aᵀ A.
    let mut cond_mean: Vec<f64> = u_idx.iter().map(|&u| mu[u]).collect();
    let mut cond_cov: Vec<f64> = u_idx
        .iter()
        .flat_map(|&a| u_idx.iter().map(move |&b| (a, b)))
        .map(|(a, b)| cov[a * k + b])
        .collect();
    if ns > 0 && nu > 0 {
        let sss: Vec<f64> = s_idx
            .iter()
            .flat_map(|&a| s_idx.iter().map(move |&b| cov[a * k + b]))
            .collect();
        let l = linalg::cholesky_jitter(&sss, ns)
            .ok_or_else(|| BodyError::Model("residual covariance is singular".into()))?;
        let w = linalg::forward(&l, ns, &r_s);
        let cols: Vec<Vec<f64>> = u_idx
            .iter()
            .map(|&u| {
                let col: Vec<f64> = s_idx.iter().map(|&s| cov[s * k + u]).collect();
                linalg::forward(&l, ns, &col)
            })
            .collect();
        for a in 0..nu {
            cond_mean[a] += cols[a].iter().zip(&w).map(|(x, y)| x * y).sum::<f64>();
            for b in 0..nu {
                cond_cov[a * nu + b] -= cols[a]
                    .iter()
                    .zip(&cols[b])
                    .map(|(x, y)| x * y)
                    .sum::<f64>();
            }
        }
    }
    let log_chol = if nu > 0 {
        linalg::cholesky_jitter(&cond_cov, nu)
            .ok_or_else(|| BodyError::Model("conditional covariance is singular".into()))?
    } else {
        Vec::new()
    };

    let mut mean_cm = BTreeMap::new();
    let mut sd_cm = BTreeMap::new();
    mean_cm.insert(Measure::Height, input.height_cm);
    sd_cm.insert(Measure::Height, 0.0);
    for (&m, &v) in &input.measured_cm {
        mean_cm.insert(m, v);
        sd_cm.insert(m, 0.0);
    }
    let mut free = Vec::with_capacity(nu);
    for (a, &u) in u_idx.iter().enumerate() {
        let m = sm.targets[u];
        let s2 = cond_cov[a * nu + a].max(0.0);
        let median = cond_mean[a].exp();
        // Standard deviation of a log-normal with log-mean m and log-variance s².
        let sd = median * (s2.exp() * s2.exp_m1()).sqrt();
        mean_cm.insert(m, median);
        sd_cm.insert(m, sd);
        free.push(m);
    }
    Ok(Prediction {
        sex: input.sex,
        mean_cm,
        sd_cm,
        free,
        log_mean: cond_mean,
        log_chol,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(sex: Sex, h: f64, w: f64, measured: &[(Measure, f64)]) -> BodyInput {
        BodyInput::new(sex, h, w, Some(35.0), measured.iter().copied()).unwrap()
    }

    fn p(sex: Sex, h: f64, w: f64, measured: &[(Measure, f64)]) -> Prediction {
        predict(&input(sex, h, w, measured)).unwrap()
    }

    #[test]
    fn embedded_model_is_valid_and_covers_the_contract() {
        let m = embedded_model().unwrap();
        for sex in [Sex::Female, Sex::Male] {
            assert!(m.for_sex(sex).n > 100, "{sex}");
            let pr = p(sex, 170.0, 70.0, &[]);
            for k in Measure::PREDICTED.into_iter().chain([Measure::UpperArm]) {
                let (mean, sd) = (pr.mean_cm[&k], pr.sd_cm[&k]);
                let (lo, hi) = k.range_cm();
                assert!(mean > lo && mean < hi, "{sex} {k} = {mean}");
                if k == Measure::Height {
                    assert_eq!((mean, sd), (170.0, 0.0));
                } else {
                    assert!(sd > 0.2 && sd < 0.1 * mean, "{sex} {k} sd {sd}");
                }
            }
            assert!(!pr.mean_cm.contains_key(&Measure::Underbust));
        }
    }

    #[test]
    fn taller_means_longer_and_heavier_means_wider() {
        for sex in [Sex::Female, Sex::Male] {
            for w in [45.0, 70.0, 110.0, 160.0] {
                let mut last = 0.0;
                for h in [140.0, 155.0, 170.0, 185.0, 205.0] {
                    let v = p(sex, h, w, &[]).mean_cm[&Measure::Inseam];
                    assert!(v > last, "{sex} w {w} h {h}: inseam {v} ≤ {last}");
                    last = v;
                }
            }
            for h in [150.0, 175.0, 200.0] {
                let mut last = [0.0; 3];
                for w in [40.0, 55.0, 70.0, 90.0, 120.0, 200.0] {
                    let pr = p(sex, h, w, &[]);
                    let now =
                        [Measure::Waist, Measure::Hip, Measure::Chest].map(|m| pr.mean_cm[&m]);
                    for i in 0..3 {
                        assert!(now[i] > last[i], "{sex} h {h} w {w}: {now:?} vs {last:?}");
                    }
                    last = now;
                }
            }
        }
    }

    #[test]
    fn supplied_values_come_back_unchanged() {
        let given = [
            (Measure::Waist, 81.3),
            (Measure::Neck, 37.25),
            (Measure::Underbust, 77.0),
        ];
        let pr = p(Sex::Female, 166.0, 64.0, &given);
        for (m, v) in given {
            assert_eq!(pr.mean_cm[&m], v);
            assert_eq!(pr.sd_cm[&m], 0.0);
            assert!(pr.is_supplied(m));
            assert_eq!(pr.interval_cm(m, 2.0), Some((v, v)));
        }
        assert!(!pr.is_supplied(Measure::Hip));
        assert!(!pr.predicted_measures().contains(&Measure::Waist));
    }

    #[test]
    fn supplied_values_condition_the_others() {
        let base = p(Sex::Male, 178.0, 82.0, &[]);
        let hip = base.mean_cm[&Measure::Hip];
        let big = p(Sex::Male, 178.0, 82.0, &[(Measure::Hip, hip + 8.0)]);
        let small = p(Sex::Male, 178.0, 82.0, &[(Measure::Hip, hip - 8.0)]);
        let thigh = Measure::Thigh;
        assert!(big.mean_cm[&thigh] > base.mean_cm[&thigh] + 1.0);
        assert!(small.mean_cm[&thigh] < base.mean_cm[&thigh] - 1.0);
        // Knowing the hip makes the correlated thigh more certain.
        assert!(big.sd_cm[&thigh] < 0.9 * base.sd_cm[&thigh]);
        // With one supplied value the shift in logs is cov(u, s) / var(s) × residual.
        let sm = embedded_model().unwrap().for_sex(Sex::Male);
        let s = sm.targets.iter().position(|m| *m == Measure::Hip).unwrap();
        let r = (hip + 8.0).ln() - hip.ln();
        for (u, m) in sm.targets.iter().enumerate().filter(|(u, _)| *u != s) {
            let c = sm.covariance_at(178.0, 82.0, 35.0);
            let k = sm.targets.len();
            let expect = base.mean_cm[m].ln() + c[u * k + s] / c[s * k + s] * r;
            assert!((big.mean_cm[m].ln() - expect).abs() < 1e-9, "{m}");
        }
        // Supplying the predicted value itself changes nothing else.
        let same = p(Sex::Male, 178.0, 82.0, &[(Measure::Hip, hip)]);
        for m in same.predicted_measures() {
            assert!((same.mean_cm[m] - base.mean_cm[m]).abs() < 1e-9, "{m}");
        }
        // Every subset works, including all measures supplied.
        let all: Vec<(Measure, f64)> = base
            .predicted_measures()
            .iter()
            .map(|m| (*m, base.mean_cm[m]))
            .collect();
        for mask in 0u32..(1 << all.len()) {
            let sub: Vec<_> = all
                .iter()
                .enumerate()
                .filter(|(i, _)| mask >> i & 1 == 1)
                .map(|(_, x)| *x)
                .collect();
            let pr = p(Sex::Male, 178.0, 82.0, &sub);
            assert_eq!(pr.predicted_measures().len(), all.len() - sub.len());
            assert!(pr.sd_cm.values().all(|s| s.is_finite() && *s >= 0.0));
        }
    }

    #[test]
    fn contradictions_are_rejected_with_field_and_range() {
        let e = predict(&input(Sex::Male, 180.0, 40.0, &[(Measure::Waist, 200.0)])).unwrap_err();
        match &e {
            BodyError::Contradictory {
                field,
                value,
                reason,
            } => {
                assert_eq!(field, "waist");
                assert_eq!(*value, 200.0);
                assert!(reason.contains("plausible range"), "{reason}");
            }
            other => panic!("expected Contradictory, got {other:?}"),
        }
        assert!(e.to_string().contains("waist = 200 cm"), "{e}");
        // The worst offender is named when several are off.
        let e = predict(&input(
            Sex::Female,
            150.0,
            45.0,
            &[(Measure::Neck, 45.0), (Measure::Hip, 190.0)],
        ))
        .unwrap_err();
        assert!(
            matches!(e, BodyError::Contradictory { ref field, .. } if field == "hip"),
            "{e}"
        );
        // A large but real-looking body is accepted.
        assert!(predict(&input(Sex::Male, 175.0, 130.0, &[(Measure::Waist, 130.0)])).is_ok());
    }

    #[test]
    fn sampling_reproduces_mean_sd_and_is_deterministic() {
        let pr = p(Sex::Female, 163.0, 70.0, &[(Measure::Chest, 98.0)]);
        let n = 40_000;
        let draws = pr.sample(n, 42);
        assert_eq!(draws.len(), n);
        assert_eq!(pr.sample(3, 42), draws[..3].to_vec());
        assert_ne!(pr.sample(3, 43), draws[..3].to_vec());
        for d in &draws[..100] {
            assert_eq!(d[&Measure::Chest], 98.0);
            assert_eq!(d[&Measure::Height], 163.0);
        }
        for m in pr.predicted_measures() {
            let xs: Vec<f64> = draws.iter().map(|d| d[m]).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            let median = sorted[n / 2];
            assert!(
                (sd / pr.sd_cm[m] - 1.0).abs() < 0.03,
                "{m}: {sd} vs {}",
                pr.sd_cm[m]
            );
            assert!(
                (median - pr.mean_cm[m]).abs() < 0.05 * pr.sd_cm[m] + 0.02,
                "{m}"
            );
        }
        // Draws are correlated as the model says: hip and thigh move together.
        let (a, b): (Vec<f64>, Vec<f64>) = draws
            .iter()
            .map(|d| (d[&Measure::Hip], d[&Measure::Thigh]))
            .unzip();
        let (ma, mb) = (
            a.iter().sum::<f64>() / n as f64,
            b.iter().sum::<f64>() / n as f64,
        );
        let cov: f64 = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - ma) * (y - mb))
            .sum::<f64>()
            / n as f64;
        let corr = cov / (pr.sd_cm[&Measure::Hip] * pr.sd_cm[&Measure::Thigh]);
        assert!(corr > 0.3, "{corr}");
    }

    fn ansur_dir() -> Option<std::path::PathBuf> {
        let d =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ansur2");
        if d.is_dir() {
            Some(d)
        } else {
            eprintln!("note: {} not found; skipping ANSUR-based test", d.display());
            None
        }
    }

    fn ansur_people(dir: &std::path::Path) -> Vec<crate::ansur::AnsurPerson> {
        let mut people = Vec::new();
        for name in ["female_train.csv", "male_train.csv"] {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            people.extend(crate::ansur::parse_people(name, &bytes, None).unwrap());
        }
        people
    }

    #[test]
    fn no_ansur_subject_is_called_contradictory() {
        let Some(dir) = ansur_dir() else { return };
        let people = ansur_people(&dir);
        assert!(people.len() > 4000);
        for person in &people {
            let supplied: Vec<(Measure, f64)> = person
                .measures_cm
                .iter()
                .filter(|(m, _)| **m != Measure::Height)
                .map(|(m, v)| (*m, *v))
                .collect();
            let inp = BodyInput::new(
                person.sex,
                person.height_cm(),
                person.weight_kg,
                Some(person.age_years),
                supplied,
            )
            .unwrap();
            if let Err(e) = predict(&inp) {
                panic!("line {} ({}) rejected: {e}", person.line, person.sex);
            }
        }
    }
}
