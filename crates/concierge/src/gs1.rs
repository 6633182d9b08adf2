//! GS1 identification: GTIN check digits, element strings (with and without parentheses,
//! FNC1/GS separators) and GS1 Digital Link URIs.
//!
//! Only the application identifiers (AIs) in [`AI_TABLE`] are accepted; an unknown AI is
//! an error, because guessing its length would misread everything after it.

use crate::date::{Date, days_in_month};
use serde::Serialize;
use std::collections::BTreeMap;

/// Longest input accepted by the parsers, in bytes (real codes are far shorter).
pub const MAX_CODE_LEN: usize = 1024;

/// The GS1 group separator (ASCII 29) that stands for FNC1 inside a data string.
pub const GS: char = '\u{1d}';

/// How an AI's value is interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AiKind {
    /// A GTIN-14 (AI 01, 02) — check digit validated.
    Gtin,
    /// An SSCC-18 (AI 00) — check digit validated.
    Sscc,
    /// A date YYMMDD.
    Date,
    /// Digits only.
    Numeric,
    /// GS1 character set 82 (printable ASCII subset).
    Alphanumeric,
}

/// One known application identifier.
#[derive(Debug, Clone, Copy)]
pub struct AiSpec {
    /// The AI digits, e.g. `"21"`; a trailing `n` stands for any decimal-point digit (`"310n"`).
    pub ai: &'static str,
    /// Human name used in messages.
    pub name: &'static str,
    /// Exact value length for fixed-length AIs.
    pub fixed: Option<usize>,
    /// Maximum value length.
    pub max: usize,
    /// Value interpretation.
    pub kind: AiKind,
}

const fn fixed(ai: &'static str, name: &'static str, len: usize, kind: AiKind) -> AiSpec {
    AiSpec {
        ai,
        name,
        fixed: Some(len),
        max: len,
        kind,
    }
}
const fn var(ai: &'static str, name: &'static str, max: usize, kind: AiKind) -> AiSpec {
    AiSpec {
        ai,
        name,
        fixed: None,
        max,
        kind,
    }
}

/// The application identifiers this parser knows (GS1 General Specifications, section 3).
pub const AI_TABLE: &[AiSpec] = &[
    fixed("00", "SSCC", 18, AiKind::Sscc),
    fixed("01", "GTIN", 14, AiKind::Gtin),
    fixed("02", "content GTIN", 14, AiKind::Gtin),
    var("10", "batch/lot", 20, AiKind::Alphanumeric),
    fixed("11", "production date", 6, AiKind::Date),
    fixed("12", "due date", 6, AiKind::Date),
    fixed("13", "packaging date", 6, AiKind::Date),
    fixed("15", "best before date", 6, AiKind::Date),
    fixed("16", "sell by date", 6, AiKind::Date),
    fixed("17", "expiry date", 6, AiKind::Date),
    fixed("20", "internal product variant", 2, AiKind::Numeric),
    var("21", "serial number", 20, AiKind::Alphanumeric),
    var("22", "consumer product variant", 20, AiKind::Alphanumeric),
    var("235", "third-party serial", 28, AiKind::Alphanumeric),
    var("240", "additional product id", 30, AiKind::Alphanumeric),
    var("241", "customer part number", 30, AiKind::Alphanumeric),
    var("242", "made-to-order variant", 6, AiKind::Numeric),
    var("243", "packaging component", 20, AiKind::Alphanumeric),
    var("250", "secondary serial", 30, AiKind::Alphanumeric),
    var("251", "source entity reference", 30, AiKind::Alphanumeric),
    var("254", "GLN extension", 20, AiKind::Alphanumeric),
    var("30", "variable count", 8, AiKind::Numeric),
    fixed("310n", "net weight (kg)", 6, AiKind::Numeric),
    fixed("311n", "length (m)", 6, AiKind::Numeric),
    fixed("312n", "width (m)", 6, AiKind::Numeric),
    fixed("313n", "depth (m)", 6, AiKind::Numeric),
    fixed("315n", "net volume (l)", 6, AiKind::Numeric),
    fixed("330n", "gross weight (kg)", 6, AiKind::Numeric),
    var("37", "count of trade items", 8, AiKind::Numeric),
    var("390n", "amount payable", 15, AiKind::Numeric),
    var("400", "customer order number", 30, AiKind::Alphanumeric),
    fixed("410", "ship to GLN", 13, AiKind::Numeric),
    fixed("414", "location GLN", 13, AiKind::Numeric),
    fixed("416", "production GLN", 13, AiKind::Numeric),
    var("420", "ship-to postal code", 20, AiKind::Alphanumeric),
    var(
        "421",
        "ship-to postal code with country",
        12,
        AiKind::Alphanumeric,
    ),
    fixed("422", "country of origin", 3, AiKind::Numeric),
    var("7003", "expiration date and time", 10, AiKind::Numeric),
    var("7240", "protocol id", 20, AiKind::Alphanumeric),
    fixed("8005", "price per unit", 6, AiKind::Numeric),
    var("8200", "product URL", 70, AiKind::Alphanumeric),
    var("90", "internal information", 30, AiKind::Alphanumeric),
    var("91", "company internal 91", 90, AiKind::Alphanumeric),
    var("92", "company internal 92", 90, AiKind::Alphanumeric),
    var("93", "company internal 93", 90, AiKind::Alphanumeric),
    var("94", "company internal 94", 90, AiKind::Alphanumeric),
    var("95", "company internal 95", 90, AiKind::Alphanumeric),
    var("96", "company internal 96", 90, AiKind::Alphanumeric),
    var("97", "company internal 97", 90, AiKind::Alphanumeric),
    var("98", "company internal 98", 90, AiKind::Alphanumeric),
    var("99", "company internal 99", 90, AiKind::Alphanumeric),
];

