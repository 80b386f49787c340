//! The workbook's sheets, one function each. Every sheet starts with a bold header row
//! that stays in view (frozen) and columns wide enough for their contents.

use dcrisk_core::scenario::Table;
use dcrisk_core::stats::QUANTILE_LEVELS;
use dcrisk_core::{Headline, Metric, MetricStats, RunResults};
use rust_xlsxwriter::{Chart, ChartType, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::charts::sweep::ValueKind;
use crate::data;
use crate::inputs::{Block, blocks};
use crate::report::{figures, metric_kind};

/// Dollars shown in millions: `$1,234.5M`, `-$12.0M`.
pub(super) const MILLIONS: &str = "$#,##0.0,,\"M\";-$#,##0.0,,\"M\"";
/// Shares shown as percentages with two decimals.
pub(super) const PERCENT: &str = "0.00%";
/// Plain numbers with thousands separators.
pub(super) const NUMBER: &str = "#,##0.00";

fn header() -> Format {
    Format::new()
        .set_bold()
        .set_background_color("#E8ECF0")
        .set_align(FormatAlign::Left)
}

pub(super) fn kind_format(kind: ValueKind) -> Format {
    Format::new().set_num_format(match kind {
        ValueKind::Money => MILLIONS,
        ValueKind::Share => PERCENT,
        ValueKind::Number => NUMBER,
    })
}

/// A sheet named `name` with `titles` as its frozen header row and `widths` as its
/// columns' widths (in characters).
pub(super) fn sheet(name: &str, titles: &[&str], widths: &[f64]) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    let bold = header();
    for (c, t) in titles.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *t, &bold)?;
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(ws)
}

/// Summary: the headline figures per party, money as $ millions, shares as percentages.
/// Returns each figure's defined name and row, for [`define_names`].
pub fn summary(
    book: &mut Workbook,
    h: &Headline,
    scenario: &str,
) -> Result<Vec<(&'static str, u32)>, XlsxError> {
    let mut ws = sheet(
        "Summary",
        &["Party", "Figure", "Value", "Name"],
        &[12.0, 36.0, 16.0, 26.0],
    )?;
    let mut names = Vec::new();
    for (i, f) in figures(h).iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string(row, 0, f.party.title())?;
        ws.write_string(row, 1, f.label)?;
        ws.write_number_with_format(row, 2, f.value, &kind_format(f.kind))?;
        ws.write_string(row, 3, f.name)?;
        names.push((f.name, row));
    }
    let note_row = 2 + names.len() as u32;
    ws.write_string(
        note_row,
        0,
        format!(
            "{scenario}: {} paths, seed {}, {} months. Money in present-value US dollars, \
             shown in millions; every figure has a defined name (column D).",
            h.paths, h.seed, h.horizon_months
        ),
    )?;
    book.push_worksheet(ws);
    Ok(names)
}

/// A defined name per headline figure, pointing at its value on the Summary sheet.
pub fn define_names(book: &mut Workbook, rows: &[(&str, u32)]) -> Result<(), XlsxError> {
    for (name, row) in rows {
        book.define_name(*name, &format!("=Summary!$C${}", row + 1))?;
    }
    Ok(())
}

/// The columns of summary.json's statistics, in metrics.csv's order.
fn stat_columns() -> Vec<&'static str> {
    let mut cols = vec!["metric", "mean", "std", "stderr", "min", "max"];
    cols.extend(QUANTILE_LEVELS.iter().map(|(n, _)| *n));
    cols.extend(["lower_es_05", "lower_es_01", "upper_es_95", "upper_es_99"]);
    cols
}

/// A metric's statistics in [`stat_columns`] order (after the name).
fn stat_values(s: &MetricStats) -> Vec<f64> {
    let mut v = vec![s.mean, s.std, s.stderr, s.min, s.max];
    v.extend(s.quantiles);
    v.extend([s.lower_es_05, s.lower_es_01, s.upper_es_95, s.upper_es_99]);
    v
}

