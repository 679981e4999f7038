//! What a filter or a pattern means for one value. The fast path evaluates
//! these once per dictionary entry; the reference once per row. Both use the
//! functions here, so they agree on what a filter means by construction.

use super::{Filter, FilterOp, Pattern};
use crate::calendar::{self, DateOrder};
use crate::column::{Column, Values};
use crate::error::{Error, Result};
use crate::index::cell_text;
use crate::model::ColumnType;
use regex::Regex;

/// A text pattern ready to match.
#[derive(Debug, Clone)]
pub enum PatternMatcher {
    Exact(String),
    Glob(Vec<String>),
    Regex(Regex),
}

impl PatternMatcher {
    pub fn new(p: &Pattern) -> Result<PatternMatcher> {
        Ok(match p {
            Pattern::Glob(s) if s.contains('*') => {
                PatternMatcher::Glob(s.split('*').map(str::to_string).collect())
            }
            Pattern::Glob(s) => PatternMatcher::Exact(s.clone()),
            Pattern::Regex { regex } => PatternMatcher::Regex(compile_regex(regex)?),
        })
    }
    pub fn matches(&self, s: &str) -> bool {
        match self {
            PatternMatcher::Exact(e) => s == e,
            PatternMatcher::Regex(r) => r.is_match(s),
            PatternMatcher::Glob(parts) => glob_match(parts, s),
        }
    }
}

fn compile_regex(r: &str) -> Result<Regex> {
    Regex::new(r).map_err(|e| {
        let msg = e.to_string();
        let last = msg.lines().last().unwrap_or("").trim().to_string();
        Error::Invalid(format!(
            "the regular expression \"{r}\" is not valid: {last}"
        ))
    })
}

/// `parts` are the pieces between `*`s: the first must be a prefix, the
/// last a suffix, the others appear in order.
fn glob_match(parts: &[String], s: &str) -> bool {
    let (first, rest) = match parts.split_first() {
        Some(x) => x,
        None => return s.is_empty(),
    };
    let Some(mut tail) = s.strip_prefix(first.as_str()) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return tail.is_empty();
    };
    for m in middle {
        match tail.find(m.as_str()) {
            Some(p) => tail = &tail[p + m.len()..],
            None => return false,
        }
    }
    tail.len() >= last.len() && tail.ends_with(last.as_str())
}

/// A filter value in the units of the column it is compared with.
#[derive(Debug, Clone)]
struct Target {
    /// As a number (µs for timestamps, days for dates), if it is one.
    num: Option<f64>,
    text: String,
    /// The spec gave a JSON number.
    is_number: bool,
}

/// A filter ready to evaluate against a column of a known type.
#[derive(Debug, Clone)]
pub struct CompiledFilter {
    pub column: String,
    pub op: FilterOp,
    targets: Vec<Target>,
    regex: Option<Regex>,
    lower: Vec<String>,
}

fn target(v: &serde_json::Value, ty: ColumnType, f: &Filter) -> Result<Target> {
    let (text, is_number) = match v {
        serde_json::Value::String(s) => (s.clone(), false),
        serde_json::Value::Number(n) => (n.to_string(), true),
        serde_json::Value::Bool(b) => (b.to_string(), false),
        _ => {
            return Err(Error::Invalid(format!(
                "the filter on \"{}\" ({}) needs a text, number or true/false value",
                f.column,
                op_name(f.op)
            )))
        }
    };
    let num = match ty {
        ColumnType::Timestamp => calendar::parse_timestamp(&text, DateOrder::Dmy, 0)
            .or_else(|| calendar::parse_date(&text, DateOrder::Dmy).map(|d| d * 86_400_000_000))
            .map(|x| x as f64),
        ColumnType::Date => calendar::parse_date(&text, DateOrder::Dmy)
            .or_else(|| {
                calendar::parse_timestamp(&text, DateOrder::Dmy, 0)
                    .map(|t| t.div_euclid(86_400_000_000))
            })
            .map(|x| x as f64),
        ColumnType::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" => Some(1.0),
            "false" => Some(0.0),
            _ => None,
        },
        _ => text.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
    };
    Ok(Target {
        num,
        text,
        is_number,
    })
}

