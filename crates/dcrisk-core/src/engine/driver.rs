//! The parallel driver: fixed chunks of the global path index space, run on rayon, and
//! reduced in a fixed order so results do not depend on the thread count.

use std::ops::Range;
use std::sync::Mutex;

use rayon::prelude::*;

use super::config::{Progress, RunConfig};
use super::model::Model;
use super::monthly_series::series_kinds;
use super::parties::{PartyAccumulator, PartySink};
use super::path::simulate_path;
use super::scratch::Scratch;
use super::series::{BatchSink, Resolution, SeriesAccumulator};
use crate::metrics::{COLUMNS, PathMetrics, Techniques};
use crate::results::{MonthStats, RunResults, SeriesKind, SeriesSummary};
use crate::scenario::Scenario;
use crate::summaries::MetricSummaries;

/// Paths per chunk: the unit of parallel work and of exact series summation.
pub const CHUNK: u64 = 1024;

/// The result of simulating a range of paths: exact per-path metrics and the series
/// accumulators. Partials of adjacent ranges merge into the whole run's result.
#[derive(Clone, Debug, PartialEq)]
pub struct PartialRun {
    pub paths: Range<u64>,
    /// Per-path values (empty in a summaries-only run).
    pub metrics: PathMetrics,
    pub series: SeriesAccumulator,
    /// Per-metric summaries, in a summaries-only run.
    pub summaries: Option<MetricSummaries>,
    /// Every party's outcomes (landlords, the tenant's default months).
    pub parties: PartyAccumulator,
}

/// What a run's results need besides the simulated numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct RunMeta {
    pub scenario: String,
    pub seed: u64,
    pub horizon_months: usize,
    pub start_month: u32,
    /// Series names and kinds, in recording order.
    pub series: Vec<(String, SeriesKind)>,
    pub techniques: Techniques,
    /// Closed-form expectations of the control variates.
    pub control_expectations: Vec<f64>,
    /// The demand plan, MW, each month of the horizon (deterministic: reported as the
    /// `demand_plan_mw` series beside the simulated demand).
    pub demand_plan: Vec<f64>,
}

impl RunMeta {
    pub fn new(scenario: &Scenario, seed: u64) -> Self {
        Self::of_model(scenario, &Model::new(scenario), seed)
    }

    /// As [`RunMeta::new`], for a run that has built its `model` already (the control
    /// variates' expectations are computed with it, not again).
    pub fn of_model(scenario: &Scenario, model: &Model, seed: u64) -> Self {
        RunMeta {
            scenario: scenario.name.clone(),
            seed,
            horizon_months: scenario.months(),
            start_month: scenario.start_month,
            series: series_kinds(scenario),
            techniques: Techniques::default(),
            control_expectations: model.control_expectations.clone(),
            demand_plan: model.demand.plan.clone(),
        }
    }

    /// The same run with variance-reduction techniques.
    pub fn with_techniques(mut self, techniques: Techniques) -> Self {
        self.techniques = techniques;
        self
    }
}

impl PartialRun {
    /// Appends the partial result of the paths that follow this one's.
    pub fn append(&mut self, next: PartialRun) -> Result<(), String> {
        if next.paths.start != self.paths.end {
            return Err(format!(
                "paths {}..{} do not follow {}..{}",
                next.paths.start, next.paths.end, self.paths.start, self.paths.end
            ));
        }
        for (col, more) in self.metrics.columns.iter_mut().zip(next.metrics.columns) {
            col.extend(more);
        }
        match (&mut self.summaries, &next.summaries) {
            (Some(a), Some(b)) => a.merge(b),
            (None, None) => {}
            _ => {
                return Err(
                    "a summaries-only part cannot be merged with a per-path part".to_string(),
                );
            }
        }
        self.series.merge(&next.series);
        self.parties.merge(&next.parties)?;
        self.paths.end = next.paths.end;
        Ok(())
    }
}

/// Simulates the paths in `range` (global indices). Chunks are aligned to multiples of
/// [`CHUNK`] in the global index space, so any split of a run into ranges at chunk
/// boundaries sums exactly as the whole run does.
pub(crate) fn simulate_range(
    model: &Model,
    config: &RunConfig,
    range: Range<u64>,
    progress: &dyn Progress,
) -> PartialRun {
    let summaries_only = config.summaries_only();
    let months = model.months;
    let chunks = chunk_ranges(range.clone());
    // Each chunk copies its paths' rows into its own stretch of the columns, in parallel,
    // so no serial pass gathers them afterwards. Chunks are handed out one at a time (rayon
    // would otherwise hand a thread several at once): a thread then waits at most one chunk
    // for the other at the end, where a run of several chunks could idle it for tens of
    // milliseconds.
    let mut metrics = if summaries_only {
        PathMetrics::with_capacity(0)
    } else {
        PathMetrics::zeroed((range.end - range.start) as usize)
    };
    let stretches = chunk_stretches(&mut metrics.columns, &chunks);
    let workers: Mutex<Vec<Worker>> = Mutex::new(Vec::new());
    chunks
        .par_iter()
        .zip(stretches)
        .with_max_len(1)
        .for_each(|(chunk, mut columns)| {
            let mut worker = workers
                .lock()
                .expect("worker pool")
                .pop()
                .unwrap_or_else(|| Worker::new(model));
            let rows = worker.run_chunk(model, config, chunk.clone());
            for (i, row) in rows.iter().enumerate() {
                for (column, &v) in columns.iter_mut().zip(row) {
                    column[i] = v;
                }
            }
            workers.lock().expect("worker pool").push(worker);
            progress.advance(chunk.end - chunk.start);
        });
    // The workers' shares merge exactly, in any order: the first is the base.
    let mut workers = workers.into_inner().expect("worker pool").into_iter();
    let (mut series, mut summaries, mut parties) = match workers.next() {
        Some(w) => (w.sink.acc, w.summaries, w.parties.acc),
        None => (
            SeriesAccumulator::new(&resolutions(model), months),
            MetricSummaries::default(),
            PartyAccumulator::new(&model.parties, months),
        ),
    };
    for w in workers {
        series.merge(&w.sink.acc);
        summaries.merge(&w.summaries);
        parties
            .merge(&w.parties.acc)
            .expect("workers of one run share its parties");
    }
    PartialRun {
        metrics,
        paths: range,
        series,
        summaries: summaries_only.then_some(summaries),
        parties,
    }
}

