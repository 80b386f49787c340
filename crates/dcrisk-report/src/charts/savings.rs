//! Savings against cloud: the histogram with its risk marks, and the cumulative
//! distributions with the VaR levels read off.

use dcrisk_core::stats::Z95;
use dcrisk_core::{Metric, MetricStats};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Ctx;
use crate::axis::{self, Area, Axis, Grid, Linear, Plot, PlotOpts};
use crate::data::{self, Bin, Window};
use crate::error::DrawResult;
use crate::format::{format_money, format_number, format_percent};
use crate::legend::{Legend, Swatch};
use crate::marks::{self, Mark};
use crate::palette;

/// Index of each quantile in `MetricStats::quantiles`.
const P01: usize = 0;
const P05: usize = 1;
const P10: usize = 2;
const P50: usize = 4;
const P95: usize = 7;

/// `savings_histogram.png`.
pub(crate) fn histogram(ctx: &Ctx, root: &Area) -> DrawResult {
    let values = ctx.values(Metric::SavingsPv);
    let sorted = ctx.sorted(Metric::SavingsPv);
    let stats = ctx.stat(Metric::SavingsPv);
    let win = data::display_window(sorted);
    let bins = data::histogram(values, win.lo, win.hi, data::bin_count(sorted.len()));
    let legend = histogram_legend(ctx, &stats, &win, &bins);
    let title = ctx.title("Savings of leasing against all-cloud");
    let subtitle = ctx.subtitle("present value at month 0 of cloud cost minus lease-program cost");
    let body = ctx.page(root, &title, &subtitle, &legend)?;
    let marks = histogram_marks(&stats);
    let marked = marks.iter().map(|m| m.x).chain([win.lo, win.hi]);
    let (lo, hi) = data::finite_min_max(marked).unwrap_or((0.0, 0.0));
    let (lo, hi) = data::centered_range(lo, hi);
    let (lo, hi) = data::padded_range(lo, hi, 0.03);
    let top = bins.iter().map(|b| b.share).fold(0.0, f64::max);
    // Headroom above the tallest bar for the mark tags.
    let (_, y_hi) = data::padded_range(0.0, top * 1.3, 0.0);
    let x = Axis::money(lo, hi, "Savings against all-cloud, present value (US$)");
    let y = Axis::percent(0.0, y_hi, "Share of paths in bin (%)");
    let opts = PlotOpts::new().grid(Grid::HORIZONTAL);
    let mut chart = axis::build::<Linear, Linear>(&body, &ctx.theme, &x, &y, opts)?;
    if sorted.is_empty() {
        return axis::empty_message(&chart, &ctx.theme, "No paths in this run");
    }
    draw_bins(&mut chart, &bins)?;
    marks::draw_vertical(&mut chart, &ctx.theme, &marks)
}

/// The histogram's bars, losses and gains in their colours (also the drivers' chart of
/// outer samples).
pub(crate) fn draw_bins(chart: &mut Plot<'_, '_, Linear, Linear>, bins: &[Bin]) -> DrawResult {
    let bars = bins.iter().filter(|b| b.share > 0.0).map(|b| {
        let color = if b.hi <= 0.0 {
            palette::LOSS
        } else {
            palette::GAIN
        };
        Rectangle::new([(b.lo, 0.0), (b.hi, b.share)], color.filled())
    });
    chart.draw_series(bars)?;
    // Thin white outlines separate neighbouring bars of the same colour.
    let outlines = bins
        .iter()
        .filter(|b| b.share > 0.0)
        .map(|b| Rectangle::new([(b.lo, 0.0), (b.hi, b.share)], WHITE.stroke_width(1)));
    chart.draw_series(outlines)?;
    Ok(())
}

fn histogram_marks(s: &MetricStats) -> Vec<Mark> {
    let mark = |x: f64, tag: &str, color, dashed| Mark {
        x,
        tag: tag.to_string(),
        color,
        dashed,
    };
    vec![
        mark(s.lower_es_05, "ES 5%", palette::REDDISH_PURPLE, false),
        mark(s.quantiles[P05], "P5", palette::BLUISH_GREEN, true),
        mark(s.quantiles[P50], "P50", palette::BLUE, true),
        mark(s.mean, "Mean", palette::BLACK, false),
        mark(s.quantiles[P95], "P95", palette::BLUISH_GREEN, true),
    ]
}

