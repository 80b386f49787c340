//! `dcrisk batch`: every scenario of a set with the same seed and path count (common
//! random numbers, so their differences are not noise), each scenario's usual outputs,
//! and a side-by-side comparison (`comparison.csv`, comparison charts, a table).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use dcrisk_core::engine::{RunConfig, simulate};
use dcrisk_core::uncertain::has_distributions;
use dcrisk_core::{Headline, Scenario};
use dcrisk_report::{ChartOptions, format_money, render_comparison_with_base};
use serde_json::json;

use crate::atomic::{OutputFile, prepare, write_loose};
use crate::cli::{BatchArgs, CommonArgs};
use crate::csv::{HEADLINE_COLUMNS, csv_field, headline_csv};
use crate::limits::{self, Load};
use crate::load::{InputError, load_checked_tree, load_tree};
use crate::pool::{par_map, thread_pool};
use crate::progress::PathBar;
use crate::provenance::Record;
use crate::publish::{say, write_run_folder};
use crate::report::{COMPARISON_HTML, COMPARISON_XLSX, comparison_files};
use crate::table::{pct, text_table};

/// A scenario of the batch that loaded: where it came from, what it is, and the record
/// of its run's making.
struct Loaded {
    path: PathBuf,
    scenario: Scenario,
    record: Record,
}

/// The comparison outputs in OUT/ itself.
const COMPARISON_CSV: &str = "comparison.csv";

/// `dcrisk batch`.
pub fn batch(args: &BatchArgs) -> Result<()> {
    let started = Instant::now();
    let mut input_failures: Vec<String> = Vec::new();
    let loaded = load_all(args, &mut input_failures);
    if let Some(base) = &args.base
        && !loaded.iter().any(|l| l.scenario.name == *base)
    {
        let names: Vec<&str> = loaded.iter().map(|l| l.scenario.name.as_str()).collect();
        return Err(InputError(format!(
            "--base {base:?}: no scenario of the batch has that name (they are: {})",
            names.join(", ")
        ))
        .into());
    }
    let total = loaded.len() + input_failures.len();
    let (paths, seed) = common_paths_and_seed(&loaded, &args.common);
    let pool = thread_pool(args.common.threads)?;
    // Every scenario runs with this one configuration: common random numbers.
    let config = RunConfig::new(paths, seed).with_techniques(args.common.techniques());
    let per_run = config.total_paths();
    check_memory(args, per_run, loaded.len(), pool.current_num_threads())?;
    let _prepared = loaded
        .iter()
        .map(|l| prepare(&args.common.out.join(&l.scenario.name)))
        .collect::<Result<Vec<_>>>()?;
    let bar = PathBar::new(
        per_run * loaded.len() as u64,
        &format!("batch of {}", loaded.len()),
    );
    let outcomes = par_map(&pool, &loaded, |l| run_one(l, &config, args, &bar));
    bar.finish();

    let mut run_failures: Vec<String> = Vec::new();
    let mut rows: Vec<(&Loaded, Headline)> = Vec::new();
    for (l, outcome) in loaded.iter().zip(outcomes) {
        match outcome {
            Ok(h) => rows.push((l, h)),
            Err(e) => {
                eprintln!("error: {}: {e:#}", l.path.display());
                run_failures.push(l.path.display().to_string());
            }
        }
    }
    if !rows.is_empty() {
        let written = write_comparison(&rows, args)?;
        let out = &args.common.out;
        say(&report(&rows, paths, seed, started, out, &written));
    }
    outcome(total, input_failures, run_failures)
}

/// Refuses a batch whose runs held at once (see `pool::par_map`) need more memory than
/// is available (see `limits`).
fn check_memory(args: &BatchArgs, paths: u64, runs: usize, threads: usize) -> Result<()> {
    let load = Load {
        runs_at_once: runs.min(2 * threads) as u64,
        charts: !args.charts.no_charts,
        save_paths: args.save_paths,
        ..Load::run(paths, threads)
    };
    let advice = "lower --paths, or --threads (each thread holds two runs at once)";
    Ok(limits::check_memory(&load, "this batch", advice)?)
}

