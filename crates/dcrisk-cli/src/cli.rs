//! Command-line definitions (clap), kept apart from what the commands do.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Monte Carlo risk of a data-center lease program: savings against cloud, VaR and
/// expected shortfall, the guarantor's exposure and expected loss, and risk charts.
#[derive(Parser, Debug)]
#[command(name = "dcrisk", version, propagate_version = true)]
#[command(after_help = "Examples:
  dcrisk run scenarios/gigawatt-program.toml              # 100k paths -> output/gigawatt-program/
  dcrisk run scenarios/demand-bust.toml --paths 20000 --seed 7
  dcrisk run scenarios/gigawatt-program.toml --precision 0.005 --control-variates   # to ±0.5%
  dcrisk run scenarios/gigawatt-program.toml --paths 4000000 --shard 0/4  # then: dcrisk merge
  dcrisk validate scenarios/landlord-stress.toml          # check a file, report every problem
  dcrisk init my-program                                  # write a commented starter scenario
  dcrisk batch scenarios/ --paths 20000                   # every shipped scenario, compared
  dcrisk sweep scenarios/gigawatt-program.toml --param guarantee.cap=0:1e10:6
  dcrisk sensitivity scenarios/gigawatt-program.toml --swing 0.2   # tornado of inputs

Exit codes: 0 success, 1 failure while running, 2 bad input (file, field or flag).")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a scenario and write summary.json, metrics.csv, timeseries.csv and charts.
    ///
    /// Output goes to OUT/<scenario name>/, replacing a previous run of the same scenario
    /// only once the new one is complete.
    Run(RunArgs),
    /// Check a scenario file and report every problem at once (exit 2 if any).
    Validate {
        /// The scenario file (TOML).
        scenario: PathBuf,
    },
    /// Merge the partial results of a sharded run into the usual outputs.
    ///
    /// The merge of all N shards of a run is bit-identical to the single run with the same
    /// scenario, seed and total paths. Mismatched, overlapping or missing shards are refused.
    Merge(MergeArgs),
    /// Time the random-number floor: draw just the variates a run of SCENARIO needs (same
    /// generators, distributions and counts), for benchmarking the engine against it.
    RngFloor {
        /// The scenario file (TOML).
        scenario: PathBuf,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Run several scenarios with the same seed and paths, and compare them side by side.
    ///
    /// Each scenario's usual outputs go to OUT/<name>/ (as `run` writes them); OUT/
    /// comparison.csv and comparison_*.png put them side by side. A bad file fails alone:
    /// the others still run, and the exit code is 2 at the end.
    Batch(crate::batch::BatchArgs),
    /// Run a scenario over a grid of one or two parameters, with the same random numbers
    /// at every point; writes OUT/<name>/sweep.csv and sweep.png.
    Sweep(crate::sweep::SweepArgs),
    /// Tornado: how mean savings and the 5% expected shortfall move when each input group
    /// goes down and up; writes OUT/<name>/sensitivity.csv and tornado.png.
    Sensitivity(crate::sensitivity::SensitivityArgs),
    /// Write a commented starter scenario to NAME.toml.
    Init {
        /// Scenario name; the file is NAME.toml in the current folder.
        #[arg(default_value = "my-program")]
        name: String,
        /// Overwrite the file if it exists.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Also write paths.csv: one row per path, one column per metric.
    #[arg(long)]
    pub save_paths: bool,
    /// Simulate only shard I of N (0-based) and write a partial result
    /// OUT/<name>/part-IIII-of-NNNN.dcrisk, to merge later with `dcrisk merge`. `auto` reads
    /// SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (Slurm job arrays; with DCRISK_SHARD_COUNT
    /// set, the task ID is the shard index as it stands, for re-running single tasks) or
    /// JOB_COMPLETION_INDEX with DCRISK_SHARD_COUNT (Kubernetes Indexed Jobs).
    #[arg(long, value_name = "I/N|auto", conflicts_with_all = ["precision", "precision_abs"])]
    pub shard: Option<String>,
    /// Keep no per-path values: metric quantiles and tail means come from mergeable
    /// summaries (at most 0.1% relative error), means, standard deviations and
    /// probabilities stay exact, and memory no longer grows with --paths. For very large
    /// runs and shards; charts that need every path (histogram, CDF, defaults, convergence)
    /// are skipped.
    #[arg(long, conflicts_with_all = ["save_paths", "precision", "precision_abs"])]
    pub sketch: bool,
    /// Run until the 95% confidence half-width of the target's mean is within REL of the
    /// mean (e.g. 0.005 for ±0.5%); --paths is then ignored in favour of --max-paths.
    #[arg(long, value_name = "REL", value_parser = positive_f64)]
    pub precision: Option<f64>,
    /// Run until the 95% half-width is within X (in the target's units, e.g. dollars).
    #[arg(long, value_name = "X", value_parser = positive_f64)]
    pub precision_abs: Option<f64>,
    /// Path budget of a run to a precision.
    #[arg(long, default_value_t = 10_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub max_paths: u64,
    /// Metric whose mean --precision bounds.
    #[arg(long, default_value = "savings_pv", value_parser = parse_metric)]
    pub target: dcrisk_core::Metric,
    #[command(flatten)]
    pub charts: ChartArgs,
}

#[derive(Args, Debug, Clone)]
pub struct MergeArgs {
    /// The partial result files (part-*.dcrisk) of one sharded run.
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// Folder that receives the merged outputs in a subfolder named after the scenario.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Also write paths.csv.
    #[arg(long)]
    pub save_paths: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
}

/// Chart flags.
#[derive(Args, Debug, Clone)]
pub struct ChartArgs {
    /// Skip the PNG charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Chart size in pixels, WIDTHxHEIGHT.
    #[arg(long, default_value = "1600x1000", value_parser = parse_size)]
    pub chart_size: (u32, u32),
}

/// `1600x1000` -> (1600, 1000), each side within the renderer's limits.
fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("expected WIDTHxHEIGHT, got {s:?}"))?;
    let side = |v: &str| -> Result<u32, String> {
        let n: u32 = v
            .trim()
            .parse()
            .map_err(|_| format!("{v:?} is not a whole number of pixels"))?;
        let (lo, hi) = (dcrisk_report::MIN_SIDE, dcrisk_report::MAX_SIDE);
        if (lo..=hi).contains(&n) {
            Ok(n)
        } else {
            Err(format!("each side must be {lo}..={hi} pixels, got {n}"))
        }
    };
    Ok((side(w)?, side(h)?))
}