/// Looks up an AI given exactly (e.g. `"21"`, `"3103"`).
pub fn ai_spec(ai: &str) -> Option<&'static AiSpec> {
    AI_TABLE.iter().find(|s| {
        if let Some(prefix) = s.ai.strip_suffix('n') {
            ai.len() == s.ai.len()
                && ai.starts_with(prefix)
                && ai.as_bytes()[prefix.len()].is_ascii_digit()
        } else {
            s.ai == ai
        }
    })
}

/// Finds the AI at the start of an unbracketed element string (2, 3 or 4 digits).
fn ai_prefix(s: &str) -> Option<(&str, &'static AiSpec)> {
    (2..=4)
        .filter(|&n| s.len() >= n && s.is_char_boundary(n))
        .find_map(|n| {
            let ai = &s[..n];
            ai.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| ai_spec(ai).map(|spec| (ai, spec)))
                .flatten()
        })
}

/// Everything that can be wrong with a code; every message names the faulty part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Gs1Error {
    /// Nothing to parse.
    #[error("the code is empty")]
    Empty,
    /// Longer than [`MAX_CODE_LEN`].
    #[error("the code is {len} bytes long (at most {max} allowed)")]
    TooLong {
        /// Length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A GTIN with a length other than 8, 12, 13 or 14 digits, or with non-digits.
    #[error("GTIN {value:?}: must be 8, 12, 13 or 14 digits")]
    GtinFormat {
        /// The value as given.
        value: String,
    },
    /// A GTIN or SSCC whose last digit does not match the GS1 mod-10 check digit.
    #[error("{what} {value}: check digit is {found}, expected {expected}")]
    CheckDigit {
        /// "GTIN" or "SSCC".
        what: &'static str,
        /// The value as given.
        value: String,
        /// The last digit found.
        found: u8,
        /// The correct check digit.
        expected: u8,
    },
    /// An application identifier this parser does not know.
    #[error("unknown GS1 application identifier ({ai}) at {at}")]
    UnknownAi {
        /// The AI digits (or the text where one was expected).
        ai: String,
        /// Where in the input.
        at: String,
    },
    /// A value of the wrong length or character set.
    #[error("({ai}) {name} {value:?}: {reason}")]
    BadValue {
        /// The AI.
        ai: String,
        /// Its name.
        name: &'static str,
        /// The value as found.
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// An AI that appears twice with different values.
    #[error("({ai}) appears twice with different values {first:?} and {second:?}")]
    Conflict {
        /// The AI.
        ai: String,
        /// First value.
        first: String,
        /// Second value.
        second: String,
    },
    /// A structural problem (missing parenthesis, broken percent-encoding, no GTIN, …).
    #[error("{part}: {reason}")]
    Malformed {
        /// Which part of the input, e.g. "URI path" or "element string".
        part: String,
        /// What is wrong.
        reason: String,
    },
}

/// The GS1 data found in a code. Dates are already resolved with the GS1 century rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Gs1Data {
    /// GTIN normalised to 14 digits (AI 01), if present.
    pub gtin: Option<String>,
    /// Serial number (AI 21).
    pub serial: Option<String>,
    /// Batch or lot (AI 10).
    pub batch: Option<String>,
    /// Production date (AI 11). `DD = 00` resolves to the first day of the month.
    pub production_date: Option<Date>,
    /// Expiry date (AI 17). `DD = 00` resolves to the last day of the month.
    pub expiry_date: Option<Date>,
    /// Best-before date (AI 15). `DD = 00` resolves to the last day of the month.
    pub best_before: Option<Date>,
    /// Every AI found, by AI, with its raw value (dates as YYMMDD).
    pub elements: BTreeMap<String, String>,
}

