//! The one place where the guard reads a request's session: whichever
//! tower-sessions line's `Session` the app's `SessionManagerLayer`
//! installed, or axum-login's `AuthSession`.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use http::Extensions;

use crate::login::session::sealed;
use crate::options::GuardOptions;
#[cfg(feature = "axum-login")]
use crate::options::LoggedInBy;

/// The guard's one view of a request's session: whichever `Session` the
/// app's `SessionManagerLayer` installed. Every read of the session by the
/// guard goes through [`RequestSession::logged_in`], so what bounds or
/// replaces that read (a timeout, another source of "logged in") belongs
/// there.
pub(crate) enum RequestSession<'a> {
    #[cfg(feature = "tower-sessions-015")]
    V015(&'a tower_sessions::Session),
    #[cfg(feature = "tower-sessions-014")]
    V014(&'a tower_sessions_014::Session),
    /// axum-login's `AuthSession`, whose layer already loaded (and checked)
    /// the user: whether it has one. Nothing is read again.
    #[cfg(feature = "axum-login")]
    AxumLogin { has_user: bool },
}

/// Why the guard could not tell whether the session is logged in: the
/// store failed (the line's `session::Error`), or did not answer in time
/// ([`StoreTimedOut`]); kept for the log.
pub(crate) type SessionReadError = Box<dyn std::error::Error + Send + Sync>;

/// The session store did not answer within the guard's store timeout.
#[derive(Debug)]
pub(crate) struct StoreTimedOut(Duration);

impl std::fmt::Display for StoreTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the session store did not answer in time (waited {:?})",
            self.0
        )
    }
}

impl std::error::Error for StoreTimedOut {}

impl<'a> RequestSession<'a> {
    /// The session a `SessionManagerLayer` of either enabled line put on the
    /// request, 0.15's first; `None` without one.
    pub(crate) fn of(extensions: &'a Extensions) -> Option<Self> {
        #[cfg(feature = "tower-sessions-015")]
        if let Some(session) = extensions.get::<tower_sessions::Session>() {
            return Some(RequestSession::V015(session));
        }
        #[cfg(feature = "tower-sessions-014")]
        if let Some(session) = extensions.get::<tower_sessions_014::Session>() {
            return Some(RequestSession::V014(session));
        }
        let _ = extensions;
        None
    }

    /// What decides for a guard with `options`: axum-login's `AuthSession`
    /// when they name a backend (feature `axum-login`), else the session
    /// ([`RequestSession::of`]); `None` when the layer that installs it is missing.
    pub(crate) fn for_guard(extensions: &'a Extensions, options: &GuardOptions) -> Option<Self> {
        #[cfg(feature = "axum-login")]
        if let LoggedInBy::AxumLogin(source) = options.logged_in_by {
            return source
                .has_user(extensions)
                .map(|has_user| RequestSession::AxumLogin { has_user });
        }
        let _ = options;
        Self::of(extensions)
    }

    /// Logs which layer is missing for a guard with `options`.
    pub(crate) fn log_missing(options: &GuardOptions) {
        #[cfg(feature = "axum-login")]
        if let LoggedInBy::AxumLogin(source) = options.logged_in_by {
            tracing::error!(
                backend = source.backend(),
                "require_login: no axum_login::AuthSession for this backend on the request: add \
                 axum-login's AuthManagerLayer, built with the same backend type, outside (after, \
                 in `.layer` order) every guarded route"
            );
            return;
        }
        let _ = options;
        tracing::error!(
            "require_login: no session on this request: add tower_sessions::SessionManagerLayer \
             to the router, outside (after, in `.layer` order) every guarded route"
        );
    }

