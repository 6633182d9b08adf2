//! Standard ease and reference lengths: how much larger than the body a garment is cut.
//!
//! Shared by the fit analysis (which judges garments against it) and the sample
//! generator (which grades garments with it).

use crate::catalog::{Category, FabricKind, FitIntent, GarmentDim};
use doppel_body::Sex;

/// Intended ease in cm for a garment dimension, from category, intent and fabric.
/// `None` where the dimension is not assessed for that category (e.g. neck of a T-shirt,
/// whose neckline is wider than the neck by design).
pub fn standard_ease_cm(
    dim: GarmentDim,
    category: Category,
    intent: FitIntent,
    fabric: FabricKind,
) -> Option<f64> {
    use Category as C;
    use GarmentDim as D;
    // Regular-fit ease for woven fabric; typical industry values (e.g. Aldrich,
    // "Metric Pattern Cutting") rounded to whole cm.
    let base = match (dim, category) {
        (D::Chest, C::Outerwear) => 16.0,
        (D::Chest, C::Hoodie) => 14.0,
        (D::Chest, C::Dress) => 8.0,
        (D::Chest, _) if category.is_bottom() => return None,
        (D::Chest, _) => 10.0,
        (D::Waist, C::Trousers | C::Jeans | C::Skirt) => 2.0,
        (D::Waist, C::Dress) => 6.0,
        (D::Waist, _) => 12.0,
        (D::Hip, C::Trousers) => 6.0,
        (D::Hip, C::Jeans | C::Skirt) => 4.0,
        (D::Hip, _) => 8.0,
        (D::Thigh, C::Trousers) => 8.0,
        (D::Thigh, C::Jeans) => 5.0,
        (D::Thigh, _) => return None,
        (D::Neck, C::Shirt) => 2.0,
        (D::Neck, _) => return None,
        (D::Shoulder, _) if category.is_bottom() => return None,
        (D::Shoulder, C::Outerwear) => 5.0,
        (D::Shoulder, _) => 3.0,
        (D::Length, _) => 0.0,
        (D::Sleeve, _) => 2.0,
        (D::Inseam, _) => -2.0,
    };
    if !dim.is_girth() && dim != D::Shoulder {
        return Some(base);
    }
    let intent_factor = match intent {
        FitIntent::Slim => 0.5,
        FitIntent::Regular => 1.0,
        FitIntent::Loose => 1.8,
    };
    // Knits are cut closer: their stretch provides the movement ease.
    let fabric_factor = match fabric {
        FabricKind::Knit => 0.6,
        FabricKind::Woven => 1.0,
    };
    Some(base * intent_factor * fabric_factor)
}

/// Body reference for a garment's `length`: back length from the side neck point to the
/// hem where the cut intends it, as a fraction of stature (hip level for tops, mid-thigh
/// for jackets, knee for dresses). An approximation: ANSUR has no direct measure.
pub fn reference_length_cm(category: Category, sex: Sex, height_cm: f64) -> Option<f64> {
    let f = match (category, sex) {
        (Category::Dress, _) => 0.55,
        (Category::Outerwear, _) => 0.42,
        (c, _) if c.is_bottom() => return None,
        (_, Sex::Male) => 0.40,
        (_, Sex::Female) => 0.37,
    };
    Some(f * height_cm)
}
