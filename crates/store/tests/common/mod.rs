//! Helpers shared by the store's integration tests: PR builders, a deterministic generator, and
//! [`TestStore`] with [`on_both_backends!`], which runs one test body against a fresh PostgreSQL
//! database and a fresh SQLite file.
#![allow(dead_code)]

pub mod backends;
pub mod generated;

#[allow(unused_imports)]
pub use backends::{Backend, FromRow, TestStore};

use domain::{PullRequest, TeamConfig};

pub use domain::testing::at;

/// A validated config from JSON.
pub fn config(json: &str) -> TeamConfig {
    TeamConfig::from_json(json).unwrap_or_else(|e| panic!("{e}"))
}

/// A merged PR by `login` (type User) in `acme/app`.
pub fn merged_pr(number: i64, login: Option<&str>, merged_at: &str) -> PullRequest {
    domain::testing::merged_pr(number)
        .by_user(login, "User")
        .merged(at(merged_at))
        .open_for_hours(5)
        .build()
}

/// A small deterministic generator (xorshift64*), so generated data is reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// `(repository, number, team_id, weight, cycle_time_hours)` of every attribution
/// `domain::attribute` gives `prs` (what [`TestStore::stored_attributions`] should read back).
pub fn domain_attributions(
    prs: &[PullRequest],
    config: &TeamConfig,
) -> Vec<(String, i64, String, f64, f64)> {
    let mut rows: Vec<_> = prs
        .iter()
        .flat_map(|pr| {
            domain::attribute(pr.author_view(), config)
                .into_iter()
                .map(move |a| {
                    let merged = pr
                        .merged_at
                        .unwrap_or_else(|| panic!("attributed but unmerged"));
                    (
                        pr.repository.clone(),
                        pr.number,
                        a.team_id.to_string(),
                        a.weight,
                        domain::cycle_time_hours(pr.created_at, merged),
                    )
                })
        })
        .collect();
    rows.sort_by(|a, b| (&a.0, a.1, &a.2).cmp(&(&b.0, b.1, &b.2)));
    rows
}
