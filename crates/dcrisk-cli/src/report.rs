//! A run's reports (`--report html,xlsx`): report.html and report.xlsx, made from the
//! run in memory, its charts and the record of its making, and written with the folder's
//! other files. [`report_files`] is the one entry: any command that writes a run's folder
//! adds its result to the folder's files.

use anyhow::{Context, Result};
use dcrisk_core::{Headline, Metric, MetricStats, RunResults};
use dcrisk_report::{Chart, FrontierReport, ReportInput, SolveReport, TwoLevel};
use serde_json::Value;

use crate::atomic::OutputFile;
use crate::cli::Reports;
use crate::provenance::Record;

/// report.html of a run.
pub const REPORT_HTML: &str = "report.html";
/// report.xlsx of a run.
pub const REPORT_XLSX: &str = "report.xlsx";
/// A batch's comparison.html.
pub const COMPARISON_HTML: &str = "comparison.html";
/// A batch's comparison.xlsx.
pub const COMPARISON_XLSX: &str = "comparison.xlsx";
/// `solve`'s reports: named for the command, beside the run's own report.html.
pub const SOLVE_HTML: &str = "solve.html";
/// See [`SOLVE_HTML`].
pub const SOLVE_XLSX: &str = "solve.xlsx";
/// `frontier`'s reports.
pub const FRONTIER_HTML: &str = "frontier.html";
/// See [`FRONTIER_HTML`].
pub const FRONTIER_XLSX: &str = "frontier.xlsx";

/// The reports `reports` asks for, of the run `r` with its statistics `stats`, its
/// `charts` (as written to the folder) and the `record` of its making, and for a two-level
/// run its uncertain inputs' section and sheets (`two_level`). The same run and record give
/// the same bytes: nothing here reads the clock.
pub fn report_files(
    r: &RunResults,
    stats: &[(Metric, MetricStats)],
    charts: &[Chart],
    record: &Record,
    reports: Reports,
    two_level: Option<&TwoLevel>,
) -> Result<Vec<OutputFile>> {
    if !reports.html && !reports.xlsx {
        return Ok(Vec::new());
    }
    let run = record.run_json(r);
    let making = making_rows(&run);
    let headline = r.headline_from(stats);
    let input = ReportInput {
        results: r,
        stats,
        headline: &headline,
        charts,
        making: &making,
        started: run.get("started").and_then(Value::as_str),
        scenario: record.scenario_tree(),
        original: record.original_tree(),
        two_level,
    };
    let mut files = Vec::new();
    if reports.html {
        files.push(OutputFile::new(
            REPORT_HTML,
            dcrisk_report::html::render_run(&input),
        ));
    }
    if reports.xlsx {
        let bytes = dcrisk_report::xlsx::render_run(&input).context("cannot write report.xlsx")?;
        files.push(OutputFile::new(REPORT_XLSX, bytes));
    }
    Ok(files)
}

/// A batch's reports: its scenarios' headline figures side by side (`rows`: each
/// scenario's file and figures, `base` the base case's row) with the comparison
/// `charts`. The workbook's creation date is fixed (a batch records no start time of its
/// own), so the same batch gives the same bytes.
pub fn comparison_files(
    rows: &[(String, &Headline)],
    base: Option<usize>,
    charts: &[Chart],
    reports: Reports,
) -> Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    if reports.html {
        let html_rows: Vec<dcrisk_report::html::ComparisonRow> = rows
            .iter()
            .map(|(file, h)| dcrisk_report::html::ComparisonRow { headline: h, file })
            .collect();
        files.push(OutputFile::new(
            COMPARISON_HTML,
            dcrisk_report::html::render_comparison(&html_rows, base, charts, true),
        ));
    }
    if reports.xlsx {
        let headlines: Vec<&Headline> = rows.iter().map(|(_, h)| *h).collect();
        let bytes = dcrisk_report::xlsx::render_comparison(&headlines, base, None)
            .context("cannot write comparison.xlsx")?;
        files.push(OutputFile::new(COMPARISON_XLSX, bytes));
    }
    Ok(files)
}

/// `solve`'s reports (solve.html, solve.xlsx) as `reports` asks.
pub fn solve_files(s: &SolveReport, reports: Reports) -> Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    if reports.html {
        files.push(OutputFile::new(
            SOLVE_HTML,
            dcrisk_report::html::render_solve(s),
        ));
    }
    if reports.xlsx {
        let bytes = dcrisk_report::xlsx::render_solve(s).context("cannot write solve.xlsx")?;
        files.push(OutputFile::new(SOLVE_XLSX, bytes));
    }
    Ok(files)
}

/// `frontier`'s reports (frontier.html, frontier.xlsx) as `reports` asks.
pub fn frontier_files(f: &FrontierReport, reports: Reports) -> Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    if reports.html {
        files.push(OutputFile::new(
            FRONTIER_HTML,
            dcrisk_report::html::render_frontier(f),
        ));
    }
    if reports.xlsx {
        let bytes =
            dcrisk_report::xlsx::render_frontier(f).context("cannot write frontier.xlsx")?;
        files.push(OutputFile::new(FRONTIER_XLSX, bytes));
    }
    Ok(files)
}

/// run.json's fields as label and text rows: the command line as a shell takes it
/// (arguments with spaces or special characters single-quoted), lists
/// by commas, objects as `key: value` pairs (`parts` of a merge, `techniques`).
pub fn making_rows(run: &Value) -> Vec<(String, String)> {
    let Some(fields) = run.as_object() else {
        return Vec::new();
    };
    fields
        .iter()
        .map(|(k, v)| {
            let text = match (k.as_str(), v) {
                ("command", Value::Array(a)) => a
                    .iter()
                    .map(|x| shell_word(&plain(x)))
                    .collect::<Vec<_>>()
                    .join(" "),
                (_, other) => plain(other),
            };
            (k.replace('_', " "), text)
        })
        .collect()
}

/// A JSON value as plain text for a reader: strings unquoted, `null` as "none", lists by
/// commas, objects as `key: value` pairs in braces when nested.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "none".to_string(),
        Value::Array(a) if a.is_empty() => "none".to_string(),
        Value::Array(a) => a.iter().map(plain).collect::<Vec<_>>().join(", "),
        Value::Object(o) => {
            let pairs: Vec<String> = o
                .iter()
                .map(|(k, x)| match x {
                    Value::Object(_) => format!("{k}: {{{}}}", plain(x)),
                    _ => format!("{k}: {}", plain(x)),
                })
                .collect();
            pairs.join(", ")
        }
        other => other.to_string(),
    }
}

/// `word` as one shell word: as it is when plain, else in single quotes (a quote inside
/// written `'\''`).
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:=,@+-%".contains(c));
    match plain {
        true => word.to_string(),
        false => format!("'{}'", word.replace('\'', r"'\''")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn making_rows_read_as_text() {
        let run = json!({
            "command": ["dcrisk", "run", "a b.toml", "--set", "x='1'"],
            "overrides": [],
            "seed": 42,
            "techniques": {"antithetic": true, "precision": null, "x": {"y": 1}},
        });
        assert_eq!(
            making_rows(&run),
            [
                ("command", r"dcrisk run 'a b.toml' --set 'x='\''1'\'''"),
                ("overrides", "none"),
                ("seed", "42"),
                ("techniques", "antithetic: true, precision: none, x: {y: 1}"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
    }
}
