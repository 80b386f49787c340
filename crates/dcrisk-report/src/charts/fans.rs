//! Fan charts over time: monthly cost against the all-cloud counterfactual, power prices
//! per region, and demand against delivered capacity.

use dcrisk_core::{Metric, MonthStats, SeriesKind, SeriesSummary};
use plotters::prelude::*;

use super::Ctx;
use crate::axis::{self, Area, Axis, Desc, Linear, Plot, PlotOpts, TIME_TICKS, TimeScale};
use crate::data;
use crate::error::DrawResult;
use crate::fan;
use crate::format::{format_money, format_number, format_percent};
use crate::legend::{Legend, Swatch};
use crate::palette;

/// Colours of this file's series.
const POWER: RGBColor = palette::BLUISH_GREEN;
const DEMAND: RGBColor = palette::VERMILLION;
const CAPACITY: RGBColor = palette::BLUE;

/// Months of a series, or none.
fn months(series: Option<&SeriesSummary>) -> &[MonthStats] {
    series.map_or(&[], |s| s.months.as_slice())
}

/// The y range covering every fan, padded (not below zero for non-negative data).
fn fan_range(fans: &[&[MonthStats]]) -> (f64, f64) {
    let bounds = fans.iter().filter_map(|m| fan::bounds(m));
    let lo = bounds.clone().map(|b| b.0).fold(f64::INFINITY, f64::min);
    let hi = bounds.map(|b| b.1).fold(f64::NEG_INFINITY, f64::max);
    data::padded_range(lo, hi, 0.05)
}

/// `cost_fan.png`: the two fans side by side on one scale (overlaid, their bands would
/// blend into colours that belong to neither), each panel with the other's median as a
/// dashed reference line for the direct comparison.
pub(crate) fn cost(ctx: &Ctx, root: &Area) -> DrawResult {
    let program = months(ctx.series("program_cost"));
    let cloud = months(ctx.series("cloud_cost"));
    let legend = cost_legend(ctx);
    let title = ctx.title("Monthly cost: lease program vs all-cloud");
    let subtitle =
        ctx.subtitle("month-t dollars, not discounted; costs stop at the tenant's default");
    let body = ctx.page(root, &title, &subtitle, &legend)?;
    let (x, time) = ctx.time_axis(TIME_TICKS / 2);
    let (lo, hi) = fan_range(&[program, cloud]);
    let y = Axis::money(lo, hi, "Cost in the month (US$)");
    if program.is_empty() && cloud.is_empty() {
        let chart = axis::build::<Linear, Linear>(&body, &ctx.theme, &x, &y, PlotOpts::new())?;
        return axis::empty_message(&chart, &ctx.theme, "No cost series in this run");
    }
    let (w, _) = body.dim_in_pixel();
    let (left, right) = body.split_horizontally(w / 2);
    let panels = [
        (
            &left,
            "Lease program",
            program,
            palette::PROGRAM,
            cloud,
            palette::CLOUD,
            Desc::Show,
        ),
        (
            &right,
            "All-cloud (counterfactual)",
            cloud,
            palette::CLOUD,
            program,
            palette::PROGRAM,
            Desc::Reserve,
        ),
    ];
    for (area, name, own, color, other, other_color, y_desc) in panels {
        let opts = PlotOpts::new().title(name).y_desc(y_desc);
        let mut chart = axis::build::<Linear, Linear>(area, &ctx.theme, &x, &y, opts)?;
        fan::draw_all(&mut chart, &ctx.theme, &[(own, color)], time, true)?;
        // Dotted, not dashed: a dashed line is the panel's own mean.
        let reference = fan::points(other, time, |m| m.p50);
        fan::dotted(
            &mut chart,
            &ctx.theme,
            reference,
            other_color,
            REFERENCE_WIDTH,
        )?;
    }
    Ok(())
}

/// The other series' median, drawn dotted (the legend's swatch is drawn the same way).
const REFERENCE_WIDTH: f64 = 2.5;

