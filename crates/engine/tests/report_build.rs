//! Report specs end to end: a generated clickstream imported into a
//! workspace, a report with funnel, comparison, impact, trend and text
//! sections built from it, exported as PDF (checked with poppler and qpdf),
//! PNG pages, CSV tables and an XLSX workbook; and the same spec re-run on a
//! newer import gives the newer numbers.

mod common;
#[path = "pdf_util.rs"]
mod pdf_util;
use pdf_util::{embedded_fonts, run, tool};
use std::path::Path;

use stepwise_engine::chart::{format, ChartData};
use stepwise_engine::funnel::{run_funnel, FunnelSpec};
use stepwise_engine::generate::{write_clickstream_file, GenOptions};
use stepwise_engine::import::{import_file, ImportOptions};
use stepwise_engine::index::IndexCache;
use stepwise_engine::report::build::build_report_dated;
use stepwise_engine::report::*;
use stepwise_engine::{Job, Workspace};

const FUNNEL: &str = r#"{"dataset": "shop", "steps": [
    {"event": "page_view", "label": "Landed"},
    {"event": "view_item", "label": "Viewed product"},
    {"event": "add_to_cart", "label": "Added to cart"},
    {"event": "begin_checkout", "label": "Began checkout"},
    {"event": "purchase", "label": "Purchased"}],
  "window": "7d", "time_to_convert": {}}"#;

fn spec_json() -> String {
    format!(
        r#"{{"title": "September checkout review", "subtitle": "Generated store data",
  "client": "Linen & Co.", "page": "A4",
  "sections": [
    {{"funnel": {FUNNEL}, "heading": "Checkout funnel"}},
    {{"compare": {{"funnel": {FUNNEL}, "by": "device_category"}}}},
    {{"impact": {{"dataset": "shop", "goal": {{"event": "purchase"}},
                 "candidates": [{{"event": "use_filter"}}, {{"event": "sign_up_newsletter"}}, {{"event": "add_to_cart"}}]}}}},
    {{"trend": {{"dataset": "shop", "steps": [{{"event": "view_item"}}, {{"event": "purchase"}}],
                "trend": {{"interval": "week"}}}}}},
    {{"text": "Next steps: test a sticky filter bar.\n\nThen revisit the checkout.", "heading": "Next steps"}}
  ]}}"#
    )
}

struct Fx {
    dir: tempfile::TempDir,
    ws: Workspace,
    cache: IndexCache,
}

fn import(fx: &mut Fx, events: u64, seed: u64) {
    let path = fx.dir.path().join(format!("shop-{seed}.csv"));
    let opts = GenOptions {
        seed,
        ..GenOptions::with_events(events)
    };
    write_clickstream_file(&path, &opts).unwrap();
    let io = ImportOptions {
        name: Some("shop".into()),
        ..Default::default()
    };
    import_file(&mut fx.ws, &path, &io, &mut Job::silent()).unwrap();
}

fn fixture(events: u64) -> Fx {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    let mut fx = Fx {
        dir,
        ws,
        cache: IndexCache::new(),
    };
    import(&mut fx, events, 42);
    fx
}

fn funnel_counts(fx: &mut Fx) -> Vec<(String, u64)> {
    let f = run_funnel(
        &fx.ws,
        &FunnelSpec::from_json(FUNNEL).unwrap(),
        &mut fx.cache,
    )
    .unwrap();
    f.steps.iter().map(|s| (s.label.clone(), s.count)).collect()
}

#[test]
fn spec_parses_and_rejects_bad_sections() {
    let spec = ReportSpec::from_json(&spec_json()).unwrap();
    assert_eq!(spec.sections.len(), 5);
    assert_eq!(spec.page, PageSize::A4);
    let two =
        r#"{"title": "x", "sections": [{"text": "a", "funnel": {"dataset": "d", "steps": []}}]}"#;
    let e = ReportSpec::from_json(two).unwrap_err().to_string();
    assert!(e.contains("section 1") && e.contains("exactly one"), "{e}");
    let none = r#"{"title": "x", "sections": [{"heading": "h"}]}"#;
    assert!(ReportSpec::from_json(none).is_err());
    let unknown = r#"{"title": "x", "sections": [{"chart": "a"}]}"#;
    let e = ReportSpec::from_json(unknown).unwrap_err().to_string();
    assert!(e.contains("chart"), "{e}");
    assert!(ExportFormat::parse("docx").is_err());
    assert_eq!(
        ExportFormat::from_path(Path::new("a/r.PDF")).unwrap(),
        ExportFormat::Pdf
    );
}

