//! The safety net for results that are not numbers: inputs at the edge of what validation
//! lets through (a rent of 1e300, a discount rate near -1 over a long horizon) can make a
//! metric infinite or NaN. Such a run fails (exit 1) naming each metric and the inputs
//! that drive it, and writes nothing: no `null` in summary.json, no `$NaN` on stdout.

use anyhow::{Result, anyhow};
use dcrisk_core::stats::mean_std;
use dcrisk_core::{Metric, MetricStats, RunResults};

/// The scenario fields a metric is made of, for the message.
fn drivers(m: Metric) -> &'static str {
    match m {
        Metric::SavingsPv => "cloud_cost_pv and program_cost_pv",
        Metric::ProgramCostPv => {
            "its parts rent_pv, power_cost_pv, opex_pv, hardware_pv and overflow_cost_pv"
        }
        Metric::CloudCostPv | Metric::OverflowCostPv => {
            "cloud.price0, cloud.drift, cloud.volatility and demand"
        }
        Metric::RentPv => "sites[*].rent_per_kw_month, sites[*].rent_escalator and capacity_mw",
        Metric::PowerCostPv => {
            "regions[*] (price0, long_run_mean, escalation, volatility, jump_rate, jump_mean, \
             jump_std, hedge_price) and sites[*].pue"
        }
        Metric::OpexPv => "sites[*].opex_per_kw_month and capacity_mw",
        Metric::HardwarePv => "hardware.capex_per_mw, price_trend and life_years",
        Metric::IdleMwMonths | Metric::OverflowMwMonths => {
            "demand (plan, drift, volatility, bust_rate) and sites[*].capacity_mw"
        }
        Metric::LandlordDefaults => "landlords[*].annual_pd",
        Metric::TenantDefault => "tenant.annual_pd and tenant.wrong_way",
        Metric::GuarantorPayoutPv | Metric::LandlordShortfallPv => {
            "guarantee (cap, max_months, relet_fraction) and the rent"
        }
        Metric::BreakFeesPv => "sites[*].break_fee and conversion_probability",
        Metric::SignedCapacityMw => "sites[*].capacity_mw and conversion_probability",
        Metric::GuaranteeFails | Metric::FeeBasePv | Metric::OwedPayoutPv => {
            "guarantee (cap, guarantor_annual_pd)"
        }
    }
}

/// "infinite" or "NaN" for a non-finite value.
fn what(x: f64) -> &'static str {
    if x.is_nan() { "NaN" } else { "infinite" }
}

/// The first non-finite statistic of `s`, by name.
fn bad_statistic(s: &MetricStats) -> Option<(&'static str, f64)> {
    let named = [
        ("mean", s.mean),
        ("standard deviation", s.std),
        ("standard error", s.stderr),
        ("minimum", s.min),
        ("maximum", s.max),
        ("lower_es_05", s.lower_es_05),
        ("lower_es_01", s.lower_es_01),
        ("upper_es_95", s.upper_es_95),
        ("upper_es_99", s.upper_es_99),
    ];
    let quantiles = dcrisk_core::stats::QUANTILE_LEVELS
        .iter()
        .zip(s.quantiles)
        .map(|((name, _), v)| (*name, v));
    named
        .into_iter()
        .chain(quantiles)
        .find(|(_, v)| !v.is_finite())
}

