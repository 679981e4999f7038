//! The seven charts. Each draws on a [`Canvas`] in pixel coordinates; sizes of
//! type are UI sizes (20 px titles, 13 px body, 11 px captions) times the
//! canvas scale. One file per chart; the shared pieces (header, footer,
//! legend, axes) are here.

use super::canvas::{Align, Canvas};
use super::format::{self, ValueKind};
use super::*;
use crate::Result;

mod comparison;
mod funnel;
mod histogram;
mod impact;
mod metric_bars;
mod sankey;
mod trend;
pub use {
    comparison::comparison, funnel::funnel, histogram::histogram, impact::impact,
    metric_bars::metric_bars, sankey::sankey, trend::trend,
};

const PAD: f64 = 16.0;

fn fin(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        0.0
    }
}

/// Title and subtitle; returns the y below them.
fn header(c: &mut Canvas, title: &str, subtitle: Option<&str>) -> f64 {
    let s = c.s;
    let pad = PAD * s;
    let (text, muted) = (c.theme.text, c.theme.muted);
    let t = c.ellipsize(title, 20.0, true, c.w - 2.0 * pad);
    c.text(&t, pad, pad + 12.0 * s, 20.0, true, text, Align::Left);
    let mut y = pad + 26.0 * s;
    if let Some(sub) = subtitle.filter(|s| !s.trim().is_empty()) {
        let sub = c.ellipsize(sub, 13.0, false, c.w - 2.0 * pad);
        c.text(&sub, pad, y + 9.0 * s, 13.0, false, muted, Align::Left);
        y += 20.0 * s;
    }
    y + 8.0 * s
}

/// A caption at the bottom (at most two lines); returns the y above it.
fn footer(c: &mut Canvas, note: &str) -> f64 {
    let s = c.s;
    let pad = PAD * s;
    if note.is_empty() {
        return c.h - pad;
    }
    let lines = c.wrap_lines(note, 11.0, false, c.w - 2.0 * pad, 2);
    let lh = 15.0 * s;
    let top = c.h - pad * 0.75 - lines.len() as f64 * lh;
    let muted = c.theme.muted;
    for (i, l) in lines.iter().enumerate() {
        c.text(
            l,
            pad,
            top + i as f64 * lh + lh / 2.0,
            11.0,
            false,
            muted,
            Align::Left,
        );
    }
    top - 6.0 * s
}

/// Coloured swatches with names, wrapping; returns the y below.
fn legend(c: &mut Canvas, y: f64, items: &[(String, &'static str)]) -> f64 {
    let s = c.s;
    let pad = PAD * s;
    let mut x = pad;
    let mut y = y;
    let row = 18.0 * s;
    let text = c.theme.text;
    for (name, color) in items {
        let name = c.ellipsize(name, 12.0, false, c.w * 0.4);
        let w = 14.0 * s + c.width(&name, 12.0, false) + 16.0 * s;
        if x > pad && x + w > c.w - pad {
            x = pad;
            y += row;
        }
        c.rect(
            x,
            y + row / 2.0 - 5.0 * s,
            x + 10.0 * s,
            y + row / 2.0 + 5.0 * s,
            color,
            1.0,
        );
        c.text(
            &name,
            x + 14.0 * s,
            y + row / 2.0,
            12.0,
            false,
            text,
            Align::Left,
        );
        x += w;
    }
    y + row + 6.0 * s
}

fn empty(c: &mut Canvas, title: &str, subtitle: Option<&str>, message: &str) -> Result<()> {
    header(c, title, subtitle);
    let muted = c.theme.muted;
    c.text(
        message,
        c.w / 2.0,
        c.h / 2.0,
        13.0,
        false,
        muted,
        Align::Center,
    );
    Ok(())
}

/// A linear map from data to pixels.
#[derive(Clone, Copy)]
struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    fn at(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if span == 0.0 {
            return self.r0;
        }
        self.r0 + (fin(v) - self.d0) / span * (self.r1 - self.r0)
    }
}

/// Horizontal gridlines and tick labels left of `left`; returns the ticks' scale.
fn y_axis(
    c: &mut Canvas,
    ticks: &[f64],
    kind: ValueKind,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
) -> Scale {
    let step = if ticks.len() > 1 {
        ticks[1] - ticks[0]
    } else {
        1.0
    };
    let sc = Scale {
        d0: ticks[0],
        d1: *ticks.last().unwrap_or(&1.0),
        r0: bottom,
        r1: top,
    };
    let (grid, muted) = (c.theme.grid, c.theme.muted);
    for t in ticks {
        let y = sc.at(*t);
        c.line(&[(left, y), (right, y)], grid, 1.0);
        let label = format::tick(kind, *t, step);
        c.text(
            &label,
            left - 6.0 * c.s,
            y,
            11.0,
            false,
            muted,
            Align::Right,
        );
    }
    sc
}

fn y_label_width(c: &Canvas, ticks: &[f64], kind: ValueKind) -> f64 {
    let step = if ticks.len() > 1 {
        ticks[1] - ticks[0]
    } else {
        1.0
    };
    ticks
        .iter()
        .map(|t| c.width(&format::tick(kind, *t, step), 11.0, false))
        .fold(0.0, f64::max)
        + 10.0 * c.s
}

/// Category labels centred under slots, up to two lines.
fn x_labels(c: &mut Canvas, labels: &[String], left: f64, slot: f64, y: f64) {
    let s = c.s;
    let text = c.theme.text;
    for (k, label) in labels.iter().enumerate() {
        let cx = left + slot * (k as f64 + 0.5);
        let lines = c.wrap_lines(label, 12.0, false, (slot - 6.0 * s).max(20.0), 2);
        for (i, l) in lines.iter().enumerate() {
            c.text(
                l,
                cx,
                y + 6.0 * s + i as f64 * 15.0 * s + 7.5 * s,
                12.0,
                false,
                text,
                Align::Center,
            );
        }
    }
}
