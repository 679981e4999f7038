//! Page layout: a report's sections flowed onto pages as SVG documents in
//! points (1 unit = 1/72 inch), with a title page, a table of contents, page
//! numbers, charts scaled to the text width and tables that break across
//! pages with their header repeated.

use std::fmt::Write as _;

use super::{ReportDocument, Section, Table};
use crate::chart::fonts::{self, FAMILY};
use crate::chart::{self, ChartOptions, ChartSize, ThemeName};
use crate::Result;

const TEXT: &str = "#1F1F1F";
const MUTED: &str = "#5C5C5C";
const RULE: &str = "#D0D0D0";
const LIGHT_RULE: &str = "#E8E8E8";
const BLUE: &str = "#0072B2";

const MARGIN_X: f64 = 56.0;
const MARGIN_TOP: f64 = 56.0;
const MARGIN_BOTTOM: f64 = 64.0;

const BODY: f64 = 10.0;
const BODY_LH: f64 = 14.5;
const H1: f64 = 15.0;
const SUBHEAD: f64 = 11.5;
const SUBHEAD_LH: f64 = 16.0;
const TABLE: f64 = 8.5;
const TABLE_ROW: f64 = 14.0;

/// A link area on a page (top-left origin, points) that jumps to another page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageLink {
    pub rect: [f64; 4],
    /// 0-based index of the target page.
    pub target: usize,
}

/// One laid-out page.
#[derive(Debug, Clone)]
pub struct Page {
    pub svg: String,
    pub width: f64,
    pub height: f64,
    pub links: Vec<PageLink>,
}

/// An entry of the table of contents.
#[derive(Debug, Clone, PartialEq)]
pub struct TocEntry {
    pub title: String,
    /// 0-based page index.
    pub page: usize,
}

/// The laid-out report.
#[derive(Debug, Clone)]
pub struct RenderedReport {
    pub pages: Vec<Page>,
    pub toc: Vec<TocEntry>,
}

pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Anchor {
    Start,
    End,
}

