//! Body subcommands (`predict`, `eval-measurements`, `avatar`) and the shared body flags.

use crate::input_err;
use clap::{Args, Subcommand};
use doppel_body::units::{inches_to_cm, pounds_to_kg};
use doppel_body::{BodyInput, Measure, Sex};

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
            (Some(_), Some(_)) => return Err(input_err("give --height-cm or --height-in, not both")),
            (None, None) => return Err(input_err("--height-cm is required (120–220 cm)")),
        };
        let weight = match (self.weight_kg, self.weight_lb) {
            (Some(kg), None) => kg,
            (None, Some(lb)) => pounds_to_kg(lb),
            (Some(_), Some(_)) => return Err(input_err("give --weight-kg or --weight-lb, not both")),
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
#[derive(Subcommand)]
pub enum BodyCmd {
    /// Predict all body measurements (with standard deviations) from a few inputs.
    Predict(PredictArgs),
}

/// Arguments of `doppel predict`.
#[derive(Args)]
pub struct PredictArgs {
    #[command(flatten)]
    body: BodyArgs,
}

/// Runs a body subcommand.
pub fn run(cmd: BodyCmd) -> anyhow::Result<()> {
    match cmd {
        BodyCmd::Predict(a) => {
            let input = a.body.to_input()?;
            crate::print_json(&input)
        }
    }
}
