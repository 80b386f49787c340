//! Command-line definitions (clap): every subcommand's arguments and their parsers, kept
//! apart from what the commands do. This module imports no other module of the crate but
//! `decimal`, so every other module may depend on it without forming a circle.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};
use dcrisk_core::engine::RunConfig;
use dcrisk_core::scenario::{MAX_PATHS, Value};
use dcrisk_core::uncertain::Sampling;
use dcrisk_core::{Metric, Scenario, Techniques};

use crate::decimal::round12;

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
  dcrisk solve scenarios/gigawatt-program.toml --scale 'sites[*].rent_per_kw_month=0.5:3' --target savings_pv.mean=0
  dcrisk frontier scenarios/gigawatt-program.toml --scale 'sites[*].capacity_mw=0.25:1.5:6'

Exit codes: 0 success, 1 failure while running, 2 bad input (file, field or flag),
3 run --precision not met within --max-paths (outputs written, less precise than asked).")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// The doc comments of `Command` and `RunArgs` are the terminal's `--help` text, where
// `OUT/<name>/` is a placeholder to read, not an HTML tag for rustdoc.
#[allow(rustdoc::invalid_html_tags)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a scenario and write summary.json, metrics.csv, timeseries.csv and charts.
    ///
    /// Output goes to OUT/<scenario name>/, replacing a previous run of the same scenario
    /// only once the new one is complete.
    ///
    /// Exit codes: 0 done, 1 failure while running, 2 bad input (file, field or flag), 3 a
    /// run to a precision (--precision, --precision-abs) that did not reach it within
    /// --max-paths: its outputs are written and valid, only less precise than asked.
    Run(RunArgs),
    /// Check a scenario file and report every problem at once (exit 2 if any).
    Validate {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Treat plausibility warnings (implausible values such as a percentage typed as a
        /// number, docs/PARAMETERS.md) as errors: exit 2.
        #[arg(long)]
        strict: bool,
    },
    /// Merge the partial results of a sharded run into the usual outputs.
    ///
    /// The merge of all N shards of a run is bit-identical to the single run with the same
    /// scenario, seed and total paths. Mismatched, overlapping or missing shards are refused.
    Merge(MergeArgs),
    /// Time the random-number floor: draw just the variates a run of SCENARIO needs (same
    /// generators, distributions and counts), for benchmarking the engine against it.
    ///
    /// Hidden from `--help`: a developer's tool (benches/compare.sh runs it), not a user's.
    #[command(hide = true)]
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
    Batch(BatchArgs),
    /// Run a scenario over a grid of one or two parameters, with the same random numbers
    /// at every point; writes OUT/<name>/sweep.csv and sweep.png.
    Sweep(SweepArgs),
    /// Tornado: how mean savings and the 5% expected shortfall move when each input group
    /// goes down and up; writes OUT/<name>/sensitivity.csv and tornado.png.
    Sensitivity(SensitivityArgs),
    /// Goal seek: the value of KEY (--vary) or the factor on it (--scale) at which a
    /// statistic reaches a target, with a 95% interval from the Monte Carlo error; writes
    /// OUT/<name>/solve.json and solve.png.
    Solve(SolveArgs),
    /// Mean savings against their 5% expected shortfall over factors on KEY, and which
    /// factors are efficient; writes OUT/<name>/frontier.csv and frontier.png.
    Frontier(FrontierArgs),
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

#[allow(rustdoc::invalid_html_tags)]
#[derive(Args, Debug, Clone)]
#[command(group(ArgGroup::new("goal").args(["precision", "precision_abs"]).multiple(true)))]
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
    /// are skipped. Not with --antithetic or --control-variates, whose estimates need the
    /// per-path values.
    #[arg(
        long,
        conflicts_with_all = [
            "save_paths",
            "precision",
            "precision_abs",
            "antithetic",
            "control_variates",
        ]
    )]
    pub sketch: bool,
    /// Run until the 95% confidence half-width of the target's mean is within REL of the
    /// mean (e.g. 0.005 for ±0.5%), with at most --max-paths paths (not with --paths). If
    /// the budget runs out first, the outputs are still written and the exit code is 3.
    #[arg(long, value_name = "REL", value_parser = positive_f64, conflicts_with = "paths")]
    pub precision: Option<f64>,
    /// Run until the 95% half-width is within X (in the target's units: dollars, or a
    /// probability for tenant_default); not with --paths; exit code 3 if not met.
    #[arg(long, value_name = "X", value_parser = positive_f64, conflicts_with = "paths")]
    pub precision_abs: Option<f64>,
    /// Path budget of a run to a precision (only with --precision or --precision-abs).
    #[arg(
        long,
        default_value_t = 10_000_000,
        value_parser = clap::value_parser!(u64).range(1..=MAX_PATHS),
        requires = "goal"
    )]
    pub max_paths: u64,
    /// Metric whose mean --precision bounds, any metric of summary.json (only with
    /// --precision or --precision-abs).
    #[arg(long, default_value = "savings_pv", value_parser = parse_metric, requires = "goal")]
    pub target: Metric,
    /// Name of the output folder, OUT/NAME/, instead of the scenario's `name`.
    #[arg(long, value_name = "NAME", value_parser = parse_folder_name)]
    pub name: Option<String>,
    /// Replace the output folder even if it holds the results of another scenario file.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Refuse a scenario with plausibility warnings (implausible values such as a
    /// percentage typed as a number, docs/PARAMETERS.md) instead of printing them: exit 2,
    /// nothing written.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub uncertain: UncertainArgs,
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
    /// Name of the output folder, OUT/NAME/, instead of the scenario's `name`.
    #[arg(long, value_name = "NAME", value_parser = parse_folder_name)]
    pub name: Option<String>,
    /// Replace the folder even if it holds another scenario's results.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// An output folder's name, checked like a scenario's `name`.
