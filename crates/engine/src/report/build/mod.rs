//! From a report spec (the analyst's saved list of sections) to a
//! [`ReportDocument`]: every section's analysis is run afresh on the
//! workspace (nothing is cached but the event index, which is rebuilt when a
//! dataset changes), so a spec re-run on next month's import gives next
//! month's report. See docs/reports.md.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{
    render_pdf, render_pngs, tables_csv, tables_xlsx, ChartSection, FindingsGroup, MethodItem,
    PageSize, ReportDocument, Section,
};
use crate::calendar::{long_date, range_text, Date, MONTHS};
use crate::chart::format;
use crate::chart::results::{describe_funnel, histogram, subtitle, trend_chart};
use crate::chart::{ChartData, MetricBar, MetricBarsData, TrendChartData, ValueKind};
use crate::compare::{run_compare, CompareSpec};
use crate::error::{Error, Result};
use crate::funnel::{run_funnel, FunnelResult, FunnelSpec, Interval, Order, TrendSpec};
use crate::impact::{run_impact, ImpactSpec, ASSOCIATION_NOTE};
use crate::index::IndexCache;
use crate::model::{ColumnType, DatasetKind};
use crate::paths::{run_paths, PathsSpec};
use crate::report::{Cell, Table};
use crate::retention::{run_retention, RetentionSpec};
use crate::store::Workspace;
use crate::value::{run_value, ValueSpec};

mod export;
mod method;
mod sections;
mod spec;

pub use export::*;
use method::*;
use sections::*;
pub use spec::*;

/// Runs every section's analysis and maps the results into a report.
/// `prepared_on` is today's date (UTC).
pub fn build_report(
    ws: &Workspace,
    spec: &ReportSpec,
    cache: &mut IndexCache,
) -> Result<ReportDocument> {
    let today = Date::today();
    let mut doc = build_report_dated(ws, spec, cache, None)?;
    doc.prepared_on = Some(long_date(today));
    Ok(doc)
}

/// [`build_report`] with the "Prepared on" text given (or left out).
pub fn build_report_dated(
    ws: &Workspace,
    spec: &ReportSpec,
    cache: &mut IndexCache,
    prepared_on: Option<String>,
) -> Result<ReportDocument> {
    spec.validate()?;
    let mut used = Used::default();
    let mut body = Vec::new();
    let mut findings = Findings::new(ws);
    let remote = spec.engine == Some(ReportEngine::Clickhouse);
    // each dataset's stored connection, read once
    let mut conns: std::collections::HashMap<
        String,
        (
            crate::model::DatasetInfo,
            crate::model::ClickhouseConnection,
        ),
    > = Default::default();
    let mut target = |dataset: &str| -> Result<(
        crate::model::DatasetInfo,
        crate::model::ClickhouseConnection,
    )> {
        if let Some(x) = conns.get(dataset) {
            return Ok(x.clone());
        }
        let info = ws.dataset(dataset)?.info;
        let conn = ws.clickhouse(dataset)?.ok_or_else(|| {
            Error::Invalid(format!(
                "the report is counted on ClickHouse, but dataset \"{dataset}\" has no ClickHouse connection: add one on its page (or with stepwise connect)"
            ))
        })?;
        conns.insert(dataset.to_string(), (info.clone(), conn.clone()));
        Ok((info, conn))
    };
    for (i, s) in spec.sections.iter().enumerate() {
        crate::job::step(
            "Counting the report's sections",
            i as u64,
            spec.sections.len() as u64,
        )?;
        if let Some(f) = &s.funnel {
            used.funnel(f);
            let r = if remote {
                let (info, conn) = target(&f.dataset)?;
                used.clickhouse.insert(crate::model::redact_url(&conn.url));
                crate::clickhouse::run_funnel(f, &info, &conn)?
            } else {
                run_funnel(ws, f, cache)?
            };
            let h = heading_or(s, format!("Funnel: {}", describe_funnel(f)));
            funnel_sections(h, s.intro.clone(), f, &r, &mut body, &mut findings)?;
        } else if let Some(f) = &s.trend {
            used.funnel(f);
            used.trend = true;
            let mut f = f.clone();
            if f.trend.is_none() {
                f.trend = Some(TrendSpec {
                    interval: Interval::Week,
                });
            }
            let r = run_funnel(ws, &f, cache)?;
            let h = heading_or(s, format!("Conversion over time: {}", describe_funnel(&f)));
            let t = trend_chart(h.clone(), subtitle(&f, &r.unit), &r)
                .ok_or_else(|| Error::Invalid("the trend section gave no trend".into()))?;
            findings.add(
                &f.dataset,
                goal_event(&f),
                trend_findings(&t, &h, f.trend.as_ref()),
            )?;
            let mut sec = chart_section(h, s.intro.clone(), ChartData::Trend(t));
            sec.notes.push(format!(
                "Each point is the share of {} whose attempt started in that period and who reached the last step; the band is its 95% Wilson interval.",
                r.unit
            ));
            sec.notes.extend(r.warnings.iter().cloned());
            body.push(Section::Chart(sec));
        } else if let Some(c) = &s.compare {
            used.funnel(&c.funnel);
            used.compare = true;
            let r = if remote {
                let (info, conn) = target(&c.funnel.dataset)?;
                used.clickhouse.insert(crate::model::redact_url(&conn.url));
                crate::clickhouse::run_compare(c, &info, &conn)?
            } else {
                run_compare(ws, c, cache)?
            };
            compare_section(s, c, &r, &mut body, &mut findings)?;
        } else if let Some(i) = &s.impact {
            used.datasets.insert(i.dataset.clone());
            used.impact = true;
            impact_section(ws, s, i, cache, &mut body, &mut findings)?;
        } else if let Some(m) = &s.metric {
            used.datasets.insert(m.dataset.clone());
            used.metric = true;
            metric_section(ws, s, m, &mut body, &mut findings)?;
        } else if let Some(v) = &s.value {
            used.funnel(&v.funnel);
            used.value = true;
            value_sections(ws, s, v, cache, &mut body, &mut findings)?;
        } else if let Some(p) = &s.paths {
            used.datasets.insert(p.dataset.clone());
            if let Some(funnel) = p.from.funnel() {
                used.funnel(funnel);
            }
            used.paths = true;
            used.paths_between |= matches!(p.from, crate::paths::PathStart::Between { .. });
            used.paths_compare |= p.compare.is_some();
            paths_section(ws, s, p, cache, &mut body, &mut findings)?;
        } else if let Some(r) = &s.retention {
            used.datasets.insert(r.dataset.clone());
            used.retention = true;
            retention_section(ws, s, r, cache, &mut body, &mut findings)?;
        } else if let Some(t) = &s.text {
            body.push(Section::Text {
                heading: s.heading.clone(),
                body: t.clone(),
            });
        }
    }
    let mut sections = Vec::new();
    sections.extend(findings.section());
    sections.extend(body);
    sections.push(Section::Method {
        heading: "Method".into(),
        items: method(&used),
    });
    Ok(ReportDocument {
        title: spec.title.clone(),
        subtitle: spec.subtitle.clone(),
        client: spec.client.clone(),
        // counted on ClickHouse, the events are not read here
        date_range: if remote {
            None
        } else {
            date_range(ws, &used, cache)?
        },
        datasets: used.datasets.iter().cloned().collect(),
        prepared_on,
        page: spec.page,
        sections,
    })
}

