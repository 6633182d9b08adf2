//! The predictor's data model (what `cargo xtask train-predictor` writes) and its features.

use crate::measure::{Measure, Sex};
use serde::{Deserialize, Serialize};

/// Format tag of the coefficient file; bumped when the layout changes.
pub const FORMAT: &str = "doppel-predictor/1";

/// Which regressors are computed from (height, weight, age).
///
/// The variables are `H = ln(height / 170 cm)`, `W = ln(weight / 70 kg)` and
/// `A = (age − 30) / 10`. Non-linear terms use the variables clamped to the box
/// seen in training, so that outside it the model extrapolates as a power law
/// (linear in logs) instead of following a polynomial off a cliff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureSet {
    /// `1, H, W, A`: a plain power law in height and weight, linear in age.
    LogLinear,
    /// `LogLinear` plus clamped squares and pairwise products of `H, W, A` and `W³`.
    LogQuadratic,
}

impl FeatureSet {
    /// Number of regressors (including the intercept).
    pub fn len(self) -> usize {
        match self {
            FeatureSet::LogLinear => 4,
            FeatureSet::LogQuadratic => 11,
        }
    }

    /// Whether the set is empty (never: every set has an intercept).
    pub fn is_empty(self) -> bool {
        false
    }
}

/// The training range of the transformed inputs `(H, W, A)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct InputBox {
    /// Lower corner.
    pub lo: [f64; 3],
    /// Upper corner.
    pub hi: [f64; 3],
}

/// Transformed inputs `(H, W, A)`; see [`FeatureSet`].
pub fn transform(height_cm: f64, weight_kg: f64, age_years: f64) -> [f64; 3] {
    [
        (height_cm / 170.0).ln(),
        (weight_kg / 70.0).ln(),
        (age_years - 30.0) / 10.0,
    ]
}

/// Regressor vector for one person.
pub fn features(
    set: FeatureSet,
    bx: &InputBox,
    height_cm: f64,
    weight_kg: f64,
    age_years: f64,
) -> Vec<f64> {
    let x = transform(height_cm, weight_kg, age_years);
    let mut f = vec![1.0, x[0], x[1], x[2]];
    if set == FeatureSet::LogQuadratic {
        let c: Vec<f64> = (0..3).map(|i| x[i].clamp(bx.lo[i], bx.hi[i])).collect();
        let (h, w, a) = (c[0], c[1], c[2]);
        f.extend_from_slice(&[h * h, w * w, a * a, h * w, h * a, w * a, w * w * w]);
    }
    debug_assert_eq!(f.len(), set.len());
    f
}

/// Regressors of the residual scale model: `1, H, W, A`, clamped to the training box.
pub fn scale_features(bx: &InputBox, height_cm: f64, weight_kg: f64, age_years: f64) -> [f64; 4] {
    let x = transform(height_cm, weight_kg, age_years);
    let c = |i: usize| x[i].clamp(bx.lo[i], bx.hi[i]);
    [1.0, c(0), c(1), c(2)]
}

/// One sex's regression: `ln(measure) = coef · features + s(x) · u`, where `u` is jointly
/// Gaussian with covariance `cov` and `s(x) = exp(log_sd_coef · scale_features)` lets the
/// spread depend on build and age (heavier and older people vary more in hip and thigh).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SexModel {
    /// Training subjects.
    pub n: usize,
    /// Modelled measures, in the order of `coef` rows and `cov` rows/columns.
    pub targets: Vec<Measure>,
    /// Training box of `(H, W, A)`.
    pub input_box: InputBox,
    /// `coef[target][feature]`.
    pub coef: Vec<Vec<f64>>,
    /// Covariance of the scaled residuals `u` of `ln(measure)` given height, weight and age.
    pub cov: Vec<Vec<f64>>,
    /// `log_sd_coef[target]`: coefficients of `ln s(x)` on [`scale_features`]; empty means
    /// a constant scale of 1.
    #[serde(default)]
    pub log_sd_coef: Vec<[f64; 4]>,
    /// A supplied value whose marginal residual z-score exceeds this is contradictory.
    pub z_limit: f64,
    /// Largest |z| of any training subject's value (what `z_limit` was chosen above).
    pub max_training_z: f64,
}

impl SexModel {
    /// Residual covariance of `ln(measure)` for one person: `s_a s_b cov[a][b]`, row-major.
    pub fn covariance_at(&self, height_cm: f64, weight_kg: f64, age_years: f64) -> Vec<f64> {
        let k = self.targets.len();
        let psi = scale_features(&self.input_box, height_cm, weight_kg, age_years);
        let s: Vec<f64> = (0..k)
            .map(|i| {
                self.log_sd_coef.get(i).map_or(1.0, |g| {
                    g.iter().zip(&psi).map(|(a, b)| a * b).sum::<f64>().exp()
                })
            })
            .collect();
        (0..k)
            .flat_map(|a| (0..k).map(move |b| (a, b)))
            .map(|(a, b)| s[a] * s[b] * self.cov[a][b])
            .collect()
    }
}

