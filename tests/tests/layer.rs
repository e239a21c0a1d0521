//! `RequireLoginLayer` through the real axum `Router`: what logged-out
//! navigations and AJAX calls get, that the route never runs for them,
//! store and set-up failures, nested routes, how a group layer and a
//! handler's own `#[require_login]` combine, and that the layer and the
//! attribute answer every request identically.

use axum::body::Body;
use axum::extract::{Json, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Extension, Router};
use http::StatusCode;
use require_login::{
    guard::{LoginRoutes, UnknownLoginRoutes},
    require_login, GuardConfig, GuardOptions, RequireLoginLayer, LOGIN_REQUIRED,
};
use require_login_tests::denial::*;
use require_login_tests::sessions::MemoryStore;
use require_login_tests::*;

const ADMIN: GuardOptions = GuardOptions::new()
    .with_login("/admin/login")
    .with_sentinel("ADMIN_LOGIN_REQUIRED")
    .with_status(401)
    .with_redirect_field(Some("return_to"));

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

/// [`assert_redirect`] to `login`, whose return-to `field` decodes to `next`.
#[track_caller]
fn assert_redirect_back(answer: &Answer, login: &str, field: &str, next: Option<&str>) {
    assert_redirect(answer, Login::Path(login), "navigation");
    let (_, value) = login_and(answer.header("location"), field);
    assert_eq!(value.as_deref(), next, "the return-to {field}");
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
    assert_redirect_back(&answer, "/login", "next", Some("/dash?tab=2&x=a%20b"));
    let head = send(&app, request("HEAD", "/dash", &[], Body::empty())).await;
    assert_redirect_back(&head, "/login", "next", Some("/dash"));
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
        let ajax = Ajax {
            htmx: signal.0 == "hx-request",
            ..Ajax::default()
        };
        assert_ajax(&answer, ajax, Login::Path("/login"), signal.0);
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
    assert_htmx(&htmx, Login::Path("/login"), "htmx");
    assert_eq!(
        login_and(htmx.header("x-login-url"), "next"),
        ("/login", Some("/board?id=7".to_owned())),
        "returns to the page, not the endpoint"
    );
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn extractors_never_run_logged_out() {
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
    assert_sentinel(&answer, Login::Path("/login"), "ajax");
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn logged_in_reach_the_route_untouched() {
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
    assert_redirect_back(&answer, "/login", "next", Some("/app/page?q=1"));
    // A group layer on the nested router itself sees the full path too.
    let admin = Router::new()
        .route("/page", get(page))
        .route_layer(RequireLoginLayer::new(ADMIN));
    let app2 = with_memory_sessions(Router::new().nest("/admin", admin).with_state(runs.clone()));
    let answer = send(&app2, get_with("/admin/page?q=1", &[])).await;
    assert_redirect_back(
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
    assert_ajax(
        &ajax,
        Ajax {
            status: StatusCode::UNAUTHORIZED,
            sentinel: "ADMIN_LOGIN_REQUIRED",
            htmx: false,
        },
        Login::Path("/admin/login"),
        "ajax",
    );
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn failing_store_is_a_logged_500() {
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
async fn the_group_answers_for_its_routes() {
    let (app, runs) = precedence_app();
    // The layer cannot see the handler's guard before running the handler,
    // and passing the request on would run unguarded bodies: it answers.
    for path in ["/in-group/billing", "/in-group/admin", "/in-group/plain"] {
        let answer = send(&app, get_with(path, &[])).await;
        assert_redirect_back(&answer, "/login", "next", Some(path));
    }
    assert_eq!(runs.count(), 0, "no body ran, guarded or not");
}

#[tokio::test]
async fn handler_target_wins_after_the_layer() {
    let (app, runs) = precedence_app();
    let answer = send(&app, get_with("/own/billing", &[])).await;
    assert_redirect_back(&answer, "/billing/login", "next", Some("/own/billing"));
    let ajax = send(
        &app,
        get_with("/own/billing", &[("sec-fetch-mode", "cors")]),
    )
    .await;
    assert_sentinel(&ajax, Login::Path("/billing/login"), "ajax");
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn handler_target_wins_inside_the_group() {
    let (app, runs) = precedence_app();
    // Logged in for the group (default key), not as admin: the layer lets
    // the request through, and the handler's own guard answers with its own
    // login page.
    let user = log_in(&app, "").await;
    let answer = send(&app, get_with("/in-group/admin", &[("cookie", &user)])).await;
    assert_redirect_back(&answer, "/admin/login", "next", Some("/in-group/admin"));
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
    assert_redirect_back(&answer, "/admin/login", "return_to", Some("/admin"));
    let answer = send(&app, get_with("/dash", &[])).await;
    assert_redirect_back(&answer, "/login", "next", Some("/dash"));
    // Nested first, then the outer layer: the outer layer runs first for
    // /admin too, so the outer group's login page answers.
    let covering = Router::new()
        .route("/dash", get(page))
        .nest("/admin", admin)
        .route_layer(RequireLoginLayer::default())
        .with_state(runs.clone());
    let app = with_memory_sessions(covering);
    let answer = send(&app, get_with("/admin", &[])).await;
    assert_redirect_back(&answer, "/login", "next", Some("/admin"));
    assert_eq!(runs.count(), 0);
}

// ---- the layer and the attribute: one decision ----

/// Under `session_key = "admin"`: only a login under that key counts.
const KEYED: GuardOptions = GuardOptions::new().with_session_key("admin");
/// No return-to link.
const BARE: GuardOptions = GuardOptions::new().with_redirect_field(None);
/// A login page named in `LoginRoutes`.
const NAMED: GuardOptions = GuardOptions::new().with_login("staff-login");
const STAFF_LOGIN_URL: &str = "/staff/sign-in";
/// An external sign-in service.
const SSO: GuardOptions = GuardOptions::new().with_login("https://sso.example.com/start");

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

#[require_login(session_key = "admin")]
async fn attr_keyed(State(runs): State<Runs>) -> impl IntoResponse {
    page(State(runs)).await
}

#[require_login(redirect_field = false)]
async fn attr_bare(State(runs): State<Runs>) -> impl IntoResponse {
    page(State(runs)).await
}

#[require_login(login = "staff-login")]
async fn attr_named(State(runs): State<Runs>) -> impl IntoResponse {
    page(State(runs)).await
}

#[require_login(login = "https://sso.example.com/start")]
async fn attr_sso(State(runs): State<Runs>) -> impl IntoResponse {
    page(State(runs)).await
}

/// A request's extra headers.
type Headers<'a> = &'a [(&'a str, &'a str)];

/// Which login a route's guard looks for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Key {
    Default,
    Admin,
}

/// What a logged-out request of one row gets, exactly.
#[derive(Debug, Clone, Copy)]
enum Denied {
    /// 303 with this `Location`.
    Redirect(&'static str),
    /// This status, this sentinel as the body, this `X-Login-Url` (and
    /// `HX-Redirect` when the request is htmx's).
    Ajax(StatusCode, &'static str, &'static str),
}

fn assert_answer(answer: &Answer, passes: bool, denied: Denied, htmx: bool, case: &str) {
    if passes {
        assert_eq!(answer.status, StatusCode::ACCEPTED, "{case}: {answer:?}");
        assert_eq!(answer.header("x-handler"), "page", "{case}");
        assert!(answer.headers.get("vary").is_none(), "{case}: untouched");
        let body = if case.contains("HEAD") { "" } else { "page" };
        assert_eq!(answer.body, body, "{case}");
        return;
    }
    match denied {
        Denied::Redirect(location) => assert_redirect(answer, location, case),
        Denied::Ajax(status, sentinel, login_url) => {
            let ajax = Ajax {
                status,
                sentinel,
                htmx,
            };
            assert_ajax(answer, ajax, login_url, case);
        }
    }
}

#[tokio::test]
async fn layer_and_attribute_give_identical_responses() {
    let runs = Runs::default();
    let store = MemoryStore::default();
    // Each route under exactly one layer, as the attribute app has one guard
    // per handler (`route_layer` covers the routes added before it).
    let group = |path: &str, options: GuardOptions| {
        Router::new()
            .route(path, get(page).post(page))
            .route_layer(RequireLoginLayer::new(options))
    };
    let main = Router::new()
        .route("/dash", get(page).post(page))
        .nest("/app", Router::new().route("/page", get(page)))
        .route_layer(RequireLoginLayer::default());
    let by_layer = main
        .merge(group("/admin/dash", ADMIN))
        .merge(group("/keyed", KEYED))
        .merge(group("/bare", BARE))
        .merge(group("/named", NAMED))
        .merge(group("/sso", SSO));
    let by_attribute = Router::new()
        .route("/dash", get(attr_default).post(attr_default))
        .nest("/app", Router::new().route("/page", get(attr_default)))
        .route("/admin/dash", get(attr_admin).post(attr_admin))
        .route("/keyed", get(attr_keyed).post(attr_keyed))
        .route("/bare", get(attr_bare).post(attr_bare))
        .route("/named", get(attr_named).post(attr_named))
        .route("/sso", get(attr_sso).post(attr_sso));
    let login_routes = LoginRoutes::new().insert("staff-login", STAFF_LOGIN_URL);
    let finish = |routes: Router<Runs>| {
        let routes = routes
            .layer(Extension(login_routes.clone()))
            .with_state(runs.clone());
        with_sessions(routes, store.clone())
    };
    let (by_layer, by_attribute) = (finish(by_layer), finish(by_attribute));

    let user = log_in(&by_layer, "").await;
    let admin = log_in(&by_layer, "?key=admin").await;
    let unknown = unknown_session_cookie();
    let sessions = [
        ("no cookie", "", None),
        ("unknown session", &unknown, None),
        ("logged in", &user, Some(Key::Default)),
        (
            "logged in under the admin key only",
            &admin,
            Some(Key::Admin),
        ),
    ];
    let page = [
        ("referer", "http://app.test/home?x=1"),
        ("host", "app.test"),
    ];
    let cors_from_page = [("sec-fetch-mode", "cors"), page[0], page[1]];
    let htmx = [
        ("hx-request", "true"),
        ("hx-current-url", "http://app.test/board"),
        ("host", "app.test"),
    ];
    use Denied::{Ajax, Redirect};
    const FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;
    let requests: [(&str, &str, Headers, Key, Denied); 20] = [
        // The defaults.
        (
            "GET",
            "/dash?a=1&b=%2F",
            &[],
            Key::Default,
            Redirect("/login?next=/dash%3Fa%3D1%26b%3D%252F"),
        ),
        (
            "HEAD",
            "/dash",
            &[],
            Key::Default,
            Redirect("/login?next=/dash"),
        ),
        (
            "GET",
            "/app/page?q=x",
            &[("sec-fetch-mode", "navigate")],
            Key::Default,
            Redirect("/login?next=/app/page%3Fq%3Dx"),
        ),
        (
            "GET",
            "/dash",
            &cors_from_page,
            Key::Default,
            Ajax(FORBIDDEN, LOGIN_REQUIRED, "/login?next=/home%3Fx%3D1"),
        ),
        (
            "GET",
            "/dash",
            &[("x-requested-with", "XMLHttpRequest")],
            Key::Default,
            Ajax(FORBIDDEN, LOGIN_REQUIRED, "/login"),
        ),
        (
            "GET",
            "/dash",
            &htmx,
            Key::Default,
            Ajax(FORBIDDEN, LOGIN_REQUIRED, "/login?next=/board"),
        ),
        (
            "GET",
            "/dash",
            &[("accept", "application/json")],
            Key::Default,
            Ajax(FORBIDDEN, LOGIN_REQUIRED, "/login"),
        ),
        (
            "POST",
            "/dash",
            &[
                ("referer", "http://app.test/form?id=3"),
                ("host", "app.test"),
            ],
            Key::Default,
            Redirect("/login?next=/form%3Fid%3D3"),
        ),
        // Every option set: login path, sentinel, status, return-to field.
        (
            "GET",
            "/admin/dash?tab=1",
            &[],
            Key::Default,
            Redirect("/admin/login?return_to=/admin/dash%3Ftab%3D1"),
        ),
        (
            "POST",
            "/admin/dash",
            &[("sec-fetch-mode", "cors")],
            Key::Default,
            Ajax(
                StatusCode::UNAUTHORIZED,
                "ADMIN_LOGIN_REQUIRED",
                "/admin/login",
            ),
        ),
        // session_key: only a login under "admin" counts.
        (
            "GET",
            "/keyed?x=1",
            &[],
            Key::Admin,
            Redirect("/login?next=/keyed%3Fx%3D1"),
        ),
        (
            "POST",
            "/keyed",
            &cors_from_page,
            Key::Admin,
            Ajax(FORBIDDEN, LOGIN_REQUIRED, "/login?next=/home%3Fx%3D1"),
        ),
        // redirect_field(None): the bare login URL, even with a page to return to.
        ("GET", "/bare?x=1", &[], Key::Default, Redirect("/login")),
        (
            "GET",
            "/bare",
            &htmx,
            Key::Default,
            Ajax(FORBIDDEN, LOGIN_REQUIRED, "/login"),
        ),
        (
            "POST",
            "/bare",
            &[
                ("referer", "http://app.test/form?id=3"),
                ("host", "app.test"),
            ],
            Key::Default,
            Redirect("/login"),
        ),
        // A named target, resolved through the installed LoginRoutes.
        (
            "GET",
            "/named?x=1",
            &[],
            Key::Default,
            Redirect("/staff/sign-in?next=/named%3Fx%3D1"),
        ),
        (
            "GET",
            "/named",
            &cors_from_page,
            Key::Default,
            Ajax(
                FORBIDDEN,
                LOGIN_REQUIRED,
                "/staff/sign-in?next=/home%3Fx%3D1",
            ),
        ),
        // An absolute https URL: an external sign-in service.
        (
            "GET",
            "/sso?x=1",
            &[],
            Key::Default,
            Redirect("https://sso.example.com/start?next=/sso%3Fx%3D1"),
        ),
        (
            "GET",
            "/sso",
            &htmx,
            Key::Default,
            Ajax(
                FORBIDDEN,
                LOGIN_REQUIRED,
                "https://sso.example.com/start?next=/board",
            ),
        ),
        (
            "POST",
            "/sso",
            &[("x-requested-with", "XMLHttpRequest")],
            Key::Default,
            Ajax(FORBIDDEN, LOGIN_REQUIRED, "https://sso.example.com/start"),
        ),
    ];
    let mut passed = 0;
    for (session, cookie, logged_in_as) in sessions {
        for (method, uri, headers, key, denied) in requests {
            let mut all = headers.to_vec();
            if !cookie.is_empty() {
                all.push(("cookie", cookie));
            }
            let a = send(&by_layer, request(method, uri, &all, Body::empty())).await;
            let b = send(&by_attribute, request(method, uri, &all, Body::empty())).await;
            let case = format!("{session}: {method} {uri} {headers:?}");
            let passes = logged_in_as == Some(key);
            let is_htmx = headers.iter().any(|(name, _)| *name == "hx-request");
            assert_answer(&a, passes, denied, is_htmx, &format!("layer, {case}"));
            assert_answer(&b, passes, denied, is_htmx, &format!("attribute, {case}"));
            assert_eq!(a.status, b.status, "{case}");
            assert_eq!(
                without_cookie_dates(&a.headers),
                without_cookie_dates(&b.headers),
                "{case}"
            );
            assert_eq!(a.body, b.body, "{case}");
            passed += usize::from(passes);
        }
    }
    assert_eq!(passed, 18 + 2, "18 rows for the user, 2 for the admin");
    assert_eq!(
        runs.count(),
        2 * passed,
        "the handler ran exactly when let through"
    );
}

/// The headers with each `Set-Cookie`'s `Expires` date left out: the two
/// answers to compare are made a moment apart, sometimes across a second.
fn without_cookie_dates(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = value.to_str().unwrap();
            let value = if name == "set-cookie" {
                value
                    .split("; ")
                    .filter(|part| !part.starts_with("Expires="))
                    .collect::<Vec<_>>()
                    .join("; ")
            } else {
                value.to_owned()
            };
            (name.to_string(), value)
        })
        .collect()
}

// ---- named targets on a layer, checked at start-up ----

/// A name only a layer uses: no attribute registers it.
const LAYER_ONLY: GuardOptions = GuardOptions::new().with_login("layer-only-login");

struct Billing;
impl GuardConfig for Billing {
    const OPTIONS: GuardOptions = GuardOptions::new().with_login("billing-login");
}

#[test]
fn start_up_check_covers_layers_and_configs() {
    let layer = RequireLoginLayer::new(LAYER_ONLY);
    let config = RequireLoginLayer::from_config::<Billing>();
    let routes = LoginRoutes::new().insert("staff-login", STAFF_LOGIN_URL);
    // The attribute's names are all registered: that check cannot see the
    // layers' and the config type's.
    assert_eq!(routes.check_guarded_handlers(), Ok(()));
    assert_eq!(
        routes.check_options([
            layer.options(),
            config.options(),
            &Billing::OPTIONS,
            &ADMIN,
            &SSO
        ]),
        Err(UnknownLoginRoutes {
            names: vec!["billing-login", "layer-only-login"]
        }),
        "each missing name once, sorted; paths and URLs need no registration"
    );
    let routes = routes
        .insert("layer-only-login", "/layer/login")
        .insert("billing-login", "/billing/login");
    assert_eq!(
        routes.check_options([layer.options(), &Billing::OPTIONS]),
        Ok(())
    );
    // check_guarded_handlers runs the same check over the attributes' options.
    assert_eq!(
        LoginRoutes::new().check_guarded_handlers(),
        Err(UnknownLoginRoutes {
            names: vec!["staff-login"]
        })
    );
}

#[tokio::test]
async fn unknown_layer_name_is_a_500_at_request() {
    let runs = Runs::default();
    let routes = Router::new()
        .route("/billing", get(page))
        .route_layer(RequireLoginLayer::new(LAYER_ONLY))
        .layer(Extension(
            LoginRoutes::new().insert("staff-login", STAFF_LOGIN_URL),
        ))
        .with_state(runs.clone());
    let app = with_memory_sessions(routes);
    let (answer, log) = with_log(send(&app, get_with("/billing", &[]))).await;
    assert_eq!(
        answer.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{answer:?}"
    );
    assert!(answer.headers.get("location").is_none());
    assert!(
        log.contains("\"layer-only-login\" is not registered"),
        "{log}"
    );
    assert_eq!(runs.count(), 0);
}
