//! `#[require_login]` through the real axum `Router`: what logged-out
//! navigations and AJAX calls get, that nothing of the handler runs for them,
//! that logged-in requests run it untouched, every option, every handler
//! shape, named targets, and failures of the session layer or store.

use axum::body::Body;
use axum::extract::{Json, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use http::StatusCode;
use require_login::{guard::LoginRoutes, require_login, LOGIN_REQUIRED};
use require_login_tests::denial::*;
use require_login_tests::*;
use serde::Deserialize;

mod reexport {
    pub use require_login as guard_crate;
}

const ADMIN_LOGIN: &str = "/admin/login";
const ADMIN_SENTINEL: &str = "ADMIN_LOGIN_REQUIRED";

#[require_login]
async fn dashboard(State(runs): State<Runs>) -> &'static str {
    runs.record();
    "dashboard"
}

#[require_login(login = ADMIN_LOGIN, sentinel = ADMIN_SENTINEL, status = 401)]
async fn admin(State(runs): State<Runs>) -> &'static str {
    runs.record();
    "admin"
}

#[derive(Deserialize)]
struct Item {
    name: String,
}

#[derive(Deserialize)]
struct Filter {
    verbose: Option<bool>,
}

/// Updates an item: `State`, `Path`, `Query` and a JSON body, in that order.
#[require_login]
#[allow(clippy::unused_async)]
pub(crate) async fn update_item(
    State(runs): State<Runs>,
    Path(id): Path<u32>,
    Query(filter): Query<Filter>,
    Json(item): Json<Item>,
) -> impl IntoResponse {
    runs.record();
    (
        StatusCode::CREATED,
        [("x-handler", "update_item")],
        format!("{id}:{}:{:?}", item.name, filter.verbose),
    )
}

#[require_login]
async fn fallible(Path(ok): Path<bool>) -> Result<&'static str, (StatusCode, &'static str)> {
    if ok {
        Ok("fine")
    } else {
        Err((StatusCode::CONFLICT, "handler's own error"))
    }
}

#[require_login]
async fn raw() -> Response {
    Response::builder()
        .status(StatusCode::ACCEPTED)
        .header("x-raw", "1")
        .body(Body::from("raw"))
        .unwrap()
}

#[require_login]
async fn no_args() -> &'static str {
    "no args"
}

struct Pages;

impl Pages {
    /// An associated function with its own login page.
    #[require_login(login = "/pages/login")]
    async fn assoc(State(runs): State<Runs>) -> &'static str {
        runs.record();
        "assoc"
    }
}

// `#[require_login]` goes above `#[axum::debug_handler]`, so that the
// handler debug_handler checks is the guarded one.
#[require_login]
#[axum::debug_handler(state = Runs)]
async fn debugged_after(State(runs): State<Runs>) -> String {
    runs.record();
    "debugged after".to_owned()
}

/// Guarded handlers in a public module where missing docs and unused
/// variables are errors, routed from outside it: were the attribute to drop a
/// handler's `pub`, its doc comment or its other attributes, this would not
/// compile.
#[deny(missing_docs, unused_variables)]
pub mod kept {
    use super::*;

    /// Documented, public, and allowed an unused variable.
    #[require_login]
    #[allow(unused_variables)]
    pub async fn documented() -> &'static str {
        let unused = "the allow above is kept";
        "documented"
    }
}

/// The body's own items may use any name: the attribute's live apart.
#[require_login(login = ADMIN_LOGIN)]
async fn own_items() -> &'static str {
    const __REQUIRE_LOGIN_LOGIN: &str = "the body's own const";
    __REQUIRE_LOGIN_LOGIN
}

#[require_login(login = "admin-login")]
async fn named() -> &'static str {
    "named"
}

#[require_login(login = "nowhere-registered")]
async fn unknown_named() -> &'static str {
    "unknown named"
}

#[require_login(login = "https://sso.example.com/start")]
async fn external() -> &'static str {
    "external"
}

#[require_login(redirect_field = false)]
async fn no_return_to() -> &'static str {
    "no return-to"
}

#[require_login(redirect_field = "return_to")]
async fn custom_field() -> &'static str {
    "custom field"
}

