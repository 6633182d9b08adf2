//! Languages, normalisation, tokenising and light stemmers for German and English.
//!
//! The stemmers are deliberately light (CISTEM-like for German, Porter-like for English):
//! retrieval needs the same stem for the inflected forms of a word in questions and
//! answers, not linguistically perfect roots. Both sides go through the same functions.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A language the concierge understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// German.
    De,
    /// English.
    En,
}

impl Lang {
    /// All supported languages, in canonical order.
    pub const ALL: [Lang; 2] = [Lang::De, Lang::En];

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }
}

/// An unsupported language code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?} (supported: de, en)")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "de" | "deu" | "ger" | "german" | "deutsch" => Ok(Lang::De),
            "en" | "eng" | "english" | "englisch" => Ok(Lang::En),
            _ => Err(UnknownLang(s.to_string())),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Lower-cases and folds diacritics (`ä → a`, `ß → ss`, `é → e`); in German also the
/// transliterations `ae/oe/ue → a/o/u`, so "Bruehgruppe" meets "Brühgruppe".
pub fn fold(text: &str, lang: Lang) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' | 'à' | 'á' | 'â' | 'å' | 'ã' => out.push('a'),
            'ö' | 'ò' | 'ó' | 'ô' | 'õ' | 'ø' => out.push('o'),
            'ü' | 'ù' | 'ú' | 'û' => out.push('u'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'í' | 'ì' | 'î' | 'ï' => out.push('i'),
            'ß' => out.push_str("ss"),
            'ç' => out.push('c'),
            'ñ' => out.push('n'),
            c => out.push(c),
        }
    }
    if lang == Lang::De {
        out.replace("ae", "a").replace("oe", "o").replace("ue", "u")
    } else {
        out
    }
}

/// Splits folded text into alphanumeric words (other characters separate words).
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

// Function words (after the Snowball lists) plus question fillers; written naturally and
// folded once at first use, so "für", "können" and "über" match folded input.
const STOP_DE: &[&str] = &[
    // Vague words of spoken questions ("das Ding richtig entkalken") and how often
    // something happens ("ständig", like "immer"): no topic.
    "ding",
    "richtig",
    "ständig",
    "aber",
    "alle",
    "allem",
    "allen",
    "aller",
    "alles",
    "als",
    "also",
    "am",
    "an",
    "ander",
    "andere",
    "anderen",
    "auch",
    "auf",
    "aus",
    "bei",
    "bin",
    "bis",
    "bist",
    "da",
    "damit",
    "dann",
    "das",
    "dass",
    "dein",
    "deine",
    "dem",
    "den",
    "denn",
    "der",
    "des",
    "dich",
    "die",
    "dies",
    "diese",
    "diesem",
    "diesen",
    "dieser",
    "dieses",
    "dir",
    "doch",
    "dort",
    "du",
    "durch",
    "ein",
    "eine",
    "einem",
    "einen",
    "einer",
    "eines",
    "einig",
    "einmal",
    "er",
    "es",
    "etwas",
    "euch",
    "euer",
    "für",
    "gegen",
    "gewesen",
    "hab",
    "habe",
    "haben",
    "hat",
    "hatte",
    "hätte",
    "hier",
    "hin",
    "hinter",
    "ich",
    "ihm",
    "ihn",
    "ihnen",
    "ihr",
    "ihre",
    "im",
    "in",
    "indem",
    "ins",
    "ist",
    "jede",
    "jedem",
    "jeden",
    "jeder",
    "jetzt",
    "kann",
    "kein",
    "keine",
    "können",
    "könnte",
    "machen",
    "mache",
    "macht",
    "man",
    "manche",
    "mein",
    "meine",
    "meinem",
    "meinen",
    "meiner",
    "meines",
    "mich",
    "mir",
    "mit",
    "muss",
    "musste",
    "muß",
    "nach",
    "nicht",
    "nichts",
    "noch",
    "nun",
    "nur",
    "ob",
    "oder",
    "ohne",
    "sehr",
    "sein",
    "seine",
    "sich",
    "sie",
    "sind",
    "so",
    "solche",
    "soll",
    "sollte",
    "sondern",
    "sonst",
    "über",
    "um",
    "und",
    "uns",
    "unser",
    "unter",
    "viel",
    "viele",
    "vielen",
    "vom",
    "von",
    "vor",
    "während",
    "war",
    "waren",
    "warum",
    "was",
    "weg",
    "weil",
    "weiter",
    "welche",
    "welchem",
    "welchen",
    "welcher",
    "welches",
    "wenn",
    "wer",
    "werde",
    "werden",
    "wie",
    "wieder",
    "wieso",
    "will",
    "wir",
    "wird",
    "wo",
    "wollen",
    "würde",
    "würden",
    "zu",
    "zum",
    "zur",
    "zwar",
    "wann",
    "tun",
    "tue",
    "darf",
    "ab",
    "mal",
    "eigentlich",
    "hallo",
    "immer",
    "weshalb",
    "weiß",
    "genau",
    "ganz",
    "gerade",
    "bitte",
    "schon",
    "einfach",
    "obwohl",
    "statt",
    "trotzdem",
    "selbst",
    "gibt",
    "geht",
    "gehen",
    "lässt",
    "lassen",
    "möchte",
    "brauche",
    "braucht",
    "müssen",
    "sollen",
    "worauf",
    "wofür",
    "womit",
    "woran",
    "wozu",
    "wieviel",
    "wieviele",
    "gerät",
    "maschine",
    "kaffeemaschine",
    "kaffeevollautomat",
    "vollautomat",
    "automat",
    "etwa",
    "dabei",
    "dafür",
    // Colloquial direction adverbs ("wo kommt die rein", "wie kommt der drauf"): no topic,
    // and "rein" had been taken for the start of "reinigen".
    "rein",
    "hinein",
    "herein",
    "rauf",
    "drauf",
    "dran",
    "drin",
    "drinnen",
    "raus",
    "heraus",
    "hinaus",
];

