-- Reporting views over pr_attributions for SQL and BI users; they agree with
-- domain::weekly_velocity and domain::monthly_lead_time (tested on generated data).
-- Buckets are UTC whatever the session's TimeZone: every timestamp is converted with
-- AT TIME ZONE 'UTC' before it is truncated or formatted.

-- Weekly velocity: ISO weeks starting Monday 00:00 UTC.
CREATE VIEW view_team_velocity AS
SELECT team_id,
       date_trunc('week', merged_at AT TIME ZONE 'UTC')::date AS week_start,
       count(*) AS prs_merged,
       -- Summed in ascending order, as the domain does, so rounding does not depend on row order.
       sum(weight ORDER BY weight) AS weighted_prs_merged,
       avg(cycle_time_hours ORDER BY cycle_time_hours) AS avg_cycle_time_hours
FROM pr_attributions
GROUP BY team_id, week_start;

-- Monthly lead time: continuous percentiles (linear interpolation), each attributed PR once.
CREATE VIEW view_dora_lead_time AS
SELECT team_id,
       to_char(merged_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
       count(*) AS prs_merged,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY cycle_time_hours) AS median_lead_time_hours,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY cycle_time_hours) AS p95_lead_time_hours
FROM pr_attributions
GROUP BY team_id, month;
