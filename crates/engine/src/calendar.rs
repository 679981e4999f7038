//! The calendar: one home for dates and times. Reading them (calendar
//! dates in several layouts, times of day, zones and offsets, durations,
//! epoch units: what import, filters and date ranges accept), converting
//! between days since 1970 and (year, month, day), and writing them (ISO
//! dates, timestamps, RFC 3339, dates in words for reports). Dates are
//! exact integer arithmetic (Howard Hinnant's civil-date algorithms);
//! named time zones use `jiff`, the engine's one date-time crate.

/// How a slashed or dashed date like `03/04/2024` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    #[default]
    Dmy,
    Mdy,
}

/// The unit of an epoch integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EpochUnit {
    Seconds,
    Millis,
    Micros,
}

impl EpochUnit {
    pub fn to_micros(self, x: i64) -> Option<i64> {
        match self {
            EpochUnit::Seconds => x.checked_mul(1_000_000),
            EpochUnit::Millis => x.checked_mul(1_000),
            EpochUnit::Micros => Some(x),
        }
    }
    /// The unit whose instants fall in 2000..2100 for this magnitude.
    pub fn guess(min: i64, max: i64) -> Option<EpochUnit> {
        const LO: i64 = 946_684_800; // 2000-01-01
        const HI: i64 = 4_102_444_800; // 2100-01-01
        for (unit, f) in [
            (EpochUnit::Seconds, 1i64),
            (EpochUnit::Millis, 1_000),
            (EpochUnit::Micros, 1_000_000),
        ] {
            if min >= LO.saturating_mul(f) && max < HI.saturating_mul(f) {
                return Some(unit);
            }
        }
        None
    }
}

/// The time zone of timestamps written without one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    /// Seconds east of UTC.
    Fixed(i32),
    /// A named (IANA) zone, with its daylight-saving rules.
    Named(&'static jiff::tz::TimeZone),
}

impl Default for Zone {
    fn default() -> Self {
        Zone::Fixed(0)
    }
}

impl Zone {
    /// A zone from `UTC`, an offset (`+02:00`, `-0500`, `UTC+8`) or an
    /// IANA name (`Europe/Amsterdam`).
    pub fn parse(s: &str) -> Option<Zone> {
        if let Some(off) = parse_offset(s) {
            return Some(Zone::Fixed(off));
        }
        static CACHE: std::sync::OnceLock<
            std::sync::Mutex<std::collections::HashMap<String, &'static jiff::tz::TimeZone>>,
        > = std::sync::OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let mut map = cache.lock().ok()?;
        if let Some(tz) = map.get(s.trim()) {
            return Some(Zone::Named(tz));
        }
        let tz = jiff::tz::TimeZone::get(s.trim()).ok()?;
        // one small allocation per zone name, kept for the process
        let tz: &'static jiff::tz::TimeZone = Box::leak(Box::new(tz));
        map.insert(s.trim().to_string(), tz);
        Some(Zone::Named(tz))
    }
    /// `UTC`, `+02:00` or the zone's name.
    pub fn name(&self) -> String {
        match self {
            Zone::Fixed(0) => "UTC".into(),
            Zone::Fixed(secs) => {
                let sign = if *secs < 0 { '-' } else { '+' };
                let a = secs.abs();
                format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
            }
            Zone::Named(tz) => tz.iana_name().unwrap_or("local").to_string(),
        }
    }
    /// A local date-time (µs since 1970 as if it were UTC) to a UTC
    /// instant; a local time skipped by a daylight-saving change moves
    /// forward by the gap, a repeated one takes the earlier instant
    /// (Temporal's "compatible" rule).
    pub fn local_to_utc(&self, local: i64) -> Option<i64> {
        match self {
            Zone::Fixed(off) => Some(local - *off as i64 * 1_000_000),
            Zone::Named(tz) => {
                let ts = jiff::Timestamp::from_microsecond(local).ok()?;
                let dt = jiff::tz::TimeZone::UTC.to_datetime(ts);
                let t = tz.to_ambiguous_timestamp(dt).compatible().ok()?;
                Some(t.as_microsecond())
            }
        }
    }
}

