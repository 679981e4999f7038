//! Helpers shared by the funnel tests (included with `#[path]`): build small
//! event datasets in a temporary workspace.
#![allow(dead_code)]

use stepwise_engine::column::ColumnBuilder;
use stepwise_engine::funnel::{run_funnel, FunnelResult, FunnelSpec};
use stepwise_engine::index::IndexCache;
use stepwise_engine::{ColumnInfo, ColumnType, DatasetKind, Role, Workspace};

pub struct Ws {
    pub dir: tempfile::TempDir,
    pub ws: Workspace,
    pub cache: IndexCache,
}

pub fn workspace() -> Ws {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    Ws {
        dir,
        ws,
        cache: IndexCache::new(),
    }
}

pub fn col(name: &str, ty: ColumnType, role: Option<Role>) -> ColumnInfo {
    ColumnInfo {
        name: name.into(),
        ty,
        role,
    }
}

/// Writes a dataset from text cells ("" = missing); Timestamp cells are
/// whole seconds since the epoch.
pub fn dataset(
    ws: &mut Workspace,
    name: &str,
    kind: DatasetKind,
    cols: &[ColumnInfo],
    rows: &[Vec<String>],
) {
    let mut b: Vec<ColumnBuilder> = cols.iter().map(|c| ColumnBuilder::new(c.ty)).collect();
    for r in rows {
        for ((b, c), v) in b.iter_mut().zip(cols).zip(r) {
            if v.is_empty() {
                b.push_null();
                continue;
            }
            match c.ty {
                ColumnType::Text => b.push_text(v),
                ColumnType::Timestamp => b.push_int(v.parse::<i64>().unwrap() * 1_000_000),
                ColumnType::Integer | ColumnType::Date => b.push_int(v.parse().unwrap()),
                ColumnType::Decimal => b.push_float(v.parse().unwrap()),
                ColumnType::Boolean => b.push_bool(v == "true"),
                ColumnType::Duration => b.push_int(v.parse().unwrap()),
            }
        }
    }
    let mut w = ws.create_dataset(name, kind, cols, None, None).unwrap();
    let chunk: Vec<_> = b.iter_mut().map(|b| b.take()).collect();
    w.write_chunk(&chunk).unwrap();
    w.finish().unwrap();
}

/// Events as (user, seconds, event, device): dataset "ev" with columns
/// user, time, event, device (no page).
pub fn events(w: &mut Ws, rows: &[(&str, i64, &str, &str)]) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|(u, t, e, d)| vec![u.to_string(), t.to_string(), e.to_string(), d.to_string()])
        .collect();
    event_dataset(w, false, &rows);
}

/// Dataset "ev" from text rows: user, [session,] time (seconds), event,
/// device.
fn event_dataset(w: &mut Ws, with_session: bool, rows: &[Vec<String>]) {
    let mut cols = vec![col("user", ColumnType::Text, Some(Role::User))];
    if with_session {
        cols.push(col("sid", ColumnType::Text, Some(Role::Session)));
    }
    cols.extend([
        col("time", ColumnType::Timestamp, Some(Role::Time)),
        col("event", ColumnType::Text, Some(Role::Event)),
        col("device", ColumnType::Text, None),
    ]);
    dataset(&mut w.ws, "ev", DatasetKind::Events, &cols, rows);
}

pub fn run(w: &mut Ws, spec: serde_json::Value) -> FunnelResult {
    let spec: FunnelSpec = serde_json::from_value(spec).unwrap();
    run_funnel(&w.ws, &spec, &mut w.cache).unwrap()
}

pub fn run_err(w: &mut Ws, spec: serde_json::Value) -> String {
    let spec: FunnelSpec = match serde_json::from_value(spec) {
        Ok(s) => s,
        Err(e) => return e.to_string(),
    };
    run_funnel(&w.ws, &spec, &mut w.cache)
        .unwrap_err()
        .to_string()
}

pub fn counts(r: &FunnelResult) -> Vec<u64> {
    r.steps.iter().map(|s| s.count).collect()
}

pub const DAY: i64 = 86_400;

/// Events as (user, session, seconds, event, device): dataset "ev" with a
/// session column ("" = missing).
pub fn events_with_sessions(w: &mut Ws, rows: &[(&str, &str, i64, &str, &str)]) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|(u, s, t, e, d)| {
            vec![
                u.to_string(),
                s.to_string(),
                t.to_string(),
                e.to_string(),
                d.to_string(),
            ]
        })
        .collect();
    event_dataset(w, true, &rows);
}

/// Runs a spec through the fast engine and the brute-force reference; they
/// must agree (warnings aside). Returns the fast engine's result.
pub fn fast_and_reference(w: &mut Ws, spec: serde_json::Value) -> FunnelResult {
    let spec: FunnelSpec = serde_json::from_value(spec).unwrap();
    let mut fast = run_funnel(&w.ws, &spec, &mut w.cache).unwrap();
    fast.warnings.clear();
    let slow = stepwise_engine::funnel::reference::reference_funnel(&w.ws, &spec).unwrap();
    assert_eq!(fast, slow, "fast engine and reference differ");
    fast
}