fn histogram_legend(ctx: &Ctx, s: &MetricStats, win: &Window, bins: &[Bin]) -> Legend {
    let line = |color, dashed| Swatch::Line {
        color,
        width: marks::WIDTH,
        dashed,
    };
    let mut legend = Legend::new()
        .heading(format!(
            "Leasing loses on {} of paths",
            format_percent(ctx.probabilities.savings_negative)
        ))
        .item(
            Swatch::Block {
                color: palette::GAIN,
            },
            "Leasing saves",
        )
        .item(
            Swatch::Block {
                color: palette::LOSS,
            },
            "Leasing loses (savings < 0)",
        )
        .gap()
        .heading("Savings")
        .item(
            line(palette::BLACK, false),
            format!("Mean {}", format_money(s.mean)),
        )
        .item(
            line(palette::BLUE, true),
            format!("Median (P50) {}", format_money(s.quantiles[P50])),
        )
        .item(
            line(palette::BLUISH_GREEN, true),
            format!(
                "P5 {} · P95 {}",
                format_money(s.quantiles[P05]),
                format_money(s.quantiles[P95])
            ),
        )
        .item(
            line(palette::REDDISH_PURPLE, false),
            format!("Expected shortfall 5% {}", format_money(s.lower_es_05)),
        )
        .note("ES 5%: mean of the worst 5% of paths")
        .gap()
        .note(format!("Std deviation {}", format_money(s.std)))
        .note(format!(
            "Mean ± 1.96 s.e. ±{}",
            format_money(Z95 * s.stderr)
        ));
    if let Some(b) = bins.first() {
        legend = legend.note(format!("Bin width {}", format_money(b.hi - b.lo)));
    }
    off_axis_notes(legend, win)
}

/// Says how many paths a cut axis leaves out, and where.
fn off_axis_notes(mut legend: Legend, win: &Window) -> Legend {
    let count = |n: usize| {
        let noun = if n == 1 { "path" } else { "paths" };
        format!("{} {noun}", format_number(n as f64, 0))
    };
    if win.below > 0 {
        legend = legend.note(format!(
            "Off the axis: {} below {}",
            count(win.below),
            format_money(win.lo)
        ));
    }
    if win.above > 0 {
        legend = legend.note(format!(
            "Off the axis: {} above {}",
            count(win.above),
            format_money(win.hi)
        ));
    }
    legend
}

/// `savings_cdf.png`: savings on the left, the two costs on the right.
pub(crate) fn cdf(ctx: &Ctx, root: &Area) -> DrawResult {
    let savings = ctx.sorted(Metric::SavingsPv);
    let program = ctx.sorted(Metric::ProgramCostPv);
    let cloud = ctx.sorted(Metric::CloudCostPv);
    let stats = ctx.stat(Metric::SavingsPv);
    let savings_win = data::display_window(savings);
    let costs_win = joint_window(program, cloud);
    let legend = cdf_legend(ctx, &stats, &savings_win, &costs_win);
    let title = ctx.title("Distribution of savings and costs");
    let subtitle =
        ctx.subtitle("present values at month 0 · share of paths at or below each value");
    let body = ctx.page(root, &title, &subtitle, &legend)?;
    let (w, _) = body.dim_in_pixel();
    let (left, right) = body.split_horizontally(w / 2);
    savings_panel(ctx, &left, savings, &savings_win, &stats)?;
    costs_panel(ctx, &right, program, cloud, &costs_win)
}

/// One window for both costs, so their curves share an axis; the counts off the axis
/// add up both samples.
fn joint_window(a: &[f64], b: &[f64]) -> Window {
    let (wa, wb) = (data::display_window(a), data::display_window(b));
    let (lo, hi) = match (a.is_empty(), b.is_empty()) {
        (true, _) => (wb.lo, wb.hi),
        (_, true) => (wa.lo, wa.hi),
        _ => (wa.lo.min(wb.lo), wa.hi.max(wb.hi)),
    };
    let outside = |s: &[f64]| {
        let below = s.partition_point(|&v| v < lo);
        (below, s.len() - s.partition_point(|&v| v <= hi))
    };
    let ((ba, aa), (bb, ab)) = (outside(a), outside(b));
    Window {
        lo,
        hi,
        below: ba + bb,
        above: aa + ab,
    }
}

/// Most points of a downsampled CDF curve.
const CDF_POINTS: usize = 400;
const CURVE_WIDTH: f64 = 3.0;

fn cdf_y() -> Axis {
    Axis::percent(0.0, 1.0, "Share of paths at or below (%)")
}

fn savings_panel(
    ctx: &Ctx,
    area: &Area,
    sorted: &[f64],
    win: &Window,
    s: &MetricStats,
) -> DrawResult {
    let (lo, hi) = data::centered_range(win.lo.min(0.0), win.hi.max(0.0));
    let (lo, hi) = data::padded_range(lo, hi, 0.03);
    let x = Axis::money(lo, hi, "Savings against all-cloud, PV (US$)");
    let opts = PlotOpts::new().title("Savings");
    let mut chart = axis::build::<Linear, Linear>(area, &ctx.theme, &x, &cdf_y(), opts)?;
    if sorted.is_empty() {
        return axis::empty_message(&chart, &ctx.theme, "No paths in this run");
    }
    let zero = vec![(0.0, 0.0), (0.0, 1.0)];
    let zero_style = palette::MUTED.stroke_width(ctx.theme.stroke(1.5));
    chart.draw_series(LineSeries::new(zero, zero_style))?;
    let curve = clip_x(data::ecdf_points(sorted, CDF_POINTS), lo, hi);
    let style = palette::BLACK.stroke_width(ctx.theme.stroke(CURVE_WIDTH));
    chart.draw_series(LineSeries::new(curve, style))?;
    read_off(&mut chart, ctx, lo, &var_levels(s))
}