/// The whole predictor: one model per sex.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictorModel {
    /// Must equal [`FORMAT`].
    pub format: String,
    /// Regressors used by both sex models.
    pub features: FeatureSet,
    /// Where the numbers come from (data set, command).
    pub provenance: String,
    /// Female model.
    pub female: SexModel,
    /// Male model.
    pub male: SexModel,
}

impl PredictorModel {
    /// The model for `sex`.
    pub fn for_sex(&self, sex: Sex) -> &SexModel {
        match sex {
            Sex::Female => &self.female,
            Sex::Male => &self.male,
        }
    }

    /// Parses and checks a coefficient file.
    pub fn from_json(text: &str) -> Result<Self, crate::BodyError> {
        let m: PredictorModel = serde_json::from_str(text)
            .map_err(|e| crate::BodyError::Model(format!("predictor coefficients: {e}")))?;
        m.validate()?;
        Ok(m)
    }

    /// Checks shapes and finiteness, so prediction can index without panicking.
    pub fn validate(&self) -> Result<(), crate::BodyError> {
        let bad = |s: String| Err(crate::BodyError::Model(s));
        if self.format != FORMAT {
            return bad(format!("format {:?}, expected {FORMAT:?}", self.format));
        }
        let p = self.features.len();
        for (sex, m) in [(Sex::Female, &self.female), (Sex::Male, &self.male)] {
            let k = m.targets.len();
            if k == 0 || m.targets.contains(&Measure::Height) {
                return bad(format!(
                    "{sex}: targets must be non-empty and exclude height"
                ));
            }
            if m.coef.len() != k || m.coef.iter().any(|r| r.len() != p) {
                return bad(format!("{sex}: coef must be {k} × {p}"));
            }
            if m.cov.len() != k || m.cov.iter().any(|r| r.len() != k) {
                return bad(format!("{sex}: cov must be {k} × {k}"));
            }
            if !m.log_sd_coef.is_empty() && m.log_sd_coef.len() != k {
                return bad(format!("{sex}: log_sd_coef must be empty or have {k} rows"));
            }
            let finite = m.coef.iter().chain(&m.cov).flatten().all(|v| v.is_finite())
                && m.log_sd_coef.iter().flatten().all(|v| v.is_finite())
                && m.input_box
                    .lo
                    .iter()
                    .chain(&m.input_box.hi)
                    .all(|v| v.is_finite());
            if !finite || m.z_limit.is_nan() || m.z_limit <= 0.0 {
                return bad(format!("{sex}: non-finite coefficient or z limit"));
            }
            let flat: Vec<f64> = m.cov.iter().flatten().copied().collect();
            if super::linalg::cholesky(&flat, k).is_none() {
                return bad(format!(
                    "{sex}: residual covariance is not positive definite"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_models_are_rejected_not_panicking() {
        let good = crate::predict::EMBEDDED_MODEL_JSON;
        assert!(PredictorModel::from_json(good).is_ok());
        assert!(PredictorModel::from_json("{").is_err());
        let mut m = PredictorModel::from_json(good).unwrap();
        m.female.coef.pop();
        assert!(m.validate().is_err());
        let mut m = PredictorModel::from_json(good).unwrap();
        m.male.cov[0][0] = -1.0;
        assert!(m.validate().is_err());
        let mut m = PredictorModel::from_json(good).unwrap();
        m.male.log_sd_coef[0][1] = f64::NAN;
        assert!(m.validate().is_err());
        let mut m = PredictorModel::from_json(good).unwrap();
        m.format = "other/9".into();
        assert!(matches!(m.validate(), Err(crate::BodyError::Model(s)) if s.contains("format")));
    }

    #[test]
    fn features_are_clamped_outside_the_training_box() {
        let bx = InputBox {
            lo: [-0.1, -0.3, -1.0],
            hi: [0.1, 0.4, 3.0],
        };
        let a = features(FeatureSet::LogQuadratic, &bx, 170.0, 400.0, 30.0);
        let b = features(FeatureSet::LogQuadratic, &bx, 170.0, 500.0, 30.0);
        // Linear terms follow the input; non-linear ones stop at the box edge.
        assert!(b[2] > a[2]);
        assert_eq!(a[4..], b[4..]);
        assert_eq!(
            features(FeatureSet::LogLinear, &bx, 170.0, 70.0, 30.0),
            vec![1.0, 0.0, 0.0, 0.0]
        );
    }
}
