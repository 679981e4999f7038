//! Delimited text (CSV, TSV, …) in two streamed passes. Pass 1 reads every
//! record once: it finds the tables in the file (split by blank lines and
//! `#` comment lines, with optional title lines), infers each table's
//! column types, gathers number-style evidence and hashes the bytes. Pass 2
//! re-reads the file and stores the chosen table's rows. Memory stays at a
//! buffer plus one chunk.

use super::encode::{utf8_cells, Chunk, RawBatch, Sink};
use super::infer::{self, Candidates, DayCache, NumStyle, StyleHint};
use super::plan::{self, Plan};
use super::sniff::{self, Dialect, TextEncoding};
use super::text::{BlankScanner, CountingReader, DecodeReader};
use super::ImportOptions;
use crate::column::CHUNK_ROWS;
use crate::error::{Error, Location, Result};
use crate::job::Job;
use crate::model::Progress;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Cells longer than this are refused (a runaway quote or a pasted blob).
pub const MAX_CELL_BYTES: usize = 1 << 20;
/// Records wider than this are refused.
pub const MAX_COLUMNS: usize = 10_000;
/// Cells looked at for number-style evidence.
const STYLE_SAMPLE_CELLS: u64 = 500_000;

/// One table found in a delimited file.
#[derive(Debug, Clone)]
pub struct TableScan {
    /// A title line above the header, or the last `#` comment before it.
    pub title: Option<String>,
    /// 1-based line of the header (or first row).
    pub line: u64,
    /// Record ordinal of the header candidate.
    pub first_record: u64,
    pub raw_header: Vec<String>,
    pub width: usize,
    /// Records after the header candidate.
    pub records: u64,
    pub cands: Vec<Candidates>,
    /// The last row read (for the totals check).
    pub last: csv::ByteRecord,
    pub last_line: u64,
    /// A row longer than the header, with non-empty extra cells.
    pub overlong: Option<(u64, usize, usize)>,
    pub bad_utf8: Option<(u64, usize)>,
    pub huge_cell: Option<(u64, usize, usize)>,
    // decided after the scan
    pub has_header: bool,
    pub rows: u64,
    pub totals: bool,
}

impl TableScan {
    fn new(first_record: u64, line: u64, title: Option<String>) -> Self {
        TableScan {
            title,
            line,
            first_record,
            raw_header: Vec::new(),
            width: 0,
            records: 0,
            cands: Vec::new(),
            last: csv::ByteRecord::new(),
            last_line: line,
            overlong: None,
            bad_utf8: None,
            huge_cell: None,
            has_header: true,
            rows: 0,
            totals: false,
        }
    }
    /// Record ordinals of the stored rows: [start, end).
    pub fn data_range(&self) -> (u64, u64) {
        let start = self.first_record + if self.has_header { 1 } else { 0 };
        (start, start + self.rows)
    }
}

/// What pass 1 learned about a file.
#[derive(Debug, Clone)]
pub struct Scan {
    pub encoding: TextEncoding,
    pub dialect: Dialect,
    pub tables: Vec<TableScan>,
    pub hash: String,
    pub bytes: u64,
    pub style: NumStyle,
    /// The text holds a quote character somewhere (else every record is
    /// one line, split at the delimiter).
    pub quoted: bool,
}

fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

type Stream = BlankScanner<Box<dyn Read + Send>>;

