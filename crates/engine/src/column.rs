//! Columnar values, in memory and in the workspace. A dataset's rows are
//! stored column by column in chunks of up to [`CHUNK_ROWS`] rows; each chunk
//! is one SQLite BLOB encoded by [`Column::encode`].

use crate::error::{Error, Result};
/// [`Cell`] lives in [`crate::model`] (the preview type holds it); re-exported
/// here, where [`Column::cell`] makes it.
pub use crate::model::Cell;
use crate::model::ColumnType;
use std::collections::HashMap;

pub const CHUNK_ROWS: usize = 65_536;

/// The values of one column (or one chunk of it).
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Integer, Timestamp (µs), Date (days), Duration (ms).
    Int(Vec<i64>),
    Float(Vec<f64>),
    Bool(Vec<bool>),
    /// Dictionary encoded: `dict[codes[i]]`.
    Text {
        dict: Vec<String>,
        codes: Vec<u32>,
    },
}

/// A typed column with an optional validity mask (`false` = null).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub ty: ColumnType,
    pub values: Values,
    pub valid: Option<Vec<bool>>,
}

impl Column {
    pub fn len(&self) -> usize {
        match &self.values {
            Values::Int(v) => v.len(),
            Values::Float(v) => v.len(),
            Values::Bool(v) => v.len(),
            Values::Text { codes, .. } => codes.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn is_null(&self, i: usize) -> bool {
        self.valid.as_ref().is_some_and(|v| !v[i])
    }
    pub fn cell(&self, i: usize) -> Cell {
        if self.is_null(i) {
            return Cell::Null;
        }
        match &self.values {
            Values::Int(v) => Cell::Int(v[i]),
            Values::Float(v) => Cell::Float(v[i]),
            Values::Bool(v) => Cell::Bool(v[i]),
            Values::Text { dict, codes } => Cell::Text(dict[codes[i] as usize].clone()),
        }
    }
    /// The text of a cell as a text column holds it (None for null).
    pub fn text(&self, i: usize) -> Option<&str> {
        if self.is_null(i) {
            return None;
        }
        match &self.values {
            Values::Text { dict, codes } => Some(&dict[codes[i] as usize]),
            _ => None,
        }
    }

    /// Appends another column of the same type (chunks into a whole column).
    /// Text dictionaries are merged so that equal strings get one code.
    pub fn append(&mut self, other: Column) -> Result<()> {
        if self.ty != other.ty {
            return Err(Error::Internal(
                "appending columns of different types".into(),
            ));
        }
        let old_len = self.len();
        let other_len = other.len();
        match (&mut self.values, other.values) {
            (Values::Int(a), Values::Int(b)) => a.extend(b),
            (Values::Float(a), Values::Float(b)) => a.extend(b),
            (Values::Bool(a), Values::Bool(b)) => a.extend(b),
            (
                Values::Text { dict, codes },
                Values::Text {
                    dict: d2,
                    codes: c2,
                },
            ) => {
                let mut index: HashMap<String, u32> = dict
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.clone(), i as u32))
                    .collect();
                let remap: Vec<u32> = d2
                    .into_iter()
                    .map(|s| {
                        let next = index.len() as u32;
                        *index.entry(s.clone()).or_insert_with(|| {
                            dict.push(s);
                            next
                        })
                    })
                    .collect();
                codes.extend(c2.into_iter().map(|c| remap[c as usize]));
            }
            _ => return Err(Error::Internal("column value kinds differ".into())),
        }
        match (&mut self.valid, other.valid) {
            (None, None) => {}
            (Some(a), None) => a.extend(std::iter::repeat_n(true, other_len)),
            (None, Some(b)) => {
                let mut a = vec![true; old_len];
                a.extend(b);
                self.valid = Some(a);
            }
            (Some(a), Some(b)) => a.extend(b),
        }
        Ok(())
    }

    pub fn empty(ty: ColumnType) -> Column {
        let values = match ty {
            ColumnType::Decimal => Values::Float(Vec::new()),
            ColumnType::Boolean => Values::Bool(Vec::new()),
            ColumnType::Text => Values::Text {
                dict: Vec::new(),
                codes: Vec::new(),
            },
            _ => Values::Int(Vec::new()),
        };
        Column {
            ty,
            values,
            valid: None,
        }
    }

