//! A garment's look as authored in its `.glb`: the glTF PBR metallic-roughness material
//! (base colour factor and texture, normal map, roughness, metallic) and the `TEXCOORD_0`
//! the textures need.
//!
//! [`crate::mesh::check_glb`] validates and imports the geometry; this module reads what
//! the renderer needs on top of it. It is lenient on purpose: a texture that is external,
//! oversized or of an unsupported kind is dropped (the factor colour stays) and named in
//! [`Appearance::notes`], because a garment must still be shown when only its texture is
//! wrong. Image bytes are not decoded here (the CLI decodes PNG natively, the browser uses
//! its own decoder).

use crate::problem::Problem;

/// Largest embedded image accepted, in bytes (a 4k×4k PNG of cloth is far below this).
pub const MAX_IMAGE_BYTES: usize = 16 * 1024 * 1024;

/// An image stored in the `.glb`'s BIN chunk, not yet decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedImage {
    /// `mimeType` as declared (`image/png` or `image/jpeg` in glTF 2.0).
    pub mime: String,
    /// The encoded bytes.
    pub bytes: Vec<u8>,
}

/// Material and texture coordinates of a garment, as the renderer uses them.
#[derive(Debug, Clone, PartialEq)]
pub struct Appearance {
    /// `baseColorFactor`, linear RGBA (white when absent).
    pub base_color: [f32; 4],
    /// `metallicFactor` (0–1).
    pub metallic: f32,
    /// `roughnessFactor` (0–1).
    pub roughness: f32,
    /// `TEXCOORD_0` per vertex, in the merged vertex order of [`crate::mesh::check_glb`];
    /// empty unless every primitive has float UVs.
    pub uvs: Vec<[f32; 2]>,
    /// The base colour texture's image.
    pub base_color_image: Option<EmbeddedImage>,
    /// The normal map's image.
    pub normal_image: Option<EmbeddedImage>,
    /// `normalTexture.scale`.
    pub normal_scale: f32,
    /// What was dropped and why (field path: reason), for catalog checks and logs.
    pub notes: Vec<Problem>,
}

impl Default for Appearance {
    fn default() -> Self {
        Appearance {
            base_color: [1.0; 4],
            metallic: 0.0,
            roughness: 1.0,
            uvs: Vec::new(),
            base_color_image: None,
            normal_image: None,
            normal_scale: 1.0,
            notes: Vec::new(),
        }
    }
}

/// Reads the look of the first material used by the file's primitives, and the UVs of all
/// primitives. Fails only when the file is not a readable glTF (the geometry checks of
/// [`crate::mesh::check_glb`] report that in detail); everything else degrades gracefully.
pub fn read_appearance(bytes: &[u8]) -> Result<Appearance, Problem> {
    crate::mesh::precheck_indices(bytes)?;
    let gltf = gltf::Gltf::from_slice(bytes)
        .map_err(|e| Problem::new("glb", format!("not a valid binary glTF 2.0 file: {e}")))?;
    let blob: &[u8] = gltf.blob.as_deref().unwrap_or(&[]);
    let mut a = Appearance::default();
    let prims: Vec<gltf::Primitive<'_>> = gltf.meshes().flat_map(|m| m.primitives()).collect();
    if let Some(mat) = prims
        .iter()
        .map(gltf::Primitive::material)
        .find(|m| m.index().is_some())
    {
        let pbr = mat.pbr_metallic_roughness();
        a.base_color = finite_or(pbr.base_color_factor(), [1.0; 4]);
        a.metallic = unit_or(pbr.metallic_factor(), 0.0);
        a.roughness = unit_or(pbr.roughness_factor(), 1.0);
        let mi = mat.index().unwrap_or(0);
        if let Some(t) = pbr.base_color_texture() {
            a.base_color_image = image(
                gltf.document.as_json(),
                &t.texture(),
                blob,
                &format!("materials[{mi}].pbrMetallicRoughness.baseColorTexture"),
                &mut a.notes,
            );
        }
        if let Some(t) = mat.normal_texture() {
            a.normal_image = image(
                gltf.document.as_json(),
                &t.texture(),
                blob,
                &format!("materials[{mi}].normalTexture"),
                &mut a.notes,
            );
            a.normal_scale = if t.scale().is_finite() {
                t.scale()
            } else {
                1.0
            };
        }
    }
    a.uvs = read_uvs(&gltf, blob, &mut a.notes).unwrap_or_default();
    if a.uvs.is_empty() && (a.base_color_image.is_some() || a.normal_image.is_some()) {
        a.notes.push(Problem::new(
            "TEXCOORD_0",
            "textures need float TEXCOORD_0 on every primitive; they are not shown",
        ));
        a.base_color_image = None;
        a.normal_image = None;
    }
    Ok(a)
}

