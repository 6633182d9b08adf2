//! Fuzzes the cloth solver's entry points with random meshes, indices, floats (NaN,
//! infinities, huge values), fabrics and settings: a drape, an error naming the bad
//! input, never a panic (also `carry`, `turn_sleeves`, `subdivide` and
//! `region_strain_pct`).
#![no_main]

use doppel_fit::drape::{
    BodySurface, ClothMesh, DrapeParams, carry, drape, region_strain_pct, subdivide,
    turn_sleeves,
};
use doppel_garment::catalog::{Fabric, FabricKind};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

/// Reads the fuzzer's bytes as small numbers; zeros once they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let (b, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.0 = rest;
        b
    }
    /// Mostly plausible metres (−1.28 to 1.27 m in cm steps), sometimes a raw f32.
    fn coord(&mut self) -> f32 {
        match self.u8() {
            255 => f32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()]),
            b => (b as i8) as f32 / 100.0 + 1.0,
        }
    }
    fn point(&mut self) -> [f32; 3] {
        [self.coord(), self.coord(), self.coord()]
    }
    /// Mostly valid vertex numbers below `n`, sometimes anything.
    fn index(&mut self, n: usize) -> u32 {
        let b = self.u8();
        if b == 255 {
            u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
        } else {
            b as u32 % n.max(1) as u32
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut r = Bytes(data);
    let (nb, ng) = (r.u8() as usize % 48, r.u8() as usize % 48);
    let (tb, tg) = (3 * (r.u8() as usize % 64), r.u8() as usize % 192);
    let body_pos: Vec<[f32; 3]> = (0..nb).map(|_| r.point()).collect();
    // Sometimes one normal too few (an error to report).
    let nn = if r.u8() == 7 { nb.saturating_sub(1) } else { nb };
    let body_nrm: Vec<[f32; 3]> = (0..nn).map(|_| r.point()).collect();
    let body_idx: Vec<u32> = (0..tb).map(|_| r.index(nb)).collect();
    let rest: Vec<[f32; 3]> = (0..ng).map(|_| r.point()).collect();
    let start: Vec<[f32; 3]> = if r.u8() % 2 == 0 {
        rest.clone()
    } else {
        (0..ng).map(|_| r.point()).collect()
    };
    // Any count, including ones that are not a multiple of three.
    let idx: Vec<u32> = (0..tg).map(|_| r.index(ng)).collect();
    let fabric = Fabric {
        kind: FabricKind::Knit,
        stretch_across_pct: f64::from(r.coord()) * 50.0,
        stretch_along_pct: f64::from(r.coord()) * 20.0,
        weight_gsm: f64::from(r.coord()) * 200.0,
    };
    let params = DrapeParams {
        steps: 1 + r.u8() as usize % 3,
        substeps: 1 + r.u8() as usize % 4,
        thickness_m: r.coord() / 50.0,
        ..DrapeParams::default()
    };
    let body = BodySurface {
        positions: &body_pos,
        normals: &body_nrm,
        indices: &body_idx,
    };
    let cloth = ClothMesh {
        rest: &rest,
        start: &start,
        indices: &idx,
    };
    if let Ok(d) = drape(&cloth, &body, &fabric, &params) {
        assert_eq!(d.positions.len(), rest.len());
        assert_eq!(d.strain.len(), rest.len());
        let levels: BTreeMap<String, f64> = [("waist".to_string(), f64::from(r.coord()))].into();
        let _ = region_strain_pct(&rest, &idx, &d.positions, &levels);
    }
    let carried = carry(&rest, r.coord() + 1.0, &body_pos, r.u8() % 2 == 0);
    assert_eq!(carried.len(), rest.len());
    // Sleeves turned to an arbitrary (possibly degenerate or non-finite) arm.
    let mut turned = carried;
    let (s, e, w) = (r.point(), r.point(), r.point());
    turn_sleeves(&mut turned, s, e, w);
    assert_eq!(turned.len(), rest.len());
    let _ = subdivide(&rest, &idx);
});
