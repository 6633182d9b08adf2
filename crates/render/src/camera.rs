//! Orbit camera with framing and view presets.

use crate::mesh::Bounds;
use glam::{Mat4, Vec3};

/// Standard views of the figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewPreset {
    /// Looking at the figure's front (camera on +Z).
    Front,
    /// Looking at the figure's left side (camera on +X).
    Side,
    /// Looking at the figure's back (camera on −Z).
    Back,
}

impl ViewPreset {
    /// Parses `front`, `side` or `back`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "front" => Some(Self::Front),
            "side" => Some(Self::Side),
            "back" => Some(Self::Back),
            _ => None,
        }
    }

    fn yaw(self) -> f32 {
        match self {
            Self::Front => 0.0,
            Self::Side => std::f32::consts::FRAC_PI_2,
            Self::Back => std::f32::consts::PI,
        }
    }
}

/// A camera orbiting a target point; yaw 0 looks at the figure's front from +Z.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrbitCamera {
    /// Point the camera looks at (metres).
    pub target: Vec3,
    /// Rotation around +Y in radians.
    pub yaw: f32,
    /// Elevation in radians (positive looks down on the figure).
    pub pitch: f32,
    /// Distance from the target in metres.
    pub distance: f32,
    /// Vertical field of view in radians.
    pub fov_y: f32,
    home: (Vec3, f32, f32, f32),
}

impl Default for OrbitCamera {
    fn default() -> Self {
        let mut c = Self {
            target: Vec3::new(0.0, 0.9, 0.0),
            yaw: 0.0,
            pitch: 0.08,
            distance: 3.2,
            fov_y: 30f32.to_radians(),
            home: (Vec3::ZERO, 0.0, 0.0, 1.0),
        };
        c.home = (c.target, c.yaw, c.pitch, c.distance);
        c
    }
}

impl OrbitCamera {
    const MIN_PITCH: f32 = -1.2;
    const MAX_PITCH: f32 = 1.2;

    /// Frames `bounds` so the whole body fits with a margin at the given aspect (w / h),
    /// and makes that the home position for [`Self::reset`].
    pub fn frame(&mut self, bounds: &Bounds, aspect: f32) {
        let center = bounds.center();
        let size = bounds.size();
        // Fit height and width independently; the tighter one decides the distance.
        let half_h = size.y * 0.5 * 1.08;
        let half_w = size.x.max(size.z) * 0.5 * 1.08;
        let tan_v = (self.fov_y * 0.5).tan();
        let tan_h = tan_v * aspect.max(0.05);
        let d = (half_h / tan_v).max(half_w / tan_h) + size.z.max(size.x) * 0.5;
        self.target = center;
        self.distance = d.clamp(0.3, 100.0);
        self.home = (self.target, self.yaw, self.pitch, self.distance);
    }

    /// Rotates by pixel deltas (drag); `sensitivity` radians per pixel.
    pub fn orbit(&mut self, dx: f32, dy: f32, sensitivity: f32) {
        self.yaw -= dx * sensitivity;
        self.pitch = (self.pitch + dy * sensitivity).clamp(Self::MIN_PITCH, Self::MAX_PITCH);
    }

    /// Multiplies the distance (wheel or pinch); clamped to a sensible range.
    pub fn zoom(&mut self, factor: f32) {
        if factor.is_finite() && factor > 0.0 {
            let home_d = self.home.3;
            self.distance = (self.distance * factor).clamp(home_d * 0.2, home_d * 3.0);
        }
    }

    /// Jumps to a preset view keeping the framing.
    pub fn set_view(&mut self, preset: ViewPreset) {
        let (target, _, pitch, distance) = self.home;
        self.target = target;
        self.pitch = pitch;
        self.distance = distance;
        self.yaw = preset.yaw();
    }

    /// Returns to the framed home position.
    pub fn reset(&mut self) {
        let (t, y, p, d) = self.home;
        self.target = t;
        self.yaw = y;
        self.pitch = p;
        self.distance = d;
    }

    /// Camera position in world space.
    pub fn eye(&self) -> Vec3 {
        let dir = Vec3::new(
            self.yaw.sin() * self.pitch.cos(),
            self.pitch.sin(),
            self.yaw.cos() * self.pitch.cos(),
        );
        self.target + dir * self.distance
    }

    /// View-projection matrix for a target of aspect `w / h` (depth range 0..1).
    pub fn view_proj(&self, aspect: f32) -> Mat4 {
        let view = glam::camera::rh::view::look_at_mat4(self.eye(), self.target, Vec3::Y);
        let near = (self.distance * 0.05).max(0.01);
        let far = self.distance * 4.0 + 10.0;
        // wgpu clip space is Y-up with depth 0..1: the "directx" convention.
        let proj =
            glam::camera::rh::proj::directx::perspective(self.fov_y, aspect.max(1e-3), near, far);
        proj * view
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_view_looks_from_plus_z() {
        let c = OrbitCamera {
            pitch: 0.0,
            ..OrbitCamera::default()
        };
        let eye = c.eye();
        assert!(eye.z > 3.0 && eye.x.abs() < 1e-5, "{eye:?}");
    }

    #[test]
    fn framing_keeps_bounds_in_view() {
        let b = Bounds {
            min: Vec3::new(-0.3, 0.0, -0.15),
            max: Vec3::new(0.3, 1.8, 0.15),
        };
        for aspect in [0.5, 1.0, 16.0 / 9.0] {
            let mut c = OrbitCamera::default();
            c.frame(&b, aspect);
            let vp = c.view_proj(aspect);
            for corner in b.corners() {
                let p = vp.project_point3(corner);
                assert!(
                    p.x.abs() <= 1.0 && p.y.abs() <= 1.0,
                    "aspect {aspect}: {corner} -> {p}"
                );
                assert!((0.0..=1.0).contains(&p.z));
            }
        }
    }

    #[test]
    fn orbit_clamps_pitch_and_reset_restores() {
        let mut c = OrbitCamera::default();
        let home = c;
        c.orbit(100.0, 10_000.0, 0.01);
        assert!(c.pitch <= 1.2);
        c.zoom(100.0);
        c.zoom(f32::NAN);
        assert!(c.distance <= home.distance * 3.0 + 1e-4);
        c.reset();
        assert_eq!(c, home);
        c.set_view(ViewPreset::Back);
        assert!(c.eye().z < 0.0);
    }
}
