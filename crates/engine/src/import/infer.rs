//! Type inference and value parsing for text cells. Every rule here is a
//! pure function with unit tests; docs/import.md lists them one per line.
//!
//! Inference keeps, per column, the set of types every non-empty cell so
//! far accepts ([`Candidates`]), under both number styles (decimal point and
//! decimal comma) and both date orders (day first, month first). The file's
//! number style and date order are decided from all cells at the end, then
//! each column takes the narrowest type left ([`Candidates::decide`]).

use crate::model::ColumnType;

// Dates, times, zones and durations are read by [`crate::calendar`]; the
// names stay importable from here, where inference uses them.
pub use crate::calendar::{
    civil_from_days, iso_timestamp_cached, parse_date, parse_duration, parse_offset,
    parse_timestamp, parse_timestamp_in, DateOrder, DayCache, EpochUnit, Zone,
};

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

/// How to read the cells of one column, decided by inference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellParser {
    pub ty: ColumnType,
    pub style: NumStyle,
    pub order: DateOrder,
    /// For Timestamp columns holding integers.
    pub epoch: Option<EpochUnit>,
    /// The zone of timestamps written without one.
    pub zone: Zone,
}

impl CellParser {
    pub fn text() -> Self {
        CellParser {
            ty: ColumnType::Text,
            style: NumStyle::Point,
            order: DateOrder::Dmy,
            epoch: None,
            zone: Zone::Fixed(0),
        }
    }
}

/// A parsed cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Parsed {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    /// The text as given (Text columns, and cells that do not parse).
    Text,
}

impl CellParser {
    /// Parses one cell; `Parsed::Text` means "keep the text" for Text
    /// columns and "does not parse" (stored as null) for the others.
    #[inline]
    pub fn parse(&self, s: &str) -> Parsed {
        if self.ty == ColumnType::Text {
            return if s.is_empty() {
                Parsed::Null
            } else {
                Parsed::Text
            };
        }
        let t = trim(s);
        if t.is_empty() {
            return Parsed::Null;
        }
        let r = match self.ty {
            ColumnType::Integer => parse_number(t, self.style)
                .and_then(|n| n.int)
                .map(Parsed::Int),
            ColumnType::Decimal => parse_number(t, self.style).map(|n| Parsed::Float(n.value)),
            ColumnType::Boolean => parse_bool(t).map(Parsed::Bool),
            ColumnType::Date => parse_date(t, self.order).map(Parsed::Int),
            ColumnType::Timestamp => match self.epoch {
                Some(unit) => parse_int(t)
                    .and_then(|x| unit.to_micros(x))
                    .map(Parsed::Int),
                None => parse_timestamp_in(t, self.order, self.zone).map(Parsed::Int),
            },
            ColumnType::Duration => parse_duration(t).map(Parsed::Int),
            ColumnType::Text => None,
        };
        r.unwrap_or(Parsed::Text)
    }
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

const CURRENCIES: &[&str] = &[
    "US$", "CA$", "AU$", "NZ$", "HK$", "R$", "A$", "C$", "$", "€", "£", "¥", "₹", "₽", "₩", "₺",
    "₪", "₫", "฿", "zł", "kr.", "kr", "CHF", "EUR", "USD", "GBP", "JPY", "INR", "Rs.", "Rs", "Rp",
];

fn strip_currency(s: &str) -> (&str, bool) {
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

/// Up to this many distinct values of a column are remembered (presets and
/// event detection look at them).
pub const DISTINCT_LIMIT: usize = 24;
/// Cells of a column looked at for distinct values.
pub const DISTINCT_SAMPLE: u64 = 50_000;

/// What the cells of a column could be. Inference narrows a column to the
/// most specific type every non-empty cell accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidates {
    pub int_point: bool,
    pub int_comma: bool,
    pub dec_point: bool,
    pub dec_comma: bool,
    pub boolean: bool,
    pub date_dmy: bool,
    pub date_mdy: bool,
    pub ts_dmy: bool,
    pub ts_mdy: bool,
    pub duration: bool,
    /// Every integer is 8 digits and a valid YYYYMMDD date.
    pub yyyymmdd: bool,
    /// Some date needs day-first (day > 12) / month-first order.
    pub needs_dmy: bool,
    pub needs_mdy: bool,
    pub slashed: bool,
    /// Non-empty cells observed (the scans stop counting a settled
    /// column's cells: only `seen > 0` and the distinct sample use it).
    pub seen: u64,
    pub min_int: i64,
    pub max_int: i64,
    /// Sums of the numeric values (point style, comma style), for totals
    /// rows.
    pub sum_point: f64,
    pub sum_comma: f64,
    pub distinct: Vec<String>,
    pub distinct_overflow: bool,
    pub max_len: usize,
}

impl Default for Candidates {
    fn default() -> Self {
        Candidates {
            int_point: true,
            int_comma: true,
            dec_point: true,
            dec_comma: true,
            boolean: true,
            date_dmy: true,
            date_mdy: true,
            ts_dmy: true,
            ts_mdy: true,
            duration: true,
            yyyymmdd: true,
            needs_dmy: false,
            needs_mdy: false,
            slashed: false,
            seen: 0,
            min_int: i64::MAX,
            max_int: i64::MIN,
            sum_point: 0.0,
            sum_comma: 0.0,
            distinct: Vec::new(),
            distinct_overflow: false,
            max_len: 0,
        }
    }
}

impl Candidates {
    fn any_typed(&self) -> bool {
        self.int_point
            || self.int_comma
            || self.dec_point
            || self.dec_comma
            || self.boolean
            || self.date_dmy
            || self.date_mdy
            || self.ts_dmy
            || self.ts_mdy
            || self.duration
    }

