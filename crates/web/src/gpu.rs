//! The live view: surface, renderer and the redraw loop on a canvas.
//!
//! Frames are drawn on demand (camera moved, canvas resized), never in a busy loop, and
//! the steady state allocates nothing on the Rust heap: the renderer writes its uniforms in
//! place, and the frame counter for `data-frames` is formatted into a stack buffer.
//!
//! Faults: a lost device (WebGPU `device.lost`, WebGL `webglcontextlost`) marks the view
//! lost; the next frame callback rebuilds device, surface and renderer on the same canvas
//! and re-uploads the meshes it keeps, then draws. [`GpuView::status_message`] and the
//! canvas's `data-status` (`running`, `recovering`, `failed`) say where it stands. Surface
//! errors skip a frame or reconfigure; a zero-area canvas draws nothing until it has a size.

use doppel_render::mesh::placeholder_figure;
use doppel_render::{
    Fabric, GpuCaps, Material, MeshData, ObjectId, PbrMaps, Renderer, Slot, ViewPreset,
};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
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

/// Set by the device-lost and context-lost callbacks (which may run outside any borrow).
#[derive(Default)]
struct FaultFlags {
    lost: AtomicBool,
    /// The last uncaptured device error, for the status line and diagnostics.
    last_error: Mutex<Option<String>>,
}

/// Where the view stands after faults.
#[derive(Debug, Clone, PartialEq)]
enum Health {
    Running,
    /// Device lost; a rebuild is pending or under way.
    Recovering,
    /// The rebuild failed: the message says why.
    Failed(String),
}

/// A garment's own look from its `.glb`: material factors, UVs and the base colour image
/// the browser decoded (`createImageBitmap`; the wasm has no image decoder).
#[derive(Debug, Clone)]
pub struct Look {
    /// `baseColorFactor`, roughness, metallic.
    pub material: Material,
    /// `TEXCOORD_0` per vertex of the authored mesh (draping keeps the vertex order).
    pub uvs: Vec<[f32; 2]>,
    /// The decoded base colour image and its size, when the file has one.
    pub image: Option<(web_sys::ImageBitmap, u32, u32)>,
    /// Procedural cloth detail for the product's fabric (knit or weave).
    pub fabric: Fabric,
}

/// A mesh as last handed to the view, kept so it can be uploaded again after device loss.
#[derive(Clone)]
struct Source {
    mesh: MeshData,
    material: Material,
    maps: PbrMaps,
    /// UVs and decoded image of a textured garment.
    look: Option<Rc<Look>>,
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
    compare: Option<ObjectId>,
    figure_src: Option<Source>,
    garment_src: Option<Source>,
    compare_src: Option<Source>,
    framed: bool,
    frames: u32,
    /// A new avatar / garment was handed over and its first frame is not yet presented
    /// (for the `data-avatar-frame-ms` / `data-garment-frame-ms` timestamps).
    avatar_frame_pending: bool,
    garment_frame_pending: bool,
    raf_pending: bool,
    dirty: bool,
    faults: Arc<FaultFlags>,
    health: Health,
    resets: u32,
    /// Keeps the WebGL context-loss listeners alive as long as the view.
    _listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
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
    let faults = Arc::new(FaultFlags::default());
    {
        let f = faults.clone();
        device.set_device_lost_callback(move |_reason, _msg| {
            f.lost.store(true, Ordering::SeqCst);
        });
        let f = faults.clone();
        // Errors are recorded, never panicked on; a frame that fails is simply not shown.
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            if let Ok(mut slot) = f.last_error.lock() {
                *slot = Some(e.to_string());
            }
        }));
    }
    let listeners = if cfg!(feature = "webgl") {
        context_loss_listeners(&canvas, &faults)
    } else {
        Vec::new()
    };
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
    let _ = canvas.set_attribute("data-status", "running");
    Ok(GpuView {
        canvas,
        surface,
        device,
        queue,
        config,
        renderer,
        figure: Some(figure),
        garment: None,
        compare: None,
        figure_src: None,
        garment_src: None,
        compare_src: None,
        framed: false,
        frames: 0,
        avatar_frame_pending: false,
        garment_frame_pending: false,
        raf_pending: false,
        dirty: true,
        faults,
        health: Health::Running,
        resets: 0,
        _listeners: listeners,
    })
}

