//! Consent-gated reports: a diagnostic report, a callback request or a review is
//! assembled locally from the fields the user picked, shown as the exact payload (JSON)
//! and as readable text, and turned into a delivery the user triggers (mailto link,
//! downloadable file, share text). Nothing here sends anything.

use crate::care::CareDone;
use crate::date::Date;
use crate::text::Lang;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Format tag of every payload.
pub const REPORT_FORMAT: &str = "doppel-report/1";
/// Longest free text (message, review) in characters.
pub const MAX_TEXT_CHARS: usize = 5000;
/// Many mail clients cut `mailto:` links beyond roughly this length; offer a download then.
pub const MAILTO_SOFT_LIMIT: usize = 2000;

/// What is being prepared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// A diagnostic report for the maker's service.
    Diagnostic,
    /// A request to be called back.
    Callback,
    /// A product review or recommendation.
    Review,
}

/// A field the user may include.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Product id, name, model, GTIN.
    Product,
    /// Serial number.
    Serial,
    /// Purchase date.
    PurchaseDate,
    /// Usage counters.
    Counters,
    /// Error history.
    ErrorHistory,
    /// Care log.
    CareLog,
    /// Name, e-mail, phone.
    Contact,
    /// The user's own message.
    Message,
    /// When the user can be called.
    CallbackWindow,
    /// The reviewer's display name (reviews only).
    Author,
}

/// The product a report is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductRef {
    /// Pack product id.
    pub id: String,
    /// Name in the report's language.
    pub name: String,
    /// Model designation.
    pub model: String,
    /// GTIN-14, if known.
    pub gtin: Option<String>,
}

/// An error the device showed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorEvent {
    /// Code as shown, e.g. `E08`.
    pub code: String,
    /// When.
    pub date: Date,
    /// User's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The user's contact details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ContactDetails {
    /// Name.
    pub name: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
}

/// Everything the app could put into a report; the user's [`Field`] choice decides what does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ReportData {
    /// Pack id (always included: it says which maker the report is for).
    pub pack: String,
    /// The product.
    pub product: Option<ProductRef>,
    /// Serial number.
    pub serial: Option<String>,
    /// Purchase date.
    pub purchase_date: Option<Date>,
    /// Current counter readings.
    #[serde(default)]
    pub counters: BTreeMap<String, f64>,
    /// Error history.
    #[serde(default)]
    pub error_history: Vec<ErrorEvent>,
    /// Care log.
    #[serde(default)]
    pub care_log: Vec<CareDone>,
    /// Contact details.
    pub contact: Option<ContactDetails>,
    /// Free text from the user.
    pub message: Option<String>,
    /// When the user can be called, e.g. "weekdays 17–19".
    pub callback_window: Option<String>,
}

/// A review or recommendation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// Pack id.
    pub pack: String,
    /// The product.
    pub product: ProductRef,
    /// Stars 1–5.
    pub rating: u8,
    /// Headline.
    pub title: Option<String>,
    /// Review text.
    pub text: String,
    /// Would recommend.
    pub recommend: Option<bool>,
    /// Display name (only sent when [`Field::Author`] is chosen).
    pub author: Option<String>,
}

/// The exact payload and its human-readable rendering, for the user to check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportPreview {
    /// Kind.
    pub kind: ReportKind,
    /// The payload as it would be delivered.
    pub payload: Value,
    /// `payload` as pretty JSON — byte for byte what a download or mail contains.
    pub json: String,
    /// Readable text in the chosen language.
    pub text: String,
    /// Suggested subject line.
    pub subject: String,
    /// Fields included.
    pub included: Vec<Field>,
    /// Fields that have data but were not chosen (shown so the user knows what stays private).
    pub withheld: Vec<Field>,
}

/// A file the UI can offer for download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DownloadFile {
    /// Suggested file name.
    pub file_name: String,
    /// MIME type.
    pub mime: &'static str,
    /// File content.
    pub content: String,
}

/// Why a report cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// Nothing chosen.
    #[error("choose at least one field to include")]
    NothingChosen,
    /// A chosen field without data.
    #[error("field {0:?} was chosen but has no data")]
    NoData(Field),
    /// A field that does not belong in this kind of report.
    #[error("field {field:?} cannot be part of a {kind:?} report")]
    NotAllowed {
        /// The field.
        field: Field,
        /// The report kind.
        kind: ReportKind,
    },
    /// A callback without a phone number or e-mail.
    #[error("a callback request needs the contact field with a phone number or e-mail address")]
    CallbackNeedsContact,
    /// Bad field content.
    #[error("{field}: {reason}")]
    Invalid {
        /// Field name.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
}

