//! SQL functions SQLite lacks and the reporting views need: `percentile_cont(value, fraction)`,
//! an aggregate with `domain::percentile_cont`'s definition (linear interpolation, as
//! PostgreSQL's `percentile_cont(fraction) WITHIN GROUP (ORDER BY value)`).

use rusqlite::Connection;
use rusqlite::functions::{Aggregate, Context, FunctionFlags};

/// Registers the functions on `connection`.
pub(super) fn register(connection: &Connection) -> rusqlite::Result<()> {
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
        register(&connection).expect("register");
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
