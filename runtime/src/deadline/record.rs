//! What a session keeps about its deadlines, and the judgement on it: the
//! pure part of the check, with the time given, so that it is tested
//! without waiting.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderValue;
use serde_json::Value;

use super::{Deadlines, Reason};

/// A session's deadline record, kept under [`DEADLINE_KEY`](super::DEADLINE_KEY):
/// when it logged in and when it was last seen active, in milliseconds since the Unix epoch of
/// the server's clock (every instance of an app reads the same record, so
/// their clocks must agree, as NTP keeps them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) login: u64,
    pub(crate) seen: u64,
}

impl Record {
    /// A record that starts both clocks `now`.
    pub(crate) fn starting(now: u64) -> Self {
        Record {
            login: now,
            seen: now,
        }
    }

    /// The record as the session keeps it: `[login, seen]`, one small
    /// array, since every guarded request reads (and clones) it.
    pub(crate) fn to_value(self) -> Value {
        Value::Array(vec![self.login.into(), self.seen.into()])
    }

    /// The record in `value`; `None` for anything else.
    pub(crate) fn from_value(value: &Value) -> Option<Self> {
        match value.as_array()?.as_slice() {
            [login, seen] => Some(Record {
                login: login.as_u64()?,
                seen: seen.as_u64()?,
            }),
            _ => None,
        }
    }
}

/// The server's time, in milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX)
}

/// What a request does to the idle deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Activity {
    /// Reads only: the deadline stays where it is.
    Passive,
    /// Counts as activity: recorded when the last record is a write interval old.
    Active,
    /// "Stay signed in": recorded now.
    Extend,
}

/// How long a live session has left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Left {
    /// Until the idle deadline, if there is an idle timeout.
    pub idle: Option<Duration>,
    /// Until the absolute deadline, if there is a lifetime.
    pub absolute: Option<Duration>,
}

impl Left {
    /// The [`SESSION_LEFT_HEADER`](super::SESSION_LEFT_HEADER) value:
    /// `idle=1795, absolute=28000`, whole seconds; `None` with no deadline.
    pub(crate) fn header_value(self) -> Option<HeaderValue> {
        let mut value = Vec::with_capacity(40);
        for (name, left) in [(&b"idle="[..], self.idle), (b"absolute=", self.absolute)] {
            if let Some(left) = left {
                if !value.is_empty() {
                    value.extend_from_slice(b", ");
                }
                value.extend_from_slice(name);
                push_decimal(&mut value, left.as_secs());
            }
        }
        if value.is_empty() {
            return None;
        }
        HeaderValue::from_maybe_shared(value).ok()
    }
}

/// `n` in decimal, without the formatting machinery (every guarded answer
/// writes two).
fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// The judgement on a session's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The session lives: what it has left, and the record to write, if
    /// this request moved it.
    Live { left: Left, write: Option<Record> },
    /// A deadline passed.
    Ended(Reason),
}

