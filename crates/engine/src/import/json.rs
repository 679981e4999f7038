//! JSON and NDJSON. Records are objects: one per line (NDJSON, streamed),
//! the elements of a top-level array (streamed), or the lists inside a
//! top-level object (each list a table: Matomo's GDPR export). Nested
//! objects are flattened to dotted columns; GA4 BigQuery `event_params` /
//! `user_properties` key/value arrays become one column per key; the
//! `properties` of Mixpanel/PostHog events are lifted to the top; other
//! arrays are kept as JSON text. An Amplitude chart response becomes a time
//! series table.

use super::encode::{Chunk, RowEncoder, Sink};
use super::infer::{self, Candidates, CellParser, StyleHint};
use super::plan;
use super::sniff::Format;
use super::{ImportOptions, Prepared, Source, TableInfo};
use crate::error::{Error, Location, Result};
use crate::job::Job;
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Largest JSON document (not NDJSON, not a top-level array) read whole.
pub const MAX_DOCUMENT_BYTES: u64 = 512 << 20;

fn bad(path: &Path, msg: impl Into<String>) -> Error {
    Error::bad_input(Location::file(path), msg)
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some(String::new()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// GA4's `[{key, value: {string_value | int_value | float_value |
/// double_value}}]`.
fn key_value_array(a: &[Value]) -> Option<Vec<(String, String)>> {
    if a.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(a.len());
    for item in a {
        let o = item.as_object()?;
        let key = o.get("key")?.as_str()?;
        let val = o.get("value")?;
        let text = match val {
            Value::Object(vo) => vo
                .iter()
                .filter(|(k, _)| k.ends_with("_value") || k.as_str() == "value")
                .find_map(|(_, v)| (!v.is_null()).then(|| scalar_text(v)).flatten())
                .unwrap_or_default(),
            other => scalar_text(other).unwrap_or_else(|| other.to_string()),
        };
        out.push((key.to_string(), text));
    }
    Some(out)
}

/// Flattens one record into (column, text) pairs.
pub fn flatten_record(v: &Value, out: &mut Vec<(String, String)>) {
    out.clear();
    match v {
        Value::Object(o) => {
            // Mixpanel / PostHog: {event, properties: {...}}
            if o.contains_key("event") {
                if let Some(Value::Object(props)) = o.get("properties") {
                    for (k, val) in o {
                        if k != "properties" {
                            flatten_into(k, val, out);
                        }
                    }
                    for (k, val) in props {
                        let name = if o.contains_key(k) {
                            format!("properties.{k}")
                        } else {
                            k.clone()
                        };
                        flatten_into(&name, val, out);
                    }
                    return;
                }
            }
            for (k, val) in o {
                flatten_into(k, val, out);
            }
        }
        other => flatten_into("value", other, out),
    }
}

fn flatten_into(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(o) => {
            if o.is_empty() {
                out.push((prefix.to_string(), String::new()));
            }
            for (k, val) in o {
                flatten_into(&format!("{prefix}.{k}"), val, out);
            }
        }
        Value::Array(a) => {
            if let Some(kv) = key_value_array(a) {
                for (k, t) in kv {
                    out.push((format!("{prefix}.{k}"), t));
                }
            } else if a.is_empty() {
                out.push((prefix.to_string(), String::new()));
            } else {
                out.push((prefix.to_string(), v.to_string()));
            }
        }
        other => out.push((prefix.to_string(), scalar_text(other).unwrap_or_default())),
    }
}

/// Pass 1 over records: columns in order of first appearance and what
/// their cells could be.
#[derive(Default)]
pub struct Collector {
    pub names: Vec<String>,
    pub index: HashMap<String, usize>,
    pub cands: Vec<Candidates>,
    pub rows: u64,
    pub hints: (u64, u64),
    buf: Vec<(String, String)>,
}

impl Collector {
    pub fn add(&mut self, v: &Value) {
        let mut buf = std::mem::take(&mut self.buf);
        flatten_record(v, &mut buf);
        for (k, t) in &buf {
            let i = match self.index.get(k) {
                Some(&i) => i,
                None => {
                    let i = self.names.len();
                    self.names.push(k.clone());
                    self.index.insert(k.clone(), i);
                    self.cands.push(Candidates::default());
                    i
                }
            };
            self.cands[i].observe(t);
            if self.rows < 100_000 {
                match infer::style_hint(infer::trim(t)) {
                    StyleHint::Point => self.hints.0 += 1,
                    StyleHint::Comma => self.hints.1 += 1,
                    StyleHint::None => {}
                }
            }
        }
        self.rows += 1;
        self.buf = buf;
    }

    /// A record's cells in column order ("" for missing).
    pub fn row(&self, v: &Value, buf: &mut Vec<(String, String)>) -> Vec<String> {
        flatten_record(v, buf);
        let mut row = vec![String::new(); self.names.len()];
        for (k, t) in buf.drain(..) {
            if let Some(&i) = self.index.get(&k) {
                row[i] = t;
            }
        }
        row
    }
}

/// Calls `f` for each element of a top-level JSON array, streaming.
fn for_each_element<R: std::io::Read>(
    reader: R,
    f: &mut dyn FnMut(Value) -> Result<()>,
) -> std::result::Result<Result<()>, serde_json::Error> {
    struct Seed<'a>(
        &'a mut dyn FnMut(Value) -> Result<()>,
        &'a mut Option<Error>,
    );
    impl<'de> DeserializeSeed<'de> for Seed<'_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(
            self,
            d: D,
        ) -> std::result::Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    impl<'de> Visitor<'de> for Seed<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of records")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
            while let Some(v) = seq.next_element::<Value>()? {
                if let Err(e) = (self.0)(v) {
                    *self.1 = Some(e);
                    return Err(serde::de::Error::custom("stopped"));
                }
            }
            Ok(())
        }
    }
    let mut stop = None;
    let mut de = serde_json::Deserializer::from_reader(reader);
    let r = Seed(f, &mut stop)
        .deserialize(&mut de)
        .and_then(|_| de.end());
    match (r, stop) {
        (_, Some(e)) => Ok(Err(e)),
        (Err(e), None) => Err(e),
        (Ok(()), None) => Ok(Ok(())),
    }
}

