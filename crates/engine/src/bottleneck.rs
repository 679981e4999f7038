//! Bottlenecks: the funnel step where most units leave, and the group
//! (breakdown value or segment) where that step is worst compared with
//! everyone else, as a sentence the report and the app can show. The
//! definitions are in docs/segments.md.

use crate::funnel::StepResult;
use crate::stats::{compare_two, not_enough_data_reason};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A group needs this many units entering the step (and so does the rest)
/// before it can be named as the worst.
pub const MIN_GROUP_UNITS: u64 = 30;

/// The group where the bottleneck step loses the most.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WorstGroup {
    pub name: String,
    /// Units of the group that reached the step before.
    #[ts(type = "number")]
    pub entered: u64,
    /// Share of those that did not reach the step.
    pub leave_rate: f64,
    /// The same share for everyone else (the funnel minus this group).
    pub rest_leave_rate: f64,
    /// Two-proportion z-test of the group's leave rate against the rest.
    pub p_value: Option<f64>,
    /// p <= 1 - confidence and enough data for the test.
    pub significant: bool,
}

/// The step with the largest drop-off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Bottleneck {
    /// The step reached before the drop (`to_step` - 1).
    pub from_step: usize,
    pub to_step: usize,
    pub from_label: String,
    pub to_label: String,
    #[ts(type = "number")]
    pub entered: u64,
    #[ts(type = "number")]
    pub left: u64,
    /// left / entered: 1 - conversion_from_previous of `to_step`.
    pub leave_rate: f64,
    pub worst_group: Option<WorstGroup>,
    /// One or two sentences, e.g. "The biggest drop is from Add to cart to
    /// Checkout: 61.2% of users leave. It is worst on mobile (68.0% leave
    /// vs 55.1% elsewhere)."
    pub finding: String,
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// The step `k` >= 1 with the largest share of units leaving since step
/// `k - 1` (steps nobody reached are skipped; ties go to the earlier step).
pub fn largest_drop(steps: &[StepResult]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for k in 1..steps.len() {
        let entered = steps[k - 1].count;
        if entered == 0 {
            continue;
        }
        let leave = 1.0 - steps[k].count as f64 / entered as f64;
        if best.is_none_or(|(_, b)| leave > b) {
            best = Some((k, leave));
        }
    }
    best.map(|(k, _)| k)
}

/// The bottleneck of a funnel. `groups` are subsets of the funnel's units
/// (breakdown rows, segments), each with its own step counts; `on` says
/// how the finding names a group ("on" for a breakdown value: "worst on
/// mobile"; "for" for a segment). `unit` is "users" or "sessions".
pub fn find_bottleneck(
    overall: &[StepResult],
    groups: &[(String, Vec<StepResult>)],
    unit: &str,
    on: &str,
    confidence: f64,
) -> Option<Bottleneck> {
    let k = largest_drop(overall)?;
    let entered = overall[k - 1].count;
    let reached = overall[k].count.min(entered);
    let left = entered - reached;
    let leave_rate = left as f64 / entered as f64;
    let alpha = 1.0 - confidence;

    let mut worst: Option<(f64, WorstGroup)> = None;
    for (name, steps) in groups {
        let (Some(a), Some(b)) = (steps.get(k - 1), steps.get(k)) else {
            continue;
        };
        let (g_in, g_on) = (a.count.min(entered), b.count.min(a.count));
        let (r_in, r_on) = (entered - g_in, reached.saturating_sub(g_on));
        let r_on = r_on.min(r_in);
        if g_in < MIN_GROUP_UNITS || r_in < MIN_GROUP_UNITS {
            continue;
        }
        let g_leave = 1.0 - g_on as f64 / g_in as f64;
        let r_leave = 1.0 - r_on as f64 / r_in as f64;
        let gap = g_leave - r_leave;
        if gap <= 0.0 || worst.as_ref().is_some_and(|(w, _)| gap <= *w) {
            continue;
        }
        // leaving as the "conversion" of the test
        let t = compare_two(g_in - g_on, g_in, r_in - r_on, r_in, confidence);
        let enough = not_enough_data_reason(g_in - g_on, g_in, r_in - r_on, r_in).is_none();
        worst = Some((
            gap,
            WorstGroup {
                name: name.clone(),
                entered: g_in,
                leave_rate: g_leave,
                rest_leave_rate: r_leave,
                p_value: t.p_value,
                significant: enough && t.p_value.is_some_and(|p| p <= alpha),
            },
        ));
    }
    let worst = worst.map(|(_, w)| w);
    let mut finding = format!(
        "The biggest drop is from {} to {}: {} of {unit} leave.",
        overall[k - 1].label,
        overall[k].label,
        pct(leave_rate)
    );
    if let Some(w) = &worst {
        finding.push_str(&format!(
            " It is worst {on} {} ({} leave vs {} elsewhere)",
            w.name,
            pct(w.leave_rate),
            pct(w.rest_leave_rate)
        ));
        if w.significant {
            finding.push('.');
        } else {
            finding.push_str(", but the difference could be chance.");
        }
    }
    Some(Bottleneck {
        from_step: k - 1,
        to_step: k,
        from_label: overall[k - 1].label.clone(),
        to_label: overall[k].label.clone(),
        entered,
        left,
        leave_rate,
        worst_group: worst,
        finding,
    })
}

