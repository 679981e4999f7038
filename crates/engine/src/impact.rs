//! Micro-conversion impact: for a goal (a purchase) and candidate actions
//! (use the search filter, read reviews), how much more often users who did
//! the action reached the goal than users who did not, with the statistics
//! of [`crate::stats::compare_two`], and what that difference is worth.
//! This is association, not proof of cause. Definitions in
//! docs/segments.md.

use crate::error::{Error, Result};
use crate::funnel::{parse_window, Pattern};
use crate::index::{EventIndex, IndexCache, Unit, NULL_CODE};
use crate::model::DatasetKind;
use crate::segment::{event_bits, value_at, value_column, EventMatch};
use crate::stats::{compare_two, not_enough_data_reason};
use crate::store::Workspace;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The default observation window from a user's first event.
pub const DEFAULT_IMPACT_WINDOW: &str = "30d";
/// With `"candidates": "auto"`: how many events and pages are kept (the
/// ones the most users did).
pub const AUTO_LIMIT: usize = 50;
/// Fewer users than this who did an action flag it as a small sample.
pub const MIN_USERS_DID: u64 = 30;

/// The note every impact result carries.
pub const ASSOCIATION_NOTE: &str = "These are associations, not proof of cause: users who do an action may differ from those who do not in other ways (more motivated, further along). Test a change (an A/B test) before counting on its value.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AutoCandidates {
    /// Every event and page seen before the goal.
    Auto,
    /// The dataset's events tagged micro conversions (docs/impact.md).
    Micro,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum Candidates {
    Auto(AutoCandidates),
    List(Vec<EventMatch>),
}

/// `stepwise impact SPEC.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ImpactSpec {
    pub dataset: String,
    pub goal: EventMatch,
    pub candidates: Candidates,
    /// How long each user is watched from their first event (`30d`
    /// default; units as a funnel window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub window: Option<String>,
    /// Average order value typed by the analyst ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub order_value: Option<f64>,
    /// ... or the column whose mean over goal events gives it (default: the
    /// column with role Value, if any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub value_column: Option<String>,
    /// With "auto": how many candidates (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub limit: Option<usize>,
    /// Default 0.95.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub confidence: Option<f64>,
}

impl ImpactSpec {
    pub fn from_json(text: &str) -> Result<ImpactSpec> {
        serde_json::from_str(text)
            .map_err(|e| Error::Invalid(format!("the impact spec is not valid: {e}")))
    }
}

/// One candidate action.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ImpactRow {
    /// The action: `event` and/or `page` (and `where`), as given.
    #[serde(flatten)]
    pub candidate: EventMatch,
    pub label: String,
    /// Users who did the action before reaching the goal, or did it and
    /// never reached the goal (within the window).
    #[ts(type = "number")]
    pub users_did: u64,
    #[ts(type = "number")]
    pub goals_did: u64,
    pub goal_rate_did: Option<f64>,
    /// Everyone else.
    #[ts(type = "number")]
    pub users_not: u64,
    #[ts(type = "number")]
    pub goals_not: u64,
    pub goal_rate_not: Option<f64>,
    /// goal_rate_did - goal_rate_not.
    pub diff: Option<f64>,
    pub diff_ci_low: Option<f64>,
    pub diff_ci_high: Option<f64>,
    /// goal_rate_did / goal_rate_not - 1, with its interval (Katz log
    /// method).
    pub lift: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Two-sided pooled two-proportion z-test.
    pub p_value: Option<f64>,
    /// users_did / all users.
    pub reach: f64,
    /// diff x average order value: what one more user doing the action is
    /// associated with.
    pub value_per_action: Option<f64>,
    /// diff x users_did: goals associated with the action beyond what the
    /// others' rate would give.
    pub extra_goals: Option<f64>,
    /// extra_goals x average order value; the ranking key.
    pub expected_value: Option<f64>,
    /// Every user who reached the goal did this first (goals_not = 0 while
    /// some did it and reached the goal): a step on the way to the goal, not
    /// a choice. Its lift is undefined (the others' rate is 0); ranked after
    /// the choices.
    pub required: bool,
    /// Too few users or goals for the test to be trusted.
    pub small_sample: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ImpactResult {
    pub goal: EventMatch,
    pub window: String,
    #[ts(type = "number")]
    pub users: u64,
    #[ts(type = "number")]
    pub goal_users: u64,
    pub goal_rate: f64,
    /// The average order value used (null: no value known).
    pub order_value: Option<f64>,
    /// Where it came from: "typed", "column NAME" or "none".
    pub order_value_source: String,
    /// Ranked by expected value (extra goals when no order value is known),
    /// actions whose rate difference is undefined last.
    pub candidates: Vec<ImpactRow>,
    /// Suggested micro conversions: events (by name) whose verdict is
    /// "higher conversion" (after Holm's correction) or "required step",
    /// in the ranking's order, for the analyst to confirm as micro
    /// conversions; those already tagged micro or macro are left out.
    pub suggested_micro: Vec<String>,
    pub note: String,
    pub warnings: Vec<String>,
}

