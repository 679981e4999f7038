//! `stepwise value SPEC.json`: what each step of a funnel is worth, a
//! what-if, the ranked opportunities and where the non-converters stopped
//! (docs/value.md).

use crate::util::{print_json, read_spec};
use std::path::PathBuf;
use stepwise_engine::chart::format;
use stepwise_engine::index::IndexCache;
use stepwise_engine::value::{run_value, Estimate, ValueResult, ValueSpec, WhatIfResult};
use stepwise_engine::Error;

#[derive(clap::Args)]
pub struct Args {
    /// The spec: a funnel spec plus "value" ({"column": NAME} or
    /// {"per_goal": NUMBER}) and optionally "what_if" ({"step": K,
    /// "relative": 0.1}, "points", or "like": {"segment": PERSONA} or
    /// {"column": NAME, "value": VALUE}) and "effort" ({"2": 3, ...}, 1-10
    /// per step, for the ICE score); `-` reads standard input.
    spec: PathBuf,
    #[arg(long)]
    json: bool,
}

pub fn run(workspace: &Option<PathBuf>, args: Args) -> Result<(), Error> {
    let spec = load(&args.spec)?;
    // funnel_ms: the funnel alone on the built index, for comparison with
    // value_ms, the whole value run on the same index
    let started = std::time::Instant::now();
    let ws = crate::open(workspace)?;
    let mut cache = IndexCache::new();
    let result = run_value(&ws, &spec, &mut cache)?;
    let first_ms = started.elapsed().as_secs_f64() * 1e3;
    let again = std::time::Instant::now();
    let _ = run_value(&ws, &spec, &mut cache)?;
    let value_ms = again.elapsed().as_secs_f64() * 1e3;
    let again = std::time::Instant::now();
    let _ = stepwise_engine::funnel::run_funnel(&ws, &spec.funnel, &mut cache)?;
    let funnel_ms = again.elapsed().as_secs_f64() * 1e3;
    if args.json {
        let mut v = serde_json::to_value(&result).map_err(|e| Error::Internal(e.to_string()))?;
        // what the app shows: every table's cells as the engine formats them
        let shown = stepwise_engine::present::value(None, None, &spec, &result).shown();
        v["shown"] = serde_json::to_value(shown).map_err(|e| Error::Internal(e.to_string()))?;
        v["timing"] = serde_json::json!({
            "first_ms": first_ms, "value_ms": value_ms, "funnel_ms": funnel_ms
        });
        print_json(&v);
    } else {
        print_value(&result);
    }
    Ok(())
}

/// The spec; a syntax error names the file, line and column, a missing or
/// wrong field (found after the JSON was read, so without a position) the
/// file.
fn load(path: &std::path::Path) -> Result<ValueSpec, Error> {
    let text = read_spec(path)?;
    match serde_json::from_str::<ValueSpec>(&text) {
        Ok(s) => Ok(s),
        Err(e) if e.line() > 0 => Err(Error::bad_input(
            stepwise_engine::Location::file(path).row(e.line() as u64),
            format!("column {}: {}", e.column(), e),
        )),
        Err(e) => Err(Error::Invalid(format!("{}: {e}", path.display()))),
    }
}

fn money(e: &Estimate) -> String {
    format!(
        "{} ({} \u{2013} {})",
        format::money(e.value),
        format::money(e.low),
        format::money(e.high)
    )
}

fn number(e: &Estimate) -> String {
    format!(
        "{} ({} \u{2013} {})",
        format::number(e.value, 1),
        format::number(e.low, 1),
        format::number(e.high, 1)
    )
}

fn lift(w: &WhatIfResult) -> String {
    match (w.relative, w.points, &w.like) {
        (Some(x), _, _) => format!("{} better", format::signed_percent(x)),
        (_, Some(y), _) => format!("{} better", format::percentage_points(y)),
        (_, _, Some(l)) => format!("for everyone as for \u{201c}{}\u{201d}", l.name),
        _ => String::new(),
    }
}

