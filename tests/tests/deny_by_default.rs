//! `GuardedRouter`: every route guarded unless declared public, each with
//! the right login answer, the start-up checks, and the audit.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::Router;
use http::StatusCode;
use require_login::router::{any, get, post};
use require_login::{
    guard::{LoginRoutes, UnknownLoginRoutes},
    require_login,
    router::{assert_audit_table, audit_table, GuardedRouterError},
    GuardConfig, GuardOptions, GuardedRouter, RequireLogin,
};
use require_login_tests::denial::{assert_ajax, assert_redirect, Ajax, Login};
use require_login_tests::{log_in, request, send, with_log, with_memory_sessions, Answer};

/// How often each handler body ran, by name.
#[derive(Clone, Default)]
struct Hits(Arc<Mutex<HashMap<&'static str, usize>>>);

impl Hits {
    fn hit(&self, name: &'static str) -> &'static str {
        *self.0.lock().unwrap().entry(name).or_default() += 1;
        name
    }
    fn take(&self, name: &str) -> usize {
        self.0.lock().unwrap().remove(name).unwrap_or(0)
    }
}

async fn health(State(hits): State<Hits>) -> &'static str {
    hits.hit("health")
}
async fn login_page(State(hits): State<Hits>) -> &'static str {
    hits.hit("login")
}
async fn admin_login_page(State(hits): State<Hits>) -> &'static str {
    hits.hit("admin-login")
}
async fn staff_login_page(State(hits): State<Hits>) -> &'static str {
    hits.hit("staff-login")
}
async fn team_login_page(State(hits): State<Hits>) -> &'static str {
    hits.hit("team-login")
}
async fn dashboard(State(hits): State<Hits>) -> &'static str {
    hits.hit("dashboard")
}
async fn save(State(hits): State<Hits>) -> &'static str {
    hits.hit("save")
}

/// Guarded by its own attribute and (with its own options) by the router.
#[require_login(login = "/admin/login", status = 401, sentinel = "ADMIN_LOGIN")]
async fn admin_stats(State(hits): State<Hits>) -> &'static str {
    hits.hit("admin-stats")
}

/// The attribute with the default options: the router's guard and its own, checked once.
#[require_login]
async fn notes(State(hits): State<Hits>) -> &'static str {
    hits.hit("notes")
}

struct Staff;
impl GuardConfig for Staff {
    const OPTIONS: GuardOptions = GuardOptions::new()
        .with_login("staff-login")
        .with_status(401);
}

async fn rota(_: RequireLogin<Staff>, State(hits): State<Hits>) -> &'static str {
    hits.hit("rota")
}

async fn team_board(State(hits): State<Hits>) -> &'static str {
    hits.hit("team-board")
}
async fn team_missing(State(hits): State<Hits>) -> &'static str {
    hits.hit("team-fallback")
}
async fn late(State(hits): State<Hits>) -> &'static str {
    hits.hit("late")
}
async fn late_public(State(hits): State<Hits>) -> &'static str {
    hits.hit("late-public")
}
async fn missing(State(hits): State<Hits>) -> (StatusCode, &'static str) {
    (StatusCode::NOT_FOUND, hits.hit("fallback"))
}

fn routes() -> GuardedRouter<Hits> {
    routes_with(None)
}

/// The test app; `change` makes one mistake in it, for the pinned table to catch.
fn routes_with(change: Option<&str>) -> GuardedRouter<Hits> {
    let team = GuardedRouter::default()
        .default_guard(GuardOptions::new().with_login("/team/login"))
        .route("/board", get(team_board))
        .route("/admin", get(admin_stats))
        .public_route("/login", get(team_login_page))
        .fallback(any(team_missing));
    let files = tower::service_fn(|_: Request| async {
        Ok::<_, std::convert::Infallible>("a private file")
    });
    let routes = GuardedRouter::default()
        .guard_config::<Staff>()
        .login_routes(LoginRoutes::new().insert("staff-login", "/staff/login"))
        .public_route("/health", get(health))
        .public_route("/login", get(login_page))
        .public_route("/admin/login", get(admin_login_page))
        .public_route("/staff/login", get(staff_login_page))
        .route("/dashboard", get(dashboard).post(save))
        .route(
            "/admin/stats",
            if change == Some("admin-stats-lost-its-attribute") {
                get(dashboard)
            } else {
                get(admin_stats)
            },
        )
        .route("/notes", get(notes))
        .route("/staff/rota", get(rota))
        .nest("/team", team)
        .nest_service("/files", files)
        .layer(axum::Extension("a layer before the late routes"))
        .route("/late", get(late));
    let routes = if change == Some("late-public-guarded") {
        routes.route("/late/public", get(late_public))
    } else {
        routes.public_route("/late/public", get(late_public))
    };
    routes.fallback(any(missing))
}

