//! The parallel driver: fixed chunks of the global path index space, run on rayon, and
//! reduced in a fixed order so results do not depend on the thread count.

use std::ops::Range;
use std::sync::Mutex;

use rayon::prelude::*;

use super::config::{Progress, RunConfig};
use super::model::Model;
use super::monthly_series::series_kinds;
use super::path::simulate_path;
use super::scratch::Scratch;
use super::series::{BatchSink, SeriesAccumulator};
use crate::metrics::{COLUMNS, PathMetrics, Techniques};
use crate::results::{RunResults, SeriesKind};
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
    let n_series = model.series.len();
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
                .unwrap_or_else(|| Worker::new(model, n_series));
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
    let (mut series, mut summaries) = match workers.next() {
        Some(w) => (w.sink.acc, w.summaries),
        None => (
            SeriesAccumulator::new(n_series, months),
            MetricSummaries::default(),
        ),
    };
    for w in workers {
        series.merge(&w.sink.acc);
        summaries.merge(&w.summaries);
    }
    PartialRun {
        metrics,
        paths: range,
        series,
        summaries: summaries_only.then_some(summaries),
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
        series: partial.series.summaries(&meta.series, paths),
        metrics: partial.metrics,
        summaries: partial.summaries,
        techniques: meta.techniques,
        control_expectations: meta.control_expectations.clone(),
        convergence: None,
    }
}

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
}

impl Worker {
    fn new(model: &Model, n_series: usize) -> Self {
        Worker {
            scratch: Scratch::new(model),
            sink: BatchSink::new(n_series, model.months),
            summaries: MetricSummaries::default(),
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
                let row = simulate_path(model, config, p, &mut self.scratch, &mut self.sink);
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
