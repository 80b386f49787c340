//! What a run produces: per-path metrics kept exactly, and per-month series kept as
//! fixed-memory summaries. Plain data, so the CLI and the report crate can turn it into
//! files and charts without knowing how it was simulated.

use crate::estimate::{Estimate, estimate_with};
use crate::metrics::{Metric, PathMetrics, Probabilities, Techniques};
use crate::stats::{MetricStats, summarize_metric};
use crate::summaries::MetricSummaries;

/// What a per-month series measures, so charts can pick units and axes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SeriesKind {
    /// Spot power price of a region, $/MWh.
    PowerPrice { region: String },
    /// Tenant demand, MW of IT load.
    DemandMw,
    /// Available (delivered, not in outage) capacity, MW.
    CapacityMw,
    /// Tenant program cost in the month, month-t dollars (0 after tenant default).
    ProgramCost,
    /// All-cloud counterfactual cost in the month, month-t dollars (0 after tenant default).
    CloudCost,
    /// Guarantor exposure `min(cap, G(t))`, month-t dollars.
    GuarantorExposure,
}

/// One month of a series: the exact mean and quantiles from the fixed-memory summary.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MonthStats {
    pub mean: f64,
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    pub p99: f64,
}

/// A per-month series over the horizon (`months.len() == horizon_months`).
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesSummary {
    /// Name in timeseries.csv, e.g. `power_price.ERCOT` or `demand_mw`.
    pub name: String,
    pub kind: SeriesKind,
    pub months: Vec<MonthStats>,
}

/// One landlord's outcomes over a run (`landlords.csv`, docs/MODEL.md 4.1).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LandlordOutcome {
    pub name: String,
    /// Its `annual_pd` in the scenario.
    pub annual_pd: f64,
    /// Share of paths on which it defaults inside the horizon.
    pub default_probability: f64,
    /// Share of paths on which it recovers all the rent it is owed (from the tenant or the
    /// guarantor).
    pub paid_in_full_probability: f64,
    /// Mean of its shortfall, present value (its part of `landlord_shortfall_pv`).
    pub shortfall_pv_mean: f64,
    /// 95th percentile of its shortfall (within 0.1%, from a quantile summary).
    pub shortfall_pv_p95: f64,
}

/// The parties' outcomes: each landlord's, and the tenant's default curve.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PartyResults {
    /// The tenant's `annual_pd` in the scenario.
    pub tenant_annual_pd: f64,
    /// `P(tau <= t)` for each month `t` of the horizon: the tenant's cumulative default
    /// probability by the end of month `t`.
    pub tenant_default_curve: Vec<f64>,
    pub landlords: Vec<LandlordOutcome>,
}

/// Everything one run produces.
#[derive(Clone, Debug, PartialEq)]
pub struct RunResults {
    pub scenario: String,
    pub paths: u64,
    pub seed: u64,
    pub horizon_months: usize,
    /// Calendar month (1..=12) of step 0, for chart axes.
    pub start_month: u32,
    pub metrics: PathMetrics,
    pub series: Vec<SeriesSummary>,
    /// Variance reduction in effect.
    pub techniques: Techniques,
    /// Closed-form expectations of the control variates ([`crate::metrics::CONTROL_NAMES`] order).
    pub control_expectations: Vec<f64>,
    /// How a run to a stated precision stopped, when it was one.
    pub convergence: Option<Convergence>,
    /// Per-metric summaries of a run that kept no per-path values (`--sketch`).
    pub summaries: Option<MetricSummaries>,
    /// Each landlord's outcomes and the tenant's default curve.
    pub parties: PartyResults,
}

/// The outcome of a run to a stated precision (summary.json's `convergence`).
#[derive(Clone, Debug, PartialEq)]
pub struct Convergence {
    pub target: Metric,
    pub paths_used: u64,
    /// 95% confidence half-width of the target's mean.
    pub half_width: f64,
    pub relative_half_width: f64,
    /// Whether the bound was met within the path budget.
    pub met: bool,
}

impl RunResults {
    /// The mean of a metric with its honest standard error, under the run's techniques.
    pub fn estimate(&self, metric: Metric) -> Estimate {
        if self.summaries.is_some() {
            let s = self.metric_stat(metric);
            return Estimate {
                mean: s.mean,
                stderr: s.stderr,
                variance_reduction: 1.0,
            };
        }
        self.estimate_values(self.metrics.get(metric))
    }

    /// The estimate of the mean of `values` (one per path of this run, e.g. a metric's
    /// column) under the run's techniques, with its control variates.
    pub fn estimate_values(&self, values: &[f64]) -> Estimate {
        self.estimate_values_with(values, self.techniques)
    }

    /// As [`Self::estimate_values`], under `techniques` (a subset of the run's: e.g. the
    /// antithetic pairs alone, for an honest plain standard error).
    pub fn estimate_values_with(&self, values: &[f64], techniques: Techniques) -> Estimate {
        estimate_with(
            values,
            self.metrics.controls(),
            &self.control_expectations,
            techniques,
        )
    }

    /// The series with this output name, if any.
    pub fn series(&self, name: &str) -> Option<&SeriesSummary> {
        self.series.iter().find(|s| s.name == name)
    }

    /// Statistics of every output metric, in [`Metric::OUTPUT`] order.
    pub fn metric_stats(&self) -> Vec<(Metric, MetricStats)> {
        // Each metric on its own (a sort each), in parallel: the same numbers whatever the
        // thread count.
        use rayon::prelude::*;
        Metric::OUTPUT
            .par_iter()
            .map(|&m| (m, self.metric_stat(m)))
            .collect()
    }

    /// Statistics of one metric: exact from per-path values, or from the summaries of a
    /// run that kept none.
    pub fn metric_stat(&self, metric: Metric) -> MetricStats {
        match &self.summaries {
            Some(s) => s.stats(metric),
            None => summarize_metric(self.metrics.get(metric)),
        }
    }

    /// The fair guarantee fee of docs/MODEL.md section 10, in basis points a year on the
    /// cap: `12 E[payout_pv] / (cap E[sum_{t < min(tau_T, T)} df(t)])`, 0 when the cap
    /// (and so the fee's base) is 0.
    pub fn fair_fee_bps(&self) -> f64 {
        let base = self.plain_mean(Metric::FeeBasePv);
        if base > 0.0 {
            1e4 * self.plain_mean(Metric::GuarantorPayoutPv) / base
        } else {
            0.0
        }
    }

    /// The sample mean of a per-path column (from the summaries in a `--sketch` run).
    fn plain_mean(&self, metric: Metric) -> f64 {
        match &self.summaries {
            Some(s) => s.stats(metric).mean,
            None => {
                let v = self.metrics.get(metric);
                v.iter().sum::<f64>() / v.len().max(1) as f64
            }
        }
    }

    /// The headline probabilities of summary.json.
    pub fn probabilities(&self) -> Probabilities {
        if let Some(s) = &self.summaries {
            return s.probabilities();
        }
        let n = self.metrics.len().max(1) as f64;
        let share = |metric: Metric, pred: fn(f64) -> bool| {
            self.metrics
                .get(metric)
                .iter()
                .filter(|&&v| pred(v))
                .count() as f64
                / n
        };
        Probabilities {
            savings_negative: share(Metric::SavingsPv, |v| v < 0.0),
            tenant_default: share(Metric::TenantDefault, |v| v > 0.0),
            any_landlord_default: share(Metric::LandlordDefaults, |v| v > 0.0),
            guarantee_fails: share(Metric::GuaranteeFails, |v| v > 0.0),
        }
    }
}
