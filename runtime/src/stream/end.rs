//! How a stream learns that its session ended: [`End`], and the
//! [`SessionEnd`] extractor that gives a handler the future of it.

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::FromRequestParts;
use http::request::Parts;
use tokio::sync::watch;

use super::watch::{SessionWatch, Watching};
use crate::deadline::{Reason, RequestDeadlines};
use crate::guard::deny;
use crate::guard::failed;
use crate::guard::return_to::append_query;
use crate::guard::session::{OwnedSession, RequestSession};
use crate::options::{GuardOptions, LoggedInBy};
use crate::response::{GuardError, LoginRejection};

/// Why a stream's session ended.
///
/// ```
/// use require_login::stream::EndReason;
/// assert_eq!(EndReason::LoggedOut.as_str(), "logged-out");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndReason {
    /// It was ended: a logout (here or on another instance), or the store
    /// no longer holds it or its user.
    LoggedOut,
    /// The idle timeout passed.
    Idle,
    /// The absolute lifetime passed.
    Expired,
    /// The app ended the user's streams ([`SessionWatch::end_user`]).
    Removed,
}

impl EndReason {
    /// As the final event and the login URL's reason field say it:
    /// `logged-out`, `idle`, `expired`, `removed`.
    ///
    /// ```
    /// # use require_login::stream::EndReason;
    /// assert_eq!(EndReason::Idle.as_str(), "idle");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            EndReason::LoggedOut => "logged-out",
            EndReason::Idle => Reason::Idle.as_str(),
            EndReason::Expired => Reason::Expired.as_str(),
            EndReason::Removed => "removed",
        }
    }
}

impl From<Reason> for EndReason {
    fn from(reason: Reason) -> Self {
        match reason {
            Reason::Idle => EndReason::Idle,
            Reason::Expired => EndReason::Expired,
        }
    }
}

/// A stream's session ended: why, and where the page goes to log in again
/// (what `X-Login-Url` would have said, with the reason field when the
/// deadlines name one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct End {
    reason: EndReason,
    login_url: String,
}

impl End {
    /// Why it ended.
    pub fn reason(&self) -> EndReason {
        self.reason
    }

    /// The login URL, with `next` the page the stream was opened from.
    pub fn login_url(&self) -> &str {
        &self.login_url
    }
}

/// What a guard that let a stream request through leaves for it.
#[derive(Debug, Clone)]
pub(crate) struct Opened {
    login_url: Arc<str>,
    reason_field: Option<&'static str>,
    watching: Watching,
    /// Whose session it is, for [`SessionWatch::end_user`].
    user: Option<Arc<serde_json::Value>>,
}

/// The cell a [`SessionWatch`] puts on a request that opens a stream; the
/// guard fills it.
pub(crate) struct Opening {
    pub(crate) watch: SessionWatch,
    pub(crate) session: OwnedSession,
    pub(crate) id: i128,
    opened: Mutex<Option<Opened>>,
}

impl Opening {
    pub(crate) fn new(watch: SessionWatch, session: OwnedSession, id: i128) -> Self {
        Opening {
            watch,
            session,
            id,
            opened: Mutex::new(None),
        }
    }

    /// What a guard with `options` leaves on `parts` when it let the
    /// request through: the login URL it would answer now, how to watch
    /// the session, and whose it is.
    pub(crate) async fn fill(&self, parts: &Parts, options: &GuardOptions) {
        let Some(login_url) = deny(parts, options).login_url().map(Arc::<str>::from) else {
            return;
        };
        let deadlines = parts.extensions.get::<Arc<RequestDeadlines>>();
        let key = match options.logged_in_by {
            LoggedInBy::SessionKey(key) => Some(key),
            #[cfg(feature = "axum-login")]
            LoggedInBy::AxumLogin(_) => None,
        };
        let opened = Opened {
            login_url,
            reason_field: deadlines.and_then(|d| d.deadlines.reason_field()),
            watching: Watching {
                key,
                store_timeout: options.store_timeout,
                deadlines: deadlines.map(|d| d.deadlines),
                left: deadlines.and_then(|d| d.reported()),
            },
            user: user_of(parts, options).await.map(Arc::new),
        };
        *self.opened.lock().unwrap_or_else(PoisonError::into_inner) = Some(opened);
    }

    /// Starts watching for one stream, when a guard let the request through.
    pub(crate) fn start(&self) -> Option<Ending> {
        let opened = self
            .opened
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()?;
        let receiver =
            self.watch
                .register(self.id, self.session.clone(), opened.watching, opened.user);
        Some(Ending {
            receiver,
            login_url: opened.login_url,
            reason_field: opened.reason_field,
        })
    }
}

