//! The require-login demo: a small app on in-memory sessions with a short
//! idle expiry, so a person (or a browser test) can watch a session end and
//! see every kind of AJAX call land on the right login page.
//!
//! [`app`] builds the whole app; `main.rs` serves it, and the real-browser
//! tests serve exactly the same app. Each page's HTML is a file in
//! `pages/`, its scripts and the style sheet are in `static/`, compiled in
//! with `include_str!` and filled in by the `html` module.
//!
//! The app is built deny-by-default, with [`require_login::GuardedRouter`]:
//! every route needs a login unless it is declared public, and the
//! attributed handlers keep their own login page (the admin area's). At
//! start-up it logs the table of every route and what a logged-out user
//! gets there ([`route_audit`]; pinned in `tests/audit.rs`).
//!
//! Pages (all but `/`, the login and log-out pages and the assets need a login):
//!
//! | path | what |
//! |---|---|
//! | `/` | index: every page, and whether you are logged in |
//! | `/login` | login form (any name, password [`DEMO_PASSWORD`]); goes back to `?next=` |
//! | `/logout` | a page with a log-out button (`POST /logout`) |
//! | `/dashboard` | buttons calling guarded endpoints with fetch() and XMLHttpRequest |
//! | `/fetch`, `/xhr` | one page per client kind, with the client script |
//! | `/jquery` | jQuery `$.ajax`, with the client script |
//! | `/jquery-seed` | jQuery with the recipe's `$(document).ajaxComplete` snippet, no client script |
//! | `/htmx` | htmx `hx-get` and `hx-post`, with the client script |
//! | `/form` | a plain HTML form that POSTs (`POST /form`) |
//! | `/draft` | a form whose values survive the login round trip, saved by `fetch()`, a plain POST or htmx `hx-post` |
//! | `/admin` | the admin area: its own login (`/admin/login`) and session key |
//! | `/api/time`, `/api/echo`, `/api/draft`, `/htmx/fragment`, `/draft/htmx`, `/admin/api/stats` | the guarded endpoints the pages call |
//! | `/require-login.js` | the client script ([`require_login::client_script`]) |
//! | `/assets/jquery.min.js`, `/assets/htmx.min.js` | served from [`DemoConfig::jquery`] and [`DemoConfig::htmx`] |
//!
//! Every state-changing request of a logged-in user carries a CSRF token
//! ([`csrf`]), checked after the login check: the forms (`/form`, the htmx
//! `hx-post` form, the log-out buttons) in a hidden `csrf_token` field, the
//! scripts' POSTs (XMLHttpRequest to `/api/echo`) in the `X-CSRF-Token`
//! header, read from the page's `<meta name="csrf-token">`. A session that
//! ended gets the login page (or the sentinel), never a CSRF error. The GET
//! calls need no token, and neither do the login forms: there is no session
//! to protect yet, and a login POST from another site is refused
//! ([`require_login::login::FromThisSite`], against login CSRF).

pub mod csrf;
mod html;
mod live;
pub mod redis;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json, Router};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use require_login::client::{
    relogin_done_page, relogin_script, warning_script, RELOGIN_DONE_PATH, RELOGIN_SCRIPT_PATH,
    RELOGIN_SCRIPT_TAG, WARNING_SCRIPT_PATH, WARNING_SCRIPT_TAG,
};
use require_login::deadline::{self, DeadlineLayer, Deadlines};
use require_login::router::{get, post};
use require_login::stream::SessionWatch;
use require_login::{
    client::PageOwnerKey,
    client_script,
    login::{redirect_after_login, safe_next, FromThisSite},
    require_login,
    router::RouteAudit,
    GuardedRouter, CLIENT_SCRIPT_PATH, CLIENT_SCRIPT_TAG,
};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::{Expiry, MemoryStore, Session, SessionManagerLayer, SessionStore};

use html::{escape_html, fill, js_string, missing_banner, page};

/// The password every demo user logs in with; the login page shows it.
///
/// ```
/// assert_eq!(require_login_demo::DEMO_PASSWORD, "demo");
/// ```
pub const DEMO_PASSWORD: &str = "demo";

/// The session key the admin area's login writes and its guards read
/// (`#[require_login(login = "/admin/login", session_key = "demo.admin")]`).
///
/// ```
/// assert_ne!(require_login_demo::ADMIN_SESSION_KEY, require_login::options::SESSION_KEY);
/// ```
pub const ADMIN_SESSION_KEY: &str = "demo.admin";

/// Where Debian's `libjs-jquery` installs jQuery.
///
/// ```
/// assert!(require_login_demo::DEBIAN_JQUERY.ends_with("/jquery.min.js"));
/// ```
pub const DEBIAN_JQUERY: &str = "/usr/share/javascript/jquery/jquery.min.js";

