//! solve.xlsx and frontier.xlsx: a Summary sheet (the answer and its interval ends, each
//! with a defined name), the evaluations or factors as numbers with a native chart, and
//! the Run sheet.

use rust_xlsxwriter::{
    Chart, ChartEmptyCells, ChartFormat, ChartLine, ChartLineDashType, ChartMarker, ChartType,
    Format, Workbook, XlsxError,
};

use crate::charts::sweep::ValueKind;
use crate::decisions::{FrontierReport, SolveReport};

use super::sheets::{self, MILLIONS, kind_format, sheet};

/// A Summary row: label, value, unit (none: Excel's General format, every digit of a
/// decision or factor in view) and defined name.
type Row<'a> = (&'a str, f64, Option<ValueKind>, &'a str);

/// The Summary sheet: one named figure per row, then a note.
fn summary(book: &mut Workbook, rows: &[Row], note: &str) -> Result<(), XlsxError> {
    let mut ws = sheet("Summary", &["Figure", "Value", "Name"], &[44.0, 18.0, 24.0])?;
    for (i, (label, value, kind, _)) in rows.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string(row, 0, *label)?;
        match kind {
            _ if !value.is_finite() => {}
            Some(kind) => {
                ws.write_number_with_format(row, 1, *value, &kind_format(*kind))?;
            }
            None => {
                ws.write_number(row, 1, *value)?;
            }
        }
        ws.write_string(row, 2, rows[i].3)?;
    }
    ws.write_string(2 + rows.len() as u32, 0, note)?;
    book.push_worksheet(ws);
    for (i, (.., name)) in rows.iter().enumerate() {
        book.define_name(*name, &format!("=Summary!$B${}", i + 2))?;
    }
    Ok(())
}

/// solve.xlsx: Summary (SolveAnswer, SolveIntervalLo, SolveIntervalHi, the target and
/// the statistic at the answer), Evaluations (solve.json's points) with a chart of the
/// statistic against the decision, and Run.
pub fn build_solve(book: &mut Workbook, s: &SolveReport) -> Result<(), XlsxError> {
    let c = s.chart;
    let n = None;
    let k = Some(s.kind);
    let half = c.multiplier * s.achieved_stderr;
    let rows: [Row; 7] = [
        (
            "Answer (the decision reaching the target)",
            c.root,
            n,
            "SolveAnswer",
        ),
        ("95% interval, low end", c.interval[0], n, "SolveIntervalLo"),
        (
            "95% interval, high end",
            c.interval[1],
            n,
            "SolveIntervalHi",
        ),
        ("Target", c.target, k, "SolveTarget"),
        ("Statistic at the answer", c.achieved, k, "SolveAchieved"),
        ("Its 95% half-width", half, k, "SolveAchievedHalfWidth"),
        ("Evaluations", c.points.len() as f64, n, "SolveEvaluations"),
    ];
    let note = format!(
        "{}: {} = target by {} {}; answer {}. {} paths, seed {} at every evaluation. {}",
        c.scenario, c.statistic, s.mode, s.key, s.answer, c.paths, c.seed, s.method
    );
    summary(book, &rows, &note)?;
    let decision = if s.mode == "scale" { "factor" } else { "value" };
    let titles = [
        decision,
        "value",
        "stderr",
        "half_width_95",
        "",
        "target_x",
        "target",
    ];
    let mut ws = sheet(
        "Evaluations",
        &titles,
        &[14.0, 18.0, 16.0, 16.0, 3.0, 12.0, 16.0],
    )?;
    let format = kind_format(s.kind);
    for (i, (x, v, se)) in c.points.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_number(row, 0, *x)?;
        ws.write_number_with_format(row, 1, *v, &format)?;
        ws.write_number_with_format(row, 2, *se, &format)?;
        ws.write_number_with_format(row, 3, c.multiplier * se, &format)?;
    }
    for (i, x) in s.range.iter().enumerate() {
        ws.write_number(1 + i as u32, 5, *x)?;
        ws.write_number_with_format(1 + i as u32, 6, c.target, &format)?;
    }
    let last = c.points.len().max(1) as u32;
    let mut chart = Chart::new(ChartType::ScatterStraightWithMarkers);
    chart
        .add_series()
        .set_categories(("Evaluations", 1, 0, last, 0))
        .set_values(("Evaluations", 1, 1, last, 1))
        .set_name(&c.statistic)
        .set_format(ChartFormat::new().set_no_line());
    chart
        .add_series()
        .set_categories(("Evaluations", 1, 5, 2, 5))
        .set_values(("Evaluations", 1, 6, 2, 6))
        .set_name("Target")
        .set_marker(ChartMarker::new().set_none())
        .set_format(
            ChartFormat::new().set_line(ChartLine::new().set_dash_type(ChartLineDashType::Dash)),
        );
    chart
        .title()
        .set_name(&format!("Goal seek: {}", c.scenario));
    chart.x_axis().set_name(&c.decision);
    let y = chart.y_axis().set_name(&c.statistic);
    match s.kind {
        ValueKind::Money => y.set_num_format(MILLIONS),
        ValueKind::Share => y.set_num_format("0%"),
        ValueKind::Number => y,
    };
    ws.insert_chart(1, 8, &chart)?;
    book.push_worksheet(ws);
    sheets::run(book, s.making)
}

