//! Marking a tower-sessions `Session` as logged in, and ending it.
//!
//! Two tower-sessions lines are supported, each behind a cargo feature:
//! `tower-sessions-015` (the default) and `tower-sessions-014` (what the
//! Redis and SQL stores and axum-login are built on). Their `Session` types
//! are distinct types with the same API; [`LoginSession`] covers both, and
//! its sealed operations are the guard's way to read either.

use std::future::Future;

use serde::Serialize;

use crate::deadline::{self, now_ms, Record, DEADLINE_KEY};
use crate::options::SESSION_KEY;

#[cfg(not(any(feature = "tower-sessions-015", feature = "tower-sessions-014")))]
compile_error!(
    "require-login needs a tower-sessions line: enable the feature `tower-sessions-015` \
     (the default) or `tower-sessions-014`, or both"
);

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
/// assert_eq!(session.get::<String>(require_login::options::SESSION_KEY).await?.as_deref(), Some("ada"));
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
/// require_login::login::login_with_key(&session, "admin", &42).await?;
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
    session.insert(key, user_id).await?;
    // With deadlines, their clocks start at login: a session never used
    // after it still ends an idle timeout later. Without, no record is kept
    // (every read of the session would clone it).
    if deadline::in_use() {
        let started = Record::starting(now_ms()).to_value();
        session.insert(DEADLINE_KEY, &started).await?;
    }
    Ok(())
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
/// assert_eq!(session.get::<String>(require_login::options::SESSION_KEY).await?, None);
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
/// use require_login::login::LoginSession;
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
pub(crate) mod sealed {
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
        /// The session's id (tower-sessions' `Id`, an `i128` on both lines).
        fn id_value(&self) -> Option<i128>;
        /// Reads the record from the store again (`Session::load`).
        fn reload(&self) -> impl Future<Output = Result<(), Self::Error>> + Send;
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
            fn id_value(&self) -> Option<i128> {
                $crate_name::Session::id(self).map(|id| id.0)
            }
            fn reload(&self) -> impl Future<Output = Result<(), Self::Error>> + Send {
                $crate_name::Session::load(self)
            }
        }

        #[cfg(feature = $feature)]
        impl LoginSession for $crate_name::Session {}
    };
}

session_line!("tower-sessions-015", tower_sessions);
session_line!("tower-sessions-014", tower_sessions_014);
