//! Per-month series accumulators: exact means and fixed-memory quantile summaries.
//!
//! Within a chunk of paths, values are summed in f64 in path order; each chunk's sums are
//! then added as fixed-point integers, which is exact, so the total is the same whatever
//! order chunks finish in, and whichever machine (or shard) ran them.

use rayon::prelude::*;

use super::monthly_series::{MonthSink, Series};
use crate::kernels::batch::F32Batch;
use crate::kernels::codec;
use crate::kernels::sketch::{Precision, QuantileSketch};
use crate::results::{MonthStats, SeriesKind, SeriesSummary};

/// Fixed-point scale of the exact sums: 2^32 units per unit of value.
const FIXED_SCALE: f64 = 4_294_967_296.0;

/// How finely a series' monthly quantiles are resolved (docs/MODEL.md 6.3).
///
/// The guarantor's exposure is resolved to 2^-14 (its percentiles are the guarantor's
/// headline, and its values, set by the lease schedule, spread over little more than a
/// doubling, so the finer buckets stay few); the other series to 2^-8 (prices and costs
/// spread over many doublings, where the finer buckets would take gigabytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    Standard,
    Fine,
}

impl Resolution {
    /// The resolution of a series of this kind.
    pub fn of(kind: &SeriesKind) -> Resolution {
        match kind {
            SeriesKind::GuarantorExposure => Resolution::Fine,
            _ => Resolution::Standard,
        }
    }

    /// The resolution of an engine series.
    pub fn of_series(series: Series) -> Resolution {
        match series {
            Series::GuarantorExposure => Resolution::Fine,
            _ => Resolution::Standard,
        }
    }

    /// Bound on the relative error of a reported order statistic.
    pub fn relative_error(self) -> f64 {
        self.precision().relative_error()
    }

    fn precision(self) -> Precision {
        match self {
            Resolution::Standard => Precision::SERIES,
            Resolution::Fine => Precision::EXPOSURE,
        }
    }
}

/// Series totals and summaries for a set of paths.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesAccumulator {
    months: usize,
    /// Exact fixed-point sums, `[series * months + t]`.
    totals: Vec<i128>,
    sketches: Vec<QuantileSketch>,
}

impl SeriesAccumulator {
    /// Empty accumulators of `months` months for series of the given resolutions.
    pub fn new(resolutions: &[Resolution], months: usize) -> Self {
        SeriesAccumulator {
            months,
            totals: vec![0; resolutions.len() * months],
            sketches: resolutions
                .iter()
                .flat_map(|r| std::iter::repeat_n(QuantileSketch::new(r.precision()), months))
                .collect(),
        }
    }

    /// Adds one chunk's f64 sums exactly.
    ///
    /// Totals saturate rather than wrap: a chunk sum past the fixed-point range converts to
    /// the range's end (`as` saturates), and the additions saturate, so an overflowing
    /// series (all series are non-negative: prices, MW, costs, exposure) stays at the end of
    /// the range, whose mean is then reported as NaN ([`Self::summaries`]) rather than a
    /// wrapped, wrong number.
    pub fn add_chunk_sums(&mut self, sums: &[f64]) {
        for (total, &s) in self.totals.iter_mut().zip(sums) {
            *total = total.saturating_add((s * FIXED_SCALE) as i128);
        }
    }

    /// Number of series-months held.
    pub fn len(&self) -> usize {
        self.totals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.totals.is_empty()
    }

    /// The summaries, `[series * months + t]`.
    pub fn sketches(&self) -> &[QuantileSketch] {
        &self.sketches
    }

    /// Heap bytes of the summaries.
    pub fn heap_bytes(&self) -> usize {
        self.sketches.iter().map(QuantileSketch::heap_bytes).sum()
    }

    /// Adds another accumulator's counts and sums (exact, order-free). The summaries merge
    /// in parallel: there are thousands of them, and this runs after the paths, when
    /// nothing else is running.
    pub fn merge(&mut self, other: &SeriesAccumulator) {
        // Saturating, as chunks add: a corrupt or overflowing total cannot panic a merge,
        // and stays marked as overflowed.
        for (a, b) in self.totals.iter_mut().zip(&other.totals) {
            *a = a.saturating_add(*b);
        }
        self.sketches
            .par_iter_mut()
            .zip(&other.sketches)
            .for_each(|(a, b)| a.merge(b));
    }

