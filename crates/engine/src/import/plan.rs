//! From what inference saw to what is stored: column names, types,
//! parsers, roles and the dataset kind. Shared by every format.

use super::infer::{self, Candidates, CellParser, DateOrder, NumStyle, Zone};
use super::roles;
use super::ImportOptions;
use crate::error::{Error, Result};
use crate::model::{ColumnInfo, ColumnType, DatasetKind};

/// What will be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub columns: Vec<ColumnInfo>,
    pub parsers: Vec<CellParser>,
    pub kind: DatasetKind,
    pub preset: Option<&'static str>,
}

/// Column names from a header row: trimmed (BOM, NBSP and zero-width
/// spaces removed), empty or merged cells named after their left neighbour
/// (`Sales_2`) or by position (`column_3`), duplicates numbered
/// (`Event name_2`). Without a header every column is `column_N`.
pub fn header_names(raw: &[String], width: usize, has_header: bool) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(width);
    let mut seen = std::collections::HashSet::new();
    for i in 0..width {
        let base = if has_header {
            raw.get(i)
                .map(|s| {
                    s.trim_matches(|c: char| {
                        c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}' || c == '\u{a0}'
                    })
                    .to_string()
                })
                .unwrap_or_default()
        } else {
            String::new()
        };
        let base = if base.is_empty() {
            format!("column_{}", i + 1)
        } else {
            base
        };
        let mut name = base.clone();
        let mut n = 2;
        while !seen.insert(name.to_lowercase()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        names.push(name);
    }
    names
}

/// The date order to use when the data fits both: month first in files
/// with a decimal point (US exports), day first with a decimal comma.
pub fn default_order(style: NumStyle) -> DateOrder {
    match style {
        NumStyle::Point => DateOrder::Mdy,
        NumStyle::Comma => DateOrder::Dmy,
    }
}

/// Decides every column's parser and the roles.
pub fn make_plan(
    names: Vec<String>,
    cands: &[Candidates],
    has_header: bool,
    style: NumStyle,
    zone: Zone,
    opts: &ImportOptions,
) -> Result<Plan> {
    let order = default_order(style);
    let mut parsers: Vec<CellParser> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let c = cands.get(i).cloned().unwrap_or_default();
            c.decide(
                style,
                order,
                infer::is_id_name(n),
                infer::is_time_name(n),
                !has_header,
                zone,
            )
        })
        .collect();
    let mut columns: Vec<ColumnInfo> = names
        .into_iter()
        .zip(&parsers)
        .map(|(name, p)| ColumnInfo {
            name,
            ty: p.ty,
            role: None,
        })
        .collect();
    let preset = roles::apply_preset(&mut columns, cands, has_header);
    // a preset may rename columns (headerless layouts) and retype them
    for (i, (c, p)) in columns.iter().zip(parsers.iter_mut()).enumerate() {
        if c.ty != p.ty {
            *p = retype(p, cands.get(i), c.ty);
        }
    }
    for (name, ty) in &opts.types {
        let i = columns
            .iter()
            .position(|c| &c.name == name)
            .ok_or_else(|| unknown_column(name, &columns))?;
        let c = cands.get(i).cloned().unwrap_or_default();
        parsers[i] = retype(&parsers[i], Some(&c), *ty);
        columns[i].ty = *ty;
    }
    for (_, col) in &opts.map {
        if !columns.iter().any(|c| &c.name == col) {
            return Err(unknown_column(col, &columns));
        }
    }
    let kind = roles::assign_roles(&mut columns, &opts.map, preset);
    // a time role on epoch integers reads them as instants
    for (i, (c, p)) in columns.iter_mut().zip(parsers.iter_mut()).enumerate() {
        if c.role == Some(crate::model::Role::Time) && c.ty == ColumnType::Integer {
            let q = retype(p, cands.get(i), ColumnType::Timestamp);
            if q.epoch.is_some() {
                c.ty = ColumnType::Timestamp;
                *p = q;
            }
        }
        if c.ty != p.ty {
            *p = retype(p, cands.get(i), c.ty);
        }
    }
    Ok(Plan {
        columns,
        parsers,
        kind,
        preset: preset.map(|p| p.name),
    })
}

fn unknown_column(name: &str, columns: &[ColumnInfo]) -> Error {
    let list: Vec<&str> = columns.iter().map(|c| c.name.as_str()).take(12).collect();
    Error::Invalid(format!(
        "there is no column \"{name}\" in this file; its columns are: {}{}",
        list.join(", "),
        if columns.len() > 12 { ", …" } else { "" }
    ))
}

/// A parser for another type, keeping the file's style, order and zone.
pub fn retype(p: &CellParser, c: Option<&Candidates>, ty: ColumnType) -> CellParser {
    let mut q = *p;
    q.ty = ty;
    q.epoch = None;
    if ty == ColumnType::Timestamp {
        if let Some(c) = c {
            if c.min_int <= c.max_int && (c.int_point || c.int_comma) {
                q.epoch = infer::EpochUnit::guess(c.min_int, c.max_int);
            }
        } else if p.epoch.is_some() {
            q.epoch = p.epoch;
        }
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_cleaned_and_unique() {
        let raw: Vec<String> = ["\u{feff}ID", " Name ", "", "Name", "name"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            header_names(&raw, 6, true),
            vec!["ID", "Name", "column_3", "Name_2", "name_3", "column_6"]
        );
        assert_eq!(header_names(&raw, 2, false), vec!["column_1", "column_2"]);
    }
}
