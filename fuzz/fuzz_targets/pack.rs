//! The knowledge-pack loader (bundle form covers every file reader) never panics; a pack
//! that loads can be asked and identify anything.
#![no_main]

use doppel_concierge::Pack;
use doppel_concierge::search::AskOptions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let (bundle, question) = s.split_once('\u{0}').unwrap_or((&s, "Fehler 8 entkalken"));
    if let Ok(pack) = Pack::from_bundle(bundle) {
        let _ = pack.ask(question, &AskOptions::default());
        let _ = pack.identify(question, None, 2025);
    }
    let _ = Pack::from_files(&[("faq.json", bundle), ("pack.json", bundle)]);
});
