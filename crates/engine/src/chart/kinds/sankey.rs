//! The Sankey chart of paths: a column per level, a bar per node sized by
//! its count, a band per link; labels right of their bars, moved apart so
//! that no two overlap (the smallest nodes lose theirs when a column has
//! more nodes than lines; the table lists them all).

use super::*;

/// Each node's bar: (x, top, height).
struct Bar {
    x: f64,
    y: f64,
    h: f64,
}

pub fn sankey(c: &mut Canvas, d: &SankeyChartData) -> Result<()> {
    let total = d
        .nodes
        .iter()
        .filter(|n| n.level == 0)
        .map(|n| n.count)
        .sum::<u64>();
    if d.nodes.is_empty() || total == 0 {
        return empty(
            c,
            &d.title,
            d.subtitle.as_deref(),
            &format!("No {} reached the start.", d.unit),
        );
    }
    let s = c.s;
    let pad = PAD * s;
    let th = c.theme.clone();
    let mut top = header(c, &d.title, d.subtitle.as_deref());
    let unit = &d.unit;
    let fbottom = footer(
        c,
        &format!(
            "Bars: {unit} at each node, sized by count; bands: {unit} going from one node to the next. Grey: smaller branches pooled into \u{201c}other\u{201d}, and \u{201c}end\u{201d} where journeys stop."
        ),
    );
    let ncol = d.nodes.iter().map(|n| n.level).max().unwrap_or(0) + 1;
    let (left, right) = (pad, c.w - pad);
    let step = (right - left) / ncol as f64;
    let nw = 12.0 * s;
    let col_x = |l: usize| left + step * l as f64;
    if !d.columns.is_empty() {
        for (l, name) in d.columns.iter().enumerate().take(ncol) {
            let name = c.ellipsize(name, 11.0, true, step - 8.0 * s);
            c.text(
                &name,
                col_x(l),
                top + 7.0 * s,
                11.0,
                true,
                th.muted,
                Align::Left,
            );
        }
        top += 20.0 * s;
    }
    let plot_top = top + 4.0 * s;
    let plot_bottom = fbottom - 6.0 * s;
    let plot_h = (plot_bottom - plot_top).max(20.0 * s);

    // vertical scale: the fullest column fills the plot, gaps included
    let mut cols: Vec<Vec<usize>> = vec![Vec::new(); ncol];
    for (i, n) in d.nodes.iter().enumerate() {
        cols[n.level].push(i);
    }
    let gap = 6.0 * s;
    let min_h = 2.0 * s;
    let col_sum = |ids: &[usize]| ids.iter().map(|&i| d.nodes[i].count).sum::<u64>() as f64;
    let mut k = f64::INFINITY;
    for ids in &cols {
        let sum = col_sum(ids);
        if sum <= 0.0 {
            continue;
        }
        let room = plot_h - gap * ids.len().saturating_sub(1) as f64;
        // nodes drawn at the minimum height take room from the others
        let mut kk = room.max(1.0) / sum;
        for _ in 0..3 {
            let small: f64 = ids
                .iter()
                .map(|&i| d.nodes[i].count as f64)
                .filter(|&c| c * kk < min_h)
                .map(|_| min_h)
                .sum();
            let big: f64 = ids
                .iter()
                .map(|&i| d.nodes[i].count as f64)
                .filter(|&c| c * kk >= min_h)
                .sum();
            if big > 0.0 {
                kk = ((room - small).max(1.0) / big).min(kk);
            }
        }
        k = k.min(kk);
    }
    if !k.is_finite() {
        k = plot_h / total as f64;
    }
    let mut bars: Vec<Bar> = d
        .nodes
        .iter()
        .map(|_| Bar {
            x: 0.0,
            y: 0.0,
            h: 0.0,
        })
        .collect();
    for (l, ids) in cols.iter().enumerate() {
        let mut y = plot_top;
        for &i in ids {
            let h = (d.nodes[i].count as f64 * k).max(min_h);
            bars[i] = Bar { x: col_x(l), y, h };
            y += h + gap;
        }
    }

    // colours: one per name (an event keeps its colour in every column)
    let mut names: Vec<&str> = Vec::new();
    let colour: Vec<&'static str> = d
        .nodes
        .iter()
        .map(|n| {
            if n.muted {
                return th.neutral;
            }
            let i = names.iter().position(|m| *m == n.label).unwrap_or_else(|| {
                names.push(&n.label);
                names.len() - 1
            });
            th.series(i)
        })
        .collect();

    // bands, stacked in the order of the nodes at either end
    let mut links: Vec<&SankeyLink> = d
        .links
        .iter()
        .filter(|e| e.from < d.nodes.len() && e.to < d.nodes.len() && e.count > 0)
        .collect();
    links.sort_by_key(|e| (e.from, e.to));
    let mut out_off = vec![0.0; d.nodes.len()];
    let mut in_off: Vec<f64> = vec![0.0; d.nodes.len()];
    for e in &links {
        let (a, b) = (&bars[e.from], &bars[e.to]);
        let t = e.count as f64 * k;
        let (x0, x1) = (a.x + nw, b.x);
        let y0 = a.y + out_off[e.from];
        let y1 = b.y + in_off[e.to];
        out_off[e.from] += t;
        in_off[e.to] += t;
        let steps = 24;
        let ease = |u: f64| u * u * (3.0 - 2.0 * u);
        let mut poly: Vec<(f64, f64)> = (0..=steps)
            .map(|j| {
                let u = j as f64 / steps as f64;
                (x0 + (x1 - x0) * u, y0 + (y1 - y0) * ease(u))
            })
            .collect();
        poly.extend((0..=steps).rev().map(|j| {
            let u = j as f64 / steps as f64;
            (x0 + (x1 - x0) * u, y0 + t + (y1 - y0) * ease(u))
        }));
        let alpha = if d.nodes[e.to].muted { 0.25 } else { 0.35 };
        c.polygon(&poly, colour[e.to], alpha);
    }
    for (i, b) in bars.iter().enumerate() {
        c.rect(b.x, b.y, b.x + nw, b.y + b.h, colour[i], 1.0);
    }

    // labels: right of the bar, one line each, spread so none overlap
    let lh = 15.0 * s;
    let lab_w = step - nw - 12.0 * s;
    for ids in &cols {
        let fit = ((plot_h + lh * 0.5) / lh).floor().max(1.0) as usize;
        let mut shown: Vec<usize> = ids.clone();
        if shown.len() > fit {
            let mut by_count = shown.clone();
            by_count.sort_by(|a, b| d.nodes[*b].count.cmp(&d.nodes[*a].count).then(a.cmp(b)));
            by_count.truncate(fit);
            shown.retain(|i| by_count.contains(i));
        }
        let mut ys: Vec<f64> = shown.iter().map(|&i| bars[i].y + bars[i].h / 2.0).collect();
        let (lo, hi) = (plot_top + lh / 2.0, plot_bottom - lh / 2.0);
        for j in 0..ys.len() {
            ys[j] = ys[j].max(lo);
            if j > 0 {
                ys[j] = ys[j].max(ys[j - 1] + lh);
            }
        }
        for j in (0..ys.len()).rev() {
            ys[j] = ys[j].min(hi);
            if j + 1 < ys.len() {
                ys[j] = ys[j].min(ys[j + 1] - lh);
            }
        }
        for (j, &i) in shown.iter().enumerate() {
            let n = &d.nodes[i];
            let b = &bars[i];
            let count = format::count(n.count);
            let cw = c.width(&count, 11.0, false);
            let name_w = (lab_w - cw - 8.0 * s).max(12.0 * s);
            let name = c.ellipsize(&n.label, 12.0, n.level == 0, name_w);
            let nwid = c.width(&name, 12.0, n.level == 0);
            let x = b.x + nw + 5.0 * s;
            let y = ys[j];
            c.rect(
                x - 2.0 * s,
                y - lh / 2.0 + 1.0 * s,
                x + nwid + 6.0 * s + cw + 2.0 * s,
                y + lh / 2.0 - 1.0 * s,
                th.background,
                0.75,
            );
            let col = if n.muted { th.muted } else { th.text };
            c.text(&name, x, y, 12.0, n.level == 0, col, Align::Left);
            c.text(
                &count,
                x + nwid + 6.0 * s,
                y,
                11.0,
                false,
                th.muted,
                Align::Left,
            );
        }
    }
    Ok(())
}
