//! Interning: text values as dense codes with one dictionary (`Interned`),
//! any column's cells as text, and the byte interner the index builds with.

use super::*;

/// A fast, non-cryptographic hasher for interning (the FxHash mix).
#[derive(Default, Clone, Copy)]
pub(super) struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 =
                (self.0.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(super) type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// Text values with a dictionary: `dict[codes[i]]`, [`NULL_CODE`] for none.
#[derive(Debug, Clone, Default)]
pub struct Interned {
    pub dict: Vec<String>,
    pub codes: Arr<u32>,
}

impl Interned {
    pub fn get(&self, i: usize) -> Option<&str> {
        match self.codes[i] {
            NULL_CODE => None,
            c => Some(&self.dict[c as usize]),
        }
    }
    /// The code of a value, if it occurs.
    pub fn code_of(&self, s: &str) -> Option<u32> {
        self.dict.iter().position(|d| d == s).map(|p| p as u32)
    }
}

/// Interns any column as text (numbers formatted, dates as YYYY-MM-DD,
/// timestamps as RFC 3339).
pub fn intern_column(col: &Column) -> Interned {
    match &col.values {
        Values::Text { dict, codes } => {
            let codes = match &col.valid {
                None => codes.clone().into(),
                Some(v) => codes
                    .iter()
                    .zip(v)
                    .map(|(&c, &ok)| if ok { c } else { NULL_CODE })
                    .collect(),
            };
            Interned {
                dict: dict.clone(),
                codes,
            }
        }
        _ => {
            let mut map: FxMap<String, u32> = FxMap::default();
            let mut dict = Vec::new();
            let codes = (0..col.len())
                .map(|i| match cell_text(col, i) {
                    None => NULL_CODE,
                    Some(s) => *map.entry(s.clone()).or_insert_with(|| {
                        dict.push(s);
                        (dict.len() - 1) as u32
                    }),
                })
                .collect();
            Interned { dict, codes }
        }
    }
}

/// A cell as text, as breakdowns show it; None for null.
pub fn cell_text(col: &Column, i: usize) -> Option<String> {
    if col.is_null(i) {
        return None;
    }
    Some(match &col.values {
        Values::Text { dict, codes } => dict[codes[i] as usize].clone(),
        Values::Float(v) => format_float(v[i]),
        Values::Bool(v) => v[i].to_string(),
        Values::Int(v) => match col.ty {
            ColumnType::Date => format_date(v[i]),
            ColumnType::Timestamp => format_timestamp(v[i]),
            _ => v[i].to_string(),
        },
    })
}

pub(super) fn format_float(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Days since the epoch as YYYY-MM-DD (the preview's format too).
pub use crate::calendar::format_date;
/// µs since the epoch as RFC 3339 UTC (seconds precision).
pub use crate::calendar::format_rfc3339 as format_timestamp;

/// Interns byte strings into dense codes in order of first appearance,
/// keeping them in one arena (no allocation per string).
pub(super) struct ByteInterner {
    arena: Vec<u8>,
    /// Entry `c` is `arena[starts[c]..starts[c + 1]]`.
    starts: Vec<usize>,
    hashes: Vec<u64>,
    /// Open addressing: 0 = empty, else (high 32 bits of the hash) << 32 |
    /// (code + 1), so most misses are told apart without reading the arena.
    table: Vec<u64>,
}

impl ByteInterner {
    fn new() -> Self {
        ByteInterner {
            arena: Vec::new(),
            starts: vec![0],
            hashes: Vec::new(),
            table: vec![0; 1024],
        }
    }
    fn len(&self) -> usize {
        self.hashes.len()
    }
    #[inline]
    fn hash(b: &[u8]) -> u64 {
        let mut h = b.len() as u64;
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().unwrap_or_default());
            h = (h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        let mut last = [0u8; 8];
        last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        h = (h.rotate_left(5) ^ u64::from_le_bytes(last)).wrapping_mul(0x517c_c1b7_2722_0a95);
        // the multiply only carries upwards: mix the high bits (where the
        // last bytes of ids like "u000123" land) into the low ones the
        // table uses (murmur3's finalizer)
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
    fn get(&self, c: usize) -> &[u8] {
        &self.arena[self.starts[c]..self.starts[c + 1]]
    }
    #[inline]
    fn entry(h: u64, c: usize) -> u64 {
        (h & 0xFFFF_FFFF_0000_0000) | (c as u64 + 1)
    }
    fn grow(&mut self) {
        let size = self.table.len() * 2;
        let mask = size - 1;
        let mut table = vec![0u64; size];
        for (c, &h) in self.hashes.iter().enumerate() {
            let mut i = h as usize & mask;
            while table[i] != 0 {
                i = (i + 1) & mask;
            }
            table[i] = Self::entry(h, c);
        }
        self.table = table;
    }
    #[inline]
    fn intern(&mut self, b: &[u8]) -> u32 {
        if (self.len() + 1) * 2 > self.table.len() {
            self.grow();
        }
        let h = Self::hash(b);
        let tag = h & 0xFFFF_FFFF_0000_0000;
        let mask = self.table.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let slot = self.table[i];
            if slot == 0 {
                let c = self.len();
                self.arena.extend_from_slice(b);
                self.starts.push(self.arena.len());
                self.hashes.push(h);
                self.table[i] = Self::entry(h, c);
                return c as u32;
            }
            if slot & 0xFFFF_FFFF_0000_0000 == tag {
                let c = (slot as u32 - 1) as usize;
                if self.get(c) == b {
                    return c as u32;
                }
            }
            i = (i + 1) & mask;
        }
    }
    fn into_dict(self) -> Vec<String> {
        (0..self.len())
            .map(|c| String::from_utf8_lossy(self.get(c)).into_owned())
            .collect()
    }
}

/// Decodes a column's chunks into interned form with one dictionary for the
/// whole column (the dictionary's strings only if `dict` is asked for;
/// otherwise just its size).
pub(super) fn intern_blobs(blobs: Vec<Vec<u8>>, want_dict: bool) -> Result<(Interned, usize)> {
    let mut it = ByteInterner::new();
    let mut codes: Vec<u32> = Vec::with_capacity(blobs.len() * crate::column::CHUNK_ROWS);
    for bytes in blobs {
        let bytes = &bytes[..];
        if !Column::decode_text_codes(bytes, |b| it.intern(b), NULL_CODE, &mut codes)? {
            // not a text column: intern its cells as text
            let part = intern_column(&Column::decode(bytes)?);
            let remap: Vec<u32> = part.dict.iter().map(|s| it.intern(s.as_bytes())).collect();
            codes.extend(part.codes.iter().map(|&c| {
                if c == NULL_CODE {
                    NULL_CODE
                } else {
                    remap[c as usize]
                }
            }));
        }
    }
    let n = it.len();
    let dict = if want_dict {
        it.into_dict()
    } else {
        Vec::new()
    };
    Ok((
        Interned {
            dict,
            codes: codes.into(),
        },
        n,
    ))
}

pub(super) fn permute_interned(x: Interned, rows: &[u32]) -> Result<Interned> {
    let codes = &x.codes;
    if rows.iter().any(|&r| r as usize >= codes.len()) {
        return Err(Error::Internal(
            "the analysis index does not match the dataset; delete the .index folder beside the workspace".into(),
        ));
    }
    let codes = rows.iter().map(|&r| codes[r as usize]).collect();
    Ok(Interned {
        dict: x.dict,
        codes,
    })
}
