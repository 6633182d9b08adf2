//! The committed sample packs load, identify, answer and plan care as documented.

#![allow(clippy::unwrap_used)] // test code: a panic is a test failure

use doppel_concierge::care::{CareDone, TaskState, due_tasks};
use doppel_concierge::samples;
use doppel_concierge::search::AskOptions;
use doppel_concierge::{Date, Lang, Pack};
use std::collections::{BTreeMap, BTreeSet};

fn coffee_files() -> Vec<(String, String)> {
    samples::sample_files("bohnenwerk").unwrap_or_else(|e| panic!("{e}"))
}

fn coffee() -> Pack {
    samples::sample("bohnenwerk").unwrap_or_else(|e| panic!("{e}"))
}

fn fashion() -> Pack {
    samples::sample("fashion").unwrap_or_else(|e| panic!("{e}"))
}

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

#[test]
fn coffee_pack_meets_the_content_minimums() {
    let p = coffee();
    assert!(
        p.products
            .iter()
            .filter(|p| p.category == "coffee_machine")
            .count()
            >= 2
    );
    assert!(p.error_codes.len() >= 10);
    assert!(p.faq.len() >= 25);
    for f in &p.faq {
        assert!(
            !f.questions[&Lang::De].is_empty() && !f.questions[&Lang::En].is_empty(),
            "{}",
            f.id
        );
    }
    let tasks: Vec<&str> = p.care_plans[0]
        .tasks
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    for t in ["descale", "brew-group", "cleaning-tablet", "filter-change"] {
        assert!(tasks.contains(&t));
    }
    assert!(!p.serial_rules.is_empty());
}

