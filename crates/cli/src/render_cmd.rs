//! `doppel render`: headless preview of the avatar, optionally wearing a catalog garment.

use crate::body_cmd::BodyArgs;
use crate::input_err;
use anyhow::Context;
use clap::{Args, Subcommand};
use doppel_body::BodyError;
use doppel_body::avatar::build_avatar;
use doppel_fit::drape::{BodyCollider, BodySurface, dress_on};
use doppel_garment::appearance::{Appearance, read_appearance};
use doppel_garment::catalog::{CheckOptions, check_catalog};
use doppel_garment::generate::{default_reference_stature_cm, reference_stature_cm};
use doppel_garment::mesh::check_glb;
use doppel_render::headless::Headless;
use doppel_render::texture::{Fabric, decode_image};
use doppel_render::{Material, MeshData, PbrMaps, ViewPreset};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Render subcommands.
#[derive(Subcommand)]
pub enum RenderCmd {
    /// Render the avatar (from body flags or --avatar FILE.glb), optionally wearing a size of
    /// a catalog product, to a PNG — natively, without a window (Mesa lavapipe works).
    Render(RenderArgs),
}

/// Arguments of `doppel render`.
#[derive(Args)]
pub struct RenderArgs {
    /// Catalog folder (with catalog.json).
    #[arg(long, requires_all = ["product", "size"])]
    catalog: Option<PathBuf>,
    /// Product id in the catalog.
    #[arg(long, requires = "catalog")]
    product: Option<String>,
    /// Size label of the product.
    #[arg(long, requires = "catalog")]
    size: Option<String>,
    /// Avatar as glTF binary (e.g. from `doppel avatar`) instead of body flags.
    #[arg(long, conflicts_with = "sex")]
    avatar: Option<PathBuf>,
    #[command(flatten)]
    body: Option<BodyArgs>,
    /// Camera view: front, side or back.
    #[arg(long, default_value = "front")]
    view: String,
    /// Colour the garment by ease (fit map) instead of its material.
    #[arg(long)]
    fitmap: bool,
    /// Image width in pixels (16–4096).
    #[arg(long, default_value_t = 800)]
    width: u32,
    /// Image height in pixels (16–4096).
    #[arg(long, default_value_t = 1200)]
    height: u32,
    /// Output PNG file.
    #[arg(long)]
    out: PathBuf,
}

/// A scene ready to draw: avatar and optional garment.
pub struct Scene {
    /// The body.
    pub avatar: MeshData,
    /// The garment with its look, if any.
    pub garment: Option<SceneGarment>,
    /// The cloth solver's report for the garment, if any.
    pub drape: Option<DrapeSummary>,
}

/// A draped garment and its glTF look.
pub struct SceneGarment {
    /// Draped geometry (and fit-map colours in fit-map mode).
    pub mesh: MeshData,
    /// Factors of the garment's glTF material (white in fit-map mode).
    pub material: Material,
    /// `TEXCOORD_0` per vertex, or empty.
    pub uvs: Vec<[f32; 2]>,
    /// Decoded textures and the procedural fabric detail.
    pub maps: PbrMaps,
    /// Texture problems that made the garment fall back to its factor colour.
    pub notes: Vec<String>,
}

/// What the cloth solver reports about the draped garment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrapeSummary {
    /// Share of garment vertices more than 3 mm inside the body, carried onto the avatar
    /// before draping.
    pub inside_share_before: f64,
    /// The same after draping.
    pub inside_share_after: f64,
    /// Mean per-vertex strain (current / rest edge length − 1).
    pub mean_strain: f64,
    /// Mean of the positive part of the per-vertex strain.
    pub mean_stretch: f64,
    /// Largest per-vertex strain.
    pub max_strain: f64,
    /// Lowest point of the draped garment above the floor, m (the hem).
    pub hem_y_m: f64,
}

fn read_mesh(bytes: &[u8], what: &str) -> anyhow::Result<MeshData> {
    let report = check_glb(bytes);
    match report.mesh {
        Some(m) if report.problems.is_empty() => Ok(MeshData {
            positions: m.positions,
            normals: m.normals,
            indices: m.indices,
            colors: vec![],
        }),
        _ => Err(input_err(format!(
            "{what}: {}",
            report
                .problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ))),
    }
}

