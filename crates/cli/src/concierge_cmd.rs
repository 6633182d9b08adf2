//! `doppel concierge …`: identify codes, answer questions, plan care and check knowledge
//! packs. The pack folder is read here; everything else is `doppel-concierge` (pure).

use crate::input_err;
use clap::{Args, Subcommand};
use doppel_concierge::search::AskOptions;
use doppel_concierge::{Date, Lang, LoadError, Pack};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Concierge subcommands.
#[derive(Subcommand)]
pub enum ConciergeCmd {
    /// Identify a GS1 Digital Link, GS1 element string, GTIN or maker serial number.
    Identify(IdentifyArgs),
    /// Answer a question from the pack's FAQ, error codes and care texts.
    Ask(AskArgs),
    /// Due, overdue and upcoming care tasks of a product.
    Care(CareArgs),
    /// Validate a knowledge pack and list every problem at once.
    Check(PackArg),
}

/// The pack folder.
#[derive(Args)]
pub struct PackArg {
    /// Knowledge pack folder (pack.json, products.json, faq.json, …).
    #[arg(long)]
    pack: String,
}

/// Arguments of `identify`.
#[derive(Args)]
pub struct IdentifyArgs {
    #[command(flatten)]
    pack: PackArg,
    /// The code: https://…/01/<GTIN>/21/<serial>?11=YYMMDD, (01)…(21)…, a GTIN or a serial number.
    #[arg(long)]
    code: String,
    /// Purchase date YYYY-MM-DD (for the warranty end).
    #[arg(long)]
    purchased: Option<String>,
    /// Today's date YYYY-MM-DD for the GS1 century rule (default: the system date).
    #[arg(long)]
    today: Option<String>,
}

/// Arguments of `ask`.
#[derive(Args)]
pub struct AskArgs {
    #[command(flatten)]
    pack: PackArg,
    /// Restrict to entries for this product id.
    #[arg(long)]
    product: Option<String>,
    /// Language of the question: de or en (default: detected, else the pack's default).
    #[arg(long)]
    lang: Option<String>,
    /// Also print the search terms the question turned into (on stderr).
    #[arg(long)]
    explain: bool,
    /// The question (at most 2000 characters).
    question: String,
}

/// Arguments of `care`.
#[derive(Args)]
pub struct CareArgs {
    #[command(flatten)]
    pack: PackArg,
    /// Product id.
    #[arg(long)]
    product: String,
    /// Start date YYYY-MM-DD (purchase, or when the plan was last reset).
    #[arg(long)]
    since: String,
    /// Current counter reading NAME=VALUE (repeatable), e.g. --usage water_l=57.
    #[arg(long = "usage", value_name = "NAME=VALUE")]
    usage: Vec<String>,
    /// Today's date YYYY-MM-DD (default: the system date).
    #[arg(long)]
    today: Option<String>,
    /// Language of titles and instructions: de or en (default: the pack's default).
    #[arg(long)]
    lang: Option<String>,
}

/// Reads and validates a pack folder; every problem is an input error (exit 2).
pub fn load_pack(dir: &str) -> anyhow::Result<Pack> {
    Pack::load_dir(Path::new(dir)).map_err(|e| match e {
        LoadError::NotAFolder(_) => input_err(format!("--pack {dir:?}: not a folder")),
        e => input_err(e),
    })
}

pub(crate) fn parse_date(flag: &str, s: &str) -> anyhow::Result<Date> {
    Date::parse(s).map_err(|e| input_err(format!("{flag}: {e}")))
}

/// Today from the system clock (UTC); only the CLI reads the clock.
fn system_today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_days(i64::try_from(secs / 86_400).unwrap_or(0))
}

pub(crate) fn today(flag: Option<&String>) -> anyhow::Result<Date> {
    flag.map_or_else(|| Ok(system_today()), |s| parse_date("--today", s))
}

pub(crate) fn parse_lang(flag: Option<&String>) -> anyhow::Result<Option<Lang>> {
    flag.map(|l| {
        l.parse::<Lang>()
            .map_err(|e| input_err(format!("--lang: {e}")))
    })
    .transpose()
}

