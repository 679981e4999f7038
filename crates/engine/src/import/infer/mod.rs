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

mod candidates;
mod cell;
mod number;

pub use candidates::*;
pub use cell::*;
pub use number::*;

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
