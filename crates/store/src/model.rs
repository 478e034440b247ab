//! The values the store's operations take and return, and the rules on them both backends
//! share: what a sync run records per repository, what an upsert did, a team with its active
//! members, which PRs a recompute covers.

use crate::error::StoreError;
use chrono::{DateTime, Utc};
use domain::{Membership, PullRequest, Team, TeamConfig, TeamId};
use std::collections::BTreeMap;

/// A team with the memberships active at some instant (see [`Store::teams_with_members_at`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TeamSummary {
    /// The team's slug.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Optional free text.
    pub description: Option<String>,
    /// Active memberships, sorted by (login, joined_at).
    pub members: Vec<Membership>,
}

/// What an upsert did, counted over distinct `(repository, number)` pairs of the input (a PR
/// given twice in one call is stored once, from the copy with the latest `updated_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UpsertCounts {
    /// PRs not stored before.
    pub inserted: u64,
    /// Stored PRs of which some field changed.
    pub updated: u64,
    /// Stored PRs left as they were: identical, or older (`updated_at`) than the stored copy.
    pub unchanged: u64,
}

/// Which PRs a recompute covers.
#[derive(Clone, Copy)]
pub(crate) enum Scope<'a> {
    /// Every PR.
    All,
    /// PRs authored by these logins (lowercased).
    Logins(&'a [String]),
    /// PRs with these `pull_requests.id`s.
    Prs(&'a [i64]),
}

/// One copy per `(repository, number)`, the latest by `updated_at` (the last given on a tie),
/// sorted by key so concurrent upserts lock rows in the same order and cannot deadlock.
pub(crate) fn latest_per_key(prs: &[PullRequest]) -> Vec<&PullRequest> {
    let mut sorted: Vec<&PullRequest> = prs.iter().collect();
    // Stable: among equal keys and updated_at, input order is kept, and the last one wins.
    sorted.sort_by(|a, b| {
        (&a.repository, a.number, a.updated_at).cmp(&(&b.repository, b.number, b.updated_at))
    });
    let mut distinct: Vec<&PullRequest> = Vec::with_capacity(sorted.len());
    for pr in sorted {
        match distinct.last_mut() {
            Some(last) if (&last.repository, last.number) == (&pr.repository, pr.number) => {
                *last = pr;
            }
            _ => distinct.push(pr),
        }
    }
    distinct
}

/// How far the collector has synced one repository; committed atomically with a page of PRs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoSyncState {
    /// `owner/name`, lowercased, as in [`PullRequest::repository`].
    pub repository: String,
    /// The highest PR `updated_at` fully committed: the next run asks for PRs updated since.
    pub watermark: Option<DateTime<Utc>>,
    /// ETag of the first page last fetched, for conditional requests.
    pub etag: Option<String>,
    /// How far back finished walks have stored the repository's history.
    pub reach: SyncReach,
    /// Where an interrupted walk picks up; `None` when the last walk finished.
    pub resume: Option<ResumePoint>,
    /// When the collector committed this state (the caller's clock, stored as given).
    pub updated_at: DateTime<Utc>,
}

/// How far back a repository's history has been walked by finished walks: a later run that asks
/// for more walks down again (that policy is the collector's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncReach {
    /// Nothing is known to be stored.
    #[default]
    Nothing,
    /// Every PR updated at or after this instant was stored.
    Since(DateTime<Utc>),
    /// All history was walked.
    All,
}

impl SyncReach {
    /// As stored: (`reach_since`, `reach_all`).
    pub(crate) fn columns(self) -> (Option<DateTime<Utc>>, bool) {
        match self {
            SyncReach::Nothing => (None, false),
            SyncReach::Since(t) => (Some(t), false),
            SyncReach::All => (None, true),
        }
    }

    /// From the stored (`reach_since`, `reach_all`).
    pub(crate) fn from_columns(since: Option<DateTime<Utc>>, all: bool) -> Self {
        match (since, all) {
            (_, true) => SyncReach::All,
            (Some(t), false) => SyncReach::Since(t),
            (None, false) => SyncReach::Nothing,
        }
    }
}

/// Where the collector resumes a walk over a repository's PRs that ran out of time between pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumePoint {
    /// The page committed last, fetched again before continuing to its `next` (PRs that left
    /// the list since shift the later pages up). `None` in resume points recorded before this
    /// was stored; they continue at `next_url`.
    pub page_url: Option<String>,
    /// The next page to fetch.
    pub next_url: String,
    /// PRs updated before this were already stored when the walk started.
    pub floor: Option<DateTime<Utc>>,
    /// The watermark to record once the walk finishes.
    pub target_watermark: DateTime<Utc>,
    /// The first page's ETag, recorded with that watermark.
    pub target_etag: Option<String>,
}