#[test]
fn fashion_products_match_the_catalog() {
    // The care pack covers exactly the sample catalog's products, under the same ids, so
    // that a garment bought after a fitting can be added to "My products" by its id.
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/catalog/catalog.json");
    let catalog: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let catalog_ids: BTreeSet<&str> = catalog["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let p = fashion();
    let pack_ids: BTreeSet<&str> = p.products.iter().map(|x| x.id.as_str()).collect();
    assert!(!pack_ids.is_empty());
    assert_eq!(pack_ids, catalog_ids);
    for prod in &p.products {
        assert!(
            p.care_plan_for(prod).is_some(),
            "{} has no care plan",
            prod.id
        );
    }
}

#[test]
fn fashion_pack_has_iso_care_symbols() {
    let p = fashion();
    for cat in ["t_shirt", "woven_shirt", "jeans", "dress", "hoodie"] {
        let prod = p
            .products
            .iter()
            .find(|x| x.category == cat)
            .unwrap_or_else(|| panic!("{cat}"));
        let plan = p.care_plan_for(prod).unwrap();
        assert!(plan.symbols.len() >= 4, "{cat}");
    }
    let a = p
        .ask(
            "Bei wie viel Grad wasche ich die Jeans?",
            &AskOptions::default(),
        )
        .unwrap();
    // The jeans' care plan (its symbols say 30 °C) and its wash task ("bei 30 °C … waschen")
    // both answer it.
    let id = a.source.map(|s| s.id).unwrap_or_default();
    assert!(
        ["care-denim", "care-denim/wash"].contains(&id.as_str()),
        "{id}: {:?}",
        a.answer
    );
    assert!(a.answer.is_some_and(|t| t.contains("30")));
    let a = p
        .ask(
            "Can I put the viscose dress in the dryer?",
            &AskOptions::default(),
        )
        .unwrap();
    assert_eq!(a.source.unwrap().id, "care-viscose");
}

#[test]
fn identify_serial_digital_link_and_element_string() {
    let p = coffee();
    let id = p.identify("BWBO2410L00042", None, 2025).unwrap();
    assert_eq!(id.product.as_ref().unwrap().id, "barista-one");
    assert_eq!(id.production_date.unwrap().to_string(), "2024-03-04");
    assert_eq!(id.plant.as_deref(), Some("Lahr, Deutschland"));
    assert_eq!(id.gtin.as_deref(), Some("04260999810011"));
    assert_eq!(id.warranty_basis, Some("production_estimate"));
    let id = p
        .identify("bwbp 2452 p 00007", Some(d("2025-01-10")), 2025)
        .unwrap();
    assert_eq!(id.product.as_ref().unwrap().id, "barista-pro");
    assert_eq!(id.warranty_until.unwrap().to_string(), "2027-01-09");
    assert_eq!(id.warranty_basis, Some("purchase"));
    let id = p.identify("200-202311-004711", None, 2025).unwrap();
    assert_eq!(id.product.unwrap().id, "barista-pro");
    assert_eq!(id.production_date.unwrap().to_string(), "2023-11-01");

    let id = p
        .identify(
            "https://id.bohnenwerk.example/01/04260999810028/21/BWBP2452P00007?11=241223",
            None,
            2025,
        )
        .unwrap();
    assert_eq!(id.product.as_ref().unwrap().id, "barista-pro");
    assert_eq!(id.serial.as_deref(), Some("BWBP2452P00007"));
    assert_eq!(
        id.production_date.unwrap().to_string(),
        "2024-12-23",
        "AI 11 wins over the serial's week"
    );
    assert_eq!(id.plant.as_deref(), Some("Porto, Portugal"));
    assert_eq!(id.form, "digital_link");

    let id = p
        .identify("(01)04260999810035(10)L2405(17)261100", None, 2025)
        .unwrap();
    assert_eq!(id.product.as_ref().unwrap().id, "aqua-filter");
    assert_eq!(id.batch.as_deref(), Some("L2405"));
    assert_eq!(id.expiry_date.unwrap().to_string(), "2026-11-30");
    assert_eq!(
        id.warranty_until, None,
        "filter terms run from production; no production date given"
    );

    // Well-formed but unknown product: parsed fields, product null.
    let id = p.identify("(01)09506000134352(21)X1", None, 2025).unwrap();
    assert!(id.product.is_none());
    assert_eq!(id.serial.as_deref(), Some("X1"));

    // Bad check digit / malformed / unknown.
    let e = p
        .identify("(01)04260999810012(21)X", None, 2025)
        .unwrap_err();
    assert!(
        e.to_string().contains("check digit is 2, expected 1"),
        "{e}"
    );
    let e = p
        .identify("https://id.example.com/01/4260999810012", None, 2025)
        .unwrap_err();
    assert!(e.to_string().contains("GTIN 4260999810012"), "{e}");
    let e = p.identify("hello world", None, 2025).unwrap_err();
    assert!(e.to_string().contains("serial formats"), "{e}");
    let e = p.identify("BWBO2460L00042", None, 2025).unwrap_err();
    assert!(
        e.to_string().contains("neither"),
        "week 60 is no valid serial: {e}"
    );
}

#[test]
fn error_codes_map_directly() {
    let p = coffee();
    for (q, lang) in [
        ("Fehler 8", Lang::De),
        ("E08", Lang::De),
        ("error 8", Lang::En),
        ("Err. 08", Lang::En),
        ("Meine Maschine zeigt E8 an, was tun?", Lang::De),
    ] {
        let a = p
            .ask(
                q,
                &AskOptions {
                    lang: Some(lang),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(a.source.as_ref().unwrap().id, "E08", "{q}");
        assert_eq!(a.matched_by, "error_code");
        assert_eq!(a.steps.len(), 5);
        assert!(a.call_service.is_some());
    }
    let a = p
        .ask(
            "Fehler 10",
            &AskOptions {
                product: Some("barista-one"),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(a.answer.is_none(), "E10 exists only for the Barista Pro");
    let a = p
        .ask(
            "Fehler 10",
            &AskOptions {
                product: Some("barista-pro"),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(a.source.unwrap().id, "E10");
    let a = p.ask("error 77", &AskOptions::default()).unwrap();
    assert!(a.answer.is_none());
    assert!(a.fallback.unwrap().reason.contains("77"));
}

#[test]
fn answers_are_deterministic_and_cited() {
    let p = coffee();
    let o = AskOptions::default();
    let a = p
        .ask("Wie oft sollte man das Gerät entkalken?", &o)
        .unwrap();
    for _ in 0..5 {
        assert_eq!(
            p.ask("Wie oft sollte man das Gerät entkalken?", &o)
                .unwrap(),
            a
        );
    }
    let src = a.source.unwrap();
    assert_eq!(src.id, "descale-interval");
    assert_eq!(
        src.reference.unwrap().section.as_deref(),
        Some("8.1 Entkalken")
    );
    // Reloading the pack gives the same answer too.
    let b = coffee()
        .ask("Wie oft sollte man das Gerät entkalken?", &o)
        .unwrap();
    assert_eq!(b.source.unwrap().id, "descale-interval");
}

#[test]
fn nothing_fits_offers_a_message() {
    let p = coffee();
    let a = p
        .ask(
            "Wie wird das Wetter morgen in Hamburg?",
            &AskOptions::default(),
        )
        .unwrap();
    assert!(a.answer.is_none(), "{:?}", a.source);
    let f = a.fallback.unwrap();
    assert_eq!(f.offer, "message_to_maker");
    assert_eq!(f.contacts[0].id, "service");
}

#[test]
fn bad_questions_are_errors() {
    let p = coffee();
    let o = AskOptions::default();
    assert_eq!(
        p.ask("   ", &o).unwrap_err().to_string(),
        "the question is empty"
    );
    assert!(
        p.ask(&"a".repeat(2001), &o)
            .unwrap_err()
            .to_string()
            .contains("2001 characters")
    );
    assert!(
        p.ask("?!?", &o)
            .unwrap_err()
            .to_string()
            .contains("no words")
    );
    let e = p
        .ask(
            "x",
            &AskOptions {
                product: Some("nope"),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(e.to_string().contains("unknown product \"nope\""));
}

#[test]
fn care_due_and_overdue() {
    let p = coffee();
    let prod = p.product("barista-one").unwrap();
    let plan = p.care_plan_for(prod).unwrap();
    let usage = BTreeMap::from([("water_l".to_string(), 55.0), ("cups".to_string(), 120.0)]);
    let log = vec![CareDone {
        task: "brew-group".into(),
        date: d("2025-03-05"),
        counters: BTreeMap::new(),
    }];
    let tasks = due_tasks(
        prod,
        plan,
        d("2025-01-10"),
        d("2025-03-12"),
        &usage,
        &log,
        Lang::En,
    )
    .unwrap();
    let get = |id: &str| tasks.iter().find(|t| t.task == id).unwrap();
    // Descale: 2 months from 2025-01-10 = 2025-03-10 → overdue by 2 days.
    assert_eq!(get("descale").state, TaskState::Overdue);
    assert_eq!(get("descale").days_left, Some(-2));
    // Filter: 50 l interval, 55 l used → overdue by usage.
    assert_eq!(get("filter-change").reason, "time");
    assert_eq!(get("filter-change").state, TaskState::Overdue);
    // Brew group weekly, done 2025-03-05 → due 2025-03-12 (today) → due.
    assert_eq!(get("brew-group").state, TaskState::Due);
    assert_eq!(get("brew-group").last_done, Some(d("2025-03-05")));
    assert_eq!(tasks[0].state, TaskState::Overdue);
    assert!(tasks.windows(2).all(|w| w[0].state <= w[1].state));

    // Usage first: 61 l after 1 month.
    let usage = BTreeMap::from([("water_l".to_string(), 61.0)]);
    let tasks = due_tasks(
        prod,
        plan,
        d("2025-01-10"),
        d("2025-02-10"),
        &usage,
        &[],
        Lang::De,
    )
    .unwrap();
    let descale = tasks.iter().find(|t| t.task == "descale").unwrap();
    assert_eq!(
        (descale.state, descale.reason),
        (TaskState::Overdue, "usage")
    );
    assert_eq!(descale.title, "Entkalken");

    // Counters going backwards and unknown counters are errors.
    let log = vec![CareDone {
        task: "descale".into(),
        date: d("2025-02-01"),
        counters: BTreeMap::from([("water_l".to_string(), 80.0)]),
    }];
    let e = due_tasks(
        prod,
        plan,
        d("2025-01-10"),
        d("2025-02-10"),
        &usage,
        &log,
        Lang::En,
    )
    .unwrap_err();
    assert!(e.to_string().contains("went backwards"), "{e}");
    let bad = BTreeMap::from([("milk_drinks".to_string(), 3.0)]);
    let e = due_tasks(
        prod,
        plan,
        d("2025-01-10"),
        d("2025-02-10"),
        &bad,
        &[],
        Lang::En,
    )
    .unwrap_err();
    assert!(e.to_string().contains("known: water_l, cups"), "{e}");
    let e = due_tasks(
        prod,
        plan,
        d("2025-01-10"),
        d("2024-02-10"),
        &BTreeMap::new(),
        &[],
        Lang::En,
    )
    .unwrap_err();
    assert!(e.to_string().contains("before the start date"));
}

#[test]
fn broken_pack_reports_every_problem_with_file_and_path() {
    let mut files = coffee_files();
    let set =
        |files: &mut Vec<(String, String)>, name: &str, f: &dyn Fn(&mut serde_json::Value)| {
            let e = files.iter_mut().find(|(n, _)| n == name).unwrap();
            let mut v: serde_json::Value = serde_json::from_str(&e.1).unwrap();
            f(&mut v);
            e.1 = v.to_string();
        };
    set(&mut files, "errors.json", &|v| {
        v["codes"][3]["steps"] = serde_json::json!([])
    });
    set(&mut files, "errors.json", &|v| {
        v["codes"][1]["title"] = serde_json::json!({"de": "nur deutsch"})
    });
    set(&mut files, "faq.json", &|v| {
        v["entries"][2]["products"] = serde_json::json!(["barista-zero"])
    });
    set(&mut files, "contacts.json", &|v| {
        v["contacts"][0]["emial"] = serde_json::json!("typo")
    });
    set(&mut files, "care.json", &|v| {
        v["plans"][0]["tasks"][0]["interval"] = serde_json::json!({})
    });
    set(&mut files, "serials.json", &|v| {
        v["rules"][0]["pattern"] = serde_json::json!("BW{model:A2")
    });
    set(&mut files, "synonyms.json", &|v| {
        v["en"][0][1] = serde_json::json!("a phrase of four words")
    });
    // Written differently, folded the same (the index could not tell the groups apart).
    set(&mut files, "synonyms.json", &|v| {
        assert_eq!(v["de"][1][0], "bruhgruppe");
        v["de"][0][1] = serde_json::json!("Brühgruppe")
    });
    set(&mut files, "synonyms.json", &|v| {
        v["en"][1][1] = serde_json::json!("--")
    });
    files.push(("extra.json".into(), "{}".into()));
    files.retain(|(n, _)| n != "warranty.json");
    files.push(("warranty.json".into(), "{not json".into()));
    let err = Pack::from_files(&files).unwrap_err();
    let lines: Vec<String> = err.0.iter().map(ToString::to_string).collect();
    let expect = [
        "errors.json: /codes/3/steps: must be a non-empty list",
        "errors.json: /codes/1/title: missing the \"en\" text",
        "faq.json: /entries/2/products/0: unknown product \"barista-zero\"",
        "contacts.json: /contacts/0/emial: unknown field",
        "care.json: /plans/0/tasks/0/interval: needs a time interval",
        "serials.json: /rules/0/pattern: a part opened with \"{\" is never closed",
        "synonyms.json: /en/0/1: \"a phrase of four words\": synonyms are words or phrases of up to 3 words",
        "synonyms.json: /de/1/0: \"bruhgruppe\" is already in group /de/0",
        "synonyms.json: /en/1/1: \"--\": a synonym needs letters or digits",
        "extra.json: unknown file",
        "warranty.json: is not valid JSON",
    ];
    for e in expect {
        assert!(
            lines.iter().any(|l| l.starts_with(e)),
            "missing {e:?} in\n{}",
            lines.join("\n")
        );
    }
    assert!(
        err.to_string()
            .starts_with(&format!("the knowledge pack has {} problems:", lines.len()))
    );
    // A broken products.json is reported without follow-on "unknown product" errors.
    set(&mut files, "products.json", &|v| {
        v["products"][0]["gtin"] = serde_json::json!("4260999810012")
    });
    let err = Pack::from_files(&files).unwrap_err();
    let lines: Vec<String> = err.0.iter().map(ToString::to_string).collect();
    assert!(lines.iter().any(|l| l
        == "products.json: /products/0/gtin: GTIN 4260999810012: check digit is 2, expected 1"));
    assert!(
        !lines.iter().any(|l| l.contains("unknown product")),
        "{}",
        lines.join("\n")
    );
}

#[test]
fn bundle_form_loads_the_same_pack() {
    let mut bundle = serde_json::Map::new();
    for (name, text) in coffee_files() {
        bundle.insert(name, serde_json::from_str(&text).unwrap());
    }
    let p = Pack::from_bundle(&serde_json::Value::Object(bundle).to_string()).unwrap();
    assert_eq!(p.faq.len(), coffee().faq.len());
    assert!(Pack::from_bundle("[]").is_err());
}
