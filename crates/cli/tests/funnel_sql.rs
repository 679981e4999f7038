//! `stepwise funnel SPEC --sql clickhouse [--table NAME]` prints the funnel
//! as ClickHouse SQL, and refuses what cannot run there with a sentence.

use std::path::Path;
use std::process::Command;
mod common;
use common::stepwise;

#[test]
fn funnel_prints_clickhouse_sql_for_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let csv = dir.path().join("events.csv");
    std::fs::write(
        &csv,
        "user,time,event,device\na,2024-09-01T10:00:00Z,view,m\na,2024-09-01T10:01:00Z,buy,m\n",
    )
    .unwrap();
    let out = stepwise(&ws, &["import", csv.to_str().unwrap(), "--name", "shop"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let spec = dir.path().join("f.json");
    std::fs::write(
        &spec,
        r#"{"dataset":"shop","steps":[{"event":"view"},{"event":"buy"}],"breakdown":{"column":"device"}}"#,
    )
    .unwrap();
    let spec = spec.to_str().unwrap();

    let out = stepwise(&ws, &["funnel", spec, "--sql", "clickhouse"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sql = String::from_utf8(out.stdout).unwrap();
    assert!(sql.contains("FROM `shop`"), "{sql}");
    assert!(sql.contains("`event` = 'view'"), "{sql}");
    assert!(
        sql.contains("SELECT value, toUInt32(step) AS step"),
        "{sql}"
    );

    let out = stepwise(
        &ws,
        &[
            "funnel",
            spec,
            "--sql",
            "clickhouse",
            "--table",
            "analytics.events",
            "--row-order",
            "device",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sql = String::from_utf8(out.stdout).unwrap();
    assert!(sql.contains("FROM analytics.events"), "{sql}");
    assert!(sql.contains("`device` AS _r"), "{sql}");

    // an option that is not pushed down is refused, not ignored
    let trend = dir.path().join("t.json");
    std::fs::write(
        &trend,
        r#"{"dataset":"shop","steps":[{"event":"view"}],"trend":{"interval":"day"}}"#,
    )
    .unwrap();
    let out = stepwise(
        &ws,
        &["funnel", trend.to_str().unwrap(), "--sql", "clickhouse"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot be run in ClickHouse: a trend"),
        "{err}"
    );

    // --table needs --sql
    let out = stepwise(&ws, &["funnel", spec, "--table", "x"]);
    assert!(!out.status.success());
}

fn under_ci() -> bool {
    matches!(std::env::var("CI").ok().as_deref().map(str::trim), Some(v) if !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// `--engine clickhouse --url` sends the SQL to a ClickHouse HTTP interface
/// (here a loopback front end over chdb, tests/reference/chdb_http.py) and
/// prints the same counts as the local engine; the credentials come from
/// the environment.
#[test]
fn funnel_runs_on_clickhouse_over_http_with_the_same_counts() {
    use std::io::{BufRead, BufReader};
    let have_chdb = Command::new("python3")
        .args(["-c", "import chdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_chdb {
        assert!(
            !under_ci(),
            "chdb is not installed (python3 -m pip install chdb)"
        );
        eprintln!("SKIPPED: chdb is not installed; the ClickHouse HTTP test did not run");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let csv = dir.path().join("events.csv");
    // a: view, cart, buy; b: view, cart (buy 2 days later: outside 1d); c: view;
    // d: cart only; e: view and cart at one instant (cart stored first)
    std::fs::write(
        &csv,
        "user,time,event,device\n\
         a,2024-09-01T10:00:00Z,view,m\na,2024-09-01T10:01:00Z,cart,m\na,2024-09-01T10:02:00Z,buy,d\n\
         b,2024-09-01T10:00:00Z,view,d\nb,2024-09-01T10:05:00Z,cart,\nb,2024-09-03T10:05:00Z,buy,d\n\
         c,2024-09-01T11:00:00Z,view,\n\
         d,2024-09-01T10:00:00Z,cart,m\n\
         e,2024-09-02T09:00:00Z,cart,t\ne,2024-09-02T09:00:00Z,view,t\n",
    )
    .unwrap();
    let out = stepwise(&ws, &["import", csv.to_str().unwrap(), "--name", "shop"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference/chdb_http.py");
    let mut server = Command::new("python3")
        .arg(&script)
        .args([
            "events",
            "user Nullable(String), time Nullable(DateTime64(6, 'UTC')), event Nullable(String), device Nullable(String)",
            csv.to_str().unwrap(),
        ])
        .env("CHDB_HTTP_USER", "analyst")
        .env("CHDB_HTTP_PASSWORD", "s3cret")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut port = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut port)
        .unwrap();
    let url = format!("http://127.0.0.1:{}/", port.trim());
    let counts = |v: &serde_json::Value| -> Vec<u64> {
        v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["count"].as_u64().unwrap())
            .collect()
    };
    let rows = |v: &serde_json::Value| -> Vec<(String, Vec<u64>)> {
        v["breakdown"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| (b["value"].as_str().unwrap().to_string(), counts(b)))
            .collect()
    };
    for (i, spec_text) in [
        r#"{"dataset":"shop","steps":[{"event":"view"},{"event":"cart"},{"event":"buy"}],"window":"1d"}"#,
        r#"{"dataset":"shop","steps":[{"event":"view"},{"event":"cart"},{"event":"buy"}],"window":"1d","breakdown":{"column":"device","attribution":"last_touch"}}"#,
        r#"{"dataset":"shop","steps":[{"event":"cart"},{"event":"view"}],"order":"unordered","count":"sessions"}"#,
    ]
    .iter()
    .enumerate()
    {
        let spec = dir.path().join(format!("f{i}.json"));
        std::fs::write(&spec, spec_text).unwrap();
        let spec = spec.to_str().unwrap();
        let local = stepwise(&ws, &["funnel", spec, "--json"]);
        assert!(local.status.success(), "{}", String::from_utf8_lossy(&local.stderr));
        let local: serde_json::Value = serde_json::from_slice(&local.stdout).unwrap();
        let remote = Command::new(env!("CARGO_BIN_EXE_stepwise"))
            .arg("--workspace")
            .arg(&ws)
            .args(["funnel", spec, "--engine", "clickhouse", "--url", &url, "--table", "events", "--json"])
            .env("STEPWISE_CLICKHOUSE_USER", "analyst")
            .env("STEPWISE_CLICKHOUSE_PASSWORD", "s3cret")
            .output()
            .unwrap();
        assert!(remote.status.success(), "{}", String::from_utf8_lossy(&remote.stderr));
        let remote: serde_json::Value = serde_json::from_slice(&remote.stdout).unwrap();
        assert_eq!(remote["engine"], "clickhouse");
        assert_eq!(counts(&remote), counts(&local), "{spec_text}");
        assert_eq!(rows(&remote), rows(&local), "{spec_text}");
        if i == 0 {
            assert_eq!(counts(&local), vec![4, 3, 1]);
        }
    }
    // comparisons: each group counted on ClickHouse (a segment, its
    // complement, a behaviour; or a column's values), the statistics here:
    // the same groups, counts, rates, p-values and chi-square as locally
    let groups = |v: &serde_json::Value| -> Vec<(String, Vec<u64>, String, String)> {
        v["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["name"].as_str().unwrap().to_string(),
                    counts(g),
                    g["conversion"]["rate"].to_string(),
                    g["conversion"]["p_adjusted"].to_string(),
                )
            })
            .collect()
    };
    for (i, spec_text) in [
        r#"{"funnel":{"dataset":"shop","steps":[{"event":"view"},{"event":"cart"},{"event":"buy"}],"window":"1d"},
            "segments":[{"name":"Mobile","conditions":[{"column":"device","op":"eq","value":"m"}]},
                        {"not":{"name":"Mobile","conditions":[{"column":"device","op":"eq","value":"m"}]}},
                        {"name":"Carted","conditions":[{"did":{"event":"cart"},"at_least":1}]}]}"#,
        r#"{"funnel":{"dataset":"shop","steps":[{"event":"view"},{"event":"cart"}],
            "segment":{"name":"Viewers","conditions":[{"did":{"event":"view"}}]}},
            "segments":[{"name":"Desktop","conditions":[{"column":"device","op":"eq","value":"d"}]},
                        {"not":{"name":"Desktop","conditions":[{"column":"device","op":"eq","value":"d"}]}}]}"#,
        r#"{"funnel":{"dataset":"shop","steps":[{"event":"view"},{"event":"cart"}]},"by":"device","limit":2}"#,
    ]
    .iter()
    .enumerate()
    {
        let spec = dir.path().join(format!("c{i}.json"));
        std::fs::write(&spec, spec_text).unwrap();
        let spec = spec.to_str().unwrap();
        let local = stepwise(&ws, &["compare", spec, "--json"]);
        assert!(local.status.success(), "{}", String::from_utf8_lossy(&local.stderr));
        let local: serde_json::Value = serde_json::from_slice(&local.stdout).unwrap();
        let remote = Command::new(env!("CARGO_BIN_EXE_stepwise"))
            .arg("--workspace")
            .arg(&ws)
            .args(["compare", spec, "--engine", "clickhouse", "--url", &url, "--table", "events", "--json"])
            .env("STEPWISE_CLICKHOUSE_USER", "analyst")
            .env("STEPWISE_CLICKHOUSE_PASSWORD", "s3cret")
            .output()
            .unwrap();
        assert!(remote.status.success(), "{}", String::from_utf8_lossy(&remote.stderr));
        let remote: serde_json::Value = serde_json::from_slice(&remote.stdout).unwrap();
        assert_eq!(remote["engine"], "clickhouse");
        assert!(groups(&local).len() >= 2, "{local}");
        assert_eq!(groups(&remote), groups(&local), "{spec_text}");
        assert_eq!(remote["chi_square"], local["chi_square"], "{spec_text}");
        assert_eq!(remote["baseline"], local["baseline"], "{spec_text}");
        if i == 0 {
            // Mobile: a and d (d never viewed); its complement b, c, e
            assert_eq!(groups(&local)[0].1, vec![1, 1, 1]);
            assert_eq!(groups(&local)[1].1, vec![3, 2, 0]);
        }
    }

    // a stored connection (stepwise connect): --engine clickhouse needs no
    // --url; the workspace keeps the URL and table, never the password
    let conn = stepwise(
        &ws,
        &[
            "connect", "shop", "--url", &url, "--table", "events", "--json",
        ],
    );
    assert!(
        conn.status.success(),
        "{}",
        String::from_utf8_lossy(&conn.stderr)
    );
    let stored: serde_json::Value = serde_json::from_slice(&conn.stdout).unwrap();
    assert_eq!(stored["url"], url.as_str());
    assert_eq!(stored["table"], "events");
    let f0 = dir.path().join("f0.json");
    let via_stored = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .arg("--workspace")
        .arg(&ws)
        .args([
            "funnel",
            f0.to_str().unwrap(),
            "--engine",
            "clickhouse",
            "--json",
        ])
        .env("STEPWISE_CLICKHOUSE_USER", "analyst")
        .env("STEPWISE_CLICKHOUSE_PASSWORD", "s3cret")
        .output()
        .unwrap();
    assert!(
        via_stored.status.success(),
        "{}",
        String::from_utf8_lossy(&via_stored.stderr)
    );
    let via_stored: serde_json::Value = serde_json::from_slice(&via_stored.stdout).unwrap();
    assert_eq!(counts(&via_stored), vec![4, 3, 1]);

    // a report counted on ClickHouse (--engine clickhouse, the stored
    // connection): its comparison table equals the local report's, its
    // funnel counts the local ones, the method says where it was counted;
    // a section ClickHouse does not count is refused by number and kind
    let report = dir.path().join("report.json");
    std::fs::write(
        &report,
        r#"{"title": "On the server", "sections": [
            {"funnel": {"dataset":"shop","steps":[{"event":"view"},{"event":"cart"},{"event":"buy"}],"window":"1d"}},
            {"compare": {"funnel":{"dataset":"shop","steps":[{"event":"view"},{"event":"cart"}]},"by":"device"}},
            {"text": "Counted where the events are."}]}"#,
    )
    .unwrap();
    let export = |engine: &str, out: &Path| {
        let o = Command::new(env!("CARGO_BIN_EXE_stepwise"))
            .arg("--workspace")
            .arg(&ws)
            .args([
                "report",
                report.to_str().unwrap(),
                "--engine",
                engine,
                "--out",
            ])
            .arg(out)
            .env("STEPWISE_CLICKHOUSE_USER", "analyst")
            .env("STEPWISE_CLICKHOUSE_PASSWORD", "s3cret")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{engine}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    let local_dir = dir.path().join("local");
    let remote_dir = dir.path().join("remote");
    std::fs::create_dir_all(&local_dir).unwrap();
    std::fs::create_dir_all(&remote_dir).unwrap();
    export("local", &local_dir.join("r.csv"));
    let files = export("clickhouse", &remote_dir.join("r.csv"));
    let csv_of = |d: &Path, needle: &str| -> String {
        let mut names: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        let p = names
            .iter()
            .find(|p| p.to_string_lossy().contains(needle))
            .unwrap_or_else(|| panic!("no {needle} CSV in {names:?}"));
        std::fs::read_to_string(p).unwrap()
    };
    assert!(files.lines().count() >= 2, "{files}");
    assert_eq!(csv_of(&remote_dir, "compar"), csv_of(&local_dir, "compar"));
    let first_column_counts = |text: &str| -> Vec<String> {
        text.lines()
            .skip(1)
            .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(
        first_column_counts(&csv_of(&remote_dir, "funnel")),
        first_column_counts(&csv_of(&local_dir, "funnel"))
    );
    let pdf = dir.path().join("remote.pdf");
    export("clickhouse", &pdf);
    let text = Command::new("pdftotext").arg(&pdf).arg("-").output();
    if let Some(t) = text.ok().filter(|t| t.status.success()) {
        let t = String::from_utf8_lossy(&t.stdout).replace('\n', " ");
        assert!(t.contains("ClickHouse at http://127.0.0.1:"), "{t}");
        assert!(!t.contains("s3cret"));
    } else {
        assert!(!under_ci(), "pdftotext (poppler-utils) is needed");
    }
    std::fs::write(
        &report,
        r#"{"title": "T", "engine": "clickhouse", "sections": [{"text": "x"},
            {"trend": {"dataset":"shop","steps":[{"event":"view"},{"event":"cart"}]}}]}"#,
    )
    .unwrap();
    let refused = stepwise(
        &ws,
        &[
            "report",
            report.to_str().unwrap(),
            "--out",
            dir.path().join("x.pdf").to_str().unwrap(),
        ],
    );
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("report section 2 is a trend, which is not counted on ClickHouse"),
        "{err}"
    );
    assert!(!dir.path().join("x.pdf").exists());

    let bytes = std::fs::read(&ws).unwrap();
    assert!(
        !bytes.windows(6).any(|w| w == b"s3cret"),
        "the password is not in the workspace file"
    );
    let shown = String::from_utf8(stepwise(&ws, &["connect", "shop"]).stdout).unwrap();
    assert!(shown.contains("table events"), "{shown}");
    // refused before storing: https, credentials in the URL, an unknown dataset
    for (args, says) in [
        (
            vec!["connect", "shop", "--url", "https://ch.example.com/"],
            "must start with http://",
        ),
        (
            vec!["connect", "shop", "--url", "http://u:p@ch.example.com/"],
            "STEPWISE_CLICKHOUSE_USER",
        ),
        (
            vec!["connect", "nosuch", "--url", "http://127.0.0.1:8123/"],
            "nosuch",
        ),
    ] {
        let out = stepwise(&ws, &args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let again: serde_json::Value =
        serde_json::from_slice(&stepwise(&ws, &["connect", "shop", "--json"]).stdout).unwrap();
    assert_eq!(again, stored, "a refused connection leaves the stored one");
    assert!(stepwise(&ws, &["connect", "shop", "--remove"])
        .status
        .success());
    let gone = stepwise(
        &ws,
        &["funnel", f0.to_str().unwrap(), "--engine", "clickhouse"],
    );
    assert!(!gone.status.success());
    assert!(String::from_utf8_lossy(&gone.stderr).contains("stepwise connect shop --url"));

    // wrong credentials: the server's refusal, in one sentence
    let spec = dir.path().join("f0.json");
    let out = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .arg("--workspace")
        .arg(&ws)
        .args([
            "funnel",
            spec.to_str().unwrap(),
            "--engine",
            "clickhouse",
            "--url",
            &url,
            "--table",
            "events",
        ])
        .env("STEPWISE_CLICKHOUSE_USER", "analyst")
        .env("STEPWISE_CLICKHOUSE_PASSWORD", "wrong")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("HTTP 403") && err.contains("Authentication failed"),
        "{err}"
    );
    assert!(!err.contains("wrong"), "the password is not echoed: {err}");
    // a table the server lacks: ClickHouse's own error
    let out = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .arg("--workspace")
        .arg(&ws)
        .args([
            "funnel",
            spec.to_str().unwrap(),
            "--engine",
            "clickhouse",
            "--url",
            &url,
        ])
        .env("STEPWISE_CLICKHOUSE_USER", "analyst")
        .env("STEPWISE_CLICKHOUSE_PASSWORD", "s3cret")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("HTTP 500") && err.contains("shop"), "{err}");
    drop(server.stdin.take());
    let _ = server.wait();
}
