//! The repositories the fake serves. Each repository is an immutable snapshot behind an `Arc`:
//! a request takes the snapshot and renders from it without holding any lock, and a change
//! (`set_pulls`, `add_pulls`, `touch`) builds a new snapshot with a new version, which changes
//! the ETags of its pages. Sorted views are computed once per snapshot and query shape.

use crate::pull::FakePull;
use crate::render::{RepoJson, Urls, repo_json};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

/// `state=` of the pull list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum StateFilter {
    Open,
    Closed,
    All,
}

/// `sort=` of the pull list (the fake implements the two orders a collector uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SortKey {
    Created,
    Updated,
}

/// One shape of the pull list: which PRs, in which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ViewKey {
    pub state: StateFilter,
    pub sort: SortKey,
    pub descending: bool,
}

/// One repository at one version.
#[derive(Debug)]
pub(crate) struct Repo {
    pub id: u64,
    /// `owner/name` with the case it was first given.
    pub full_name: String,
    pub json: RepoJson,
    /// Sorted by number; numbers are unique because every change goes through [`upsert`].
    pub pulls: Vec<FakePull>,
    /// Bumped on every change of the data.
    pub version: u64,
    views: Mutex<HashMap<ViewKey, Arc<[u32]>>>,
}

impl Repo {
    /// Indices into `pulls` of the PRs of `key`, in its order (cached per snapshot).
    pub fn view(&self, key: ViewKey) -> Arc<[u32]> {
        let mut views = self.views.lock().unwrap_or_else(|e| e.into_inner());
        views
            .entry(key)
            .or_insert_with(|| compute_view(&self.pulls, key))
            .clone()
    }
}

fn compute_view(pulls: &[FakePull], key: ViewKey) -> Arc<[u32]> {
    let mut indices: Vec<u32> = (0..pulls.len() as u32)
        .filter(|&i| {
            let closed = pulls[i as usize].closed_at.is_some();
            match key.state {
                StateFilter::Open => !closed,
                StateFilter::Closed => closed,
                StateFilter::All => true,
            }
        })
        .collect();
    let sort_key = |i: &u32| {
        let p = &pulls[*i as usize];
        let t = match key.sort {
            SortKey::Created => p.created_at,
            SortKey::Updated => p.updated_at,
        };
        (t, p.number)
    };
    indices.sort_by_key(sort_key);
    if key.descending {
        indices.reverse();
    }
    indices.into()
}

/// All repositories, by lowercased `owner/name` and by id.
#[derive(Debug, Default)]
pub(crate) struct Store {
    inner: RwLock<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    by_name: HashMap<String, Arc<Repo>>,
    by_id: HashMap<u64, String>,
    /// Old lowercased names of renamed repositories: their id and the redirect status.
    moved: HashMap<String, (u64, http::StatusCode)>,
    next_id: u64,
}

impl Store {
    /// The snapshot of `owner/name` (case-insensitive, as on GitHub).
    pub fn by_name(&self, full_name: &str) -> Option<Arc<Repo>> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner.by_name.get(&full_name.to_lowercase()).cloned()
    }

    /// The snapshot of the repository with GitHub id `id` (`/repositories/{id}/…`).
    pub fn by_id(&self, id: u64) -> Option<Arc<Repo>> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner
            .by_id
            .get(&id)
            .and_then(|k| inner.by_name.get(k))
            .cloned()
    }

    /// The id and redirect status of a repository renamed away from `full_name`.
    pub fn moved(&self, full_name: &str) -> Option<(u64, http::StatusCode)> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner.moved.get(&full_name.to_lowercase()).copied()
    }

    /// Renames `old` to `new`, keeping id and PRs; `false` if `old` is unknown.
    pub fn rename(&self, old: &str, new: &str, status: http::StatusCode, urls: &Urls) -> bool {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        let Some(repo) = inner.by_name.remove(&old.to_lowercase()) else {
            return false;
        };
        let Ok(json) = repo_json(repo.id, new, urls) else {
            return false;
        };
        let renamed = Repo {
            id: repo.id,
            full_name: new.to_owned(),
            json,
            pulls: repo.pulls.clone(),
            version: repo.version + 1,
            views: Mutex::new(HashMap::new()),
        };
        let key = new.to_lowercase();
        inner.by_id.insert(repo.id, key.clone());
        inner.by_name.insert(key.clone(), Arc::new(renamed));
        inner.moved.remove(&key);
        inner.moved.insert(old.to_lowercase(), (repo.id, status));
        true
    }

    /// Replaces the snapshot of `full_name` by `change(old pulls)`, creating the repository if it
    /// is new. Returns what `change` returned.
    pub fn update<T>(
        &self,
        full_name: &str,
        urls: &Urls,
        change: impl FnOnce(&mut Vec<FakePull>) -> T,
    ) -> T {
        let key = full_name.to_lowercase();
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        let (id, display, mut pulls, version) = match inner.by_name.get(&key) {
            Some(old) => (
                old.id,
                old.full_name.clone(),
                old.pulls.clone(),
                old.version + 1,
            ),
            None => {
                inner.next_id += 1;
                (100_000 + inner.next_id, full_name.to_owned(), Vec::new(), 1)
            }
        };
        let out = change(&mut pulls);
        pulls.sort_by_key(|p| p.number);
        let json = match inner.by_name.get(&key) {
            // The repository object does not depend on the PRs: reuse the rendered one.
            Some(old) => old.json.clone(),
            None => repo_json(id, &display, urls).expect("a repository object always serialises"),
        };
        let repo = Repo {
            id,
            full_name: display,
            json,
            pulls,
            version,
            views: Mutex::new(HashMap::new()),
        };
        inner.by_id.insert(id, key.clone());
        inner.by_name.insert(key, Arc::new(repo));
        out
    }
}

