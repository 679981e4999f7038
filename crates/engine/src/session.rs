//! One facade over the engine for the shells: an open workspace with its
//! index cache and the running job, and every request the desktop app (and
//! any other shell) makes of it, so that a shell's commands are a line each.
//! What used to live in the Tauri shell lives here: the spec parsing with
//! messages an analyst can read, re-import (atomic), the sample import, the
//! sheet and table scan policy, chart sizes, and the exports.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::bottleneck::Bottleneck;
use crate::chart::{self, ChartData, ChartOptions, ChartSize, ThemeName};
use crate::compare::{CompareResult, CompareSpec};
use crate::error::{Error, Result};
use crate::funnel::{FunnelResult, FunnelSpec};
use crate::impact::{ImpactResult, ImpactSpec};
use crate::import::{self, ImportOptions, ImportReport, TableInfo};
use crate::index::{IndexCache, Unit};
use crate::job::{AnalysisProgress, CancelToken, Job};
use crate::model::{ColumnType, Role, WorkspaceInfo};
use crate::present::{self, Presented, Shown};
use crate::report::ExportFormat;
use crate::report::{table_to_csv, Table};
use crate::segment::SegmentSpec;
use crate::stats::{MinimumEffect, SampleSizeInput, SampleSizePlan};
use crate::store::Workspace;
use crate::value::{ValueResult, ValueSpec};

/// Reads a spec sent as JSON (by the app, or a file), saying in words what
/// could not be read, e.g. `the persona could not be read: unknown field
/// "metric", expected one of "measure", ...`.
pub fn parse_spec<T: DeserializeOwned>(what: &str, value: serde_json::Value) -> Result<T> {
    serde_json::from_value(value).map_err(|e| {
        Error::Invalid(format!(
            "the {what} could not be read: {}",
            e.to_string().replace('`', "\"")
        ))
    })
}

/// An open workspace, its analysis indexes and the running job's cancel
/// flag. Safe to share between threads.
pub struct Session {
    /// The open workspace's file (File > Open switches it).
    path: Mutex<PathBuf>,
    ws: Mutex<Workspace>,
    job: Mutex<Option<CancelToken>>,
    /// Analysis indexes, built once per dataset and unit, reused on every
    /// edit.
    indexes: Mutex<IndexCache>,
    /// The cancel flags of the analyses running or waiting for the index
    /// cache ([`Session::cancel_analyses`]).
    analyses: Mutex<Vec<CancelToken>>,
    /// Where analyses report progress ([`Session::on_progress`]).
    sink: Mutex<Option<ProgressSink>>,
}