fn parse_folder_name(s: &str) -> Result<String, String> {
    match dcrisk_core::scenario::name_problem(s) {
        Some(problem) => Err(problem),
        None => Ok(s.to_string()),
    }
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

/// Report flags: which reports a run's folder (and a batch's comparison) gets.
#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// Reports to write beside the run's files: html (report.html), xlsx (report.xlsx),
    /// both comma-separated (html,xlsx), or none; a batch also writes comparison.html /
    /// comparison.xlsx.
    #[arg(long, value_name = "FORMATS", default_value = "html", value_parser = parse_reports)]
    pub report: Reports,
    /// Write no report (the same as --report none).
    #[arg(long, conflicts_with = "report")]
    pub no_report: bool,
}

impl ReportArgs {
    /// The reports to write.
    pub fn formats(&self) -> Reports {
        match self.no_report {
            true => Reports::default(),
            false => self.report,
        }
    }
}

/// Which report formats to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reports {
    pub html: bool,
    pub xlsx: bool,
}

/// `html`, `xlsx`, `html,xlsx` or `none` -> the formats; anything else is refused.
fn parse_reports(s: &str) -> Result<Reports, String> {
    let mut reports = Reports::default();
    if s.trim() == "none" {
        return Ok(reports);
    }
    for format in s.split(',').map(str::trim) {
        match format {
            "html" => reports.html = true,
            "xlsx" => reports.xlsx = true,
            other => {
                return Err(format!(
                    "unknown report format {other:?}: expected html, xlsx, both comma-separated \
                     (html,xlsx), or none"
                ));
            }
        }
    }
    Ok(reports)
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
// `[*]` in the help text is a key's syntax, not a rustdoc link.
#[allow(rustdoc::broken_intra_doc_links)]
#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// Number of Monte Carlo paths [default: the scenario's `paths`, else 100000].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=MAX_PATHS))]
    pub paths: Option<u64>,
    /// Random seed [default: the scenario's `seed`, else 42]. Same seed, same numbers.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Folder that receives one subfolder per scenario.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Override a scenario field, validated like the file: KEY=VALUE with KEY a dotted path,
    /// list entries by name or index, `[*]` for every entry (repeatable). E.g. --set
    /// regions.ERCOT.volatility=1.1 --set 'sites."Phoenix AZ 1".capacity_mw=150' --set
    /// 'sites[*].rent_per_kw_month=150' --set guarantee.cap=0
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

impl RunArgs {
    /// The run's output folder: `--out` joined with `--name`, else the scenario's name.
    pub fn folder(&self, scenario: &Scenario) -> PathBuf {
        let name = self.name.as_deref().unwrap_or(&scenario.name);
        self.common.out.join(name)
    }
}

impl CommonArgs {
    /// The path count: the flag's, else the scenario's.
    pub fn paths_for(&self, scenario: &Scenario) -> u64 {
        self.paths.unwrap_or(scenario.paths)
    }

    /// The seed: the flag's, else the scenario's.
    pub fn seed_for(&self, scenario: &Scenario) -> u64 {
        self.seed.unwrap_or(scenario.seed)
    }

    /// The run the flags ask for: path count, seed and variance reduction.
    pub fn run_config(&self, scenario: &Scenario) -> RunConfig {
        RunConfig::new(self.paths_for(scenario), self.seed_for(scenario))
            .with_techniques(self.techniques())
    }

    /// The variance-reduction techniques the flags ask for.
    pub fn techniques(&self) -> Techniques {
        Techniques {
            antithetic: self.antithetic,
            control_variates: self.control_variates,
        }
    }
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
fn parse_metric(s: &str) -> Result<Metric, String> {
    Metric::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Metric::OUTPUT.iter().map(|m| m.name()).collect();
        format!("unknown metric {s:?}; metrics: {}", names.join(", "))
    })
}