/// A `teams` row as both backends read it.
pub(crate) struct TeamRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) include_bots: bool,
}

/// The columns every membership read selects, in this order.
pub(crate) const MEMBERSHIP_COLUMNS: &str = "team_id, login, weight, joined_at, left_at";

/// Memberships by team id, each team's sorted by (login, joined_at).
pub(crate) type MembersByTeam = BTreeMap<String, Vec<Membership>>;

/// The stored config from its rows (teams sorted by id, as `TeamConfig::from_json` sorts them;
/// `allow_overallocation` is not stored and reads as `false`).
pub(crate) fn team_config(
    teams: Vec<TeamRow>,
    mut members: MembersByTeam,
) -> Result<TeamConfig, StoreError> {
    let teams = teams
        .into_iter()
        .map(|row| {
            let id = TeamId::parse(&row.id).map_err(|reason| StoreError::Corrupt {
                what: format!("team id {:?}: {reason}", row.id),
            })?;
            Ok(Team {
                members: members.remove(&row.id).unwrap_or_default(),
                id,
                name: row.name,
                description: row.description,
                include_bots: row.include_bots,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(TeamConfig {
        teams,
        allow_overallocation: false,
    })
}

/// Teams with their (active) members, from their rows.
pub(crate) fn team_summaries(teams: Vec<TeamRow>, mut members: MembersByTeam) -> Vec<TeamSummary> {
    teams
        .into_iter()
        .map(|row| TeamSummary {
            members: members.remove(&row.id).unwrap_or_default(),
            id: row.id,
            name: row.name,
            description: row.description,
        })
        .collect()
}

/// The columns a sync-state read selects, in [`SyncStateRow`]'s order.
pub(crate) const SYNC_STATE_COLUMNS: &str = "repository, watermark, etag, updated_at, \
    resume_next_url, resume_floor, resume_target_watermark, resume_target_etag, reach_since, \
    reach_all, resume_page_url";

/// A `repo_sync_state` row, instants already decoded, as both backends read it.
pub(crate) struct SyncStateRow {
    pub(crate) repository: String,
    pub(crate) watermark: Option<DateTime<Utc>>,
    pub(crate) etag: Option<String>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) next_url: Option<String>,
    pub(crate) floor: Option<DateTime<Utc>>,
    pub(crate) target_watermark: Option<DateTime<Utc>>,
    pub(crate) target_etag: Option<String>,
    pub(crate) reach_since: Option<DateTime<Utc>>,
    pub(crate) reach_all: bool,
    pub(crate) page_url: Option<String>,
}

impl SyncStateRow {
    /// The state the row records: a resume point only when both its next page and its target
    /// watermark are there.
    pub(crate) fn into_state(self) -> RepoSyncState {
        let resume = match (self.next_url, self.target_watermark) {
            (Some(next_url), Some(target_watermark)) => Some(ResumePoint {
                page_url: self.page_url,
                next_url,
                floor: self.floor,
                target_watermark,
                target_etag: self.target_etag,
            }),
            _ => None,
        };
        RepoSyncState {
            repository: self.repository,
            watermark: self.watermark,
            etag: self.etag,
            reach: SyncReach::from_columns(self.reach_since, self.reach_all),
            resume,
            updated_at: self.updated_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn pr(repository: &str, number: i64, updated_hour: u32, title: &str) -> PullRequest {
        let updated = Utc
            .with_ymd_and_hms(2026, 1, 1, updated_hour, 0, 0)
            .single()
            .expect("valid instant");
        domain::testing::merged_pr(number)
            .repository(repository)
            .title(title)
            .open(updated)
            .build()
    }

    #[test]
    fn duplicates_collapse_to_the_latest_copy_in_key_order() {
        let prs = [
            pr("b/b", 1, 3, "b1"),
            pr("a/a", 2, 5, "a2 newest"),
            pr("a/a", 2, 1, "a2 oldest"),
            pr("a/a", 1, 2, "a1 first"),
            pr("a/a", 1, 2, "a1 last of a tie"),
        ];
        let titles: Vec<&str> = latest_per_key(&prs)
            .iter()
            .map(|p| p.title.as_str())
            .collect();
        assert_eq!(titles, ["a1 last of a tie", "a2 newest", "b1"]);
    }
}
