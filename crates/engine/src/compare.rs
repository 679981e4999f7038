//! Comparing a funnel across segments (or the values of a column, e.g. an
//! A/B `variant`), with the statistics of [`crate::stats`]: per group the
//! funnel steps and the first-to-last-step conversion against a baseline
//! (Wilson interval, difference and lift with intervals, z-test p-value,
//! Holm-adjusted p-value, verdict), and a chi-square test across all
//! groups. See docs/segments.md.

use crate::bottleneck::{find_bottleneck, Bottleneck};
use crate::error::{Error, Result};
use crate::funnel::funnel_mask;
use crate::funnel::{
    run_funnel, run_on_index_masked, Attribution, Breakdown, FunnelSpec, StepResult,
};
use crate::index::IndexCache;
use crate::model::DatasetInfo;
use crate::model::DatasetKind;
use crate::segment::{segment_mask, Condition, GroupCondition, Match, NotCondition, SegmentSpec};
use crate::stats::{compare_groups, ChiSquare, ConversionStats, GroupCounts};
use crate::store::Workspace;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The default number of values of a `by` column (the rest pool into
/// "Other").
pub const BY_LIMIT: usize = 10;

/// A segment in a comparison, or its complement: `{"not": SEGMENT}` is
/// everyone else (named "Not NAME" unless it has a `name`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum CompareSegment {
    Not(NotSegment),
    Segment(SegmentSpec),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct NotSegment {
    pub not: SegmentSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
}

impl CompareSegment {
    pub fn name(&self) -> String {
        match self {
            CompareSegment::Segment(s) => s.name.clone(),
            CompareSegment::Not(n) => n
                .name
                .clone()
                .unwrap_or_else(|| format!("Not {}", n.not.name)),
        }
    }
}

/// `stepwise compare SPEC.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct CompareSpec {
    pub funnel: FunnelSpec,
    /// The groups: segments ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub segments: Option<Vec<CompareSegment>>,
    /// ... or the values of a column (first-touch, as a funnel breakdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub by: Option<String>,
    /// The group the others are compared with; default the first segment,
    /// or the `by` value with the most units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub baseline: Option<String>,
    /// Default 0.95.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub confidence: Option<f64>,
    /// With `by`: how many values before the rest pool into "Other"
    /// (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub limit: Option<usize>,
}

impl CompareSpec {
    pub fn from_json(text: &str) -> Result<CompareSpec> {
        serde_json::from_str(text)
            .map_err(|e| Error::Invalid(format!("the compare spec is not valid: {e}")))
    }
}

/// One group of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CompareRow {
    pub name: String,
    pub steps: Vec<StepResult>,
    /// First step -> last step, against the baseline.
    pub conversion: ConversionStats,
    /// First step -> step k (k = 1 .. last), against the baseline's; the
    /// last entry is `conversion`.
    pub step_conversions: Vec<ConversionStats>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CompareResult {
    pub baseline: String,
    /// "users" or "sessions".
    pub unit: String,
    pub confidence: f64,
    /// The groups in the order given (`by`: by size, "Other" last).
    pub segments: Vec<CompareRow>,
    /// Across all groups, first -> last step; null when it is undefined
    /// (fewer than two groups with units, or nobody / everybody converted).
    pub chi_square: Option<ChiSquare>,
    /// The step with the largest drop-off over all the groups' units
    /// together, and the group where it is worst.
    pub bottleneck: Option<Bottleneck>,
    pub warnings: Vec<String>,
}

/// The funnels a comparison counts, for an engine that counts elsewhere
/// (ClickHouse): per segment the comparison's funnel restricted to that
/// segment (and to the funnel's own segment, if it has one), or, with `by`,
/// the funnel broken down by the column (first touch, `limit` values and
/// "Other"), as [`run_compare`] counts them here.
#[derive(Debug, Clone)]
pub enum CompareFunnels {
    Segments(Vec<(String, FunnelSpec)>),
    By(Box<FunnelSpec>),
}

