//! The scene renderer: pipelines, GPU meshes, the shadow map and the frame.
//!
//! A frame is a depth-only pass for the key light's shadow map (one square per view side
//! in a 2×1 atlas) followed by the lit scene pass, once per side: one side normally, two
//! side by side with one shared camera in split view (two sizes compared). `render` writes
//! uniforms in place and records passes; it allocates nothing of its own per frame.

use crate::RenderError;
use crate::camera::OrbitCamera;
use crate::mesh::{Bounds, MeshData};
use crate::texture::{Fabric, TextureImage, compute_tangents, fabric_normal_map};
use bytemuck::{Pod, Zeroable};
use glam::{Mat4, Vec3};
use wgpu::util::DeviceExt;

/// Depth buffer format: 24-bit depth is available on every tier, WebGL2 included.
pub const DEPTH_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth24Plus;
/// Side of one view's square in the shadow atlas (the atlas is two of them, 2048×1024, which
/// fits WebGL2's minimum texture limit).
pub const SHADOW_SIDE: u32 = 1024;

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
    /// Depth format of the shadow map, or `None` when no depth format can be both rendered
    /// to and sampled (then only the contact shadow is drawn).
    pub shadow_format: Option<wgpu::TextureFormat>,
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
        let need = wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING;
        let shadow_format = [
            wgpu::TextureFormat::Depth32Float,
            wgpu::TextureFormat::Depth24Plus,
        ]
        .into_iter()
        .find(|f| {
            adapter
                .get_texture_format_features(*f)
                .allowed_usages
                .contains(need)
        });
        GpuCaps {
            backend: info.backend,
            adapter_name: info.name,
            sample_count,
            max_texture_side: adapter.limits().max_texture_dimension_2d,
            shadow_format,
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

/// Surface factors of an object (glTF metallic-roughness); textures come with
/// [`PbrMaps`] through [`Renderer::add_mesh_pbr`].
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

/// Texture maps of a glTF metallic-roughness material, all optional. A map that cannot be
/// used (no UVs for it, too large after downscaling) falls back to the factors.
#[derive(Debug, Clone, PartialEq)]
pub struct PbrMaps {
    /// Base colour texture (sRGB RGBA8), multiplied with [`Material::base_color`].
    pub base_color: Option<TextureImage>,
    /// Tangent-space normal map (linear RGBA8, glTF convention).
    pub normal: Option<TextureImage>,
    /// glTF `normalTexture.scale`.
    pub normal_scale: f32,
    /// Procedural cloth detail (triplanar, needs no UVs), or `None`.
    pub fabric: Option<Fabric>,
    /// Strength of the fabric detail (0..1; 0.35 reads as cloth without looking bumpy).
    pub fabric_strength: f32,
}

impl Default for PbrMaps {
    fn default() -> Self {
        PbrMaps {
            base_color: None,
            normal: None,
            normal_scale: 1.0,
            fabric: None,
            fabric_strength: 0.35,
        }
    }
}

impl PbrMaps {
    /// Only a procedural fabric detail map.
    pub fn fabric(fabric: Fabric) -> Self {
        PbrMaps {
            fabric: Some(fabric),
            ..Default::default()
        }
    }
}

/// Which view side(s) of a split view an object appears in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// In every view (the avatar).
    Both,
    /// The left view, and the only view when not split (the garment shown).
    Left,
    /// The right view only; hidden when not split (the size compared with).
    Right,
}

impl Slot {
    fn shows_in(self, side: usize) -> bool {
        match self {
            Slot::Both => true,
            Slot::Left => side == 0,
            Slot::Right => side == 1,
        }
    }
}

