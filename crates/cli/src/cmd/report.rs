//! `stepwise report SPEC.json --out FILE`: a report built and exported.

use crate::util::{print_json, usage_error, SpecSource};
use std::path::PathBuf;
use stepwise_engine::chart::ChartSize;
use stepwise_engine::index::IndexCache;
use stepwise_engine::report::build::{build_report, write_chart_pngs, write_page_pngs};
use stepwise_engine::report::{export_report, ExportFormat, ReportEngine, ReportSpec};
use stepwise_engine::Error;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: SpecSource,
    /// Where to write: .pdf, .png (one file per page), .csv (one per table) or .xlsx.
    #[arg(long)]
    out: PathBuf,
    /// pdf, png, csv or xlsx (default: from --out's extension).
    #[arg(long)]
    format: Option<String>,
    /// PNG only: one file per chart (`STEM-chart-01-....png`) instead of one per page.
    #[arg(long)]
    charts: bool,
    /// With --charts: the chart size, screen (960x540), slide (16:9, 1280x720) or page.
    #[arg(long, default_value = "slide", requires = "charts")]
    size: String,
    /// PNG pixel density: 1 or 2 (default 2).
    #[arg(long, default_value_t = 2.0)]
    scale: f32,
    /// Where the funnels and comparisons are counted: local (default, or
    /// the spec's "engine") or clickhouse (each dataset's stored connection,
    /// `stepwise connect`; funnel, comparison and text sections only).
    #[arg(long)]
    engine: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn run(workspace: &Option<PathBuf>, args: Args) -> Result<(), Error> {
    let Args {
        source,
        out,
        format,
        charts,
        size,
        scale,
        engine,
        json,
    } = args;
    let mut spec: ReportSpec = source.load(workspace)?;
    match engine.as_deref() {
        None => {}
        Some("local") => spec.engine = Some(ReportEngine::Local),
        Some("clickhouse") => spec.engine = Some(ReportEngine::Clickhouse),
        Some(other) => usage_error(&format!(
            "--engine must be local or clickhouse, not \"{other}\""
        )),
    }
    spec.validate()?;
    let format = match &format {
        Some(f) => ExportFormat::parse(f).unwrap_or_else(|e| usage_error(&e.to_string())),
        None => ExportFormat::from_path(&out)?,
    };
    if scale != 1.0 && scale != 2.0 {
        usage_error("--scale must be 1 or 2");
    }
    let size = match size.as_str() {
        "screen" => ChartSize::Screen,
        "slide" => ChartSize::Slide,
        "page" => ChartSize::Page,
        other => usage_error(&format!(
            "--size must be screen, slide or page, not \"{other}\""
        )),
    };
    if charts && format != ExportFormat::Png {
        usage_error("--charts writes PNG files: use --out NAME.png");
    }
    let ws = crate::open(workspace)?;
    let files = if charts {
        let doc = build_report(&ws, &spec, &mut IndexCache::new())?;
        write_chart_pngs(&doc, &out, size, scale)?
    } else if format == ExportFormat::Png && scale != 2.0 {
        let doc = build_report(&ws, &spec, &mut IndexCache::new())?;
        write_page_pngs(&doc, &out, scale)?
    } else {
        export_report(&ws, &spec, &out, format, &mut IndexCache::new())?
    };
    if json {
        print_json(&serde_json::json!({ "files": files }));
    } else {
        for f in &files {
            println!("{}", f.display());
        }
    }
    Ok(())
}
