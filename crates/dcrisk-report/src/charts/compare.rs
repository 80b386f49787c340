//! Scenario comparison: the headline figures of several runs side by side. Savings
//! distributions as box plots, VaR and expected shortfall bars, and the guarantor's
//! expected loss and peak PFE 99%, one row per scenario (first scenario on top).
//!
//! The charts take [`Headline`]s (`dcrisk_core::headline`), not whole runs, so a batch
//! can drop each run's per-path data as soon as its own files are written.

use dcrisk_core::Headline;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::axis::{self, Area, Axis, Desc, Grid, Linear, Plot, PlotOpts};
use crate::data;
use crate::error::DrawResult;
use crate::fan;
use crate::format::{format_money, format_number, format_percent};
use crate::frame;
use crate::legend::{Legend, Swatch, text_width};
use crate::palette;
use crate::theme::Theme;
use crate::{Chart, ChartOptions, ReportError, canvas, font};

/// Indices into `MetricStats::quantiles`.
const P05: usize = 1;
const P25: usize = 3;
const P50: usize = 4;
const P75: usize = 5;
const P95: usize = 7;

/// The file names [`render_comparison`] produces, in order.
pub const COMPARISON_FILES: [&str; 3] = [
    "comparison_savings.png",
    "comparison_var_es.png",
    "comparison_guarantor.png",
];

type Draw = fn(&[Headline], Option<usize>, &Theme, &Area) -> DrawResult;

/// Renders the comparison charts of `rows` (one per scenario), top to bottom in the
/// order given (never re-sorted), the first row marked as the base case: shaded, its
/// label ending in "(base)", the rule written in each subtitle.
///
/// # Errors
/// [`ReportError::InvalidSize`] for a side outside the allowed range; the other variants
/// only if drawing or encoding fails.
pub fn render_comparison(
    rows: &[Headline],
    opts: &ChartOptions,
) -> Result<Vec<Chart>, ReportError> {
    let base = if rows.is_empty() { None } else { Some(0) };
    render_comparison_with_base(rows, base, opts)
}

/// As [`render_comparison`], with the base case at index `base` of `rows` (none marked
/// when `None` or out of range), for a caller that knows which scenario the others vary.
///
/// # Errors
/// As [`render_comparison`].
pub fn render_comparison_with_base(
    rows: &[Headline],
    base: Option<usize>,
    opts: &ChartOptions,
) -> Result<Vec<Chart>, ReportError> {
    crate::check_size(opts)?;
    font::register()?;
    let theme = Theme::new(opts);
    let base = base.filter(|&b| b < rows.len());
    let draws: [Draw; 3] = [savings_boxes, var_es_bars, guarantor_bars];
    COMPARISON_FILES
        .iter()
        .zip(draws)
        .map(|(&name, draw)| {
            let png = canvas::render_png(name, opts, |root| draw(rows, base, &theme, root))?;
            Ok(Chart {
                file_name: name,
                png,
            })
        })
        .collect()
}

/// The subtitle of a comparison: the identity line, the remark, and the rows' order rule.
fn rows_subtitle(rows: &[Headline], base: Option<usize>, remark: &str) -> String {
    let rule = match base {
        Some(0) => "rows as given, first (shaded): base case".to_string(),
        Some(b) => format!("rows as given, shaded: base case (row {})", b + 1),
        None => "rows as given".to_string(),
    };
    batch_subtitle(rows, &format!("{remark} · {rule}"))
}

/// Labels of the rows, the base case's ending in "(base)" (shortened to keep it).
fn row_labels(rows: &[Headline], base: Option<usize>) -> Vec<String> {
    const MARK: &str = " (base)";
    rows.iter()
        .enumerate()
        .map(|(k, r)| {
            if Some(k) == base {
                let room = NAME_CHARS - MARK.chars().count();
                format!("{}{MARK}", shorten(&r.scenario, room))
            } else {
                r.scenario.clone()
            }
        })
        .collect()
}