    /// Whether the session holds a user under `key`: present and not null.
    /// (With axum-login: whether its `AuthSession` has a user; `key` is unused.)
    /// A store that takes longer than `timeout` is an error.
    pub(crate) async fn logged_in(
        &self,
        key: &str,
        timeout: Duration,
    ) -> Result<bool, SessionReadError> {
        match *self {
            #[cfg(feature = "axum-login")]
            RequestSession::AxumLogin { has_user } => Ok(has_user),
            #[cfg(feature = "tower-sessions-015")]
            RequestSession::V015(session) => holds_user(session, key, timeout).await,
            #[cfg(feature = "tower-sessions-014")]
            RequestSession::V014(session) => holds_user(session, key, timeout).await,
        }
    }
}

impl RequestSession<'_> {
    /// The value under `key`, read within `timeout`.
    pub(crate) async fn get(
        &self,
        key: &str,
        timeout: Duration,
    ) -> Result<Option<serde_json::Value>, SessionReadError> {
        match *self {
            #[cfg(feature = "axum-login")]
            RequestSession::AxumLogin { .. } => Ok(None),
            #[cfg(feature = "tower-sessions-015")]
            RequestSession::V015(session) => Ok(bounded(timeout, session.get_value(key)).await??),
            #[cfg(feature = "tower-sessions-014")]
            RequestSession::V014(session) => Ok(bounded(timeout, session.get_value(key)).await??),
        }
    }

    /// Puts `value` under `key`, within `timeout` (the store is written
    /// when the response leaves the session layer).
    pub(crate) async fn insert<V: serde::Serialize + Sync>(
        &self,
        key: &str,
        value: &V,
        timeout: Duration,
    ) -> Result<(), SessionReadError> {
        match *self {
            #[cfg(feature = "axum-login")]
            RequestSession::AxumLogin { .. } => Ok(()),
            #[cfg(feature = "tower-sessions-015")]
            RequestSession::V015(session) => {
                Ok(bounded(timeout, session.insert(key, value)).await??)
            }
            #[cfg(feature = "tower-sessions-014")]
            RequestSession::V014(session) => {
                Ok(bounded(timeout, session.insert(key, value)).await??)
            }
        }
    }

    /// Ends the session as [`logout`](crate::logout) does, within `timeout`.
    pub(crate) async fn end(&self, timeout: Duration) -> Result<(), SessionReadError> {
        match *self {
            #[cfg(feature = "axum-login")]
            RequestSession::AxumLogin { .. } => Ok(()),
            #[cfg(feature = "tower-sessions-015")]
            RequestSession::V015(session) => Ok(bounded(timeout, session.flush()).await??),
            #[cfg(feature = "tower-sessions-014")]
            RequestSession::V014(session) => Ok(bounded(timeout, session.flush()).await??),
        }
    }
}

/// A request's session, kept past the request by a stream that ends with
/// it: the same `Session` (it shares the request's), read again from the
/// store when the stream's watch asks.
#[derive(Clone)]
pub(crate) enum OwnedSession {
    #[cfg(feature = "tower-sessions-015")]
    V015(tower_sessions::Session),
    #[cfg(feature = "tower-sessions-014")]
    V014(tower_sessions_014::Session),
}

/// A session read again from the store: whether it still holds a user
/// (under the key asked for; any record, when none was), and its deadline
/// record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reloaded {
    pub(crate) holds_user: bool,
    pub(crate) deadline: Option<serde_json::Value>,
}

impl OwnedSession {
    /// The session a `SessionManagerLayer` of either line put on the request.
    pub(crate) fn of(extensions: &Extensions) -> Option<Self> {
        #[cfg(feature = "tower-sessions-015")]
        if let Some(session) = extensions.get::<tower_sessions::Session>() {
            return Some(OwnedSession::V015(session.clone()));
        }
        #[cfg(feature = "tower-sessions-014")]
        if let Some(session) = extensions.get::<tower_sessions_014::Session>() {
            return Some(OwnedSession::V014(session.clone()));
        }
        let _ = extensions;
        None
    }

    /// Its id now (`None` once it was flushed).
    pub(crate) fn id(&self) -> Option<i128> {
        match self {
            #[cfg(feature = "tower-sessions-015")]
            OwnedSession::V015(session) => sealed::SessionOps::id_value(session),
            #[cfg(feature = "tower-sessions-014")]
            OwnedSession::V014(session) => sealed::SessionOps::id_value(session),
        }
    }

