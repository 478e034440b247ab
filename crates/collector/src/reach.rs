//! How far back finished walks have reached ([`SyncReach`], stored by `store`) as the
//! collector's policy: whether what a run wants is covered, and the reach once a walk finishes.

use chrono::{DateTime, Utc};
use store::SyncReach;

/// The collector's rules over a stored [`SyncReach`].
pub(crate) trait ReachPolicy {
    /// Whether everything a walk down to `floor` (`None`: all history) would store is already
    /// covered.
    fn covers(self, floor: Option<DateTime<Utc>>) -> bool;

    /// The reach after a walk down to `floor` finished on top of this one (the walk started
    /// at the newest PR, so its range joins what was reached before).
    fn extended_to(self, floor: Option<DateTime<Utc>>) -> SyncReach;
}

impl ReachPolicy for SyncReach {
    fn covers(self, floor: Option<DateTime<Utc>>) -> bool {
        match (self, floor) {
            (SyncReach::All, _) => true,
            (SyncReach::Since(reach), Some(floor)) => reach <= floor,
            (SyncReach::Since(_), None) | (SyncReach::Nothing, _) => false,
        }
    }

    fn extended_to(self, floor: Option<DateTime<Utc>>) -> SyncReach {
        match (self, floor) {
            (SyncReach::All, _) | (_, None) => SyncReach::All,
            (SyncReach::Since(reach), Some(floor)) => SyncReach::Since(reach.min(floor)),
            (SyncReach::Nothing, Some(floor)) => SyncReach::Since(floor),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, d, 0, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn a_reach_covers_floors_at_or_above_it_and_all_history_covers_everything() {
        let since = SyncReach::Since(day(10));
        assert!(since.covers(Some(day(10))) && since.covers(Some(day(20))));
        assert!(!since.covers(Some(day(9))) && !since.covers(None));
        assert!(SyncReach::All.covers(None) && SyncReach::All.covers(Some(day(1))));
        assert!(!SyncReach::Nothing.covers(Some(day(31))));
    }

    #[test]
    fn a_finished_walk_extends_the_reach_down_to_its_floor() {
        let since = SyncReach::Since(day(10));
        assert_eq!(since.extended_to(Some(day(5))), SyncReach::Since(day(5)));
        assert_eq!(since.extended_to(Some(day(20))), since);
        assert_eq!(since.extended_to(None), SyncReach::All);
        assert_eq!(SyncReach::All.extended_to(Some(day(20))), SyncReach::All);
        assert_eq!(
            SyncReach::Nothing.extended_to(Some(day(20))),
            SyncReach::Since(day(20))
        );
    }
}
