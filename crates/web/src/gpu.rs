//! The live view: surface, renderer and the redraw loop on a canvas.
//!
//! Frames are drawn on demand (camera moved, canvas resized), never in a busy loop, and
//! the steady state allocates nothing.

use doppel_render::mesh::placeholder_figure;
use doppel_render::{GpuCaps, Material, MeshData, ObjectId, Renderer, ViewPreset};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// What the UI shows about the view's state.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewStatus {
    /// Looking for an adapter.
    Starting,
    /// Drawing with the named backend.
    Running(&'static str),
    /// No usable graphics: a message for the shopper.
    Failed(String),
}

/// A running view on one canvas.
pub struct GpuView {
    canvas: HtmlCanvasElement,
    surface: wgpu::Surface<'static>,
    device: wgpu::Device,
    queue: wgpu::Queue,
    config: wgpu::SurfaceConfiguration,
    renderer: Renderer,
    figure: Option<ObjectId>,
    garment: Option<ObjectId>,
    framed: bool,
    frames: u32,
    raf_pending: bool,
    dirty: bool,
}

/// Shared handle used by event callbacks.
pub type ViewHandle = Rc<RefCell<Option<GpuView>>>;

fn backends() -> wgpu::Backends {
    if cfg!(feature = "webgl") {
        wgpu::Backends::GL
    } else {
        wgpu::Backends::BROWSER_WEBGPU
    }
}

/// Creates the device and renderer for `canvas`. Errors are shopper-readable.
pub async fn create(canvas: HtmlCanvasElement) -> Result<GpuView, String> {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
    desc.backends = backends();
    let instance = wgpu::Instance::new(desc);
    let surface = instance
        .create_surface(wgpu::SurfaceTarget::Canvas(canvas.clone()))
        .map_err(|e| format!("This browser cannot draw 3D here ({e})."))?;
    let adapter = instance
        .request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::LowPower,
            compatible_surface: Some(&surface),
            ..Default::default()
        })
        .await
        .map_err(|e| format!("No graphics adapter is available ({e})."))?;
    let (device, queue) = adapter
        .request_device(&wgpu::DeviceDescriptor {
            label: Some("doppel"),
            required_limits: doppel_render::renderer::required_limits(&adapter),
            ..Default::default()
        })
        .await
        .map_err(|e| format!("The graphics device could not be opened ({e})."))?;
    let caps = surface.get_capabilities(&adapter);
    // Prefer an sRGB format; otherwise the shader encodes sRGB itself.
    let format = caps
        .formats
        .iter()
        .copied()
        .find(|f| f.is_srgb())
        .or_else(|| caps.formats.first().copied())
        .ok_or("The canvas offers no colour format.")?;
    let alpha_mode = caps
        .alpha_modes
        .first()
        .copied()
        .unwrap_or(wgpu::CompositeAlphaMode::Auto);
    let gpu_caps = GpuCaps::from_adapter(&adapter, format);
    let mut renderer = Renderer::new(&device, &queue, format, gpu_caps);
    // A placeholder stands in until the shopper's avatar is built.
    let figure = renderer
        .add_mesh("figure", placeholder_figure(), Material::SKIN)
        .map_err(|e| e.to_string())?;
    let mut config = surface
        .get_default_config(&adapter, 1, 1)
        .ok_or("The canvas cannot be used with this graphics adapter.")?;
    config.format = format;
    config.alpha_mode = alpha_mode;
    config.present_mode = wgpu::PresentMode::Fifo;
    let _ = canvas.set_attribute("data-backend", renderer.caps().backend_name());
    Ok(GpuView {
        canvas,
        surface,
        device,
        queue,
        config,
        renderer,
        figure: Some(figure),
        garment: None,
        framed: false,
        frames: 0,
        raf_pending: false,
        dirty: true,
    })
}

