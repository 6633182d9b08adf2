//! The scene renderer: pipelines, GPU meshes and the frame.

use crate::RenderError;
use crate::camera::OrbitCamera;
use crate::mesh::{Bounds, MeshData};
use bytemuck::{Pod, Zeroable};
use glam::{Mat4, Vec3};
use wgpu::util::DeviceExt;

/// Depth buffer format: 24-bit depth is available on every tier, WebGL2 included.
pub const DEPTH_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth24Plus;

/// What the adapter can do, decided once at start-up (Rerun-style capability tiers).
#[derive(Debug, Clone, PartialEq)]
pub struct GpuCaps {
    /// Backend in use.
    pub backend: wgpu::Backend,
    /// Adapter name as reported by the driver.
    pub adapter_name: String,
    /// MSAA sample count used for the colour target (4 where supported, else 1).
    pub sample_count: u32,
    /// Largest texture side the device allows.
    pub max_texture_side: u32,
}

impl GpuCaps {
    /// Inspects an adapter for rendering into `format`.
    pub fn from_adapter(adapter: &wgpu::Adapter, format: wgpu::TextureFormat) -> Self {
        let info = adapter.get_info();
        let flags = adapter.get_texture_format_features(format).flags;
        let sample_count = if flags.sample_count_supported(4) {
            4
        } else {
            1
        };
        GpuCaps {
            backend: info.backend,
            adapter_name: info.name,
            sample_count,
            max_texture_side: adapter.limits().max_texture_dimension_2d,
        }
    }

    /// `"webgpu"`, `"webgl2"`, `"vulkan"`, … — the name shown to users and tests.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            wgpu::Backend::BrowserWebGpu => "webgpu",
            wgpu::Backend::Gl if cfg!(target_arch = "wasm32") => "webgl2",
            wgpu::Backend::Gl => "gl",
            wgpu::Backend::Vulkan => "vulkan",
            wgpu::Backend::Metal => "metal",
            wgpu::Backend::Dx12 => "dx12",
            wgpu::Backend::Noop => "noop",
        }
    }
}

/// Limits every tier satisfies: WebGL2's, raised to what the adapter's resolution allows.
pub fn required_limits(adapter: &wgpu::Adapter) -> wgpu::Limits {
    wgpu::Limits::downlevel_webgl2_defaults().using_resolution(adapter.limits())
}

/// Surface material of an object (a subset of glTF metallic-roughness for now).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Material {
    /// Linear base colour with alpha.
    pub base_color: [f32; 4],
    /// Perceptual roughness 0..1.
    pub roughness: f32,
    /// Metalness 0..1.
    pub metallic: f32,
}

impl Material {
    /// A neutral skin-like material for the avatar.
    pub const SKIN: Material = Material {
        base_color: [0.50, 0.33, 0.25, 1.0],
        roughness: 0.55,
        metallic: 0.0,
    };
}