fn check_text(field: &'static str, s: &str) -> Result<(), ReportError> {
    let n = s.chars().count();
    if s.trim().is_empty() {
        return Err(ReportError::Invalid {
            field,
            reason: "must not be empty".into(),
        });
    }
    if n > MAX_TEXT_CHARS {
        return Err(ReportError::Invalid {
            field,
            reason: format!("has {n} characters (at most {MAX_TEXT_CHARS})"),
        });
    }
    Ok(())
}

fn check_email(e: &str) -> Result<(), ReportError> {
    let ok = e
        .split_once('@')
        .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.starts_with('.'))
        && !e.contains(char::is_whitespace)
        && e.len() <= 254;
    if ok {
        Ok(())
    } else {
        Err(ReportError::Invalid {
            field: "contact.email",
            reason: format!("{e:?} is not an e-mail address"),
        })
    }
}

fn has_data(data: &ReportData, f: Field) -> bool {
    match f {
        Field::Product => data.product.is_some(),
        Field::Serial => data.serial.is_some(),
        Field::PurchaseDate => data.purchase_date.is_some(),
        Field::Counters => !data.counters.is_empty(),
        Field::ErrorHistory => !data.error_history.is_empty(),
        Field::CareLog => !data.care_log.is_empty(),
        Field::Contact => data
            .contact
            .as_ref()
            .is_some_and(|c| c.name.is_some() || c.email.is_some() || c.phone.is_some()),
        Field::Message => data.message.is_some(),
        Field::CallbackWindow => data.callback_window.is_some(),
        Field::Author => false,
    }
}

/// The fields a diagnostic report or callback request can hold, in display order
/// (`CallbackWindow` only in callbacks).
pub const REPORT_FIELDS: [Field; 9] = [
    Field::Product,
    Field::Serial,
    Field::PurchaseDate,
    Field::Counters,
    Field::ErrorHistory,
    Field::CareLog,
    Field::Contact,
    Field::Message,
    Field::CallbackWindow,
];

fn l(lang: Lang, de: &str, en: &str) -> String {
    match lang {
        Lang::De => de.to_string(),
        Lang::En => en.to_string(),
    }
}

