//! glTF garment import and validation, and a minimal `.glb` writer for generated garments.
//!
//! Import reads one self-contained binary glTF (`.glb`, buffers in the BIN chunk) and
//! checks what the fitting pipeline relies on: indexed triangle primitives with float
//! `POSITION` and `NORMAL`, every accessor inside its buffer, finite positions in metres,
//! at most [`MAX_VERTICES`] vertices, no degenerate triangles and no non-manifold edges
//! (an edge shared by more than two triangles). Open hems and cuffs (boundary edges) are
//! normal for garments and allowed. Accessor data is read with explicit bounds checks, so
//! hostile files give problems, never panics.

use crate::problem::Problem;
use serde::Serialize;
use std::collections::HashMap;

/// Most vertices a garment size may have (all primitives together).
pub const MAX_VERTICES: usize = 200_000;
/// Triangles with less area than this (m²) count as degenerate (0.01 mm²).
pub const MIN_TRIANGLE_AREA_M2: f64 = 1e-8;
/// Largest plausible garment extent in metres (catches centimetre exports).
pub const MAX_EXTENT_M: f32 = 3.0;

/// A triangle mesh in metres (Y up), as imported from or written to `.glb`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GarmentMesh {
    /// Vertex positions.
    pub positions: Vec<[f32; 3]>,
    /// Unit vertex normals (same length as `positions`).
    pub normals: Vec<[f32; 3]>,
    /// Triangle vertex indices.
    pub indices: Vec<u32>,
}

/// What [`check_glb`] found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MeshReport {
    /// Total vertices over all primitives.
    pub vertices: usize,
    /// Total triangles over all primitives.
    pub triangles: usize,
    /// Every problem found (field = glTF path such as `meshes[0].primitives[1].NORMAL`).
    pub problems: Vec<Problem>,
    /// The merged mesh, when it could be read without problems.
    #[serde(skip)]
    pub mesh: Option<GarmentMesh>,
}

/// Validates a `.glb` and imports its triangles. Never panics.
pub fn check_glb(bytes: &[u8]) -> MeshReport {
    let mut rep = MeshReport::default();
    if let Err(p) = precheck_indices(bytes) {
        rep.problems.push(p);
        return rep;
    }
    let gltf = match gltf::Gltf::from_slice(bytes) {
        Ok(g) => g,
        Err(e) => {
            rep.problems.push(Problem::new(
                "glb",
                format!("not a valid binary glTF 2.0 file: {e}"),
            ));
            return rep;
        }
    };
    let blob: &[u8] = gltf.blob.as_deref().unwrap_or(&[]);
    for b in gltf.buffers() {
        if let gltf::buffer::Source::Uri(u) = b.source() {
            rep.problems.push(Problem::new(
                format!("buffers[{}].uri", b.index()),
                format!(
                    "external buffer {:.40?} not allowed: the .glb must be self-contained",
                    u
                ),
            ));
        }
    }
    if !rep.problems.is_empty() {
        return rep;
    }
    let mut merged = GarmentMesh::default();
    let mut n_prims = 0;
    for mesh in gltf.meshes() {
        for prim in mesh.primitives() {
            n_prims += 1;
            let path = format!("meshes[{}].primitives[{}]", mesh.index(), prim.index());
            read_primitive(&prim, blob, &path, &mut merged, &mut rep);
        }
    }
    if n_prims == 0 {
        rep.problems
            .push(Problem::new("meshes", "the file contains no triangle mesh"));
    }
    if rep.problems.is_empty() {
        check_topology(&merged, &mut rep.problems);
    }
    rep.vertices = merged.positions.len();
    rep.triangles = merged.indices.len() / 3;
    if rep.problems.is_empty() {
        rep.mesh = Some(merged);
    }
    rep
}

