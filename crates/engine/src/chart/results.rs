//! Engine results as charts: what the app shows next to a funnel, a
//! comparison or an impact ranking is the same [`ChartData`] a report
//! section draws (titles and subtitles in the report's words), so the
//! screen and the exports show one picture.

use crate::bottleneck::funnel_bottleneck;
use crate::compare::{CompareResult, CompareSpec};
use crate::funnel::{FunnelResult, FunnelSpec};
use crate::impact::{ImpactResult, ImpactSpec};
use crate::paths::{By, Direction, PathNodeKind, PathsResult, PathsSpec};
use crate::retention::{CohortBy, RetentionInterval, RetentionResult, RetentionSpec, ReturnBy};
use crate::stats::proportion::wilson;

use super::format;
use super::{
    ChartData, ComparisonChartData, ComparisonSeries, ComparisonStep, FunnelChartData,
    FunnelChartStep, HistogramBin, HistogramData, ImpactChartData, ImpactItem, SankeyChartData,
    SankeyLink, SankeyNode, TrendChartData, TrendPoint, TrendSeries,
};

/// Confidence of the intervals drawn when the spec does not say.
const CONFIDENCE: f64 = 0.95;

fn title_or(title: Option<&str>, spec: &FunnelSpec) -> String {
    title
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| describe_funnel(spec))
}

/// The funnel's chart: a bar per step with the bottleneck highlighted, or,
/// when the funnel has a breakdown, the breakdown's groups side by side
/// (conversion from the first step, with 95% intervals).
pub fn funnel(spec: &FunnelSpec, r: &FunnelResult, title: Option<&str>) -> ChartData {
    let title = title_or(title, spec);
    let sub = subtitle(spec, &r.unit);
    if !r.breakdown.is_empty() {
        let by = spec
            .breakdown
            .as_ref()
            .map(|b| crate::funnel::by_name(&b.column).to_string())
            .unwrap_or_default();
        return ChartData::Comparison(ComparisonChartData {
            title,
            subtitle: Some(format!("{sub} · by {by} · conversion from the first step")),
            step_labels: r.steps.iter().map(|s| s.label.clone()).collect(),
            series: r
                .breakdown
                .iter()
                .map(|row| series(&row.value, &row.steps, CONFIDENCE))
                .collect(),
            confidence: Some(CONFIDENCE),
        });
    }
    let mut chart = funnel_chart(title, sub, r);
    if let Some(b) = funnel_bottleneck(r, CONFIDENCE) {
        chart.bottleneck = Some(b.to_step);
    }
    ChartData::Funnel(chart)
}

/// The conversion trend, when the funnel asked for one.
pub fn trend(spec: &FunnelSpec, r: &FunnelResult, title: Option<&str>) -> Option<ChartData> {
    let t = format!("{}: conversion over time", title_or(title, spec));
    trend_chart(t, subtitle(spec, &r.unit), r).map(ChartData::Trend)
}

/// The time-to-convert histogram, when the funnel asked for one.
pub fn time_to_convert(
    spec: &FunnelSpec,
    r: &FunnelResult,
    title: Option<&str>,
) -> Option<ChartData> {
    let t = format!("{}: time to convert", title_or(title, spec));
    histogram(t, subtitle(spec, &r.unit), r).map(ChartData::Histogram)
}

fn series(name: &str, steps: &[crate::funnel::StepResult], confidence: f64) -> ComparisonSeries {
    let first = steps.first().map(|s| s.count).unwrap_or(0);
    ComparisonSeries {
        name: name.to_string(),
        colour: None,
        steps: steps
            .iter()
            .map(|st| {
                let ci = wilson(st.count, first, confidence);
                ComparisonStep {
                    count: st.count,
                    rate: st.conversion_from_start,
                    ci_low: ci.map(|c| c.0),
                    ci_high: ci.map(|c| c.1),
                }
            })
            .collect(),
    }
}