/// Handle of an object added with [`Renderer::add_mesh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObjectId(usize);

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Globals {
    view_proj: [[f32; 4]; 4],
    light_view_proj: [[f32; 4]; 4],
    camera_pos: [f32; 4],
    key_dir: [f32; 4],
    fill_dir: [f32; 4],
    sky: [f32; 4],
    ground: [f32; 4],
    background: [f32; 4],
    contact: [f32; 4],
    params: [f32; 4],
    shadow_rect: [f32; 4],
    shadow_bias: [f32; 4],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct ObjectUniform {
    model: [[f32; 4]; 4],
    color: [f32; 4],
    material: [f32; 4],
    maps: [f32; 4],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Vertex {
    position: [f32; 3],
    normal: [f32; 3],
    color: [f32; 3],
    uv: [f32; 2],
    tangent: [f32; 4],
}

/// Per-object texture state kept to rebuild its uniform and bind group.
struct ObjectMaps {
    base: Option<wgpu::TextureView>,
    normal: Option<wgpu::TextureView>,
    normal_scale: f32,
    fabric: Option<Fabric>,
    fabric_strength: f32,
    texture_bytes: u64,
}

struct GpuObject {
    vertices: wgpu::Buffer,
    indices: wgpu::Buffer,
    index_count: u32,
    uniform: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    bounds: Bounds,
    visible: bool,
    slot: Slot,
    material: Material,
    kind: f32,
    maps: ObjectMaps,
}

impl GpuObject {
    fn casts_shadow(&self) -> bool {
        // See-through garments let the light pass rather than cast a full shadow.
        self.visible && self.material.base_color[3] >= 0.99
    }

    fn bytes(&self) -> u64 {
        self.vertices.size() + self.indices.size() + self.uniform.size() + self.maps.texture_bytes
    }
}

struct Targets {
    width: u32,
    height: u32,
    msaa: Option<wgpu::TextureView>,
    depth: wgpu::TextureView,
    bytes: u64,
}

/// Textures shared by all objects: defaults for absent maps and the fabric tiles.
struct SharedTextures {
    white: wgpu::TextureView,
    flat_normal: wgpu::TextureView,
    knit: wgpu::TextureView,
    weave: wgpu::TextureView,
    sampler: wgpu::Sampler,
    bytes: u64,
}

/// Draws the scene (floor, avatar, garments) into any colour target of one format.
pub struct Renderer {
    device: wgpu::Device,
    queue: wgpu::Queue,
    format: wgpu::TextureFormat,
    caps: GpuCaps,
    pipeline: wgpu::RenderPipeline,
    shadow_pipeline: Option<wgpu::RenderPipeline>,
    object_layout: wgpu::BindGroupLayout,
    /// One uniform buffer and bind group per view side (they differ in the atlas square).
    globals: [wgpu::Buffer; 2],
    globals_bind_groups: [wgpu::BindGroup; 2],
    shadow_globals: wgpu::Buffer,
    shadow_globals_bind_group: wgpu::BindGroup,
    shadow_view: wgpu::TextureView,
    shadows: bool,
    split: bool,
    shared: SharedTextures,
    objects: Vec<Option<GpuObject>>,
    floor: GpuObject,
    targets: Option<Targets>,
    static_bytes: u64,
    /// The camera; callers move it directly (orbit, zoom, presets).
    pub camera: OrbitCamera,
    /// Background colour (linear).
    pub clear_color: [f32; 3],
}

fn uniform_entry(binding: u32, visibility: wgpu::ShaderStages) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

fn texture_entry(binding: u32, sample_type: wgpu::TextureSampleType) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::FRAGMENT,
        ty: wgpu::BindingType::Texture {
            sample_type,
            view_dimension: wgpu::TextureViewDimension::D2,
            multisampled: false,
        },
        count: None,
    }
}

/// Bytes of a texture with all its mips and samples (for [`Renderer::gpu_memory_bytes`]).
fn texture_bytes(t: &wgpu::Texture) -> u64 {
    let bpp = u64::from(t.format().block_copy_size(None).unwrap_or(4));
    let mut total = 0;
    for level in 0..t.mip_level_count() {
        let w = u64::from((t.width() >> level).max(1));
        let h = u64::from((t.height() >> level).max(1));
        total += w * h * bpp;
    }
    total * u64::from(t.sample_count())
}

