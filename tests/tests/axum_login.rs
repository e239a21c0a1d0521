//! The guard on an axum-login 0.18 app (feature `axum-login`): "logged in"
//! means axum-login's `AuthSession<Backend>` has a user. A real
//! `AuthnBackend` over an in-memory user table, axum-login's own
//! `AuthManagerLayer` on tower-sessions 0.14, and its own `login`/`logout`.
//! The attribute, the `RequireLogin<C>` extractor and the layer are each
//! checked; their denials must equal a session-key guard's.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use axum_login::{AuthManagerLayerBuilder, AuthSession, AuthUser, AuthnBackend, UserId};
use http::StatusCode;
use require_login::{require_login, GuardConfig, GuardOptions, RequireLogin, RequireLoginLayer};
use require_login_tests::denial::*;
use require_login_tests::*;
use serde::Deserialize;
use tower_sessions_014::{MemoryStore, Session, SessionManagerLayer};

/// A user of the table. The auth hash stands for the password's hash, as
/// axum-login's examples use it: it changes when the password does.
#[derive(Debug, Clone)]
struct User {
    id: u64,
    name: String,
    auth_hash: Vec<u8>,
}

impl AuthUser for User {
    type Id = u64;

    fn id(&self) -> u64 {
        self.id
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.auth_hash
    }
}

/// The backend: users by id, each with a password; it can be made to fail,
/// and counts how often it is asked for a user.
#[derive(Debug, Clone, Default)]
struct Users {
    table: Arc<Mutex<HashMap<u64, (String, User)>>>,
    down: Arc<AtomicBool>,
    lookups: Arc<AtomicUsize>,
    hasher: RandomState,
}

#[derive(Debug, Clone, Deserialize)]
struct Credentials {
    name: String,
    password: String,
}

#[derive(Debug)]
struct DatabaseDown;

impl std::fmt::Display for DatabaseDown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the user database is down")
    }
}

impl std::error::Error for DatabaseDown {}

impl Users {
    fn with_ada() -> Users {
        let users = Users::default();
        users.set_password(1, "ada", "lovelace");
        users
    }

    /// Adds the user, or changes the password of the user with this id.
    fn set_password(&self, id: u64, name: &str, password: &str) {
        let auth_hash = self.hasher.hash_one(password).to_le_bytes().to_vec();
        let user = User {
            id,
            name: name.to_owned(),
            auth_hash,
        };
        self.table
            .lock()
            .unwrap()
            .insert(id, (password.to_owned(), user));
    }

    fn remove(&self, id: u64) {
        self.table.lock().unwrap().remove(&id);
    }

    fn check(&self) -> Result<(), DatabaseDown> {
        if self.down.load(Ordering::SeqCst) {
            Err(DatabaseDown)
        } else {
            Ok(())
        }
    }
}

impl AuthnBackend for Users {
    type User = User;
    type Credentials = Credentials;
    type Error = DatabaseDown;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<User>, DatabaseDown> {
        self.check()?;
        let table = self.table.lock().unwrap();
        Ok(table
            .values()
            .find(|(password, user)| user.name == creds.name && *password == creds.password)
            .map(|(_, user)| user.clone()))
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<User>, DatabaseDown> {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        self.check()?;
        Ok(self.table.lock().unwrap().get(id).map(|(_, u)| u.clone()))
    }
}

/// The attribute, on a handler that also reads the user axum-login loaded.
#[require_login(axum_login = Users)]
async fn dashboard(State(runs): State<Runs>, auth: AuthSession<Users>) -> String {
    runs.record();
    let name = auth
        .user
        .map_or_else(|| "nobody".to_owned(), |user| user.name);
    format!("dashboard of {name}")
}

/// An API endpoint for fetch and htmx, with a JSON body for POSTs.
#[require_login(axum_login = Users)]
async fn api(State(runs): State<Runs>, body: Option<Json<serde_json::Value>>) -> String {
    runs.record();
    format!("api {}", body.map_or(serde_json::Value::Null, |Json(v)| v))
}

/// The extractor, configured by a type.
struct Members;
impl GuardConfig for Members {
    const OPTIONS: GuardOptions = GuardOptions::new().with_axum_login::<Users>();
}

async fn typed(_: RequireLogin<Members>, State(runs): State<Runs>) -> &'static str {
    runs.record();
    "typed"
}

