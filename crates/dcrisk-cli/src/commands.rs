//! What each subcommand does: plumbing from flags and files to the core and back to disk.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use dcrisk_core::{Metric, MetricStats, RunResults, Scenario, Techniques, engine};

use crate::cli::{ChartArgs, CommonArgs, RunArgs};
use crate::load::{InputError, load_scenario};
use crate::outputs::{self, OutputFile};
use crate::progress::PathBar;
use crate::table;

/// `dcrisk run`: simulate, write the output folder, print the summary.
pub fn run(args: &RunArgs) -> Result<()> {
    let scenario = load_scenario(&args.scenario, &args.common.set)?;
    if let Some(spec) = &args.shard {
        return crate::shards::run_shard(&scenario, args, spec);
    }
    let started = Instant::now();
    if args.sketch && (args.common.antithetic || args.common.control_variates) {
        return Err(InputError(
            "--sketch keeps no per-path values, which --antithetic and --control-variates need"
                .into(),
        )
        .into());
    }
    let results = if args.sketch {
        simulate_summaries(&scenario, &args.common)?
    } else if args.precision.is_some() || args.precision_abs.is_some() {
        simulate_to_precision(&scenario, args)?
    } else {
        simulate_with(&scenario, &args.common)?
    };
    publish(
        &results,
        &args.common.out,
        args.save_paths,
        &args.charts,
        started,
        "",
    )
}

/// Writes a run's folder (files and charts, atomically) and prints its summary; the
/// statistics are computed once for both.
pub fn publish(
    results: &RunResults,
    out: &Path,
    save_paths: bool,
    charts: &ChartArgs,
    started: Instant,
    heading: &str,
) -> Result<()> {
    let stats = results.metric_stats();
    let mut files = output_files(results, &stats, save_paths);
    files.extend(chart_files(results, charts)?);
    let dir = out.join(&results.scenario);
    outputs::write_atomically(&dir, &files)?;
    let report = table::render(results, &stats, started.elapsed().as_secs_f64());
    say(&format!(
        "{heading}{report}  wrote {}/ ({} files)\n",
        dir.display(),
        files.len()
    ));
    Ok(())
}

/// Runs a scenario with the flags' path count, seed and thread count.
pub fn simulate_with(scenario: &Scenario, common: &CommonArgs) -> Result<RunResults> {
    let paths = common.paths.unwrap_or(scenario.paths);
    let seed = common.seed.unwrap_or(scenario.seed);
    let pool = thread_pool(common.threads)?;
    let bar = PathBar::new(paths, &scenario.name);
    let config = engine::RunConfig::new(paths, seed).with_techniques(techniques(common));
    let results = pool.install(|| engine::simulate(scenario, &config, &bar));
    bar.finish();
    Ok(results)
}

/// A run that keeps only per-metric summaries (`--sketch`).
fn simulate_summaries(scenario: &Scenario, common: &CommonArgs) -> Result<RunResults> {
    let paths = common.paths.unwrap_or(scenario.paths);
    let seed = common.seed.unwrap_or(scenario.seed);
    let bar = PathBar::new(paths, &scenario.name);
    let results = thread_pool(common.threads)?.install(|| {
        engine::simulate(
            scenario,
            &engine::RunConfig::new(paths, seed).with_sketch(true),
            &bar,
        )
    });
    bar.finish();
    Ok(results)
}

/// The variance-reduction techniques the flags ask for.
pub fn techniques(common: &CommonArgs) -> Techniques {
    Techniques {
        antithetic: common.antithetic,
        control_variates: common.control_variates,
    }
}

/// `dcrisk run --precision`: blocks of paths until the target's mean is precise enough.
fn simulate_to_precision(scenario: &Scenario, args: &RunArgs) -> Result<RunResults> {
    let common = &args.common;
    let seed = common.seed.unwrap_or(scenario.seed);
    let goal = engine::PrecisionGoal {
        target: args.target,
        relative: args.precision,
        absolute: args.precision_abs,
        max_paths: args.max_paths,
    };
    let pool = thread_pool(common.threads)?;
    let bar = PathBar::new(args.max_paths, &format!("{} (to precision)", scenario.name));
    let config = engine::RunConfig::new(args.max_paths, seed)
        .with_techniques(techniques(common))
        .with_precision(Some(goal));
    let results = pool.install(|| engine::simulate(scenario, &config, &bar));
    bar.finish();
    Ok(results)
}