/// Metrics: every statistic of summary.json, one row per metric, as numbers.
pub fn metrics(book: &mut Workbook, stats: &[(Metric, MetricStats)]) -> Result<(), XlsxError> {
    let cols = stat_columns();
    let mut widths = vec![22.0];
    widths.extend(std::iter::repeat_n(17.0, cols.len() - 1));
    let mut ws = sheet("Metrics", &cols, &widths)?;
    ws.set_freeze_panes(1, 1)?;
    for (i, (m, s)) in stats.iter().enumerate() {
        let row = 1 + i as u32;
        let format = kind_format(metric_kind(*m));
        ws.write_string(row, 0, m.name())?;
        for (c, v) in stat_values(s).into_iter().enumerate() {
            ws.write_number_with_format(row, 1 + c as u16, v, &format)?;
        }
    }
    book.push_worksheet(ws);
    Ok(())
}

/// Savings: the quantiles of savings and (when the run kept per-path values) its
/// histogram, with a native chart of the distribution.
pub fn savings(
    book: &mut Workbook,
    r: &RunResults,
    stats: &[(Metric, MetricStats)],
) -> Result<(), XlsxError> {
    let titles = [
        "Percentile",
        "Savings",
        "",
        "Bin from",
        "Bin to",
        "Bin middle",
        "Share of paths",
    ];
    let mut ws = sheet(
        "Savings",
        &titles,
        &[12.0, 14.0, 3.0, 14.0, 14.0, 14.0, 15.0],
    )?;
    let money = kind_format(ValueKind::Money);
    let pct = kind_format(ValueKind::Share);
    let s = stats
        .iter()
        .find(|(m, _)| *m == Metric::SavingsPv)
        .map(|(_, s)| s);
    let n_q = QUANTILE_LEVELS.len() as u32;
    for (i, (_, level)) in QUANTILE_LEVELS.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_number_with_format(row, 0, *level, &Format::new().set_num_format("0%"))?;
        if let Some(s) = s {
            ws.write_number_with_format(row, 1, s.quantiles[i], &money)?;
        }
    }
    let bins = savings_bins(r);
    for (i, b) in bins.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_number_with_format(row, 3, b.lo, &money)?;
        ws.write_number_with_format(row, 4, b.hi, &money)?;
        ws.write_number_with_format(row, 5, 0.5 * (b.lo + b.hi), &money)?;
        ws.write_number_with_format(row, 6, b.share, &pct)?;
    }
    let mut chart = match bins.is_empty() {
        false => {
            let mut c = Chart::new(ChartType::Column);
            c.add_series()
                .set_categories(("Savings", 1, 5, bins.len() as u32, 5))
                .set_values(("Savings", 1, 6, bins.len() as u32, 6))
                .set_name("Share of paths")
                .set_gap(10);
            c.x_axis()
                .set_name("Savings against all-cloud, present value (bin middle)")
                .set_num_format(MILLIONS);
            c.y_axis().set_name("Share of paths").set_num_format("0%");
            c
        }
        true => {
            let mut c = Chart::new(ChartType::Scatter);
            c.add_series()
                .set_categories(("Savings", 1, 1, n_q, 1))
                .set_values(("Savings", 1, 0, n_q, 0))
                .set_name("Cumulative share of paths");
            c.x_axis()
                .set_name("Savings against all-cloud, present value")
                .set_num_format(MILLIONS);
            c.y_axis()
                .set_name("Share of paths at or below")
                .set_num_format("0%");
            c
        }
    };
    chart
        .title()
        .set_name(&format!("Distribution of savings: {}", r.scenario));
    chart.legend().set_hidden();
    // Wide enough for the bins' labels to be read.
    chart.set_width(800).set_height(450);
    // Right of the tables (columns A to G), so it hides none of their cells.
    ws.insert_chart(1, 8, &chart)?;
    book.push_worksheet(ws);
    Ok(())
}