/// Shades the base case's row across the plot, under the marks.
fn shade_base(
    chart: &mut Plot<'_, '_, Linear, Linear>,
    n: usize,
    base: Option<usize>,
) -> DrawResult {
    if let Some(b) = base.filter(|&b| b < n) {
        let (x, y) = (chart.x_range(), row_y(n, b));
        let rect = [(x.start, y - 0.5), (x.end, y + 0.5)];
        let fill = palette::MUTED.mix(palette::BASE_ROW).filled();
        chart.draw_series(std::iter::once(Rectangle::new(rect, fill)))?;
    }
    Ok(())
}

/// The identity line of a comparison: how many scenarios, paths and which seed.
pub(crate) fn batch_subtitle(rows: &[Headline], remark: &str) -> String {
    let n = rows.len();
    let noun = if n == 1 { "scenario" } else { "scenarios" };
    let mut parts = vec![format!("{n} {noun}")];
    if let Some(first) = rows.first() {
        if rows.iter().all(|r| r.paths == first.paths) {
            parts.push(format!(
                "{} paths each",
                format_number(first.paths as f64, 0)
            ));
        }
        if rows.iter().all(|r| r.seed == first.seed) {
            parts.push(format!("seed {} (common random numbers)", first.seed));
        }
    }
    if !remark.is_empty() {
        parts.push(remark.to_string());
    }
    parts.join(" · ")
}

/// Longest scenario name kept on an axis; longer ones end in an ellipsis.
const NAME_CHARS: usize = 28;

/// A category label short enough not to squeeze the plot: a long name keeps its start
/// and its end (variants often differ only at the end) around an ellipsis.
pub(crate) fn short_label(name: &str) -> String {
    shorten(name, NAME_CHARS)
}

/// `name` in at most `max` characters, as [`short_label`].
fn shorten(name: &str, max: usize) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= max {
        return name.to_string();
    }
    let head = (max - 1) / 2;
    let tail = max - 1 - head;
    let start: String = chars[..head].iter().collect();
    let end: String = chars[chars.len() - tail..].iter().collect();
    format!("{start}…{end}")
}

/// Category axis of `labels` listed top to bottom (category k sits at y = n - 1 - k),
/// for a plot on `area`: every row labelled while the labels fit one above the other,
/// else every k-th from the top.
pub(crate) fn rows_axis(labels: &[String], area: &Area, theme: &Theme) -> DrawResult<Axis> {
    let n = labels.len();
    let names = labels.iter().rev().map(|l| short_label(l)).collect();
    let mut axis = Axis::categories(names, "");
    let line = f64::from(area.estimate_text_size("Mg", &theme.tick())?.1) * 1.2;
    let plot_h = (f64::from(area.dim_in_pixel().1) - f64::from(theme.px(150.0))).max(1.0);
    let every = ((n as f64 * line / plot_h).ceil() as usize).max(1);
    axis.ticks = (0..n)
        .filter(|i| (n - 1 - i).is_multiple_of(every))
        .map(|i| i as f64)
        .collect();
    Ok(axis)
}

/// Whether rows are tall enough for `per_row` bar-end labels one above the other.
pub(crate) fn bar_labels_fit(
    chart: &Plot<'_, '_, Linear, Linear>,
    theme: &Theme,
    per_row: u32,
) -> DrawResult<bool> {
    let (_, y0) = chart.backend_coord(&(0.0, 0.0));
    let (_, y1) = chart.backend_coord(&(0.0, 1.0));
    let text_h = axis::screen(chart)
        .estimate_text_size("$0", &theme.bar_label())?
        .1;
    Ok(f64::from((y0 - y1).unsigned_abs()) >= f64::from(per_row * text_h) * 1.1)
}

/// The y coordinate of row `k` of `n` (row 0 on top).
pub(crate) fn row_y(n: usize, k: usize) -> f64 {
    (n - 1 - k) as f64
}

