//! Rows of text cells to typed column chunks, and the loop that stores
//! them: a producer thread parses while the calling thread encodes and
//! writes, so two cores share the work.

use super::infer::{self, CellParser, Parsed};
use crate::column::{Column, Values, CHUNK_ROWS};
use crate::error::{Error, Result};
use crate::job::Job;
use crate::model::{ColumnType, Progress};
use crate::store::DatasetWriter;
use std::hash::Hasher;

/// A small fast hash for interning short strings (FxHash).
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            h = (h.rotate_left(5) ^ u64::from_le_bytes(c.try_into().unwrap())).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ b as u64).wrapping_mul(K);
        }
        self.0 = h;
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

#[inline]
fn fx_hash(s: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    // spread the high bits into the low ones used for the slot
    let x = h.finish();
    x ^ (x >> 29)
}

/// Byte equality without a library call for the short strings cells
/// mostly are.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |x: &[u8], i: usize| u64::from_le_bytes(x[i..i + 8].try_into().unwrap());
    match n {
        0..=7 => a.iter().zip(b).all(|(x, y)| x == y),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

/// Interns strings: an open-addressing table of (hash, code) over one
/// byte arena, so looking a string up touches little memory and a new
/// string costs no allocation until the chunk is taken.
#[derive(Default)]
struct Interner {
    /// (high hash bits, code + 1); 0 code = empty slot.
    slots: Vec<(u32, u32)>,
    arena: Vec<u8>,
    /// End of each string in `arena`.
    ends: Vec<u32>,
}

impl Interner {
    #[inline]
    fn get(&self, code: usize) -> &[u8] {
        let start = if code == 0 {
            0
        } else {
            self.ends[code - 1] as usize
        };
        &self.arena[start..self.ends[code] as usize]
    }
    #[inline]
    fn intern(&mut self, s: &str) -> u32 {
        if (self.ends.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let h = fx_hash(s);
        let tag = (h >> 32) as u32;
        let mut i = h as usize & mask;
        loop {
            let (t, v) = self.slots[i];
            if v == 0 {
                self.arena.extend_from_slice(s.as_bytes());
                self.ends.push(self.arena.len() as u32);
                let code = self.ends.len() as u32;
                self.slots[i] = (tag, code);
                return code - 1;
            }
            if t == tag && same_bytes(self.get((v - 1) as usize), s.as_bytes()) {
                return v - 1;
            }
            i = (i + 1) & mask;
        }
    }
    fn grow(&mut self) {
        let n = (self.slots.len() * 2).max(1024);
        self.slots = vec![(0, 0); n];
        let mask = n - 1;
        for k in 0..self.ends.len() {
            let s = std::str::from_utf8(self.get(k)).unwrap_or("");
            let h = fx_hash(s);
            let mut i = h as usize & mask;
            while self.slots[i].1 != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = ((h >> 32) as u32, k as u32 + 1);
        }
    }
    fn take(&mut self) -> Vec<String> {
        let dict = (0..self.ends.len())
            .map(|k| String::from_utf8_lossy(self.get(k)).into_owned())
            .collect();
        self.slots.iter_mut().for_each(|s| *s = (0, 0));
        self.arena.clear();
        self.ends.clear();
        dict
    }
}

enum Build {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Bool(Vec<bool>),
    Text { interner: Interner, codes: Vec<u32> },
}

/// One column being built.
struct ColBuild {
    parser: CellParser,
    vals: Build,
    valid: Vec<bool>,
    nulls: usize,
    /// The last date read by the ISO timestamp fast path.
    days: infer::DayCache,
}

impl ColBuild {
    fn new(parser: CellParser) -> Self {
        let vals = match parser.ty {
            ColumnType::Text => Build::Text {
                interner: Interner::default(),
                codes: Vec::with_capacity(CHUNK_ROWS),
            },
            ColumnType::Decimal => Build::Float(Vec::with_capacity(CHUNK_ROWS)),
            ColumnType::Boolean => Build::Bool(Vec::with_capacity(CHUNK_ROWS)),
            _ => Build::Int(Vec::with_capacity(CHUNK_ROWS)),
        };
        ColBuild {
            parser,
            vals,
            valid: Vec::with_capacity(CHUNK_ROWS),
            nulls: 0,
            days: infer::DayCache::default(),
        }
    }

    #[inline]
    fn push(&mut self, s: &str) {
        if let (ColumnType::Timestamp, None, Build::Int(v)) =
            (self.parser.ty, self.parser.epoch, &mut self.vals)
        {
            // ISO timestamps, most of them on the day of the row before
            if let Some((local, zone)) = infer::iso_timestamp_cached(s.as_bytes(), &mut self.days) {
                let utc = match zone {
                    Some(off) => Some(local - off as i64 * 1_000_000),
                    None => self.parser.zone.local_to_utc(local),
                };
                if let Some(x) = utc {
                    v.push(x);
                    self.valid.push(true);
                    return;
                }
            }
        }
        let parsed = self.parser.parse(s);
        let ok = match parsed {
            Parsed::Null => false,
            Parsed::Text => self.parser.ty == ColumnType::Text,
            _ => true,
        };
        match (&mut self.vals, parsed) {
            (Build::Int(v), Parsed::Int(x)) => v.push(x),
            (Build::Float(v), Parsed::Float(x)) => v.push(x),
            (Build::Bool(v), Parsed::Bool(x)) => v.push(x),
            (Build::Text { interner, codes }, Parsed::Text) => codes.push(interner.intern(s)),
            (Build::Int(v), _) => v.push(0),
            (Build::Float(v), _) => v.push(0.0),
            (Build::Bool(v), _) => v.push(false),
            (Build::Text { codes, .. }, _) => codes.push(u32::MAX),
        }
        self.valid.push(ok);
        if !ok {
            self.nulls += 1;
        }
    }

    fn take(&mut self) -> Column {
        let valid = std::mem::replace(&mut self.valid, Vec::with_capacity(CHUNK_ROWS));
        let has_nulls = self.nulls > 0;
        self.nulls = 0;
        let values = match &mut self.vals {
            Build::Int(v) => Values::Int(std::mem::replace(v, Vec::with_capacity(CHUNK_ROWS))),
            Build::Float(v) => Values::Float(std::mem::replace(v, Vec::with_capacity(CHUNK_ROWS))),
            Build::Bool(v) => Values::Bool(std::mem::replace(v, Vec::with_capacity(CHUNK_ROWS))),
            Build::Text { interner, codes } => {
                let mut dict = interner.take();
                let mut codes = std::mem::replace(codes, Vec::with_capacity(CHUNK_ROWS));
                if has_nulls {
                    // nulls point at an empty entry, as ColumnBuilder does
                    let empty = dict.len() as u32;
                    let mut used = false;
                    for c in codes.iter_mut() {
                        if *c == u32::MAX {
                            *c = empty;
                            used = true;
                        }
                    }
                    if used {
                        dict.push(String::new());
                    }
                }
                Values::Text { dict, codes }
            }
        };
        Column {
            ty: self.parser.ty,
            values,
            valid: has_nulls.then_some(valid),
        }
    }
}

/// Turns rows of text cells into column chunks.
pub struct RowEncoder {
    cols: Vec<ColBuild>,
    rows: usize,
}

impl RowEncoder {
    pub fn new(parsers: &[CellParser]) -> Self {
        RowEncoder {
            cols: parsers.iter().map(|p| ColBuild::new(*p)).collect(),
            rows: 0,
        }
    }
    /// Adds a row; missing cells are null, extra cells are ignored.
    #[inline]
    pub fn push_row<'a>(&mut self, mut fields: impl Iterator<Item = &'a str>) {
        for c in self.cols.iter_mut() {
            c.push(fields.next().unwrap_or(""));
        }
        self.rows += 1;
    }
    pub fn rows(&self) -> usize {
        self.rows
    }
    pub fn is_full(&self) -> bool {
        self.rows >= CHUNK_ROWS
    }
    pub fn take(&mut self) -> Vec<Column> {
        self.rows = 0;
        self.cols.iter_mut().map(|c| c.take()).collect()
    }
}

/// A chunk of rows ready to store, with how far the reading got.
pub struct Chunk {
    pub columns: Vec<Column>,
    /// Rows still as raw cells, for the storing thread to parse.
    pub raw: Option<std::sync::Arc<RawBatch>>,
    pub bytes_done: u64,
}

/// Raw rows of cells (bytes and end offsets), handed from the reading
/// thread to the storing thread, which parses them: so reading and
/// parsing run on the two cores at once.
#[derive(Default)]
pub struct RawBatch {
    pub bytes: Vec<u8>,
    /// End offset of each cell in `bytes`.
    pub ends: Vec<u32>,
    /// Index in `ends` where each row starts; one more entry at the end.
    pub rows: Vec<u32>,
}

impl RawBatch {
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        let mut b = RawBatch {
            bytes: Vec::with_capacity(bytes),
            ends: Vec::with_capacity(rows * 8),
            rows: Vec::with_capacity(rows + 1),
        };
        b.rows.push(0);
        b
    }
    #[inline]
    pub fn push_row<'a>(&mut self, cells: impl Iterator<Item = &'a [u8]>) {
        for c in cells {
            self.bytes.extend_from_slice(c);
            self.ends.push(self.bytes.len() as u32);
        }
        self.rows.push(self.ends.len() as u32);
    }
    pub fn len(&self) -> usize {
        self.rows.len() - 1
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Parses every row into the encoder (a row's cells in column order),
    /// one column at a time so each column's interner stays in cache.
    pub(crate) fn encode_all(&self, enc: &mut RowEncoder) {
        let all = utf8_cells(&self.bytes, &self.ends);
        let n = self.len();
        for (c, col) in enc.cols.iter_mut().enumerate() {
            for r in 0..n {
                let (a, b) = (self.rows[r] as usize, self.rows[r + 1] as usize);
                let k = a + c;
                let cell = if k < b {
                    let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
                    let cell = &self.bytes[start..self.ends[k] as usize];
                    if all {
                        // SAFETY: `utf8_cells` checked every cell is UTF-8
                        unsafe { std::str::from_utf8_unchecked(cell) }
                    } else {
                        std::str::from_utf8(cell).unwrap_or("")
                    }
                } else {
                    ""
                };
                col.push(cell);
            }
        }
        enc.rows += n;
    }
}

/// Whether every cell of a batch (cells back to back in `bytes`, ending
/// at `ends`) is valid UTF-8, checked in one pass over the bytes: the whole
/// is valid and no cell boundary falls inside a character.
pub fn utf8_cells(bytes: &[u8], ends: &[u32]) -> bool {
    if bytes.is_ascii() {
        return true;
    }
    std::str::from_utf8(bytes).is_ok()
        && ends
            .iter()
            .all(|&e| bytes.get(e as usize).is_none_or(|&b| (b as i8) >= -0x40))
}

/// A producer's way to hand chunks over; it fails once the consumer has
/// stopped (error or cancel), which ends the producer.
pub type Sink<'s> = dyn FnMut(Chunk) -> Result<()> + 's;

/// How many threads parse and encode chunks while the reader reads and
/// the calling thread writes. The operating system shares the cores
/// between the stages, so no stage has to be tuned to the others.
fn encode_workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 4)
}

