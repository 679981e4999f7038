//! A funnel spec compiled to ClickHouse SQL (docs/clickhouse.md).
//!
//! The SQL reads a table whose columns carry the dataset's column names and
//! types (text as `Nullable(String)`, integers `Int64`, decimals `Float64`,
//! booleans `Bool`, timestamps `DateTime64(6, 'UTC')`, dates `Date32`). It
//! follows docs/funnel.md literally, like `reference.rs`: each unit's events
//! are gathered into one array sorted by (time, first step matched, row);
//! every attempt from every start is walked with `arrayFold`; the counted
//! attempt is picked with the same keys as the engine. Events of one instant
//! are matched to steps exactly: a greedy pass when no event there can fill
//! two of the remaining steps, Hall's condition over the subsets of the
//! remaining steps otherwise. `windowFunnel` is not used: it orders events
//! of one instant arbitrarily, lets one event advance several levels and
//! knows nothing of exclusions, step windows or attribution, so it would
//! give other counts on data that has such events.
//!
//! Options the SQL cannot express identically are refused with an error that
//! starts with [`NOT_PUSHED_DOWN`]; nothing is silently computed otherwise.

use super::engine::{plan, NONE_VALUE, OTHER};
use super::spec::*;
use crate::error::{Error, Result};
use crate::filter::{range_micros, CompiledFilter};
use crate::index::Unit;
use crate::model::{ColumnInfo, ColumnType, DatasetInfo, DatasetKind, Role};
use crate::segment::Condition;
use std::fmt::Write;

/// The start of every error for an option that is not compiled to SQL.
pub const NOT_PUSHED_DOWN: &str = "cannot be run in ClickHouse";

/// Largest number of remaining steps for which an instant where one event
/// could fill two steps is matched exactly (2^n subsets are enumerated);
/// beyond it the query stops with an error instead of differing.
pub const MAX_MATCHING_STEPS: usize = 16;

/// Where the SQL reads from.
#[derive(Debug, Clone, Default)]
pub struct SqlTarget {
    /// The table (or `db.table`); written as given when it contains a dot
    /// or a backtick, else quoted.
    pub table: String,
    /// A column giving the dataset's row order (an insertion sequence),
    /// used to break ties at one instant as the engine does; without it,
    /// events of one instant that match the same first step are taken in an
    /// unspecified order (which can change breakdown values or strict
    /// funnels on such data, never the other cases).
    pub row_order: Option<String>,
}

fn refuse(what: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("{NOT_PUSHED_DOWN}: {what}"))
}

/// A text literal.
pub fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// An identifier.
pub fn ident(s: &str) -> String {
    format!("`{}`", s.replace('\\', "\\\\").replace('`', "\\`"))
}

fn table_ref(t: &str) -> String {
    if t.contains('.') || t.contains('`') || t.contains('(') {
        t.to_string()
    } else {
        ident(t)
    }
}

fn float(x: f64) -> String {
    if x.is_finite() {
        format!("toFloat64({x:?})")
    } else if x.is_nan() {
        "nan".into()
    } else if x > 0.0 {
        "inf".into()
    } else {
        "-inf".into()
    }
}

struct Cols<'a> {
    info: &'a DatasetInfo,
}

impl Cols<'_> {
    fn role(&self, r: Role) -> Option<&ColumnInfo> {
        self.info.columns.iter().find(|c| c.role == Some(r))
    }
    fn named(&self, name: &str) -> Result<&ColumnInfo> {
        self.info
            .columns
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "dataset \"{}\" has no column \"{name}\"",
                    self.info.name
                ))
            })
    }
}