/// Which events are goal events: an event name alone is a comparison of
/// codes (no per-event table); anything else a table of bits.
enum Goal {
    /// The goal's event code (None: the name never occurs).
    Code(Option<u32>),
    Bits(Vec<bool>),
}

impl Goal {
    fn new(ws: &Workspace, ix: &EventIndex, m: &EventMatch) -> Result<Goal> {
        match (&m.event, &m.page, m.filters.as_deref().unwrap_or_default()) {
            (Some(name), None, []) if ix.event_column.is_some() => {
                Ok(Goal::Code(ix.event.code_of(name)))
            }
            _ => Ok(Goal::Bits(event_bits(ws, ix, m, "the goal")?)),
        }
    }
    #[inline]
    fn at(&self, ix: &EventIndex, i: usize) -> bool {
        match self {
            Goal::Code(c) => *c == Some(ix.event.codes[i]),
            Goal::Bits(b) => b[i],
        }
    }
}

/// Per user: (first event, end of window, first goal time in the window).
struct Users {
    first_goal: Vec<Option<i64>>,
    end: Vec<i64>,
}

fn users_of(ix: &EventIndex, goal: &Goal, window: i64) -> Users {
    let n = ix.units();
    let mut first_goal = Vec::with_capacity(n);
    let mut end = Vec::with_capacity(n);
    for u in 0..n {
        let r = ix.unit_starts[u] as usize..ix.unit_starts[u + 1] as usize;
        let e = ix.time[r.start].saturating_add(window);
        first_goal.push(
            r.clone()
                .find(|&i| goal.at(ix, i) && ix.time[i] <= e)
                .map(|i| ix.time[i]),
        );
        end.push(e);
    }
    Users { first_goal, end }
}

impl Users {
    /// Does event `i` of unit `u` count as "did the action"?
    #[inline]
    fn counts(&self, ix: &EventIndex, u: usize, i: usize) -> bool {
        let t = ix.time[i];
        t <= self.end[u] && self.first_goal[u].is_none_or(|g| t <= g)
    }
}