/// Where `npm ci` in `examples/` puts htmx (the `htmx.org` package pinned in
/// `examples/package.json`).
///
/// ```
/// assert!(require_login_demo::NPM_HTMX.ends_with("/node_modules/htmx.org/dist/htmx.min.js"));
/// ```
pub const NPM_HTMX: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../node_modules/htmx.org/dist/htmx.min.js"
);

/// htmx 2's SSE extension, as `npm ci` in `examples/` installs it (pinned
/// in `examples/package.json`), served at `/assets/htmx-ext-sse.js`.
///
/// ```
/// assert!(require_login_demo::NPM_HTMX_SSE.ends_with("/node_modules/htmx-ext-sse/dist/sse.js"));
/// ```
pub const NPM_HTMX_SSE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../node_modules/htmx-ext-sse/dist/sse.js"
);

/// htmx 2's WebSocket extension, as `npm ci` in `examples/` installs it,
/// served at `/assets/htmx-ext-ws.js`.
///
/// ```
/// assert!(require_login_demo::NPM_HTMX_WS.ends_with("/node_modules/htmx-ext-ws/dist/ws.js"));
/// ```
pub const NPM_HTMX_WS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../node_modules/htmx-ext-ws/dist/ws.js"
);

/// How the demo is set up.
///
/// ```
/// let config = require_login_demo::DemoConfig::default();
/// assert_eq!(config.idle, std::time::Duration::from_secs(30));
/// let _app: axum::Router = require_login_demo::app(config);
/// ```
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// A session ends after this long without a request.
    pub idle: Duration,
    /// How long before the end the dashboard warns (the session warning
    /// script, and guarded pages kept out of the back/forward cache);
    /// `None`: no warning. At least 20 s.
    pub warning: Option<Duration>,
    /// A session ends this long after login however active; `None`: never.
    pub absolute: Option<Duration>,
    /// jQuery's file, served at `/assets/jquery.min.js`.
    pub jquery: PathBuf,
    /// htmx's file, served at `/assets/htmx.min.js`.
    pub htmx: PathBuf,
    /// The watch that ends the live pages' streams with the session; give
    /// it news ([`SessionWatch::with_news`]) when instances share sessions.
    pub watch: SessionWatch,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            idle: Duration::from_secs(30),
            warning: Some(Duration::from_secs(20)),
            absolute: None,
            jquery: PathBuf::from(DEBIAN_JQUERY),
            htmx: PathBuf::from(NPM_HTMX),
            watch: SessionWatch::new(),
        }
    }
}

impl DemoConfig {
    /// What is missing for the jQuery and htmx pages, as messages saying
    /// what to install; empty when both files are there.
    ///
    /// ```
    /// let config = require_login_demo::DemoConfig {
    ///     jquery: "/nonexistent/jquery.js".into(),
    ///     ..Default::default()
    /// };
    /// assert!(config.missing_assets().iter().any(|m| m.contains("libjs-jquery")));
    /// ```
    pub fn missing_assets(&self) -> Vec<String> {
        let mut missing = Vec::new();
        if !self.jquery.is_file() {
            missing.push(jquery_missing(&self.jquery));
        }
        if !self.htmx.is_file() {
            missing.push(htmx_missing(&self.htmx));
        }
        missing
    }
}

fn jquery_missing(path: &std::path::Path) -> String {
    format!(
        "jQuery is not installed: expected at {}. Install Debian's package: apt-get install libjs-jquery",
        path.display()
    )
}

fn htmx_missing(path: &std::path::Path) -> String {
    format!(
        "htmx is not installed: expected at {}. Install it with: cd examples && npm ci",
        path.display()
    )
}

#[derive(Debug)]
struct Demo {
    config: DemoConfig,
    calls: AtomicU64,
    /// Names the user each page is for, for the client script's form
    /// keeping; random per process (a restart restores nothing kept before it).
    owners: PageOwnerKey,
}

type AppState = Arc<Demo>;