fn json_error(path: &Path, e: &serde_json::Error) -> Error {
    let what = match e.classify() {
        serde_json::error::Category::Eof => "the JSON ends too early (the file is cut short)",
        serde_json::error::Category::Syntax => "the JSON is not valid",
        serde_json::error::Category::Data => "the JSON does not hold records",
        serde_json::error::Category::Io => "the file could not be read",
    };
    Error::bad_input(
        Location::file(path).row(e.line() as u64),
        format!("{what} (column {}: {e})", e.column()),
    )
}

fn open(path: &Path) -> Result<BufReader<std::fs::File>> {
    std::fs::File::open(path)
        .map(|f| {
            let size = f.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
            BufReader::with_capacity(super::delimited::room(1 << 20, size), f)
        })
        .map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })
}

/// Each NDJSON line as a value, with its line number.
fn for_each_line(path: &Path, f: &mut dyn FnMut(u64, Value) -> Result<()>) -> Result<()> {
    let mut r = open(path)?;
    let mut line = Vec::new();
    let mut n = 0u64;
    loop {
        line.clear();
        let got = r.read_until(b'\n', &mut line).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        if got == 0 {
            break;
        }
        n += 1;
        let text = std::str::from_utf8(&line).map_err(|_| {
            Error::bad_input(
                Location::file(path).row(n),
                "this line is not valid UTF-8 text",
            )
        })?;
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(text).map_err(|e| {
            Error::bad_input(
                Location::file(path).row(n),
                format!("this line is not a JSON object ({e})"),
            )
        })?;
        if !v.is_object() {
            return Err(Error::bad_input(
                Location::file(path).row(n),
                "this line is not a JSON object; NDJSON has one object per line",
            ));
        }
        f(n, v)?;
    }
    Ok(())
}

