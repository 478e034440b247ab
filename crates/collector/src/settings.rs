//! The one definition of every setting a sync run reads from its environment, shared by
//! `dorameter sync` (clap: `env`, `default_value` and `value_parser` come from here) and the
//! collector Lambda (`cloud`'s `Vars`): each setting's variable, its default and its parser,
//! so the two can never drift apart. Blank values count as unset in both.
//!
//! Durations are refused above [`MAX_DURATION`] (no sensible run waits or reaches that far, and
//! larger ones overflow instant arithmetic); a backfill start is computed with checked
//! arithmetic and refused in the future.

use crate::Backfill;
use chrono::{DateTime, Duration as Span, Utc};
use std::time::Duration;
use thiserror::Error;

/// Longest duration any setting accepts: 100 years.
pub const MAX_DURATION: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// A setting that could not be used, naming its variable (its value is not repeated: some
/// variables hold secrets).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{var} is invalid: {reason}")]
pub struct SettingError {
    /// The variable, e.g. `SYNC_SINCE`.
    pub var: &'static str,
    /// Why.
    pub reason: String,
}

/// One setting: its variable, its default when unset or blank, and its parser.
pub struct Setting<T: 'static> {
    /// The environment variable.
    pub var: &'static str,
    /// The value used when the variable is unset or blank.
    pub default: &'static str,
    parse_value: fn(&str) -> Result<T, String>,
}

impl<T: Clone + Send + Sync + 'static> Setting<T> {
    /// Parses `value` (trimmed; blank means the default). The error says why, without the
    /// variable (clap adds the flag, [`Setting::read`] the variable).
    pub fn parse(&self, value: &str) -> Result<T, String> {
        let value = value.trim();
        (self.parse_value)(if value.is_empty() {
            self.default
        } else {
            value
        })
    }

    /// The value of the variable (`None`: unset), or an error naming it.
    pub fn read(&self, value: Option<&str>) -> Result<T, SettingError> {
        self.parse(value.unwrap_or_default())
            .map_err(|reason| SettingError {
                var: self.var,
                reason,
            })
    }

    /// The parser as clap's `value_parser`.
    pub fn value_parser(&'static self) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync {
        move |value: &str| self.parse(value)
    }
}

/// `SYNC_SINCE`: how far back a repository's first run reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// `full`: all history.
    Full,
    /// A duration back from the run's start (`365d`).
    Ago(Duration),
    /// A day (`2025-01-01`) or an RFC 3339 instant.
    At(DateTime<Utc>),
}

impl Since {
    /// The backfill of a run starting at `now`: refused when it would lie in the future or
    /// before the earliest representable instant.
    pub fn backfill(self, now: DateTime<Utc>) -> Result<Backfill, SettingError> {
        let invalid = |reason: String| SettingError {
            var: SYNC_SINCE.var,
            reason,
        };
        let since = match self {
            Since::Full => return Ok(Backfill::Full),
            Since::At(at) => at,
            Since::Ago(back) => Span::from_std(back)
                .ok()
                .and_then(|back| now.checked_sub_signed(back))
                .ok_or_else(|| {
                    invalid(format!(
                        "{} back reaches before the earliest date; use full for all history",
                        humantime::format_duration(back)
                    ))
                })?,
        };
        if since > now {
            return Err(invalid(format!(
                "{} is in the future; give a past date, a duration like 365d, or full",
                since.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            )));
        }
        Ok(Backfill::Since(since))
    }
}

fn parse_since(value: &str) -> Result<Since, String> {
    if value == "full" {
        return Ok(Since::Full);
    }
    if let Some(at) = domain::time::parse_config_instant(value) {
        return Ok(Since::At(at));
    }
    humantime::parse_duration(value)
        .map_err(|_| "expected full, a duration like 365d or a date like 2025-01-01".to_owned())
        .and_then(bounded)
        .map(Since::Ago)
}

fn parse_duration(value: &str) -> Result<Duration, String> {
    humantime::parse_duration(value)
        .map_err(|e| format!("expected a duration like 30s or 10m ({e})"))
        .and_then(bounded)
}

fn bounded(duration: Duration) -> Result<Duration, String> {
    if duration > MAX_DURATION {
        return Err(format!(
            "{} is longer than the longest accepted duration, {}",
            humantime::format_duration(duration),
            humantime::format_duration(MAX_DURATION)
        ));
    }
    Ok(duration)
}

fn parse_count<T: std::str::FromStr>(value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| "expected a whole number".to_owned())
}

fn parse_text(value: &str) -> Result<String, String> {
    Ok(value.to_owned())
}

/// How far back a repository's first run reaches: `full`, a duration (`365d`) or a date.
pub static SYNC_SINCE: Setting<Since> = Setting {
    var: "SYNC_SINCE",
    default: "365d",
    parse_value: parse_since,
};

/// Later runs re-read PRs updated this long before the last watermark.
pub static SYNC_OVERLAP: Setting<Duration> = Setting {
    var: "SYNC_OVERLAP",
    default: "1h",
    parse_value: parse_duration,
};

/// A run's wall-clock budget (in Lambda, a cap on the time left before the deadline).
pub static SYNC_BUDGET: Setting<Duration> = Setting {
    var: "SYNC_BUDGET",
    default: "10m",
    parse_value: parse_duration,
};

