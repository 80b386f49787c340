//! The decision charts: a goal seek (`solve.png`: the statistic at every evaluated
//! decision, the target, the root and its 95% interval) and a mean-risk frontier
//! (`frontier.png`: mean savings against the 5% expected shortfall, one point per factor,
//! the efficient ones joined and labelled, the current plan marked).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::axis::{self, Area, Axis, Linear, PlotOpts};
use crate::data;
use crate::error::DrawResult;
use crate::format::format_number;
use crate::frame;
use crate::legend::{Legend, Swatch};
use crate::marks::{self, Mark};
use crate::palette;
use crate::theme::Theme;
use crate::{Chart, ChartOptions, ReportError, ValueKind, canvas, font};

/// Everything `solve.png` shows.
#[derive(Clone, Debug, PartialEq)]
pub struct SolveChart {
    pub scenario: String,
    pub paths: u64,
    pub seed: u64,
    /// The x axis: the key, or "Factor on KEY".
    pub decision: String,
    /// The statistic's summary.json name.
    pub statistic: String,
    /// Whether the statistic is in dollars (else a probability or a count).
    pub money: bool,
    pub target: f64,
    /// The multiplier of the statistic's 95% interval (error bars).
    pub multiplier: f64,
    /// Every evaluation: decision, statistic, its standard error.
    pub points: Vec<(f64, f64, f64)>,
    pub root: f64,
    pub achieved: f64,
    pub interval: [f64; 2],
}

/// Everything `frontier.png` shows.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontierChart {
    pub scenario: String,
    /// The scaled key.
    pub key: String,
    pub paths: u64,
    pub seed: u64,
    /// Each factor: (factor, mean savings, ES 5%).
    pub points: Vec<(f64, f64, f64)>,
    pub efficient: Vec<bool>,
}

/// The file names of the charts.
pub const SOLVE_FILE: &str = "solve.png";
pub const FRONTIER_FILE: &str = "frontier.png";

const POINT: RGBColor = palette::BLUE;
const TARGET: RGBColor = palette::VERMILLION;
const ROOT: RGBColor = palette::BLACK;
const BAND: f64 = 0.18;
const WIDTH: f64 = 3.0;

/// Renders `solve.png`.
///
/// # Errors
/// [`ReportError::InvalidSize`] for a side outside the allowed range; the other variants
/// only if drawing or encoding fails.
pub fn render_solve(chart: &SolveChart, opts: &ChartOptions) -> Result<Chart, ReportError> {
    render(SOLVE_FILE, opts, |theme, root| {
        draw_solve(chart, theme, root)
    })
}

/// Renders `frontier.png`.
///
/// # Errors
/// As [`render_solve`].
pub fn render_frontier(chart: &FrontierChart, opts: &ChartOptions) -> Result<Chart, ReportError> {
    render(FRONTIER_FILE, opts, |theme, root| {
        draw_frontier(chart, theme, root)
    })
}

fn render(
    file_name: &'static str,
    opts: &ChartOptions,
    draw: impl Fn(&Theme, &Area) -> DrawResult,
) -> Result<Chart, ReportError> {
    crate::check_size(opts)?;
    font::register()?;
    let theme = Theme::new(opts);
    let png = canvas::render_png(file_name, opts, |root| draw(&theme, root))?;
    Ok(Chart { file_name, png })
}

fn kind(money: bool, statistic: &str) -> ValueKind {
    if money {
        ValueKind::Money
    } else if statistic.starts_with("probabilities.") {
        ValueKind::Share
    } else {
        ValueKind::Number
    }
}

fn value_axis(kind: ValueKind, lo: f64, hi: f64, desc: &str) -> Axis {
    match kind {
        ValueKind::Money => Axis::money(lo, hi, desc),
        ValueKind::Share => Axis::percent(lo, hi, desc),
        ValueKind::Number => Axis::number(lo, hi, desc),
    }
}