#[test]
fn report_from_generated_clickstream() {
    let mut fx = fixture(150_000);
    let spec = ReportSpec::from_json(&spec_json()).unwrap();
    let t0 = std::time::Instant::now();
    let doc =
        build_report_dated(&fx.ws, &spec, &mut fx.cache, Some("3 October 2024".into())).unwrap();
    let built = t0.elapsed();
    let counts = funnel_counts(&mut fx);
    assert!(counts[0].1 > 1000 && counts[4].1 > 0, "{counts:?}");

    // title page facts
    assert_eq!(doc.datasets, vec!["shop".to_string()]);
    let period = doc.date_range.clone().unwrap();
    assert!(period.contains("September 2024"), "{period}");
    // structure: findings first, method last, the sections in between
    assert!(matches!(doc.sections[0], Section::Findings { .. }));
    assert!(matches!(doc.sections.last(), Some(Section::Method { .. })));
    let kinds: Vec<&str> = doc
        .sections
        .iter()
        .map(|s| match s {
            Section::Chart(c) => match &c.chart {
                ChartData::Funnel(_) => "funnel",
                ChartData::Comparison(_) => "comparison",
                ChartData::Trend(_) => "trend",
                ChartData::Histogram(_) => "histogram",
                ChartData::Impact(_) => "impact",
                ChartData::MetricBars(_) => "bars",
                ChartData::Sankey(_) => "sankey",
            },
            Section::Findings { .. } => "findings",
            Section::Text { .. } => "text",
            Section::Table { .. } => "table",
            Section::Method { .. } => "method",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "findings",
            "funnel",
            "histogram",
            "comparison",
            "impact",
            "trend",
            "text",
            "method"
        ]
    );
    // the funnel chart carries the engine's counts and highlights the bottleneck
    let Section::Chart(fs) = &doc.sections[1] else {
        unreachable!()
    };
    let ChartData::Funnel(fd) = &fs.chart else {
        unreachable!()
    };
    let got: Vec<(String, u64)> = fd
        .steps
        .iter()
        .map(|s| (s.label.clone(), s.count))
        .collect();
    assert_eq!(got, counts);
    let b = fd.bottleneck.expect("bottleneck set");
    assert_eq!(
        Some(b),
        stepwise_engine::bottleneck::largest_drop(
            &run_funnel(
                &fx.ws,
                &FunnelSpec::from_json(FUNNEL).unwrap(),
                &mut fx.cache
            )
            .unwrap()
            .steps
        )
    );
    let Section::Findings { items, .. } = &doc.sections[0] else {
        unreachable!()
    };
    assert!(
        items
            .iter()
            .any(|s| s.contains(&format::count(counts[0].1))),
        "{items:#?}"
    );
    assert!(
        items.iter().any(|s| s.contains(&fd.steps[b].label)),
        "{items:#?}"
    );
    assert!(
        items.iter().any(|s| s.contains("in the week of 2024-09-")),
        "{items:#?}"
    );
    // impact: use_filter is the planted effect, significantly higher
    let Section::Chart(is) = &doc.sections[4] else {
        unreachable!()
    };
    let ChartData::Impact(id) = &is.chart else {
        unreachable!()
    };
    let uf = id.items.iter().find(|i| i.label == "use_filter").unwrap();
    assert!(uf.lift > 0.3 && uf.is_significant(), "{uf:?}");
    assert!(is.notes.iter().any(|n| n.contains("not proof of cause")));
    // every buyer added to cart first: a required step, ranked after the
    // choices, "required" in the table's lift column and said in a note
    let it = is.table.as_ref().unwrap();
    let last = it.rows.last().unwrap();
    assert!(
        matches!(&last[0], Cell::Text(v) if v == "add_to_cart"),
        "{last:?}"
    );
    assert!(
        matches!(&last[4], Cell::Text(v) if v == "required"),
        "{last:?}"
    );
    assert!(
        is.notes
            .iter()
            .any(|n| n.contains("did \u{201c}add_to_cart\u{201d} first: a required step")),
        "{:#?}",
        is.notes
    );
    // comparison: one series per device, a verdict per row
    let Section::Chart(cs) = &doc.sections[3] else {
        unreachable!()
    };
    let ChartData::Comparison(cd) = &cs.chart else {
        unreachable!()
    };
    assert!(cd.series.len() >= 2);
    let table = cs.table.as_ref().unwrap();
    assert_eq!(table.rows.len(), cd.series.len());
    assert!(table
        .rows
        .iter()
        .all(|r| matches!(r.last(), Some(Cell::Text(v)) if !v.is_empty())));

    // exports
    let out = fx.dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let pdf = out.join("review.pdf");
    let t0 = std::time::Instant::now();
    let files = write_report(&doc, &pdf, ExportFormat::Pdf).unwrap();
    eprintln!(
        "report: built in {built:?} (analyses, index built on first use), PDF written in {:?}",
        t0.elapsed()
    );
    assert_eq!(files, vec![pdf.clone()]);
    let pages = render_pages(&doc).unwrap().pages.len();
    assert!(pages >= 8, "{pages} pages");
    if tool("pdfinfo") && tool("qpdf") {
        let (ok, info) = run("pdfinfo", &[], &pdf);
        assert!(ok, "{info}");
        assert!(
            info.contains(&format!("Pages:           {pages}")),
            "{info}"
        );
        let (ok, text) = run("pdftotext", &["-layout"], &pdf);
        assert!(ok);
        for (label, n) in &counts {
            assert!(text.contains(label.as_str()), "no {label} in the PDF text");
            assert!(
                text.contains(&format::count(*n)),
                "no {} in the PDF text",
                format::count(*n)
            );
        }
        for s in [
            "September checkout review",
            "Linen & Co.",
            "Contents",
            "Key findings",
            "Method",
            "Wilson",
            "Holm",
            "use_filter",
            "Next steps",
            &format!("Page 2 of {pages}"),
            &period,
        ] {
            assert!(text.contains(s), "no {s:?} in the PDF text");
        }
        embedded_fonts(&pdf);
        let (ok, check) = run("qpdf", &["--check"], &pdf);
        assert!(ok, "qpdf --check failed: {check}");
    }

    let pngs = write_report(&doc, &out.join("review.png"), ExportFormat::Png).unwrap();
    assert_eq!(pngs.len(), pages);
    for (i, p) in pngs.iter().enumerate() {
        assert_eq!(
            p.file_name().unwrap().to_str().unwrap(),
            format!("review-{:02}.png", i + 1)
        );
        let px = resvg::tiny_skia::Pixmap::decode_png(&std::fs::read(p).unwrap()).unwrap();
        assert!(px.width() > 1000, "2x page width {}", px.width());
        let dark = px.pixels().iter().filter(|c| c.red() < 128).count();
        assert!(dark > 500, "page {} looks blank", i + 1);
    }

    let csvs = write_report(&doc, &out.join("review.csv"), ExportFormat::Csv).unwrap();
    assert_eq!(csvs.len(), 5, "{csvs:?}"); // funnel, histogram, comparison, impact, trend
    let funnel_csv = std::fs::read_to_string(&csvs[0]).unwrap();
    assert!(
        csvs[0].ends_with("review-02-checkout-funnel.csv"),
        "{:?}",
        csvs[0]
    );
    for (label, n) in &counts {
        assert!(
            funnel_csv.contains(&format!("{label},{n},")),
            "{funnel_csv}"
        );
    }
    let xlsx = write_report(&doc, &out.join("review.xlsx"), ExportFormat::Xlsx).unwrap();
    assert_eq!(xlsx.len(), 1);
    assert!(std::fs::read(&xlsx[0]).unwrap().starts_with(b"PK"));

    if let Ok(dir) = std::env::var("STEPWISE_REPORT_OUT") {
        std::fs::copy(&pdf, Path::new(&dir).join("report_build.pdf")).unwrap();
    }
}

