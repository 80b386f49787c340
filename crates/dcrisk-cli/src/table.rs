//! The short, readable summary printed on stdout after a run.

use dcrisk_core::{Metric, MetricStats, RunResults};

/// Money as $k / $M / $B with three significant figures.
pub fn money(x: f64) -> String {
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    let (v, unit) = if a >= 1e9 {
        (a / 1e9, "B")
    } else if a >= 1e6 {
        (a / 1e6, "M")
    } else if a >= 1e3 {
        (a / 1e3, "k")
    } else {
        (a, "")
    };
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{sign}${v:.digits$}{unit}")
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// The run's headline figures as a small two-column table.
pub fn render(r: &RunResults, stats: &[(Metric, MetricStats)], seconds: f64) -> String {
    let get = |m: Metric| {
        stats
            .iter()
            .find(|(k, _)| *k == m)
            .map(|(_, s)| *s)
            .unwrap_or_default()
    };
    let savings = get(Metric::SavingsPv);
    let p = r.probabilities();
    let pfe99 = r
        .series("guarantor_exposure")
        .map(|s| s.months.iter().map(|m| m.p99).fold(0.0, f64::max))
        .unwrap_or(0.0);
    let t = r.techniques;
    let headline = if t.antithetic || t.control_variates {
        let e = r.estimate(Metric::SavingsPv);
        format!(
            "{} ± {} (95% CI; variance reduction x{:.1})",
            money(e.mean),
            money(e.half_width()),
            e.variance_reduction
        )
    } else {
        format!(
            "{} ± {} (95% CI)",
            money(savings.mean),
            money(1.96 * savings.stderr)
        )
    };
    let mut rows: Vec<(&str, String)> = vec![
        ("Savings vs cloud (PV), mean", headline),
        (
            "  P5 / P50 / P95",
            format!(
                "{} / {} / {}",
                money(savings.quantiles[1]),
                money(savings.quantiles[4]),
                money(savings.quantiles[7])
            ),
        ),
        ("  5% expected shortfall", money(savings.lower_es_05)),
        ("  P(leasing loses)", pct(p.savings_negative)),
        (
            "Program cost (PV), mean",
            money(get(Metric::ProgramCostPv).mean),
        ),
        (
            "All-cloud cost (PV), mean",
            money(get(Metric::CloudCostPv).mean),
        ),
        ("Tenant default probability", pct(p.tenant_default)),
        (
            "Guarantor expected loss (PV)",
            money(get(Metric::GuarantorPayoutPv).mean),
        ),
        ("Guarantor peak PFE 99%", money(pfe99)),
        ("P(any landlord default)", pct(p.any_landlord_default)),
        (
            "Landlord shortfall (PV), mean",
            money(get(Metric::LandlordShortfallPv).mean),
        ),
    ];
    if let Some(c) = &r.convergence {
        let verdict = if c.met {
            "met"
        } else {
            "NOT met within --max-paths"
        };
        rows.push((
            "Precision",
            format!(
                "{} mean ± {} ({:.3}%) after {} paths: {verdict}",
                c.target.name(),
                money(c.half_width),
                100.0 * c.relative_half_width,
                c.paths_used
            ),
        ));
    }
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!(
        "{}: {} paths, seed {}, {} months, {:.2} s\n",
        r.scenario, r.paths, r.seed, r.horizon_months, seconds
    );
    for (k, v) in rows {
        out.push_str(&format!("  {k:<width$}  {v}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_formats() {
        assert_eq!(money(14_412_000_000.0), "$14.4B");
        assert_eq!(money(-2_500_000.0), "-$2.50M");
        assert_eq!(money(950.0), "$950");
        assert_eq!(money(0.0), "$0.00");
    }
}
