//! Colours: the Okabe-Ito palette, which stays distinguishable for the common forms of
//! colour blindness, plus neutral greys for text and grid. Charts name colours by role
//! (`PROGRAM`, `CLOUD`, `LOSS`) so every chart tells the same story in the same colour.

use plotters::style::RGBColor;

pub(crate) const BLACK: RGBColor = RGBColor(0, 0, 0);
pub(crate) const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub(crate) const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
pub(crate) const BLUISH_GREEN: RGBColor = RGBColor(0, 158, 115);
pub(crate) const BLUE: RGBColor = RGBColor(0, 114, 178);
pub(crate) const VERMILLION: RGBColor = RGBColor(213, 94, 0);
pub(crate) const REDDISH_PURPLE: RGBColor = RGBColor(204, 121, 167);

/// Body text and axes.
pub(crate) const TEXT: RGBColor = RGBColor(33, 33, 33);
/// Subtitles and secondary notes.
pub(crate) const MUTED: RGBColor = RGBColor(100, 100, 100);
/// Major grid lines.
pub(crate) const GRID: RGBColor = RGBColor(225, 225, 225);
/// Opacity of the shade (of `MUTED`) behind the base case's row in comparison charts,
/// light enough for the grid to show through.
pub(crate) const BASE_ROW: f64 = 0.12;
/// Legend frame.
pub(crate) const FRAME: RGBColor = RGBColor(190, 190, 190);

/// The lease program (the tenant's own costs).
pub(crate) const PROGRAM: RGBColor = BLUE;
/// The all-cloud counterfactual.
pub(crate) const CLOUD: RGBColor = ORANGE;
/// Outcomes where leasing loses money, shortfalls, tail risk.
pub(crate) const LOSS: RGBColor = VERMILLION;
/// Outcomes where leasing saves money.
pub(crate) const GAIN: RGBColor = SKY_BLUE;

/// Opacity of the outer (P5-P95) and inner (P25-P75) fan bands.
pub(crate) const OUTER_BAND: f64 = 0.18;
pub(crate) const INNER_BAND: f64 = 0.38;
