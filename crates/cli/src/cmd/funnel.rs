//! `stepwise funnel SPEC.json`: a funnel's steps; `--dropped STEP` lists who
//! dropped there; `--sql clickhouse` prints the funnel as ClickHouse SQL
//! (docs/clickhouse.md).

use crate::util::{duration, print_json, SpecSource};
use std::path::PathBuf;
use stepwise_engine::chart::format;
use stepwise_engine::clickhouse as remote;
use stepwise_engine::funnel::{run_funnel, FunnelResult, FunnelSpec};
use stepwise_engine::index::IndexCache;
use stepwise_engine::present;
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
    #[arg(long, value_name = "FILE", conflicts_with_all = ["dropped", "sql"])]
    export: Option<PathBuf>,
    #[arg(long)]
    json: bool,
    /// Print the funnel as SQL for this engine instead of running it
    /// (docs/clickhouse.md).
    #[arg(long, value_name = "DIALECT", conflicts_with_all = ["dropped", "json"])]
    sql: Option<SqlDialect>,
    /// With --sql or --engine clickhouse: the table to read (default: the
    /// dataset's name); its columns carry the dataset's column names.
    #[arg(long, value_name = "NAME")]
    table: Option<String>,
    /// With --sql or --engine clickhouse: a column of the table giving the
    /// rows' order (an insertion sequence), to break ties at one instant as
    /// Stepwise does.
    #[arg(long, value_name = "COLUMN")]
    row_order: Option<String>,
    /// Where the funnel runs: here (local, the default) or on a ClickHouse
    /// server (--url), which returns only the step counts.
    #[arg(long, value_name = "ENGINE", default_value = "local", conflicts_with_all = ["dropped", "sql"])]
    engine: Engine,
    /// With --engine clickhouse: the server's HTTP interface, e.g.
    /// http://127.0.0.1:8123/ (add ?database=NAME for a database). The user
    /// and password come from STEPWISE_CLICKHOUSE_USER and
    /// STEPWISE_CLICKHOUSE_PASSWORD and are never stored.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SqlDialect {
    Clickhouse,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    Local,
    Clickhouse,
}

/// The ClickHouse connection for `--engine clickhouse`: `--url` (with
/// `--table`/`--row-order`) when given, else the dataset's stored one
/// (`stepwise connect`), whose table and row order the flags override.
pub fn remote_connection(
    ws: &stepwise_engine::store::Workspace,
    dataset: &str,
    url: Option<String>,
    table: Option<String>,
    row_order: Option<String>,
) -> Result<remote::Connection, Error> {
    let stored = ws.clickhouse(dataset)?;
    let mut conn = match (url, stored) {
        (Some(url), _) => remote::Connection {
            url,
            table: None,
            row_order: None,
        },
        (None, Some(c)) => c,
        (None, None) => {
            return Err(Error::Invalid(format!(
                "--engine clickhouse needs --url, the server's HTTP interface (http://HOST:8123/), or a connection stored with stepwise connect {dataset} --url URL"
            )))
        }
    };
    if table.is_some() {
        conn.table = table;
    }
    if row_order.is_some() {
        conn.row_order = row_order;
    }
    Ok(conn)
}

/// How many of the dropped units `funnel --dropped` prints (--csv writes all).
const DROPPED_SHOWN: usize = 20;

pub fn run(workspace: &Option<PathBuf>, args: Args) -> Result<(), Error> {
    if args.engine == Engine::Local
        && args.sql.is_none()
        && (args.table.is_some() || args.row_order.is_some())
    {
        return Err(Error::Invalid(
            "--table and --row-order go with --sql clickhouse or --engine clickhouse".into(),
        ));
    }
    if args.engine == Engine::Local && args.url.is_some() {
        return Err(Error::Invalid("--url goes with --engine clickhouse".into()));
    }
    match args {
        Args {
            source,
            engine: Engine::Clickhouse,
            table,
            row_order,
            url,
            json,
            ..
        } => {
            let spec: FunnelSpec = source.load(workspace)?;
            let ws = crate::open(workspace)?;
            let rec = ws.dataset(&spec.dataset)?;
            let conn = remote_connection(&ws, &spec.dataset, url, table, row_order)?;
            let url = conn.url.clone();
            let started = std::time::Instant::now();
            let result = remote::run_funnel(&spec, &rec.info, &conn)?;
            let query_ms = started.elapsed().as_secs_f64() * 1e3;
            if json {
                let mut v =
                    serde_json::to_value(&result).map_err(|e| Error::Internal(e.to_string()))?;
                v["engine"] = serde_json::json!("clickhouse");
                v["timing"] = serde_json::json!({ "query_ms": query_ms });
                print_json(&v);
            } else {
                print_funnel(&result);
                println!(
                    "\n(counted on ClickHouse at {}; times are not computed there)",
                    remote::redact(&url)
                );
            }
        }
        Args {
            source,
            sql: Some(SqlDialect::Clickhouse),
            table,
            row_order,
            ..
        } => {
            let spec: FunnelSpec = source.load(workspace)?;
            let ws = crate::open(workspace)?;
            let rec = ws.dataset(&spec.dataset)?;
            let target = stepwise_engine::funnel::sql::SqlTarget {
                table: table.unwrap_or_else(|| rec.info.name.clone()),
                row_order,
            };
            let sql = stepwise_engine::funnel::sql::clickhouse_sql(&spec, &rec.info, &target)?;
            print!("{sql}");
        }
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
            export,
            ..
        } => {
            let spec: FunnelSpec = source.load(workspace)?;
            let (result, timing) =
                crate::util::timed(workspace, |ws, cache| run_funnel(ws, &spec, cache))?;
            let shown = present::funnel(None, None, &spec, &result);
            crate::util::write_export(&shown, &export)?;
            if json {
                let mut v = crate::util::json_with_shown(&result, &shown)?;
                v["timing"] = timing;
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
