//! The contract terms of docs/MODEL.md section 8, for runs that have them: how much of the
//! program gets signed (the share of paths by signed capacity), and what the guarantor's
//! own default does to the guarantee (its loss as owed and as paid).

use dcrisk_core::Metric;
use plotters::prelude::*;

use super::Ctx;
use crate::axis::{self, Area, Axis, Grid, Linear, PlotOpts, TIME_TICKS};
use crate::data;
use crate::error::DrawResult;
use crate::fan;
use crate::format::{format_money, format_number, format_percent};
use crate::legend::{Legend, Swatch};
use crate::palette;

const SIGNED: RGBColor = palette::BLUE;
const OWED: RGBColor = palette::SKY_BLUE;
const PAID: RGBColor = palette::VERMILLION;
/// The whole program's capacity, dashed.
const FULL: RGBColor = palette::BLACK;
/// Most bars of the signed-capacity panel.
const MAX_BARS: usize = 24;

/// Whether a run has contract terms worth a chart: signing that differs between paths,
/// or a guarantor that can fail.
pub(crate) fn applies(ctx: &Ctx) -> bool {
    let signed = ctx.stat(Metric::SignedCapacityMw);
    let varies = signed.min.is_finite() && signed.max.is_finite() && signed.min < signed.max;
    varies || ctx.probabilities.guarantee_fails > 0.0
}

/// `contracts.png`.
pub(crate) fn contracts(ctx: &Ctx, root: &Area) -> DrawResult {
    let legend = contracts_legend(ctx);
    let title = ctx.title("Contracts as signed: what is signed, what the guarantee pays");
    let subtitle = ctx.subtitle("guarantee in PV · capacity in MW of IT");
    let body = ctx.page(root, &title, &subtitle, &legend)?;
    let (w, h) = body.dim_in_pixel();
    let (top, bottom) = body.split_vertically((f64::from(h) * 0.56) as i32);
    let (left, right) = top.split_horizontally(w / 2);
    signed_panel(ctx, &left)?;
    guarantee_panel(ctx, &right)?;
    capacity_panel(ctx, &bottom)
}

/// The available capacity's fan over the months, against the whole program's capacity:
/// preliminary leases not signed and tranches not yet online hold it below, renewals keep
/// it up after the original terms end.
fn capacity_panel(ctx: &Ctx, area: &Area) -> DrawResult {
    let capacity = ctx
        .series("capacity_mw")
        .map_or(&[][..], |s| s.months.as_slice());
    let full = ctx.stat(Metric::SignedCapacityMw).max;
    let (lo, hi) = fan::bounds(capacity).unwrap_or((0.0, 1.0));
    let (lo, hi) = data::padded_range(lo.min(0.0), hi.max(full), 0.05);
    let (x, time) = ctx.time_axis(TIME_TICKS);
    let y = Axis::number(lo, hi, "Available MW");
    let opts = PlotOpts::new().title("Capacity in lease: P5-P95, P25-P75, median");
    let mut chart = axis::build::<Linear, Linear>(area, &ctx.theme, &x, &y, opts)?;
    if capacity.is_empty() {
        return axis::empty_message(&chart, &ctx.theme, "No capacity series in this run");
    }
    fan::draw_all(&mut chart, &ctx.theme, &[(capacity, SIGNED)], time, false)?;
    if full.is_finite() {
        let line = [
            (0.0, full),
            (time.x(capacity.len().saturating_sub(1)), full),
        ];
        fan::dashed(&mut chart, &ctx.theme, line.to_vec(), FULL, 2.0)?;
    }
    Ok(())
}

/// The bins of the signed capacity: a round width (MW) giving at most [`MAX_BARS`] bars,
/// the first bin's start, and each bin's share of paths.
fn signed_bins(values: &[f64]) -> (f64, f64, Vec<f64>) {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let (lo, hi) = data::finite_min_max(finite.iter().copied()).unwrap_or((0.0, 0.0));
    let span = (hi - lo).max(1.0);
    let width = [
        1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0,
    ]
    .into_iter()
    .find(|w| span / w < MAX_BARS as f64)
    .unwrap_or(span / MAX_BARS as f64);
    let start = (lo / width).floor() * width;
    let bins = ((hi - start) / width).floor() as usize + 1;
    let mut shares = vec![0.0; bins];
    let n = finite.len().max(1) as f64;
    for v in &finite {
        shares[(((v - start) / width) as usize).min(bins - 1)] += 1.0 / n;
    }
    (width, start, shares)
}

