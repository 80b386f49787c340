//! Statistics of per-path metrics, as docs/MODEL.md section 6 defines them.

/// The two-sided 95% normal quantile, `Phi^-1(0.975)`: every 95% confidence interval in
/// dcrisk is `mean ± Z95 stderr`.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The probability levels of summary.json's `quantiles`, in output order.
pub const QUANTILE_LEVELS: [(&str, f64); 9] = [
    ("p01", 0.01),
    ("p05", 0.05),
    ("p10", 0.10),
    ("p25", 0.25),
    ("p50", 0.50),
    ("p75", 0.75),
    ("p90", 0.90),
    ("p95", 0.95),
    ("p99", 0.99),
];

/// Summary statistics of one metric over all paths.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MetricStats {
    pub mean: f64,
    /// Sample standard deviation (n - 1 in the denominator; 0 for a single path).
    pub std: f64,
    /// `std / sqrt(n)`.
    pub stderr: f64,
    pub min: f64,
    pub max: f64,
    /// Quantiles at [`QUANTILE_LEVELS`], by linear interpolation (numpy's default).
    pub quantiles: [f64; 9],
    /// Mean of the values at or below p05.
    pub lower_es_05: f64,
    /// Mean of the values at or below p01.
    pub lower_es_01: f64,
    /// Mean of the values at or above p95.
    pub upper_es_95: f64,
    /// Mean of the values at or above p99.
    pub upper_es_99: f64,
}

impl MetricStats {
    /// The quantile with this output name (`"p05"` ...), if it is one of ours.
    pub fn quantile(&self, name: &str) -> Option<f64> {
        QUANTILE_LEVELS
            .iter()
            .position(|(n, _)| *n == name)
            .map(|i| self.quantiles[i])
    }
}

/// Mean and sample standard deviation, summed in the order given so the result does not
/// depend on how the values were computed in parallel.
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, 0.0);
    }
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (mean, (ss / (n - 1) as f64).sqrt())
}

/// Quantile of sorted values by linear interpolation between order statistics:
/// position `q (n - 1)`, as numpy's default `method="linear"`.
///
/// # Examples
/// ```
/// use dcrisk_core::stats::quantile_sorted;
/// assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
/// assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 1.0), 4.0);
/// ```
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        1 => sorted[0],
        n => {
            let h = q * (n - 1) as f64;
            let lo = (h.floor() as usize).min(n - 1);
            let hi = (lo + 1).min(n - 1);
            let frac = h - lo as f64;
            sorted[lo] + frac * (sorted[hi] - sorted[lo])
        }
    }
}

/// Mean of a slice (0 for an empty one).
fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// Mean of the sorted values at or below `threshold`.
pub fn lower_tail_mean(sorted: &[f64], threshold: f64) -> f64 {
    let end = sorted.partition_point(|&v| v <= threshold);
    mean(&sorted[..end.max(1).min(sorted.len())])
}

/// Mean of the sorted values at or above `threshold`.
pub fn upper_tail_mean(sorted: &[f64], threshold: f64) -> f64 {
    let start = sorted.partition_point(|&v| v < threshold);
    mean(&sorted[start.min(sorted.len().saturating_sub(1))..])
}

/// Sorts `values` in the order of [`f64::total_cmp`]: see [`sorted_total`].
pub fn sort_total(values: &mut [f64]) {
    let sorted = sorted_total(values);
    values.copy_from_slice(&sorted);
}

/// `values` sorted in the order of [`f64::total_cmp`]: the same result, bit for bit, as
/// `sort_unstable_by(f64::total_cmp)`, by a radix sort of order-preserving bit keys. Runs
/// sort every metric's values at the end, millions of them, and a radix sort is linear in
/// the length: several times faster than comparisons there. The keys are read straight
/// from `values`, and the sorted values written over the keys' buffer, so a sort takes two
/// buffers of the length, not three (each fresh buffer is a page fault per 4 KiB).
pub fn sorted_total(values: &[f64]) -> Vec<f64> {
    /// Key bits per pass, and passes to cover all 64.
    const BITS: usize = 11;
    const PASSES: usize = 64usize.div_ceil(BITS);
    const DIGITS: usize = 1 << BITS;
    let n = values.len();
    if n < 2048 {
        let mut sorted = values.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        return sorted;
    }
    let digit = |key: u64, pass: usize| ((key >> (pass * BITS)) as usize) & (DIGITS - 1);
    let mut keys: Vec<u64> = values.iter().map(|&x| order_key(x)).collect();
    let mut counts = vec![[0usize; DIGITS]; PASSES];
    for &key in &keys {
        for (pass, count) in counts.iter_mut().enumerate() {
            count[digit(key, pass)] += 1;
        }
    }
    let mut spare = vec![0u64; n];
    for (pass, count) in counts.iter_mut().enumerate() {
        // A digit every key shares leaves the order as it is.
        if count.contains(&n) {
            continue;
        }
        let mut at = 0;
        for c in count.iter_mut() {
            (*c, at) = (at, at + *c);
        }
        for &key in &keys {
            let slot = &mut count[digit(key, pass)];
            spare[*slot] = key;
            *slot += 1;
        }
        std::mem::swap(&mut keys, &mut spare);
    }
    // In place: the keys' buffer becomes the values'.
    keys.into_iter().map(from_order_key).collect()
}

