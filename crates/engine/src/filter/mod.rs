//! Filters, page patterns and date ranges: the conditions on one event that
//! funnels and segments share (the spec types and what they mean for one
//! value). Below both `funnel` and `segment`.

pub mod matcher;

pub use matcher::{op_name, parse_bound, CompiledFilter, PatternMatcher};

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A text pattern: exact text, a `*` glob, or `{"regex": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum Pattern {
    Glob(String),
    Regex { regex: String },
}

impl Pattern {
    pub fn describe(&self) -> String {
        match self {
            Pattern::Glob(s) => s.clone(),
            Pattern::Regex { regex } => format!("/{regex}/"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FilterOp {
    Eq,
    Ne,
    Contains,
    NotContains,
    StartsWith,
    Regex,
    In,
    NotIn,
    Gt,
    Gte,
    Lt,
    Lte,
    IsSet,
    IsNotSet,
}

/// A condition on one column of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Filter {
    pub column: String,
    pub op: FilterOp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(
        type = "string | number | boolean | Array<string | number | boolean> | null",
        optional
    )]
    pub value: Option<serde_json::Value>,
}

/// Inclusive calendar dates (UTC), or RFC 3339 instants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct DateRange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub to: Option<String>,
}

/// A date range as [from, to) µs.
pub fn range_micros(r: Option<&DateRange>) -> Result<(i64, i64)> {
    let Some(r) = r else {
        return Ok((i64::MIN, i64::MAX));
    };
    let from = r
        .from
        .as_deref()
        .map(|s| parse_bound(s, false))
        .transpose()?;
    let to = r.to.as_deref().map(|s| parse_bound(s, true)).transpose()?;
    if let (Some(a), Some(b)) = (from, to) {
        if b <= a {
            return Err(Error::Invalid(
                "date_range: \"to\" is before \"from\"".into(),
            ));
        }
    }
    Ok((from.unwrap_or(i64::MIN), to.unwrap_or(i64::MAX)))
}
