//! The synthetic organisation of `dorameter demo`: a team config and six months of pull requests
//! over three repositories, a pure function of a seed and an end date (no clock, no I/O), so two
//! runs with the same inputs serve byte-identical API output.
//!
//! The organisation: 4 teams and 40 people — 28 in one team, 4 split 0.5/0.5 between two teams,
//! 4 who move team halfway, 3 who drop to half time in their team and join another at 0.5
//! (weight changes), 1 who leaves — plus two bots (dependabot counts for Platform, which opts in;
//! renovate counts nowhere). Cycle times are log-normal with a median per team (2 h to a day),
//! PRs are opened on weekdays in working hours, about 8% are closed unmerged and the newest
//! ones are still open.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use fake_github::{FakePull, FakeUser};
use serde_json::{Value, json};

/// The three repositories, each mostly worked on by some teams.
pub const REPOSITORIES: [&str; 3] = ["acme/api", "acme/web", "acme/mobile"];

/// Team id, name, median cycle time in hours, and the repository it mostly works on.
const TEAMS: [(&str, &str, f64, usize); 4] = [
    ("platform", "Platform", 6.0, 0),
    ("payments", "Payments", 14.0, 0),
    ("web", "Web", 4.0, 1),
    ("mobile", "Mobile", 22.0, 2),
];

/// Given names the logins are made of (40 people).
const NAMES: [&str; 40] = [
    "ada", "bea", "cem", "dov", "eli", "fay", "gus", "hal", "ida", "jon", "kai", "lea", "max",
    "nia", "oli", "pia", "quy", "rex", "sam", "tia", "uma", "vic", "wes", "xia", "yan", "zoe",
    "ari", "bo", "cyd", "dee", "ed", "flo", "gil", "hugo", "iris", "jay", "kim", "lou", "mo",
    "ned",
];

/// Days of history generated before the end date.
const HISTORY_DAYS: i64 = 182;

/// A deterministic generator (SplitMix64): stable across platforms and Rust versions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// One span of a person in a team.
#[derive(Debug, Clone)]
struct Span {
    team: usize,
    weight: f64,
    joined_at: DateTime<Utc>,
    left_at: Option<DateTime<Utc>>,
}

/// A person (or bot) and their memberships.
#[derive(Debug, Clone)]
struct Person {
    login: String,
    github_id: u64,
    bot: bool,
    /// PRs per working day, on average.
    rate: f64,
    spans: Vec<Span>,
}

/// The generated organisation.
#[derive(Debug, Clone)]
pub struct DemoOrg {
    /// The team config document (`TeamConfig::from_json` input).
    pub config_json: String,
    /// Pull requests per repository, in [`REPOSITORIES`] order.
    pub pulls: Vec<(String, Vec<FakePull>)>,
    /// The instant the history ends (00:00 UTC of the day after `until`).
    pub end: DateTime<Utc>,
}

/// Generates the organisation for `seed`, with history ending at the end of day `until` (UTC).
pub fn generate(seed: u64, until: NaiveDate) -> DemoOrg {
    let end =
        Utc.from_utc_datetime(&until.and_hms_opt(0, 0, 0).unwrap_or_default()) + Duration::days(1);
    let start = end - Duration::days(HISTORY_DAYS);
    let mut rng = Rng(seed ^ 0x646f_7261_6d65_7465);
    let people = people(&mut rng, start, end);
    let config_json = config_json(&people);
    let pulls = pull_requests(&mut rng, &people, start, end);
    DemoOrg {
        config_json,
        pulls,
        end,
    }
}