#[allow(clippy::too_many_arguments)]
fn text_el(
    out: &mut String,
    s: &str,
    x: f64,
    y: f64,
    size: f64,
    bold: bool,
    color: &str,
    a: Anchor,
) {
    if s.is_empty() {
        return;
    }
    let _ = write!(
        out,
        r#"<text x="{x:.2}" y="{y:.2}" font-family="{FAMILY}" font-size="{size}" fill="{color}"{}{}>{}</text>"#,
        if bold { r#" font-weight="bold""# } else { "" },
        if a == Anchor::End {
            r#" text-anchor="end""#
        } else {
            ""
        },
        esc(s)
    );
}

fn line_el(out: &mut String, x0: f64, y0: f64, x1: f64, y1: f64, color: &str, w: f64) {
    let _ = write!(
        out,
        r#"<line x1="{x0:.2}" y1="{y0:.2}" x2="{x1:.2}" y2="{y1:.2}" stroke="{color}" stroke-width="{w}"/>"#
    );
}

fn width(s: &str, size: f64, bold: bool) -> f64 {
    fonts::text_width(s, size as f32, bold) as f64
}

fn wrap(s: &str, size: f64, bold: bool, w: f64) -> Vec<String> {
    fonts::wrap(s, size as f32, bold, w as f32)
}

fn ellipsize(s: &str, size: f64, bold: bool, w: f64) -> String {
    fonts::ellipsize(s, size as f32, bold, w as f32)
}

/// The inside of an SVG document (between the root tags).
fn svg_inner(svg: &str) -> &str {
    let start = svg
        .find("<svg")
        .and_then(|i| svg[i..].find('>').map(|j| i + j + 1))
        .unwrap_or(0);
    let end = svg.rfind("</svg>").unwrap_or(svg.len());
    &svg[start..end.max(start)]
}

struct Flow {
    w: f64,
    h: f64,
    pages: Vec<String>,
    y: f64,
}

impl Flow {
    fn content_w(&self) -> f64 {
        self.w - 2.0 * MARGIN_X
    }
    fn bottom(&self) -> f64 {
        self.h - MARGIN_BOTTOM
    }
    fn new_page(&mut self) {
        self.pages.push(String::new());
        self.y = MARGIN_TOP;
    }
    /// Start a new page unless `need` points fit below the current position.
    fn ensure(&mut self, need: f64) {
        if self.pages.is_empty() || (self.y + need > self.bottom() && self.y > MARGIN_TOP + 1.0) {
            self.new_page();
        }
    }
    fn out(&mut self) -> &mut String {
        self.pages.last_mut().expect("a page exists")
    }
    fn page_index(&self) -> usize {
        self.pages.len() - 1
    }

    fn heading(&mut self, s: &str) -> f64 {
        let lines = wrap(s, H1, true, self.content_w());
        let h = lines.len() as f64 * 20.0 + 10.0;
        let y0 = self.y;
        for (i, l) in lines.iter().enumerate() {
            let y = y0 + 15.0 + i as f64 * 20.0;
            text_el(self.out(), l, MARGIN_X, y, H1, true, TEXT, Anchor::Start);
        }
        self.y += h;
        h
    }

    /// A group's title inside a section (bold, body size).
    fn subheading(&mut self, s: &str) {
        for l in wrap(s, SUBHEAD, true, self.content_w()) {
            self.ensure(SUBHEAD_LH);
            let y = self.y + SUBHEAD;
            text_el(
                self.out(),
                &l,
                MARGIN_X,
                y,
                SUBHEAD,
                true,
                TEXT,
                Anchor::Start,
            );
            self.y += SUBHEAD_LH;
        }
        self.y += 4.0;
    }

    /// One bulleted paragraph per item.
    fn bullets(&mut self, items: &[String]) {
        for item in items {
            self.ensure(BODY_LH);
            let y = self.y + BODY;
            let _ = write!(
                self.out(),
                r#"<circle cx="{:.2}" cy="{:.2}" r="2.2" fill="{BLUE}"/>"#,
                MARGIN_X + 4.0,
                y - 3.4
            );
            self.paragraph(item, BODY, TEXT, 14.0);
            self.y += 5.0;
        }
    }

    fn heading_height(&self, s: &str) -> f64 {
        wrap(s, H1, true, self.content_w()).len() as f64 * 20.0 + 10.0
    }

    fn paragraph(&mut self, s: &str, size: f64, color: &str, indent: f64) {
        let lh = size * 1.45;
        for line in wrap(s, size, false, self.content_w() - indent) {
            self.ensure(lh);
            let y = self.y + size;
            text_el(
                self.out(),
                &line,
                MARGIN_X + indent,
                y,
                size,
                false,
                color,
                Anchor::Start,
            );
            self.y += lh;
        }
    }

    fn paragraph_height(&self, s: &str, size: f64) -> f64 {
        wrap(s, size, false, self.content_w()).len() as f64 * size * 1.45
    }

    /// Place a chart so that its own padding falls outside the text column:
    /// its title and axis labels line up with the text.
    fn chart(&mut self, svg: &str, src_w: f64, src_h: f64) {
        let k = chart_scale(self.content_w(), src_w);
        let h = src_h * k;
        self.ensure(h + 6.0);
        let (x, y) = (MARGIN_X - CHART_PAD * k, self.y - CHART_PAD * k * 0.5);
        let inner = svg_inner(svg).to_string();
        let _ = write!(
            self.out(),
            r#"<g transform="translate({x:.2} {y:.2}) scale({k:.5})">{inner}</g>"#
        );
        self.y += h - CHART_PAD * k * 0.5 + 10.0;
    }

    fn table(&mut self, t: &Table) {
        if t.columns.is_empty() {
            return;
        }
        let cw = self.content_w();
        let pad = 5.0;
        let ncol = t.columns.len();
        let mut natural: Vec<f64> = t
            .columns
            .iter()
            .map(|c| width(&c.name, TABLE, true) + 2.0 * pad)
            .collect();
        let cells: Vec<Vec<String>> = (0..t.rows.len())
            .map(|r| (0..ncol).map(|c| t.display(r, c)).collect())
            .collect();
        for row in &cells {
            for (c, s) in row.iter().enumerate() {
                natural[c] = natural[c].max(width(s, TABLE, false) + 2.0 * pad);
            }
        }
        let numeric: Vec<bool> = (0..ncol).map(|c| t.is_numeric(c)).collect();
        let num_total: f64 = (0..ncol).filter(|c| numeric[*c]).map(|c| natural[c]).sum();
        let text_total: f64 = (0..ncol).filter(|c| !numeric[*c]).map(|c| natural[c]).sum();
        let total = num_total + text_total;
        let mut widths = natural.clone();
        if total > cw {
            if text_total > 0.0 && num_total < cw - 60.0 {
                let avail = cw - num_total;
                for c in 0..ncol {
                    if !numeric[c] {
                        widths[c] = natural[c] / text_total * avail;
                    }
                }
            } else {
                for w in widths.iter_mut() {
                    *w *= cw / total;
                }
            }
        } else if let Some(first_text) = (0..ncol).find(|c| !numeric[*c]) {
            widths[first_text] += cw - total;
        } else {
            // All numeric: spread evenly.
            for w in widths.iter_mut() {
                *w += (cw - total) / ncol as f64;
            }
        }
        let xs: Vec<f64> = widths
            .iter()
            .scan(MARGIN_X, |x, w| {
                let x0 = *x;
                *x += w;
                Some(x0)
            })
            .collect();
        let header = |f: &mut Flow| {
            let y = f.y;
            for c in 0..ncol {
                let s = ellipsize(&t.columns[c].name, TABLE, true, widths[c] - 2.0 * pad);
                let (x, a) = if numeric[c] {
                    (xs[c] + widths[c] - pad, Anchor::End)
                } else {
                    (xs[c] + pad, Anchor::Start)
                };
                text_el(f.out(), &s, x, y + 10.0, TABLE, true, TEXT, a);
            }
            line_el(
                f.out(),
                MARGIN_X,
                y + TABLE_ROW,
                MARGIN_X + cw,
                y + TABLE_ROW,
                RULE,
                0.8,
            );
            f.y += TABLE_ROW + 1.0;
        };
        // Keep the header with at least three rows.
        self.ensure(TABLE_ROW * (1.0 + cells.len().min(3) as f64) + 2.0);
        header(self);
        for row in &cells {
            if self.y + TABLE_ROW > self.bottom() {
                self.new_page();
                header(self);
            }
            let y = self.y;
            for c in 0..ncol {
                let s = ellipsize(&row[c], TABLE, false, widths[c] - 2.0 * pad);
                let (x, a) = if numeric[c] {
                    (xs[c] + widths[c] - pad, Anchor::End)
                } else {
                    (xs[c] + pad, Anchor::Start)
                };
                text_el(self.out(), &s, x, y + 10.0, TABLE, false, TEXT, a);
            }
            line_el(
                self.out(),
                MARGIN_X,
                y + TABLE_ROW,
                MARGIN_X + cw,
                y + TABLE_ROW,
                LIGHT_RULE,
                0.5,
            );
            self.y += TABLE_ROW;
        }
        self.y += 10.0;
    }
}

/// The padding plotted charts leave around their content (chart::kinds PAD).
const CHART_PAD: f64 = 16.0;

fn chart_scale(content_w: f64, src_w: f64) -> f64 {
    content_w / (src_w - 2.0 * CHART_PAD)
}

fn page_svg(w: f64, h: f64, body: &str) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><rect x="0" y="0" width="{w}" height="{h}" fill="#FFFFFF"/>{body}</svg>"##
    )
}

