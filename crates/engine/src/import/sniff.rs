//! Sniffing: what a file is, how its text is encoded, and how its fields
//! are delimited, from its first bytes (never the whole file).

use encoding_rs::Encoding;

/// How many bytes the sniffers look at.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// What a file holds, judged by its content (the extension only breaks
/// ties between formats that share a container).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Delimited text (CSV, TSV, …).
    Delimited,
    Json,
    Ndjson,
    /// A zip container: XLSX, XLSB or ODS.
    ZipWorkbook,
    /// An OLE2 compound file: XLS (or an encrypted OOXML workbook).
    OleWorkbook,
    Empty,
    /// Not tabular data; the string says what it looks like.
    NotTabular(&'static str),
}

/// The text encoding of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextEncoding {
    pub encoding: &'static Encoding,
    /// Bytes of byte-order mark to skip.
    pub bom: usize,
}

impl TextEncoding {
    pub fn utf8() -> Self {
        TextEncoding {
            encoding: encoding_rs::UTF_8,
            bom: 0,
        }
    }
    pub fn name(&self) -> &'static str {
        self.encoding.name()
    }
    pub fn is_utf8(&self) -> bool {
        self.encoding == encoding_rs::UTF_8
    }
}

/// Magic numbers of common non-tabular files.
const MAGIC: &[(&[u8], &str)] = &[
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
    (b"7z\xbc\xaf", "a 7-Zip archive; unpack it first"),
    (b"Rar!", "a RAR archive; unpack it first"),
    (
        b"PAR1",
        "a Parquet file, which Stepwise does not read yet; export CSV instead",
    ),
    (b"SQLite format 3\0", "an SQLite database"),
    (b"\x7fELF", "a program, not data"),
    (b"MZ", "a program, not data"),
    (b"BZh", "a bzip2 archive; unpack it first"),
    (b"\xfd7zXZ", "an xz archive; unpack it first"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive; unpack it first"),
];

/// The first bytes of a zip archive (xlsx, xlsb, ods) with a first entry.
pub(crate) const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// The first bytes of an OLE compound file (xls).
pub(crate) const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The format of a file from its first bytes.
pub fn sniff_format(head: &[u8]) -> Format {
    if head.is_empty() {
        return Format::Empty;
    }
    if head.starts_with(ZIP_MAGIC) {
        return Format::ZipWorkbook;
    }
    if head.starts_with(b"PK\x05\x06") {
        return Format::NotTabular("an empty zip archive");
    }
    if head.starts_with(OLE_MAGIC) {
        return Format::OleWorkbook;
    }
    for (magic, what) in MAGIC {
        if head.starts_with(magic) {
            return Format::NotTabular(what);
        }
    }
    let enc = sniff_encoding(head);
    let (text, _, _) = enc.encoding.decode(&head[enc.bom..]);
    let text = text.as_ref();
    // Binary garbage: control characters that text never has.
    let total = text.chars().take(4096).count().max(1);
    let controls = text
        .chars()
        .take(4096)
        .filter(|&c| (c < ' ' && !matches!(c, '\t' | '\n' | '\r' | '\x0c')) || c == '\u{fffd}')
        .count();
    if controls * 20 > total {
        return Format::NotTabular("binary data, not text or a spreadsheet");
    }
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Format::Empty;
    }
    if trimmed.starts_with("<?xml")
        || trimmed.starts_with("<html")
        || trimmed.starts_with("<!DOCTYPE")
    {
        return Format::NotTabular("an XML or HTML document, not a table");
    }
    match trimmed.as_bytes()[0] {
        b'[' => Format::Json,
        b'{' => {
            // NDJSON: the first line is a whole object and a second line
            // starts another.
            let mut lines = trimmed.lines().filter(|l| !l.trim().is_empty());
            let first = lines.next().unwrap_or("");
            let second = lines.next();
            let first_complete = serde_json::from_str::<serde_json::Value>(first).is_ok();
            match second {
                Some(l) if first_complete && l.trim_start().starts_with('{') => Format::Ndjson,
                _ => Format::Json,
            }
        }
        _ => Format::Delimited,
    }
}

