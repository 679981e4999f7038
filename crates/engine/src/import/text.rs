//! Streaming readers for delimited text: raw bytes are hashed, decoded to
//! UTF-8 (from UTF-16 or a legacy code page) and scanned for blank lines,
//! all without holding more than a buffer of the file.

use encoding_rs::{CoderResult, Decoder, Encoding};
use sha2::{Digest, Sha256};
use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Counts (and optionally hashes) the raw bytes read.
pub struct CountingReader<R> {
    pub inner: R,
    pub hasher: Option<Sha256>,
    pub count: Arc<AtomicU64>,
}

impl<R: Read> CountingReader<R> {
    pub fn new(inner: R, hash: bool) -> Self {
        CountingReader {
            inner,
            hasher: hash.then(Sha256::new),
            count: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..n]);
        }
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Decodes a byte stream in any encoding_rs encoding to UTF-8.
pub struct DecodeReader<R> {
    inner: R,
    decoder: Decoder,
    raw: Vec<u8>,
    raw_start: usize,
    raw_end: usize,
    eof: bool,
    finished: bool,
    out: Vec<u8>,
    out_start: usize,
    out_end: usize,
}

impl<R: Read> DecodeReader<R> {
    pub fn new(inner: R, encoding: &'static Encoding) -> Self {
        DecodeReader {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            raw: vec![0; 64 * 1024],
            raw_start: 0,
            raw_end: 0,
            eof: false,
            finished: false,
            out: vec![0; 3 * 64 * 1024 + 16],
            out_start: 0,
            out_end: 0,
        }
    }
}

impl<R: Read> Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = (self.out_end - self.out_start).min(buf.len());
                buf[..n].copy_from_slice(&self.out[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.finished {
                return Ok(0);
            }
            if self.raw_start == self.raw_end && !self.eof {
                let n = self.inner.read(&mut self.raw)?;
                self.raw_start = 0;
                self.raw_end = n;
                if n == 0 {
                    self.eof = true;
                }
            }
            let last = self.eof && self.raw_start == self.raw_end;
            let (res, read, written, _) = self.decoder.decode_to_utf8(
                &self.raw[self.raw_start..self.raw_end],
                &mut self.out,
                last,
            );
            self.raw_start += read;
            self.out_start = 0;
            self.out_end = written;
            if last && res == CoderResult::InputEmpty {
                self.finished = true;
            }
        }
    }
}

/// Turns CRLF and lone CR line ends into LF (so line numbers and blank
/// lines are counted one way) and records where blank lines are, so the
/// CSV reader (which skips them) can still tell tables apart. A blank line
/// is recorded at the offset of the `\n` that precedes it, in the
/// normalised stream; offset -1 stands for a blank first line.
pub struct BlankScanner<R> {
    inner: R,
    pos: i64,
    prev: u8,
    drop_lf: bool,
    pub blanks: std::rc::Rc<std::cell::RefCell<std::collections::VecDeque<i64>>>,
    /// Where the quoted text we are in began, if we are in one.
    quote_open: Option<i64>,
    /// Longest quoted run allowed: the CSV reader holds a whole cell in
    /// memory, so an unclosed quote must not swallow a large file.
    pub max_quoted: i64,
    /// How many `"` the stream held (none: records are plain lines).
    pub quotes: u64,
}

/// The longest quoted text (a cell, or a stray quote's run) read before
/// the import stops.
pub const MAX_QUOTED_BYTES: i64 = 64 << 20;

impl<R: Read> BlankScanner<R> {
    pub fn new(inner: R) -> Self {
        BlankScanner {
            inner,
            pos: 0,
            prev: b'\n',
            drop_lf: false,
            blanks: Default::default(),
            quote_open: None,
            max_quoted: MAX_QUOTED_BYTES,
            quotes: 0,
        }
    }
}

