//! Body size charts: per size label, ranges in cm of body measurements (ISO 8559-2 style).
//!
//! Stand-alone file format (also embedded as `chart` in a catalog product):
//!
//! ```json
//! {"name": "Men's tops", "sex": "male",
//!  "sizes": [{"label": "M", "ranges_cm": {"chest": [96, 104], "waist": [84, 92]}}, …]}
//! ```
//!
//! Keys are [`Measure`] keys (`Measure::from_key`, so `bust` means chest). Sizes are
//! listed from smallest to largest. Neighbouring sizes must neither overlap nor leave a
//! gap in any dimension: a range's upper bound is the next range's lower bound. Charts
//! written in whole centimetres (`88–95`, `96–103`) are accepted: gaps up to
//! [`GAP_TOLERANCE_CM`] are treated as rounding.

use crate::problem::{Problem, Problems, json};
use doppel_body::{Measure, Sex};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Largest gap between neighbouring ranges treated as rounding of a whole-cm chart.
pub const GAP_TOLERANCE_CM: f64 = 1.0;
/// Overlaps up to this are treated as rounding (shared bounds written twice).
pub const OVERLAP_TOLERANCE_CM: f64 = 0.05;
/// Most sizes a chart may have.
pub const MAX_SIZES: usize = 64;
/// Longest size label, in characters.
pub const MAX_LABEL_CHARS: usize = 32;
/// Bounds any chart range must lie within, in cm.
pub const RANGE_LIMITS_CM: (f64, f64) = (0.0, 300.0);

/// Number of [`Measure`]s; body values are passed as arrays indexed by [`measure_index`].
pub const N_MEASURES: usize = Measure::ALL.len();

/// Body measurement values indexed by [`measure_index`]; `NaN` where unknown.
pub type MeasureValues = [f64; N_MEASURES];

/// Position of `m` in [`Measure::ALL`] (the index into [`MeasureValues`]).
pub fn measure_index(m: Measure) -> usize {
    // Measure is a field-less enum declared in the same order as Measure::ALL.
    m as usize
}

/// Builds [`MeasureValues`] from `(measure, cm)` pairs; the rest is `NaN`.
pub fn measure_values(pairs: impl IntoIterator<Item = (Measure, f64)>) -> MeasureValues {
    let mut v = [f64::NAN; N_MEASURES];
    for (m, x) in pairs {
        v[measure_index(m)] = x;
    }
    v
}

/// One size of a chart: its label and body ranges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartSize {
    /// Size label as printed on the garment (`M`, `38`, `W32`).
    pub label: String,
    /// Body ranges `[min, max]` in cm per measure.
    pub ranges_cm: BTreeMap<Measure, [f64; 2]>,
}

/// A validated body size chart. Construct with [`SizeChart::from_json`] or
/// [`SizeChart::from_value`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizeChart {
    /// Human-readable name.
    pub name: String,
    /// Body the chart is made for.
    pub sex: Sex,
    /// Sizes from smallest to largest.
    pub sizes: Vec<ChartSize>,
}

impl SizeChart {
    /// Parses and validates chart JSON, returning every problem found.
    pub fn from_json(text: &str) -> Result<SizeChart, Problems> {
        let v = json::parse(text, "chart").map_err(|p| Problems(vec![p]))?;
        let mut problems = Vec::new();
        let chart = Self::from_value(&v, "", &mut problems);
        match chart {
            Some(c) if problems.is_empty() => Ok(c),
            _ => {
                if problems.is_empty() {
                    problems.push(Problem::new("chart", "invalid chart"));
                }
                Err(Problems(problems))
            }
        }
    }

    /// Reads a chart from untyped JSON at `path`, pushing every problem to `out`.
    /// Returns a chart whenever its structure could be read (even with gap/overlap
    /// problems, so that callers can still report on it).
    pub fn from_value(v: &Value, path: &str, out: &mut Vec<Problem>) -> Option<SizeChart> {
        let Some(obj) = v.as_object() else {
            out.push(Problem::new(
                if path.is_empty() { "chart" } else { path },
                "must be a JSON object with name, sex and sizes",
            ));
            return None;
        };
        json::unknown_keys(obj, &["name", "sex", "sizes"], path, out);
        let name = json::string(obj, "name", path, 200, out);
        let sex = match obj.get("sex") {
            Some(Value::String(s)) if s == "male" || s == "female" => s.parse::<Sex>().ok(),
            Some(_) => {
                out.push(Problem::new(
                    json::join(path, "sex"),
                    "must be \"male\" or \"female\"",
                ));
                None
            }
            None => {
                out.push(Problem::new(json::join(path, "sex"), "is missing"));
                None
            }
        };
        let sizes_path = json::join(path, "sizes");
        let mut sizes = Vec::new();
        let mut structure_ok = true;
        match obj.get("sizes") {
            Some(Value::Array(items)) if !items.is_empty() && items.len() <= MAX_SIZES => {
                for (i, item) in items.iter().enumerate() {
                    match read_size(item, &format!("{sizes_path}[{i}]"), out) {
                        Some(s) => sizes.push(s),
                        None => structure_ok = false,
                    }
                }
            }
            Some(Value::Array(_)) => {
                out.push(Problem::new(
                    &sizes_path,
                    format!("must list between 1 and {MAX_SIZES} sizes"),
                ));
                structure_ok = false;
            }
            Some(_) => {
                out.push(Problem::new(&sizes_path, "must be an array of sizes"));
                structure_ok = false;
            }
            None => {
                out.push(Problem::new(&sizes_path, "is missing"));
                structure_ok = false;
            }
        }
        let chart = SizeChart {
            name: name?,
            sex: sex?,
            sizes,
        };
        if !structure_ok {
            return None;
        }
        out.extend(chart.grading_problems().into_iter().map(|p| p.under(path)));
        Some(chart)
    }

