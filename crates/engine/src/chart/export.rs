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
    rasterise(tree, scale)?
        .encode_png()
        .map_err(|e| Error::Invalid(format!("the PNG could not be encoded: {e}")))
}

/// Rasterise an SVG at `scale` into straight (not premultiplied) RGBA
/// pixels: `(pixels, width, height)`, for the clipboard.
pub fn svg_to_rgba(svg: &str, scale: f32) -> Result<(Vec<u8>, u32, u32)> {
    let pixmap = rasterise(&parse(svg)?, scale)?;
    let (w, h) = (pixmap.width(), pixmap.height());
    let mut out = Vec::with_capacity(w as usize * h as usize * 4);
    for p in pixmap.pixels() {
        let c = p.demultiply();
        out.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
    Ok((out, w, h))
}

fn rasterise(tree: &usvg::Tree, scale: f32) -> Result<resvg::tiny_skia::Pixmap> {
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
    Ok(pixmap)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgba_is_the_png_pixels_at_the_same_scale() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10" viewBox="0 0 20 10"><rect width="20" height="10" fill="#0072B2"/><rect width="10" height="10" fill="#E69F00" fill-opacity="0.5"/></svg>"##;
        let (px, w, h) = svg_to_rgba(svg, 2.0).unwrap();
        assert_eq!((w, h), (40, 20));
        assert_eq!(px.len(), 40 * 20 * 4);
        // right half: opaque blue
        let at = |x: usize, y: usize| &px[(y * 40 + x) * 4..(y * 40 + x) * 4 + 4];
        assert_eq!(at(30, 10), &[0x00, 0x72, 0xB2, 0xFF]);
        // left half: orange over blue, opaque, not premultiplied garbage
        let left = at(5, 10);
        assert_eq!(left[3], 0xFF);
        assert!(left[0] > 0x60 && left[2] < 0xB2, "{left:?}");
        let png = svg_to_png(svg, 2.0).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert!(svg_to_rgba(svg, 0.0).is_err());
    }
}
