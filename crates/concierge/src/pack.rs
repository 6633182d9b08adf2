//! Knowledge packs: the folder of JSON files a maker or retailer publishes.
//!
//! | file            | top-level key | content                                   |
//! |-----------------|---------------|-------------------------------------------|
//! | `pack.json`     | (object)      | id, name, publisher, version, languages   |
//! | `products.json` | `products`    | GTIN, model, names, image, counters       |
//! | `serials.json`  | `rules`       | serial-number patterns → model/date/plant |
//! | `care.json`     | `plans`       | care tasks with intervals, ISO 3758 symbols |
//! | `errors.json`   | `codes`       | error codes with causes and self-help     |
//! | `faq.json`      | `entries`     | question variants, answers, sources       |
//! | `warranty.json` | `terms`       | warranty duration and terms               |
//! | `contacts.json` | `contacts`    | service contacts                          |
//! | `synonyms.json` | `de`, `en`    | groups of words (or phrases of ≤ 3 words) that mean the same |
//!
//! `pack.json` and `products.json` are required. The JSON Schema is
//! `assets/concierge/pack.schema.json`; this loader is the real validator and reports
//! every problem at once, each with file and JSON pointer.

use crate::care::{CareSymbol, SymbolCategory, care_symbol};
use crate::date::Date;
use crate::gs1;
use crate::json::{Cx, FromJson, Issue, Obj, check_id, child};
use crate::search::Index;
use crate::serial::{self, SerialInfo, SerialPattern};
use crate::text::Lang;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The `schema` value `pack.json` must carry.
pub const PACK_SCHEMA: &str = "doppel-concierge-pack/1";
/// Largest accepted file, in bytes.
pub const MAX_FILE_BYTES: usize = 8 << 20;
/// Calls macro `$m` with the list of pack file names (then any further arguments): the one
/// list behind [`PACK_FILES`] and the compiled-in sample packs (`samples::embedded`), which
/// need the names as literals.
macro_rules! with_pack_files {
    ($m:ident $(, $arg:tt)*) => {
        $m!(
            [
                "pack.json",
                "products.json",
                "serials.json",
                "care.json",
                "errors.json",
                "faq.json",
                "warranty.json",
                "contacts.json",
                "synonyms.json"
            ]
            $(, $arg)*
        )
    };
}
#[cfg_attr(not(feature = "embedded-samples"), allow(unused_imports))]
pub(crate) use with_pack_files;

macro_rules! name_array {
    ([$($f:literal),*]) => {
        [$($f),*]
    };
}

/// The files a pack may contain.
pub const PACK_FILES: [&str; 9] = with_pack_files!(name_array);

/// Text in one or more languages (`{"de": "…", "en": "…"}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct Text(pub BTreeMap<Lang, String>);

impl Text {
    /// The text in `lang`, else in any language present (packs are validated to have all
    /// their languages, so the fallback only matters for hand-built values).
    pub fn get(&self, lang: Lang) -> &str {
        self.0
            .get(&lang)
            .or_else(|| self.0.values().next())
            .map_or("", String::as_str)
    }
}

impl FromJson for Text {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let map = BTreeMap::<String, String>::from_json(v, path, cx)?;
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (k, s) in map {
            match k.parse::<Lang>() {
                Ok(l) if l.code() == k => {
                    out.insert(l, s);
                }
                _ => {
                    cx.err(
                        &child(path, &k),
                        "unknown language key (allowed: \"de\", \"en\")",
                    );
                    ok = false;
                }
            }
        }
        for l in cx.langs.clone() {
            if !out.contains_key(&l) {
                cx.err(
                    path,
                    format!(
                        "missing the \"{l}\" text (the pack declares languages {})",
                        lang_list(&cx.langs)
                    ),
                );
                ok = false;
            }
        }
        if out.is_empty() {
            cx.err(path, "must contain at least one language");
            ok = false;
        }
        ok.then_some(Text(out))
    }
}

fn lang_list(langs: &[Lang]) -> String {
    langs
        .iter()
        .map(|l| l.code())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `pack.json`: who publishes the pack and in which languages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manifest {
    /// Pack id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Maker or retailer.
    pub publisher: String,
    /// Pack version (free text, e.g. "2025.1").
    pub version: String,
    /// Languages every text in the pack provides.
    pub languages: Vec<Lang>,
    /// Language used when a question's language cannot be told.
    pub default_language: Lang,
}

/// A usage counter a product keeps (water, cups, washes, …).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counter {
    /// Counter id, e.g. `water_l`.
    pub id: String,
    /// Unit, e.g. `l`.
    pub unit: String,
    /// Label.
    pub label: Text,
}

/// A product of the pack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Product {
    /// Product id (referenced by other files).
    pub id: String,
    /// GTIN normalised to 14 digits, if the product has one.
    pub gtin: Option<String>,
    /// Model designation.
    pub model: String,
    /// Product name.
    pub name: Text,
    /// Image URL or pack-relative path.
    pub image: Option<String>,
    /// Category, e.g. `coffee_machine`, `t_shirt`.
    pub category: String,
    /// Usage counters the product keeps.
    pub counters: Vec<Counter>,
    /// Care plan id.
    pub care_plan: Option<String>,
}

/// A usage interval: every `amount` units of `counter`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageInterval {
    /// Counter id.
    pub counter: String,
    /// Interval length in the counter's unit (> 0).
    pub amount: f64,
}