    /// Problems in the grading: duplicate labels, dimensions missing in some sizes,
    /// sizes out of order, gaps and overlaps between neighbouring sizes.
    pub fn grading_problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        for (i, s) in self.sizes.iter().enumerate() {
            if self.sizes[..i].iter().any(|o| o.label == s.label) {
                out.push(
                    Problem::new(format!("sizes[{i}].label"), "duplicate size label")
                        .in_size(&s.label),
                );
            }
        }
        for m in self.dims() {
            for (i, s) in self.sizes.iter().enumerate() {
                if !s.ranges_cm.contains_key(&m) {
                    out.push(
                        Problem::new(
                            format!("sizes[{i}].ranges_cm.{}", m.key()),
                            "missing: every size must give the same dimensions as the others",
                        )
                        .in_size(&s.label),
                    );
                }
            }
        }
        for gap in self.neighbour_issues() {
            let field = format!("sizes[{}].ranges_cm.{}", gap.upper_index, gap.measure.key());
            let msg = match gap.kind {
                NeighbourIssueKind::Gap => format!(
                    "gap of {:.1} cm after size {:?} (its range ends at {}, this one starts at {})",
                    gap.amount_cm, gap.lower_label, gap.lower_end, gap.upper_start
                ),
                NeighbourIssueKind::Overlap => format!(
                    "overlaps size {:?} by {:.1} cm (its range ends at {}, this one starts at {})",
                    gap.lower_label, gap.amount_cm, gap.lower_end, gap.upper_start
                ),
                NeighbourIssueKind::Descending => format!(
                    "sizes must be listed smallest first, but this range {}–{} is below size {:?}",
                    gap.upper_start, gap.upper_end, gap.lower_label
                ),
            };
            out.push(Problem::new(field, msg).in_size(&gap.upper_label));
        }
        out
    }

    /// Every dimension used by any size, in [`Measure`] order.
    pub fn dims(&self) -> Vec<Measure> {
        let mut d: Vec<Measure> = self
            .sizes
            .iter()
            .flat_map(|s| s.ranges_cm.keys().copied())
            .collect();
        d.sort();
        d.dedup();
        d
    }

    /// Gaps, overlaps and ordering errors between neighbouring sizes, per dimension.
    pub fn neighbour_issues(&self) -> Vec<NeighbourIssue> {
        let mut out = Vec::new();
        for m in self.dims() {
            // Neighbours in this dimension: consecutive sizes that both give it.
            let present: Vec<(usize, [f64; 2])> = self
                .sizes
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.ranges_cm.get(&m).map(|r| (i, *r)))
                .collect();
            for w in present.windows(2) {
                let ((li, lr), (ui, ur)) = (w[0], w[1]);
                let base = |kind, amount_cm| NeighbourIssue {
                    measure: m,
                    kind,
                    amount_cm,
                    lower_index: li,
                    upper_index: ui,
                    lower_label: self.sizes[li].label.clone(),
                    upper_label: self.sizes[ui].label.clone(),
                    lower_end: lr[1],
                    upper_start: ur[0],
                    upper_end: ur[1],
                };
                if ur[0] < lr[0] || ur[1] < lr[1] {
                    out.push(base(NeighbourIssueKind::Descending, lr[0] - ur[0]));
                } else if ur[0] - lr[1] > GAP_TOLERANCE_CM {
                    out.push(base(NeighbourIssueKind::Gap, ur[0] - lr[1]));
                } else if lr[1] - ur[0] > OVERLAP_TOLERANCE_CM {
                    out.push(base(NeighbourIssueKind::Overlap, lr[1] - ur[0]));
                }
            }
        }
        out
    }

    /// Sum over the chart's dimensions of the distance from `body` to size `i`'s range
    /// (0 inside). Unknown (`NaN`) body values are skipped.
    pub fn distance(&self, i: usize, body: &MeasureValues) -> f64 {
        self.sizes.get(i).map_or(f64::INFINITY, |s| {
            s.ranges_cm
                .iter()
                .map(|(m, r)| range_distance(body[measure_index(*m)], *r))
                .sum()
        })
    }

    /// The chart's size for a body: the label minimising [`SizeChart::distance`]; on a
    /// tie the larger size. `None` for an empty chart.
    pub fn true_size(&self, body: &MeasureValues) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for i in 0..self.sizes.len() {
            let d = self.distance(i, body);
            // `<=` so that a later (larger) size wins a tie.
            if best.is_none_or(|(_, bd)| d <= bd) {
                best = Some((i, d));
            }
        }
        best.map(|(i, _)| i)
    }

    /// Index of the size with `label`.
    pub fn index_of(&self, label: &str) -> Option<usize> {
        self.sizes.iter().position(|s| s.label == label)
    }
}

