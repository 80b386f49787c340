//! `dcrisk run` on a scenario with uncertain inputs (docs/MODEL.md, "Uncertain inputs"):
//! the outer samples drawn, each sample's scenario checked, the two-level run on one
//! pool, and the run's folder with the pooled statistics as usual plus uncertainty.csv,
//! drivers.csv, summary.json's `uncertainty` and the drivers charts; its report.html and
//! report.xlsx add the uncertain inputs (drivers, outer samples, their charts).

use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{Context, Result};
use dcrisk_core::engine::RunConfig;
use dcrisk_core::scenario::Table;
use dcrisk_core::stats::{mean_std, quantile_sorted, sorted_total};
use dcrisk_core::uncertain::{
    DriverRow, OuterRun, Plan, SampleFigures, Sampling, UncertainScenario, driver_rows, run_outer,
};
use dcrisk_core::{Metric, Scenario};
use dcrisk_report::TwoLevel;
use serde_json::{Map, Value, json};

use crate::atomic::{OutputFile, prepare, write_atomically};
use crate::cli::{ChartArgs, Reports, RunArgs};
use crate::csv::csv_field;
use crate::drivers_charts::Method;
use crate::limits::{self, Load};
use crate::load::{InputError, plausible};
use crate::pool::thread_pool;
use crate::progress::PathBar;
use crate::provenance::Record;
use crate::publish::{charts_reports_and_record, output_files, say};
use crate::{finite, table};

/// A two-level run ready to simulate: the checked inputs, the scenario at their
/// medians, the run's configuration and design, and every outer sample's values and
/// validated scenario.
pub struct Prepared {
    pub uncertain: UncertainScenario,
    pub centre: Scenario,
    pub config: RunConfig,
    pub plan: Plan,
    pub values: Vec<Vec<f64>>,
    pub scenarios: Vec<Scenario>,
}

impl Prepared {
    /// The inputs' `--set` keys, in column order.
    pub fn keys(&self) -> Vec<&str> {
        self.uncertain
            .inputs
            .iter()
            .map(|i| i.key.as_str())
            .collect()
    }
}

/// Refuses `--samples`, `--sampling` and `--sobol` for a scenario without uncertain
/// inputs, which would otherwise ignore them.
pub fn refuse_flags_without_inputs(args: &RunArgs) -> Result<(), InputError> {
    match args.uncertain.given() {
        false => Ok(()),
        true => Err(InputError(format!(
            "{}: --samples, --sampling and --sobol are for a scenario with uncertain inputs \
             (fields given as distributions, docs/MODEL.md section 9); this one has none",
            args.scenario.display()
        ))),
    }
}

/// The tree's uncertain inputs, each checked against its field (every problem listed),
/// and the scenario with every input at its median, validated.
pub fn uncertain_inputs(
    label: &str,
    tree: &Table,
) -> Result<(UncertainScenario, Scenario), InputError> {
    let uncertain = UncertainScenario::from_tree(tree).map_err(|e| {
        let lines: Vec<String> = e.errors().iter().map(|f| format!("  {f}")).collect();
        InputError(format!(
            "{label}: {} problem(s):\n{}",
            e.total(),
            lines.join("\n")
        ))
    })?;
    let centre = uncertain
        .scenario_at(&uncertain.values_at(&vec![0.5; uncertain.inputs.len()]))
        .map_err(|e| InputError(format!("{label}: {e}")))?;
    Ok((uncertain, centre))
}

/// Checks the tree's uncertain inputs and draws and validates every outer sample (all
/// of them, also for a shard: each shard sees the same design).
pub fn prepare_run(args: &RunArgs, tree: &Table) -> Result<Prepared> {
    refuse_flags(args)?;
    let label = args.scenario.display().to_string();
    let (uncertain, centre) = uncertain_inputs(&label, tree)?;
    plausible(&args.scenario, &args.common.set, &centre, args.strict)?;
    let config = args.common.run_config(&centre);
    let plan = Plan {
        samples: args.uncertain.samples() as usize,
        sampling: args.uncertain.sampling(),
        sobol: args.uncertain.sobol,
    };
    let values = plan.values(&uncertain, config.seed);
    let scenarios = sample_scenarios(&label, &uncertain, &values)?;
    Ok(Prepared {
        uncertain,
        centre,
        config,
        plan,
        values,
        scenarios,
    })
}

