//! Printing and spec-reading helpers shared by the commands. Numbers,
//! percentages and durations are printed by the engine's
//! `stepwise_engine::chart::format`, as the PDF and the app print them.

use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use stepwise_engine::chart::format;
use stepwise_engine::compare::CompareSpec;
use stepwise_engine::funnel::FunnelSpec;
use stepwise_engine::impact::ImpactSpec;
use stepwise_engine::report::ReportSpec;
use stepwise_engine::saved::SavedSpec;
use stepwise_engine::segment::SegmentSpec;
use stepwise_engine::{DatasetInfo, Error};

/// Where a command's spec comes from: a JSON file, or an item saved in the
/// workspace (by `stepwise save` or the app).
#[derive(clap::Args)]
pub struct SpecSource {
    /// The spec file (JSON; `-` reads standard input).
    #[arg(required_unless_present = "saved")]
    pub spec: Option<PathBuf>,
    /// Run the item saved under this name instead of a file (`stepwise saved` lists them).
    #[arg(long, value_name = "NAME", conflicts_with = "spec")]
    pub saved: Option<String>,
}

/// A spec type that can be saved: its kind and its place in [`SavedSpec`].
pub trait Saveable: serde::de::DeserializeOwned {
    const KIND: &'static str;
    fn from_saved(s: SavedSpec) -> Option<Self>;
}

macro_rules! saveable {
    ($t:ty, $kind:literal, $variant:ident) => {
        impl Saveable for $t {
            const KIND: &'static str = $kind;
            fn from_saved(s: SavedSpec) -> Option<Self> {
                match s {
                    SavedSpec::$variant(x) => Some(x),
                    _ => None,
                }
            }
        }
    };
}
saveable!(FunnelSpec, "funnel", Funnel);
saveable!(SegmentSpec, "segment", Segment);
saveable!(CompareSpec, "compare", Compare);
saveable!(ImpactSpec, "impact", Impact);
saveable!(ReportSpec, "report", Report);

impl SpecSource {
    /// The spec: the file parsed, or the saved item loaded from the workspace.
    pub fn load<T: Saveable>(&self, workspace: &Option<PathBuf>) -> Result<T, Error> {
        match (&self.spec, &self.saved) {
            (_, Some(name)) => {
                let ws = crate::open(workspace)?;
                T::from_saved(ws.load_saved(T::KIND, name)?).ok_or_else(|| {
                    Error::Internal(format!("the saved {} \"{name}\" is another kind", T::KIND))
                })
            }
            (Some(path), None) => parse_spec(path),
            (None, None) => usage_error("give a spec file or --saved NAME"),
        }
    }
}

/// A JSON spec file, parsed; errors name the file, line and column.
pub fn parse_spec<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<T, Error> {
    let text = read_spec(path)?;
    serde_json::from_str(&text).map_err(|e| {
        Error::bad_input(
            stepwise_engine::Location::file(path).row(e.line() as u64),
            format!("column {}: {}", e.column(), e),
        )
    })
}

/// A spec file's text; `-` reads standard input.
pub fn read_spec(path: &std::path::Path) -> Result<String, Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).map_err(io)?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(io)
    }
}

/// A duration in seconds as the PDF prints it (`1 h 30 min`); none is an en dash.
pub fn duration(secs: Option<f64>) -> String {
    secs.map(format::duration)
        .unwrap_or_else(|| "\u{2013}".to_string())
}

/// Bad usage (a malformed option value) exits 2, as clap does.
pub fn usage_error(msg: &str) -> ! {
    eprintln!("stepwise: {msg}");
    std::process::exit(2)
}

pub fn print_json<T: Serialize>(v: &T) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, v);
    let _ = writeln!(out);
}

pub fn print_columns(info: &DatasetInfo) {
    for c in &info.columns {
        println!(
            "  {:<32} {:<10} {}",
            c.name,
            c.ty.as_str(),
            c.role.map(|r| r.as_str()).unwrap_or("")
        );
    }
}

/// Runs a query the way the app meets it and times both: `first_ms` opens
/// the workspace, builds the index and runs the query (the first query after
/// opening); `query_ms` runs it again on the built index (what the app pays
/// on every edit); `index` says how the first query got its analysis index
/// (`disk`, `built` or `none`). Returns the result and the `timing` object
/// for `--json`.
pub fn timed<T>(
    workspace: &Option<PathBuf>,
    mut query: impl FnMut(
        &stepwise_engine::Workspace,
        &mut stepwise_engine::index::IndexCache,
    ) -> Result<T, Error>,
) -> Result<(T, serde_json::Value), Error> {
    let started = std::time::Instant::now();
    let ws = crate::open(workspace)?;
    let mut cache = stepwise_engine::index::IndexCache::new();
    let result = query(&ws, &mut cache)?;
    let first_ms = started.elapsed().as_secs_f64() * 1e3;
    // how the first query got its index: "disk" (every index it used was
    // read back from the disk cache), "built" (at least one was built),
    // "none" (it needed none)
    let origins = cache.origins();
    let index = if origins.is_empty() {
        "none"
    } else if origins.contains(&stepwise_engine::index::IndexOrigin::Built) {
        "built"
    } else {
        "disk"
    };
    let again = std::time::Instant::now();
    let _ = query(&ws, &mut cache)?;
    let query_ms = again.elapsed().as_secs_f64() * 1e3;
    Ok((
        result,
        serde_json::json!({ "first_ms": first_ms, "query_ms": query_ms, "index": index }),
    ))
}

/// `--export FILE`: the analysis's table as the app shows and exports it
/// (CSV or XLSX by the extension).
pub fn write_export(
    shown: &stepwise_engine::present::Presented,
    export: &Option<PathBuf>,
) -> Result<(), Error> {
    match export {
        Some(path) => stepwise_engine::session::write_table(
            &shown.section.heading,
            &shown.table(),
            path,
            None,
        )
        .map(drop),
        None => Ok(()),
    }
}

/// The `--json` of an analysis: its result, plus `shown`, what the app shows
/// (every cell's text, the notes, the bottleneck row).
pub fn json_with_shown<R: Serialize>(
    result: &R,
    shown: &stepwise_engine::present::Presented,
) -> Result<serde_json::Value, Error> {
    let internal = |e: serde_json::Error| Error::Internal(e.to_string());
    let mut v = serde_json::to_value(result).map_err(internal)?;
    v["shown"] = serde_json::to_value(shown.shown()).map_err(internal)?;
    Ok(v)
}
