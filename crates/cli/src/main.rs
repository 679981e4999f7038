//! `stepwise`: the engine from the command line, for automation and tests.
//! Each subcommand is a few lines over `stepwise_engine`.

use clap::{Parser, Subcommand};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use stepwise_engine::import::{self, ImportOptions};
use stepwise_engine::{DatasetInfo, Error, Job, Workspace};

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
    Import {
        file: PathBuf,
        /// The dataset's name (default: the file name without extension).
        #[arg(long)]
        name: Option<String>,
        /// Map a column to a role: ROLE=COLUMN with ROLE one of user, session, time, event, page, value, item. Repeatable.
        #[arg(long = "map", value_name = "ROLE=COLUMN")]
        map: Vec<String>,
        /// The sheet of a workbook to import.
        #[arg(long)]
        sheet: Option<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the workspace's datasets.
    Datasets {
        #[arg(long)]
        json: bool,
    },
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
            eprintln!("stepwise: {e}");
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
    match cli.command {
        Command::Import {
            file,
            name,
            map,
            sheet,
            json,
        } => {
            let map = match map.iter().map(|m| import::parse_map(m)).collect() {
                Ok(m) => m,
                Err(e) => usage_error(&e.to_string()),
            };
            let opts = ImportOptions { name, map, sheet };
            let mut ws = open(&cli.workspace)?;
            let mut bar = ProgressBar::new(&file);
            let mut job = Job::new(Default::default(), move |p| bar.draw(p));
            let info = import::import_file(&mut ws, &file, &opts, &mut job)?;
            drop(job);
            if json {
                print_json(&DatasetsOut {
                    datasets: std::slice::from_ref(&info),
                });
            } else {
                println!(
                    "Imported \"{}\": {} rows, {} columns ({} table).",
                    info.name,
                    thousands(info.rows),
                    info.columns.len(),
                    info.kind.as_str()
                );
                print_columns(&info);
            }
        }
        Command::Datasets { json } => {
            let ws = open(&cli.workspace)?;
            let list = ws.datasets()?;
            if json {
                print_json(&DatasetsOut { datasets: &list });
            } else if list.is_empty() {
                println!("No datasets yet. Import one with: stepwise import FILE");
            } else {
                for d in &list {
                    println!(
                        "{:<32} {:>12} rows  {:>3} columns  {}",
                        d.name,
                        thousands(d.rows),
                        d.columns.len(),
                        d.kind.as_str()
                    );
                }
            }
        }
    }
    Ok(())
}

/// Bad usage (a malformed option value) exits 2, as clap does.
fn usage_error(msg: &str) -> ! {
    eprintln!("stepwise: {msg}");
    std::process::exit(2)
}

fn print_json<T: Serialize>(v: &T) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, v);
    let _ = writeln!(out);
}

fn print_columns(info: &DatasetInfo) {
    for c in &info.columns {
        println!(
            "  {:<32} {:<10} {}",
            c.name,
            c.ty.as_str(),
            c.role.map(|r| r.as_str()).unwrap_or("")
        );
    }
}

/// 1234567 -> "1,234,567"
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A one-line progress bar on a terminal; nothing when stderr is piped.
struct ProgressBar {
    enabled: bool,
    label: String,
    started: std::time::Instant,
}

impl ProgressBar {
    fn new(file: &std::path::Path) -> Self {
        ProgressBar {
            enabled: std::io::stderr().is_terminal(),
            label: file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            started: std::time::Instant::now(),
        }
    }
    fn draw(&mut self, p: &stepwise_engine::Progress) {
        if !self.enabled {
            return;
        }
        let frac = if p.bytes_total > 0 {
            (p.bytes_done as f64 / p.bytes_total as f64).min(1.0)
        } else {
            0.0
        };
        let width = 30;
        let filled = (frac * width as f64) as usize;
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{} [{}{}] {:>3.0}%  {} rows  {:.0} rows/s  {}   ",
            self.label,
            "#".repeat(filled),
            " ".repeat(width - filled),
            frac * 100.0,
            thousands(p.rows_done),
            p.rows_done as f64 / secs,
            p.stage
        );
        if p.stage == "done" {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_separators() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(780928), "780,928");
        assert_eq!(super::thousands(12345678), "12,345,678");
    }
}
