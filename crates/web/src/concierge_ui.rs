#![cfg(feature = "concierge")]

//! The product concierge in the PWA: "My products" (identify by device number, serial or
//! GS1 Digital Link), the care timeline with due/overdue tasks and usage counters, an ask
//! box with cited answers, opt-in reminders, and the consent-gated report/callback dialog.
//!
//! Split like the widget: everything that decides something (state transitions, the
//! timeline, payload building, texts) is plain functions over [`ConciergeState`], tested
//! natively; the yew component and its DOM glue (fetching packs, `localStorage`,
//! Notifications) are compiled for wasm only.
//!
//! Data never leaves the device on its own: the profile lives in this origin's
//! `localStorage` under [`STORAGE_KEY`]; a report is built from the fields the user ticks
//! (none by default), shown exactly, and delivered only through a `mailto:` link or a
//! download the user clicks. Packs are fetched from `/packs/<name>/<file>` ([`pack_urls`]).
//!
//! Reminders: the Notification permission is requested only when the user switches
//! "remind me" on. Browsers cannot schedule a notification for later without a push server,
//! which doppel does not use (it would need a server that knows when the user's machine
//! is due), so reminders fire when the app is opened: due and overdue tasks, at most once
//! per task per day ([`NOTIFIED_KEY`]); the care timeline is the in-app due list.

use crate::i18n::Lang as UiLang;
use doppel_concierge::pack::PACK_FILES;
use doppel_concierge::report::{
    self, ContactDetails, DownloadFile, Field, ReportData, ReportKind, ReportPreview,
};
use doppel_concierge::search::AskOptions;
use doppel_concierge::{Answer, Date, Identification, Lang, Pack, TaskState, TaskStatus};
use doppel_profile::{OwnedProduct, Profile};
use std::collections::BTreeSet;

/// `localStorage` key of the concierge profile (separate from the fitting profile).
pub const STORAGE_KEY: &str = "doppel.concierge.profile";
/// Key of the backup copy, written after a verified write of [`STORAGE_KEY`].
pub const BACKUP_KEY: &str = "doppel.concierge.profile.backup";
/// Key under which an unreadable profile is kept aside unchanged (never silently dropped).
pub const DAMAGED_KEY: &str = "doppel.concierge.profile.damaged";
/// Key of the reminder opt-in (`"on"` after the user switched reminders on).
pub const REMINDERS_KEY: &str = "doppel.concierge.reminders";
/// Key of the reminders already shown: one `owned|task|YYYY-MM-DD` line each, so a task
/// notifies at most once a day.
pub const NOTIFIED_KEY: &str = "doppel.concierge.notified";
/// Packs the app installs, fetched from `/packs/<name>/`.
pub const DEFAULT_PACKS: [&str; 2] = ["bohnenwerk", "fashion"];
/// Days ahead in which an upcoming task is listed on the timeline.
pub const HORIZON_DAYS: i64 = 60;

/// The URLs of a pack's files (`/packs/<name>/<file>` for every file a pack may hold; the
/// optional ones may answer 404 and are then left out).
pub fn pack_urls(name: &str) -> Vec<(&'static str, String)> {
    PACK_FILES
        .iter()
        .map(|f| (*f, format!("/packs/{name}/{f}")))
        .collect()
}

/// The concierge's language for the app's language.
pub fn lang_of(ui: UiLang) -> Lang {
    match ui {
        UiLang::De => Lang::De,
        UiLang::En => Lang::En,
    }
}

/// Fixed texts of the concierge view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)] // The variant names say what they are; the texts are below.
pub enum Txt {
    MyProducts,
    AddLabel,
    AddHint,
    Purchased,
    Add,
    Remove,
    NoProducts,
    Model,
    Serial,
    Produced,
    Plant,
    WarrantyUntil,
    Care,
    Overdue,
    Due,
    Upcoming,
    DoneToday,
    Counter,
    Record,
    Ask,
    AskHint,
    About,
    AllProducts,
    Source,
    NoAnswer,
    OfferMessage,
    Related,
    DidYouMean,
    Remind,
    RemindDenied,
    Report,
    Callback,
    Choose,
    Preview,
    Email,
    Download,
    NothingChosen,
    Loading,
    Unknown,
    Close,
}

/// The text for `key` in `lang`.
pub fn t(lang: Lang, key: Txt) -> &'static str {
    let (de, en) = match key {
        Txt::MyProducts => ("Meine Produkte", "My products"),
        Txt::AddLabel => (
            "Gerätenummer, Seriennummer oder GS1-Link",
            "Device number, serial or GS1 link",
        ),
        Txt::AddHint => (
            "z. B. BWBO2410L00042 oder https://…/01/…/21/…",
            "e.g. BWBO2410L00042 or https://…/01/…/21/…",
        ),
        Txt::Purchased => ("Gekauft am (optional)", "Purchased on (optional)"),
        Txt::Add => ("Hinzufügen", "Add"),
        Txt::Remove => ("Entfernen", "Remove"),
        Txt::NoProducts => ("Noch keine Produkte.", "No products yet."),
        Txt::Model => ("Modell", "Model"),
        Txt::Serial => ("Seriennummer", "Serial number"),
        Txt::Produced => ("Hergestellt", "Produced"),
        Txt::Plant => ("Werk", "Plant"),
        Txt::WarrantyUntil => ("Garantie bis", "Warranty until"),
        Txt::Care => ("Pflege", "Care"),
        Txt::Overdue => ("überfällig", "overdue"),
        Txt::Due => ("fällig", "due"),
        Txt::Upcoming => ("demnächst", "upcoming"),
        Txt::DoneToday => ("Heute erledigt", "Done today"),
        Txt::Counter => ("Zählerstand", "Counter reading"),
        Txt::Record => ("Speichern", "Save"),
        Txt::Ask => ("Fragen", "Ask"),
        Txt::About => ("Worum geht es?", "About"),
        Txt::AllProducts => ("Alle Produkte", "All products"),
        Txt::AskHint => (
            "Frage oder Fehlercode, z. B. „Fehler 8“",
            "Question or error code, e.g. \"error 8\"",
        ),
        Txt::Source => ("Quelle", "Source"),
        Txt::NoAnswer => (
            "Dazu habe ich keine passende Antwort.",
            "I have no answer that fits.",
        ),
        Txt::OfferMessage => (
            "Nachricht an den Hersteller vorbereiten",
            "Prepare a message to the maker",
        ),
        Txt::Related => ("Verwandte Themen", "Related topics"),
        Txt::DidYouMean => ("Meinten Sie eines davon?", "Did you mean one of these?"),
        Txt::Remind => ("Erinnere mich", "Remind me"),
        Txt::RemindDenied => (
            "Benachrichtigungen sind im Browser blockiert.",
            "Notifications are blocked in this browser.",
        ),
        Txt::Report => ("Diagnosebericht", "Diagnostic report"),
        Txt::Callback => ("Rückruf anfordern", "Request a callback"),
        Txt::Choose => (
            "Was soll der Hersteller erfahren? (nichts ist vorausgewählt)",
            "What should the maker see? (nothing is preselected)",
        ),
        Txt::Preview => (
            "Genau diese Daten würden gesendet:",
            "Exactly this would be sent:",
        ),
        Txt::Email => ("Per E-Mail öffnen", "Open as e-mail"),
        Txt::Download => ("Als Datei herunterladen", "Download as a file"),
        Txt::NothingChosen => (
            "Bitte mindestens ein Feld wählen.",
            "Please choose at least one field.",
        ),
        Txt::Loading => (
            "Wissenspakete werden geladen …",
            "Loading knowledge packs …",
        ),
        Txt::Unknown => (
            "Kein Produkt der installierten Wissenspakete",
            "Not a product of the installed knowledge packs",
        ),
        Txt::Close => ("Schließen", "Close"),
    };
    match lang {
        Lang::De => de,
        Lang::En => en,
    }
}

