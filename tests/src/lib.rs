//! Helpers shared by the integration tests: sending requests through a real
//! `Router`, logging in, and a session store that always fails.

use std::sync::Arc;

pub mod denial;
pub mod events;
pub mod model;
pub mod open_redirect;

use axum::body::Body;
use axum::response::Response;
use axum::Router;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use sessions::session::{Id, Record};
use sessions::session_store::{self, SessionStore};
use sessions::{MemoryStore, Session, SessionManagerLayer};
use tower::ServiceExt;

#[cfg(feature = "tower-sessions-014")]
pub mod instances;

/// The tower-sessions line this run of the suite is on: 0.15 (the default),
/// or 0.14 with this crate's feature `tower-sessions-014`, which also turns
/// on the guard's 0.14 line (beside its default 0.15 one: both at once).
#[cfg(not(feature = "tower-sessions-014"))]
pub use tower_sessions as sessions;
/// The tower-sessions line this run of the suite is on: 0.15 (the default),
/// or 0.14 with this crate's feature `tower-sessions-014`, which also turns
/// on the guard's 0.14 line (beside its default 0.15 one: both at once).
#[cfg(feature = "tower-sessions-014")]
pub use tower_sessions_014 as sessions;

/// What a test looks at in a response.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// A header's value as text; panics with the header's name when it is absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header in {self:?}"))
            .to_str()
            .unwrap()
    }

    pub async fn from_response(response: Response) -> Self {
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        Answer {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }
}

/// Sends `request` through `app` in process.
pub async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    Answer::from_response(response).await
}

/// A GET request with the given headers.
pub fn get_with(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    request("GET", uri, headers, Body::empty())
}

pub fn request(method: &str, uri: &str, headers: &[(&str, &str)], body: Body) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body).unwrap()
}

/// Wraps `routes` in a session layer over `store`, adding `POST /test/login`
/// (logs in as "ada", or under `?key=` with `login_with_key`) and
/// `POST /test/logout`.
pub fn with_sessions<S: SessionStore + Clone>(routes: Router, store: S) -> Router {
    use axum::extract::Query;
    use axum::routing::post;

    #[derive(serde::Deserialize)]
    struct Key {
        key: Option<String>,
    }

    async fn log_in(session: Session, Query(key): Query<Key>) -> StatusCode {
        match key.key {
            Some(key) => require_login::login::login_with_key(&session, &key, "ada")
                .await
                .unwrap(),
            None => require_login::login(&session, "ada").await.unwrap(),
        }
        StatusCode::NO_CONTENT
    }
    async fn log_out(session: Session) -> StatusCode {
        require_login::logout(&session).await.unwrap();
        StatusCode::NO_CONTENT
    }

    routes
        .route("/test/login", post(log_in))
        .route("/test/logout", post(log_out))
        .layer(SessionManagerLayer::new(store).with_secure(false))
}

/// `with_sessions` on a fresh in-memory store.
pub fn with_memory_sessions(routes: Router) -> Router {
    with_sessions(routes, MemoryStore::default())
}

