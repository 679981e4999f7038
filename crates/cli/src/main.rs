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
    /// Run a funnel spec (JSON; see docs/funnel.md, or --saved NAME) and print its steps;
    /// --dropped STEP lists who dropped there, --csv writes all of them.
    Funnel(cmd::funnel::Args),
}

#[derive(Serialize)]
struct DatasetsOut<'a> {
    datasets: &'a [DatasetInfo],
}

fn main() -> ExitCode {
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
        Command::Funnel(a) => cmd::funnel::run(ws, a),
    }
}