/// WebGL reports a lost context only through canvas events: prevent the default (so the
/// browser may restore it) and mark the view lost.
fn context_loss_listeners(
    canvas: &HtmlCanvasElement,
    faults: &Arc<FaultFlags>,
) -> Vec<Closure<dyn FnMut(web_sys::Event)>> {
    let f = faults.clone();
    let lost = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        e.prevent_default();
        f.lost.store(true, Ordering::SeqCst);
    });
    let _ =
        canvas.add_event_listener_with_callback("webglcontextlost", lost.as_ref().unchecked_ref());
    vec![lost]
}

impl Drop for GpuView {
    fn drop(&mut self) {
        // The listener closures die with the view: detach them first.
        for l in &self._listeners {
            let _ = self.canvas.remove_event_listener_with_callback(
                "webglcontextlost",
                l.as_ref().unchecked_ref(),
            );
        }
    }
}

// The fault, split-view and texture API below is for the viewer UI to wire up; until it
// does, parts of it are unused in this crate.
#[allow(dead_code)]
impl GpuView {
    /// Backend name for display and `data-backend`.
    pub fn backend_name(&self) -> &'static str {
        self.renderer.caps().backend_name()
    }

    /// A line for the shopper while the view is not simply running: recovering from a
    /// lost graphics device, or why it could not recover. `None` when all is well.
    pub fn status_message(&self) -> Option<String> {
        match &self.health {
            Health::Running => None,
            Health::Recovering => {
                Some("The graphics device was reset; restoring the 3D view…".to_string())
            }
            Health::Failed(msg) => Some(format!(
                "The 3D view stopped after a graphics reset ({msg}). Reload the page to try again."
            )),
        }
    }

    /// How many times the device was lost and the view rebuilt.
    pub fn device_resets(&self) -> u32 {
        self.resets
    }

    /// The last uncaptured graphics error (diagnostics; the view keeps running).
    pub fn last_error(&self) -> Option<String> {
        self.faults.last_error.lock().ok().and_then(|s| s.clone())
    }

    /// Bytes of GPU memory the renderer allocated (buffers, textures, targets).
    pub fn gpu_memory_bytes(&self) -> u64 {
        self.renderer.gpu_memory_bytes()
    }

    /// Destroys the device as a driver reset would (for tests of the recovery path).
    pub fn simulate_device_loss(&mut self) {
        self.faults.lost.store(true, Ordering::SeqCst);
        self.device.destroy();
        self.dirty = true;
    }

    /// Replaces the figure (the shopper's avatar) and re-frames the camera on it.
    pub fn set_figure(&mut self, mesh: MeshData, material: Material) -> Result<(), String> {
        let src = Source {
            mesh,
            material,
            maps: PbrMaps::default(),
            look: None,
        };
        let id = self.upload(&src, "avatar", Slot::Both)?;
        if let Some(old) = self.figure.replace(id) {
            self.renderer.remove(old);
        }
        self.figure_src = Some(src);
        self.framed = false;
        self.avatar_frame_pending = true;
        self.dirty = true;
        Ok(())
    }

    fn upload(&mut self, src: &Source, name: &str, slot: Slot) -> Result<ObjectId, String> {
        let uvs = src.look.as_ref().map_or(&[][..], |l| &l.uvs[..]);
        let id = self
            .renderer
            .add_mesh_pbr(name, src.mesh.clone(), uvs, src.material, &src.maps)
            .map_err(|e| e.to_string())?;
        self.renderer.set_slot(id, slot);
        if let Some((bitmap, w, h)) = src.look.as_ref().and_then(|l| l.image.as_ref()) {
            let source = wgpu::CopyExternalImageSourceInfo {
                source: wgpu::ExternalImageSource::ImageBitmap(bitmap.clone()),
                origin: wgpu::Origin2d::ZERO,
                flip_y: false,
            };
            // A texture the device refuses (e.g. beyond its size limit) leaves the factor
            // colour: the garment is still shown.
            if let Err(e) = self.renderer.set_base_color_image(id, &source, *w, *h) {
                web_sys::console::warn_1(&format!("doppel: garment texture not shown: {e}").into());
            }
        }
        Ok(id)
    }

    /// A garment mesh with the current cloth detail and, if given, its own look.
    fn garment_source(
        mesh: Option<MeshData>,
        material: Material,
        look: Option<Rc<Look>>,
    ) -> Option<Source> {
        mesh.map(|mesh| Source {
            mesh,
            material,
            maps: PbrMaps {
                // The product's cloth; a garment shown without its look (fit map) keeps
                // a generic weave so its relief still reads as cloth.
                fabric: Some(look.as_ref().map_or(Fabric::Weave, |l| l.fabric)),
                ..PbrMaps::default()
            },
            look,
        })
    }

    /// Uploads `src` into `slot` and only then removes `old`, so a failed upload leaves the
    /// previous object on screen. Returns the new object's id.
    fn replace(
        &mut self,
        src: Option<&Source>,
        name: &str,
        slot: Slot,
        old: Option<ObjectId>,
    ) -> Result<Option<ObjectId>, String> {
        let id = match src {
            Some(s) => Some(self.upload(s, name, slot)?),
            None => None,
        };
        if let Some(old) = old {
            self.renderer.remove(old);
        }
        Ok(id)
    }

    /// Shows `mesh` as the garment (replacing the previous one), or removes it with `None`.
    /// Per-vertex `colors` in the mesh carry the fit map (pass no `look` then: the texture
    /// would hide the colours). In split view it is the left one.
    pub fn set_garment(
        &mut self,
        mesh: Option<MeshData>,
        material: Material,
        look: Option<Rc<Look>>,
    ) -> Result<(), String> {
        let src = Self::garment_source(mesh, material, look);
        self.garment = self.replace(src.as_ref(), "garment", Slot::Left, self.garment)?;
        self.garment_frame_pending = src.is_some();
        self.garment_src = src;
        self.dirty = true;
        Ok(())
    }

    /// Split view for comparing two sizes: `Some` shows `mesh` on the right with the
    /// current garment on the left, the same avatar and one shared camera; `None` returns
    /// to the single view. Re-frames the camera for the new view width.
    pub fn set_compare_garment(
        &mut self,
        mesh: Option<MeshData>,
        material: Material,
        look: Option<Rc<Look>>,
    ) -> Result<(), String> {
        let src = Self::garment_source(mesh, material, look);
        self.compare = self.replace(src.as_ref(), "compared garment", Slot::Right, self.compare)?;
        self.renderer.set_split(src.is_some());
        // The end-to-end tests read the renderer's split state from here.
        let _ = self
            .canvas
            .set_attribute("data-split", if src.is_some() { "on" } else { "off" });
        self.compare_src = src;
        self.framed = false;
        self.dirty = true;
        Ok(())
    }

    /// Whether the split (compare) view is showing.
    pub fn is_split(&self) -> bool {
        self.renderer.split()
    }

    /// Turns the key light's shadow map on or off (the floor keeps a contact shadow).
    pub fn set_shadows(&mut self, on: bool) {
        self.renderer.set_shadows(on);
        self.dirty = true;
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

    fn set_health(&mut self, h: Health) {
        let attr = match &h {
            Health::Running => "running",
            Health::Recovering => "recovering",
            Health::Failed(_) => "failed",
        };
        let _ = self.canvas.set_attribute("data-status", attr);
        self.health = h;
    }

    /// Draws a frame if anything changed. Handles resize, surface and device loss.
    fn draw(&mut self) {
        if self.faults.lost.load(Ordering::SeqCst) {
            if self.health == Health::Running {
                self.set_health(Health::Recovering);
            }
            return;
        }
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
            // The end-to-end tests wait for this counter (formatted without allocating).
            let mut buf = [0u8; 10];
            let _ = self
                .canvas
                .set_attribute("data-frames", format_u32(self.frames, &mut buf));
            self.mark_milestones();
        }
    }

    /// Timestamps (`performance.now()` of this page) of the first frame at all, the first
    /// frame showing a newly set avatar and a newly set garment, as canvas attributes, plus
    /// a `doppel:avatar-frame` performance mark: what the click-to-first-frame benchmark
    /// reads. Formats only on those frames, so the steady state still allocates nothing.
    fn mark_milestones(&mut self) {
        let first = self.frames == 1 && self.resets == 0;
        if !(first || self.avatar_frame_pending || self.garment_frame_pending) {
            return;
        }
        let now = format!("{:.1}", performance_now());
        if first {
            let _ = self.canvas.set_attribute("data-first-frame-ms", &now);
        }
        if self.avatar_frame_pending && self.figure_src.is_some() {
            let _ = self.canvas.set_attribute("data-avatar-frame-ms", &now);
            performance_mark("doppel:avatar-frame");
        }
        if self.garment_frame_pending {
            let _ = self.canvas.set_attribute("data-garment-frame-ms", &now);
        }
        self.avatar_frame_pending = false;
        self.garment_frame_pending = false;
    }

    /// Uploads the kept meshes and camera of `old` into this fresh view.
    fn restore_from(&mut self, old: &GpuView) -> Result<(), String> {
        if let Some(f) = &old.figure_src {
            self.set_figure(f.mesh.clone(), f.material)?;
        }
        if let Some(g) = &old.garment_src {
            let id = self.upload(g, "garment", Slot::Left)?;
            self.garment = Some(id);
            self.garment_src = Some(g.clone());
        }
        if let Some(c) = &old.compare_src {
            let id = self.upload(c, "compared garment", Slot::Right)?;
            self.compare = Some(id);
            self.compare_src = Some(c.clone());
            self.renderer.set_split(true);
        }
        self.renderer.set_shadows(old.renderer.shadows());
        self.renderer.camera = old.renderer.camera;
        self.framed = old.framed;
        self.frames = old.frames;
        self.resets = old.resets + 1;
        Ok(())
    }
}

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`: milliseconds since this page's time origin.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
    /// `performance.mark(name)` (also used by the widget to bracket its drapes).
    #[wasm_bindgen(js_namespace = performance, js_name = mark)]
    pub(crate) fn performance_mark(name: &str);
}

/// Decimal digits of `v` in `buf`, without a heap allocation.
fn format_u32(mut v: u32, buf: &mut [u8; 10]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}

/// Waits `ms` milliseconds on the browser's timer.
async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Rebuilds the view after device loss: new device, surface and renderer on the same
/// canvas, the kept meshes uploaded again, then one frame drawn. WebGL contexts come back
/// only when the browser restores them, so creation is retried for a few seconds.
async fn recover(handle: ViewHandle) {
    let Some(canvas) = handle
        .try_borrow()
        .ok()
        .and_then(|s| s.as_ref().map(|v| v.canvas.clone()))
    else {
        return;
    };
    let mut last_err = String::new();
    for attempt in 0..12 {
        if attempt > 0 {
            sleep_ms(500).await;
        }
        match create(canvas.clone()).await {
            Ok(mut fresh) => {
                let Ok(mut slot) = handle.try_borrow_mut() else {
                    return;
                };
                let restored = match slot.as_ref() {
                    Some(old) => fresh.restore_from(old),
                    None => return,
                };
                match restored {
                    Ok(()) => {
                        fresh.set_health(Health::Running);
                        fresh.dirty = true;
                        fresh.draw();
                        *slot = Some(fresh);
                        return;
                    }
                    Err(e) => last_err = e,
                }
            }
            Err(e) => last_err = e,
        }
    }
    if let Ok(mut slot) = handle.try_borrow_mut()
        && let Some(v) = slot.as_mut()
    {
        v.set_health(Health::Failed(last_err));
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

/// Draws if needed; starts the rebuild if the device was lost and none is under way yet.
fn draw_or_recover(handle: &ViewHandle) {
    let mut start_recovery = false;
    if let Ok(mut slot) = handle.try_borrow_mut()
        && let Some(view) = slot.as_mut()
    {
        let was_running = view.health == Health::Running;
        view.draw();
        start_recovery = was_running && view.health == Health::Recovering;
    }
    if start_recovery {
        wasm_bindgen_futures::spawn_local(recover(handle.clone()));
    }
}

/// The animation-frame callback: one closure for the view's lifetime. It also starts a
/// once-a-second check for device loss, so a view nobody touches still recovers (the
/// device-lost callback itself cannot reach the view: it must be `Send`).
pub fn frame_callback(handle: ViewHandle) -> Closure<dyn FnMut()> {
    {
        let handle = handle.clone();
        let watch = Closure::<dyn FnMut()>::new(move || {
            let lost = handle
                .try_borrow()
                .ok()
                .and_then(|s| s.as_ref().map(|v| v.faults.lost.load(Ordering::SeqCst)))
                .unwrap_or(false);
            if lost {
                draw_or_recover(&handle);
            }
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_interval_with_callback_and_timeout_and_arguments_0(
                watch.as_ref().unchecked_ref(),
                1000,
            );
        }
        // The check lives as long as the page, like the view's resize listener.
        watch.forget();
    }
    Closure::new(move || {
        if let Ok(mut slot) = handle.try_borrow_mut()
            && let Some(view) = slot.as_mut()
        {
            view.raf_pending = false;
        }
        draw_or_recover(&handle);
    })
}
