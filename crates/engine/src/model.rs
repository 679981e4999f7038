//! Types shared by the engine, the CLI's JSON and the front end. The
//! TypeScript versions in ui/src/lib/bindings/ are generated from these
//! (`cargo test -p stepwise-engine export_bindings`), never written by hand.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The type of a stored column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ColumnType {
    Text,
    Integer,
    Decimal,
    Boolean,
    /// An instant, stored as microseconds since 1970-01-01 UTC.
    Timestamp,
    /// A calendar date, stored as days since 1970-01-01.
    Date,
    /// A length of time, stored as milliseconds.
    Duration,
}

impl ColumnType {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Text => "text",
            ColumnType::Integer => "integer",
            ColumnType::Decimal => "decimal",
            ColumnType::Boolean => "boolean",
            ColumnType::Timestamp => "timestamp",
            ColumnType::Date => "date",
            ColumnType::Duration => "duration",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "text" => ColumnType::Text,
            "integer" => ColumnType::Integer,
            "decimal" => ColumnType::Decimal,
            "boolean" => ColumnType::Boolean,
            "timestamp" => ColumnType::Timestamp,
            "date" => ColumnType::Date,
            "duration" => ColumnType::Duration,
            _ => return None,
        })
    }
}

/// What a column means to the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    User,
    Session,
    Time,
    Event,
    Page,
    Value,
    Item,
    Dimension,
    Metric,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::User,
        Role::Session,
        Role::Time,
        Role::Event,
        Role::Page,
        Role::Value,
        Role::Item,
        Role::Dimension,
        Role::Metric,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Session => "session",
            Role::Time => "time",
            Role::Event => "event",
            Role::Page => "page",
            Role::Value => "value",
            Role::Item => "item",
            Role::Dimension => "dimension",
            Role::Metric => "metric",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// An event table has a row per event; a metric table rows of dimensions
/// and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DatasetKind {
    Events,
    Metrics,
}

impl DatasetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DatasetKind::Events => "events",
            DatasetKind::Metrics => "metrics",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "events" => Some(DatasetKind::Events),
            "metrics" => Some(DatasetKind::Metrics),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ColumnInfo {
    pub name: String,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub ty: ColumnType,
    pub role: Option<Role>,
}

/// A dataset as listed by the CLI (`--json`) and the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DatasetInfo {
    pub name: String,
    pub kind: DatasetKind,
    #[ts(type = "number")]
    pub rows: u64,
    pub columns: Vec<ColumnInfo>,
    /// The file it came from (as given at import).
    pub source: Option<String>,
    /// When it was imported, RFC 3339 UTC.
    pub imported_at: String,
    /// Bytes the dataset takes in the workspace.
    #[ts(type = "number")]
    pub stored_bytes: u64,
}

/// Progress of a long job, sent to the CLI's bar and the app's Channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Progress {
    /// What is being done, e.g. "reading", "storing".
    pub stage: String,
    #[ts(type = "number")]
    pub bytes_done: u64,
    #[ts(type = "number")]
    pub bytes_total: u64,
    #[ts(type = "number")]
    pub rows_done: u64,
}

/// Progress of one file of a multi-file import (the app's Channel message).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportEvent {
    pub file: String,
    pub progress: Progress,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WorkspaceInfo {
    pub path: String,
    pub datasets: u32,
}

/// One cell, for previews and tests.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
}

/// A window of a dataset's rows, for the preview grid.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Preview {
    pub columns: Vec<ColumnInfo>,
    #[ts(type = "(string | number | boolean | null)[][]")]
    pub rows: Vec<Vec<Cell>>,
    #[ts(type = "number")]
    pub total: u64,
}

/// A value of a column and how many rows have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ValueCount {
    pub value: String,
    #[ts(type = "number")]
    pub count: u64,
}

/// What an event is to the business (docs/impact.md, "Micro and macro
/// conversions"): a macro conversion is a goal (purchase, sign-up); a micro
/// conversion a small step that goes with reaching one (add to cart, use the
/// size filter, join the newsletter). Tagged per dataset by the analyst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EventTag {
    Micro,
    Macro,
}

impl EventTag {
    pub fn as_str(self) -> &'static str {
        match self {
            EventTag::Micro => "micro",
            EventTag::Macro => "macro",
        }
    }
}

/// One tagged event of a dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TaggedEvent {
    pub event: String,
    pub tag: EventTag,
}

/// Where a dataset's events also live: a ClickHouse HTTP interface and the
/// table (columns named as the dataset's). Stored in the workspace per
/// dataset; the user and password never are (STEPWISE_CLICKHOUSE_USER and
/// STEPWISE_CLICKHOUSE_PASSWORD in the environment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ClickhouseConnection {
    /// `http://HOST:PORT/` (add `?database=NAME` for a database).
    pub url: String,
    /// The table to read; default the dataset's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub table: Option<String>,
    /// A column giving the rows' order (ties at one instant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub row_order: Option<String>,
}

impl ClickhouseConnection {
    /// What `clickhouse::query` would refuse, said before the connection
    /// is stored: not `http://`, credentials in the URL, an empty table
    /// name (None: nothing).
    pub fn problem(&self) -> Option<String> {
        let url = self.url.trim();
        if !url.starts_with("http://") {
            return Some(format!(
                "the ClickHouse URL must start with http:// (got \"{}\"); reach an https server through a local tunnel or proxy",
                redact_url(url)
            ));
        }
        if url["http://".len()..]
            .split('/')
            .next()
            .is_some_and(|h| h.contains('@'))
        {
            return Some(
                "put the user and password in STEPWISE_CLICKHOUSE_USER and STEPWISE_CLICKHOUSE_PASSWORD, not in the URL".into(),
            );
        }
        if url.len() <= "http://".len() {
            return Some("the ClickHouse URL has no host".into());
        }
        for (what, v) in [
            ("table", &self.table),
            ("row order column", &self.row_order),
        ] {
            if v.as_deref().is_some_and(|t| t.trim().is_empty()) {
                return Some(format!("the {what} is empty"));
            }
        }
        None
    }
}

/// The URL without any user:password part, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(a), Some(b)) if b > a => format!("{}{}", &url[..a + 3], &url[b + 1..]),
        _ => url.to_string(),
    }
}
