//! The page of a chart: title and subtitle on top, the plot on the left, the legend in
//! its own column on the right so it never covers data.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::axis::Area;
use crate::error::DrawResult;
use crate::legend::{Legend, truncate};
use crate::theme::Theme;

/// Reference sizes (at 1600x1000).
const MARGIN: f64 = 24.0;
const TITLE_LINE: f64 = 48.0;
const SUBTITLE_LINE: f64 = 30.0;
/// The legend column takes at most this share of the width.
const MAX_LEGEND_SHARE: f64 = 0.3;

/// Title, subtitle and legend of one chart.
pub(crate) struct Page<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    pub legend: &'a Legend,
}

/// Draws the page furniture on `root` and returns the area left for the plot(s).
/// Lays out a page with this title, subtitle and legend; returns the plot area.
pub(crate) fn page<'b>(
    root: &Area<'b>,
    theme: &Theme,
    title: &str,
    subtitle: &str,
    legend: &Legend,
) -> DrawResult<Area<'b>> {
    layout(
        root,
        theme,
        &Page {
            title,
            subtitle,
            legend,
        },
    )
}

pub(crate) fn layout<'b>(root: &Area<'b>, theme: &Theme, page: &Page) -> DrawResult<Area<'b>> {
    let margin = theme.px(MARGIN);
    let header = draw_header(root, theme, page)?;
    let width = root.dim_in_pixel().0 as i32;
    let max_legend = (f64::from(width) * MAX_LEGEND_SHARE) as i32;
    let legend_w = page.legend.width(root, theme, max_legend)?;
    let legend_x = width - margin - legend_w;
    page.legend
        .draw(root, theme, (legend_x, header + theme.px(16.0)), legend_w)?;
    let plot_right = if legend_w > 0 {
        legend_x - margin
    } else {
        width - margin
    };
    Ok(root.margin(header, margin, margin / 2, width - plot_right))
}

/// Draws title and subtitle; returns the height of the header band.
fn draw_header(root: &Area, theme: &Theme, page: &Page) -> DrawResult<i32> {
    let margin = theme.px(MARGIN);
    let max_w = root.dim_in_pixel().0 as i32 - 2 * margin;
    let left_top = Pos::new(HPos::Left, VPos::Top);
    let title = truncate(root, &theme.title(), page.title, max_w)?;
    root.draw(&Text::new(
        title,
        (margin, margin),
        theme.title().pos(left_top),
    ))?;
    let sub_y = margin + theme.px(TITLE_LINE);
    let subtitle = truncate(root, &theme.subtitle(), page.subtitle, max_w)?;
    root.draw(&Text::new(
        subtitle,
        (margin, sub_y),
        theme.subtitle().pos(left_top),
    ))?;
    Ok(sub_y + theme.px(SUBTITLE_LINE) + theme.px(8.0))
}
