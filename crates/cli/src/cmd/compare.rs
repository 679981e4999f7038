//! `stepwise compare SPEC.json`: segments or a column's values on a funnel.

use crate::cmd::funnel::Engine;
use crate::util::{json_with_shown, print_json, write_export, SpecSource};
use std::path::PathBuf;
use stepwise_engine::chart::format;
use stepwise_engine::clickhouse as remote;
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
    /// Where the groups are counted: here (local, the default) or on a
    /// ClickHouse server (--url), which returns only each group's step
    /// counts; the statistics are computed here from them.
    #[arg(long, value_name = "ENGINE", default_value = "local")]
    engine: crate::cmd::funnel::Engine,
    /// With --engine clickhouse: the server's HTTP interface, e.g.
    /// http://127.0.0.1:8123/ (credentials from STEPWISE_CLICKHOUSE_USER and
    /// STEPWISE_CLICKHOUSE_PASSWORD, never stored).
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// With --engine clickhouse: the table to read (default: the dataset's
    /// name); its columns carry the dataset's column names.
    #[arg(long, value_name = "NAME")]
    table: Option<String>,
    /// With --engine clickhouse: a column giving the rows' order, to break
    /// ties at one instant as Stepwise does.
    #[arg(long, value_name = "COLUMN")]
    row_order: Option<String>,
}

pub fn run(workspace: &Option<PathBuf>, args: Args) -> Result<(), Error> {
    let Args {
        source,
        export,
        json,
        engine,
        url,
        table,
        row_order,
    } = args;
    let local = engine == Engine::Local;
    if local && (url.is_some() || table.is_some() || row_order.is_some()) {
        return Err(Error::Invalid(
            "--url, --table and --row-order go with --engine clickhouse".into(),
        ));
    }
    let spec: CompareSpec = source.load(workspace)?;
    let ws = crate::open(workspace)?;
    let (result, query_ms) = if local {
        (
            compare::run_compare(&ws, &spec, &mut IndexCache::new())?,
            None,
        )
    } else {
        let conn = crate::cmd::funnel::remote_connection(
            &ws,
            &spec.funnel.dataset,
            url,
            table,
            row_order,
        )?;
        let started = std::time::Instant::now();
        let info = ws.dataset(&spec.funnel.dataset)?.info;
        let r = remote::run_compare(&spec, &info, &conn)?;
        (r, Some(started.elapsed().as_secs_f64() * 1e3))
    };
    let shown = present::compare(None, None, &spec, &result);
    write_export(&shown, &export)?;
    if json {
        let mut v = json_with_shown(&result, &shown)?;
        if let Some(ms) = query_ms {
            v["engine"] = serde_json::json!("clickhouse");
            v["timing"] = serde_json::json!({ "query_ms": ms });
        }
        print_json(&v);
    } else {
        print_compare(&result);
        if let (Some(_), Some(u)) = (query_ms, &url_shown(&result)) {
            println!("\n({u})");
        }
    }
    Ok(())
}

/// The note under a comparison counted elsewhere.
fn url_shown(r: &compare::CompareResult) -> Option<String> {
    r.warnings
        .iter()
        .find(|w| w.starts_with("Counted on ClickHouse"))
        .cloned()
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