const TABLE: &str = "
    METHOD  PATH            ACCESS   BY       LOGIN         STATUS  SENTINEL
    GET     /health         public   -        -             -       -
    GET     /login          public   -        -             -       -
    GET     /admin/login    public   -        -             -       -
    GET     /staff/login    public   -        -             -       -
    GET     /dashboard      guarded  default  /login        403     LOGIN_REQUIRED
    POST    /dashboard      guarded  default  /login        403     LOGIN_REQUIRED
    GET     /admin/stats    guarded  handler  /admin/login  401     ADMIN_LOGIN
    GET     /notes          guarded  handler  /login        403     LOGIN_REQUIRED
    GET     /staff/rota     guarded  handler  staff-login   401     LOGIN_REQUIRED
    GET     /team/board     guarded  default  /team/login   403     LOGIN_REQUIRED
    GET     /team/admin     guarded  handler  /admin/login  401     ADMIN_LOGIN
    GET     /team/login     public   -        -             -       -
    ANY     /team/*         guarded  default  /team/login   403     LOGIN_REQUIRED
    ANY     /files/*        guarded  default  /login        403     LOGIN_REQUIRED
    GET     /late           guarded  default  /login        403     LOGIN_REQUIRED
    GET     /late/public    public   -        -             -       -
    ANY     *               guarded  default  /login        403     LOGIN_REQUIRED
";

fn app(hits: &Hits) -> Router {
    with_memory_sessions(routes().build().unwrap().with_state(hits.clone()))
}

/// What a logged-out user must get on a row.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// The handler, whoever asks (`status` of the handler's answer).
    Public(StatusCode),
    /// The login answer: navigations to `login`, scripts `status` + `sentinel`.
    Denied {
        login: &'static str,
        status: u16,
        sentinel: &'static str,
    },
}

const DEFAULT: Expect = Expect::Denied {
    login: "/login",
    status: 403,
    sentinel: "LOGIN_REQUIRED",
};
const ADMIN: Expect = Expect::Denied {
    login: "/admin/login",
    status: 401,
    sentinel: "ADMIN_LOGIN",
};

/// (method, path, what a logged-out user gets, the handler that must run, its status when it does)
fn cases() -> Vec<(&'static str, &'static str, Expect, &'static str, StatusCode)> {
    let ok = StatusCode::OK;
    vec![
        ("GET", "/health", Expect::Public(ok), "health", ok),
        ("GET", "/login", Expect::Public(ok), "login", ok),
        ("GET", "/admin/login", Expect::Public(ok), "admin-login", ok),
        ("GET", "/staff/login", Expect::Public(ok), "staff-login", ok),
        ("GET", "/team/login", Expect::Public(ok), "team-login", ok),
        ("GET", "/late/public", Expect::Public(ok), "late-public", ok),
        ("GET", "/dashboard", DEFAULT, "dashboard", ok),
        ("POST", "/dashboard", DEFAULT, "save", ok),
        ("GET", "/admin/stats", ADMIN, "admin-stats", ok),
        ("GET", "/notes", DEFAULT, "notes", ok),
        (
            "GET",
            "/staff/rota",
            Expect::Denied {
                login: "/staff/login",
                status: 401,
                sentinel: "LOGIN_REQUIRED",
            },
            "rota",
            ok,
        ),
        (
            "GET",
            "/team/board",
            Expect::Denied {
                login: "/team/login",
                status: 403,
                sentinel: "LOGIN_REQUIRED",
            },
            "team-board",
            ok,
        ),
        ("GET", "/team/admin", ADMIN, "admin-stats", ok),
        (
            "GET",
            "/team/no-such-page",
            Expect::Denied {
                login: "/team/login",
                status: 403,
                sentinel: "LOGIN_REQUIRED",
            },
            "team-fallback",
            ok,
        ),
        ("GET", "/files/report.pdf", DEFAULT, "", ok),
        ("GET", "/late", DEFAULT, "late", ok),
        (
            "GET",
            "/no/such/page",
            DEFAULT,
            "fallback",
            StatusCode::NOT_FOUND,
        ),
        (
            "DELETE",
            "/no/such/page",
            DEFAULT,
            "fallback",
            StatusCode::NOT_FOUND,
        ),
    ]
}

/// The three kinds of logged-out request: a page load, a `fetch()`, and htmx.
fn kinds() -> [(&'static str, Vec<(&'static str, &'static str)>); 3] {
    [
        (
            "navigation",
            vec![("sec-fetch-mode", "navigate"), ("accept", "text/html")],
        ),
        (
            "fetch",
            vec![
                ("sec-fetch-mode", "cors"),
                ("referer", "http://app.test/page"),
                ("host", "app.test"),
            ],
        ),
        (
            "htmx",
            vec![
                ("hx-request", "true"),
                ("hx-current-url", "http://app.test/page"),
                ("host", "app.test"),
            ],
        ),
    ]
}

fn assert_denied(answer: &Answer, kind: &str, expect: Expect, case: &str) {
    let Expect::Denied {
        login,
        status,
        sentinel,
    } = expect
    else {
        unreachable!()
    };
    if kind == "navigation" {
        return assert_redirect(answer, Login::Path(login), case);
    }
    let ajax = Ajax {
        status: StatusCode::from_u16(status).unwrap(),
        sentinel,
        htmx: kind == "htmx",
    };
    assert_ajax(answer, ajax, Login::Path(login), case);
}

#[tokio::test]
async fn every_route_answers_as_declared() {
    let hits = Hits::default();
    let app = app(&hits);
    for (method, path, expect, handler, _) in cases() {
        for (kind, headers) in kinds() {
            let case = format!("logged-out {kind} {method} {path}");
            let answer = send(&app, request(method, path, &headers, Body::empty())).await;
            match expect {
                Expect::Public(status) => {
                    assert_eq!(answer.status, status, "{case}: {answer:?}");
                    assert_eq!(hits.take(handler), 1, "{case}: the handler runs once");
                }
                Expect::Denied { .. } => {
                    assert_denied(&answer, kind, expect, &case);
                    assert_eq!(hits.take(handler), 0, "{case}: the handler never runs");
                }
            }
        }
    }

    let cookie = log_in(&app, "").await;
    for (method, path, _, handler, status) in cases() {
        let answer = send(
            &app,
            request(method, path, &[("cookie", &cookie)], Body::empty()),
        )
        .await;
        assert_eq!(
            answer.status, status,
            "logged-in {method} {path}: {answer:?}"
        );
        if handler.is_empty() {
            assert_eq!(answer.body, "a private file");
        } else {
            assert_eq!(answer.body, handler, "logged-in {method} {path}");
            assert_eq!(
                hits.take(handler),
                1,
                "logged-in {method} {path}: the handler runs exactly once"
            );
        }
    }
}

#[test]
fn the_audit_lists_every_route_with_its_protection() {
    assert_audit_table(&routes().audit().unwrap(), TABLE);
}

#[test]
#[should_panic(expected = "+ found:    GET /late/public guarded default /login 403 LOGIN_REQUIRED")]
fn pinned_table_catches_a_lost_public_mark() {
    let changed = routes_with(Some("late-public-guarded"));
    assert_audit_table(&changed.audit().unwrap(), TABLE);
}

#[test]
#[should_panic(
    expected = "- expected: GET /admin/stats guarded handler /admin/login 401 ADMIN_LOGIN"
)]
fn the_pinned_table_fails_when_a_route_changes_its_login_answer() {
    let changed = routes_with(Some("admin-stats-lost-its-attribute"));
    assert_audit_table(&changed.audit().unwrap(), TABLE);
}

#[tokio::test]
async fn build_logs_the_audit_table_on_request() {
    let (built, log) = with_log(async { routes().log_audit().build() }).await;
    assert!(built.is_ok());
    let table = audit_table(&routes().audit().unwrap());
    assert!(log.contains("require_login::audit"), "{log}");
    for line in table.lines() {
        assert!(log.contains(line), "{line:?} missing from the log:\n{log}");
    }
    let (_, quiet) = with_log(async { routes().build() }).await;
    assert!(!quiet.contains("require_login::audit"), "{quiet}");
}

// ---- start-up checks ----

#[test]
fn a_login_page_added_as_a_guarded_route_is_refused() {
    let error = GuardedRouter::<()>::new()
        .route("/dashboard", get(|| async { "dashboard" }))
        .route("/login", get(|| async { "the form" }))
        .build()
        .unwrap_err();
    assert_eq!(
        error,
        GuardedRouterError::LoginPageGuarded {
            login: "/login".into(),
            served_by: "`GET /login`".into(),
            sent_from: "`GET /dashboard`".into(),
        }
    );
    assert!(
        error.to_string().contains("public_route(\"/login\""),
        "{error}"
    );
}

#[test]
fn a_login_page_left_to_the_guarded_fallback_is_refused() {
    let error = GuardedRouter::<()>::new()
        .route("/dashboard", get(|| async { "dashboard" }))
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, GuardedRouterError::LoginPageGuarded { login, served_by, .. }
            if login == "/login" && served_by == "the fallback `*`"),
        "{error:?}"
    );
}

#[test]
fn login_page_behind_a_guard_is_refused() {
    let error = GuardedRouter::<Hits>::default()
        .public_route("/login", get(login_page))
        .route("/admin/stats", get(admin_stats))
        .route("/admin/{page}", get(dashboard))
        .build()
        .unwrap_err();
    assert_eq!(
        error,
        GuardedRouterError::LoginPageGuarded {
            login: "/admin/login".into(),
            served_by: "`GET /admin/{page}`".into(),
            sent_from: "`GET /admin/stats`".into(),
        }
    );
    let service = tower::service_fn(|_: Request| async { Ok::<_, std::convert::Infallible>("x") });
    let error = GuardedRouter::<Hits>::default()
        .public_route("/login", get(login_page))
        .route("/admin/stats", get(admin_stats))
        .nest_service("/admin", service)
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, GuardedRouterError::LoginPageGuarded { served_by, .. } if served_by == "`ANY /admin/*`"),
        "{error:?}"
    );
}

#[test]
fn unknown_named_login_targets_are_refused() {
    let error = GuardedRouter::<()>::new()
        .default_guard(GuardOptions::new().with_login("main-login"))
        .public_route("/login", get(|| async { "the form" }))
        .route("/", get(|| async { "home" }))
        .build()
        .unwrap_err();
    assert_eq!(
        error,
        GuardedRouterError::UnknownLoginRoutes(UnknownLoginRoutes {
            names: vec!["main-login"]
        })
    );
    assert!(error.to_string().contains("main-login"), "{error}");
    assert!(error.to_string().contains("login_routes"), "{error}");

    // The same names, registered, and the page public: accepted.
    let built = GuardedRouter::<()>::new()
        .default_guard(GuardOptions::new().with_login("main-login"))
        .login_routes(LoginRoutes::new().insert("main-login", "/login"))
        .public_route("/login", get(|| async { "the form" }))
        .route("/", get(|| async { "home" }))
        .build();
    assert!(built.is_ok());
    // Registered, but the page it names is guarded: refused.
    let error = GuardedRouter::<()>::new()
        .default_guard(GuardOptions::new().with_login("main-login"))
        .login_routes(LoginRoutes::new().insert("main-login", "/sign-in"))
        .public_route("/login", get(|| async { "the form" }))
        .route("/sign-in", get(|| async { "the form" }))
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, GuardedRouterError::LoginPageGuarded { login, .. } if login == "/sign-in"),
        "{error:?}"
    );
}

#[test]
fn a_path_both_public_and_guarded_is_refused() {
    let error = GuardedRouter::<()>::new()
        .public_route("/login", get(|| async { "the form" }))
        .public_route("/notes", get(|| async { "notes" }))
        .route("/notes", post(|| async { "saved" }))
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, GuardedRouterError::PublicAndGuarded { path, .. } if path == "/notes"),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("GET is public and POST is guarded"),
        "{error}"
    );

    // A public route whose handler guards itself.
    let error = GuardedRouter::<Hits>::default()
        .public_route("/login", get(login_page))
        .public_route("/notes", get(notes))
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, GuardedRouterError::PublicAndGuarded { path, .. } if path == "/notes"),
        "{error:?}"
    );
}

#[test]
fn a_guard_config_the_router_was_not_told_about_is_refused() {
    let error = GuardedRouter::<Hits>::default()
        .public_route("/login", get(login_page))
        .route("/staff/rota", get(rota))
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, GuardedRouterError::UnknownGuardConfig { config, route }
            if config.ends_with("Staff") && route == "`GET /staff/rota`"),
        "{error:?}"
    );
    assert!(error.to_string().contains(".guard_config::<"), "{error}");
}

/// Route-by-route guarding is untouched: the attribute alone, and the
/// group layer, still answer as before on a plain axum router.
#[tokio::test]
async fn plain_router_works_as_before() {
    let hits = Hits::default();
    let plain = Router::new()
        .route("/dashboard", axum::routing::get(dashboard))
        .route_layer(require_login::RequireLoginLayer::default())
        .route("/admin/stats", axum::routing::get(admin_stats))
        .route("/open", axum::routing::get(health))
        .with_state(hits.clone());
    let app = with_memory_sessions(plain);
    let nav = [("sec-fetch-mode", "navigate")];
    let answer = send(&app, request("GET", "/dashboard", &nav, Body::empty())).await;
    assert_redirect(&answer, Login::Path("/login"), "/dashboard");
    let answer = send(&app, request("GET", "/admin/stats", &nav, Body::empty())).await;
    assert_redirect(&answer, Login::Path("/admin/login"), "/admin/stats");
    let answer = send(&app, request("GET", "/open", &nav, Body::empty())).await;
    assert_eq!((answer.status, hits.take("health")), (StatusCode::OK, 1));
    assert_eq!(hits.take("dashboard") + hits.take("admin-stats"), 0);
}

/// A `route_layer` (a CSRF check, say) runs inside each route's guard: a
/// logged-out user gets the login answer without reaching it, and a
/// logged-in one passes the guard, the layer and the handler once each,
/// also where the handler's own `#[require_login]` sits under the layer.
#[tokio::test]
async fn route_layers_run_inside_the_guard() {
    use axum::middleware::{from_fn, Next};

    let hits = Hits::default();
    let layer_hits = hits.clone();
    let routes = GuardedRouter::<Hits>::default()
        .public_route("/login", get(login_page))
        .public_route("/admin/login", get(admin_login_page))
        .route("/dashboard", get(dashboard))
        .route("/admin/stats", get(admin_stats))
        .route_layer(from_fn(move |request: Request, next: Next| {
            let hits = layer_hits.clone();
            async move {
                hits.hit("route-layer");
                next.run(request).await
            }
        }));
    let app = with_memory_sessions(routes.build().unwrap().with_state(hits.clone()));
    let nav = [("sec-fetch-mode", "navigate")];
    for (path, login) in [("/dashboard", "/login"), ("/admin/stats", "/admin/login")] {
        let answer = send(&app, request("GET", path, &nav, Body::empty())).await;
        assert_redirect(&answer, Login::Path(login), path);
        assert_eq!(
            hits.take("route-layer"),
            0,
            "{path}: the guard answers first"
        );
    }
    let cookie = log_in(&app, "").await;
    for (path, handler) in [("/dashboard", "dashboard"), ("/admin/stats", "admin-stats")] {
        let answer = send(
            &app,
            request("GET", path, &[("cookie", &cookie)], Body::empty()),
        )
        .await;
        assert_eq!(answer.body, handler);
        assert_eq!(
            (hits.take("route-layer"), hits.take(handler)),
            (1, 1),
            "{path}"
        );
    }
}

/// A report that greets logged-out visitors itself (`Result`), and a home
/// page that shows either face (`Option`).
async fn own_report(
    guard: Result<RequireLogin<Staff>, require_login::LoginRejection>,
    State(hits): State<Hits>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match guard {
        Ok(_) => hits.hit("report").into_response(),
        Err(require_login::LoginRejection::Redirect { .. }) => {
            hits.hit("report-for-visitors").into_response()
        }
        Err(other) => other.into_response(),
    }
}
async fn own_home(user: Option<RequireLogin>, State(hits): State<Hits>) -> &'static str {
    match user {
        Some(_) => hits.hit("home-for-users"),
        None => hits.hit("home-for-visitors"),
    }
}

/// A handler that takes `Result<RequireLogin, LoginRejection>` or
/// `Option<RequireLogin>` answers logged-out users itself: the router runs
/// it (no route guard first, under `route` and `public_route` alike), and
/// the audit says so.
#[tokio::test]
async fn self_deciding_handler_runs_and_is_audited() {
    let hits = Hits::default();
    let routes = GuardedRouter::<Hits>::default()
        .guard_config::<Staff>()
        .login_routes(LoginRoutes::new().insert("staff-login", "/staff/login"))
        .public_route("/login", get(login_page))
        .public_route("/staff/login", get(staff_login_page))
        .route("/report", get(own_report))
        .public_route("/home", get(own_home))
        .route("/home", post(own_home));
    assert_audit_table(
        &routes.audit().unwrap(),
        "
        METHOD PATH          ACCESS  BY      LOGIN       STATUS SENTINEL
        GET    /login        public  -       -           -      -
        GET    /staff/login  public  -       -           -      -
        GET    /report       decides handler staff-login 401    LOGIN_REQUIRED
        GET    /home         decides handler /login      403    LOGIN_REQUIRED
        POST   /home         decides handler /login      403    LOGIN_REQUIRED
        ANY    *             guarded default /login      403    LOGIN_REQUIRED
        ",
    );
    let app = with_memory_sessions(routes.build().unwrap().with_state(hits.clone()));
    let nav = [("sec-fetch-mode", "navigate")];
    let answer = send(&app, request("GET", "/report", &nav, Body::empty())).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::OK, "report-for-visitors")
    );
    let fetch = [("sec-fetch-mode", "cors")];
    let answer = send(&app, request("GET", "/report", &fetch, Body::empty())).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::UNAUTHORIZED, "LOGIN_REQUIRED"),
        "the handler passed the guard's own AJAX answer on"
    );
    for method in ["GET", "POST"] {
        let answer = send(&app, request(method, "/home", &nav, Body::empty())).await;
        assert_eq!(answer.body, "home-for-visitors", "{method}");
    }
    let cookie = log_in(&app, "").await;
    let with_cookie = [("cookie", cookie.as_str())];
    let answer = send(&app, request("GET", "/report", &with_cookie, Body::empty())).await;
    assert_eq!(answer.body, "report");
    let answer = send(&app, request("POST", "/home", &with_cookie, Body::empty())).await;
    assert_eq!(answer.body, "home-for-users");
    assert_eq!(
        (
            hits.take("report-for-visitors"),
            hits.take("report"),
            hits.take("home-for-visitors"),
            hits.take("home-for-users")
        ),
        (1, 1, 2, 1),
        "each handler ran once per request"
    );
}

/// A login page that greets a logged-in visitor itself is no loop: the
/// start-up check lets it be the login page.
#[test]
fn self_deciding_login_page_is_allowed() {
    let built = GuardedRouter::<Hits>::default()
        .route("/login", get(own_home))
        .route("/dashboard", get(dashboard))
        .build();
    assert!(built.is_ok(), "{:?}", built.err());
}