/// Runs an impact analysis.
pub fn run_impact(
    ws: &Workspace,
    spec: &ImpactSpec,
    cache: &mut IndexCache,
) -> Result<ImpactResult> {
    let confidence = spec.confidence.unwrap_or(0.95);
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(Error::Invalid(format!(
            "the confidence level must be between 0 and 1 (e.g. 0.95), got {confidence}"
        )));
    }
    let window_text = spec
        .window
        .clone()
        .unwrap_or_else(|| DEFAULT_IMPACT_WINDOW.to_string());
    let window = parse_window(&window_text)?;
    let rec = ws.dataset(&spec.dataset)?;
    if rec.info.kind == DatasetKind::Metrics {
        return Err(Error::Invalid(format!(
            "dataset \"{}\" is a metric table: impact needs events per user",
            rec.info.name
        )));
    }
    let ix = cache.get(ws, &rec, Unit::Users)?;
    let goal_bits = Goal::new(ws, &ix, &spec.goal)?;
    let mut warnings = Vec::new();
    crate::job::step("Finding who reached the goal", 0, 0)?;
    let users = users_of(&ix, &goal_bits, window);
    let n_users = ix.units() as u64;
    let goal_users = users.first_goal.iter().filter(|g| g.is_some()).count() as u64;
    if goal_users == 0 {
        warnings.push(format!(
            "nobody reached the goal ({}) within {window_text} of their first event",
            spec.goal.describe()
        ));
    }

    // average order value
    let (order_value, source) = match (spec.order_value, &spec.value_column) {
        (Some(v), _) if v.is_finite() && v >= 0.0 => (Some(v), "typed".to_string()),
        (Some(v), _) => {
            return Err(Error::Invalid(format!(
                "the order value must be a positive amount, got {v}"
            )))
        }
        (None, col) => {
            let has_value_role = rec
                .info
                .columns
                .iter()
                .any(|c| c.role == Some(crate::model::Role::Value));
            if col.is_none() && !has_value_role {
                (None, "none".to_string())
            } else {
                let vals = value_column(ws, &ix, col.as_deref())?;
                let name = col.clone().unwrap_or_else(|| {
                    rec.info
                        .columns
                        .iter()
                        .find(|c| c.role == Some(crate::model::Role::Value))
                        .map(|c| c.name.clone())
                        .unwrap_or_default()
                });
                let (mut sum, mut n) = (0.0, 0u64);
                for i in 0..ix.len() {
                    if goal_bits.at(&ix, i) {
                        if let Some(v) = value_at(&vals, i) {
                            sum += v;
                            n += 1;
                        }
                    }
                }
                if n == 0 {
                    warnings.push(format!(
                        "no goal event has a value in \"{name}\", so actions have no value per action"
                    ));
                    (None, format!("column {name}"))
                } else {
                    (Some(sum / n as f64), format!("column {name}"))
                }
            }
        }
    };

    // (candidate, users_did, goals_did)
    let mut tallies: Vec<(EventMatch, u64, u64)> = Vec::new();
    let tags = ws.event_tags(&spec.dataset)?;
    let tagged_micro: Candidates;
    let candidates = match &spec.candidates {
        Candidates::Auto(AutoCandidates::Micro) => {
            let list: Vec<EventMatch> = tags
                .iter()
                .filter(|t| t.tag == crate::model::EventTag::Micro)
                .map(|t| EventMatch {
                    event: Some(t.event.clone()),
                    page: None,
                    filters: None,
                })
                .collect();
            if list.is_empty() {
                return Err(Error::Invalid(format!(
                    "no event of dataset \"{}\" is tagged a micro conversion: tag some (stepwise tag, or confirm the suggestions of an impact analysis in the app), or give the candidates",
                    spec.dataset
                )));
            }
            tagged_micro = Candidates::List(list);
            &tagged_micro
        }
        c => c,
    };
    match candidates {
        Candidates::List(list) => {
            if list.is_empty() {
                return Err(Error::Invalid(
                    "the impact spec lists no candidates; give some, or \"auto\"".into(),
                ));
            }
            for (k, c) in list.iter().enumerate() {
                crate::job::step("Tallying the actions", k as u64, list.len() as u64)?;
                let bits = event_bits(ws, &ix, c, &format!("candidate {k} ({})", c.describe()))?;
                let (mut did, mut goals) = (0, 0);
                for u in 0..ix.units() {
                    let r = ix.unit_starts[u] as usize..ix.unit_starts[u + 1] as usize;
                    if r.into_iter()
                        .any(|i| bits[i] && !goal_bits.at(&ix, i) && users.counts(&ix, u, i))
                    {
                        did += 1;
                        goals += users.first_goal[u].is_some() as u64;
                    }
                }
                tallies.push((c.clone(), did, goals));
            }
        }
        Candidates::Auto(_) => {
            let limit = spec.limit.unwrap_or(AUTO_LIMIT).max(1);
            // events and pages are tallied side by side, one thread each
            crate::job::step("Tallying the actions", 0, 0)?;
            let (mut all, pages) = std::thread::scope(|s| {
                let pages = s.spawn(|| auto_tally(&ix, &goal_bits, &users, false));
                let events = auto_tally(&ix, &goal_bits, &users, true);
                (events, pages.join())
            });
            all.extend(pages.map_err(|_| Error::Internal("the page tally failed".into()))?);
            all.sort_by(|a, b| {
                b.1.cmp(&a.1)
                    .then_with(|| a.0.describe().cmp(&b.0.describe()))
            });
            if all.len() > limit {
                warnings.push(format!(
                    "{} events and pages were seen before the goal; the {limit} done by the most users are shown",
                    all.len()
                ));
                all.truncate(limit);
            }
            tallies = all;
        }
    }

    crate::job::checkpoint()?;
    let mut rows: Vec<ImpactRow> = tallies
        .into_iter()
        .map(|(c, did, goals_did)| {
            let users_not = n_users - did;
            let goals_not = goal_users - goals_did;
            let t = compare_two(goals_did, did, goals_not, users_not, confidence);
            let reason = not_enough_data_reason(goals_did, did, goals_not, users_not);
            let small = reason.is_some() || did < MIN_USERS_DID;
            let note = match (&reason, did < MIN_USERS_DID) {
                (Some(r), _) => Some(format!("not enough data: {r}")),
                (None, true) => Some(format!(
                    "not enough data: only {did} users did this (fewer than {MIN_USERS_DID})"
                )),
                _ => None,
            };
            let extra = t.diff.map(|d| d * did as f64);
            let vpa = t.diff.zip(order_value).map(|(d, v)| d * v);
            ImpactRow {
                label: c.describe(),
                candidate: c,
                users_did: did,
                goals_did,
                goal_rate_did: t.rate,
                users_not,
                goals_not,
                goal_rate_not: t.base_rate,
                diff: t.diff,
                diff_ci_low: t.diff_ci.map(|x| x.0),
                diff_ci_high: t.diff_ci.map(|x| x.1),
                lift: t.lift,
                ci_low: t.lift_ci.map(|x| x.0),
                ci_high: t.lift_ci.map(|x| x.1),
                p_value: t.p_value,
                reach: if n_users == 0 {
                    0.0
                } else {
                    did as f64 / n_users as f64
                },
                value_per_action: vpa,
                extra_goals: extra,
                expected_value: extra.zip(order_value).map(|(e, v)| e * v),
                required: goals_not == 0 && goals_did > 0 && users_not > 0,
                small_sample: small,
                note,
            }
        })
        .collect();
    // rank: the choices by expected value (extra goals: the same order when
    // the order value is one number), then the required steps, then the
    // undefined; ties by reach
    rows.sort_by(|a, b| {
        let group = |r: &ImpactRow| match (r.required, r.extra_goals) {
            (false, Some(_)) => 0,
            (true, _) => 1,
            (false, None) => 2,
        };
        let key = |r: &ImpactRow| r.extra_goals.unwrap_or(f64::NEG_INFINITY);
        group(a)
            .cmp(&group(b))
            .then_with(|| key(b).total_cmp(&key(a)))
            .then_with(|| b.users_did.cmp(&a.users_did))
    });
    let mut result = ImpactResult {
        goal: spec.goal.clone(),
        window: window_text,
        users: n_users,
        goal_users,
        goal_rate: if n_users == 0 {
            0.0
        } else {
            goal_users as f64 / n_users as f64
        },
        order_value,
        order_value_source: source,
        candidates: rows,
        suggested_micro: Vec::new(),
        note: ASSOCIATION_NOTE.to_string(),
        warnings,
    };
    result.suggested_micro = suggest_micro(&result, confidence, &tags);
    Ok(result)
}

