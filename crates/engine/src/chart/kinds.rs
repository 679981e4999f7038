//! The six charts. Each draws on a [`Canvas`] in pixel coordinates; sizes of
//! type are UI sizes (20 px titles, 13 px body, 11 px captions) times the
//! canvas scale.

use super::canvas::{Align, Canvas};
use super::format::{self, ValueKind};
use super::*;
use crate::Result;

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

pub fn funnel(c: &mut Canvas, d: &FunnelChartData) -> Result<()> {
    if d.steps.is_empty() {
        return empty(c, &d.title, d.subtitle.as_deref(), "No steps to show.");
    }
    let s = c.s;
    let pad = PAD * s;
    let top = header(c, &d.title, d.subtitle.as_deref());
    let bn = d.bottleneck_step();
    let unit = &d.unit;
    let mut note = format!(
        "Bars: {unit} reaching each step, with % of the first step. Grey: {unit} lost since the previous step."
    );
    if let Some(b) = bn {
        let st = &d.steps[b];
        note.push_str(&format!(
            " Largest drop (orange): step {}, {} did not continue.",
            b + 1,
            format::percent(1.0 - fin(st.conversion_from_previous))
        ));
    }
    let fbottom = footer(c, &note);
    let plot_bottom = fbottom - 2.0 * 15.0 * s - 10.0 * s;
    let maxc = d.steps.iter().map(|s| s.count).max().unwrap_or(0) as f64;
    let ticks = format::nice_ticks(0.0, maxc.max(1.0), 4);
    // A drop too small to label inside its grey block is labelled above the
    // column; leave room for that line when such a column is near the top.
    let tmax = *ticks.last().unwrap_or(&1.0);
    let est_h = plot_bottom - top - 36.0 * s;
    let needs_line = |k: usize| {
        let (prev, cur) = (d.steps[k - 1].count as f64, d.steps[k].count as f64);
        prev > cur && (prev - cur) / tmax * est_h < 15.0 * s
    };
    let crowded = (1..d.steps.len())
        .any(|k| needs_line(k) && d.steps[k - 1].count as f64 / tmax * est_h > est_h - 16.0 * s);
    let plot_top = top + if crowded { 52.0 } else { 36.0 } * s;
    let left = pad + y_label_width(c, &ticks, ValueKind::Count);
    let right = c.w - pad;
    let y = y_axis(
        c,
        &ticks,
        ValueKind::Count,
        left,
        right,
        plot_top,
        plot_bottom,
    );
    let n = d.steps.len();
    let slot = (right - left) / n as f64;
    let bw = (slot * 0.64).min(160.0 * s);
    let th = c.theme.clone();
    for (k, st) in d.steps.iter().enumerate() {
        let cx = left + slot * (k as f64 + 0.5);
        let (x0, x1) = (cx - bw / 2.0, cx + bw / 2.0);
        let is_bn = Some(k) == bn;
        let color = if is_bn { th.accent } else { th.palette[0] };
        let count = st.count as f64;
        let mut col_top = y.at(count);
        if k >= 1 {
            let prev = d.steps[k - 1].count as f64;
            if prev > count {
                c.rect(x0, y.at(prev), x1, y.at(count), th.ghost, 1.0);
                let pcx = left + slot * (k as f64 - 0.5);
                c.line(
                    &[(pcx + bw / 2.0, y.at(prev)), (x0, y.at(prev))],
                    th.axis,
                    1.0,
                );
                col_top = y.at(prev);
                let gh = y.at(count) - y.at(prev);
                let drop = format!(
                    "\u{2212}{}",
                    format::percent(1.0 - fin(st.conversion_from_previous))
                );
                let dcol = if is_bn { th.accent } else { th.muted };
                let fits = c.width(&drop, 12.0, true) <= bw - 4.0 * s;
                let mid = (y.at(prev) + y.at(count)) / 2.0;
                if fits && gh >= 32.0 * s {
                    c.text(&drop, cx, mid - 7.0 * s, 12.0, true, dcol, Align::Center);
                    c.text(
                        "dropped",
                        cx,
                        mid + 8.0 * s,
                        11.0,
                        false,
                        dcol,
                        Align::Center,
                    );
                } else if fits && gh >= 15.0 * s {
                    c.text(&drop, cx, mid, 12.0, true, dcol, Align::Center);
                } else {
                    c.text(
                        &drop,
                        cx,
                        y.at(prev) - 39.0 * s,
                        12.0,
                        true,
                        dcol,
                        Align::Center,
                    );
                }
            }
        }
        c.rect(x0, y.at(count), x1, y.at(0.0), color, 1.0);
        let cnt = format::count(st.count);
        c.text(
            &cnt,
            cx,
            col_top - 23.0 * s,
            13.0,
            true,
            th.text,
            Align::Center,
        );
        let pct = format::percent(st.conversion_from_start);
        let long = format!("{pct} of start");
        let label = if k > 0 && c.width(&long, 11.0, false) <= slot - 4.0 * s {
            long
        } else {
            pct
        };
        c.text(
            &label,
            cx,
            col_top - 8.0 * s,
            11.0,
            false,
            th.muted,
            Align::Center,
        );
    }
    c.line(&[(left, y.at(0.0)), (right, y.at(0.0))], th.axis, 1.0);
    let labels: Vec<String> = d
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}. {}", i + 1, s.label))
        .collect();
    x_labels(c, &labels, left, slot, plot_bottom);
    Ok(())
}

