//! Garment and fit subcommands: `recommend`, `eval-sizes`, `catalog check|qa|generate`.

use crate::body_cmd::{BodyArgs, load_ansur_dir};
use crate::{input_err, print_json};
use clap::{Args, Subcommand};
use doppel_body::BodyError;
use doppel_body::ansur::AnsurPerson;
use doppel_body::avatar::build_avatar;
use doppel_body::predict::{fit as train, predict_with};
use doppel_body::{BodyInput, Measure, Sex};
use doppel_fit::analysis::{FitModel, FitPreference, RegionFit, Verdict, fold_drape_strain};
use doppel_fit::bound;
use doppel_fit::drape::{BodyCollider, BodySurface, dress_on, region_strain_pct};
use doppel_fit::eval::{self, EvalScores};
use doppel_fit::recommend::{self, DEFAULT_SAMPLES, DEFAULT_SEED, argmax, body_samples};
use doppel_garment::catalog::{self, CheckOptions, Product};
use doppel_garment::chart::{MeasureValues, NeighbourIssue, SizeChart, measure_values};
use doppel_garment::generate::{default_reference_stature_cm, reference_stature_cm};
use doppel_garment::mesh::check_glb;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Garment and fit subcommands.
// Parsed once per process; boxing the body flags would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum FitCmd {
    /// Recommend a size of a catalog product for a body (probabilities, fit per region).
    Recommend(RecommendArgs),
    /// Score size recommendations from height, weight and age against a chart on ANSUR II.
    EvalSizes(EvalSizesArgs),
    /// Upper bound on the size accuracy any recommender can reach from height, weight and
    /// age on ANSUR II (input twins, bias measured on simulated data); JSON report.
    SizeBound(SizeBoundArgs),
    /// Catalog tools: check, qa, generate.
    #[command(subcommand)]
    Catalog(CatalogCmd),
}

/// Arguments of `doppel recommend`.
#[derive(Args)]
pub struct RecommendArgs {
    /// Catalog folder (holding catalog.json).
    #[arg(long)]
    catalog: PathBuf,
    /// Product id.
    #[arg(long)]
    product: String,
    #[command(flatten)]
    body: BodyArgs,
    /// Fit preference: snug, regular or loose.
    #[arg(long, default_value = "regular")]
    fit: String,
    /// Monte Carlo draws of the body (100–100000).
    #[arg(long, default_value_t = DEFAULT_SAMPLES)]
    samples: usize,
    /// Seed of the draws (recommendations are deterministic).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Also drape every size (that has a mesh) on the shopper's avatar with the cloth
    /// solver and report per region the larger of the chart-based and the simulated
    /// girth strain in `strain_pct`.
    #[arg(long)]
    drape: bool,
}