#[require_login(session_key = "admin_user")]
async fn custom_key() -> &'static str {
    "custom key"
}

#[require_login(crate = "crate::reexport::guard_crate")]
async fn via_reexport() -> &'static str {
    "via re-export"
}

fn routes(runs: &Runs) -> Router {
    let nested = Router::new().route("/page", get(dashboard));
    Router::new()
        .route("/dash", get(dashboard).post(dashboard))
        .route("/admin", get(admin))
        .route("/items/{id}", post(update_item))
        .route("/fallible/{ok}", get(fallible))
        .route("/raw", get(raw))
        .route("/no-args", get(no_args))
        .route("/kept", get(kept::documented))
        .route("/own-items", get(own_items))
        .route("/assoc", get(Pages::assoc))
        .route("/debugged-after", get(debugged_after))
        .route("/named", get(named))
        .route("/unknown-named", get(unknown_named))
        .route("/external", get(external))
        .route("/no-return-to", get(no_return_to))
        .route("/custom-field", get(custom_field))
        .route("/custom-key", get(custom_key))
        .route("/via-reexport", get(via_reexport))
        .nest("/app", nested)
        .with_state(runs.clone())
}

/// The app: guarded routes, in-memory sessions, login names registered.
fn app() -> (Router, Runs) {
    let runs = Runs::default();
    let login_routes = LoginRoutes::new().insert("admin-login", "/admin/login");
    let app = with_memory_sessions(routes(&runs)).layer(Extension(login_routes));
    (app, runs)
}

