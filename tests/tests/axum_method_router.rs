//! `GuardedRouter` given axum's own `MethodRouter`: guarded as a whole with
//! the app's default, listed as `*` / `BY default`, and a hidden handler
//! guard said in the log.

use axum::body::Body;
use axum::extract::State;
use axum::routing;
use http::StatusCode;
use require_login::router::{self, assert_audit_table};
use require_login::{require_login, ClientScript, GuardedRouter};
use require_login_tests::denial::{assert_redirect, assert_sentinel, Login};
use require_login_tests::{log_in, request, send, with_log, with_memory_sessions, Runs};

async fn legacy(State(runs): State<Runs>) -> &'static str {
    runs.record();
    "as before"
}

#[require_login(login = "/admin/login")]
async fn admin_report(State(runs): State<Runs>) -> &'static str {
    runs.record();
    "admins only"
}

fn app(runs: &Runs) -> axum::Router {
    let routes = GuardedRouter::new()
        .route("/legacy", routing::get(legacy).post(legacy))
        .route("/anything", routing::any(legacy))
        .route("/admin/report", routing::get(admin_report))
        .public_route("/login", routing::get(|| async { "the form" }))
        .public_route("/admin/login", router::get(|| async { "the admin form" }))
        .build()
        .unwrap()
        .with_state(runs.clone());
    with_memory_sessions(routes)
}

#[tokio::test]
async fn logged_out_get_the_default_answer() {
    let runs = Runs::default();
    let app = app(&runs);
    let visit = send(&app, request("GET", "/legacy", &[], Body::empty())).await;
    assert_redirect(&visit, "/login?next=/legacy", "visit");
    let fetch = send(
        &app,
        request(
            "POST",
            "/legacy",
            &[("x-requested-with", "XMLHttpRequest")],
            Body::empty(),
        ),
    )
    .await;
    assert_sentinel(&fetch, Login::Path("/login"), "fetch");
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn any_is_guarded_for_every_method() {
    // axum routes `any` as the method router's fallback, which a
    // `route_layer` would leave unguarded.
    let runs = Runs::default();
    let app = app(&runs);
    for method in ["GET", "DELETE", "PROPFIND"] {
        let answer = send(&app, request(method, "/anything", &[], Body::empty())).await;
        // Only a GET can be come back to.
        let login = if method == "GET" {
            "/login?next=/anything"
        } else {
            "/login"
        };
        assert_redirect(&answer, login, method);
    }
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn logged_in_reach_the_handler() {
    let runs = Runs::default();
    let app = app(&runs);
    let cookie = log_in(&app, "").await;
    let answer = send(
        &app,
        request("POST", "/legacy", &[("cookie", &cookie)], Body::empty()),
    )
    .await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::OK, "as before")
    );
    assert_eq!(runs.count(), 1);
}

#[tokio::test]
async fn a_hidden_guard_answers_with_the_default() {
    // The documented catch: the router cannot see `admin_report`'s options.
    let runs = Runs::default();
    let app = app(&runs);
    let answer = send(&app, request("GET", "/admin/report", &[], Body::empty())).await;
    assert_redirect(
        &answer,
        "/login?next=/admin/report",
        "the default login page",
    );
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn a_hidden_guard_is_logged_once() {
    let runs = Runs::default();
    let app = app(&runs);
    let cookie = log_in(&app, "").await;
    let ((), log) = with_log(async {
        for _ in 0..3 {
            let answer = send(
                &app,
                request(
                    "GET",
                    "/admin/report",
                    &[("cookie", &cookie)],
                    Body::empty(),
                ),
            )
            .await;
            assert_eq!(answer.status, StatusCode::OK);
        }
    })
    .await;
    assert_eq!(log.matches("WARN").count(), 1, "{log}");
    assert!(log.contains("`GET /admin/report`"), "{log}");
    assert!(log.contains("login `/admin/login`"), "{log}");
    assert!(log.contains("require_login::router::get"), "{log}");
    assert_eq!(runs.count(), 3);
}

#[tokio::test]
async fn a_seen_route_logs_nothing() {
    let runs = Runs::default();
    let routes = GuardedRouter::new()
        .route("/legacy", routing::get(legacy))
        .route("/admin/report", router::get(admin_report))
        .public_route("/login", routing::get(|| async { "the form" }))
        .public_route("/admin/login", routing::get(|| async { "the admin form" }))
        .build()
        .unwrap()
        .with_state(runs.clone());
    let app = with_memory_sessions(routes);
    let cookie = log_in(&app, "").await;
    let ((), log) = with_log(async {
        for path in ["/legacy", "/admin/report"] {
            let answer = send(
                &app,
                request("GET", path, &[("cookie", &cookie)], Body::empty()),
            )
            .await;
            assert_eq!(answer.status, StatusCode::OK, "{path}");
        }
    })
    .await;
    assert!(!log.contains("WARN"), "{log}");
}

#[test]
fn the_audit_says_star_and_default() {
    let app: GuardedRouter<Runs> = GuardedRouter::new()
        .route("/legacy", routing::get(legacy).post(legacy))
        .route("/admin/report", routing::get(admin_report))
        .public_route("/login", routing::get(|| async { "the form" }));
    assert_audit_table(
        &app.audit().unwrap(),
        "
        METHOD  PATH           ACCESS   BY       LOGIN   STATUS  SENTINEL
        *       /legacy        guarded  default  /login  403     LOGIN_REQUIRED
        *       /admin/report  guarded  default  /login  403     LOGIN_REQUIRED
        *       /login         public   -        -       -       -
        ANY     *              guarded  default  /login  403     LOGIN_REQUIRED
        ",
    );
}

#[tokio::test]
async fn a_custom_script_is_public_and_cached() {
    const SCRIPT: ClientScript = ClientScript::new().with_sentinel("MY_APP_LOGIN");
    let routes: axum::Router = GuardedRouter::new()
        .public_route("/static/require-login.js", SCRIPT.method_router())
        .public_route("/login", routing::get(|| async { "the form" }))
        .build()
        .unwrap();
    let app = with_memory_sessions(routes);
    let first = send(
        &app,
        request("GET", "/static/require-login.js", &[], Body::empty()),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains("MY_APP_LOGIN"));
    let etag = first.header("etag").to_owned();
    let again = send(
        &app,
        request(
            "GET",
            "/static/require-login.js",
            &[("if-none-match", &etag)],
            Body::empty(),
        ),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let versioned = format!("/static/require-login.js?v={}", SCRIPT.version());
    let pinned = send(&app, request("GET", &versioned, &[], Body::empty())).await;
    assert!(pinned.header("cache-control").contains("immutable"));
}

#[test]
fn new_names_the_state() {
    let app: axum::Router<Runs> = GuardedRouter::<Runs>::new()
        .route("/legacy", routing::get(legacy))
        .public_route("/login", routing::get(|| async { "the form" }))
        .build()
        .unwrap();
    let _: axum::Router = app.with_state(Runs::default());
}
