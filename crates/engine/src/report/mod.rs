//! Client-ready reports: a list of already-computed sections (chart data,
//! tables, text) laid out on A4 or Letter pages, exported as one PDF (vector
//! charts, selectable text, embedded font, page numbers, table of contents)
//! or one PNG per page, with every table also available as CSV.
//!
//! Rendering is pure: [`render_pages`] takes a [`ReportDocument`] and returns
//! page SVGs; nothing here reads the workspace. See docs/reports.md.

pub mod build;
pub mod findings;
mod layout;
mod pdf;
pub mod present;
mod table;
mod xlsx;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::chart::ChartData;
use crate::Result;

pub use build::{
    build_report, export_report, write_report, ExportFormat, ReportEngine, ReportSpec,
    ReportSpecSection,
};
pub use layout::{render_pages, Page, PageLink, RenderedReport, TocEntry};
pub use table::{neutralise, table_to_csv, Cell, ShownCell, ShownTable, Table, TableColumn};
pub use xlsx::{tables_to_xlsx, tables_xlsx};

/// Paper size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum PageSize {
    #[default]
    A4,
    Letter,
}

impl PageSize {
    /// Width and height in points (1/72 inch).
    pub fn points(self) -> (f64, f64) {
        match self {
            PageSize::A4 => (595.28, 841.89),
            PageSize::Letter => (612.0, 792.0),
        }
    }
}

/// A chart with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChartSection {
    pub heading: String,
    /// A sentence or two above the chart.
    #[serde(default)]
    pub intro: Option<String>,
    pub chart: ChartData,
    /// The table printed under the chart; `None` prints the chart's own
    /// numbers ([`ChartData::table`]).
    #[serde(default)]
    pub table: Option<Table>,
    /// Sentences under the table.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Key findings under one subheading: those about macro conversions, micro
/// conversions, or the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FindingsGroup {
    pub heading: String,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MethodItem {
    pub term: String,
    pub text: String,
}

/// One section of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum Section {
    Chart(ChartSection),
    /// Key findings, one sentence each (generated, then edited by the analyst).
    /// When the datasets have tagged events, the sentences are in `groups`
    /// instead ("Macro conversions", "Micro conversions", "Other"; see
    /// docs/reports.md, "Key findings") and `items` is empty.
    Findings {
        heading: String,
        items: Vec<String>,
        #[serde(default)]
        groups: Vec<FindingsGroup>,
    },
    /// Free text; paragraphs separated by blank lines.
    Text {
        #[serde(default)]
        heading: Option<String>,
        body: String,
    },
    Table {
        heading: String,
        table: Table,
    },
    /// The method appendix: starts on a new page.
    Method {
        heading: String,
        items: Vec<MethodItem>,
    },
}

impl Section {
    pub fn heading(&self) -> Option<&str> {
        match self {
            Section::Chart(c) => Some(&c.heading),
            Section::Findings { heading, .. }
            | Section::Table { heading, .. }
            | Section::Method { heading, .. } => Some(heading),
            Section::Text { heading, .. } => heading.as_deref(),
        }
    }

    /// The table behind this section, if it has one.
    pub fn table(&self) -> Option<Table> {
        match self {
            Section::Chart(c) => Some(c.table.clone().unwrap_or_else(|| c.chart.table())),
            Section::Table { table, .. } => Some(table.clone()),
            _ => None,
        }
    }
}

/// Everything a report shows, already computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReportDocument {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    #[serde(default)]
    pub client: Option<String>,
    /// The period the data covers, as printed ("1–30 September 2024").
    #[serde(default)]
    pub date_range: Option<String>,
    /// Names of the datasets used.
    #[serde(default)]
    pub datasets: Vec<String>,
    /// The date printed as "Prepared on" (passed in so rendering stays pure).
    #[serde(default)]
    pub prepared_on: Option<String>,
    #[serde(default)]
    pub page: PageSize,
    pub sections: Vec<Section>,
}

/// The report as one PDF.
pub fn render_pdf(doc: &ReportDocument) -> Result<Vec<u8>> {
    let rendered = render_pages(doc)?;
    pdf::assemble(doc, &rendered, None)
}

/// [`render_pdf`] with the pages converted on a given number of threads
/// (tests check that the PDF does not depend on it).
#[doc(hidden)]
pub fn render_pdf_threads(doc: &ReportDocument, threads: usize) -> Result<Vec<u8>> {
    let rendered = render_pages(doc)?;
    pdf::assemble(doc, &rendered, Some(threads.max(1)))
}

/// Every page of the report as SVG, in order: the pages the PDF embeds and
/// the PNG export rasterises (the app's preview shows these).
pub fn page_svgs(doc: &ReportDocument) -> Result<Vec<String>> {
    Ok(render_pages(doc)?
        .pages
        .into_iter()
        .map(|p| p.svg)
        .collect())
}

/// The report as one PNG per page, at `scale` (1 = 72 dpi, 2 = 144 dpi).
pub fn render_pngs(doc: &ReportDocument, scale: f32) -> Result<Vec<Vec<u8>>> {
    let pages = render_pages(doc)?.pages;
    pages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            crate::job::step("Drawing the pages", i as u64, pages.len() as u64)?;
            crate::chart::export::svg_to_png(&p.svg, scale)
        })
        .collect()
}

/// Every chart of the report as its own PNG, drawn at `size` (screen, 16:9
/// slide or page) and `scale` (1 or 2 for high-density screens), light
/// theme, with a file name for each (`chart-03-checkout-funnel.png`, in the
/// report's order). The same SVG the PDF embeds, rasterised by resvg.
pub fn chart_pngs(
    doc: &ReportDocument,
    size: crate::chart::ChartSize,
    scale: f32,
) -> Result<Vec<(String, Vec<u8>)>> {
    let options = crate::chart::ChartOptions {
        theme: crate::chart::ThemeName::Light,
        size,
    };
    let mut out = Vec::new();
    for s in &doc.sections {
        if let Section::Chart(c) = s {
            let svg = crate::chart::render_svg(&c.chart, &options)?;
            let png = crate::chart::export::svg_to_png(&svg, scale)?;
            out.push((
                format!("chart-{:02}-{}.png", out.len() + 1, slug(&c.heading)),
                png,
            ));
        }
    }
    Ok(out)
}

/// Every table of the report as CSV, with a file name for each
/// (`02-checkout-funnel.csv`), formula injection neutralised.
pub fn tables_csv(doc: &ReportDocument) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, s) in doc.sections.iter().enumerate() {
        if let Some(t) = s.table() {
            let name = format!("{:02}-{}.csv", i + 1, slug(s.heading().unwrap_or("table")));
            out.push((name, table_to_csv(&t)));
        }
    }
    out
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    let out: String = out.chars().take(48).collect();
    if out.is_empty() {
        "table".to_string()
    } else {
        out
    }
}
