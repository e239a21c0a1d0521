//! CSRF protection that runs *after* the login check, through the real
//! axum `Router`, for both ways of guarding: a route group's
//! `RequireLoginLayer` and a handler's `#[require_login]`.
//!
//! CSRF tokens come from `axum-tower-sessions-csrf` (the synchronizer token
//! pattern, the token kept in the tower-sessions session). When a session
//! expires its token goes with it, so a page left open posts a stale token:
//! with the login check first the user is sent to log in (or the page's
//! script gets the sentinel); with CSRF first the user gets a CSRF error.
//!
//! The `recipe` module is the wiring the README's "Middleware ordering"
//! section shows.

use axum::body::Body;
use axum::extract::Form;
use axum::middleware::from_fn;
use axum::routing::get;
use axum::Router;
use axum_tower_sessions_csrf::{get_or_create_token, CsrfMiddleware};
use http::StatusCode;
use require_login::{require_login, RequireLoginLayer, LOGIN_REQUIRED};
use require_login_tests::*;
use serde::Deserialize;
use tower_sessions::session::Id;
use tower_sessions::{MemoryStore, Session, SessionStore};

/// The CSRF wiring, as an app would write it.
pub mod recipe {
    use axum::body::{to_bytes, Body};
    use axum::extract::{FromRequest, FromRequestParts, Request};
    use axum::middleware::{from_fn, Next};
    use axum::response::{IntoResponse, Response};
    use axum_tower_sessions_csrf::{CsrfMiddleware, TOKEN_HEADER};
    use http::request::Parts;
    use http::{header, HeaderValue, StatusCode};
    use serde::de::DeserializeOwned;
    use tower::{service_fn, Layer, ServiceExt};

    /// The form field HTML forms carry the token in.
    pub const TOKEN_FIELD: &str = "csrf_token";
    /// The largest form body read to find the token.
    const FORM_LIMIT: usize = 64 * 1024;

    /// axum-tower-sessions-csrf reads the token from the `x-csrf-token`
    /// header, which a plain HTML form cannot send: this middleware copies
    /// the form's `csrf_token` field into that header. Put it between the
    /// guard and the CSRF check, so no body is read for logged-out users.
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

    fn is_form(headers: &http::HeaderMap) -> bool {
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

    /// Runs axum-tower-sessions-csrf's own middleware on a copy of the
    /// request head (session included), in front of a stand-in handler:
    /// `Ok` when the check let it through, else the crate's own answer.
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
    /// arguments: the attribute inserts the guard first), and it runs only
    /// for logged-in users. The token comes in the `x-csrf-token` header.
    pub struct CsrfChecked;

    impl<S: Send + Sync> FromRequestParts<S> for CsrfChecked {
        type Rejection = Response;

        async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
            check(parts, None).await.map(|()| CsrfChecked)
        }
    }

    /// `Form<T>` that passes the CSRF check first, with the token from the
    /// `x-csrf-token` header or the form's `csrf_token` field. Being a body
    /// extractor it is the last argument, so it runs after the guard.
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
}

use recipe::{form_token_to_header, CsrfChecked, CsrfForm, TOKEN_FIELD};

const CSRF_ERROR: &str = "Invalid or missing CSRF token. Please refresh and try again.";

#[derive(Deserialize)]
struct Note {
    text: String,
}

/// The form page: hands out the session's CSRF token (guarded in each app).
async fn form_page(session: Session) -> String {
    get_or_create_token(&session).await.unwrap()
}

async fn save_note(Form(note): Form<Note>) -> String {
    format!("saved {}", note.text)
}

#[require_login]
async fn form_page_guarded(session: Session) -> String {
    get_or_create_token(&session).await.unwrap()
}

#[require_login]
async fn save_note_guarded(CsrfForm(note): CsrfForm<Note>) -> String {
    format!("saved {}", note.text)
}

#[require_login]
async fn save_note_guarded_header(_: CsrfChecked, Form(note): Form<Note>) -> String {
    format!("saved {}", note.text)
}

/// The handler of the wrong ordering: its guard comes after a CSRF layer.
#[require_login]
async fn save_note_guarded_plain(Form(note): Form<Note>) -> String {
    format!("saved {}", note.text)
}

/// (a) Route group, recommended: session layer outside, then the login
/// guard, then CSRF (the form adapter feeding it), then the handler.
fn group_app(store: MemoryStore) -> Router {
    let routes = Router::new()
        .route("/notes", get(form_page).post(save_note))
        .route_layer(from_fn(CsrfMiddleware::middleware))
        .route_layer(from_fn(form_token_to_header))
        .route_layer(RequireLoginLayer::default());
    with_sessions(routes, store)
}

/// (b) Handler attribute, recommended: the guard the attribute inserts, then
/// the CSRF check as an extractor (`CsrfForm` here; `CsrfChecked` in
/// `header_app`).
fn attribute_app(store: MemoryStore) -> Router {
    let routes = Router::new().route("/notes", get(form_page_guarded).post(save_note_guarded));
    with_sessions(routes, store)
}

