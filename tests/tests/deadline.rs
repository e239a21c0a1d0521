//! Deadlines the server owns, through a real `Router` and session store:
//! the idle timeout and the absolute lifetime end a session (with the
//! reason for the login page), activity extends it and passive requests do
//! not, guarded responses and the status endpoint say the seconds left,
//! and activity is written at most once a write interval.
//!
//! Real time, with short deadlines (3 s idle, a write interval of 300 ms),
//! since the deadlines are the server's wall clock.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use http::StatusCode;
use require_login::deadline::{
    self, DeadlineLayer, Deadlines, PASSIVE_HEADER, SESSION_LEFT_HEADER, STATUS_PATH,
};
use require_login::{require_login, GuardOptions, RequireLoginLayer};
use require_login_tests::denial::{assert_redirect, assert_sentinel};
use require_login_tests::sessions::session::{Id, Record};
use require_login_tests::sessions::session_store::{self, SessionStore};
use require_login_tests::sessions::MemoryStore;
use require_login_tests::{get_with, log_in, request, send, with_sessions, Answer, Runs};

const IDLE: Duration = Duration::from_secs(3);

#[require_login]
async fn dashboard(State(runs): State<Runs>) -> &'static str {
    runs.record();
    "dashboard"
}

/// Polled: `#[require_login(passive = true)]`.
#[require_login(passive = true)]
async fn unread() -> &'static str {
    "2 unread"
}

/// `/dash` (active), `/badge` (a passive layer) and `/unread` (a passive
/// handler), the status endpoint.
fn app(deadlines: Deadlines, store: impl SessionStore + Clone) -> (Router, Runs) {
    let runs = Runs::default();
    let badge = Router::new()
        .route("/badge", get(|| async { "3 new" }))
        .route_layer(RequireLoginLayer::new(
            GuardOptions::new().with_passive(true),
        ));
    let routes = Router::new()
        .route("/dash", get(dashboard))
        .route("/unread", get(unread))
        .route(STATUS_PATH, deadline::status())
        .merge(badge)
        .layer(DeadlineLayer::new(deadlines))
        .with_state(runs.clone());
    (with_sessions(routes, store), runs)
}

async fn visit(app: &Router, path: &str, cookie: &str, extra: &[(&str, &str)]) -> Answer {
    let mut headers = vec![("cookie", cookie), ("host", "app.test")];
    headers.extend_from_slice(extra);
    send(app, get_with(path, &headers)).await
}

/// A member of the answer's `X-Session-Left`: the seconds left for `name`.
fn seconds(answer: &Answer, name: &str) -> Option<u64> {
    answer
        .header(SESSION_LEFT_HEADER)
        .split(", ")
        .find_map(|member| member.strip_prefix(name)?.strip_prefix('='))
        .map(|value| value.parse().unwrap())
}

#[tokio::test]
async fn guarded_answers_say_the_seconds_left() {
    let deadlines = Deadlines::new()
        .with_idle(IDLE)
        .with_absolute(Duration::from_secs(60));
    let (app, _) = app(deadlines, MemoryStore::default());
    let cookie = log_in(&app, "").await;
    let answer = visit(&app, "/dash", &cookie, &[]).await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    assert!((2..=3).contains(&seconds(&answer, "idle").unwrap()));
    assert!((59..=60).contains(&seconds(&answer, "absolute").unwrap()));
    // A public answer says nothing.
    let public = send(&app, request("POST", "/test/logout", &[], Body::empty())).await;
    assert!(public.headers.get(SESSION_LEFT_HEADER).is_none());
}

#[tokio::test]
async fn idle_sessions_end_with_the_reason() {
    let (app, runs) = app(Deadlines::new().with_idle(IDLE), MemoryStore::default());
    let cookie = log_in(&app, "").await;
    tokio::time::sleep(IDLE + Duration::from_millis(200)).await;
    let fetch = visit(&app, "/dash", &cookie, &[("sec-fetch-mode", "cors")]).await;
    assert_sentinel(&fetch, "/login?reason=idle", "fetch after the idle timeout");
    // The user went with the session: the next request is simply logged out.
    let next = visit(&app, "/dash", &cookie, &[]).await;
    assert_redirect(&next, "/login?next=/dash", "navigation after");
    assert_eq!(runs.count(), 0);
}

#[tokio::test]
async fn a_navigation_past_the_deadline_keeps_its_next() {
    let (app, _) = app(Deadlines::new().with_idle(IDLE), MemoryStore::default());
    let cookie = log_in(&app, "").await;
    tokio::time::sleep(IDLE + Duration::from_millis(200)).await;
    let answer = visit(&app, "/dash?tab=2", &cookie, &[]).await;
    assert_redirect(
        &answer,
        "/login?next=/dash%3Ftab%3D2&reason=idle",
        "navigation",
    );
}

