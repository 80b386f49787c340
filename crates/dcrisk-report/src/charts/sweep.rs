//! A parameter sweep: a metric's mean (with its 95% confidence band) and its risk tail
//! against the swept parameter (P5 of savings, where the losses are; P95 of a cost, a
//! loss or a count, whose risk is high values); for a two-parameter grid, one line per
//! value of the second.

use dcrisk_core::stats::Z95;
use plotters::prelude::*;

use crate::axis::{self, Area, Axis, Linear, Plot, PlotOpts};
use crate::data;
use crate::error::DrawResult;
use crate::fan;
use crate::format::{format_money, format_number, format_percent};
use crate::frame;
use crate::legend::{Legend, Swatch};
use crate::palette;
use crate::theme::Theme;
use crate::units;
use crate::{Chart, ChartOptions, ReportError, canvas, font};

/// What a value measures, so axes and labels get the right unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// US dollars: `$1.2M`, `-$3.4B`.
    Money,
    /// A share in [0, 1], written as a percentage.
    Share,
    /// A plain number.
    Number,
}

impl ValueKind {
    /// `v` written for a legend or label.
    pub fn format(self, v: f64) -> String {
        match self {
            ValueKind::Money => format_money(v),
            ValueKind::Share => format_percent(v),
            ValueKind::Number => plain_number(v),
        }
    }

    pub(crate) fn axis(self, lo: f64, hi: f64, desc: &str) -> Axis {
        match self {
            ValueKind::Money => Axis::money(lo, hi, desc),
            ValueKind::Share => Axis::percent(lo, hi, desc),
            ValueKind::Number => Axis::number(lo, hi, desc),
        }
    }
}

/// A number as short as it can be written: `0.25`, `1,100`, `2.5e-5`.
fn plain_number(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e9).contains(&a) {
        return format!("{v:e}");
    }
    let mut text = format!("{v}");
    if a >= 1e4 && text.parse::<f64>().is_ok_and(|p| p == p.trunc()) {
        text = format_number(v, 0);
    }
    text
}

/// One point of a sweep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SweepPoint {
    /// Value of the first (x-axis) parameter.
    pub x: f64,
    /// Value of the second parameter, on a two-parameter grid.
    pub group: Option<f64>,
    /// Mean of the metric and its standard error.
    pub mean: f64,
    pub stderr: f64,
    /// The metric's risk tail: P5 or P95 (see [`SweepChart::upper_tail`]).
    pub tail: f64,
}

/// A swept parameter: its key (as given to `--param`) and its unit.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepParameter {
    pub key: String,
    pub kind: ValueKind,
}

/// Everything `sweep.png` shows.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepChart {
    pub scenario: String,
    /// Paths per point, the seed and the horizon, when the same at every point (`None`
    /// when the sweep varies them, e.g. a sweep of `seed`).
    pub paths: Option<u64>,
    pub seed: Option<u64>,
    pub horizon_months: Option<usize>,
    pub x: SweepParameter,
    /// The second parameter of a two-parameter grid.
    pub group: Option<SweepParameter>,
    /// The metric's output name (`savings_pv`) and a description with its unit.
    pub metric: String,
    pub metric_desc: String,
    pub metric_kind: ValueKind,
    /// Whether the points' `tail` is the P95 (a cost, loss or count: its risk is high
    /// values) rather than the P5 (savings: its risk is low values).
    pub upper_tail: bool,
    pub points: Vec<SweepPoint>,
}

impl SweepChart {
    /// The legend's words for the tail line.
    pub fn tail_label(&self) -> &'static str {
        match self.upper_tail {
            true => "P95 (95% quantile: the upper tail)",
            false => "P5 (5% quantile)",
        }
    }
}

/// The file name of [`render_sweep`]'s chart.
pub const SWEEP_FILE: &str = "sweep.png";

/// At most this many lines (values of the second parameter) on one chart.
pub const MAX_GROUPS: usize = 8;

/// Renders `sweep.png`.
///
/// # Errors
/// [`ReportError::InvalidSize`] for a side outside the allowed range; the other variants
/// only if drawing or encoding fails.
pub fn render_sweep(sweep: &SweepChart, opts: &ChartOptions) -> Result<Chart, ReportError> {
    crate::check_size(opts)?;
    font::register()?;
    let theme = Theme::new(opts);
    let png = canvas::render_png(SWEEP_FILE, opts, |root| draw(sweep, &theme, root))?;
    Ok(Chart {
        file_name: SWEEP_FILE,
        png,
    })
}

/// Colours of the lines of a two-parameter grid, in order (Okabe-Ito).
const LINES: [RGBColor; MAX_GROUPS] = [
    palette::BLUE,
    palette::ORANGE,
    palette::BLUISH_GREEN,
    palette::VERMILLION,
    palette::REDDISH_PURPLE,
    palette::SKY_BLUE,
    palette::BLACK,
    palette::MUTED,
];
const MEAN: RGBColor = palette::BLUE;
const P5: RGBColor = palette::VERMILLION;
const BAND: f64 = 0.2;
const WIDTH: f64 = 3.0;

