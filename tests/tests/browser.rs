//! Real-browser tests: the demo app (exactly the one `cargo run -p
//! require-login-demo` serves) in headless Chromium, driven over WebDriver.
//!
//! Each test starts its own ChromeDriver on a free port, a fresh Chromium
//! profile, and a demo app on `127.0.0.1:0`; tests run one at a time. The
//! harness, and what it needs installed, is in `browser_harness/`, shared
//! with `browser_forms.rs`.

// The demo (and its CSRF, on tower-sessions 0.15 only) is the same app on
// both runs of the suite: its browser tests run in the default line's run.
#![cfg(not(feature = "tower-sessions-014"))]

mod browser_harness;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use browser_harness::{run_in_browser, Location, Tab, LONG_IDLE, SHORT_IDLE, WAIT};
use fantoccini::Locator;
use futures_util::StreamExt as _;
use require_login_demo::{app, DemoConfig, NPM_HTMX};
use serde_json::json;

/// How long `/test/paused-stream` waits after its first chunk.
const STREAM_PAUSE: Duration = Duration::from_secs(5);

/// How long `/test/slow-login` takes to answer.
const SLOW_LOGIN: Duration = Duration::from_secs(2);

/// Runs `scenario` against a fresh demo app (sessions ending after `idle`),
/// with the test-only routes, in a fresh browser.
fn browser_test<F, Fut>(idle: Duration, scenario: F)
where
    F: FnOnce(Tab) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_in_browser(move || test_app(idle), scenario);
}

