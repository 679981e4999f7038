// Shared sample data for the chart and report tests (`mod chart_data;`).
#![allow(dead_code)]

use stepwise_engine::chart::*;

pub fn funnel() -> FunnelChartData {
    let counts = [780_928u64, 193_670, 61_974, 3_514];
    let labels = [
        "Viewed product",
        "Added to cart",
        "Began checkout",
        "Purchased",
    ];
    let steps = counts
        .iter()
        .zip(labels)
        .enumerate()
        .map(|(i, (c, l))| FunnelChartStep {
            label: l.to_string(),
            count: *c,
            conversion_from_start: *c as f64 / counts[0] as f64,
            conversion_from_previous: if i == 0 {
                1.0
            } else {
                *c as f64 / counts[i - 1] as f64
            },
        })
        .collect();
    FunnelChartData {
        title: "Checkout funnel".into(),
        subtitle: Some("Users, 1–30 September 2024, ordered, 7-day window".into()),
        unit: "users".into(),
        steps,
        bottleneck: None,
    }
}

pub fn comparison() -> ComparisonChartData {
    let mk = |name: &str, counts: [u64; 4]| ComparisonSeries {
        name: name.into(),
        colour: None,
        steps: counts
            .iter()
            .map(|c| {
                let n = counts[0] as f64;
                let p = *c as f64 / n;
                let se = (p * (1.0 - p) / n).sqrt();
                ComparisonStep {
                    count: *c,
                    rate: p,
                    ci_low: Some((p - 1.96 * se).max(0.0)),
                    ci_high: Some((p + 1.96 * se).min(1.0)),
                }
            })
            .collect(),
    };
    ComparisonChartData {
        title: "Mobile converts less than desktop".into(),
        subtitle: Some("Conversion from product view, September 2024".into()),
        step_labels: vec![
            "Viewed product".into(),
            "Added to cart".into(),
            "Began checkout".into(),
            "Purchased".into(),
        ],
        series: vec![
            mk("Desktop", [2_400, 780, 330, 120]),
            mk("Mobile", [5_100, 1_150, 400, 95]),
            mk("Tablet", [310, 80, 30, 9]),
        ],
        confidence: Some(0.95),
    }
}

pub fn trend() -> TrendChartData {
    let series = ["Desktop", "Mobile"]
        .iter()
        .enumerate()
        .map(|(si, name)| TrendSeries {
            name: name.to_string(),
            points: (0..12)
                .map(|w| {
                    let entered = 900 + 37 * w as u64 + 200 * si as u64;
                    let rate = 0.05 - 0.015 * si as f64 + 0.004 * ((w as f64) * 0.9).sin();
                    let se = (rate * (1.0 - rate) / entered as f64).sqrt();
                    TrendPoint {
                        period: {
                            // Mondays from 1 July 2024.
                            let day = 1 + 7 * w;
                            let (m, d) = if day <= 31 {
                                (7, day)
                            } else if day <= 62 {
                                (8, day - 31)
                            } else {
                                (9, day - 62)
                            };
                            format!("2024-{m:02}-{d:02}")
                        },
                        rate,
                        ci_low: Some(rate - 1.96 * se),
                        ci_high: Some(rate + 1.96 * se),
                        entered: Some(entered),
                        converted: Some((entered as f64 * rate).round() as u64),
                    }
                })
                .collect(),
        })
        .collect();
    TrendChartData {
        title: "Weekly conversion, product view to purchase".into(),
        subtitle: Some("July–September 2024, by device".into()),
        series,
        note: None,
    }
}

pub fn histogram() -> HistogramData {
    let edges = [
        0.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 21600.0, 86400.0, 604800.0,
    ];
    let counts = [120u64, 340, 610, 980, 720, 510, 260, 190, 80, 25];
    HistogramData {
        title: "Time from cart to purchase".into(),
        subtitle: Some("Users who purchased, September 2024".into()),
        bins: counts
            .iter()
            .enumerate()
            .map(|(i, c)| HistogramBin {
                from_seconds: edges[i],
                to_seconds: edges[i + 1],
                count: *c,
            })
            .collect(),
        median_seconds: Some(200.0),
        unit: "users".into(),
    }
}

