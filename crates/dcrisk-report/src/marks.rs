//! Vertical reference lines (mean, quantiles, expected shortfall) with short tags at the
//! top of the plot. Tags that would overlap are moved down a row, so close values (the
//! mean next to the median) stay readable.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::axis::{Linear, Plot, plot_rect, screen};
use crate::error::DrawResult;
use crate::fan;
use crate::legend::text_width;
use crate::theme::Theme;

/// A vertical line at `x` tagged `tag`.
#[derive(Clone, Debug)]
pub(crate) struct Mark {
    pub x: f64,
    pub tag: String,
    pub color: RGBColor,
    pub dashed: bool,
}

/// Line width of marks at the reference size.
pub(crate) const WIDTH: f64 = 2.5;

/// Draws every mark over the full height of the plot, then their tags.
pub(crate) fn draw_vertical(
    chart: &mut Plot<'_, '_, Linear, Linear>,
    theme: &Theme,
    marks: &[Mark],
) -> DrawResult {
    let y = chart.y_range();
    for m in marks.iter().filter(|m| m.x.is_finite()) {
        let pts = vec![(m.x, y.start), (m.x, y.end)];
        if m.dashed {
            fan::dashed(chart, theme, pts, m.color, WIDTH)?;
        } else {
            chart.draw_series(LineSeries::new(
                pts,
                m.color.stroke_width(theme.stroke(WIDTH)),
            ))?;
        }
    }
    draw_tags(chart, theme, marks)
}

/// Places tags in rows from the top of the plot, each in the first row where it does
/// not overlap the previous tag, on a white box so grid and bars do not show through.
fn draw_tags(chart: &Plot<'_, '_, Linear, Linear>, theme: &Theme, marks: &[Mark]) -> DrawResult {
    let area = screen(chart);
    let (xs, ys) = plot_rect(chart);
    let y_top = chart.y_range().end;
    let mut placed: Vec<(i32, &Mark)> = marks
        .iter()
        .filter(|m| m.x.is_finite())
        .map(|m| (chart.backend_coord(&(m.x, y_top)).0, m))
        .collect();
    placed.sort_by_key(|(px, _)| *px);
    let gap = theme.px(8.0);
    let row_h = theme.px(28.0);
    let mut row_ends: Vec<i32> = Vec::new();
    for (px, mark) in placed {
        let style = theme.annotation(mark.color);
        let w = text_width(&area, &style, &mark.tag)? + 2 * theme.px(4.0);
        let left = (px - w / 2).clamp(xs.start, (xs.end - w).max(xs.start));
        let row = row_ends
            .iter()
            .position(|end| *end + gap <= left)
            .unwrap_or(row_ends.len());
        if row == row_ends.len() {
            row_ends.push(left + w);
        } else {
            row_ends[row] = left + w;
        }
        let top = ys.start + theme.px(6.0) + row as i32 * row_h;
        let bottom = top + row_h - theme.px(4.0);
        area.draw(&Rectangle::new(
            [(left, top), (left + w, bottom)],
            WHITE.filled(),
        ))?;
        let center = (left + w / 2, (top + bottom) / 2);
        let style = style.pos(Pos::new(HPos::Center, VPos::Center));
        area.draw(&Text::new(mark.tag.as_str(), center, style))?;
    }
    Ok(())
}