/// GS1 mod-10 check digit of `body` (all digits except the check digit).
pub fn check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| u32::from(d.saturating_sub(b'0')) * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

fn verify_check_digit(what: &'static str, digits: &str) -> Result<(), Gs1Error> {
    let b = digits.as_bytes();
    let (body, last) = b.split_at(b.len() - 1);
    let expected = check_digit(body);
    let found = last[0] - b'0';
    if expected == found {
        Ok(())
    } else {
        Err(Gs1Error::CheckDigit {
            what,
            value: digits.to_string(),
            found,
            expected,
        })
    }
}

/// Validates a GTIN-8/12/13/14 and returns it zero-padded to 14 digits.
pub fn normalize_gtin(value: &str) -> Result<String, Gs1Error> {
    if !matches!(value.len(), 8 | 12 | 13 | 14) || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Gs1Error::GtinFormat {
            value: value.to_string(),
        });
    }
    verify_check_digit("GTIN", value)?;
    Ok(format!("{value:0>14}"))
}

/// Resolves a GS1 YYMMDD date. `reference_year` is the current year (the caller's
/// "today"); the GS1 century rule picks the century so that the date lies within
/// 49 years before to 50 years after it. `DD = 00` means "day not given": `end_of_month`
/// chooses the last (expiry-like dates) or the first day (production-like dates).
pub fn parse_yymmdd(value: &str, reference_year: i32, end_of_month: bool) -> Result<Date, String> {
    if value.len() != 6 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must be 6 digits YYMMDD".into());
    }
    let n = |r: std::ops::Range<usize>| value[r].parse::<i32>().unwrap_or(0);
    let (yy, mm, dd) = (n(0..2), n(2..4), n(4..6));
    let current_yy = reference_year.rem_euclid(100);
    let century = reference_year - current_yy;
    let diff = yy - current_yy;
    let year = if diff >= 51 {
        century - 100 + yy
    } else if diff <= -50 {
        century + 100 + yy
    } else {
        century + yy
    };
    if !(1..=12).contains(&mm) {
        return Err(format!("month {mm:02} is not 01–12"));
    }
    let dim = i32::from(days_in_month(year, mm as u8));
    let day = if dd == 0 {
        if end_of_month { dim } else { 1 }
    } else {
        dd
    };
    if day > dim {
        return Err(format!(
            "day {dd:02} does not exist in {year}-{mm:02} ({dim} days)"
        ));
    }
    Date::new(year, mm as u8, day as u8).map_err(|e| e.to_string())
}

fn is_cset82(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!\"%&'()*+,-./:;<=>?_".contains(c)
}