/// Each chunk's stretch of every column (none when the columns are empty, in a
/// summaries-only run).
fn chunk_stretches<'a>(
    columns: &'a mut [Vec<f64>],
    chunks: &[Range<u64>],
) -> Vec<Vec<&'a mut [f64]>> {
    let mut out: Vec<Vec<&mut [f64]>> = chunks.iter().map(|_| Vec::new()).collect();
    for column in columns.iter_mut().filter(|c| !c.is_empty()) {
        let mut rest = column.as_mut_slice();
        for (stretches, chunk) in out.iter_mut().zip(chunks) {
            let (here, after) = rest.split_at_mut((chunk.end - chunk.start) as usize);
            stretches.push(here);
            rest = after;
        }
    }
    out
}

/// Turns a run's merged partial result into its public results.
pub fn finish(meta: &RunMeta, partial: PartialRun) -> RunResults {
    let paths = partial.paths.end - partial.paths.start;
    RunResults {
        scenario: meta.scenario.clone(),
        paths,
        seed: meta.seed,
        horizon_months: meta.horizon_months,
        start_month: meta.start_month,
        series: with_plan(partial.series.summaries(&meta.series, paths), meta),
        metrics: partial.metrics,
        summaries: partial.summaries,
        parties: partial.parties.results(),
        techniques: meta.techniques,
        control_expectations: meta.control_expectations.clone(),
        convergence: None,
    }
}

/// The resolution of each of the model's series.
fn resolutions(model: &Model) -> Vec<Resolution> {
    model
        .series
        .iter()
        .map(|&s| Resolution::of_series(s))
        .collect()
}

/// The simulated series with the demand plan (every statistic the plan, as it is not
/// random) right after `demand_mw`.
fn with_plan(mut series: Vec<SeriesSummary>, meta: &RunMeta) -> Vec<SeriesSummary> {
    if meta.demand_plan.is_empty() {
        return series;
    }
    let plan = SeriesSummary {
        name: PLAN_SERIES.to_string(),
        kind: SeriesKind::DemandMw,
        months: meta
            .demand_plan
            .iter()
            .map(|&mw| MonthStats {
                mean: mw,
                p05: mw,
                p25: mw,
                p50: mw,
                p75: mw,
                p95: mw,
                p99: mw,
            })
            .collect(),
    };
    let at = series
        .iter()
        .position(|s| s.kind == SeriesKind::DemandMw)
        .map_or(series.len(), |i| i + 1);
    series.insert(at, plan);
    series
}

/// The name of the demand plan's series in timeseries.csv.
pub const PLAN_SERIES: &str = "demand_plan_mw";

/// Splits a range at multiples of [`CHUNK`].
pub(crate) fn chunk_ranges(range: Range<u64>) -> Vec<Range<u64>> {
    let mut out = Vec::new();
    let mut start = range.start;
    while start < range.end {
        let end = ((start / CHUNK + 1) * CHUNK).min(range.end);
        out.push(start..end);
        start = end;
    }
    out
}

/// A thread's reusable state: path scratch, and the batch sink with its share of the
/// summaries.
struct Worker {
    scratch: Scratch,
    sink: BatchSink,
    /// This worker's share of the per-metric summaries (summaries-only runs).
    summaries: MetricSummaries,
    /// This worker's share of the parties' outcomes.
    parties: PartySink,
}

impl Worker {
    fn new(model: &Model) -> Self {
        Worker {
            scratch: Scratch::new(model),
            sink: BatchSink::new(&resolutions(model), model.months),
            summaries: MetricSummaries::default(),
            parties: PartySink::new(model),
        }
    }

    fn run_chunk(
        &mut self,
        model: &Model,
        config: &RunConfig,
        chunk: Range<u64>,
    ) -> Vec<[f64; COLUMNS]> {
        self.sink.start_chunk();
        let rows: Vec<[f64; COLUMNS]> = chunk
            .map(|p| {
                let row = simulate_path(
                    model,
                    config,
                    p,
                    &mut self.scratch,
                    &mut self.sink,
                    &mut self.parties,
                );
                self.sink.end_path();
                row
            })
            .collect();
        self.sink.end_chunk();
        if config.summaries_only() {
            self.summaries.add_rows(&rows);
            return Vec::new();
        }
        rows
    }
}