/// The demo app, plus a few test-only routes.
fn test_app(idle: Duration) -> axum::Router {
    let config = DemoConfig {
        idle,
        ..DemoConfig::default()
    };
    HITS.lock().unwrap_or_else(PoisonError::into_inner).clear();
    ARRIVED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clear();
    app(config)
        // Which headers a request arrived with; readable from other origins
        // (a simple CORS GET, never preflighted).
        .route(
            "/test/echo-headers",
            get(|headers: axum::http::HeaderMap| async move {
                let value = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("none")
                        .to_owned()
                };
                (
                    [("access-control-allow-origin", "*")],
                    format!(
                        "x-requested-with={};authorization={}",
                        value("x-requested-with"),
                        value("authorization")
                    ),
                )
            }),
        )
        // A page whose script does not mark requests.
        .route("/test/unmarked.js", UNMARKED_SCRIPT.method_router())
        .route(
            "/test/unmarked",
            get(|| async {
                Html("<!doctype html><title>unmarked</title><script src=\"/test/unmarked.js\"></script><p>unmarked</p>")
            }),
        )
        // A second page with the default tag, and one loading the script from
        // its plain, unversioned URL.
        .route(
            "/test/second-page",
            get(|| async {
                Html(format!(
                    "<!doctype html><title>second</title>{}<p>second</p>",
                    require_login::CLIENT_SCRIPT_TAG
                ))
            }),
        )
        .route(
            "/test/plain-url",
            get(|| async {
                Html(format!(
                    "<!doctype html><title>plain</title>{}<p>plain</p>",
                    require_login::client::script_tag(require_login::CLIENT_SCRIPT_PATH)
                ))
            }),
        )
        // A loop no login ends: the page's call is denied with /test/bounce as
        // the login page, which sends the browser straight back. The page
        // keeps its console errors in sessionStorage.
        .route(
            "/test/loop-page",
            get(|| async {
                Html(format!(
                    "<!doctype html><title>loop</title>\
                     <script>console.error = function (m) {{ sessionStorage.setItem('console', String(m)); }};</script>\
                     {}<p>loop</p><script>fetch('/test/loop-denial');</script>",
                    require_login::CLIENT_SCRIPT_TAG
                ))
            }),
        )
        .route(
            "/test/loop-denial",
            get(|| async {
                (
                    StatusCode::FORBIDDEN,
                    [("x-login-url", "/test/bounce")],
                    require_login::LOGIN_REQUIRED,
                )
            }),
        )
        .route(
            "/test/bounce",
            get(|| async { axum::response::Redirect::to("/test/loop-page") }),
        )
        // The same loop in a tab whose sessionStorage is full: the page fills
        // it before the script runs, and keeps console errors on `window`.
        .route(
            "/test/full-loop-page",
            get(|| async {
                Html(format!(
                    "<!doctype html><title>full</title>                     <script>window.errors = []; console.error = function (m) {{ window.errors.push(String(m)); }};                     var chunk = 'x'.repeat(1 << 20), i = 0;                     while (chunk.length) {{                       try {{ sessionStorage.setItem('fill' + i++, chunk); }} catch (e) {{ chunk = chunk.slice(0, chunk.length >> 1); }}                     }}</script>                     {}<p>full</p><script>fetch('/test/full-loop-denial');</script>",
                    require_login::CLIENT_SCRIPT_TAG
                ))
            }),
        )
        .route(
            "/test/full-loop-denial",
            get(|| async {
                (
                    StatusCode::FORBIDDEN,
                    [("x-login-url", "/test/full-bounce")],
                    require_login::LOGIN_REQUIRED,
                )
            }),
        )
        .route(
            "/test/full-bounce",
            get(|| async { axum::response::Redirect::to("/test/full-loop-page") }),
        )
        // A page whose calls are denied with a slow login page, so that the
        // test can cancel the visit (as a "Leave site?" prompt answered
        // "Stay" does) before it arrives.
        .route(
            "/test/stay",
            get(|| async {
                Html(format!(
                    "<!doctype html><title>stay</title>{}\
                     <button id=\"call\" onclick=\"fetch('/test/slow-denial');\
                       if (!window.cancelledOnce) {{ window.cancelledOnce = true; setTimeout(function () {{ window.stop(); }}, 700); }}\">\
                     call</button>",
                    require_login::CLIENT_SCRIPT_TAG
                ))
            }),
        )
        .route(
            "/test/slow-denial",
            get(|| async {
                (
                    StatusCode::FORBIDDEN,
                    [("x-login-url", "/test/slow-login")],
                    require_login::LOGIN_REQUIRED,
                )
            }),
        )
        .route(
            "/test/slow-login",
            get(|| async {
                tokio::time::sleep(SLOW_LOGIN).await;
                Html("<!doctype html><title>login</title><p>slow login page</p>")
            }),
        )
        // A page with the client script and nothing else, for script-level checks.
        .route(
            "/test/blank",
            get(|| async {
                Html(format!(
                    "<!doctype html><title>blank</title>{}<p id=\"blank\">blank</p>",
                    require_login::CLIENT_SCRIPT_TAG
                ))
            }),
        )
        // The sentinel without `X-Login-Url`: the script must read the body (on a clone).
        .route(
            "/test/sentinel-only",
            get(|| async {
                (
                    StatusCode::FORBIDDEN,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    require_login::LOGIN_REQUIRED,
                )
            }),
        )
        // A streamed 403 without Content-Length: the page must get every chunk.
        .route(
            "/test/stream",
            get(|| async {
                let chunks = futures_util::stream::unfold(0u8, |n| async move {
                    if n == 3 {
                        return None;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    let chunk = axum::body::Bytes::from(format!("chunk{n};"));
                    Some((Ok::<_, std::convert::Infallible>(chunk), n + 1))
                });
                (
                    StatusCode::FORBIDDEN,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    axum::body::Body::from_stream(chunks),
                )
            }),
        )
        // An ordinary 403, not a guard's: nothing may happen.
        .route(
            "/test/forbidden",
            get(|| async { (StatusCode::FORBIDDEN, "you may not").into_response() }),
        )
        // The sentinel in two chunks, without Content-Length or X-Login-Url.
        .route(
            "/test/stream-sentinel",
            get(|| async {
                let chunks = futures_util::stream::iter(["LOGIN_", "REQUIRED"].map(|part| {
                    Ok::<_, std::convert::Infallible>(axum::body::Bytes::from_static(
                        part.as_bytes(),
                    ))
                }));
                (
                    StatusCode::FORBIDDEN,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    axum::body::Body::from_stream(chunks),
                )
            }),
        )
        // A page whose browser has no URL parser (as old ones had none).
        .route(
            "/test/no-url-parser",
            get(|| async {
                Html(format!(
                    "<!doctype html><title>no URL</title><script>window.URL = undefined;</script>{}<p>no URL</p>",
                    require_login::CLIENT_SCRIPT_TAG
                ))
            }),
        )
        // A 403 stream that pauses after its first chunk: the page must get
        // that chunk without waiting for the script's check.
        .route(
            "/test/paused-stream",
            get(|| async {
                let chunks = futures_util::stream::unfold(0u8, |n| async move {
                    match n {
                        0 => Some((axum::body::Bytes::from_static(b"first;"), 1)),
                        1 => {
                            tokio::time::sleep(STREAM_PAUSE).await;
                            Some((axum::body::Bytes::from_static(b"second;"), 2))
                        }
                        _ => None,
                    }
                })
                .map(Ok::<_, std::convert::Infallible>);
                (
                    StatusCode::FORBIDDEN,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    axum::body::Body::from_stream(chunks),
                )
            }),
        )
        // A denial whose X-Login-Url a URL parser reads as another host: the
        // tab is dropped, leaving `//evil.example/login`.
        .route(
            "/test/tab-login-url",
            get(|| async {
                (
                    StatusCode::FORBIDDEN,
                    [("x-login-url", "/\t/evil.example/login")],
                    "denied",
                )
            }),
        )
        // A denial whose X-Login-Url no URL parser takes.
        .route(
            "/test/bad-login-url",
            get(|| async {
                (
                    StatusCode::FORBIDDEN,
                    [("x-login-url", "https://[bad/login")],
                    "denied",
                )
            }),
        )
        // Another site's API (fetched from the other host name) answering
        // like a guard, readable through CORS: the script must ignore it.
        .route(
            "/test/foreign-denial",
            get(|| async {
                (
                    StatusCode::UNAUTHORIZED,
                    [
                        ("x-login-url", "https://example.invalid/phish"),
                        ("access-control-allow-origin", "*"),
                        ("access-control-expose-headers", "x-login-url"),
                        ("content-type", "text/plain; charset=utf-8"),
                    ],
                    require_login::LOGIN_REQUIRED,
                )
            }),
        )
        // A page whose script falls back to `/elsewhere`: a call that lands on
        // the route's own login page followed X-Login-Url.
        .route("/test/elsewhere.js", ELSEWHERE_SCRIPT.method_router())
        .route(
            "/test/elsewhere",
            get(|| async {
                Html(
                    "<!doctype html><title>elsewhere</title><script src=\"/test/elsewhere.js\"></script>\
                     <script src=\"/assets/jquery.min.js\"></script><script src=\"/assets/htmx.min.js\"></script>\
                     <p id=\"blank\">elsewhere</p>",
                )
            }),
        )
        // Two scripts on one page: the second, for another guard's sentinel,
        // adds that sentinel to the first's.
        .route("/test/other-sentinel.js", OTHER_SENTINEL_SCRIPT.method_router())
        .route(
            "/test/two-scripts",
            get(|| async {
                Html(format!(
                    "<!doctype html><title>two scripts</title>{}\
                     <script src=\"/test/other-sentinel.js\"></script><p>two scripts</p>",
                    require_login::CLIENT_SCRIPT_TAG
                ))
            }),
        )
        .route(
            "/test/other-sentinel",
            get(|| async {
                (
                    StatusCode::FORBIDDEN,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    OTHER_SENTINEL_SCRIPT.sentinel(),
                )
            }),
        )
        // A login page with the script, whose own call is guarded with it as the target.
        .route(
            "/test/loop-login",
            get(|| async {
                Html(format!(
                    "<!doctype html><title>login</title>{}<p>a login page</p>",
                    require_login::CLIENT_SCRIPT_TAG
                ))
            }),
        )
        // Added after the demo's session layer: a session layer of its own.
        .route(
            "/test/loop-api",
            get(loop_api).layer(tower_sessions::SessionManagerLayer::new(
                tower_sessions::MemoryStore::default(),
            )),
        )
        // The round trip (issue 10): a login page whose shared layout polls a
        // guarded badge with htmx and fetches it, and the page it guards.
        // With a session layer of their own, added after the demo's.
        .merge(
            axum::Router::new()
                .route("/test/badge-login", get(badge_login_page).post(badge_log_in))
                .route("/test/badge", get(badge))
                .route("/test/badge-home", get(badge_home))
                .layer(
                    tower_sessions::SessionManagerLayer::new(tower_sessions::MemoryStore::default())
                        .with_secure(false),
                ),
        )
        // hx-boost and Turbo pages, and Turbo itself.
        .route(
            "/test/boost",
            get(|| async {
                Html(
                    "<!doctype html><title>boost</title><script src=\"/assets/htmx.min.js\"></script>\
                     <body hx-boost=\"true\"><p>boost</p><a id=\"boosted\" href=\"/dashboard?tab=2\">dashboard</a></body>",
                )
            }),
        )
        .route(
            "/test/turbo",
            get(|| async {
                Html(
                    "<!doctype html><html><head><title>turbo</title><script src=\"/test/turbo.js\"></script></head>\
                     <body><p>turbo</p><a id=\"drive\" href=\"/dashboard?tab=5\">dashboard</a></body></html>",
                )
            }),
        )
        .route(
            "/test/turbo-frame",
            get(|| async {
                Html(
                    "<!doctype html><html><head><title>frame</title><script src=\"/test/turbo.js\"></script></head>\
                     <body><p>frame</p><turbo-frame id=\"panel\" src=\"/dashboard?tab=6\"></turbo-frame></body></html>",
                )
            }),
        )
        .route(
            "/test/turbo.js",
            get(|| async {
                match tokio::fs::read(npm_turbo()).await {
                    Ok(script) => (
                        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                        script,
                    )
                        .into_response(),
                    Err(_) => StatusCode::NOT_FOUND.into_response(),
                }
            }),
        )
        // Another site's page (opened through the other host name) that
        // posts a login form to the demo.
        .route(
            "/test/attacker",
            get(|| async {
                Html(
                    "<!doctype html><title>attacker</title><form id=\"f\" method=\"post\">\
                     <input name=\"username\" value=\"mallory\"><input name=\"password\" value=\"demo\">\
                     <input name=\"next\" value=\"/\"></form>\
                     <script>var f = document.getElementById('f');\
                     f.action = location.protocol + '//127.0.0.1:' + location.port + '/login'; f.submit();</script>",
                )
            }),
        )
        .layer(axum::middleware::from_fn(record_turbo))
        .layer(axum::middleware::from_fn(record_hit))
}