/// Checks a comparison's groups against its dataset and gives the funnels
/// to count (see [`CompareFunnels`]).
pub fn compare_funnels(spec: &CompareSpec, info: &DatasetInfo) -> Result<CompareFunnels> {
    if spec.funnel.open == Some(true) {
        return Err(Error::Invalid(
            "a comparison tests conversion from the funnel's first step to its last; an open funnel (\"open\") lets units enter at later steps, so its last step can count more units than its first: remove \"open\" to compare"
                .into(),
        ));
    }
    match (&spec.segments, &spec.by) {
        (Some(_), Some(_)) | (None, None) => Err(Error::Invalid(
            "a comparison needs either \"segments\" or \"by\" (a column), not both".into(),
        )),
        (Some(segs), None) => {
            if segs.is_empty() {
                return Err(Error::Invalid(
                    "a comparison needs at least one segment".into(),
                ));
            }
            if info.kind == DatasetKind::Metrics {
                return Err(Error::Invalid(format!(
                    "dataset \"{}\" is a metric table: it has no users to put in segments; compare \"by\" a column instead",
                    info.name
                )));
            }
            let group = |x: &SegmentSpec| {
                Condition::Group(GroupCondition {
                    match_: x.match_,
                    conditions: x.conditions.clone(),
                })
            };
            let mut out = Vec::new();
            for (i, s) in segs.iter().enumerate() {
                crate::job::step("Counting each group", i as u64, segs.len() as u64)?;
                let (seg, negate) = match s {
                    CompareSegment::Segment(x) => (x, false),
                    CompareSegment::Not(n) => (&n.not, true),
                };
                if let Some(d) = seg.dataset.as_ref().filter(|d| **d != spec.funnel.dataset) {
                    return Err(Error::Invalid(format!(
                        "segment \"{}\" is defined on dataset \"{d}\" but the funnel is on \"{}\"; a comparison uses one dataset",
                        seg.name, spec.funnel.dataset
                    )));
                }
                let this = if negate {
                    Condition::Not(NotCondition {
                        not: Box::new(group(seg)),
                    })
                } else {
                    group(seg)
                };
                let mut conditions: Vec<Condition> =
                    spec.funnel.segment.iter().map(|x| group(x)).collect();
                conditions.push(this);
                let mut f = spec.funnel.clone();
                f.segment = Some(Box::new(SegmentSpec {
                    name: s.name(),
                    description: None,
                    color: None,
                    dataset: None,
                    match_: Some(Match::All),
                    conditions,
                }));
                out.push((s.name(), f));
            }
            Ok(CompareFunnels::Segments(out))
        }
        (None, Some(column)) => {
            let mut f = spec.funnel.clone();
            f.breakdown = Some(Breakdown {
                column: column.clone(),
                attribution: Some(Attribution::FirstTouch),
                step: None,
                limit: Some(spec.limit.unwrap_or(BY_LIMIT)),
            });
            Ok(CompareFunnels::By(Box::new(f)))
        }
    }
}

/// Runs a comparison.
pub fn run_compare(
    ws: &Workspace,
    spec: &CompareSpec,
    cache: &mut IndexCache,
) -> Result<CompareResult> {
    let rec = ws.dataset(&spec.funnel.dataset)?;
    let mut warnings = Vec::new();
    let (groups, unit) = match compare_funnels(spec, &rec.info)? {
        CompareFunnels::Segments(_) => {
            let segs = spec.segments.as_deref().unwrap_or_default();
            let ix = cache.get(ws, &rec, spec.funnel.unit())?;
            // the funnel's own segment applies to every group
            let funnel_segment = funnel_mask(ws, &ix, &spec.funnel)?;
            let mut out = Vec::new();
            let mut unit = ix.unit.as_str().to_string();
            for (i, s) in segs.iter().enumerate() {
                crate::job::step("Counting each group", i as u64, segs.len() as u64)?;
                let (seg, negate) = match s {
                    CompareSegment::Segment(x) => (x, false),
                    CompareSegment::Not(n) => (&n.not, true),
                };
                let mut mask = segment_mask(ws, &ix, seg, negate)?;
                if let Some(own) = &funnel_segment {
                    for (m, o) in mask.iter_mut().zip(own) {
                        *m = *m && *o;
                    }
                }
                let r = run_on_index_masked(ws, &ix, &spec.funnel, Some(&mask))?;
                for w in r.warnings {
                    if !warnings.contains(&w) {
                        warnings.push(w);
                    }
                }
                unit = r.unit;
                out.push((s.name(), r.steps));
            }
            (out, unit)
        }
        CompareFunnels::By(f) => {
            let r = run_funnel(ws, &f, cache)?;
            warnings.extend(r.warnings);
            let rows = r
                .breakdown
                .into_iter()
                .map(|b| (b.value, b.steps))
                .collect();
            (rows, r.unit)
        }
    };
    compare_counted(spec, groups, unit, warnings)
}

