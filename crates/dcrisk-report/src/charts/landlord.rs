//! Landlord defaults (how many per path) and the landlords' loss exceedance curve (rent
//! left unpaid after a tenant default, net of the guarantee).

use dcrisk_core::Metric;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Ctx;
use crate::axis::{self, Area, Axis, Grid, Linear, Log, Plot, PlotOpts};
use crate::data;
use crate::error::DrawResult;
use crate::format::{format_money, format_number, format_percent};
use crate::legend::text_width;
use crate::legend::{Legend, Swatch};
use crate::palette;

const BARS: RGBColor = palette::BLUE;
const CURVE: RGBColor = palette::VERMILLION;
const CURVE_WIDTH: f64 = 3.0;
/// Most steps drawn on the exceedance curve.
const CURVE_POINTS: usize = 300;

/// `landlord_defaults.png`.
pub(crate) fn defaults(ctx: &Ctx, root: &Area) -> DrawResult {
    let shares = count_shares(ctx.values(Metric::LandlordDefaults));
    let shortfall = ctx.sorted(Metric::LandlordShortfallPv);
    let legend = landlord_legend(ctx, shortfall);
    // Two unrelated questions, each with its own panel title; the page title is neutral.
    let title = ctx.title("Landlord risk: two separate questions");
    let subtitle = ctx.subtitle(
        "left: the landlords' own defaults · right: rent unpaid after the tenant's default, net of the guarantee, PV",
    );
    let body = ctx.page(root, &title, &subtitle, &legend)?;
    let (w, _) = body.dim_in_pixel();
    let (left, right) = body.split_horizontally(w / 2);
    counts_panel(ctx, &left, &shares)?;
    exceedance_panel(ctx, &right, shortfall)
}

/// Share of paths with 0, 1, 2... landlord defaults (at least 0 and 1, so a run with
/// no default still shows an empty bar at 1).
fn count_shares(values: &[f64]) -> Vec<f64> {
    let counts: Vec<usize> = values
        .iter()
        .filter(|v| v.is_finite())
        .map(|v| v.round().max(0.0) as usize)
        .collect();
    let max = counts.iter().copied().max().unwrap_or(0).clamp(1, 1000);
    let mut shares = vec![0.0; max + 1];
    for c in &counts {
        shares[(*c).min(max)] += 1.0;
    }
    let n = counts.len().max(1) as f64;
    shares.iter_mut().for_each(|s| *s /= n);
    shares
}

fn counts_panel(ctx: &Ctx, area: &Area, shares: &[f64]) -> DrawResult {
    let names = (0..shares.len()).map(|k| k.to_string()).collect();
    let x = Axis::categories(names, "Landlord defaults in the horizon, per path");
    let top = shares.iter().copied().fold(0.0, f64::max);
    let (_, y_hi) = data::padded_range(0.0, top * 1.12, 0.0);
    let y = Axis::percent(0.0, y_hi, "Share of paths (%)");
    let opts = PlotOpts::new()
        .title("How many landlords default?")
        .grid(Grid::HORIZONTAL);
    let mut chart = axis::build::<Linear, Linear>(area, &ctx.theme, &x, &y, opts)?;
    let half = 0.36;
    chart.draw_series(shares.iter().enumerate().map(|(k, &s)| {
        let k = k as f64;
        Rectangle::new([(k - half, 0.0), (k + half, s)], BARS.filled())
    }))?;
    bar_labels(&chart, ctx, shares)
}

/// Writes each bar's share above it, when every label fits within its bar's slot (with
/// many bars the y axis has to do).
fn bar_labels(chart: &Plot<'_, '_, Linear, Linear>, ctx: &Ctx, shares: &[f64]) -> DrawResult {
    let screen = axis::screen(chart);
    let style = ctx
        .theme
        .bar_label()
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    let slot = chart.backend_coord(&(1.0, 0.0)).0 - chart.backend_coord(&(0.0, 0.0)).0;
    let labels: Vec<String> = shares.iter().map(|s| format_percent(*s)).collect();
    for label in &labels {
        if text_width(&screen, &style, label)? > slot - ctx.theme.px(6.0) {
            return Ok(());
        }
    }
    for (k, (label, &s)) in labels.into_iter().zip(shares).enumerate() {
        let (px, py) = chart.backend_coord(&(k as f64, s));
        screen.draw(&Text::new(
            label,
            (px, py - ctx.theme.px(6.0)),
            style.clone(),
        ))?;
    }
    Ok(())
}

fn exceedance_panel(ctx: &Ctx, area: &Area, sorted: &[f64]) -> DrawResult {
    let n = sorted.len().max(1) as f64;
    // One decade below the smallest non-zero probability, 1/n.
    let floor = 10f64.powf((1.0 / n).log10().floor()).min(0.1);
    let max = sorted.last().copied().unwrap_or(0.0).max(0.0);
    let (_, x_hi) = data::padded_range(0.0, max, 0.03);
    let x = Axis::money(0.0, x_hi, "Shortfall x, present value (US$)");
    let y = Axis::log_percent(floor, 1.0, "Share of paths with shortfall > x (log)");
    let opts = PlotOpts::new().title("Rent lost to tenant default");
    let mut chart = axis::build::<Linear, Log>(area, &ctx.theme, &x, &y, opts)?;
    let points = data::exceedance_points(sorted, CURVE_POINTS);
    if points.is_empty() {
        return axis::empty_message(&chart, &ctx.theme, "No path has a shortfall");
    }
    let curve = points.into_iter().map(|(x, p)| (x, p.max(floor)));
    let style = CURVE.stroke_width(ctx.theme.stroke(CURVE_WIDTH));
    chart.draw_series(LineSeries::new(curve, style))?;
    Ok(())
}

fn landlord_legend(ctx: &Ctx, shortfall: &[f64]) -> Legend {
    let mean_defaults = ctx.mean(Metric::LandlordDefaults);
    let s = ctx.stat(Metric::LandlordShortfallPv);
    let positive = shortfall.iter().filter(|v| **v > 0.0).count();
    let n = shortfall.len().max(1) as f64;
    let conditional = if positive > 0 {
        format_money(shortfall.iter().filter(|v| **v > 0.0).sum::<f64>() / positive as f64)
    } else {
        "none".to_string()
    };
    Legend::new()
        .heading("Landlords' own defaults (left)")
        .item(Swatch::Block { color: BARS }, "Share of paths")
        .note(format!(
            "At least one default: {}",
            format_percent(ctx.probabilities.any_landlord_default)
        ))
        .note(format!(
            "Mean defaults per path: {}",
            format_number(mean_defaults, 2)
        ))
        .gap()
        .heading("Rent shortfall (right)")
        .item(
            Swatch::Line {
                color: CURVE,
                width: CURVE_WIDTH,
                dashed: false,
            },
            "P(shortfall > x)",
        )
        .note(format!(
            "Any shortfall: {} of paths",
            format_percent(positive as f64 / n)
        ))
        .note(format!("Mean (all paths): {}", format_money(s.mean)))
        .note(format!("Mean when > 0: {conditional}"))
        .note(format!("P99: {}", format_money(s.quantiles[8])))
}
