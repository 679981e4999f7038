//! Reports: PDF checked with poppler and qpdf (pages, text, embedded fonts,
//! validity), PNG pages, CSV tables with formula injection neutralised, and
//! the export time of a 10-page report with 12 charts.

mod chart_data;

#[path = "pdf_util.rs"]
mod pdf_util;
use pdf_util::{embedded_fonts, run, tool};
use std::process::Command;
use std::time::Instant;

use stepwise_engine::chart::*;
use stepwise_engine::report::*;

fn chart(heading: &str, chart: ChartData) -> Section {
    Section::Chart(ChartSection {
        heading: heading.into(),
        intro: None,
        chart,
        table: None,
        notes: vec![],
    })
}

pub fn sample(page: PageSize) -> ReportDocument {
    ReportDocument {
        title: "September checkout review".into(),
        subtitle: Some("Where shoppers drop out, and who buys".into()),
        client: Some("Linen & Co.".into()),
        date_range: Some("1–30 September 2024".into()),
        datasets: vec!["shop events".into(), "ga4 pages".into()],
        prepared_on: Some("3 October 2024".into()),
        page,
        sections: vec![
            Section::Findings {
                heading: "Key findings".into(),
                items: vec![
                    "Only 0.45% of users who viewed a product bought it; the largest drop is between checkout and purchase (94.3% did not continue).".into(),
                    "Mobile users convert at about half the desktop rate; the difference is significant (p < 0.001).".into(),
                    "Users who searched the site bought 42% more often.".into(),
                ],
                groups: vec![],
            },
            Section::Chart(ChartSection {
                heading: "Checkout funnel".into(),
                intro: Some("Users who viewed a product, and how many went on to each next step within 7 days.".into()),
                chart: ChartData::Funnel(chart_data::funnel()),
                table: None,
                notes: vec!["Counts are users; each user counts once per step.".into()],
            }),
            chart("Desktop, mobile and tablet", ChartData::Comparison(chart_data::comparison())),
            chart("Conversion week by week", ChartData::Trend(chart_data::trend())),
            chart("Time from cart to purchase", ChartData::Histogram(chart_data::histogram())),
            chart("Actions that go with buying", ChartData::Impact(chart_data::impact())),
            chart("Landing pages", ChartData::MetricBars(chart_data::metric_bars())),
            Section::Text {
                heading: Some("Next steps".into()),
                body: "Test a shorter checkout on mobile.\n\nPromote site search on product pages; measure purchase rate for four weeks.".into(),
            },
            Section::Method {
                heading: "Method".into(),
                items: vec![
                    MethodItem { term: "Funnel".into(), text: "A user counts at a step when their best attempt reached it within 7 days of the first step, in order.".into() },
                    MethodItem { term: "Intervals".into(), text: "95% Wilson score intervals for rates; differences tested with a two-proportion z-test, Holm-corrected across segments.".into() },
                ],
            },
        ],
    }
}

#[test]
fn pdf_has_pages_text_fonts_and_is_valid() {
    if !(tool("pdfinfo") && tool("qpdf")) {
        return;
    }
    for page in [PageSize::A4, PageSize::Letter] {
        let doc = sample(page);
        let rendered = render_pages(&doc).unwrap();
        let pdf = render_pdf(&doc).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.pdf");
        std::fs::write(&path, &pdf).unwrap();

        let (ok, info) = run("pdfinfo", &[], &path);
        assert!(ok, "{info}");
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert_eq!(pages, rendered.pages.len());
        assert!(pages >= 6, "{pages} pages");
        assert!(info.contains("September checkout review"), "{info}");
        let size = if page == PageSize::A4 {
            "595.28 x 841.89 pts"
        } else {
            "612 x 792 pts"
        };
        assert!(info.contains(size), "{info}");

        let (ok, text) = run("pdftotext", &["-layout"], &path);
        assert!(ok);
        let text = text.replace('\u{2212}', "-");
        for s in [
            "Contents",
            "Linen & Co.",
            "1–30 September 2024",
            "Viewed product",
            "Began checkout",
            "780,928",
            "193,670",
            "3,514",
            "24.8%",
            "0.45%",
            "Key findings",
            "Used site search",
            "Method",
            &format!("Page 2 of {pages}"),
            &format!("Page {pages} of {pages}"),
        ] {
            assert!(text.contains(s), "{s:?} not in the PDF text");
        }
        // The table of contents points at the page where the funnel is.
        let funnel_page = rendered
            .toc
            .iter()
            .find(|e| e.title == "Checkout funnel")
            .unwrap()
            .page;
        let (_, one) = run(
            "pdftotext",
            &[
                "-f",
                &(funnel_page + 1).to_string(),
                "-l",
                &(funnel_page + 1).to_string(),
            ],
            &path,
        );
        assert!(
            one.contains("Checkout funnel") && one.contains("780,928"),
            "{one}"
        );

        for r in embedded_fonts(&path) {
            assert!(r.contains("DejaVuSans"), "{r}");
        }

        let (ok, check) = run("qpdf", &["--check"], &path);
        assert!(ok, "qpdf --check failed: {check}");
        assert!(
            check.contains("No syntax or stream encoding errors"),
            "{check}"
        );

        // Bookmarks: one per section heading.
        let (ok, json) = run("qpdf", &["--json", "--json-key=outlines"], &path);
        assert!(ok);
        assert!(
            json.contains("Checkout funnel") && json.contains("Method"),
            "{json}"
        );
    }
}

