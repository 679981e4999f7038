//! Every file in ../shared/data/real imports with the rows, columns, types
//! and roles its SOURCES.md entry describes. The expectations are data, in
//! tests/real_exports.json, written from SOURCES.md and from reading the
//! files, not from the importer's output; tests/real_exports.md lists the
//! checks an entry can make.
//!
//! The folder is found at `STEPWISE_SHARED_DATA`, else at
//! `../shared/data/real` beside the repository. When it is absent the test
//! says so and passes, except under CI, where it fails (common/real.rs).

mod common;

use serde_json::{Map, Value};
use std::path::Path;
use stepwise_engine::column::{Cell, Column};
use stepwise_engine::import::{self, ImportOptions, ImportReport};
use stepwise_engine::{ColumnType, Job, Role, Workspace};

/// A file imported into its own temporary workspace.
struct Imported {
    ws: Workspace,
    report: ImportReport,
    _dir: tempfile::TempDir,
}

impl Imported {
    fn col(&self, name: &str) -> Result<Column, String> {
        let rec = self.ws.dataset(&self.report.dataset.name).unwrap();
        self.ws
            .read_column_named(&rec, name)
            .map_err(|e| format!("column {name}: {e}"))
    }
    fn info(&self, name: &str) -> Result<&stepwise_engine::ColumnInfo, String> {
        self.report
            .dataset
            .columns
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| format!("no column {name}: {:?}", self.names()))
    }
    fn names(&self) -> Vec<String> {
        self.report
            .dataset
            .columns
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }
}

/// Import options from an entry's `options`.
fn options(
    v: Option<&Value>,
    tables: Option<&[import::TableInfo]>,
) -> Result<ImportOptions, String> {
    let mut o = ImportOptions::default();
    let Some(v) = v else { return Ok(o) };
    for (k, x) in v.as_object().ok_or("options is not an object")? {
        match k.as_str() {
            "table" => o.table = Some(x.as_u64().ok_or("table is not a number")? as usize),
            "table_titled" => {
                let want = x.as_str().ok_or("table_titled is not text")?;
                let tables = tables.ok_or("table_titled needs the file's tables")?;
                o.table = Some(
                    tables
                        .iter()
                        .position(|t| t.title.as_deref() == Some(want))
                        .ok_or_else(|| format!("no table titled {want}"))?,
                );
            }
            "sheet" => o.sheet = Some(x.as_str().ok_or("sheet is not text")?.into()),
            "name" => o.name = Some(x.as_str().ok_or("name is not text")?.into()),
            "header" => o.header = Some(x.as_bool().ok_or("header is not true/false")?),
            "map" => {
                for (role, col) in x.as_object().ok_or("map is not an object")? {
                    let col = col.as_str().ok_or("map: a column is not text")?;
                    o.map.push(
                        import::parse_map(&format!("{role}={col}")).map_err(|e| e.to_string())?,
                    );
                }
            }
            _ => return Err(format!("unknown option {k}")),
        }
    }
    Ok(o)
}

fn import_entry(root: &Path, file: &str, opts: &ImportOptions) -> Result<Imported, String> {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    let report = import::import_file_report(&mut ws, &root.join(file), opts, &mut Job::silent())
        .map_err(|e| format!("import: {e}"))?;
    let stored = ws.dataset(&report.dataset.name).unwrap().info.rows;
    if stored != report.dataset.rows {
        return Err(format!(
            "report says {} rows, the workspace holds {stored}",
            report.dataset.rows
        ));
    }
    Ok(Imported {
        ws,
        report,
        _dir: dir,
    })
}

// ---- reading a column --------------------------------------------------

fn nulls(c: &Column) -> usize {
    (0..c.len()).filter(|&i| c.is_null(i)).count()
}

fn ints(c: &Column) -> Vec<i64> {
    (0..c.len())
        .filter_map(|i| match c.cell(i) {
            Cell::Int(x) => Some(x),
            _ => None,
        })
        .collect()
}

fn floats(c: &Column) -> Vec<f64> {
    (0..c.len())
        .filter_map(|i| match c.cell(i) {
            Cell::Float(x) => Some(x),
            Cell::Int(x) => Some(x as f64),
            _ => None,
        })
        .collect()
}

fn texts(c: &Column) -> Vec<String> {
    (0..c.len())
        .filter_map(|i| c.text(i).map(str::to_string))
        .collect()
}

fn distinct(c: &Column) -> usize {
    let mut v: Vec<String> = (0..c.len()).map(|i| format!("{:?}", c.cell(i))).collect();
    v.sort();
    v.dedup();
    v.len()
}

