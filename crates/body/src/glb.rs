//! A small glTF 2.0 binary (GLB) writer for [`AvatarMesh`].
//!
//! One mesh, one node, one skin-tone material; positions (with the min/max glTF
//! requires), normals and u32 indices in a single buffer. The girth levels and joint
//! centres go into the scene's `extras` so garment tools can read them.

use crate::avatar::AvatarMesh;
use serde_json::json;

const GLB_MAGIC: u32 = 0x4654_6C67; // "glTF"
const CHUNK_JSON: u32 = 0x4E4F_534A;
const CHUNK_BIN: u32 = 0x004E_4942;

/// Serialises the mesh as a `.glb` file.
pub fn write_glb(mesh: &AvatarMesh) -> Vec<u8> {
    let n = mesh.positions.len();
    let mut bin = Vec::with_capacity(n * 24 + mesh.indices.len() * 4);
    let (mut lo, mut hi) = ([f32::INFINITY; 3], [f32::NEG_INFINITY; 3]);
    for p in &mesh.positions {
        for k in 0..3 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
            bin.extend_from_slice(&p[k].to_le_bytes());
        }
    }
    let normals_at = bin.len();
    for v in &mesh.normals {
        for c in v {
            bin.extend_from_slice(&c.to_le_bytes());
        }
    }
    let indices_at = bin.len();
    for i in &mesh.indices {
        bin.extend_from_slice(&i.to_le_bytes());
    }
    let bin_len = bin.len();
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let doc = json!({
        "asset": {"version": "2.0", "generator": "doppel-body"},
        "scene": 0,
        "scenes": [{"nodes": [0], "extras": {"levels_m": mesh.levels_m, "joints_m": mesh.joints}}],
        "nodes": [{"mesh": 0, "name": "avatar"}],
        "meshes": [{"name": "avatar", "primitives": [{
            "attributes": {"POSITION": 0, "NORMAL": 1},
            "indices": 2,
            "material": 0,
            "mode": 4
        }]}],
        "materials": [{"name": "skin", "pbrMetallicRoughness": {
            "baseColorFactor": [0.80, 0.62, 0.52, 1.0], "metallicFactor": 0.0, "roughnessFactor": 0.7
        }}],
        "buffers": [{"byteLength": bin.len()}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": normals_at, "target": 34962},
            {"buffer": 0, "byteOffset": normals_at, "byteLength": indices_at - normals_at, "target": 34962},
            {"buffer": 0, "byteOffset": indices_at, "byteLength": bin_len - indices_at, "target": 34963}
        ],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": n, "type": "VEC3", "min": lo, "max": hi},
            {"bufferView": 1, "componentType": 5126, "count": mesh.normals.len(), "type": "VEC3"},
            {"bufferView": 2, "componentType": 5125, "count": mesh.indices.len(), "type": "SCALAR"}
        ]
    });
    let mut json_bytes = doc.to_string().into_bytes();
    while !json_bytes.len().is_multiple_of(4) {
        json_bytes.push(b' ');
    }
    let total = 12 + 8 + json_bytes.len() + 8 + bin.len();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&GLB_MAGIC.to_le_bytes());
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out.extend_from_slice(&(json_bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(&CHUNK_JSON.to_le_bytes());
    out.extend_from_slice(&json_bytes);
    out.extend_from_slice(&(bin.len() as u32).to_le_bytes());
    out.extend_from_slice(&CHUNK_BIN.to_le_bytes());
    out.extend_from_slice(&bin);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avatar::build_avatar;
    use crate::{BodyInput, Sex};

    #[test]
    fn gltf_crate_reads_it_back() {
        let input = BodyInput::new(Sex::Male, 182.0, 80.0, Some(40.0), []).expect("input");
        let a = build_avatar(&input).expect("avatar");
        let bytes = write_glb(&a.mesh);
        let g = gltf::Gltf::from_slice(&bytes).expect("valid glb");
        let blob = g.blob.as_deref().expect("binary chunk");
        let mesh = g.meshes().next().expect("a mesh");
        let prim = mesh.primitives().next().expect("a primitive");
        let reader = prim.reader(|_| Some(blob));
        let pos: Vec<[f32; 3]> = reader.read_positions().expect("positions").collect();
        let nor: Vec<[f32; 3]> = reader.read_normals().expect("normals").collect();
        let idx: Vec<u32> = reader.read_indices().expect("indices").into_u32().collect();
        assert_eq!(pos, a.mesh.positions);
        assert_eq!(nor.len(), pos.len());
        assert_eq!(idx, a.mesh.indices);
        let bb = prim.bounding_box();
        assert!(
            bb.min[1].abs() < 1e-4 && (bb.max[1] - 1.82).abs() < 0.005,
            "{bb:?}"
        );
    }
}
