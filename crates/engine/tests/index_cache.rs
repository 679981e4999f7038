//! The on-disk index cache: a cached index gives the same funnel as a built
//! one; damaged, stale or foreign cache files are rebuilt, never trusted;
//! a dataset appended to, or deleted and imported again under the same
//! name, never gets its old index.

mod common;

use serde_json::json;
use std::path::{Path, PathBuf};
use stepwise_engine::funnel::reference::reference_funnel;
use stepwise_engine::funnel::{run_funnel, FunnelResult, FunnelSpec};
use stepwise_engine::import::{append_file, import_file, ImportOptions};
use stepwise_engine::index::disk::cache_dir;
use stepwise_engine::index::{IndexCache, Unit};
use stepwise_engine::{Job, Workspace};

/// A CSV of `users` users with a few events each; `shift` moves every
/// time, `seed` varies the sequences.
fn csv(dir: &Path, name: &str, users: usize, seed: u64, shift_min: i64) -> PathBuf {
    let mut x = seed | 1;
    let mut next = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let names = ["view", "cart", "buy", "other"];
    let devices = ["mobile", "desktop", "tablet", ""];
    let mut s = String::from("time,user_id,event,device\n");
    for u in 0..users {
        let mut t = 1_725_148_800i64 + next(86_400) as i64 + shift_min * 60;
        for _ in 0..1 + next(6) {
            t += next(7200) as i64;
            let dt = time::OffsetDateTime::from_unix_timestamp(t).unwrap();
            s.push_str(&format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02},u{u},{},{}\n",
                dt.year(),
                dt.month() as u8,
                dt.day(),
                dt.hour(),
                dt.minute(),
                dt.second(),
                names[next(4) as usize],
                devices[next(4) as usize]
            ));
        }
    }
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p
}

fn spec() -> FunnelSpec {
    serde_json::from_value(json!({
        "dataset": "shop",
        "steps": [{"event": "view"}, {"event": "cart"}, {"event": "buy"}],
        "window": "1h",
        "breakdown": {"column": "device"}
    }))
    .unwrap()
}

fn opts() -> ImportOptions {
    ImportOptions {
        name: Some("shop".into()),
        ..Default::default()
    }
}

/// A fresh process's view: a new cache that writes to disk at any size.
fn fresh(ws: &Workspace) -> (FunnelResult, bool) {
    let mut cache = IndexCache::with_disk(Some(0));
    let r = run_funnel(ws, &spec(), &mut cache).unwrap();
    let rec = ws.dataset("shop").unwrap();
    let from_disk = cache.get(ws, &rec, Unit::Users).unwrap().from_disk();
    (r, from_disk)
}

fn check(ws: &Workspace, r: &FunnelResult) {
    let mut r = r.clone();
    r.warnings.clear();
    assert_eq!(r, reference_funnel(ws, &spec()).unwrap());
}

fn index_file(ws: &Workspace) -> PathBuf {
    let id = ws.dataset("shop").unwrap().id;
    cache_dir(ws.path()).join(format!("ds{id}-users.idx"))
}

#[test]
fn cached_index_gives_the_same_funnel() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    let f = csv(dir.path(), "a.csv", 3000, 7, 0);
    import_file(&mut ws, &f, &opts(), &mut Job::silent()).unwrap();

    let (built, from_disk) = fresh(&ws);
    assert!(!from_disk, "nothing was cached yet");
    check(&ws, &built);
    assert!(built.steps[2].count > 0);
    assert!(index_file(&ws).exists());
    let id = ws.dataset("shop").unwrap().id;
    assert!(cache_dir(ws.path())
        .join(format!("ds{id}-users-c3.col"))
        .exists());

    let (cached, from_disk) = fresh(&ws);
    assert!(from_disk, "the second process reads the index from disk");
    assert_eq!(cached, built);

    // memory only, for comparison
    let mut mem = IndexCache::with_disk(None);
    assert_eq!(run_funnel(&ws, &spec(), &mut mem).unwrap(), built);

    // deleting the cache is always safe
    IndexCache::delete_disk_cache(&ws).unwrap();
    assert!(!cache_dir(ws.path()).exists());
    let (again, from_disk) = fresh(&ws);
    assert!(!from_disk);
    assert_eq!(again, built);
}

/// A way to damage a cache file's bytes.
type Damage = Box<dyn Fn(&mut Vec<u8>)>;

