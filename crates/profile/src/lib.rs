//! The shopper's local profile file: what they own, how much they used it, what they
//! did to care for it and which errors it showed. It never leaves the device unless the
//! user exports it or picks fields for a report (see `doppel_concierge::report`).
//!
//! # File format
//!
//! ```json
//! {
//!   "format": "doppel-profile",
//!   "schema_version": 1,
//!   "checksum": "fnv1a64:…",
//!   "data": { "owned": [ … ] }
//! }
//! ```
//!
//! `checksum` is FNV-1a-64 over the exact bytes of `data` as written: it detects
//! corruption and hand edits (it is no protection against a deliberate forger — there is
//! no secret on the device to sign with). [`Profile::save`] writes `data` compactly.
//!
//! # Extending the profile
//!
//! [`Profile`] is the top-level `data` object. To add a section (e.g. body data or saved
//! sizes): add a field with `#[serde(default)]`, bump [`SCHEMA_VERSION`], and add a step
//! to [`migrate`] that turns the previous version's `data` into the new one (often: do
//! nothing, the default fills in). Older apps then refuse the newer file with
//! [`ProfileError::NewerVersion`] instead of silently dropping the new section on save.

use doppel_concierge::care::{CareDone, TaskStatus, due_tasks};
use doppel_concierge::report::{ErrorEvent, ProductRef, ReportData};
use doppel_concierge::{Date, Lang, Pack};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// The `format` value of a profile file.
pub const FORMAT: &str = "doppel-profile";
/// The schema version this code reads and writes.
pub const SCHEMA_VERSION: u32 = 1;
/// Largest profile file accepted, in bytes.
pub const MAX_PROFILE_BYTES: usize = 16 << 20;

/// Everything that can be wrong with a profile file or an update to it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProfileError {
    /// Not JSON, or not the expected structure.
    #[error("the profile file is corrupt: {0}")]
    Corrupt(String),
    /// Valid JSON, but not a doppel profile.
    #[error("this is not a doppel profile file (\"format\" must be \"{FORMAT}\")")]
    NotAProfile,
    /// Written by a newer app.
    #[error(
        "the profile was written by a newer version of the app (schema {found}; this app reads up to {supported}) — please update the app"
    )]
    NewerVersion {
        /// Version in the file.
        found: u32,
        /// Highest version this code reads.
        supported: u32,
    },
    /// A version no migration exists for.
    #[error("profile schema version {0} cannot be migrated")]
    UnsupportedVersion(u32),
    /// Checksum mismatch: the data was changed outside the app or damaged.
    #[error(
        "the profile data does not match its checksum (expected {expected}, found {found}): it was edited or damaged"
    )]
    Tampered {
        /// Checksum stored in the file.
        expected: String,
        /// Checksum of the data as found.
        found: String,
    },
    /// Larger than [`MAX_PROFILE_BYTES`].
    #[error("the profile file is {0} bytes (at most {MAX_PROFILE_BYTES})")]
    TooLarge(usize),
    /// A value that breaks a rule; `path` names it, e.g. `owned[0].counters.water_l[2]`.
    #[error("{path}: {reason}")]
    Invalid {
        /// Where.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// No owned product with this id.
    #[error("no owned product with id {0:?}")]
    UnknownOwned(String),
    /// An error from the care computation.
    #[error(transparent)]
    Care(#[from] doppel_concierge::care::CareError),
}

/// One counter reading.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reading {
    /// When it was read.
    pub date: Date,
    /// The counter value (never lower than an earlier reading).
    pub value: f64,
}

/// A product the user owns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnedProduct {
    /// Local id, unique in the profile.
    pub id: String,
    /// Knowledge pack id.
    pub pack: String,
    /// Product id in that pack.
    pub product: String,
    /// GTIN-14, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gtin: Option<String>,
    /// Serial number, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Purchase date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_date: Option<Date>,
    /// The user's name for it ("Büro-Maschine").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Counter readings by counter id, oldest first.
    #[serde(default)]
    pub counters: BTreeMap<String, Vec<Reading>>,
    /// Care tasks done, oldest first.
    #[serde(default)]
    pub care_log: Vec<CareDone>,
    /// Errors the device showed, oldest first.
    #[serde(default)]
    pub errors: Vec<ErrorEvent>,
}

