//! The shopper's profile in the widget origin's `localStorage`: versioned, with a backup
//! copy so that a corrupted or interrupted write never loses it, and one call that
//! forgets everything.
//!
//! Write protocol: the new text goes to the primary key, is read back and checked, and
//! only then copied to the backup key. A crash or quota error between the two leaves one
//! valid copy (the old backup or the new primary); [`load`] tries the primary first and
//! falls back to the backup.

use crate::form::Units;
use doppel_body::{BodyInput, Measure, Sex};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Storage key of the profile.
pub const KEY: &str = "doppel.profile";
/// Storage key of the backup copy.
pub const BACKUP_KEY: &str = "doppel.profile.backup";
/// The widget's own keys.
pub const ALL_KEYS: [&str; 2] = [KEY, BACKUP_KEY];
/// Prefix of every key doppel writes on its origin (widget, PWA tabs, concierge): what
/// "Forget me" removes.
pub const PREFIX: &str = "doppel.";
/// Format tag inside the stored JSON.
pub const FORMAT: &str = "doppel-web-profile";
/// Schema version written by this code.
pub const VERSION: u32 = 1;

/// What the widget remembers on this device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Always [`FORMAT`].
    pub format: String,
    /// Schema version ([`VERSION`]).
    pub version: u32,
    /// The last valid body answers (cm, kg, years).
    #[serde(default)]
    pub body: Option<StoredBody>,
    /// Preferred units: `metric` or `imperial`.
    #[serde(default)]
    pub units: String,
    /// Sizes the shopper chose, by product id.
    #[serde(default)]
    pub sizes: SizeMap,
    /// What the shopper sent from this device, to whom, and when (the consent ledger).
    #[serde(default)]
    pub ledger: Vec<crate::share::LedgerEntry>,
}

/// Product id → chosen size, sorted by id: stored as the same JSON object a
/// `BTreeMap<String, String>` gives, but a sorted list in memory, which avoids one more
/// `BTreeMap` instantiation in the wasm (BENCHMARKS.md).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SizeMap(Vec<(String, String)>);

impl SizeMap {
    /// Sets the size of `product`.
    pub fn insert(&mut self, product: String, size: String) {
        match self.0.binary_search_by(|(p, _)| p.as_str().cmp(&product)) {
            Ok(i) => self.0[i].1 = size,
            Err(i) => self.0.insert(i, (product, size)),
        }
    }

    /// The size saved for `product`.
    pub fn get(&self, product: &str) -> Option<&str> {
        let i = self
            .0
            .binary_search_by(|(p, _)| p.as_str().cmp(product))
            .ok()?;
        Some(&self.0[i].1)
    }

    /// Entries sorted by product id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(p, s)| (p.as_str(), s.as_str()))
    }
}

impl Serialize for SizeMap {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = ser.serialize_map(Some(self.0.len()))?;
        for (p, s) in &self.0 {
            m.serialize_entry(p, s)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for SizeMap {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = SizeMap;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<SizeMap, A::Error> {
                let mut m = SizeMap::default();
                // A repeated id keeps its last value, as a map would.
                while let Some((p, s)) = a.next_entry::<String, String>()? {
                    m.insert(p, s);
                }
                Ok(m)
            }
        }
        de.deserialize_map(V)
    }
}

/// Body answers in canonical units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredBody {
    /// `female` or `male`.
    pub sex: Sex,
    /// Age in years.
    pub age_years: f64,
    /// Height in cm.
    pub height_cm: f64,
    /// Weight in kg.
    pub weight_kg: f64,
    /// Tape measurements by measure key, cm.
    #[serde(default)]
    pub measured_cm: BTreeMap<String, f64>,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            format: FORMAT.into(),
            version: VERSION,
            body: None,
            units: Units::Metric.key().into(),
            sizes: SizeMap::default(),
            ledger: Vec::new(),
        }
    }
}

