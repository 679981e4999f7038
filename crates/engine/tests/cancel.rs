//! Every analysis the app runs through the session (funnels, comparisons,
//! impact, value, paths, retention, personas, reports, every export, the
//! value lists of a column) reports progress and stops when cancelled
//! (`Session::cancel_analyses`, the app's Cancel and Esc): it returns
//! `Error::Cancelled`, writes no file, caches nothing, and the next run
//! gives what a fresh session gives. docs/architecture.md, "Progress and
//! cancel".

use std::path::Path;
use std::sync::{Arc, Mutex, Weak};

use serde_json::{json, Value};
use stepwise_engine::generate::{write_clickstream_file, GenOptions};
use stepwise_engine::import::{import_file, ImportOptions};
use stepwise_engine::job::AnalysisProgress;
use stepwise_engine::report::ExportFormat;
use stepwise_engine::session::{Session, TableAnalysis};
use stepwise_engine::{Error, Job, Workspace};

fn workspace(dir: &Path) -> std::path::PathBuf {
    let file = dir.join("shop.csv");
    write_clickstream_file(&file, &GenOptions::with_events(200_000)).unwrap();
    let path = dir.join("w.stepwise");
    let mut ws = Workspace::open(&path).unwrap();
    let opts = ImportOptions {
        name: Some("shop".into()),
        ..Default::default()
    };
    import_file(&mut ws, &file, &opts, &mut Job::silent()).unwrap();
    path
}

fn funnel() -> Value {
    json!({"dataset": "shop", "steps": [{"event": "view_item"}, {"event": "add_to_cart"},
        {"event": "purchase"}], "window": "7d", "breakdown": {"column": "device_category"}})
}

/// Each analysis as the app calls it, giving a text to compare runs by
/// (the result's JSON, or the written file's bytes).
type Analysis = (
    &'static str,
    Box<dyn Fn(&Session, &Path) -> Result<String, Error>>,
);

fn analyses() -> Vec<Analysis> {
    let persona = json!({"name": "Browsers", "dataset": "shop", "match": "all", "conditions": [
        {"did": {"event": "view_item"}, "at_least": 2}]});
    let file = |p: &Path, name: &str| p.join(name);
    let read = |p: &Path| {
        std::fs::read(p)
            .map(|b| format!("{:x?}", &b[..b.len().min(4096)]))
            .unwrap()
    };
    let compare = json!({"funnel": funnel(), "by": "device_category"});
    let impact = json!({"dataset": "shop", "goal": {"event": "purchase"}, "candidates": "auto"});
    let mut value = funnel();
    value["value"] = json!({"per_goal": 50});
    value["what_if"] = json!({"step": 2, "relative": 0.1});
    let paths = json!({"dataset": "shop", "from": {"funnel": funnel(), "step": 1},
        "direction": "next", "levels": 5, "by": "event", "top": 8});
    let retention = json!({"dataset": "shop", "cohort": "first_seen",
        "return": {"event": "purchase"}, "interval": "week"});
    let report = json!({"title": "T", "sections": [{"funnel": funnel()}, {"compare": compare},
        {"paths": paths}]});
    let value2 = value.clone();
    let paths2 = paths.clone();
    let report2 = report.clone();
    let compare2 = compare.clone();
    let persona2 = persona.clone();
    vec![
        (
            "funnel",
            Box::new(move |s: &Session, _: &Path| {
                s.funnel(funnel(), None, None)
                    .map(|r| serde_json::to_string(&r.result).unwrap())
            }),
        ),
        (
            "compare",
            Box::new(move |s: &Session, _: &Path| {
                s.compare(compare.clone(), None)
                    .map(|r| serde_json::to_string(&r.result).unwrap())
            }),
        ),
        (
            "impact",
            Box::new(move |s: &Session, _: &Path| {
                s.impact(impact.clone(), None)
                    .map(|r| serde_json::to_string(&r.result).unwrap())
            }),
        ),
        (
            "value",
            Box::new(move |s: &Session, _: &Path| {
                s.value(value.clone(), None)
                    .map(|r| serde_json::to_string(&r.result).unwrap())
            }),
        ),
        (
            "paths",
            Box::new(move |s: &Session, _: &Path| {
                s.paths(paths.clone(), None)
                    .map(|r| serde_json::to_string(&r.result).unwrap())
            }),
        ),
        (
            "retention",
            Box::new(move |s: &Session, _: &Path| {
                s.retention(retention.clone(), None)
                    .map(|r| serde_json::to_string(&r.result).unwrap())
            }),
        ),
        (
            "count_segment",
            Box::new(move |s: &Session, _: &Path| {
                s.count_segment(persona.clone())
                    .map(|r| serde_json::to_string(&r).unwrap())
            }),
        ),
        (
            "bottleneck_across",
            Box::new(|s: &Session, _: &Path| {
                s.bottleneck_across(
                    funnel(),
                    &["source".to_string(), "country".to_string()],
                    None,
                )
                .map(|r| serde_json::to_string(&r).unwrap())
            }),
        ),
        (
            "dataset_values",
            Box::new(|s: &Session, _: &Path| {
                s.working(|| s.ws().value_counts("shop", "user_id", 50))
                    .map(|r| serde_json::to_string(&r).unwrap())
            }),
        ),
        (
            "report_pages",
            Box::new(move |s: &Session, _: &Path| {
                s.report_pages(report.clone()).map(|r| r.len().to_string())
            }),
        ),
        (
            "export_report pdf",
            Box::new(move |s: &Session, d: &Path| {
                let f = file(d, "r.pdf");
                s.export_report(report2.clone(), &f, ExportFormat::Pdf)
                    .map(|_| std::fs::metadata(&f).unwrap().len().min(1).to_string())
            }),
        ),
        (
            "export_audience",
            Box::new(move |s: &Session, d: &Path| {
                let f = file(d, "a.csv");
                s.export_audience(persona2.clone(), &f).map(|_| read(&f))
            }),
        ),
        (
            "export_dropoff",
            Box::new(move |s: &Session, d: &Path| {
                let f = file(d, "d.csv");
                s.export_dropoff(funnel(), 1, &f).map(|_| read(&f))
            }),
        ),
        (
            "export_wasted",
            Box::new(move |s: &Session, d: &Path| {
                let f = file(d, "w.csv");
                s.export_wasted(
                    value2.clone(),
                    &serde_json::from_value(json!({"step": 1})).unwrap(),
                    &f,
                )
                .map(|_| read(&f))
            }),
        ),
        (
            "export_path_node",
            Box::new(move |s: &Session, d: &Path| {
                let f = file(d, "n.csv");
                s.export_path_node(paths2.clone(), 1, &f).map(|_| read(&f))
            }),
        ),
        (
            "export_table compare",
            Box::new(move |s: &Session, d: &Path| {
                let f = file(d, "t.csv");
                s.export_table(TableAnalysis::Compare, compare2.clone(), &f, None)
                    .map(|_| read(&f))
            }),
        ),
    ]
}

