//! `stepwise generate`: a realistic generated clickstream CSV.

use crate::util::{print_json, usage_error};
use std::path::PathBuf;
use stepwise_engine::Error;

#[derive(clap::Args)]
pub struct Args {
    /// Number of events (rows).
    #[arg(long, default_value_t = 1_000_000)]
    events: u64,
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// First day, YYYY-MM-DD.
    #[arg(long, default_value = "2024-09-01")]
    from: String,
    /// Last day, YYYY-MM-DD.
    #[arg(long, default_value = "2024-09-30")]
    to: String,
}

pub fn run(args: Args) -> Result<(), Error> {
    let Args {
        events,
        out,
        seed,
        from,
        to,
    } = args;
    let opts = stepwise_engine::generate::GenOptions {
        events,
        seed,
        ..Default::default()
    }
    .with_range(&from, &to)
    .unwrap_or_else(|e| usage_error(&e));
    let stats =
        stepwise_engine::generate::write_clickstream_file(&out, &opts).map_err(|source| {
            Error::Io {
                path: out.clone(),
                source,
            }
        })?;
    print_json(&stats);
    Ok(())
}
