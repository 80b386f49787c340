//! The headline figures of a run: what a reader of the stdout summary, `comparison.csv`,
//! `sweep.csv` and the comparison charts looks at first.
//!
//! They are computed here, once, so the terminal, the CSV files and the charts cannot
//! disagree on what "mean savings" or "peak PFE" means.

use crate::metrics::Metric;
use crate::results::RunResults;
use crate::stats::{MetricStats, Z95};

/// Index of P5, P50, P95 and P99 in [`MetricStats::quantiles`] (see
/// `stats::QUANTILE_LEVELS`).
const P05: usize = 1;
const P50: usize = 4;
const P95: usize = 7;
const P99: usize = 8;

/// The headline figures of one run.
///
/// Every mean is the run's best estimate of it: the antithetic and/or control-variates
/// estimate when the run used them, the plain mean otherwise. Using the same estimator
/// for every mean keeps them consistent with each other (savings are cloud cost less
/// program cost, path by path, and the estimators are linear in the values, so the means
/// keep that relation up to rounding).
#[derive(Clone, Debug, PartialEq)]
pub struct Headline {
    pub scenario: String,
    pub paths: u64,
    pub seed: u64,
    pub horizon_months: usize,
    /// Every statistic of `savings_pv` (quantiles p01..p99, tails), as in summary.json.
    pub savings: MetricStats,
    /// Mean of `savings_pv` under the run's variance-reduction techniques (the plain mean
    /// without them) and its standard error.
    pub savings_mean: f64,
    pub savings_stderr: f64,
    /// How many times fewer paths the techniques need for the precision of
    /// [`savings_mean`](Self::savings_mean) (1 without techniques).
    pub savings_variance_reduction: f64,
    /// Share of paths where leasing loses (`savings_pv < 0`).
    pub p_savings_negative: f64,
    /// Mean `program_cost_pv`.
    pub program_cost_mean: f64,
    /// Mean `cloud_cost_pv`: the all-cloud counterfactual.
    pub cloud_cost_mean: f64,
    /// Share of paths where the tenant defaults.
    pub tenant_default: f64,
    /// The guarantor's expected loss: mean `guarantor_payout_pv`.
    pub guarantor_expected_loss: f64,
    /// Every statistic of `guarantor_payout_pv`: its upper tail is the guarantor's risk.
    pub guarantor_payout: MetricStats,
    /// The largest monthly P99 of `guarantor_exposure` (peak PFE 99%), month-t dollars.
    pub guarantor_pfe99_peak: f64,
    /// Share of paths where at least one landlord defaults.
    pub any_landlord_default: f64,
    /// Mean `landlord_shortfall_pv`.
    pub landlord_shortfall_mean: f64,
    /// Every statistic of `landlord_shortfall_pv`: its upper tail is the landlords' risk.
    pub landlord_shortfall: MetricStats,
    /// The contract figures of docs/MODEL.md sections 8 and 10.
    pub contracts: ContractFigures,
}

/// The headline figures of the v2 contract terms (all 0, and the full capacity, for a
/// scenario without them; `fair_fee_bps` applies to every scenario with a guarantee).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ContractFigures {
    /// Mean `signed_capacity_mw`.
    pub signed_capacity_mean: f64,
    /// Whether the signed capacity differs between paths (some lease is preliminary).
    pub signing_uncertain: bool,
    /// Mean `break_fees_pv`.
    pub break_fees_mean: f64,
    /// P(the tenant defaults and the guarantor had defaulted first).
    pub guarantee_fails: f64,
    /// The fair guarantee fee, bps a year on the cap.
    pub fair_fee_bps: f64,
}

impl Headline {
    /// Half-width of the 95% confidence interval of [`savings_mean`](Self::savings_mean).
    pub fn savings_half_width(&self) -> f64 {
        Z95 * self.savings_stderr
    }

    /// P5 of savings: the 5% value at risk, as a savings figure (negative is a loss).
    pub fn savings_p05(&self) -> f64 {
        self.savings.quantiles[P05]
    }

