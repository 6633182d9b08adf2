//! Maker serial-number rules: a tiny pattern language with named parts.
//!
//! A pattern is literal text with parts in braces: `{name:CLASS COUNT}` where CLASS is
//! `N` (digit), `A` (letter A–Z) or `X` (letter or digit) and COUNT is `2` or a range `1-3`.
//! Example: `BM{model:A2}{year:N2}{week:N2}{plant:A1}-{seq:N5}` matches `BMBA2410L-00042`.
//! Matching ignores case and spaces; separator literals (`-`, `/`, `.`) may be omitted by
//! the user. Parts named `model`, `plant`, `year` (2 or 4 digits), `week` (ISO week),
//! `month` and `day` have a meaning; other names (e.g. `seq`) are kept verbatim.

use crate::date::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// Longest serial number accepted, in characters.
pub const MAX_SERIAL_LEN: usize = 64;
const MAX_TOKENS: usize = 48;
const MAX_RANGED_PARTS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Digit,
    Letter,
    Alnum,
}

impl Class {
    fn accepts(self, c: char) -> bool {
        match self {
            Class::Digit => c.is_ascii_digit(),
            Class::Letter => c.is_ascii_uppercase(),
            Class::Alnum => c.is_ascii_uppercase() || c.is_ascii_digit(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Lit(char),
    Part {
        name: String,
        class: Class,
        min: usize,
        max: usize,
    },
}

/// A compiled serial pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialPattern {
    toks: Vec<Tok>,
}

fn is_separator(c: char) -> bool {
    matches!(c, '-' | '/' | '.' | ' ' | '_')
}

impl SerialPattern {
    /// Compiles a pattern; the error explains the first syntax problem.
    pub fn compile(pattern: &str) -> Result<Self, String> {
        let mut toks = Vec::new();
        let mut chars = pattern.chars();
        let mut ranged = 0;
        let mut names: Vec<String> = Vec::new();
        while let Some(c) = chars.next() {
            match c {
                '{' => {
                    let mut inner = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => inner.push(c),
                            None => return Err("a part opened with \"{\" is never closed".into()),
                        }
                    }
                    let (name, spec) = inner
                        .split_once(':')
                        .ok_or_else(|| format!("part {{{inner}}} must look like {{name:N2}}"))?;
                    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                    {
                        return Err(format!("part name {name:?} must be lowercase letters or _"));
                    }
                    if names.iter().any(|n| n == name) {
                        return Err(format!("part name {name:?} is used twice"));
                    }
                    names.push(name.to_string());
                    let mut sc = spec.chars();
                    let class = match sc.next() {
                        Some('N') => Class::Digit,
                        Some('A') => Class::Letter,
                        Some('X') => Class::Alnum,
                        _ => {
                            return Err(format!(
                                "part {{{inner}}}: class must be N (digit), A (letter) or X (either)"
                            ));
                        }
                    };
                    let count: String = sc.collect();
                    let parse = |s: &str| -> Result<usize, String> {
                        match s.parse::<usize>() {
                            Ok(n) if (1..=32).contains(&n) => Ok(n),
                            _ => Err(format!(
                                "part {{{inner}}}: count must be 1–32 or a range like 1-3"
                            )),
                        }
                    };
                    let (min, max) = match count.split_once('-') {
                        Some((a, b)) => (parse(a)?, parse(b)?),
                        None => {
                            let n = parse(&count)?;
                            (n, n)
                        }
                    };
                    if min > max {
                        return Err(format!("part {{{inner}}}: range {min}-{max} is reversed"));
                    }
                    if min != max {
                        ranged += 1;
                    }
                    toks.push(Tok::Part {
                        name: name.to_string(),
                        class,
                        min,
                        max,
                    });
                }
                '}' => return Err("unmatched \"}\"".into()),
                c if c.is_ascii_graphic() || c == ' ' => {
                    toks.push(Tok::Lit(c.to_ascii_uppercase()))
                }
                c => {
                    return Err(format!(
                        "character {c:?} is not allowed in a pattern (ASCII only)"
                    ));
                }
            }
        }
        if toks.is_empty() {
            return Err("pattern is empty".into());
        }
        if toks.len() > MAX_TOKENS {
            return Err(format!(
                "pattern has {} elements (at most {MAX_TOKENS})",
                toks.len()
            ));
        }
        if ranged > MAX_RANGED_PARTS {
            return Err(format!(
                "at most {MAX_RANGED_PARTS} parts may have a length range"
            ));
        }
        if !toks.iter().any(|t| matches!(t, Tok::Part { .. })) {
            return Err("pattern has no {part}".into());
        }
        Ok(Self { toks })
    }

