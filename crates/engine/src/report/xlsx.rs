//! Every table of a report as one XLSX workbook, a sheet per table. Numbers
//! are stored as numbers with a display format (counts `#,##0`, rates `0.0%`,
//! lifts `+0.0%`), text as plain strings: a string cell in XLSX is never
//! evaluated as a formula, so no escaping is needed there (unlike CSV).

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::table::{Cell, Table};
use super::ReportDocument;
use crate::chart::format::ValueKind;
use crate::{Error, Result};

fn err(e: XlsxError) -> Error {
    Error::Invalid(format!("the spreadsheet could not be written: {e}"))
}

/// A valid, unique sheet name (at most 31 characters, none of `[]:*?/\`).
fn sheet_name(heading: &str, used: &mut Vec<String>) -> String {
    let clean: String = heading
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .collect();
    let clean = clean.trim().trim_matches('\'').trim().to_string();
    let base: String = if clean.is_empty() {
        "Table".to_string()
    } else {
        clean.chars().take(31).collect()
    };
    let mut name = base.clone();
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
        let suffix = format!(" ({n})");
        name = base.chars().take(31 - suffix.len()).collect::<String>() + &suffix;
        n += 1;
    }
    used.push(name.clone());
    name
}

/// Tables as a workbook: `(sheet heading, table)` pairs.
pub fn tables_to_xlsx(tables: &[(String, Table)]) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let header = Format::new().set_bold();
    let fmt = |k: ValueKind| match k {
        ValueKind::Count => Format::new().set_num_format("#,##0"),
        ValueKind::Rate => Format::new().set_num_format("0.0%"),
        ValueKind::Lift => Format::new().set_num_format("+0.0%;-0.0%;0%"),
        ValueKind::Seconds => Format::new().set_num_format("#,##0"),
        ValueKind::Number | ValueKind::Money => Format::new().set_num_format("#,##0.00"),
        ValueKind::PValue => Format::new().set_num_format("0.000"),
    };
    let mut used = Vec::new();
    if tables.is_empty() {
        wb.add_worksheet().set_name("Tables").map_err(err)?;
    }
    for (heading, t) in tables {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(heading, &mut used)).map_err(err)?;
        for (c, col) in t.columns.iter().enumerate() {
            let name = match col.kind {
                Some(ValueKind::Seconds) => format!("{} (seconds)", col.name),
                _ => col.name.clone(),
            };
            ws.write_string_with_format(0, c as u16, &name, &header)
                .map_err(err)?;
            let width = t
                .rows
                .iter()
                .filter_map(|r| match r.get(c) {
                    Some(Cell::Text(s)) => Some(s.chars().count()),
                    Some(Cell::Number(_)) => Some(12),
                    _ => None,
                })
                .chain(std::iter::once(name.chars().count()))
                .max()
                .unwrap_or(8)
                .clamp(8, 60);
            ws.set_column_width(c as u16, width as f64 + 2.0)
                .map_err(err)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate().take(t.columns.len()) {
                let c = c as u16;
                match cell {
                    Cell::Number(x) if x.is_finite() => {
                        match t.columns[c as usize].kind {
                            Some(k) => ws.write_number_with_format(r, c, *x, &fmt(k)),
                            None => ws.write_number(r, c, *x),
                        }
                        .map_err(err)?;
                    }
                    Cell::Text(s) => {
                        ws.write_string(r, c, s).map_err(err)?;
                    }
                    _ => {}
                }
            }
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

/// Every table of the report as one workbook, a sheet per section.
pub fn tables_xlsx(doc: &ReportDocument) -> Result<Vec<u8>> {
    let tables: Vec<(String, Table)> = doc
        .sections
        .iter()
        .filter_map(|s| {
            s.table()
                .map(|t| (s.heading().unwrap_or("Table").to_string(), t))
        })
        .collect();
    tables_to_xlsx(&tables)
}