fn cost_legend(ctx: &Ctx) -> Legend {
    let reference = |color| Swatch::Dotted {
        color,
        width: REFERENCE_WIDTH,
    };
    fan::legend("Lease program cost (left)", palette::PROGRAM, true)
        .gap()
        .extend(fan::legend("All-cloud cost (right)", palette::CLOUD, true))
        .gap()
        .heading("For comparison")
        .item(reference(palette::CLOUD), "All-cloud median, on the left")
        .item(
            reference(palette::PROGRAM),
            "Lease program median, on the right",
        )
        .gap()
        .heading("Present value, mean")
        .note(format!(
            "Lease program {} · all-cloud {}",
            format_money(ctx.mean(Metric::ProgramCostPv)),
            format_money(ctx.mean(Metric::CloudCostPv))
        ))
        .gap()
        .heading("Why the bands fall to $0")
        .note(format!(
            "Costs stop at the tenant's default ({} of paths default in the horizon): each \
             default adds a path at $0 from that month on, so the bands fall as defaults \
             accumulate (P5 is $0 once 5% of paths have defaulted, P25 once 25% have)",
            format_percent(ctx.probabilities.tenant_default)
        ))
}

/// Rows and columns for `n` small multiples: at most four across, wider than tall.
fn grid_dims(n: usize) -> (usize, usize) {
    match n {
        0 | 1 => (1, 1),
        2 => (1, 2),
        3 => (1, 3),
        4 => (2, 2),
        5 | 6 => (2, 3),
        _ => (n.div_ceil(4), 4),
    }
}

/// `power_prices.png`: one panel per region, all on the same y scale so regions compare
/// at a glance.
pub(crate) fn power_prices(ctx: &Ctx, root: &Area) -> DrawResult {
    let regions: Vec<(&str, &[MonthStats])> = ctx
        .results
        .series
        .iter()
        .filter_map(|s| match &s.kind {
            SeriesKind::PowerPrice { region } => Some((region.as_str(), s.months.as_slice())),
            _ => None,
        })
        .collect();
    let legend = power_legend(&regions);
    let title = ctx.title("Spot power price by region");
    let subtitle = ctx.subtitle("$/MWh before hedging, month-t dollars");
    let body = ctx.page(root, &title, &subtitle, &legend)?;
    let all: Vec<&[MonthStats]> = regions.iter().map(|r| r.1).collect();
    let (lo, hi) = fan_range(&all);
    let y = Axis::number(lo, hi, "Spot price ($/MWh)");
    let (rows, cols) = grid_dims(regions.len());
    let (mut x, time) = ctx.time_axis(TIME_TICKS / cols);
    if regions.is_empty() {
        let chart = axis::build::<Linear, Linear>(&body, &ctx.theme, &x, &y, PlotOpts::new())?;
        return axis::empty_message(&chart, &ctx.theme, "No power price series in this run");
    }
    if cols > 1 {
        // The full caption, with the start month, is too long for a narrow panel.
        x.desc = x.desc.split(" (").next().unwrap_or_default().to_string();
    }
    let panels = body.split_evenly((rows, cols));
    for (i, (panel, (region, months))) in panels.iter().zip(&regions).enumerate() {
        let gap = ctx.theme.px(10.0);
        let panel = panel.margin(0, gap, 0, gap);
        // Axis captions once per row and column, as the panels share both scales.
        let on = |show: bool| if show { Desc::Show } else { Desc::Reserve };
        let opts = PlotOpts::new()
            .title(region)
            .x_desc(on(i / cols == rows - 1 || i + cols >= regions.len()))
            .y_desc(on(i % cols == 0));
        let mut chart = axis::build::<Linear, Linear>(&panel, &ctx.theme, &x, &y, opts)?;
        fan::draw_all(&mut chart, &ctx.theme, &[(months, POWER)], time, false)?;
    }
    Ok(())
}

fn power_legend(regions: &[(&str, &[MonthStats])]) -> Legend {
    let mut legend = fan::legend("Spot price", POWER, false)
        .gap()
        .heading("Mean over the horizon");
    for (region, months) in regions {
        let n = months.len().max(1) as f64;
        let mean = months.iter().map(|m| m.mean).sum::<f64>() / n;
        legend = legend.note(format!("{region}: ${}/MWh", format_number(mean, 1)));
    }
    legend
}

