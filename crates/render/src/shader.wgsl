// doppel scene shader: key + fill + hemisphere light, Blinn-Phong specular with roughness,
// contact shadow on the floor, ACES-style tone mapping, sRGB encoding when the target is
// not an sRGB format (WebGPU canvases are usually bgra8unorm).

struct Globals {
    view_proj: mat4x4<f32>,
    camera_pos: vec4<f32>,
    key_dir: vec4<f32>,      // xyz: direction towards the light, w: intensity
    fill_dir: vec4<f32>,
    sky: vec4<f32>,          // hemisphere sky colour, w: intensity
    ground: vec4<f32>,       // hemisphere ground colour
    background: vec4<f32>,   // clear colour (linear, already tone-mapped space)
    shadow: vec4<f32>,       // xz centre, z: radius x, w: radius z
    params: vec4<f32>,       // x: 1 = encode sRGB in shader, y: exposure
};

struct Object {
    model: mat4x4<f32>,
    color: vec4<f32>,
    material: vec4<f32>,     // x: roughness, y: metallic, z: kind (0 mesh, 1 floor), w: unused
};

@group(0) @binding(0) var<uniform> globals: Globals;
@group(1) @binding(0) var<uniform> object: Object;

struct VsOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) world: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) tint: vec3<f32>,
};

@vertex
fn vs_main(
    @location(0) position: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) tint: vec3<f32>,
) -> VsOut {
    var out: VsOut;
    out.tint = tint;
    let world = object.model * vec4<f32>(position, 1.0);
    out.world = world.xyz;
    // Models are rigid + uniform scale, so the upper 3x3 transforms normals correctly.
    out.normal = (object.model * vec4<f32>(normal, 0.0)).xyz;
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

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    var n = normalize(in.normal);
    let v = normalize(globals.camera_pos.xyz - in.world);
    // Back faces (open garment hems) are lit from their inside.
    if (dot(n, v) < 0.0) {
        n = -n;
    }
    let albedo = object.color.rgb * in.tint;
    var color: vec3<f32>;
    if (object.material.z > 0.5) {
        // Floor: flat albedo under the hemisphere light, darkened by a soft contact shadow.
        let d = (in.world.xz - globals.shadow.xy) / globals.shadow.zw;
        let occ = 1.0 - 0.55 * exp(-2.5 * dot(d, d));
        color = albedo * (globals.sky.rgb * globals.sky.w + globals.key_dir.w * 0.3) * occ;
        // The floor melts into the background with distance, so there is no horizon line.
        let dist = length(in.world.xz - globals.shadow.xy);
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
            + light(n, v, normalize(globals.key_dir.xyz), albedo, rough, metal) * globals.key_dir.w
            + light(n, v, normalize(globals.fill_dir.xyz), albedo, rough, metal) * globals.fill_dir.w;
    }
    var mapped = aces(color * globals.params.y);
    if (globals.params.x > 0.5) {
        mapped = linear_to_srgb(mapped);
    }
    return vec4<f32>(mapped, object.color.a);
}
