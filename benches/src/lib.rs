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

use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use http::header::{ACCEPT, COOKIE, HOST, REFERER, SET_COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use require_login::{require_login, RequireLoginLayer, LOGIN_REQUIRED, SESSION_KEY};
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
}

impl Scenario {
    /// Every scenario, in report order.
    pub const ALL: [Scenario; 11] = [
        Scenario::A,
        Scenario::B,
        Scenario::C,
        Scenario::D,
        Scenario::E,
        Scenario::F,
        Scenario::H,
        Scenario::HNav,
        Scenario::HAjax,
        Scenario::L,
        Scenario::LNav,
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
            Scenario::D | Scenario::HNav => StatusCode::SEE_OTHER,
            Scenario::E | Scenario::HAjax => StatusCode::FORBIDDEN,
            Scenario::LNav => StatusCode::TEMPORARY_REDIRECT,
            _ => StatusCode::OK,
        }
    }

    fn logged_in(self) -> bool {
        matches!(
            self,
            Scenario::A | Scenario::B | Scenario::C | Scenario::F | Scenario::H | Scenario::L
        )
    }

    fn ajax(self) -> bool {
        matches!(self, Scenario::E | Scenario::HAjax)
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

async fn log_in(session: Session) -> StatusCode {
    require_login::login(&session, "ada")
        .await
        .map_or(StatusCode::INTERNAL_SERVER_ERROR, |()| StatusCode::OK)
}

/// axum-login with a trivial in-memory backend: one user, found by id.
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
        Scenario::C | Scenario::D | Scenario::E => with_sessions(get(guarded)),
        Scenario::F => Router::new()
            .route("/dash", get(hello))
            .route_layer(RequireLoginLayer::default())
            .route("/login", post(log_in))
            .layer(SessionManagerLayer::new(MemoryStore::default())),
        Scenario::H | Scenario::HNav | Scenario::HAjax => with_sessions(get(hand_written)),
        Scenario::L | Scenario::LNav => {
            use axum_login::{login_required, AuthManagerLayerBuilder};
            use axum_login_backend::{log_in, Backend};
            let sessions = tower_sessions_014::SessionManagerLayer::new(
                tower_sessions_014::MemoryStore::default(),
            );
            Router::new()
                .route("/dash", get(hello))
                .route_layer(login_required!(Backend, login_url = "/login"))
                .route("/login", post(log_in))
                .layer(AuthManagerLayerBuilder::new(Backend::default(), sessions).build())
        }
    }
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
        let router = router(scenario);
        let mut headers = if scenario.ajax() {
            ajax_headers()
        } else {
            navigation_headers()
        };
        if scenario.logged_in() {
            let cookie = log_in_cookie(&router).await;
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
        assert!(
            response.headers().get(SET_COOKIE).is_none(),
            "scenario {}: a measured request must not write the session",
            self.scenario
        );
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

/// Logs in through `POST /login` and returns the session cookie to send.
async fn log_in_cookie(router: &Router) -> HeaderValue {
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

/// A current-thread Tokio runtime, as the benches and the harness use.
///
/// # Panics
/// When the runtime cannot be built.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
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
