//! What the guard decided for a request it did not let through, as a value:
//! [`LoginRejection`] is [`RequireLogin`](crate::RequireLogin)'s rejection
//! and [`enforce`](crate::enforce)'s error, and turns into the response with
//! [`IntoResponse`], as axum's own rejections do.

use std::error::Error;
use std::fmt;

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode};

use super::builders;
use crate::options::DenyStatus;

/// Why a logged-out request was not let through, and the answer it gets.
///
/// Match on it to answer some routes differently (a login page of your own,
/// metrics), or let axum turn it into the guard's response:
///
/// | variant | response |
/// |---|---|
/// | [`Redirect`](LoginRejection::Redirect) | `303 See Other` to the login page |
/// | [`AjaxDenied`](LoginRejection::AjaxDenied) | the status (403 by default), the sentinel as the whole body, `X-Login-Url` |
/// | [`ClientLibrary`](LoginRejection::ClientLibrary) | the answer that client library follows by itself (htmx: the AJAX answer plus `HX-Redirect`; Inertia: `409` with `X-Inertia-Location`; Turbo: `303`) |
/// | [`ServerError`](LoginRejection::ServerError) | `500`; the cause was logged through `tracing` when it was decided |
///
/// Every logged-out answer carries `Cache-Control: no-store` and a `Vary` on
/// every request header the decision reads.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use axum::{body::Body, response::{IntoResponse, Response}, routing::get, Router};
/// use require_login::{LoginRejection, RequireLogin};
/// use tower::ServiceExt;
/// use tower_sessions::{MemoryStore, SessionManagerLayer};
///
/// // A report page that shows a friendly page to logged-out visitors
/// // instead of redirecting them, and lets every other answer through.
/// async fn report(guard: Result<RequireLogin, LoginRejection>) -> Response {
///     match guard {
///         Ok(_) => "the report".into_response(),
///         Err(LoginRejection::Redirect { .. }) => "please log in to see the report".into_response(),
///         Err(other) => other.into_response(),
///     }
/// }
///
/// let app: Router = Router::new()
///     .route("/report", get(report))
///     .layer(SessionManagerLayer::new(MemoryStore::default()));
/// let response = app.oneshot(http::Request::get("/report").body(Body::empty()).unwrap()).await.unwrap();
/// assert_eq!(response.status(), 200);
/// # });
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum LoginRejection {
    /// A browser navigation of a logged-out user: `303 See Other` to
    /// `login_url`.
    #[non_exhaustive]
    Redirect {
        /// The login page, with the return-to link when there is one.
        login_url: HeaderValue,
    },
    /// A script's call (fetch, `XMLHttpRequest`, jQuery) of a logged-out user:
    /// `status`, the body exactly `sentinel`, and `X-Login-Url: login_url`.
    #[non_exhaustive]
    AjaxDenied {
        /// The login page, with the page to come back to when there is one.
        login_url: HeaderValue,
        /// The whole body.
        sentinel: &'static str,
        /// 401 or 403.
        status: DenyStatus,
    },
    /// A request of a logged-out user from a client library that has an
    /// answer of its own, which it follows without the client script.
    #[non_exhaustive]
    ClientLibrary {
        /// Which library made the request.
        library: ClientLibrary,
        /// The login page, with the page to come back to when there is one.
        login_url: HeaderValue,
        /// The whole body, for the answers that have one (htmx).
        sentinel: &'static str,
        /// 401 or 403, for the answers that use it (htmx).
        status: DenyStatus,
    },
    /// The guard could not decide: a `500`. The cause was logged when it
    /// was found.
    ServerError(GuardError),
}

