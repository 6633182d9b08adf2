//! Fit analysis of one garment size on one body: per region ease, strain and verdict.
//!
//! Each region compares a finished-garment measurement with the matching body
//! measurement: `ease = garment − body` (cm). The verdict measures the ease against the
//! ease the cut intends ([`ideal_ease_cm`], from category, fit intent and fabric) with a
//! tolerance of half a size (half the chart range width), and lets stretchy fabric absorb
//! part of a negative deviation. Garment measurements the retailer did not give are
//! derived from the chart: range midpoint + intended ease.
//!
//! The cloth solver plugs in through [`FitAnalysis::apply_drape`] (or
//! [`fold_drape_strain`] on a recommendation's regions): the per-vertex strain for the
//! fit map, and per region the larger of the chart-based and the simulated girth strain
//! (`crate::drape::region_strain_pct`).

use doppel_body::{Measure, Sex};
use doppel_garment::catalog::{Category, GarmentDim, Product};
use doppel_garment::chart::{MeasureValues, SizeChart, measure_index};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The shopper's preference, shifting the target ease by half a size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FitPreference {
    /// Prefers close-fitting garments.
    Snug,
    /// The garment as designed.
    #[default]
    Regular,
    /// Prefers roomy garments.
    Loose,
}

impl FitPreference {
    /// Parses `snug`, `regular` or `loose`.
    pub fn from_key(k: &str) -> Option<Self> {
        match k.trim().to_ascii_lowercase().as_str() {
            "snug" | "tight" | "slim" => Some(FitPreference::Snug),
            "regular" | "normal" => Some(FitPreference::Regular),
            "loose" | "relaxed" => Some(FitPreference::Loose),
            _ => None,
        }
    }

    /// Shift of the target ease in units of the tolerance (half a size).
    fn shift(self) -> f64 {
        match self {
            FitPreference::Snug => -1.0,
            FitPreference::Regular => 0.0,
            FitPreference::Loose => 1.0,
        }
    }
}

/// A body region of the fit analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// Shoulder width.
    Shoulders,
    /// Chest (men) / bust (women).
    Chest,
    /// Waist.
    Waist,
    /// Hip.
    Hip,
    /// Thigh.
    Thigh,
    /// Neck / collar.
    Neck,
    /// Garment length.
    Length,
    /// Sleeve length.
    Sleeve,
    /// Inside leg length.
    Inseam,
}

impl Region {
    /// The region of a garment dimension.
    pub fn of(d: GarmentDim) -> Region {
        match d {
            GarmentDim::Chest => Region::Chest,
            GarmentDim::Waist => Region::Waist,
            GarmentDim::Hip => Region::Hip,
            GarmentDim::Thigh => Region::Thigh,
            GarmentDim::Neck => Region::Neck,
            GarmentDim::Shoulder => Region::Shoulders,
            GarmentDim::Length => Region::Length,
            GarmentDim::Sleeve => Region::Sleeve,
            GarmentDim::Inseam => Region::Inseam,
        }
    }

    /// Whether the region is a length (verdicts read "short"/"long", not "tight"/"loose").
    pub fn is_length(self) -> bool {
        matches!(self, Region::Length | Region::Sleeve | Region::Inseam)
    }
}

/// How a region fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Too small (too short for lengths), even counting fabric stretch.
    TooTight,
    /// Closer than intended, still wearable.
    Snug,
    /// As the cut intends.
    Good,
    /// Roomier than intended, still wearable.
    Relaxed,
    /// Too large (too long for lengths).
    TooLoose,
}

/// Fit of one region of one size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionFit {
    /// Size label.
    pub size: String,
    /// Region.
    pub region: Region,
    /// Body measurement (cm); for `length`, the body's reference length for the garment.
    pub body_cm: f64,
    /// Garment measurement (cm).
    pub garment_cm: f64,
    /// `garment − body` in cm.
    pub ease_cm: f64,
    /// Ease the cut intends for this region (cm).
    pub ideal_ease_cm: f64,
    /// How much the garment must stretch to go around the body, % (0 when it need not).
    pub strain_pct: f64,
    /// Verdict.
    pub verdict: Verdict,
}