/// Opens the decoded, line-normalised stream of a file.
fn open_stream(path: &Path, enc: TextEncoding) -> Result<(Stream, Arc<AtomicU64>, u64)> {
    let file = File::open(path).map_err(|e| io_err(path, e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
    let mut counting =
        CountingReader::new(BufReader::with_capacity(room(1 << 20, size), file), false);
    let count = counting.count.clone();
    let mut bom = vec![0u8; enc.bom];
    counting.read_exact(&mut bom).map_err(|e| io_err(path, e))?;
    let decoded: Box<dyn Read + Send> = if enc.is_utf8() {
        Box::new(counting)
    } else {
        Box::new(DecodeReader::new(counting, enc.encoding))
    };
    Ok((BlankScanner::new(decoded), count, size))
}

/// A buffer's capacity for a file of `size` bytes: `cap`, or less for a
/// small file (a capacity is only a start: the buffers grow as needed).
/// Small files are most of what the app opens, and all of what the fuzz
/// targets read thousands of times a second.
pub(crate) fn room(cap: usize, size: u64) -> usize {
    usize::try_from(size.saturating_add(64)).map_or(cap, |s| s.min(cap))
}

/// The SHA-256 of a file's bytes, as lower-case hex (the content hash that
/// finds re-imports). Gives up early, with an empty string, once `stop`
/// is set.
pub fn hash_file(path: &Path, stop: &std::sync::atomic::AtomicBool) -> std::io::Result<String> {
    use sha2::Digest;
    let mut f = File::open(path)?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; room(1 << 20, size)];
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(String::new());
        }
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(&buf[..n]);
    }
    Ok(format!("{:x}", h.finalize()))
}

fn csv_reader<R: Read>(r: R, d: Dialect, size: u64) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(d.delimiter)
        .quote(d.quote)
        .buffer_capacity(room(1 << 20, size))
        .from_reader(r)
}

/// Tracks blank lines between records.
struct Lines {
    blanks: std::rc::Rc<std::cell::RefCell<std::collections::VecDeque<i64>>>,
}

impl Lines {
    /// (blank line(s) right before the record, how many) for a record
    /// starting at byte `start` of the normalised stream.
    fn before(&self, start: u64) -> (bool, u64) {
        let mut q = self.blanks.borrow_mut();
        let s = start as i64;
        while q.front().is_some_and(|&b| b < s - 1) {
            q.pop_front();
        }
        let mut n = 0u64;
        while q.front().is_some_and(|&b| b == s - 1 + n as i64) {
            q.pop_front();
            n += 1;
        }
        (n > 0, n)
    }
}

fn record_error(path: &Path, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
            Error::bad_input(Location::file(path), io.to_string())
        }
        csv::ErrorKind::Io(io) => io_err(path, io),
        other => Error::bad_input(Location::file(path), format!("{other:?}")),
    }
}

/// Pass 1: sniffs encoding and dialect from the head, then reads every
/// record once.
/// Data rows of one table on their way to the observing thread.
struct ObsBatch {
    table: usize,
    width: usize,
    raw: RawBatch,
    lines: Vec<u64>,
}

/// What the observing thread learned, per table.
#[derive(Default)]
pub(crate) struct Observed {
    pub cands: Vec<Vec<Candidates>>,
    pub bad_utf8: Vec<Option<(u64, usize)>>,
    /// Number-style evidence: (point, comma, cells looked at).
    pub hints: (u64, u64, u64),
    /// The last day read in each column (any table: only a cache).
    days: Vec<DayCache>,
}