/// (year, month, day) to days since 1970-01-01, for years 1 to 9999;
/// `None` for a date that does not exist.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> Option<i64> {
    if !(1..=12).contains(&m) || d == 0 || !(1..=9999).contains(&y) {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mdays = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if d > mdays[(m - 1) as usize] {
        return None;
    }
    // Howard Hinnant's algorithm.
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Days since 1970-01-01 to (year, month, day).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn num(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 4 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |a, &d| a * 10 + (d - b'0') as u32))
}

/// A calendar date as days since 1970-01-01: ISO `2024-03-05` (also with
/// `/` or `.`), GA4's `20240305` (years 1990–2099), and day/month/year
/// with `/`, `-` or `.` and 2- or 4-digit years, read in `order`.
/// Two-digit years are 2000–2069 and 1970–1999.
pub fn parse_date(s: &str, order: DateOrder) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        let y = num(&b[0..4])? as i64;
        if !(1990..2100).contains(&y) {
            return None;
        }
        return days_from_civil(y, num(&b[4..6])?, num(&b[6..8])?);
    }
    if !(6..=10).contains(&b.len()) {
        return None;
    }
    let sep = *b.iter().find(|c| !c.is_ascii_digit())?;
    if !matches!(sep, b'-' | b'/' | b'.') {
        return None;
    }
    let mut parts = b.split(|&c| c == sep);
    let (p1, p2, p3) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    if p1.len() == 4 {
        if p2.is_empty() || p2.len() > 2 || p3.is_empty() || p3.len() > 2 {
            return None;
        }
        return days_from_civil(num(p1)? as i64, num(p2)?, num(p3)?);
    }
    if p1.is_empty() || p1.len() > 2 || p2.is_empty() || p2.len() > 2 {
        return None;
    }
    let y = match p3.len() {
        4 => num(p3)? as i64,
        2 => {
            let yy = num(p3)? as i64;
            if yy < 70 {
                2000 + yy
            } else {
                1900 + yy
            }
        }
        _ => return None,
    };
    let (d, m) = match order {
        DateOrder::Dmy => (num(p1)?, num(p2)?),
        DateOrder::Mdy => (num(p2)?, num(p1)?),
    };
    days_from_civil(y, m, d)
}

/// A time zone offset: `Z`, `UTC`, `GMT`, `+01:00`, `-0500`, `+08`.
/// Returns seconds east of UTC.
pub fn parse_offset(s: &str) -> Option<i32> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") || s.eq_ignore_ascii_case("gmt")
    {
        return Some(0);
    }
    let s = s
        .strip_prefix("UTC")
        .or_else(|| s.strip_prefix("GMT"))
        .unwrap_or(s);
    let b = s.as_bytes();
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = &b[1..];
    let (h, m) = match rest.len() {
        1 | 2 => (num(rest)?, 0),
        4 => (num(&rest[0..2])?, num(&rest[2..4])?),
        5 if rest[2] == b':' => (num(&rest[0..2])?, num(&rest[3..5])?),
        _ => return None,
    };
    if h > 14 || m > 59 {
        return None;
    }
    Some(sign * (h as i32 * 3600 + m as i32 * 60))
}

/// Splits a trailing zone (`Z`, ` UTC`, `+02:00`, ` -0500`) off a
/// date-time; returns the rest and the offset if there was one.
fn split_zone(s: &str) -> (&str, Option<i32>) {
    if let Some(r) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        return (r, Some(0));
    }
    for suffix in [" UTC", " GMT", " Z"] {
        if let Some(r) = s.strip_suffix(suffix) {
            return (r.trim_end(), Some(0));
        }
    }
    // an offset after the time (`s` starts with the time of day)
    let b = s.as_bytes();
    if b.len() > 6 {
        if let Some(pos) = b[5..].iter().rposition(|&c| c == b'+' || c == b'-') {
            let pos = pos + 5;
            if let Some(off) = parse_offset(&s[pos..]) {
                return (s[..pos].trim_end(), Some(off));
            }
        }
    }
    (s, None)
}