/// Fit analysis of one size: every region that could be assessed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitAnalysis {
    /// Size label.
    pub size: String,
    /// Per-region results.
    pub regions: Vec<RegionFit>,
    /// Misfit cost (0 = every region within half a size of the target ease); what the
    /// recommender minimises.
    pub misfit: f64,
    /// Per-vertex strain of the draped garment mesh, % (filled by the cloth solver; empty
    /// until a drape was computed).
    pub vertex_strain: Vec<f32>,
}

impl FitAnalysis {
    /// Folds a drape of this size into the analysis: `vertex_strain` (the drape's
    /// per-vertex strain, a fraction: `Draped::strain`) becomes
    /// [`FitAnalysis::vertex_strain`] in %, and the simulated girth strain per region
    /// (`drape::region_strain_pct`) goes into the regions as [`fold_drape_strain`] does.
    pub fn apply_drape(&mut self, vertex_strain: &[f32], region_strain_pct: &[(Region, f64)]) {
        self.vertex_strain = vertex_strain.iter().map(|s| 100.0 * s).collect();
        fold_drape_strain(&mut self.regions, &self.size, region_strain_pct);
    }
}

/// Simulated girth strain below this (%) is not reported as strain: hanging fabric
/// stretches that much under its own weight in the cloth solver (the largest sizes of the
/// sample catalog measure −1.2 to +0.7 % at chest, waist and hip on the test bodies).
pub const DRAPE_STRAIN_FLOOR_PCT: f64 = 1.0;

/// For the regions of size `size` that a drape measured, `strain_pct` becomes the larger
/// of the chart-based estimate and the simulated girth strain (rounded to 0.1 %; below
/// [`DRAPE_STRAIN_FLOOR_PCT`] it counts as 0). Verdicts stay as the chart analysis set
/// them: they already account for the fabric's stretch, and the drape's strain is the
/// picture of the same fit on this body's shape.
pub fn fold_drape_strain(
    regions: &mut [RegionFit],
    size: &str,
    region_strain_pct: &[(Region, f64)],
) {
    for r in regions.iter_mut().filter(|r| r.size == size) {
        if let Some((_, s)) = region_strain_pct.iter().find(|(g, _)| *g == r.region)
            && s.is_finite()
            && *s >= DRAPE_STRAIN_FLOOR_PCT
        {
            r.strain_pct = r.strain_pct.max(round1(*s));
        }
    }
}

/// Weight of secondary regions (lengths, shoulders, regions outside the chart) in the
/// misfit, relative to the chart's control dimensions.
pub const SECONDARY_WEIGHT: f64 = 0.5;
/// Default tolerance (half a size) for girths without chart range, cm.
pub const DEFAULT_GIRTH_TOL_CM: f64 = 3.0;
/// Default tolerance for lengths, cm.
pub const DEFAULT_LENGTH_TOL_CM: f64 = 2.5;
/// Fraction of the fabric's stretch that counts as comfortable.
pub const COMFORT_STRETCH_FRACTION: f64 = 0.25;

pub use doppel_garment::ease::{reference_length_cm, standard_ease_cm as ideal_ease_cm};

/// One assessed dimension of one size: garment value, target ease and tolerance.
#[derive(Debug, Clone, Copy, PartialEq)]
struct DimSpec {
    dim: GarmentDim,
    garment_cm: f64,
    ideal_cm: f64,
    tol_cm: f64,
    weight: f64,
}

/// A product prepared for fast, repeated fit analysis (the recommender evaluates
/// thousands of sampled bodies).
#[derive(Debug, Clone)]
pub struct FitModel {
    labels: Vec<String>,
    category: Category,
    sex: Sex,
    stretch_across_pct: f64,
    stretch_along_pct: f64,
    specs: Vec<Vec<DimSpec>>,
    /// Chart dimensions without garment values: (measure, ranges per size).
    chart_only: Vec<(Measure, Vec<[f64; 2]>)>,
}

