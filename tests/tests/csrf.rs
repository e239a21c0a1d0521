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
//! The wiring the manual's "Middleware ordering" shows is the demo's
//! `require_login_demo::csrf` module (`examples/demo/src/csrf.rs`), the recipe
//! the manual tells users to copy: the `CsrfChecked` and `CsrfForm<T>`
//! extractors and the `form_token_to_header` middleware tested here are the
//! ones the demo runs.

// axum-tower-sessions-csrf is built on tower-sessions 0.15 only: these run in
// the default line's run of the suite.
#![cfg(not(feature = "tower-sessions-014"))]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Form;
use axum::middleware::from_fn;
use axum::routing::get;
use axum::Router;
use axum_tower_sessions_csrf::{get_or_create_token, CsrfMiddleware};
use http::StatusCode;
use require_login::{require_login, RequireLoginLayer, LOGIN_REQUIRED};
use require_login_demo::csrf::{
    form_token_to_header, CsrfChecked, CsrfForm, FORM_LIMIT, TOKEN_FIELD,
};
use require_login_tests::denial::*;
use require_login_tests::*;
use serde::Deserialize;
use tower_sessions::session::Id;
use tower_sessions::{MemoryStore, Session, SessionStore};

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
async fn expired_form_post_is_sent_to_log_in() {
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
async fn expired_ajax_post_gets_the_sentinel() {
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
async fn bad_token_gets_the_csrf_error() {
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
async fn csrf_before_the_guard_answers_first() {
    // What the manual warns about: the user who comes back to a page after
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

/// What a request gets, exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    /// The handler ran: 200, "saved hi".
    Saved,
    /// axum-tower-sessions-csrf's 403.
    CsrfError,
    /// 303 to this login URL.
    LogIn(&'static str),
    /// 403, the sentinel, this `X-Login-Url`; `HX-Redirect` too when htmx.
    Sentinel(&'static str),
}

fn assert_outcome(answer: &Answer, expected: Outcome, htmx: bool, case: &str) {
    match expected {
        Outcome::Saved => {
            assert_eq!(answer.status, StatusCode::OK, "{case}: {answer:?}");
            assert_eq!(answer.body, "saved hi", "{case}");
        }
        Outcome::CsrfError => {
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{case}: {answer:?}");
            assert_eq!(answer.body, CSRF_ERROR, "{case}");
            assert!(answer.headers.get("x-login-url").is_none(), "{case}");
        }
        Outcome::LogIn(location) => assert_redirect(answer, location, case),
        Outcome::Sentinel(login_url) => {
            let ajax = Ajax {
                htmx,
                ..Ajax::default()
            };
            assert_ajax(answer, ajax, login_url, case);
        }
    }
}

/// An htmx POST from the form's page (`hx-post`), its fields in the body
/// (the demo's htmx form carries the token in its hidden field) and, with
/// `hx-headers`, the token in the header.
fn htmx_post(cookie: &str, body: &str, token_header: Option<&str>) -> http::Request<Body> {
    let mut headers = vec![
        ("cookie", cookie),
        ("content-type", "application/x-www-form-urlencoded"),
        ("sec-fetch-mode", "cors"),
        ("hx-request", "true"),
        ("hx-current-url", "http://app.test/notes?draft=1"),
        ("host", "app.test"),
    ];
    if let Some(token) = token_header {
        headers.push(("x-csrf-token", token));
    }
    request("POST", "/notes", &headers, Body::from(body.to_owned()))
}

#[tokio::test]
async fn layer_and_attribute_recipes_agree() {
    use Outcome::{CsrfError, LogIn, Saved, Sentinel};
    // Every expired request comes from the form's page, /notes?draft=1.
    const BACK_TO_FORM: &str = "/login?next=/notes%3Fdraft%3D1";
    type Case = fn(&str, &str) -> http::Request<Body>;
    // (case, request from cookie and token, logged in: group layer and
    // CsrfForm, logged in: CsrfChecked (header only), session expired: all).
    let rows: [(&str, Case, Outcome, Outcome, Outcome); 10] = [
        (
            "form, token in the field",
            |c, t| form_post(c, &form_body(t), &[]),
            Saved,
            CsrfError,
            LogIn(BACK_TO_FORM),
        ),
        (
            "form, token in the header",
            |c, t| form_post(c, "text=hi", &[("x-csrf-token", t)]),
            Saved,
            Saved,
            LogIn(BACK_TO_FORM),
        ),
        (
            "form, bad token",
            |c, _| form_post(c, &form_body("nope"), &[]),
            CsrfError,
            CsrfError,
            LogIn(BACK_TO_FORM),
        ),
        (
            "form, no token",
            |c, _| form_post(c, "text=hi", &[]),
            CsrfError,
            CsrfError,
            LogIn(BACK_TO_FORM),
        ),
        (
            "ajax, good token",
            |c, t| ajax_post(c, Some(t)),
            Saved,
            Saved,
            Sentinel(BACK_TO_FORM),
        ),
        (
            "ajax, bad token",
            |c, _| ajax_post(c, Some("nope")),
            CsrfError,
            CsrfError,
            Sentinel(BACK_TO_FORM),
        ),
        (
            "ajax, no token",
            |c, _| ajax_post(c, None),
            CsrfError,
            CsrfError,
            Sentinel(BACK_TO_FORM),
        ),
        (
            "htmx, token in the field",
            |c, t| htmx_post(c, &form_body(t), None),
            Saved,
            CsrfError,
            Sentinel(BACK_TO_FORM),
        ),
        (
            "htmx, token in the header",
            |c, t| htmx_post(c, "text=hi", Some(t)),
            Saved,
            Saved,
            Sentinel(BACK_TO_FORM),
        ),
        (
            "htmx, no token",
            |c, _| htmx_post(c, "text=hi", None),
            CsrfError,
            CsrfError,
            Sentinel(BACK_TO_FORM),
        ),
    ];
    let group = logged_in_with_token(group_app).await;
    let form = logged_in_with_token(attribute_app).await;
    let checked = logged_in_with_token(header_app).await;
    for expired in [false, true] {
        if expired {
            for (_, store, cookie, _) in [&group, &form, &checked] {
                expire(store, cookie).await;
            }
        }
        for (case, make, logged_in, logged_in_checked, when_expired) in rows {
            let (expected, expected_checked) = if expired {
                (when_expired, when_expired)
            } else {
                (logged_in, logged_in_checked)
            };
            let htmx = case.starts_with("htmx");
            let case = format!("expired={expired}, {case}");
            let a = send(&group.0, make(&group.2, &group.3)).await;
            let b = send(&form.0, make(&form.2, &form.3)).await;
            let c = send(&checked.0, make(&checked.2, &checked.3)).await;
            assert_outcome(&a, expected, htmx, &format!("route group, {case}"));
            assert_outcome(&b, expected, htmx, &format!("CsrfForm, {case}"));
            assert_outcome(&c, expected_checked, htmx, &format!("CsrfChecked, {case}"));
            assert_eq!(a.status, b.status, "{case}");
            assert_eq!(a.headers, b.headers, "{case}");
            assert_eq!(a.body, b.body, "{case}");
            if expected_checked == expected {
                assert_eq!(a.status, c.status, "{case}");
                assert_eq!(a.headers, c.headers, "{case}");
                assert_eq!(a.body, c.body, "{case}");
            }
        }
    }
}

/// A request body that records whether anything polled it: a body reader
/// (`form_token_to_header`, `CsrfForm`, `Form`) polls it; the guard never
/// should for a logged-out user.
#[derive(Clone, Default)]
struct BodyProbe(Arc<AtomicBool>);

impl BodyProbe {
    fn body(&self, content: String) -> Body {
        let read = self.0.clone();
        Body::from_stream(futures_util::stream::once(async move {
            read.store(true, Ordering::SeqCst);
            Ok::<_, std::convert::Infallible>(content)
        }))
    }

    fn was_read(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Whether the response sets a session cookie (an expired session's is
/// only removed: `id=; Max-Age=0`).
fn starts_a_session(answer: &Answer) -> bool {
    answer
        .headers
        .get("set-cookie")
        .is_some_and(|cookie| !cookie.as_bytes().starts_with(b"id=;"))
}

/// A form body bigger than the adapters read (`FORM_LIMIT`): a body reader
/// that ran would answer 413.
fn oversized_form(token: &str) -> String {
    format!("{}&text={}", form_body(token), "x".repeat(FORM_LIMIT))
}

#[tokio::test]
async fn logged_out_never_reach_csrf_or_the_body() {
    for (name, build) in RECOMMENDED {
        // A logged-out user with no session, and one whose session expired.
        let (app, store, expired, stale) = logged_in_with_token(build).await;
        expire(&store, &expired).await;
        for (who, cookie) in [("no cookie", ""), ("expired session", expired.as_str())] {
            let case = format!("{name}, {who}");
            let probe = BodyProbe::default();
            let answer = send(
                &app,
                form_post(cookie, "", &[]).map(|_| probe.body(form_body(&stale))),
            )
            .await;
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{case}: {answer:?}");
            assert!(!probe.was_read(), "{case}: the form body was read");
            // The CSRF check would create a token, and so a session and its cookie.
            assert!(
                !starts_a_session(&answer),
                "{case}: the CSRF check ran: {answer:?}"
            );

            let probe = BodyProbe::default();
            let answer = send(
                &app,
                ajax_post(cookie, None).map(|_| probe.body("text=hi".into())),
            )
            .await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{case}: {answer:?}");
            assert_eq!(answer.body, LOGIN_REQUIRED, "{case}");
            assert!(!probe.was_read(), "{case}: the AJAX body was read");

            // What a user would see: the login page, not "413 Payload Too Large".
            let answer = send(&app, form_post(cookie, &oversized_form(&stale), &[])).await;
            assert_eq!(
                answer.status,
                StatusCode::SEE_OTHER,
                "{case}, oversized: {answer:?}"
            );
        }

        // The probes work: logged in, the body is read (by the form
        // adapter, `CsrfForm` or `Form`), and an oversized form is refused
        // by the adapters' body reader (`CsrfChecked` reads no body: it
        // refuses the token-less header first).
        let (app, _, cookie, token) = logged_in_with_token(build).await;
        let probe = BodyProbe::default();
        let with_header = [("x-csrf-token", token.as_str())];
        let answer = send(
            &app,
            form_post(&cookie, "", &with_header).map(|_| probe.body("text=hi".into())),
        )
        .await;
        assert_eq!(answer.body, "saved hi", "{name}, logged in");
        assert!(probe.was_read(), "{name}, logged in: {answer:?}");
        let answer = send(&app, form_post(&cookie, &oversized_form(&token), &[])).await;
        let refused_by = if name.contains("CsrfChecked") {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::PAYLOAD_TOO_LARGE
        };
        assert_eq!(answer.status, refused_by, "{name}, logged in, oversized");
    }
}

#[tokio::test]
async fn body_reader_before_the_guard_reads() {
    // The wrong orderings read the body (and run the CSRF check) before the
    // login check: the probe above tells them apart.
    let wrong: [(&str, Build); 2] = [
        (
            "route group, form adapter outside the guard",
            group_app_wrong_order,
        ),
        (
            "attribute under router-wide CSRF layers",
            attribute_app_wrong_order,
        ),
    ];
    for (name, build) in wrong {
        let app = build(MemoryStore::default());
        let probe = BodyProbe::default();
        let answer = send(
            &app,
            form_post("", "", &[]).map(|_| probe.body(form_body("x"))),
        )
        .await;
        assert!(probe.was_read(), "{name}: {answer:?}");
        assert!(starts_a_session(&answer), "{name}: {answer:?}");
        let answer = send(&app, form_post("", &oversized_form("x"), &[])).await;
        assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{name}");
    }
}

/// The token a demo page hands out: in a form's hidden field or the
/// `<head>`'s meta tag.
fn token_on_page(html: &str, marker: &str) -> String {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} on the page: {html}"))
        + marker.len();
    html[start..start + 64].to_owned()
}

const FIELD: &str = "name=\"csrf_token\" value=\"";
const META: &str = "name=\"csrf-token\" content=\"";

/// Logs in through the demo's login form, with `cookie` (empty: none), and
/// returns the `Cookie` header to send.
async fn log_in_to_the_demo(app: &Router, cookie: &str) -> String {
    let mut headers = vec![("content-type", "application/x-www-form-urlencoded")];
    if !cookie.is_empty() {
        headers.push(("cookie", cookie));
    }
    let body = format!(
        "username=ada&password={}",
        require_login_demo::DEMO_PASSWORD
    );
    let login = send(app, request("POST", "/login", &headers, Body::from(body))).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{login:?}");
    cookie_of(&login)
}

#[tokio::test]
async fn demo_pages_send_and_check_the_token() {
    let app = require_login_demo::app(require_login_demo::DemoConfig::default());
    let cookie = log_in_to_the_demo(&app, "").await;
    let page = |path: &str| send(&app, get_with(path, &[("cookie", &cookie)]));
    // Every page that POSTs carries the session's one token.
    let token = token_on_page(&page("/form").await.body, FIELD);
    for (path, marker) in [
        ("/htmx", FIELD),
        ("/dashboard", META),
        ("/xhr", META),
        ("/logout", FIELD),
    ] {
        assert_eq!(
            token_on_page(&page(path).await.body, marker),
            token,
            "{path}"
        );
    }
    let form = |path: &str, body: String, extra: &[(&str, &str)]| {
        let mut headers = vec![
            ("cookie", cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        headers.extend_from_slice(extra);
        request("POST", path, &headers, Body::from(body))
    };
    let echo = |token: Option<&str>| {
        let mut headers = vec![
            ("cookie", cookie.as_str()),
            ("content-type", "application/json"),
            ("sec-fetch-mode", "cors"),
            ("referer", "http://app.test/xhr"),
            ("host", "app.test"),
        ];
        if let Some(token) = token {
            headers.push(("x-csrf-token", token));
        }
        request(
            "POST",
            "/api/echo",
            &headers,
            Body::from(r#"{"text":"ping"}"#),
        )
    };
    let hx = [("hx-request", "true")];
    // Logged in, no token: the CSRF error, from every POST.
    for (case, post) in [
        ("form", form("/form", "note=hi".into(), &[])),
        ("htmx", form("/htmx/fragment", "text=posted".into(), &hx)),
        ("xhr", echo(None)),
        ("logout", form("/logout", String::new(), &[])),
    ] {
        let answer = send(&app, post).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{case}: {answer:?}");
        assert_eq!(answer.body, CSRF_ERROR, "{case}");
    }
    // Logged in, the page's token: the handler runs.
    let saved = send(
        &app,
        form("/form", format!("{TOKEN_FIELD}={token}&note=hi"), &[]),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{saved:?}");
    assert_eq!(saved.header("location"), "/form?saved=hi");
    let body = format!("{TOKEN_FIELD}={token}&text=posted");
    let posted = send(&app, form("/htmx/fragment", body, &hx)).await;
    assert!(
        posted.body.contains("htmx post: hello ada, posted"),
        "{posted:?}"
    );
    let echoed = send(&app, echo(Some(&token))).await;
    assert_eq!(echoed.status, StatusCode::OK, "{echoed:?}");
    let logout = send(&app, form("/logout", format!("{TOKEN_FIELD}={token}"), &[])).await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER, "{logout:?}");
    assert_eq!(logout.header("location"), "/login");
    // The session ended: its pages' stale token gets the login answer.
    let navigate = [
        ("sec-fetch-mode", "navigate"),
        ("referer", "http://app.test/form"),
        ("host", "app.test"),
    ];
    let stale = send(
        &app,
        form("/form", format!("{TOKEN_FIELD}={token}&note=hi"), &navigate),
    )
    .await;
    assert_eq!(stale.status, StatusCode::SEE_OTHER, "{stale:?}");
    assert_eq!(
        login_and_next(stale.header("location")),
        ("/login", "/form".to_owned())
    );
    let stale = send(&app, echo(Some(&token))).await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN, "{stale:?}");
    assert_eq!(stale.body, LOGIN_REQUIRED);
    let stale = send(&app, form("/logout", format!("{TOKEN_FIELD}={token}"), &[])).await;
    assert_eq!(stale.status, StatusCode::SEE_OTHER, "{stale:?}");
    assert_eq!(
        stale.header("location"),
        "/login",
        "nothing left to log out of"
    );
}

#[tokio::test]
async fn logging_in_to_the_demo_renews_the_csrf_token() {
    let app = require_login_demo::app(require_login_demo::DemoConfig::default());
    let first = log_in_to_the_demo(&app, "").await;
    let page = send(&app, get_with("/form", &[("cookie", &first)])).await;
    let old = token_on_page(&page.body, FIELD);
    // Logging in again in the same session: the token handed out before
    // (to whoever had the session then) is no good after.
    let again = log_in_to_the_demo(&app, &first).await;
    let page = send(&app, get_with("/form", &[("cookie", &again)])).await;
    let new = token_on_page(&page.body, FIELD);
    assert_ne!(new, old, "a fresh token at login");
    let post = |token: &str| {
        request(
            "POST",
            "/form",
            &[
                ("cookie", &again),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Body::from(format!("{TOKEN_FIELD}={token}&note=hi")),
        )
    };
    let answer = send(&app, post(&old)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{answer:?}");
    assert_eq!(answer.body, CSRF_ERROR);
    let answer = send(&app, post(&new)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{answer:?}");
}

#[tokio::test]
async fn csrf_form_takes_only_urlencoded() {
    let (app, _, cookie, token) = logged_in_with_token(attribute_app).await;
    let json = request(
        "POST",
        "/notes",
        &[
            ("cookie", cookie.as_str()),
            ("content-type", "application/json"),
            ("x-csrf-token", token.as_str()),
        ],
        Body::from(r#"{"text":"hi"}"#),
    );
    let answer = send(&app, json).await;
    assert_eq!(
        answer.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{answer:?}"
    );
}