/// Time of day `HH:MM[:SS[.ffffff]]` with optional ` AM`/` PM`, as
/// microseconds since midnight.
fn parse_time_of_day(s: &str) -> Option<i64> {
    let (s, ampm) = if let Some(r) = s.strip_suffix("AM").or_else(|| s.strip_suffix("am")) {
        (r.trim_end(), Some(false))
    } else if let Some(r) = s.strip_suffix("PM").or_else(|| s.strip_suffix("pm")) {
        (r.trim_end(), Some(true))
    } else {
        (s, None)
    };
    let b = s.as_bytes();
    let c1 = b.iter().position(|&c| c == b':')?;
    let mut h = num(&b[..c1])? as i64;
    if c1 > 2 {
        return None;
    }
    let rest = &b[c1 + 1..];
    if rest.len() < 2 {
        return None;
    }
    let m = num(&rest[..2])? as i64;
    let mut sec = 0i64;
    let mut micros = 0i64;
    let rest = &rest[2..];
    if !rest.is_empty() {
        if rest[0] != b':' || rest.len() < 3 {
            return None;
        }
        sec = num(&rest[1..3])? as i64;
        let frac = &rest[3..];
        if !frac.is_empty() {
            if frac[0] != b'.' && frac[0] != b',' {
                return None;
            }
            let digits = &frac[1..];
            if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            for i in 0..6 {
                micros = micros * 10 + digits.get(i).map(|d| (d - b'0') as i64).unwrap_or(0);
            }
        }
    }
    if let Some(pm) = ampm {
        if !(1..=12).contains(&h) {
            return None;
        }
        h = h % 12 + if pm { 12 } else { 0 };
    }
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    Some(((h * 60 + m) * 60 + sec) * 1_000_000 + micros)
}

/// A date-time as microseconds since 1970-01-01 UTC: a date
/// ([`parse_date`]) then `T` or space and a time of day, then an optional
/// zone. Without a zone the time is local to `tz_offset` (seconds east of
/// UTC). A date alone is not a timestamp.
pub fn parse_timestamp(s: &str, order: DateOrder, tz_offset: i32) -> Option<i64> {
    let (local, zone) = parse_timestamp_parts(s, order)?;
    let offset = zone.unwrap_or(tz_offset) as i64;
    Some(local - offset * 1_000_000)
}

/// [`parse_timestamp`] with a named or fixed zone for local times.
pub fn parse_timestamp_in(s: &str, order: DateOrder, zone: Zone) -> Option<i64> {
    let (local, explicit) = parse_timestamp_parts(s, order)?;
    match explicit {
        Some(off) => Some(local - off as i64 * 1_000_000),
        None => zone.local_to_utc(local),
    }
}

/// The date-time as µs since 1970 read as if UTC, and the zone offset
/// written in it, if any.
pub(crate) fn parse_timestamp_parts(s: &str, order: DateOrder) -> Option<(i64, Option<i32>)> {
    let b = s.as_bytes();
    if let Some(r) = iso_timestamp(b) {
        return Some(r);
    }
    parse_timestamp_general(s, order)
}

/// [`parse_timestamp_parts`] without the ISO fast path.
pub(crate) fn parse_timestamp_general(s: &str, order: DateOrder) -> Option<(i64, Option<i32>)> {
    let b = s.as_bytes();
    if b.len() < 12 || b.len() > 40 || !b[0].is_ascii_digit() {
        return None;
    }
    let split = b.iter().position(|&c| c == b'T' || c == b' ')?;
    let days = parse_date(&s[..split], order)?;
    let (time, zone) = split_zone(s[split + 1..].trim_start());
    let tod = parse_time_of_day(time)?;
    Some((days * 86_400 * 1_000_000 + tod, zone))
}

