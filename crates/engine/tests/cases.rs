//! The funnel rule and segment condition cases: every `*.case` file under
//! tests/cases/ is read, its datasets are imported into a temporary
//! workspace through the engine's import, its queries are run through the
//! engine and their results compared with the expectations written in the
//! file. A failing case names its file and line and shows a diff of the
//! expected lines against the actual ones. `CASE=text` runs only the files
//! whose path contains `text`. The format is described in
//! tests/cases/README.md.

mod common;

use common::case_file::{load, parse, spec_json, Record};
use common::ws::TempWs;
use serde_json::Value;
use std::path::{Path, PathBuf};
use stepwise_engine::funnel::reference::reference_funnel;
use stepwise_engine::funnel::{run_funnel, FunnelSpec};
use stepwise_engine::index::Unit;
use stepwise_engine::segment::{segment_members, SegmentSpec};

/// The start of the error of a `funnel reference` query whose engine and
/// reference results differ.
const REFERENCE_DIFFERS: &str = "the engine and the reference differ";

/// Runs a query: the result as JSON, or the error's text.
fn run(w: &mut TempWs, kind: &str, args: &[String], spec: Value) -> Result<Value, String> {
    match kind {
        "funnel" => {
            let spec: FunnelSpec = serde_json::from_value(spec).map_err(|e| e.to_string())?;
            let fast = run_funnel(&w.ws, &spec, &mut w.cache).map_err(|e| e.to_string())?;
            if args.iter().any(|a| a == "reference") {
                let slow = reference_funnel(&w.ws, &spec).map_err(|e| format!("reference: {e}"))?;
                let mut f = fast.clone();
                f.warnings.clear();
                if f != slow {
                    return Err(format!(
                        "{REFERENCE_DIFFERS}:\n{}",
                        diff(&pretty(&f), &pretty(&slow))
                    ));
                }
            }
            Ok(serde_json::to_value(&fast).unwrap())
        }
        "segment" => {
            let unit = match args.first().map(String::as_str) {
                None | Some("users") => Unit::Users,
                Some("sessions") => Unit::Sessions,
                Some(u) => return Err(format!("unknown unit {u}")),
            };
            let spec = SegmentSpec::from_json(&spec.to_string()).map_err(|e| e.to_string())?;
            let r = segment_members(&w.ws, &spec, &mut w.cache, unit).map_err(|e| e.to_string())?;
            if r.members as usize != r.sample.len() {
                return Err(format!(
                    "{} members but {} in the sample",
                    r.members,
                    r.sample.len()
                ));
            }
            let mut v = serde_json::to_value(&r).unwrap();
            let mut ids = r.sample.clone();
            ids.sort();
            v["ids"] = Value::from(ids);
            Ok(v)
        }
        _ => unreachable!(),
    }
}

fn pretty<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap()
}

