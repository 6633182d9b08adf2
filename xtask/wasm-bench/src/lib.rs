//! Benchmark exports for `cargo xtask bench-wasm`: a plain `cdylib` for
//! `wasm32-unknown-unknown` (no wasm-bindgen), driven by `tests/bench/wasm.mjs` under Node.
//!
//! Protocol (shared with `tests/bench/wasm.mjs`):
//! - `alloc(len) -> *mut u8` reserves `len` bytes; JS copies input bytes there (a model
//!   file, a pack JSON) and hands them to a `setup_*(ptr, len) -> i32` export, which takes
//!   ownership of the buffer and returns 0, or a negative code on error.
//! - `bench_*() -> f64` does one unit of work, timed by JS with `performance.now()`, and
//!   returns a result (an iteration count, a measured value: printed for a sanity check and
//!   keeping the work observable), or a negative number if it failed (e.g. no setup).
//!
//! **Adding a benchmark:** write one `#[unsafe(no_mangle)] pub extern "C" fn bench_<area>_<what>()
//! -> f64` in a module here (plus a `setup_<area>(ptr, len) -> i32` if it needs bytes, using
//! [`take_bytes`]), add the crate it measures to `Cargo.toml`, and add one entry to `BENCHES`
//! in `tests/bench/wasm.mjs`. The exports also build natively, so the workspace's clippy and
//! tests cover them.

// The FFI boundary: `no_mangle` exports and taking back a buffer JS filled.
#![allow(unsafe_code)]

pub mod body;
pub mod concierge;
pub mod drape;

/// Failure codes returned by `setup_*` exports and (as `f64`) by `bench_*` exports.
pub mod status {
    /// A null pointer or a length that does not match an `alloc`ation.
    pub const BAD_BUFFER: i32 = -1;
    /// The bytes were handed over but did not parse.
    pub const BAD_DATA: i32 = -2;
    /// A benchmark ran before its `setup_*` export, or its work failed.
    pub const NOT_READY: f64 = -3.0;
}

/// Reserves `len` bytes for JS to fill; pass the pointer and `len` to a `setup_*` export,
/// which frees it. Returns null for `len == 0`.
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    if len == 0 {
        return std::ptr::null_mut();
    }
    Box::into_raw(vec![0u8; len].into_boxed_slice()).cast::<u8>()
}

/// Takes back a buffer made by [`alloc`] with the same `len`.
///
/// # Safety
/// `ptr` must come from `alloc(len)` with this exact `len` and must not be used again
/// afterwards (the JS harness hands each buffer to exactly one setup call).
pub unsafe fn take_bytes(ptr: *mut u8, len: usize) -> Option<Box<[u8]>> {
    if ptr.is_null() || len == 0 {
        return None;
    }
    // SAFETY: per the contract above, `ptr`/`len` describe a live `Box<[u8]>` from `alloc`.
    Some(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloc_round_trips_through_take_bytes() {
        let p = alloc(5);
        assert!(!p.is_null());
        // SAFETY: `p` came from `alloc(5)` and is used once.
        let b = unsafe { take_bytes(p, 5) }.expect("buffer");
        assert_eq!(&*b, &[0u8; 5]);
        assert!(alloc(0).is_null());
        // SAFETY: null is rejected before any dereference.
        assert!(unsafe { take_bytes(std::ptr::null_mut(), 3) }.is_none());
    }
}
