//! The reporting views and `attributed_prs` + domain metric math give the domain's buckets, in
//! UTC — whatever the database's or the session's TimeZone on PostgreSQL, and on SQLite —
//! including instants just before week and month boundaries before 1970.

mod common;

use chrono::{DateTime, Utc};
use common::{Backend, TestStore, at, config, generated};
use domain::{AttributedPr, MonthLeadTime, PullRequest, TeamConfig, WeekVelocity};
use store::testing::TestDatabase;

/// Each team's attributed PRs per the domain rule.
fn reference(prs: &[PullRequest], config: &TeamConfig) -> Vec<(String, Vec<AttributedPr>)> {
    config
        .teams
        .iter()
        .map(|team| {
            let attributed = prs
                .iter()
                .flat_map(|pr| {
                    domain::attribute(pr.author_view(), config)
                        .into_iter()
                        .filter(|a| a.team_id == team.id)
                        .filter_map(|a| {
                            let merged_at = pr.merged_at?;
                            Some(AttributedPr {
                                merged_at,
                                weight: a.weight,
                                cycle_time_hours: domain::cycle_time_hours(
                                    pr.created_at,
                                    merged_at,
                                ),
                            })
                        })
                })
                .collect();
            (team.id.to_string(), attributed)
        })
        .collect()
}

/// Both absent, or both present and [`close`].
#[track_caller]
fn close_or_none(got: Option<f64>, expected: Option<f64>, what: &str) {
    match (got, expected) {
        (Some(got), Some(expected)) => close(got, expected, what),
        (got, expected) => assert_eq!(got, expected, "{what}"),
    }
}

#[track_caller]
fn close(got: f64, expected: f64, what: &str) {
    let tolerance = 1e-9 * expected.abs().max(1.0);
    assert!(
        (got - expected).abs() <= tolerance,
        "{what}: got {got}, expected {expected}"
    );
}

/// `view_team_velocity` of `team` as `(week_start, prs_merged, weighted, average)`, the week as
/// text (`YYYY-MM-DD`, PostgreSQL's ISO date output and SQLite's date()).
async fn velocity_view(t: &TestStore, team: &str) -> Vec<(String, i64, f64, Option<f64>)> {
    t.rows(&format!(
        "SELECT CAST(week_start AS text), prs_merged, weighted_prs_merged, avg_cycle_time_hours
         FROM view_team_velocity WHERE team_id = '{team}' ORDER BY week_start"
    ))
    .await
}

async fn lead_time_view(t: &TestStore, team: &str) -> Vec<(String, i64, Option<f64>, Option<f64>)> {
    t.rows(&format!(
        "SELECT month, prs_merged, median_lead_time_hours, p95_lead_time_hours
         FROM view_dora_lead_time WHERE team_id = '{team}' ORDER BY month"
    ))
    .await
}

#[track_caller]
fn assert_velocity(got: &[(String, i64, f64, Option<f64>)], expected: &[WeekVelocity], team: &str) {
    let weeks: Vec<(String, u64)> = got.iter().map(|w| (w.0.clone(), w.1 as u64)).collect();
    let expected_weeks: Vec<(String, u64)> = expected
        .iter()
        .map(|w| (w.week_start.to_string(), w.prs_merged))
        .collect();
    assert_eq!(weeks, expected_weeks, "{team}: weeks and counts");
    for (g, e) in got.iter().zip(expected) {
        close(g.2, e.weighted_prs_merged, team);
        close_or_none(g.3, e.avg_cycle_time_hours, team);
    }
}

#[track_caller]
fn assert_lead_time(
    got: &[(String, i64, Option<f64>, Option<f64>)],
    expected: &[MonthLeadTime],
    team: &str,
) {
    let months: Vec<(String, u64)> = got.iter().map(|m| (m.0.clone(), m.1 as u64)).collect();
    let expected_months: Vec<(String, u64)> = expected
        .iter()
        .map(|m| (m.month.to_string(), m.prs_merged))
        .collect();
    assert_eq!(months, expected_months, "{team}: months and counts");
    for (g, e) in got.iter().zip(expected) {
        close_or_none(g.2, e.median_lead_time_hours, team);
        close_or_none(g.3, e.p95_lead_time_hours, team);
    }
}

