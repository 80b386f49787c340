//! What drives a metric's uncertainty, from the outer samples of one run (docs/MODEL.md,
//! "Uncertain inputs"): Spearman's rank correlation, the first-order Sobol index from
//! given data, Jansen's first-order and total-effect indices on a Saltelli design, each
//! index with a bias-corrected bootstrap 95% interval.

use rand::Rng;

use super::sampling::outer_rng;
use crate::random::PathRng;
use crate::stats::{quantile_sorted, sorted_total};

/// An index with its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub estimate: f64,
    pub lo: f64,
    pub hi: f64,
}

/// Bootstrap resamples behind every interval.
pub const BOOTSTRAP: usize = 500;

/// Mean and population variance (divided by n).
fn mean_var(y: &[f64]) -> (f64, f64) {
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    (mean, y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n)
}

/// Ranks 1..=n, ties given their average rank (as scipy's `rankdata`).
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && x[order[j + 1]] == x[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Pearson's correlation; NaN when either side does not vary.
fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let (mx, vx) = mean_var(x);
    let (my, vy) = mean_var(y);
    let n = x.len() as f64;
    let cov = x
        .iter()
        .zip(y)
        .map(|(a, b)| (a - mx) * (b - my))
        .sum::<f64>()
        / n;
    cov / (vx * vy).sqrt()
}

/// Spearman's rank correlation of `x` and `y` (Pearson's on average ranks).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

/// Bins of the given-data estimator for `n` samples: about sqrt(n), at least 2.
pub fn bins_for(n: usize) -> usize {
    ((n as f64).sqrt().round() as usize).clamp(2, n.max(2))
}

/// The first-order index `Var(E[Y | X]) / Var(Y)` from given data: the samples sorted by
/// `x` and cut into `bins` bins of (nearly) equal count; the variance of the bin means,
/// less what noise alone puts there (the ANOVA correction, `(bins - 1)` times the mean
/// square within bins), over the variance of `y`. Samples with equal `x` share a bin.
pub fn first_order_given_data(x: &[f64], y: &[f64], bins: usize) -> f64 {
    let (xs, ys) = sorted_by_x(x, y);
    first_order_sorted(&xs, &ys, bins)
}

/// `x` sorted (ties in sample order), and `y` in the same order.
fn sorted_by_x(x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    (
        order.iter().map(|&i| x[i]).collect(),
        order.iter().map(|&i| y[i]).collect(),
    )
}

/// [`first_order_given_data`] of samples already sorted by `xs`.
fn first_order_sorted(xs: &[f64], ys: &[f64], bins: usize) -> f64 {
    let n = ys.len();
    let (mean, var) = mean_var(ys);
    let (mut between, mut within, mut groups) = (0.0, 0.0, 0usize);
    let mut start = 0;
    for b in 0..bins {
        let mut end = ((b + 1) * n / bins).max(start);
        // Keep ties together: a bin ends only where x changes.
        while end > start && end < n && xs[end] == xs[end - 1] {
            end += 1;
        }
        if end <= start {
            continue;
        }
        let (m, v) = mean_var(&ys[start..end]);
        let count = (end - start) as f64;
        between += count * (m - mean).powi(2);
        within += count * v;
        groups += 1;
        start = end;
    }
    if groups < 2 || n <= groups {
        return between / n as f64 / var;
    }
    let noise = within / (n - groups) as f64;
    (between - (groups - 1) as f64 * noise) / n as f64 / var
}

/// Jansen's first-order and total-effect indices of input `i` from the Saltelli
/// evaluations `ya = f(A)`, `yb = f(B)`, `yab = f(AB_i)`:
/// `S_i = (V - mean((yb - yab)^2) / 2) / V`, `T_i = mean((ya - yab)^2) / 2 / V`, with
/// `V` the variance of the A and B evaluations together.
pub fn jansen(ya: &[f64], yb: &[f64], yab: &[f64]) -> (f64, f64) {
    let both: Vec<f64> = ya.iter().chain(yb).copied().collect();
    let (_, v) = mean_var(&both);
    let n = ya.len() as f64;
    let first = yb
        .iter()
        .zip(yab)
        .map(|(b, ab)| (b - ab).powi(2))
        .sum::<f64>()
        / (2.0 * n);
    let total = ya
        .iter()
        .zip(yab)
        .map(|(a, ab)| (a - ab).powi(2))
        .sum::<f64>()
        / (2.0 * n);
    ((v - first) / v, total / v)
}

