//! The optimistic single pass over delimited text. The dialect, the
//! table, the header and the column types are decided from the first
//! bytes of the file (the prefix, read into memory and scanned as pass 1
//! scans a whole file); then one streaming read hashes the bytes, splits
//! the rows and stores them, while an observing thread infers the types
//! of every cell as pass 1 would. At the end the whole file's decision is
//! made from what was observed and compared with the prefix's: equal, the
//! import commits; different (or the read met structure the fast reader
//! does not handle: a quote, a blank line, a row of another width, …) the
//! transaction is rolled back and the two-pass import runs. So the result
//! is the two-pass import's, byte for byte.

use super::delimited::{self, Observed, TableScan};
use super::encode::{self, Chunk, RawBatch};
use super::infer;
use super::{ImportOptions, ImportReport, Prepared, Source};
use crate::column::CHUNK_ROWS;
use crate::error::{Error, Location, Result};
use crate::job::Job;
use crate::store::Workspace;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Bytes read ahead to decide the import.
pub const PREFIX_BYTES: usize = 8 << 20;

/// The reader met something only the two-pass import reads right.
const FALLBACK: &str = "single pass: structure the prefix did not show";

/// What the streaming read found, besides the rows it stored.
struct ReadOut {
    /// Data rows after the header line (what pass 1 counts as records).
    records: u64,
    last: csv::ByteRecord,
    last_line: u64,
    hash: String,
    bytes: u64,
}

/// What the single pass needs to read the file.
struct Reader<'a> {
    path: &'a Path,
    prefix: &'a [u8],
    bom: usize,
    delim: u8,
    /// 1-based line of the header (or first row).
    header_line: u64,
    raw_header: &'a [String],
    width: usize,
    /// The header line is stored as data.
    header_is_data: bool,
    /// The file's size when the import started.
    total: u64,
}

fn changed(path: &Path) -> Error {
    Error::bad_input(
        Location::file(path),
        "the file changed while it was being imported; import it again",
    )
}

fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Tries the single pass. `Ok(None)`: not possible or not equal to the
/// two-pass result; nothing was stored and the caller runs the two-pass
/// import.
pub(crate) fn try_import(
    ws: &mut Workspace,
    path: &Path,
    name: &str,
    opts: &ImportOptions,
    job: &mut Job,
    (head, total): (&[u8], u64),
    prefix_bytes: usize,
) -> Result<Option<ImportReport>> {
    let (encoding, dialect) = delimited::sniff_text(head, total);
    if !encoding.is_utf8() || dialect.quote != b'"' || opts.table.is_some_and(|t| t != 0) {
        return Ok(None);
    }
    let tz = super::zone_of(opts)?;
    // the prefix, cut after its last line end (unless it is the whole file)
    let mut file = File::open(path).map_err(|e| io_err(path, e))?;
    let mut prefix = Vec::with_capacity(prefix_bytes.min(total as usize) + 1);
    (&mut file)
        .take(prefix_bytes as u64)
        .read_to_end(&mut prefix)
        .map_err(|e| io_err(path, e))?;
    let whole = (prefix.len() as u64) >= total;
    let cut = if whole {
        prefix.len()
    } else {
        match memchr::memrchr(b'\n', &prefix) {
            Some(i) => i + 1,
            None => return Ok(None),
        }
    };
    let scan = match delimited::scan_from(path, head, total, job, Some(&prefix[..cut])) {
        Ok(s) => s,
        Err(Error::Cancelled) => return Err(Error::Cancelled),
        // the two passes read the whole file and say what is wrong
        Err(_) => return Ok(None),
    };
    if scan.quoted || scan.tables.len() != 1 || scan.encoding != encoding {
        return Ok(None);
    }
    let t0 = &scan.tables[0];
    if t0.width < 2 || t0.huge_cell.is_some() || t0.overlong.is_some() || t0.bad_utf8.is_some() {
        return Ok(None);
    }
    let chosen = delimited::with_header(t0, opts.header);
    let Ok(plan) = delimited::plan_table(path, &chosen, opts, tz, scan.style) else {
        return Ok(None);
    };
    let header_row = chosen.has_header;
    let source = path.to_string_lossy().into_owned();
    let mut writer = ws.create_dataset(name, plan.kind, &plan.columns, Some(&source), None)?;
    let reader = Reader {
        path,
        prefix: &prefix,
        bom: encoding.bom,
        delim: dialect.delimiter,
        header_line: t0.line,
        raw_header: &t0.raw_header,
        width: t0.width,
        header_is_data: !header_row,
        total,
    };
    let fell_back = AtomicBool::new(false);
    let width = t0.width;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Arc<RawBatch>>(4);
    let stored = std::thread::scope(|scope| {
        let observer = scope.spawn(move || {
            let mut o = Observed::default();
            let mut first = true;
            for b in rx.iter() {
                // the header line stored as data is observed after the
                // scan, as pass 1 does
                let skip = usize::from(first && !header_row);
                first = false;
                o.take(0, width, &b, &[], skip);
            }
            o
        });
        let mut out = None;
        let rows = encode::store_chunks(&mut writer, job, total, &plan.parsers, |sink| {
            let r = read(&reader, file, tx, sink);
            if let Err(e) = &r {
                if matches!(e, Error::Internal(m) if m == FALLBACK) {
                    fell_back.store(true, Ordering::Relaxed);
                }
            }
            out = Some(r?);
            Ok(())
        });
        let observed = observer
            .join()
            .map_err(|_| Error::Internal("the import's inference thread failed".into()));
        (rows, out, observed)
    });
    let (rows, out, observed) = stored;
    if fell_back.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let rows = rows?;
    let observed = observed?;
    let Some(out) = out else {
        return Err(Error::Internal("the import's reader thread failed".into()));
    };
    if out.bytes != total {
        return Err(changed(path));
    }
    // the whole file's decision, as pass 1 would make it
    let mut t = TableScan {
        records: out.records,
        last: out.last,
        last_line: out.last_line,
        cands: observed.cands.into_iter().next().unwrap_or_default(),
        bad_utf8: observed.bad_utf8.into_iter().next().flatten(),
        ..pristine(t0)
    };
    let (point, comma, _) = observed.hints;
    let style = infer::decide_style(point, comma, dialect.delimiter == b';');
    delimited::finish_table(&mut t, style);
    if style != scan.style || t.has_header != t0.has_header || t.totals || t.bad_utf8.is_some() {
        return Ok(None);
    }
    let chosen_all = delimited::with_header(&t, opts.header);
    match delimited::plan_table(path, &chosen_all, opts, tz, style) {
        Ok(p) if p == plan && chosen_all.rows == rows => {}
        _ => return Ok(None),
    }
    if !opts.allow_duplicate {
        if let Some(dataset) = writer.others_with_content(&out.hash)?.into_iter().next() {
            return Err(Error::Duplicate {
                dataset,
                path: path.to_path_buf(),
            });
        }
    }
    writer.set_content_hash(&out.hash)?;
    let mut notes = Vec::new();
    if !chosen_all.has_header {
        notes.push("the file has no header row; columns are named column_1, column_2, …".into());
    }
    let prepared = Prepared {
        order: (0..plan.columns.len()).collect(),
        source: Source::Delimited(delimited::Pass2 {
            path: path.to_path_buf(),
            encoding,
            dialect,
            range: chosen_all.data_range(),
            width: plan.columns.len(),
            quoted: false,
        }),
        plan,
        hash: out.hash,
        bytes_total: out.bytes,
        format: "delimited",
        encoding: Some(encoding.name().to_string()),
        delimiter: Some(match dialect.delimiter {
            b'\t' => "tab".to_string(),
            d => (d as char).to_string(),
        }),
        sheet: None,
        table: 0,
        tables: 1,
        skipped_rows: 0,
        style,
        notes,
    };
    let tz_name = tz.name();
    super::commit_new(writer, job, &prepared, &tz_name, &source, rows)?;
    super::after_commit(ws, name, job, prepared.bytes_total, rows);
    let info = ws.dataset(name)?.info;
    Ok(Some(super::report(prepared, info, tz_name, rows)))
}

/// Where the line after a line ending at `end` (a `\n`, or a `\r`
/// before one) starts.
#[inline]
fn line_end_next(text: &[u8], end: usize) -> usize {
    if text[end] == b'\r' {
        end + 2
    } else {
        end + 1
    }
}

/// The table as first seen, before the scan's decisions.
fn pristine(t: &TableScan) -> TableScan {
    let mut p = t.clone();
    p.records = 0;
    p.cands = Vec::new();
    p.last = csv::ByteRecord::new();
    p.overlong = None;
    p.bad_utf8 = None;
    p.huge_cell = None;
    p.has_header = true;
    p.rows = 0;
    p.totals = false;
    p
}

