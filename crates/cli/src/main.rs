//! `stepwise`: the engine from the command line, for automation and tests.
//! Each subcommand is a module of `cmd`, a few lines over `stepwise_engine`;
//! `util` holds the printing and spec-reading helpers they share.

mod cmd;
mod stdin;
mod util;

use clap::{Parser, Subcommand};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use stepwise_engine::{DatasetInfo, Error, Workspace};

#[derive(Parser)]
#[command(
    name = "stepwise",
    version,
    about = "Offline funnel and micro-conversion analysis for CRO analysts",
    after_help = "The workspace is a SQLite file: --workspace FILE, else $STEPWISE_WORKSPACE, else the app's default."
)]
struct Cli {
    /// The workspace file to use (default: $STEPWISE_WORKSPACE, then the app's own).
    #[arg(long, global = true, value_name = "FILE")]
    workspace: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import a data file (CSV/TSV, XLSX/XLS/ODS, JSON/NDJSON) as a new dataset.
    Import(cmd::import::Args),
    /// List the sheets of a workbook and the tables of a file.
    Tables(cmd::tables::Args),
    /// Write a realistic generated clickstream CSV (the benchmark's and the sample's data).
    Generate(cmd::generate::Args),
    /// List the workspace's datasets.
    Datasets(cmd::datasets::Args),
    /// Count a segment's members (JSON spec; see docs/segments.md, or --saved NAME); --csv writes the audience list.
    Segment(cmd::segment::Args),
    /// Compare segments or a column's values on a funnel, with statistics.
    Compare(cmd::compare::Args),
    /// Rank micro-conversions by how much they go with reaching a goal.
    Impact(cmd::impact::Args),
    /// Build a report from a report spec (JSON; see docs/reports.md) and export it.
    Report(cmd::report::Args),
    /// Save a spec in the workspace, where the app keeps its saved work.
    Save(cmd::save::Args),
    /// List the saved funnels, segments, comparisons, impact analyses and reports.
    Saved(cmd::saved::Args),
    /// Plan an A/B test: users per arm and days needed (see docs/statistics.md).
    Plan(cmd::plan::Args),
    /// Check an A/B test's split: units per variant against the planned shares (chi-square).
    Srm(cmd::srm::Args),
    /// Store (or show, or --remove) where a dataset's events also live on ClickHouse (docs/clickhouse.md).
    Connect(cmd::connect::Args),
    /// Tag an event of a dataset a micro or macro conversion (or none); without an event, list the tags.
    Tag(cmd::tag::Args),
    /// Print numbers the way tables, charts and reports print them (count, rate, seconds, ...).
    Format(cmd::format::Args),
    /// Run a funnel spec (JSON; see docs/funnel.md, or --saved NAME) and print its steps;
    /// --dropped STEP lists who dropped there, --csv writes all of them;
    /// --sql clickhouse [--table NAME] prints it as ClickHouse SQL (docs/clickhouse.md).
    Funnel(cmd::funnel::Args),
    /// What each step of a funnel is worth, a what-if, the ranked opportunities and
    /// where the non-converters stopped (JSON spec: a funnel plus "value"; see docs/value.md).
    Value(cmd::value::Args),
    /// Where users went next (or came from) around an event, a page or a funnel step (docs/paths.md).
    Paths(cmd::paths::Args),
    /// Retention cohorts by day, week or month, and repeat purchase (docs/retention.md).
    Retention(cmd::retention::Args),
}

#[derive(Serialize)]
struct DatasetsOut<'a> {
    datasets: &'a [DatasetInfo],
}

fn main() -> ExitCode {
    // `stepwise ... | head` closes the pipe early: end quietly, as other Unix
    // tools do, instead of panicking on the failed write ("Broken pipe").
    #[cfg(unix)]
    // SAFETY: called first thing, before any thread exists; SIG_DFL is a
    // valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Bad input and failed requests exit 1; clap exits 2 on bad usage.
            // The engine's message is shell-neutral; the CLI adds its own way
            // to give a column a missing role.
            match e.needed_role() {
                Some(role) => {
                    eprintln!("stepwise: {e}; map one with --map {}=COLUMN", role.as_str())
                }
                None => eprintln!("stepwise: {e}"),
            }
            ExitCode::from(1)
        }
    }
}

fn open(cli_ws: &Option<PathBuf>) -> Result<Workspace, Error> {
    Workspace::open(&stepwise_engine::store::resolve_workspace_path(
        cli_ws.as_deref(),
    ))
}

fn run(cli: Cli) -> Result<(), Error> {
    let ws = &cli.workspace;
    match cli.command {
        Command::Import(a) => cmd::import::run(ws, a),
        Command::Tables(a) => cmd::tables::run(a),
        Command::Generate(a) => cmd::generate::run(a),
        Command::Datasets(a) => cmd::datasets::run(ws, a),
        Command::Segment(a) => cmd::segment::run(ws, a),
        Command::Compare(a) => cmd::compare::run(ws, a),
        Command::Impact(a) => cmd::impact::run(ws, a),
        Command::Report(a) => cmd::report::run(ws, a),
        Command::Save(a) => cmd::save::run(ws, a),
        Command::Saved(a) => cmd::saved::run(ws, a),
        Command::Plan(a) => cmd::plan::run(a),
        Command::Srm(a) => cmd::srm::run(a),
        Command::Format(a) => cmd::format::run(a),
        Command::Tag(a) => cmd::tag::run(ws, a),
        Command::Connect(a) => cmd::connect::run(ws, a),
        Command::Funnel(a) => cmd::funnel::run(ws, a),
        Command::Value(a) => cmd::value::run(ws, a),
        Command::Paths(a) => cmd::paths::run(ws, a),
        Command::Retention(a) => cmd::retention::run(ws, a),
    }
}