/// Vertical grid only: horizontal lines would run through the rows' bars.
pub(crate) const VERTICAL: Grid = Grid {
    vertical: true,
    horizontal: false,
};

/// Room, in data units, for value labels beside bar ends: the widest of `labels` must fit
/// between a bar ending at the data's edge and the plot's edge. `plot_px` is about the
/// plot's width in pixels, `width` the data's (hi - lo).
pub(crate) fn label_pad(
    area: &Area,
    theme: &Theme,
    plot_px: i32,
    width: f64,
    labels: &[String],
) -> DrawResult<f64> {
    let style = theme.bar_label();
    let mut widest = 0;
    for label in labels {
        widest = widest.max(text_width(area, &style, label)?);
    }
    let need = widest + theme.px(14.0);
    let usable = (plot_px - 2 * need).max(plot_px / 3).max(1);
    Ok(width * f64::from(need) / f64::from(usable))
}

/// About the width of the plot `axis::build` makes on `area` with y labels
/// `label_w` wide (its label area and right margin taken off).
pub(crate) fn plot_width(area: &Area, theme: &Theme, label_w: i32) -> i32 {
    area.dim_in_pixel().0 as i32 - label_w - theme.px(70.0)
}

/// The x range of bars from 0 to each of `values`, with zero in it and room for the
/// `labels` written at the bars' ends on the side(s) where bars are.
fn bar_range(
    area: &Area,
    theme: &Theme,
    label_w: i32,
    values: &[f64],
    labels: &[String],
) -> DrawResult<(f64, f64)> {
    let (lo, hi) = data::finite_min_max(values.iter().copied()).unwrap_or((0.0, 0.0));
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    let (lo, hi) = data::centered_range(lo, hi);
    let pad = label_pad(
        area,
        theme,
        plot_width(area, theme, label_w),
        hi - lo,
        labels,
    )?;
    Ok((
        if lo < 0.0 { lo - pad } else { lo },
        if hi > 0.0 { hi + pad } else { hi },
    ))
}

/// A money value written beside the end of a bar, outside it.
pub(crate) fn end_label(
    chart: &Plot<'_, '_, Linear, Linear>,
    theme: &Theme,
    (start, end, y): (f64, f64, f64),
    text: &str,
) -> DrawResult {
    let (px, py) = chart.backend_coord(&(end, y));
    let gap = theme.px(6.0);
    let (x, h) = if end >= start {
        (px + gap, HPos::Left)
    } else {
        (px - gap, HPos::Right)
    };
    let style = theme.bar_label().pos(Pos::new(h, VPos::Center));
    axis::screen(chart).draw(&Text::new(text.to_string(), (x, py), style))?;
    Ok(())
}

/// A horizontal bar from `start` to `end` centred on `y`, `half` high each way.
pub(crate) fn hbar(
    chart: &mut Plot<'_, '_, Linear, Linear>,
    (start, end): (f64, f64),
    (y, half): (f64, f64),
    color: RGBColor,
) -> DrawResult {
    if !(start.is_finite() && end.is_finite()) {
        return Ok(());
    }
    let rect = Rectangle::new([(start, y - half), (end, y + half)], color.filled());
    chart.draw_series(std::iter::once(rect))?;
    Ok(())
}

/// A vertical line at `x` over the full height of the plot.
pub(crate) fn vline(
    chart: &mut Plot<'_, '_, Linear, Linear>,
    theme: &Theme,
    x: f64,
    color: RGBColor,
    dashed: bool,
) -> DrawResult {
    let y = chart.y_range();
    let pts = vec![(x, y.start), (x, y.end)];
    if dashed {
        fan::dashed(chart, theme, pts, color, 1.5)
    } else {
        chart.draw_series(LineSeries::new(pts, color.stroke_width(theme.stroke(2.0))))?;
        Ok(())
    }
}

