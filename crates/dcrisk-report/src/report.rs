//! What a run's reports (report.html, report.xlsx) show, independent of the format: the
//! run and its statistics, the charts already rendered for its folder, the record of its
//! making and its resolved scenario; and the headline figures per party, which the HTML
//! cards and the workbook's Summary sheet (with its defined names) both list.

use dcrisk_core::scenario::Table;
use dcrisk_core::{Headline, Metric, MetricStats, RunResults};

use crate::Chart;
use crate::charts::sweep::ValueKind;
use crate::decisions::TwoLevel;

/// Everything a run's report is made from. Nothing here is read from the clock or the
/// machine: the same input gives the same report bytes.
pub struct ReportInput<'a> {
    pub results: &'a RunResults,
    /// The statistics of every metric, in [`Metric::ALL`] order (summary.json's).
    pub stats: &'a [(Metric, MetricStats)],
    pub headline: &'a Headline,
    /// The run's charts (PNG), as written to its folder, in their usual order.
    pub charts: &'a [Chart],
    /// How the run was made: label and value rows (run.json's fields, as text).
    pub making: &'a [(String, String)],
    /// The run's recorded start time (RFC 3339, UTC), if any: the workbook's creation
    /// date, so the file carries no other timestamp.
    pub started: Option<&'a str>,
    /// The scenario as run, after `--set` overrides (none for a merge of shards).
    pub scenario: Option<&'a Table>,
    /// The scenario file as written, before the overrides: fields whose values differ
    /// from it are marked as overridden.
    pub original: Option<&'a Table>,
    /// A two-level run's uncertain inputs (drivers, outer samples, their charts): a
    /// section of report.html and the Drivers and Uncertainty sheets of report.xlsx.
    pub two_level: Option<&'a TwoLevel<'a>>,
}

/// One party whose figures the report leads with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    Tenant,
    Guarantor,
    Landlords,
}

impl Party {
    pub fn title(self) -> &'static str {
        match self {
            Party::Tenant => "Tenant",
            Party::Guarantor => "Guarantor",
            Party::Landlords => "Landlords",
        }
    }

    /// The question the party's figures answer, under its heading.
    pub fn question(self) -> &'static str {
        match self {
            Party::Tenant => "Does leasing beat renting the same compute in the cloud?",
            Party::Guarantor => "What can the rent guarantee cost?",
            Party::Landlords => "How often do developers fail, and what goes unpaid?",
        }
    }
}

/// One headline figure: its party, label, value and unit, and the defined name it gets
/// in the workbook.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub party: Party,
    pub label: &'static str,
    pub value: f64,
    pub kind: ValueKind,
    /// A workbook defined name: letters, digits and underscores, not a cell reference.
    pub name: &'static str,
}

/// The headline figures of a run, party by party, in the order the report shows them.
pub fn figures(h: &Headline) -> Vec<Figure> {
    use Party::*;
    use ValueKind::*;
    let f = |party, label, value, kind, name| Figure {
        party,
        label,
        value,
        kind,
        name,
    };
    vec![
        f(
            Tenant,
            "Savings vs cloud (PV), mean",
            h.savings_mean,
            Money,
            "SavingsMean",
        ),
        f(
            Tenant,
            "Mean's 95% confidence interval, ±",
            h.savings_half_width(),
            Money,
            "SavingsHalfWidth",
        ),
        f(Tenant, "Savings P5", h.savings_p05(), Money, "SavingsP05"),
        f(Tenant, "Savings P50", h.savings_p50(), Money, "SavingsP50"),
        f(Tenant, "Savings P95", h.savings_p95(), Money, "SavingsP95"),
        f(
            Tenant,
            "Savings 5% expected shortfall",
            h.savings_es_05(),
            Money,
            "SavingsES05",
        ),
        f(
            Tenant,
            "P(leasing loses)",
            h.p_savings_negative,
            Share,
            "ProbLeasingLoses",
        ),
        f(
            Tenant,
            "Program cost (PV), mean",
            h.program_cost_mean,
            Money,
            "ProgramCostMean",
        ),
        f(
            Tenant,
            "All-cloud cost (PV), mean",
            h.cloud_cost_mean,
            Money,
            "CloudCostMean",
        ),
        f(
            Tenant,
            "Tenant default probability",
            h.tenant_default,
            Share,
            "ProbTenantDefault",
        ),
        f(
            Guarantor,
            "Expected loss (PV)",
            h.guarantor_expected_loss,
            Money,
            "GuarantorExpectedLoss",
        ),
        f(
            Guarantor,
            "Payout P95",
            h.guarantor_payout_p95(),
            Money,
            "GuarantorPayoutP95",
        ),
        f(
            Guarantor,
            "Payout P99",
            h.guarantor_payout_p99(),
            Money,
            "GuarantorPayoutP99",
        ),
        f(
            Guarantor,
            "Payout 99% expected shortfall",
            h.guarantor_payout_es_99(),
            Money,
            "GuarantorPayoutES99",
        ),
        f(
            Guarantor,
            "Peak PFE 99% (month-t $)",
            h.guarantor_pfe99_peak,
            Money,
            "GuarantorPeakPFE99",
        ),
        f(
            Landlords,
            "P(any landlord default)",
            h.any_landlord_default,
            Share,
            "ProbAnyLandlordDefault",
        ),
        f(
            Landlords,
            "Shortfall (PV), mean",
            h.landlord_shortfall_mean,
            Money,
            "LandlordShortfallMean",
        ),
        f(
            Landlords,
            "Shortfall P95",
            h.landlord_shortfall_p95(),
            Money,
            "LandlordShortfallP95",
        ),
        f(
            Landlords,
            "Shortfall P99",
            h.landlord_shortfall_p99(),
            Money,
            "LandlordShortfallP99",
        ),
    ]
}

