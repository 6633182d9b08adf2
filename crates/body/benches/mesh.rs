//! Body model benchmarks: load, evaluate, measure, solve, full avatar.
//! Run: `cargo bench -p doppel-body --bench mesh` (figures in BENCHMARKS.md).

#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use doppel_body::avatar::build_avatar;
use doppel_body::mesh_measure::measure;
use doppel_body::model::Model;
use doppel_body::solve::{Problem, solve};
use doppel_body::{BodyInput, Measure, Sex, predict};
use std::hint::black_box;

fn benches(c: &mut Criterion) {
    let bytes = include_bytes!("../../../assets/body/model.bin");
    c.bench_function("model_load", |b| {
        b.iter(|| Model::from_bytes(black_box(bytes)).map(|m| m.n_surface()))
    });
    let Ok(model) = Model::from_bytes(bytes) else {
        eprintln!("model.bin does not load; run `cargo xtask import-body`");
        return;
    };
    // A realistic (non-neutral) body: the neutral one skips every shape component.
    let shape = BodyInput::new(Sex::Male, 181.0, 88.0, Some(42.0), [])
        .and_then(|i| predict(&i).map(|p| Problem::from_prediction(&p, i.weight_kg)))
        .and_then(|prob| solve(&model, &prob))
        .map_or_else(|_| model.neutral(Sex::Male), |s| s.shape);
    c.bench_function("evaluate_mesh", |b| {
        b.iter(|| model.evaluate(black_box(&shape)))
    });
    let pos = model.evaluate(&shape);
    c.bench_function("measure_all", |b| {
        b.iter(|| measure(&model, black_box(&pos)))
    });
    let inputs = [
        BodyInput::new(Sex::Female, 165.0, 62.0, None, []),
        // The wasm benchmark's input (`xtask/wasm-bench`), for a like-for-like comparison.
        BodyInput::new(
            Sex::Male,
            181.0,
            88.0,
            Some(42.0),
            [
                (Measure::Chest, 104.0),
                (Measure::Waist, 94.0),
                (Measure::Hip, 103.0),
            ],
        ),
        BodyInput::new(
            Sex::Male,
            181.0,
            88.0,
            Some(42.0),
            [
                (Measure::Chest, 104.0),
                (Measure::Waist, 94.0),
                (Measure::Hip, 103.0),
                (Measure::Inseam, 84.0),
            ],
        ),
    ];
    let names = ["solve_hw_only", "solve_chest_waist_hip", "solve_4_supplied"];
    for (name, input) in names.iter().zip(inputs) {
        let Ok(input) = input else { continue };
        let Ok(p) = predict(&input) else { continue };
        let prob = Problem::from_prediction(&p, input.weight_kg);
        c.bench_function(name, |b| {
            b.iter(|| solve(&model, black_box(&prob)).map(|s| s.iterations))
        });
        if *name == "solve_4_supplied" {
            c.bench_function("build_avatar", |b| {
                b.iter(|| build_avatar(black_box(&input)).map(|a| a.mesh.positions.len()))
            });
        }
    }
}

criterion_group!(body_mesh, benches);
criterion_main!(body_mesh);