#[test]
fn rerun_on_a_newer_import_gives_the_newer_report() {
    let mut fx = fixture(8_000);
    let spec = ReportSpec::from_json(&spec_json()).unwrap();
    let out = fx.dir.path().join("r.pdf");
    export_report(&fx.ws, &spec, &out, ExportFormat::Pdf, &mut fx.cache).unwrap();
    let before = build_report_dated(&fx.ws, &spec, &mut fx.cache, None).unwrap();
    // next month: the dataset is replaced by a larger import of the same name
    fx.ws.delete_dataset("shop").unwrap();
    import(&mut fx, 12_000, 7);
    let after = build_report_dated(&fx.ws, &spec, &mut fx.cache, None).unwrap();
    let counts = funnel_counts(&mut fx);
    let first = |d: &ReportDocument| match &d.sections[1] {
        Section::Chart(c) => match &c.chart {
            ChartData::Funnel(f) => f.steps.iter().map(|s| s.count).collect::<Vec<_>>(),
            _ => panic!(),
        },
        _ => panic!(),
    };
    assert_eq!(
        first(&after),
        counts.iter().map(|c| c.1).collect::<Vec<_>>()
    );
    assert_ne!(first(&before), first(&after));
    assert!(first(&after)[0] > first(&before)[0]);
}

