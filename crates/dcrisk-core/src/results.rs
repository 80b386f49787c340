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

/// Per-path metric values, one column per [`Metric`], rows in global path-index order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PathMetrics {
    pub columns: Vec<Vec<f64>>,
}

impl PathMetrics {
    /// Empty columns with room for `paths` rows.
    pub fn with_capacity(paths: usize) -> Self {
        PathMetrics {
            columns: Metric::ALL
                .iter()
                .map(|_| Vec::with_capacity(paths))
                .collect(),
        }
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
}

impl RunResults {
    /// The series with this output name, if any.
    pub fn series(&self, name: &str) -> Option<&SeriesSummary> {
        self.series.iter().find(|s| s.name == name)
    }

    /// Statistics of every metric, in [`Metric::ALL`] order.
    pub fn metric_stats(&self) -> Vec<(Metric, MetricStats)> {
        Metric::ALL
            .iter()
            .map(|&m| (m, summarize_metric(self.metrics.get(m))))
            .collect()
    }

    /// The headline probabilities of summary.json.
    pub fn probabilities(&self) -> Probabilities {
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
