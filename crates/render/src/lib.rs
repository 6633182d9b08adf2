//! doppel's renderer: one wgpu code path for WebGPU, WebGL2 and native/headless.
//!
//! The crate never touches the DOM: the web crate hands it a [`wgpu::Surface`] made from a
//! canvas, the CLI and tests use [`headless`] (feature `native`). Capability tiers are chosen
//! at runtime from what the adapter offers ([`GpuCaps`]), so nothing here needs a feature only
//! one backend has.

pub mod camera;
pub mod compare;
pub mod fitmap;
#[cfg(feature = "native")]
pub mod headless;
pub mod mesh;
pub mod renderer;
pub mod texture;

pub use camera::{OrbitCamera, ViewPreset};
pub use mesh::{Bounds, MeshData};
pub use renderer::{GpuCaps, Material, ObjectId, PbrMaps, Renderer, Slot};
pub use texture::{Fabric, TextureError, TextureImage};

/// Everything that can go wrong while setting up or drawing.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// No adapter could be found for the requested backends.
    #[error("no graphics adapter available: {0}")]
    NoAdapter(String),
    /// The adapter refused to create a device with the limits we need.
    #[error("could not create a graphics device: {0}")]
    Device(String),
    /// The surface could not be created or configured.
    #[error("surface error: {0}")]
    Surface(String),
    /// A mesh that cannot be drawn (empty, bad indices, non-finite positions).
    #[error("invalid mesh {name:?}: {reason}")]
    BadMesh {
        /// Mesh name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// Size of a render target that is zero or beyond the device limit.
    #[error("invalid target size {width}×{height} (allowed 1–{max} per side)")]
    BadSize {
        /// Requested width.
        width: u32,
        /// Requested height.
        height: u32,
        /// Device limit per side.
        max: u32,
    },
    /// Reading back pixels failed.
    #[error("readback failed: {0}")]
    Readback(String),
    /// Encoding or decoding an image file failed.
    #[error("image file {path}: {reason}")]
    Image {
        /// File path.
        path: String,
        /// What went wrong.
        reason: String,
    },
}
