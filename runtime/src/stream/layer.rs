//! [`SessionWatch`] as a layer: what it puts on each request, and what it
//! does with the response.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::Response;
use http::header::{ACCEPT, CONTENT_TYPE, UPGRADE};
use http::{HeaderMap, Request, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use super::end::Opening;
use super::sse::EndingBody;
use super::watch::SessionWatch;
use crate::guard::session::OwnedSession;

impl<S> Layer<S> for SessionWatch {
    type Service = SessionWatchService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SessionWatchService {
            inner,
            watch: self.clone(),
        }
    }
}

/// The service a [`SessionWatch`] wraps the app in.
///
/// For every request: when the session it came with is gone after it (a
/// logout, a deadline the guard found passed), that session's streams end,
/// here and, with news, on every instance. For a request that opens a
/// stream and that a guard let through: an SSE response ends with the
/// session, and [`SessionEnd`](super::SessionEnd) can be extracted.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use axum::{body::Body, response::Response};
/// use require_login::stream::{SessionWatch, SessionWatchService};
/// use tower::{service_fn, Layer, ServiceExt};
///
/// let app = service_fn(|_: http::Request<Body>| async {
///     Ok::<_, std::convert::Infallible>(Response::new(Body::from("public")))
/// });
/// let watched: SessionWatchService<_> = SessionWatch::new().layer(app);
/// let response = watched.oneshot(http::Request::new(Body::empty())).await.unwrap();
/// assert_eq!(response.status(), 200);
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct SessionWatchService<S> {
    inner: S,
    watch: SessionWatch,
}

impl<S, B> Service<Request<B>> for SessionWatchService<S>
where
    S: Service<Request<B>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let session = OwnedSession::of(request.extensions());
        let before = session.as_ref().and_then(OwnedSession::id);
        let opening = match (&session, before) {
            (Some(session), Some(id)) if opens_stream(request.headers()) => {
                let opening = Arc::new(Opening::new(self.watch.clone(), session.clone(), id));
                request.extensions_mut().insert(Arc::clone(&opening));
                Some(opening)
            }
            _ => None,
        };
        let watch = self.watch.clone();
        let future = self.inner.call(request);
        Box::pin(async move {
            let response = future.await?;
            if let (Some(id), Some(session)) = (before, &session) {
                if session.id() != Some(id) {
                    watch.session_ended(id);
                }
            }
            let ending = opening
                .filter(|_| is_event_stream(&response))
                .and_then(|opening| opening.start());
            Ok(match ending {
                Some(ending) => response.map(|body| Body::new(EndingBody::new(body, ending))),
                None => response,
            })
        })
    }
}

/// Whether the request opens a stream: an `EventSource` (which always asks
/// for `text/event-stream`) or a WebSocket upgrade.
fn opens_stream(headers: &HeaderMap) -> bool {
    headers.contains_key(UPGRADE)
        || headers
            .get(ACCEPT)
            .is_some_and(|accept| contains_ignore_case(accept.as_bytes(), b"text/event-stream"))
}

/// Whether the answer is an event stream (and not, say, the guard's denial).
fn is_event_stream(response: &Response) -> bool {
    response.status() == StatusCode::OK
        && response
            .headers()
            .get(CONTENT_TYPE)
            .is_some_and(|value| contains_ignore_case(value.as_bytes(), b"text/event-stream"))
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle))
}
