//! `doppel avatar`: solve the shopper's 3D avatar and write it as glTF binary.

use crate::body_cmd::BodyArgs;
use crate::input_err;
use clap::{Args, Subcommand};
use doppel_body::avatar::build_avatar;
use doppel_body::glb::write_glb;
use doppel_body::{BodyError, Measure};
use serde_json::{Map, Value, json};
use std::path::PathBuf;

/// Avatar subcommands.
#[derive(Subcommand)]
pub enum AvatarCmd {
    /// Build the 3D avatar (glTF binary: metres, +Y up, feet at y = 0, facing +Z, A-pose)
    /// and print the measurements achieved on the mesh and the girth levels as JSON.
    Avatar(AvatarArgs),
}

/// Arguments of `doppel avatar`.
#[derive(Args)]
pub struct AvatarArgs {
    #[command(flatten)]
    body: BodyArgs,
    /// Output file (.glb).
    #[arg(long)]
    out: PathBuf,
}

/// Runs `doppel avatar`.
pub fn run(cmd: AvatarCmd) -> anyhow::Result<()> {
    let AvatarCmd::Avatar(a) = cmd;
    let input = a.body.to_input()?;
    let avatar = build_avatar(&input).map_err(|e| match e {
        // A corrupt embedded model is our fault (exit 1); anything else is the input's.
        BodyError::Model(_) => anyhow::Error::new(e),
        other => input_err(other),
    })?;
    let bytes = write_glb(&avatar.mesh);
    std::fs::write(&a.out, bytes)
        .map_err(|e| input_err(format!("--out {}: cannot write: {e}", a.out.display())))?;
    let mut measurements = Map::new();
    for m in Measure::ALL {
        if let Some(v) = avatar.measurements_cm.get(&m) {
            // Millimetre precision is all a tape measure gives.
            measurements.insert(m.key().to_string(), json!((v * 10.0).round() / 10.0));
        }
    }
    let levels: Map<String, Value> = avatar
        .mesh
        .levels_m
        .iter()
        .map(|(k, v)| (k.clone(), json!((v * 1000.0).round() / 1000.0)))
        .collect();
    crate::print_json(&json!({"measurements_cm": measurements, "levels_m": levels}))
}