/// Logs in through `POST /test/login{query}` and returns the `Cookie` header to send.
pub async fn log_in(app: &Router, query: &str) -> String {
    let answer = send(
        app,
        request("POST", &format!("/test/login{query}"), &[], Body::empty()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{answer:?}");
    cookie_of(&answer)
}

/// The `name=value` part of the response's `Set-Cookie`.
pub fn cookie_of(answer: &Answer) -> String {
    let set_cookie = answer.header("set-cookie");
    set_cookie.split(';').next().unwrap().to_owned()
}

/// A session store whose every operation fails, as a store that is down does.
#[derive(Debug, Clone, Default)]
pub struct FailingStore;

#[async_trait::async_trait]
impl SessionStore for FailingStore {
    async fn save(&self, _: &Record) -> session_store::Result<()> {
        Err(session_store::Error::Backend("store is down".into()))
    }
    async fn load(&self, _: &Id) -> session_store::Result<Option<Record>> {
        Err(session_store::Error::Backend("store is down".into()))
    }
    async fn delete(&self, _: &Id) -> session_store::Result<()> {
        Err(session_store::Error::Backend("store is down".into()))
    }
}

/// What [`FaultyStore`] does for one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Every operation fails, as a store that is down does.
    Error,
    /// Every operation waits for ever, as a store behind a dead connection does.
    Hang,
    /// The stored bytes are garbage: loading fails to decode them.
    Corrupt,
}

/// A session store that keeps each record serialized (JSON bytes, as a
/// Redis or SQL store keeps encoded records), so a corrupted entry fails to
/// decode for real; faults are set per session, so the other sessions of the
/// same store keep working.
#[derive(Debug, Clone, Default)]
pub struct FaultyStore {
    records: Arc<std::sync::Mutex<std::collections::HashMap<Id, Vec<u8>>>>,
    faults: Arc<std::sync::Mutex<std::collections::HashMap<Id, Fault>>>,
    hanging: Arc<std::sync::atomic::AtomicUsize>,
}

impl FaultyStore {
    /// Gives the session of `cookie` (`id=...`) `fault` from now on;
    /// `Corrupt` overwrites its stored bytes.
    pub fn set_fault(&self, cookie: &str, fault: Fault) {
        let id: Id = cookie
            .strip_prefix("id=")
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("not a session cookie: {cookie}"));
        if fault == Fault::Corrupt {
            let mut records = self.records.lock().unwrap();
            let bytes = records.get_mut(&id).expect("a saved session to corrupt");
            *bytes = b"\x93\xff not a record".to_vec();
        }
        self.faults.lock().unwrap().insert(id, fault);
    }

    /// How many operations are waiting in a `Hang` right now.
    pub fn hanging(&self) -> usize {
        self.hanging.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn fault(&self, id: &Id) -> Option<Fault> {
        self.faults.lock().unwrap().get(id).copied()
    }

    /// Fails or hangs as the session's fault says; returns for the others.
    async fn before(&self, id: &Id) -> session_store::Result<()> {
        match self.fault(id) {
            Some(Fault::Error) => Err(session_store::Error::Backend(format!(
                "store is down (session {id})"
            ))),
            Some(Fault::Hang) => {
                struct Waiting<'a>(&'a std::sync::atomic::AtomicUsize);
                impl Drop for Waiting<'_> {
                    fn drop(&mut self) {
                        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                    }
                }
                self.hanging
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let _waiting = Waiting(&self.hanging);
                std::future::pending().await
            }
            Some(Fault::Corrupt) | None => Ok(()),
        }
    }
}

#[async_trait::async_trait]
impl SessionStore for FaultyStore {
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.before(&record.id).await?;
        let bytes = serde_json::to_vec(record)
            .map_err(|error| session_store::Error::Encode(error.to_string()))?;
        self.records.lock().unwrap().insert(record.id, bytes);
        Ok(())
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.before(id).await?;
        let Some(bytes) = self.records.lock().unwrap().get(id).cloned() else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|error| session_store::Error::Decode(error.to_string()))
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.before(id).await?;
        self.records.lock().unwrap().remove(id);
        Ok(())
    }
}

/// A well-formed session cookie for an id no store has ever seen.
pub fn unknown_session_cookie() -> String {
    format!("id={}", Id::default())
}

/// Counts how often handler bodies ran.
#[derive(Clone, Default)]
pub struct Runs(Arc<std::sync::atomic::AtomicUsize>);

impl Runs {
    pub fn record(&self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
    pub fn count(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Runs `future` with a tracing subscriber that records what it logs, and
/// returns its output with the log.
pub async fn with_log<F: std::future::Future>(future: F) -> (F::Output, String) {
    use tracing::instrument::WithSubscriber;

    #[derive(Clone, Default)]
    struct Buffer(Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let output = future.with_subscriber(subscriber).await;
    let log = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    (output, log)
}

/// The README's Rust snippets, compiled and run as doctests so they cannot
/// drift from the API.
///
/// They are written for the default line, so they run in its run of the suite.
#[cfg(all(doctest, not(feature = "tower-sessions-014")))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