/// The streaming read: hashes every byte, counts lines, checks that each
/// row after the header is a plain row of the table (no quote, no lone CR,
/// not blank, exactly `width` cells, no huge cell), and hands batches of
/// rows to the encoders and to the observer.
fn read(
    r: &Reader<'_>,
    mut file: File,
    obs: std::sync::mpsc::SyncSender<Arc<RawBatch>>,
    sink: &mut encode::Sink<'_>,
) -> Result<ReadOut> {
    let fallback = || Error::Internal(FALLBACK.into());
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    let size = file.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
    let mut buf: Vec<u8> = vec![0; super::delimited::room(4 << 20, size)];
    let mut filled = 0usize;
    let mut eof = false;
    let mut from_prefix = 0usize;
    let mut skip_bom = r.bom;
    let mut line_no = 0u64;
    let mut records = 0u64;
    let mut last_line = 0u64;
    let mut last_sent: Option<Arc<RawBatch>> = None;
    let mut cells: Vec<(usize, usize)> = Vec::with_capacity(r.width + 1);
    let new_batch = || {
        RawBatch::with_capacity(
            super::delimited::room(CHUNK_ROWS, size),
            super::delimited::room(8 << 20, size),
        )
    };
    let mut batch = new_batch();
    let mut send = |batch: RawBatch, bytes: u64| -> Result<()> {
        let b = Arc::new(batch);
        last_sent = Some(b.clone());
        obs.send(b.clone())
            .map_err(|_| Error::Internal("the import's inference thread stopped".into()))?;
        sink(Chunk {
            columns: Vec::new(),
            raw: Some(b),
            bytes_done: bytes,
        })
    };
    let delim = r.delim;
    loop {
        if !eof {
            if filled == buf.len() {
                if buf.len() >= 64 << 20 {
                    // a line this long holds a huge cell: pass 1 refuses it
                    return Err(fallback());
                }
                buf.resize(buf.len() * 2, 0);
            }
            let n = if from_prefix < r.prefix.len() {
                let n = (r.prefix.len() - from_prefix).min(buf.len() - filled);
                buf[filled..filled + n].copy_from_slice(&r.prefix[from_prefix..from_prefix + n]);
                from_prefix += n;
                n
            } else {
                loop {
                    match file.read(&mut buf[filled..]) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(io_err(r.path, e)),
                    }
                }
            };
            if n == 0 {
                eof = true;
                if bytes != r.total {
                    return Err(changed(r.path));
                }
            }
            hasher.update(&buf[filled..filled + n]);
            bytes += n as u64;
            let fresh = &buf[filled..filled + n];
            if memchr::memchr(b'"', fresh).is_some() {
                return Err(fallback());
            }
            filled += n;
            if skip_bom > 0 {
                let k = skip_bom.min(filled);
                buf.copy_within(k..filled, 0);
                filled -= k;
                skip_bom -= k;
                continue;
            }
        }
        let text = &buf[..filled];
        let Some(limit) = delimited::complete_lines(text, eof) else {
            continue;
        };
        let has_cr = memchr::memchr(b'\r', &text[..limit]).is_some();
        // one pass over the block finds cell and line ends alike
        let mut pos = 0usize;
        let mut a = 0usize;
        cells.clear();
        let mut hits = memchr::memchr2_iter(delim, b'\n', &text[..limit]);
        loop {
            let (mut line_end, at_end) = loop {
                match hits.next() {
                    Some(i) if text[i] == delim => {
                        cells.push((a, i));
                        a = i + 1;
                    }
                    Some(i) => break (i, false),
                    None => break (limit, true),
                }
            };
            if at_end && pos >= limit {
                break;
            }
            'line: {
                line_no += 1;
                if has_cr {
                    if line_end > pos && text[line_end - 1] == b'\r' {
                        line_end -= 1;
                    }
                    if memchr::memchr(b'\r', &text[pos..line_end]).is_some() {
                        return Err(fallback());
                    }
                }
                let line = &text[pos..line_end];
                if line_no < r.header_line {
                    break 'line;
                }
                if line_no == r.header_line {
                    // the same header the prefix scan saw, or the line
                    // count went astray
                    let mut same = 0usize;
                    for (i, c) in line.split(|&b| b == delim).enumerate() {
                        if r.raw_header.get(i).map(|h| h.as_bytes()) != Some(c) {
                            return Err(fallback());
                        }
                        same += 1;
                    }
                    if same != r.raw_header.len() {
                        return Err(fallback());
                    }
                    if !r.header_is_data {
                        break 'line;
                    }
                } else {
                    records += 1;
                    last_line = line_no;
                }
                if line.len() > delimited::MAX_CELL_BYTES {
                    return Err(fallback());
                }
                if line
                    .first()
                    .is_none_or(|&b| b == delim || b.is_ascii_whitespace())
                    && line.iter().all(|&b| b == delim || b.is_ascii_whitespace())
                {
                    // a blank row ends the table
                    return Err(fallback());
                }
                cells.push((a, line_end));
                if cells.len() != r.width {
                    return Err(fallback());
                }
                batch.push_row(cells.iter().map(|&(a, b)| &text[a..b]));
                if batch.len() >= CHUNK_ROWS {
                    send(std::mem::replace(&mut batch, new_batch()), bytes)?;
                }
            }
            cells.clear();
            pos = if at_end {
                limit
            } else {
                line_end_next(text, line_end)
            };
            a = pos;
            if at_end {
                break;
            }
        }
        let pos = pos.min(limit);
        buf.copy_within(pos..filled, 0);
        filled -= pos;
        if eof && filled == 0 {
            break;
        }
    }
    if !batch.is_empty() {
        send(batch, bytes)?;
    }
    let mut rec = csv::ByteRecord::new();
    if let Some(b) = last_sent.filter(|_| records > 0) {
        let r = b.len() - 1;
        for k in b.rows[r] as usize..b.rows[r + 1] as usize {
            let start = if k == 0 { 0 } else { b.ends[k - 1] as usize };
            rec.push_field(&b.bytes[start..b.ends[k] as usize]);
        }
    }
    Ok(ReadOut {
        records,
        last: rec,
        last_line,
        hash: format!("{:x}", hasher.finalize()),
        bytes,
    })
}
