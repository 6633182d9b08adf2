//! Frame time of avatar + garment (`cargo bench -p doppel-render --features native`).
//! Pin the adapter with `WGPU_ADAPTER_NAME=llvmpipe` for the figures in BENCHMARKS.md.
#![allow(clippy::unwrap_used)] // a benchmark that cannot set up has nothing to measure

use criterion::{Criterion, criterion_group, criterion_main};
use doppel_render::headless::Headless;
use doppel_render::{Material, MeshData};

fn avatar() -> MeshData {
    let input = doppel_body::BodyInput::new(doppel_body::Sex::Male, 180.0, 80.0, None, []).unwrap();
    let av = doppel_body::avatar::build_avatar(&input).unwrap();
    MeshData {
        positions: av.mesh.positions,
        normals: av.mesh.normals,
        indices: av.mesh.indices,
        colors: vec![],
    }
}

fn frame(c: &mut Criterion) {
    let Ok(mut h) = Headless::new() else {
        eprintln!("no adapter: nothing to benchmark");
        return;
    };
    let body = avatar();
    // The garment stand-in: the avatar scaled out by 2 % (same vertex load as a garment size).
    let mut garment = body.clone();
    for p in &mut garment.positions {
        *p = [p[0] * 1.02, p[1], p[2] * 1.02];
    }
    let verts = body.positions.len() + garment.positions.len();
    h.renderer.add_mesh("avatar", body, Material::SKIN).unwrap();
    h.renderer
        .add_mesh(
            "garment",
            garment,
            Material {
                base_color: [0.2, 0.3, 0.6, 1.0],
                roughness: 0.8,
                metallic: 0.0,
            },
        )
        .unwrap();
    h.renderer.frame_scene(1280, 720);
    // One untimed frame creates the targets, so the memory figure includes them.
    h.draw(1280, 720).unwrap();
    eprintln!(
        "GPU memory allocated by the renderer at 1280x720: {} bytes ({:.1} MiB)",
        h.renderer.gpu_memory_bytes(),
        h.renderer.gpu_memory_bytes() as f64 / (1024.0 * 1024.0)
    );
    let caps = h.renderer.caps().clone();
    for shadows in [true, false] {
        h.renderer.set_shadows(shadows);
        let name = format!(
            "frame 1280x720, {verts} vertices, {} ({}x MSAA), {}",
            caps.adapter_name,
            caps.sample_count,
            if shadows {
                "shadow map"
            } else {
                "contact shadow only"
            }
        );
        c.bench_function(&name, |b| b.iter(|| h.draw(1280, 720).unwrap()));
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = frame
}
criterion_main!(benches);
