//! Convergence of the Monte Carlo estimate: the running mean of savings in path order
//! with its 95% confidence band, so a reader sees whether the run was long enough.

use dcrisk_core::Metric;
use plotters::prelude::*;

use super::Ctx;
use crate::axis::{self, Area, Axis, Desc, Linear, Log, Plot, PlotOpts};
use crate::data::{self, RunningMean};
use crate::error::DrawResult;
use crate::format::{format_money, format_number, format_percent};
use crate::legend::{Legend, Swatch};
use crate::palette;

/// Points kept along the curve (log-spaced), so a million paths draw as fast as a
/// thousand.
const POINTS: usize = 500;
/// The first paths are too few for a meaningful interval; start the plot here.
const FIRST_PATH: f64 = 10.0;
const LINE: RGBColor = palette::BLUE;
const FINAL: RGBColor = palette::BLACK;
const WIDTH: f64 = 3.0;

/// Below this many paths the zoom panel would show next to nothing.
const ZOOM_FROM: f64 = 1000.0;

/// `convergence.png`: the whole run on top; for longer runs, below it a zoom on the last
/// decade of paths, where the band is too thin to judge on the full scale.
pub(crate) fn convergence(ctx: &Ctx, root: &Area) -> DrawResult {
    let all = running_mean_of_run(ctx);
    let n = all.last().map_or(0.0, |p| p.n);
    let start = FIRST_PATH.min(n).max(1.0);
    let shown: Vec<RunningMean> = all.into_iter().filter(|p| p.n >= start).collect();
    let legend = convergence_legend(ctx);
    let title = ctx.title("Convergence of mean savings");
    let subtitle = ctx.subtitle("running mean in path order with its 95% confidence band");
    let body = ctx.page(root, &title, &subtitle, &legend)?;
    let full = Panel::new(&shown, start, n.max(start * 10.0));
    if n < ZOOM_FROM {
        return full.draw(ctx, &body, PlotOpts::new());
    }
    let zoom = Panel::new(&shown, n / 10.0, n);
    let label_w = axis::tick_label_width(&body, &ctx.theme, &full.y)?
        .max(axis::tick_label_width(&body, &ctx.theme, &zoom.y)?);
    let (_, h) = body.dim_in_pixel();
    let (top, bottom) = body.split_vertically((f64::from(h) * 0.6) as i32);
    let opts = PlotOpts::new().y_label_width(label_w);
    full.draw(ctx, &top, opts.x_desc(Desc::Hide).title("All paths"))?;
    // The zoom is too short for the y caption; the panel above carries it.
    let zoom_opts = opts
        .title("Zoom on the last 90% of paths")
        .y_desc(Desc::Reserve);
    zoom.draw(ctx, &bottom, zoom_opts)
}

/// What the confidence interval rests on, when variance reduction was on.
fn technique_note(ctx: &Ctx, reduction: f64) -> String {
    let t = ctx.results.techniques;
    let name = match (t.antithetic, t.control_variates) {
        (true, true) => "antithetic pairs + control variates",
        (true, false) => "antithetic pairs",
        (false, true) => "control variates",
        (false, false) => return "plain Monte Carlo".to_string(),
    };
    format!("{name}: variance ÷{reduction:.1}")
}

/// The running mean of savings with an honest band: over antithetic pair means when the
/// run paired its paths (counting two paths a pair), else over paths.
fn running_mean_of_run(ctx: &Ctx) -> Vec<RunningMean> {
    let values = ctx.values(Metric::SavingsPv);
    if !ctx.results.techniques.antithetic {
        return data::running_mean(values, POINTS);
    }
    let pairs = dcrisk_core::estimate::pair_means(values);
    data::running_mean(&pairs, POINTS)
        .into_iter()
        .map(|p| RunningMean { n: 2.0 * p.n, ..p })
        .collect()
}

/// One panel: the running mean over a range of path counts.
struct Panel {
    points: Vec<RunningMean>,
    x: Axis,
    y: Axis,
}

