//! `stepwise compare SPEC.json`: segments or a column's values on a funnel.

use crate::util::{json_with_shown, print_json, write_export, SpecSource};
use std::path::PathBuf;
use stepwise_engine::chart::format;
use stepwise_engine::compare::{self, CompareSpec};
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
    let spec: CompareSpec = source.load(workspace)?;
    let ws = crate::open(workspace)?;
    let result = compare::run_compare(&ws, &spec, &mut IndexCache::new())?;
    let shown = present::compare(None, None, &spec, &result);
    write_export(&shown, &export)?;
    if json {
        print_json(&json_with_shown(&result, &shown)?);
    } else {
        print_compare(&result);
    }
    Ok(())
}

fn print_compare(r: &stepwise_engine::compare::CompareResult) {
    let v = serde_json::to_value(r).unwrap_or_default();
    println!("Baseline: {}", v["baseline"].as_str().unwrap_or(""));
    for s in v["segments"].as_array().into_iter().flatten() {
        let c = &s["conversion"];
        println!(
            "  {:<28} {:>8}  CI {:>7} – {:<7}  lift {:>8}  {:<12} {}",
            s["name"].as_str().unwrap_or(""),
            c["rate"].as_f64().map(format::percent).unwrap_or_default(),
            c["ci_low"]
                .as_f64()
                .map(format::percent)
                .unwrap_or_default(),
            c["ci_high"]
                .as_f64()
                .map(format::percent)
                .unwrap_or_default(),
            c["lift"]
                .as_f64()
                .map(format::signed_percent)
                .unwrap_or_else(|| "–".into()),
            c["p_adjusted"]
                .as_f64()
                .map(format::p_value)
                .unwrap_or_else(|| "–".into()),
            c["verdict"].as_str().unwrap_or("")
        );
    }
    if let Some(c) = v.get("chi_square").filter(|c| !c.is_null()) {
        println!(
            "Chi-square: {} (df {}), {}",
            format::number(c["statistic"].as_f64().unwrap_or(f64::NAN), 3),
            c["df"],
            c["p_value"]
                .as_f64()
                .map(format::p_value)
                .unwrap_or_default()
        );
    }
}
