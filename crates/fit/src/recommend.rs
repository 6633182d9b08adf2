//! Size recommendation: the probability of every size under the body's predictive
//! distribution, the recommended size, confidence, runner-up and an honest explanation.
//!
//! P(size s) is the share of Monte Carlo body draws (correlated, from
//! [`doppel_body::Prediction::sample`], supplied values fixed) for which `s` has the least
//! misfit ([`FitModel::best_size`]). The recommended size is the most probable one, which
//! maximises the expected chance of being right; its probability is the confidence, so
//! confidence is calibrated exactly as far as the predictive distribution is.

use crate::analysis::{FitAnalysis, FitModel, FitPreference, Region, RegionFit, Verdict};
use doppel_body::{Measure, Prediction, Sex};
use doppel_garment::chart::{MeasureValues, measure_values};
use serde::Serialize;
use serde::ser::SerializeMap;

/// Default number of Monte Carlo draws (probabilities to about ±1 percentage point).
pub const DEFAULT_SAMPLES: usize = 2000;
/// Default seed: recommendations are deterministic.
pub const DEFAULT_SEED: u64 = 0x5EED_D0BE;

/// Size probabilities in chart order (serialises as a JSON object in that order).
#[derive(Debug, Clone, PartialEq)]
pub struct Probabilities(pub Vec<(String, f64)>);

impl Serialize for Probabilities {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// German and English text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// German.
    pub de: String,
    /// English.
    pub en: String,
}

/// A size recommendation (the CLI `recommend` JSON contract).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// Recommended size label.
    pub size: String,
    /// Probability that the recommended size is the best fit.
    pub confidence: f64,
    /// Second most probable size, if any has probability > 0.
    pub runner_up: Option<String>,
    /// Probability of every size, smallest first.
    pub probabilities: Probabilities,
    /// Region fits of every size on the central body estimate.
    pub regions: Vec<RegionFit>,
    /// Short explanation.
    pub explanation: Explanation,
}

/// Turns a [`Prediction`] into the central body (medians) and `n` seeded draws.
pub fn body_samples(pred: &Prediction, n: usize, seed: u64) -> (MeasureValues, Vec<MeasureValues>) {
    let central = measure_values(pred.mean_cm.iter().map(|(m, v)| (*m, *v)));
    let draws = pred
        .sample(n, seed)
        .into_iter()
        .map(measure_values)
        .collect();
    (central, draws)
}

/// Probability of each size being the best fit, over `draws` (uniform weights).
pub fn size_probabilities(
    model: &FitModel,
    draws: &[MeasureValues],
    pref: FitPreference,
) -> Vec<f64> {
    let n = model.labels().len();
    let mut counts = vec![0usize; n];
    for d in draws {
        counts[model.best_size(d, pref)] += 1;
    }
    let total = draws.len().max(1) as f64;
    counts.iter().map(|&c| c as f64 / total).collect()
}

/// Index of the most probable size (ties → larger, as in the chart rule).
pub fn argmax(p: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in p.iter().enumerate() {
        if x >= p[best] {
            best = i;
        }
    }
    best
}

/// The size that maximises the chance of being at most one size off: the centre of the
/// most probable run of 3 neighbouring sizes (a tie goes to the more probable centre,
/// then to the larger size).
pub fn within_one_choice(p: &[f64]) -> usize {
    let window = |c: usize| -> f64 { p.iter().take(c + 2).skip(c.saturating_sub(1)).sum() };
    let mut best = 0;
    for c in 0..p.len() {
        let (w, wb) = (window(c), window(best));
        if w > wb + 1e-12 || ((w - wb).abs() <= 1e-12 && p[c] >= p[best]) {
            best = c;
        }
    }
    best
}

