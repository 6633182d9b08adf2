//! Body subcommands (`predict`, `eval-measurements`, `avatar`) and the shared body flags.

use crate::input_err;
use clap::{Args, Subcommand};
use doppel_body::ansur::{self, AnsurPerson};
use doppel_body::units::{inches_to_cm, pounds_to_kg};
use doppel_body::{BodyInput, Measure, Prediction, Sex, predict};
use std::path::{Path, PathBuf};

/// Body flags shared by every command that needs a body (`predict`, `avatar`,
/// `recommend`, `render`). Metric flags are the contract; imperial ones are a convenience.
#[derive(Args, Debug, Clone)]
pub struct BodyArgs {
    /// female or male.
    #[arg(long)]
    pub sex: String,
    /// Height in cm (120–220).
    #[arg(long, allow_negative_numbers = true)]
    pub height_cm: Option<f64>,
    /// Height in inches (alternative to --height-cm).
    #[arg(long, allow_negative_numbers = true)]
    pub height_in: Option<f64>,
    /// Weight in kg (30–250).
    #[arg(long, allow_negative_numbers = true)]
    pub weight_kg: Option<f64>,
    /// Weight in pounds (alternative to --weight-kg).
    #[arg(long, allow_negative_numbers = true)]
    pub weight_lb: Option<f64>,
    /// Age in years (14–100; default 30).
    #[arg(long, allow_negative_numbers = true)]
    pub age: Option<f64>,
    /// Chest (men) / bust (women) girth in cm.
    #[arg(long, alias = "bust-cm", allow_negative_numbers = true)]
    pub chest_cm: Option<f64>,
    /// Underbust girth in cm.
    #[arg(long, allow_negative_numbers = true)]
    pub underbust_cm: Option<f64>,
    /// Waist girth in cm.
    #[arg(long, allow_negative_numbers = true)]
    pub waist_cm: Option<f64>,
    /// Hip girth in cm.
    #[arg(long, allow_negative_numbers = true)]
    pub hip_cm: Option<f64>,
    /// Neck base girth in cm.
    #[arg(long, allow_negative_numbers = true)]
    pub neck_cm: Option<f64>,
    /// Thigh girth in cm.
    #[arg(long, allow_negative_numbers = true)]
    pub thigh_cm: Option<f64>,
    /// Upper arm girth in cm.
    #[arg(long, allow_negative_numbers = true)]
    pub upper_arm_cm: Option<f64>,
    /// Inside leg (crotch to floor) in cm.
    #[arg(long, allow_negative_numbers = true)]
    pub inseam_cm: Option<f64>,
    /// Sleeve / arm length (shoulder point to wrist) in cm.
    #[arg(long, allow_negative_numbers = true)]
    pub sleeve_cm: Option<f64>,
    /// Shoulder breadth in cm.
    #[arg(long, allow_negative_numbers = true)]
    pub shoulder_cm: Option<f64>,
}

impl BodyArgs {
    /// Validates the flags into a [`BodyInput`]; errors are input errors (exit 2).
    pub fn to_input(&self) -> anyhow::Result<BodyInput> {
        let sex: Sex = self.sex.parse().map_err(input_err)?;
        let height = match (self.height_cm, self.height_in) {
            (Some(cm), None) => cm,
            (None, Some(inch)) => inches_to_cm(inch),
            (Some(_), Some(_)) => {
                return Err(input_err("give --height-cm or --height-in, not both"));
            }
            (None, None) => return Err(input_err("--height-cm is required (120–220 cm)")),
        };
        let weight = match (self.weight_kg, self.weight_lb) {
            (Some(kg), None) => kg,
            (None, Some(lb)) => pounds_to_kg(lb),
            (Some(_), Some(_)) => {
                return Err(input_err("give --weight-kg or --weight-lb, not both"));
            }
            (None, None) => return Err(input_err("--weight-kg is required (30–250 kg)")),
        };
        let measured = [
            (Measure::Chest, self.chest_cm),
            (Measure::Underbust, self.underbust_cm),
            (Measure::Waist, self.waist_cm),
            (Measure::Hip, self.hip_cm),
            (Measure::Neck, self.neck_cm),
            (Measure::Thigh, self.thigh_cm),
            (Measure::UpperArm, self.upper_arm_cm),
            (Measure::Inseam, self.inseam_cm),
            (Measure::Sleeve, self.sleeve_cm),
            (Measure::Shoulder, self.shoulder_cm),
        ]
        .into_iter()
        .filter_map(|(m, v)| v.map(|v| (m, v)));
        BodyInput::new(sex, height, weight, self.age, measured).map_err(input_err)
    }
}