/// Where a shell wants analysis progress (the app: a window event).
pub type ProgressSink = std::sync::Arc<dyn Fn(&AnalysisProgress) + Send + Sync>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Session {
    pub fn open(path: &Path) -> Result<Session> {
        Ok(Session {
            path: Mutex::new(path.to_path_buf()),
            ws: Mutex::new(Workspace::open(path)?),
            job: Mutex::new(None),
            indexes: Mutex::new(IndexCache::new()),
            analyses: Mutex::new(Vec::new()),
            sink: Mutex::new(None),
        })
    }

    /// The workspace, for a short request on the window's connection.
    pub fn ws(&self) -> MutexGuard<'_, Workspace> {
        lock(&self.ws)
    }

    pub fn path(&self) -> PathBuf {
        lock(&self.path).clone()
    }

    /// Drops cached indexes (a dataset was deleted or changed; SQLite may
    /// reuse its id).
    pub fn forget_indexes(&self) {
        lock(&self.indexes).clear();
    }

    /// Runs an analysis on the workspace with the shared index cache, as
    /// a cancellable piece of work ([`Session::working`]).
    pub fn analyse<T>(
        &self,
        f: impl FnOnce(&Workspace, &mut IndexCache) -> Result<T>,
    ) -> Result<T> {
        self.working(|| {
            let ws = self.ws();
            let mut cache = lock(&self.indexes);
            crate::job::checkpoint()?;
            f(&ws, &mut cache)
        })
    }

    /// Runs `f` as an analysis the shell can stop: its progress goes to the
    /// sink set with [`Session::on_progress`], and
    /// [`Session::cancel_analyses`] makes the engine's loops return
    /// `Error::Cancelled` (nothing is cached from a cancelled run). Nested
    /// calls join the outer one.
    pub fn working<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        if crate::job::current().is_some() {
            return f();
        }
        let token = CancelToken::new();
        lock(&self.analyses).push(token.clone());
        struct Done<'a>(&'a Session, CancelToken);
        impl Drop for Done<'_> {
            fn drop(&mut self) {
                let t = &self.1;
                lock(&self.0.analyses).retain(|x| !x.same(t));
            }
        }
        let _done = Done(self, token.clone());
        let sink = lock(&self.sink).clone();
        let work = crate::job::Work::new(token, move |p| {
            if let Some(s) = &sink {
                s(p)
            }
        });
        crate::job::within(Some(work), f)
    }

    /// Asks every running (or waiting) analysis to stop; each returns
    /// `Error::Cancelled` at its next checkpoint. Returns how many there were.
    pub fn cancel_analyses(&self) -> usize {
        let all = lock(&self.analyses);
        for t in all.iter() {
            t.cancel();
        }
        all.len()
    }

    /// Sends the progress of every later analysis to `sink`.
    pub fn on_progress(&self, sink: ProgressSink) {
        *lock(&self.sink) = Some(sink);
    }

    pub fn info(&self) -> Result<WorkspaceInfo> {
        let n = self.ws().datasets()?.len();
        Ok(WorkspaceInfo {
            path: self.path().display().to_string(),
            datasets: n as u32,
        })
    }

    pub fn delete_dataset(&self, name: &str) -> Result<()> {
        self.ws().delete_dataset(name)?;
        self.forget_indexes();
        Ok(())
    }

    /// Switches to another workspace file (created when missing): refused
    /// while a job runs; the index cache is cleared.
    pub fn switch(&self, path: &Path) -> Result<()> {
        let job = lock(&self.job);
        if job.is_some() {
            return Err(Error::Busy(
                "An import is running; wait for it or cancel it before switching workspaces."
                    .into(),
            ));
        }
        let next = Workspace::open(path)?;
        *self.ws() = next;
        *lock(&self.path) = path.to_path_buf();
        self.forget_indexes();
        Ok(())
    }

    /// Opens another workspace (`create`: a new one, which must not exist
    /// yet; ".stepwise" is added when the name has no extension) and makes
    /// it this session's. Returns the file opened.
    pub fn open_workspace(&self, path: &str, create: bool) -> Result<PathBuf> {
        let mut p = PathBuf::from(path);
        if create && p.extension().is_none() {
            p.set_extension("stepwise");
        }
        if create && p.exists() {
            return Err(Error::Exists(format!(
                "{} already exists; open it instead, or choose another name.",
                p.display()
            )));
        }
        if !create && !p.is_file() {
            return Err(Error::NotFound(format!(
                "There is no workspace at {}.",
                p.display()
            )));
        }
        self.switch(&p)?;
        Ok(p)
    }

    /// Runs a long job (imports) over a second connection to the workspace
    /// (WAL lets the window keep reading meanwhile), one at a time;
    /// [`Session::cancel_job`] stops it. Call it on a worker thread.
    pub fn run_job<T>(
        &self,
        work: impl FnOnce(&mut Workspace, &CancelToken) -> Result<T>,
    ) -> Result<T> {
        let cancel = {
            let mut job = lock(&self.job);
            if job.is_some() {
                return Err(Error::Busy(
                    "An import is already running; wait for it or cancel it.".into(),
                ));
            }
            let token = CancelToken::new();
            *job = Some(token.clone());
            token
        };
        // the slot is freed and the indexes forgotten however the job ends
        // (a panic included)
        struct Done<'a>(&'a Session);
        impl Drop for Done<'_> {
            fn drop(&mut self) {
                *lock(&self.0.job) = None;
                self.0.forget_indexes();
            }
        }
        let _done = Done(self);
        Workspace::open(&self.path()).and_then(|mut ws| work(&mut ws, &cancel))
    }

    /// Stops the running job, if any.
    pub fn cancel_job(&self) {
        if let Some(t) = lock(&self.job).as_ref() {
            t.cancel();
        }
    }

    // ---- analyses ---------------------------------------------------------

    /// Runs a funnel; with `view`, the engine's charts of it come along as
    /// SVG (funnel, and the trend and time-to-convert when the spec asks).
    pub fn funnel(
        &self,
        spec: serde_json::Value,
        view: Option<&ChartView>,
        title: Option<&str>,
    ) -> Result<Charted<FunnelResult>> {
        let spec: FunnelSpec = parse_spec("funnel", spec)?;
        let r = self.analyse(|ws, cache| crate::funnel::run_funnel(ws, &spec, cache))?;
        let p = present::funnel(title, None, &spec, &r);
        Ok(Charted {
            extras: ChartedExtras {
                svg: draw(Some(chart::results::funnel(&spec, &r, title)), view)?,
                trend_svg: draw(chart::results::trend(&spec, &r, title), view)?,
                histogram_svg: draw(chart::results::time_to_convert(&spec, &r, title), view)?,
                shown: p.shown(),
            },
            result: r,
        })
    }

    /// The dataset's events tagged micro or macro conversions.
    pub fn event_tags(&self, dataset: &str) -> Result<Vec<crate::model::TaggedEvent>> {
        self.ws().event_tags(dataset)
    }

    /// Tags an event micro or macro, or (None) removes its tag.
    pub fn set_event_tag(
        &self,
        dataset: &str,
        event: &str,
        tag: Option<crate::model::EventTag>,
    ) -> Result<()> {
        self.ws().set_event_tag(dataset, event, tag)
    }

    /// The dataset's stored ClickHouse connection (docs/clickhouse.md).
    pub fn clickhouse(&self, dataset: &str) -> Result<Option<crate::model::ClickhouseConnection>> {
        self.ws().clickhouse(dataset)
    }

    /// Stores (or forgets, with `None`) the dataset's ClickHouse connection.
    pub fn set_clickhouse(
        &self,
        dataset: &str,
        conn: Option<&crate::model::ClickhouseConnection>,
    ) -> Result<()> {
        self.ws().set_clickhouse(dataset, conn)
    }

    /// The funnel counted on the dataset's stored ClickHouse connection
    /// (the workspace lock is not held while the server answers): the
    /// same result shape, chart and table as [`Session::funnel`], without
    /// times, trend or time to convert (refused there by name).
    pub fn funnel_on_clickhouse(
        &self,
        spec: serde_json::Value,
        view: Option<&ChartView>,
        title: Option<&str>,
    ) -> Result<Charted<FunnelResult>> {
        let spec: FunnelSpec = parse_spec("funnel", spec)?;
        let (info, conn) = self.clickhouse_target(&spec.dataset)?;
        let r = self.working(|| crate::clickhouse::run_funnel(&spec, &info, &conn))?;
        let p = present::funnel(title, None, &spec, &r);
        Ok(Charted {
            extras: ChartedExtras {
                svg: draw(Some(chart::results::funnel(&spec, &r, title)), view)?,
                trend_svg: None,
                histogram_svg: None,
                shown: p.shown(),
            },
            result: r,
        })
    }

    /// A comparison with its chart (series in their personas' colours).
    pub fn compare(
        &self,
        spec: serde_json::Value,
        view: Option<&ChartView>,
    ) -> Result<Charted<CompareResult>> {
        let spec: CompareSpec = parse_spec("comparison", spec)?;
        let r = self.analyse(|ws, cache| crate::compare::run_compare(ws, &spec, cache))?;
        let mut data = chart::results::comparison(&spec, &r, None);
        if let (ChartData::Comparison(d), Some(view)) = (&mut data, view) {
            for se in &mut d.series {
                se.colour = view.colours.get(&se.name).cloned();
            }
        }
        let p = present::compare(None, None, &spec, &r);
        Ok(Charted::plain(r, draw(Some(data), view)?, p.shown()))
    }

    /// A comparison counted on the funnel dataset's stored ClickHouse
    /// connection, the statistics computed here: the same result, chart and
    /// table as [`Session::compare`], without conversion times.
    pub fn compare_on_clickhouse(
        &self,
        spec: serde_json::Value,
        view: Option<&ChartView>,
    ) -> Result<Charted<CompareResult>> {
        let spec: CompareSpec = parse_spec("comparison", spec)?;
        let (info, conn) = self.clickhouse_target(&spec.funnel.dataset)?;
        let r = self.working(|| crate::clickhouse::run_compare(&spec, &info, &conn))?;
        let mut data = chart::results::comparison(&spec, &r, None);
        if let (ChartData::Comparison(d), Some(view)) = (&mut data, view) {
            for se in &mut d.series {
                se.colour = view.colours.get(&se.name).cloned();
            }
        }
        let p = present::compare(None, None, &spec, &r);
        Ok(Charted::plain(r, draw(Some(data), view)?, p.shown()))
    }

    /// A dataset's columns and its stored ClickHouse connection (refused in
    /// words when it has none); the workspace is not held afterwards.
    fn clickhouse_target(
        &self,
        dataset: &str,
    ) -> Result<(
        crate::model::DatasetInfo,
        crate::model::ClickhouseConnection,
    )> {
        let ws = self.ws();
        let info = ws.dataset(dataset)?.info;
        let conn = ws.clickhouse(dataset)?.ok_or_else(|| {
            Error::Invalid(format!(
                "dataset \"{dataset}\" has no ClickHouse connection: add one on its page (or with stepwise connect)"
            ))
        })?;
        Ok((info, conn))
    }

    /// An impact ranking with its chart.
    pub fn impact(
        &self,
        spec: serde_json::Value,
        view: Option<&ChartView>,
    ) -> Result<Charted<ImpactResult>> {
        let spec: ImpactSpec = parse_spec("impact analysis", spec)?;
        let r = self.analyse(|ws, cache| crate::impact::run_impact(ws, &spec, cache))?;
        let svg = draw(Some(chart::results::impact(&spec, &r, None)), view)?;
        let p = present::impact(None, None, &spec, &r)?;
        Ok(Charted::plain(r, svg, p.shown()))
    }

    /// A funnel's value per step, what-if, opportunities and wasted
    /// traffic (docs/value.md), with the engine's tables of them and, with
    /// `view`, the chart of where the non-converters stopped.
    pub fn value(&self, spec: serde_json::Value, view: Option<&ChartView>) -> Result<ValueView> {
        let spec: ValueSpec = parse_spec("value spec", spec)?;
        let r = self.analyse(|ws, cache| crate::value::run_value(ws, &spec, cache))?;
        let p = present::value(None, None, &spec, &r);
        let wasted_svg = draw(Some(p.wasted.section.chart.clone()), view)?;
        Ok(ValueView {
            shown: p.shown(),
            result: r,
            wasted_svg,
        })
    }

    /// Writes one wasted-traffic bucket's units (see
    /// [`crate::value::WastedAudience`]) as CSV at `path`; returns how many.
    pub fn export_wasted(
        &self,
        spec: serde_json::Value,
        which: &crate::value::WastedAudience,
        path: &Path,
    ) -> Result<u64> {
        let spec: ValueSpec = parse_spec("value spec", spec)?;
        write_or_remove(path, |out| {
            self.analyse(|ws, cache| crate::value::write_wasted_csv(ws, &spec, which, cache, out))
        })
    }

    /// Paths with their Sankey chart and node table, and the table of
    /// sequences between two steps or of converters against drop-offs.
    pub fn paths(
        &self,
        spec: serde_json::Value,
        view: Option<&ChartView>,
    ) -> Result<Charted<PathsShown>> {
        let spec: crate::paths::PathsSpec = parse_spec("paths", spec)?;
        let r = self.analyse(|ws, cache| crate::paths::run_paths(ws, &spec, cache))?;
        let p = present::paths(None, None, &spec, &r);
        let svg = draw(Some(p.section.chart.clone()), view)?;
        Ok(Charted::plain(PathsShown::of(r), svg, p.shown()))
    }

    /// Retention with its curve and cohort table.
    pub fn retention(
        &self,
        spec: serde_json::Value,
        view: Option<&ChartView>,
    ) -> Result<Charted<crate::retention::RetentionResult>> {
        let spec: crate::retention::RetentionSpec = parse_spec("retention", spec)?;
        let r = self.analyse(|ws, cache| crate::retention::run_retention(ws, &spec, cache))?;
        let p = present::retention(None, None, &spec, &r);
        Ok(Charted::plain(
            r,
            draw(Some(p.section.chart.clone()), view)?,
            p.shown(),
        ))
    }

    /// The units through one node of paths (`node`: an index into the
    /// result's nodes) as CSV at `path`; returns how many.
    pub fn export_path_node(
        &self,
        spec: serde_json::Value,
        node: usize,
        path: &Path,
    ) -> Result<u64> {
        let spec: crate::paths::PathsSpec = parse_spec("paths", spec)?;
        write_or_remove(path, |out| {
            self.analyse(|ws, cache| crate::paths::write_node_csv(ws, &spec, cache, node, out))
        })
    }

    /// The units through one edge of paths (`from` and `to`: indexes into
    /// the result's nodes) as CSV at `path`; returns how many.
    pub fn export_path_edge(
        &self,
        spec: serde_json::Value,
        from: usize,
        to: usize,
        path: &Path,
    ) -> Result<u64> {
        let spec: crate::paths::PathsSpec = parse_spec("paths", spec)?;
        write_or_remove(path, |out| {
            self.analyse(|ws, cache| crate::paths::write_edge_csv(ws, &spec, cache, from, to, out))
        })
    }

    /// The bottleneck step of a funnel and the group (over several columns,
    /// or every suitable one when none are given) where it is worst.
    pub fn bottleneck_across(
        &self,
        spec: serde_json::Value,
        columns: &[String],
        confidence: Option<f64>,
    ) -> Result<Option<Bottleneck>> {
        let spec: FunnelSpec = parse_spec("funnel", spec)?;
        let confidence = check_confidence(confidence)?;
        self.analyse(|ws, cache| {
            crate::bottleneck::bottleneck_across(ws, &spec, cache, columns, confidence)
        })
    }

    /// A persona's live member count and a sample of members.
    pub fn count_segment(&self, spec: serde_json::Value) -> Result<crate::segment::SegmentResult> {
        let spec: SegmentSpec = parse_spec("persona", spec)?;
        self.analyse(|ws, cache| crate::segment::segment_members(ws, &spec, cache, Unit::Users))
    }

    /// Writes a persona's members (their user ids) as CSV at `path`;
    /// returns how many. Nothing is left behind when it fails.
    pub fn export_audience(&self, spec: serde_json::Value, path: &Path) -> Result<u64> {
        let spec: SegmentSpec = parse_spec("persona", spec)?;
        write_or_remove(path, |out| {
            self.analyse(|ws, cache| {
                crate::segment::write_audience_csv(ws, &spec, cache, Unit::Users, out)
            })
        })
    }

    /// Everyone who dropped at `step` of a funnel, as CSV at `path`;
    /// returns how many.
    pub fn export_dropoff(&self, spec: serde_json::Value, step: usize, path: &Path) -> Result<u64> {
        let spec: FunnelSpec = parse_spec("funnel", spec)?;
        write_or_remove(path, |out| {
            self.analyse(|ws, cache| crate::dropoff::write_dropoff_csv(ws, &spec, cache, step, out))
        })
    }

    /// Runs the analysis again and writes its table (the one the app shows
    /// and the report prints) as CSV or XLSX, by `format` or else the
    /// path's extension. Returns the file written.
    pub fn export_table(
        &self,
        analysis: TableAnalysis,
        spec: serde_json::Value,
        path: &Path,
        format: Option<ExportFormat>,
    ) -> Result<PathBuf> {
        let p: Presented = match analysis {
            TableAnalysis::Funnel => {
                let spec: FunnelSpec = parse_spec("funnel", spec)?;
                let r = self.analyse(|ws, cache| crate::funnel::run_funnel(ws, &spec, cache))?;
                present::funnel(None, None, &spec, &r)
            }
            TableAnalysis::Compare => {
                let spec: CompareSpec = parse_spec("comparison", spec)?;
                let r = self.analyse(|ws, cache| crate::compare::run_compare(ws, &spec, cache))?;
                present::compare(None, None, &spec, &r)
            }
            TableAnalysis::Impact => {
                let spec: ImpactSpec = parse_spec("impact analysis", spec)?;
                let r = self.analyse(|ws, cache| crate::impact::run_impact(ws, &spec, cache))?;
                present::impact(None, None, &spec, &r)?
            }
            TableAnalysis::Value
            | TableAnalysis::ValueWhatIf
            | TableAnalysis::ValueOpportunities
            | TableAnalysis::ValuePriorities
            | TableAnalysis::ValueWasted => {
                let spec: ValueSpec = parse_spec("value spec", spec)?;
                let r = self.analyse(|ws, cache| crate::value::run_value(ws, &spec, cache))?;
                let v = present::value(None, None, &spec, &r);
                match analysis {
                    TableAnalysis::ValueWhatIf => {
                        let (h, t, _) = v.what_if.ok_or_else(|| {
                            Error::Invalid(
                                "the value spec asks no what-if: there is no what-if table to export"
                                    .into(),
                            )
                        })?;
                        return write_table(&h, &t, path, format);
                    }
                    TableAnalysis::ValuePriorities => {
                        let (h, t, _) = v.priorities;
                        return write_table(&h, &t, path, format);
                    }
                    TableAnalysis::ValueOpportunities => v.opportunities,
                    TableAnalysis::ValueWasted => v.wasted,
                    _ => v.value,
                }
            }
            TableAnalysis::Paths | TableAnalysis::PathsEdges => {
                let spec: crate::paths::PathsSpec = parse_spec("paths", spec)?;
                let r = self.analyse(|ws, cache| crate::paths::run_paths(ws, &spec, cache))?;
                let p = present::paths(None, None, &spec, &r);
                return write_paths_tables(
                    &p.table(),
                    &present::paths_edges(&r),
                    analysis == TableAnalysis::PathsEdges,
                    path,
                    format,
                );
            }
            TableAnalysis::Retention => {
                let spec: crate::retention::RetentionSpec = parse_spec("retention", spec)?;
                let r =
                    self.analyse(|ws, cache| crate::retention::run_retention(ws, &spec, cache))?;
                present::retention(None, None, &spec, &r)
            }
        };
        write_table(&p.section.heading, &p.table(), path, format)
    }

    /// Builds a report from its spec (as [`Session::export_report`] does)
    /// and returns its pages as SVG, in order: what the PDF will show.
    pub fn report_pages(&self, spec: serde_json::Value) -> Result<Vec<String>> {
        let spec: crate::report::ReportSpec = parse_spec("report", spec)?;
        self.working(|| {
            let doc = self.analyse(|ws, cache| crate::report::build_report(ws, &spec, cache))?;
            crate::report::page_svgs(&doc)
        })
    }

    /// Builds a report from its spec and writes it at `path`.
    pub fn export_report(
        &self,
        spec: serde_json::Value,
        path: &Path,
        format: ExportFormat,
    ) -> Result<Vec<PathBuf>> {
        let spec: crate::report::ReportSpec = parse_spec("report", spec)?;
        self.analyse(|ws, cache| crate::report::export_report(ws, &spec, path, format, cache))
    }
}

