//! Fit analysis and size recommendation for doppel.
//!
//! * [`analysis`]: per size and region, ease (garment − body), strain and a verdict that
//!   accounts for the cut's fit intent and the fabric's stretch.
//! * [`recommend`](mod@recommend): the probability of every size under the body's predictive
//!   distribution (Monte Carlo over correlated draws), the recommended size with its
//!   confidence, the runner-up and a short explanation in German and English.
//! * [`eval`]: scoring of recommendations against a chart (accuracy, within-one,
//!   expected calibration error) and the least-squares baseline.
//! * [`bound`]: a model-free upper bound on the size accuracy any recommender can reach
//!   from height, weight and age (input twins), its bias measured on simulated data.
//! * [`fitmap`]: per-vertex ease against the avatar; [`drape`]: the XPBD cloth solver
//!   that carries a garment onto the avatar and relaxes it (strain, inside share, girth
//!   strain per region for [`FitAnalysis::apply_drape`]).
//!
//! Pure logic: no file access, no threads, no clocks; deterministic for a given seed.

pub mod analysis;
pub mod bound;
pub mod drape;
pub mod eval;
pub mod fitmap;
pub mod recommend;

pub use analysis::{FitAnalysis, FitModel, FitPreference, Region, RegionFit, Verdict};
pub use recommend::{Recommendation, recommend};
