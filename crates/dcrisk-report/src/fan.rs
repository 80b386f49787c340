//! Fan charts of per-month series: a P5-P95 band, a P25-P75 band, the median line and
//! (optionally) the mean as a dashed line. Shared by the cost, power, demand and
//! (later) scenario-comparison charts so every fan reads the same way.

use dcrisk_core::MonthStats;
use plotters::prelude::*;

use crate::axis::{Linear, Plot, TimeScale};
use crate::data;
use crate::error::DrawResult;
use crate::legend::{Legend, Swatch};
use crate::palette::{INNER_BAND, OUTER_BAND};
use crate::theme::{DASH, DOT, Theme};

/// Line widths at the reference size.
pub(crate) const MEDIAN_WIDTH: f64 = 3.0;
pub(crate) const MEAN_WIDTH: f64 = 2.0;

/// Lowest P5 and highest P95 (and mean) over the months, if any are finite.
pub(crate) fn bounds(months: &[MonthStats]) -> Option<(f64, f64)> {
    data::finite_min_max(months.iter().flat_map(|m| [m.p05, m.p95, m.mean, m.p50]))
}

/// Draws fans for several series: every band first, then every line, so no band
/// veils another series' median.
pub(crate) fn draw_all(
    chart: &mut Plot<'_, '_, Linear, Linear>,
    theme: &Theme,
    fans: &[(&[MonthStats], RGBColor)],
    time: TimeScale,
    mean: bool,
) -> DrawResult {
    for &(months, color) in fans {
        band(
            chart,
            months,
            time,
            |m| (m.p05, m.p95),
            color.mix(OUTER_BAND),
        )?;
    }
    for &(months, color) in fans {
        band(
            chart,
            months,
            time,
            |m| (m.p25, m.p75),
            color.mix(INNER_BAND),
        )?;
    }
    for &(months, color) in fans {
        let median = points(months, time, |m| m.p50);
        chart.draw_series(LineSeries::new(
            median,
            color.stroke_width(theme.stroke(MEDIAN_WIDTH)),
        ))?;
        if mean {
            dashed(
                chart,
                theme,
                points(months, time, |m| m.mean),
                color,
                MEAN_WIDTH,
            )?;
        }
    }
    Ok(())
}

/// `(x, value)` points of one statistic over the months.
pub(crate) fn points(
    months: &[MonthStats],
    time: TimeScale,
    stat: impl Fn(&MonthStats) -> f64,
) -> Vec<(f64, f64)> {
    months
        .iter()
        .enumerate()
        .map(|(t, m)| (time.x(t), stat(m)))
        .filter(|(_, v)| v.is_finite())
        .collect()
}

/// A filled band between two statistics (lower, upper) of each month.
pub(crate) fn band(
    chart: &mut Plot<'_, '_, Linear, Linear>,
    months: &[MonthStats],
    time: TimeScale,
    range: impl Fn(&MonthStats) -> (f64, f64),
    fill: RGBAColor,
) -> DrawResult {
    let lower = points(months, time, |m| range(m).0);
    let upper = points(months, time, |m| range(m).1);
    if lower.len() < 2 || lower.len() != upper.len() {
        return Ok(());
    }
    let outline: Vec<(f64, f64)> = upper.into_iter().chain(lower.into_iter().rev()).collect();
    chart.draw_series(std::iter::once(Polygon::new(outline, fill.filled())))?;
    Ok(())
}

/// A dashed line through `pts`, dashes scaled to the image.
pub(crate) fn dashed(
    chart: &mut Plot<'_, '_, Linear, Linear>,
    theme: &Theme,
    pts: Vec<(f64, f64)>,
    color: RGBColor,
    width: f64,
) -> DrawResult {
    patterned(chart, theme, pts, color, width, DASH)
}

/// A dotted line through `pts` (distinct from the dashed mean), dots scaled to the image.
pub(crate) fn dotted(
    chart: &mut Plot<'_, '_, Linear, Linear>,
    theme: &Theme,
    pts: Vec<(f64, f64)>,
    color: RGBColor,
    width: f64,
) -> DrawResult {
    patterned(chart, theme, pts, color, width, DOT)
}

fn patterned(
    chart: &mut Plot<'_, '_, Linear, Linear>,
    theme: &Theme,
    pts: Vec<(f64, f64)>,
    color: RGBColor,
    width: f64,
    (dash, gap): (f64, f64),
) -> DrawResult {
    chart.draw_series(DashedLineSeries::new(
        pts,
        theme.px(dash),
        theme.px(gap),
        color.stroke_width(theme.stroke(width)),
    ))?;
    Ok(())
}

/// Legend entries for a fan named `name`.
pub(crate) fn legend(name: &str, color: RGBColor, mean: bool) -> Legend {
    let legend = Legend::new()
        .heading(name)
        .item(
            Swatch::Line {
                color,
                width: MEDIAN_WIDTH,
                dashed: false,
            },
            "Median",
        )
        .item(
            Swatch::Band {
                color,
                alpha: INNER_BAND,
            },
            "P25–P75 (half of paths)",
        )
        .item(
            Swatch::Band {
                color,
                alpha: OUTER_BAND,
            },
            "P5–P95 (90% of paths)",
        );
    if mean {
        legend.item(
            Swatch::Line {
                color,
                width: MEAN_WIDTH,
                dashed: true,
            },
            "Mean",
        )
    } else {
        legend
    }
}