/// Uploads an image (with its mip chain) as a 2D texture.
fn upload_texture(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    label: &str,
    image: &TextureImage,
    format: wgpu::TextureFormat,
    mips: bool,
) -> (wgpu::Texture, wgpu::TextureView) {
    let chain = if mips {
        image.mip_chain(format.is_srgb())
    } else {
        vec![image.clone()]
    };
    let texture = device.create_texture(&wgpu::TextureDescriptor {
        label: Some(label),
        size: wgpu::Extent3d {
            width: image.width(),
            height: image.height(),
            depth_or_array_layers: 1,
        },
        mip_level_count: chain.len() as u32,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        view_formats: &[],
    });
    for (level, img) in chain.iter().enumerate() {
        queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture: &texture,
                mip_level: level as u32,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            img.rgba(),
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(img.width() * 4),
                rows_per_image: Some(img.height()),
            },
            wgpu::Extent3d {
                width: img.width(),
                height: img.height(),
                depth_or_array_layers: 1,
            },
        );
    }
    let view = texture.create_view(&Default::default());
    (texture, view)
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
            source: wgpu::ShaderSource::Wgsl(
                include_str!(concat!(env!("OUT_DIR"), "/shader.wgsl")).into(),
            ),
        });
        let vs_fs = wgpu::ShaderStages::VERTEX_FRAGMENT;
        let globals_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("globals"),
            entries: &[
                uniform_entry(0, vs_fs),
                texture_entry(1, wgpu::TextureSampleType::Depth),
                wgpu::BindGroupLayoutEntry {
                    binding: 2,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Comparison),
                    count: None,
                },
            ],
        });
        let filterable = wgpu::TextureSampleType::Float { filterable: true };
        let object_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("object"),
            entries: &[
                uniform_entry(0, vs_fs),
                texture_entry(1, filterable),
                texture_entry(2, filterable),
                texture_entry(3, filterable),
                wgpu::BindGroupLayoutEntry {
                    binding: 4,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                    count: None,
                },
            ],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("scene"),
            bind_group_layouts: &[Some(&globals_layout), Some(&object_layout)],
            immediate_size: 0,
        });
        let stride = std::mem::size_of::<Vertex>() as u64;
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("scene"),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: &shader,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[Some(wgpu::VertexBufferLayout {
                    array_stride: stride,
                    step_mode: wgpu::VertexStepMode::Vertex,
                    attributes: &wgpu::vertex_attr_array![
                        0 => Float32x3, 1 => Float32x3, 2 => Float32x3, 3 => Float32x2, 4 => Float32x4
                    ],
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

        // Shadow map: a 2×1 atlas, one square per view side.
        let shadow_globals_layout =
            device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some("shadow globals"),
                entries: &[uniform_entry(0, wgpu::ShaderStages::VERTEX)],
            });
        let shadow_format = caps.shadow_format.unwrap_or(DEPTH_FORMAT);
        let atlas_size = if caps.shadow_format.is_some() {
            (2 * SHADOW_SIDE, SHADOW_SIDE)
        } else {
            // Nothing to render into: a 1×1 stand-in keeps the bind group valid.
            (1, 1)
        };
        let shadow_texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("shadow atlas"),
            size: wgpu::Extent3d {
                width: atlas_size.0,
                height: atlas_size.1,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: shadow_format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: &[],
        });
        let shadow_view = shadow_texture.create_view(&Default::default());
        let shadow_pipeline = caps.shadow_format.map(|f| {
            let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some("doppel shadow shader"),
                source: wgpu::ShaderSource::Wgsl(
                    include_str!(concat!(env!("OUT_DIR"), "/shadow.wgsl")).into(),
                ),
            });
            let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some("shadow"),
                bind_group_layouts: &[Some(&shadow_globals_layout), Some(&object_layout)],
                immediate_size: 0,
            });
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some("shadow"),
                layout: Some(&layout),
                vertex: wgpu::VertexState {
                    module: &module,
                    entry_point: Some("vs_shadow"),
                    compilation_options: Default::default(),
                    buffers: &[Some(wgpu::VertexBufferLayout {
                        array_stride: stride,
                        step_mode: wgpu::VertexStepMode::Vertex,
                        attributes: &wgpu::vertex_attr_array![0 => Float32x3],
                    })],
                },
                primitive: wgpu::PrimitiveState {
                    topology: wgpu::PrimitiveTopology::TriangleList,
                    cull_mode: None,
                    ..Default::default()
                },
                depth_stencil: Some(wgpu::DepthStencilState {
                    format: f,
                    depth_write_enabled: Some(true),
                    depth_compare: Some(wgpu::CompareFunction::Less),
                    stencil: Default::default(),
                    // Slope-scaled bias against acne on surfaces grazing the light.
                    bias: wgpu::DepthBiasState {
                        constant: 2,
                        slope_scale: 2.0,
                        clamp: 0.0,
                    },
                }),
                multisample: Default::default(),
                fragment: Some(wgpu::FragmentState {
                    module: &module,
                    entry_point: Some("fs_shadow"),
                    compilation_options: Default::default(),
                    targets: &[],
                }),
                multiview_mask: None,
                cache: None,
            })
        });
        let shadow_globals = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("shadow globals"),
            size: 64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let shadow_globals_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("shadow globals"),
            layout: &shadow_globals_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: shadow_globals.as_entire_binding(),
            }],
        });
        let shadow_sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("shadow"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            compare: Some(wgpu::CompareFunction::LessEqual),
            ..Default::default()
        });
        let make_globals = |label| {
            let buffer = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: std::mem::size_of::<Globals>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(label),
                layout: &globals_layout,
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: buffer.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: wgpu::BindingResource::TextureView(&shadow_view),
                    },
                    wgpu::BindGroupEntry {
                        binding: 2,
                        resource: wgpu::BindingResource::Sampler(&shadow_sampler),
                    },
                ],
            });
            (buffer, bind_group)
        };
        let (g0, bg0) = make_globals("globals left");
        let (g1, bg1) = make_globals("globals right");

        let shared = {
            let one = |rgba: [u8; 4]| {
                TextureImage::from_rgba(1, 1, rgba.to_vec()).expect("1×1 RGBA8 is a valid size")
            };
            let srgb = wgpu::TextureFormat::Rgba8UnormSrgb;
            let lin = wgpu::TextureFormat::Rgba8Unorm;
            let (t0, white) = upload_texture(device, queue, "white", &one([255; 4]), srgb, false);
            let (t1, flat_normal) = upload_texture(
                device,
                queue,
                "flat normal",
                &one([128, 128, 255, 255]),
                lin,
                false,
            );
            let (t2, knit) = upload_texture(
                device,
                queue,
                "knit",
                &fabric_normal_map(Fabric::Knit),
                lin,
                true,
            );
            let (t3, weave) = upload_texture(
                device,
                queue,
                "weave",
                &fabric_normal_map(Fabric::Weave),
                lin,
                true,
            );
            let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
                label: Some("material"),
                address_mode_u: wgpu::AddressMode::Repeat,
                address_mode_v: wgpu::AddressMode::Repeat,
                mag_filter: wgpu::FilterMode::Linear,
                min_filter: wgpu::FilterMode::Linear,
                mipmap_filter: wgpu::MipmapFilterMode::Linear,
                ..Default::default()
            });
            SharedTextures {
                white,
                flat_normal,
                knit,
                weave,
                sampler,
                bytes: [&t0, &t1, &t2, &t3].into_iter().map(texture_bytes).sum(),
            }
        };
        let floor_mesh = floor_quad(12.0);
        let floor = upload(
            device,
            &object_layout,
            &shared,
            &floor_mesh,
            &[],
            Material {
                base_color: [0.80, 0.80, 0.78, 1.0],
                roughness: 1.0,
                metallic: 0.0,
            },
            ObjectMaps::none(),
            1.0,
        );
        let static_bytes = g0.size()
            + g1.size()
            + shadow_globals.size()
            + texture_bytes(&shadow_texture)
            + shared.bytes;
        Renderer {
            device: device.clone(),
            queue: queue.clone(),
            format,
            shadows: caps.shadow_format.is_some(),
            caps,
            pipeline,
            shadow_pipeline,
            object_layout,
            globals: [g0, g1],
            globals_bind_groups: [bg0, bg1],
            shadow_globals,
            shadow_globals_bind_group,
            shadow_view,
            split: false,
            shared,
            objects: Vec::new(),
            floor,
            targets: None,
            static_bytes,
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
        self.add_mesh_pbr(name, mesh, &[], material, &PbrMaps::default())
    }

    /// Uploads a mesh with UVs (one per vertex, or empty) and glTF texture maps. Tangents
    /// are computed from the UVs. Without UVs the texture maps are skipped (factors only;
    /// the fabric detail needs no UVs). Maps larger than the device allows are downscaled.
    /// New objects show in every view ([`Slot::Both`]); see [`Self::set_slot`].
    pub fn add_mesh_pbr(
        &mut self,
        name: &str,
        mesh: MeshData,
        uvs: &[[f32; 2]],
        material: Material,
        maps: &PbrMaps,
    ) -> Result<ObjectId, RenderError> {
        let mesh = mesh.validated(name)?;
        let uvs_ok = uvs.len() == mesh.positions.len();
        let max = self.caps.max_texture_side;
        let mut om = ObjectMaps::none();
        om.normal_scale = if maps.normal_scale.is_finite() {
            maps.normal_scale
        } else {
            1.0
        };
        om.fabric = maps.fabric;
        om.fabric_strength = maps.fabric_strength.clamp(0.0, 1.0);
        // Texture maps need UVs; without them the factor colour stands alone.
        if uvs_ok {
            if let Some(img) = &maps.base_color {
                let img = img.clone().fit_within(max, true);
                let (t, v) = upload_texture(
                    &self.device,
                    &self.queue,
                    "base colour",
                    &img,
                    wgpu::TextureFormat::Rgba8UnormSrgb,
                    true,
                );
                om.texture_bytes += texture_bytes(&t);
                om.base = Some(v);
            }
            if let Some(img) = &maps.normal {
                let img = img.clone().fit_within(max, false);
                let (t, v) = upload_texture(
                    &self.device,
                    &self.queue,
                    "normal map",
                    &img,
                    wgpu::TextureFormat::Rgba8Unorm,
                    true,
                );
                om.texture_bytes += texture_bytes(&t);
                om.normal = Some(v);
            }
        }
        let obj = upload(
            &self.device,
            &self.object_layout,
            &self.shared,
            &mesh,
            if uvs_ok { uvs } else { &[] },
            material,
            om,
            0.0,
        );
        self.objects.push(Some(obj));
        Ok(ObjectId(self.objects.len() - 1))
    }

    /// Replaces an object's base colour texture with an image the browser decoded
    /// (`createImageBitmap`): no decoder in the wasm. The image is copied as is (no mips).
    #[cfg(all(target_arch = "wasm32", any(feature = "webgpu", feature = "webgl")))]
    pub fn set_base_color_image(
        &mut self,
        id: ObjectId,
        source: &wgpu::CopyExternalImageSourceInfo,
        width: u32,
        height: u32,
    ) -> Result<(), RenderError> {
        let max = self
            .caps
            .max_texture_side
            .min(crate::texture::MAX_TEXTURE_SIDE);
        if width == 0 || height == 0 || width > max || height > max {
            return Err(RenderError::BadSize { width, height, max });
        }
        let size = wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        };
        let texture = self.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("base colour (browser)"),
            size,
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::Rgba8UnormSrgb,
            usage: wgpu::TextureUsages::TEXTURE_BINDING
                | wgpu::TextureUsages::COPY_DST
                | wgpu::TextureUsages::RENDER_ATTACHMENT,
            view_formats: &[],
        });
        self.queue.copy_external_image_to_texture(
            source,
            wgpu::CopyExternalImageDestInfo {
                texture: &texture,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
                color_space: wgpu::PredefinedColorSpace::Srgb,
                premultiplied_alpha: false,
            },
            size,
        );
        let view = texture.create_view(&Default::default());
        let bytes = texture_bytes(&texture);
        if let Some(Some(o)) = self.objects.get_mut(id.0) {
            o.maps.texture_bytes += bytes;
            o.maps.base = Some(view);
            o.bind_group = object_bind_group(
                &self.device,
                &self.object_layout,
                &self.shared,
                &o.uniform,
                &o.maps,
            );
            let u = object_uniform(o.material, &o.maps, o.kind);
            self.queue
                .write_buffer(&o.uniform, 0, bytemuck::bytes_of(&u));
        }
        Ok(())
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

    /// Puts an object in one side of the split view (or both). New objects are in
    /// [`Slot::Both`].
    pub fn set_slot(&mut self, id: ObjectId, slot: Slot) {
        if let Some(Some(o)) = self.objects.get_mut(id.0) {
            o.slot = slot;
        }
    }

    /// Turns the split view on or off: two views side by side with one camera, the left
    /// showing [`Slot::Both`] + [`Slot::Left`] objects, the right [`Slot::Both`] +
    /// [`Slot::Right`]. Call [`Self::frame_scene`] afterwards to re-frame for the narrower
    /// views.
    pub fn set_split(&mut self, on: bool) {
        self.split = on;
    }

    /// Whether the split view is on.
    pub fn split(&self) -> bool {
        self.split
    }

    /// Turns the shadow map on or off (off, or without a usable depth format, the floor
    /// still gets the contact shadow).
    pub fn set_shadows(&mut self, on: bool) {
        self.shadows = on && self.shadow_pipeline.is_some();
    }

    /// Whether the key light casts shadow-mapped shadows.
    pub fn shadows(&self) -> bool {
        self.shadows
    }

    /// Changes an object's factors in place (size switch, transparency, fit map tint).
    pub fn set_material(&mut self, id: ObjectId, m: Material) {
        if let Some(Some(o)) = self.objects.get_mut(id.0) {
            o.material = m;
            let u = object_uniform(m, &o.maps, o.kind);
            self.queue
                .write_buffer(&o.uniform, 0, bytemuck::bytes_of(&u));
        }
    }

    /// Bytes of GPU memory this renderer has allocated: vertex, index and uniform buffers,
    /// textures with their mips, the shadow atlas and the colour/depth targets (MSAA
    /// samples counted). Driver overhead and the surface's own textures are not included.
    pub fn gpu_memory_bytes(&self) -> u64 {
        self.static_bytes
            + self.floor.bytes()
            + self
                .objects
                .iter()
                .flatten()
                .map(GpuObject::bytes)
                .sum::<u64>()
            + self.targets.as_ref().map_or(0, |t| t.bytes)
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

    /// Frames the camera on the scene for a target of the given size (each half of it in
    /// split view).
    pub fn frame_scene(&mut self, width: u32, height: u32) {
        let w = if self.split { width / 2 } else { width };
        if let Some(b) = self.scene_bounds() {
            self.camera
                .frame(&b, w.max(1) as f32 / height.max(1) as f32);
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
        let mut bytes = 0;
        let mut make = |label, format, samples| {
            let t = self.device.create_texture(&wgpu::TextureDescriptor {
                label: Some(label),
                size,
                mip_level_count: 1,
                sample_count: samples,
                dimension: wgpu::TextureDimension::D2,
                format,
                usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
                view_formats: &[],
            });
            bytes += texture_bytes(&t);
            t.create_view(&Default::default())
        };
        let samples = self.caps.sample_count;
        let msaa = (samples > 1).then(|| make("msaa colour", self.format, samples));
        let depth = make("depth", DEPTH_FORMAT, samples);
        self.targets = Some(Targets {
            width,
            height,
            msaa,
            depth,
            bytes,
        });
        Ok(())
    }

    /// Light-space view-projection fitted around `b` (the shadow casters): orthographic
    /// along the key light, deep enough to reach the floor behind them.
    fn light_view_proj(key: Vec3, b: &Bounds) -> (Mat4, f32) {
        let c = b.center();
        let radius = (b.size().length() * 0.5).max(0.1);
        let up = if key.y.abs() > 0.99 { Vec3::Z } else { Vec3::Y };
        let eye = c + key * (radius + 1.0);
        let view = glam::camera::rh::view::look_at_mat4(eye, c, up);
        let mut lo = Vec3::splat(f32::INFINITY);
        let mut hi = Vec3::splat(f32::NEG_INFINITY);
        for p in b.corners() {
            let q = view.transform_point3(p);
            lo = lo.min(q);
            hi = hi.max(q);
        }
        let pad = 0.05;
        // View space looks down −Z: depth = −z. The far side reaches past the casters to the
        // floor they shade (at most the figure's height away along a light above 30°).
        let near = (-hi.z - pad).max(0.01);
        let far = -lo.z + 2.0 * b.size().y.max(0.5) + pad;
        let proj = glam::camera::rh::proj::directx::orthographic(
            lo.x - pad,
            hi.x + pad,
            lo.y - pad,
            hi.y + pad,
            near,
            far,
        );
        let texel = ((hi.x - lo.x).max(hi.y - lo.y) + 2.0 * pad) / SHADOW_SIDE as f32;
        (proj * view, texel)
    }

    /// Renders one frame into `view` (which must have the renderer's format and the size
    /// last given to [`Self::resize`]) and submits it.
    pub fn render(&mut self, view: &wgpu::TextureView) -> Result<(), RenderError> {
        let Some(t) = &self.targets else {
            return Err(RenderError::Surface("render before resize".into()));
        };
        let sides = if self.split { 2 } else { 1 };
        let half = t.width / 2;
        // (x, width) of each view side in pixels.
        let rects = if self.split {
            [(0, half), (half, t.width - half)]
        } else {
            [(0, t.width), (0, 0)]
        };
        let aspect = rects[0].1.max(1) as f32 / t.height as f32;
        let bounds = self.scene_bounds();
        let contact = bounds.map_or([0.0, 0.0, 0.3, 0.2], |b| {
            let c = b.center();
            let s = b.size();
            [c.x, c.z, (s.x * 0.5).max(0.15), (s.z * 0.5).max(0.12)]
        });
        let eye = self.camera.eye();
        let key = Vec3::new(0.45, 0.9, 0.75).normalize();
        let fill = Vec3::new(-0.7, 0.35, 0.4).normalize();
        let casters = self
            .objects
            .iter()
            .flatten()
            .filter(|o| o.casts_shadow())
            .map(|o| o.bounds)
            .reduce(|a, b| a.union(&b));
        let shadow_pass = self.shadows && casters.is_some();
        let (light_vp, texel_m) =
            casters.map_or((Mat4::IDENTITY, 0.0), |b| Self::light_view_proj(key, &b));
        let atlas_w = (2 * SHADOW_SIDE) as f32;
        for side in 0..sides {
            let g = Globals {
                view_proj: self.camera.view_proj(aspect).to_cols_array_2d(),
                light_view_proj: light_vp.to_cols_array_2d(),
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
                contact,
                params: [
                    if self.format.is_srgb() { 0.0 } else { 1.0 },
                    1.0,
                    if shadow_pass { 1.0 } else { 0.0 },
                    // With a shadow map the contact shadow only grounds the feet.
                    if shadow_pass { 0.3 } else { 0.55 },
                ],
                shadow_rect: [
                    side as f32 * 0.5,
                    0.5,
                    1.0 / atlas_w,
                    1.0 / SHADOW_SIDE as f32,
                ],
                shadow_bias: [texel_m * 1.5, 0.0005, 0.0, 0.0],
            };
            self.queue
                .write_buffer(&self.globals[side], 0, bytemuck::bytes_of(&g));
        }
        let mut encoder = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("frame"),
            });
        if let (true, Some(pipeline)) = (shadow_pass, &self.shadow_pipeline) {
            self.queue.write_buffer(
                &self.shadow_globals,
                0,
                bytemuck::bytes_of(&light_vp.to_cols_array_2d()),
            );
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("shadow"),
                color_attachments: &[],
                depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                    view: &self.shadow_view,
                    depth_ops: Some(wgpu::Operations {
                        load: wgpu::LoadOp::Clear(1.0),
                        store: wgpu::StoreOp::Store,
                    }),
                    stencil_ops: None,
                }),
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &self.shadow_globals_bind_group, &[]);
            for side in 0..sides {
                let s = SHADOW_SIDE as f32;
                pass.set_viewport(side as f32 * s, 0.0, s, s, 0.0, 1.0);
                for o in self
                    .objects
                    .iter()
                    .flatten()
                    .filter(|o| o.casts_shadow() && o.slot.shows_in(side))
                {
                    pass.set_bind_group(1, &o.bind_group, &[]);
                    pass.set_vertex_buffer(0, o.vertices.slice(..));
                    pass.set_index_buffer(o.indices.slice(..), wgpu::IndexFormat::Uint32);
                    pass.draw_indexed(0..o.index_count, 0, 0..1);
                }
            }
        }
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
            for (side, &(x, w)) in rects.iter().enumerate().take(sides) {
                if w == 0 {
                    continue;
                }
                pass.set_viewport(x as f32, 0.0, w as f32, t.height as f32, 0.0, 1.0);
                pass.set_scissor_rect(x, 0, w, t.height);
                pass.set_bind_group(0, &self.globals_bind_groups[side], &[]);
                for o in std::iter::once(&self.floor).chain(
                    self.objects
                        .iter()
                        .flatten()
                        .filter(|o| o.visible && o.slot.shows_in(side)),
                ) {
                    pass.set_bind_group(1, &o.bind_group, &[]);
                    pass.set_vertex_buffer(0, o.vertices.slice(..));
                    pass.set_index_buffer(o.indices.slice(..), wgpu::IndexFormat::Uint32);
                    pass.draw_indexed(0..o.index_count, 0, 0..1);
                }
            }
            // GL resolves MSAA with a blit that honours the scissor: open it up again, or
            // only the last side would be resolved (seen on WebGL2 / native GL).
            pass.set_scissor_rect(0, 0, t.width, t.height);
        }
        self.queue.submit([encoder.finish()]);
        Ok(())
    }
}