impl Observed {
    /// Observes the rows of a batch (from row `skip` on) as data rows of
    /// table `table`, `width` cells wide; `lines` are the rows' line
    /// numbers (for the bad UTF-8 error; 0 when not given).
    pub fn take(&mut self, table: usize, width: usize, raw: &RawBatch, lines: &[u64], skip: usize) {
        if self.cands.len() <= table {
            self.cands.resize_with(table + 1, Vec::new);
            self.bad_utf8.resize(table + 1, None);
        }
        let cands = &mut self.cands[table];
        let bad = &mut self.bad_utf8[table];
        let hints = &mut self.hints;
        let all_utf8 = utf8_cells(&raw.bytes, &raw.ends);
        // columns no cell can change any more (see Candidates::settled)
        let settled: Vec<bool> = cands.iter().map(Candidates::settled).collect();
        for r in skip..raw.len() {
            let (lo, hi) = (raw.rows[r] as usize, raw.rows[r + 1] as usize);
            let n = (hi - lo).min(width.max(1));
            if cands.len() < n {
                cands.resize(n, Candidates::default());
            }
            if self.days.len() < n {
                self.days.resize(n, DayCache::default());
            }
            for (i, (cand, day)) in cands
                .iter_mut()
                .zip(self.days.iter_mut())
                .enumerate()
                .take(n)
            {
                if all_utf8 && hints.2 >= STYLE_SAMPLE_CELLS && settled.get(i) == Some(&true) {
                    continue;
                }
                let k = lo + i;
                let start = if k == 0 { 0 } else { raw.ends[k - 1] as usize };
                let f = &raw.bytes[start..raw.ends[k] as usize];
                let checked = if all_utf8 {
                    // SAFETY: `utf8_cells` checked every cell of the batch
                    Ok(unsafe { std::str::from_utf8_unchecked(f) })
                } else {
                    std::str::from_utf8(f)
                };
                let s = match checked {
                    Ok(s) => s,
                    Err(_) => {
                        if bad.is_none() {
                            *bad = Some((lines.get(r).copied().unwrap_or(0), i));
                        }
                        ""
                    }
                };
                if hints.2 < STYLE_SAMPLE_CELLS && !s.is_empty() {
                    hints.2 += 1;
                    match infer::style_hint(infer::trim(s)) {
                        StyleHint::Point => hints.0 += 1,
                        StyleHint::Comma => hints.1 += 1,
                        StyleHint::None => {}
                    }
                }
                cand.observe_with(s, day);
            }
        }
    }
}

const OBS_BATCH_ROWS: usize = 16_384;

/// Pass 1: sniffs encoding and dialect from the head, then reads every
/// record once. This thread parses records and finds the tables; a
/// second thread infers the cells' types.
pub fn scan(path: &Path, head: &[u8], total: u64, job: &mut Job) -> Result<Scan> {
    scan_from(path, head, total, job, None)
}

/// Files smaller than this are scanned on one thread.
const INLINE_BELOW: u64 = 256 << 10;

/// The encoding and dialect sniffed from the head of a file.
pub(crate) fn sniff_text(head: &[u8], total: u64) -> (TextEncoding, Dialect) {
    let encoding = sniff::sniff_encoding(head);
    let (head_text, _, _) = encoding
        .encoding
        .decode(&head[encoding.bom.min(head.len())..]);
    let dialect = sniff::sniff_dialect(&head_text, (head.len() as u64) < total);
    (encoding, dialect)
}

