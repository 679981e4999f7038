//! Rows of text cells to typed column chunks, and the loop that stores
//! them: a producer thread parses while the calling thread encodes and
//! writes, so two cores share the work.

use super::infer::{CellParser, Parsed};
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

/// Interns strings: an open-addressing table of indexes into the
/// dictionary, so a new string costs one allocation and a known one none.
#[derive(Default)]
struct Interner {
    slots: Vec<u32>,
    dict: Vec<String>,
}

impl Interner {
    #[inline]
    fn intern(&mut self, s: &str) -> u32 {
        if (self.dict.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = fx_hash(s) as usize & mask;
        loop {
            let v = self.slots[i];
            if v == 0 {
                self.dict.push(s.to_owned());
                let code = self.dict.len() as u32;
                self.slots[i] = code;
                return code - 1;
            }
            if self.dict[(v - 1) as usize] == s {
                return v - 1;
            }
            i = (i + 1) & mask;
        }
    }
    fn grow(&mut self) {
        let n = (self.slots.len() * 2).max(1024);
        self.slots = vec![0; n];
        let mask = n - 1;
        for (k, s) in self.dict.iter().enumerate() {
            let mut i = fx_hash(s) as usize & mask;
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = k as u32 + 1;
        }
    }
    fn take(&mut self) -> Vec<String> {
        self.slots.iter_mut().for_each(|s| *s = 0);
        std::mem::take(&mut self.dict)
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
        }
    }

    #[inline]
    fn push(&mut self, s: &str) {
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
    pub raw: Option<RawBatch>,
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
    /// Parses every row into the encoder, cells in `order`.
    fn encode_into(&self, enc: &mut RowEncoder, order: &[usize]) {
        fn text(b: &[u8]) -> &str {
            std::str::from_utf8(b).unwrap_or("")
        }
        let identity = order.iter().enumerate().all(|(i, &j)| i == j);
        for r in 0..self.len() {
            let (a, b) = (self.rows[r] as usize, self.rows[r + 1] as usize);
            let cell = |k: usize| -> &[u8] {
                let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
                &self.bytes[start..self.ends[k] as usize]
            };
            if identity {
                enc.push_row((a..b).map(|k| text(cell(k))));
            } else {
                enc.push_row(
                    order
                        .iter()
                        .map(|&i| if a + i < b { text(cell(a + i)) } else { "" }),
                );
            }
        }
    }
}

/// A producer's way to hand chunks over; it fails once the consumer has
/// stopped (error or cancel), which ends the producer.
pub type Sink<'s> = dyn FnMut(Chunk) -> Result<()> + 's;

/// Runs `produce` on a second thread and stores what it yields on this
/// one. Returns the rows written. Any error, or a cancel, stops both; the
/// caller then drops the writer, which rolls everything back.
pub fn store_chunks<F>(
    writer: &mut DatasetWriter<'_>,
    job: &mut Job,
    bytes_total: u64,
    parsers: &[CellParser],
    order: &[usize],
    produce: F,
) -> Result<u64>
where
    F: FnOnce(&mut Sink<'_>) -> Result<()> + Send,
{
    let start_rows = writer.rows();
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Chunk>>(2);
        let producer = scope.spawn(move || {
            let tx2 = tx.clone();
            let mut send =
                move |c: Chunk| -> Result<()> { tx2.send(Ok(c)).map_err(|_| Error::Cancelled) };
            if let Err(e) = produce(&mut send) {
                let _ = tx.send(Err(e));
            }
        });
        let mut encoder: Option<RowEncoder> = None;
        let result = (|| -> Result<u64> {
            job.check()?;
            for msg in rx.iter() {
                let mut chunk = msg?;
                job.check()?;
                if let Some(raw) = chunk.raw.take() {
                    let enc = encoder.get_or_insert_with(|| RowEncoder::new(parsers));
                    raw.encode_into(enc, order);
                    chunk.columns = enc.take();
                }
                let rows = chunk.columns.first().map(|c| c.len()).unwrap_or(0);
                let blobs: Vec<Vec<u8>> = chunk.columns.iter().map(|c| c.encode()).collect();
                writer.write_encoded_chunk(rows, &blobs)?;
                job.report(&Progress {
                    stage: "storing".into(),
                    bytes_done: chunk.bytes_done,
                    bytes_total,
                    rows_done: writer.rows() - start_rows,
                });
            }
            job.check()?;
            Ok(writer.rows() - start_rows)
        })();
        drop(rx);
        if producer.join().is_err() {
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