/// Which key findings a sentence is listed under when the report's datasets
/// have tagged events (docs/reports.md, "Key findings").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum FindingGroup {
    Macro,
    Micro,
    Other,
}

impl FindingGroup {
    fn heading(self) -> &'static str {
        match self {
            FindingGroup::Macro => "Macro conversions",
            FindingGroup::Micro => "Micro conversions",
            FindingGroup::Other => "Other",
        }
    }
}

/// The key findings as the sections give them, each with the group of the
/// event it is about; and whether any dataset they come from has tags.
pub(super) struct Findings<'a> {
    ws: &'a Workspace,
    items: Vec<(String, FindingGroup)>,
    /// The tags read so far, per dataset.
    tags: std::collections::HashMap<String, Vec<crate::model::TaggedEvent>>,
}

impl<'a> Findings<'a> {
    pub(super) fn new(ws: &'a Workspace) -> Self {
        Findings {
            ws,
            items: Vec::new(),
            tags: Default::default(),
        }
    }

    /// Adds sentences about `event` of `dataset` (None: about no one event).
    pub(super) fn add(
        &mut self,
        dataset: &str,
        event: Option<&str>,
        sentences: impl IntoIterator<Item = String>,
    ) -> Result<()> {
        if !self.tags.contains_key(dataset) {
            let tags = self.ws.event_tags(dataset)?;
            self.tags.insert(dataset.to_string(), tags);
        }
        let group = match event.and_then(|e| self.tags[dataset].iter().find(|t| t.event == e)) {
            Some(t) if t.tag == crate::model::EventTag::Macro => FindingGroup::Macro,
            Some(_) => FindingGroup::Micro,
            None => FindingGroup::Other,
        };
        self.items.extend(sentences.into_iter().map(|s| (s, group)));
        Ok(())
    }

    /// The "Key findings" section: one list, or (when a dataset the
    /// findings come from has tagged events) macro, micro and other
    /// findings under their subheadings, each in the report's order.
    fn section(self) -> Option<Section> {
        if self.items.is_empty() {
            return None;
        }
        let heading = "Key findings".to_string();
        if self.tags.values().all(Vec::is_empty) {
            return Some(Section::Findings {
                heading,
                items: self.items.into_iter().map(|(s, _)| s).collect(),
                groups: vec![],
            });
        }
        let groups = [
            FindingGroup::Macro,
            FindingGroup::Micro,
            FindingGroup::Other,
        ]
        .into_iter()
        .filter_map(|g| {
            let items: Vec<String> = self
                .items
                .iter()
                .filter(|(_, x)| *x == g)
                .map(|(s, _)| s.clone())
                .collect();
            (!items.is_empty()).then(|| FindingsGroup {
                heading: g.heading().to_string(),
                items,
            })
        })
        .collect();
        Some(Section::Findings {
            heading,
            items: vec![],
            groups,
        })
    }
}

/// The event of a funnel's step `q` (None for a page or a metric table's
/// value).
pub(super) fn step_event(f: &FunnelSpec, q: usize) -> Option<&str> {
    f.steps.get(q).and_then(|s| s.event.as_deref())
}

/// The event of a funnel's goal, its last step.
pub(super) fn goal_event(f: &FunnelSpec) -> Option<&str> {
    step_event(f, f.steps.len().saturating_sub(1))
}