/// The tables of a JSON document that is an object: its lists of objects
/// (one level down too), or an Amplitude chart's series.
fn document_tables(root: &Map<String, Value>) -> Vec<(String, Vec<Value>)> {
    // Amplitude chart API: data.xValues + data.series
    if let Some(Value::Object(data)) = root.get("data") {
        if let (Some(Value::Array(xs)), Some(Value::Array(series))) =
            (data.get("xValues"), data.get("series"))
        {
            let mut rows = Vec::with_capacity(xs.len());
            for (i, x) in xs.iter().enumerate() {
                let mut o = Map::new();
                o.insert("time".into(), x.clone());
                for (s, ser) in series.iter().enumerate() {
                    let v = ser
                        .get(i)
                        .map(|p| p.get("value").cloned().unwrap_or_else(|| p.clone()))
                        .unwrap_or(Value::Null);
                    o.insert(format!("series_{}", s + 1), v);
                }
                rows.push(Value::Object(o));
            }
            return vec![("data.series".into(), rows)];
        }
    }
    let mut out = Vec::new();
    for (k, v) in root {
        match v {
            Value::Array(a) if a.iter().all(|x| x.is_object()) => out.push((k.clone(), a.clone())),
            Value::Object(inner) => {
                for (k2, v2) in inner {
                    if let Value::Array(a) = v2 {
                        if !a.is_empty() && a.iter().all(|x| x.is_object()) {
                            out.push((format!("{k}.{k2}"), a.clone()));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

enum Shape {
    Lines,
    Array,
    Document(Vec<(String, Vec<Value>)>),
}

fn shape(path: &Path, format: Format, total: u64) -> Result<Shape> {
    if format == Format::Ndjson {
        return Ok(Shape::Lines);
    }
    let mut r = open(path)?;
    // first non-space byte (after a BOM)
    let first = loop {
        let buf = r.fill_buf().map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        if buf.is_empty() {
            return Err(bad(path, "the file is empty"));
        }
        let skip = buf
            .iter()
            .position(|&b| !(b.is_ascii_whitespace() || b == 0xef || b == 0xbb || b == 0xbf));
        match skip {
            Some(i) => break buf[i],
            None => {
                let n = buf.len();
                r.consume(n);
            }
        }
    };
    if first == b'[' {
        return Ok(Shape::Array);
    }
    if total > MAX_DOCUMENT_BYTES {
        return Err(bad(
            path,
            format!(
                "this JSON document is {} MB; Stepwise reads documents up to {} MB whole (write one record per line, NDJSON, for larger exports)",
                total >> 20,
                MAX_DOCUMENT_BYTES >> 20
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    let root: Value = serde_json::from_slice(text).map_err(|e| json_error(path, &e))?;
    match root {
        Value::Object(o) => {
            let tables = document_tables(&o);
            if tables.is_empty() {
                return Err(bad(
                    path,
                    "the JSON document is one object with no list of records in it; Stepwise imports arrays of objects, one object per line (NDJSON), or objects holding such lists",
                ));
            }
            Ok(Shape::Document(tables))
        }
        _ => Err(bad(path, "the JSON document holds no records")),
    }
}

pub fn list_tables(path: &Path, format: Format) -> Result<Vec<TableInfo>> {
    let total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    match shape(path, format, total)? {
        Shape::Document(tables) => Ok(tables
            .iter()
            .enumerate()
            .map(|(i, (name, rows))| {
                let mut c = Collector::default();
                rows.iter().for_each(|r| c.add(r));
                TableInfo {
                    index: i,
                    title: Some(name.clone()),
                    columns: c.names,
                    rows: rows.len() as u64,
                    line: 0,
                }
            })
            .collect()),
        _ => Ok(Vec::new()),
    }
}

/// What the storing pass over NDJSON or a top-level array needs.
pub struct NdPass2 {
    pub path: PathBuf,
    pub lines: bool,
    pub index: HashMap<String, usize>,
    pub width: usize,
}

pub(crate) fn prepare(
    path: &Path,
    format: Format,
    opts: &ImportOptions,
    tz: super::infer::Zone,
    total: u64,
    job: &mut Job,
) -> Result<Prepared> {
    let hash = file_hash(path)?;
    let mut c = Collector::default();
    let mut notes = Vec::new();
    let (source, table, tables, fmt) = match shape(path, format, total)? {
        Shape::Lines => {
            for_each_line(path, &mut |_, v| {
                c.add(&v);
                if c.rows % 65_536 == 0 {
                    job.check()?;
                }
                Ok(())
            })?;
            (None, 0, 1, "ndjson")
        }
        Shape::Array => {
            let mut not_object = None;
            let r = for_each_element(open(path)?, &mut |v| {
                if !v.is_object() && not_object.is_none() {
                    not_object = Some(c.rows + 1);
                }
                c.add(&v);
                if c.rows % 65_536 == 0 {
                    job.check()?;
                }
                Ok(())
            });
            match r {
                Ok(inner) => inner?,
                Err(e) => return Err(json_error(path, &e)),
            }
            if let Some(n) = not_object {
                return Err(Error::bad_input(
                    Location::file(path).row(n),
                    "record {n} of the array is not an object; Stepwise imports arrays of objects",
                ));
            }
            (None, 0, 1, "json")
        }
        Shape::Document(mut ts) => {
            let i = match opts.table {
                Some(i) if i < ts.len() => i,
                Some(_) => {
                    return Err(Error::Invalid(format!(
                        "the JSON document has {} table(s); choose one from 1 to {}",
                        ts.len(),
                        ts.len()
                    )))
                }
                None => {
                    let mut best = 0;
                    for (i, t) in ts.iter().enumerate() {
                        if t.1.len() > ts[best].1.len() {
                            best = i;
                        }
                    }
                    best
                }
            };
            let n = ts.len();
            let (name, rows) = ts.swap_remove(i);
            if n > 1 {
                notes.push(format!(
                    "the document holds {n} tables; \"{name}\" ({} rows) was imported",
                    rows.len()
                ));
            }
            rows.iter().for_each(|r| c.add(r));
            let mut buf = Vec::new();
            let cells: Vec<Vec<String>> = rows.iter().map(|r| c.row(r, &mut buf)).collect();
            (Some(cells), i, n, "json")
        }
    };
    if c.rows == 0 {
        return Err(bad(path, "the JSON holds no records"));
    }
    if c.names.len() > super::delimited::MAX_COLUMNS {
        return Err(bad(
            path,
            format!(
                "the records have {} different fields; Stepwise reads up to {} columns",
                c.names.len(),
                super::delimited::MAX_COLUMNS
            ),
        ));
    }
    let style = infer::decide_style(c.hints.0, c.hints.1, false);
    let names = plan::header_names(&c.names, c.names.len(), true);
    let plan = plan::make_plan(names, &c.cands, true, style, tz, opts)?;
    let width = c.names.len();
    let source = match source {
        Some(rows) => Source::Memory(rows),
        None => Source::Ndjson(NdPass2 {
            path: path.to_path_buf(),
            lines: fmt == "ndjson",
            index: c.index,
            width,
        }),
    };
    Ok(Prepared {
        order: (0..width).collect(),
        plan,
        hash,
        bytes_total: total,
        source,
        format: fmt,
        encoding: Some("UTF-8".into()),
        delimiter: None,
        sheet: None,
        table,
        tables,
        skipped_rows: 0,
        style,
        notes,
    })
}

pub(crate) fn produce_nd(
    p: &NdPass2,
    parsers: &[CellParser],
    order: &[usize],
    sink: &mut Sink<'_>,
) -> Result<()> {
    let mut enc = RowEncoder::new(parsers);
    let mut buf = Vec::new();
    let mut row: Vec<String> = vec![String::new(); p.width];
    let mut push = |v: Value| -> Result<()> {
        flatten_record(&v, &mut buf);
        row.iter_mut().for_each(|s| s.clear());
        for (k, t) in buf.drain(..) {
            if let Some(&i) = p.index.get(&k) {
                row[i] = t;
            }
        }
        enc.push_row(
            order
                .iter()
                .map(|&i| row.get(i).map(|s| s.as_str()).unwrap_or("")),
        );
        if enc.is_full() {
            sink(Chunk {
                columns: enc.take(),
                raw: None,
                bytes_done: 0,
            })?;
        }
        Ok(())
    };
    if p.lines {
        for_each_line(&p.path, &mut |_, v| push(v))?;
    } else {
        match for_each_element(open(&p.path)?, &mut push) {
            Ok(r) => r?,
            Err(e) => return Err(json_error(&p.path, &e)),
        }
    }
    if enc.rows() > 0 {
        sink(Chunk {
            columns: enc.take(),
            raw: None,
            bytes_done: 0,
        })?;
    }
    Ok(())
}

fn file_hash(path: &Path) -> Result<String> {
    use sha2::Digest;
    let mut f = std::fs::File::open(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let mut h = sha2::Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    Ok(format!("{:x}", h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn flat(v: Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        flatten_record(&v, &mut out);
        out
    }

    #[test]
    fn nested_objects_become_dotted_columns() {
        let f = flat(json!({"a": 1, "b": {"c": "x", "d": {"e": true}}, "n": null, "l": [1, 2]}));
        assert_eq!(
            f,
            vec![
                ("a".into(), "1".into()),
                ("b.c".into(), "x".into()),
                ("b.d.e".into(), "true".into()),
                ("n".into(), "".into()),
                ("l".into(), "[1,2]".into()),
            ]
        );
    }

    #[test]
    fn ga4_event_params_become_a_column_per_key() {
        let f = flat(json!({
            "event_name": "page_view",
            "event_params": [
                {"key": "page_location", "value": {"string_value": "https://x/", "int_value": null}},
                {"key": "ga_session_id", "value": {"string_value": null, "int_value": 1605937059}},
                {"key": "engagement_time_msec", "value": {"int_value": "12"}}
            ]
        }));
        assert!(f.contains(&("event_params.page_location".into(), "https://x/".into())));
        assert!(f.contains(&("event_params.ga_session_id".into(), "1605937059".into())));
        assert!(f.contains(&("event_params.engagement_time_msec".into(), "12".into())));
    }

    #[test]
    fn mixpanel_properties_are_lifted() {
        let f = flat(
            json!({"event": "Sign up", "properties": {"time": 1700000000, "distinct_id": "u1", "event": "dup"}}),
        );
        assert!(f.contains(&("event".into(), "Sign up".into())));
        assert!(f.contains(&("time".into(), "1700000000".into())));
        assert!(f.contains(&("distinct_id".into(), "u1".into())));
        assert!(f.contains(&("properties.event".into(), "dup".into())));
    }

    #[test]
    fn amplitude_chart_becomes_a_time_series() {
        let root = json!({"data": {"xValues": ["2022-04-04T00:00:00", "2022-04-04T00:05:00"],
            "series": [[{"setId": "", "value": 3}, {"setId": "", "value": 0}]]}, "wasCached": true});
        let t = document_tables(root.as_object().unwrap());
        assert_eq!(t.len(), 1);
        let mut c = Collector::default();
        t[0].1.iter().for_each(|r| c.add(r));
        assert_eq!(c.names, vec!["time", "series_1"]);
        assert_eq!(c.rows, 2);
    }

    #[test]
    fn streaming_an_array_stops_on_request() {
        let data = br#"[{"a":1},{"a":2},{"a":3}]"#;
        let mut n = 0;
        let r = for_each_element(&data[..], &mut |_| {
            n += 1;
            if n == 2 {
                Err(Error::Cancelled)
            } else {
                Ok(())
            }
        });
        assert!(matches!(r, Ok(Err(Error::Cancelled))));
        assert!(for_each_element(&b"[{\"a\":1},"[..], &mut |_| Ok(())).is_err());
    }
}