/// Every route of the demo: public ones declared so, the rest guarded (the
/// default, or the handler's own `#[require_login]`).
fn routes() -> GuardedRouter<AppState> {
    GuardedRouter::new()
        .public_route("/", get(index))
        .public_route("/login", get(login_page).post(login_submit))
        // Guards itself: a GET reads the deadlines passively, a POST extends.
        .public_route(deadline::STATUS_PATH, deadline::status())
        .public_route("/logout", get(logout_page).post(logout_submit))
        .public_route(
            "/admin/login",
            get(admin_login_page).post(admin_login_submit),
        )
        .public_route(
            "/admin/logout",
            get(admin_logout_page).post(admin_logout_submit),
        )
        .public_route(CLIENT_SCRIPT_PATH, get(client_script))
        .public_route(WARNING_SCRIPT_PATH, get(warning_script))
        .public_route(RELOGIN_SCRIPT_PATH, get(relogin_script))
        .public_route("/assets/jquery.min.js", get(jquery_asset))
        .public_route("/assets/htmx.min.js", get(htmx_asset))
        .public_route("/assets/htmx-ext-sse.js", get(|| npm_asset(NPM_HTMX_SSE)))
        .public_route("/assets/htmx-ext-ws.js", get(|| npm_asset(NPM_HTMX_WS)))
        .route("/dashboard", get(dashboard))
        .route("/api/unread", get(unread))
        .route("/fetch", get(fetch_page))
        .route("/xhr", get(xhr_page))
        .route("/jquery", get(jquery_page))
        .route("/jquery-seed", get(jquery_seed_page))
        .route("/htmx", get(htmx_page))
        .route("/form", get(form_page).post(form_submit))
        .route("/draft", get(draft_page).post(draft_submit))
        .route("/draft/htmx", post(draft_htmx))
        .route("/api/draft", post(draft_api))
        .route("/api/time", get(api_time))
        .route("/api/echo", post(api_echo))
        .route("/htmx/fragment", get(htmx_get).post(htmx_post))
        .route("/in-place", get(in_place_page))
        .route(RELOGIN_DONE_PATH, get(relogin_done))
        .route("/live", get(live::live_page))
        .route("/live/htmx", get(live::live_htmx_page))
        .route("/live/clock", get(live::clock))
        .route("/live/echo", get(live::echo))
        .route("/admin", get(admin_page))
        .route("/admin/api/stats", get(admin_stats))
}

/// The demo's route table: every route, public or guarded, and what a
/// logged-out user gets there. Print it with [`require_login::router::audit_table`].
///
/// ```
/// let audit = require_login_demo::route_audit();
/// let dashboard = audit.iter().find(|row| row.path == "/dashboard").unwrap();
/// assert_eq!(dashboard.login().unwrap().as_str(), "/login");
/// let admin = audit.iter().find(|row| row.path == "/admin").unwrap();
/// assert_eq!(admin.login().unwrap().as_str(), "/admin/login");
/// ```
pub fn route_audit() -> Vec<RouteAudit> {
    routes()
        .audit()
        .unwrap_or_else(|error| panic!("the demo's routes: {error}"))
}

/// The whole demo app, on in-memory sessions.
///
/// ```
/// use std::time::Duration;
/// use require_login_demo::{app, DemoConfig};
///
/// let app: axum::Router = app(DemoConfig { idle: Duration::from_secs(2), ..Default::default() });
/// ```
pub fn app(config: DemoConfig) -> Router {
    app_on(config, MemoryStore::default())
}

/// The whole demo app, its sessions kept in `store` (shared by every
/// instance given the same one, such as [`redis::connect`]'s).
///
/// ```
/// use require_login_demo::{app_on, DemoConfig};
/// use tower_sessions::MemoryStore;
///
/// let app: axum::Router = app_on(DemoConfig::default(), MemoryStore::default());
/// ```
pub fn app_on<S: SessionStore + Clone>(config: DemoConfig, store: S) -> Router {
    let idle = time::Duration::try_from(config.idle).unwrap_or(time::Duration::seconds(30));
    let deadlines = Deadlines::new().with_idle(config.idle.max(Duration::from_secs(1)));
    let deadlines = match config.warning {
        Some(before) => deadlines.with_warning(before).with_no_store_pages(true),
        None => deadlines,
    };
    let deadlines = match config.absolute {
        Some(lifetime) => deadlines.with_absolute(lifetime),
        None => deadlines,
    };
    let sessions = SessionManagerLayer::new(store)
        .with_secure(false)
        .with_expiry(Expiry::OnInactivity(idle))
        // Every request counts as activity, not only the ones that change the session.
        .with_always_save(true);
    let watch = config.watch.clone();
    let state = Arc::new(Demo {
        config,
        calls: AtomicU64::new(0),
        owners: PageOwnerKey::generate(),
    });
    routes()
        .log_audit()
        .build()
        .unwrap_or_else(|error| panic!("the demo's routes: {error}"))
        .with_state(state)
        // The guard's own idle deadline, which pages can see (tower-sessions'
        // expiry above stays as the store's backstop).
        .layer(DeadlineLayer::new(deadlines))
        // Ends the live pages' streams when their session ends.
        .layer(watch)
        .layer(sessions)
}

// ---------------------------------------------------------------------------
// Helpers

async fn user_of(session: &Session, key: &str) -> Option<String> {
    session.get::<String>(key).await.ok().flatten()
}

/// What a `?next=` value keeps as it is besides letters and digits: the
/// unreserved marks and `/`, so that a path still reads as one.
const NEXT_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// `path?next=<next>`, or `path` when `next` is not a safe return-to link.
fn with_next(path: &str, next: Option<&str>) -> String {
    match next.and_then(safe_next) {
        Some(next) => format!("{path}?next={}", utf8_percent_encode(next, NEXT_VALUE)),
        None => path.to_owned(),
    }
}

// ---------------------------------------------------------------------------
// Public pages: index, login, logout