/// One filter as a SQL condition (never NULL).
fn filter_sql(cols: &Cols, f: &Filter) -> Result<String> {
    use FilterOp::*;
    let c = cols.named(&f.column)?;
    let cf = CompiledFilter::new(f, c.ty)?;
    let targets = cf.target_values();
    let col = ident(&c.name);
    let null_result = matches!(f.op, Ne | NotContains | NotIn | IsNotSet);
    let body = match c.ty {
        ColumnType::Text => {
            let eq = |(num, text, is_number): &(Option<f64>, &str, bool)| match (is_number, num) {
                (true, Some(n)) => format!(
                    "({col} = {} OR toFloat64OrNull(trimBoth({col})) = {})",
                    lit(text),
                    float(*n)
                ),
                _ => format!("{col} = {}", lit(text)),
            };
            let cmp = |op: &str| -> String {
                let (num, text, is_number) = targets[0];
                if is_number {
                    match num {
                        Some(n) => format!("toFloat64OrNull(trimBoth({col})) {op} {}", float(n)),
                        None => "0".into(),
                    }
                } else {
                    format!("{col} {op} {}", lit(text))
                }
            };
            match f.op {
                Eq => eq(&targets[0]),
                Ne => format!("NOT {}", eq(&targets[0])),
                In => format!(
                    "({})",
                    targets.iter().map(eq).collect::<Vec<_>>().join(" OR ")
                ),
                NotIn => format!(
                    "NOT ({})",
                    targets.iter().map(eq).collect::<Vec<_>>().join(" OR ")
                ),
                Contains => format!(
                    "position(lowerUTF8({col}), {}) > 0",
                    lit(&targets[0].1.to_lowercase())
                ),
                NotContains => format!(
                    "position(lowerUTF8({col}), {}) = 0",
                    lit(&targets[0].1.to_lowercase())
                ),
                StartsWith => format!("startsWith({col}, {})", lit(targets[0].1)),
                Regex => format!("match({col}, {})", lit(targets[0].1)),
                Gt => cmp(">"),
                Gte => cmp(">="),
                Lt => cmp("<"),
                Lte => cmp("<="),
                IsSet => "1".into(),
                IsNotSet => "0".into(),
            }
        }
        ty => {
            let x = match ty {
                ColumnType::Timestamp => format!("toFloat64(toUnixTimestamp64Micro({col}))"),
                ColumnType::Date => format!("toFloat64(toInt64({col}))"),
                _ => format!("toFloat64({col})"),
            };
            let num = |t: &(Option<f64>, &str, bool)| {
                t.0.ok_or_else(|| {
                    refuse(format!(
                        "the filter on \"{}\" compares a {} column with the text \"{}\" (the engine compares the cell's text; give a {})",
                        f.column,
                        ty.as_str(),
                        t.1,
                        match ty {
                            ColumnType::Timestamp | ColumnType::Date => "date",
                            ColumnType::Boolean => "true or false",
                            _ => "number",
                        }
                    ))
                })
            };
            let eq = |t: &(Option<f64>, &str, bool)| -> Result<String> {
                Ok(format!("{x} = {}", float(num(t)?)))
            };
            let any = || -> Result<String> {
                Ok(targets
                    .iter()
                    .map(eq)
                    .collect::<Result<Vec<_>>>()?
                    .join(" OR "))
            };
            let cmp = |op: &str| -> Result<String> {
                Ok(match targets[0].0 {
                    Some(n) => format!("{x} {op} {}", float(n)),
                    None => "0".into(),
                })
            };
            match f.op {
                Eq => eq(&targets[0])?,
                Ne => format!("NOT ({})", eq(&targets[0])?),
                In => format!("({})", any()?),
                NotIn => format!("NOT ({})", any()?),
                Gt => cmp(">")?,
                Gte => cmp(">=")?,
                Lt => cmp("<")?,
                Lte => cmp("<=")?,
                IsSet => "1".into(),
                IsNotSet => "0".into(),
                Contains | NotContains | StartsWith | Regex => {
                    return Err(refuse(format!(
                        "the filter on \"{}\" uses {} on a {} column (the engine matches the cell's text as Stepwise writes it)",
                        f.column,
                        crate::filter::op_name(f.op),
                        ty.as_str()
                    )))
                }
            }
        }
    };
    Ok(format!(
        "if({col} IS NULL, {}, ifNull({body}, 0))",
        u8::from(null_result)
    ))
}

/// Event, page and filters, all of which must hold.
fn cond_sql(
    cols: &Cols,
    event: Option<&str>,
    page: Option<&Pattern>,
    filters: &[Filter],
) -> Result<String> {
    let mut parts = Vec::new();
    if let Some(e) = event {
        let c = cols.role(Role::Event).ok_or_else(|| {
            Error::Invalid(format!(
                "dataset \"{}\" has no event column",
                cols.info.name
            ))
        })?;
        parts.push(format!("ifNull({} = {}, 0)", text_of(c), lit(e)));
    }
    if let Some(p) = page {
        let c = cols.role(Role::Page).ok_or_else(|| {
            Error::Invalid(format!("dataset \"{}\" has no page column", cols.info.name))
        })?;
        crate::filter::PatternMatcher::new(p)?;
        let col = text_of(c);
        parts.push(match p {
            Pattern::Glob(s) if s.contains('*') => {
                let mut like = String::new();
                for ch in s.chars() {
                    match ch {
                        '*' => like.push('%'),
                        '%' | '_' | '\\' => {
                            like.push('\\');
                            like.push(ch)
                        }
                        c => like.push(c),
                    }
                }
                format!("ifNull({col} LIKE {}, 0)", lit(&like))
            }
            Pattern::Glob(s) => format!("ifNull({col} = {}, 0)", lit(s)),
            Pattern::Regex { regex } => format!("ifNull(match({col}, {}), 0)", lit(regex)),
        });
    }
    for f in filters {
        parts.push(filter_sql(cols, f)?);
    }
    Ok(if parts.is_empty() {
        "1".into()
    } else {
        parts.join(" AND ")
    })
}

/// A role column as text: text columns as they are, integers written out.
fn text_of(c: &ColumnInfo) -> String {
    match c.ty {
        ColumnType::Text => ident(&c.name),
        _ => format!("toString({})", ident(&c.name)),
    }
}

/// `let name = value in body`, as ClickHouse has no local bindings.
fn bind(name: &str, value: &str, body: &str) -> String {
    format!("arrayMap({name} -> {body}, [{value}])[1]")
}

