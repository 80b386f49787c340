//! Tornado chart: how far each input moves the answer when it goes down and up. One
//! panel per statistic (mean savings, 5% expected shortfall), rows shared, widest first.

use plotters::prelude::*;

use crate::axis::{self, Area, Axis, Desc, Linear, Plot, PlotOpts};
use crate::charts::compare::{
    VERTICAL, bar_labels_fit, end_label, hbar, label_pad, plot_width, row_y, rows_axis,
};
use crate::charts::sweep::ValueKind;
use crate::data;
use crate::error::DrawResult;
use crate::format::{format_number, format_signed_money};
use crate::frame;
use crate::legend::{Legend, Swatch};
use crate::marks::{self, Mark};
use crate::palette;
use crate::theme::Theme;
use crate::{Chart, ChartOptions, ReportError, canvas, font};

/// One statistic's tornado: its value in the base run and, per input (in row order), its
/// value with the input moved down and up.
#[derive(Clone, Debug, PartialEq)]
pub struct TornadoPanel {
    /// Panel title, e.g. "Mean savings (PV)".
    pub title: String,
    pub base: f64,
    pub low: Vec<f64>,
    pub high: Vec<f64>,
}

/// Everything `tornado.png` shows: money, a probability or a plain number (`kind`), on an
/// axis described by `unit`.
#[derive(Clone, Debug, PartialEq)]
pub struct Tornado {
    pub scenario: String,
    /// What the rows are ranked by the mean of, in words: "savings", or a metric's name.
    pub subject: String,
    /// Paths of every run, seed and horizon.
    pub paths: u64,
    pub seed: u64,
    pub horizon_months: usize,
    /// The swing, e.g. 0.2 for ±20%.
    pub swing: f64,
    /// Row labels, top to bottom (widest first).
    pub inputs: Vec<String>,
    pub panels: Vec<TornadoPanel>,
    /// Lines for the legend on how the inputs were moved (additive swings, clamps).
    pub notes: Vec<String>,
    /// What the panels' values are: money, a share (written as a percentage, changes in
    /// percentage points) or a plain number (MW-months, counts).
    pub kind: ValueKind,
    /// The value axis' description with its unit, e.g. "US$, present value at month 0".
    pub unit: String,
}

/// The file name of [`render_tornado`]'s chart.
pub const TORNADO_FILE: &str = "tornado.png";

/// Renders `tornado.png`.
///
/// # Errors
/// [`ReportError::InvalidSize`] for a side outside the allowed range; the other variants
/// only if drawing or encoding fails.
pub fn render_tornado(tornado: &Tornado, opts: &ChartOptions) -> Result<Chart, ReportError> {
    crate::check_size(opts)?;
    font::register()?;
    let theme = Theme::new(opts);
    let png = canvas::render_png(TORNADO_FILE, opts, |root| draw(tornado, &theme, root))?;
    Ok(Chart {
        file_name: TORNADO_FILE,
        png,
    })
}

const DOWN: RGBColor = palette::BLUE;
const UP: RGBColor = palette::ORANGE;
const BASE: RGBColor = palette::BLACK;
/// Each row holds two bars: input down above, input up below.
const BAR_HALF: f64 = 0.17;
const BAR_OFFSET: f64 = 0.19;
/// Room above the top row for the base value's tag, in rows.
const HEADROOM: f64 = 0.75;

fn draw(t: &Tornado, theme: &Theme, root: &Area) -> DrawResult {
    let pct = format_number(
        t.swing * 100.0,
        if t.swing * 100.0 == (t.swing * 100.0).round() {
            0
        } else {
            1
        },
    );
    let mut legend = Legend::new()
        .heading("Input moved")
        .item(Swatch::Block { color: DOWN }, format!("Down (−{pct}%)"))
        .item(Swatch::Block { color: UP }, format!("Up (+{pct}%)"))
        .item(
            Swatch::Line {
                color: BASE,
                width: 2.5,
                dashed: false,
            },
            "Base run",
        )
        .gap()
        .note(format!(
            "Bars show the change from the base run; rows sorted by the change in mean \
                 {}, widest on top.",
            t.subject
        ))
        .note("Every run uses the same random numbers, so the differences are not sampling noise.");
    for note in &t.notes {
        legend = legend.note(note.clone());
    }
    let title = format!("What moves the {} most — {}", t.subject, t.scenario);
    let subtitle = format!(
        "{} runs of {} paths · seed {} · {}-month horizon · each input group ±{pct}%, the others at base",
        1 + 2 * t.inputs.len(),
        format_number(t.paths as f64, 0),
        t.seed,
        t.horizon_months
    );
    let body = frame::page(root, theme, &title, &subtitle, &legend)?;
    let n = t.inputs.len();
    let with_headroom = |mut axis: Axis| {
        axis.hi += HEADROOM;
        axis
    };
    let y_left = with_headroom(rows_axis(&t.inputs, &body, theme)?);
    let y_other = with_headroom(rows_axis(&vec![String::new(); n], &body, theme)?);
    let panels = t.panels.len().max(1) as i32;
    let label_w = axis::tick_label_width(&body, theme, &y_left)? as i32;
    let width = body.dim_in_pixel().0 as i32;
    let each = (width - label_w) / panels;
    let mut rest = body.clone();
    for (i, panel) in t.panels.iter().enumerate() {
        let area = if (i as i32) < panels - 1 {
            let w = each + if i == 0 { label_w } else { 0 };
            let (area, right) = rest.split_horizontally(w);
            rest = right;
            area
        } else {
            rest.clone()
        };
        let y = if i == 0 { &y_left } else { &y_other };
        let y_w = axis::tick_label_width(&area, theme, y)? as i32;
        draw_panel(&area, theme, t, panel, (y, y_w), n)?;
    }
    Ok(())
}

