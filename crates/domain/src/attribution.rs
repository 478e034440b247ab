//! The attribution rule, stated once: a merged PR counts for every team in which its author has
//! a membership active at `merged_at`, with that membership's weight. Closed-unmerged PRs, PRs
//! without an author (deleted accounts) and, unless the team opts in, bot PRs count nowhere.
//!
//! The store applies the same rule set-based in SQL; its tests check the two agree.

use crate::config::{TeamConfig, TeamId};
use chrono::{DateTime, Utc};

/// What the rule needs to know about a PR's author and merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrAuthor<'a> {
    /// `user.login`, `None` for a deleted account.
    pub login: Option<&'a str>,
    /// `user.type`: `"User"`, `"Bot"` or `"Organization"`.
    pub user_type: Option<&'a str>,
    /// `None` for a PR that was closed without merging.
    pub merged_at: Option<DateTime<Utc>>,
}

/// One PR's credit to one team, through one membership.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribution {
    pub team_id: TeamId,
    pub weight: f64,
    /// The `joined_at` of the membership that gave the credit: with the team and the author's
    /// lowercased login, the membership's key (the store records which membership it was).
    pub joined_at: DateTime<Utc>,
}

/// Whether an author is a bot: GitHub says so (`type == "Bot"`), or the login carries the
/// `[bot]` suffix GitHub Apps get.
pub fn is_bot(login: &str, user_type: Option<&str>) -> bool {
    user_type.is_some_and(|t| t.eq_ignore_ascii_case("bot"))
        || login.to_ascii_lowercase().ends_with("[bot]")
}

