//! Reader for ANSUR II anthropometric CSV files (the public-release column format).
//!
//! Header-indexed (column order does not matter), UTF-8, comma-separated, no quoting
//! (the public files contain none; a quote character is rejected rather than guessed at).
//! Units follow the ANSUR II README: body dimensions in millimetres (converted to cm here),
//! `weightkg` in tenths of a kilogram, `Age` in years. Errors name the file, the line and
//! the column. The reader takes text, not paths, so it also runs in the browser; the CLI
//! and the trainer do the file I/O.

use crate::measure::{Measure, Sex};
use std::collections::{BTreeMap, HashMap};

/// Column with body mass in tenths of a kilogram.
pub const WEIGHT_COLUMN: &str = "weightkg";
/// Column with age in years.
pub const AGE_COLUMN: &str = "Age";
/// Column with `Male` / `Female`.
pub const GENDER_COLUMN: &str = "Gender";
/// Column with the subject identifier.
pub const SUBJECT_COLUMN: &str = "subjectid";

/// What can be wrong with an ANSUR CSV file. Every variant names the file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnsurError {
    /// The bytes are not UTF-8.
    #[error("{file}: not valid UTF-8 (at byte {byte})")]
    NotUtf8 {
        /// File name as given by the caller.
        file: String,
        /// Offset of the first invalid byte.
        byte: usize,
    },
    /// The file has no header line.
    #[error("{file}: empty file (expected an ANSUR II header line)")]
    Empty {
        /// File name.
        file: String,
    },
    /// A column the reader needs is absent from the header.
    #[error("{file}: line 1: missing column {column:?}")]
    MissingColumn {
        /// File name.
        file: String,
        /// The column name (case-sensitive, as in ANSUR II).
        column: String,
    },
    /// The header names a column twice.
    #[error("{file}: line 1: duplicate column {column:?}")]
    DuplicateColumn {
        /// File name.
        file: String,
        /// The repeated column name.
        column: String,
    },
    /// A data line has a different number of fields than the header.
    #[error("{file}: line {line}: {found} fields, the header has {expected}")]
    FieldCount {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// Number of header columns.
        expected: usize,
        /// Number of fields found on this line.
        found: usize,
    },
    /// Quoted fields are not part of the ANSUR format.
    #[error("{file}: line {line}: quoted fields are not supported")]
    Quoted {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
    },
    /// A field that should hold a positive number does not.
    #[error(
        "{file}: line {line}: column {column:?} = {raw:?} is not a positive number ({expected})"
    )]
    BadValue {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// Column name.
        column: String,
        /// The field as found.
        raw: String,
        /// What was expected, e.g. "millimetres".
        expected: &'static str,
    },
    /// The `Gender` field is neither `Male` nor `Female` (and no sex was implied by the caller).
    #[error("{file}: line {line}: column \"Gender\" = {raw:?} (expected Male or Female)")]
    BadGender {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The field as found.
        raw: String,
    },
}

/// A parsed ANSUR II table: header plus raw text fields, looked up by column name.
#[derive(Debug, Clone)]
pub struct AnsurTable {
    file: String,
    index: HashMap<String, usize>,
    /// (1-based line number, fields).
    rows: Vec<(usize, Vec<String>)>,
}

/// One ANSUR subject in doppel's units.
#[derive(Debug, Clone, PartialEq)]
pub struct AnsurPerson {
    /// `subjectid` (empty if the file has no such column).
    pub subject_id: String,
    /// Sex from the `Gender` column, or the caller's hint when the column is absent.
    pub sex: Sex,
    /// Age in years.
    pub age_years: f64,
    /// Body mass in kg (`weightkg` / 10).
    pub weight_kg: f64,
    /// Every [`Measure`] that has an ANSUR column, in cm (includes [`Measure::Height`]).
    pub measures_cm: BTreeMap<Measure, f64>,
    /// 1-based line in the source file (for error messages downstream).
    pub line: usize,
}

impl AnsurPerson {
    /// Stature in cm.
    pub fn height_cm(&self) -> f64 {
        self.measures_cm
            .get(&Measure::Height)
            .copied()
            .unwrap_or(f64::NAN)
    }
}