async fn index(State(demo): State<AppState>, session: Session) -> Html<String> {
    let user = user_of(&session, require_login::options::SESSION_KEY).await;
    let admin = user_of(&session, ADMIN_SESSION_KEY).await;
    let status = match (&user, &admin) {
        (Some(u), _) => format!("Logged in as <b id=\"who\">{}</b>.", escape_html(u)),
        (None, Some(_)) => "Logged in to the admin area only.".to_owned(),
        (None, None) => {
            "Not logged in: every page below sends you to the login form first.".to_owned()
        }
    };
    let missing: String = demo
        .config
        .missing_assets()
        .iter()
        .map(|m| missing_banner(m))
        .collect();
    let idle_seconds = demo.config.idle.as_secs_f64().to_string();
    page(
        "require-login demo",
        "",
        &fill(
            include_str!("../pages/index.html"),
            &[
                ("status", &status),
                ("missing", &missing),
                ("idle_seconds", &idle_seconds),
            ],
        ),
    )
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    /// Why the session ended, when the guard knows (`idle`, `expired`).
    reason: Option<String>,
}

/// What the login page says about why the session ended.
fn why_logged_out(reason: Option<&str>) -> Option<&'static str> {
    match reason {
        Some("idle") => Some("You were logged out after a while without activity."),
        Some("expired") => Some("Your session reached its time limit."),
        _ => None,
    }
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

fn login_form(action: &str, title: &str, next: Option<&str>, error: Option<&str>) -> Html<String> {
    let next = next.and_then(safe_next);
    let after_login = match next {
        Some(next) => format!(
            "<p class=\"note\">After logging in you go back to <code id=\"next\">{}</code>.</p>",
            escape_html(next)
        ),
        None => "<p class=\"note\">After logging in you go to the dashboard.</p>".to_owned(),
    };
    let error = error
        .map(|e| format!("<p class=\"missing\" id=\"error\">{}</p>", escape_html(e)))
        .unwrap_or_default();
    page(
        title,
        // A Turbo Frame request that was sent here replaces the whole page. The
        // client script on the login page tells a form POST answered with this
        // page (its values are kept) from one that succeeded.
        &format!("<meta name=\"turbo-visit-control\" content=\"reload\">{CLIENT_SCRIPT_TAG}"),
        &fill(
            include_str!("../pages/login.html"),
            &[
                ("error", &error),
                ("action", action),
                ("next", &escape_html(next.unwrap_or(""))),
                ("password", DEMO_PASSWORD),
                ("after_login", &after_login),
            ],
        ),
    )
}

async fn login_page(Query(q): Query<NextQuery>) -> Html<String> {
    let why = why_logged_out(q.reason.as_deref());
    login_form("/login", "Log in", q.next.as_deref(), why)
}

/// `FromThisSite` first: another site's form cannot log a visitor in to an
/// account of its choosing (login CSRF); the login form needs no token.
async fn login_submit(_: FromThisSite, session: Session, Form(form): Form<LoginForm>) -> Response {
    do_login(
        session,
        form,
        require_login::options::SESSION_KEY,
        "/login",
        "/dashboard",
    )
    .await
}

