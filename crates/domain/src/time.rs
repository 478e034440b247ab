//! Calendar rules, all in UTC: ISO weeks starting Monday 00:00, calendar months, and the
//! inclusive day ranges the API takes (`from`/`to`).

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use std::fmt;
use thiserror::Error;

/// Earliest and latest day the API accepts; keeps every instant well inside chrono's range.
const MIN_YEAR: i32 = 1;
const MAX_YEAR: i32 = 9999;

/// Midnight UTC at the start of `day`.
pub fn start_of_day(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_time(chrono::NaiveTime::MIN))
}

/// The Monday (UTC) of the ISO week containing `t`.
pub fn week_start(t: DateTime<Utc>) -> NaiveDate {
    let day = t.date_naive();
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// A calendar month, shown as `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    /// 1..=12
    pub month: u32,
}

impl YearMonth {
    /// The UTC calendar month containing `t`.
    pub fn of(t: DateTime<Utc>) -> Self {
        Self {
            year: t.year(),
            month: t.month(),
        }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Why a `from`/`to` pair was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DateRangeError {
    #[error(
        "`{field}` must be a date formatted YYYY-MM-DD between {MIN_YEAR:04}-01-01 and {MAX_YEAR}-12-31, got {value:?}"
    )]
    BadDate { field: &'static str, value: String },
    #[error("`from` ({from}) is after `to` ({to})")]
    FromAfterTo { from: NaiveDate, to: NaiveDate },
}

/// An inclusive range of UTC days, `from..=to`, applied to `merged_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DateRange {
    /// Builds a range, refusing `from > to`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, DateRangeError> {
        if from > to {
            return Err(DateRangeError::FromAfterTo { from, to });
        }
        Ok(Self { from, to })
    }

    /// Parses one `YYYY-MM-DD` query value; `field` names it in the error.
    pub fn parse_day(field: &'static str, value: &str) -> Result<NaiveDate, DateRangeError> {
        let bad = || DateRangeError::BadDate {
            field,
            value: value.to_owned(),
        };
        // Exactly 10 characters: chrono alone would also accept "+12345-01-01" or "2026-1-5".
        if value.len() != 10 {
            return Err(bad());
        }
        let day = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| bad())?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&day.year()) {
            return Err(bad());
        }
        Ok(day)
    }

    /// Builds the range from optional query values, filling a missing end from `default`.
    pub fn from_query(
        from: Option<&str>,
        to: Option<&str>,
        default: DateRange,
    ) -> Result<Self, DateRangeError> {
        let from = from
            .map(|v| Self::parse_day("from", v))
            .transpose()?
            .unwrap_or(default.from);
        let to = to
            .map(|v| Self::parse_day("to", v))
            .transpose()?
            .unwrap_or(default.to);
        Self::new(from, to)
    }

    /// The last `weeks` full ISO weeks before the week containing `today`.
    pub fn last_full_weeks(today: NaiveDate, weeks: u32) -> Self {
        let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        Self {
            from: this_monday - Duration::weeks(i64::from(weeks)),
            to: this_monday - Duration::days(1),
        }
    }

    /// The last `months` full calendar months before the month containing `today`.
    pub fn last_full_months(today: NaiveDate, months: u32) -> Self {
        let first_of_month = today.with_day(1).unwrap_or(today);
        let from = first_of_month
            .checked_sub_months(chrono::Months::new(months))
            .unwrap_or(first_of_month);
        Self {
            from,
            to: first_of_month - Duration::days(1),
        }
    }

    /// The half-open instant range `[from 00:00Z, (to + 1 day) 00:00Z)`.
    pub fn instants(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            start_of_day(self.from),
            start_of_day(self.to) + Duration::days(1),
        )
    }

    /// Whether `t` falls on one of the range's days (UTC).
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        let (start, end) = self.instants();
        start <= t && t < end
    }
}

/// Parses a config date: a UTC day (`2026-01-01`, meaning midnight UTC) or an RFC 3339 instant
/// with any offset (converted to UTC).
pub fn parse_config_instant(value: &str) -> Option<DateTime<Utc>> {
    if value.len() == 10 {
        return NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .ok()
            .map(start_of_day);
    }
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Weekday helper kept here so callers need not import chrono's.
pub fn is_monday(day: NaiveDate) -> bool {
    day.weekday() == Weekday::Mon
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

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
        let w = DateRange::last_full_weeks(day("2026-11-25"), 12);
        assert_eq!((w.from, w.to), (day("2026-08-31"), day("2026-11-22")));
        let m = DateRange::last_full_months(day("2026-11-25"), 12);
        assert_eq!((m.from, m.to), (day("2025-11-01"), day("2026-10-31")));
        let m = DateRange::last_full_months(day("2026-03-01"), 1);
        assert_eq!((m.from, m.to), (day("2026-02-01"), day("2026-02-28")));
    }

    #[test]
    fn from_query_fills_missing_ends() {
        let d = DateRange::new(day("2026-01-01"), day("2026-06-30")).unwrap();
        let r = DateRange::from_query(Some("2026-03-01"), None, d).unwrap();
        assert_eq!((r.from, r.to), (day("2026-03-01"), day("2026-06-30")));
        assert!(DateRange::from_query(Some("2026-07-01"), None, d).is_err());
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
}