/// When a task recurs: by time, by usage, or both (whichever comes first).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interval {
    /// Every N months.
    pub months: Option<u32>,
    /// Every N days (`weeks` in the file is stored as days).
    pub days: Option<u32>,
    /// Every N units of a counter.
    pub usage: Option<UsageInterval>,
}

impl Interval {
    /// The due date after `start` by time, if the interval has a time part.
    pub fn due_after(&self, start: Date) -> Option<Date> {
        match (self.months, self.days) {
            (None, None) => None,
            (m, d) => Some(
                start
                    .add_months(i64::from(m.unwrap_or(0)))
                    .add_days(i64::from(d.unwrap_or(0))),
            ),
        }
    }

    /// True when only a usage interval is set.
    pub fn is_usage_only(&self) -> bool {
        self.months.is_none() && self.days.is_none()
    }
}

/// One recurring care task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CareTask {
    /// Task id.
    pub id: String,
    /// Short title.
    pub title: Text,
    /// What to do.
    pub instructions: Text,
    /// When it recurs.
    pub interval: Interval,
}

/// A care plan: tasks (appliances) and/or care symbols and instructions (garments).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CarePlan {
    /// Plan id.
    pub id: String,
    /// Title.
    pub title: Text,
    /// General care instructions.
    pub instructions: Option<Text>,
    /// ISO 3758 care symbols, in label order.
    pub symbols: Vec<&'static CareSymbol>,
    /// Recurring tasks.
    pub tasks: Vec<CareTask>,
}

/// Where an answer comes from (manual chapter, web page, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    /// Document title, e.g. "Bedienungsanleitung Barista One".
    pub document: String,
    /// Section, e.g. "7.2 Entkalken".
    pub section: Option<String>,
    /// Page number.
    pub page: Option<u32>,
    /// URL.
    pub url: Option<String>,
}

/// An error code the device can show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorCode {
    /// The code as shown on the display, e.g. `E08`.
    pub code: String,
    /// The code's number (`E08` → 8), used to recognise "Fehler 8", "error 8", "Err. 08".
    pub number: u32,
    /// Letters before the number, lower-case (`E08` → `e`).
    pub prefix: String,
    /// Products showing this code (empty: all products of the pack).
    pub products: Vec<String>,
    /// Short title.
    pub title: Text,
    /// What it means.
    pub meaning: Text,
    /// Likely causes.
    pub causes: Vec<Text>,
    /// Ordered self-help steps.
    pub steps: Vec<Text>,
    /// When to call service.
    pub call_service: Text,
    /// `info`, `warning` or `stop`.
    pub severity: String,
    /// Source document.
    pub source: Option<SourceRef>,
}

/// A frequently asked question with its variants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaqEntry {
    /// Entry id.
    pub id: String,
    /// Products it applies to (empty: all).
    pub products: Vec<String>,
    /// Ways people ask it, per language.
    pub questions: BTreeMap<Lang, Vec<String>>,
    /// The answer.
    pub answer: Text,
    /// Where the answer comes from.
    pub source: SourceRef,
}

/// From when a warranty runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarrantyStart {
    /// From the purchase (delivery) date.
    Purchase,
    /// From the production date.
    Production,
}

/// Warranty terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WarrantyTerms {
    /// Terms id.
    pub id: String,
    /// Duration in months.
    pub months: u32,
    /// From when it runs.
    pub starts: WarrantyStart,
    /// Products covered (empty: every product not named by another term).
    pub products: Vec<String>,
    /// The terms in words.
    pub terms: Text,
}

/// A service contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    /// Contact id.
    pub id: String,
    /// Name, e.g. "Kundendienst".
    pub name: Text,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Web page.
    pub url: Option<String>,
    /// Opening hours.
    pub hours: Option<Text>,
    /// What it is for: `service`, `diagnostics`, `callback`, `reviews`, `general`.
    pub purposes: Vec<String>,
}

/// Allowed contact purposes.
pub const CONTACT_PURPOSES: [&str; 5] =
    ["service", "diagnostics", "callback", "reviews", "general"];

/// A serial-number rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SerialRule {
    /// Rule id.
    pub id: String,
    /// Pattern text (see [`crate::serial`]).
    pub pattern: String,
    /// Model code → product id.
    pub models: BTreeMap<String, String>,
    /// Plant code → plant name.
    pub plants: BTreeMap<String, String>,
    #[serde(skip)]
    compiled: SerialPattern,
}

impl SerialRule {
    /// Interprets `serial` with this rule, if it matches.
    pub fn apply(&self, serial: &str) -> Option<SerialInfo> {
        let parts = self.compiled.matches(serial)?;
        serial::interpret(&self.id, parts, &self.models, &self.plants)
    }
}

/// A loaded and validated knowledge pack (with its search index).
#[derive(Debug, Clone)]
pub struct Pack {
    /// `pack.json`.
    pub manifest: Manifest,
    /// Products.
    pub products: Vec<Product>,
    /// Serial rules, tried in order.
    pub serial_rules: Vec<SerialRule>,
    /// Care plans.
    pub care_plans: Vec<CarePlan>,
    /// Error codes.
    pub error_codes: Vec<ErrorCode>,
    /// FAQ entries.
    pub faq: Vec<FaqEntry>,
    /// Warranty terms.
    pub warranty: Vec<WarrantyTerms>,
    /// Service contacts.
    pub contacts: Vec<Contact>,
    /// Synonym groups per language.
    pub synonyms: BTreeMap<Lang, Vec<Vec<String>>>,
    pub(crate) index: BTreeMap<Lang, Index>,
}

