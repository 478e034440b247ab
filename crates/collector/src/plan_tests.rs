use super::*;
use chrono::{Duration, TimeZone};

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, d, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn finished(watermark: u32, reach: SyncReach) -> RepoSyncState {
    RepoSyncState {
        repository: "acme/app".into(),
        watermark: Some(day(watermark)),
        etag: Some("\"e\"".into()),
        reach,
        resume: None,
        updated_at: day(watermark),
    }
}

#[track_caller]
fn check(
    state: Option<RepoSyncState>,
    wanted: Option<DateTime<Utc>>,
    floor: Option<DateTime<Utc>>,
    start: Cursor,
) {
    let (walk, got) = plan(state, wanted, Duration::days(1));
    assert_eq!((walk.floor, got), (floor, start));
}

fn fresh_walk(floor: Option<DateTime<Utc>>) -> Walk {
    Walk {
        floor,
        target_watermark: None,
        target_etag: None,
        watermark_cap: None,
        previous: Finished::default(),
    }
}

#[test]
fn a_walk_goes_down_to_the_watermark_unless_more_history_is_wanted_than_was_reached() {
    let first = || Cursor::First { etag: None };
    let conditional = || Cursor::First {
        etag: Some("\"e\"".into()),
    };
    // First run: the backfill floor.
    check(None, Some(day(1)), Some(day(1)), first());
    check(None, None, None, first());
    // Later runs wanting no more than was reached: the watermark minus the overlap.
    let reached = SyncReach::Since(day(5));
    check(
        Some(finished(20, reached)),
        Some(day(6)),
        Some(day(19)),
        conditional(),
    );
    check(
        Some(finished(20, SyncReach::All)),
        None,
        Some(day(19)),
        conditional(),
    );
    // More wanted (an earlier --since, --full, nothing known): down to it, unconditionally.
    check(
        Some(finished(20, reached)),
        Some(day(2)),
        Some(day(2)),
        first(),
    );
    check(Some(finished(20, reached)), None, None, first());
    check(
        Some(finished(20, SyncReach::Nothing)),
        Some(day(25)),
        Some(day(19)),
        first(),
    );
}

#[test]
fn an_overlap_reaching_before_the_start_of_time_walks_all_history_instead_of_panicking() {
    let (walk, _) = plan(Some(finished(20, SyncReach::All)), None, Duration::MAX);
    assert_eq!(walk.floor, None);
    let (walk, _) = plan(
        Some(finished(20, SyncReach::Nothing)),
        Some(day(25)),
        Duration::MAX,
    );
    assert_eq!(walk.floor, None);
}

#[test]
fn a_resumed_walk_starts_at_its_last_committed_page_and_goes_deeper_when_asked() {
    let interrupted = |page_url: Option<&str>| RepoSyncState {
        resume: Some(ResumePoint {
            page_url: page_url.map(str::to_owned),
            next_url: "https://x/repositories/1/pulls?page=4".into(),
            floor: Some(day(10)),
            target_watermark: day(25),
            target_etag: None,
        }),
        ..finished(20, SyncReach::Since(day(3)))
    };
    let page_3 = || Cursor::Resume {
        url: "https://x/repositories/1/pulls?page=3".into(),
        refetch: true,
    };
    let state = Some(interrupted(Some("https://x/repositories/1/pulls?page=3")));
    check(state.clone(), Some(day(4)), Some(day(10)), page_3());
    check(state.clone(), Some(day(2)), Some(day(2)), page_3());
    check(state, None, None, page_3());
    // Recorded before the page URL was stored: the next page.
    check(
        Some(interrupted(None)),
        Some(day(4)),
        Some(day(10)),
        Cursor::Resume {
            url: "https://x/repositories/1/pulls?page=4".into(),
            refetch: false,
        },
    );
}

#[test]
fn an_empty_first_page_with_a_next_link_records_a_resume_point() {
    let mut walk = fresh_walk(Some(day(1)));
    walk.target_etag = Some("\"empty\"".into());
    let state = progress(
        "acme/app",
        &walk,
        "https://x/p?page=1",
        Some("https://x/p?page=2"),
        day(30),
    );
    let resume = state
        .resume
        .expect("a resume point while there is a next page");
    assert_eq!(resume.next_url, "https://x/p?page=2");
    assert_eq!(resume.page_url.as_deref(), Some("https://x/p?page=1"));
    assert_eq!(resume.target_watermark, day(1));
    assert_eq!(state.watermark, None);
    let done = progress("acme/app", &walk, "https://x/p?page=9", None, day(30));
    assert_eq!((done.resume, done.reach), (None, SyncReach::Since(day(1))));
}

#[test]
fn the_first_page_sets_the_target_and_an_empty_one_leaves_it_to_the_next() {
    let mut walk = fresh_walk(None);
    walk.page_read(true, None, Some("\"1\"".into()));
    assert_eq!(
        (walk.target_watermark, walk.target_etag.as_deref()),
        (None, Some("\"1\""))
    );
    walk.page_read(false, Some(day(20)), Some("\"2\"".into()));
    walk.page_read(false, Some(day(25)), None);
    assert_eq!(
        (walk.target_watermark, walk.target_etag.as_deref()),
        (Some(day(20)), Some("\"1\""))
    );
}

#[test]
fn a_skipped_item_keeps_the_watermark_at_or_below_it_and_drops_the_etag() {
    let mut walk = fresh_walk(Some(day(2)));
    walk.page_read(true, Some(day(28)), Some("\"1\"".into()));
    walk.items_skipped(Some(day(15)));
    walk.items_skipped(Some(day(18)));
    let done = progress("acme/app", &walk, "https://x/p?page=3", None, day(30));
    assert_eq!((done.watermark, done.etag), (Some(day(15)), None));
    let resume = progress("acme/app", &walk, "u", Some("n"), day(30))
        .resume
        .expect("resume point");
    assert_eq!(
        (resume.target_watermark, resume.target_etag),
        (day(15), None)
    );
    // A page with no readable PR: the floor bounds it, or the start of time.
    walk.items_skipped(None);
    assert_eq!(walk.watermark_cap, Some(day(2)));
    let mut all_history = fresh_walk(None);
    all_history.page_read(true, Some(day(28)), None);
    all_history.items_skipped(None);
    let done = progress("acme/app", &all_history, "u", None, day(30));
    assert_eq!(done.watermark, Some(DateTime::UNIX_EPOCH));
}