/// (b) with the header-only extractor after the guard.
fn header_app(store: MemoryStore) -> Router {
    let routes = Router::new().route(
        "/notes",
        get(form_page_guarded).post(save_note_guarded_header),
    );
    with_sessions(routes, store)
}

/// Wrong: a route group whose CSRF layer is outside the guard.
fn group_app_wrong_order(store: MemoryStore) -> Router {
    let routes = Router::new()
        .route("/notes", get(form_page).post(save_note))
        .route_layer(RequireLoginLayer::default())
        .route_layer(from_fn(CsrfMiddleware::middleware))
        .route_layer(from_fn(form_token_to_header));
    with_sessions(routes, store)
}

/// Wrong: `#[require_login]` handlers under a router-wide CSRF layer, which
/// runs before any handler's guard.
fn attribute_app_wrong_order(store: MemoryStore) -> Router {
    let routes = Router::new()
        .route(
            "/notes",
            get(form_page_guarded).post(save_note_guarded_plain),
        )
        .layer(from_fn(CsrfMiddleware::middleware))
        .layer(from_fn(form_token_to_header));
    with_sessions(routes, store)
}

type Build = fn(MemoryStore) -> Router;

const RECOMMENDED: [(&str, Build); 3] = [
    ("route group: session, guard layer, CSRF layer", group_app),
    ("attribute: guard, then CsrfForm extractor", attribute_app),
    ("attribute: guard, then CsrfChecked extractor", header_app),
];

/// A logged-in session whose page holds a CSRF token: the app, its store,
/// the cookie and the token.
async fn logged_in_with_token(build: Build) -> (Router, MemoryStore, String, String) {
    let store = MemoryStore::default();
    let app = build(store.clone());
    let cookie = log_in(&app, "").await;
    let page = send(&app, get_with("/notes", &[("cookie", &cookie)])).await;
    assert_eq!(page.status, StatusCode::OK, "{page:?}");
    assert_eq!(page.body.len(), 64, "a token: {page:?}");
    (app, store, cookie, page.body)
}

/// The store forgets the session, as it does when the session expires.
async fn expire(store: &MemoryStore, cookie: &str) {
    let id: Id = cookie.trim_start_matches("id=").parse().unwrap();
    store.delete(&id).await.unwrap();
}

fn form_post(cookie: &str, body: &str, extra: &[(&str, &str)]) -> http::Request<Body> {
    let mut headers = vec![
        ("cookie", cookie),
        ("content-type", "application/x-www-form-urlencoded"),
        ("sec-fetch-mode", "navigate"),
        ("referer", "http://app.test/notes?draft=1"),
        ("host", "app.test"),
    ];
    headers.extend_from_slice(extra);
    request("POST", "/notes", &headers, Body::from(body.to_owned()))
}

fn ajax_post(cookie: &str, token: Option<&str>) -> http::Request<Body> {
    let mut headers = vec![
        ("cookie", cookie),
        ("content-type", "application/x-www-form-urlencoded"),
        ("sec-fetch-mode", "cors"),
        ("referer", "http://app.test/notes?draft=1"),
        ("host", "app.test"),
    ];
    if let Some(token) = token {
        headers.push(("x-csrf-token", token));
    }
    request("POST", "/notes", &headers, Body::from("text=hi"))
}

/// A login URL's path and its decoded `next`.
fn login_and_next(url: &str) -> (&str, String) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
    let next = fields
        .into_iter()
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v);
    (path, next.unwrap_or_default())
}

fn form_body(token: &str) -> String {
    format!("{TOKEN_FIELD}={token}&text=hi")
}

#[tokio::test]
async fn expired_session_form_post_with_stale_token_is_sent_to_log_in() {
    for (name, build) in RECOMMENDED {
        let (app, store, cookie, stale) = logged_in_with_token(build).await;
        expire(&store, &cookie).await;
        // The token in the form field, and (as a script would send it) in the header.
        for request in [
            form_post(&cookie, &form_body(&stale), &[]),
            form_post(&cookie, "text=hi", &[("x-csrf-token", &stale)]),
        ] {
            let answer = send(&app, request).await;
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{name}: {answer:?}");
            assert_eq!(
                login_and_next(answer.header("location")),
                ("/login", "/notes?draft=1".to_owned()),
                "{name}: back to the form's page after logging in"
            );
            assert!(!answer.body.contains("CSRF"), "{name}: {answer:?}");
        }
    }
}

#[tokio::test]
async fn expired_session_ajax_post_with_stale_token_gets_the_sentinel() {
    for (name, build) in RECOMMENDED {
        let (app, store, cookie, stale) = logged_in_with_token(build).await;
        expire(&store, &cookie).await;
        let answer = send(&app, ajax_post(&cookie, Some(&stale))).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{name}: {answer:?}");
        assert_eq!(answer.body, LOGIN_REQUIRED, "{name}");
        assert_eq!(
            login_and_next(answer.header("x-login-url")),
            ("/login", "/notes?draft=1".to_owned()),
            "{name}: the page to come back to"
        );
    }
}