/// A migrated store with the generated data synced: on PostgreSQL a database whose default
/// TimeZone is `zone`, on SQLite a file (SQLite's date functions are UTC unless told otherwise).
async fn seeded(backend: Backend, zone: &str) -> (TestStore, Vec<(String, Vec<AttributedPr>)>) {
    let t = match backend {
        Backend::Postgres => {
            let db = TestDatabase::create().await;
            db.client()
                .await
                .batch_execute(&format!(
                    "ALTER DATABASE \"{}\" SET timezone TO '{zone}'",
                    db.name
                ))
                .await
                .expect("set database time zone");
            TestStore::on_postgres(db).await
        }
        Backend::Sqlite => TestStore::unmigrated(Backend::Sqlite).await,
    };
    t.migrate().await.expect("migrate");
    let teams = config(generated::CONFIG);
    let prs = generated::pull_requests(500, 2026);
    t.sync_teams(&teams).await.expect("sync");
    t.upsert_pull_requests(&prs).await.expect("upsert");
    (t, reference(&prs, &teams))
}

/// The views of every team equal the domain's metrics of the reference attributions.
async fn assert_views_equal_the_domain(t: &TestStore, reference: &[(String, Vec<AttributedPr>)]) {
    for (team, attributed) in reference {
        assert_velocity(
            &velocity_view(t, team).await,
            &domain::weekly_velocity(attributed),
            team,
        );
        assert_lead_time(
            &lead_time_view(t, team).await,
            &domain::monthly_lead_time(attributed),
            team,
        );
    }
}

/// The generated data exercises what the views must get right: enough PRs, and PRs less than a
/// second before a week or month boundary before 1970.
#[track_caller]
fn assert_reference_covers_the_edges(reference: &[(String, Vec<AttributedPr>)]) {
    let busiest = reference
        .iter()
        .map(|(_, a)| a.len())
        .max()
        .unwrap_or_default();
    assert!(busiest > 50, "too little data: {busiest}");
    let just_before = |boundary: &str| {
        let boundary = at(boundary);
        reference
            .iter()
            .flat_map(|(_, a)| a)
            .filter(|a| a.merged_at < boundary)
            .filter(|a| boundary - a.merged_at < chrono::Duration::seconds(1))
            .filter(|a| a.merged_at.timestamp_subsec_micros() != 0)
            .count()
    };
    for boundary in [
        "1969-12-01T00:00:00Z",
        "1969-12-29T00:00:00Z",
        "1970-01-01T00:00:00Z",
    ] {
        assert!(just_before(boundary) >= 2, "nothing just before {boundary}");
    }
}

#[tokio::test]
async fn views_equal_the_domain_metrics_in_a_non_utc_database_and_session_postgres() {
    let (t, reference) = seeded(Backend::Postgres, "Pacific/Kiritimati").await;
    let zone: String = t.scalar("SHOW timezone").await;
    assert_eq!(zone, "Pacific/Kiritimati");

    for session_zone in ["Pacific/Kiritimati", "America/St_Johns"] {
        t.execute(&format!("SET TIME ZONE '{session_zone}'"))
            .await
            .expect("set session zone");
        assert_views_equal_the_domain(&t, &reference).await;
    }
    assert_reference_covers_the_edges(&reference);
}

#[tokio::test]
async fn views_equal_the_domain_metrics_sqlite() {
    let (t, reference) = seeded(Backend::Sqlite, "UTC").await;

    assert_views_equal_the_domain(&t, &reference).await;
    assert_reference_covers_the_edges(&reference);
}