/// What a metric measures: the tenant's default is a probability, MW-months and landlord
/// defaults are plain numbers, the rest are money. (The terminal tables use it too.)
pub fn metric_kind(m: Metric) -> ValueKind {
    match m {
        Metric::TenantDefault => ValueKind::Share,
        Metric::IdleMwMonths | Metric::OverflowMwMonths | Metric::LandlordDefaults => {
            ValueKind::Number
        }
        _ => ValueKind::Money,
    }
}

/// A chart's heading and the sentence under it, by file name; the name itself for a
/// chart this list does not know (a chart added later still shows).
pub fn chart_caption(file_name: &str) -> (&str, &str) {
    match file_name {
        "savings_histogram.png" => (
            "Distribution of savings",
            "Present value of leasing's savings against the all-cloud counterfactual, over all paths.",
        ),
        "savings_cdf.png" => (
            "Cumulative distribution of savings",
            "The share of paths with savings at or below each value; where it crosses $0 is P(leasing loses).",
        ),
        "cost_fan.png" => (
            "Monthly cost, program against cloud",
            "Median and 5-95% band of the monthly cost of each option.",
        ),
        "power_prices.png" => (
            "Power prices by region",
            "Median and 5-95% band of each region's spot price.",
        ),
        "demand_capacity.png" => (
            "Demand against delivered capacity",
            "Compute demand and the capacity the leases deliver, month by month.",
        ),
        "guarantor_exposure.png" => (
            "Guarantor's exposure profile",
            "Expected exposure and potential future exposure (PFE 95%, 99%) of the rent guarantee.",
        ),
        "landlord_defaults.png" => (
            "Landlord defaults",
            "How many developers fail over the horizon, and each one's default probability.",
        ),
        "cost_breakdown.png" => (
            "Where the program's cost goes",
            "Mean present value of each cost component.",
        ),
        "convergence.png" => (
            "Convergence of the mean savings",
            "The running mean with its 95% interval as paths accumulate.",
        ),
        "comparison_savings.png" => (
            "Savings by scenario",
            "Distribution of savings in each scenario, with common random numbers.",
        ),
        "comparison_var_es.png" => (
            "Tail risk by scenario",
            "Value at risk and expected shortfall of savings in each scenario.",
        ),
        "comparison_guarantor.png" => (
            "Guarantor by scenario",
            "The guarantor's expected loss and peak PFE 99% in each scenario.",
        ),
        "drivers.png" => (
            "What drives mean savings",
            "Each uncertain input's first-order index (share of the variance of mean savings over the outer samples) with its 95% interval.",
        ),
        "uncertainty.png" => (
            "Mean savings over the outer samples",
            "How far the inputs' uncertainty moves mean savings: one mean per outer sample, against the pooled mean.",
        ),
        other => (other, ""),
    }
}

/// The model's key assumptions, for a reader who will not open docs/MODEL.md.
pub const ASSUMPTIONS: [&str; 8] = [
    "Monthly steps over the horizon; every cash flow is discounted at the scenario's discount rate.",
    "Power prices follow a mean-reverting log process per region with seasonality, \
     escalation and Poisson price spikes; a hedged share is paid at the hedge price.",
    "Compute demand moves around the plan as a geometric Brownian motion with Poisson \
     busts; capacity beyond demand sits idle (no power drawn), demand beyond capacity is \
     rented from the cloud.",
    "The cloud price follows a geometric Brownian motion (falling when its drift is \
     negative); the all-cloud counterfactual rents every month's demand at that price.",
    "Power, demand and cloud shocks are correlated through one correlation matrix.",
    "Sites are delivered late with a random delay; developers default through a \
     one-factor Gaussian copula, delaying sites before delivery and cutting power after.",
    "The tenant defaults with a hazard that rises when demand falls (wrong-way risk); the \
     guarantee then pays owed rent, capped, less what re-letting recovers.",
    "Every path is seeded from (seed, path index, stream): the same scenario, seed and \
     path count give the same numbers on any machine and thread count.",
];
