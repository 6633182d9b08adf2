//! Why a question gets its answer: `cargo run -p doppel-concierge --example why -- PACK
//! LANG "QUESTION"…` prints the query terms (after stemming, synonyms, decompounding,
//! typo matching) and the best four entries with their scores. For pack authors.

use doppel_concierge::search::AskOptions;
use doppel_concierge::{Lang, samples};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pack, lang, questions @ ..] = args.as_slice() else {
        return Err("usage: why PACK de|en QUESTION…".into());
    };
    let pack = samples::sample(pack).map_err(|e| e.to_string())?;
    let lang: Lang = lang.parse().map_err(|e| format!("{e}"))?;
    for q in questions {
        let opts = AskOptions {
            lang: Some(lang),
            min_score: 0.0,
            clear_min_score: 0.0,
            ..Default::default()
        };
        let a = pack.ask(q, &opts).map_err(|e| e.to_string())?;
        println!("{q}");
        println!("  terms: {:?}", pack.explain_query(q, lang));
        let best = a.source.map(|s| s.id).unwrap_or_default();
        print!("  {best} {:.3}", a.score);
        for alt in &a.alternatives {
            print!(" | {} {:.3}", alt.id, alt.score);
        }
        println!();
    }
    Ok(())
}