impl FitModel {
    /// Prepares a catalog product. Garment measurements missing for a chart dimension
    /// are derived from the chart (midpoint + intended ease).
    pub fn from_product(p: &Product) -> FitModel {
        let mut specs = Vec::new();
        for (i, cs) in p.chart.sizes.iter().enumerate() {
            let given = p.size(&cs.label).map(|s| &s.garment_cm);
            let mut dims: BTreeMap<GarmentDim, DimSpec> = BTreeMap::new();
            for (m, r) in &cs.ranges_cm {
                let Some(d) = GarmentDim::for_measure(*m) else {
                    continue;
                };
                let Some(ideal) = ideal_ease_cm(d, p.category, p.fit, p.fabric.kind) else {
                    continue;
                };
                let mid = 0.5 * (r[0] + r[1]);
                let garment = given
                    .and_then(|g| g.get(&d).copied())
                    .unwrap_or(mid + ideal);
                dims.insert(
                    d,
                    DimSpec {
                        dim: d,
                        garment_cm: garment,
                        ideal_cm: ideal,
                        tol_cm: 0.5 * (r[1] - r[0]),
                        weight: 1.0,
                    },
                );
            }
            if let Some(g) = given {
                for (d, v) in g {
                    if dims.contains_key(d) {
                        continue;
                    }
                    let Some(ideal) = ideal_ease_cm(*d, p.category, p.fit, p.fabric.kind) else {
                        continue;
                    };
                    let tol = if d.is_girth() {
                        DEFAULT_GIRTH_TOL_CM
                    } else {
                        DEFAULT_LENGTH_TOL_CM
                    };
                    dims.insert(
                        *d,
                        DimSpec {
                            dim: *d,
                            garment_cm: *v,
                            ideal_cm: ideal,
                            tol_cm: tol,
                            weight: SECONDARY_WEIGHT,
                        },
                    );
                }
            }
            let _ = i;
            specs.push(dims.into_values().collect());
        }
        // Chart dimensions the analysis cannot express as garment ease (e.g. neck on a
        // T-shirt) still select the size through the chart rule.
        let chart_only = p
            .chart
            .dims()
            .into_iter()
            .filter(|m| {
                GarmentDim::for_measure(*m)
                    .and_then(|d| ideal_ease_cm(d, p.category, p.fit, p.fabric.kind))
                    .is_none()
            })
            .map(|m| (m, ranges_of(&p.chart, m)))
            .collect();
        FitModel {
            labels: p.chart.sizes.iter().map(|s| s.label.clone()).collect(),
            category: p.category,
            sex: p.sex,
            stretch_across_pct: p.fabric.stretch_across_pct,
            stretch_along_pct: p.fabric.stretch_along_pct,
            specs,
            chart_only,
        }
    }

    /// A model that is the size chart alone: the misfit is exactly the chart rule's
    /// distance (used by `eval-sizes`).
    pub fn from_chart(chart: &SizeChart) -> FitModel {
        FitModel {
            labels: chart.sizes.iter().map(|s| s.label.clone()).collect(),
            category: Category::Top,
            sex: chart.sex,
            stretch_across_pct: 0.0,
            stretch_along_pct: 0.0,
            specs: vec![Vec::new(); chart.sizes.len()],
            chart_only: chart
                .dims()
                .into_iter()
                .map(|m| (m, ranges_of(chart, m)))
                .collect(),
        }
    }