/// Body subcommands.
// Parsed once per process; boxing the body flags would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum BodyCmd {
    /// Predict all body measurements (with standard deviations) from a few inputs.
    Predict(PredictArgs),
    /// Cross-check the predictor on ANSUR II CSVs (predicting from height, weight, age).
    EvalMeasurements(EvalArgs),
}

/// Arguments of `doppel predict`.
#[derive(Args)]
pub struct PredictArgs {
    #[command(flatten)]
    body: BodyArgs,
}

/// Arguments of `doppel eval-measurements`.
#[derive(Args)]
pub struct EvalArgs {
    /// Directory holding ANSUR II `male*.csv` / `female*.csv` files.
    #[arg(long)]
    ansur_dir: PathBuf,
}

/// Runs a body subcommand.
pub fn run(cmd: BodyCmd) -> anyhow::Result<()> {
    match cmd {
        BodyCmd::Predict(a) => predict_cmd(&a.body),
        BodyCmd::EvalMeasurements(a) => eval_cmd(&a.ansur_dir),
    }
}

/// A JSON object that keeps the insertion order of its keys.
#[derive(Debug)]
struct Ordered<V>(Vec<(&'static str, V)>);

impl<V: serde::Serialize> serde::Serialize for Ordered<V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Contract keys first (in contract order), then any other measure present.
fn output_order(p: &Prediction) -> Vec<Measure> {
    let mut order: Vec<Measure> = Measure::PREDICTED.to_vec();
    let rest: Vec<Measure> = Measure::ALL
        .into_iter()
        .filter(|m| !order.contains(m))
        .collect();
    order.extend(rest);
    order.retain(|m| p.mean_cm.contains_key(m));
    order
}

/// Predicted values are shown to 0.01 cm; supplied ones exactly as given.
fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// JSON printed by `doppel predict`: the contract keys first.
#[derive(serde::Serialize)]
struct PredictOutput {
    measurements_cm: Ordered<f64>,
    sd_cm: Ordered<f64>,
    /// Measures returned unchanged (sd 0): height and what was supplied.
    supplied: Vec<&'static str>,
    input: PredictInputEcho,
}

/// The validated input, echoed so that unit conversion and the default age are visible.
#[derive(serde::Serialize)]
struct PredictInputEcho {
    sex: Sex,
    height_cm: f64,
    weight_kg: f64,
    age_years: f64,
}

fn predict_cmd(body: &BodyArgs) -> anyhow::Result<()> {
    crate::print_json(&predict_output(body)?)
}

fn predict_output(body: &BodyArgs) -> anyhow::Result<PredictOutput> {
    let input = body.to_input()?;
    let p = predict(&input).map_err(input_err)?;
    let order = output_order(&p);
    let show = |m: &Measure, v: f64| if p.is_supplied(*m) { v } else { round2(v) };
    Ok(PredictOutput {
        measurements_cm: Ordered(
            order
                .iter()
                .map(|m| (m.key(), show(m, p.mean_cm[m])))
                .collect(),
        ),
        sd_cm: Ordered(
            order
                .iter()
                .map(|m| (m.key(), show(m, p.sd_cm[m])))
                .collect(),
        ),
        supplied: order
            .iter()
            .filter(|m| p.is_supplied(**m))
            .map(|m| m.key())
            .collect(),
        input: PredictInputEcho {
            sex: input.sex,
            height_cm: input.height_cm,
            weight_kg: input.weight_kg,
            age_years: input.age_years,
        },
    })
}

/// Reads every `male*.csv` and `female*.csv` in `dir` (file-name order). Errors are input
/// errors (exit 2) naming the file, and for bad content the line and column.
pub fn load_ansur_dir(dir: &Path) -> anyhow::Result<Vec<AnsurPerson>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| input_err(format!("--ansur-dir {}: {e}", dir.display())))?;
    let mut files: Vec<(String, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            ansur::sex_from_file_name(&name).map(|_| (name, e.path()))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(input_err(format!(
            "--ansur-dir {}: no male*.csv or female*.csv files",
            dir.display()
        )));
    }
    let mut people = Vec::new();
    for (name, path) in files {
        let bytes =
            std::fs::read(&path).map_err(|e| input_err(format!("{}: {e}", path.display())))?;
        let hint = ansur::sex_from_file_name(&name);
        people.extend(
            ansur::parse_people(&path.display().to_string(), &bytes, hint).map_err(input_err)?,
        );
    }
    Ok(people)
}