async fn do_login(
    session: Session,
    form: LoginForm,
    key: &str,
    action: &str,
    home: &str,
) -> Response {
    let title = if key == ADMIN_SESSION_KEY {
        "Admin log in"
    } else {
        "Log in"
    };
    let name = form.username.trim();
    if form.password != DEMO_PASSWORD || name.is_empty() {
        let mut response = login_form(
            action,
            title,
            form.next.as_deref(),
            Some("Wrong user name or password."),
        )
        .into_response();
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        return response;
    }
    if let Err(error) = require_login::login::login_with_key(&session, key, name).await {
        tracing::error!(%error, "demo: could not log in");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    // A fresh CSRF token with every login, before any page needs one.
    if let Err(error) = csrf::renew(&session).await {
        tracing::error!(%error, "demo: could not create a CSRF token");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    redirect_after_login(form.next.as_deref(), home).into_response()
}

/// Whether the session is logged in to the app or to the admin area.
async fn logged_in(session: &Session) -> bool {
    user_of(session, require_login::options::SESSION_KEY)
        .await
        .is_some()
        || user_of(session, ADMIN_SESSION_KEY).await.is_some()
}

/// A log-out form's CSRF field: only for a session with a login to end (a
/// logged-out visitor's page starts no session for it).
async fn logout_token_field(session: &Session, has_login: bool) -> String {
    if has_login {
        csrf::field(session).await
    } else {
        String::new()
    }
}

/// A log-out form's fields: only its CSRF token.
#[derive(Deserialize)]
struct LogoutForm {}

/// The log-out POSTs check their login before CSRF, like the guarded
/// handlers: a session with no login left goes to `login` (there is nothing
/// to end, and its page's token is stale); one with a login passes the CSRF
/// check (`Err` is its answer) before it is ended.
async fn logout_allowed(has_login: bool, login: &str, request: Request) -> Result<(), Response> {
    if !has_login {
        return Err(Redirect::to(login).into_response());
    }
    csrf::CsrfForm::<LogoutForm>::from_request(request, &())
        .await
        .map(|_| ())
}

async fn logout_page(session: Session) -> Html<String> {
    let token_field = logout_token_field(&session, logged_in(&session).await).await;
    page(
        "Log out",
        // With the script, logging out also discards the form values it kept in this tab.
        CLIENT_SCRIPT_TAG,
        &fill(
            include_str!("../pages/logout.html"),
            &[("csrf_field", &token_field)],
        ),
    )
}

async fn logout_submit(session: Session, request: Request) -> Response {
    if let Err(answer) = logout_allowed(logged_in(&session).await, "/login", request).await {
        return answer;
    }
    match require_login::logout(&session).await {
        Ok(()) => Redirect::to("/login").into_response(),
        Err(error) => {
            tracing::error!(%error, "demo: could not log out");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

// ---------------------------------------------------------------------------
// Guarded pages, one per client kind

/// What every page with calls shares: `show` and `jsonOrError`.
const CALLS_JS: &str = include_str!("../static/calls.js");
const FETCH_JS: &str = include_str!("../static/fetch.js");
const XHR_JS: &str = include_str!("../static/xhr.js");
const JQUERY_JS: &str = include_str!("../static/jquery.js");

/// The dashboard's unread count, polled: passive, so the poll does not
/// keep the session alive and the warning still comes.
const UNREAD_BADGE: &str = "<p>Unread messages: <output id=\"unread\">?</output> \
     (asked every 2 s; a passive route, so asking does not keep you logged in)</p>\
     <script>setInterval(function () { fetch('/api/unread').then(function (r) { return r.ok ? r.text() : null; })\
     .then(function (n) { if (n !== null) { document.getElementById('unread').textContent = n; } }); }, 2000);</script>";

#[require_login(passive = true)]
async fn unread() -> &'static str {
    "3"
}

#[require_login]
async fn dashboard(State(demo): State<AppState>, session: Session) -> Html<String> {
    let user = user_of(&session, require_login::options::SESSION_KEY)
        .await
        .unwrap_or_default();
    // The warning before the session ends, when the demo turns it on, and
    // a badge polled every 2 s that does not keep the session alive.
    let (warning, badge) = if demo.config.warning.is_some() {
        (WARNING_SCRIPT_TAG, UNREAD_BADGE)
    } else {
        ("", "")
    };
    page(
        "Dashboard",
        &format!("{CLIENT_SCRIPT_TAG}{warning}{}", csrf::meta(&session).await),
        &fill(
            include_str!("../pages/dashboard.html"),
            &[
                ("user", &escape_html(&user)),
                ("calls_js", CALLS_JS),
                ("fetch_js", FETCH_JS),
                ("xhr_js", XHR_JS),
                ("badge", badge),
            ],
        ),
    )
}

/// The page that logs in again in place (`RELOGIN_SCRIPT_TAG`): its calls
/// wait through a login in a popup instead of leaving the page.
#[require_login]
async fn in_place_page(State(demo): State<AppState>, session: Session) -> Response {
    let owner = match demo.owners.meta_tag(&session).await {
        Ok(owner) => owner,
        Err(error) => {
            tracing::error!(%error, "demo: could not read the session");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut head = format!(
        "{CLIENT_SCRIPT_TAG}{RELOGIN_SCRIPT_TAG}{owner}{}",
        csrf::meta(&session).await
    );
    let mut missing = String::new();
    for (file, tag, why) in [
        (
            &demo.config.jquery,
            "<script src=\"/assets/jquery.min.js\"></script>",
            jquery_missing(&demo.config.jquery),
        ),
        (
            &demo.config.htmx,
            "<script src=\"/assets/htmx.min.js\"></script>",
            htmx_missing(&demo.config.htmx),
        ),
    ] {
        if file.is_file() {
            head.push_str(tag);
        } else {
            missing.push_str(&missing_banner(&why));
        }
    }
    page(
        "Log in again in place",
        &head,
        &fill(
            include_str!("../pages/in-place.html"),
            &[
                ("missing", &missing),
                ("calls_js", CALLS_JS),
                ("in_place_js", include_str!("../static/in-place.js")),
            ],
        ),
    )
    .into_response()
}

/// Where the login popup comes back to: tells the waiting pages who logged
/// in and the new session's CSRF token, then closes.
#[require_login]
async fn relogin_done(State(demo): State<AppState>, session: Session) -> Response {
    match demo.owners.owner(&session).await {
        Ok(owner) => {
            let token = csrf::token(&session).await;
            relogin_done_page(owner.as_ref(), Some(&token)).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "demo: could not read the session");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[require_login]
async fn fetch_page() -> Html<String> {
    page(
        "fetch()",
        CLIENT_SCRIPT_TAG,
        &fill(
            include_str!("../pages/fetch.html"),
            &[("calls_js", CALLS_JS), ("fetch_js", FETCH_JS)],
        ),
    )
}

#[require_login]
async fn xhr_page(session: Session) -> Html<String> {
    page(
        "XMLHttpRequest",
        &format!("{CLIENT_SCRIPT_TAG}{}", csrf::meta(&session).await),
        &fill(
            include_str!("../pages/xhr.html"),
            &[("calls_js", CALLS_JS), ("xhr_js", XHR_JS)],
        ),
    )
}

/// jQuery's `<script>` tag followed by `extra`, or (jQuery not installed)
/// no tags and the banner saying so.
fn jquery_head(demo: &Demo, extra: &str) -> (String, String) {
    if demo.config.jquery.is_file() {
        (
            format!("<script src=\"/assets/jquery.min.js\"></script>{extra}"),
            String::new(),
        )
    } else {
        (
            String::new(),
            missing_banner(&jquery_missing(&demo.config.jquery)),
        )
    }
}

#[require_login]
async fn jquery_page(State(demo): State<AppState>) -> Html<String> {
    let (jquery, missing) = jquery_head(&demo, "");
    page(
        "jQuery with the client script",
        // The client script first, before any library, as everywhere.
        &format!("{CLIENT_SCRIPT_TAG}{jquery}"),
        &fill(
            include_str!("../pages/jquery.html"),
            &[("missing", &missing), ("jquery_js", JQUERY_JS)],
        ),
    )
}

/// The recipe's snippet, unchanged but for what its template fills in: the
/// sentinel, and the login route (rendered, as a template's route helper
/// would, with the return-to link for this page).
fn seed_snippet(sentinel: &str, login_url: &str) -> String {
    fill(
        include_str!("../static/jquery-seed.js"),
        &[
            ("sentinel", &js_string(sentinel)),
            ("login_url", &js_string(login_url)),
        ],
    )
}

#[require_login]
async fn jquery_seed_page(State(demo): State<AppState>) -> Html<String> {
    let snippet = format!(
        "<script>{}</script>",
        seed_snippet(
            require_login::LOGIN_REQUIRED,
            &with_next("/login", Some("/jquery-seed"))
        )
    );
    let (head, missing) = jquery_head(&demo, &snippet);
    page(
        "jQuery with the recipe's snippet",
        &head,
        &fill(
            include_str!("../pages/jquery-seed.html"),
            &[("missing", &missing), ("jquery_js", JQUERY_JS)],
        ),
    )
}

#[require_login]
async fn htmx_page(State(demo): State<AppState>, session: Session) -> Html<String> {
    let token_field = csrf::field(&session).await;
    let (head, missing) = if demo.config.htmx.is_file() {
        (
            format!("{CLIENT_SCRIPT_TAG}<script src=\"/assets/htmx.min.js\"></script>"),
            String::new(),
        )
    } else {
        (
            String::new(),
            missing_banner(&htmx_missing(&demo.config.htmx)),
        )
    };
    page(
        "htmx",
        &head,
        &fill(
            include_str!("../pages/htmx.html"),
            &[("missing", &missing), ("csrf_field", &token_field)],
        ),
    )
}

#[derive(Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

#[require_login]
async fn form_page(session: Session, Query(q): Query<SavedQuery>) -> Html<String> {
    let token_field = csrf::field(&session).await;
    let saved = q
        .saved
        .map(|s| format!("<p id=\"saved\">Saved: {}</p>", escape_html(&s)))
        .unwrap_or_default();
    page(
        "A form",
        "",
        &fill(
            include_str!("../pages/form.html"),
            &[("saved", &saved), ("csrf_field", &token_field)],
        ),
    )
}

#[derive(Deserialize)]
struct NoteForm {
    note: String,
}

#[require_login]
async fn form_submit(csrf::CsrfForm(form): csrf::CsrfForm<NoteForm>) -> Redirect {
    Redirect::to(&with_saved("/form", &form.note))
}

/// `page?saved=<text>`: the page again, saying what was saved.
fn with_saved(page: &str, text: &str) -> String {
    format!(
        "{page}?saved={}",
        utf8_percent_encode(text, NON_ALPHANUMERIC)
    )
}

// ---------------------------------------------------------------------------
// A draft: what the user typed survives the login round trip

#[derive(Deserialize)]
struct DraftQuery {
    saved: Option<String>,
    /// `?keep=off`: the whole page opts out of form keeping.
    keep: Option<String>,
}

/// The page's fields, however they are sent. The PIN is never kept by the
/// client script; the server ignores it.
#[derive(Deserialize)]
struct Draft {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    priority: String,
    urgent: Option<String>,
}

impl Draft {
    /// One line saying what was saved, the same for every way of saving.
    fn summary(&self) -> String {
        let urgent = if self.urgent.is_some() {
            "urgent"
        } else {
            "not urgent"
        };
        format!(
            "{} / {} / {} / {urgent}",
            self.title.trim(),
            self.body.trim(),
            self.priority
        )
    }
}

#[require_login]
async fn draft_page(
    State(demo): State<AppState>,
    session: Session,
    Query(q): Query<DraftQuery>,
) -> Response {
    let owner = match demo.owners.meta_tag(&session).await {
        Ok(owner) => owner,
        Err(error) => {
            tracing::error!(%error, "demo: could not read the session");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let (htmx, missing) = if demo.config.htmx.is_file() {
        (
            "<script src=\"/assets/htmx.min.js\"></script>",
            String::new(),
        )
    } else {
        ("", missing_banner(&htmx_missing(&demo.config.htmx)))
    };
    let token_field = csrf::field(&session).await;
    let saved = q
        .saved
        .map(|s| format!("<p id=\"saved\">Saved: {}</p>", escape_html(&s)))
        .unwrap_or_default();
    let keep_off = q.keep.as_deref() == Some("off");
    let (keep_open, keep_close, intro) = if keep_off {
        (
            "<div data-require-login-keep=\"off\">",
            "</div>",
            "This copy of the page opts out: <code>data-require-login-keep=\"off\"</code> around all of it. \
             Nothing typed here is kept.",
        )
    } else {
        (
            "",
            "",
            "Type, let the session end, then save any way you like: after logging in you are back here \
             with what you typed (never the PIN, never the CSRF token). <a href=\"/draft?keep=off\">The same \
             page, opted out</a>.",
        )
    };
    let warning = if demo.config.warning.is_some() {
        WARNING_SCRIPT_TAG
    } else {
        ""
    };
    page(
        "A draft",
        &format!(
            "{CLIENT_SCRIPT_TAG}{warning}{}{owner}{htmx}",
            csrf::meta(&session).await
        ),
        &fill(
            include_str!("../pages/draft.html"),
            &[
                ("missing", &missing),
                ("saved", &saved),
                ("keep_open", keep_open),
                ("intro", intro),
                ("csrf_field", &token_field),
                ("keep_close", keep_close),
                ("calls_js", CALLS_JS),
                ("draft_js", include_str!("../static/draft.js")),
            ],
        ),
    )
    .into_response()
}

#[require_login]
async fn draft_submit(csrf::CsrfForm(draft): csrf::CsrfForm<Draft>) -> Redirect {
    Redirect::to(&with_saved("/draft", &draft.summary()))
}

#[require_login]
async fn draft_api(_csrf: csrf::CsrfChecked, Json(draft): Json<Draft>) -> Json<serde_json::Value> {
    Json(json!({ "saved": draft.summary() }))
}

#[require_login]
async fn draft_htmx(csrf::CsrfForm(draft): csrf::CsrfForm<Draft>) -> Html<String> {
    Html(format!(
        "<span>htmx saved: {}</span>",
        escape_html(&draft.summary())
    ))
}

// ---------------------------------------------------------------------------
// Guarded endpoints

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[require_login]
async fn api_time(State(demo): State<AppState>, session: Session) -> Json<serde_json::Value> {
    let user = user_of(&session, require_login::options::SESSION_KEY).await;
    let call = demo.calls.fetch_add(1, Ordering::Relaxed) + 1;
    Json(json!({ "user": user, "time": now_secs(), "call": call }))
}

#[derive(Deserialize)]
struct Echo {
    text: String,
}

#[require_login]
async fn api_echo(
    State(demo): State<AppState>,
    session: Session,
    _csrf: csrf::CsrfChecked,
    Json(body): Json<Echo>,
) -> Json<serde_json::Value> {
    let user = user_of(&session, require_login::options::SESSION_KEY).await;
    let call = demo.calls.fetch_add(1, Ordering::Relaxed) + 1;
    Json(json!({ "user": user, "echo": body.text, "call": call }))
}

#[require_login]
async fn htmx_get(State(demo): State<AppState>, session: Session) -> Html<String> {
    let user = user_of(&session, require_login::options::SESSION_KEY)
        .await
        .unwrap_or_default();
    let call = demo.calls.fetch_add(1, Ordering::Relaxed) + 1;
    Html(format!(
        "<span>htmx get: hello {}, call {call}</span>",
        escape_html(&user)
    ))
}

#[require_login]
async fn htmx_post(
    State(demo): State<AppState>,
    session: Session,
    csrf::CsrfForm(form): csrf::CsrfForm<Echo>,
) -> Html<String> {
    let user = user_of(&session, require_login::options::SESSION_KEY)
        .await
        .unwrap_or_default();
    let call = demo.calls.fetch_add(1, Ordering::Relaxed) + 1;
    Html(format!(
        "<span>htmx post: hello {}, {}, call {call}</span>",
        escape_html(&user),
        escape_html(&form.text)
    ))
}

// ---------------------------------------------------------------------------
// Admin area: its own login page and session key

#[require_login(login = "/admin/login", session_key = "demo.admin")]
async fn admin_page(session: Session) -> Html<String> {
    let admin = user_of(&session, ADMIN_SESSION_KEY)
        .await
        .unwrap_or_default();
    page(
        "Admin",
        CLIENT_SCRIPT_TAG,
        &fill(
            include_str!("../pages/admin.html"),
            &[
                ("admin", &escape_html(&admin)),
                ("calls_js", CALLS_JS),
                ("admin_js", include_str!("../static/admin.js")),
            ],
        ),
    )
}

#[require_login(login = "/admin/login", session_key = "demo.admin")]
async fn admin_stats(State(demo): State<AppState>, session: Session) -> Json<serde_json::Value> {
    let admin = user_of(&session, ADMIN_SESSION_KEY).await;
    let call = demo.calls.fetch_add(1, Ordering::Relaxed) + 1;
    Json(json!({ "admin": admin, "call": call }))
}

async fn admin_login_page(Query(q): Query<NextQuery>) -> Html<String> {
    let why = why_logged_out(q.reason.as_deref());
    login_form("/admin/login", "Admin log in", q.next.as_deref(), why)
}

async fn admin_login_submit(
    _: FromThisSite,
    session: Session,
    Form(form): Form<LoginForm>,
) -> Response {
    do_login(session, form, ADMIN_SESSION_KEY, "/admin/login", "/admin").await
}

async fn admin_logout_page(session: Session) -> Html<String> {
    let admin = user_of(&session, ADMIN_SESSION_KEY).await.is_some();
    let token_field = logout_token_field(&session, admin).await;
    page(
        "Admin log out",
        CLIENT_SCRIPT_TAG,
        &fill(
            include_str!("../pages/admin-logout.html"),
            &[("csrf_field", &token_field)],
        ),
    )
}

async fn admin_logout_submit(session: Session, request: Request) -> Response {
    let admin = user_of(&session, ADMIN_SESSION_KEY).await.is_some();
    if let Err(answer) = logout_allowed(admin, "/admin/login", request).await {
        return answer;
    }
    match session.remove_value(ADMIN_SESSION_KEY).await {
        Ok(_) => Redirect::to("/admin/login").into_response(),
        Err(error) => {
            tracing::error!(%error, "demo: could not log out of the admin area");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

// ---------------------------------------------------------------------------
// Third-party assets, served from where they are installed

async fn serve_file(path: &std::path::Path, missing: String) -> Response {
    match tokio::fs::read(path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => (StatusCode::NOT_FOUND, missing).into_response(),
    }
}

async fn jquery_asset(State(demo): State<AppState>) -> Response {
    let path = &demo.config.jquery;
    serve_file(path, jquery_missing(path)).await
}

async fn htmx_asset(State(demo): State<AppState>) -> Response {
    let path = &demo.config.htmx;
    serve_file(path, htmx_missing(path)).await
}

/// An htmx extension, from where `npm ci` put it.
async fn npm_asset(path: &'static str) -> Response {
    let path = std::path::Path::new(path);
    serve_file(path, htmx_missing(path)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_snippet_compares_response_text_with_the_sentinel() {
        let js = seed_snippet("LOGIN_REQUIRED", "/login?next=%2Fjquery-seed");
        assert!(js.contains("$(document).ajaxComplete("));
        assert!(js.contains(r#"if (request.responseText === "LOGIN_REQUIRED") {"#));
        // `require_login::__private::js_string` writes `?`, `=` and `%` as `\xHH`.
        assert!(js.contains(r#"window.location.href = "/login\x3fnext\x3d\x252Fjquery-seed";"#));
    }

    #[test]
    fn return_links_are_percent_encoded() {
        assert_eq!(
            with_saved("/form", "a b/é&x=1"),
            "/form?saved=a%20b%2F%C3%A9%26x%3D1"
        );
        assert_eq!(
            with_next("/login", Some("/a-b_c.d~e/f?g=1&h=%2F")),
            "/login?next=/a-b_c.d~e/f%3Fg%3D1%26h%3D%252F"
        );
        assert_eq!(with_next("/login", Some("//evil.example")), "/login");
    }

    #[test]
    fn seed_snippet_values_can_close_neither_the_string_nor_the_script_element() {
        let js = seed_snippet(r#"</script><script>alert("x")//"#, "/login?next=</SCRIPT>'");
        assert!(!js.to_ascii_lowercase().contains("</script"), "{js}");
        assert!(js.contains(r#"=== "\x3c/script\x3e\x3cscript\x3ealert\x28\x22x\x22\x29//") {"#));
        assert!(js.contains(r#"= "/login\x3fnext\x3d\x3c/SCRIPT\x3e\x27";"#));
    }
}