/// A comparison: each group's funnel side by side, with intervals.
pub fn comparison(spec: &CompareSpec, r: &CompareResult, title: Option<&str>) -> ChartData {
    let what = match &spec.by {
        Some(by) => format!("by {}", crate::funnel::by_name(by)),
        None => "by segment".into(),
    };
    let title = title
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("Comparison {what}"));
    let step_labels = r
        .segments
        .first()
        .map(|g| g.steps.iter().map(|s| s.label.clone()).collect())
        .unwrap_or_default();
    ChartData::Comparison(ComparisonChartData {
        title,
        subtitle: Some(format!(
            "{} · conversion from the first step · baseline {}",
            subtitle(&spec.funnel, &r.unit),
            r.baseline
        )),
        step_labels,
        series: r
            .segments
            .iter()
            .map(|g| series(&g.name, &g.steps, r.confidence))
            .collect(),
        confidence: Some(r.confidence),
    })
}

pub use crate::impact::holm_adjusted as impact_adjusted;

/// The micro-conversion ranking: lift per candidate with its interval, in
/// the result's order (ranked by expected value); significance after Holm's
/// correction over the candidates tested, never for a candidate the engine
/// marks "not enough data" (small sample).
pub fn impact(spec: &ImpactSpec, r: &ImpactResult, title: Option<&str>) -> ChartData {
    let confidence = spec.confidence.unwrap_or(CONFIDENCE);
    let goal = r.goal.describe();
    let title = title
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("Actions linked to \u{201c}{goal}\u{201d}"));
    let adjusted = impact_adjusted(r);
    let items = r
        .candidates
        .iter()
        .zip(&adjusted)
        .filter_map(|(c, adj)| {
            Some(ImpactItem {
                label: c.label.clone(),
                lift: c.lift?,
                ci_low: c.ci_low?,
                ci_high: c.ci_high?,
                p_value: c.p_value,
                significant: if c.small_sample {
                    Some(false)
                } else {
                    adj.map(|p| p < 1.0 - confidence)
                },
            })
        })
        .collect();
    ChartData::Impact(ImpactChartData {
        title,
        subtitle: Some(format!(
            "{} · {} users · goal reached by {} ({}) · within {} of the first visit",
            spec.dataset,
            format::count(r.users),
            format::count(r.goal_users),
            format::percent(r.goal_rate),
            r.window
        )),
        items,
    })
}

// ---- builders shared with the report --------------------------------------

/// "first step to last step": a funnel's default title.
pub(crate) fn describe_funnel(spec: &FunnelSpec) -> String {
    let labels: Vec<String> = (0..spec.steps.len()).map(|k| spec.step_label(k)).collect();
    if labels.len() >= 2 {
        format!("{} to {}", labels[0], labels[labels.len() - 1])
    } else {
        labels.join("")
    }
}

pub(crate) fn subtitle(spec: &FunnelSpec, unit: &str) -> String {
    let mut parts = vec![format!("{} · {unit}", spec.dataset)];
    parts.push(format!(
        "within {}",
        spec.window
            .as_deref()
            .unwrap_or(crate::funnel::DEFAULT_WINDOW)
    ));
    if let Some(r) = &spec.date_range {
        parts.push(match (&r.from, &r.to) {
            (Some(a), Some(b)) => format!("{a} to {b}"),
            (Some(a), None) => format!("from {a}"),
            (None, Some(b)) => format!("until {b}"),
            (None, None) => "all dates".into(),
        });
    }
    parts.join(" · ")
}

pub(crate) fn funnel_chart(title: String, subtitle: String, r: &FunnelResult) -> FunnelChartData {
    FunnelChartData {
        title,
        subtitle: Some(subtitle),
        unit: r.unit.clone(),
        steps: r
            .steps
            .iter()
            .map(|s| FunnelChartStep {
                label: s.label.clone(),
                count: s.count,
                conversion_from_start: s.conversion_from_start,
                conversion_from_previous: s.conversion_from_previous,
            })
            .collect(),
        bottleneck: None,
    }
}

