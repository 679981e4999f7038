//! Type inference and value parsing for text cells.

use crate::model::ColumnType;

/// What a single cell could be. Inference narrows a column to the most
/// specific type every non-empty cell accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidates {
    pub integer: bool,
    pub decimal: bool,
    pub boolean: bool,
    pub timestamp: bool,
    pub date: bool,
    pub seen: u64,
}

impl Default for Candidates {
    fn default() -> Self {
        Candidates {
            integer: true,
            decimal: true,
            boolean: true,
            timestamp: true,
            date: true,
            seen: 0,
        }
    }
}

impl Candidates {
    pub fn observe(&mut self, s: &str) {
        let s = s.trim();
        if s.is_empty() {
            return;
        }
        self.seen += 1;
        if self.integer && parse_int(s).is_none() {
            self.integer = false;
        }
        if self.decimal && parse_decimal(s).is_none() {
            self.decimal = false;
        }
        if self.boolean && parse_bool(s).is_none() {
            self.boolean = false;
        }
        if self.date && parse_date(s).is_none() {
            self.date = false;
        }
        if self.timestamp && parse_timestamp(s).is_none() {
            self.timestamp = false;
        }
    }

    pub fn decide(&self) -> ColumnType {
        if self.seen == 0 {
            ColumnType::Text
        } else if self.boolean {
            ColumnType::Boolean
        } else if self.integer {
            ColumnType::Integer
        } else if self.decimal {
            ColumnType::Decimal
        } else if self.date {
            ColumnType::Date
        } else if self.timestamp {
            ColumnType::Timestamp
        } else {
            ColumnType::Text
        }
    }
}

/// A plain integer. Leading zeros ("007", zip codes) and more than 18
/// digits (ids) stay text, since a number would lose them.
pub fn parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty()
        || digits.len() > 18
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

pub fn parse_decimal(s: &str) -> Option<f64> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let mut digits = 0;
    let mut dots = 0;
    let mut exp = false;
    for (i, b) in body.bytes().enumerate() {
        match b {
            b'0'..=b'9' => digits += 1,
            b'.' if !exp => dots += 1,
            b'e' | b'E' if i > 0 && !exp => exp = true,
            b'+' | b'-' if exp => {}
            _ => return None,
        }
    }
    if digits == 0 || dots > 1 {
        return None;
    }
    let int_part = body.split(['.', 'e', 'E']).next().unwrap_or("");
    if int_part.len() > 1 && int_part.starts_with('0') {
        return None;
    }
    s.parse().ok().filter(|x: &f64| x.is_finite())
}

pub fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// `YYYY-MM-DD` as days since 1970-01-01.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = s[0..4].parse().ok()?;
    let m: u8 = s[5..7].parse().ok()?;
    let d: u8 = s[8..10].parse().ok()?;
    let date = time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()?;
    Some(
        (date.to_julian_day()
            - time::Date::from_calendar_date(1970, time::Month::January, 1)
                .ok()?
                .to_julian_day()) as i64,
    )
}

/// ISO 8601 date-time (`T` or space), optional fraction, optional `Z`,
/// ` UTC` or `±hh:mm` offset; microseconds since the epoch, UTC. Without an
/// offset the time is taken as UTC.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    let (s, offset_secs) = split_offset(s)?;
    let b = s.as_bytes();
    if b.len() < 16 || (b[10] != b'T' && b[10] != b' ') || b[13] != b':' {
        return None;
    }
    let days = parse_date(&s[0..10])?;
    let hh: i64 = s[11..13].parse().ok()?;
    let mm: i64 = s[14..16].parse().ok()?;
    let mut ss = 0i64;
    let mut micros = 0i64;
    let rest = &s[16..];
    if !rest.is_empty() {
        let rest = rest.strip_prefix(':')?;
        if rest.len() < 2 {
            return None;
        }
        ss = rest[0..2].parse().ok()?;
        let frac = &rest[2..];
        if !frac.is_empty() {
            let frac = frac.strip_prefix('.').or_else(|| frac.strip_prefix(','))?;
            if frac.is_empty() || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let mut f = frac.to_string();
            f.truncate(6);
            while f.len() < 6 {
                f.push('0');
            }
            micros = f.parse().ok()?;
        }
    }
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let secs = days * 86_400 + hh * 3600 + mm * 60 + ss - offset_secs;
    Some(secs * 1_000_000 + micros)
}

fn split_offset(s: &str) -> Option<(&str, i64)> {
    if let Some(x) = s.strip_suffix(" UTC").or_else(|| s.strip_suffix('Z')) {
        return Some((x, 0));
    }
    // ±hh:mm or ±hhmm after the time part
    if s.len() > 19 {
        for len in [6usize, 5] {
            if s.len() <= len {
                continue;
            }
            let (head, tail) = s.split_at(s.len() - len);
            let sign = match tail.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => continue,
            };
            let digits: String = tail[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let h: i64 = digits[0..2].parse().ok()?;
            let m: i64 = digits[2..4].parse().ok()?;
            return Some((head, sign * (h * 3600 + m * 60)));
        }
    }
    Some((s, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_keep_leading_zeros_as_text() {
        assert_eq!(parse_int("42"), Some(42));
        assert_eq!(parse_int("-7"), Some(-7));
        assert_eq!(parse_int("0"), Some(0));
        assert_eq!(parse_int("007"), None);
        assert_eq!(parse_int("1234567890123456789"), None);
        assert_eq!(parse_int("1.5"), None);
    }

    #[test]
    fn decimals() {
        assert_eq!(parse_decimal("1.5"), Some(1.5));
        assert_eq!(parse_decimal("9.83E-05"), Some(9.83e-5));
        assert_eq!(parse_decimal("abc"), None);
        assert_eq!(parse_decimal("1.2.3"), None);
        assert_eq!(parse_decimal("inf"), None);
    }

    #[test]
    fn timestamps_to_utc_micros() {
        assert_eq!(parse_timestamp("1970-01-01 00:00:01"), Some(1_000_000));
        assert_eq!(parse_timestamp("1970-01-01T00:00:01.5Z"), Some(1_500_000));
        assert_eq!(
            parse_timestamp("2019-10-01 00:00:00 UTC"),
            Some(1_569_888_000_000_000)
        );
        assert_eq!(parse_timestamp("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_timestamp("2019-13-01 00:00:00"), None);
        assert_eq!(parse_timestamp("hello"), None);
    }

    #[test]
    fn inference_picks_the_narrowest_type() {
        let decide = |cells: &[&str]| {
            let mut c = Candidates::default();
            cells.iter().for_each(|s| c.observe(s));
            c.decide()
        };
        assert_eq!(decide(&["1", "2", ""]), ColumnType::Integer);
        assert_eq!(decide(&["1", "2.5"]), ColumnType::Decimal);
        assert_eq!(decide(&["TRUE", "false"]), ColumnType::Boolean);
        assert_eq!(decide(&["2024-01-02", "2024-02-03"]), ColumnType::Date);
        assert_eq!(decide(&["2024-01-02 10:00:00"]), ColumnType::Timestamp);
        assert_eq!(decide(&["a", "1"]), ColumnType::Text);
        assert_eq!(decide(&["", ""]), ColumnType::Text);
    }
}
