//! Paths: where units went next (or came from) around an event, a page, a
//! step of a funnel or its drop-offs. See docs/paths.md.
//!
//! - The start (level 0) is each unit's first event matching the `from`
//!   event or page, or, from a funnel, the event its counted attempt used
//!   for the step (`step`: every unit that reached it; `dropoff`: those
//!   that reached it but not the next step). Steps are numbered from 1, as
//!   `stepwise funnel` prints them.
//! - Levels 1..N are the unit's following (or, with `previous`, preceding)
//!   events in time order, named by event or by page (a page group's name
//!   when a group pattern matches the page). By page, events without a
//!   page are skipped; by event, events without a name are skipped.
//! - Consecutive repeats are collapsed by default: an event named as the
//!   level before it (the start included) is not a new level.
//! - Per level, the `top` nodes by units are kept and the rest pooled into
//!   "other"; a unit whose journey stops is counted once in the next
//!   level's "end" node and not after. So every level's node counts,
//!   "end" included, add up to the units still walking: the start's units
//!   minus the ends of earlier levels.
//! - Between two steps (`{"funnel": F, "between": k}`): the units whose
//!   counted attempt went from step k to step k+1, walked from the one
//!   step event and stopped at the other; also their sequences between
//!   (top N + "other", cut after [`SEQUENCE_MAX`]) and the median, 75th and
//!   90th percentile of the events and seconds between.
//! - `compare: "converters"` from a funnel step: level 1's nodes, the share
//!   among units that reached the funnel's last step against the share
//!   among the rest, a pooled two-proportion z-test per node, Holm-adjusted.

use crate::error::{Error, Result};
use crate::filter::{Pattern, PatternMatcher};
use crate::funnel::FunnelSpec;
use crate::index::{EventIndex, IndexCache, Unit, NULL_CODE};
use crate::model::DatasetKind;
use crate::store::Workspace;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

pub const DEFAULT_LEVELS: usize = 3;
pub const MAX_LEVELS: usize = 10;
pub const DEFAULT_TOP: usize = 8;
pub const MAX_TOP: usize = 50;
/// The name of the pooled node of a level.
pub const OTHER: &str = "other";
/// The name of the node where journeys stop.
pub const END: &str = "end";

/// Where paths start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged, try_from = "RawStart")]
#[ts(export, rename = "PathStart")]
pub enum PathStart {
    /// Units that reached a step of the funnel (from 1), at that step's event.
    Step {
        funnel: Box<FunnelSpec>,
        step: usize,
    },
    /// Units that reached the step (from 1) but not the next one.
    Dropoff {
        funnel: Box<FunnelSpec>,
        dropoff: usize,
    },
    /// Units that went from the step (from 1) to the next one: what they
    /// did between their counted attempt's two step events.
    Between {
        funnel: Box<FunnelSpec>,
        between: usize,
    },
    /// Each unit's first event of this name.
    Event { event: String },
    /// Each unit's first event on a page matching this pattern.
    Page { page: Pattern },
}

/// `from` as written, checked into a [`PathStart`] with a sentence for
/// each mistake.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStart {
    funnel: Option<Box<FunnelSpec>>,
    step: Option<usize>,
    dropoff: Option<usize>,
    between: Option<usize>,
    event: Option<String>,
    page: Option<Pattern>,
}

impl TryFrom<RawStart> for PathStart {
    type Error = String;
    fn try_from(r: RawStart) -> std::result::Result<PathStart, String> {
        const FORMS: &str = "write {\"event\": E}, {\"page\": P}, {\"funnel\": SPEC, \"step\": k}, {\"funnel\": SPEC, \"dropoff\": k} or {\"funnel\": SPEC, \"between\": k}";
        match r {
            RawStart {
                funnel: Some(funnel),
                step: Some(step),
                dropoff: None,
                between: None,
                event: None,
                page: None,
            } => Ok(PathStart::Step { funnel, step }),
            RawStart {
                funnel: Some(funnel),
                step: None,
                dropoff: Some(dropoff),
                between: None,
                event: None,
                page: None,
            } => Ok(PathStart::Dropoff { funnel, dropoff }),
            RawStart {
                funnel: Some(funnel),
                step: None,
                dropoff: None,
                between: Some(between),
                event: None,
                page: None,
            } => Ok(PathStart::Between { funnel, between }),
            RawStart {
                funnel: Some(_),
                step: None,
                dropoff: None,
                between: None,
                ..
            } => Err(format!(
                "\"from\" has a funnel but no \"step\", \"dropoff\" or \"between\": {FORMS}"
            )),
            RawStart {
                funnel: None,
                step: None,
                dropoff: None,
                between: None,
                event: Some(event),
                page: None,
            } => Ok(PathStart::Event { event }),
            RawStart {
                funnel: None,
                step: None,
                dropoff: None,
                between: None,
                event: None,
                page: Some(page),
            } => Ok(PathStart::Page { page }),
            _ => Err(format!("\"from\" must be one start: {FORMS}")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "PathDirection")]
pub enum Direction {
    #[default]
    Next,
    Previous,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "PathBy")]
pub enum By {
    #[default]
    Event,
    Page,
}

/// A named group of pages: every page matching `pattern` is one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct PageGroup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
    pub pattern: Pattern,
}