/// `demand_capacity.png`: the two fans on top; below, expected capacity minus expected
/// demand, whose sign shows idle capacity (above zero) or overflow to cloud (below).
pub(crate) fn demand_capacity(ctx: &Ctx, root: &Area) -> DrawResult {
    let demand = months(ctx.series("demand_mw"));
    let capacity = months(ctx.series("capacity_mw"));
    let legend = demand_legend(ctx);
    let title = ctx.title("Compute demand vs delivered capacity");
    let subtitle = ctx.subtitle("MW of IT load");
    let body = ctx.page(root, &title, &subtitle, &legend)?;
    let (_, h) = body.dim_in_pixel();
    let (top, bottom) = body.split_vertically((f64::from(h) * 0.66) as i32);
    let (x, time) = ctx.time_axis(TIME_TICKS);
    let (lo, hi) = fan_range(&[demand, capacity]);
    let y = Axis::number(lo, hi, "MW");
    let gap_y = gap_axis(demand, capacity, time);
    let label_w = axis::tick_label_width(&top, &ctx.theme, &y)?
        .max(axis::tick_label_width(&top, &ctx.theme, &gap_y.0)?);
    let opts = PlotOpts::new().x_desc(Desc::Hide).y_label_width(label_w);
    let mut chart = axis::build::<Linear, Linear>(&top, &ctx.theme, &x, &y, opts)?;
    if demand.is_empty() && capacity.is_empty() {
        return axis::empty_message(
            &chart,
            &ctx.theme,
            "No demand or capacity series in this run",
        );
    }
    // Demand as filled bands, capacity as band outlines: two translucent fills would
    // blend into a grey that belongs to neither.
    fan::draw_all(&mut chart, &ctx.theme, &[(demand, DEMAND)], time, false)?;
    capacity_outlines(&mut chart, ctx, capacity, time)?;
    if let Some(plan) = ctx.series(PLAN_SERIES) {
        let pts = fan::points(&plan.months, time, |m| m.mean);
        fan::dashed(&mut chart, &ctx.theme, pts, PLAN, PLAN_WIDTH)?;
    }
    let opts = PlotOpts::new()
        .title("Mean capacity minus mean demand (not the mean idle or overflow)")
        .y_label_width(label_w);
    gap_panel(ctx, &bottom, &x, gap_y, opts)
}

/// The demand plan (the scenario's input, the same on every path), drawn when the run
/// records it as a series of this name; runs of this version do not, so no plan line.
pub(crate) const PLAN_SERIES: &str = "demand_plan_mw";
const PLAN: RGBColor = palette::BLACK;
const PLAN_WIDTH: f64 = 2.5;

/// Outline widths of the capacity bands, at the reference size.
const INNER_OUTLINE: f64 = 2.0;
const OUTER_OUTLINE: f64 = 2.0;

/// Capacity's fan drawn without fill: P25-P75 as a solid outline, P5-P95 as a dotted
/// one, the median as a thick line.
fn capacity_outlines(
    chart: &mut Plot<'_, '_, Linear, Linear>,
    ctx: &Ctx,
    capacity: &[MonthStats],
    time: TimeScale,
) -> DrawResult {
    let theme = &ctx.theme;
    let ring = |lo: fn(&MonthStats) -> f64, hi: fn(&MonthStats) -> f64| {
        let upper = fan::points(capacity, time, hi);
        let lower = fan::points(capacity, time, lo);
        let mut pts: Vec<(f64, f64)> = upper.into_iter().chain(lower.into_iter().rev()).collect();
        if let Some(&first) = pts.first() {
            pts.push(first);
        }
        pts
    };
    fan::dotted(
        chart,
        theme,
        ring(|m| m.p05, |m| m.p95),
        CAPACITY,
        OUTER_OUTLINE,
    )?;
    let inner = CAPACITY.stroke_width(theme.stroke(INNER_OUTLINE));
    chart.draw_series(LineSeries::new(ring(|m| m.p25, |m| m.p75), inner))?;
    let median = fan::points(capacity, time, |m| m.p50);
    let style = CAPACITY.stroke_width(theme.stroke(fan::MEDIAN_WIDTH));
    chart.draw_series(LineSeries::new(median, style))?;
    Ok(())
}

