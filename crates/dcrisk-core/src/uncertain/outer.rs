//! The two-level run: every outer sample's scenario runs the ordinary engine on the same
//! inner paths (common random numbers), outer samples in parallel on the current rayon
//! pool, and their paths pooled in sample order.

use rayon::prelude::*;

use crate::engine::driver::simulate_range;
use crate::engine::{Model, PartialRun, Progress, RunConfig, RunMeta, finish};
use crate::metrics::{METRICS, Metric, Probabilities, Techniques};
use crate::results::RunResults;
use crate::scenario::Scenario;

/// One outer sample's figures: per metric the mean, P05 and lower 5% tail mean over its
/// inner paths, and the headline probabilities (uncertainty.csv's row).
#[derive(Clone, Debug, PartialEq)]
pub struct SampleFigures {
    pub mean: [f64; METRICS],
    pub p05: [f64; METRICS],
    pub lower_es_05: [f64; METRICS],
    pub probabilities: Probabilities,
}

impl SampleFigures {
    fn of(results: &RunResults) -> SampleFigures {
        let mut f = SampleFigures {
            mean: [0.0; METRICS],
            p05: [0.0; METRICS],
            lower_es_05: [0.0; METRICS],
            probabilities: results.probabilities(),
        };
        for m in Metric::OUTPUT {
            let s = results.metric_stat(m);
            f.mean[m.index()] = s.mean;
            f.p05[m.index()] = s.quantiles[1];
            f.lower_es_05[m.index()] = s.lower_es_05;
        }
        f
    }
}

/// What a two-level run produces: each outer sample's figures, in sample order, and the
/// results of all S x N paths pooled (sample 0's paths first).
#[derive(Clone, Debug)]
pub struct OuterRun {
    pub samples: Vec<SampleFigures>,
    pub pooled: RunResults,
}

/// Outer samples run at once: enough to keep every thread busy across samples, few
/// enough that their per-path values do not all wait in memory before pooling.
const BLOCK: usize = 16;

/// Runs every scenario (one per outer sample) with `config`: the same seed and inner
/// paths for each, so a sample's figures are those of a plain run of its scenario, bit
/// for bit. A sample's figures need its per-path values, so `config`'s sketch and
/// precision goal are ignored (the command refuses them for a two-level run).
///
/// # Panics
/// If `scenarios` is empty (a run has at least two outer samples).
pub fn run_outer(scenarios: &[Scenario], config: &RunConfig, progress: &dyn Progress) -> OuterRun {
    let (samples, paths) = run_samples(scenarios, config, progress);
    pool(&scenarios[0], config, samples, paths)
}

/// The outer samples of `scenarios` (a whole run's, or a shard's slice of them): their
/// figures in order, and their paths pooled in order, numbered from 0.
pub fn run_samples(
    scenarios: &[Scenario],
    config: &RunConfig,
    progress: &dyn Progress,
) -> (Vec<SampleFigures>, PartialRun) {
    let config = &config.with_sketch(false).with_precision(None);
    let per_sample = config.total_paths();
    let mut samples = Vec::with_capacity(scenarios.len());
    let mut pooled: Option<PartialRun> = None;
    for (b, block) in scenarios.chunks(BLOCK).enumerate() {
        let done: Vec<(SampleFigures, PartialRun)> = block
            .par_iter()
            .map(|s| one_sample(s, config, progress))
            .collect();
        for (i, (figures, mut part)) in done.into_iter().enumerate() {
            let s = (b * BLOCK + i) as u64;
            part.paths = s * per_sample..(s + 1) * per_sample;
            samples.push(figures);
            match &mut pooled {
                None => pooled = Some(part),
                Some(p) => {
                    p.parties.forget_differing_pds(&mut part.parties);
                    p.append(part).expect("samples pool in order")
                }
            }
        }
    }
    (samples, pooled.expect("at least one outer sample"))
}

/// The pooled run's meta: the first outer sample's scenario (every sample has the same
/// horizon, regions and series), with the pooled paths' techniques.
pub fn pooled_meta(first: &Scenario, config: &RunConfig) -> RunMeta {
    // The pooled paths come from different scenarios: control variates, whose
    // expectations are each scenario's own, do not apply to them (antithetic pairs do).
    let techniques = Techniques {
        control_variates: false,
        ..config.techniques
    };
    RunMeta::new(first, config.seed).with_techniques(techniques)
}

/// A two-level run from its samples' figures and pooled paths (`first` is outer sample
/// 0's scenario).
pub fn pool(
    first: &Scenario,
    config: &RunConfig,
    samples: Vec<SampleFigures>,
    paths: PartialRun,
) -> OuterRun {
    OuterRun {
        samples,
        pooled: finish(&pooled_meta(first, config), paths),
    }
}

/// One outer sample: its figures exactly as `engine::simulate`'s results give them (the
/// same statistics of the same per-path values), and its paths for the pool. The
/// sample's own monthly series are not summarised: only the pool's are written.
fn one_sample(
    scenario: &Scenario,
    config: &RunConfig,
    progress: &dyn Progress,
) -> (SampleFigures, PartialRun) {
    let model = Model::new(scenario);
    let part = simulate_range(&model, config, 0..config.total_paths(), progress);
    let results = RunResults {
        scenario: String::new(),
        paths: part.paths.end - part.paths.start,
        seed: config.seed,
        horizon_months: model.months,
        start_month: scenario.start_month,
        metrics: part.metrics,
        series: Vec::new(),
        parties: part.parties.results(),
        techniques: config.techniques,
        control_expectations: Vec::new(),
        convergence: None,
        summaries: None,
    };
    let figures = SampleFigures::of(&results);
    let part = PartialRun {
        paths: part.paths,
        metrics: results.metrics,
        series: part.series,
        summaries: None,
        parties: part.parties,
    };
    (figures, part)
}
