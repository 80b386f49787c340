//! Publishing a run: its folder of files and charts written atomically, and its summary
//! on stdout. `run`, `merge` and `batch` all publish the same way, so a folder written by
//! one reads like a folder written by another.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use dcrisk_core::{Metric, MetricStats, RunResults};
use dcrisk_report::TwoLevel;

use crate::atomic::{OutputFile, write_atomically};
use crate::cli::{ChartArgs, Reports};
use crate::provenance::Record;
use crate::report::report_files;
use crate::{finite, outputs, table};

/// Writes a run's folder `dir` (files, charts and `reports`, atomically, with the
/// `record` of its making) and prints its summary; the statistics are computed once for
/// both.
#[allow(clippy::too_many_arguments)] // each a separate choice of the command's flags
pub fn publish(
    results: &RunResults,
    dir: &Path,
    save_paths: bool,
    charts: &ChartArgs,
    reports: Reports,
    record: &Record,
    started: Instant,
    heading: &str,
) -> Result<()> {
    let stats = results.metric_stats();
    let files = write_run_folder(results, &stats, dir, save_paths, charts, reports, record)?;
    let headline = results.headline_from(&stats);
    let report = table::render(results, &headline, started.elapsed().as_secs_f64());
    say(&format!(
        "{heading}{report}  wrote {}/ ({files} files)\n",
        dir.display()
    ));
    Ok(())
}

/// Writes every file of a run's folder `dir` at once (see [`output_files`], the charts,
/// the `reports` and the `record`'s run.json and scenario.toml); returns how many there
/// are. A run with a non-finite figure fails here and writes nothing (see `finite`).
pub fn write_run_folder(
    results: &RunResults,
    stats: &[(Metric, MetricStats)],
    dir: &Path,
    save_paths: bool,
    charts: &ChartArgs,
    reports: Reports,
    record: &Record,
) -> Result<usize> {
    finite::check(results, Some(stats))?;
    let mut files = output_files(results, stats, save_paths);
    files.extend(charts_reports_and_record(
        results, stats, charts, reports, record, None,
    )?);
    // The replacement check again, under the folder's lock.
    write_atomically(dir, &files, &|| Ok(record.check_replacement(dir)?))?;
    Ok(files.len())
}

/// The charts of a run's folder, its `reports` (which show those charts: none under
/// `--no-charts`, which keeps quick runs quick; with a two-level run's section when
/// `two_level` is given) and the `record`'s run.json and scenario.toml.
pub fn charts_reports_and_record(
    results: &RunResults,
    stats: &[(Metric, MetricStats)],
    charts: &ChartArgs,
    reports: Reports,
    record: &Record,
    two_level: Option<&TwoLevel>,
) -> Result<Vec<OutputFile>> {
    let charts = match charts.no_charts {
        true => Vec::new(),
        false => render_charts(results, charts, &record.chart_note())?,
    };
    let mut files = report_files(results, stats, &charts, record, reports, two_level)?;
    files.extend(
        charts
            .into_iter()
            .map(|c| OutputFile::new(c.file_name, c.png)),
    );
    files.extend(record.files(results));
    Ok(files)
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
        OutputFile::new("landlords.csv", outputs::landlords_csv(r)),
        OutputFile::new("default_curve.csv", outputs::default_curve_csv(r)),
    ];
    if save_paths {
        files.push(OutputFile::new("paths.csv", outputs::paths_csv(r)));
    }
    files
}

/// The run's PNG charts at the size `args` asks, with `note` in their subtitles (see
/// `dcrisk_report::render_all_noted`).
pub fn render_charts(
    r: &RunResults,
    args: &ChartArgs,
    note: &str,
) -> Result<Vec<dcrisk_report::Chart>> {
    let (width, height) = args.chart_size;
    let opts = dcrisk_report::ChartOptions { width, height };
    dcrisk_report::render_all_noted(r, &opts, note).context("cannot render the charts")
}

/// Prints to stdout, ignoring a closed pipe (`dcrisk run ... | head`): the files on disk
/// are the result, the summary is a courtesy.
pub fn say(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
