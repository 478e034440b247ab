//! The read behind the metrics endpoints on SQLite (one team's attributed PRs in a time
//! range), and the SQL function SQLite lacks and the reporting views need:
//! `percentile_cont(value, fraction)`, an aggregate with `domain::percentile_cont`'s definition
//! (linear interpolation, as PostgreSQL's `percentile_cont(fraction) WITHIN GROUP (ORDER BY
//! value)`).

use super::{Sqlite, instant, micros};
use crate::error::StoreError;
use chrono::{DateTime, Utc};
use domain::AttributedPr;
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::{Connection, params};

impl Sqlite {
    /// See [`crate::Store::attributed_prs`].
    pub(crate) async fn attributed_prs(
        &self,
        team_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<AttributedPr>, StoreError> {
        let what = "reading attributed pull requests";
        let team_id = team_id.to_owned();
        self.run(what, move |c| {
            let mut statement = c
                .prepare_cached(
                    "SELECT merged_at, weight, cycle_time_hours FROM pr_attributions
                     WHERE team_id = ?1 AND merged_at >= ?2 AND merged_at < ?3
                     ORDER BY merged_at, weight, cycle_time_hours",
                )
                .map_err(StoreError::sqlite(what))?;
            let rows = statement
                .query_map(params![team_id, micros(start), micros(end)], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get(1)?, row.get(2)?))
                })
                .map_err(StoreError::sqlite(what))?;
            let mut prs = Vec::new();
            for row in rows {
                let (merged_at, weight, cycle_time_hours) =
                    row.map_err(StoreError::sqlite(what))?;
                prs.push(AttributedPr {
                    merged_at: instant(merged_at)?,
                    weight,
                    cycle_time_hours,
                });
            }
            Ok(prs)
        })
        .await
    }
}

/// Registers the functions on `connection`.
pub(super) fn register_functions(connection: &Connection) -> rusqlite::Result<()> {
    connection.create_aggregate_function(
        "percentile_cont",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        PercentileCont,
    )
}

/// The aggregate: collects the non-null values and the fraction, sorts, interpolates.
struct PercentileCont;

/// Values seen so far and the requested fraction.
type Accumulator = (Vec<f64>, f64);

impl Aggregate<Accumulator, Option<f64>> for PercentileCont {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Accumulator> {
        Ok((Vec::new(), 0.5))
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Accumulator) -> rusqlite::Result<()> {
        if let Some(value) = ctx.get::<Option<f64>>(0)? {
            acc.0.push(value);
        }
        acc.1 = ctx.get::<f64>(1)?;
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<Accumulator>,
    ) -> rusqlite::Result<Option<f64>> {
        Ok(acc.and_then(|(mut values, fraction)| {
            values.sort_by(f64::total_cmp);
            domain::percentile_cont(&values, fraction)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_cont_interpolates_like_the_domain_and_postgresql() {
        let connection = Connection::open_in_memory().expect("open");
        register_functions(&connection).expect("register");
        connection
            .execute_batch(
                "CREATE TABLE t (v REAL); INSERT INTO t VALUES (4), (1), (NULL), (3), (2);",
            )
            .expect("data");
        let (median, p95): (f64, f64) = connection
            .query_row(
                "SELECT percentile_cont(v, 0.5), percentile_cont(v, 0.95) FROM t",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .expect("query");
        assert_eq!(median, 2.5);
        assert_eq!(
            Some(p95),
            domain::percentile_cont(&[1.0, 2.0, 3.0, 4.0], 0.95)
        );
        let empty: Option<f64> = connection
            .query_row(
                "SELECT percentile_cont(v, 0.5) FROM t WHERE v > 10",
                [],
                |row| row.get(0),
            )
            .expect("query");
        assert_eq!(empty, None);
    }
}

/// The SQLite reporting views agree with the domain's metric math: same weeks (Monday UTC) and
/// months, same counts, same percentiles (through the registered `percentile_cont`); sums and
/// means to within rounding (the views sum in ascending order, as the domain does, but SQLite's
/// sum() compensates rounding where the domain adds plainly).
#[cfg(test)]
mod views_tests {
    use super::super::Sqlite;
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
}
