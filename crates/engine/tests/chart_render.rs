//! Charts: every kind draws in both themes and all sizes, shows readable
//! numbers, converts to PNG and vector PDF, and three match golden images.

mod chart_data;
mod common;
#[path = "pdf_util.rs"]
mod pdf_util;
use pdf_util::{embedded_fonts, tool};

use std::path::{Path, PathBuf};
use std::process::Command;

use stepwise_engine::chart::export::{svg_to_pdf, svg_to_png};
use stepwise_engine::chart::*;

fn opts(theme: ThemeName, size: ChartSize) -> ChartOptions {
    ChartOptions { theme, size }
}

/// Decode a PNG into (width, height, RGBA pixels).
fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
    let p = resvg::tiny_skia::Pixmap::decode_png(png).expect("valid PNG");
    (p.width(), p.height(), p.data().to_vec())
}

fn svg_texts(svg: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text") {
        let after = &rest[i..];
        let open_end = after.find('>').unwrap() + 1;
        let close = after.find("</text>").unwrap();
        out.push(after[open_end..close].trim().to_string());
        rest = &after[close..];
    }
    out
}

#[test]
fn every_chart_renders_in_every_theme_and_size() {
    for chart in chart_data::all() {
        for theme in [ThemeName::Light, ThemeName::Dark] {
            for size in [ChartSize::Screen, ChartSize::Slide, ChartSize::Page] {
                let svg = render_svg(&chart, &opts(theme, size)).unwrap();
                let (w, h) = size.pixels();
                assert!(
                    svg.contains(&format!("viewBox=\"0 0 {w} {h}\"")),
                    "{svg:.200}"
                );
                let tree = export::parse(&svg).unwrap();
                assert_eq!(tree.size().width() as u32, w);
                let texts = svg_texts(&svg);
                assert!(texts.iter().any(|t| t == chart.title()), "title missing");
                // Never a raw float on the page.
                for t in &texts {
                    for tok in t.split_whitespace() {
                        let num = tok.trim_end_matches('%');
                        if num.parse::<f64>().is_ok() {
                            // Rates keep one decimal (5.0%); plain numbers never end in .0.
                            assert!(
                                tok.ends_with('%') || !num.ends_with(".0") || t.contains("day"),
                                "{t}"
                            );
                            assert!(num.len() < 5 || num.contains('.'), "no separators: {t}");
                            assert!(!num.contains('e'), "{t}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn funnel_shows_counts_rates_drops_and_the_bottleneck() {
    let d = chart_data::funnel();
    let svg = render_svg(&ChartData::Funnel(d.clone()), &ChartOptions::default()).unwrap();
    let texts = svg_texts(&svg);
    for expected in [
        "780,928",
        "193,670",
        "61,974",
        "3,514",
        "24.8% of start",
        "0.45% of start",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "{expected} missing in {texts:?}"
        );
    }
    // Drops from the previous step: 75.2%, 68.0%, 94.3%.
    for drop in ["\u{2212}75.2%", "\u{2212}68.0%", "\u{2212}94.3%"] {
        assert!(
            texts.iter().any(|t| t == drop),
            "{drop} missing in {texts:?}"
        );
    }
    assert!(texts.iter().any(|t| t.starts_with("1. Viewed product")));
    // Purchased (step 4) lost the largest share: it is the bottleneck, in the accent colour.
    assert_eq!(d.bottleneck_step(), Some(3));
    assert!(svg.contains("fill=\"#D55E00\""));
    // Axis ticks are round counts with separators.
    assert!(texts.iter().any(|t| t == "800,000"));
    assert!(!svg.contains("800000"));

    // An explicit bottleneck overrides; an out-of-range one highlights nothing.
    let mut d2 = d.clone();
    d2.bottleneck = Some(1);
    assert_eq!(d2.bottleneck_step(), Some(1));
    d2.bottleneck = Some(9);
    assert_eq!(d2.bottleneck_step(), None);
    let svg = render_svg(&ChartData::Funnel(d2), &ChartOptions::default()).unwrap();
    assert!(!svg.contains("#D55E00"));
}

#[test]
fn dark_theme_differs_from_light() {
    let c = ChartData::Funnel(chart_data::funnel());
    let light = render_svg(&c, &opts(ThemeName::Light, ChartSize::Screen)).unwrap();
    let dark = render_svg(&c, &opts(ThemeName::Dark, ChartSize::Screen)).unwrap();
    assert!(light.contains("#FFFFFF"));
    assert!(dark.contains("#1E1E1E") && !dark.contains("fill=\"#FFFFFF\""));
    let (_, _, px) = decode(&svg_to_png(&dark, 1.0).unwrap());
    // The corner pixel is the dark background.
    assert_eq!(&px[0..3], &[0x1E, 0x1E, 0x1E]);
}

#[test]
fn empty_data_draws_an_explaining_chart() {
    let mut f = chart_data::funnel();
    f.steps.clear();
    let svg = render_svg(&ChartData::Funnel(f), &ChartOptions::default()).unwrap();
    assert!(svg_texts(&svg).iter().any(|t| t == "No steps to show."));
    let mut h = chart_data::histogram();
    h.bins.clear();
    assert!(render_svg(&ChartData::Histogram(h), &ChartOptions::default()).is_ok());
}

#[test]
fn impact_keeps_the_ranking_order_and_colours_only_significant_results() {
    let d = chart_data::impact();
    let svg = render_svg(&ChartData::Impact(d), &ChartOptions::default()).unwrap();
    let texts = svg_texts(&svg);
    let pos = |s: &str| {
        texts
            .iter()
            .position(|t| t == s)
            .unwrap_or_else(|| panic!("{s}"))
    };
    // in the order given (the engine's ranking, the table's), not re-sorted by lift
    assert!(pos("Used site search") < pos("Viewed size guide"));
    assert!(pos("Viewed size guide") < pos("Watched product video"));
    assert!(pos("Watched product video") < pos("Opened reviews"));
    assert!(pos("Opened reviews") < pos("Applied coupon"));
    assert!(pos("Applied coupon") < pos("Visited returns page"));
    assert!(texts.iter().any(|t| t == "+42.0%"));
    assert!(texts.iter().any(|t| t.contains("p &lt; 0.001")));
}

#[test]
fn png_has_the_right_size_and_is_not_blank() {
    let svg = render_svg(
        &ChartData::Funnel(chart_data::funnel()),
        &ChartOptions::default(),
    )
    .unwrap();
    for scale in [1.0f32, 2.0] {
        let png = svg_to_png(&svg, scale).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let (w, h, px) = decode(&png);
        assert_eq!((w, h), ((960.0 * scale) as u32, (540.0 * scale) as u32));
        let blue = px
            .chunks(4)
            .filter(|p| p[0] == 0x00 && p[1] == 0x72 && p[2] == 0xB2)
            .count();
        let non_white = px
            .chunks(4)
            .filter(|p| p[0] < 250 || p[1] < 250 || p[2] < 250)
            .count();
        assert!(blue as f64 > 0.03 * (w * h) as f64, "bars drawn: {blue}");
        assert!(non_white as f64 > 0.05 * (w * h) as f64);
        // Dark text pixels: the labels were drawn with the font.
        let dark = px
            .chunks(4)
            .filter(|p| p[0] < 60 && p[1] < 60 && p[2] < 60)
            .count();
        assert!(dark > 500, "text drawn: {dark}");
    }
    assert!(svg_to_png(&svg, 0.0).is_err());
}

#[test]
fn chart_pdf_is_vector_with_the_font_embedded() {
    if !tool("pdffonts") {
        return;
    }
    let svg = render_svg(
        &ChartData::Funnel(chart_data::funnel()),
        &opts(ThemeName::Light, ChartSize::Page),
    )
    .unwrap();
    let pdf = svg_to_pdf(&svg).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("funnel.pdf");
    std::fs::write(&path, &pdf).unwrap();
    for r in embedded_fonts(&path) {
        assert!(r.contains("DejaVuSans"), "{r}");
    }
    let text = String::from_utf8(
        Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        text.contains("780,928") && text.contains("Checkout funnel"),
        "{text}"
    );
    // No raster image: the chart stays vector.
    let images = String::from_utf8(
        Command::new("pdfimages")
            .arg("-list")
            .arg(&path)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(images.lines().count(), 2, "{images}");
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden")
}

/// Whether to write the golden image instead of comparing with it: when
/// asked to, or when it is missing outside CI. A golden image missing under
/// CI is an error (a moved folder must not pass by writing new ones).
fn golden_to_write(update: bool, exists: bool, ci: bool) -> Result<bool, &'static str> {
    match (update, exists, ci) {
        (true, _, _) => Ok(true),
        (false, true, _) => Ok(false),
        (false, false, false) => Ok(true),
        (false, false, true) => Err("golden image missing under CI (not written; run without CI or with STEPWISE_UPDATE_GOLDEN=1 and commit it)"),
    }
}

#[test]
fn a_missing_golden_image_fails_under_ci() {
    assert_eq!(golden_to_write(false, false, true), Err("golden image missing under CI (not written; run without CI or with STEPWISE_UPDATE_GOLDEN=1 and commit it)"));
    assert_eq!(golden_to_write(false, false, false), Ok(true));
    assert_eq!(golden_to_write(false, true, true), Ok(false));
    assert_eq!(golden_to_write(true, true, true), Ok(true));
    assert!(common::ci_value(Some("true")) && common::ci_value(Some("1")));
    assert!(
        !common::ci_value(None) && !common::ci_value(Some("false")) && !common::ci_value(Some(""))
    );
}

/// Compare with a stored image: at most 0.5% of pixels may differ by more
/// than 48 in a channel (anti-aliasing across versions), and the mean
/// difference must stay under 1.5. STEPWISE_UPDATE_GOLDEN=1 rewrites them.
fn check_golden(name: &str, chart: ChartData) {
    let svg = render_svg(
        &chart,
        &opts(
            ThemeName::Light,
            ChartSize::Custom {
                width: 480,
                height: 300,
            },
        ),
    )
    .unwrap();
    let png = svg_to_png(&svg, 1.0).unwrap();
    let path = golden_dir().join(format!("{name}.png"));
    let update = std::env::var_os("STEPWISE_UPDATE_GOLDEN").is_some();
    if golden_to_write(update, path.exists(), common::under_ci())
        .unwrap_or_else(|e| panic!("{name}: {e}: {}", path.display()))
    {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, &png).unwrap();
        eprintln!("wrote golden {}", path.display());
        return;
    }
    let want = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (w1, h1, a) = decode(&png);
    let (w2, h2, b) = decode(&want);
    assert_eq!((w1, h1), (w2, h2), "{name}: size changed");
    let mut big = 0usize;
    let mut sum = 0u64;
    for (pa, pb) in a.chunks(4).zip(b.chunks(4)) {
        let d = (0..3)
            .map(|i| (pa[i] as i32 - pb[i] as i32).unsigned_abs())
            .max()
            .unwrap();
        sum += d as u64;
        if d > 48 {
            big += 1;
        }
    }
    let n = (w1 * h1) as f64;
    let mean = sum as f64 / n;
    if big as f64 > 0.005 * n || mean > 1.5 {
        let out = std::env::temp_dir().join(format!("{name}.actual.png"));
        std::fs::write(&out, &png).unwrap();
        panic!(
            "{name} differs from its golden image: {big} pixels differ, mean {mean:.2}; actual in {}; STEPWISE_UPDATE_GOLDEN=1 accepts it",
            out.display()
        );
    }
}

#[test]
fn golden_funnel() {
    check_golden("funnel", ChartData::Funnel(chart_data::funnel()));
}

#[test]
fn golden_comparison() {
    check_golden(
        "comparison",
        ChartData::Comparison(chart_data::comparison()),
    );
}

#[test]
fn golden_impact() {
    check_golden("impact", ChartData::Impact(chart_data::impact()));
}

#[test]
fn chart_data_is_json() {
    let c = ChartData::Funnel(chart_data::funnel());
    let json = serde_json::to_string(&c).unwrap();
    assert!(json.starts_with("{\"kind\":\"funnel\""), "{json}");
    let back: ChartData = serde_json::from_str(&json).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), parsed);
}

/// STEPWISE_CHART_DUMP=DIR writes every chart (light screen, dark screen,
/// page) as SVG and PNG for a visual check.
#[test]
fn dump_for_review() {
    let Some(dir) = std::env::var_os("STEPWISE_CHART_DUMP") else {
        return;
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    for chart in chart_data::all() {
        let name = serde_json::to_value(&chart).unwrap()["kind"]
            .as_str()
            .unwrap()
            .to_string();
        for (suffix, o) in [
            ("light", opts(ThemeName::Light, ChartSize::Screen)),
            ("dark", opts(ThemeName::Dark, ChartSize::Screen)),
            ("page", opts(ThemeName::Light, ChartSize::Page)),
            ("slide", opts(ThemeName::Light, ChartSize::Slide)),
        ] {
            let svg = render_svg(&chart, &o).unwrap();
            std::fs::write(dir.join(format!("{name}-{suffix}.svg")), &svg).unwrap();
            std::fs::write(
                dir.join(format!("{name}-{suffix}.png")),
                svg_to_png(&svg, 1.0).unwrap(),
            )
            .unwrap();
        }
    }
}

#[test]
fn degenerate_data_draws_without_panicking() {
    let long = "A very long step label that goes on and on about what the user did ".repeat(3);
    let mut f = chart_data::funnel();
    f.steps = (0..30)
        .map(|i| FunnelChartStep {
            label: format!("{long}{i}"),
            count: if i < 3 { 0 } else { 5 },
            conversion_from_start: f64::NAN,
            conversion_from_previous: if i % 2 == 0 { f64::INFINITY } else { 0.0 },
        })
        .collect();
    let mut c = chart_data::comparison();
    c.series[0].steps.truncate(1);
    c.series[1].steps[2].ci_low = Some(f64::NAN);
    let mut t = chart_data::trend();
    t.series[1].points.truncate(3);
    t.series[0].points.truncate(1);
    let mut h = chart_data::histogram();
    h.bins.truncate(1);
    h.median_seconds = Some(1e12);
    let mut i = chart_data::impact();
    i.items[0].ci_high = f64::INFINITY;
    i.items
        .extend(i.items.clone().into_iter().cycle().take(100));
    let mut m = chart_data::metric_bars();
    m.bars.iter_mut().for_each(|b| b.value = -b.value);
    for chart in [
        ChartData::Funnel(f),
        ChartData::Comparison(c),
        ChartData::Trend(t),
        ChartData::Histogram(h),
        ChartData::Impact(i),
        ChartData::MetricBars(m),
    ] {
        for size in [
            ChartSize::Page,
            ChartSize::Custom {
                width: 10,
                height: 10,
            },
        ] {
            let svg = render_svg(&chart, &opts(ThemeName::Light, size)).unwrap();
            let png = svg_to_png(&svg, 1.0).unwrap();
            assert!(png.len() > 100);
        }
    }
}

/// Every `<text>` of an SVG as (text, left, right, top, bottom) in px, its
/// width measured with the chart font.
fn text_boxes(svg: &str) -> Vec<(String, f64, f64, f64, f64)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let k = format!(" {name}=\"");
        let i = tag.find(&k)? + k.len();
        Some(tag[i..i + tag[i..].find('"')?].to_string())
    };
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text") {
        let after = &rest[i..];
        let open_end = after.find('>').unwrap();
        let tag = &after[..open_end];
        let close = after.find("</text>").unwrap();
        let text = after[open_end + 1..close].trim().to_string();
        let x: f64 = attr(tag, "x").unwrap().parse().unwrap();
        let y: f64 = attr(tag, "y").unwrap().parse().unwrap();
        let size: f64 = attr(tag, "font-size").unwrap().parse().unwrap();
        let bold = tag.contains("bold");
        let w = fonts::text_width(&text, size as f32, bold) as f64;
        let (l, r) = match attr(tag, "text-anchor").as_deref() {
            Some("middle") => (x - w / 2.0, x + w / 2.0),
            Some("end") => (x - w, x),
            _ => (x, x + w),
        };
        out.push((text, l, r, y - size * 0.45, y + size * 0.45));
        rest = &after[close..];
    }
    out
}

#[test]
fn sankey_labels_do_not_overlap_at_1024_px() {
    let d = chart_data::sankey();
    for theme in [ThemeName::Light, ThemeName::Dark] {
        for (w, h) in [(1024, 560), (1024, 420), (700, 420)] {
            let svg = render_svg(
                &ChartData::Sankey(d.clone()),
                &opts(
                    theme,
                    ChartSize::Custom {
                        width: w,
                        height: h,
                    },
                ),
            )
            .unwrap();
            let boxes = text_boxes(&svg);
            for (i, a) in boxes.iter().enumerate() {
                assert!(
                    a.1 >= 0.0 && a.2 <= w as f64 + 0.5,
                    "{a:?} leaves the chart"
                );
                for b in &boxes[i + 1..] {
                    let apart = a.2 <= b.1 || b.2 <= a.1 || a.4 <= b.3 || b.4 <= a.3;
                    assert!(apart, "{w}x{h}: {a:?} overlaps {b:?}");
                }
            }
            let texts: Vec<&str> = boxes.iter().map(|b| b.0.as_str()).collect();
            // the start, the largest nodes and their counts are labelled
            for t in [
                "Add to cart (dropped)",
                "12,480",
                "view_item",
                "4,210",
                "Next 2",
            ] {
                assert!(texts.contains(&t), "{w}x{h}: {t} missing in {texts:?}");
            }
            // a long name is shortened, not cut off at the edge
            assert!(
                texts
                    .iter()
                    .any(|t| t.starts_with("a rather") && t.ends_with('\u{2026}')),
                "{texts:?}"
            );
        }
    }
    // "other" and "end" are grey, the other nodes in the palette's colours
    let svg = render_svg(&ChartData::Sankey(d.clone()), &ChartOptions::default()).unwrap();
    let grey = Theme::get(ThemeName::Light).neutral;
    assert!(svg.contains(&format!("fill=\"{grey}\"")), "no grey node");
    assert!(
        svg.contains("fill=\"#0072B2\""),
        "the start is not in the first colour"
    );
    // its table: a row per node with its share of the start
    let t = ChartData::Sankey(d.clone()).table();
    assert_eq!(t.rows.len(), d.nodes.len());
    let empty = SankeyChartData {
        nodes: vec![],
        links: vec![],
        ..d
    };
    let svg = render_svg(&ChartData::Sankey(empty), &ChartOptions::default()).unwrap();
    assert!(svg_texts(&svg)
        .iter()
        .any(|t| t == "No users reached the start."));
}
