//! A tiny reader for the catalog's garment `.glb` files: positions, normals, UVs and indices
//! of every triangle primitive, merged, plus the first primitive's PBR material (factors and
//! the embedded base colour / normal images as bytes for the browser's decoder). The retailer's files are validated in full by
//! `doppel catalog check` (the `gltf` crate); the browser build reads them with this
//! instead, which keeps the `gltf` crate's JSON schema code out of the wasm bundle.
//! Every offset and count is checked, so a corrupt file is an error, never a panic.

use crate::json::Value;

/// A merged triangle mesh.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GlbMesh {
    /// Positions, metres.
    pub positions: Vec<[f32; 3]>,
    /// Normals (empty if the file has none).
    pub normals: Vec<[f32; 3]>,
    /// Triangle indices into `positions`.
    pub indices: Vec<u32>,
    /// `TEXCOORD_0` per vertex (empty unless every primitive has it).
    pub uvs: Vec<[f32; 2]>,
    /// The first primitive's material, if it has one.
    pub material: Option<GlbMaterial>,
}

/// glTF metallic-roughness material of a garment.
#[derive(Debug, Clone, PartialEq)]
pub struct GlbMaterial {
    /// `baseColorFactor` (linear RGBA).
    pub base_color: [f32; 4],
    /// `roughnessFactor`.
    pub roughness: f32,
    /// `metallicFactor`.
    pub metallic: f32,
    /// Embedded base colour image.
    pub base_color_image: Option<GlbImage>,
    /// Embedded normal map image.
    pub normal_image: Option<GlbImage>,
    /// `normalTexture.scale`.
    pub normal_scale: f32,
}

/// An image stored in the GLB's binary chunk.
#[derive(Debug, Clone, PartialEq)]
pub struct GlbImage {
    /// `mimeType` as declared (`image/png`, `image/jpeg`, …).
    pub mime: String,
    /// The encoded image bytes.
    pub bytes: Vec<u8>,
}

/// Largest embedded image accepted (bytes); larger ones are skipped (factor colour stays).
const MAX_IMAGE_BYTES: usize = 32 << 20;

fn f32s<const N: usize>(v: Option<Value>, default: [f32; N]) -> [f32; N] {
    let mut out = default;
    if let Some(a) = v.and_then(|v| v.items())
        && a.len() == N
    {
        for (o, x) in out.iter_mut().zip(a) {
            if let Some(f) = x.as_f64().filter(|f| f.is_finite()) {
                *o = f as f32;
            }
        }
    }
    out
}

fn number(v: Option<Value>, default: f32, lo: f32, hi: f32) -> f32 {
    v.and_then(|v| v.as_f64())
        .filter(|f| f.is_finite())
        .map_or(default, |f| (f as f32).clamp(lo, hi))
}

/// The embedded image behind `textures[index]`, or `None` when it is external, missing or
/// too large (the renderer then uses the factors alone).
fn image(json: &Value, bin: &[u8], texture: Option<Value>) -> Option<GlbImage> {
    let tex_i = field(&texture?, "index")?;
    let src = field(&json.get("textures")?.at(tex_i)?, "source")?;
    let img = json.get("images")?.at(src)?;
    let view = json.get("bufferViews")?.at(field(&img, "bufferView")?)?;
    let start = field(&view, "byteOffset").unwrap_or(0);
    let len = field(&view, "byteLength")?;
    if len > MAX_IMAGE_BYTES {
        return None;
    }
    let bytes = bin.get(start..start.checked_add(len)?)?.to_vec();
    let mime = img
        .get("mimeType")
        .and_then(|m| m.as_str())
        .unwrap_or_else(|| "application/octet-stream".into());
    Some(GlbImage { mime, bytes })
}

fn material(json: &Value, bin: &[u8], index: usize) -> Option<GlbMaterial> {
    let m = json.get("materials")?.at(index)?;
    let pbr = m.get("pbrMetallicRoughness");
    let normal = m.get("normalTexture");
    Some(GlbMaterial {
        base_color: f32s(
            pbr.as_ref().and_then(|p| p.get("baseColorFactor")),
            [1.0; 4],
        ),
        roughness: number(
            pbr.as_ref().and_then(|p| p.get("roughnessFactor")),
            1.0,
            0.0,
            1.0,
        ),
        metallic: number(
            pbr.as_ref().and_then(|p| p.get("metallicFactor")),
            1.0,
            0.0,
            1.0,
        ),
        base_color_image: image(
            json,
            bin,
            pbr.as_ref().and_then(|p| p.get("baseColorTexture")),
        ),
        normal_scale: number(
            normal.as_ref().and_then(|n| n.get("scale")),
            1.0,
            -10.0,
            10.0,
        ),
        normal_image: image(json, bin, normal),
    })
}