/// Recommends a size. `central` is the body's central estimate (for the region
/// report), `draws` the Monte Carlo draws, `supplied` the measures the shopper gave (for
/// the explanation's advice).
pub fn recommend(
    model: &FitModel,
    central: &MeasureValues,
    draws: &[MeasureValues],
    pref: FitPreference,
    sex: Sex,
    supplied: &[Measure],
) -> Recommendation {
    let p = if draws.is_empty() {
        let mut p = vec![0.0; model.labels().len()];
        if let Some(x) = p.get_mut(model.best_size(central, pref)) {
            *x = 1.0;
        }
        p
    } else {
        size_probabilities(model, draws, pref)
    };
    let best = argmax(&p);
    let runner = (0..p.len())
        .filter(|&i| i != best && p[i] > 0.0)
        .max_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let analyses: Vec<FitAnalysis> = (0..p.len())
        .map(|i| model.analyse(i, central, pref))
        .collect();
    let controls = model.control_measures();
    let explanation = explain(
        &analyses,
        &p,
        best,
        runner,
        sex,
        supplied,
        &controls,
        model.labels(),
    );
    Recommendation {
        size: model.labels().get(best).cloned().unwrap_or_default(),
        confidence: round3(p.get(best).copied().unwrap_or(0.0)),
        runner_up: runner.and_then(|i| model.labels().get(i).cloned()),
        probabilities: Probabilities(
            model
                .labels()
                .iter()
                .cloned()
                .zip(p.iter().map(|&x| round3(x)))
                .collect(),
        ),
        regions: analyses.into_iter().flat_map(|a| a.regions).collect(),
        explanation,
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn region_en(r: Region, sex: Sex) -> &'static str {
    match r {
        Region::Shoulders => "shoulders",
        Region::Chest if sex == Sex::Female => "bust",
        Region::Chest => "chest",
        Region::Waist => "waist",
        Region::Hip => "hips",
        Region::Thigh => "thighs",
        Region::Neck => "collar",
        Region::Length => "length",
        Region::Sleeve => "sleeves",
        Region::Inseam => "leg length",
    }
}

fn region_de(r: Region, sex: Sex) -> &'static str {
    match r {
        Region::Shoulders => "an den Schultern",
        Region::Chest if sex == Sex::Female => "an der Brust",
        Region::Chest => "an der Brust",
        Region::Waist => "an der Taille",
        Region::Hip => "an der Hüfte",
        Region::Thigh => "an den Oberschenkeln",
        Region::Neck => "am Kragen",
        Region::Length => "in der Länge",
        Region::Sleeve => "an den Ärmeln",
        Region::Inseam => "in der Beinlänge",
    }
}

fn phrase_en(f: &RegionFit, sex: Sex) -> String {
    let r = region_en(f.region, sex);
    if f.region.is_length() {
        let w = match f.verdict {
            Verdict::TooTight => "too short",
            Verdict::Snug => "a little short",
            Verdict::Good => "right",
            Verdict::Relaxed => "a little long",
            Verdict::TooLoose => "too long",
        };
        return format!("{r} {w}");
    }
    match f.verdict {
        Verdict::TooTight => format!("too tight at the {r}"),
        Verdict::Snug => format!("snug at the {r}"),
        Verdict::Good => format!("fits the {r}"),
        Verdict::Relaxed => format!("relaxed at the {r}"),
        Verdict::TooLoose => format!("too loose at the {r}"),
    }
}

fn phrase_de(f: &RegionFit, sex: Sex) -> String {
    let r = region_de(f.region, sex);
    let w = if f.region.is_length() {
        match f.verdict {
            Verdict::TooTight => "zu kurz",
            Verdict::Snug => "etwas kurz",
            Verdict::Good => "passend",
            Verdict::Relaxed => "etwas lang",
            Verdict::TooLoose => "zu lang",
        }
    } else {
        match f.verdict {
            Verdict::TooTight => "zu eng",
            Verdict::Snug => "knapp",
            Verdict::Good => "passend",
            Verdict::Relaxed => "locker",
            Verdict::TooLoose => "zu weit",
        }
    };
    format!("{w} {r}")
}

/// Describes one size: its non-"good" regions, or that it fits everywhere assessed.
fn describe(a: &FitAnalysis, sex: Sex) -> (String, String) {
    let off: Vec<&RegionFit> = a
        .regions
        .iter()
        .filter(|r| r.verdict != Verdict::Good)
        .collect();
    if a.regions.is_empty() {
        return (
            "no garment measurements to compare".into(),
            "keine Maße zum Vergleich".into(),
        );
    }
    if off.is_empty() {
        return ("fits everywhere".into(), "passt überall".into());
    }
    let en = off.iter().map(|r| phrase_en(r, sex)).collect::<Vec<_>>();
    let de = off.iter().map(|r| phrase_de(r, sex)).collect::<Vec<_>>();
    // Mention one region that does fit, for contrast ("L: fits the hip, loose at the waist").
    let good = a.regions.iter().find(|r| r.verdict == Verdict::Good);
    let (mut en, mut de) = (en, de);
    if let Some(g) = good {
        en.insert(0, phrase_en(g, sex));
        de.insert(0, phrase_de(g, sex));
    }
    (en.join(", "), de.join(", "))
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[&str], and: &str) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} {and} {last}", rest.join(", ")),
    }
}