/// The fixed ISO layout `YYYY-MM-DDTHH:MM:SS[.f…][Z]` (`T` or a space,
/// 1–9 fraction digits), read without splitting: the local µs and the
/// zone, exactly as the general parser reads it. `None` for any other
/// layout or an invalid value (the general parser then decides).
#[inline]
pub(crate) fn iso_timestamp(b: &[u8]) -> Option<(i64, Option<i32>)> {
    iso_timestamp_cached(b, &mut DayCache::default())
}

/// The last calendar date read (`YYYY-MM-DD` and its day number), so a
/// column of timestamps reads each day once.
#[derive(Debug, Clone, Copy, Default)]
pub struct DayCache {
    key: [u8; 10],
    days: i64,
}

/// [`iso_timestamp`] reusing the day of the previous cell when the date is
/// the same.
#[inline]
pub fn iso_timestamp_cached(b: &[u8], cache: &mut DayCache) -> Option<(i64, Option<i32>)> {
    if b.len() < 19
        || b.len() > 30
        || b[4] != b'-'
        || b[7] != b'-'
        || (b[10] != b'T' && b[10] != b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let d2 = |i: usize| -> Option<u32> {
        let (x, y) = (b[i].wrapping_sub(b'0'), b[i + 1].wrapping_sub(b'0'));
        (x < 10 && y < 10).then_some(x as u32 * 10 + y as u32)
    };
    let (h, mi, sec) = (d2(11)?, d2(14)?, d2(17)?);
    let mut rest = &b[19..];
    let mut zone = None;
    if let Some((&b'Z', r)) = rest.split_last() {
        zone = Some(0);
        rest = r;
    }
    let mut micros = 0i64;
    if !rest.is_empty() {
        let digits = &rest[1..];
        if rest[0] != b'.' || digits.is_empty() || digits.len() > 9 {
            return None;
        }
        for (i, &c) in digits.iter().enumerate() {
            let x = c.wrapping_sub(b'0');
            if x >= 10 {
                return None;
            }
            if i < 6 {
                micros = micros * 10 + x as i64;
            }
        }
        for _ in digits.len()..6 {
            micros *= 10;
        }
    }
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let days = if b[..10] == cache.key {
        cache.days
    } else {
        let y = d2(0)? * 100 + d2(2)?;
        let days = days_from_civil(y as i64, d2(5)?, d2(8)?)?;
        cache.key.copy_from_slice(&b[..10]);
        cache.days = days;
        days
    };
    let tod = ((h as i64 * 60 + mi as i64) * 60 + sec as i64) * 1_000_000 + micros;
    Some((days * 86_400 * 1_000_000 + tod, zone))
}

/// A length of time `H:MM:SS` or `HH:MM:SS(.fff)` (hours may exceed 24),
/// as milliseconds.
pub fn parse_duration(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let (neg, b) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    let c1 = b.iter().position(|&c| c == b':')?;
    if c1 == 0 || c1 > 6 {
        return None;
    }
    let h = num(&b[..c1.min(4)])
        .filter(|_| c1 <= 4)
        .or_else(|| std::str::from_utf8(&b[..c1]).ok()?.parse().ok())? as i64;
    let rest = &b[c1 + 1..];
    if rest.len() < 5 || rest[2] != b':' {
        return None;
    }
    let m = num(&rest[0..2])? as i64;
    let sec = num(&rest[3..5])? as i64;
    let mut ms = 0i64;
    let frac = &rest[5..];
    if !frac.is_empty() {
        if frac[0] != b'.' || frac.len() < 2 || frac.len() > 10 {
            return None;
        }
        let digits = &frac[1..];
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        for i in 0..3 {
            ms = ms * 10 + digits.get(i).map(|d| (d - b'0') as i64).unwrap_or(0);
        }
    }
    if m > 59 || sec > 59 {
        return None;
    }
    let v = ((h * 60 + m) * 60 + sec) * 1000 + ms;
    Some(if neg { -v } else { v })
}

// ---- writing ---------------------------------------------------------------

/// Microseconds in a day.
pub const DAY_MICROS: i64 = 86_400_000_000;

/// (year, month, day) to days since 1970-01-01 for any year (proleptic
/// Gregorian): [`days_from_civil`] without its range check.
pub fn ymd_to_days(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The first and last day (since 1970) of the calendar the engine writes:
/// -9999-01-01 to 9999-12-31.
fn day_range() -> (i64, i64) {
    (ymd_to_days(-9999, 1, 1), ymd_to_days(9999, 12, 31))
}

/// A calendar day (-9999-01-01 to 9999-12-31), ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    days: i64,
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// The day `days` after 1970-01-01, if within the calendar.
    pub fn from_days(days: i64) -> Option<Date> {
        let (lo, hi) = day_range();
        if days < lo || days > hi {
            return None;
        }
        let (y, m, d) = civil_from_days(days);
        Some(Date {
            days,
            year: y as i32,
            month: m as u8,
            day: d as u8,
        })
    }
    /// The day an instant (µs since 1970, UTC) falls on.
    pub fn of_micros(micros: i64) -> Option<Date> {
        let days = micros.div_euclid(DAY_MICROS);
        // as a julian day number in an i32, as the day was always counted
        let jd = (days + 2_440_588) as i32;
        Date::from_days(jd as i64 - 2_440_588)
    }
    /// A date written `YYYY-MM-DD` in the first ten characters of `s`
    /// (years 0000 to 9999).
    pub fn parse_iso(s: &str) -> Option<Date> {
        let b = s.get(..10)?.as_bytes();
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |a, &c| {
                c.is_ascii_digit().then(|| a * 10 + (c - b'0') as u32)
            })
        };
        if b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let (y, m, d) = (digits(0..4)? as i64, digits(5..7)?, digits(8..10)?);
        if !(1..=12).contains(&m) || d == 0 || d > 31 {
            return None;
        }
        let days = ymd_to_days(y, m, d);
        let date = Date::from_days(days)?;
        (date.month as u32 == m && date.day as u32 == d).then_some(date)
    }
    /// Today (UTC).
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date::from_days(secs.div_euclid(86_400)).unwrap_or(Date {
            days: 0,
            year: 1970,
            month: 1,
            day: 1,
        })
    }
    pub fn days(&self) -> i64 {
        self.days
    }
    pub fn year(&self) -> i32 {
        self.year
    }
    /// 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }
    pub fn day(&self) -> u8 {
        self.day
    }
}

