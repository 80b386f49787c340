//! Per-month series accumulators: exact means and fixed-memory quantile summaries.
//!
//! Within a chunk of paths, values are summed in f64 in path order; each chunk's sums are
//! then added as fixed-point integers, which is exact, so the total is the same whatever
//! order chunks finish in, and whichever machine (or shard) ran them.

use rayon::prelude::*;

use super::path::MonthSink;
use crate::results::{MonthStats, SeriesKind, SeriesSummary};
use crate::sketch::{F32Counts, F32Scan, Precision, QuantileSketch};

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
            sketches: vec![QuantileSketch::new(Precision::SERIES); series * months],
        }
    }

    /// Adds one chunk's f64 sums exactly.
    pub fn add_chunk_sums(&mut self, sums: &[f64]) {
        for (total, &s) in self.totals.iter_mut().zip(sums) {
            *total += (s * FIXED_SCALE) as i128;
        }
    }

    /// Number of series-months held.
    pub fn len(&self) -> usize {
        self.totals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.totals.is_empty()
    }

    /// Heap bytes of the summaries.
    pub fn heap_bytes(&self) -> usize {
        self.sketches.iter().map(QuantileSketch::heap_bytes).sum()
    }

    /// Adds another accumulator's counts and sums (exact, order-free). The summaries merge
    /// in parallel: there are thousands of them, and this runs after the paths, when
    /// nothing else is running.
    pub fn merge(&mut self, other: &SeriesAccumulator) {
        for (a, b) in self.totals.iter_mut().zip(&other.totals) {
            *a += b;
        }
        self.sketches
            .par_iter_mut()
            .zip(&other.sketches)
            .for_each(|(a, b)| a.merge(b));
    }

    /// Appends the accumulator to a partial result.
    pub fn encode(&self, w: &mut crate::codec::Writer) {
        w.u64(self.months as u64);
        w.u64(self.totals.len() as u64);
        for t in &self.totals {
            w.i128(*t);
        }
        for s in &self.sketches {
            s.encode(w);
        }
    }

    /// Reads an accumulator written by [`SeriesAccumulator::encode`].
    pub fn decode(r: &mut crate::codec::Reader<'_>) -> crate::codec::DecodeResult<Self> {
        let months = r.u64()? as usize;
        let n = r.len(16)?;
        let totals = (0..n).map(|_| r.i128()).collect::<Result<Vec<_>, _>>()?;
        let sketches = (0..n)
            .map(|_| QuantileSketch::decode(r, Precision::SERIES))
            .collect::<Result<Vec<_>, _>>()?;
        if months == 0 || n % months != 0 {
            return Err(format!(
                "corrupt series layout: {n} entries for {months} months"
            ));
        }
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
            mean: self.totals[i] as f64 / FIXED_SCALE / paths.max(1) as f64,
            p05: q[0],
            p25: q[1],
            p50: q[2],
            p75: q[3],
            p95: q[4],
            p99: q[5],
        }
    }
}

/// Paths buffered before their values are folded into the summaries. Folding one
/// series-month at a time over a batch keeps that summary's buckets in cache; inserting
/// path by path would touch every summary on every path and stall on memory. Each fold
/// still brings every summary's buckets in from memory (2 to 3 MB), so the larger the
/// batch, the less a path pays for that: 512 runs 1.5% faster than 256 and 3.5% faster than
/// 128, and 1,024 (a whole chunk) no faster than 512 on two threads, for twice the buffer.
const BATCH: usize = 512;

/// Right shift of a buffered value's bits to its summary key.
const KEY_SHIFT: u32 = Precision::SERIES.f32_shift();

/// The key bits of an `f32` other than its sign: none are set for either zero only.
const ZERO_KEY_MASK: u32 = (1 << (32 - KEY_SHIFT - 1)) - 1;

/// Buffered (`f32`) values per cache line.
const LINE: usize = 16;

