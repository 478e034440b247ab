//! Metric math over attributed PRs: weekly velocity and monthly lead-time percentiles.
//!
//! Results do not depend on input order: each bucket's values are sorted before they are summed,
//! so floating-point rounding is the same however the rows arrive.
//!
//! A PR merged before it was created (GitHub has such records) counts as merged, but its
//! negative cycle time enters no cycle or lead-time figure: a bucket with none left has none.

use crate::time::{YearMonth, week_start};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// One PR as credited to one team: what the metrics need.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttributedPr {
    pub merged_at: DateTime<Utc>,
    /// The membership weight the PR was credited with.
    pub weight: f64,
    /// `merged_at - created_at`, in hours.
    pub cycle_time_hours: f64,
}

/// Cycle time in hours, as a float: `merged_at - created_at`.
pub fn cycle_time_hours(created_at: DateTime<Utc>, merged_at: DateTime<Utc>) -> f64 {
    let delta = merged_at - created_at;
    // Microseconds are exact for any span a PR can have (±292,000 years).
    delta.num_microseconds().map_or_else(
        || delta.num_seconds() as f64 / 3600.0,
        |us| us as f64 / 3_600_000_000.0,
    )
}

/// One ISO week of a team's velocity.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekVelocity {
    /// Monday of the week (UTC).
    pub week_start: NaiveDate,
    /// Attributed PRs merged in the week.
    pub prs_merged: u64,
    /// Sum of the attributed PRs' weights.
    pub weighted_prs_merged: f64,
    /// Plain (unweighted) mean cycle time of the PRs with a possible one (not negative);
    /// `None` when no PR of the week has one.
    pub avg_cycle_time_hours: Option<f64>,
}

/// One calendar month of a team's lead time.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthLeadTime {
    pub month: YearMonth,
    pub prs_merged: u64,
    /// Over the PRs with a possible cycle time (not negative); `None` when there is none.
    pub median_lead_time_hours: Option<f64>,
    pub p95_lead_time_hours: Option<f64>,
}

/// Whether a cycle time can enter a statistic: a PR cannot be merged before it was created.
pub fn is_possible_cycle_time(hours: f64) -> bool {
    hours >= 0.0
}

/// Continuous percentile with linear interpolation between the two nearest ranks, exactly as
/// PostgreSQL's `PERCENTILE_CONT(p)`: position `p * (n - 1)` in the sorted values.
/// `sorted` must be in ascending order; `None` when it is empty.
pub fn percentile_cont(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = p.clamp(0.0, 1.0) * last as f64;
    let lower = position.floor() as usize;
    let upper = position.ceil() as usize;
    let fraction = position - lower as f64;
    let (lo, hi) = (sorted[lower], sorted[upper.min(last)]);
    // PostgreSQL computes lo + fraction * (hi - lo); so do we, for bit-equal results.
    Some(lo + fraction * (hi - lo))
}

fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    values
}

fn possible(mut cycle_times: Vec<f64>) -> Vec<f64> {
    cycle_times.retain(|hours| is_possible_cycle_time(*hours));
    cycle_times
}

fn sum(values: &[f64]) -> f64 {
    values.iter().sum()
}

/// Weekly velocity of the given PRs, one entry per week that has any, oldest first.
pub fn weekly_velocity(prs: &[AttributedPr]) -> Vec<WeekVelocity> {
    let mut weeks: BTreeMap<NaiveDate, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for pr in prs {
        let (weights, cycle_times) = weeks.entry(week_start(pr.merged_at)).or_default();
        weights.push(pr.weight);
        cycle_times.push(pr.cycle_time_hours);
    }
    weeks
        .into_iter()
        .map(|(week_start, (weights, cycle_times))| {
            let merged = cycle_times.len();
            let possible = sorted(possible(cycle_times));
            WeekVelocity {
                week_start,
                prs_merged: merged as u64,
                weighted_prs_merged: sum(&sorted(weights)),
                avg_cycle_time_hours: (!possible.is_empty())
                    .then(|| sum(&possible) / possible.len() as f64),
            }
        })
        .collect()
}

