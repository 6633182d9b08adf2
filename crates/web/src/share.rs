//! Sharing on the shopper's terms: which fields exist, what each recipient may get, the
//! exact payload the shopper previews, and the local consent ledger. Pure logic (no DOM),
//! unit-tested natively; the dialog in `mydouble.rs` only displays and delivers it.
//!
//! Rules: nothing is selected except the size; the shop can only ever receive
//! `{product, size}` (the embed contract), so body fields are not offered for it; every
//! delivery the shopper triggers is appended to the ledger, with the exact text sent.

use crate::form::{Field, Units, format_value};
use crate::i18n::{Lang, Text};
use crate::store::StoredBody;
use doppel_body::Sex;
use serde::{Deserialize, Serialize};

/// Who receives a share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// The shop hosting the widget: only product and size, via the `doppel-size` event.
    Shop,
    /// A tailor or anyone by e-mail: a `mailto:` link the shopper's mail program opens.
    Email,
    /// Anyone via the system share sheet (Web Share), or copied text where there is none.
    Anyone,
}

impl Recipient {
    /// Every recipient, in display order.
    pub const ALL: [Recipient; 3] = [Recipient::Shop, Recipient::Email, Recipient::Anyone];

    /// Stable key (ledger, `value` attributes).
    pub fn key(self) -> &'static str {
        match self {
            Recipient::Shop => "shop",
            Recipient::Email => "email",
            Recipient::Anyone => "anyone",
        }
    }

    /// Parses [`Recipient::key`].
    pub fn from_key(k: &str) -> Option<Recipient> {
        Recipient::ALL.into_iter().find(|r| r.key() == k)
    }

    /// Label in the dialog.
    pub fn label(self) -> Text {
        match self {
            Recipient::Shop => Text::ToShop,
            Recipient::Email => Text::ToEmail,
            Recipient::Anyone => Text::ToAnyone,
        }
    }

    /// Whether this recipient may receive the field `key` at all.
    pub fn allows(self, key: &str) -> bool {
        self != Recipient::Shop || key == SIZE_KEY
    }
}

/// Key of the chosen-size field, the only one selected by default.
pub const SIZE_KEY: &str = "size";

/// One field the shopper could share, with its display value.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareItem {
    /// Stable key (`size`, `sex`, `age`, `height`, `weight`, or a measure key).
    pub key: String,
    /// Label in the page language.
    pub label: String,
    /// Value as shown and sent, with its unit.
    pub value: String,
}

/// The fields available to share: the chosen size (if any) and the body answers.
pub fn items(
    body: Option<&StoredBody>,
    product: Option<(&str, &str)>,
    units: Units,
    lang: Lang,
) -> Vec<ShareItem> {
    let mut out = Vec::new();
    if let Some((id, size)) = product {
        out.push(ShareItem {
            key: SIZE_KEY.into(),
            label: lang.t(Text::ChosenSize).into(),
            value: format!("{size} ({id})"),
        });
    }
    let Some(b) = body else { return out };
    let sex = Some(b.sex);
    out.push(ShareItem {
        key: "sex".into(),
        label: lang.t(Text::Sex).into(),
        value: lang
            .t(match b.sex {
                Sex::Female => Text::Female,
                Sex::Male => Text::Male,
            })
            .into(),
    });
    let mut push = |field: Field, v: f64| {
        out.push(ShareItem {
            key: field.name(sex).into(),
            label: lang.t(field.label(sex)).into(),
            value: format!(
                "{} {}",
                format_value(field, v, units).replace('.', decimal(lang)),
                field.unit(units, lang)
            ),
        });
    };
    push(Field::Age, b.age_years);
    push(Field::Height, b.height_cm);
    push(Field::Weight, b.weight_kg);
    for m in crate::form::TAPE {
        if let Some(v) = b.measured_cm.get(m.key()) {
            push(Field::Tape(m), *v);
        }
    }
    out
}

fn decimal(lang: Lang) -> &'static str {
    match lang {
        Lang::De => ",",
        Lang::En => ".",
    }
}

/// The default selection: the size only.
pub fn default_selection(items: &[ShareItem]) -> Vec<String> {
    items
        .iter()
        .filter(|i| i.key == SIZE_KEY)
        .map(|i| i.key.clone())
        .collect()
}

/// The exact text that goes to `recipient` for the `selected` keys (what the preview
/// shows). Fields the recipient may not get are left out even if selected.
pub fn payload(
    items: &[ShareItem],
    selected: &[String],
    recipient: Recipient,
    lang: Lang,
) -> String {
    let lines: Vec<String> = items
        .iter()
        .filter(|i| selected.contains(&i.key) && recipient.allows(&i.key))
        .map(|i| format!("{}: {}", i.label, i.value))
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    if recipient == Recipient::Shop {
        // What the shop's page receives: exactly the embed contract's event detail.
        return lines.join("\n");
    }
    format!("{}\n{}", lang.t(Text::ShareHeader), lines.join("\n"))
}