fn finite_or<const N: usize>(v: [f32; N], default: [f32; N]) -> [f32; N] {
    if v.iter().all(|c| c.is_finite()) {
        v.map(|c| c.clamp(0.0, 1.0))
    } else {
        default
    }
}

fn unit_or(v: f32, default: f32) -> f32 {
    if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        default
    }
}

/// The bytes of an embedded PNG or JPEG behind `texture`, or `None` with a note.
fn image(
    root: &gltf::json::Root,
    texture: &gltf::Texture<'_>,
    blob: &[u8],
    field: &str,
    notes: &mut Vec<Problem>,
) -> Option<EmbeddedImage> {
    let img = texture.source();
    let field = format!("{field} → images[{}]", img.index());
    // gltf 1.4 unwraps these in `Image::source` (found by the mutation test): check first.
    let json = root.images.get(img.index())?;
    if json.buffer_view.is_some() && json.mime_type.is_none() {
        notes.push(Problem::new(
            field,
            "mimeType is required with bufferView (image/png or image/jpeg)",
        ));
        return None;
    }
    if json.buffer_view.is_none() && json.uri.is_none() {
        notes.push(Problem::new(field, "needs a bufferView or a uri"));
        return None;
    }
    match img.source() {
        gltf::image::Source::Uri { .. } => {
            notes.push(Problem::new(
                field,
                "external or data-URI image not used: embed it in the .glb's BIN chunk",
            ));
            None
        }
        gltf::image::Source::View { view, mime_type } => {
            if !matches!(mime_type, "image/png" | "image/jpeg") {
                notes.push(Problem::new(
                    field,
                    format!("mimeType {mime_type:?} not supported (image/png or image/jpeg)"),
                ));
                return None;
            }
            if view.length() > MAX_IMAGE_BYTES {
                notes.push(Problem::new(
                    field,
                    format!("{} bytes; at most {MAX_IMAGE_BYTES} allowed", view.length()),
                ));
                return None;
            }
            let bytes = view
                .offset()
                .checked_add(view.length())
                .and_then(|end| blob.get(view.offset()..end));
            match bytes {
                Some(b) => Some(EmbeddedImage {
                    mime: mime_type.to_string(),
                    bytes: b.to_vec(),
                }),
                None => {
                    notes.push(Problem::new(
                        field,
                        format!(
                            "buffer view {} lies outside the {}-byte BIN chunk",
                            view.index(),
                            blob.len()
                        ),
                    ));
                    None
                }
            }
        }
    }
}

