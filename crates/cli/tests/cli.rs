//! The built `stepwise` binary, run as a user or a script would.

use std::process::Command;
mod common;
use common::{json, stepwise};

#[test]
fn import_then_list_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let csv = dir.path().join("events.csv");
    std::fs::write(
        &csv,
        "event_time,event_name,user_id,revenue\n2024-09-01 10:00:00,view_item,7,\n2024-09-01 10:02:00,purchase,7,19.99\n",
    )
    .unwrap();
    let out = stepwise(
        &ws,
        &[
            "import",
            csv.to_str().unwrap(),
            "--name",
            "shop events",
            "--json",
        ],
    );
    let v = json(&out);
    let d = &v["datasets"][0];
    assert_eq!(d["name"], "shop events");
    assert_eq!(d["kind"], "events");
    assert_eq!(d["rows"], 2);
    assert_eq!(d["columns"][0]["name"], "event_time");
    assert_eq!(d["columns"][0]["type"], "timestamp");
    assert_eq!(d["columns"][0]["role"], "time");
    assert_eq!(d["columns"][1]["role"], "event");
    assert_eq!(d["columns"][3]["type"], "decimal");
    assert_eq!(d["columns"][3]["role"], "value");

    let v = json(&stepwise(&ws, &["datasets", "--json"]));
    assert_eq!(v["datasets"].as_array().unwrap().len(), 1);
    assert_eq!(v["datasets"][0]["name"], "shop events");
    assert_eq!(v["datasets"][0]["rows"], 2);

    // The plain table names the dataset too.
    let out = stepwise(&ws, &["datasets"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("shop events"));
}

#[test]
fn map_overrides_a_role() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let csv = dir.path().join("hits.csv");
    std::fs::write(&csv, "when,what,who\n2024-09-01T10:00:00Z,a,x\n").unwrap();
    let v = json(&stepwise(
        &ws,
        &[
            "import",
            csv.to_str().unwrap(),
            "--map",
            "time=when",
            "--map",
            "event=what",
            "--map",
            "user=who",
            "--json",
        ],
    ));
    let cols = &v["datasets"][0]["columns"];
    assert_eq!(cols[0]["role"], "time");
    assert_eq!(cols[1]["role"], "event");
    assert_eq!(cols[2]["role"], "user");
    assert_eq!(v["datasets"][0]["kind"], "events");
}

#[test]
fn the_environment_variable_chooses_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("env.stepwise");
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, "page,views\n/a,3\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(["import", csv.to_str().unwrap(), "--json"])
        .env("STEPWISE_WORKSPACE", &ws)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(ws.exists());
    let v = json(&stepwise(&ws, &["datasets", "--json"]));
    assert_eq!(v["datasets"][0]["kind"], "metrics");
}