/// Adds each path's series to the current chunk's f64 sums (in path order) and collects
/// them in batches that are folded into the worker's summaries.
///
/// The batch keeps the values as `f32`: half the memory traffic of `f64`, and the
/// rounding (a relative 2^-24) is far inside a summary's bucket width (2^-7); the means
/// come from the exact `f64` sums.
///
/// The buffer is path-major (`[path * row + series * months + t]`): a path writes its own
/// row, whole series at a time. Folding gathers sixteen neighbouring series-months (one cache
/// line of every row) at once, then counts each. (A series-month-major buffer would make
/// every write of every path miss L1 instead.)
pub struct BatchSink {
    months: usize,
    width: usize,
    /// Row length: the width rounded up to whole cache lines, plus one line so that rows
    /// do not alias in the cache sets.
    row: usize,
    /// Index of the buffer's element on a huge-page boundary (see [`huge_page_buffer`]),
    /// where row 0 starts.
    start: usize,
    filled: usize,
    buffer: Vec<f32>,
    /// One series-month's batch back in `f64` (exactly), for summaries that cannot count
    /// straight from `f32`.
    column: Vec<f64>,
    /// The current chunk's sums, `[series * months + t]`.
    pub sums: Vec<f64>,
    pub acc: SeriesAccumulator,
}

impl BatchSink {
    pub fn new(series: usize, months: usize) -> Self {
        let width = series * months;
        let row = width.next_multiple_of(LINE) + LINE;
        let (buffer, start) = huge_page_buffer(row * BATCH);
        BatchSink {
            months,
            width,
            row,
            start,
            filled: 0,
            buffer,
            column: vec![0.0; BATCH],
            sums: vec![0.0; width],
            acc: SeriesAccumulator::new(series, months),
        }
    }

    /// Starts a new chunk: clears its sums.
    pub fn start_chunk(&mut self) {
        self.sums.fill(0.0);
    }

    /// Marks the end of a path; folds the batch when it is full.
    pub fn end_path(&mut self) {
        self.filled += 1;
        if self.filled == BATCH {
            self.flush();
        }
        self.prefetch_row();
    }

