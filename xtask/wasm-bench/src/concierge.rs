//! Concierge benchmark: `ask` on the 500-entry pack of the native bench
//! (`crates/concierge/benches/ask.rs`): the Bohnenwerk sample grown by
//! `samples::grow_faq`, so the figures compare directly. No setup export: the pack is
//! compiled in (`embedded-samples`) and built on the first call (the "first call" column).

use crate::status;
use doppel_concierge::search::AskOptions;
use doppel_concierge::{Lang, Pack, samples};
use std::cell::{Cell, OnceCell};

/// Questions asked in turn, one per call: FAQ, error-code, care and off-topic phrasings.
const QUESTIONS: [(&str, Lang); 8] = [
    ("Wie entkalke ich meine Maschine?", Lang::De),
    ("Fehler 8 – was kann ich tun?", Lang::De),
    ("Der Kaffee ist nicht heiß genug", Lang::De),
    ("Wann muss der Wasserfilter gewechselt werden?", Lang::De),
    ("How do I clean the brew group?", Lang::En),
    ("error E12 on the display", Lang::En),
    ("The milk foam is too thin", Lang::En),
    ("What is the capital of France?", Lang::En),
];

thread_local! {
    static PACK: OnceCell<Option<Pack>> = const { OnceCell::new() };
    static NEXT: Cell<usize> = const { Cell::new(0) };
}

/// The benchmark pack: 500 FAQ entries.
pub fn pack() -> Option<Pack> {
    let mut files = samples::embedded::files(samples::embedded::BOHNENWERK);
    samples::grow_faq(&mut files, 500).ok()?;
    Pack::from_files(&files).ok()
}

/// Answers the next question of [`QUESTIONS`]; returns the answer's score (0 for "no
/// answer"), or [`status::NOT_READY`] if the pack did not load.
#[unsafe(no_mangle)]
pub extern "C" fn bench_concierge_ask() -> f64 {
    let i = NEXT.with(|n| {
        let i = n.get();
        n.set((i + 1) % QUESTIONS.len());
        i
    });
    let (q, lang) = QUESTIONS[i];
    PACK.with(|p| {
        p.get_or_init(pack)
            .as_ref()
            .and_then(|pack| {
                let opts = AskOptions {
                    lang: Some(lang),
                    ..Default::default()
                };
                pack.ask(q, &opts).ok()
            })
            .map_or(status::NOT_READY, |a| a.score)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ask_answers_on_the_500_entry_pack() {
        assert_eq!(pack().map(|p| p.faq.len()), Some(500));
        let scores: Vec<f64> = (0..QUESTIONS.len())
            .map(|_| bench_concierge_ask())
            .collect();
        assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)), "{scores:?}");
        // The error-code question maps directly (score 1).
        assert_eq!(scores[1], 1.0);
    }
}