/// Distance from `x` to the interval `[lo, hi]` (0 inside; 0 for unknown `x`).
pub fn range_distance(x: f64, [lo, hi]: [f64; 2]) -> f64 {
    if x.is_nan() {
        0.0
    } else if x < lo {
        lo - x
    } else if x > hi {
        x - hi
    } else {
        0.0
    }
}

/// Kind of a [`NeighbourIssue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NeighbourIssueKind {
    /// Bodies between the two ranges fit neither size.
    Gap,
    /// Bodies in the shared part fit both sizes.
    Overlap,
    /// The larger size's range lies below the smaller one's.
    Descending,
}

/// A gap, overlap or ordering error between two neighbouring sizes in one dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeighbourIssue {
    /// The dimension.
    pub measure: Measure,
    /// What is wrong.
    pub kind: NeighbourIssueKind,
    /// Size of the gap or overlap in cm.
    pub amount_cm: f64,
    /// Index of the smaller size.
    pub lower_index: usize,
    /// Index of the larger size.
    pub upper_index: usize,
    /// Label of the smaller size.
    pub lower_label: String,
    /// Label of the larger size.
    pub upper_label: String,
    /// Upper bound of the smaller size's range.
    pub lower_end: f64,
    /// Lower bound of the larger size's range.
    pub upper_start: f64,
    /// Upper bound of the larger size's range.
    pub upper_end: f64,
}

fn read_size(v: &Value, path: &str, out: &mut Vec<Problem>) -> Option<ChartSize> {
    let Some(obj) = v.as_object() else {
        out.push(Problem::new(
            path,
            "must be an object with label and ranges_cm",
        ));
        return None;
    };
    let before = out.len();
    json::unknown_keys(obj, &["label", "ranges_cm"], path, out);
    let label = json::string(obj, "label", path, MAX_LABEL_CHARS, out);
    let rpath = json::join(path, "ranges_cm");
    let mut ranges = BTreeMap::new();
    match obj.get("ranges_cm") {
        Some(Value::Object(r)) if !r.is_empty() => {
            for (k, rv) in r {
                let field = json::join(&rpath, k);
                let Some(m) = Measure::from_key(k) else {
                    out.push(Problem::new(
                        &field,
                        format!(
                            "unknown measurement key (known: {})",
                            Measure::ALL.map(|m| m.key()).join(", ")
                        ),
                    ));
                    continue;
                };
                if ranges.contains_key(&m) {
                    out.push(Problem::new(
                        &field,
                        format!("{} is given twice (bust and chest are the same)", m.key()),
                    ));
                    continue;
                }
                if let Some(r) = read_range(rv, &field, out) {
                    ranges.insert(m, r);
                }
            }
        }
        Some(Value::Object(_)) => out.push(Problem::new(&rpath, "must give at least one range")),
        Some(_) => out.push(Problem::new(
            &rpath,
            "must be an object of measurement ranges like {\"chest\": [96, 104]}",
        )),
        None => out.push(Problem::new(&rpath, "is missing")),
    }
    if let Some(l) = &label {
        for p in &mut out[before..] {
            p.size = Some(l.clone());
        }
    }
    if out.len() > before {
        return None;
    }
    Some(ChartSize {
        label: label?,
        ranges_cm: ranges,
    })
}

