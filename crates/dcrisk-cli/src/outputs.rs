//! The machine-readable files of docs/MODEL.md section 6, built in memory as text, so
//! the caller can write them all at once (`atomic`) or not at all.

use std::fmt::Write as _;

use crate::csv::csv_field;
use dcrisk_core::stats::QUANTILE_LEVELS;
use dcrisk_core::{Metric, MetricStats, RunResults, Techniques};
use serde_json::{Map, Value, json};

/// summary.json: the contract's fields in the contract's order.
pub fn summary_json(r: &RunResults, stats: &[(Metric, MetricStats)]) -> Value {
    let mut metrics = Map::new();
    for (m, s) in stats {
        let mut entry = metric_json(s);
        add_estimate(&mut entry, r, *m);
        metrics.insert(m.name().to_string(), entry);
    }
    let p = r.probabilities();
    let mut summary = json!({
        "scenario": r.scenario,
        "paths": r.paths,
        "seed": r.seed,
        "horizon_months": r.horizon_months,
        "metrics": metrics,
        "probabilities": {
            "savings_negative": p.savings_negative,
            "tenant_default": p.tenant_default,
            "any_landlord_default": p.any_landlord_default,
            "guarantee_fails": p.guarantee_fails,
        },
        "guarantee": {
            "fair_fee_bps": r.fair_fee_bps(),
        },
        "dcrisk_version": env!("CARGO_PKG_VERSION"),
    });
    if let Some(c) = &r.convergence {
        let mut convergence = json!({
            "target": c.target.name(),
            "paths_used": c.paths_used,
            "half_width": c.half_width,
        });
        // Relative to a mean of exactly 0 it is undefined: left out rather than `null`.
        if c.relative_half_width.is_finite() {
            convergence["relative_half_width"] = json!(c.relative_half_width);
        }
        convergence["met"] = json!(c.met);
        summary["convergence"] = convergence;
    }
    summary
}

/// With variance reduction on: `stderr` becomes the honest one (from antithetic pair
/// means), and `estimate` gives the techniques' estimate of the mean, its standard error and
/// the variance reduction factor against plain Monte Carlo with the same paths.
fn add_estimate(entry: &mut Value, r: &RunResults, m: Metric) {
    let t = r.techniques;
    if !(t.antithetic || t.control_variates) {
        return;
    }
    if t.antithetic {
        let pairs_only = Techniques {
            antithetic: true,
            control_variates: false,
        };
        entry["stderr"] = json!(r.estimate_values_with(r.metrics.get(m), pairs_only).stderr);
    }
    let e = r.estimate(m);
    let method = match (t.antithetic, t.control_variates) {
        (true, true) => "antithetic+control_variates",
        (true, false) => "antithetic",
        _ => "control_variates",
    };
    entry["estimate"] = json!({
        "method": method,
        "mean": e.mean,
        "stderr": e.stderr,
        "variance_reduction": e.variance_reduction,
    });
}

fn metric_json(s: &MetricStats) -> Value {
    let quantiles: Map<String, Value> = QUANTILE_LEVELS
        .iter()
        .zip(s.quantiles)
        .map(|((name, _), v)| (name.to_string(), json!(v)))
        .collect();
    json!({
        "mean": s.mean,
        "std": s.std,
        "stderr": s.stderr,
        "min": s.min,
        "max": s.max,
        "quantiles": quantiles,
        "tail": {
            "lower_es_05": s.lower_es_05,
            "lower_es_01": s.lower_es_01,
            "upper_es_95": s.upper_es_95,
            "upper_es_99": s.upper_es_99,
        },
    })
}

/// metrics.csv: one row per metric with summary.json's statistics.
pub fn metrics_csv(stats: &[(Metric, MetricStats)]) -> String {
    let mut out = String::from("metric,mean,std,stderr,min,max");
    for (name, _) in QUANTILE_LEVELS {
        out.push(',');
        out.push_str(name);
    }
    out.push_str(",lower_es_05,lower_es_01,upper_es_95,upper_es_99\n");
    for (m, s) in stats {
        let _ = write!(
            out,
            "{},{},{},{},{},{}",
            m.name(),
            s.mean,
            s.std,
            s.stderr,
            s.min,
            s.max
        );
        for q in s.quantiles {
            let _ = write!(out, ",{q}");
        }
        let _ = writeln!(
            out,
            ",{},{},{},{}",
            s.lower_es_05, s.lower_es_01, s.upper_es_95, s.upper_es_99
        );
    }
    out
}

/// timeseries.csv: `month,series,mean,p05,p25,p50,p75,p95`, long format.
pub fn timeseries_csv(r: &RunResults) -> String {
    let mut out = String::from("month,series,mean,p05,p25,p50,p75,p95\n");
    for s in &r.series {
        for (t, m) in s.months.iter().enumerate() {
            let _ = writeln!(
                out,
                "{t},{},{},{},{},{},{},{}",
                s.name, m.mean, m.p05, m.p25, m.p50, m.p75, m.p95
            );
        }
    }
    out
}

/// exposure.csv: the guarantor's profile with PFE 99, which timeseries.csv has no column for.
pub fn exposure_csv(r: &RunResults) -> String {
    let mut out = String::from("month,expected_exposure,pfe_95,pfe_99\n");
    if let Some(s) = r.series("guarantor_exposure") {
        for (t, m) in s.months.iter().enumerate() {
            let _ = writeln!(out, "{t},{},{},{}", m.mean, m.p95, m.p99);
        }
    }
    out
}

/// paths.csv: one row per path, one column per metric.
pub fn paths_csv(r: &RunResults) -> String {
    let mut out = String::from("path");
    for m in Metric::OUTPUT {
        out.push(',');
        out.push_str(m.name());
    }
    out.push('\n');
    for i in 0..r.metrics.len() {
        let _ = write!(out, "{i}");
        for m in Metric::OUTPUT {
            let _ = write!(out, ",{}", r.metrics.get(m)[i]);
        }
        out.push('\n');
    }
    out
}

/// landlords.csv: one row per landlord: its default probability in the horizon, the
/// probability it is paid in full, and its shortfall's mean and P95 (present values;
/// docs/MODEL.md 4.1).
pub fn landlords_csv(r: &RunResults) -> String {
    let mut out = String::from(
        "landlord,annual_pd,default_probability,paid_in_full_probability,shortfall_pv_mean,shortfall_pv_p95\n",
    );
    for l in &r.parties.landlords {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            csv_field(&l.name),
            finite_or_empty(l.annual_pd),
            l.default_probability,
            l.paid_in_full_probability,
            l.shortfall_pv_mean,
            l.shortfall_pv_p95
        );
    }
    out
}

/// A number, or an empty cell for NaN: a pooled two-level run whose outer samples
/// differ in a PD has no one value for it.
fn finite_or_empty(x: f64) -> String {
    match x.is_nan() {
        true => String::new(),
        false => x.to_string(),
    }
}

/// default_curve.csv: the tenant's cumulative default probability by the end of each
/// month, and for reference what the annual PD alone gives, `1 - (1 - pd)^((t + 1) / 12)`
/// (the two differ by the wrong-way risk).
pub fn default_curve_csv(r: &RunResults) -> String {
    let mut out = String::from("month,cumulative_default_probability,annual_pd_only_probability\n");
    let pd = r.parties.tenant_annual_pd;
    for (t, p) in r.parties.tenant_default_curve.iter().enumerate() {
        let reference = 1.0 - (1.0 - pd).powf((t + 1) as f64 / 12.0);
        let _ = writeln!(out, "{t},{p},{}", finite_or_empty(reference));
    }
    out
}
