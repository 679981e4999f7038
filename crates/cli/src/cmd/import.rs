//! `stepwise import FILE`: a data file as a new dataset (or appended to one).

use crate::util::{print_columns, print_json, usage_error};
use crate::DatasetsOut;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use stepwise_engine::chart::format;
use stepwise_engine::import::{self, ImportOptions};
use stepwise_engine::{Error, Job};

#[derive(clap::Args)]
pub struct Args {
    /// The data file, or `-` to read standard input (then --name is required;
    /// the format is sniffed from the content, as for a file).
    file: PathBuf,
    /// The dataset's name (default: the file name without extension).
    #[arg(long)]
    name: Option<String>,
    /// Map a column to a role: ROLE=COLUMN with ROLE one of user, session, time, event, page, value, item. Repeatable.
    #[arg(long = "map", value_name = "ROLE=COLUMN")]
    map: Vec<String>,
    /// The sheet of a workbook to import (default: the largest table).
    #[arg(long)]
    sheet: Option<String>,
    /// Which table of a file with several, 1-based as `stepwise tables FILE` lists them.
    #[arg(long)]
    table: Option<usize>,
    /// Time zone of timestamps written without one: UTC, +02:00, Europe/Amsterdam.
    #[arg(long = "time-zone", value_name = "TZ")]
    time_zone: Option<String>,
    /// Import even if a dataset already holds a file with the same content.
    #[arg(long)]
    allow_duplicate: bool,
    /// Append the file's rows to this existing dataset instead of creating one.
    #[arg(long, value_name = "DATASET", conflicts_with = "name")]
    append: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(workspace: &Option<PathBuf>, args: Args) -> Result<(), Error> {
    let Args {
        file,
        name,
        map,
        sheet,
        table,
        time_zone,
        allow_duplicate,
        append,
        json,
    } = args;
    let map = match map.iter().map(|m| import::parse_map(m)).collect() {
        Ok(m) => m,
        Err(e) => usage_error(&e.to_string()),
    };
    if table == Some(0) {
        usage_error("--table counts from 1");
    }
    let opts = ImportOptions {
        name,
        map,
        sheet,
        table: table.map(|t| t - 1),
        time_zone,
        allow_duplicate,
        ..Default::default()
    };
    if crate::stdin::is_stdin(&file) && opts.name.is_none() && append.is_none() {
        usage_error("importing standard input (-) needs --name (or --append DATASET)");
    }
    let stdin = crate::stdin::StdinFile::spool_if_dash(&file)?;
    let file = stdin.as_ref().map(|s| s.path()).unwrap_or(file);
    let mut ws = crate::open(workspace)?;
    let mut bar = ProgressBar::new(&file);
    let mut job = Job::new(Default::default(), move |p| bar.draw(p));
    let info = match &append {
        Some(target) => {
            import::append_file(&mut ws, target, &file, &opts, &mut job)?;
            ws.dataset(target)?.info
        }
        None => import::import_file(&mut ws, &file, &opts, &mut job)?,
    };
    drop(job);
    if json {
        print_json(&DatasetsOut {
            datasets: std::slice::from_ref(&info),
        });
    } else {
        println!(
            "{} \"{}\": {} rows, {} columns ({} table).",
            if append.is_some() {
                "Appended to"
            } else {
                "Imported"
            },
            info.name,
            format::count(info.rows),
            info.columns.len(),
            info.kind.as_str()
        );
        print_columns(&info);
    }
    Ok(())
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
            "\r{} [{}{}] {:>4}  {} rows  {} rows/s  {}   ",
            self.label,
            "#".repeat(filled),
            " ".repeat(width - filled),
            format::percent(frac),
            format::count(p.rows_done),
            format::number(p.rows_done as f64 / secs, 0),
            p.stage
        );
        if p.stage == "done" {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}
