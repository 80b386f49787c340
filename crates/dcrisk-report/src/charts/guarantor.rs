//! The guarantor's exposure profile: expected exposure and potential future exposure by
//! month, with the expected loss and the tenant's default probability alongside.

use dcrisk_core::{Metric, MonthStats};
use plotters::prelude::*;

use super::Ctx;
use crate::axis::{self, Area, Axis, Linear, PlotOpts, TIME_TICKS, TimeScale};
use crate::data;
use crate::error::DrawResult;
use crate::fan;
use crate::format::{format_money, format_percent};
use crate::legend::{Legend, Swatch};
use crate::palette;

const EE: RGBColor = palette::BLUE;
const PFE95: RGBColor = palette::ORANGE;
const PFE99: RGBColor = palette::VERMILLION;
const WIDTH: f64 = 3.0;
const EE_FILL: f64 = 0.15;

/// `guarantor_exposure.png`.
pub(crate) fn exposure(ctx: &Ctx, root: &Area) -> DrawResult {
    let months = ctx
        .series("guarantor_exposure")
        .map_or(&[][..], |s| &s.months[..]);
    let (x, time) = ctx.time_axis(TIME_TICKS);
    let legend = exposure_legend(ctx, months, time);
    let title = ctx.title("Guarantor exposure profile");
    let subtitle = ctx.subtitle(
        "what the guarantor would pay if the tenant defaulted that month, month-t dollars",
    );
    let body = ctx.page(root, &title, &subtitle, &legend)?;
    let all = months
        .iter()
        .flat_map(|m| [m.mean, m.p95, m.p99])
        .chain([0.0]);
    let (lo, hi) = data::finite_min_max(all).unwrap_or((0.0, 0.0));
    let (lo, hi) = data::padded_range(lo, hi, 0.05);
    let y = Axis::money(lo, hi, "Exposure (US$)");
    let mut chart = axis::build::<Linear, Linear>(&body, &ctx.theme, &x, &y, PlotOpts::new())?;
    if months.is_empty() {
        return axis::empty_message(&chart, &ctx.theme, "No exposure series in this run");
    }
    fan::band(&mut chart, months, time, |m| (0.0, m.mean), EE.mix(EE_FILL))?;
    let line = |stat: fn(&MonthStats) -> f64| fan::points(months, time, stat);
    chart.draw_series(LineSeries::new(
        line(|m| m.mean),
        EE.stroke_width(ctx.theme.stroke(WIDTH)),
    ))?;
    fan::dashed(&mut chart, &ctx.theme, line(|m| m.p95), PFE95, WIDTH)?;
    fan::dashed(&mut chart, &ctx.theme, line(|m| m.p99), PFE99, WIDTH)?;
    if months.iter().all(|m| m.p99 == 0.0 && m.mean == 0.0) {
        axis::empty_message(
            &chart,
            &ctx.theme,
            "Exposure is zero in every month (no guarantee or a cap of 0)",
        )?;
    }
    Ok(())
}

/// The month with the largest value of `stat`, and that value.
fn peak(months: &[MonthStats], stat: fn(&MonthStats) -> f64) -> Option<(usize, f64)> {
    months
        .iter()
        .map(stat)
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .fold(None, |best, (t, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((t, v)),
        })
}

fn exposure_legend(ctx: &Ctx, months: &[MonthStats], time: TimeScale) -> Legend {
    let line = |color, dashed| Swatch::Line {
        color,
        width: WIDTH,
        dashed,
    };
    let mut legend = Legend::new()
        .heading("Exposure by month")
        .item(line(EE, false), "Expected exposure (mean)")
        .item(line(PFE95, true), "PFE 95% (P95)")
        .item(line(PFE99, true), "PFE 99% (P99)")
        .gap()
        .heading(format!(
            "Expected loss {}",
            format_money(ctx.mean(Metric::GuarantorPayoutPv))
        ))
        .note("mean guarantor payout, PV at month 0")
        .heading(format!(
            "Tenant default probability {}",
            format_percent(ctx.probabilities.tenant_default)
        ))
        .note("share of paths where the tenant defaults");
    let at = |t: usize| time.describe(t);
    if let Some((t, v)) = peak(months, |m| m.mean).filter(|p| p.1 > 0.0) {
        legend = legend.gap().note(format!(
            "Peak expected exposure {} ({})",
            format_money(v),
            at(t)
        ));
    }
    if let Some((t, v)) = peak(months, |m| m.p99).filter(|p| p.1 > 0.0) {
        legend = legend.note(format!("Peak PFE 99% {} ({})", format_money(v), at(t)));
    }
    legend
}