#[test]
fn period_from_the_spec_and_clear_errors() {
    let mut fx = fixture(8_000);
    let spec = ReportSpec::from_json(
        r#"{"title": "One week", "page": "Letter", "sections": [
        {"funnel": {"dataset": "shop", "steps": [{"event": "view_item"}, {"event": "purchase"}],
                    "date_range": {"from": "2024-09-08", "to": "2024-09-14"}}}]}"#,
    )
    .unwrap();
    let doc = build_report_dated(&fx.ws, &spec, &mut fx.cache, None).unwrap();
    assert_eq!(
        doc.date_range.as_deref(),
        Some("8\u{2013}14 September 2024")
    );
    assert_eq!(doc.page, PageSize::Letter);
    // a section naming a dataset that is not there: an error naming it
    let bad = ReportSpec::from_json(
        r#"{"title": "x", "sections": [{"funnel": {"dataset": "nope", "steps": [{"event": "a"}, {"event": "b"}]}}]}"#,
    )
    .unwrap();
    let e = build_report(&fx.ws, &bad, &mut fx.cache)
        .unwrap_err()
        .to_string();
    assert!(e.contains("nope"), "{e}");
    // an unknown format
    let e = ExportFormat::from_path(Path::new("r.docx"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("r.docx") && e.contains(".pdf"), "{e}");
}

/// The real GA4 landing-page report (../shared/data/real, see SOURCES.md):
/// a metric section draws sessions per landing page, the bars' sums equal a
/// plain reading of the file, and the PDF shows the largest page's number.
#[test]
fn metric_section_from_a_real_ga4_report() {
    let Some(file) = common::real::real_file("ga/ga4_landing_page_teefusion.csv") else {
        return;
    };
    // The file read plainly: 9 `#` lines, a header, 211 rows without quoting;
    // column 0 is the landing page, column 1 the sessions.
    let text = std::fs::read_to_string(&file).unwrap();
    let mut expected: Vec<(String, f64)> = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
        let label = if f[0].is_empty() { "(none)" } else { f[0] };
        let n: f64 = f[1].parse().unwrap();
        match expected.iter_mut().find(|(l, _)| l == label) {
            Some(e) => e.1 += n,
            None => expected.push((label.to_string(), n)),
        }
    }
    assert_eq!(expected.iter().filter(|e| e.0 != "(none)").count(), 210);
    let total: f64 = expected.iter().map(|e| e.1).sum();

    let tmp = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&tmp.path().join("ws.stepwise")).unwrap();
    let io = ImportOptions {
        name: Some("landing".into()),
        ..Default::default()
    };
    import_file(&mut ws, &file, &io, &mut Job::silent()).unwrap();
    let spec = ReportSpec::from_json(
        r#"{"title": "Landing pages", "sections": [
            {"metric": {"dataset": "landing", "dimension": "Landing page", "metric": "Sessions", "limit": 8}}]}"#,
    )
    .unwrap();
    let doc = build_report_dated(&ws, &spec, &mut IndexCache::new(), None).unwrap();
    let bars = doc
        .sections
        .iter()
        .find_map(|s| match s {
            Section::Chart(c) => match &c.chart {
                ChartData::MetricBars(m) => Some(m.clone()),
                _ => None,
            },
            _ => None,
        })
        .expect("a metric chart");
    assert_eq!(bars.bars.len(), expected.len());
    assert_eq!(
        (bars.bars[0].label.as_str(), bars.bars[0].value),
        ("/shop", 845.0)
    );
    assert_eq!(
        (bars.bars[1].label.as_str(), bars.bars[1].value),
        ("/", 544.0)
    );
    let sum: f64 = bars.bars.iter().map(|b| b.value).sum();
    assert_eq!(sum, total);
    for w in bars.bars.windows(2) {
        assert!(w[0].value >= w[1].value, "largest first");
    }
    // the table under the chart: the 8 bars drawn, then the other 203 pooled
    let table = doc.sections.iter().find_map(|s| match s {
        Section::Chart(c) => c.table.clone(),
        _ => None,
    });
    let table = table.expect("a table under the chart");
    assert_eq!(table.rows.len(), 9);
    assert_eq!(table.rows[8][0], Cell::Text("Other (203 values)".into()));
    let top8: f64 = expected_sorted(&expected).iter().take(8).sum();
    assert_eq!(table.rows[8][1], Cell::Number(total - top8));
    let none = bars.bars.iter().find(|b| b.label == "(none)").unwrap();
    assert_eq!(none.value, 13.0, "the row with an empty landing page");
    // the finding names the top page and its share
    let findings = doc
        .sections
        .iter()
        .find_map(|s| match s {
            Section::Findings { items, .. } => Some(items.join(" ")),
            _ => None,
        })
        .unwrap();
    assert!(
        findings.contains("/shop") && findings.contains("845"),
        "{findings}"
    );
    // A text column as the metric is refused, naming it.
    let bad = ReportSpec::from_json(
        r#"{"title": "x", "sections": [{"metric": {"dataset": "landing", "dimension": "Sessions", "metric": "Landing page"}}]}"#,
    )
    .unwrap();
    let e = build_report_dated(&ws, &bad, &mut IndexCache::new(), None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Landing page") && e.contains("not numbers"),
        "{e}"
    );
    if !tool("pdftotext") {
        return;
    }
    let pdf = tmp.path().join("landing.pdf");
    std::fs::write(&pdf, render_pdf(&doc).unwrap()).unwrap();
    let (ok, text) = run("pdftotext", &[], &pdf);
    assert!(
        ok && text.contains("/shop") && text.contains("845"),
        "{text}"
    );
    assert!(text.contains("Sessions by Landing page"), "{text}");
}

