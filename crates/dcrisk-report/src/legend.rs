//! A legend we lay out ourselves, so it can sit beside the plot (never on the data),
//! mix series keys with headline numbers ("Leasing loses on 4.8% of paths"), and wrap
//! long lines instead of clipping them.

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::axis::Area;
use crate::error::DrawResult;
use crate::palette;
use crate::theme::{DASH, DOT, Theme};

/// The little picture in front of a legend entry.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Swatch {
    /// A line; `dashed` for dashed series.
    Line {
        color: RGBColor,
        width: f64,
        dashed: bool,
    },
    /// A dotted line, drawn with the plot's dot pattern (the pattern of `fan.rs`'s dotted lines).
    Dotted { color: RGBColor, width: f64 },
    /// The outline of a band, as a fan band drawn by its edges only; `dotted` with the
    /// plot's dot pattern.
    Outline {
        color: RGBColor,
        width: f64,
        dotted: bool,
    },
    /// A translucent band, as in a fan chart.
    Band { color: RGBColor, alpha: f64 },
    /// A solid block, as a bar.
    Block { color: RGBColor },
}

/// One row of a legend.
#[derive(Clone, Debug)]
enum Row {
    Item(Swatch, String),
    Heading(String),
    Note(String),
    Gap,
}

/// A legend: key entries, headings and notes, top to bottom.
#[derive(Clone, Debug, Default)]
pub(crate) struct Legend {
    rows: Vec<Row>,
}

/// Reference sizes (at 1600x1000).
const PAD: f64 = 16.0;
const SWATCH_W: f64 = 40.0;
const SWATCH_GAP: f64 = 12.0;
const LINE_SPACING: f64 = 1.45;
const GAP: f64 = 10.0;

impl Legend {
    pub(crate) fn new() -> Self {
        Legend::default()
    }

    /// An entry with a swatch.
    pub(crate) fn item(mut self, swatch: Swatch, text: impl Into<String>) -> Self {
        self.rows.push(Row::Item(swatch, text.into()));
        self
    }

    /// A bold line of text.
    pub(crate) fn heading(mut self, text: impl Into<String>) -> Self {
        self.rows.push(Row::Heading(text.into()));
        self
    }

    /// A line of secondary text, indented like the entries.
    pub(crate) fn note(mut self, text: impl Into<String>) -> Self {
        self.rows.push(Row::Note(text.into()));
        self
    }

    /// A little vertical space between groups.
    pub(crate) fn gap(mut self) -> Self {
        self.rows.push(Row::Gap);
        self
    }

    /// Appends another legend's rows.
    pub(crate) fn extend(mut self, other: Legend) -> Self {
        self.rows.extend(other.rows);
        self
    }

    fn style(theme: &Theme, row: &Row) -> TextStyle<'static> {
        match row {
            Row::Heading(_) => theme.legend_heading(),
            Row::Note(_) => theme.note(),
            _ => theme.legend(),
        }
    }

    fn indent(theme: &Theme, row: &Row) -> i32 {
        match row {
            Row::Item(..) => theme.px(SWATCH_W + SWATCH_GAP),
            _ => 0,
        }
    }

    /// The legend laid out within `max_width` pixels: wrapped lines per row, and the
    /// width actually needed.
    fn layout(&self, area: &Area, theme: &Theme, max_width: i32) -> DrawResult<Layout> {
        let pad = theme.px(PAD);
        let mut lines = Vec::with_capacity(self.rows.len());
        let mut widest = 0;
        for row in &self.rows {
            let text = match row {
                Row::Item(_, t) | Row::Heading(t) | Row::Note(t) => t.as_str(),
                Row::Gap => {
                    lines.push(Vec::new());
                    continue;
                }
            };
            let indent = Legend::indent(theme, row);
            let style = Legend::style(theme, row);
            let wrapped = wrap(area, &style, text, max_width - 2 * pad - indent)?;
            for line in &wrapped {
                widest = widest.max(indent + text_width(area, &style, line)?);
            }
            lines.push(wrapped);
        }
        Ok(Layout {
            lines,
            width: widest + 2 * pad,
        })
    }

    /// The width this legend needs, at most `max_width`.
    pub(crate) fn width(&self, area: &Area, theme: &Theme, max_width: i32) -> DrawResult<i32> {
        Ok(self.layout(area, theme, max_width)?.width.min(max_width))
    }

    /// Draws the legend with its top-left corner at `origin`, `width` pixels wide, on a
    /// white background with a thin frame. Returns the height used.
    pub(crate) fn draw(
        &self,
        area: &Area,
        theme: &Theme,
        origin: (i32, i32),
        width: i32,
    ) -> DrawResult<i32> {
        if self.rows.is_empty() {
            return Ok(0);
        }
        let layout = self.layout(area, theme, width)?;
        let height = self.height(theme, &layout);
        let (x0, y0) = origin;
        area.draw(&Rectangle::new(
            [(x0, y0), (x0 + width, y0 + height)],
            WHITE.filled(),
        ))?;
        area.draw(&Rectangle::new(
            [(x0, y0), (x0 + width, y0 + height)],
            palette::FRAME.stroke_width(1),
        ))?;
        let mut y = y0 + theme.px(PAD);
        for (row, lines) in self.rows.iter().zip(&layout.lines) {
            y += self.draw_row(area, theme, row, lines, (x0 + theme.px(PAD), y))?;
        }
        Ok(height)
    }

    fn line_height(theme: &Theme) -> i32 {
        theme.px(21.0 * LINE_SPACING)
    }

    fn height(&self, theme: &Theme, layout: &Layout) -> i32 {
        let line = Legend::line_height(theme);
        let body: i32 = layout
            .lines
            .iter()
            .map(|l| {
                if l.is_empty() {
                    theme.px(GAP)
                } else {
                    line * l.len() as i32
                }
            })
            .sum();
        body + 2 * theme.px(PAD)
    }

    /// Draws one row at `(x, y)` (top-left); returns its height.
    fn draw_row(
        &self,
        area: &Area,
        theme: &Theme,
        row: &Row,
        lines: &[String],
        (x, y): (i32, i32),
    ) -> DrawResult<i32> {
        if lines.is_empty() {
            return Ok(theme.px(GAP));
        }
        let line = Legend::line_height(theme);
        if let Row::Item(swatch, _) = row {
            draw_swatch(area, theme, *swatch, (x, y + line / 2))?;
        }
        let style = Legend::style(theme, row).pos(Pos::new(HPos::Left, VPos::Center));
        let indent = Legend::indent(theme, row);
        for (i, text) in lines.iter().enumerate() {
            let cy = y + line / 2 + line * i as i32;
            area.draw(&Text::new(text.as_str(), (x + indent, cy), style.clone()))?;
        }
        Ok(line * lines.len() as i32)
    }
}