/// Builds a diagnostic report or callback request from exactly the chosen fields.
pub fn build_report(
    kind: ReportKind,
    data: &ReportData,
    chosen: &BTreeSet<Field>,
    lang: Lang,
    created: Date,
) -> Result<ReportPreview, ReportError> {
    if kind == ReportKind::Review {
        return Err(ReportError::NotAllowed {
            field: Field::Author,
            kind,
        });
    }
    if chosen.is_empty() {
        return Err(ReportError::NothingChosen);
    }
    for &f in chosen {
        if f == Field::Author || (f == Field::CallbackWindow && kind != ReportKind::Callback) {
            return Err(ReportError::NotAllowed { field: f, kind });
        }
        if !has_data(data, f) {
            return Err(ReportError::NoData(f));
        }
    }
    if let Some(m) = &data.message {
        check_text("message", m)?;
    }
    if let Some(c) = &data.contact {
        if let Some(e) = &c.email {
            check_email(e)?;
        }
        if let Some(p) = &c.phone {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            if digits < 5
                || !p
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-/()".contains(c))
            {
                return Err(ReportError::Invalid {
                    field: "contact.phone",
                    reason: format!("{p:?} is not a phone number"),
                });
            }
        }
    }
    if kind == ReportKind::Callback {
        let reachable = chosen.contains(&Field::Contact)
            && data
                .contact
                .as_ref()
                .is_some_and(|c| c.phone.is_some() || c.email.is_some());
        if !reachable {
            return Err(ReportError::CallbackNeedsContact);
        }
    }
    let mut p = Map::new();
    p.insert("format".into(), json!(REPORT_FORMAT));
    p.insert("kind".into(), json!(kind));
    p.insert("created".into(), json!(created));
    p.insert("pack".into(), json!(data.pack));
    p.insert("lang".into(), json!(lang));
    let mut text = vec![match kind {
        ReportKind::Diagnostic => l(lang, "Diagnosebericht", "Diagnostic report"),
        _ => l(lang, "Rückrufbitte", "Callback request"),
    }];
    text.push(format!("{}: {created}", l(lang, "Erstellt", "Created")));
    let include = |f: Field| chosen.contains(&f);
    if let (true, Some(pr)) = (include(Field::Product), &data.product) {
        p.insert("product".into(), json!(pr));
        text.push(format!(
            "{}: {} ({})",
            l(lang, "Produkt", "Product"),
            pr.name,
            pr.model
        ));
    }
    if let (true, Some(s)) = (include(Field::Serial), &data.serial) {
        p.insert("serial".into(), json!(s));
        text.push(format!("{}: {s}", l(lang, "Seriennummer", "Serial number")));
    }
    if let (true, Some(d)) = (include(Field::PurchaseDate), &data.purchase_date) {
        p.insert("purchase_date".into(), json!(d));
        text.push(format!("{}: {d}", l(lang, "Kaufdatum", "Purchase date")));
    }
    if include(Field::Counters) {
        p.insert("counters".into(), json!(data.counters));
        text.push(format!("{}:", l(lang, "Zählerstände", "Counters")));
        text.extend(data.counters.iter().map(|(k, v)| format!("  {k} = {v}")));
    }
    if include(Field::ErrorHistory) {
        p.insert("error_history".into(), json!(data.error_history));
        text.push(format!("{}:", l(lang, "Fehlerverlauf", "Error history")));
        text.extend(data.error_history.iter().map(|e| match &e.note {
            Some(n) => format!("  {} {} – {n}", e.date, e.code),
            None => format!("  {} {}", e.date, e.code),
        }));
    }
    if include(Field::CareLog) {
        p.insert("care_log".into(), json!(data.care_log));
        text.push(format!("{}:", l(lang, "Pflegeprotokoll", "Care log")));
        text.extend(
            data.care_log
                .iter()
                .map(|c| format!("  {} {}", c.date, c.task)),
        );
    }
    if let (true, Some(c)) = (include(Field::Contact), &data.contact) {
        p.insert("contact".into(), json!(c));
        let parts: Vec<&str> = [&c.name, &c.email, &c.phone]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        text.push(format!(
            "{}: {}",
            l(lang, "Kontakt", "Contact"),
            parts.join(", ")
        ));
    }
    if let (true, Some(w)) = (include(Field::CallbackWindow), &data.callback_window) {
        p.insert("callback_window".into(), json!(w));
        text.push(format!(
            "{}: {w}",
            l(lang, "Erreichbar", "Best time to call")
        ));
    }
    if let (true, Some(m)) = (include(Field::Message), &data.message) {
        p.insert("message".into(), json!(m));
        text.push(String::new());
        text.push(m.clone());
    }
    let product_name = data
        .product
        .as_ref()
        .filter(|_| include(Field::Product))
        .map(|p| p.name.clone());
    let subject = match (kind, product_name) {
        (ReportKind::Diagnostic, Some(n)) => {
            format!("{}: {n}", l(lang, "Diagnosebericht", "Diagnostic report"))
        }
        (ReportKind::Diagnostic, None) => l(lang, "Diagnosebericht", "Diagnostic report"),
        (_, Some(n)) => format!("{}: {n}", l(lang, "Rückrufbitte", "Callback request")),
        (_, None) => l(lang, "Rückrufbitte", "Callback request"),
    };
    let included: Vec<Field> = REPORT_FIELDS
        .iter()
        .copied()
        .filter(|f| chosen.contains(f))
        .collect();
    let withheld: Vec<Field> = REPORT_FIELDS
        .iter()
        .copied()
        .filter(|f| !chosen.contains(f) && has_data(data, *f))
        .filter(|f| *f != Field::CallbackWindow || kind == ReportKind::Callback)
        .collect();
    Ok(finish(
        kind,
        Value::Object(p),
        text.join("\n"),
        subject,
        included,
        withheld,
    ))
}