/// Handle of an object added with [`Renderer::add_mesh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObjectId(usize);

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Globals {
    view_proj: [[f32; 4]; 4],
    camera_pos: [f32; 4],
    key_dir: [f32; 4],
    fill_dir: [f32; 4],
    sky: [f32; 4],
    ground: [f32; 4],
    background: [f32; 4],
    shadow: [f32; 4],
    params: [f32; 4],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct ObjectUniform {
    model: [[f32; 4]; 4],
    color: [f32; 4],
    material: [f32; 4],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Vertex {
    position: [f32; 3],
    normal: [f32; 3],
    color: [f32; 3],
}

struct GpuObject {
    vertices: wgpu::Buffer,
    indices: wgpu::Buffer,
    index_count: u32,
    uniform: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    bounds: Bounds,
    visible: bool,
}

struct Targets {
    width: u32,
    height: u32,
    msaa: Option<wgpu::TextureView>,
    depth: wgpu::TextureView,
}

/// Draws the scene (floor, avatar, garments) into any colour target of one format.
pub struct Renderer {
    device: wgpu::Device,
    queue: wgpu::Queue,
    format: wgpu::TextureFormat,
    caps: GpuCaps,
    pipeline: wgpu::RenderPipeline,
    object_layout: wgpu::BindGroupLayout,
    globals: wgpu::Buffer,
    globals_bind_group: wgpu::BindGroup,
    objects: Vec<Option<GpuObject>>,
    floor: GpuObject,
    targets: Option<Targets>,
    /// The camera; callers move it directly (orbit, zoom, presets).
    pub camera: OrbitCamera,
    /// Background colour (linear).
    pub clear_color: [f32; 3],
}

impl Renderer {
    /// Creates pipelines for colour targets of `format`.
    pub fn new(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        format: wgpu::TextureFormat,
        caps: GpuCaps,
    ) -> Self {
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("doppel scene shader"),
            source: wgpu::ShaderSource::Wgsl(include_str!("shader.wgsl").into()),
        });
        let uniform_entry = |visibility| wgpu::BindGroupLayoutEntry {
            binding: 0,
            visibility,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        };
        let globals_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("globals"),
            entries: &[uniform_entry(wgpu::ShaderStages::VERTEX_FRAGMENT)],
        });
        let object_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("object"),
            entries: &[uniform_entry(wgpu::ShaderStages::VERTEX_FRAGMENT)],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("scene"),
            bind_group_layouts: &[Some(&globals_layout), Some(&object_layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("scene"),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: &shader,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[Some(wgpu::VertexBufferLayout {
                    array_stride: std::mem::size_of::<Vertex>() as u64,
                    step_mode: wgpu::VertexStepMode::Vertex,
                    attributes: &wgpu::vertex_attr_array![0 => Float32x3, 1 => Float32x3, 2 => Float32x3],
                })],
            },
            primitive: wgpu::PrimitiveState {
                topology: wgpu::PrimitiveTopology::TriangleList,
                // Garments are open surfaces: draw both sides, the shader flips back normals.
                cull_mode: None,
                ..Default::default()
            },
            depth_stencil: Some(wgpu::DepthStencilState {
                format: DEPTH_FORMAT,
                depth_write_enabled: Some(true),
                depth_compare: Some(wgpu::CompareFunction::Less),
                stencil: Default::default(),
                bias: Default::default(),
            }),
            multisample: wgpu::MultisampleState {
                count: caps.sample_count,
                ..Default::default()
            },
            fragment: Some(wgpu::FragmentState {
                module: &shader,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format,
                    blend: Some(wgpu::BlendState::ALPHA_BLENDING),
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        let globals = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("globals"),
            size: std::mem::size_of::<Globals>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let globals_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("globals"),
            layout: &globals_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: globals.as_entire_binding(),
            }],
        });
        let floor_mesh = floor_quad(12.0);
        let floor = upload(
            device,
            &object_layout,
            &floor_mesh,
            Material {
                base_color: [0.80, 0.80, 0.78, 1.0],
                roughness: 1.0,
                metallic: 0.0,
            },
            1.0,
        );
        Renderer {
            device: device.clone(),
            queue: queue.clone(),
            format,
            caps,
            pipeline,
            object_layout,
            globals,
            globals_bind_group,
            objects: Vec::new(),
            floor,
            targets: None,
            camera: OrbitCamera::default(),
            clear_color: [0.93, 0.93, 0.92],
        }
    }

    /// The capabilities this renderer was built for.
    pub fn caps(&self) -> &GpuCaps {
        &self.caps
    }

    /// The colour format this renderer draws into.
    pub fn format(&self) -> wgpu::TextureFormat {
        self.format
    }

    /// Uploads a mesh; it is validated first (normals computed when missing).
    pub fn add_mesh(
        &mut self,
        name: &str,
        mesh: MeshData,
        material: Material,
    ) -> Result<ObjectId, RenderError> {
        let mesh = mesh.validated(name)?;
        let obj = upload(&self.device, &self.object_layout, &mesh, material, 0.0);
        self.objects.push(Some(obj));
        Ok(ObjectId(self.objects.len() - 1))
    }

    /// Removes an object (its GPU buffers are freed).
    pub fn remove(&mut self, id: ObjectId) {
        if let Some(slot) = self.objects.get_mut(id.0) {
            *slot = None;
        }
    }

    /// Shows or hides an object without re-uploading it.
    pub fn set_visible(&mut self, id: ObjectId, visible: bool) {
        if let Some(Some(o)) = self.objects.get_mut(id.0) {
            o.visible = visible;
        }
    }

    /// Changes an object's material in place (size switch, transparency, fit map tint).
    pub fn set_material(&mut self, id: ObjectId, m: Material) {
        if let Some(Some(o)) = self.objects.get(id.0) {
            let u = object_uniform(m, 0.0);
            self.queue
                .write_buffer(&o.uniform, 0, bytemuck::bytes_of(&u));
        }
    }

    /// Bounds of all visible objects (None when the scene is empty).
    pub fn scene_bounds(&self) -> Option<Bounds> {
        self.objects
            .iter()
            .flatten()
            .filter(|o| o.visible)
            .map(|o| o.bounds)
            .reduce(|a, b| a.union(&b))
    }

    /// Frames the camera on the scene for a target of the given size.
    pub fn frame_scene(&mut self, width: u32, height: u32) {
        if let Some(b) = self.scene_bounds() {
            self.camera.frame(&b, width as f32 / height.max(1) as f32);
        }
    }

    /// (Re)creates the depth and MSAA targets when the size changed.
    pub fn resize(&mut self, width: u32, height: u32) -> Result<(), RenderError> {
        let max = self.caps.max_texture_side;
        if width == 0 || height == 0 || width > max || height > max {
            return Err(RenderError::BadSize { width, height, max });
        }
        if matches!(&self.targets, Some(t) if t.width == width && t.height == height) {
            return Ok(());
        }
        let size = wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        };
        let make = |label, format, samples| {
            self.device
                .create_texture(&wgpu::TextureDescriptor {
                    label: Some(label),
                    size,
                    mip_level_count: 1,
                    sample_count: samples,
                    dimension: wgpu::TextureDimension::D2,
                    format,
                    usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
                    view_formats: &[],
                })
                .create_view(&Default::default())
        };
        let samples = self.caps.sample_count;
        let msaa = (samples > 1).then(|| make("msaa colour", self.format, samples));
        let depth = make("depth", DEPTH_FORMAT, samples);
        self.targets = Some(Targets {
            width,
            height,
            msaa,
            depth,
        });
        Ok(())
    }

    /// Renders one frame into `view` (which must have the renderer's format and the size
    /// last given to [`Self::resize`]) and submits it.
    pub fn render(&mut self, view: &wgpu::TextureView) -> Result<(), RenderError> {
        let Some(t) = &self.targets else {
            return Err(RenderError::Surface("render before resize".into()));
        };
        let aspect = t.width as f32 / t.height as f32;
        let shadow = self.scene_bounds().map_or([0.0, 0.0, 0.3, 0.2], |b| {
            let c = b.center();
            let s = b.size();
            [c.x, c.z, (s.x * 0.5).max(0.15), (s.z * 0.5).max(0.12)]
        });
        let eye = self.camera.eye();
        let key = Vec3::new(0.45, 0.9, 0.75).normalize();
        let fill = Vec3::new(-0.7, 0.35, 0.4).normalize();
        let g = Globals {
            view_proj: self.camera.view_proj(aspect).to_cols_array_2d(),
            camera_pos: [eye.x, eye.y, eye.z, 1.0],
            key_dir: [key.x, key.y, key.z, 1.7],
            fill_dir: [fill.x, fill.y, fill.z, 0.5],
            sky: [0.95, 0.97, 1.0, 0.45],
            ground: [0.45, 0.40, 0.36, 1.0],
            background: [
                self.clear_color[0],
                self.clear_color[1],
                self.clear_color[2],
                1.0,
            ],
            shadow,
            params: [if self.format.is_srgb() { 0.0 } else { 1.0 }, 1.0, 0.0, 0.0],
        };
        self.queue
            .write_buffer(&self.globals, 0, bytemuck::bytes_of(&g));
        let mut encoder = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("frame"),
            });
        {
            let (color_view, resolve) = match &t.msaa {
                Some(m) => (m, Some(view)),
                None => (view, None),
            };
            let [r, g, b] = self.clear_color;
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("scene"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: color_view,
                    depth_slice: None,
                    resolve_target: resolve,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(wgpu::Color {
                            r: r as f64,
                            g: g as f64,
                            b: b as f64,
                            a: 1.0,
                        }),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                    view: &t.depth,
                    depth_ops: Some(wgpu::Operations {
                        load: wgpu::LoadOp::Clear(1.0),
                        store: wgpu::StoreOp::Discard,
                    }),
                    stencil_ops: None,
                }),
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, &self.globals_bind_group, &[]);
            for o in std::iter::once(&self.floor)
                .chain(self.objects.iter().flatten().filter(|o| o.visible))
            {
                pass.set_bind_group(1, &o.bind_group, &[]);
                pass.set_vertex_buffer(0, o.vertices.slice(..));
                pass.set_index_buffer(o.indices.slice(..), wgpu::IndexFormat::Uint32);
                pass.draw_indexed(0..o.index_count, 0, 0..1);
            }
        }
        self.queue.submit([encoder.finish()]);
        Ok(())
    }
}

