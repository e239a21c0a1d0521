//! The [`RequireLogin`] extractor that `#[require_login]` inserts, and the
//! [`GuardConfig`] types that give it its options at compile time.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;

use crate::guard::decide::{enforce, failed, LoggedIn};
use crate::options::GuardOptions;
use crate::response::{GuardError, LoginRejection};

/// Supplies the options of a [`RequireLogin`] guard, as a type, so each
/// handler's guard is configured at compile time.
///
/// ```
/// use require_login::{GuardConfig, GuardOptions, RequireLogin};
///
/// struct AdminLogin;
/// impl GuardConfig for AdminLogin {
///     const OPTIONS: GuardOptions = GuardOptions::new().with_login("/admin/login");
/// }
///
/// async fn admin_panel(_: RequireLogin<AdminLogin>) -> &'static str {
///     "only for admins"
/// }
/// # let _: axum::Router = axum::Router::new().route("/admin", axum::routing::get(admin_panel));
/// ```
pub trait GuardConfig: 'static {
    /// The options; a bad value here is a compile error.
    const OPTIONS: GuardOptions;
}

/// The default configuration: [`GuardOptions::new`].
///
/// ```
/// use require_login::{guard::DefaultLogin, GuardConfig, GuardOptions};
/// assert_eq!(DefaultLogin::OPTIONS, GuardOptions::new());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultLogin;

impl GuardConfig for DefaultLogin {
    const OPTIONS: GuardOptions = GuardOptions::new();
}

/// An extractor that lets the handler run only for logged-in users.
///
/// Put it first among the handler's arguments, so that nothing after it (a
/// JSON body, a query) is even parsed for someone who is not logged in.
/// `#[require_login]` does exactly that for you.
///
/// A logged-out request gets, instead of the handler's response:
/// - a browser navigation: `303 See Other` to the login page, with
///   `?next=` the page to come back to;
/// - an AJAX call (fetch, `XMLHttpRequest`, jQuery, htmx; see [`classify`](crate::guard::classify)):
///   the configured status (403) with the sentinel as its whole body, and the
///   login URL in `X-Login-Url` (and `HX-Redirect` for htmx).
///
/// A missing `SessionManagerLayer`, a failing session store, a store that
/// does not answer within the options' store timeout ([`STORE_TIMEOUT`](crate::options::STORE_TIMEOUT),
/// 5 s, by default) or an unknown named login target is a `500` with the cause
/// logged through `tracing`.
///
/// ```
/// use axum::{routing::get, Router};
/// use require_login::RequireLogin;
/// use tower_sessions::{MemoryStore, SessionManagerLayer};
///
/// async fn dashboard(_: RequireLogin) -> &'static str {
///     "hello, logged-in user"
/// }
///
/// let app: Router = Router::new()
///     .route("/dashboard", get(dashboard))
///     .layer(SessionManagerLayer::new(MemoryStore::default()));
/// ```
pub struct RequireLogin<C = DefaultLogin>(PhantomData<fn() -> C>);

impl<C> std::fmt::Debug for RequireLogin<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequireLogin")
    }
}

impl<S, C> FromRequestParts<S> for RequireLogin<C>
where
    S: Send + Sync,
    C: crate::__private::ResolveOptions,
{
    type Rejection = LoginRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, LoginRejection> {
        let Some(options) = C::resolve() else {
            return Err(failed(GuardError::UnregisteredGuard {
                guard: std::any::type_name::<C>(),
            }));
        };
        if !LoggedIn::already_checked(parts, options, std::any::type_name::<C>()) {
            enforce(parts, options).await?;
        }
        Ok(RequireLogin(PhantomData))
    }
}

/// `Option<RequireLogin>`: `None` for a logged-out user, whatever the
/// request (the handler answers them itself); a server error (no session
/// layer, a failing store) is still the guard's logged `500`.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use axum::{body::Body, routing::get, Router};
/// use require_login::RequireLogin;
/// use tower::ServiceExt;
/// use tower_sessions::{MemoryStore, SessionManagerLayer};
///
/// async fn home(user: Option<RequireLogin>) -> &'static str {
///     match user {
///         Some(_) => "welcome back",
///         None => "welcome, stranger",
///     }
/// }
/// let app: Router = Router::new()
///     .route("/", get(home))
///     .layer(SessionManagerLayer::new(MemoryStore::default()));
/// let response = app.oneshot(http::Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
/// let body = axum::body::to_bytes(response.into_body(), 100).await.unwrap();
/// assert_eq!(body, "welcome, stranger");
/// # });
/// ```
impl<S, C> OptionalFromRequestParts<S> for RequireLogin<C>
where
    S: Send + Sync,
    C: crate::__private::ResolveOptions,
{
    type Rejection = LoginRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, LoginRejection> {
        match <Self as FromRequestParts<S>>::from_request_parts(parts, state).await {
            Ok(guard) => Ok(Some(guard)),
            Err(LoginRejection::ServerError(error)) => Err(LoginRejection::ServerError(error)),
            Err(_) => Ok(None),
        }
    }
}
