//! The one font of Stepwise (DejaVu Sans, regular and bold), compiled into
//! the binary so charts and reports look the same on every machine: nothing
//! is loaded from the system at run time.

use std::sync::{Arc, OnceLock};

/// The family name written into every SVG (`font-family`).
pub const FAMILY: &str = "DejaVu Sans";

pub static REGULAR: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/fonts/DejaVuSans.ttf"
));
pub static BOLD: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/fonts/DejaVuSans-Bold.ttf"
));

/// Register the fonts with plotters (idempotent).
pub(crate) fn register_plotters() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        use plotters::style::FontStyle;
        // The bytes are a valid TrueType font compiled in; failure is impossible
        // short of a corrupt build, and then text measurement falls back.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, REGULAR);
        let _ = plotters::style::register_font(FAMILY, FontStyle::Bold, BOLD);
    });
}

/// A font database holding only the compiled-in fonts, with DejaVu Sans as
/// the generic sans-serif family (shared; built once).
pub fn fontdb() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(REGULAR)));
        db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(BOLD)));
        db.set_sans_serif_family(FAMILY);
        db.set_serif_family(FAMILY);
        db.set_monospace_family(FAMILY);
        db.set_cursive_family(FAMILY);
        db.set_fantasy_family(FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// usvg options that resolve every font to the compiled-in one.
pub fn usvg_options() -> usvg::Options<'static> {
    let mut opt = usvg::Options {
        font_family: FAMILY.to_string(),
        ..Default::default()
    };
    opt.fontdb = fontdb();
    opt
}

struct Metrics {
    units_per_em: f32,
    /// Advance widths indexed by char for the Latin-1 range; others looked up.
    face: ttf_parser::Face<'static>,
    ascii: Vec<u16>,
}

fn metrics(bold: bool) -> &'static Metrics {
    static REG: OnceLock<Metrics> = OnceLock::new();
    static BLD: OnceLock<Metrics> = OnceLock::new();
    let (cell, bytes) = if bold { (&BLD, BOLD) } else { (&REG, REGULAR) };
    cell.get_or_init(|| {
        let face = ttf_parser::Face::parse(bytes, 0).expect("compiled-in font parses");
        let ascii = (0u32..256)
            .map(|c| {
                char::from_u32(c)
                    .and_then(|ch| face.glyph_index(ch))
                    .and_then(|g| face.glyph_hor_advance(g))
                    .unwrap_or(0)
            })
            .collect();
        Metrics {
            units_per_em: face.units_per_em() as f32,
            face,
            ascii,
        }
    })
}

/// The width of `text` set in DejaVu Sans at `size` px (no kerning; within a
/// few percent of the shaped width).
pub fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    let m = metrics(bold);
    let mut units: u32 = 0;
    for ch in text.chars() {
        let c = ch as u32;
        units += if c < 256 {
            m.ascii[c as usize] as u32
        } else {
            m.face
                .glyph_index(ch)
                .and_then(|g| m.face.glyph_hor_advance(g))
                .unwrap_or(m.ascii[b'M' as usize]) as u32
        };
    }
    units as f32 * size / m.units_per_em
}

/// Break `text` into lines no wider than `width` px (words longer than a line
/// are kept whole). Newlines in the text start new lines.
pub fn wrap(text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if line.is_empty() {
                line.push_str(word);
                continue;
            }
            let candidate = format!("{line} {word}");
            if text_width(&candidate, size, bold) <= width {
                line = candidate;
            } else {
                lines.push(std::mem::take(&mut line));
                line.push_str(word);
            }
        }
        lines.push(line);
    }
    lines
}

/// Shorten `text` with an ellipsis so that it fits in `width` px.
pub fn ellipsize(text: &str, size: f32, bold: bool, width: f32) -> String {
    if text_width(text, size, bold) <= width {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let s: String = chars.iter().collect::<String>().trim_end().to_string() + "\u{2026}";
        if text_width(&s, size, bold) <= width {
            return s;
        }
    }
    "\u{2026}".to_string()
}

/// The SVG for a webview: each `<text>` gets `textLength` = its width by
/// the font's own advances, the width the engine wrapped and ellipsized it
/// with. A webview draws small text with hinted advances, about 3% wider
/// than the font's (DejaVu Sans at 11 px: 710 px where the font says 686),
/// so a caption wrapped to fit would run past the chart's edge; with
/// `textLength` the webview adjusts the spacing to the width we planned.
/// Exports (PNG, PDF) are drawn unhinted from the plain SVG and need none.
pub fn fit_text_lengths(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len() + svg.len() / 16);
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        let Some(open_end) = rest[start..].find('>').map(|i| start + i) else {
            break;
        };
        let Some(close) = rest[open_end..].find("</text>").map(|i| open_end + i) else {
            break;
        };
        let tag = &rest[start..open_end];
        let shown = unescape(rest[open_end + 1..close].trim());
        let size = attr(tag, "font-size").and_then(|v| v.parse::<f32>().ok());
        out.push_str(&rest[..open_end]);
        if let (Some(size), false, None) = (size, shown.is_empty(), attr(tag, "textLength")) {
            let bold = attr(tag, "font-weight") == Some("bold");
            let w = text_width(&shown, size, bold);
            if w.is_finite() && w > 0.0 {
                out.push_str(&format!(" textLength=\"{w:.2}\" lengthAdjust=\"spacing\""));
            }
        }
        rest = &rest[open_end..];
    }
    out.push_str(rest);
    out
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let end = tag[i..].find('"')?;
    Some(&tag[i..i + end])
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod fit_tests {
    use super::*;

    #[test]
    fn every_text_gets_the_width_the_engine_measured() {
        let svg = "<svg><text x=\"1\" font-family=\"DejaVu Sans\" font-size=\"11\" fill=\"#000\">\nA &amp; B\n</text>\
                   <rect/><text x=\"2\" font-size=\"20\" font-weight=\"bold\">\nTitle\n</text><text font-size=\"9\">\n\n</text></svg>";
        let out = fit_text_lengths(svg);
        let a = text_width("A & B", 11.0, false);
        let t = text_width("Title", 20.0, true);
        assert!(t > text_width("Title", 20.0, false));
        assert!(
            out.contains(&format!(
                "fill=\"#000\" textLength=\"{a:.2}\" lengthAdjust=\"spacing\">\nA &amp; B\n</text>"
            )),
            "{out}"
        );
        assert!(
            out.contains(&format!("font-weight=\"bold\" textLength=\"{t:.2}\"")),
            "{out}"
        );
        // an empty text is left alone, and nothing else changes
        assert_eq!(out.matches("textLength").count(), 2);
        assert_eq!(
            out.replace(
                &format!(" textLength=\"{a:.2}\" lengthAdjust=\"spacing\""),
                ""
            )
            .replace(
                &format!(" textLength=\"{t:.2}\" lengthAdjust=\"spacing\""),
                ""
            ),
            svg
        );
        // a broken document is passed through
        assert_eq!(
            fit_text_lengths("<svg><text font-size=\"3\">x"),
            "<svg><text font-size=\"3\">x"
        );
    }
}
