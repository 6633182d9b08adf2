//! Unit conversion. The one place where inches and pounds become centimetres and kilograms.

/// Centimetres per inch (exact, by definition).
pub const CM_PER_INCH: f64 = 2.54;
/// Kilograms per avoirdupois pound (exact, by definition).
pub const KG_PER_POUND: f64 = 0.453_592_37;

/// Length unit of a user entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthUnit {
    /// Centimetres.
    Cm,
    /// Inches.
    Inch,
}

/// Mass unit of a user entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MassUnit {
    /// Kilograms.
    Kg,
    /// Pounds.
    Pound,
}

/// Inches to centimetres.
pub fn inches_to_cm(inches: f64) -> f64 {
    inches * CM_PER_INCH
}

/// Centimetres to inches.
pub fn cm_to_inches(cm: f64) -> f64 {
    cm / CM_PER_INCH
}

/// Pounds to kilograms.
pub fn pounds_to_kg(lb: f64) -> f64 {
    lb * KG_PER_POUND
}

/// Kilograms to pounds.
pub fn kg_to_pounds(kg: f64) -> f64 {
    kg / KG_PER_POUND
}

/// Converts a length in `unit` to centimetres.
pub fn length_to_cm(value: f64, unit: LengthUnit) -> f64 {
    match unit {
        LengthUnit::Cm => value,
        LengthUnit::Inch => inches_to_cm(value),
    }
}

/// Converts a mass in `unit` to kilograms.
pub fn mass_to_kg(value: f64, unit: MassUnit) -> f64 {
    match unit {
        MassUnit::Kg => value,
        MassUnit::Pound => pounds_to_kg(value),
    }
}

/// Converts centimetres to `unit`.
pub fn cm_to_length(cm: f64, unit: LengthUnit) -> f64 {
    match unit {
        LengthUnit::Cm => cm,
        LengthUnit::Inch => cm_to_inches(cm),
    }
}

/// Converts kilograms to `unit`.
pub fn kg_to_mass(kg: f64, unit: MassUnit) -> f64 {
    match unit {
        MassUnit::Kg => kg,
        MassUnit::Pound => kg_to_pounds(kg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert!((inches_to_cm(1.0) - 2.54).abs() < 1e-12);
        assert!((inches_to_cm(71.0) - 180.34).abs() < 1e-9);
        assert!((pounds_to_kg(1.0) - 0.45359237).abs() < 1e-12);
        assert!((pounds_to_kg(176.0) - 79.832_257_12).abs() < 1e-6);
    }

    #[test]
    fn round_trips() {
        for v in [0.0, 1.0, 63.5, 180.0, 250.0] {
            assert!(
                (cm_to_length(length_to_cm(v, LengthUnit::Inch), LengthUnit::Inch) - v).abs()
                    < 1e-9
            );
            assert!((kg_to_mass(mass_to_kg(v, MassUnit::Pound), MassUnit::Pound) - v).abs() < 1e-9);
            assert_eq!(length_to_cm(v, LengthUnit::Cm), v);
            assert_eq!(mass_to_kg(v, MassUnit::Kg), v);
        }
    }
}
