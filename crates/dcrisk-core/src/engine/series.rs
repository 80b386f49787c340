//! Per-month series accumulators: exact means and fixed-memory quantile summaries.
//!
//! Within a chunk of paths, values are summed in f64 in path order; each chunk's sums are
//! then added as fixed-point integers, which is exact, so the total is the same whatever
//! order chunks finish in, and whichever machine (or shard) ran them.

use super::path::MonthSink;
use crate::results::{MonthStats, SeriesKind, SeriesSummary};
use crate::sketch::QuantileSketch;

/// Fixed-point scale of the exact sums: 2^32 units per unit of value.
const FIXED_SCALE: f64 = 4_294_967_296.0;

/// Series totals and summaries for a set of paths.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesAccumulator {
    months: usize,
    /// Exact fixed-point sums, `[series * months + t]`.
    totals: Vec<i128>,
    sketches: Vec<QuantileSketch>,
}

impl SeriesAccumulator {
    pub fn new(series: usize, months: usize) -> Self {
        SeriesAccumulator {
            months,
            totals: vec![0; series * months],
            sketches: vec![QuantileSketch::default(); series * months],
        }
    }

    /// Adds one chunk's f64 sums exactly.
    pub fn add_chunk_sums(&mut self, sums: &[f64]) {
        for (total, &s) in self.totals.iter_mut().zip(sums) {
            *total += (s * FIXED_SCALE) as i128;
        }
    }

    /// Adds another accumulator's counts and sums (exact, order-free).
    pub fn merge(&mut self, other: &SeriesAccumulator) {
        for (a, b) in self.totals.iter_mut().zip(&other.totals) {
            *a += b;
        }
        for (a, b) in self.sketches.iter_mut().zip(&other.sketches) {
            a.merge(b);
        }
    }

    /// The per-month statistics of each series, named and typed by `kinds`.
    pub fn summaries(&self, kinds: &[(String, SeriesKind)], paths: u64) -> Vec<SeriesSummary> {
        kinds
            .iter()
            .enumerate()
            .map(|(s, (name, kind))| SeriesSummary {
                name: name.clone(),
                kind: kind.clone(),
                months: (0..self.months).map(|t| self.month_stats(s * self.months + t, paths)).collect(),
            })
            .collect()
    }

    fn month_stats(&self, i: usize, paths: u64) -> MonthStats {
        let q = |p| self.sketches[i].quantile(p);
        MonthStats {
            mean: self.totals[i] as f64 / FIXED_SCALE / paths.max(1) as f64,
            p05: q(0.05),
            p25: q(0.25),
            p50: q(0.50),
            p75: q(0.75),
            p95: q(0.95),
            p99: q(0.99),
        }
    }
}

/// Feeds one chunk's paths into its f64 sums and a worker's sketches.
pub struct ChunkSink<'a> {
    pub months: usize,
    pub sums: &'a mut [f64],
    pub acc: &'a mut SeriesAccumulator,
}

impl MonthSink for ChunkSink<'_> {
    #[inline]
    fn record(&mut self, t: usize, values: &[f64]) {
        for (s, &v) in values.iter().enumerate() {
            let i = s * self.months + t;
            self.sums[i] += v;
            self.acc.sketches[i].add(v);
        }
    }
}
