//! The embedded font. plotters' `ab_glyph` backend only knows fonts registered at run
//! time, so we register DejaVu Sans (regular and bold) once under the family name every
//! chart uses. Embedding it means no fontconfig, freetype or system fonts are needed,
//! and text renders the same on every machine (byte-identical PNGs).

use std::sync::OnceLock;

use plotters::style::{FontStyle, register_font};

use crate::ReportError;

/// The family name charts ask for.
pub(crate) const FAMILY: &str = "sans-serif";

/// DejaVu Sans, Bitstream Vera licence: see `fonts/LICENSE-DejaVu.txt`.
static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Registers the fonts on first call; later calls return the first outcome.
pub(crate) fn register() -> Result<(), ReportError> {
    static OUTCOME: OnceLock<Result<(), &'static str>> = OnceLock::new();
    let outcome = OUTCOME.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, REGULAR).map_err(|_| "DejaVuSans.ttf")?;
        register_font(FAMILY, FontStyle::Bold, BOLD).map_err(|_| "DejaVuSans-Bold.ttf")
    });
    outcome.map_err(|name| ReportError::Font { name })
}
