//! Tables behind charts: printed under the chart in reports, exported as CSV
//! with spreadsheet formula injection neutralised.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::chart::format::{self, ValueKind};
use crate::chart::ChartData;
use crate::csv_out::{CsvWriter, Field};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TableColumn {
    pub name: String,
    /// How numbers in this column print; `None` for text columns.
    #[serde(default)]
    pub kind: Option<ValueKind>,
}

/// One cell: a number (raw; formatted by its column's kind), text, or empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum Cell {
    Number(f64),
    Text(String),
    Empty,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Table {
    pub columns: Vec<TableColumn>,
    pub rows: Vec<Vec<Cell>>,
    /// The row to mark (a funnel's bottleneck step), 0-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub highlight: Option<usize>,
}

/// One cell as shown: the text printed (by [`Table::display`], the
/// report's own formatting) and, for a number, the raw value (to sort by).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ShownCell {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub value: Option<f64>,
}

/// A table with every cell already formatted: what the app prints, the
/// same text the PDF prints (the shells never format engine numbers).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ShownTable {
    /// Names and value kinds (a kind means a number column: right-aligned).
    pub columns: Vec<TableColumn>,
    pub rows: Vec<Vec<ShownCell>>,
    /// The row to mark (a funnel's bottleneck step), 0-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub highlight: Option<usize>,
}

impl Table {
    pub fn new(columns: &[(&str, Option<ValueKind>)]) -> Table {
        Table {
            columns: columns
                .iter()
                .map(|(n, k)| TableColumn {
                    name: n.to_string(),
                    kind: *k,
                })
                .collect(),
            rows: Vec::new(),
            highlight: None,
        }
    }

    /// Every cell formatted as the report prints it.
    pub fn shown(&self) -> ShownTable {
        ShownTable {
            columns: self.columns.clone(),
            rows: (0..self.rows.len())
                .map(|r| {
                    (0..self.columns.len())
                        .map(|c| ShownCell {
                            text: self.display(r, c),
                            value: match self.rows[r].get(c) {
                                Some(Cell::Number(x)) if x.is_finite() => Some(*x),
                                _ => None,
                            },
                        })
                        .collect()
                })
                .collect(),
            highlight: self.highlight.filter(|&h| h < self.rows.len()),
        }
    }

    /// The cell as printed in a report: numbers formatted by the column's kind.
    pub fn display(&self, row: usize, col: usize) -> String {
        let kind = self.columns.get(col).and_then(|c| c.kind);
        match self.rows.get(row).and_then(|r| r.get(col)) {
            Some(Cell::Number(x)) => format::value(kind.unwrap_or(ValueKind::Number), *x),
            Some(Cell::Text(t)) => t.clone(),
            Some(Cell::Empty) | None => String::new(),
        }
    }

    pub fn is_numeric(&self, col: usize) -> bool {
        self.columns.get(col).and_then(|c| c.kind).is_some()
    }
}

fn num(x: f64) -> Cell {
    if x.is_finite() {
        Cell::Number(x)
    } else {
        Cell::Empty
    }
}

