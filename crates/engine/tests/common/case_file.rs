//! The case-file format of tests/cases/ (tests/cases/README.md): records,
//! and loading a dataset record into a workspace. Used by `cases.rs` and
//! `clickhouse_conformance.rs`.

use super::ws::TempWs;
use serde_json::Value;
use stepwise_engine::import::{parse_map, ImportOptions};
use stepwise_engine::{ColumnType, DatasetKind, Role};

/// One record of a case file, with the line it starts on.
#[derive(Debug)]
pub enum Record {
    Dataset {
        line: usize,
        name: String,
        direct: bool,
        map: Vec<(Role, String)>,
        seconds: Vec<String>,
        csv: String,
    },
    Query {
        line: usize,
        kind: String,
        args: Vec<String>,
        spec: String,
        expect: Vec<(usize, String)>,
    },
}

/// Splits a case file into records: blocks separated by blank lines, `#`
/// lines being comments.
pub fn parse(text: &str) -> Result<Vec<Record>, String> {
    let mut blocks: Vec<Vec<(usize, &str)>> = vec![vec![]];
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        if line.trim().is_empty() {
            if !blocks.last().unwrap().is_empty() {
                blocks.push(vec![]);
            }
        } else {
            blocks.last_mut().unwrap().push((i + 1, line));
        }
    }
    let mut out = Vec::new();
    for b in blocks.into_iter().filter(|b| !b.is_empty()) {
        let (line, head) = b[0];
        let sep = b
            .iter()
            .position(|(_, l)| l.trim() == "----")
            .ok_or_else(|| format!("line {line}: a record needs a `----` line"))?;
        let mut words = head.split_whitespace();
        let kind = words.next().unwrap_or_default().to_string();
        let args: Vec<String> = words.map(str::to_string).collect();
        let body: Vec<(usize, &str)> = b[1..sep].to_vec();
        let after: Vec<(usize, String)> = b[sep + 1..]
            .iter()
            .map(|(n, l)| (*n, l.to_string()))
            .collect();
        match kind.as_str() {
            "dataset" => {
                let direct = args.last().is_some_and(|a| a == "(direct)");
                let name_words = &args[..args.len() - usize::from(direct)];
                let mut map = Vec::new();
                let mut seconds = Vec::new();
                for (n, l) in &body {
                    let (key, rest) = l.split_once(' ').unwrap_or((l, ""));
                    match key {
                        "map" => {
                            for m in rest.split_whitespace() {
                                map.push(parse_map(m).map_err(|e| format!("line {n}: {e}"))?);
                            }
                        }
                        "seconds" => seconds.extend(rest.split_whitespace().map(str::to_string)),
                        _ => return Err(format!("line {n}: unknown dataset option `{key}`")),
                    }
                }
                let mut csv = String::new();
                for (_, l) in &after {
                    csv.push_str(l);
                    csv.push('\n');
                }
                out.push(Record::Dataset {
                    line,
                    name: name_words.join(" "),
                    direct,
                    map,
                    seconds,
                    csv,
                });
            }
            "funnel" | "segment" => out.push(Record::Query {
                line,
                kind,
                args,
                spec: body.iter().map(|(_, l)| *l).collect::<Vec<_>>().join("\n"),
                expect: after,
            }),
            _ => return Err(format!("line {line}: unknown record `{kind}`")),
        }
    }
    Ok(out)
}

/// Whole seconds since the epoch as an ISO UTC timestamp.
pub fn iso(seconds: &str) -> Result<String, String> {
    let s: i64 = seconds
        .parse()
        .map_err(|_| format!("`{seconds}` is not whole seconds"))?;
    let t = time::OffsetDateTime::from_unix_timestamp(s).map_err(|e| e.to_string())?;
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let text = t.format(&f).map_err(|e| e.to_string())?;
    if !(0..=9999).contains(&t.year()) {
        return Err(format!(
            "{seconds} s is outside years 0..9999; load the dataset `(direct)`"
        ));
    }
    Ok(text)
}

/// Loads a dataset record into the workspace: through the engine's import
/// (the CSV as written, with `seconds` columns written as ISO timestamps),
/// or, for `(direct)`, through the column writer (text columns, `seconds`
/// columns as timestamps) for instants no file could hold.
pub fn load(
    w: &mut TempWs,
    name: &str,
    direct: bool,
    map: &[(Role, String)],
    seconds: &[String],
    csv: &str,
) -> Result<(), String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(csv.as_bytes());
    let header: Vec<String> = r
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|rec| rec.map(|r| r.iter().map(str::to_string).collect()))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let is_seconds = |c: &str| seconds.iter().any(|s| s == c);
    if direct {
        let cols: Vec<_> = header
            .iter()
            .map(|h| {
                let ty = if is_seconds(h) {
                    ColumnType::Timestamp
                } else {
                    ColumnType::Text
                };
                let role = map.iter().find(|(_, c)| c == h).map(|(r, _)| *r);
                super::funnel::col(h, ty, role)
            })
            .collect();
        super::funnel::dataset(&mut w.ws, name, DatasetKind::Events, &cols, &rows);
        return Ok(());
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).map_err(|e| e.to_string())?;
    for row in rows {
        let row: Vec<String> = row
            .into_iter()
            .zip(&header)
            .map(|(v, h)| {
                if is_seconds(h) && !v.is_empty() {
                    iso(&v)
                } else {
                    Ok(v)
                }
            })
            .collect::<Result<_, _>>()?;
        out.write_record(&row).map_err(|e| e.to_string())?;
    }
    let text = String::from_utf8(out.into_inner().map_err(|e| e.to_string())?).unwrap();
    let opts = ImportOptions {
        name: Some(name.to_string()),
        map: map.to_vec(),
        ..Default::default()
    };
    w.import_text(&format!("{name}.csv"), &text, &opts)
        .map(|_| ())
        .map_err(|e| format!("import of {name}: {e}"))
}

/// The spec JSON with `dataset` filled in from the last dataset above when
/// the key is absent; a bare list in a segment query is its conditions.
pub fn spec_json(kind: &str, text: &str, dataset: Option<&str>) -> Result<Value, String> {
    let mut v: Value = serde_json::from_str(text).map_err(|e| format!("spec: {e}"))?;
    if kind == "segment" && v.is_array() {
        v = serde_json::json!({"name": "s", "conditions": v});
    }
    if let (Some(o), Some(d)) = (v.as_object_mut(), dataset) {
        o.entry("dataset").or_insert_with(|| Value::from(d));
    }
    Ok(v)
}
