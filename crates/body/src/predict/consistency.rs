//! Joint plausibility of supplied measurements: does each value fit the *others*?
//!
//! The marginal check in [`super::predict_with`] compares each supplied value with what
//! height, weight and age predict. That misses sets whose members are each possible but
//! not together (a 60 cm waist with a 130 cm hip). Here every supplied value is compared
//! with its conditional distribution given height, weight, age **and all other supplied
//! values**, from the predictor's joint Gaussian of log residuals: with `Σ` the residual
//! covariance of the supplied measures plus tape-measure noise and `Q = Σ⁻¹`, the
//! leave-one-out conditional of residual `i` has mean `r_i − (Q r)_i / Q_ii` and variance
//! `1 / Q_ii`, so its z-score is `(Q r)_i / √Q_ii`.
//!
//! [`JOINT_Z_LIMIT`] was chosen on ANSUR II so that fewer than 0.1 % of real people are
//! rejected even with all nine measures supplied (5-fold cross-validated, see
//! `tests::ansur_rejection_rate` and BENCHMARKS.md).

use super::linalg;
use super::model::SexModel;
use crate::BodyError;
use crate::input::BodyInput;
use crate::measure::Measure;

/// A supplied value whose conditional z-score given the other supplied values exceeds
/// this is contradictory (chosen on ANSUR II: < 0.1 % of people rejected, see module doc).
pub const JOINT_Z_LIMIT: f64 = 4.5;

/// Relative standard deviation of a shopper's own tape measurement (2 cm on a 100 cm
/// girth), added to the population spread: self-measurements are less precise than
/// ANSUR's trained measurers, and a sloppy tape must not read as a contradiction.
pub const TAPE_REL_SD: f64 = 0.02;

/// How one supplied value agrees with the other supplied values.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    /// The supplied measure.
    pub measure: Measure,
    /// Its value, cm.
    pub value_cm: f64,
    /// Conditional z-score given height, weight, age and the other supplied values
    /// (positive: larger than they suggest).
    pub z: f64,
    /// The other supplied measure that pulls its expectation furthest the other way.
    pub partner: Measure,
    /// The partner's value, cm.
    pub partner_cm: f64,
    /// Central interval of ±[`JOINT_Z_LIMIT`] conditional sd, cm.
    pub plausible_cm: (f64, f64),
}

/// Conditional agreement of every supplied, modelled measure (empty with fewer than two).
///
/// `mu` is the predicted mean of `ln(cm)` per target of `sm` and `cov` the residual
/// covariance at the input (row-major), as computed in [`super::predict_with`].
pub fn agreements(sm: &SexModel, input: &BodyInput, mu: &[f64], cov: &[f64]) -> Vec<Agreement> {
    agreements_with_noise(sm, input, mu, cov, TAPE_REL_SD)
}

/// The supplied, modelled measures: (target index, cm), their log residuals, and the
/// residuals' covariance with tape noise on the diagonal; `None` with fewer than two.
struct Supplied {
    s: Vec<(usize, f64)>,
    r: Vec<f64>,
    sigma: Vec<f64>,
}

fn supplied(
    sm: &SexModel,
    input: &BodyInput,
    mu: &[f64],
    cov: &[f64],
    tape_rel_sd: f64,
) -> Option<Supplied> {
    let k = sm.targets.len();
    let s: Vec<(usize, f64)> = sm
        .targets
        .iter()
        .enumerate()
        .filter_map(|(i, m)| input.measured_cm.get(m).map(|&v| (i, v)))
        .collect();
    let n = s.len();
    if n < 2 || mu.len() != k || cov.len() != k * k {
        return None;
    }
    let r: Vec<f64> = s.iter().map(|&(i, v)| v.ln() - mu[i]).collect();
    let mut sigma: Vec<f64> = s
        .iter()
        .flat_map(|&(a, _)| s.iter().map(move |&(b, _)| cov[a * k + b]))
        .collect();
    for d in 0..n {
        sigma[d * n + d] += tape_rel_sd * tape_rel_sd;
    }
    Some(Supplied { s, r, sigma })
}