/// Which analysis's table to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TableAnalysis {
    Funnel,
    Compare,
    Impact,
    /// A value spec's value table.
    Value,
    /// Its what-if (the spec must ask one).
    ValueWhatIf,
    /// Its ranked opportunities.
    ValueOpportunities,
    /// The ICE table of a value spec's opportunities.
    ValuePriorities,
    /// Where its non-converters stopped.
    ValueWasted,
    /// Paths' node table (CSV), or as XLSX two sheets: nodes and edges.
    Paths,
    /// Paths' edge table alone.
    PathsEdges,
    Retention,
}

/// A value result with what the app shows of it: in TypeScript,
/// `ValueResult & { shown: ShownValue, wasted_svg?: string }`.
#[derive(Debug, Clone, Serialize)]
pub struct ValueView {
    #[serde(flatten)]
    pub result: ValueResult,
    pub shown: present::ShownValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wasted_svg: Option<String>,
}

/// Writes one table as CSV (raw numbers, formula injection neutralised)
/// or XLSX (one sheet named after the heading); the format by `format`, else
/// the path's extension.
pub fn write_table(
    heading: &str,
    table: &Table,
    path: &Path,
    format: Option<ExportFormat>,
) -> Result<PathBuf> {
    let format = match format {
        Some(f) => f,
        None => ExportFormat::from_path(path)?,
    };
    let bytes = match format {
        ExportFormat::Csv => table_to_csv(table).into_bytes(),
        ExportFormat::Xlsx => {
            crate::report::tables_to_xlsx(&[(heading.to_string(), table.clone())])?
        }
        other => {
            return Err(Error::Invalid(format!(
                "a table is exported as CSV or XLSX, not {other:?}"
            )))
        }
    };
    std::fs::write(path, bytes).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(path.to_path_buf())
}

