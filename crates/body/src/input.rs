//! Validated body input: what the shopper typed, checked field by field.

use crate::measure::{Measure, Sex};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Plausible weight range in kilograms.
pub const WEIGHT_RANGE_KG: (f64, f64) = (30.0, 250.0);
/// Plausible age range in years (the model is fitted on adults; teens are extrapolated).
pub const AGE_RANGE_YEARS: (f64, f64) = (14.0, 100.0);
/// Age assumed when the shopper does not give one.
pub const DEFAULT_AGE_YEARS: f64 = 30.0;

/// Everything that can be wrong with body input. Every variant names the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BodyError {
    /// A number outside the documented plausible range.
    #[error("{field} = {value} {unit} is outside the allowed range {min}–{max} {unit}")]
    OutOfRange {
        /// Field name as in the CLI/JSON contract (`height`, `weight`, `waist`, …).
        field: String,
        /// The rejected value.
        value: f64,
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
        /// Unit of `value`, `min` and `max`.
        unit: &'static str,
    },
    /// Text that is not a finite number.
    #[error("{field} = {raw:?} is not a number (expected e.g. {example})")]
    NotANumber {
        /// Field name.
        field: String,
        /// The text as given.
        raw: String,
        /// An example of accepted input.
        example: &'static str,
    },
    /// Unknown sex value.
    #[error("sex = {0:?} is not allowed (expected \"female\" or \"male\")")]
    BadSex(String),
    /// A measurement name the model does not know.
    #[error(
        "unknown measurement {0:?} (known: height, chest/bust, underbust, waist, hip, neck, thigh, upper_arm, inseam, sleeve, shoulder)"
    )]
    UnknownMeasure(String),
    /// A set of values that cannot belong to one human body.
    #[error("{field} = {value} cm does not fit the other values: {reason}")]
    Contradictory {
        /// The field judged implausible given the others.
        field: String,
        /// Its value in centimetres.
        value: f64,
        /// Plain explanation, e.g. the expected range given height and weight.
        reason: String,
    },
    /// A model asset or table that could not be read.
    #[error("body model data is invalid: {0}")]
    Model(String),
}

/// Validated input for prediction and avatar solving. Construct with [`BodyInput::new`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodyInput {
    /// Sex selecting the statistical model.
    pub sex: Sex,
    /// Stature in cm.
    pub height_cm: f64,
    /// Body mass in kg.
    pub weight_kg: f64,
    /// Age in years.
    pub age_years: f64,
    /// Tape measurements the shopper supplied, in cm (never contains `Height`).
    pub measured_cm: BTreeMap<Measure, f64>,
}

/// Checks that `value` is finite and within `[min, max]`.
pub fn check_range(
    field: &str,
    value: f64,
    (min, max): (f64, f64),
    unit: &'static str,
) -> Result<f64, BodyError> {
    if !value.is_finite() || value < min || value > max {
        return Err(BodyError::OutOfRange {
            field: field.to_string(),
            value,
            min,
            max,
            unit,
        });
    }
    Ok(value)
}

impl BodyInput {
    /// Validates ranges of every field. `age` defaults to [`DEFAULT_AGE_YEARS`].
    ///
    /// Cross-field plausibility (a 200 cm waist at 40 kg) is checked by the predictor,
    /// which knows the population statistics.
    pub fn new(
        sex: Sex,
        height_cm: f64,
        weight_kg: f64,
        age_years: Option<f64>,
        measured_cm: impl IntoIterator<Item = (Measure, f64)>,
    ) -> Result<Self, BodyError> {
        let height_cm = check_range("height", height_cm, Measure::Height.range_cm(), "cm")?;
        let weight_kg = check_range("weight", weight_kg, WEIGHT_RANGE_KG, "kg")?;
        let age_years = check_range(
            "age",
            age_years.unwrap_or(DEFAULT_AGE_YEARS),
            AGE_RANGE_YEARS,
            "years",
        )?;
        let mut measured = BTreeMap::new();
        for (m, v) in measured_cm {
            if m == Measure::Height {
                // Height is a required field of its own; a second value would be ambiguous.
                if (v - height_cm).abs() > 1e-9 {
                    return Err(BodyError::Contradictory {
                        field: "height".into(),
                        value: v,
                        reason: format!("height was already given as {height_cm} cm"),
                    });
                }
                continue;
            }
            measured.insert(m, check_range(m.key(), v, m.range_cm(), "cm")?);
        }
        Ok(BodyInput {
            sex,
            height_cm,
            weight_kg,
            age_years,
            measured_cm: measured,
        })
    }
}

/// Parses a user-typed number for `field`, rejecting NaN, infinities and junk.
pub fn parse_number(field: &str, raw: &str, example: &'static str) -> Result<f64, BodyError> {
    let t = raw.trim().replace(',', ".");
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(BodyError::NotANumber {
            field: field.to_string(),
            raw: raw.to_string(),
            example,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plausible_input() {
        let b = BodyInput::new(Sex::Female, 168.0, 62.0, None, [(Measure::Hip, 98.0)]).unwrap();
        assert_eq!(b.age_years, DEFAULT_AGE_YEARS);
        assert_eq!(b.measured_cm.get(&Measure::Hip), Some(&98.0));
    }

    #[test]
    fn rejects_out_of_range_naming_field() {
        let e = BodyInput::new(Sex::Male, 250.0, 80.0, None, []).unwrap_err();
        assert!(e.to_string().contains("height = 250 cm"), "{e}");
        assert!(e.to_string().contains("120–220"), "{e}");
        let e = BodyInput::new(Sex::Male, 180.0, f64::NAN, None, []).unwrap_err();
        assert!(matches!(e, BodyError::OutOfRange { ref field, .. } if field == "weight"));
        let e = BodyInput::new(Sex::Male, 180.0, 80.0, Some(7.0), []).unwrap_err();
        assert!(e.to_string().contains("age"), "{e}");
        let e =
            BodyInput::new(Sex::Male, 180.0, 80.0, None, [(Measure::Waist, 400.0)]).unwrap_err();
        assert!(e.to_string().contains("waist"), "{e}");
    }

    #[test]
    fn parses_numbers_strictly() {
        assert_eq!(parse_number("height", " 172,5 ", "172").unwrap(), 172.5);
        assert!(parse_number("height", "NaN", "172").is_err());
        assert!(parse_number("height", "tall", "172").is_err());
        assert!(parse_number("height", "inf", "172").is_err());
    }
}
