//! German and English texts of the widget. One `match` per text keeps both languages side
//! by side, so a missing translation is a compile error rather than a blank label.

/// Language of the widget's texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Deutsch.
    De,
    /// English.
    #[default]
    En,
}

impl Lang {
    /// Parses a language tag (`de`, `de-AT`, `en-GB`, …); anything not German is English.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("de") {
            Lang::De
        } else {
            Lang::En
        }
    }

    /// The BCP 47 code for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    /// The text for `key` in this language.
    pub fn t(self, key: Text) -> &'static str {
        let (de, en) = key.pair();
        match self {
            Lang::De => de,
            Lang::En => en,
        }
    }

    /// Formats a number with the language's decimal separator.
    pub fn num(self, v: f64, decimals: usize) -> String {
        let s = format!("{v:.decimals$}");
        match self {
            Lang::De => s.replace('.', ","),
            Lang::En => s,
        }
    }
}

/// Every fixed text of the widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)] // The variant names say what they are; the texts are below.
pub enum Text {
    Title,
    Intro,
    Sex,
    Choose,
    Female,
    Male,
    Age,
    Height,
    Weight,
    Units,
    Metric,
    Imperial,
    Submit,
    Refine,
    RefineHint,
    Chest,
    Bust,
    Waist,
    Hip,
    Inseam,
    Neck,
    HowChest,
    HowBust,
    HowWaist,
    HowHip,
    HowInseam,
    HowNeck,
    Predicted,
    Required,
    NotANumber,
    AllowedRange,
    Recommended,
    Confidence,
    OtherSizes,
    UseSize,
    SizeSent,
    SizeSaved,
    Building,
    LoadingCatalog,
    NoProduct,
    UnknownProduct,
    CatalogFailed,
    ModelFailed,
    WrongSex,
    Privacy,
    ForgetMe,
    Forgotten,
    StoredLocally,
    Years,
    StorageBlocked,
    CutFor,
    FitPref,
    Snug,
    Regular,
    Loose,
    ChosenSize,
    ToShop,
    ToEmail,
    ToAnyone,
    ShareHeader,
    ShareSubject,
    Share,
    ShareTitle,
    ShareFields,
    ShareRecipient,
    SharePreview,
    ShareNothing,
    ShareShopOnly,
    SendEmail,
    SendShare,
    Copy,
    Copied,
    Cancel,
    Close,
    Ledger,
    LedgerEmpty,
    MyDouble,
    SaveFile,
    LoadFile,
    MakeLink,
    Passphrase,
    PassphraseHint,
    LinkReady,
    OpenLink,
    PasteLink,
    Load,
    Ignore,
    LinkFound,
    LinkFoundEnc,
    Imported,
    FileSaved,
    LinkMade,
    Front,
    Side,
    Back,
    ResetView,
    SeeThrough,
    FitMap,
    Compare,
    Tighter,
    Looser,
    LegendTitle,
    ViewLabel,
    Views,
    Starting3d,
    No3d,
    CompareWith,
    CompareOff,
    Draping,
    DrapeFailed,
    Fits,
}