fn opt(x: Option<f64>) -> Cell {
    x.map(num).unwrap_or(Cell::Empty)
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

impl ChartData {
    /// The numbers behind the chart, as a table.
    pub fn table(&self) -> Table {
        use ValueKind::*;
        match self {
            ChartData::Funnel(d) => {
                let unit = capitalise(&d.unit);
                let mut t = Table::new(&[
                    ("Step", None),
                    (&unit, Some(Count)),
                    ("% of start", Some(Rate)),
                    ("% of previous", Some(Rate)),
                    ("Dropped", Some(Count)),
                ]);
                for (i, s) in d.steps.iter().enumerate() {
                    let dropped = if i == 0 {
                        Cell::Empty
                    } else {
                        num(d.steps[i - 1].count.saturating_sub(s.count) as f64)
                    };
                    t.rows.push(vec![
                        text(&format!("{}. {}", i + 1, s.label)),
                        num(s.count as f64),
                        num(s.conversion_from_start),
                        num(s.conversion_from_previous),
                        dropped,
                    ]);
                }
                t.highlight = d.bottleneck_step();
                t
            }
            ChartData::Comparison(d) => {
                let mut t = Table::new(&[
                    ("Segment", None),
                    ("Step", None),
                    ("Count", Some(Count)),
                    ("Rate", Some(Rate)),
                    ("Interval low", Some(Rate)),
                    ("Interval high", Some(Rate)),
                ]);
                for se in &d.series {
                    for (j, st) in se.steps.iter().enumerate() {
                        let label = d.step_labels.get(j).map(String::as_str).unwrap_or("");
                        t.rows.push(vec![
                            text(&se.name),
                            text(&format!("{}. {}", j + 1, label)),
                            num(st.count as f64),
                            num(st.rate),
                            opt(st.ci_low),
                            opt(st.ci_high),
                        ]);
                    }
                }
                t
            }
            ChartData::Trend(d) => {
                let mut t = Table::new(&[
                    ("Segment", None),
                    ("Period", None),
                    ("Entered", Some(Count)),
                    ("Converted", Some(Count)),
                    ("Rate", Some(Rate)),
                    ("Interval low", Some(Rate)),
                    ("Interval high", Some(Rate)),
                ]);
                for se in &d.series {
                    for p in &se.points {
                        t.rows.push(vec![
                            text(&se.name),
                            text(&p.period),
                            opt(p.entered.map(|v| v as f64)),
                            opt(p.converted.map(|v| v as f64)),
                            num(p.rate),
                            opt(p.ci_low),
                            opt(p.ci_high),
                        ]);
                    }
                }
                t
            }
            ChartData::Histogram(d) => {
                let unit = capitalise(&d.unit);
                let mut t = Table::new(&[
                    ("From", Some(Seconds)),
                    ("To", Some(Seconds)),
                    (&unit, Some(Count)),
                ]);
                for b in &d.bins {
                    t.rows.push(vec![
                        num(b.from_seconds),
                        num(b.to_seconds),
                        num(b.count as f64),
                    ]);
                }
                t
            }
            ChartData::Impact(d) => {
                let mut t = Table::new(&[
                    ("Action", None),
                    ("Lift", Some(Lift)),
                    ("Interval low", Some(Lift)),
                    ("Interval high", Some(Lift)),
                    ("p-value", Some(Number)),
                    ("Verdict", None),
                ]);
                let mut items: Vec<_> = d.items.iter().collect();
                items.sort_by(|a, b| b.lift.total_cmp(&a.lift));
                for it in items {
                    let verdict = if it.is_significant() {
                        if it.lift >= 0.0 {
                            "higher conversion"
                        } else {
                            "lower conversion"
                        }
                    } else {
                        "no clear difference"
                    };
                    t.rows.push(vec![
                        text(&it.label),
                        num(it.lift),
                        num(it.ci_low),
                        num(it.ci_high),
                        opt(it.p_value),
                        text(verdict),
                    ]);
                }
                t
            }
            ChartData::MetricBars(d) => {
                let mut t = Table::new(&[(&d.dimension, None), (&d.metric, Some(d.value_kind))]);
                let mut bars: Vec<_> = d.bars.iter().collect();
                bars.sort_by(|a, b| b.value.total_cmp(&a.value));
                for b in bars {
                    t.rows.push(vec![text(&b.label), num(b.value)]);
                }
                t
            }
            ChartData::Sankey(d) => {
                let unit = capitalise(&d.unit);
                let mut t = Table::new(&[
                    ("Column", None),
                    ("Node", None),
                    (&unit, Some(Count)),
                    ("Share of start", Some(Rate)),
                ]);
                let start: u64 = d
                    .nodes
                    .iter()
                    .filter(|n| n.level == 0)
                    .map(|n| n.count)
                    .sum();
                for n in &d.nodes {
                    let col = d
                        .columns
                        .get(n.level)
                        .cloned()
                        .unwrap_or_else(|| n.level.to_string());
                    t.rows.push(vec![
                        text(&col),
                        text(&n.label),
                        num(n.count as f64),
                        if start > 0 {
                            num(n.count as f64 / start as f64)
                        } else {
                            Cell::Empty
                        },
                    ]);
                }
                t
            }
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

pub use crate::csv_out::neutralise;

/// The table as CSV (RFC 4180, comma, `\n` line ends). Numbers are written
/// raw (rates as fractions 0..1, durations in seconds) so spreadsheets can
/// compute with them; text cells and headers are neutralised
/// ([`neutralise`]).
pub fn table_to_csv(t: &Table) -> String {
    let mut w = CsvWriter::new(Vec::new(), "the table");
    let header = t.columns.iter().map(|c| {
        let unit = match c.kind {
            Some(ValueKind::Rate) | Some(ValueKind::Lift) => " (fraction)",
            Some(ValueKind::PValue) => " (0-1)",
            Some(ValueKind::Seconds) => " (seconds)",
            _ => "",
        };
        format!("{}{}", c.name, unit)
    });
    // Writing to a Vec cannot fail.
    let _ = w.text_row(header);
    for row in &t.rows {
        let _ = w.row((0..t.columns.len()).map(|i| match row.get(i) {
            Some(Cell::Number(x)) => Field::Number(*x),
            Some(Cell::Text(s)) => Field::Text(s),
            _ => Field::Empty,
        }));
    }
    String::from_utf8(w.finish().unwrap_or_default()).unwrap_or_default()
}