/// The label of a report field.
pub fn field_label(lang: Lang, f: Field) -> &'static str {
    let (de, en) = match f {
        Field::Product => ("Produkt", "Product"),
        Field::Serial => ("Seriennummer", "Serial number"),
        Field::PurchaseDate => ("Kaufdatum", "Purchase date"),
        Field::Counters => ("Zählerstände", "Usage counters"),
        Field::ErrorHistory => ("Fehlerverlauf", "Error history"),
        Field::CareLog => ("Pflegeprotokoll", "Care log"),
        Field::Contact => ("Kontaktdaten", "Contact details"),
        Field::Message => ("Nachricht", "Message"),
        Field::CallbackWindow => ("Rückrufzeit", "Callback time"),
        Field::Author => ("Name", "Name"),
    };
    match lang {
        Lang::De => de,
        Lang::En => en,
    }
}

/// Whether the user asked for reminders, and what the browser said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reminders {
    /// Off (default): no permission is ever requested.
    #[default]
    Off,
    /// The user switched them on; permission is being requested (on that click only).
    Asking,
    /// On and permitted.
    On,
    /// The user wants them but the browser refused.
    Denied,
}

impl Reminders {
    /// The state after a click on the "remind me" toggle, and whether to request the
    /// Notification permission now (only when switching on).
    pub fn toggle(self) -> (Reminders, bool) {
        match self {
            Reminders::Off | Reminders::Denied => (Reminders::Asking, true),
            Reminders::Asking | Reminders::On => (Reminders::Off, false),
        }
    }

    /// The state after the browser answered the permission request.
    pub fn answered(self, granted: bool) -> Reminders {
        match (self, granted) {
            (Reminders::Asking, true) => Reminders::On,
            (Reminders::Asking, false) => Reminders::Denied,
            (s, _) => s,
        }
    }
}

/// The report/callback dialog: which fields the user ticked (none by default).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportDraft {
    /// The owned product it is about.
    pub owned: String,
    /// Diagnostic report or callback request.
    pub kind: Option<ReportKind>,
    /// Ticked fields.
    pub chosen: BTreeSet<Field>,
    /// Contact details typed into the dialog (kept only in memory).
    pub contact: ContactDetails,
    /// Free-text message.
    pub message: String,
    /// Preferred callback time (callbacks).
    pub callback_window: String,
}

impl ReportDraft {
    /// A fresh dialog for `owned`: nothing ticked.
    pub fn new(owned: &str, kind: ReportKind) -> Self {
        ReportDraft {
            owned: owned.to_string(),
            kind: Some(kind),
            ..Default::default()
        }
    }

    /// Ticks or unticks a field.
    pub fn toggle(&mut self, f: Field) {
        if !self.chosen.remove(&f) {
            self.chosen.insert(f);
        }
    }
}

/// One line of the care timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineItem {
    /// Owned product id.
    pub owned: String,
    /// Product name in the view's language.
    pub product_name: String,
    /// The task's status from the pack's care plan.
    pub status: TaskStatus,
}

/// What the product card shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductCard {
    /// Owned product id.
    pub owned: String,
    /// Name in the view's language.
    pub name: String,
    /// Model designation.
    pub model: String,
    /// Serial number, if known.
    pub serial: Option<String>,
    /// Production date (from the code or the serial rule).
    pub production_date: Option<Date>,
    /// Plant, if the serial rule names it.
    pub plant: Option<String>,
    /// Warranty end (from the purchase date, else the production date).
    pub warranty_until: Option<Date>,
    /// Counters the product has: (id, "label (unit)"), for the counter form.
    pub counters: Vec<(String, String)>,
}

/// Everything the concierge view shows, changed only by the methods below.
#[derive(Debug, Clone)]
pub struct ConciergeState {
    /// Installed packs.
    pub packs: Vec<Pack>,
    /// What the user owns (persisted).
    pub profile: Profile,
    /// Today (from the browser clock; an argument so that tests fix it).
    pub today: Date,
    /// View language.
    pub lang: Lang,
    /// The last inline error (shown next to the control that caused it).
    pub error: Option<String>,
    /// The last answer of the ask box.
    pub answer: Option<Answer>,
    /// Id of the pack that gave `answer` (its offered entries are that pack's).
    pub answer_pack: Option<String>,
    /// Which offered entry the shown answer is, when the user picked one.
    pub chosen: Option<usize>,
    /// The open report dialog.
    pub draft: Option<ReportDraft>,
    /// Reminder opt-in.
    pub reminders: Reminders,
    /// How many questions were asked (shown as `data-asked`, so a test can tell a new
    /// answer from the previous one when both read the same).
    pub asked: u32,
}

impl ConciergeState {
    /// A state with these packs and profile.
    pub fn new(packs: Vec<Pack>, profile: Profile, today: Date, lang: Lang) -> Self {
        ConciergeState {
            packs,
            profile,
            today,
            lang,
            error: None,
            answer: None,
            answer_pack: None,
            chosen: None,
            draft: None,
            reminders: Reminders::Off,
            asked: 0,
        }
    }

    fn pack_of(&self, o: &OwnedProduct) -> Option<&Pack> {
        self.pack_index_of(o).map(|i| &self.packs[i])
    }

    fn pack_index_of(&self, o: &OwnedProduct) -> Option<usize> {
        self.packs.iter().position(|p| p.manifest.id == o.pack)
    }

    /// Identifies a typed code in the installed packs (the first pack that knows the
    /// product wins; a well-formed code no pack knows is an error naming that).
    pub fn identify(
        &self,
        code: &str,
        purchased: Option<Date>,
    ) -> Result<(usize, Identification), String> {
        let mut first_err = None;
        for (i, pack) in self.packs.iter().enumerate() {
            match pack.identify(code, purchased, self.today.year()) {
                Ok(id) if id.product.is_some() => return Ok((i, id)),
                Ok(_) => {}
                Err(e) => {
                    first_err.get_or_insert(e.to_string());
                }
            }
        }
        Err(first_err.unwrap_or_else(|| t(self.lang, Txt::Unknown).to_string()))
    }