impl Text {
    fn pair(self) -> (&'static str, &'static str) {
        use Text::*;
        match self {
            Title => ("Finde deine Größe", "Find your size"),
            Intro => (
                "Vier Angaben genügen. Alles bleibt auf diesem Gerät.",
                "Four answers are enough. Everything stays on this device.",
            ),
            Sex => ("Körperbau", "Body type"),
            Choose => ("bitte wählen", "please choose"),
            Female => ("weiblich", "female"),
            Male => ("männlich", "male"),
            Age => ("Alter", "Age"),
            Height => ("Größe", "Height"),
            Weight => ("Gewicht", "Weight"),
            Units => ("Einheiten", "Units"),
            Metric => ("cm / kg", "cm / kg"),
            Imperial => ("in / lb", "in / lb"),
            Submit => ("Größe zeigen", "Show my size"),
            Refine => ("Genauer mit Maßband", "Refine with a tape measure"),
            RefineHint => (
                "Optional. Leere Felder schätzt doppel; du kannst jede Schätzung überschreiben.",
                "Optional. doppel estimates empty fields; you can override any estimate.",
            ),
            Chest => ("Brustumfang", "Chest"),
            Bust => ("Brustumfang", "Bust"),
            Waist => ("Taillenumfang", "Waist"),
            Hip => ("Hüftumfang", "Hip"),
            Inseam => ("Innenbeinlänge", "Inside leg"),
            Neck => ("Halsumfang", "Neck"),
            HowChest => (
                "Waagrecht um die kräftigste Stelle der Brust, unter den Achseln, locker einatmen.",
                "Level around the fullest part of the chest, under the arms, breathing normally.",
            ),
            HowBust => (
                "Waagrecht über die vollste Stelle der Brust, Maßband nicht straff ziehen.",
                "Level around the fullest part of the bust; keep the tape snug, not tight.",
            ),
            HowWaist => (
                "Waagrecht in Höhe des Bauchnabels, entspannt stehen.",
                "Level at the navel, standing relaxed.",
            ),
            HowHip => (
                "Waagrecht um die stärkste Stelle des Gesäßes, Füße zusammen.",
                "Level around the fullest part of the seat, feet together.",
            ),
            HowInseam => (
                "Vom Schritt innen am Bein gerade bis zum Boden, ohne Schuhe.",
                "From the crotch straight down the inside of the leg to the floor, no shoes.",
            ),
            HowNeck => (
                "Um den Halsansatz, ein Finger Platz unter dem Maßband.",
                "Around the base of the neck, one finger under the tape.",
            ),
            Predicted => ("geschätzt", "estimated"),
            Required => ("Bitte ausfüllen.", "Please fill this in."),
            NotANumber => ("Bitte eine Zahl eingeben.", "Please enter a number."),
            AllowedRange => ("Erlaubt:", "Allowed:"),
            Recommended => ("Empfohlene Größe", "Recommended size"),
            Confidence => ("Sicherheit", "Confidence"),
            OtherSizes => ("Andere Größe ansehen", "Try another size"),
            UseSize => ("Diese Größe nehmen", "Use this size"),
            SizeSent => ("Größe an den Shop übergeben.", "Size passed to the shop."),
            SizeSaved => ("Größe gemerkt.", "Size saved."),
            Building => ("Dein Doppel entsteht …", "Building your double…"),
            LoadingCatalog => ("Lade Artikeldaten …", "Loading product data…"),
            NoProduct => (
                "Kein Artikel gewählt: doppel zeigt nur dein Doppel.",
                "No product chosen: doppel shows just your double.",
            ),
            UnknownProduct => (
                "Diesen Artikel kennt der Katalog nicht:",
                "The catalog does not list this product:",
            ),
            CatalogFailed => (
                "Der Katalog konnte nicht geladen werden:",
                "The catalog could not be loaded:",
            ),
            ModelFailed => (
                "Das Körpermodell konnte nicht geladen werden:",
                "The body model could not be loaded:",
            ),
            WrongSex => (
                "Dieser Artikel ist für einen anderen Körperbau geschnitten; die Empfehlung passt nicht.",
                "This product is cut for the other body type, so no size can be recommended.",
            ),
            Privacy => ("Datenschutz", "Privacy"),
            ForgetMe => ("Vergiss mich", "Forget me"),
            Forgotten => (
                "Alles gelöscht: Maße, Größen und Einstellungen.",
                "Everything deleted: measurements, sizes and settings.",
            ),
            StoredLocally => (
                "Deine Angaben bleiben in diesem Browser und werden nie gesendet.",
                "Your answers stay in this browser and are never sent anywhere.",
            ),
            Years => ("Jahre", "years"),
            StorageBlocked => (
                "Dieser Browser erlaubt hier kein Speichern: deine Angaben gelten nur, bis du die Seite schließt.",
                "This browser does not allow saving here: your answers last only until you close the page.",
            ),
            CutFor => ("Schnitt", "Cut"),
            FitPref => ("Ich trage es", "I like it"),
            Snug => ("enger", "snug"),
            Regular => ("normal", "regular"),
            Loose => ("weiter", "loose"),
            ChosenSize => ("Gewählte Größe", "Chosen size"),
            ToShop => ("diesen Shop (nur die Größe)", "this shop (size only)"),
            ToEmail => (
                "per E-Mail (z. B. Schneiderei)",
                "by e-mail (e.g. a tailor)",
            ),
            ToAnyone => ("über Teilen / Kopieren", "via share sheet / copy"),
            ShareHeader => ("Meine Angaben aus doppel:", "My details from doppel:"),
            ShareSubject => ("Meine Maße", "My measurements"),
            Share => ("Teilen…", "Share…"),
            ShareTitle => ("Was möchtest du teilen?", "What do you want to share?"),
            ShareFields => ("Angaben", "Details"),
            ShareRecipient => ("Empfänger", "Recipient"),
            SharePreview => ("Genau das wird gesendet:", "Exactly this is sent:"),
            ShareNothing => (
                "Nichts ausgewählt: es wird nichts gesendet.",
                "Nothing selected: nothing is sent.",
            ),
            ShareShopOnly => (
                "Der Shop bekommt nie Körperdaten, nur Artikel und Größe.",
                "The shop never gets body data, only product and size.",
            ),
            SendEmail => ("E-Mail öffnen", "Open e-mail"),
            SendShare => ("Teilen", "Share"),
            Copy => ("Kopieren", "Copy"),
            Copied => ("Kopiert.", "Copied."),
            Cancel => ("Abbrechen", "Cancel"),
            Close => ("Schließen", "Close"),
            Ledger => ("Was du geteilt hast", "What you shared"),
            LedgerEmpty => (
                "Noch nichts: alles ist auf diesem Gerät geblieben.",
                "Nothing yet: everything stayed on this device.",
            ),
            MyDouble => ("Mein Doppel", "My double"),
            SaveFile => ("Als Datei sichern", "Save as file"),
            LoadFile => ("Aus Datei laden", "Load from file"),
            MakeLink => ("Link erstellen", "Create link"),
            Passphrase => ("Passwort (optional)", "Passphrase (optional)"),
            PassphraseHint => (
                "Mit Passwort ist der Link verschlüsselt (AES-GCM). Die Daten stehen nur im Link, nie auf einem Server.",
                "With a passphrase the link is encrypted (AES-GCM). The data is only in the link, never on a server.",
            ),
            LinkReady => ("Dein Link:", "Your link:"),
            OpenLink => ("Link öffnen", "Open link"),
            PasteLink => ("doppel-Link einfügen", "Paste a doppel link"),
            Load => ("Laden", "Load"),
            Ignore => ("Ignorieren", "Ignore"),
            LinkFound => (
                "Dieser Link enthält ein doppel-Profil. Laden? Es ersetzt die hier gespeicherten Angaben.",
                "This link carries a doppel profile. Load it? It replaces what is saved here.",
            ),
            LinkFoundEnc => (
                "Dieser Link enthält ein verschlüsseltes doppel-Profil. Passwort eingeben, um es zu laden.",
                "This link carries an encrypted doppel profile. Enter the passphrase to load it.",
            ),
            Imported => ("Profil geladen.", "Profile loaded."),
            FileSaved => ("Datei gespeichert.", "File saved."),
            LinkMade => ("Link erstellt", "Link created"),
            Front => ("Vorne", "Front"),
            Side => ("Seite", "Side"),
            Back => ("Hinten", "Back"),
            ResetView => ("Zurücksetzen", "Reset"),
            SeeThrough => ("Durchsichtig", "See-through"),
            FitMap => ("Passform-Karte", "Fit map"),
            Compare => ("Zwei Größen vergleichen", "Compare two sizes"),
            Tighter => ("enger", "tighter"),
            Looser => ("weiter", "looser"),
            LegendTitle => ("Abstand Stoff–Körper", "Room between cloth and body"),
            ViewLabel => (
                "3D-Ansicht. Ziehen oder Pfeiltasten zum Drehen, + und − zum Zoomen, 0 zum Zurücksetzen.",
                "3D view. Drag or use the arrow keys to turn, + and − to zoom, 0 to reset.",
            ),
            Views => ("Ansichten", "Views"),
            Starting3d => ("3D-Ansicht startet…", "Starting 3D view…"),
            CompareWith => ("Vergleichen mit", "Compare with"),
            CompareOff => ("keiner Größe (aus)", "no size (off)"),
            Draping => ("Größe wird angezogen:", "Fitting size"),
            DrapeFailed => (
                "Diese Größe ließ sich nicht anziehen; sie wird ungefaltet gezeigt.",
                "This size could not be draped; it is shown as cut.",
            ),
            Fits => ("passt", "fits"),
            No3d => (
                "3D-Ansicht nicht verfügbar. Die Größenberatung funktioniert trotzdem.",
                "3D view unavailable. Size advice still works without it.",
            ),
        }
    }
}

