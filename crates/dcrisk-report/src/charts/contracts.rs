//! The contract terms of docs/MODEL.md section 8, for runs that have them: how much of the
//! program gets signed (the share of paths by signed capacity), and what the guarantor's
//! own default does to the guarantee (its loss as owed and as paid).

use dcrisk_core::Metric;
use plotters::prelude::*;

use super::Ctx;
use crate::axis::{self, Area, Axis, Grid, Linear, PlotOpts};
use crate::data;
use crate::error::DrawResult;
use crate::format::{format_money, format_number, format_percent};
use crate::legend::{Legend, Swatch};
use crate::palette;

const SIGNED: RGBColor = palette::BLUE;
const OWED: RGBColor = palette::SKY_BLUE;
const PAID: RGBColor = palette::VERMILLION;
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
    let subtitle = ctx.subtitle(
        "left: leases signed per path · right: the guarantor's loss as owed and as paid, PV",
    );
    let body = ctx.page(root, &title, &subtitle, &legend)?;
    let (w, _) = body.dim_in_pixel();
    let (left, right) = body.split_horizontally(w / 2);
    signed_panel(ctx, &left)?;
    guarantee_panel(ctx, &right)
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
        .heading("Signing (left)")
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
        .heading("Guarantee (right)")
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
}