/// `dcrisk batch`'s arguments.
#[derive(Args, Debug, Clone)]
pub struct BatchArgs {
    /// Scenario files, or folders whose `.toml` files all run (in file-name order).
    #[arg(required = true, value_name = "PATH")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Also write each scenario's paths.csv.
    #[arg(long)]
    pub save_paths: bool,
    /// Replace scenarios' output folders even if they hold the results of other files.
    #[arg(long)]
    pub force: bool,
    /// The scenario the others vary (its `name`), marked as the base case in the
    /// comparison charts. Default: the first scenario when the first PATH is a file; none
    /// when it is a folder (whose files run in name order).
    #[arg(long, value_name = "NAME")]
    pub base: Option<String>,
    #[command(flatten)]
    pub charts: ChartArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Refuse a scenario (each one, a failure of its own) with plausibility warnings (docs/PARAMETERS.md) instead of
    /// printing them: exit 2, nothing written.
    #[arg(long)]
    pub strict: bool,
}

/// `dcrisk sweep`'s arguments.
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
    /// Refuse a scenario with plausibility warnings (docs/PARAMETERS.md) instead of
    /// printing them: exit 2, nothing written.
    #[arg(long)]
    pub strict: bool,
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
    /// `v` as the scenario value it sets: an integer when the range is one of integers.
    pub fn value(&self, v: f64) -> Value {
        if self.integer {
            Value::Int(v as i64)
        } else {
            Value::Float(v)
        }
    }
}

/// Most values of one parameter.
pub const MAX_STEPS: usize = 1000;

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
    let (lo, hi) = (finite(start, "START")?, finite(end, "END")?);
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
    let values = even_steps(lo, hi, n);
    let whole = |t: &str| t.parse::<i64>().is_ok();
    let integer =
        whole(start) && whole(end) && values.iter().all(|v| v.fract() == 0.0 && v.abs() < 9e15);
    Ok(ParamRange {
        key: key.to_string(),
        values,
        integer,
    })
}

/// A finite number, or an error naming `what` it should have been.
fn finite(text: &str, what: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(format!("{what} must be a finite number, got {text:?}")),
    }
}

