//! Numbers and booleans in text: trimming, integers, decimals in either
//! style (with currency, percent and grouping), the file's number style.

/// Which character separates the decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum NumStyle {
    /// `1,234.5` (English): `,` groups thousands, `.` marks decimals.
    #[default]
    Point,
    /// `1.234,5` (most of Europe): `.`, space or NBSP group thousands.
    Comma,
}

/// Trims ASCII whitespace and the no-break and zero-width spaces exports
/// put around numbers.
#[inline]
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    // visible ASCII at both ends: nothing to trim (every space trimmed
    // is ASCII whitespace or not ASCII)
    if !b.is_empty() && b[0].is_ascii_graphic() && b[b.len() - 1].is_ascii_graphic() {
        return s;
    }
    s.trim_matches(|c: char| {
        c.is_whitespace() || c == '\u{a0}' || c == '\u{200b}' || c == '\u{feff}'
    })
}

/// A plain integer: optional sign, digits, no leading zeros (`007` and zip
/// codes stay text), at most 18 digits (longer ids stay text).
#[inline]
pub fn parse_int(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 18 || (digits.len() > 1 && digits[0] == b'0') {
        return None;
    }
    let mut x: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        x = x * 10 + (d - b'0') as i64;
    }
    Some(if neg { -x } else { x })
}

/// A number as analysts' exports write it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number {
    pub value: f64,
    /// Set when the cell is a whole number written without decimals,
    /// percent sign or currency.
    pub int: Option<i64>,
    pub percent: bool,
    pub currency: bool,
}

pub(super) const CURRENCIES: &[&str] = &[
    "US$", "CA$", "AU$", "NZ$", "HK$", "R$", "A$", "C$", "$", "€", "£", "¥", "₹", "₽", "₩", "₺",
    "₪", "₫", "฿", "zł", "kr.", "kr", "CHF", "EUR", "USD", "GBP", "JPY", "INR", "Rs.", "Rs", "Rp",
];

pub(super) fn strip_currency(s: &str) -> (&str, bool) {
    for c in CURRENCIES {
        if let Some(rest) = s.strip_prefix(c) {
            return (trim(rest), true);
        }
        if let Some(rest) = s.strip_suffix(c) {
            return (trim(rest), true);
        }
    }
    (s, false)
}

