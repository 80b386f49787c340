//! Axes: their range, tick positions (computed here, not by plotters, so we know the
//! tick step and can give every label of an axis the same unit and decimals) and the
//! label format. Also builds a plotters chart from two axes, sizing the label areas from
//! the actual labels so long tick labels are never clipped.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::combinators::{IntoLogRange, LogCoord};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::data::{self, DECIMAL, MONTHLY, Ticks};
use crate::error::DrawResult;
use crate::format::{MoneyTicks, decimals_for_step, format_number, month_name};
use crate::palette;
use crate::theme::Theme;

/// A drawing area in pixel coordinates.
pub(crate) type Area<'b> = DrawingArea<BitMapBackend<'b>, Shift>;
/// A linear axis with our own ticks.
pub(crate) type Linear = Ticked<RangedCoordf64>;
/// A logarithmic axis with our own ticks.
pub(crate) type Log = Ticked<LogCoord<f64>>;
/// A chart on an area, with axes of coordinate types `X` and `Y`.
pub(crate) type Plot<'a, 'b, X, Y> = ChartContext<'a, BitMapBackend<'b>, Cartesian2d<X, Y>>;

/// How an axis writes its tick labels.
#[derive(Clone, Debug)]
pub(crate) enum Format {
    Money(MoneyTicks),
    /// Shares in [0, 1], written as percentages.
    Percent {
        decimals: usize,
    },
    /// Plain numbers with thousands separators.
    Number {
        decimals: usize,
    },
    /// Shares on a log axis: each tick with the decimals it needs.
    LogPercent,
    /// Years since start, as whole or fractional years.
    Years {
        decimals: usize,
    },
    /// Category names at integer positions 0, 1, 2...
    Categories(Vec<String>),
}

/// What a linear axis measures, so its ticks can be recomputed for another density.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Scale {
    Money,
    Percent,
    Number,
    /// Time in years (or in months when `monthly`).
    Time {
        monthly: bool,
    },
    /// Ticks fixed at construction (log and category axes).
    Fixed,
}

/// One axis: range, ticks, label format and description (with units).
#[derive(Clone, Debug)]
pub(crate) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub format: Format,
    pub desc: String,
    scale: Scale,
}

/// About this many ticks on an axis at the reference size.
const TICKS: usize = 8;

impl Axis {
    /// A linear axis of `scale` with about `target` nice ticks.
    fn linear(lo: f64, hi: f64, desc: &str, scale: Scale, target: usize) -> Axis {
        let mantissas: &[f64] = match scale {
            Scale::Time { monthly: true } => &MONTHLY,
            _ => &DECIMAL,
        };
        let Ticks { mut values, step } = data::nice_ticks(lo, hi, target, mantissas);
        let format = match scale {
            Scale::Money => Format::Money(MoneyTicks::new(lo.abs().max(hi.abs()), step)),
            Scale::Percent => {
                // No tick above 100%, even when the range leaves headroom for labels.
                values.retain(|t| *t <= 1.0 + 1e-9);
                Format::Percent {
                    decimals: decimals_for_step(step * 100.0),
                }
            }
            Scale::Time { .. } => Format::Years {
                decimals: decimals_for_step(step),
            },
            Scale::Number | Scale::Fixed => Format::Number {
                decimals: decimals_for_step(step),
            },
        };
        Axis {
            lo,
            hi,
            ticks: values,
            format,
            desc: desc.to_string(),
            scale,
        }
    }

    /// A money axis over `[lo, hi]`.
    pub(crate) fn money(lo: f64, hi: f64, desc: &str) -> Axis {
        Axis::linear(lo, hi, desc, Scale::Money, TICKS)
    }

    /// A share axis over `[lo, hi]` (fractions, labelled as percentages).
    pub(crate) fn percent(lo: f64, hi: f64, desc: &str) -> Axis {
        Axis::linear(lo, hi, desc, Scale::Percent, TICKS)
    }

    /// A plain number axis over `[lo, hi]`.
    pub(crate) fn number(lo: f64, hi: f64, desc: &str) -> Axis {
        Axis::linear(lo, hi, desc, Scale::Number, TICKS)
    }

    /// This axis with at most about `max_ticks` ticks (linear axes only), for plots too
    /// small for the default density.
    fn at_most(&self, max_ticks: usize) -> Axis {
        if self.scale == Scale::Fixed || self.ticks.len() <= max_ticks.max(2) {
            return self.clone();
        }
        Axis::linear(self.lo, self.hi, &self.desc, self.scale, max_ticks.max(2))
    }

