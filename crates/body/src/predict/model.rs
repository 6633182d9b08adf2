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
    /// Reads the compact binary form written by [`PredictorModel::to_bin`] (what the
    /// browser build embeds: no JSON parser, a third of the bytes) and validates it.
    ///
    /// Layout, little-endian: magic `DPB1`, feature set (u8: 0 log-linear, 1
    /// log-quadratic), provenance (u16 length + UTF-8), then female and male, each: `n`
    /// (u32), target count `k` (u8), `k` [`Measure::ALL`] indices (u8), the input box (6
    /// f64), `coef` (k × p f64), `cov` (k × k f64), `log_sd_coef` rows (u8 count, each 4
    /// f64), `z_limit` and `max_training_z` (f64). Every f64 is stored bit for bit, so the
    /// model equals the JSON one exactly.
    pub fn from_bin(bytes: &[u8]) -> Result<Self, crate::BodyError> {
        let mut r = BinReader { bytes, at: 0 };
        let m = r.model().ok_or_else(|| {
            crate::BodyError::Model(format!(
                "predictor coefficients: binary table truncated or malformed at byte {}",
                r.at
            ))
        })?;
        m.validate()?;
        Ok(m)
    }

    /// The compact binary form read by [`PredictorModel::from_bin`].
    pub fn to_bin(&self) -> Vec<u8> {
        let mut out = BIN_MAGIC.to_vec();
        out.push(match self.features {
            FeatureSet::LogLinear => 0,
            FeatureSet::LogQuadratic => 1,
        });
        let prov = self.provenance.as_bytes();
        let len = u16::try_from(prov.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&prov[..usize::from(len)]);
        for m in [&self.female, &self.male] {
            let n = u32::try_from(m.n).unwrap_or(u32::MAX);
            out.extend_from_slice(&n.to_le_bytes());
            out.push(m.targets.len() as u8);
            for t in &m.targets {
                let i = Measure::ALL.iter().position(|a| a == t).unwrap_or(0);
                out.push(i as u8);
            }
            let f = |out: &mut Vec<u8>, v: f64| out.extend_from_slice(&v.to_bits().to_le_bytes());
            for v in m.input_box.lo.iter().chain(&m.input_box.hi) {
                f(&mut out, *v);
            }
            for v in m.coef.iter().chain(&m.cov).flatten() {
                f(&mut out, *v);
            }
            out.push(m.log_sd_coef.len() as u8);
            for v in m.log_sd_coef.iter().flatten() {
                f(&mut out, *v);
            }
            f(&mut out, m.z_limit);
            f(&mut out, m.max_training_z);
        }
        out
    }

    /// Checks shapes, finiteness and positive definiteness (after reading either form).
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

/// First bytes of the binary coefficient table.
const BIN_MAGIC: &[u8; 4] = b"DPB1";