/// Judges `record` (`None`: the session has none yet, and its clocks start
/// now) at `now` for a request doing `activity`.
pub(crate) fn judge(
    record: Option<Record>,
    deadlines: &Deadlines,
    now: u64,
    activity: Activity,
) -> Verdict {
    let (record, new) = match record {
        Some(record) => (record, false),
        None => (Record::starting(now), true),
    };
    let millis = |duration: Duration| u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    let absolute_end = deadlines
        .absolute()
        .map(|lifetime| record.login.saturating_add(millis(lifetime)));
    if absolute_end.is_some_and(|end| now >= end) {
        return Verdict::Ended(Reason::Expired);
    }
    if let Some(idle) = deadlines.idle() {
        if now >= record.seen.saturating_add(millis(idle)) {
            return Verdict::Ended(Reason::Idle);
        }
    }
    let interval = deadlines.write_interval().map_or(u64::MAX, millis);
    let due = now.saturating_sub(record.seen) >= interval;
    let extends = activity == Activity::Extend || (activity == Activity::Active && due);
    let seen = if extends { now } else { record.seen };
    let after = Record { seen, ..record };
    let left_until = |end: u64| Duration::from_millis(end.saturating_sub(now));
    Verdict::Live {
        left: Left {
            idle: deadlines
                .idle()
                .map(|idle| left_until(seen.saturating_add(millis(idle)))),
            absolute: absolute_end.map(left_until),
        },
        write: (new || after != record).then_some(after),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: u64 = 1000;
    const IDLE: Deadlines = Deadlines::new().with_idle(Duration::from_secs(100));

    fn live(verdict: Verdict) -> (Left, Option<Record>) {
        match verdict {
            Verdict::Live { left, write } => (left, write),
            Verdict::Ended(reason) => panic!("ended: {reason:?}"),
        }
    }

    #[test]
    fn a_first_request_starts_the_clocks_and_writes_them() {
        let (left, write) = live(judge(None, &IDLE, 5 * SECOND, Activity::Passive));
        assert_eq!(write, Some(Record::starting(5 * SECOND)));
        assert_eq!(left.idle, Some(Duration::from_secs(100)));
        assert_eq!(left.absolute, None);
    }

    #[test]
    fn activity_is_written_once_a_write_interval() {
        let record = Record::starting(0);
        // The interval is a tenth of 100 s.
        let (left, write) = live(judge(Some(record), &IDLE, 9 * SECOND, Activity::Active));
        assert_eq!(write, None, "within the interval");
        assert_eq!(
            left.idle,
            Some(Duration::from_secs(91)),
            "the real deadline"
        );
        let (left, write) = live(judge(Some(record), &IDLE, 10 * SECOND, Activity::Active));
        assert_eq!(write.map(|r| r.seen), Some(10 * SECOND));
        assert_eq!(left.idle, Some(Duration::from_secs(100)));
    }

    #[test]
    fn passive_requests_never_move_the_deadline_and_extend_always_does() {
        let record = Record::starting(0);
        let (left, write) = live(judge(Some(record), &IDLE, 50 * SECOND, Activity::Passive));
        assert_eq!((left.idle, write), (Some(Duration::from_secs(50)), None));
        let (_, write) = live(judge(Some(record), &IDLE, SECOND, Activity::Extend));
        assert_eq!(write.map(|r| r.seen), Some(SECOND));
    }

    #[test]
    fn idle_ends_at_the_deadline_and_absolute_first() {
        let record = Record::starting(0);
        assert_eq!(
            judge(Some(record), &IDLE, 100 * SECOND, Activity::Extend),
            Verdict::Ended(Reason::Idle)
        );
        let both = IDLE.with_absolute(Duration::from_secs(60));
        let active = Record {
            login: 0,
            seen: 55 * SECOND,
        };
        let (left, _) = live(judge(Some(active), &both, 58 * SECOND, Activity::Active));
        assert_eq!(left.absolute, Some(Duration::from_secs(2)));
        assert_eq!(
            judge(Some(active), &both, 60 * SECOND, Activity::Extend),
            Verdict::Ended(Reason::Expired),
            "activity does not extend the lifetime"
        );
    }

    #[test]
    fn the_record_is_kept_as_a_pair_and_read_back() {
        let record = Record { login: 7, seen: 9 };
        assert_eq!(record.to_value(), serde_json::json!([7, 9]));
        assert_eq!(Record::from_value(&record.to_value()), Some(record));
        assert_eq!(Record::from_value(&serde_json::json!({"login": 7})), None);
        assert_eq!(Record::from_value(&serde_json::json!([7, -1])), None);
    }

    #[test]
    fn the_header_says_each_deadline_set() {
        let both = Left {
            idle: Some(Duration::from_millis(1_795_900)),
            absolute: Some(Duration::from_secs(28_000)),
        };
        assert_eq!(both.header_value().unwrap(), "idle=1795, absolute=28000");
        let idle = Left {
            absolute: None,
            ..both
        };
        assert_eq!(idle.header_value().unwrap(), "idle=1795");
        let none = Left {
            idle: None,
            absolute: None,
        };
        assert_eq!(none.header_value(), None);
    }

    #[test]
    fn another_instance_a_little_ahead_is_no_error() {
        let record = Record::starting(10 * SECOND);
        let (left, write) = live(judge(Some(record), &IDLE, 9 * SECOND, Activity::Active));
        assert_eq!(write, None);
        assert_eq!(left.idle, Some(Duration::from_secs(101)));
    }
}
