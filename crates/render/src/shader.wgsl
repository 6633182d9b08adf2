// doppel scene shader: key + fill + hemisphere light, Blinn-Phong specular with roughness,
// glTF-style base colour / normal textures, a triplanar procedural fabric detail normal map,
// a PCF shadow map for the key light (with a contact shadow on the floor as fallback and
// grounding), ACES-style tone mapping, sRGB encoding when the target is not an sRGB format
// (WebGPU canvases are usually bgra8unorm).

struct Globals {
    view_proj: mat4x4<f32>,
    light_view_proj: mat4x4<f32>,
    camera_pos: vec4<f32>,
    key_dir: vec4<f32>,      // xyz: direction towards the light, w: intensity
    fill_dir: vec4<f32>,
    sky: vec4<f32>,          // hemisphere sky colour, w: intensity
    ground: vec4<f32>,       // hemisphere ground colour
    background: vec4<f32>,   // clear colour (linear, already tone-mapped space)
    contact: vec4<f32>,      // contact shadow: xz centre, z: radius x, w: radius z
    params: vec4<f32>,       // x: 1 = encode sRGB in shader, y: exposure, z: 1 = shadow map on, w: contact strength
    shadow_rect: vec4<f32>,  // atlas: x: u offset, y: u scale, z: texel u, w: texel v
    shadow_bias: vec4<f32>,  // x: normal offset (m), y: depth bias
};

struct Object {
    model: mat4x4<f32>,
    color: vec4<f32>,
    material: vec4<f32>,     // x: roughness, y: metallic, z: kind (0 mesh, 1 floor), w: normal scale
    maps: vec4<f32>,         // x: base texture on, y: normal texture on, z: fabric strength, w: 1 / fabric tile (m)
};

@group(0) @binding(0) var<uniform> globals: Globals;
@group(0) @binding(1) var shadow_map: texture_depth_2d;
@group(0) @binding(2) var shadow_sampler: sampler_comparison;
@group(1) @binding(0) var<uniform> object: Object;
@group(1) @binding(1) var base_tex: texture_2d<f32>;
@group(1) @binding(2) var normal_tex: texture_2d<f32>;
@group(1) @binding(3) var fabric_tex: texture_2d<f32>;
@group(1) @binding(4) var tex_sampler: sampler;

struct VsOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) world: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) tint: vec3<f32>,
    @location(3) uv: vec2<f32>,
    @location(4) tangent: vec4<f32>,
};

@vertex
fn vs_main(
    @location(0) position: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) tint: vec3<f32>,
    @location(3) uv: vec2<f32>,
    @location(4) tangent: vec4<f32>,
) -> VsOut {
    var out: VsOut;
    out.tint = tint;
    out.uv = uv;
    let world = object.model * vec4<f32>(position, 1.0);
    out.world = world.xyz;
    // Models are rigid + uniform scale, so the upper 3x3 transforms normals correctly.
    out.normal = (object.model * vec4<f32>(normal, 0.0)).xyz;
    out.tangent = vec4<f32>((object.model * vec4<f32>(tangent.xyz, 0.0)).xyz, tangent.w);
    out.clip = globals.view_proj * world;
    return out;
}

fn aces(x: vec3<f32>) -> vec3<f32> {
    let a = 2.51;
    let b = 0.03;
    let c = 2.43;
    let d = 0.59;
    let e = 0.14;
    return clamp((x * (a * x + b)) / (x * (c * x + d) + e), vec3<f32>(0.0), vec3<f32>(1.0));
}

fn linear_to_srgb(c: vec3<f32>) -> vec3<f32> {
    let lo = c * 12.92;
    let hi = 1.055 * pow(c, vec3<f32>(1.0 / 2.4)) - 0.055;
    return select(hi, lo, c <= vec3<f32>(0.0031308));
}

fn light(n: vec3<f32>, v: vec3<f32>, l: vec3<f32>, albedo: vec3<f32>, rough: f32, metal: f32) -> vec3<f32> {
    let ndl = max(dot(n, l), 0.0);
    let h = normalize(l + v);
    let shininess = mix(256.0, 4.0, rough);
    let spec_col = mix(vec3<f32>(0.04), albedo, metal);
    let spec = spec_col * pow(max(dot(n, h), 0.0), shininess) * (shininess + 8.0) / 25.13;
    return (albedo * (1.0 - metal) + spec) * ndl;
}

