//! The request scenarios of the benchmark suite, shared by the criterion
//! benches (`benches/guard.rs`) and the instruction-count harness
//! (`src/bin/icount.rs`), so both measure exactly the same thing.
//!
//! Every scenario sends one in-process request through a real axum
//! [`Router`] (with `tower::ServiceExt::oneshot`, sessions in a
//! `MemoryStore`) to the same handler body, which returns a short string.
//! Each router has the same two routes, `/dash` (measured) and `/login`
//! (used once, at set-up, to get a logged-in session cookie).

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use http::header::{ACCEPT, COOKIE, HOST, REFERER, SET_COOKIE};
use http::request::Parts;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use require_login::{
    options::SESSION_KEY, require_login, GuardedRouter, RequireLoginLayer, LOGIN_REQUIRED,
};
use tower::ServiceExt;
use tower_sessions::{MemoryStore, Session, SessionManagerLayer};

/// The body every scenario's handler answers with.
pub const HELLO: &str = "hello";

/// The measured path, with a query so the return-to link has something to encode.
pub const PATH: &str = "/dash?tab=2";

/// One benchmark scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// No session layer, no guard.
    A,
    /// Session layer, logged-in cookie, no guard (the cookie is parsed, the
    /// store is never read: tower-sessions loads lazily).
    B,
    /// `#[require_login]`, logged in.
    C,
    /// `#[require_login]`, logged out, browser navigation: 303.
    D,
    /// `#[require_login]`, logged out, AJAX (jQuery): the sentinel.
    E,
    /// The layer form, `RequireLoginLayer` as a route layer, logged in.
    F,
    /// A hand-written check in the handler (`Session` + `get` + redirect), logged in.
    H,
    /// The hand-written check, logged out, browser navigation.
    HNav,
    /// The hand-written check, logged out, AJAX.
    HAjax,
    /// axum-login 0.18's `login_required!` route layer, logged in.
    L,
    /// axum-login 0.18's `login_required!` route layer, logged out (navigation).
    LNav,
    /// D with a stale session cookie: an id the store does not know (an
    /// expired session the browser still sends). The store is asked and
    /// misses, and tower-sessions answers with a cookie removal.
    DStale,
    /// E with a stale session cookie.
    EStale,
    /// H_nav with a stale session cookie.
    HNavStale,
    /// H_ajax with a stale session cookie.
    HAjaxStale,
    /// L_nav with a stale session cookie.
    LNavStale,
    /// The same axum-login app, its route guarded by
    /// `#[require_login(axum_login = Backend)]` instead of `login_required!`, logged in.
    G,
    /// The same, the route guarded by `RequireLoginLayer` with `axum_login::<Backend>()`.
    GLayer,
    /// G, logged out, navigation: 303.
    GNav,
    /// `GuardedRouter` (deny by default), a plain handler: guarded once, by
    /// the app's default.
    R,
    /// `GuardedRouter`, a `#[require_login]` handler: deny-by-default and the
    /// handler's own guard, checked once (the router adds no second guard
    /// where the handler's own comes first).
    RBoth,
    /// F with a `#[require_login]` handler: the layer and the handler's own
    /// guard both run, the second reusing the first's answer.
    FBoth,
    /// C behind a `DeadlineLayer` (30 minutes idle, 8 hours absolute): the
    /// deadlines judged, the seconds left said, activity within the write
    /// interval (no store write).
    CDeadlines,
    /// C behind a `SessionWatch`: the watch every request passes (this one
    /// opens no stream).
    CWatched,
}

impl Scenario {
    /// Every scenario, in report order.
    pub const ALL: [Scenario; 24] = [
        Scenario::A,
        Scenario::B,
        Scenario::C,
        Scenario::D,
        Scenario::E,
        Scenario::DStale,
        Scenario::EStale,
        Scenario::F,
        Scenario::H,
        Scenario::HNav,
        Scenario::HAjax,
        Scenario::HNavStale,
        Scenario::HAjaxStale,
        Scenario::L,
        Scenario::LNav,
        Scenario::LNavStale,
        Scenario::G,
        Scenario::GLayer,
        Scenario::GNav,
        Scenario::R,
        Scenario::RBoth,
        Scenario::FBoth,
        Scenario::CDeadlines,
        Scenario::CWatched,
    ];