fn expected_sorted(v: &[(String, f64)]) -> Vec<f64> {
    let mut x: Vec<f64> = v.iter().map(|e| e.1).collect();
    x.sort_by(|a, b| b.total_cmp(a));
    x
}

/// The app's preview (`Session::report_pages`) is the PDF's pages: as many,
/// in order, the funnel's counts on them; a bad spec is refused in words.
#[test]
fn session_report_pages_are_the_exported_pages() {
    use stepwise_engine::session::Session;
    let mut fx = fixture(20_000);
    let counts = funnel_counts(&mut fx);
    let Fx { dir, ws, .. } = fx;
    drop(ws);
    let path = dir.path().join("w.stepwise");
    let s = Session::open(&path).unwrap();
    let spec: serde_json::Value = serde_json::from_str(&spec_json()).unwrap();
    let pages = s.report_pages(spec.clone()).unwrap();
    assert!(pages.len() >= 8, "{} pages", pages.len());
    assert!(pages.iter().all(|p| p.starts_with("<svg")));
    let all = pages.join("\n");
    for (label, n) in &counts {
        assert!(all.contains(label.as_str()), "no {label} on the pages");
        assert!(
            all.contains(&format::count(*n)),
            "no {} on the pages",
            format::count(*n)
        );
    }
    let png = dir.path().join("p.png");
    let files = s.export_report(spec, &png, ExportFormat::Png).unwrap();
    assert_eq!(files.len(), pages.len(), "one PNG per previewed page");

    let bad = serde_json::json!({"title": "x", "sections": [{"text": "a", "funnel": {"dataset": "shop", "steps": []}}]});
    let e = s.report_pages(bad).unwrap_err().to_string();
    assert!(e.contains("exactly one of"), "{e}");
    let e = s
        .report_pages(serde_json::json!({"title": "x", "sections": [{"chart": 1}]}))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("the report could not be read") && e.contains("chart"),
        "{e}"
    );
}

