//! Fuzzes the ANSUR II CSV reader: any bytes must give people or an error, never a panic.
#![no_main]

use doppel_body::ansur;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(table) = ansur::AnsurTable::parse_bytes("fuzz.csv", data) {
        let _ = table.people(Some(doppel_body::Sex::Female));
        let _ = table.people(None);
        for row in 0..table.len().min(4) {
            let _ = table.mm_as_cm(row, "stature");
            let _ = table.text(row, "Gender");
        }
    }
});
