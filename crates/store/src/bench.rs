//! Synthetic data for benchmarks (`dorameter bench`): a team config of N teams and M members
//! with splits and weight changes, and P pull requests generated server-side in one set-based
//! statement per batch, then attributed in one full recompute.
//!
//! Data is deterministic (a function of the spec), meant for an empty database.

use crate::Store;
use crate::error::StoreError;
use crate::postgres::column;
use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::{Membership, Team, TeamConfig, TeamId};
use std::time::{Duration as Elapsed, Instant};

/// PRs generated per statement.
const PR_BATCH: i64 = 250_000;

/// How much data to generate.
#[derive(Debug, Clone)]
pub struct SeedSpec {
    /// Pull requests to insert.
    pub pull_requests: u64,
    /// Teams in the config.
    pub teams: usize,
    /// Distinct member logins.
    pub members: usize,
    /// Repositories the PRs are spread over.
    pub repositories: usize,
    /// Earliest `merged_at`.
    pub start: DateTime<Utc>,
    /// PRs are merged over this many days after `start`.
    pub days: u32,
}

impl SeedSpec {
    /// `pull_requests` PRs over two years from 2024-01-01, 50 repositories.
    pub fn new(pull_requests: u64, teams: usize, members: usize) -> Self {
        Self {
            pull_requests,
            teams,
            members,
            repositories: 50,
            start: Utc
                .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
                .single()
                .unwrap_or_default(),
            days: 730,
        }
    }
}

/// What [`seed`] stored and how long it took.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The config synced into the database.
    pub config: TeamConfig,
    /// Rows in `pull_requests`.
    pub pull_requests: u64,
    /// Rows in `pr_attributions` after the full recompute.
    pub attributions: u64,
    /// Time to sync the config and insert the PRs.
    pub load: Elapsed,
    /// Time of the full attribution recompute.
    pub attribute: Elapsed,
    /// Time of `VACUUM ANALYZE` (so range reads are index-only scans).
    pub vacuum: Elapsed,
}

/// Login of synthetic member `i`.
pub fn member_login(i: usize) -> String {
    format!("m{i:05}")
}

/// A conserved config: member `i` belongs to team `i % teams`; every tenth member is split
/// 0.5/0.5 with the next team, every tenth-plus-one changed weight (0.6 then 1.0) halfway
/// through the period; everyone joined 30 days before `start`.
pub fn synthetic_team_config(spec: &SeedSpec) -> TeamConfig {
    let teams = spec.teams.max(1);
    let joined = spec.start - Duration::days(30);
    let halfway = spec.start + Duration::days(i64::from(spec.days / 2));
    let mut members: Vec<Vec<Membership>> = vec![Vec::new(); teams];
    let span = |login: &str, weight, joined_at, left_at| Membership {
        login: login.to_owned(),
        weight,
        joined_at,
        left_at,
    };
    for i in 0..spec.members {
        let login = member_login(i);
        let team = i % teams;
        match i % 10 {
            0 if teams > 1 => {
                members[team].push(span(&login, 0.5, joined, None));
                members[(team + 1) % teams].push(span(&login, 0.5, joined, None));
            }
            1 => {
                members[team].push(span(&login, 0.6, joined, Some(halfway)));
                members[team].push(span(&login, 1.0, halfway, None));
            }
            _ => members[team].push(span(&login, 1.0, joined, None)),
        }
    }
    let teams = members
        .into_iter()
        .enumerate()
        .map(|(t, mut members)| {
            members.sort_by(|a, b| (&a.login, a.joined_at).cmp(&(&b.login, b.joined_at)));
            Team {
                id: TeamId::new_unchecked(format!("team-{t:03}")),
                name: format!("Team {t}"),
                description: None,
                include_bots: false,
                members,
            }
        })
        .collect();
    TeamConfig {
        teams,
        allow_overallocation: false,
    }
}

