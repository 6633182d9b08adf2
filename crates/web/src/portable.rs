//! The portable profile, without a server: a file the shopper saves and loads, and a link
//! whose data sits in the URL fragment (browsers never send the part after `#`), optionally
//! encrypted with a passphrase (WebCrypto PBKDF2-SHA-256 → AES-256-GCM, in `crypto.rs`).
//!
//! Link formats (after the `#`):
//! - `doppel-profile=<base64url of the profile JSON>`
//! - `doppel-profile-enc=v1.<base64url of salt (16 B) ‖ iv (12 B) ‖ AES-GCM ciphertext+tag>`
//!
//! Everything here is pure (no DOM) and unit-tested natively; a corrupt, tampered or newer
//! profile is reported, never loaded half-way, and never overwrites the saved one.

use crate::store::{self, Profile, StoreError};

/// Fragment key of a plain profile link.
pub const PLAIN_KEY: &str = "doppel-profile=";
/// Fragment key of an encrypted profile link.
pub const ENC_KEY: &str = "doppel-profile-enc=v1.";
/// Salt length of the key derivation.
pub const SALT_LEN: usize = 16;
/// AES-GCM nonce length.
pub const IV_LEN: usize = 12;
/// AES-GCM tag length (the smallest ciphertext).
pub const TAG_LEN: usize = 16;
/// PBKDF2-SHA-256 iterations (OWASP's 2023 recommendation).
pub const PBKDF2_ITERATIONS: u32 = 600_000;
/// Longest fragment accepted (a profile is well under 2 KB; this bounds hostile links).
pub const MAX_FRAGMENT: usize = 16 * 1024;
/// Largest profile file accepted.
pub const MAX_FILE: usize = 256 * 1024;
/// File name offered when saving.
pub const FILE_NAME: &str = "doppel-profile.json";

/// Why a file or link could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PortableError {
    /// Not a doppel profile (wrong format, bad encoding, cut off).
    #[error("this is not a doppel profile ({0})")]
    Corrupt(String),
    /// Made by a newer doppel.
    #[error("this profile is from a newer version of doppel (version {0}); please update")]
    Newer(u32),
    /// The body values are outside the allowed ranges (edited by hand or tampered).
    #[error("the body values in this profile are outside the allowed ranges")]
    BadBody,
    /// Wrong passphrase, or the encrypted link was changed.
    #[error("wrong passphrase, or the link was changed")]
    WrongPassphrase,
    /// Too large to be a profile.
    #[error("too large to be a doppel profile (at most {0} bytes)")]
    TooLarge(usize),
}

/// What a link carries.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkData {
    /// A readable profile.
    Plain(Profile),
    /// An encrypted profile: needs the passphrase.
    Encrypted {
        /// PBKDF2 salt.
        salt: Vec<u8>,
        /// AES-GCM nonce.
        iv: Vec<u8>,
        /// Ciphertext with tag.
        ciphertext: Vec<u8>,
    },
}

/// Checks a profile's content as well as its form: a body that fails validation is refused.
pub fn import_text(text: &str) -> Result<Profile, PortableError> {
    if text.len() > MAX_FILE {
        return Err(PortableError::TooLarge(MAX_FILE));
    }
    let p = store::decode(text.trim()).map_err(|e| match e {
        StoreError::Newer(v) => PortableError::Newer(v),
        other => PortableError::Corrupt(other.to_string()),
    })?;
    if p.body.is_some() && p.body_input().is_none() {
        return Err(PortableError::BadBody);
    }
    Ok(p)
}

/// The file content of an export (the stored form: it is the shopper's own data).
pub fn export_text(p: &Profile) -> String {
    store::encode(p)
}

/// A plain profile link on `base` (the app's URL without fragment).
pub fn plain_link(base: &str, p: &Profile) -> String {
    format!(
        "{}#{PLAIN_KEY}{}",
        strip_fragment(base),
        b64url_encode(store::encode(p).as_bytes())
    )
}

