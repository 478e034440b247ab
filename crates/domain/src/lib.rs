//! The domain of dorameter, free of I/O: team configuration and its validation, the attribution
//! rule (which teams a merged PR counts for, with which weight) and the metric math (weekly
//! velocity, monthly lead-time percentiles). Every other crate calls into this one; it calls
//! nothing but `chrono` and `serde`.

pub mod attribution;
pub mod config;
pub mod diff;
pub mod error;
pub mod metrics;
pub mod pull_request;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod time;

pub use attribution::{Attribution, PrAuthor, attribute, is_bot};
pub use config::{Membership, Team, TeamConfig, TeamId};
pub use diff::{MemberChange, TeamChanges, diff_team_configs};
pub use error::ConfigError;
pub use metrics::{
    AttributedPr, MonthLeadTime, WeekVelocity, cycle_time_hours, monthly_lead_time,
    percentile_cont, weekly_velocity,
};
pub use pull_request::{PrUser, PullRequest};
pub use time::{DateRange, DateRangeError, Period, YearMonth};