/// Paths' tables: as XLSX, the sheets "Nodes" and "Edges" (or "Edges" alone
/// with `edges_only`); as CSV, the node table (or the edge table with
/// `edges_only`), a CSV holding one table.
pub fn write_paths_tables(
    nodes: &Table,
    edges: &Table,
    edges_only: bool,
    path: &Path,
    format: Option<ExportFormat>,
) -> Result<PathBuf> {
    let format = match format {
        Some(f) => f,
        None => ExportFormat::from_path(path)?,
    };
    match (format, edges_only) {
        (ExportFormat::Xlsx, false) => {
            let bytes = crate::report::tables_to_xlsx(&[
                ("Nodes".to_string(), nodes.clone()),
                ("Edges".to_string(), edges.clone()),
            ])?;
            std::fs::write(path, bytes).map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })?;
            Ok(path.to_path_buf())
        }
        (_, true) => write_table("Edges", edges, path, Some(format)),
        (_, false) => write_table("Nodes", nodes, path, Some(format)),
    }
}

/// Creates `path`, writes through `f`, and removes the file when `f` fails
/// (no half-written list left behind).
fn write_or_remove<T>(
    path: &Path,
    f: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<T>,
) -> Result<T> {
    let file = std::fs::File::create(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = std::io::BufWriter::new(file);
    let written = f(&mut out).and_then(|v| {
        use std::io::Write;
        out.flush().map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(v)
    });
    if written.is_err() {
        drop(out);
        let _ = std::fs::remove_file(path);
    }
    written
}

fn check_confidence(c: Option<f64>) -> Result<f64> {
    let c = c.unwrap_or(present::DEFAULT_CONFIDENCE);
    if c > 0.5 && c < 1.0 {
        Ok(c)
    } else {
        Err(Error::Invalid(format!(
            "the confidence level must be between 50% and 100% (e.g. 0.95), got {c}"
        )))
    }
}

// ---- results with charts --------------------------------------------------

/// Paths with the tables beside their node table, every cell formatted:
/// `shown_between` (from `{"funnel": F, "between": k}`) and
/// `shown_comparison` (with `"compare": "converters"`).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PathsShown {
    #[serde(flatten)]
    pub result: crate::paths::PathsResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub shown_between: Option<Shown>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub shown_comparison: Option<Shown>,
}