/// [`scan`] of the file, or (with `prefix`) of the first bytes of the
/// file held in memory, without hashing: the single pass decides from it.
pub(crate) fn scan_from(
    path: &Path,
    head: &[u8],
    total: u64,
    job: &mut Job,
    prefix: Option<&[u8]>,
) -> Result<Scan> {
    let (encoding, dialect) = sniff_text(head, total);
    let (stream, count) = match prefix {
        None => {
            let (stream, count, _) = open_stream(path, encoding)?;
            (stream, count)
        }
        Some(bytes) => {
            let counting = CountingReader::new(std::io::Cursor::new(bytes.to_vec()), false);
            let count = counting.count.clone();
            let mut counting = counting;
            let mut bom = vec![0u8; encoding.bom.min(bytes.len())];
            counting.read_exact(&mut bom).map_err(|e| io_err(path, e))?;
            let decoded: Box<dyn Read + Send> = if encoding.is_utf8() {
                Box::new(counting)
            } else {
                Box::new(DecodeReader::new(counting, encoding.encoding))
            };
            (BlankScanner::new(decoded), count)
        }
    };
    let lines = Lines {
        blanks: stream.blanks.clone(),
    };
    let mut rdr = csv_reader(stream, dialect, total);
    let stop = std::sync::atomic::AtomicBool::new(false);
    // the file's hash (none for a prefix held in memory)
    let hash = |stop: &std::sync::atomic::AtomicBool| match prefix {
        None => hash_file(path, stop),
        Some(_) => Ok(String::new()),
    };
    let (tables, observed, hash) = if total < INLINE_BELOW {
        // a small file: one thread does it all (two threads started for
        // a few kilobytes cost more than the work, 10x in the fuzz targets)
        let mut o = Observed::default();
        let mut observe = |b: ObsBatch| -> Result<()> {
            o.take(b.table, b.width, &b.raw, &b.lines, 0);
            Ok(())
        };
        let tables = read_tables(path, &mut rdr, &lines, &count, total, job, &mut observe)?;
        let hash = hash(&stop).map_err(|e| io_err(path, e))?;
        (tables, o, hash)
    } else {
        let (tx, rx) = std::sync::mpsc::sync_channel::<ObsBatch>(4);
        // three threads share the two cores: this one reads records and
        // finds the tables, one infers the cells' types, one hashes the
        // file's bytes
        std::thread::scope(|scope| -> Result<(Vec<TableScan>, Observed, String)> {
            let observer = scope.spawn(move || {
                let mut o = Observed::default();
                for b in rx.iter() {
                    o.take(b.table, b.width, &b.raw, &b.lines, 0);
                }
                o
            });
            let stop = &stop;
            let hasher = scope.spawn(move || hash(stop));
            // owns the sender: dropping it ends the observer's loop
            let mut send = move |b: ObsBatch| -> Result<()> {
                tx.send(b)
                    .map_err(|_| Error::Internal("the import's inference thread stopped".into()))
            };
            let read = read_tables(path, &mut rdr, &lines, &count, total, job, &mut send);
            drop(send);
            if read.is_err() {
                stop.store(true, Ordering::Relaxed);
            }
            let observed = observer
                .join()
                .map_err(|_| Error::Internal("the import's inference thread failed".into()))?;
            let hash = hasher
                .join()
                .map_err(|_| Error::Internal("the import's hashing thread failed".into()))?;
            let tables = read?;
            let hash = hash.map_err(|e| io_err(path, e))?;
            Ok((tables, observed, hash))
        })?
    };
    let quoted = rdr.get_ref().quotes > 0 || dialect.quote != b'"';
    drop(rdr);
    let mut tables = tables;
    for (i, t) in tables.iter_mut().enumerate() {
        if let Some(c) = observed.cands.get(i) {
            t.cands = c.clone();
        }
        t.bad_utf8 = observed.bad_utf8.get(i).copied().flatten();
    }
    let hints = observed.hints;
    let style = infer::decide_style(hints.0, hints.1, dialect.delimiter == b';');
    for t in tables.iter_mut() {
        finish_table(t, style);
    }
    Ok(Scan {
        encoding,
        dialect,
        tables,
        hash,
        bytes: count.load(Ordering::Relaxed),
        style,
        quoted,
    })
}