/// Checks that every figure a run's outputs show is a finite number: each metric's
/// statistics (`stats`, when the caller has them; else the per-path values' mean and
/// standard deviation), its estimate under the run's techniques, and the monthly series.
/// The error lists each failing metric with the inputs that drive it.
pub fn check(r: &RunResults, stats: Option<&[(Metric, MetricStats)]>) -> Result<()> {
    let mut problems: Vec<String> = Vec::new();
    for m in Metric::OUTPUT {
        let bad = metric_problem(r, m, stats);
        if let Some(text) = bad {
            let derived = matches!(m, Metric::SavingsPv | Metric::ProgramCostPv);
            let pv = match m.name().ends_with("_pv") && !derived {
                true => "; also discount_rate and horizon_years",
                false => "",
            };
            problems.push(format!("  {}: {text}: check {}{pv}", m.name(), drivers(m)));
        }
    }
    let mut series = r.series.iter().flat_map(|s| {
        s.months.iter().enumerate().find_map(|(t, x)| {
            let v = [x.mean, x.p05, x.p25, x.p50, x.p75, x.p95, x.p99];
            v.iter()
                .find(|v| !v.is_finite())
                .map(|&v| format!("  series {} is {} in month {t}", s.name, what(v)))
        })
    });
    problems.extend(series.by_ref().take(5));
    if let Some(c) = &r.convergence
        && !c.half_width.is_finite()
    {
        problems.push(format!(
            "  the half-width of {}'s mean is {}",
            c.target.name(),
            what(c.half_width)
        ));
    }
    let more = series.count();
    if more > 0 {
        problems.push(format!("  ... and {more} more series"));
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(anyhow!(
        "the results are not finite numbers, so nothing was written (inputs too large or \
         too extreme for the model; see each metric's inputs):\n{}",
        problems.join("\n")
    ))
}

/// What is wrong with metric `m` of run `r`, if anything.
fn metric_problem(
    r: &RunResults,
    m: Metric,
    stats: Option<&[(Metric, MetricStats)]>,
) -> Option<String> {
    let values = r.metrics.get(m);
    let non_finite = values.iter().filter(|v| !v.is_finite()).count();
    let on_paths = if non_finite > 0 {
        format!(" (not finite on {non_finite} of {} paths)", values.len())
    } else {
        String::new()
    };
    let given = stats
        .and_then(|s| s.iter().find(|(k, _)| *k == m))
        .map(|(_, s)| s);
    let bad = match (given, &r.summaries) {
        (Some(s), _) => bad_statistic(s),
        (None, Some(_)) => bad_statistic(&r.metric_stat(m)),
        (None, None) => {
            let (mean, std) = mean_std(values);
            [("mean", mean), ("standard deviation", std)]
                .into_iter()
                .find(|(_, v)| !v.is_finite())
        }
    };
    if let Some((name, v)) = bad {
        return Some(format!("{name} is {}{on_paths}", what(v)));
    }
    if non_finite > 0 {
        return Some(format!("values are not finite{on_paths}"));
    }
    let t = r.techniques;
    if t.antithetic || t.control_variates {
        let e = r.estimate(m);
        if let Some((name, v)) = [("estimated mean", e.mean), ("estimated stderr", e.stderr)]
            .into_iter()
            .find(|(_, v)| !v.is_finite())
        {
            return Some(format!("{name} is {}", what(v)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcrisk_core::engine::{NoProgress, RunConfig, simulate};
    use dcrisk_core::scenario::{parse_toml, validate};

    fn small_run() -> RunResults {
        let text = include_str!("../templates/starter.toml")
            .replace("{{NAME}}", "t")
            .replace("horizon_years = 15", "horizon_years = 2");
        let s = validate(&parse_toml(&text).unwrap()).unwrap();
        simulate(&s, &RunConfig::new(64, 1), &NoProgress)
    }

    #[test]
    fn finite_runs_pass() {
        let r = small_run();
        check(&r, None).unwrap();
        check(&r, Some(&r.metric_stats())).unwrap();
    }

    /// A NaN or an infinity in a metric's column fails the run, naming the metric, the
    /// paths and the inputs to check.
    #[test]
    fn non_finite_metrics_are_named() {
        let mut r = small_run();
        r.metrics.columns[Metric::RentPv.index()][3] = f64::INFINITY;
        r.metrics.columns[Metric::SavingsPv.index()][5] = f64::NAN;
        for stats in [None, Some(r.metric_stats())] {
            let e = check(&r, stats.as_deref()).unwrap_err().to_string();
            assert!(e.contains("nothing was written"), "{e}");
            assert!(
                e.contains("rent_pv: mean is infinite (not finite on 1 of 64 paths): check sites[*].rent_per_kw_month"),
                "{e}"
            );
            assert!(e.contains("savings_pv: mean is NaN"), "{e}");
            assert!(!e.contains("opex_pv"), "{e}");
        }
    }

    /// Finite values whose spread overflows still fail: the standard deviation is infinite.
    #[test]
    fn overflowing_statistics_are_named() {
        let mut r = small_run();
        let col = &mut r.metrics.columns[Metric::OpexPv.index()];
        col[0] = 1e300;
        col[1] = -1e300;
        let e = check(&r, None).unwrap_err().to_string();
        assert!(e.contains("opex_pv: standard deviation is infinite"), "{e}");
    }

    #[test]
    fn non_finite_series_are_named() {
        let mut r = small_run();
        r.series[0].months[7].mean = f64::NAN;
        let e = check(&r, None).unwrap_err().to_string();
        assert!(
            e.contains(&format!("series {} is NaN in month 7", r.series[0].name)),
            "{e}"
        );
    }
}
