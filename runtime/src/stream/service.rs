//! The service a [`SessionWatch`] wraps the app in: what it puts on each
//! request.

use std::sync::Arc;
use std::task::{Context, Poll};

use axum::response::Response;
use http::header::{ACCEPT, UPGRADE};
use http::{HeaderMap, Request};
use tower_service::Service;

use super::end::Opening;
use super::future::ResponseFuture;
use super::watch::SessionWatch;
use crate::guard::classify::asks_for_events;
use crate::guard::session::OwnedSession;

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

impl<S> SessionWatchService<S> {
    pub(crate) fn new(inner: S, watch: SessionWatch) -> Self {
        SessionWatchService { inner, watch }
    }
}

impl<S, B> Service<Request<B>> for SessionWatchService<S>
where
    S: Service<Request<B>, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

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
        ResponseFuture::new(
            self.inner.call(request),
            self.watch.clone(),
            session.zip(before),
            opening,
        )
    }
}

/// Whether the request opens a stream: an `EventSource` (which always asks
/// for `text/event-stream`) or a WebSocket upgrade.
fn opens_stream(headers: &HeaderMap) -> bool {
    headers.contains_key(UPGRADE)
        || headers
            .get(ACCEPT)
            .is_some_and(|accept| asks_for_events(accept.as_bytes()))
}