    /// Names of the parts, in order.
    pub fn part_names(&self) -> Vec<&str> {
        self.toks
            .iter()
            .filter_map(|t| match t {
                Tok::Part { name, .. } => Some(name.as_str()),
                Tok::Lit(_) => None,
            })
            .collect()
    }

    /// Length range (min, max) of a named part.
    pub fn part_len(&self, part: &str) -> Option<(usize, usize)> {
        self.toks.iter().find_map(|t| match t {
            Tok::Part { name, min, max, .. } if name == part => Some((*min, *max)),
            _ => None,
        })
    }

    /// Matches a whole serial number; returns the named parts (upper-cased).
    pub fn matches(&self, serial: &str) -> Option<BTreeMap<String, String>> {
        let input: Vec<char> = normalize_serial(serial).chars().collect();
        if input.is_empty() || input.len() > MAX_SERIAL_LEN {
            return None;
        }
        let mut parts = Vec::new();
        self.walk(0, &input, 0, &mut parts)
            .then(|| parts.into_iter().collect())
    }

    fn walk(
        &self,
        ti: usize,
        input: &[char],
        pos: usize,
        parts: &mut Vec<(String, String)>,
    ) -> bool {
        let Some(tok) = self.toks.get(ti) else {
            return pos == input.len();
        };
        match tok {
            Tok::Lit(c) => {
                if input.get(pos) == Some(c) && self.walk(ti + 1, input, pos + 1, parts) {
                    return true;
                }
                // Users often leave out dashes and slashes.
                is_separator(*c) && self.walk(ti + 1, input, pos, parts)
            }
            Tok::Part {
                name,
                class,
                min,
                max,
            } => {
                let avail = input[pos..]
                    .iter()
                    .take(*max)
                    .take_while(|&&c| class.accepts(c))
                    .count();
                for len in (*min..=avail).rev() {
                    parts.push((name.clone(), input[pos..pos + len].iter().collect()));
                    if self.walk(ti + 1, input, pos + len, parts) {
                        return true;
                    }
                    parts.pop();
                }
                false
            }
        }
    }
}

/// Upper-cases and removes whitespace, as serial numbers are typed in many ways.
pub fn normalize_serial(serial: &str) -> String {
    serial
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// What a serial rule revealed about a serial number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SerialInfo {
    /// The rule that matched.
    pub rule: String,
    /// Product id from the rule's model table (`None`: model code not in the table).
    pub product_id: Option<String>,
    /// Production date from year/week/month/day parts (week → its Monday; month → the 1st).
    pub production_date: Option<Date>,
    /// Plant name from the rule's plant table (or the raw code when not in the table).
    pub plant: Option<String>,
    /// All named parts as found.
    pub parts: BTreeMap<String, String>,
}

