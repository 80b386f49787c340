//! What a run produces: per-path metrics kept exactly, and per-month series kept as
//! fixed-memory summaries. Plain data, so the CLI and the report crate can turn it into
//! files and charts without knowing how it was simulated.

use crate::stats::{MetricStats, summarize_metric};

/// A per-path metric of MODEL.md section 5 (plus two cost components the cost-breakdown
/// chart needs). The order is the column order of `paths.csv` and `metrics.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    SavingsPv,
    ProgramCostPv,
    CloudCostPv,
    RentPv,
    PowerCostPv,
    OpexPv,
    HardwarePv,
    OverflowCostPv,
    IdleMwMonths,
    OverflowMwMonths,
    LandlordDefaults,
    TenantDefault,
    GuarantorPayoutPv,
    LandlordShortfallPv,
}

impl Metric {
    /// Every metric, in output order.
    pub const ALL: [Metric; 14] = [
        Metric::SavingsPv,
        Metric::ProgramCostPv,
        Metric::CloudCostPv,
        Metric::RentPv,
        Metric::PowerCostPv,
        Metric::OpexPv,
        Metric::HardwarePv,
        Metric::OverflowCostPv,
        Metric::IdleMwMonths,
        Metric::OverflowMwMonths,
        Metric::LandlordDefaults,
        Metric::TenantDefault,
        Metric::GuarantorPayoutPv,
        Metric::LandlordShortfallPv,
    ];

    /// The metric's name in summary.json, metrics.csv and paths.csv.
    pub fn name(self) -> &'static str {
        match self {
            Metric::SavingsPv => "savings_pv",
            Metric::ProgramCostPv => "program_cost_pv",
            Metric::CloudCostPv => "cloud_cost_pv",
            Metric::RentPv => "rent_pv",
            Metric::PowerCostPv => "power_cost_pv",
            Metric::OpexPv => "opex_pv",
            Metric::HardwarePv => "hardware_pv",
            Metric::OverflowCostPv => "overflow_cost_pv",
            Metric::IdleMwMonths => "idle_mw_months",
            Metric::OverflowMwMonths => "overflow_mw_months",
            Metric::LandlordDefaults => "landlord_defaults",
            Metric::TenantDefault => "tenant_default",
            Metric::GuarantorPayoutPv => "guarantor_payout_pv",
            Metric::LandlordShortfallPv => "landlord_shortfall_pv",
        }
    }

    /// Looks a metric up by its output name.
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Column index in [`PathMetrics`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Per-path control variates: quantities with closed-form expectations, strongly
/// correlated with the money metrics (MODEL.md has them in closed form: GBM demand and
/// cloud price). Not outputs; they only sharpen the estimates of means.
pub const CONTROL_NAMES: [&str; 3] = ["cloud_demand_pv", "demand_pv", "cloud_price_pv"];

/// Per-path values, rows in global path-index order: one column per [`Metric`], then one
/// per control variate ([`CONTROL_NAMES`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PathMetrics {
    pub columns: Vec<Vec<f64>>,
}

impl PathMetrics {
    /// Number of columns: metrics, then controls.
    pub const COLUMNS: usize = Metric::ALL.len() + CONTROL_NAMES.len();

    /// Empty columns with room for `paths` rows.
    pub fn with_capacity(paths: usize) -> Self {
        PathMetrics {
            columns: (0..Self::COLUMNS)
                .map(|_| Vec::with_capacity(paths))
                .collect(),
        }
    }

    /// Columns of `paths` zeros, to be written in place.
    pub fn zeroed(paths: usize) -> Self {
        PathMetrics {
            // Each column allocated zeroed (not cloned), so its pages are first touched by
            // the threads that write them.
            columns: (0..Self::COLUMNS).map(|_| vec![0.0; paths]).collect(),
        }
    }

    /// The per-path values of the control variates.
    pub fn controls(&self) -> &[Vec<f64>] {
        &self.columns[Metric::ALL.len()..]
    }

    /// The values of one metric, in path order.
    pub fn get(&self, metric: Metric) -> &[f64] {
        &self.columns[metric.index()]
    }

    /// Number of paths.
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

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
    /// Closed-form expectations of the control variates ([`CONTROL_NAMES`] order).
    pub control_expectations: Vec<f64>,
    /// How a run to a stated precision stopped, when it was one.
    pub convergence: Option<Convergence>,
    /// Per-metric summaries of a run that kept no per-path values (`--sketch`).
    pub summaries: Option<crate::engine::summaries::MetricSummaries>,
}

/// Variance-reduction techniques of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Techniques {
    /// Paths in antithetic pairs; standard errors from pair means.
    pub antithetic: bool,
    /// Means adjusted by control variates with coefficients estimated from the run.
    pub control_variates: bool,
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
    pub fn estimate(&self, metric: Metric) -> crate::estimate::Estimate {
        if self.summaries.is_some() {
            let s = self.metric_stat(metric);
            return crate::estimate::Estimate {
                mean: s.mean,
                stderr: s.stderr,
                variance_reduction: 1.0,
            };
        }
        crate::estimate::estimate(self.metrics.get(metric), self, self.techniques)
    }

    /// The series with this output name, if any.
    pub fn series(&self, name: &str) -> Option<&SeriesSummary> {
        self.series.iter().find(|s| s.name == name)
    }

    /// Statistics of every metric, in [`Metric::ALL`] order.
    pub fn metric_stats(&self) -> Vec<(Metric, MetricStats)> {
        // Each metric on its own (a sort each), in parallel: the same numbers whatever the
        // thread count.
        use rayon::prelude::*;
        Metric::ALL
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
        }
    }
}

/// Shares of paths, as in summary.json's `probabilities`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Probabilities {
    pub savings_negative: f64,
    pub tenant_default: f64,
    pub any_landlord_default: f64,
}
