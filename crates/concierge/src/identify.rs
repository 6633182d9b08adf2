//! Identify: from whatever the user typed or scanned (GS1 Digital Link, GS1 element
//! string, GTIN, or the maker's serial number) to product, serial, batch, production
//! date, plant and warranty end.

use crate::date::Date;
use crate::gs1::{self, GS, Gs1Error};
use crate::pack::{Pack, Product, WarrantyStart};
use serde::Serialize;

/// What a code revealed. Field names are the CLI's JSON contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identification {
    /// GTIN normalised to 14 digits.
    pub gtin: Option<String>,
    /// Serial number.
    pub serial: Option<String>,
    /// Batch or lot.
    pub batch: Option<String>,
    /// Production date (GS1 AI 11, else from the serial rule).
    pub production_date: Option<Date>,
    /// Expiry date (GS1 AI 17).
    pub expiry_date: Option<Date>,
    /// The pack's product, or `None` for a well-formed code of an unknown product.
    pub product: Option<Product>,
    /// Production plant (from the serial rule).
    pub plant: Option<String>,
    /// Last day of the warranty, when it can be computed.
    pub warranty_until: Option<Date>,
    /// What `warranty_until` is based on: `purchase`, `production`, or
    /// `production_estimate` (terms run from purchase, but no purchase date was given:
    /// a lower bound computed from the production date).
    pub warranty_basis: Option<&'static str>,
    /// How the code was read: `digital_link`, `element_string`, `gtin` or `serial`.
    pub form: &'static str,
    /// The serial rule that matched, if any.
    pub serial_rule: Option<String>,
}

/// Why a code could not be identified; every message names the faulty part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifyError {
    /// A GS1 code that is malformed or has a wrong check digit.
    #[error(transparent)]
    Gs1(#[from] Gs1Error),
    /// Matches no known form.
    #[error(
        "code {code:?} is neither a GS1 Digital Link (https://…/01/<GTIN>/…), a GS1 element string ((01)<GTIN>…), a GTIN (8, 12, 13 or 14 digits) nor a serial number this pack knows{hint}"
    )]
    Unrecognised {
        /// The code as given.
        code: String,
        /// Example serial formats, if the pack has rules.
        hint: String,
    },
}

impl Pack {
    /// Identifies a code. `purchase` (optional) is used for the warranty end;
    /// `reference_year` is the current year for the GS1 two-digit-year century rule.
    pub fn identify(
        &self,
        code: &str,
        purchase: Option<Date>,
        reference_year: i32,
    ) -> Result<Identification, IdentifyError> {
        let s = code.trim();
        if s.is_empty() {
            return Err(Gs1Error::Empty.into());
        }
        if s.len() > gs1::MAX_CODE_LEN {
            return Err(Gs1Error::TooLong {
                len: s.len(),
                max: gs1::MAX_CODE_LEN,
            }
            .into());
        }
        let lower = s.get(..7).unwrap_or(s).to_ascii_lowercase();
        let digits = s.bytes().all(|b| b.is_ascii_digit());
        let gs1_form = if lower.starts_with("http") {
            Some(("digital_link", gs1::parse_digital_link(s, reference_year)))
        } else if s.starts_with('(') || s.starts_with(']') || s.contains(GS) || s.contains("<GS>") {
            Some((
                "element_string",
                gs1::parse_element_string(s, reference_year),
            ))
        } else if digits && matches!(s.len(), 8 | 12 | 13 | 14) {
            Some(("gtin", gs1::parse(s, reference_year)))
        } else if digits && s.len() > 14 {
            Some((
                "element_string",
                gs1::parse_element_string(s, reference_year),
            ))
        } else {
            None
        };
        match gs1_form {
            Some((form, Ok(data))) => {
                let product = data.gtin.as_deref().and_then(|g| self.product_by_gtin(g));
                // A serial inside a GS1 code may still follow the maker's rule (plant, date).
                let info = data
                    .serial
                    .as_deref()
                    .and_then(|sn| self.match_serial(sn))
                    .filter(|i| {
                        i.product_id.is_none()
                            || product
                                .is_none_or(|p| i.product_id.as_deref() == Some(p.id.as_str()))
                    });
                let production_date = data
                    .production_date
                    .or(info.as_ref().and_then(|i| i.production_date));
                let mut out = Identification {
                    gtin: data.gtin.clone(),
                    serial: data.serial.clone(),
                    batch: data.batch.clone(),
                    production_date,
                    expiry_date: data.expiry_date,
                    product: product.cloned(),
                    plant: info.as_ref().and_then(|i| i.plant.clone()),
                    warranty_until: None,
                    warranty_basis: None,
                    form,
                    serial_rule: info.map(|i| i.rule),
                };
                self.fill_warranty(&mut out, purchase);
                Ok(out)
            }
            Some((_, Err(e))) => {
                // Digits that fail as GTIN/element string may still be a maker serial number.
                if digits && let Some(out) = self.identify_serial(s, purchase) {
                    return Ok(out);
                }
                Err(e.into())
            }
            None => self
                .identify_serial(s, purchase)
                .ok_or_else(|| IdentifyError::Unrecognised {
                    code: s.chars().take(80).collect(),
                    hint: if self.serial_rules.is_empty() {
                        String::new()
                    } else {
                        let pats: Vec<&str> = self
                            .serial_rules
                            .iter()
                            .map(|r| r.pattern.as_str())
                            .collect();
                        format!(" (serial formats: {})", pats.join(", "))
                    },
                }),
        }
    }

    fn identify_serial(&self, s: &str, purchase: Option<Date>) -> Option<Identification> {
        let info = self.match_serial(s)?;
        let product = info.product_id.as_deref().and_then(|id| self.product(id));
        let mut out = Identification {
            gtin: product.and_then(|p| p.gtin.clone()),
            serial: Some(crate::serial::normalize_serial(s)),
            batch: None,
            production_date: info.production_date,
            expiry_date: None,
            product: product.cloned(),
            plant: info.plant.clone(),
            warranty_until: None,
            warranty_basis: None,
            form: "serial",
            serial_rule: Some(info.rule),
        };
        self.fill_warranty(&mut out, purchase);
        Some(out)
    }

    fn fill_warranty(&self, out: &mut Identification, purchase: Option<Date>) {
        let Some(product) = &out.product else { return };
        let Some(terms) = self.warranty_for(&product.id) else {
            return;
        };
        let months = i64::from(terms.months);
        // The warranty covers whole days: it ends the day before the same date N months on.
        let end = |d: Date| d.add_months(months).add_days(-1);
        let (until, basis) = match (terms.starts, purchase, out.production_date) {
            (WarrantyStart::Purchase, Some(p), _) => (Some(end(p)), "purchase"),
            (WarrantyStart::Purchase, None, Some(d)) => (Some(end(d)), "production_estimate"),
            (WarrantyStart::Production, _, Some(d)) => (Some(end(d)), "production"),
            _ => (None, ""),
        };
        out.warranty_until = until;
        out.warranty_basis = until.map(|_| basis);
    }
}