/// Every problem found in a pack, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct PackErrors(pub Vec<Issue>);

impl fmt::Display for PackErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "the knowledge pack has {n} problem{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for i in &self.0 {
            write!(f, "\n  {i}")?;
        }
        Ok(())
    }
}

// ---- readers -------------------------------------------------------------------------

impl FromJson for SourceRef {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let mut o = Obj::new(v, path, cx)?;
        let document = o.req("document", cx);
        let section = o.opt("section", cx);
        let page = o.opt("page", cx);
        let url = o.opt("url", cx);
        o.finish(cx);
        Some(SourceRef {
            document: document?,
            section,
            page,
            url,
        })
    }
}

impl FromJson for Counter {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let mut o = Obj::new(v, path, cx)?;
        let id: Option<String> = o.req("id", cx);
        let unit = o.req("unit", cx);
        let label = o.req("label", cx);
        let id_ok = id.as_deref().is_some_and(|i| check_id(i, &o.at("id"), cx));
        o.finish(cx);
        id_ok.then_some(())?;
        Some(Counter {
            id: id?,
            unit: unit?,
            label: label?,
        })
    }
}

impl FromJson for Product {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let mut o = Obj::new(v, path, cx)?;
        let id: Option<String> = o.req("id", cx);
        let gtin_raw: Option<String> = o.opt("gtin", cx);
        let model = o.req("model", cx);
        let name = o.req("name", cx);
        let image = o.opt("image", cx);
        let category = o.req("category", cx);
        let counters: Vec<Counter> = o.list("counters", 0, cx);
        let care_plan = o.opt("care_plan", cx);
        let id_ok = id.as_deref().is_some_and(|i| check_id(i, &o.at("id"), cx));
        let gtin = match gtin_raw {
            Some(g) => match gs1::normalize_gtin(&g) {
                Ok(n) => Some(n),
                Err(e) => {
                    cx.err(&o.at("gtin"), e.to_string());
                    return None;
                }
            },
            None => None,
        };
        let mut seen = BTreeSet::new();
        for (i, c) in counters.iter().enumerate() {
            if !seen.insert(c.id.as_str()) {
                cx.err(
                    &format!("{}/{i}/id", o.at("counters")),
                    format!("duplicate counter id {:?}", c.id),
                );
            }
        }
        o.finish(cx);
        id_ok.then_some(())?;
        Some(Product {
            id: id?,
            gtin,
            model: model?,
            name: name?,
            image,
            category: category?,
            counters,
            care_plan,
        })
    }
}

impl FromJson for UsageInterval {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let mut o = Obj::new(v, path, cx)?;
        let counter = o.req("counter", cx);
        let amount: Option<f64> = o.req("amount", cx);
        if let Some(a) = amount
            && a <= 0.0
        {
            cx.err(&o.at("amount"), format!("must be > 0, found {a}"));
        }
        o.finish(cx);
        Some(UsageInterval {
            counter: counter?,
            amount: amount.filter(|a| *a > 0.0)?,
        })
    }
}

impl FromJson for Interval {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let mut o = Obj::new(v, path, cx)?;
        let months: Option<u32> = o.opt("months", cx);
        let weeks: Option<u32> = o.opt("weeks", cx);
        let days: Option<u32> = o.opt("days", cx);
        let usage = o.opt("usage", cx);
        let mut ok = true;
        for (k, n) in [("months", months), ("weeks", weeks), ("days", days)] {
            if let Some(n) = n
                && (n == 0 || n > 3650)
            {
                cx.err(&o.at(k), format!("must be 1–3650, found {n}"));
                ok = false;
            }
        }
        if [months.is_some(), weeks.is_some(), days.is_some()]
            .iter()
            .filter(|b| **b)
            .count()
            > 1
        {
            cx.err(path, "give only one of \"months\", \"weeks\" or \"days\"");
            ok = false;
        }
        if months.is_none()
            && weeks.is_none()
            && days.is_none()
            && usage.is_none()
            && o_has_no_usage(v)
        {
            cx.err(
                path,
                "needs a time interval (\"months\", \"weeks\" or \"days\") and/or \"usage\"",
            );
            ok = false;
        }
        o.finish(cx);
        ok.then_some(())?;
        Some(Interval {
            months,
            days: days.or(weeks.map(|w| w * 7)),
            usage,
        })
    }
}

fn o_has_no_usage(v: &Value) -> bool {
    v.get("usage").is_none_or(Value::is_null)
}

impl FromJson for CareTask {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let mut o = Obj::new(v, path, cx)?;
        let id: Option<String> = o.req("id", cx);
        let title = o.req("title", cx);
        let instructions = o.req("instructions", cx);
        let interval = o.req("interval", cx);
        let id_ok = id.as_deref().is_some_and(|i| check_id(i, &o.at("id"), cx));
        o.finish(cx);
        id_ok.then_some(())?;
        Some(CareTask {
            id: id?,
            title: title?,
            instructions: instructions?,
            interval: interval?,
        })
    }
}

