//! Workbooks (XLSX, XLSB, XLS, ODS) through calamine. Before calamine sees
//! a zip, its entries are checked (zip bombs, truncation); an OLE file
//! holding an `EncryptedPackage` is a password-protected workbook. In the
//! chosen sheet the table is found below any title rows; merged or empty
//! header cells are named; totals and subtotal rows are left out; date
//! cells (by their number format) become ISO text the inference reads.

use super::infer::{self, Candidates, StyleHint};
use super::plan;
use super::sniff::Format;
use super::{ImportOptions, Prepared, Source, TableInfo};
use crate::error::{Error, Location, Result};
use crate::job::Job;
use calamine::{Data, Dimensions, Range, Reader, Sheets};
use std::io::{BufReader, Read};
use std::path::Path;

/// Uncompressed bytes a workbook may expand to.
pub const MAX_UNCOMPRESSED: u64 = 2 << 30;
/// Compression ratio above which a large entry is a zip bomb.
pub const MAX_RATIO: u64 = 200;

fn bad(path: &Path, msg: impl Into<String>) -> Error {
    Error::bad_input(Location::file(path), msg)
}

/// Checks a zip workbook's directory before anything is unpacked.
pub fn check_zip(path: &Path) -> Result<()> {
    let f = std::fs::File::open(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let mut zip = zip::ZipArchive::new(BufReader::new(f)).map_err(|_| {
        bad(
            path,
            "the workbook is damaged or cut short (its zip directory cannot be read); save it again from the spreadsheet program",
        )
    })?;
    let mut total = 0u64;
    let mut is_workbook = false;
    for i in 0..zip.len() {
        let e = zip.by_index_raw(i).map_err(|_| {
            bad(
                path,
                "the workbook is damaged: an entry of its zip cannot be read",
            )
        })?;
        let name = e.name().map(|n| n.to_string()).unwrap_or_default();
        let size = e.size();
        let packed = e.compressed_size().max(1);
        total = total.saturating_add(size);
        if size > (16 << 20) && size / packed > MAX_RATIO {
            return Err(bad(
                path,
                format!(
                    "the workbook's part \"{}\" would expand {}x to {} MB: refused as a zip bomb",
                    name,
                    size / packed,
                    size >> 20
                ),
            ));
        }
        let n = name.as_str();
        if n == "xl/workbook.xml" || n == "xl/workbook.bin" || n == "content.xml" {
            is_workbook = true;
        }
        if e.encrypted() {
            return Err(bad(
                path,
                "the workbook is password-protected; save it without a password and import it again",
            ));
        }
    }
    if total > MAX_UNCOMPRESSED {
        return Err(bad(
            path,
            format!(
                "the workbook would expand to {} MB; Stepwise reads workbooks up to {} MB (export the sheet as CSV instead)",
                total >> 20,
                MAX_UNCOMPRESSED >> 20
            ),
        ));
    }
    if !is_workbook {
        return Err(bad(
            path,
            "this is a zip archive but not a workbook (no XLSX, XLSB or ODS parts); unpack it first",
        ));
    }
    Ok(())
}

/// An OLE file with an `EncryptedPackage` stream is an encrypted OOXML
/// workbook.
fn check_ole(path: &Path) -> Result<()> {
    let f = std::fs::File::open(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let mut buf = Vec::new();
    f.take(64 << 20)
        .read_to_end(&mut buf)
        .map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
    let needle: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    if memchr::memmem::find(&buf, &needle).is_some() {
        return Err(bad(
            path,
            "the workbook is password-protected (encrypted); save it without a password and import it again",
        ));
    }
    Ok(())
}

type Book = Sheets<BufReader<std::fs::File>>;

fn open(path: &Path, format: Format) -> Result<Book> {
    match format {
        Format::ZipWorkbook => check_zip(path)?,
        Format::OleWorkbook => check_ole(path)?,
        _ => {}
    }
    let p = path.to_path_buf();
    let r = std::panic::catch_unwind(move || -> std::io::Result<Book> {
        let f = || -> std::io::Result<BufReader<std::fs::File>> {
            Ok(BufReader::new(std::fs::File::open(&p)?))
        };
        let fail = |e: String| std::io::Error::other(e);
        if format == Format::OleWorkbook {
            return calamine::open_workbook_from_rs::<calamine::Xls<_>, _>(f()?)
                .map(Sheets::Xls)
                .map_err(|e| fail(e.to_string()));
        }
        let xlsx_err = match calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(f()?) {
            Ok(x) => return Ok(Sheets::Xlsx(x)),
            Err(e) => e.to_string(),
        };
        if let Ok(x) = calamine::open_workbook_from_rs::<calamine::Xlsb<_>, _>(f()?) {
            return Ok(Sheets::Xlsb(x));
        }
        if let Ok(x) = calamine::open_workbook_from_rs::<calamine::Ods<_>, _>(f()?) {
            return Ok(Sheets::Ods(x));
        }
        Err(fail(xlsx_err))
    });
    match r {
        Ok(Ok(book)) => Ok(book),
        Ok(Err(e)) => Err(bad(
            path,
            format!("the workbook cannot be read ({e}); it may be damaged, cut short or password-protected"),
        )),
        Err(_) => Err(bad(path, "the workbook cannot be read: it is damaged")),
    }
}

fn read_range(path: &Path, book: &mut Book, name: &str) -> Result<(Range<Data>, Vec<Dimensions>)> {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let range = book.worksheet_range(name).map_err(|e| e.to_string())?;
        let merged = match book {
            Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
            _ => Vec::new(),
        };
        Ok::<_, String>((range, merged))
    }));
    match r {
        Ok(Ok(x)) => Ok(x),
        Ok(Err(e)) => Err(bad(
            path,
            format!("sheet \"{name}\" cannot be read ({e}); the workbook may be damaged"),
        )),
        Err(_) => Err(bad(
            path,
            format!("sheet \"{name}\" cannot be read: the workbook is damaged"),
        )),
    }
}

