//! Arbitrary bytes into the body-model loader: it must return an error, never panic.
//! Valid-looking inputs that load are also evaluated and measured.

#![no_main]

use doppel_body::Sex;
use doppel_body::mesh_measure::measure;
use doppel_body::model::Model;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = Model::from_bytes(data) {
        for sex in [Sex::Female, Sex::Male] {
            let pos = model.evaluate(&model.neutral(sex));
            let _ = measure(&model, &pos);
        }
        let _ = model.to_bytes();
    }
});
