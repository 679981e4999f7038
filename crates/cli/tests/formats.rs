//! The CLI prints numbers as the PDF does: the text of a duration, a
//! percentage and a count is the engine's `chart::format` text for the same
//! value.

use stepwise_engine::chart::format;
mod common;
use common::{ok, stepwise};

#[test]
fn the_cli_prints_durations_percentages_and_counts_as_the_engine_formats_them() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    // 1,200 users view; 3 of them buy, each 1 h 30 min (5,400 s) later.
    let mut csv = String::from("user,time,event\n");
    for u in 0..1200 {
        csv.push_str(&format!("u{u},2024-09-01T10:00:00Z,view\n"));
    }
    for u in 0..3 {
        csv.push_str(&format!("u{u},2024-09-01T11:30:00Z,buy\n"));
    }
    let file = dir.path().join("events.csv");
    std::fs::write(&file, csv).unwrap();
    ok(&stepwise(
        &ws,
        &["import", file.to_str().unwrap(), "--name", "shop"],
    ));
    let spec = dir.path().join("f.json");
    std::fs::write(
        &spec,
        r#"{"dataset":"shop","steps":[{"event":"view"},{"event":"buy"}]}"#,
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&ok(&stepwise(
        &ws,
        &["funnel", spec.to_str().unwrap(), "--json"],
    )))
    .unwrap();
    let buy = &v["steps"][1];
    let median = buy["median_seconds"].as_f64().unwrap();
    let rate = buy["conversion_from_start"].as_f64().unwrap();
    assert_eq!(median, 5400.0);

    let text = ok(&stepwise(&ws, &["funnel", spec.to_str().unwrap()]));
    let row = text
        .lines()
        .find(|l| l.contains(" buy "))
        .unwrap_or_else(|| panic!("no buy row in\n{text}"));
    // the engine's text for the same values, as the PDF prints them
    assert_eq!(format::duration(median), "1 h 30 min");
    assert!(row.contains(&format::duration(median)), "{row}");
    assert!(!row.contains("1.5 h"), "{row}");
    assert_eq!(format::percent(rate), "0.25%");
    assert!(row.contains(&format::percent(rate)), "{row}");
    assert!(text.contains(&format::count(1200)), "{text}");
    assert!(text.contains(&format::count(1197)), "{text}");

    // a segment's share likewise
    let seg = dir.path().join("s.json");
    std::fs::write(
        &seg,
        r#"{"name":"Buyers","dataset":"shop","conditions":[{"did":{"event":"buy"}}]}"#,
    )
    .unwrap();
    let text = ok(&stepwise(&ws, &["segment", seg.to_str().unwrap()]));
    assert!(
        text.contains(&format!(
            "3 of {} users ({})",
            format::count(1200),
            format::percent(3.0 / 1200.0)
        )),
        "{text}"
    );
}

#[test]
fn stepwise_format_prints_each_kind_with_the_engines_text() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let cases: [(&str, format::ValueKind); 7] = [
        ("count", format::ValueKind::Count),
        ("rate", format::ValueKind::Rate),
        ("lift", format::ValueKind::Lift),
        ("seconds", format::ValueKind::Seconds),
        ("number", format::ValueKind::Number),
        ("money", format::ValueKind::Money),
        ("p-value", format::ValueKind::PValue),
    ];
    let values = [
        "0",
        "0.5",
        "0.99999",
        "-0.1234",
        "5400",
        "1234567.891",
        "0.0004",
    ];
    for (name, kind) in cases {
        let mut args = vec!["format", name];
        args.extend(values);
        args.push("--json");
        let got: Vec<String> = serde_json::from_str(&ok(&stepwise(&ws, &args))).unwrap();
        let want: Vec<String> = values
            .iter()
            .map(|v| format::value(kind, v.parse().unwrap()))
            .collect();
        assert_eq!(got, want, "{name}");
    }
    // Spot checks of the definitions themselves.
    let out = ok(&stepwise(&ws, &["format", "seconds", "5400"]));
    assert_eq!(out.trim(), "1 h 30 min");
    let out = ok(&stepwise(&ws, &["format", "compact", "12330", "1234567"]));
    assert_eq!(out.lines().collect::<Vec<_>>(), ["12,330", "1.2M"]);
    let out = ok(&stepwise(&ws, &["format", "confidence", "0.95", "0.975"]));
    assert_eq!(out.lines().collect::<Vec<_>>(), ["95%", "97.5%"]);
    // Not-a-number is an en dash in every kind, compact included.
    let out = ok(&stepwise(&ws, &["format", "compact", "inf", "NaN"]));
    assert_eq!(out.lines().collect::<Vec<_>>(), ["\u{2013}", "\u{2013}"]);
    // A word that is not a number is refused with a clear message.
    let bad = stepwise(&ws, &["format", "rate", "abc"]);
    assert!(!bad.status.success());
}