pub fn list_sheets(path: &Path, format: Format) -> Result<Vec<String>> {
    Ok(open(path, format)?.sheet_names())
}

/// A cell as text the inference reads: numbers in their shortest form,
/// dates and times as ISO 8601, durations as `H:MM:SS`.
pub fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.is_finite() {
                let s = format!("{f}");
                if s == "-0" {
                    "0".into()
                } else {
                    s
                }
            } else {
                String::new()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let v = dt.as_f64();
            if dt.is_duration() {
                let ms = (v * 86_400_000.0).round() as i64;
                let s = ms / 1000;
                return format!("{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60);
            }
            let (y, m, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            if v.fract() == 0.0 {
                format!("{y:04}-{m:02}-{d:02}")
            } else if ms == 0 {
                format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}.{ms:03}")
            }
        }
        Data::DateTimeIso(s) => s
            .replace('T', " ")
            .trim_end_matches(" 00:00:00")
            .to_string(),
        Data::DurationIso(s) => s.clone(),
    }
}

/// A table found in a sheet.
#[derive(Debug, Clone)]
pub struct SheetTable {
    pub header: Vec<String>,
    pub has_header: bool,
    /// 1-based sheet row of the header.
    pub header_row: u64,
    pub rows: Vec<Vec<String>>,
    pub skipped: u64,
}

fn is_numeric(s: &str) -> bool {
    let t = infer::trim(s);
    !t.is_empty() && infer::parse_number(t, infer::NumStyle::Point).is_some()
}