/// A paths query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct PathsSpec {
    pub dataset: String,
    pub from: PathStart,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub direction: Option<Direction>,
    /// 1 to 10; default 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub levels: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub by: Option<By>,
    /// Nodes kept per level (the rest pool into "other"); 1 to 50, default 8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub top: Option<usize>,
    /// With `by: "page"`: pages merged into one node per group (the first
    /// group whose pattern matches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub groups: Option<Vec<PageGroup>>,
    /// Users or sessions; from a funnel, the funnel's own `count`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub count: Option<Unit>,
    /// Collapse consecutive repeats (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub collapse_repeats: Option<bool>,
    /// `"converters"`, from a funnel step: the first node after the step
    /// of those who went on to the funnel's last step against those who
    /// did not, with a test per node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub compare: Option<PathCompare>,
    /// The confidence level of `compare`'s tests (default 0.95).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub confidence: Option<f64>,
}

/// What to compare the paths of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PathCompare {
    /// Units that reached the funnel's last step against those that did not.
    Converters,
}

/// The longest sequence between two steps shown in full; longer ones end
/// in "…" and pool with those sharing their first events.
pub const SEQUENCE_MAX: usize = 5;
/// The name of the sequence of units that did nothing between the steps.
pub const NOTHING: &str = "(nothing)";

/// Median, 75th and 90th percentile (linear interpolation between the
/// closest ranks, as numpy's default and DuckDB's `quantile_cont`); None
/// when there are no values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Spread {
    pub median: Option<f64>,
    pub p75: Option<f64>,
    pub p90: Option<f64>,
}

/// A sequence of events (or pages) between two steps, or the pooled rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PathSequence {
    /// The events in order (up to [`SEQUENCE_MAX`]); empty for "nothing
    /// between" and for "other".
    pub events: Vec<String>,
    /// More events followed the ones listed.
    pub more: bool,
    /// The pooled sequences beyond `top`.
    pub other: bool,
    /// "view_item › search › …", "(nothing)" or "other".
    pub name: String,
    #[ts(type = "number")]
    pub count: u64,
}

/// What units did between two steps of a funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PathsBetween {
    /// The two steps, numbered from 1, and their labels.
    pub step: usize,
    pub from_label: String,
    pub to_label: String,
    /// Units that went from the one to the other.
    #[ts(type = "number")]
    pub units: u64,
    /// The most frequent sequences, by count (then name), "other" last.
    pub sequences: Vec<PathSequence>,
    /// Events of any kind strictly between the two step events.
    pub events: Spread,
    /// Seconds from the one step event to the other.
    pub seconds: Spread,
}

/// One first node after the step, converters against drop-offs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PathComparisonRow {
    /// Index into the result's `nodes` (a level-1 node).
    pub node: usize,
    pub name: String,
    #[ts(type = "number")]
    pub converters: u64,
    #[ts(type = "number")]
    pub dropoffs: u64,
    /// Shares of each group; None when the group is empty.
    pub converters_share: Option<f64>,
    pub dropoffs_share: Option<f64>,
    /// Converters' share minus drop-offs'.
    pub difference: Option<f64>,
    /// Two-proportion z-test (pooled), two-sided; None where it has nothing
    /// to measure.
    pub z: Option<f64>,
    pub p_value: Option<f64>,
    /// Holm-adjusted over the rows with a p-value.
    pub p_adjusted: Option<f64>,
    /// `p_adjusted` at or below 1 - confidence.
    pub significant: bool,
}