/// A `u64` whose unsigned order is [`f64::total_cmp`]'s order of `x`: the sign bit
/// flipped for positive values, every bit for negative ones.
fn order_key(x: f64) -> u64 {
    let bits = x.to_bits();
    let negative = ((bits as i64) >> 63) as u64;
    bits ^ (negative | (1 << 63))
}

/// The value of an [`order_key`].
fn from_order_key(key: u64) -> f64 {
    let bits = if key >> 63 == 1 {
        key ^ (1 << 63)
    } else {
        !key
    };
    f64::from_bits(bits)
}

/// Every statistic of summary.json for one metric.
pub fn summarize_metric(values: &[f64]) -> MetricStats {
    if values.is_empty() {
        return MetricStats::default();
    }
    let (mean, std) = mean_std(values);
    let sorted = sorted_total(values);
    let mut quantiles = [0.0; 9];
    for (slot, (_, q)) in quantiles.iter_mut().zip(QUANTILE_LEVELS) {
        *slot = quantile_sorted(&sorted, q);
    }
    MetricStats {
        mean,
        std,
        stderr: std / (values.len() as f64).sqrt(),
        min: sorted[0],
        max: sorted[sorted.len() - 1],
        quantiles,
        lower_es_05: lower_tail_mean(&sorted, quantiles[1]),
        lower_es_01: lower_tail_mean(&sorted, quantiles[0]),
        upper_es_95: upper_tail_mean(&sorted, quantiles[7]),
        upper_es_99: upper_tail_mean(&sorted, quantiles[8]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The radix sort gives `total_cmp`'s order bit for bit: both signs of zero, both
    /// infinities, NaN of both signs, subnormals, repeats, and sizes on both sides of the
    /// cut to a comparison sort.
    #[test]
    fn sort_total_matches_total_cmp() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let specials = [
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            f64::MIN_POSITIVE / 8.0,
            -f64::MIN_POSITIVE / 8.0,
            1.5,
            -1.5,
        ];
        for n in [0, 1, 100, 2047, 2048, 50_000] {
            let values: Vec<f64> = (0..n)
                .map(|i| match next() % 4 {
                    0 => specials[i % specials.len()],
                    1 => f64::from_bits(next()),
                    _ => (next() % 2001) as f64 * 1e6 - 1e9,
                })
                .collect();
            let mut expected = values.clone();
            expected.sort_unstable_by(f64::total_cmp);
            let mut got = values;
            sort_total(&mut got);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got), bits(&expected), "{n} values");
        }
    }

    #[test]
    fn hand_computed_statistics() {
        // 1..=10: mean 5.5, sample variance 55/6.
        let v: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        let s = summarize_metric(&v);
        assert_eq!(s.mean, 5.5);
        assert!((s.std - (55.0f64 / 6.0).sqrt()).abs() < 1e-12);
        assert_eq!((s.min, s.max), (1.0, 10.0));
        // numpy: np.quantile(np.arange(1, 11), 0.05) == 1.45, 0.5 -> 5.5, 0.95 -> 9.55
        assert!((s.quantile("p05").unwrap() - 1.45).abs() < 1e-12);
        assert_eq!(s.quantile("p50").unwrap(), 5.5);
        assert!((s.quantile("p95").unwrap() - 9.55).abs() < 1e-12);
        // values <= 1.45 are {1}; values >= 9.55 are {10}
        assert_eq!(s.lower_es_05, 1.0);
        assert_eq!(s.upper_es_95, 10.0);
    }

    #[test]
    fn tails_include_ties_at_the_quantile() {
        let v = [0.0, 0.0, 0.0, 0.0, 5.0];
        let s = summarize_metric(&v);
        assert_eq!(s.quantile("p05").unwrap(), 0.0);
        assert_eq!(s.lower_es_05, 0.0);
        // p95 = 4 + 0.8 * 1... position 3.8 -> 0 + 0.8 * 5 = 4.0; values >= 4 are {5}
        assert!((s.quantile("p95").unwrap() - 4.0).abs() < 1e-12);
        assert_eq!(s.upper_es_95, 5.0);
    }

    #[test]
    fn single_value() {
        let s = summarize_metric(&[3.0]);
        assert_eq!((s.mean, s.std, s.stderr), (3.0, 0.0, 0.0));
        assert_eq!(s.quantiles, [3.0; 9]);
    }
}
