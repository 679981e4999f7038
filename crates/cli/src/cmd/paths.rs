//! `stepwise paths SPEC.json`: where units went next (or came from) around
//! an event, a page, a funnel step or its drop-offs (docs/paths.md).

use crate::util::{parse_spec, print_json, timed};
use std::path::PathBuf;
use stepwise_engine::chart::format;
use stepwise_engine::paths::{run_paths, PathsResult, PathsSpec};
use stepwise_engine::Error;

#[derive(clap::Args)]
pub struct Args {
    /// The paths spec (JSON; `-` reads standard input).
    spec: PathBuf,
    #[arg(long)]
    json: bool,
}

pub fn run(workspace: &Option<PathBuf>, args: Args) -> Result<(), Error> {
    let spec: PathsSpec = parse_spec(&args.spec)?;
    let (result, timing) = timed(workspace, |ws, cache| run_paths(ws, &spec, cache))?;
    if args.json {
        // `shown`: the table the app shows and the report prints
        let shown = stepwise_engine::present::paths(None, None, &spec, &result);
        let mut v = crate::util::json_with_shown(&result, &shown)?;
        v["timing"] = timing;
        print_json(&v);
    } else {
        print_paths(&result);
    }
    Ok(())
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