/// The first node after a funnel step: those who reached the last step
/// against those who did not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PathsComparison {
    #[ts(type = "number")]
    pub converters: u64,
    #[ts(type = "number")]
    pub dropoffs: u64,
    pub confidence: f64,
    /// The level-1 nodes, in the order of `nodes`.
    pub rows: Vec<PathComparisonRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PathNodeKind {
    /// The start (level 0).
    Start,
    /// An event, a page or a page group.
    Node,
    /// The pooled low-traffic nodes of a level.
    Other,
    /// Journeys that stopped before this level.
    End,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PathNode {
    pub level: usize,
    pub name: String,
    pub kind: PathNodeKind,
    #[ts(type = "number")]
    pub count: u64,
}

/// Units that went from node `from` to node `to` (indexes into `nodes`,
/// `to` one level further from the start).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PathEdge {
    pub from: usize,
    pub to: usize,
    #[ts(type = "number")]
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PathsResult {
    /// "users" or "sessions".
    pub unit: String,
    pub direction: Direction,
    pub by: By,
    pub levels: usize,
    /// Units at the start.
    #[ts(type = "number")]
    pub units: u64,
    /// By level, then by count (descending), "other" and "end" last.
    pub nodes: Vec<PathNode>,
    pub edges: Vec<PathEdge>,
    pub warnings: Vec<String>,
    /// From `{"funnel": F, "between": k}`: the sequences, events and time
    /// between the two steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub between: Option<PathsBetween>,
    /// With `"compare": "converters"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub comparison: Option<PathsComparison>,
}

impl PathsSpec {
    pub fn from_json(text: &str) -> Result<PathsSpec> {
        serde_json::from_str(text)
            .map_err(|e| Error::Invalid(format!("the paths spec is not valid: {e}")))
    }
    pub fn levels(&self) -> Result<usize> {
        match self.levels.unwrap_or(DEFAULT_LEVELS) {
            l @ 1..=MAX_LEVELS => Ok(l),
            l => Err(Error::Invalid(format!(
                "levels is {l}: choose from 1 to {MAX_LEVELS}"
            ))),
        }
    }
    pub fn top(&self) -> Result<usize> {
        match self.top.unwrap_or(DEFAULT_TOP) {
            t @ 1..=MAX_TOP => Ok(t),
            t => Err(Error::Invalid(format!(
                "top is {t}: choose from 1 to {MAX_TOP}"
            ))),
        }
    }
    /// The confidence level of `compare`'s tests.
    pub fn confidence(&self) -> Result<f64> {
        let c = self.confidence.unwrap_or(0.95);
        if c > 0.5 && c < 1.0 {
            Ok(c)
        } else {
            Err(Error::Invalid(format!(
                "the confidence level must be between 50% and 100% (e.g. 0.95), got {c}"
            )))
        }
    }

    /// The checks that need no data: `compare` and `between` against the
    /// start and direction.
    fn check(&self) -> Result<()> {
        self.confidence()?;
        if self.compare.is_some() {
            match &self.from {
                PathStart::Step { funnel, step } => {
                    if *step == funnel.steps.len() {
                        return Err(Error::Invalid(format!(
                            "step {step} is the funnel's last step: everyone there converted, so compare from an earlier step"
                        )));
                    }
                }
                _ => {
                    return Err(Error::Invalid(
                        "\"compare\": \"converters\" needs \"from\" a funnel step: {\"funnel\": SPEC, \"step\": k}".into(),
                    ))
                }
            }
        }
        if matches!(self.from, PathStart::Between { .. })
            && self.direction == Some(Direction::Previous)
        {
            return Err(Error::Invalid(
                "between two steps the paths go forward from the first step: leave out \"direction\" or make it \"next\"".into(),
            ));
        }
        Ok(())
    }

    fn unit(&self) -> Result<Unit> {
        match &self.from {
            PathStart::Step { funnel, .. }
            | PathStart::Dropoff { funnel, .. }
            | PathStart::Between { funnel, .. } => {
                let u = funnel.unit();
                if let Some(c) = self.count {
                    if c != u {
                        return Err(Error::Invalid(format!(
                            "the paths count {} but their funnel counts {}: give one count, in the funnel",
                            c.as_str(),
                            u.as_str()
                        )));
                    }
                }
                Ok(u)
            }
            _ => Ok(self.count.unwrap_or_default()),
        }
    }
}

/// The node of each dictionary entry ([`NULL_CODE`]-like `u32::MAX`: the
/// event is skipped) and the node names.
struct Naming {
    of_code: Vec<u32>,
    names: Vec<String>,
}

fn naming(ix: &EventIndex, spec: &PathsSpec, by: By) -> Result<Naming> {
    let mut names: Vec<String> = Vec::new();
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut id = |s: &str| -> u32 {
        *ids.entry(s.to_string()).or_insert_with(|| {
            names.push(s.to_string());
            (names.len() - 1) as u32
        })
    };
    let groups = spec.groups.as_deref().unwrap_or(&[]);
    if !groups.is_empty() && by != By::Page {
        return Err(Error::Invalid("page groups need \"by\": \"page\"".into()));
    }
    let matchers: Vec<(String, PatternMatcher)> = groups
        .iter()
        .map(|g| {
            Ok((
                g.name.clone().unwrap_or_else(|| g.pattern.describe()),
                PatternMatcher::new(&g.pattern)?,
            ))
        })
        .collect::<Result<_>>()?;
    let dict = match by {
        By::Event => &ix.event.dict,
        By::Page => &ix.page.dict,
    };
    let of_code = dict
        .iter()
        .map(|s| {
            if s.is_empty() {
                return u32::MAX;
            }
            match matchers.iter().find(|(_, m)| m.matches(s)) {
                Some((name, _)) => id(name),
                None => id(s),
            }
        })
        .collect();
    Ok(Naming { of_code, names })
}

impl PathStart {
    /// The funnel of a step, drop-off or between start.
    pub fn funnel(&self) -> Option<&FunnelSpec> {
        match self {
            PathStart::Step { funnel, .. }
            | PathStart::Dropoff { funnel, .. }
            | PathStart::Between { funnel, .. } => Some(funnel),
            _ => None,
        }
    }
}

/// Each unit's start and what comes with it.
struct Starts {
    /// The index position of each unit's level-0 event, or None.
    pos: Vec<Option<u32>>,
    /// The start node's name.
    name: String,
    /// Between two steps: each unit's next-step event (where its walk
    /// stops), and the steps' labels.
    stop: Option<(Vec<u32>, String, String)>,
    /// With `compare`: whether each unit reached the funnel's last step.
    converted: Option<Vec<bool>>,
}

/// Each unit's start: the index position of its level-0 event, or None.
fn starts(ws: &Workspace, ix: &EventIndex, spec: &PathsSpec) -> Result<Starts> {
    let first_matching = |ok: &dyn Fn(usize) -> bool| -> Vec<Option<u32>> {
        (0..ix.units())
            .map(|u| (ix.unit_starts[u]..ix.unit_starts[u + 1]).find(|&i| ok(i as usize)))
            .collect()
    };
    let plain = |pos: Vec<Option<u32>>, name: String| Starts {
        pos,
        name,
        stop: None,
        converted: None,
    };
    match &spec.from {
        PathStart::Event { event } => {
            let Some(code) = ix.event.code_of(event) else {
                return Err(Error::Invalid(format!(
                    "the event \"{event}\" does not occur in dataset \"{}\"",
                    ix.dataset_name
                )));
            };
            let codes = &ix.event.codes;
            Ok(plain(first_matching(&|i| codes[i] == code), event.clone()))
        }
        PathStart::Page { page } => {
            let m = PatternMatcher::new(page)?;
            let hit: Vec<bool> = ix.page.dict.iter().map(|p| m.matches(p)).collect();
            if !hit.iter().any(|&h| h) {
                return Err(Error::Invalid(format!(
                    "no page of dataset \"{}\" matches \"{}\"",
                    ix.dataset_name,
                    page.describe()
                )));
            }
            let codes = &ix.page.codes;
            Ok(plain(
                first_matching(&|i| codes[i] != NULL_CODE && hit[codes[i] as usize]),
                page.describe(),
            ))
        }
        PathStart::Step { funnel, step } => {
            let k = check_step(funnel, *step, "step")?;
            let mask = crate::funnel::funnel_mask(ws, ix, funnel)?;
            let res = crate::funnel::engine::unit_step_events(ws, ix, funnel, mask.as_deref(), k)?;
            let last = funnel.steps.len() as i32 - 1;
            Ok(Starts {
                pos: res
                    .iter()
                    .map(|&(level, pos)| (level >= k as i32).then_some(pos))
                    .collect(),
                name: funnel.step_label(k),
                stop: None,
                converted: spec
                    .compare
                    .map(|_| res.iter().map(|&(level, _)| level == last).collect()),
            })
        }
        PathStart::Between { funnel, between } => {
            let k = check_step(funnel, *between, "between")?;
            let mask = crate::funnel::funnel_mask(ws, ix, funnel)?;
            let res = crate::funnel::engine::unit_step_pair_events(
                ws,
                ix,
                funnel,
                mask.as_deref(),
                k,
                k + 1,
            )?;
            let (from, to) = (funnel.step_label(k), funnel.step_label(k + 1));
            Ok(Starts {
                pos: res
                    .iter()
                    .map(|&(level, a, _)| (level > k as i32).then_some(a))
                    .collect(),
                name: format!("{from} \u{2192} {to}"),
                stop: Some((res.iter().map(|&(_, _, b)| b).collect(), from, to)),
                converted: None,
            })
        }
        PathStart::Dropoff { funnel, dropoff } => {
            let k = check_step(funnel, *dropoff, "dropoff")?;
            let mask = crate::funnel::funnel_mask(ws, ix, funnel)?;
            let res = crate::funnel::engine::unit_step_events(ws, ix, funnel, mask.as_deref(), k)?;
            Ok(plain(
                res.iter()
                    .map(|&(level, pos)| (level == k as i32).then_some(pos))
                    .collect(),
                format!("{} (dropped)", funnel.step_label(k)),
            ))
        }
    }
}

/// A step numbered from 1, checked, as 0-based. `field`: "step", or
/// "dropoff" / "between" (which need a next step).
fn check_step(f: &FunnelSpec, step: usize, field: &str) -> Result<usize> {
    let n = f.steps.len();
    let dropoff = field != "step";
    let last = if dropoff { n.saturating_sub(1) } else { n };
    if step == 0 || step > last {
        return Err(Error::Invalid(if dropoff && n < 2 {
            format!("\"{field}\" needs a funnel of at least two steps")
        } else if dropoff {
            format!("{field} {step} is not a step with a next step: choose from 1 to {last} (steps are numbered from 1)")
        } else {
            format!("step {step} is not a step of the funnel: choose from 1 to {last}")
        }));
    }
    Ok(step - 1)
}

const END_ID: u32 = u32::MAX;
const OTHER_ID: u32 = u32::MAX - 1;

/// Runs a paths query.
pub fn run_paths(ws: &Workspace, spec: &PathsSpec, cache: &mut IndexCache) -> Result<PathsResult> {
    let levels = spec.levels()?;
    let top = spec.top()?;
    let unit = spec.unit()?;
    spec.check()?;
    if let Some(funnel) = spec.from.funnel() {
        if funnel.dataset != spec.dataset {
            return Err(Error::Invalid(format!(
                "the funnel in \"from\" is on dataset \"{}\" but the paths on \"{}\"",
                funnel.dataset, spec.dataset
            )));
        }
        crate::funnel::engine::plan(funnel)?;
    }
    let rec = ws.dataset(&spec.dataset)?;
    if rec.info.kind == DatasetKind::Metrics {
        return Err(Error::Invalid(format!(
            "dataset \"{}\" is a metric table: it has totals, not the events of users to follow",
            rec.info.name
        )));
    }
    let ix = cache.get(ws, &rec, unit)?;
    Ok(run_on_index(ws, &ix, spec, levels, top, None)?.0)
}

/// The units (positions in the index) that passed through node `node` (an
/// index into [`PathsResult::nodes`], 0: the start) of the paths `spec`
/// gives, in the index's order, with the index they belong to.
pub fn node_units(
    ws: &Workspace,
    spec: &PathsSpec,
    cache: &mut IndexCache,
    node: usize,
) -> Result<(std::sync::Arc<EventIndex>, PathNode, Vec<usize>)> {
    let levels = spec.levels()?;
    let top = spec.top()?;
    let unit = spec.unit()?;
    spec.check()?;
    let rec = ws.dataset(&spec.dataset)?;
    if rec.info.kind == DatasetKind::Metrics {
        return Err(Error::Invalid(format!(
            "dataset \"{}\" is a metric table: it has totals, not the events of users to follow",
            rec.info.name
        )));
    }
    let ix = cache.get(ws, &rec, unit)?;
    let (r, units) = run_on_index(ws, &ix, spec, levels, top, Some(Members::Node(node)))?;
    let Some(n) = r.nodes.get(node).cloned() else {
        return Err(Error::Invalid(format!(
            "node {node} is not a node of these paths: they have {} (numbered from 0, the start)",
            r.nodes.len()
        )));
    };
    Ok((ix, n, units))
}

/// The units that walked the edge from node `from` to node `to` (indexes
/// into [`PathsResult::nodes`]; `to` one level further from the start) of
/// the paths `spec` gives, in the index's order, with the index and the
/// edge.
pub fn edge_units(
    ws: &Workspace,
    spec: &PathsSpec,
    cache: &mut IndexCache,
    from: usize,
    to: usize,
) -> Result<(std::sync::Arc<EventIndex>, PathEdge, Vec<usize>)> {
    let levels = spec.levels()?;
    let top = spec.top()?;
    let unit = spec.unit()?;
    spec.check()?;
    let rec = ws.dataset(&spec.dataset)?;
    if rec.info.kind == DatasetKind::Metrics {
        return Err(Error::Invalid(format!(
            "dataset \"{}\" is a metric table: it has totals, not the events of users to follow",
            rec.info.name
        )));
    }
    let ix = cache.get(ws, &rec, unit)?;
    let (r, units) = run_on_index(ws, &ix, spec, levels, top, Some(Members::Edge(from, to)))?;
    let Some(e) = r
        .edges
        .iter()
        .find(|e| e.from == from && e.to == to)
        .cloned()
    else {
        return Err(Error::Invalid(format!(
            "no edge goes from node {from} to node {to} in these paths (nodes are numbered from 0, the start; an edge goes one level on)"
        )));
    };
    Ok((ix, e, units))
}

/// The units through the edge `from` -> `to` (see [`edge_units`]) as CSV,
/// like [`write_node_csv`]. Returns how many.
pub fn write_edge_csv<W: std::io::Write>(
    ws: &Workspace,
    spec: &PathsSpec,
    cache: &mut IndexCache,
    from: usize,
    to: usize,
    out: W,
) -> Result<u64> {
    let (ix, _, units) = edge_units(ws, spec, cache, from, to)?;
    let ids = crate::segment::UnitIds::new(ws, &ix)?;
    let mut w = crate::csv_out::CsvWriter::new(out, "the path edge's units");
    w.text_row(ids.header())?;
    for &u in &units {
        w.text_row(ids.cells(&ix, u))?;
    }
    w.finish()?;
    Ok(units.len() as u64)
}

/// The units through node `node` (see [`node_units`]) as CSV: their ids,
/// as the drop-off list and a persona's audience write them. Returns how
/// many.
pub fn write_node_csv<W: std::io::Write>(
    ws: &Workspace,
    spec: &PathsSpec,
    cache: &mut IndexCache,
    node: usize,
    out: W,
) -> Result<u64> {
    let (ix, _, units) = node_units(ws, spec, cache, node)?;
    let ids = crate::segment::UnitIds::new(ws, &ix)?;
    let mut w = crate::csv_out::CsvWriter::new(out, "the path node's units");
    w.text_row(ids.header())?;
    for &u in &units {
        w.text_row(ids.cells(&ix, u))?;
    }
    w.finish()?;
    Ok(units.len() as u64)
}

/// Whose units [`run_on_index`] collects: a node's or an edge's (indexes
/// into the result's nodes).
#[derive(Clone, Copy, PartialEq)]
enum Members {
    Node(usize),
    Edge(usize, usize),
}

/// The paths, and with `members`, the units through that node or edge.
fn run_on_index(
    ws: &Workspace,
    ix: &EventIndex,
    spec: &PathsSpec,
    levels: usize,
    top: usize,
    members: Option<Members>,
) -> Result<(PathsResult, Vec<usize>)> {
    let by = spec.by.unwrap_or_default();
    let direction = spec.direction.unwrap_or_default();
    let collapse = spec.collapse_repeats.unwrap_or(true);
    let mut warnings = Vec::new();
    match by {
        By::Page if ix.page_column.is_none() => {
            return Err(Error::Invalid(format!(
                "dataset \"{}\" has no page column to follow pages by",
                ix.dataset_name
            )))
        }
        By::Event if ix.event_column.is_none() => {
            return Err(Error::Invalid(format!(
                "dataset \"{}\" has no event column to follow events by",
                ix.dataset_name
            )))
        }
        _ => {}
    }
    let naming = naming(ix, spec, by)?;
    let Starts {
        pos: starts,
        name: start_name,
        stop,
        converted,
    } = starts(ws, ix, spec)?;
    let codes: &[u32] = match by {
        By::Event => &ix.event.codes,
        By::Page => &ix.page.codes,
    };
    let node_at = |i: usize| match codes[i] {
        NULL_CODE => u32::MAX,
        c => naming.of_code[c as usize],
    };

    // each unit's walk: `levels` node ids (END_ID once it stops); between
    // two steps, up to SEQUENCE_MAX + 1 nodes of each unit's sequence, and
    // its events and microseconds between
    let mut walks: Vec<u32> = Vec::new();
    let mut walkers: Vec<usize> = Vec::new();
    let mut units = 0u64;
    let want = if stop.is_some() {
        levels.max(SEQUENCE_MAX + 1)
    } else {
        levels
    };
    let mut seqs: HashMap<(Vec<u32>, bool), u64> = HashMap::new();
    let mut between_events: Vec<f64> = Vec::new();
    let mut between_secs: Vec<f64> = Vec::new();
    let mut seq: Vec<u32> = Vec::with_capacity(want);
    for (u, s) in starts.iter().enumerate() {
        if u.is_multiple_of(65_536) {
            crate::job::step("Following each unit's path", u as u64, starts.len() as u64)?;
        }
        let Some(s) = *s else { continue };
        units += 1;
        walkers.push(u);
        let (lo, mut hi) = (ix.unit_starts[u] as usize, ix.unit_starts[u + 1] as usize);
        if let Some((stops, ..)) = &stop {
            // the next step's event comes after the step's (in an unordered
            // funnel too: step k+1 is the event with one more distinct step)
            hi = (stops[u] as usize).max(s as usize);
            between_events.push(hi.saturating_sub(s as usize + 1) as f64);
            between_secs.push((ix.time[hi] - ix.time[s as usize]) as f64 / 1e6);
        }
        let mut prev = node_at(s as usize);
        seq.clear();
        let mut i = s as usize;
        loop {
            if seq.len() == want {
                break;
            }
            let next = match direction {
                Direction::Next => (i + 1 < hi).then(|| i + 1),
                Direction::Previous => (i > lo).then(|| i - 1),
            };
            let Some(n) = next else { break };
            i = n;
            let node = node_at(i);
            if node == u32::MAX || (collapse && node == prev) {
                continue;
            }
            seq.push(node);
            prev = node;
        }
        let got = seq.len().min(levels);
        walks.extend_from_slice(&seq[..got]);
        walks.extend(std::iter::repeat_n(END_ID, levels - got));
        if stop.is_some() {
            let more = seq.len() > SEQUENCE_MAX;
            seq.truncate(SEQUENCE_MAX);
            *seqs.entry((seq.clone(), more)).or_insert(0) += 1;
        }
    }
    if units == 0 {
        warnings.push(format!("no {} reached the start", ix.unit.as_str()));
    }

    // per level: counts by node, the top ones kept
    let n_units = units as usize;
    let mut keep: Vec<HashMap<u32, ()>> = Vec::with_capacity(levels);
    let mut node_counts: Vec<HashMap<u32, u64>> = vec![HashMap::new(); levels];
    crate::job::step("Counting the paths", 0, 2)?;
    for w in 0..n_units {
        for (l, counts) in node_counts.iter_mut().enumerate() {
            let node = walks[w * levels + l];
            *counts.entry(node).or_insert(0) += 1;
            if node == END_ID {
                break;
            }
        }
    }
    for counts in &node_counts {
        let mut named: Vec<(u32, u64)> = counts
            .iter()
            .filter(|(&n, _)| n != END_ID)
            .map(|(&n, &c)| (n, c))
            .collect();
        named.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| naming.names[a.0 as usize].cmp(&naming.names[b.0 as usize]))
        });
        keep.push(named.into_iter().take(top).map(|(n, _)| (n, ())).collect());
    }
    let pooled = |l: usize, n: u32| -> u32 {
        if n == END_ID || keep[l].contains_key(&n) {
            n
        } else {
            OTHER_ID
        }
    };

    // nodes, in order, and their positions
    let mut nodes = vec![PathNode {
        level: 0,
        name: start_name,
        kind: PathNodeKind::Start,
        count: units,
    }];
    let mut pos: HashMap<(usize, u32), usize> = HashMap::new();
    for (l, counts) in node_counts.iter().enumerate() {
        let mut level: HashMap<u32, u64> = HashMap::new();
        for (&n, &c) in counts {
            *level.entry(pooled(l, n)).or_insert(0) += c;
        }
        let mut list: Vec<(u32, u64)> = level.into_iter().collect();
        let rank = |n: u32| match n {
            END_ID => 2,
            OTHER_ID => 1,
            _ => 0,
        };
        list.sort_by(|a, b| {
            rank(a.0).cmp(&rank(b.0)).then(b.1.cmp(&a.1)).then_with(|| {
                let name = |n: u32| naming.names.get(n as usize).map(String::as_str);
                name(a.0).cmp(&name(b.0))
            })
        });
        for (n, c) in list {
            pos.insert((l + 1, n), nodes.len());
            let (name, kind) = match n {
                END_ID => match &stop {
                    Some((_, _, to)) => (format!("reached {to}"), PathNodeKind::End),
                    None => (END.to_string(), PathNodeKind::End),
                },
                OTHER_ID => (OTHER.to_string(), PathNodeKind::Other),
                _ => (naming.names[n as usize].clone(), PathNodeKind::Node),
            };
            nodes.push(PathNode {
                level: l + 1,
                name,
                kind,
                count: c,
            });
        }
    }

    // edges: level l node -> level l+1 node
    let mut edge_counts: HashMap<(usize, usize), u64> = HashMap::new();
    let mut through: Vec<usize> = Vec::new();
    // with `compare`: level-1 node -> (converters, drop-offs)
    let mut split: HashMap<usize, (u64, u64)> = HashMap::new();
    crate::job::step("Counting the paths", 1, 2)?;
    for w in 0..n_units {
        let mut from = 0usize;
        let mut hit = members == Some(Members::Node(0));
        for l in 0..levels {
            let n = pooled(l, walks[w * levels + l]);
            let to = pos[&(l + 1, n)];
            *edge_counts.entry((from, to)).or_insert(0) += 1;
            if let (0, Some(conv)) = (l, &converted) {
                let e = split.entry(to).or_insert((0, 0));
                if conv[walkers[w]] {
                    e.0 += 1;
                } else {
                    e.1 += 1;
                }
            }
            hit |= members == Some(Members::Node(to)) || members == Some(Members::Edge(from, to));
            if n == END_ID {
                break;
            }
            from = to;
        }
        if hit {
            through.push(walkers[w]);
        }
    }
    let mut edges: Vec<PathEdge> = edge_counts
        .into_iter()
        .map(|((from, to), count)| PathEdge { from, to, count })
        .collect();
    edges.sort_by_key(|e| (e.from, e.to));
    let between = stop.map(|(_, from_label, to_label)| {
        let step = match &spec.from {
            PathStart::Between { between, .. } => *between,
            _ => 0,
        };
        PathsBetween {
            step,
            from_label,
            to_label,
            units,
            sequences: sequences(seqs, &naming.names, top),
            events: spread(&mut between_events),
            seconds: spread(&mut between_secs),
        }
    });
    let comparison = match converted {
        Some(conv) => Some(compare_level1(
            &nodes,
            &split,
            walkers.iter().filter(|&&u| conv[u]).count() as u64,
            units,
            spec.confidence()?,
        )),
        None => None,
    };
    Ok((
        PathsResult {
            unit: ix.unit.as_str().to_string(),
            direction,
            by,
            levels,
            units,
            nodes,
            edges,
            warnings,
            between,
            comparison,
        },
        through,
    ))
}

