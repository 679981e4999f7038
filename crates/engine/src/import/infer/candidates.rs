//! What the cells of a column could be ([`Candidates`]), narrowed cell by
//! cell and decided at the end, and the names that mark id and time columns.

use super::*;

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
    pub(super) fn observe_general(&mut self, s: &str) {
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