fn vec2s(json: &Value, bin: &[u8], index: usize) -> Result<Vec<[f32; 2]>, String> {
    let (bytes, ctype, count, stride) = accessor(json, bin, index, 2)?;
    if ctype != 5126 {
        return Err("TEXCOORD_0 must be floats".into());
    }
    let f = |at: usize| {
        let b = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        f32::from_le_bytes(b)
    };
    Ok((0..count)
        .map(|i| {
            let o = i * stride;
            let uv = [f(o), f(o + 4)];
            if uv.iter().all(|c| c.is_finite()) {
                uv
            } else {
                [0.0; 2]
            }
        })
        .collect())
}

const MAGIC: u32 = 0x4654_6C67; // "glTF"
const JSON: u32 = 0x4E4F_534A;
const BIN: u32 = 0x004E_4942;
/// Most vertices accepted in one garment (far above any sensible garment mesh).
const MAX_VERTICES: usize = 2_000_000;

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn field(v: &Value, key: &str) -> Option<usize> {
    v.get(key)?.as_u64().and_then(|x| usize::try_from(x).ok())
}

/// The bytes of accessor `index`, with its component type and count of `comps`-vectors.
fn accessor<'a>(
    json: &Value,
    bin: &'a [u8],
    index: usize,
    comps: usize,
) -> Result<(&'a [u8], u64, usize, usize), String> {
    let acc = json
        .get("accessors")
        .and_then(|a| a.at(index))
        .ok_or(format!("accessor {index} missing"))?;
    let count = field(&acc, "count").ok_or("accessor without count")?;
    let ctype = acc
        .get("componentType")
        .and_then(|c| c.as_u64())
        .ok_or("accessor without componentType")?;
    let view_i = field(&acc, "bufferView").ok_or("accessor without bufferView")?;
    let view = json
        .get("bufferViews")
        .and_then(|v| v.at(view_i))
        .ok_or(format!("bufferView {view_i} missing"))?;
    if field(&view, "buffer").unwrap_or(0) != 0 {
        return Err("only the GLB's own buffer is supported".into());
    }
    let size = match ctype {
        5121 => 1,
        5123 => 2,
        5125 | 5126 => 4,
        _ => return Err(format!("unsupported componentType {ctype}")),
    };
    let stride = field(&view, "byteStride").unwrap_or(size * comps);
    let start = field(&view, "byteOffset").unwrap_or(0) + field(&acc, "byteOffset").unwrap_or(0);
    if count > MAX_VERTICES * 3 || stride < size * comps {
        return Err("accessor too large or overlapping".into());
    }
    let end = match count {
        0 => start,
        n => start + (n - 1) * stride + size * comps,
    };
    let bytes = bin.get(start..end).ok_or("accessor outside the buffer")?;
    Ok((bytes, ctype, count, stride))
}

fn vec3s(json: &Value, bin: &[u8], index: usize) -> Result<Vec<[f32; 3]>, String> {
    let (bytes, ctype, count, stride) = accessor(json, bin, index, 3)?;
    if ctype != 5126 {
        return Err("positions and normals must be floats".into());
    }
    let f = |at: usize| {
        let b = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        f32::from_le_bytes(b)
    };
    let out: Vec<[f32; 3]> = (0..count)
        .map(|i| {
            let o = i * stride;
            [f(o), f(o + 4), f(o + 8)]
        })
        .collect();
    if out.iter().flatten().any(|v| !v.is_finite()) {
        return Err("non-finite vertex data".into());
    }
    Ok(out)
}

fn indices(json: &Value, bin: &[u8], index: usize) -> Result<Vec<u32>, String> {
    let (bytes, ctype, count, stride) = accessor(json, bin, index, 1)?;
    Ok((0..count)
        .map(|i| {
            let o = i * stride;
            match ctype {
                5121 => u32::from(bytes[o]),
                5123 => u32::from(u16::from_le_bytes([bytes[o], bytes[o + 1]])),
                _ => u32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]),
            }
        })
        .collect())
}