/// Checks the accessor indices of mesh primitives before handing the file to the `gltf`
/// crate, whose validation indexes `accessors[POSITION]` unchecked (gltf-json 1.4.1
/// panics on an out-of-range POSITION index; found by the mutation test below).
pub(crate) fn precheck_indices(bytes: &[u8]) -> Result<(), Problem> {
    // gltf 1.4 subtracts the 12-byte header from the declared length unchecked (found by
    // cargo-fuzz): refuse a shorter declared length first.
    if bytes.starts_with(b"glTF") {
        let declared = bytes
            .get(8..12)
            .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        if declared < 12 {
            return Err(Problem::new(
                "glb",
                format!("header declares {declared} bytes in all; a .glb has at least 12"),
            ));
        }
    }
    let json_chunk = if bytes.starts_with(b"glTF") {
        let len = bytes
            .get(12..16)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .unwrap_or(0);
        // Let the gltf crate report malformed containers; only guard what it would index.
        match bytes.get(20..20usize.saturating_add(len)) {
            Some(c) => c,
            None => return Ok(()),
        }
    } else {
        bytes
    };
    // Lossy: serde_json accepts invalid UTF-8 inside keys it ignores, so the gltf crate
    // may parse a document that a strict parse would reject.
    let text = String::from_utf8_lossy(json_chunk);
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Ok(());
    };
    let n_acc = v
        .get("accessors")
        .and_then(serde_json::Value::as_array)
        .map_or(0, Vec::len);
    let meshes = v.get("meshes").and_then(serde_json::Value::as_array);
    for (mi, mesh) in meshes.into_iter().flatten().enumerate() {
        let prims = mesh.get("primitives").and_then(serde_json::Value::as_array);
        for (pi, prim) in prims.into_iter().flatten().enumerate() {
            let attrs = prim
                .get("attributes")
                .and_then(serde_json::Value::as_object);
            let refs = attrs
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.as_str(), v))
                .chain(prim.get("indices").map(|v| ("indices", v)));
            for (name, r) in refs {
                if r.as_u64().is_some_and(|i| i as usize >= n_acc) {
                    return Err(Problem::new(
                        format!("meshes[{mi}].primitives[{pi}].{name}"),
                        format!("accessor index {r} out of range ({n_acc} accessors)"),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn read_primitive(
    prim: &gltf::Primitive<'_>,
    blob: &[u8],
    path: &str,
    merged: &mut GarmentMesh,
    rep: &mut MeshReport,
) {
    let out = &mut rep.problems;
    if prim.mode() != gltf::mesh::Mode::Triangles {
        out.push(Problem::new(
            format!("{path}.mode"),
            format!(
                "{:?} not supported: garments must be triangle lists",
                prim.mode()
            ),
        ));
        return;
    }
    let Some(pos_acc) = prim.get(&gltf::Semantic::Positions) else {
        out.push(Problem::new(
            format!("{path}.POSITION"),
            "attribute is missing",
        ));
        return;
    };
    let count = pos_acc.count();
    if merged.positions.len().saturating_add(count) > MAX_VERTICES {
        out.push(Problem::new(
            format!("{path}.POSITION"),
            format!(
                "{} vertices in total; at most {MAX_VERTICES} allowed",
                merged.positions.len().saturating_add(count)
            ),
        ));
        return;
    }
    let positions = read_vec3(&pos_acc, blob, &format!("{path}.POSITION"), out);
    let normals = match prim.get(&gltf::Semantic::Normals) {
        Some(a) if a.count() == count => read_vec3(&a, blob, &format!("{path}.NORMAL"), out),
        Some(a) => {
            out.push(Problem::new(
                format!("{path}.NORMAL"),
                format!("has {} entries but POSITION has {count}", a.count()),
            ));
            None
        }
        None => {
            out.push(Problem::new(
                format!("{path}.NORMAL"),
                "attribute is missing (needed for shading and collision)",
            ));
            None
        }
    };
    let indices = match prim.indices() {
        Some(a) => read_indices(&a, blob, &format!("{path}.indices"), out),
        None => {
            out.push(Problem::new(
                format!("{path}.indices"),
                "missing: garments must be indexed meshes (shared vertices)",
            ));
            None
        }
    };
    let (Some(p), Some(n), Some(ix)) = (positions, normals, indices) else {
        return;
    };
    if ix.len() % 3 != 0 || ix.is_empty() {
        out.push(Problem::new(
            format!("{path}.indices"),
            format!("{} indices is not a positive multiple of 3", ix.len()),
        ));
        return;
    }
    if let Some(bad) = ix.iter().find(|&&i| i as usize >= p.len()) {
        out.push(Problem::new(
            format!("{path}.indices"),
            format!("index {bad} out of range (vertex count {})", p.len()),
        ));
        return;
    }
    if let Some(i) = p.iter().position(|v| v.iter().any(|c| !c.is_finite())) {
        out.push(Problem::new(
            format!("{path}.POSITION"),
            format!("vertex {i} is not finite"),
        ));
        return;
    }
    let bad_normals = n
        .iter()
        .filter(|v| {
            let l = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
            !l.is_finite() || (l - 1.0).abs() > 0.05
        })
        .count();
    if bad_normals > 0 {
        out.push(Problem::new(
            format!("{path}.NORMAL"),
            format!("{bad_normals} normals are not unit length"),
        ));
    }
    let base = merged.positions.len() as u32;
    merged.positions.extend(p);
    merged.normals.extend(n);
    merged.indices.extend(ix.iter().map(|i| i + base));
}

/// Byte slice of `count` elements of `elem` bytes with stride, bounds-checked.
pub(crate) fn accessor_bytes<'a>(
    acc: &gltf::Accessor<'_>,
    blob: &'a [u8],
    elem: usize,
    field: &str,
    out: &mut Vec<Problem>,
) -> Option<(&'a [u8], usize)> {
    if acc.sparse().is_some() {
        out.push(Problem::new(field, "sparse accessors are not supported"));
        return None;
    }
    let Some(view) = acc.view() else {
        out.push(Problem::new(field, "accessor has no buffer view"));
        return None;
    };
    let stride = view.stride().unwrap_or(elem);
    if stride < elem {
        out.push(Problem::new(
            field,
            format!("byte stride {stride} < element size {elem}"),
        ));
        return None;
    }
    let count = acc.count();
    let need = if count == 0 {
        0
    } else {
        (count - 1)
            .checked_mul(stride)
            .and_then(|x| x.checked_add(elem))
            .and_then(|x| x.checked_add(acc.offset()))
            .unwrap_or(usize::MAX)
    };
    let view_bytes = view
        .offset()
        .checked_add(view.length())
        .and_then(|end| blob.get(view.offset()..end));
    let Some(vb) = view_bytes else {
        out.push(Problem::new(
            field,
            format!(
                "buffer view {} (offset {}, length {}) lies outside the {}-byte BIN chunk",
                view.index(),
                view.offset(),
                view.length(),
                blob.len()
            ),
        ));
        return None;
    };
    if need > vb.len() {
        out.push(Problem::new(
            field,
            format!(
                "accessor needs {need} bytes but its buffer view has {}",
                vb.len()
            ),
        ));
        return None;
    }
    Some((&vb[acc.offset().min(vb.len())..], stride))
}

fn read_vec3(
    acc: &gltf::Accessor<'_>,
    blob: &[u8],
    field: &str,
    out: &mut Vec<Problem>,
) -> Option<Vec<[f32; 3]>> {
    use gltf::accessor::{DataType, Dimensions};
    if acc.data_type() != DataType::F32 || acc.dimensions() != Dimensions::Vec3 {
        out.push(Problem::new(
            field,
            format!(
                "must be VEC3 of FLOAT, found {:?} of {:?}",
                acc.dimensions(),
                acc.data_type()
            ),
        ));
        return None;
    }
    let (bytes, stride) = accessor_bytes(acc, blob, 12, field, out)?;
    let mut v = Vec::with_capacity(acc.count());
    for i in 0..acc.count() {
        let e = bytes.get(i * stride..i * stride + 12)?;
        let f = |k: usize| f32::from_le_bytes([e[k], e[k + 1], e[k + 2], e[k + 3]]);
        v.push([f(0), f(4), f(8)]);
    }
    Some(v)
}

fn read_indices(
    acc: &gltf::Accessor<'_>,
    blob: &[u8],
    field: &str,
    out: &mut Vec<Problem>,
) -> Option<Vec<u32>> {
    use gltf::accessor::{DataType, Dimensions};
    let size = match acc.data_type() {
        DataType::U8 => 1,
        DataType::U16 => 2,
        DataType::U32 => 4,
        other => {
            out.push(Problem::new(
                field,
                format!("index type {other:?} not allowed (unsigned byte, short or int)"),
            ));
            return None;
        }
    };
    if acc.dimensions() != Dimensions::Scalar {
        out.push(Problem::new(field, "indices must be SCALAR"));
        return None;
    }
    if acc.count() > 3 * 4 * MAX_VERTICES {
        out.push(Problem::new(
            field,
            format!("{} indices is too many", acc.count()),
        ));
        return None;
    }
    let (bytes, stride) = accessor_bytes(acc, blob, size, field, out)?;
    let mut v = Vec::with_capacity(acc.count());
    for i in 0..acc.count() {
        let e = bytes.get(i * stride..i * stride + size)?;
        v.push(match size {
            1 => u32::from(e[0]),
            2 => u32::from(u16::from_le_bytes([e[0], e[1]])),
            _ => u32::from_le_bytes([e[0], e[1], e[2], e[3]]),
        });
    }
    Some(v)
}

/// Topology and scale checks on a merged mesh: degenerate triangles, non-manifold
/// edges, extent (metres).
pub fn check_topology(m: &GarmentMesh, out: &mut Vec<Problem>) {
    let mut lo = [f32::INFINITY; 3];
    let mut hi = [f32::NEG_INFINITY; 3];
    for p in &m.positions {
        for k in 0..3 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let extent = (0..3).map(|k| hi[k] - lo[k]).fold(0.0_f32, f32::max);
    if extent > MAX_EXTENT_M {
        out.push(Problem::new(
            "POSITION",
            format!(
                "mesh is {extent:.1} units across; positions must be in metres (≤ {MAX_EXTENT_M} m)"
            ),
        ));
    }
    let mut degenerate = 0usize;
    let mut edges: HashMap<(u32, u32), u32> = HashMap::with_capacity(m.indices.len());
    for t in m.indices.chunks_exact(3) {
        let (a, b, c) = (t[0], t[1], t[2]);
        let area = triangle_area(m, a, b, c);
        if a == b || b == c || a == c || area.is_none_or(|x| x < MIN_TRIANGLE_AREA_M2) {
            degenerate += 1;
            continue;
        }
        for (u, v) in [(a, b), (b, c), (c, a)] {
            *edges.entry((u.min(v), u.max(v))).or_insert(0) += 1;
        }
    }
    if degenerate > 0 {
        out.push(Problem::new(
            "indices",
            format!(
                "{degenerate} degenerate triangle(s) (repeated vertex or area < {} mm²)",
                MIN_TRIANGLE_AREA_M2 * 1e6
            ),
        ));
    }
    let non_manifold = edges.values().filter(|&&n| n > 2).count();
    if non_manifold > 0 {
        out.push(Problem::new(
            "indices",
            format!("{non_manifold} non-manifold edge(s) shared by more than two triangles"),
        ));
    }
}

fn triangle_area(m: &GarmentMesh, a: u32, b: u32, c: u32) -> Option<f64> {
    let p = |i: u32| m.positions.get(i as usize).map(|v| v.map(f64::from));
    let (a, b, c) = (p(a)?, p(b)?, p(c)?);
    let u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    let v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
    let x = [
        u[1] * v[2] - u[2] * v[1],
        u[2] * v[0] - u[0] * v[2],
        u[0] * v[1] - u[1] * v[0],
    ];
    Some(0.5 * (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]).sqrt())
}

/// PBR material of a written garment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Material {
    /// Linear RGBA base colour.
    pub base_color: [f32; 4],
    /// Roughness 0–1 (fabric is rough).
    pub roughness: f32,
}

/// A base colour texture for a written garment: UVs per vertex and the PNG image.
#[derive(Debug, Clone, PartialEq)]
pub struct Texture {
    /// `TEXCOORD_0` per vertex (same length as the mesh's positions).
    pub uvs: Vec<[f32; 2]>,
    /// The encoded PNG.
    pub png: Vec<u8>,
}

/// Writes `mesh` as a self-contained `.glb` with one node named `name`.
pub fn write_glb(mesh: &GarmentMesh, name: &str, material: Material) -> Vec<u8> {
    write_glb_textured(mesh, name, material, None)
}

/// Like [`write_glb`], with an optional base colour texture (embedded PNG, repeating
/// sampler: cloth patterns tile). UVs of the wrong length are not written, and neither is
/// the texture then.
pub fn write_glb_textured(
    mesh: &GarmentMesh,
    name: &str,
    material: Material,
    texture: Option<&Texture>,
) -> Vec<u8> {
    let texture = texture.filter(|t| t.uvs.len() == mesh.positions.len());
    let mut bin: Vec<u8> = Vec::new();
    let mut views = Vec::new();
    // Each view ends where its data ends; the next starts 4-byte aligned.
    let mut view = |bin: &mut Vec<u8>, start: usize, target: Option<u32>| {
        let mut v =
            serde_json::json!({"buffer": 0, "byteOffset": start, "byteLength": bin.len() - start});
        if let Some(t) = target {
            v["target"] = t.into();
        }
        views.push(v);
        while !bin.len().is_multiple_of(4) {
            bin.push(0);
        }
        bin.len()
    };
    let mut start = 0;
    for p in &mesh.positions {
        for c in p {
            bin.extend_from_slice(&c.to_le_bytes());
        }
    }
    start = view(&mut bin, start, Some(34962));
    for n in &mesh.normals {
        for c in n {
            bin.extend_from_slice(&c.to_le_bytes());
        }
    }
    start = view(&mut bin, start, Some(34962));
    for i in &mesh.indices {
        bin.extend_from_slice(&i.to_le_bytes());
    }
    start = view(&mut bin, start, Some(34963));
    let mut lo = [f32::INFINITY; 3];
    let mut hi = [f32::NEG_INFINITY; 3];
    for p in &mesh.positions {
        for k in 0..3 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    if mesh.positions.is_empty() {
        (lo, hi) = ([0.0; 3], [0.0; 3]);
    }
    let mut attributes = serde_json::json!({"POSITION": 0, "NORMAL": 1});
    let mut accessors = vec![
        serde_json::json!({"bufferView": 0, "componentType": 5126, "count": mesh.positions.len(),
            "type": "VEC3", "min": lo, "max": hi}),
        serde_json::json!({"bufferView": 1, "componentType": 5126, "count": mesh.normals.len(),
            "type": "VEC3"}),
        serde_json::json!({"bufferView": 2, "componentType": 5125, "count": mesh.indices.len(),
            "type": "SCALAR"}),
    ];
    let mut pbr = serde_json::json!({"baseColorFactor": material.base_color,
        "metallicFactor": 0.0, "roughnessFactor": material.roughness});
    let mut extra = serde_json::Map::new();
    if let Some(t) = texture {
        for uv in &t.uvs {
            for c in uv {
                bin.extend_from_slice(&c.to_le_bytes());
            }
        }
        start = view(&mut bin, start, Some(34962));
        attributes["TEXCOORD_0"] = 3.into();
        accessors.push(serde_json::json!({"bufferView": 3, "componentType": 5126,
            "count": t.uvs.len(), "type": "VEC2"}));
        bin.extend_from_slice(&t.png);
        view(&mut bin, start, None);
        pbr["baseColorTexture"] = serde_json::json!({"index": 0});
        extra.insert(
            "images".into(),
            serde_json::json!([{"bufferView": 4, "mimeType": "image/png"}]),
        );
        // 10497 = REPEAT, 9729 = LINEAR, 9987 = LINEAR_MIPMAP_LINEAR.
        extra.insert(
            "samplers".into(),
            serde_json::json!([{"wrapS": 10497, "wrapT": 10497,
            "magFilter": 9729, "minFilter": 9987}]),
        );
        extra.insert(
            "textures".into(),
            serde_json::json!([{"source": 0, "sampler": 0}]),
        );
    }
    let mut doc = serde_json::json!({
        "asset": {"version": "2.0", "generator": "doppel catalog generate"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": name}],
        "meshes": [{"name": name, "primitives": [{
            "attributes": attributes,
            "indices": 2, "material": 0, "mode": 4}]}],
        "materials": [{"name": format!("{name}-fabric"), "doubleSided": true,
            "pbrMetallicRoughness": pbr}],
        "accessors": accessors,
        "bufferViews": views,
        "buffers": [{"byteLength": bin.len()}]
    });
    if let Some(o) = doc.as_object_mut() {
        o.extend(extra);
    }
    glb_container(doc.to_string().into_bytes(), bin)
}

/// Wraps a glTF JSON document and its binary buffer into a `.glb` (both chunks padded to
/// 4 bytes, as the container requires).
pub(crate) fn glb_container(mut json: Vec<u8>, mut bin: Vec<u8>) -> Vec<u8> {
    while !json.len().is_multiple_of(4) {
        json.push(b' ');
    }
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let total = 12 + 8 + json.len() + 8 + bin.len();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(b"glTF");
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(b"JSON");
    out.extend_from_slice(&json);
    out.extend_from_slice(&(bin.len() as u32).to_le_bytes());
    out.extend_from_slice(b"BIN\0");
    out.extend_from_slice(&bin);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A closed tetrahedron-free strip: a quad made of two triangles.
    pub(crate) fn quad() -> GarmentMesh {
        GarmentMesh {
            positions: vec![
                [0.0, 0.0, 0.0],
                [0.1, 0.0, 0.0],
                [0.1, 0.1, 0.0],
                [0.0, 0.1, 0.0],
            ],
            normals: vec![[0.0, 0.0, 1.0]; 4],
            indices: vec![0, 1, 2, 0, 2, 3],
        }
    }

    const MAT: Material = Material {
        base_color: [0.5, 0.5, 0.5, 1.0],
        roughness: 0.9,
    };

    #[test]
    fn round_trips_a_valid_mesh() {
        let glb = write_glb(&quad(), "M", MAT);
        let rep = check_glb(&glb);
        assert!(rep.problems.is_empty(), "{:?}", rep.problems);
        assert_eq!((rep.vertices, rep.triangles), (4, 2));
        assert_eq!(
            rep.mesh.as_ref().map(|m| m.indices.clone()),
            Some(quad().indices)
        );
    }

    #[test]
    fn finds_degenerate_and_non_manifold() {
        let mut m = quad();
        // A third triangle on edge 0–2 (non-manifold) and a collapsed one.
        m.positions.push([0.05, 0.05, 0.1]);
        m.normals.push([0.0, 0.0, 1.0]);
        m.indices.extend([0, 2, 4, 1, 1, 3]);
        let rep = check_glb(&write_glb(&m, "M", MAT));
        let text: Vec<String> = rep.problems.iter().map(ToString::to_string).collect();
        assert!(text.iter().any(|t| t.contains("1 degenerate")), "{text:?}");
        assert!(
            text.iter().any(|t| t.contains("1 non-manifold")),
            "{text:?}"
        );
    }

    #[test]
    fn finds_odd_attributes() {
        let mut m = quad();
        m.normals[0] = [0.0, 0.0, 3.0];
        m.positions[1] = [f32::NAN, 0.0, 0.0];
        let rep = check_glb(&write_glb(&m, "M", MAT));
        assert!(
            rep.problems
                .iter()
                .any(|p| p.message.contains("not finite")),
            "{:?}",
            rep.problems
        );
        let mut m = quad();
        m.normals.pop();
        let rep = check_glb(&write_glb(&m, "M", MAT));
        assert!(rep.problems.iter().any(|p| p.field.ends_with("NORMAL")));
        let mut m = quad();
        for p in &mut m.positions {
            p[0] *= 100.0;
        }
        let rep = check_glb(&write_glb(&m, "M", MAT));
        assert!(rep.problems.iter().any(|p| p.message.contains("metres")));
    }

    #[test]
    fn truncated_and_garbage_files_do_not_panic() {
        let glb = write_glb(&quad(), "M", MAT);
        for cut in [0, 4, 12, 20, glb.len() / 2, glb.len() - 4] {
            let rep = check_glb(&glb[..cut]);
            assert!(!rep.problems.is_empty(), "cut {cut}");
        }
        assert!(!check_glb(b"not a glb at all").problems.is_empty());
    }

    #[test]
    fn a_header_shorter_than_itself_is_refused() {
        let bytes = b"glTF\x0a\x00\x00\x00\x00\x00\x00\x00\x00\xef";
        let rep = check_glb(bytes);
        assert!(rep.mesh.is_none());
        assert!(
            rep.problems
                .iter()
                .any(|p| p.message.contains("at least 12"))
        );
        assert!(crate::appearance::read_appearance(bytes).is_err());
    }

    #[test]
    fn mutated_files_do_not_panic() {
        let plain = write_glb(&quad(), "M", MAT);
        let texture = Texture {
            uvs: vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]],
            png: b"\x89PNG\r\n\x1a\n0123456789abcdef".to_vec(),
        };
        let textured = write_glb_textured(&quad(), "M", MAT, Some(&texture));
        // Deterministic byte mutations over the whole file (header, JSON, BIN).
        let mut state = 0x1234_5678_u64;
        for round in 0..10_000 {
            let glb = if round % 2 == 0 { &plain } else { &textured };
            let mut m = glb.clone();
            for _ in 0..1 + round % 3 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let at = (state >> 33) as usize % m.len();
                m[at] = (state >> 13) as u8;
            }
            // The look's reader is lenient but must not panic either.
            let _ = crate::appearance::read_appearance(&m);
            let rep = check_glb(&m);
            // Either accepted as a mesh, or rejected with at least one problem.
            assert!(rep.mesh.is_some() || !rep.problems.is_empty());
        }
    }
}