/// Parses numbers with thousands separators, decimal commas (in
/// [`NumStyle::Comma`]), a percent sign (`12.5%` is 0.125), currency
/// symbols (`$1,299.00`, `US$ 0,00`), accounting negatives `(12)` and
/// exponents (`9.83E-05`). `s` must be trimmed.
pub fn parse_number(s: &str, style: NumStyle) -> Option<Number> {
    if let Some(x) = parse_int(s) {
        return Some(Number {
            value: x as f64,
            int: Some(x),
            percent: false,
            currency: false,
        });
    }
    let mut s = s;
    let mut neg = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        neg = true;
        s = trim(inner);
    }
    let mut percent = false;
    if let Some(rest) = s.strip_suffix('%') {
        percent = true;
        s = trim(rest);
    }
    if let Some(rest) = s.strip_prefix('-') {
        neg = !neg;
        s = trim(rest);
    } else if let Some(rest) = s.strip_prefix('+') {
        s = trim(rest);
    }
    let (rest, currency) = strip_currency(s);
    s = rest;
    if currency {
        if let Some(rest) = s.strip_prefix('-') {
            neg = !neg;
            s = rest;
        }
    }
    let (group, dec) = match style {
        NumStyle::Point => (b',', b'.'),
        NumStyle::Comma => (b'.', b','),
    };
    // Build a plain ASCII number in a small buffer: no allocation.
    struct Buf {
        b: [u8; 48],
        n: usize,
    }
    impl Buf {
        #[inline]
        fn push(&mut self, c: u8) -> Option<()> {
            *self.b.get_mut(self.n)? = c;
            self.n += 1;
            Some(())
        }
        fn text(&self) -> &str {
            std::str::from_utf8(&self.b[..self.n]).unwrap_or("")
        }
    }
    let mut buf = Buf { b: [0; 48], n: 0 };
    if neg {
        buf.push(b'-')?;
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut int_digits = 0usize;
    let mut groups = 0usize;
    let mut last_group_len = 0usize;
    let mut lead_zero = false;
    // integer part
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_digit() {
            if int_digits == 0 && c == b'0' {
                lead_zero = true;
            }
            int_digits += 1;
            last_group_len += 1;
            buf.push(c)?;
            i += 1;
        } else if c == group
            || (style == NumStyle::Comma && (c == b' ' || c == b'\''))
            || (style == NumStyle::Comma && s[i..].starts_with('\u{a0}'))
            || s[i..].starts_with('\u{202f}')
        {
            if groups == 0 {
                if !(1..=3).contains(&last_group_len) {
                    return None;
                }
            } else if last_group_len != 3 {
                return None;
            }
            groups += 1;
            last_group_len = 0;
            i += s[i..].chars().next().map(|c| c.len_utf8()).unwrap_or(1);
        } else {
            break;
        }
    }
    if groups > 0 && last_group_len != 3 {
        return None;
    }
    if lead_zero && int_digits > 1 {
        return None;
    }
    let mut frac_digits = 0usize;
    if i < bytes.len() && bytes[i] == dec {
        buf.push(b'.')?;
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            buf.push(bytes[i])?;
            frac_digits += 1;
            i += 1;
        }
        if frac_digits == 0 {
            return None;
        }
    }
    if int_digits == 0 && frac_digits == 0 {
        return None;
    }
    let mut exp = false;
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') && groups == 0 && int_digits > 0 {
        exp = true;
        buf.push(b'e')?;
        i += 1;
        if i < bytes.len() && (bytes[i] == b'-' || bytes[i] == b'+') {
            buf.push(bytes[i])?;
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            buf.push(bytes[i])?;
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if i != bytes.len() {
        return None;
    }
    let mut value: f64 = buf.text().parse().ok()?;
    if percent && !exp {
        // 85.79% is 85.79e-2: parsed so, it rounds like 0.8579 does
        buf.push(b'e')?;
        buf.push(b'-')?;
        buf.push(b'2')?;
        value = buf.text().parse().ok()?;
    } else if percent {
        value /= 100.0;
    }
    if !value.is_finite() {
        return None;
    }
    let int = if frac_digits == 0 && !exp && !percent && !currency && int_digits <= 18 {
        buf.text().parse::<i64>().ok()
    } else {
        None
    };
    Some(Number {
        value,
        int,
        percent,
        currency,
    })
}

/// What a cell tells about the file's number style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StyleHint {
    None,
    Point,
    Comma,
}

/// `1.5`, `2.75%` or `1,234.5` say decimal point; `1,5`, `85,79%` or
/// `1.234,5` say decimal comma; `2,533` and `2.546` say nothing (either
/// thousands or three decimals).
pub fn style_hint(s: &str) -> StyleHint {
    let b = s.as_bytes();
    let comma = memchr::memchr(b',', b);
    let dot = memchr::memchr(b'.', b);
    if comma.is_none() && dot.is_none() {
        return StyleHint::None;
    }
    let point_ok = parse_number(s, NumStyle::Point).is_some();
    let comma_ok = parse_number(s, NumStyle::Comma).is_some();
    match (point_ok, comma_ok) {
        (true, false) => StyleHint::Point,
        (false, true) => StyleHint::Comma,
        _ => StyleHint::None,
    }
}

pub fn parse_bool(s: &str) -> Option<bool> {
    if s.len() > 5 {
        return None;
    }
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The file's number style from the evidence of its cells: decimal comma
/// when more cells need it than need a decimal point (a `;` delimiter
/// breaks ties toward the comma).
pub fn decide_style(point: u64, comma: u64, semicolon: bool) -> NumStyle {
    if comma > point || (comma == point && comma > 0 && semicolon) {
        NumStyle::Comma
    } else {
        NumStyle::Point
    }
}
