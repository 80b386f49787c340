//! `dcrisk sweep`: one scenario over a grid of one or two parameters, every point with the
//! same seed (common random numbers), written to OUT/<name>/sweep.csv and sweep.png.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use dcrisk_core::scenario::{Table, Value, apply_override};
use dcrisk_core::stats::summarize_metric;
use dcrisk_core::{Metric, Scenario};
use dcrisk_report::{
    ChartOptions, Headline, SweepChart, SweepParameter, SweepPoint, ValueKind, render_sweep,
};

use crate::cli::{ChartArgs, CommonArgs, parse_metric};
use crate::commands::{self, say};
use crate::load::{InputError, load_tree, validate_tree};
use crate::outputs::OutputFile;
use crate::progress::PathBar;
use crate::variants::{
    HEADLINE_COLUMNS, csv_field, headline_csv, metric_desc, metric_kind, par_map, pct, round12,
    show, simulate_on_pool, text_table, write_beside,
};

#[derive(Args, Debug, Clone)]
pub struct SweepArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// A parameter to sweep: KEY=START:END:STEPS, KEY in --set's syntax, STEPS evenly
    /// spaced values from START to END inclusive (e.g. regions.ERCOT.volatility=0.5:1.5:5).
    /// Give it twice for a two-parameter grid.
    #[arg(long = "param", value_name = "KEY=START:END:STEPS", required = true, value_parser = parse_param)]
    pub params: Vec<ParamRange>,
    /// Metric of sweep.png and of the table: any metric of summary.json.
    #[arg(long, default_value = "savings_pv", value_parser = parse_metric)]
    pub metric: Metric,
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub charts: ChartArgs,
}

/// A swept parameter and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamRange {
    pub key: String,
    pub values: Vec<f64>,
    /// START and END were written as whole numbers and every value is whole: the values go
    /// into the scenario as integers.
    pub integer: bool,
}

impl ParamRange {
    fn value(&self, v: f64) -> Value {
        if self.integer {
            Value::Int(v as i64)
        } else {
            Value::Float(v)
        }
    }
}

/// Most values of one parameter, and most points of a grid.
const MAX_STEPS: usize = 1000;
const MAX_POINTS: usize = 10_000;

/// `KEY=START:END:STEPS` -> the key and its STEPS values.
fn parse_param(s: &str) -> Result<ParamRange, String> {
    let (key, spec) = s
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=START:END:STEPS, got {s:?}"))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(format!("empty key in {s:?}"));
    }
    let parts: Vec<&str> = spec.split(':').map(str::trim).collect();
    let [start, end, steps] = parts[..] else {
        return Err(format!(
            "expected START:END:STEPS after {key}=, got {spec:?}"
        ));
    };
    let number = |text: &str, what: &str| -> Result<f64, String> {
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(format!("{what} must be a finite number, got {text:?}")),
        }
    };
    let (lo, hi) = (number(start, "START")?, number(end, "END")?);
    let n: usize = steps
        .parse()
        .ok()
        .filter(|n| (1..=MAX_STEPS).contains(n))
        .ok_or_else(|| format!("STEPS must be a whole number in 1..={MAX_STEPS}, got {steps:?}"))?;
    if n == 1 && lo != hi {
        return Err(format!(
            "STEPS = 1 takes a single value: START and END must be equal, got {start} and {end}"
        ));
    }
    let values: Vec<f64> = (0..n)
        .map(|i| {
            if i + 1 == n {
                hi
            } else {
                round12(lo + (hi - lo) * i as f64 / (n - 1).max(1) as f64)
            }
        })
        .collect();
    let whole = |t: &str| t.parse::<i64>().is_ok();
    let integer =
        whole(start) && whole(end) && values.iter().all(|v| v.fract() == 0.0 && v.abs() < 9e15);
    Ok(ParamRange {
        key: key.to_string(),
        values,
        integer,
    })
}

/// One point of the grid: its parameter values and its validated scenario.
struct Point {
    values: Vec<f64>,
    scenario: Scenario,
}

/// What a point's run gives the CSV, the chart and the table.
struct Row {
    headline: Headline,
    metric_mean: f64,
    metric_stderr: f64,
    metric_stats: dcrisk_core::MetricStats,
}

