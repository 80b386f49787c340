//! What `batch`, `sweep` and `sensitivity` share: many variants of scenarios simulated on
//! one rayon pool with common random numbers, their headline figures as CSV, and files
//! written beside a run's outputs.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use dcrisk_core::{Metric, Progress, RunResults, Scenario, engine};
use dcrisk_report::{Headline, ValueKind};
use rayon::prelude::*;

use crate::cli::CommonArgs;
use crate::commands;
use crate::outputs::OutputFile;
use crate::table;

/// Simulates `scenario` on the current rayon pool (the caller's `install`), with the
/// variance-reduction techniques the flags ask for.
pub fn simulate_on_pool(
    scenario: &Scenario,
    paths: u64,
    seed: u64,
    common: &CommonArgs,
    progress: &dyn Progress,
) -> RunResults {
    let config = engine::RunConfig::new(paths, seed).with_techniques(commands::techniques(common));
    engine::simulate(scenario, &config, progress)
}

/// Maps `f` over `items` on `pool`, the items in parallel with each other (and each run
/// in parallel over its paths). Items go in waves of two per thread, so only that many
/// runs hold their per-path data at once. Results come back in item order; every run
/// is deterministic, so they do not depend on the thread count.
pub fn par_map<T, R, F>(pool: &rayon::ThreadPool, items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync + Send,
{
    let wave = 2 * pool.current_num_threads().max(1);
    pool.install(|| {
        items
            .chunks(wave)
            .flat_map(|chunk| chunk.par_iter().map(&f).collect::<Vec<R>>())
            .collect()
    })
}

/// Writes each file into `dir` (created if need be) under a temporary name and renames
/// it into place, leaving the folder's other files alone: a sweep's or a tornado's files
/// sit beside the scenario's run outputs.
pub fn write_beside(dir: &Path, files: &[OutputFile]) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output folder {}", dir.display()))?;
    for f in files {
        let target = dir.join(&f.name);
        let staging = dir.join(format!(".{}.partial-{}", f.name, std::process::id()));
        let written =
            std::fs::write(&staging, &f.bytes).and_then(|()| std::fs::rename(&staging, &target));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&staging);
            return Err(e).with_context(|| format!("cannot write {}", target.display()));
        }
    }
    Ok(())
}

/// `x` rounded to 12 significant digits, so values computed from a grid or a swing read
/// as typed (0.3, not 0.30000000000000004) and equal what `--set KEY=0.3` gives.
pub fn round12(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The columns [`headline_csv`] writes, comma-separated.
pub const HEADLINE_COLUMNS: &str = "paths,seed,savings_pv_mean,savings_pv_stderr,\
savings_pv_p05,savings_pv_p50,savings_pv_p95,savings_pv_lower_es_05,p_savings_negative,\
guarantor_payout_pv_mean,guarantor_pfe99_peak,tenant_default,any_landlord_default";

/// A run's headline figures as CSV fields in [`HEADLINE_COLUMNS`] order (numbers in
/// Rust's shortest round-trip form, so they read back bit for bit).
pub fn headline_csv(h: &Headline) -> String {
    let q = h.savings.quantiles;
    let mut out = String::new();
    let _ = write!(
        out,
        "{},{},{},{},{},{},{},{},{},{},{},{},{}",
        h.paths,
        h.seed,
        h.savings_mean,
        h.savings_stderr,
        q[1],
        q[4],
        q[7],
        h.savings.lower_es_05,
        h.p_savings_negative,
        h.guarantor_expected_loss,
        h.guarantor_pfe99_peak,
        h.tenant_default,
        h.any_landlord_default
    );
    out
}

/// What a metric measures, for axes and tables.
pub fn metric_kind(m: Metric) -> ValueKind {
    match m {
        Metric::TenantDefault => ValueKind::Share,
        Metric::IdleMwMonths | Metric::OverflowMwMonths | Metric::LandlordDefaults => {
            ValueKind::Number
        }
        _ => ValueKind::Money,
    }
}

/// An axis description of a metric, with its unit.
pub fn metric_desc(m: Metric) -> String {
    match m {
        Metric::SavingsPv => "Savings against all-cloud, present value (US$)".to_string(),
        Metric::IdleMwMonths => "Idle capacity (MW-months)".to_string(),
        Metric::OverflowMwMonths => "Demand served by cloud overflow (MW-months)".to_string(),
        Metric::LandlordDefaults => "Landlord defaults per path".to_string(),
        Metric::TenantDefault => "Tenant default probability".to_string(),
        _ => format!("{}, present value at month 0 (US$)", m.name()),
    }
}

/// `v` for the terminal: money as `table::money`, shares as percentages.
pub fn show(kind: ValueKind, v: f64) -> String {
    match kind {
        ValueKind::Money => table::money(v),
        ValueKind::Share => format!("{:.1}%", 100.0 * v),
        ValueKind::Number => format!("{v:.4}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string(),
    }
}

/// A share as a percentage with one decimal.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// Rows of cells as an aligned text table (first column left-aligned, the others
/// right-aligned), each line indented by two spaces.
pub fn text_table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        out.push(' ');
        for (c, cell) in row.iter().enumerate() {
            let w = widths[c];
            if c == 0 {
                let _ = write!(out, " {cell:<w$}");
            } else {
                let _ = write!(out, "  {cell:>w$}");
            }
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("sites.\"A 1\".pue"), "\"sites.\"\"A 1\"\".pue\"");
    }

    #[test]
    fn tables_align() {
        let t = text_table(&[
            vec!["name".into(), "x".into()],
            vec!["longer name".into(), "12.5".into()],
        ]);
        assert_eq!(t, "  name            x\n  longer name  12.5\n");
    }
}
