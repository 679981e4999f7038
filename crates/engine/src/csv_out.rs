//! The one CSV writer: every CSV the engine writes (report and analysis
//! tables, drop-off lists, audience lists) goes through [`CsvWriter`], so
//! there is one quoting rule and one formula-injection rule.
//!
//! - RFC 4180: comma, fields quoted when they hold a comma, a quote or a
//!   line break, quotes doubled; `\n` line ends.
//! - A text cell a spreadsheet would run as a formula, one starting with
//!   `=`, `+`, `-`, `@`, a tab or a carriage return, gets a leading
//!   apostrophe (OWASP, "CSV injection"); see [`neutralise`]. Number cells
//!   ([`Field::Number`]) are written as numbers.
//! - A failed write is `Error::Io`, naming what was being written.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::PathBuf;

/// Neutralise a text cell that a spreadsheet would run as a formula: cells
/// starting with `=`, `+`, `-`, `@`, a tab or a carriage return get a
/// leading apostrophe.
pub fn neutralise(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// One cell of a CSV row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Field<'a> {
    /// Text, neutralised.
    Text(&'a str),
    /// A number, written raw so a spreadsheet can compute with it: a whole
    /// number below 10^15 without a fraction, else Rust's shortest form;
    /// NaN and infinities as an empty cell.
    Number(f64),
    Empty,
}

impl Field<'_> {
    fn text(&self) -> String {
        match *self {
            Field::Text(s) => neutralise(s),
            Field::Number(x) if x.is_finite() => {
                if x.fract() == 0.0 && x.abs() < 1e15 {
                    format!("{}", x as i64)
                } else {
                    format!("{x}")
                }
            }
            Field::Number(_) | Field::Empty => String::new(),
        }
    }
}

/// Writes CSV rows to `W` (see the module's rules).
pub struct CsvWriter<W: Write> {
    w: csv::Writer<W>,
    what: String,
    rows: u64,
}

impl<W: Write> CsvWriter<W> {
    /// A writer into `out`; `what` names the CSV in an error ("the
    /// drop-off list").
    pub fn new(out: W, what: &str) -> CsvWriter<W> {
        CsvWriter {
            w: csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(out),
            what: what.to_string(),
            rows: 0,
        }
    }

    fn io(&self, e: impl Into<std::io::Error>) -> Error {
        let e: std::io::Error = e.into();
        Error::Io {
            path: PathBuf::from(&self.what),
            source: std::io::Error::new(e.kind(), format!("could not be written: {e}")),
        }
    }

    /// A row of text cells (a header, a list of ids), each neutralised.
    pub fn text_row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) -> Result<()> {
        self.tick()?;
        let rec: Vec<String> = cells.into_iter().map(|c| neutralise(c.as_ref())).collect();
        self.w.write_record(&rec).map_err(|e| self.io(e))
    }

    /// A row of cells of any kind.
    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = Field<'a>>) -> Result<()> {
        self.tick()?;
        let rec: Vec<String> = cells.into_iter().map(|c| c.text()).collect();
        self.w.write_record(&rec).map_err(|e| self.io(e))
    }

    /// Every 16,384 rows: progress and the running analysis's cancel.
    fn tick(&mut self) -> Result<()> {
        self.rows += 1;
        if self.rows.is_multiple_of(16_384) {
            crate::job::step(&format!("Writing {}", self.what), self.rows, 0)?;
        }
        Ok(())
    }

    /// Flushes what is buffered and gives back the output.
    pub fn finish(self) -> Result<W> {
        let what = self.what.clone();
        self.w.into_inner().map_err(|e| {
            let e = e.into_error();
            Error::Io {
                path: PathBuf::from(what),
                source: std::io::Error::new(e.kind(), format!("could not be written: {e}")),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hostile and awkward cells, as a reader reads them back.
    #[test]
    fn hostile_cells_are_neutralised_and_quoting_round_trips() {
        let cells = [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "plain",
            "",
        ];
        let mut w = CsvWriter::new(Vec::new(), "a test");
        w.text_row(["h1", "=h2"]).unwrap();
        for c in cells {
            w.row([Field::Text(c), Field::Number(-0.25)]).unwrap();
        }
        w.row([Field::Number(3.0), Field::Number(f64::NAN)])
            .unwrap();
        let bytes = w.finish().unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("h1,'=h2\n"), "{text}");
        assert!(
            text.contains("\n\"'=HYPERLINK(\"\"http://x\"\")\",-0.25\n"),
            "{text}"
        );
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice());
        let rows: Vec<Vec<String>> = rdr
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        assert_eq!(rows[0], ["h1", "'=h2"]);
        for (row, c) in rows[1..].iter().zip(cells) {
            assert_eq!(row[0], neutralise(c));
            assert_eq!(row[1], "-0.25");
        }
        assert_eq!(rows.last().unwrap(), &["3", ""]);
        assert_eq!(rows.len(), cells.len() + 2);
    }

    #[test]
    fn a_failed_write_is_an_io_error_naming_the_list() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("the disk is full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut w = CsvWriter::new(Full, "the drop-off list");
        // the csv writer buffers; the error comes at the latest on finish
        let e = w
            .text_row(["x".repeat(100_000)])
            .and_then(|_| w.finish().map(|_| ()))
            .unwrap_err();
        assert!(matches!(e, Error::Io { .. }), "{e:?}");
        let m = e.to_string();
        assert!(
            m.contains("the drop-off list") && m.contains("the disk is full"),
            "{m}"
        );
    }
}
