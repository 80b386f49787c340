//! The single-scenario commands: `run` (whole, not sharded: see `shards`), `validate`,
//! `init` and the hidden `rng-floor`; plumbing from flags and files to the core and back
//! to disk.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use dcrisk_core::scenario::Table;
use dcrisk_core::uncertain::has_distributions;
use dcrisk_core::{RunResults, Scenario, engine};
use serde_json::json;

use crate::atomic::prepare;
use crate::cli::{CommonArgs, RunArgs};
use crate::limits::{self, Load};
use crate::load::{
    InputError, load_checked, load_checked_tree, load_scenario, load_tree, plausible,
};
use crate::pool::thread_pool;
use crate::progress::PathBar;
use crate::provenance::{Record, techniques_json};
use crate::publish::{publish, say};
use crate::table::precision_verdict;

/// `dcrisk run` without `--shard`: check the memory and the output folder (writable, and
/// not another scenario file's results), simulate, check the results are finite, write
/// the output folder with the record of its making, print the summary; then a run to a
/// precision that did not reach it is an error (exit code 3, outputs kept).
pub fn run(args: &RunArgs) -> Result<()> {
    let tree = load_tree(&args.scenario, &args.common.set)?;
    if has_distributions(&tree) {
        return crate::two_level::run(args, &tree);
    }
    crate::two_level::refuse_flags_without_inputs(args)?;
    let (tree, scenario) = load_checked_tree(&args.scenario, &args.common.set, args.strict)?;
    let pool = thread_pool(args.common.threads)?;
    check_memory(&scenario, args, pool.current_num_threads())?;
    let dir = args.folder(&scenario);
    let record = Record::for_scenario(&args.scenario, &args.common.set, &tree)?
        .forced(args.force)
        .with("threads", json!(pool.current_num_threads()))
        .with("techniques", techniques_json(args));
    record.check_replacement(&dir)?;
    let _prepared = prepare(&dir)?;
    let record = match precision_flags(args) {
        Some(flags) => record.reproduced_by(flags),
        None => record,
    };
    let started = Instant::now();
    let results = simulate(&scenario, args, &pool)?;
    publish(
        &results,
        &dir,
        args.save_paths,
        &args.charts,
        args.report.formats(),
        &record,
        started,
        "",
    )?;
    Ok(precision_verdict(&results, args)?)
}

/// The flags of a run to a precision, which scenario.toml's comment repeats: the run
/// stops where they say, not at a path count.
fn precision_flags(args: &RunArgs) -> Option<String> {
    let mut flags = String::new();
    if let Some(rel) = args.precision {
        flags.push_str(&format!("--precision {rel} "));
    }
    if let Some(abs) = args.precision_abs {
        flags.push_str(&format!("--precision-abs {abs} "));
    }
    if flags.is_empty() {
        return None;
    }
    flags.push_str(&format!(
        "--max-paths {} --target {}",
        args.max_paths,
        args.target.name()
    ));
    for (on, flag) in [
        (args.common.antithetic, " --antithetic"),
        (args.common.control_variates, " --control-variates"),
    ] {
        if on {
            flags.push_str(flag);
        }
    }
    Some(flags)
}

/// Refuses a run whose estimated peak memory exceeds what is available (see `limits`).
fn check_memory(scenario: &Scenario, args: &RunArgs, threads: usize) -> Result<(), InputError> {
    let precision = args.precision.is_some() || args.precision_abs.is_some();
    let paths = match precision {
        true => args.max_paths,
        false => args.common.run_config(scenario).total_paths(),
    };
    let load = Load {
        sketch: args.sketch,
        charts: !args.charts.no_charts,
        save_paths: args.save_paths,
        growing: precision,
        ..Load::run(paths, threads)
    };
    let advice = match precision {
        true => "lower --max-paths",
        false => {
            "add --sketch (memory then no longer grows with --paths) or split the run into \
             shards (--shard I/N, then dcrisk merge)"
        }
    };
    limits::check_memory(&load, &format!("{}: this run", scenario.name), advice)
}

/// Simulates the run the flags ask for (a path count, `--sketch`, `--precision`, variance
/// reduction) on `pool`, with a progress bar. (A run to a precision whose target is not a
/// finite number stops after its first block; the caller's finiteness check reports it.)
fn simulate(scenario: &Scenario, args: &RunArgs, pool: &rayon::ThreadPool) -> Result<RunResults> {
    let common = &args.common;
    let goal = (args.precision.is_some() || args.precision_abs.is_some()).then_some(
        engine::PrecisionGoal {
            target: args.target,
            relative: args.precision,
            absolute: args.precision_abs,
            max_paths: args.max_paths,
        },
    );
    let config = common
        .run_config(scenario)
        .with_sketch(args.sketch)
        .with_precision(goal);
    let bar = match goal {
        Some(_) => PathBar::new(args.max_paths, &format!("{} (to precision)", scenario.name)),
        None => PathBar::new(config.total_paths(), &scenario.name),
    };
    let results = pool.install(|| engine::simulate(scenario, &config, &bar));
    bar.finish();
    Ok(results)
}

/// `dcrisk rng-floor`: the time to draw a run's variates and nothing else.
pub fn rng_floor(path: &Path, common: &CommonArgs) -> Result<()> {
    let scenario = load_scenario(path, &common.set)?;
    let config = common.run_config(&scenario);
    let paths = config.total_paths();
    let model = engine::Model::new(&scenario);
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

/// `dcrisk validate`: report every problem, or a one-line description of a good file
/// after its plausibility warnings (with `strict`, warnings are problems).
pub fn validate(path: &Path, strict: bool) -> Result<()> {
    let tree = load_tree(path, &[])?;
    if has_distributions(&tree) {
        return validate_uncertain(path, &tree, strict);
    }
    let s = load_checked(path, &[], strict)?;
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

/// `dcrisk validate` of a scenario with uncertain inputs: every distribution checked
/// against its field, the scenario with each input at its median validated (and its
/// plausibility warnings shown), then one line naming the inputs.
fn validate_uncertain(path: &Path, tree: &Table, strict: bool) -> Result<()> {
    let label = path.display().to_string();
    let (u, centre) = crate::two_level::uncertain_inputs(&label, tree)?;
    plausible(path, &[], &centre, strict)?;
    let keys: Vec<String> = u
        .inputs
        .iter()
        .map(|i| format!("{} ({})", i.key, i.distribution.family()))
        .collect();
    say(&format!(
        "{label}: ok — scenario {:?} with {} uncertain input(s): {}\n",
        centre.name,
        keys.len(),
        keys.join(", ")
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