/// The user the guard let through (already loaded, no store read): the
/// value under its session key, or the id of axum-login's user.
async fn user_of(parts: &Parts, options: &GuardOptions) -> Option<serde_json::Value> {
    match options.logged_in_by {
        LoggedInBy::SessionKey(key) => {
            let session = RequestSession::of(&parts.extensions)?;
            session.get(key, options.store_timeout).await.ok().flatten()
        }
        #[cfg(feature = "axum-login")]
        LoggedInBy::AxumLogin(source) => source.user_id(&parts.extensions),
    }
}

/// One stream's view of its session's end.
#[derive(Debug)]
pub(crate) struct Ending {
    receiver: watch::Receiver<Option<EndReason>>,
    login_url: Arc<str>,
    reason_field: Option<&'static str>,
}

impl Ending {
    fn end_for(&self, reason: EndReason) -> End {
        let login_url = match (reason, self.reason_field) {
            (EndReason::Idle | EndReason::Expired, Some(field)) => {
                append_query(&self.login_url, field, reason.as_str())
            }
            _ => self.login_url.to_string(),
        };
        End { reason, login_url }
    }

    /// A look at whether the end may have come, for the body that asks
    /// before every event.
    pub(crate) fn watcher(&self) -> EndWatcher {
        EndWatcher(self.receiver.clone())
    }

    /// The end, once it came.
    pub(crate) fn end(&self) -> Option<End> {
        let reason = (*self.receiver.borrow())?;
        Some(self.end_for(reason))
    }

    /// Resolves when the session ended. (When the watch is gone, which it
    /// is not while the app runs, it never resolves.)
    pub(crate) async fn ended(&mut self) -> End {
        let seen = self
            .receiver
            .wait_for(Option::is_some)
            .await
            .map(|reason| reason.unwrap_or(EndReason::LoggedOut));
        let Ok(reason) = seen else {
            return std::future::pending().await;
        };
        self.end_for(reason)
    }
}

/// Whether a stream's end may have come since it was last looked at.
#[derive(Debug)]
pub(crate) struct EndWatcher(watch::Receiver<Option<EndReason>>);

impl EndWatcher {
    /// One atomic load: whether the value moved since it was last read.
    pub(crate) fn may_have_ended(&self) -> bool {
        self.0.has_changed().unwrap_or(true)
    }
}

/// The end of the request's session, for a handler that opens a stream:
/// [`ended`](Self::ended) resolves when it ends, so that the handler can
/// stop its work and clean up.
///
/// A guarded SSE response ends on its own (the [`SessionWatch`] layer ends
/// it with [`SESSION_ENDED_EVENT`](super::SESSION_ENDED_EVENT)), whether the handler takes a
/// `SessionEnd` or not. A WebSocket needs [`SessionEnd::on_upgrade`]
/// (feature `ws`) in place of `WebSocketUpgrade::on_upgrade`.
///
/// Put it after the guard: it needs the guard to have let the request
/// through, and a request that opens a stream (`Accept: text/event-stream`,
/// or a WebSocket upgrade); otherwise it is the guard's logged `500`
/// ([`GuardError::StreamNotWatched`]).
///
/// ```
/// use axum::response::sse::{Event, Sse};
/// use futures_util::stream::{self, Stream};
/// use require_login::{require_login, stream::SessionEnd};
///
/// #[require_login]
/// async fn feed(mut end: SessionEnd) -> Sse<impl Stream<Item = Result<Event, std::convert::Infallible>>> {
///     tokio::spawn(async move {
///         let end = end.ended().await;
///         tracing::info!(reason = end.reason().as_str(), "a feed's session ended");
///     });
///     Sse::new(stream::pending())
/// }
/// # let _: axum::Router = axum::Router::new().route("/feed", axum::routing::get(feed));
/// ```
#[derive(Debug)]
pub struct SessionEnd {
    pub(crate) ending: Ending,
}

impl SessionEnd {
    /// Resolves when the session ended, with why and the login URL.
    pub async fn ended(&mut self) -> End {
        self.ending.ended().await
    }

    /// The end, if it already came.
    pub fn end(&self) -> Option<End> {
        self.ending.end()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SessionEnd {
    type Rejection = LoginRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, LoginRejection> {
        parts
            .extensions
            .get::<Arc<Opening>>()
            .and_then(|opening| opening.start())
            .map(|ending| SessionEnd { ending })
            .ok_or_else(|| failed(GuardError::StreamNotWatched))
    }
}
