-- The reporting views of 0005, with cycle and lead times taken only over the attributions whose
-- cycle time is possible (not negative). GitHub has PRs merged before they were created; such a
-- PR still counts in prs_merged, but a negative duration enters no figure (as in
-- domain::weekly_velocity and domain::monthly_lead_time). A bucket with no possible duration
-- left has NULL figures. Column names and types are unchanged.
CREATE OR REPLACE VIEW view_team_velocity AS
SELECT team_id,
       date_trunc('week', merged_at AT TIME ZONE 'UTC')::date AS week_start,
       count(*) AS prs_merged,
       -- Summed in ascending order, as the domain does, so rounding does not depend on row order.
       sum(weight ORDER BY weight) AS weighted_prs_merged,
       avg(cycle_time_hours ORDER BY cycle_time_hours)
           FILTER (WHERE cycle_time_hours >= 0) AS avg_cycle_time_hours
FROM pr_attributions
GROUP BY team_id, week_start;

CREATE OR REPLACE VIEW view_dora_lead_time AS
SELECT team_id,
       to_char(merged_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
       count(*) AS prs_merged,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY cycle_time_hours)
           FILTER (WHERE cycle_time_hours >= 0) AS median_lead_time_hours,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY cycle_time_hours)
           FILTER (WHERE cycle_time_hours >= 0) AS p95_lead_time_hours
FROM pr_attributions
GROUP BY team_id, month;
