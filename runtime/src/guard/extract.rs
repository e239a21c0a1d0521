//! The guard: one decision, used by the [`RequireLogin`] extractor that
//! `#[require_login]` inserts (and by any other entry point).

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;
use http::HeaderValue;

use crate::guard::return_to;
use crate::guard::session::RequestSession;
use crate::guard::LoginRoutes;
use crate::guard::{classify, RequestKind};
use crate::options::GuardOptions;
use crate::response::{ClientLibrary, GuardError, LoginRejection};

/// Supplies the options of a [`RequireLogin`] guard, as a type, so each
/// handler's guard is configured at compile time.
///
/// ```
/// use require_login::{GuardConfig, GuardOptions, RequireLogin};
///
/// struct AdminLogin;
/// impl GuardConfig for AdminLogin {
///     const OPTIONS: GuardOptions = GuardOptions::new().login("/admin/login");
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
/// use require_login::{DefaultLogin, GuardConfig, GuardOptions};
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
/// - an AJAX call (fetch, `XMLHttpRequest`, jQuery, htmx; see [`classify`]):
///   the configured status (403) with the sentinel as its whole body, and the
///   login URL in `X-Login-Url` (and `HX-Redirect` for htmx).
///
/// A missing `SessionManagerLayer`, a failing session store, a store that
/// does not answer within the options' store timeout ([`STORE_TIMEOUT`](crate::STORE_TIMEOUT),
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
        if !LoggedIn::already_checked(parts, options) {
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

/// Left on a request by a [`RequireLoginLayer`](crate::RequireLoginLayer)
/// that let it through, so that a handler's own guard that decides the same
/// way (the same session key, the same axum-login backend) reuses that answer
/// instead of asking the session again.
#[derive(Clone, Copy)]
pub(crate) struct LoggedIn {
    session_key: &'static str,
    #[cfg(feature = "axum-login")]
    axum_login: Option<crate::guard::axum_login::AxumLoginUser>,
}

impl LoggedIn {
    fn of(options: &GuardOptions) -> Self {
        LoggedIn {
            session_key: options.session_key,
            #[cfg(feature = "axum-login")]
            axum_login: options.axum_login,
        }
    }

    pub(crate) fn mark(extensions: &mut http::Extensions, options: &GuardOptions) {
        extensions.insert(Self::of(options));
    }

    /// Whether a layer already found a user the way `options` would.
    fn already_checked(parts: &Parts, options: &GuardOptions) -> bool {
        parts.extensions.get::<LoggedIn>().is_some_and(|checked| {
            let wanted = Self::of(options);
            #[cfg(feature = "axum-login")]
            if checked.axum_login != wanted.axum_login {
                return false;
            }
            checked.session_key == wanted.session_key
        })
    }
}

/// The guard's whole decision: `Ok(())` when the request's session holds a
/// logged-in user, otherwise what to answer instead: a [`LoginRejection`]
/// (a redirect, the sentinel, or a logged 500), which turns into the
/// response with [`IntoResponse`](axum::response::IntoResponse).
///
/// Every entry point (the extractor, the attribute, the layer) calls this
/// one function.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use require_login::{enforce, GuardError, GuardOptions, LoginRejection};
///
/// let (parts, ()) = http::Request::get("/dash").body(()).unwrap().into_parts();
/// // No SessionManagerLayer ran, so there is no session: a 500, logged.
/// let denied = enforce(&parts, &GuardOptions::new()).await.unwrap_err();
/// assert!(matches!(denied, LoginRejection::ServerError(GuardError::NoSession)));
/// assert_eq!(denied.status(), 500);
/// # });
/// ```
///
/// # Errors
/// What to answer instead of running the handler.
pub async fn enforce(parts: &Parts, options: &GuardOptions) -> Result<(), LoginRejection> {
    let Some(session) = RequestSession::for_guard(&parts.extensions, options) else {
        // Logged by the session seam, which knows which layer is missing.
        RequestSession::log_missing(options);
        return Err(LoginRejection::ServerError(GuardError::NoSession));
    };
    match session
        .logged_in(options.session_key, options.store_timeout)
        .await
    {
        Ok(true) => Ok(()),
        Ok(false) => Err(deny(parts, options)),
        Err(error) => Err(failed(GuardError::SessionStore(error))),
    }
}

/// A server error: logged here, where its cause is known, so it is logged
/// even when the app answers the rejection its own way.
#[cold]
fn failed(error: GuardError) -> LoginRejection {
    // Worded as before the typed rejection: operators grep for it.
    if let GuardError::SessionStore(cause) = &error {
        tracing::error!(error = %cause, "require_login: the session store failed; answering 500");
    } else {
        tracing::error!("require_login: {error}; answering 500");
    }
    LoginRejection::ServerError(error)
}

/// The answer for a request whose session holds no logged-in user.
pub(crate) fn deny(parts: &Parts, options: &GuardOptions) -> LoginRejection {
    let login = match LoginRoutes::resolve(options.login, &parts.extensions) {
        Ok(login) => login,
        Err(error) => return failed(error),
    };
    let kind = classify(&parts.headers);
    let return_to = match kind {
        RequestKind::Navigation | RequestKind::Visit(_) => return_to::for_navigation(parts),
        RequestKind::Ajax { .. } => return_to::for_ajax(parts),
    };
    let login_path = return_to::login_path(login);
    // An htmx call made on the login page itself gets no `HX-Redirect`:
    // the user is already there, and following it would reload for ever.
    let from_login_page = return_to
        .as_deref()
        .is_some_and(|page| return_to::is_login_page(page, login_path));
    let return_to = match (options.redirect_field, return_to) {
        (Some(field), Some(page)) => return_to::never_the_login_page(page, login_path, field),
        _ => None,
    };
    let login_url = match (options.redirect_field, &return_to) {
        (Some(field), Some(page)) => return_to::append_query(login, field, page),
        _ => login.to_owned(),
    };
    // Into a header value without copying it again (the capacity is exact).
    let login_url = match HeaderValue::try_from(login_url) {
        Ok(value) => value,
        Err(error) => {
            // Built again only to report it: this cannot happen with a login
            // target that compiled and a percent-encoded return-to link.
            let login_url = match (options.redirect_field, &return_to) {
                (Some(field), Some(page)) => return_to::append_query(login, field, page),
                _ => login.to_owned(),
            };
            return failed(GuardError::InvalidLoginUrl { login_url, error });
        }
    };
    match kind {
        RequestKind::Navigation => LoginRejection::Redirect { login_url },
        RequestKind::Ajax { htmx } if !htmx || from_login_page => LoginRejection::AjaxDenied {
            login_url,
            sentinel: options.sentinel,
            status: options.status,
        },
        RequestKind::Ajax { .. } => LoginRejection::ClientLibrary {
            library: ClientLibrary::Htmx,
            login_url,
            sentinel: options.sentinel,
            status: options.status,
        },
        RequestKind::Visit(library) => LoginRejection::ClientLibrary {
            library,
            login_url,
            sentinel: options.sentinel,
            status: options.status,
        },
    }
}