    /// A log axis of shares over `[lo, hi]` (both > 0).
    pub(crate) fn log_percent(lo: f64, hi: f64, desc: &str) -> Axis {
        Axis {
            lo,
            hi,
            ticks: data::log_ticks(lo, hi),
            format: Format::LogPercent,
            desc: desc.to_string(),
            scale: Scale::Fixed,
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
            scale: Scale::Fixed,
        }
    }

    /// Named categories at 0, 1, 2..., with half a slot of room on each side; with many
    /// categories only every k-th is labelled, so labels do not run into each other.
    pub(crate) fn categories(names: Vec<String>, desc: &str) -> Axis {
        let n = names.len().max(1) as f64;
        let every = names.len().div_ceil(20).max(1);
        Axis {
            lo: -0.5,
            hi: n - 0.5,
            ticks: (0..names.len()).step_by(every).map(|i| i as f64).collect(),
            format: Format::Categories(names),
            desc: desc.to_string(),
            scale: Scale::Fixed,
        }
    }

    /// The tick label at `v`.
    pub(crate) fn label(&self, v: f64) -> String {
        match &self.format {
            Format::Money(m) => m.format(v),
            Format::Percent { decimals } => format!("{:.*}%", decimals, v * 100.0),
            Format::Number { decimals } => format_number(v, *decimals),
            Format::LogPercent => {
                let pct = v * 100.0;
                let decimals = (-pct.log10().floor()).max(0.0) as usize;
                format!("{pct:.decimals$}%")
            }
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

    /// Month `t` in words, in the axis' unit: "year 2.5" or "month 7".
    pub(crate) fn describe(&self, t: usize) -> String {
        if self.months_per_unit > 1.0 {
            format!("year {:.1}", self.x(t))
        } else {
            format!("month {t}")
        }
    }
}

/// Ticks on a full-width time axis: every year of a 15-year horizon.
pub(crate) const TIME_TICKS: usize = 16;

/// The time axis for `horizon` months starting in calendar month `start_month`, with
/// at most about `max_ticks` ticks.
pub(crate) fn time_axis(horizon: usize, start_month: u32, max_ticks: usize) -> (Axis, TimeScale) {
    let start = month_name(start_month)
        .map(|m| format!(" (month 0 = {m})"))
        .unwrap_or_default();
    let horizon = horizon.max(1) as f64;
    let monthly = horizon < 24.0;
    let (per_unit, unit) = if monthly {
        (1.0, "Months")
    } else {
        (12.0, "Years")
    };
    let hi = (horizon / per_unit).max(1.0 / per_unit);
    let desc = format!("{unit} since start{start}");
    let axis = Axis::linear(0.0, hi, &desc, Scale::Time { monthly }, max_ticks);
    (
        axis,
        TimeScale {
            months_per_unit: per_unit,
        },
    )
}

/// A plotters coordinate with the ticks we computed (plotters' own `WithKeyPoints`
/// loses the value formatter of `f64` ranges, which the mesh needs).
pub(crate) struct Ticked<R> {
    inner: R,
    ticks: Vec<f64>,
}

impl<R: Ranged<ValueType = f64>> Ranged for Ticked<R> {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

/// Builds a plotters coordinate from an [`Axis`].
pub(crate) trait AxisCoord: Ranged<ValueType = f64> + Sized {
    fn from_axis(axis: &Axis) -> Self;
}

impl AxisCoord for Linear {
    fn from_axis(axis: &Axis) -> Self {
        Ticked {
            inner: (axis.lo..axis.hi).into(),
            ticks: axis.ticks.clone(),
        }
    }
}

impl AxisCoord for Log {
    fn from_axis(axis: &Axis) -> Self {
        let lo = axis.lo.max(f64::MIN_POSITIVE);
        let hi = axis.hi.max(lo * 10.0);
        Ticked {
            inner: (lo..hi).log_scale().into(),
            ticks: axis.ticks.clone(),
        }
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

/// Whether an axis description is drawn, and whether its room is kept when it is not
/// (so small multiples keep plots of equal size).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Desc {
    Show,
    Reserve,
    Hide,
}

/// How [`build`] lays a plot out beyond its axes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PlotOpts<'t> {
    title: Option<&'t str>,
    grid: Grid,
    y_label_width: u32,
    x_desc: Desc,
    y_desc: Desc,
}

impl<'t> PlotOpts<'t> {
    pub(crate) fn new() -> Self {
        PlotOpts {
            title: None,
            grid: Grid::BOTH,
            y_label_width: 0,
            x_desc: Desc::Show,
            y_desc: Desc::Show,
        }
    }

    /// A bold title above the plot (for panels of a multi-panel chart).
    pub(crate) fn title(mut self, title: &'t str) -> Self {
        self.title = Some(title);
        self
    }

    pub(crate) fn grid(mut self, grid: Grid) -> Self {
        self.grid = grid;
        self
    }

    /// At least this much room for the y tick labels, so stacked panels line up.
    pub(crate) fn y_label_width(mut self, width: u32) -> Self {
        self.y_label_width = width;
        self
    }

    pub(crate) fn x_desc(mut self, desc: Desc) -> Self {
        self.x_desc = desc;
        self
    }

    pub(crate) fn y_desc(mut self, desc: Desc) -> Self {
        self.y_desc = desc;
        self
    }
}

/// Width of the widest tick label of `axis`, for aligning panels.
pub(crate) fn tick_label_width(area: &Area, theme: &Theme, axis: &Axis) -> DrawResult<u32> {
    Ok(axis.widest_label(area, &theme.tick())?.0)
}

/// A chart on `area` with axes `x` and `y`, its label areas sized to fit the labels,
/// and its grid and axes drawn.
pub(crate) fn build<'a, 'b, X, Y>(
    area: &'a Area<'b>,
    theme: &Theme,
    x: &Axis,
    y: &Axis,
    opts: PlotOpts,
) -> DrawResult<Plot<'a, 'b, X, Y>>
where
    X: AxisCoord + ValueFormatter<f64>,
    Y: AxisCoord + ValueFormatter<f64>,
{
    let tick_style = theme.tick();
    let (x_label_w, x_label_h) = x.widest_label(area, &tick_style)?;
    let y_label_w = y.widest_label(area, &tick_style)?.0.max(opts.y_label_width);
    let desc_h = area.estimate_text_size("Mg", &theme.axis_desc())?.1;
    let room = |d: Desc| {
        if d == Desc::Hide {
            0
        } else {
            desc_h + theme.upx(14.0)
        }
    };
    let (x_area, y_area) = (
        x_label_h + room(opts.x_desc) + theme.upx(20.0),
        y_label_w + room(opts.y_desc) + theme.upx(20.0),
    );
    let margin_right = theme.upx(12.0) + x_label_w / 2;
    let mut builder = ChartBuilder::on(area);
    builder
        .margin_top(theme.px(16.0))
        .margin_right(margin_right)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area);
    let mut caption_h = 0;
    if let Some(title) = opts.title {
        builder.caption(title, theme.panel_title());
        caption_h = area.estimate_text_size(title, &theme.panel_title())?.1 * 2;
    }
    // Fewer ticks on small plots, so labels keep their distance.
    let (w, h) = area.dim_in_pixel();
    let plot_w = w.saturating_sub(y_area + margin_right);
    let plot_h = h.saturating_sub(x_area + theme.upx(16.0) + caption_h);
    let x = &x.at_most((plot_w / (x_label_w + theme.upx(28.0)).max(1)) as usize);
    // Short panels still get a scale: at least three ticks, two label heights apart.
    let y = &y.at_most(((plot_h / (x_label_h * 2).max(1)) as usize).max(3));
    let mut chart = builder.build_cartesian_2d(X::from_axis(x), Y::from_axis(y))?;
    draw_mesh(&mut chart, theme, x, y, opts)?;
    Ok(chart)
}

fn draw_mesh<X, Y>(
    chart: &mut Plot<'_, '_, X, Y>,
    theme: &Theme,
    x: &Axis,
    y: &Axis,
    opts: PlotOpts,
) -> DrawResult
where
    X: AxisCoord + ValueFormatter<f64>,
    Y: AxisCoord + ValueFormatter<f64>,
{
    let x_fmt = |v: &f64| x.label(*v);
    let y_fmt = |v: &f64| y.label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_labels(x.ticks.len().max(1))
        .y_labels(y.ticks.len().max(1))
        .label_style(theme.tick())
        .axis_desc_style(theme.axis_desc())
        .bold_line_style(palette::GRID.stroke_width(theme.stroke(1.0)))
        .light_line_style(TRANSPARENT)
        .axis_style(palette::MUTED.stroke_width(theme.stroke(1.5)))
        .set_all_tick_mark_size(theme.px(6.0));
    if opts.x_desc == Desc::Show && !x.desc.is_empty() {
        mesh.x_desc(x.desc.as_str());
    }
    if opts.y_desc == Desc::Show && !y.desc.is_empty() {
        mesh.y_desc(y.desc.as_str());
    }
    if !opts.grid.vertical {
        mesh.disable_x_mesh();
    }
    if !opts.grid.horizontal {
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