/// Repositories synced at once (0 counts as 1).
pub static SYNC_CONCURRENCY: Setting<usize> = Setting {
    var: "SYNC_CONCURRENCY",
    default: "4",
    parse_value: parse_count,
};

/// The GitHub API base.
pub static GITHUB_API_URL: Setting<String> = Setting {
    var: "GITHUB_API_URL",
    default: github::DEFAULT_API_URL,
    parse_value: parse_text,
};

/// Timeout of one GitHub request.
pub static GITHUB_REQUEST_TIMEOUT: Setting<Duration> = Setting {
    var: "GITHUB_REQUEST_TIMEOUT",
    default: "30s",
    parse_value: parse_duration,
};

/// Attempts per GitHub request before the repository fails.
pub static GITHUB_MAX_ATTEMPTS: Setting<u32> = Setting {
    var: "GITHUB_MAX_ATTEMPTS",
    default: "5",
    parse_value: parse_count,
};

/// Base of the exponential backoff between retries.
pub static GITHUB_RETRY_BASE_DELAY: Setting<Duration> = Setting {
    var: "GITHUB_RETRY_BASE_DELAY",
    default: "1s",
    parse_value: parse_duration,
};

/// Wait after a secondary rate limit without `retry-after`.
pub static GITHUB_SECONDARY_RATE_LIMIT_WAIT: Setting<Duration> = Setting {
    var: "GITHUB_SECONDARY_RATE_LIMIT_WAIT",
    default: "60s",
    parse_value: parse_duration,
};

/// Maximum database connections; the default is the CLI's (the Lambda keeps its own, 2, as
/// every concurrent instance opens a pool).
pub static DATABASE_MAX_CONNECTIONS: Setting<usize> = Setting {
    var: "DATABASE_MAX_CONNECTIONS",
    default: "8",
    parse_value: parse_count,
};

/// `REPOSITORIES`, already split at commas: trimmed, blanks dropped, each checked to be
/// `owner/name`; refused when none is left.
pub fn repositories<'a>(
    items: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<String>, SettingError> {
    let invalid = |reason: String| SettingError {
        var: "REPOSITORIES",
        reason,
    };
    let repositories: Vec<String> = items
        .into_iter()
        .flat_map(|item| item.split(','))
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect();
    if repositories.is_empty() {
        return Err(invalid("not set: give comma-separated owner/name".into()));
    }
    for repository in &repositories {
        crate::normalize_repository(repository).map_err(|e| invalid(e.to_string()))?;
    }
    Ok(repositories)
}

/// The chrono span of a duration setting (bounded by [`MAX_DURATION`], so it always fits).
pub fn span(setting: &Setting<Duration>, duration: Duration) -> Result<Span, SettingError> {
    Span::from_std(duration).map_err(|_| SettingError {
        var: setting.var,
        reason: "too long".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn durations_that_overflow_instants_are_refused_naming_the_variable() {
        let now = at("2026-12-02T00:00:00Z");
        let since = SYNC_SINCE.read(Some("100000000d"));
        let error = match since {
            Ok(since) => since.backfill(now).expect_err("accepted"),
            Err(error) => error,
        };
        assert!(
            error.to_string().starts_with("SYNC_SINCE is invalid"),
            "{error}"
        );
        for (setting, value) in [
            (&SYNC_OVERLAP, "100000000d"),
            (&SYNC_BUDGET, "300000000000y"),
            (&GITHUB_REQUEST_TIMEOUT, "300000000000y"),
        ] {
            let error = setting.read(Some(value)).expect_err("accepted");
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("{} is invalid", setting.var)),
                "{error}"
            );
        }
        assert_eq!(
            SYNC_OVERLAP.read(Some("36500d")),
            Ok(Duration::from_secs(36500 * 86400))
        );
    }

    #[test]
    fn since_accepts_full_durations_and_past_dates_only() {
        let now = at("2026-12-02T00:00:00Z");
        let backfill = |value: &str| SYNC_SINCE.read(Some(value)).and_then(|s| s.backfill(now));
        assert_eq!(backfill("full"), Ok(Backfill::Full));
        assert_eq!(
            backfill("2d"),
            Ok(Backfill::Since(at("2026-11-30T00:00:00Z")))
        );
        assert_eq!(
            backfill(" "),
            Ok(Backfill::Since(at("2025-12-02T00:00:00Z")))
        );
        assert_eq!(
            backfill("2025-01-01"),
            Ok(Backfill::Since(at("2025-01-01T00:00:00Z")))
        );
        let future = backfill("2027-01-01").expect_err("accepted");
        assert!(future.reason.contains("in the future"), "{future}");
        assert!(backfill("sometime").is_err());
    }

    #[test]
    fn repositories_are_split_trimmed_and_checked() {
        assert_eq!(
            repositories([" a/b, ,c/d "]),
            Ok(vec!["a/b".to_owned(), "c/d".to_owned()])
        );
        assert!(repositories([" , "]).is_err());
        let error = repositories(["a/b,nope"]).expect_err("accepted");
        assert!(error.to_string().starts_with("REPOSITORIES is invalid"));
    }
}