    /// Reads it again from the store, within `timeout`: `None` when the
    /// store no longer has it.
    pub(crate) async fn reload(
        &self,
        key: Option<&str>,
        deadline_key: &str,
        timeout: Duration,
    ) -> Result<Option<Reloaded>, SessionReadError> {
        match self {
            #[cfg(feature = "tower-sessions-015")]
            OwnedSession::V015(session) => reload(session, key, deadline_key, timeout).await,
            #[cfg(feature = "tower-sessions-014")]
            OwnedSession::V014(session) => reload(session, key, deadline_key, timeout).await,
        }
    }
}

/// [`OwnedSession::reload`] on one line's session.
async fn reload<S: sealed::SessionOps>(
    session: &S,
    key: Option<&str>,
    deadline_key: &str,
    timeout: Duration,
) -> Result<Option<Reloaded>, SessionReadError> {
    bounded(timeout, session.reload()).await??;
    // A record the store no longer has reads as empty and drops the id.
    let user = match key {
        Some(key) => bounded(timeout, session.get_value(key)).await??,
        None => None,
    };
    let deadline = bounded(timeout, session.get_value(deadline_key)).await??;
    if session.id_value().is_none() {
        return Ok(None);
    }
    let holds_user = match key {
        Some(_) => matches!(user, Some(user) if !user.is_null()),
        None => true,
    };
    Ok(Some(Reloaded {
        holds_user,
        deadline,
    }))
}

/// The decision on one line's session, written once for both.
async fn holds_user<S: sealed::SessionOps>(
    session: &S,
    key: &str,
    timeout: Duration,
) -> Result<bool, SessionReadError> {
    // A session without an id (no cookie, or one the store did not know)
    // whose record was never loaded is empty: logged out, and there is no
    // record to load. Asking `is_empty` first skips creating a throwaway one.
    if session.is_unloaded_and_empty().await {
        return Ok(false);
    }
    let user = bounded(timeout, session.get_value(key)).await??;
    Ok(matches!(user, Some(user) if !user.is_null()))
}