/// A comparison's statistics from each group's step counts (`groups` in the
/// order of [`CompareFunnels`]: the segments as given, or the `by` values by
/// size with "Other" last): the same for counts made here or elsewhere.
pub fn compare_counted(
    spec: &CompareSpec,
    groups: Vec<(String, Vec<StepResult>)>,
    unit: String,
    warnings: Vec<String>,
) -> Result<CompareResult> {
    let confidence = spec.confidence.unwrap_or(0.95);
    let on = if spec.by.is_some() { "on" } else { "for" };
    for (i, (name, _)) in groups.iter().enumerate() {
        if groups[..i].iter().any(|(n, _)| n == name) {
            return Err(Error::Invalid(format!(
                "two groups are named \"{name}\"; give each segment its own name"
            )));
        }
    }
    if groups.is_empty() {
        return Err(Error::Invalid(
            "the comparison has no groups: nobody entered the funnel".into(),
        ));
    }
    let base_idx = match &spec.baseline {
        None => 0,
        Some(b) => groups.iter().position(|(n, _)| n == b).ok_or_else(|| {
            let names: Vec<&str> = groups.iter().map(|(n, _)| n.as_str()).collect();
            Error::Invalid(format!(
                "the baseline \"{b}\" is not one of the groups ({})",
                names.join(", ")
            ))
        })?,
    };
    let k = spec.funnel.steps.len();
    let entered = |s: &[StepResult]| s.first().map_or(0, |x| x.count);
    let at = |s: &[StepResult], q: usize| s.get(q).map_or(0, |x| x.count);

    // per step (1..k), every group against the baseline
    let mut per_step: Vec<Vec<ConversionStats>> = vec![Vec::new(); groups.len()];
    let mut chi_square = None;
    for q in 1..k.max(2) {
        let q = q.min(k.saturating_sub(1));
        let counts = |i: usize| {
            let s = &groups[i].1;
            GroupCounts::new(groups[i].0.clone(), at(s, q), entered(s))
        };
        let base = counts(base_idx);
        let others: Vec<GroupCounts> = (0..groups.len())
            .filter(|&i| i != base_idx)
            .map(counts)
            .collect();
        let c = compare_groups(&base, &others, confidence)?;
        // c.groups: baseline first, then the others in order
        let mut it = c.groups.into_iter();
        let b = it.next().map(|g| g.conversion);
        for (i, out) in per_step.iter_mut().enumerate() {
            let stats = if i == base_idx {
                b.clone()
            } else {
                it.next().map(|g| g.conversion)
            };
            if let Some(s) = stats {
                out.push(s);
            }
        }
        chi_square = c.chi_square;
        if k < 2 {
            break;
        }
    }
    let baseline = groups[base_idx].0.clone();

    // the bottleneck over the groups' units together (segments may
    // overlap, so the "overall" is the sum only for a partition; for
    // segments, each is compared with the others summed)
    let mut overall: Vec<StepResult> = groups[0].1.clone();
    for (_, s) in &groups[1..] {
        for (o, x) in overall.iter_mut().zip(s) {
            o.count += x.count;
        }
    }
    let bottleneck = if spec.by.is_some() || groups.len() > 1 {
        find_bottleneck(&overall, &groups, &unit, on, confidence)
    } else {
        None
    };

    let segments = groups
        .into_iter()
        .zip(per_step)
        .map(|((name, steps), step_conversions)| CompareRow {
            name,
            steps,
            conversion: step_conversions
                .last()
                .cloned()
                .expect("one comparison per step"),
            step_conversions,
        })
        .collect();
    Ok(CompareResult {
        baseline,
        unit,
        confidence,
        segments,
        chi_square,
        bottleneck,
        warnings,
    })
}