/// A client library whose requests get an answer of their own, which it
/// follows without the client script (see [`classify`](crate::guard::classify)).
///
/// ```
/// use require_login::response::ClientLibrary;
/// assert_eq!(ClientLibrary::Htmx.to_string(), "htmx");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClientLibrary {
    /// An htmx call (`HX-Request: true`): the AJAX answer plus
    /// `HX-Redirect`, which htmx follows.
    Htmx,
    /// An htmx `hx-boost`ed link or form: the same answer, with the boosted
    /// URL as the page to come back to.
    HtmxBoost,
    /// An Inertia visit: `409 Conflict` with `X-Inertia-Location`, Inertia's
    /// full-page visit.
    Inertia,
    /// A Turbo visit: the navigation answer, `303` to the login page, which
    /// Turbo follows and renders.
    Turbo,
}

impl fmt::Display for ClientLibrary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClientLibrary::Htmx => "htmx",
            ClientLibrary::HtmxBoost => "htmx hx-boost",
            ClientLibrary::Inertia => "Inertia",
            ClientLibrary::Turbo => "Turbo",
        })
    }
}

impl LoginRejection {
    /// The status of the response it turns into.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use require_login::{enforce, GuardOptions};
    ///
    /// let (parts, ()) = http::Request::get("/dash").body(()).unwrap().into_parts();
    /// // No SessionManagerLayer ran: the guard cannot decide.
    /// let rejection = enforce(&parts, &GuardOptions::new()).await.unwrap_err();
    /// assert_eq!(rejection.status(), 500);
    /// # });
    /// ```
    pub fn status(&self) -> StatusCode {
        match self {
            LoginRejection::Redirect { .. } => StatusCode::SEE_OTHER,
            LoginRejection::AjaxDenied { status, .. } => status.code(),
            LoginRejection::ClientLibrary {
                library, status, ..
            } => match library {
                ClientLibrary::Htmx | ClientLibrary::HtmxBoost => status.code(),
                ClientLibrary::Inertia => StatusCode::CONFLICT,
                ClientLibrary::Turbo => StatusCode::SEE_OTHER,
            },
            LoginRejection::ServerError(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The login URL a logged-out user is sent to; `None` for a server error.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use std::sync::Arc;
    /// use require_login::{enforce, GuardOptions};
    /// use tower_sessions::{MemoryStore, Session};
    ///
    /// let (mut parts, ()) = http::Request::get("/dash?tab=2").body(()).unwrap().into_parts();
    /// parts.extensions.insert(Session::new(None, Arc::new(MemoryStore::default()), None));
    /// let rejection = enforce(&parts, &GuardOptions::new()).await.unwrap_err();
    /// assert_eq!(rejection.login_url(), Some("/login?next=/dash%3Ftab%3D2"));
    /// # });
    /// ```
    pub fn login_url(&self) -> Option<&str> {
        match self {
            LoginRejection::Redirect { login_url }
            | LoginRejection::AjaxDenied { login_url, .. }
            | LoginRejection::ClientLibrary { login_url, .. } => login_url.to_str().ok(),
            LoginRejection::ServerError(_) => None,
        }
    }
}

impl IntoResponse for LoginRejection {
    fn into_response(self) -> Response {
        match self {
            LoginRejection::AjaxDenied {
                login_url,
                sentinel,
                status,
            } => builders::ajax_denied_to(sentinel, status, login_url, false),
            LoginRejection::ClientLibrary {
                library: ClientLibrary::Htmx | ClientLibrary::HtmxBoost,
                login_url,
                sentinel,
                status,
            } => builders::ajax_denied_to(sentinel, status, login_url, true),
            LoginRejection::ClientLibrary {
                library: ClientLibrary::Inertia,
                login_url,
                ..
            } => builders::inertia_denied_to(login_url),
            // Turbo follows a redirect as a navigation does.
            LoginRejection::Redirect { login_url }
            | LoginRejection::ClientLibrary {
                library: ClientLibrary::Turbo,
                login_url,
                ..
            } => builders::navigation_denied_to(login_url),
            LoginRejection::ServerError(_) => builders::internal_error(),
        }
    }
}

impl fmt::Display for LoginRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let login_url = self.login_url().unwrap_or_default();
        match self {
            LoginRejection::Redirect { .. } => {
                write!(f, "login required: navigation redirected to {login_url}")
            }
            LoginRejection::AjaxDenied { status, .. } => write!(
                f,
                "login required: script call answered {} with the sentinel, login at {login_url}",
                status.code().as_u16()
            ),
            LoginRejection::ClientLibrary { library, .. } => write!(
                f,
                "login required: {library} request answered {} its way, login at {login_url}",
                self.status().as_u16()
            ),
            LoginRejection::ServerError(error) => write!(f, "the login guard failed: {error}"),
        }
    }
}

impl Error for LoginRejection {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            LoginRejection::ServerError(error) => Some(error),
            _ => None,
        }
    }
}