impl<R: Read> Read for BlankScanner<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let mut n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let mut start = 0;
            if self.drop_lf {
                self.drop_lf = false;
                if buf[0] == b'\n' {
                    start = 1;
                }
            }
            // normalise line ends in place
            if memchr::memchr(b'\r', &buf[start..n]).is_some() {
                let mut w = 0;
                let mut i = start;
                while i < n {
                    let c = buf[i];
                    if c == b'\r' {
                        buf[w] = b'\n';
                        w += 1;
                        if i + 1 < n {
                            if buf[i + 1] == b'\n' {
                                i += 1;
                            }
                        } else {
                            self.drop_lf = true;
                        }
                    } else {
                        buf[w] = c;
                        w += 1;
                    }
                    i += 1;
                }
                n = w;
            } else if start > 0 {
                buf.copy_within(start..n, 0);
                n -= start;
            }
            if n == 0 {
                continue;
            }
            let b = &buf[..n];
            let mut blanks = self.blanks.borrow_mut();
            if self.prev == b'\n' && b[0] == b'\n' {
                blanks.push_back(self.pos - 1);
            }
            for i in memchr::memchr_iter(b'\n', b) {
                if i + 1 < n && b[i + 1] == b'\n' {
                    blanks.push_back(self.pos + i as i64);
                }
            }
            for i in memchr::memchr_iter(b'"', b) {
                self.quotes += 1;
                self.quote_open = match self.quote_open {
                    Some(_) => None,
                    None => Some(self.pos + i as i64),
                };
            }
            if let Some(open) = self.quote_open {
                if self.pos + n as i64 - open > self.max_quoted {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "a quote opened at byte {open} is still open {} MB later; the file's quoting is broken",
                            self.max_quoted >> 20
                        ),
                    ));
                }
            }
            self.prev = b[n - 1];
            self.pos += n as i64;
            return Ok(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf16_in_small_reads() {
        let text = "Absprünge,Besuche\n1,2\n€,😀\n";
        let mut bytes: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        bytes.truncate(bytes.len());
        struct Slow<'a>(&'a [u8]);
        impl Read for Slow<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(3);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = String::new();
        DecodeReader::new(Slow(&bytes), encoding_rs::UTF_16LE)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, text);
        let mut out = String::new();
        DecodeReader::new(&b"Caf\xe9"[..], encoding_rs::WINDOWS_1252)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "Café");
    }

    #[test]
    fn an_unclosed_quote_stops_the_reader() {
        let mut text = b"a,b\n1,\"".to_vec();
        text.extend(std::iter::repeat_n(b'x', 5000));
        let mut s = BlankScanner::new(&text[..]);
        s.max_quoted = 1000;
        let mut out = Vec::new();
        let err = s.read_to_end(&mut out).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        // closed quotes, however many, are fine
        let text = b"a,b\n\"x\"\"y\",\"z\"\n".repeat(1000);
        let mut s = BlankScanner::new(&text[..]);
        s.max_quoted = 100;
        assert!(s.read_to_end(&mut Vec::new()).is_ok());
    }

    #[test]
    fn normalises_line_ends_and_finds_blank_lines() {
        for (text, norm, want) in [
            (&b"a\n\nb\n"[..], &b"a\n\nb\n"[..], vec![1i64]),
            (b"a\r\n\r\nb", b"a\n\nb", vec![1]),
            (b"a\r\rb", b"a\n\nb", vec![1]),
            (b"a\nb\r\nc", b"a\nb\nc", vec![]),
            (b"\nx", b"\nx", vec![-1]),
        ] {
            // one byte at a time, to cross every buffer boundary
            struct OneByte<'a>(&'a [u8]);
            impl Read for OneByte<'_> {
                fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                    if self.0.is_empty() || buf.is_empty() {
                        return Ok(0);
                    }
                    buf[0] = self.0[0];
                    self.0 = &self.0[1..];
                    Ok(1)
                }
            }
            for small in [false, true] {
                let mut out = Vec::new();
                let blanks = if small {
                    let mut s = BlankScanner::new(OneByte(text));
                    s.read_to_end(&mut out).unwrap();
                    s.blanks.clone()
                } else {
                    let mut s = BlankScanner::new(text);
                    s.read_to_end(&mut out).unwrap();
                    s.blanks.clone()
                };
                assert_eq!(out, norm, "{:?}", String::from_utf8_lossy(text));
                assert_eq!(
                    Vec::from(blanks.borrow().clone()),
                    want,
                    "{:?}",
                    String::from_utf8_lossy(text)
                );
            }
        }
    }
}