    /// A text column whose distinct values are no longer sampled: another
    /// cell can only add to `seen` (already over zero) and `max_len`,
    /// which decide nothing, so observers may skip its cells.
    pub fn settled(&self) -> bool {
        !self.any_typed() && (self.distinct_overflow || self.seen >= DISTINCT_SAMPLE)
    }

    /// Notes one cell. Empty cells say nothing.
    pub fn observe(&mut self, raw: &str) {
        self.observe_with(raw, &mut DayCache::default());
    }

    /// [`Candidates::observe`] with a day cache for the column's ISO
    /// timestamps (the same result, faster over a column).
    #[inline]
    pub fn observe_with(&mut self, raw: &str, days: &mut DayCache) {
        let s = trim(raw);
        if s.is_empty() {
            return;
        }
        self.seen += 1;
        if s.len() > self.max_len {
            self.max_len = s.len();
        }
        // distinct values: from a sample (the first rows) only
        if !self.distinct_overflow
            && self.seen <= DISTINCT_SAMPLE
            && !self.distinct.iter().any(|d| d == s)
        {
            if self.distinct.len() >= DISTINCT_LIMIT {
                self.distinct_overflow = true;
            } else {
                self.distinct.push(s.to_string());
            }
        }
        if !self.any_typed() {
            return;
        }
        // Fast path: an ISO timestamp is no number, boolean, date or
        // duration, and reads the same in both date orders.
        if iso_timestamp_cached(s.as_bytes(), days).is_some() {
            self.yyyymmdd = false;
            self.int_point = false;
            self.int_comma = false;
            self.dec_point = false;
            self.dec_comma = false;
            self.boolean = false;
            if self.date_dmy || self.date_mdy {
                self.note_order(false, false, false);
                self.date_dmy = false;
                self.date_mdy = false;
            }
            if self.ts_dmy || self.ts_mdy {
                let (d, m) = (self.ts_dmy, self.ts_mdy);
                self.note_order(d, m, false);
            }
            self.duration = false;
            return;
        }
        self.observe_general(s);
    }