    /// Appends the accumulator to a partial result.
    pub fn encode(&self, w: &mut codec::Writer) {
        w.u64(self.months as u64);
        w.u64(self.totals.len() as u64);
        for t in &self.totals {
            w.i128(*t);
        }
        for s in &self.sketches {
            s.encode(w);
        }
    }

    /// Reads an accumulator written by [`SeriesAccumulator::encode`] for series of the
    /// given resolutions of `months` months over at most `max_count` paths. The layout is
    /// checked against those before anything is allocated.
    pub fn decode(
        r: &mut codec::Reader<'_>,
        resolutions: &[Resolution],
        months: usize,
        max_count: u64,
    ) -> codec::DecodeResult<Self> {
        let series = resolutions.len();
        let got_months = r.u64()?;
        let n = r.u64()?;
        let want = series.checked_mul(months);
        if got_months != months as u64 || want.is_none_or(|w| n != w as u64) {
            return Err(format!(
                "corrupt series layout: {n} entries of {got_months} months where {series} series of {months} months were announced"
            ));
        }
        let n = n as usize;
        // Each entry takes 16 bytes of total and at least the bytes of an empty summary.
        if n.saturating_mul(16 + 68) > r.remaining() {
            return Err(format!(
                "truncated: {n} series-months announced, {} bytes left",
                r.remaining()
            ));
        }
        let totals = (0..n).map(|_| r.i128()).collect::<Result<Vec<_>, _>>()?;
        let sketches = (0..n)
            .map(|i| QuantileSketch::decode(r, resolutions[i / months].precision(), max_count))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SeriesAccumulator {
            months,
            totals,
            sketches,
        })
    }

    /// The per-month statistics of each series, named and typed by `kinds` (the months in
    /// parallel, each on its own).
    pub fn summaries(&self, kinds: &[(String, SeriesKind)], paths: u64) -> Vec<SeriesSummary> {
        kinds
            .iter()
            .enumerate()
            .map(|(s, (name, kind))| SeriesSummary {
                name: name.clone(),
                kind: kind.clone(),
                months: (0..self.months)
                    .into_par_iter()
                    .map(|t| self.month_stats(s * self.months + t, paths))
                    .collect(),
            })
            .collect()
    }

    fn month_stats(&self, i: usize, paths: u64) -> MonthStats {
        let q = self.sketches[i].quantiles(&[0.05, 0.25, 0.50, 0.75, 0.95, 0.99]);
        MonthStats {
            mean: match self.totals[i] {
                i128::MAX | i128::MIN => f64::NAN,
                total => total as f64 / FIXED_SCALE / paths.max(1) as f64,
            },
            p05: q[0],
            p25: q[1],
            p50: q[2],
            p75: q[3],
            p95: q[4],
            p99: q[5],
        }
    }
}

/// Adds each path's series to the current chunk's f64 sums (in path order) and collects
/// them in a batch (see `kernels::batch`) that is folded into the worker's
/// summaries when full.
pub struct BatchSink {
    months: usize,
    batch: F32Batch,
    /// The current chunk's sums, `[series * months + t]`.
    pub sums: Vec<f64>,
    pub acc: SeriesAccumulator,
}

impl BatchSink {
    /// A sink for series of the given resolutions, `months` months each.
    pub fn new(resolutions: &[Resolution], months: usize) -> Self {
        let width = resolutions.len() * months;
        BatchSink {
            months,
            batch: F32Batch::new(width),
            sums: vec![0.0; width],
            acc: SeriesAccumulator::new(resolutions, months),
        }
    }

    /// Starts a new chunk: clears its sums.
    pub fn start_chunk(&mut self) {
        self.sums.fill(0.0);
    }

    /// Marks the end of a path; folds the batch when it is full.
    pub fn end_path(&mut self) {
        if self.batch.end_path() {
            self.batch.fold_into(&mut self.acc.sketches);
        }
        self.batch.prefetch_row();
    }