    /// Median savings.
    pub fn savings_p50(&self) -> f64 {
        self.savings.quantiles[P50]
    }

    /// P95 of savings.
    pub fn savings_p95(&self) -> f64 {
        self.savings.quantiles[P95]
    }

    /// The 5% expected shortfall of savings: the mean of the worst 5% of paths.
    pub fn savings_es_05(&self) -> f64 {
        self.savings.lower_es_05
    }

    /// P95 of the guarantor's payout (PV).
    pub fn guarantor_payout_p95(&self) -> f64 {
        self.guarantor_payout.quantiles[P95]
    }

    /// P99 of the guarantor's payout (PV).
    pub fn guarantor_payout_p99(&self) -> f64 {
        self.guarantor_payout.quantiles[P99]
    }

    /// The 99% expected shortfall of the guarantor's payout: the mean of the 1% of paths
    /// where it pays most.
    pub fn guarantor_payout_es_99(&self) -> f64 {
        self.guarantor_payout.upper_es_99
    }

    /// P95 of the landlords' shortfall (PV).
    pub fn landlord_shortfall_p95(&self) -> f64 {
        self.landlord_shortfall.quantiles[P95]
    }

    /// P99 of the landlords' shortfall (PV).
    pub fn landlord_shortfall_p99(&self) -> f64 {
        self.landlord_shortfall.quantiles[P99]
    }
}

impl RunResults {
    /// The run's headline figures.
    pub fn headline(&self) -> Headline {
        self.headline_from(&[])
    }

    /// The headline figures, reusing statistics of every metric already computed (as
    /// [`RunResults::metric_stats`] gives them), so a caller that has them does not sort
    /// the savings, payouts and shortfalls a second time; the others are computed.
    pub fn headline_from(&self, stats: &[(Metric, MetricStats)]) -> Headline {
        let stat = |metric: Metric| match stats.iter().find(|(m, _)| *m == metric) {
            Some((_, s)) => *s,
            None => self.metric_stat(metric),
        };
        self.headline_with(
            stat(Metric::SavingsPv),
            stat(Metric::GuarantorPayoutPv),
            stat(Metric::LandlordShortfallPv),
        )
    }

    fn headline_with(
        &self,
        savings: MetricStats,
        guarantor_payout: MetricStats,
        landlord_shortfall: MetricStats,
    ) -> Headline {
        let estimate = self.estimate(Metric::SavingsPv);
        let mean = |m: Metric| self.estimate(m).mean;
        let p = self.probabilities();
        Headline {
            scenario: self.scenario.clone(),
            paths: self.paths,
            seed: self.seed,
            horizon_months: self.horizon_months,
            savings,
            savings_mean: estimate.mean,
            savings_stderr: estimate.stderr,
            savings_variance_reduction: estimate.variance_reduction,
            p_savings_negative: p.savings_negative,
            program_cost_mean: mean(Metric::ProgramCostPv),
            cloud_cost_mean: mean(Metric::CloudCostPv),
            tenant_default: p.tenant_default,
            guarantor_expected_loss: mean(Metric::GuarantorPayoutPv),
            guarantor_payout,
            guarantor_pfe99_peak: self.peak_pfe99(),
            any_landlord_default: p.any_landlord_default,
            landlord_shortfall_mean: mean(Metric::LandlordShortfallPv),
            landlord_shortfall,
            contracts: self.contract_figures(),
        }
    }

    /// The contract figures: plain means (no estimator needed for these counts and fees).
    fn contract_figures(&self) -> ContractFigures {
        let signed = self.metric_stat(Metric::SignedCapacityMw);
        ContractFigures {
            signed_capacity_mean: signed.mean,
            signing_uncertain: signed.min < signed.max,
            break_fees_mean: self.metric_stat(Metric::BreakFeesPv).mean,
            guarantee_fails: self.probabilities().guarantee_fails,
            fair_fee_bps: self.fair_fee_bps(),
        }
    }

