//! `stepwise plan`: users per arm and days an A/B test needs.

use crate::util::{print_json, usage_error};
use stepwise_engine::chart::format;
use stepwise_engine::present;
use stepwise_engine::stats::{MinimumEffect, SampleSizeInput};
use stepwise_engine::Error;

#[derive(clap::Args)]
pub struct Args {
    /// Today's conversion rate as a fraction, e.g. 0.025.
    #[arg(long)]
    baseline: f64,
    /// The smallest change worth detecting, relative to the baseline (0.1 = +10%).
    #[arg(long, conflicts_with = "mde_points")]
    mde: Option<f64>,
    /// The smallest change worth detecting in rate points (0.005 = +0.5 points).
    #[arg(long = "mde-points")]
    mde_points: Option<f64>,
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    #[arg(long, default_value_t = 0.8)]
    power: f64,
    /// Visitors per day entering the test, all arms together.
    #[arg(long)]
    daily: Option<f64>,
    #[arg(long, default_value_t = 2)]
    arms: u32,
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<(), Error> {
    let Args {
        baseline,
        mde,
        mde_points,
        alpha,
        power,
        daily,
        arms,
        json,
    } = args;
    let minimum_effect = match (mde, mde_points) {
        (Some(r), None) => MinimumEffect::Relative(r),
        (None, Some(a)) => MinimumEffect::Absolute(a),
        _ => usage_error(
            "give the smallest effect worth detecting: --mde (relative) or --mde-points",
        ),
    };
    let plan = stepwise_engine::stats::sample_size(&SampleSizeInput {
        baseline_rate: baseline,
        minimum_effect,
        alpha,
        power,
        daily_traffic: daily,
        arms,
    })?;
    if json {
        // the plan, and what the app shows of it
        let mut v = serde_json::to_value(&plan).map_err(|e| Error::Internal(e.to_string()))?;
        v["shown"] = serde_json::to_value(present::plan(&plan, arms, 1.0 - alpha, power))
            .map_err(|e| Error::Internal(e.to_string()))?;
        print_json(&v);
    } else {
        println!(
            "From {} to {}: {} users per arm ({} arms).",
            format::percent(plan.baseline_rate),
            format::percent(plan.target_rate),
            format::count(plan.users_per_arm),
            arms
        );
        if let Some(days) = plan.days {
            println!(
                "At {} visitors a day: {} days.",
                format::number(daily.unwrap_or(0.0), 0),
                format::count(days)
            );
        }
    }
    Ok(())
}
