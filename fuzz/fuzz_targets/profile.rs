//! The profile loader never panics, and whatever it accepts survives save → load unchanged.
#![no_main]

use doppel_profile::Profile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    if let Ok(p) = Profile::load(&s) {
        let again = Profile::load(&p.save()).expect("a saved profile loads");
        assert_eq!(again, p);
    }
});
