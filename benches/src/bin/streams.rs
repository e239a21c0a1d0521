//! Many open guarded streams on one instance: what ending one session
//! costs the others, and the heap each open stream holds.
//!
//! ```text
//! streams [STREAMS [PER_SESSION]]     (defaults: 10000 streams, 1 per session)
//! ```
//!
//! Opens STREAMS guarded SSE streams in process (`#[require_login]`, each
//! read by a task of its own), PER_SESSION to a session, twice: without a
//! `SessionWatch` and with one. With the watch it logs one session out and
//! reports how long until that session's streams had their final event, and
//! that no other stream ended or got anything. The heap is counted by a
//! counting allocator: the live bytes the open streams hold, per stream,
//! with and without the watch; the difference is what the watch adds.

use std::alloc::System;
use std::convert::Infallible;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::header::{ACCEPT, COOKIE, SET_COOKIE};
use axum::http::{HeaderValue, Request, StatusCode};
use axum::response::sse::{Event, Sse};
use axum::routing::{get, post};
use axum::Router;
use futures_util::stream::{self, Pending};
use http_body_util::BodyExt;
use require_login::require_login;
use require_login::stream::{SessionWatch, SESSION_ENDED_EVENT};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};
use tower::ServiceExt;
use tower_sessions::{MemoryStore, Session, SessionManagerLayer};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn live_bytes() -> isize {
    let stats = GLOBAL.stats();
    stats.bytes_allocated as isize - stats.bytes_deallocated as isize
}

#[require_login]
async fn events() -> Sse<Pending<Result<Event, Infallible>>> {
    Sse::new(stream::pending())
}

async fn log_in(session: Session) -> StatusCode {
    let user = format!("user-{}", NEXT_USER.fetch_add(1, Ordering::Relaxed));
    require_login::login(&session, &user)
        .await
        .map_or(StatusCode::INTERNAL_SERVER_ERROR, |()| StatusCode::OK)
}

static NEXT_USER: AtomicUsize = AtomicUsize::new(0);

async fn log_out(session: Session) -> StatusCode {
    require_login::logout(&session)
        .await
        .map_or(StatusCode::INTERNAL_SERVER_ERROR, |()| StatusCode::OK)
}

async fn send(app: &Router, request: Request<Body>) -> axum::response::Response {
    match app.clone().oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

async fn cookie(app: &Router) -> HeaderValue {
    let response = send(app, Request::post("/login").body(Body::empty()).unwrap()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let pair = response.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    HeaderValue::from_str(&pair).unwrap()
}

/// The streams of one run: what each reader saw.
struct Run {
    /// Streams that got the final event.
    ended: Arc<AtomicUsize>,
    /// Streams that got anything else, or ended without the final event.
    other: Arc<AtomicUsize>,
    bytes_per_stream: f64,
    cookies: Vec<HeaderValue>,
}

async fn open(app: &Router, streams: usize, per_session: usize) -> Run {
    let mut cookies = Vec::new();
    for _ in 0..streams.div_ceil(per_session) {
        cookies.push(cookie(app).await);
    }
    let ended = Arc::new(AtomicUsize::new(0));
    let other = Arc::new(AtomicUsize::new(0));
    let before = live_bytes();
    for n in 0..streams {
        let mut request = Request::get("/events").body(Body::empty()).unwrap();
        request
            .headers_mut()
            .insert(COOKIE, cookies[n / per_session].clone());
        request
            .headers_mut()
            .insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
        let response = send(app, request).await;
        assert_eq!(response.status(), StatusCode::OK);
        let mut body = response.into_body();
        let (ended, other) = (Arc::clone(&ended), Arc::clone(&other));
        tokio::spawn(async move {
            while let Some(frame) = body.frame().await {
                let data = frame
                    .ok()
                    .and_then(|f| f.into_data().ok())
                    .unwrap_or_default();
                let text = String::from_utf8_lossy(&data);
                if text.starts_with(&format!("event: {SESSION_ENDED_EVENT}\n")) {
                    ended.fetch_add(1, Ordering::Relaxed);
                } else {
                    other.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    // Every reader has polled its body once.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let held = live_bytes() - before;
    Run {
        ended,
        other,
        bytes_per_stream: held as f64 / streams as f64,
        cookies,
    }
}

fn app(watch: Option<&SessionWatch>) -> Router {
    let routes = Router::new()
        .route("/events", get(events))
        .route("/login", post(log_in))
        .route("/logout", post(log_out));
    let routes = match watch {
        Some(watch) => routes.layer(watch.clone()),
        None => routes,
    };
    routes.layer(SessionManagerLayer::new(MemoryStore::default()))
}

fn main() -> ExitCode {
    let args: Vec<usize> = match std::env::args().skip(1).map(|a| a.parse()).collect() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("usage: streams [STREAMS [PER_SESSION]]: {e}");
            return ExitCode::from(2);
        }
    };
    let streams = args.first().copied().unwrap_or(10_000);
    let per_session = args.get(1).copied().unwrap_or(1).max(1);
    require_login_benches::runtime().block_on(async {
        let unwatched = open(&app(None), streams, per_session).await;
        let watch = SessionWatch::new();
        let watched_app = app(Some(&watch));
        let watched = open(&watched_app, streams, per_session).await;
        assert_eq!(watch.watched(), streams.div_ceil(per_session));

        let mut logout = Request::post("/logout").body(Body::empty()).unwrap();
        logout
            .headers_mut()
            .insert(COOKIE, watched.cookies[0].clone());
        let started = Instant::now();
        assert_eq!(send(&watched_app, logout).await.status(), StatusCode::OK);
        let ending = per_session.min(streams);
        while watched.ended.load(Ordering::Relaxed) < ending {
            assert!(started.elapsed() < Duration::from_secs(10), "not ended in 10 s");
            tokio::task::yield_now().await;
        }
        let took = started.elapsed();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let ended = watched.ended.load(Ordering::Relaxed);
        let other = watched.other.load(Ordering::Relaxed) + unwatched.other.load(Ordering::Relaxed);

        println!("{streams} open streams, {per_session} per session, one instance:");
        println!("  logout of one session: its {ending} stream(s) ended {took:?} after the logout request was sent");
        println!("  streams ended in all: {ended} (expected {ending}); streams that got anything else: {other}");
        println!(
            "  heap per open stream: {:.0} bytes without the watch, {:.0} with it: the watch adds {:.0}",
            unwatched.bytes_per_stream,
            watched.bytes_per_stream,
            watched.bytes_per_stream - unwatched.bytes_per_stream
        );
        if ended == ending && other == 0 && took < Duration::from_secs(1) {
            ExitCode::SUCCESS
        } else {
            eprintln!("FAILED: another stream was touched, or the end took 1 s or more");
            ExitCode::FAILURE
        }
    })
}