/// Puts `new` into `pulls`, replacing PRs with the same number (the later one wins).
pub(crate) fn upsert(pulls: &mut Vec<FakePull>, new: Vec<FakePull>) {
    let mut index: HashMap<u64, usize> = pulls
        .iter()
        .enumerate()
        .map(|(i, p)| (p.number, i))
        .collect();
    for pull in new {
        match index.get(&pull.number) {
            Some(&i) => pulls[i] = pull,
            None => {
                index.insert(pull.number, pulls.len());
                pulls.push(pull);
            }
        }
    }
}

/// Sets `updated_at` of PR `number`; `false` when there is no such PR.
pub(crate) fn touch(pulls: &mut [FakePull], number: u64, updated_at: DateTime<Utc>) -> bool {
    match pulls.iter_mut().find(|p| p.number == number) {
        Some(p) => {
            p.updated_at = updated_at;
            true
        }
        None => false,
    }
}

/// Reopens the closed, unmerged PR `number` at `at`; `false` when there is no such PR.
pub(crate) fn reopen(pulls: &mut [FakePull], number: u64, at: DateTime<Utc>) -> bool {
    match pulls
        .iter_mut()
        .find(|p| p.number == number && p.closed_at.is_some() && p.merged_at.is_none())
    {
        Some(p) => {
            p.closed_at = None;
            p.updated_at = at;
            true
        }
        None => false,
    }
}

/// Removes PR `number`; `false` when there is no such PR.
pub(crate) fn remove(pulls: &mut Vec<FakePull>, number: u64) -> bool {
    let before = pulls.len();
    pulls.retain(|p| p.number != number);
    pulls.len() != before
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 1, hour, 0, 0).unwrap()
    }

    fn urls() -> Urls {
        Urls {
            api: "http://127.0.0.1:1".into(),
            web: "http://127.0.0.1:1".into(),
        }
    }

    #[test]
    fn updated_desc_view_of_closed_prs_skips_open_ones_and_orders_newest_first() {
        let store = Store::default();
        store.update("Acme/Widgets", &urls(), |pulls| {
            upsert(
                pulls,
                vec![
                    FakePull::merged(1, None, at(1), at(5)),
                    FakePull::open(2, None, at(2)),
                    FakePull::closed_unmerged(3, None, at(3), at(4)),
                ],
            )
        });
        let repo = store.by_name("acme/widgets").unwrap();
        let view = repo.view(ViewKey {
            state: StateFilter::Closed,
            sort: SortKey::Updated,
            descending: true,
        });
        let numbers: Vec<u64> = view
            .iter()
            .map(|&i| repo.pulls[i as usize].number)
            .collect();
        assert_eq!(numbers, [1, 3]);
    }

    #[test]
    fn a_change_bumps_the_version_and_the_last_duplicate_wins() {
        let store = Store::default();
        store.update("a/b", &urls(), |p| {
            upsert(p, vec![FakePull::open(1, None, at(1))])
        });
        store.update("a/b", &urls(), |p| {
            upsert(
                p,
                vec![
                    FakePull::open(1, None, at(1)).with_title("first"),
                    FakePull::open(1, None, at(1)).with_title("second"),
                ],
            )
        });
        let repo = store.by_name("A/B").unwrap();
        assert_eq!(repo.version, 2);
        assert_eq!(repo.pulls.len(), 1);
        assert_eq!(repo.pulls[0].title, "second");
        assert!(store.by_id(repo.id).is_some());
    }
}