/// A line diff: `-` expected, `+` actual, ` ` both.
fn diff(expected: &str, actual: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    // longest common subsequence, small inputs
    let mut l = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            l[i][j] = if a[i] == b[j] {
                l[i + 1][j + 1] + 1
            } else {
                l[i + 1][j].max(l[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out += &format!("  {}\n", a[i]);
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || l[i + 1][j] >= l[i][j + 1]) {
            out += &format!("- {}\n", a[i]);
            i += 1;
        } else {
            out += &format!("+ {}\n", b[j]);
            j += 1;
        }
    }
    out
}

/// The value at a path: dot-separated keys and indexes, `*` maps over a
/// list; `counts` is `steps.*.count`; `sum(PATH)` adds the numbers there.
fn at(v: &Value, path: &str) -> Value {
    if let Some(inner) = path.strip_prefix("sum(").and_then(|p| p.strip_suffix(')')) {
        let x = at(v, inner);
        let items = x.as_array().cloned().unwrap_or_default();
        return if items.iter().all(Value::is_u64) {
            Value::from(items.iter().filter_map(Value::as_u64).sum::<u64>())
        } else {
            Value::from(items.iter().filter_map(Value::as_f64).sum::<f64>())
        };
    }
    let path = if path == "counts" {
        "steps.*.count"
    } else {
        path
    };
    fn walk(v: &Value, parts: &[&str]) -> Value {
        let Some((first, rest)) = parts.split_first() else {
            return v.clone();
        };
        match (*first, v) {
            ("*", Value::Array(items)) => {
                Value::Array(items.iter().map(|x| walk(x, rest)).collect())
            }
            (k, Value::Array(items)) => match k.parse::<usize>().ok().and_then(|i| items.get(i)) {
                Some(x) => walk(x, rest),
                None => Value::Null,
            },
            (k, Value::Object(o)) => o.get(k).map_or(Value::Null, |x| walk(x, rest)),
            _ => Value::Null,
        }
    }
    walk(v, &path.split('.').collect::<Vec<_>>())
}

/// Equal JSON, numbers within a relative 1e-12.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_u64(), y.as_u64()) {
            (Some(x), Some(y)) => x == y,
            _ => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0)
            }
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, a)| y.get(k).is_some_and(|b| same(a, b)))
        }
        _ => a == b,
    }
}

/// One expectation line, checked: `Ok` when it holds, else the line the
/// actual result would need in its place.
fn check_line(result: &Result<Value, String>, line: &str) -> Result<(), String> {
    let (path, op, want) = ["=", "contains", "starts_with"]
        .iter()
        .find_map(|op| {
            let pat = format!(" {op} ");
            line.split_once(&pat).map(|(p, w)| (p.trim(), *op, w.trim()))
        })
        .ok_or_else(|| format!("{line}    <- not `PATH = JSON`, `PATH contains \"text\"` or `PATH starts_with \"text\"`"))?;
    let want: Value = serde_json::from_str(want)
        .map_err(|e| format!("{line}    <- the value is not JSON: {e}"))?;
    let actual = match (path, result) {
        ("error", Err(e)) => Value::from(e.as_str()),
        ("error", Ok(_)) => Value::from("(no error)"),
        (_, Err(e)) => return Err(format!("error = {}", Value::from(e.as_str()))),
        (p, Ok(v)) => at(v, p),
    };
    let text = |v: &Value| v.as_str().map(str::to_string);
    let holds = match op {
        "=" => same(&actual, &want),
        "contains" => {
            let w = text(&want).unwrap_or_default();
            match &actual {
                Value::String(s) => s.contains(&w),
                Value::Array(items) => items
                    .iter()
                    .any(|x| text(x).is_some_and(|s| s.contains(&w))),
                _ => false,
            }
        }
        _ => text(&actual)
            .zip(text(&want))
            .is_some_and(|(a, w)| a.starts_with(&w)),
    };
    if holds {
        Ok(())
    } else {
        Err(format!("{path} = {}", show(&actual)))
    }
}

/// JSON on one line, written the way the case files write it.
fn show(v: &Value) -> String {
    match v {
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{}: {}", Value::from(k.as_str()), show(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        v => v.to_string(),
    }
}

