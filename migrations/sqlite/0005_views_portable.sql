-- The reporting views of 0003_views_floor.sql, rewritten so that SQLite 3.31 and later parse
-- them (the sqlite3 shell of Debian 12, Ubuntu 22.04/24.04, Python 3.11): 0003's aggregate
-- ORDER BY needs SQLite 3.44, and a view an older SQLite cannot parse makes every table of the
-- file unreadable to it. The ascending summation order stays: each sum and mean is a window
-- aggregate over its bucket ordered by the value (window functions: SQLite 3.25), whose frame
-- is the whole bucket, read once per bucket.
--
-- Cycle and lead times are taken only over attributions whose cycle time is possible (not
-- negative): a PR merged before it was created still counts in prs_merged, as in PostgreSQL's
-- 0008 and the domain; a bucket with no possible duration left has NULL figures.
--
-- Buckets floor the seconds as 0003 does, so instants before 1970 fall in the right bucket.
DROP VIEW view_team_velocity;
DROP VIEW view_dora_lead_time;

CREATE VIEW view_team_velocity AS
SELECT team_id,
       week_start,
       count(*) AS prs_merged,
       max(weighted_prs_merged) AS weighted_prs_merged,
       max(avg_cycle_time_hours) AS avg_cycle_time_hours
FROM (
    SELECT team_id,
           week_start,
           sum(weight) OVER (
               PARTITION BY team_id, week_start ORDER BY weight
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
           ) AS weighted_prs_merged,
           avg(possible_cycle_time_hours) OVER (
               PARTITION BY team_id, week_start ORDER BY possible_cycle_time_hours
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
           ) AS avg_cycle_time_hours
    FROM (
        SELECT team_id,
               date((merged_at - (merged_at % 1000000 + 1000000) % 1000000) / 1000000,
                    'unixepoch', '-6 days', 'weekday 1') AS week_start,
               weight,
               CASE WHEN cycle_time_hours >= 0 THEN cycle_time_hours END
                   AS possible_cycle_time_hours
        FROM pr_attributions
    )
)
GROUP BY team_id, week_start;

-- percentile_cont(value, fraction) is registered by the store on its connection
-- (store/src/sqlite/functions.rs) with domain::percentile_cont's definition; it skips NULLs.
-- A plain sqlite3 shell parses this view but cannot run it.
CREATE VIEW view_dora_lead_time AS
SELECT team_id,
       strftime('%Y-%m', (merged_at - (merged_at % 1000000 + 1000000) % 1000000) / 1000000,
                'unixepoch') AS month,
       count(*) AS prs_merged,
       percentile_cont(CASE WHEN cycle_time_hours >= 0 THEN cycle_time_hours END, 0.5)
           AS median_lead_time_hours,
       percentile_cont(CASE WHEN cycle_time_hours >= 0 THEN cycle_time_hours END, 0.95)
           AS p95_lead_time_hours
FROM pr_attributions
GROUP BY team_id, month;