/// The events an impact result suggests as micro conversions: by name
/// (no page, no filters), verdict "higher conversion" after Holm's
/// correction or "required step", not already tagged.
fn suggest_micro(
    r: &ImpactResult,
    confidence: f64,
    tags: &[crate::model::TaggedEvent],
) -> Vec<String> {
    let adjusted = holm_adjusted(r);
    let mut out: Vec<String> = Vec::new();
    for (c, adj) in r.candidates.iter().zip(&adjusted) {
        let (Some(name), None, true) = (
            &c.candidate.event,
            &c.candidate.page,
            c.candidate
                .filters
                .as_deref()
                .unwrap_or_default()
                .is_empty(),
        ) else {
            continue;
        };
        let verdict = verdict(c, *adj, confidence);
        if matches!(verdict, "higher conversion" | "required step")
            && !tags.iter().any(|t| &t.event == name)
            && !out.contains(name)
        {
            out.push(name.clone());
        }
    }
    out
}

/// Every event name (or page) that some user did before the goal, with
/// (users_did, goals_did); goal events themselves are not candidates.
fn auto_tally(
    ix: &EventIndex,
    goal: &Goal,
    users: &Users,
    events: bool,
) -> Vec<(EventMatch, u64, u64)> {
    let x = if events { &ix.event } else { &ix.page };
    let m = x.dict.len();
    if m == 0 {
        return Vec::new();
    }
    // an event name that is the goal itself is left out
    let mut skip = vec![false; m];
    if events {
        match goal {
            Goal::Code(Some(c)) => skip[*c as usize] = true,
            Goal::Code(None) => {}
            Goal::Bits(b) => {
                for (i, &c) in x.codes.iter().enumerate() {
                    if b[i] && c != NULL_CODE {
                        skip[c as usize] = true;
                    }
                }
            }
        }
    }
    // blank names are never candidates; decided once per name, not per event
    for (c, name) in x.dict.iter().enumerate() {
        if name.trim().is_empty() {
            skip[c] = true;
        }
    }
    // every code that is never a candidate (skipped names, missing values,
    // goal events) is tallied in slot m, which is thrown away: the loop
    // then has no branch but the end of the unit's period
    let slot: Vec<u32> = (0..m)
        .map(|c| if skip[c] { m as u32 } else { c as u32 })
        .chain(std::iter::once(m as u32))
        .collect();
    let cap = m as u32;
    // (the goal's code, whether it occurs at all) when a name decides
    let goal_code = match goal {
        Goal::Code(c) => Some((c.unwrap_or(0), c.is_some())),
        Goal::Bits(_) => None,
    };
    let mut last_unit = vec![u32::MAX; m + 1];
    let mut did = vec![0u64; m + 1];
    let mut goals = vec![0u64; m + 1];
    let (time, codes, ev) = (&ix.time[..], &x.codes[..], &ix.event.codes[..]);
    for u in 0..ix.units() {
        let reached = users.first_goal[u].is_some() as u64;
        // the events that count (Users::counts) are a prefix of the unit's
        // time-sorted events: those up to the end of the period and the goal
        let limit = users.first_goal[u].map_or(users.end[u], |g| g.min(users.end[u]));
        let r = ix.unit_starts[u] as usize..ix.unit_starts[u + 1] as usize;
        let uu = u as u32;
        for i in r {
            if time[i] > limit {
                break;
            }
            let is_goal = match goal_code {
                Some((g, occurs)) => occurs & (ev[i] == g),
                None => goal.at(ix, i),
            };
            let s = if is_goal {
                m
            } else {
                slot[codes[i].min(cap) as usize] as usize
            };
            let new = (last_unit[s] != uu) as u64;
            last_unit[s] = uu;
            did[s] += new;
            goals[s] += new & reached;
        }
    }
    (0..m)
        .filter(|&c| did[c] > 0)
        .map(|c| {
            let name = x.dict[c].clone();
            let cand = if events {
                EventMatch {
                    event: Some(name),
                    ..Default::default()
                }
            } else {
                let page = if name.contains('*') {
                    Pattern::Regex {
                        regex: format!("^{}$", regex::escape(&name)),
                    }
                } else {
                    Pattern::Glob(name)
                };
                EventMatch {
                    page: Some(page),
                    ..Default::default()
                }
            };
            (cand, did[c], goals[c])
        })
        .collect()
}

