//! `dcrisk sweep`: one scenario over a grid of one or two parameters, every point with the
//! same seed (common random numbers), written to `OUT/<name>/sweep.csv` and `sweep.png`.

use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{Context, Result};
use dcrisk_core::stats::Z95;
use dcrisk_core::{Headline, Metric, MetricStats};
use dcrisk_report::{
    ChartOptions, SweepChart, SweepParameter, SweepPoint, ValueKind, render_sweep,
};

use crate::atomic::{OutputFile, no_guard, write_beside};
use crate::cli::{ParamRange, SweepArgs};
use crate::csv::{SHARED_COLUMNS, csv_field, shared_csv};
use crate::load::{InputError, plausible};
use crate::provenance::Record;
use crate::publish::say;
use crate::study::{self, Study, Variant};
use crate::table::{metric_kind, pct, show, text_table};
use serde_json::json;

/// Most points of a grid.
const MAX_POINTS: usize = 10_000;

/// One point of the grid: its parameter values, one per parameter.
type Point = Vec<f64>;

/// What a point's run gives the CSV, the chart and the table.
struct Row {
    headline: Headline,
    metric_mean: f64,
    metric_stderr: f64,
    metric_stats: MetricStats,
}

/// `dcrisk sweep`.
pub fn sweep(args: &SweepArgs) -> Result<()> {
    let started = Instant::now();
    let params = &args.params;
    check_params(params)?;
    let study = Study::load(&args.scenario, &args.common.set, "--param", "sweep points")?;
    let base = study.base()?;
    plausible(&args.scenario, &args.common.set, &base, args.strict)?;
    let record = study_record(args, &study)?;
    let points = grid(params);
    let variants: Vec<Variant> = points.iter().map(|p| variant(params, p)).collect();
    let scenarios = study.scenarios(&variants)?;
    let name = scenarios[0].name.clone();
    let label = format!("sweep {name} ({} points)", points.len());
    let rows = study::run_all(&scenarios, &args.common, &label, |r| {
        let estimate = r.estimate(args.metric);
        Row {
            headline: r.headline(),
            metric_mean: estimate.mean,
            metric_stderr: estimate.stderr,
            metric_stats: r.metric_stat(args.metric),
        }
    })?;
    let mut files = sweep_files(args, &points, &rows)?;
    let (seed, paths) = (args.common.seed_for(&base), args.common.paths_for(&base));
    files.push(record.json_file("sweep.run.json", seed, paths));
    let dir = args.common.out.join(&name);
    write_beside(&dir, &files, &no_guard)?;
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    say(&format!(
        "{}  wrote {} in {}/\n",
        report(args, &points, &rows, started),
        names.join(", "),
        dir.display()
    ));
    Ok(())
}

/// The sweep's record (`sweep.run.json`): run.json's fields, with the grid and the metric.
fn study_record(args: &SweepArgs, study: &Study) -> Result<Record> {
    let params: Vec<String> = args
        .params
        .iter()
        .map(|p| format!("{}={:?}", p.key, p.values))
        .collect();
    Ok(
        Record::for_scenario(&args.scenario, &args.common.set, &study.tree)?
            .with("threads", json!(study::threads(&args.common)))
            .with("params", json!(params))
            .with("metric", json!(args.metric.name())),
    )
}

/// sweep.csv, and sweep.png unless charts are off.
fn sweep_files(args: &SweepArgs, points: &[Point], rows: &[Row]) -> Result<Vec<OutputFile>> {
    let csv = sweep_csv(&args.params, points, rows, args.metric);
    let mut files = vec![OutputFile::new("sweep.csv", csv)];
    if !args.charts.no_charts {
        let chart = chart_data(args, points, rows);
        let (width, height) = args.charts.chart_size;
        let png = render_sweep(&chart, &ChartOptions { width, height })
            .context("cannot render the sweep chart")?;
        files.push(OutputFile::new(png.file_name, png.png));
    }
    Ok(files)
}

fn check_params(params: &[ParamRange]) -> Result<(), InputError> {
    if params.len() > 2 {
        return Err(InputError(format!(
            "--param: at most two parameters (a two-parameter grid), got {}",
            params.len()
        )));
    }
    if params.len() == 2 && params[0].key == params[1].key {
        return Err(InputError(format!(
            "--param: {} is given twice",
            params[0].key
        )));
    }
    let points: usize = params.iter().map(|p| p.values.len()).product();
    if points > MAX_POINTS {
        return Err(InputError(format!(
            "--param: the grid has {points} points, at most {MAX_POINTS} are allowed"
        )));
    }
    Ok(())
}