/// Microseconds since the epoch of `YYYY-MM-DDTHH:MM:SSZ`.
fn utc(s: &str) -> Result<i64, String> {
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let t = time::PrimitiveDateTime::parse(s, &f).map_err(|e| format!("{s}: {e}"))?;
    Ok(t.assume_utc().unix_timestamp() * 1_000_000)
}

/// Days since the epoch of `YYYY-MM-DD`.
fn days(s: &str) -> Result<i64, String> {
    Ok(utc(&format!("{s}T00:00:00Z"))? / 86_400_000_000)
}

// ---- checks ------------------------------------------------------------

fn num(v: &Value) -> Result<i64, String> {
    v.as_i64()
        .ok_or_else(|| format!("{v} is not a whole number"))
}

fn text(v: &Value) -> Result<&str, String> {
    v.as_str().ok_or_else(|| format!("{v} is not text"))
}

fn list(v: &Value) -> Result<&Vec<Value>, String> {
    v.as_array().ok_or_else(|| format!("{v} is not a list"))
}

fn obj(v: &Value) -> Result<&Map<String, Value>, String> {
    v.as_object().ok_or_else(|| format!("{v} is not an object"))
}

/// The item at a written index (`-1` is the last).
fn nth<T: Clone>(items: &[T], i: &str) -> Result<T, String> {
    let i: i64 = i.parse().map_err(|_| format!("index {i}"))?;
    let at = if i < 0 { items.len() as i64 + i } else { i };
    items
        .get(at as usize)
        .cloned()
        .ok_or_else(|| format!("no item {i} of {}", items.len()))
}

