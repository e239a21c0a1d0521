//! `RequireLoginLayer` through the real axum `Router`: what logged-out
//! navigations and AJAX calls get, that the route never runs for them,
//! store and set-up failures, nested routes, how a group layer and a
//! handler's own `#[require_login]` combine, and that the layer and the
//! attribute answer every request identically.

use axum::body::Body;
use axum::extract::{Json, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use http::StatusCode;
use require_login::{require_login, GuardOptions, RequireLoginLayer, LOGIN_REQUIRED};
use require_login_tests::*;
use tower_sessions::MemoryStore;

const ADMIN: GuardOptions = GuardOptions::new()
    .login("/admin/login")
    .sentinel("ADMIN_LOGIN_REQUIRED")
    .status(401)
    .redirect_field(Some("return_to"));

async fn page(State(runs): State<Runs>) -> impl IntoResponse {
    runs.record();
    (StatusCode::ACCEPTED, [("x-handler", "page")], "page")
}

async fn save(State(runs): State<Runs>, Json(value): Json<serde_json::Value>) -> String {
    runs.record();
    format!("saved {value}")
}

/// A group guarded by the default layer, with a nested router inside it.
fn group_app() -> (Router, Runs) {
    let runs = Runs::default();
    let nested = Router::new().route("/page", get(page));
    let routes = Router::new()
        .route("/dash", get(page))
        .route("/save", post(save))
        .nest("/app", nested)
        .route_layer(RequireLoginLayer::default())
        .route("/public", get(page))
        .with_state(runs.clone());
    (with_memory_sessions(routes), runs)
}

fn assert_navigation_denied(answer: &Answer, login: &str, field: &str, next: Option<&str>) {
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{answer:?}");
    assert_eq!(
        login_and(answer.header("location"), field),
        (login, next.map(str::to_owned))
    );
    assert_eq!(answer.header("cache-control"), "no-store");
    assert!(answer.body.is_empty(), "{answer:?}");
}

fn assert_ajax_denied(answer: &Answer, status: StatusCode, sentinel: &str, login: &str) {
    assert_eq!(answer.status, status, "{answer:?}");
    assert_eq!(answer.body, sentinel);
    assert_eq!(answer.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(answer.header("cache-control"), "no-store");
    assert!(
        answer.header("x-login-url").starts_with(login),
        "{answer:?}"
    );
}

/// A login URL's path and the decoded value of its return-to `field`.
fn login_and<'a>(url: &'a str, field: &str) -> (&'a str, Option<String>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
    let value = fields.into_iter().find(|(k, _)| k == field).map(|(_, v)| v);
    (path, value)
}

#[tokio::test]
async fn logged_out_navigation_gets_303_to_login_with_next() {
    let (app, runs) = group_app();
    let answer = send(&app, get_with("/dash?tab=2&x=a%20b", &[])).await;
    assert_navigation_denied(&answer, "/login", "next", Some("/dash?tab=2&x=a%20b"));
    let head = send(&app, request("HEAD", "/dash", &[], Body::empty())).await;
    assert_navigation_denied(&head, "/login", "next", Some("/dash"));
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn logged_out_ajax_gets_the_sentinel_and_the_login_url() {
    let (app, runs) = group_app();
    for signal in [
        ("sec-fetch-mode", "cors"),
        ("x-requested-with", "XMLHttpRequest"),
        ("hx-request", "true"),
        ("accept", "application/json"),
    ] {
        let answer = send(&app, get_with("/dash", &[signal])).await;
        assert_ajax_denied(&answer, StatusCode::FORBIDDEN, LOGIN_REQUIRED, "/login");
    }
    let htmx = send(
        &app,
        get_with(
            "/dash",
            &[
                ("hx-request", "true"),
                ("hx-current-url", "http://app.test/board?id=7"),
                ("host", "app.test"),
            ],
        ),
    )
    .await;
    assert_eq!(htmx.header("hx-redirect"), htmx.header("x-login-url"));
    assert_eq!(
        login_and(htmx.header("x-login-url"), "next"),
        ("/login", Some("/board?id=7".to_owned())),
        "returns to the page, not the endpoint"
    );
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn the_route_and_its_extractors_never_run_for_a_logged_out_user() {
    let (app, runs) = group_app();
    // Malformed JSON: the login answer, not the Json extractor's 400/422.
    let answer = send(
        &app,
        request(
            "POST",
            "/save",
            &[
                ("content-type", "application/json"),
                ("sec-fetch-mode", "cors"),
            ],
            Body::from("{not json"),
        ),
    )
    .await;
    assert_ajax_denied(&answer, StatusCode::FORBIDDEN, LOGIN_REQUIRED, "/login");
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn logged_in_requests_reach_the_route_untouched_and_unguarded_routes_stay_public() {
    let (app, runs) = group_app();
    let cookie = log_in(&app, "").await;
    let answer = send(&app, get_with("/dash", &[("cookie", &cookie)])).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED);
    assert_eq!(answer.header("x-handler"), "page");
    assert!(
        answer.headers.get("vary").is_none(),
        "untouched: {answer:?}"
    );
    assert_eq!(answer.body, "page");
    let saved = send(
        &app,
        request(
            "POST",
            "/save",
            &[("cookie", &cookie), ("content-type", "application/json")],
            Body::from("[1]"),
        ),
    )
    .await;
    assert_eq!(saved.body, "saved [1]");
    let public = send(&app, get_with("/public", &[])).await;
    assert_eq!(
        public.status,
        StatusCode::ACCEPTED,
        "added after route_layer"
    );
    assert_eq!(runs.count(), 3);
}

#[tokio::test]
async fn nested_routes_are_guarded_and_return_to_the_full_path() {
    let (app, runs) = group_app();
    let answer = send(&app, get_with("/app/page?q=1", &[])).await;
    assert_navigation_denied(&answer, "/login", "next", Some("/app/page?q=1"));
    // A group layer on the nested router itself sees the full path too.
    let admin = Router::new()
        .route("/page", get(page))
        .route_layer(RequireLoginLayer::new(ADMIN));
    let app2 = with_memory_sessions(Router::new().nest("/admin", admin).with_state(runs.clone()));
    let answer = send(&app2, get_with("/admin/page?q=1", &[])).await;
    assert_navigation_denied(
        &answer,
        "/admin/login",
        "return_to",
        Some("/admin/page?q=1"),
    );
    let ajax = send(
        &app2,
        get_with("/admin/page", &[("sec-fetch-mode", "cors")]),
    )
    .await;
    assert_ajax_denied(
        &ajax,
        StatusCode::UNAUTHORIZED,
        "ADMIN_LOGIN_REQUIRED",
        "/admin/login",
    );
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn failing_store_is_a_logged_500_and_the_route_does_not_run() {
    let runs = Runs::default();
    let routes = Router::new()
        .route("/dash", get(page))
        .route_layer(RequireLoginLayer::default())
        .with_state(runs.clone());
    let app = with_sessions(routes, FailingStore);
    let cookie = unknown_session_cookie();
    let (answer, log) = with_log(send(&app, get_with("/dash", &[("cookie", &cookie)]))).await;
    assert_eq!(
        answer.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{answer:?}"
    );
    assert!(answer.headers.get("location").is_none());
    assert!(log.contains("session store failed"), "{log}");
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn missing_session_layer_is_a_500_whose_log_says_to_add_it() {
    let runs = Runs::default();
    let app = Router::new()
        .route("/dash", get(page))
        .route_layer(RequireLoginLayer::default())
        .with_state(runs.clone());
    let (answer, log) = with_log(send(&app, get_with("/dash", &[]))).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(log.contains("SessionManagerLayer"), "{log}");
    assert_eq!(runs.count(), 0);
}

// ---- a group layer and a handler's own guard ----

#[require_login(login = "/billing/login")]
async fn billing(State(runs): State<Runs>) -> &'static str {
    runs.record();
    "billing"
}

#[require_login(login = "/admin/login", session_key = "admin")]
async fn admin_only(State(runs): State<Runs>) -> &'static str {
    runs.record();
    "admin only"
}

async fn unguarded(State(runs): State<Runs>) -> &'static str {
    runs.record();
    "unguarded"
}

fn precedence_app() -> (Router, Runs) {
    let runs = Runs::default();
    let routes = Router::new()
        .route("/in-group/billing", get(billing))
        .route("/in-group/admin", get(admin_only))
        .route("/in-group/plain", get(unguarded))
        .route_layer(RequireLoginLayer::default())
        .route("/own/billing", get(billing))
        .with_state(runs.clone());
    (with_memory_sessions(routes), runs)
}

#[tokio::test]
async fn logged_out_in_the_group_the_group_answers_and_no_handler_body_runs() {
    let (app, runs) = precedence_app();
    // The layer cannot see the handler's guard before running the handler,
    // and passing the request on would run unguarded bodies: it answers.
    for path in ["/in-group/billing", "/in-group/admin", "/in-group/plain"] {
        let answer = send(&app, get_with(path, &[])).await;
        assert_navigation_denied(&answer, "/login", "next", Some(path));
    }
    assert_eq!(runs.count(), 0, "no body ran, guarded or not");
}

#[tokio::test]
async fn handler_target_wins_for_a_route_added_after_the_group_layer() {
    let (app, runs) = precedence_app();
    let answer = send(&app, get_with("/own/billing", &[])).await;
    assert_navigation_denied(&answer, "/billing/login", "next", Some("/own/billing"));
    let ajax = send(
        &app,
        get_with("/own/billing", &[("sec-fetch-mode", "cors")]),
    )
    .await;
    assert_ajax_denied(
        &ajax,
        StatusCode::FORBIDDEN,
        LOGIN_REQUIRED,
        "/billing/login",
    );
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn handler_target_wins_when_its_guard_is_reached_inside_the_group() {
    let (app, runs) = precedence_app();
    // Logged in for the group (default key), not as admin: the layer lets
    // the request through, and the handler's own guard answers with its own
    // login page.
    let user = log_in(&app, "").await;
    let answer = send(&app, get_with("/in-group/admin", &[("cookie", &user)])).await;
    assert_navigation_denied(&answer, "/admin/login", "next", Some("/in-group/admin"));
    assert_eq!(runs.count(), 0);
    // Both guards pass: the handler runs.
    let billing = send(&app, get_with("/in-group/billing", &[("cookie", &user)])).await;
    assert_eq!(billing.body, "billing");
    assert_eq!(runs.count(), 1);
}

#[tokio::test]
async fn a_group_with_its_own_login_page_beside_the_main_group() {
    let runs = Runs::default();
    let admin = Router::new()
        .route("/", get(page))
        .route_layer(RequireLoginLayer::new(ADMIN));
    // The main group's layer is added before the admin group is nested, so
    // it does not cover it: /admin/* gets only the admin login.
    let separate = Router::new()
        .route("/dash", get(page))
        .route_layer(RequireLoginLayer::default())
        .nest("/admin", admin.clone())
        .with_state(runs.clone());
    let app = with_memory_sessions(separate);
    let answer = send(&app, get_with("/admin", &[])).await;
    assert_navigation_denied(&answer, "/admin/login", "return_to", Some("/admin"));
    let answer = send(&app, get_with("/dash", &[])).await;
    assert_navigation_denied(&answer, "/login", "next", Some("/dash"));
    // Nested first, then the outer layer: the outer layer runs first for
    // /admin too, so the outer group's login page answers.
    let covering = Router::new()
        .route("/dash", get(page))
        .nest("/admin", admin)
        .route_layer(RequireLoginLayer::default())
        .with_state(runs.clone());
    let app = with_memory_sessions(covering);
    let answer = send(&app, get_with("/admin", &[])).await;
    assert_navigation_denied(&answer, "/login", "next", Some("/admin"));
    assert_eq!(runs.count(), 0);
}

// ---- the layer and the attribute: one decision ----

#[require_login]
async fn attr_default(State(runs): State<Runs>) -> impl IntoResponse {
    page(State(runs)).await
}

#[require_login(
    login = "/admin/login",
    sentinel = "ADMIN_LOGIN_REQUIRED",
    status = 401,
    redirect_field = "return_to"
)]
async fn attr_admin(State(runs): State<Runs>) -> impl IntoResponse {
    page(State(runs)).await
}

/// A request's extra headers.
type Headers<'a> = &'a [(&'a str, &'a str)];

#[tokio::test]
async fn layer_and_attribute_give_identical_responses() {
    let runs = Runs::default();
    let store = MemoryStore::default();
    // Each route under exactly one layer, as the attribute app has one guard
    // per handler (`route_layer` covers the routes added before it).
    let main = Router::new()
        .route("/dash", get(page).post(page))
        .nest("/app", Router::new().route("/page", get(page)))
        .route_layer(RequireLoginLayer::default());
    let admin = Router::new()
        .route("/admin/dash", get(page).post(page))
        .route_layer(RequireLoginLayer::new(ADMIN));
    let by_layer = main.merge(admin).with_state(runs.clone());
    let by_attribute = Router::new()
        .route("/dash", get(attr_default).post(attr_default))
        .nest("/app", Router::new().route("/page", get(attr_default)))
        .route("/admin/dash", get(attr_admin).post(attr_admin))
        .with_state(runs.clone());
    let by_layer = with_sessions(by_layer, store.clone());
    let by_attribute = with_sessions(by_attribute, store.clone());

    let user = log_in(&by_layer, "").await;
    let unknown = unknown_session_cookie();
    let sessions = [
        ("no cookie", ""),
        ("unknown session", &unknown),
        ("logged in", &user),
    ];
    let requests: [(&str, &str, Headers); 10] = [
        ("GET", "/dash?a=1&b=%2F", &[]),
        ("HEAD", "/dash", &[]),
        ("GET", "/app/page?q=x", &[("sec-fetch-mode", "navigate")]),
        (
            "GET",
            "/dash",
            &[
                ("sec-fetch-mode", "cors"),
                ("referer", "http://app.test/home?x=1"),
                ("host", "app.test"),
            ],
        ),
        ("GET", "/dash", &[("x-requested-with", "XMLHttpRequest")]),
        (
            "GET",
            "/dash",
            &[
                ("hx-request", "true"),
                ("hx-current-url", "http://app.test/board"),
                ("host", "app.test"),
            ],
        ),
        ("GET", "/dash", &[("accept", "application/json")]),
        (
            "POST",
            "/dash",
            &[
                ("referer", "http://app.test/form?id=3"),
                ("host", "app.test"),
            ],
        ),
        ("GET", "/admin/dash?tab=1", &[]),
        ("POST", "/admin/dash", &[("sec-fetch-mode", "cors")]),
    ];
    for (session, cookie) in sessions {
        for (method, uri, headers) in requests {
            let mut all = headers.to_vec();
            if !cookie.is_empty() {
                all.push(("cookie", cookie));
            }
            let a = send(&by_layer, request(method, uri, &all, Body::empty())).await;
            let b = send(&by_attribute, request(method, uri, &all, Body::empty())).await;
            let case = format!("{session}: {method} {uri} {headers:?}");
            assert_eq!(a.status, b.status, "{case}");
            assert_eq!(a.headers, b.headers, "{case}");
            assert_eq!(a.body, b.body, "{case}");
            if session == "logged in" {
                assert_eq!(a.status, StatusCode::ACCEPTED, "{case}");
            } else {
                assert_ne!(a.status, StatusCode::ACCEPTED, "{case}");
            }
        }
    }
}
