//! How one column's cells are read once inference has decided
//! ([`CellParser`]).

use super::*;

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