impl FromJson for CarePlan {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let mut o = Obj::new(v, path, cx)?;
        let id: Option<String> = o.req("id", cx);
        let title = o.req("title", cx);
        let instructions = o.opt("instructions", cx);
        let codes: Vec<String> = o.list("symbols", 0, cx);
        let tasks: Vec<CareTask> = o.list("tasks", 0, cx);
        let id_ok = id.as_deref().is_some_and(|i| check_id(i, &o.at("id"), cx));
        let mut symbols = Vec::new();
        let mut cats: BTreeMap<SymbolCategory, &str> = BTreeMap::new();
        for (i, c) in codes.iter().enumerate() {
            let p = format!("{}/{i}", o.at("symbols"));
            match care_symbol(c) {
                Some(s) => {
                    if let Some(prev) = cats.insert(s.category, s.code) {
                        cx.err(&p, format!("{c:?} and {prev:?} are both {:?} symbols (one per group)", s.category));
                    }
                    symbols.push(s);
                }
                None => cx.err(&p, format!("unknown ISO 3758 care symbol {c:?} (e.g. wash_40, do_not_bleach, tumble_low, iron_medium, dry_clean_p)")),
            }
        }
        if codes.is_empty()
            && tasks.is_empty()
            && v.get("tasks")
                .is_some_and(|t| t.as_array().is_some_and(Vec::is_empty))
        {
            cx.err(&o.at("tasks"), "a plan needs tasks or care symbols");
        }
        let mut seen = BTreeSet::new();
        for (i, t) in tasks.iter().enumerate() {
            if !seen.insert(t.id.as_str()) {
                cx.err(
                    &format!("{}/{i}/id", o.at("tasks")),
                    format!("duplicate task id {:?}", t.id),
                );
            }
        }
        o.finish(cx);
        id_ok.then_some(())?;
        Some(CarePlan {
            id: id?,
            title: title?,
            instructions,
            symbols,
            tasks,
        })
    }
}

impl FromJson for ErrorCode {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let mut o = Obj::new(v, path, cx)?;
        let code: Option<String> = o.req("code", cx);
        let products = o.list("products", 0, cx);
        let title = o.req("title", cx);
        let meaning = o.req("meaning", cx);
        let causes = o.list("causes", 0, cx);
        let steps = o.list("steps", 1, cx);
        let call_service = o.req("call_service", cx);
        let severity: Option<String> = o.opt("severity", cx);
        let source = o.opt("source", cx);
        let mut parsed = None;
        if let Some(c) = &code {
            let c = c.trim();
            let prefix: String = c.chars().take_while(char::is_ascii_alphabetic).collect();
            let digits = &c[prefix.len()..];
            match digits.parse::<u32>() {
                Ok(n)
                    if !digits.is_empty()
                        && digits.len() <= 4
                        && digits.bytes().all(|b| b.is_ascii_digit())
                        && prefix.len() <= 4 =>
                {
                    parsed = Some((prefix.to_ascii_lowercase(), n));
                }
                _ => cx.err(
                    &o.at("code"),
                    format!(
                        "code {c:?} must be up to 4 letters followed by 1–4 digits, e.g. \"E08\""
                    ),
                ),
            }
        }
        let severity = severity.unwrap_or_else(|| "warning".into());
        if !["info", "warning", "stop"].contains(&severity.as_str()) {
            cx.err(
                &o.at("severity"),
                format!("{severity:?} is not allowed (info, warning or stop)"),
            );
        }
        o.finish(cx);
        let (prefix, number) = parsed?;
        Some(ErrorCode {
            code: code?.trim().to_string(),
            number,
            prefix,
            products,
            title: title?,
            meaning: meaning?,
            causes,
            steps,
            call_service: call_service?,
            severity,
            source,
        })
    }
}

impl FromJson for FaqEntry {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let mut o = Obj::new(v, path, cx)?;
        let id: Option<String> = o.req("id", cx);
        let products = o.list("products", 0, cx);
        let questions: Option<BTreeMap<String, Vec<String>>> = o.req("questions", cx);
        let answer = o.req("answer", cx);
        let source = o.req("source", cx);
        let id_ok = id.as_deref().is_some_and(|i| check_id(i, &o.at("id"), cx));
        let mut qs = BTreeMap::new();
        if let Some(q) = questions {
            for (k, list) in q {
                let p = child(&o.at("questions"), &k);
                match k.parse::<Lang>() {
                    Ok(l) if l.code() == k => {
                        if list.is_empty() {
                            cx.err(&p, "must be a non-empty list");
                        }
                        qs.insert(l, list);
                    }
                    _ => cx.err(&p, "unknown language key (allowed: \"de\", \"en\")"),
                }
            }
            for l in cx.langs.clone() {
                if !qs.contains_key(&l) {
                    cx.err(&o.at("questions"), format!("missing questions in \"{l}\""));
                }
            }
        }
        o.finish(cx);
        id_ok.then_some(())?;
        Some(FaqEntry {
            id: id?,
            products,
            questions: qs,
            answer: answer?,
            source: source?,
        })
    }
}

impl FromJson for WarrantyTerms {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let mut o = Obj::new(v, path, cx)?;
        let id: Option<String> = o.req("id", cx);
        let months: Option<u32> = o.req("months", cx);
        let starts: Option<String> = o.req("starts", cx);
        let products = o.list("products", 0, cx);
        let terms = o.req("terms", cx);
        let id_ok = id.as_deref().is_some_and(|i| check_id(i, &o.at("id"), cx));
        if let Some(m) = months
            && !(1..=600).contains(&m)
        {
            cx.err(&o.at("months"), format!("must be 1–600, found {m}"));
        }
        let starts = match starts.as_deref() {
            Some("purchase") => Some(WarrantyStart::Purchase),
            Some("production") => Some(WarrantyStart::Production),
            Some(other) => {
                cx.err(
                    &o.at("starts"),
                    format!("{other:?} is not allowed (\"purchase\" or \"production\")"),
                );
                None
            }
            None => None,
        };
        o.finish(cx);
        id_ok.then_some(())?;
        Some(WarrantyTerms {
            id: id?,
            months: months.filter(|m| (1..=600).contains(m))?,
            starts: starts?,
            products,
            terms: terms?,
        })
    }
}

