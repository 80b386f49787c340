//! Numeric preparation of chart data: ranges that are never empty, histograms,
//! downsampled empirical distributions and running means. Pure functions, so the
//! degenerate cases (one path, all values equal, nothing positive) are unit-tested
//! without drawing anything.

use dcrisk_core::stats::{Z95, quantile_sorted};

/// Smallest and largest finite value, if any.
pub(crate) fn finite_min_max(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// A plotting range around `[lo, hi]`: padded by `pad` of its width on each side, not
/// padded below zero when the data are all non-negative, and widened when it has (next
/// to) no width, because plotters cannot map a zero-width range.
pub(crate) fn padded_range(lo: f64, hi: f64, pad: f64) -> (f64, f64) {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && lo <= hi {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let (lo, hi) = widen_degenerate(lo, hi);
    let margin = (hi - lo) * pad;
    let new_lo = if lo >= 0.0 {
        (lo - margin).max(0.0)
    } else {
        lo - margin
    };
    (new_lo, hi + margin)
}

/// `[lo, hi]` itself when it has width, else a range centred on the single value (10% of
/// it, at least 1, each side), for data that may be negative.
pub(crate) fn centered_range(lo: f64, hi: f64) -> (f64, f64) {
    if hi - lo > lo.abs().max(hi.abs()) * 1e-6 {
        return (lo, hi);
    }
    let v = if lo.is_finite() { lo } else { 0.0 };
    let half = (v.abs() * 0.1).max(1.0);
    (v - half, v + half)
}

/// Widens a range narrower than a millionth of its magnitude to a sensible width:
/// 0..1 around zero, otherwise 10% of the value on each side.
fn widen_degenerate(lo: f64, hi: f64) -> (f64, f64) {
    let magnitude = lo.abs().max(hi.abs());
    if hi - lo > magnitude * 1e-6 {
        return (lo, hi);
    }
    if magnitude == 0.0 {
        return (0.0, 1.0);
    }
    let half = magnitude * 0.1;
    if lo >= 0.0 && lo - half < 0.0 {
        (0.0, hi + half)
    } else {
        (lo - half, hi + half)
    }
}

/// Tick positions on a linear axis and the distance between them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Ticks {
    pub values: Vec<f64>,
    pub step: f64,
}

/// "Nice" ticks (1, 2 or 5 times a power of ten apart) inside `[lo, hi]`, at most about
/// `target` of them. `steps` lists the allowed mantissas; months use 1, 2, 3, 6.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize, mantissas: &[f64]) -> Ticks {
    let width = hi - lo;
    if !(width.is_finite() && width > 0.0) {
        return Ticks {
            values: vec![lo],
            step: 1.0,
        };
    }
    let raw = width / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = mantissas
        .iter()
        .chain(std::iter::once(&10.0))
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    let values = (first..=last)
        .map(|k| {
            let v = k as f64 * step;
            if v.abs() < step * 1e-9 { 0.0 } else { v }
        })
        .collect();
    Ticks { values, step }
}

/// Mantissas for decimal axes.
pub(crate) const DECIMAL: [f64; 3] = [1.0, 2.0, 5.0];
/// Mantissas for month axes (multiples of 1, 2, 3 or 6 months; 12 is the next decade's 1.2).
pub(crate) const MONTHLY: [f64; 5] = [1.0, 2.0, 3.0, 6.0, 12.0];

/// Ticks on a log axis over `[lo, hi]` (both > 0): powers of ten, with 2 and 5 in
/// between when the range spans fewer than three decades.
pub(crate) fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (first, last) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let mantissas: &[f64] = if last - first < 3 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0]
    };
    (first..=last)
        .flat_map(|e| mantissas.iter().map(move |m| m * 10f64.powi(e)))
        .filter(|v| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9))
        .collect()
}

/// Sorted copy of the finite values.
pub(crate) fn sorted_finite(values: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    dcrisk_core::stats::sort_total(&mut sorted);
    sorted
}

/// Quantile of sorted values (0 when there are none).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    quantile_sorted(sorted, q)
}

