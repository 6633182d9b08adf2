//! One call from shopper input to a measured 3D avatar: predict, solve, pose, measure.

use crate::mesh_measure::{measure, volume_m3};
use crate::model::{Model, Part, ShapeParams};
use crate::solve::{BODY_DENSITY_KG_M3, Problem, solve};
use crate::{BodyError, BodyInput, Measure, Prediction, predict};
use std::collections::BTreeMap;

/// The avatar's triangle mesh, ready for rendering and dressing.
///
/// Metres, +Y up, soles at y = 0, facing +Z, the body's left at +X, arms in the base
/// mesh's A-pose (upper arms about 50° below horizontal, clear of the torso).
#[derive(Debug, Clone, PartialEq)]
pub struct AvatarMesh {
    /// Vertex positions.
    pub positions: Vec<[f32; 3]>,
    /// Unit vertex normals (area-weighted face normals), pointing outward.
    pub normals: Vec<[f32; 3]>,
    /// Triangle list, counter-clockwise seen from outside.
    pub indices: Vec<u32>,
    /// Body part of each vertex.
    pub parts: Vec<Part>,
    /// Joint centres by name (`shoulder_left`, `hip_right`, `knee_left`, `neck`, …).
    pub joints: BTreeMap<String, [f32; 3]>,
    /// Height above the floor of each girth's cross-section (`chest`, `waist`, `hip`, …), m.
    pub levels_m: BTreeMap<String, f64>,
}

/// A solved avatar and its numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Avatar {
    /// The mesh.
    pub mesh: AvatarMesh,
    /// Every [`Measure`] as achieved on the mesh, cm.
    pub measurements_cm: BTreeMap<Measure, f64>,
    /// The prediction that supplied targets for unmeasured values.
    pub prediction: Prediction,
    /// The solved shape parameters.
    pub shape: ShapeParams,
    /// Mesh volume, m³.
    pub volume_m3: f64,
    /// Volume × [`BODY_DENSITY_KG_M3`], kg (compare with the entered weight).
    pub mass_kg: f64,
    /// Largest deviation of a supplied measure or height from its input, cm.
    pub max_supplied_error_cm: f64,
}

/// Builds the avatar for `input` with the built-in model and predictor.
///
/// Errors: those of [`predict`] (contradictory input, naming the field) and
/// [`BodyError::Model`] if the embedded data were corrupt.
pub fn build_avatar(input: &BodyInput) -> Result<Avatar, BodyError> {
    build_avatar_with(Model::builtin()?, input)
}

/// Builds the avatar for `input` with `model`.
pub fn build_avatar_with(model: &Model, input: &BodyInput) -> Result<Avatar, BodyError> {
    let prediction = predict(input)?;
    let mut problem = Problem::from_prediction(&prediction, input.weight_kg);
    // Underbust has no ANSUR column; without a value, it follows the other measures.
    problem
        .targets
        .retain(|t| t.measure != Measure::Underbust || t.supplied);
    let sol = solve(model, &problem)?;
    let pos = model.evaluate(&sol.shape);
    let measured =
        measure(model, &pos).ok_or_else(|| BodyError::Model("model lacks landmarks".into()))?;
    let ns = model.n_surface();
    let positions = pos[..ns].to_vec();
    let indices: Vec<u32> = model.triangles().iter().flatten().copied().collect();
    let normals = vertex_normals(&positions, model.triangles());
    let joints = model
        .joint_names()
        .iter()
        .enumerate()
        .map(|(j, n)| (n.clone(), pos[ns + j]))
        .collect();
    let volume = volume_m3(&pos, model.triangles());
    Ok(Avatar {
        mesh: AvatarMesh {
            positions,
            normals,
            indices,
            parts: model.parts().to_vec(),
            joints,
            levels_m: measured.levels_m,
        },
        measurements_cm: measured.values_cm,
        prediction,
        shape: sol.shape,
        volume_m3: volume,
        mass_kg: BODY_DENSITY_KG_M3 * volume,
        max_supplied_error_cm: sol.max_supplied_error_cm,
    })
}

