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
