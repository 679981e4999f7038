//! `stepwise funnel SPEC.json`: a funnel's steps; `--dropped STEP` lists who
//! dropped there.

use crate::util::{duration, print_json, SpecSource};
use std::path::PathBuf;
use stepwise_engine::chart::format;
use stepwise_engine::funnel::{run_funnel, FunnelResult, FunnelSpec};
use stepwise_engine::index::IndexCache;
use stepwise_engine::present;
use stepwise_engine::session::write_table;
use stepwise_engine::Error;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: SpecSource,
    /// List the users (or sessions) who reached the step before STEP but
    /// not STEP, steps numbered from 1 as printed (so 2 or later).
    #[arg(long, value_name = "STEP", value_parser = clap::value_parser!(u64).range(1..))]
    dropped: Option<u64>,
    /// With --dropped: write every one of them to this CSV file.
    #[arg(long, value_name = "OUT", requires = "dropped")]
    csv: Option<PathBuf>,
    /// Write the funnel's table (the one the app shows and the report
    /// prints) to this file: CSV or XLSX by its extension.
    #[arg(long, value_name = "FILE", conflicts_with = "dropped")]
    table: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

/// How many of the dropped units `funnel --dropped` prints (--csv writes all).
const DROPPED_SHOWN: usize = 20;

pub fn run(workspace: &Option<PathBuf>, args: Args) -> Result<(), Error> {
    match args {
        Args {
            source,
            dropped: Some(step),
            csv,
            json,
            ..
        } => {
            let spec: FunnelSpec = source.load(workspace)?;
            let ws = crate::open(workspace)?;
            let mut cache = IndexCache::new();
            // printed numbering (from 1) to the engine's (from 0)
            let k = (step - 1) as usize;
            let d = stepwise_engine::dropoff::dropoff(&ws, &spec, &mut cache, k, DROPPED_SHOWN)?;
            if let Some(path) = &csv {
                let io = |source| Error::Io {
                    path: path.clone(),
                    source,
                };
                let file = std::fs::File::create(path).map_err(io)?;
                stepwise_engine::dropoff::write_dropoff_csv(
                    &ws,
                    &spec,
                    &mut cache,
                    k,
                    std::io::BufWriter::new(file),
                )?;
            }
            if json {
                let mut v = serde_json::to_value(&d).map_err(|e| Error::Internal(e.to_string()))?;
                if let Some(path) = &csv {
                    v["csv"] = serde_json::json!(path.display().to_string());
                }
                print_json(&v);
            } else {
                println!(
                    "{} {} reached step {} \u{201c}{}\u{201d} but not step {} \u{201c}{}\u{201d}.",
                    format::count(d.count),
                    d.unit,
                    step - 1,
                    d.from_label,
                    step,
                    d.to_label
                );
                match &csv {
                    Some(path) => println!("Wrote them to {}.", path.display()),
                    None => {
                        if !d.rows.is_empty() {
                            println!("  {}", d.header.join(" / "));
                        }
                        for r in &d.rows {
                            println!("  {}", r.join(" / "));
                        }
                        if d.count > d.rows.len() as u64 {
                            println!(
                                "  … and {} more (--csv OUT writes them all)",
                                format::count(d.count - d.rows.len() as u64)
                            );
                        }
                    }
                }
            }
        }
        Args {
            source,
            json,
            table,
            ..
        } => {
            let spec: FunnelSpec = source.load(workspace)?;
            // first_ms: open the workspace, build the index, run the query
            // (the first query after opening); query_ms: the same query
            // again on the built index (what the app pays on every edit).
            let started = std::time::Instant::now();
            let ws = crate::open(workspace)?;
            let mut cache = IndexCache::new();
            let result = run_funnel(&ws, &spec, &mut cache)?;
            let first_ms = started.elapsed().as_secs_f64() * 1e3;
            let again = std::time::Instant::now();
            let _ = run_funnel(&ws, &spec, &mut cache)?;
            let query_ms = again.elapsed().as_secs_f64() * 1e3;
            let shown = present::funnel(None, None, &spec, &result);
            if let Some(path) = &table {
                write_table(&shown.section.heading, &shown.table(), path, None)?;
            }
            if json {
                let mut v =
                    serde_json::to_value(&result).map_err(|e| Error::Internal(e.to_string()))?;
                v["timing"] = serde_json::json!({ "first_ms": first_ms, "query_ms": query_ms });
                // what the app shows: the table's text, the bottleneck row
                v["shown"] = serde_json::to_value(shown.shown())
                    .map_err(|e| Error::Internal(e.to_string()))?;
                print_json(&v);
            } else {
                print_funnel(&result);
            }
        }
    }
    Ok(())
}

fn print_steps(steps: &[stepwise_engine::funnel::StepResult]) {
    println!(
        "  {:<4}{:<34} {:>12} {:>9} {:>9} {:>12} {:>14}",
        "#", "step", "count", "of start", "of prev", "dropped", "median time"
    );
    for (k, s) in steps.iter().enumerate() {
        println!(
            "  {:<4}{:<34} {:>12} {:>9} {:>9} {:>12} {:>14}",
            k + 1,
            s.label,
            format::count(s.count),
            format::percent(s.conversion_from_start),
            format::percent(s.conversion_from_previous),
            format::count(s.dropped),
            duration(s.median_seconds)
        );
    }
}

fn print_funnel(r: &FunnelResult) {
    println!("Funnel ({}):", r.unit);
    print_steps(&r.steps);
    for b in &r.breakdown {
        println!("\n{}:", b.value);
        print_steps(&b.steps);
    }
    for w in &r.warnings {
        println!("\nNote: {w}");
    }
}