fn expect<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, want {want:?}"))
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// One check on one column's cells.
fn check_column(c: &Column, key: &str, want: &Value) -> Result<(), String> {
    match key {
        "nulls" => expect(key, nulls(c) as i64, num(want)?),
        "distinct" => expect(key, distinct(c) as i64, num(want)?),
        "count" => {
            let t = texts(c);
            for (v, n) in obj(want)? {
                expect(
                    &format!("count of {v:?}"),
                    t.iter().filter(|x| *x == v).count() as i64,
                    num(n)?,
                )?;
            }
            Ok(())
        }
        "count_starting_with" => {
            let t = texts(c);
            for (v, n) in obj(want)? {
                let got = t.iter().filter(|x| x.starts_with(v.as_str())).count() as i64;
                expect(&format!("texts starting with {v:?}"), got, num(n)?)?;
            }
            Ok(())
        }
        "texts" => expect(
            key,
            texts(c),
            list(want)?
                .iter()
                .map(|v| text(v).map(str::to_string))
                .collect::<Result<_, _>>()?,
        ),
        "text_at" => {
            let t = texts(c);
            for (i, v) in obj(want)? {
                expect(&format!("text {i}"), nth(&t, i)?, text(v)?.to_string())?;
            }
            Ok(())
        }
        "text_starts_with" => {
            let t = texts(c);
            for (i, v) in obj(want)? {
                let got = nth(&t, i)?;
                if !got.starts_with(text(v)?) {
                    return Err(format!("text {i} is {got:?}, not starting with {v}"));
                }
            }
            Ok(())
        }
        "texts_contain" => {
            let t = texts(c);
            for v in list(want)? {
                let v = text(v)?;
                if !t.iter().any(|x| x == v) {
                    return Err(format!("no cell {v:?}"));
                }
            }
            Ok(())
        }
        "any_text_contains" => {
            let t = texts(c);
            for v in list(want)? {
                let v = text(v)?;
                if !t.iter().any(|x| x.contains(v)) {
                    return Err(format!("no cell contains {v:?}"));
                }
            }
            Ok(())
        }
        "any_text_starts_with" => {
            let v = text(want)?;
            if texts(c).iter().any(|x| x.starts_with(v)) {
                Ok(())
            } else {
                Err(format!("no cell starts with {v:?}"))
            }
        }
        "ints_count" => expect(key, ints(c).len() as i64, num(want)?),
        "ints_contain" => {
            let x = ints(c);
            for v in list(want)? {
                if !x.contains(&num(v)?) {
                    return Err(format!("no integer {v}"));
                }
            }
            Ok(())
        }
        "int_at" => {
            let x = ints(c);
            for (i, v) in obj(want)? {
                expect(&format!("integer {i}"), nth(&x, i)?, num(v)?)?;
            }
            Ok(())
        }
        "int_sum" => expect(key, ints(c).iter().sum::<i64>(), num(want)?),
        "int_max" => expect(key, ints(c).into_iter().max(), Some(num(want)?)),
        "ints_below_zero" => expect(
            key,
            ints(c).iter().filter(|&&x| x < 0).count() as i64,
            num(want)?,
        ),
        "ints_nonzero" => expect(
            key,
            ints(c).iter().filter(|&&x| x != 0).count() as i64,
            num(want)?,
        ),
        "ints_zero" => expect(
            key,
            ints(c).iter().filter(|&&x| x == 0).count() as i64,
            num(want)?,
        ),
        "ints_multiple_of" => {
            let m = num(want)?;
            match ints(c).into_iter().find(|x| x % m != 0) {
                None => Ok(()),
                Some(x) => Err(format!("{x} is not a multiple of {m}")),
            }
        }
        "floats" => {
            let got = floats(c);
            let w: Vec<f64> = list(want)?.iter().filter_map(Value::as_f64).collect();
            if got.len() == w.len() && got.iter().zip(&w).all(|(a, b)| close(*a, *b)) {
                Ok(())
            } else {
                Err(format!("floats: got {got:?}, want {w:?}"))
            }
        }
        "float_at" => {
            let x = floats(c);
            for (i, v) in obj(want)? {
                let got = nth(&x, i)?;
                // a list: any of these values
                let ok: Vec<f64> = match v {
                    Value::Array(a) => a.iter().filter_map(Value::as_f64).collect(),
                    v => v.as_f64().into_iter().collect(),
                };
                if !ok.iter().any(|w| close(got, *w)) {
                    return Err(format!("number {i}: got {got}, want {v}"));
                }
            }
            Ok(())
        }
        "floats_contain" => {
            let x = floats(c);
            for v in list(want)? {
                let v = v.as_f64().ok_or("not a number")?;
                if !x.contains(&v) {
                    return Err(format!("no number {v}"));
                }
            }
            Ok(())
        }
        "floats_between" => {
            let w = list(want)?;
            let (lo, hi) = (w[0].as_f64().unwrap(), w[1].as_f64().unwrap());
            match floats(c).into_iter().find(|x| !(lo..=hi).contains(x)) {
                None => Ok(()),
                Some(x) => Err(format!("{x} is outside {lo}..={hi}")),
            }
        }
        "floats_below_zero" => expect(
            key,
            floats(c).iter().filter(|&&x| x < 0.0).count() as i64,
            num(want)?,
        ),
        "bools_true" => expect(
            key,
            (0..c.len())
                .filter(|&i| c.cell(i) == Cell::Bool(true))
                .count() as i64,
            num(want)?,
        ),
        "date_at" => {
            let x = ints(c);
            for (i, v) in obj(want)? {
                expect(&format!("date {i}"), nth(&x, i)?, days(text(v)?)?)?;
            }
            Ok(())
        }
        "dates_contain" => {
            let x = ints(c);
            for v in list(want)? {
                if !x.contains(&days(text(v)?)?) {
                    return Err(format!("no date {v}"));
                }
            }
            Ok(())
        }
        "date_min" => expect(key, ints(c).into_iter().min(), Some(days(text(want)?)?)),
        "date_max" => expect(key, ints(c).into_iter().max(), Some(days(text(want)?)?)),
        "dates_between" => {
            let w = list(want)?;
            let (lo, hi) = (days(text(&w[0])?)?, days(text(&w[1])?)?);
            match ints(c).into_iter().find(|x| !(lo..=hi).contains(x)) {
                None => Ok(()),
                Some(x) => Err(format!("day {x} is outside {w:?}")),
            }
        }
        "time_at" => {
            let x = ints(c);
            for (i, v) in obj(want)? {
                expect(&format!("time {i}"), nth(&x, i)?, utc(text(v)?)?)?;
            }
            Ok(())
        }
        "time_min" => expect(key, ints(c).into_iter().min(), Some(utc(text(want)?)?)),
        "time_max" => expect(key, ints(c).into_iter().max(), Some(utc(text(want)?)?)),
        "times_in" => {
            // [from, to): from included, to excluded
            let w = list(want)?;
            let (lo, hi) = (utc(text(&w[0])?)?, utc(text(&w[1])?)?);
            match ints(c).into_iter().find(|x| !(lo..hi).contains(x)) {
                None => Ok(()),
                Some(x) => Err(format!("{x} µs is outside {w:?}")),
            }
        }
        _ => Err(format!("unknown column check {key}")),
    }
}