    // ---- encoding -------------------------------------------------------
    // [u8 type][u8 has_nulls][varint rows][validity bitmap?][values]
    // Int: zigzag varint deltas. Float: f64 LE. Bool: bitmap.
    // Text: varint dict len, (varint len, bytes)*, varint codes.

    pub fn encode(&self) -> Vec<u8> {
        let n = self.len();
        let mut out = Vec::with_capacity(n * 2 + 16);
        out.push(type_tag(self.ty));
        out.push(self.valid.is_some() as u8);
        put_varint(&mut out, n as u64);
        if let Some(valid) = &self.valid {
            put_bitmap(&mut out, valid);
        }
        match &self.values {
            Values::Int(v) => {
                let mut prev = 0i64;
                for &x in v {
                    put_varint(&mut out, zigzag(x.wrapping_sub(prev)));
                    prev = x;
                }
            }
            Values::Float(v) => {
                for &x in v {
                    out.extend_from_slice(&x.to_le_bytes());
                }
            }
            Values::Bool(v) => put_bitmap(&mut out, v),
            Values::Text { dict, codes } => {
                put_varint(&mut out, dict.len() as u64);
                for s in dict {
                    put_varint(&mut out, s.len() as u64);
                    out.extend_from_slice(s.as_bytes());
                }
                for &c in codes {
                    put_varint(&mut out, c as u64);
                }
            }
        }
        out
    }

    /// Decodes a Text chunk without building a [`Column`]: `intern` is
    /// called once per dictionary entry (its bytes, valid UTF-8) and returns
    /// the caller's code for it; each row's code is then pushed to `out`
    /// (`null` for a missing value). Returns Ok(false), pushing nothing, if
    /// the chunk is not Text. Much cheaper than [`Column::decode`] for
    /// columns with many distinct values (no String per entry).
    pub fn decode_text_codes(
        buf: &[u8],
        mut intern: impl FnMut(&[u8]) -> u32,
        null: u32,
        out: &mut Vec<u32>,
    ) -> Result<bool> {
        let corrupt = || Error::Internal("a stored column chunk is corrupt".into());
        let mut r = Reader { buf, pos: 0 };
        let ty = tag_type(r.byte().ok_or_else(corrupt)?).ok_or_else(corrupt)?;
        if ty != ColumnType::Text {
            return Ok(false);
        }
        let has_nulls = r.byte().ok_or_else(corrupt)? != 0;
        let n = r.varint().ok_or_else(corrupt)? as usize;
        if n > buf.len() * 8 + 8 {
            return Err(corrupt());
        }
        let valid = if has_nulls {
            Some(r.take(n.div_ceil(8)).ok_or_else(corrupt)?)
        } else {
            None
        };
        let dn = r.varint().ok_or_else(corrupt)? as usize;
        if dn > buf.len() {
            return Err(corrupt());
        }
        let mut remap = Vec::with_capacity(dn);
        for _ in 0..dn {
            let len = r.varint().ok_or_else(corrupt)? as usize;
            let b = r.take(len).ok_or_else(corrupt)?;
            if std::str::from_utf8(b).is_err() {
                return Err(corrupt());
            }
            remap.push(intern(b));
        }
        out.reserve(n);
        for i in 0..n {
            // one-byte codes (small dictionaries) without the varint loop
            let c = match r.buf.get(r.pos) {
                Some(&b) if b < 0x80 => {
                    r.pos += 1;
                    b as u64
                }
                _ => r.varint().ok_or_else(corrupt)?,
            };
            let code = *remap.get(c as usize).ok_or_else(corrupt)?;
            let ok = valid.is_none_or(|v| v[i / 8] >> (i % 8) & 1 == 1);
            out.push(if ok { code } else { null });
        }
        Ok(true)
    }

