//! `stepwise format KIND VALUE...`: numbers printed the way every table,
//! chart and report prints them (the engine's one definition, which the app
//! shows too), one per line or as a JSON array of strings.

use crate::util::print_json;
use stepwise_engine::chart::format::{self, value, ValueKind};
use stepwise_engine::Error;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Kind {
    /// Whole units: 780,928.
    Count,
    /// A fraction 0..1 as a percentage: 24.8%.
    Rate,
    /// A relative change: +12.4%.
    Lift,
    /// Seconds as a duration: 3 min 20 s.
    Seconds,
    /// Any other number: 1,234.56.
    Number,
    /// Money, currency unknown: 1,234.50.
    Money,
    /// A p-value in a column: 0.032, < 0.001.
    PValue,
    /// A large number for a tight space: 12.4M.
    Compact,
    /// A confidence level: 95%, 97.5%.
    Confidence,
}

#[derive(clap::Args)]
pub struct Args {
    kind: Kind,
    /// The values (plain numbers; negative ones after `--`).
    #[arg(required = true, allow_negative_numbers = true)]
    values: Vec<f64>,
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<(), Error> {
    let kind = match args.kind {
        Kind::Count => Some(ValueKind::Count),
        Kind::Rate => Some(ValueKind::Rate),
        Kind::Lift => Some(ValueKind::Lift),
        Kind::Seconds => Some(ValueKind::Seconds),
        Kind::Number => Some(ValueKind::Number),
        Kind::Money => Some(ValueKind::Money),
        Kind::PValue => Some(ValueKind::PValue),
        Kind::Compact | Kind::Confidence => None,
    };
    let texts: Vec<String> = args
        .values
        .iter()
        .map(|&x| match kind {
            Some(k) => value(k, x),
            None if matches!(args.kind, Kind::Confidence) => format::level(x),
            None => format::compact(x),
        })
        .collect();
    if args.json {
        print_json(&texts);
    } else {
        for t in texts {
            println!("{t}");
        }
    }
    Ok(())
}
