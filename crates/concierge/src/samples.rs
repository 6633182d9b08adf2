//! Reading a pack folder from disk, the committed sample packs, and the synthetic
//! 500-entry pack the latency benchmarks use: the one place tests, benches, the CLI and
//! the wasm benchmark get their packs from.
//!
//! The browser never reads folders: it fetches the files and calls [`Pack::from_files`]
//! or [`Pack::from_bundle`]. [`read_pack_dir`] is the only file I/O in this crate.

use crate::pack::{Pack, PackErrors};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// The sample packs committed under `assets/concierge/packs/`.
pub const SAMPLE_PACKS: [&str; 2] = ["bohnenwerk", "fashion"];

/// Why a pack folder could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The path is not a folder.
    #[error("{0}: not a folder")]
    NotAFolder(PathBuf),
    /// A file or the folder listing could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The files were read but do not form a valid pack.
    #[error(transparent)]
    Pack(#[from] PackErrors),
}

/// Reads every `*.json` file of a pack folder (not recursive), sorted by name, as the
/// `(file name, contents)` pairs [`Pack::from_files`] takes. Files that are not pack files
/// are returned too, so that the loader reports them as unknown rather than silently
/// ignoring a misspelt `faqs.json`.
pub fn read_pack_dir(dir: &Path) -> Result<Vec<(String, String)>, LoadError> {
    if !dir.is_dir() {
        return Err(LoadError::NotAFolder(dir.to_path_buf()));
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| LoadError::Io { path, source }
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let p = entry.map_err(io(dir))?.path();
        if p.extension().is_some_and(|e| e == "json") && p.is_file() {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            let text = std::fs::read_to_string(&p).map_err(io(&p))?;
            files.push((name, text));
        }
    }
    files.sort();
    Ok(files)
}

impl Pack {
    /// Reads and validates a pack folder ([`read_pack_dir`] + [`Pack::from_files`]).
    pub fn load_dir(dir: &Path) -> Result<Pack, LoadError> {
        Ok(Pack::from_files(&read_pack_dir(dir)?)?)
    }
}

/// The folder of a committed sample pack (one of [`SAMPLE_PACKS`]) in this source tree.
/// Only meaningful in a checkout of the repository (tests, benches, examples).
pub fn sample_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/concierge/packs")
        .join(name)
}

/// The files of a committed sample pack, read at run time ([`sample_dir`]).
pub fn sample_files(name: &str) -> Result<Vec<(String, String)>, LoadError> {
    read_pack_dir(&sample_dir(name))
}

/// Loads a committed sample pack ([`sample_dir`]).
pub fn sample(name: &str) -> Result<Pack, LoadError> {
    Pack::load_dir(&sample_dir(name))
}

/// The committed sample packs compiled into the binary, for builds that cannot read files
/// (the wasm benchmark). Behind the `embedded-samples` feature so that the web app does
/// not carry them: it fetches packs from `/packs/<name>/`.
#[cfg(feature = "embedded-samples")]
pub mod embedded {
    macro_rules! embed {
        ([$($f:literal),*], $dir:literal) => {
            &[$(($f, include_str!(concat!("../../../assets/concierge/packs/", $dir, "/", $f)))),*]
        };
    }

    /// `assets/concierge/packs/bohnenwerk` (which has every pack file) as `(file name,
    /// contents)` pairs.
    pub const BOHNENWERK: &[(&str, &str)] = crate::pack::with_pack_files!(embed, "bohnenwerk");

    /// The embedded files of a sample pack as owned pairs (e.g. for [`super::grow_faq`]).
    pub fn files(pack: &[(&str, &str)]) -> Vec<(String, String)> {
        pack.iter()
            .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
            .collect()
    }
}

/// Deterministic pseudo-random indices (64-bit LCG; same sequence on every platform).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        // n is a small list length, so the u64 → usize round trip cannot truncate it.
        usize::try_from((self.0 >> 33) % n.max(1) as u64).unwrap_or(0)
    }
}