    /// Starts loading the next path's row of the buffer into the (second-level) cache:
    /// the buffer is larger than that cache, so without this each of the row's lines
    /// would be a wait on memory when the path's series are written.
    #[inline]
    fn prefetch_row(&self) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
            let row = &self.buffer[self.start + self.filled * self.row..][..self.width];
            for line in row.chunks(LINE) {
                // SAFETY: prefetching is only a hint; the address lies inside the buffer.
                unsafe { _mm_prefetch(line.as_ptr().cast::<i8>(), _MM_HINT_T1) };
            }
        }
    }

    /// Folds buffered paths, then adds the chunk's sums exactly.
    pub fn end_chunk(&mut self) {
        self.flush();
        self.acc.add_chunk_sums(&self.sums);
    }

    /// Folds the buffered paths into the summaries, in the widest vectors the CPU has
    /// (conversions, comparisons and integer work only, so the same counts whichever is
    /// used).
    fn flush(&mut self) {
        crate::simd::widest(
            #[inline(always)]
            || self.fold(),
        );
    }

    /// Folds the buffered paths into the summaries, [`LINE`] neighbouring series-months
    /// (one cache line of each row) at a time: a pass over the rows takes their extremes,
    /// then a second counts them.
    #[inline(always)]
    fn fold(&mut self) {
        let filled = self.filled;
        let mut i = 0;
        while i < self.width {
            let lanes = LINE.min(self.width - i);
            let scans = self.scan_line(i, filled);
            self.count_line(i, lanes, &scans);
            i += lanes;
        }
        self.filled = 0;
    }

    /// Counts the values of series-months `i..i + lanes`, which `scans` describe, into
    /// their summaries: read straight off their `f32` bits where the summary takes them (see
    /// [`QuantileSketch::f32_counts`]), as `f64` where not. The line's summaries are counted
    /// into in turn, so that equal values in neighbouring rows do not wait on each other's
    /// increments.
    #[inline(always)]
    fn count_line(&mut self, i: usize, lanes: usize, scans: &[F32Scan; LINE]) {
        let filled = self.filled;
        let (buffer, start, row) = (&self.buffer, self.start + i, self.row);
        let rows = (0..filled).map(|p| -> &[f32; LINE] {
            let at = start + p * row;
            buffer[at..at + LINE].try_into().expect("a line")
        });
        let sketches = &mut self.acc.sketches[i..i + lanes];
        // Prefetch the line's summaries together, so their loads overlap.
        for (sketch, scan) in sketches.iter().zip(scans) {
            sketch.prefetch(f64::from(scan.lo_positive), f64::from(scan.hi));
        }
        // Lanes past the width, and those that go as f64 (bit `j` of `as_f64`), keep no
        // buckets.
        let mut counts: [F32Counts<'_>; LINE] = Default::default();
        let mut as_f64 = 0u32;
        for (j, (sketch, scan)) in sketches.iter_mut().zip(scans).enumerate() {
            match sketch.f32_counts(scan, filled) {
                Some(c) => counts[j] = c,
                None => as_f64 |= 1 << j,
            }
        }
        // When every value of the line is positive or zero (no NaN or lanes apart), each
        // positive value's key is known to land in its summary's buckets, and is counted
        // unchecked; zeros (counted by the scan) are sent to a spare count (at most a
        // line's 16 * BATCH of them). Zeros are common: costs are zero once the tenant has
        // defaulted.
        let no_nan = scans.iter().all(|s| s.nans == 0);
        if lanes == LINE && as_f64 == 0 && no_nan {
            let origins = counts.each_mut().map(F32Counts::key_origin);
            let any_zero = scans.iter().any(|s| s.zeros > 0);
            let mut spare = 0u16;
            let spare: *mut u16 = &mut spare;
            for line in rows {
                for (&origin, v) in origins.iter().zip(line) {
                    let key = v.to_bits() >> KEY_SHIFT;
                    // Either sign of zero: the only such keys here, as a lane with subnormals
                    // goes as f64.
                    let zero = any_zero && key & ZERO_KEY_MASK == 0;
                    let at = if zero {
                        spare
                    } else {
                        origin.wrapping_add(key as usize)
                    };
                    // SAFETY: a `v` that is not zero is one of the values `scans` covered:
                    // positive (no NaN in the lane, and `f32_counts` took it, so none below
                    // zero, subnormal or infinite) and inside the lane's range, so `at` is
                    // one of its buckets; a zero's `at` is `spare`.
                    unsafe { *at += 1 };
                }
            }
        } else {
            for line in rows {
                for (c, v) in counts.iter_mut().zip(line) {
                    c.add_key(v.to_bits() >> KEY_SHIFT);
                }
            }
        }
        for j in (0..lanes).filter(|j| as_f64 & (1 << j) != 0) {
            let column = buffer[start + j..].iter().step_by(row).take(filled);
            for (c, &v) in self.column.iter_mut().zip(column) {
                *c = f64::from(v);
            }
            let scan = &scans[j];
            self.acc.sketches[i + j].add_batch_in_range(
                &self.column[..filled],
                f64::from(scan.lo),
                f64::from(scan.hi),
            );
        }
    }

    /// Scans the [`LINE`] series-months from `i` over the first `filled` rows: a whole
    /// line, padding included (rows are whole lines), lane by lane in separate arrays so
    /// that the loop works on full vectors.
    #[inline(always)]
    fn scan_line(&self, i: usize, filled: usize) -> [F32Scan; LINE] {
        let mut lo = [f32::INFINITY; LINE];
        let mut hi = [f32::NEG_INFINITY; LINE];
        let mut lo_positive = [f32::INFINITY; LINE];
        let mut zeros = [0u32; LINE];
        let mut nans = [0u32; LINE];
        for p in 0..filled {
            let at = self.start + p * self.row + i;
            let line: &[f32; LINE] = self.buffer[at..at + LINE].try_into().expect("a line");
            for j in 0..LINE {
                let v = line[j];
                // Comparisons that are false for NaN, which leaves the extremes alone.
                lo[j] = if v < lo[j] { v } else { lo[j] };
                hi[j] = if v > hi[j] { v } else { hi[j] };
                let positive = if v > 0.0 { v } else { f32::INFINITY };
                lo_positive[j] = if positive < lo_positive[j] {
                    positive
                } else {
                    lo_positive[j]
                };
                zeros[j] += u32::from(v == 0.0);
                nans[j] += u32::from(v.is_nan());
            }
        }
        std::array::from_fn(|j| F32Scan {
            lo: lo[j],
            hi: hi[j],
            lo_positive: lo_positive[j],
            zeros: zeros[j],
            nans: nans[j],
        })
    }
}

