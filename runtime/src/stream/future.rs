//! The response future of [`SessionWatchService`](super::SessionWatchService).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use axum::body::Body;
use axum::response::Response;
use http::header::CONTENT_TYPE;
use http::StatusCode;
use http_body_util::BodyExt;
use pin_project_lite::pin_project;

use super::end::Opening;
use super::sse::EndingBody;
use super::watch::SessionWatch;
use crate::guard::session::OwnedSession;

pin_project! {
    /// The response future of [`SessionWatchService`](super::SessionWatchService):
    /// the app's, then what the watch does with its response.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        watch: SessionWatch,
        // The request's session, and its id before the request.
        session: Option<(OwnedSession, i128)>,
        opening: Option<Arc<Opening>>,
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(
        inner: F,
        watch: SessionWatch,
        session: Option<(OwnedSession, i128)>,
        opening: Option<Arc<Opening>>,
    ) -> Self {
        ResponseFuture {
            inner,
            watch,
            session,
            opening,
        }
    }
}

impl<F, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.inner.poll(cx))?;
        if let Some((session, id)) = this.session.take() {
            if session.id() != Some(id) {
                this.watch.session_ended(id);
            }
        }
        let ending = this
            .opening
            .take()
            .filter(|_| is_event_stream(&response))
            .and_then(|opening| opening.start());
        Poll::Ready(Ok(match ending {
            // Boxed as axum boxes its bodies, so that `Body::new` adds no
            // error-mapping layer of its own to every event.
            Some(ending) => {
                response.map(|body| Body::new(EndingBody::new(body, ending).boxed_unsync()))
            }
            None => response,
        }))
    }
}

/// Whether the answer is an event stream (and not, say, the guard's denial).
fn is_event_stream(response: &Response) -> bool {
    const EVENT_STREAM: &[u8] = b"text/event-stream";
    response.status() == StatusCode::OK
        && response.headers().get(CONTENT_TYPE).is_some_and(|value| {
            value
                .as_bytes()
                .get(..EVENT_STREAM.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(EVENT_STREAM))
        })
}
