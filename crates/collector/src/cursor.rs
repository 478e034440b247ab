//! Where a walk stands between two requests, as an explicit state machine. Pure: the I/O loop
//! in `repository` asks the cursor what to request and moves it with the named transitions.
//!
//! Pages are numbered positions in a list that moves: a PR that leaves the `state=closed` list
//! (a closed-unmerged PR reopened, a PR deleted) moves every later PR up one place, so the first
//! PR of the next page ends up on a page already fetched. Hence two rules:
//! - a walk resumed by a later run starts by fetching its last committed page again;
//! - after each next page is answered, the page before it is asked again, conditionally on its
//!   `ETag`: a `304` (free under GitHub's rate limit) says nothing moved in between, a `200`
//!   brings the PR that shifted onto it. No gap between two requests (a retry, a rate-limit
//!   wait, or none at all) can lose a PR.

/// A page already fetched: where to ask for it again, and what it looked like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Visited {
    pub url: String,
    pub etag: Option<String>,
}

/// How a walk ended without error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Down to the floor, or the last page.
    Complete,
    /// The first page was unchanged since the last finished walk (`304`): nothing to do.
    NotModified,
}

/// The walk's position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cursor {
    /// Request the first page, conditional on the last finished walk's ETag when given.
    First { etag: Option<String> },
    /// Request a stored URL of an interrupted walk: its last committed page (`refetch`), or,
    /// for resume points recorded before that was stored, the next page.
    Resume { url: String, refetch: bool },
    /// Request the page after `previous`, then ask `previous` again.
    Next { url: String, previous: Visited },
    /// Nothing more to request.
    Done(Ending),
}

impl Cursor {
    /// Whether the page about to be requested is the walk's first (its newest PR and ETag are
    /// what the finished walk records).
    pub fn at_first_page(&self) -> bool {
        matches!(self, Cursor::First { .. })
    }

    /// Whether the page about to be requested is one fetched by an earlier run.
    pub fn refetching(&self) -> bool {
        matches!(self, Cursor::Resume { refetch: true, .. })
    }

    /// Whether the page about to be requested is a stored URL, which may no longer work.
    pub fn resuming(&self) -> bool {
        matches!(self, Cursor::Resume { .. })
    }

    /// The page to ask again once the next one is answered.
    pub fn to_recheck(&self) -> Option<&Visited> {
        match self {
            Cursor::Next { previous, .. } => Some(previous),
            _ => None,
        }
    }

    /// A page was answered from `url` with `etag`: go on to `next` (when the walk has not
    /// reached its floor), or finish.
    pub fn page_answered(self, url: String, etag: Option<String>, next: Option<String>) -> Cursor {
        match (self, next) {
            (Cursor::Done(ending), _) => Cursor::Done(ending),
            (_, Some(next)) => Cursor::Next {
                url: next,
                previous: Visited { url, etag },
            },
            (_, None) => Cursor::Done(Ending::Complete),
        }
    }

    /// The first page was not modified since the last finished walk.
    pub fn not_modified(self) -> Cursor {
        Cursor::Done(Ending::NotModified)
    }

    /// An interrupted walk's stored URL can never work (the API base changed, the repository
    /// moved): walk afresh from the first page, unconditionally. Other states stay as they are.
    pub fn stored_url_dead(self) -> Cursor {
        match self {
            Cursor::Resume { .. } => Cursor::First { etag: None },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visited(page: u32) -> Visited {
        Visited {
            url: format!("https://x/p?page={page}"),
            etag: Some(format!("W/\"{page}\"")),
        }
    }

    fn answered(cursor: Cursor, page: u32, next: Option<u32>) -> Cursor {
        let v = visited(page);
        cursor.page_answered(v.url, v.etag, next.map(|n| visited(n).url))
    }

    #[test]
    fn a_page_with_a_next_link_moves_on_and_remembers_the_page_to_ask_again() {
        let cursor = answered(Cursor::First { etag: None }, 1, Some(2));
        assert_eq!(
            cursor,
            Cursor::Next {
                url: visited(2).url,
                previous: visited(1),
            }
        );
        assert_eq!(cursor.to_recheck(), Some(&visited(1)));
        assert!(!cursor.at_first_page() && !cursor.resuming());
        let cursor = answered(cursor, 2, Some(3));
        assert_eq!(cursor.to_recheck(), Some(&visited(2)));
    }

    #[test]
    fn the_last_page_or_the_floor_ends_the_walk() {
        let next = Cursor::Next {
            url: visited(3).url,
            previous: visited(2),
        };
        assert_eq!(answered(next, 3, None), Cursor::Done(Ending::Complete));
        assert_eq!(
            answered(Cursor::First { etag: None }, 1, None),
            Cursor::Done(Ending::Complete)
        );
        let done = Cursor::Done(Ending::NotModified);
        assert_eq!(answered(done.clone(), 1, Some(2)), done);
    }

    #[test]
    fn a_not_modified_first_page_ends_the_walk() {
        let first = Cursor::First {
            etag: Some("W/\"e\"".into()),
        };
        assert!(first.at_first_page() && first.to_recheck().is_none());
        assert_eq!(first.not_modified(), Cursor::Done(Ending::NotModified));
    }

    #[test]
    fn a_resumed_walk_refetches_its_page_and_falls_back_to_a_fresh_walk_when_the_url_is_dead() {
        let resume = Cursor::Resume {
            url: visited(3).url,
            refetch: true,
        };
        assert!(resume.refetching() && resume.resuming() && !resume.at_first_page());
        assert_eq!(
            resume.clone().stored_url_dead(),
            Cursor::First { etag: None }
        );
        let old_point = Cursor::Resume {
            url: visited(4).url,
            refetch: false,
        };
        assert!(!old_point.refetching() && old_point.resuming());
        // Only a stored URL can be dead: a live walk's cursor is kept.
        let next = answered(resume, 3, Some(4));
        assert_eq!(next.clone().stored_url_dead(), next);
    }
}