/// The record loop of pass 1: tables, titles, headers, checks; data rows
/// go to the observer in batches.
fn read_tables(
    path: &Path,
    rdr: &mut csv::Reader<Stream>,
    lines: &Lines,
    count: &AtomicU64,
    total: u64,
    job: &mut Job,
    observe: &mut dyn FnMut(ObsBatch) -> Result<()>,
) -> Result<Vec<TableScan>> {
    let mut rec = csv::ByteRecord::new();
    let mut tables: Vec<TableScan> = Vec::new();
    let mut open: Option<TableScan> = None;
    let mut pending_comment: Vec<String> = Vec::new();
    let mut ordinal: u64 = 0;
    let new_batch = |table: usize, width: usize| ObsBatch {
        table,
        width,
        raw: RawBatch::with_capacity(room(OBS_BATCH_ROWS, total), room(1 << 20, total)),
        lines: Vec::with_capacity(OBS_BATCH_ROWS),
    };
    let mut batch: Option<ObsBatch> = None;
    let mut send = |b: Option<ObsBatch>| -> Result<()> {
        match b {
            Some(b) if !b.raw.is_empty() => observe(b),
            _ => Ok(()),
        }
    };
    // closes the open table: its rows go first
    macro_rules! close {
        () => {
            if let Some(t) = open.take() {
                send(batch.take())?;
                tables.push(t);
            }
        };
    }
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(record_error(path, e)),
        }
        let (pos_byte, pos_line) = rec
            .position()
            .map(|p| (p.byte(), p.line()))
            .unwrap_or((0, 0));
        // the reader counts a skipped blank line only after the record
        // that follows it has started
        let (gap, skipped) = lines.before(pos_byte);
        let line = pos_line + skipped;
        let this = ordinal;
        ordinal += 1;
        if ordinal.is_multiple_of(65_536) {
            job.check()?;
            job.report(&Progress {
                stage: "reading".into(),
                bytes_done: count.load(Ordering::Relaxed),
                bytes_total: total,
                rows_done: 0,
            });
        }
        if rec.len() > MAX_COLUMNS {
            return Err(Error::bad_input(
                Location::file(path).row(line),
                format!(
                    "this line has {} fields; Stepwise reads up to {MAX_COLUMNS} columns",
                    rec.len()
                ),
            ));
        }
        if gap {
            close!();
        }
        let blank = rec
            .iter()
            .all(|f| f.iter().all(|b| b.is_ascii_whitespace()));
        if blank {
            close!();
            continue;
        }
        let first = rec.get(0).unwrap_or(b"");
        let is_comment = first.first() == Some(&b'#')
            && open.as_ref().is_none_or(|t| rec.len() < t.width.max(2));
        if is_comment {
            close!();
            let text = String::from_utf8_lossy(&rec.as_slice()[..rec.as_slice().len().min(500)]);
            let c = text.trim_start_matches('#').trim().to_string();
            if !c.is_empty() && !c.chars().all(|ch| ch == '-' || ch == '=' || ch == '*') {
                pending_comment.push(c);
            }
            continue;
        }
        let index = tables.len();
        let t = open.get_or_insert_with(|| {
            let title = (!pending_comment.is_empty()).then(|| {
                let mut t = pending_comment.join(" · ");
                t.truncate(t.floor_char_boundary(300));
                t
            });
            pending_comment.clear();
            TableScan::new(this, line, title)
        });
        // a one-cell line followed by a wider one is a title
        if t.records == 0 && t.raw_header.len() == 1 && rec.len() > 1 {
            t.title = t.raw_header.pop();
            t.first_record = this;
            t.line = line;
        }
        let header_row = t.first_record == this;
        for (i, f) in rec.iter().enumerate() {
            if f.len() > MAX_CELL_BYTES && t.huge_cell.is_none() {
                t.huge_cell = Some((line, i, f.len()));
            }
        }
        if header_row {
            t.raw_header = rec
                .iter()
                .map(|f| String::from_utf8_lossy(&f[..f.len().min(MAX_CELL_BYTES)]).into_owned())
                .collect();
            t.width = rec.len();
            t.last_line = line;
            continue;
        }
        t.records += 1;
        t.last_line = line;
        if rec.len() > t.width {
            let extra_nonempty = rec.iter().skip(t.width).position(|f| !f.is_empty());
            match extra_nonempty {
                Some(k) if t.overlong.is_none() => {
                    t.overlong = Some((line, t.width + k, rec.len()));
                }
                _ => {}
            }
        }
        let width = t.width;
        let b = batch.get_or_insert_with(|| new_batch(index, width));
        b.raw.push_row(rec.iter().take(width.max(1)));
        b.lines.push(line);
        if b.raw.len() >= OBS_BATCH_ROWS {
            send(batch.take())?;
        }
        // keep this row as the table's last, reusing buffers
        std::mem::swap(&mut t.last, &mut rec);
    }
    close!();
    Ok(tables)
}