/// `TEXCOORD_0` of every primitive, merged; `None` (with a note) unless all have float UVs
/// with one entry per vertex.
fn read_uvs(gltf: &gltf::Gltf, blob: &[u8], notes: &mut Vec<Problem>) -> Option<Vec<[f32; 2]>> {
    use gltf::accessor::{DataType, Dimensions};
    let mut out = Vec::new();
    for mesh in gltf.meshes() {
        for prim in mesh.primitives() {
            let field = format!(
                "meshes[{}].primitives[{}].TEXCOORD_0",
                mesh.index(),
                prim.index()
            );
            let pos = prim.get(&gltf::Semantic::Positions)?;
            let acc = prim.get(&gltf::Semantic::TexCoords(0))?;
            if acc.data_type() != DataType::F32 || acc.dimensions() != Dimensions::Vec2 {
                notes.push(Problem::new(
                    field,
                    format!(
                        "must be VEC2 of FLOAT, found {:?} of {:?}",
                        acc.dimensions(),
                        acc.data_type()
                    ),
                ));
                return None;
            }
            if acc.count() != pos.count() {
                notes.push(Problem::new(
                    field,
                    format!(
                        "has {} entries but POSITION has {}",
                        acc.count(),
                        pos.count()
                    ),
                ));
                return None;
            }
            // The geometry reader's bounds-checked accessor access (stride, view, BIN).
            let (bytes, stride) = crate::mesh::accessor_bytes(&acc, blob, 8, &field, notes)?;
            for i in 0..acc.count() {
                let Some(e) = bytes.get(i * stride..i * stride + 8) else {
                    notes.push(Problem::new(field, "accessor runs past its buffer view"));
                    return None;
                };
                let f = |k: usize| f32::from_le_bytes([e[k], e[k + 1], e[k + 2], e[k + 3]]);
                let uv = [f(0), f(4)];
                if !uv[0].is_finite() || !uv[1].is_finite() {
                    notes.push(Problem::new(field, format!("entry {i} is not finite")));
                    return None;
                }
                out.push(uv);
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mesh::tests::quad;
    use crate::mesh::{Material, Texture, glb_container, write_glb, write_glb_textured};

    const MAT: Material = Material {
        base_color: [0.2, 0.4, 0.6, 1.0],
        roughness: 0.7,
    };

    #[test]
    fn factors_only() {
        let a = read_appearance(&write_glb(&quad(), "q", MAT)).unwrap();
        assert_eq!(a.base_color, [0.2, 0.4, 0.6, 1.0]);
        assert!((a.roughness - 0.7).abs() < 1e-6);
        assert!(a.uvs.is_empty() && a.base_color_image.is_none() && a.notes.is_empty());
    }

    #[test]
    fn texture_and_uvs_round_trip() {
        let uvs = vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        let png = b"\x89PNG\r\n\x1a\nnot really".to_vec();
        let glb = write_glb_textured(
            &quad(),
            "q",
            MAT,
            Some(&Texture {
                uvs: uvs.clone(),
                png: png.clone(),
            }),
        );
        // Still a valid garment for the geometry checks.
        let rep = crate::mesh::check_glb(&glb);
        assert!(rep.problems.is_empty(), "{:?}", rep.problems);
        let a = read_appearance(&glb).unwrap();
        assert_eq!(a.uvs, uvs);
        let img = a.base_color_image.expect("image");
        assert_eq!(img.mime, "image/png");
        assert_eq!(img.bytes, png);
        assert!(a.notes.is_empty(), "{:?}", a.notes);
    }

    /// A texture whose image is external is dropped with a note naming the field; the
    /// factor colour stays.
    #[test]
    fn external_image_is_dropped_with_a_note() {
        let uvs = vec![[0.0, 0.0]; 4];
        let glb = write_glb_textured(
            &quad(),
            "q",
            MAT,
            Some(&Texture {
                uvs,
                png: vec![1, 2, 3],
            }),
        );
        // Point the image at a URI instead of the BIN chunk.
        let json_len = u32::from_le_bytes([glb[12], glb[13], glb[14], glb[15]]) as usize;
        let text = std::str::from_utf8(&glb[20..20 + json_len]).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
        v["images"][0] = serde_json::json!({"uri": "https://example.com/t.png"});
        let bin = glb[20 + json_len + 8..].to_vec();
        let out = glb_container(v.to_string().into_bytes(), bin);
        let a = read_appearance(&out).unwrap();
        assert!(a.base_color_image.is_none());
        assert_eq!(a.base_color, [0.2, 0.4, 0.6, 1.0]);
        assert!(
            a.notes
                .iter()
                .any(|p| p.field.contains("baseColorTexture") && p.message.contains("external")),
            "{:?}",
            a.notes
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [&b""[..], b"glTF", b"{}", &[0xff; 64]] {
            let _ = read_appearance(bytes);
        }
        assert!(read_appearance(b"not gltf").is_err());
    }
}