/// The teams `pr` counts for, in team-id order. Weights are the memberships' own: a PR whose
/// author is split 60/40 yields 0.6 and 0.4.
pub fn attribute(pr: PrAuthor<'_>, config: &TeamConfig) -> Vec<Attribution> {
    let (Some(login), Some(merged_at)) = (pr.login, pr.merged_at) else {
        return Vec::new();
    };
    let bot = is_bot(login, pr.user_type);
    let login = login.to_ascii_lowercase();
    config
        .teams
        .iter()
        .filter(|team| !bot || team.include_bots)
        .filter_map(|team| {
            // Spans of one login in one team never overlap, so at most one is active.
            team.members
                .iter()
                .find(|m| m.login == login && m.is_active_at(merged_at))
                .map(|m| Attribution {
                    team_id: team.id.clone(),
                    weight: m.weight,
                    joined_at: m.joined_at,
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::testing::at;

    fn config() -> TeamConfig {
        TeamConfig::from_json(
            r#"{"teams":[
            {"id":"platform","members":[
                {"github":"alice","weight":0.5,"joined_at":"2026-01-01","left_at":"2026-03-01"},
                {"github":"alice","weight":1.0,"joined_at":"2026-03-01","left_at":"2026-04-01"},
                {"github":"dependabot[bot]","weight":0.5,"joined_at":"2020-01-01"},
                {"github":"robot","joined_at":"2020-01-01"}]},
            {"id":"mobile","members":[
                {"github":"Alice","weight":0.5,"joined_at":"2026-01-01","left_at":"2026-03-01"}]},
            {"id":"tools","include_bots":true,"members":[
                {"github":"dependabot[bot]","weight":0.5,"joined_at":"2020-01-01"}]}]}"#,
        )
        .unwrap()
    }

    #[track_caller]
    fn check(
        login: Option<&str>,
        user_type: Option<&str>,
        merged_at: Option<&str>,
        expected: &[(&str, f64)],
    ) {
        let pr = PrAuthor {
            login,
            user_type,
            merged_at: merged_at.map(at),
        };
        let got: Vec<(String, f64)> = attribute(pr, &config())
            .into_iter()
            .map(|a| (a.team_id.to_string(), a.weight))
            .collect();
        let expected: Vec<(String, f64)> =
            expected.iter().map(|(t, w)| (t.to_string(), *w)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn pr_merged_at_joined_at_counts() {
        check(
            Some("alice"),
            Some("User"),
            Some("2026-01-01T00:00:00Z"),
            &[("mobile", 0.5), ("platform", 0.5)],
        );
    }

    #[test]
    fn pr_merged_just_before_joined_at_counts_for_no_team() {
        check(
            Some("alice"),
            Some("User"),
            Some("2025-12-31T23:59:59Z"),
            &[],
        );
    }

    #[test]
    fn pr_merged_at_left_at_counts_for_the_next_span_only() {
        // 2026-03-01 ends the 0.5 spans and starts platform's 1.0 span.
        check(
            Some("alice"),
            Some("User"),
            Some("2026-03-01T00:00:00Z"),
            &[("platform", 1.0)],
        );
        check(
            Some("alice"),
            Some("User"),
            Some("2026-02-28T23:59:59Z"),
            &[("mobile", 0.5), ("platform", 0.5)],
        );
    }

    #[test]
    fn pr_merged_after_left_at_counts_for_no_team() {
        check(
            Some("alice"),
            Some("User"),
            Some("2026-04-01T00:00:00Z"),
            &[],
        );
    }

    #[test]
    fn logins_match_case_insensitively() {
        check(
            Some("ALICE"),
            Some("User"),
            Some("2026-01-15T00:00:00Z"),
            &[("mobile", 0.5), ("platform", 0.5)],
        );
    }

    #[test]
    fn closed_unmerged_and_authorless_prs_count_nowhere() {
        check(Some("alice"), Some("User"), None, &[]);
        check(None, None, Some("2026-01-15T00:00:00Z"), &[]);
    }

    #[test]
    fn bots_count_only_for_teams_that_include_them() {
        check(
            Some("dependabot[bot]"),
            Some("Bot"),
            Some("2026-01-15T00:00:00Z"),
            &[("tools", 0.5)],
        );
        // A listed member whose account type is Bot is still a bot.
        check(
            Some("robot"),
            Some("Bot"),
            Some("2026-01-15T00:00:00Z"),
            &[],
        );
        check(
            Some("robot"),
            Some("User"),
            Some("2026-01-15T00:00:00Z"),
            &[("platform", 1.0)],
        );
        // The suffix alone marks a bot, whatever the type says.
        check(
            Some("Dependabot[BOT]"),
            Some("User"),
            Some("2026-01-15T00:00:00Z"),
            &[("tools", 0.5)],
        );
    }

    #[test]
    fn is_bot_reads_type_and_suffix() {
        assert!(is_bot("x", Some("Bot")));
        assert!(is_bot("renovate[bot]", None));
        assert!(!is_bot("bot", Some("User")));
        assert!(!is_bot("acme", Some("Organization")));
    }

    /// Generates configs whose allocation is conserved: each person's weights, per period, are a
    /// split of at most 1.0 over distinct teams.
    fn conserved_config() -> impl Strategy<Value = TeamConfig> {
        let person = prop::collection::vec((0usize..4, 0u32..=100, 0i64..400, 1i64..200), 1..4);
        prop::collection::vec(person, 1..6).prop_map(|people| {
            let mut teams: Vec<Vec<String>> = vec![Vec::new(); 4];
            for (p, spans) in people.iter().enumerate() {
                // Period k of person p spans days [k*400, k*400+len): periods never overlap.
                for (k, (team, percent, start, len)) in spans.iter().enumerate() {
                    let base = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
                    let joined = base + chrono::Duration::days(k as i64 * 400 + start % 200);
                    let left = joined + chrono::Duration::days(*len);
                    // Split the period between `team` and the next team.
                    let w = f64::from(*percent) / 100.0;
                    for (t, weight) in [(*team, w), ((team + 1) % 4, 1.0 - w)] {
                        teams[t].push(format!(
                            r#"{{"github":"p{p}","weight":{weight},"joined_at":"{joined}","left_at":"{left}"}}"#
                        ));
                    }
                }
            }
            let teams: Vec<String> = teams
                .iter()
                .enumerate()
                .map(|(i, members)| format!(r#"{{"id":"t{i}","members":[{}]}}"#, members.join(",")))
                .collect();
            TeamConfig::from_json(&format!(r#"{{"teams":[{}]}}"#, teams.join(","))).unwrap()
        })
    }

    proptest! {
        #[test]
        fn per_pr_total_weight_is_at_most_one_when_allocation_is_conserved(
            config in conserved_config(),
            person in 0usize..6,
            day in 0i64..1600,
            second in 0i64..86_400,
        ) {
            let merged_at = at("2024-01-01T00:00:00Z") + chrono::Duration::days(day) + chrono::Duration::seconds(second);
            let login = format!("p{person}");
            let pr = PrAuthor { login: Some(&login), user_type: Some("User"), merged_at: Some(merged_at) };
            let total: f64 = attribute(pr, &config).iter().map(|a| a.weight).sum();
            prop_assert!(total <= 1.0 + 1e-9, "total {total}");
        }

        #[test]
        fn attribution_is_independent_of_team_and_member_order(
            config in conserved_config(),
            person in 0usize..6,
            day in 0i64..1600,
            seed in any::<u64>(),
        ) {
            let merged_at = at("2024-01-01T00:00:00Z") + chrono::Duration::days(day);
            let login = format!("p{person}");
            let pr = PrAuthor { login: Some(&login), user_type: None, merged_at: Some(merged_at) };
            let mut shuffled = config.clone();
            // A deterministic shuffle: reverse or rotate by the seed.
            shuffled.teams.reverse();
            let n = shuffled.teams.len();
            shuffled.teams.rotate_left((seed as usize) % n.max(1));
            for team in &mut shuffled.teams {
                team.members.reverse();
            }
            let mut a = attribute(pr, &config);
            let mut b = attribute(pr, &shuffled);
            a.sort_by(|x, y| x.team_id.cmp(&y.team_id));
            b.sort_by(|x, y| x.team_id.cmp(&y.team_id));
            prop_assert_eq!(a, b);
        }
    }
}