/// The x range to draw a sample over, and how many paths fall outside it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Window {
    pub lo: f64,
    pub hi: f64,
    pub below: usize,
    pub above: usize,
}

/// Share of the central range a tail may add before it is cut off the axis: 0.75 never
/// cuts a normal sample (even at a million paths its extremes stay within 2.5 standard
/// deviations of P0.5/P99.5, a range of 5.15), but cuts the lognormal-like tails of
/// costs and savings.
const TAIL_ALLOWANCE: f64 = 0.75;

/// The range to show for a sorted sample: all of it, except that a tail reaching more
/// than 3/4 of the P0.5-P99.5 width beyond P0.5 (or P99.5) is cut there, so a few
/// extreme paths do not squeeze the body of the distribution into a sliver. Each side
/// is judged on its own: heavy right tails of savings need not hide the loss side.
pub(crate) fn display_window(sorted: &[f64]) -> Window {
    let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
        return Window {
            lo: 0.0,
            hi: 0.0,
            below: 0,
            above: 0,
        };
    };
    let (p_lo, p_hi) = (quantile(sorted, 0.005), quantile(sorted, 0.995));
    let allowance = (p_hi - p_lo) * TAIL_ALLOWANCE;
    let lo = if p_lo - min > allowance { p_lo } else { min };
    let hi = if max - p_hi > allowance { p_hi } else { max };
    Window {
        lo,
        hi,
        below: sorted.partition_point(|&v| v < lo),
        above: sorted.len() - sorted.partition_point(|&v| v <= hi),
    }
}

/// One histogram bar: `[lo, hi)` and the share of all values in it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Bin {
    pub lo: f64,
    pub hi: f64,
    pub share: f64,
}

/// Histogram of `values` over `[lo, hi]` in about `bins` equal bins, with a bin edge at
/// zero when zero is inside the range (so no bar mixes gains and losses). Values outside
/// the range are counted in neither bin but still in the total, so shares stay shares
/// of all paths. A range without width (all values equal) gives one narrow bar centred
/// on the value.
pub(crate) fn histogram(values: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<Bin> {
    if values.is_empty() || !(lo.is_finite() && hi.is_finite()) {
        return Vec::new();
    }
    let (wide_lo, wide_hi) = centered_range(lo, hi);
    if (wide_lo, wide_hi) != (lo, hi) {
        let half = (wide_hi - wide_lo) / 20.0;
        let inside = values.iter().filter(|&&v| v >= lo && v <= hi).count();
        return vec![Bin {
            lo: lo - half,
            hi: hi + half,
            share: inside as f64 / values.len() as f64,
        }];
    }
    let bins = bins.max(1);
    let width = (hi - lo) / bins as f64;
    // Shift the grid so that zero falls on an edge, adding one bin to keep covering hi.
    let offset = if lo < 0.0 && hi > 0.0 {
        (-lo).rem_euclid(width)
    } else {
        0.0
    };
    let start = if offset > 0.0 {
        lo + offset - width
    } else {
        lo
    };
    let count = if offset > 0.0 { bins + 1 } else { bins };
    let mut counts = vec![0u64; count];
    for &v in values {
        if v.is_finite() && v >= lo && v <= hi {
            let i = (((v - start) / width) as usize).min(count - 1);
            counts[i] += 1;
        }
    }
    let total = values.len() as f64;
    counts
        .iter()
        .enumerate()
        .map(|(i, &c)| Bin {
            lo: start + i as f64 * width,
            hi: start + (i + 1) as f64 * width,
            share: c as f64 / total,
        })
        .collect()
}

/// Number of histogram bins: about the square root of the path count, 10 to 60.
pub(crate) fn bin_count(paths: usize) -> usize {
    ((paths as f64).sqrt().round() as usize).clamp(10, 60)
}

/// The empirical CDF of sorted values as a polyline of `(x, P(X <= x))`: an exact
/// staircase for small samples, `max_points` quantiles for large ones.
pub(crate) fn ecdf_points(sorted: &[f64], max_points: usize) -> Vec<(f64, f64)> {
    let n = sorted.len();
    if n == 0 {
        return Vec::new();
    }
    let nf = n as f64;
    if n <= max_points {
        let mut pts = Vec::with_capacity(2 * n);
        for (i, &x) in sorted.iter().enumerate() {
            pts.push((x, i as f64 / nf));
            pts.push((x, (i + 1) as f64 / nf));
        }
        return pts;
    }
    let k = max_points.max(2);
    (0..k)
        .map(|j| {
            let i = (j * (n - 1)) / (k - 1);
            (sorted[i], (i + 1) as f64 / nf)
        })
        .collect()
}

/// The loss exceedance curve of sorted non-negative values: `(x, P(X > x))` as a
/// staircase from x = 0 to the largest value. It steps at about `max_points` values
/// chosen so the number of larger values is log-spaced: every step of the rare tail
/// (what a log axis shows) and a coarse body. It ends at the largest value's level
/// instead of dropping to 0, which has no place on a log axis. Empty when no value is
/// positive.
pub(crate) fn exceedance_points(sorted: &[f64], max_points: usize) -> Vec<(f64, f64)> {
    let n = sorted.len();
    let positives = n - sorted.partition_point(|&v| v <= 0.0);
    if positives == 0 {
        return Vec::new();
    }
    let nf = n as f64;
    let above = |x: f64| n - sorted.partition_point(|&v| v <= x);
    let mut steps: Vec<usize> = log_spaced(positives, max_points)
        .into_iter()
        .map(|count| n - count)
        .collect();
    steps.sort_unstable();
    let mut pts = vec![(0.0, positives as f64 / nf)];
    for i in steps {
        let x = sorted[i];
        let level = pts.last().map_or(1.0, |p| p.1);
        pts.push((x, level));
        match above(x) {
            0 => break,
            k => pts.push((x, k as f64 / nf)),
        }
    }
    pts
}

/// One point of a running mean: after `n` paths, the mean and the half-width of its
/// 95% confidence interval (`Z95` standard errors).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RunningMean {
    pub n: f64,
    pub mean: f64,
    pub half_width: f64,
}