/// `dcrisk run` of a tree with uncertain inputs (`--set` already applied).
pub fn run(args: &RunArgs, tree: &Table) -> Result<()> {
    let p = prepare_run(args, tree)?;
    let pool = thread_pool(args.common.threads)?;
    let pooled_paths = p.values.len() as u64 * p.config.total_paths();
    check_memory(&p.centre, pooled_paths, args, pool.current_num_threads())?;
    let dir = args.folder(&p.centre);
    let record = record(args, tree, &p, pool.current_num_threads())?.forced(args.force);
    record.check_replacement(&dir)?;
    let _prepared = prepare(&dir)?;
    let started = Instant::now();
    let bar = PathBar::new(
        pooled_paths,
        &format!("{} ({} outer samples)", p.centre.name, p.values.len()),
    );
    let outer = pool.install(|| run_outer(&p.scenarios, &p.config, &bar));
    bar.finish();
    let keys = p.keys();
    let out = Outcome {
        outer: &outer,
        keys: &keys,
        values: &p.values,
        plan: &p.plan,
        seed: p.config.seed,
    };
    publish_two_level(
        &out,
        &pool,
        &dir,
        (args.save_paths, &args.charts, args.report.formats()),
        &record,
        started,
        "",
    )
}

/// What a two-level run (or the merge of its shards) publishes.
pub struct Outcome<'a> {
    pub outer: &'a OuterRun,
    pub keys: &'a [&'a str],
    pub values: &'a [Vec<f64>],
    pub plan: &'a Plan,
    pub seed: u64,
}

/// Computes the drivers on `pool`, writes the folder `dir` at once and prints the summary.
pub fn publish_two_level(
    out: &Outcome<'_>,
    pool: &rayon::ThreadPool,
    dir: &std::path::Path,
    (save_paths, charts, reports): (bool, &ChartArgs, Reports),
    record: &Record,
    started: Instant,
    heading: &str,
) -> Result<()> {
    let drivers = pool.install(|| driver_rows(out.plan, out.values, &out.outer.samples, out.seed));
    let files = folder_files(out, &drivers, (save_paths, charts, reports), record)?;
    let count = files.len();
    // The replacement check again, under the folder's lock.
    write_atomically(dir, &files, &|| Ok(record.check_replacement(dir)?))?;
    let pooled = &out.outer.pooled;
    let report = table::render(pooled, &pooled.headline(), started.elapsed().as_secs_f64());
    say(&format!(
        "{heading}{report}{}  wrote {}/ ({count} files)\n",
        drivers_text(out.keys, &drivers, out.plan),
        dir.display()
    ));
    Ok(())
}

/// Flags that do not combine with outer samples.
fn refuse_flags(args: &RunArgs) -> Result<(), InputError> {
    let bad = [
        (
            args.precision.is_some() || args.precision_abs.is_some(),
            "--precision",
        ),
        (args.sketch, "--sketch"),
    ];
    match bad.iter().find(|(on, _)| *on) {
        Some((_, flag)) => Err(InputError(format!(
            "{}: has uncertain inputs (fields given as distributions): {flag} is not available \
             for a two-level run; drop it, or fix the inputs with --set KEY=VALUE",
            args.scenario.display()
        ))),
        None => Ok(()),
    }
}

/// Each outer sample's scenario, validated: a sample whose combination of values is
/// invalid (a rule across fields) is refused naming the sample and its values.
fn sample_scenarios(
    label: &str,
    uncertain: &UncertainScenario,
    values: &[Vec<f64>],
) -> Result<Vec<Scenario>, InputError> {
    values
        .iter()
        .enumerate()
        .map(|(s, v)| {
            uncertain.scenario_at(v).map_err(|e| {
                let set: Vec<String> = uncertain
                    .inputs
                    .iter()
                    .zip(v)
                    .map(|(i, x)| format!("--set {}={x}", i.key))
                    .collect();
                InputError(format!(
                    "{label}: outer sample {s} ({}) is not a valid scenario: {e}",
                    set.join(" ")
                ))
            })
        })
        .collect()
}

pub fn check_memory(
    centre: &Scenario,
    paths: u64,
    args: &RunArgs,
    threads: usize,
) -> Result<(), InputError> {
    let load = Load {
        charts: !args.charts.no_charts,
        save_paths: args.save_paths,
        ..Load::run(paths, threads)
    };
    limits::check_memory(
        &load,
        &format!(
            "{}: this two-level run (outer samples x paths)",
            centre.name
        ),
        "lower --samples or --paths",
    )
}