#[tokio::test]
async fn activity_keeps_a_session_past_its_idle_timeout() {
    let (app, runs) = app(Deadlines::new().with_idle(IDLE), MemoryStore::default());
    let cookie = log_in(&app, "").await;
    let started = Instant::now();
    while started.elapsed() < IDLE + Duration::from_secs(1) {
        let answer = visit(&app, "/dash", &cookie, &[]).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "after {:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(runs.count() >= 8);
}

#[tokio::test]
async fn passive_requests_let_it_end_on_time() {
    let (app, _) = app(Deadlines::new().with_idle(IDLE), MemoryStore::default());
    let cookie = log_in(&app, "").await;
    let started = Instant::now();
    // A passive layer, a passive handler and the header on an active
    // route, every 500 ms.
    loop {
        let badge = visit(&app, "/badge", &cookie, &[("sec-fetch-mode", "cors")]).await;
        let unread = visit(&app, "/unread", &cookie, &[("sec-fetch-mode", "cors")]).await;
        let marked = visit(
            &app,
            "/dash",
            &cookie,
            &[("sec-fetch-mode", "cors"), (PASSIVE_HEADER, "1")],
        )
        .await;
        if badge.status != StatusCode::OK {
            assert_sentinel(&badge, "/login?reason=idle", "the passive route");
            break;
        }
        assert_eq!(marked.status, StatusCode::OK, "{marked:?}");
        assert_eq!(unread.status, StatusCode::OK, "{unread:?}");
        assert!(
            started.elapsed() < IDLE,
            "still logged in after {:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(
        started.elapsed() >= IDLE - Duration::from_millis(600),
        "ended early: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_absolute_lifetime_ends_even_an_active_session() {
    let lifetime = Duration::from_secs(2);
    let deadlines = Deadlines::new()
        .with_idle(Duration::from_secs(60))
        .with_absolute(lifetime);
    let (app, _) = app(deadlines, MemoryStore::default());
    let cookie = log_in(&app, "").await;
    let started = Instant::now();
    let ended = loop {
        let answer = visit(&app, "/dash", &cookie, &[("sec-fetch-mode", "cors")]).await;
        if answer.status != StatusCode::OK {
            break answer;
        }
        assert!(started.elapsed() < lifetime + Duration::from_secs(1));
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(started.elapsed() >= lifetime - Duration::from_millis(300));
    assert_sentinel(&ended, "/login?reason=expired", "past the lifetime");
}

#[tokio::test]
async fn the_status_endpoint_reads_passively_and_a_post_extends() {
    let (app, _) = app(Deadlines::new().with_idle(IDLE), MemoryStore::default());
    let cookie = log_in(&app, "").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let read = visit(&app, STATUS_PATH, &cookie, &[("sec-fetch-mode", "cors")]).await;
    assert_eq!(read.status, StatusCode::OK, "{read:?}");
    let status: serde_json::Value = serde_json::from_str(&read.body).unwrap();
    assert_eq!(
        status,
        serde_json::json!({
            "idle": 1, "absolute": null,
            "warn": 120, "logout": "/logout", "reason_field": "reason",
        })
    );
    assert_eq!(read.header("cache-control"), "no-store");

    let headers = [
        ("cookie", cookie.as_str()),
        ("host", "app.test"),
        ("origin", "http://app.test"),
    ];
    let extended = send(&app, request("POST", STATUS_PATH, &headers, Body::empty())).await;
    assert_eq!(extended.status, StatusCode::OK, "{extended:?}");
    let status: serde_json::Value = serde_json::from_str(&extended.body).unwrap();
    assert!(
        status["idle"] == 3 || status["idle"] == 2,
        "extended to a full timeout: {extended:?}"
    );
    let again = visit(&app, STATUS_PATH, &cookie, &[("sec-fetch-mode", "cors")]).await;
    assert!(seconds(&again, "idle").unwrap() >= 2, "the deadline moved");
    assert_eq!(seconds(&again, "absolute"), None);

    let cross_site = [
        ("cookie", cookie.as_str()),
        ("host", "app.test"),
        ("origin", "https://evil.test"),
    ];
    let refused = send(
        &app,
        request("POST", STATUS_PATH, &cross_site, Body::empty()),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// A `MemoryStore` that counts its saves.
#[derive(Debug, Clone, Default)]
struct CountingStore {
    inner: MemoryStore,
    saves: Arc<AtomicUsize>,
}

#[async_trait::async_trait]
impl SessionStore for CountingStore {
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.saves.fetch_add(1, Ordering::SeqCst);
        self.inner.save(record).await
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.inner.load(id).await
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.inner.delete(id).await
    }
}

#[tokio::test]
async fn activity_is_written_once_a_write_interval() {
    let deadlines = Deadlines::new().with_idle(IDLE);
    let interval = deadlines.write_interval().unwrap();
    let store = CountingStore::default();
    let (app, runs) = app(deadlines, store.clone());
    let cookie = log_in(&app, "").await;
    let after_login = store.saves.load(Ordering::SeqCst);
    let started = Instant::now();
    for _ in 0..20 {
        assert_eq!(
            visit(&app, "/dash", &cookie, &[]).await.status,
            StatusCode::OK
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let writes = store.saves.load(Ordering::SeqCst) - after_login;
    let intervals = started.elapsed().as_millis() / interval.as_millis();
    assert_eq!(runs.count(), 20);
    assert!(
        writes as u128 <= intervals + 1,
        "{writes} writes in {intervals} intervals"
    );
    assert!(writes >= 2, "activity was recorded: {writes} writes");
}

#[tokio::test]
async fn guarded_pages_can_be_kept_out_of_every_cache() {
    use axum::response::Html;
    let routes = Router::new()
        .route(
            "/page",
            get(|_: require_login::RequireLogin| async { Html("<p>guarded</p>") }),
        )
        .route(
            "/data",
            get(|_: require_login::RequireLogin| async { "data" }),
        )
        .route("/public", get(|| async { Html("<p>public</p>") }))
        .layer(DeadlineLayer::new(
            Deadlines::new().with_idle(IDLE).with_no_store_pages(true),
        ));
    let app = with_sessions(routes, MemoryStore::default());
    let cookie = log_in(&app, "").await;
    let page = visit(&app, "/page", &cookie, &[]).await;
    assert_eq!(page.header("cache-control"), "no-store", "{page:?}");
    let data = visit(&app, "/data", &cookie, &[]).await;
    assert!(data.headers.get("cache-control").is_none(), "{data:?}");
    let public = visit(&app, "/public", &cookie, &[]).await;
    assert!(public.headers.get("cache-control").is_none(), "{public:?}");
}
