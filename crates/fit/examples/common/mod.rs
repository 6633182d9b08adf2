//! Setup shared by the cloth solver's examples and its criterion bench (included with
//! `#[path]`/`mod common;`): the sample catalog as files and products, and the reported
//! timing case (hoodie-men M on the man 178 cm / 80 kg).

#![allow(dead_code)] // each includer uses a part

use doppel_body::avatar::{AvatarMesh, build_avatar};
use doppel_body::{BodyInput, Sex};
use doppel_fit::drape::BodySurface;
use doppel_garment::Product;
use doppel_garment::catalog::{CheckOptions, check_catalog};
use doppel_garment::generate::{reference_stature_cm, sample_catalog};
use doppel_garment::mesh::{GarmentMesh, check_glb};
use std::collections::BTreeMap;

/// The generated sample catalog's files by path, and its checked products.
pub fn sample() -> (BTreeMap<String, Vec<u8>>, Vec<Product>) {
    let files: BTreeMap<String, Vec<u8>> = sample_catalog().unwrap().into_iter().collect();
    let read = |p: &str| files.get(p).cloned().ok_or_else(|| "missing".to_string());
    let text = String::from_utf8(files["catalog.json"].clone()).unwrap();
    let products = check_catalog(&text, &read, CheckOptions { meshes: false }).products;
    (files, products)
}

/// The avatar of a body with age 35 and no tape measurements.
pub fn avatar(sex: Sex, height_cm: f64, weight_kg: f64) -> AvatarMesh {
    build_avatar(&BodyInput::new(sex, height_cm, weight_kg, Some(35.0), []).unwrap())
        .unwrap()
        .mesh
}

/// The avatar as the solver's body surface.
pub fn surface(av: &AvatarMesh) -> BodySurface<'_> {
    BodySurface {
        positions: &av.positions,
        normals: &av.normals,
        indices: &av.indices,
    }
}

/// The reported timing case: the man 178/80, and hoodie-men size M (its product, authored
/// mesh, and reference stature in metres).
pub struct TimingCase {
    pub avatar: AvatarMesh,
    pub product: Product,
    pub mesh: GarmentMesh,
    pub ref_m: f32,
}

/// Builds [`TimingCase`].
pub fn timing_case() -> TimingCase {
    let (files, products) = sample();
    let product = products.into_iter().find(|p| p.id == "hoodie-men").unwrap();
    let size = product.size("M").unwrap();
    let mesh = check_glb(&files[size.mesh.as_deref().unwrap()])
        .mesh
        .unwrap();
    let ref_m = reference_stature_cm(&product.chart.name, "M").unwrap() as f32 / 100.0;
    TimingCase {
        avatar: avatar(Sex::Male, 178.0, 80.0),
        product,
        mesh,
        ref_m,
    }
}
