//! What a goal seek aims at: one statistic of a run, as summary.json names it
//! (`savings_pv.mean`, `savings_pv.p05`, `savings_pv.lower_es_05`,
//! `probabilities.savings_negative`), read from a run with its standard error.

use crate::metrics::{Metric, Techniques};
use crate::results::RunResults;
use crate::stats::{MetricStats, QUANTILE_LEVELS, Z95, summarize_metric};

/// Batches of paths whose statistics give the standard error of a quantile or a tail
/// mean (docs/MODEL.md "Decisions": batch means).
pub const BATCHES: usize = 20;
/// Fewest paths in a batch: a quantile of fewer values says little.
pub const MIN_BATCH_PATHS: u64 = 20;
/// `t` quantile at 97.5% with `BATCHES - 1` = 19 degrees of freedom: the 95% multiplier
/// of a standard error from [`BATCHES`] batch values.
pub const T95_BATCHES: f64 = 2.093_024_054_408_263;

/// A statistic of one metric, or a headline probability.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Statistic {
    /// The mean (the run's estimate: the plain mean, or the variance-reduced one).
    Mean(Metric),
    /// A quantile, by its index in [`QUANTILE_LEVELS`].
    Quantile(Metric, usize),
    /// A tail mean: `lower_es_05`, `lower_es_01`, `upper_es_95`, `upper_es_99`.
    Tail(Metric, Tail),
    /// A probability of summary.json's `probabilities`.
    Probability(Probability),
}

/// The tail means of summary.json's `tail`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tail {
    LowerEs05,
    LowerEs01,
    UpperEs95,
    UpperEs99,
}

const TAILS: [(&str, Tail); 4] = [
    ("lower_es_05", Tail::LowerEs05),
    ("lower_es_01", Tail::LowerEs01),
    ("upper_es_95", Tail::UpperEs95),
    ("upper_es_99", Tail::UpperEs99),
];

/// The probabilities of summary.json, each the share of paths where its event happens.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Probability {
    SavingsNegative,
    TenantDefault,
    AnyLandlordDefault,
    /// The tenant defaults in the horizon after the guarantor has (docs/MODEL.md 8.5).
    GuaranteeFails,
}

const PROBABILITIES: [(&str, Probability); 4] = [
    ("savings_negative", Probability::SavingsNegative),
    ("tenant_default", Probability::TenantDefault),
    ("any_landlord_default", Probability::AnyLandlordDefault),
    ("guarantee_fails", Probability::GuaranteeFails),
];

impl Probability {
    /// The metric whose values decide the event, and the event.
    fn event(self) -> (Metric, fn(f64) -> bool) {
        match self {
            Probability::SavingsNegative => (Metric::SavingsPv, |v| v < 0.0),
            Probability::TenantDefault => (Metric::TenantDefault, |v| v > 0.0),
            Probability::AnyLandlordDefault => (Metric::LandlordDefaults, |v| v > 0.0),
            Probability::GuaranteeFails => (Metric::GuaranteeFails, |v| v > 0.0),
        }
    }
}

/// A statistic's value in one run, with its standard error and the multiplier of a 95%
/// interval from it (normal for means and probabilities, `t` with 19 degrees of freedom
/// for batch standard errors).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    pub value: f64,
    pub stderr: f64,
    pub multiplier: f64,
}

/// A target: a statistic and the value it should take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Goal {
    pub statistic: Statistic,
    pub value: f64,
}

impl Goal {
    /// `METRIC.STAT=VALUE` or `probabilities.NAME=VALUE`; a probability may be written as a
    /// percentage (`10%`).
    ///
    /// # Examples
    /// ```
    /// use dcrisk_core::decide::{Goal, Statistic};
    /// use dcrisk_core::Metric;
    /// let g = Goal::parse("savings_pv.mean=0").unwrap();
    /// assert_eq!(g.statistic, Statistic::Mean(Metric::SavingsPv));
    /// assert_eq!(Goal::parse("probabilities.savings_negative=10%").unwrap().value, 0.1);
    /// assert!(Goal::parse("savings_pv.p07=0").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Goal, String> {
        let (name, value) = text
            .split_once('=')
            .ok_or_else(|| format!("expected METRIC.STAT=VALUE, got {text:?}"))?;
        let statistic = Statistic::parse(name.trim())?;
        let value = value.trim();
        let number = match value.strip_suffix('%') {
            Some(pct) if matches!(statistic, Statistic::Probability(_)) => {
                pct.trim().parse::<f64>().map(|x| x / 100.0)
            }
            _ => value.parse::<f64>(),
        };
        match number {
            Ok(x) if x.is_finite() => Ok(Goal {
                statistic,
                value: x,
            }),
            _ => Err(format!(
                "the target value must be a finite number, got {value:?}"
            )),
        }
    }

    /// `savings_pv.mean=0` as the user would write it.
    pub fn text(&self) -> String {
        format!("{}={}", self.statistic.name(), self.value)
    }
}