/// Arguments of `doppel eval-sizes`.
#[derive(Args)]
pub struct EvalSizesArgs {
    /// Size chart JSON file.
    #[arg(long)]
    chart: PathBuf,
    /// Directory holding ANSUR II `male*.csv` / `female*.csv` files.
    #[arg(long)]
    ansur_dir: PathBuf,
    /// doppel (shipped predictor), cv (predictor retrained per fold, no leakage), resid
    /// (per fold: log-quadratic least squares plus the training people's empirical joint
    /// residuals instead of a Gaussian) or ols (least-squares baseline per fold, point
    /// estimate + chart rule).
    #[arg(long, default_value = "doppel")]
    method: String,
    /// What the recommended size maximises: `exact` (the chance of the true size; the
    /// shipped rule) or `within-one` (the chance of being at most one size off).
    #[arg(long, default_value = "exact")]
    objective: String,
    /// Folds for cv and ols (2–20).
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Monte Carlo draws per person (100–100000).
    #[arg(long, default_value_t = DEFAULT_SAMPLES)]
    samples: usize,
    /// Seed of folds and draws.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

/// Arguments of `doppel size-bound`.
#[derive(Args)]
pub struct SizeBoundArgs {
    /// Size chart JSON file.
    #[arg(long)]
    chart: PathBuf,
    /// Directory holding ANSUR II `male*.csv` / `female*.csv` files.
    #[arg(long)]
    ansur_dir: PathBuf,
    /// Twin tolerances as multiples of (1.5 cm, 1.5 kg, 3 years), comma-separated (0.1–5).
    #[arg(long, value_delimiter = ',', default_values_t = [2.0, 1.5, 1.0, 0.75])]
    tolerances: Vec<f64>,
    /// Strata (by the model's own confidence) within which the bound is taken (1–50).
    #[arg(long, default_value_t = 10)]
    strata: usize,
    /// Monte Carlo draws per person for the simulated size probabilities (100–100000).
    #[arg(long, default_value_t = 2000)]
    sim_draws: usize,
    /// Simulated label sets the estimator is run on (1–200).
    #[arg(long, default_value_t = 40)]
    sim_reps: usize,
    /// Bootstrap resamples of anchors (0–10000).
    #[arg(long, default_value_t = 300)]
    bootstrap: usize,
    /// Seed of the simulation and the bootstrap.
    #[arg(long, default_value_t = 2024)]
    seed: u64,
}

/// Catalog subcommands.
#[derive(Subcommand)]
pub enum CatalogCmd {
    /// Check a catalog folder; lists every problem (exit 2 if any).
    Check {
        /// Catalog folder (holding catalog.json).
        dir: PathBuf,
    },
    /// Grading QA of one product against the ANSUR II population of its sex.
    Qa {
        /// Catalog folder.
        #[arg(long)]
        catalog: PathBuf,
        /// Product id.
        #[arg(long)]
        product: String,
        /// Directory holding ANSUR II CSVs.
        #[arg(long)]
        ansur_dir: PathBuf,
    },
    /// Generate the sample catalog (charts, products, one .glb per size) into a folder.
    Generate {
        /// Output folder (created; existing files are overwritten).
        #[arg(long, default_value = "assets/catalog")]
        out: PathBuf,
    },
}

/// Runs a fit subcommand.
pub fn run(cmd: FitCmd) -> anyhow::Result<()> {
    match cmd {
        FitCmd::Recommend(a) => recommend_cmd(&a),
        FitCmd::EvalSizes(a) => eval_sizes_cmd(&a),
        FitCmd::SizeBound(a) => size_bound_cmd(&a),
        FitCmd::Catalog(CatalogCmd::Check { dir }) => check_cmd(&dir),
        FitCmd::Catalog(CatalogCmd::Qa {
            catalog,
            product,
            ansur_dir,
        }) => qa_cmd(&catalog, &product, &ansur_dir),
        FitCmd::Catalog(CatalogCmd::Generate { out }) => generate_cmd(&out),
    }
}

fn check_samples(n: usize) -> anyhow::Result<usize> {
    if (100..=100_000).contains(&n) {
        Ok(n)
    } else {
        Err(input_err(format!(
            "--samples = {n} is outside the allowed range 100–100000"
        )))
    }
}

/// Reads `catalog.json` and checks it; files are read only inside `dir`.
fn load_catalog(dir: &Path, meshes: bool) -> anyhow::Result<catalog::CheckReport> {
    let path = dir.join("catalog.json");
    let bytes = std::fs::read(&path).map_err(|e| {
        input_err(format!(
            "--catalog {}: cannot read catalog.json: {e}",
            dir.display()
        ))
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| input_err(format!("{}: not UTF-8 text", path.display())))?;
    let root = dir.to_path_buf();
    let read = move |rel: &str| -> Result<Vec<u8>, String> {
        if !catalog::is_safe_relative_path(rel) {
            return Err("path leaves the catalog folder".into());
        }
        std::fs::read(root.join(rel)).map_err(|e| e.to_string())
    };
    Ok(catalog::check_catalog(
        &text,
        &read,
        CheckOptions { meshes },
    ))
}

fn load_product(dir: &Path, id: &str) -> anyhow::Result<Product> {
    let rep = load_catalog(dir, false)?;
    let mine: Vec<String> = rep
        .problems
        .iter()
        .filter(|p| p.product.as_deref() == Some(id) || p.product.is_none())
        .map(ToString::to_string)
        .collect();
    if !mine.is_empty() {
        return Err(input_err(format!(
            "catalog {} has problems for product {id:?}:\n  - {}",
            dir.display(),
            mine.join("\n  - ")
        )));
    }
    rep.products
        .iter()
        .find(|p| p.id == id)
        .cloned()
        .ok_or_else(|| {
            let ids: Vec<&str> = rep.products.iter().map(|p| p.id.as_str()).collect();
            input_err(format!(
                "--product {id:?} is not in the catalog (products: {})",
                ids.join(", ")
            ))
        })
}

fn recommend_cmd(a: &RecommendArgs) -> anyhow::Result<()> {
    let pref = FitPreference::from_key(&a.fit).ok_or_else(|| {
        input_err(format!(
            "--fit = {:?} is not allowed (snug, regular or loose)",
            a.fit
        ))
    })?;
    let n = check_samples(a.samples)?;
    let input = a.body.to_input()?;
    let product = load_product(&a.catalog, &a.product)?;
    if product.sex != input.sex {
        return Err(input_err(format!(
            "--sex = {} but product {:?} is cut for {}",
            input.sex, product.id, product.sex
        )));
    }
    let pred = doppel_body::predict(&input).map_err(input_err)?;
    let (central, draws) = body_samples(&pred, n, a.seed);
    let model = FitModel::from_product(&product);
    let supplied: Vec<Measure> = input.measured_cm.keys().copied().collect();
    let mut rec = recommend::recommend(&model, &central, &draws, pref, input.sex, &supplied);
    if a.drape {
        drape_strain_into(&mut rec.regions, &a.catalog, &product, &input)?;
    }
    print_json(&rec)
}

/// `recommend --drape`: builds the avatar once, drapes every size that has a mesh and
/// folds the simulated girth strain into that size's regions.
fn drape_strain_into(
    regions: &mut [RegionFit],
    dir: &Path,
    product: &Product,
    input: &BodyInput,
) -> anyhow::Result<()> {
    let av = build_avatar(input).map_err(|e| match e {
        BodyError::Model(_) => anyhow::Error::new(e),
        other => input_err(other),
    })?;
    let body = BodySurface {
        positions: &av.mesh.positions,
        normals: &av.mesh.normals,
        indices: &av.mesh.indices,
    };
    let collider = BodyCollider::new(&body)?.with_joints(&av.mesh.joints);
    for size in &product.sizes {
        let Some(rel) = size.mesh.as_deref() else {
            continue;
        };
        let what = format!("product {}, size {}, mesh {rel}", product.id, size.label);
        let bytes = std::fs::read(dir.join(rel)).map_err(|e| input_err(format!("{what}: {e}")))?;
        let rep = check_glb(&bytes);
        let Some(mesh) = rep.mesh else {
            let problems: Vec<String> = rep.problems.iter().map(ToString::to_string).collect();
            return Err(input_err(format!("{what}: {}", problems.join("; "))));
        };
        let ref_cm = reference_stature_cm(&product.chart.name, &size.label)
            .unwrap_or_else(|| default_reference_stature_cm(product.sex));
        let draped = dress_on(
            &collider,
            &mesh.positions,
            &mesh.indices,
            (ref_cm / 100.0) as f32,
            &product.fabric,
            product.category,
        )
        .map_err(|e| input_err(format!("{what}: {e}")))?;
        let strain = region_strain_pct(
            &mesh.positions,
            &mesh.indices,
            &draped.positions,
            &av.mesh.levels_m,
        );
        fold_drape_strain(regions, &size.label, &strain);
    }
    Ok(())
}

fn person_values(p: &AnsurPerson) -> MeasureValues {
    measure_values(p.measures_cm.iter().map(|(m, v)| (*m, *v)))
}

fn eval_sizes_cmd(a: &EvalSizesArgs) -> anyhow::Result<()> {
    let n_samples = check_samples(a.samples)?;
    if !(2..=20).contains(&a.folds) {
        return Err(input_err(format!(
            "--folds = {} is outside the allowed range 2–20",
            a.folds
        )));
    }
    let within_one = match a.objective.as_str() {
        "exact" => false,
        "within-one" => true,
        other => {
            return Err(input_err(format!(
                "--objective = {other:?} is not allowed (exact or within-one)"
            )));
        }
    };
    let chart = ansur_chart(&a.chart)?;
    let all = load_ansur_dir(&a.ansur_dir)?;
    let idx: Vec<usize> = (0..all.len())
        .filter(|&i| all[i].sex == chart.sex)
        .collect();
    if idx.is_empty() {
        return Err(input_err(format!(
            "--ansur-dir {}: no {} subjects for chart {:?}",
            a.ansur_dir.display(),
            chart.sex,
            chart.name
        )));
    }
    let truth: Vec<usize> = idx
        .iter()
        .map(|&i| chart.true_size(&person_values(&all[i])).unwrap_or(0))
        .collect();
    let model = FitModel::from_chart(&chart);
    let fold = eval::folds(idx.len(), a.folds, a.seed);
    let mut pred = vec![0usize; idx.len()];
    let mut conf = vec![0.0; idx.len()];
    let input_of = |p: &AnsurPerson| {
        BodyInput::new(
            p.sex,
            p.height_cm(),
            p.weight_kg,
            Some(p.age_years.clamp(14.0, 100.0)),
            [],
        )
        .map_err(|e| input_err(format!("subject {} (line {}): {e}", p.subject_id, p.line)))
    };
    let choose = |p: &[f64]| {
        if within_one {
            recommend::within_one_choice(p)
        } else {
            argmax(p)
        }
    };
    let mut mc = |j: usize, pr: &doppel_body::Prediction| {
        let (_, draws) = body_samples(pr, n_samples, a.seed.wrapping_add(j as u64));
        let p = recommend::size_probabilities(&model, &draws, FitPreference::Regular);
        let b = choose(&p);
        pred[j] = b;
        conf[j] = p[b];
    };
    match a.method.as_str() {
        "doppel" => {
            let m = doppel_body::predict::embedded_model().map_err(anyhow::Error::new)?;
            for (j, &i) in idx.iter().enumerate() {
                let pr = predict_with(m, &input_of(&all[i])?).map_err(input_err)?;
                mc(j, &pr);
            }
        }
        "cv" => {
            for f in 0..a.folds {
                let held: Vec<usize> = (0..idx.len()).filter(|&j| fold[j] == f).collect();
                let train_set: Vec<AnsurPerson> = (0..all.len())
                    .filter(|i| match idx.binary_search(i) {
                        Ok(j) => fold[j] != f,
                        Err(_) => true,
                    })
                    .map(|i| all[i].clone())
                    .collect();
                let m = train::train(&train_set, &train::TrainOptions::default(), "eval-sizes cv")
                    .map_err(anyhow::Error::new)?;
                for j in held {
                    let pr = predict_with(&m, &input_of(&all[idx[j]])?).map_err(input_err)?;
                    mc(j, &pr);
                }
            }
        }
        "resid" => {
            let mine: Vec<AnsurPerson> = idx.iter().map(|&i| all[i].clone()).collect();
            let probs = eval::residual_probabilities(&mine, &chart, a.folds, a.seed)
                .ok_or_else(|| anyhow::anyhow!("least squares failed for {}", chart.name))?;
            for (j, p) in probs.iter().enumerate() {
                pred[j] = choose(p);
                conf[j] = p.get(pred[j]).copied().unwrap_or(0.0);
            }
        }
        "ols" => {
            let mine: Vec<AnsurPerson> = idx.iter().map(|&i| all[i].clone()).collect();
            pred = eval::ols_sizes(&mine, &chart, a.folds, a.seed)
                .ok_or_else(|| anyhow::anyhow!("least squares failed for {}", chart.name))?;
            // A point estimate states no uncertainty: confidence 1.
            conf = vec![1.0; idx.len()];
        }
        other => {
            return Err(input_err(format!(
                "--method = {other:?} is not allowed (doppel, cv, resid or ols)"
            )));
        }
    }
    let s: EvalScores = eval::score(&truth, &pred, &conf);
    print_json(&EvalScores {
        n: s.n,
        accuracy: round4(s.accuracy),
        within_one: round4(s.within_one),
        ece: round4(s.ece),
    })
}

/// Reads `--chart` for a run on ANSUR II: a valid chart whose every dimension ANSUR II
/// measures (exit 2 naming the file otherwise).
fn ansur_chart(path: &std::path::Path) -> anyhow::Result<SizeChart> {
    let bad = |e: &dyn std::fmt::Display| input_err(format!("--chart {}: {e}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(&e))?;
    let chart = SizeChart::from_json(&text).map_err(|e| bad(&e))?;
    eval::check_chart_measured(&chart).map_err(|e| bad(&e))?;
    Ok(chart)
}

fn size_bound_cmd(a: &SizeBoundArgs) -> anyhow::Result<()> {
    check_samples(a.sim_draws).map_err(|_| {
        input_err(format!(
            "--sim-draws = {} is outside the allowed range 100–100000",
            a.sim_draws
        ))
    })?;
    if !(1..=200).contains(&a.sim_reps) {
        return Err(input_err(format!(
            "--sim-reps = {} is outside the allowed range 1–200",
            a.sim_reps
        )));
    }
    if !(1..=50).contains(&a.strata) {
        return Err(input_err(format!(
            "--strata = {} is outside the allowed range 1–50",
            a.strata
        )));
    }
    if a.bootstrap > 10_000 {
        return Err(input_err(format!(
            "--bootstrap = {} is outside the allowed range 0–10000",
            a.bootstrap
        )));
    }
    if a.tolerances.is_empty() || a.tolerances.iter().any(|t| !(0.1..=5.0).contains(t)) {
        return Err(input_err(format!(
            "--tolerances = {:?}: each must lie in 0.1–5",
            a.tolerances
        )));
    }
    let chart = ansur_chart(&a.chart)?;
    let all = load_ansur_dir(&a.ansur_dir)?;
    let model = doppel_body::predict::embedded_model().map_err(anyhow::Error::new)?;
    let opts = bound::StudyOptions {
        tolerance_scales: a.tolerances.clone(),
        strata: a.strata,
        sim_draws: a.sim_draws,
        sim_reps: a.sim_reps,
        bootstrap: a.bootstrap,
        seed: a.seed,
    };
    // Every failure of the study comes from the data or the options given.
    let rep = bound::study(&all, &chart, model, &opts).map_err(input_err)?;
    print_json(&rep)
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[derive(Serialize)]
struct CheckOut {
    products: usize,
    problems: Vec<doppel_garment::Problem>,
}

fn check_cmd(dir: &Path) -> anyhow::Result<()> {
    let rep = load_catalog(dir, true)?;
    let n = rep.problems.len();
    print_json(&CheckOut {
        products: rep.products.len(),
        problems: rep.problems.clone(),
    })?;
    if n > 0 {
        let lines: Vec<String> = rep.problems.iter().map(ToString::to_string).collect();
        return Err(input_err(format!(
            "catalog {} has {n} problem(s):\n  - {}",
            dir.display(),
            lines.join("\n  - ")
        )));
    }
    Ok(())
}

#[derive(Serialize)]
struct QaSize {
    size: String,
    /// Share of the population this size fits "good" or "snug" in every assessed region.
    fits_share: f64,
    /// Share whose chart size (the chart rule) this is.
    chart_share: f64,
}

#[derive(Serialize)]
struct QaOut {
    product: String,
    sex: Sex,
    n: usize,
    sizes: Vec<QaSize>,
    /// People no size fits "good" or "snug" everywhere.
    no_size_fits: usize,
    no_size_fits_share: f64,
    /// Gaps and overlaps between neighbouring sizes (chart grading).
    neighbour_issues: Vec<NeighbourIssue>,
}

fn qa_cmd(dir: &Path, id: &str, ansur_dir: &Path) -> anyhow::Result<()> {
    let product = load_product(dir, id)?;
    let people: Vec<AnsurPerson> = load_ansur_dir(ansur_dir)?
        .into_iter()
        .filter(|p| p.sex == product.sex)
        .collect();
    if people.is_empty() {
        return Err(input_err(format!(
            "--ansur-dir {}: no {} subjects",
            ansur_dir.display(),
            product.sex
        )));
    }
    let model = FitModel::from_product(&product);
    let k = model.labels().len();
    let mut fits = vec![0usize; k];
    let mut chart_n = vec![0usize; k];
    let mut none = 0usize;
    for p in &people {
        let b = person_values(p);
        let mut any = false;
        for (i, f) in fits.iter_mut().enumerate() {
            let a = model.analyse(i, &b, FitPreference::Regular);
            let ok = !a.regions.is_empty()
                && a.regions
                    .iter()
                    .all(|r| matches!(r.verdict, Verdict::Good | Verdict::Snug));
            if ok {
                *f += 1;
                any = true;
            }
        }
        if !any {
            none += 1;
        }
        if let Some(t) = product.chart.true_size(&b) {
            chart_n[t] += 1;
        }
    }
    let n = people.len();
    let share = |c: usize| round4(c as f64 / n as f64);
    print_json(&QaOut {
        product: product.id.clone(),
        sex: product.sex,
        n,
        sizes: (0..k)
            .map(|i| QaSize {
                size: model.labels()[i].clone(),
                fits_share: share(fits[i]),
                chart_share: share(chart_n[i]),
            })
            .collect(),
        no_size_fits: none,
        no_size_fits_share: share(none),
        neighbour_issues: product.chart.neighbour_issues(),
    })
}

fn generate_cmd(out: &Path) -> anyhow::Result<()> {
    let files = doppel_garment::generate::sample_catalog().map_err(anyhow::Error::new)?;
    for (rel, bytes) in &files {
        let path = out.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, bytes)?;
    }
    eprintln!("wrote {} files to {}", files.len(), out.display());
    let rep = load_catalog(out, true)?;
    if !rep.problems.is_empty() {
        anyhow::bail!("generated catalog has problems: {:?}", rep.problems);
    }
    Ok(())
}