#[test]
fn damaged_cache_files_are_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    let f = csv(dir.path(), "a.csv", 2000, 11, 0);
    import_file(&mut ws, &f, &opts(), &mut Job::silent()).unwrap();
    let (good, _) = fresh(&ws);
    let path = index_file(&ws);
    let original = std::fs::read(&path).unwrap();
    let len = original.len();
    // where the event codes are: section 5 of the table (offset at 64 + 5 * 24)
    let off =
        u64::from_le_bytes(original[64 + 5 * 24..64 + 5 * 24 + 8].try_into().unwrap()) as usize;
    let damages: Vec<(&str, Damage)> = vec![
        (
            "truncated",
            Box::new(|b: &mut Vec<u8>| b.truncate(b.len() / 2)),
        ),
        ("header only", Box::new(|b: &mut Vec<u8>| b.truncate(40))),
        ("empty", Box::new(|b: &mut Vec<u8>| b.clear())),
        (
            "other format version",
            Box::new(|b: &mut Vec<u8>| b[8] = b[8].wrapping_add(1)),
        ),
        ("bad magic", Box::new(|b: &mut Vec<u8>| b[0] ^= 0xff)),
        (
            "section table",
            Box::new(|b: &mut Vec<u8>| b[64 + 8] ^= 0x10),
        ),
        (
            "grown",
            Box::new(|b: &mut Vec<u8>| b.extend_from_slice(&[0; 64])),
        ),
        (
            "event code out of range",
            Box::new(move |b: &mut Vec<u8>| {
                b[off..off + 4].copy_from_slice(&7777u32.to_le_bytes())
            }),
        ),
        (
            "dictionary byte",
            Box::new(move |b: &mut Vec<u8>| {
                let d = u64::from_le_bytes(b[64 + 6 * 24..64 + 6 * 24 + 8].try_into().unwrap())
                    as usize;
                b[d + 6] ^= 0x01;
            }),
        ),
    ];
    for (what, damage) in damages {
        let mut b = original.clone();
        damage(&mut b);
        std::fs::write(&path, &b).unwrap();
        let (r, from_disk) = fresh(&ws);
        assert!(!from_disk, "{what}: a damaged file must not be used");
        assert_eq!(r, good, "{what}");
        // rebuilt and rewritten whole
        assert_eq!(std::fs::read(&path).unwrap().len(), len, "{what}");
        let (r, from_disk) = fresh(&ws);
        assert!(from_disk, "{what}: the rewritten file is used again");
        assert_eq!(r, good, "{what}");
    }
    // a damaged breakdown column file is rebuilt too
    let id = ws.dataset("shop").unwrap().id;
    let col = cache_dir(ws.path()).join(format!("ds{id}-users-c3.col"));
    let mut b = std::fs::read(&col).unwrap();
    b.truncate(b.len() - 8);
    std::fs::write(&col, &b).unwrap();
    let (r, _) = fresh(&ws);
    assert_eq!(r, good);
}

#[test]
fn appended_or_reimported_datasets_never_get_the_old_index() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    let a = csv(dir.path(), "a.csv", 1500, 3, 0);
    import_file(&mut ws, &a, &opts(), &mut Job::silent()).unwrap();
    let mut app_cache = IndexCache::with_disk(Some(0));
    let first = run_funnel(&ws, &spec(), &mut app_cache).unwrap();
    check(&ws, &first);
    let (_, from_disk) = fresh(&ws);
    assert!(from_disk);

    // append a newer export: both the long-lived cache (the app) and a new
    // process must see the new rows
    let b = csv(dir.path(), "b.csv", 1500, 5, 3 * 24 * 60);
    append_file(
        &mut ws,
        "shop",
        &b,
        &ImportOptions::default(),
        &mut Job::silent(),
    )
    .unwrap();
    let (r, from_disk) = fresh(&ws);
    assert!(!from_disk, "the appended dataset has a new fingerprint");
    let after = run_funnel(&ws, &spec(), &mut app_cache).unwrap();
    check(&ws, &after);
    assert!(after.steps[0].count > first.steps[0].count);
    assert_eq!(r, after);
    let (r, from_disk) = fresh(&ws);
    assert!(from_disk);
    assert_eq!(r, after);

    // delete it and import other data under the same name (SQLite may
    // give it the same id)
    let old_id = ws.dataset("shop").unwrap().id;
    ws.delete_dataset("shop").unwrap();
    let c = csv(dir.path(), "c.csv", 800, 99, 0);
    import_file(&mut ws, &c, &opts(), &mut Job::silent()).unwrap();
    let new_id = ws.dataset("shop").unwrap().id;
    let (r, from_disk) = fresh(&ws);
    assert!(
        !from_disk,
        "re-imported data (id {old_id} -> {new_id}) is built anew"
    );
    check(&ws, &r);
    assert_ne!(r, after);
    let again = run_funnel(&ws, &spec(), &mut app_cache).unwrap();
    assert_eq!(again, r);

    // the same file again, deleted and imported with another time zone:
    // same size, same content hash, other instants
    ws.delete_dataset("shop").unwrap();
    import_file(&mut ws, &c, &opts(), &mut Job::silent()).unwrap();
    let (utc, _) = fresh(&ws);
    ws.delete_dataset("shop").unwrap();
    let tz = ImportOptions {
        time_zone: Some("+05:00".into()),
        ..opts()
    };
    import_file(&mut ws, &c, &tz, &mut Job::silent()).unwrap();
    let (r, from_disk) = fresh(&ws);
    assert!(!from_disk);
    check(&ws, &r);
    let _ = utc;
}

