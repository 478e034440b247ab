//! The pure planning of a repository's walk: where it starts and how deep it goes ([`plan`]),
//! what it will record when it finishes, and the progress committed with each page
//! ([`progress`]). No I/O; the loop in `repository` drives it.

use crate::cursor::Cursor;
use crate::reach::ReachPolicy;
use chrono::{DateTime, Utc};
use store::{RepoSyncState, ResumePoint, SyncReach};

/// What the last finished walk recorded, kept until this walk finishes.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Finished {
    pub watermark: Option<DateTime<Utc>>,
    pub etag: Option<String>,
    pub reach: SyncReach,
}

/// Where this walk goes and what it will record when it reaches its floor.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Walk {
    /// PRs updated before this are already stored (or out of the backfill's reach); `None`:
    /// walk all history.
    pub floor: Option<DateTime<Utc>>,
    /// The watermark to record once the walk reaches `floor`: the newest `updated_at` seen on
    /// the walk's first page (or first page with PRs).
    pub target_watermark: Option<DateTime<Utc>>,
    /// The first page's ETag, recorded with the watermark.
    pub target_etag: Option<String>,
    /// No watermark above this is recorded: an item that could not be read lies above it, and
    /// the next run must walk down to it again.
    pub watermark_cap: Option<DateTime<Utc>>,
    pub previous: Finished,
}

impl Walk {
    /// A page was read. The first page's newest PR and ETag are what the finished walk
    /// records; when the first page was empty, the first PRs seen are the newest there are.
    pub fn page_read(&mut self, first: bool, newest: Option<DateTime<Utc>>, etag: Option<String>) {
        if first {
            self.target_watermark = newest.or(self.previous.watermark);
            self.target_etag = etag;
        } else if self.target_watermark.is_none() {
            self.target_watermark = newest;
        }
    }

    /// Items of a page could not be read; `oldest` is the oldest `updated_at` among the page's
    /// readable PRs. The recorded watermark stays at or below it (or the floor, or the start of
    /// time when nothing bounds it) so the next run walks down to those items again, and no
    /// ETag is recorded, so that run is not answered with a `304`.
    pub fn items_skipped(&mut self, oldest: Option<DateTime<Utc>>) {
        let bound = oldest.or(self.floor).unwrap_or(DateTime::UNIX_EPOCH);
        self.watermark_cap = Some(self.watermark_cap.map_or(bound, |cap| cap.min(bound)));
        self.target_etag = None;
    }

    /// The stored resume URL can never work: walk afresh down to the same floor.
    pub fn restart(&mut self) {
        (self.target_watermark, self.target_etag) = (None, None);
    }

    fn capped(&self, watermark: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        match (watermark, self.watermark_cap) {
            (Some(w), Some(cap)) => Some(w.min(cap)),
            (w, _) => w,
        }
    }
}

/// Decides how the walk of a repository in `state` goes for a run wanting PRs updated since
/// `wanted` (`None`: all history), and where it starts.
pub(crate) fn plan(
    state: Option<RepoSyncState>,
    wanted: Option<DateTime<Utc>>,
    overlap: chrono::Duration,
) -> (Walk, Cursor) {
    let (previous, resume) = match state {
        Some(s) => (
            Finished {
                watermark: s.watermark,
                etag: s.etag,
                reach: s.reach,
            },
            s.resume,
        ),
        None => (Finished::default(), None),
    };
    let walk = |floor, target_watermark, target_etag, previous| Walk {
        floor,
        target_watermark,
        target_etag,
        watermark_cap: None,
        previous,
    };
    if let Some(resume) = resume {
        // An earlier run stopped mid-walk: carry on from its last committed page. A run asking
        // for more history than that walk would reach lowers its floor: the walk goes on down.
        let floor = if previous.reach.extended_to(resume.floor).covers(wanted) {
            resume.floor
        } else {
            wanted
        };
        let cursor = match resume.page_url {
            Some(url) => Cursor::Resume { url, refetch: true },
            None => Cursor::Resume {
                url: resume.next_url,
                refetch: false,
            },
        };
        let target = Some(resume.target_watermark);
        return (walk(floor, target, resume.target_etag, previous), cursor);
    }
    match previous.watermark {
        // What is wanted was stored before: walk down to the watermark only, and a 304 on the
        // first page means nothing changed since.
        Some(watermark) if previous.reach.covers(wanted) => {
            let etag = previous.etag.clone();
            // An overlap reaching before the start of time means all history.
            let floor = watermark.checked_sub_signed(overlap);
            (walk(floor, None, None, previous), Cursor::First { etag })
        }
        // First run, or more history wanted than was reached: walk down to the wanted floor,
        // unconditionally (the first page may be unchanged while older pages were never read).
        watermark => {
            let floor = match (wanted, watermark) {
                (Some(wanted), Some(w)) => w.checked_sub_signed(overlap).map(|w| wanted.min(w)),
                (wanted, _) => wanted,
            };
            (
                walk(floor, None, None, previous),
                Cursor::First { etag: None },
            )
        }
    }
}

/// The state to commit with the page fetched from `url`: the point to resume from while there
/// is a `next` page, else the finished walk's watermark, first-page ETag and reach.
pub(crate) fn progress(
    repository: &str,
    walk: &Walk,
    url: &str,
    next: Option<&str>,
    now: DateTime<Utc>,
) -> RepoSyncState {
    match next {
        Some(next_url) => RepoSyncState {
            repository: repository.to_owned(),
            watermark: walk.previous.watermark,
            etag: walk.previous.etag.clone(),
            reach: walk.previous.reach,
            resume: Some(ResumePoint {
                page_url: Some(url.to_owned()),
                next_url: next_url.to_owned(),
                floor: walk.floor,
                // No PR seen yet and none stored before: the floor (or the start of time) is
                // a watermark that can only make the next walk go further down.
                target_watermark: walk
                    .capped(walk.target_watermark.or(walk.floor))
                    .unwrap_or(DateTime::UNIX_EPOCH),
                target_etag: walk.target_etag.clone(),
            }),
            updated_at: now,
        },
        None => RepoSyncState {
            repository: repository.to_owned(),
            watermark: walk.capped(walk.target_watermark.or(walk.previous.watermark)),
            etag: walk.target_etag.clone(),
            reach: walk.previous.reach.extended_to(walk.floor),
            resume: None,
            updated_at: now,
        },
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
