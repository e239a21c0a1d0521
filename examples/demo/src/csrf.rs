//! CSRF protection checked *after* the login check, as a recipe to copy.
//!
//! This module is not a library you can depend on (the demo crate is not
//! published). Copy this file into your app, say as `src/csrf.rs`, with
//! these dependencies beside axum 0.8, tower-sessions 0.15, serde and
//! tracing:
//!
//! ```toml
//! axum-tower-sessions-csrf = "0.1.4"
//! http-body-util = "0.1"
//! serde_urlencoded = "0.7"
//! tower = { version = "0.5", features = ["util"] }
//! ```
//!
//! The demo runs it, and `tests/tests/csrf.rs` tests it, so the copy you take
//! works as the manual's "Middleware ordering" (module `guard`) says.
//!
//! # Why after the login check
//!
//! Tokens come from [`axum_tower_sessions_csrf`]: the synchronizer token
//! pattern, one token kept in the tower-sessions session and compared in
//! constant time. When a session ends its token goes with it, so a page
//! left open posts a stale token. With the login checked first, that user
//! is sent to log in (or the page's script gets the sentinel); with CSRF
//! checked first, they would get "invalid CSRF token" and a dead page.
//!
//! # What is here
//!
//! - Pages: [`field`] (a hidden input for forms) and [`meta`] (a `<meta>`
//!   tag for scripts); [`renew`] at login.
//! - A route group guarded by `RequireLoginLayer`: add, *inside* the guard
//!   (that is, `.route_layer`ed before it), `from_fn(CsrfMiddleware::middleware)`
//!   and then [`form_token_to_header`] for HTML forms.
//! - A `#[require_login]` handler: take [`CsrfChecked`] (token in the
//!   `X-CSRF-Token` header) or [`CsrfForm<T>`] (the header or the form's
//!   `csrf_token` field) among its arguments. The attribute inserts the
//!   guard as the first extractor, so the check runs only for logged-in
//!   users. Never put a CSRF *layer* over guarded handlers: it would run
//!   before their guards.
//!
//! ```
//! use axum::{routing::post, Router};
//! use require_login::require_login;
//! use require_login_demo::csrf::{CsrfChecked, CsrfForm}; // your copy: crate::csrf
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

use axum::body::{to_bytes, Body, Bytes};
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

/// The largest form body read to find the token: a bigger one gets `413`.
/// (Only logged-in users' bodies are ever read: the guard runs first.)
pub const FORM_LIMIT: usize = 64 * 1024;

// ---- pages ----

/// The session's token, created on first use (empty if the session store
/// fails, which makes the page's POSTs fail the check: safe).
pub async fn token(session: &Session) -> String {
    get_or_create_token(session).await.unwrap_or_else(|error| {
        tracing::error!(%error, "csrf: no token for the page");
        String::new()
    })
}

/// Gives the session a fresh token, replacing any. Call it in the request
/// that logs in, after `require_login::login`.
///
/// A token handed out before the login (say, to whoever planted the session
/// cookie) is then no good after it. And with the token in the session
/// from the start, no page has to write the session to create one: with
/// `SessionManagerLayer::with_always_save(true)`, a page's write could
/// otherwise be lost to a concurrent request (an asset, the favicon) that
/// loaded the session before it and saved after.
pub async fn renew(session: &Session) -> Result<String, tower_sessions::session::Error> {
    let token = generate_token();
    session.insert(TOKEN_KEY, &token).await?;
    Ok(token)
}

/// `<meta name="csrf-token" content="…">` for the page's `<head>`: scripts
/// read it and send it back in the `X-CSRF-Token` header. (The token is
/// hex, so it needs no HTML escaping.)
pub async fn meta(session: &Session) -> String {
    format!(
        "<meta name=\"csrf-token\" content=\"{}\">",
        token(session).await
    )
}

/// `<input type="hidden" name="csrf_token" value="…">`, for a form.
pub async fn field(session: &Session) -> String {
    format!(
        "<input type=\"hidden\" name=\"{TOKEN_FIELD}\" value=\"{}\">",
        token(session).await
    )
}

// ---- a route group: middleware inside the guard ----

/// axum-tower-sessions-csrf reads the token only from the `X-CSRF-Token`
/// header, which a plain HTML form cannot send: this middleware copies an
/// urlencoded form's `csrf_token` field into that header, then passes the
/// request, body intact, on. It reads the body, so route-layer it between
/// the guard and the CSRF check (after `CsrfMiddleware`, before
/// `RequireLoginLayer`, in `.route_layer` order): then no body is read for
/// logged-out users. (Multipart forms: send the header from a script, or
/// extend this.)
pub async fn form_token_to_header(request: Request, next: Next) -> Response {
    if request.headers().contains_key(TOKEN_HEADER) || !is_form(request.headers()) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let bytes = match read_form(body).await {
        Ok(bytes) => bytes,
        Err(answer) => return answer,
    };
    if let Some(token) = token_field(&bytes) {
        parts.headers.insert(TOKEN_HEADER, token);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The form's body, at most [`FORM_LIMIT`] bytes: `413` when it is longer,
/// `400` when it cannot be read (say, the client went away halfway).
async fn read_form(body: Body) -> Result<Bytes, Response> {
    to_bytes(body, FORM_LIMIT).await.map_err(|error| {
        let too_long = std::error::Error::source(&error)
            .is_some_and(|cause| cause.is::<http_body_util::LengthLimitError>());
        if too_long {
            StatusCode::PAYLOAD_TOO_LARGE.into_response()
        } else {
            (StatusCode::BAD_REQUEST, "could not read the form").into_response()
        }
    })
}

/// Whether the body is an urlencoded HTML form.
fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// The form's `csrf_token` field, as a header value.
fn token_field(form: &[u8]) -> Option<HeaderValue> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(form).ok()?;
    let (_, token) = fields.into_iter().find(|(name, _)| name == TOKEN_FIELD)?;
    HeaderValue::try_from(token).ok()
}

// ---- a `#[require_login]` handler: extractors after the guard ----

/// The CSRF check as an extractor, token in the `X-CSRF-Token` header (what
/// scripts send). Put it among a `#[require_login]` handler's arguments: the
/// attribute inserts the guard before it, so it runs only for logged-in
/// users. Rejects with the crate's own `403`.
pub struct CsrfChecked;

impl<S: Send + Sync> FromRequestParts<S> for CsrfChecked {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        check(parts, None).await.map(|()| CsrfChecked)
    }
}

/// `Form<T>` that passes the CSRF check first, with the token from the
/// `X-CSRF-Token` header or the form's `csrf_token` field (which `T`, like
/// any unknown field, ignores). A body extractor is the last argument, so
/// it runs after the guard: no body is read for logged-out users.
pub struct CsrfForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, _: &S) -> Result<Self, Response> {
        let (parts, body) = request.into_parts();
        // As axum's `Form`: an urlencoded body or nothing.
        if !is_form(&parts.headers) {
            return Err((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected an application/x-www-form-urlencoded form",
            )
                .into_response());
        }
        let bytes = read_form(body).await?;
        check(&parts, token_field(&bytes)).await?;
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response())
    }
}

/// Marks the response of the stand-in handler the check passed to.
#[derive(Clone, Copy)]
struct Passed;

/// The check itself, for the extractors: runs axum-tower-sessions-csrf's
/// own middleware (so its rules and its `403` are used, not a copy) on a
/// copy of the request head, session included, in front of a stand-in
/// handler. `Ok` when the check let it through, else the crate's answer.
/// `token`, when given, is used if the request has no `X-CSRF-Token` header.
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