pub(crate) fn trend_chart(
    title: String,
    subtitle: String,
    r: &FunnelResult,
) -> Option<TrendChartData> {
    let points = r.trend.as_ref()?;
    let name = format!("All {}", r.unit);
    Some(TrendChartData {
        title,
        subtitle: Some(subtitle),
        series: vec![TrendSeries {
            name,
            points: points
                .iter()
                .map(|p| {
                    let ci = wilson(p.converted, p.entered, 0.95);
                    TrendPoint {
                        period: p.period.clone(),
                        rate: p.rate,
                        ci_low: ci.map(|c| c.0),
                        ci_high: ci.map(|c| c.1),
                        entered: Some(p.entered),
                        converted: Some(p.converted),
                    }
                })
                .collect(),
        }],
        note: None,
    })
}

pub(crate) fn histogram(
    title: String,
    subtitle: String,
    r: &FunnelResult,
) -> Option<HistogramData> {
    let t = r.time_to_convert.as_ref()?;
    let from = r
        .steps
        .get(t.from_step)
        .map(|s| s.label.as_str())
        .unwrap_or("");
    let to = r
        .steps
        .get(t.to_step)
        .map(|s| s.label.as_str())
        .unwrap_or("");
    Some(HistogramData {
        title,
        subtitle: Some(format!(
            "{subtitle} · from \u{201c}{from}\u{201d} to \u{201c}{to}\u{201d}"
        )),
        bins: t
            .bins
            .iter()
            .map(|b| HistogramBin {
                from_seconds: b.from_seconds,
                to_seconds: b.to_seconds,
                count: b.count,
            })
            .collect(),
        median_seconds: t.median_seconds,
        unit: r.unit.clone(),
    })
}

// ---- paths and retention ---------------------------------------------------

/// The column headings of a paths chart, left to right: "Start", "Next 1",
/// ... or, looking back, "Before 3", ..., "Start".
pub fn paths_columns(r: &PathsResult) -> Vec<String> {
    (0..=r.levels)
        .map(|c| match r.direction {
            Direction::Next if c == 0 => "Start".to_string(),
            Direction::Next => format!("Next {c}"),
            Direction::Previous if c == r.levels => "Start".to_string(),
            Direction::Previous => format!("Before {}", r.levels - c),
        })
        .collect()
}

/// The default title of paths: "Where users went after view_item".
pub fn paths_title(r: &PathsResult) -> String {
    let start = r
        .nodes
        .first()
        .map(|n| n.name.as_str())
        .unwrap_or("the start");
    match r.direction {
        Direction::Next => format!("Where {} went after {start}", r.unit),
        Direction::Previous => format!("Where {} came from before {start}", r.unit),
    }
}

/// Paths as a Sankey chart: a column per level (the start on the left, or
/// on the right when looking back), "other" and "end" grey.
pub fn paths(spec: &PathsSpec, r: &PathsResult, title: Option<&str>) -> ChartData {
    let title = title
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| paths_title(r));
    let back = r.direction == Direction::Previous;
    let col = |level: usize| if back { r.levels - level } else { level };
    let nodes = r
        .nodes
        .iter()
        .map(|n| SankeyNode {
            level: col(n.level),
            label: n.name.clone(),
            count: n.count,
            muted: matches!(n.kind, PathNodeKind::Other | PathNodeKind::End),
        })
        .collect();
    let links = r
        .edges
        .iter()
        .map(|e| {
            let (from, to) = if back { (e.to, e.from) } else { (e.from, e.to) };
            SankeyLink {
                from,
                to,
                count: e.count,
            }
        })
        .collect();
    let by = match r.by {
        By::Event => "by event",
        By::Page if spec.groups.as_ref().is_some_and(|g| !g.is_empty()) => "by page group",
        By::Page => "by page",
    };
    ChartData::Sankey(SankeyChartData {
        title,
        subtitle: Some(format!(
            "{} · {} {} at the start · {by} · top {} per level",
            spec.dataset,
            format::count(r.units),
            r.unit,
            spec.top.unwrap_or(crate::paths::DEFAULT_TOP)
        )),
        unit: r.unit.clone(),
        columns: paths_columns(r),
        nodes,
        links,
    })
}

/// "Week 3": period `p` after the cohort's own.
pub fn retention_period(interval: RetentionInterval, p: usize) -> String {
    let name = match interval {
        RetentionInterval::Day => "Day",
        RetentionInterval::Week => "Week",
        RetentionInterval::Month => "Month",
    };
    format!("{name} {p}")
}

