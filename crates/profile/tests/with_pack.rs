//! The profile's care and report helpers against the sample coffee pack.

#![allow(clippy::unwrap_used)] // test code: a panic is a test failure

use doppel_concierge::report::{Field, ReportKind, build_report};
use doppel_concierge::{Date, Lang, TaskState, samples};
use doppel_profile::{OwnedProduct, Profile};
use std::collections::BTreeSet;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

#[test]
fn due_tasks_and_report_from_the_profile() {
    let pack = samples::sample("bohnenwerk").unwrap();
    let id = pack
        .identify("BWBO2410L00042", Some(d("2025-01-10")), 2025)
        .unwrap();
    let mut o = OwnedProduct::new("kitchen", &pack.manifest.id, &id.product.unwrap().id);
    o.serial = id.serial;
    o.purchase_date = Some(d("2025-01-20"));
    o.record_usage("water_l", d("2025-02-20"), 52.0).unwrap();
    o.record_usage("cups", d("2025-02-20"), 150.0).unwrap();
    o.log_care("filter-change", d("2025-02-20")).unwrap();
    o.record_usage("water_l", d("2025-03-01"), 58.0).unwrap();
    o.record_error("E08", d("2025-03-01"), None).unwrap();
    let mut profile = Profile::default();
    profile.add_owned(o).unwrap();
    let profile = Profile::load(&profile.save()).unwrap();
    let o = profile.owned("kitchen").unwrap();

    let tasks = o.due_tasks(&pack, d("2025-03-02"), Lang::En).unwrap();
    let get = |t: &str| tasks.iter().find(|x| x.task == t).unwrap();
    // 58 l of the 60 l descaling interval used: due (last 10 %), by usage.
    assert_eq!(
        (get("descale").state, get("descale").reason),
        (TaskState::Due, "usage")
    );
    // The filter was changed at 52 l: 6 l used of 50.
    let f = get("filter-change");
    assert_eq!(f.state, TaskState::Upcoming);
    assert_eq!(f.usage.as_ref().unwrap().used, 6.0);
    assert_eq!(f.last_done, Some(d("2025-02-20")));

    let data = o.report_data(&pack, Lang::De);
    let chosen = BTreeSet::from([Field::Product, Field::ErrorHistory, Field::Counters]);
    let r = build_report(
        ReportKind::Diagnostic,
        &data,
        &chosen,
        Lang::De,
        d("2025-03-02"),
    )
    .unwrap();
    assert!(r.json.contains("E08") && r.json.contains("58"));
    assert!(!r.json.contains("BWBO2410L00042"), "serial was not chosen");
    assert_eq!(
        r.withheld,
        vec![Field::Serial, Field::PurchaseDate, Field::CareLog]
    );
}