const STOP_EN: &[&str] = &[
    // Praise words rank nothing ("best pizza near me" had been answered with the ironing
    // FAQ's "best way"; "the best way to iron a shirt" keeps "iron" and "shirt").
    "best",
    "properly",
    "keep",
    "kept",
    "always",
    "constantly",
    "a",
    "about",
    "after",
    "again",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "before",
    "being",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "please",
    "get",
    "got",
    "need",
    "needs",
    "want",
    "hi",
    "hello",
    "really",
    "thing",
    "anything",
    "something",
    "one",
    "ok",
    "okay",
    "im",
    "s",
    "t",
    "d",
    "ll",
    "re",
    "ve",
    "m",
    "don",
    "doesn",
    "isn",
    "won",
    "can't",
    "still",
    "even",
    "much",
    "many",
    "also",
    "there's",
    "what's",
    "it's",
    "let",
    "make",
    "makes",
    "go",
    "goes",
    "machine",
    "appliance",
    "device",
];

fn stopword_set(lang: Lang) -> &'static std::collections::BTreeSet<String> {
    use std::sync::OnceLock;
    static DE: OnceLock<std::collections::BTreeSet<String>> = OnceLock::new();
    static EN: OnceLock<std::collections::BTreeSet<String>> = OnceLock::new();
    let (cell, list) = match lang {
        Lang::De => (&DE, STOP_DE),
        Lang::En => (&EN, STOP_EN),
    };
    // Stems too, so inflected forms ("ganzer", "meinem") are caught after stemming.
    cell.get_or_init(|| {
        list.iter()
            .flat_map(|w| [fold(w, lang), stem(&fold(w, lang), lang)])
            .collect()
    })
}

/// True for words that carry no meaning for retrieval in `lang` (input must be folded).
pub fn is_stopword(word: &str, lang: Lang) -> bool {
    stopword_set(lang).contains(word)
}

