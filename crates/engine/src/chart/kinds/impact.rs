//! The impact chart.

use super::*;

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