/// frontier.xlsx: Summary (the efficient factor with the most mean savings, its mean
/// and the mean's interval ends; the safest efficient factor and its ES 5%), Frontier
/// (frontier.csv's rows, with the mean's half-width) with a chart of mean savings
/// against ES 5%, and Run.
pub fn build_frontier(book: &mut Workbook, f: &FrontierReport) -> Result<(), XlsxError> {
    let (n, m) = (None, Some(ValueKind::Money));
    let nan = f64::NAN;
    let best = f.best_mean();
    let safe = f.safest();
    let rows: [Row; 6] = [
        (
            "Efficient factor with the most mean savings",
            best.map_or(nan, |r| r.factor),
            n,
            "FrontierBestFactor",
        ),
        (
            "Its mean savings",
            best.map_or(nan, |r| r.mean),
            m,
            "FrontierBestMean",
        ),
        (
            "Its mean's 95% interval, low end",
            best.map_or(nan, |r| r.mean - r.half_width),
            m,
            "FrontierBestMeanLo",
        ),
        (
            "Its mean's 95% interval, high end",
            best.map_or(nan, |r| r.mean + r.half_width),
            m,
            "FrontierBestMeanHi",
        ),
        (
            "Efficient factor with the least tail risk",
            safe.map_or(nan, |r| r.factor),
            n,
            "FrontierSafestFactor",
        ),
        (
            "Its ES 5%",
            safe.map_or(nan, |r| r.es05),
            m,
            "FrontierSafestES05",
        ),
    ];
    let c = f.chart;
    let note = format!(
        "{}: factors on {}, {} paths and seed {} at every factor (common random numbers). \
         Efficient: no other factor has both more mean savings and a higher ES 5%.",
        c.scenario, c.key, c.paths, c.seed
    );
    summary(book, &rows, &note)?;
    let titles = [
        "factor",
        "savings_pv_mean",
        "mean_half_width_95",
        "savings_pv_p05",
        "savings_pv_lower_es_05",
        "p_savings_negative",
        "efficient",
        "",
        "efficient ES 5%",
        "efficient mean",
    ];
    let mut ws = sheet(
        "Frontier",
        &titles,
        &[10.0, 17.0, 19.0, 16.0, 22.0, 18.0, 10.0, 3.0, 16.0, 16.0],
    )?;
    let money = kind_format(ValueKind::Money);
    let pct = kind_format(ValueKind::Share);
    let bold = Format::new().set_bold();
    for (i, r) in f.rows.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_number(row, 0, r.factor)?;
        for (col, v) in [(1, r.mean), (2, r.half_width), (3, r.p05), (4, r.es05)] {
            ws.write_number_with_format(row, col, v, &money)?;
        }
        ws.write_number_with_format(row, 5, r.p_negative, &pct)?;
        match r.efficient {
            true => ws.write_boolean_with_format(row, 6, true, &bold)?,
            false => ws.write_boolean(row, 6, false)?,
        };
        if r.efficient {
            ws.write_number_with_format(row, 8, r.es05, &money)?;
            ws.write_number_with_format(row, 9, r.mean, &money)?;
        }
    }
    let last = f.rows.len().max(1) as u32;
    let mut chart = Chart::new(ChartType::ScatterStraightWithMarkers);
    chart
        .add_series()
        .set_categories(("Frontier", 1, 4, last, 4))
        .set_values(("Frontier", 1, 1, last, 1))
        .set_name("Every factor")
        .set_format(ChartFormat::new().set_no_line());
    chart
        .add_series()
        .set_categories(("Frontier", 1, 8, last, 8))
        .set_values(("Frontier", 1, 9, last, 9))
        .set_name("Efficient");
    // The efficient points joined across the dominated rows' empty cells.
    chart.show_empty_cells_as(ChartEmptyCells::Connected);
    chart
        .title()
        .set_name(&format!("Mean-risk frontier: {}", c.scenario));
    chart
        .x_axis()
        .set_name("5% expected shortfall of savings, PV")
        .set_num_format(MILLIONS);
    chart
        .y_axis()
        .set_name("Mean savings against all-cloud, PV")
        .set_num_format(MILLIONS);
    ws.insert_chart(2 + last, 0, &chart)?;
    book.push_worksheet(ws);
    sheets::run(book, f.making)
}