/// The VaR levels read off the savings CDF: (level, quantile, tag, colour).
fn var_levels(s: &MetricStats) -> [(f64, f64, &'static str, RGBColor); 3] {
    [
        (0.01, s.quantiles[P01], "P1", palette::VERMILLION),
        (0.05, s.quantiles[P05], "P5", palette::REDDISH_PURPLE),
        (0.10, s.quantiles[P10], "P10", palette::BLUISH_GREEN),
    ]
}

/// Each VaR level as a dashed line across the panel (below the curve it crosses empty
/// space), a dot where it meets the curve with a drop line to the value, and the value
/// written at the right end, where the rising CDF leaves room.
fn read_off(
    chart: &mut Plot<'_, '_, Linear, Linear>,
    ctx: &Ctx,
    x_lo: f64,
    levels: &[(f64, f64, &'static str, RGBColor)],
) -> DrawResult {
    let theme = &ctx.theme;
    let x_hi = chart.x_range().end;
    for &(level, q, _, color) in levels {
        let guide = vec![(x_lo, level), (x_hi, level)];
        crate::fan::dashed(chart, theme, guide, color, 1.5)?;
        crate::fan::dashed(chart, theme, vec![(q, level), (q, 0.0)], color, 1.5)?;
        let dot = Circle::new((q, level), theme.upx(6.0), color.filled());
        chart.draw_series(std::iter::once(dot))?;
    }
    let screen = axis::screen(chart);
    let (xs, _) = axis::plot_rect(chart);
    for &(level, q, tag, color) in levels {
        let label = format!("{tag} {}", format_money(q));
        let style = theme.annotation(color);
        let w = crate::legend::text_width(&screen, &style, &label)? + theme.px(8.0);
        let (_, y) = chart.backend_coord(&(q, level));
        let right = xs.end - theme.px(6.0);
        let h = theme.px(12.0);
        // Above the line, so neighbouring levels (1% and 5%) do not collide.
        let box_ = [(right - w, y - 2 * h), (right, y - theme.px(2.0))];
        screen.draw(&Rectangle::new(box_, WHITE.filled()))?;
        let style = style.pos(Pos::new(HPos::Right, VPos::Center));
        screen.draw(&Text::new(label, (right - theme.px(4.0), y - h), style))?;
    }
    Ok(())
}

fn costs_panel(ctx: &Ctx, area: &Area, program: &[f64], cloud: &[f64], win: &Window) -> DrawResult {
    let (lo, hi) = data::centered_range(win.lo, win.hi);
    let (lo, hi) = data::padded_range(lo, hi, 0.03);
    let x = Axis::money(lo, hi, "Cost, present value (US$)");
    let opts = PlotOpts::new().title("Costs");
    let mut chart = axis::build::<Linear, Linear>(area, &ctx.theme, &x, &cdf_y(), opts)?;
    if program.is_empty() {
        return axis::empty_message(&chart, &ctx.theme, "No paths in this run");
    }
    for (sorted, color) in [(program, palette::PROGRAM), (cloud, palette::CLOUD)] {
        let curve = clip_x(data::ecdf_points(sorted, CDF_POINTS), lo, hi);
        let style = color.stroke_width(ctx.theme.stroke(CURVE_WIDTH));
        chart.draw_series(LineSeries::new(curve, style))?;
    }
    Ok(())
}

/// Keeps the points inside the x window (the extreme paths a clipped axis leaves out).
fn clip_x(points: Vec<(f64, f64)>, lo: f64, hi: f64) -> Vec<(f64, f64)> {
    points
        .into_iter()
        .filter(|(x, _)| *x >= lo && *x <= hi)
        .collect()
}

fn cdf_legend(ctx: &Ctx, s: &MetricStats, savings: &Window, costs: &Window) -> Legend {
    let line = |color| Swatch::Line {
        color,
        width: CURVE_WIDTH,
        dashed: false,
    };
    let program = ctx.stat(Metric::ProgramCostPv);
    let cloud = ctx.stat(Metric::CloudCostPv);
    let mut legend = Legend::new()
        .heading("Savings (left)")
        .item(line(palette::BLACK), "Savings CDF")
        .note(format!(
            "Leasing loses on {} of paths",
            format_percent(ctx.probabilities.savings_negative)
        ));
    legend = off_axis_notes(legend, savings)
        .gap()
        .heading("Value at risk");
    for (level, q, tag, color) in var_levels(s) {
        legend = legend.item(
            Swatch::Line {
                color,
                width: 2.0,
                dashed: true,
            },
            format!(
                "{tag} {}: {} of paths worse",
                format_money(q),
                format_percent(level)
            ),
        );
    }
    legend = legend
        .gap()
        .heading("Costs (right)")
        .item(
            line(palette::PROGRAM),
            format!(
                "Lease program, median {}",
                format_money(program.quantiles[P50])
            ),
        )
        .item(
            line(palette::CLOUD),
            format!("All-cloud, median {}", format_money(cloud.quantiles[P50])),
        );
    off_axis_notes(legend, costs)
}