impl Statistic {
    /// A statistic by its summary.json name; the error lists what exists.
    pub fn parse(name: &str) -> Result<Statistic, String> {
        let (head, stat) = name
            .split_once('.')
            .ok_or_else(|| format!("expected METRIC.STAT or probabilities.NAME, got {name:?}"))?;
        if head == "probabilities" {
            return PROBABILITIES
                .iter()
                .find(|(n, _)| *n == stat)
                .map(|&(_, p)| Statistic::Probability(p))
                .ok_or_else(|| {
                    let names: Vec<&str> = PROBABILITIES.iter().map(|(n, _)| *n).collect();
                    format!(
                        "no probability {stat:?}; probabilities: {}",
                        names.join(", ")
                    )
                });
        }
        let metric = Metric::from_name(head).ok_or_else(|| {
            let names: Vec<&str> = Metric::OUTPUT.iter().map(|m| m.name()).collect();
            format!(
                "unknown metric {head:?}; metrics: {}, or probabilities.NAME",
                names.join(", ")
            )
        })?;
        if stat == "mean" {
            return Ok(Statistic::Mean(metric));
        }
        if let Some(i) = QUANTILE_LEVELS.iter().position(|(n, _)| *n == stat) {
            return Ok(Statistic::Quantile(metric, i));
        }
        if let Some(&(_, t)) = TAILS.iter().find(|(n, _)| *n == stat) {
            return Ok(Statistic::Tail(metric, t));
        }
        let quantiles: Vec<&str> = QUANTILE_LEVELS.iter().map(|(n, _)| *n).collect();
        let tails: Vec<&str> = TAILS.iter().map(|(n, _)| *n).collect();
        Err(format!(
            "no statistic {stat:?}; statistics: mean, {}, {}",
            quantiles.join(", "),
            tails.join(", ")
        ))
    }

    /// The summary.json name, `savings_pv.p05` or `probabilities.savings_negative`.
    pub fn name(&self) -> String {
        match *self {
            Statistic::Mean(m) => format!("{}.mean", m.name()),
            Statistic::Quantile(m, i) => format!("{}.{}", m.name(), QUANTILE_LEVELS[i].0),
            Statistic::Tail(m, t) => {
                let name = TAILS.iter().find(|(_, x)| *x == t).map_or("", |(n, _)| n);
                format!("{}.{name}", m.name())
            }
            Statistic::Probability(p) => {
                let name = PROBABILITIES
                    .iter()
                    .find(|(_, x)| *x == p)
                    .map_or("", |(n, _)| n);
                format!("probabilities.{name}")
            }
        }
    }

    /// The multiplier of the statistic's 95% interval: the normal one for means and
    /// probabilities, `t` with 19 degrees of freedom for batch standard errors.
    pub fn multiplier(&self) -> f64 {
        if self.needs_batches() {
            T95_BATCHES
        } else {
            Z95
        }
    }

    /// Whether the statistic needs batches of paths for its standard error (quantiles and
    /// tail means), so a run needs `BATCHES * MIN_BATCH_PATHS` paths at least.
    pub fn needs_batches(&self) -> bool {
        matches!(self, Statistic::Quantile(..) | Statistic::Tail(..))
    }