/// `n` evenly spaced values from `lo` to `hi`, the inner ones rounded to read as typed and
/// the last exactly `hi`.
fn even_steps(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| {
            if i + 1 == n {
                hi
            } else {
                round12(lo + (hi - lo) * i as f64 / (n - 1).max(1) as f64)
            }
        })
        .collect()
}

/// `dcrisk solve`'s arguments.
// `[*]` in the help text is a key's syntax, not a rustdoc link.
#[allow(rustdoc::broken_intra_doc_links)]
#[derive(Args, Debug, Clone)]
#[command(group(ArgGroup::new("decision").args(["vary", "scale"]).required(true)))]
pub struct SolveArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Search the value of KEY in [LO, HI]: KEY=LO:HI, KEY in --set's syntax (`[*]` for
    /// every entry of a list), e.g. cloud.price0=1e6:2e6.
    #[arg(long, value_name = "KEY=LO:HI", value_parser = parse_bounds)]
    pub vary: Option<Bounds>,
    /// Search a factor in [LO, HI] multiplying every value KEY matches, e.g.
    /// 'sites[*].rent_per_kw_month=0.5:2'.
    #[arg(long, value_name = "KEY=LO:HI", value_parser = parse_bounds)]
    pub scale: Option<Bounds>,
    /// The target: METRIC.STAT=VALUE (STAT: mean, p01..p99, lower_es_05, lower_es_01,
    /// upper_es_95, upper_es_99) or probabilities.NAME=VALUE (a percentage allowed), e.g.
    /// savings_pv.mean=0 or probabilities.savings_negative=10%.
    #[arg(long, value_name = "STATISTIC=VALUE", value_parser = dcrisk_core::decide::Goal::parse)]
    pub target: dcrisk_core::decide::Goal,
    /// Tolerance on the answer, relative to HI - LO.
    #[arg(long, default_value_t = 1e-6, value_parser = positive_f64)]
    pub tol: f64,
    #[command(flatten)]
    pub run: DecisionOptions,
}

/// The options `solve` and `frontier` share with `run`: each of their evaluations is a
/// run of the scenario.
#[derive(Args, Debug, Clone)]
pub struct DecisionOptions {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Replace the output folder even if it holds the results of another scenario file.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Refuse a scenario with plausibility warnings instead of printing them (exit 2).
    #[arg(long)]
    pub strict: bool,
}

/// `dcrisk frontier`'s arguments.
// `[*]` in the help text is a key's syntax, not a rustdoc link.
#[allow(rustdoc::broken_intra_doc_links)]
#[derive(Args, Debug, Clone)]
pub struct FrontierArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Factors on every value KEY matches: KEY=LO:HI:STEPS, STEPS evenly spaced factors
    /// from LO to HI, plus factor 1 (the plan) when it lies between them, e.g.
    /// 'sites[*].capacity_mw=0.25:1.5:6'.
    #[arg(long, value_name = "KEY=LO:HI:STEPS", value_parser = parse_param)]
    pub scale: ParamRange,
    #[command(flatten)]
    pub run: DecisionOptions,
}

/// A searched key and its range.
#[derive(Clone, Debug, PartialEq)]
pub struct Bounds {
    pub key: String,
    pub lo: f64,
    pub hi: f64,
}

/// `KEY=LO:HI` with LO < HI, both finite.
fn parse_bounds(s: &str) -> Result<Bounds, String> {
    let (key, spec) = s
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=LO:HI, got {s:?}"))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(format!("empty key in {s:?}"));
    }
    let (lo, hi) = spec
        .split_once(':')
        .ok_or_else(|| format!("expected LO:HI after {key}=, got {spec:?}"))?;
    let (lo, hi) = (finite(lo.trim(), "LO")?, finite(hi.trim(), "HI")?);
    if lo >= hi {
        return Err(format!("LO must be below HI, got {lo} and {hi}"));
    }
    Ok(Bounds {
        key: key.to_string(),
        lo,
        hi,
    })
}