pub fn thread_pool(threads: Option<u16>) -> Result<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        b = b.num_threads(t as usize);
    }
    b.build().context("cannot start worker threads")
}

/// Every file of a run's output folder but the charts, built in memory from the run and its
/// metric statistics.
pub fn output_files(
    r: &RunResults,
    stats: &[(Metric, MetricStats)],
    save_paths: bool,
) -> Vec<OutputFile> {
    let summary = outputs::summary_json(r, stats);
    let mut files = vec![
        OutputFile::new(
            "summary.json",
            serde_json::to_string_pretty(&summary).expect("serialisable") + "\n",
        ),
        OutputFile::new("metrics.csv", outputs::metrics_csv(stats)),
        OutputFile::new("timeseries.csv", outputs::timeseries_csv(r)),
        OutputFile::new("exposure.csv", outputs::exposure_csv(r)),
    ];
    if save_paths {
        files.push(OutputFile::new("paths.csv", outputs::paths_csv(r)));
    }
    files
}

/// The run's PNG charts, unless switched off.
pub fn chart_files(r: &RunResults, args: &ChartArgs) -> Result<Vec<OutputFile>> {
    if args.no_charts {
        return Ok(Vec::new());
    }
    let (width, height) = args.chart_size;
    let charts = dcrisk_report::render_all(r, &dcrisk_report::ChartOptions { width, height })
        .context("cannot render the charts")?;
    Ok(charts
        .into_iter()
        .map(|c| OutputFile::new(c.file_name, c.png))
        .collect())
}

/// `dcrisk rng-floor`: the time to draw a run's variates and nothing else.
pub fn rng_floor(path: &Path, common: &CommonArgs) -> Result<()> {
    let scenario = load_scenario(path, &common.set)?;
    let paths = common.paths.unwrap_or(scenario.paths);
    let seed = common.seed.unwrap_or(scenario.seed);
    let model = engine::Model::new(&scenario);
    let config = engine::RunConfig::new(paths, seed).with_techniques(techniques(common));
    let started = Instant::now();
    let checksum = thread_pool(common.threads)?
        .install(|| engine::floor::random_floor(&model, &config, 0..paths));
    let seconds = started.elapsed().as_secs_f64();
    say(&format!(
        "{}: random-number floor, {paths} paths in {seconds:.3} s ({:.0} paths/s; checksum {checksum:.6e})\n",
        scenario.name,
        paths as f64 / seconds
    ));
    Ok(())
}

/// `dcrisk validate`: report every problem, or a one-line description of a good file.
pub fn validate(path: &Path) -> Result<()> {
    let s = load_scenario(path, &[])?;
    let mw: f64 = s.sites.iter().map(|x| x.capacity_mw).sum();
    say(&format!(
        "{}: ok — scenario {:?}: {} sites ({mw} MW) in {} regions, {} landlords, {} months\n",
        path.display(),
        s.name,
        s.sites.len(),
        s.regions.len(),
        s.landlords.len(),
        s.months()
    ));
    Ok(())
}

/// `dcrisk init`: a commented starter scenario.
pub fn init(name: &str, force: bool) -> Result<()> {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !plain || name.starts_with('.') {
        return Err(InputError(format!(
            "init: name must be letters, digits, '-', '_' or '.', got {name:?}"
        ))
        .into());
    }
    let path = PathBuf::from(format!("{name}.toml"));
    if path.exists() && !force {
        return Err(InputError(format!(
            "{}: already exists (use --force to overwrite)",
            path.display()
        ))
        .into());
    }
    let text = include_str!("../templates/starter.toml").replace("{{NAME}}", name);
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    say(&format!(
        "wrote {} — edit it, then: dcrisk run {}\n",
        path.display(),
        path.display()
    ));
    Ok(())
}

/// Prints to stdout, ignoring a closed pipe (`dcrisk run ... | head`): the files on disk
/// are the result, the summary is a courtesy.
pub fn say(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