/// The run's record: run.json's `paths` are per outer sample, and `uncertainty` says
/// how the samples were drawn; scenario.toml's comment gives the flags that repeat it.
fn record(
    args: &RunArgs,
    tree: &Table,
    p: &Prepared,
    threads: usize,
) -> Result<Record, InputError> {
    let (plan, uncertain, paths) = (&p.plan, &p.uncertain, p.config.total_paths());
    let sampling = sampling_name(plan.sampling);
    let mut flags = format!(
        "--paths {paths} --samples {} --sampling {sampling}",
        plan.samples
    );
    if plan.sobol {
        flags.push_str(" --sobol");
    }
    for (on, flag) in [
        (args.common.antithetic, " --antithetic"),
        (args.common.control_variates, " --control-variates"),
    ] {
        if on {
            flags.push_str(flag);
        }
    }
    let inputs: Vec<&str> = uncertain.inputs.iter().map(|i| i.key.as_str()).collect();
    Ok(
        Record::for_scenario(&args.scenario, &args.common.set, tree)?
            .with("paths", json!(paths))
            .with("threads", json!(threads))
            .with(
                "uncertainty",
                json!({
                    "samples": plan.samples,
                    "sampling": sampling,
                    "sobol": plan.sobol,
                    "outer_evaluations": plan.evaluations(inputs.len()),
                    "pooled_paths": paths * plan.evaluations(inputs.len()) as u64,
                    "inputs": inputs,
                }),
            )
            .reproduced_by(flags),
    )
}

pub fn sampling_name(s: Sampling) -> &'static str {
    match s {
        Sampling::LatinHypercube => "lhs",
        Sampling::MonteCarlo => "mc",
    }
}

/// Every file of the folder: the pooled run's usual files and charts (summary.json with
/// `uncertainty` added), the record, uncertainty.csv, drivers.csv and the drivers charts.
fn folder_files(
    out: &Outcome<'_>,
    drivers: &[DriverRow],
    (save_paths, charts, reports): (bool, &ChartArgs, Reports),
    record: &Record,
) -> Result<Vec<OutputFile>> {
    let pooled = &out.outer.pooled;
    let stats = pooled.metric_stats();
    finite::check(pooled, Some(&stats))?;
    let mut files = output_files(pooled, &stats, save_paths);
    for f in files.iter_mut().filter(|f| f.name == "summary.json") {
        let mut summary: Value = serde_json::from_slice(&f.bytes).context("summary.json")?;
        summary["uncertainty"] = uncertainty_json(out.outer);
        f.bytes = (serde_json::to_string_pretty(&summary).expect("serialisable") + "\n").into();
    }
    // The rows once, for the file and for the reports.
    let rows = uncertainty_rows(out.values, &out.outer.samples, 0);
    files.push(OutputFile::new(
        "uncertainty.csv",
        csv_of_rows(out.keys, &rows, 0),
    ));
    files.push(OutputFile::new(
        "drivers.csv",
        drivers_csv(out.keys, drivers),
    ));
    let drivers_charts =
        crate::drivers_charts::charts(charts, pooled, out.outer, out.keys, drivers, out.plan)?;
    // The reports show the pooled run's charts, and the drivers charts in their own section.
    let two_level = TwoLevel {
        keys: out.keys,
        drivers,
        method: Method::of(pooled, out.outer, out.plan).line(),
        header: uncertainty_columns(out.keys),
        samples: rows,
        savings_spread: spread(out.outer, Metric::SavingsPv),
        charts: &drivers_charts,
    };
    files.extend(charts_reports_and_record(
        pooled,
        &stats,
        charts,
        reports,
        record,
        Some(&two_level),
    )?);
    files.extend(
        drivers_charts
            .into_iter()
            .map(|c| OutputFile::new(c.file_name, c.png)),
    );
    Ok(files)
}

/// summary.json's `uncertainty`: per metric, its inner mean's distribution over the
/// outer samples (mean, standard deviation, P05, P50, P95).
fn uncertainty_json(outer: &OuterRun) -> Value {
    let mut block = Map::new();
    for m in Metric::OUTPUT {
        let [mean, std, p05, p50, p95] = spread(outer, m);
        block.insert(
            m.name().to_string(),
            json!({"mean": mean, "std": std, "p05": p05, "p50": p50, "p95": p95}),
        );
    }
    Value::Object(block)
}

/// A metric's inner mean over the outer samples: mean, standard deviation, P05, P50, P95.
fn spread(outer: &OuterRun, m: Metric) -> [f64; 5] {
    let means: Vec<f64> = outer.samples.iter().map(|f| f.mean[m.index()]).collect();
    let (mean, std) = mean_std(&means);
    let sorted = sorted_total(&means);
    [
        mean,
        std,
        quantile_sorted(&sorted, 0.05),
        quantile_sorted(&sorted, 0.5),
        quantile_sorted(&sorted, 0.95),
    ]
}

/// A number at full precision (the shortest text that reads back to the same double),
/// empty when it is not a number.
pub fn full(x: f64) -> String {
    match x.is_finite() {
        true => format!("{x}"),
        false => String::new(),
    }
}

