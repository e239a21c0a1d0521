//! The test app: the demo (exactly the one `cargo run -p require-login-demo`
//! serves) with test-only routes, what they record, and the axum-login
//! example.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::{get, post};
use futures_util::StreamExt as _;
use require_login_demo::{app, DemoConfig, NPM_HTMX};

use super::{run_in_browser, Tab};

/// How long `/test/paused-stream` waits after its first chunk.
pub(crate) const STREAM_PAUSE: Duration = Duration::from_secs(5);

/// How long `/test/slow-login` takes to answer.
pub(crate) const SLOW_LOGIN: Duration = Duration::from_secs(2);

/// Runs `scenario` against a fresh demo app (sessions ending after `idle`),
/// with the test-only routes, in a fresh browser.
pub(crate) fn browser_test<F, Fut>(idle: Duration, scenario: F)
where
    F: FnOnce(Tab) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_in_browser(move || test_app(idle), scenario);
}

/// The demo app, plus a few test-only routes.
pub(crate) fn test_app(idle: Duration) -> axum::Router {
    test_app_with(DemoConfig {
        idle,
        // The warning has tests of its own (warning.rs).
        warning: None,
        ..DemoConfig::default()
    })
}

/// [`test_app`] on a demo set up as `config`.
pub(crate) fn test_app_with(config: DemoConfig) -> axum::Router {
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
pub(crate) static HITS: Mutex<Vec<(String, u16)>> = Mutex::new(Vec::new());
/// Every request that arrived in this test, answered or not: path and query.
pub(crate) static ARRIVED: Mutex<Vec<String>> = Mutex::new(Vec::new());

pub(crate) async fn record_hit(
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
pub(crate) fn hits(prefix: &str, status: u16) -> usize {
    HITS.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter(|(target, s)| target.starts_with(prefix) && *s == status)
        .count()
}

/// How many requests for paths starting with `prefix` arrived at all.
pub(crate) fn requests_for(prefix: &str) -> usize {
    ARRIVED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter(|target| target.starts_with(prefix))
        .count()
}

/// The paths Turbo asked for (requests with `X-Turbo-Request-Id`).
pub(crate) static TURBO_REQUESTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

pub(crate) async fn record_turbo(
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

pub(crate) fn turbo_requests() -> Vec<String> {
    TURBO_REQUESTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// Where `npm ci` in `examples/` puts Turbo (`@hotwired/turbo`, pinned in
/// `examples/package.json`).
pub(crate) fn npm_turbo() -> PathBuf {
    Path::new(NPM_HTMX)
        .ancestors()
        .nth(3)
        .expect("node_modules")
        .join("@hotwired/turbo/dist/turbo.es2017-umd.js")
}

/// A login page with a shared layout that calls a guarded badge: htmx polls
/// it on load and every 300 ms, and a `fetch()` asks for it once. The form
/// logs in, back to this page's `next`.
pub(crate) async fn badge_login_page(
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
pub(crate) struct BadgeLoginForm {
    username: String,
    next: Option<String>,
}

pub(crate) async fn badge_log_in(
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
pub(crate) async fn badge() -> &'static str {
    "3 new"
}

#[require_login::require_login(login = "/test/badge-login")]
pub(crate) async fn badge_home() -> &'static str {
    "badge home"
}

/// The client script with a fallback login no guard uses.
pub(crate) const ELSEWHERE_SCRIPT: require_login::ClientScript =
    require_login::ClientScript::new().with_login("/elsewhere");

/// Guarded, with `/test/loop-login` (a page with the script) as its login page.
#[require_login::require_login(login = "/test/loop-login")]
pub(crate) async fn loop_api() -> &'static str {
    "logged in"
}

/// The axum-login example (`examples/axum-login`), exactly as `cargo run -p
/// require-login-axum-login-example` serves it.
pub(crate) fn axum_login_example(idle: Duration) -> axum::Router {
    require_login_axum_login_example::app(require_login_axum_login_example::Config {
        idle,
        ..Default::default()
    })
}

/// The demo's idle expiry for the form-keeping tests: short, but long
/// enough for a test to submit a page it has just loaded.
pub(crate) const FORMS_IDLE: Duration = Duration::from_secs(4);

/// Runs `scenario` against the demo whose sessions end after [`FORMS_IDLE`],
/// with the pages a draft's successful submit is answered with.
pub(crate) fn forms_test<F, Fut>(scenario: F)
where
    F: FnOnce(Tab) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let demo = || {
        app(DemoConfig {
            idle: FORMS_IDLE,
            warning: None,
            ..DemoConfig::default()
        })
        // Answers to a draft's successful submit (the form's action set by
        // the test): a page without the script, with a link to the login
        // page for the draft; and a redirect to a page with the script whose
        // URL carries `next=/draft` but which is no login page.
        .route(
            "/test/thanks",
            post(|| async {
                Html(
                    "<!doctype html><title>thanks</title><p>Saved.</p>\
                     <a id=\"relogin\" href=\"/login?next=%2Fdraft\">Log in as someone else</a>",
                )
            }),
        )
        .route(
            "/test/save-then-next",
            post(|| async { Redirect::to("/test/done?next=%2Fdraft") }),
        )
        .route(
            "/test/done",
            get(|| async {
                Html(format!(
                    "<!doctype html><html><head><title>done</title>{}</head><body><p>Done.</p></body></html>",
                    require_login::CLIENT_SCRIPT_TAG
                ))
            }),
        )
    };
    run_in_browser(demo, scenario);
}