impl FromJson for Contact {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let mut o = Obj::new(v, path, cx)?;
        let id: Option<String> = o.req("id", cx);
        let name = o.req("name", cx);
        let email: Option<String> = o.opt("email", cx);
        let phone: Option<String> = o.opt("phone", cx);
        let url: Option<String> = o.opt("url", cx);
        let hours = o.opt("hours", cx);
        let purposes: Vec<String> = o.list("purposes", 1, cx);
        let id_ok = id.as_deref().is_some_and(|i| check_id(i, &o.at("id"), cx));
        if ["email", "phone", "url"]
            .iter()
            .all(|k| v.get(k).is_none_or(Value::is_null))
        {
            cx.err(
                path,
                "needs at least one of \"email\", \"phone\" or \"url\"",
            );
        }
        if let Some(e) = &email {
            let ok = e.split_once('@').is_some_and(|(a, b)| {
                !a.is_empty() && b.contains('.') && !e.contains(char::is_whitespace)
            });
            if !ok {
                cx.err(&o.at("email"), format!("{e:?} is not an e-mail address"));
            }
        }
        for (i, p) in purposes.iter().enumerate() {
            if !CONTACT_PURPOSES.contains(&p.as_str()) {
                cx.err(
                    &format!("{}/{i}", o.at("purposes")),
                    format!("{p:?} is not allowed ({})", CONTACT_PURPOSES.join(", ")),
                );
            }
        }
        o.finish(cx);
        id_ok.then_some(())?;
        Some(Contact {
            id: id?,
            name: name?,
            email,
            phone,
            url,
            hours,
            purposes,
        })
    }
}

impl FromJson for SerialRule {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let mut o = Obj::new(v, path, cx)?;
        let id: Option<String> = o.req("id", cx);
        let pattern: Option<String> = o.req("pattern", cx);
        let models: Option<BTreeMap<String, String>> = o.opt("models", cx);
        let plants: Option<BTreeMap<String, String>> = o.opt("plants", cx);
        let id_ok = id.as_deref().is_some_and(|i| check_id(i, &o.at("id"), cx));
        let compiled = pattern
            .as_deref()
            .and_then(|p| match SerialPattern::compile(p) {
                Ok(c) => Some(c),
                Err(e) => {
                    cx.err(&o.at("pattern"), e);
                    None
                }
            });
        if let Some(c) = &compiled {
            let names = c.part_names();
            if models.is_some() && !names.contains(&"model") {
                cx.err(
                    &o.at("models"),
                    "the pattern has no {model:…} part to look up",
                );
            }
            if models.is_none() && names.contains(&"model") {
                cx.err(
                    path,
                    "the pattern has a {model:…} part but no \"models\" table",
                );
            }
            if plants.is_some() && !names.contains(&"plant") {
                cx.err(
                    &o.at("plants"),
                    "the pattern has no {plant:…} part to look up",
                );
            }
            if let Some((min, max)) = c.part_len("year")
                && !(min == max && (min == 2 || min == 4))
            {
                cx.err(
                    &o.at("pattern"),
                    "the year part must have exactly 2 or 4 digits, e.g. {year:N2}",
                );
            }
            let has_date =
                names.contains(&"week") || names.contains(&"month") || names.contains(&"day");
            if has_date && !names.contains(&"year") {
                cx.err(
                    &o.at("pattern"),
                    "a week/month/day part needs a {year:N2} or {year:N4} part",
                );
            }
            if names.contains(&"week") && names.contains(&"month") {
                cx.err(
                    &o.at("pattern"),
                    "use either a week or a month part, not both",
                );
            }
        }
        o.finish(cx);
        id_ok.then_some(())?;
        Some(SerialRule {
            id: id?,
            pattern: pattern?,
            models: models.unwrap_or_default(),
            plants: plants.unwrap_or_default(),
            compiled: compiled?,
        })
    }
}

// ---- loading -------------------------------------------------------------------------

fn parse_file(name: &str, text: &str, issues: &mut Vec<Issue>) -> Option<Value> {
    if text.len() > MAX_FILE_BYTES {
        issues.push(Issue {
            file: name.into(),
            path: String::new(),
            message: format!("is {} bytes (at most {MAX_FILE_BYTES})", text.len()),
        });
        return None;
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Some(v),
        Err(e) => {
            issues.push(Issue {
                file: name.into(),
                path: String::new(),
                message: format!("is not valid JSON: {e}"),
            });
            None
        }
    }
}

/// Reads a file's single top-level list `key`; `None` when the file itself is broken.
fn top_list<T: FromJson>(v: &Value, key: &'static str, cx: &mut Cx) -> Option<Vec<T>> {
    let mut o = Obj::new(v, "", cx)?;
    let before = cx.issues.len();
    let list = o.list(key, 0, cx);
    o.finish(cx);
    (cx.issues.len() == before).then_some(list)
}

