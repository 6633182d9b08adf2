//! Size label conversions between systems (EU/DE, UK, US, IT, FR; letter sizes), as data.
//!
//! The table lives in `assets/charts/labels.json` and is compiled in. Letter sizes cover
//! two numeric sizes each, so a conversion can give more than one label.

use doppel_body::Sex;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The label data file, compiled in so that the browser build needs no file access.
pub const LABELS_JSON: &str = include_str!("../../../assets/charts/labels.json");

/// A labelling system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LabelSystem {
    /// German sizes.
    De,
    /// EU sizes (EN 13402-3 numeric; equal to DE).
    Eu,
    /// French sizes.
    Fr,
    /// Italian sizes.
    It,
    /// UK sizes.
    Uk,
    /// US sizes.
    Us,
    /// Letter sizes (XS … 3XL).
    Letter,
}

impl LabelSystem {
    /// Key as used in the data file and CLI.
    pub fn key(self) -> &'static str {
        match self {
            LabelSystem::De => "de",
            LabelSystem::Eu => "eu",
            LabelSystem::Fr => "fr",
            LabelSystem::It => "it",
            LabelSystem::Uk => "uk",
            LabelSystem::Us => "us",
            LabelSystem::Letter => "letter",
        }
    }

    /// Parses a key (`de`, `EU`, `letter`, …).
    pub fn from_key(k: &str) -> Option<LabelSystem> {
        [
            LabelSystem::De,
            LabelSystem::Eu,
            LabelSystem::Fr,
            LabelSystem::It,
            LabelSystem::Uk,
            LabelSystem::Us,
            LabelSystem::Letter,
        ]
        .into_iter()
        .find(|s| s.key().eq_ignore_ascii_case(k.trim()))
    }
}

#[derive(Deserialize)]
struct Table {
    women: Vec<BTreeMap<String, String>>,
    men: Vec<BTreeMap<String, String>>,
}

fn table() -> Option<&'static Table> {
    static T: OnceLock<Option<Table>> = OnceLock::new();
    T.get_or_init(|| serde_json::from_str(LABELS_JSON).ok())
        .as_ref()
}

/// Converts `label` in system `from` to system `to` for `sex`. Returns every matching
/// label in table order (smallest first), without duplicates; empty when unknown.
pub fn convert(sex: Sex, from: LabelSystem, label: &str, to: LabelSystem) -> Vec<String> {
    let Some(t) = table() else {
        return Vec::new();
    };
    let rows = match sex {
        Sex::Female => &t.women,
        Sex::Male => &t.men,
    };
    let mut out: Vec<String> = Vec::new();
    for r in rows {
        if r.get(from.key())
            .is_some_and(|l| l.eq_ignore_ascii_case(label.trim()))
            && let Some(v) = r.get(to.key())
            && !out.contains(v)
        {
            out.push(v.clone());
        }
    }
    out
}

/// The systems the table has for `sex`.
pub fn systems(sex: Sex) -> Vec<LabelSystem> {
    let Some(t) = table() else {
        return Vec::new();
    };
    let rows = match sex {
        Sex::Female => &t.women,
        Sex::Male => &t.men,
    };
    let mut s: Vec<LabelSystem> = rows
        .first()
        .map(|r| r.keys().filter_map(|k| LabelSystem::from_key(k)).collect())
        .unwrap_or_default();
    s.sort();
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use LabelSystem::*;

    #[test]
    fn table_parses_and_is_complete() {
        let t = table().expect("compiled-in label table parses");
        assert!(t.women.len() >= 10 && t.men.len() >= 10);
        for r in &t.women {
            for k in ["de", "eu", "fr", "it", "uk", "us", "letter"] {
                assert!(r.contains_key(k), "women row lacks {k}: {r:?}");
            }
        }
        assert_eq!(systems(Sex::Female).len(), 7);
    }

    #[test]
    fn women_numeric_conversions_follow_the_offsets() {
        // DE 38 is FR 40, IT 42, UK 10, US 8 (EN 13402-3 era standard offsets).
        assert_eq!(convert(Sex::Female, De, "38", Fr), vec!["40"]);
        assert_eq!(convert(Sex::Female, De, "38", It), vec!["42"]);
        assert_eq!(convert(Sex::Female, De, "38", Uk), vec!["10"]);
        assert_eq!(convert(Sex::Female, De, "38", Us), vec!["8"]);
        assert_eq!(convert(Sex::Female, Uk, "10", De), vec!["38"]);
        // Offsets hold across the whole table.
        for de in (30..=56).step_by(2) {
            let d = de.to_string();
            let us: i32 = convert(Sex::Female, De, &d, Us)[0].parse().unwrap_or(-99);
            let it: i32 = convert(Sex::Female, De, &d, It)[0].parse().unwrap_or(-99);
            assert_eq!((us, it), (de - 30, de + 4), "DE {de}");
        }
    }

    #[test]
    fn letters_are_many_to_one() {
        assert_eq!(convert(Sex::Female, Letter, "m", De), vec!["40", "42"]);
        assert_eq!(convert(Sex::Male, Letter, "L", De), vec!["52", "54"]);
        assert_eq!(convert(Sex::Male, De, "50", Uk), vec!["40"]);
        assert!(convert(Sex::Male, De, "51", Uk).is_empty());
        assert_eq!(LabelSystem::from_key("EU"), Some(Eu));
        assert_eq!(LabelSystem::from_key("jp"), None);
    }
}
