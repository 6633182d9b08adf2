//! Fuzzes the size chart parser, then exercises the chart rule on what it accepted.
#![no_main]

use doppel_body::Measure;
use doppel_garment::chart::{SizeChart, measure_values};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(c) = SizeChart::from_json(&text) {
        let body = measure_values([
            (Measure::Chest, 100.0),
            (Measure::Waist, 90.0),
            (Measure::Hip, 100.0),
        ]);
        let _ = c.true_size(&body);
        let _ = c.neighbour_issues();
    }
});
