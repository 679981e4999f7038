//! The trend chart.

use super::*;

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
        d.note.as_deref().unwrap_or(
            "Lines: conversion rate per period. Bands: confidence interval; wide bands mean few units in that period.",
        ),
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
    // room at either end for half of the widest period label
    let widest = d.series[0]
        .points
        .iter()
        .map(|p| c.width(&p.period, 11.0, false))
        .fold(0.0, f64::max);
    let inner = (12.0 * s).max(widest / 2.0 + 2.0 * s);
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
