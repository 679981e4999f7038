//! Segments (buyer personas): named rules over the units (users or
//! sessions) of an event dataset, evaluated over its
//! [`EventIndex`]. Conditions look at properties of the unit's events
//! (ever / first / last value), at behaviour (did or did not do an event or
//! visit a page, how often, when), at values (revenue, sessions, days
//! active, first seen) and nest in AND / OR / NOT groups. The definitions
//! are in docs/segments.md.
//!
//! `spec`: the rules as JSON; `eval`: the rules evaluated to a mask over an
//! index's units; `export`: unit ids, results, saved segments and the
//! audience CSV.

mod eval;
mod export;
mod spec;

pub use eval::*;
pub use export::*;
pub use spec::*;

use crate::calendar::format_rfc3339;
use crate::error::{Error, Result};
pub use crate::filter::range_micros;
use crate::filter::{
    parse_bound, CompiledFilter, DateRange, Filter, FilterOp, Pattern, PatternMatcher,
};
use crate::index::{EventIndex, IndexCache, SessionSource, Unit, NULL_CODE};
use crate::model::Role;
use crate::store::Workspace;
use serde::{Deserialize, Deserializer, Serialize};
use std::io::Write;
use ts_rs::TS;

const DAY_MICROS: i64 = 86_400_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_parse_by_their_keys() {
        let s = SegmentSpec::from_json(
            r#"{"name": "Filter users", "match": "all", "conditions": [
                {"did": {"event": "use_filter"}, "at_least": 1},
                {"column": "device_category", "op": "eq", "value": "mobile", "value_of": "ever"},
                {"measure": "revenue", "op": "gte", "value": 100},
                {"not": {"did_not": {"page": "/cart*"}}},
                {"match": "any", "conditions": [{"column": "country", "op": "is_set"}]}]}"#,
        )
        .unwrap();
        assert!(matches!(s.conditions[0], Condition::Behaviour(_)));
        assert!(matches!(s.conditions[1], Condition::Property(_)));
        assert!(matches!(s.conditions[2], Condition::Measure(_)));
        assert!(matches!(s.conditions[3], Condition::Not(_)));
        assert!(matches!(s.conditions[4], Condition::Group(_)));
        let again = SegmentSpec::from_json(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(again, s);
        let e =
            SegmentSpec::from_json(r#"{"name": "x", "conditions": [{"colum": "a"}]}"#).unwrap_err();
        assert!(e.to_string().contains("colum"), "{e}");
        let e = SegmentSpec::from_json(
            r#"{"name": "x", "conditions": [{"did": {"event": "a"}, "at_lest": 2}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("at_lest"), "{e}");
    }
}
