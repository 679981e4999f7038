//! The plan: the checked, defaulted parts of a spec that the pass needs.

use super::*;

/// The checked, defaulted parts of a spec that the pass needs.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub k: usize,
    pub order: Order,
    pub window: i64,
    /// (from_step, to_step) of each exclusion; exclusion `e` is bit 32 + e.
    pub excl: Vec<(usize, usize)>,
    pub attribution: Option<(Attribution, usize)>,
    pub ttc: Option<(usize, usize, usize)>,
    pub trend: Option<Interval>,
    pub limit: usize,
    /// Per step, the longest time (µs) from the previous step's event
    /// (`within`; i64::MAX when the step has none).
    pub within: Vec<i64>,
    /// Some step has a `within`.
    pub has_within: bool,
    /// A column is held constant (`hold`): attempts per value of it.
    pub hold: bool,
    /// Bits of the optional steps (`optional`): attempts may skip them.
    pub optional: u64,
    /// An open funnel (`open`): a unit enters at its first step event's step.
    pub open: bool,
}

/// At most this many optional steps (each unit's attempts are evaluated
/// once per subset of them that it skips).
pub const MAX_OPTIONAL: usize = 5;

impl Plan {
    /// The plan of the funnel made of the steps `keep` (bits; the others are
    /// dropped: skipped optional steps, steps before an open funnel's
    /// entry): each kept step's `within`, and the exclusions between kept
    /// steps (one that ends at or before the first kept step never spoils;
    /// one that starts before it starts at it).
    pub(crate) fn kept(&self, keep: u64) -> Plan {
        let kept: Vec<usize> = (0..self.k).filter(|&q| keep & (1 << q) != 0).collect();
        let at = |q: usize| kept.iter().position(|&x| x >= q).unwrap_or(kept.len());
        let k = kept.len();
        let excl = self
            .excl
            .iter()
            .map(|&(a, b)| if b <= kept[0] { (k, k) } else { (at(a), at(b)) })
            .collect();
        let mut within: Vec<i64> = kept.iter().map(|&q| self.within[q]).collect();
        within[0] = i64::MAX;
        Plan {
            k,
            order: self.order,
            window: self.window,
            excl,
            attribution: None,
            ttc: None,
            trend: self.trend,
            limit: self.limit,
            has_within: within.iter().any(|&w| w != i64::MAX),
            within,
            hold: false,
            optional: 0,
            open: false,
        }
    }
}