    /// [`Candidates::observe`] past the empty check and distinct values.
    fn observe_general(&mut self, s: &str) {
        // Fast path: a plain integer.
        if let Some(x) = parse_int(s) {
            self.boolean = false;
            self.ts_dmy = false;
            self.ts_mdy = false;
            self.duration = false;
            self.min_int = self.min_int.min(x);
            self.max_int = self.max_int.max(x);
            self.sum_point += x as f64;
            self.sum_comma += x as f64;
            if self.yyyymmdd && (s.len() != 8 || parse_date(s, DateOrder::Dmy).is_none()) {
                self.yyyymmdd = false;
            }
            if !self.yyyymmdd {
                self.date_dmy = false;
                self.date_mdy = false;
            }
            return;
        }
        self.yyyymmdd = false;
        if self.int_point || self.dec_point {
            match parse_number(s, NumStyle::Point) {
                Some(n) => {
                    self.sum_point += n.value;
                    if n.int.is_none() {
                        self.int_point = false;
                    }
                }
                None => {
                    self.int_point = false;
                    self.dec_point = false;
                }
            }
        }
        if self.int_comma || self.dec_comma {
            match parse_number(s, NumStyle::Comma) {
                Some(n) => {
                    self.sum_comma += n.value;
                    if n.int.is_none() {
                        self.int_comma = false;
                    }
                }
                None => {
                    self.int_comma = false;
                    self.dec_comma = false;
                }
            }
        }
        if self.boolean && parse_bool(s).is_none() {
            self.boolean = false;
        }
        let is_slashed = s.len() >= 6 && {
            let b = s.as_bytes();
            b[1..3].iter().any(|c| matches!(c, b'/' | b'-' | b'.'))
                && !(b.len() >= 5 && b[4] == b'-' && b[..4].iter().all(u8::is_ascii_digit))
        };
        if self.date_dmy || self.date_mdy {
            let d = self.date_dmy && parse_date(s, DateOrder::Dmy).is_some();
            let m = self.date_mdy && parse_date(s, DateOrder::Mdy).is_some();
            self.note_order(d, m, is_slashed);
            self.date_dmy = d;
            self.date_mdy = m;
        }
        if self.ts_dmy || self.ts_mdy {
            // an ISO date reads the same in both orders: parse once
            let b = s.as_bytes();
            let iso = b.len() > 10 && b[4] == b'-' && b[..4].iter().all(u8::is_ascii_digit);
            let (d, m) = if iso {
                let ok = parse_timestamp(s, DateOrder::Dmy, 0).is_some();
                (self.ts_dmy && ok, self.ts_mdy && ok)
            } else {
                (
                    self.ts_dmy && parse_timestamp(s, DateOrder::Dmy, 0).is_some(),
                    self.ts_mdy && parse_timestamp(s, DateOrder::Mdy, 0).is_some(),
                )
            };
            self.note_order(d, m, is_slashed);
            self.ts_dmy = d;
            self.ts_mdy = m;
        }
        if self.duration && parse_duration(s).is_none() {
            self.duration = false;
        }
    }

    fn note_order(&mut self, d: bool, m: bool, slashed: bool) {
        if slashed {
            self.slashed = true;
        }
        if d && !m {
            self.needs_dmy = true;
        }
        if m && !d {
            self.needs_mdy = true;
        }
    }

    /// True when the cell would parse as this column's decided (non-text)
    /// type: used to tell a header row from a first data row.
    pub fn accepts_typed(&self, parser: &CellParser, s: &str) -> bool {
        parser.ty != ColumnType::Text && !matches!(parser.parse(s), Parsed::Text | Parsed::Null)
    }

