//! Delimited text (CSV) import. Two streamed passes over the file: the
//! first infers each column's type (and hashes the content), the second
//! parses and stores the values chunk by chunk. Memory stays at one chunk.

use super::infer::{self, Candidates};
use super::{roles, ImportOptions};
use crate::column::{ColumnBuilder, CHUNK_ROWS};
use crate::error::{Error, Location, Result};
use crate::job::Job;
use crate::model::{ColumnInfo, ColumnType, DatasetInfo, Progress};
use crate::store::Workspace;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}
impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn csv_error(path: &Path, e: ::csv::Error, header: &[String]) -> Error {
    let loc = Location::file(path);
    match e.kind() {
        ::csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => {
            let row = pos.as_ref().map(|p| p.line()).unwrap_or(0);
            let mut loc = loc.row(row);
            if let Some(col) = header.get(*len as usize) {
                loc = loc.column(col.clone());
            }
            Error::bad_input(
                loc,
                format!("this row has {len} fields but the header has {expected_len}"),
            )
        }
        ::csv::ErrorKind::Utf8 { pos, err } => {
            let row = pos.as_ref().map(|p| p.line()).unwrap_or(0);
            let mut loc = loc.row(row);
            if let Some(col) = header.get(err.field()) {
                loc = loc.column(col.clone());
            }
            Error::bad_input(loc, "this cell is not valid UTF-8 text")
        }
        ::csv::ErrorKind::Io(_) => {
            if let ::csv::ErrorKind::Io(io) = e.into_kind() {
                Error::Io {
                    path: path.to_path_buf(),
                    source: io,
                }
            } else {
                unreachable!()
            }
        }
        _ => Error::bad_input(loc, e.to_string()),
    }
}

fn reader<R: Read>(r: R) -> ::csv::Reader<R> {
    ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .buffer_capacity(1 << 20)
        .from_reader(r)
}

pub fn import_csv(
    ws: &mut Workspace,
    path: &Path,
    name: &str,
    opts: &ImportOptions,
    job: &mut Job,
) -> Result<DatasetInfo> {
    let total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if total == 0 {
        return Err(Error::bad_input(
            Location::file(path),
            "the file is empty; export the report again with its data",
        ));
    }

    // Pass 1: header, types, content hash.
    let mut rdr = reader(HashingReader {
        inner: BufReader::with_capacity(1 << 20, open(path)?),
        hasher: Sha256::new(),
    });
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| csv_error(path, e, &[]))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    check_header(path, &header)?;
    let mut cands = vec![Candidates::default(); header.len()];
    let mut record = ::csv::StringRecord::new();
    let mut rows = 0u64;
    loop {
        match rdr.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(path, e, &header)),
        }
        for (c, field) in cands.iter_mut().zip(record.iter()) {
            c.observe(field);
        }
        rows += 1;
        if rows.is_multiple_of(65_536) {
            job.check()?;
            job.report(&Progress {
                stage: "reading".into(),
                bytes_done: rdr.position().byte() / 2,
                bytes_total: total,
                rows_done: 0,
            });
        }
    }
    if rows == 0 {
        return Err(Error::bad_input(
            Location::file(path),
            "the file has a header but no data rows",
        ));
    }
    let hash = format!("{:x}", rdr.into_inner().hasher.finalize());

    let mut columns: Vec<ColumnInfo> = header
        .iter()
        .zip(&cands)
        .map(|(n, c)| ColumnInfo {
            name: n.clone(),
            ty: c.decide(),
            role: None,
        })
        .collect();
    let kind = roles::assign_roles(&mut columns, &opts.map);

    // Pass 2: parse and store.
    let source = path.to_string_lossy().into_owned();
    let mut writer = ws.create_dataset(name, kind, &columns, Some(&source), Some(&hash))?;
    let mut builders: Vec<ColumnBuilder> =
        columns.iter().map(|c| ColumnBuilder::new(c.ty)).collect();
    let mut rdr = reader(BufReader::with_capacity(1 << 20, open(path)?));
    let mut done = 0u64;
    loop {
        match rdr.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(path, e, &header)),
        }
        for ((b, col), field) in builders.iter_mut().zip(&columns).zip(record.iter()) {
            push_value(b, col.ty, field);
        }
        done += 1;
        if builders[0].len() == CHUNK_ROWS {
            job.check()?;
            let chunk: Vec<_> = builders.iter_mut().map(|b| b.take()).collect();
            writer.write_chunk(&chunk)?;
            job.report(&Progress {
                stage: "storing".into(),
                bytes_done: total / 2 + rdr.position().byte() / 2,
                bytes_total: total,
                rows_done: done,
            });
        }
    }
    if done != rows {
        return Err(Error::bad_input(
            Location::file(path),
            "the file changed while it was being imported; try again",
        ));
    }
    let chunk: Vec<_> = builders.iter_mut().map(|b| b.take()).collect();
    writer.write_chunk(&chunk)?;
    job.check()?;
    writer.finish()?;
    job.report(&Progress {
        stage: "done".into(),
        bytes_done: total,
        bytes_total: total,
        rows_done: done,
    });
    Ok(ws.dataset(name)?.info)
}

fn check_header(path: &Path, header: &[String]) -> Result<()> {
    if header.iter().all(|h| h.is_empty()) {
        return Err(Error::bad_input(
            Location::file(path).row(1),
            "the first line should name the columns, but it is empty",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for h in header {
        if !h.is_empty() && !seen.insert(h.as_str()) {
            return Err(Error::bad_input(
                Location::file(path).row(1).column(h.clone()),
                "two columns have this name; rename one in the header",
            ));
        }
    }
    Ok(())
}

fn push_value(b: &mut ColumnBuilder, ty: ColumnType, field: &str) {
    let s = field.trim();
    if s.is_empty() {
        b.push_null();
        return;
    }
    match ty {
        ColumnType::Text => b.push_text(field),
        ColumnType::Integer => match infer::parse_int(s) {
            Some(x) => b.push_int(x),
            None => b.push_null(),
        },
        ColumnType::Decimal => match infer::parse_decimal(s) {
            Some(x) => b.push_float(x),
            None => b.push_null(),
        },
        ColumnType::Boolean => match infer::parse_bool(s) {
            Some(x) => b.push_bool(x),
            None => b.push_null(),
        },
        ColumnType::Date => match infer::parse_date(s) {
            Some(x) => b.push_int(x),
            None => b.push_null(),
        },
        ColumnType::Timestamp => match infer::parse_timestamp(s) {
            Some(x) => b.push_int(x),
            None => b.push_null(),
        },
        ColumnType::Duration => b.push_null(),
    }
}