/// Flags every simulating command takes.
#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// Number of Monte Carlo paths [default: the scenario's `paths`, else 100000].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub paths: Option<u64>,
    /// Random seed [default: the scenario's `seed`, else 42]. Same seed, same numbers.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Folder that receives one subfolder per scenario.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Override a scenario field, validated like the file: KEY=VALUE with KEY a dotted path,
    /// list entries by name or index (repeatable). E.g. --set regions.ERCOT.volatility=1.1
    /// --set 'sites."Abilene TX 1".capacity_mw=150' --set guarantee.cap=0
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_set)]
    pub set: Vec<(String, String)>,
    /// Antithetic pairs: every second path mirrors the one before (negated normals,
    /// mirrored uniforms); standard errors come from pair means. Rounds paths up to even.
    #[arg(long)]
    pub antithetic: bool,
    /// Control variates for the means: demand and cloud-price sums with closed-form
    /// expectations, coefficients estimated from the run (summary.json `estimate`).
    #[arg(long)]
    pub control_variates: bool,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
}

/// `KEY=VALUE` split at the first `=`.
fn parse_set(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=VALUE, got {s:?}"))?;
    if k.trim().is_empty() {
        return Err(format!("empty key in {s:?}"));
    }
    Ok((k.trim().to_string(), v.trim().to_string()))
}

fn positive_f64(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("expected a positive number, got {s:?}")),
    }
}

/// A metric by its summary.json name; the error lists them all.
pub fn parse_metric(s: &str) -> Result<dcrisk_core::Metric, String> {
    dcrisk_core::Metric::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = dcrisk_core::Metric::ALL.iter().map(|m| m.name()).collect();
        format!("unknown metric {s:?}; metrics: {}", names.join(", "))
    })
}
