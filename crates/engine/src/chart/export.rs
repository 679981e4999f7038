//! SVG to PNG (resvg) and to vector PDF (svg2pdf), with the compiled-in font.

use crate::{Error, Result};

use super::fonts;

/// Parse an SVG document with the compiled-in fonts.
pub fn parse(svg: &str) -> Result<usvg::Tree> {
    usvg::Tree::from_str(svg, &fonts::usvg_options())
        .map_err(|e| Error::Invalid(format!("the chart's SVG could not be read: {e}")))
}

/// Rasterise an SVG at `scale` (1 = one pixel per SVG unit, 2 for high-DPI)
/// and encode it as PNG.
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>> {
    let tree = parse(svg)?;
    tree_to_png(&tree, scale)
}

pub(crate) fn tree_to_png(tree: &usvg::Tree, scale: f32) -> Result<Vec<u8>> {
    if !(scale.is_finite() && scale > 0.0 && scale <= 8.0) {
        return Err(Error::Invalid(format!(
            "PNG scale {scale} is out of range; use a value from 0.1 to 8 (1 or 2 usually)"
        )));
    }
    let size = tree.size();
    let w = (size.width() * scale).round().max(1.0) as u32;
    let h = (size.height() * scale).round().max(1.0) as u32;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| Error::Invalid(format!("a {w} x {h} image is too large to draw")))?;
    resvg::render(
        tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| Error::Invalid(format!("the PNG could not be encoded: {e}")))
}

/// Convert an SVG into a one-page vector PDF (1 SVG unit = 1 pt), text kept
/// as text with the font embedded (subset).
pub fn svg_to_pdf(svg: &str) -> Result<Vec<u8>> {
    let tree = parse(svg)?;
    svg2pdf::to_pdf(
        &tree,
        svg2pdf::ConversionOptions::default(),
        svg2pdf::PageOptions::default(),
    )
    .map_err(|e| Error::Invalid(format!("the PDF could not be made: {e}")))
}
