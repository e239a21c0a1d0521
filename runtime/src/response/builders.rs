//! The responses a guard answers with. Public so apps and other frameworks
//! can answer exactly the same way outside the guard.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, VARY};
use http::{HeaderName, HeaderValue, StatusCode};

use crate::options::DenyStatus;

/// Response header naming the login URL on an AJAX denial, for the client script.
///
/// ```
/// use require_login::response::{ajax_denied, X_LOGIN_URL};
/// use require_login::{options::DenyStatus, LOGIN_REQUIRED};
///
/// let response = ajax_denied(LOGIN_REQUIRED, DenyStatus::Forbidden, "/login?next=%2Fdash", false).unwrap();
/// assert_eq!(response.headers()[X_LOGIN_URL], "/login?next=%2Fdash");
/// ```
pub const X_LOGIN_URL: HeaderName = HeaderName::from_static("x-login-url");
/// htmx's redirect header, added on denials of htmx requests.
///
/// ```
/// use require_login::response::{ajax_denied, HX_REDIRECT};
/// use require_login::{options::DenyStatus, LOGIN_REQUIRED};
///
/// let htmx = ajax_denied(LOGIN_REQUIRED, DenyStatus::Forbidden, "/login", true).unwrap();
/// assert_eq!(htmx.headers()[HX_REDIRECT], "/login");
/// let fetch = ajax_denied(LOGIN_REQUIRED, DenyStatus::Forbidden, "/login", false).unwrap();
/// assert!(fetch.headers().get(HX_REDIRECT).is_none());
/// ```
pub const HX_REDIRECT: HeaderName = HeaderName::from_static("hx-redirect");

/// Inertia's header for a full-page visit, on the `409 Conflict` answer to
/// an Inertia request.
///
/// ```
/// use require_login::response::{inertia_denied, X_INERTIA_LOCATION};
///
/// let response = inertia_denied("/login?next=/dash").unwrap();
/// assert_eq!(response.status(), 409);
/// assert_eq!(response.headers()[X_INERTIA_LOCATION], "/login?next=/dash");
/// ```
pub const X_INERTIA_LOCATION: HeaderName = HeaderName::from_static("x-inertia-location");

/// Every request header the decision reads: the session cookie, the client
/// library and AJAX signals and the page headers the return-to link comes
/// from.
const VARY_VALUE: HeaderValue = HeaderValue::from_static(
    "Cookie, X-Inertia, HX-Boosted, X-Turbo-Request-Id, X-Requested-With, HX-Request, \
     Sec-Fetch-Mode, Accept, HX-Current-URL, Referer",
);
const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");
const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");

/// `303 See Other` to `login_url`, uncacheable.
///
/// ```
/// let response = require_login::response::navigation_denied("/login?next=/dash").unwrap();
/// assert_eq!(response.status(), 303);
/// assert_eq!(response.headers()["location"], "/login?next=/dash");
/// ```
///
/// # Errors
/// When `login_url` is not a valid header value (spaces, control characters).
pub fn navigation_denied(login_url: &str) -> Result<Response, http::header::InvalidHeaderValue> {
    Ok(navigation_denied_to(HeaderValue::from_str(login_url)?))
}

/// [`navigation_denied`] for a login URL already made a header value.
pub(crate) fn navigation_denied_to(location: HeaderValue) -> Response {
    empty_denial(StatusCode::SEE_OTHER, LOCATION, location)
}

/// A denial without a body whose `header` carries the login URL; uncacheable,
/// and varying on the request headers the guard reads.
fn empty_denial(status: StatusCode, header: HeaderName, login_url: HeaderValue) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header, login_url);
    headers.insert(CACHE_CONTROL, NO_STORE);
    headers.insert(VARY, VARY_VALUE);
    response
}

/// The sentinel answer for an AJAX call: `status`, body exactly `sentinel`,
/// `text/plain`, uncacheable, `X-Login-Url: login_url`, and for htmx also
/// `HX-Redirect: login_url`.
///
/// ```
/// use require_login::{options::DenyStatus, response, LOGIN_REQUIRED};
/// let response = response::ajax_denied(LOGIN_REQUIRED, DenyStatus::Forbidden, "/login", true).unwrap();
/// assert_eq!(response.status(), 403);
/// assert_eq!(response.headers()["x-login-url"], "/login");
/// assert_eq!(response.headers()["hx-redirect"], "/login");
/// ```
///
/// # Errors
/// When `login_url` is not a valid header value.
pub fn ajax_denied(
    sentinel: &'static str,
    status: DenyStatus,
    login_url: &str,
    htmx: bool,
) -> Result<Response, http::header::InvalidHeaderValue> {
    let login_url = HeaderValue::from_str(login_url)?;
    Ok(ajax_denied_to(sentinel, status, login_url, htmx))
}

/// [`ajax_denied`] for a login URL already made a header value.
pub(crate) fn ajax_denied_to(
    sentinel: &'static str,
    status: DenyStatus,
    login_url: HeaderValue,
    htmx: bool,
) -> Response {
    let mut response = Response::new(Body::from(sentinel));
    *response.status_mut() = status.code();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, TEXT_PLAIN);
    headers.insert(CACHE_CONTROL, NO_STORE);
    headers.insert(VARY, VARY_VALUE);
    if htmx {
        headers.insert(HX_REDIRECT, login_url.clone());
    }
    headers.insert(X_LOGIN_URL, login_url);
    response
}

/// Inertia's answer for a full-page visit: `409 Conflict` with
/// `X-Inertia-Location: login_url`, which Inertia follows with
/// `window.location`; no body, uncacheable.
///
/// ```
/// let response = require_login::response::inertia_denied("/login").unwrap();
/// assert_eq!(response.status(), 409);
/// assert_eq!(response.headers()["x-inertia-location"], "/login");
/// ```
///
/// # Errors
/// When `login_url` is not a valid header value.
pub fn inertia_denied(login_url: &str) -> Result<Response, http::header::InvalidHeaderValue> {
    Ok(inertia_denied_to(HeaderValue::from_str(login_url)?))
}

/// [`inertia_denied`] for a login URL already made a header value.
pub(crate) fn inertia_denied_to(login_url: HeaderValue) -> Response {
    empty_denial(StatusCode::CONFLICT, X_INERTIA_LOCATION, login_url)
}

/// A plain `500 Internal Server Error`; the guard logs the cause before answering with it.
///
/// ```
/// assert_eq!(require_login::response::internal_error().status(), 500);
/// ```
pub fn internal_error() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(CACHE_CONTROL, NO_STORE)],
        "Internal Server Error",
    )
        .into_response()
}
