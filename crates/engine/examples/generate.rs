//! Writes a generated clickstream CSV (the benchmark's data set) and prints
//! its statistics as JSON. The CLI's `stepwise generate` does the same.
//!
//! cargo run --release -p stepwise-engine --example generate -- \
//!     --events 10000000 --out bench/out/events.csv [--seed 42] [--from 2024-09-01 --to 2024-09-30]

use std::path::Path;
use std::process::ExitCode;
use stepwise_engine::generate::{write_clickstream_file, GenOptions};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("generate: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut opts = GenOptions::default();
    let mut out = None;
    let (mut from, mut to) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--events" => {
                opts.events = val()?
                    .replace('_', "")
                    .parse()
                    .map_err(|_| "--events takes a number".to_string())?
            }
            "--seed" => {
                opts.seed = val()?
                    .parse()
                    .map_err(|_| "--seed takes a number".to_string())?
            }
            "--out" => out = Some(val()?),
            "--from" => from = Some(val()?),
            "--to" => to = Some(val()?),
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    if from.is_some() || to.is_some() {
        let f = from.ok_or("--to needs --from")?;
        let t = to.ok_or("--from needs --to")?;
        opts = opts.with_range(&f, &t)?;
    }
    let path = out.ok_or("--out FILE is required")?;
    let started = std::time::Instant::now();
    let stats = write_clickstream_file(Path::new(&path), &opts)
        .map_err(|e| format!("cannot write {path}: {e}"))?;
    let mut v = serde_json::to_value(&stats).map_err(|e| e.to_string())?;
    v["seconds"] = started.elapsed().as_secs_f64().into();
    v["conversion"] = stats.conversion().into();
    v["filter_lift"] = stats.filter_lift().into();
    v["newsletter_lift"] = stats.newsletter_lift().into();
    v["path"] = path.into();
    println!(
        "{}",
        serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
    );
    Ok(())
}