/// Every request the demo answered in this test: path and query, and status.
static HITS: Mutex<Vec<(String, u16)>> = Mutex::new(Vec::new());
/// Every request that arrived in this test, answered or not: path and query.
static ARRIVED: Mutex<Vec<String>> = Mutex::new(Vec::new());

async fn record_hit(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let target = request
        .uri()
        .path_and_query()
        .map_or_else(String::new, |p| p.as_str().to_owned());
    ARRIVED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(target.clone());
    let response = next.run(request).await;
    HITS.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push((target, response.status().as_u16()));
    response
}

/// How many requests for paths starting with `prefix` were answered with `status`.
fn hits(prefix: &str, status: u16) -> usize {
    HITS.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter(|(target, s)| target.starts_with(prefix) && *s == status)
        .count()
}

/// How many requests for paths starting with `prefix` arrived at all.
fn requests_for(prefix: &str) -> usize {
    ARRIVED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter(|target| target.starts_with(prefix))
        .count()
}

/// The paths Turbo asked for (requests with `X-Turbo-Request-Id`).
static TURBO_REQUESTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

async fn record_turbo(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if request.headers().contains_key("x-turbo-request-id") {
        let target = request
            .uri()
            .path_and_query()
            .map_or_else(String::new, |p| p.as_str().to_owned());
        TURBO_REQUESTS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(target);
    }
    next.run(request).await
}