fn dupes<'a>(
    ids: impl Iterator<Item = &'a str>,
    file: &str,
    key: &str,
    what: &str,
    issues: &mut Vec<Issue>,
) {
    let mut seen = BTreeSet::new();
    for (i, id) in ids.enumerate() {
        if !seen.insert(id) {
            issues.push(Issue {
                file: file.into(),
                path: format!("/{key}/{i}/id"),
                message: format!("duplicate {what} id {id:?}"),
            });
        }
    }
}

impl Pack {
    /// Loads a pack from `(file name, contents)` pairs (names without directories, e.g.
    /// `faq.json`). All problems are reported together.
    pub fn from_files<S: AsRef<str>, T: AsRef<str>>(files: &[(S, T)]) -> Result<Pack, PackErrors> {
        let mut issues = Vec::new();
        let mut values: BTreeMap<&str, Value> = BTreeMap::new();
        for (name, text) in files {
            let name = name.as_ref();
            let Some(known) = PACK_FILES.iter().find(|f| **f == name) else {
                issues.push(Issue {
                    file: name.to_string(),
                    path: String::new(),
                    message: format!("unknown file (a pack holds {})", PACK_FILES.join(", ")),
                });
                continue;
            };
            if values.contains_key(known) {
                issues.push(Issue {
                    file: name.into(),
                    path: String::new(),
                    message: "given twice".into(),
                });
                continue;
            }
            if let Some(v) = parse_file(name, text.as_ref(), &mut issues) {
                values.insert(known, v);
            }
        }
        Self::from_values(values, issues)
    }

    /// Loads a pack bundled into one JSON object whose keys are file names and whose values
    /// are the files' contents (handy for the web app: one download).
    pub fn from_bundle(json: &str) -> Result<Pack, PackErrors> {
        let mut issues = Vec::new();
        let Some(v) = parse_file("bundle", json, &mut issues) else {
            return Err(PackErrors(issues));
        };
        let Value::Object(map) = v else {
            return Err(PackErrors(vec![Issue {
                file: "bundle".into(),
                path: String::new(),
                message: "must be an object mapping file names to their contents".into(),
            }]));
        };
        let mut values = BTreeMap::new();
        for (name, value) in map {
            match PACK_FILES.iter().find(|f| **f == name) {
                Some(known) => {
                    values.insert(*known, value);
                }
                None => issues.push(Issue {
                    file: name.clone(),
                    path: String::new(),
                    message: format!("unknown file (a pack holds {})", PACK_FILES.join(", ")),
                }),
            }
        }
        Self::from_values(values, issues)
    }