/// Why a stored profile could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// Not readable as a profile.
    #[error("the saved profile is corrupt ({0})")]
    Corrupt(String),
    /// Written by a newer version of the app.
    #[error("the saved profile is from a newer version of doppel (version {0}); please update")]
    Newer(u32),
    /// The browser refused to store it (private mode, quota).
    #[error("this browser does not allow saving ({0})")]
    Unavailable(String),
}

impl Profile {
    /// The stored body, re-validated (a tampered value is rejected, not trusted).
    pub fn body_input(&self) -> Option<BodyInput> {
        let b = self.body.as_ref()?;
        let tape = b
            .measured_cm
            .iter()
            .filter_map(|(k, v)| Measure::from_key(k).map(|m| (m, *v)));
        BodyInput::new(b.sex, b.height_cm, b.weight_kg, Some(b.age_years), tape).ok()
    }

    /// Remembers `input` as the body answers.
    pub fn set_body(&mut self, input: &BodyInput) {
        // Inserted one by one rather than collected: `collect` into a map instantiates a
        // stable sort for the pair type (kilobytes of wasm).
        let mut measured_cm = BTreeMap::new();
        for (m, v) in &input.measured_cm {
            measured_cm.insert(m.key().to_string(), *v);
        }
        self.body = Some(StoredBody {
            sex: input.sex,
            age_years: input.age_years,
            height_cm: input.height_cm,
            weight_kg: input.weight_kg,
            measured_cm,
        });
    }

    /// Preferred units.
    pub fn units(&self) -> Units {
        Units::from_key(&self.units).unwrap_or_default()
    }
}

/// Serialises a profile.
pub fn encode(p: &Profile) -> String {
    // Serialising plain data structures to a string cannot fail.
    crate::json::to_string(p)
}

/// Parses and checks a stored profile.
pub fn decode(text: &str) -> Result<Profile, StoreError> {
    let p: Profile = crate::json::from_str(text).map_err(StoreError::Corrupt)?;
    if p.format != FORMAT {
        return Err(StoreError::Corrupt(format!("format {:?}", p.format)));
    }
    if p.version > VERSION {
        return Err(StoreError::Newer(p.version));
    }
    Ok(p)
}

/// Minimal key-value storage, so the protocol is tested without a browser.
pub trait Backend {
    /// Reads a key.
    fn get(&self, key: &str) -> Option<String>;
    /// Writes a key.
    fn set(&self, key: &str, value: &str) -> Result<(), String>;
    /// Removes a key.
    fn remove(&self, key: &str);
    /// Every key present.
    fn keys(&self) -> Vec<String>;
}

/// Loads the profile: primary, else backup, else a fresh one. The error (if the primary
/// was unusable) is returned beside the profile so the UI can say what happened.
pub fn load(b: &dyn Backend) -> (Profile, Option<StoreError>) {
    let primary = b.get(KEY).map(|t| decode(&t));
    match primary {
        Some(Ok(p)) => (p, None),
        None => match b.get(BACKUP_KEY).map(|t| decode(&t)) {
            Some(Ok(p)) => (p, None),
            _ => (Profile::default(), None),
        },
        Some(Err(e)) => match b.get(BACKUP_KEY).map(|t| decode(&t)) {
            Some(Ok(p)) => (p, None),
            // A newer profile must not be overwritten by this older app: say so.
            _ => (Profile::default(), Some(e)),
        },
    }
}

/// Saves the profile with the primary-then-backup protocol.
pub fn save(b: &dyn Backend, p: &Profile) -> Result<(), StoreError> {
    let text = encode(p);
    // Never overwrite a good primary copy with text that would not load again.
    decode(&text)?;
    b.set(KEY, &text).map_err(StoreError::Unavailable)?;
    // Only a copy that reads back byte for byte and decodes becomes the backup. (Comparing
    // decoded structs instead would fail on floats that do not round-trip exactly through
    // the JSON parser, and then the backup would never be written.)
    match b.get(KEY) {
        Some(back) if back == text && decode(&back).is_ok() => {
            b.set(BACKUP_KEY, &text).map_err(StoreError::Unavailable)
        }
        _ => Err(StoreError::Unavailable("read-back mismatch".into())),
    }
}