/// Every scenario the arguments name that loads, in order; each one that does not (or
/// that repeats an earlier one's name, which names its output folder) is reported on
/// stderr and added to `failures`, and the others still run.
fn load_all(args: &BatchArgs, failures: &mut Vec<String>) -> Vec<Loaded> {
    let mut loaded: Vec<Loaded> = Vec::new();
    for path in scenario_files(&args.inputs, failures) {
        if has_uncertain_inputs(&path, &args.common.set) {
            eprintln!(
                "note: {}: skipped, it has uncertain inputs (fields given as distributions): \
                 run it with `dcrisk run`",
                path.display()
            );
            continue;
        }
        let checked =
            load_checked_tree(&path, &args.common.set, args.strict).and_then(|(tree, scenario)| {
                let dir = args.common.out.join(&scenario.name);
                let record =
                    Record::for_scenario(&path, &args.common.set, &tree)?.forced(args.force);
                record.check_replacement(&dir)?;
                match loaded.iter().find(|l| l.scenario.name == scenario.name) {
                    Some(first) => Err(InputError(format!(
                        "{}: scenario name {:?} is already the name of {}; each scenario of a \
                     batch needs its own name (it names the output folder)",
                        path.display(),
                        scenario.name,
                        first.path.display()
                    ))),
                    None => Ok((scenario, record)),
                }
            });
        match checked {
            Ok((scenario, record)) => loaded.push(Loaded {
                path,
                scenario,
                record,
            }),
            Err(e) => {
                eprintln!("error: {e}");
                failures.push(path.display().to_string());
            }
        }
    }
    loaded
}

/// Whether the file (after `--set`) has uncertain inputs, which a batch skips; a file
/// that does not load is left to the loading that follows to report.
fn has_uncertain_inputs(path: &std::path::Path, sets: &[(String, String)]) -> bool {
    load_tree(path, sets).is_ok_and(|tree| has_distributions(&tree))
}

/// The batch's result: success, or the failed scenarios named in one error, an input
/// error (exit 2) when only inputs failed.
fn outcome(total: usize, input_failures: Vec<String>, run_failures: Vec<String>) -> Result<()> {
    let failed = input_failures.len() + run_failures.len();
    if failed == 0 {
        return Ok(());
    }
    let mut names = input_failures;
    names.extend(run_failures.iter().cloned());
    let message = format!(
        "{failed} of {total} scenario(s) failed: {}",
        names.join(", ")
    );
    if run_failures.is_empty() {
        Err(InputError(message).into())
    } else {
        Err(anyhow!(message))
    }
}

/// The files the arguments name: files as given, folders' `.toml` files in name order.
/// An unreadable or empty folder is a failure of its own, reported at once.
fn scenario_files(inputs: &[PathBuf], failures: &mut Vec<String>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for input in inputs {
        if !input.is_dir() {
            files.push(input.clone());
            continue;
        }
        let listed = std::fs::read_dir(input).map(|entries| {
            let mut tomls: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
                .collect();
            tomls.sort();
            tomls
        });
        match listed {
            Ok(tomls) if !tomls.is_empty() => files.extend(tomls),
            Ok(_) => {
                eprintln!(
                    "error: {}: a folder with no .toml scenario files",
                    input.display()
                );
                failures.push(input.display().to_string());
            }
            Err(e) => {
                eprintln!("error: {}: cannot read the folder: {e}", input.display());
                failures.push(input.display().to_string());
            }
        }
    }
    files
}

/// One path count and one seed for every scenario, so they share random numbers: the
/// flags', else the first scenario's (with a note when the files disagree).
fn common_paths_and_seed(loaded: &[Loaded], common: &CommonArgs) -> (u64, u64) {
    let Some(first) = loaded.first() else {
        return (0, 0);
    };
    let pick = |flag: Option<u64>, field: fn(&Scenario) -> u64, what: &str| {
        flag.unwrap_or_else(|| {
            let value = field(&first.scenario);
            if loaded.iter().any(|l| field(&l.scenario) != value) {
                eprintln!(
                    "note: the scenarios' `{what}` differ; all run with {value} (from {}) so \
                     they share random numbers; --{what} sets it",
                    first.path.display()
                );
            }
            value
        })
    };
    (
        pick(common.paths, |s| s.paths, "paths"),
        pick(common.seed, |s| s.seed, "seed"),
    )
}

/// Simulates one scenario, writes `OUT/<name>/` as `dcrisk run` does, and returns its
/// headline figures (the per-path data are dropped here).
fn run_one(l: &Loaded, config: &RunConfig, args: &BatchArgs, bar: &PathBar) -> Result<Headline> {
    let record = l.record.clone().restarted();
    let results = simulate(&l.scenario, config, bar);
    let stats = results.metric_stats();
    let dir = args.common.out.join(&l.scenario.name);
    let record = record
        .with("threads", json!(rayon::current_num_threads()))
        .with("techniques", techniques_json(&args.common));
    write_run_folder(
        &results,
        &stats,
        &dir,
        args.save_paths,
        &args.charts,
        args.report.formats(),
        &record,
    )?;
    Ok(results.headline_from(&stats))
}

