//! Where the money goes: the mean PV of each cost of the lease program stacked in one
//! bar, beside the all-cloud counterfactual; the gap between their tops is the mean
//! saving.

use dcrisk_core::Metric;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Ctx;
use crate::axis::{self, Area, Axis, Grid, Linear, Plot, PlotOpts};
use crate::data;
use crate::error::DrawResult;
use crate::format::{format_money, format_percent};
use crate::legend::{Legend, Swatch};
use crate::palette;

/// The program's cost components, bottom to top, with their colours.
const COMPONENTS: [(Metric, &str, RGBColor); 5] = [
    (Metric::RentPv, "Rent", palette::BLUE),
    (Metric::PowerCostPv, "Power", palette::BLUISH_GREEN),
    (Metric::OpexPv, "Opex", palette::SKY_BLUE),
    (Metric::HardwarePv, "Hardware", palette::REDDISH_PURPLE),
    (
        Metric::OverflowCostPv,
        "Overflow to cloud",
        palette::VERMILLION,
    ),
];
const CLOUD: RGBColor = palette::ORANGE;
const HALF_BAR: f64 = 0.3;

/// `cost_breakdown.png`.
pub(crate) fn cost_breakdown(ctx: &Ctx, root: &Area) -> DrawResult {
    let parts: Vec<(&str, f64, RGBColor)> = COMPONENTS
        .iter()
        .map(|&(m, name, color)| (name, ctx.mean(m), color))
        .collect();
    let program: f64 = parts.iter().map(|p| p.1).sum();
    let cloud = ctx.mean(Metric::CloudCostPv);
    let legend = breakdown_legend(&parts, program, cloud);
    let title = ctx.title("Cost breakdown: lease program vs all-cloud");
    let subtitle = ctx.subtitle("mean present value at month 0 over all paths");
    let body = ctx.page(root, &title, &subtitle, &legend)?;
    let names = vec!["Lease program".to_string(), "All-cloud".to_string()];
    let x = Axis::categories(names, "");
    let lows = parts.iter().map(|p| p.1.min(0.0)).sum::<f64>();
    let (lo, hi) = data::padded_range(lows.min(0.0), program.max(cloud), 0.0);
    let y = Axis::money(lo, hi * 1.08, "Mean present value (US$)");
    let opts = PlotOpts::new().grid(Grid::HORIZONTAL);
    let mut chart = axis::build::<Linear, Linear>(&body, &ctx.theme, &x, &y, opts)?;
    stack(&mut chart, ctx, &parts)?;
    let cloud_bar = Rectangle::new(
        [(1.0 - HALF_BAR, 0.0), (1.0 + HALF_BAR, cloud)],
        CLOUD.filled(),
    );
    chart.draw_series(std::iter::once(cloud_bar))?;
    total_label(&chart, ctx, 0.0, program)?;
    total_label(&chart, ctx, 1.0, cloud)
}

/// Stacks the components in one bar at x = 0, writing each segment's value inside it
/// when the segment is tall enough to hold the text.
fn stack(
    chart: &mut Plot<'_, '_, Linear, Linear>,
    ctx: &Ctx,
    parts: &[(&str, f64, RGBColor)],
) -> DrawResult {
    let mut base = 0.0;
    let screen = axis::screen(chart);
    let style = ctx
        .theme
        .annotation(WHITE)
        .pos(Pos::new(HPos::Center, VPos::Center));
    let min_height = ctx.theme.px(26.0);
    for &(name, value, color) in parts {
        let value = value.max(0.0);
        let rect = [(-HALF_BAR, base), (HALF_BAR, base + value)];
        chart.draw_series(std::iter::once(Rectangle::new(rect, color.filled())))?;
        let (px, top) = chart.backend_coord(&(0.0, base + value));
        let (_, bottom) = chart.backend_coord(&(0.0, base));
        if bottom - top >= min_height {
            let text = format!("{name} {}", format_money(value));
            screen.draw(&Text::new(text, (px, (top + bottom) / 2), style.clone()))?;
        }
        base += value;
    }
    Ok(())
}

/// The bar's total written above it.
fn total_label(chart: &Plot<'_, '_, Linear, Linear>, ctx: &Ctx, x: f64, total: f64) -> DrawResult {
    let (px, py) = chart.backend_coord(&(x, total.max(0.0)));
    let style = ctx
        .theme
        .legend_heading()
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    let at = (px, py - ctx.theme.px(8.0));
    axis::screen(chart).draw(&Text::new(format_money(total), at, style))?;
    Ok(())
}

fn breakdown_legend(parts: &[(&str, f64, RGBColor)], program: f64, cloud: f64) -> Legend {
    let share = |v: f64| {
        if program > 0.0 {
            format!(" ({})", format_percent(v / program))
        } else {
            String::new()
        }
    };
    let mut legend = Legend::new().heading(format!("Lease program {}", format_money(program)));
    for &(name, value, color) in parts.iter().rev() {
        let text = format!("{name} {}{}", format_money(value), share(value));
        legend = legend.item(Swatch::Block { color }, text);
    }
    legend
        .gap()
        .heading("Counterfactual")
        .item(
            Swatch::Block { color: CLOUD },
            format!("All-cloud {}", format_money(cloud)),
        )
        .gap()
        .heading(format!("Mean savings {}", format_money(cloud - program)))
        .note("all-cloud minus lease program")
}