/// The default title of retention: "Users returning after their first
/// visit" / "... after their first purchase".
pub fn retention_title(spec: &RetentionSpec) -> String {
    let back = match &spec.returns {
        ReturnBy::Any(_) => "Users returning".to_string(),
        ReturnBy::Event { event } => format!("Users doing {event} again"),
    };
    match &spec.cohort {
        CohortBy::FirstSeen(_) => format!("{back} after their first visit"),
        CohortBy::Event { event } => format!("{back} after their first {event}"),
    }
}

/// Most cohorts drawn as their own line beside the average.
const RETENTION_LINES: usize = 6;

/// The retention curve: the share of users returning in each later period,
/// over every cohort that reaches it (with its 95% Wilson interval), and,
/// when there are few cohorts, each cohort's own line.
pub fn retention(spec: &RetentionSpec, r: &RetentionResult, title: Option<&str>) -> ChartData {
    let title = title
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| retention_title(spec));
    let mut series = vec![TrendSeries {
        name: "All cohorts".into(),
        points: r
            .curve
            .iter()
            .map(|p| {
                let ci = wilson(p.returned, p.users, CONFIDENCE);
                TrendPoint {
                    period: retention_period(r.interval, p.period),
                    rate: p.rate,
                    ci_low: ci.map(|c| c.0),
                    ci_high: ci.map(|c| c.1),
                    entered: Some(p.users),
                    converted: Some(p.returned),
                }
            })
            .collect(),
    }];
    if r.cohorts.len() > 1 && r.cohorts.len() <= RETENTION_LINES {
        for c in &r.cohorts {
            series.push(TrendSeries {
                name: c.period.clone(),
                points: c
                    .returned
                    .iter()
                    .zip(&c.rates)
                    .enumerate()
                    .map(|(p, (&n, &rate))| TrendPoint {
                        period: retention_period(r.interval, p),
                        rate,
                        ci_low: None,
                        ci_high: None,
                        entered: Some(c.size),
                        converted: Some(n),
                    })
                    .collect(),
            });
        }
    }
    let interval = match r.interval {
        RetentionInterval::Day => "day",
        RetentionInterval::Week => "week",
        RetentionInterval::Month => "month",
    };
    ChartData::Trend(TrendChartData {
        title,
        subtitle: Some(format!(
            "{} · {} users in {} cohorts by {interval}",
            spec.dataset,
            format::count(r.users),
            format::count(r.cohorts.len() as u64)
        )),
        series,
        note: Some(format!(
            "Lines: share of a cohort's users who came back in each {interval} after their cohort's own ({interval} 0: later the same {interval}). Band: 95% interval of the average over every cohort that reaches that {interval}."
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{render_svg, ChartOptions, ChartSize, ThemeName};
    use crate::funnel::{BreakdownRow, StepResult};

    fn step(label: &str, count: u64, first: u64, prev: u64) -> StepResult {
        StepResult {
            label: label.into(),
            count,
            conversion_from_start: count as f64 / first as f64,
            conversion_from_previous: count as f64 / prev as f64,
            dropped: prev - count,
            average_seconds: None,
            median_seconds: None,
        }
    }

    fn result() -> FunnelResult {
        FunnelResult {
            steps: vec![
                step("view_item", 1000, 1000, 1000),
                step("add_to_cart", 400, 1000, 1000),
                step("purchase", 300, 1000, 400),
            ],
            breakdown: vec![],
            trend: None,
            time_to_convert: None,
            unit: "users".into(),
            excluded: 0,
            warnings: vec![],
        }
    }

    fn spec() -> FunnelSpec {
        FunnelSpec::from_json(
            r#"{"dataset": "shop", "steps": [{"event": "view_item"}, {"event": "add_to_cart"}, {"event": "purchase"}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_funnel_result_draws_its_steps_and_counts() {
        let chart = funnel(&spec(), &result(), Some("Checkout"));
        let ChartData::Funnel(d) = &chart else {
            panic!("expected a funnel chart, got {chart:?}");
        };
        assert_eq!(d.title, "Checkout");
        assert_eq!(d.steps.len(), 3);
        assert_eq!(d.bottleneck_step(), Some(1));
        for theme in [ThemeName::Light, ThemeName::Dark] {
            let svg = render_svg(
                &chart,
                &ChartOptions {
                    theme,
                    size: ChartSize::Custom {
                        width: 800,
                        height: 360,
                    },
                },
            )
            .unwrap();
            assert!(svg.contains("add_to_cart"), "{svg}");
            assert!(svg.contains("1,000"), "{svg}");
            let background = crate::chart::Theme::get(theme).background;
            assert!(svg.contains(background), "{theme:?} background missing");
        }
        // labels from the data are text in the SVG, never markup (the app
        // inlines the SVG)
        let mut r = result();
        r.steps[1].label = "<img src=x onerror=alert(1)>&".into();
        let svg = render_svg(&funnel(&spec(), &r, Some("<b>")), &ChartOptions::default()).unwrap();
        assert!(!svg.contains("<img"), "{svg}");
        assert!(!svg.contains("<b>"), "{svg}");
        assert!(svg.contains("&lt;"), "{svg}");
        // untitled: the steps in words
        let ChartData::Funnel(d) = funnel(&spec(), &result(), None) else {
            unreachable!()
        };
        assert_eq!(d.title, "view_item to purchase");
    }

    #[test]
    fn a_breakdown_draws_its_groups_side_by_side() {
        let mut r = result();
        r.breakdown = vec![
            BreakdownRow {
                value: "mobile".into(),
                steps: r.steps.clone(),
            },
            BreakdownRow {
                value: "desktop".into(),
                steps: vec![
                    step("view_item", 10, 10, 10),
                    step("add_to_cart", 5, 10, 10),
                    step("purchase", 1, 10, 5),
                ],
            },
        ];
        let ChartData::Comparison(d) = funnel(&spec(), &r, None) else {
            panic!("a breakdown is drawn as a comparison");
        };
        assert_eq!(d.series.len(), 2);
        assert_eq!(d.series[1].name, "desktop");
        let s = &d.series[1].steps[2];
        assert!((s.rate - 0.1).abs() < 1e-12);
        let (lo, hi) = (s.ci_low.unwrap(), s.ci_high.unwrap());
        assert!(lo < 0.1 && hi > 0.1, "{lo} {hi}");
        // no trend or histogram unless asked for
        assert!(trend(&spec(), &r, None).is_none());
        assert!(time_to_convert(&spec(), &r, None).is_none());
    }

    fn impact_row(
        label: &str,
        p: f64,
        small: bool,
        lift: f64,
        value: f64,
    ) -> crate::impact::ImpactRow {
        crate::impact::ImpactRow {
            candidate: crate::segment::EventMatch {
                event: Some(label.into()),
                page: None,
                filters: None,
            },
            label: label.into(),
            users_did: 100,
            goals_did: 10,
            goal_rate_did: Some(0.1),
            users_not: 100,
            goals_not: 5,
            goal_rate_not: Some(0.05),
            diff: Some(0.05),
            diff_ci_low: Some(0.0),
            diff_ci_high: Some(0.1),
            lift: Some(lift),
            ci_low: Some(lift - 0.5),
            ci_high: Some(lift + 0.5),
            p_value: Some(p),
            reach: 0.5,
            value_per_action: None,
            extra_goals: None,
            expected_value: Some(value),
            required: false,
            small_sample: small,
            note: None,
        }
    }

    #[test]
    fn impact_keeps_the_ranking_and_never_calls_a_small_sample_significant() {
        // REES46, goal purchase: "view" has one non-viewer (not enough data)
        // and a tiny p-value; ranked by expected value, not by lift.
        let spec = ImpactSpec::from_json(
            r#"{"dataset": "rees46", "goal": {"event": "purchase"}, "candidates": "auto"}"#,
        )
        .unwrap();
        let r = ImpactResult {
            goal: spec.goal.clone(),
            window: "30d".into(),
            users: 3939,
            goal_users: 162,
            goal_rate: 0.04,
            order_value: None,
            order_value_source: "none".into(),
            candidates: vec![
                impact_row("search", 0.001, false, 0.4, 50.0),
                impact_row("view", 1.4e-6, true, -0.96, 10.0),
                impact_row("wishlist", 0.002, false, 2.5, 5.0),
            ],
            suggested_micro: Vec::new(),
            note: String::new(),
            warnings: vec![],
        };
        let ChartData::Impact(d) = impact(&spec, &r, None) else {
            panic!("an impact result is drawn as an impact chart");
        };
        let labels: Vec<&str> = d.items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["search", "view", "wishlist"]);
        let sig: Vec<bool> = d.items.iter().map(|i| i.is_significant()).collect();
        assert_eq!(sig, [true, false, true]);
        // drawn in that order too (not re-sorted by lift), with the Holm note
        let svg = render_svg(
            &ChartData::Impact(d),
            &ChartOptions {
                theme: ThemeName::Light,
                size: ChartSize::Screen,
            },
        )
        .unwrap();
        let at = |t: &str| svg.find(&format!(">\n{t}\n<")).unwrap_or(usize::MAX);
        assert!(at("search") < at("view") && at("view") < at("wishlist"));
        assert!(svg.contains("Holm"));
    }

    #[test]
    fn impact_axis_labels_never_print_over_each_other_in_a_narrow_chart() {
        // REES46, goal purchase: lifts from -96% to +1,687%, with a long page
        // label, drawn 480 px wide (the app's narrowest chart, a 1024 px window).
        let spec = ImpactSpec::from_json(
            r#"{"dataset": "rees46", "goal": {"event": "purchase"}, "candidates": "auto"}"#,
        )
        .unwrap();
        let mut cart = impact_row(
            "/collections/all-products/page-2",
            1e-9,
            false,
            16.87,
            100.0,
        );
        cart.ci_low = Some(10.5);
        cart.ci_high = Some(26.0);
        let mut view = impact_row("view", 1e-6, false, -0.96, 10.0);
        view.ci_low = Some(-0.99);
        view.ci_high = Some(-0.7);
        let r = ImpactResult {
            goal: spec.goal.clone(),
            window: "30d".into(),
            users: 3939,
            goal_users: 162,
            goal_rate: 0.04,
            order_value: None,
            order_value_source: "none".into(),
            candidates: vec![cart, view],
            suggested_micro: Vec::new(),
            note: String::new(),
            warnings: vec![],
        };
        for width in [480, 560, 640] {
            let svg = render_svg(
                &impact(&spec, &r, None),
                &ChartOptions {
                    theme: ThemeName::Light,
                    size: ChartSize::Custom { width, height: 300 },
                },
            )
            .unwrap();
            // (x, y, label) of every centred text that is a percentage: the axis labels
            let mut ticks: Vec<(f64, f64, String)> = svg
                .split("<text ")
                .skip(1)
                .filter(|t| t.contains("text-anchor=\"middle\""))
                .filter_map(|t| {
                    let attr = |a: &str| -> Option<f64> {
                        let v = t
                            .split(&format!(" {a}=\""))
                            .nth(1)
                            .or_else(|| t.strip_prefix(&format!("{a}=\"")))?;
                        v.split('"').next()?.parse().ok()
                    };
                    let label = t.split('>').nth(1)?.split('<').next()?.trim().to_string();
                    label
                        .ends_with('%')
                        .then(|| Some((attr("x")?, attr("y")?, label)))
                        .flatten()
                })
                .collect();
            assert!(ticks.len() >= 2, "{width}: some axis labels: {ticks:?}");
            ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
            for w in ticks.windows(2) {
                let half = |l: &str| crate::chart::fonts::text_width(l, 11.0, false) as f64 / 2.0;
                assert!(
                    w[1].0 - w[0].0 > half(&w[0].2) + half(&w[1].2),
                    "{width} px: \"{}\" and \"{}\" print over each other: {ticks:?}",
                    w[0].2,
                    w[1].2
                );
            }
        }
    }
}
