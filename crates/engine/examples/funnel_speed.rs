//! Speed check (not a timed test): a 4-step ordered funnel with a 7-day
//! window and a breakdown by device on synthetic events generated in memory.
//! Run with
//! `cargo run --release -p stepwise-engine --example funnel_speed`
//! (STEPWISE_SPEED_EVENTS sets the number of events, default 1,000,000).
//!
//! With `STEPWISE_SPEED_WORKSPACE=FILE STEPWISE_SPEED_SPEC=SPEC.json` it
//! measures an existing workspace instead (e.g. the benchmark's): the first
//! query (disk index cache used if present), then repeated queries on the
//! index in memory, wall and CPU time.

#[path = "../tests/funnel_util.rs"]
mod util;

use serde_json::json;
use std::time::Instant;
use stepwise_engine::column::ColumnBuilder;
use stepwise_engine::funnel::{run_funnel, run_on_index, run_on_index_threads, FunnelSpec};
use stepwise_engine::index::{EventIndex, IndexCache, Unit};
use stepwise_engine::{ColumnType, DatasetKind, Role, Workspace};
use util::col;

/// CPU time of this process (all threads, user + system), from
/// /proc/self/stat in clock ticks (assumed 100 Hz); None off Linux. The
/// machine may be shared, so wall times alone can mislead.
fn cpu() -> Option<std::time::Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(std::time::Duration::from_millis(ticks * 10))
}

