//! `dcrisk solve`: the decision at which a statistic of the run reaches a target, with a
//! 95% interval from the Monte Carlo error (docs/MODEL.md "Decisions"); every evaluation
//! a whole run with the same seed and paths. Writes `OUT/<name>/solve.json`, `solve.png`,
//! `solve.run.json` and the reports `solve.html` / `solve.xlsx` (`--report`; named for
//! the command, so the run's own report.html stays), beside the folder's other files.

use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use dcrisk_core::decide::{Eval, Solution, SolveError, SolveOptions, Statistic, solve as seek};
use dcrisk_core::engine::simulate;
use dcrisk_core::{NoProgress, RunResults, Scenario};
use dcrisk_report::{ChartOptions, SolveChart, SolveReport, ValueKind, render_solve};
use serde_json::json;

use crate::atomic::{OutputFile, prepare, write_beside};
use crate::cli::{Bounds, SolveArgs};
use crate::decision::{Decision, Mode, significant};
use crate::finite;
use crate::limits::{self, Load};
use crate::load::InputError;
use crate::pool::thread_pool;
use crate::progress::RunCounter;
use crate::provenance::Record;
use crate::publish::say;
use crate::report::{making_rows, solve_files};
use crate::table::show;

/// `dcrisk solve`.
pub fn solve(args: &SolveArgs) -> Result<()> {
    let started = Instant::now();
    let (bounds, mode) = match (&args.vary, &args.scale) {
        (Some(b), None) => (b, Mode::Set),
        (None, Some(b)) => (b, Mode::Scale),
        _ => return Err(InputError("give one of --vary and --scale".into()).into()),
    };
    let d = Decision::load(
        &args.scenario,
        &args.run.common.set,
        &bounds.key,
        mode,
        args.run.strict,
    )?;
    // Both ends, the middle and a point halfway between two whole numbers validated
    // before anything runs: a field that takes whole numbers is refused here, not at
    // whichever evaluation first lands between two.
    let middle = 0.5 * (bounds.lo + bounds.hi);
    let between = middle.floor() + 0.5;
    let probe = (bounds.lo..=bounds.hi)
        .contains(&between)
        .then_some(between);
    for x in [Some(bounds.lo), Some(middle), Some(bounds.hi), probe]
        .into_iter()
        .flatten()
    {
        d.scenario(x)?;
    }
    let config = args.run.common.run_config(&d.base);
    check_paths(args, config.total_paths())?;
    let pool = thread_pool(args.run.common.threads)?;
    let threads = pool.current_num_threads();
    let load = Load {
        charts: false,
        ..Load::run(config.total_paths(), threads)
    };
    limits::check_memory(&load, "this goal seek", "lower --paths")?;
    let dir = args.run.common.out.join(&d.base.name);
    let record = Record::for_scenario(&args.scenario, &args.run.common.set, &d.tree)?
        .forced(args.run.force)
        .with("threads", json!(threads));
    record.check_replacement(&dir)?;
    let _prepared = prepare(&dir)?;
    let counter = RunCounter::new(&format!("solve {}", d.base.name));
    let mut first: Option<RunResults> = None;
    let statistic = args.target.statistic;
    let evaluate = |x: f64| -> Result<(f64, f64)> {
        let s: Scenario = d.scenario(x)?;
        let r = pool.install(|| simulate(&s, &config, &NoProgress));
        finite::check(&r, None)?;
        let reading = statistic.read(&r);
        counter.tick(format!("{} at {x}: {}", statistic.name(), reading.value));
        if first.is_none() {
            first = Some(r);
        }
        Ok((reading.value, reading.stderr))
    };
    let opts = SolveOptions {
        lo: bounds.lo,
        hi: bounds.hi,
        target: args.target.value,
        tol: args.tol,
        multiplier: statistic.multiplier(),
    };
    let outcome = seek(&opts, evaluate);
    counter.finish();
    let solution = outcome.map_err(|e| not_solved(e, args, bounds, &d))?;
    let r = first.ok_or_else(|| anyhow!("no run was made"))?;
    let mut files = vec![OutputFile::new(
        "solve.json",
        serde_json::to_string_pretty(&solve_json(args, &d, &solution)).expect("serialisable")
            + "\n",
    )];
    let chart = chart(args, &d, &solution, &r);
    let png = match args.run.charts.no_charts {
        true => None,
        false => {
            let (width, height) = args.run.charts.chart_size;
            Some(
                render_solve(&chart, &ChartOptions { width, height })
                    .context("cannot render the goal-seek chart")?,
            )
        }
    };
    let run = record.study_json(r.seed, r.paths);
    let making = making_rows(&run);
    let committee = SolveReport {
        chart: &chart,
        key: &d.key,
        mode: d.mode.name(),
        range: [bounds.lo, bounds.hi],
        answer: d.describe(solution.root.x),
        kind: value_kind(&args.target.statistic),
        achieved_stderr: solution.root.stderr,
        clipped: solution.clipped,
        tol: args.tol,
        method: METHOD,
        png: png.as_ref(),
        making: &making,
        started: run.get("started").and_then(serde_json::Value::as_str),
    };
    files.extend(solve_files(&committee, args.run.report.formats())?);
    files.extend(png.map(|c| OutputFile::new(c.file_name, c.png)));
    files.push(record.json_file("solve.run.json", r.seed, r.paths));
    write_beside(&dir, &files, &|| Ok(record.check_replacement(&dir)?))?;
    say(&report(args, &d, &solution, &r, started, &dir));
    Ok(())
}

