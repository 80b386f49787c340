//! PNG encoding of a rendered RGB buffer, in memory. Fixed encoder settings (no
//! timestamps, no gamma chunks) keep the bytes a pure function of the pixels.

use std::io::Cursor;

use crate::ReportError;

/// Encodes `rgb` (3 bytes per pixel, row-major) as an 8-bit RGB PNG.
pub(crate) fn encode_rgb(
    chart: &'static str,
    rgb: &[u8],
    width: u32,
    height: u32,
) -> Result<Vec<u8>, ReportError> {
    let encode_err = |e: png::EncodingError| ReportError::Encode {
        chart,
        message: e.to_string(),
    };
    let mut out = Cursor::new(Vec::with_capacity(rgb.len() / 8));
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        encoder.set_filter(png::FilterType::Sub);
        encoder.set_adaptive_filter(png::AdaptiveFilterType::NonAdaptive);
        let mut writer = encoder.write_header().map_err(encode_err)?;
        writer.write_image_data(rgb).map_err(encode_err)?;
        writer.finish().map_err(encode_err)?;
    }
    Ok(out.into_inner())
}
