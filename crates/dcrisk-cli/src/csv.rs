//! CSV text shared by `batch` (comparison.csv) and `sweep` (sweep.csv): fields quoted as
//! RFC 4180 wants, and a run's headline figures in one fixed column order, the first
//! columns the same in both files so they can be read by the same code.

use std::fmt::Write as _;

use dcrisk_core::Headline;

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The columns comparison.csv and sweep.csv share, comma-separated: the savings, the
/// guarantor's mean and peak exposure, the default probabilities.
pub const SHARED_COLUMNS: &str = "paths,seed,savings_pv_mean,savings_pv_stderr,\
savings_pv_p05,savings_pv_p50,savings_pv_p95,savings_pv_lower_es_05,p_savings_negative,\
guarantor_payout_pv_mean,guarantor_pfe99_peak,tenant_default,any_landlord_default";

/// The columns [`headline_csv`] writes (comparison.csv's after `scenario,file`):
/// [`SHARED_COLUMNS`], then the upper tails of the guarantor's payout and the landlords'
/// shortfall, then the contract figures (docs/MODEL.md 8 and 10), appended so that
/// readers of the older columns keep working.
pub const HEADLINE_COLUMNS: &str = "paths,seed,savings_pv_mean,savings_pv_stderr,\
savings_pv_p05,savings_pv_p50,savings_pv_p95,savings_pv_lower_es_05,p_savings_negative,\
guarantor_payout_pv_mean,guarantor_pfe99_peak,tenant_default,any_landlord_default,\
guarantor_payout_pv_p95,guarantor_payout_pv_p99,guarantor_payout_pv_upper_es_99,\
landlord_shortfall_pv_mean,landlord_shortfall_pv_p95,landlord_shortfall_pv_p99,\
signed_capacity_mw_mean,break_fees_pv_mean,guarantee_fails,fair_fee_bps";

/// A run's figures as CSV fields in [`SHARED_COLUMNS`] order (numbers in Rust's
/// shortest round-trip form, so they read back bit for bit).
pub fn shared_csv(h: &Headline) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "{},{},{},{},{},{},{},{},{},{},{},{},{}",
        h.paths,
        h.seed,
        h.savings_mean,
        h.savings_stderr,
        h.savings_p05(),
        h.savings_p50(),
        h.savings_p95(),
        h.savings_es_05(),
        h.p_savings_negative,
        h.guarantor_expected_loss,
        h.guarantor_pfe99_peak,
        h.tenant_default,
        h.any_landlord_default
    );
    out
}

/// A run's headline figures as CSV fields in [`HEADLINE_COLUMNS`] order.
pub fn headline_csv(h: &Headline) -> String {
    format!(
        "{},{},{},{},{},{},{},{},{},{},{}",
        shared_csv(h),
        h.guarantor_payout_p95(),
        h.guarantor_payout_p99(),
        h.guarantor_payout_es_99(),
        h.landlord_shortfall_mean,
        h.landlord_shortfall_p95(),
        h.landlord_shortfall_p99(),
        h.contracts.signed_capacity_mean,
        h.contracts.break_fees_mean,
        h.contracts.guarantee_fails,
        h.contracts.fair_fee_bps
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcrisk_core::MetricStats;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("sites.\"A 1\".pue"), "\"sites.\"\"A 1\"\".pue\"");
    }

    #[test]
    fn headline_fields_match_the_columns() {
        let h = Headline {
            scenario: "s".into(),
            paths: 10,
            seed: 7,
            horizon_months: 12,
            savings: Default::default(),
            savings_mean: 1.5,
            savings_stderr: 0.25,
            savings_variance_reduction: 1.0,
            p_savings_negative: 0.1,
            program_cost_mean: 0.0,
            cloud_cost_mean: 0.0,
            tenant_default: 0.2,
            guarantor_expected_loss: 3.0,
            guarantor_payout: MetricStats {
                quantiles: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 5.0, 6.0],
                upper_es_99: 7.0,
                ..Default::default()
            },
            guarantor_pfe99_peak: 4.0,
            any_landlord_default: 0.3,
            landlord_shortfall_mean: 8.0,
            landlord_shortfall: MetricStats {
                quantiles: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 9.0, 10.0],
                ..Default::default()
            },
            contracts: dcrisk_core::ContractFigures {
                signed_capacity_mean: 11.0,
                signing_uncertain: true,
                break_fees_mean: 12.0,
                guarantee_fails: 0.5,
                fair_fee_bps: 13.0,
            },
        };
        let fields = headline_csv(&h);
        assert_eq!(
            fields,
            "10,7,1.5,0.25,0,0,0,0,0.1,3,4,0.2,0.3,5,6,7,8,9,10,11,12,0.5,13"
        );
        assert_eq!(
            fields.split(',').count(),
            HEADLINE_COLUMNS.split(',').count()
        );
        assert!(HEADLINE_COLUMNS.starts_with(&format!("{SHARED_COLUMNS},")));
        assert!(fields.starts_with(&format!("{},", shared_csv(&h))));
        assert_eq!(
            shared_csv(&h).split(',').count(),
            SHARED_COLUMNS.split(',').count()
        );
    }
}