/// `read`, or [`StoreTimedOut`] once `timeout` has passed: a store that
/// never answers costs a request at most that long, never a hang.
///
/// The timer is armed only when `read` is pending: a store that answers on
/// the first poll (a `MemoryStore`, a cached record) costs no timer entry,
/// clock read or larger future. The bound then starts at that first poll,
/// which returned at once, so a read waits at most `timeout` after it.
async fn bounded<T>(timeout: Duration, read: impl Future<Output = T>) -> Result<T, StoreTimedOut> {
    let mut read = std::pin::pin!(read);
    // Boxed: the timer is large and rarely needed, and the guard's future
    // (moved whole into every handler's future) should not carry it.
    let mut timer: Option<Pin<Box<tokio::time::Sleep>>> = None;
    let mut unbounded = false;
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(value) = read.as_mut().poll(cx) {
            return Poll::Ready(Ok(value));
        }
        if unbounded {
            return Poll::Pending;
        }
        let timer = if let Some(timer) = &mut timer {
            timer
        } else {
            // Tokio's timer needs a Tokio runtime; outside one (another
            // executor) the read is not bounded rather than a panic.
            if tokio::runtime::Handle::try_current().is_err() {
                unbounded = true;
                return Poll::Pending;
            }
            timer.insert(Box::pin(tokio::time::sleep(timeout)))
        };
        timer
            .as_mut()
            .poll(cx)
            .map(|()| Err(StoreTimedOut(timeout)))
    })
    .await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::login::{login, login_with_key, logout};
    use crate::options::{SESSION_KEY, STORE_TIMEOUT};

    /// login, a null user, logout: what the guard's one read says on a line.
    macro_rules! decision_on_line {
        ($feature:literal, $test:ident, $crate_name:ident) => {
            #[cfg(feature = $feature)]
            #[tokio::test]
            async fn $test() {
                use $crate_name::{MemoryStore, Session};
                let store = Arc::new(MemoryStore::default());
                let mut extensions = Extensions::new();
                let session = Session::new(None, store, None);
                extensions.insert(session.clone());
                let decides = |key: &'static str| {
                    let seen = RequestSession::of(&extensions).expect("the session is found");
                    async move { seen.logged_in(key, STORE_TIMEOUT).await.unwrap() }
                };

                assert!(!decides(SESSION_KEY).await, "fresh session");
                login(&session, "ada").await.unwrap();
                assert!(decides(SESSION_KEY).await, "after login");
                assert!(!decides("other.key").await, "another key");
                login_with_key(&session, "nobody", &serde_json::Value::Null)
                    .await
                    .unwrap();
                assert!(!decides("nobody").await, "a null user");
                logout(&session).await.unwrap();
                assert!(!decides(SESSION_KEY).await, "after logout");
            }
        };
    }

    decision_on_line!(
        "tower-sessions-015",
        decides_on_a_015_session,
        tower_sessions
    );
    decision_on_line!(
        "tower-sessions-014",
        decides_on_a_014_session,
        tower_sessions_014
    );

    /// With both lines on, the guard reads whichever `Session` the layer put there.
    #[cfg(all(feature = "tower-sessions-015", feature = "tower-sessions-014"))]
    #[tokio::test]
    async fn with_both_lines_either_session_is_found() {
        // A request's extensions, holding the session of one line for `user`.
        macro_rules! logged_in_on {
            ($line:ident, $user:expr) => {{
                let session =
                    $line::Session::new(None, Arc::new($line::MemoryStore::default()), None);
                login(&session, $user).await.unwrap();
                let mut extensions = Extensions::new();
                extensions.insert(session);
                extensions
            }};
        }
        let on_015 = logged_in_on!(tower_sessions, "ada");
        let on_014 = logged_in_on!(tower_sessions_014, "bob");

        for (extensions, line_014) in [(&on_015, false), (&on_014, true)] {
            let found = RequestSession::of(extensions).unwrap();
            assert_eq!(matches!(found, RequestSession::V014(_)), line_014);
            assert!(found.logged_in(SESSION_KEY, STORE_TIMEOUT).await.unwrap());
        }
    }

    /// A read that is pending `times` polls (waking itself each time), then ready.
    struct PendingFor {
        times: u32,
    }

    impl Future for PendingFor {
        type Output = u32;
        fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<u32> {
            if self.times == 0 {
                return Poll::Ready(7);
            }
            self.times -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    #[tokio::test]
    async fn bounded_answers_a_ready_or_slow_read_and_times_out_a_hanging_one() {
        let quick = Duration::from_millis(50);
        assert_eq!(bounded(quick, PendingFor { times: 0 }).await.unwrap(), 7);
        assert_eq!(bounded(quick, PendingFor { times: 3 }).await.unwrap(), 7);
        let slow_but_in_time = async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            8
        };
        assert_eq!(bounded(quick, slow_but_in_time).await.unwrap(), 8);
        let started = std::time::Instant::now();
        let hung = bounded(quick, std::future::pending::<()>()).await;
        assert!(matches!(hung, Err(StoreTimedOut(waited)) if waited == quick));
        assert!(
            started.elapsed() >= quick,
            "gave up early: {:?}",
            started.elapsed()
        );
    }

    /// Outside a Tokio runtime there is no timer: the read is awaited unbounded, no panic.
    #[test]
    fn bounded_outside_tokio_awaits_the_read() {
        let mut read = std::pin::pin!(bounded(Duration::from_millis(1), PendingFor { times: 2 }));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let answer = loop {
            if let Poll::Ready(answer) = read.as_mut().poll(&mut cx) {
                break answer;
            }
        };
        assert_eq!(answer.unwrap(), 7);
    }

    #[test]
    fn no_session_layer_means_no_session() {
        assert!(RequestSession::of(&Extensions::new()).is_none());
    }
}
