//! Predictor timings: `cargo bench -p doppel-body --bench predict`.
//! Results are recorded in BENCHMARKS.md ("Body: predictor accuracy").

#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use doppel_body::predict::model::PredictorModel;
use doppel_body::predict::{EMBEDDED_MODEL_JSON, predict};
use doppel_body::{BodyInput, Measure, Sex};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    c.bench_function("predictor: parse embedded coefficients", |b| {
        b.iter(|| PredictorModel::from_json(black_box(EMBEDDED_MODEL_JSON)))
    });
    let plain = BodyInput::new(Sex::Female, 165.0, 62.0, Some(34.0), []).expect("valid input");
    c.bench_function("predict: height, weight, age", |b| {
        b.iter(|| predict(black_box(&plain)))
    });
    let measured = BodyInput::new(
        Sex::Male,
        180.0,
        84.0,
        Some(41.0),
        [
            (Measure::Chest, 104.0),
            (Measure::Waist, 92.0),
            (Measure::Hip, 102.0),
        ],
    )
    .expect("valid input");
    c.bench_function("predict: + chest, waist, hip supplied", |b| {
        b.iter(|| predict(black_box(&measured)))
    });
    let p = predict(&measured).expect("plausible input");
    c.bench_function("sample: 100 correlated draws", |b| {
        b.iter(|| p.sample(black_box(100), 7))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