fn agreements_with_noise(
    sm: &SexModel,
    input: &BodyInput,
    mu: &[f64],
    cov: &[f64],
    tape_rel_sd: f64,
) -> Vec<Agreement> {
    let Some(Supplied { s, r, sigma }) = supplied(sm, input, mu, cov, tape_rel_sd) else {
        return Vec::new();
    };
    let n = s.len();
    let Some(l) = linalg::cholesky_jitter(&sigma, n) else {
        return Vec::new();
    };
    // Q = Σ⁻¹, one column at a time (n ≤ 9).
    let mut q = vec![0.0; n * n];
    for c in 0..n {
        let e: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i == c))).collect();
        for (i, v) in linalg::chol_solve(&l, n, &e).into_iter().enumerate() {
            q[i * n + c] = v;
        }
    }
    (0..n)
        .map(|i| {
            let qii = q[i * n + i];
            let qr: f64 = (0..n).map(|j| q[i * n + j] * r[j]).sum();
            let z = qr / qii.sqrt();
            // r_i − cond_mean_i = Σ_j Q_ij r_j / Q_ii: the partner adds most to that gap.
            let partner = (0..n)
                .filter(|&j| j != i)
                .max_by(|&a, &b| {
                    let ca = q[i * n + a] * r[a] * qr.signum();
                    let cb = q[i * n + b] * r[b] * qr.signum();
                    ca.total_cmp(&cb)
                })
                .unwrap_or(i);
            let cond_mean = mu[s[i].0] + r[i] - qr / qii;
            let sd = qii.sqrt().recip();
            Agreement {
                measure: sm.targets[s[i].0],
                value_cm: s[i].1,
                z,
                partner: sm.targets[s[partner].0],
                partner_cm: s[partner].1,
                plausible_cm: (
                    (cond_mean - JOINT_Z_LIMIT * sd).exp(),
                    (cond_mean + JOINT_Z_LIMIT * sd).exp(),
                ),
            }
        })
        .collect()
}

/// The whole supplied set's joint Mahalanobis distance, as a Wilson–Hilferty z-score of
/// its χ²(k), above which the set is contradictory even when every value agrees with the
/// others one at a time (chest and waist swapped on an average body: each value is only
/// 3–4 conditional sd off). Chosen on ANSUR II: the largest of 4,909 people under 5-fold
/// CV is 3.55 (women, all nine supplied), so 4.0 rejects none (see
/// `tests::ansur_rejection_rate` and BENCHMARKS.md).
pub const JOINT_SET_Z_LIMIT: f64 = 4.0;

/// Joint plausibility of the whole supplied set: the Mahalanobis distance² of the
/// supplied, modelled measures' log residuals (covariance as in [`agreements`], with tape
/// noise) turned into a z-score by [`chi2_as_z`]; `None` with fewer than two.
pub fn set_z(sm: &SexModel, input: &BodyInput, mu: &[f64], cov: &[f64]) -> Option<f64> {
    let Supplied { s, r, sigma } = supplied(sm, input, mu, cov, TAPE_REL_SD)?;
    let n = s.len();
    let l = linalg::cholesky_jitter(&sigma, n)?;
    let x = linalg::chol_solve(&l, n, &r);
    let d2: f64 = r.iter().zip(&x).map(|(a, b)| a * b).sum();
    d2.is_finite().then(|| chi2_as_z(d2, n))
}

/// Wilson–Hilferty: a χ²(k) value as an approximately standard normal z-score.
pub fn chi2_as_z(d2: f64, k: usize) -> f64 {
    let k = k.max(1) as f64;
    let a = 2.0 / (9.0 * k);
    ((d2.max(0.0) / k).cbrt() - (1.0 - a)) / a.sqrt()
}

/// The error for a set beyond [`JOINT_SET_Z_LIMIT`] (`set_z` from [`set_z`]), naming the
/// value that disagrees most with the others and its partner; checked after
/// [`joint_error`].
pub fn set_error(input: &BodyInput, agreements: &[Agreement], set_z: f64) -> Option<BodyError> {
    if set_z.is_nan() || set_z <= JOINT_SET_Z_LIMIT {
        return None;
    }
    let worst = agreements
        .iter()
        .max_by(|a, b| a.z.abs().total_cmp(&b.z.abs()))?;
    Some(BodyError::Contradictory {
        field: worst.measure.key().to_string(),
        value: worst.value_cm,
        reason: format!(
            "together with {} = {} cm (and the other supplied values) it is implausible for \
             {} (joint z {set_z:.1} > {JOINT_SET_Z_LIMIT}); were {} and {} swapped? Please \
             re-measure both",
            worst.partner.key(),
            worst.partner_cm,
            person(input),
            worst.measure.key(),
            worst.partner.key(),
        ),
    })
}