const NO_EFFECT: &str = "no effect";

/// A change from the base in the panel's units: `+$1.2M`, `-0.35 pp`, `+1,234`.
fn signed(kind: ValueKind, delta: f64) -> String {
    let sign = if delta > 0.0 { "+" } else { "" };
    match kind {
        ValueKind::Money => format_signed_money(delta),
        ValueKind::Share => format!("{sign}{} pp", format_number(100.0 * delta, 2)),
        ValueKind::Number => format!("{sign}{}", short_number(delta)),
    }
}

/// A value in the panel's units, for the base mark.
fn plain(kind: ValueKind, v: f64) -> String {
    match kind {
        ValueKind::Number => short_number(v),
        _ => kind.format(v),
    }
}

/// A count or MW-months as a reader takes it in: whole above 100 (`29,848`), one decimal
/// above 1 (`2.4`), three below (`0.125`).
fn short_number(v: f64) -> String {
    let decimals = match v.abs() {
        a if a >= 100.0 => 0,
        a if a >= 1.0 => 1,
        _ => 3,
    };
    format_number(v, decimals)
}

/// The labels written at the bar ends of a panel.
fn end_labels(t: &Tornado, panel: &TornadoPanel) -> Vec<String> {
    let mut labels: Vec<String> = panel
        .low
        .iter()
        .chain(&panel.high)
        .map(|v| signed(t.kind, v - panel.base))
        .collect();
    labels.push(NO_EFFECT.to_string());
    labels
}

fn draw_panel(
    area: &Area,
    theme: &Theme,
    t: &Tornado,
    panel: &TornadoPanel,
    (y, y_w): (&Axis, i32),
    n: usize,
) -> DrawResult {
    let values = panel
        .low
        .iter()
        .chain(&panel.high)
        .copied()
        .chain([panel.base]);
    let (lo, hi) = data::finite_min_max(values).unwrap_or((0.0, 0.0));
    let (lo, hi) = data::centered_range(lo, hi);
    let plot_px = plot_width(area, theme, y_w);
    let pad = label_pad(area, theme, plot_px, hi - lo, &end_labels(t, panel))?;
    let x = t.kind.axis(lo - pad, hi + pad, &t.unit);
    let opts = PlotOpts::new()
        .title(&panel.title)
        .grid(VERTICAL)
        .y_desc(Desc::Hide);
    let mut chart = axis::build::<Linear, Linear>(area, theme, &x, y, opts)?;
    if n == 0 {
        return axis::empty_message(&chart, theme, "No inputs");
    }
    let labelled = bar_labels_fit(&chart, theme, 2)?;
    for k in 0..n {
        let y = row_y(n, k);
        let low = panel.low.get(k).copied().unwrap_or(f64::NAN);
        let high = panel.high.get(k).copied().unwrap_or(f64::NAN);
        hbar(
            &mut chart,
            (panel.base, low),
            (y + BAR_OFFSET, BAR_HALF),
            DOWN,
        )?;
        hbar(
            &mut chart,
            (panel.base, high),
            (y - BAR_OFFSET, BAR_HALF),
            UP,
        )?;
        if !labelled {
            continue;
        }
        if low == panel.base && high == panel.base {
            end_label(&chart, theme, (panel.base, panel.base, y), NO_EFFECT)?;
            continue;
        }
        for (v, dy) in [(low, BAR_OFFSET), (high, -BAR_OFFSET)] {
            if v.is_finite() {
                let text = signed(t.kind, v - panel.base);
                end_label(&chart, theme, (panel.base, v, y + dy), &text)?;
            }
        }
    }
    base_mark(&mut chart, theme, t.kind, panel.base)
}

fn base_mark(
    chart: &mut Plot<'_, '_, Linear, Linear>,
    theme: &Theme,
    kind: ValueKind,
    base: f64,
) -> DrawResult {
    let mark = Mark {
        x: base,
        tag: format!("Base {}", plain(kind, base)),
        color: BASE,
        dashed: false,
    };
    marks::draw_vertical(chart, theme, &[mark])
}