/// The measures `eval-measurements` reports (the contract keys).
const EVAL_MEASURES: [Measure; 8] = [
    Measure::Chest,
    Measure::Waist,
    Measure::Hip,
    Measure::Neck,
    Measure::Thigh,
    Measure::Inseam,
    Measure::Sleeve,
    Measure::Shoulder,
];

/// One sex's block of `doppel eval-measurements` output.
#[derive(Debug, serde::Serialize)]
struct EvalSex {
    n: usize,
    /// `null` for a sex with no subjects.
    mae_cm: Ordered<Option<f64>>,
}

fn eval_cmd(dir: &Path) -> anyhow::Result<()> {
    crate::print_json(&eval_output(dir)?)
}

fn eval_output(dir: &Path) -> anyhow::Result<Ordered<EvalSex>> {
    let people = load_ansur_dir(dir)?;
    let mut out = Vec::new();
    for sex in [Sex::Male, Sex::Female] {
        let mut n = 0usize;
        let mut sum = [0.0; EVAL_MEASURES.len()];
        for person in people.iter().filter(|p| p.sex == sex) {
            // A subject outside doppel's accepted ranges is reported with its file line.
            let input = BodyInput::new(
                sex,
                person.height_cm(),
                person.weight_kg,
                Some(person.age_years),
                [],
            )
            .map_err(|e| input_err(format!("{sex} subject on line {}: {e}", person.line)))?;
            let p = predict(&input).map_err(input_err)?;
            n += 1;
            for (i, m) in EVAL_MEASURES.iter().enumerate() {
                let truth = person.measures_cm.get(m).copied().unwrap_or(f64::NAN);
                sum[i] += (truth - p.mean_cm.get(m).copied().unwrap_or(f64::NAN)).abs();
            }
        }
        let mae = EVAL_MEASURES
            .iter()
            .zip(sum)
            .map(|(m, s)| (m.key(), (n > 0).then(|| round2(s / n as f64))))
            .collect();
        out.push((
            sex.key(),
            EvalSex {
                n,
                mae_cm: Ordered(mae),
            },
        ));
    }
    Ok(Ordered(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        cmd: BodyCmd,
    }

    fn parse(args: &[&str]) -> BodyCmd {
        Cli::try_parse_from(std::iter::once("doppel").chain(args.iter().copied()))
            .unwrap()
            .cmd
    }

    fn predict_json(args: &[&str]) -> anyhow::Result<serde_json::Value> {
        match parse(args) {
            BodyCmd::Predict(a) => Ok(serde_json::to_value(predict_output(&a.body)?)?),
            BodyCmd::EvalMeasurements(_) => unreachable!("parsed a predict command"),
        }
    }

    fn is_input_error(e: &anyhow::Error) -> bool {
        e.downcast_ref::<crate::InputError>().is_some()
    }

    #[test]
    fn predict_json_has_the_contract_keys_and_keeps_supplied_values() {
        let v = predict_json(&[
            "predict",
            "--sex",
            "female",
            "--height-cm",
            "168",
            "--weight-kg",
            "63",
            "--hip-cm",
            "101.37",
            "--bust-cm",
            "92",
        ])
        .unwrap();
        for key in [
            "chest", "waist", "hip", "neck", "thigh", "inseam", "sleeve", "shoulder", "height",
        ] {
            assert!(v["measurements_cm"][key].is_f64(), "{key}: {v}");
            assert!(v["sd_cm"][key].is_f64(), "{key}: {v}");
        }
        assert_eq!(v["measurements_cm"]["hip"], 101.37);
        assert_eq!(v["measurements_cm"]["chest"], 92.0);
        assert_eq!(v["measurements_cm"]["height"], 168.0);
        for key in ["hip", "chest", "height"] {
            assert_eq!(v["sd_cm"][key], 0.0, "{key}");
        }
        assert!(v["sd_cm"]["waist"].as_f64().unwrap() > 1.0);
        assert_eq!(v["input"]["age_years"], 30.0);
    }

    #[test]
    fn predict_rejects_bad_and_contradictory_input_as_input_errors() {
        for args in [
            &[
                "predict",
                "--sex",
                "male",
                "--height-cm",
                "180",
                "--weight-kg",
                "40",
                "--waist-cm",
                "200",
            ][..],
            &[
                "predict",
                "--sex",
                "male",
                "--height-cm",
                "260",
                "--weight-kg",
                "80",
            ][..],
            &[
                "predict",
                "--sex",
                "x",
                "--height-cm",
                "180",
                "--weight-kg",
                "80",
            ][..],
            &["predict", "--sex", "male", "--weight-kg", "80"][..],
        ] {
            let e = predict_json(args).unwrap_err();
            assert!(is_input_error(&e), "{args:?}: {e}");
        }
        let e = predict_json(&[
            "predict",
            "--sex",
            "male",
            "--height-cm",
            "180",
            "--weight-kg",
            "40",
            "--waist-cm",
            "200",
        ])
        .unwrap_err();
        assert!(e.to_string().contains("waist = 200 cm"), "{e}");
    }

    #[test]
    fn predict_rejects_a_jointly_contradictory_pair_naming_both_fields() {
        // Waist far below and hip far above what 170 cm / 70 kg suggest: each passes on its
        // own, together they cannot be one body (waist and hip go together).
        let base = predict(&BodyInput::new(Sex::Female, 170.0, 70.0, None, []).unwrap()).unwrap();
        let waist = base
            .interval_cm(Measure::Waist, 5.5)
            .unwrap()
            .0
            .round()
            .to_string();
        let hip = base
            .interval_cm(Measure::Hip, 5.5)
            .unwrap()
            .1
            .round()
            .to_string();
        let args = |extra: &[&str]| {
            let mut a = vec![
                "predict",
                "--sex",
                "female",
                "--height-cm",
                "170",
                "--weight-kg",
                "70",
            ];
            a.extend_from_slice(extra);
            predict_json(&a)
        };
        assert!(args(&["--waist-cm", &waist]).is_ok());
        assert!(args(&["--hip-cm", &hip]).is_ok());
        let e = args(&["--waist-cm", &waist, "--hip-cm", &hip]).unwrap_err();
        assert!(is_input_error(&e), "{e}");
        let text = e.to_string();
        for needle in ["waist", "hip", "plausible", &waist, &hip] {
            assert!(text.contains(needle), "{needle:?} missing: {text}");
        }
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("doppel-predict-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    const HEADER: &str = "subjectid,biacromialbreadth,bicepscircumferenceflexed,buttockcircumference,chestcircumference,crotchheight,neckcircumferencebase,sleeveoutseam,stature,thighcircumference,waistcircumference,weightkg,Gender,Age";

    #[test]
    fn eval_reads_a_directory_and_reports_errors_with_file_and_line() {
        let d = temp_dir("eval");
        std::fs::write(
            d.join("male_a.csv"),
            format!("{HEADER}\n1,401,369,979,1074,877,437,600,1776,610,933,815,Male,41\n"),
        )
        .unwrap();
        std::fs::write(d.join("notes.txt"), "ignored").unwrap();
        let out = serde_json::to_value(eval_output(&d).unwrap()).unwrap();
        assert_eq!(out["male"]["n"], 1);
        assert_eq!(out["female"]["n"], 0);
        assert!(out["male"]["mae_cm"]["waist"].as_f64().unwrap() >= 0.0);
        assert_eq!(out["male"]["mae_cm"].as_object().unwrap().len(), 8);

        std::fs::write(
            d.join("female_b.csv"),
            format!("{HEADER}\n2,356,315,1011,922,759,362,513,1560,622,oops,657,Female,26\n"),
        )
        .unwrap();
        let e = eval_output(&d).unwrap_err();
        let s = e.to_string();
        assert!(is_input_error(&e));
        assert!(
            s.contains("female_b.csv") && s.contains("line 2") && s.contains("waistcircumference"),
            "{s}"
        );

        let e = eval_output(&d.join("missing")).unwrap_err();
        assert!(
            is_input_error(&e) && e.to_string().contains("missing"),
            "{e}"
        );
        let empty = temp_dir("empty");
        let e = eval_output(&empty).unwrap_err();
        assert!(
            is_input_error(&e) && e.to_string().contains("no male"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(&d);
        let _ = std::fs::remove_dir_all(&empty);
    }
}