impl PathsShown {
    pub fn of(result: crate::paths::PathsResult) -> PathsShown {
        PathsShown {
            shown_between: present::paths_between(&result).map(|p| p.shown()),
            shown_comparison: present::paths_comparison(&result).map(|p| p.shown()),
            result,
        }
    }
}

/// A result with what the app shows beside it ([`ChartedExtras`]),
/// flattened into one JSON object: in TypeScript,
/// `type Charted<T> = T & ChartedExtras`.
#[derive(Debug, Clone, Serialize)]
pub struct Charted<T> {
    #[serde(flatten)]
    pub result: T,
    #[serde(flatten)]
    pub extras: ChartedExtras,
}

/// What comes with an analysis's result: the engine's charts (SVG, when a
/// chart view was given) and [`Shown`] (the table with every cell
/// formatted, the bottleneck step, notes and findings), under `shown` so
/// that no name of the result is shadowed.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChartedExtras {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub svg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub trend_svg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub histogram_svg: Option<String>,
    pub shown: Shown,
}

impl<T> Charted<T> {
    pub fn plain(result: T, svg: Option<String>, shown: Shown) -> Charted<T> {
        Charted {
            result,
            extras: ChartedExtras {
                svg,
                trend_svg: None,
                histogram_svg: None,
                shown,
            },
        }
    }