    /// The largest monthly P99 of the guarantor's exposure (0 when the run has no such
    /// series): the worst month's potential future exposure at 99%.
    fn peak_pfe99(&self) -> f64 {
        self.series("guarantor_exposure")
            .map(|s| s.months.iter().map(|m| m.p99).fold(0.0, f64::max))
            .unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{PathMetrics, Techniques};
    use crate::results::{MonthStats, SeriesKind, SeriesSummary};

    /// A run of four paths built by hand: savings -2, 1, 3, 6 (cloud 10 less program cost).
    fn run() -> RunResults {
        let mut metrics = PathMetrics::zeroed(4);
        let mut set = |m: Metric, v: [f64; 4]| metrics.columns[m.index()] = v.to_vec();
        set(Metric::SavingsPv, [-2.0, 1.0, 3.0, 6.0]);
        set(Metric::ProgramCostPv, [12.0, 9.0, 7.0, 4.0]);
        set(Metric::CloudCostPv, [10.0; 4]);
        set(Metric::TenantDefault, [0.0, 1.0, 0.0, 0.0]);
        set(Metric::LandlordDefaults, [0.0, 0.0, 2.0, 1.0]);
        set(Metric::GuarantorPayoutPv, [0.0, 8.0, 0.0, 0.0]);
        set(Metric::LandlordShortfallPv, [0.0, 0.0, 5.0, 3.0]);
        let month = |p99| MonthStats {
            p99,
            ..MonthStats::default()
        };
        RunResults {
            scenario: "hand".into(),
            paths: 4,
            seed: 9,
            horizon_months: 2,
            start_month: 1,
            metrics,
            series: vec![SeriesSummary {
                name: "guarantor_exposure".into(),
                kind: SeriesKind::GuarantorExposure,
                months: vec![month(7.0), month(11.0)],
            }],
            techniques: Techniques::default(),
            control_expectations: Vec::new(),
            convergence: None,
            summaries: None,
            parties: Default::default(),
        }
    }

    #[test]
    fn figures_of_a_hand_made_run() {
        let r = run();
        let h = r.headline();
        assert_eq!((h.scenario.as_str(), h.paths, h.seed), ("hand", 4, 9));
        assert_eq!(h.savings_mean, 2.0);
        assert_eq!(h.savings_half_width(), Z95 * h.savings_stderr);
        assert_eq!(h.savings_variance_reduction, 1.0);
        assert_eq!(h.savings_p05(), h.savings.quantiles[1]);
        assert_eq!(h.savings_es_05(), -2.0);
        assert_eq!(h.p_savings_negative, 0.25);
        assert_eq!((h.program_cost_mean, h.cloud_cost_mean), (8.0, 10.0));
        assert_eq!(h.tenant_default, 0.25);
        assert_eq!(h.any_landlord_default, 0.5);
        assert_eq!(h.guarantor_expected_loss, 2.0);
        assert_eq!(h.guarantor_pfe99_peak, 11.0);
        assert_eq!(h.landlord_shortfall_mean, 2.0);
        // Payouts 0, 0, 0, 8: P95 = 0.85 x 8, P99 = 0.97 x 8 (linear interpolation between
        // the two largest); the top 1% is the 8. Shortfalls 0, 0, 3, 5 likewise.
        let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} != {b}");
        close(h.guarantor_payout_p95(), 0.85 * 8.0);
        close(h.guarantor_payout_p99(), 0.97 * 8.0);
        assert_eq!(h.guarantor_payout_es_99(), 8.0);
        close(h.landlord_shortfall_p95(), 3.0 + 0.85 * 2.0);
        close(h.landlord_shortfall_p99(), 3.0 + 0.97 * 2.0);
        assert_eq!(h.landlord_shortfall.upper_es_99, 5.0);
        assert_eq!(r.headline_from(&r.metric_stats()), h);
        assert_eq!(r.headline_from(&[]), h);
    }
}