#[test]
fn paths_and_retention_sections_in_the_pdf() {
    use stepwise_engine::paths::{run_paths, PathsSpec};
    use stepwise_engine::retention::{run_retention, RetentionSpec};
    let mut fx = fixture(30_000);
    let paths_spec = format!(
        r#"{{"dataset": "shop", "from": {{"funnel": {FUNNEL}, "dropoff": 3}}, "levels": 3}}"#
    );
    let retention_spec = r#"{"dataset": "shop", "cohort": "first_seen", "return": "any", "interval": "week", "periods": 4, "goal": "purchase"}"#;
    let spec = ReportSpec::from_json(&format!(
        r#"{{"title": "Journeys", "sections": [
            {{"paths": {paths_spec}}},
            {{"retention": {retention_spec}, "heading": "Weekly retention"}}]}}"#
    ))
    .unwrap();
    // a section with two kinds is refused, naming both new ones
    let e = ReportSpec::from_json(&format!(
        r#"{{"title": "x", "sections": [{{"paths": {paths_spec}, "retention": {retention_spec}}}]}}"#
    ))
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("\"paths\", \"retention\"") && e.contains("it has 2"),
        "{e}"
    );
    let doc = build_report_dated(&fx.ws, &spec, &mut fx.cache, None).unwrap();
    let p = run_paths(
        &fx.ws,
        &PathsSpec::from_json(&paths_spec).unwrap(),
        &mut fx.cache,
    )
    .unwrap();
    let r = run_retention(
        &fx.ws,
        &RetentionSpec::from_json(retention_spec).unwrap(),
        &mut fx.cache,
    )
    .unwrap();
    let charts: Vec<&ChartSection> = doc
        .sections
        .iter()
        .filter_map(|s| match s {
            Section::Chart(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(charts.len(), 2);
    assert!(matches!(charts[0].chart, ChartData::Sankey(_)));
    assert!(matches!(charts[1].chart, ChartData::Trend(_)));
    assert_eq!(charts[1].heading, "Weekly retention");
    // the node table: a row per node, counts as the engine gives them
    let t = charts[0].table.as_ref().unwrap();
    assert_eq!(t.rows.len(), p.nodes.len());
    for (row, n) in t.rows.iter().zip(&p.nodes) {
        assert_eq!(row[1], Cell::Text(n.name.clone()));
        assert_eq!(row[2], Cell::Number(n.count as f64));
    }
    // the cohort table: a row per cohort (and the average), its size
    let t = charts[1].table.as_ref().unwrap();
    for (row, c) in t.rows.iter().zip(&r.cohorts) {
        assert_eq!(row[0], Cell::Text(c.period.clone()));
        assert_eq!(row[1], Cell::Number(c.size as f64));
    }
    let Some(Section::Method { items, .. }) = doc.sections.last() else {
        panic!("no method");
    };
    assert!(items.iter().any(|i| i.term == "Paths"));
    assert!(items.iter().any(|i| i.term == "Retention"));
    if !tool("pdftotext") {
        return;
    }
    let pdf = fx.dir.path().join("journeys.pdf");
    write_report(&doc, &pdf, ExportFormat::Pdf).unwrap();
    let (ok, text) = run("pdftotext", &["-layout"], &pdf);
    assert!(ok, "{text}");
    for s in [
        "Where users went after Added to cart (dropped)",
        "Weekly retention",
        "Share of start",
        "Week 1",
        "Repeat purchase",
    ] {
        assert!(text.contains(s), "no {s} in the PDF text");
    }
    assert!(text.contains(&format::count(p.units)), "no start count");
    let first = &r.cohorts[0];
    assert!(text.contains(&first.period) && text.contains(&format::count(first.size)));
}

#[test]
fn paths_between_steps_and_converters_tables_in_the_report() {
    use stepwise_engine::paths::{run_paths, PathsSpec};
    let mut fx = fixture(30_000);
    let between = format!(r#"{{"dataset": "shop", "from": {{"funnel": {FUNNEL}, "between": 2}}}}"#);
    let compare = format!(
        r#"{{"dataset": "shop", "from": {{"funnel": {FUNNEL}, "step": 2}}, "compare": "converters", "levels": 1}}"#
    );
    let spec = ReportSpec::from_json(&format!(
        r#"{{"title": "Journeys", "sections": [{{"paths": {between}}}, {{"paths": {compare}}}]}}"#
    ))
    .unwrap();
    let doc = build_report_dated(&fx.ws, &spec, &mut fx.cache, None).unwrap();
    let tables: Vec<(&str, &Table)> = doc
        .sections
        .iter()
        .filter_map(|s| match s {
            Section::Table { heading, table } => Some((heading.as_str(), table)),
            _ => None,
        })
        .collect();
    assert_eq!(tables.len(), 2, "a table after each paths chart");
    // the sequences: a row per sequence, units as the engine counts them
    let b = run_paths(
        &fx.ws,
        &PathsSpec::from_json(&between).unwrap(),
        &mut fx.cache,
    )
    .unwrap()
    .between
    .unwrap();
    assert_eq!(
        tables[0].0,
        "Between \u{201c}Viewed product\u{201d} and \u{201c}Added to cart\u{201d}"
    );
    assert_eq!(tables[0].1.rows.len(), b.sequences.len());
    for (row, q) in tables[0].1.rows.iter().zip(&b.sequences) {
        assert_eq!(row[0], Cell::Text(q.name.clone()));
        assert_eq!(row[1], Cell::Number(q.count as f64));
    }
    // converters against drop-offs: a row per first node, the adjusted p
    let c = run_paths(
        &fx.ws,
        &PathsSpec::from_json(&compare).unwrap(),
        &mut fx.cache,
    )
    .unwrap()
    .comparison
    .unwrap();
    assert_eq!(tables[1].0, "Converters against drop-offs");
    assert_eq!(tables[1].1.rows.len(), c.rows.len());
    for (row, x) in tables[1].1.rows.iter().zip(&c.rows) {
        assert_eq!(row[0], Cell::Text(x.name.clone()));
        assert_eq!(row[4], x.p_adjusted.map_or(Cell::Empty, Cell::Number));
    }
    // their findings join the key findings
    let Section::Findings { items, .. } = &doc.sections[0] else {
        panic!("no findings first");
    };
    assert!(
        items
            .iter()
            .any(|i| i
                .contains("from \u{201c}Viewed product\u{201d} to \u{201c}Added to cart\u{201d}")),
        "{items:?}"
    );
    assert!(items.iter().any(|i| i.contains("converters")), "{items:?}");
    // the method appendix says how both are counted
    let Some(Section::Method { items, .. }) = doc.sections.last() else {
        panic!("no method");
    };
    for term in ["Paths", "Between two steps", "Converters against drop-offs"] {
        assert!(
            items.iter().any(|i| i.term == term),
            "no {term} in the method"
        );
    }
}

/// With tagged events (micro and macro conversions) the key findings are
/// grouped under "Macro conversions", "Micro conversions" and "Other", each
/// sentence by the event it is about (docs/reports.md, "Key findings"):
/// a funnel's overall conversion and trend by its goal, its largest drop by
/// the step dropped into, an impact sentence by its action. Without tags the
/// list is one, as before. The PDF prints the subheadings.
#[test]
fn key_findings_grouped_by_micro_and_macro_conversions() {
    use stepwise_engine::model::EventTag;
    let mut fx = fixture(150_000);
    let browse = r#"{"dataset": "shop", "steps": [
        {"event": "page_view", "label": "Landed"},
        {"event": "view_item", "label": "Viewed product"}]}"#;
    let mut v: serde_json::Value = serde_json::from_str(&spec_json()).unwrap();
    v["sections"].as_array_mut().unwrap().push(
        serde_json::from_str(&format!(r#"{{"funnel": {browse}, "heading": "Browsing"}}"#)).unwrap(),
    );
    let spec = ReportSpec::from_json(&v.to_string()).unwrap();
    let findings = |doc: &ReportDocument| match &doc.sections[0] {
        Section::Findings { items, groups, .. } => (items.clone(), groups.clone()),
        other => panic!("{other:?}"),
    };
    let pdf_text = |doc: &ReportDocument, name: &str| {
        let pdf = fx.dir.path().join(name);
        std::fs::write(&pdf, render_pdf(doc).unwrap()).unwrap();
        tool("pdftotext").then(|| {
            let (ok, text) = run("pdftotext", &[], &pdf);
            assert!(ok, "{text}");
            text
        })
    };

    // no tags: one list, no subheadings
    let plain = build_report_dated(&fx.ws, &spec, &mut fx.cache, None).unwrap();
    let (all, groups) = findings(&plain);
    assert!(groups.is_empty(), "{groups:?}");
    assert!(all.len() >= 6, "{all:#?}");
    if let Some(text) = pdf_text(&plain, "plain.pdf") {
        assert!(text.contains("Key findings"));
        for h in ["Macro conversions", "Micro conversions"] {
            assert!(!text.contains(h), "{h} in the untagged report");
        }
    }

    // purchase a macro conversion, use_filter and add_to_cart micro ones
    fx.ws
        .set_event_tag("shop", "purchase", Some(EventTag::Macro))
        .unwrap();
    for e in ["use_filter", "add_to_cart"] {
        fx.ws
            .set_event_tag("shop", e, Some(EventTag::Micro))
            .unwrap();
    }
    let doc = build_report_dated(&fx.ws, &spec, &mut fx.cache, None).unwrap();
    let (items, groups) = findings(&doc);
    assert!(items.is_empty(), "{items:#?}");
    let names: Vec<&str> = groups.iter().map(|g| g.heading.as_str()).collect();
    assert_eq!(names, ["Macro conversions", "Micro conversions", "Other"]);
    let group_of = |s: &str| {
        let hits: Vec<&str> = groups
            .iter()
            .filter(|g| g.items.iter().any(|i| i == s))
            .map(|g| g.heading.as_str())
            .collect();
        assert_eq!(hits.len(), 1, "{s:?} in {hits:?}");
        hits[0]
    };
    // the same sentences, each once, in the report's order within a group
    let mut flat: Vec<&String> = groups.iter().flat_map(|g| &g.items).collect();
    assert_eq!(flat.len(), all.len());
    for g in &groups {
        let order: Vec<usize> = g
            .items
            .iter()
            .map(|s| {
                all.iter()
                    .position(|a| a == s)
                    .expect("a sentence of the plain report")
            })
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    }
    flat.sort();
    let mut sorted: Vec<&String> = all.iter().collect();
    sorted.sort();
    assert_eq!(flat, sorted);

    let steps = [
        "page_view",
        "view_item",
        "add_to_cart",
        "begin_checkout",
        "purchase",
    ];
    let tag = |e: &str| match e {
        "purchase" => "Macro conversions",
        "use_filter" | "add_to_cart" => "Micro conversions",
        _ => "Other",
    };
    let with =
        |needle: &str| -> Vec<&String> { all.iter().filter(|s| s.contains(needle)).collect() };
    // the checkout funnel and the trend reach the goal: macro
    let reached = with("reached \u{201c}Purchased\u{201d}");
    assert_eq!(reached.len(), 1, "{all:#?}");
    assert_eq!(group_of(reached[0]), "Macro conversions");
    let weeks = with("in the week of");
    assert!(!weeks.is_empty(), "{all:#?}");
    for s in weeks {
        assert_eq!(group_of(s), "Macro conversions", "{s}");
    }
    // its largest drop: the step dropped into
    let Section::Chart(fs) = &doc.sections[1] else {
        unreachable!()
    };
    let ChartData::Funnel(fd) = &fs.chart else {
        unreachable!()
    };
    let b = fd.bottleneck.expect("a bottleneck");
    let drop = &fs.notes[0];
    assert!(all.contains(drop), "{drop}");
    assert_eq!(group_of(drop), tag(steps[b]), "{drop}");
    // the impact sentences: by their action (use_filter is the planted one)
    let uf = with("did \u{201c}use_filter\u{201d}");
    assert_eq!(uf.len(), 1, "{all:#?}");
    assert_eq!(group_of(uf[0]), "Micro conversions");
    for e in ["sign_up_newsletter", "add_to_cart"] {
        for s in with(&format!("did \u{201c}{e}\u{201d}")) {
            assert_eq!(group_of(s), tag(e), "{s}");
        }
    }
    // browsing ends at an untagged event: other
    let browsing = with("reached \u{201c}Viewed product\u{201d}");
    assert_eq!(browsing.len(), 1, "{all:#?}");
    assert_eq!(group_of(browsing[0]), "Other");

    if let Some(text) = pdf_text(&doc, "grouped.pdf") {
        let at = |s: &str, from: usize| {
            from + text[from..]
                .find(s)
                .unwrap_or_else(|| panic!("no {s:?} after {from} in the PDF text"))
        };
        let macro_at = at("Macro conversions", 0);
        assert!(at("Key findings", 0) < macro_at);
        let micro_at = at("Micro conversions", macro_at);
        let other_at = at("\nOther\n", micro_at);
        let start = |s: &str| s.chars().take(24).collect::<String>();
        let m = at(&start(reached[0]), macro_at);
        assert!(m < micro_at, "the goal's sentence under Macro conversions");
        let u = at(&start(uf[0]), micro_at);
        assert!(
            u < other_at,
            "use_filter's sentence under Micro conversions"
        );
        at(&start(browsing[0]), other_at);
    }
}