/// A session whose progress sink records every report and, from the
/// `cancel_at`-th report on, cancels the running analyses (as the app's
/// Cancel does from another thread).
fn session(
    path: &Path,
    cancel_at: Option<usize>,
) -> (Arc<Session>, Arc<Mutex<Vec<AnalysisProgress>>>) {
    let s = Arc::new(Session::open(path).unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let weak: Weak<Session> = Arc::downgrade(&s);
    let log = seen.clone();
    s.on_progress(Arc::new(move |p: &AnalysisProgress| {
        let mut log = log.lock().unwrap();
        log.push(p.clone());
        if cancel_at.is_some_and(|n| log.len() >= n) {
            if let Some(s) = weak.upgrade() {
                assert!(
                    s.cancel_analyses() >= 1,
                    "a report came with no analysis running"
                );
            }
        }
    }));
    (s, seen)
}

#[test]
fn every_analysis_reports_progress_and_stops_when_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // what each gives in a fresh session, with no cancel
    let fresh: Vec<String> = {
        let (s, _) = session(&ws, None);
        analyses()
            .iter()
            .map(|(name, run)| run(&s, &out).unwrap_or_else(|e| panic!("{name}: {e}")))
            .collect()
    };
    for (k, (name, run)) in analyses().iter().enumerate() {
        for cancel_at in [1, 3] {
            // a new session each time: the first report comes while the
            // index is being built, a later one from the analysis itself
            let (s, seen) = session(&ws, Some(cancel_at));
            for f in std::fs::read_dir(&out).unwrap() {
                std::fs::remove_file(f.unwrap().path()).unwrap();
            }
            let got = run(&s, &out);
            let n = seen.lock().unwrap().len();
            match got {
                Err(Error::Cancelled) => {}
                Ok(_) if n < cancel_at => {
                    // fewer reports than the cancel waits for: it finished
                    // before it (only allowed for a later cancel)
                    assert!(cancel_at > 1, "{name}: no progress at all");
                    continue;
                }
                other => panic!(
                    "{name} (cancel at report {cancel_at}, {n} reports): {:?}",
                    other.map(|t| t.len())
                ),
            }
            // it stopped at the report that cancelled it: no stage ran on
            assert_eq!(n, cancel_at, "{name}: reports went on after the cancel");
            assert!(
                std::fs::read_dir(&out).unwrap().next().is_none(),
                "{name}: a cancelled export left a file"
            );
            // the same session again, not cancelled: the fresh result
            let log = seen.clone();
            s.on_progress(Arc::new(move |p: &AnalysisProgress| {
                log.lock().unwrap().push(p.clone())
            }));
            let again = run(&s, &out).unwrap_or_else(|e| panic!("{name} after a cancel: {e}"));
            assert_eq!(
                again, fresh[k],
                "{name}: the run after a cancel differs from a fresh one"
            );
        }
    }
}

#[test]
fn progress_is_throttled_and_says_what_it_does() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    // without the index's disk cache, so that the index is built here
    stepwise_engine::index::IndexCache::delete_disk_cache(&Workspace::open(&ws).unwrap()).unwrap();
    let (s, seen) = session(&ws, None);
    s.paths(
        json!({"dataset": "shop", "from": {"funnel": funnel(), "step": 1}, "levels": 5}),
        None,
    )
    .unwrap();
    let seen = seen.lock().unwrap();
    let stages: Vec<&str> = seen.iter().map(|p| p.stage.as_str()).collect();
    assert!(
        stages.iter().any(|s| s.starts_with("Reading column")),
        "{stages:?}"
    );
    assert!(stages.contains(&"Following each unit's path"), "{stages:?}");
    assert!(
        seen.iter().all(|p| p.total == 0 || p.done <= p.total),
        "{seen:?}"
    );
    // never two reports of one stage within Work::EVERY unless it finished
    // (a 200k-event paths run is far shorter than a report per chunk)
    assert!(seen.len() < 60, "{} reports", seen.len());
    // no analysis runs now, so a cancel finds none
    assert_eq!(s.cancel_analyses(), 0);
}