/// English month names, January first.
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "1 September 2024".
pub fn long_date(d: Date) -> String {
    format!(
        "{} {} {}",
        d.day(),
        MONTHS[d.month() as usize - 1],
        d.year()
    )
}

/// "1–30 September 2024", "28 August – 3 September 2024",
/// "20 December 2024 – 5 January 2025".
pub fn range_text(a: Date, b: Date) -> String {
    if a == b {
        long_date(a)
    } else if a.year() == b.year() && a.month() == b.month() {
        format!(
            "{}\u{2013}{} {} {}",
            a.day(),
            b.day(),
            MONTHS[a.month() as usize - 1],
            a.year()
        )
    } else if a.year() == b.year() {
        format!(
            "{} {} \u{2013} {}",
            a.day(),
            MONTHS[a.month() as usize - 1],
            long_date(b)
        )
    } else {
        format!("{} \u{2013} {}", long_date(a), long_date(b))
    }
}

/// (year, month) of a day since the epoch, within the calendar.
pub fn month_of(days: i64) -> Option<(i64, i64)> {
    let d = Date::from_days(days)?;
    Some((d.year() as i64, d.month() as i64))
}

/// Days since the epoch as `YYYY-MM-DD` (the number itself outside the
/// calendar).
pub fn format_date(days: i64) -> String {
    match Date::from_days(days) {
        Some(d) => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        None => days.to_string(),
    }
}

