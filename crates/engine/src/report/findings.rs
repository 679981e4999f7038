//! Key findings in words, generated from chart data for the analyst to edit.
//! A difference is called significant only when the data says so
//! (`ImpactItem::is_significant`); otherwise the sentence says "no clear
//! difference".

use crate::chart::format;
use crate::chart::{ChartData, FunnelChartData, ImpactChartData, TrendChartData};

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if c.clone().next().is_some_and(|n| n.is_lowercase()) => {
            f.to_lowercase().collect::<String>() + c.as_str()
        }
        Some(f) => f.to_string() + c.as_str(),
        None => String::new(),
    }
}

/// Sentences about a funnel: overall conversion and the largest drop.
pub fn funnel(d: &FunnelChartData) -> Vec<String> {
    let mut out = Vec::new();
    let (Some(first), Some(last)) = (d.steps.first(), d.steps.last()) else {
        return out;
    };
    if d.steps.len() >= 2 && first.count > 0 {
        out.push(format!(
            "Of {} {} who {}, {} ({}) reached \u{201c}{}\u{201d}.",
            format::count(first.count),
            d.unit,
            lower_first(&first.label),
            format::count(last.count),
            format::percent(last.count as f64 / first.count as f64),
            last.label
        ));
    }
    if let Some(b) = d.bottleneck_step() {
        let st = &d.steps[b];
        let prev = &d.steps[b - 1];
        out.push(format!(
            "The largest drop is from \u{201c}{}\u{201d} to \u{201c}{}\u{201d}: {} of {} did not continue ({} {}).",
            prev.label,
            st.label,
            format::percent(1.0 - st.conversion_from_previous),
            d.unit,
            format::count(prev.count.saturating_sub(st.count)),
            d.unit
        ));
    }
    out
}

/// Sentences about micro-conversions: the significant ones, largest first;
/// or that none stands out.
pub fn impact(d: &ImpactChartData) -> Vec<String> {
    impact_about(d).into_iter().map(|(s, _)| s).collect()
}

/// [`impact`]'s sentences, each with the label of the action it is about
/// (None for "none of the actions ... shows a clear difference").
pub fn impact_about(d: &ImpactChartData) -> Vec<(String, Option<String>)> {
    let mut items: Vec<_> = d.items.iter().collect();
    items.sort_by(|a, b| b.lift.total_cmp(&a.lift));
    let sig: Vec<_> = items.iter().filter(|i| i.is_significant()).collect();
    if sig.is_empty() {
        return if items.is_empty() {
            vec![]
        } else {
            vec![(
                format!(
                    "None of the {} actions tested shows a clear difference in conversion.",
                    items.len()
                ),
                None,
            )]
        };
    }
    sig.iter()
        .take(3)
        .map(|i| {
            let dir = if i.lift >= 0.0 { "more" } else { "less" };
            (
                format!(
                    "Users who did \u{201c}{}\u{201d} converted {} {} often (interval {} to {}).",
                    i.label,
                    format::percent(i.lift.abs()),
                    dir,
                    format::signed_percent(i.ci_low),
                    format::signed_percent(i.ci_high)
                ),
                Some(i.label.clone()),
            )
        })
        .collect()
}

/// A sentence about a trend: first and last period of each series.
pub fn trend(d: &TrendChartData) -> Vec<String> {
    d.series
        .iter()
        .filter_map(|s| {
            let (a, b) = (s.points.first()?, s.points.last()?);
            if s.points.len() < 2 {
                return None;
            }
            // Called a change only when the two periods' intervals do not overlap.
            let separated = match (a.ci_low, a.ci_high, b.ci_low, b.ci_high) {
                (Some(al), Some(ah), Some(bl), Some(bh)) => bl > ah || bh < al,
                _ => false,
            };
            let verb = if !separated {
                "with no clear change"
            } else if b.rate > a.rate {
                "up"
            } else {
                "down"
            };
            Some(format!(
                "{}: {} in {}, {} in {}, {}.",
                s.name,
                format::percent(a.rate),
                a.period,
                format::percent(b.rate),
                b.period,
                verb
            ))
        })
        .collect()
}

/// Findings for any chart (comparisons and tables give none: their verdicts
/// need the statistics module's test).
pub fn for_chart(c: &ChartData) -> Vec<String> {
    match c {
        ChartData::Funnel(d) => funnel(d),
        ChartData::Impact(d) => impact(d),
        ChartData::Trend(d) => trend(d),
        _ => vec![],
    }
}