/// Every point of the grid, the first parameter varying slowest.
fn grid(params: &[ParamRange]) -> Vec<Point> {
    let mut points: Vec<Point> = vec![Vec::new()];
    for p in params {
        points = points
            .into_iter()
            .flat_map(|c| {
                p.values.iter().map(move |&v| {
                    let mut next = c.clone();
                    next.push(v);
                    next
                })
            })
            .collect();
    }
    points
}

/// The point as a study variant: its parameters set, named by their values.
fn variant(params: &[ParamRange], values: &[f64]) -> Variant {
    Variant {
        label: format!("sweep point {}", assignments(params, values)),
        overrides: params
            .iter()
            .zip(values)
            .map(|(p, &v)| (p.key.clone(), p.value(v)))
            .collect(),
    }
}

/// `key=value, key2=value2` of one point.
fn assignments(params: &[ParamRange], values: &[f64]) -> String {
    params
        .iter()
        .zip(values)
        .map(|(p, v)| format!("{}={v}", p.key))
        .collect::<Vec<_>>()
        .join(", ")
}

/// sweep.csv: one row per point, the parameters then the figures comparison.csv shares,
/// then the chosen metric's statistics when it is not `savings_pv` (whose are among the
/// shared ones), then the metric's upper tail (P99, ES 99%; its P95 is in both cases
/// already there), appended last so that readers of the older columns keep working.
fn sweep_csv(params: &[ParamRange], points: &[Point], rows: &[Row], metric: Metric) -> String {
    let keys: Vec<String> = params.iter().map(|p| csv_field(&p.key)).collect();
    let mut out = format!("{},{SHARED_COLUMNS}", keys.join(","));
    let extra = metric != Metric::SavingsPv;
    if extra {
        let m = metric.name();
        let _ = write!(
            out,
            ",{m}_mean,{m}_stderr,{m}_p05,{m}_p50,{m}_p95,{m}_lower_es_05"
        );
    }
    let _ = write!(out, ",{m}_p99,{m}_upper_es_99", m = metric.name());
    out.push('\n');
    for (p, r) in points.iter().zip(rows) {
        for v in p {
            let _ = write!(out, "{v},");
        }
        out.push_str(&shared_csv(&r.headline));
        if extra {
            let q = r.metric_stats.quantiles;
            let _ = write!(
                out,
                ",{},{},{},{},{},{}",
                r.metric_mean, r.metric_stderr, q[1], q[4], q[7], r.metric_stats.lower_es_05
            );
        }
        let s = &r.metric_stats;
        let _ = write!(out, ",{},{}", s.quantiles[8], s.upper_es_99);
        out.push('\n');
    }
    out
}

/// Money keys get a money axis; the rest plain numbers.
fn param_kind(key: &str) -> ValueKind {
    const MONEY: [&str; 7] = [
        "price0",
        "long_run_mean",
        "hedge_price",
        "rent_per_kw_month",
        "opex_per_kw_month",
        "capex_per_mw",
        "cap",
    ];
    let last = key.rsplit('.').next().unwrap_or(key);
    if MONEY.contains(&last) {
        ValueKind::Money
    } else {
        ValueKind::Number
    }
}

/// The value every point has, if they all have the same.
fn same<T: PartialEq + Copy>(rows: &[Row], get: fn(&Headline) -> T) -> Option<T> {
    let first = get(&rows.first()?.headline);
    rows.iter()
        .all(|r| get(&r.headline) == first)
        .then_some(first)
}