/// An encrypted profile link on `base`.
pub fn encrypted_link(base: &str, salt: &[u8], iv: &[u8], ciphertext: &[u8]) -> String {
    let mut all = Vec::with_capacity(salt.len() + iv.len() + ciphertext.len());
    all.extend_from_slice(salt);
    all.extend_from_slice(iv);
    all.extend_from_slice(ciphertext);
    format!("{}#{ENC_KEY}{}", strip_fragment(base), b64url_encode(&all))
}

fn strip_fragment(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

/// Reads a link or a bare fragment (`#…` or the text after it). `Ok(None)`: not a
/// profile link at all (an ordinary fragment), so nothing to offer.
pub fn parse_link(text: &str) -> Result<Option<LinkData>, PortableError> {
    let frag = match text.trim().split_once('#') {
        Some((_, f)) => f,
        None => text.trim(),
    };
    if frag.len() > MAX_FRAGMENT {
        return Err(PortableError::TooLarge(MAX_FRAGMENT));
    }
    if let Some(data) = frag.strip_prefix(PLAIN_KEY) {
        let bytes = b64url_decode(data)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| PortableError::Corrupt("not UTF-8 text".into()))?;
        return import_text(&text).map(|p| Some(LinkData::Plain(p)));
    }
    if let Some(data) = frag.strip_prefix(ENC_KEY) {
        let bytes = b64url_decode(data)?;
        if bytes.len() < SALT_LEN + IV_LEN + TAG_LEN {
            return Err(PortableError::Corrupt(
                "the encrypted data is cut off".into(),
            ));
        }
        let (salt, rest) = bytes.split_at(SALT_LEN);
        let (iv, ciphertext) = rest.split_at(IV_LEN);
        return Ok(Some(LinkData::Encrypted {
            salt: salt.to_vec(),
            iv: iv.to_vec(),
            ciphertext: ciphertext.to_vec(),
        }));
    }
    if frag.starts_with("doppel-profile") {
        return Err(PortableError::Corrupt("unknown link version".into()));
    }
    Ok(None)
}