/// Each candidate's p-value after Holm's correction over the candidates
/// tested (`None` for one without a test).
pub fn holm_adjusted(r: &ImpactResult) -> Vec<Option<f64>> {
    let tested: Vec<usize> = (0..r.candidates.len())
        .filter(|&i| r.candidates[i].p_value.is_some())
        .collect();
    let ps: Vec<f64> = tested
        .iter()
        .map(|&i| r.candidates[i].p_value.unwrap_or(1.0))
        .collect();
    let mut adjusted = vec![None; r.candidates.len()];
    for (j, p) in crate::stats::proportion::holm(&ps).into_iter().enumerate() {
        adjusted[tested[j]] = Some(p);
    }
    adjusted
}

/// The verdict of one impact row: "required step", "not enough data" (too
/// few users or no test), or, by its Holm-adjusted p-value, "higher
/// conversion", "lower conversion" or "no clear difference".
pub fn verdict(row: &ImpactRow, adjusted: Option<f64>, confidence: f64) -> &'static str {
    if row.required {
        return "required step";
    }
    match adjusted {
        _ if row.small_sample => "not enough data",
        None => "not enough data",
        Some(p) if p < 1.0 - confidence => {
            if row.lift.unwrap_or(0.0) >= 0.0 {
                "higher conversion"
            } else {
                "lower conversion"
            }
        }
        Some(_) => "no clear difference",
    }
}
