//! Native offscreen rendering for tests, the CLI and benchmarks (feature `native`).
//!
//! Set `WGPU_ADAPTER_NAME=llvmpipe` (or any substring) to pin the adapter, and
//! `WGPU_BACKEND=vulkan|gl` to pin the backend, as wgpu's own tests do.

use crate::RenderError;
use crate::renderer::{GpuCaps, Renderer, required_limits};

/// Colour format of offscreen targets: sRGB so the hardware does the encoding.
pub const OFFSCREEN_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;

/// An RGBA8 image in row-major order, sRGB-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RgbaImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 4` bytes.
    pub pixels: Vec<u8>,
}

/// A device plus a [`Renderer`] drawing into an offscreen texture.
pub struct Headless {
    device: wgpu::Device,
    queue: wgpu::Queue,
    /// The scene renderer; add meshes and move the camera through it.
    pub renderer: Renderer,
    /// The benchmark's render target and its view, kept between frames.
    scratch: Option<(wgpu::Texture, wgpu::TextureView)>,
}

impl Headless {
    /// Creates a device on the adapter chosen by the environment (see module docs).
    pub fn new() -> Result<Self, RenderError> {
        pollster::block_on(Self::new_async())
    }

    async fn new_async() -> Result<Self, RenderError> {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
        if std::env::var_os("WGPU_BACKEND").is_none() {
            desc.backends = wgpu::Backends::VULKAN | wgpu::Backends::GL;
        }
        let instance = wgpu::Instance::new(desc);
        let adapter = wgpu::util::initialize_adapter_from_env_or_default(&instance, None)
            .await
            .map_err(|e| {
                RenderError::NoAdapter(format!(
                    "{e} (install Mesa: apt-get install mesa-vulkan-drivers)"
                ))
            })?;
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("doppel headless"),
                required_limits: required_limits(&adapter),
                ..Default::default()
            })
            .await
            .map_err(|e| RenderError::Device(e.to_string()))?;
        let caps = GpuCaps::from_adapter(&adapter, OFFSCREEN_FORMAT);
        let renderer = Renderer::new(&device, &queue, OFFSCREEN_FORMAT, caps);
        Ok(Headless {
            device,
            queue,
            renderer,
            scratch: None,
        })
    }

    /// Renders one frame at `width × height` into an internal texture and waits until the
    /// GPU has finished it (no readback): what the frame-time benchmark measures.
    pub fn draw(&mut self, width: u32, height: u32) -> Result<(), RenderError> {
        self.renderer.resize(width, height)?;
        let stale = self
            .scratch
            .as_ref()
            .is_none_or(|(t, _)| t.width() != width || t.height() != height);
        if stale {
            let t = self.device.create_texture(&wgpu::TextureDescriptor {
                label: Some("scratch"),
                size: wgpu::Extent3d {
                    width,
                    height,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: OFFSCREEN_FORMAT,
                usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
                view_formats: &[],
            });
            let v = t.create_view(&Default::default());
            self.scratch = Some((t, v));
        }
        if let Some((_, v)) = &self.scratch {
            self.renderer.render(v)?;
        }
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| RenderError::Readback(e.to_string()))?;
        Ok(())
    }

    /// Renders one frame at `width × height` and reads it back.
    pub fn render(&mut self, width: u32, height: u32) -> Result<RgbaImage, RenderError> {
        self.renderer.resize(width, height)?;
        let texture = self.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("offscreen"),
            size: wgpu::Extent3d {
                width,
                height,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: OFFSCREEN_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        self.renderer
            .render(&texture.create_view(&Default::default()))?;
        self.read_back(&texture, width, height)
    }

    fn read_back(
        &self,
        texture: &wgpu::Texture,
        width: u32,
        height: u32,
    ) -> Result<RgbaImage, RenderError> {
        let unpadded = width * 4;
        let align = wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
        let padded = unpadded.div_ceil(align) * align;
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: u64::from(padded) * u64::from(height),
            usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
            mapped_at_creation: false,
        });
        let mut encoder = self.device.create_command_encoder(&Default::default());
        encoder.copy_texture_to_buffer(
            texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded),
                    rows_per_image: Some(height),
                },
            },
            texture.size(),
        );
        self.queue.submit([encoder.finish()]);
        let slice = buffer.slice(..);
        let (tx, rx) = std::sync::mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| RenderError::Readback(e.to_string()))?;
        rx.recv()
            .map_err(|e| RenderError::Readback(e.to_string()))?
            .map_err(|e| RenderError::Readback(e.to_string()))?;
        let data = slice
            .get_mapped_range()
            .map_err(|e| RenderError::Readback(e.to_string()))?;
        let mut pixels = Vec::with_capacity((unpadded * height) as usize);
        for row in data.chunks_exact(padded as usize) {
            pixels.extend_from_slice(&row[..unpadded as usize]);
        }
        drop(data);
        buffer.unmap();
        Ok(RgbaImage {
            width,
            height,
            pixels,
        })
    }
}