fn turbo_requests() -> Vec<String> {
    TURBO_REQUESTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// Where `npm ci` in `examples/` puts Turbo (`@hotwired/turbo`, pinned in
/// `examples/package.json`).
fn npm_turbo() -> PathBuf {
    Path::new(NPM_HTMX)
        .ancestors()
        .nth(3)
        .expect("node_modules")
        .join("@hotwired/turbo/dist/turbo.es2017-umd.js")
}

/// A login page with a shared layout that calls a guarded badge: htmx polls
/// it on load and every 300 ms, and a `fetch()` asks for it once. The form
/// logs in, back to this page's `next`.
async fn badge_login_page(
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Html<String> {
    let next = query
        .get("next")
        .map(String::as_str)
        .and_then(require_login::login::safe_next)
        .unwrap_or("/");
    Html(format!(
        "<!doctype html><title>badge login</title>{}<script src=\"/assets/htmx.min.js\"></script>\
         <div id=\"badge\" hx-get=\"/test/badge\" hx-trigger=\"load, every 300ms\"></div>\
         <script>fetch('/test/badge');</script>\
         <form method=\"post\" action=\"/test/badge-login\"><input type=\"hidden\" name=\"next\" value=\"{}\">\
         <input name=\"username\" id=\"username\"><input name=\"password\" id=\"password\" type=\"password\">\
         <button type=\"submit\" id=\"login\">Log in</button></form>",
        require_login::CLIENT_SCRIPT_TAG,
        next.replace('&', "&amp;").replace('"', "&quot;"),
    ))
}

#[derive(serde::Deserialize)]
struct BadgeLoginForm {
    username: String,
    next: Option<String>,
}

async fn badge_log_in(
    _: require_login::login::FromThisSite,
    session: tower_sessions::Session,
    axum::Form(form): axum::Form<BadgeLoginForm>,
) -> axum::response::Response {
    match require_login::login(&session, &form.username).await {
        Ok(()) => {
            require_login::login::redirect_after_login(form.next.as_deref(), "/test/badge-home")
                .into_response()
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[require_login::require_login(login = "/test/badge-login")]
async fn badge() -> &'static str {
    "3 new"
}

#[require_login::require_login(login = "/test/badge-login")]
async fn badge_home() -> &'static str {
    "badge home"
}

/// The client script without the X-Requested-With mark.
const UNMARKED_SCRIPT: require_login::ClientScript =
    require_login::ClientScript::new().with_mark_requests(false);

/// The client script with a fallback login no guard uses.
const ELSEWHERE_SCRIPT: require_login::ClientScript =
    require_login::ClientScript::new().with_login("/elsewhere");

/// A second guard's script: its own sentinel and login page.
const OTHER_SENTINEL_SCRIPT: require_login::ClientScript = require_login::ClientScript::new()
    .with_sentinel("ADMIN_SESSION_ENDED")
    .with_login("/admin/login");

/// Guarded, with `/test/loop-login` (a page with the script) as its login page.
#[require_login::require_login(login = "/test/loop-login")]
async fn loop_api() -> &'static str {
    "logged in"
}

/// The axum-login example (`examples/axum-login`), exactly as `cargo run -p
/// require-login-axum-login-example` serves it.
fn axum_login_example(idle: Duration) -> axum::Router {
    require_login_axum_login_example::app(require_login_axum_login_example::Config {
        idle,
        ..Default::default()
    })
}

/// On axum-login (its own backend, login form and sessions), the guard and
/// the shipped client script: a fetch of a page whose session expired lands
/// on the login page, and logging in returns to the page.
#[test]
fn axum_login_example_expired_session_fetch_lands_on_login_and_logging_in_returns() {
    run_in_browser(
        || axum_login_example(SHORT_IDLE),
        |tab| async move {
            let (user, password) = require_login_axum_login_example::ACCOUNTS[0];
            tab.goto("/dashboard").await;
            tab.wait_for(
                "/login",
                Some("/dashboard"),
                "the page sends a logged-out user to log in",
            )
            .await;
            tab.log_in_with(user, password).await;
            tab.wait_for("/dashboard", None, "logging in returns to the page")
                .await;
            tab.click("call").await;
            tab.wait_for_result("fetch: hello ada", "the fetch of a logged-in user")
                .await;
            // Idle past the expiry; nothing happens by itself meanwhile.
            let idle_until = Instant::now() + SHORT_IDLE + Duration::from_millis(1500);
            while Instant::now() < idle_until {
                assert_eq!(tab.location().await.path, "/dashboard");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            tab.click("call").await;
            tab.wait_for(
                "/login",
                Some("/dashboard"),
                "the expired session's fetch lands on the login page, next = the page",
            )
            .await;
            tab.log_in_with(user, password).await;
            tab.wait_for("/dashboard", None, "logging in again returns to the page")
                .await;
            tab.click("call").await;
            tab.wait_for_result("fetch: hello ada", "the fetch after logging in again")
                .await;
        },
    );
}

/// One page of the demo and how to drive it.
struct ClientKind {
    /// The page, e.g. `/fetch`.
    page: &'static str,
    /// Its login page.
    login: &'static str,
    /// Its logout page (with a `#logout` button) and where logging out lands.
    logout: (&'static str, &'static str),
    /// The button making the AJAX call.
    button: &'static str,
    /// What `#result` shows when the call worked.
    worked: &'static str,
}

const FETCH: ClientKind = ClientKind {
    page: "/fetch",
    login: "/login",
    logout: ("/logout", "/login"),
    button: "call",
    worked: "fetch: hello ada",
};
const XHR: ClientKind = ClientKind {
    page: "/xhr",
    login: "/login",
    logout: ("/logout", "/login"),
    button: "call",
    worked: "xhr: hello ada, echo ping",
};
const JQUERY_OUR_SCRIPT: ClientKind = ClientKind {
    page: "/jquery",
    login: "/login",
    logout: ("/logout", "/login"),
    button: "call",
    worked: "jquery: hello ada",
};
const JQUERY_SEED_SNIPPET: ClientKind = ClientKind {
    page: "/jquery-seed",
    login: "/login",
    logout: ("/logout", "/login"),
    button: "call",
    worked: "jquery: hello ada",
};
const HTMX_GET: ClientKind = ClientKind {
    page: "/htmx",
    login: "/login",
    logout: ("/logout", "/login"),
    button: "call",
    worked: "htmx get: hello ada",
};
const HTMX_POST: ClientKind = ClientKind {
    button: "post",
    worked: "htmx post: hello ada, posted",
    ..HTMX_GET
};
const ADMIN_FETCH: ClientKind = ClientKind {
    page: "/admin",
    login: "/admin/login",
    logout: ("/admin/logout", "/admin/login"),
    button: "call",
    worked: "admin: hello ada",
};

/// Opening the page logged out goes to its login page, and logging in comes back.
async fn log_in_through_the_page(tab: &Tab, kind: &ClientKind) {
    tab.goto(kind.page).await;
    tab.wait_for(
        kind.login,
        Some(kind.page),
        "opening the page logged out goes to its login page",
    )
    .await;
    tab.log_in("ada").await;
    tab.wait_for(kind.page, None, "logging in goes back to the page")
        .await;
}

/// The call works and updates the page, with no redirect.
async fn call_works(tab: &Tab, kind: &ClientKind) {
    tab.click(kind.button).await;
    tab.wait_for_result(kind.worked, "the AJAX call of a logged-in user")
        .await;
    assert_eq!(
        tab.location().await,
        Location {
            path: kind.page.to_owned(),
            next: None
        },
        "a logged-in AJAX call must not move the browser"
    );
}

/// The call of a logged-out page lands on the right login page, with
/// `next` the page (not the endpoint); logging in comes back to the page,
/// where the call works again.
async fn call_lands_on_login_and_back(tab: &Tab, kind: &ClientKind) {
    tab.click(kind.button).await;
    tab.wait_for(
        kind.login,
        Some(kind.page),
        "the AJAX call of an ended session goes to the login page, next = the page",
    )
    .await;
    tab.log_in("ada").await;
    tab.wait_for(kind.page, None, "logging in again returns to the page")
        .await;
    call_works(tab, kind).await;
}

/// The whole round trip for one client kind, the session ended by logging
/// out in a second window.
async fn round_trip_after_logout_elsewhere(tab: &Tab, kind: &ClientKind) {
    log_in_through_the_page(tab, kind).await;
    call_works(tab, kind).await;
    tab.log_out_elsewhere(kind.logout.0, kind.logout.1).await;
    assert_eq!(
        tab.location().await.path,
        kind.page,
        "the page stays put until its next call"
    );
    call_lands_on_login_and_back(tab, kind).await;
}

/// The round trip, the session ended by idle expiry: before the expiry the
/// page does not move by itself; its next call after it goes to login.
async fn round_trip_after_idle_expiry(tab: &Tab, kind: &ClientKind) {
    log_in_through_the_page(tab, kind).await;
    call_works(tab, kind).await;
    // Idle past the expiry, checking that nothing happens by itself meanwhile.
    let idle_until = Instant::now() + SHORT_IDLE + Duration::from_millis(1500);
    while Instant::now() < idle_until {
        assert_eq!(
            tab.location().await.path,
            kind.page,
            "an idle page must not redirect before its next AJAX call"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    call_lands_on_login_and_back(tab, kind).await;
}

#[test]
fn fetch_call_after_logout_elsewhere_lands_on_login_and_comes_back() {
    browser_test(LONG_IDLE, |tab| async move {
        round_trip_after_logout_elsewhere(&tab, &FETCH).await;
    });
}

#[test]
fn xhr_call_after_logout_elsewhere_lands_on_login_and_comes_back() {
    browser_test(LONG_IDLE, |tab| async move {
        round_trip_after_logout_elsewhere(&tab, &XHR).await;
    });
}

#[test]
fn jquery_with_client_script_after_logout_elsewhere_lands_on_login_and_comes_back() {
    browser_test(LONG_IDLE, |tab| async move {
        round_trip_after_logout_elsewhere(&tab, &JQUERY_OUR_SCRIPT).await;
    });
}

#[test]
fn jquery_with_the_recipes_ajax_complete_snippet_lands_on_login_and_comes_back() {
    browser_test(LONG_IDLE, |tab| async move {
        round_trip_after_logout_elsewhere(&tab, &JQUERY_SEED_SNIPPET).await;
    });
}

#[test]
fn htmx_get_and_post_after_logout_elsewhere_land_on_login_and_come_back() {
    browser_test(LONG_IDLE, |tab| async move {
        round_trip_after_logout_elsewhere(&tab, &HTMX_GET).await;
        // Still logged in, on the page: now the hx-post form.
        call_works(&tab, &HTMX_POST).await;
        tab.log_out_elsewhere("/logout", "/login").await;
        call_lands_on_login_and_back(&tab, &HTMX_POST).await;
    });
}

#[test]
fn admin_call_lands_on_the_admin_login_page_not_the_users() {
    browser_test(LONG_IDLE, |tab| async move {
        // Logged in as a user is not logged in to the admin area.
        tab.goto("/login").await;
        tab.log_in("ada").await;
        tab.wait_for(
            "/dashboard",
            None,
            "a login without next goes to the dashboard",
        )
        .await;
        round_trip_after_logout_elsewhere(&tab, &ADMIN_FETCH).await;
        // The user's own session was untouched by the admin logout.
        tab.goto("/dashboard").await;
        tab.wait_for("/dashboard", None, "the user is still logged in")
            .await;
    });
}

#[test]
fn idle_expiry_redirects_on_the_next_fetch_call_not_before() {
    browser_test(SHORT_IDLE, |tab| async move {
        round_trip_after_idle_expiry(&tab, &FETCH).await;
    });
}

#[test]
fn idle_expiry_redirects_on_the_next_htmx_call_not_before() {
    browser_test(SHORT_IDLE, |tab| async move {
        round_trip_after_idle_expiry(&tab, &HTMX_POST).await;
    });
}

#[test]
fn idle_expiry_redirects_on_the_next_jquery_seed_call_not_before() {
    browser_test(SHORT_IDLE, |tab| async move {
        round_trip_after_idle_expiry(&tab, &JQUERY_SEED_SNIPPET).await;
    });
}

#[test]
fn dashboard_fetch_and_xhr_buttons_both_land_on_login_after_logout() {
    browser_test(LONG_IDLE, |tab| async move {
        let fetch = ClientKind {
            page: "/dashboard",
            button: "call-fetch",
            ..FETCH
        };
        let xhr = ClientKind {
            page: "/dashboard",
            button: "call-xhr",
            worked: "xhr: hello ada, echo ping",
            ..FETCH
        };
        round_trip_after_logout_elsewhere(&tab, &fetch).await;
        call_works(&tab, &xhr).await;
        tab.log_out_elsewhere("/logout", "/login").await;
        call_lands_on_login_and_back(&tab, &xhr).await;
    });
}

#[test]
fn htmx_follows_hx_redirect_itself_and_the_client_script_stays_out_of_it() {
    browser_test(LONG_IDLE, |tab| async move {
        log_in_through_the_page(&tab, &HTMX_GET).await;
        call_works(&tab, &HTMX_GET).await;
        tab.log_out_elsewhere("/logout", "/login").await;
        // htmx navigates through `htmx.location`: catch its redirect there, so
        // that any navigation that still happens can only be the client script's.
        tab.start("htmx.location = { href: '', reload: function () {} };")
            .await;
        tab.click(HTMX_GET.button).await;
        let deadline = Instant::now() + WAIT;
        let htmx_went = loop {
            // `null` once the page is gone: something else navigated.
            let href = tab
                .client
                .execute("return window.htmx ? htmx.location.href : null;", vec![])
                .await
                .unwrap_or(serde_json::Value::Null);
            assert!(
                !href.is_null(),
                "the client script must leave htmx's requests to htmx, but the browser left the page for {:?}",
                tab.location().await
            );
            if href != json!("") {
                break href;
            }
            assert!(
                Instant::now() < deadline,
                "htmx did not follow HX-Redirect within {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(
            htmx_went,
            json!("/login?next=/htmx"),
            "htmx follows HX-Redirect to the login page, next = the page"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            tab.location().await,
            Location {
                path: "/htmx".into(),
                next: None
            },
            "the client script must leave htmx's requests to htmx, not navigate as well"
        );
    });
}

/// Runs `body` (a function body taking `arguments[0..]`, then `done`) in the
/// page with WebDriver's async script, and returns what it passes to `done`.
/// Only for calls that leave the browser where it is: a navigation can lose
/// the result (see [`Tab::start_recording`]).
async fn run_in_page(tab: &Tab, body: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
    let script = format!("var done = arguments[arguments.length - 1];\n{body}");
    tab.client
        .execute_async(&script, args)
        .await
        .unwrap_or_else(|e| panic!("the in-page script failed: {e}"))
}

#[test]
fn client_script_ignores_ordinary_responses_and_leaves_bodies_and_streams_to_the_page() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/blank").await;
        let seen = run_in_page(
            &tab,
            "Promise.all([\
               fetch('/test/forbidden').then(function (r) { return r.status + ' ' + r.headers.get('content-type'); }),\
               fetch('/test/forbidden').then(function (r) { return r.text(); }),\
               fetch('/require-login.js').then(function (r) { return r.text(); }).then(function (t) { return t.length > 100; }),\
               new Promise(function (ok) { var x = new XMLHttpRequest(); x.open('GET', '/test/forbidden');\
                 x.onload = function () { ok(x.status + ' ' + x.responseText); }; x.send(); }),\
               fetch('/test/stream').then(function (r) {\
                 var reader = r.body.getReader(), text = '', decoder = new TextDecoder();\
                 function pump() { return reader.read().then(function (part) {\
                   if (part.done) { return r.status + ' ' + text; }\
                   text += decoder.decode(part.value); return pump(); }); }\
                 return pump(); }),\
               new Promise(function (ok) { var x = new XMLHttpRequest(); x.responseType = 'arraybuffer'; x.open('GET', '/test/forbidden');\
                 x.onload = function () { ok(x.response.byteLength); }; x.send(); })\
             ]).then(done, function (e) { done('error: ' + e); });",
            vec![],
        )
        .await;
        assert_eq!(
            seen,
            json!([
                "403 text/plain; charset=utf-8",
                "you may not",
                true,
                "403 you may not",
                "403 chunk0;chunk1;chunk2;",
                11
            ]),
            "ordinary responses reach the page untouched"
        );
        // Give a wrong redirect time to happen, then check it did not.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            tab.location().await,
            Location {
                path: "/test/blank".into(),
                next: None
            },
            "an ordinary 403 must not send the browser anywhere"
        );
    });
}

#[test]
fn client_script_recognises_the_bare_sentinel_body_and_still_hands_it_to_the_page() {
    browser_test(LONG_IDLE, |tab| async move {
        // No X-Login-Url here: the script reads a clone of the body, whether
        // its length is known or it comes in chunks, and falls back to
        // /login?next=<this page>.
        for endpoint in ["/test/sentinel-only", "/test/stream-sentinel"] {
            tab.open("/test/blank").await;
            tab.start_recording(&format!(
                "fetch({}).then(function (r) {{ return r.text(); }})",
                json!(endpoint)
            ))
            .await;
            tab.wait_for(
                "/login",
                Some("/test/blank"),
                &format!("{endpoint}: the sentinel body alone sends the browser to the fallback login page"),
            )
            .await;
            assert_eq!(
                tab.recorded().await,
                json!(require_login::LOGIN_REQUIRED),
                "{endpoint}: the page's own code still read the whole body"
            );
        }
    });
}

#[test]
fn client_script_recognises_the_sentinel_in_an_xhr_response_text() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/blank").await;
        tab.start("var x = new XMLHttpRequest(); x.open('GET', '/test/sentinel-only'); x.send();")
            .await;
        tab.wait_for(
            "/login",
            Some("/test/blank"),
            "an XHR whose body is the sentinel sends the browser to the fallback login page",
        )
        .await;
    });
}

