//! Running compiled SQL (crate::funnel::sql) on a ClickHouse server over its
//! HTTP interface: plain HTTP with the standard library (no new dependency),
//! and nothing is sent anywhere unless the user gives a URL or stores a
//! connection for a dataset. The CLI's `--engine clickhouse` and the app's
//! "Count on ClickHouse" both come here. docs/clickhouse.md.

use crate::compare::{
    compare_counted, compare_funnels, CompareFunnels, CompareResult, CompareSpec,
};
use crate::error::{Error, Result};
use crate::funnel::sql::{clickhouse_sql, SqlTarget};
use crate::funnel::{BreakdownRow, FunnelResult, FunnelSpec, StepResult};
use crate::model::DatasetInfo;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub use crate::model::{redact_url as redact, ClickhouseConnection as Connection};

/// Runs a comparison on ClickHouse: each group's funnel counted there (a
/// query per segment, the group as a persona subquery; one broken-down
/// query for `by`), the statistics computed here from the counts by the
/// same [`compare_counted`] as a local comparison.
pub fn run_compare(
    spec: &CompareSpec,
    info: &DatasetInfo,
    conn: &Connection,
) -> Result<CompareResult> {
    let groups = match compare_funnels(spec, info)? {
        CompareFunnels::Segments(fs) => fs
            .iter()
            .map(|(name, f)| Ok((name.clone(), run_funnel(f, info, conn)?.steps)))
            .collect::<Result<Vec<_>>>()?,
        CompareFunnels::By(f) => run_funnel(&f, info, conn)?
            .breakdown
            .into_iter()
            .map(|b| (b.value, b.steps))
            .collect(),
    };
    let warnings = vec![format!(
        "Counted on ClickHouse at {}: conversion times are not computed there.",
        redact(&conn.url)
    )];
    compare_counted(
        spec,
        groups,
        spec.funnel.unit().as_str().to_string(),
        warnings,
    )
}

/// Runs a funnel on ClickHouse: compiles it for `info`'s columns, sends
/// it, and reads the step counts back (no times).
pub fn run_funnel(
    spec: &FunnelSpec,
    info: &DatasetInfo,
    conn: &Connection,
) -> Result<FunnelResult> {
    if let Some(p) = conn.problem() {
        return Err(Error::Invalid(p));
    }
    let target = SqlTarget {
        table: conn.table.clone().unwrap_or_else(|| info.name.clone()),
        row_order: conn.row_order.clone(),
    };
    let sql = clickhouse_sql(spec, info, &target)?;
    let rows = query(&conn.url, &sql)?;
    result(spec, &rows)
}