/// Reads every indexed triangle primitive of every mesh in a `.glb`.
pub fn read(bytes: &[u8]) -> Result<GlbMesh, String> {
    if u32_at(bytes, 0) != Some(MAGIC) || u32_at(bytes, 4) != Some(2) {
        return Err("not a binary glTF 2.0 file".into());
    }
    let json_len = u32_at(bytes, 12).ok_or("truncated")? as usize;
    if u32_at(bytes, 16) != Some(JSON) {
        return Err("first chunk is not JSON".into());
    }
    let json_bytes = bytes.get(20..20 + json_len).ok_or("truncated JSON chunk")?;
    // Checked as UTF-8 first: the browser's JSON parser takes text.
    let json_text = std::str::from_utf8(json_bytes).map_err(|e| format!("JSON chunk: {e}"))?;
    let json = Value::parse(json_text)?;
    let bin_at = 20 + json_len;
    let bin = match (u32_at(bytes, bin_at), u32_at(bytes, bin_at + 4)) {
        (Some(len), Some(BIN)) => bytes
            .get(bin_at + 8..bin_at + 8 + len as usize)
            .ok_or("truncated BIN chunk")?,
        _ => return Err("no BIN chunk".into()),
    };
    let mut out = GlbMesh::default();
    let meshes = json.get("meshes").and_then(|m| m.items());
    for prim in meshes
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("primitives").and_then(|p| p.items()))
        .flatten()
    {
        let prim = &prim;
        // Mode 4 (triangles) is the default.
        if field(prim, "mode").unwrap_or(4) != 4 {
            continue;
        }
        let attrs = &prim
            .get("attributes")
            .ok_or("primitive without attributes")?;
        let pos_i = field(attrs, "POSITION").ok_or("primitive without POSITION")?;
        let idx_i = field(prim, "indices").ok_or("primitive without indices")?;
        let pos = vec3s(&json, bin, pos_i)?;
        let nrm = match field(attrs, "NORMAL") {
            Some(i) => vec3s(&json, bin, i)?,
            None => Vec::new(),
        };
        let idx = indices(&json, bin, idx_i)?;
        let uv = match field(attrs, "TEXCOORD_0") {
            Some(i) => vec2s(&json, bin, i)?,
            None => Vec::new(),
        };
        if out.material.is_none()
            && let Some(mi) = field(prim, "material")
        {
            out.material = material(&json, bin, mi);
        }
        if idx.len() % 3 != 0 || idx.iter().any(|&i| i as usize >= pos.len()) {
            return Err("indices out of range".into());
        }
        let base = u32::try_from(out.positions.len()).map_err(|_| "too many vertices")?;
        if out.positions.len() + pos.len() > MAX_VERTICES {
            return Err("too many vertices".into());
        }
        // Normals only if every primitive has them; otherwise the renderer computes them.
        if nrm.len() == pos.len() && out.normals.len() == out.positions.len() {
            out.normals.extend(nrm);
        } else {
            out.normals.clear();
        }
        // UVs likewise only if every primitive has them.
        if uv.len() == pos.len() && out.uvs.len() == out.positions.len() {
            out.uvs.extend(uv);
        } else {
            out.uvs.clear();
        }
        out.positions.extend(pos);
        out.indices.extend(idx.into_iter().map(|i| i + base));
    }
    if out.indices.is_empty() {
        return Err("no triangles".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample's striped T-shirt: the same look as the full reader finds.
    #[test]
    fn reads_a_textured_catalog_garment() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/catalog/meshes/tshirt-women/38.glb"
        );
        let Ok(bytes) = std::fs::read(path) else {
            eprintln!("skipping: {path} not present");
            return;
        };
        let m = read(&bytes).expect("readable");
        let full = doppel_garment::appearance::read_appearance(&bytes).expect("look");
        assert_eq!(m.uvs, full.uvs);
        let mat = m.material.expect("material");
        assert_eq!(mat.base_color, full.base_color);
        let img = mat.base_color_image.expect("texture");
        assert_eq!(Some(img.bytes), full.base_color_image.map(|i| i.bytes));
    }

    #[test]
    fn reads_a_catalog_garment() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/catalog/meshes/tshirt-men/M.glb"
        );
        let Ok(bytes) = std::fs::read(path) else {
            eprintln!("skipping: {path} not present");
            return;
        };
        let m = read(&bytes).expect("readable");
        assert!(m.positions.len() > 100);
        assert_eq!(m.normals.len(), m.positions.len());
        assert_eq!(m.indices.len() % 3, 0);
        // Same content as the full glTF reader finds.
        let full = doppel_garment::mesh::check_glb(&bytes)
            .mesh
            .expect("valid mesh");
        assert_eq!(m.positions, full.positions);
        assert_eq!(m.indices, full.indices);
        // This product has factors only (the striped T-shirt has a texture): no UVs, no images.
        let mat = m.material.expect("material");
        assert!(m.uvs.is_empty() && mat.base_color_image.is_none());
        assert!((0.0..=1.0).contains(&mat.roughness));
    }

    /// A one-triangle GLB with TEXCOORD_0 and a material whose base colour texture is an
    /// embedded image of `image` bytes.
    fn textured_glb(image: &[u8], with_uv: bool) -> Vec<u8> {
        let mut bin: Vec<u8> = Vec::new();
        for c in [0.0f32, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0] {
            bin.extend(c.to_le_bytes());
        }
        for c in [0.0f32, 0.0, 1.0, 0.0, 0.0, 1.0] {
            bin.extend(c.to_le_bytes());
        }
        for i in [0u32, 1, 2] {
            bin.extend(i.to_le_bytes());
        }
        let img_at = bin.len();
        bin.extend(image);
        while !bin.len().is_multiple_of(4) {
            bin.push(0);
        }
        let mut attrs = serde_json::json!({"POSITION": 0});
        if with_uv {
            attrs["TEXCOORD_0"] = 1.into();
        }
        let doc = serde_json::json!({
            "asset": {"version": "2.0"},
            "meshes": [{"primitives": [{"attributes": attrs, "indices": 2, "material": 0}]}],
            "materials": [{"pbrMetallicRoughness": {"baseColorFactor": [0.5, 0.25, 1.0, 1.0],
                "roughnessFactor": 0.7, "metallicFactor": 0.0,
                "baseColorTexture": {"index": 0}}, "normalTexture": {"index": 0, "scale": 0.5}}],
            "textures": [{"source": 0}],
            "images": [{"bufferView": 3, "mimeType": "image/png"}],
            "accessors": [
                {"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3"},
                {"bufferView": 1, "componentType": 5126, "count": 3, "type": "VEC2"},
                {"bufferView": 2, "componentType": 5125, "count": 3, "type": "SCALAR"}],
            "bufferViews": [
                {"buffer": 0, "byteOffset": 0, "byteLength": 36},
                {"buffer": 0, "byteOffset": 36, "byteLength": 24},
                {"buffer": 0, "byteOffset": 60, "byteLength": 12},
                {"buffer": 0, "byteOffset": img_at, "byteLength": image.len()}],
            "buffers": [{"byteLength": bin.len()}]
        });
        let mut json = doc.to_string().into_bytes();
        while !json.len().is_multiple_of(4) {
            json.push(b' ');
        }
        let mut out = b"glTF".to_vec();
        out.extend(2u32.to_le_bytes());
        out.extend(((12 + 8 + json.len() + 8 + bin.len()) as u32).to_le_bytes());
        out.extend((json.len() as u32).to_le_bytes());
        out.extend(JSON.to_le_bytes());
        out.extend(&json);
        out.extend((bin.len() as u32).to_le_bytes());
        out.extend(BIN.to_le_bytes());
        out.extend(&bin);
        out
    }

    #[test]
    fn reads_uvs_and_material_images() {
        let png = b"\x89PNG\r\n\x1a\nnot really";
        let m = read(&textured_glb(png, true)).expect("readable");
        assert_eq!(m.uvs, vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]);
        let mat = m.material.expect("material");
        assert_eq!(mat.base_color, [0.5, 0.25, 1.0, 1.0]);
        assert_eq!(
            (mat.roughness, mat.metallic, mat.normal_scale),
            (0.7, 0.0, 0.5)
        );
        let img = mat.base_color_image.expect("image");
        assert_eq!(
            (img.mime.as_str(), img.bytes.as_slice()),
            ("image/png", &png[..])
        );
        assert!(mat.normal_image.is_some());
        // No TEXCOORD_0: no UVs, the mesh still reads.
        let m = read(&textured_glb(png, false)).expect("readable");
        assert!(m.uvs.is_empty() && m.normals.is_empty());
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        assert!(read(b"").is_err());
        assert!(read(b"glTF\x02\0\0\0\xff\xff\xff\xff").is_err());
        let mut b = b"glTF\x02\0\0\0\0\0\0\0".to_vec();
        b.extend(8u32.to_le_bytes());
        b.extend(JSON.to_le_bytes());
        b.extend(b"{}      ");
        assert!(read(&b).is_err());
        // A JSON chunk that is not UTF-8 is named as such.
        let mut b = b"glTF\x02\0\0\0\0\0\0\0".to_vec();
        b.extend(8u32.to_le_bytes());
        b.extend(JSON.to_le_bytes());
        b.extend(b"{\"a\":\"\xff\"}");
        assert!(read(&b).is_err_and(|e| e.starts_with("JSON chunk:")));
    }
}