/// A legend section of one percentage per scenario, at most `MAX_NOTES` of them.
fn per_scenario_notes(legend: Legend, rows: &[Headline], value: fn(&Headline) -> f64) -> Legend {
    const MAX_NOTES: usize = 12;
    let mut legend = legend;
    for r in rows.iter().take(MAX_NOTES) {
        legend = legend.note(format!(
            "{}: {}",
            short_label(&r.scenario),
            format_percent(value(r))
        ));
    }
    if rows.len() > MAX_NOTES {
        legend = legend.note(format!(
            "… and {} more in comparison.csv",
            rows.len() - MAX_NOTES
        ));
    }
    legend
}

const BOX: RGBColor = palette::BLUE;
const BOX_FILL: f64 = 0.30;
const BOX_HALF: f64 = 0.26;
const CAP_HALF: f64 = 0.14;
const ES: RGBColor = palette::VERMILLION;

/// `comparison_savings.png`: one horizontal box plot of `savings_pv` per scenario.
fn savings_boxes(rows: &[Headline], base: Option<usize>, theme: &Theme, root: &Area) -> DrawResult {
    let whisker = Swatch::Line {
        color: BOX,
        width: 2.0,
        dashed: false,
    };
    let legend = Legend::new()
        .heading("Savings per path")
        .item(
            Swatch::Band {
                color: BOX,
                alpha: BOX_FILL,
            },
            "P25–P75 (half of paths)",
        )
        .item(whisker, "Whiskers: P5–P95")
        .item(
            Swatch::Line {
                color: palette::TEXT,
                width: 4.0,
                dashed: false,
            },
            "Median (P50)",
        )
        .item(
            Swatch::Line {
                color: palette::BLACK,
                width: 2.5,
                dashed: true,
            },
            "Mean",
        )
        .item(
            Swatch::Line {
                color: ES,
                width: 4.0,
                dashed: false,
            },
            "5% expected shortfall (mean of the worst 5%)",
        )
        .item(
            Swatch::Line {
                color: palette::MUTED,
                width: 1.5,
                dashed: true,
            },
            "$0: leasing breaks even",
        )
        .gap()
        .heading("P(leasing loses)");
    let legend = per_scenario_notes(legend, rows, |r| r.p_savings_negative);
    let subtitle = rows_subtitle(rows, base, "PV at month 0, cloud cost minus program cost");
    let body = frame::page(
        root,
        theme,
        "Savings of leasing against all-cloud, by scenario",
        &subtitle,
        &legend,
    )?;
    let values = rows.iter().flat_map(|r| {
        let q = r.savings.quantiles;
        [q[P05], q[P95], r.savings.mean, r.savings.lower_es_05]
    });
    let (lo, hi) = data::finite_min_max(values).unwrap_or((0.0, 0.0));
    // Show the break-even line when it is near the data.
    let reach = (hi - lo) * 0.25;
    let (lo, hi) = if lo > 0.0 && lo - reach <= 0.0 {
        (0.0, hi)
    } else if hi < 0.0 && hi + reach >= 0.0 {
        (lo, 0.0)
    } else {
        (lo, hi)
    };
    let (lo, hi) = data::centered_range(lo, hi);
    let pad = (hi - lo) * 0.04;
    let x = Axis::money(
        lo - pad,
        hi + pad,
        "Savings against all-cloud, present value (US$)",
    );
    let labels = row_labels(rows, base);
    let y = rows_axis(&labels, &body, theme)?;
    let opts = PlotOpts::new().grid(VERTICAL).y_desc(Desc::Hide);
    let mut chart = axis::build::<Linear, Linear>(&body, theme, &x, &y, opts)?;
    if rows.is_empty() {
        return axis::empty_message(&chart, theme, "No scenario ran");
    }
    let n = rows.len();
    shade_base(&mut chart, n, base)?;
    if x.lo < 0.0 && x.hi > 0.0 {
        vline(&mut chart, theme, 0.0, palette::MUTED, true)?;
    }
    for (k, r) in rows.iter().enumerate() {
        draw_box(&mut chart, theme, r, row_y(n, k))?;
    }
    Ok(())
}

