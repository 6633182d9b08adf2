//! doppel's body model: the shopper's digital double, computed on their device.
//!
//! This crate is pure logic (no web-sys, no wgpu). It owns the vocabulary every other
//! crate speaks about bodies: [`Sex`], [`Measure`] (the named tape measurements with
//! their plausible ranges and ANSUR II columns), validated [`BodyInput`], and unit
//! conversion in [`units`].

pub mod ansur;
pub mod avatar;
pub mod glb;
pub mod input;
pub mod measure;
pub mod mesh_measure;
pub mod model;
pub mod predict;
pub mod solve;
pub mod units;

pub use input::{BodyError, BodyInput};
pub use measure::{Measure, Sex};
pub use predict::{Prediction, predict};
