//! A guarded WebSocket that is closed when its session ends (feature `ws`).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures_util::{Sink, SinkExt, Stream, StreamExt};

use super::end::{End, SessionEnd};
use super::CLOSE_CODE;

/// How long the close handshake may take before the socket is dropped.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// The longest close reason a close frame carries (125 bytes less the code).
const MAX_REASON: usize = 123;

impl SessionEnd {
    /// [`WebSocketUpgrade::on_upgrade`], for a socket that is closed when
    /// the session ends: with [`CLOSE_CODE`] (4401) and, as the reason, the
    /// login URL (its path alone when the whole URL does not fit in a close
    /// frame). `callback` gets the socket as a [`SessionSocket`]; when the
    /// session ends, its future is dropped (it need not watch for the end
    /// itself) and the socket closed.
    ///
    /// ```
    /// use axum::extract::ws::{Message, WebSocketUpgrade};
    /// use axum::response::Response;
    /// use require_login::{require_login, stream::SessionEnd};
    ///
    /// #[require_login]
    /// async fn echo(end: SessionEnd, upgrade: WebSocketUpgrade) -> Response {
    ///     end.on_upgrade(upgrade, |mut socket| async move {
    ///         while let Some(Ok(message)) = socket.recv().await {
    ///             if socket.send(message).await.is_err() {
    ///                 break;
    ///             }
    ///         }
    ///     })
    /// }
    /// # let _: axum::Router = axum::Router::new().route("/echo", axum::routing::any(echo));
    /// ```
    pub fn on_upgrade<F, Fut>(self, upgrade: WebSocketUpgrade, callback: F) -> Response
    where
        F: FnOnce(SessionSocket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        upgrade.on_upgrade(move |socket| self.run(socket, callback))
    }

    async fn run<F, Fut>(mut self, socket: WebSocket, callback: F)
    where
        F: FnOnce(SessionSocket) -> Fut,
        Fut: Future<Output = ()>,
    {
        let shared = Arc::new(Mutex::new(socket));
        let handler = callback(SessionSocket {
            socket: Arc::clone(&shared),
        });
        let end = tokio::select! {
            () = handler => return,
            end = self.ended() => end,
        };
        close(SessionSocket { socket: shared }, &end).await;
    }
}

/// The close handshake with [`CLOSE_CODE`]; bounded, a peer that does not
/// answer is dropped.
async fn close(mut socket: SessionSocket, end: &End) {
    let frame = CloseFrame {
        code: CLOSE_CODE,
        reason: close_reason(end.login_url()).into(),
    };
    let handshake = async {
        if socket.send(Message::Close(Some(frame))).await.is_err() {
            return;
        }
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(CLOSE_WAIT, handshake).await;
}

/// The login URL, or its path when the URL is longer than a close frame holds.
pub(crate) fn close_reason(login_url: &str) -> String {
    if login_url.len() <= MAX_REASON {
        return login_url.to_owned();
    }
    let path = login_url.split(['?', '#']).next().unwrap_or_default();
    if path.len() <= MAX_REASON {
        path.to_owned()
    } else {
        String::new()
    }
}

/// A guarded WebSocket: axum's [`WebSocket`], shared with the watch that
/// closes it when the session ends. The same `recv` and `send`, a
/// [`Stream`] and a [`Sink`] (so `split` works).
#[derive(Debug)]
pub struct SessionSocket {
    socket: Arc<Mutex<WebSocket>>,
}

impl SessionSocket {
    /// The next message; `None` once the socket is closed.
    pub async fn recv(&mut self) -> Option<Result<Message, axum::Error>> {
        self.next().await
    }

    /// Sends a message.
    ///
    /// # Errors
    /// When the socket is closed or the connection fails.
    pub async fn send(&mut self, message: Message) -> Result<(), axum::Error> {
        SinkExt::send(self, message).await
    }

    /// Runs `f` on the socket; the lock is held only within one poll.
    fn locked<T>(&self, f: impl FnOnce(Pin<&mut WebSocket>) -> T) -> T {
        let mut socket = self.socket.lock().unwrap_or_else(PoisonError::into_inner);
        f(Pin::new(&mut *socket))
    }
}

impl Stream for SessionSocket {
    type Item = Result<Message, axum::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.locked(|socket: Pin<&mut WebSocket>| socket.poll_next(cx))
    }
}

impl Sink<Message> for SessionSocket {
    type Error = axum::Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), axum::Error>> {
        self.locked(|socket: Pin<&mut WebSocket>| socket.poll_ready(cx))
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), axum::Error> {
        self.locked(|socket: Pin<&mut WebSocket>| socket.start_send(message))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), axum::Error>> {
        self.locked(|socket: Pin<&mut WebSocket>| socket.poll_flush(cx))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), axum::Error>> {
        self.locked(|socket: Pin<&mut WebSocket>| socket.poll_close(cx))
    }
}

#[cfg(test)]
mod tests {
    use super::close_reason;

    #[test]
    fn the_reason_is_the_login_url_when_it_fits_in_a_close_frame() {
        assert_eq!(close_reason("/login?next=/live"), "/login?next=/live");
        let long = format!("/login?next={}", "a".repeat(200));
        assert_eq!(close_reason(&long), "/login");
        assert_eq!(close_reason(&format!("/{}", "p".repeat(200))), "");
    }
}
