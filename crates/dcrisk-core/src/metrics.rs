//! The per-path metrics (docs/MODEL.md section 5) and how a run's paths are drawn:
//! the metric names, the per-path columns, the variance-reduction techniques and the
//! headline probabilities. Plain types that the engine, the statistics and the results
//! all share.

/// A per-path metric of docs/MODEL.md section 5 (plus two cost components the cost-breakdown
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
    BreakFeesPv,
    SignedCapacityMw,
    GuaranteeFails,
    FeeBasePv,
    OwedPayoutPv,
}

impl Metric {
    /// The v1 metrics of docs/MODEL.md section 5 (and the two cost components), in output
    /// order: the set whose statistics are pinned bit for bit.
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

    /// The contract metrics of docs/MODEL.md section 8, output after [`Metric::ALL`]'s.
    pub const CONTRACTS: [Metric; 2] = [Metric::BreakFeesPv, Metric::SignedCapacityMw];

    /// Every output metric (summary.json, metrics.csv, paths.csv): [`Metric::ALL`] then
    /// [`Metric::CONTRACTS`].
    pub const OUTPUT: [Metric; 16] = {
        let mut out = [Metric::SavingsPv; 16];
        let mut i = 0;
        while i < 16 {
            out[i] = if i < 14 {
                Metric::ALL[i]
            } else {
                Metric::CONTRACTS[i - 14]
            };
            i += 1;
        }
        out
    };

    /// Every per-path column that is not a control variate, in column order: the output
    /// metrics, then two the run only needs in aggregate: `guarantee_fails` (1 on a path
    /// where the tenant defaults and the guarantor had defaulted first; summary.json's
    /// probability) and `fee_base_pv` (`cap sum_{t < min(tau_T, T)} df(t) / 12`, the
    /// present value of a fee of 100% a year on the guarantee's cap, paid monthly while the
    /// tenant is alive: the fair fee of docs/MODEL.md section 10 is `E[payout_pv] /
    /// E[fee_base_pv]`); and `owed_payout_pv`, what the guarantee owed (the payout had
    /// the guarantor not failed: the charts compare the two).
    pub const EVERY: [Metric; 19] = {
        let mut out = [Metric::SavingsPv; 19];
        let mut i = 0;
        while i < 16 {
            out[i] = Metric::OUTPUT[i];
            i += 1;
        }
        out[16] = Metric::GuaranteeFails;
        out[17] = Metric::FeeBasePv;
        out[18] = Metric::OwedPayoutPv;
        out
    };

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
            Metric::BreakFeesPv => "break_fees_pv",
            Metric::SignedCapacityMw => "signed_capacity_mw",
            Metric::GuaranteeFails => "guarantee_fails",
            Metric::FeeBasePv => "fee_base_pv",
            Metric::OwedPayoutPv => "owed_payout_pv",
        }
    }

    /// Looks an output metric up by its name.
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::OUTPUT.into_iter().find(|m| m.name() == name)
    }

    /// Column index in [`PathMetrics`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Per-path control variates: quantities with closed-form expectations, strongly
/// correlated with the money metrics (docs/MODEL.md has them in closed form: GBM demand and
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
    pub const COLUMNS: usize = Metric::EVERY.len() + CONTROL_NAMES.len();

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
        &self.columns[Metric::EVERY.len()..]
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

/// Variance-reduction techniques of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Techniques {
    /// Paths in antithetic pairs; standard errors from pair means.
    pub antithetic: bool,
    /// Means adjusted by control variates with coefficients estimated from the run.
    pub control_variates: bool,
}

/// Shares of paths, as in summary.json's `probabilities`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Probabilities {
    pub savings_negative: f64,
    pub tenant_default: f64,
    pub any_landlord_default: f64,
    /// P(the tenant defaults in the horizon and its guarantor had defaulted first).
    pub guarantee_fails: f64,
}

/// Number of per-path metrics.
pub const METRICS: usize = Metric::EVERY.len();
/// Per-path values: the metrics, then the control variates.
pub const COLUMNS: usize = PathMetrics::COLUMNS;