fn people(rng: &mut Rng, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<Person> {
    let long_ago = start - Duration::days(365 + rng.below(300) as i64);
    let midpoint = start + (end - start) / 2;
    let mut people = Vec::new();
    for (i, name) in NAMES.iter().enumerate() {
        let team = i % TEAMS.len();
        let other = (team + 1 + i / TEAMS.len() % 3) % TEAMS.len();
        let joined_at = long_ago + Duration::days(rng.below(200) as i64);
        // A day boundary within the middle third of the history.
        let change = midpoint + Duration::days(rng.below(40) as i64 - 20);
        let spans = match i {
            // Split 0.5/0.5 across two teams for the whole period.
            28..=31 => vec![
                span(team, 0.5, joined_at, None),
                span(other, 0.5, joined_at, None),
            ],
            // Move from one team to another mid-period.
            32..=35 => vec![
                span(team, 1.0, joined_at, Some(change)),
                span(other, 1.0, change, None),
            ],
            // Weight change: half time in their team from `change`, the other half elsewhere.
            36..=38 => vec![
                span(team, 1.0, joined_at, Some(change)),
                span(team, 0.5, change, None),
                span(other, 0.5, change, None),
            ],
            // Leaves the company mid-period.
            39 => vec![span(team, 1.0, joined_at, Some(change))],
            _ => vec![span(team, 1.0, joined_at, None)],
        };
        people.push(Person {
            login: format!("{name}-{}", ["dev", "eng", "codes", "git"][i % 4]),
            github_id: 10_000 + i as u64,
            bot: false,
            rate: 0.3 + rng.unit() * 0.6,
            spans,
        });
    }
    for (login, github_id, spans) in [
        (
            "dependabot[bot]",
            49_699_333,
            vec![span(0, 1.0, long_ago, None)],
        ),
        ("renovate[bot]", 29_139_614, vec![]),
    ] {
        people.push(Person {
            login: login.to_owned(),
            github_id,
            bot: true,
            rate: 0.4,
            spans,
        });
    }
    people
}

fn span(
    team: usize,
    weight: f64,
    joined_at: DateTime<Utc>,
    left_at: Option<DateTime<Utc>>,
) -> Span {
    Span {
        team,
        weight,
        joined_at,
        left_at,
    }
}

fn config_json(people: &[Person]) -> String {
    let teams: Vec<Value> = TEAMS
        .iter()
        .enumerate()
        .map(|(index, (id, name, _, repo))| {
            let members: Vec<Value> = people
                .iter()
                .flat_map(|p| {
                    p.spans.iter().filter(|s| s.team == index).map(|s| {
                        let mut member = json!({
                            "github": p.login,
                            "weight": s.weight,
                            "joined_at": s.joined_at.to_rfc3339(),
                        });
                        if let Some(left_at) = s.left_at {
                            member["left_at"] = json!(left_at.to_rfc3339());
                        }
                        member
                    })
                })
                .collect();
            json!({
                "id": id,
                "name": name,
                "description": format!("Works mostly on {}", REPOSITORIES[*repo]),
                "include_bots": index == 0,
                "members": members,
            })
        })
        .collect();
    json!({ "teams": teams }).to_string()
}

/// The team a person works for at `t` (their heaviest active span), if any.
fn team_at(person: &Person, t: DateTime<Utc>) -> Option<usize> {
    person
        .spans
        .iter()
        .filter(|s| s.joined_at <= t && s.left_at.is_none_or(|l| t < l))
        .max_by(|a, b| a.weight.total_cmp(&b.weight))
        .map(|s| s.team)
}

fn pull_requests(
    rng: &mut Rng,
    people: &[Person],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<(String, Vec<FakePull>)> {
    let mut pulls: Vec<Vec<FakePull>> = vec![Vec::new(); REPOSITORIES.len()];
    for day in 0..HISTORY_DAYS {
        let date = start + Duration::days(day);
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        for person in people {
            // Bots are not in a team; their PRs go to any repository.
            let team = team_at(person, date);
            if !person.bot && team.is_none() {
                continue;
            }
            let mut expected = person.rate;
            while rng.unit() < expected {
                expected -= 1.0;
                let repo = match team {
                    Some(t) if rng.unit() < 0.8 => TEAMS[t].3,
                    _ => rng.below(REPOSITORIES.len() as u64) as usize,
                };
                let median_hours = team.map_or(1.0, |t| TEAMS[t].2);
                let created = date + Duration::minutes(8 * 60 + rng.below(10 * 60) as i64);
                let hours = (median_hours.ln() + 1.0 * rng.normal())
                    .exp()
                    .clamp(0.05, 24.0 * 30.0);
                let merged = created + Duration::seconds((hours * 3600.0) as i64);
                let number = pulls[repo].len() as u64 + 1;
                let user = Some(if person.bot {
                    FakeUser::bot(&person.login, person.github_id)
                } else {
                    FakeUser::user(&person.login, person.github_id)
                });
                let mut pull = if merged >= end {
                    FakePull::open(number, user, created)
                } else if rng.unit() < 0.08 {
                    FakePull::closed_unmerged(number, user, created, merged)
                } else {
                    FakePull::merged(number, user, created, merged)
                };
                pull.id = (repo as u64 + 1) * 1_000_000 + number;
                pull.title = format!("{} change #{number}", TEAMS[team.unwrap_or(0)].1);
                pulls[repo].push(pull);
            }
        }
    }
    REPOSITORIES
        .iter()
        .zip(pulls)
        .map(|(name, pulls)| ((*name).to_owned(), pulls))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn until() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default()
    }

    #[test]
    fn the_same_seed_gives_the_same_organisation() {
        let a = generate(42, until());
        let b = generate(42, until());
        assert_eq!(a.config_json, b.config_json);
        assert_eq!(format!("{:?}", a.pulls), format!("{:?}", b.pulls));
        assert_ne!(
            format!("{:?}", generate(43, until()).pulls),
            format!("{:?}", a.pulls)
        );
    }

    #[test]
    fn the_config_is_valid_with_four_teams_forty_people_and_bots() {
        let org = generate(42, until());
        let config = domain::TeamConfig::from_json(&org.config_json).expect("valid config");
        assert_eq!(config.teams.len(), 4);
        let mut logins: Vec<&str> = config
            .teams
            .iter()
            .flat_map(|t| t.members.iter().map(|m| m.login.as_str()))
            .collect();
        logins.sort_unstable();
        logins.dedup();
        assert_eq!(logins.len(), 41, "40 people and dependabot");
        assert!(
            config
                .teams
                .iter()
                .any(|t| t.members.iter().any(|m| m.weight == 0.5))
        );
    }

    #[test]
    fn six_months_of_pull_requests_end_before_the_end_date() {
        let org = generate(7, until());
        let total: usize = org.pulls.iter().map(|(_, p)| p.len()).sum();
        assert!((1_000..10_000).contains(&total), "{total} PRs");
        for (_, pulls) in &org.pulls {
            for pull in pulls {
                assert!(pull.merged_at.is_none_or(|m| m < org.end));
                assert!(pull.created_at >= org.end - Duration::days(HISTORY_DAYS));
            }
        }
    }
}