impl Gs1Data {
    /// Checks one AI value and records it (and its interpretation).
    fn add(
        &mut self,
        ai: &str,
        spec: &AiSpec,
        value: &str,
        reference_year: i32,
    ) -> Result<(), Gs1Error> {
        let bad = |reason: String| Gs1Error::BadValue {
            ai: ai.to_string(),
            name: spec.name,
            value: value.to_string(),
            reason,
        };
        let len = value.chars().count();
        match spec.fixed {
            Some(n) if len != n => {
                return Err(bad(format!("must be exactly {n} characters, found {len}")));
            }
            None if len == 0 => return Err(bad("must not be empty".into())),
            None if len > spec.max => {
                return Err(bad(format!(
                    "at most {} characters allowed, found {len}",
                    spec.max
                )));
            }
            _ => {}
        }
        match spec.kind {
            AiKind::Alphanumeric => {
                if let Some(c) = value.chars().find(|&c| !is_cset82(c)) {
                    return Err(bad(format!(
                        "character {c:?} is not allowed (GS1 character set 82)"
                    )));
                }
            }
            _ => {
                if !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad("must contain digits only".into()));
                }
            }
        }
        match spec.kind {
            AiKind::Gtin => {
                verify_check_digit("GTIN", value)?;
            }
            AiKind::Sscc => verify_check_digit("SSCC", value)?,
            AiKind::Date => {
                let end = matches!(ai, "15" | "16" | "17" | "12");
                let date = parse_yymmdd(value, reference_year, end).map_err(bad)?;
                match ai {
                    "11" => self.production_date = Some(date),
                    "15" => self.best_before = Some(date),
                    "17" => self.expiry_date = Some(date),
                    _ => {}
                }
            }
            AiKind::Numeric | AiKind::Alphanumeric => {}
        }
        match ai {
            "01" => self.gtin = Some(value.to_string()),
            "21" => self.serial = Some(value.to_string()),
            "10" => self.batch = Some(value.to_string()),
            _ => {}
        }
        if let Some(first) = self.elements.get(ai)
            && first != value
        {
            return Err(Gs1Error::Conflict {
                ai: ai.into(),
                first: first.clone(),
                second: value.into(),
            });
        }
        self.elements.insert(ai.to_string(), value.to_string());
        Ok(())
    }
}

fn check_len(input: &str) -> Result<&str, Gs1Error> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Gs1Error::Empty);
    }
    if s.len() > MAX_CODE_LEN {
        return Err(Gs1Error::TooLong {
            len: s.len(),
            max: MAX_CODE_LEN,
        });
    }
    Ok(s)
}

/// Parses a GS1 element string: `(01)09506000134352(21)A1(11)240315` or the same without
/// parentheses, where variable-length values end at a GS (`\x1d`, also written `<GS>`) or at
/// the end. A leading symbology identifier (`]C1`, `]d2`, `]Q3`, `]e0`) is skipped.
pub fn parse_element_string(input: &str, reference_year: i32) -> Result<Gs1Data, Gs1Error> {
    let s = check_len(input)?;
    let s = s.replace("<GS>", "\u{1d}").replace("<gs>", "\u{1d}");
    let mut s = s.as_str();
    for sym in ["]C1", "]d2", "]Q3", "]e0", "]J1"] {
        if let Some(rest) = s.strip_prefix(sym) {
            s = rest;
        }
    }
    s = s.trim_start_matches(GS);
    let mut data = Gs1Data::default();
    if s.starts_with('(') {
        let mut rest = s;
        while !rest.is_empty() {
            let Some(inner) = rest.strip_prefix('(') else {
                return Err(Gs1Error::Malformed {
                    part: "element string".into(),
                    reason: format!("expected \"(\" before {:?}", preview(rest)),
                });
            };
            let Some(close) = inner.find(')') else {
                return Err(Gs1Error::Malformed {
                    part: "element string".into(),
                    reason: "an AI is missing its closing \")\"".into(),
                });
            };
            let ai = &inner[..close];
            let spec = ai_spec(ai).ok_or_else(|| Gs1Error::UnknownAi {
                ai: ai.into(),
                at: format!("({ai})"),
            })?;
            let after = &inner[close + 1..];
            let end = after.find('(').unwrap_or(after.len());
            let value = after[..end].trim_end_matches(GS);
            data.add(ai, spec, value, reference_year)?;
            rest = &after[end..];
        }
    } else {
        let mut rest = s;
        while !rest.is_empty() {
            let (ai, spec) = ai_prefix(rest).ok_or_else(|| Gs1Error::UnknownAi {
                ai: rest.chars().take(4).collect(),
                at: format!("position {} of the element string", s.len() - rest.len()),
            })?;
            let body = &rest[ai.len()..];
            let (value, next) = match spec.fixed {
                Some(n) => {
                    let cut = body.char_indices().nth(n).map_or(body.len(), |(i, _)| i);
                    (&body[..cut], &body[cut..])
                }
                None => {
                    let cut = body.find(GS).unwrap_or(body.len());
                    (&body[..cut], &body[cut..])
                }
            };
            data.add(ai, spec, value, reference_year)?;
            rest = next.trim_start_matches(GS);
        }
    }
    if data.elements.is_empty() {
        return Err(Gs1Error::Malformed {
            part: "element string".into(),
            reason: "contains no element".into(),
        });
    }
    Ok(data)
}

fn preview(s: &str) -> String {
    s.chars().take(12).collect()
}

