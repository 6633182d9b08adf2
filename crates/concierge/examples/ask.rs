//! Debug helper: `cargo run -p doppel-concierge --example ask -- DIR "question" [de|en]`.
use doppel_concierge::{Pack, search::AskOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = &args[1];
    let pack = Pack::load_dir(std::path::Path::new(dir)).unwrap_or_else(|e| panic!("{e}"));
    let lang = args.get(3).map(|l| l.parse().expect("lang"));
    let a = pack
        .ask(
            &args[2],
            &AskOptions {
                lang,
                min_score: 0.0,
                ..Default::default()
            },
        )
        .expect("ask");
    eprintln!("terms: {:?}", pack.explain_query(&args[2], a.lang));
    eprintln!("top: {:?} {}", a.source.as_ref().map(|s| &s.id), a.score);
    for x in &a.alternatives {
        eprintln!("alt: {} {}", x.id, x.score);
    }
    if std::env::var("QUIET").is_ok() {
        return;
    }
    println!("{}", serde_json::to_string_pretty(&a).expect("json"));
}