    /// The column's type under the file's number style. `id_like` columns
    /// (named `…id`) never become decimals; `time_like` integer columns in
    /// the epoch range become timestamps (as do unnamed ones when
    /// `epoch_without_name`).
    pub fn decide(
        &self,
        style: NumStyle,
        default_order: DateOrder,
        id_like: bool,
        time_like: bool,
        epoch_without_name: bool,
        zone: Zone,
    ) -> CellParser {
        let mut p = CellParser {
            ty: ColumnType::Text,
            style,
            order: default_order,
            epoch: None,
            zone,
        };
        if self.seen == 0 {
            return p;
        }
        let (int_ok, dec_ok) = match style {
            NumStyle::Point => (self.int_point, self.dec_point),
            NumStyle::Comma => (self.int_comma, self.dec_comma),
        };
        let order_for = |d: bool, m: bool| -> Option<DateOrder> {
            match (d, m) {
                (true, true) => Some(default_order),
                (true, false) => Some(DateOrder::Dmy),
                (false, true) => Some(DateOrder::Mdy),
                _ => None,
            }
        };
        if self.boolean {
            p.ty = ColumnType::Boolean;
        } else if int_ok && self.min_int <= self.max_int {
            if self.yyyymmdd && (time_like || !id_like) {
                p.ty = ColumnType::Date;
            } else if let Some(unit) = (time_like || epoch_without_name)
                .then(|| EpochUnit::guess(self.min_int, self.max_int))
                .flatten()
                .filter(|_| self.min_int >= 100_000_000)
            {
                p.ty = ColumnType::Timestamp;
                p.epoch = Some(unit);
            } else {
                p.ty = ColumnType::Integer;
            }
        } else if dec_ok && !id_like {
            p.ty = ColumnType::Decimal;
        } else if let Some(o) = order_for(self.date_dmy, self.date_mdy) {
            p.ty = ColumnType::Date;
            p.order = o;
        } else if let Some(o) = order_for(self.ts_dmy, self.ts_mdy) {
            p.ty = ColumnType::Timestamp;
            p.order = o;
        } else if self.duration {
            p.ty = ColumnType::Duration;
        }
        p
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

/// Names that mark an id column (never a decimal: `2697787.2422183099`
/// must stay text).
pub fn is_id_name(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    n == "id"
        || n.ends_with("_id")
        || n.ends_with(" id")
        || n.ends_with("id") && n.len() > 2 && {
            // camelCase fooId, or glued user_pseudo_id style names
            let b = name.trim().as_bytes();
            b.len() >= 3 && b[b.len() - 2] == b'I'
        }
        || n.ends_with("uuid")
        || n == "session"
        || n.ends_with("_session")
        || n.ends_with("sessionid")
}

/// Names that mark a time column (integers there may be epoch instants).
pub fn is_time_name(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    n == "time"
        || n == "ts"
        || n.contains("timestamp")
        || n.ends_with("_time")
        || n.ends_with("time")
        || n.ends_with("_ts")
        || n.ends_with("_at")
        || n.ends_with(" at")
        || n.ends_with("tstamp")
        || n.contains("epoch")
        || n.contains("date")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{iso_timestamp, parse_timestamp_general, parse_timestamp_parts};

    fn num_p(s: &str) -> Option<f64> {
        parse_number(s, NumStyle::Point).map(|n| n.value)
    }
    fn num_c(s: &str) -> Option<f64> {
        parse_number(s, NumStyle::Comma).map(|n| n.value)
    }

    #[test]
    fn integers_keep_leading_zeros_as_text() {
        assert_eq!(parse_int("42"), Some(42));
        assert_eq!(parse_int("-7"), Some(-7));
        assert_eq!(parse_int("0"), Some(0));
        assert_eq!(parse_int("007"), None);
        assert_eq!(parse_int("0000"), None);
        assert_eq!(parse_int("1234567890123456789"), None);
        assert_eq!(parse_int("1.5"), None);
        assert_eq!(parse_int(""), None);
        assert_eq!(parse_int("-"), None);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(num_p("2,533"), Some(2533.0));
        assert_eq!(
            parse_number("2,533", NumStyle::Point).unwrap().int,
            Some(2533)
        );
        assert_eq!(num_p("1,234,567.5"), Some(1_234_567.5));
        assert_eq!(num_p("12,34"), None);
        assert_eq!(num_p("1,2345"), None);
        assert_eq!(num_c("2.546"), Some(2546.0));
        assert_eq!(num_c("7.374"), Some(7374.0));
        assert_eq!(num_c("1.234.567"), Some(1_234_567.0));
        assert_eq!(num_c("1 234 567,5"), Some(1_234_567.5));
        assert_eq!(num_c("1\u{a0}234,5"), Some(1234.5));
        assert_eq!(num_c("40.0.2214.111"), None);
    }

    #[test]
    fn decimal_points_and_commas() {
        assert_eq!(num_p("1.5"), Some(1.5));
        assert_eq!(num_p(".5"), Some(0.5));
        assert_eq!(num_p("9.83E-05"), Some(9.83e-5));
        assert_eq!(num_p("1.2.3"), None);
        assert_eq!(num_p("inf"), None);
        assert_eq!(num_p("NaN"), None);
        assert_eq!(num_p("abc"), None);
        assert_eq!(num_p("00.5"), None);
        assert_eq!(num_c("1,15"), Some(1.15));
        assert_eq!(num_c("3,5"), Some(3.5));
        assert_eq!(num_c("1.5"), None);
        assert_eq!(num_p("1,15"), None);
    }

    #[test]
    fn percentages_are_fractions() {
        assert_eq!(num_p("12.5%"), Some(0.125));
        assert_eq!(num_p("27%"), Some(0.27));
        assert_eq!(num_c("85,79%"), Some(0.8579));
        assert_eq!(num_c("100\u{a0}%"), Some(1.0));
        let n = parse_number("27%", NumStyle::Point).unwrap();
        assert!(n.percent && n.int.is_none());
    }

    #[test]
    fn currency_symbols() {
        assert_eq!(num_p("$0"), Some(0.0));
        assert_eq!(num_p("$233.70"), Some(233.7));
        assert_eq!(num_p("$1,299.00"), Some(1299.0));
        assert_eq!(num_p("-$5"), Some(-5.0));
        assert_eq!(num_p("€ 12.50"), Some(12.5));
        assert_eq!(num_p("12.50 €"), Some(12.5));
        assert_eq!(num_c("US$\u{a0}0,00"), Some(0.0));
        assert_eq!(num_p("(12.00)"), Some(-12.0));
        assert!(parse_number("$0", NumStyle::Point).unwrap().int.is_none());
    }

    #[test]
    fn style_hints_from_single_cells() {
        assert_eq!(style_hint("85,79%"), StyleHint::Comma);
        assert_eq!(style_hint("1,15"), StyleHint::Comma);
        assert_eq!(style_hint("2.7018933798845173"), StyleHint::Point);
        assert_eq!(style_hint("2,533"), StyleHint::None);
        assert_eq!(style_hint("2.546"), StyleHint::None);
        assert_eq!(style_hint("hello"), StyleHint::None);
        assert_eq!(decide_style(0, 3, false), NumStyle::Comma);
        assert_eq!(decide_style(3, 3, false), NumStyle::Point);
        assert_eq!(decide_style(1, 1, true), NumStyle::Comma);
        assert_eq!(decide_style(0, 0, true), NumStyle::Point);
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("false"), Some(false));
        assert_eq!(parse_bool("1"), None);
        assert_eq!(parse_bool("yes"), None);
    }

    #[test]
    fn dates() {
        let d = |s| parse_date(s, DateOrder::Dmy);
        let m = |s| parse_date(s, DateOrder::Mdy);
        assert_eq!(d("1970-01-01"), Some(0));
        assert_eq!(d("2024-03-05"), Some(19_787));
        assert_eq!(d("20240305"), Some(19_787));
        assert_eq!(d("05/03/2024"), Some(19_787));
        assert_eq!(m("03/05/2024"), Some(19_787));
        assert_eq!(d("05-03-24"), Some(19_787));
        assert_eq!(d("05.03.2024"), Some(19_787));
        assert_eq!(
            d("17-09-14"),
            Some(parse_date("2014-09-17", DateOrder::Dmy).unwrap())
        );
        assert_eq!(m("17-09-14"), None);
        assert_eq!(d("2019-13-01"), None);
        assert_eq!(d("2023-02-29"), None);
        assert_eq!(d("2024-02-29"), Some(19_782));
        assert_eq!(d("00001231"), None);
        assert_eq!(d("12345678"), None);
        assert_eq!(d("hello"), None);
        assert_eq!(civil_from_days(19_787), (2024, 3, 5));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn timestamps_to_utc_micros() {
        let ts = |s| parse_timestamp(s, DateOrder::Dmy, 0);
        assert_eq!(ts("1970-01-01 00:00:01"), Some(1_000_000));
        assert_eq!(ts("1970-01-01T00:00:01.5Z"), Some(1_500_000));
        assert_eq!(ts("2019-10-01 00:00:00 UTC"), Some(1_569_888_000_000_000));
        assert_eq!(ts("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(ts("1970-01-01 00:00:00 -0500"), Some(5 * 3600 * 1_000_000));
        assert_eq!(ts("1970-01-01 00:00:00.123456"), Some(123_456));
        assert_eq!(ts("02/01/1970 00:00"), Some(86_400 * 1_000_000));
        assert_eq!(
            parse_timestamp("01/02/1970 12:00 AM", DateOrder::Mdy, 0),
            Some(86_400 * 1_000_000)
        );
        assert_eq!(
            parse_timestamp("01/02/1970 1:30 PM", DateOrder::Mdy, 0),
            Some((86_400 + 13 * 3600 + 1800) * 1_000_000)
        );
        assert_eq!(ts("2019-13-01 00:00:00"), None);
        assert_eq!(ts("2019-01-01"), None);
        assert_eq!(ts("hello world 12"), None);
        // a naive time in UTC+08:00 is 8 hours earlier in UTC
        assert_eq!(
            parse_timestamp("1970-01-01 08:00:00", DateOrder::Dmy, 8 * 3600),
            Some(0)
        );
    }

    #[test]
    fn iso_fast_paths_read_as_the_general_parser() {
        let samples = [
            "2024-09-01T00:00:01.457Z",
            "2024-09-01T00:00:01Z",
            "2024-09-01 23:59:60",
            "2024-09-01T00:00:01.123456789Z",
            "2024-09-01T00:00:01.1234567890Z",
            "2024-02-30T00:00:01Z",
            "2024-13-01T00:00:01Z",
            "0000-01-01T00:00:01Z",
            "2024-09-01T24:00:00Z",
            "2024-09-01T10:60:00",
            "2024-09-01T10:00:00.Z",
            "2024-09-01T10:00:00z",
            "2024-09-01T10:00:00+02:00",
            "2024-09-01T10:00:00.5 UTC",
            "2024-09-01X10:00:00",
            "2024-09-01T1a:00:00",
            "2024/09/01 10:00:00",
        ];
        let mut cache = DayCache::default();
        for s in samples.iter().chain(&samples) {
            // a shared day cache reads as a fresh one
            assert_eq!(
                iso_timestamp_cached(s.as_bytes(), &mut cache),
                iso_timestamp(s.as_bytes()),
                "{s}"
            );
        }
        for s in samples {
            for order in [DateOrder::Dmy, DateOrder::Mdy] {
                let general = parse_timestamp_general(s, order);
                if let Some(fast) = iso_timestamp(s.as_bytes()) {
                    assert_eq!(Some(fast), general, "{s}");
                }
                assert_eq!(parse_timestamp_parts(s, order), general, "{s}");
            }
            // observing through the fast path leaves the same state
            for start in [
                Candidates::default(),
                {
                    let mut c = Candidates::default();
                    c.observe("13/01/2024 10:00");
                    c
                },
                {
                    let mut c = Candidates::default();
                    c.observe("01/13/2024 10:00");
                    c
                },
                {
                    let mut c = Candidates::default();
                    c.observe("2024-01-01");
                    c
                },
            ] {
                let mut fast = start.clone();
                fast.observe(s);
                let mut slow = start.clone();
                slow.seen += 1;
                slow.max_len = slow.max_len.max(s.len());
                slow.distinct.push(s.to_string());
                slow.observe_general(s);
                assert_eq!(fast, slow, "{s}");
            }
        }
        assert_eq!(iso_timestamp(b"2024-09-01T00:00:01.457Z"), {
            Some((
                parse_timestamp("2024-09-01T00:00:01.457Z", DateOrder::Dmy, 0).unwrap(),
                Some(0),
            ))
        });
    }

    #[test]
    fn a_settled_column_changes_only_its_counts() {
        let mut c = Candidates::default();
        for i in 0..30 {
            c.observe(&format!("page{i}"));
        }
        assert!(c.settled());
        for s in ["12", "2024-01-01", "true", "1,5", "x", "01:02:03"] {
            let mut d = c.clone();
            d.observe(s);
            d.seen = c.seen;
            d.max_len = c.max_len;
            assert_eq!(d, c, "{s}");
        }
        let mut few = Candidates::default();
        few.observe("a");
        assert!(!few.settled());
        let mut num = Candidates::default();
        for i in 0..60_000 {
            num.observe(&i.to_string());
        }
        assert!(!num.settled());
    }

    #[test]
    fn named_zones_follow_daylight_saving() {
        let ams = Zone::parse("Europe/Amsterdam").unwrap();
        assert_eq!(ams.name(), "Europe/Amsterdam");
        // winter: UTC+1; summer: UTC+2
        assert_eq!(
            parse_timestamp_in("2024-01-15 13:00:00", DateOrder::Dmy, ams),
            parse_timestamp("2024-01-15 12:00:00Z", DateOrder::Dmy, 0)
        );
        assert_eq!(
            parse_timestamp_in("2024-07-15 14:00:00", DateOrder::Dmy, ams),
            parse_timestamp("2024-07-15 12:00:00Z", DateOrder::Dmy, 0)
        );
        // a written offset wins over the zone
        assert_eq!(
            parse_timestamp_in("2024-07-15 14:00:00+00:00", DateOrder::Dmy, ams),
            parse_timestamp("2024-07-15 14:00:00Z", DateOrder::Dmy, 0)
        );
        assert_eq!(Zone::parse("+05:30").unwrap().name(), "+05:30");
        assert_eq!(Zone::parse("UTC").unwrap().name(), "UTC");
        assert!(Zone::parse("Mars/Olympus").is_none());
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("UTC"), Some(0));
        assert_eq!(parse_offset("+08:00"), Some(8 * 3600));
        assert_eq!(parse_offset("-0530"), Some(-(5 * 3600 + 1800)));
        assert_eq!(parse_offset("UTC+2"), Some(7200));
        assert_eq!(parse_offset("Europe/Paris"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("00:01:23"), Some(83_000));
        assert_eq!(parse_duration("00:10:55"), Some(655_000));
        assert_eq!(parse_duration("1:00:00"), Some(3_600_000));
        assert_eq!(parse_duration("100:00:00.5"), Some(360_000_500));
        assert_eq!(parse_duration("00:61:00"), None);
        assert_eq!(parse_duration("12:30"), None);
    }

    #[test]
    fn epoch_units_from_magnitude() {
        assert_eq!(
            EpochUnit::guess(1_511_544_070, 1_512_000_000),
            Some(EpochUnit::Seconds)
        );
        assert_eq!(
            EpochUnit::guess(1_605_430_896_492, 1_605_430_896_493),
            Some(EpochUnit::Millis)
        );
        assert_eq!(
            EpochUnit::guess(1_605_937_059_520_352, 1_605_937_059_520_352),
            Some(EpochUnit::Micros)
        );
        assert_eq!(EpochUnit::guess(1, 5), None);
    }

    fn decide(cells: &[&str]) -> CellParser {
        let mut c = Candidates::default();
        cells.iter().for_each(|s| c.observe(s));
        c.decide(
            NumStyle::Point,
            DateOrder::Dmy,
            false,
            false,
            false,
            Zone::Fixed(0),
        )
    }

    #[test]
    fn inference_picks_the_narrowest_type() {
        assert_eq!(decide(&["1", "2", ""]).ty, ColumnType::Integer);
        assert_eq!(decide(&["1", "2.5"]).ty, ColumnType::Decimal);
        assert_eq!(decide(&["TRUE", "false"]).ty, ColumnType::Boolean);
        assert_eq!(decide(&["2024-01-02", "2024-02-03"]).ty, ColumnType::Date);
        assert_eq!(decide(&["2024-01-02 10:00:00"]).ty, ColumnType::Timestamp);
        assert_eq!(decide(&["00:01:23", "01:00:00"]).ty, ColumnType::Duration);
        assert_eq!(decide(&["20201101", "20210131"]).ty, ColumnType::Date);
        assert_eq!(decide(&["12.5%", "3%"]).ty, ColumnType::Decimal);
        assert_eq!(decide(&["$0", "$12.50"]).ty, ColumnType::Decimal);
        assert_eq!(decide(&["a", "1"]).ty, ColumnType::Text);
        assert_eq!(decide(&["0001", "0002"]).ty, ColumnType::Text);
        assert_eq!(decide(&["", ""]).ty, ColumnType::Text);
    }

    #[test]
    fn date_order_is_decided_from_the_data() {
        // 13/01 only fits day-first; 01/13 only month-first
        let p = decide(&["01/02/2024", "13/01/2024"]);
        assert_eq!((p.ty, p.order), (ColumnType::Date, DateOrder::Dmy));
        let p = decide(&["01/02/2024", "01/13/2024"]);
        assert_eq!((p.ty, p.order), (ColumnType::Date, DateOrder::Mdy));
        // a column that needs both orders is not a date
        assert_eq!(decide(&["13/01/2024", "01/13/2024"]).ty, ColumnType::Text);
    }

    #[test]
    fn number_style_changes_the_type() {
        let mut c = Candidates::default();
        for s in ["2.546", "449", "7.374"] {
            c.observe(s);
        }
        assert_eq!(
            c.decide(
                NumStyle::Comma,
                DateOrder::Dmy,
                false,
                false,
                false,
                Zone::Fixed(0)
            )
            .ty,
            ColumnType::Integer
        );
        assert_eq!(
            c.decide(
                NumStyle::Point,
                DateOrder::Dmy,
                false,
                false,
                false,
                Zone::Fixed(0)
            )
            .ty,
            ColumnType::Decimal
        );
    }

    #[test]
    fn epochs_need_a_time_name_or_no_header() {
        let mut c = Candidates::default();
        for s in ["1605937059520352", "1605430896492843"] {
            c.observe(s);
        }
        let p = c.decide(
            NumStyle::Point,
            DateOrder::Dmy,
            false,
            true,
            false,
            Zone::Fixed(0),
        );
        assert_eq!(
            (p.ty, p.epoch),
            (ColumnType::Timestamp, Some(EpochUnit::Micros))
        );
        assert_eq!(
            p.parse("1605937059520352"),
            Parsed::Int(1_605_937_059_520_352)
        );
        let p = c.decide(
            NumStyle::Point,
            DateOrder::Dmy,
            false,
            false,
            false,
            Zone::Fixed(0),
        );
        assert_eq!(p.ty, ColumnType::Integer);
        let mut s = Candidates::default();
        s.observe("1511544070");
        let p = s.decide(
            NumStyle::Point,
            DateOrder::Dmy,
            false,
            false,
            true,
            Zone::Fixed(0),
        );
        assert_eq!(p.parse("1511544070"), Parsed::Int(1_511_544_070_000_000));
    }

    #[test]
    fn ids_never_become_decimals() {
        let mut c = Candidates::default();
        c.observe("2697787.2422183099");
        assert_eq!(
            c.decide(
                NumStyle::Point,
                DateOrder::Dmy,
                true,
                false,
                false,
                Zone::Fixed(0)
            )
            .ty,
            ColumnType::Text
        );
        assert!(is_id_name("user_pseudo_id"));
        assert!(is_id_name("CustomerID"));
        assert!(!is_id_name("Pageviews"));
        assert!(!is_id_name("Average engagement time per session"));
        assert!(is_id_name("user_session"));
        assert!(is_time_name("event_timestamp"));
        assert!(is_time_name("Created at"));
        assert!(!is_time_name("Sessions"));
    }
}