impl GpuView {
    /// Backend name for display and `data-backend`.
    pub fn backend_name(&self) -> &'static str {
        self.renderer.caps().backend_name()
    }

    /// Replaces the figure (the shopper's avatar) and re-frames the camera on it.
    pub fn set_figure(&mut self, mesh: MeshData, material: Material) -> Result<(), String> {
        let id = self
            .renderer
            .add_mesh("avatar", mesh, material)
            .map_err(|e| e.to_string())?;
        if let Some(old) = self.figure.replace(id) {
            self.renderer.remove(old);
        }
        self.framed = false;
        self.dirty = true;
        Ok(())
    }

    /// Shows `mesh` as the garment (replacing the previous one), or removes it with `None`.
    /// Per-vertex `colors` in the mesh carry the fit map.
    pub fn set_garment(
        &mut self,
        mesh: Option<MeshData>,
        material: Material,
    ) -> Result<(), String> {
        let id = match mesh {
            Some(m) => Some(
                self.renderer
                    .add_mesh("garment", m, material)
                    .map_err(|e| e.to_string())?,
            ),
            None => None,
        };
        if let Some(old) = std::mem::replace(&mut self.garment, id) {
            self.renderer.remove(old);
        }
        self.dirty = true;
        Ok(())
    }

    /// Changes the garment's material in place (e.g. transparency to see the body).
    pub fn set_garment_material(&mut self, material: Material) {
        if let Some(id) = self.garment {
            self.renderer.set_material(id, material);
            self.dirty = true;
        }
    }

    /// Rotates the camera by a pointer drag in CSS pixels.
    pub fn orbit(&mut self, dx: f32, dy: f32) {
        self.renderer.camera.orbit(dx, dy, 0.008);
        self.dirty = true;
    }

    /// Zooms by a factor (> 1 moves away).
    pub fn zoom(&mut self, factor: f32) {
        self.renderer.camera.zoom(factor);
        self.dirty = true;
    }

    /// Jumps to a preset view.
    pub fn set_view(&mut self, preset: ViewPreset) {
        self.renderer.camera.set_view(preset);
        self.dirty = true;
    }

    /// Returns to the framed home view.
    pub fn reset(&mut self) {
        self.renderer.camera.reset();
        self.dirty = true;
    }

    /// Marks the view for redraw (e.g. after a resize).
    pub fn invalidate(&mut self) {
        self.dirty = true;
    }

    /// Draws a frame if anything changed. Handles resize and surface loss.
    fn draw(&mut self) {
        if !self.dirty {
            return;
        }
        let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        let max = self.renderer.caps().max_texture_side;
        let w = ((f64::from(self.canvas.client_width()) * dpr).round() as u32).min(max);
        let h = ((f64::from(self.canvas.client_height()) * dpr).round() as u32).min(max);
        if w == 0 || h == 0 {
            // Zero-area canvas (hidden or collapsed): nothing to draw until it has a size.
            return;
        }
        if w != self.config.width || h != self.config.height {
            self.canvas.set_width(w);
            self.canvas.set_height(h);
            self.config.width = w;
            self.config.height = h;
            self.surface.configure(&self.device, &self.config);
            if self.renderer.resize(w, h).is_err() {
                return;
            }
        }
        if !self.framed {
            self.renderer.frame_scene(w, h);
            self.framed = true;
        }
        let frame = match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(f) => f,
            wgpu::CurrentSurfaceTexture::Suboptimal(f) => {
                self.surface.configure(&self.device, &self.config);
                f
            }
            wgpu::CurrentSurfaceTexture::Outdated | wgpu::CurrentSurfaceTexture::Lost => {
                // Reconfigure and carry on with the next frame.
                self.surface.configure(&self.device, &self.config);
                return;
            }
            // Timeout, occluded, validation: skip this frame; the next request retries.
            _ => return,
        };
        let view = frame
            .texture
            .create_view(&wgpu::TextureViewDescriptor::default());
        if self.renderer.render(&view).is_ok() {
            self.queue.present(frame);
            self.frames = self.frames.wrapping_add(1);
            self.dirty = false;
            // The end-to-end tests wait for this counter.
            let _ = self
                .canvas
                .set_attribute("data-frames", &self.frames.to_string());
        }
    }
}

/// Schedules one redraw on the next animation frame (coalesces repeated requests).
pub fn request_redraw(handle: &ViewHandle, raf: &Rc<Closure<dyn FnMut()>>) {
    let Ok(mut slot) = handle.try_borrow_mut() else {
        return;
    };
    let Some(view) = slot.as_mut() else { return };
    view.dirty = true;
    if view.raf_pending {
        return;
    }
    if let Some(w) = web_sys::window()
        && w.request_animation_frame(raf.as_ref().as_ref().unchecked_ref())
            .is_ok()
    {
        view.raf_pending = true;
    }
}

/// The animation-frame callback: one closure for the view's lifetime.
pub fn frame_callback(handle: ViewHandle) -> Closure<dyn FnMut()> {
    Closure::new(move || {
        if let Ok(mut slot) = handle.try_borrow_mut()
            && let Some(view) = slot.as_mut()
        {
            view.raf_pending = false;
            view.draw();
        }
    })
}
