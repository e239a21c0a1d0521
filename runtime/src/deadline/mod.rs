//! Before the session ends: deadlines the server owns (an idle timeout and
//! an absolute lifetime), passive requests that do not count as activity,
//! and the seconds left that every guarded response says.
//!
#![doc = include_str!("../../docs/deadline.md")]

mod check;
mod config;
mod layer;
mod record;
mod status;

pub(crate) use check::check;
pub use config::{
    Deadlines, Reason, DEADLINE_KEY, DEFAULT_WARNING, MIN_WARNING, PASSIVE_HEADER, REASON_FIELD,
    SESSION_LEFT_HEADER,
};
pub(crate) use layer::{in_use, RequestDeadlines};
pub use layer::{DeadlineLayer, DeadlineService};
pub use record::Left;
pub(crate) use record::{judge, now_ms, Activity, Record, Verdict};
pub use status::{status, STATUS_PATH};
