//! The crate's error type, and the internal drawing error the chart functions return.

use plotters::drawing::DrawingAreaErrorKind;

/// Why charts or reports could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The requested image size is too small for the text or too large for memory.
    #[error("chart size {width}x{height}: each side must be between {min} and {max} pixels")]
    InvalidSize {
        width: u32,
        height: u32,
        min: u32,
        max: u32,
    },
    /// The embedded font could not be parsed (a corrupt build).
    #[error("the embedded font {name} could not be loaded")]
    Font { name: &'static str },
    /// plotters failed while drawing a chart.
    #[error("drawing {chart}: {message}")]
    Draw {
        chart: &'static str,
        message: String,
    },
    /// The rendered image could not be encoded as PNG.
    #[error("encoding {chart} as PNG: {message}")]
    Encode {
        chart: &'static str,
        message: String,
    },
    /// The workbook writer refused the report's content.
    #[error("writing the workbook: {0}")]
    Workbook(String),
}

/// A drawing failure inside one chart, before we know which chart to name.
#[derive(Debug)]
pub(crate) struct DrawError(pub String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for DrawError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        DrawError(e.to_string())
    }
}

/// What a chart-drawing function returns.
pub(crate) type DrawResult<T = ()> = Result<T, DrawError>;