#[tokio::test]
async fn navigation_is_redirected_with_next() {
    let (app, runs) = app();
    let answer = send(
        &app,
        get_with("/dash?tab=2&q=a%20b", &[("sec-fetch-mode", "navigate")]),
    )
    .await;
    assert_redirect(
        &answer,
        "/login?next=/dash%3Ftab%3D2%26q%3Da%2520b",
        "navigation",
    );
    assert!(answer.headers.get("x-login-url").is_none());
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn head_requests_are_navigations_too() {
    let (app, _) = app();
    let answer = send(&app, request("HEAD", "/dash", &[], Body::empty())).await;
    assert_redirect(&answer, "/login?next=/dash", "navigation");
}

#[tokio::test]
async fn every_ajax_signal_gets_the_sentinel() {
    let (app, runs) = app();
    let signals: [&[(&str, &str)]; 6] = [
        &[("x-requested-with", "XMLHttpRequest")],
        &[("sec-fetch-mode", "cors")],
        &[("sec-fetch-mode", "same-origin")],
        &[("accept", "application/json")],
        &[("accept", "application/vnd.api+json")],
        &[("hx-request", "true")],
    ];
    for headers in signals {
        let answer = send(&app, get_with("/dash", headers)).await;
        let ajax = Ajax {
            htmx: headers[0].0 == "hx-request",
            ..Ajax::default()
        };
        assert_ajax(&answer, ajax, "/login", &format!("{headers:?}"));
    }
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn accept_that_also_takes_html_is_a_navigation() {
    let (app, _) = app();
    let answer = send(
        &app,
        get_with("/dash", &[("accept", "text/html,application/json;q=0.9")]),
    )
    .await;
    assert_redirect(&answer, "/login?next=/dash", "navigation");
}

#[tokio::test]
async fn ajax_login_url_returns_to_the_page_not_the_endpoint() {
    let (app, _) = app();
    let from_page = [
        ("host", "app.test"),
        ("sec-fetch-mode", "cors"),
        ("referer", "http://app.test/reports?year=2026"),
    ];
    let answer = send(&app, get_with("/dash", &from_page)).await;
    assert_sentinel(&answer, "/login?next=/reports%3Fyear%3D2026", "fetch");

    let cross_origin = [
        ("host", "app.test"),
        ("sec-fetch-mode", "cors"),
        ("referer", "http://evil.test/x"),
    ];
    let answer = send(&app, get_with("/dash", &cross_origin)).await;
    assert_sentinel(&answer, "/login", "ajax");
}

#[tokio::test]
async fn htmx_gets_hx_redirect_to_its_page() {
    let (app, _) = app();
    let headers = [
        ("host", "app.test"),
        ("hx-request", "true"),
        ("hx-current-url", "http://app.test/board?view=week"),
        ("referer", "http://app.test/elsewhere"),
    ];
    let answer = send(&app, get_with("/dash", &headers)).await;
    let login_url = "/login?next=/board%3Fview%3Dweek";
    assert_htmx(&answer, login_url, "htmx");
}

#[tokio::test]
async fn form_post_returns_to_the_referer() {
    let (app, runs) = app();
    let form = [
        ("host", "app.test"),
        ("referer", "http://app.test/settings/edit"),
    ];
    let answer = send(&app, request("POST", "/dash", &form, Body::from("a=1"))).await;
    assert_redirect(&answer, "/login?next=/settings/edit", "navigation");

    let foreign = [
        ("host", "app.test"),
        ("referer", "https://evil.test/settings/edit"),
    ];
    let answer = send(&app, request("POST", "/dash", &foreign, Body::empty())).await;
    assert_redirect(&answer, "/login", "navigation");

    let answer = send(&app, request("POST", "/dash", &[], Body::empty())).await;
    assert_redirect(&answer, "/login", "navigation");
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn nested_routes_return_to_the_full_original_path() {
    let (app, _) = app();
    let answer = send(&app, get_with("/app/page?x=1", &[])).await;
    assert_redirect(&answer, "/login?next=/app/page%3Fx%3D1", "navigation");
}

#[tokio::test]
async fn no_extractor_after_the_guard_runs_for_a_logged_out_user() {
    let (app, runs) = app();
    let json = [
        ("content-type", "application/json"),
        ("sec-fetch-mode", "cors"),
    ];
    // Malformed JSON, a path that is not a number, a bad query: the login
    // answer, not a 400/422 from the extractors.
    let answer = send(
        &app,
        request(
            "POST",
            "/items/not-a-number?verbose=maybe",
            &json,
            Body::from("{oops"),
        ),
    )
    .await;
    assert_sentinel(&answer, "/login", "ajax");
    let answer = send(
        &app,
        request(
            "POST",
            "/items/7",
            &[("content-type", "application/json")],
            Body::from("{oops"),
        ),
    )
    .await;
    assert_redirect(&answer, "/login", "navigation");
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn logged_in_requests_run_the_handler_exactly_as_written() {
    let (app, runs) = app();
    let cookie = log_in(&app, "").await;
    let headers = [
        ("cookie", cookie.as_str()),
        ("content-type", "application/json"),
    ];
    let answer = send(
        &app,
        request(
            "POST",
            "/items/7?verbose=true",
            &headers,
            Body::from(r#"{"name":"pen"}"#),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert_eq!(answer.body, "7:pen:Some(true)");
    assert_eq!(answer.header("x-handler"), "update_item");
    for added_by_a_denial in ["cache-control", "vary", "x-login-url", "location"] {
        assert!(
            answer.headers.get(added_by_a_denial).is_none(),
            "{added_by_a_denial} added"
        );
    }
    // The handler's extractors still reject bad input for logged-in users.
    let answer = send(
        &app,
        request("POST", "/items/7", &headers, Body::from("{oops")),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(runs.count(), 1);
}

#[tokio::test]
async fn every_handler_shape_is_guarded() {
    let (app, runs) = app();
    let cookie = log_in(&app, "").await;
    let logged_in = [("cookie", cookie.as_str())];
    let cases = [
        (
            "/fallible/true",
            StatusCode::OK,
            "fine",
            "/login?next=/fallible/true",
        ),
        (
            "/fallible/false",
            StatusCode::CONFLICT,
            "handler's own error",
            "/login?next=/fallible/false",
        ),
        ("/raw", StatusCode::ACCEPTED, "raw", "/login?next=/raw"),
        (
            "/no-args",
            StatusCode::OK,
            "no args",
            "/login?next=/no-args",
        ),
        ("/kept", StatusCode::OK, "documented", "/login?next=/kept"),
        (
            "/assoc",
            StatusCode::OK,
            "assoc",
            "/pages/login?next=/assoc",
        ),
        (
            "/debugged-after",
            StatusCode::OK,
            "debugged after",
            "/login?next=/debugged-after",
        ),
        (
            "/via-reexport",
            StatusCode::OK,
            "via re-export",
            "/login?next=/via-reexport",
        ),
    ];
    for (uri, status, body, login) in cases {
        let answer = send(&app, get_with(uri, &logged_in)).await;
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (status, body),
            "{uri}"
        );
        let answer = send(&app, get_with(uri, &[])).await;
        assert_redirect(&answer, login, "navigation");
    }
    let raw = send(&app, get_with("/raw", &logged_in)).await;
    assert_eq!(raw.header("x-raw"), "1");
    assert_eq!(
        runs.count(),
        2,
        "assoc and debug_handler bodies ran once each"
    );
}

#[tokio::test]
async fn per_route_options_set_login_page_sentinel_and_status() {
    let (app, runs) = app();
    let answer = send(&app, get_with("/admin", &[])).await;
    assert_redirect(&answer, "/admin/login?next=/admin", "navigation");
    let answer = send(
        &app,
        get_with("/admin", &[("x-requested-with", "XMLHttpRequest")]),
    )
    .await;
    assert_ajax(
        &answer,
        Ajax {
            status: StatusCode::UNAUTHORIZED,
            sentinel: ADMIN_SENTINEL,
            htmx: false,
        },
        "/admin/login",
        "ajax",
    );
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn external_login_url_gets_the_return_to_link() {
    let (app, _) = app();
    let answer = send(&app, get_with("/external", &[])).await;
    assert_redirect(
        &answer,
        "https://sso.example.com/start?next=/external",
        "navigation",
    );
}

#[tokio::test]
async fn redirect_field_can_be_renamed_or_switched_off() {
    let (app, _) = app();
    let answer = send(&app, get_with("/custom-field?a=1", &[])).await;
    assert_redirect(
        &answer,
        "/login?return_to=/custom-field%3Fa%3D1",
        "navigation",
    );
    let answer = send(&app, get_with("/no-return-to?a=1", &[])).await;
    assert_redirect(&answer, "/login", "navigation");
    let page = [
        ("host", "app.test"),
        ("sec-fetch-mode", "cors"),
        ("referer", "http://app.test/page"),
    ];
    let answer = send(&app, get_with("/no-return-to", &page)).await;
    assert_sentinel(&answer, "/login", "ajax");
}

#[tokio::test]
async fn session_key_option_reads_the_key_its_login_wrote() {
    let (app, _) = app();
    let default_login = log_in(&app, "").await;
    let answer = send(
        &app,
        get_with("/custom-key", &[("cookie", default_login.as_str())]),
    )
    .await;
    assert_redirect(&answer, "/login?next=/custom-key", "navigation");

    let admin_login = log_in(&app, "?key=admin_user").await;
    let answer = send(
        &app,
        get_with("/custom-key", &[("cookie", admin_login.as_str())]),
    )
    .await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::OK, "custom key")
    );
}

#[tokio::test]
async fn named_targets_resolve_through_login_routes() {
    let (app, _) = app();
    let answer = send(&app, get_with("/named?x=1", &[])).await;
    assert_redirect(&answer, "/admin/login?next=/named%3Fx%3D1", "navigation");
}

#[tokio::test]
async fn unknown_login_name_is_a_logged_500() {
    let (app, _) = app();
    let (answer, log) = with_log(send(&app, get_with("/unknown-named", &[]))).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(answer.headers.get("location").is_none());
    assert!(
        log.contains("\"nowhere-registered\" is not registered"),
        "log: {log}"
    );

    // Without any LoginRoutes installed, even a known name cannot resolve.
    let bare = with_memory_sessions(routes(&Runs::default()));
    let (answer, log) = with_log(send(&bare, get_with("/named", &[]))).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(log.contains("no LoginRoutes is installed"), "log: {log}");
}

#[test]
fn start_up_check_names_every_unregistered_login_route() {
    let partial = LoginRoutes::new().insert("admin-login", "/admin/login");
    let missing = partial.check_guarded_handlers().unwrap_err();
    assert_eq!(missing.names, ["nowhere-registered"]);
    assert!(missing.to_string().contains("nowhere-registered"));

    let complete = partial.insert("nowhere-registered", "/somewhere");
    assert_eq!(complete.check_guarded_handlers(), Ok(()));
}

#[tokio::test]
async fn failing_store_is_a_logged_500() {
    let runs = Runs::default();
    let app = with_sessions(routes(&runs), FailingStore);
    let cookie = unknown_session_cookie();
    for headers in [
        vec![("cookie", cookie.as_str())],
        vec![("cookie", cookie.as_str()), ("sec-fetch-mode", "cors")],
    ] {
        let (answer, log) = with_log(send(&app, get_with("/dash", &headers))).await;
        assert_eq!(
            answer.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{answer:?}"
        );
        assert!(answer.headers.get("location").is_none());
        assert_ne!(answer.body, LOGIN_REQUIRED);
        assert!(
            log.contains("session store failed") && log.contains("store is down"),
            "log: {log}"
        );
    }
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn missing_session_layer_is_a_500_whose_log_says_to_add_it() {
    let runs = Runs::default();
    let app = routes(&runs);
    let (answer, log) = with_log(send(&app, get_with("/dash", &[]))).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        log.contains("add tower_sessions::SessionManagerLayer"),
        "log: {log}"
    );
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn unknown_session_cookie_is_logged_out() {
    let (app, runs) = app();
    let cookie = unknown_session_cookie();
    let answer = send(&app, get_with("/dash", &[("cookie", cookie.as_str())])).await;
    assert_redirect(&answer, "/login?next=/dash", "navigation");
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn logout_ends_the_login() {
    let (app, _) = app();
    let cookie = log_in(&app, "").await;
    let headers = [("cookie", cookie.as_str())];
    assert_eq!(
        send(&app, get_with("/no-args", &headers)).await.status,
        StatusCode::OK
    );
    let answer = send(
        &app,
        request("POST", "/test/logout", &headers, Body::empty()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_redirect(
        &send(&app, get_with("/no-args", &headers)).await,
        "/login?next=/no-args",
        "navigation",
    );
}

#[tokio::test]
async fn login_cycles_the_session_id_against_fixation() {
    let (app, _) = app();
    let planted = log_in(&app, "").await;
    let answer = send(
        &app,
        request(
            "POST",
            "/test/login",
            &[("cookie", planted.as_str())],
            Body::empty(),
        ),
    )
    .await;
    let cycled = cookie_of(&answer);
    assert_ne!(cycled, planted);
    assert_eq!(
        send(&app, get_with("/no-args", &[("cookie", cycled.as_str())]))
            .await
            .status,
        StatusCode::OK
    );
    let answer = send(&app, get_with("/no-args", &[("cookie", planted.as_str())])).await;
    assert_redirect(&answer, "/login?next=/no-args", "navigation");
}

/// Handlers whose arguments are the same literals share one guard type, so
/// the compiler builds its extractor once (BENCHMARKS.md, compile time); a
/// path to a const may name different items in different places, so each
/// such handler keeps a type of its own.
#[test]
fn same_arguments_share_one_guard_type() {
    fn arguments_of<T: 'static, H: axum::handler::Handler<T, ()>>(_: H) -> std::any::TypeId {
        std::any::TypeId::of::<T>()
    }
    #[require_login(login = "/a")]
    async fn first() -> &'static str {
        "first"
    }
    #[require_login(login = "/a")]
    async fn second() -> &'static str {
        "second"
    }
    #[require_login(login = "/b")]
    async fn elsewhere() -> &'static str {
        "elsewhere"
    }
    const LOGIN: &str = "/a";
    #[require_login(login = LOGIN)]
    async fn by_const() -> &'static str {
        "by const"
    }
    #[require_login(login = LOGIN)]
    async fn by_const_too() -> &'static str {
        "by const too"
    }

    assert_eq!(arguments_of(first), arguments_of(second));
    assert_ne!(arguments_of(first), arguments_of(elsewhere));
    assert_ne!(arguments_of(by_const), arguments_of(by_const_too));
}