/// The histogram of savings over the same window as savings_histogram.png (empty for a
/// run without per-path values).
fn savings_bins(r: &RunResults) -> Vec<data::Bin> {
    let values = r.metrics.get(Metric::SavingsPv);
    let sorted = data::sorted_finite(values);
    if sorted.is_empty() {
        return Vec::new();
    }
    let win = data::display_window(&sorted);
    data::histogram(values, win.lo, win.hi, data::bin_count(sorted.len()))
}

/// Time series: timeseries.csv's long format, one row per month and series.
pub fn time_series(book: &mut Workbook, r: &RunResults) -> Result<(), XlsxError> {
    let cols = ["month", "series", "mean", "p05", "p25", "p50", "p75", "p95"];
    let mut ws = sheet(
        "Time series",
        &cols,
        &[8.0, 30.0, 15.0, 15.0, 15.0, 15.0, 15.0, 15.0],
    )?;
    let number = Format::new().set_num_format(NUMBER);
    let mut row = 1u32;
    for s in &r.series {
        for (t, m) in s.months.iter().enumerate() {
            ws.write_number(row, 0, t as f64)?;
            ws.write_string(row, 1, &s.name)?;
            for (c, v) in [m.mean, m.p05, m.p25, m.p50, m.p75, m.p95]
                .into_iter()
                .enumerate()
            {
                ws.write_number_with_format(row, 2 + c as u16, v, &number)?;
            }
            row += 1;
        }
    }
    ws.autofilter(0, 0, row.saturating_sub(1).max(1), 7)?;
    book.push_worksheet(ws);
    Ok(())
}

/// Exposure: the guarantor's profile (exposure.csv) and a native line chart of it.
pub fn exposure(book: &mut Workbook, r: &RunResults) -> Result<(), XlsxError> {
    let cols = ["month", "expected_exposure", "pfe_95", "pfe_99"];
    let mut ws = sheet("Exposure", &cols, &[8.0, 18.0, 16.0, 16.0])?;
    let money = kind_format(ValueKind::Money);
    let months = r
        .series("guarantor_exposure")
        .map_or(&[][..], |s| &s.months[..]);
    for (t, m) in months.iter().enumerate() {
        let row = 1 + t as u32;
        ws.write_number(row, 0, t as f64)?;
        for (c, v) in [m.mean, m.p95, m.p99].into_iter().enumerate() {
            ws.write_number_with_format(row, 1 + c as u16, v, &money)?;
        }
    }
    let last = months.len().max(1) as u32;
    let mut chart = Chart::new(ChartType::Line);
    for (c, name) in [(1, "Expected exposure"), (2, "PFE 95%"), (3, "PFE 99%")] {
        chart
            .add_series()
            .set_categories(("Exposure", 1, 0, last, 0))
            .set_values(("Exposure", 1, c, last, c))
            .set_name(name);
    }
    chart
        .title()
        .set_name(&format!("Guarantor's exposure profile: {}", r.scenario));
    chart.x_axis().set_name("Month");
    chart
        .y_axis()
        .set_name("Exposure, month-t US$")
        .set_num_format(MILLIONS);
    ws.insert_chart(1, 5, &chart)?;
    book.push_worksheet(ws);
    Ok(())
}