    /// Body measures that select the size (chart dimensions and assessed regions).
    pub fn control_measures(&self) -> Vec<Measure> {
        let mut v: Vec<Measure> = self
            .specs
            .iter()
            .flatten()
            .filter_map(|s| s.dim.body_measure())
            .chain(self.chart_only.iter().map(|(m, _)| *m))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Size labels, smallest first.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Misfit of size `i` on `body` under `pref`: sum over regions of how far the ease is
    /// outside target ± tolerance (cm), secondary regions down-weighted. With garment
    /// values derived from the chart and regular preference this equals the chart rule's
    /// distance.
    pub fn misfit(&self, i: usize, body: &MeasureValues, pref: FitPreference) -> f64 {
        let mut cost = 0.0;
        let height = body[measure_index(Measure::Height)];
        for s in self.specs.get(i).map_or(&[][..], Vec::as_slice) {
            let Some(b) = self.body_value(s.dim, body, height) else {
                continue;
            };
            let target = s.ideal_cm + pref.shift() * s.tol_cm;
            let dev = (s.garment_cm - b) - target;
            cost += s.weight * (dev.abs() - s.tol_cm).max(0.0);
        }
        for (m, ranges) in &self.chart_only {
            let Some(r) = ranges.get(i) else { continue };
            let x = body[measure_index(*m)];
            if x.is_nan() {
                continue;
            }
            // Preference: treat the body as half a size smaller (snug) or larger (loose).
            let x = x - pref.shift() * 0.5 * (r[1] - r[0]);
            cost += doppel_garment::chart::range_distance(x, *r);
        }
        cost
    }

    /// The size with least misfit (ties → the larger size, as in the chart rule).
    pub fn best_size(&self, body: &MeasureValues, pref: FitPreference) -> usize {
        let mut best = (0, f64::INFINITY);
        for i in 0..self.labels.len() {
            let c = self.misfit(i, body, pref);
            if c <= best.1 {
                best = (i, c);
            }
        }
        best.0
    }

    fn body_value(&self, d: GarmentDim, body: &MeasureValues, height: f64) -> Option<f64> {
        let v = match d.body_measure() {
            Some(m) => body[measure_index(m)],
            None => reference_length_cm(self.category, self.sex, height)?,
        };
        // Short sleeves and cropped legs are not meant to reach the wrist or ankle.
        (!v.is_nan()).then_some(v)
    }

    /// Full fit analysis of size `i` on `body` (verdicts relative to the cut's intent).
    pub fn analyse(&self, i: usize, body: &MeasureValues, pref: FitPreference) -> FitAnalysis {
        let label = self.labels.get(i).cloned().unwrap_or_default();
        let height = body[measure_index(Measure::Height)];
        let mut regions = Vec::new();
        for s in self.specs.get(i).map_or(&[][..], Vec::as_slice) {
            let Some(b) = self.body_value(s.dim, body, height) else {
                continue;
            };
            if matches!(s.dim, GarmentDim::Sleeve | GarmentDim::Inseam) && s.garment_cm < 0.75 * b {
                continue; // short sleeve / shorts: length is a design choice.
            }
            let ease = s.garment_cm - b;
            let stretch = if s.dim.is_girth() || s.dim == GarmentDim::Shoulder {
                self.stretch_across_pct
            } else {
                self.stretch_along_pct
            };
            let stretches = s.dim.is_girth() || s.dim == GarmentDim::Shoulder;
            // Lengths do not stretch to fit: a short sleeve is short, not strained.
            let strain = if stretches && ease < 0.0 && s.garment_cm > 0.0 {
                -ease / s.garment_cm * 100.0
            } else {
                0.0
            };
            let mut dev = ease - s.ideal_cm;
            if dev < 0.0 {
                // Stretch absorbs part of a negative deviation.
                dev = (dev + COMFORT_STRETCH_FRACTION * stretch / 100.0 * s.garment_cm).min(0.0);
            }
            let tol = s.tol_cm.max(0.5);
            let verdict = if (stretches && strain > stretch.max(1.0)) || dev < -2.0 * tol {
                Verdict::TooTight
            } else if dev < -tol {
                Verdict::Snug
            } else if dev <= tol {
                Verdict::Good
            } else if dev <= 3.0 * tol {
                Verdict::Relaxed
            } else {
                Verdict::TooLoose
            };
            regions.push(RegionFit {
                size: label.clone(),
                region: Region::of(s.dim),
                body_cm: round1(b),
                garment_cm: round1(s.garment_cm),
                ease_cm: round1(ease),
                ideal_ease_cm: round1(s.ideal_cm),
                strain_pct: round1(strain),
                verdict,
            });
        }
        FitAnalysis {
            size: label,
            regions,
            misfit: self.misfit(i, body, pref),
            vertex_strain: Vec::new(),
        }
    }
}

fn ranges_of(chart: &SizeChart, m: Measure) -> Vec<[f64; 2]> {
    chart
        .sizes
        .iter()
        .map(|s| {
            s.ranges_cm
                .get(&m)
                .copied()
                .unwrap_or([f64::NEG_INFINITY, f64::INFINITY])
        })
        .collect()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use doppel_garment::catalog::{Fabric, FabricKind, FitIntent, Names, ProductSize};
    use doppel_garment::chart::measure_values;

    pub fn chart() -> SizeChart {
        SizeChart::from_json(
            r#"{"name": "t", "sex": "male", "sizes": [
            {"label": "S", "ranges_cm": {"chest": [88, 96], "waist": [76, 84]}},
            {"label": "M", "ranges_cm": {"chest": [96, 104], "waist": [84, 92]}},
            {"label": "L", "ranges_cm": {"chest": [104, 112], "waist": [92, 100]}}]}"#,
        )
        .expect("test chart is valid")
    }

    pub fn product(kind: FabricKind, stretch: f64, garment: bool) -> Product {
        let c = chart();
        let sizes = c
            .sizes
            .iter()
            .map(|s| ProductSize {
                label: s.label.clone(),
                garment_cm: if garment {
                    let mid =
                        0.5 * (s.ranges_cm[&Measure::Chest][0] + s.ranges_cm[&Measure::Chest][1]);
                    [(GarmentDim::Chest, mid + 6.0), (GarmentDim::Sleeve, 64.0)]
                        .into_iter()
                        .collect()
                } else {
                    BTreeMap::new()
                },
                mesh: None,
            })
            .collect();
        Product {
            id: "tee".into(),
            name: Names {
                de: "T".into(),
                en: "T".into(),
            },
            category: Category::Top,
            sex: Sex::Male,
            fabric: Fabric {
                kind,
                stretch_across_pct: stretch,
                stretch_along_pct: stretch / 2.0,
                weight_gsm: 160.0,
            },
            fit: FitIntent::Regular,
            chart: c,
            sizes,
        }
    }

    fn body(chest: f64, waist: f64) -> MeasureValues {
        measure_values([
            (Measure::Height, 180.0),
            (Measure::Chest, chest),
            (Measure::Waist, waist),
            (Measure::Sleeve, 62.0),
        ])
    }

    #[test]
    fn chart_model_reproduces_chart_rule() {
        let c = chart();
        let m = FitModel::from_chart(&c);
        for chest in (80..120).step_by(3) {
            for waist in (70..105).step_by(4) {
                let b = body(chest as f64, waist as f64);
                assert_eq!(
                    Some(m.best_size(&b, FitPreference::Regular)),
                    c.true_size(&b),
                    "{chest} {waist}"
                );
                for i in 0..3 {
                    assert!(
                        (m.misfit(i, &b, FitPreference::Regular) - c.distance(i, &b)).abs() < 1e-9
                    );
                }
            }
        }
    }

    #[test]
    fn drape_strain_raises_region_strain_only() {
        let m = FitModel::from_product(&product(FabricKind::Knit, 20.0, false));
        let mut a = m.analyse(0, &body(100.0, 90.0), FitPreference::Regular);
        let before = a.clone();
        let chest = before
            .regions
            .iter()
            .find(|r| r.region == Region::Chest)
            .expect("chest assessed")
            .strain_pct;
        // More than the chart estimate at the chest, slack at the waist, a region the
        // analysis does not have (thigh) and a NaN: only the chest changes.
        a.apply_drape(
            &[0.02, -0.01],
            &[
                (Region::Chest, chest + 7.04),
                (Region::Waist, -3.0),
                (Region::Thigh, 50.0),
                (Region::Hip, f64::NAN),
            ],
        );
        assert_eq!(a.vertex_strain, vec![2.0, -1.0]);
        for (r, b) in a.regions.iter().zip(&before.regions) {
            if r.region == Region::Chest {
                assert!((r.strain_pct - round1(chest + 7.04)).abs() < 1e-9, "{r:?}");
            } else {
                assert_eq!(r.strain_pct, b.strain_pct, "{r:?}");
            }
            assert_eq!(r.verdict, b.verdict);
        }
        assert_eq!(a.regions.len(), before.regions.len());
    }

    #[test]
    fn derived_garments_reproduce_chart_rule() {
        let c = chart();
        let m = FitModel::from_product(&product(FabricKind::Woven, 2.0, false));
        for chest in (80..120).step_by(3) {
            let b = body(chest as f64, chest as f64 - 10.0);
            assert_eq!(
                Some(m.best_size(&b, FitPreference::Regular)),
                c.true_size(&b)
            );
        }
    }

    #[test]
    fn preference_shifts_size() {
        let m = FitModel::from_product(&product(FabricKind::Woven, 2.0, false));
        // Upper part of M: snug keeps M, loose goes to L.
        let b = body(102.0, 90.0);
        assert_eq!(m.best_size(&b, FitPreference::Regular), 1);
        assert_eq!(m.best_size(&b, FitPreference::Loose), 2);
        let b = body(98.0, 86.0);
        assert_eq!(m.best_size(&b, FitPreference::Snug), 0);
        assert_eq!(m.best_size(&b, FitPreference::Regular), 1);
    }

    #[test]
    fn verdicts_follow_ease_and_stretch() {
        let woven = FitModel::from_product(&product(FabricKind::Woven, 2.0, true));
        // Garment chest of S = 92 + 6 = 98; regular woven ideal ease 10, tol 4.
        let chest = |a: &FitAnalysis| {
            a.regions
                .iter()
                .find(|r| r.region == Region::Chest)
                .cloned()
                .expect("chest assessed")
        };
        let small = chest(&woven.analyse(0, &body(104.0, 88.0), FitPreference::Regular));
        assert_eq!(small.ease_cm, -6.0);
        assert!(
            small.strain_pct > 6.0 && small.strain_pct < 6.2,
            "{small:?}"
        );
        assert_eq!(small.verdict, Verdict::TooTight);
        let big = chest(&woven.analyse(2, &body(90.0, 80.0), FitPreference::Regular));
        assert_eq!(big.verdict, Verdict::TooLoose);
        let good = chest(&woven.analyse(1, &body(100.0 - 4.0, 86.0), FitPreference::Regular));
        assert_eq!(good.verdict, Verdict::Good, "{good:?}");
        // The same negative ease in a 30 % stretch knit is only snug.
        let knit = FitModel::from_product(&product(FabricKind::Knit, 30.0, true));
        let k = chest(&knit.analyse(0, &body(99.0, 88.0), FitPreference::Regular));
        assert!(matches!(k.verdict, Verdict::Snug | Verdict::Good), "{k:?}");
        let w = chest(&woven.analyse(0, &body(99.0, 88.0), FitPreference::Regular));
        assert!(w.verdict < k.verdict, "{w:?} vs {k:?}");
    }

    #[test]
    fn sleeve_assessed_only_for_long_sleeves() {
        let m = FitModel::from_product(&product(FabricKind::Woven, 2.0, true));
        let a = m.analyse(1, &body(100.0, 88.0), FitPreference::Regular);
        let s = a
            .regions
            .iter()
            .find(|r| r.region == Region::Sleeve)
            .expect("sleeve 64 on arm 62 is assessed");
        assert_eq!(s.ease_cm, 2.0);
        assert_eq!(s.verdict, Verdict::Good);
    }
}
