//! The charts of a run with uncertain inputs: what drives a metric's mean (Sobol indices
//! with their intervals, largest first) and how that mean is spread over the outer
//! samples.

use plotters::prelude::*;

use crate::axis::{self, Area, Axis, Grid, Linear, Plot, PlotOpts};
use crate::charts::compare::{VERTICAL, row_y, rows_axis};
use crate::data;
use crate::error::DrawResult;
use crate::format::{format_money, format_number};
use crate::frame;
use crate::legend::{Legend, Swatch};
use crate::marks::{self, Mark};
use crate::palette;
use crate::theme::Theme;
use crate::{Chart, ChartOptions, ReportError, canvas, font};

/// One input's indices for the metric: estimate and 95% interval.
#[derive(Clone, Debug, PartialEq)]
pub struct DriverBar {
    pub input: String,
    pub first_order: (f64, f64, f64),
    /// Total effect (estimate, lo, hi), on a Saltelli design.
    pub total: Option<(f64, f64, f64)>,
    pub spearman: f64,
}

/// Everything `drivers.png` shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Drivers {
    pub scenario: String,
    /// The metric's mean in words, e.g. "mean savings (PV)".
    pub subject: String,
    /// How the indices were estimated, for the subtitle.
    pub method: String,
    /// Rows in any order; drawn largest first-order index first.
    pub bars: Vec<DriverBar>,
}

/// The outer samples' means of one metric (money), for `uncertainty.png`.
#[derive(Clone, Debug, PartialEq)]
pub struct OuterSpread {
    pub scenario: String,
    pub subject: String,
    pub subtitle: String,
    pub means: Vec<f64>,
    /// The mean over all pooled paths.
    pub pooled_mean: f64,
}

/// The file name of [`render_drivers`]'s chart.
pub const DRIVERS_FILE: &str = "drivers.png";
/// The file name of [`render_outer_spread`]'s chart.
pub const SPREAD_FILE: &str = "uncertainty.png";

/// Renders `drivers.png`.
///
/// # Errors
/// [`ReportError::InvalidSize`] for a side outside the allowed range; the other variants
/// only if drawing or encoding fails.
pub fn render_drivers(d: &Drivers, opts: &ChartOptions) -> Result<Chart, ReportError> {
    crate::check_size(opts)?;
    font::register()?;
    let theme = Theme::new(opts);
    let png = canvas::render_png(DRIVERS_FILE, opts, |root| draw_drivers(d, &theme, root))?;
    Ok(Chart {
        file_name: DRIVERS_FILE,
        png,
    })
}

/// Renders `uncertainty.png`.
///
/// # Errors
/// As [`render_drivers`].
pub fn render_outer_spread(s: &OuterSpread, opts: &ChartOptions) -> Result<Chart, ReportError> {
    crate::check_size(opts)?;
    font::register()?;
    let theme = Theme::new(opts);
    let png = canvas::render_png(SPREAD_FILE, opts, |root| draw_spread(s, &theme, root))?;
    Ok(Chart {
        file_name: SPREAD_FILE,
        png,
    })
}

const FIRST: RGBColor = palette::BLUE;
const TOTAL: RGBColor = palette::ORANGE;
/// Each row holds the first-order index above and the total effect below.
const OFFSET: f64 = 0.16;
const HALF: f64 = 0.12;

fn draw_drivers(d: &Drivers, theme: &Theme, root: &Area) -> DrawResult {
    let mut bars = d.bars.clone();
    bars.sort_by(|a, b| b.first_order.0.total_cmp(&a.first_order.0));
    let sobol = bars.iter().any(|b| b.total.is_some());
    let mut legend = Legend::new()
        .heading("Index (95% interval)")
        .item(Swatch::Block { color: FIRST }, "First order: alone");
    if sobol {
        legend = legend.item(Swatch::Block { color: TOTAL }, "Total: with interactions");
    }
    legend = legend
        .gap()
        .note(format!(
            "Share of the variance of {} across outer samples that each input explains.",
            d.subject
        ))
        .note("Rows sorted by first-order index, largest on top; whiskers are bootstrap 95% intervals.")
        .note("Spearman's rank correlation (sign: direction of the effect) beside each row.")
        .note("An estimate at or below 0 means no effect this many samples can detect.");
    let title = format!("What drives {} — {}", d.subject, d.scenario);
    let body = frame::page(root, theme, &title, &d.method, &legend)?;
    let labels: Vec<String> = bars.iter().map(|b| b.input.clone()).collect();
    let mut y = rows_axis(&labels, &body, theme)?;
    y.lo -= 0.2;
    y.hi += 0.2;
    let ends = bars.iter().flat_map(|b| {
        let t = b.total.unwrap_or(b.first_order);
        [b.first_order.1, b.first_order.2, t.1, t.2]
    });
    let (lo, hi) = data::finite_min_max(ends).unwrap_or((0.0, 1.0));
    // Room left of the lowest whisker, and right of the highest for its ρ tag.
    let (lo, hi) = (lo.min(0.0), hi.max(0.1));
    let span = hi - lo;
    let x = Axis::percent(lo - 0.06 * span, hi + 0.2 * span, "Share of variance (%)");
    let opts = PlotOpts::new().grid(VERTICAL);
    let mut chart = axis::build::<Linear, Linear>(&body, theme, &x, &y, opts)?;
    if bars.is_empty() {
        return axis::empty_message(&chart, theme, "No uncertain inputs");
    }
    let n = bars.len();
    for (k, b) in bars.iter().enumerate() {
        let row = row_y(n, k);
        let dy = if sobol { OFFSET } else { 0.0 };
        index_bar(&mut chart, theme, b.first_order, row + dy, FIRST)?;
        if let Some(t) = b.total {
            index_bar(&mut chart, theme, t, row - dy, TOTAL)?;
        }
        let tag = format!("ρ {:+.2}", b.spearman);
        let at = (b.total.unwrap_or(b.first_order).2).max(b.first_order.2);
        let (px, py) = chart.backend_coord(&(at, row));
        let style = theme
            .bar_label()
            .pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            ));
        axis::screen(&chart).draw(&Text::new(tag, (px + theme.px(10.0), py), style))?;
    }
    Ok(())
}

