//! Rendering one chart into memory: an RGB buffer drawn by plotters, then PNG bytes.

use plotters::prelude::*;

use crate::axis::Area;
use crate::error::DrawResult;
use crate::{ChartOptions, ReportError, png};

/// Draws a chart with `draw` on a white canvas of the requested size and encodes it.
pub(crate) fn render_png(
    chart: &'static str,
    opts: &ChartOptions,
    draw: impl FnOnce(&Area) -> DrawResult,
) -> Result<Vec<u8>, ReportError> {
    let (w, h) = (opts.width, opts.height);
    let mut rgb = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        draw(&root)
            .and_then(|()| root.present().map_err(Into::into))
            .map_err(|e| ReportError::Draw {
                chart,
                message: e.0,
            })?;
    }
    png::encode_rgb(chart, &rgb, w, h)
}
