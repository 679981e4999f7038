//! Speed check (not a timed test) of segments, compare and impact on
//! synthetic events generated in memory. Run with
//! `cargo run --release -p stepwise-engine --example segment_speed`
//! (STEPWISE_SPEED_EVENTS sets the number of events, default 1,000,000).

use std::time::Instant;
use stepwise_engine::column::ColumnBuilder;
use stepwise_engine::compare::{run_compare, CompareSpec};
use stepwise_engine::impact::{run_impact, ImpactSpec};
use stepwise_engine::index::{IndexCache, Unit};
use stepwise_engine::segment::{segment_members, SegmentSpec};
use stepwise_engine::{ColumnInfo, ColumnType, DatasetKind, Role, Workspace};

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn col(name: &str, ty: ColumnType, role: Option<Role>) -> ColumnInfo {
    ColumnInfo {
        name: name.into(),
        ty,
        role,
    }
}

/// Users with 1..20 events over 30 days; filter users buy more often.
fn generate(ws: &mut Workspace, n: usize) {
    let cols = [
        col("user_id", ColumnType::Text, Some(Role::User)),
        col("time", ColumnType::Timestamp, Some(Role::Time)),
        col("event_name", ColumnType::Text, Some(Role::Event)),
        col("device", ColumnType::Text, None),
        col("value", ColumnType::Decimal, Some(Role::Value)),
    ];
    let mut w = ws
        .create_dataset("clicks", DatasetKind::Events, &cols, None, None)
        .unwrap();
    let mut b: Vec<ColumnBuilder> = cols.iter().map(|c| ColumnBuilder::new(c.ty)).collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = 1_725_148_800_000_000i64;
    let devices = ["mobile", "desktop", "tablet"];
    let (mut written, mut user) = (0, 0u64);
    while written < n {
        user += 1;
        let uid = format!("user{user}");
        let device = devices[rng.below(3) as usize];
        let filter = rng.below(3) == 0;
        let len = (1 + rng.below(19) as usize).min(n - written);
        let mut t = start + rng.below(30 * 86_400) as i64 * 1_000_000;
        for j in 0..len {
            t += rng.below(3 * 3600) as i64 * 1_000_000;
            let r = rng.below(100);
            let (ev, v) = if j == 1 && filter {
                ("use_filter", None)
            } else if r < 60 {
                ("page_view", None)
            } else if r < 85 {
                ("view_item", None)
            } else if r < 95 {
                ("add_to_cart", None)
            } else if r < 97 + filter as u64 * 2 {
                ("purchase", Some(20.0 + rng.below(100) as f64))
            } else {
                ("scroll", None)
            };
            b[0].push_text(&uid);
            b[1].push_int(t);
            b[2].push_text(ev);
            b[3].push_text(device);
            match v {
                Some(v) => b[4].push_float(v),
                None => b[4].push_null(),
            }
            written += 1;
            if b[0].len() == 65_536 {
                let chunk: Vec<_> = b.iter_mut().map(|b| b.take()).collect();
                w.write_chunk(&chunk).unwrap();
            }
        }
    }
    let chunk: Vec<_> = b.iter_mut().map(|b| b.take()).collect();
    w.write_chunk(&chunk).unwrap();
    w.finish().unwrap();
}

fn main() {
    let n: usize = std::env::var("STEPWISE_SPEED_EVENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("speed.stepwise")).unwrap();
    generate(&mut ws, n);
    let mut cache = IndexCache::new();
    let persona = SegmentSpec::from_json(
        r#"{"name": "Mobile filter users", "dataset": "clicks", "conditions": [
            {"did": {"event": "use_filter"}},
            {"column": "device", "op": "eq", "value": "mobile", "value_of": "first"},
            {"match": "any", "conditions": [
                {"measure": "sessions", "op": "gte", "value": 2},
                {"measure": "revenue", "op": "gt", "value": 0}]}]}"#,
    )
    .unwrap();
    let t = Instant::now();
    segment_members(&ws, &persona, &mut cache, Unit::Users).unwrap();
    println!(
        "{n} events: segment, index build included: {:?}",
        t.elapsed()
    );
    let t = Instant::now();
    let r = segment_members(&ws, &persona, &mut cache, Unit::Users).unwrap();
    println!(
        "segment (3 conditions, 2 nested), index cached: {:?} ({} of {} users)",
        t.elapsed(),
        r.members,
        r.total_units
    );
    let spec = CompareSpec::from_json(
        r#"{"funnel": {"dataset": "clicks", "steps": [{"event": "view_item"}, {"event": "add_to_cart"}, {"event": "purchase"}], "window": "7d"},
            "segments": [{"name": "Filter", "conditions": [{"did": {"event": "use_filter"}}]},
                         {"not": {"name": "Filter", "conditions": [{"did": {"event": "use_filter"}}]}}]}"#,
    )
    .unwrap();
    let t = Instant::now();
    run_compare(&ws, &spec, &mut cache).unwrap();
    println!("compare, 2 segments x 3-step funnel: {:?}", t.elapsed());
    let t = Instant::now();
    let i = run_impact(
        &ws,
        &ImpactSpec::from_json(
            r#"{"dataset": "clicks", "goal": {"event": "purchase"}, "candidates": "auto"}"#,
        )
        .unwrap(),
        &mut cache,
    )
    .unwrap();
    println!(
        "impact auto ({} candidates): {:?}; top {} lift {:?}",
        i.candidates.len(),
        t.elapsed(),
        i.candidates[0].label,
        i.candidates[0].lift
    );
}