/// A short decimal for labels: `0.9431`, `1.25`.
fn short(x: f64) -> String {
    let text = format!("{:.4}", x);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

fn draw_solve(c: &SolveChart, theme: &Theme, root: &Area) -> DrawResult {
    let k = kind(c.money, &c.statistic);
    let legend = Legend::new()
        .heading(c.statistic.as_str())
        .item(
            Swatch::Line {
                color: POINT,
                width: WIDTH,
                dashed: false,
            },
            "Statistic at each evaluated decision",
        )
        .note("bars: its 95% interval from the Monte Carlo error")
        .item(
            Swatch::Line {
                color: TARGET,
                width: WIDTH,
                dashed: true,
            },
            format!("Target {}", k.format(c.target)),
        )
        .gap()
        .heading(format!("Answer {}", short(c.root)))
        .item(
            Swatch::Band {
                color: ROOT,
                alpha: BAND,
            },
            format!(
                "95% interval {} to {}",
                short(c.interval[0]),
                short(c.interval[1])
            ),
        )
        .note(format!("achieved {}", k.format(c.achieved)))
        .note(format!("{} runs", c.points.len()));
    let title = format!(
        "Goal seek: {} = {} — {}",
        c.statistic,
        k.format(c.target),
        c.scenario
    );
    let subtitle = format!(
        "{} paths per run, seed {} at every run (common random numbers)",
        format_number(c.paths as f64, 0),
        c.seed
    );
    let body = frame::page(root, theme, &title, &subtitle, &legend)?;
    let (w, _) = body.dim_in_pixel();
    let (left, right) = body.split_horizontally(w / 2);
    let xs = c.points.iter().map(|p| p.0).chain(c.interval);
    let (x_lo, x_hi) = data::finite_min_max(xs).unwrap_or((0.0, 1.0));
    panel(c, theme, &left, (x_lo, x_hi), "Every run")?;
    panel(c, theme, &right, zoom(c, x_lo, x_hi), "Near the answer")
}

/// The window of the right panel: three half-widths of the interval either side of the
/// answer (2% of the searched range when the interval has no width).
fn zoom(c: &SolveChart, x_lo: f64, x_hi: f64) -> (f64, f64) {
    let half = (0.5 * (c.interval[1] - c.interval[0])).max(0.01 * (x_hi - x_lo));
    let half = if half > 0.0 {
        half
    } else {
        1e-9_f64.max(c.root.abs() * 1e-9)
    };
    (c.root - 3.0 * half, c.root + 3.0 * half)
}

/// One panel: the runs whose decision is within `window`, with their 95% bars, the
/// target line, the interval band and the answer.
fn panel(
    c: &SolveChart,
    theme: &Theme,
    area: &Area,
    window: (f64, f64),
    title: &str,
) -> DrawResult {
    let k = kind(c.money, &c.statistic);
    let inside: Vec<(f64, f64, f64)> = c
        .points
        .iter()
        .filter(|p| p.0 >= window.0 && p.0 <= window.1)
        .copied()
        .collect();
    let (x_lo, x_hi) = data::padded_range(window.0, window.1, 0.04);
    let ys = inside
        .iter()
        .flat_map(|p| [p.1 - c.multiplier * p.2, p.1 + c.multiplier * p.2])
        .chain([c.target]);
    let (y_lo, y_hi) = data::finite_min_max(ys).unwrap_or((0.0, 1.0));
    let (y_lo, y_hi) = data::padded_range(y_lo, y_hi, 0.08);
    let x = Axis::number(x_lo, x_hi, &c.decision);
    let desc = match k {
        ValueKind::Money => format!("{}, PV (US$)", c.statistic),
        ValueKind::Share => format!("{} (share of paths)", c.statistic),
        ValueKind::Number => c.statistic.clone(),
    };
    let y = value_axis(k, y_lo, y_hi, &desc);
    let mut chart =
        axis::build::<Linear, Linear>(area, theme, &x, &y, PlotOpts::new().title(title))?;
    let (band_lo, band_hi) = (c.interval[0].max(x.lo), c.interval[1].min(x.hi));
    if band_hi > band_lo {
        let band = [
            (band_lo, y.lo),
            (band_hi, y.lo),
            (band_hi, y.hi),
            (band_lo, y.hi),
        ];
        chart.draw_series(std::iter::once(Polygon::new(
            band.to_vec(),
            ROOT.mix(BAND).filled(),
        )))?;
    }
    fan_dashed(
        &mut chart,
        theme,
        vec![(x.lo, c.target), (x.hi, c.target)],
        TARGET,
    )?;
    let mut sorted = inside;
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    chart.draw_series(LineSeries::new(
        sorted.iter().map(|p| (p.0, p.1)),
        POINT.mix(0.5).stroke_width(theme.stroke(1.5)),
    ))?;
    for p in &sorted {
        let half = c.multiplier * p.2;
        chart.draw_series(LineSeries::new(
            vec![(p.0, p.1 - half), (p.0, p.1 + half)],
            POINT.stroke_width(theme.stroke(2.0)),
        ))?;
    }
    let radius = theme.px(5.0);
    chart.draw_series(
        sorted
            .iter()
            .map(|p| Circle::new((p.0, p.1), radius, POINT.filled())),
    )?;
    let mark = Mark {
        x: c.root,
        tag: format!("answer {}", short(c.root)),
        color: ROOT,
        dashed: false,
    };
    marks::draw_vertical(&mut chart, theme, &[mark])
}

fn fan_dashed(
    chart: &mut axis::Plot<'_, '_, Linear, Linear>,
    theme: &Theme,
    pts: Vec<(f64, f64)>,
    color: RGBColor,
) -> DrawResult {
    crate::fan::dashed(chart, theme, pts, color, WIDTH)
}

const DOMINATED: RGBColor = palette::MUTED;
const EFFICIENT: RGBColor = palette::BLUE;
const PLAN: RGBColor = palette::VERMILLION;

/// The index of the current plan: factor 1, else the nearest factor.
fn plan_index(points: &[(f64, f64, f64)]) -> Option<usize> {
    (0..points.len()).min_by(|&a, &b| {
        (points[a].0 - 1.0)
            .abs()
            .total_cmp(&(points[b].0 - 1.0).abs())
    })
}

fn draw_frontier(c: &FrontierChart, theme: &Theme, root: &Area) -> DrawResult {
    let plan = plan_index(&c.points);
    let plan_label = match plan.map(|i| c.points[i].0) {
        Some(1.0) => "The current plan (factor 1)".to_string(),
        Some(f) => format!("Nearest to the current plan (factor {})", short(f)),
        None => "No points".to_string(),
    };
    let legend = Legend::new()
        .heading(format!("Factor on {}", c.key))
        .item(
            Swatch::Line {
                color: EFFICIENT,
                width: WIDTH,
                dashed: false,
            },
            "Efficient factors, joined",
        )
        .note("no other factor has both a higher mean")
        .note("and a higher ES 5%")
        .item(Swatch::Block { color: DOMINATED }, "Dominated factors")
        .note("labels: the factor, x1 the plan as written")
        .item(Swatch::Block { color: PLAN }, plan_label)
        .gap()
        .note("ES 5%: the mean of the worst 5% of savings")
        .note("Up and right is better.");
    let title = format!("Mean-risk frontier — {}", c.scenario);
    let subtitle = format!(
        "factors on {} · {} paths per factor, seed {} at every factor (common random numbers)",
        c.key,
        format_number(c.paths as f64, 0),
        c.seed
    );
    let body = frame::page(root, theme, &title, &subtitle, &legend)?;
    let (x_lo, x_hi) = data::finite_min_max(c.points.iter().map(|p| p.2)).unwrap_or((0.0, 1.0));
    let (y_lo, y_hi) = data::finite_min_max(c.points.iter().map(|p| p.1)).unwrap_or((0.0, 1.0));
    let (x_lo, x_hi) = data::padded_range(x_lo, x_hi, 0.10);
    let (y_lo, y_hi) = data::padded_range(y_lo, y_hi, 0.10);
    let x = Axis::money(x_lo, x_hi, "5% expected shortfall of savings, PV (US$)");
    let y = Axis::money(y_lo, y_hi, "Mean savings against all-cloud, PV (US$)");
    let mut chart = axis::build::<Linear, Linear>(&body, theme, &x, &y, PlotOpts::new())?;
    if c.points.is_empty() {
        return axis::empty_message(&chart, theme, "No factors in this frontier");
    }
    let mut front: Vec<(f64, f64, f64)> = c
        .points
        .iter()
        .zip(&c.efficient)
        .filter(|(_, e)| **e)
        .map(|(p, _)| *p)
        .collect();
    front.sort_by(|a, b| a.2.total_cmp(&b.2));
    chart.draw_series(LineSeries::new(
        front.iter().map(|p| (p.2, p.1)),
        EFFICIENT.stroke_width(theme.stroke(WIDTH)),
    ))?;
    let radius = theme.px(7.0);
    for (i, (p, e)) in c.points.iter().zip(&c.efficient).enumerate() {
        let color = if *e { EFFICIENT } else { DOMINATED };
        chart.draw_series(std::iter::once(Circle::new(
            (p.2, p.1),
            radius,
            color.filled(),
        )))?;
        if Some(i) == plan {
            chart.draw_series(std::iter::once(Circle::new(
                (p.2, p.1),
                theme.px(13.0),
                PLAN.stroke_width(theme.stroke(3.0)),
            )))?;
        }
        {
            let style = theme
                .annotation(if Some(i) == plan { PLAN } else { color })
                .pos(Pos::new(HPos::Left, VPos::Bottom));
            let at = chart.backend_coord(&(p.2, p.1));
            let label = format!("x{}", short(p.0));
            axis::screen(&chart).draw(&Text::new(
                label,
                (at.0 + theme.px(12.0), at.1 - theme.px(8.0)),
                style,
            ))?;
        }
    }
    Ok(())
}
