//! The `dcrisk` command: argument plumbing and exit codes around the commands.
//!
//! Modules form layers, each importing only from the layers below it (no circles):
//! - arguments: `cli` (every clap struct), with `decimal` beneath it;
//! - helpers: `load` (scenario files), `progress`, `interrupt` (SIGINT and SIGTERM),
//!   `lock` (one writer per output folder), `stale` (leftovers of interrupted writers),
//!   `atomic` (file writes), `limits` (memory), `finite` (non-finite results), `outputs`
//!   (file contents), `csv`, `table` (terminal text), `pool` (threads), `provenance`
//!   (run.json and scenario.toml), `report` (report.html and report.xlsx), `publish`
//!   (a run's folder and summary) and `study` (the runner of `sweep` and `sensitivity`),
//!   `drivers_charts` (the charts of a two-level run), `two_level` (a run with uncertain
//!   inputs, for `commands`) and `two_level_shards` (its shards and merge, for `shards`);
//! - commands: `commands` (run, validate, init, rng-floor), `shards` (run --shard,
//!   merge), `batch`, `sweep`, `sensitivity`, `solve`, `frontier`, each used only by
//!   `main`.

#![forbid(unsafe_code)]

/// `eprintln!` that ignores a closed stderr (`dcrisk ... 2>&1 | head`) rather than
/// panicking as the standard one does: the exit code still tells what happened. Defined
/// before the modules, so it is the `eprintln!` they all use.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod atomic;
mod batch;
mod cli;
mod commands;
mod csv;
mod decimal;
mod decision;
mod drivers_charts;
mod finite;
mod frontier;
mod interrupt;
mod limits;
mod load;
mod lock;
mod outputs;
mod pool;
mod progress;
mod provenance;
mod publish;
mod report;
mod sensitivity;
mod shards;
mod solve;
mod stale;
mod study;
mod sweep;
mod table;
mod two_level;
mod two_level_shards;

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use cli::{Cli, Command};
use load::InputError;
use table::PrecisionNotMet;

/// Exit code of a run to a precision that stopped at `--max-paths` short of it, after
/// writing its outputs (0 success, 1 failure while running, 2 bad input).
const PRECISION_NOT_MET: u8 = 3;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                _ => ExitCode::from(2),
            };
        }
    };
    interrupt::install();
    let outcome = run(cli);
    interrupt::settle();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.downcast_ref::<InputError>().is_some() {
                ExitCode::from(2)
            } else if e.downcast_ref::<PrecisionNotMet>().is_some() {
                ExitCode::from(PRECISION_NOT_MET)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => match &args.shard {
            Some(spec) => shards::run_shard(&args, spec),
            None => commands::run(&args),
        },
        Command::Merge(args) => shards::merge(&args),
        Command::RngFloor { scenario, common } => commands::rng_floor(&scenario, &common),
        Command::Validate { scenario, strict } => commands::validate(&scenario, strict),
        Command::Init { name, force } => commands::init(&name, force),
        Command::Batch(args) => batch::batch(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Sensitivity(args) => sensitivity::sensitivity(&args),
        Command::Solve(args) => solve::solve(&args),
        Command::Frontier(args) => frontier::frontier(&args),
    }
}