    /// The statistic in run `r`, as summary.json gives it, with its standard error:
    /// - a mean: the run's estimate and its standard error (pair means under
    ///   `--antithetic`, the regression's under `--control-variates`);
    /// - a probability: the share of paths, standard error `sqrt(p (1 - p) / (n - 1))`
    ///   (the sample standard deviation of the 0/1 events over `sqrt(n)`; over pairs
    ///   under `--antithetic`);
    /// - a quantile or a tail mean: standard error from [`BATCHES`] batches of
    ///   consecutive paths (pairs kept together), each batch's statistic computed apart:
    ///   the standard deviation of the batch values over `sqrt(BATCHES)`.
    pub fn read(&self, r: &RunResults) -> Reading {
        let normal = |value: f64, stderr: f64| Reading {
            value,
            stderr,
            multiplier: self.multiplier(),
        };
        match *self {
            Statistic::Mean(m) => {
                let e = r.estimate(m);
                normal(e.mean, e.stderr)
            }
            Statistic::Probability(p) => {
                let (metric, event) = p.event();
                let flags: Vec<f64> = r
                    .metrics
                    .get(metric)
                    .iter()
                    .map(|&v| if event(v) { 1.0 } else { 0.0 })
                    .collect();
                let pairs = Techniques {
                    antithetic: r.techniques.antithetic,
                    control_variates: false,
                };
                let e = r.estimate_values_with(&flags, pairs);
                let probabilities = r.probabilities();
                let value = match p {
                    Probability::SavingsNegative => probabilities.savings_negative,
                    Probability::TenantDefault => probabilities.tenant_default,
                    Probability::AnyLandlordDefault => probabilities.any_landlord_default,
                    Probability::GuaranteeFails => probabilities.guarantee_fails,
                };
                normal(value, e.stderr)
            }
            Statistic::Quantile(m, _) | Statistic::Tail(m, _) => {
                let pick = |s: &MetricStats| self.of_stats(s);
                Reading {
                    value: pick(&r.metric_stat(m)),
                    stderr: batch_stderr(r.metrics.get(m), pick),
                    multiplier: self.multiplier(),
                }
            }
        }
    }

    /// The quantile or tail mean of a metric's statistics (the mean for the others).
    fn of_stats(&self, s: &MetricStats) -> f64 {
        match *self {
            Statistic::Quantile(_, i) => s.quantiles[i],
            Statistic::Tail(_, Tail::LowerEs05) => s.lower_es_05,
            Statistic::Tail(_, Tail::LowerEs01) => s.lower_es_01,
            Statistic::Tail(_, Tail::UpperEs95) => s.upper_es_95,
            Statistic::Tail(_, Tail::UpperEs99) => s.upper_es_99,
            _ => s.mean,
        }
    }
}

/// The standard error of a statistic of `values` from [`BATCHES`] batches of consecutive
/// values: each batch an even number of values (so antithetic pairs stay together), the
/// last one taking the rest.
fn batch_stderr(values: &[f64], pick: impl Fn(&MetricStats) -> f64) -> f64 {
    let size = (values.len() / BATCHES) & !1;
    if size < 2 {
        return f64::NAN;
    }
    let batch_values: Vec<f64> = (0..BATCHES)
        .map(|b| {
            let end = if b + 1 == BATCHES {
                values.len()
            } else {
                (b + 1) * size
            };
            pick(&summarize_metric(&values[b * size..end]))
        })
        .collect();
    let (_, sd) = crate::stats::mean_std(&batch_values);
    sd / (BATCHES as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every statistic's name parses back to itself.
    #[test]
    fn names_round_trip() {
        for text in [
            "savings_pv.mean",
            "savings_pv.p01",
            "program_cost_pv.p99",
            "savings_pv.lower_es_05",
            "guarantor_payout_pv.upper_es_99",
            "probabilities.savings_negative",
            "probabilities.any_landlord_default",
            "probabilities.guarantee_fails",
            "break_fees_pv.mean",
            "signed_capacity_mw.p05",
        ] {
            assert_eq!(Statistic::parse(text).unwrap().name(), text);
        }
        for (bad, why) in [
            ("savings", "expected METRIC.STAT"),
            ("nope.mean", "unknown metric \"nope\""),
            ("savings_pv.p07", "statistics: mean, p01"),
            ("probabilities.x", "probabilities: savings_negative"),
        ] {
            let e = Statistic::parse(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
        assert!(Goal::parse("savings_pv.mean=nan").is_err());
        assert!(Goal::parse("savings_pv.mean=5%").is_err());
        assert_eq!(Goal::parse("savings_pv.p05 = -1e9").unwrap().value, -1e9);
    }

    /// Batch standard errors of a mean agree with the plain one to within the noise of 20
    /// batches (a sd estimated from 19 degrees of freedom is within ±50% nearly always).
    #[test]
    fn batch_stderr_of_a_mean_matches_the_plain_one() {
        // SplitMix64's output, as uniform values in [0, 1000).
        let values: Vec<f64> = (1..=10_000u64)
            .map(|i| {
                let mut z = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 * 1000.0
            })
            .collect();
        let plain = crate::stats::mean_std(&values).1 / 100.0;
        let batched = batch_stderr(&values, |s| s.mean);
        assert!((batched / plain - 1.0).abs() < 0.5, "{batched} vs {plain}");
    }
}