pub fn op_name(op: FilterOp) -> &'static str {
    match op {
        FilterOp::Eq => "eq",
        FilterOp::Ne => "ne",
        FilterOp::Contains => "contains",
        FilterOp::NotContains => "not_contains",
        FilterOp::StartsWith => "starts_with",
        FilterOp::Regex => "regex",
        FilterOp::In => "in",
        FilterOp::NotIn => "not_in",
        FilterOp::Gt => "gt",
        FilterOp::Gte => "gte",
        FilterOp::Lt => "lt",
        FilterOp::Lte => "lte",
        FilterOp::IsSet => "is_set",
        FilterOp::IsNotSet => "is_not_set",
    }
}

impl CompiledFilter {
    /// The filter's values as (number, text, written as a JSON number), for
    /// compilers that turn the filter into another language (funnel/sql.rs).
    pub(crate) fn target_values(&self) -> Vec<(Option<f64>, &str, bool)> {
        self.targets
            .iter()
            .map(|t| (t.num, t.text.as_str(), t.is_number))
            .collect()
    }

    pub fn new(f: &Filter, ty: ColumnType) -> Result<CompiledFilter> {
        let need = |what: &str| {
            Error::Invalid(format!(
                "the filter on \"{}\" with op {} needs {what}",
                f.column,
                op_name(f.op)
            ))
        };
        let mut targets = Vec::new();
        let mut regex = None;
        match f.op {
            FilterOp::IsSet | FilterOp::IsNotSet => {}
            FilterOp::In | FilterOp::NotIn => match &f.value {
                Some(serde_json::Value::Array(a)) => {
                    for v in a {
                        targets.push(target(v, ty, f)?);
                    }
                }
                Some(v @ (serde_json::Value::String(_) | serde_json::Value::Number(_))) => {
                    targets.push(target(v, ty, f)?)
                }
                _ => return Err(need("a list of values, like [\"a\", \"b\"]")),
            },
            _ => match &f.value {
                Some(v) if !v.is_null() && !v.is_array() => {
                    let t = target(v, ty, f)?;
                    if f.op == FilterOp::Regex {
                        regex = Some(compile_regex(&t.text)?);
                    }
                    if matches!(
                        f.op,
                        FilterOp::Gt | FilterOp::Gte | FilterOp::Lt | FilterOp::Lte
                    ) && ty != ColumnType::Text
                        && t.num.is_none()
                    {
                        return Err(Error::Invalid(format!(
                            "the filter on \"{}\" compares a {} column with \"{}\", which is not a {}",
                            f.column,
                            ty.as_str(),
                            t.text,
                            match ty {
                                ColumnType::Timestamp | ColumnType::Date => "date",
                                _ => "number",
                            }
                        )));
                    }
                    targets.push(t)
                }
                _ => return Err(need("a single value")),
            },
        }
        let lower = targets.iter().map(|t| t.text.to_lowercase()).collect();
        Ok(CompiledFilter {
            column: f.column.clone(),
            op: f.op,
            targets,
            regex,
            lower,
        })
    }

    /// Does a text value (None = missing) pass? Text columns, and the text
    /// form of other columns for text operators.
    pub fn matches_text(&self, s: Option<&str>) -> bool {
        use FilterOp::*;
        let Some(s) = s else {
            return matches!(self.op, Ne | NotContains | NotIn | IsNotSet);
        };
        let eq = |t: &Target| {
            s == t.text || (t.is_number && s.trim().parse::<f64>().ok() == t.num && t.num.is_some())
        };
        let cmp = |t: &Target| -> Option<std::cmp::Ordering> {
            if t.is_number {
                let x: f64 = s.trim().parse().ok()?;
                x.partial_cmp(&t.num?)
            } else {
                Some(s.cmp(t.text.as_str()))
            }
        };
        match self.op {
            Eq => eq(&self.targets[0]),
            Ne => !eq(&self.targets[0]),
            In => self.targets.iter().any(eq),
            NotIn => !self.targets.iter().any(eq),
            Contains => s.to_lowercase().contains(&self.lower[0]),
            NotContains => !s.to_lowercase().contains(&self.lower[0]),
            StartsWith => s.starts_with(self.targets[0].text.as_str()),
            Regex => self.regex.as_ref().is_some_and(|r| r.is_match(s)),
            Gt => cmp(&self.targets[0]).is_some_and(|o| o.is_gt()),
            Gte => cmp(&self.targets[0]).is_some_and(|o| o.is_ge()),
            Lt => cmp(&self.targets[0]).is_some_and(|o| o.is_lt()),
            Lte => cmp(&self.targets[0]).is_some_and(|o| o.is_le()),
            IsSet => true,
            IsNotSet => false,
        }
    }