/// Finds the table in a grid of cell texts: the header is the first row
/// with two or more cells, most of them not numbers, that has a row with
/// two or more cells below it; its columns run right from its first cell
/// until an empty header cell whose column is mostly empty below (merged
/// header cells and well-filled unnamed columns are kept); rows run down
/// to the first empty row. Totals rows (an empty or "Total" first cell at
/// the end) and subtotal rows (an empty first cell and numbers that are
/// the sums of the rows above) are left out.
pub fn find_table(grid: &[Vec<String>], merged: &[(usize, usize, usize)]) -> Option<SheetTable> {
    let filled = |r: &Vec<String>| r.iter().filter(|c| !infer::trim(c).is_empty()).count();
    let n = grid.len();
    let mut header_at = None;
    for r in 0..n.min(200) {
        let row = &grid[r];
        let f = filled(row);
        if f < 2 {
            continue;
        }
        let numeric = row.iter().filter(|c| is_numeric(c)).count();
        let next_ok = grid.get(r + 1).is_some_and(|x| filled(x) >= 2);
        if next_ok && numeric * 2 < f {
            header_at = Some((r, true));
            break;
        }
        if next_ok && header_at.is_none() {
            // a table with no header: numbers from the first row on
            header_at = Some((r, false));
            break;
        }
    }
    let (h, has_header) = header_at.or_else(|| {
        // a single row, or a single column: take the first filled row
        (0..n)
            .find(|&r| filled(&grid[r]) >= 1)
            .map(|r| (r, filled(&grid[r]) >= 2 && n > r + 1))
    })?;
    let hdr = &grid[h];
    let first_col = hdr.iter().position(|c| !infer::trim(c).is_empty())?;
    // data rows: down to the first row empty across the header's span
    let width_guess = hdr.len();
    let mut end = h + 1;
    while end < n
        && grid[end]
            .iter()
            .take(width_guess)
            .any(|c| !infer::trim(c).is_empty())
    {
        end += 1;
    }
    let body = &grid[h + 1..end];
    let mut last_col = first_col;
    let mut c = first_col;
    while c < hdr.len() {
        let named = !infer::trim(&hdr[c]).is_empty();
        let in_merge = merged
            .iter()
            .any(|&(mr, c0, c1)| mr == h && c > c0 && c <= c1);
        let filled_below = body
            .iter()
            .filter(|r| r.get(c).is_some_and(|x| !infer::trim(x).is_empty()))
            .count();
        if named
            || in_merge
            || (!body.is_empty() && filled_below * 10 >= body.len() * 9 && has_header)
        {
            last_col = c;
            c += 1;
        } else {
            break;
        }
    }
    let span = first_col..=last_col;
    let mut header: Vec<String> = hdr[span.clone()].to_vec();
    for (i, name) in header.iter_mut().enumerate() {
        if infer::trim(name).is_empty() {
            let col = first_col + i;
            if let Some(&(_, c0, _)) = merged
                .iter()
                .find(|&&(mr, c0, c1)| mr == h && col > c0 && col <= c1)
            {
                *name = format!("{}_{}", infer::trim(&hdr[c0]), col - c0 + 1);
            }
        }
    }
    // rows: stop at the first row empty across the table's columns
    let mut rows: Vec<Vec<String>> = Vec::new();
    let start = if has_header { h + 1 } else { h };
    for r in &grid[start..] {
        let cells: Vec<String> = span
            .clone()
            .map(|c| r.get(c).cloned().unwrap_or_default())
            .collect();
        if cells.iter().all(|c| infer::trim(c).is_empty()) {
            break;
        }
        rows.push(cells);
    }
    let mut skipped = 0u64;
    if has_header {
        skipped = drop_totals(&mut rows);
    }
    Some(SheetTable {
        header,
        has_header,
        header_row: h as u64 + 1,
        rows,
        skipped,
    })
}

/// Removes subtotal and totals rows; returns how many.
fn drop_totals(rows: &mut Vec<Vec<String>>) -> u64 {
    let width = rows.first().map(|r| r.len()).unwrap_or(0);
    let mut sums = vec![0f64; width];
    let mut keep = Vec::with_capacity(rows.len());
    let n = rows.len();
    let mut dropped = 0;
    for (i, r) in rows.drain(..).enumerate() {
        let first = infer::trim(&r[0]).to_string();
        let nums: Vec<Option<f64>> = r
            .iter()
            .map(|c| infer::parse_number(infer::trim(c), infer::NumStyle::Point).map(|n| n.value))
            .collect();
        let any_num = nums.iter().skip(1).any(|x| x.is_some());
        let labelled = super::delimited::is_total_label(&first);
        let sums_up = nums.iter().enumerate().skip(1).any(|(j, x)| {
            x.is_some_and(|v| v != 0.0 && (sums[j] - v).abs() <= 1e-6 * v.abs().max(1.0) + 1e-9)
        });
        let last = i + 1 == n;
        let total = any_num && (labelled || (first.is_empty() && (sums_up || (last && n >= 3))));
        if total && i > 0 {
            dropped += 1;
            if !last {
                sums.iter_mut().for_each(|s| *s = 0.0);
            }
            continue;
        }
        for (j, x) in nums.iter().enumerate() {
            if let Some(v) = x {
                sums[j] += v;
            }
        }
        keep.push(r);
    }
    *rows = keep;
    dropped
}

