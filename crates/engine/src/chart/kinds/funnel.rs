//! The funnel chart.

use super::*;

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