/// The running mean of the finite `values` in order, kept at about `max_points`
/// log-spaced path counts (Welford's update, so a million paths cost one pass).
pub(crate) fn running_mean(values: &[f64], max_points: usize) -> Vec<RunningMean> {
    let finite = values.iter().filter(|v| v.is_finite()).count();
    let keep = log_spaced(finite, max_points);
    let mut out = Vec::with_capacity(keep.len());
    let (mut mean, mut m2) = (0.0, 0.0);
    let mut next = keep.iter().peekable();
    for (i, &v) in values.iter().filter(|v| v.is_finite()).enumerate() {
        let n = (i + 1) as f64;
        let delta = v - mean;
        mean += delta / n;
        m2 += delta * (v - mean);
        if next.peek() == Some(&&(i + 1)) {
            next.next();
            let std = if i > 0 { (m2 / (n - 1.0)).sqrt() } else { 0.0 };
            out.push(RunningMean {
                n,
                mean,
                half_width: Z95 * std / n.sqrt(),
            });
        }
    }
    out
}

/// About `k` distinct counts in `1..=n`, evenly spaced on a log scale, always with `n`.
pub(crate) fn log_spaced(n: usize, k: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let k = k.max(2);
    let ln_n = (n as f64).ln();
    let mut out: Vec<usize> = (0..k)
        .map(|j| ((ln_n * j as f64 / (k - 1) as f64).exp().round() as usize).clamp(1, n))
        .collect();
    out.push(n);
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_never_empty() {
        assert_eq!(padded_range(0.0, 0.0, 0.05), (0.0, 1.05));
        let (lo, hi) = padded_range(5e9, 5e9, 0.0);
        assert!(lo < 5e9 && hi > 5e9);
        let (lo, hi) = padded_range(f64::NAN, 1.0, 0.0);
        assert!(lo < hi);
        assert_eq!(padded_range(2.0, 12.0, 0.1), (1.0, 13.0));
        assert_eq!(padded_range(0.5, 10.0, 0.1).0, 0.0);
        assert_eq!(centered_range(0.0, 0.0), (-1.0, 1.0));
        assert_eq!(centered_range(-5.0, 5.0), (-5.0, 5.0));
    }

    #[test]
    fn ticks_are_round() {
        let t = nice_ticks(0.0, 15.0, 8, &DECIMAL);
        assert_eq!(t.step, 2.0);
        assert_eq!(t.values.first(), Some(&0.0));
        assert_eq!(t.values.last(), Some(&14.0));
        let t = nice_ticks(-3.2e9, 11.7e9, 8, &DECIMAL);
        assert_eq!(t.step, 2e9);
        assert_eq!(t.values[0], -2e9);
        let t = nice_ticks(0.0, 20.0, 8, &MONTHLY);
        assert_eq!(t.step, 3.0);
        assert_eq!(
            log_ticks(1.0, 1e6),
            vec![1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6]
        );
        assert_eq!(
            log_ticks(1e-3, 0.05),
            vec![1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2]
        );
    }

    #[test]
    fn histogram_has_an_edge_at_zero_and_counts_everything() {
        let values: Vec<f64> = (0..1000).map(|i| f64::from(i) - 333.3).collect();
        let bins = histogram(&values, -333.3, 666.7, 10);
        assert!(bins.iter().any(|b| b.lo.abs() < 1e-9));
        let total: f64 = bins.iter().map(|b| b.share).sum();
        assert!((total - 1.0).abs() < 1e-12);
        let single = histogram(&[5.0, 5.0], 5.0, 5.0, 10);
        assert_eq!(single.len(), 1);
        assert!(single[0].lo < 5.0 && single[0].hi > 5.0 && single[0].share == 1.0);
        assert!(histogram(&[], 0.0, 1.0, 10).is_empty());
    }

    #[test]
    fn windows_cut_only_long_tails() {
        let body: Vec<f64> = (0..1000).map(f64::from).collect();
        assert_eq!(
            display_window(&body),
            Window {
                lo: 0.0,
                hi: 999.0,
                below: 0,
                above: 0
            }
        );
        let mut tailed = body.clone();
        tailed.extend([5_000.0, 9_000.0]);
        let w = display_window(&tailed);
        assert_eq!((w.lo, w.below), (0.0, 0));
        assert!(w.hi < 1_000.0 && w.above >= 2);
        assert_eq!(display_window(&[3.0]).lo, 3.0);
        assert_eq!(display_window(&[]).above, 0);
    }

    #[test]
    fn ecdf_and_exceedance() {
        let sorted = [0.0, 0.0, 0.0, 1.0, 3.0];
        let pts = ecdf_points(&sorted, 100);
        assert_eq!(pts.last(), Some(&(3.0, 1.0)));
        let exc = exceedance_points(&sorted, 100);
        assert_eq!(exc, vec![(0.0, 0.4), (1.0, 0.4), (1.0, 0.2), (3.0, 0.2)]);
        assert!(exceedance_points(&[0.0, 0.0], 10).is_empty());
        let big: Vec<f64> = (0..100_000).map(f64::from).collect();
        assert!(ecdf_points(&big, 1000).len() <= 1000);
        let exc = exceedance_points(&big, 500);
        assert!(exc.len() <= 1100);
        assert_eq!(exc.last(), Some(&(99_999.0, 1.0 / 100_000.0)));
    }

    #[test]
    fn running_mean_ends_at_the_mean() {
        let values: Vec<f64> = (1..=1000).map(f64::from).collect();
        let rm = running_mean(&values, 50);
        let last = rm.last().unwrap();
        assert_eq!(last.n, 1000.0);
        assert!((last.mean - 500.5).abs() < 1e-9);
        assert!(rm.len() <= 51);
        assert_eq!(running_mean(&[7.0], 50)[0].half_width, 0.0);
        assert_eq!(log_spaced(1, 500), vec![1]);
    }
}
