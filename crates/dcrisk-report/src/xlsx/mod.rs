//! report.xlsx and comparison.xlsx, written with `rust_xlsxwriter`: numbers as numbers
//! (never text), money in dollars shown as $ millions, shares as percentages, native
//! Excel charts an analyst can restyle, frozen header rows and a defined name per
//! headline figure. The workbook's creation date is the run's recorded start time, and
//! its zip entries carry a fixed date, so the same run gives the same bytes.

mod decide;
mod sheets;
mod two_level;

use dcrisk_core::Headline;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

use crate::ReportError;
use crate::decisions::{FrontierReport, SolveReport};
use crate::report::ReportInput;

/// The date a workbook says it was made when the caller has no start time to give: a
/// fixed one, so the bytes still depend on nothing but the input.
const NO_DATE: &str = "2000-01-01T00:00:00Z";

/// report.xlsx of one run: sheets Summary, Metrics, Savings, Time series, Exposure,
/// (for a two-level run) Drivers and Uncertainty, Inputs and Run.
///
/// # Errors
/// [`ReportError::Workbook`] if the writer refuses the content (a bug, not bad input).
pub fn render_run(input: &ReportInput) -> Result<Vec<u8>, ReportError> {
    build_run(input).map_err(|e| ReportError::Workbook(e.to_string()))
}

fn build_run(input: &ReportInput) -> Result<Vec<u8>, XlsxError> {
    let mut book = new_book(input.started)?;
    let summary_rows = sheets::summary(&mut book, input.headline, &input.results.scenario)?;
    sheets::metrics(&mut book, input.stats)?;
    sheets::savings(&mut book, input.results, input.stats)?;
    sheets::time_series(&mut book, input.results)?;
    sheets::exposure(&mut book, input.results)?;
    if let Some(t) = input.two_level {
        two_level::drivers(&mut book, t)?;
        two_level::uncertainty(&mut book, t)?;
    }
    sheets::inputs(&mut book, input.scenario, input.original)?;
    sheets::run(&mut book, input.making)?;
    sheets::define_names(&mut book, &summary_rows)?;
    book.save_to_buffer()
}

/// solve.xlsx of a goal seek: sheets Summary (the answer and its interval ends, with
/// defined names), Evaluations (with a native chart) and Run.
///
/// # Errors
/// [`ReportError::Workbook`] if the writer refuses the content (a bug, not bad input).
pub fn render_solve(s: &SolveReport) -> Result<Vec<u8>, ReportError> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = new_book(s.started)?;
        decide::build_solve(&mut book, s)?;
        book.save_to_buffer()
    };
    build().map_err(|e| ReportError::Workbook(e.to_string()))
}

/// frontier.xlsx of a frontier: sheets Summary (the efficient picks, with defined
/// names), Frontier (every factor, with a native scatter chart) and Run.
///
/// # Errors
/// [`ReportError::Workbook`] if the writer refuses the content (a bug, not bad input).
pub fn render_frontier(f: &FrontierReport) -> Result<Vec<u8>, ReportError> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = new_book(f.started)?;
        decide::build_frontier(&mut book, f)?;
        book.save_to_buffer()
    };
    build().map_err(|e| ReportError::Workbook(e.to_string()))
}

/// comparison.xlsx of a batch: the headline figures side by side (one column per
/// scenario, `base` marked) with charts of savings and the guarantor's figures.
///
/// # Errors
/// [`ReportError::Workbook`] if the writer refuses the content (a bug, not bad input).
pub fn render_comparison(
    rows: &[&Headline],
    base: Option<usize>,
    started: Option<&str>,
) -> Result<Vec<u8>, ReportError> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = new_book(started)?;
        sheets::comparison(&mut book, rows, base)?;
        book.save_to_buffer()
    };
    build().map_err(|e| ReportError::Workbook(e.to_string()))
}

/// A workbook whose properties carry `started` (RFC 3339) as its creation date.
fn new_book(started: Option<&str>) -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    let date = ExcelDateTime::parse_from_str(started.unwrap_or(NO_DATE))?;
    let props = DocProperties::new()
        .set_title("dcrisk report")
        .set_creation_datetime(&date);
    book.set_properties(&props);
    Ok(book)
}