/// The encoding of text from its first bytes: a byte-order mark decides
/// (UTF-8, UTF-16 LE/BE); else NUL bytes in alternate positions mean
/// UTF-16 without BOM; else valid UTF-8 is UTF-8; else chardetng guesses
/// (Windows-1252 for Western European text; Latin-1 is read as its
/// superset Windows-1252, as browsers do).
pub fn sniff_encoding(head: &[u8]) -> TextEncoding {
    if let Some((enc, bom)) = Encoding::for_bom(head) {
        return TextEncoding { encoding: enc, bom };
    }
    let sample = &head[..head.len().min(SNIFF_BYTES)];
    if sample.len() >= 4 {
        let even_nul = sample.iter().step_by(2).filter(|&&b| b == 0).count();
        let odd_nul = sample
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count();
        let half = sample.len() / 2;
        if odd_nul * 3 > half && even_nul * 10 < half {
            return TextEncoding {
                encoding: encoding_rs::UTF_16LE,
                bom: 0,
            };
        }
        if even_nul * 3 > half && odd_nul * 10 < half {
            return TextEncoding {
                encoding: encoding_rs::UTF_16BE,
                bom: 0,
            };
        }
    }
    if valid_utf8_prefix(sample, head.len() > sample.len()) {
        return TextEncoding::utf8();
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(sample, head.len() <= sample.len());
    let enc = det.guess(None, chardetng::Utf8Detection::Deny);
    TextEncoding {
        encoding: enc,
        bom: 0,
    }
}

/// True when `b` is UTF-8, allowing a character cut at the end when the
/// sample is a prefix of a longer file.
fn valid_utf8_prefix(b: &[u8], truncated: bool) -> bool {
    match std::str::from_utf8(b) {
        Ok(_) => true,
        Err(e) => truncated && e.error_len().is_none() && b.len() - e.valid_up_to() < 4,
    }
}

/// How fields are delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub delimiter: u8,
    pub quote: u8,
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect {
            delimiter: b',',
            quote: b'"',
        }
    }
}

/// The delimiters [`sniff_dialect`] tries, in its tie-break order.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

thread_local! {
    /// One csv_core reader per candidate delimiter, built once per thread:
    /// building a reader builds its DFA, which costs more than sniffing a
    /// small file (the fuzz targets sniff thousands of inputs a second).
    /// (Reset before each use: csv_core's `Reader::clone` does not copy
    /// the whole DFA.)
    static SNIFF_READERS: std::cell::RefCell<[csv_core::Reader; 4]> =
        std::cell::RefCell::new(DELIMITERS.map(|d| csv_core::ReaderBuilder::new().delimiter(d).build()));
}

/// The widths of the first 500 records of `text` split by the
/// `which`-th delimiter, as the import's csv reader reads them (quotes
/// honoured; CR, LF and CRLF end a record; empty lines skipped), without
/// records whose fields are all empty or whose first field starts with `#`.
fn record_widths(
    text: &[u8],
    which: usize,
    out: &mut Vec<u8>,
    ends: &mut Vec<usize>,
) -> Vec<usize> {
    SNIFF_READERS.with(|readers| {
        let rdr = &mut readers.borrow_mut()[which];
        rdr.reset();
        widths_with(rdr, text, out, ends)
    })
}