/// The reports' names for the stdout summary, each followed by a comma.
fn reports_written(reports: crate::cli::Reports) -> String {
    let mut out = String::new();
    if reports.html {
        out.push_str("solve.html, ");
    }
    if reports.xlsx {
        out.push_str("solve.xlsx, ");
    }
    out
}

/// Quantile and tail targets need enough paths for their batches.
fn check_paths(args: &SolveArgs, paths: u64) -> Result<(), InputError> {
    use dcrisk_core::decide::target::{BATCHES, MIN_BATCH_PATHS};
    let need = BATCHES as u64 * MIN_BATCH_PATHS;
    if args.target.statistic.needs_batches() && paths < need {
        return Err(InputError(format!(
            "--target {}: a quantile or tail target takes its standard error from {BATCHES} \
             batches of paths and needs at least {need} paths, got {paths}",
            args.target.text()
        )));
    }
    Ok(())
}

/// The goal seek's failure: not bracketed is bad input (exit 2), naming the statistic at
/// both ends; a failed run passes through.
fn not_solved(
    e: SolveError<anyhow::Error>,
    args: &SolveArgs,
    bounds: &Bounds,
    d: &Decision,
) -> anyhow::Error {
    match e {
        SolveError::NotBracketed { lo, hi } => InputError(format!(
            "{}: the target {} is not between the statistic's values at the ends of the \
             range: {} = {} at {} and {} at {}; widen LO:HI or change the target",
            args.scenario.display(),
            args.target.text(),
            args.target.statistic.name(),
            lo.value,
            d.describe(bounds.lo),
            hi.value,
            d.describe(bounds.hi),
        ))
        .into(),
        SolveError::Eval(e) => e,
    }
}

/// How the answer and its interval are computed (solve.json's `method`).
const METHOD: &str = "Illinois regula falsi safeguarded by bisection; 95% interval by \
                      inverting the statistic's own test (docs/MODEL.md, Decisions)";

/// solve.json: the contract's fields, then the method and every evaluation.
fn solve_json(args: &SolveArgs, d: &Decision, s: &Solution) -> serde_json::Value {
    let point = |e: &Eval| json!({"x": e.x, "value": e.value, "stderr": e.stderr});
    json!({
        "key": d.key,
        "mode": d.mode.name(),
        "target": {"statistic": args.target.statistic.name(), "value": args.target.value},
        "value": s.root.x,
        "interval": s.interval,
        "achieved": s.root.value,
        "evaluations": s.evaluations.len(),
        "achieved_stderr": s.root.stderr,
        "interval_clipped": s.clipped,
        "tol": args.tol,
        "method": METHOD,
        "points": s.evaluations.iter().map(point).collect::<Vec<_>>(),
    })
}

fn chart(args: &SolveArgs, d: &Decision, s: &Solution, r: &RunResults) -> SolveChart {
    SolveChart {
        scenario: r.scenario.clone(),
        paths: r.paths,
        seed: r.seed,
        decision: match d.mode {
            Mode::Set => d.key.clone(),
            Mode::Scale => format!("Factor on {}", d.key),
        },
        statistic: args.target.statistic.name(),
        money: value_kind(&args.target.statistic) == ValueKind::Money,
        target: args.target.value,
        multiplier: args.target.statistic.multiplier(),
        points: s
            .evaluations
            .iter()
            .map(|e| (e.x, e.value, e.stderr))
            .collect(),
        root: s.root.x,
        achieved: s.root.value,
        interval: s.interval,
    }
}

/// Whether a statistic's metric is in dollars (the present values).
fn is_money(name: &str) -> bool {
    name.split('.').next().is_some_and(|m| m.ends_with("_pv"))
}

/// How the statistic reads on the terminal: money, a share, or a number.
fn value_kind(statistic: &Statistic) -> ValueKind {
    match statistic {
        Statistic::Probability(_) => ValueKind::Share,
        s if is_money(&s.name()) => ValueKind::Money,
        _ => ValueKind::Number,
    }
}

fn report(
    args: &SolveArgs,
    d: &Decision,
    s: &Solution,
    r: &RunResults,
    started: Instant,
    dir: &std::path::Path,
) -> String {
    let kind = value_kind(&args.target.statistic);
    let clipped = match s.clipped {
        [false, false] => "",
        _ => " (cut at the search range: the Monte Carlo error is wider than it)",
    };
    let hw = args.target.statistic.multiplier() * s.root.stderr;
    format!(
        "solve {}: {} = {} ({})\n  answer   {}\n  95% interval [{}, {}]{clipped}\n  at the \
         answer {} = {} ± {}\n  {} runs of {} paths, seed {} (common random numbers), {:.2} \
         s\n  wrote solve.json, {}{}solve.run.json in {}/\n",
        r.scenario,
        args.target.statistic.name(),
        show(kind, args.target.value),
        d.mode.flag(),
        d.describe(s.root.x),
        significant(s.interval[0]),
        significant(s.interval[1]),
        args.target.statistic.name(),
        show(kind, s.root.value),
        show(kind, hw),
        s.evaluations.len(),
        r.paths,
        r.seed,
        started.elapsed().as_secs_f64(),
        if args.run.charts.no_charts {
            ""
        } else {
            "solve.png, "
        },
        reports_written(args.run.report.formats()),
        dir.display()
    )
}