async fn in_group(State(runs): State<Runs>) -> &'static str {
    runs.record();
    "in group"
}

/// Unguarded: axum-login's layer still loads the user for it.
async fn public() -> &'static str {
    "public"
}

async fn log_in(mut auth: AuthSession<Users>, Form(creds): Form<Credentials>) -> StatusCode {
    match auth.authenticate(creds).await {
        Ok(Some(user)) => {
            auth.login(&user).await.unwrap();
            StatusCode::NO_CONTENT
        }
        Ok(None) => StatusCode::UNAUTHORIZED,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

async fn log_out(mut auth: AuthSession<Users>) -> StatusCode {
    auth.logout().await.unwrap();
    StatusCode::NO_CONTENT
}

/// What axum-login versions before 0.18's flush left after logging out, and
/// what a session-key guard would take for a login: the record with a null user.
async fn write_null_record(session: Session) -> StatusCode {
    let record = serde_json::json!({ "user_id": null, "auth_hash": null });
    session.insert("axum-login.data", record).await.unwrap();
    StatusCode::NO_CONTENT
}

fn app(users: &Users, runs: &Runs) -> Router {
    let group = Router::new()
        .route("/group/page", get(in_group).post(in_group))
        .route_layer(RequireLoginLayer::new(Members::OPTIONS));
    let sessions = SessionManagerLayer::new(MemoryStore::default()).with_secure(false);
    Router::new()
        .route("/dash", get(dashboard))
        .route("/api/data", get(api).post(api))
        .route("/typed", get(typed))
        .merge(group)
        .route("/public", get(public))
        .route("/test/login", post(log_in))
        .route("/test/logout", post(log_out))
        .route("/test/null-record", post(write_null_record))
        .with_state(runs.clone())
        .layer(AuthManagerLayerBuilder::new(users.clone(), sessions).build())
}

/// Logs in through axum-login's `AuthSession::login`; the cookie to send.
async fn log_in_as(app: &Router, name: &str, password: &str) -> String {
    let form = format!("name={name}&password={password}");
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    let answer = send(app, request("POST", "/test/login", &headers, form.into())).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{answer:?}");
    cookie_of(&answer)
}

async fn post_with_cookie(app: &Router, path: &str, cookie: &str) -> Answer {
    send(
        app,
        request("POST", path, &[("cookie", cookie)], Body::empty()),
    )
    .await
}

/// A request kind, its headers (besides the cookie), and what a logged-out
/// user must get: the same answers as a session-key guard.
struct Kind {
    name: &'static str,
    headers: &'static [(&'static str, &'static str)],
}

const NAVIGATION: Kind = Kind {
    name: "navigation",
    headers: &[("host", "app.test"), ("sec-fetch-mode", "navigate")],
};
const FETCH: Kind = Kind {
    name: "fetch",
    headers: &[
        ("host", "app.test"),
        ("sec-fetch-mode", "cors"),
        ("referer", "http://app.test/dash?tab=2"),
    ],
};
const HTMX: Kind = Kind {
    name: "htmx",
    headers: &[
        ("host", "app.test"),
        ("hx-request", "true"),
        ("hx-current-url", "http://app.test/dash?tab=2"),
    ],
};

/// Every guarded route, by entry point.
const GUARDED: [&str; 4] = ["/dash?tab=2", "/api/data", "/typed", "/group/page"];

async fn get_as(app: &Router, path: &str, kind: &Kind, cookie: &str) -> Answer {
    let mut headers = kind.headers.to_vec();
    if !cookie.is_empty() {
        headers.push(("cookie", cookie));
    }
    send(app, get_with(path, &headers)).await
}

/// What a logged-out request of `kind` to `path` must get, exactly.
fn assert_denied(answer: &Answer, path: &str, kind: &Kind) {
    let case = format!("{} of {path}", kind.name);
    if kind.name == "navigation" {
        let next = path.replace('?', "%3F").replace('=', "%3D");
        return assert_redirect(answer, &*format!("/login?next={next}"), &case);
    }
    // AJAX returns to the page the call came from, not the endpoint.
    let login_url = "/login?next=/dash%3Ftab%3D2";
    let ajax = Ajax {
        htmx: kind.name == "htmx",
        ..Ajax::default()
    };
    assert_ajax(answer, ajax, login_url, &case);
}

/// Every guarded route, every kind of request, with `cookie`: all denied,
/// and no handler ran.
async fn assert_all_denied(app: &Router, runs: &Runs, cookie: &str) {
    let before = runs.count();
    for path in GUARDED {
        for kind in [&NAVIGATION, &FETCH, &HTMX] {
            let answer = get_as(app, path, kind, cookie).await;
            assert_denied(&answer, path, kind);
        }
    }
    assert_eq!(runs.count(), before, "a handler ran for a logged-out user");
}

// 1.
#[tokio::test]
async fn logged_in_by_auth_session_passes_every_kind() {
    let (users, runs) = (Users::with_ada(), Runs::default());
    let app = app(&users, &runs);
    let cookie = log_in_as(&app, "ada", "lovelace").await;
    for kind in [&NAVIGATION, &FETCH, &HTMX] {
        let cases = [
            ("/dash?tab=2", "dashboard of ada"),
            ("/api/data", "api null"),
            ("/typed", "typed"),
            ("/group/page", "in group"),
        ];
        for (path, body) in cases {
            let answer = get_as(&app, path, kind, &cookie).await;
            assert_eq!(
                answer.status,
                StatusCode::OK,
                "{} of {path}: {answer:?}",
                kind.name
            );
            assert_eq!(answer.body, body);
            for added_by_a_denial in ["cache-control", "vary", "x-login-url", "hx-redirect"] {
                assert!(
                    answer.headers.get(added_by_a_denial).is_none(),
                    "{answer:?}"
                );
            }
        }
    }
    // A fetch POST with a JSON body reaches the handler with its body.
    let headers = [
        ("cookie", cookie.as_str()),
        ("sec-fetch-mode", "cors"),
        ("content-type", "application/json"),
    ];
    let answer = send(
        &app,
        request("POST", "/api/data", &headers, r#"{"n":1}"#.into()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    assert_eq!(answer.body, r#"api {"n":1}"#);
    assert_eq!(runs.count(), 13);
}

#[tokio::test]
async fn reads_the_loaded_user_without_loading_again() {
    let (users, runs) = (Users::with_ada(), Runs::default());
    let app = app(&users, &runs);
    let cookie = log_in_as(&app, "ada", "lovelace").await;
    for path in ["/public", "/dash", "/typed", "/group/page"] {
        let before = users.lookups.load(Ordering::SeqCst);
        let answer = get_as(&app, path, &NAVIGATION, &cookie).await;
        assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
        let lookups = users.lookups.load(Ordering::SeqCst) - before;
        assert_eq!(lookups, 1, "{path}: the backend was asked {lookups} times");
    }
}

#[tokio::test]
async fn never_logged_in_is_denied_like_a_session_key_guard() {
    let (users, runs) = (Users::with_ada(), Runs::default());
    let app = app(&users, &runs);
    assert_all_denied(&app, &runs, "").await;
    assert_all_denied(&app, &runs, &unknown_session_cookie()).await;
    assert_eq!(users.lookups.load(Ordering::SeqCst), 0, "no user to load");
}

// 2.
#[tokio::test]
async fn denied_after_auth_session_logout() {
    let (users, runs) = (Users::with_ada(), Runs::default());
    let app = app(&users, &runs);
    let cookie = log_in_as(&app, "ada", "lovelace").await;
    assert_eq!(
        get_as(&app, "/dash", &NAVIGATION, &cookie).await.status,
        StatusCode::OK
    );
    let answer = post_with_cookie(&app, "/test/logout", &cookie).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_all_denied(&app, &runs, &cookie).await;
}

#[tokio::test]
async fn null_user_id_is_logged_out() {
    let (users, runs) = (Users::with_ada(), Runs::default());
    let app = app(&users, &runs);
    let answer = send(
        &app,
        request("POST", "/test/null-record", &[], Body::empty()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let cookie = cookie_of(&answer);
    assert_all_denied(&app, &runs, &cookie).await;

    // The same after a real login and the record written over it.
    let cookie = log_in_as(&app, "ada", "lovelace").await;
    let answer = post_with_cookie(&app, "/test/null-record", &cookie).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_all_denied(&app, &runs, &cookie).await;
}

// 3.
#[tokio::test]
async fn changed_password_logs_out() {
    let (users, runs) = (Users::with_ada(), Runs::default());
    let app = app(&users, &runs);
    let cookie = log_in_as(&app, "ada", "lovelace").await;
    users.set_password(1, "ada", "babbage");
    // axum-login flushes the session on the first request that sees the
    // new hash; every guarded route denies that request and the next ones.
    assert_all_denied(&app, &runs, &cookie).await;
    // Logging in again with the new password works.
    let cookie = log_in_as(&app, "ada", "babbage").await;
    let answer = get_as(&app, "/dash", &NAVIGATION, &cookie).await;
    assert_eq!(answer.body, "dashboard of ada");
}

// 4.
#[tokio::test]
async fn a_user_the_backend_no_longer_knows_is_logged_out() {
    let (users, runs) = (Users::with_ada(), Runs::default());
    let app = app(&users, &runs);
    let cookie = log_in_as(&app, "ada", "lovelace").await;
    users.remove(1);
    assert_all_denied(&app, &runs, &cookie).await;
}

// 5.
#[tokio::test]
async fn failing_backend_is_a_logged_500() {
    let (users, runs) = (Users::with_ada(), Runs::default());
    let app = app(&users, &runs);
    let cookie = log_in_as(&app, "ada", "lovelace").await;
    users.down.store(true, Ordering::SeqCst);
    let ((), log) = with_log(async {
        for path in GUARDED {
            for kind in [&NAVIGATION, &FETCH, &HTMX] {
                let answer = get_as(&app, path, kind, &cookie).await;
                let what = format!("{} of {path}: {answer:?}", kind.name);
                assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR, "{what}");
                assert_eq!(answer.body, "", "{what}");
                for header in ["location", "x-login-url", "hx-redirect"] {
                    assert!(answer.headers.get(header).is_none(), "{what}");
                }
            }
        }
    })
    .await;
    assert_eq!(runs.count(), 0);
    assert_eq!(log.matches("ERROR").count(), 12, "{log}");
    assert_eq!(
        log.matches("the user database is down").count(),
        12,
        "{log}"
    );

    // Back up: the same session is logged in again.
    users.down.store(false, Ordering::SeqCst);
    let answer = get_as(&app, "/dash", &NAVIGATION, &cookie).await;
    assert_eq!(answer.body, "dashboard of ada");
}

#[tokio::test]
async fn missing_auth_layer_is_a_500_naming_it() {
    let runs = Runs::default();
    // The routes, with a plain tower-sessions 0.14 layer instead of axum-login's.
    let app = Router::new()
        .route("/dash", get(dashboard))
        .route("/typed", get(typed))
        .route("/group/page", get(in_group))
        .route_layer(RequireLoginLayer::new(Members::OPTIONS))
        .with_state(runs.clone())
        .layer(SessionManagerLayer::new(MemoryStore::default()));
    let ((), log) = with_log(async {
        for path in ["/dash", "/typed", "/group/page"] {
            let answer = get_as(&app, path, &NAVIGATION, "").await;
            assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
            assert!(answer.headers.get("location").is_none());
        }
    })
    .await;
    assert_eq!(runs.count(), 0);
    assert_eq!(
        log.matches("add axum-login's AuthManagerLayer").count(),
        3,
        "{log}"
    );
    assert!(
        log.contains("axum_login::Users"),
        "names the backend: {log}"
    );
}

/// The same request kinds on a session-key guard (tower-sessions 0.15): the
/// axum-login guard's denials must be byte for byte the same.
#[tokio::test]
async fn denials_are_exactly_those_of_a_session_key_guard() {
    #[require_login]
    async fn by_session_key() -> &'static str {
        "by session key"
    }
    let session_key_app = with_memory_sessions(Router::new().route("/dash", get(by_session_key)));
    let (users, runs) = (Users::with_ada(), Runs::default());
    let app = app(&users, &runs);
    for kind in [&NAVIGATION, &FETCH, &HTMX] {
        let ours = get_as(&app, "/dash?tab=2", kind, "").await;
        let theirs = get_as(&session_key_app, "/dash?tab=2", kind, "").await;
        assert_eq!(ours.status, theirs.status, "{}", kind.name);
        assert_eq!(ours.headers, theirs.headers, "{}", kind.name);
        assert_eq!(ours.body, theirs.body, "{}", kind.name);
    }
}

#[test]
fn options_name_the_backend_and_refuse_a_session_key() {
    assert_eq!(
        Members::OPTIONS.axum_login(),
        Some(std::any::type_name::<Users>())
    );
    assert_eq!(GuardOptions::new().axum_login(), None);
    assert_ne!(Members::OPTIONS, GuardOptions::new());
    assert_eq!(
        Members::OPTIONS,
        GuardOptions::new().with_axum_login::<Users>()
    );
    let both = std::panic::catch_unwind(|| {
        GuardOptions::new()
            .with_session_key("user_id")
            .with_axum_login::<Users>()
    });
    assert!(both.is_err());
    let both = std::panic::catch_unwind(|| {
        GuardOptions::new()
            .with_axum_login::<Users>()
            .with_session_key("user_id")
    });
    assert!(both.is_err());
}

/// A feed that never yields; the watch ends it.
#[require_login(axum_login = Users)]
async fn feed() -> axum::response::sse::Sse<
    futures_util::stream::Pending<Result<axum::response::sse::Event, std::convert::Infallible>>,
> {
    axum::response::sse::Sse::new(futures_util::stream::pending())
}

#[tokio::test]
async fn end_user_ends_the_streams_of_axum_logins_user_by_its_id() {
    use http_body_util::BodyExt;
    use require_login::stream::{SessionWatch, SESSION_ENDED_EVENT};
    use tower::ServiceExt;

    let users = Users::with_ada();
    let watch = SessionWatch::new();
    let sessions = SessionManagerLayer::new(MemoryStore::default()).with_secure(false);
    let app = Router::new()
        .route("/feed", get(feed))
        .route("/test/login", post(log_in))
        .layer(watch.clone())
        .layer(AuthManagerLayerBuilder::new(users, sessions).build());
    let cookie = log_in_as(&app, "ada", "lovelace").await;
    let headers = [("cookie", cookie.as_str()), ("accept", "text/event-stream")];
    let response = app
        .clone()
        .oneshot(request("GET", "/feed", &headers, Body::empty()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(watch.watched(), 1);

    watch.end_user(&2_u64);
    assert_eq!(watch.watched(), 1, "another user's id ends nothing");
    watch.end_user(&1_u64); // ada's id, as axum-login's `AuthUser::id` gives it
    let mut body = response.into_body();
    let frame = tokio::time::timeout(std::time::Duration::from_secs(5), body.frame())
        .await
        .expect("the final event within 5 s")
        .unwrap()
        .unwrap();
    let event = String::from_utf8(frame.into_data().unwrap().to_vec()).unwrap();
    assert!(
        event.starts_with(&format!("event: {SESSION_ENDED_EVENT}\n")),
        "{event}"
    );
    assert!(event.contains("\"reason\":\"removed\""), "{event}");
}
