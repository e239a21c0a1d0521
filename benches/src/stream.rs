//! The per-event cost of a guarded stream: one SSE response open, each
//! "request" of the instruction count one event pulled from its body.

use std::convert::Infallible;
use std::pin::Pin;

use axum::body::{Body, Bytes};
use axum::http::header::{ACCEPT, CONTENT_TYPE, COOKIE};
use axum::http::{HeaderValue, Request, StatusCode};
use axum::response::sse::{Event, Sse};
use axum::routing::{get, post};
use axum::Router;
use futures_util::Stream;
use http_body_util::BodyExt;
use require_login::require_login;
use require_login::stream::SessionWatch;
use tower::ServiceExt;
use tower_sessions::{MemoryStore, SessionManagerLayer};

/// A stream scenario: the same endless event stream, unguarded or guarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamScenario {
    /// No guard, no watch: axum's `Sse` as it is.
    S,
    /// `#[require_login]` behind a `SessionWatch`, logged in: the body ends
    /// with the session.
    SWatched,
}

impl StreamScenario {
    pub const ALL: [StreamScenario; 2] = [StreamScenario::S, StreamScenario::SWatched];

    pub fn name(self) -> &'static str {
        match self {
            StreamScenario::S => "S",
            StreamScenario::SWatched => "S_watched",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            StreamScenario::S => "an SSE event, unguarded stream (per event)",
            StreamScenario::SWatched => {
                "an SSE event, #[require_login] stream behind a SessionWatch (per event)"
            }
        }
    }

    pub fn from_name(name: &str) -> Option<StreamScenario> {
        StreamScenario::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// An event every time it is polled.
fn endless() -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    Sse::new(futures_util::stream::repeat_with(|| {
        Ok(Event::default().data("tick"))
    }))
}

async fn plain_events() -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    endless()
}

#[require_login]
async fn guarded_events() -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    endless()
}

/// One open stream, ready to give events.
pub struct StreamBench {
    body: Body,
}

impl StreamBench {
    /// Logs in, opens the scenario's stream, and checks its first event.
    ///
    /// # Panics
    /// When the stream does not open as it should.
    pub async fn new(scenario: StreamScenario) -> StreamBench {
        let events = match scenario {
            StreamScenario::S => get(plain_events),
            StreamScenario::SWatched => get(guarded_events),
        };
        let routes = Router::new()
            .route("/events", events)
            .route("/login", post(crate::log_in_handler));
        let routes = match scenario {
            StreamScenario::S => routes,
            StreamScenario::SWatched => routes.layer(SessionWatch::new()),
        };
        let app = routes.layer(SessionManagerLayer::new(MemoryStore::default()));
        let cookie = crate::log_in_cookie(&app).await;
        let mut request = Request::get("/events").body(Body::empty()).unwrap();
        let headers = request.headers_mut();
        headers.insert(COOKIE, cookie);
        headers.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
        headers.insert("sec-fetch-mode", HeaderValue::from_static("cors"));
        let response = match app.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "scenario {}",
            scenario.name()
        );
        assert_eq!(response.headers()[CONTENT_TYPE], "text/event-stream");
        let mut bench = StreamBench {
            body: response.into_body(),
        };
        assert_eq!(bench.next_event().await, "data: tick\n\n");
        bench
    }

    /// The next event's bytes.
    ///
    /// # Panics
    /// When the stream ended.
    pub async fn next_event(&mut self) -> Bytes {
        let frame = Pin::new(&mut self.body)
            .frame()
            .await
            .expect("an endless stream")
            .expect("no error");
        frame.into_data().expect("a data frame")
    }
}