/// Compiles `spec` on the dataset `info` to one ClickHouse query. Without
/// a breakdown it returns one row per step: `step` (0-based, UInt32) and
/// `count` (UInt64); with one, a row per (breakdown value, step):
/// `value`, `step`, `count`, the values ranked as the engine ranks them and
/// the pooled `Other` row last.
pub fn clickhouse_sql(spec: &FunnelSpec, info: &DatasetInfo, target: &SqlTarget) -> Result<String> {
    if info.kind == DatasetKind::Metrics {
        return Err(refuse(format!(
            "dataset \"{}\" is a metric table; its funnel sums rows in Stepwise",
            info.name
        )));
    }
    let p = plan(spec)?;
    if spec.hold.is_some() {
        return Err(refuse(
            "\"hold\" (attempts per value of a held column are not compiled yet; remove \"hold\" or run it in Stepwise)",
        ));
    }
    if spec.open == Some(true) {
        return Err(refuse(
            "\"open\" (entering at any step is not compiled yet; remove \"open\" or run it in Stepwise)",
        ));
    }
    if spec.steps.iter().any(|s| s.optional == Some(true)) {
        return Err(refuse(
            "optional steps (skipping a step is not compiled yet; remove \"optional\" or run it in Stepwise)",
        ));
    }
    if spec.trend.is_some() {
        return Err(refuse(
            "a trend (the SQL returns step counts only; remove \"trend\")",
        ));
    }
    if spec.time_to_convert.is_some() {
        return Err(refuse(
            "time to convert (the SQL returns step counts only; remove \"time_to_convert\")",
        ));
    }
    let cols = Cols { info };
    let k = p.k;
    let time = cols
        .role(Role::Time)
        .ok_or_else(|| Error::Invalid(format!("dataset \"{}\" has no time column", info.name)))?;
    let time_sql = match time.ty {
        ColumnType::Timestamp => format!("toUnixTimestamp64Micro({})", ident(&time.name)),
        ColumnType::Date => format!("toInt64({}) * 86400000000", ident(&time.name)),
        ty => {
            return Err(refuse(format!(
                "the time column \"{}\" is stored as {}; load it into ClickHouse as DateTime64(6, 'UTC')",
                time.name,
                ty.as_str()
            )))
        }
    };
    let user = cols.role(Role::User);
    let session = cols.role(Role::Session);
    let row_sql = match &target.row_order {
        Some(r) => ident(&cols.named(r)?.name),
        None => "toInt64(0)".into(),
    };

    // ---- per row: unit, time, row, conditions --------------------------
    let mut not_null = vec![format!("{} IS NOT NULL", ident(&time.name))];
    let derived = spec.unit() == Unit::Sessions && session.is_none();
    let unit_sql = match spec.unit() {
        Unit::Users => {
            let u = user.ok_or_else(|| {
                Error::Invalid(format!(
                    "dataset \"{}\" has no user column; count sessions, or map a user column",
                    info.name
                ))
            })?;
            not_null.push(format!("{} IS NOT NULL", ident(&u.name)));
            format!("tuple({}, '')", text_of(u))
        }
        Unit::Sessions => match session {
            Some(s) => {
                not_null.push(format!("{} IS NOT NULL", ident(&s.name)));
                let u = user.map_or("''".to_string(), |u| format!("ifNull({}, '')", text_of(u)));
                format!("tuple({u}, {})", text_of(s))
            }
            None => {
                let u = user.ok_or_else(|| {
                    Error::Invalid(format!(
                        "dataset \"{}\" has neither a session nor a user column",
                        info.name
                    ))
                })?;
                not_null.push(format!("{} IS NOT NULL", ident(&u.name)));
                // the session number is added below, from the gaps
                text_of(u)
            }
        },
    };
    let mut keep = Vec::new();
    for f in spec.filters.as_deref().unwrap_or_default() {
        keep.push(filter_sql(&cols, f)?);
    }
    let (from, to) = range_micros(spec.date_range.as_ref())?;
    if from != i64::MIN {
        keep.push(format!("_t >= {from}"));
    }
    if to != i64::MAX {
        keep.push(format!("_t < {to}"));
    }
    let keep = if keep.is_empty() {
        "1".to_string()
    } else {
        keep.join(" AND ")
    };
    let mut step_conds = Vec::new();
    for s in &spec.steps {
        step_conds.push(cond_sql(
            &cols,
            s.event.as_deref(),
            s.page.as_ref(),
            s.filters.as_deref().unwrap_or_default(),
        )?);
    }
    // the persona: per-row columns (_s0, _s1, ...) aggregated per unit in
    // the HAVING of a `_u IN (...)` subquery
    let mut seg_cols = Vec::new();
    let mut seg_first = false;
    let seg_having = match &spec.segment {
        Some(seg) => Some(segment_sql(
            &cols,
            &Condition::Group(seg.as_group()),
            &mut seg_cols,
            &mut seg_first,
        )?),
        None => None,
    };
    let mut excl_conds = Vec::new();
    for x in spec.exclude.as_deref().unwrap_or_default() {
        excl_conds.push(cond_sql(
            &cols,
            x.event.as_deref(),
            x.page.as_ref(),
            x.filters.as_deref().unwrap_or_default(),
        )?);
    }
    let bcol = match &spec.breakdown {
        Some(b) if b.is_buyer_status() => {
            return Err(refuse(
                "a breakdown by buyer status (first-time vs returning; count it here)",
            ))
        }
        Some(b) => {
            let c = cols.named(&b.column)?;
            match c.ty {
                ColumnType::Text => Some(format!("nullIf({}, '')", ident(&c.name))),
                ColumnType::Integer => Some(format!("toString({})", ident(&c.name))),
                ty => {
                    return Err(refuse(format!(
                        "a breakdown by the {} column \"{}\" (its values are written by Stepwise; break down by a text or integer column)",
                        ty.as_str(),
                        c.name
                    )))
                }
            }
        }
        None => None,
    };

    let mut sql = String::new();
    let _ = writeln!(
        sql,
        "-- Stepwise funnel on dataset {} ({} steps, {}, window {} s, counting {}); docs/clickhouse.md",
        info.name.replace('\n', " "),
        k,
        match p.order {
            Order::Ordered => "ordered",
            Order::Strict => "strict",
            Order::Unordered => "unordered",
        },
        p.window / 1_000_000,
        spec.unit().as_str()
    );
    sql.push_str("WITH\n");
    // rows with a unit and a time, with their conditions
    let mut src = String::new();
    let _ = write!(
        src,
        "sw_src AS (\n  SELECT {unit_sql} AS _u, {time_sql} AS _t, {row_sql} AS _r"
    );
    for (q, c) in step_conds.iter().enumerate() {
        let _ = write!(src, ",\n    toUInt8({c}) AS _c{q}");
    }
    for (e, c) in excl_conds.iter().enumerate() {
        let _ = write!(src, ",\n    toUInt8({c}) AS _x{e}");
    }
    for (i, c) in seg_cols.iter().enumerate() {
        let _ = write!(src, ",\n    {c} AS _s{i}");
    }
    let _ = write!(
        src,
        ",\n    {} AS _v",
        bcol.as_deref().unwrap_or("CAST(NULL AS Nullable(String))")
    );
    let _ = write!(
        src,
        ",\n    toUInt8({keep}) AS _keep\n  FROM {}\n  WHERE {}\n)",
        table_ref(&target.table),
        not_null.join(" AND ")
    );
    sql.push_str(&src);
    sql.push_str(",\n");
    // derived sessions: a user's session ends after more than 30 minutes
    // without an event, over all its events (before the funnel's filters)
    let src_name = if derived {
        let _ = write!(
            sql,
            "sw_gaps AS (\n  SELECT *, toUInt8(_t - lagInFrame(_t, 1, _t) OVER (PARTITION BY _u ORDER BY _t, _r ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) > {}) AS _gap FROM sw_src\n),\n",
            crate::index::SESSION_GAP_MICROS
        );
        sql.push_str("sw_sess AS (\n  SELECT * REPLACE (tuple(_u, toString(sum(_gap) OVER (PARTITION BY _u ORDER BY _t, _r ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))) AS _u) FROM sw_gaps\n),\n");
        "sw_sess"
    } else {
        "sw_src"
    };
    // step and exclusion masks; first-time steps keep only the unit's first
    // matching event (before the funnel's filters)
    let mut mask = Vec::new();
    for (q, s) in spec.steps.iter().enumerate() {
        let c = if s.first_time == Some(true) {
            format!("(_c{q} AND row_number() OVER (PARTITION BY _u, _c{q} ORDER BY _t, _r) = 1)")
        } else {
            format!("_c{q}")
        };
        mask.push(format!("bitShiftLeft(toUInt64({c}), {q})"));
    }
    let xmask = if excl_conds.is_empty() {
        "toUInt64(0)".to_string()
    } else {
        (0..excl_conds.len())
            .map(|e| format!("bitShiftLeft(toUInt64(_x{e}), {e})"))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    // the persona's members: evaluated on all of the unit's events (before
    // the funnel's filters and date range)
    let members = match &seg_having {
        Some(h) => {
            let rows = if seg_first {
                format!("(SELECT *, min(_t) OVER (PARTITION BY _u) AS _f FROM {src_name})")
            } else {
                src_name.to_string()
            };
            let _ = write!(
                sql,
                "sw_members AS (\n  SELECT _u FROM {rows} GROUP BY _u HAVING {h}\n),\n"
            );
            " WHERE _u IN (SELECT _u FROM sw_members)"
        }
        None => "",
    };
    let _ = write!(
        sql,
        "sw_ev AS (\n  SELECT _u, _t, _r, _v, _keep, {} AS _m, {xmask} AS _x FROM {src_name}{members}\n),\n",
        mask.join(" + ")
    );
    // one row per unit: its events sorted by (time, first step, row)
    let relevant = if p.order == Order::Strict {
        "_keep".to_string()
    } else {
        "_keep AND (_m != 0 OR _x != 0)".to_string()
    };
    let has_start = if p.order == Order::Unordered {
        "groupBitOr(_m) != 0"
    } else {
        "bitAnd(groupBitOr(_m), 1) != 0"
    };
    let _ = write!(
        sql,
        "sw_units AS (\n  SELECT _u, arraySort(e -> (e.1, e.2, e.3), groupArray((_t, if(_m = 0, {k}, bitCount(bitXor(_m, _m - 1)) - 1), _r, _m, _x, _v))) AS _e\n  FROM sw_ev WHERE {relevant} GROUP BY _u HAVING {has_start}\n),\n"
    );

    // ---- per unit: the attempts and the counted one --------------------
    let w = p.window;
    let within = format!(
        "CAST([{}] AS Array(Int64))",
        p.within
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let attempt = match p.order {
        Order::Ordered => ordered_attempt(k, w),
        Order::Strict => format!(
            "arrayFold((g, q) -> if(length(g) = q AND g[-1] + 1 <= n AND bitTest(M[g[-1] + 1], q) AND T[g[-1] + 1] - T[s] <= {w} AND T[g[-1] + 1] - T[g[-1]] <= W_[q + 1], arrayPushBack(g, g[-1] + 1), g), range(1, {k}), CAST([s] AS Array(UInt64)))"
        ),
        Order::Unordered => unordered_attempt(k, w),
    };
    let spoiled = if p.excl.is_empty() {
        "0".to_string()
    } else {
        p.excl
            .iter()
            .enumerate()
            .map(|(e, &(a, b))| {
                format!(
                    "(length(g) >= {a1} AND arrayExists(j -> bitTest(X[j], {e}) AND j > g[{a1}] AND if(length(g) >= {b1}, j < g[{b1}], T[j] - T[s] <= {w}), range(1, n + 1)))",
                    a1 = a + 1,
                    b1 = b + 1
                )
            })
            .collect::<Vec<_>>()
            .join(" OR ")
    };
    let starts = if p.order == Order::Unordered {
        "arrayFilter(i -> M[i] != 0, range(1, n + 1))"
    } else {
        "arrayFilter(i -> bitTest(M[i], 0), range(1, n + 1))"
    };
    let counted_level = if p.order == Order::Unordered {
        "if(length(C) = 0, -1, toInt64(length(B.1)) - 1)"
    } else {
        "if(length(C) = 0 OR length(B.1) != F, -1, toInt64(length(B.1)) - 1)"
    };
    let _ = write!(
        sql,
        "sw_attempts AS (\n  SELECT _u,
    arrayMap(e -> e.1, _e) AS T, arrayMap(e -> e.4, _e) AS M, arrayMap(e -> e.5, _e) AS X, arrayMap(e -> e.6, _e) AS V,
    length(_e) AS n, {within} AS W_,
    arrayFilter(i -> i = 1 OR T[i] != T[i - 1], range(1, n + 1)) AS IS_,
    arrayMap(i -> if(i < length(IS_), toUInt64(IS_[i + 1] - 1), n), range(1, length(IS_) + 1)) AS IE_,
    arrayExists(x -> bitCount(x) >= 2, M) AS UH,
    range(1, if(UH AND {unordered} AND {k} <= {max}, bitShiftLeft(toUInt64(1), {k}), 1)) AS SUBS,
    throwIf(UH AND {unordered} AND {k} > {max}, 'Stepwise: an unordered funnel of more than {max} steps where one event matches two steps cannot be matched exactly in SQL') AS _guard,
    {starts} AS S,
    arrayMap(s -> {attempt}, S) AS G,
    arrayMap((g, s) -> toUInt8({spoiled}), G, S) AS SP,
    arrayMax(arrayMap(g -> length(g), G)) AS F,
    arrayFilter(x -> x.3 = 0, arrayZip(G, S, SP)) AS C,
    arraySort(x -> (-toInt64(length(x.1)), x.1[-1], -T[x.2], x.2), C)[1] AS B,
    {counted_level} + toInt64(_guard) AS lvl,
    B.1 AS BG
  FROM sw_units\n)",
        unordered = u8::from(p.order == Order::Unordered),
        max = MAX_MATCHING_STEPS,
    );
    match (&spec.breakdown, p.attribution) {
        (Some(b), Some((attr, step))) => {
            let value = match attr {
                Attribution::FirstTouch => {
                    "arrayFirst(x -> x IS NOT NULL, arrayMap(j -> V[j], BG))".to_string()
                }
                Attribution::LastTouch => {
                    "arrayLast(x -> x IS NOT NULL, arrayMap(j -> V[j], BG))".to_string()
                }
                Attribution::Step => format!(
                    "if(length(BG) > {step}, V[BG[{}]], CAST(NULL AS Nullable(String)))",
                    step + 1
                ),
            };
            let limit = p.limit;
            let _ = b;
            let _ = write!(
                sql,
                ",
sw_per_unit AS (
  SELECT lvl, ifNull({value}, {none}) AS _bv FROM sw_attempts WHERE lvl >= 0
),
sw_grouped AS (
  SELECT _bv, sumForEach(arrayMap(q -> toUInt64(lvl >= q), range({k}))) AS c FROM sw_per_unit GROUP BY _bv
),
sw_ranked AS (
  SELECT _bv, c, row_number() OVER (ORDER BY c[1] DESC, _bv ASC) AS rk FROM sw_grouped
),
sw_pooled AS (
  SELECT rk <= {limit} AS kept, if(kept, _bv, {other}) AS value, min(rk) AS ord, sumForEach(c) AS c FROM sw_ranked GROUP BY kept, value
)
SELECT value, toUInt32(step) AS step, toUInt64(c[step + 1]) AS count
FROM sw_pooled ARRAY JOIN range({k}) AS step
ORDER BY kept DESC, ord, step
",
                none = lit(NONE_VALUE),
                other = lit(OTHER),
            );
        }
        _ => {
            let _ = write!(
                sql,
                ",
sw_totals AS (
  SELECT sumForEach(arrayMap(q -> toUInt64(lvl >= q), range({k}))) AS c FROM sw_attempts WHERE lvl >= 0
)
SELECT toUInt32(number) AS step, toUInt64(c[number + 1]) AS count
FROM numbers({k}) AS sw_steps CROSS JOIN sw_totals
ORDER BY step
"
            );
        }
    }
    Ok(sql)
}

/// A persona's condition as an aggregate over the unit's rows (for the
/// HAVING of `sw_members`), as segment/eval.rs evaluates it; per-row parts
/// are pushed to `leaves` (`_s0`, `_s1`, ... in `sw_src`); `first` is set
/// when a condition needs the unit's first time (`_f`).
fn segment_sql(
    cols: &Cols,
    c: &Condition,
    leaves: &mut Vec<String>,
    first: &mut bool,
) -> Result<String> {
    use crate::segment::{Match, ValueOf};
    let leaf = |e: String, leaves: &mut Vec<String>| {
        leaves.push(format!("toUInt8({e})"));
        format!("_s{}", leaves.len() - 1)
    };
    Ok(match c {
        Condition::Group(g) => {
            let any = g.match_.unwrap_or_default() == Match::Any;
            if g.conditions.is_empty() {
                return Ok(if any { "0" } else { "1" }.into());
            }
            let parts = g
                .conditions
                .iter()
                .map(|c| segment_sql(cols, c, leaves, first).map(|s| format!("({s})")))
                .collect::<Result<Vec<_>>>()?;
            parts.join(if any { " OR " } else { " AND " })
        }
        Condition::Not(n) => format!("NOT ({})", segment_sql(cols, &n.not, leaves, first)?),
        Condition::Property(p) => {
            let f = Filter {
                column: p.column.clone(),
                op: p.op,
                value: p.value.clone(),
            };
            let col = cols.named(&p.column)?;
            let bits = leaf(filter_sql(cols, &f)?, leaves);
            match p.value_of.unwrap_or_default() {
                ValueOf::Ever => format!("max({bits}) = 1"),
                v => {
                    // a cell has a value when it is not null and not blank
                    let id = ident(&col.name);
                    let has = match col.ty {
                        ColumnType::Text => format!("{id} IS NOT NULL AND trimBoth({id}) != \'\'"),
                        _ => format!("{id} IS NOT NULL"),
                    };
                    let has = leaf(has, leaves);
                    let missing = u8::from(matches!(
                        p.op,
                        FilterOp::Ne | FilterOp::NotContains | FilterOp::NotIn | FilterOp::IsNotSet
                    ));
                    let pick = if v == ValueOf::First { "argMinIf" } else { "argMaxIf" };
                    format!("if(countIf({has} = 1) = 0, {missing}, {pick}({bits}, (_t, _r), {has} = 1)) = 1")
                }
            }
        }
        Condition::Behaviour(b) => {
            let (m, did) = match (&b.did, &b.did_not) {
                (Some(m), None) => (m, true),
                (None, Some(m)) => (m, false),
                _ => {
                    return Err(Error::Invalid(
                        "a behaviour condition needs exactly one of \"did\" and \"did_not\""
                            .into(),
                    ))
                }
            };
            if !did && (b.at_least.is_some() || b.at_most.is_some()) {
                return Err(Error::Invalid(
                    "a \"did_not\" condition takes no at_least / at_most; use \"did\" with \"at_most\""
                        .into(),
                ));
            }
            let at_least = b.at_least.unwrap_or(1);
            if b.at_most.is_some_and(|max| max < at_least) {
                return Err(Error::Invalid(format!(
                    "a behaviour condition asks for at least {at_least} and at most {} events, which no one can do",
                    b.at_most.unwrap_or(0)
                )));
            }
            let mut cond = cond_sql(
                cols,
                m.event.as_deref(),
                m.page.as_ref(),
                m.filters.as_deref().unwrap_or_default(),
            )?;
            let (from, to) = range_micros(b.date_range.as_ref())?;
            if from != i64::MIN {
                cond = format!("{cond} AND _t >= {from}");
            }
            if to != i64::MAX {
                cond = format!("{cond} AND _t < {to}");
            }
            let mut count = format!("sum({})", leaf(cond, leaves));
            if let Some(d) = b.within_days {
                *first = true;
                let last = leaves.len() - 1;
                count = format!(
                    "sum(_s{last} * toUInt8(_t - _f <= {}))",
                    d as i64 * 86_400_000_000
                );
            }
            if did {
                match b.at_most {
                    Some(max) => format!("{count} >= {at_least} AND {count} <= {max}"),
                    None => format!("{count} >= {at_least}"),
                }
            } else {
                format!("{count} = 0")
            }
        }
        Condition::Measure(m) => {
            return Err(refuse(format!(
                "a persona with a value condition ({:?}; per-unit sums, sessions and days are evaluated by the local engine)",
                m.measure
            )
            .to_lowercase()))
        }
    })
}

/// The ordered attempt from start `s`: instant by instant from the start's,
/// each instant filling as many next steps as distinct events can fill.
fn ordered_attempt(k: usize, w: i64) -> String {
    // the events of the instant [a, b] that may fill steps after level L
    // (all but the start), and their masks over the remaining steps
    let fill = bind(
        "L",
        "toUInt64(length(acc.1) - 1)",
        &bind(
            "R",
            &format!("toUInt64({k} - 1 - L)"),
            &bind(
                "AV",
                "arrayFilter(j -> j != s, range(a, b + 1))",
                &bind(
                    "AM",
                    "arrayMap(j -> bitAnd(bitShiftRight(M[j], L + 1), bitShiftLeft(toUInt64(1), R) - 1), AV)",
                    &bind(
                        "H",
                        "arrayCount(x -> x != 0, AM) >= 2 AND arrayExists(x -> bitCount(x) >= 2, AM)",
                        &format!(
                            "if(throwIf(H AND R > {max}, 'Stepwise: more than {max} remaining steps at an instant where one event matches two steps cannot be matched exactly in SQL') = 0 AND H, {general}, {greedy})",
                            max = MAX_MATCHING_STEPS,
                            general = fill_general(),
                            greedy = fill_greedy(),
                        ),
                    ),
                ),
            ),
        ),
    );
    format!(
        "arrayFold((acc, a, b) -> if(acc.2 = 1 OR length(acc.1) >= {k} OR T[a] < T[s], acc, if(T[a] - T[s] > {w} OR T[a] - T[acc.1[-1]] > W_[length(acc.1) + 1], CAST((acc.1, 1), 'Tuple(Array(UInt64), UInt8)'), CAST((arrayConcat(acc.1, {fill}), 0), 'Tuple(Array(UInt64), UInt8)'))), arrayFilter(a -> T[a] >= T[s] AND T[a] - T[s] <= {w}, IS_), arrayFilter((b, a) -> T[a] >= T[s] AND T[a] - T[s] <= {w}, IE_, IS_), CAST(([s], 0), 'Tuple(Array(UInt64), UInt8)')).1"
    )
}

/// No event of the instant can fill two of the remaining steps (or only
/// one event can fill any, and then one step at most): step L+1+q takes
/// the first event that matches it, while every step finds one.
fn fill_greedy() -> String {
    bind(
        "MG",
        "arrayFirstIndex(q -> NOT arrayExists(x -> bitTest(x, q), AM), range(R))",
        "arrayMap(q -> arrayFirst((j, x) -> bitTest(x, q), AV, AM), range(least(if(MG = 0, R, toUInt64(MG - 1)), if(arrayExists(x -> bitCount(x) >= 2, AM), toUInt64(1), R))))",
    )
}

/// Some event could fill two steps: the most steps m such that every set
/// of the first m remaining steps has as many events matching one of its
/// steps as it has steps (Hall), then each step in turn takes the first
/// event that leaves the later steps fillable.
fn fill_general() -> String {
    // RH: R at such an instant, else 0 (both branches of `if` may be
    // evaluated, and 2^R subsets must only be listed where needed)
    let hall_m = "arrayMin(arrayConcat([RH], arrayMap(S -> if(bitCount(S) > arrayCount(x -> bitAnd(x, S) != 0, AM), toUInt64(floor(log2(S))), RH), range(1, bitShiftLeft(toUInt64(1), RH)))))";
    let pick = "arrayFirstIndex(i -> NOT has(tk, i) AND bitTest(AM[i], q) AND arrayAll(Z -> bitCount(Z) <= arrayCount(i2 -> i2 != i AND NOT has(tk, i2) AND bitAnd(AM[i2], bitShiftLeft(Z, q + 1)) != 0, range(1, length(AM) + 1)), range(1, bitShiftLeft(toUInt64(1), toUInt64(MH - 1 - q)))), range(1, length(AM) + 1))";
    bind(
        "RH",
        &format!("if(H AND R <= {MAX_MATCHING_STEPS}, R, 0)"),
        &bind(
        "MH",
        hall_m,
        &format!(
            "arrayMap(i -> AV[i], arrayFold((tk, q) -> arrayPushBack(tk, {pick}), range(MH), CAST([], 'Array(UInt64)')))"
        ),
    ),
    )
}

/// The unordered attempt from start `s`: after each event, the most
/// distinct steps distinct events seen so far can fill.
fn unordered_attempt(k: usize, w: i64) -> String {
    let step = bind(
        "OR2",
        "bitOr(acc.2, M[j])",
        &bind(
            "CN2",
            "arrayMap((c, Z) -> c + toUInt64(bitAnd(M[j], Z) != 0), acc.3, SUBS)",
            &bind(
                "MM",
                &format!("if(UH, {k} - arrayMax(arrayConcat([0], arrayMap((c, Z) -> toInt64(bitCount(Z)) - toInt64(c), CN2, SUBS))), toInt64(bitCount(OR2)))"),
                "CAST((if(MM > length(acc.1), arrayPushBack(acc.1, j), acc.1), OR2, CN2, 0), 'Tuple(Array(UInt64), UInt64, Array(UInt64), UInt8)')",
            ),
        ),
    );
    format!(
        "arrayFold((acc, j) -> if(acc.4 = 1, acc, if(T[j] - T[s] > {w} OR length(acc.1) = {k}, CAST((acc.1, acc.2, acc.3, 1), 'Tuple(Array(UInt64), UInt64, Array(UInt64), UInt8)'), if(M[j] = 0, acc, {step}))), range(s, n + 1), CAST(([], toUInt64(0), arrayMap(Z -> toUInt64(0), SUBS), 0), 'Tuple(Array(UInt64), UInt64, Array(UInt64), UInt8)')).1"
    )
}

/// The dataset's columns as a ClickHouse table definition the SQL can read
/// (for loading a dataset into ClickHouse, and the tests).
pub fn clickhouse_columns(info: &DatasetInfo) -> Vec<(String, &'static str)> {
    info.columns
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                match c.ty {
                    ColumnType::Text => "Nullable(String)",
                    ColumnType::Integer | ColumnType::Duration => "Nullable(Int64)",
                    ColumnType::Decimal => "Nullable(Float64)",
                    ColumnType::Boolean => "Nullable(Bool)",
                    ColumnType::Timestamp => "Nullable(DateTime64(6, 'UTC'))",
                    ColumnType::Date => "Nullable(Date32)",
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ColumnInfo;

    fn info(kind: DatasetKind) -> DatasetInfo {
        let col = |name: &str, ty, role| ColumnInfo {
            name: name.into(),
            ty,
            role,
        };
        DatasetInfo {
            name: "shop".into(),
            kind,
            rows: 0,
            columns: vec![
                col("user", ColumnType::Text, Some(Role::User)),
                col("ts", ColumnType::Timestamp, Some(Role::Time)),
                col("name", ColumnType::Text, Some(Role::Event)),
                col("price", ColumnType::Decimal, None),
                col("it's", ColumnType::Text, None),
            ],
            source: None,
            imported_at: String::new(),
            stored_bytes: 0,
        }
    }

    fn compile(spec: &str) -> Result<String> {
        let spec = FunnelSpec::from_json(spec)?;
        clickhouse_sql(
            &spec,
            &info(DatasetKind::Events),
            &SqlTarget {
                table: "shop".into(),
                row_order: None,
            },
        )
    }

    #[test]
    fn literals_and_names_are_quoted() {
        assert_eq!(lit(r"a'b\c"), r"'a\'b\\c'");
        assert_eq!(ident("a`b"), r"`a\`b`");
        let sql = compile(
            r#"{"dataset": "shop", "steps": [{"event": "it's"}, {"event": "b", "where": [{"column": "it's", "op": "contains", "value": "X%"}]}]}"#,
        )
        .unwrap();
        assert!(sql.contains(r"`name` = 'it\'s'"), "{sql}");
        assert!(
            sql.contains(r"position(lowerUTF8(`it's`), 'x%') > 0"),
            "{sql}"
        );
        assert!(sql.contains("FROM `shop`"), "{sql}");
    }

    #[test]
    fn what_cannot_run_there_is_refused_with_a_reason() {
        let refused = |spec: &str, why: &str| {
            let e = compile(spec).unwrap_err().to_string();
            assert!(e.starts_with(NOT_PUSHED_DOWN) && e.contains(why), "{e}");
        };
        let steps = r#""steps": [{"event": "a"}, {"event": "b"}]"#;
        refused(
            &format!(r#"{{"dataset": "shop", {steps}, "trend": {{"interval": "day"}}}}"#),
            "a trend",
        );
        refused(
            &format!(r#"{{"dataset": "shop", {steps}, "time_to_convert": {{}}}}"#),
            "time to convert",
        );
        refused(
            &format!(r#"{{"dataset": "shop", {steps}, "hold": "it's"}}"#),
            "\"hold\"",
        );
        refused(
            &format!(r#"{{"dataset": "shop", {steps}, "open": true}}"#),
            "\"open\"",
        );
        refused(
            r#"{"dataset": "shop", "steps": [{"event": "a"}, {"event": "b", "optional": true}, {"event": "c"}]}"#,
            "optional steps",
        );
        refused(
            &format!(r#"{{"dataset": "shop", {steps}, "breakdown": {{"column": "price"}}}}"#),
            "breakdown by the decimal column",
        );
        refused(
            &format!(
                r#"{{"dataset": "shop", {steps}, "breakdown": {{"column": "$buyer_status"}}}}"#
            ),
            "breakdown by buyer status",
        );
        refused(
            r#"{"dataset": "shop", "steps": [{"event": "a", "where": [{"column": "price", "op": "contains", "value": "1"}]}]}"#,
            "contains on a decimal column",
        );
        // the spec's own errors stay the engine's sentences
        let e = compile(r#"{"dataset": "shop", "steps": [{"event": "a", "within": "1h"}]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("step 0 has a \"within\""), "{e}");
        let e = clickhouse_sql(
            &FunnelSpec::from_json(r#"{"dataset": "shop", "steps": [{"value": "a"}]}"#).unwrap(),
            &info(DatasetKind::Metrics),
            &SqlTarget::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("metric table"), "{e}");
    }

    #[test]
    fn a_persona_is_a_unit_subquery_and_value_conditions_are_refused() {
        let sql = compile(
            r#"{"dataset": "shop", "steps": [{"event": "a"}, {"event": "b"}],
                "segment": {"name": "p", "match": "any", "conditions": [
                    {"did": {"event": "c"}, "at_least": 2, "within_days": 3},
                    {"not": {"column": "it's", "op": "eq", "value": "x", "value_of": "last"}}]}}"#,
        )
        .unwrap();
        assert!(
            sql.contains("WHERE _u IN (SELECT _u FROM sw_members)"),
            "{sql}"
        );
        assert!(
            sql.contains("min(_t) OVER (PARTITION BY _u) AS _f"),
            "{sql}"
        );
        assert!(sql.contains("argMaxIf(_s1, (_t, _r), _s2 = 1)"), "{sql}");
        let e = compile(
            r#"{"dataset": "shop", "steps": [{"event": "a"}],
                "segment": {"name": "p", "conditions": [{"measure": "revenue", "op": "gte", "value": 5}]}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with(NOT_PUSHED_DOWN) && e.contains("value condition"),
            "{e}"
        );
        // the engine's own sentence for a behaviour it refuses
        let e = compile(
            r#"{"dataset": "shop", "steps": [{"event": "a"}],
                "segment": {"name": "p", "conditions": [{"did": {"event": "c"}, "at_least": 3, "at_most": 1}]}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("which no one can do"), "{e}");
    }

    #[test]
    fn numbers_compare_as_numbers_and_missing_values_pass_negative_filters() {
        let sql = compile(
            r#"{"dataset": "shop", "steps": [{"event": "a", "where": [{"column": "price", "op": "gte", "value": 5}, {"column": "it's", "op": "ne", "value": "x"}]}]}"#,
        )
        .unwrap();
        assert!(
            sql.contains("if(`price` IS NULL, 0, ifNull(toFloat64(`price`) >= toFloat64(5.0), 0))"),
            "{sql}"
        );
        assert!(
            sql.contains(r"if(`it's` IS NULL, 1, ifNull(NOT `it's` = 'x', 0))"),
            "{sql}"
        );
    }
}
