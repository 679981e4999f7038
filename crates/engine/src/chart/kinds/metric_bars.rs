//! The metric bars chart.

use super::*;

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