impl ObjectMaps {
    fn none() -> Self {
        ObjectMaps {
            base: None,
            normal: None,
            normal_scale: 1.0,
            fabric: None,
            fabric_strength: 0.0,
            texture_bytes: 0,
        }
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

fn object_uniform(m: Material, maps: &ObjectMaps, kind: f32) -> ObjectUniform {
    let fabric = maps.fabric.map_or(0.0, |_| maps.fabric_strength);
    ObjectUniform {
        model: Mat4::IDENTITY.to_cols_array_2d(),
        color: m.base_color,
        material: [
            m.roughness.clamp(0.0, 1.0),
            m.metallic.clamp(0.0, 1.0),
            kind,
            maps.normal_scale,
        ],
        maps: [
            if maps.base.is_some() { 1.0 } else { 0.0 },
            if maps.normal.is_some() { 1.0 } else { 0.0 },
            fabric,
            1.0 / maps.fabric.map_or(1.0, Fabric::tile_m),
        ],
    }
}

fn object_bind_group(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    shared: &SharedTextures,
    uniform: &wgpu::Buffer,
    maps: &ObjectMaps,
) -> wgpu::BindGroup {
    let fabric = match maps.fabric {
        Some(Fabric::Weave) => &shared.weave,
        // Knit, and a valid binding when there is no fabric (its strength is then 0).
        _ => &shared.knit,
    };
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("object"),
        layout,
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: uniform.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: wgpu::BindingResource::TextureView(
                    maps.base.as_ref().unwrap_or(&shared.white),
                ),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: wgpu::BindingResource::TextureView(
                    maps.normal.as_ref().unwrap_or(&shared.flat_normal),
                ),
            },
            wgpu::BindGroupEntry {
                binding: 3,
                resource: wgpu::BindingResource::TextureView(fabric),
            },
            wgpu::BindGroupEntry {
                binding: 4,
                resource: wgpu::BindingResource::Sampler(&shared.sampler),
            },
        ],
    })
}