/// Builds a review payload; the author's name is included only when `include_author`.
pub fn build_review(
    review: &Review,
    include_author: bool,
    lang: Lang,
    created: Date,
) -> Result<ReportPreview, ReportError> {
    if !(1..=5).contains(&review.rating) {
        return Err(ReportError::Invalid {
            field: "rating",
            reason: format!("{} is not 1–5", review.rating),
        });
    }
    check_text("text", &review.text)?;
    if let Some(t) = &review.title {
        check_text("title", t)?;
    }
    if include_author && review.author.as_deref().is_none_or(|a| a.trim().is_empty()) {
        return Err(ReportError::NoData(Field::Author));
    }
    let mut p = Map::new();
    p.insert("format".into(), json!(REPORT_FORMAT));
    p.insert("kind".into(), json!(ReportKind::Review));
    p.insert("created".into(), json!(created));
    p.insert("pack".into(), json!(review.pack));
    p.insert("lang".into(), json!(lang));
    p.insert("product".into(), json!(review.product));
    p.insert("rating".into(), json!(review.rating));
    let stars =
        "★".repeat(usize::from(review.rating)) + &"☆".repeat(5 - usize::from(review.rating));
    let mut text = vec![format!("{} – {stars}", review.product.name)];
    if let Some(t) = &review.title {
        p.insert("title".into(), json!(t));
        text.push(t.clone());
    }
    p.insert("text".into(), json!(review.text));
    text.push(review.text.clone());
    if let Some(r) = review.recommend {
        p.insert("recommend".into(), json!(r));
        text.push(match (r, lang) {
            (true, Lang::De) => "Ich empfehle dieses Produkt.".into(),
            (false, Lang::De) => "Ich empfehle dieses Produkt nicht.".into(),
            (true, Lang::En) => "I recommend this product.".into(),
            (false, Lang::En) => "I do not recommend this product.".into(),
        });
    }
    let mut included = vec![Field::Product];
    let mut withheld = Vec::new();
    match (&review.author, include_author) {
        (Some(a), true) => {
            p.insert("author".into(), json!(a));
            text.push(format!("— {a}"));
            included.push(Field::Author);
        }
        (Some(_), false) => withheld.push(Field::Author),
        _ => {}
    }
    let subject = format!(
        "{}: {}",
        l(lang, "Bewertung", "Review"),
        review.product.name
    );
    Ok(finish(
        ReportKind::Review,
        Value::Object(p),
        text.join("\n"),
        subject,
        included,
        withheld,
    ))
}

fn finish(
    kind: ReportKind,
    payload: Value,
    text: String,
    subject: String,
    included: Vec<Field>,
    withheld: Vec<Field>,
) -> ReportPreview {
    // Serialising a Value built from strings, numbers and maps cannot fail.
    let json = serde_json::to_string_pretty(&payload).unwrap_or_default();
    ReportPreview {
        kind,
        payload,
        json,
        text,
        subject,
        included,
        withheld,
    }
}

/// Percent-encodes everything except RFC 3986 unreserved characters (as RFC 6068 needs).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `mailto:` URL with subject and body (readable text followed by the JSON payload).
/// Check the length against [`MAILTO_SOFT_LIMIT`] and offer [`download_file`] when longer.
pub fn mailto_url(to: &str, preview: &ReportPreview) -> Result<String, ReportError> {
    check_email(to).map_err(|_| ReportError::Invalid {
        field: "to",
        reason: format!("{to:?} is not an e-mail address"),
    })?;
    let body = format!("{}\n\n---\n{}", preview.text, preview.json);
    // Line breaks in mailto bodies must be CRLF (RFC 6068 section 2).
    let body = body.replace('\n', "\r\n");
    Ok(format!(
        "mailto:{}?subject={}&body={}",
        to,
        percent_encode(&preview.subject),
        percent_encode(&body)
    ))
}