/// Interprets matched parts: model → product, year/week/month/day → date, plant → name.
/// Returns `None` when a date part is impossible (e.g. week 60), so the rule does not apply.
pub fn interpret(
    rule: &str,
    parts: BTreeMap<String, String>,
    models: &BTreeMap<String, String>,
    plants: &BTreeMap<String, String>,
) -> Option<SerialInfo> {
    let num = |k: &str| parts.get(k).and_then(|v| v.parse::<u32>().ok());
    let product_id = parts.get("model").and_then(|m| models.get(m)).cloned();
    let year = parts.get("year").and_then(|y| {
        let n = y.parse::<i32>().ok()?;
        Some(if y.len() <= 2 { 2000 + n } else { n })
    });
    let production_date = match year {
        None => None,
        Some(y) => {
            if let Some(w) = num("week") {
                Some(Date::from_iso_week(y, u8::try_from(w).ok()?).ok()?)
            } else if let Some(m) = num("month") {
                let d = num("day").unwrap_or(1);
                Some(Date::new(y, u8::try_from(m).ok()?, u8::try_from(d).ok()?).ok()?)
            } else {
                Some(Date::new(y, 1, 1).ok()?)
            }
        }
    };
    let plant = parts
        .get("plant")
        .map(|p| plants.get(p).cloned().unwrap_or_else(|| p.clone()));
    Some(SerialInfo {
        rule: rule.to_string(),
        product_id,
        production_date,
        plant,
        parts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_and_matches_with_named_parts() {
        let p =
            SerialPattern::compile("BM{model:A2}{year:N2}{week:N2}{plant:A1}-{seq:N5}").unwrap();
        assert_eq!(
            p.part_names(),
            vec!["model", "year", "week", "plant", "seq"]
        );
        let m = p.matches("bmba2410l-00042").unwrap();
        assert_eq!(m["model"], "BA");
        assert_eq!(m["year"], "24");
        assert_eq!(m["plant"], "L");
        assert_eq!(m["seq"], "00042");
        // Dash and spaces may be left out.
        assert_eq!(p.matches("BM BA 2410 L 00042").unwrap()["seq"], "00042");
        assert!(p.matches("BMBA2410L-0004").is_none(), "seq needs 5 digits");
        assert!(
            p.matches("BMBA2410L-000421").is_none(),
            "nothing may follow"
        );
        assert!(p.matches("XMBA2410L-00042").is_none());
    }

    #[test]
    fn ranges_backtrack() {
        let p = SerialPattern::compile("{a:N1-3}{b:N2}").unwrap();
        let m = p.matches("12345").unwrap();
        assert_eq!((m["a"].as_str(), m["b"].as_str()), ("123", "45"));
        let m = p.matches("123").unwrap();
        assert_eq!((m["a"].as_str(), m["b"].as_str()), ("1", "23"));
        assert!(p.matches("12").is_none());
    }

    #[test]
    fn syntax_errors_explain() {
        assert!(
            SerialPattern::compile("{model:A2")
                .unwrap_err()
                .contains("never closed")
        );
        assert!(
            SerialPattern::compile("{Model:A2}")
                .unwrap_err()
                .contains("lowercase")
        );
        assert!(
            SerialPattern::compile("{m:Q2}")
                .unwrap_err()
                .contains("class")
        );
        assert!(
            SerialPattern::compile("{m:N0}")
                .unwrap_err()
                .contains("count")
        );
        assert!(
            SerialPattern::compile("{m:N3-1}")
                .unwrap_err()
                .contains("reversed")
        );
        assert!(
            SerialPattern::compile("{m:N1}{m:N1}")
                .unwrap_err()
                .contains("twice")
        );
        assert!(
            SerialPattern::compile("ABC")
                .unwrap_err()
                .contains("no {part}")
        );
        assert!(SerialPattern::compile("").is_err());
    }

    #[test]
    fn interprets_dates_models_plants() {
        let models = BTreeMap::from([("BA".to_string(), "barista-one".to_string())]);
        let plants = BTreeMap::from([("L".to_string(), "Lahr, Germany".to_string())]);
        let p = SerialPattern::compile("{model:A2}{year:N2}{week:N2}{plant:A1}").unwrap();
        let info = interpret("r", p.matches("BA2410L").unwrap(), &models, &plants).unwrap();
        assert_eq!(info.product_id.as_deref(), Some("barista-one"));
        assert_eq!(info.production_date.unwrap().to_string(), "2024-03-04");
        assert_eq!(info.plant.as_deref(), Some("Lahr, Germany"));
        assert!(
            interpret("r", p.matches("BA2460L").unwrap(), &models, &plants).is_none(),
            "week 60"
        );
        let info = interpret("r", p.matches("ZZ2401Q").unwrap(), &models, &plants).unwrap();
        assert_eq!(info.product_id, None);
        assert_eq!(info.plant.as_deref(), Some("Q"));
    }
}
