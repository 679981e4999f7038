//! Charts, drawn once as SVG by plotters: the app shows the SVG, exports turn
//! it into PNG (resvg) or vector PDF (svg2pdf) with the compiled-in font, so
//! the screen, the PNG and the PDF show the same picture.
//!
//! The inputs are plain data ([`ChartData`]); mapping engine results into them
//! is the caller's job. See docs/reports.md.

pub mod canvas;
pub mod export;
pub mod fonts;
pub mod format;
mod kinds;
pub mod results;
pub mod theme;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use format::ValueKind;
pub use theme::{Theme, ThemeName};

/// One step of a funnel as the chart shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FunnelChartStep {
    pub label: String,
    #[ts(type = "number")]
    pub count: u64,
    /// Fraction 0..1 of the first step's count.
    pub conversion_from_start: f64,
    /// Fraction 0..1 of the previous step's count (1 for the first step).
    pub conversion_from_previous: f64,
}

/// A funnel: a bar per step with its count, % of start and % of previous,
/// the drop between bars marked and the bottleneck step highlighted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FunnelChartData {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    /// What is counted, for the axis: "users" or "sessions".
    #[serde(default = "default_unit")]
    pub unit: String,
    pub steps: Vec<FunnelChartStep>,
    /// The step (index >= 1) to highlight; `None` highlights the step with
    /// the largest drop from the previous one.
    #[serde(default)]
    pub bottleneck: Option<usize>,
}

fn default_unit() -> String {
    "users".to_string()
}

impl FunnelChartData {
    /// The step to highlight: the given one, or the one with the lowest
    /// conversion from the previous step (ties: the earliest).
    pub fn bottleneck_step(&self) -> Option<usize> {
        if let Some(b) = self.bottleneck {
            return (b >= 1 && b < self.steps.len()).then_some(b);
        }
        let mut best: Option<(usize, f64)> = None;
        for (i, s) in self.steps.iter().enumerate().skip(1) {
            let r = s.conversion_from_previous;
            if r.is_finite() && best.is_none_or(|(_, b)| r < b) {
                best = Some((i, r));
            }
        }
        best.map(|(i, _)| i)
    }
}

/// One step of one series in a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ComparisonStep {
    #[ts(type = "number")]
    pub count: u64,
    /// The rate shown (by default conversion from the first step).
    pub rate: f64,
    #[serde(default)]
    pub ci_low: Option<f64>,
    #[serde(default)]
    pub ci_high: Option<f64>,
}

/// One segment or variant in a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ComparisonSeries {
    pub name: String,
    pub steps: Vec<ComparisonStep>,
    /// The series' own colour (a persona's), one of the palette's
    /// (`#0072B2` ...); others get the first palette colours no series
    /// asked for (`Theme::series_colours`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub colour: Option<String>,
}

/// Funnels of several segments side by side: grouped bars of the rate per
/// step, with confidence-interval whiskers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ComparisonChartData {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    pub step_labels: Vec<String>,
    pub series: Vec<ComparisonSeries>,
    /// Level of the intervals, e.g. 0.95, for the legend.
    #[serde(default)]
    pub confidence: Option<f64>,
}

/// One period of a trend line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TrendPoint {
    /// The period as it should be printed ("2024-09-02", "Sep 2024").
    pub period: String,
    pub rate: f64,
    #[serde(default)]
    pub ci_low: Option<f64>,
    #[serde(default)]
    pub ci_high: Option<f64>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub entered: Option<u64>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub converted: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TrendSeries {
    pub name: String,
    pub points: Vec<TrendPoint>,
}

/// Conversion over time, one line per segment, with interval bands. All
/// series share the periods of the first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TrendChartData {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    pub series: Vec<TrendSeries>,
    /// The caption under the chart (default: what a conversion trend shows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HistogramBin {
    pub from_seconds: f64,
    pub to_seconds: f64,
    #[ts(type = "number")]
    pub count: u64,
}

/// Time to convert: how many units took how long between two steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HistogramData {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    pub bins: Vec<HistogramBin>,
    #[serde(default)]
    pub median_seconds: Option<f64>,
    #[serde(default = "default_unit")]
    pub unit: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImpactItem {
    pub label: String,
    /// Relative lift of conversion (0.12 = +12%).
    pub lift: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    #[serde(default)]
    pub p_value: Option<f64>,
    /// Whether the test calls the difference significant (after any
    /// multiple-comparison correction). `None`: decided from the interval
    /// (significant when it excludes zero).
    #[serde(default)]
    pub significant: Option<bool>,
}