fn chart_data(args: &SweepArgs, points: &[Point], rows: &[Row]) -> SweepChart {
    let parameter = |p: &ParamRange| SweepParameter {
        key: p.key.clone(),
        kind: param_kind(&p.key),
    };
    let first = &rows[0].headline;
    SweepChart {
        scenario: first.scenario.clone(),
        paths: same(rows, |h| h.paths),
        seed: same(rows, |h| h.seed),
        horizon_months: same(rows, |h| h.horizon_months),
        x: parameter(&args.params[0]),
        group: args.params.get(1).map(parameter),
        metric: args.metric.name().to_string(),
        metric_desc: metric_desc(args.metric),
        metric_kind: metric_kind(args.metric),
        upper_tail: upper_tail(args.metric),
        points: points
            .iter()
            .zip(rows)
            .map(|(p, r)| SweepPoint {
                x: p[0],
                group: p.get(1).copied(),
                mean: r.metric_mean,
                stderr: r.metric_stderr,
                tail: match upper_tail(args.metric) {
                    true => r.metric_stats.quantiles[P95],
                    false => r.metric_stats.quantiles[P05],
                },
            })
            .collect(),
    }
}

/// Positions of P5 and P95 in a metric's quantiles (`QUANTILE_LEVELS`).
const P05: usize = 1;
const P95: usize = 7;

/// Whether sweep.png shows the metric's upper tail (P95): for every metric but savings,
/// whose risk is low values (costs, losses, MW-months and counts are risky when high).
fn upper_tail(metric: Metric) -> bool {
    metric != Metric::SavingsPv
}

/// Rows of the stdout table at most; a longer sweep says where the rest is.
const MAX_TABLE_ROWS: usize = 30;

fn report(args: &SweepArgs, points: &[Point], rows: &[Row], started: Instant) -> String {
    let kind = metric_kind(args.metric);
    let h = &rows[0].headline;
    let mut table: Vec<Vec<String>> = vec![
        args.params
            .iter()
            .map(|p| p.key.clone())
            .chain([
                format!("{} mean (95% CI)", args.metric.name()),
                "P5".to_string(),
                "ES 5%".to_string(),
                "P99".to_string(),
                "ES 99%".to_string(),
                "P(savings < 0)".to_string(),
            ])
            .collect(),
    ];
    for (p, r) in points.iter().zip(rows).take(MAX_TABLE_ROWS) {
        let mut cells: Vec<String> = p.iter().map(|v| format!("{v}")).collect();
        cells.push(format!(
            "{} ± {}",
            show(kind, r.metric_mean),
            show(kind, Z95 * r.metric_stderr)
        ));
        cells.push(show(kind, r.metric_stats.quantiles[1]));
        cells.push(show(kind, r.metric_stats.lower_es_05));
        cells.push(show(kind, r.metric_stats.quantiles[8]));
        cells.push(show(kind, r.metric_stats.upper_es_99));
        cells.push(pct(r.headline.p_savings_negative));
        table.push(cells);
    }
    let paths = same(rows, |h| h.paths).map_or("paths vary by point".to_string(), |p| {
        format!("{p} paths each")
    });
    let seed = same(rows, |h| h.seed).map_or("a different seed at each point".to_string(), |s| {
        format!("seed {s} at every point (common random numbers)")
    });
    let mut out = format!(
        "sweep {}: {} point(s), {paths}, {seed}, {:.2} s\n{}",
        h.scenario,
        points.len(),
        started.elapsed().as_secs_f64(),
        text_table(&table)
    );
    if points.len() > MAX_TABLE_ROWS {
        let _ = writeln!(
            out,
            "  … {} more point(s) in sweep.csv",
            points.len() - MAX_TABLE_ROWS
        );
    }
    out
}

/// An axis description of a metric, with its unit.
fn metric_desc(m: Metric) -> String {
    match m {
        Metric::SavingsPv => "Savings against all-cloud, present value (US$)".to_string(),
        Metric::IdleMwMonths => "Idle capacity (MW-months)".to_string(),
        Metric::OverflowMwMonths => "Demand served by cloud overflow (MW-months)".to_string(),
        Metric::LandlordDefaults => "Landlord defaults per path".to_string(),
        Metric::TenantDefault => "Tenant default probability".to_string(),
        _ => format!("{}, present value at month 0 (US$)", m.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// sweep.png shows the tail where each metric's risk is: the P5 of savings, the P95 of
    /// every cost, loss, MW-months and count (for a guarantor, a P5 payout is $0).
    #[test]
    fn loss_metrics_show_their_upper_tail() {
        for m in Metric::ALL {
            assert_eq!(upper_tail(m), m != Metric::SavingsPv, "{}", m.name());
        }
        let levels = dcrisk_core::stats::QUANTILE_LEVELS;
        assert_eq!((levels[P05].0, levels[P95].0), ("p05", "p95"));
    }
}