fn grid_of(range: &Range<Data>) -> (Vec<Vec<String>>, (u32, u32)) {
    let start = range.start().unwrap_or((0, 0));
    let grid = range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect();
    (grid, start)
}

fn merged_rel(merged: &[Dimensions], start: (u32, u32)) -> Vec<(usize, usize, usize)> {
    merged
        .iter()
        .filter(|d| d.start.0 >= start.0 && d.start.1 >= start.1)
        .map(|d| {
            (
                (d.start.0 - start.0) as usize,
                (d.start.1 - start.1) as usize,
                (d.end.1 - start.1) as usize,
            )
        })
        .collect()
}

fn sheet_table(path: &Path, book: &mut Book, name: &str) -> Result<Option<SheetTable>> {
    let (range, merged) = read_range(path, book, name)?;
    let (grid, start) = grid_of(&range);
    let merged = merged_rel(&merged, start);
    Ok(find_table(&grid, &merged).map(|mut t| {
        t.header_row += start.0 as u64;
        t
    }))
}

pub fn list_tables(path: &Path, format: Format, _opts: &ImportOptions) -> Result<Vec<TableInfo>> {
    let mut book = open(path, format)?;
    let mut out = Vec::new();
    for (i, name) in book.sheet_names().into_iter().enumerate() {
        let t = sheet_table(path, &mut book, &name)?;
        out.push(TableInfo {
            index: i,
            title: Some(name),
            columns: t
                .as_ref()
                .map(|t| plan::header_names(&t.header, t.header.len(), t.has_header))
                .unwrap_or_default(),
            rows: t.as_ref().map(|t| t.rows.len() as u64).unwrap_or(0),
            line: t.as_ref().map(|t| t.header_row).unwrap_or(0),
        });
    }
    Ok(out)
}