/// Grows the `faq.json` of `files` to `entries` entries for latency benchmarks: every
/// extra entry recombines sentences of the real answers (deterministic), so vocabulary
/// and text lengths stay realistic. Native and wasm benchmarks call this with the same
/// files and get the same pack. Fails when `faq.json` is missing or not a de+en FAQ.
pub fn grow_faq(files: &mut [(String, String)], entries: usize) -> Result<(), String> {
    let slot = files
        .iter_mut()
        .find(|(n, _)| n == "faq.json")
        .ok_or("the pack has no faq.json")?;
    let faq: Value = serde_json::from_str(&slot.1).map_err(|e| format!("faq.json: {e}"))?;
    let real = faq["entries"]
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or("faq.json: no entries")?
        .clone();
    let text = |v: &Value, key: &str, lang: &str| -> Result<String, String> {
        let t = match key {
            "answer" => &v["answer"][lang],
            _ => &v["questions"][lang][0],
        };
        t.as_str()
            .map(String::from)
            .ok_or_else(|| format!("faq.json: an entry lacks its {lang} {key}"))
    };
    let mut sentences: Vec<(String, String)> = Vec::new();
    for e in &real {
        let (de, en) = (text(e, "answer", "de")?, text(e, "answer", "en")?);
        for (a, b) in de.split(". ").zip(en.split(". ")) {
            sentences.push((a.to_string(), b.to_string()));
        }
    }
    let first_words = |s: &str| s.split(' ').take(4).collect::<Vec<_>>().join(" ");
    let mut rng = Lcg(42);
    let mut out = real.clone();
    let mut i = 0;
    while out.len() < entries {
        let base = &real[rng.below(real.len())];
        let s1 = &sentences[rng.below(sentences.len())];
        let s2 = &sentences[rng.below(sentences.len())];
        let s3 = &sentences[rng.below(sentences.len())];
        let (qde, qen) = (text(base, "q", "de")?, text(base, "q", "en")?);
        out.push(json!({
            "id": format!("synthetic-{i}"),
            "questions": {
                "de": [format!("{} {}?", qde.trim_end_matches('?'), first_words(&s1.0))],
                "en": [format!("{} {}?", qen.trim_end_matches('?'), first_words(&s1.1))],
            },
            "answer": {
                "de": format!("{}. {}. {}.", s1.0, s2.0, s3.0),
                "en": format!("{}. {}. {}.", s1.1, s2.1, s3.1),
            },
            "source": {"document": "Synthetic manual", "section": format!("{i}")}
        }));
        i += 1;
    }
    slot.1 = json!({ "entries": out }).to_string();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_pack_loads_from_its_folder() {
        for name in SAMPLE_PACKS {
            let files = sample_files(name).unwrap_or_else(|e| panic!("{e}"));
            // Only pack files live in the sample folders.
            for (f, _) in &files {
                assert!(crate::pack::PACK_FILES.contains(&f.as_str()), "{name}/{f}");
            }
            assert!(sample(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn missing_folder_and_broken_pack_are_errors() {
        let e = sample("no-such-pack").unwrap_err();
        assert!(matches!(e, LoadError::NotAFolder(_)), "{e}");
        assert!(e.to_string().ends_with("no-such-pack: not a folder"));
        // A folder without pack.json is a pack error naming the missing file.
        let e = Pack::load_dir(&sample_dir("..")).unwrap_err();
        assert!(e.to_string().contains("pack.json: is missing"), "{e}");
    }

    #[cfg(feature = "embedded-samples")]
    #[test]
    fn embedded_sample_matches_the_folder() {
        // Same files and contents as the folder: a file added to the pack must be embedded.
        let mut e = embedded::files(embedded::BOHNENWERK);
        e.sort();
        assert_eq!(
            e,
            sample_files("bohnenwerk").unwrap_or_else(|x| panic!("{x}"))
        );
    }

    #[test]
    fn grown_faq_is_deterministic_and_loads() {
        let mut a = sample_files("bohnenwerk").unwrap_or_else(|e| panic!("{e}"));
        let mut b = a.clone();
        grow_faq(&mut a, 120).unwrap_or_else(|e| panic!("{e}"));
        grow_faq(&mut b, 120).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a, b);
        let p = Pack::from_files(&a).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.faq.len(), 120);
        let mut none = vec![("pack.json".to_string(), "{}".to_string())];
        assert!(grow_faq(&mut none, 10).is_err());
    }
}