    /// Folds buffered paths, then adds the chunk's sums exactly.
    pub fn end_chunk(&mut self) {
        self.batch.fold_into(&mut self.acc.sketches);
        self.acc.add_chunk_sums(&self.sums);
    }
}

impl MonthSink for BatchSink {
    /// Adds the series to the chunk's sums (in path order, so the same whatever thread
    /// runs the chunk) and buffers it for the summaries.
    #[inline(always)]
    fn record(&mut self, series: usize, values: &[f64]) {
        let at = series * self.months;
        let sums = &mut self.sums[at..at + self.months];
        let buffered = self.batch.slot(at, self.months);
        for ((sum, b), &v) in sums.iter_mut().zip(buffered).zip(values) {
            *sum += v;
            // Clamped so that an out-of-range value stays finite (NaN stays NaN); after the
            // conversion, which rounds anything past the largest `f32` to infinity, so on
            // values half as wide.
            *b = (v as f32).clamp(-f32::MAX, f32::MAX);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A series whose total leaves the fixed-point range reports a NaN mean (which a run
    /// refuses to publish), never a wrapped one; a month within range is untouched, also
    /// after a merge.
    #[test]
    fn overflowing_totals_give_nan_not_wrapped_means() {
        let kinds = [("cloud_cost".to_string(), SeriesKind::CloudCost)];
        let mut a = SeriesAccumulator::new(&[Resolution::Standard], 2);
        a.add_chunk_sums(&[3e28, 5.0]);
        a.add_chunk_sums(&[3e28, 7.0]);
        let mut b = a.clone();
        b.merge(&a);
        for acc in [&a, &b] {
            let months = &acc.summaries(&kinds, 2)[0].months;
            assert!(months[0].mean.is_nan());
            assert!(months[1].mean.is_finite());
        }
        assert_eq!(a.summaries(&kinds, 2)[0].months[1].mean, 6.0);
    }

    /// The summaries a batch sink builds equal those of the same values (as `f32`) added
    /// one at a time: over more paths than a batch, lines of positive values, lines with
    /// zeros of both signs among them, lines with negatives, NaN and infinities, and a
    /// last line narrower than a cache line.
    #[test]
    fn batches_equal_single_adds() {
        let (series, months, paths) = (3, 20, 2 * crate::kernels::batch::BATCH + 37);
        // The last series at the fine resolution: the fold changes key shift mid-line.
        let resolutions = [Resolution::Standard, Resolution::Standard, Resolution::Fine];
        let mut sink = BatchSink::new(&resolutions, months);
        let mut reference: Vec<QuantileSketch> = resolutions
            .iter()
            .flat_map(|r| vec![QuantileSketch::new(r.precision()); months])
            .collect();
        let mut draws = crate::random::Draws::new(3, 0, crate::random::Stream::Main, false);
        sink.start_chunk();
        for p in 0..paths {
            for k in 0..series {
                let values: Vec<f64> = (0..months)
                    .map(|t| {
                        let x = (0.5 * draws.normal()).exp() * 100.0;
                        match (k, t % 4, p % 7) {
                            (0, ..) => x,
                            (1, 0, 0) => 0.0,
                            (1, 1, 1) => -0.0,
                            (1, ..) => x,
                            (_, 0, _) => -x,
                            (_, 1, 3) => f64::NAN,
                            (_, 2, 5) => f64::INFINITY,
                            _ => x,
                        }
                    })
                    .collect();
                sink.record(k, &values);
                for (t, &v) in values.iter().enumerate() {
                    let v = v.clamp(-f64::from(f32::MAX), f64::from(f32::MAX)) as f32;
                    reference[k * months + t].add(f64::from(v));
                }
            }
            sink.end_path();
        }
        sink.end_chunk();
        for (i, (got, want)) in sink.acc.sketches.iter().zip(&reference).enumerate() {
            assert_eq!(got, want, "series-month {i}");
        }
        // The zeros were counted as zeros.
        assert!(sink.acc.sketches[months].quantile(0.0) == 0.0);
    }
}