/// Turns a chunk into its stored blobs: raw cells are parsed first (with
/// the parsers of the columns not parsed yet).
fn encode_chunk(
    mut chunk: Chunk,
    parsers: &[CellParser],
    encoder: &mut Option<RowEncoder>,
) -> (usize, Vec<Vec<u8>>, u64) {
    if let Some(raw) = chunk.raw.take() {
        let done = chunk.columns.len();
        let rest = parsers.get(done..).unwrap_or(&[]);
        let enc = match encoder {
            Some(e) if e.cols.len() == rest.len() => e,
            _ => encoder.insert(RowEncoder::new(rest)),
        };
        raw.encode_all(enc);
        chunk.columns.extend(enc.take());
    }
    let rows = chunk.columns.first().map(|c| c.len()).unwrap_or(0);
    let blobs = chunk.columns.iter().map(|c| c.encode()).collect();
    (rows, blobs, chunk.bytes_done)
}

/// Runs `produce` on a reading thread, parses and encodes its chunks on
/// worker threads and stores them, in order, on this one. Returns the rows
/// written. Any error, or a cancel, stops every thread; the caller then
/// drops the writer, which rolls everything back.
pub fn store_chunks<F>(
    writer: &mut DatasetWriter<'_>,
    job: &mut Job,
    bytes_total: u64,
    parsers: &[CellParser],
    produce: F,
) -> Result<u64>
where
    F: FnOnce(&mut Sink<'_>) -> Result<()> + Send,
{
    type Encoded = (usize, Vec<Vec<u8>>, u64);
    let start_rows = writer.rows();
    // at most a few chunks wait at each stage
    let (tx, rx) = std::sync::mpsc::sync_channel::<(u64, Chunk)>(2);
    let rx = std::sync::Mutex::new(Some(rx));
    let rx = &rx;
    std::thread::scope(|scope| {
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Result<(u64, Encoded)>>(4);
        let producer = {
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                let mut seq = 0u64;
                let mut send = move |c: Chunk| -> Result<()> {
                    tx.send((seq, c)).map_err(|_| Error::Cancelled)?;
                    seq += 1;
                    Ok(())
                };
                if let Err(e) = produce(&mut send) {
                    let _ = done_tx.send(Err(e));
                }
            })
        };
        let workers: Vec<_> = (0..encode_workers())
            .map(|_| {
                let done_tx = done_tx.clone();
                scope.spawn(move || {
                    let mut encoder = None;
                    loop {
                        let next = match rx.lock().as_deref() {
                            Ok(Some(r)) => r.recv(),
                            _ => return,
                        };
                        let Ok((seq, chunk)) = next else { return };
                        let out = encode_chunk(chunk, parsers, &mut encoder);
                        if done_tx.send(Ok((seq, out))).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        drop(done_tx);
        let result = (|| -> Result<u64> {
            job.check()?;
            let mut next = 0u64;
            let mut waiting = std::collections::BTreeMap::new();
            for msg in done_rx.iter() {
                let (seq, enc) = msg?;
                job.check()?;
                waiting.insert(seq, enc);
                while let Some((rows, blobs, bytes_done)) = waiting.remove(&next) {
                    next += 1;
                    writer.write_encoded_chunk(rows, &blobs)?;
                    job.report(&Progress {
                        stage: "storing".into(),
                        bytes_done,
                        bytes_total,
                        rows_done: writer.rows() - start_rows,
                    });
                }
            }
            if !waiting.is_empty() {
                return Err(Error::Internal(
                    "the import's encoding threads stopped early".into(),
                ));
            }
            job.check()?;
            Ok(writer.rows() - start_rows)
        })();
        // unblock and end every stage: workers see no more results taken,
        // the reader sees no more chunks taken
        drop(done_rx);
        if let Ok(mut r) = rx.lock() {
            r.take();
        }
        let mut failed = producer.join().is_err();
        for w in workers {
            failed |= w.join().is_err();
        }
        if failed && result.is_ok() {
            return Err(Error::Internal("the import's reader thread failed".into()));
        }
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::column::Cell;

    #[test]
    fn interner_gives_one_code_per_string_across_growth() {
        let mut i = Interner::default();
        for round in 0..2 {
            let codes: Vec<u32> = (0..5000)
                .map(|k| i.intern(&format!("u{}", k % 3000)))
                .collect();
            assert_eq!(codes[0], codes[3000]);
            assert_ne!(codes[0], codes[1]);
            let dict = i.take();
            assert_eq!(dict.len(), 3000, "round {round}");
            assert_eq!(dict[codes[42] as usize], "u42");
        }
        assert_eq!(i.intern(""), 0);
        assert_eq!(i.intern(""), 0);
    }

    #[test]
    fn rows_become_typed_columns_with_nulls() {
        let mut p = CellParser::text();
        let text = p;
        p.ty = ColumnType::Integer;
        let int = p;
        let mut enc = RowEncoder::new(&[text, int]);
        enc.push_row(["a", "1"].into_iter());
        enc.push_row(["", "x"].into_iter());
        enc.push_row(["a"].into_iter());
        enc.push_row([" b ", "2,000"].into_iter());
        let cols = enc.take();
        let cells = |c: &Column| (0..c.len()).map(|i| c.cell(i)).collect::<Vec<_>>();
        assert_eq!(
            cells(&cols[0]),
            vec![
                Cell::Text("a".into()),
                Cell::Null,
                Cell::Text("a".into()),
                Cell::Text(" b ".into())
            ]
        );
        assert_eq!(
            cells(&cols[1]),
            vec![Cell::Int(1), Cell::Null, Cell::Null, Cell::Int(2000)]
        );
        // round trip through the stored encoding
        assert_eq!(Column::decode(&cols[0].encode()).unwrap(), cols[0]);
        assert_eq!(enc.rows(), 0);
    }
}
