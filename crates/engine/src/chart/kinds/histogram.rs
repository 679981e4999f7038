//! The histogram chart.

use super::*;

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