impl AnsurTable {
    /// Parses raw bytes (checked to be UTF-8). `file` is only used in error messages.
    pub fn parse_bytes(file: &str, bytes: &[u8]) -> Result<Self, AnsurError> {
        let text = std::str::from_utf8(bytes).map_err(|e| AnsurError::NotUtf8 {
            file: file.to_string(),
            byte: e.valid_up_to(),
        })?;
        Self::parse(file, text)
    }

    /// Parses CSV text. `file` is only used in error messages.
    pub fn parse(file: &str, text: &str) -> Result<Self, AnsurError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.lines().enumerate();
        let header = loop {
            match lines.next() {
                Some((_, l)) if l.trim().is_empty() => continue,
                Some((_, l)) => break l,
                None => {
                    return Err(AnsurError::Empty {
                        file: file.to_string(),
                    });
                }
            }
        };
        if header.contains('"') {
            return Err(AnsurError::Quoted {
                file: file.to_string(),
                line: 1,
            });
        }
        let mut index = HashMap::new();
        for (i, name) in header.split(',').enumerate() {
            let name = name.trim().to_string();
            if index.insert(name.clone(), i).is_some() {
                return Err(AnsurError::DuplicateColumn {
                    file: file.to_string(),
                    column: name,
                });
            }
        }
        let expected = index.len();
        let mut rows = Vec::new();
        for (i, l) in lines {
            let line = i + 1;
            let l = l.trim_end_matches('\r');
            if l.trim().is_empty() {
                continue;
            }
            if l.contains('"') {
                return Err(AnsurError::Quoted {
                    file: file.to_string(),
                    line,
                });
            }
            let fields: Vec<String> = l.split(',').map(|f| f.trim().to_string()).collect();
            if fields.len() != expected {
                return Err(AnsurError::FieldCount {
                    file: file.to_string(),
                    line,
                    expected,
                    found: fields.len(),
                });
            }
            rows.push((line, fields));
        }
        Ok(AnsurTable {
            file: file.to_string(),
            index,
            rows,
        })
    }

    /// File name given at parse time.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has no data rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Whether the header has `column`.
    pub fn has_column(&self, column: &str) -> bool {
        self.index.contains_key(column)
    }

    fn column(&self, column: &str) -> Result<usize, AnsurError> {
        self.index
            .get(column)
            .copied()
            .ok_or_else(|| AnsurError::MissingColumn {
                file: self.file.clone(),
                column: column.to_string(),
            })
    }

    /// Raw text of `column` in data row `row` (0-based), with its 1-based file line.
    pub fn text(&self, row: usize, column: &str) -> Result<Option<(usize, &str)>, AnsurError> {
        let c = self.column(column)?;
        Ok(self
            .rows
            .get(row)
            .and_then(|(line, f)| f.get(c).map(|s| (*line, s.as_str()))))
    }

    /// A positive finite number from `column` in data row `row` (0-based), unscaled.
    ///
    /// `expected` describes the unit for the error message (e.g. "millimetres").
    pub fn number(
        &self,
        row: usize,
        column: &str,
        expected: &'static str,
    ) -> Result<f64, AnsurError> {
        let c = self.column(column)?;
        let Some((line, fields)) = self.rows.get(row) else {
            return Err(AnsurError::Empty {
                file: self.file.clone(),
            });
        };
        let raw = fields.get(c).map(String::as_str).unwrap_or("");
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
            _ => Err(AnsurError::BadValue {
                file: self.file.clone(),
                line: *line,
                column: column.to_string(),
                raw: raw.to_string(),
                expected,
            }),
        }
    }

    /// A body dimension in cm from a millimetre column.
    pub fn mm_as_cm(&self, row: usize, column: &str) -> Result<f64, AnsurError> {
        Ok(self.number(row, column, "millimetres")? / 10.0)
    }

    /// Converts every row to an [`AnsurPerson`].
    ///
    /// The sex comes from the `Gender` column; `sex_hint` (e.g. from a `male*.csv` file
    /// name) is used only when that column is absent.
    pub fn people(&self, sex_hint: Option<Sex>) -> Result<Vec<AnsurPerson>, AnsurError> {
        let has_gender = self.has_column(GENDER_COLUMN);
        if !has_gender && sex_hint.is_none() {
            return Err(AnsurError::MissingColumn {
                file: self.file.clone(),
                column: GENDER_COLUMN.to_string(),
            });
        }
        // Check every needed column up front, so a missing one is reported once, clearly.
        for m in Measure::ALL {
            if let Some(c) = m.ansur_column() {
                self.column(c)?;
            }
        }
        self.column(WEIGHT_COLUMN)?;
        self.column(AGE_COLUMN)?;
        let mut out = Vec::with_capacity(self.rows.len());
        for (row, (line, fields)) in self.rows.iter().enumerate() {
            let sex = match (has_gender, sex_hint) {
                (true, _) => {
                    let raw = self.text(row, GENDER_COLUMN)?.map(|(_, s)| s).unwrap_or("");
                    match raw.to_ascii_lowercase().as_str() {
                        "male" => Sex::Male,
                        "female" => Sex::Female,
                        _ => {
                            return Err(AnsurError::BadGender {
                                file: self.file.clone(),
                                line: *line,
                                raw: raw.to_string(),
                            });
                        }
                    }
                }
                (false, Some(s)) => s,
                // Checked above; kept total rather than panicking.
                (false, None) => {
                    return Err(AnsurError::MissingColumn {
                        file: self.file.clone(),
                        column: GENDER_COLUMN.to_string(),
                    });
                }
            };
            let mut measures_cm = BTreeMap::new();
            for m in Measure::ALL {
                if let Some(c) = m.ansur_column() {
                    measures_cm.insert(m, self.mm_as_cm(row, c)?);
                }
            }
            let subject_id = self
                .index
                .get(SUBJECT_COLUMN)
                .and_then(|&c| fields.get(c))
                .cloned()
                .unwrap_or_default();
            out.push(AnsurPerson {
                subject_id,
                sex,
                age_years: self.number(row, AGE_COLUMN, "years")?,
                weight_kg: self.number(row, WEIGHT_COLUMN, "tenths of a kilogram")? / 10.0,
                measures_cm,
                line: *line,
            });
        }
        Ok(out)
    }
}

