//! `stepwise retention SPEC.json`: retention cohorts, and repeat purchase
//! with a goal (docs/retention.md).

use crate::util::{duration, parse_spec, print_json, timed};
use std::path::PathBuf;
use stepwise_engine::chart::format;
use stepwise_engine::retention::{run_retention, RetentionResult, RetentionSpec};
use stepwise_engine::Error;

#[derive(clap::Args)]
pub struct Args {
    /// The retention spec (JSON; `-` reads standard input).
    spec: PathBuf,
    #[arg(long)]
    json: bool,
}

pub fn run(workspace: &Option<PathBuf>, args: Args) -> Result<(), Error> {
    let spec: RetentionSpec = parse_spec(&args.spec)?;
    let (result, timing) = timed(workspace, |ws, cache| run_retention(ws, &spec, cache))?;
    if args.json {
        // `shown`: the table the app shows and the report prints
        let shown = stepwise_engine::present::retention(None, None, &spec, &result);
        let mut v = crate::util::json_with_shown(&result, &shown)?;
        v["timing"] = timing;
        print_json(&v);
    } else {
        print_retention(&result);
    }
    Ok(())
}

fn print_retention(r: &RetentionResult) {
    println!(
        "Retention by {} ({} {}):",
        serde_json::to_value(r.interval)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        format::count(r.users),
        r.unit
    );
    let head: Vec<String> = (0..r.periods).map(|p| format!("{p:>7}")).collect();
    println!("  {:<12} {:>10} {}", "cohort", "size", head.join(""));
    for c in &r.cohorts {
        let cells: Vec<String> = c
            .rates
            .iter()
            .map(|&x| format!("{:>7}", format::percent(x)))
            .collect();
        println!(
            "  {:<12} {:>10} {}",
            c.period,
            format::count(c.size),
            cells.join("")
        );
    }
    let cells: Vec<String> = r
        .curve
        .iter()
        .map(|p| format!("{:>7}", format::percent(p.rate)))
        .collect();
    println!(
        "  {:<12} {:>10} {}",
        "all",
        format::count(r.users),
        cells.join("")
    );
    if let Some(rp) = &r.repeat {
        println!(
            "\nRepeat \u{201c}{}\u{201d}: {} of {} customers ordered again ({}); {} orders, {:.2} per customer; median time between orders {}.",
            rp.goal,
            format::count(rp.repeat_customers),
            format::count(rp.customers),
            format::percent(rp.repeat_rate),
            format::count(rp.orders),
            rp.orders_per_customer,
            duration(rp.median_seconds_between_orders)
        );
    }
    for w in &r.warnings {
        println!("\nNote: {w}");
    }
}