/// True for a stopword or an inflected form of one (input must be folded): "keinen",
/// "unsere", "kannst", "gets", "needed".
///
/// German forms are recognised by ending, and only for the stopwords that inflect:
/// determiners and pronouns (+ -e, -em, -en, -er, -es, -s: "keinen", "unsere", "eures") and
/// verbs (+ -st, -s: "kannst", "gibts"). Not by stem: the German stemmer maps content words
/// onto stopwords ("Wartung", "Warnung" and "warten" onto "war", "Dichtung" onto "dich",
/// "Nacht" onto "nach"), and not by ending alone ("Kanne", "reine", "Ware"). English
/// inflection is regular enough for the stem ("gets", "machines").
pub fn is_stopword_form(word: &str, lang: Lang) -> bool {
    if is_stopword(word, lang) {
        return true;
    }
    match lang {
        Lang::De => {
            const DECLINED: &[&str] = &[
                "ein", "kein", "mein", "dein", "sein", "ihr", "unser", "euer", "eur", "dies",
                "jen", "welch", "solch", "all", "manch", "jed", "ganz", "ander", "beid", "einig",
                "viel", "wenig", "fur",
            ];
            const CONJUGATED: &[&str] = &[
                "kann", "muss", "soll", "will", "darf", "mag", "gibt", "hab", "wird",
            ];
            let inflects = |bases: &[&str], endings: &[&str]| {
                endings.iter().any(|e| {
                    word.strip_suffix(e)
                        .is_some_and(|b| bases.contains(&b) && is_stopword(b, lang))
                })
            };
            inflects(DECLINED, &["e", "em", "en", "er", "es", "s"])
                || inflects(CONJUGATED, &["st", "s"])
        }
        Lang::En => is_stopword(&stem(word, lang), lang),
    }
}

/// Guesses the language of a question from function words and German letters; `None`
/// when there is no evidence either way.
pub fn detect_language(text: &str) -> Option<Lang> {
    let mut de = 0i32;
    let mut en = 0i32;
    if text
        .chars()
        .any(|c| matches!(c, 'ä' | 'ö' | 'ü' | 'ß' | 'Ä' | 'Ö' | 'Ü'))
    {
        de += 2;
    }
    let folded = fold(text, Lang::En);
    for w in words(&folded) {
        // Only unambiguous function words count (not "in", "so", "was", "am").
        const DE: &[&str] = &[
            "ich", "ist", "der", "die", "das", "und", "nicht", "wie", "mein", "meine", "meiner",
            "was", "wann", "warum", "oft", "muss", "kann", "mit", "fur", "zeigt", "soll", "welche",
            "wo", "gibt", "auf", "bei", "kaffee", "fehler", "maschine", "bitte", "wenn", "ein",
            "eine", "zu", "von",
        ];
        const EN: &[&str] = &[
            "i", "is", "the", "and", "not", "how", "my", "what", "when", "why", "often", "must",
            "can", "with", "for", "shows", "should", "which", "where", "does", "do", "error",
            "coffee", "please", "if", "a", "an", "to", "of", "machine", "it", "keeps",
        ];
        if DE.contains(&w) {
            de += 1;
        }
        if EN.contains(&w) {
            en += 1;
        }
    }
    match de.cmp(&en) {
        std::cmp::Ordering::Greater => Some(Lang::De),
        std::cmp::Ordering::Less => Some(Lang::En),
        std::cmp::Ordering::Equal => None,
    }
}

