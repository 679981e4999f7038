//! Re-import through the session facade is atomic: a failure or a cancel
//! at any point (while reading the file, or inside the replacing
//! transaction right before its commit) leaves the old dataset as it was,
//! with its roles, rows and name, and no temporary dataset behind; a
//! successful one replaces it under the same name.

use std::path::Path;

use stepwise_engine::generate::{write_clickstream_file, GenOptions};
use stepwise_engine::import::{import_file, ImportOptions};
use stepwise_engine::session::{reimport, reimport_with, ImportOverrides};
use stepwise_engine::{CancelToken, Error, Job, Role, Workspace};

fn fixture(dir: &Path) -> Workspace {
    let file = dir.join("shop.csv");
    write_clickstream_file(&file, &GenOptions::with_events(3_000)).unwrap();
    let mut ws = Workspace::open(&dir.join("w.stepwise")).unwrap();
    let opts = ImportOptions {
        name: Some("shop".into()),
        ..Default::default()
    };
    import_file(&mut ws, &file, &opts, &mut Job::silent()).unwrap();
    ws
}

/// A dataset's row count and column roles, and every dataset's name.
type State = (u64, Vec<(String, Option<Role>)>, Vec<String>);

fn state(ws: &Workspace) -> State {
    let rec = ws.dataset("shop").unwrap();
    let roles = rec
        .info
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.role))
        .collect();
    let names = ws.datasets().unwrap().into_iter().map(|d| d.name).collect();
    (rec.info.rows, roles, names)
}

/// A re-import that changes something visible: the "source" column
/// becomes a dimension.
fn source_as_dimension() -> ImportOverrides {
    let mut o = ImportOverrides::default();
    o.map.push((Role::Dimension, "source".into()));
    o
}

#[test]
fn a_failure_before_the_commit_leaves_the_old_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = fixture(dir.path());
    let before = state(&ws);
    let e = reimport_with(
        &mut ws,
        "shop",
        &source_as_dimension(),
        &mut Job::silent(),
        &|| Err(Error::Internal("injected".into())),
    )
    .unwrap_err();
    assert!(e.to_string().contains("injected"), "{e}");
    assert_eq!(state(&ws), before);
    // and from a fresh connection too (nothing half-committed on disk)
    let again = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    assert_eq!(state(&again), before);
}

#[test]
fn a_cancel_at_the_last_moment_leaves_the_old_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = fixture(dir.path());
    let before = state(&ws);
    // cancel when the new data reports "done": the replacing transaction
    // sees it right before its commit
    let token = CancelToken::new();
    let t = token.clone();
    let mut job = Job::new(token, move |p| {
        if p.stage == "done" {
            t.cancel();
        }
    });
    let e = reimport(&mut ws, "shop", &source_as_dimension(), &mut job).unwrap_err();
    assert!(matches!(e, Error::Cancelled), "{e}");
    assert_eq!(state(&ws), before);
}

#[test]
fn a_cancel_while_reading_leaves_the_old_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = fixture(dir.path());
    let before = state(&ws);
    let token = CancelToken::new();
    token.cancel();
    let mut job = Job::new(token, |_| {});
    let e = reimport(&mut ws, "shop", &source_as_dimension(), &mut job).unwrap_err();
    assert!(matches!(e, Error::Cancelled), "{e}");
    assert_eq!(state(&ws), before);
}

#[test]
fn a_bad_override_leaves_the_old_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = fixture(dir.path());
    let before = state(&ws);
    let mut o = ImportOverrides::default();
    o.map.push((Role::Page, "no such column".into()));
    assert!(reimport(&mut ws, "shop", &o, &mut Job::silent()).is_err());
    assert_eq!(state(&ws), before);
}

#[test]
fn a_successful_reimport_replaces_the_dataset_under_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = fixture(dir.path());
    let (rows, roles, _) = state(&ws);
    let r = reimport(&mut ws, "shop", &source_as_dimension(), &mut Job::silent()).unwrap();
    assert_eq!(r.dataset.name, "shop");
    let (rows2, roles2, names) = state(&ws);
    assert_eq!(rows2, rows);
    assert_eq!(names, vec!["shop".to_string()]);
    assert_ne!(roles2, roles);
    let source = roles2.iter().find(|(n, _)| n == "source").unwrap();
    assert_eq!(source.1, Some(Role::Dimension));
}