/// The top `top` sequences by count (then name), the rest pooled into
/// "other" (last).
fn sequences(
    counts: HashMap<(Vec<u32>, bool), u64>,
    names: &[String],
    top: usize,
) -> Vec<PathSequence> {
    let mut list: Vec<PathSequence> = counts
        .into_iter()
        .map(|((ids, more), count)| {
            let events: Vec<String> = ids.iter().map(|&n| names[n as usize].clone()).collect();
            let name = if events.is_empty() {
                NOTHING.to_string()
            } else {
                let mut parts = events.clone();
                if more {
                    parts.push("\u{2026}".into());
                }
                parts.join(" \u{203a} ")
            };
            PathSequence {
                events,
                more,
                other: false,
                name,
                count,
            }
        })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    if list.len() > top {
        let rest: u64 = list[top..].iter().map(|s| s.count).sum();
        list.truncate(top);
        list.push(PathSequence {
            events: vec![],
            more: false,
            other: true,
            name: OTHER.to_string(),
            count: rest,
        });
    }
    list
}

/// The value at quantile `q` of sorted values, interpolating linearly
/// between the closest ranks (numpy's default, DuckDB's `quantile_cont`).
fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

fn spread(values: &mut [f64]) -> Spread {
    values.sort_by(f64::total_cmp);
    Spread {
        median: quantile(values, 0.5),
        p75: quantile(values, 0.75),
        p90: quantile(values, 0.9),
    }
}