/// Monthly lead-time median and p95 of the given PRs, one entry per month that has any, oldest
/// first. Each PR counts once, whatever its weight.
pub fn monthly_lead_time(prs: &[AttributedPr]) -> Vec<MonthLeadTime> {
    let mut months: BTreeMap<YearMonth, Vec<f64>> = BTreeMap::new();
    for pr in prs {
        months
            .entry(YearMonth::of(pr.merged_at))
            .or_default()
            .push(pr.cycle_time_hours);
    }
    months
        .into_iter()
        .map(|(month, cycle_times)| {
            let merged = cycle_times.len();
            let possible = sorted(possible(cycle_times));
            MonthLeadTime {
                month,
                prs_merged: merged as u64,
                median_lead_time_hours: percentile_cont(&possible, 0.5),
                p95_lead_time_hours: percentile_cont(&possible, 0.95),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::testing::at;
    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn pr(merged_at: &str, weight: f64, cycle_time_hours: f64) -> AttributedPr {
        AttributedPr {
            merged_at: at(merged_at),
            weight,
            cycle_time_hours,
        }
    }

    #[track_caller]
    fn check_percentile(values: &[f64], p: f64, expected: f64) {
        let got = percentile_cont(values, p).unwrap();
        assert!(
            (got - expected).abs() < 1e-12,
            "p{p} of {values:?}: got {got}, expected {expected}"
        );
    }

    #[test]
    fn percentiles_interpolate_like_postgres() {
        // Hand-computed: position = p * (n - 1).
        check_percentile(&[7.0], 0.5, 7.0);
        check_percentile(&[7.0], 0.95, 7.0);
        check_percentile(&[1.0, 2.0], 0.5, 1.5);
        check_percentile(&[1.0, 2.0], 0.95, 1.95);
        check_percentile(&[1.0, 2.0, 3.0, 4.0], 0.5, 2.5); // pos 1.5
        check_percentile(&[1.0, 2.0, 3.0, 4.0], 0.95, 3.85); // pos 2.85
        check_percentile(&[1.0, 2.0, 3.0, 4.0, 100.0], 0.95, 80.8); // pos 3.8: 4 + 0.8 * 96
        check_percentile(&[0.0, 10.0, 20.0], 0.5, 10.0);
        check_percentile(&[0.0, 10.0, 20.0], 0.0, 0.0);
        check_percentile(&[0.0, 10.0, 20.0], 1.0, 20.0);
        // 21 values 0..=20: p95 position 19.0 exactly.
        let v: Vec<f64> = (0..=20).map(f64::from).collect();
        check_percentile(&v, 0.95, 19.0);
        assert_eq!(percentile_cont(&[], 0.5), None);
    }

    #[test]
    fn cycle_time_is_fractional_hours() {
        assert_eq!(
            cycle_time_hours(at("2026-01-01T00:00:00Z"), at("2026-01-01T01:30:00Z")),
            1.5
        );
        assert_eq!(
            cycle_time_hours(at("2026-01-01T00:00:00Z"), at("2026-01-03T00:00:00Z")),
            48.0
        );
        assert_eq!(
            cycle_time_hours(at("2026-01-01T00:00:00Z"), at("2026-01-01T00:00:36Z")),
            0.01
        );
    }

    #[test]
    fn velocity_buckets_by_utc_monday() {
        let weeks = weekly_velocity(&[
            pr("2026-01-04T23:59:59Z", 0.5, 10.0), // Sunday: week of 2025-12-29
            pr("2026-01-05T00:00:00Z", 1.0, 2.0),  // Monday 00:00: a new week
            pr("2026-01-07T12:00:00Z", 0.25, 6.0),
            pr("2026-01-12T00:30:00+01:00", 0.25, 4.0), // Sunday 23:30 UTC: still 2026-01-05
            pr("2026-01-11T23:30:00-01:00", 1.0, 1.0),  // Monday 00:30 UTC: week of 2026-01-12
        ]);
        let got: Vec<_> = weeks
            .iter()
            .map(|w| {
                (
                    w.week_start,
                    w.prs_merged,
                    w.weighted_prs_merged,
                    w.avg_cycle_time_hours,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (day("2025-12-29"), 1, 0.5, Some(10.0)),
                (day("2026-01-05"), 3, 1.5, Some(4.0)),
                (day("2026-01-12"), 1, 1.0, Some(1.0)),
            ]
        );
    }

    #[test]
    fn lead_time_buckets_by_utc_month_and_counts_each_pr_once() {
        let months = monthly_lead_time(&[
            pr("2026-01-31T23:59:59Z", 0.5, 1.0),
            pr("2026-01-15T00:00:00Z", 0.5, 3.0),
            pr("2026-02-01T00:00:00Z", 1.0, 5.0),
        ]);
        assert_eq!(months.len(), 2);
        assert_eq!(months[0].month.to_string(), "2026-01");
        assert_eq!(months[0].prs_merged, 2);
        assert_eq!(months[0].median_lead_time_hours, Some(2.0));
        assert!((months[0].p95_lead_time_hours.unwrap() - 2.9).abs() < 1e-12);
        assert_eq!(months[1].month.to_string(), "2026-02");
        assert_eq!(months[1].median_lead_time_hours, Some(5.0));
    }

    #[test]
    fn a_pr_merged_before_it_was_created_counts_as_merged_but_not_in_durations() {
        let weeks = weekly_velocity(&[
            pr("2026-01-05T10:00:00Z", 1.0, -216.0),
            pr("2026-01-06T10:00:00Z", 0.5, 4.0),
            pr("2026-01-12T10:00:00Z", 1.0, -1.0),
        ]);
        assert_eq!(weeks[0].prs_merged, 2);
        assert_eq!(weeks[0].weighted_prs_merged, 1.5);
        assert_eq!(weeks[0].avg_cycle_time_hours, Some(4.0));
        assert_eq!(weeks[1].prs_merged, 1);
        assert_eq!(weeks[1].avg_cycle_time_hours, None);

        let months = monthly_lead_time(&[
            pr("2026-01-05T10:00:00Z", 1.0, -216.0),
            pr("2026-01-06T10:00:00Z", 0.5, 4.0),
            pr("2026-01-07T10:00:00Z", 0.5, 0.0),
            pr("2026-02-01T10:00:00Z", 1.0, -1.0),
        ]);
        assert_eq!(months[0].prs_merged, 3);
        assert_eq!(months[0].median_lead_time_hours, Some(2.0));
        assert_eq!(months[1].prs_merged, 1);
        assert_eq!(months[1].median_lead_time_hours, None);
        assert_eq!(months[1].p95_lead_time_hours, None);
    }

    #[test]
    fn no_prs_means_no_buckets() {
        assert!(weekly_velocity(&[]).is_empty());
        assert!(monthly_lead_time(&[]).is_empty());
    }

    fn any_pr() -> impl Strategy<Value = AttributedPr> {
        (0i64..(3 * 365 * 86_400), 0u32..=100, -1_000i32..100_000).prop_map(
            |(secs, percent, centi_hours)| AttributedPr {
                merged_at: at("2024-01-01T00:00:00Z") + chrono::Duration::seconds(secs),
                weight: f64::from(percent) / 100.0,
                cycle_time_hours: f64::from(centi_hours) / 100.0,
            },
        )
    }

    proptest! {
        #[test]
        fn metrics_are_independent_of_input_order(prs in prop::collection::vec(any_pr(), 0..200), rotate in 0usize..200) {
            let mut shuffled = prs.clone();
            shuffled.reverse();
            if !shuffled.is_empty() {
                let n = shuffled.len();
                shuffled.rotate_left(rotate % n);
            }
            prop_assert_eq!(weekly_velocity(&prs), weekly_velocity(&shuffled));
            prop_assert_eq!(monthly_lead_time(&prs), monthly_lead_time(&shuffled));
        }

        #[test]
        fn buckets_partition_the_prs(prs in prop::collection::vec(any_pr(), 0..200)) {
            let weeks = weekly_velocity(&prs);
            let months = monthly_lead_time(&prs);
            prop_assert_eq!(weeks.iter().map(|w| w.prs_merged).sum::<u64>(), prs.len() as u64);
            prop_assert_eq!(months.iter().map(|m| m.prs_merged).sum::<u64>(), prs.len() as u64);
            for m in &months {
                prop_assert!(m.median_lead_time_hours <= m.p95_lead_time_hours);
                prop_assert!(m.median_lead_time_hours.is_none_or(|h| h >= 0.0));
            }
            for w in &weeks {
                prop_assert!(w.avg_cycle_time_hours.is_none_or(|h| h >= 0.0));
                prop_assert!(crate::time::is_monday(w.week_start));
                prop_assert!(w.weighted_prs_merged <= w.prs_merged as f64 + 1e-9);
            }
        }

        #[test]
        fn percentile_lies_between_min_and_max(mut values in prop::collection::vec(-1e6f64..1e6, 1..100), p in 0.0f64..=1.0) {
            values.sort_by(f64::total_cmp);
            let got = percentile_cont(&values, p).unwrap();
            prop_assert!(values[0] <= got && got <= values[values.len() - 1]);
        }
    }
}