/// Decides header or not, and drops a totals row at the end.
pub(crate) fn finish_table(t: &mut TableScan, style: NumStyle) {
    if t.cands.len() < t.width {
        t.cands.resize(t.width, Candidates::default());
    }
    let order = plan::default_order(style);
    let names = plan::header_names(&t.raw_header, t.width, true);
    let parsers: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            t.cands.get(i).cloned().unwrap_or_default().decide(
                style,
                order,
                infer::is_id_name(n),
                infer::is_time_name(n),
                false,
                infer::Zone::Fixed(0),
            )
        })
        .collect();
    // A first row with a cell that reads as its column's (non-text) type
    // is data, not a header.
    let looks_like_data = t.records > 0
        && t.raw_header.iter().enumerate().any(|(i, s)| {
            let s = infer::trim(s);
            !s.is_empty()
                && parsers
                    .get(i)
                    .is_some_and(|p| t.cands[i].accepts_typed(p, s))
        });
    t.has_header = !looks_like_data;
    if !t.has_header {
        if t.cands.len() < t.raw_header.len() {
            t.cands.resize(t.raw_header.len(), Candidates::default());
        }
        for (c, s) in t.cands.iter_mut().zip(&t.raw_header) {
            c.observe(s);
        }
    }
    t.rows = t.records + if t.has_header { 0 } else { 1 };
    // Totals: the last row, with an empty (or "Total") first cell, whose
    // numbers include one that is the sum of the rows above.
    if t.rows >= 3 && t.has_header {
        let last: Vec<&str> = t
            .last
            .iter()
            .map(|f| std::str::from_utf8(f).unwrap_or(""))
            .collect();
        let first = last.first().map(|s| infer::trim(s)).unwrap_or("");
        let labelled = is_total_label(first);
        if first.is_empty() || labelled {
            let sums_up = last.iter().enumerate().skip(1).any(|(i, s)| {
                let Some(c) = t.cands.get(i) else {
                    return false;
                };
                let Some(n) = infer::parse_number(infer::trim(s), style) else {
                    return false;
                };
                let sum = match style {
                    NumStyle::Point => c.sum_point,
                    NumStyle::Comma => c.sum_comma,
                } - n.value;
                n.value != 0.0 && (sum - n.value).abs() <= 1e-6 * n.value.abs().max(1.0) + 0.5
            });
            if sums_up || labelled {
                t.rows -= 1;
                t.totals = true;
            }
        }
    }
}

/// Labels of totals rows in the languages analysts use.
pub fn is_total_label(s: &str) -> bool {
    let l = s.trim().trim_end_matches(':').to_lowercase();
    matches!(
        l.as_str(),
        "total"
            | "totals"
            | "grand total"
            | "sum"
            | "totaal"
            | "gesamt"
            | "summe"
            | "totale"
            | "общий итог"
            | "итого"
            | "всего"
            | "total general"
            | "total geral"
            | "合计"
            | "总计"
    )
}

/// Picks the table to import: the one asked for, else the largest (most
/// cells: rows × columns; the first among equals).
pub fn choose_table(path: &Path, tables: &[TableScan], want: Option<usize>) -> Result<usize> {
    if tables.is_empty() {
        return Err(Error::bad_input(
            Location::file(path),
            "the file has no table: every line is empty or a # comment",
        ));
    }
    if let Some(i) = want {
        if i >= tables.len() {
            return Err(Error::Invalid(format!(
                "the file has {} table(s); choose one from 1 to {}",
                tables.len(),
                tables.len()
            )));
        }
        return Ok(i);
    }
    let cells = |t: &TableScan| t.rows * t.width as u64;
    let mut best = 0;
    for (i, t) in tables.iter().enumerate() {
        if cells(t) > cells(&tables[best]) {
            best = i;
        }
    }
    Ok(best)
}

/// The table as the analyst's `header` option has it: a forced header
/// row moves the data range by one, and a header row made data counts
/// as data.
pub fn with_header(t: &TableScan, header: Option<bool>) -> TableScan {
    let mut chosen = t.clone();
    if let Some(h) = header {
        if h != chosen.has_header {
            if h {
                chosen.rows = chosen.rows.saturating_sub(1);
            } else {
                chosen.rows += 1;
                for (c, s) in chosen.cands.iter_mut().zip(&chosen.raw_header) {
                    c.observe(s);
                }
            }
            chosen.has_header = h;
        }
    }
    chosen
}

