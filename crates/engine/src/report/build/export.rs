//! Writing a built report: PDF, PNG pages, CSV and XLSX tables, chart PNGs.

use super::*;

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    Pdf,
    Png,
    Csv,
    Xlsx,
}

impl ExportFormat {
    /// `"pdf"`, `"png"`, `"csv"` or `"xlsx"` (any case).
    pub fn parse(s: &str) -> Result<ExportFormat> {
        match s.to_ascii_lowercase().as_str() {
            "pdf" => Ok(ExportFormat::Pdf),
            "png" => Ok(ExportFormat::Png),
            "csv" => Ok(ExportFormat::Csv),
            "xlsx" => Ok(ExportFormat::Xlsx),
            _ => Err(Error::Invalid(format!(
                "unknown report format \"{s}\": use pdf, png, csv or xlsx"
            ))),
        }
    }
    /// From the output file's extension.
    pub fn from_path(p: &Path) -> Result<ExportFormat> {
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        ExportFormat::parse(ext).map_err(|_| {
            Error::Invalid(format!(
                "{}: the report format is taken from the extension; use .pdf, .png, .csv or .xlsx",
                p.display()
            ))
        })
    }
}

pub(super) fn write(path: &Path, bytes: &[u8]) -> Result<PathBuf> {
    std::fs::write(path, bytes).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(path.to_path_buf())
}

/// Writes an already-built report. PDF: `out` itself. PNG: one file per page
/// at 2x (144 dpi), `stem-01.png`, `stem-02.png`, ... next to `out`. CSV: one
/// file per table, `stem-NN-heading.csv` next to `out`. XLSX: `out`, one
/// sheet per table. Returns the files written.
pub fn write_report(
    doc: &ReportDocument,
    out: &Path,
    format: ExportFormat,
) -> Result<Vec<PathBuf>> {
    let (dir, stem) = dir_and_stem(out);
    match format {
        ExportFormat::Pdf => Ok(vec![write(out, &render_pdf(doc)?)?]),
        ExportFormat::Xlsx => Ok(vec![write(out, &tables_xlsx(doc)?)?]),
        ExportFormat::Png => write_page_pngs(doc, out, 2.0),
        ExportFormat::Csv => tables_csv(doc)
            .iter()
            .map(|(name, csv)| write(&dir.join(format!("{stem}-{name}")), csv.as_bytes()))
            .collect(),
    }
}

/// Writes every page of an already-built report as a PNG next to `out`
/// (`stem-01.png`, ...), at `scale` (1 = 72 dpi, 2 = 144 dpi).
pub fn write_page_pngs(doc: &ReportDocument, out: &Path, scale: f32) -> Result<Vec<PathBuf>> {
    let (dir, stem) = dir_and_stem(out);
    render_pngs(doc, scale)?
        .iter()
        .enumerate()
        .map(|(i, png)| write(&dir.join(format!("{stem}-{:02}.png", i + 1)), png))
        .collect()
}

pub(super) fn dir_and_stem(out: &Path) -> (PathBuf, String) {
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let stem = out
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("report")
        .to_string();
    (dir, stem)
}

/// Writes every chart of an already-built report as its own PNG next to
/// `out`: `stem-chart-01-heading.png`, ... (see [`crate::report::chart_pngs`]).
pub fn write_chart_pngs(
    doc: &ReportDocument,
    out: &Path,
    size: crate::chart::ChartSize,
    scale: f32,
) -> Result<Vec<PathBuf>> {
    let (dir, stem) = dir_and_stem(out);
    crate::report::chart_pngs(doc, size, scale)?
        .iter()
        .map(|(name, png)| write(&dir.join(format!("{stem}-{name}")), png))
        .collect()
}

/// Builds the report from the workspace as it is now and writes it
/// (`stepwise report SPEC.json --out FILE`).
pub fn export_report(
    ws: &Workspace,
    spec: &ReportSpec,
    out: &Path,
    format: ExportFormat,
    cache: &mut IndexCache,
) -> Result<Vec<PathBuf>> {
    let doc = build_report(ws, spec, cache)?;
    write_report(&doc, out, format)
}
