//! "Logged in" as axum-login decides it (cargo feature `axum-login`): the
//! request's [`AuthSession<Backend>`](axum_login::AuthSession) has a user.
//!
//! axum-login's `AuthManagerLayer` loads that user on every request: it reads
//! its record (`axum-login.data`: `{ user_id, auth_hash }`), asks the backend
//! for the user, and treats a changed auth hash or a user the backend no
//! longer knows as logged out. The guard reads the result it left in the
//! request's extensions and loads nothing again; the rest (login target,
//! sentinel, status, return-to link) is the same as for a session-key guard.

use std::fmt;
use std::hash::{Hash, Hasher};

use axum_login::{AuthSession, AuthnBackend};
use http::Extensions;

use super::{GuardOptions, LoggedInBy};

/// Which backend's `AuthSession` a guard reads, as a function pointer (a
/// `const` value, so options stay buildable at compile time).
#[derive(Clone, Copy)]
pub(crate) struct AxumLoginUser {
    /// `Some(has a user)`, or `None` when no `AuthSession<B>` is there.
    has_user: fn(&Extensions) -> Option<bool>,
    /// The user's id, as JSON, when the `AuthSession<B>` has a user.
    user_id: fn(&Extensions) -> Option<serde_json::Value>,
    backend: fn() -> &'static str,
}

fn has_user<B: AuthnBackend + 'static>(extensions: &Extensions) -> Option<bool> {
    extensions
        .get::<AuthSession<B>>()
        .map(|auth| auth.user.is_some())
}

fn user_id<B: AuthnBackend + 'static>(extensions: &Extensions) -> Option<serde_json::Value> {
    let user = extensions.get::<AuthSession<B>>()?.user.as_ref()?;
    serde_json::to_value(axum_login::AuthUser::id(user)).ok()
}

impl AxumLoginUser {
    pub(crate) const fn of<B: AuthnBackend + 'static>() -> Self {
        AxumLoginUser {
            has_user: has_user::<B>,
            user_id: user_id::<B>,
            backend: std::any::type_name::<B>,
        }
    }

    /// Whether the request's `AuthSession` has a user; `None` when
    /// axum-login's layer did not run for this backend.
    pub(crate) fn has_user(self, extensions: &Extensions) -> Option<bool> {
        (self.has_user)(extensions)
    }

    /// The id of the user the request's `AuthSession` loaded (what
    /// [`SessionWatch::end_user`](crate::stream::SessionWatch::end_user) is given).
    pub(crate) fn user_id(self, extensions: &Extensions) -> Option<serde_json::Value> {
        (self.user_id)(extensions)
    }

    pub(crate) fn backend(self) -> &'static str {
        (self.backend)()
    }
}

impl PartialEq for AxumLoginUser {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::fn_addr_eq(self.has_user, other.has_user)
    }
}

impl Eq for AxumLoginUser {}

impl Hash for AxumLoginUser {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.has_user as usize).hash(state);
    }
}

impl fmt::Debug for AxumLoginUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AxumLogin")
            .field("backend", &self.backend())
            .finish()
    }
}

impl GuardOptions {
    /// "Logged in" means axum-login's [`AuthSession<B>`](axum_login::AuthSession)
    /// has a user (feature `axum-login`), instead of a session key.
    ///
    /// The guard reads the `AuthSession` axum-login's `AuthManagerLayer`
    /// already put in the request, so it loads nothing a second time, and
    /// it agrees with axum-login: a logged-out session, a changed password
    /// (auth hash) or a user the backend no longer knows is logged out. Put
    /// the `AuthManagerLayer` outside every guarded route; without it (or
    /// with another backend type) a guarded request is a logged `500`.
    ///
    /// ```
    /// use axum::{routing::get, Router};
    /// use axum_login::{AuthUser, AuthnBackend, AuthManagerLayerBuilder, UserId};
    /// use require_login::{GuardOptions, RequireLoginLayer};
    /// use tower_sessions_014::{MemoryStore, SessionManagerLayer};
    ///
    /// # #[derive(Debug, Clone)] struct User { id: u64, hash: Vec<u8> }
    /// # impl AuthUser for User {
    /// #     type Id = u64;
    /// #     fn id(&self) -> u64 { self.id }
    /// #     fn session_auth_hash(&self) -> &[u8] { &self.hash }
    /// # }
    /// #[derive(Debug, Clone)]
    /// struct Backend; // your AuthnBackend, as it is
    /// # impl AuthnBackend for Backend {
    /// #     type User = User;
    /// #     type Credentials = ();
    /// #     type Error = std::convert::Infallible;
    /// #     async fn authenticate(&self, _: ()) -> Result<Option<User>, Self::Error> { Ok(None) }
    /// #     async fn get_user(&self, _: &UserId<Self>) -> Result<Option<User>, Self::Error> { Ok(None) }
    /// # }
    ///
    /// const MEMBERS: GuardOptions = GuardOptions::new().with_axum_login::<Backend>();
    /// assert_eq!(MEMBERS.axum_login(), Some(std::any::type_name::<Backend>()));
    ///
    /// let sessions = SessionManagerLayer::new(MemoryStore::default());
    /// let app: Router = Router::new()
    ///     .route("/members", get(|| async { "members only" }))
    ///     .route_layer(RequireLoginLayer::new(MEMBERS))
    ///     .layer(AuthManagerLayerBuilder::new(Backend, sessions).build());
    /// ```
    ///
    /// # Panics
    /// When a session key other than the default was set: such a guard
    /// reads no session key. In a `const` that is a compile error.
    ///
    /// ```compile_fail
    /// # use require_login::GuardOptions;
    /// # #[derive(Debug, Clone)] struct User;
    /// # impl axum_login::AuthUser for User { type Id = u64; fn id(&self) -> u64 { 1 } fn session_auth_hash(&self) -> &[u8] { &[] } }
    /// # #[derive(Debug, Clone)] struct Backend;
    /// # impl axum_login::AuthnBackend for Backend {
    /// #     type User = User; type Credentials = (); type Error = std::convert::Infallible;
    /// #     async fn authenticate(&self, _: ()) -> Result<Option<User>, Self::Error> { Ok(None) }
    /// #     async fn get_user(&self, _: &u64) -> Result<Option<User>, Self::Error> { Ok(None) }
    /// # }
    /// const BOTH: GuardOptions = GuardOptions::new().with_session_key("user_id").with_axum_login::<Backend>();
    /// ```
    #[must_use]
    pub const fn with_axum_login<B: AuthnBackend + 'static>(self) -> Self {
        match self.logged_in_by {
            LoggedInBy::SessionKey(key) if super::same_str(key, super::SESSION_KEY) => {}
            _ => panic!(
                "a guard deciding by axum-login reads no session key: leave `session_key` out"
            ),
        }
        GuardOptions {
            logged_in_by: LoggedInBy::AxumLogin(AxumLoginUser::of::<B>()),
            ..self
        }
    }

    /// The backend type whose `AuthSession` decides, for a guard built with
    /// [`GuardOptions::with_axum_login`]; `None` for a session-key guard.
    ///
    /// ```
    /// # use require_login::GuardOptions;
    /// assert_eq!(GuardOptions::new().axum_login(), None);
    /// ```
    pub fn axum_login(&self) -> Option<&'static str> {
        match self.logged_in_by {
            LoggedInBy::AxumLogin(user) => Some(user.backend()),
            LoggedInBy::SessionKey(_) => None,
        }
    }
}