/// The bottleneck of a funnel result, by its breakdown rows if it has any.
pub fn funnel_bottleneck(
    result: &crate::funnel::FunnelResult,
    confidence: f64,
) -> Option<Bottleneck> {
    let groups: Vec<(String, Vec<StepResult>)> = result
        .breakdown
        .iter()
        .map(|r| (r.value.clone(), r.steps.clone()))
        .collect();
    find_bottleneck(&result.steps, &groups, &result.unit, "on", confidence)
}

/// Columns [`bottleneck_across`] tries when given none: text columns with
/// no role (or the dimension role) and 2 to this many distinct values.
pub const MAX_AUTO_VALUES: usize = 50;

/// The bottleneck of a funnel, looking for the worst group across several
/// columns (each as a first-touch breakdown, 10 values + Other); with no
/// columns given, every text column without a role (or with the dimension
/// role) that has 2 to 50 distinct values. The worst group is the one with
/// the largest gap among those whose difference is significant, else among
/// all; the finding names its column ("It is worst where device is mobile
/// ...").
pub fn bottleneck_across(
    ws: &crate::store::Workspace,
    spec: &crate::funnel::FunnelSpec,
    cache: &mut crate::index::IndexCache,
    columns: &[String],
    confidence: f64,
) -> crate::error::Result<Option<Bottleneck>> {
    use crate::funnel::{run_funnel, Attribution, Breakdown};
    use crate::model::{ColumnType, DatasetKind, Role};
    let columns: Vec<String> = if columns.is_empty() {
        let rec = ws.dataset(&spec.dataset)?;
        let mut out = Vec::new();
        if rec.info.kind == DatasetKind::Events {
            let ix = cache.get(ws, &rec, spec.unit())?;
            for c in &rec.info.columns {
                if c.ty == ColumnType::Text && matches!(c.role, None | Some(Role::Dimension)) {
                    let n = ix.interned(ws, &c.name)?.dict.len();
                    if (2..=MAX_AUTO_VALUES).contains(&n) {
                        out.push(c.name.clone());
                    }
                }
            }
        }
        out
    } else {
        columns.to_vec()
    };
    let mut plain = run_funnel(
        ws,
        &{
            let mut f = spec.clone();
            f.breakdown = None;
            f
        },
        cache,
    )?;
    let mut best: Option<Bottleneck> =
        find_bottleneck(&plain.steps, &[], &plain.unit, "on", confidence);
    let rank = |b: &Bottleneck| {
        b.worst_group
            .as_ref()
            .map(|w| (w.significant, w.leave_rate - w.rest_leave_rate))
    };
    for column in &columns {
        let mut f = spec.clone();
        f.breakdown = Some(Breakdown {
            column: column.clone(),
            attribution: Some(Attribution::FirstTouch),
            step: None,
            limit: Some(10),
        });
        plain = run_funnel(ws, &f, cache)?;
        let groups: Vec<(String, Vec<StepResult>)> = plain
            .breakdown
            .iter()
            .map(|r| (r.value.clone(), r.steps.clone()))
            .collect();
        let on = format!("where {column} is");
        let Some(b) = find_bottleneck(&plain.steps, &groups, &plain.unit, &on, confidence) else {
            continue;
        };
        let better = match (rank(&b), best.as_ref().and_then(rank)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some((s1, g1)), Some((s2, g2))) => (s1, g1) > (s2, g2),
        };
        if better {
            best = Some(b);
        }
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(counts: &[u64]) -> Vec<StepResult> {
        counts
            .iter()
            .enumerate()
            .map(|(k, &c)| StepResult {
                label: ["View", "Add to cart", "Checkout", "Purchase"][k].into(),
                count: c,
                conversion_from_start: 0.0,
                conversion_from_previous: 0.0,
                dropped: 0,
                average_seconds: None,
                median_seconds: None,
            })
            .collect()
    }

    #[test]
    fn the_worked_example() {
        // overall 1000 -> 500 -> 194 -> 150: the largest share leaving is
        // Add to cart -> Checkout, 306 of 500 = 61.2%.
        // mobile: 250 reach add to cart, 80 checkout (68.0% leave);
        // the rest: 250 and 114 (54.4% leave).
        let overall = steps(&[1000, 500, 194, 150]);
        let groups = vec![
            ("mobile".to_string(), steps(&[500, 250, 80, 60])),
            ("desktop".to_string(), steps(&[480, 240, 108, 85])),
            ("tablet".to_string(), steps(&[20, 10, 6, 5])),
        ];
        let b = find_bottleneck(&overall, &groups, "users", "on", 0.95).unwrap();
        assert_eq!(
            (b.from_step, b.to_step, b.entered, b.left),
            (1, 2, 500, 306)
        );
        let w = b.worst_group.as_ref().unwrap();
        assert_eq!(w.name, "mobile");
        assert!((w.rest_leave_rate - 136.0 / 250.0).abs() < 1e-12);
        assert!(w.significant, "{w:?}");
        assert_eq!(
            b.finding,
            "The biggest drop is from Add to cart to Checkout: 61.2% of users leave. It is worst on mobile (68.0% leave vs 54.4% elsewhere)."
        );
        assert_eq!(largest_drop(&steps(&[0, 0])), None);
        assert_eq!(largest_drop(&steps(&[10, 5, 5, 0])), Some(3));
    }
}