/// A bar from 0 to the estimate with a whisker over its interval.
fn index_bar(
    chart: &mut Plot<'_, '_, Linear, Linear>,
    theme: &Theme,
    (estimate, lo, hi): (f64, f64, f64),
    y: f64,
    color: RGBColor,
) -> DrawResult {
    if !estimate.is_finite() {
        return Ok(());
    }
    let rect = Rectangle::new(
        [(0.0, y - HALF), (estimate, y + HALF)],
        color.mix(0.85).filled(),
    );
    chart.draw_series(std::iter::once(rect))?;
    if lo.is_finite() && hi.is_finite() {
        let stroke = palette::BLACK.stroke_width(theme.stroke(2.0));
        let cap = HALF * 0.6;
        chart.draw_series([
            PathElement::new(vec![(lo, y), (hi, y)], stroke),
            PathElement::new(vec![(lo, y - cap), (lo, y + cap)], stroke),
            PathElement::new(vec![(hi, y - cap), (hi, y + cap)], stroke),
        ])?;
    }
    Ok(())
}

fn draw_spread(s: &OuterSpread, theme: &Theme, root: &Area) -> DrawResult {
    let sorted = data::sorted_finite(&s.means);
    let q = |p: f64| data::quantile(&sorted, p);
    let marks = vec![
        mark(q(0.05), "P5", palette::BLUISH_GREEN, true),
        mark(q(0.5), "P50", palette::BLUE, true),
        mark(s.pooled_mean, "Mean", palette::BLACK, false),
        mark(q(0.95), "P95", palette::BLUISH_GREEN, true),
    ];
    let below = sorted.iter().filter(|v| **v < 0.0).count() as f64 / sorted.len().max(1) as f64;
    let line = |color, dashed| Swatch::Line {
        color,
        width: marks::WIDTH,
        dashed,
    };
    let legend = Legend::new()
        .heading("Outer samples")
        .item(Swatch::Block { color: palette::GAIN }, "Outer samples with mean > 0")
        .item(Swatch::Block { color: palette::LOSS }, "Outer samples with mean < 0")
        .gap()
        .item(line(palette::BLACK, false), format!("Mean {}", format_money(s.pooled_mean)))
        .item(line(palette::BLUE, true), format!("P50 {}", format_money(q(0.5))))
        .item(
            line(palette::BLUISH_GREEN, true),
            format!("P5 {} · P95 {}", format_money(q(0.05)), format_money(q(0.95))),
        )
        .gap()
        .note(format!(
            "{} of {} outer samples have a negative mean.",
            format_number(below * sorted.len() as f64, 0),
            sorted.len()
        ))
        .note("Each outer sample is one draw of the uncertain inputs, its mean taken over the same inner paths.");
    let title = format!("{} over the uncertain inputs — {}", s.subject, s.scenario);
    let body = frame::page(root, theme, &title, &s.subtitle, &legend)?;
    let (lo, hi) =
        data::finite_min_max(sorted.iter().copied().chain([s.pooled_mean])).unwrap_or((0.0, 0.0));
    let (lo, hi) = data::centered_range(lo, hi);
    let (lo, hi) = data::padded_range(lo, hi, 0.05);
    let bins = data::histogram(&sorted, lo, hi, data::bin_count(sorted.len()).min(40));
    let top = bins.iter().map(|b| b.share).fold(0.0, f64::max);
    let x = Axis::money(
        lo,
        hi,
        "Mean savings of an outer sample, present value at month 0 (US$)",
    );
    let y = Axis::percent(0.0, top * 1.3 + 1e-9, "Share of outer samples in bin (%)");
    let mut chart = axis::build::<Linear, Linear>(
        &body,
        theme,
        &x,
        &y,
        PlotOpts::new().grid(Grid::HORIZONTAL),
    )?;
    if sorted.is_empty() {
        return axis::empty_message(&chart, theme, "No outer samples");
    }
    crate::charts::savings::draw_bins(&mut chart, &bins)?;
    marks::draw_vertical(&mut chart, theme, &marks)
}

fn mark(x: f64, tag: &str, color: RGBColor, dashed: bool) -> Mark {
    Mark {
        x,
        tag: tag.to_string(),
        color,
        dashed,
    }
}