fn cpu_since(start: Option<std::time::Duration>) -> String {
    match (start, cpu()) {
        (Some(a), Some(b)) => format!(" (cpu {:?})", b.saturating_sub(a)),
        _ => String::new(),
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Writes `n` clickstream-like events: users with ~10 events each over 30
/// days, most browsing, fewer carting, fewer still buying.
fn generate(ws: &mut Workspace, n: usize) {
    let cols = [
        col("user_id", ColumnType::Text, Some(Role::User)),
        col("time", ColumnType::Timestamp, Some(Role::Time)),
        col("event_name", ColumnType::Text, Some(Role::Event)),
        col("device", ColumnType::Text, None),
    ];
    let mut w = ws
        .create_dataset("clicks", DatasetKind::Events, &cols, None, None)
        .unwrap();
    let mut b: Vec<ColumnBuilder> = cols.iter().map(|c| ColumnBuilder::new(c.ty)).collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = 1_725_148_800_000_000i64;
    let devices = ["mobile", "desktop", "tablet"];
    let mut written = 0;
    let mut user = 0u64;
    while written < n {
        user += 1;
        let uid = format!("user{user}");
        let device = devices[(rng.below(10) as usize).min(2) % 3];
        let len = (1 + rng.below(19) as usize).min(n - written);
        let mut t = start + rng.below(30 * 86_400) as i64 * 1_000_000;
        let mut stage = 0;
        for _ in 0..len {
            t += rng.below(3 * 3600) as i64 * 1_000_000;
            let r = rng.below(100);
            let ev = if r < 45 {
                "page_view"
            } else if r < 70 {
                stage = stage.max(1);
                "view_item"
            } else if r < 85 && stage >= 1 {
                stage = stage.max(2);
                "add_to_cart"
            } else if r < 93 && stage >= 2 {
                stage = stage.max(3);
                "begin_checkout"
            } else if r < 97 && stage >= 3 {
                "purchase"
            } else {
                "scroll"
            };
            b[0].push_text(&uid);
            b[1].push_int(t);
            b[2].push_text(ev);
            b[3].push_text(device);
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

/// Measures a funnel spec on an existing workspace.
fn on_workspace(path: &str, spec: &str) {
    let spec: FunnelSpec = serde_json::from_str(&std::fs::read_to_string(spec).unwrap()).unwrap();
    let (t, c) = (Instant::now(), cpu());
    let ws = Workspace::open(std::path::Path::new(path)).unwrap();
    let mut cache = IndexCache::new();
    let first = run_funnel(&ws, &spec, &mut cache).unwrap();
    println!(
        "first query (open + index from disk or built + funnel): {:?}{}",
        t.elapsed(),
        cpu_since(c)
    );
    let runs: u32 = std::env::var("STEPWISE_SPEED_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let mut warm = Vec::new();
    let c = cpu();
    for _ in 0..runs {
        let t = Instant::now();
        let r = run_funnel(&ws, &spec, &mut cache).unwrap();
        warm.push(t.elapsed());
        assert_eq!(r, first);
    }
    let per = match (c, cpu()) {
        (Some(a), Some(b)) => format!(", cpu per query {:?}", b.saturating_sub(a) / runs),
        _ => String::new(),
    };
    warm.sort();
    println!(
        "repeated: min {:?}, median {:?}{per}; counts {:?}",
        warm[0],
        warm[warm.len() / 2],
        first.steps.iter().map(|s| s.count).collect::<Vec<_>>()
    );
    // the pass alone on one thread and on every core (no dataset lookup)
    let t = Instant::now();
    let rec = ws.dataset(&spec.dataset).unwrap();
    println!("dataset record lookup: {:?}", t.elapsed());
    let ix = cache.get(&ws, &rec, spec.unit()).unwrap();
    for threads in [1, 2] {
        let mut best = std::time::Duration::MAX;
        for _ in 0..runs.min(10) {
            let t = Instant::now();
            let r = run_on_index_threads(&ws, &ix, &spec, None, Some(threads)).unwrap();
            best = best.min(t.elapsed());
            assert_eq!(r.steps, first.steps);
        }
        println!("run_on_index on {threads} thread(s): best {best:?}");
    }
}

fn main() {
    if let (Ok(w), Ok(s)) = (
        std::env::var("STEPWISE_SPEED_WORKSPACE"),
        std::env::var("STEPWISE_SPEED_SPEC"),
    ) {
        on_workspace(&w, &s);
        return;
    }
    let n: usize = std::env::var("STEPWISE_SPEED_EVENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("speed.stepwise");
    let mut ws = Workspace::open(&path).unwrap();
    let t = Instant::now();
    generate(&mut ws, n);
    println!("generated and stored {n} events in {:?}", t.elapsed());
    drop(ws);

    let spec: FunnelSpec = serde_json::from_value(json!({
        "dataset": "clicks",
        "steps": [{"event": "view_item"}, {"event": "add_to_cart"}, {"event": "begin_checkout"}, {"event": "purchase"}],
        "window": "7d",
        "breakdown": {"column": "device"}
    }))
    .unwrap();

    // first query after opening the workspace: index build included
    let (t, c) = (Instant::now(), cpu());
    let ws = Workspace::open(&path).unwrap();
    let mut cache = IndexCache::new();
    let first = run_funnel(&ws, &spec, &mut cache).unwrap();
    let cold = format!("{:?}{}", t.elapsed(), cpu_since(c));

    let rec = ws.dataset("clicks").unwrap();
    let (t, c) = (Instant::now(), cpu());
    let ix = EventIndex::build(&ws, &rec, Unit::Users).unwrap();
    let build = format!("{:?}{}", t.elapsed(), cpu_since(c));

    let mut warm = Vec::new();
    let c = cpu();
    let runs = 7;
    for _ in 0..runs {
        let t = Instant::now();
        let r = run_funnel(&ws, &spec, &mut cache).unwrap();
        warm.push(t.elapsed());
        assert_eq!(r, first);
    }
    let warm_cpu = match (c, cpu()) {
        (Some(a), Some(b)) => format!(", cpu per query {:?}", b.saturating_sub(a) / runs),
        _ => String::new(),
    };
    warm.sort();
    let (t, c) = (Instant::now(), cpu());
    let r = run_on_index(&ws, &ix, &spec).unwrap();
    let fresh_index_first = format!("{:?}{}", t.elapsed(), cpu_since(c));
    assert_eq!(r.steps, first.steps);

    let counts: Vec<u64> = first.steps.iter().map(|s| s.count).collect();
    println!("units {}, counts {counts:?}", ix.units());
    println!("first query after open (index build + funnel): {cold}");
    println!("index build alone: {build}");
    println!("funnel on a fresh index (breakdown column loaded): {fresh_index_first}");
    println!(
        "funnel on a built index: min {:?}, median {:?}, max {:?}{warm_cpu}",
        warm[0],
        warm[warm.len() / 2],
        warm[warm.len() - 1]
    );
    // other orders and an exclusion, for the record
    for (name, extra) in [
        ("strict", json!({"order": "strict"})),
        ("unordered", json!({"order": "unordered"})),
        (
            "ordered + exclusion",
            json!({"exclude": [{"event": "scroll", "from_step": 1, "to_step": 2}]}),
        ),
        ("sessions (derived)", json!({"count": "sessions"})),
        (
            "ordered + daily trend",
            json!({"trend": {"interval": "day"}}),
        ),
        (
            "a step repeated (view, cart, view, purchase)",
            json!({"steps": [{"event": "view_item"}, {"event": "add_to_cart"}, {"event": "view_item"}, {"event": "purchase"}]}),
        ),
    ] {
        let mut v = serde_json::to_value(&spec).unwrap();
        for (key, val) in extra.as_object().unwrap() {
            v[key] = val.clone();
        }
        let s: FunnelSpec = serde_json::from_value(v).unwrap();
        run_funnel(&ws, &s, &mut cache).unwrap();
        let (t, c0) = (Instant::now(), cpu());
        let r = run_funnel(&ws, &s, &mut cache).unwrap();
        let c: Vec<u64> = r.steps.iter().map(|s| s.count).collect();
        println!("{name}: {:?}{} counts {c:?}", t.elapsed(), cpu_since(c0));
    }
    for w in counts.windows(2) {
        assert!(w[1] <= w[0]);
    }
    assert!(counts[3] > 0);
}
