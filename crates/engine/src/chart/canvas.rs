//! A thin drawing surface over plotters' SVG backend: pixel coordinates,
//! hex colours, text in the compiled-in font with sizes in px.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::fonts::{self, FAMILY};
use super::theme::Theme;
use crate::{Error, Result};

/// Horizontal placement of text relative to its x.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

pub struct Canvas<'a, 'b> {
    area: &'b DrawingArea<SVGBackend<'a>, Shift>,
    pub w: f64,
    pub h: f64,
    /// Type and spacing scale (1 on screen, larger on slides).
    pub s: f64,
    pub theme: &'b Theme,
    error: Option<String>,
}

/// Parse `#RRGGBB` (anything else is mid grey).
pub fn rgb(hex: &str) -> RGBColor {
    let h = hex.trim_start_matches('#');
    let p = |i: usize| {
        h.get(i..i + 2)
            .and_then(|s| u8::from_str_radix(s, 16).ok())
            .unwrap_or(128)
    };
    RGBColor(p(0), p(2), p(4))
}

impl<'a, 'b> Canvas<'a, 'b> {
    fn note<E: std::fmt::Display>(&mut self, r: std::result::Result<(), E>) {
        if let Err(e) = r {
            self.error.get_or_insert_with(|| e.to_string());
        }
    }

    pub fn rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, color: &str, alpha: f64) {
        let (x0, x1) = (x0.min(x1), x0.max(x1));
        let (y0, y1) = (y0.min(y1), y0.max(y1));
        let style = rgb(color).mix(alpha).filled();
        let r = self.area.draw(&Rectangle::new(
            [
                (x0.round() as i32, y0.round() as i32),
                (x1.round() as i32, y1.round() as i32),
            ],
            style,
        ));
        self.note(r);
    }

    pub fn line(&mut self, points: &[(f64, f64)], color: &str, width: f64) {
        let pts: Vec<(i32, i32)> = points
            .iter()
            .map(|(x, y)| (x.round() as i32, y.round() as i32))
            .collect();
        let style = rgb(color).stroke_width(width.round().max(1.0) as u32);
        let r = self.area.draw(&PathElement::new(pts, style));
        self.note(r);
    }

    pub fn polygon(&mut self, points: &[(f64, f64)], color: &str, alpha: f64) {
        let pts: Vec<(i32, i32)> = points
            .iter()
            .map(|(x, y)| (x.round() as i32, y.round() as i32))
            .collect();
        let r = self
            .area
            .draw(&Polygon::new(pts, rgb(color).mix(alpha).filled()));
        self.note(r);
    }

    pub fn circle(&mut self, x: f64, y: f64, radius: f64, color: &str) {
        let r = self.area.draw(&Circle::new(
            (x.round() as i32, y.round() as i32),
            radius.round().max(1.0) as i32,
            rgb(color).filled(),
        ));
        self.note(r);
    }

    /// Draw `text` with its vertical middle at `y`. `size` in px (before the
    /// canvas scale is applied: pass UI sizes, 11/13/20).
    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &mut self,
        text: &str,
        x: f64,
        y: f64,
        size: f64,
        bold: bool,
        color: &str,
        align: Align,
    ) {
        if text.is_empty() {
            return;
        }
        let px = size * self.s;
        let style = if bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        let h = match align {
            Align::Left => HPos::Left,
            Align::Center => HPos::Center,
            Align::Right => HPos::Right,
        };
        // plotters' SVG backend writes font-size = size / 1.24.
        let font = (FontFamily::Name(FAMILY), px * 1.24, style)
            .into_font()
            .color(&rgb(color))
            .pos(Pos::new(h, VPos::Center));
        let r = self.area.draw(&Text::new(
            text.to_string(),
            (x.round() as i32, y.round() as i32),
            font,
        ));
        self.note(r);
    }

    /// Width in px of `text` at UI size `size` (scaled).
    pub fn width(&self, text: &str, size: f64, bold: bool) -> f64 {
        fonts::text_width(text, (size * self.s) as f32, bold) as f64
    }

    pub fn wrap(&self, text: &str, size: f64, bold: bool, width: f64) -> Vec<String> {
        fonts::wrap(text, (size * self.s) as f32, bold, width as f32)
    }

    pub fn ellipsize(&self, text: &str, size: f64, bold: bool, width: f64) -> String {
        fonts::ellipsize(text, (size * self.s) as f32, bold, width as f32)
    }

    /// Wrap to at most `max_lines`, the last one ellipsized.
    pub fn wrap_lines(
        &self,
        text: &str,
        size: f64,
        bold: bool,
        width: f64,
        max_lines: usize,
    ) -> Vec<String> {
        let mut lines = self.wrap(text, size, bold, width);
        if lines.len() > max_lines {
            let rest = lines[max_lines - 1..].join(" ");
            lines.truncate(max_lines - 1);
            lines.push(self.ellipsize(&rest, size, bold, width));
        }
        lines
            .into_iter()
            .map(|l| self.ellipsize(&l, size, bold, width))
            .collect()
    }
}

/// Draw on a fresh `w` x `h` canvas filled with the theme's background and
/// return the SVG document.
pub fn draw<F>(w: u32, h: u32, scale: f32, theme: &Theme, f: F) -> Result<String>
where
    F: FnOnce(&mut Canvas) -> Result<()>,
{
    fonts::register_plotters();
    let mut out = String::new();
    {
        let backend = SVGBackend::with_string(&mut out, (w, h));
        let area = backend.into_drawing_area();
        area.fill(&rgb(theme.background))
            .map_err(|e| Error::Invalid(format!("could not draw the chart: {e}")))?;
        let mut c = Canvas {
            area: &area,
            w: w as f64,
            h: h as f64,
            s: scale as f64,
            theme,
            error: None,
        };
        f(&mut c)?;
        if let Some(e) = c.error.take() {
            return Err(Error::Invalid(format!("could not draw the chart: {e}")));
        }
        area.present()
            .map_err(|e| Error::Invalid(format!("could not draw the chart: {e}")))?;
    }
    Ok(out)
}