async fn attributed_prs_fed_to_the_domain_give_the_same_buckets(backend: Backend) {
    let (t, reference) = seeded(backend, "America/St_Johns").await;
    for (start, end) in [
        (at("2025-01-01T00:00:00Z"), at("2025-04-01T00:00:00Z")),
        (at("1969-11-01T00:00:00Z"), at("1970-01-02T00:00:00Z")),
    ] {
        let in_range = |merged: DateTime<Utc>| start <= merged && merged < end;
        let mut nonempty = 0;
        for (team, attributed) in &reference {
            let got = t.attributed_prs(team, start, end).await.expect("read");
            let mut expected: Vec<AttributedPr> = attributed
                .iter()
                .copied()
                .filter(|a| in_range(a.merged_at))
                .collect();
            expected.sort_by_key(|a| a.merged_at);

            assert!(
                got.windows(2).all(|w| w[0].merged_at <= w[1].merged_at),
                "{team}: order"
            );
            assert_eq!(
                domain::weekly_velocity(&got),
                domain::weekly_velocity(&expected),
                "{team}"
            );
            assert_eq!(
                domain::monthly_lead_time(&got),
                domain::monthly_lead_time(&expected),
                "{team}"
            );
            assert_eq!(got.len(), expected.len(), "{team}");
            nonempty += usize::from(!got.is_empty());
        }
        assert!(nonempty >= 2, "{start}..{end}: too little data");
    }
    assert!(
        t.attributed_prs(
            "no-such-team",
            at("2025-01-01T00:00:00Z"),
            at("2025-04-01T00:00:00Z")
        )
        .await
        .expect("read")
        .is_empty()
    );
}

#[tokio::test]
async fn attributed_prs_fed_to_the_domain_give_the_same_buckets_postgres() {
    attributed_prs_fed_to_the_domain_give_the_same_buckets(Backend::Postgres).await;
}

#[tokio::test]
async fn attributed_prs_fed_to_the_domain_give_the_same_buckets_sqlite() {
    attributed_prs_fed_to_the_domain_give_the_same_buckets(Backend::Sqlite).await;
}

on_both_backends! {
    async fn a_pr_merged_before_it_was_created_counts_as_merged_but_enters_no_duration(t) {
        t.sync_teams(&config(
            r#"{"teams":[{"id":"platform","members":[{"github":"alice","joined_at":"2025-01-01"}]}]}"#,
        ))
        .await
        .expect("sync");
        let mut impossible = common::merged_pr(1, Some("alice"), "2026-01-05T10:00:00Z");
        impossible.created_at = at("2026-01-14T10:00:00Z");
        let possible = common::merged_pr(2, Some("alice"), "2026-01-06T10:00:00Z");
        let mut alone = common::merged_pr(3, Some("alice"), "2026-02-02T10:00:00Z");
        alone.created_at = at("2026-02-03T10:00:00Z");
        t.upsert_pull_requests(&[impossible, possible, alone])
            .await
            .expect("upsert");

        let velocity = velocity_view(&t, "platform").await;
        let lead_time = lead_time_view(&t, "platform").await;

        assert_eq!(
            velocity,
            [
                ("2026-01-05".to_owned(), 2, 2.0, Some(5.0)),
                ("2026-02-02".to_owned(), 1, 1.0, None),
            ]
        );
        assert_eq!(
            lead_time,
            [
                ("2026-01".to_owned(), 2, Some(5.0), Some(5.0)),
                ("2026-02".to_owned(), 1, None, None),
            ]
        );
        let attributed = t
            .attributed_prs("platform", at("2026-01-01T00:00:00Z"), at("2026-03-01T00:00:00Z"))
            .await
            .expect("read");
        assert_eq!(attributed.len(), 3, "every PR is kept");
        let weeks = domain::weekly_velocity(&attributed);
        assert_eq!(weeks[0].prs_merged, 2);
        assert_eq!(weeks[0].avg_cycle_time_hours, Some(5.0));
        assert_eq!(weeks[1].avg_cycle_time_hours, None);
    }
}