/// The payload as a JSON file for download.
pub fn download_file(preview: &ReportPreview) -> DownloadFile {
    let kind = match preview.kind {
        ReportKind::Diagnostic => "diagnostic",
        ReportKind::Callback => "callback",
        ReportKind::Review => "review",
    };
    let pack = preview
        .payload
        .get("pack")
        .and_then(Value::as_str)
        .unwrap_or("doppel");
    let date = preview
        .payload
        .get("created")
        .and_then(Value::as_str)
        .unwrap_or("");
    DownloadFile {
        file_name: format!("{pack}-{kind}-{date}.json"),
        mime: "application/json",
        content: preview.json.clone() + "\n",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> ReportData {
        ReportData {
            pack: "bohnenwerk".into(),
            product: Some(ProductRef {
                id: "barista-one".into(),
                name: "Barista One".into(),
                model: "BW-100".into(),
                gtin: None,
            }),
            serial: Some("BWBO2410L00042".into()),
            purchase_date: Some(Date::parse("2024-05-01").unwrap()),
            counters: BTreeMap::from([("water_l".to_string(), 130.5)]),
            error_history: vec![ErrorEvent {
                code: "E08".into(),
                date: Date::parse("2025-01-02").unwrap(),
                note: None,
            }],
            care_log: Vec::new(),
            contact: Some(ContactDetails {
                name: Some("Eva".into()),
                email: Some("eva@example.org".into()),
                phone: Some("+49 30 1234567".into()),
            }),
            message: Some("Kaffee läuft nur tröpfchenweise & E08".into()),
            callback_window: Some("Mo–Fr 17–19 Uhr".into()),
        }
    }

    fn today() -> Date {
        Date::parse("2025-02-03").unwrap()
    }

    #[test]
    fn only_chosen_fields_leave_the_device() {
        let chosen = BTreeSet::from([Field::Product, Field::ErrorHistory]);
        let r = build_report(ReportKind::Diagnostic, &data(), &chosen, Lang::De, today()).unwrap();
        let obj = r.payload.as_object().unwrap();
        assert!(obj.contains_key("error_history") && obj.contains_key("product"));
        for secret in ["serial", "contact", "counters", "message", "purchase_date"] {
            assert!(!obj.contains_key(secret), "{secret} leaked");
        }
        assert!(!r.json.contains("BWBO2410L00042") && !r.json.contains("eva@example.org"));
        assert!(!r.text.contains("eva@example.org"));
        assert!(r.text.contains("E08"));
        assert_eq!(
            r.withheld,
            vec![
                Field::Serial,
                Field::PurchaseDate,
                Field::Counters,
                Field::Contact,
                Field::Message
            ]
        );
        // The JSON string is exactly the payload.
        assert_eq!(serde_json::from_str::<Value>(&r.json).unwrap(), r.payload);
    }

    #[test]
    fn callback_rules() {
        let d = data();
        let e = build_report(
            ReportKind::Callback,
            &d,
            &BTreeSet::from([Field::Serial]),
            Lang::En,
            today(),
        )
        .unwrap_err();
        assert_eq!(e, ReportError::CallbackNeedsContact);
        let r = build_report(
            ReportKind::Callback,
            &d,
            &BTreeSet::from([Field::Contact, Field::CallbackWindow]),
            Lang::En,
            today(),
        )
        .unwrap();
        assert!(r.text.contains("+49 30 1234567"));
        let e = build_report(
            ReportKind::Diagnostic,
            &d,
            &BTreeSet::from([Field::CallbackWindow]),
            Lang::En,
            today(),
        )
        .unwrap_err();
        assert!(matches!(e, ReportError::NotAllowed { .. }));
        assert_eq!(
            build_report(
                ReportKind::Diagnostic,
                &d,
                &BTreeSet::new(),
                Lang::En,
                today()
            )
            .unwrap_err(),
            ReportError::NothingChosen
        );
        let mut d2 = d.clone();
        d2.serial = None;
        assert_eq!(
            build_report(
                ReportKind::Diagnostic,
                &d2,
                &BTreeSet::from([Field::Serial]),
                Lang::En,
                today()
            )
            .unwrap_err(),
            ReportError::NoData(Field::Serial)
        );
        d2.contact = Some(ContactDetails {
            email: Some("not-an-email".into()),
            ..Default::default()
        });
        let e = build_report(
            ReportKind::Diagnostic,
            &d2,
            &BTreeSet::from([Field::Product]),
            Lang::En,
            today(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("contact.email"));
    }

    #[test]
    fn mailto_and_download() {
        let r = build_report(
            ReportKind::Diagnostic,
            &data(),
            &BTreeSet::from([Field::Message, Field::Product]),
            Lang::De,
            today(),
        )
        .unwrap();
        let url = mailto_url("service@bohnenwerk.example", &r).unwrap();
        assert!(url.starts_with(
            "mailto:service@bohnenwerk.example?subject=Diagnosebericht%3A%20Barista%20One&body="
        ));
        assert!(url.contains("%26%20E08"), "& must be encoded: {url}");
        assert!(url.contains("%0D%0A"), "CRLF line breaks");
        assert!(!url.contains(' ') && !url.contains('\n'));
        assert!(mailto_url("nobody", &r).is_err());
        let f = download_file(&r);
        assert_eq!(f.file_name, "bohnenwerk-diagnostic-2025-02-03.json");
        assert_eq!(
            serde_json::from_str::<Value>(&f.content).unwrap(),
            r.payload
        );
    }

    #[test]
    fn review_author_is_opt_in() {
        let review = Review {
            pack: "bohnenwerk".into(),
            product: data().product.unwrap(),
            rating: 4,
            title: Some("Gut".into()),
            text: "Leise und schnell.".into(),
            recommend: Some(true),
            author: Some("Eva M.".into()),
        };
        let r = build_review(&review, false, Lang::De, today()).unwrap();
        assert!(!r.json.contains("Eva M."));
        assert_eq!(r.withheld, vec![Field::Author]);
        assert!(r.text.contains("★★★★☆"));
        let r = build_review(&review, true, Lang::De, today()).unwrap();
        assert!(r.json.contains("Eva M."));
        let mut bad = review.clone();
        bad.rating = 6;
        assert!(
            build_review(&bad, false, Lang::De, today())
                .unwrap_err()
                .to_string()
                .contains("rating")
        );
        bad.rating = 3;
        bad.text = "  ".into();
        assert!(build_review(&bad, false, Lang::De, today()).is_err());
    }
}