/// A `mailto:` URL with `text` as the body (no address: the shopper types it there).
/// Line breaks become CRLF, as RFC 6068 §2 requires (the concierge's report links do the same).
pub fn mailto(text: &str, lang: Lang) -> String {
    format!(
        "mailto:?subject={}&body={}",
        percent_encode(lang.t(Text::ShareSubject)),
        percent_encode(&text.replace('\n', "\r\n"))
    )
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One delivery the shopper made, kept on this device so they can see what left it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// When (ISO 8601, from the device clock).
    pub at: String,
    /// [`Recipient::key`], or `file` / `link` for an exported profile.
    pub to: String,
    /// Keys of the fields sent.
    pub fields: Vec<String>,
    /// The exact text sent (for `file`/`link`: a description, not the data again).
    pub payload: String,
}

/// Most entries kept; older ones are dropped first (the ledger must not grow forever).
pub const LEDGER_MAX: usize = 200;

/// Appends `e`, dropping the oldest entries beyond [`LEDGER_MAX`].
pub fn record(ledger: &mut Vec<LedgerEntry>, e: LedgerEntry) {
    ledger.push(e);
    if ledger.len() > LEDGER_MAX {
        let extra = ledger.len() - LEDGER_MAX;
        ledger.drain(..extra);
    }
}

/// The keys among `selected` that `recipient` actually receives, in item order.
pub fn sent_keys(items: &[ShareItem], selected: &[String], recipient: Recipient) -> Vec<String> {
    items
        .iter()
        .filter(|i| selected.contains(&i.key) && recipient.allows(&i.key))
        .map(|i| i.key.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn body() -> StoredBody {
        StoredBody {
            sex: Sex::Female,
            age_years: 34.0,
            height_cm: 168.0,
            weight_kg: 64.5,
            measured_cm: BTreeMap::from([("chest".to_string(), 92.0)]),
        }
    }

    #[test]
    fn only_the_size_is_selected_by_default() {
        let it = items(
            Some(&body()),
            Some(("tshirt-women", "M")),
            Units::Metric,
            Lang::En,
        );
        assert_eq!(it.len(), 6, "{it:?}");
        assert_eq!(default_selection(&it), vec!["size".to_string()]);
        let p = payload(&it, &default_selection(&it), Recipient::Email, Lang::En);
        assert!(p.contains("M (tshirt-women)"), "{p}");
        assert!(!p.contains("168"), "{p}");
    }

    #[test]
    fn the_shop_never_gets_body_fields() {
        let it = items(
            Some(&body()),
            Some(("tshirt-women", "M")),
            Units::Metric,
            Lang::En,
        );
        let all: Vec<String> = it.iter().map(|i| i.key.clone()).collect();
        let p = payload(&it, &all, Recipient::Shop, Lang::En);
        assert!(
            !p.contains("168") && !p.contains("64") && !p.contains("92"),
            "{p}"
        );
        assert_eq!(
            sent_keys(&it, &all, Recipient::Shop),
            vec!["size".to_string()]
        );
        let e = payload(&it, &all, Recipient::Email, Lang::En);
        assert!(
            e.contains("Height: 168 cm") && e.contains("Bust: 92 cm"),
            "{e}"
        );
        assert_eq!(sent_keys(&it, &all, Recipient::Email).len(), 6);
    }

    #[test]
    fn units_and_language_follow_the_shopper() {
        let it = items(Some(&body()), None, Units::Imperial, Lang::De);
        let h = it.iter().find(|i| i.key == "height").expect("height");
        assert_eq!(h.value, "66,1 in");
        let w = it.iter().find(|i| i.key == "weight").expect("weight");
        assert_eq!(w.value, "142 lb");
        assert!(it.iter().any(|i| i.key == "bust"));
        assert!(items(None, None, Units::Metric, Lang::En).is_empty());
    }

    #[test]
    fn mailto_is_fully_encoded() {
        let m = mailto("Größe: M & more\nline", Lang::De);
        assert!(m.starts_with("mailto:?subject="), "{m}");
        assert!(
            m.contains("Gr%C3%B6%C3%9Fe%3A%20M%20%26%20more%0D%0Aline"),
            "{m}"
        );
        assert!(!m[7..].contains(' ') && !m.contains('\n'));
    }

    #[test]
    fn empty_selection_sends_nothing() {
        let it = items(Some(&body()), Some(("x", "M")), Units::Metric, Lang::En);
        assert_eq!(payload(&it, &[], Recipient::Anyone, Lang::En), "");
    }

    #[test]
    fn ledger_is_bounded_and_keeps_the_newest() {
        let mut l = Vec::new();
        for i in 0..LEDGER_MAX + 5 {
            record(
                &mut l,
                LedgerEntry {
                    at: format!("{i}"),
                    to: "email".into(),
                    fields: vec!["size".into()],
                    payload: String::new(),
                },
            );
        }
        assert_eq!(l.len(), LEDGER_MAX);
        assert_eq!(l[0].at, "5");
        assert_eq!(l.last().map(|e| e.at.as_str()), Some("204"));
        assert!(
            Recipient::ALL
                .iter()
                .all(|r| Recipient::from_key(r.key()) == Some(*r))
        );
    }
}