/// `dcrisk sweep`.
pub fn sweep(args: &SweepArgs) -> Result<()> {
    let started = Instant::now();
    let params = &args.params;
    check_params(params)?;
    let file = args.scenario.display().to_string();
    let tree = load_tree(&args.scenario, &args.common.set)?;
    let points = grid_points(&file, &tree, params)?;
    let common = &args.common;
    let paths_of = |p: &Point| common.paths.unwrap_or(p.scenario.paths);
    let seed_of = |p: &Point| common.seed.unwrap_or(p.scenario.seed);
    let total: u64 = points.iter().map(paths_of).sum();
    let name = points[0].scenario.name.clone();
    let pool = commands::thread_pool(common.threads)?;
    let bar = PathBar::new(total, &format!("sweep {name} ({} points)", points.len()));
    let rows = par_map(&pool, &points, |p| {
        let r = simulate_on_pool(&p.scenario, paths_of(p), seed_of(p), common, &bar);
        let estimate = r.estimate(args.metric);
        Row {
            headline: Headline::from_results(&r),
            metric_mean: estimate.mean,
            metric_stderr: estimate.stderr,
            metric_stats: summarize_metric(r.metrics.get(args.metric)),
        }
    });
    bar.finish();

    let mut files = vec![OutputFile::new(
        "sweep.csv",
        sweep_csv(params, &points, &rows, args.metric),
    )];
    if !args.charts.no_charts {
        let chart = chart_data(args, &points, &rows);
        let (width, height) = args.charts.chart_size;
        let png = render_sweep(&chart, &ChartOptions { width, height })
            .context("cannot render the sweep chart")?;
        files.push(OutputFile::new(png.file_name, png.png));
    }
    let dir = common.out.join(&name);
    write_beside(&dir, &files)?;
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    say(&format!(
        "{}  wrote {} in {}/\n",
        report(args, &points, &rows, started),
        names.join(", "),
        dir.display()
    ));
    Ok(())
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

/// Every point of the grid (the first parameter varying slowest), each a copy of the
/// scenario tree with the parameters set and then validated like the file. A point that
/// fails is an input error naming its values; nothing runs.
fn grid_points(file: &str, tree: &Table, params: &[ParamRange]) -> Result<Vec<Point>, InputError> {
    let mut combos: Vec<Vec<f64>> = vec![Vec::new()];
    for p in params {
        combos = combos
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
    let mut points = Vec::with_capacity(combos.len());
    let mut failures: Vec<InputError> = Vec::new();
    for values in combos {
        let mut t = tree.clone();
        for (p, &v) in params.iter().zip(&values) {
            apply_override(&mut t, &p.key, p.value(v)).map_err(|e| {
                let e = e
                    .strip_prefix("--set ")
                    .map_or(e.clone(), |rest| format!("--param {rest}"));
                InputError(format!("{file}: {e}"))
            })?;
        }
        let label = format!("{file}: sweep point {}", assignments(params, &values));
        match validate_tree(&label, &t) {
            Ok(scenario) => points.push(Point { values, scenario }),
            Err(e) => failures.push(e),
        }
    }
    match failures.len() {
        0 => Ok(points),
        1 => Err(failures.remove(0)),
        n => Err(InputError(format!(
            "{}\n({n} sweep points fail in all; nothing ran)",
            failures[0].0
        ))),
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

/// sweep.csv: one row per point, the parameters then the headline figures, then the
/// chosen metric's statistics when it is not `savings_pv`.
fn sweep_csv(params: &[ParamRange], points: &[Point], rows: &[Row], metric: Metric) -> String {
    let keys: Vec<String> = params.iter().map(|p| csv_field(&p.key)).collect();
    let mut out = format!("{},{HEADLINE_COLUMNS}", keys.join(","));
    let extra = metric != Metric::SavingsPv;
    if extra {
        let m = metric.name();
        let _ = write!(
            out,
            ",{m}_mean,{m}_stderr,{m}_p05,{m}_p50,{m}_p95,{m}_lower_es_05"
        );
    }
    out.push('\n');
    for (p, r) in points.iter().zip(rows) {
        for v in &p.values {
            let _ = write!(out, "{v},");
        }
        out.push_str(&headline_csv(&r.headline));
        if extra {
            let q = r.metric_stats.quantiles;
            let _ = write!(
                out,
                ",{},{},{},{},{},{}",
                r.metric_mean, r.metric_stderr, q[1], q[4], q[7], r.metric_stats.lower_es_05
            );
        }
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
        points: points
            .iter()
            .zip(rows)
            .map(|(p, r)| SweepPoint {
                x: p.values[0],
                group: p.values.get(1).copied(),
                mean: r.metric_mean,
                stderr: r.metric_stderr,
                p05: r.metric_stats.quantiles[1],
            })
            .collect(),
    }
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
                "P(savings < 0)".to_string(),
            ])
            .collect(),
    ];
    for (p, r) in points.iter().zip(rows).take(MAX_TABLE_ROWS) {
        let mut cells: Vec<String> = p.values.iter().map(|v| format!("{v}")).collect();
        cells.push(format!(
            "{} ± {}",
            show(kind, r.metric_mean),
            show(kind, 1.959_963_984_540_054 * r.metric_stderr)
        ));
        cells.push(show(kind, r.metric_stats.quantiles[1]));
        cells.push(show(kind, r.metric_stats.lower_es_05));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_parse_into_grids() {
        let p = parse_param("regions.ERCOT.volatility=0.5:1.5:5").unwrap();
        assert_eq!(p.key, "regions.ERCOT.volatility");
        assert_eq!(p.values, vec![0.5, 0.75, 1.0, 1.25, 1.5]);
        assert!(!p.integer);
        let p = parse_param("a=0.1:0.3:3").unwrap();
        assert_eq!(p.values, vec![0.1, 0.2, 0.3]);
        let p = parse_param("horizon_years=1:3:3").unwrap();
        assert_eq!(p.values, vec![1.0, 2.0, 3.0]);
        assert!(p.integer);
        let p = parse_param("sites.\"A 1\".pue = 1.2:1.2:1").unwrap();
        assert_eq!(
            (p.key.as_str(), p.values.as_slice()),
            ("sites.\"A 1\".pue", &[1.2][..])
        );
        let p = parse_param("x=-1:1:3").unwrap();
        assert_eq!(p.values, vec![-1.0, 0.0, 1.0]);
        for bad in [
            "x",
            "x=1:2",
            "x=1:2:0",
            "x=a:2:3",
            "x=1:2:1",
            "=1:2:3",
            "x=1:inf:2",
        ] {
            assert!(parse_param(bad).is_err(), "{bad}");
        }
    }
}