#[test]
fn form_post_with_ended_session_lands_on_login_and_comes_back_to_the_form() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.goto("/form").await;
        tab.wait_for("/login", Some("/form"), "the form page logged out")
            .await;
        tab.log_in("ada").await;
        tab.wait_for("/form", None, "logging in returns to the form")
            .await;
        tab.log_out_elsewhere("/logout", "/login").await;
        tab.click("save").await;
        tab.wait_for(
            "/login",
            Some("/form"),
            "a form POST of an ended session goes to login, next = the form's page",
        )
        .await;
        tab.log_in("ada").await;
        tab.wait_for("/form", None, "logging in returns to the form's page")
            .await;
        tab.click("save").await;
        // The POST answers with the form's page again, now saying what was
        // saved: wait for that, not for the URL, which is /form all along.
        let deadline = Instant::now() + WAIT;
        loop {
            let saved = match tab.client.find(Locator::Id("saved")).await {
                Ok(saved) => saved.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if saved == "Saved: hello" {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the form posts again: #saved says {saved:?} at {:?} after {WAIT:?}",
                tab.location().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(
            tab.location().await,
            Location {
                path: "/form".into(),
                next: None
            }
        );
    });
}

#[test]
fn every_client_kind_follows_the_routes_own_login_url_not_the_scripts_fallback() {
    browser_test(LONG_IDLE, |tab| async move {
        // Each call goes to the admin area's endpoint; the page's script
        // would fall back to /elsewhere, so landing on /admin/login means
        // X-Login-Url (or, for htmx, HX-Redirect) was followed.
        let calls = [
            ("fetch", "fetch('/admin/api/stats');"),
            (
                "XMLHttpRequest",
                "var x = new XMLHttpRequest(); x.open('GET', '/admin/api/stats'); x.send();",
            ),
            (
                "jQuery",
                "$.ajax({ url: '/admin/api/stats', dataType: 'json' });",
            ),
            (
                "htmx",
                "htmx.ajax('GET', '/admin/api/stats', { target: '#blank' });",
            ),
        ];
        for (kind, call) in calls {
            tab.open("/test/elsewhere").await;
            tab.start(call).await;
            tab.wait_for(
                "/admin/login",
                Some("/test/elsewhere"),
                &format!("a logged-out {kind} call to an admin endpoint goes to the admin login"),
            )
            .await;
        }
    });
}

