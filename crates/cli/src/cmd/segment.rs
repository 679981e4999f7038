//! `stepwise segment SPEC.json`: a segment's members, and its audience list.

use crate::util::{print_json, SpecSource};
use std::io::Write;
use std::path::PathBuf;
use stepwise_engine::chart::format;
use stepwise_engine::index::{IndexCache, Unit};
use stepwise_engine::segment::{self, SegmentSpec};
use stepwise_engine::Error;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: SpecSource,
    /// Count sessions instead of users.
    #[arg(long)]
    sessions: bool,
    /// Write every member id to this CSV file (an audience list).
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

pub fn run(workspace: &Option<PathBuf>, args: Args) -> Result<(), Error> {
    let Args {
        source,
        sessions,
        csv,
        json,
    } = args;
    let spec: SegmentSpec = source.load(workspace)?;
    let ws = crate::open(workspace)?;
    let unit = if sessions {
        Unit::Sessions
    } else {
        Unit::Users
    };
    let mut cache = IndexCache::new();
    let result = segment::segment_members(&ws, &spec, &mut cache, unit)?;
    if let Some(path) = &csv {
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
        segment::write_audience_csv(&ws, &spec, &mut cache, unit, &mut out)?;
        out.flush().map_err(io)?;
    }
    if json {
        print_json(&result);
    } else {
        println!(
            "{}: {} of {} {} ({})",
            result.name,
            format::count(result.members),
            format::count(result.total_units),
            result.unit,
            format::percent(result.share)
        );
        if !result.sample.is_empty() {
            println!("  e.g. {}", result.sample.join(", "));
        }
    }
    Ok(())
}