#[allow(clippy::too_many_arguments)] // one call site per kind of object; a struct adds nothing
fn upload(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    shared: &SharedTextures,
    mesh: &MeshData,
    uvs: &[[f32; 2]],
    m: Material,
    maps: ObjectMaps,
    kind: f32,
) -> GpuObject {
    let tangents = compute_tangents(&mesh.positions, &mesh.normals, uvs, &mesh.indices);
    let vertices: Vec<Vertex> = mesh
        .positions
        .iter()
        .zip(&mesh.normals)
        .zip(&tangents)
        .enumerate()
        .map(|(i, ((p, n), t))| Vertex {
            position: *p,
            normal: *n,
            color: mesh.colors.get(i).copied().unwrap_or([1.0; 3]),
            uv: uvs
                .get(i)
                .copied()
                .filter(|uv| uv.iter().all(|c| c.is_finite()))
                .unwrap_or([0.0; 2]),
            tangent: *t,
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
    let u = object_uniform(m, &maps, kind);
    let uniform = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("object"),
        contents: bytemuck::bytes_of(&u),
        usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
    });
    let bind_group = object_bind_group(device, layout, shared, &uniform, &maps);
    GpuObject {
        vertices,
        indices,
        index_count: mesh.indices.len() as u32,
        uniform,
        bind_group,
        bounds: mesh.bounds(),
        visible: true,
        slot: Slot::Both,
        material: m,
        kind,
        maps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn light_frustum_contains_casters_and_the_floor_below() {
        let b = Bounds {
            min: Vec3::new(-0.3, 0.0, -0.15),
            max: Vec3::new(0.3, 1.8, 0.15),
        };
        let key = Vec3::new(0.45, 0.9, 0.75).normalize();
        let (vp, texel) = Renderer::light_view_proj(key, &b);
        for c in b.corners() {
            let p = vp.project_point3(c);
            assert!(p.x.abs() <= 1.0 && p.y.abs() <= 1.0, "{c} -> {p}");
            assert!((0.0..1.0).contains(&p.z), "{c} -> {p}");
        }
        // The floor point the head's shadow falls on is inside the depth range, farther
        // from the light than the head itself.
        let head = Vec3::new(0.0, 1.8, 0.0);
        let on_floor = head - key * (1.8 / key.y);
        let (ph, pf) = (vp.project_point3(head), vp.project_point3(on_floor));
        assert!(pf.z < 1.0 && pf.z > ph.z, "{ph} {pf}");
        assert!((ph.x - pf.x).abs() < 1e-3 && (ph.y - pf.y).abs() < 1e-3);
        // About 2 mm per texel for a standing figure.
        assert!(texel > 0.0005 && texel < 0.004, "{texel}");
    }

    #[test]
    fn slots_pick_sides() {
        assert!(Slot::Both.shows_in(0) && Slot::Both.shows_in(1));
        assert!(Slot::Left.shows_in(0) && !Slot::Left.shows_in(1));
        assert!(!Slot::Right.shows_in(0) && Slot::Right.shows_in(1));
    }
}
