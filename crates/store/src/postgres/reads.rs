//! The read behind the metrics endpoints: one team's attributed PRs in a time range, for
//! `domain::weekly_velocity` and `domain::monthly_lead_time`. The metric math stays in domain.

use super::{Postgres, column};
use crate::error::StoreError;
use chrono::{DateTime, Utc};
use domain::AttributedPr;

impl Postgres {
    /// The attributions of `team_id` with `merged_at` in `[start, end)`, oldest first: an
    /// index-only scan of `pr_attributions_team_merged_at`. An unknown team yields no rows (use
    /// [`crate::Store::team_exists`] to tell the two apart).
    pub(crate) async fn attributed_prs(
        &self,
        team_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<AttributedPr>, StoreError> {
        let what = "reading attributed pull requests";
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "SELECT merged_at, weight, cycle_time_hours FROM pr_attributions
                 WHERE team_id = $1 AND merged_at >= $2 AND merged_at < $3
                 ORDER BY merged_at, weight, cycle_time_hours",
            )
            .await
            .map_err(StoreError::query(what))?;
        let rows = client
            .query(&statement, &[&team_id, &start, &end])
            .await
            .map_err(StoreError::query(what))?;
        rows.iter()
            .map(|row| {
                Ok(AttributedPr {
                    merged_at: column(row, 0, what)?,
                    weight: column(row, 1, what)?,
                    cycle_time_hours: column(row, 2, what)?,
                })
            })
            .collect()
    }
}