/// The profile's `data` (see the module docs on extending it).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Owned products.
    #[serde(default)]
    pub owned: Vec<OwnedProduct>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<'a> {
    format: Option<String>,
    schema_version: Option<u32>,
    checksum: Option<String>,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
}

/// FNV-1a 64-bit checksum, formatted as `fnv1a64:<16 hex digits>`.
pub fn checksum(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("fnv1a64:{h:016x}")
}

/// Migration hook: turns `data` of schema version `from` into the current version.
/// Version 1 is the first; add `1 => v1_to_v2(data)?` here when version 2 arrives.
pub fn migrate(data: Value, from: u32) -> Result<Value, ProfileError> {
    match from {
        SCHEMA_VERSION => Ok(data),
        // When version 2 exists: 1 => migrate(v1_to_v2(data)?, 2),
        other => Err(ProfileError::UnsupportedVersion(other)),
    }
}

fn invalid(path: impl Into<String>, reason: impl Into<String>) -> ProfileError {
    ProfileError::Invalid {
        path: path.into(),
        reason: reason.into(),
    }
}

impl Profile {
    /// Reads a profile file: checks format, version (migrating older ones), checksum,
    /// structure and the rules (unique ids, counters never going backwards, dates in order).
    pub fn load(text: &str) -> Result<Profile, ProfileError> {
        if text.len() > MAX_PROFILE_BYTES {
            return Err(ProfileError::TooLarge(text.len()));
        }
        let env: Envelope = serde_json::from_str(text).map_err(|e| {
            if e.is_data() {
                ProfileError::NotAProfile
            } else {
                ProfileError::Corrupt(e.to_string())
            }
        })?;
        if env.format.as_deref() != Some(FORMAT) {
            return Err(ProfileError::NotAProfile);
        }
        let version = env
            .schema_version
            .ok_or_else(|| ProfileError::Corrupt("\"schema_version\" is missing".into()))?;
        if version > SCHEMA_VERSION {
            return Err(ProfileError::NewerVersion {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        let data = env
            .data
            .ok_or_else(|| ProfileError::Corrupt("\"data\" is missing".into()))?;
        let expected = env
            .checksum
            .ok_or_else(|| ProfileError::Corrupt("\"checksum\" is missing".into()))?;
        let found = checksum(data.get().as_bytes());
        if found != expected {
            return Err(ProfileError::Tampered { expected, found });
        }
        let profile: Profile = if version == SCHEMA_VERSION {
            serde_json::from_str(data.get())
                .map_err(|e| ProfileError::Corrupt(format!("data: {e}")))?
        } else {
            let value: Value = serde_json::from_str(data.get())
                .map_err(|e| ProfileError::Corrupt(e.to_string()))?;
            serde_json::from_value(migrate(value, version)?)
                .map_err(|e| ProfileError::Corrupt(format!("data: {e}")))?
        };
        profile.validate()?;
        Ok(profile)
    }

    /// Writes the profile file (current schema version, with checksum).
    pub fn save(&self) -> String {
        // Serialising plain structs of strings, numbers and maps cannot fail.
        let data = serde_json::to_string(self).unwrap_or_else(|_| "{}".into());
        format!(
            "{{\n  \"format\": \"{FORMAT}\",\n  \"schema_version\": {SCHEMA_VERSION},\n  \"checksum\": \"{}\",\n  \"data\": {data}\n}}\n",
            checksum(data.as_bytes())
        )
    }

    /// Checks the rules every profile obeys; errors name the offending path.
    pub fn validate(&self) -> Result<(), ProfileError> {
        let mut ids = std::collections::BTreeSet::new();
        for (i, o) in self.owned.iter().enumerate() {
            let p = format!("owned[{i}]");
            if o.id.trim().is_empty() || o.id.len() > 64 {
                return Err(invalid(format!("{p}.id"), "must be 1–64 characters"));
            }
            if !ids.insert(o.id.as_str()) {
                return Err(invalid(
                    format!("{p}.id"),
                    format!("duplicate id {:?}", o.id),
                ));
            }
            for (name, readings) in &o.counters {
                for (j, r) in readings.iter().enumerate() {
                    let rp = format!("{p}.counters.{name}[{j}]");
                    if !r.value.is_finite() || r.value < 0.0 {
                        return Err(invalid(
                            rp,
                            format!("value {} must be a finite number ≥ 0", r.value),
                        ));
                    }
                    if j > 0 {
                        let prev = readings[j - 1];
                        if r.date < prev.date {
                            return Err(invalid(
                                rp,
                                format!(
                                    "date {} is before the previous reading ({})",
                                    r.date, prev.date
                                ),
                            ));
                        }
                        if r.value < prev.value {
                            return Err(invalid(
                                rp,
                                format!(
                                    "value {} is lower than the previous reading {} (counters never go backwards)",
                                    r.value, prev.value
                                ),
                            ));
                        }
                    }
                }
            }
            if o.care_log.windows(2).any(|w| w[1].date < w[0].date) {
                return Err(invalid(
                    format!("{p}.care_log"),
                    "entries must be in date order",
                ));
            }
            if o.errors.windows(2).any(|w| w[1].date < w[0].date) {
                return Err(invalid(
                    format!("{p}.errors"),
                    "entries must be in date order",
                ));
            }
        }
        Ok(())
    }

    /// Adds a product; its id must be new.
    pub fn add_owned(&mut self, product: OwnedProduct) -> Result<(), ProfileError> {
        if self.owned.iter().any(|o| o.id == product.id) {
            return Err(invalid(
                "id",
                format!("an owned product with id {:?} already exists", product.id),
            ));
        }
        self.owned.push(product);
        self.validate()
    }

    /// The owned product with this id.
    pub fn owned(&self, id: &str) -> Result<&OwnedProduct, ProfileError> {
        self.owned
            .iter()
            .find(|o| o.id == id)
            .ok_or_else(|| ProfileError::UnknownOwned(id.into()))
    }

    /// The owned product with this id, mutable.
    pub fn owned_mut(&mut self, id: &str) -> Result<&mut OwnedProduct, ProfileError> {
        self.owned
            .iter_mut()
            .find(|o| o.id == id)
            .ok_or_else(|| ProfileError::UnknownOwned(id.into()))
    }
}

impl OwnedProduct {
    /// A new entry for `product` of `pack`.
    pub fn new(id: impl Into<String>, pack: impl Into<String>, product: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            pack: pack.into(),
            product: product.into(),
            gtin: None,
            serial: None,
            purchase_date: None,
            nickname: None,
            counters: BTreeMap::new(),
            care_log: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Records a counter reading. Errors when it is lower than an earlier reading or dated
    /// before the last one (counters only grow; a reset device needs a new entry).
    pub fn record_usage(
        &mut self,
        counter: &str,
        date: Date,
        value: f64,
    ) -> Result<(), ProfileError> {
        let path = format!("counters.{counter}");
        if counter.trim().is_empty() {
            return Err(invalid(path, "counter name must not be empty"));
        }
        if !value.is_finite() || value < 0.0 {
            return Err(invalid(
                path,
                format!("value {value} must be a finite number ≥ 0"),
            ));
        }
        let readings = self.counters.entry(counter.to_string()).or_default();
        if let Some(last) = readings.last() {
            if date < last.date {
                return Err(invalid(
                    path,
                    format!(
                        "reading dated {date} is before the last reading ({})",
                        last.date
                    ),
                ));
            }
            if value < last.value {
                return Err(invalid(
                    path,
                    format!(
                        "{value} is lower than the last reading {} on {} (counters never go backwards)",
                        last.value, last.date
                    ),
                ));
            }
        }
        readings.push(Reading { date, value });
        Ok(())
    }

    /// Latest reading of every counter on or before `date`.
    pub fn usage_at(&self, date: Date) -> BTreeMap<String, f64> {
        self.counters
            .iter()
            .filter_map(|(k, r)| {
                r.iter()
                    .rev()
                    .find(|x| x.date <= date)
                    .map(|x| (k.clone(), x.value))
            })
            .collect()
    }

    /// Latest reading of every counter.
    pub fn current_usage(&self) -> BTreeMap<String, f64> {
        self.counters
            .iter()
            .filter_map(|(k, r)| r.last().map(|x| (k.clone(), x.value)))
            .collect()
    }

    /// Logs a care task as done on `date`, with the counter readings of that day.
    pub fn log_care(&mut self, task: &str, date: Date) -> Result<(), ProfileError> {
        if let Some(last) = self.care_log.last()
            && date < last.date
        {
            return Err(invalid(
                "care_log",
                format!("{date} is before the last entry ({})", last.date),
            ));
        }
        let counters = self.usage_at(date);
        self.care_log.push(CareDone {
            task: task.to_string(),
            date,
            counters,
        });
        Ok(())
    }

    /// Records an error the device showed.
    pub fn record_error(
        &mut self,
        code: &str,
        date: Date,
        note: Option<String>,
    ) -> Result<(), ProfileError> {
        if code.trim().is_empty() || code.len() > 16 {
            return Err(invalid("errors.code", "must be 1–16 characters, e.g. E08"));
        }
        if let Some(last) = self.errors.last()
            && date < last.date
        {
            return Err(invalid(
                "errors",
                format!("{date} is before the last entry ({})", last.date),
            ));
        }
        self.errors.push(ErrorEvent {
            code: code.trim().to_uppercase(),
            date,
            note,
        });
        Ok(())
    }

    /// Due, overdue and upcoming care tasks, counted from the purchase date (else the
    /// first reading, else `today`).
    pub fn due_tasks(
        &self,
        pack: &Pack,
        today: Date,
        lang: Lang,
    ) -> Result<Vec<TaskStatus>, ProfileError> {
        let product = pack.product(&self.product).ok_or_else(|| {
            invalid(
                "product",
                format!("{:?} is not in pack {}", self.product, pack.manifest.id),
            )
        })?;
        let plan = pack
            .care_plan_for(product)
            .ok_or_else(|| doppel_concierge::care::CareError::NoCarePlan(product.id.clone()))?;
        let first_reading = self
            .counters
            .values()
            .filter_map(|r| r.first().map(|x| x.date))
            .min();
        let since = self
            .purchase_date
            .or(first_reading)
            .unwrap_or(today)
            .min(today);
        // Only counters the product knows take part; others (from an older pack) are ignored.
        let usage: BTreeMap<String, f64> = self
            .usage_at(today)
            .into_iter()
            .filter(|(k, _)| product.counters.iter().any(|c| &c.id == k))
            .collect();
        Ok(due_tasks(
            product,
            plan,
            since,
            today,
            &usage,
            &self.care_log,
            lang,
        )?)
    }

    /// Everything a report could contain; the user's field choice decides what goes in.
    pub fn report_data(&self, pack: &Pack, lang: Lang) -> ReportData {
        let product = pack.product(&self.product).map(|p| ProductRef {
            id: p.id.clone(),
            name: p.name.get(lang).to_string(),
            model: p.model.clone(),
            gtin: p.gtin.clone(),
        });
        ReportData {
            pack: self.pack.clone(),
            product,
            serial: self.serial.clone(),
            purchase_date: self.purchase_date,
            counters: self.current_usage(),
            error_history: self.errors.clone(),
            care_log: self.care_log.clone(),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn sample() -> Profile {
        let mut o = OwnedProduct::new("kitchen", "bohnenwerk", "barista-one");
        o.serial = Some("BWBO2410L00042".into());
        o.purchase_date = Some(d("2025-01-10"));
        o.record_usage("water_l", d("2025-02-01"), 20.0).unwrap();
        o.record_usage("water_l", d("2025-03-01"), 45.5).unwrap();
        o.log_care("brew-group", d("2025-03-02")).unwrap();
        o.record_error("e08", d("2025-03-03"), Some("slow".into()))
            .unwrap();
        let mut p = Profile::default();
        p.add_owned(o).unwrap();
        p
    }

    #[test]
    fn round_trips_through_the_file_format() {
        let p = sample();
        let text = p.save();
        assert!(text.contains("\"schema_version\": 1"));
        let back = Profile::load(&text).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.owned[0].errors[0].code, "E08");
        assert_eq!(back.owned[0].care_log[0].counters["water_l"], 45.5);
    }

    #[test]
    fn detects_tampering_corruption_and_newer_versions() {
        let text = sample().save();
        let edited = text.replace("45.5", "4.5");
        assert!(matches!(
            Profile::load(&edited),
            Err(ProfileError::Tampered { .. })
        ));
        assert!(matches!(
            Profile::load(&text[..text.len() / 2]),
            Err(ProfileError::Corrupt(_))
        ));
        assert!(matches!(
            Profile::load("[1,2]"),
            Err(ProfileError::NotAProfile)
        ));
        assert!(matches!(
            Profile::load("{\"format\":\"other\"}"),
            Err(ProfileError::NotAProfile)
        ));
        let newer = text.replace("\"schema_version\": 1", "\"schema_version\": 7");
        let e = Profile::load(&newer).unwrap_err();
        assert_eq!(
            e,
            ProfileError::NewerVersion {
                found: 7,
                supported: 1
            }
        );
        assert!(e.to_string().contains("newer version"));
        let v0 = text.replace("\"schema_version\": 1", "\"schema_version\": 0");
        assert_eq!(
            Profile::load(&v0).unwrap_err(),
            ProfileError::UnsupportedVersion(0)
        );
        let no_sum = text.replace("\"checksum\"", "\"chksum\"");
        assert!(matches!(
            Profile::load(&no_sum),
            Err(ProfileError::NotAProfile | ProfileError::Corrupt(_))
        ));
    }

    #[test]
    fn rules_are_checked_even_with_a_valid_checksum() {
        // A forged file with a recomputed checksum still must obey the rules.
        let data = r#"{"owned":[{"id":"a","pack":"p","product":"x","counters":{"water_l":[{"date":"2025-01-01","value":50},{"date":"2025-02-01","value":10}]}}]}"#;
        let text = format!(
            "{{\"format\":\"doppel-profile\",\"schema_version\":1,\"checksum\":\"{}\",\"data\":{data}}}",
            checksum(data.as_bytes())
        );
        let e = Profile::load(&text).unwrap_err();
        assert_eq!(
            e.to_string(),
            "owned[0].counters.water_l[1]: value 10 is lower than the previous reading 50 (counters never go backwards)"
        );
        let data =
            r#"{"owned":[{"id":"a","pack":"p","product":"x","purchase_date":"2025-02-30"}]}"#;
        let text = format!(
            "{{\"format\":\"doppel-profile\",\"schema_version\":1,\"checksum\":\"{}\",\"data\":{data}}}",
            checksum(data.as_bytes())
        );
        assert!(
            Profile::load(&text)
                .unwrap_err()
                .to_string()
                .contains("February 2025 has 28 days")
        );
        let data = r#"{"owned":[],"bogus":1}"#;
        let text = format!(
            "{{\"format\":\"doppel-profile\",\"schema_version\":1,\"checksum\":\"{}\",\"data\":{data}}}",
            checksum(data.as_bytes())
        );
        assert!(
            Profile::load(&text)
                .unwrap_err()
                .to_string()
                .contains("bogus")
        );
    }

    #[test]
    fn counters_never_go_backwards() {
        let mut p = sample();
        let o = p.owned_mut("kitchen").unwrap();
        let e = o
            .record_usage("water_l", d("2025-03-05"), 40.0)
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("40 is lower than the last reading 45.5"),
            "{e}"
        );
        assert!(
            o.record_usage("water_l", d("2025-02-05"), 50.0).is_err(),
            "dated before the last reading"
        );
        assert!(
            o.record_usage("water_l", d("2025-03-05"), f64::NAN)
                .is_err()
        );
        o.record_usage("water_l", d("2025-03-05"), 45.5).unwrap();
        assert_eq!(o.usage_at(d("2025-02-15"))["water_l"], 20.0);
        assert!(o.usage_at(d("2025-01-15")).is_empty());
        assert!(matches!(
            p.owned("nope"),
            Err(ProfileError::UnknownOwned(_))
        ));
        let dup = OwnedProduct::new("kitchen", "x", "y");
        assert!(p.add_owned(dup).is_err());
    }

    #[test]
    fn migrate_hook_passes_current_and_rejects_unknown() {
        let v = serde_json::json!({"owned": []});
        assert_eq!(migrate(v.clone(), SCHEMA_VERSION).unwrap(), v);
        assert!(migrate(v, 0).is_err());
    }
}
