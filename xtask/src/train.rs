//! `cargo xtask train-predictor [--ansur-dir DIR] [--out FILE] [--cv] [--folds K] [--check]`
//!
//! Fits the body predictor on the ANSUR II training CSVs and writes the coefficient file
//! embedded by `doppel-body` (`crates/body/data/predictor/predictor.json`, and the same
//! numbers as the binary table the browser embeds, `crates/body/src/predict/predictor.bin`;
//! with `--out FILE` the table goes beside it as `FILE` with extension `.bin`). The output is
//! a pure function of the CSV contents: files are read in name order and every fit is
//! deterministic, so re-running reproduces the committed file byte for byte.
//! `--cv` prints K-fold cross-validated MAE of the model and of the OLS baseline, and the
//! coverage of the predicted sd, as the Markdown table kept in BENCHMARKS.md.
//! `--check` fails if the committed file differs from a fresh fit (for CI).

use anyhow::{Context, Result, bail};
use doppel_body::ansur::{self, AnsurPerson};
use doppel_body::predict::fit::{self, TrainOptions};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Reads every `male*.csv` and `female*.csv` in `dir`, in file-name order.
pub fn load_dir(dir: &Path) -> Result<(Vec<AnsurPerson>, Vec<String>)> {
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read ANSUR directory {}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            ansur::sex_from_file_name(&name).map(|_| (name, e.path()))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no male*.csv or female*.csv in {}", dir.display());
    }
    let mut people = Vec::new();
    let mut summary = Vec::new();
    for (name, path) in files {
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let p = ansur::parse_people(
            &path.display().to_string(),
            &bytes,
            ansur::sex_from_file_name(&name),
        )?;
        summary.push(format!("{name}: {}", p.len()));
        people.extend(p);
    }
    Ok((people, summary))
}

/// Runs the subcommand.
pub fn run(args: &[String]) -> Result<()> {
    let mut dir = root().join("../shared/data/ansur2");
    let default_out = root().join("crates/body/data/predictor/predictor.json");
    let mut out = default_out.clone();
    let (mut cv, mut check, mut folds) = (false, false, 10usize);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--ansur-dir" => {
                dir = PathBuf::from(it.next().context("--ansur-dir needs a directory")?)
            }
            "--out" => out = PathBuf::from(it.next().context("--out needs a file")?),
            "--cv" => cv = true,
            "--check" => check = true,
            "--folds" => {
                folds = it
                    .next()
                    .context("--folds needs a number")?
                    .parse()
                    .context("--folds needs a whole number ≥ 2")?;
            }
            other => bail!("train-predictor: unknown argument {other:?}"),
        }
    }
    let (people, summary) = load_dir(&dir)?;
    let opts = TrainOptions::default();
    let provenance = format!(
        "ANSUR II training split ({}); `cargo xtask train-predictor`; {:?} features, {:?} loss, ridge {}, heteroscedastic {}",
        summary.join(", "),
        opts.features,
        opts.loss,
        opts.ridge,
        opts.heteroscedastic
    );
    let model = fit::train(&people, &opts, &provenance)?;
    let json = serde_json::to_string_pretty(&model)? + "\n";
    // The browser embeds the binary table; it is made from the JSON text (not the in-memory
    // fit) so both files hold the same numbers bit for bit after parsing.
    let bin = doppel_body::predict::model::PredictorModel::from_json(&json)
        .map_err(|e| anyhow::anyhow!("the fresh model does not read back: {e}"))?
        .to_bin();
    let bin_out = if out == default_out {
        root().join("crates/body/src/predict/predictor.bin")
    } else {
        out.with_extension("bin")
    };
    if check {
        for (path, fresh) in [(&out, json.as_bytes()), (&bin_out, bin.as_slice())] {
            let old =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            if old != fresh {
                bail!(
                    "{} is stale: run `cargo xtask train-predictor`",
                    path.display()
                );
            }
            println!("{} is up to date", path.display());
        }
    } else {
        for (path, fresh) in [(&out, json.as_bytes()), (&bin_out, bin.as_slice())] {
            std::fs::write(path, fresh)
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!("wrote {} ({} bytes)", path.display(), fresh.len());
        }
    }
    for sm in [&model.female, &model.male] {
        println!(
            "n = {}: largest training |z| {:.2} → contradiction limit {} sd",
            sm.n, sm.max_training_z, sm.z_limit
        );
    }
    if cv {
        let rows = fit::cross_validate(&people, &opts, folds, 2024)?;
        println!("\n{folds}-fold CV (seed 2024), predicting from height, weight, age only:\n");
        println!(
            "| sex | measure | n | model MAE cm | OLS MAE cm | ratio | within ±1 sd | within ±2 sd | ±1 sd by BMI tertile |"
        );
        println!("|---|---|---|---|---|---|---|---|---|");
        for r in rows {
            println!(
                "| {} | {} | {} | {:.2} | {:.2} | {:.3} | {:.1} % | {:.1} % | {:.0} / {:.0} / {:.0} % |",
                r.sex,
                r.measure,
                r.n,
                r.mae_cm,
                r.ols_mae_cm,
                r.ratio(),
                100.0 * r.coverage_1sd,
                100.0 * r.coverage_2sd,
                100.0 * r.coverage_1sd_by_bmi[0],
                100.0 * r.coverage_1sd_by_bmi[1],
                100.0 * r.coverage_1sd_by_bmi[2]
            );
        }
    }
    Ok(())
}
