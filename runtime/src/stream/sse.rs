//! A guarded Server-Sent Events response that ends with its session: its
//! body, polled for the end before each of the handler's events.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use axum::body::{Body, Bytes};
use http_body::{Body as _, Frame, SizeHint};

use super::end::{End, EndWatcher, Ending};
use super::SESSION_ENDED_EVENT;

/// The final event: [`SESSION_ENDED_EVENT`], with the login URL and why, as JSON.
pub(crate) fn final_event(end: &End) -> Bytes {
    let data = serde_json::json!({
        "login": end.login_url(),
        "reason": end.reason().as_str(),
    });
    Bytes::from(format!("event: {SESSION_ENDED_EVENT}\ndata: {data}\n\n"))
}

/// The handler's event stream until the session ends, then the final event,
/// then nothing: the handler's stream is dropped with the body.
pub(crate) struct EndingBody {
    inner: Body,
    /// The end, until it came.
    end: Option<Pin<Box<dyn Future<Output = End> + Send>>>,
    /// Asked before each event whether the end may have come.
    seen: EndWatcher,
    /// The waker the end future was last polled with: while the body is
    /// polled by the same task (a server's connection task), that
    /// registration stands, and the end future is polled again only when
    /// the end may have come: the cost per event is two compares and an
    /// atomic load.
    registered: Option<Waker>,
}

impl EndingBody {
    pub(crate) fn new(inner: Body, mut ending: Ending) -> Self {
        EndingBody {
            inner,
            seen: ending.watcher(),
            end: Some(Box::pin(async move { ending.ended().await })),
            registered: None,
        }
    }

    /// Everything but the common case: the first poll, a poll by another
    /// task, the end come or possibly come, the body ended.
    #[cold]
    fn poll_slow(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let Some(end) = self.end.as_mut() else {
            // Ended: the final event was sent.
            return Poll::Ready(None);
        };
        if let Poll::Ready(end) = end.as_mut().poll(cx) {
            self.end = None;
            self.registered = None;
            return Poll::Ready(Some(Ok(Frame::data(final_event(&end)))));
        }
        self.registered = Some(cx.waker().clone());
        Pin::new(&mut self.inner).poll_frame(cx)
    }
}

impl http_body::Body for EndingBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        // The end first (a stream with an event ready at every poll still
        // ends), but without polling its future while the registration stands.
        let registered = this
            .registered
            .as_ref()
            .is_some_and(|waker| waker.will_wake(cx.waker()));
        if registered && !this.seen.may_have_ended() {
            return Pin::new(&mut this.inner).poll_frame(cx);
        }
        this.poll_slow(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.end.is_none() || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}