    /// Does a number (in the column's units) pass? `text` is its text form.
    fn matches_number(&self, x: f64, text: &str) -> bool {
        use FilterOp::*;
        let eq = |t: &Target| match t.num {
            Some(n) => n == x,
            None => t.text == text,
        };
        let cmp = |t: &Target| t.num.and_then(|n| x.partial_cmp(&n));
        match self.op {
            Eq => eq(&self.targets[0]),
            Ne => !eq(&self.targets[0]),
            In => self.targets.iter().any(eq),
            NotIn => !self.targets.iter().any(eq),
            Gt => cmp(&self.targets[0]).is_some_and(|o| o.is_gt()),
            Gte => cmp(&self.targets[0]).is_some_and(|o| o.is_ge()),
            Lt => cmp(&self.targets[0]).is_some_and(|o| o.is_lt()),
            Lte => cmp(&self.targets[0]).is_some_and(|o| o.is_le()),
            IsSet => true,
            IsNotSet => false,
            Contains | NotContains | StartsWith | Regex => self.matches_text(Some(text)),
        }
    }

    /// Does row `i` of `col` pass? (The plain, per-row definition.)
    pub fn matches_row(&self, col: &Column, i: usize) -> bool {
        if col.is_null(i) {
            return self.matches_text(None);
        }
        match &col.values {
            Values::Text { dict, codes } => self.matches_text(Some(&dict[codes[i] as usize])),
            Values::Int(v) => {
                self.matches_number(v[i] as f64, &cell_text(col, i).unwrap_or_default())
            }
            Values::Float(v) => self.matches_number(v[i], &cell_text(col, i).unwrap_or_default()),
            Values::Bool(v) => self.matches_number(v[i] as u8 as f64, &v[i].to_string()),
        }
    }

    /// Every row of `col` at once (text columns: once per dictionary entry).
    pub fn matches_all(&self, col: &Column) -> Vec<bool> {
        match &col.values {
            Values::Text { dict, codes } => {
                let table: Vec<bool> = dict.iter().map(|s| self.matches_text(Some(s))).collect();
                let null = self.matches_text(None);
                match &col.valid {
                    None => codes.iter().map(|&c| table[c as usize]).collect(),
                    Some(valid) => codes
                        .iter()
                        .zip(valid)
                        .map(|(&c, &ok)| if ok { table[c as usize] } else { null })
                        .collect(),
                }
            }
            _ => (0..col.len()).map(|i| self.matches_row(col, i)).collect(),
        }
    }
}

/// A date-range bound as µs: `YYYY-MM-DD` (start of that day, or with
/// `end`, the start of the next day) or an RFC 3339 instant.
pub fn parse_bound(s: &str, end: bool) -> Result<i64> {
    let s = s.trim();
    if let Some(d) = calendar::parse_date(s, DateOrder::Dmy) {
        return Ok((d + end as i64) * 86_400_000_000);
    }
    if let Some(t) = calendar::parse_timestamp(s, DateOrder::Dmy, 0) {
        return Ok(t + end as i64);
    }
    Err(Error::Invalid(format!(
        "the date \"{s}\" in date_range is not a date; write it as YYYY-MM-DD"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let m = |p: &str, s: &str| {
            PatternMatcher::new(&Pattern::Glob(p.into()))
                .unwrap()
                .matches(s)
        };
        assert!(m("/checkout*", "/checkout/step1"));
        assert!(m("/checkout*", "/checkout"));
        assert!(!m("/checkout*", "/cart"));
        assert!(m("*/thanks", "/shop/thanks"));
        assert!(!m("*/thanks", "/shop/thanks/x"));
        assert!(m("/p/*/buy*", "/p/42/buy?x=1"));
        assert!(!m("/a*a", "/a"));
        assert!(m("/cart", "/cart"));
        assert!(!m("/cart", "/cart/"));
        assert!(m("*", ""));
    }

    #[test]
    fn bad_regex_is_a_sentence() {
        let e = PatternMatcher::new(&Pattern::Regex { regex: "(".into() }).unwrap_err();
        assert!(e.to_string().contains("not valid"), "{e}");
    }
}