/// The garment's glTF look: factors, UVs, decoded textures (PNG; other formats and absurd
/// sizes fall back to the factor colour with a note) and the fabric's procedural detail.
fn garment_look(
    bytes: &[u8],
    category: &str,
    what: &str,
) -> (Material, Vec<[f32; 2]>, PbrMaps, Vec<String>) {
    let mut notes = Vec::new();
    let a = match read_appearance(bytes) {
        Ok(a) => a,
        Err(p) => {
            notes.push(format!("{what}: {p}"));
            Appearance::default()
        }
    };
    notes.extend(a.notes.iter().map(|p| format!("{what}: {p}")));
    let mut decode = |img: Option<&doppel_garment::appearance::EmbeddedImage>, field: &str| {
        img.and_then(|i| match decode_image(&i.bytes) {
            Ok(t) => Some(t),
            Err(e) => {
                notes.push(format!("{what}: {field}: {e}; not shown"));
                None
            }
        })
    };
    let maps = PbrMaps {
        base_color: decode(a.base_color_image.as_ref(), "base colour texture"),
        normal: decode(a.normal_image.as_ref(), "normal map"),
        normal_scale: a.normal_scale,
        fabric: Some(Fabric::for_category(category)),
        ..PbrMaps::default()
    };
    let material = Material {
        base_color: a.base_color,
        roughness: a.roughness,
        metallic: a.metallic,
    };
    (material, a.uvs, maps, notes)
}

/// Builds the scene for the arguments (all input errors exit 2).
pub fn build_scene(a: &RenderArgs) -> anyhow::Result<Scene> {
    // Joints come with a generated avatar (sleeves then follow its arms), not with a file.
    let (avatar, joints) = match (&a.avatar, &a.body) {
        (Some(path), _) => {
            let bytes = std::fs::read(path)
                .map_err(|e| input_err(format!("--avatar {}: {e}", path.display())))?;
            (
                read_mesh(&bytes, &format!("--avatar {}", path.display()))?,
                None,
            )
        }
        (None, Some(body)) => {
            let input = body.to_input()?;
            let av = build_avatar(&input).map_err(|e| match e {
                BodyError::Model(_) => anyhow::Error::new(e),
                other => input_err(other),
            })?;
            let joints = av.mesh.joints;
            (
                MeshData {
                    positions: av.mesh.positions,
                    normals: av.mesh.normals,
                    indices: av.mesh.indices,
                    colors: vec![],
                },
                Some(joints),
            )
        }
        (None, None) => {
            return Err(input_err(
                "give body flags (--sex, --height-cm, --weight-kg, …) or --avatar FILE.glb",
            ));
        }
    };
    let (Some(dir), Some(id), Some(label)) = (&a.catalog, &a.product, &a.size) else {
        return Ok(Scene {
            avatar,
            garment: None,
            drape: None,
        });
    };
    let text = std::fs::read_to_string(dir.join("catalog.json")).map_err(|e| {
        input_err(format!(
            "--catalog {}: cannot read catalog.json: {e}",
            dir.display()
        ))
    })?;
    let read = |rel: &str| std::fs::read(dir.join(rel)).map_err(|e| e.to_string());
    let report = check_catalog(&text, &read, CheckOptions { meshes: false });
    let product = report
        .products
        .iter()
        .find(|p| &p.id == id)
        .ok_or_else(|| {
            input_err(format!(
                "--product {id:?} is not in {}",
                dir.join("catalog.json").display()
            ))
        })?;
    let size = product.size(label).ok_or_else(|| {
        let labels: Vec<&str> = product.sizes.iter().map(|s| s.label.as_str()).collect();
        input_err(format!(
            "--size {label:?}: product {id} has sizes {}",
            labels.join(", ")
        ))
    })?;
    let rel = size.mesh.as_deref().ok_or_else(|| {
        input_err(format!(
            "product {id}, size {label}: no mesh in the catalog"
        ))
    })?;
    let bytes = std::fs::read(dir.join(rel))
        .map_err(|e| input_err(format!("product {id}, size {label}: mesh {rel}: {e}")))?;
    let mut garment = read_mesh(&bytes, &format!("product {id}, size {label}, mesh {rel}"))?;
    // Carry the garment from its reference body onto this avatar and drape it.
    let ref_cm = reference_stature_cm(&product.chart.name, label)
        .unwrap_or_else(|| default_reference_stature_cm(product.sex));
    let body = BodySurface {
        positions: &avatar.positions,
        normals: &avatar.normals,
        indices: &avatar.indices,
    };
    let what = |e| input_err(format!("product {id}, size {label}, mesh {rel}: {e}"));
    // The collider is the avatar's, not the garment's: its errors name the avatar.
    let mut collider = BodyCollider::new(&body).map_err(|e| input_err(format!("avatar: {e}")))?;
    if let Some(joints) = &joints {
        collider = collider.with_joints(joints);
    }
    let draped = dress_on(
        &collider,
        &garment.positions,
        &garment.indices,
        (ref_cm / 100.0) as f32,
        &product.fabric,
        product.category,
    )
    .map_err(what)?;
    let summary = DrapeSummary {
        inside_share_before: draped.inside_share_start_3mm,
        inside_share_after: draped.inside_share_3mm,
        mean_strain: draped.mean_strain,
        mean_stretch: draped.mean_stretch,
        max_strain: draped
            .strain
            .iter()
            .map(|s| f64::from(*s))
            .fold(0.0, f64::max),
        hem_y_m: draped
            .positions
            .iter()
            .map(|p| f64::from(p[1]))
            .fold(f64::MAX, f64::min),
    };
    let (ease, strain) = (draped.ease_cm, draped.strain);
    garment.positions = draped.positions;
    garment.offset_along_normals(doppel_render::mesh::CLOTH_OFFSET_M);
    let (mut material, uvs, mut maps, notes) = garment_look(
        &bytes,
        product.category.key(),
        &format!("product {id}, size {label}, mesh {rel}"),
    );
    if a.fitmap {
        // The fit map replaces the cloth's colour; its relief stays readable.
        maps.base_color = None;
        // Stretched cloth is tight whatever its distance to the skin.
        garment.colors = ease
            .iter()
            .zip(&strain)
            .map(|(e, s)| doppel_render::fitmap::ease_color(doppel_fit::fitmap::fit_map_cm(*e, *s)))
            .collect();
        material.base_color = [1.0, 1.0, 1.0, 1.0];
    }
    Ok(Scene {
        avatar,
        garment: Some(SceneGarment {
            mesh: garment,
            material,
            uvs,
            maps,
            notes,
        }),
        drape: Some(summary),
    })
}

