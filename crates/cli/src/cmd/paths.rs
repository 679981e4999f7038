//! `stepwise paths SPEC.json`: where units went next (or came from) around
//! an event, a page, a funnel step or its drop-offs (docs/paths.md).

use crate::util::{parse_spec, print_json, timed};
use std::path::PathBuf;
use stepwise_engine::chart::format;
use stepwise_engine::paths::{run_paths, PathsResult, PathsSpec};
use stepwise_engine::present;
use stepwise_engine::Error;

#[derive(clap::Args)]
pub struct Args {
    /// The paths spec (JSON; `-` reads standard input).
    spec: PathBuf,
    #[arg(long)]
    json: bool,
    /// Write the tables (the app's export): XLSX by the extension holds
    /// two sheets, "Nodes" and "Edges"; CSV holds the node table, or the
    /// edge table with --edges.
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
    /// With --export: the edge table alone (CSV or XLSX).
    #[arg(long, requires = "export")]
    edges: bool,
}

pub fn run(workspace: &Option<PathBuf>, args: Args) -> Result<(), Error> {
    let spec: PathsSpec = parse_spec(&args.spec)?;
    let (result, timing) = timed(workspace, |ws, cache| run_paths(ws, &spec, cache))?;
    if let Some(path) = &args.export {
        let nodes = present::paths(None, None, &spec, &result).table();
        let edges = present::paths_edges(&result);
        stepwise_engine::session::write_paths_tables(&nodes, &edges, args.edges, path, None)?;
    }
    if args.json {
        // `shown`: the table the app shows and the report prints
        let shown = stepwise_engine::present::paths(None, None, &spec, &result);
        let mut v = crate::util::json_with_shown(&result, &shown)?;
        // the tables beside the node table, as the app shows them
        let internal = |e: serde_json::Error| Error::Internal(e.to_string());
        if let Some(p) = present::paths_between(&result) {
            v["shown_between"] = serde_json::to_value(p.shown()).map_err(internal)?;
        }
        if let Some(p) = present::paths_comparison(&result) {
            v["shown_comparison"] = serde_json::to_value(p.shown()).map_err(internal)?;
        }
        v["timing"] = timing;
        print_json(&v);
    } else {
        print_paths(&result);
        for p in [
            present::paths_between(&result),
            present::paths_comparison(&result),
        ]
        .into_iter()
        .flatten()
        {
            print_part(&p);
        }
    }
    Ok(())
}

/// A table beside the node table (between two steps, converters against
/// drop-offs), every cell as the app shows it.
fn print_part(p: &present::PathsPart) {
    let t = p.table.shown();
    println!("\n{}:", p.heading);
    let widths: Vec<usize> = (0..t.columns.len())
        .map(|c| {
            t.rows
                .iter()
                .map(|r| r[c].text.chars().count())
                .chain([t.columns[c].name.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(c, s)| {
                if c == 0 {
                    format!("{s:<w$}", w = widths[c])
                } else {
                    format!("{s:>w$}", w = widths[c])
                }
            })
            .collect();
        println!("  {}", parts.join("   "));
    };
    line(t.columns.iter().map(|c| c.name.as_str()).collect());
    for r in &t.rows {
        line(r.iter().map(|c| c.text.as_str()).collect());
    }
    for n in &p.notes {
        println!("\n{n}");
    }
}

fn print_paths(r: &PathsResult) {
    let Some(start) = r.nodes.first() else {
        return;
    };
    println!(
        "Paths {} \u{201c}{}\u{201d} ({} {}):",
        match r.direction {
            stepwise_engine::paths::Direction::Next => "after",
            stepwise_engine::paths::Direction::Previous => "before",
        },
        start.name,
        format::count(r.units),
        r.unit
    );
    for l in 1..=r.levels {
        println!("\n  level {l}:");
        for (i, n) in r.nodes.iter().enumerate().filter(|(_, n)| n.level == l) {
            let from: Vec<String> = r
                .edges
                .iter()
                .filter(|e| e.to == i)
                .map(|e| format!("{} from {}", format::count(e.count), r.nodes[e.from].name))
                .collect();
            println!(
                "    {:<40} {:>10} {:>7}   {}",
                n.name,
                format::count(n.count),
                format::percent(if r.units == 0 {
                    0.0
                } else {
                    n.count as f64 / r.units as f64
                }),
                from.join(", ")
            );
        }
    }
    for w in &r.warnings {
        println!("\nNote: {w}");
    }
}