/// The columns of uncertainty.csv, unquoted (the workbook's header).
pub fn uncertainty_columns(keys: &[&str]) -> Vec<String> {
    let mut header: Vec<String> = vec!["sample".into()];
    header.extend(keys.iter().map(|k| k.to_string()));
    for m in Metric::OUTPUT {
        for stat in ["mean", "p05", "lower_es_05"] {
            header.push(format!("{}_{stat}", m.name()));
        }
    }
    header.extend(
        [
            "p_savings_negative",
            "tenant_default",
            "any_landlord_default",
        ]
        .map(String::from),
    );
    header
}

/// The header of uncertainty.csv.
pub fn uncertainty_header(keys: &[&str]) -> String {
    let columns = uncertainty_columns(keys);
    let quoted: Vec<String> = columns.iter().map(|c| csv_field(c)).collect();
    quoted.join(",")
}

/// uncertainty.csv's rows as numbers (the sample's number first), the first numbered
/// `first`.
pub fn uncertainty_rows(
    values: &[Vec<f64>],
    samples: &[SampleFigures],
    first: usize,
) -> Vec<Vec<f64>> {
    values
        .iter()
        .zip(samples)
        .enumerate()
        .map(|(s, (v, f))| {
            let mut row = vec![(first + s) as f64];
            row.extend(v);
            for m in Metric::OUTPUT {
                let i = m.index();
                row.extend([f.mean[i], f.p05[i], f.lower_es_05[i]]);
            }
            let p = f.probabilities;
            row.extend([p.savings_negative, p.tenant_default, p.any_landlord_default]);
            row
        })
        .collect()
}

/// uncertainty.csv: one row per outer sample, the first numbered `first`.
pub fn uncertainty_csv(
    keys: &[&str],
    values: &[Vec<f64>],
    samples: &[SampleFigures],
    first: usize,
) -> String {
    csv_of_rows(keys, &uncertainty_rows(values, samples, first), first)
}

/// uncertainty.csv from its rows (see [`uncertainty_rows`]), the first numbered `first`.
fn csv_of_rows(keys: &[&str], rows: &[Vec<f64>], first: usize) -> String {
    let mut out = uncertainty_header(keys) + "\n";
    for (s, row) in rows.iter().enumerate() {
        let mut cells: Vec<String> = vec![(first + s).to_string()];
        cells.extend(row[1..].iter().map(|x| full(*x)));
        let _ = writeln!(out, "{}", cells.join(","));
    }
    out
}

/// drivers.csv: one row per input and metric.
fn drivers_csv(keys: &[&str], rows: &[DriverRow]) -> String {
    let mut out = String::from(
        "input,metric,spearman,first_order,first_order_lo,first_order_hi,total,total_lo,\
         total_hi,worst5_mean,overall_mean\n",
    );
    for r in rows {
        let (t, tlo, thi) = match r.total {
            Some(t) => (full(t.estimate), full(t.lo), full(t.hi)),
            None => Default::default(),
        };
        let fields = [
            csv_field(keys[r.input]),
            r.metric.name().to_string(),
            full(r.spearman),
            full(r.first_order.estimate),
            full(r.first_order.lo),
            full(r.first_order.hi),
            t,
            tlo,
            thi,
            full(r.worst5_mean),
            full(r.overall_mean),
        ];
        let _ = writeln!(out, "{}", fields.join(","));
    }
    out
}

/// The terminal's lines on what drives mean savings: inputs by first-order index.
fn drivers_text(keys: &[&str], rows: &[DriverRow], plan: &Plan) -> String {
    let mut savings: Vec<&DriverRow> = rows
        .iter()
        .filter(|r| r.metric == Metric::SavingsPv)
        .collect();
    savings.sort_by(|a, b| b.first_order.estimate.total_cmp(&a.first_order.estimate));
    let mut out = format!(
        "  Drivers of mean savings ({} outer samples; first-order index, 95% interval{}):\n",
        plan.evaluations(keys.len()),
        if plan.sobol { "; total effect" } else { "" }
    );
    for r in savings {
        let total = r
            .total
            .map(|t| format!("; total {:.2}", t.estimate))
            .unwrap_or_default();
        // A metric that does not vary has no index: a dash, as drivers.csv's empty cell.
        let f = |x: f64, sign: bool| match (x.is_finite(), sign) {
            (false, _) => "–".to_string(),
            (true, true) => format!("{x:+.2}"),
            (true, false) => format!("{x:.2}"),
        };
        let fo = &r.first_order;
        let _ = writeln!(
            out,
            "    {:<40} {:>5} [{}, {}]{total}; Spearman {}",
            keys[r.input],
            f(fo.estimate, false),
            f(fo.lo, false),
            f(fo.hi, false),
            f(r.spearman, true)
        );
    }
    out
}