fn file_hash(path: &Path) -> Result<String> {
    use sha2::Digest;
    let mut f = std::fs::File::open(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let mut h = sha2::Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    Ok(format!("{:x}", h.finalize()))
}

pub(crate) fn prepare(
    path: &Path,
    format: Format,
    opts: &ImportOptions,
    tz: super::infer::Zone,
    total: u64,
    job: &mut Job,
) -> Result<Prepared> {
    let mut book = open(path, format)?;
    let names = book.sheet_names();
    if names.is_empty() {
        return Err(bad(path, "the workbook has no sheets"));
    }
    let kind = match &book {
        Sheets::Xls(_) => "xls",
        Sheets::Xlsx(_) => "xlsx",
        Sheets::Xlsb(_) => "xlsb",
        Sheets::Ods(_) => "ods",
    };
    let (index, table) = if let Some(want) = opts.sheet.as_ref() {
        let i = names.iter().position(|n| n == want).ok_or_else(|| {
            Error::Invalid(format!(
                "the workbook has no sheet \"{want}\"; its sheets are: {}",
                names.join(", ")
            ))
        })?;
        (i, sheet_table(path, &mut book, want)?)
    } else if let Some(i) = opts.table {
        let name = names.get(i).ok_or_else(|| {
            Error::Invalid(format!(
                "the workbook has {} sheet(s); choose one from 1 to {}",
                names.len(),
                names.len()
            ))
        })?;
        (i, sheet_table(path, &mut book, &name.clone())?)
    } else {
        let mut best: Option<(usize, SheetTable)> = None;
        for (i, name) in names.iter().enumerate() {
            job.check()?;
            if let Some(t) = sheet_table(path, &mut book, name)? {
                let cells = |t: &SheetTable| (t.rows.len() * t.header.len(), t.has_header as usize);
                let better = best.as_ref().is_none_or(|(_, b)| cells(&t) > cells(b));
                if better {
                    best = Some((i, t));
                }
            }
        }
        match best {
            Some((i, t)) => (i, Some(t)),
            None => (0, None),
        }
    };
    let sheet = names[index].clone();
    let t = table.ok_or_else(|| {
        Error::bad_input(
            Location::file(path).column(format!("sheet {sheet}")),
            format!("sheet \"{sheet}\" has no table (it is empty or holds only single cells)"),
        )
    })?;
    if t.rows.is_empty() {
        return Err(Error::bad_input(
            Location::file(path).row(t.header_row),
            format!("sheet \"{sheet}\" has a header but no data rows"),
        ));
    }
    let width = t.header.len();
    let mut cands = vec![Candidates::default(); width];
    let (mut point, mut comma) = (0u64, 0u64);
    for r in &t.rows {
        for (c, s) in cands.iter_mut().zip(r) {
            c.observe(s);
            match infer::style_hint(infer::trim(s)) {
                StyleHint::Point => point += 1,
                StyleHint::Comma => comma += 1,
                StyleHint::None => {}
            }
        }
    }
    let style = infer::decide_style(point, comma, false);
    let has_header = opts.header.unwrap_or(t.has_header);
    let names_ = plan::header_names(&t.header, width, has_header);
    let plan = plan::make_plan(names_, &cands, has_header, style, tz, opts)?;
    let mut notes = vec![if names.len() == 1 {
        format!("read sheet \"{sheet}\", the workbook's only sheet")
    } else {
        format!(
            "read sheet \"{sheet}\" of {} ({}); import another with the sheet picker (CLI: --sheet)",
            names.len(),
            names.join(", ")
        )
    }];
    if t.skipped > 0 {
        notes.push(format!("{} totals or subtotal row(s) left out", t.skipped));
    }
    Ok(Prepared {
        order: (0..width).collect(),
        plan,
        hash: file_hash(path)?,
        bytes_total: total,
        source: Source::Memory(t.rows),
        format: kind,
        encoding: None,
        delimiter: None,
        sheet: Some(sheet),
        table: index,
        tables: names.len(),
        skipped_rows: t.skipped,
        style,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn header_below_title_rows() {
        let grid = g(&[
            &["", "", "Sold", ""],
            &["id", "price", "date", ""],
            &["1", "3.5", "2023-09-05", ""],
            &["2", "4", "2023-09-06", ""],
        ]);
        let t = find_table(&grid, &[]).unwrap();
        assert_eq!(t.header, vec!["id", "price", "date"]);
        assert_eq!(t.header_row, 2);
        assert_eq!(t.rows.len(), 2);
    }

    #[test]
    fn totals_and_subtotals_are_left_out() {
        let grid = g(&[
            &["Date", "Views", "Clicks"],
            &["Mon", "10", "1"],
            &["Tue", "20", "2"],
            &["", "30", "3"],
            &["Wed", "5", "1"],
            &["Totals", "35", "4"],
            &["", "", ""],
            &["note", "x", ""],
        ]);
        let t = find_table(&grid, &[]).unwrap();
        let firsts: Vec<&str> = t.rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(firsts, vec!["Mon", "Tue", "Wed"]);
        assert_eq!(t.skipped, 2);
    }

    #[test]
    fn merged_and_empty_header_cells_are_named_and_side_tables_kept_out() {
        let mut rows = vec![vec![
            "Country".to_string(),
            "Users".into(),
            "".into(),
            "".into(),
            "".into(),
        ]];
        for i in 0..20 {
            let pivot = if i < 3 { "Row Labels" } else { "" };
            rows.push(vec![
                format!("c{i}"),
                format!("{i}"),
                format!("{}", i * 2),
                "".into(),
                pivot.into(),
            ]);
        }
        let t = find_table(&rows, &[(0, 1, 2)]).unwrap();
        assert_eq!(t.header, vec!["Country", "Users", "Users_2"]);
        assert_eq!(t.rows[0].len(), 3);
    }

    #[test]
    fn cells_become_text_the_inference_reads() {
        assert_eq!(cell_text(&Data::Float(7723.0)), "7723");
        assert_eq!(cell_text(&Data::Float(0.1530612245)), "0.1530612245");
        assert_eq!(cell_text(&Data::Int(-3)), "-3");
        assert_eq!(cell_text(&Data::Bool(true)), "true");
        assert_eq!(cell_text(&Data::Empty), "");
        let d = calamine::ExcelDateTime::new(44743.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(d)), "2022-07-01");
        let d = calamine::ExcelDateTime::new(
            40513.3513888889,
            calamine::ExcelDateTimeType::DateTime,
            false,
        );
        assert_eq!(cell_text(&Data::DateTime(d)), "2010-12-01 08:26:00");
        assert_eq!(
            cell_text(&Data::DateTimeIso("2023-09-05".into())),
            "2023-09-05"
        );
    }
}
