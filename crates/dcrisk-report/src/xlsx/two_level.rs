//! The two-level run's sheets of report.xlsx: Drivers (drivers.csv's rows) and
//! Uncertainty (uncertainty.csv's rows), numbers as numbers, an index that does not
//! exist left empty as in the files.

use rust_xlsxwriter::{Chart, ChartType, Workbook, Worksheet, XlsxError};

use crate::decisions::TwoLevel;

use super::sheets::{MILLIONS, NUMBER, sheet};

/// A number in its cell, nothing where it is not a number (the CSV's empty cell).
fn put(ws: &mut Worksheet, row: u32, col: u16, x: f64) -> Result<(), XlsxError> {
    if x.is_finite() {
        ws.write_number(row, col, x)?;
    }
    Ok(())
}

/// Drivers: drivers.csv's columns and rows.
pub fn drivers(book: &mut Workbook, t: &TwoLevel) -> Result<(), XlsxError> {
    let cols = [
        "input",
        "metric",
        "spearman",
        "first_order",
        "first_order_lo",
        "first_order_hi",
        "total",
        "total_lo",
        "total_hi",
        "worst5_mean",
        "overall_mean",
    ];
    let mut widths = vec![34.0, 24.0];
    widths.extend(std::iter::repeat_n(14.0, cols.len() - 2));
    let mut ws = sheet("Drivers", &cols, &widths)?;
    ws.set_freeze_panes(1, 2)?;
    for (i, r) in t.drivers.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string(row, 0, t.keys[r.input])?;
        ws.write_string(row, 1, r.metric.name())?;
        let (total, lo, hi) = r
            .total
            .map_or((f64::NAN, f64::NAN, f64::NAN), |x| (x.estimate, x.lo, x.hi));
        let f = r.first_order;
        let values = [
            r.spearman,
            f.estimate,
            f.lo,
            f.hi,
            total,
            lo,
            hi,
            r.worst5_mean,
            r.overall_mean,
        ];
        for (c, x) in values.into_iter().enumerate() {
            put(&mut ws, row, 2 + c as u16, x)?;
        }
    }
    ws.autofilter(0, 0, t.drivers.len().max(1) as u32, cols.len() as u16 - 1)?;
    book.push_worksheet(ws);
    Ok(())
}

/// Uncertainty: uncertainty.csv's columns and rows, with a native chart of each outer
/// sample's mean savings.
pub fn uncertainty(book: &mut Workbook, t: &TwoLevel) -> Result<(), XlsxError> {
    let titles: Vec<&str> = t.header.iter().map(String::as_str).collect();
    let widths: Vec<f64> = titles
        .iter()
        .map(|h| (h.len() as f64 + 2.0).clamp(10.0, 30.0))
        .collect();
    let mut ws = sheet("Uncertainty", &titles, &widths)?;
    ws.set_freeze_panes(1, 1)?;
    let number = rust_xlsxwriter::Format::new().set_num_format(NUMBER);
    for (i, row) in t.samples.iter().enumerate() {
        let r = 1 + i as u32;
        for (c, x) in row.iter().enumerate() {
            match c {
                0 => put(&mut ws, r, 0, *x)?,
                _ if x.is_finite() => {
                    ws.write_number_with_format(r, c as u16, *x, &number)?;
                }
                _ => {}
            }
        }
    }
    if let Some(col) = titles.iter().position(|h| *h == "savings_pv_mean") {
        let last = t.samples.len().max(1) as u32;
        let col = col as u16;
        let mut chart = Chart::new(ChartType::Column);
        chart
            .add_series()
            .set_categories(("Uncertainty", 1, 0, last, 0))
            .set_values(("Uncertainty", 1, col, last, col))
            .set_name("Mean savings (PV)");
        chart.title().set_name("Mean savings by outer sample");
        chart.x_axis().set_name("Outer sample");
        chart
            .y_axis()
            .set_name("Mean savings, PV")
            .set_num_format(MILLIONS);
        chart.legend().set_hidden();
        ws.insert_chart(2 + last, 1, &chart)?;
    }
    book.push_worksheet(ws);
    Ok(())
}
