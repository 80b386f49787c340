//! Axes: their range, tick positions (computed here, not by plotters, so we know the
//! tick step and can give every label of an axis the same unit and decimals) and the
//! label format. Also builds a plotters chart from two axes, sizing the label areas from
//! the actual labels so long tick labels are never clipped.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{BindKeyPoints, Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::data::{self, DECIMAL, MONTHLY, Ticks};
use crate::error::DrawResult;
use crate::format::{MoneyTicks, decimals_for_step, format_number, format_percent, month_name};
use crate::palette;
use crate::theme::Theme;

/// A drawing area in pixel coordinates.
pub(crate) type Area<'b> = DrawingArea<BitMapBackend<'b>, Shift>;
/// A linear axis with our own ticks.
pub(crate) type Linear = plotters::coord::ranged1d::WithKeyPoints<RangedCoordf64>;
/// A logarithmic axis with our own ticks.
pub(crate) type Log =
    plotters::coord::ranged1d::WithKeyPoints<plotters::coord::ranged1d::LogCoord<f64>>;
/// A chart on an area, with axes of coordinate types `X` and `Y`.
pub(crate) type Plot<'a, 'b, X, Y> = ChartContext<'a, BitMapBackend<'b>, Cartesian2d<X, Y>>;

/// How an axis writes its tick labels.
#[derive(Clone, Debug)]
pub(crate) enum Format {
    Money(MoneyTicks),
    /// Shares in [0, 1], written as percentages.
    Percent { decimals: usize },
    /// Plain numbers with thousands separators.
    Number { decimals: usize },
    /// Shares on a log axis: each tick with the decimals it needs.
    LogPercent,
    /// Years since start, as whole or fractional years.
    Years { decimals: usize },
    /// Category names at integer positions 0, 1, 2...
    Categories(Vec<String>),
}

/// One axis: range, ticks, label format and description (with units).
#[derive(Clone, Debug)]
pub(crate) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub format: Format,
    pub desc: String,
}

/// About this many ticks on an axis at the reference size.
const TICKS: usize = 8;

impl Axis {
    fn linear(lo: f64, hi: f64, desc: &str, make: impl FnOnce(&Ticks) -> Format) -> Axis {
        let ticks = data::nice_ticks(lo, hi, TICKS, &DECIMAL);
        Axis {
            lo,
            hi,
            format: make(&ticks),
            ticks: ticks.values,
            desc: desc.to_string(),
        }
    }

    /// A money axis over `[lo, hi]`.
    pub(crate) fn money(lo: f64, hi: f64, desc: &str) -> Axis {
        Axis::linear(lo, hi, desc, |t| {
            Format::Money(MoneyTicks::new(lo.abs().max(hi.abs()), t.step))
        })
    }

    /// A share axis over `[lo, hi]` (fractions, labelled as percentages).
    pub(crate) fn percent(lo: f64, hi: f64, desc: &str) -> Axis {
        Axis::linear(lo, hi, desc, |t| Format::Percent {
            decimals: decimals_for_step(t.step * 100.0),
        })
    }

    /// A plain number axis over `[lo, hi]`.
    pub(crate) fn number(lo: f64, hi: f64, desc: &str) -> Axis {
        Axis::linear(lo, hi, desc, |t| Format::Number {
            decimals: decimals_for_step(t.step),
        })
    }

    /// A log axis of shares over `[lo, hi]` (both > 0).
    pub(crate) fn log_percent(lo: f64, hi: f64, desc: &str) -> Axis {
        Axis {
            lo,
            hi,
            ticks: data::log_ticks(lo, hi),
            format: Format::LogPercent,
            desc: desc.to_string(),
        }
    }

    /// A log axis of counts over `[lo, hi]` (both >= 1).
    pub(crate) fn log_count(lo: f64, hi: f64, desc: &str) -> Axis {
        Axis {
            lo,
            hi,
            ticks: data::log_ticks(lo, hi),
            format: Format::Number { decimals: 0 },
            desc: desc.to_string(),
        }
    }

    /// Named categories at 0, 1, 2..., with half a slot of room on each side.
    pub(crate) fn categories(names: Vec<String>, desc: &str) -> Axis {
        let n = names.len().max(1) as f64;
        Axis {
            lo: -0.5,
            hi: n - 0.5,
            ticks: (0..names.len()).map(|i| i as f64).collect(),
            format: Format::Categories(names),
            desc: desc.to_string(),
        }
    }

    /// The tick label at `v`.
    pub(crate) fn label(&self, v: f64) -> String {
        match &self.format {
            Format::Money(m) => m.format(v),
            Format::Percent { decimals } => format!("{:.*}%", decimals, v * 100.0),
            Format::Number { decimals } => format_number(v, *decimals),
            Format::LogPercent => format_percent(v),
            Format::Years { decimals } => format!("{v:.decimals$}"),
            Format::Categories(names) => {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 {
                    names.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            }
        }
    }

    /// The widest tick label, for sizing the label area.
    fn widest_label(&self, area: &Area, style: &TextStyle) -> DrawResult<(u32, u32)> {
        let mut widest = area.estimate_text_size("0", style)?;
        for t in &self.ticks {
            let size = area.estimate_text_size(&self.label(*t), style)?;
            if size.0 > widest.0 {
                widest = size;
            }
        }
        Ok(widest)
    }
}

/// Maps month indices to the time axis: years since start for long horizons (ticks on
/// whole years), months since start for short ones.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimeScale {
    months_per_unit: f64,
}

impl TimeScale {
    /// The x coordinate of month `t`.
    pub(crate) fn x(&self, t: usize) -> f64 {
        t as f64 / self.months_per_unit
    }
}