/// Runs every check of an entry on `x`: the comment keys are skipped, and
/// `any` holds when one of its partial entries has no failures.
fn run_checks<T: ?Sized>(
    x: &T,
    entry: &Map<String, Value>,
    one: fn(&T, &str, &Value) -> Result<(), String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (key, want) in entry {
        let r = match key.as_str() {
            "file" | "options" | "test" | "why" => Ok(()),
            "any" => list(want).and_then(|alts| {
                let fails: Vec<Vec<String>> = alts
                    .iter()
                    .map(|a| run_checks(x, a.as_object().unwrap(), one))
                    .collect();
                if fails.iter().any(Vec::is_empty) {
                    Ok(())
                } else {
                    Err(format!("none of the alternatives holds: {fails:?}"))
                }
            }),
            k => one(x, k, want),
        };
        out.extend(r.err());
    }
    out
}

/// One check of an import entry.
fn import_check(d: &Imported, key: &str, want: &Value) -> Result<(), String> {
    let rep = &d.report;
    match key {
        "rows" => expect(key, rep.dataset.rows as i64, num(want)?),
        "columns" => expect(
            key,
            d.names(),
            serde_json::from_value(want.clone()).map_err(|e| e.to_string())?,
        ),
        "rows_at_least" => {
            if rep.dataset.rows as i64 >= num(want)? {
                Ok(())
            } else {
                Err(format!("{} rows, want at least {want}", rep.dataset.rows))
            }
        }
        "column_count" => expect(key, d.names().len() as i64, num(want)?),
        "no_column_like" => {
            for pat in list(want)? {
                let pat = text(pat)?;
                let hit = d.names().into_iter().find(|n| match pat.strip_suffix('*') {
                    Some(prefix) => n.starts_with(prefix),
                    None => n == pat,
                });
                if let Some(n) = hit {
                    return Err(format!("a column {n:?} ({pat})"));
                }
            }
            Ok(())
        }
        "rows_where" => {
            // {key column: {key value: {column: integer in that row}}}
            for (kc, rows) in obj(want)? {
                let keys = d.col(kc)?;
                for (kv, cols) in obj(rows)? {
                    let row = (0..keys.len())
                        .find(|&i| keys.text(i) == Some(kv.as_str()))
                        .ok_or_else(|| format!("no row with {kc} = {kv:?}"))?;
                    for (c, v) in obj(cols)? {
                        expect(
                            &format!("{c} where {kc} = {kv:?}"),
                            d.col(c)?.cell(row),
                            Cell::Int(num(v)?),
                        )?;
                    }
                }
            }
            Ok(())
        }
        "column_at" => {
            for (i, n) in obj(want)? {
                expect(
                    &format!("column {i}"),
                    nth(&d.names(), i)?,
                    text(n)?.to_string(),
                )?;
            }
            Ok(())
        }
        "types" => {
            for (c, t) in obj(want)? {
                let want = ColumnType::parse(text(t)?).ok_or_else(|| format!("type {t}"))?;
                expect(&format!("type of {c}"), d.info(c)?.ty, want)?;
            }
            Ok(())
        }
        "roles" => {
            for (c, r) in obj(want)? {
                let want = match r {
                    Value::Null => None,
                    r => Some(Role::parse(text(r)?).ok_or_else(|| format!("role {r}"))?),
                };
                expect(&format!("role of {c}"), d.info(c)?.role, want)?;
            }
            Ok(())
        }
        "role_columns" => {
            for (r, c) in obj(want)? {
                let role = Role::parse(r).ok_or_else(|| format!("role {r}"))?;
                let got = rep
                    .dataset
                    .columns
                    .iter()
                    .find(|x| x.role == Some(role))
                    .map(|x| x.name.as_str());
                expect(&format!("{r} column"), got, Some(text(c)?))?;
            }
            Ok(())
        }
        "kind" => expect(
            key,
            serde_json::to_value(rep.dataset.kind).unwrap(),
            want.clone(),
        ),
        "tables" => expect(key, rep.tables as i64, num(want)?),
        "table" => expect(key, rep.table as i64, num(want)?),
        "skipped_rows" => expect(key, rep.skipped_rows as i64, num(want)?),
        "sheet" => expect(key, rep.sheet.as_deref(), Some(text(want)?)),
        "preset" => expect(key, rep.preset.as_deref(), Some(text(want)?)),
        "encoding" => expect(key, rep.encoding.as_deref(), Some(text(want)?)),
        "cells" => {
            for (c, checks) in obj(want)? {
                let col = d.col(c)?;
                for (k, w) in obj(checks)? {
                    check_column(&col, k, w).map_err(|e| format!("{c}: {e}"))?;
                }
            }
            Ok(())
        }
        _ => Err(format!("unknown check {key}")),
    }
}

