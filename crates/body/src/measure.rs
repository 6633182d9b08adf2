//! Named body measurements, their ISO 8559-1 meaning, plausible ranges and ANSUR II columns.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Biological sex as used by the anthropometric model (selects the statistical model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// Female body model and statistics.
    Female,
    /// Male body model and statistics.
    Male,
}

impl Sex {
    /// Lower-case key used in JSON, CLI flags and file names.
    pub fn key(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Sex {
    type Err = crate::BodyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "female" | "f" | "woman" | "w" => Ok(Sex::Female),
            "male" | "m" | "man" => Ok(Sex::Male),
            _ => Err(crate::BodyError::BadSex(s.to_string())),
        }
    }
}

/// A body length or girth in centimetres. Key names are the JSON/CLI contract.
///
/// Weight and age are not measures: they are carried by [`crate::BodyInput`] directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Stature, floor to vertex (ANSUR `stature`).
    Height,
    /// Chest girth for men, bust girth for women, at nipple / bust-point level
    /// (ANSUR `chestcircumference`). The input name `bust` is accepted as an alias.
    Chest,
    /// Underbust girth, directly below the breasts (no ANSUR II column; model-only).
    Underbust,
    /// Waist girth at the omphalion (navel) level (ANSUR `waistcircumference`).
    Waist,
    /// Hip girth at maximum buttock protrusion (ANSUR `buttockcircumference`).
    Hip,
    /// Neck base girth (ANSUR `neckcircumferencebase`).
    Neck,
    /// Thigh girth just below the gluteal fold (ANSUR `thighcircumference`).
    Thigh,
    /// Upper-arm girth at mid-biceps (ANSUR `bicepscircumferenceflexed`, flexed).
    UpperArm,
    /// Inside leg: crotch to floor (ANSUR `crotchheight`).
    Inseam,
    /// Arm length / sleeve outseam: acromion over the elbow to the wrist
    /// (ANSUR `sleeveoutseam`).
    Sleeve,
    /// Shoulder breadth between the acromia (ANSUR `biacromialbreadth`).
    Shoulder,
}

impl Measure {
    /// Every measure, in a stable order (used for vectors, tables and JSON output).
    pub const ALL: [Measure; 11] = [
        Measure::Height,
        Measure::Chest,
        Measure::Underbust,
        Measure::Waist,
        Measure::Hip,
        Measure::Neck,
        Measure::Thigh,
        Measure::UpperArm,
        Measure::Inseam,
        Measure::Sleeve,
        Measure::Shoulder,
    ];

    /// The measures of the CLI `predict` contract, in output order.
    pub const PREDICTED: [Measure; 9] = [
        Measure::Chest,
        Measure::Waist,
        Measure::Hip,
        Measure::Neck,
        Measure::Thigh,
        Measure::Inseam,
        Measure::Sleeve,
        Measure::Shoulder,
        Measure::Height,
    ];

    /// JSON / CLI key (`"upper_arm"`, `"chest"`, …).
    pub fn key(self) -> &'static str {
        match self {
            Measure::Height => "height",
            Measure::Chest => "chest",
            Measure::Underbust => "underbust",
            Measure::Waist => "waist",
            Measure::Hip => "hip",
            Measure::Neck => "neck",
            Measure::Thigh => "thigh",
            Measure::UpperArm => "upper_arm",
            Measure::Inseam => "inseam",
            Measure::Sleeve => "sleeve",
            Measure::Shoulder => "shoulder",
        }
    }

    /// Parses a key; accepts `bust` for [`Measure::Chest`] and `-` for `_`.
    pub fn from_key(key: &str) -> Option<Measure> {
        let k = key.trim().to_ascii_lowercase().replace('-', "_");
        match k.as_str() {
            "bust" => Some(Measure::Chest),
            "arm_length" | "arm" => Some(Measure::Sleeve),
            "inside_leg" => Some(Measure::Inseam),
            _ => Measure::ALL.iter().copied().find(|m| m.key() == k),
        }
    }

    /// Whether this is a girth (a closed tape-measure loop) rather than a length.
    pub fn is_girth(self) -> bool {
        matches!(
            self,
            Measure::Chest
                | Measure::Underbust
                | Measure::Waist
                | Measure::Hip
                | Measure::Neck
                | Measure::Thigh
                | Measure::UpperArm
        )
    }

    /// The ANSUR II column this measure corresponds to, if any.
    pub fn ansur_column(self) -> Option<&'static str> {
        match self {
            Measure::Height => Some("stature"),
            Measure::Chest => Some("chestcircumference"),
            Measure::Underbust => None,
            Measure::Waist => Some("waistcircumference"),
            Measure::Hip => Some("buttockcircumference"),
            Measure::Neck => Some("neckcircumferencebase"),
            Measure::Thigh => Some("thighcircumference"),
            Measure::UpperArm => Some("bicepscircumferenceflexed"),
            Measure::Inseam => Some("crotchheight"),
            Measure::Sleeve => Some("sleeveoutseam"),
            Measure::Shoulder => Some("biacromialbreadth"),
        }
    }

    /// Plausible range in centimetres for adults and teenagers; input outside is rejected.
    ///
    /// Deliberately wider than ANSUR's soldiers (who are young and fit) so that real
    /// shoppers of every build are accepted.
    pub fn range_cm(self) -> (f64, f64) {
        match self {
            Measure::Height => (120.0, 220.0),
            Measure::Chest => (60.0, 200.0),
            Measure::Underbust => (55.0, 180.0),
            Measure::Waist => (45.0, 200.0),
            Measure::Hip => (60.0, 200.0),
            Measure::Neck => (25.0, 65.0),
            Measure::Thigh => (30.0, 110.0),
            Measure::UpperArm => (15.0, 65.0),
            Measure::Inseam => (50.0, 110.0),
            Measure::Sleeve => (40.0, 80.0),
            Measure::Shoulder => (28.0, 60.0),
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for m in Measure::ALL {
            assert_eq!(Measure::from_key(m.key()), Some(m));
        }
        assert_eq!(Measure::from_key("bust"), Some(Measure::Chest));
        assert_eq!(Measure::from_key("Upper-Arm"), Some(Measure::UpperArm));
        assert_eq!(Measure::from_key("shoe"), None);
    }

    #[test]
    fn ranges_are_ordered() {
        for m in Measure::ALL {
            let (lo, hi) = m.range_cm();
            assert!(lo < hi, "{m}");
        }
    }

    #[test]
    fn sex_parses() {
        assert_eq!("Female".parse::<Sex>().ok(), Some(Sex::Female));
        assert_eq!("m".parse::<Sex>().ok(), Some(Sex::Male));
        assert!("x".parse::<Sex>().is_err());
    }
}
