//! Printing and spec-reading helpers shared by the commands.

use serde::Serialize;
use std::io::Write;
use stepwise_engine::{DatasetInfo, Error};

/// A JSON spec file, parsed; errors name the file, line and column.
pub fn parse_spec<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<T, Error> {
    let text = read_spec(path)?;
    serde_json::from_str(&text).map_err(|e| {
        Error::bad_input(
            stepwise_engine::Location::file(path).row(e.line() as u64),
            format!("column {}: {}", e.column(), e),
        )
    })
}

/// A spec file's text; `-` reads standard input.
pub fn read_spec(path: &std::path::Path) -> Result<String, Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).map_err(io)?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(io)
    }
}

pub fn pct(x: f64) -> String {
    if x > 0.0 && x < 0.01 {
        format!("{:.2}%", x * 100.0)
    } else {
        format!("{:.1}%", x * 100.0)
    }
}

pub fn duration(secs: Option<f64>) -> String {
    match secs {
        None => "–".into(),
        Some(s) if s < 60.0 => format!("{s:.0} s"),
        Some(s) if s < 3600.0 => format!("{} min {} s", (s / 60.0) as u64, (s % 60.0) as u64),
        Some(s) if s < 86_400.0 => format!("{:.1} h", s / 3600.0),
        Some(s) => format!("{:.1} days", s / 86_400.0),
    }
}

/// Bad usage (a malformed option value) exits 2, as clap does.
pub fn usage_error(msg: &str) -> ! {
    eprintln!("stepwise: {msg}");
    std::process::exit(2)
}

pub fn print_json<T: Serialize>(v: &T) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, v);
    let _ = writeln!(out);
}

pub fn print_columns(info: &DatasetInfo) {
    for c in &info.columns {
        println!(
            "  {:<32} {:<10} {}",
            c.name,
            c.ty.as_str(),
            c.role.map(|r| r.as_str()).unwrap_or("")
        );
    }
}

/// 1234567 -> "1,234,567"
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_separators() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(780928), "780,928");
        assert_eq!(super::thousands(12345678), "12,345,678");
    }
}
