//! `stepwise srm 5000 5100 [--planned 1,1]`: the sample-ratio check of an
//! A/B test's split (chi-square against the planned shares).

use crate::util::print_json;
use stepwise_engine::present::sample_ratio;
use stepwise_engine::Error;

#[derive(clap::Args)]
pub struct Args {
    /// Units assigned to each variant, control first.
    #[arg(required = true, num_args = 2..)]
    counts: Vec<u64>,
    /// The planned split as weights, one per variant (default an even split):
    /// 1,1 or 50,50; 1,2,1 for 25/50/25.
    #[arg(long, value_delimiter = ',')]
    planned: Option<Vec<f64>>,
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<(), Error> {
    let check = sample_ratio(&args.counts, args.planned.as_deref())?;
    if args.json {
        print_json(&check);
    } else {
        println!("{}", check.sentence);
    }
    Ok(())
}
