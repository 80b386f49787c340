//! The tenant's cumulative default probability over the horizon: how an annual PD builds
//! up over the years (0.04 a year is 46% over 15 years), with the curve the PD alone would
//! give, so the effect of wrong-way risk shows as the gap.

use plotters::prelude::*;

use super::Ctx;
use crate::axis::{self, Area, Axis, Grid, Linear, PlotOpts, TIME_TICKS, TimeScale};
use crate::data;
use crate::error::DrawResult;
use crate::format::format_percent;
use crate::legend::{Legend, Swatch};
use crate::palette;

const SIMULATED: RGBColor = palette::VERMILLION;
const CLOSED_FORM: RGBColor = palette::BLUE;
const WIDTH: f64 = 3.0;

/// `default_curve.png`.
pub(crate) fn default_curve(ctx: &Ctx, root: &Area) -> DrawResult {
    let parties = &ctx.results.parties;
    let curve = &parties.tenant_default_curve;
    let reference = closed_form(parties.tenant_annual_pd, curve.len());
    let (x, time) = ctx.time_axis(TIME_TICKS);
    let legend = curve_legend(ctx, curve, &reference, time);
    let title = ctx.title("Tenant's cumulative default probability");
    let subtitle = ctx.subtitle("share of paths where the tenant has defaulted by each month");
    let body = ctx.page(root, &title, &subtitle, &legend)?;
    let top = curve.iter().chain(&reference).copied().fold(0.0, f64::max);
    let (_, hi) = data::padded_range(0.0, (top * 1.1).clamp(0.01, 1.0), 0.0);
    let y = Axis::percent(0.0, hi, "Probability of default by then (%)");
    let opts = PlotOpts::new().grid(Grid::BOTH);
    let mut chart = axis::build::<Linear, Linear>(&body, &ctx.theme, &x, &y, opts)?;
    if curve.is_empty() {
        return axis::empty_message(&chart, &ctx.theme, "No default curve in this run");
    }
    chart.draw_series(LineSeries::new(
        points(&reference, time),
        CLOSED_FORM.stroke_width(ctx.theme.stroke(WIDTH)),
    ))?;
    crate::fan::dashed(
        &mut chart,
        &ctx.theme,
        points(curve, time),
        SIMULATED,
        WIDTH,
    )?;
    if top == 0.0 {
        axis::empty_message(
            &chart,
            &ctx.theme,
            "The tenant cannot default (annual_pd = 0)",
        )?;
    }
    Ok(())
}

/// `1 - (1 - pd)^((t + 1) / 12)`: the probability of a default by the end of month `t`
/// from the annual PD alone (no wrong-way risk).
fn closed_form(pd: f64, months: usize) -> Vec<f64> {
    (0..months)
        .map(|t| 1.0 - (1.0 - pd).powf((t + 1) as f64 / 12.0))
        .collect()
}

/// The curve as points at the end of each month, from 0 at the start.
fn points(curve: &[f64], time: TimeScale) -> Vec<(f64, f64)> {
    std::iter::once((0.0, 0.0))
        .chain(curve.iter().enumerate().map(|(t, &p)| (time.x(t + 1), p)))
        .filter(|(_, p)| p.is_finite())
        .collect()
}

fn curve_legend(ctx: &Ctx, curve: &[f64], reference: &[f64], time: TimeScale) -> Legend {
    let line = |color, dashed| Swatch::Line {
        color,
        width: WIDTH,
        dashed,
    };
    let pd = ctx.results.parties.tenant_annual_pd;
    let mut legend = Legend::new()
        .heading("Default by each month")
        .item(line(SIMULATED, true), "Simulated (with wrong-way risk)");
    // A two-level run whose outer samples differ in the PD has no one reference curve.
    if pd.is_finite() {
        legend = legend
            .item(line(CLOSED_FORM, false), "From the annual PD alone")
            .note(format!("1 - (1 - {})^years", format_percent(pd)));
    }
    let horizon = curve.len();
    if let Some(&sim) = curve.last() {
        legend = legend
            .gap()
            .heading(format!("By the horizon ({})", time.describe(horizon)))
            .note(format!("simulated {}", format_percent(sim)));
        if let Some(&pd_only) = reference.last().filter(|p| p.is_finite()) {
            legend = legend.note(format!("annual PD alone {}", format_percent(pd_only)));
        }
    }
    // Milestones an investment committee asks for: by year 1, 5 and 10.
    let milestones: Vec<String> = [12, 60, 120]
        .iter()
        .filter(|&&m| m < horizon)
        .map(|&m| format!("by year {}: {}", m / 12, format_percent(curve[m - 1])))
        .collect();
    if !milestones.is_empty() {
        legend = legend.gap().heading("Simulated, by year");
        for m in milestones {
            legend = legend.note(m);
        }
    }
    legend
}