fn draw_box(
    chart: &mut Plot<'_, '_, Linear, Linear>,
    theme: &Theme,
    r: &Headline,
    y: f64,
) -> DrawResult {
    let q = r.savings.quantiles;
    let line = |pts: Vec<(f64, f64)>, color: RGBColor, width: f64| {
        LineSeries::new(pts, color.stroke_width(theme.stroke(width)))
    };
    chart.draw_series(line(vec![(q[P05], y), (q[P25], y)], BOX, 2.0))?;
    chart.draw_series(line(vec![(q[P75], y), (q[P95], y)], BOX, 2.0))?;
    for x in [q[P05], q[P95]] {
        chart.draw_series(line(vec![(x, y - CAP_HALF), (x, y + CAP_HALF)], BOX, 2.0))?;
    }
    let corners = [(q[P25], y - BOX_HALF), (q[P75], y + BOX_HALF)];
    chart.draw_series(std::iter::once(Rectangle::new(
        corners,
        BOX.mix(BOX_FILL).filled(),
    )))?;
    chart.draw_series(std::iter::once(Rectangle::new(
        corners,
        BOX.stroke_width(theme.stroke(2.0)),
    )))?;
    let es = r.savings.lower_es_05;
    chart.draw_series(line(vec![(es, y - CAP_HALF), (es, y + CAP_HALF)], ES, 4.0))?;
    chart.draw_series(line(
        vec![(q[P50], y - BOX_HALF), (q[P50], y + BOX_HALF)],
        palette::TEXT,
        4.0,
    ))?;
    let mean = r.savings.mean;
    let reach = BOX_HALF * 1.35;
    fan::dashed(
        chart,
        theme,
        vec![(mean, y - reach), (mean, y + reach)],
        palette::BLACK,
        2.5,
    )
}

const VAR: RGBColor = palette::REDDISH_PURPLE;
const BAR_HALF: f64 = 0.17;
const BAR_OFFSET: f64 = 0.19;

/// `comparison_var_es.png`: VaR 5% (P5 of savings) and ES 5% bars per scenario.
fn var_es_bars(rows: &[Headline], base: Option<usize>, theme: &Theme, root: &Area) -> DrawResult {
    let legend = Legend::new()
        .heading("Bad case of savings")
        .item(Swatch::Block { color: VAR }, "VaR 5%: P5 of savings")
        .item(
            Swatch::Block { color: ES },
            "Expected shortfall 5%: mean of the worst 5% of paths",
        )
        .gap()
        .note("Negative: leasing costs that much more than all-cloud, in present value.");
    let subtitle = rows_subtitle(rows, base, "savings against all-cloud, PV at month 0");
    let body = frame::page(
        root,
        theme,
        "Value at risk and expected shortfall, by scenario",
        &subtitle,
        &legend,
    )?;
    let values: Vec<f64> = rows
        .iter()
        .flat_map(|r| [r.savings_p05(), r.savings.lower_es_05])
        .collect();
    let texts: Vec<String> = values.iter().map(|v| format_money(*v)).collect();
    let labels = row_labels(rows, base);
    let y = rows_axis(&labels, &body, theme)?;
    let label_w = axis::tick_label_width(&body, theme, &y)? as i32;
    let (lo, hi) = bar_range(&body, theme, label_w, &values, &texts)?;
    let x = Axis::money(lo, hi, "Savings against all-cloud, present value (US$)");
    let opts = PlotOpts::new().grid(VERTICAL).y_desc(Desc::Hide);
    let mut chart = axis::build::<Linear, Linear>(&body, theme, &x, &y, opts)?;
    if rows.is_empty() {
        return axis::empty_message(&chart, theme, "No scenario ran");
    }
    let n = rows.len();
    shade_base(&mut chart, n, base)?;
    vline(&mut chart, theme, 0.0, palette::MUTED, false)?;
    let labelled = bar_labels_fit(&chart, theme, 2)?;
    for (k, r) in rows.iter().enumerate() {
        let y = row_y(n, k);
        for (value, dy, color) in [
            (r.savings_p05(), BAR_OFFSET, VAR),
            (r.savings.lower_es_05, -BAR_OFFSET, ES),
        ] {
            hbar(&mut chart, (0.0, value), (y + dy, BAR_HALF), color)?;
            if labelled {
                end_label(&chart, theme, (0.0, value, y + dy), &format_money(value))?;
            }
        }
    }
    Ok(())
}