    pub fn shown(&self) -> &Shown {
        &self.extras.shown
    }
}

/// How the app wants its charts drawn: the theme, the width of the view
/// (px) and, for comparisons, series colours by name (a persona's own).
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ChartView {
    pub theme: ThemeName,
    pub width: u32,
    #[serde(default)]
    #[ts(as = "Option<HashMap<String, String>>", optional)]
    pub colours: HashMap<String, String>,
}

/// The size of a chart in the app, for its kind and the view's width: the
/// width kept within 480-1800 px, the height by kind (funnels and
/// comparisons 0.46 of the width, an impact ranking growing with its
/// rows), within 260-720 px.
pub fn view_size(kind: &ChartData, width: u32) -> ChartSize {
    let width = width.clamp(480, 1800);
    let ratio = match kind {
        ChartData::Funnel(_) | ChartData::Comparison(_) => 0.46,
        // a retention curve with a line per cohort and its legend
        ChartData::Trend(d) if d.series.len() > 3 => 0.46,
        // a Sankey's height grows with the nodes of its fullest column
        ChartData::Sankey(d) => {
            let mut per = std::collections::HashMap::new();
            for n in &d.nodes {
                *per.entry(n.level).or_insert(0usize) += 1;
            }
            let most = per.values().copied().max().unwrap_or(1);
            (0.3 + 0.035 * most as f64).clamp(0.5, 0.8)
        }
        ChartData::Impact(d) => (0.18 + 0.045 * d.items.len() as f64).clamp(0.3, 0.9),
        _ => 0.36,
    };
    let height = ((width as f64 * ratio) as u32).clamp(260, 720);
    ChartSize::Custom { width, height }
}

/// The chart as the app shows it (SVG with text lengths fitted), when both
/// a chart and a view are given.
pub fn draw(chart: Option<ChartData>, view: Option<&ChartView>) -> Result<Option<String>> {
    let (Some(chart), Some(view)) = (chart, view) else {
        return Ok(None);
    };
    let options = ChartOptions {
        theme: view.theme,
        size: view_size(&chart, view.width),
    };
    chart::render_svg(&chart, &options).map(|svg| Some(chart::fonts::fit_text_lengths(&svg)))
}

// ---- the A/B test planner -------------------------------------------------

/// What the planner screen asks.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[ts(export)]
pub struct PlanInput {
    /// Today's conversion rate, a fraction in (0, 1).
    pub baseline: f64,
    /// The smallest change worth detecting, a fraction: in rate points
    /// (0.01 takes 5% to 6%) or, with `relative`, of the baseline (0.2
    /// takes 5% to 6%).
    pub mde: f64,
    #[serde(default)]
    #[ts(optional)]
    pub relative: Option<bool>,
    /// Visitors entering the test per day, all variants together.
    #[serde(default)]
    #[ts(optional)]
    pub daily_traffic: Option<f64>,
    /// Variants including the control; default 2.
    #[serde(default)]
    #[ts(optional)]
    pub variants: Option<u32>,
    /// Default 0.8.
    #[serde(default)]
    #[ts(optional)]
    pub power: Option<f64>,
    /// Default 0.95 (a significance level of 0.05).
    #[serde(default)]
    #[ts(optional)]
    pub confidence: Option<f64>,
}

/// The planner's answer with what the app shows of it (every number as
/// text, and the plan in one sentence).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PlannedTest {
    #[serde(flatten)]
    pub plan: SampleSizePlan,
    pub shown: crate::present::ShownPlan,
}

/// [`plan_sample_size`], with [`crate::present::plan`]'s text.
pub fn plan_test(input: &PlanInput) -> Result<PlannedTest> {
    let plan = plan_sample_size(input)?;
    let shown = crate::present::plan(
        &plan,
        input.variants.unwrap_or(2),
        input.confidence.unwrap_or(0.95),
        input.power.unwrap_or(0.8),
    );
    Ok(PlannedTest { plan, shown })
}

