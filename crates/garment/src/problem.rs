//! One problem found while checking a catalog, chart or mesh, naming where it is.

use serde::Serialize;
use std::fmt;

/// A single validation problem. Checks collect every problem instead of stopping at the
/// first, so that `doppel catalog check` can list them all at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Product id, when the problem belongs to a product.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Size label, when the problem belongs to one size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// The field or file concerned, as a JSON path (`sizes[2].ranges_cm.chest`) or file name.
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl Problem {
    /// A problem with `field` (no product or size context yet).
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            product: None,
            size: None,
            field: field.into(),
            message: message.into(),
        }
    }

    /// Adds the product id (kept if already set).
    pub fn in_product(mut self, product: &str) -> Self {
        if self.product.is_none() {
            self.product = Some(product.to_string());
        }
        self
    }

    /// Adds the size label (kept if already set).
    pub fn in_size(mut self, size: &str) -> Self {
        if self.size.is_none() {
            self.size = Some(size.to_string());
        }
        self
    }

    /// Prefixes the field path (`prefix.field`), for problems found in a nested document.
    pub fn under(mut self, prefix: &str) -> Self {
        if !prefix.is_empty() {
            self.field = if self.field.is_empty() {
                prefix.to_string()
            } else {
                format!("{prefix}.{}", self.field)
            };
        }
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.product {
            write!(f, "product {p:?}: ")?;
        }
        if let Some(s) = &self.size {
            write!(f, "size {s:?}: ")?;
        }
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A list of problems as one error (for `?` in callers that stop at invalid input).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", join(.0))]
pub struct Problems(pub Vec<Problem>);

fn join(ps: &[Problem]) -> String {
    let mut s = format!("{} problem(s)", ps.len());
    for p in ps {
        s.push_str("\n  - ");
        s.push_str(&p.to_string());
    }
    s
}

/// Small helpers for reading untyped JSON while collecting problems.
pub(crate) mod json {
    use super::Problem;
    use serde_json::Value;

    /// Largest document accepted, in bytes (hostile-input guard).
    pub const MAX_DOC_BYTES: usize = 8 * 1024 * 1024;

    /// Parses JSON text, reporting malformed input as a problem on `field`.
    pub fn parse(text: &str, field: &str) -> Result<Value, Problem> {
        if text.len() > MAX_DOC_BYTES {
            return Err(Problem::new(
                field,
                format!(
                    "document is {} bytes; at most {MAX_DOC_BYTES} allowed",
                    text.len()
                ),
            ));
        }
        serde_json::from_str(text).map_err(|e| Problem::new(field, format!("malformed JSON: {e}")))
    }

    /// Reports keys of `obj` not in `allowed` (typos would otherwise be silently ignored).
    pub fn unknown_keys(
        obj: &serde_json::Map<String, Value>,
        allowed: &[&str],
        path: &str,
        out: &mut Vec<Problem>,
    ) {
        for k in obj.keys() {
            if !allowed.contains(&k.as_str()) {
                out.push(Problem::new(
                    join(path, k),
                    format!("unknown field (allowed: {})", allowed.join(", ")),
                ));
            }
        }
    }

    /// `path.key`, or `key` at the root.
    pub fn join(path: &str, key: &str) -> String {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    }

    /// A required non-empty string of at most `max` characters.
    pub fn string(
        obj: &serde_json::Map<String, Value>,
        key: &str,
        path: &str,
        max: usize,
        out: &mut Vec<Problem>,
    ) -> Option<String> {
        match obj.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= max => {
                Some(s.clone())
            }
            Some(Value::String(_)) => {
                out.push(Problem::new(
                    join(path, key),
                    format!("must be a non-empty string of at most {max} characters"),
                ));
                None
            }
            Some(_) => {
                out.push(Problem::new(join(path, key), "must be a string"));
                None
            }
            None => {
                out.push(Problem::new(join(path, key), "is missing"));
                None
            }
        }
    }

    /// A finite number within `[min, max]` (inclusive).
    pub fn number_in(
        v: &Value,
        field: &str,
        (min, max): (f64, f64),
        unit: &str,
        out: &mut Vec<Problem>,
    ) -> Option<f64> {
        match v.as_f64() {
            Some(x) if x.is_finite() && x >= min && x <= max => Some(x),
            Some(x) => {
                out.push(Problem::new(
                    field,
                    format!("{x} {unit} is outside the allowed range {min}–{max} {unit}"),
                ));
                None
            }
            None => {
                out.push(Problem::new(field, format!("must be a number ({unit})")));
                None
            }
        }
    }
}
