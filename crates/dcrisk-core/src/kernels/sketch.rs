//! A mergeable, fixed-accuracy quantile summary for the per-month series.
//!
//! Values are counted in log-linear buckets read straight off the float's bits: the
//! exponent and the top `b` bits of the mantissa. Each bucket spans a relative width of at
//! most 2^-b, and a quantile is reported at its bucket's midpoint, so each order statistic
//! is within a relative error of 2^-(b+1) (see [`Precision::relative_error`]) on top of the
//! rank interpolation. Counts are integers, so merging summaries is exact and independent of
//! order: the same paths give the same summary whatever the thread count. Memory grows with
//! the spread of the values (2^b buckets of 4 bytes per doubling), not with the number of
//! paths; counts are 32-bit, so one summary holds at most 4.29 billion values.

use super::buckets::Store;

/// How many mantissa bits a bucket key keeps: the accuracy / memory trade-off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Precision(u8);

impl Precision {
    /// 2^-8 (0.39%) relative error, 128 buckets per doubling: the per-month series.
    pub const SERIES: Precision = Precision(7);
    /// 2^-10 (0.098%) relative error, 512 buckets per doubling.
    pub const FINE: Precision = Precision(9);
    /// 2^-14 (0.0061%) relative error, 8,192 buckets per doubling: the guarantor's
    /// exposure, whose percentiles are the guarantor's headline (its values spread over
    /// a doubling or two, so the buckets stay few).
    pub const EXPOSURE: Precision = Precision(13);

    /// Bound on the relative error of a reported order statistic.
    pub fn relative_error(self) -> f64 {
        1.0 / (1u64 << (self.0 + 1)) as f64
    }

    fn shift(self) -> u32 {
        52 - self.0 as u32
    }

    /// Right shift of an `f32`'s bits to its bucket key, for [`F32Counts::add_key`].
    pub const fn f32_shift(self) -> u32 {
        23 - self.0 as u32
    }
}

/// One pass's findings over a batch of `f32` values, for [`QuantileSketch::f32_counts`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct F32Scan {
    /// The extremes, NaN ignored (infinity and minus infinity when none).
    pub lo: f32,
    pub hi: f32,
    /// The smallest value above zero (infinity when none).
    pub lo_positive: f32,
    pub zeros: u32,
    pub nans: u32,
}

/// The buckets of one batch's positive `f32` values: see [`QuantileSketch::f32_counts`].
#[derive(Debug, Default)]
pub struct F32Counts<'a> {
    counts: &'a mut [u16],
    delta: u64,
}

impl F32Counts<'_> {
    /// Counts a value given its key, `bits >> shift` for the summary's precision (see
    /// [`Precision::f32_shift`]); a value outside the batch's positive range is ignored.
    #[inline(always)]
    pub fn add_key(&mut self, key: u32) {
        let i = u64::from(key).wrapping_add(self.delta) as usize;
        if let Some(c) = self.counts.get_mut(i) {
            *c += 1;
        }
    }

    /// The bucket of key 0: the bucket of key `k` is `k` places further. It lies outside the
    /// buckets in general, so only the key of a positive value in the batch's range
    /// `[lo_positive, hi]` (as [`F32Scan`] found it) may be counted from it: positive
    /// floats order as their bits do, so its bucket is one of the batch's.
    #[inline(always)]
    fn key_origin(&mut self) -> *mut u16 {
        // `delta` wraps; so does the pointer arithmetic, which lands back in the buckets for
        // keys of the batch.
        self.counts.as_mut_ptr().wrapping_add(self.delta as usize)
    }
}

