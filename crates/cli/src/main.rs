//! `doppel`: the retailer's command line tool.
//!
//! Exit codes: 0 success, 1 internal failure, 2 bad input (flags, files, codes) — the
//! message names the field and the allowed range or format.

mod avatar_cmd;
mod body_cmd;
mod concierge_cmd;
mod fit_cmd;
mod profile_cmd;
mod render_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// An error caused by the user's input: reported on stderr, exit status 2.
#[derive(Debug)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for InputError {}

/// Wraps any displayable error as an [`InputError`] (exit status 2).
pub fn input_err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::Error::new(InputError(e.to_string()))
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    use std::io::Write;
    let text = serde_json::to_string_pretty(value)?;
    let mut out = std::io::stdout().lock();
    // A closed pipe (`doppel … | head`) is the reader's choice, not an error.
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

#[derive(Parser)]
#[command(
    name = "doppel",
    version,
    about = "doppel: private virtual fitting and product concierge — retailer tools"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    #[command(flatten)]
    Avatar(avatar_cmd::AvatarCmd),
    #[command(flatten)]
    Body(body_cmd::BodyCmd),
    /// Product concierge: identify codes, answer questions, plan care, check packs.
    #[command(subcommand)]
    Concierge(concierge_cmd::ConciergeCmd),
    #[command(flatten)]
    Fit(fit_cmd::FitCmd),
    /// The local profile: owned products, usage counters, due care.
    #[command(subcommand)]
    Profile(profile_cmd::ProfileCmd),
    #[command(flatten)]
    Render(render_cmd::RenderCmd),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.cmd {
        Cmd::Avatar(c) => avatar_cmd::run(c),
        Cmd::Body(c) => body_cmd::run(c),
        Cmd::Concierge(c) => concierge_cmd::run(c),
        Cmd::Fit(c) => fit_cmd::run(c),
        Cmd::Profile(c) => profile_cmd::run(c),
        Cmd::Render(c) => render_cmd::run(c),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("doppel: {e:#}");
            if e.downcast_ref::<InputError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