/// Checks the chosen table and makes its plan.
pub fn plan_table(
    path: &Path,
    t: &TableScan,
    opts: &ImportOptions,
    tz: infer::Zone,
    style: NumStyle,
) -> Result<Plan> {
    if let Some((line, col, len)) = t.huge_cell {
        let name =
            plan::header_names(&t.raw_header, t.width.max(col + 1), t.has_header)[col].clone();
        return Err(Error::bad_input(
            Location::file(path).row(line).column(name),
            format!(
                "this cell holds {:.1} MB of text; Stepwise keeps cells up to 1 MB (is a quote left open?)",
                len as f64 / 1_048_576.0
            ),
        ));
    }
    if let Some((line, col)) = t.bad_utf8 {
        let name =
            plan::header_names(&t.raw_header, t.width.max(col + 1), t.has_header)[col].clone();
        return Err(Error::bad_input(
            Location::file(path).row(line).column(name),
            "this cell is not valid UTF-8 text; save the file as UTF-8 and import it again",
        ));
    }
    if let Some((line, col, len)) = t.overlong {
        return Err(Error::bad_input(
            Location::file(path)
                .row(line)
                .column(format!("column {}", col + 1)),
            format!(
                "this row has {len} fields but the header has {}; check the quoting on this line",
                t.width
            ),
        ));
    }
    if t.rows == 0 {
        return Err(Error::bad_input(
            Location::file(path).row(t.line),
            "the table has a header but no data rows",
        ));
    }
    let header_row = opts.header.unwrap_or(t.has_header);
    let names = plan::header_names(&t.raw_header, t.width, header_row);
    plan::make_plan(names, &t.cands, header_row, style, tz, opts)
}

/// What pass 2 needs.
pub struct Pass2 {
    pub path: PathBuf,
    pub encoding: TextEncoding,
    pub dialect: Dialect,
    pub range: (u64, u64),
    pub width: usize,
    /// Pass 1 saw a quote character (else records are split line by line,
    /// as the CSV reader would split them, only faster).
    pub quoted: bool,
}

/// Pass 2: re-reads the file and yields the chosen table's rows as
/// chunks of raw cells; the storing stage's workers parse them, so this
/// thread only reads and splits records.
pub fn produce(
    p: &Pass2,
    _parsers: &[super::infer::CellParser],
    order: &[usize],
    sink: &mut Sink<'_>,
) -> Result<()> {
    let (stream, count, size) = open_stream(&p.path, p.encoding)?;
    if !p.quoted {
        return produce_lines(p, stream, &count, size, order, sink);
    }
    let mut rdr = csv_reader(stream, p.dialect, size);
    let mut rec = csv::ByteRecord::new();
    let mut ordinal = 0u64;
    let (start, end) = p.range;
    let new_batch = || RawBatch::with_capacity(room(CHUNK_ROWS, size), room(8 << 20, size));
    let mut batch = new_batch();
    let identity = order.iter().enumerate().all(|(i, &j)| i == j);
    while ordinal < end {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(record_error(&p.path, e)),
        }
        let this = ordinal;
        ordinal += 1;
        if this < start {
            continue;
        }
        if identity && rec.len() >= order.len() {
            batch.push_row(rec.iter().take(order.len()));
        } else {
            batch.push_row(order.iter().map(|&i| rec.get(i).unwrap_or(b"")));
        }
        if batch.len() >= CHUNK_ROWS {
            let full = std::mem::replace(&mut batch, new_batch());
            sink(Chunk {
                columns: Vec::new(),
                raw: Some(Arc::new(full)),
                bytes_done: count.load(Ordering::Relaxed),
            })?;
        }
    }
    if ordinal < end {
        return Err(changed(&p.path));
    }
    if !batch.is_empty() {
        sink(Chunk {
            columns: Vec::new(),
            raw: Some(Arc::new(batch)),
            bytes_done: count.load(Ordering::Relaxed),
        })?;
    }
    Ok(())
}

