//! A tiny reader for the catalog's garment `.glb` files: positions, normals and indices
//! of every triangle primitive, merged. The retailer's files are validated in full by
//! `doppel catalog check` (the `gltf` crate); the browser build reads them with this
//! instead, which keeps the `gltf` crate's JSON schema code out of the wasm bundle.
//! Every offset and count is checked, so a corrupt file is an error, never a panic.

use serde_json::Value;

/// A merged triangle mesh.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GlbMesh {
    /// Positions, metres.
    pub positions: Vec<[f32; 3]>,
    /// Normals (empty if the file has none).
    pub normals: Vec<[f32; 3]>,
    /// Triangle indices into `positions`.
    pub indices: Vec<u32>,
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
        .and_then(|a| a.get(index))
        .ok_or(format!("accessor {index} missing"))?;
    let count = field(acc, "count").ok_or("accessor without count")?;
    let ctype = acc
        .get("componentType")
        .and_then(Value::as_u64)
        .ok_or("accessor without componentType")?;
    let view_i = field(acc, "bufferView").ok_or("accessor without bufferView")?;
    let view = json
        .get("bufferViews")
        .and_then(|v| v.get(view_i))
        .ok_or(format!("bufferView {view_i} missing"))?;
    if field(view, "buffer").unwrap_or(0) != 0 {
        return Err("only the GLB's own buffer is supported".into());
    }
    let size = match ctype {
        5121 => 1,
        5123 => 2,
        5125 | 5126 => 4,
        _ => return Err(format!("unsupported componentType {ctype}")),
    };
    let stride = field(view, "byteStride").unwrap_or(size * comps);
    let start = field(view, "byteOffset").unwrap_or(0) + field(acc, "byteOffset").unwrap_or(0);
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
    let json: Value = serde_json::from_slice(json_bytes).map_err(|e| e.to_string())?;
    let bin_at = 20 + json_len;
    let bin = match (u32_at(bytes, bin_at), u32_at(bytes, bin_at + 4)) {
        (Some(len), Some(BIN)) => bytes
            .get(bin_at + 8..bin_at + 8 + len as usize)
            .ok_or("truncated BIN chunk")?,
        _ => return Err("no BIN chunk".into()),
    };
    let mut out = GlbMesh::default();
    let meshes = json.get("meshes").and_then(Value::as_array);
    for prim in meshes
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("primitives").and_then(Value::as_array))
        .flatten()
    {
        // Mode 4 (triangles) is the default.
        if field(prim, "mode").unwrap_or(4) != 4 {
            continue;
        }
        let attrs = prim
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
    }
}
