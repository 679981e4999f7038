//! What an event dataset holds, for the dataset screen: users, events and
//! the period they cover, read from the analysis index (so the figures are
//! the ones funnels count: rows without a user or a time are not events).

use crate::calendar::format_timestamp;
use crate::error::Result;
use crate::index::{IndexCache, Unit};
use crate::model::{DatasetKind, Role};
use crate::store::Workspace;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DatasetSummary {
    /// Distinct users (values of the user column) with at least one event.
    #[ts(type = "number")]
    pub users: u64,
    /// Events: rows with a user and a time.
    #[ts(type = "number")]
    pub events: u64,
    /// Rows left out for want of a user or a time.
    #[ts(type = "number")]
    pub rows_without_user_or_time: u64,
    /// The first and last event, `YYYY-MM-DD HH:MM:SS` UTC.
    pub first_event: Option<String>,
    pub last_event: Option<String>,
}

/// The summary of an event dataset with user and time columns (and an
/// event or page column); `None` for a metric table or a dataset that
/// lacks them. Builds (or reuses) the users index.
pub fn summarise(
    ws: &Workspace,
    name: &str,
    cache: &mut IndexCache,
) -> Result<Option<DatasetSummary>> {
    let rec = ws.dataset(name)?;
    let has = |r: Role| rec.info.columns.iter().any(|c| c.role == Some(r));
    if rec.info.kind != DatasetKind::Events
        || !has(Role::User)
        || !has(Role::Time)
        || !(has(Role::Event) || has(Role::Page))
    {
        return Ok(None);
    }
    let ix = cache.get(ws, &rec, Unit::Users)?;
    let (lo, hi) = ix
        .time
        .iter()
        .fold((i64::MAX, i64::MIN), |(a, b), &t| (a.min(t), b.max(t)));
    let some = !ix.is_empty();
    Ok(Some(DatasetSummary {
        users: ix.units() as u64,
        events: ix.len() as u64,
        rows_without_user_or_time: ix.dropped_rows,
        first_event: some.then(|| format_timestamp(lo)),
        last_event: some.then(|| format_timestamp(hi)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{write_clickstream_file, GenOptions};
    use crate::import::{import_file, ImportOptions};
    use crate::Job;

    #[test]
    fn users_events_and_period_of_a_generated_store() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("shop.csv");
        let stats = write_clickstream_file(&csv, &GenOptions::with_events(20_000)).unwrap();
        let mut ws = Workspace::open_with(
            &dir.path().join("ws.stepwise"),
            crate::store::convert_nothing,
        )
        .unwrap();
        let io = ImportOptions {
            name: Some("shop".into()),
            ..Default::default()
        };
        import_file(&mut ws, &csv, &io, &mut Job::silent()).unwrap();
        let s = summarise(&ws, "shop", &mut IndexCache::new())
            .unwrap()
            .unwrap();
        // the generator's own tallies, not the index's
        assert_eq!(s.events, stats.events);
        assert_eq!(s.users, stats.users);
        assert_eq!(s.rows_without_user_or_time, 0);
        let first = s.first_event.unwrap();
        let last = s.last_event.unwrap();
        assert!(first.starts_with("2024-09-01"), "{first}");
        assert!(first < last && last.starts_with("2024-"), "{last}");
        // a dataset that is not an event table has no summary
        let metric = dir.path().join("pages.csv");
        std::fs::write(&metric, "Page,Views\n/a,10\n/b,5\n").unwrap();
        let io = ImportOptions {
            name: Some("pages".into()),
            ..Default::default()
        };
        import_file(&mut ws, &metric, &io, &mut Job::silent()).unwrap();
        assert_eq!(
            summarise(&ws, "pages", &mut IndexCache::new()).unwrap(),
            None
        );
        assert!(summarise(&ws, "nothing", &mut IndexCache::new()).is_err());
    }
}
