//! The report spec: its sections and their checks.

use super::*;

/// A saved report: `stepwise report SPEC.json --out report.pdf`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ReportSpec {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub subtitle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub client: Option<String>,
    #[serde(default)]
    pub page: PageSize,
    /// Where the funnels and comparisons are counted: here (default) or on
    /// each dataset's stored ClickHouse connection (docs/clickhouse.md,
    /// "Reports"); a report counted there has funnel, comparison and text
    /// sections only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub engine: Option<ReportEngine>,
    pub sections: Vec<ReportSpecSection>,
}

/// Where a report's funnels and comparisons are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReportEngine {
    #[default]
    Local,
    Clickhouse,
}

/// One section of a report spec: exactly one of `funnel`, `compare`,
/// `impact`, `trend` (a funnel spec; its `trend` defaults to weekly),
/// `metric`, `value`, `paths`, `retention` or `text`, with an optional `heading` and `intro` sentence.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ReportSpecSection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub funnel: Option<FunnelSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub compare: Option<CompareSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub impact: Option<ImpactSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub trend: Option<FunnelSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub text: Option<String>,
    /// Bars of an imported report table (a metric table such as a GA4 page
    /// report): the metric summed per value of the dimension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub metric: Option<MetricSectionSpec>,
    /// What each step is worth (a value spec, docs/value.md): the value
    /// table, the ranked opportunities (and the what-if, when asked) and
    /// where the non-converters stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub value: Option<ValueSpec>,
    /// Paths around an event, a page or a funnel step (a Sankey chart and a
    /// node table): docs/paths.md.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub paths: Option<PathsSpec>,
    /// Retention cohorts (a curve and a cohort table): docs/retention.md.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub retention: Option<RetentionSpec>,
    /// The section's heading (default: made from the analysis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub heading: Option<String>,
    /// A sentence or two above the chart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub intro: Option<String>,
}

/// `{"metric": {"dataset": "landing pages", "dimension": "Landing page",
/// "metric": "Sessions", "limit": 12}}`: a bar per value of `dimension`
/// (the largest `limit`, default 12), its length the sum of `metric` over
/// the rows with that value, as the export gives them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct MetricSectionSpec {
    pub dataset: String,
    pub dimension: String,
    pub metric: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub limit: Option<usize>,
}

impl ReportSpec {
    pub fn from_json(text: &str) -> Result<ReportSpec> {
        let spec: ReportSpec = serde_json::from_str(text)
            .map_err(|e| Error::Invalid(format!("the report spec is not valid: {e}")))?;
        spec.validate()?;
        Ok(spec)
    }

    /// Every section has exactly one kind; the title is not empty.
    pub fn validate(&self) -> Result<()> {
        if self.title.trim().is_empty() {
            return Err(Error::Invalid("the report spec needs a title".into()));
        }
        for (i, s) in self.sections.iter().enumerate() {
            let n = [
                s.funnel.is_some(),
                s.compare.is_some(),
                s.impact.is_some(),
                s.trend.is_some(),
                s.text.is_some(),
                s.metric.is_some(),
                s.value.is_some(),
                s.paths.is_some(),
                s.retention.is_some(),
            ]
            .iter()
            .filter(|b| **b)
            .count();
            if n == 1 && self.engine == Some(ReportEngine::Clickhouse) {
                let kind = [
                    (s.impact.is_some(), "an impact ranking"),
                    (s.trend.is_some(), "a trend"),
                    (s.metric.is_some(), "a metric table"),
                    (s.value.is_some(), "a value table"),
                    (s.paths.is_some(), "a paths chart"),
                    (s.retention.is_some(), "a retention table"),
                ]
                .into_iter()
                .find_map(|(b, k)| b.then_some(k));
                if let Some(kind) = kind {
                    return Err(Error::Invalid(format!(
                        "report section {} is {kind}, which is not counted on ClickHouse: a report counted there has funnel, comparison and text sections (count it on this laptop, or remove the section)",
                        i + 1
                    )));
                }
            }
            if n != 1 {
                return Err(Error::Invalid(format!(
                    "report section {} must have exactly one of \"funnel\", \"compare\", \"impact\", \"trend\", \"metric\", \"value\", \"paths\", \"retention\" or \"text\" (it has {n})",
                    i + 1
                )));
            }
        }
        Ok(())
    }
}
