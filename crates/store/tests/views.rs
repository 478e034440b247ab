//! The reporting views and `attributed_prs` + domain metric math give the domain's buckets,
//! in UTC, whatever the database's or the session's TimeZone.

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use common::{at, config, generated};
use domain::{AttributedPr, MonthLeadTime, PullRequest, TeamConfig, WeekVelocity};
use store::Store;
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

#[track_caller]
fn close(got: f64, expected: f64, what: &str) {
    let tolerance = 1e-9 * expected.abs().max(1.0);
    assert!(
        (got - expected).abs() <= tolerance,
        "{what}: got {got}, expected {expected}"
    );
}

async fn velocity_view(client: &tokio_postgres::Client, team: &str) -> Vec<WeekVelocity> {
    client
        .query(
            "SELECT week_start, prs_merged, weighted_prs_merged, avg_cycle_time_hours
             FROM view_team_velocity WHERE team_id = $1 ORDER BY week_start",
            &[&team],
        )
        .await
        .expect("view_team_velocity")
        .iter()
        .map(|r| WeekVelocity {
            week_start: r.get::<_, NaiveDate>(0),
            prs_merged: r.get::<_, i64>(1) as u64,
            weighted_prs_merged: r.get(2),
            avg_cycle_time_hours: r.get(3),
        })
        .collect()
}

async fn lead_time_view(
    client: &tokio_postgres::Client,
    team: &str,
) -> Vec<(String, u64, f64, f64)> {
    client
        .query(
            "SELECT month, prs_merged, median_lead_time_hours, p95_lead_time_hours
             FROM view_dora_lead_time WHERE team_id = $1 ORDER BY month",
            &[&team],
        )
        .await
        .expect("view_dora_lead_time")
        .iter()
        .map(|r| (r.get(0), r.get::<_, i64>(1) as u64, r.get(2), r.get(3)))
        .collect()
}

#[track_caller]
fn assert_velocity(got: &[WeekVelocity], expected: &[WeekVelocity], team: &str) {
    let weeks = |v: &[WeekVelocity]| {
        v.iter()
            .map(|w| (w.week_start, w.prs_merged))
            .collect::<Vec<_>>()
    };
    assert_eq!(weeks(got), weeks(expected), "{team}: weeks and counts");
    for (g, e) in got.iter().zip(expected) {
        close(g.weighted_prs_merged, e.weighted_prs_merged, team);
        close(g.avg_cycle_time_hours, e.avg_cycle_time_hours, team);
    }
}

#[track_caller]
fn assert_lead_time(got: &[(String, u64, f64, f64)], expected: &[MonthLeadTime], team: &str) {
    let months =
        |v: &[(String, u64, f64, f64)]| v.iter().map(|m| (m.0.clone(), m.1)).collect::<Vec<_>>();
    let expected_months: Vec<_> = expected
        .iter()
        .map(|m| (m.month.to_string(), m.prs_merged))
        .collect();
    assert_eq!(months(got), expected_months, "{team}: months and counts");
    for (g, e) in got.iter().zip(expected) {
        close(g.2, e.median_lead_time_hours, team);
        close(g.3, e.p95_lead_time_hours, team);
    }
}

/// A migrated database whose default TimeZone is `zone`, with the generated data synced.
async fn seeded_in_zone(zone: &str) -> (TestDatabase, Store, Vec<(String, Vec<AttributedPr>)>) {
    let db = TestDatabase::create().await;
    db.client()
        .await
        .batch_execute(&format!(
            "ALTER DATABASE \"{}\" SET timezone TO '{zone}'",
            db.name
        ))
        .await
        .expect("set database time zone");
    let store = db.store().await;
    store.migrate().await.expect("migrate");
    let teams = config(generated::CONFIG);
    let prs = generated::pull_requests(500, 2026);
    store.sync_teams(&teams).await.expect("sync");
    store.upsert_pull_requests(&prs).await.expect("upsert");
    (db, store, reference(&prs, &teams))
}

#[tokio::test]
async fn views_equal_the_domain_metrics_in_a_non_utc_database_and_session() {
    let (db, _store, reference) = seeded_in_zone("Pacific/Kiritimati").await;
    let client = db.client().await;
    let zone: String = client
        .query_one("SHOW timezone", &[])
        .await
        .expect("show")
        .get(0);
    assert_eq!(zone, "Pacific/Kiritimati");

    for session_zone in ["Pacific/Kiritimati", "America/St_Johns"] {
        client
            .batch_execute(&format!("SET TIME ZONE '{session_zone}'"))
            .await
            .expect("set session zone");
        for (team, attributed) in &reference {
            assert_velocity(
                &velocity_view(&client, team).await,
                &domain::weekly_velocity(attributed),
                team,
            );
            assert_lead_time(
                &lead_time_view(&client, team).await,
                &domain::monthly_lead_time(attributed),
                team,
            );
        }
    }
    let busiest = reference
        .iter()
        .map(|(_, a)| a.len())
        .max()
        .unwrap_or_default();
    assert!(busiest > 50, "too little data: {busiest}");
}

#[tokio::test]
async fn attributed_prs_fed_to_the_domain_give_the_same_buckets() {
    let (_db, store, reference) = seeded_in_zone("America/St_Johns").await;
    let (start, end) = (at("2025-01-01T00:00:00Z"), at("2025-04-01T00:00:00Z"));
    let in_range = |t: DateTime<Utc>| start <= t && t < end;

    for (team, attributed) in &reference {
        let got = store.attributed_prs(team, start, end).await.expect("read");
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
    }
    assert!(
        store
            .attributed_prs("no-such-team", start, end)
            .await
            .expect("read")
            .is_empty()
    );
}