fn check_size(name: &str, v: u32) -> anyhow::Result<u32> {
    if (16..=4096).contains(&v) {
        Ok(v)
    } else {
        Err(input_err(format!(
            "--{name} = {v} is outside the allowed range 16–4096 pixels"
        )))
    }
}

/// Runs `doppel render`.
pub fn run(cmd: RenderCmd) -> anyhow::Result<()> {
    let RenderCmd::Render(a) = cmd;
    let width = check_size("width", a.width)?;
    let height = check_size("height", a.height)?;
    let view = ViewPreset::from_name(&a.view).ok_or_else(|| {
        input_err(format!(
            "--view = {:?} is not allowed (front, side or back)",
            a.view
        ))
    })?;
    let scene = build_scene(&a)?;
    let mut h = Headless::new()
        .context("headless rendering needs a GPU or Mesa (apt-get install mesa-vulkan-drivers)")?;
    h.renderer
        .add_mesh("avatar", scene.avatar, Material::SKIN)?;
    let mut notes = Vec::new();
    if let Some(g) = scene.garment {
        for n in &g.notes {
            eprintln!("warning: {n}");
        }
        notes = g.notes;
        h.renderer
            .add_mesh_pbr("garment", g.mesh, &g.uvs, g.material, &g.maps)?;
    }
    h.renderer.frame_scene(width, height);
    h.renderer.camera.set_view(view);
    let img = h.render(width, height)?;
    write_png(&img, &a.out)?;
    crate::print_json(&json!({
        "out": a.out.display().to_string(),
        "width": width,
        "height": height,
        "backend": h.renderer.caps().backend_name(),
        "adapter": h.renderer.caps().adapter_name,
        "garment_inside_share_before": scene.drape.map(|d| d.inside_share_before),
        "garment_inside_share_after": scene.drape.map(|d| d.inside_share_after),
        "garment_mean_strain": scene.drape.map(|d| d.mean_strain),
        "garment_mean_stretch": scene.drape.map(|d| d.mean_stretch),
        "garment_max_strain": scene.drape.map(|d| d.max_strain),
        "garment_hem_y_m": scene.drape.map(|d| d.hem_y_m),
        "garment_texture_notes": notes,
    }))
}

fn write_png(img: &doppel_render::headless::RgbaImage, path: &Path) -> anyhow::Result<()> {
    img.save_png(path).map_err(input_err)
}
