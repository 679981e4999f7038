//! The comparison chart.

use super::*;

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