    /// The short name used on the command line and in the reports.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::A => "A",
            Scenario::B => "B",
            Scenario::C => "C",
            Scenario::D => "D",
            Scenario::E => "E",
            Scenario::F => "F",
            Scenario::H => "H",
            Scenario::HNav => "H_nav",
            Scenario::HAjax => "H_ajax",
            Scenario::L => "L",
            Scenario::LNav => "L_nav",
            Scenario::DStale => "D_stale",
            Scenario::EStale => "E_stale",
            Scenario::HNavStale => "H_nav_stale",
            Scenario::HAjaxStale => "H_ajax_stale",
            Scenario::LNavStale => "L_nav_stale",
            Scenario::G => "G",
            Scenario::GLayer => "G_layer",
            Scenario::GNav => "G_nav",
            Scenario::R => "R",
            Scenario::RBoth => "R_both",
            Scenario::FBoth => "F_both",
            Scenario::CDeadlines => "C_deadlines",
            Scenario::CWatched => "C_watched",
        }
    }

    /// What the scenario measures, one line.
    pub fn describe(self) -> &'static str {
        match self {
            Scenario::A => "no session layer, no guard",
            Scenario::B => "session layer, logged-in cookie, no guard",
            Scenario::C => "#[require_login], logged in",
            Scenario::D => "#[require_login], logged out, navigation (303)",
            Scenario::E => "#[require_login], logged out, AJAX (sentinel)",
            Scenario::F => "RequireLoginLayer route layer, logged in",
            Scenario::H => "hand-written check, logged in",
            Scenario::HNav => "hand-written check, logged out, navigation",
            Scenario::HAjax => "hand-written check, logged out, AJAX",
            Scenario::L => "axum-login login_required!, logged in",
            Scenario::LNav => "axum-login login_required!, logged out",
            Scenario::DStale => "#[require_login], stale cookie, navigation (303)",
            Scenario::EStale => "#[require_login], stale cookie, AJAX (sentinel)",
            Scenario::HNavStale => "hand-written check, stale cookie, navigation",
            Scenario::HAjaxStale => "hand-written check, stale cookie, AJAX",
            Scenario::LNavStale => "axum-login login_required!, stale cookie",
            Scenario::G => "axum-login app, #[require_login(axum_login = Backend)], logged in",
            Scenario::GLayer => "axum-login app, RequireLoginLayer (axum_login), logged in",
            Scenario::GNav => {
                "axum-login app, #[require_login(axum_login = Backend)], logged out (303)"
            }
            Scenario::R => "GuardedRouter, plain handler (guarded once), logged in",
            Scenario::RBoth => {
                "GuardedRouter, #[require_login] handler (guarded by both), logged in"
            }
            Scenario::FBoth => {
                "RequireLoginLayer + #[require_login] handler (both run, second reuses), logged in"
            }
            Scenario::CDeadlines => "#[require_login] behind a DeadlineLayer, logged in",
            Scenario::CWatched => "#[require_login] behind a SessionWatch, logged in, no stream",
        }
    }

    /// The scenario called `name` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Scenario> {
        Scenario::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }

    /// The status the scenario's request must get.
    pub fn expected_status(self) -> StatusCode {
        match self {
            Scenario::D
            | Scenario::HNav
            | Scenario::DStale
            | Scenario::HNavStale
            | Scenario::GNav => StatusCode::SEE_OTHER,
            Scenario::E | Scenario::HAjax | Scenario::EStale | Scenario::HAjaxStale => {
                StatusCode::FORBIDDEN
            }
            Scenario::LNav | Scenario::LNavStale => StatusCode::TEMPORARY_REDIRECT,
            _ => StatusCode::OK,
        }
    }

    fn logged_in(self) -> bool {
        matches!(
            self,
            Scenario::A
                | Scenario::B
                | Scenario::C
                | Scenario::F
                | Scenario::H
                | Scenario::L
                | Scenario::G
                | Scenario::GLayer
                | Scenario::R
                | Scenario::RBoth
                | Scenario::FBoth
                | Scenario::CDeadlines
                | Scenario::CWatched
        )
    }

    /// Logged out, but still sending a session cookie the store does not know.
    pub fn stale(self) -> bool {
        matches!(
            self,
            Scenario::DStale
                | Scenario::EStale
                | Scenario::HNavStale
                | Scenario::HAjaxStale
                | Scenario::LNavStale
        )
    }

    fn ajax(self) -> bool {
        matches!(
            self,
            Scenario::E | Scenario::HAjax | Scenario::EStale | Scenario::HAjaxStale
        )
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The handler body of every scenario.
async fn hello() -> &'static str {
    HELLO
}