#[test]
fn png_pages_have_the_page_size() {
    let doc = sample(PageSize::A4);
    let pngs = render_pngs(&doc, 1.0).unwrap();
    assert_eq!(pngs.len(), render_pages(&doc).unwrap().pages.len());
    for png in &pngs {
        let p = resvg::tiny_skia::Pixmap::decode_png(png).unwrap();
        assert_eq!((p.width(), p.height()), (595, 842));
        let inked = p.data().chunks(4).filter(|c| c[0] < 200).count();
        assert!(inked > 1000, "page looks blank: {inked}");
    }
    let big = render_pngs(&doc, 2.0).unwrap();
    let p = resvg::tiny_skia::Pixmap::decode_png(&big[0]).unwrap();
    assert_eq!((p.width(), p.height()), (1191, 1684));
}

#[test]
fn long_tables_break_across_pages_with_their_header() {
    let mut t = Table::new(&[("Page path", None), ("Users", Some(ValueKind::Count))]);
    for i in 0..120 {
        t.rows.push(vec![
            Cell::Text(format!("/products/item-{i}")),
            Cell::Number(1000.0 * i as f64),
        ]);
    }
    let doc = ReportDocument {
        title: "Pages".into(),
        subtitle: None,
        client: None,
        date_range: None,
        datasets: vec![],
        prepared_on: None,
        page: PageSize::A4,
        sections: vec![Section::Table {
            heading: "All pages".into(),
            table: t,
        }],
    };
    let r = render_pages(&doc).unwrap();
    // title + contents + at least 3 pages of 120 rows.
    assert!(r.pages.len() >= 5, "{}", r.pages.len());
    let last = &r.pages.last().unwrap().svg;
    assert!(last.contains(">Page path<") && last.contains("/products/item-119"));
    assert!(last.contains("119,000"));
}

#[test]
fn csv_tables_neutralise_formulas() {
    let mut t = Table::new(&[("Label", None), ("Rate", Some(ValueKind::Rate))]);
    for s in [
        "=HYPERLINK(\"x\")",
        "+1",
        "-2+3",
        "@SUM(A1)",
        "\tx",
        "plain, with comma",
        "say \"hi\"",
    ] {
        t.rows.push(vec![Cell::Text(s.into()), Cell::Number(-0.25)]);
    }
    t.rows.push(vec![Cell::Empty, Cell::Number(f64::NAN)]);
    let csv = table_to_csv(&t);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "Label,Rate (fraction)");
    assert_eq!(lines[1], "\"'=HYPERLINK(\"\"x\"\")\",-0.25");
    assert_eq!(lines[2], "'+1,-0.25");
    assert_eq!(lines[3], "'-2+3,-0.25");
    assert_eq!(lines[4], "'@SUM(A1),-0.25");
    assert_eq!(lines[5], "'\tx,-0.25");
    assert_eq!(lines[6], "\"plain, with comma\",-0.25");
    assert_eq!(lines[7], "\"say \"\"hi\"\"\",-0.25");
    assert_eq!(lines[8], ",");
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let back: Vec<String> = rdr.records().map(|r| r.unwrap()[0].to_string()).collect();
    assert_eq!(
        back,
        [
            "'=HYPERLINK(\"x\")",
            "'+1",
            "'-2+3",
            "'@SUM(A1)",
            "'\tx",
            "plain, with comma",
            "say \"hi\"",
            "",
        ]
    );

    let doc = sample(PageSize::A4);
    let files = tables_csv(&doc);
    assert_eq!(files.len(), 6, "one per chart");
    assert_eq!(files[0].0, "02-checkout-funnel.csv");
    assert!(files[0].1.starts_with("Step,Users,% of start (fraction)"));
    assert!(files[0].1.contains("1. Viewed product,780928,1,1,"));
}