/// One check of a `tables` entry (what `list_tables` finds).
fn tables_check(t: &[import::TableInfo], key: &str, want: &Value) -> Result<(), String> {
    let title = |i: usize| t[i].title.clone().unwrap_or_default();
    match key {
        "count" => expect(key, t.len() as i64, num(want)?),
        "rows" => expect(
            key,
            t.iter().map(|x| x.rows as i64).collect::<Vec<_>>(),
            serde_json::from_value(want.clone()).unwrap(),
        ),
        "rows_sum" => expect(
            key,
            t.iter().map(|x| x.rows as i64).sum::<i64>(),
            num(want)?,
        ),
        "columns_of" => {
            for (i, cols) in obj(want)? {
                expect(
                    &format!("columns of table {i}"),
                    nth(t, i)?.columns,
                    serde_json::from_value::<Vec<String>>(cols.clone()).unwrap(),
                )?;
            }
            Ok(())
        }
        "same_columns" => {
            let p = list(want)?;
            let (a, b) = (num(&p[0])? as usize, num(&p[1])? as usize);
            expect(key, &t[a].columns, &t[b].columns)
        }
        "title_of" => {
            for (i, v) in obj(want)? {
                expect(
                    &format!("title of table {i}"),
                    nth(t, i)?.title,
                    Some(text(v)?.to_string()),
                )?;
            }
            Ok(())
        }
        "title_contains" => {
            for (i, v) in obj(want)? {
                let i: usize = i.parse().map_err(|_| "index")?;
                if !title(i).contains(text(v)?) {
                    return Err(format!("title of table {i} is {:?}, without {v}", title(i)));
                }
            }
            Ok(())
        }
        "rows_by_title" => {
            for (name, n) in obj(want)? {
                let x = t
                    .iter()
                    .find(|x| x.title.as_deref() == Some(name.as_str()))
                    .ok_or_else(|| format!("no table {name}"))?;
                expect(&format!("rows of {name}"), x.rows as i64, num(n)?)?;
            }
            Ok(())
        }
        "data_tables" => {
            // tables with more than one column: how many, and their rows
            let w = obj(want)?;
            let data: Vec<_> = t.iter().filter(|x| x.columns.len() > 1).collect();
            expect("data tables", data.len() as i64, num(&w["count"])?)?;
            expect(
                "rows of data tables",
                data.iter().map(|x| x.rows as i64).sum::<i64>(),
                num(&w["rows_sum"])?,
            )
        }
        _ => Err(format!("unknown check {key}")),
    }
}

fn manifest() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real_exports.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs one entry of a section; its failures, prefixed with where it is.
fn run_entry(root: &Path, section: &str, i: usize, e: &Map<String, Value>) -> Vec<String> {
    let file = e["file"].as_str().unwrap_or_default();
    let at = format!(
        "{section}[{i}] {file}{} ({})",
        e.get("options")
            .map(|o| format!(" {o}"))
            .unwrap_or_default(),
        e.get("test").and_then(Value::as_str).unwrap_or("")
    );
    let path = root.join(file);
    let tables =
        || import::list_tables(&path, &ImportOptions::default()).map_err(|e| e.to_string());
    let fails = (|| -> Result<Vec<String>, String> {
        match section {
            "imports" => {
                let t = match e.get("options").and_then(|o| o.get("table_titled")) {
                    Some(_) => Some(tables()?),
                    None => None,
                };
                let opts = options(e.get("options"), t.as_deref())?;
                let d = import_entry(root, file, &opts)?;
                Ok(run_checks(&d, e, import_check))
            }
            "tables" => Ok(run_checks(tables()?.as_slice(), e, tables_check)),
            "sheets" => {
                let got = import::list_sheets(&path).map_err(|e| e.to_string())?;
                Ok(expect(
                    "sheets",
                    got,
                    serde_json::from_value(e["sheets"].clone()).unwrap(),
                )
                .err()
                .into_iter()
                .collect())
            }
            "refused" => {
                let opts = options(e.get("options"), None)?;
                let dir = tempfile::tempdir().unwrap();
                let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
                let want = text(&e["error_contains"])?;
                Ok(
                    match import::import_file(&mut ws, &path, &opts, &mut Job::silent()) {
                        Ok(_) => vec!["imported; want a refusal".into()],
                        Err(err) if err.to_string().contains(want) => vec![],
                        Err(err) => vec![format!("refused with {err:?}, without {want:?}")],
                    },
                )
            }
            _ => Err(format!("unknown section {section}")),
        }
    })()
    .unwrap_or_else(|e| vec![e]);
    fails.into_iter().map(|f| format!("{at}: {f}")).collect()
}