#[tokio::test]
async fn logged_in_post_with_a_bad_or_missing_token_gets_the_csrf_error() {
    for (name, build) in RECOMMENDED {
        let (app, _, cookie, token) = logged_in_with_token(build).await;
        // The same length, one character off (never equal to the real token).
        let last = if token.ends_with('0') { '1' } else { '0' };
        let wrong = format!("{}{last}", &token[..63]);
        let cases = [
            (
                "form, wrong token",
                form_post(&cookie, &form_body(&wrong), &[]),
            ),
            ("form, no token", form_post(&cookie, "text=hi", &[])),
            ("ajax, wrong token", ajax_post(&cookie, Some(&wrong))),
            ("ajax, no token", ajax_post(&cookie, None)),
        ];
        for (case, request) in cases {
            let answer = send(&app, request).await;
            assert_eq!(
                answer.status,
                StatusCode::FORBIDDEN,
                "{name}, {case}: {answer:?}"
            );
            assert_eq!(answer.body, CSRF_ERROR, "{name}, {case}");
        }
    }
}

#[tokio::test]
async fn logged_in_post_with_the_good_token_runs_the_handler() {
    for (name, build) in RECOMMENDED {
        let (app, _, cookie, token) = logged_in_with_token(build).await;
        let mut requests = vec![
            ("ajax", ajax_post(&cookie, Some(&token))),
            (
                "form, header",
                form_post(&cookie, "text=hi", &[("x-csrf-token", &token)]),
            ),
        ];
        if !name.contains("CsrfChecked") {
            requests.push(("form, field", form_post(&cookie, &form_body(&token), &[])));
        }
        for (case, request) in requests {
            let answer = send(&app, request).await;
            assert_eq!(answer.status, StatusCode::OK, "{name}, {case}: {answer:?}");
            assert_eq!(answer.body, "saved hi", "{name}, {case}");
        }
    }
}

#[tokio::test]
async fn with_csrf_before_the_guard_an_expired_session_gets_the_csrf_error() {
    // What the README warns about: the user who comes back to a page after
    // the session expired is told the form is invalid, not to log in, and
    // the page's script sees a 403 that is not the sentinel.
    let wrong: [(&str, Build); 2] = [
        (
            "route group, CSRF layer outside the guard",
            group_app_wrong_order,
        ),
        (
            "attribute under a router-wide CSRF layer",
            attribute_app_wrong_order,
        ),
    ];
    for (name, build) in wrong {
        let (app, store, cookie, stale) = logged_in_with_token(build).await;
        expire(&store, &cookie).await;
        let form = send(&app, form_post(&cookie, &form_body(&stale), &[])).await;
        assert_eq!(form.status, StatusCode::FORBIDDEN, "{name}: {form:?}");
        assert_eq!(form.body, CSRF_ERROR, "{name}");
        assert!(form.headers.get("location").is_none(), "{name}");
        let ajax = send(&app, ajax_post(&cookie, Some(&stale))).await;
        assert_eq!(ajax.status, StatusCode::FORBIDDEN, "{name}: {ajax:?}");
        assert_eq!(ajax.body, CSRF_ERROR, "{name}: not the sentinel");
        assert!(ajax.headers.get("x-login-url").is_none(), "{name}");
    }
}

#[tokio::test]
async fn layer_and_attribute_recipes_answer_every_case_identically() {
    let group = logged_in_with_token(group_app).await;
    let attribute = logged_in_with_token(attribute_app).await;
    type Case = fn(&str, &str) -> http::Request<Body>;
    let cases: [(&str, Case); 6] = [
        ("form, good token", |c, t| form_post(c, &form_body(t), &[])),
        ("form, bad token", |c, _| {
            form_post(c, &form_body("nope"), &[])
        }),
        ("form, no token", |c, _| form_post(c, "text=hi", &[])),
        ("ajax, good token", |c, t| ajax_post(c, Some(t))),
        ("ajax, bad token", |c, _| ajax_post(c, Some("nope"))),
        ("ajax, no token", |c, _| ajax_post(c, None)),
    ];
    for expired in [false, true] {
        if expired {
            expire(&group.1, &group.2).await;
            expire(&attribute.1, &attribute.2).await;
        }
        for (case, make) in cases {
            let a = send(&group.0, make(&group.2, &group.3)).await;
            let b = send(&attribute.0, make(&attribute.2, &attribute.3)).await;
            assert_eq!(a.status, b.status, "expired={expired}, {case}");
            assert_eq!(a.headers, b.headers, "expired={expired}, {case}");
            assert_eq!(a.body, b.body, "expired={expired}, {case}");
        }
    }
}

#[tokio::test]
async fn logged_out_users_never_reach_the_csrf_check_or_the_body_reader() {
    // No session at all: the guard answers before CSRF would create a token
    // (which would start a session and set a cookie).
    for (name, build) in RECOMMENDED {
        let app = build(MemoryStore::default());
        let answer = send(&app, form_post("", &form_body("x"), &[])).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{name}: {answer:?}");
        assert!(
            answer.headers.get("set-cookie").is_none(),
            "{name}: no session started for a logged-out user: {answer:?}"
        );
    }
}
