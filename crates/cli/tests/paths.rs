//! `stepwise paths` and `stepwise retention` as a user runs them: JSON
//! numbers on a small import, and readable errors for bad specs.

use std::path::Path;
mod common;
use common::{json, stepwise};

/// A workspace with dataset "shop": u1 view -> cart -> purchase, u2 view ->
/// cart, u3 view -> search (u3 comes back a day later).
fn shop(dir: &Path) -> std::path::PathBuf {
    let ws = dir.join("ws.stepwise");
    let csv = dir.join("shop.csv");
    std::fs::write(
        &csv,
        "time,event,user_id\n\
         2024-09-02T10:00:00Z,view,u1\n2024-09-02T10:01:00Z,cart,u1\n2024-09-02T10:02:00Z,purchase,u1\n\
         2024-09-02T11:00:00Z,view,u2\n2024-09-02T11:01:00Z,cart,u2\n\
         2024-09-02T12:00:00Z,view,u3\n2024-09-02T12:01:00Z,search,u3\n2024-09-03T12:00:00Z,view,u3\n",
    )
    .unwrap();
    json(&stepwise(
        &ws,
        &["import", csv.to_str().unwrap(), "--name", "shop", "--json"],
    ));
    ws
}

fn spec(dir: &Path, name: &str, v: serde_json::Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, v.to_string()).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn paths_and_retention_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let ws = shop(dir.path());
    let funnel = serde_json::json!({"dataset": "shop", "steps": [{"event": "view"}, {"event": "cart"}, {"event": "purchase"}]});
    let p = spec(
        dir.path(),
        "p.json",
        serde_json::json!({"dataset": "shop", "from": {"funnel": funnel, "dropoff": 1}, "levels": 2}),
    );
    let v = json(&stepwise(&ws, &["paths", &p, "--json"]));
    // dropped after view (never carted): u3 -> search -> view
    assert_eq!(v["units"], 1);
    let nodes = v["nodes"].as_array().unwrap();
    let names: Vec<(u64, &str, u64)> = nodes
        .iter()
        .map(|n| {
            (
                n["level"].as_u64().unwrap(),
                n["name"].as_str().unwrap(),
                n["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [(0, "view (dropped)", 1), (1, "search", 1), (2, "view", 1)]
    );
    assert_eq!(v["edges"][0]["from"], 0);
    assert_eq!(v["edges"][0]["to"], 1);
    assert_eq!(v["edges"][0]["count"], 1);
    let out = stepwise(&ws, &["paths", &p]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("search"));

    let r = spec(
        dir.path(),
        "r.json",
        serde_json::json!({"dataset": "shop", "cohort": "first_seen", "return": "any", "interval": "day", "periods": 3, "goal": "purchase"}),
    );
    let v = json(&stepwise(&ws, &["retention", &r, "--json"]));
    // one cohort (2024-09-02) of 3; u1, u2 (later events the same day) and
    // u3 (same day, and the next) returned in period 0; u3 in period 1
    assert_eq!(v["cohorts"][0]["period"], "2024-09-02");
    assert_eq!(v["cohorts"][0]["size"], 3);
    assert_eq!(v["cohorts"][0]["returned"], serde_json::json!([3, 1]));
    assert_eq!(v["repeat"]["customers"], 1);
    let out = stepwise(&ws, &["retention", &r]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("2024-09-02"));
}

#[test]
fn bad_specs_are_sentences() {
    let dir = tempfile::tempdir().unwrap();
    let ws = shop(dir.path());
    let cases = [
        (
            serde_json::json!({"dataset": "shop", "from": {"event": "checkout"}}),
            "the event \"checkout\" does not occur in dataset \"shop\"",
        ),
        (
            serde_json::json!({"dataset": "shop", "from": {"event": "view"}, "levels": 11}),
            "levels is 11: choose from 1 to 10",
        ),
        (
            serde_json::json!({"dataset": "nope", "from": {"event": "view"}}),
            "nope",
        ),
    ];
    for (v, want) in cases {
        let p = spec(dir.path(), "bad.json", v);
        let out = stepwise(&ws, &["paths", &p]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{err}");
    }
    let p = spec(
        dir.path(),
        "bad.json",
        serde_json::json!({"dataset": "shop", "cohort": {"event": "refund"}, "return": "any", "interval": "week"}),
    );
    let out = stepwise(&ws, &["retention", &p]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"refund\" does not occur"));
    let p = spec(
        dir.path(),
        "bad.json",
        serde_json::json!({"dataset": "shop", "cohort": "first_seen", "return": "any", "interval": "year"}),
    );
    let out = stepwise(&ws, &["retention", &p]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.json") && err.contains("year"), "{err}");
    let p = spec(
        dir.path(),
        "bad.json",
        serde_json::json!({"dataset": "shop", "cohort": "first", "return": "any", "interval": "week"}),
    );
    let out = stepwise(&ws, &["retention", &p]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(r#""cohort" is "first": write "first_seen" or {"event": NAME}"#),
        "{err}"
    );
    let p = spec(
        dir.path(),
        "bad.json",
        serde_json::json!({"dataset": "shop", "from": {"event": "view", "page": "/"}}),
    );
    let out = stepwise(&ws, &["paths", &p]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("must be one start"), "{err}");
}

#[test]
fn between_steps_and_converters_against_dropoffs() {
    let dir = tempfile::tempdir().unwrap();
    let ws = shop(dir.path());
    let funnel = serde_json::json!({"dataset": "shop", "steps": [{"event": "view"}, {"event": "cart"}, {"event": "purchase"}]});
    // between view and cart: u1 and u2, nothing between, 60 s each
    let p = spec(
        dir.path(),
        "b.json",
        serde_json::json!({"dataset": "shop", "from": {"funnel": funnel, "between": 1}}),
    );
    let v = json(&stepwise(&ws, &["paths", &p, "--json"]));
    assert_eq!(v["units"], 2);
    assert_eq!(v["between"]["units"], 2);
    assert_eq!(v["between"]["sequences"][0]["name"], "(nothing)");
    assert_eq!(v["between"]["sequences"][0]["count"], 2);
    assert_eq!(v["between"]["seconds"]["median"], 60.0);
    assert_eq!(v["between"]["events"]["p90"], 0.0);
    let t = &v["shown_between"]["table"];
    assert_eq!(t["rows"][0][0]["text"], "(nothing)");
    assert_eq!(t["rows"][0][1]["text"], "2");
    assert_eq!(t["rows"][0][2]["text"], "100%");
    let notes = v["shown_between"]["notes"].to_string();
    assert!(notes.contains("median 1 min"), "{notes}");
    assert!(v.get("shown_comparison").is_none());
    let out = String::from_utf8_lossy(&stepwise(&ws, &["paths", &p]).stdout).to_string();
    assert!(
        out.contains("Between \u{201c}view\u{201d} and \u{201c}cart\u{201d}:"),
        "{out}"
    );
    assert!(out.contains("(nothing)"), "{out}");

    // from view, converters (u1: cart) against drop-offs (u2: cart, u3: search)
    let p = spec(
        dir.path(),
        "c.json",
        serde_json::json!({"dataset": "shop", "from": {"funnel": funnel, "step": 1}, "compare": "converters", "levels": 1}),
    );
    let v = json(&stepwise(&ws, &["paths", &p, "--json"]));
    assert_eq!(v["comparison"]["converters"], 1);
    assert_eq!(v["comparison"]["dropoffs"], 2);
    let rows = v["comparison"]["rows"].as_array().unwrap();
    let t = v["shown_comparison"]["table"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), t.len());
    assert_eq!(rows[0]["name"], "cart");
    assert_eq!(t[0][0]["text"], "cart");
    assert_eq!(t[0][1]["text"], "100%");
    assert_eq!(t[0][2]["text"], "50.0%");
    assert_eq!(t[0][3]["text"], "+50.0 pp");
    assert_eq!(t[0][4]["value"], rows[0]["p_adjusted"]);
    let out = String::from_utf8_lossy(&stepwise(&ws, &["paths", &p]).stdout).to_string();
    assert!(out.contains("Converters against drop-offs:"), "{out}");

    // compare needs a funnel step: a sentence, exit code 1
    let p = spec(
        dir.path(),
        "bad.json",
        serde_json::json!({"dataset": "shop", "from": {"event": "view"}, "compare": "converters"}),
    );
    let out = stepwise(&ws, &["paths", &p]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs \"from\" a funnel step"));
}

/// `stepwise paths --export`: CSV the node table (or the edge table with
/// --edges), XLSX two sheets "Nodes" and "Edges", each row the --json's.
#[test]
fn paths_export_writes_the_node_and_edge_tables() {
    let dir = tempfile::tempdir().unwrap();
    let ws = shop(dir.path());
    let p = spec(
        dir.path(),
        "p.json",
        serde_json::json!({"dataset": "shop", "from": {"event": "view"}, "levels": 2}),
    );
    let v = json(&stepwise(&ws, &["paths", &p, "--json"]));
    let nodes = v["nodes"].as_array().unwrap();
    let edges = v["edges"].as_array().unwrap();
    assert!(edges.len() >= 3, "{edges:?}");
    let name = |i: &serde_json::Value| {
        nodes[i.as_u64().unwrap() as usize]["name"]
            .as_str()
            .unwrap()
            .to_string()
    };

    let out = dir.path().join("nodes.csv");
    json(&stepwise(
        &ws,
        &["paths", &p, "--json", "--export", out.to_str().unwrap()],
    ));
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Column,Node,Users,Share of start (fraction)");
    assert_eq!(lines.len(), nodes.len() + 1);

    let out = dir.path().join("edges.csv");
    json(&stepwise(
        &ws,
        &[
            "paths",
            &p,
            "--json",
            "--export",
            out.to_str().unwrap(),
            "--edges",
        ],
    ));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut rows = csv_rows(&text);
    assert_eq!(
        rows.remove(0),
        [
            "From column",
            "From",
            "To column",
            "To",
            "Users",
            "Share of start (fraction)"
        ]
    );
    let units = v["units"].as_f64().unwrap();
    let want: Vec<Vec<String>> = edges
        .iter()
        .map(|e| {
            let c = e["count"].as_u64().unwrap();
            vec![
                name(&e["from"]),
                name(&e["to"]),
                c.to_string(),
                (c as f64 / units).to_string(),
            ]
        })
        .collect();
    let got: Vec<Vec<String>> = rows
        .iter()
        .map(|r| vec![r[1].clone(), r[3].clone(), r[4].clone(), r[5].clone()])
        .collect();
    assert_eq!(got, want);
    assert!(rows
        .iter()
        .all(|r| r[0] == "Start" || r[0].starts_with("Next")));

    // XLSX: both tables, one sheet each, read back by the importer
    let out = dir.path().join("paths.xlsx");
    json(&stepwise(
        &ws,
        &["paths", &p, "--json", "--export", out.to_str().unwrap()],
    ));
    for (sheet, n) in [("Nodes", nodes.len()), ("Edges", edges.len())] {
        // a workspace each: one file is imported once per workspace
        let d = json(&stepwise(
            &dir.path().join(format!("{sheet}.stepwise")),
            &[
                "import",
                out.to_str().unwrap(),
                "--sheet",
                sheet,
                "--name",
                sheet,
                "--json",
            ],
        ));
        assert_eq!(d["datasets"][0]["rows"], n as u64, "{sheet}");
    }

    // --edges without --export is a usage error
    let bad = stepwise(&ws, &["paths", &p, "--edges"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// Rows of a small CSV without quoted commas.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| {
            l.split(',')
                .map(|c| c.trim_matches('"').to_string())
                .collect()
        })
        .collect()
}
