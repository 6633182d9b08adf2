//! `doppel profile products …`: the owned-products registry in a local profile file (the
//! same format the PWA keeps in its storage, `doppel-profile`).
//!
//! The file is never lost: a change is written to `FILE.tmp`, read back and checked, the
//! previous file is kept as `FILE.bak`, and only then is the new one renamed into place. An
//! unreadable file is refused (exit 2) and left untouched.

use crate::concierge_cmd::{load_pack, parse_date, parse_lang, today};
use crate::input_err;
use anyhow::Context;
use clap::{Args, Subcommand};
use doppel_concierge::{Date, Lang, Pack, TaskStatus};
use doppel_profile::{OwnedProduct, Profile};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Profile subcommands.
#[derive(Subcommand)]
pub enum ProfileCmd {
    /// Owned products: add, list, remove, record usage, list due care.
    #[command(subcommand)]
    Products(ProductsCmd),
}

/// `profile products …` subcommands.
#[derive(Subcommand)]
pub enum ProductsCmd {
    /// Identify a code (serial, GTIN, GS1 Digital Link or element string) and add the product.
    Add(AddArgs),
    /// List the owned products.
    List(FileArg),
    /// Remove an owned product.
    Remove(RemoveArgs),
    /// Record counter readings (counters never run backwards).
    Usage(UsageArgs),
    /// Due, overdue and upcoming care tasks of the owned products.
    Care(CareArgs),
}

/// The profile file.
#[derive(Args)]
pub struct FileArg {
    /// Profile file (JSON, as the app saves it); `add` creates it when missing.
    #[arg(long)]
    profile: PathBuf,
}

/// Arguments of `add`.
#[derive(Args)]
pub struct AddArgs {
    #[command(flatten)]
    file: FileArg,
    /// Knowledge pack folder that knows the product.
    #[arg(long)]
    pack: String,
    /// The code: a serial number, GTIN, GS1 Digital Link or element string.
    #[arg(long)]
    code: String,
    /// Purchase date YYYY-MM-DD (warranty and care are counted from it).
    #[arg(long)]
    purchased: Option<String>,
    /// Local id (default: the product id and the first free number, e.g. barista-pro-1).
    #[arg(long)]
    id: Option<String>,
    /// Today YYYY-MM-DD (default: the system date).
    #[arg(long)]
    today: Option<String>,
}

/// Arguments of `remove`.
#[derive(Args)]
pub struct RemoveArgs {
    #[command(flatten)]
    file: FileArg,
    /// Local id of the owned product.
    #[arg(long)]
    product: String,
}

/// Arguments of `usage`.
#[derive(Args)]
pub struct UsageArgs {
    #[command(flatten)]
    file: FileArg,
    /// Local id of the owned product.
    #[arg(long)]
    product: String,
    /// Counter reading NAME=VALUE (repeatable), e.g. --counter water_l=58.
    #[arg(long = "counter", value_name = "NAME=VALUE", required = true)]
    counters: Vec<String>,
    /// Knowledge pack folder: when given, counter names are checked against the product.
    #[arg(long)]
    pack: Option<String>,
    /// Date of the reading YYYY-MM-DD (default: the system date).
    #[arg(long)]
    date: Option<String>,
}

/// Arguments of `care`.
#[derive(Args)]
pub struct CareArgs {
    #[command(flatten)]
    file: FileArg,
    /// Knowledge pack folder(s) of the owned products (repeatable).
    #[arg(long = "pack", required = true)]
    packs: Vec<String>,
    /// Only this owned product.
    #[arg(long)]
    product: Option<String>,
    /// Language of the task texts: de or en (default: the pack's default).
    #[arg(long)]
    lang: Option<String>,
    /// Today YYYY-MM-DD (default: the system date).
    #[arg(long)]
    today: Option<String>,
}

/// Reads the profile file; `None` when it does not exist. A damaged file is an input error
/// naming the file (and is left as it is).
fn read_profile(path: &Path) -> anyhow::Result<Option<Profile>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(input_err(format!("--profile {}: {e}", path.display()))),
    };
    Profile::load(&text)
        .map(Some)
        .map_err(|e| input_err(format!("--profile {}: {e}", path.display())))
}

/// The profile, which must exist.
fn existing(path: &Path) -> anyhow::Result<Profile> {
    read_profile(path)?.ok_or_else(|| {
        input_err(format!(
            "--profile {}: no such file (`doppel profile products add` creates it)",
            path.display()
        ))
    })
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Writes the profile safely: temp file, read back and verified, previous file kept as
/// `.bak`, then renamed into place (atomic on one file system).
pub fn write_profile(path: &Path, profile: &Profile) -> anyhow::Result<()> {
    let text = profile.save();
    let tmp = with_suffix(path, ".tmp");
    std::fs::write(&tmp, &text).with_context(|| format!("cannot write {}", tmp.display()))?;
    let back = std::fs::read_to_string(&tmp)
        .with_context(|| format!("cannot read back {}", tmp.display()))?;
    if Profile::load(&back).as_ref() != Ok(profile) {
        let _ = std::fs::remove_file(&tmp);
        anyhow::bail!(
            "{} did not read back as written; nothing changed",
            tmp.display()
        );
    }
    if path.exists() {
        let bak = with_suffix(path, ".bak");
        std::fs::copy(path, &bak).with_context(|| format!("cannot keep {}", bak.display()))?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))
}