/// Generated PRs `$1..=$2`: authors are members (login case varied), outsiders, a bot and
/// deleted accounts; one in fifteen is closed unmerged; cycle times up to ~6 days.
const INSERT_PRS: &str = "
    INSERT INTO pull_requests (repository, number, github_id, title, state, draft, author_login,
        author_id, author_type, created_at, updated_at, closed_at, merged_at, merge_commit_sha,
        base_ref, head_ref, html_url)
    SELECT 'bench/repo-' || (g % $3), g, g, 'Synthetic PR ' || g, 'closed', false,
           CASE WHEN g % 97 = 0 THEN NULL
                WHEN g % 50 = 0 THEN 'dependabot[bot]'
                WHEN g % 20 = 0 THEN 'outsider-' || (g % 89)
                WHEN g % 2 = 0 THEN 'M' || lpad(((g * 7919) % $4)::text, 5, '0')
                ELSE 'm' || lpad(((g * 7919) % $4)::text, 5, '0') END,
           CASE WHEN g % 97 = 0 THEN NULL ELSE g % 100000 END,
           CASE WHEN g % 97 = 0 THEN NULL WHEN g % 50 = 0 THEN 'Bot' ELSE 'User' END,
           t.merged - ((g * 104729) % 500000) * interval '1 second',
           t.merged, t.merged,
           CASE WHEN g % 15 = 0 THEN NULL ELSE t.merged END,
           md5(g::text), 'main', 'feature-' || g, NULL
    FROM generate_series($1::int8, $2::int8) AS g,
         LATERAL (SELECT $5::timestamptz
                         + ((g * 2654435761) % ($6::int8 * 86400)) * interval '1 second') AS t(merged)";

/// Syncs [`synthetic_team_config`], inserts `spec.pull_requests` PRs, recomputes every
/// attribution, and vacuums. Times each step.
pub async fn seed(store: &Store, spec: &SeedSpec) -> Result<Seeded, StoreError> {
    // Refused on SQLite before anything is written.
    let postgres = store.postgres("bench seeding")?;
    let started = Instant::now();
    let config = synthetic_team_config(spec);
    store.sync_teams(&config).await?;
    let client = postgres.client().await?;
    let total = i64::try_from(spec.pull_requests).unwrap_or(i64::MAX);
    let repositories = i64::try_from(spec.repositories.max(1)).unwrap_or(1);
    let members = i64::try_from(spec.members.max(1)).unwrap_or(1);
    let days = i64::from(spec.days.max(1));
    let mut first = 1;
    while first <= total {
        let last = (first + PR_BATCH - 1).min(total);
        client
            .execute(
                INSERT_PRS,
                &[&first, &last, &repositories, &members, &spec.start, &days],
            )
            .await
            .map_err(StoreError::query("generating synthetic pull requests"))?;
        first = last + 1;
    }
    let load = started.elapsed();
    let started = Instant::now();
    store.recompute_attributions(None).await?;
    let attribute = started.elapsed();
    let started = Instant::now();
    client
        .batch_execute("VACUUM ANALYZE pull_requests, pr_attributions, team_memberships, teams")
        .await
        .map_err(StoreError::query("vacuuming after the bulk load"))?;
    let vacuum = started.elapsed();
    let what = "counting the seeded rows";
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM pull_requests), (SELECT count(*) FROM pr_attributions)",
            &[],
        )
        .await
        .map_err(StoreError::query(what))?;
    let count = |i| column::<i64>(&row, i, what).map(|n| u64::try_from(n).unwrap_or_default());
    Ok(Seeded {
        config,
        pull_requests: count(0)?,
        attributions: count(1)?,
        load,
        attribute,
        vacuum,
    })
}

/// Timings of a membership edit at scale.
#[derive(Debug, Clone, Copy)]
pub struct RecomputeTimings {
    /// `sync_teams` with one membership's weight lowered: diff, write, and recompute of the
    /// affected login's PRs, in one transaction.
    pub sync_edit: Elapsed,
    /// `recompute_attributions(None)` afterwards: every PR's attributions recomputed and
    /// compared with the stored ones.
    pub full_recompute: Elapsed,
    /// Rows the full recompute wrote (0 when the sync left everything right).
    pub rows: u64,
}

/// Lowers the weight of the first membership of the first team in `config` by 10 % (allocation
/// stays conserved), syncs it, then runs a full recompute, timing both.
pub async fn time_recompute_after_membership_edit(
    store: &Store,
    config: &TeamConfig,
) -> Result<RecomputeTimings, StoreError> {
    let mut edited = config.clone();
    if let Some(m) = edited.teams.iter_mut().find_map(|t| t.members.first_mut()) {
        m.weight *= 0.9;
    }
    let started = Instant::now();
    store.sync_teams(&edited).await?;
    let sync_edit = started.elapsed();
    let started = Instant::now();
    let rows = store.recompute_attributions(None).await?;
    Ok(RecomputeTimings {
        sync_edit,
        full_recompute: started.elapsed(),
        rows,
    })
}
