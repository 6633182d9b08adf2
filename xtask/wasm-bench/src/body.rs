//! Body benchmarks: model load, evaluate mesh, measure, predict, solve, full avatar.
//!
//! `setup_body(ptr, len)` takes the bytes of `assets/body/model.bin`; the inputs are the
//! ones of the native criterion bench (`crates/body/benches/mesh.rs`), so the figures
//! compare directly.

use crate::status;
use doppel_body::avatar::build_avatar_with;
use doppel_body::mesh_measure::measure;
use doppel_body::model::Model;
use doppel_body::solve::{Problem, solve};
use doppel_body::{BodyInput, Measure, Sex, predict};
use std::cell::RefCell;

struct State {
    bytes: Box<[u8]>,
    model: Model,
    /// The solved shape for `cwh` (a realistic, non-neutral body) and its mesh.
    shape: doppel_body::model::ShapeParams,
    mesh: Vec<[f32; 3]>,
    /// Female 165 cm / 62 kg, nothing else supplied.
    hw_only: (BodyInput, Problem),
    /// Male 181 cm / 88 kg / 42 y with chest, waist and hip supplied.
    cwh: (BodyInput, Problem),
}

thread_local! {
    // wasm32-unknown-unknown is single-threaded; natively each test thread gets its own.
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// The benchmark inputs (the same as in the native criterion bench `crates/body/benches/mesh.rs`).
pub fn inputs() -> Result<(BodyInput, BodyInput), doppel_body::BodyError> {
    let hw = BodyInput::new(Sex::Female, 165.0, 62.0, None, [])?;
    let cwh = BodyInput::new(
        Sex::Male,
        181.0,
        88.0,
        Some(42.0),
        [
            (Measure::Chest, 104.0),
            (Measure::Waist, 94.0),
            (Measure::Hip, 103.0),
        ],
    )?;
    Ok((hw, cwh))
}

fn problem(input: BodyInput) -> Result<(BodyInput, Problem), doppel_body::BodyError> {
    let p = predict(&input)?;
    let prob = Problem::from_prediction(&p, input.weight_kg);
    Ok((input, prob))
}

/// Takes the model file bytes (from `alloc`), parses them and prepares the inputs.
/// Returns 0, [`status::BAD_BUFFER`] or [`status::BAD_DATA`].
///
/// # Safety
/// `ptr` must come from `alloc(len)` and is consumed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn setup_body(ptr: *mut u8, len: usize) -> i32 {
    // SAFETY: forwarded contract of this function.
    let Some(bytes) = (unsafe { crate::take_bytes(ptr, len) }) else {
        return status::BAD_BUFFER;
    };
    let Ok(model) = Model::from_bytes(&bytes) else {
        return status::BAD_DATA;
    };
    let Ok((hw, cwh)) = inputs() else {
        return status::BAD_DATA;
    };
    let (Ok(hw_only), Ok(cwh)) = (problem(hw), problem(cwh)) else {
        return status::BAD_DATA;
    };
    let Ok(sol) = solve(&model, &cwh.1) else {
        return status::BAD_DATA;
    };
    let mesh = model.evaluate(&sol.shape);
    let state = State {
        bytes,
        model,
        shape: sol.shape,
        mesh,
        hw_only,
        cwh,
    };
    STATE.with(|s| *s.borrow_mut() = Some(state));
    0
}

fn with_state(f: impl FnOnce(&State) -> Option<f64>) -> f64 {
    STATE.with(|s| s.borrow().as_ref().and_then(f).unwrap_or(status::NOT_READY))
}

/// Parses and validates the model file (what a page does once after fetching it).
/// Returns the number of surface vertices.
#[unsafe(no_mangle)]
pub extern "C" fn bench_body_model_load() -> f64 {
    with_state(|s| {
        Model::from_bytes(&s.bytes)
            .ok()
            .map(|m| m.n_surface() as f64)
    })
}

/// Evaluates a solved (non-neutral) body's mesh: shape basis → vertex positions.
#[unsafe(no_mangle)]
pub extern "C" fn bench_body_evaluate() -> f64 {
    with_state(|s| Some(s.model.evaluate(&s.shape).len() as f64))
}

/// All ISO 8559-1 measurements and the volume of that mesh. Returns the hip, cm.
#[unsafe(no_mangle)]
pub extern "C" fn bench_body_measure() -> f64 {
    with_state(|s| measure(&s.model, &s.mesh).and_then(|m| m.values_cm.get(&Measure::Hip).copied()))
}

/// Predicts every measurement from height, weight, age and supplied chest, waist, hip.
/// Returns the predicted thigh, cm.
#[unsafe(no_mangle)]
pub extern "C" fn bench_body_predict() -> f64 {
    with_state(|s| {
        predict(&s.cwh.0)
            .ok()
            .and_then(|p| p.mean_cm.get(&Measure::Thigh).copied())
    })
}

/// Solves the shape for height and weight only. Returns the LM iterations.
#[unsafe(no_mangle)]
pub extern "C" fn bench_body_solve_hw() -> f64 {
    with_state(|s| {
        solve(&s.model, &s.hw_only.1)
            .ok()
            .map(|x| x.iterations as f64)
    })
}

/// Solves the shape with chest, waist and hip supplied (the ≤ 60 ms wasm budget).
/// Returns the LM iterations.
#[unsafe(no_mangle)]
pub extern "C" fn bench_body_solve_cwh() -> f64 {
    with_state(|s| solve(&s.model, &s.cwh.1).ok().map(|x| x.iterations as f64))
}

/// The whole avatar: predict + solve + measure + normals. Returns the largest error of a
/// supplied value, cm.
#[unsafe(no_mangle)]
pub extern "C" fn bench_body_avatar() -> f64 {
    with_state(|s| {
        build_avatar_with(&s.model, &s.cwh.0)
            .ok()
            .map(|a| a.max_supplied_error_cm)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_export_works_after_setup_and_fails_cleanly_before() {
        assert_eq!(bench_body_solve_hw(), status::NOT_READY);
        let bytes = include_bytes!("../../../assets/body/model.bin");
        let p = crate::alloc(bytes.len());
        // SAFETY: `p` has room for `bytes.len()` bytes and is consumed by setup_body.
        let rc = unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
            setup_body(p, bytes.len())
        };
        assert_eq!(rc, 0);
        let n = bench_body_model_load();
        assert!(n > 1000.0, "{n}");
        assert!(bench_body_evaluate() >= n);
        // The mesh measured is the solved body: its hip is the supplied 103 cm.
        let hip = bench_body_measure();
        assert!((hip - 103.0).abs() < 0.5, "{hip}");
        assert!(bench_body_predict() > 30.0);
        assert!(bench_body_solve_hw() >= 1.0);
        assert!(bench_body_solve_cwh() >= 1.0);
        let err = bench_body_avatar();
        assert!((0.0..0.5).contains(&err), "{err}");
    }

    #[test]
    fn bad_bytes_are_reported_not_panicking() {
        let p = crate::alloc(16);
        // SAFETY: `p` came from `alloc(16)` and is consumed.
        assert_eq!(unsafe { setup_body(p, 16) }, status::BAD_DATA);
        // SAFETY: null is rejected before any dereference.
        assert_eq!(
            unsafe { setup_body(std::ptr::null_mut(), 0) },
            status::BAD_BUFFER
        );
    }
}