    pub fn decode(buf: &[u8]) -> Result<Column> {
        let corrupt = || Error::Internal("a stored column chunk is corrupt".into());
        let mut r = Reader { buf, pos: 0 };
        let ty = tag_type(r.byte().ok_or_else(corrupt)?).ok_or_else(corrupt)?;
        let has_nulls = r.byte().ok_or_else(corrupt)? != 0;
        let n = r.varint().ok_or_else(corrupt)? as usize;
        if n > buf.len() * 8 + 8 {
            return Err(corrupt());
        }
        let valid = if has_nulls {
            Some(r.bitmap(n).ok_or_else(corrupt)?)
        } else {
            None
        };
        let values = match ty {
            ColumnType::Decimal => {
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    let b = r.take(8).ok_or_else(corrupt)?;
                    v.push(f64::from_le_bytes(b.try_into().unwrap()));
                }
                Values::Float(v)
            }
            ColumnType::Boolean => Values::Bool(r.bitmap(n).ok_or_else(corrupt)?),
            ColumnType::Text => {
                let dn = r.varint().ok_or_else(corrupt)? as usize;
                if dn > buf.len() {
                    return Err(corrupt());
                }
                let mut dict = Vec::with_capacity(dn);
                for _ in 0..dn {
                    let len = r.varint().ok_or_else(corrupt)? as usize;
                    let b = r.take(len).ok_or_else(corrupt)?;
                    dict.push(String::from_utf8(b.to_vec()).map_err(|_| corrupt())?);
                }
                let mut codes = Vec::with_capacity(n);
                for _ in 0..n {
                    let c = r.varint().ok_or_else(corrupt)?;
                    if c as usize >= dn {
                        return Err(corrupt());
                    }
                    codes.push(c as u32);
                }
                Values::Text { dict, codes }
            }
            _ => {
                let mut v = Vec::with_capacity(n);
                let mut prev = 0i64;
                for _ in 0..n {
                    let d = unzigzag(r.varint().ok_or_else(corrupt)?);
                    prev = prev.wrapping_add(d);
                    v.push(prev);
                }
                Values::Int(v)
            }
        };
        Ok(Column { ty, values, valid })
    }
}

/// Builds a column value by value (an importer's output).
#[derive(Debug)]
pub struct ColumnBuilder {
    col: Column,
    index: HashMap<String, u32>,
    nulls: usize,
}

impl ColumnBuilder {
    pub fn new(ty: ColumnType) -> Self {
        ColumnBuilder {
            col: Column::empty(ty),
            index: HashMap::new(),
            nulls: 0,
        }
    }
    pub fn len(&self) -> usize {
        self.col.len()
    }
    pub fn is_empty(&self) -> bool {
        self.col.is_empty()
    }
    fn mark(&mut self, ok: bool) {
        if !ok {
            self.nulls += 1;
            let len = self.col.len();
            self.col
                .valid
                .get_or_insert_with(|| vec![true; len])
                .push(false);
        } else if let Some(v) = &mut self.col.valid {
            v.push(true);
        }
    }
    pub fn push_null(&mut self) {
        // validity first, since it measures the current length
        self.mark(false);
        match &mut self.col.values {
            Values::Int(v) => v.push(0),
            Values::Float(v) => v.push(0.0),
            Values::Bool(v) => v.push(false),
            Values::Text { codes, dict } => {
                if dict.is_empty() {
                    dict.push(String::new());
                    self.index.insert(String::new(), 0);
                }
                codes.push(0)
            }
        }
    }
    pub fn push_int(&mut self, x: i64) {
        self.mark(true);
        if let Values::Int(v) = &mut self.col.values {
            v.push(x)
        }
    }
    pub fn push_float(&mut self, x: f64) {
        self.mark(true);
        if let Values::Float(v) = &mut self.col.values {
            v.push(x)
        }
    }
    pub fn push_bool(&mut self, x: bool) {
        self.mark(true);
        if let Values::Bool(v) = &mut self.col.values {
            v.push(x)
        }
    }
    pub fn push_text(&mut self, s: &str) {
        self.mark(true);
        if let Values::Text { dict, codes } = &mut self.col.values {
            let code = match self.index.get(s) {
                Some(&c) => c,
                None => {
                    let c = dict.len() as u32;
                    dict.push(s.to_string());
                    self.index.insert(s.to_string(), c);
                    c
                }
            };
            codes.push(code);
        }
    }
    /// Takes the values built so far, leaving the builder empty.
    pub fn take(&mut self) -> Column {
        self.index.clear();
        self.nulls = 0;
        let ty = self.col.ty;
        std::mem::replace(&mut self.col, Column::empty(ty))
    }
}