/// One line of the chart: its points sorted by x, its colours and its legend label.
struct Line {
    points: Vec<SweepPoint>,
    mean: RGBColor,
    p5: RGBColor,
    label: Option<String>,
}

/// The lines to draw: one, or one per shown value of the second parameter (at most
/// [`MAX_GROUPS`], evenly spread over the values); and how many values there are.
fn lines(sweep: &SweepChart) -> (Vec<Line>, usize) {
    let sorted = |mut pts: Vec<SweepPoint>| {
        pts.sort_by(|a, b| a.x.total_cmp(&b.x));
        pts
    };
    let Some(group) = &sweep.group else {
        let line = Line {
            points: sorted(sweep.points.clone()),
            mean: MEAN,
            p5: P5,
            label: None,
        };
        return (vec![line], 1);
    };
    let mut values: Vec<f64> = Vec::new();
    for p in &sweep.points {
        let g = p.group.unwrap_or(f64::NAN);
        if !values.iter().any(|v| v.total_cmp(&g).is_eq()) {
            values.push(g);
        }
    }
    let total = values.len();
    let shown: Vec<f64> = if total <= MAX_GROUPS {
        values
    } else {
        (0..MAX_GROUPS)
            .map(|k| values[(k * (total - 1) + (MAX_GROUPS - 1) / 2) / (MAX_GROUPS - 1)])
            .collect()
    };
    let lines = shown
        .iter()
        .zip(LINES)
        .map(|(&g, color)| {
            let pts = sweep
                .points
                .iter()
                .filter(|p| p.group.unwrap_or(f64::NAN).total_cmp(&g).is_eq())
                .copied()
                .collect();
            Line {
                points: sorted(pts),
                mean: color,
                p5: color,
                label: Some(group.kind.format(g)),
            }
        })
        .collect();
    (lines, total)
}

fn draw(sweep: &SweepChart, theme: &Theme, root: &Area) -> DrawResult {
    let (lines, groups) = lines(sweep);
    let legend = sweep_legend(sweep, &lines, groups);
    let swept = match &sweep.group {
        Some(g) => format!("{} and {}", sweep.x.key, g.key),
        None => sweep.x.key.clone(),
    };
    let title = format!("Sweep of {swept} — {}", sweep.scenario);
    let subtitle = [
        sweep.paths.map_or("paths vary by point".to_string(), |p| {
            format!("{} paths per point", format_number(p as f64, 0))
        }),
        sweep
            .seed
            .map_or("a different seed at each point".to_string(), |s| {
                format!("seed {s} at every point (common random numbers)")
            }),
        sweep
            .horizon_months
            .map_or("horizon varies".to_string(), |h| {
                format!("{h}-month horizon")
            }),
    ]
    .join(" · ");
    let body = frame::page(root, theme, &title, &subtitle, &legend)?;
    let xs = lines.iter().flat_map(|l| l.points.iter().map(|p| p.x));
    let (x_lo, x_hi) = data::finite_min_max(xs).unwrap_or((0.0, 1.0));
    let (x_lo, x_hi) = data::centered_range(x_lo, x_hi);
    let ys = lines.iter().flat_map(|l| {
        l.points
            .iter()
            .flat_map(|p| [p.mean - Z95 * p.stderr, p.mean + Z95 * p.stderr, p.tail])
    });
    let (y_lo, y_hi) = data::finite_min_max(ys).unwrap_or((0.0, 1.0));
    let (y_lo, y_hi) = data::centered_range(y_lo, y_hi);
    let y_pad = (y_hi - y_lo) * 0.06;
    let x_pad = (x_hi - x_lo) * 0.03;
    let x_desc = units::with_unit(&sweep.x.key);
    let x = sweep.x.kind.axis(x_lo - x_pad, x_hi + x_pad, &x_desc);
    let y = sweep
        .metric_kind
        .axis(y_lo - y_pad, y_hi + y_pad, &sweep.metric_desc);
    let mut chart = axis::build::<Linear, Linear>(&body, theme, &x, &y, PlotOpts::new())?;
    if sweep.points.is_empty() {
        return axis::empty_message(&chart, theme, "No points in this sweep");
    }
    if y.lo < 0.0 && y.hi > 0.0 {
        let pts = vec![(x.lo, 0.0), (x.hi, 0.0)];
        chart.draw_series(LineSeries::new(
            pts,
            palette::MUTED.stroke_width(theme.stroke(1.5)),
        ))?;
    }
    for line in &lines {
        band(&mut chart, &line.points, line.mean)?;
    }
    for line in &lines {
        draw_line(&mut chart, theme, line)?;
    }
    Ok(())
}

