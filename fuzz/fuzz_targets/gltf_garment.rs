//! Fuzzes the glTF garment import and validation, and the reader of its look (material,
//! UVs, embedded images). Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = doppel_garment::mesh::check_glb(data);
    let _ = doppel_garment::appearance::read_appearance(data);
});
