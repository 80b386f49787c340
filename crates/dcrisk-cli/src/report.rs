//! A run's reports (`--report html,xlsx`): report.html and report.xlsx, made from the
//! run in memory, its charts and the record of its making, and written with the folder's
//! other files. [`report_files`] is the one entry: any command that writes a run's folder
//! adds its result to the folder's files.

use anyhow::{Context, Result};
use dcrisk_core::{Headline, Metric, MetricStats, RunResults};
use dcrisk_report::{Chart, ReportInput};
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

/// The reports `reports` asks for, of the run `r` with its statistics `stats`, its
/// `charts` (as written to the folder) and the `record` of its making. The same run and
/// record give the same bytes: nothing here reads the clock.
pub fn report_files(
    r: &RunResults,
    stats: &[(Metric, MetricStats)],
    charts: &[Chart],
    record: &Record,
    reports: Reports,
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

/// run.json's fields as label and text rows: the command line joined by spaces, lists
/// by commas, nested objects as compact JSON.
pub fn making_rows(run: &Value) -> Vec<(String, String)> {
    let Some(fields) = run.as_object() else {
        return Vec::new();
    };
    fields
        .iter()
        .map(|(k, v)| {
            let text = match (k.as_str(), v) {
                (_, Value::String(s)) => s.clone(),
                ("command", Value::Array(a)) => join(a, " "),
                (_, Value::Array(a)) if a.is_empty() => "none".to_string(),
                (_, Value::Array(a)) if a.iter().all(Value::is_string) => join(a, ", "),
                (_, other) => other.to_string(),
            };
            (k.replace('_', " "), text)
        })
        .collect()
}

fn join(items: &[Value], sep: &str) -> String {
    items
        .iter()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
        .collect::<Vec<_>>()
        .join(sep)
}
