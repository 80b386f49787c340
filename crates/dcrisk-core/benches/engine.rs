//! Criterion benchmarks of the engine on the base scenario: paths per second at a few path
//! counts, one path (180 monthly steps), the exposure profile, and the random-number floor
//! (the same draws with nothing else). Run: `cargo bench -p dcrisk-core`; `benches/compare.sh` at the
//! repository's root compares whole runs with the peers.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use dcrisk_core::engine::floor::random_floor;
use dcrisk_core::engine::monthly_series::MonthSink;
use dcrisk_core::engine::parties::PartySink;
use dcrisk_core::engine::path::simulate_path;
use dcrisk_core::engine::scratch::Scratch;
use dcrisk_core::engine::{Model, RunConfig, simulate_part};
use dcrisk_core::scenario::{parse_toml, validate};
use dcrisk_core::{NoProgress, Scenario, guarantee};

fn base() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/gigawatt-program.toml");
    let text = std::fs::read_to_string(path).expect("base scenario");
    validate(&parse_toml(&text).expect("TOML")).expect("valid")
}

/// Ignores the monthly series: isolates the path simulation.
struct Discard;
impl MonthSink for Discard {
    fn record(&mut self, _series: usize, values: &[f64]) {
        black_box(values);
    }
}

fn engine(c: &mut Criterion) {
    let scenario = base();
    let model = Model::new(&scenario);
    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    for paths in [4_096u64, 16_384, 65_536] {
        g.throughput(Throughput::Elements(paths));
        g.bench_with_input(BenchmarkId::new("paths", paths), &paths, |b, &n| {
            b.iter(|| simulate_part(&scenario, &RunConfig::new(n, 42), 0..n, &NoProgress))
        });
        g.bench_with_input(BenchmarkId::new("rng_floor", paths), &paths, |b, &n| {
            b.iter(|| random_floor(&model, &RunConfig::new(n, 42), 0..n))
        });
    }
    g.finish();
}

fn one_path(c: &mut Criterion) {
    let model = Model::new(&base());
    let mut scratch = Scratch::new(&model);
    let mut parties = PartySink::new(&model);
    let mut g = c.benchmark_group("path");
    g.throughput(Throughput::Elements(model.months as u64));
    let config = RunConfig::new(1, 42);
    let mut p = 0;
    g.bench_function("monthly_steps_of_one_path", |b| {
        b.iter(|| {
            p += 1;
            simulate_path(&model, &config, p, &mut scratch, &mut Discard, &mut parties)
        })
    });
    g.finish();
}

fn exposure(c: &mut Criterion) {
    let s = base();
    let model = Model::new(&s);
    // A flat owed-rent schedule to the end of the longest lease.
    let w: Vec<f64> = (0..=model.schedule_len).map(|u| 1.2e8 * u as f64).collect();
    c.bench_function("exposure_profile_180_months", |b| {
        b.iter(|| {
            (0..model.months)
                .map(|t| guarantee::exposure(&w, &model.df, t, &s.guarantee))
                .sum::<f64>()
        })
    });
}

criterion_group!(benches, engine, one_path, exposure);
criterion_main!(benches);