#[test]
fn real_exports_import_as_the_manifest_says() {
    let Some(root) = common::real::real_data() else {
        return;
    };
    let m = manifest();
    let mut fails = Vec::new();
    let mut n = 0;
    for section in ["imports", "tables", "sheets", "refused"] {
        for (i, e) in m[section].as_array().unwrap().iter().enumerate() {
            n += 1;
            fails.extend(run_entry(&root, section, i, e.as_object().unwrap()));
        }
    }
    eprintln!("{n} manifest entries checked");
    assert!(
        fails.is_empty(),
        "{} failures:\n{}",
        fails.len(),
        fails.join("\n")
    );
}

/// Every file of the folder imports, or is refused with a reason; the
/// manifest's `every_file` says how many there are.
#[test]
fn every_file_imports_or_is_refused_with_a_reason() {
    let Some(root) = common::real::real_data() else {
        return;
    };
    let m = manifest();
    let every = &m["every_file"];
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    let mut n = 0;
    for sub in every["folders"].as_array().unwrap() {
        let sub = sub.as_str().unwrap();
        for e in std::fs::read_dir(root.join(sub)).unwrap() {
            let path = e.unwrap().path();
            let opts = ImportOptions {
                name: Some(format!("{sub}/{}", import::default_name(&path))),
                ..Default::default()
            };
            let info = import::import_file(&mut ws, &path, &opts, &mut Job::silent())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(info.rows > 0);
            n += 1;
        }
    }
    let want = every["count"].as_u64().unwrap() as usize;
    assert_eq!(n, want);
    assert_eq!(ws.datasets().unwrap().len(), want);
}

/// Every file the manifest names exists, and every file of the folder is
/// named by at least one entry.
#[test]
fn the_manifest_covers_the_folder() {
    let Some(root) = common::real::real_data() else {
        return;
    };
    let m = manifest();
    let mut named = std::collections::BTreeSet::new();
    for section in ["imports", "tables", "sheets", "refused"] {
        for e in m[section].as_array().unwrap() {
            let f = e["file"].as_str().unwrap();
            assert!(
                root.join(f).is_file(),
                "{section}: {f} is not in {}",
                root.display()
            );
            named.insert(f.to_string());
        }
    }
    for sub in m["every_file"]["folders"].as_array().unwrap() {
        let sub = sub.as_str().unwrap();
        for e in std::fs::read_dir(root.join(sub)).unwrap() {
            let f = format!("{sub}/{}", e.unwrap().file_name().to_string_lossy());
            assert!(named.contains(&f), "{f} has no manifest entry");
        }
    }
}

#[test]
fn a_missing_real_data_folder_fails_under_ci() {
    let gone = Path::new("/nonexistent/stepwise-real-data");
    let e = common::real::present_or_skip(gone, true).unwrap_err();
    assert!(e.contains("under CI") && e.contains("/nonexistent"), "{e}");
    assert_eq!(common::real::present_or_skip(gone, false), Ok(None));
    let here = common::real::real_data_path();
    if here.join("SOURCES.md").is_file() {
        assert_eq!(common::real::present_or_skip(&here, true), Ok(Some(here)));
    }
}

#[test]
fn an_unknown_check_is_an_error_not_a_pass() {
    let mut b = stepwise_engine::column::ColumnBuilder::new(ColumnType::Integer);
    b.push_int(-3);
    b.push_null();
    let c = b.take();
    assert!(check_column(&c, "nullz", &Value::from(1))
        .unwrap_err()
        .contains("unknown"));
    assert_eq!(check_column(&c, "nulls", &Value::from(1)), Ok(()));
    assert!(check_column(&c, "ints_below_zero", &Value::from(0)).is_err());
    assert!(options(Some(&serde_json::json!({"tabel": 1})), None).is_err());
    let t: Vec<import::TableInfo> = Vec::new();
    let e = serde_json::json!({"cuont": 0});
    assert_eq!(
        run_checks(t.as_slice(), e.as_object().unwrap(), tables_check).len(),
        1
    );
}