impl From<GuardError> for LoginRejection {
    fn from(error: GuardError) -> Self {
        LoginRejection::ServerError(error)
    }
}

/// Why the guard could not decide (a [`LoginRejection::ServerError`]).
///
/// ```
/// use require_login::response::GuardError;
/// assert!(GuardError::NoSession.to_string().contains("SessionManagerLayer"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum GuardError {
    /// No session layer ran before the guard: tower-sessions'
    /// `SessionManagerLayer` (or, for a guard on axum-login's session,
    /// axum-login's `AuthManagerLayer`).
    NoSession,
    /// The session store failed to load the session.
    SessionStore(Box<dyn Error + Send + Sync>),
    /// A `#[require_login]` handler's options were not registered (the
    /// binary was linked without the handler's object file).
    UnregisteredGuard {
        /// The guard's configuration type.
        guard: &'static str,
    },
    /// The login target is a route name that the router's
    /// [`LoginRoutes`](crate::guard::LoginRoutes) does not register, or no
    /// `LoginRoutes` is installed.
    UnknownLoginRoute {
        /// The route name.
        name: &'static str,
        /// Whether a `LoginRoutes` was installed at all.
        routes_installed: bool,
    },
    /// The login URL is not a valid header value.
    InvalidLoginUrl {
        /// The URL as built.
        login_url: String,
        /// What `http` found wrong with it.
        error: http::header::InvalidHeaderValue,
    },
    /// A [`SessionEnd`](crate::stream::SessionEnd) was asked for on a request
    /// that no [`SessionWatch`](crate::stream::SessionWatch) layer watches, that
    /// no guard let through before it, or that opens no stream.
    StreamNotWatched,
}

impl fmt::Display for GuardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuardError::NoSession => f.write_str(
                "no session on this request: add tower_sessions::SessionManagerLayer (or, for a \
                 guard on axum-login's session, its AuthManagerLayer) to the router, outside \
                 (after, in `.layer` order) every guarded route",
            ),
            GuardError::SessionStore(error) => write!(f, "the session store failed: {error}"),
            GuardError::StreamNotWatched => f.write_str(
                "SessionEnd needs a SessionWatch layer (inside the SessionManagerLayer), a guard \
                 before it among the handler's arguments (#[require_login] puts one first), and a \
                 request that opens a stream (`Accept: text/event-stream` or a WebSocket upgrade)",
            ),
            GuardError::UnregisteredGuard { guard } => write!(
                f,
                "the guard options of {guard} were not registered; \
                 was the binary linked without the handler's object file?"
            ),
            GuardError::UnknownLoginRoute {
                name,
                routes_installed: false,
            } => write!(
                f,
                "the login target {name:?} is a route name, but no LoginRoutes is installed: add `.layer(axum::Extension(LoginRoutes::new().insert({name:?}, \"/your/login\")))`"
            ),
            GuardError::UnknownLoginRoute {
                name,
                routes_installed: true,
            } => write!(
                f,
                "the login route name {name:?} is not registered in LoginRoutes: add `.route({name:?}, \"/your/login\")`"
            ),
            GuardError::InvalidLoginUrl { login_url, error } => {
                write!(f, "the login URL {login_url:?} is not a valid header value: {error}")
            }
        }
    }
}

impl Error for GuardError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            GuardError::SessionStore(error) => Some(error.as_ref()),
            GuardError::InvalidLoginUrl { error, .. } => Some(error),
            _ => None,
        }
    }
}