/// Inputs: every field of the scenario as run, one row each, overrides marked.
pub fn inputs(
    book: &mut Workbook,
    tree: Option<&Table>,
    original: Option<&Table>,
) -> Result<(), XlsxError> {
    let cols = ["section", "entry", "field", "value", "overridden"];
    let mut ws = sheet("Inputs", &cols, &[14.0, 22.0, 28.0, 40.0, 11.0])?;
    let Some(tree) = tree else {
        ws.write_string(1, 0, "merged from shard parts: see the Run sheet")?;
        book.push_worksheet(ws);
        return Ok(());
    };
    let flag = Format::new().set_background_color("#FDEBD9").set_bold();
    let mut row = 1u32;
    let mut put = |ws: &mut Worksheet, section: &str, entry: &str, c: &crate::inputs::Cell| {
        ws.write_string(row, 0, section)?;
        ws.write_string(row, 1, entry)?;
        ws.write_string(row, 2, c.field)?;
        match c.number {
            Some(x) => ws.write_number(row, 3, x)?,
            None => ws.write_string(row, 3, &c.text)?,
        };
        if c.overridden {
            ws.write_string_with_format(row, 4, "yes", &flag)?;
        }
        row += 1;
        Ok::<(), XlsxError>(())
    };
    for b in blocks(tree, original) {
        match &b {
            Block::Fields(name, cells) => {
                let section = if name.is_empty() { "settings" } else { name };
                for c in cells {
                    put(&mut ws, section, "", c)?;
                }
            }
            Block::List(name, _, rows) => {
                for (i, entry) in rows.iter().enumerate() {
                    let label = entry
                        .iter()
                        .flatten()
                        .find(|c| c.field == "name")
                        .map_or_else(|| format!("[{i}]"), |c| c.text.clone());
                    for c in entry.iter().flatten() {
                        put(&mut ws, name, &label, c)?;
                    }
                }
            }
        }
    }
    book.push_worksheet(ws);
    Ok(())
}

/// Run: how the run was made (run.json's fields).
pub fn run(book: &mut Workbook, making: &[(String, String)]) -> Result<(), XlsxError> {
    let mut ws = sheet("Run", &["field", "value"], &[20.0, 100.0])?;
    for (i, (k, v)) in making.iter().enumerate() {
        ws.write_string(1 + i as u32, 0, k)?;
        ws.write_string(1 + i as u32, 1, v)?;
    }
    book.push_worksheet(ws);
    Ok(())
}

/// Comparison: figures as rows, scenarios as columns (the base case marked), with
/// native charts of savings and of the guarantor's figures.
pub fn comparison(
    book: &mut Workbook,
    rows: &[&Headline],
    base: Option<usize>,
) -> Result<(), XlsxError> {
    let names: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, h)| match base == Some(i) {
            true => format!("{} (base)", h.scenario),
            false => h.scenario.clone(),
        })
        .collect();
    let mut titles = vec!["Party", "Figure"];
    titles.extend(names.iter().map(String::as_str));
    let mut widths = vec![12.0, 36.0];
    widths.extend(std::iter::repeat_n(18.0, rows.len()));
    let mut ws = sheet("Comparison", &titles, &widths)?;
    ws.set_freeze_panes(1, 2)?;
    let per_row: Vec<_> = rows.iter().map(|h| figures(h)).collect();
    let Some(first) = per_row.first() else {
        book.push_worksheet(ws);
        return Ok(());
    };
    for (k, f) in first.iter().enumerate() {
        let row = 1 + k as u32;
        ws.write_string(row, 0, f.party.title())?;
        ws.write_string(row, 1, f.label)?;
        for (c, figs) in per_row.iter().enumerate() {
            ws.write_number_with_format(row, 2 + c as u16, figs[k].value, &kind_format(f.kind))?;
        }
    }
    let row_of = |name: &str| 1 + first.iter().position(|f| f.name == name).unwrap_or(0) as u32;
    let last_col = 1 + rows.len() as u16;
    let chart = |title: &str, series: &[&str]| {
        let mut c = Chart::new(ChartType::Bar);
        for name in series {
            let row = row_of(name);
            c.add_series()
                .set_categories(("Comparison", 0, 2, 0, last_col))
                .set_values(("Comparison", row, 2, row, last_col))
                .set_name(("Comparison", row, 1));
        }
        c.title().set_name(title);
        c.x_axis().set_num_format(MILLIONS);
        c
    };
    let savings = chart(
        "Savings against all-cloud (PV)",
        &["SavingsMean", "SavingsP05", "SavingsES05"],
    );
    let guarantor = chart(
        "Guarantor: expected loss and peak PFE 99%",
        &["GuarantorExpectedLoss", "GuarantorPeakPFE99"],
    );
    let below = 3 + first.len() as u32;
    ws.insert_chart(below, 1, &savings)?;
    ws.insert_chart(below + 17, 1, &guarantor)?;
    book.push_worksheet(ws);
    Ok(())
}
