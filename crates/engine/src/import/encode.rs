//! Rows of text cells to typed column chunks, and the loop that stores
//! them: a producer thread parses while the calling thread encodes and
//! writes, so two cores share the work.

use super::infer::{CellParser, Parsed};
use crate::column::{Column, Values, CHUNK_ROWS};
use crate::error::{Error, Result};
use crate::job::Job;
use crate::model::{ColumnType, Progress};
use crate::store::DatasetWriter;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

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

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

enum Build {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Bool(Vec<bool>),
    Text {
        map: FxMap<Box<str>, u32>,
        dict: Vec<String>,
        codes: Vec<u32>,
    },
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
                map: FxMap::default(),
                dict: Vec::new(),
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
            (Build::Text { map, dict, codes }, Parsed::Text) => {
                let code = match map.get(s) {
                    Some(&c) => c,
                    None => {
                        let c = dict.len() as u32;
                        dict.push(s.to_string());
                        map.insert(s.into(), c);
                        c
                    }
                };
                codes.push(code);
            }
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
        let valid = std::mem::take(&mut self.valid);
        let has_nulls = self.nulls > 0;
        self.nulls = 0;
        let values = match &mut self.vals {
            Build::Int(v) => Values::Int(std::mem::take(v)),
            Build::Float(v) => Values::Float(std::mem::take(v)),
            Build::Bool(v) => Values::Bool(std::mem::take(v)),
            Build::Text { map, dict, codes } => {
                map.clear();
                let mut dict = std::mem::take(dict);
                let mut codes = std::mem::take(codes);
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
    pub bytes_done: u64,
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
        let result = (|| -> Result<u64> {
            job.check()?;
            for msg in rx.iter() {
                let chunk = msg?;
                job.check()?;
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