/// The 95% confidence band of the mean.
fn band(
    chart: &mut Plot<'_, '_, Linear, Linear>,
    pts: &[SweepPoint],
    color: RGBColor,
) -> DrawResult {
    let ok: Vec<&SweepPoint> = pts
        .iter()
        .filter(|p| p.x.is_finite() && p.mean.is_finite() && p.stderr.is_finite())
        .collect();
    if ok.len() < 2 {
        return Ok(());
    }
    let upper = ok.iter().map(|p| (p.x, p.mean + Z95 * p.stderr));
    let lower = ok.iter().rev().map(|p| (p.x, p.mean - Z95 * p.stderr));
    let outline: Vec<(f64, f64)> = upper.chain(lower).collect();
    chart.draw_series(std::iter::once(Polygon::new(
        outline,
        color.mix(BAND).filled(),
    )))?;
    Ok(())
}

fn draw_line(chart: &mut Plot<'_, '_, Linear, Linear>, theme: &Theme, line: &Line) -> DrawResult {
    let pts = |stat: fn(&SweepPoint) -> f64| -> Vec<(f64, f64)> {
        line.points
            .iter()
            .map(|p| (p.x, stat(p)))
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect()
    };
    let means = pts(|p| p.mean);
    fan::dashed(chart, theme, pts(|p| p.tail), line.p5, WIDTH)?;
    chart.draw_series(LineSeries::new(
        means.clone(),
        line.mean.stroke_width(theme.stroke(WIDTH)),
    ))?;
    let radius = theme.px(5.0);
    chart.draw_series(
        means
            .into_iter()
            .map(|pt| Circle::new(pt, radius, line.mean.filled())),
    )?;
    Ok(())
}

fn sweep_legend(sweep: &SweepChart, lines: &[Line], groups: usize) -> Legend {
    let crn = if sweep.seed.is_some() {
        "The same random numbers at every point: differences between points are the \
         parameter's effect, not sampling noise."
    } else {
        "The seed differs between points: differences include sampling noise."
    };
    let metric = &sweep.metric;
    if sweep.group.is_none() {
        return Legend::new()
            .heading(metric.as_str())
            .item(
                Swatch::Line {
                    color: MEAN,
                    width: WIDTH,
                    dashed: false,
                },
                "Mean (dots: the grid points)",
            )
            .item(
                Swatch::Band {
                    color: MEAN,
                    alpha: BAND,
                },
                "95% confidence interval of the mean",
            )
            .item(
                Swatch::Line {
                    color: P5,
                    width: WIDTH,
                    dashed: true,
                },
                sweep.tail_label(),
            )
            .gap()
            .note(crn);
    }
    let group = sweep
        .group
        .as_ref()
        .map_or(String::new(), |g| units::with_unit(&g.key));
    let mut legend = Legend::new().heading(group);
    for line in lines {
        legend = legend.item(
            Swatch::Line {
                color: line.mean,
                width: WIDTH,
                dashed: false,
            },
            line.label.clone().unwrap_or_default(),
        );
    }
    if groups > lines.len() {
        legend = legend.note(format!(
            "{} of {groups} values shown; all in sweep.csv",
            lines.len()
        ));
    }
    legend
        .gap()
        .heading(metric.as_str())
        .item(
            Swatch::Line {
                color: palette::TEXT,
                width: WIDTH,
                dashed: false,
            },
            "Mean, with its 95% confidence band",
        )
        .item(
            Swatch::Line {
                color: palette::TEXT,
                width: WIDTH,
                dashed: true,
            },
            sweep.tail_label(),
        )
        .gap()
        .note(crn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_numbers() {
        assert_eq!(plain_number(0.25), "0.25");
        assert_eq!(plain_number(3.0), "3");
        assert_eq!(plain_number(1100.0), "1100");
        assert_eq!(plain_number(50000.0), "50,000");
        assert_eq!(plain_number(2.5e-5), "2.5e-5");
        assert_eq!(plain_number(0.0), "0");
    }

    #[test]
    fn many_groups_are_thinned_evenly() {
        let points = (0..20)
            .map(|g| SweepPoint {
                x: 1.0,
                group: Some(f64::from(g)),
                mean: 0.0,
                stderr: 0.0,
                tail: 0.0,
            })
            .collect();
        let sweep = SweepChart {
            scenario: "t".into(),
            paths: Some(1),
            seed: Some(1),
            horizon_months: Some(12),
            x: SweepParameter {
                key: "a".into(),
                kind: ValueKind::Number,
            },
            group: Some(SweepParameter {
                key: "b".into(),
                kind: ValueKind::Number,
            }),
            metric: "savings_pv".into(),
            metric_desc: String::new(),
            metric_kind: ValueKind::Money,
            upper_tail: false,
            points,
        };
        let (lines, total) = lines(&sweep);
        assert_eq!(total, 20);
        let firsts: Vec<f64> = lines.iter().map(|l| l.points[0].group.unwrap()).collect();
        assert_eq!(firsts.len(), MAX_GROUPS);
        assert_eq!(firsts[0], 0.0);
        assert_eq!(firsts[MAX_GROUPS - 1], 19.0);
    }
}