/// The 95% interval of `estimate` from its bootstrap replicates: the percentile interval
/// shifted by the bootstrap's median bias (resampling with replacement duplicates
/// samples, which biases these estimators: the shift takes that bias back out), then
/// widened if need be to contain the estimate. NaN replicates (a resample with no
/// spread) are left out.
pub fn corrected_interval(estimate: f64, replicates: &[f64]) -> Interval {
    let kept: Vec<f64> = replicates
        .iter()
        .copied()
        .filter(|r| r.is_finite())
        .collect();
    if kept.is_empty() || !estimate.is_finite() {
        return Interval {
            estimate,
            lo: f64::NAN,
            hi: f64::NAN,
        };
    }
    let sorted = sorted_total(&kept);
    let bias = quantile_sorted(&sorted, 0.5) - estimate;
    let lo = quantile_sorted(&sorted, 0.025) - bias;
    let hi = quantile_sorted(&sorted, 0.975) - bias;
    Interval {
        estimate,
        lo: lo.min(estimate),
        hi: hi.max(estimate),
    }
}

/// Replicates of a statistic of `n` samples, each on a resample with replacement, from a
/// generator seeded by `seed` and `stream` (the same interval on any thread).
pub fn bootstrap(
    n: usize,
    seed: u64,
    stream: u64,
    statistic: impl Fn(&[usize]) -> f64,
) -> Vec<f64> {
    let mut rng: PathRng = outer_rng(seed ^ 0xB007_57A9, stream);
    let mut idx = vec![0usize; n];
    (0..BOOTSTRAP)
        .map(|_| {
            for slot in idx.iter_mut() {
                *slot = (rng.next_u64() % n as u64) as usize;
            }
            statistic(&idx)
        })
        .collect()
}

/// The given-data first-order index of `x` for `y` with its interval. The samples are
/// sorted once; a resample (of positions in that order, which is a resample of the
/// samples) is put in order by counting, so each replicate costs O(n), not a sort.
pub fn first_order_interval(x: &[f64], y: &[f64], seed: u64, stream: u64) -> Interval {
    let bins = bins_for(y.len());
    let (xs, ys) = sorted_by_x(x, y);
    let estimate = first_order_sorted(&xs, &ys, bins);
    let reps = bootstrap(y.len(), seed, stream, |idx| {
        let mut counts = vec![0u32; idx.len()];
        for &i in idx {
            counts[i] += 1;
        }
        let (mut rx, mut ry) = (Vec::with_capacity(idx.len()), Vec::with_capacity(idx.len()));
        for (j, &c) in counts.iter().enumerate() {
            for _ in 0..c {
                rx.push(xs[j]);
                ry.push(ys[j]);
            }
        }
        first_order_sorted(&rx, &ry, bins)
    });
    corrected_interval(estimate, &reps)
}

/// Jansen's indices with their intervals, resampling base samples (each with its A, B
/// and AB_i evaluations).
pub fn jansen_intervals(
    ya: &[f64],
    yb: &[f64],
    yab: &[f64],
    seed: u64,
    stream: u64,
) -> (Interval, Interval) {
    let (first, total) = jansen(ya, yb, yab);
    let pick = |v: &[f64], idx: &[usize]| -> Vec<f64> { idx.iter().map(|&i| v[i]).collect() };
    let reps_first = bootstrap(ya.len(), seed, stream, |idx| {
        jansen(&pick(ya, idx), &pick(yb, idx), &pick(yab, idx)).0
    });
    let reps_total = bootstrap(ya.len(), seed, stream ^ (1 << 40), |idx| {
        jansen(&pick(ya, idx), &pick(yb, idx), &pick(yab, idx)).1
    });
    (
        corrected_interval(first, &reps_first),
        corrected_interval(total, &reps_total),
    )
}

/// The mean of `x` over the samples whose `y` is at or below the 5% quantile of `y`
/// ("what drives the bad case"), and over all samples.
pub fn worst5(x: &[f64], y: &[f64]) -> (f64, f64) {
    let cut = quantile_sorted(&sorted_total(y), 0.05);
    let bad: Vec<f64> = x
        .iter()
        .zip(y)
        .filter(|(_, v)| **v <= cut)
        .map(|(a, _)| *a)
        .collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    (mean(&bad), mean(x))
}