/// A short caption for one size from the fit analysis ("snug at the chest, too short in
/// length" / "passt"): every region whose verdict is not "good", else that it fits.
pub fn size_summary(
    lang: Lang,
    sex: doppel_body::Sex,
    regions: &[doppel_fit::analysis::RegionFit],
    label: &str,
) -> String {
    use doppel_fit::analysis::{Region, Verdict};
    let ofsize = || regions.iter().filter(|r| r.size == label);
    let off: Vec<String> = ofsize()
        .filter(|r| r.verdict != Verdict::Good)
        .map(|r| {
            let chest = if sex == doppel_body::Sex::Female {
                ("Brust", "bust")
            } else {
                ("Brust", "chest")
            };
            let (de_r, en_r) = match r.region {
                Region::Shoulders => ("Schultern", "shoulders"),
                Region::Chest => chest,
                Region::Waist => ("Taille", "waist"),
                Region::Hip => ("Hüfte", "hip"),
                Region::Thigh => ("Oberschenkel", "thigh"),
                Region::Neck => ("Kragen", "collar"),
                Region::Length => ("Länge", "length"),
                Region::Sleeve => ("Ärmel", "sleeves"),
                Region::Inseam => ("Beinlänge", "leg length"),
            };
            let long = r.region.is_length();
            let (de_v, en_v) = match (r.verdict, long) {
                (Verdict::TooTight, false) => ("zu eng", "too tight"),
                (Verdict::Snug, false) => ("knapp", "snug"),
                (Verdict::Relaxed, false) => ("locker", "relaxed"),
                (Verdict::TooLoose, false) => ("zu weit", "too loose"),
                (Verdict::TooTight, true) => ("zu kurz", "too short"),
                (Verdict::Snug, true) => ("etwas kurz", "a little short"),
                (Verdict::Relaxed, true) => ("etwas lang", "a little long"),
                (Verdict::TooLoose, true) => ("zu lang", "too long"),
                (Verdict::Good, _) => ("passend", "right"),
            };
            match lang {
                Lang::De => format!("{de_r} {de_v}"),
                Lang::En if long => format!("{en_r} {en_v}"),
                Lang::En => format!("{en_v} at the {en_r}"),
            }
        })
        .collect();
    if ofsize().next().is_none() {
        "–".to_string()
    } else if off.is_empty() {
        lang.t(Text::Fits).to_string()
    } else {
        off.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        assert_eq!(Lang::from_tag("de-AT"), Lang::De);
        assert_eq!(Lang::from_tag("DE"), Lang::De);
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_tag("fr"), Lang::En);
        assert_eq!(Lang::De.num(72.5, 1), "72,5");
        assert_eq!(Lang::En.num(72.5, 1), "72.5");
    }

    fn region(
        size: &str,
        region: doppel_fit::analysis::Region,
        verdict: doppel_fit::analysis::Verdict,
    ) -> doppel_fit::analysis::RegionFit {
        doppel_fit::analysis::RegionFit {
            size: size.into(),
            region,
            body_cm: 100.0,
            garment_cm: 104.0,
            ease_cm: 4.0,
            ideal_ease_cm: 6.0,
            strain_pct: 0.0,
            verdict,
        }
    }

    #[test]
    fn size_captions_name_what_does_not_fit() {
        use doppel_fit::analysis::{Region, Verdict};
        let regions = [
            region("M", Region::Chest, Verdict::Good),
            region("M", Region::Hip, Verdict::Snug),
            region("M", Region::Length, Verdict::TooTight),
            region("L", Region::Chest, Verdict::Good),
            region("L", Region::Hip, Verdict::Good),
        ];
        let female = doppel_body::Sex::Female;
        assert_eq!(
            size_summary(Lang::En, female, &regions, "M"),
            "snug at the hip, length too short"
        );
        assert_eq!(
            size_summary(Lang::De, female, &regions, "M"),
            "Hüfte knapp, Länge zu kurz"
        );
        assert_eq!(size_summary(Lang::En, female, &regions, "L"), "fits");
        assert_eq!(size_summary(Lang::De, female, &regions, "L"), "passt");
        // A size without analysed regions says nothing rather than "fits".
        assert_eq!(size_summary(Lang::En, female, &regions, "XL"), "–");
        let chest = [region("S", Region::Chest, Verdict::TooLoose)];
        assert_eq!(
            size_summary(Lang::En, female, &chest, "S"),
            "too loose at the bust"
        );
        assert_eq!(
            size_summary(Lang::En, doppel_body::Sex::Male, &chest, "S"),
            "too loose at the chest"
        );
    }

    #[test]
    fn texts_differ_by_language() {
        assert_ne!(Lang::De.t(Text::UseSize), Lang::En.t(Text::UseSize));
        assert_eq!(Lang::En.t(Text::ForgetMe), "Forget me");
    }
}
