//! Cloth solver benchmark: one garment size (~8k vertices) draped on an avatar, as the
//! native criterion bench `crates/fit/benches/drape.rs` does (hoodie-men M, subdivided
//! once; male 178 cm / 80 kg avatar; body collider prepared once in setup).
//!
//! `setup_drape(ptr, len)` takes the bytes of `assets/body/model.bin`.

use crate::status;
use doppel_body::avatar::build_avatar_with;
use doppel_body::model::Model;
use doppel_body::{BodyInput, Sex};
use doppel_fit::drape::{BodyCollider, BodySurface, dress_on, subdivide};
use doppel_garment::catalog::{Category, CheckOptions, Fabric, check_catalog};
use doppel_garment::generate::{reference_stature_cm, sample_catalog};
use doppel_garment::mesh::check_glb;
use std::cell::RefCell;
use std::collections::BTreeMap;

struct State {
    collider: BodyCollider,
    positions: Vec<[f32; 3]>,
    indices: Vec<u32>,
    ref_stature_m: f32,
    fabric: Fabric,
    category: Category,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

fn prepare(model: &Model) -> Option<State> {
    let input = BodyInput::new(Sex::Male, 178.0, 80.0, Some(35.0), []).ok()?;
    let av = build_avatar_with(model, &input).ok()?.mesh;
    let collider = BodyCollider::new(&BodySurface {
        positions: &av.positions,
        normals: &av.normals,
        indices: &av.indices,
    })
    .ok()?
    .with_joints(&av.joints);
    let files: BTreeMap<String, Vec<u8>> = sample_catalog().ok()?.into_iter().collect();
    let read = |p: &str| files.get(p).cloned().ok_or_else(|| "missing".to_string());
    let text = String::from_utf8(files.get("catalog.json")?.clone()).ok()?;
    let products = check_catalog(&text, &read, CheckOptions { meshes: false }).products;
    let p = products.iter().find(|p| p.id == "hoodie-men")?;
    let mesh = check_glb(files.get(p.size("M")?.mesh.as_deref()?)?).mesh?;
    let (positions, indices) = subdivide(&mesh.positions, &mesh.indices).ok()?;
    Some(State {
        collider,
        positions,
        indices,
        ref_stature_m: reference_stature_cm(&p.chart.name, "M")? as f32 / 100.0,
        fabric: p.fabric,
        category: p.category,
    })
}

/// Takes the model file bytes, builds the avatar, its collider and the garment.
/// Returns 0, [`status::BAD_BUFFER`] or [`status::BAD_DATA`].
///
/// # Safety
/// `ptr` must come from `alloc(len)` and is consumed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn setup_drape(ptr: *mut u8, len: usize) -> i32 {
    // SAFETY: forwarded contract of this function.
    let Some(bytes) = (unsafe { crate::take_bytes(ptr, len) }) else {
        return status::BAD_BUFFER;
    };
    let Some(state) = Model::from_bytes(&bytes).ok().and_then(|m| prepare(&m)) else {
        return status::BAD_DATA;
    };
    STATE.with(|s| *s.borrow_mut() = Some(state));
    0
}

/// Drapes the hoodie (~8k vertices) once; returns its mean strain × 1000.
#[unsafe(no_mangle)]
pub extern "C" fn bench_drape_hoodie_8k() -> f64 {
    STATE.with(|s| match &*s.borrow() {
        Some(st) => dress_on(
            &st.collider,
            &st.positions,
            &st.indices,
            st.ref_stature_m,
            &st.fabric,
            st.category,
        )
        .map_or(status::NOT_READY, |d| d.mean_strain * 1000.0),
        None => status::NOT_READY,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drape_bench_runs_after_setup() {
        assert_eq!(bench_drape_hoodie_8k(), status::NOT_READY);
        let Ok(model) = Model::builtin() else {
            return;
        };
        let st = prepare(model).expect("prepares");
        assert!(st.positions.len() > 7000, "{}", st.positions.len());
        STATE.with(|s| *s.borrow_mut() = Some(st));
        assert!(bench_drape_hoodie_8k().is_finite());
    }
}