/// Area-weighted vertex normals, normalised (a vertex without area gets +Y).
pub fn vertex_normals(positions: &[[f32; 3]], triangles: &[[u32; 3]]) -> Vec<[f32; 3]> {
    let mut n = vec![[0.0f32; 3]; positions.len()];
    for t in triangles {
        let [a, b, c] = [t[0] as usize, t[1] as usize, t[2] as usize];
        let (pa, pb, pc) = (positions[a], positions[b], positions[c]);
        let e1 = [pb[0] - pa[0], pb[1] - pa[1], pb[2] - pa[2]];
        let e2 = [pc[0] - pa[0], pc[1] - pa[1], pc[2] - pa[2]];
        // Cross product: its length is twice the area, so the sum is area-weighted.
        let f = [
            e1[1] * e2[2] - e1[2] * e2[1],
            e1[2] * e2[0] - e1[0] * e2[2],
            e1[0] * e2[1] - e1[1] * e2[0],
        ];
        for i in [a, b, c] {
            for k in 0..3 {
                n[i][k] += f[k];
            }
        }
    }
    for v in &mut n {
        let l = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
        *v = if l > 0.0 {
            [v[0] / l, v[1] / l, v[2] / l]
        } else {
            [0.0, 1.0, 0.0]
        };
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sex;

    #[test]
    fn avatar_is_grounded_facing_z_and_measured() {
        let input = BodyInput::new(Sex::Female, 170.0, 65.0, None, [(Measure::Waist, 74.0)])
            .expect("input");
        let a = build_avatar(&input).expect("avatar");
        let m = &a.mesh;
        let (mut ymin, mut ymax) = (f32::INFINITY, f32::NEG_INFINITY);
        for p in &m.positions {
            ymin = ymin.min(p[1]);
            ymax = ymax.max(p[1]);
        }
        assert!(ymin.abs() < 1e-4, "soles at {ymin}");
        assert!(
            (f64::from(ymax) * 100.0 - 170.0).abs() < 0.5,
            "top at {ymax}"
        );
        assert!((a.measurements_cm[&Measure::Waist] - 74.0).abs() < 0.5);
        // Facing +Z: the bust is in front of the shoulder blades.
        let knee = m.joints["knee_left"];
        assert!(knee[0] > 0.0, "left is +X");
        let chest_front = m
            .positions
            .iter()
            .filter(|p| (f64::from(p[1]) - m.levels_m["chest"]).abs() < 0.02 && p[0].abs() < 0.1)
            .map(|p| p[2])
            .fold(f32::NEG_INFINITY, f32::max);
        let chest_back = m
            .positions
            .iter()
            .filter(|p| (f64::from(p[1]) - m.levels_m["chest"]).abs() < 0.02 && p[0].abs() < 0.1)
            .map(|p| p[2])
            .fold(f32::INFINITY, f32::min);
        assert!(chest_front > 0.0 && chest_back < 0.0 && chest_front > -chest_back * 0.8);
        // Normals point outward: on average away from the body axis at waist height.
        let mut outward = 0.0;
        for (p, n) in m.positions.iter().zip(&m.normals) {
            if (f64::from(p[1]) - m.levels_m["waist"]).abs() < 0.03 && p[0].abs() < 0.2 {
                outward += p[0] * n[0] + p[2] * n[2];
            }
        }
        assert!(outward > 0.0);
        // Typical proportions hold on the solved mesh.
        assert!(a.measurements_cm[&Measure::Hip] > a.measurements_cm[&Measure::Waist]);
        assert!(a.measurements_cm[&Measure::Chest] > a.measurements_cm[&Measure::Underbust]);
        let rel = (a.mass_kg - 65.0) / 65.0;
        assert!(rel.abs() < 0.1, "mass {}", a.mass_kg);
    }

    #[test]
    fn arms_are_clear_of_the_torso_at_chest_level() {
        let input = BodyInput::new(Sex::Male, 180.0, 95.0, None, []).expect("input");
        let a = build_avatar(&input).expect("avatar");
        let m = &a.mesh;
        let y = m.levels_m["waist"] as f32;
        // Innermost left-arm point vs outermost torso point in a band at waist height.
        let band = |p: &[f32; 3]| (p[1] - y).abs() < 0.03;
        let arm_in = m
            .positions
            .iter()
            .zip(&m.parts)
            .filter(|(p, k)| band(p) && **k == Part::ArmLeft)
            .map(|(p, _)| p[0])
            .fold(f32::INFINITY, f32::min);
        let torso_out = m
            .positions
            .iter()
            .zip(&m.parts)
            .filter(|(p, k)| band(p) && **k == Part::Torso)
            .map(|(p, _)| p[0])
            .fold(f32::NEG_INFINITY, f32::max);
        assert!(
            arm_in > torso_out,
            "arm at x = {arm_in}, torso to x = {torso_out}"
        );
    }
}