#[test]
fn client_script_does_not_reload_a_login_page_whose_own_calls_are_guarded() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/loop-login").await;
        let seen = run_in_page(
            &tab,
            "window.stillHere = true;\
             Promise.all([\
               fetch('/test/loop-api').then(function (r) { return r.status; }),\
               new Promise(function (ok) { var x = new XMLHttpRequest(); x.open('GET', '/test/loop-api');\
                 x.onload = function () { ok(x.status); }; x.send(); })\
             ]).then(done, function (e) { done('error: ' + e); });",
            vec![],
        )
        .await;
        assert_eq!(seen, json!([403, 403]), "both calls were denied");
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            tab.location().await,
            Location {
                path: "/test/loop-login".into(),
                next: None
            },
            "on the login page itself the script must not navigate (it would reload for ever)"
        );
        let same_page = tab
            .client
            .execute("return window.stillHere === true;", vec![])
            .await
            .expect("read the page");
        assert_eq!(same_page, json!(true), "the login page was not reloaded");
    });
}

#[test]
fn client_script_redirects_again_after_back_restores_the_page() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/blank").await;
        tab.start("window.beforeBack = true; fetch('/api/time');")
            .await;
        tab.wait_for("/login", Some("/test/blank"), "the first denied call")
            .await;
        tab.client.back().await.expect("go back");
        tab.wait_for("/test/blank", None, "back on the page").await;
        let restored = tab
            .client
            .execute("return window.beforeBack === true;", vec![])
            .await
            .expect("read the page");
        assert_eq!(
            restored,
            json!(true),
            "Chromium restores the page from its back/forward cache, script state and all (what this test is about)"
        );
        tab.start("fetch('/api/time');").await;
        tab.wait_for(
            "/login",
            Some("/test/blank"),
            "a denied call after Back redirects again",
        )
        .await;
    });
}

#[test]
fn client_script_recognises_the_sentinel_in_binary_xhr_responses() {
    browser_test(LONG_IDLE, |tab| async move {
        for response_type in ["arraybuffer", "blob"] {
            tab.open("/test/blank").await;
            tab.client
                .execute(
                    "var x = new XMLHttpRequest(); x.responseType = arguments[0];\
                     x.open('GET', '/test/sentinel-only'); x.send();",
                    vec![json!(response_type)],
                )
                .await
                .expect("start the XHR");
            tab.wait_for(
                "/login",
                Some("/test/blank"),
                &format!("an XHR ({response_type}) whose body is the sentinel goes to the fallback login page"),
            )
            .await;
        }
    });
}

#[test]
fn client_script_ignores_denials_from_other_origins() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/blank").await;
        // The same server under another host name is another origin.
        let foreign = format!(
            "{}/test/foreign-denial",
            tab.base.replace("127.0.0.1", "localhost")
        );
        let seen = run_in_page(
            &tab,
            "var url = arguments[0];\
             Promise.all([\
               fetch(url).then(function (r) { return r.status + ' ' + r.headers.get('x-login-url'); }),\
               new Promise(function (ok) { var x = new XMLHttpRequest(); x.open('GET', url);\
                 x.onload = function () { ok(x.status + ' ' + x.responseText); }; x.send(); })\
             ]).then(done, function (e) { done('error: ' + e); });",
            vec![json!(foreign)],
        )
        .await;
        assert_eq!(
            seen,
            json!([
                "401 https://example.invalid/phish",
                format!("401 {}", require_login::LOGIN_REQUIRED)
            ]),
            "the page itself reads the other origin's answers"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            tab.location().await,
            Location {
                path: "/test/blank".into(),
                next: None
            },
            "another origin's 401 must not send the browser anywhere"
        );
    });
}

