//! The batch buffer of the series summaries: a path-major buffer of `f32` values on huge
//! pages, folded into the summaries a batch of paths at a time.
//!
//! Folding one series-month at a time over a batch keeps that summary's buckets in cache;
//! inserting path by path would touch every summary on every path and stall on memory.
//!
//! The batch keeps the values as `f32`: half the memory traffic of `f64`, and the
//! rounding (a relative 2^-24) is far inside a summary's bucket width (2^-13 at the
//! finest, [`Precision::EXPOSURE`]); the means
//! come from exact `f64` sums kept elsewhere.
//!
//! The buffer is path-major (`[path * row + series * months + t]`): a path writes its own
//! row, whole series at a time. Folding gathers sixteen neighbouring series-months (one cache
//! line of every row) at once, then counts each. (A series-month-major buffer would make
//! every write of every path miss L1 instead.)

use super::sketch::{F32Counts, F32Scan, QuantileSketch, count_rows_unchecked};

/// Paths buffered before their values are folded into the summaries. Each fold brings
/// every summary's buckets in from memory (2 to 3 MB), so the larger the batch, the less a
/// path pays for that: 512 runs 1.5% faster than 256 and 3.5% faster than 128, and 1,024
/// (a whole chunk) no faster than 512 on two threads, for twice the buffer.
pub const BATCH: usize = 512;

/// The key bits of an `f32` other than its sign, for keys `bits >> key_shift`: none are
/// set for either zero only.
const fn zero_key_mask(key_shift: u32) -> u32 {
    (1 << (32 - key_shift - 1)) - 1
}

/// Buffered (`f32`) values per cache line.
const LINE: usize = 16;

/// A batch of paths' values, `width` series-months a path, waiting to be folded into one
/// summary per series-month.
pub struct F32Batch {
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
}

impl F32Batch {
    pub fn new(width: usize) -> Self {
        let row = width.next_multiple_of(LINE) + LINE;
        let (buffer, start) = huge_page_buffer(row * BATCH);
        F32Batch {
            width,
            row,
            start,
            filled: 0,
            buffer,
            column: vec![0.0; BATCH],
        }
    }

    /// The current path's values `at..at + len` of its row, to be written.
    #[inline(always)]
    pub fn slot(&mut self, at: usize, len: usize) -> &mut [f32] {
        let start = self.start + self.filled * self.row + at;
        &mut self.buffer[start..start + len]
    }

    /// Marks the end of a path; returns whether the batch is full (and must be folded).
    #[inline]
    pub fn end_path(&mut self) -> bool {
        self.filled += 1;
        self.filled == BATCH
    }

    /// Starts loading the next path's row of the buffer into the (second-level) cache:
    /// the buffer is larger than that cache, so without this each of the row's lines
    /// would be a wait on memory when the path's series are written.
    #[inline]
    pub fn prefetch_row(&self) {
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

    /// Folds the buffered paths into `sketches` (one per series-month), in the widest
    /// vectors the CPU has (conversions, comparisons and integer work only, so the same
    /// counts whichever is used), and empties the batch.
    pub fn fold_into(&mut self, sketches: &mut [QuantileSketch]) {
        super::simd::widest(
            #[inline(always)]
            || self.fold(sketches),
        );
    }

    /// [`LINE`] neighbouring series-months (one cache line of each row) at a time: a pass
    /// over the rows takes their extremes, then a second counts them. The summaries go in
    /// runs of equal precision (series differ: see `engine::series::Resolution`), each run
    /// line by line with its own key shift.
    #[inline(always)]
    fn fold(&mut self, sketches: &mut [QuantileSketch]) {
        let filled = self.filled;
        let mut i = 0;
        while i < self.width {
            let shift = sketches[i].f32_key_shift();
            let end = i + sketches[i..self.width]
                .iter()
                .take_while(|s| s.f32_key_shift() == shift)
                .count();
            while i < end {
                let lanes = LINE.min(end - i);
                let scans = self.scan_line(i, filled);
                self.count_line(&mut sketches[i..i + lanes], i, &scans, shift);
                i += lanes;
            }
        }
        self.filled = 0;
    }

    /// Counts the values of series-months `i..i + lanes`, which `scans` describe, into
    /// their summaries: read straight off their `f32` bits where the summary takes them (see
    /// [`QuantileSketch::f32_counts`]), as `f64` where not. The line's summaries are counted
    /// into in turn, so that equal values in neighbouring rows do not wait on each other's
    /// increments.
    #[inline(always)]
    fn count_line(
        &mut self,
        sketches: &mut [QuantileSketch],
        i: usize,
        scans: &[F32Scan; LINE],
        key_shift: u32,
    ) {
        let (filled, lanes) = (self.filled, sketches.len());
        let (buffer, start, row) = (&self.buffer, self.start + i, self.row);
        let rows = (0..filled).map(|p| -> &[f32; LINE] {
            let at = start + p * row;
            buffer[at..at + LINE].try_into().expect("a line")
        });
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
            let any_zero = scans.iter().any(|s| s.zeros > 0);
            // SAFETY: every lane's `counts` came from `f32_counts` of that lane's scan over
            // exactly these rows; it took the lane, so the lane has no negative, subnormal
            // or infinite value, and there is no NaN: each value is a zero (and then
            // `any_zero` is set, as the scan counted it) or positive inside the scan's
            // range. At most `LINE * BATCH` zeros, fewer than `u16::MAX`. `key_shift` is every
            // lane's summary's (the fold's run of equal precision).
            let mask = zero_key_mask(key_shift);
            unsafe { count_rows_unchecked(&mut counts, rows, key_shift, mask, any_zero) };
        } else {
            for line in rows {
                for (c, v) in counts.iter_mut().zip(line) {
                    c.add_key(v.to_bits() >> key_shift);
                }
            }
        }
        for j in (0..lanes).filter(|j| as_f64 & (1 << j) != 0) {
            let column = buffer[start + j..].iter().step_by(row).take(filled);
            for (c, &v) in self.column.iter_mut().zip(column) {
                *c = f64::from(v);
            }
            let scan = &scans[j];
            sketches[j].add_batch_in_range(
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
}
