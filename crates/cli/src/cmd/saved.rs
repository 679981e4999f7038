//! `stepwise saved [KIND]`: what is saved in the workspace (by the app or by
//! `stepwise save`), and any item kept that cannot be used.

use crate::util::print_json;
use std::path::PathBuf;
use stepwise_engine::store::ITEM_KINDS;
use stepwise_engine::Error;

#[derive(clap::Args)]
pub struct Args {
    /// Only this kind: funnel, segment, compare, impact or report.
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(ITEM_KINDS))]
    kind: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn run(workspace: &Option<PathBuf>, args: Args) -> Result<(), Error> {
    let Args { kind, json } = args;
    let ws = crate::open(workspace)?;
    let items = ws.saved(kind.as_deref())?;
    let unreadable: Vec<_> = ws
        .unreadable_items()?
        .into_iter()
        .filter(|u| match &kind {
            Some(k) => u.kind == *k || u.kind.strip_prefix("legacy_") == Some(k.as_str()),
            None => true,
        })
        .collect();
    if json {
        print_json(&serde_json::json!({ "items": items, "unreadable": unreadable }));
        return Ok(());
    }
    if items.is_empty() && unreadable.is_empty() {
        println!("Nothing saved yet. Save a spec with: stepwise save KIND NAME SPEC.json");
    }
    for i in &items {
        println!("{:<8} {:<40} {}", i.kind(), i.name, i.updated_at);
    }
    for u in &unreadable {
        println!(
            "\nCannot be used: {} \u{201c}{}\u{201d}: {}",
            u.kind, u.name, u.reason
        );
    }
    Ok(())
}