#[test]
fn a_second_client_script_adds_its_sentinel_to_the_first() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/two-scripts").await;
        tab.start("fetch('/test/other-sentinel');").await;
        tab.wait_for(
            "/admin/login",
            Some("/test/two-scripts"),
            "the second script's sentinel sends the browser to its own fallback login",
        )
        .await;
    });
}

#[test]
fn client_script_falls_back_to_its_own_login_page_on_an_unparsable_login_url() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/blank").await;
        tab.start_recording(
            "fetch('/test/bad-login-url').then(function (r) { return r.status + ' ' + r.headers.get('x-login-url'); })",
        )
        .await;
        tab.wait_for(
            "/login",
            Some("/test/blank"),
            "an unparsable X-Login-Url falls back to the script's login page",
        )
        .await;
        assert_eq!(
            tab.recorded().await,
            json!("403 https://[bad/login"),
            "the page's own code still got the response"
        );
    });
}

#[test]
fn client_script_hands_a_stream_of_unknown_length_to_the_page_at_once() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/blank").await;
        let seen = run_in_page(
            &tab,
            "var start = Date.now();\
             fetch('/test/paused-stream').then(function (r) { return r.body.getReader().read(); })\
               .then(function (part) { done([new TextDecoder().decode(part.value), Date.now() - start]); },\
                     function (e) { done('error: ' + e); });",
            vec![],
        )
        .await;
        assert_eq!(seen[0], json!("first;"), "the page reads the first chunk");
        let waited = seen[1].as_u64().expect("milliseconds");
        assert!(
            waited < (STREAM_PAUSE / 2).as_millis() as u64,
            "the page got its first chunk after {waited} ms: the script held the response back for the stream's pause"
        );
    });
}

#[test]
fn client_script_redirects_in_a_browser_without_a_url_parser() {
    browser_test(LONG_IDLE, |tab| async move {
        for call in [
            "fetch('/api/time');",
            "var x = new XMLHttpRequest(); x.open('GET', '/api/time'); x.send();",
        ] {
            tab.open("/test/no-url-parser").await;
            tab.start(call).await;
            tab.wait_for(
                "/login",
                Some("/test/no-url-parser"),
                &format!("without URL, `{call}` still goes to the login page"),
            )
            .await;
        }
    });
}

#[test]
fn client_script_refuses_a_login_url_that_a_parser_reads_as_another_host() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/blank").await;
        tab.start("fetch('/test/tab-login-url');").await;
        tab.wait_for(
            "/login",
            Some("/test/blank"),
            "a login URL with a tab in it goes to the script's own login page, not evil.example",
        )
        .await;
    });
}

#[test]
fn client_script_marks_same_origin_requests_only_and_leaves_htmx_and_headers_alone() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/elsewhere").await;
        let foreign = format!(
            "{}/test/echo-headers",
            tab.base.replace("127.0.0.1", "localhost")
        );
        let seen = run_in_page(
            &tab,
            "var foreign = arguments[0];\
             function text(r) { return r.text(); }\
             function viaXhr(url) { return new Promise(function (ok) { var x = new XMLHttpRequest(); x.open('GET', url);\
               x.onload = function () { ok(x.responseText); }; x.onerror = function () { ok('xhr error'); }; x.send(); }); }\
             function viaHtmx() { return new Promise(function (ok) {\
               htmx.ajax('GET', '/test/echo-headers', { target: '#blank' }).then(function () { ok(document.getElementById('blank').textContent); }); }); }\
             Promise.all([\
               fetch('/test/echo-headers').then(text),\
               viaXhr('/test/echo-headers'),\
               $.ajax({ url: '/test/echo-headers', dataType: 'text' }),\
               fetch(foreign).then(text, function (e) { return 'fetch error ' + e; }),\
               viaXhr(foreign),\
               viaHtmx(),\
               fetch('/test/echo-headers', { headers: new Map([['Authorization', 'Bearer t']]).entries() }).then(text)\
             ]).then(done, function (e) { done('error: ' + e); });",
            vec![json!(foreign)],
        )
        .await;
        assert_eq!(
            seen,
            json!([
                "x-requested-with=XMLHttpRequest;authorization=none",
                "x-requested-with=XMLHttpRequest;authorization=none",
                "x-requested-with=XMLHttpRequest;authorization=none",
                "x-requested-with=none;authorization=none",
                "x-requested-with=none;authorization=none",
                "x-requested-with=none;authorization=none",
                "x-requested-with=XMLHttpRequest;authorization=Bearer t"
            ]),
            "same-origin fetch, XHR and jQuery are marked; another origin's (no preflight) and htmx's are not; \
             headers from an iterator arrive"
        );
    });
}

#[test]
fn client_script_without_the_mark_leaves_requests_as_they_are() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/unmarked").await;
        let seen = run_in_page(
            &tab,
            "fetch('/test/echo-headers').then(function (r) { return r.text(); }).then(done, function (e) { done('error: ' + e); });",
            vec![],
        )
        .await;
        assert_eq!(seen, json!("x-requested-with=none;authorization=none"));
    });
}

#[test]
fn a_second_page_view_does_not_download_the_script_again() {
    browser_test(LONG_IDLE, |tab| async move {
        // The default tag: the versioned, immutable URL.
        tab.open("/test/blank").await;
        tab.open("/test/second-page").await;
        tab.open("/test/blank").await;
        assert_eq!(
            hits("/require-login.js", 200),
            1,
            "the script was downloaded once: {:?}",
            HITS.lock().unwrap_or_else(PoisonError::into_inner)
        );
        assert_eq!(
            requests_for("/require-login.js"),
            1,
            "at its versioned URL the browser does not even ask again"
        );
        // The plain URL: asked again, answered 304 Not Modified.
        tab.open("/test/plain-url").await;
        tab.open("/test/second-page").await;
        tab.open("/test/plain-url").await;
        assert_eq!(
            hits("/require-login.js", 200),
            2,
            "the plain URL downloaded once more, the first time only: {:?}",
            HITS.lock().unwrap_or_else(PoisonError::into_inner)
        );
        assert_eq!(
            hits("/require-login.js", 304),
            1,
            "the second view of the plain URL revalidated it"
        );
    });
}

#[test]
fn client_script_stops_a_login_loop_after_three_visits_and_says_why() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.goto("/test/loop-page").await;
        // Let the loop run out: it would go on for ever without the breaker.
        let deadline = Instant::now() + WAIT;
        while tab
            .client
            .execute("return sessionStorage.getItem('console');", vec![])
            .await
            .ok()
            .filter(|v| v.is_string())
            .is_none()
        {
            assert!(
                Instant::now() < deadline,
                "no console message after {WAIT:?}; visits: {}",
                requests_for("/test/bounce")
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert_eq!(
            requests_for("/test/bounce"),
            3,
            "three automatic visits, then none"
        );
        assert_eq!(tab.location().await.path, "/test/loop-page");
        let message = tab
            .client
            .execute("return sessionStorage.getItem('console');", vec![])
            .await
            .expect("read sessionStorage");
        let message = message.as_str().unwrap_or_default();
        assert!(
            message.starts_with("require-login: not going to /test/bounce?next=%2Ftest%2Floop-page again: 3 automatic visits"),
            "{message}"
        );
    });
}