fn read_range(v: &Value, field: &str, out: &mut Vec<Problem>) -> Option<[f64; 2]> {
    let arr = match v.as_array() {
        Some(a) if a.len() == 2 => a,
        _ => {
            out.push(Problem::new(
                field,
                "must be a range [min, max] in cm, e.g. [96, 104]",
            ));
            return None;
        }
    };
    let lo = json::number_in(&arr[0], &format!("{field}[0]"), RANGE_LIMITS_CM, "cm", out);
    let hi = json::number_in(&arr[1], &format!("{field}[1]"), RANGE_LIMITS_CM, "cm", out);
    let (lo, hi) = (lo?, hi?);
    if lo >= hi {
        out.push(Problem::new(
            field,
            format!("range [{lo}, {hi}] must have min < max"),
        ));
        return None;
    }
    Some([lo, hi])
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"name": "t", "sex": "male", "sizes": [
        {"label": "S", "ranges_cm": {"chest": [88, 96], "waist": [76, 84]}},
        {"label": "M", "ranges_cm": {"chest": [96, 104], "waist": [84, 92]}},
        {"label": "L", "ranges_cm": {"chest": [104, 112], "waist": [92, 100]}}]}"#;

    fn body(chest: f64, waist: f64) -> MeasureValues {
        measure_values([(Measure::Chest, chest), (Measure::Waist, waist)])
    }

    #[test]
    fn parses_valid_chart() {
        let c = SizeChart::from_json(GOOD).unwrap();
        assert_eq!(c.sizes.len(), 3);
        assert_eq!(c.dims(), vec![Measure::Chest, Measure::Waist]);
        assert_eq!(c.sex, Sex::Male);
    }

    #[test]
    fn true_size_rule() {
        let c = SizeChart::from_json(GOOD).unwrap();
        assert_eq!(c.true_size(&body(100.0, 88.0)), Some(1));
        // Below everything: smallest. Above: largest.
        assert_eq!(c.true_size(&body(70.0, 60.0)), Some(0));
        assert_eq!(c.true_size(&body(130.0, 120.0)), Some(2));
        // Chest says M (L is 4 away), waist says L (M is 2 away): M wins 2 < 4.
        assert_eq!(c.true_size(&body(100.0, 94.0)), Some(1));
        // Chest 2 from L, waist 3 from M: L wins.
        assert_eq!(c.true_size(&body(102.0, 95.0)), Some(2));
        // Exactly on the shared bound: both distances 0, the larger size wins.
        assert_eq!(c.true_size(&body(104.0, 92.0)), Some(2));
        // Chest distance to M 2, waist distance to L 2 → tie → larger.
        assert_eq!(c.true_size(&body(106.0, 90.0)), Some(2));
    }

    #[test]
    fn reports_all_problems_with_context() {
        let bad = r#"{"name": "t", "sex": "x", "colour": 1, "sizes": [
            {"label": "S", "ranges_cm": {"chest": [88, 96], "shoe": [40, 42]}},
            {"label": "M", "ranges_cm": {"chest": [99, 104]}},
            {"label": "L", "ranges_cm": {"chest": [102, 112]}},
            {"label": "XL", "ranges_cm": {"chest": [120, 112]}}]}"#;
        let e = SizeChart::from_json(bad).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("sex"), "{text}");
        assert!(text.contains("colour: unknown field"), "{text}");
        assert!(text.contains("sizes[0].ranges_cm.shoe"), "{text}");
        assert!(text.contains("size \"S\""), "{text}");
        assert!(text.contains("min < max"), "{text}");
        assert!(e.0.len() >= 4, "{text}");
    }

    #[test]
    fn finds_gaps_and_overlaps() {
        let text = r#"{"name": "t", "sex": "female", "sizes": [
            {"label": "36", "ranges_cm": {"hip": [90, 93]}},
            {"label": "38", "ranges_cm": {"hip": [96, 99]}},
            {"label": "40", "ranges_cm": {"hip": [98, 102]}},
            {"label": "42", "ranges_cm": {"hip": [102.5, 105]}}]}"#;
        let e = SizeChart::from_json(text).unwrap_err();
        assert_eq!(e.0.len(), 2, "{e}");
        assert!(e.0[0].message.contains("gap of 3.0 cm"), "{e}");
        assert_eq!(e.0[0].size.as_deref(), Some("38"));
        assert!(
            e.0[1].message.contains("overlaps size \"38\" by 1.0 cm"),
            "{e}"
        );
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        for t in [
            "",
            "[]",
            "null",
            "{\"sizes\": 5}",
            "{\"name\":\"a\",\"sex\":\"male\",\"sizes\":[{\"label\":\"\",\"ranges_cm\":{\"chest\":[1e999,2]}}]}",
            "{\"name\":\"a\",\"sex\":\"male\",\"sizes\":[{\"label\":\"S\",\"ranges_cm\":{\"chest\":[\"a\",2]}}]}",
            &"[".repeat(10_000),
        ] {
            assert!(SizeChart::from_json(t).is_err());
        }
    }

    #[test]
    fn bust_alias_and_duplicates() {
        let t = r#"{"name": "t", "sex": "female", "sizes": [
            {"label": "S", "ranges_cm": {"bust": [80, 84], "chest": [80, 84]}}]}"#;
        let e = SizeChart::from_json(t).unwrap_err();
        assert!(e.to_string().contains("given twice"), "{e}");
    }
}
