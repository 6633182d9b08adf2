//! GS1 parsers (Digital Link, element strings), serial patterns and dates never panic.
#![no_main]

use doppel_concierge::serial::SerialPattern;
use doppel_concierge::{Date, gs1};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let _ = gs1::parse(&s, 2025);
    let _ = gs1::parse_digital_link(&s, 2025);
    if let Ok(d) = gs1::parse_element_string(&s, 1999) {
        if let Some(g) = d.gtin {
            assert_eq!(g.len(), 14);
        }
    }
    let _ = Date::parse(&s);
    if let Some((pattern, serial)) = s.split_once('\n') {
        if let Ok(p) = SerialPattern::compile(pattern) {
            let _ = p.matches(serial);
        }
    }
});
