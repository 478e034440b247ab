use super::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}
use crate::testing::at;

#[test]
fn week_starts_on_monday_midnight_utc() {
    assert_eq!(week_start(at("2026-01-04T23:59:59Z")), day("2025-12-29")); // Sunday
    assert_eq!(week_start(at("2026-01-05T00:00:00Z")), day("2026-01-05")); // Monday
    // 01:00 on Monday in +02:00 is still Sunday in UTC.
    assert_eq!(
        week_start(at("2026-01-05T01:00:00+02:00")),
        day("2025-12-29")
    );
    assert!(is_monday(week_start(at("2024-02-29T12:00:00Z"))));
}

#[test]
fn month_is_the_utc_calendar_month() {
    assert_eq!(
        YearMonth::of(at("2026-01-31T23:59:59Z")).to_string(),
        "2026-01"
    );
    assert_eq!(
        YearMonth::of(at("2026-02-01T00:30:00+01:00")).to_string(),
        "2026-01"
    );
    assert_eq!(
        YearMonth::of(at("2026-02-01T00:00:00Z")).to_string(),
        "2026-02"
    );
}

#[test]
fn query_days_are_strict() {
    assert!(DateRange::parse_day("from", "2026-01-05").is_ok());
    for bad in [
        "2026-1-5",
        "2026-02-30",
        "",
        "+12345-01-01",
        "0000-12-31",
        "yesterday",
        "2026-01-05T00:00:00Z",
    ] {
        assert!(DateRange::parse_day("from", bad).is_err(), "{bad}");
    }
}

#[test]
fn from_after_to_is_refused_and_equal_days_allowed() {
    assert!(DateRange::new(day("2026-01-02"), day("2026-01-01")).is_err());
    let r = DateRange::new(day("2026-01-01"), day("2026-01-01")).unwrap();
    assert!(r.contains(at("2026-01-01T00:00:00Z")));
    assert!(r.contains(at("2026-01-01T23:59:59.999Z")));
    assert!(!r.contains(at("2026-01-02T00:00:00Z")));
    assert!(!r.contains(at("2025-12-31T23:59:59Z")));
}

#[test]
fn defaults_cover_full_periods_before_today() {
    // Wednesday 2026-11-25
    let w = Period::Weeks(12).last_full(day("2026-11-25"));
    assert_eq!((w.from, w.to), (day("2026-08-31"), day("2026-11-22")));
    let m = Period::Months(12).last_full(day("2026-11-25"));
    assert_eq!((m.from, m.to), (day("2025-11-01"), day("2026-10-31")));
    let m = Period::Months(1).last_full(day("2026-03-01"));
    assert_eq!((m.from, m.to), (day("2026-02-01"), day("2026-02-28")));
}

#[test]
fn from_query_fills_missing_ends() {
    let today = day("2026-11-25"); // a Wednesday
    let weeks = Period::Weeks(12);
    let months = Period::Months(12);
    let range =
        |from, to, period| DateRange::from_query(from, to, today, period).map(|r| (r.from, r.to));
    // Neither: the default window.
    assert_eq!(
        range(None, None, weeks),
        Ok((day("2026-08-31"), day("2026-11-22")))
    );
    // Only `from`: the default window's end, or today when `from` lies after it.
    assert_eq!(
        range(Some("2026-09-07"), None, weeks),
        Ok((day("2026-09-07"), day("2026-11-22")))
    );
    assert_eq!(
        range(Some("2026-11-01"), None, months),
        Ok((day("2026-11-01"), today))
    );
    assert_eq!(range(Some("2026-11-25"), None, weeks), Ok((today, today)));
    assert!(range(Some("2026-11-26"), None, weeks).is_err());
    // Only `to`: the default window's start, or the 12 buckets ending with the one holding
    // `to` when it lies before the window.
    assert_eq!(
        range(None, Some("2026-10-01"), weeks),
        Ok((day("2026-08-31"), day("2026-10-01")))
    );
    assert_eq!(
        range(None, Some("2026-12-31"), months),
        Ok((day("2025-11-01"), day("2026-12-31")))
    );
    assert_eq!(
        range(None, Some("2024-01-31"), weeks),
        Ok((day("2023-11-13"), day("2024-01-31")))
    );
    assert_eq!(
        range(None, Some("2024-01-31"), months),
        Ok((day("2023-02-01"), day("2024-01-31")))
    );
    // Near the start of the calendar the window saturates rather than failing.
    assert_eq!(
        range(None, Some("0001-01-03"), months),
        Ok((day("0001-01-01"), day("0001-01-03")))
    );
    // Both: as given.
    assert_eq!(
        range(Some("2026-01-01"), Some("2026-01-01"), weeks),
        Ok((day("2026-01-01"), day("2026-01-01")))
    );
}

#[test]
fn day_shape_needs_ascii_digits_and_dashes() {
    for bad in [
        "+202-01-01",
        "2026- 1-05",
        " 2026-01-5",
        "2026/01/05",
        "２０２６-01-05",
    ] {
        assert!(!is_iso_day_shaped(bad), "{bad}");
        assert!(DateRange::parse_day("to", bad).is_err(), "{bad}");
    }
    assert!(is_iso_day_shaped("2026-01-05"));
}

#[test]
fn config_instants_accept_days_and_offsets() {
    assert_eq!(
        parse_config_instant("2026-01-01"),
        Some(at("2026-01-01T00:00:00Z"))
    );
    assert_eq!(
        parse_config_instant("2026-01-01T02:00:00+02:00"),
        Some(at("2026-01-01T00:00:00Z"))
    );
    assert_eq!(parse_config_instant("2026-13-01"), None);
    assert_eq!(parse_config_instant("01/01/2026"), None);
}

#[test]
fn a_leap_second_becomes_the_next_second() {
    let leap = parse_config_instant("2016-12-31T23:59:60Z").expect("a leap second parses");
    assert_eq!(leap, at("2017-01-01T00:00:00Z"));
    assert_eq!(leap.nanosecond(), 0);
    let leap = parse_config_instant("2016-12-31T23:59:60.25+00:00").expect("parses");
    assert_eq!(leap, at("2017-01-01T00:00:00.25Z"));
    assert_eq!(
        floor_to_micros(at("2026-01-01T00:00:00.0000019Z")),
        at("2026-01-01T00:00:00.000001Z")
    );
}