impl RgbaImage {
    /// Encodes as PNG bytes.
    pub fn to_png(&self) -> Result<Vec<u8>, RenderError> {
        let mut out = Vec::new();
        let err = |e: png::EncodingError| RenderError::Image {
            path: "<memory>".into(),
            reason: e.to_string(),
        };
        {
            let mut enc = png::Encoder::new(&mut out, self.width, self.height);
            enc.set_color(png::ColorType::Rgba);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header().map_err(err)?;
            w.write_image_data(&self.pixels).map_err(err)?;
        }
        Ok(out)
    }

    /// Writes a PNG file.
    pub fn save_png(&self, path: &std::path::Path) -> Result<(), RenderError> {
        let bytes = self.to_png()?;
        std::fs::write(path, bytes).map_err(|e| RenderError::Image {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
    }

    /// Reads an 8-bit RGBA or RGB PNG file.
    pub fn load_png(path: &std::path::Path) -> Result<Self, RenderError> {
        let err = |reason: String| RenderError::Image {
            path: path.display().to_string(),
            reason,
        };
        let file = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
        let decoder = png::Decoder::new(std::io::BufReader::new(file));
        let mut reader = decoder.read_info().map_err(|e| err(e.to_string()))?;
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| err("image too large".into()))?;
        let mut buf = vec![0; size];
        let info = reader
            .next_frame(&mut buf)
            .map_err(|e| err(e.to_string()))?;
        buf.truncate(info.buffer_size());
        let pixels = match (info.color_type, info.bit_depth) {
            (png::ColorType::Rgba, png::BitDepth::Eight) => buf,
            (png::ColorType::Rgb, png::BitDepth::Eight) => buf
                .chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect(),
            (c, d) => {
                return Err(err(format!(
                    "unsupported PNG format {c:?} {d:?} (need 8-bit RGB/RGBA)"
                )));
            }
        };
        Ok(RgbaImage {
            width: info.width,
            height: info.height,
            pixels,
        })
    }
}

/// Environment variable that turns [`check_reference`] into "overwrite the reference".
pub const UPDATE_REFERENCES: &str = "DOPPEL_UPDATE_REFERENCES";

/// The image-test harness shared by every crate's reference tests: compares `actual` with
/// `dir/<name>.png` under `tol`. On a mismatch (or a missing reference) it writes
/// `<name>.actual.png` and `<name>.diff.png` beside the reference and returns a message
/// naming them; on success it removes stale ones. With [`UPDATE_REFERENCES`] set it
/// overwrites the reference instead (a deliberate refresh).
pub fn check_reference(
    dir: &std::path::Path,
    name: &str,
    actual: &RgbaImage,
    tol: crate::compare::Tolerance,
) -> Result<(), String> {
    let reference = dir.join(format!("{name}.png"));
    let actual_path = dir.join(format!("{name}.actual.png"));
    let diff_path = dir.join(format!("{name}.diff.png"));
    let io = |e: RenderError| format!("{name}: {e}");
    if std::env::var_os(UPDATE_REFERENCES).is_some() {
        actual.save_png(&reference).map_err(io)?;
        eprintln!("updated reference {}", reference.display());
        return Ok(());
    }
    let expected = match RgbaImage::load_png(&reference) {
        Ok(e) => e,
        Err(e) => {
            actual.save_png(&actual_path).map_err(io)?;
            return Err(format!(
                "{e}; wrote {} (refresh with {UPDATE_REFERENCES}=1)",
                actual_path.display()
            ));
        }
    };
    if (expected.width, expected.height) != (actual.width, actual.height) {
        actual.save_png(&actual_path).map_err(io)?;
        return Err(format!(
            "{name}: size {}×{} differs from the reference's {}×{}; see {}",
            actual.width,
            actual.height,
            expected.width,
            expected.height,
            actual_path.display()
        ));
    }
    let c = crate::compare::compare(
        &expected.pixels,
        &actual.pixels,
        actual.width,
        actual.height,
        tol,
    )
    .map_err(|e| format!("{name}: {e}"))?;
    if c.passed {
        let _ = std::fs::remove_file(&actual_path);
        let _ = std::fs::remove_file(&diff_path);
        return Ok(());
    }
    actual.save_png(&actual_path).map_err(io)?;
    RgbaImage {
        width: actual.width,
        height: actual.height,
        pixels: c.diff_rgba,
    }
    .save_png(&diff_path)
    .map_err(io)?;
    Err(format!(
        "{name}: {} of {} pixels differ by more than {} (max {}), mean error {:.2}; see {} and {}",
        c.outliers,
        c.total,
        tol.per_channel,
        c.max_diff,
        c.mean_error,
        actual_path.display(),
        diff_path.display()
    ))
}