/// Decodes `%XX` escapes (RFC 3986); errors name the broken part.
pub fn percent_decode(s: &str, part: &str) -> Result<String, Gs1Error> {
    let bad = |reason: &str| Gs1Error::Malformed {
        part: part.to_string(),
        reason: reason.to_string(),
    };
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .ok_or_else(|| bad("incomplete percent-escape"))?;
            let hex = std::str::from_utf8(hex).map_err(|_| bad("invalid percent-escape"))?;
            let v = u8::from_str_radix(hex, 16).map_err(|_| bad("invalid percent-escape"))?;
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad("percent-escapes do not decode to UTF-8"))
}

/// Short names some Digital Links use instead of numeric AIs.
fn alias(key: &str) -> &str {
    match key {
        "gtin" => "01",
        "cpv" => "22",
        "lot" => "10",
        "ser" => "21",
        "exp" => "17",
        other => other,
    }
}

/// Parses a GS1 Digital Link URI such as
/// `https://id.example.com/01/09506000134352/21/A1?11=240315&17=290101`. Path segments
/// before `/01/` are ignored (a resolver prefix); GTIN-8/12/13 are padded to 14 digits;
/// query parameters that are not AIs (e.g. `linkType`) are ignored.
pub fn parse_digital_link(input: &str, reference_year: i32) -> Result<Gs1Data, Gs1Error> {
    let s = check_len(input)?;
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    let after_scheme = if lower.starts_with("https://") {
        &s[8..]
    } else if lower.starts_with("http://") {
        &s[7..]
    } else {
        return Err(Gs1Error::Malformed {
            part: "URI".into(),
            reason: "must start with https:// or http://".into(),
        });
    };
    let without_fragment = after_scheme.split('#').next().unwrap_or("");
    let (host_path, query) = match without_fragment.split_once('?') {
        Some((hp, q)) => (hp, Some(q)),
        None => (without_fragment, None),
    };
    let (host, path) = host_path.split_once('/').unwrap_or((host_path, ""));
    if host.is_empty() {
        return Err(Gs1Error::Malformed {
            part: "URI host".into(),
            reason: "is empty".into(),
        });
    }
    let segments: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let Some(start) = segments.iter().position(|p| alias(p) == "01") else {
        return Err(Gs1Error::Malformed {
            part: "URI path".into(),
            reason: "has no /01/<GTIN> segment (GS1 Digital Link primary key)".into(),
        });
    };
    let mut data = Gs1Data::default();
    let pairs = &segments[start..];
    if !pairs.len().is_multiple_of(2) {
        return Err(Gs1Error::Malformed {
            part: "URI path".into(),
            reason: format!("AI /{}/ has no value", pairs[pairs.len() - 1]),
        });
    }
    for pair in pairs.chunks(2) {
        let ai = alias(pair[0]);
        let spec = ai_spec(ai).ok_or_else(|| Gs1Error::UnknownAi {
            ai: ai.into(),
            at: "URI path".into(),
        })?;
        let value = percent_decode(pair[1], &format!("URI path value of ({ai})"))?;
        if ai == "01" {
            let gtin = normalize_gtin(&value)?;
            data.add(ai, spec, &gtin, reference_year)?;
        } else {
            data.add(ai, spec, &value, reference_year)?;
        }
    }
    for param in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = param.split_once('=').unwrap_or((param, ""));
        let key = alias(k);
        if !key.bytes().all(|b| b.is_ascii_digit()) {
            continue; // linkType, context, … are resolver options, not data
        }
        let spec = ai_spec(key).ok_or_else(|| Gs1Error::UnknownAi {
            ai: key.into(),
            at: "URI query".into(),
        })?;
        let value = percent_decode(v, &format!("URI query value of ({key})"))?;
        data.add(key, spec, &value, reference_year)?;
    }
    Ok(data)
}