/// Deletes everything doppel stored on this origin: the widget's profile and backup, and
/// whatever else carries the `doppel.` prefix (the PWA's last tab, the concierge's
/// products and reminders), so "Forget me" leaves nothing behind.
pub fn forget(b: &dyn Backend) {
    for k in ALL_KEYS {
        b.remove(k);
    }
    for k in b.keys().into_iter().filter(|k| k.starts_with(PREFIX)) {
        b.remove(&k);
    }
}

/// The browser's `localStorage` of the widget origin.
pub struct LocalStorage(Option<web_sys::Storage>);

impl LocalStorage {
    /// Opens it (absent when the browser blocks storage: some private modes, and
    /// third-party iframes where the browser blocks third-party storage).
    pub fn open() -> LocalStorage {
        LocalStorage(
            web_sys::window()
                .and_then(|w| w.local_storage().ok())
                .flatten(),
        )
    }

    /// Whether the browser lets this page store anything.
    pub fn available(&self) -> bool {
        self.0.is_some()
    }
}

impl Backend for LocalStorage {
    fn get(&self, key: &str) -> Option<String> {
        self.0.as_ref()?.get_item(key).ok().flatten()
    }
    fn set(&self, key: &str, value: &str) -> Result<(), String> {
        let s = self.0.as_ref().ok_or("no localStorage")?;
        s.set_item(key, value)
            .map_err(|e| e.as_string().unwrap_or_else(|| "quota exceeded".into()))
    }
    fn remove(&self, key: &str) {
        if let Some(s) = &self.0 {
            let _ = s.remove_item(key);
        }
    }
    fn keys(&self) -> Vec<String> {
        let Some(s) = &self.0 else {
            return Vec::new();
        };
        let n = s.length().unwrap_or(0);
        (0..n).filter_map(|i| s.key(i).ok().flatten()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[derive(Default)]
    struct Mem {
        map: RefCell<BTreeMap<String, String>>,
        fail_key: Option<&'static str>,
    }

    impl Backend for Mem {
        fn get(&self, key: &str) -> Option<String> {
            self.map.borrow().get(key).cloned()
        }
        fn set(&self, key: &str, value: &str) -> Result<(), String> {
            if self.fail_key == Some(key) {
                return Err("quota".into());
            }
            self.map.borrow_mut().insert(key.into(), value.into());
            Ok(())
        }
        fn remove(&self, key: &str) {
            self.map.borrow_mut().remove(key);
        }
        fn keys(&self) -> Vec<String> {
            self.map.borrow().keys().cloned().collect()
        }
    }

    fn sample() -> Profile {
        let mut p = Profile::default();
        let input = BodyInput::new(Sex::Male, 180.0, 80.0, Some(35.0), [(Measure::Waist, 88.0)])
            .expect("valid");
        p.set_body(&input);
        p.sizes.insert("tshirt-men".into(), "L".into());
        p
    }

    #[test]
    fn round_trip_and_revalidation() {
        let mem = Mem::default();
        let p = sample();
        save(&mem, &p).expect("saved");
        let (back, err) = load(&mem);
        assert_eq!(back, p);
        assert!(err.is_none());
        let input = back.body_input().expect("valid body");
        assert_eq!(input.measured_cm.get(&Measure::Waist), Some(&88.0));
        // A tampered value is not trusted.
        let mut bad = p.clone();
        if let Some(b) = bad.body.as_mut() {
            b.height_cm = 900.0;
        }
        assert!(bad.body_input().is_none());
    }

    #[test]
    fn corrupt_primary_falls_back_to_backup() {
        let mem = Mem::default();
        let p = sample();
        save(&mem, &p).expect("saved");
        mem.map
            .borrow_mut()
            .insert(KEY.into(), "{\"format\":".into());
        let (back, err) = load(&mem);
        assert_eq!(back, p);
        assert!(err.is_none());
    }

    #[test]
    fn values_from_inches_still_get_a_backup() {
        // 66 in, 140 lb and 37 in do not round-trip exactly through every JSON float
        // parser; the backup must be written anyway (the e2e restore case).
        let mem = Mem::default();
        let mut p = Profile::default();
        let input = BodyInput::new(
            Sex::Female,
            66.0 * 2.54,
            140.0 * 0.453_592_37,
            None,
            [(Measure::Chest, 37.0 * 2.54)],
        )
        .expect("valid");
        p.set_body(&input);
        save(&mem, &p).expect("saved");
        assert!(mem.map.borrow().contains_key(BACKUP_KEY));
        mem.map
            .borrow_mut()
            .insert(KEY.into(), "{\"format\":\"doppel-web-pro".into());
        let back = load(&mem).0.body_input().expect("restored from the backup");
        assert!((back.height_cm - 167.64).abs() < 1e-9);
    }

    #[test]
    fn failed_backup_write_keeps_a_valid_copy() {
        let mem = Mem {
            fail_key: Some(BACKUP_KEY),
            ..Mem::default()
        };
        let p = sample();
        assert!(save(&mem, &p).is_err());
        assert_eq!(load(&mem).0, p);
    }

    #[test]
    fn newer_version_is_reported_not_used() {
        let mem = Mem::default();
        let mut p = sample();
        p.version = VERSION + 1;
        mem.map.borrow_mut().insert(KEY.into(), encode(&p));
        let (back, err) = load(&mem);
        assert_eq!(back, Profile::default());
        assert_eq!(err, Some(StoreError::Newer(VERSION + 1)));
    }

    #[test]
    fn forget_removes_everything() {
        let mem = Mem::default();
        save(&mem, &sample()).expect("saved");
        for k in [
            "doppel.app.view",
            "doppel.concierge.profile",
            "othersite.token",
        ] {
            mem.set(k, "x").expect("set");
        }
        forget(&mem);
        // Everything of doppel's goes; a key another app on this origin wrote stays.
        let left: Vec<String> = mem.map.borrow().keys().cloned().collect();
        assert_eq!(left, ["othersite.token"]);
        assert_eq!(load(&mem).0, Profile::default());
    }

    /// Stored exactly as the `BTreeMap<String, String>` it replaces: same JSON text, same
    /// order, a repeated id keeps its last value; `get` and `iter` see the same entries.
    #[test]
    fn size_map_is_stored_like_a_btree_map() {
        let pairs = [
            ("tshirt-women", "M"),
            ("jeans-men", "52"),
            ("dress", "38"),
            ("jeans-men", "54"),
        ];
        let mut ours = SizeMap::default();
        let mut map = BTreeMap::new();
        for (p, s) in pairs {
            ours.insert(p.into(), s.into());
            map.insert(p.to_string(), s.to_string());
        }
        let text = serde_json::to_string(&map).unwrap();
        assert_eq!(serde_json::to_string(&ours).unwrap(), text);
        assert!(
            ours.iter()
                .eq(map.iter().map(|(p, s)| (p.as_str(), s.as_str())))
        );
        assert_eq!(ours.get("jeans-men"), Some("54"));
        assert_eq!(ours.get("hat"), None);
        let dup = r#"{"b":"1","a":"2","b":"3"}"#;
        let back: SizeMap = serde_json::from_str(dup).unwrap();
        let want: BTreeMap<String, String> = serde_json::from_str(dup).unwrap();
        assert!(
            back.iter()
                .eq(want.iter().map(|(p, s)| (p.as_str(), s.as_str())))
        );
        assert!(serde_json::from_str::<SizeMap>("[]").is_err());
        assert!(serde_json::from_str::<SizeMap>(r#"{"a":1}"#).is_err());
    }
}