/// Bytes of a huge page (x86-64 Linux).
const HUGE_PAGE: usize = 2 << 20;

/// A zeroed buffer holding `len` values from index `start`, which is on a huge-page
/// boundary, and asks Linux to back those values with huge pages.
///
/// The fold reads one cache line from each of a batch's rows in turn, a page apart, so with
/// 4 KiB pages every read of a line group needs a different page translation, more than the
/// first-level TLB holds; 2 MiB pages need two or three for the whole batch (4 MB). The slack
/// before `start` and after the values is never touched, so it costs address space only
/// (and the values work as well without huge pages, on other systems).
fn huge_page_buffer(len: usize) -> (Vec<f32>, usize) {
    let per_page = HUGE_PAGE / std::mem::size_of::<f32>();
    let pages = len.div_ceil(per_page);
    let buffer = vec![0.0f32; (pages + 1) * per_page];
    let start = buffer.as_ptr().align_offset(HUGE_PAGE).min(per_page);
    #[cfg(target_os = "linux")]
    {
        // SAFETY: the range lies inside `buffer` (`start + pages * per_page` values at
        // most), and the advice changes only how its memory is backed, not its contents.
        unsafe {
            libc::madvise(
                buffer.as_ptr().add(start).cast_mut().cast(),
                pages * HUGE_PAGE,
                libc::MADV_HUGEPAGE,
            );
        }
    }
    (buffer, start)
}

impl MonthSink for BatchSink {
    /// Adds the series to the chunk's sums (in path order, so the same whatever thread
    /// runs the chunk) and buffers it for the summaries.
    #[inline(always)]
    fn record(&mut self, series: usize, values: &[f64]) {
        let at = series * self.months;
        let start = self.start + self.filled * self.row + at;
        let sums = &mut self.sums[at..at + self.months];
        let buffered = &mut self.buffer[start..start + self.months];
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

    /// The buffer holds the values asked for, zeroed, from a huge-page boundary.
    #[test]
    fn huge_page_buffer_starts_on_a_boundary() {
        for len in [1, 1000, HUGE_PAGE / 4, HUGE_PAGE / 4 + 1, 3 * HUGE_PAGE / 4] {
            let (buffer, start) = huge_page_buffer(len);
            assert!(start + len <= buffer.len(), "len {len}");
            assert_eq!(buffer.as_ptr().wrapping_add(start) as usize % HUGE_PAGE, 0);
            assert!(buffer[start..start + len].iter().all(|&v| v == 0.0));
        }
    }

    /// The summaries a batch sink builds equal those of the same values (as `f32`) added
    /// one at a time: over more paths than a batch, lines of positive values, lines with
    /// zeros of both signs among them, lines with negatives, NaN and infinities, and a
    /// last line narrower than a cache line.
    #[test]
    fn batches_equal_single_adds() {
        let (series, months, paths) = (3, 20, 2 * BATCH + 37);
        let mut sink = BatchSink::new(series, months);
        let mut reference = vec![QuantileSketch::new(Precision::SERIES); series * months];
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