/// Pass 2 for text without a quote character: a record is a non-empty
/// line and its cells are split at the delimiter, exactly as the CSV
/// reader splits such text, but a block at a time with memchr.
fn produce_lines(
    p: &Pass2,
    mut stream: Stream,
    count: &AtomicU64,
    size: u64,
    order: &[usize],
    sink: &mut Sink<'_>,
) -> Result<()> {
    let (start, end) = p.range;
    let delim = p.dialect.delimiter;
    let identity = order.iter().enumerate().all(|(i, &j)| i == j);
    let new_batch = || RawBatch::with_capacity(room(CHUNK_ROWS, size), room(8 << 20, size));
    let mut batch = new_batch();
    let mut ordinal = 0u64;
    let mut buf: Vec<u8> = vec![0; room(4 << 20, size)];
    // bytes [0, filled) hold text; [0, done) is consumed
    let mut filled = 0usize;
    let mut eof = false;
    let mut cells: Vec<(usize, usize)> = Vec::with_capacity(order.len() + 1);
    while ordinal < end {
        if !eof {
            if filled == buf.len() {
                // a line longer than the buffer (cells are capped at 1 MB
                // by pass 1, but lines may be long): grow
                buf.resize(buf.len() * 2, 0);
            }
            let n = loop {
                match stream.read(&mut buf[filled..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(record_error(&p.path, csv::Error::from(e))),
                }
            };
            if n == 0 {
                eof = true;
            }
            filled += n;
        }
        let text = &buf[..filled];
        let Some(limit) = complete_lines(text, eof) else {
            continue;
        };
        let mut pos = 0usize;
        while pos < limit && ordinal < end {
            let line_end = memchr::memchr(b'\n', &text[pos..limit])
                .map(|i| pos + i)
                .unwrap_or(limit);
            let line = &text[pos..line_end];
            pos = line_end + 1;
            if line.is_empty() {
                continue;
            }
            let this = ordinal;
            ordinal += 1;
            if this < start {
                continue;
            }
            cells.clear();
            let mut a = 0;
            for i in memchr::memchr_iter(delim, line) {
                cells.push((a, i));
                a = i + 1;
            }
            cells.push((a, line.len()));
            if identity && cells.len() >= order.len() {
                batch.push_row(cells.iter().take(order.len()).map(|&(a, b)| &line[a..b]));
            } else {
                batch.push_row(
                    order
                        .iter()
                        .map(|&i| cells.get(i).map(|&(a, b)| &line[a..b]).unwrap_or(b"")),
                );
            }
            if batch.len() >= CHUNK_ROWS {
                let full = std::mem::replace(&mut batch, new_batch());
                sink(Chunk {
                    columns: Vec::new(),
                    raw: Some(Arc::new(full)),
                    bytes_done: count.load(Ordering::Relaxed),
                })?;
            }
        }
        let consumed = pos.min(filled);
        buf.copy_within(consumed..filled, 0);
        filled -= consumed;
        if eof && (filled == 0 || consumed == 0) {
            break;
        }
    }
    if ordinal < end {
        return Err(changed(&p.path));
    }
    if !batch.is_empty() {
        sink(Chunk {
            columns: Vec::new(),
            raw: Some(Arc::new(batch)),
            bytes_done: count.load(Ordering::Relaxed),
        })?;
    }
    Ok(())
}

fn changed(path: &Path) -> Error {
    Error::bad_input(
        Location::file(path),
        "the file changed while it was being imported; import it again",
    )
}

/// How much of a read buffer to split now: its complete lines, or all of it
/// at the end of the file; None when not one line is complete yet.
#[inline]
pub(crate) fn complete_lines(text: &[u8], eof: bool) -> Option<usize> {
    if eof {
        Some(text.len())
    } else {
        memchr::memrchr(b'\n', text).map(|i| i + 1)
    }
}