fn type_tag(t: ColumnType) -> u8 {
    match t {
        ColumnType::Text => 1,
        ColumnType::Integer => 2,
        ColumnType::Decimal => 3,
        ColumnType::Boolean => 4,
        ColumnType::Timestamp => 5,
        ColumnType::Date => 6,
        ColumnType::Duration => 7,
    }
}
fn tag_type(t: u8) -> Option<ColumnType> {
    Some(match t {
        1 => ColumnType::Text,
        2 => ColumnType::Integer,
        3 => ColumnType::Decimal,
        4 => ColumnType::Boolean,
        5 => ColumnType::Timestamp,
        6 => ColumnType::Date,
        7 => ColumnType::Duration,
        _ => return None,
    })
}

fn zigzag(x: i64) -> u64 {
    ((x << 1) ^ (x >> 63)) as u64
}
fn unzigzag(x: u64) -> i64 {
    ((x >> 1) as i64) ^ -((x & 1) as i64)
}
fn put_varint(out: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        out.push((x as u8) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}
fn put_bitmap(out: &mut Vec<u8>, bits: &[bool]) {
    for chunk in bits.chunks(8) {
        let mut b = 0u8;
        for (i, &bit) in chunk.iter().enumerate() {
            b |= (bit as u8) << i;
        }
        out.push(b);
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}
impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn varint(&mut self) -> Option<u64> {
        let mut x = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            if shift >= 64 {
                return None;
            }
            x |= ((b & 0x7f) as u64) << shift;
            if b < 0x80 {
                return Some(x);
            }
            shift += 7;
        }
    }
    fn bitmap(&mut self, n: usize) -> Option<Vec<bool>> {
        let bytes = self.take(n.div_ceil(8))?;
        Some((0..n).map(|i| bytes[i / 8] >> (i % 8) & 1 == 1).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_round_trip_with_nulls() {
        let mut b = ColumnBuilder::new(ColumnType::Text);
        b.push_text("a");
        b.push_null();
        b.push_text("b");
        b.push_text("a");
        let c = b.take();
        let d = Column::decode(&c.encode()).unwrap();
        assert_eq!(d, c);
        assert_eq!(d.cell(0), Cell::Text("a".into()));
        assert_eq!(d.cell(1), Cell::Null);
        assert_eq!(d.cell(3), Cell::Text("a".into()));
    }

    #[test]
    fn append_merges_dictionaries() {
        let mut a = ColumnBuilder::new(ColumnType::Text);
        a.push_text("x");
        a.push_text("y");
        let mut b = ColumnBuilder::new(ColumnType::Text);
        b.push_text("y");
        b.push_null();
        b.push_text("z");
        let mut whole = a.take();
        whole.append(b.take()).unwrap();
        let cells: Vec<_> = (0..whole.len()).map(|i| whole.cell(i)).collect();
        assert_eq!(
            cells,
            vec![
                Cell::Text("x".into()),
                Cell::Text("y".into()),
                Cell::Text("y".into()),
                Cell::Null,
                Cell::Text("z".into())
            ]
        );
        if let Values::Text { dict, .. } = &whole.values {
            assert_eq!(dict.iter().filter(|s| *s == "y").count(), 1);
        }
    }

    #[test]
    fn corrupt_chunks_are_errors_not_panics() {
        for bytes in [
            &[][..],
            &[2, 0, 0xff],
            &[1, 0, 3, 9],
            &[9, 0, 0],
            &[3, 0, 5, 1, 2],
        ] {
            assert!(Column::decode(bytes).is_err());
        }
    }

    proptest! {
        #[test]
        fn ints_round_trip(v in proptest::collection::vec(any::<Option<i64>>(), 0..300)) {
            let mut b = ColumnBuilder::new(ColumnType::Integer);
            for x in &v { match x { Some(x) => b.push_int(*x), None => b.push_null() } }
            let c = b.take();
            prop_assert_eq!(Column::decode(&c.encode()).unwrap(), c);
        }
        #[test]
        fn floats_round_trip(v in proptest::collection::vec(any::<f64>().prop_filter("nan", |x| !x.is_nan()), 0..100)) {
            let mut b = ColumnBuilder::new(ColumnType::Decimal);
            for x in &v { b.push_float(*x) }
            let c = b.take();
            prop_assert_eq!(Column::decode(&c.encode()).unwrap(), c);
        }
        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = Column::decode(&bytes);
        }
    }
}