pub fn comparison(c: &mut Canvas, d: &ComparisonChartData) -> Result<()> {
    let nsteps = d.step_labels.len();
    if nsteps == 0 || d.series.is_empty() {
        return empty(c, &d.title, d.subtitle.as_deref(), "Nothing to compare.");
    }
    let s = c.s;
    let pad = PAD * s;
    let th = c.theme.clone();
    let top = header(c, &d.title, d.subtitle.as_deref());
    let colours = th.series_colours(
        &d.series
            .iter()
            .map(|se| se.colour.as_deref())
            .collect::<Vec<_>>(),
    );
    let items: Vec<(String, &'static str)> = d
        .series
        .iter()
        .zip(&colours)
        .map(|(se, c)| (se.name.clone(), *c))
        .collect();
    let top = legend(c, top, &items);
    let level = d
        .confidence
        .map(|l| format!("{}% ", format::number(l * 100.0, 0)))
        .unwrap_or_default();
    let note = format!(
        "Bars: conversion from the first step, per segment. Whiskers: {level}confidence interval of each rate."
    );
    let fbottom = footer(c, &note);
    let plot_bottom = fbottom - 2.0 * 15.0 * s - 10.0 * s;
    let plot_top = top + 18.0 * s;
    let hi = d
        .series
        .iter()
        .flat_map(|se| se.steps.iter())
        .map(|st| fin(st.rate).max(fin(st.ci_high.unwrap_or(0.0))))
        .fold(0.0, f64::max);
    let mut ticks = format::nice_ticks(0.0, hi.max(0.01), 4);
    if hi <= 1.0 && *ticks.last().unwrap() > 1.0 {
        ticks.retain(|t| *t <= 1.0 + 1e-9);
        if *ticks.last().unwrap() < hi {
            ticks.push(1.0);
        }
    }
    let left = pad + y_label_width(c, &ticks, ValueKind::Rate);
    let right = c.w - pad;
    let y = y_axis(
        c,
        &ticks,
        ValueKind::Rate,
        left,
        right,
        plot_top,
        plot_bottom,
    );
    let slot = (right - left) / nsteps as f64;
    let ns = d.series.len();
    let gw = slot * 0.8;
    let bw = gw / ns as f64;
    // Label every bar or none, so no bar looks special for having a label.
    let widest = d
        .series
        .iter()
        .flat_map(|se| se.steps.iter())
        .map(|st| c.width(&format::percent(st.rate), 10.0, false))
        .fold(0.0, f64::max);
    let labelled = widest <= bw * 0.96;
    for j in 0..nsteps {
        let gx = left + slot * j as f64 + (slot - gw) / 2.0;
        for (i, se) in d.series.iter().enumerate() {
            let Some(st) = se.steps.get(j) else { continue };
            let x0 = gx + bw * i as f64 + bw * 0.08;
            let x1 = gx + bw * (i as f64 + 1.0) - bw * 0.08;
            let cx = (x0 + x1) / 2.0;
            c.rect(x0, y.at(st.rate), x1, y.at(0.0), colours[i], 1.0);
            let mut label_y = y.at(st.rate);
            if let (Some(lo), Some(hi)) = (st.ci_low, st.ci_high) {
                let cap = ((x1 - x0) * 0.3).max(2.0);
                c.line(&[(cx, y.at(lo)), (cx, y.at(hi))], th.text, 1.0);
                c.line(&[(cx - cap, y.at(lo)), (cx + cap, y.at(lo))], th.text, 1.0);
                c.line(&[(cx - cap, y.at(hi)), (cx + cap, y.at(hi))], th.text, 1.0);
                label_y = label_y.min(y.at(hi));
            }
            let v = format::percent(st.rate);
            if labelled {
                c.text(
                    &v,
                    cx,
                    label_y - 8.0 * s,
                    10.0,
                    false,
                    th.text,
                    Align::Center,
                );
            }
        }
    }
    c.line(&[(left, y.at(0.0)), (right, y.at(0.0))], th.axis, 1.0);
    let labels: Vec<String> = d
        .step_labels
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{}. {}", i + 1, l))
        .collect();
    x_labels(c, &labels, left, slot, plot_bottom);
    Ok(())
}

pub fn trend(c: &mut Canvas, d: &TrendChartData) -> Result<()> {
    let n = d.series.first().map(|s| s.points.len()).unwrap_or(0);
    if n == 0 {
        return empty(c, &d.title, d.subtitle.as_deref(), "No periods to show.");
    }
    let s = c.s;
    let pad = PAD * s;
    let th = c.theme.clone();
    let top = header(c, &d.title, d.subtitle.as_deref());
    let items: Vec<(String, &'static str)> = d
        .series
        .iter()
        .enumerate()
        .map(|(i, se)| (se.name.clone(), th.series(i)))
        .collect();
    let top = legend(c, top, &items);
    let fbottom = footer(
        c,
        "Lines: conversion rate per period. Bands: confidence interval; wide bands mean few units in that period.",
    );
    let plot_bottom = fbottom - 22.0 * s;
    let plot_top = top + 8.0 * s;
    let hi = d
        .series
        .iter()
        .flat_map(|se| se.points.iter())
        .map(|p| fin(p.rate).max(fin(p.ci_high.unwrap_or(0.0))))
        .fold(0.0, f64::max);
    let ticks = format::nice_ticks(0.0, hi.max(0.01), 4);
    let left = pad + y_label_width(c, &ticks, ValueKind::Rate);
    let right = c.w - pad;
    let y = y_axis(
        c,
        &ticks,
        ValueKind::Rate,
        left,
        right,
        plot_top,
        plot_bottom,
    );
    let inner = 12.0 * s;
    let x = |i: usize| -> f64 {
        if n == 1 {
            (left + right) / 2.0
        } else {
            left + inner + (right - left - 2.0 * inner) * i as f64 / (n - 1) as f64
        }
    };
    for (si, se) in d.series.iter().enumerate() {
        let pts: Vec<&TrendPoint> = se.points.iter().take(n).collect();
        if pts
            .iter()
            .all(|p| p.ci_low.is_some() && p.ci_high.is_some())
            && pts.len() > 1
        {
            let mut poly: Vec<(f64, f64)> = pts
                .iter()
                .enumerate()
                .map(|(i, p)| (x(i), y.at(p.ci_high.unwrap_or(p.rate))))
                .collect();
            poly.extend(
                pts.iter()
                    .enumerate()
                    .rev()
                    .map(|(i, p)| (x(i), y.at(p.ci_low.unwrap_or(p.rate)))),
            );
            c.polygon(&poly, th.series(si), 0.16);
        }
    }
    for (si, se) in d.series.iter().enumerate() {
        let line: Vec<(f64, f64)> = se
            .points
            .iter()
            .take(n)
            .enumerate()
            .map(|(i, p)| (x(i), y.at(p.rate)))
            .collect();
        c.line(&line, th.series(si), 2.0 * s);
        for (px, py) in &line {
            c.circle(*px, *py, 2.5 * s, th.series(si));
        }
    }
    c.line(&[(left, y.at(0.0)), (right, y.at(0.0))], th.axis, 1.0);
    let labels: Vec<&str> = d.series[0]
        .points
        .iter()
        .map(|p| p.period.as_str())
        .collect();
    let lw = labels
        .iter()
        .map(|l| c.width(l, 11.0, false))
        .fold(0.0, f64::max)
        + 14.0 * s;
    let every = ((lw * n as f64) / (right - left)).ceil().max(1.0) as usize;
    for (i, l) in labels.iter().enumerate() {
        if i % every == 0 {
            c.text(
                l,
                x(i),
                plot_bottom + 12.0 * s,
                11.0,
                false,
                th.muted,
                Align::Center,
            );
        }
    }
    Ok(())
}

pub fn histogram(c: &mut Canvas, d: &HistogramData) -> Result<()> {
    if d.bins.is_empty() {
        return empty(
            c,
            &d.title,
            d.subtitle.as_deref(),
            "No conversions to show.",
        );
    }
    let s = c.s;
    let pad = PAD * s;
    let th = c.theme.clone();
    let top = header(c, &d.title, d.subtitle.as_deref());
    let total: u64 = d.bins.iter().map(|b| b.count).sum();
    let fbottom = footer(
        c,
        &format!(
            "Each bar: {} whose time to convert fell in that range ({} in all).",
            d.unit,
            format::count(total)
        ),
    );
    let plot_bottom = fbottom - 22.0 * s;
    let plot_top = top + 22.0 * s;
    let maxc = d.bins.iter().map(|b| b.count).max().unwrap_or(0) as f64;
    let ticks = format::nice_ticks(0.0, maxc.max(1.0), 4);
    let left = pad + y_label_width(c, &ticks, ValueKind::Count);
    let right = c.w - pad - 10.0 * s;
    let y = y_axis(
        c,
        &ticks,
        ValueKind::Count,
        left,
        right,
        plot_top,
        plot_bottom,
    );
    let n = d.bins.len();
    let slot = (right - left) / n as f64;
    let gap = (slot * 0.08).clamp(1.0, 4.0 * s);
    for (i, b) in d.bins.iter().enumerate() {
        let x0 = left + slot * i as f64;
        c.rect(
            x0 + gap / 2.0,
            y.at(b.count as f64),
            x0 + slot - gap / 2.0,
            y.at(0.0),
            th.palette[0],
            1.0,
        );
    }
    c.line(&[(left, y.at(0.0)), (right, y.at(0.0))], th.axis, 1.0);
    // Edge labels, thinned so they do not collide.
    let mut edges: Vec<f64> = d.bins.iter().map(|b| b.from_seconds).collect();
    edges.push(d.bins[n - 1].to_seconds);
    let lw = edges
        .iter()
        .map(|e| c.width(&format::duration(*e), 11.0, false))
        .fold(0.0, f64::max)
        + 12.0 * s;
    let every = (lw / slot).ceil().max(1.0) as usize;
    for (i, e) in edges.iter().enumerate() {
        if i % every == 0 {
            let ex = left + slot * i as f64;
            c.line(&[(ex, y.at(0.0)), (ex, y.at(0.0) + 4.0 * s)], th.axis, 1.0);
            c.text(
                &format::duration(*e),
                ex,
                plot_bottom + 13.0 * s,
                11.0,
                false,
                th.muted,
                Align::Center,
            );
        }
    }
    if let Some(m) = d.median_seconds.filter(|m| m.is_finite()) {
        let pos = d
            .bins
            .iter()
            .position(|b| m >= b.from_seconds && m <= b.to_seconds);
        if let Some(i) = pos {
            let b = &d.bins[i];
            let frac = if b.to_seconds > b.from_seconds {
                (m - b.from_seconds) / (b.to_seconds - b.from_seconds)
            } else {
                0.5
            };
            let mx = left + slot * (i as f64 + frac);
            c.line(
                &[(mx, plot_top - 14.0 * s), (mx, y.at(0.0))],
                th.accent,
                2.0 * s,
            );
            let label = format!("median {}", format::duration(m));
            let lwid = c.width(&label, 11.0, true);
            if mx + 6.0 * s + lwid <= c.w - pad {
                c.text(
                    &label,
                    mx + 6.0 * s,
                    plot_top - 8.0 * s,
                    11.0,
                    true,
                    th.accent,
                    Align::Left,
                );
            } else {
                c.text(
                    &label,
                    mx - 6.0 * s,
                    plot_top - 8.0 * s,
                    11.0,
                    true,
                    th.accent,
                    Align::Right,
                );
            }
        }
    }
    Ok(())
}

pub fn impact(c: &mut Canvas, d: &ImpactChartData) -> Result<()> {
    if d.items.is_empty() {
        return empty(c, &d.title, d.subtitle.as_deref(), "No candidates to rank.");
    }
    let s = c.s;
    let pad = PAD * s;
    let th = c.theme.clone();
    let top = header(c, &d.title, d.subtitle.as_deref());
    // In the ranking's order (the table's): by expected value, not by lift.
    let items: Vec<&ImpactItem> = d.items.iter().collect();
    let fbottom = footer(
        c,
        "Dots: relative lift in conversion of units that did the action over those that did not; lines: confidence interval. Grey: not significant after Holm's correction (the p-values printed are raw), or not enough data.",
    );
    let axis_h = 22.0 * s;
    let plot_top = top + 6.0 * s;
    let plot_bottom = fbottom - axis_h;
    let max_rows = (((plot_bottom - plot_top) / (16.0 * s)).floor() as usize).max(1);
    let shown = items.len().min(max_rows);
    let row_h = ((plot_bottom - plot_top) / shown as f64).min(44.0 * s);
    let items = &items[..shown];
    let label_w = items
        .iter()
        .map(|i| c.width(&i.label, 12.0, false))
        .fold(0.0, f64::max)
        .min(c.w * 0.32)
        + 12.0 * s;
    let value_w = items
        .iter()
        .map(|i| {
            c.width(&format::signed_percent(i.lift), 12.0, true)
                + i.p_value
                    .map(|p| 8.0 * s + c.width(&format::p_value(p), 11.0, false))
                    .unwrap_or(0.0)
        })
        .fold(0.0, f64::max)
        + 14.0 * s;
    let left = pad + label_w;
    let right = c.w - pad - value_w;
    let lo = items
        .iter()
        .map(|i| fin(i.ci_low).min(fin(i.lift)))
        .fold(0.0, f64::min);
    let hi = items
        .iter()
        .map(|i| fin(i.ci_high).max(fin(i.lift)))
        .fold(0.0, f64::max);
    let ticks = format::nice_ticks(lo, hi, 5);
    let step = if ticks.len() > 1 {
        ticks[1] - ticks[0]
    } else {
        1.0
    };
    let x = Scale {
        d0: ticks[0],
        d1: *ticks.last().unwrap(),
        r0: left,
        r1: right,
    };
    let bottom = plot_top + row_h * shown as f64;
    // A narrow chart has room for fewer labels than ticks: a label that would
    // print over the previous one is left out (its grid line stays).
    let mut last_right = f64::NEG_INFINITY;
    for t in &ticks {
        let tx = x.at(*t);
        c.line(&[(tx, plot_top), (tx, bottom)], th.grid, 1.0);
        let label = format::tick(ValueKind::Lift, *t, step);
        let half = c.width(&label, 11.0, false) / 2.0;
        if tx - half < last_right + 6.0 * s {
            continue;
        }
        last_right = tx + half;
        c.text(
            &label,
            tx,
            bottom + 12.0 * s,
            11.0,
            false,
            th.muted,
            Align::Center,
        );
    }
    c.line(&[(x.at(0.0), plot_top), (x.at(0.0), bottom)], th.axis, 1.0);
    for (r, it) in items.iter().enumerate() {
        let cy = plot_top + row_h * (r as f64 + 0.5);
        let sig = it.is_significant();
        let color = if !sig {
            th.neutral
        } else if it.lift >= 0.0 {
            th.palette[0]
        } else {
            th.accent
        };
        let label = c.ellipsize(&it.label, 12.0, false, label_w - 12.0 * s);
        c.text(&label, pad, cy, 12.0, false, th.text, Align::Left);
        c.line(
            &[(x.at(it.ci_low), cy), (x.at(it.ci_high), cy)],
            color,
            2.0 * s,
        );
        c.circle(x.at(it.lift), cy, 4.5 * s, color);
        let v = format::signed_percent(it.lift);
        let vx = right + 12.0 * s;
        c.text(
            &v,
            vx,
            cy,
            12.0,
            true,
            if sig { th.text } else { th.muted },
            Align::Left,
        );
        if let Some(p) = it.p_value {
            let w = c.width(&v, 12.0, true);
            c.text(
                &format::p_value(p),
                vx + w + 8.0 * s,
                cy,
                11.0,
                false,
                th.muted,
                Align::Left,
            );
        }
    }
    Ok(())
}

pub fn metric_bars(c: &mut Canvas, d: &MetricBarsData) -> Result<()> {
    if d.bars.is_empty() {
        return empty(c, &d.title, d.subtitle.as_deref(), "No rows to show.");
    }
    let s = c.s;
    let pad = PAD * s;
    let th = c.theme.clone();
    let top = header(c, &d.title, d.subtitle.as_deref());
    let mut bars: Vec<&MetricBar> = d.bars.iter().collect();
    bars.sort_by(|a, b| fin(b.value).total_cmp(&fin(a.value)));
    let limit = d.limit.unwrap_or(12).max(1);
    let total = bars.len();
    let fbottom = {
        let mut note = format!("{} by {}", d.metric, d.dimension);
        if total > limit {
            note.push_str(&format!(", the largest {limit} of {total}"));
        }
        note.push('.');
        footer(c, &note)
    };
    let plot_top = top + 6.0 * s;
    let fit = (((fbottom - plot_top) / (16.0 * s)).floor() as usize).max(1);
    let shown = total.min(limit).min(fit);
    let bars = &bars[..shown];
    let row_h = ((fbottom - plot_top) / shown as f64).min(32.0 * s);
    let label_w = bars
        .iter()
        .map(|b| c.width(&b.label, 12.0, false))
        .fold(0.0, f64::max)
        .min(c.w * 0.34)
        + 12.0 * s;
    let values: Vec<String> = bars
        .iter()
        .map(|b| format::value(d.value_kind, b.value))
        .collect();
    let value_w = values
        .iter()
        .map(|v| c.width(v, 12.0, false))
        .fold(0.0, f64::max)
        + 12.0 * s;
    let left = pad + label_w;
    let right = c.w - pad - value_w;
    let maxv = bars.iter().map(|b| fin(b.value)).fold(0.0, f64::max);
    for (r, (b, v)) in bars.iter().zip(&values).enumerate() {
        let cy = plot_top + row_h * (r as f64 + 0.5);
        let label = c.ellipsize(&b.label, 12.0, false, label_w - 12.0 * s);
        c.text(&label, pad, cy, 12.0, false, th.text, Align::Left);
        let len = if maxv > 0.0 {
            (fin(b.value).max(0.0) / maxv) * (right - left)
        } else {
            0.0
        };
        let bh = row_h * 0.64;
        c.rect(
            left,
            cy - bh / 2.0,
            left + len,
            cy + bh / 2.0,
            th.palette[0],
            1.0,
        );
        c.text(
            v,
            left + len + 6.0 * s,
            cy,
            12.0,
            false,
            th.text,
            Align::Left,
        );
    }
    c.line(
        &[(left, plot_top), (left, plot_top + row_h * shown as f64)],
        th.axis,
        1.0,
    );
    Ok(())
}
