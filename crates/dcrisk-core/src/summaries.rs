//! Per-metric summaries for runs too large to keep per-path values (`--sketch`): exact
//! counts, sums and sums of squares (so means and standard deviations are exact up to the
//! final rounding, and merge bit for bit), exact min and max, and quantiles and tail means
//! from a mergeable summary with at most 0.1% relative error.

use crate::kernels::exact::ExactSum;
use crate::kernels::sketch::{Precision, QuantileSketch};
use crate::metrics::{COLUMNS, METRICS};
use crate::metrics::{Metric, Probabilities};
use crate::stats::{MetricStats, QUANTILE_LEVELS};

/// One metric's summary.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricSummary {
    pub sum: ExactSum,
    pub sum_sq: ExactSum,
    pub sketch: QuantileSketch,
}

/// Summaries of every metric column ([`Metric::EVERY`] order).
#[derive(Clone, Debug, PartialEq)]
pub struct MetricSummaries {
    pub metrics: Vec<MetricSummary>,
}

impl Default for MetricSummaries {
    fn default() -> Self {
        let one = MetricSummary {
            sum: ExactSum::default(),
            sum_sq: ExactSum::default(),
            sketch: QuantileSketch::new(Precision::FINE),
        };
        MetricSummaries {
            metrics: vec![one; METRICS],
        }
    }
}

impl MetricSummaries {
    /// Adds a chunk of paths' rows.
    pub fn add_rows(&mut self, rows: &[[f64; COLUMNS]]) {
        let mut column = Vec::with_capacity(rows.len());
        for (m, summary) in self.metrics.iter_mut().enumerate() {
            column.clear();
            column.extend(rows.iter().map(|r| r[m]));
            for &v in &column {
                summary.sum.add(v);
                summary.sum_sq.add(v * v);
            }
            summary.sketch.add_batch(&column);
        }
    }

    /// Adds another set of summaries (exact, order-free).
    pub fn merge(&mut self, other: &MetricSummaries) {
        for (a, b) in self.metrics.iter_mut().zip(&other.metrics) {
            a.sum.merge(&b.sum);
            a.sum_sq.merge(&b.sum_sq);
            a.sketch.merge(&b.sketch);
        }
    }

    /// Number of paths summarised.
    pub fn count(&self) -> u64 {
        self.metrics.first().map_or(0, |m| m.sketch.count())
    }

    /// The statistics of summary.json for one metric.
    pub fn stats(&self, metric: Metric) -> MetricStats {
        let s = &self.metrics[metric.index()];
        let n = s.sketch.count();
        if n == 0 {
            return MetricStats::default();
        }
        let (sum, sum_sq) = (s.sum.value(), s.sum_sq.value());
        // The exact sums hold values below 2^149 and totals below 2^158: past that, a
        // value would be dropped or a total wrap, so the figure is reported as NaN (and a
        // run refuses to publish it) rather than silently wrong.
        let big = s.sketch.min().abs().max(s.sketch.max().abs());
        let mean = match exact_reach(big, n) {
            true => sum / n as f64,
            false => f64::NAN,
        };
        let var = if !exact_reach(big * big, n) {
            f64::NAN
        } else if n > 1 {
            ((sum_sq - sum * mean) / (n - 1) as f64).max(0.0)
        } else {
            0.0
        };
        let std = var.sqrt();
        let levels: Vec<f64> = QUANTILE_LEVELS.iter().map(|&(_, q)| q).collect();
        let mut quantiles = [0.0; 9];
        quantiles.copy_from_slice(&s.sketch.quantiles(&levels));
        MetricStats {
            mean,
            std,
            stderr: std / (n as f64).sqrt(),
            min: s.sketch.min(),
            max: s.sketch.max(),
            quantiles,
            lower_es_05: s.sketch.lower_tail_mean(quantiles[1]),
            lower_es_01: s.sketch.lower_tail_mean(quantiles[0]),
            upper_es_95: s.sketch.upper_tail_mean(quantiles[7]),
            upper_es_99: s.sketch.upper_tail_mean(quantiles[8]),
        }
    }

    /// The headline probabilities, exact (counts of signs).
    pub fn probabilities(&self) -> Probabilities {
        let n = self.count().max(1) as f64;
        let sk = |m: Metric| &self.metrics[m.index()].sketch;
        Probabilities {
            savings_negative: sk(Metric::SavingsPv).count_negative() as f64 / n,
            tenant_default: sk(Metric::TenantDefault).count_positive() as f64 / n,
            any_landlord_default: sk(Metric::LandlordDefaults).count_positive() as f64 / n,
            guarantee_fails: sk(Metric::GuaranteeFails).count_positive() as f64 / n,
        }
    }