/// Stems a folded word for `lang`.
pub fn stem(word: &str, lang: Lang) -> String {
    match lang {
        Lang::De => stem_de(word),
        Lang::En => stem_en(word),
    }
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

fn has_vowel(s: &str) -> bool {
    s.bytes().any(is_vowel)
}

/// Light English stemmer: plurals, -ing/-ed/-ly, a few derivational endings, final -e.
pub fn stem_en(word: &str) -> String {
    if word.len() <= 3 || !word.is_ascii() {
        return word.to_string();
    }
    let mut w = word.to_string();
    // Step 1: plurals and past participles.
    if let Some(s) = w.strip_suffix("sses") {
        w = format!("{s}ss");
    } else if let Some(s) = w.strip_suffix("ies").or_else(|| w.strip_suffix("ied")) {
        w = if s.len() >= 2 {
            format!("{s}y")
        } else {
            format!("{s}ie")
        };
    } else if w.ends_with("ches") || w.ends_with("shes") || w.ends_with("xes") || w.ends_with("zes")
    {
        w.truncate(w.len() - 2);
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w.truncate(w.len() - 1);
    }
    let mut stripped_verb = false;
    for suf in ["ingly", "edly", "ing", "ed"] {
        if let Some(s) = w.strip_suffix(suf) {
            if s.len() >= 3 && has_vowel(s) {
                w = s.to_string();
                stripped_verb = true;
            }
            break;
        }
    }
    if stripped_verb {
        let b = w.as_bytes();
        let n = b.len();
        if n >= 2
            && b[n - 1] == b[n - 2]
            && !is_vowel(b[n - 1])
            && !matches!(b[n - 1], b'l' | b's' | b'z')
        {
            w.truncate(n - 1);
        }
    }
    // Step 2: derivational endings, longest first.
    const RULES: &[(&str, &str)] = &[
        ("ational", "ate"),
        ("ization", "ize"),
        ("fulness", "ful"),
        ("iveness", "ive"),
        ("ousness", "ous"),
        ("tional", "tion"),
        ("ation", "ate"),
        ("ness", ""),
        ("ment", ""),
        ("ally", "al"),
        ("ly", ""),
        ("ity", ""),
        ("able", ""),
        ("ible", ""),
    ];
    for (suf, rep) in RULES {
        if let Some(s) = w.strip_suffix(suf) {
            if s.len() >= 3 && has_vowel(s) {
                w = format!("{s}{rep}");
            }
            break;
        }
    }
    // Step 3: final -e and -y, so "descale", "descaled", "descaling" share "descal".
    if w.len() > 4 && w.ends_with('e') {
        w.truncate(w.len() - 1);
    } else if w.len() > 3 && w.ends_with('y') {
        w.truncate(w.len() - 1);
        w.push('i');
    }
    w
}

/// Light German stemmer after CISTEM (Weissweiler & Fraser 2017) plus the derivational
/// endings -ung/-ungen/-heit/-keit/-lich. Expects folded input (no umlauts).
pub fn stem_de(word: &str) -> String {
    if word.chars().count() <= 3 {
        return word.to_string();
    }
    let mut w: String = word.to_string();
    if w.starts_with("ge") && w.chars().count() >= 7 {
        w = w[2..].to_string();
    }
    for suf in [
        "ierungen", "ierung", "ieren", "ierst", "iert", "iere", "ungen", "ung", "heiten", "heit",
        "keiten", "keit", "lichen", "liche", "lich",
    ] {
        if let Some(s) = w.strip_suffix(suf) {
            if s.chars().count() >= 4 {
                w = s.to_string();
            }
            break;
        }
    }
    // CISTEM core on a char vector with placeholders for sch/ei/ie and doubled letters.
    let w = w.replace("sch", "$").replace("ei", "%").replace("ie", "&");
    let mut chars: Vec<char> = Vec::with_capacity(w.len());
    for c in w.chars() {
        if chars.last() == Some(&c) {
            chars.push('*');
        } else {
            chars.push(c);
        }
    }
    while chars.len() > 3 {
        let n = chars.len();
        if n > 5 && chars[n - 2] == 'e' && matches!(chars[n - 1], 'm' | 'r') {
            chars.truncate(n - 2);
            continue;
        }
        if n > 5 && chars[n - 2] == 'n' && chars[n - 1] == 'd' {
            chars.truncate(n - 2);
            continue;
        }
        if matches!(chars[n - 1], 't' | 'e' | 's' | 'n') {
            chars.truncate(n - 1);
            continue;
        }
        break;
    }
    let mut out = String::with_capacity(chars.len() + 4);
    let mut prev = None;
    for &c in &chars {
        match c {
            '*' => {
                if let Some(p) = prev {
                    out.push(p);
                }
            }
            '$' => out.push_str("sch"),
            '%' => out.push_str("ei"),
            '&' => out.push_str("ie"),
            c => out.push(c),
        }
        if c != '*' {
            prev = Some(c);
        }
    }
    out
}

/// Folds, splits, drops stopwords and stems: the terms of `text` in order.
pub fn terms(text: &str, lang: Lang) -> Vec<String> {
    let folded = fold(text, lang);
    words(&folded)
        .filter(|w| !is_stopword_form(w, lang))
        .map(|w| stem(w, lang))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflected_stopwords_go_content_words_that_stem_like_them_stay() {
        for w in ["keinen", "unsere", "kannst", "ganzen", "gibts"] {
            assert!(is_stopword_form(w, Lang::De), "{w}");
        }
        // The German stemmer maps these onto stopwords ("war", "dich", "nach"); they are
        // words of their own.
        for w in [
            "wartung", "warnung", "warten", "dichtung", "nacht", "anderung", "kanne", "reine",
            "ware",
        ] {
            assert!(!is_stopword_form(w, Lang::De), "{w}");
        }
        for w in ["gets", "needed", "the"] {
            assert!(is_stopword_form(w, Lang::En), "{w}");
        }
        assert!(!is_stopword_form("descaling", Lang::En));
    }

    fn de(w: &str) -> String {
        stem_de(&fold(w, Lang::De))
    }
    fn en(w: &str) -> String {
        stem_en(&fold(w, Lang::En))
    }

    #[test]
    fn german_inflections_share_a_stem() {
        for group in [
            &["entkalken", "Entkalkung", "entkalkt", "Entkalken"][..],
            &["reinigen", "Reinigung", "gereinigt", "reinige"],
            &["Filter", "Filters", "Filtern"],
            &["Brühgruppe", "Bruehgruppe", "Brühgruppen"],
            &["Wassertank", "Wassertanks"],
            &["Mühle", "Mühlen"],
            &["transportieren", "Transport", "transportiert"],
        ] {
            let first = de(group[0]);
            for w in group {
                assert_eq!(de(w), first, "{w} vs {}", group[0]);
            }
        }
        assert_ne!(de("Milch"), de("Mühle"));
        assert_eq!(fold("Straße", Lang::De), "strasse");
    }

    #[test]
    fn english_inflections_share_a_stem() {
        for group in [
            &["descale", "descaling", "descaled", "descales"][..],
            &["clean", "cleaning", "cleaned", "cleans"],
            &["filter", "filters", "filtered"],
            &["empty", "emptied", "empties", "emptying"],
            &["stop", "stopped", "stopping", "stops"],
            &["grinder", "grinders"],
            &["calibrate", "calibration", "calibrating"],
        ] {
            let first = en(group[0]);
            for w in group {
                assert_eq!(en(w), first, "{w} vs {}", group[0]);
            }
        }
        assert_ne!(en("milk"), en("mill"));
    }

    #[test]
    fn terms_drop_stopwords() {
        assert_eq!(
            terms("How do I descale my machine?", Lang::En),
            vec!["descal"]
        );
        assert_eq!(
            terms("Wie entkalke ich die Maschine?", Lang::De),
            vec!["entkalk"]
        );
        // Vague and "how often it happens" words carry no topic; "dauert" (takes, of
        // time) is a word, unlike "dauernd" would be.
        assert_eq!(
            terms(
                "Das Ding geht ständig richtig aus, wie lange dauert das?",
                Lang::De
            ),
            vec!["lang", "daur"]
        );
        // A direction adverb is no topic (nor the start of "reinigen").
        assert_eq!(
            terms("Wo kommt die Tablette rein?", Lang::De),
            vec!["komm", "tablett"]
        );
        assert_eq!(
            terms("it keeps switching off properly", Lang::En),
            vec!["switch", "off"]
        );
    }

    #[test]
    fn languages() {
        assert_eq!("DE".parse::<Lang>().unwrap(), Lang::De);
        assert_eq!("en".parse::<Lang>().unwrap(), Lang::En);
        let e = "fr".parse::<Lang>().unwrap_err();
        assert_eq!(e.to_string(), "unknown language \"fr\" (supported: de, en)");
        assert_eq!(
            detect_language("Wie oft muss ich entkalken?"),
            Some(Lang::De)
        );
        assert_eq!(
            detect_language("How often should I descale it?"),
            Some(Lang::En)
        );
        assert_eq!(detect_language("Brühgruppe"), Some(Lang::De));
        assert_eq!(detect_language("xyz"), None);
    }
}
