//! Numeric preparation of chart data: ranges that are never empty, histograms,
//! downsampled empirical distributions and running means. Pure functions, so the
//! degenerate cases (one path, all values equal, nothing positive) are unit-tested
//! without drawing anything.

use dcrisk_core::stats::quantile_sorted;

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
    sorted.sort_unstable_by(f64::total_cmp);
    sorted
}

/// Quantile of sorted values (0 when there are none).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    quantile_sorted(sorted, q)
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
/// of all paths.
pub(crate) fn histogram(values: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<Bin> {
    let bins = bins.max(1);
    let width = (hi - lo) / bins as f64;
    if !(width.is_finite() && width > 0.0) || values.is_empty() {
        return Vec::new();
    }
    // Shift the grid so that zero falls on an edge, adding one bin to keep covering hi.
    let offset = if lo < 0.0 && hi > 0.0 {
        (-lo).rem_euclid(width)
    } else {
        0.0
    };
    let start = if offset > 0.0 { lo + offset - width } else { lo };
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
/// staircase over the positive values, at most about `max_points` steps. Empty when no
/// value is positive (nothing to plot on a log scale).
pub(crate) fn exceedance_points(sorted: &[f64], max_points: usize) -> Vec<(f64, f64)> {
    let n = sorted.len();
    let first_positive = sorted.partition_point(|&v| v <= 0.0);
    if first_positive == n {
        return Vec::new();
    }
    let nf = n as f64;
    let positives = n - first_positive;
    let stride = positives.div_ceil(max_points.max(1)).max(1);
    let mut pts = vec![(0.0, positives as f64 / nf)];
    let mut i = first_positive;
    while i < n {
        let x = sorted[i];
        // Everything at or below x no longer exceeds it.
        let above = n - sorted.partition_point(|&v| v <= x);
        pts.push((x, pts.last().map_or(1.0, |p| p.1)));
        pts.push((x, above as f64 / nf));
        i = (i + stride).max(sorted.partition_point(|&v| v <= x).min(n));
    }
    pts
}

/// One point of a running mean: after `n` paths, the mean and the half-width of its
/// 95% confidence interval (1.96 standard errors).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RunningMean {
    pub n: f64,
    pub mean: f64,
    pub half_width: f64,
}

/// The running mean of `values` in order, kept at about `max_points` log-spaced path
/// counts (Welford's update, so a million paths cost one pass).
pub(crate) fn running_mean(values: &[f64], max_points: usize) -> Vec<RunningMean> {
    let keep = log_spaced(values.len(), max_points);
    let mut out = Vec::with_capacity(keep.len());
    let (mut mean, mut m2) = (0.0, 0.0);
    let mut next = keep.iter().peekable();
    for (i, &v) in values.iter().enumerate() {
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
                half_width: 1.96 * std / n.sqrt(),
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
        assert_eq!(log_ticks(1.0, 1e6), vec![1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6]);
        assert_eq!(log_ticks(1e-3, 0.05), vec![1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2]);
    }

    #[test]
    fn histogram_has_an_edge_at_zero_and_counts_everything() {
        let values: Vec<f64> = (0..1000).map(|i| f64::from(i) - 333.3).collect();
        let bins = histogram(&values, -333.3, 666.7, 10);
        assert!(bins.iter().any(|b| b.lo.abs() < 1e-9));
        let total: f64 = bins.iter().map(|b| b.share).sum();
        assert!((total - 1.0).abs() < 1e-12);
        assert!(histogram(&[1.0], 1.0, 1.0, 10).is_empty());
    }

    #[test]
    fn ecdf_and_exceedance() {
        let sorted = [0.0, 0.0, 0.0, 1.0, 3.0];
        let pts = ecdf_points(&sorted, 100);
        assert_eq!(pts.last(), Some(&(3.0, 1.0)));
        let exc = exceedance_points(&sorted, 100);
        assert_eq!(exc[0], (0.0, 0.4));
        assert_eq!(exc.last(), Some(&(3.0, 0.0)));
        assert!(exceedance_points(&[0.0, 0.0], 10).is_empty());
        let big: Vec<f64> = (0..100_000).map(f64::from).collect();
        assert!(ecdf_points(&big, 1000).len() <= 1000);
        assert!(exceedance_points(&big, 500).len() <= 1100);
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
