//! Calendar rules, all in UTC: ISO weeks starting Monday 00:00, calendar months, and the
//! inclusive day ranges the API takes (`from`/`to`).

use chrono::{DateTime, Datelike, Duration, NaiveDate, SubsecRound, TimeZone, Timelike, Utc};
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

/// The bucket a default range is counted in: a number of ISO weeks or calendar months (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Weeks(u32),
    Months(u32),
}

impl Period {
    /// First day of the bucket containing `day`: its Monday, or the 1st of its month.
    fn bucket_start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Self::Weeks(_) => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
            Self::Months(_) => day.with_day(1).unwrap_or(day),
        }
    }

    /// `start` moved back by `n` buckets, never before the earliest day the API accepts.
    fn buckets_before(self, start: NaiveDate, n: u32) -> NaiveDate {
        let moved = match self {
            Self::Weeks(_) => start.checked_sub_signed(Duration::weeks(i64::from(n))),
            Self::Months(_) => start.checked_sub_months(chrono::Months::new(n)),
        };
        let earliest = NaiveDate::from_ymd_opt(MIN_YEAR, 1, 1).unwrap_or(NaiveDate::MIN);
        moved.map_or(earliest, |day| day.max(earliest))
    }

    fn count(self) -> u32 {
        match self {
            Self::Weeks(n) | Self::Months(n) => n,
        }
    }

    /// The last full buckets before the one containing `today` (the bucket in progress is left
    /// out, so its partial numbers never look like a drop).
    pub fn last_full(self, today: NaiveDate) -> DateRange {
        let current = self.bucket_start(today);
        DateRange {
            from: self.buckets_before(current, self.count()),
            to: current - Duration::days(1),
        }
    }

    /// The buckets ending with the one that contains `to`, up to and including `to`.
    pub fn window_ending(self, to: NaiveDate) -> DateRange {
        let last = self.bucket_start(to);
        DateRange {
            from: self.buckets_before(last, self.count().saturating_sub(1)),
            to,
        }
    }
}

/// `YYYY-MM-DD` with ASCII digits only.
fn is_iso_day_shaped(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
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
        // Digits and dashes in exactly this shape: chrono alone would also accept "+202-01-01",
        // "2026-1-5" or " 2026-01-05".
        if !is_iso_day_shaped(value) {
            return Err(bad());
        }
        let day = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| bad())?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&day.year()) {
            return Err(bad());
        }
        Ok(day)
    }

    /// Builds the range from optional query values. A missing end takes its place in the
    /// default window, the last full `period`s before `today` ([`Period::last_full`]); when the
    /// given end lies beyond that window, the missing one follows it instead of making the range
    /// empty: a `from` after the window runs up to `today`, and a `to` before it gets the
    /// `period`s ending with the one that contains it ([`Period::window_ending`]).
    pub fn from_query(
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
        period: Period,
    ) -> Result<Self, DateRangeError> {
        let from = from.map(|v| Self::parse_day("from", v)).transpose()?;
        let to = to.map(|v| Self::parse_day("to", v)).transpose()?;
        let default = period.last_full(today);
        match (from, to) {
            (None, None) => Ok(default),
            (Some(from), None) if from <= default.to => Self::new(from, default.to),
            (Some(from), None) => Self::new(from, today.max(default.to)),
            (None, Some(to)) if default.from <= to => Ok(Self {
                from: default.from,
                to,
            }),
            (None, Some(to)) => Ok(period.window_ending(to)),
            (Some(from), Some(to)) => Self::new(from, to),
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
/// with any offset (converted to UTC). A leap second (`23:59:60`) becomes the next second, as
/// in [`without_leap_second`].
pub fn parse_config_instant(value: &str) -> Option<DateTime<Utc>> {
    if is_iso_day_shaped(value) {
        return NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .ok()
            .map(start_of_day);
    }
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|t| without_leap_second(t.with_timezone(&Utc)))
}

/// `t`, or for a leap second (`23:59:60.f`, which chrono keeps as a nanosecond count of a
/// second or more) the same fraction into the next second, as POSIX time counts it. Neither
/// database stores a leap second: each would read a different instant back, so a config holding
/// one would never compare equal to what was stored.
pub fn without_leap_second(t: DateTime<Utc>) -> DateTime<Utc> {
    const SECOND_NANOS: u32 = 1_000_000_000;
    let nanos = t.nanosecond();
    if nanos < SECOND_NANOS {
        return t;
    }
    t.with_nanosecond(nanos - SECOND_NANOS)
        .and_then(|t| t.checked_add_signed(Duration::seconds(1)))
        .unwrap_or(t)
}

/// `t` rounded down to a whole microsecond, the precision both databases keep (`trunc_subsecs`
/// floors at any date: chrono's sub-second part is never negative); a leap second becomes the
/// next second first.
pub fn floor_to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    without_leap_second(t).trunc_subsecs(6)
}

/// Whether `day` is a Monday (for the tests of week boundaries).
#[cfg(test)]
pub(crate) fn is_monday(day: NaiveDate) -> bool {
    day.weekday() == chrono::Weekday::Mon
}

#[cfg(test)]
mod tests;
