-- The reporting views of 0001_schema.sql, fixed and closer to PostgreSQL's 0005:
--
-- * Buckets of instants before 1970. merged_at / 1000000 truncates toward zero, so an instant a
--   fraction of a second before a week or month boundary before 1970 (a negative count of
--   microseconds) was counted in the bucket after it. The seconds are now floored: the
--   remainder is taken modulo 1000000 into [0, 1000000) first (SQLite's % keeps the sign of the
--   dividend), so the division is exact.
-- * Sums and means over the rows in ascending order (aggregate ORDER BY, SQLite 3.44+; the store
--   bundles its SQLite), as PostgreSQL's views and the domain sum, so they no longer depend on
--   row order. SQLite's sum() compensates rounding (Kahan-Babuska-Neumaier) where PostgreSQL's
--   and the domain's add plainly, so the last bits may still differ; the API reads the table,
--   not these views.
DROP VIEW view_team_velocity;
DROP VIEW view_dora_lead_time;

CREATE VIEW view_team_velocity AS
SELECT team_id,
       date((merged_at - (merged_at % 1000000 + 1000000) % 1000000) / 1000000, 'unixepoch',
            '-6 days', 'weekday 1') AS week_start,
       count(*) AS prs_merged,
       sum(weight ORDER BY weight) AS weighted_prs_merged,
       avg(cycle_time_hours ORDER BY cycle_time_hours) AS avg_cycle_time_hours
FROM pr_attributions
GROUP BY team_id, week_start;

-- percentile_cont(value, fraction) is registered by the store on its connection
-- (store/src/sqlite/functions.rs) with domain::percentile_cont's definition.
CREATE VIEW view_dora_lead_time AS
SELECT team_id,
       strftime('%Y-%m', (merged_at - (merged_at % 1000000 + 1000000) % 1000000) / 1000000,
                'unixepoch') AS month,
       count(*) AS prs_merged,
       percentile_cont(cycle_time_hours, 0.5) AS median_lead_time_hours,
       percentile_cont(cycle_time_hours, 0.95) AS p95_lead_time_hours
FROM pr_attributions
GROUP BY team_id, month;