#[test]
fn client_script_with_a_full_session_storage_makes_no_automatic_visit_and_says_why_once() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/").await;
        // Not `goto` (nor a navigation WebDriver waits for), which would
        // wait for a loop to end: without a count that survives the page
        // load it never does; failing closed, it never starts.
        tab.start("setTimeout(function () { location.href = '/test/full-loop-page'; }, 100);")
            .await;
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert_eq!(
            requests_for("/test/full-bounce"),
            0,
            "no automatic visit when sessionStorage cannot keep the count"
        );
        assert_eq!(requests_for("/test/full-loop-page"), 1, "one page load");
        assert_eq!(tab.location().await.path, "/test/full-loop-page");
        let errors = tab
            .client
            .execute("return window.errors;", vec![])
            .await
            .expect("read the console errors");
        let errors = errors.as_array().cloned().unwrap_or_default();
        assert_eq!(errors.len(), 1, "one console error: {errors:?}");
        let message = errors[0].as_str().unwrap_or_default();
        assert!(
            message.starts_with(
                "require-login: not going to /test/full-bounce?next=%2Ftest%2Ffull-loop-page: \
                 sessionStorage cannot keep the count"
            ) && message.ends_with("(QuotaExceededError)"),
            "{message}"
        );
    });
}

#[test]
fn client_script_tries_again_after_a_visit_to_the_login_page_was_cancelled() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/stay").await;
        // The first click's visit to the slow login page is cancelled by the
        // page itself (window.stop() after 0.7 s), as a "Leave site?" prompt
        // answered "Stay" cancels it.
        tab.click("call").await;
        tokio::time::sleep(SLOW_LOGIN + Duration::from_millis(500)).await;
        assert_eq!(
            requests_for("/test/slow-login"),
            1,
            "the first denied call started a visit"
        );
        assert_eq!(
            tab.location().await,
            Location {
                path: "/test/stay".into(),
                next: None
            },
            "the cancelled visit left the browser on the page"
        );
        tab.click("call").await;
        tab.wait_for(
            "/test/slow-login",
            Some("/test/stay"),
            "the next denied call, after the cancelled visit, goes to the login page",
        )
        .await;
    });
}

// ---------------------------------------------------------------------------
// The round trip: back from the login page, never in a loop (issue 10).

#[test]
fn a_login_page_whose_htmx_widget_and_fetch_are_guarded_stays_put_and_still_returns() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.goto("/test/badge-home?x=1").await;
        tab.wait_for(
            "/test/badge-login",
            Some("/test/badge-home?x=1"),
            "the guarded page",
        )
        .await;
        tab.start("window.stillHere = true;").await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(
            tab.location().await,
            Location {
                path: "/test/badge-login".into(),
                next: Some("/test/badge-home?x=1".into())
            },
            "3 s later: same URL, nothing nested"
        );
        let same_page = tab
            .client
            .execute("return window.stillHere === true;", vec![])
            .await
            .expect("read the page");
        assert_eq!(same_page, json!(true), "the login page was not reloaded");
        assert_eq!(
            requests_for("/test/badge-login"),
            1,
            "one load of the login page"
        );
        assert!(
            hits("/test/badge", 403) >= 4,
            "htmx kept polling and fetch() called, each denied: {} denials",
            hits("/test/badge", 403) - hits("/test/badge-", 403)
        );
        tab.log_in("ada").await;
        tab.wait_for(
            "/test/badge-home",
            None,
            "logging in returns to the original page",
        )
        .await;
        assert!(tab.page_text().await.contains("badge home"));
    });
}

#[test]
fn an_hx_boosted_link_to_a_guarded_page_comes_back_to_the_boosted_url() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/boost").await;
        tab.click("boosted").await;
        tab.wait_for("/login", Some("/dashboard?tab=2"), "the boosted link")
            .await;
        assert_eq!(
            hits("/dashboard?tab=2", 403),
            1,
            "htmx made the boosted request and followed HX-Redirect"
        );
        tab.log_in("ada").await;
        tab.wait_for("/dashboard", None, "back on the boosted URL")
            .await;
        let url = tab.client.current_url().await.expect("current URL");
        assert_eq!(url.query(), Some("tab=2"));
    });
}

#[test]
fn a_turbo_drive_visit_lands_on_the_login_page_in_one_request_to_the_guarded_url() {
    browser_test(LONG_IDLE, |tab| async move {
        TURBO_REQUESTS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        tab.open("/test/turbo").await;
        tab.click("drive").await;
        tab.wait_for("/login", Some("/dashboard?tab=5"), "the Drive visit")
            .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            requests_for("/dashboard"),
            1,
            "one request to the guarded URL"
        );
        assert_eq!(hits("/dashboard?tab=5", 303), 1);
        assert!(
            turbo_requests().contains(&"/dashboard?tab=5".to_owned()),
            "Turbo made it: {:?}",
            turbo_requests()
        );
        tab.log_in("ada").await;
        tab.wait_for("/dashboard", None, "back on the visited page")
            .await;
    });
}

#[test]
fn a_turbo_frame_request_ends_on_the_login_page_too() {
    browser_test(LONG_IDLE, |tab| async move {
        TURBO_REQUESTS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        tab.goto("/test/turbo-frame").await;
        tab.wait_for("/login", Some("/dashboard?tab=6"), "the frame's request")
            .await;
        assert!(
            turbo_requests().contains(&"/dashboard?tab=6".to_owned()),
            "Turbo made it: {:?}",
            turbo_requests()
        );
        assert!(tab.page_text().await.contains("Log in"));
    });
}

#[test]
fn a_login_form_posted_from_another_site_is_refused() {
    browser_test(LONG_IDLE, |tab| async move {
        // localhost and 127.0.0.1 are different sites.
        let other_site = tab.base.replace("127.0.0.1", "localhost");
        tab.client
            .goto(&format!("{other_site}/test/attacker"))
            .await
            .expect("open the other site's page");
        let deadline = Instant::now() + WAIT;
        while !tab.page_text().await.contains("Cross-site request refused") {
            assert!(
                Instant::now() < deadline,
                "expected the refusal, the page says: {}",
                tab.page_text().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(hits("/login", 403), 1);
        tab.open("/").await;
        assert!(
            tab.page_text().await.contains("Not logged in"),
            "no one was logged in"
        );
    });
}