/// A cursor over the binary table; `None` on any short read or bad value.
struct BinReader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl BinReader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let b = self.bytes.get(self.at..self.at.checked_add(N)?)?;
        self.at += N;
        b.try_into().ok()
    }

    fn u8(&mut self) -> Option<usize> {
        self.take::<1>().map(|[b]| usize::from(b))
    }

    fn f64(&mut self) -> Option<f64> {
        self.take::<8>()
            .map(|b| f64::from_bits(u64::from_le_bytes(b)))
    }

    fn f64s(&mut self, n: usize) -> Option<Vec<f64>> {
        (0..n).map(|_| self.f64()).collect()
    }

    fn rows(&mut self, rows: usize, cols: usize) -> Option<Vec<Vec<f64>>> {
        (0..rows).map(|_| self.f64s(cols)).collect()
    }

    fn model(&mut self) -> Option<PredictorModel> {
        if &self.take::<4>()? != BIN_MAGIC {
            return None;
        }
        let features = match self.u8()? {
            0 => FeatureSet::LogLinear,
            1 => FeatureSet::LogQuadratic,
            _ => return None,
        };
        let len = usize::from(u16::from_le_bytes(self.take::<2>()?));
        let prov = self.bytes.get(self.at..self.at.checked_add(len)?)?;
        self.at += len;
        let provenance = String::from_utf8(prov.to_vec()).ok()?;
        let female = self.sex_model(features.len())?;
        let male = self.sex_model(features.len())?;
        (self.at == self.bytes.len()).then(|| PredictorModel {
            format: FORMAT.to_string(),
            features,
            provenance,
            female,
            male,
        })
    }

    fn sex_model(&mut self, p: usize) -> Option<SexModel> {
        let n = u32::from_le_bytes(self.take::<4>()?) as usize;
        let k = self.u8()?;
        let targets = (0..k)
            .map(|_| Measure::ALL.get(self.u8()?).copied())
            .collect::<Option<Vec<_>>>()?;
        let b = self.f64s(6)?;
        let input_box = InputBox {
            lo: [b[0], b[1], b[2]],
            hi: [b[3], b[4], b[5]],
        };
        let coef = self.rows(k, p)?;
        let cov = self.rows(k, k)?;
        let sd_rows = self.u8()?;
        let log_sd_coef = (0..sd_rows)
            .map(|_| Some([self.f64()?, self.f64()?, self.f64()?, self.f64()?]))
            .collect::<Option<Vec<_>>>()?;
        Some(SexModel {
            n,
            targets,
            input_box,
            coef,
            cov,
            log_sd_coef,
            z_limit: self.f64()?,
            max_training_z: self.f64()?,
        })
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

    /// The committed binary table is the JSON model bit for bit (`cargo xtask
    /// train-predictor` writes both).
    #[test]
    fn embedded_binary_table_equals_the_json_model() {
        let json = PredictorModel::from_json(crate::predict::EMBEDDED_MODEL_JSON).unwrap();
        let bin = PredictorModel::from_bin(crate::predict::EMBEDDED_MODEL_BIN).unwrap();
        assert_eq!(
            bin, json,
            "predictor.bin is stale: run `cargo xtask train-predictor`"
        );
        // Bit-identical, not merely equal (0.0 vs -0.0 compare equal).
        for (a, b) in [(&bin.female, &json.female), (&bin.male, &json.male)] {
            for (x, y) in a
                .coef
                .iter()
                .chain(&a.cov)
                .flatten()
                .zip(b.coef.iter().chain(&b.cov).flatten())
            {
                assert_eq!(x.to_bits(), y.to_bits());
            }
        }
        assert_eq!(bin.to_bin(), crate::predict::EMBEDDED_MODEL_BIN);
    }

    #[test]
    fn damaged_binary_tables_are_errors_not_panics() {
        let good = crate::predict::EMBEDDED_MODEL_BIN;
        for cut in [0, 3, 4, 5, 8, good.len() / 2, good.len() - 1] {
            assert!(
                PredictorModel::from_bin(&good[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        let mut long = good.to_vec();
        long.push(0);
        assert!(PredictorModel::from_bin(&long).is_err());
        let mut bad = good.to_vec();
        bad[0] = b'X';
        assert!(PredictorModel::from_bin(&bad).is_err());
        // A target index past Measure::ALL: the first female target byte.
        let prov = usize::from(u16::from_le_bytes([good[5], good[6]]));
        let mut bad = good.to_vec();
        bad[7 + prov + 4 + 1] = 200;
        assert!(PredictorModel::from_bin(&bad).is_err());
        // A NaN coefficient is caught by validation.
        let mut bad = good.to_vec();
        let k = usize::from(good[7 + prov + 4]);
        let first_coef = 7 + prov + 4 + 1 + k + 6 * 8;
        bad[first_coef..first_coef + 8].copy_from_slice(&f64::NAN.to_bits().to_le_bytes());
        assert!(PredictorModel::from_bin(&bad).is_err());
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
