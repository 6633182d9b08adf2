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
            No3d => (
                "3D-Ansicht nicht verfügbar. Die Größenberatung funktioniert trotzdem.",
                "3D view unavailable. Size advice still works without it.",
            ),
        }
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

    #[test]
    fn texts_differ_by_language() {
        assert_ne!(Lang::De.t(Text::UseSize), Lang::En.t(Text::UseSize));
        assert_eq!(Lang::En.t(Text::ForgetMe), "Forget me");
    }
}