/// Level 1's nodes, converters against drop-offs: shares, a pooled
/// two-proportion z-test per node, Holm over the nodes with a p-value.
fn compare_level1(
    nodes: &[PathNode],
    split: &HashMap<usize, (u64, u64)>,
    converters: u64,
    units: u64,
    confidence: f64,
) -> PathsComparison {
    let dropoffs = units - converters;
    let share = |c: u64, n: u64| (n > 0).then(|| c as f64 / n as f64);
    let mut rows: Vec<PathComparisonRow> = nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.level == 1)
        .map(|(i, n)| {
            let (c, d) = split.get(&i).copied().unwrap_or((0, 0));
            let test = crate::stats::proportion::z_test_pooled(c, converters, d, dropoffs);
            let (cs, ds) = (share(c, converters), share(d, dropoffs));
            PathComparisonRow {
                node: i,
                name: n.name.clone(),
                converters: c,
                dropoffs: d,
                converters_share: cs,
                dropoffs_share: ds,
                difference: cs.zip(ds).map(|(a, b)| a - b),
                z: test.map(|t| t.0),
                p_value: test.map(|t| t.1),
                p_adjusted: None,
                significant: false,
            }
        })
        .collect();
    let tested: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].p_value.is_some())
        .collect();
    let p: Vec<f64> = tested.iter().filter_map(|&i| rows[i].p_value).collect();
    for (&i, adj) in tested.iter().zip(crate::stats::proportion::holm(&p)) {
        rows[i].p_adjusted = Some(adj);
        rows[i].significant = adj <= 1.0 - confidence;
    }
    PathsComparison {
        converters,
        dropoffs,
        confidence,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_forms_parse() {
        let s = PathsSpec::from_json(r#"{"dataset": "d", "from": {"event": "view"}}"#).unwrap();
        assert_eq!(
            s.from,
            PathStart::Event {
                event: "view".into()
            }
        );
        assert_eq!(s.levels().unwrap(), 3);
        let s = PathsSpec::from_json(
            r#"{"dataset": "d", "from": {"page": "/product/*"}, "by": "page", "levels": 11}"#,
        )
        .unwrap();
        assert!(matches!(s.from, PathStart::Page { .. }));
        assert!(s.levels().unwrap_err().to_string().contains("from 1 to 10"));
        let s = PathsSpec::from_json(
            r#"{"dataset": "d", "from": {"funnel": {"dataset": "d", "steps": [{"event": "a"}, {"event": "b"}]}, "dropoff": 1}}"#,
        )
        .unwrap();
        assert!(matches!(s.from, PathStart::Dropoff { dropoff: 1, .. }));
        for (bad, want) in [
            (r#"{"event": "a", "page": "/"}"#, "must be one start"),
            (
                r#"{"funnel": {"dataset": "d", "steps": [{"event": "a"}]}}"#,
                "no \"step\"",
            ),
            (r#"{"evnt": "a"}"#, "evnt"),
        ] {
            let e = PathsSpec::from_json(&format!(r#"{{"dataset": "d", "from": {bad}}}"#))
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{e}");
        }
        let again = PathsSpec::from_json(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(again, s);
    }
}