    /// Appends the summaries to a partial result.
    pub fn encode(&self, w: &mut crate::kernels::codec::Writer) {
        for m in &self.metrics {
            for s in [&m.sum, &m.sum_sq] {
                for word in s.to_words() {
                    w.u64(word);
                }
            }
            m.sketch.encode(w);
        }
    }

    /// Reads summaries written by [`MetricSummaries::encode`], of at most `max_count`
    /// paths.
    pub fn decode(
        r: &mut crate::kernels::codec::Reader<'_>,
        max_count: u64,
    ) -> crate::kernels::codec::DecodeResult<Self> {
        let mut metrics = Vec::with_capacity(METRICS);
        for _ in 0..METRICS {
            let mut exact = || -> crate::kernels::codec::DecodeResult<ExactSum> {
                let mut words = [0u64; 5];
                for w in &mut words {
                    *w = r.u64()?;
                }
                Ok(ExactSum::from_words(words))
            };
            let (sum, sum_sq) = (exact()?, exact()?);
            metrics.push(MetricSummary {
                sum,
                sum_sq,
                sketch: QuantileSketch::decode(r, Precision::FINE, max_count)?,
            });
        }
        Ok(MetricSummaries { metrics })
    }
}

/// Whether `n` values of magnitude at most `big` sum exactly in an [`ExactSum`].
fn exact_reach(big: f64, n: u64) -> bool {
    big < 2f64.powi(149) && big * (n as f64) < 2f64.powi(158)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::summarize_metric;

    /// Figures beyond what the exact sums hold come out as NaN, never as silently wrong
    /// numbers: a single value past 2^149, and squares past it (the standard deviation).
    #[test]
    fn figures_past_the_exact_sums_reach_are_nan() {
        let row = |v: f64| {
            let mut r = [0.0; COLUMNS];
            r[Metric::SavingsPv.index()] = v;
            r[Metric::RentPv.index()] = 1e30;
            r
        };
        let mut s = MetricSummaries::default();
        s.add_rows(&[row(1e46), row(2e46)]);
        assert!(s.stats(Metric::SavingsPv).mean.is_nan());
        assert!(s.stats(Metric::SavingsPv).std.is_nan());
        // 1e30 sums exactly, but its square (1e60) does not fit.
        let rent = s.stats(Metric::RentPv);
        assert_eq!(rent.mean, 1e30);
        assert!(rent.std.is_nan());
        // Ordinary figures are untouched.
        let mut ok = MetricSummaries::default();
        ok.add_rows(&[row(1e12), row(3e12)]);
        assert_eq!(ok.stats(Metric::SavingsPv).mean, 2e12);
    }

    /// Against the exact statistics of the same values: moments to rounding, quantiles and
    /// tails within 0.1%, probabilities exact.
    #[test]
    fn summaries_match_exact_statistics() {
        let n = 20_000;
        let rows: Vec<[f64; COLUMNS]> = (0..n)
            .map(|i| {
                let u = (i as f64 + 0.5) / n as f64;
                let mut r = [0.0; COLUMNS];
                r[Metric::SavingsPv.index()] = 1e10 * (u * 7.0).sin() + 3e9;
                r[Metric::TenantDefault.index()] = f64::from(u8::from(i % 7 == 0));
                r[Metric::LandlordDefaults.index()] = (i % 4) as f64;
                r
            })
            .collect();
        let mut s = MetricSummaries::default();
        for chunk in rows.chunks(1000) {
            s.add_rows(chunk);
        }
        let values: Vec<f64> = rows.iter().map(|r| r[0]).collect();
        let exact = summarize_metric(&values);
        let got = s.stats(Metric::SavingsPv);
        assert!((got.mean - exact.mean).abs() <= 1e-9 * exact.std);
        assert!((got.std - exact.std).abs() <= 1e-9 * exact.std);
        assert_eq!((got.min, got.max), (exact.min, exact.max));
        for (g, e) in got.quantiles.iter().zip(exact.quantiles) {
            assert!(
                (g - e).abs() <= 1e-3 * e.abs() + 1e-3 * exact.std * 1e-3,
                "{g} vs {e}"
            );
        }
        assert!((got.lower_es_05 - exact.lower_es_05).abs() <= 2e-3 * exact.lower_es_05.abs());
        let p = s.probabilities();
        let neg = values.iter().filter(|&&v| v < 0.0).count() as f64 / n as f64;
        assert_eq!(p.savings_negative, neg);
        assert_eq!(
            p.tenant_default,
            (0..n).filter(|i| i % 7 == 0).count() as f64 / n as f64
        );
        assert_eq!(p.any_landlord_default, 0.75);
    }
}