/// Users per variant and days for an A/B test (the CLI's `plan`).
pub fn plan_sample_size(input: &PlanInput) -> Result<SampleSizePlan> {
    let confidence = check_confidence(input.confidence)?;
    crate::stats::sample_size(&SampleSizeInput {
        baseline_rate: input.baseline,
        minimum_effect: if input.relative.unwrap_or(false) {
            MinimumEffect::Relative(input.mde)
        } else {
            MinimumEffect::Absolute(input.mde)
        },
        // 1 - 0.95 is 0.050000000000000044 in floating point; the CLI's
        // alpha is 0.05
        alpha: ((1.0 - confidence) * 1e12).round() / 1e12,
        power: input.power.unwrap_or(0.8),
        daily_traffic: input.daily_traffic,
        arms: input.variants.unwrap_or(2),
    })
}

// ---- imports ----------------------------------------------------------------

/// The sheet or table an import reads, chosen in the sheet picker.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, TS)]
#[ts(export)]
pub struct FileChoice {
    #[serde(default)]
    #[ts(optional)]
    pub sheet: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub table: Option<usize>,
}

/// Imports files one after another, each as a new dataset in its own
/// transaction; `choices` (one per path, when given) names the sheet or
/// table to read; `make_job` gives each file its progress reporter.
pub fn import_files(
    ws: &mut Workspace,
    paths: &[String],
    choices: &[FileChoice],
    make_job: &mut dyn FnMut(&str) -> Job<'static>,
) -> Result<Vec<ImportReport>> {
    let mut done = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let c = choices.get(i).cloned().unwrap_or_default();
        let opts = ImportOptions {
            sheet: c.sheet,
            table: c.table,
            ..Default::default()
        };
        let mut job = make_job(p);
        done.push(import::import_file_report(
            ws,
            Path::new(p),
            &opts,
            &mut job,
        )?);
    }
    Ok(done)
}

/// Appends a newer export to an existing dataset (same columns), in one
/// transaction (a failed or cancelled append changes nothing).
pub fn append_file(
    ws: &mut Workspace,
    name: &str,
    path: &str,
    choice: &FileChoice,
    job: &mut Job,
) -> Result<ImportReport> {
    let opts = ImportOptions {
        sheet: choice.sheet.clone(),
        table: choice.table,
        ..Default::default()
    };
    import::append_file(ws, name, Path::new(path), &opts, job)
}

/// The sample store data's dataset name.
pub const SAMPLE_NAME: &str = "Sample store";

/// "Open sample store data": writes the bundled sample clickstream (50,000
/// events, deterministic) as `sample-store.csv` in `dir` and imports it as
/// "Sample store". The file stays: it is the dataset's source (the mapping
/// screen re-reads it).
pub fn import_sample(ws: &mut Workspace, dir: &Path, job: &mut Job) -> Result<ImportReport> {
    let file = dir.join("sample-store.csv");
    crate::generate::write_clickstream_file(&file, &crate::generate::GenOptions::sample_store())
        .map_err(|source| Error::Io {
            path: file.clone(),
            source,
        })?;
    let opts = ImportOptions {
        name: Some(SAMPLE_NAME.into()),
        allow_duplicate: true,
        ..Default::default()
    };
    import::import_file_report(ws, &file, &opts, job)
}

/// Where the sample data file goes: beside the workspace.
pub fn sample_dir(workspace: &Path) -> PathBuf {
    workspace
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir)
}

/// What a file holds for the sheet picker: a workbook's sheets, or the
/// tables of a text file with several.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FileTables {
    /// "sheets" (pick by title) or "tables" (pick by index).
    pub kind: String,
    pub tables: Vec<TableInfo>,
}

/// Text files larger than this are not scanned for several tables before
/// the import (the import takes the largest).
pub const SCAN_LIMIT: u64 = 256 << 20;

/// The sheets of a workbook, or the tables of a text file up to
/// [`SCAN_LIMIT`] (a larger one, or one that cannot be read, lists none:
/// the import says what is wrong with it in its own words).
pub fn file_tables(path: &Path) -> Result<FileTables> {
    if import::list_sheets(path).is_ok() {
        let tables = import::list_tables(path, &ImportOptions::default())?;
        return Ok(FileTables {
            kind: "sheets".into(),
            tables,
        });
    }
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let tables = if size > SCAN_LIMIT {
        Vec::new()
    } else {
        import::list_tables(path, &ImportOptions::default()).unwrap_or_default()
    };
    Ok(FileTables {
        kind: "tables".into(),
        tables,
    })
}

/// The mapping screen's overrides for a re-import.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, TS)]
#[ts(export)]
pub struct ImportOverrides {
    #[serde(default)]
    pub map: Vec<(Role, String)>,
    #[serde(default)]
    pub types: Vec<(String, ColumnType)>,
    #[serde(default)]
    #[ts(optional)]
    pub time_zone: Option<String>,
}

/// Re-reads a dataset's source file with the analyst's overrides and
/// replaces the dataset with the result, atomically: the new data is
/// stored under a temporary name first (its own transaction: a failed or
/// cancelled read stores nothing), then one SQLite transaction deletes the
/// old dataset and gives the new one its name. A failure or a cancel at any
/// point before that commit leaves the old dataset as it was and removes
/// the temporary one.
pub fn reimport(
    ws: &mut Workspace,
    name: &str,
    overrides: &ImportOverrides,
    job: &mut Job,
) -> Result<ImportReport> {
    reimport_with(ws, name, overrides, job, &|| Ok(()))
}

