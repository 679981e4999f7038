//! Funnels from metric tables (one row per dimension value with counts, e.g.
//! a GA4 funnel-exploration export or a page report): each step picks rows
//! by a value of the dimension column (exact, `*` glob or regex) and/or
//! filters, and its count is the sum of the metric column over those rows.

use super::engine::{breakdown_rows, plan, step_results, Agg, NONE_VALUE};
use super::spec::*;
use crate::column::{Column, Values};
use crate::error::{Error, Result};
use crate::filter::{CompiledFilter, PatternMatcher};
use crate::index::cell_text;
use crate::model::{ColumnType, Role};
use crate::store::{DatasetRecord, Workspace};
use std::collections::HashMap;

/// A cell as a number for summing: missing or unreadable cells count 0.
pub(crate) fn numeric(col: &Column, i: usize) -> f64 {
    if col.is_null(i) {
        return 0.0;
    }
    match &col.values {
        Values::Int(v) => v[i] as f64,
        Values::Float(v) => v[i],
        Values::Bool(v) => v[i] as u8 as f64,
        Values::Text { dict, codes } => dict[codes[i] as usize]
            .trim()
            .replace(',', "")
            .parse()
            .unwrap_or(0.0),
    }
}

fn metric_column(rec: &DatasetRecord, name: Option<&str>) -> Result<String> {
    let ds = &rec.info.name;
    match name {
        Some(n) => {
            let c = rec
                .info
                .columns
                .iter()
                .find(|c| c.name == n)
                .ok_or_else(|| Error::Invalid(format!("dataset \"{ds}\" has no column \"{n}\"")))?;
            if !matches!(
                c.ty,
                ColumnType::Integer | ColumnType::Decimal | ColumnType::Duration
            ) {
                return Err(Error::Invalid(format!(
                    "the metric column \"{n}\" of dataset \"{ds}\" holds {} values, not numbers; choose a numeric column",
                    c.ty.as_str()
                )));
            }
            Ok(n.to_string())
        }
        None => rec
            .info
            .columns
            .iter()
            .find(|c| c.role == Some(Role::Metric))
            .map(|c| c.name.clone())
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "dataset \"{ds}\" has no metric column; name the column to sum with \"metric\""
                ))
            }),
    }
}