fn print_value(r: &ValueResult) {
    let conf = format::percent(r.confidence);
    let ov = &r.order_value;
    println!(
        "Value per step ({}); goal \u{201c}{}\u{201d}, {} goals; {} intervals.",
        r.unit,
        r.goal,
        format::count(r.goals),
        conf
    );
    match &ov.column {
        Some(c) => println!(
            "Average order value {} \u{00b1} {} (standard error) from {} values of \u{201c}{c}\u{201d}{}.",
            format::money(ov.average),
            format::money(ov.standard_error),
            format::count(ov.values),
            if ov.missing > 0 {
                format!(", {} goal events without one", format::count(ov.missing))
            } else {
                String::new()
            }
        ),
        None => println!("Value per goal {} (typed).", format::money(ov.average)),
    }
    println!(
        "Period {} to {} ({} days); value of the goals {}.",
        r.period.from,
        r.period.to,
        format::count(r.period.days),
        money(&r.total_value)
    );
    println!();
    println!(
        "  {:<4}{:<30} {:>12} {:>9} {:>9} {:>32} {:>16}",
        "#", "step", "count", "of start", "to goal", "value per unit", "total value"
    );
    for (k, s) in r.steps.iter().enumerate() {
        println!(
            "  {:<4}{:<30} {:>12} {:>9} {:>9} {:>32} {:>16}",
            k + 1,
            s.label,
            format::count(s.count),
            format::percent(s.rate_from_start),
            format::percent(s.goal_rate),
            money(&s.value_per_unit),
            format::money(s.total_value.value)
        );
    }
    if let Some(w) = &r.what_if {
        println!();
        println!(
            "What if step {} \u{201c}{}\u{201d} converted {} ({} \u{2192} {} from \u{201c}{}\u{201d}{}):",
            w.step,
            w.label,
            lift(w),
            format::percent(w.rate_before),
            format::percent(w.rate_after),
            w.from_label,
            if w.capped { ", held at 100%" } else { "" }
        );
        if let Some(l) = &w.like {
            println!(
                "  \u{201c}{}\u{201d} convert {} of {} ({}); everyone else {} of {} ({}); difference {}",
                l.name,
                format::count(l.at),
                format::count(l.prev),
                format::percent(l.rate.value),
                format::count(l.rest_at),
                format::count(l.rest_prev),
                format::percent(l.rest_rate.value),
                format::percentage_points(l.difference.value)
            );
        }
        println!(
            "  over the period: {} more goals, {} more value",
            number(&w.extra_goals),
            money(&w.extra_value)
        );
        for (name, g) in [
            ("day", &w.per_day),
            ("week", &w.per_week),
            ("month", &w.per_month),
        ] {
            println!(
                "  per {name:<6}{} goals, {}",
                number(&g.extra_goals),
                money(&g.extra_value)
            );
        }
    }
    if !r.opportunities.is_empty() {
        println!();
        println!(
            "Opportunities (each step {} better), by extra value per month:",
            format::percent(r.opportunity)
        );
        for (i, o) in r.opportunities.iter().enumerate() {
            let ice = r
                .priorities
                .iter()
                .find(|p| p.step == o.step)
                .map(|p| {
                    format!(
                        "  impact {:>2}  confidence {:>2}  effort {:>2}  ICE {:>4}",
                        p.impact,
                        p.confidence,
                        p.effort.map_or("-".into(), |e| e.to_string()),
                        p.ice.map_or("-".into(), |e| e.to_string())
                    )
                })
                .unwrap_or_default();
            println!(
                "  {:<4}step {:<3}{:<30} {:>28} goals {:>36}{ice}",
                i + 1,
                o.step,
                o.label,
                number(&o.per_month.extra_goals),
                money(&o.per_month.extra_value)
            );
        }
    }
    if r.non_converters > 0 {
        println!();
        println!(
            "Where the {} non-converters stopped:",
            format::count(r.non_converters)
        );
        for w in &r.wasted {
            println!(
                "  step {} \u{201c}{}\u{201d}: {} ({})",
                w.step,
                w.label,
                format::count(w.count),
                format::percent(w.share)
            );
            let events: Vec<String> = w
                .last_events
                .iter()
                .map(|b| format!("{} {}", b.value, format::percent(b.share)))
                .collect();
            if !events.is_empty() {
                println!("    last event: {}", events.join(", "));
            }
            let pages: Vec<String> = w
                .last_pages
                .iter()
                .map(|b| format!("{} {}", b.value, format::percent(b.share)))
                .collect();
            if !pages.is_empty() {
                println!("    last page:  {}", pages.join(", "));
            }
        }
    }
    for w in &r.warnings {
        println!("\nNote: {w}");
    }
}