fn parse_counter(s: &str) -> anyhow::Result<(String, f64)> {
    let (name, value) = s.split_once('=').ok_or_else(|| {
        input_err(format!(
            "--counter {s:?}: expected NAME=VALUE, e.g. water_l=58"
        ))
    })?;
    let v: f64 = value
        .trim()
        .parse()
        .map_err(|_| input_err(format!("--counter {s:?}: {value:?} is not a number")))?;
    if !v.is_finite() || v < 0.0 {
        return Err(input_err(format!("--counter {s:?}: must be a number ≥ 0")));
    }
    Ok((name.trim().to_string(), v))
}

fn pack_for<'a>(packs: &'a [Pack], o: &OwnedProduct) -> anyhow::Result<&'a Pack> {
    packs
        .iter()
        .find(|p| p.manifest.id == o.pack)
        .ok_or_else(|| {
            input_err(format!(
                "--pack: none of the given packs is {:?}, the pack of {:?}",
                o.pack, o.id
            ))
        })
}

#[derive(Serialize)]
struct Care<'a> {
    id: &'a str,
    product: &'a str,
    tasks: Vec<TaskStatus>,
}

/// Runs a profile subcommand.
pub fn run(cmd: ProfileCmd) -> anyhow::Result<()> {
    let ProfileCmd::Products(cmd) = cmd;
    match cmd {
        ProductsCmd::Add(a) => {
            let path = &a.file.profile;
            let mut profile = read_profile(path)?.unwrap_or_default();
            let pack = load_pack(&a.pack)?;
            let today = today(a.today.as_ref())?;
            let purchased = a
                .purchased
                .as_deref()
                .map(|s| parse_date("--purchased", s))
                .transpose()?;
            if purchased.is_some_and(|d| d > today) {
                return Err(input_err(format!(
                    "--purchased: {} is after today ({today})",
                    a.purchased.unwrap_or_default()
                )));
            }
            let ident = pack
                .identify(&a.code, purchased, today.year())
                .map_err(|e| input_err(format!("--code: {e}")))?;
            let product = ident.product.as_ref().ok_or_else(|| {
                input_err(format!(
                    "--code: a well-formed code, but pack {:?} has no product for it",
                    pack.manifest.id
                ))
            })?;
            let id = match a.id {
                Some(id) => id,
                None => (1..)
                    .map(|n| format!("{}-{n}", product.id))
                    .find(|id| profile.owned(id).is_err())
                    .unwrap_or_else(|| product.id.clone()),
            };
            let mut owned = OwnedProduct::new(&id, &pack.manifest.id, &product.id);
            owned.gtin = ident.gtin.clone().or_else(|| product.gtin.clone());
            owned.serial = ident.serial.clone();
            owned.purchase_date = purchased;
            profile
                .add_owned(owned.clone())
                .map_err(|e| input_err(format!("--id: {e}")))?;
            write_profile(path, &profile)?;
            crate::print_json(&owned)
        }
        ProductsCmd::List(f) => crate::print_json(&existing(&f.profile)?),
        ProductsCmd::Remove(a) => {
            let mut profile = existing(&a.file.profile)?;
            profile
                .owned(&a.product)
                .map_err(|e| input_err(format!("--product: {e}")))?;
            profile.owned.retain(|o| o.id != a.product);
            write_profile(&a.file.profile, &profile)?;
            crate::print_json(&profile)
        }
        ProductsCmd::Usage(a) => {
            let mut profile = existing(&a.file.profile)?;
            let date = match &a.date {
                Some(d) => parse_date("--date", d)?,
                None => today(None)?,
            };
            let pack = a.pack.as_deref().map(load_pack).transpose()?;
            let owned = profile
                .owned_mut(&a.product)
                .map_err(|e| input_err(format!("--product: {e}")))?;
            let known: Option<Vec<String>> = match &pack {
                Some(p) => {
                    let pack = pack_for(std::slice::from_ref(p), owned)?;
                    let product = pack.product(&owned.product).ok_or_else(|| {
                        input_err(format!(
                            "--pack: {:?} no longer lists product {:?}",
                            pack.manifest.id, owned.product
                        ))
                    })?;
                    Some(product.counters.iter().map(|c| c.id.clone()).collect())
                }
                None => None,
            };
            for c in &a.counters {
                let (name, value) = parse_counter(c)?;
                if let Some(known) = &known
                    && !known.contains(&name)
                {
                    return Err(input_err(format!(
                        "--counter {c:?}: unknown counter {name:?} (known: {})",
                        known.join(", ")
                    )));
                }
                owned
                    .record_usage(&name, date, value)
                    .map_err(|e| input_err(format!("--counter {c:?}: {e}")))?;
            }
            let owned = owned.clone();
            write_profile(&a.file.profile, &profile)?;
            crate::print_json(&owned)
        }
        ProductsCmd::Care(a) => {
            let profile = existing(&a.file.profile)?;
            let packs = a
                .packs
                .iter()
                .map(|d| load_pack(d))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let today: Date = today(a.today.as_ref())?;
            let lang = parse_lang(a.lang.as_ref())?;
            if let Some(id) = &a.product {
                profile
                    .owned(id)
                    .map_err(|e| input_err(format!("--product: {e}")))?;
            }
            let mut out = Vec::new();
            for o in profile
                .owned
                .iter()
                .filter(|o| a.product.as_ref().is_none_or(|id| *id == o.id))
            {
                let pack = pack_for(&packs, o)?;
                let lang: Lang = lang.unwrap_or(pack.manifest.default_language);
                let tasks = o
                    .due_tasks(pack, today, lang)
                    .map_err(|e| input_err(format!("{}: {e}", o.id)))?;
                out.push(Care {
                    id: &o.id,
                    product: &o.product,
                    tasks,
                });
            }
            crate::print_json(&out)
        }
    }
}