impl Panel {
    fn new(all: &[RunningMean], from: f64, to: f64) -> Self {
        let points: Vec<RunningMean> = all.iter().copied().filter(|p| p.n >= from).collect();
        let x = Axis::log_count(from, to, "Number of paths (log scale)");
        let band = points
            .iter()
            .flat_map(|p| [p.mean - p.half_width, p.mean + p.half_width]);
        let (lo, hi) = data::finite_min_max(band).unwrap_or((0.0, 0.0));
        let (lo, hi) = data::centered_range(lo, hi);
        let (lo, hi) = data::padded_range(lo, hi, 0.05);
        let y = Axis::money(lo, hi, "Mean savings so far, PV (US$)");
        Panel { points, x, y }
    }

    fn draw(&self, ctx: &Ctx, area: &Area, opts: PlotOpts) -> DrawResult {
        let mut chart = axis::build::<Log, Linear>(area, &ctx.theme, &self.x, &self.y, opts)?;
        let Some(last) = self.points.last().copied() else {
            return axis::empty_message(&chart, &ctx.theme, "No paths in this run");
        };
        draw_band(&mut chart, &self.points)?;
        let final_line = vec![(self.x.lo, last.mean), (self.x.hi, last.mean)];
        chart.draw_series(DashedLineSeries::new(
            final_line,
            ctx.theme.px(10.0),
            ctx.theme.px(7.0),
            FINAL.stroke_width(ctx.theme.stroke(2.0)),
        ))?;
        let line = self.points.iter().map(|p| (p.n, p.mean));
        let style = LINE.stroke_width(ctx.theme.stroke(WIDTH));
        chart.draw_series(LineSeries::new(line, style))?;
        if self.points.len() == 1 {
            // A single path is a point, which a line would not show.
            let dot = Circle::new((last.n, last.mean), ctx.theme.upx(6.0), LINE.filled());
            chart.draw_series(std::iter::once(dot))?;
        }
        Ok(())
    }
}

fn draw_band(chart: &mut Plot<'_, '_, Log, Linear>, shown: &[RunningMean]) -> DrawResult {
    let upper = shown.iter().map(|p| (p.n, p.mean + p.half_width));
    let lower = shown.iter().rev().map(|p| (p.n, p.mean - p.half_width));
    let outline: Vec<(f64, f64)> = upper.chain(lower).collect();
    if outline.len() >= 4 {
        let fill = LINE.mix(palette::OUTER_BAND + 0.07).filled();
        chart.draw_series(std::iter::once(Polygon::new(outline, fill)))?;
    }
    Ok(())
}

fn convergence_legend(ctx: &Ctx) -> Legend {
    let t = ctx.results.techniques;
    // The run's own estimator: pair means and control variates when they were on.
    let e = ctx.results.estimate(Metric::SavingsPv);
    let s = ctx.stat(Metric::SavingsPv);
    let half = e.half_width();
    let band_note = if t.antithetic {
        "pair means ± 1.96 s / √pairs"
    } else {
        "mean ± 1.96 s / √n"
    };
    let relative = if s.mean != 0.0 {
        format!("{} of the mean", format_percent(half / s.mean.abs()))
    } else {
        "mean is zero".to_string()
    };
    Legend::new()
        .heading("Mean savings")
        .item(
            Swatch::Line {
                color: LINE,
                width: WIDTH,
                dashed: false,
            },
            "Running mean",
        )
        .item(
            Swatch::Band {
                color: LINE,
                alpha: palette::OUTER_BAND + 0.07,
            },
            "95% confidence band",
        )
        .note(band_note)
        .item(
            Swatch::Line {
                color: FINAL,
                width: 2.0,
                dashed: true,
            },
            format!("Final mean {}", format_money(s.mean)),
        )
        .gap()
        .heading(format!("95% CI ±{}", format_money(half)))
        .note(relative)
        .note(technique_note(ctx, e.variance_reduction))
        .note(format!(
            "after {} paths",
            format_number(ctx.paths() as f64, 0)
        ))
        .note("4× the paths halves the band")
}