/// Counts the rows of a batch, lane `j` of each row into `counts[j]`, without a bounds
/// check per value: the fold's hot loop. A zero (key bits `zero_mask` all clear, either
/// sign) is counted into `spare` instead, when `any_zero` says there may be one.
///
/// # Safety
/// Every value of lane `j` of every row must be either a zero or a positive, normal,
/// finite `f32` inside the range `[lo_positive, hi]` of the [`F32Scan`] from which
/// `counts[j]` was made by [`QuantileSketch::f32_counts`]; `any_zero` must be true if any
/// value is a zero. `shift` must be [`Precision::f32_shift`] of the summaries. (At most
/// `u16::MAX` zeros: the spare count is a `u16` like the buckets.)
#[inline(always)]
pub unsafe fn count_rows_unchecked<'r, const N: usize>(
    counts: &mut [F32Counts<'_>; N],
    rows: impl Iterator<Item = &'r [f32; N]>,
    shift: u32,
    zero_mask: u32,
    any_zero: bool,
) {
    let origins = counts.each_mut().map(F32Counts::key_origin);
    let mut spare = 0u16;
    let spare: *mut u16 = &mut spare;
    for line in rows {
        for (&origin, v) in origins.iter().zip(line) {
            let key = v.to_bits() >> shift;
            let zero = any_zero && key & zero_mask == 0;
            let at = if zero {
                spare
            } else {
                origin.wrapping_add(key as usize)
            };
            // SAFETY: by the caller's contract a value that is not a zero is positive and
            // inside its lane's scanned range, so its key is one of the keys `counts[j]`
            // covers and `at` is one of its buckets (see `key_origin`); a zero's `at` is
            // `spare`, a local that outlives the loop. No other reference to the buckets
            // is live: `counts` is borrowed mutably for the call.
            unsafe { *at += 1 };
        }
    }
}

/// Mantissa bits an `f64` has beyond an `f32`'s.
const F32_TO_F64_MANTISSA: u32 = 52 - 23;
/// `f64`'s exponent bias less `f32`'s.
const F64_F32_BIAS: u64 = 1023 - 127;

/// The representative value (midpoint) of a positive bucket.
fn bucket_value(key: u64, shift: u32) -> f64 {
    let lo = f64::from_bits(key << shift);
    let hi = f64::from_bits((key + 1) << shift);
    0.5 * (lo + hi)
}

/// A quantile summary of a stream of finite values.
#[derive(Clone, Debug, PartialEq)]
pub struct QuantileSketch {
    shift: u32,
    count: u64,
    zeros: u64,
    positive: Store,
    negative: Store,
    min: f64,
    max: f64,
}

