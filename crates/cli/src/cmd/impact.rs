//! `stepwise impact SPEC.json`: micro-conversions ranked by how much they go
//! with reaching a goal.

use crate::util::{json_with_shown, print_json, write_export, SpecSource};
use std::path::PathBuf;
use stepwise_engine::chart::format;
use stepwise_engine::impact::{self, ImpactSpec};
use stepwise_engine::index::IndexCache;
use stepwise_engine::present;
use stepwise_engine::Error;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: SpecSource,
    /// Write the table (the one the app shows and the report prints) to
    /// this file: CSV or XLSX by its extension.
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

pub fn run(workspace: &Option<PathBuf>, args: Args) -> Result<(), Error> {
    let Args {
        source,
        export,
        json,
    } = args;
    let spec: ImpactSpec = source.load(workspace)?;
    let ws = crate::open(workspace)?;
    let result = impact::run_impact(&ws, &spec, &mut IndexCache::new())?;
    let shown = present::impact(None, None, &spec, &result)?;
    write_export(&shown, &export)?;
    if json {
        print_json(&json_with_shown(&result, &shown)?);
    } else {
        print_impact(&result);
    }
    Ok(())
}

fn print_impact(r: &stepwise_engine::impact::ImpactResult) {
    let v = serde_json::to_value(r).unwrap_or_default();
    for c in v["candidates"].as_array().into_iter().flatten() {
        let name = c["event"].as_str().or(c["page"].as_str()).unwrap_or("");
        println!(
            "  {:<28} did {:>9} ({:>6})  not {:>9} ({:>6})  lift {:>8}  value/action {}",
            name,
            format::count(c["users_did"].as_u64().unwrap_or(0)),
            c["goal_rate_did"]
                .as_f64()
                .map(format::percent)
                .unwrap_or_default(),
            format::count(c["users_not"].as_u64().unwrap_or(0)),
            c["goal_rate_not"]
                .as_f64()
                .map(format::percent)
                .unwrap_or_default(),
            c["lift"]
                .as_f64()
                .map(format::signed_percent)
                .unwrap_or_else(|| "–".into()),
            c["value_per_action"]
                .as_f64()
                .map(|x| format::number(x, 2))
                .unwrap_or_else(|| "–".into()),
        );
    }
    if let Some(n) = v["note"].as_str() {
        println!("\n{n}");
    }
}