fn title_page(doc: &ReportDocument, w: f64, h: f64) -> String {
    let mut out = String::new();
    let cw = w - 2.0 * MARGIN_X;
    let mut y = h * 0.28;
    let _ = write!(
        out,
        r#"<rect x="{MARGIN_X}" y="{:.2}" width="56" height="4" fill="{BLUE}"/>"#,
        y - 30.0
    );
    for l in wrap(&doc.title, 26.0, true, cw) {
        text_el(&mut out, &l, MARGIN_X, y, 26.0, true, TEXT, Anchor::Start);
        y += 33.0;
    }
    if let Some(sub) = doc.subtitle.as_deref().filter(|s| !s.is_empty()) {
        y += 2.0;
        for l in wrap(sub, 14.0, false, cw) {
            text_el(&mut out, &l, MARGIN_X, y, 14.0, false, MUTED, Anchor::Start);
            y += 20.0;
        }
    }
    y += 36.0;
    let mut facts: Vec<(&str, String)> = Vec::new();
    if let Some(c) = doc.client.as_deref().filter(|s| !s.is_empty()) {
        facts.push(("Prepared for", c.to_string()));
    }
    if let Some(d) = doc.date_range.as_deref().filter(|s| !s.is_empty()) {
        facts.push(("Period", d.to_string()));
    }
    if !doc.datasets.is_empty() {
        let label = if doc.datasets.len() == 1 {
            "Dataset"
        } else {
            "Datasets"
        };
        facts.push((label, doc.datasets.join(", ")));
    }
    if let Some(d) = doc.prepared_on.as_deref().filter(|s| !s.is_empty()) {
        facts.push(("Prepared on", d.to_string()));
    }
    for (label, value) in facts {
        text_el(
            &mut out,
            label,
            MARGIN_X,
            y,
            9.0,
            false,
            MUTED,
            Anchor::Start,
        );
        y += 15.0;
        for l in wrap(&value, 12.0, false, cw) {
            text_el(&mut out, &l, MARGIN_X, y, 12.0, false, TEXT, Anchor::Start);
            y += 16.0;
        }
        y += 12.0;
    }
    text_el(
        &mut out,
        "Made with Stepwise",
        MARGIN_X,
        h - 40.0,
        8.0,
        false,
        MUTED,
        Anchor::Start,
    );
    out
}