fn widths_with(
    rdr: &mut csv_core::Reader,
    text: &[u8],
    out: &mut Vec<u8>,
    ends: &mut Vec<usize>,
) -> Vec<usize> {
    use csv_core::ReadRecordResult as R;
    // a record's output is never longer than its input, nor has it more
    // fields than input bytes + 1; grown below all the same
    out.resize(text.len() + 1, 0);
    ends.resize(text.len() + 2, 0);
    let mut widths = Vec::new();
    let mut input = text;
    let (mut outlen, mut endlen) = (0usize, 0usize);
    loop {
        let (res, nin, nout, nend) =
            rdr.read_record(input, &mut out[outlen..], &mut ends[endlen..]);
        input = &input[nin..];
        outlen += nout;
        endlen += nend;
        match res {
            R::InputEmpty => {}
            R::OutputFull => out.resize(out.len() * 2 + 1, 0),
            R::OutputEndsFull => ends.resize(ends.len() * 2 + 1, 0),
            R::Record => {
                let fields = &ends[..endlen];
                let all_empty = fields.last().is_none_or(|&e| e == 0);
                let comment = fields.first().is_some_and(|&e| e > 0 && out[0] == b'#');
                if !all_empty && !comment {
                    widths.push(endlen);
                    if widths.len() >= 500 {
                        break;
                    }
                }
                outlen = 0;
                endlen = 0;
            }
            R::End => break,
        }
    }
    widths
}

/// The delimiter (`,` `;` tab `|`) that splits the sample's lines into the
/// most rows of one common width of two or more fields. `#` comment lines
/// and blank lines are ignored; quotes are honoured, so delimiters inside
/// quoted fields do not count. The last line may be cut and is ignored.
pub fn sniff_dialect(text: &str, truncated: bool) -> Dialect {
    let mut best = (0usize, 0usize, b',');
    let (mut out, mut ends) = (Vec::new(), Vec::new());
    for (which, delim) in DELIMITERS.into_iter().enumerate() {
        let mut widths = record_widths(text.as_bytes(), which, &mut out, &mut ends);
        if truncated && widths.len() > 1 && widths.len() < 500 {
            widths.pop();
        }
        let mut counts: std::collections::HashMap<usize, usize> = Default::default();
        for w in &widths {
            *counts.entry(*w).or_default() += 1;
        }
        let (mode, count) = counts
            .into_iter()
            .filter(|(w, _)| *w >= 2)
            .max_by_key(|&(w, c)| (c, w))
            .unwrap_or((1, 0));
        // More rows of one width first, then wider rows.
        if (count, mode) > (best.0, best.1) {
            best = (count, mode, delim);
        }
    }
    Dialect {
        delimiter: best.2,
        quote: b'"',
    }
}