/// (date, hour, minute, second) of whole seconds since the epoch, within
/// the calendar.
fn date_time(secs: i64) -> Option<(Date, i64, i64, i64)> {
    let d = Date::from_days(secs.div_euclid(86_400))?;
    let s = secs.rem_euclid(86_400);
    Some((d, s / 3600, s / 60 % 60, s % 60))
}

/// Microseconds since the epoch as `YYYY-MM-DD HH:MM:SS[.fff[fff]]` UTC:
/// whole seconds bare, else milliseconds (three digits, so a column lines
/// up: `22.230`, `49.100`), or microseconds where they are not whole ms.
pub fn format_timestamp(us: i64) -> String {
    let secs = us.div_euclid(1_000_000);
    let frac = us.rem_euclid(1_000_000);
    match date_time(secs) {
        Some((d, h, mi, s)) => {
            let base = format!(
                "{:04}-{:02}-{:02} {h:02}:{mi:02}:{s:02}",
                d.year(),
                d.month(),
                d.day(),
            );
            if frac == 0 {
                base
            } else if frac % 1000 == 0 {
                format!("{base}.{:03}", frac / 1000)
            } else {
                format!("{base}.{frac:06}")
            }
        }
        None => us.to_string(),
    }
}

/// Microseconds since the epoch as RFC 3339 UTC to the second
/// (`2024-09-01T12:00:00Z`); empty for years before 0000, the number itself
/// outside the calendar.
pub fn format_rfc3339(micros: i64) -> String {
    match date_time(micros.div_euclid(1_000_000)) {
        Some((d, _, _, _)) if d.year() < 0 => String::new(),
        Some((d, h, mi, s)) => format!(
            "{:04}-{:02}-{:02}T{h:02}:{mi:02}:{s:02}Z",
            d.year(),
            d.month(),
            d.day()
        ),
        None => micros.to_string(),
    }
}

/// Now, as RFC 3339 UTC to the second.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    format_rfc3339(secs * 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_dates_agree() {
        for days in [-719_528i64, -1, 0, 19_967, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(ymd_to_days(y, m, d), days);
            if (1..=9999).contains(&y) {
                assert_eq!(days_from_civil(y, m, d), Some(days));
            }
        }
        assert_eq!(format_date(19_967), "2024-09-01");
        assert_eq!(format_date(i64::MAX), i64::MAX.to_string());
        assert_eq!(format_date(3_000_000), "3000000");
        assert_eq!(month_of(19_967), Some((2024, 9)));
        assert_eq!(month_of(3_000_000), None);
        assert_eq!(
            format_rfc3339(1_725_148_800_000_000),
            "2024-09-01T00:00:00Z"
        );
        assert_eq!(format_rfc3339(-62_198_755_200_000_000), "");
        assert_eq!(
            format_timestamp(1_725_148_822_230_000),
            "2024-09-01 00:00:22.230"
        );
        assert_eq!(
            format_timestamp(1_725_148_822_000_001),
            "2024-09-01 00:00:22.000001"
        );
        assert_eq!(
            Date::parse_iso("2024-02-29x").map(|d| d.days()),
            Some(19_782)
        );
        assert_eq!(Date::parse_iso("2023-02-29"), None);
        assert_eq!(Date::parse_iso("2024-9-01"), None);
        let (a, b) = (
            Date::parse_iso("2024-08-28").unwrap(),
            Date::parse_iso("2024-09-03").unwrap(),
        );
        assert_eq!(range_text(a, b), "28 August \u{2013} 3 September 2024");
        assert!(a < b);
    }
}