/// The time axis for `horizon` months starting in calendar month `start_month`.
pub(crate) fn time_axis(horizon: usize, start_month: u32) -> (Axis, TimeScale) {
    let start = month_name(start_month)
        .map(|m| format!(" (month 0 = {m})"))
        .unwrap_or_default();
    let horizon = horizon.max(1) as f64;
    let (per_unit, mantissas, unit): (f64, &[f64], &str) = if horizon >= 24.0 {
        (12.0, &DECIMAL, "Years")
    } else {
        (1.0, &MONTHLY, "Months")
    };
    let hi = (horizon / per_unit).max(1.0 / per_unit);
    let ticks = data::nice_ticks(0.0, hi, TICKS + 2, mantissas);
    let axis = Axis {
        lo: 0.0,
        hi,
        format: Format::Years {
            decimals: decimals_for_step(ticks.step),
        },
        ticks: ticks.values,
        desc: format!("{unit} since start{start}"),
    };
    (
        axis,
        TimeScale {
            months_per_unit: per_unit,
        },
    )
}

/// Builds a plotters coordinate from an [`Axis`].
pub(crate) trait AxisCoord: Ranged<ValueType = f64> + Sized {
    fn from_axis(axis: &Axis) -> Self;
}

impl AxisCoord for Linear {
    fn from_axis(axis: &Axis) -> Self {
        (axis.lo..axis.hi).with_key_points(axis.ticks.clone())
    }
}

impl AxisCoord for Log {
    fn from_axis(axis: &Axis) -> Self {
        let lo = axis.lo.max(f64::MIN_POSITIVE);
        let hi = axis.hi.max(lo * 10.0);
        (lo..hi).log_scale().with_key_points(axis.ticks.clone())
    }
}

/// Which grid lines a chart draws.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Grid {
    pub vertical: bool,
    pub horizontal: bool,
}

impl Grid {
    pub(crate) const BOTH: Grid = Grid {
        vertical: true,
        horizontal: true,
    };
    pub(crate) const HORIZONTAL: Grid = Grid {
        vertical: false,
        horizontal: true,
    };
}

/// A chart on `area` with axes `x` and `y`, its label areas sized to fit the labels,
/// an optional panel title, and its grid and axes drawn.
pub(crate) fn build<'a, 'b, X, Y>(
    area: &'a Area<'b>,
    theme: &Theme,
    x: &Axis,
    y: &Axis,
    title: Option<&str>,
    grid: Grid,
) -> DrawResult<Plot<'a, 'b, X, Y>>
where
    X: AxisCoord + ValueFormatter<f64>,
    Y: AxisCoord + ValueFormatter<f64>,
{
    let tick_style = theme.tick();
    let (x_label_w, x_label_h) = x.widest_label(area, &tick_style)?;
    let (y_label_w, _) = y.widest_label(area, &tick_style)?;
    let desc_h = area.estimate_text_size("Mg", &theme.axis_desc())?.1;
    let mut builder = ChartBuilder::on(area);
    builder
        .margin_top(theme.px(16.0))
        .margin_right(theme.upx(12.0) + x_label_w / 2)
        .x_label_area_size(x_label_h + desc_h + theme.upx(34.0))
        .y_label_area_size(y_label_w + desc_h + theme.upx(34.0));
    if let Some(title) = title {
        builder.caption(title, theme.panel_title());
    }
    let mut chart = builder.build_cartesian_2d(X::from_axis(x), Y::from_axis(y))?;
    draw_mesh(&mut chart, theme, x, y, grid)?;
    Ok(chart)
}

fn draw_mesh<X, Y>(
    chart: &mut Plot<'_, '_, X, Y>,
    theme: &Theme,
    x: &Axis,
    y: &Axis,
    grid: Grid,
) -> DrawResult
where
    X: AxisCoord + ValueFormatter<f64>,
    Y: AxisCoord + ValueFormatter<f64>,
{
    let x_fmt = |v: &f64| x.label(*v);
    let y_fmt = |v: &f64| y.label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(x.desc.as_str())
        .y_desc(y.desc.as_str())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_labels(x.ticks.len().max(1))
        .y_labels(y.ticks.len().max(1))
        .label_style(theme.tick())
        .axis_desc_style(theme.axis_desc())
        .bold_line_style(palette::GRID.stroke_width(theme.stroke(1.0)))
        .light_line_style(TRANSPARENT)
        .axis_style(palette::MUTED.stroke_width(theme.stroke(1.5)))
        .set_all_tick_mark_size(theme.px(6.0));
    if !grid.vertical {
        mesh.disable_x_mesh();
    }
    if !grid.horizontal {
        mesh.disable_y_mesh();
    }
    mesh.draw()?;
    Ok(())
}

/// The plot's pixel rectangle, for placing annotations.
pub(crate) fn plot_rect<X: Ranged, Y: Ranged>(
    chart: &Plot<'_, '_, X, Y>,
) -> (Range<i32>, Range<i32>) {
    chart.plotting_area().get_pixel_range()
}

/// The whole canvas in pixel coordinates, for text placed by pixel.
pub(crate) fn screen<'b, X: Ranged, Y: Ranged>(chart: &Plot<'_, 'b, X, Y>) -> Area<'b> {
    chart.plotting_area().use_screen_coord()
}

/// Writes `message` in the middle of an empty plot, so a chart with nothing to show
/// says why instead of looking broken.
pub(crate) fn empty_message<X: Ranged, Y: Ranged>(
    chart: &Plot<'_, '_, X, Y>,
    theme: &Theme,
    message: &str,
) -> DrawResult {
    let (xs, ys) = plot_rect(chart);
    let center = ((xs.start + xs.end) / 2, (ys.start + ys.end) / 2);
    screen(chart).draw(&Text::new(message, center, theme.empty_message()))?;
    Ok(())
}