#[derive(Serialize)]
struct CareReport<'a> {
    product: &'a str,
    plan: &'a str,
    since: Date,
    today: Date,
    usage: &'a BTreeMap<String, f64>,
    tasks: Vec<doppel_concierge::TaskStatus>,
    care_symbols: Vec<Symbol<'a>>,
}

#[derive(Serialize)]
struct Symbol<'a> {
    code: &'a str,
    label: &'a str,
}

#[derive(Serialize)]
struct CheckReport<'a> {
    ok: bool,
    pack: &'a str,
    languages: &'a [Lang],
    products: usize,
    serial_rules: usize,
    care_plans: usize,
    error_codes: usize,
    faq_entries: usize,
}

/// Runs a concierge subcommand.
pub fn run(cmd: ConciergeCmd) -> anyhow::Result<()> {
    match cmd {
        ConciergeCmd::Identify(a) => {
            let pack = load_pack(&a.pack.pack)?;
            let purchased = a
                .purchased
                .as_deref()
                .map(|s| parse_date("--purchased", s))
                .transpose()?;
            let year = today(a.today.as_ref())?.year();
            let id = pack
                .identify(&a.code, purchased, year)
                .map_err(|e| input_err(format!("--code: {e}")))?;
            crate::print_json(&id)
        }
        ConciergeCmd::Ask(a) => {
            let pack = load_pack(&a.pack.pack)?;
            let lang = parse_lang(a.lang.as_ref())?;
            let opts = AskOptions {
                lang,
                product: a.product.as_deref(),
                ..Default::default()
            };
            let answer = pack.ask(&a.question, &opts).map_err(input_err)?;
            if a.explain {
                for slot in pack.explain_query(&a.question, answer.lang) {
                    eprintln!("term: {slot:?}");
                }
            }
            crate::print_json(&answer)
        }
        ConciergeCmd::Care(a) => {
            let pack = load_pack(&a.pack.pack)?;
            let lang = parse_lang(a.lang.as_ref())?.unwrap_or(pack.manifest.default_language);
            let since = parse_date("--since", &a.since)?;
            let today = today(a.today.as_ref())?;
            let product = pack.product(&a.product).ok_or_else(|| {
                let known: Vec<&str> = pack.products.iter().map(|p| p.id.as_str()).collect();
                input_err(format!(
                    "--product {:?}: unknown (known: {})",
                    a.product,
                    known.join(", ")
                ))
            })?;
            let plan = pack.care_plan_for(product).ok_or_else(|| {
                input_err(format!(
                    "--product {}: has no care plan in this pack",
                    product.id
                ))
            })?;
            let mut usage = BTreeMap::new();
            for u in &a.usage {
                let (name, value) = u.split_once('=').ok_or_else(|| {
                    input_err(format!(
                        "--usage {u:?}: expected NAME=VALUE, e.g. water_l=57"
                    ))
                })?;
                let v: f64 = value
                    .trim()
                    .parse()
                    .map_err(|_| input_err(format!("--usage {u:?}: {value:?} is not a number")))?;
                if usage.insert(name.trim().to_string(), v).is_some() {
                    return Err(input_err(format!("--usage: counter {name} given twice")));
                }
            }
            let tasks =
                doppel_concierge::care::due_tasks(product, plan, since, today, &usage, &[], lang)
                    .map_err(|e| input_err(format!("--usage/--since: {e}")))?;
            let care_symbols = plan
                .symbols
                .iter()
                .map(|s| Symbol {
                    code: s.code,
                    label: s.label(lang),
                })
                .collect();
            crate::print_json(&CareReport {
                product: &product.id,
                plan: &plan.id,
                since,
                today,
                usage: &usage,
                tasks,
                care_symbols,
            })
        }
        ConciergeCmd::Check(a) => {
            let pack = load_pack(&a.pack)?;
            crate::print_json(&CheckReport {
                ok: true,
                pack: &pack.manifest.id,
                languages: &pack.manifest.languages,
                products: pack.products.len(),
                serial_rules: pack.serial_rules.len(),
                care_plans: pack.care_plans.len(),
                error_codes: pack.error_codes.len(),
                faq_entries: pack.faq.len(),
            })
        }
    }
}