/// Checks the parts of a spec that do not need the data.
pub(crate) fn plan(spec: &FunnelSpec) -> Result<Plan> {
    let k = spec.steps.len();
    if k == 0 {
        return Err(Error::Invalid("a funnel needs at least one step".into()));
    }
    if k > MAX_STEPS {
        return Err(Error::Invalid(format!(
            "a funnel has at most {MAX_STEPS} steps; this one has {k}"
        )));
    }
    let window = spec.window_micros()?;
    let exclusions = spec.exclude.as_deref().unwrap_or_default();
    if exclusions.len() > MAX_EXCLUSIONS {
        return Err(Error::Invalid(format!(
            "a funnel has at most {MAX_EXCLUSIONS} exclusions; this one has {}",
            exclusions.len()
        )));
    }
    let mut excl = Vec::new();
    for (i, x) in exclusions.iter().enumerate() {
        let a = x.from_step.unwrap_or(0);
        let b = x.to_step.unwrap_or(k - 1);
        if b >= k {
            return Err(Error::Invalid(format!(
                "exclusion {}: to_step {b} is not a step; the steps are numbered 0 to {}",
                i + 1,
                k - 1
            )));
        }
        if b <= a {
            return Err(Error::Invalid(format!(
                "exclusion {}: to_step ({b}) must be after from_step ({a})",
                i + 1
            )));
        }
        if x.event.is_none()
            && x.page.is_none()
            && x.filters.as_deref().unwrap_or_default().is_empty()
        {
            return Err(Error::Invalid(format!(
                "exclusion {} matches every event; give it an event, a page or a filter",
                i + 1
            )));
        }
        excl.push((a, b));
    }
    for (i, s) in spec.steps.iter().enumerate() {
        if s.event.is_none()
            && s.page.is_none()
            && s.filters.as_deref().unwrap_or_default().is_empty()
        {
            return Err(Error::Invalid(format!(
                "step {i} (\"{}\") matches every event; give it an event, a page or a filter",
                spec.step_label(i)
            )));
        }
    }
    let mut within = vec![i64::MAX; k];
    for (i, s) in spec.steps.iter().enumerate() {
        let Some(w) = &s.within else { continue };
        if i == 0 {
            return Err(Error::Invalid(
                "step 0 has a \"within\", but it has no previous step; give it to a later step"
                    .into(),
            ));
        }
        if spec.order() == Order::Unordered {
            return Err(Error::Invalid(format!(
                "step {i} has a \"within\", but an unordered funnel has no previous step; use the funnel's window"
            )));
        }
        within[i] = parse_window(w).map_err(|e| Error::Invalid(format!("step {i}: {e}")))?;
    }
    let has_within = within.iter().any(|&w| w != i64::MAX);
    if spec.unit() == crate::index::Unit::Sessions {
        if let Some(i) = spec.steps.iter().position(|s| s.first_time == Some(true)) {
            return Err(Error::Invalid(format!(
                "step {i} is a first-time step, which needs \"count\": \"users\" (a user's first event of that kind, not a session's)"
            )));
        }
    }
    if let Some(h) = &spec.hold {
        if h.trim().is_empty() {
            return Err(Error::Invalid(
                "\"hold\" names no column; give the column whose value every step must share, or remove it"
                    .into(),
            ));
        }
    }
    let mut optional = 0u64;
    for (i, s) in spec.steps.iter().enumerate() {
        if s.optional != Some(true) {
            continue;
        }
        if i == 0 {
            return Err(Error::Invalid(
                "step 0 is optional, but the first step cannot be: a unit enters the funnel there"
                    .into(),
            ));
        }
        if i == k - 1 {
            return Err(Error::Invalid(format!(
                "step {i} is optional, but the last step cannot be: it decides who converted"
            )));
        }
        if spec.order() == Order::Unordered {
            return Err(Error::Invalid(format!(
                "step {i} is optional, but an unordered funnel has no sequence to skip in; use an ordered or strict funnel"
            )));
        }
        optional |= 1 << i;
    }
    if optional.count_ones() as usize > MAX_OPTIONAL {
        return Err(Error::Invalid(format!(
            "a funnel has at most {MAX_OPTIONAL} optional steps; this one has {}",
            optional.count_ones()
        )));
    }
    for (i, &(a, b)) in excl.iter().enumerate() {
        if let Some(q) = [a, b].into_iter().find(|&q| optional & (1 << q) != 0) {
            return Err(Error::Invalid(format!(
                "exclusion {}: step {q} is optional, so it may never happen; start and end exclusions at required steps",
                i + 1
            )));
        }
    }
    let open = spec.open == Some(true);
    if open && spec.order() == Order::Unordered {
        return Err(Error::Invalid(
            "\"open\" applies to ordered and strict funnels; an unordered funnel already lets a unit start with any step"
                .into(),
        ));
    }
    let mut limit = 10;
    let attribution = match &spec.breakdown {
        None => None,
        Some(b) => {
            let a = b.attribution.unwrap_or_default();
            let step = match a {
                Attribution::Step => b.step.ok_or_else(|| {
                    Error::Invalid(
                        "the breakdown's attribution is \"step\" but it names no step; add \"step\": N"
                            .into(),
                    )
                })?,
                _ => 0,
            };
            if step >= k {
                return Err(Error::Invalid(format!(
                    "the breakdown's step {step} is not a step; the steps are numbered 0 to {}",
                    k - 1
                )));
            }
            if let Some(l) = b.limit {
                if l == 0 {
                    return Err(Error::Invalid(
                        "the breakdown's limit must be at least 1".into(),
                    ));
                }
                limit = l;
            }
            Some((a, step))
        }
    };
    let ttc = match &spec.time_to_convert {
        None => None,
        Some(t) => {
            let a = t.from_step.unwrap_or(0);
            let b = t.to_step.unwrap_or(k - 1);
            if b >= k {
                return Err(Error::Invalid(format!(
                    "time_to_convert: to_step {b} is not a step; the steps are numbered 0 to {}",
                    k - 1
                )));
            }
            if b <= a {
                return Err(Error::Invalid(format!(
                    "time_to_convert: to_step ({b}) must be after from_step ({a})"
                )));
            }
            let bins = t.bins.unwrap_or(10);
            if bins == 0 || bins > 1000 {
                return Err(Error::Invalid(
                    "time_to_convert: bins must be between 1 and 1000".into(),
                ));
            }
            Some((a, b, bins))
        }
    };
    Ok(Plan {
        k,
        order: spec.order(),
        window,
        excl,
        attribution,
        ttc,
        trend: spec.trend.as_ref().map(|t| t.interval),
        limit,
        within,
        has_within,
        hold: spec.hold.is_some(),
        optional,
        open,
    })
}