/// Runs a funnel on a metric table. Counts are the metric sums, rounded to
/// whole numbers; times are null.
pub fn run_metric_funnel(
    ws: &Workspace,
    rec: &DatasetRecord,
    spec: &FunnelSpec,
) -> Result<FunnelResult> {
    let ds = &rec.info.name;
    let unsupported = |what: &str| {
        Err(Error::Invalid(format!(
            "dataset \"{ds}\" is a metric table (counts, not events), so a funnel on it cannot use {what}"
        )))
    };
    if spec.exclude.as_ref().is_some_and(|e| !e.is_empty()) {
        return unsupported("exclusions");
    }
    if spec.hold.is_some() {
        return unsupported("\"hold\" (there are no users whose steps could share a value)");
    }
    if spec.open == Some(true) {
        return unsupported("\"open\" (there are no units that could enter at a later step)");
    }
    if spec.steps.iter().any(|s| s.optional == Some(true)) {
        return unsupported("optional steps (there are no attempts that could skip one)");
    }
    if spec.trend.is_some() {
        return unsupported("a trend");
    }
    if spec.time_to_convert.is_some() {
        return unsupported("time to convert");
    }
    if spec.date_range.is_some() {
        return unsupported("a date range; filter a date column with \"where\" instead");
    }
    if spec.unit() == crate::index::Unit::Sessions && spec.count.is_some() {
        return unsupported("\"count\": \"sessions\"");
    }
    let mut spec2 = spec.clone();
    // steps on a metric table pick rows by value; let plan() accept them
    for s in &mut spec2.steps {
        if s.value.is_some() && s.event.is_none() && s.page.is_none() {
            s.event = Some(String::new());
        }
    }
    let p = plan(&spec2)?;
    let k = p.k;
    let labels: Vec<String> = (0..k).map(|q| spec.step_label(q)).collect();
    let default_metric = metric_column(rec, spec.metric.as_deref())?;
    let dimension = match &spec.dimension {
        Some(d) => Some(d.clone()),
        None => rec
            .info
            .columns
            .iter()
            .find(|c| {
                matches!(
                    c.role,
                    Some(Role::Dimension | Role::Page | Role::Event | Role::Item)
                ) && c.ty == ColumnType::Text
            })
            .or_else(|| {
                rec.info
                    .columns
                    .iter()
                    .find(|c| c.role == Some(Role::Dimension))
            })
            .map(|c| c.name.clone()),
    };
    let mut cache: HashMap<String, Column> = HashMap::new();
    let load = |name: &str, cache: &mut HashMap<String, Column>| -> Result<()> {
        if !cache.contains_key(name) {
            cache.insert(name.to_string(), ws.read_column_named(rec, name)?);
        }
        Ok(())
    };
    let n = rec.info.rows as usize;
    // rows passing the funnel's filters
    let mut keep = vec![true; n];
    let filters_of =
        |fs: &[Filter], keep: &mut Vec<bool>, cache: &mut HashMap<String, Column>| -> Result<()> {
            for f in fs {
                load(&f.column, cache)?;
                let col = &cache[&f.column];
                let c = CompiledFilter::new(f, col.ty)?;
                for (kp, ok) in keep.iter_mut().zip(c.matches_all(col)) {
                    *kp &= ok;
                }
            }
            Ok(())
        };
    filters_of(
        spec.filters.as_deref().unwrap_or_default(),
        &mut keep,
        &mut cache,
    )?;
    let mut warnings = Vec::new();
    let mut step_rows: Vec<Vec<bool>> = Vec::new();
    let mut metrics: Vec<String> = Vec::new();
    for (q, s) in spec.steps.iter().enumerate() {
        if s.event.is_some() || s.page.is_some() {
            return Err(Error::Invalid(format!(
                "step {q} (\"{}\") names an event or a page, but dataset \"{ds}\" is a metric table; pick its rows with \"value\" (a value of the dimension column) or \"where\"",
                labels[q]
            )));
        }
        let mut rows = keep.clone();
        if let Some(v) = &s.value {
            let dim = dimension.as_deref().ok_or_else(|| {
                Error::Invalid(format!(
                    "dataset \"{ds}\" has no dimension column for step values; name one with \"dimension\""
                ))
            })?;
            load(dim, &mut cache)?;
            let m = PatternMatcher::new(v)?;
            let col = &cache[dim];
            let mut any = false;
            for (i, r) in rows.iter_mut().enumerate() {
                let ok = cell_text(col, i).is_some_and(|t| m.matches(&t));
                any |= ok;
                *r &= ok;
            }
            if !any {
                warnings.push(format!(
                    "step {q} (\"{}\"): no row of \"{dim}\" matches \"{}\"",
                    labels[q],
                    v.describe()
                ));
            }
        }
        filters_of(
            s.filters.as_deref().unwrap_or_default(),
            &mut rows,
            &mut cache,
        )?;
        let metric = match &s.metric {
            Some(m) => metric_column(rec, Some(m))?,
            None => default_metric.clone(),
        };
        load(&metric, &mut cache)?;
        step_rows.push(rows);
        metrics.push(metric);
    }
    if let Some(b) = &spec.breakdown {
        if b.is_buyer_status() {
            return Err(Error::Invalid(format!(
                "dataset \"{}\" is a metric table: it has no buyers whose earlier orders could be looked up, so it cannot be broken down by buyer status",
                rec.info.name
            )));
        }
        load(&b.column, &mut cache)?;
    }
    let sums = |group: Option<&dyn Fn(usize) -> bool>| -> Vec<u64> {
        (0..k)
            .map(|q| {
                let col = &cache[&metrics[q]];
                let s: f64 = (0..n)
                    .filter(|&i| step_rows[q][i] && group.is_none_or(|g| g(i)))
                    .map(|i| numeric(col, i))
                    .sum();
                s.max(0.0).round() as u64
            })
            .collect()
    };
    let total = sums(None);
    if total.windows(2).any(|w| w[1] > w[0]) {
        warnings.push(
            "a step's total is larger than the one before it; rates above 100% come from the table's own counts".into(),
        );
    }
    let breakdown = match &spec.breakdown {
        None => Vec::new(),
        Some(b) => {
            let col = &cache[&b.column];
            let values: Vec<String> = (0..n)
                .map(|i| {
                    cell_text(col, i)
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| NONE_VALUE.into())
                })
                .collect();
            let mut distinct: Vec<String> = values.clone();
            distinct.sort();
            distinct.dedup();
            let groups: Vec<(String, Agg)> = distinct
                .into_iter()
                .map(|v| {
                    let counts = sums(Some(&|i: usize| values[i] == v));
                    let mut agg = Agg::new(k);
                    agg.counts = counts;
                    (v, agg)
                })
                .collect();
            breakdown_rows_metric(groups, p.limit, k, &labels)
        }
    };
    Ok(FunnelResult {
        steps: metric_steps(&total, &labels),
        breakdown,
        trend: None,
        time_to_convert: None,
        unit: "rows".into(),
        excluded: 0,
        warnings,
    })
}

/// Metric tables have counts but no durations.
fn metric_steps(counts: &[u64], labels: &[String]) -> Vec<StepResult> {
    step_results(counts, labels, |_| (None, None))
}

fn breakdown_rows_metric(
    groups: Vec<(String, Agg)>,
    limit: usize,
    k: usize,
    labels: &[String],
) -> Vec<BreakdownRow> {
    // rank and pool as event funnels do, then compute rows from the sums
    breakdown_rows(groups, limit, k, labels)
        .into_iter()
        .map(|mut row| {
            let counts: Vec<u64> = row.steps.iter().map(|s| s.count).collect();
            row.steps = metric_steps(&counts, labels);
            row
        })
        .collect()
}
