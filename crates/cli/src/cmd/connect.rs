//! `stepwise connect DATASET --url URL [--table NAME] [--row-order COLUMN]`:
//! stores where a dataset's events also live on ClickHouse, so that
//! `funnel`/`compare --engine clickhouse` (and the app's "Count on
//! ClickHouse") need no --url; `--remove` forgets it; without options it
//! prints it. Credentials are never stored (docs/clickhouse.md).

use crate::util::print_json;
use std::path::PathBuf;
use stepwise_engine::clickhouse::{redact, Connection};
use stepwise_engine::Error;

#[derive(clap::Args)]
pub struct Args {
    /// The dataset whose events the ClickHouse table holds.
    dataset: String,
    /// The server's HTTP interface, e.g. http://127.0.0.1:8123/ (add
    /// ?database=NAME for a database).
    #[arg(long, value_name = "URL", conflicts_with = "remove")]
    url: Option<String>,
    /// The table to read (default: the dataset's name).
    #[arg(long, value_name = "NAME", requires = "url")]
    table: Option<String>,
    /// A column giving the rows' order (ties at one instant).
    #[arg(long, value_name = "COLUMN", requires = "url")]
    row_order: Option<String>,
    /// Forget the dataset's connection.
    #[arg(long)]
    remove: bool,
    /// Print the CREATE TABLE statement of a ClickHouse table that can hold
    /// the dataset (its columns with the types the compiled SQL expects);
    /// with --json, the columns as [name, type] pairs.
    #[arg(long, conflicts_with_all = ["remove", "url"])]
    schema: bool,
    #[arg(long)]
    json: bool,
}

pub fn run(workspace: &Option<PathBuf>, args: Args) -> Result<(), Error> {
    let mut ws = crate::open(workspace)?;
    if args.schema {
        let rec = ws.dataset(&args.dataset)?;
        let cols = stepwise_engine::funnel::sql::clickhouse_columns(&rec.info);
        if args.json {
            print_json(&cols);
        } else {
            let table = ws
                .clickhouse(&args.dataset)?
                .and_then(|c| c.table)
                .unwrap_or_else(|| args.dataset.clone());
            let list: Vec<String> = cols
                .iter()
                .map(|(n, t)| format!("    {} {t}", stepwise_engine::funnel::sql::ident(n)))
                .collect();
            println!(
                "CREATE TABLE {} (\n{}\n) ENGINE = MergeTree ORDER BY tuple();",
                stepwise_engine::funnel::sql::ident(&table),
                list.join(",\n")
            );
        }
        return Ok(());
    }
    if args.remove {
        ws.set_clickhouse(&args.dataset, None)?;
        println!("Forgot the ClickHouse connection of \"{}\".", args.dataset);
        return Ok(());
    }
    if let Some(url) = args.url {
        let conn = Connection {
            url,
            table: args.table,
            row_order: args.row_order,
        };
        ws.set_clickhouse(&args.dataset, Some(&conn))?;
    }
    let conn = ws.clickhouse(&args.dataset)?;
    if args.json {
        print_json(&conn);
        return Ok(());
    }
    match conn {
        None => {
            ws.dataset(&args.dataset)?;
            println!(
                "\"{}\" has no ClickHouse connection (add one with --url).",
                args.dataset
            );
        }
        Some(c) => println!(
            "\"{}\" is counted on ClickHouse at {}, table {}{}.",
            args.dataset,
            redact(&c.url),
            c.table.as_deref().unwrap_or(&args.dataset),
            c.row_order
                .as_deref()
                .map(|r| format!(", rows ordered by {r}"))
                .unwrap_or_default()
        ),
    }
    Ok(())
}