struct Layout {
    lines: Vec<Vec<String>>,
    width: i32,
}

/// Draws a swatch with its left edge at `x`, vertically centred on `cy`.
fn draw_swatch(area: &Area, theme: &Theme, swatch: Swatch, (x, cy): (i32, i32)) -> DrawResult {
    let w = theme.px(SWATCH_W);
    let half = theme.px(8.0);
    match swatch {
        Swatch::Line {
            color,
            width,
            dashed,
        } => {
            let style = color.stroke_width(theme.stroke(width));
            if dashed {
                patterned(area, theme, (x, x + w, cy), style, DASH)?;
            } else {
                area.draw(&PathElement::new(vec![(x, cy), (x + w, cy)], style))?;
            }
        }
        Swatch::Dotted { color, width } => {
            let style = color.stroke_width(theme.stroke(width));
            patterned(area, theme, (x, x + w, cy), style, DOT)?;
        }
        Swatch::Outline {
            color,
            width,
            dotted,
        } => {
            let style = color.stroke_width(theme.stroke(width));
            let (top, bottom) = (cy - half, cy + half);
            let ring = vec![
                (x, top),
                (x + w, top),
                (x + w, bottom),
                (x, bottom),
                (x, top),
            ];
            if dotted {
                let (dot, gap) = DOT;
                area.draw(&DashedPathElement::new(
                    ring,
                    theme.px(dot),
                    theme.px(gap),
                    style,
                ))?;
            } else {
                area.draw(&PathElement::new(ring, style))?;
            }
        }
        Swatch::Band { color, alpha } => {
            area.draw(&Rectangle::new(
                [(x, cy - half), (x + w, cy + half)],
                color.mix(alpha).filled(),
            ))?;
        }
        Swatch::Block { color } => {
            area.draw(&Rectangle::new(
                [(x, cy - half), (x + w, cy + half)],
                color.filled(),
            ))?;
        }
    }
    Ok(())
}

/// A horizontal line from `x0` to `x1` at `cy` with the plot's `(dash, gap)` pattern,
/// drawn by the same element as the plot's lines so the swatch matches them exactly.
fn patterned(
    area: &Area,
    theme: &Theme,
    (x0, x1, cy): (i32, i32, i32),
    style: ShapeStyle,
    (dash, gap): (f64, f64),
) -> DrawResult {
    area.draw(&DashedPathElement::new(
        vec![(x0, cy), (x1, cy)],
        theme.px(dash),
        theme.px(gap),
        style,
    ))?;
    Ok(())
}

/// Width of `text` in `style`, in pixels.
pub(crate) fn text_width(area: &Area, style: &TextStyle, text: &str) -> DrawResult<i32> {
    Ok(area.estimate_text_size(text, style)?.0 as i32)
}

/// `text` shortened with an ellipsis until it fits in `max_width` (a very long scenario
/// name must not push the title off the image).
pub(crate) fn truncate(
    area: &Area,
    style: &TextStyle,
    text: &str,
    max_width: i32,
) -> DrawResult<String> {
    if text_width(area, style, text)? <= max_width {
        return Ok(text.to_string());
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>() + "…";
        if text_width(area, style, &candidate)? <= max_width {
            return Ok(candidate);
        }
    }
    Ok(String::new())
}

/// Splits `text` into lines no wider than `max_width`, at spaces (a single word wider
/// than that gets a line of its own).
fn wrap(area: &Area, style: &TextStyle, text: &str, max_width: i32) -> DrawResult<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if current.is_empty() || text_width(area, style, &candidate)? <= max_width {
            current = candidate;
        } else {
            lines.push(std::mem::replace(&mut current, word.to_string()));
        }
    }
    lines.push(current);
    Ok(lines)
}
