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
//! The wiring the README's "Middleware ordering" section shows is the demo's
//! `require_login_demo::csrf` module (`examples/demo/csrf.rs`): the
//! `CsrfChecked` and `CsrfForm<T>` extractors and the `form_token_to_header`
//! middleware tested here are the ones the demo runs.

use axum::body::Body;
use axum::extract::Form;
use axum::middleware::from_fn;
use axum::routing::get;
use axum::Router;
use axum_tower_sessions_csrf::{get_or_create_token, CsrfMiddleware};
use http::StatusCode;
use require_login::{require_login, RequireLoginLayer, LOGIN_REQUIRED};
use require_login_demo::csrf::{form_token_to_header, CsrfChecked, CsrfForm, TOKEN_FIELD};
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
async fn the_demos_pages_send_their_token_and_its_posts_check_it_after_the_login() {
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