    fn from_values(
        values: BTreeMap<&str, Value>,
        mut issues: Vec<Issue>,
    ) -> Result<Pack, PackErrors> {
        for required in ["pack.json", "products.json"] {
            if !values.contains_key(required) {
                issues.push(Issue {
                    file: required.into(),
                    path: String::new(),
                    message: "is missing (every pack needs it)".into(),
                });
            }
        }
        // pack.json first: it declares the languages every text must have.
        let mut manifest = None;
        if let Some(v) = values.get("pack.json") {
            let mut c = Cx {
                file: "pack.json".into(),
                issues: &mut issues,
                langs: Vec::new(),
            };
            manifest = read_manifest(v, &mut c);
        }
        let langs = manifest
            .as_ref()
            .map(|m: &Manifest| m.languages.clone())
            .unwrap_or_default();
        macro_rules! read {
            ($file:literal, $key:literal) => {{
                match values.get($file) {
                    Some(v) => {
                        let mut c = Cx {
                            file: $file.into(),
                            issues: &mut issues,
                            langs: langs.clone(),
                        };
                        top_list(v, $key, &mut c)
                    }
                    None => Some(Vec::new()),
                }
            }};
        }
        let products: Option<Vec<Product>> = read!("products.json", "products");
        let rules: Option<Vec<SerialRule>> = read!("serials.json", "rules");
        let plans: Option<Vec<CarePlan>> = read!("care.json", "plans");
        let codes: Option<Vec<ErrorCode>> = read!("errors.json", "codes");
        let faq: Option<Vec<FaqEntry>> = read!("faq.json", "entries");
        let terms: Option<Vec<WarrantyTerms>> = read!("warranty.json", "terms");
        let contacts: Option<Vec<Contact>> = read!("contacts.json", "contacts");
        let synonyms = match values.get("synonyms.json") {
            Some(v) => {
                let mut c = Cx {
                    file: "synonyms.json".into(),
                    issues: &mut issues,
                    langs: langs.clone(),
                };
                read_synonyms(v, &mut c)
            }
            None => Some(BTreeMap::new()),
        };

        // Cross-file checks, only where the referenced list loaded completely.
        let product_ids: Option<BTreeSet<&str>> = products
            .as_ref()
            .map(|p| p.iter().map(|p| p.id.as_str()).collect());
        let refs = |file: &str, path: String, id: &str, issues: &mut Vec<Issue>| {
            if let Some(ids) = &product_ids
                && !ids.contains(id)
            {
                issues.push(Issue {
                    file: file.into(),
                    path,
                    message: format!("unknown product {id:?} (not in products.json)"),
                });
            }
        };
        if let Some(ps) = &products {
            dupes(
                ps.iter().map(|p| p.id.as_str()),
                "products.json",
                "products",
                "product",
                &mut issues,
            );
            let mut gtins = BTreeMap::new();
            for (i, p) in ps.iter().enumerate() {
                if let Some(g) = &p.gtin
                    && let Some(other) = gtins.insert(g.as_str(), p.id.as_str())
                {
                    issues.push(Issue {
                        file: "products.json".into(),
                        path: format!("/products/{i}/gtin"),
                        message: format!("GTIN {g} is also used by product {other:?}"),
                    });
                }
                if let (Some(plan), Some(plans)) = (&p.care_plan, &plans) {
                    match plans.iter().find(|c| &c.id == plan) {
                        None => issues.push(Issue {
                            file: "products.json".into(),
                            path: format!("/products/{i}/care_plan"),
                            message: format!("unknown care plan {plan:?} (not in care.json)"),
                        }),
                        Some(plan) => {
                            for (ti, t) in plan.tasks.iter().enumerate() {
                                if let Some(u) = &t.interval.usage
                                    && !p.counters.iter().any(|c| c.id == u.counter)
                                {
                                    let pi =
                                        plans.iter().position(|c| c.id == plan.id).unwrap_or(0);
                                    issues.push(Issue {
                                            file: "care.json".into(),
                                            path: format!("/plans/{pi}/tasks/{ti}/interval/usage/counter"),
                                            message: format!("counter {:?} is not a counter of product {:?}, which uses this plan", u.counter, p.id),
                                        });
                                }
                            }
                        }
                    }
                }
            }
        }
        if let Some(rs) = &rules {
            dupes(
                rs.iter().map(|r| r.id.as_str()),
                "serials.json",
                "rules",
                "rule",
                &mut issues,
            );
            for (i, r) in rs.iter().enumerate() {
                for (code, pid) in &r.models {
                    refs(
                        "serials.json",
                        format!("/rules/{i}/models/{code}"),
                        pid,
                        &mut issues,
                    );
                }
            }
        }
        if let Some(ps) = &plans {
            dupes(
                ps.iter().map(|p| p.id.as_str()),
                "care.json",
                "plans",
                "care plan",
                &mut issues,
            );
        }
        if let Some(cs) = &codes {
            let mut seen: BTreeMap<(String, u32), usize> = BTreeMap::new();
            for (i, c) in cs.iter().enumerate() {
                for (j, p) in c.products.iter().enumerate() {
                    refs(
                        "errors.json",
                        format!("/codes/{i}/products/{j}"),
                        p,
                        &mut issues,
                    );
                }
                let scopes: Vec<String> = if c.products.is_empty() {
                    vec!["*".into()]
                } else {
                    c.products.clone()
                };
                for s in scopes {
                    if let Some(first) = seen.insert((s.clone(), c.number), i) {
                        issues.push(Issue {
                            file: "errors.json".into(),
                            path: format!("/codes/{i}/code"),
                            message: format!(
                                "number {} is already used by /codes/{first} for the same products",
                                c.number
                            ),
                        });
                    }
                }
            }
        }
        if let Some(fs) = &faq {
            dupes(
                fs.iter().map(|f| f.id.as_str()),
                "faq.json",
                "entries",
                "FAQ",
                &mut issues,
            );
            for (i, f) in fs.iter().enumerate() {
                for (j, p) in f.products.iter().enumerate() {
                    refs(
                        "faq.json",
                        format!("/entries/{i}/products/{j}"),
                        p,
                        &mut issues,
                    );
                }
            }
        }
        if let Some(ts) = &terms {
            dupes(
                ts.iter().map(|t| t.id.as_str()),
                "warranty.json",
                "terms",
                "warranty terms",
                &mut issues,
            );
            let mut covered: BTreeMap<&str, usize> = BTreeMap::new();
            for (i, t) in ts.iter().enumerate() {
                let keys: Vec<&str> = if t.products.is_empty() {
                    vec!["*"]
                } else {
                    t.products.iter().map(String::as_str).collect()
                };
                for (j, p) in keys.into_iter().enumerate() {
                    if p != "*" {
                        refs(
                            "warranty.json",
                            format!("/terms/{i}/products/{j}"),
                            p,
                            &mut issues,
                        );
                    }
                    if let Some(first) = covered.insert(p, i) {
                        let what = if p == "*" {
                            "default terms (no products)".to_string()
                        } else {
                            format!("product {p:?}")
                        };
                        issues.push(Issue {
                            file: "warranty.json".into(),
                            path: format!("/terms/{i}"),
                            message: format!("{what} already covered by /terms/{first}"),
                        });
                    }
                }
            }
        }
        if let Some(cs) = &contacts {
            dupes(
                cs.iter().map(|c| c.id.as_str()),
                "contacts.json",
                "contacts",
                "contact",
                &mut issues,
            );
        }
        if !issues.is_empty() {
            return Err(PackErrors(issues));
        }
        // Every list is Some here: a None always comes with an issue.
        let (
            Some(manifest),
            Some(products),
            Some(serial_rules),
            Some(care_plans),
            Some(error_codes),
            Some(faq),
            Some(warranty),
            Some(contacts),
            Some(synonyms),
        ) = (
            manifest, products, rules, plans, codes, faq, terms, contacts, synonyms,
        )
        else {
            return Err(PackErrors(vec![Issue {
                file: "pack".into(),
                path: String::new(),
                message: "could not be read".into(),
            }]));
        };
        let mut pack = Pack {
            manifest,
            products,
            serial_rules,
            care_plans,
            error_codes,
            faq,
            warranty,
            contacts,
            synonyms,
            index: BTreeMap::new(),
        };
        for &lang in &pack.manifest.languages.clone() {
            let index = Index::build(&pack, lang);
            pack.index.insert(lang, index);
        }
        Ok(pack)
    }

