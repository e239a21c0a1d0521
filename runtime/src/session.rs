//! Marking a tower-sessions `Session` as logged in, and ending it; and the
//! one place where the guard reads a request's session.
//!
//! Two tower-sessions lines are supported, each behind a cargo feature:
//! `tower-sessions-015` (the default) and `tower-sessions-014` (what the
//! Redis and SQL stores and axum-login are built on). Their `Session` types
//! are distinct types with the same API; [`LoginSession`] covers both, and
//! [`RequestSession`] is the guard's only view of them.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use http::Extensions;
use serde::Serialize;

use crate::options::GuardOptions;

#[cfg(not(any(feature = "tower-sessions-015", feature = "tower-sessions-014")))]
compile_error!(
    "require-login needs a tower-sessions line: enable the feature `tower-sessions-015` \
     (the default) or `tower-sessions-014`, or both"
);

/// The session key [`login`] writes and guards read by default.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::sync::Arc;
/// use tower_sessions::{MemoryStore, Session};
///
/// let session = Session::new(None, Arc::new(MemoryStore::default()), None);
/// require_login::login(&session, &"ada").await.unwrap();
/// let user: Option<String> = session.get(require_login::SESSION_KEY).await.unwrap();
/// assert_eq!(user.as_deref(), Some("ada"));
/// # }
/// ```
pub const SESSION_KEY: &str = "require_login.user";

/// Marks `session` as logged in as `user_id`, under [`SESSION_KEY`].
///
/// `session` is the `Session` of either tower-sessions line (see
/// [`LoginSession`]); the error is that line's `session::Error`.
///
/// The session id is cycled first, so an id planted before login (session
/// fixation) is worth nothing after it.
///
/// ```
/// # tokio_test_block_on(async {
/// use std::sync::Arc;
/// use tower_sessions::{MemoryStore, Session};
///
/// let session = Session::new(None, Arc::new(MemoryStore::default()), None);
/// require_login::login(&session, &"ada").await?;
/// assert_eq!(session.get::<String>(require_login::SESSION_KEY).await?.as_deref(), Some("ada"));
/// require_login::logout(&session).await?;
/// assert!(session.is_empty().await);
/// # Ok::<_, tower_sessions::session::Error>(()) }).unwrap();
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
///
/// # Errors
/// When the store fails or `user_id` does not serialize.
pub async fn login<S: LoginSession, U: Serialize + ?Sized + Sync>(
    session: &S,
    user_id: &U,
) -> Result<(), S::Error> {
    login_with_key(session, SESSION_KEY, user_id).await
}

/// Like [`login`], under a key of your own, for guards with `session_key = "..."`.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use std::sync::Arc;
/// # use tower_sessions::{MemoryStore, Session};
/// let session = Session::new(None, Arc::new(MemoryStore::default()), None);
/// require_login::login_with_key(&session, "admin", &42).await?;
/// assert_eq!(session.get::<u32>("admin").await?, Some(42));
/// # Ok::<_, tower_sessions::session::Error>(()) }).unwrap();
/// ```
///
/// # Errors
/// When the store fails or `user_id` does not serialize.
pub async fn login_with_key<S: LoginSession, U: Serialize + ?Sized + Sync>(
    session: &S,
    key: &str,
    user_id: &U,
) -> Result<(), S::Error> {
    session.cycle_id().await?;
    session.insert(key, user_id).await
}

/// Ends the session: clears its data, deletes it from the store, and expires the cookie.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use std::sync::Arc;
/// # use tower_sessions::{MemoryStore, Session};
/// let session = Session::new(None, Arc::new(MemoryStore::default()), None);
/// require_login::login(&session, "ada").await?;
/// require_login::logout(&session).await?;
/// assert_eq!(session.get::<String>(require_login::SESSION_KEY).await?, None);
/// # Ok::<_, tower_sessions::session::Error>(()) }).unwrap();
/// ```
///
/// # Errors
/// When the store fails to delete the session.
pub async fn logout<S: LoginSession>(session: &S) -> Result<(), S::Error> {
    session.flush().await
}

/// A tower-sessions `Session` that [`login`] and [`logout`] accept: 0.15's
/// `tower_sessions::Session` with the feature `tower-sessions-015` (the
/// default), 0.14's with `tower-sessions-014`. Sealed: only those two.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use std::sync::Arc;
/// use require_login::LoginSession;
/// use tower_sessions::{MemoryStore, Session};
///
/// async fn sign_in<S: LoginSession>(session: &S) -> Result<(), S::Error> {
///     require_login::login(session, "ada").await
/// }
/// let session = Session::new(None, Arc::new(MemoryStore::default()), None);
/// sign_in(&session).await?;
/// # Ok::<_, tower_sessions::session::Error>(()) }).unwrap();
/// ```
pub trait LoginSession: sealed::SessionOps {}

/// The operations used on a `Session`, the same on both lines. In a private
/// module, so that no other type can be a [`LoginSession`].
mod sealed {
    use super::{Future, Serialize};

    pub trait SessionOps: Send + Sync + 'static {
        /// The line's `session::Error`.
        type Error: std::error::Error + Send + Sync + 'static;

        fn is_unloaded_and_empty(&self) -> impl Future<Output = bool> + Send;
        fn get_value(
            &self,
            key: &str,
        ) -> impl Future<Output = Result<Option<serde_json::Value>, Self::Error>> + Send;
        fn cycle_id(&self) -> impl Future<Output = Result<(), Self::Error>> + Send;
        fn insert<U: Serialize + ?Sized + Sync>(
            &self,
            key: &str,
            value: &U,
        ) -> impl Future<Output = Result<(), Self::Error>> + Send;
        fn flush(&self) -> impl Future<Output = Result<(), Self::Error>> + Send;
    }
}

/// Implements the seam for one line's `Session`, whose API is the same on both.
macro_rules! session_line {
    ($feature:literal, $crate_name:ident) => {
        #[cfg(feature = $feature)]
        impl sealed::SessionOps for $crate_name::Session {
            type Error = $crate_name::session::Error;

            async fn is_unloaded_and_empty(&self) -> bool {
                self.id().is_none() && self.is_empty().await
            }
            fn get_value(
                &self,
                key: &str,
            ) -> impl Future<Output = Result<Option<serde_json::Value>, Self::Error>> + Send {
                $crate_name::Session::get_value(self, key)
            }
            fn cycle_id(&self) -> impl Future<Output = Result<(), Self::Error>> + Send {
                $crate_name::Session::cycle_id(self)
            }
            fn insert<U: Serialize + ?Sized + Sync>(
                &self,
                key: &str,
                value: &U,
            ) -> impl Future<Output = Result<(), Self::Error>> + Send {
                $crate_name::Session::insert(self, key, value)
            }
            fn flush(&self) -> impl Future<Output = Result<(), Self::Error>> + Send {
                $crate_name::Session::flush(self)
            }
        }

        #[cfg(feature = $feature)]
        impl LoginSession for $crate_name::Session {}
    };
}

session_line!("tower-sessions-015", tower_sessions);
session_line!("tower-sessions-014", tower_sessions_014);

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
        if let Some(source) = options.axum_login {
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
        if let Some(source) = options.axum_login {
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
                    async move { seen.logged_in(key, crate::STORE_TIMEOUT).await.unwrap() }
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
            assert!(found
                .logged_in(SESSION_KEY, crate::STORE_TIMEOUT)
                .await
                .unwrap());
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
