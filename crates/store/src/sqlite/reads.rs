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