fn signed_panel(ctx: &Ctx, area: &Area) -> DrawResult {
    let (width, start, shares) = signed_bins(ctx.values(Metric::SignedCapacityMw));
    let end = start + width * shares.len() as f64;
    let desc = format!(
        "Signed capacity, MW of IT (bars of {} MW)",
        format_number(width, 0)
    );
    let x = Axis::number(start, end, &desc);
    let top = shares.iter().copied().fold(0.0, f64::max);
    let (_, y_hi) = data::padded_range(0.0, top * 1.12, 0.0);
    let y = Axis::percent(0.0, y_hi.max(0.01), "Share of paths (%)");
    let opts = PlotOpts::new()
        .title("How much of the program is signed?")
        .grid(Grid::HORIZONTAL);
    let mut chart = axis::build::<Linear, Linear>(area, &ctx.theme, &x, &y, opts)?;
    let gap = 0.1 * width;
    chart.draw_series(shares.iter().enumerate().map(|(k, &s)| {
        let x0 = start + k as f64 * width;
        Rectangle::new([(x0 + gap, 0.0), (x0 + width - gap, s)], SIGNED.filled())
    }))?;
    Ok(())
}

/// Mean, P95 and P99 of the payout the guarantee owed and of what it paid.
fn guarantee_panel(ctx: &Ctx, area: &Area) -> DrawResult {
    let owed = ctx.stat(Metric::OwedPayoutPv);
    let paid = ctx.stat(Metric::GuarantorPayoutPv);
    let groups = [
        ("Expected loss", owed.mean, paid.mean),
        ("P95", owed.quantiles[7], paid.quantiles[7]),
        ("P99", owed.quantiles[8], paid.quantiles[8]),
    ];
    let names = groups.iter().map(|g| g.0.to_string()).collect();
    let x = Axis::categories(names, "Statistic of the guarantor's payout");
    let top = groups.iter().map(|g| g.1.max(g.2)).fold(0.0, f64::max);
    let (_, y_hi) = data::padded_range(0.0, top.max(1.0) * 1.08, 0.0);
    let y = Axis::money(0.0, y_hi, "Payout, present value (US$)");
    let opts = PlotOpts::new()
        .title("The guarantee, owed and paid")
        .grid(Grid::HORIZONTAL);
    let mut chart = axis::build::<Linear, Linear>(area, &ctx.theme, &x, &y, opts)?;
    let w = 0.34;
    chart.draw_series(groups.iter().enumerate().map(|(k, g)| {
        let k = k as f64;
        Rectangle::new([(k - w, 0.0), (k, g.1)], OWED.filled())
    }))?;
    chart.draw_series(groups.iter().enumerate().map(|(k, g)| {
        let k = k as f64;
        Rectangle::new([(k, 0.0), (k + w, g.2)], PAID.filled())
    }))?;
    Ok(())
}

fn contracts_legend(ctx: &Ctx) -> Legend {
    let signed = ctx.stat(Metric::SignedCapacityMw);
    let owed = ctx.mean(Metric::OwedPayoutPv);
    let paid = ctx.mean(Metric::GuarantorPayoutPv);
    Legend::new()
        .heading("Signing (top left)")
        .item(Swatch::Block { color: SIGNED }, "Share of paths")
        .note(format!(
            "Mean signed: {} MW of {} MW",
            format_number(signed.mean, 0),
            format_number(signed.max, 0)
        ))
        .note(format!(
            "Break fees, mean PV: {}",
            format_money(ctx.mean(Metric::BreakFeesPv))
        ))
        .gap()
        .heading("Guarantee (top right)")
        .item(
            Swatch::Block { color: OWED },
            "Owed (guarantor never fails)",
        )
        .item(Swatch::Block { color: PAID }, "Paid (guarantor can fail)")
        .note(format!(
            "Guarantor failed first: {} of paths",
            format_percent(ctx.probabilities.guarantee_fails)
        ))
        .note(format!("Left to landlords: {}", format_money(owed - paid)))
        .note(format!(
            "Fair fee: {} bps a year",
            format_number(ctx.results.fair_fee_bps(), 1)
        ))
        .gap()
        .heading("Capacity (bottom)")
        .item(
            Swatch::Line {
                color: SIGNED,
                width: 3.0,
                dashed: false,
            },
            "Median available; bands P25-P75, P5-P95",
        )
        .item(
            Swatch::Line {
                color: FULL,
                width: 2.0,
                dashed: true,
            },
            "Whole program, all signed",
        )
}
