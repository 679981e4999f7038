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