// Key-light visibility 0..1: 3×3 PCF taps, each a bilinear hardware comparison.
// The lookup point is pushed along the geometric normal by about a texel (normal offset),
// which with the pass's slope bias keeps lit surfaces free of acne.
fn key_visibility(world: vec3<f32>, ng: vec3<f32>) -> f32 {
    if (globals.params.z < 0.5) {
        return 1.0;
    }
    let l = normalize(globals.key_dir.xyz);
    let slope = 1.0 - abs(dot(ng, l));
    let p = world + ng * globals.shadow_bias.x * (0.5 + slope);
    let clip = globals.light_view_proj * vec4<f32>(p, 1.0);
    let ndc = clip.xyz / clip.w;
    let uv = vec2<f32>(ndc.x * 0.5 + 0.5, 0.5 - ndc.y * 0.5);
    if (uv.x <= 0.0 || uv.x >= 1.0 || uv.y <= 0.0 || uv.y >= 1.0 || ndc.z >= 1.0) {
        return 1.0;
    }
    let atlas = vec2<f32>(uv.x * globals.shadow_rect.y + globals.shadow_rect.x, uv.y);
    let texel = globals.shadow_rect.zw;
    let depth = ndc.z - globals.shadow_bias.y;
    var sum = 0.0;
    for (var y = -1; y <= 1; y++) {
        for (var x = -1; x <= 1; x++) {
            let o = vec2<f32>(f32(x), f32(y)) * texel * 1.5;
            sum += textureSampleCompareLevel(shadow_map, shadow_sampler, atlas + o, depth);
        }
    }
    return sum / 9.0;
}

// Tangent-space normal of the fabric tile → a world-space perturbation, blended over the
// three axis projections (triplanar: garments need no UVs for their cloth detail).
fn fabric_normal(n: vec3<f32>, tx: vec3<f32>, ty: vec3<f32>, tz: vec3<f32>) -> vec3<f32> {
    var w = pow(abs(n), vec3<f32>(4.0));
    w = w / max(w.x + w.y + w.z, 1e-4);
    let px = vec3<f32>(0.0, tx.y, tx.x);
    let py = vec3<f32>(ty.x, 0.0, ty.y);
    let pz = vec3<f32>(tz.x, tz.y, 0.0);
    return (px * w.x + py * w.y + pz * w.z) * object.maps.z;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    var ng = normalize(in.normal);
    let v = normalize(globals.camera_pos.xyz - in.world);
    // Back faces (open garment hems, inside of sleeves) are lit from their inside.
    // (By the view direction, not winding: imported meshes disagree on winding.)
    if (dot(ng, v) < 0.0) {
        ng = -ng;
    }
    // Texture reads sit in branches on uniform values only (control flow stays uniform for
    // implicit derivatives), so objects without maps, such as the skin, skip them.
    var n = ng;
    if (object.maps.y > 0.5) {
        let normal_texel = textureSample(normal_tex, tex_sampler, in.uv).xyz * 2.0 - 1.0;
        let t = normalize(in.tangent.xyz - ng * dot(ng, in.tangent.xyz));
        let b = cross(ng, t) * in.tangent.w;
        let tn = vec3<f32>(normal_texel.xy * object.material.w, normal_texel.z);
        n = normalize(t * tn.x + b * tn.y + ng * max(tn.z, 1e-3));
    }
    if (object.maps.z > 0.0) {
        let fp = in.world * object.maps.w;
        let fx = textureSample(fabric_tex, tex_sampler, fp.zy).xyz * 2.0 - 1.0;
        let fy = textureSample(fabric_tex, tex_sampler, fp.xz).xyz * 2.0 - 1.0;
        let fz = textureSample(fabric_tex, tex_sampler, fp.xy).xyz * 2.0 - 1.0;
        n = normalize(n + fabric_normal(ng, fx, fy, fz));
    }
    var base = object.color;
    if (object.maps.x > 0.5) {
        base = base * textureSample(base_tex, tex_sampler, in.uv);
    }
    let albedo = base.rgb * in.tint;
    let vis = key_visibility(in.world, ng);
    var color: vec3<f32>;
    if (object.material.z > 0.5) {
        // Floor: flat albedo under the hemisphere light and the (shadowed) key light, plus
        // a soft contact shadow under the figure (the only shadow when there is no map).
        let d = (in.world.xz - globals.contact.xy) / globals.contact.zw;
        let occ = 1.0 - globals.params.w * exp(-2.5 * dot(d, d));
        color = albedo * (globals.sky.rgb * globals.sky.w + globals.key_dir.w * 0.3 * vis) * occ;
        // The floor melts into the background with distance, so there is no horizon line.
        let dist = length(in.world.xz - globals.contact.xy);
        let fade = smoothstep(1.0, 5.0, dist);
        var floor_out = aces(color * globals.params.y);
        floor_out = mix(floor_out, globals.background.rgb, fade);
        if (globals.params.x > 0.5) {
            floor_out = linear_to_srgb(floor_out);
        }
        return vec4<f32>(floor_out, 1.0);
    } else {
        let rough = object.material.x;
        let metal = object.material.y;
        let hemi = mix(globals.ground.rgb, globals.sky.rgb, 0.5 + 0.5 * n.y) * globals.sky.w;
        color = albedo * hemi
            + light(n, v, normalize(globals.key_dir.xyz), albedo, rough, metal) * globals.key_dir.w * vis
            + light(n, v, normalize(globals.fill_dir.xyz), albedo, rough, metal) * globals.fill_dir.w;
    }
    var mapped = aces(color * globals.params.y);
    if (globals.params.x > 0.5) {
        mapped = linear_to_srgb(mapped);
    }
    return vec4<f32>(mapped, base.a);
}