impl ImpactItem {
    pub fn is_significant(&self) -> bool {
        self.significant
            .unwrap_or(self.ci_low > 0.0 || self.ci_high < 0.0)
    }
}

/// Micro-conversion impact: the lift of each candidate with its interval,
/// in the ranking's order (expected value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImpactChartData {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    pub items: Vec<ImpactItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MetricBar {
    pub label: String,
    pub value: f64,
}

/// Bars by dimension for an imported report table (e.g. users by page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MetricBarsData {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    /// The dimension's name, e.g. "Page path".
    pub dimension: String,
    /// The metric's name, e.g. "Users".
    pub metric: String,
    pub value_kind: ValueKind,
    pub bars: Vec<MetricBar>,
    /// Show at most this many bars (the largest); default 12.
    #[serde(default)]
    pub limit: Option<usize>,
}

/// One node of a Sankey chart: a bar in its column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SankeyNode {
    /// The column (0: the start).
    pub level: usize,
    pub label: String,
    #[ts(type = "number")]
    pub count: u64,
    /// Drawn grey: the pooled "other" branches or where journeys stop.
    #[serde(default)]
    pub muted: bool,
}

/// Units going from node `from` to node `to` (indexes into the nodes, `to`
/// in the next column).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SankeyLink {
    pub from: usize,
    pub to: usize,
    #[ts(type = "number")]
    pub count: u64,
}

/// Paths: a column per level, a bar per node sized by its count, a band per
/// link sized by the units that took it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SankeyChartData {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    /// What is counted: "users" or "sessions".
    #[serde(default = "default_unit")]
    pub unit: String,
    /// The column headings ("Start", "Next 1", ...); empty: none.
    #[serde(default)]
    pub columns: Vec<String>,
    pub nodes: Vec<SankeyNode>,
    pub links: Vec<SankeyLink>,
}

/// Any chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum ChartData {
    Funnel(FunnelChartData),
    Comparison(ComparisonChartData),
    Trend(TrendChartData),
    Histogram(HistogramData),
    Impact(ImpactChartData),
    MetricBars(MetricBarsData),
    Sankey(SankeyChartData),
}

impl ChartData {
    pub fn title(&self) -> &str {
        match self {
            ChartData::Funnel(d) => &d.title,
            ChartData::Comparison(d) => &d.title,
            ChartData::Trend(d) => &d.title,
            ChartData::Histogram(d) => &d.title,
            ChartData::Impact(d) => &d.title,
            ChartData::MetricBars(d) => &d.title,
            ChartData::Sankey(d) => &d.title,
        }
    }
}

/// Where the chart goes, which decides its size and type scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChartSize {
    /// 960 x 540 px, type at UI sizes (13/11/20 px).
    Screen,
    /// 16:9, 1280 x 720 px, type 1.35x larger for projection.
    Slide,
    /// 560 x 340 px, for a report page (scaled to the text width).
    Page,
    /// Any size, type at UI sizes.
    Custom { width: u32, height: u32 },
}

impl ChartSize {
    pub fn pixels(self) -> (u32, u32) {
        match self {
            ChartSize::Screen => (960, 540),
            ChartSize::Slide => (1280, 720),
            ChartSize::Page => (560, 340),
            ChartSize::Custom { width, height } => {
                (width.clamp(200, 8000), height.clamp(150, 8000))
            }
        }
    }
    pub fn type_scale(self) -> f32 {
        match self {
            ChartSize::Slide => 1.35,
            _ => 1.0,
        }
    }
}

/// How to draw a chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChartOptions {
    pub theme: ThemeName,
    pub size: ChartSize,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            theme: ThemeName::Light,
            size: ChartSize::Screen,
        }
    }
}

/// Draw a chart as a standalone SVG document.
pub fn render_svg(chart: &ChartData, options: &ChartOptions) -> crate::Result<String> {
    let (w, h) = options.size.pixels();
    let theme = Theme::get(options.theme);
    canvas::draw(w, h, options.size.type_scale(), &theme, |c| match chart {
        ChartData::Funnel(d) => kinds::funnel(c, d),
        ChartData::Comparison(d) => kinds::comparison(c, d),
        ChartData::Trend(d) => kinds::trend(c, d),
        ChartData::Histogram(d) => kinds::histogram(c, d),
        ChartData::Impact(d) => kinds::impact(c, d),
        ChartData::MetricBars(d) => kinds::metric_bars(c, d),
        ChartData::Sankey(d) => kinds::sankey(c, d),
    })
}
