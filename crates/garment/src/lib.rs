//! Garments for doppel: the retailer's catalog format, body size charts, size label
//! conversions, glTF garment import/validation and the sample-garment generator.
//!
//! Pure logic (no `std::fs`, no web-sys, no wgpu): callers pass file contents in, so
//! the same code runs in the browser. See [`catalog`] for the folder and JSON format and
//! [`chart`] for the stand-alone size chart format.

pub mod appearance;
pub mod catalog;
pub mod chart;
pub mod ease;
pub mod generate;
pub mod labels;
pub mod mesh;
pub mod problem;
pub mod sleeve;

pub use catalog::{Catalog, Category, Fabric, FabricKind, FitIntent, GarmentDim, Product};
pub use chart::{MeasureValues, SizeChart};
pub use problem::{Problem, Problems};
