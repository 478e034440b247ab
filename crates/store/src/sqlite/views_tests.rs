//! The SQLite reporting views agree with the domain's metric math: same weeks (Monday UTC) and
//! months, same counts, same percentiles (through the registered `percentile_cont`); sums and
//! means to within rounding (the views sum in ascending order, as the domain does, but SQLite's
//! sum() compensates rounding where the domain adds plainly).

use super::Sqlite;
use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::{PullRequest, TeamConfig};

fn pr(number: i64, login: &str, created_at: DateTime<Utc>, hours: i64) -> PullRequest {
    let merged = created_at + Duration::minutes(hours * 60 + number % 60);
    domain::testing::merged_pr(number)
        .by(login)
        .merged(merged)
        .created(created_at)
        .build()
}

#[tokio::test]
async fn sqlite_views_agree_with_the_domain_metrics() {
    let db = Sqlite::open("sqlite::memory:").await.expect("open");
    db.migrate().await.expect("migrate");
    let config = TeamConfig::from_json(
        r#"{"teams":[{"id":"platform","members":[
            {"github":"alice","weight":0.5,"joined_at":"2025-01-01"},
            {"github":"bob","weight":0.3,"joined_at":"2025-01-01"}]}]}"#,
    )
    .expect("config");
    db.sync_teams(&config).await.expect("sync");
    let start = Utc
        .with_ymd_and_hms(2025, 1, 3, 22, 0, 0)
        .single()
        .expect("instant");
    let prs: Vec<PullRequest> = (1..=300)
        .map(|n| {
            let login = if n % 3 == 0 { "bob" } else { "alice" };
            pr(n, login, start + Duration::hours(n * 13), n * 7 % 97)
        })
        .collect();
    db.upsert_pull_requests(&prs).await.expect("upsert");
    let far = Utc
        .with_ymd_and_hms(2030, 1, 1, 0, 0, 0)
        .single()
        .expect("instant");
    let attributed = db
        .attributed_prs("platform", start - Duration::days(30), far)
        .await
        .expect("attributed");
    let weeks = domain::weekly_velocity(&attributed);
    let months = domain::monthly_lead_time(&attributed);

    let (view_weeks, view_months) = db
        .run("reading the views", |c| {
            type Row = (String, i64, Option<f64>, Option<f64>);
            let read = |sql: &str| -> rusqlite::Result<Vec<Row>> {
                let mut statement = c.prepare(sql)?;
                let rows = statement
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
                rows.collect()
            };
            let weeks = read(
                "SELECT week_start, prs_merged, weighted_prs_merged, avg_cycle_time_hours
                 FROM view_team_velocity WHERE team_id = 'platform' ORDER BY week_start",
            );
            let months = read(
                "SELECT month, prs_merged, median_lead_time_hours, p95_lead_time_hours
                 FROM view_dora_lead_time WHERE team_id = 'platform' ORDER BY month",
            );
            Ok((weeks, months))
        })
        .await
        .expect("views");
    let view_weeks = view_weeks.expect("velocity view");
    let view_months = view_months.expect("lead time view");

    assert_eq!(view_weeks.len(), weeks.len());
    for (view, week) in view_weeks.iter().zip(&weeks) {
        assert_eq!(view.0, week.week_start.to_string());
        assert_eq!(view.1 as u64, week.prs_merged);
        assert!((view.2.expect("a sum") - week.weighted_prs_merged).abs() < 1e-9);
        let (view_avg, avg) = (view.3.expect("a mean"), week.avg_cycle_time_hours);
        assert!((view_avg - avg.expect("a mean")).abs() < 1e-9);
    }
    assert_eq!(view_months.len(), months.len());
    for (view, month) in view_months.iter().zip(&months) {
        assert_eq!(view.0, month.month.to_string());
        assert_eq!(view.1 as u64, month.prs_merged);
        assert_eq!(view.2, month.median_lead_time_hours);
        assert_eq!(view.3, month.p95_lead_time_hours);
    }
}