/// [`reimport`] with `before_commit` called inside the replacing
/// transaction, right before its commit (tests inject a failure there).
#[doc(hidden)]
pub fn reimport_with(
    ws: &mut Workspace,
    name: &str,
    overrides: &ImportOverrides,
    job: &mut Job,
    before_commit: &dyn Fn() -> Result<()>,
) -> Result<ImportReport> {
    let rec = ws.dataset(name)?;
    let source =
        rec.info.source.clone().ok_or_else(|| {
            Error::Invalid(format!("\"{name}\" has no source file to read again"))
        })?;
    let temp = format!("{name} (re-import)");
    // a temporary dataset left by a crash in the middle of an earlier
    // re-import is not the analyst's
    if ws.has_dataset(&temp)? {
        ws.delete_dataset(&temp)?;
    }
    let opts = ImportOptions {
        name: Some(temp.clone()),
        map: overrides.map.clone(),
        types: overrides.types.clone(),
        time_zone: overrides.time_zone.clone(),
        allow_duplicate: true,
        ..Default::default()
    };
    let mut report = import::import_file_report(ws, Path::new(&source), &opts, job)?;
    if let Err(e) = replace_dataset(ws, name, &temp, job, before_commit) {
        let _ = ws.delete_dataset(&temp);
        return Err(e);
    }
    report.dataset = ws.dataset(name)?.info;
    Ok(report)
}

/// In one transaction: deletes dataset `name` and renames `temp` to it. A
/// cancel seen before the commit rolls everything back.
fn replace_dataset(
    ws: &mut Workspace,
    name: &str,
    temp: &str,
    job: &Job,
    before_commit: &dyn Fn() -> Result<()>,
) -> Result<()> {
    let old = ws.dataset(name)?.id;
    let new = ws.dataset(temp)?.id;
    let path = ws.path().to_path_buf();
    let err = |source| crate::store::store_error(path.clone(), source);
    let conn = ws.conn();
    let tx = conn.unchecked_transaction().map_err(err)?;
    for sql in [
        "DELETE FROM column_chunks WHERE dataset_id = ?1",
        "DELETE FROM dataset_columns WHERE dataset_id = ?1",
        "DELETE FROM datasets WHERE id = ?1",
    ] {
        tx.execute(sql, [old]).map_err(err)?;
    }
    tx.execute(
        "UPDATE datasets SET name = ?1 WHERE id = ?2",
        rusqlite::params![name, new],
    )
    .map_err(err)?;
    job.check()?;
    before_commit()?;
    tx.commit().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_job_at_a_time_and_the_slot_is_freed() {
        let dir = tempfile::tempdir().unwrap();
        let s = Session::open(&dir.path().join("w.stepwise")).unwrap();
        let inner = s.run_job(|_, _| Ok(s.run_job(|_, _| Ok(()))));
        let e = inner.unwrap().unwrap_err();
        assert_eq!(e.error_code(), crate::ErrorCode::Busy);
        // switching workspaces waits for no job now
        s.run_job(|_, _| Ok(())).unwrap();
        let other = dir.path().join("other");
        let opened = s.open_workspace(other.to_str().unwrap(), true).unwrap();
        assert_eq!(opened.extension().unwrap(), "stepwise");
        let e = s
            .open_workspace(opened.to_str().unwrap(), true)
            .unwrap_err();
        assert_eq!(e.error_code(), crate::ErrorCode::Exists);
        let e = s
            .open_workspace(dir.path().join("nope.stepwise").to_str().unwrap(), false)
            .unwrap_err();
        assert_eq!(e.error_code(), crate::ErrorCode::NotFound);
    }

    #[test]
    fn the_planner_is_the_engines_calculator() {
        let input = PlanInput {
            baseline: 0.05,
            mde: 0.2,
            relative: Some(true),
            daily_traffic: Some(1000.0),
            variants: None,
            power: None,
            confidence: None,
        };
        let plan = plan_sample_size(&input).unwrap();
        let direct = crate::stats::sample_size(&SampleSizeInput {
            baseline_rate: 0.05,
            minimum_effect: MinimumEffect::Relative(0.2),
            alpha: 0.05,
            power: 0.8,
            daily_traffic: Some(1000.0),
            arms: 2,
        })
        .unwrap();
        assert_eq!(plan, direct);
        assert_eq!(plan.days, Some((plan.users_per_arm * 2).div_ceil(1000)));
        let bad = PlanInput {
            confidence: Some(1.5),
            ..input
        };
        assert!(plan_sample_size(&bad).is_err());
    }

    #[test]
    fn a_spec_error_names_the_field_in_words() {
        let e =
            parse_spec::<FunnelSpec>("funnel", serde_json::json!({"dataset": "x"})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the funnel could not be read: missing field \"steps\""
        );
    }

    #[test]
    fn chart_sizes_follow_the_view() {
        let d = ChartData::Funnel(crate::chart::FunnelChartData {
            title: String::new(),
            subtitle: None,
            unit: "users".into(),
            steps: vec![],
            bottleneck: None,
        });
        assert_eq!(
            view_size(&d, 1000),
            ChartSize::Custom {
                width: 1000,
                height: 460
            }
        );
        assert_eq!(
            view_size(&d, 100),
            ChartSize::Custom {
                width: 480,
                height: 260
            }
        );
    }
}