/// C, D, E: the same body under the attribute.
#[require_login]
async fn guarded() -> &'static str {
    HELLO
}

/// H: what a user writes without this crate. The request is taken whole
/// (moving it costs nothing) so the AJAX check does not clone the headers.
async fn hand_written(session: Session, request: Request) -> Response {
    match session.get::<String>(SESSION_KEY).await {
        Ok(Some(_user)) => hello().await.into_response(),
        Ok(None) => {
            let ajax = request
                .headers()
                .get("x-requested-with")
                .is_some_and(|v| v == "XMLHttpRequest");
            if ajax {
                (StatusCode::FORBIDDEN, LOGIN_REQUIRED).into_response()
            } else {
                Redirect::to("/login").into_response()
            }
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Logs the session in as "ada" (`POST /login` of every scenario's router).
pub(crate) async fn log_in_handler(session: Session) -> StatusCode {
    log_in(session).await
}

async fn log_in(session: Session) -> StatusCode {
    require_login::login(&session, "ada")
        .await
        .map_or(StatusCode::INTERNAL_SERVER_ERROR, |()| StatusCode::OK)
}

/// axum-login with a trivial in-memory backend: one user, found by id.
pub mod stream;

mod axum_login_backend {
    use axum::http::StatusCode;
    use axum_login::{AuthSession, AuthUser, AuthnBackend, UserId};

    #[derive(Debug, Clone)]
    pub struct User {
        id: u64,
        hash: Vec<u8>,
    }

    impl AuthUser for User {
        type Id = u64;

        fn id(&self) -> u64 {
            self.id
        }

        fn session_auth_hash(&self) -> &[u8] {
            &self.hash
        }
    }

    #[derive(Debug, Clone)]
    pub struct Backend {
        user: User,
    }

    impl Default for Backend {
        fn default() -> Self {
            Backend {
                user: User {
                    id: 1,
                    hash: b"not-a-real-password-hash".to_vec(),
                },
            }
        }
    }

    impl AuthnBackend for Backend {
        type User = User;
        type Credentials = u64;
        type Error = std::convert::Infallible;

        async fn authenticate(&self, id: u64) -> Result<Option<User>, Self::Error> {
            Ok((id == self.user.id).then(|| self.user.clone()))
        }

        async fn get_user(&self, id: &UserId<Self>) -> Result<Option<User>, Self::Error> {
            Ok((*id == self.user.id).then(|| self.user.clone()))
        }
    }

    /// G, G_nav: the same body under the attribute, axum-login deciding.
    #[require_login::require_login(axum_login = Backend)]
    pub async fn guarded() -> &'static str {
        super::HELLO
    }

    pub async fn log_in(mut auth: AuthSession<Backend>) -> StatusCode {
        match auth.authenticate(1).await {
            Ok(Some(user)) if auth.login(&user).await.is_ok() => StatusCode::OK,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

fn router(scenario: Scenario) -> Router {
    match scenario {
        Scenario::A => Router::new()
            .route("/dash", get(hello))
            .route("/login", post(|| async { StatusCode::OK })),
        Scenario::B => with_sessions(get(hello)),
        Scenario::C | Scenario::D | Scenario::E | Scenario::DStale | Scenario::EStale => {
            with_sessions(get(guarded))
        }
        Scenario::F => Router::new()
            .route("/dash", get(hello))
            .route_layer(RequireLoginLayer::default())
            .route("/login", post(log_in))
            .layer(SessionManagerLayer::new(MemoryStore::default())),
        Scenario::H
        | Scenario::HNav
        | Scenario::HAjax
        | Scenario::HNavStale
        | Scenario::HAjaxStale => with_sessions(get(hand_written)),
        Scenario::L | Scenario::LNav | Scenario::LNavStale => {
            use axum_login::login_required;
            use axum_login_backend::Backend;
            with_axum_login(
                Router::new()
                    .route("/dash", get(hello))
                    .route_layer(login_required!(Backend, login_url = "/login")),
            )
        }
        Scenario::G | Scenario::GNav => {
            with_axum_login(Router::new().route("/dash", get(axum_login_backend::guarded)))
        }
        Scenario::GLayer => {
            let options =
                require_login::GuardOptions::new().with_axum_login::<axum_login_backend::Backend>();
            with_axum_login(
                Router::new()
                    .route("/dash", get(hello))
                    .route_layer(RequireLoginLayer::new(options)),
            )
        }
        Scenario::R => guarded_app(require_login::router::get(hello)),
        Scenario::RBoth => guarded_app(require_login::router::get(guarded)),
        Scenario::CDeadlines => {
            use require_login::deadline::{DeadlineLayer, Deadlines};
            const DEADLINES: Deadlines = Deadlines::new()
                .with_idle(std::time::Duration::from_secs(30 * 60))
                .with_absolute(std::time::Duration::from_secs(8 * 60 * 60));
            with_sessions(get(guarded)).layer(DeadlineLayer::new(DEADLINES))
        }
        Scenario::CWatched => Router::new()
            .route("/dash", get(guarded))
            .route("/login", post(log_in))
            .layer(require_login::stream::SessionWatch::new())
            .layer(SessionManagerLayer::new(MemoryStore::default())),
        Scenario::FBoth => Router::new()
            .route("/dash", get(guarded))
            .route_layer(RequireLoginLayer::default())
            .route("/login", post(log_in))
            .layer(SessionManagerLayer::new(MemoryStore::default())),
    }
}

/// R and R_both: the deny-by-default app, `/dash` guarded by the route's
/// guard or, for R_both, by the handler's own attribute.
fn guarded_app(dash: require_login::router::GuardedMethodRouter) -> Router {
    use require_login::router::post;
    GuardedRouter::new()
        .route("/dash", dash)
        .public_route("/login", post(log_in))
        .build()
        .expect("the login route is public")
        .layer(SessionManagerLayer::new(MemoryStore::default()))
}

/// `routes` plus `POST /login`, under axum-login's layer (tower-sessions 0.14, `MemoryStore`).
fn with_axum_login(routes: Router) -> Router {
    use axum_login::AuthManagerLayerBuilder;
    use axum_login_backend::{log_in, Backend};
    let sessions =
        tower_sessions_014::SessionManagerLayer::new(tower_sessions_014::MemoryStore::default());
    routes
        .route("/login", post(log_in))
        .layer(AuthManagerLayerBuilder::new(Backend::default(), sessions).build())
}

fn with_sessions(dash: axum::routing::MethodRouter) -> Router {
    Router::new()
        .route("/dash", dash)
        .route("/login", post(log_in))
        .layer(SessionManagerLayer::new(MemoryStore::default()))
}

/// Browser navigation headers (Chromium, trimmed to what matters).
fn navigation_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(HOST, HeaderValue::from_static("app.test"));
    headers.insert(
        ACCEPT,
        HeaderValue::from_static("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    );
    headers.insert(
        HeaderName::from_static("sec-fetch-mode"),
        HeaderValue::from_static("navigate"),
    );
    headers
}

/// jQuery's `$.getJSON` from the dashboard page: recognised as AJAX both by
/// the guard and by the hand-written check.
fn ajax_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(HOST, HeaderValue::from_static("app.test"));
    headers.insert(
        ACCEPT,
        HeaderValue::from_static("application/json, text/javascript, */*; q=0.01"),
    );
    headers.insert(
        HeaderName::from_static("x-requested-with"),
        HeaderValue::from_static("XMLHttpRequest"),
    );
    headers.insert(
        HeaderName::from_static("sec-fetch-mode"),
        HeaderValue::from_static("cors"),
    );
    headers.insert(
        REFERER,
        HeaderValue::from_static("http://app.test/dashboard?view=week"),
    );
    headers
}

/// A scenario set up and ready to send its request any number of times.
pub struct Bench {
    scenario: Scenario,
    router: Router,
    uri: Uri,
    headers: HeaderMap,
}

impl Bench {
    /// Builds the scenario's router, logs in when the scenario needs it, and
    /// checks that one request gets the expected answer.
    ///
    /// # Panics
    /// When the scenario does not answer as it should: a benchmark of the
    /// wrong behaviour is worth nothing.
    pub async fn new(scenario: Scenario) -> Bench {
        // A real session cookie, from logging in to another instance of the
        // same app (with its own MemoryStore): the right name and id format,
        // an id this scenario's store has never held.
        let stale_cookie = if scenario.stale() {
            Some(log_in_cookie(&router(scenario)).await)
        } else {
            None
        };
        let router = router(scenario);
        let mut headers = if scenario.ajax() {
            ajax_headers()
        } else {
            navigation_headers()
        };
        if scenario.logged_in() {
            let cookie = log_in_cookie(&router).await;
            headers.insert(COOKIE, cookie);
        } else if let Some(cookie) = stale_cookie {
            headers.insert(COOKIE, cookie);
        }
        let bench = Bench {
            scenario,
            router,
            uri: Uri::from_static(PATH),
            headers,
        };
        bench.check().await;
        bench
    }

    /// The scenario this bench runs.
    pub fn scenario(&self) -> Scenario {
        self.scenario
    }

    /// The scenario's router, holding its store (and so its logged-in session).
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// The scenario's request headers (with its session cookie, if any).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A fresh copy of the scenario's request.
    pub fn request(&self) -> Request {
        let mut request = Request::new(Body::empty());
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        request
    }

    /// Sends the scenario's request once through the router.
    pub async fn send(&self) -> Response {
        match self.router.clone().oneshot(self.request()).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    async fn check(&self) {
        let response = self.send().await;
        let status = response.status();
        assert_eq!(
            status,
            self.scenario.expected_status(),
            "scenario {} answered {status}",
            self.scenario
        );
        let set_cookies: Vec<&HeaderValue> =
            response.headers().get_all(SET_COOKIE).iter().collect();
        if self.scenario.stale() {
            // tower-sessions found no record for the cookie's id, so the
            // session is empty, and it tells the browser to drop the cookie.
            // Nothing is written to the store.
            assert_eq!(
                set_cookies.len(),
                1,
                "scenario {}: one cookie removal, got {set_cookies:?}",
                self.scenario
            );
            let sent = self.headers[COOKIE].to_str().expect("ASCII cookie");
            let name = sent.split_once('=').expect("name=value").0;
            check_removal(set_cookies[0], name, SystemTime::now())
                .unwrap_or_else(|why| panic!("scenario {}: {why}", self.scenario));
        } else {
            assert!(
                set_cookies.is_empty(),
                "scenario {}: a measured request must not write the session, got {set_cookies:?}",
                self.scenario
            );
        }
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .expect("a short body");
        match self.scenario.expected_status() {
            StatusCode::OK => assert_eq!(body, HELLO, "scenario {}", self.scenario),
            StatusCode::FORBIDDEN => {
                assert_eq!(body, LOGIN_REQUIRED, "scenario {}", self.scenario);
            }
            _ => {}
        }
    }
}

/// Checks that `set_cookie` is exactly the removal cookie tower-sessions
/// sends for a session cookie called `name` (default configuration, the
/// `cookie` crate's `make_removal`): `name=; Path=/; Max-Age=0; Expires=`
/// one year (365 days) before `now`, give or take a minute.
fn check_removal(set_cookie: &HeaderValue, name: &str, now: SystemTime) -> Result<(), String> {
    let text = set_cookie
        .to_str()
        .map_err(|_| format!("Set-Cookie not ASCII: {set_cookie:?}"))?;
    let prefix = format!("{name}=; Path=/; Max-Age=0; Expires=");
    let date = text
        .strip_prefix(&prefix)
        .ok_or_else(|| format!("expected {prefix:?} followed by a date, got {text:?}"))?;
    let expires =
        parse_http_date(date).ok_or_else(|| format!("not an HTTP date: {date:?} in {text:?}"))?;
    let now = now
        .duration_since(UNIX_EPOCH)
        .map_err(|_| "clock before 1970".to_owned())?
        .as_secs();
    let year_ago = i64::try_from(now).map_err(|_| "clock too far ahead".to_owned())? - 365 * 86_400;
    if (expires - year_ago).abs() > 60 {
        return Err(format!(
            "Expires should be 365 days ago (unix {year_ago}), is unix {expires}: {text:?}"
        ));
    }
    Ok(())
}

/// Seconds since 1970 of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`),
/// with the weekday checked against the date.
fn parse_http_date(date: &str) -> Option<i64> {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let fields: Vec<&str> = date.split(' ').collect();
    let [weekday, day, month, year, time, "GMT"] = fields[..] else {
        return None;
    };
    let weekday = weekday.strip_suffix(',')?;
    let two = |s: &str| (s.len() == 2).then(|| s.parse::<i64>().ok()).flatten();
    let day = two(day)?;
    let month = i64::try_from(MONTHS.iter().position(|m| *m == month)? + 1).ok()?;
    let year = (year.len() == 4)
        .then(|| year.parse::<i64>().ok())
        .flatten()?;
    let hms: Vec<&str> = time.split(':').collect();
    let [h, m, s] = hms[..] else { return None };
    let (h, m, s) = (two(h)?, two(m)?, two(s)?);
    if !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    // Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    (DAYS[usize::try_from(days.rem_euclid(7)).ok()?] == weekday)
        .then_some(days * 86_400 + h * 3600 + m * 60 + s)
}

/// Logs in through `POST /login` and returns the session cookie to send.
pub(crate) async fn log_in_cookie(router: &Router) -> HeaderValue {
    let mut request = Request::new(Body::empty());
    *request.method_mut() = Method::POST;
    *request.uri_mut() = Uri::from_static("/login");
    let response = router.clone().oneshot(request).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::OK, "log in");
    let Some(set_cookie) = response.headers().get(SET_COOKIE) else {
        // Scenario A has no sessions: any cookie will do, it is ignored.
        return HeaderValue::from_static("id=none");
    };
    let pair = set_cookie
        .to_str()
        .expect("ASCII cookie")
        .split(';')
        .next()
        .expect("a name=value pair");
    HeaderValue::from_str(pair).expect("a valid header value")
}

/// The parts of a logged-out request as the guard sees them, for the
/// `enforce` micro-benchmark: `GET /dash?tab=2` with the navigation (or, if
/// `ajax`, the AJAX) headers of the scenarios, and a tower-sessions
/// [`Session`] with no id (no cookie) in the extensions, as
/// `SessionManagerLayer` inserts it. Its record is never loaded, so the same
/// parts can be decided on any number of times.
pub fn logged_out_parts(ajax: bool) -> Parts {
    let mut request = Request::new(Body::empty());
    *request.uri_mut() = Uri::from_static(PATH);
    *request.headers_mut() = if ajax {
        ajax_headers()
    } else {
        navigation_headers()
    };
    let (mut parts, _body) = request.into_parts();
    parts
        .extensions
        .insert(Session::new(None, Arc::new(MemoryStore::default()), None));
    parts
}

/// A current-thread Tokio runtime, as the benches and the harness use.
///
/// # Panics
/// When the runtime cannot be built.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time() // the guard bounds its wait for the store on Tokio's timer
        .build()
        .expect("a Tokio runtime")
}

/// Header sets for the `classify` micro-benchmarks: (name, headers).
pub fn classify_cases() -> Vec<(&'static str, HeaderMap)> {
    let mut fetch = HeaderMap::new();
    fetch.insert(HOST, HeaderValue::from_static("app.test"));
    fetch.insert(ACCEPT, HeaderValue::from_static("*/*"));
    fetch.insert(
        HeaderName::from_static("sec-fetch-mode"),
        HeaderValue::from_static("cors"),
    );
    let mut htmx = HeaderMap::new();
    htmx.insert(HOST, HeaderValue::from_static("app.test"));
    htmx.insert(ACCEPT, HeaderValue::from_static("*/*"));
    htmx.insert(
        HeaderName::from_static("hx-request"),
        HeaderValue::from_static("true"),
    );
    htmx.insert(
        HeaderName::from_static("hx-current-url"),
        HeaderValue::from_static("http://app.test/dashboard"),
    );
    let mut json_only = HeaderMap::new();
    json_only.insert(HOST, HeaderValue::from_static("app.test"));
    json_only.insert(
        ACCEPT,
        HeaderValue::from_static("application/json;q=0.9, text/plain;q=0.5"),
    );
    let mut bare = HeaderMap::new();
    bare.insert(HOST, HeaderValue::from_static("app.test"));
    vec![
        ("navigation", navigation_headers()),
        ("jquery", ajax_headers()),
        ("fetch", fetch),
        ("htmx", htmx),
        ("accept_json", json_only),
        ("bare", bare),
    ]
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use http::header::LOCATION;
    use require_login::{enforce, GuardOptions};

    use super::*;

    /// Every scenario sets up and passes its own check (status, body,
    /// Set-Cookie), as the benches and the harness require.
    #[test]
    fn every_scenario_answers_as_described() {
        runtime().block_on(async {
            for scenario in Scenario::ALL {
                let bench = Bench::new(scenario).await;
                assert_eq!(bench.scenario(), scenario);
                assert_eq!(Scenario::from_name(scenario.name()), Some(scenario));
            }
        });
    }

    /// A stale cookie stays stale: the measured request does not write the
    /// store, so every repetition is the same store miss.
    #[test]
    fn stale_scenarios_repeat_the_same_miss() {
        runtime().block_on(async {
            for scenario in Scenario::ALL.into_iter().filter(|s| s.stale()) {
                let bench = Bench::new(scenario).await;
                for _ in 0..3 {
                    bench.check().await;
                }
            }
        });
    }

    /// The `enforce` micro-benchmark decides as D and E do: the same
    /// status, login URL and body.
    #[test]
    fn enforce_on_logged_out_parts_denies_like_d_and_e() {
        runtime().block_on(async {
            for (ajax, scenario) in [(false, Scenario::D), (true, Scenario::E)] {
                let parts = logged_out_parts(ajax);
                let denied = enforce(&parts, &GuardOptions::new())
                    .await
                    .expect_err("logged out")
                    .into_response();
                let full = Bench::new(scenario).await.send().await;
                assert_eq!(denied.status(), full.status(), "{scenario}");
                for name in [LOCATION, HeaderName::from_static("x-login-url")] {
                    assert_eq!(
                        denied.headers().get(&name),
                        full.headers().get(&name),
                        "{scenario} {name}"
                    );
                }
                let denied = axum::body::to_bytes(denied.into_body(), 1024)
                    .await
                    .unwrap();
                let full = axum::body::to_bytes(full.into_body(), 1024).await.unwrap();
                assert_eq!(denied, full, "{scenario}");
            }
        });
    }

    #[test]
    fn http_dates() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2028 23:59:59 GMT"),
            Some(1_835_481_599)
        );
        assert_eq!(
            parse_http_date("Mon, 06 Nov 1994 08:49:37 GMT"),
            None,
            "wrong weekday"
        );
        assert_eq!(parse_http_date("Sun, 6 Nov 1994 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"), None);
    }

    #[test]
    fn removal_cookie_is_checked_exactly() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777 + 365 * 86_400);
        let good = HeaderValue::from_static(
            "id=; Path=/; Max-Age=0; Expires=Sun, 06 Nov 1994 08:49:37 GMT",
        );
        assert_eq!(check_removal(&good, "id", now), Ok(()));
        assert!(check_removal(&good, "sid", now).is_err());
        assert!(check_removal(&good, "id", now + Duration::from_secs(3600)).is_err());
        for bad in [
            "id=abc; Path=/; Max-Age=0; Expires=Sun, 06 Nov 1994 08:49:37 GMT",
            "id=; Path=/; Max-Age=0; Expires=Sun, 06 Nov 1994 08:49:37 GMT; HttpOnly",
            "id=; Path=/; Expires=Sun, 06 Nov 1994 08:49:37 GMT",
            "id=; HttpOnly; Path=/; Max-Age=0; Expires=Sun, 06 Nov 1994 08:49:37 GMT",
        ] {
            assert!(
                check_removal(&HeaderValue::from_static(bad), "id", now).is_err(),
                "{bad}"
            );
        }
    }
}
