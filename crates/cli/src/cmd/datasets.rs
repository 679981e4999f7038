//! `stepwise datasets`: the workspace's datasets.

use crate::util::print_json;
use crate::DatasetsOut;
use std::path::PathBuf;
use stepwise_engine::chart::format;
use stepwise_engine::Error;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    json: bool,
}

pub fn run(workspace: &Option<PathBuf>, args: Args) -> Result<(), Error> {
    let Args { json } = args;
    let ws = crate::open(workspace)?;
    let list = ws.datasets()?;
    if json {
        print_json(&DatasetsOut { datasets: &list });
    } else if list.is_empty() {
        println!("No datasets yet. Import one with: stepwise import FILE");
    } else {
        for d in &list {
            println!(
                "{:<32} {:>12} rows  {:>3} columns  {}",
                d.name,
                format::count(d.rows),
                d.columns.len(),
                d.kind.as_str()
            );
        }
    }
    Ok(())
}