    /// Adds a product by its code; returns the new owned id. Errors go to [`Self::error`].
    pub fn add(&mut self, code: &str, purchased: &str) -> Option<String> {
        self.error = None;
        let result = self.try_add(code, purchased);
        match result {
            Ok(id) => Some(id),
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }

    fn try_add(&mut self, code: &str, purchased: &str) -> Result<String, String> {
        let purchased = match purchased.trim() {
            "" => None,
            s => {
                Some(Date::parse(s).map_err(|e| format!("{}: {e}", t(self.lang, Txt::Purchased)))?)
            }
        };
        if purchased.is_some_and(|d| d > self.today) {
            return Err(format!(
                "{}: {}",
                t(self.lang, Txt::Purchased),
                match self.lang {
                    Lang::De => "liegt in der Zukunft",
                    Lang::En => "is in the future",
                }
            ));
        }
        let (pi, ident) = self.identify(code.trim(), purchased)?;
        let pack = &self.packs[pi];
        let product = ident
            .product
            .as_ref()
            .ok_or_else(|| t(self.lang, Txt::Unknown).to_string())?;
        // Unique, stable ids: product id plus the first free number.
        let id = (1..)
            .map(|n| format!("{}-{n}", product.id))
            .find(|id| self.profile.owned(id).is_err())
            .unwrap_or_else(|| product.id.clone());
        let mut owned = OwnedProduct::new(&id, &pack.manifest.id, &product.id);
        owned.gtin = ident.gtin.clone().or_else(|| product.gtin.clone());
        owned.serial = ident.serial.clone();
        owned.purchase_date = purchased;
        self.profile.add_owned(owned).map_err(|e| e.to_string())?;
        Ok(id)
    }

    /// Removes an owned product (and any open dialog about it).
    pub fn remove(&mut self, owned: &str) {
        self.profile.owned.retain(|o| o.id != owned);
        if self.draft.as_ref().is_some_and(|d| d.owned == owned) {
            self.draft = None;
        }
    }

    /// The cards of "My products", in the profile's order.
    pub fn cards(&self) -> Vec<ProductCard> {
        self.profile
            .owned
            .iter()
            .filter_map(|o| {
                let pack = self.pack_of(o)?;
                let p = pack.product(&o.product)?;
                // Re-identify the stored serial for production date and plant.
                let ident = o
                    .serial
                    .as_deref()
                    .and_then(|s| pack.identify(s, o.purchase_date, self.today.year()).ok());
                let production_date = ident.as_ref().and_then(|i| i.production_date);
                let warranty_until = ident.as_ref().and_then(|i| i.warranty_until);
                Some(ProductCard {
                    owned: o.id.clone(),
                    name: p.name.get(self.lang).to_string(),
                    model: p.model.clone(),
                    serial: o.serial.clone(),
                    production_date,
                    plant: ident.and_then(|i| i.plant),
                    warranty_until,
                    counters: p
                        .counters
                        .iter()
                        .map(|c| {
                            (
                                c.id.clone(),
                                format!("{} ({})", c.label.get(self.lang), c.unit),
                            )
                        })
                        .collect(),
                })
            })
            .collect()
    }

    /// Overdue, due and upcoming (within [`HORIZON_DAYS`]) care tasks of every owned
    /// product: overdue first, then due, then upcoming by date.
    pub fn timeline(&self) -> Vec<TimelineItem> {
        let mut out = Vec::new();
        for o in &self.profile.owned {
            let Some(pack) = self.pack_of(o) else {
                continue;
            };
            let Ok(tasks) = o.due_tasks(pack, self.today, self.lang) else {
                continue;
            };
            let name = pack
                .product(&o.product)
                .map_or_else(|| o.product.clone(), |p| p.name.get(self.lang).to_string());
            for status in tasks {
                let soon = status.days_left.is_none_or(|d| d <= HORIZON_DAYS);
                if status.state != TaskState::Upcoming || soon {
                    out.push(TimelineItem {
                        owned: o.id.clone(),
                        product_name: name.clone(),
                        status,
                    });
                }
            }
        }
        let rank = |s: TaskState| match s {
            TaskState::Overdue => 0,
            TaskState::Due => 1,
            _ => 2,
        };
        out.sort_by(|a, b| {
            rank(a.status.state)
                .cmp(&rank(b.status.state))
                .then(a.status.due_date.cmp(&b.status.due_date))
                .then(a.owned.cmp(&b.owned))
                .then(a.status.task.cmp(&b.status.task))
        });
        out
    }

    /// The notification texts for today (due and overdue tasks); empty unless reminders
    /// are on.
    pub fn reminder_texts(&self) -> Vec<String> {
        if self.reminders != Reminders::On {
            return Vec::new();
        }
        self.timeline()
            .into_iter()
            .filter(|i| i.status.state != TaskState::Upcoming)
            .map(|i| format!("{}: {}", i.product_name, i.status.title))
            .collect()
    }

    /// Records a counter reading typed by the user; a reading lower than the last one
    /// (counters never run backwards), a non-number or a negative value is an inline error.
    pub fn record_usage(&mut self, owned: &str, counter: &str, value: &str) -> bool {
        self.error = None;
        let lang = self.lang;
        let today = self.today;
        let result = value
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .map_err(|_| {
                format!(
                    "{}: {value:?} {}",
                    t(lang, Txt::Counter),
                    match lang {
                        Lang::De => "ist keine Zahl",
                        Lang::En => "is not a number",
                    }
                )
            })
            .and_then(|v| {
                let o = self.profile.owned_mut(owned).map_err(|e| e.to_string())?;
                o.record_usage(counter, today, v).map_err(|e| e.to_string())
            });
        self.finish(result)
    }

    /// Marks a care task as done today.
    pub fn log_care(&mut self, owned: &str, task: &str) -> bool {
        self.error = None;
        let today = self.today;
        let result = self
            .profile
            .owned_mut(owned)
            .and_then(|o| o.log_care(task, today))
            .map_err(|e| e.to_string());
        self.finish(result)
    }

    fn finish(&mut self, r: Result<(), String>) -> bool {
        match r {
            Ok(()) => true,
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }

    /// Answers a question about an owned product (its pack, restricted to the product),
    /// or, with no product, from every installed pack: a recognised error code first, then
    /// an answer over none, then the higher score; ties go to the earlier pack.
    /// Deterministic: the same question always gets the same answer.
    pub fn ask(&mut self, owned: Option<&str>, question: &str) {
        self.error = None;
        self.asked = self.asked.wrapping_add(1);
        let targets: Vec<(usize, Option<&str>)> = match owned
            .and_then(|id| self.profile.owned(id).ok())
            .and_then(|o| {
                let i = self.pack_index_of(o)?;
                Some((i, Some(o.product.as_str())))
            }) {
            Some(t) => vec![t],
            None => (0..self.packs.len()).map(|i| (i, None)).collect(),
        };
        self.answer = None;
        self.answer_pack = None;
        self.chosen = None;
        let rank = |a: &Answer| (a.matched_by == "error_code", a.answer.is_some(), a.score);
        let mut best: Option<(usize, Answer)> = None;
        let mut first_error = None;
        for (i, product) in targets {
            let opts = AskOptions {
                lang: Some(self.lang),
                product,
                ..Default::default()
            };
            match self.packs[i].ask(question, &opts) {
                Ok(a) => {
                    let better = best.as_ref().is_none_or(|(_, b)| {
                        rank(&a).partial_cmp(&rank(b)) == Some(std::cmp::Ordering::Greater)
                    });
                    if better {
                        best = Some((i, a));
                    }
                }
                Err(e) => {
                    first_error.get_or_insert(e.to_string());
                }
            }
        }
        if let Some((i, a)) = best {
            self.answer = Some(a);
            self.answer_pack = Some(self.packs[i].manifest.id.clone());
        } else {
            self.error = first_error;
        }
    }

    /// Shows the answer of an entry the last answer offered (a runner-up, or a "did you
    /// mean" entry when there was no answer), in the language of the offer. The offers stay
    /// as they were, so the user can compare them (and keyboard focus stays on the list).
    /// Counts as a question asked.
    pub fn choose(&mut self, alternative: usize) {
        let Some(offer) = self.answer.as_ref() else {
            return;
        };
        let Some(alt) = offer.alternatives.get(alternative) else {
            return;
        };
        let Some(pack) = self
            .answer_pack
            .as_ref()
            .and_then(|id| self.packs.iter().find(|p| &p.manifest.id == id))
        else {
            return;
        };
        if let Some(mut a) = pack.entry_answer(alt, offer.lang) {
            a.alternatives = offer.alternatives.clone();
            self.error = None;
            self.asked = self.asked.wrapping_add(1);
            self.answer = Some(a);
            self.chosen = Some(alternative);
        }
    }

    /// Replaces the installed packs (after a reload); an answer from the old ones goes, so
    /// that no offer points into a pack that changed.
    pub fn set_packs(&mut self, packs: Vec<Pack>) {
        self.packs = packs;
        self.answer = None;
        self.answer_pack = None;
        self.chosen = None;
    }

    /// Opens the report or callback dialog for an owned product, nothing ticked.
    pub fn open_report(&mut self, owned: &str, kind: ReportKind) {
        self.draft = Some(ReportDraft::new(owned, kind));
    }

    /// The data a report about the open dialog's product may draw from.
    fn report_data(&self, draft: &ReportDraft) -> Option<ReportData> {
        let o = self.profile.owned(&draft.owned).ok()?;
        let pack = self.pack_of(o)?;
        let mut data = o.report_data(pack, self.lang);
        let c = &draft.contact;
        if c.name.is_some() || c.email.is_some() || c.phone.is_some() {
            data.contact = Some(c.clone());
        }
        data.message = Some(draft.message.trim().to_string()).filter(|m| !m.is_empty());
        data.callback_window =
            Some(draft.callback_window.trim().to_string()).filter(|m| !m.is_empty());
        Some(data)
    }

    /// The fields the open dialog offers as checkboxes, in a fixed order (a ticked field
    /// without data makes the preview say so).
    pub fn offered_fields(&self) -> Vec<Field> {
        let Some(draft) = &self.draft else {
            return Vec::new();
        };
        let callback = draft.kind == Some(ReportKind::Callback);
        report::REPORT_FIELDS
            .into_iter()
            .filter(|f| callback || *f != Field::CallbackWindow)
            .collect()
    }

    /// The exact payload of the open dialog, built from the ticked fields only.
    pub fn preview(&self) -> Result<ReportPreview, String> {
        let draft = self.draft.as_ref().ok_or("no dialog open")?;
        if draft.chosen.is_empty() {
            return Err(t(self.lang, Txt::NothingChosen).to_string());
        }
        let data = self
            .report_data(draft)
            .ok_or("the product is no longer in the list")?;
        let kind = draft.kind.unwrap_or(ReportKind::Diagnostic);
        report::build_report(kind, &data, &draft.chosen, self.lang, self.today)
            .map_err(|e| e.to_string())
    }

    /// The `mailto:` link for the preview, to the pack's service contact (the user clicks
    /// it; nothing is sent by the app).
    pub fn mailto(&self, preview: &ReportPreview) -> Option<String> {
        let o = self.profile.owned(&self.draft.as_ref()?.owned).ok()?;
        let pack = self.pack_of(o)?;
        let to = pack
            .contacts_for("service")
            .into_iter()
            .chain(pack.contacts_for("general"))
            .find_map(|c| c.email.clone())?;
        report::mailto_url(&to, preview).ok()
    }

    /// The file the download link offers.
    pub fn download(&self, preview: &ReportPreview) -> DownloadFile {
        report::download_file(preview)
    }
}

/// Reads the stored profile: the primary copy, else the backup copy (with a message saying
/// so), else an empty profile with a message naming the problem. The caller keeps an
/// unreadable primary copy aside under [`DAMAGED_KEY`] before anything overwrites it.
pub fn load_stored(
    primary: Option<&str>,
    backup: Option<&str>,
    lang: Lang,
) -> (Profile, Option<String>) {
    let primary_err = match primary.map(Profile::load) {
        Some(Ok(p)) => return (p, None),
        Some(Err(e)) => Some(e.to_string()),
        None => None,
    };
    let restored = match lang {
        Lang::De => "Die gespeicherte Produktliste war beschädigt",
        Lang::En => "Your saved product list was damaged",
    };
    match (backup.map(Profile::load), primary_err) {
        (Some(Ok(p)), None) => (p, None),
        (Some(Ok(p)), Some(e)) => {
            let tail = match lang {
                Lang::De => "die Sicherungskopie wurde wiederhergestellt.",
                Lang::En => "the backup copy was restored.",
            };
            (p, Some(format!("{restored} ({e}); {tail}")))
        }
        (_, Some(e)) => {
            let tail = match lang {
                Lang::De => "Sie wurde unverändert beiseitegelegt; die Liste beginnt leer.",
                Lang::En => "It was kept aside unchanged; the list starts empty.",
            };
            (
                Profile::default(),
                Some(format!("{restored} ({e}). {tail}")),
            )
        }
        (Some(Err(_)), None) | (None, None) => (Profile::default(), None),
    }
}

impl ConciergeState {
    /// The reminders to show when the app opens: due and overdue tasks not yet notified
    /// today (per `shown`, the [`NOTIFIED_KEY`] record), and the record to store afterwards
    /// (today's lines only, so it stays small). Empty unless reminders are on.
    pub fn due_notifications(&self, shown: &str) -> (Vec<String>, String) {
        let today = self.today.to_string();
        let mut record: Vec<String> = shown
            .lines()
            .filter(|l| l.rsplit('|').next() == Some(today.as_str()))
            .map(str::to_string)
            .collect();
        let mut texts = Vec::new();
        if self.reminders == Reminders::On {
            for i in self.timeline() {
                if i.status.state == TaskState::Upcoming {
                    continue;
                }
                let line = format!("{}|{}|{today}", i.owned, i.status.task);
                if !record.contains(&line) {
                    texts.push(format!("{}: {}", i.product_name, i.status.title));
                    record.push(line);
                }
            }
        }
        (texts, record.join("\n"))
    }
}

/// The citation under an answer: "Source: title (E08) — document, section".
pub fn source_line(lang: Lang, src: &doppel_concierge::search::Source) -> String {
    let mut line = format!("{}: {}", t(lang, Txt::Source), src.title);
    if src.kind == doppel_concierge::search::EntryKind::ErrorCode && !src.title.contains(&src.id) {
        line.push_str(&format!(" ({})", src.id));
    }
    if let Some(r) = &src.reference {
        line.push_str(&format!(" — {}", r.document));
        if let Some(section) = &r.section {
            line.push_str(&format!(", {section}"));
        }
    }
    line
}

/// A `data:` URL for a download link (no Blob needed; the user's click saves it).
pub fn data_url(file: &DownloadFile) -> String {
    format!(
        "data:{};charset=utf-8,{}",
        file.mime,
        report::percent_encode(&file.content)
    )
}

#[cfg(target_arch = "wasm32")]
pub use view::{Concierge, ConciergeApp, ConciergeProps};

#[cfg(target_arch = "wasm32")]
mod view {
    use super::*;
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use web_sys::{HtmlDialogElement, HtmlInputElement, HtmlSelectElement};
    use yew::prelude::*;

    /// Properties of [`Concierge`].
    #[derive(Properties, PartialEq, Clone)]
    pub struct ConciergeProps {
        /// Language of the view (the app's language).
        pub lang: UiLang,
        /// Pack names to install from `/packs/<name>/` (default: [`DEFAULT_PACKS`]).
        #[prop_or_else(|| DEFAULT_PACKS.iter().map(|s| s.to_string()).collect())]
        pub packs: Vec<String>,
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    fn get(key: &str) -> Option<String> {
        storage()?.get_item(key).ok().flatten()
    }

    fn set(key: &str, value: &str) -> bool {
        storage().is_some_and(|s| s.set_item(key, value).is_ok())
    }

    /// The stored profile and a message when it had to be restored or was unreadable; an
    /// unreadable copy is kept aside under [`DAMAGED_KEY`] before any save overwrites it.
    fn load_profile(lang: Lang) -> (Profile, Option<String>) {
        let primary = get(STORAGE_KEY);
        let backup = get(BACKUP_KEY);
        let (profile, message) = load_stored(primary.as_deref(), backup.as_deref(), lang);
        if let Some(bad) = primary.filter(|p| Profile::load(p).is_err()) {
            set(DAMAGED_KEY, &bad);
        }
        (profile, message)
    }

    /// Writes the profile, reads it back, and only then refreshes the backup copy, so a
    /// failed or torn write never loses the previous state.
    fn save_profile(p: &Profile) {
        let text = p.save();
        // A full quota only loses this write; the previous copy stays.
        if set(STORAGE_KEY, &text)
            && get(STORAGE_KEY).is_some_and(|back| back == text && Profile::load(&back).is_ok())
        {
            set(BACKUP_KEY, &text);
        }
    }

    /// The browser's Notification permission (`"granted"`, `"denied"`, `"default"`), or
    /// `None` where there is no Notification API.
    fn permission() -> Option<String> {
        let n = js_sys::Reflect::get(&js_sys::global(), &"Notification".into()).ok()?;
        if n.is_undefined() {
            return None;
        }
        js_sys::Reflect::get(&n, &"permission".into())
            .ok()?
            .as_string()
    }

    /// The reminder state at start: on only if the user opted in and permission stands.
    fn stored_reminders() -> Reminders {
        if get(REMINDERS_KEY).as_deref() != Some("on") {
            return Reminders::Off;
        }
        match permission().as_deref() {
            Some("granted") => Reminders::On,
            Some("denied") => Reminders::Denied,
            _ => Reminders::Off,
        }
    }

    /// Shows today's not-yet-shown reminders (browsers cannot schedule a notification
    /// without a push server, which doppel does not use: reminders fire when the app opens).
    fn notify_due(s: &ConciergeState) {
        let (texts, record) = s.due_notifications(&get(NOTIFIED_KEY).unwrap_or_default());
        if !texts.is_empty() {
            notify(&texts, t(s.lang, Txt::Care));
            set(NOTIFIED_KEY, &record);
        }
    }

    fn today() -> Date {
        let ms = js_sys::Date::now();
        Date::from_days((ms / 86_400_000.0).floor() as i64)
    }

    async fn fetch_pack(name: String) -> Result<Pack, String> {
        let mut files = Vec::new();
        for (file, url) in pack_urls(&name) {
            match crate::net::fetch_bytes(&url).await {
                Ok(bytes) => files.push((
                    file.to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                )),
                // Optional files may be absent (404); the loader names missing required ones.
                Err(e) if e.contains("HTTP 404") => {}
                Err(e) => return Err(e),
            }
        }
        Pack::from_files(&files).map_err(|e| format!("{name}: {e}"))
    }

    /// Asks the browser for Notification permission (called from a click only) and
    /// reports whether it was granted.
    async fn request_permission() -> bool {
        let Some(n) = js_sys::Reflect::get(&js_sys::global(), &"Notification".into())
            .ok()
            .filter(|v| !v.is_undefined())
        else {
            return false;
        };
        let Ok(f) = js_sys::Reflect::get(&n, &"requestPermission".into()) else {
            return false;
        };
        let Ok(f) = f.dyn_into::<js_sys::Function>() else {
            return false;
        };
        let Ok(p) = f.call0(&n) else { return false };
        let Ok(p) = p.dyn_into::<js_sys::Promise>() else {
            return false;
        };
        wasm_bindgen_futures::JsFuture::from(p)
            .await
            .ok()
            .and_then(|v| v.as_string())
            .is_some_and(|s| s == "granted")
    }

    fn notify(texts: &[String], title: &str) {
        let Ok(n) = js_sys::Reflect::get(&js_sys::global(), &"Notification".into()) else {
            return;
        };
        let Ok(ctor) = n.dyn_into::<js_sys::Function>() else {
            return;
        };
        for body in texts {
            let opts = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&opts, &"body".into(), &body.into());
            let args = js_sys::Array::of2(&title.into(), &opts);
            let _ = js_sys::Reflect::construct(&ctor, &args);
        }
    }

    fn input_value(e: &Event) -> String {
        e.target_dyn_into::<HtmlInputElement>()
            .map(|i| i.value())
            .unwrap_or_default()
    }

    /// The concierge app mounted by `start_concierge`: the language comes from `?lang=`,
    /// else the browser.
    #[function_component(ConciergeApp)]
    pub fn concierge_app() -> Html {
        let lang = crate::bridge::from_location().lang;
        html! { <Concierge {lang} /> }
    }

    /// The concierge tab: My products, care timeline, ask box, reminders, reports.
    #[function_component(Concierge)]
    pub fn concierge(props: &ConciergeProps) -> Html {
        let lang = lang_of(props.lang);
        let state = use_mut_ref(|| {
            let (profile, message) = load_profile(lang);
            let mut s = ConciergeState::new(Vec::new(), profile, today(), lang);
            s.error = message;
            s.reminders = stored_reminders();
            s
        });
        let dialog = use_node_ref();
        {
            // The report dialog is modal (focus inside, Escape closes) once it is rendered.
            let dialog = dialog.clone();
            use_effect(move || {
                if let Some(d) = dialog.cast::<HtmlDialogElement>()
                    && !d.open()
                {
                    let _ = d.show_modal();
                }
            });
        }
        let version = use_state(|| 0u32);
        let loading = use_state(|| true);
        let code = use_state(String::new);
        let purchased = use_state(String::new);
        let question = use_state(String::new);
        // The owned product a question is about ("": every installed pack).
        let about = use_state(String::new);
        let redraw = {
            let version = version.clone();
            Rc::new(move || version.set(*version + 1))
        };
        state.borrow_mut().lang = lang;
        {
            let state = state.clone();
            let loading = loading.clone();
            let names = props.packs.clone();
            use_effect_with(names, move |names| {
                let names = names.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let mut packs = Vec::new();
                    let mut errors = Vec::new();
                    for n in names {
                        match fetch_pack(n).await {
                            Ok(p) => packs.push(p),
                            Err(e) => errors.push(e),
                        }
                    }
                    let mut s = state.borrow_mut();
                    s.set_packs(packs);
                    if !errors.is_empty() {
                        s.error = Some(errors.join("\n"));
                    }
                    notify_due(&s);
                    loading.set(false);
                });
            });
        }
        let s = state.borrow();
        let persist = {
            let state = state.clone();
            let redraw = redraw.clone();
            move || {
                save_profile(&state.borrow().profile);
                redraw();
            }
        };

        let on_add = {
            let (state, code, purchased, persist) = (
                state.clone(),
                code.clone(),
                purchased.clone(),
                persist.clone(),
            );
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                let added = state.borrow_mut().add(&code, &purchased);
                if added.is_some() {
                    code.set(String::new());
                }
                persist();
            })
        };
        let on_ask = {
            let (state, question, redraw) = (state.clone(), question.clone(), redraw.clone());
            let about = about.clone();
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                let owned = Some(about.as_str()).filter(|a| !a.is_empty());
                state.borrow_mut().ask(owned, &question);
                redraw();
            })
        };
        let on_remind = {
            let (state, redraw) = (state.clone(), redraw.clone());
            Callback::from(move |_: MouseEvent| {
                let (next, request) = state.borrow().reminders.toggle();
                state.borrow_mut().reminders = next;
                set(REMINDERS_KEY, if request { "on" } else { "off" });
                redraw();
                if request {
                    let (state, redraw) = (state.clone(), redraw.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        let granted = request_permission().await;
                        {
                            let mut s = state.borrow_mut();
                            s.reminders = s.reminders.answered(granted);
                            notify_due(&s);
                        }
                        redraw();
                    });
                }
            })
        };

        let cards = s.cards();
        let card_html = cards.iter().map(|c| {
            let remove = {
                let (state, id, persist) = (state.clone(), c.owned.clone(), persist.clone());
                Callback::from(move |_: MouseEvent| {
                    state.borrow_mut().remove(&id);
                    persist();
                })
            };
            let open = |kind: ReportKind| {
                let (state, id, redraw) = (state.clone(), c.owned.clone(), redraw.clone());
                Callback::from(move |_: MouseEvent| {
                    state.borrow_mut().open_report(&id, kind);
                    redraw();
                })
            };
            let counters = c.counters.iter().map(|(counter, label)| {
                let (state, id, name, persist) = (state.clone(), c.owned.clone(), counter.clone(), persist.clone());
                let onchange = Callback::from(move |e: Event| {
                    let v = input_value(&e);
                    state.borrow_mut().record_usage(&id, &name, &v);
                    persist();
                });
                html! {
                    <label class="doppel-counter">{ format!("{}: {label}", t(lang, Txt::Counter)) }
                        <input inputmode="decimal" {onchange} data-counter={counter.clone()} />
                    </label>
                }
            });
            let row = |k: Txt, v: Option<String>| v.map(|v| html! { <><dt>{ t(lang, k) }</dt><dd>{ v }</dd></> });
            html! {
                <article class="doppel-card" data-owned={c.owned.clone()}>
                    <h3>{ &c.name }</h3>
                    <dl>
                        { row(Txt::Model, Some(c.model.clone())) }
                        { row(Txt::Serial, c.serial.clone()) }
                        { row(Txt::Produced, c.production_date.map(|d| d.to_string())) }
                        { row(Txt::Plant, c.plant.clone()) }
                        { row(Txt::WarrantyUntil, c.warranty_until.map(|d| d.to_string())) }
                    </dl>
                    { for counters }
                    <button type="button" onclick={open(ReportKind::Diagnostic)}>{ t(lang, Txt::Report) }</button>
                    <button type="button" onclick={open(ReportKind::Callback)}>{ t(lang, Txt::Callback) }</button>
                    <button type="button" onclick={remove}>{ t(lang, Txt::Remove) }</button>
                </article>
            }
        });

        let timeline = s.timeline().into_iter().map(|item| {
            let (label, class) = match item.status.state {
                TaskState::Overdue => (t(lang, Txt::Overdue), "overdue"),
                TaskState::Due => (t(lang, Txt::Due), "due"),
                _ => (t(lang, Txt::Upcoming), "upcoming"),
            };
            let done = {
                let (state, id, task, persist) = (state.clone(), item.owned.clone(), item.status.task.clone(), persist.clone());
                Callback::from(move |_: MouseEvent| {
                    state.borrow_mut().log_care(&id, &task);
                    persist();
                })
            };
            html! {
                <li class={classes!("doppel-task", class)}>
                    <strong>{ format!("{} – {}", item.product_name, item.status.title) }</strong>
                    { format!(" ({label}{})", item.status.due_date.map(|d| format!(", {d}")).unwrap_or_default()) }
                    <button type="button" onclick={done}>{ t(lang, Txt::DoneToday) }</button>
                </li>
            }
        });

        // The entries an answer offers to pick from: its runners-up ("Related topics"), or
        // the closest entries when nothing fitted ("Did you mean …?").
        let offered = || -> Html {
            let Some(a) = s.answer.as_ref().filter(|a| !a.alternatives.is_empty()) else {
                return Html::default();
            };
            let heading = if a.answer.is_some() {
                Txt::Related
            } else {
                Txt::DidYouMean
            };
            let items = a.alternatives.iter().enumerate().map(|(k, alt)| {
                let (state, redraw) = (state.clone(), redraw.clone());
                let onclick = Callback::from(move |_: MouseEvent| {
                    state.borrow_mut().choose(k);
                    redraw();
                });
                let current = (s.chosen == Some(k)).then_some("true");
                html! {
                    <li><button type="button" class="doppel-alternative" data-entry={alt.id.clone()}
                        aria-current={current} {onclick}>{ alt.title.clone() }</button></li>
                }
            });
            html! {
                <div class="doppel-alternatives">
                    <p>{ t(lang, heading) }</p>
                    <ul>{ for items }</ul>
                </div>
            }
        };
        let answer = s.answer.as_ref().map(|a| match (&a.answer, &a.source) {
            (Some(text), Some(src)) => html! {
                <section class="doppel-answer" aria-live="polite" data-asked={s.asked.to_string()}>
                    <p>{ text }</p>
                    // Error answers already list their steps in the text.
                    if !a.steps.is_empty() && !a.steps.iter().all(|x| text.contains(x.as_str())) {
                        <ol>{ for a.steps.iter().map(|x| html! { <li>{ x }</li> }) }</ol>
                    }
                    if let Some(cs) = &a.call_service { <p>{ cs }</p> }
                    <p class="doppel-source" data-source={src.id.clone()}>{ source_line(lang, src) }</p>
                </section>
            },
            _ => html! {
                <section class="doppel-answer" aria-live="polite" data-asked={s.asked.to_string()}>
                    <p>{ t(lang, Txt::NoAnswer) }</p>
                    if let Some(first) = cards.first() {
                        <button type="button" onclick={{
                            let (state, id, redraw) = (state.clone(), first.owned.clone(), redraw.clone());
                            Callback::from(move |_: MouseEvent| {
                                state.borrow_mut().open_report(&id, ReportKind::Diagnostic);
                                redraw();
                            })
                        }}>{ t(lang, Txt::OfferMessage) }</button>
                    }
                </section>
            },
        });

        let dialog = s.draft.as_ref().map(|d| {
            let boxes = s.offered_fields().into_iter().map(|f| {
                let (state, redraw) = (state.clone(), redraw.clone());
                let onchange = Callback::from(move |_: Event| {
                    if let Some(d) = state.borrow_mut().draft.as_mut() {
                        d.toggle(f);
                    }
                    redraw();
                });
                html! {
                    <label><input type="checkbox" checked={d.chosen.contains(&f)} {onchange} />{ field_label(lang, f) }</label>
                }
            });
            let text_input = |label: &'static str, value: String, set: fn(&mut ReportDraft, String)| {
                let (state, redraw) = (state.clone(), redraw.clone());
                let oninput = Callback::from(move |e: InputEvent| {
                    let v = e.target_dyn_into::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
                    if let Some(d) = state.borrow_mut().draft.as_mut() {
                        set(d, v);
                    }
                    redraw();
                });
                html! { <label>{ label }<input {value} {oninput} /></label> }
            };
            let preview = s.preview();
            let links = preview.as_ref().ok().map(|p| {
                let file = s.download(p);
                html! {
                    <p>
                        if let Some(m) = s.mailto(p) { <a href={m}>{ t(lang, Txt::Email) }</a>{ " " } }
                        <a href={data_url(&file)} download={file.file_name.clone()}>{ t(lang, Txt::Download) }</a>
                    </p>
                }
            });
            let close = {
                let dialog = dialog.clone();
                Callback::from(move |_: MouseEvent| {
                    // Closing fires `close`, which drops the draft (as Escape does).
                    if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                        d.close();
                    }
                })
            };
            let onclose = {
                let (state, redraw) = (state.clone(), redraw.clone());
                Callback::from(move |_: Event| {
                    state.borrow_mut().draft = None;
                    redraw();
                })
            };
            let title = match d.kind {
                Some(ReportKind::Callback) => t(lang, Txt::Callback),
                _ => t(lang, Txt::Report),
            };
            html! {
                <dialog ref={dialog.clone()} class="doppel-report" aria-label={title} {onclose}>
                    <h3>{ title }</h3>
                    <p>{ t(lang, Txt::Choose) }</p>
                    { for boxes }
                    { text_input(field_label(lang, Field::Message), d.message.clone(), |d, v| d.message = v) }
                    { text_input("E-Mail", d.contact.email.clone().unwrap_or_default(), |d, v| d.contact.email = Some(v).filter(|s| !s.trim().is_empty())) }
                    if d.kind == Some(ReportKind::Callback) {
                        { text_input(field_label(lang, Field::CallbackWindow), d.callback_window.clone(), |d, v| d.callback_window = v) }
                    }
                    <p>{ t(lang, Txt::Preview) }</p>
                    <pre class="doppel-payload">{ match &preview { Ok(p) => p.json.clone(), Err(e) => e.clone() } }</pre>
                    { links.unwrap_or_default() }
                    <button type="button" onclick={close} aria-label={t(lang, Txt::Close)}>{ "×" }</button>
                </dialog>
            }
        });

        let reminders_label = match s.reminders {
            Reminders::Denied => Some(t(lang, Txt::RemindDenied)),
            _ => None,
        };
        html! {
            <section class="doppel-concierge" lang={lang.code()}>
                <h2>{ t(lang, Txt::MyProducts) }</h2>
                if *loading { <p role="status">{ t(lang, Txt::Loading) }</p> }
                <form onsubmit={on_add}>
                    <label>{ t(lang, Txt::AddLabel) }
                        <input value={(*code).clone()} placeholder={t(lang, Txt::AddHint)}
                            oninput={{ let code = code.clone(); Callback::from(move |e: InputEvent| code.set(e.target_dyn_into::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default())) }} />
                    </label>
                    <label>{ t(lang, Txt::Purchased) }
                        <input type="date" value={(*purchased).clone()}
                            onchange={{ let purchased = purchased.clone(); Callback::from(move |e: Event| purchased.set(input_value(&e))) }} />
                    </label>
                    <button type="submit">{ t(lang, Txt::Add) }</button>
                </form>
                if let Some(e) = &s.error { <p class="doppel-error" role="alert">{ e }</p> }
                if cards.is_empty() { <p>{ t(lang, Txt::NoProducts) }</p> }
                { for card_html }
                <h2>{ t(lang, Txt::Care) }</h2>
                <label><input type="checkbox" checked={matches!(s.reminders, Reminders::On | Reminders::Asking)} onclick={on_remind} />{ t(lang, Txt::Remind) }</label>
                if let Some(l) = reminders_label { <p>{ l }</p> }
                <ul class="doppel-timeline">{ for timeline }</ul>
                <form onsubmit={on_ask}>
                    if !cards.is_empty() {
                        <label>{ t(lang, Txt::About) }
                            <select name="about" onchange={{ let about = about.clone(); Callback::from(move |e: Event| about.set(e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default())) }}>
                                <option value="" selected={about.is_empty()}>{ t(lang, Txt::AllProducts) }</option>
                                { for cards.iter().map(|c| html! {
                                    <option value={c.owned.clone()} selected={*about == c.owned}>{ c.name.clone() }</option>
                                }) }
                            </select>
                        </label>
                    }
                    <label>{ t(lang, Txt::Ask) }
                        <input value={(*question).clone()} placeholder={t(lang, Txt::AskHint)}
                            oninput={{ let question = question.clone(); Callback::from(move |e: InputEvent| question.set(e.target_dyn_into::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default())) }} />
                    </label>
                    <button type="submit">{ t(lang, Txt::Ask) }</button>
                </form>
                { answer.unwrap_or_default() }
                // Outside the live region: a new answer is read out without its offers.
                { offered() }
                { dialog.unwrap_or_default() }
            </section>
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is a test failure
    use super::*;
    use doppel_concierge::samples;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn state(today: &str, lang: Lang) -> ConciergeState {
        let packs = samples::SAMPLE_PACKS
            .iter()
            .map(|n| samples::sample(n).unwrap())
            .collect();
        ConciergeState::new(packs, Profile::default(), d(today), lang)
    }

    #[test]
    fn pack_urls_cover_every_pack_file() {
        let urls = pack_urls("bohnenwerk");
        assert_eq!(urls.len(), PACK_FILES.len());
        assert!(
            urls.iter()
                .any(|(f, u)| *f == "faq.json" && u == "/packs/bohnenwerk/faq.json")
        );
    }

    #[test]
    fn add_identifies_and_shows_a_card_then_remove() {
        let mut s = state("2025-03-02", Lang::En);
        let id = s.add("BWBO2410L00042", "2025-01-20").unwrap();
        assert!(s.error.is_none());
        let cards = s.cards();
        assert_eq!(cards.len(), 1);
        let c = &cards[0];
        assert_eq!(c.owned, id);
        assert_eq!(c.serial.as_deref(), Some("BWBO2410L00042"));
        // Production date from the serial rule, warranty from the purchase date.
        assert!(c.production_date.is_some_and(|p| p < d("2025-01-20")));
        assert!(c.warranty_until.is_some_and(|w| w > d("2025-01-20")));
        // A second unit of the same product gets its own id.
        let id2 = s.add("BWBO2410L00043", "").unwrap();
        assert_ne!(id, id2);
        s.remove(&id);
        assert_eq!(s.cards().len(), 1);
    }

    #[test]
    fn bad_codes_and_dates_are_inline_errors() {
        let mut s = state("2025-03-02", Lang::De);
        assert!(s.add("(01)4260999810013", "").is_none());
        assert!(s.error.as_ref().is_some_and(|e| !e.is_empty()));
        assert!(s.add("BWBO2410L00042", "2025-02-30").is_none());
        assert!(s.error.as_ref().unwrap().contains("Gekauft am"));
        assert!(s.add("BWBO2410L00042", "2030-01-01").is_none());
        assert!(s.error.as_ref().unwrap().contains("Zukunft"));
        assert!(s.profile.owned.is_empty());
    }

    #[test]
    fn counters_never_run_backwards() {
        let mut s = state("2025-03-02", Lang::En);
        let id = s.add("BWBO2410L00042", "2025-01-20").unwrap();
        assert!(s.record_usage(&id, "water_l", "58"));
        assert!(!s.record_usage(&id, "water_l", "40"));
        assert!(s.error.is_some());
        assert!(!s.record_usage(&id, "water_l", "abc"));
        assert!(s.error.as_ref().unwrap().contains("not a number"));
        // The failed readings changed nothing.
        assert_eq!(
            s.profile.owned(&id).unwrap().current_usage()["water_l"],
            58.0
        );
    }

    #[test]
    fn timeline_orders_overdue_first_and_done_clears_a_task() {
        let mut s = state("2025-09-01", Lang::En);
        let id = s.add("BWBO2410L00042", "2025-01-20").unwrap();
        let tl = s.timeline();
        assert!(!tl.is_empty());
        let ranks: Vec<u8> = tl
            .iter()
            .map(|i| match i.status.state {
                TaskState::Overdue => 0,
                TaskState::Due => 1,
                _ => 2,
            })
            .collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
        let first = tl[0].clone();
        assert_eq!(first.status.state, TaskState::Overdue);
        assert!(s.log_care(&id, &first.status.task));
        assert!(
            !s.timeline()
                .iter()
                .any(|i| i.status.task == first.status.task && i.status.state == TaskState::Overdue)
        );
    }

    #[test]
    fn reminders_ask_only_on_click_and_only_when_on() {
        let mut s = state("2025-09-01", Lang::En);
        s.add("BWBO2410L00042", "2025-01-20").unwrap();
        assert!(s.reminder_texts().is_empty(), "off by default");
        let (next, request) = s.reminders.toggle();
        assert_eq!((next, request), (Reminders::Asking, true));
        s.reminders = next.answered(false);
        assert_eq!(s.reminders, Reminders::Denied);
        assert!(s.reminder_texts().is_empty());
        s.reminders = s.reminders.toggle().0.answered(true);
        assert_eq!(s.reminders, Reminders::On);
        assert!(!s.reminder_texts().is_empty());
        assert_eq!(s.reminders.toggle(), (Reminders::Off, false));
    }

    #[test]
    fn ask_is_deterministic_and_cites_its_source() {
        let mut s = state("2025-03-02", Lang::De);
        let id = s.add("BWBO2410L00042", "").unwrap();
        s.ask(Some(&id), "Was bedeutet Fehler 8?");
        let a = s.answer.clone().unwrap();
        assert_eq!(a.source.as_ref().map(|x| x.id.as_str()), Some("E08"));
        let line = source_line(Lang::De, a.source.as_ref().unwrap());
        assert!(
            line.starts_with("Quelle: ") && line.contains("E08"),
            "{line}"
        );
        s.ask(Some(&id), "Was bedeutet Fehler 8?");
        assert_eq!(s.answer.as_ref(), Some(&a));
        s.ask(None, "   ");
        assert!(s.answer.is_none() && s.error.is_some());
    }

    /// An offered entry is shown from the pack that offered it: a runner-up of a fashion
    /// answer is a fashion entry, cited like an asked one; the offers stay to compare.
    #[test]
    fn choosing_an_offered_entry_shows_its_answer() {
        let mut s = state("2025-03-02", Lang::En);
        s.ask(None, "Will the T-shirt shrink in the wash?");
        let a = s.answer.clone().unwrap();
        let asked = s.asked;
        let alt = a.alternatives.first().cloned().expect("a runner-up");
        s.choose(0);
        let b = s.answer.clone().unwrap();
        assert_eq!(
            b.source.as_ref().map(|x| x.id.as_str()),
            Some(alt.id.as_str())
        );
        assert!(b.answer.is_some());
        assert_eq!(b.matched_by, "chosen");
        assert_eq!(b.alternatives, a.alternatives);
        assert_eq!(s.chosen, Some(0));
        assert_eq!(s.asked, asked.wrapping_add(1));
        // An index past the offers changes nothing.
        s.choose(99);
        assert_eq!(s.answer.as_ref(), Some(&b));
        // A reload of the packs drops the answer and its offers.
        let packs = s.packs.clone();
        s.set_packs(packs);
        assert!(s.answer.is_none() && s.answer_pack.is_none() && s.chosen.is_none());
        s.choose(0);
        assert!(s.answer.is_none());
    }

    /// A turned-away question offers the closest entries; picking one answers it.
    #[test]
    fn a_turned_away_question_offers_entries_to_pick() {
        let mut s = state("2025-03-02", Lang::En);
        // Near several entries at once and weak: no answer, but offers.
        s.ask(None, "my coffee thing is weird");
        let a = s.answer.clone().unwrap();
        assert!(a.answer.is_none(), "{a:?}");
        let first = a.alternatives.first().cloned().expect("an offer");
        s.choose(0);
        let b = s.answer.clone().unwrap();
        assert!(b.answer.is_some());
        assert_eq!(b.source.map(|x| x.id), Some(first.id));
    }

    /// With no product chosen every pack is asked: a clothing question finds the fashion
    /// pack's entry, an error code still the coffee machine's.
    #[test]
    fn ask_without_a_product_searches_every_pack() {
        let mut s = state("2025-03-02", Lang::En);
        s.ask(None, "Will the T-shirt shrink in the wash?");
        let a = s.answer.clone().unwrap();
        assert_eq!(a.source.as_ref().map(|x| x.id.as_str()), Some("shrinkage"));
        s.ask(None, "what does error 8 mean");
        let b = s.answer.clone().unwrap();
        assert_eq!(b.source.as_ref().map(|x| x.id.as_str()), Some("E08"));
        s.ask(None, "Will the T-shirt shrink in the wash?");
        assert_eq!(s.answer.as_ref(), Some(&a));
    }

    #[test]
    fn report_payload_holds_exactly_the_ticked_fields() {
        let mut s = state("2025-03-02", Lang::En);
        let id = s.add("BWBO2410L00042", "2025-01-20").unwrap();
        assert!(s.record_usage(&id, "water_l", "12"));
        s.open_report(&id, ReportKind::Diagnostic);
        // Nothing ticked: no payload.
        assert!(s.preview().is_err());
        let serial = "BWBO2410L00042";
        s.draft.as_mut().unwrap().toggle(Field::Product);
        let p = s.preview().unwrap();
        assert!(!p.json.contains(serial), "serial not ticked: {}", p.json);
        assert!(!p.json.contains("water_l"));
        s.draft.as_mut().unwrap().toggle(Field::Serial);
        let p = s.preview().unwrap();
        assert!(p.json.contains(serial));
        assert!(!p.json.contains("water_l"));
        // Unticking removes it again.
        s.draft.as_mut().unwrap().toggle(Field::Serial);
        assert!(!s.preview().unwrap().json.contains(serial));
        let file = s.download(&p);
        assert!(data_url(&file).starts_with("data:"));
        if let Some(m) = s.mailto(&p) {
            assert!(m.starts_with("mailto:"));
        }
        // Callbacks offer a time field that reports do not.
        assert!(!s.offered_fields().contains(&Field::CallbackWindow));
        s.open_report(&id, ReportKind::Callback);
        assert!(s.offered_fields().contains(&Field::CallbackWindow));
        s.remove(&id);
        assert!(s.draft.is_none());
    }

    #[test]
    fn a_damaged_profile_is_restored_from_the_backup_or_named() {
        let mut s = state("2025-03-02", Lang::En);
        s.add("BWBO2410L00042", "").unwrap();
        let good = s.profile.save();
        let (p, msg) = load_stored(Some(&good), None, Lang::En);
        assert_eq!((p.owned.len(), msg), (1, None));
        // Damaged primary, good backup: the backup, with a message.
        let (p, msg) = load_stored(Some("{not json"), Some(&good), Lang::En);
        assert_eq!(p.owned.len(), 1);
        assert!(msg.unwrap().contains("backup copy was restored"));
        // Both damaged: empty, and the message says the data was kept aside.
        let (p, msg) = load_stored(Some("{not json"), Some("[]"), Lang::De);
        assert!(p.owned.is_empty());
        assert!(msg.unwrap().contains("beiseitegelegt"));
        // Nothing stored yet: empty, no message.
        let (p, msg) = load_stored(None, None, Lang::En);
        assert!(p.owned.is_empty() && msg.is_none());
    }

    #[test]
    fn due_reminders_notify_once_a_day() {
        let mut s = state("2025-09-01", Lang::En);
        s.add("BWBO2410L00042", "2025-01-20").unwrap();
        assert!(s.due_notifications("").0.is_empty(), "off by default");
        s.reminders = Reminders::On;
        let (texts, record) = s.due_notifications("");
        assert!(!texts.is_empty());
        assert!(texts.iter().any(|t| t.contains("Descaling")), "{texts:?}");
        // Opening the app again the same day shows nothing new.
        let (again, same) = s.due_notifications(&record);
        assert!(again.is_empty());
        assert_eq!(same, record);
        // The next day the still-due tasks notify again, and yesterday's lines are dropped.
        s.today = d("2025-09-02");
        let (next, record2) = s.due_notifications(&record);
        assert_eq!(next.len(), texts.len());
        assert!(record2.lines().all(|l| l.ends_with("2025-09-02")));
    }
}
