//! Text sizes, line widths and spacing, scaled to the image so a 800x500 chart looks like
//! a shrunken 1600x1000 one rather than one with giant text.

use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle, IntoFont, RGBColor, TextStyle};

use crate::ChartOptions;
use crate::font::FAMILY;
use crate::palette;

/// Dash and gap lengths at the reference size, of dashed and dotted lines. The legend
/// draws its swatches with the same patterns as the plots' lines (`fan.rs`), so a key
/// always looks like its line.
pub(crate) const DASH: (f64, f64) = (10.0, 7.0);
pub(crate) const DOT: (f64, f64) = (3.0, 5.0);

/// Sizes at the reference size 1600x1000, in pixels.
const TITLE: f64 = 36.0;
const SUBTITLE: f64 = 22.0;
const PANEL_TITLE: f64 = 25.0;
const AXIS_DESC: f64 = 23.0;
const TICK: f64 = 21.0;
const LEGEND: f64 = 21.0;
const ANNOTATION: f64 = 19.0;

/// Scale of one chart relative to the reference size.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Theme {
    scale: f64,
}

impl Theme {
    /// The smaller of the two ratios to 1600x1000, so text fits both ways; never below
    /// 0.5 so small charts stay legible.
    pub(crate) fn new(opts: &ChartOptions) -> Self {
        let scale = (f64::from(opts.width) / 1600.0)
            .min(f64::from(opts.height) / 1000.0)
            .max(0.5);
        Theme { scale }
    }

    /// A length at the reference size, scaled, in whole pixels (at least 1).
    pub(crate) fn px(&self, reference: f64) -> i32 {
        (reference * self.scale).round().max(1.0) as i32
    }

    /// [`Theme::px`] as `u32`, for plotters' sizes.
    pub(crate) fn upx(&self, reference: f64) -> u32 {
        self.px(reference).unsigned_abs()
    }

    fn text(&self, size: f64, color: RGBColor) -> TextStyle<'static> {
        (FAMILY, size * self.scale).into_font().color(&color)
    }

    fn bold(&self, size: f64, color: RGBColor) -> TextStyle<'static> {
        // `FontDesc::style` would keep the regular glyphs; a new desc looks the bold up.
        FontDesc::new(FontFamily::from(FAMILY), size * self.scale, FontStyle::Bold).color(&color)
    }

    pub(crate) fn title(&self) -> TextStyle<'static> {
        self.bold(TITLE, palette::TEXT)
    }

    pub(crate) fn subtitle(&self) -> TextStyle<'static> {
        self.text(SUBTITLE, palette::MUTED)
    }

    pub(crate) fn panel_title(&self) -> TextStyle<'static> {
        self.bold(PANEL_TITLE, palette::TEXT)
    }

    pub(crate) fn axis_desc(&self) -> TextStyle<'static> {
        self.text(AXIS_DESC, palette::TEXT)
    }

    pub(crate) fn tick(&self) -> TextStyle<'static> {
        self.text(TICK, palette::TEXT)
    }

    pub(crate) fn legend(&self) -> TextStyle<'static> {
        self.text(LEGEND, palette::TEXT)
    }

    pub(crate) fn legend_heading(&self) -> TextStyle<'static> {
        self.bold(LEGEND, palette::TEXT)
    }

    pub(crate) fn note(&self) -> TextStyle<'static> {
        self.text(LEGEND * 0.9, palette::MUTED)
    }

    /// Small text drawn inside a plot, in the colour of what it labels.
    pub(crate) fn annotation(&self, color: RGBColor) -> TextStyle<'static> {
        self.bold(ANNOTATION, color)
    }

    /// A value written above a bar.
    pub(crate) fn bar_label(&self) -> TextStyle<'static> {
        self.text(ANNOTATION * 0.95, palette::TEXT)
    }

    /// A message in the middle of an empty plot.
    pub(crate) fn empty_message(&self) -> TextStyle<'static> {
        self.text(PANEL_TITLE, palette::MUTED)
            .pos(Pos::new(HPos::Center, VPos::Center))
    }

    /// Line width at the reference size 1600x1000.
    pub(crate) fn stroke(&self, reference: f64) -> u32 {
        self.upx(reference)
    }
}