/// POSTs `sql` with `FORMAT JSONEachRow`; the rows of the answer.
pub fn query(url: &str, sql: &str) -> Result<Vec<serde_json::Value>> {
    let bad = |m: String| Error::Invalid(format!("ClickHouse at {}: {m}", redact(url)));
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        bad("only plain http:// URLs are supported; reach an https server through a local tunnel or proxy".into())
    })?;
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if hostport.contains('@') {
        return Err(bad(
            "put the user and password in STEPWISE_CLICKHOUSE_USER and STEPWISE_CLICKHOUSE_PASSWORD, not in the URL".into(),
        ));
    }
    let addr = if hostport.contains(':') {
        hostport.to_string()
    } else {
        format!("{hostport}:8123")
    };
    let body = format!("{}\nFORMAT JSONEachRow\n", sql.trim_end());
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {hostport}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if let Ok(u) = std::env::var("STEPWISE_CLICKHOUSE_USER") {
        head += &format!("X-ClickHouse-User: {u}\r\n");
    }
    if let Ok(p) = std::env::var("STEPWISE_CLICKHOUSE_PASSWORD") {
        head += &format!("X-ClickHouse-Key: {p}\r\n");
    }
    head += "\r\n";
    let mut s = TcpStream::connect(&addr).map_err(|e| bad(format!("cannot connect ({e})")))?;
    // short read timeouts, so that a cancel (the app's Cancel, Esc) is
    // seen while the server computes: the connection is then closed, which
    // ClickHouse takes as the client going away (docs/clickhouse.md)
    let _ = s.set_read_timeout(Some(Duration::from_millis(100)));
    s.write_all(head.as_bytes())
        .and_then(|_| s.write_all(body.as_bytes()))
        .map_err(|e| bad(format!("sending the query failed ({e})")))?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let asked = std::time::Instant::now();
    loop {
        crate::job::step("Waiting for ClickHouse", 0, 0)?;
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::TimedOut
                        | std::io::ErrorKind::Interrupted
                ) =>
            {
                if asked.elapsed() > Duration::from_secs(3600) {
                    return Err(bad("no answer within an hour".into()));
                }
            }
            Err(e) => return Err(bad(format!("reading the answer failed ({e})"))),
        }
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("the answer is not HTTP".into()))?;
    let headers = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut payload = raw[split + 4..].to_vec();
    let status: u16 = headers
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| bad("the answer is not HTTP".into()))?;
    if headers.lines().any(|l| {
        l.to_ascii_lowercase().starts_with("transfer-encoding:")
            && l.to_ascii_lowercase().contains("chunked")
    }) {
        payload = dechunk(&payload).ok_or_else(|| bad("a broken chunked answer".into()))?;
    }
    let text = String::from_utf8_lossy(&payload).to_string();
    if status != 200 {
        let first = text.lines().next().unwrap_or("").trim();
        return Err(bad(format!("HTTP {status}: {first}")));
    }
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| bad(format!("a row is not JSON ({e}): {l}"))))
        .collect()
}

fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let end = b.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&b[..end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        b = &b[end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size + 2..)?;
    }
}

fn num(v: &serde_json::Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

fn steps(spec: &FunnelSpec, counts: &[u64]) -> Vec<StepResult> {
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    counts
        .iter()
        .enumerate()
        .map(|(q, &c)| {
            let prev = if q == 0 { c } else { counts[q - 1] };
            StepResult {
                label: spec.step_label(q),
                count: c,
                conversion_from_start: ratio(c, counts[0]),
                conversion_from_previous: if q == 0 { 1.0 } else { ratio(c, prev) },
                dropped: prev.saturating_sub(c),
                average_seconds: None,
                median_seconds: None,
            }
        })
        .collect()
}

/// The rows (`step`, `count`, and `value` with a breakdown) as a
/// funnel result, without times.
pub fn result(spec: &FunnelSpec, rows: &[serde_json::Value]) -> Result<FunnelResult> {
    let k = spec.steps.len();
    let bad = || Error::Invalid("ClickHouse answered rows that are not the funnel's".into());
    let mut total = vec![0u64; k];
    let mut groups: Vec<(String, Vec<u64>)> = Vec::new();
    for r in rows {
        let q = r.get("step").and_then(num).ok_or_else(bad)? as usize;
        let c = r.get("count").and_then(num).ok_or_else(bad)?;
        if q >= k {
            return Err(bad());
        }
        match r.get("value").and_then(|v| v.as_str()) {
            Some(v) if spec.breakdown.is_some() => {
                if groups.last().is_none_or(|(g, _)| g != v) {
                    groups.push((v.to_string(), vec![0; k]));
                }
                groups.last_mut().unwrap().1[q] = c;
                total[q] += c;
            }
            _ => total[q] = c,
        }
    }
    Ok(FunnelResult {
        steps: steps(spec, &total),
        breakdown: groups
            .into_iter()
            .map(|(value, c)| BreakdownRow {
                value,
                steps: steps(spec, &c),
            })
            .collect(),
        trend: None,
        time_to_convert: None,
        unit: spec.unit().as_str().to_string(),
        excluded: 0,
        warnings: vec!["Counted on ClickHouse: conversion times and the number of excluded units are not computed there.".into()],
    })
}