#[test]
fn report_spec_is_json() {
    let doc = sample(PageSize::Letter);
    let json = serde_json::to_string(&doc).unwrap();
    assert!(json.contains("\"page\":\"Letter\""));
    assert!(json.contains("\"type\":\"chart\""));
    let back: ReportDocument = serde_json::from_str(&json).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), parsed);

    let mut t = Table::new(&[("Label", None), ("Users", Some(ValueKind::Count))]);
    t.rows.push(vec![Cell::Text("a".into()), Cell::Empty]);
    t.rows.push(vec![Cell::Empty, Cell::Number(3.0)]);
    let json = serde_json::to_string(&t).unwrap();
    assert!(json.contains("[[\"a\",null],[null,3.0]]"), "{json}");
    let back: Table = serde_json::from_str(&json).unwrap();
    assert_eq!(back, t);
    assert_eq!(back.display(1, 1), "3");
}

/// 10 pages, 12 charts: under one second in a release build.
#[test]
fn report_speed() {
    let mut doc = sample(PageSize::A4);
    doc.sections.retain(|s| matches!(s, Section::Chart(_)));
    let charts = doc.sections.clone();
    doc.sections.extend(charts);
    assert_eq!(doc.sections.len(), 12);
    let t = Instant::now();
    let pdf = render_pdf(&doc).unwrap();
    let took = t.elapsed();
    let t2 = Instant::now();
    let pages = render_pages(&doc).unwrap().pages.len();
    let layout = t2.elapsed();
    let t3 = Instant::now();
    render_pdf(&doc).unwrap();
    let warm = t3.elapsed();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    eprintln!(
        "report_speed: {pages} pages, 12 charts, {} KB PDF in {:.0} ms first call, {:.0} ms again (layout and chart SVGs {:.0} ms) ({} build)",
        pdf.len() / 1024,
        ms(took),
        ms(warm),
        ms(layout),
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    assert!(pages >= 10, "{pages}");
    if !cfg!(debug_assertions) {
        assert!(took.as_secs_f64() < 1.0, "took {took:?}");
    }
}

/// STEPWISE_REPORT_DUMP=DIR writes the sample report as PDF and CSVs for a
/// visual check.
#[test]
fn dump_for_review() {
    let Some(dir) = std::env::var_os("STEPWISE_REPORT_DUMP") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let doc = sample(PageSize::A4);
    std::fs::write(dir.join("report.pdf"), render_pdf(&doc).unwrap()).unwrap();
    std::fs::write(
        dir.join("report.json"),
        serde_json::to_string_pretty(&doc).unwrap(),
    )
    .unwrap();
    for (name, csv) in tables_csv(&doc) {
        std::fs::write(dir.join(name), csv).unwrap();
    }
}

#[test]
fn awkward_content_still_makes_a_valid_pdf() {
    let mut f = chart_data::funnel();
    f.steps[0].label = "<b>View & \"buy\"</b>".into();
    f.title = "Funnel <script>".into();
    let doc = ReportDocument {
        title: "".into(),
        subtitle: None,
        client: Some("A & B <Ltd>".into()),
        date_range: None,
        datasets: vec![],
        prepared_on: None,
        page: PageSize::Letter,
        sections: vec![
            Section::Text {
                heading: None,
                body: "word ".repeat(3000),
            },
            Section::Text {
                heading: Some("Unbroken".into()),
                body: "x".repeat(500),
            },
            Section::Findings {
                heading: "Nothing found".into(),
                items: vec![],
                groups: vec![],
            },
            Section::Table {
                heading: "Empty table".into(),
                table: Table::default(),
            },
            chart("Funnel <script>", ChartData::Funnel(f)),
        ],
    };
    let r = render_pages(&doc).unwrap();
    assert!(r.pages.len() >= 4);
    for p in &r.pages {
        stepwise_engine::chart::export::parse(&p.svg).unwrap();
    }
    let pdf = render_pdf(&doc).unwrap();
    if !tool("qpdf") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let (ok, check) = run("qpdf", &["--check"], &path);
    assert!(ok, "{check}");
    let (_, text) = run("pdftotext", &[], &path);
    assert!(
        text.contains("A & B <Ltd>") && text.contains("<b>View & \"buy\"</b>"),
        "{text}"
    );
}

#[test]
fn xlsx_has_a_sheet_per_table_with_numbers_as_numbers() {
    let doc = sample(PageSize::A4);
    let bytes = tables_xlsx(&doc).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    if Command::new("unzip").arg("-v").output().is_err() {
        eprintln!("unzip not found; skipping the look inside the workbook");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tables.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    let unzip = |member: &str| {
        let out = Command::new("unzip")
            .arg("-p")
            .arg(&path)
            .arg(member)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let wb = unzip("xl/workbook.xml");
    for name in [
        "Checkout funnel",
        "Desktop, mobile and tablet",
        "Landing pages",
    ] {
        assert!(wb.contains(&format!("name=\"{name}\"")), "{name}: {wb}");
    }
    assert_eq!(wb.matches("<sheet ").count(), 6);
    let sheet = unzip("xl/worksheets/sheet1.xml");
    // 780,928 stored as a number, not text; no formulas anywhere.
    assert!(sheet.contains("<v>780928</v>"), "{sheet}");
    assert!(!sheet.contains("<f>"));
    let strings = unzip("xl/sharedStrings.xml");
    assert!(strings.contains("1. Viewed product"));

    // A formula-looking label stays an inert string.
    let mut t = Table::new(&[("Label", None)]);
    t.rows.push(vec![Cell::Text("=1+1".into())]);
    let bytes = tables_to_xlsx(&[("a/b:c".into(), t)]).unwrap();
    std::fs::write(&path, &bytes).unwrap();
    assert!(!unzip("xl/worksheets/sheet1.xml").contains("<f>"));
    assert!(unzip("xl/sharedStrings.xml").contains("=1+1"));
    assert!(unzip("xl/workbook.xml").contains("name=\"a b c\""));
}

#[test]
fn the_same_report_gives_the_same_output() {
    let doc = sample(PageSize::A4);
    // svg2pdf writes a page's two font objects in hash-map order, so object
    // numbers may swap between runs; the size and every page image agree.
    let (a, b) = (render_pdf(&doc).unwrap(), render_pdf(&doc).unwrap());
    assert_eq!(a.len(), b.len());
    let (pa, pb) = (
        render_pngs(&doc, 1.0).unwrap(),
        render_pngs(&doc, 1.0).unwrap(),
    );
    assert!(pa == pb, "two renders of one report differ");
}

#[test]
fn pages_converted_on_several_threads_make_the_same_pdf() {
    let doc = sample(PageSize::A4);
    let one = render_pdf_threads(&doc, 1).unwrap();
    let texts: Vec<String> = [1usize, 2, 3, 7]
        .iter()
        .map(|&t| {
            let pdf = render_pdf_threads(&doc, t).unwrap();
            // object numbers of a page's two fonts may swap (see above);
            // the size does not
            assert_eq!(pdf.len(), one.len(), "{t} threads");
            if !tool("pdftotext") {
                return String::new();
            }
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("r.pdf");
            std::fs::write(&path, &pdf).unwrap();
            let (ok, text) = run("pdftotext", &["-layout"], &path);
            assert!(ok, "{text}");
            text
        })
        .collect();
    assert!(texts.iter().all(|t| *t == texts[0]));
    if !texts[0].is_empty() {
        // every page is there, in order: the footers (all but the cover's)
        // count up
        let t = &texts[0];
        let at = t.find("Page 2 of ").expect("a footer on page 2") + "Page 2 of ".len();
        let pages: usize = t[at..]
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .expect("the page count");
        assert!(pages >= 4, "{pages} pages");
        for p in 2..pages {
            let (a, b) = (format!("Page {p} of"), format!("Page {} of", p + 1));
            assert!(t.find(&a).unwrap() < t.find(&b).unwrap(), "{a} before {b}");
        }
    }
}

#[test]
fn findings_say_what_the_numbers_say() {
    let f = findings::funnel(&chart_data::funnel());
    assert_eq!(
        f[0],
        "Of 780,928 users who viewed product, 3,514 (0.45%) reached \u{201c}Purchased\u{201d}."
    );
    assert_eq!(
        f[1],
        "The largest drop is from \u{201c}Began checkout\u{201d} to \u{201c}Purchased\u{201d}: 94.3% of users did not continue (58,460 users)."
    );
    let i = findings::impact(&chart_data::impact());
    assert_eq!(i.len(), 3);
    assert!(
        i[0].contains("Used site search") && i[0].contains("42.0% more often"),
        "{}",
        i[0]
    );
    // Not significant: never called a difference.
    assert!(i.iter().all(|s| !s.contains("Watched product video")));
    let mut none = chart_data::impact();
    none.items
        .iter_mut()
        .for_each(|it| it.significant = Some(false));
    assert_eq!(
        findings::impact(&none),
        ["None of the 6 actions tested shows a clear difference in conversion."]
    );
    let t = findings::trend(&chart_data::trend());
    assert_eq!(t.len(), 2);
    assert!(
        t[0].starts_with("Desktop: ") && t[0].ends_with("with no clear change."),
        "{}",
        t[0]
    );
}