/// run.json's `techniques` for a batch: variance reduction only.
fn techniques_json(common: &CommonArgs) -> serde_json::Value {
    json!({
        "antithetic": common.antithetic,
        "control_variates": common.control_variates,
        "sketch": false,
        "precision": null,
    })
}

/// Writes OUT/comparison.csv and the comparison charts; returns the file names.
fn write_comparison(rows: &[(&Loaded, Headline)], args: &BatchArgs) -> Result<Vec<String>> {
    let mut csv = format!("scenario,file,{HEADLINE_COLUMNS}\n");
    for (l, h) in rows {
        csv.push_str(&format!(
            "{},{},{}\n",
            csv_field(&h.scenario),
            csv_field(&l.path.display().to_string()),
            headline_csv(h)
        ));
    }
    let mut files = vec![OutputFile::new(COMPARISON_CSV, csv)];
    let out = &args.common.out;
    let base = base_row(args, rows);
    let headlines: Vec<Headline> = rows.iter().map(|(_, h)| h.clone()).collect();
    let charts = if args.charts.no_charts {
        for name in dcrisk_report::COMPARISON_FILES {
            let _ = std::fs::remove_file(out.join(name));
        }
        Vec::new()
    } else {
        let (width, height) = args.charts.chart_size;
        render_comparison_with_base(&headlines, base, &ChartOptions { width, height })
            .context("cannot render the comparison charts")?
    };
    let named: Vec<(String, &Headline)> = rows
        .iter()
        .map(|(l, h)| (l.path.display().to_string(), h))
        .collect();
    let reports = args.report.formats();
    files.extend(comparison_files(&named, base, &charts, reports)?);
    files.extend(
        charts
            .into_iter()
            .map(|c| OutputFile::new(c.file_name, c.png)),
    );
    for (name, wanted) in [
        (COMPARISON_HTML, reports.html),
        (COMPARISON_XLSX, reports.xlsx),
    ] {
        if !wanted {
            let _ = std::fs::remove_file(out.join(name));
        }
    }
    write_loose(out, &files)?;
    Ok(files.into_iter().map(|f| f.name).collect())
}

/// The row of the base case in the comparison charts: `--base`'s scenario, else the
/// first input's when it is a file (the user listed it first) and it ran, else none.
fn base_row(args: &BatchArgs, rows: &[(&Loaded, Headline)]) -> Option<usize> {
    match &args.base {
        Some(name) => rows.iter().position(|(_, h)| h.scenario == *name),
        None => {
            let first = args.inputs.first().filter(|p| p.is_file())?;
            rows.iter().position(|(l, _)| l.path == *first)
        }
    }
}

/// The comparison table printed on stdout.
fn report(
    rows: &[(&Loaded, Headline)],
    paths: u64,
    seed: u64,
    started: Instant,
    out: &Path,
    written: &[String],
) -> String {
    let mut table = vec![vec![
        "scenario".to_string(),
        "mean savings (95% CI)".to_string(),
        "P5".to_string(),
        "ES 5%".to_string(),
        "P(loss)".to_string(),
        "guarantor EL".to_string(),
        "PFE 99 peak".to_string(),
        "P(tenant def.)".to_string(),
        "P(landlord def.)".to_string(),
    ]];
    for (_, h) in rows {
        table.push(vec![
            h.scenario.clone(),
            format!(
                "{} ± {}",
                format_money(h.savings_mean),
                format_money(h.savings_half_width())
            ),
            format_money(h.savings_p05()),
            format_money(h.savings_es_05()),
            pct(h.p_savings_negative),
            format_money(h.guarantor_expected_loss),
            format_money(h.guarantor_pfe99_peak),
            pct(h.tenant_default),
            pct(h.any_landlord_default),
        ]);
    }
    let charts = written.iter().filter(|f| f.ends_with(".png")).count();
    let mut chart_note = if charts > 0 {
        format!(", {charts} comparison charts")
    } else {
        String::new()
    };
    for name in written
        .iter()
        .filter(|f| f.starts_with("comparison.") && *f != COMPARISON_CSV)
    {
        chart_note.push_str(&format!(", {name}"));
    }
    format!(
        "batch: {} scenario(s), {paths} paths each, seed {seed} (common random numbers), {:.2} s\n{}  wrote {}/: {} scenario folder(s), {COMPARISON_CSV}{chart_note}\n",
        rows.len(),
        started.elapsed().as_secs_f64(),
        text_table(&table),
        out.display(),
        rows.len()
    )
}