/// A query's first line, as written.
fn head(kind: &str, args: &[String]) -> String {
    std::iter::once(kind.to_string())
        .chain(args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// How much the case files checked.
#[derive(Default)]
struct Counted {
    queries: usize,
    expectations: usize,
}

/// Runs one case file; the failures as text.
fn run_file(path: &Path, counted: &mut Counted) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let records = match parse(&text) {
        Ok(r) => r,
        Err(e) => return vec![e],
    };
    let mut w = TempWs::new();
    let mut dataset: Option<String> = None;
    let mut failures = Vec::new();
    let mut queries = 0;
    for rec in records {
        match rec {
            Record::Dataset {
                line,
                name,
                direct,
                map,
                seconds,
                csv,
            } => {
                if let Err(e) = load(&mut w, &name, direct, &map, &seconds, &csv) {
                    failures.push(format!("line {line}: dataset {name}: {e}"));
                    return failures;
                }
                dataset = Some(name);
            }
            Record::Query {
                line,
                kind,
                args,
                spec,
                expect,
            } => {
                queries += 1;
                counted.queries += 1;
                counted.expectations += expect.len();
                if expect.is_empty() {
                    failures.push(format!("line {line}: {kind} with no expectations"));
                    continue;
                }
                let result = spec_json(&kind, &spec, dataset.as_deref())
                    .and_then(|s| run(&mut w, &kind, &args, s));
                if let Err(e) = &result {
                    if e.starts_with(REFERENCE_DIFFERS) {
                        failures.push(format!("line {line}: {}\n{spec}\n{e}", head(&kind, &args)));
                        continue;
                    }
                }
                let mut want = String::new();
                let mut got = String::new();
                let mut bad = false;
                for (_, l) in &expect {
                    want += l;
                    want.push('\n');
                    match check_line(&result, l) {
                        Ok(()) => got += l,
                        Err(a) => {
                            bad = true;
                            got += &a;
                        }
                    }
                    got.push('\n');
                }
                if let Err(e) = &result {
                    if !got.contains("error = ")
                        && !expect.iter().any(|(_, l)| l.starts_with("error "))
                    {
                        bad = true;
                        got += &format!("error = {}\n", Value::from(e.as_str()));
                    }
                }
                if bad {
                    failures.push(format!(
                        "line {line}: {}\n{spec}\n--- expected\n+++ actual\n{}",
                        head(&kind, &args),
                        diff(&want, &got)
                    ));
                }
            }
        }
    }
    if queries == 0 {
        failures.push("no queries".into());
    }
    failures
}

fn case_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            case_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "case") {
            out.push(p);
        }
    }
}

#[test]
fn every_case_file_holds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files = Vec::new();
    case_files(&root, &mut files);
    files.sort();
    let filter = std::env::var("CASE").unwrap_or_default();
    let mut ran = 0;
    let mut counted = Counted::default();
    let mut report = String::new();
    for f in files
        .iter()
        .filter(|f| f.to_string_lossy().contains(&filter))
    {
        ran += 1;
        let name = f.strip_prefix(&root).unwrap().display().to_string();
        for e in run_file(f, &mut counted) {
            report += &format!("\n==== tests/cases/{name}: {e}\n");
        }
    }
    assert!(ran > 0, "no case files under {}", root.display());
    eprintln!(
        "{ran} case files, {} queries, {} expectations",
        counted.queries, counted.expectations
    );
    if filter.is_empty() {
        for dir in ["funnel", "segment"] {
            assert!(
                files.iter().any(|f| f.starts_with(root.join(dir))),
                "no {dir} cases"
            );
        }
    }
    assert!(report.is_empty(), "{report}");
}

#[test]
fn a_failing_case_names_its_line_and_shows_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.case");
    std::fs::write(
        &p,
        "dataset ev\nmap user=user time=time event=event\nseconds time\n----\nuser,time,event\nu1,0,A\nu1,5,B\n\n# comment\nfunnel\n{\"steps\": [{\"event\": \"A\"}, {\"event\": \"B\"}]}\n----\ncounts = [1, 0]\nunit = \"users\"\n\nfunnel\n{\"steps\": []}\n----\ncounts = [1]\n",
    )
    .unwrap();
    let f = run_file(&p, &mut Counted::default());
    assert_eq!(f.len(), 2, "{f:?}");
    assert!(f[0].starts_with("line 10: funnel"), "{}", f[0]);
    assert!(
        f[0].contains("- counts = [1, 0]\n+ counts = [1, 1]\n  unit = \"users\""),
        "{}",
        f[0]
    );
    assert!(
        f[1].contains("+ error = \"") && f[1].contains("at least one step"),
        "{}",
        f[1]
    );
}
