//! The guard's deadline check, after it found a user: judge the session's
//! record, write what moved, end the session whose deadline passed.

use http::request::Parts;

use super::record::{judge, now_ms, Activity, Record, Verdict};
use super::{RequestDeadlines, DEADLINE_KEY, PASSIVE_HEADER};

static PASSIVE: http::HeaderName = http::HeaderName::from_static(PASSIVE_HEADER);
use crate::guard::session::RequestSession;
use crate::guard::{deny_because, failed};
use crate::options::GuardOptions;
use crate::response::{GuardError, LoginRejection};

/// Checks the deadlines of a request whose session holds a user, as a
/// guard with `options` does; `activity` is what the request does when it
/// is not passive.
pub(crate) async fn check(
    parts: &Parts,
    options: &GuardOptions,
    deadlines: &RequestDeadlines,
    activity: Activity,
) -> Result<(), LoginRejection> {
    // The deadlines are the session's whoever decides "logged in" (a session
    // key or axum-login, whose data lives in the same session).
    let Some(session) = RequestSession::of(&parts.extensions) else {
        return Ok(());
    };
    let timeout = options.store_timeout;
    let passive = options.passive || parts.headers.contains_key(&PASSIVE);
    let activity = if passive && activity != Activity::Extend {
        Activity::Passive
    } else {
        activity
    };
    let stored = match session.get(DEADLINE_KEY, timeout).await {
        Ok(value) => value.as_ref().and_then(Record::from_value),
        Err(error) => return Err(failed(GuardError::SessionStore(error))),
    };
    match judge(stored, &deadlines.deadlines, now_ms(), activity) {
        Verdict::Live { left, write } => {
            if let Some(record) = write {
                if let Err(error) = session
                    .insert(DEADLINE_KEY, &record.to_value(), timeout)
                    .await
                {
                    return Err(failed(GuardError::SessionStore(error)));
                }
            }
            deadlines.report(left);
            Ok(())
        }
        Verdict::Ended(reason) => {
            // Logged out, as `logout` does: the user is gone with the session.
            if let Err(error) = session.end(timeout).await {
                return Err(failed(GuardError::SessionStore(error)));
            }
            let reason = deadlines
                .deadlines
                .reason_field()
                .map(|field| (field, reason));
            Err(deny_because(parts, options, reason))
        }
    }
}