/// Parses any GS1 form: a Digital Link URI, an element string, or a bare GTIN.
pub fn parse(input: &str, reference_year: i32) -> Result<Gs1Data, Gs1Error> {
    let s = check_len(input)?;
    let lower = s.get(..7).unwrap_or(s).to_ascii_lowercase();
    if lower.starts_with("http") {
        return parse_digital_link(s, reference_year);
    }
    if s.bytes().all(|b| b.is_ascii_digit()) && matches!(s.len(), 8 | 12 | 13 | 14) {
        let gtin = normalize_gtin(s)?;
        let mut data = Gs1Data {
            gtin: Some(gtin.clone()),
            ..Default::default()
        };
        data.elements.insert("01".into(), gtin);
        return Ok(data);
    }
    parse_element_string(s, reference_year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gtin_check_digits() {
        // Published GS1 examples.
        assert_eq!(normalize_gtin("9506000134352").unwrap(), "09506000134352");
        assert_eq!(normalize_gtin("4006381333931").unwrap(), "04006381333931");
        assert_eq!(normalize_gtin("96385074").unwrap(), "00000096385074");
        assert_eq!(normalize_gtin("036000291452").unwrap(), "00036000291452");
        let e = normalize_gtin("4006381333932").unwrap_err();
        assert_eq!(
            e,
            Gs1Error::CheckDigit {
                what: "GTIN",
                value: "4006381333932".into(),
                found: 2,
                expected: 1
            }
        );
        assert!(e.to_string().contains("check digit is 2, expected 1"));
        assert!(matches!(
            normalize_gtin("12345"),
            Err(Gs1Error::GtinFormat { .. })
        ));
        assert!(matches!(
            normalize_gtin("40063813339a1"),
            Err(Gs1Error::GtinFormat { .. })
        ));
    }

    #[test]
    fn element_string_with_parentheses() {
        let d = parse_element_string(
            "(01)09506000134352(17)290101(10)ABC12(21)S-77(11)240300",
            2025,
        )
        .unwrap();
        assert_eq!(d.gtin.as_deref(), Some("09506000134352"));
        assert_eq!(d.batch.as_deref(), Some("ABC12"));
        assert_eq!(d.serial.as_deref(), Some("S-77"));
        assert_eq!(d.expiry_date.unwrap().to_string(), "2029-01-01");
        // DD = 00 on a production date: first day of the month.
        assert_eq!(d.production_date.unwrap().to_string(), "2024-03-01");
    }

    #[test]
    fn element_string_with_fnc1_rules() {
        let s = "]C1010950600013435210ABC12\u{1d}21XYZ1711290100";
        let d = parse_element_string(s, 2025).unwrap();
        assert_eq!(d.batch.as_deref(), Some("ABC12"));
        assert_eq!(
            d.serial.as_deref(),
            Some("XYZ1711290100"),
            "21 is variable: it runs to the end"
        );
        let s = "010950600013435217290100\u{1d}10ABC<GS>21XYZ";
        let d = parse_element_string(s, 2025).unwrap();
        assert_eq!(
            d.expiry_date.unwrap().to_string(),
            "2029-01-31",
            "DD=00 on expiry: month end"
        );
        assert_eq!(d.batch.as_deref(), Some("ABC"));
        assert_eq!(d.serial.as_deref(), Some("XYZ"));
        let d = parse_element_string("0109506000134352310200125011240506", 2025).unwrap();
        assert_eq!(d.elements.get("3102").map(String::as_str), Some("001250"));
        assert_eq!(d.production_date.unwrap().to_string(), "2024-05-06");
    }

    #[test]
    fn element_string_errors_name_the_part() {
        let e = parse_element_string("(01)09506000134353(21)A", 2025).unwrap_err();
        assert!(
            e.to_string()
                .contains("GTIN 09506000134353: check digit is 3, expected 2"),
            "{e}"
        );
        let e = parse_element_string("(01)0950600013435(21)A", 2025).unwrap_err();
        assert!(e.to_string().starts_with("(01) GTIN"), "{e}");
        let e = parse_element_string("(01)09506000134352(11)241301", 2025).unwrap_err();
        assert!(e.to_string().contains("month 13"), "{e}");
        let e = parse_element_string("(01)09506000134352(11)240230", 2025).unwrap_err();
        assert!(e.to_string().contains("day 30"), "{e}");
        let e = parse_element_string("(01)09506000134352(88)x", 2025).unwrap_err();
        assert_eq!(
            e,
            Gs1Error::UnknownAi {
                ai: "88".into(),
                at: "(88)".into()
            }
        );
        let e = parse_element_string("(01)09506000134352(21)a b", 2025).unwrap_err();
        assert!(e.to_string().contains("character ' '"), "{e}");
        let e = parse_element_string("(01)09506000134352(21", 2025).unwrap_err();
        assert!(matches!(e, Gs1Error::Malformed { .. }));
        let e = parse_element_string("(21)A(21)B", 2025).unwrap_err();
        assert!(matches!(e, Gs1Error::Conflict { .. }));
        assert_eq!(
            parse_element_string("   ", 2025).unwrap_err(),
            Gs1Error::Empty
        );
        let long = "9".repeat(MAX_CODE_LEN + 1);
        assert!(matches!(parse(&long, 2025), Err(Gs1Error::TooLong { .. })));
    }

    #[test]
    fn century_rule() {
        // Reference 2025: 75 is 50 years ahead → 2075; 76 → 1976; 99 → 1999.
        assert_eq!(parse_yymmdd("750101", 2025, false).unwrap().year(), 2075);
        assert_eq!(parse_yymmdd("760101", 2025, false).unwrap().year(), 1976);
        assert_eq!(parse_yymmdd("990101", 2025, false).unwrap().year(), 1999);
        // Reference 2099: 40 is 59 years behind → next century.
        assert_eq!(parse_yymmdd("400101", 2099, false).unwrap().year(), 2140);
        assert_eq!(
            parse_yymmdd("240229", 2025, false).unwrap().to_string(),
            "2024-02-29"
        );
        assert!(parse_yymmdd("250229", 2025, false).is_err());
        assert_eq!(
            parse_yymmdd("240200", 2025, true).unwrap().to_string(),
            "2024-02-29"
        );
    }

    #[test]
    fn digital_link_path_and_query() {
        let d = parse_digital_link("https://id.example.com/01/09506000134352/21/SN%2F123?11=240315&17=290101&linkType=gs1:pip", 2025).unwrap();
        assert_eq!(d.gtin.as_deref(), Some("09506000134352"));
        assert_eq!(d.serial.as_deref(), Some("SN/123"));
        assert_eq!(d.production_date.unwrap().to_string(), "2024-03-15");
        assert_eq!(d.expiry_date.unwrap().to_string(), "2029-01-01");
        let d = parse_digital_link(
            "HTTPS://example.org/resolver/x/01/9506000134352/10/L%C3%9F?21=X1#frag",
            2025,
        );
        // "ß" is outside GS1 character set 82.
        assert!(d.unwrap_err().to_string().contains("(10) batch/lot"));
        let d = parse_digital_link(
            "https://example.org/p/gtin/96385074/lot/A1?10=A1&3103=000500",
            2025,
        )
        .unwrap();
        assert_eq!(d.gtin.as_deref(), Some("00000096385074"));
        assert_eq!(d.batch.as_deref(), Some("A1"));
        assert_eq!(d.elements.get("3103").map(String::as_str), Some("000500"));
    }

    #[test]
    fn digital_link_errors() {
        let e = parse_digital_link("https://id.example.com/01/09506000134353", 2025).unwrap_err();
        assert!(matches!(e, Gs1Error::CheckDigit { .. }));
        let e = parse_digital_link("https://id.example.com/10/ABC", 2025).unwrap_err();
        assert!(e.to_string().starts_with("URI path: has no /01/"), "{e}");
        let e =
            parse_digital_link("https://id.example.com/01/09506000134352/21", 2025).unwrap_err();
        assert!(e.to_string().contains("/21/ has no value"), "{e}");
        let e = parse_digital_link("https://id.example.com/01/09506000134352/21/%zz", 2025)
            .unwrap_err();
        assert!(e.to_string().contains("URI path value of (21)"), "{e}");
        let e = parse_digital_link("https://id.example.com/01/09506000134352?11=241301", 2025)
            .unwrap_err();
        assert!(e.to_string().contains("(11) production date"), "{e}");
        let e = parse_digital_link("ftp://id.example.com/01/09506000134352", 2025).unwrap_err();
        assert!(e.to_string().contains("https://"), "{e}");
        let e = parse_digital_link("https://id.example.com/01/09506000134352?21=A&21=B", 2025)
            .unwrap_err();
        assert!(matches!(e, Gs1Error::Conflict { .. }));
    }

    #[test]
    fn parse_dispatches_by_form() {
        assert_eq!(
            parse("4006381333931", 2025).unwrap().gtin.as_deref(),
            Some("04006381333931")
        );
        assert!(parse("https://a.b/01/4006381333931", 2025).is_ok());
        assert!(parse("0104006381333931", 2025).is_ok());
        assert!(parse("(01)04006381333931", 2025).is_ok());
        assert_eq!(
            parse("04006381333931", 2025).unwrap().gtin.as_deref(),
            Some("04006381333931")
        );
    }
}
