//! `stepwise save KIND NAME SPEC.json`: a spec saved in the workspace, where
//! the app keeps its saved work (the app lists it; `--saved NAME` runs it).

use crate::util::{parse_spec, print_json};
use std::path::PathBuf;
use stepwise_engine::saved::{SavedSpec, ITEM_KINDS};
use stepwise_engine::Error;

#[derive(clap::Args)]
pub struct Args {
    /// What the spec is: funnel, segment, compare, impact or report.
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(ITEM_KINDS))]
    kind: String,
    /// The name to save it under (an item of the same kind and name is replaced).
    name: String,
    /// The spec file (JSON; `-` reads standard input).
    spec: PathBuf,
    #[arg(long)]
    json: bool,
}

pub fn run(workspace: &Option<PathBuf>, args: Args) -> Result<(), Error> {
    let Args {
        kind,
        name,
        spec,
        json,
    } = args;
    // Parsed as the kind's engine type, so an error names the file, line and column.
    let parsed = match kind.as_str() {
        "funnel" => SavedSpec::Funnel(parse_spec(&spec)?),
        "segment" => SavedSpec::Segment(parse_spec(&spec)?),
        "compare" => SavedSpec::Compare(parse_spec(&spec)?),
        "impact" => SavedSpec::Impact(parse_spec(&spec)?),
        "report" => SavedSpec::Report(parse_spec(&spec)?),
        other => unreachable!("clap only lets the kinds through, not {other}"),
    };
    let ws = crate::open(workspace)?;
    ws.save(&name, &parsed)?;
    let name = name.trim();
    if json {
        // the item as `stepwise saved --json` and the app list it
        let item = ws.saved(Some(&kind))?.into_iter().find(|i| i.name == name);
        print_json(&item);
    } else {
        println!(
            "Saved {kind} \u{201c}{name}\u{201d}; run it with: stepwise {kind} --saved \"{name}\""
        );
    }
    Ok(())
}
