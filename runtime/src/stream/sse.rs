//! A guarded Server-Sent Events response that ends with its session: its
//! body, polled for the end before each of the handler's events.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};

use super::end::{End, Ending};
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
    end: Option<Pin<Box<dyn Future<Output = End> + Send>>>,
}

impl EndingBody {
    pub(crate) fn new(inner: Body, mut ending: Ending) -> Self {
        EndingBody {
            inner,
            end: Some(Box::pin(async move { ending.ended().await })),
        }
    }
}

impl http_body::Body for EndingBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let Some(end) = self.end.as_mut() else {
            return Poll::Ready(None);
        };
        // The end first: a stream that has an event ready at every poll still ends.
        if let Poll::Ready(end) = end.as_mut().poll(cx) {
            self.end = None;
            return Poll::Ready(Some(Ok(Frame::data(final_event(&end)))));
        }
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(None) => {
                self.end = None;
                Poll::Ready(None)
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.end.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}