/// Merges an imported profile into the current one: the import's body, units and sizes
/// win; the local consent ledger is kept (it records what left *this* device).
pub fn merge(current: &Profile, imported: Profile) -> Profile {
    let mut p = imported;
    let mut ledger = current.ledger.clone();
    for e in p.ledger.drain(..) {
        if !ledger.contains(&e) {
            ledger.push(e);
        }
    }
    p.ledger = ledger;
    p.format = store::FORMAT.into();
    p.version = store::VERSION;
    p
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5).
pub fn b64url_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url (padding optional); any other character is an error.
pub fn b64url_decode(text: &str) -> Result<Vec<u8>, PortableError> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => {
                return Err(PortableError::Corrupt(
                    "the link contains characters that do not belong to it".into(),
                ));
            }
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits >= 6 {
        return Err(PortableError::Corrupt("the link is cut off".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use doppel_body::{BodyInput, Measure, Sex};

    fn sample() -> Profile {
        let mut p = Profile::default();
        let input = BodyInput::new(Sex::Female, 168.0, 64.0, Some(34.0), [(Measure::Hip, 99.0)])
            .expect("valid");
        p.set_body(&input);
        p.sizes.insert("tshirt-women".into(), "M".into());
        p
    }

    #[test]
    fn base64url_round_trips_every_length() {
        for n in 0..40u8 {
            let data: Vec<u8> = (0..n)
                .map(|i| i.wrapping_mul(37).wrapping_add(200))
                .collect();
            let e = b64url_encode(&data);
            assert!(!e.contains(['+', '/', '=']), "{e}");
            assert_eq!(b64url_decode(&e).expect("decodes"), data);
        }
        assert_eq!(b64url_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(b64url_decode("Zm9vYg==").expect("padded"), b"foob");
        assert!(b64url_decode("Zm9v!").is_err());
        assert!(
            b64url_decode("Z").is_err(),
            "a lone sextet is a cut-off link"
        );
    }

    #[test]
    fn plain_link_round_trips() {
        let p = sample();
        let link = plain_link("http://127.0.0.1:8080/app/?x=1#old", &p);
        assert!(
            link.starts_with("http://127.0.0.1:8080/app/?x=1#doppel-profile="),
            "{link}"
        );
        assert_eq!(parse_link(&link), Ok(Some(LinkData::Plain(p.clone()))));
        // A bare fragment (location.hash) works too.
        let hash = &link[link.find('#').expect("has #")..];
        assert_eq!(parse_link(hash), Ok(Some(LinkData::Plain(p))));
    }

    #[test]
    fn bad_links_are_reported_not_loaded() {
        assert_eq!(parse_link("#section-2"), Ok(None));
        assert_eq!(parse_link(""), Ok(None));
        assert!(matches!(
            parse_link("#doppel-profile=%%%"),
            Err(PortableError::Corrupt(_))
        ));
        // Valid base64 of something that is not a profile.
        let junk = format!("#{PLAIN_KEY}{}", b64url_encode(b"{\"a\":1}"));
        assert!(matches!(parse_link(&junk), Err(PortableError::Corrupt(_))));
        let cut = format!("#{ENC_KEY}{}", b64url_encode(&[0u8; 20]));
        assert!(matches!(parse_link(&cut), Err(PortableError::Corrupt(_))));
        assert!(matches!(
            parse_link("#doppel-profile-enc=v9.AAAA"),
            Err(PortableError::Corrupt(_))
        ));
        let huge = format!("#{PLAIN_KEY}{}", "A".repeat(MAX_FRAGMENT));
        assert_eq!(
            parse_link(&huge),
            Err(PortableError::TooLarge(MAX_FRAGMENT))
        );
    }

    #[test]
    fn encrypted_link_splits_its_parts() {
        let (salt, iv, ct) = ([1u8; SALT_LEN], [2u8; IV_LEN], [3u8; 40]);
        let link = encrypted_link("https://shop.example/app/", &salt, &iv, &ct);
        match parse_link(&link) {
            Ok(Some(LinkData::Encrypted {
                salt: s,
                iv: i,
                ciphertext: c,
            })) => {
                assert_eq!(
                    (s.as_slice(), i.as_slice(), c.as_slice()),
                    (&salt[..], &iv[..], &ct[..])
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn newer_tampered_and_hostile_files() {
        let mut p = sample();
        p.version = store::VERSION + 1;
        assert_eq!(
            import_text(&store::encode(&p)),
            Err(PortableError::Newer(store::VERSION + 1))
        );
        let mut p = sample();
        if let Some(b) = p.body.as_mut() {
            b.weight_kg = 9999.0;
        }
        assert_eq!(import_text(&store::encode(&p)), Err(PortableError::BadBody));
        assert!(matches!(import_text("[]"), Err(PortableError::Corrupt(_))));
        assert!(matches!(import_text(""), Err(PortableError::Corrupt(_))));
        let big = " ".repeat(MAX_FILE + 1);
        assert_eq!(import_text(&big), Err(PortableError::TooLarge(MAX_FILE)));
        assert_eq!(import_text(&export_text(&sample())), Ok(sample()));
    }

    #[test]
    fn merge_keeps_the_local_ledger() {
        let mut current = Profile::default();
        let entry = crate::share::LedgerEntry {
            at: "2026-11-25T10:00:00Z".into(),
            to: "email".into(),
            fields: vec!["size".into()],
            payload: "Size: M".into(),
        };
        current.ledger.push(entry.clone());
        let merged = merge(&current, sample());
        assert_eq!(merged.ledger, vec![entry]);
        assert_eq!(merged.body, sample().body);
        assert_eq!(merged.sizes, sample().sizes);
    }
}