/// "a female of 170 cm, 70 kg and 30 years": the person both contradiction messages name.
fn person(input: &BodyInput) -> String {
    format!(
        "a {} of {} cm, {} kg and {} years",
        input.sex, input.height_cm, input.weight_kg, input.age_years
    )
}

/// The error for the worst disagreement beyond [`JOINT_Z_LIMIT`], if any.
pub fn joint_error(input: &BodyInput, agreements: &[Agreement]) -> Option<BodyError> {
    let worst = agreements
        .iter()
        .filter(|a| a.z.abs() > JOINT_Z_LIMIT)
        .max_by(|a, b| a.z.abs().total_cmp(&b.z.abs()))?;
    let (lo, hi) = worst.plausible_cm;
    Some(BodyError::Contradictory {
        field: worst.measure.key().to_string(),
        value: worst.value_cm,
        reason: format!(
            "it contradicts {} = {} cm: for {} with the other supplied values, the plausible {} \
             is {lo:.0}–{hi:.0} cm; please re-measure {} and {}",
            worst.partner.key(),
            worst.partner_cm,
            person(input),
            worst.measure.key(),
            worst.measure.key(),
            worst.partner.key(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predict::{embedded_model, log_moments, predict};
    use crate::{BodyInput, Sex};

    fn input(sex: Sex, h: f64, w: f64, measured: &[(Measure, f64)]) -> BodyInput {
        BodyInput::new(sex, h, w, Some(35.0), measured.iter().copied()).unwrap()
    }

    fn agree(inp: &BodyInput) -> Vec<Agreement> {
        let model = embedded_model().unwrap();
        let (mu, cov) = log_moments(model, inp);
        agreements(model.for_sex(inp.sex), inp, &mu, &cov)
    }

    /// Values `t` predicted sd away from the mean given height, weight and age only.
    fn off(sex: Sex, h: f64, w: f64, shifts: &[(Measure, f64)]) -> Vec<(Measure, f64)> {
        let base = predict(&input(sex, h, w, &[])).unwrap();
        shifts
            .iter()
            .map(|&(m, t)| {
                let (lo, hi) = base.interval_cm(m, t.abs()).unwrap();
                (m, if t < 0.0 { lo } else { hi })
            })
            .collect()
    }

    #[test]
    fn z_is_the_leave_one_out_conditional_of_the_predictor() {
        // Without tape noise, z must equal the predictor's own conditional distribution
        // of each value given the others (Schur complement, computed independently).
        let model = embedded_model().unwrap();
        let given = off(
            Sex::Female,
            166.0,
            68.0,
            &[
                (Measure::Waist, -1.5),
                (Measure::Hip, 1.0),
                (Measure::Neck, 0.5),
            ],
        );
        let inp = input(Sex::Female, 166.0, 68.0, &given);
        let (mu, cov) = log_moments(model, &inp);
        let sm = model.for_sex(Sex::Female);
        let agree = agreements_with_noise(sm, &inp, &mu, &cov, 0.0);
        assert_eq!(agree.len(), 3);
        for a in &agree {
            let others: Vec<_> = given.iter().filter(|g| g.0 != a.measure).copied().collect();
            let p = predict(&input(Sex::Female, 166.0, 68.0, &others)).unwrap();
            let i = p.free.iter().position(|m| *m == a.measure).unwrap();
            let k = p.free.len();
            let log_sd = (0..=i)
                .map(|j| p.log_chol[i * k + j].powi(2))
                .sum::<f64>()
                .sqrt();
            let z = (a.value_cm.ln() - p.log_mean[i]) / log_sd;
            assert!((z - a.z).abs() < 1e-6, "{}: {z} vs {}", a.measure, a.z);
            let mid = (a.plausible_cm.0 * a.plausible_cm.1).sqrt();
            assert!((mid.ln() - p.log_mean[i]).abs() < 1e-9);
        }
        // Tape noise only ever makes a value more plausible.
        for (a, b) in agree.iter().zip(agreements(sm, &inp, &mu, &cov)) {
            assert!(b.z.abs() < a.z.abs(), "{}", a.measure);
        }
    }

    #[test]
    fn a_pair_plausible_alone_but_not_together_is_rejected_naming_both() {
        for sex in [Sex::Female, Sex::Male] {
            // Waist 5.5 sd below, hip 5.5 sd above what height and weight suggest: each
            // passes the marginal check, but waist and hip go together.
            let given = off(
                sex,
                170.0,
                70.0,
                &[(Measure::Waist, -5.5), (Measure::Hip, 5.5)],
            );
            for one in &given {
                assert!(
                    predict(&input(sex, 170.0, 70.0, &[*one])).is_ok(),
                    "{sex} {one:?}"
                );
            }
            let e = predict(&input(sex, 170.0, 70.0, &given)).unwrap_err();
            let BodyError::Contradictory {
                field,
                value,
                reason,
            } = &e
            else {
                panic!("{sex}: expected Contradictory, got {e:?}");
            };
            let (bad, other) = if field == "waist" { (0, 1) } else { (1, 0) };
            assert_eq!(*value, given[bad].1);
            assert!(["waist", "hip"].contains(&field.as_str()), "{e}");
            let other_key = given[other].0.key();
            assert!(
                reason.contains(&format!("{other_key} = {} cm", given[other].1)),
                "{e}"
            );
            assert!(reason.contains("plausible"), "{e}");
            // The stated range excludes the value and is a real interval.
            let a = agree(&input(sex, 170.0, 70.0, &given));
            let worst = a.iter().find(|a| a.measure.key() == field).unwrap();
            let (lo, hi) = worst.plausible_cm;
            assert!(lo < hi && !(lo..=hi).contains(value), "{lo} {hi} {value}");
            assert!(worst.z.abs() > JOINT_Z_LIMIT);
        }
    }

    #[test]
    fn consistent_sets_pass_and_large_bodies_are_not_contradictions() {
        // Supplied values that move together are fine even when far from the average.
        let given = off(
            Sex::Male,
            180.0,
            80.0,
            &[
                (Measure::Chest, 3.0),
                (Measure::Waist, 3.0),
                (Measure::Hip, 3.0),
            ],
        );
        assert!(predict(&input(Sex::Male, 180.0, 80.0, &given)).is_ok());
        let big = [
            (Measure::Chest, 130.0),
            (Measure::Waist, 130.0),
            (Measure::Hip, 128.0),
        ];
        assert!(predict(&input(Sex::Male, 175.0, 130.0, &big)).is_ok());
        // A single value or none has nothing to disagree with.
        assert!(agree(&input(Sex::Female, 160.0, 55.0, &[(Measure::Hip, 95.0)])).is_empty());
        // Underbust has no model: it is never judged.
        let ub = [(Measure::Underbust, 70.0), (Measure::Hip, 95.0)];
        assert!(agree(&input(Sex::Female, 160.0, 55.0, &ub)).is_empty());
    }

    fn ansur_people() -> Option<Vec<crate::ansur::AnsurPerson>> {
        let d =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ansur2");
        if !d.is_dir() {
            eprintln!("note: {} not found; skipping ANSUR-based test", d.display());
            return None;
        }
        let mut people = Vec::new();
        for name in ["female_train.csv", "male_train.csv"] {
            let bytes = std::fs::read(d.join(name)).ok()?;
            people.extend(crate::ansur::parse_people(name, &bytes, None).ok()?);
        }
        Some(people)
    }

    /// Largest |conditional z| of each held-out person (5-fold CV: the covariance is fitted
    /// without them), with the given measures supplied.
    /// (Also the whole set's [`set_z`], second in each pair.)
    fn cv_max_z(
        people: &[crate::ansur::AnsurPerson],
        sex: Sex,
        supplied: &[Measure],
    ) -> Vec<(f64, f64)> {
        use crate::predict::fit::{TrainOptions, fit_sex};
        use crate::predict::model::{FORMAT, PredictorModel};
        let all: Vec<_> = people.iter().filter(|p| p.sex == sex).collect();
        let folds = 5;
        let mut out = Vec::new();
        for f in 0..folds {
            let train: Vec<_> = all
                .iter()
                .enumerate()
                .filter(|(i, _)| i % folds != f)
                .map(|(_, p)| *p)
                .collect();
            let sm = fit_sex(&train, sex, &TrainOptions::default()).unwrap();
            let pm = PredictorModel {
                format: FORMAT.into(),
                features: TrainOptions::default().features,
                provenance: String::new(),
                female: sm.clone(),
                male: sm,
            };
            for p in all
                .iter()
                .enumerate()
                .filter(|(i, _)| i % folds == f)
                .map(|(_, p)| *p)
            {
                let given = supplied
                    .iter()
                    .filter_map(|m| p.measures_cm.get(m).map(|v| (*m, *v)));
                let inp = BodyInput::new(sex, p.height_cm(), p.weight_kg, Some(p.age_years), given)
                    .unwrap();
                let (mu, cov) = log_moments(&pm, &inp);
                let z = agreements(pm.for_sex(sex), &inp, &mu, &cov)
                    .iter()
                    .fold(0.0f64, |w, a| w.max(a.z.abs()));
                let set = set_z(pm.for_sex(sex), &inp, &mu, &cov).unwrap_or(f64::NEG_INFINITY);
                out.push((z, set));
            }
        }
        out
    }

    #[test]
    fn chest_and_waist_swapped_on_an_average_man_are_caught() {
        let base = predict(&input(Sex::Male, 178.0, 80.0, &[])).expect("prediction");
        let (c, w) = (base.mean_cm[&Measure::Chest], base.mean_cm[&Measure::Waist]);
        // Each value alone is plausible, and each against the other stays inside the
        // one-at-a-time limit: only the set as a whole gives it away.
        let swapped = input(
            Sex::Male,
            178.0,
            80.0,
            &[(Measure::Chest, w), (Measure::Waist, c)],
        );
        assert!(agree(&swapped).iter().all(|a| a.z.abs() < JOINT_Z_LIMIT));
        match predict(&swapped) {
            Err(BodyError::Contradictory { field, reason, .. }) => {
                assert!(field == "chest" || field == "waist", "{field}");
                assert!(reason.contains("swapped"), "{reason}");
            }
            other => panic!("expected a contradiction, got {other:?}"),
        }
        let right = input(
            Sex::Male,
            178.0,
            80.0,
            &[(Measure::Chest, c), (Measure::Waist, w)],
        );
        assert!(predict(&right).is_ok());
        // The transform: χ²(k) at its mean k is about z = 0; large d² is large z.
        assert!(chi2_as_z(9.0, 9).abs() < 0.3);
        assert!(chi2_as_z(40.0, 2) > 5.0);
    }

    /// Measures the share of real people the joint check would reject (printed for
    /// BENCHMARKS.md) and holds it under 0.1 %. Skips without the ANSUR data.
    #[test]
    fn ansur_rejection_rate() {
        let Some(people) = ansur_people() else { return };
        let all9 = crate::predict::fit::target_measures();
        let sets: [(&str, &[Measure]); 3] = [
            ("all 9", &all9),
            ("chest+waist", &[Measure::Chest, Measure::Waist]),
            (
                "chest+waist+hip",
                &[Measure::Chest, Measure::Waist, Measure::Hip],
            ),
        ];
        for sex in [Sex::Female, Sex::Male] {
            for (name, set) in sets {
                let both = cv_max_z(&people, sex, set);
                let mut sz: Vec<f64> = both.iter().map(|p| p.1).collect();
                sz.sort_by(f64::total_cmp);
                let set_rate =
                    sz.iter().filter(|v| **v > JOINT_SET_Z_LIMIT).count() as f64 / sz.len() as f64;
                eprintln!(
                    "{sex} {name}: set z p99.9 {:.2} max {:.2}; rejected at {JOINT_SET_Z_LIMIT}: {:.3} %",
                    sz[sz.len() * 999 / 1000],
                    sz[sz.len() - 1],
                    100.0 * set_rate
                );
                assert!(set_rate < 0.001, "{sex} {name}: set {set_rate}");
                let mut z: Vec<f64> = both.iter().map(|p| p.0).collect();
                z.sort_by(f64::total_cmp);
                let n = z.len();
                let rate = |k: f64| z.iter().filter(|v| **v > k).count() as f64 / n as f64;
                eprintln!(
                    "{sex} {name}: n {n}, max |z| p99 {:.2} p99.9 {:.2} max {:.2}; rejected at 4: {:.2} %, 4.5: {:.2} %, 5: {:.2} %, limit {JOINT_Z_LIMIT}: {:.3} %",
                    z[n * 99 / 100],
                    z[n * 999 / 1000],
                    z[n - 1],
                    100.0 * rate(4.0),
                    100.0 * rate(4.5),
                    100.0 * rate(5.0),
                    100.0 * rate(JOINT_Z_LIMIT),
                );
                assert!(
                    rate(JOINT_Z_LIMIT) < 0.001,
                    "{sex} {name}: {}",
                    rate(JOINT_Z_LIMIT)
                );
            }
        }
    }
}