const EL: RGBColor = palette::BLUE;
const PFE: RGBColor = palette::VERMILLION;

/// `comparison_guarantor.png`: the guarantor's expected loss and peak PFE 99% per
/// scenario, in two panels sharing the rows.
fn guarantor_bars(
    rows: &[Headline],
    base: Option<usize>,
    theme: &Theme,
    root: &Area,
) -> DrawResult {
    let legend = Legend::new()
        .heading("Guarantor")
        .item(
            Swatch::Block { color: EL },
            "Expected loss: mean payout, PV at month 0",
        )
        .item(
            Swatch::Block { color: PFE },
            "Peak PFE 99%: highest monthly P99 of exposure, month-t dollars",
        )
        .gap()
        .heading("Tenant default probability");
    let legend = per_scenario_notes(legend, rows, |r| r.tenant_default);
    let subtitle = rows_subtitle(rows, base, "what the guarantee costs and could cost");
    let body = frame::page(
        root,
        theme,
        "Guarantor expected loss and peak exposure, by scenario",
        &subtitle,
        &legend,
    )?;
    let labels = row_labels(rows, base);
    let y_left = rows_axis(&labels, &body, theme)?;
    let y_right = rows_axis(&vec![String::new(); rows.len()], &body, theme)?;
    let label_w = axis::tick_label_width(&body, theme, &y_left)? as i32;
    let width = body.dim_in_pixel().0 as i32;
    let split = label_w + (width - label_w) / 2;
    let (left, right) = body.split_horizontally(split);
    let right_w = axis::tick_label_width(&right, theme, &y_right)? as i32;
    type Value = fn(&Headline) -> f64;
    let panels: [(&Area, &Axis, i32, &str, &str, Value, RGBColor); 2] = [
        (
            &left,
            &y_left,
            label_w,
            "Expected loss",
            "Present value at month 0 (US$)",
            |r| r.guarantor_expected_loss,
            EL,
        ),
        (
            &right,
            &y_right,
            right_w,
            "Peak PFE 99%",
            "Month-t dollars (US$)",
            |r| r.guarantor_pfe99_peak,
            PFE,
        ),
    ];
    for (area, y, y_w, title, desc, value, color) in panels {
        let values: Vec<f64> = rows.iter().map(value).collect();
        let texts: Vec<String> = values.iter().map(|v| format_money(*v)).collect();
        let (lo, hi) = bar_range(area, theme, y_w, &values, &texts)?;
        let x = Axis::money(lo, hi, desc);
        let opts = PlotOpts::new()
            .title(title)
            .grid(VERTICAL)
            .y_desc(Desc::Hide);
        let mut chart = axis::build::<Linear, Linear>(area, theme, &x, y, opts)?;
        if rows.is_empty() {
            axis::empty_message(&chart, theme, "No scenario ran")?;
            continue;
        }
        let labelled = bar_labels_fit(&chart, theme, 1)?;
        let n = rows.len();
        shade_base(&mut chart, n, base)?;
        for (k, r) in rows.iter().enumerate() {
            let (y, v) = (row_y(n, k), value(r));
            hbar(&mut chart, (0.0, v), (y, 0.3), color)?;
            if labelled {
                end_label(&chart, theme, (0.0, v, y), &format_money(v))?;
            }
        }
    }
    Ok(())
}
