//! CSRF protection checked *after* the login check: the wiring the README's
//! "Middleware ordering" section shows, used by the demo and by the tests
//! (`tests/csrf.rs`), so it exists once.
//!
//! Tokens come from [`axum_tower_sessions_csrf`] (the synchronizer token
//! pattern, the token kept in the tower-sessions session). When a session
//! ends its token goes with it, so a page left open posts a stale token:
//! with the login check first the user is sent to log in (or the page's
//! script gets the sentinel); with CSRF first the user would get a CSRF error.
//!
//! - A `#[require_login]` handler takes [`CsrfChecked`] (token in the
//!   `X-CSRF-Token` header) or [`CsrfForm`] (header or the form's
//!   `csrf_token` field) among its arguments: the attribute inserts the guard
//!   as the first extractor, so the check runs only for logged-in users.
//! - A route group guarded by `RequireLoginLayer` adds, inside the guard,
//!   `from_fn(CsrfMiddleware::middleware)` and, for HTML forms,
//!   [`form_token_to_header`].
//! - Pages put the token in their forms with [`field`] and in their `<head>`
//!   for scripts with [`meta`].
//!
//! ```
//! use axum::{routing::post, Router};
//! use require_login::require_login;
//! use require_login_demo::csrf::{CsrfChecked, CsrfForm};
//!
//! #[derive(serde::Deserialize)]
//! struct Note { text: String }
//!
//! #[require_login]
//! async fn save(CsrfForm(note): CsrfForm<Note>) -> String { note.text }
//!
//! #[require_login]
//! async fn ping(_: CsrfChecked) -> &'static str { "pong" }
//!
//! let _routes: Router = Router::new().route("/save", post(save)).route("/ping", post(ping));
//! ```

use axum::body::{to_bytes, Body};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{from_fn, Next};
use axum::response::{IntoResponse, Response};
use axum_tower_sessions_csrf::{
    generate_token, get_or_create_token, CsrfMiddleware, TOKEN_HEADER, TOKEN_KEY,
};
use serde::de::DeserializeOwned;
use tower::{service_fn, Layer, ServiceExt};
use tower_sessions::Session;

/// The form field HTML forms carry the token in.
pub const TOKEN_FIELD: &str = "csrf_token";
/// The largest form body read to find the token.
const FORM_LIMIT: usize = 64 * 1024;

/// The session's token, created on first use (empty if the session store
/// fails, which makes the page's POSTs fail the check).
pub async fn token(session: &Session) -> String {
    get_or_create_token(session).await.unwrap_or_else(|error| {
        tracing::error!(%error, "demo: no CSRF token");
        String::new()
    })
}

/// Gives the session a fresh token, replacing any: call it when logging in,
/// in the request that logs in.
///
/// A fresh token at login means a token handed out before it (say, to
/// whoever planted the session cookie) is no good after it. And a token
/// already in the session when its first page is served means no page has
/// to write the session to create one: the demo saves the session on every
/// request, so a page's write could be lost to a concurrent request (an
/// asset, the favicon) that loaded the session before it and saved after.
pub async fn renew(session: &Session) -> Result<String, tower_sessions::session::Error> {
    let token = generate_token();
    session.insert(TOKEN_KEY, &token).await?;
    Ok(token)
}

/// `<meta name="csrf-token" content="…">`, for a page's scripts to send
/// back in the `X-CSRF-Token` header.
pub async fn meta(session: &Session) -> String {
    format!(
        "<meta name=\"csrf-token\" content=\"{}\">",
        token(session).await
    )
}

/// A hidden `csrf_token` input, for a form.
pub async fn field(session: &Session) -> String {
    format!(
        "<input type=\"hidden\" name=\"{TOKEN_FIELD}\" value=\"{}\">",
        token(session).await
    )
}

/// axum-tower-sessions-csrf reads the token from the `x-csrf-token`
/// header, which a plain HTML form cannot send: this middleware copies the
/// form's `csrf_token` field into that header. Put it between the guard and
/// the CSRF check, so no body is read for logged-out users.
pub async fn form_token_to_header(request: Request, next: Next) -> Response {
    if request.headers().contains_key(TOKEN_HEADER) || !is_form(request.headers()) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    if let Some(token) = token_field(&bytes) {
        parts.headers.insert(TOKEN_HEADER, token);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn token_field(form: &[u8]) -> Option<HeaderValue> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(form).ok()?;
    let (_, token) = fields.into_iter().find(|(name, _)| name == TOKEN_FIELD)?;
    HeaderValue::try_from(token).ok()
}

/// Marks the response of the stand-in handler the check passed to.
#[derive(Clone, Copy)]
struct Passed;

/// Runs axum-tower-sessions-csrf's own middleware on a copy of the request
/// head (session included), in front of a stand-in handler: `Ok` when the
/// check let it through, else the crate's own answer. `token`, when given,
/// is used if the request has no `x-csrf-token` header.
pub async fn check(parts: &Parts, token: Option<HeaderValue>) -> Result<(), Response> {
    let mut head = Request::new(Body::empty());
    *head.method_mut() = parts.method.clone();
    *head.uri_mut() = parts.uri.clone();
    *head.headers_mut() = parts.headers.clone();
    *head.extensions_mut() = parts.extensions.clone();
    if let Some(token) = token {
        head.headers_mut().entry(TOKEN_HEADER).or_insert(token);
    }
    let stand_in = service_fn(|_: Request| async {
        let mut response = Response::new(Body::empty());
        response.extensions_mut().insert(Passed);
        Ok::<_, std::convert::Infallible>(response)
    });
    let answer = match from_fn(CsrfMiddleware::middleware)
        .layer(stand_in)
        .oneshot(head)
        .await
    {
        Ok(answer) => answer,
        Err(never) => match never {},
    };
    if answer.extensions().get::<Passed>().is_some() {
        Ok(())
    } else {
        Err(answer)
    }
}

/// The CSRF check as an extractor, for handlers guarded by
/// `#[require_login]`: put it after the guard (anywhere among the
/// arguments: the attribute inserts the guard first), and it runs only for
/// logged-in users. The token comes in the `x-csrf-token` header.
pub struct CsrfChecked;

impl<S: Send + Sync> FromRequestParts<S> for CsrfChecked {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        check(parts, None).await.map(|()| CsrfChecked)
    }
}

/// `Form<T>` that passes the CSRF check first, with the token from the
/// `x-csrf-token` header or the form's `csrf_token` field (which `T`, like
/// any unknown field, ignores). Being a body extractor it is the last
/// argument, so it runs after the guard.
pub struct CsrfForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, _: &S) -> Result<Self, Response> {
        let (parts, body) = request.into_parts();
        let bytes = to_bytes(body, FORM_LIMIT)
            .await
            .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
        let field = if is_form(&parts.headers) {
            token_field(&bytes)
        } else {
            None
        };
        check(&parts, field).await?;
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response())
    }
}