    /// The product with this id.
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    /// The usage counter with this id (the first product that keeps one; products of a pack
    /// share counter ids such as `water_l`).
    pub fn counter(&self, id: &str) -> Option<&Counter> {
        self.products
            .iter()
            .flat_map(|p| &p.counters)
            .find(|c| c.id == id)
    }

    /// The product with this GTIN (any of GTIN-8/12/13/14, normalised before comparing).
    pub fn product_by_gtin(&self, gtin: &str) -> Option<&Product> {
        let g = gs1::normalize_gtin(gtin).ok()?;
        self.products
            .iter()
            .find(|p| p.gtin.as_deref() == Some(g.as_str()))
    }

    /// The care plan of a product.
    pub fn care_plan_for(&self, product: &Product) -> Option<&CarePlan> {
        product
            .care_plan
            .as_ref()
            .and_then(|id| self.care_plans.iter().find(|c| &c.id == id))
    }

    /// The warranty terms covering a product: the terms naming it, else the default terms.
    pub fn warranty_for(&self, product_id: &str) -> Option<&WarrantyTerms> {
        self.warranty
            .iter()
            .find(|t| t.products.iter().any(|p| p == product_id))
            .or_else(|| self.warranty.iter().find(|t| t.products.is_empty()))
    }

    /// Contacts for a purpose (`service`, `diagnostics`, `callback`, `reviews`, `general`).
    pub fn contacts_for(&self, purpose: &str) -> Vec<&Contact> {
        self.contacts
            .iter()
            .filter(|c| c.purposes.iter().any(|p| p == purpose))
            .collect()
    }

    /// Applies the serial rules in order; the first that matches and yields a valid date wins.
    pub fn match_serial(&self, serial: &str) -> Option<SerialInfo> {
        self.serial_rules.iter().find_map(|r| r.apply(serial))
    }
}

fn read_manifest(v: &Value, cx: &mut Cx) -> Option<Manifest> {
    let mut o = Obj::new(v, "", cx)?;
    let schema: Option<String> = o.req("schema", cx);
    let id: Option<String> = o.req("id", cx);
    let name = o.req("name", cx);
    let publisher = o.req("publisher", cx);
    let version = o.req("version", cx);
    let languages: Vec<Lang> = o.list("languages", 1, cx);
    let default_language: Option<Lang> = o.req("default_language", cx);
    if let Some(s) = &schema
        && s != PACK_SCHEMA
    {
        cx.err(
            "/schema",
            format!("{s:?} is not supported (expected {PACK_SCHEMA:?}; a newer app may read it)"),
        );
    }
    let id_ok = id.as_deref().is_some_and(|i| check_id(i, "/id", cx));
    let mut uniq = languages.clone();
    uniq.dedup();
    if uniq.len() != languages.len() {
        cx.err("/languages", "lists a language twice");
    }
    if let Some(d) = default_language
        && !languages.is_empty()
        && !languages.contains(&d)
    {
        cx.err(
            "/default_language",
            format!("{d:?} is not one of the pack's languages"),
        );
    }
    o.finish(cx);
    (id_ok && schema.as_deref() == Some(PACK_SCHEMA) && !languages.is_empty()).then_some(())?;
    let default_language = default_language.filter(|d| languages.contains(d))?;
    Some(Manifest {
        id: id?,
        name: name?,
        publisher: publisher?,
        version: version?,
        languages,
        default_language,
    })
}

fn read_synonyms(v: &Value, cx: &mut Cx) -> Option<BTreeMap<Lang, Vec<Vec<String>>>> {
    let map = BTreeMap::<String, Vec<Vec<String>>>::from_json(v, "", cx)?;
    let mut out = BTreeMap::new();
    let mut ok = true;
    for (k, groups) in map {
        let Ok(lang) = k.parse::<Lang>() else {
            cx.err(
                &child("", &k),
                "unknown language key (allowed: \"de\", \"en\")",
            );
            ok = false;
            continue;
        };
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (i, g) in groups.iter().enumerate() {
            if g.len() < 2 {
                cx.err(
                    &format!("/{k}/{i}"),
                    "a synonym group needs at least 2 words",
                );
                ok = false;
            }
            for (j, w) in g.iter().enumerate() {
                if !(1..=3).contains(&w.split_whitespace().count()) {
                    cx.err(
                        &format!("/{k}/{i}/{j}"),
                        format!("{w:?}: synonyms are words or phrases of up to 3 words"),
                    );
                    ok = false;
                }
                // Compared as the index sees them (folded words): "Füllmenge" and
                // "fuellmenge" in two groups would silently share one index term.
                let folded = crate::text::fold(w, lang);
                let key = crate::text::words(&folded).collect::<Vec<_>>().join(" ");
                if key.is_empty() {
                    cx.err(
                        &format!("/{k}/{i}/{j}"),
                        format!("{w:?}: a synonym needs letters or digits"),
                    );
                    ok = false;
                    continue;
                }
                if let Some(first) = seen.insert(key, i)
                    && first != i
                {
                    cx.err(
                        &format!("/{k}/{i}/{j}"),
                        format!("{w:?} is already in group /{k}/{first}"),
                    );
                    ok = false;
                }
            }
        }
        out.insert(lang, groups);
    }
    ok.then_some(out)
}