/// Was funnel_rules.rs::index_is_cached_per_dataset_and_unit: a funnel
/// builds the index of its dataset and unit only, and the cache then hands
/// out that same index.
#[test]
fn index_is_cached_per_dataset_and_unit() {
    let mut w = common::ws::TempWs::new();
    w.import_text(
        "ev.csv",
        "user,time,event\nu1,1970-01-01T00:00:00Z,A\nu1,1970-01-01T00:00:05Z,B\n",
        &ImportOptions::default(),
    )
    .unwrap();
    let rec = w.ws.dataset("ev").unwrap();
    let spec: FunnelSpec =
        serde_json::from_value(json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "B"}]}))
            .unwrap();
    run_funnel(&w.ws, &spec, &mut w.cache).unwrap();
    assert!(w.cache.contains(rec.id, Unit::Users));
    assert!(!w.cache.contains(rec.id, Unit::Sessions));
    let a = w.cache.get(&w.ws, &rec, Unit::Users).unwrap();
    let b = w.cache.get(&w.ws, &rec, Unit::Users).unwrap();
    assert!(std::sync::Arc::ptr_eq(&a, &b));
}

/// An import (and an append, and a re-import) builds the dataset's index
/// and writes it to the disk cache after its commit: the first funnel in a
/// new process loads it instead of building it, and counts as a built
/// index does. A failed import leaves no index behind.
#[test]
fn an_import_leaves_the_index_on_disk_for_the_first_query() {
    use stepwise_engine::index::{IndexOrigin, DISK_MIN_ROWS};
    use stepwise_engine::session::{reimport, ImportOverrides};
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    // enough users for the default disk threshold (~3.5 events each)
    let users = (DISK_MIN_ROWS as usize) / 3 + 5000;
    let a = csv(dir.path(), "a.csv", users, 21, 0);
    let mut stages = Vec::new();
    let mut job = Job::new(Default::default(), |p| stages.push(p.stage.clone()));
    import_file(&mut ws, &a, &opts(), &mut job).unwrap();
    drop(job);
    assert!(ws.dataset("shop").unwrap().info.rows >= DISK_MIN_ROWS);
    let at = |s: &str| stages.iter().position(|x| x == s);
    assert!(
        at("indexing").unwrap() < at("done").unwrap(),
        "indexing comes before done: {stages:?}"
    );
    assert!(index_file(&ws).exists(), "the import wrote the index");

    // a new process with the default cache: the index comes from disk
    let first_query = |ws: &Workspace| {
        let mut cache = IndexCache::new();
        let r = run_funnel(ws, &spec(), &mut cache).unwrap();
        (r, cache.origins())
    };
    let (r, origins) = first_query(&ws);
    assert_eq!(origins, vec![IndexOrigin::Disk]);
    check(&ws, &r);
    let built = run_funnel(&ws, &spec(), &mut IndexCache::with_disk(None)).unwrap();
    assert_eq!(r, built);

    // an append: the new version's index is written too
    let b = csv(dir.path(), "b.csv", 2000, 23, 3 * 24 * 60);
    append_file(
        &mut ws,
        "shop",
        &b,
        &ImportOptions::default(),
        &mut Job::silent(),
    )
    .unwrap();
    let (after, origins) = first_query(&ws);
    assert_eq!(origins, vec![IndexOrigin::Disk], "after the append");
    check(&ws, &after);
    assert!(after.steps[0].count > r.steps[0].count);

    // a re-import (through a temporary dataset renamed at the end)
    let mut o = ImportOverrides::default();
    o.map
        .push((stepwise_engine::model::Role::Dimension, "device".into()));
    reimport(&mut ws, "shop", &o, &mut Job::silent()).unwrap();
    let (again, origins) = first_query(&ws);
    assert_eq!(origins, vec![IndexOrigin::Disk], "after the re-import");
    check(&ws, &again);
    assert_eq!(
        again.steps[0].count, r.steps[0].count,
        "the file a.csv again"
    );

    // a cancelled import stores nothing and writes no index
    let files = |ws: &Workspace| std::fs::read_dir(cache_dir(ws.path())).unwrap().count();
    let before = files(&ws);
    let c = csv(dir.path(), "c.csv", users, 29, 0);
    let token = stepwise_engine::CancelToken::new();
    let t = token.clone();
    let mut job = Job::new(token, move |p| {
        if p.stage == "storing" {
            t.cancel();
        }
    });
    let cancelled = ImportOptions {
        name: Some("other".into()),
        ..Default::default()
    };
    assert!(import_file(&mut ws, &c, &cancelled, &mut job).is_err());
    assert!(!ws.has_dataset("other").unwrap());
    assert_eq!(files(&ws), before);
}