impl QuantileSketch {
    /// An empty summary of the given precision.
    pub fn new(precision: Precision) -> Self {
        QuantileSketch {
            shift: precision.shift(),
            count: 0,
            zeros: 0,
            positive: Store::default(),
            negative: Store::default(),
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Right shift of an `f32`'s bits to this summary's bucket key (its precision's
    /// [`Precision::f32_shift`]).
    pub fn f32_key_shift(&self) -> u32 {
        self.shift.saturating_sub(F32_TO_F64_MANTISSA)
    }

    /// Counts one value (NaN is ignored).
    #[inline]
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.count += 1;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        if x > 0.0 {
            self.positive.add(x.to_bits() >> self.shift, 1);
        } else if x < 0.0 {
            self.negative.add((-x).to_bits() >> self.shift, 1);
        } else {
            self.zeros += 1;
        }
    }

    /// Counts a batch of values; the same as adding them one by one, with the range and
    /// count bookkeeping done once per batch.
    pub fn add_batch(&mut self, values: &[f64]) {
        let (lo, hi) = crate::math::min_max(values);
        self.add_batch_in_range(values, lo, hi);
    }

    /// [`Self::add_batch`] given the batch's smallest and largest values (NaN ignored), for
    /// a caller that already has them (to [`Self::prefetch`] first).
    #[inline(always)]
    pub fn add_batch_in_range(&mut self, values: &[f64], lo: f64, hi: f64) {
        self.min = self.min.min(lo);
        self.max = self.max.max(hi);
        self.positive.reserve_recent(values.len());
        if lo > 0.0 && hi.is_finite() {
            self.add_positive(values, lo, hi);
        } else {
            self.add_block(values);
        }
    }

    /// Counts a batch whose values (NaN aside) are all positive and finite, within
    /// `[lo, hi]`: the range is widened to hold both ends first, so each value is one
    /// shift and one increment. NaN, ignored as by [`Self::add`], falls outside the range.
    #[inline(always)]
    fn add_positive(&mut self, values: &[f64], lo: f64, hi: f64) {
        let shift = self.shift;
        self.positive
            .cover(lo.to_bits() >> shift, hi.to_bits() >> shift);
        let offset = self.positive.offset;
        let counts = &mut self.positive.recent[..];
        let mut counted = 0;
        for &x in values {
            let i = (x.to_bits() >> shift).wrapping_sub(offset) as usize;
            if let Some(c) = counts.get_mut(i) {
                *c += 1;
                counted += 1;
            }
        }
        self.count += counted;
    }

    /// Whether [`Self::f32_counts`] takes the batch `scan` describes.
    fn counts_f32(&self, scan: &F32Scan) -> bool {
        let positive_normal = scan.lo_positive >= f32::MIN_POSITIVE;
        scan.lo >= 0.0
            && scan.hi.is_finite()
            && (positive_normal || scan.lo_positive == f32::INFINITY)
            && self.shift >= F32_TO_F64_MANTISSA
    }

    /// Readies the summary to count a batch of `n` `f32` values, described by `scan`,
    /// straight from their bits: does the batch's bookkeeping (count, zeros, extremes,
    /// range) and returns the buckets of its positive values. Each positive value must then
    /// be counted with [`F32Counts::add_key`]; zeros and NaN fall outside the buckets. `None`
    /// when the batch holds values below zero, subnormal or infinite: add those as `f64`.
    ///
    /// An `f32`'s exponent and top mantissa bits are those of the same `f64`, with the
    /// exponent bias moved, so the same values land in the same buckets either way.
    pub fn f32_counts(&mut self, scan: &F32Scan, n: usize) -> Option<F32Counts<'_>> {
        if !self.counts_f32(scan) {
            return None;
        }
        let positives = scan.lo_positive.is_finite();
        let numbers = n as u64 - u64::from(scan.nans);
        if numbers > 0 {
            self.min = self.min.min(f64::from(scan.lo));
            self.max = self.max.max(f64::from(scan.hi));
            self.count += numbers;
            self.zeros += u64::from(scan.zeros);
        }
        if !positives {
            return Some(F32Counts::default());
        }
        self.positive.reserve_recent(n);
        let key = |x: f32| f64::from(x).to_bits() >> self.shift;
        let (first, last) = (key(scan.lo_positive), key(scan.hi));
        self.positive.cover(first, last);
        let at = (first - self.positive.offset) as usize;
        Some(F32Counts {
            // Exactly the batch's keys: any other value (zero, NaN) misses them.
            counts: &mut self.positive.recent[at..=at + (last - first) as usize],
            // key(f64) = key(f32) + the exponent bias difference in key units.
            delta: (F64_F32_BIAS << (52 - self.shift)).wrapping_sub(first),
        })
    }

    /// Starts loading into the cache the buckets that values in `[lo, hi]` will increment.
    /// A run keeps thousands of summaries, so a summary's buckets are usually cold when its
    /// batch arrives, and the increments hit them in no particular order: without this
    /// each cache line would be a separate wait on memory.
    #[inline]
    pub fn prefetch(&self, lo: f64, hi: f64) {
        if lo > 0.0 {
            self.positive
                .prefetch(lo.to_bits() >> self.shift, hi.to_bits() >> self.shift);
        }
    }

    /// Counts values in one pass. Positive values inside the range take the short path
    /// (one shift, one compare, one increment); the others go through
    /// [`Self::add_slow`], after which the range is read again.
    #[inline]
    fn add_block(&mut self, values: &[f64]) {
        let shift = self.shift;
        let mut k = 0;
        while k < values.len() {
            let offset = self.positive.offset;
            let counts = &mut self.positive.recent[..];
            let len = counts.len() as u64;
            // Counted in a local: `self.count += 1` here would be a chain of dependent
            // memory increments (the compiler cannot keep it in a register).
            let mut fast = 0;
            while k < values.len() {
                let x = values[k];
                let i = (x.to_bits() >> shift).wrapping_sub(offset);
                if !(x > 0.0 && i < len) {
                    break;
                }
                counts[i as usize] += 1;
                fast += 1;
                k += 1;
            }
            self.count += fast;
            if k < values.len() {
                self.add_slow(values[k]);
                k += 1;
            }
        }
    }

    /// A value off the short path: zero, negative, NaN, or outside the positive range.
    #[cold]
    fn add_slow(&mut self, x: f64) {
        if x > 0.0 {
            self.count += 1;
            self.positive.add(x.to_bits() >> self.shift, 1);
        } else if x == 0.0 {
            self.count += 1;
            self.zeros += 1;
        } else if x < 0.0 {
            self.count += 1;
            self.negative.add((-x).to_bits() >> self.shift, 1);
        }
    }

    /// Adds another summary's counts: exact, and the same in any order.
    pub fn merge(&mut self, other: &QuantileSketch) {
        assert_eq!(self.shift, other.shift, "summaries of different precision");
        self.count += other.count;
        self.zeros += other.zeros;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// Approximate values of the order statistics of ranks `ranks` (0-based, increasing),
    /// clamped to the exact min and max, in one walk over the buckets.
    fn values_at_ranks(&self, ranks: &[u64]) -> Vec<f64> {
        let mut out = Vec::with_capacity(ranks.len());
        let mut seen = 0;
        // Every rank below `seen` takes `value`.
        let take = |value: f64, seen: u64, out: &mut Vec<f64>| {
            while out.len() < ranks.len() && ranks[out.len()] < seen {
                out.push(value);
            }
        };
        for (key, c) in self.negative.iter().rev() {
            seen += c;
            take(
                (-bucket_value(key, self.shift)).clamp(self.min, self.max),
                seen,
                &mut out,
            );
        }
        seen += self.zeros;
        take(0.0, seen, &mut out);
        for (key, c) in self.positive.iter() {
            if out.len() == ranks.len() {
                break;
            }
            seen += c;
            take(
                bucket_value(key, self.shift).clamp(self.min, self.max),
                seen,
                &mut out,
            );
        }
        out.resize(ranks.len(), self.max);
        out
    }

    /// Quantile at `q` in [0, 1] with numpy's linear interpolation between order
    /// statistics; each order statistic within [`RELATIVE_ERROR`] of the true one.
    pub fn quantile(&self, q: f64) -> f64 {
        self.quantiles(&[q])[0]
    }

    /// [`Self::quantile`] at each of `qs`, reading the buckets once for all of them.
    pub fn quantiles(&self, qs: &[f64]) -> Vec<f64> {
        if self.count == 0 {
            return vec![0.0; qs.len()];
        }
        // Each quantile interpolates between the order statistics `lo` and `lo + 1`.
        let last = self.count - 1;
        let plan: Vec<(u64, f64)> = qs
            .iter()
            .map(|q| {
                let h = q.clamp(0.0, 1.0) * last as f64;
                (h.floor() as u64, h - h.floor())
            })
            .collect();
        let mut ranks: Vec<u64> = plan
            .iter()
            .flat_map(|&(lo, _)| [lo, (lo + 1).min(last)])
            .collect();
        ranks.sort_unstable();
        ranks.dedup();
        let values = self.values_at_ranks(&ranks);
        let at = |r: u64| values[ranks.partition_point(|&x| x < r)];
        plan.iter()
            .map(|&(lo, frac)| {
                let a = at(lo);
                if frac == 0.0 {
                    a
                } else {
                    a + frac * (at((lo + 1).min(last)) - a)
                }
            })
            .collect()
    }

    /// Number of values below zero (exact).
    pub fn count_negative(&self) -> u64 {
        self.negative.totals().map(u64::from).sum()
    }

    /// Number of values above zero (exact).
    pub fn count_positive(&self) -> u64 {
        self.count - self.zeros - self.count_negative()
    }

    /// Smallest value counted (exact).
    pub fn min(&self) -> f64 {
        self.min
    }

    /// Largest value counted (exact).
    pub fn max(&self) -> f64 {
        self.max
    }

    /// Every bucket in increasing order of value: (representative value, count).
    fn buckets(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        let neg = self
            .negative
            .iter()
            .rev()
            .map(|(k, c)| (-bucket_value(k, self.shift), c));
        let zero = std::iter::once((0.0, self.zeros)).filter(|(_, c)| *c > 0);
        let pos = self
            .positive
            .iter()
            .map(|(k, c)| (bucket_value(k, self.shift), c));
        neg.chain(zero)
            .chain(pos)
            .map(|(v, c)| (v.clamp(self.min, self.max), c))
    }

    /// Mean of the values at or below `threshold`, each within the relative error.
    pub fn lower_tail_mean(&self, threshold: f64) -> f64 {
        let (sum, n) = self
            .buckets()
            .take_while(|(v, _)| *v <= threshold)
            .fold((0.0, 0u64), |(s, n), (v, c)| (s + v * c as f64, n + c));
        if n > 0 { sum / n as f64 } else { self.min }
    }

    /// Mean of the values at or above `threshold`, each within the relative error.
    pub fn upper_tail_mean(&self, threshold: f64) -> f64 {
        let (sum, n) = self
            .buckets()
            .filter(|(v, _)| *v >= threshold)
            .fold((0.0, 0u64), |(s, n), (v, c)| (s + v * c as f64, n + c));
        if n > 0 { sum / n as f64 } else { self.max }
    }

    /// Appends the summary to a partial result.
    pub fn encode(&self, w: &mut crate::kernels::codec::Writer) {
        w.u32(self.shift);
        w.u64(self.count);
        w.u64(self.zeros);
        w.f64(self.min);
        w.f64(self.max);
        for store in [&self.positive, &self.negative] {
            w.u64(store.offset);
            w.u32s(&store.totals().collect::<Vec<u32>>());
        }
    }

    /// Reads a summary of the given precision written by [`QuantileSketch::encode`],
    /// refusing one that could not have been: more than `max_count` values, a bucket range
    /// past the keys any value has, counts that do not add up to the total, or extremes
    /// out of order. Each store's range is checked before anything is merged into it, so a
    /// corrupt offset cannot make a later merge allocate past the key space.
    pub fn decode(
        r: &mut crate::kernels::codec::Reader<'_>,
        precision: Precision,
        max_count: u64,
    ) -> crate::kernels::codec::DecodeResult<Self> {
        let shift = r.u32()?;
        if shift != precision.shift() {
            return Err(format!("corrupt summary precision {shift}"));
        }
        let (count, zeros, min, max) = (r.u64()?, r.u64()?, r.f64()?, r.f64()?);
        if count > max_count {
            return Err(format!(
                "a summary counts {count} values, more than the part's {max_count} paths"
            ));
        }
        // Keys of positive values (infinity included) are below 2^(63 - shift); a store
        // grown by `Store::grow_to` ends below twice that.
        let key_limit = 1u64 << (64 - shift);
        let mut store = || -> crate::kernels::codec::DecodeResult<Store> {
            let offset = r.u64()?;
            let counts = r.u32s()?;
            let end = offset.checked_add(counts.len() as u64);
            if end.is_none_or(|end| end > key_limit) {
                return Err(format!(
                    "corrupt summary bucket range: offset {offset} with {} buckets (keys end at {key_limit})",
                    counts.len()
                ));
            }
            Ok(Store {
                offset,
                recent: vec![0; counts.len()],
                counts,
                pending: 0,
            })
        };
        let (positive, negative) = (store()?, store()?);
        let counted = [&positive, &negative]
            .iter()
            .flat_map(|s| s.counts.iter())
            .fold(zeros, |sum, &c| sum.saturating_add(u64::from(c)));
        if counted != count {
            return Err(format!(
                "corrupt summary: its buckets and zeros hold {counted} values, which does not add up to its count {count}"
            ));
        }
        if count > 0 && (min.is_nan() || max.is_nan() || min > max) {
            return Err(format!("corrupt summary extremes: min {min}, max {max}"));
        }
        Ok(QuantileSketch {
            shift,
            count,
            zeros,
            positive,
            negative,
            min,
            max,
        })
    }

    /// The lowest and highest keys counted among the positive values, then among the
    /// negative ones (`None` for a side with none): the ranges a merge widens a summary to.
    pub fn counted_keys(&self) -> [Option<(u64, u64)>; 2] {
        [&self.positive, &self.negative].map(|s| {
            let first = s.totals().position(|c| c > 0)?;
            let last = s.totals().rposition(|c| c > 0)?;
            Some((s.offset + first as u64, s.offset + last as u64))
        })
    }

    /// Heap bytes held, for memory reporting.
    pub fn heap_bytes(&self) -> usize {
        let store = |s: &Store| 4 * s.counts.capacity() + 2 * s.recent.capacity();
        store(&self.positive) + store(&self.negative)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::quantile_sorted;

    #[test]
    fn quantiles_within_stated_error() {
        // A spread of magnitudes, signs and a block of zeros.
        let mut values: Vec<f64> = (0..20_000)
            .map(|i| {
                let u = (i as f64 + 0.5) / 20_000.0;
                (u * 12.0).exp() * if i % 5 == 0 { -1.0 } else { 1.0 }
            })
            .collect();
        values.extend(std::iter::repeat_n(0.0, 3000));
        let mut s = QuantileSketch::new(Precision::FINE);
        values.iter().for_each(|&v| s.add(v));
        values.sort_by(f64::total_cmp);
        for q in [0.0, 0.01, 0.05, 0.2, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0] {
            let exact = quantile_sorted(&values, q);
            let got = s.quantile(q);
            // Each order statistic is within the relative error; interpolation between two
            // neighbours keeps the bound relative to the larger of them.
            let h = q * (values.len() - 1) as f64;
            let scale = values[h.floor() as usize]
                .abs()
                .max(values[h.ceil() as usize].abs());
            assert!(
                (got - exact).abs() <= Precision::FINE.relative_error() * scale * 1.0001,
                "q {q}: {got} vs {exact}"
            );
        }
    }

    #[test]
    fn merge_is_exact_and_order_free() {
        let mut all = QuantileSketch::new(Precision::FINE);
        let mut a = QuantileSketch::new(Precision::FINE);
        let mut b = QuantileSketch::new(Precision::FINE);
        for i in 0..1000 {
            let x = (i as f64 * 0.37).sin() * 1e6;
            all.add(x);
            if i % 3 == 0 { a.add(x) } else { b.add(x) }
        }
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        for q in [0.05, 0.5, 0.95] {
            assert_eq!(ab.quantile(q), all.quantile(q));
            assert_eq!(ba.quantile(q), all.quantile(q));
        }
    }

    /// Batches that grow the range in the middle, in both directions, count like single adds.
    #[test]
    fn batches_equal_single_adds() {
        let values: Vec<f64> = (0..5000)
            .map(|i| {
                ((i * 7919 % 1000) as f64 - 300.0) * 1.37e3 + if i % 97 == 0 { 1e9 } else { 0.0 }
            })
            .collect();
        let mut one = QuantileSketch::new(Precision::SERIES);
        values.iter().for_each(|&v| one.add(v));
        let mut batched = QuantileSketch::new(Precision::SERIES);
        values.chunks(333).for_each(|c| batched.add_batch(c));
        for q in [0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0] {
            assert_eq!(one.quantile(q), batched.quantile(q), "q {q}");
        }
        assert_eq!(one.count(), batched.count());
    }

    /// More than 2^16 equal values in batches: the 16-bit recent counts are settled before
    /// they overflow, and merging and encoding see the settled and recent counts together.
    #[test]
    fn batches_past_sixteen_bits_count_exactly() {
        let mut s = QuantileSketch::new(Precision::SERIES);
        let batch = vec![3.0; 1000];
        for _ in 0..70 {
            s.add_batch(&batch);
        }
        s.add(5.0);
        assert_eq!(s.count(), 70_001);
        assert_eq!(s.count_positive(), 70_001);
        assert!((s.quantile(0.5) - 3.0).abs() <= 3.0 * Precision::SERIES.relative_error());
        assert_eq!(s.quantile(1.0), 5.0);
        let mut merged = QuantileSketch::new(Precision::SERIES);
        merged.merge(&s);
        assert_eq!(merged, s);
        let mut w = crate::kernels::codec::Writer::default();
        s.encode(&mut w);
        let decoded = QuantileSketch::decode(
            &mut crate::kernels::codec::Reader::new(&w.bytes),
            Precision::SERIES,
            70_001,
        );
        assert_eq!(decoded.unwrap(), s);
    }

    /// A decoded summary must be one `encode` could have written: crafted ranges, counts
    /// and extremes are refused before any merge could allocate for them.
    #[test]
    fn decode_refuses_crafted_summaries() {
        use crate::kernels::codec::{Reader, Writer};
        let mut s = QuantileSketch::new(Precision::FINE);
        [-2.0, 0.0, 1.5, 3.0].iter().for_each(|&v| s.add(v));
        let decode = |s: &QuantileSketch, max: u64| {
            let mut w = Writer::default();
            s.encode(&mut w);
            QuantileSketch::decode(&mut Reader::new(&w.bytes), Precision::FINE, max)
        };
        assert_eq!(decode(&s, 4).unwrap(), s);
        assert!(decode(&s, 3).unwrap_err().contains("more than"));
        let mut far = s.clone();
        far.positive.offset = 1 << 32;
        assert!(decode(&far, 4).unwrap_err().contains("bucket range"));
        let mut wrapping = s.clone();
        wrapping.negative.offset = u64::MAX;
        assert!(decode(&wrapping, 4).unwrap_err().contains("bucket range"));
        let mut miscounted = s.clone();
        miscounted.zeros = 2;
        assert!(decode(&miscounted, 4).unwrap_err().contains("add up"));
        let mut nan = s.clone();
        nan.min = f64::NAN;
        assert!(decode(&nan, 4).unwrap_err().contains("extremes"));
        assert!(decode(&QuantileSketch::new(Precision::FINE), 0).is_ok());
    }

    /// Batches of positive values, with NaN among them and ranges growing both ways, count
    /// like single adds.
    #[test]
    fn positive_batches_equal_single_adds() {
        let values: Vec<f64> = (0..5000)
            .map(|i| match i % 211 {
                0 => f64::NAN,
                1 => 1e-3 * (1 + i) as f64,
                2 => 1e12 + i as f64,
                _ => 50.0 + ((i * 7919) % 1000) as f64,
            })
            .collect();
        let mut one = QuantileSketch::new(Precision::SERIES);
        values.iter().for_each(|&v| one.add(v));
        let mut batched = QuantileSketch::new(Precision::SERIES);
        values.chunks(256).for_each(|c| batched.add_batch(c));
        assert_eq!(one, batched);
        assert_eq!(one.count(), 5000 - 24);
    }

    /// A batch's scan, one value at a time (the series fold takes it lane by lane).
    fn scan(values: &[f32]) -> F32Scan {
        let mut scan = F32Scan {
            lo: f32::INFINITY,
            hi: f32::NEG_INFINITY,
            lo_positive: f32::INFINITY,
            zeros: 0,
            nans: 0,
        };
        for &v in values {
            scan.lo = scan.lo.min(v);
            scan.hi = scan.hi.max(v);
            if v > 0.0 {
                scan.lo_positive = scan.lo_positive.min(v);
            }
            scan.zeros += u32::from(v == 0.0);
            scan.nans += u32::from(v.is_nan());
        }
        scan
    }

    /// Counts `batch` the way the series fold does: straight from the `f32` bits when the
    /// summary takes it, else as `f64`.
    fn add_f32_batch(s: &mut QuantileSketch, batch: &[f32]) {
        let scan = scan(batch);
        match s.f32_counts(&scan, batch.len()) {
            Some(mut counts) => {
                for &v in batch {
                    counts.add_key(v.to_bits() >> Precision::SERIES.f32_shift());
                }
            }
            None => {
                let wide: Vec<f64> = batch.iter().map(|&v| f64::from(v)).collect();
                s.add_batch_in_range(&wide, f64::from(scan.lo), f64::from(scan.hi));
            }
        }
    }

    /// `f32` batches count exactly as their values added one by one as `f64`: zeros (both
    /// signs), NaN, subnormals, infinity, negatives, and a zero batch after a subnormal has
    /// put the bucket an `f32` zero's bits would map to into the range.
    #[test]
    fn f32_batches_equal_single_adds() {
        let tiny = f32::from_bits(1 << 22); // 2^-127, subnormal
        let batches: Vec<Vec<f32>> = vec![
            (0..256).map(|i| 50.0 + (i * 7919 % 1000) as f32).collect(),
            (0..256)
                .map(|i| if i % 3 == 0 { 0.0 } else { i as f32 * 1e3 })
                .collect(),
            (0..256)
                .map(|i| if i % 5 == 0 { -0.0 } else { 1e-3 * i as f32 })
                .collect(),
            (0..256)
                .map(|i| if i % 7 == 0 { f32::NAN } else { 3.5 })
                .collect(),
            vec![0.0; 256],
            vec![f32::NAN; 16],
            vec![tiny, 2.0, 0.0],
            vec![0.0, 0.0, 1.0],
            vec![f32::MIN_POSITIVE, f32::MAX, 0.0],
            vec![1.0, f32::INFINITY, 2.0],
            vec![1.0, -2.0, 0.0, 3.0],
            (0..256).map(|i| 1e30 + i as f32 * 1e27).collect(),
        ];
        let mut one = QuantileSketch::new(Precision::SERIES);
        let mut batched = QuantileSketch::new(Precision::SERIES);
        let mut fast = 0;
        for batch in &batches {
            batch.iter().for_each(|&v| one.add(f64::from(v)));
            fast += usize::from(batched.counts_f32(&scan(batch)));
            add_f32_batch(&mut batched, batch);
            assert_eq!(one, batched, "after {batch:?}");
        }
        // Both ways were exercised.
        assert!(fast >= 8 && fast < batches.len(), "{fast} fast batches");
        for q in [0.0, 0.05, 0.5, 0.95, 1.0] {
            // Bit for bit (the infinity makes the top quantile NaN both ways).
            assert_eq!(
                one.quantile(q).to_bits(),
                batched.quantile(q).to_bits(),
                "q {q}"
            );
        }
    }

    #[test]
    fn constant_values_are_exact() {
        let mut s = QuantileSketch::new(Precision::FINE);
        (0..10).for_each(|_| s.add(1100.0));
        assert_eq!(s.quantile(0.05), 1100.0);
        assert_eq!(s.quantile(0.95), 1100.0);
    }
}