/// `dcrisk sensitivity`'s arguments.
#[derive(Args, Debug, Clone)]
pub struct SensitivityArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// How far each input group moves down and up: 0.2 for ±20% (drifts move by
    /// ±SWING × max(|drift|, 0.1)). Strictly between 0 and 1 (0 < SWING < 1): a level
    /// moved down by 100% would be 0, and prices must stay above 0.
    #[arg(long, default_value_t = 0.2, value_parser = parse_swing)]
    pub swing: f64,
    /// Metric whose mean ranks the inputs (any metric of summary.json); the tornado's
    /// second panel is its risk tail: the 5% expected shortfall of savings, the 99%
    /// expected shortfall (mean of the worst 1%) of a cost or loss.
    #[arg(long, default_value = "savings_pv", value_parser = parse_metric)]
    pub metric: Metric,
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub charts: ChartArgs,
    /// Refuse a scenario with plausibility warnings (docs/PARAMETERS.md) instead of
    /// printing them: exit 2, nothing written.
    #[arg(long)]
    pub strict: bool,
}

fn parse_swing(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x < 1.0 => Ok(x),
        _ => Err(format!(
            "expected 0 < SWING < 1 (0.2 = ±20%; at 1 a level moved down would be 0), got {s:?}"
        )),
    }
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

    #[test]
    fn swing_must_be_a_fraction() {
        assert_eq!(parse_swing("0.2"), Ok(0.2));
        assert_eq!(parse_swing("0.99"), Ok(0.99));
        for bad in ["0", "1", "1.0", "-0.1", "x", "nan"] {
            assert!(parse_swing(bad).is_err(), "{bad}");
        }
    }

    /// `rng-floor` is a developer's tool: runnable, but not in the user's `--help`.
    #[test]
    fn rng_floor_is_hidden_but_parses() {
        use clap::CommandFactory;
        let help = Cli::command().render_long_help().to_string();
        assert!(!help.contains("rng-floor"), "{help}");
        assert!(help.contains("sensitivity"), "{help}");
        let cli = Cli::try_parse_from(["dcrisk", "rng-floor", "s.toml", "--paths", "10"]).unwrap();
        assert!(matches!(cli.command, Command::RngFloor { .. }));
    }
}

/// The outer samples of a run whose scenario has uncertain inputs (fields given as
/// distributions); ignored by a run without any.
#[derive(Args, Debug, Clone)]
pub struct UncertainArgs {
    /// Outer samples of the uncertain inputs, each run with --paths inner paths (with
    /// --sobol: base samples, S (k + 2) runs for k inputs) [default: 256].
    #[arg(long, value_name = "S",
          value_parser = clap::value_parser!(u64).range(2..=1_000_000))]
    pub samples: Option<u64>,
    /// How the outer samples are drawn: `lhs` (Latin hypercube: one sample in each of S
    /// equal-probability strata of every input) or `mc` (independent draws) [default: lhs].
    #[arg(long, value_name = "lhs|mc", value_parser = parse_sampling)]
    pub sampling: Option<Sampling>,
    /// A Saltelli design, giving first-order and total-effect Sobol indices (Jansen's
    /// estimators) in drivers.csv.
    #[arg(long)]
    pub sobol: bool,
}

impl UncertainArgs {
    /// The outer samples asked for, 256 by default.
    pub fn samples(&self) -> u64 {
        self.samples.unwrap_or(256)
    }

    /// The design asked for, a Latin hypercube by default.
    pub fn sampling(&self) -> Sampling {
        self.sampling.unwrap_or(Sampling::LatinHypercube)
    }

    /// Whether any two-level flag was given.
    pub fn given(&self) -> bool {
        self.samples.is_some() || self.sampling.is_some() || self.sobol
    }
}

fn parse_sampling(s: &str) -> Result<Sampling, String> {
    match s {
        "lhs" => Ok(Sampling::LatinHypercube),
        "mc" => Ok(Sampling::MonteCarlo),
        other => Err(format!("expected lhs or mc, got {other:?}")),
    }
}