fn floor_quad(half: f32) -> MeshData {
    MeshData {
        positions: vec![
            [-half, 0.0, -half],
            [half, 0.0, -half],
            [half, 0.0, half],
            [-half, 0.0, half],
        ],
        normals: vec![[0.0, 1.0, 0.0]; 4],
        indices: vec![0, 2, 1, 0, 3, 2],
        colors: vec![],
    }
}

fn object_uniform(m: Material, kind: f32) -> ObjectUniform {
    ObjectUniform {
        model: Mat4::IDENTITY.to_cols_array_2d(),
        color: m.base_color,
        material: [
            m.roughness.clamp(0.0, 1.0),
            m.metallic.clamp(0.0, 1.0),
            kind,
            0.0,
        ],
    }
}

fn upload(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    mesh: &MeshData,
    m: Material,
    kind: f32,
) -> GpuObject {
    let vertices: Vec<Vertex> = mesh
        .positions
        .iter()
        .zip(&mesh.normals)
        .enumerate()
        .map(|(i, (p, n))| Vertex {
            position: *p,
            normal: *n,
            color: mesh.colors.get(i).copied().unwrap_or([1.0; 3]),
        })
        .collect();
    let vertices = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("vertices"),
        contents: bytemuck::cast_slice(&vertices),
        usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
    });
    let indices = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("indices"),
        contents: bytemuck::cast_slice(&mesh.indices),
        usage: wgpu::BufferUsages::INDEX,
    });
    let u = object_uniform(m, kind);
    let uniform = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("object"),
        contents: bytemuck::bytes_of(&u),
        usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
    });
    let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("object"),
        layout,
        entries: &[wgpu::BindGroupEntry {
            binding: 0,
            resource: uniform.as_entire_binding(),
        }],
    });
    GpuObject {
        vertices,
        indices,
        index_count: mesh.indices.len() as u32,
        uniform,
        bind_group,
        bounds: mesh.bounds(),
        visible: true,
    }
}