pub fn impact() -> ImpactChartData {
    let items = [
        ("Used site search", 0.42, 0.30, 0.55, 0.0001),
        ("Viewed size guide", 0.18, 0.05, 0.31, 0.008),
        ("Watched product video", 0.07, -0.04, 0.19, 0.21),
        ("Opened reviews", 0.11, 0.02, 0.20, 0.02),
        ("Applied coupon", -0.12, -0.21, -0.03, 0.01),
        ("Visited returns page", -0.02, -0.15, 0.10, 0.74),
    ];
    ImpactChartData {
        title: "Which actions go with buying".into(),
        subtitle: Some("Lift in purchase rate, users who did the action vs not".into()),
        items: items
            .iter()
            .map(|(l, lift, lo, hi, p)| ImpactItem {
                label: l.to_string(),
                lift: *lift,
                ci_low: *lo,
                ci_high: *hi,
                p_value: Some(*p),
                significant: None,
            })
            .collect(),
    }
}

pub fn metric_bars() -> MetricBarsData {
    let rows = [
        ("/", 120_554.0),
        ("/collections/all", 64_210.0),
        ("/products/linen-shirt", 38_900.0),
        ("/cart", 21_030.0),
        ("/checkouts/information", 9_877.0),
        ("/pages/returns", 4_120.0),
        (
            "/blogs/news/summer-lookbook-2024-the-long-title-that-needs-shortening",
            2_001.0,
        ),
    ];
    MetricBarsData {
        title: "Users by landing page".into(),
        subtitle: Some("GA4 pages report, September 2024".into()),
        dimension: "Page path".into(),
        metric: "Users".into(),
        value_kind: ValueKind::Count,
        bars: rows
            .iter()
            .map(|(l, v)| MetricBar {
                label: l.to_string(),
                value: *v,
            })
            .collect(),
        limit: None,
    }
}

pub fn all() -> Vec<ChartData> {
    vec![
        ChartData::Funnel(funnel()),
        ChartData::Comparison(comparison()),
        ChartData::Trend(trend()),
        ChartData::Histogram(histogram()),
        ChartData::Impact(impact()),
        ChartData::MetricBars(metric_bars()),
        ChartData::Sankey(sankey()),
    ]
}

/// Paths from "Add to cart (dropped)": three levels, "other" and "end"
/// grey, a crowded second level.
pub fn sankey() -> SankeyChartData {
    let mut nodes = vec![SankeyNode {
        level: 0,
        label: "Add to cart (dropped)".into(),
        count: 12_480,
        muted: false,
    }];
    let mut links = Vec::new();
    let l1 = [
        ("view_item", 4_210u64),
        ("view_cart", 2_950),
        ("search", 1_730),
        ("page_view", 1_100),
        ("other", 840),
        ("end", 1_650),
    ];
    for (name, c) in l1 {
        links.push(SankeyLink {
            from: 0,
            to: nodes.len(),
            count: c,
        });
        nodes.push(SankeyNode {
            level: 1,
            label: name.into(),
            count: c,
            muted: name == "other" || name == "end",
        });
    }
    // level 2: each level-1 node (but end) splits over many small branches
    let names = [
        "view_item",
        "add_to_cart",
        "begin_checkout",
        "search",
        "view_promotion",
        "select_item",
        "a rather long event name that must be shortened",
        "page_view",
        "login",
        "sign_up",
        "other",
        "end",
    ];
    let l2_start = nodes.len();
    let sizes = [
        2_100u64, 1_400, 900, 820, 610, 500, 420, 380, 300, 260, 780, 2_360,
    ];
    for (name, c) in names.iter().zip(sizes) {
        nodes.push(SankeyNode {
            level: 2,
            label: name.to_string(),
            count: c,
            muted: *name == "other" || *name == "end",
        });
    }
    // spread each level-2 node's count over the five walking level-1 nodes
    for (j, c) in sizes.iter().enumerate() {
        let mut left = *c;
        for k in 0..5u64 {
            let part = if k == 4 { left } else { c * (5 - k) / 15 };
            left -= part;
            links.push(SankeyLink {
                from: 1 + k as usize,
                to: l2_start + j,
                count: part,
            });
        }
    }
    SankeyChartData {
        title: "Where users went after Add to cart (dropped)".into(),
        subtitle: Some(
            "shop events · 12,480 users at the start · by event · top 8 per level".into(),
        ),
        unit: "users".into(),
        columns: vec!["Start".into(), "Next 1".into(), "Next 2".into()],
        nodes,
        links,
    }
}
