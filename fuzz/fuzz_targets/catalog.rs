//! Fuzzes the catalog loader: arbitrary `catalog.json` text plus one arbitrary file that
//! every referenced path (chart or mesh) resolves to. Must never panic.
#![no_main]

use doppel_garment::catalog::{CheckOptions, check_catalog};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // First byte splits the input into the JSON and the "file" every path reads.
    let split = data
        .first()
        .map_or(0, |&b| b as usize)
        .min(data.len().saturating_sub(1));
    let (json, file) = data.split_at(split.max(1).min(data.len()));
    let text = String::from_utf8_lossy(json);
    let file = file.to_vec();
    let read = move |_: &str| -> Result<Vec<u8>, String> { Ok(file.clone()) };
    let _ = check_catalog(&text, &read, CheckOptions { meshes: true });
});