/// Expected capacity minus expected demand per month, and its axis. Means are exact
/// (the percentiles of the fans are not additive, the means are).
fn gap_axis(
    demand: &[MonthStats],
    capacity: &[MonthStats],
    time: TimeScale,
) -> (Axis, Vec<(f64, f64)>) {
    let gap: Vec<(f64, f64)> = demand
        .iter()
        .zip(capacity)
        .enumerate()
        .map(|(t, (d, c))| (time.x(t), c.mean - d.mean))
        .collect();
    let values = gap.iter().map(|p| p.1).chain([0.0]);
    let (lo, hi) = data::finite_min_max(values).unwrap_or((0.0, 0.0));
    let (lo, hi) = data::padded_range(lo, hi, 0.1);
    (Axis::number(lo, hi, "MW"), gap)
}

/// The gap panel, filled by sign: idle capacity above zero, overflow to cloud below.
fn gap_panel(
    ctx: &Ctx,
    area: &Area,
    x: &Axis,
    (y, gap): (Axis, Vec<(f64, f64)>),
    opts: PlotOpts,
) -> DrawResult {
    let mut chart = axis::build::<Linear, Linear>(area, &ctx.theme, x, &y, opts)?;
    fill_signed(&mut chart, &gap)?;
    let zero = [(x.lo, 0.0), (x.hi, 0.0)];
    chart.draw_series(LineSeries::new(zero, palette::MUTED.stroke_width(1)))?;
    Ok(())
}

/// Opacity of the gap panel's fills.
const GAP_ALPHA: f64 = 0.45;

/// Fills between the curve and zero: positive parts as idle, negative as overflow.
fn fill_signed(chart: &mut Plot<'_, '_, Linear, Linear>, pts: &[(f64, f64)]) -> DrawResult {
    let (Some(first), Some(last)) = (pts.first(), pts.last()) else {
        return Ok(());
    };
    for (clamp, color) in [
        (f64::max as fn(f64, f64) -> f64, CAPACITY),
        (f64::min as fn(f64, f64) -> f64, DEMAND),
    ] {
        let mut outline: Vec<(f64, f64)> = pts.iter().map(|&(x, v)| (x, clamp(v, 0.0))).collect();
        outline.extend([(last.0, 0.0), (first.0, 0.0)]);
        chart.draw_series(std::iter::once(Polygon::new(
            outline,
            color.mix(GAP_ALPHA).filled(),
        )))?;
    }
    Ok(())
}

fn demand_legend(ctx: &Ctx) -> Legend {
    let horizon = ctx.results.horizon_months.max(1) as f64;
    let idle = ctx.mean(Metric::IdleMwMonths);
    let overflow = ctx.mean(Metric::OverflowMwMonths);
    let mut legend = fan::legend("Demand", DEMAND, false);
    if ctx.series(PLAN_SERIES).is_some() {
        let swatch = Swatch::Line {
            color: PLAN,
            width: PLAN_WIDTH,
            dashed: true,
        };
        legend = legend.item(swatch, "Plan (the scenario's input)");
    }
    legend
        .gap()
        .heading("Delivered capacity (outlines)")
        .item(
            Swatch::Line {
                color: CAPACITY,
                width: fan::MEDIAN_WIDTH,
                dashed: false,
            },
            "Median",
        )
        .item(
            Swatch::Outline {
                color: CAPACITY,
                width: INNER_OUTLINE,
                dotted: false,
            },
            "P25–P75 (half of paths)",
        )
        .item(
            Swatch::Outline {
                color: CAPACITY,
                width: OUTER_OUTLINE,
                dotted: true,
            },
            "P5–P95 (90% of paths)",
        )
        .gap()
        .heading("Lower panel: gap between the means")
        .item(
            Swatch::Band {
                color: CAPACITY,
                alpha: GAP_ALPHA,
            },
            "Mean capacity above mean demand",
        )
        .item(
            Swatch::Band {
                color: DEMAND,
                alpha: GAP_ALPHA,
            },
            "Mean demand above mean capacity",
        )
        .note(
            "Not the mean idle or overflow: paths with idle capacity and paths \
             overflowing to cloud offset each other in the gap",
        )
        .gap()
        .heading("Per path, mean over the run")
        .note(format!(
            "Idle: {} MW-months (avg {} MW)",
            format_number(idle, 0),
            format_number(idle / horizon, 0)
        ))
        .note(format!(
            "Overflow to cloud: {} MW-months (avg {} MW)",
            format_number(overflow, 0),
            format_number(overflow / horizon, 0)
        ))
}