/// Extension in lower case, for tie-breaks.
pub fn extension(path: &std::path::Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The widths as the csv crate's reader (the import's) reads them: the
    /// reference for [`record_widths`].
    fn widths_by_csv_crate(text: &[u8], delim: u8) -> Vec<usize> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delim)
            .from_reader(text);
        let mut widths = Vec::new();
        let mut rec = csv::ByteRecord::new();
        while let Ok(true) = rdr.read_byte_record(&mut rec) {
            if rec.iter().all(|f| f.is_empty()) || rec.get(0).is_some_and(|f| f.starts_with(b"#")) {
                continue;
            }
            widths.push(rec.len());
            if widths.len() >= 500 {
                break;
            }
        }
        widths
    }

    #[test]
    fn record_widths_equal_the_csv_crates() {
        // random texts over the bytes that matter to a csv reader
        let alphabet = b",;\t|\"\r\n#ab \xef\xbb\xbf";
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let (mut out, mut ends) = (Vec::new(), Vec::new());
        for case in 0..3000 {
            let len = (next() % 200) as usize + if case % 10 == 0 { 2000 } else { 0 };
            let text: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            for (which, d) in DELIMITERS.into_iter().enumerate() {
                assert_eq!(
                    record_widths(&text, which, &mut out, &mut ends),
                    widths_by_csv_crate(&text, d),
                    "delimiter {:?} on {:?}",
                    d as char,
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }

    #[test]
    fn formats_by_content() {
        assert_eq!(sniff_format(b""), Format::Empty);
        assert_eq!(sniff_format(b"  \n\n"), Format::Empty);
        assert_eq!(sniff_format(b"a,b\n1,2\n"), Format::Delimited);
        assert_eq!(sniff_format(b"[{\"a\":1}]"), Format::Json);
        assert_eq!(sniff_format(b"{\"a\":1}\n{\"a\":2}\n"), Format::Ndjson);
        assert_eq!(sniff_format(b"{\n  \"a\": 1\n}\n"), Format::Json);
        assert_eq!(sniff_format(b"{\"a\": 1}\n"), Format::Json);
        assert_eq!(sniff_format(b"PK\x03\x04rest"), Format::ZipWorkbook);
        assert_eq!(
            sniff_format(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]),
            Format::OleWorkbook
        );
        assert!(matches!(
            sniff_format(b"%PDF-1.4 ..."),
            Format::NotTabular(_)
        ));
        assert!(matches!(
            sniff_format(&[0u8, 1, 2, 3, 250, 251, 7, 8, 0, 0, 1, 2]),
            Format::NotTabular(_)
        ));
        assert!(matches!(
            sniff_format(b"<?xml version=\"1.0\"?><a/>"),
            Format::NotTabular(_)
        ));
    }

    #[test]
    fn encodings() {
        assert_eq!(sniff_encoding(b"\xef\xbb\xbfID,Name").bom, 3);
        assert!(sniff_encoding(b"\xef\xbb\xbfID,Name").is_utf8());
        let le = sniff_encoding(b"\xff\xfea\0,\0b\0");
        assert_eq!((le.encoding, le.bom), (encoding_rs::UTF_16LE, 2));
        let be = sniff_encoding(b"\xfe\xff\0a\0,\0b");
        assert_eq!((be.encoding, be.bom), (encoding_rs::UTF_16BE, 2));
        let le_nobom: Vec<u8> = "name,count\nx,1\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(sniff_encoding(&le_nobom).encoding, encoding_rs::UTF_16LE);
        let be_nobom: Vec<u8> = "name,count\nx,1\n"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        assert_eq!(sniff_encoding(&be_nobom).encoding, encoding_rs::UTF_16BE);
        assert!(sniff_encoding("naïve,café\n".as_bytes()).is_utf8());
        // "Café,Straße,Zürich" in Windows-1252
        let latin = b"Stadt,Stra\xdfe\nZ\xfcrich,Caf\xe9 M\xfcller\nK\xf6ln,Gr\xfc\xdfe\n";
        assert_eq!(sniff_encoding(latin).encoding, encoding_rs::WINDOWS_1252);
        // a UTF-8 character cut by the sample's end is still UTF-8
        let mut long = vec![b'a'; SNIFF_BYTES - 1];
        long.extend_from_slice("é".as_bytes());
        assert!(sniff_encoding(&long).is_utf8());
    }

    #[test]
    fn dialects() {
        assert_eq!(
            sniff_dialect("a,b,c\n1,2,3\n4,5,6\n", false).delimiter,
            b','
        );
        assert_eq!(
            sniff_dialect("a;b;c\n1,5;2;3\n4;5,5;6\n", false).delimiter,
            b';'
        );
        assert_eq!(sniff_dialect("a\tb\n1\t2\n", false).delimiter, b'\t');
        assert_eq!(sniff_dialect("a|b|c\n1|2|3\n", false).delimiter, b'|');
        // commas inside quotes do not count
        assert_eq!(
            sniff_dialect("a;b\n\"1,2,3\";4\n\"5,6,7\";8\n", false).delimiter,
            b';'
        );
        // comment lines are ignored
        assert_eq!(
            sniff_dialect("# a;b;c;d\n# x;y\nname,n\nx,1\n", false).delimiter,
            b','
        );
        // CRLF and CR line endings
        assert_eq!(sniff_dialect("a;b\r\n1;2\r\n", false).delimiter, b';');
        assert_eq!(sniff_dialect("a\tb\r1\t2\r", false).delimiter, b'\t');
        // one column: comma by default
        assert_eq!(sniff_dialect("a\nb\nc\n", false).delimiter, b',');
    }
}
