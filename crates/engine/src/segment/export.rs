//! Unit ids, results (counts and a sample) and the audience CSV (saved
//! segments are [`crate::saved`]'s).

use super::*;

/// The id columns of a unit: `["user"]`, or for sessions
/// `["user", "session"]` (a derived session is named by its start time).
pub struct UnitIds {
    user: Option<std::sync::Arc<crate::index::Interned>>,
    session: Option<std::sync::Arc<crate::index::Interned>>,
    unit: Unit,
    derived: bool,
}

impl UnitIds {
    pub fn new(ws: &Workspace, ix: &EventIndex) -> Result<UnitIds> {
        let role = |r: Role| {
            ix.record()
                .info
                .columns
                .iter()
                .find(|c| c.role == Some(r))
                .map(|c| c.name.clone())
        };
        let user = role(Role::User).map(|n| ix.interned(ws, &n)).transpose()?;
        let session = match ix.unit {
            Unit::Sessions => role(Role::Session)
                .map(|n| ix.interned(ws, &n))
                .transpose()?,
            Unit::Users => None,
        };
        Ok(UnitIds {
            user,
            session,
            unit: ix.unit,
            derived: ix.sessions == SessionSource::Derived,
        })
    }
    /// Column names of [`UnitIds::cells`].
    pub fn header(&self) -> Vec<&'static str> {
        match self.unit {
            Unit::Users => vec!["user"],
            Unit::Sessions if self.derived => vec!["user", "session_start"],
            Unit::Sessions => vec!["user", "session"],
        }
    }
    pub fn cells(&self, ix: &EventIndex, u: usize) -> Vec<String> {
        let i = ix.unit_starts[u] as usize;
        let get = |x: &Option<std::sync::Arc<crate::index::Interned>>| {
            x.as_ref()
                .and_then(|x| x.get(i).map(str::to_string))
                .unwrap_or_default()
        };
        let mut out = vec![get(&self.user)];
        if self.unit == Unit::Sessions {
            out.push(if self.derived {
                format_rfc3339(ix.time[i])
            } else {
                get(&self.session)
            });
        }
        out
    }
    /// One text id: the cells joined with " / ".
    pub fn label(&self, ix: &EventIndex, u: usize) -> String {
        let c = self.cells(ix, u);
        if self.unit == Unit::Sessions && c[0].is_empty() {
            return c[1].clone();
        }
        c.join(" / ")
    }
}

/// The members of a segment of `spec.dataset`, counting `unit`.
pub fn segment_members(
    ws: &Workspace,
    spec: &SegmentSpec,
    cache: &mut IndexCache,
    unit: Unit,
) -> Result<SegmentResult> {
    let ix = segment_index(ws, spec, cache, unit)?;
    let mask = Evaluator::new(ws, &ix).members(spec)?;
    result_of(ws, &ix, &spec.name, &mask)
}

pub(super) fn segment_index(
    ws: &Workspace,
    spec: &SegmentSpec,
    cache: &mut IndexCache,
    unit: Unit,
) -> Result<std::sync::Arc<EventIndex>> {
    let dataset = spec.dataset.as_deref().ok_or_else(|| {
        Error::Invalid(format!(
            "segment \"{}\" names no \"dataset\" to evaluate it on",
            spec.name
        ))
    })?;
    let rec = ws.dataset(dataset)?;
    if rec.info.kind == crate::model::DatasetKind::Metrics {
        return Err(Error::Invalid(format!(
            "dataset \"{dataset}\" is a metric table: it has no users or sessions to put in a segment"
        )));
    }
    cache.get(ws, &rec, unit)
}

/// Counts and a sample of the units `mask` selects.
pub fn result_of(
    ws: &Workspace,
    ix: &EventIndex,
    name: &str,
    mask: &[bool],
) -> Result<SegmentResult> {
    let ids = UnitIds::new(ws, ix)?;
    let members = mask.iter().filter(|&&m| m).count() as u64;
    let total = ix.units() as u64;
    let sample = mask
        .iter()
        .enumerate()
        .filter(|(_, &m)| m)
        .take(SAMPLE_SIZE)
        .map(|(u, _)| ids.label(ix, u))
        .collect();
    Ok(SegmentResult {
        name: name.to_string(),
        unit: ix.unit.as_str().to_string(),
        members,
        total_units: total,
        share: if total == 0 {
            0.0
        } else {
            members as f64 / total as f64
        },
        sample,
    })
}

/// Writes the audience list of a segment as CSV (a header, then one row
/// per member); returns the number of members written.
pub fn write_audience_csv<W: Write>(
    ws: &Workspace,
    spec: &SegmentSpec,
    cache: &mut IndexCache,
    unit: Unit,
    out: &mut W,
) -> Result<u64> {
    let ix = segment_index(ws, spec, cache, unit)?;
    let mask = Evaluator::new(ws, &ix).members(spec)?;
    let ids = UnitIds::new(ws, &ix)?;
    let mut w = crate::csv_out::CsvWriter::new(out, "the audience list");
    w.text_row(ids.header())?;
    let mut n = 0;
    for (u, _) in mask.iter().enumerate().filter(|(_, &m)| m) {
        w.text_row(ids.cells(&ix, u))?;
        n += 1;
    }
    w.finish()?;
    Ok(n)
}