#[allow(clippy::too_many_arguments)]
fn explain(
    analyses: &[FitAnalysis],
    p: &[f64],
    best: usize,
    runner: Option<usize>,
    sex: Sex,
    supplied: &[Measure],
    controls: &[Measure],
    labels: &[String],
) -> Explanation {
    let pct = |i: usize| (p.get(i).copied().unwrap_or(0.0) * 100.0).round();
    let mut en = Vec::new();
    let mut de = Vec::new();
    for i in std::iter::once(best).chain(runner) {
        let Some(a) = analyses.get(i) else { continue };
        let (e, d) = describe(a, sex);
        let l = labels.get(i).map(String::as_str).unwrap_or("?");
        en.push(format!("{l} ({:.0} %): {e}", pct(i)));
        de.push(format!("{l} ({:.0} %): {d}", pct(i)));
    }
    let mut en = en.join("; ");
    let mut de = de.join("; ");
    let conf = p.get(best).copied().unwrap_or(0.0);
    if conf < 0.6 {
        let missing: Vec<&str> = [Measure::Chest, Measure::Waist, Measure::Hip]
            .into_iter()
            .filter(|m| controls.contains(m) && !supplied.contains(m))
            .map(|m| match (m, sex) {
                (Measure::Chest, Sex::Female) => "bust",
                _ => m.key(),
            })
            .collect();
        if missing.is_empty() {
            en.push_str(". You are between sizes.");
            de.push_str(". Sie liegen zwischen zwei Größen.");
        } else {
            en.push_str(&format!(
                ". Not certain: estimated from your height and weight; measuring your {} would make it surer.",
                join_and(&missing, "and")
            ));
            let de_names: Vec<&str> = missing
                .iter()
                .map(|m| match *m {
                    "bust" | "chest" => "Brust",
                    "waist" => "Taille",
                    _ => "Hüfte",
                })
                .collect();
            de.push_str(&format!(
                ". Nicht sicher: aus Größe und Gewicht geschätzt; Ihr Maß für {} würde helfen.",
                join_and(&de_names, "und")
            ));
        }
    }
    Explanation { de, en }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tests::{chart, product};
    use doppel_body::BodyInput;
    use doppel_garment::catalog::FabricKind;

    #[test]
    fn within_one_choice_is_the_centre_of_the_heaviest_window() {
        // argmax is size 0, but sizes 2..=4 hold 0.6 around size 3.
        let p = [0.4, 0.0, 0.2, 0.2, 0.2];
        assert_eq!(argmax(&p), 0);
        assert_eq!(within_one_choice(&p), 3);
        // Windows {0,1,2} and {1,2,3} both hold everything: the more probable centre.
        assert_eq!(within_one_choice(&[0.0, 0.3, 0.7, 0.0]), 2);
        assert_eq!(within_one_choice(&[1.0]), 0);
    }

    #[test]
    fn probabilities_sum_to_one_and_follow_the_body() {
        let m = FitModel::from_chart(&chart());
        let draws: Vec<MeasureValues> = (0..100)
            .map(|i| {
                measure_values([
                    (Measure::Chest, 97.0 + 0.1 * i as f64),
                    (Measure::Waist, 85.0),
                ])
            })
            .collect();
        let p = size_probabilities(&m, &draws, FitPreference::Regular);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(argmax(&p), 1);
        assert_eq!(argmax(&[0.4, 0.4, 0.2]), 1, "ties go to the larger size");
    }

    #[test]
    fn recommends_from_a_real_prediction() {
        let p = product(FabricKind::Knit, 20.0, true);
        let m = FitModel::from_product(&p);
        let input = BodyInput::new(
            Sex::Male,
            178.0,
            72.0,
            Some(30.0),
            [(Measure::Chest, 100.0)],
        )
        .expect("valid input");
        let pred = doppel_body::predict(&input).expect("prediction");
        let (central, draws) = body_samples(&pred, 500, 7);
        let r = recommend(
            &m,
            &central,
            &draws,
            FitPreference::Regular,
            Sex::Male,
            &[Measure::Chest],
        );
        let total: f64 = r.probabilities.0.iter().map(|(_, p)| p).sum();
        assert!((total - 1.0).abs() < 0.01, "{r:?}");
        // Chest 100 is the middle of M; the waist is predicted around 85 (in M too).
        assert_eq!(r.size, "M", "{r:?}");
        assert!(r.confidence > 0.5);
        assert!(r.explanation.en.starts_with("M ("), "{}", r.explanation.en);
        assert!(r.explanation.de.starts_with("M ("), "{}", r.explanation.de);
        // Regions for every size; the same input gives the same answer (seeded).
        assert!(r.regions.iter().any(|x| x.size == "S") && r.regions.iter().any(|x| x.size == "L"));
        let again = recommend(
            &m,
            &central,
            &draws,
            FitPreference::Regular,
            Sex::Male,
            &[Measure::Chest],
        );
        assert_eq!(r, again);
        // Preference moves the recommendation the right way (never the wrong way).
        let snug = recommend(&m, &central, &draws, FitPreference::Snug, Sex::Male, &[]);
        let loose = recommend(&m, &central, &draws, FitPreference::Loose, Sex::Male, &[]);
        let idx = |s: &str| m.labels().iter().position(|l| l == s).unwrap_or(99);
        assert!(idx(&snug.size) <= idx(&r.size) && idx(&r.size) <= idx(&loose.size));
        let json = serde_json::to_string(&r.probabilities).unwrap_or_default();
        assert!(json.find("\"S\"") < json.find("\"M\"") && json.find("\"M\"") < json.find("\"L\""));
    }
}