#[test]
fn bad_input_exits_1_with_one_readable_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let csv = dir.path().join("ragged.csv");
    std::fs::write(&csv, "a,b\n1,2\n1,2,3\n").unwrap();
    let out = stepwise(&ws, &["import", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ragged.csv") && err.contains("row 3"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(out.stdout.is_empty());

    let out = stepwise(
        &ws,
        &["import", dir.path().join("missing.csv").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.csv"));

    // Nothing was stored by either.
    let v = json(&stepwise(&ws, &["datasets", "--json"]));
    assert!(v["datasets"].as_array().unwrap().is_empty());
}

#[test]
fn bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = stepwise(&dir.path().join("ws.stepwise"), &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = stepwise(&dir.path().join("ws.stepwise"), &["import"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The whole analysis path from the command line on a generated store:
/// generate -> import -> funnel -> compare -> impact -> segment.
#[test]
fn generated_store_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let csv = dir.path().join("clicks.csv");
    let gen = json(&stepwise(
        &ws,
        &[
            "generate",
            "--events",
            "40000",
            "--out",
            csv.to_str().unwrap(),
        ],
    ));
    assert_eq!(gen["events"], 40000);
    let v = json(&stepwise(
        &ws,
        &["import", csv.to_str().unwrap(), "--name", "shop", "--json"],
    ));
    assert_eq!(v["datasets"][0]["rows"], 40000);
    assert_eq!(v["datasets"][0]["kind"], "events");

    let spec = dir.path().join("funnel.json");
    std::fs::write(
        &spec,
        r#"{"dataset":"shop","steps":[{"label":"Viewed product","event":"view_item"},{"event":"add_to_cart"},{"event":"purchase"}],
            "window":"7d","breakdown":{"column":"device_category"}}"#,
    )
    .unwrap();
    let f = json(&stepwise(
        &ws,
        &["funnel", spec.to_str().unwrap(), "--json"],
    ));
    let steps = f["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[0]["label"], "Viewed product");
    let counts: Vec<u64> = steps.iter().map(|s| s["count"].as_u64().unwrap()).collect();
    assert!(
        counts[0] > 0 && counts[0] >= counts[1] && counts[1] >= counts[2],
        "{counts:?}"
    );
    assert_eq!(steps[0]["conversion_from_start"], 1.0);
    assert!(steps[0]["median_seconds"].is_null());
    assert_eq!(steps[1]["dropped"].as_u64().unwrap(), counts[0] - counts[1]);
    // Breakdown rows partition the users of every step.
    for k in 0..3 {
        let sum: u64 = f["breakdown"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["steps"][k]["count"].as_u64().unwrap())
            .sum();
        assert_eq!(sum, counts[k], "step {k}");
    }
    assert!(f["timing"]["query_ms"].as_f64().unwrap() >= 0.0);

    let cmp = dir.path().join("compare.json");
    std::fs::write(
        &cmp,
        r#"{"funnel":{"dataset":"shop","steps":[{"event":"view_item"},{"event":"purchase"}],"window":"7d"},
            "by":"device_category","baseline":"desktop"}"#,
    )
    .unwrap();
    let c = json(&stepwise(
        &ws,
        &["compare", cmp.to_str().unwrap(), "--json"],
    ));
    assert_eq!(c["baseline"], "desktop");
    let segs = c["segments"].as_array().unwrap();
    assert!(segs.len() >= 2);
    for s in segs {
        let conv = &s["conversion"];
        let rate = conv["rate"].as_f64().unwrap();
        assert!(
            conv["ci_low"].as_f64().unwrap() <= rate && rate <= conv["ci_high"].as_f64().unwrap()
        );
        if s["name"] == "desktop" {
            assert!(conv["lift"].is_null() && conv["p_value"].is_null());
        } else {
            assert!(conv["p_value"].as_f64().is_some());
        }
    }
    assert!(c["chi_square"]["p_value"].as_f64().is_some());

    let imp = dir.path().join("impact.json");
    std::fs::write(
        &imp,
        r#"{"dataset":"shop","goal":{"event":"purchase"},"candidates":[{"event":"sign_up_newsletter"},{"event":"use_filter"}],"window":"30d","order_value":85.0}"#,
    )
    .unwrap();
    let i = json(&stepwise(&ws, &["impact", imp.to_str().unwrap(), "--json"]));
    let cands = i["candidates"].as_array().unwrap();
    assert_eq!(cands.len(), 2);
    assert!(cands.iter().all(|c| c["reach"].as_f64().unwrap() > 0.0));

    let seg = dir.path().join("segment.json");
    std::fs::write(
        &seg,
        r#"{"name":"Filter users","dataset":"shop","conditions":[{"did":{"event":"use_filter"},"at_least":1}]}"#,
    )
    .unwrap();
    let audience = dir.path().join("audience.csv");
    let s = json(&stepwise(
        &ws,
        &[
            "segment",
            seg.to_str().unwrap(),
            "--csv",
            audience.to_str().unwrap(),
            "--json",
        ],
    ));
    let members = s["members"].as_u64().unwrap();
    assert!(members > 0);
    let lines = std::fs::read_to_string(&audience).unwrap().lines().count() as u64;
    assert_eq!(lines, members + 1, "header plus one line per member");
}

#[test]
fn a_broken_spec_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let spec = dir.path().join("bad.json");
    std::fs::write(&spec, "{\n  \"dataset\": \"x\",\n  \"steps\": [\n").unwrap();
    let out = stepwise(&ws, &["funnel", spec.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.json"), "{err}");
    let spec2 = dir.path().join("missing.json");
    std::fs::write(&spec2, r#"{"dataset":"nope","steps":[{"event":"a"}]}"#).unwrap();
    let out = stepwise(&ws, &["funnel", spec2.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
}

#[test]
fn plan_matches_the_documented_example() {
    // docs/statistics.md: 5% baseline, +20% relative, alpha 0.05, power 0.8
    // -> 8,158 users per arm; at 2,000 visitors a day, 9 days.
    let dir = tempfile::tempdir().unwrap();
    let v = json(&stepwise(
        &dir.path().join("ws.stepwise"),
        &[
            "plan",
            "--baseline",
            "0.05",
            "--mde",
            "0.2",
            "--daily",
            "2000",
            "--json",
        ],
    ));
    assert_eq!(v["users_per_arm"], 8158);
    assert_eq!(v["days"], 9);
    let out = stepwise(
        &dir.path().join("ws.stepwise"),
        &["plan", "--baseline", "0.05"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn report_to_pdf_and_png_pages() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let csv = dir.path().join("clicks.csv");
    json(&stepwise(
        &ws,
        &[
            "generate",
            "--events",
            "20000",
            "--out",
            csv.to_str().unwrap(),
        ],
    ));
    json(&stepwise(
        &ws,
        &["import", csv.to_str().unwrap(), "--name", "shop", "--json"],
    ));
    let spec = dir.path().join("report.json");
    std::fs::write(
        &spec,
        r#"{"title":"September review","client":"Acme","page":"A4","sections":[
            {"funnel":{"dataset":"shop","steps":[{"label":"Viewed product","event":"view_item"},{"label":"Added to cart","event":"add_to_cart"},{"event":"purchase"}],"window":"7d"}},
            {"text":"Next: test a shorter checkout."}]}"#,
    )
    .unwrap();
    let pdf = dir.path().join("review.pdf");
    let v = json(&stepwise(
        &ws,
        &[
            "report",
            spec.to_str().unwrap(),
            "--out",
            pdf.to_str().unwrap(),
            "--json",
        ],
    ));
    assert_eq!(v["files"][0], pdf.to_str().unwrap());
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let png = dir.path().join("review.png");
    let v = json(&stepwise(
        &ws,
        &[
            "report",
            spec.to_str().unwrap(),
            "--out",
            png.to_str().unwrap(),
            "--json",
        ],
    ));
    let files = v["files"].as_array().unwrap();
    assert!(files.len() >= 3, "a page per file: {files:?}");
    for f in files {
        assert!(std::fs::read(f.as_str().unwrap())
            .unwrap()
            .starts_with(b"\x89PNG"));
    }
    // An unknown format is bad usage.
    let out = stepwise(
        &ws,
        &[
            "report",
            spec.to_str().unwrap(),
            "--out",
            "x.pdf",
            "--format",
            "docx",
        ],
    );
    assert_eq!(out.status.code(), Some(2));

    // Pages at 1x: A4 is 595 x 842 points, so 595 x 842 pixels (±1 for rounding).
    let v = json(&stepwise(
        &ws,
        &[
            "report",
            spec.to_str().unwrap(),
            "--out",
            dir.path().join("small.png").to_str().unwrap(),
            "--scale",
            "1",
            "--json",
        ],
    ));
    let (w, h) = png_size(v["files"][0].as_str().unwrap());
    assert!(
        (594..=596).contains(&w) && (841..=843).contains(&h),
        "{w}x{h}"
    );
    // One PNG per chart: a 16:9 slide at 2x is 2560 x 1440, a screen chart at 1x 960 x 540.
    for (size, scale, want) in [("slide", "2", (2560, 1440)), ("screen", "1", (960, 540))] {
        let out = dir.path().join(format!("charts-{size}.png"));
        let v = json(&stepwise(
            &ws,
            &[
                "report",
                spec.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--charts",
                "--size",
                size,
                "--scale",
                scale,
                "--json",
            ],
        ));
        let files = v["files"].as_array().unwrap();
        assert_eq!(files.len(), 1, "one chart in this report: {files:?}");
        let f = files[0].as_str().unwrap();
        assert!(
            f.contains(&format!("charts-{size}-chart-01-")) && f.ends_with(".png"),
            "{f}"
        );
        assert_eq!(png_size(f), want);
    }
    // A scale other than 1 or 2, or --charts with a PDF, is bad usage.
    for args in [
        vec!["--out", "x.png", "--scale", "3"],
        vec!["--out", "x.pdf", "--charts"],
    ] {
        let mut all = vec!["report", spec.to_str().unwrap()];
        all.extend(args);
        assert_eq!(stepwise(&ws, &all).status.code(), Some(2));
    }
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(path: &str) -> (u32, u32) {
    let b = std::fs::read(path).unwrap();
    assert!(b.starts_with(b"\x89PNG"), "{path} is not a PNG");
    let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    (be(16), be(20))
}

#[test]
fn a_busy_workspace_exits_1_after_a_bounded_wait() {
    use stepwise_engine::{model::DatasetKind, Workspace};
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let csv = dir.path().join("events.csv");
    std::fs::write(&csv, "time,event\n2024-01-01 10:00,view\n").unwrap();
    // another Stepwise is in the middle of an import: it holds the write lock
    let mut other = Workspace::open(&ws).unwrap();
    let writer = other
        .create_dataset("other", DatasetKind::Metrics, &[], None, None)
        .unwrap();
    let started = std::time::Instant::now();
    let out = stepwise(&ws, &["import", csv.to_str().unwrap()]);
    let waited = started.elapsed();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the workspace is busy"), "{err}");
    assert!(err.contains("ws.stepwise"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(waited < std::time::Duration::from_secs(30), "{waited:?}");
    drop(writer);
    // nothing was stored, by either
    let v = json(&stepwise(&ws, &["datasets", "--json"]));
    assert!(v["datasets"].as_array().unwrap().is_empty());
}

#[test]
fn funnel_dropped_lists_who_left_at_a_step() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let csv = dir.path().join("events.csv");
    // a: all three; b: two; c and =evil: one; d: never enters
    std::fs::write(
        &csv,
        "user,time,event\n\
         a,2024-09-01T10:00:00Z,view\na,2024-09-01T10:01:00Z,cart\na,2024-09-01T10:02:00Z,buy\n\
         b,2024-09-01T10:00:00Z,view\nb,2024-09-01T10:05:00Z,cart\n\
         c,2024-09-01T10:00:00Z,view\n\
         =evil,2024-09-01T11:00:00Z,view\n\
         d,2024-09-01T10:00:00Z,buy\n",
    )
    .unwrap();
    json(&stepwise(
        &ws,
        &["import", csv.to_str().unwrap(), "--name", "ev", "--json"],
    ));
    let spec = dir.path().join("f.json");
    std::fs::write(
        &spec,
        r#"{"dataset":"ev","steps":[{"event":"view"},{"event":"cart"},{"event":"buy"}]}"#,
    )
    .unwrap();
    let f = json(&stepwise(
        &ws,
        &["funnel", spec.to_str().unwrap(), "--json"],
    ));
    let counts: Vec<u64> = f["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, vec![4, 2, 1]);

    // step 2 as printed: reached "view" but not "cart"
    let out_csv = dir.path().join("dropped.csv");
    let d = json(&stepwise(
        &ws,
        &[
            "funnel",
            spec.to_str().unwrap(),
            "--dropped",
            "2",
            "--csv",
            out_csv.to_str().unwrap(),
            "--json",
        ],
    ));
    assert_eq!(d["count"].as_u64().unwrap(), counts[0] - counts[1]);
    assert_eq!(d["from_label"], "view");
    assert_eq!(d["to_label"], "cart");
    let text = std::fs::read_to_string(&out_csv).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.remove(0), "user");
    lines.sort();
    // the formula-looking id is neutralised
    assert_eq!(lines, vec!["'=evil", "c"]);

    // text output names the steps and lists the ids
    let out = stepwise(&ws, &["funnel", spec.to_str().unwrap(), "--dropped", "3"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("1 users reached step 2 \u{201c}cart\u{201d} but not step 3"),
        "{text}"
    );
    assert!(text.lines().any(|l| l.trim() == "b"), "{text}");

    // step 1 has no drop-off: exit 1 with a sentence
    let out = stepwise(&ws, &["funnel", spec.to_str().unwrap(), "--dropped", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("from 2 to 3"));
    // --csv without --dropped is bad usage
    let out = stepwise(&ws, &["funnel", spec.to_str().unwrap(), "--csv", "x.csv"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `stepwise datasets | head -0`: a reader that has gone away ends the CLI
/// quietly (SIGPIPE, as other Unix tools), never with a panic message.
#[cfg(unix)]
#[test]
fn a_closed_stdout_pipe_is_not_a_panic() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let csv = dir.path().join("events.csv");
    let mut rows = String::from("event_time,event_name,user_id\n");
    for i in 0..200 {
        rows.push_str(&format!("2024-09-01 10:00:{:02},view_item,{i}\n", i % 60));
    }
    std::fs::write(&csv, rows).unwrap();
    let out = stepwise(&ws, &["import", csv.to_str().unwrap(), "--name", "ev"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .arg("--workspace")
        .arg(&ws)
        .args(["datasets", "--json"])
        .env_remove("STEPWISE_WORKSPACE")
        .stdout(writer)
        .output()
        .expect("run stepwise");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panicked: {stderr}");
    assert!(
        out.status.success() || out.status.signal() == Some(libc_sigpipe()),
        "status {:?}, stderr {stderr}",
        out.status
    );
}

#[cfg(unix)]
fn libc_sigpipe() -> i32 {
    13 // SIGPIPE on Linux and the BSDs
}

/// `stepwise import` leaves the analysis index in the disk cache: the first
/// `stepwise funnel` (a new process) loads it (`timing.index` is "disk");
/// with the cache folder deleted, the same funnel builds it ("built") and
/// counts the same.
#[test]
fn the_first_funnel_after_an_import_loads_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let csv = dir.path().join("clicks.csv");
    json(&stepwise(
        &ws,
        &[
            "generate",
            "--events",
            "110000",
            "--out",
            csv.to_str().unwrap(),
        ],
    ));
    json(&stepwise(
        &ws,
        &["import", csv.to_str().unwrap(), "--name", "shop", "--json"],
    ));
    let spec = dir.path().join("funnel.json");
    std::fs::write(
        &spec,
        r#"{"dataset":"shop","steps":[{"event":"view_item"},{"event":"add_to_cart"},{"event":"purchase"}],"window":"7d"}"#,
    )
    .unwrap();
    let funnel = || {
        json(&stepwise(
            &ws,
            &["funnel", spec.to_str().unwrap(), "--json"],
        ))
    };
    let first = funnel();
    assert_eq!(first["timing"]["index"], "disk", "{}", first["timing"]);
    let mut cache = ws.clone().into_os_string();
    cache.push(".index");
    std::fs::remove_dir_all(&cache).unwrap();
    let built = funnel();
    assert_eq!(built["timing"]["index"], "built", "{}", built["timing"]);
    assert_eq!(first["steps"], built["steps"]);
    assert!(first["steps"][2]["count"].as_u64().unwrap() > 0);
}