const TOC_TOP: f64 = MARGIN_TOP + 40.0;
const TOC_ROW: f64 = 20.0;

fn toc_rows_per_page(h: f64) -> usize {
    (((h - MARGIN_BOTTOM - TOC_TOP) / TOC_ROW).floor() as usize).max(1)
}

/// Lay the report out into pages.
pub fn render_pages(doc: &ReportDocument) -> Result<RenderedReport> {
    let (w, h) = doc.page.points();
    let mut flow = Flow {
        w,
        h,
        pages: Vec::new(),
        y: MARGIN_TOP,
    };
    // (title, content page index)
    let mut entries: Vec<(String, usize)> = Vec::new();
    let opts = ChartOptions {
        theme: ThemeName::Light,
        size: ChartSize::Page,
    };
    let (src_w, src_h) = ChartSize::Page.pixels();
    let chart_h = src_h as f64 * chart_scale(w - 2.0 * MARGIN_X, src_w as f64);
    for section in &doc.sections {
        match section {
            Section::Chart(cs) => {
                let svg = chart::render_svg(&cs.chart, &opts)?;
                let intro_h = cs
                    .intro
                    .as_deref()
                    .map(|s| flow.paragraph_height(s, BODY) + 4.0)
                    .unwrap_or(0.0);
                flow.ensure(flow.heading_height(&cs.heading) + intro_h + chart_h + 8.0);
                if flow.y > MARGIN_TOP + 1.0 {
                    flow.y += 14.0;
                }
                entries.push((cs.heading.clone(), flow.page_index()));
                // The chart's own title serves as the heading when they agree;
                // the intro then follows the chart.
                let titled = cs
                    .heading
                    .trim()
                    .eq_ignore_ascii_case(cs.chart.title().trim());
                if !titled {
                    flow.heading(&cs.heading);
                    if let Some(intro) = &cs.intro {
                        flow.paragraph(intro, BODY, TEXT, 0.0);
                        flow.y += 4.0;
                    }
                }
                flow.chart(&svg, src_w as f64, src_h as f64);
                if let (true, Some(intro)) = (titled, &cs.intro) {
                    flow.paragraph(intro, BODY, TEXT, 0.0);
                    flow.y += 6.0;
                }
                let table = cs.table.clone().unwrap_or_else(|| cs.chart.table());
                flow.table(&table);
                for n in &cs.notes {
                    flow.paragraph(n, 9.0, MUTED, 0.0);
                }
            }
            Section::Findings {
                heading,
                items,
                groups,
            } => {
                let first = items
                    .first()
                    .or_else(|| groups.first().and_then(|g| g.items.first()))
                    .map(|s| flow.paragraph_height(s, BODY))
                    .unwrap_or(0.0);
                let sub = if items.is_empty() && !groups.is_empty() {
                    SUBHEAD_LH + 4.0
                } else {
                    0.0
                };
                flow.ensure(flow.heading_height(heading) + sub + first + 10.0);
                if flow.y > MARGIN_TOP + 1.0 {
                    flow.y += 14.0;
                }
                entries.push((heading.clone(), flow.page_index()));
                flow.heading(heading);
                flow.bullets(items);
                for (i, g) in groups.iter().enumerate() {
                    let first = g
                        .items
                        .first()
                        .map(|s| flow.paragraph_height(s, BODY))
                        .unwrap_or(0.0);
                    flow.ensure(SUBHEAD_LH + 4.0 + first);
                    if i > 0 || !items.is_empty() {
                        flow.y += 6.0;
                    }
                    flow.subheading(&g.heading);
                    flow.bullets(&g.items);
                }
            }
            Section::Text { heading, body } => {
                let paras: Vec<&str> = body
                    .split("\n\n")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .collect();
                if let Some(hd) = heading {
                    let first = paras
                        .first()
                        .map(|s| flow.paragraph_height(s, BODY).min(BODY_LH * 3.0))
                        .unwrap_or(0.0);
                    flow.ensure(flow.heading_height(hd) + first);
                    if flow.y > MARGIN_TOP + 1.0 {
                        flow.y += 14.0;
                    }
                    entries.push((hd.clone(), flow.page_index()));
                    flow.heading(hd);
                } else {
                    flow.ensure(BODY_LH);
                }
                for p in paras {
                    flow.paragraph(p, BODY, TEXT, 0.0);
                    flow.y += 6.0;
                }
            }
            Section::Table { heading, table } => {
                flow.ensure(flow.heading_height(heading) + TABLE_ROW * 4.0);
                if flow.y > MARGIN_TOP + 1.0 {
                    flow.y += 14.0;
                }
                entries.push((heading.clone(), flow.page_index()));
                flow.heading(heading);
                flow.table(table);
            }
            Section::Method { heading, items } => {
                flow.new_page();
                entries.push((heading.clone(), flow.page_index()));
                flow.heading(heading);
                for it in items {
                    flow.ensure(BODY_LH * 2.0 + 4.0);
                    let y = flow.y + BODY;
                    text_el(
                        flow.out(),
                        &it.term,
                        MARGIN_X,
                        y,
                        BODY,
                        true,
                        TEXT,
                        Anchor::Start,
                    );
                    flow.y += BODY_LH + 1.0;
                    flow.paragraph(&it.text, 9.5, TEXT, 0.0);
                    flow.y += 8.0;
                }
            }
        }
    }
    let has_toc = !entries.is_empty();
    let per = toc_rows_per_page(h);
    let toc_pages = if has_toc {
        entries.len().div_ceil(per)
    } else {
        0
    };
    let offset = 1 + toc_pages;
    let total = offset + flow.pages.len();

    let mut bodies: Vec<(String, Vec<PageLink>)> = Vec::with_capacity(total);
    bodies.push((title_page(doc, w, h), Vec::new()));
    let toc: Vec<TocEntry> = entries
        .iter()
        .map(|(t, p)| TocEntry {
            title: t.clone(),
            page: p + offset,
        })
        .collect();
    for chunk in toc.chunks(per) {
        let mut out = String::new();
        let mut links = Vec::new();
        if bodies.len() == 1 {
            text_el(
                &mut out,
                "Contents",
                MARGIN_X,
                MARGIN_TOP + 18.0,
                18.0,
                true,
                TEXT,
                Anchor::Start,
            );
        }
        let mut y = TOC_TOP;
        let right = w - MARGIN_X;
        for e in chunk {
            let num = (e.page + 1).to_string();
            let nw = width(&num, 11.0, false);
            let title = ellipsize(&e.title, 11.0, false, right - MARGIN_X - nw - 30.0);
            let tw = width(&title, 11.0, false);
            text_el(
                &mut out,
                &title,
                MARGIN_X,
                y + 13.0,
                11.0,
                false,
                TEXT,
                Anchor::Start,
            );
            text_el(
                &mut out,
                &num,
                right,
                y + 13.0,
                11.0,
                false,
                TEXT,
                Anchor::End,
            );
            let _ = write!(
                out,
                r#"<line x1="{:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="{RULE}" stroke-width="0.8" stroke-dasharray="1 3"/>"#,
                MARGIN_X + tw + 6.0,
                y + 12.0,
                right - nw - 6.0,
                y + 12.0
            );
            links.push(PageLink {
                rect: [MARGIN_X, y, right, y + TOC_ROW],
                target: e.page,
            });
            y += TOC_ROW;
        }
        bodies.push((out, links));
    }
    for p in flow.pages {
        bodies.push((p, Vec::new()));
    }
    let footer_title = ellipsize(&doc.title, 8.0, false, (w - 2.0 * MARGIN_X) * 0.7);
    let pages = bodies
        .into_iter()
        .enumerate()
        .map(|(i, (mut body, links))| {
            if i > 0 {
                let fy = h - 34.0;
                line_el(
                    &mut body,
                    MARGIN_X,
                    fy - 12.0,
                    w - MARGIN_X,
                    fy - 12.0,
                    LIGHT_RULE,
                    0.6,
                );
                text_el(
                    &mut body,
                    &footer_title,
                    MARGIN_X,
                    fy,
                    8.0,
                    false,
                    MUTED,
                    Anchor::Start,
                );
                text_el(
                    &mut body,
                    &format!("Page {} of {}", i + 1, total),
                    w - MARGIN_X,
                    fy,
                    8.0,
                    false,
                    MUTED,
                    Anchor::End,
                );
            }
            Page {
                svg: page_svg(w, h, &body),
                width: w,
                height: h,
                links,
            }
        })
        .collect();
    Ok(RenderedReport { pages, toc })
}
