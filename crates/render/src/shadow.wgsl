// Depth-only pass for the key light's shadow map. Objects share the scene's bind group
// layout; only the model matrix is read here.

struct ShadowGlobals {
    light_view_proj: mat4x4<f32>,
};

struct Object {
    model: mat4x4<f32>,
};

@group(0) @binding(0) var<uniform> shadow_globals: ShadowGlobals;
@group(1) @binding(0) var<uniform> object: Object;

@vertex
fn vs_shadow(@location(0) position: vec3<f32>) -> @builtin(position) vec4<f32> {
    return shadow_globals.light_view_proj * object.model * vec4<f32>(position, 1.0);
}

// An empty fragment stage: some GL drivers want one even for depth-only programs.
@fragment
fn fs_shadow() {
}