/// Parses an ANSUR II CSV (bytes) straight into people. See [`AnsurTable::people`].
pub fn parse_people(
    file: &str,
    bytes: &[u8],
    sex_hint: Option<Sex>,
) -> Result<Vec<AnsurPerson>, AnsurError> {
    AnsurTable::parse_bytes(file, bytes)?.people(sex_hint)
}

/// The sex implied by an ANSUR file name: `male*.csv` / `female*.csv` (case-insensitive).
pub fn sex_from_file_name(name: &str) -> Option<Sex> {
    let n = name.to_ascii_lowercase();
    if !n.ends_with(".csv") {
        return None;
    }
    // "female" must be tested first: it ends with "male" but starts differently.
    if n.starts_with("female") {
        Some(Sex::Female)
    } else if n.starts_with("male") {
        Some(Sex::Male)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "subjectid,biacromialbreadth,bicepscircumferenceflexed,buttockcircumference,chestcircumference,crotchheight,neckcircumferencebase,sleeveoutseam,stature,thighcircumference,waistcircumference,weightkg,Gender,Age";

    fn good() -> String {
        format!(
            "{HEADER}\n1,401,369,979,1074,877,437,600,1776,610,933,815,Male,41\n2,356,315,1011,922,759,362,513,1560,622,850,657,Female,26\n"
        )
    }

    #[test]
    fn parses_and_converts_units() {
        let people = parse_people("t.csv", good().as_bytes(), None).unwrap();
        assert_eq!(people.len(), 2);
        let p = &people[0];
        assert_eq!(p.sex, Sex::Male);
        assert_eq!(p.subject_id, "1");
        assert!((p.height_cm() - 177.6).abs() < 1e-9);
        assert!((p.weight_kg - 81.5).abs() < 1e-9);
        assert_eq!(p.age_years, 41.0);
        assert!((p.measures_cm[&Measure::Hip] - 97.9).abs() < 1e-9);
        assert!((p.measures_cm[&Measure::Shoulder] - 40.1).abs() < 1e-9);
        assert_eq!(people[1].sex, Sex::Female);
        assert_eq!(people[1].line, 3);
        assert!(!p.measures_cm.contains_key(&Measure::Underbust));
    }

    #[test]
    fn column_order_does_not_matter() {
        // Reverse the columns of every line.
        let rev: String = good()
            .lines()
            .map(|l| l.split(',').rev().collect::<Vec<_>>().join(",") + "\n")
            .collect();
        let a = parse_people("a.csv", good().as_bytes(), None).unwrap();
        let b = parse_people("b.csv", rev.as_bytes(), None).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn missing_column_is_named() {
        let text = good().replace("waistcircumference", "waist");
        let e = parse_people("m.csv", text.as_bytes(), None).unwrap_err();
        assert!(
            matches!(&e, AnsurError::MissingColumn { column, .. } if column == "waistcircumference")
        );
        assert!(e.to_string().contains("m.csv"), "{e}");
    }

    #[test]
    fn bad_value_names_file_line_and_column() {
        let text = good().replace(",933,", ",abc,");
        let e = parse_people("f.csv", text.as_bytes(), None).unwrap_err();
        let s = e.to_string();
        assert!(
            s.contains("f.csv") && s.contains("line 2") && s.contains("waistcircumference"),
            "{s}"
        );
        let text = good().replace(",657,", ",-5,");
        let e = parse_people("f.csv", text.as_bytes(), None).unwrap_err();
        assert!(
            matches!(e, AnsurError::BadValue { line: 3, ref column, .. } if column == "weightkg")
        );
    }

    #[test]
    fn structural_errors() {
        let e = parse_people("e.csv", b"", None).unwrap_err();
        assert!(matches!(e, AnsurError::Empty { .. }));
        let e = parse_people("u.csv", b"a,b\n\xff\xfe", None).unwrap_err();
        assert!(matches!(e, AnsurError::NotUtf8 { byte: 4, .. }), "{e}");
        let text = good() + "3,1,2\n";
        let e = parse_people("c.csv", text.as_bytes(), None).unwrap_err();
        assert!(
            matches!(
                e,
                AnsurError::FieldCount {
                    line: 4,
                    found: 3,
                    ..
                }
            ),
            "{e}"
        );
        let text = good().replace("Male", "\"Male\"");
        assert!(matches!(
            parse_people("q.csv", text.as_bytes(), None),
            Err(AnsurError::Quoted { line: 2, .. })
        ));
        let text = good().replace(",Age", ",stature");
        assert!(matches!(
            parse_people("d.csv", text.as_bytes(), None),
            Err(AnsurError::DuplicateColumn { .. })
        ));
        let text = good().replace("Female", "X");
        assert!(matches!(
            parse_people("g.csv", text.as_bytes(), None),
            Err(AnsurError::BadGender { line: 3, .. })
        ));
    }

    #[test]
    fn gender_column_or_hint() {
        let text: String = good()
            .lines()
            .map(|l| {
                let mut f: Vec<&str> = l.split(',').collect();
                f.remove(12);
                f.join(",") + "\r\n"
            })
            .collect();
        assert!(parse_people("x.csv", text.as_bytes(), None).is_err());
        let p = parse_people("x.csv", text.as_bytes(), Some(Sex::Female)).unwrap();
        assert!(p.iter().all(|p| p.sex == Sex::Female));
    }

    #[test]
    fn file_names_imply_sex() {
        assert_eq!(sex_from_file_name("female_train.csv"), Some(Sex::Female));
        assert_eq!(sex_from_file_name("MALE_test.csv"), Some(Sex::Male));
        assert_eq!(sex_from_file_name("people.csv"), None);
        assert_eq!(sex_from_file_name("male.txt"), None);
    }
}
