//! Both backends keep instants to the microsecond, and each would round finer ones its own way:
//! tokio-postgres truncates toward 2000-01-01 (PostgreSQL's epoch), so it rounds down after 2000
//! and up before; SQLite's integer microseconds floor. So [`crate::Store`] rounds every instant
//! it is given here, before either backend sees it, and both store and compare the same value.
//!
//! Stored instants are floored (`trunc_subsecs(6)`, which floors at any date: chrono's
//! sub-second part is never negative). Query bounds are rounded so that the comparison with
//! stored (whole-microsecond) instants gives the same answer as with the exact bound: an
//! instant `at` tested with `joined_at <= at < left_at` is floored; a range `[start, end)` is
//! rounded up at both ends.

use crate::model::{RepoSyncState, SyncReach};
use chrono::{DateTime, Duration, Utc};
use domain::{PullRequest, TeamConfig};
use std::borrow::Cow;

/// `t` rounded down to a whole microsecond (a leap second becomes the next second: neither
/// backend stores one).
pub(crate) fn floor_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    domain::time::floor_to_micros(t)
}

/// `t` rounded up to a whole microsecond.
pub(crate) fn ceil_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    let floor = floor_micros(t);
    if floor == t {
        t
    } else {
        floor + Duration::microseconds(1)
    }
}

/// The config with every membership instant floored, so a config with nanosecond instants
/// compares equal to what the database reads back and syncs idempotently.
pub(crate) fn config_in_micros(config: &TeamConfig) -> Cow<'_, TeamConfig> {
    let exact = config.teams.iter().flat_map(|t| &t.members).all(|m| {
        floor_micros(m.joined_at) == m.joined_at && m.left_at.is_none_or(|l| floor_micros(l) == l)
    });
    if exact {
        return Cow::Borrowed(config);
    }
    let mut config = config.clone();
    for member in config.teams.iter_mut().flat_map(|t| &mut t.members) {
        member.joined_at = floor_micros(member.joined_at);
        member.left_at = member.left_at.map(floor_micros);
    }
    Cow::Owned(config)
}

/// The PRs with every instant floored. GitHub sends whole seconds, so this copies nothing in
/// practice.
pub(crate) fn prs_in_micros(prs: &[PullRequest]) -> Cow<'_, [PullRequest]> {
    let is_exact = |t: &DateTime<Utc>| floor_micros(*t) == *t;
    let exact = prs.iter().all(|pr| {
        is_exact(&pr.created_at)
            && is_exact(&pr.updated_at)
            && pr.closed_at.as_ref().is_none_or(is_exact)
            && pr.merged_at.as_ref().is_none_or(is_exact)
    });
    if exact {
        return Cow::Borrowed(prs);
    }
    Cow::Owned(
        prs.iter()
            .map(|pr| PullRequest {
                created_at: floor_micros(pr.created_at),
                updated_at: floor_micros(pr.updated_at),
                closed_at: pr.closed_at.map(floor_micros),
                merged_at: pr.merged_at.map(floor_micros),
                ..pr.clone()
            })
            .collect(),
    )
}

/// The sync state with every instant floored.
pub(crate) fn sync_state_in_micros(state: &RepoSyncState) -> RepoSyncState {
    let mut state = state.clone();
    state.watermark = state.watermark.map(floor_micros);
    state.updated_at = floor_micros(state.updated_at);
    if let Some(resume) = &mut state.resume {
        resume.floor = resume.floor.map(floor_micros);
        resume.target_watermark = floor_micros(resume.target_watermark);
    }
    if let SyncReach::Since(reach) = &mut state.reach {
        *reach = floor_micros(*reach);
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    use domain::testing::at;

    #[test]
    fn instants_floor_to_the_earlier_microsecond_before_1970_2000_and_after() {
        for (given, floored, ceiled) in [
            (
                "2025-03-01T10:00:00.123456789Z",
                "2025-03-01T10:00:00.123456Z",
                "2025-03-01T10:00:00.123457Z",
            ),
            (
                "1999-12-31T23:59:59.999999999Z",
                "1999-12-31T23:59:59.999999Z",
                "2000-01-01T00:00:00Z",
            ),
            (
                "1969-12-31T23:59:59.999999500Z",
                "1969-12-31T23:59:59.999999Z",
                "1970-01-01T00:00:00Z",
            ),
            (
                "1969-07-20T20:17:40.000000001Z",
                "1969-07-20T20:17:40Z",
                "1969-07-20T20:17:40.000001Z",
            ),
        ] {
            assert_eq!(floor_micros(at(given)), at(floored), "{given}");
            assert_eq!(ceil_micros(at(given)), at(ceiled), "{given}");
            assert_eq!(floor_micros(at(floored)), at(floored), "{floored}");
            assert_eq!(ceil_micros(at(floored)), at(floored), "{floored}");
        }
        // The floor is what SQLite stores: whole microseconds since 1970, rounded down.
        let before_1970 = at("1969-12-31T23:59:59.999999500Z");
        assert_eq!(floor_micros(before_1970).timestamp_micros(), -1);
        assert_eq!(before_1970.timestamp_micros(), -1);
    }
}
