//! [`SessionWatch`]: the sessions that have open streams, and the one task
//! per such session that notices its end (a deadline, a re-read of the
//! store) when no request told of it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;
use tokio::time::Instant;

use super::end::EndReason;
use crate::deadline::{judge, now_ms, Activity, Deadlines, Left, Record, Verdict, DEADLINE_KEY};
use crate::guard::session::OwnedSession;

/// How often, by default, a session with open streams is read again from
/// the store: the bound on how late a logout that no request of this
/// instance saw (another instance, with the news down) ends its streams.
pub const DEFAULT_RECHECK: Duration = Duration::from_secs(30);

/// The shortest re-check interval: each one is a store read per watched session.
pub const MIN_RECHECK: Duration = Duration::from_millis(100);

/// The app's watch over the sessions that have open streams (Server-Sent
/// Events, WebSockets): a layer that ends a guarded stream when its session
/// ends, and the registry behind it.
///
/// A session ends, for its streams, when
/// - a request of this app ends it (a logout from any tab: the session's id
///   is gone after the request), at once;
/// - a request of another instance ends it, at once with [news](Self::with_news)
///   (Redis pub/sub), otherwise at the next re-check;
/// - its idle or absolute deadline passes (with a [`DeadlineLayer`](crate::deadline::DeadlineLayer)), on time;
/// - the store no longer holds it or its user, at the next re-check
///   ([`with_recheck`](Self::with_recheck), [`DEFAULT_RECHECK`]).
///
/// Add it with `.layer`, inside the `SessionManagerLayer`:
///
/// ```
/// use axum::{response::sse::{Event, Sse}, routing::get, Router};
/// use require_login::{require_login, stream::SessionWatch};
/// use tower_sessions::{MemoryStore, SessionManagerLayer};
///
/// #[require_login]
/// async fn feed() -> Sse<futures_util::stream::Pending<Result<Event, std::convert::Infallible>>> {
///     Sse::new(futures_util::stream::pending())
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let app: Router = Router::new()
///     .route("/feed", get(feed))
///     .layer(SessionWatch::new())
///     .layer(SessionManagerLayer::new(MemoryStore::default()));
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct SessionWatch {
    pub(crate) hub: Arc<Hub>,
    recheck: Duration,
}

impl Default for SessionWatch {
    fn default() -> Self {
        Self::new()
    }
}

impl SessionWatch {
    /// A watch with no news from other instances, re-checking every
    /// [`DEFAULT_RECHECK`].
    ///
    /// ```
    /// use require_login::stream::{SessionWatch, DEFAULT_RECHECK};
    /// assert_eq!(SessionWatch::new().recheck(), DEFAULT_RECHECK);
    /// ```
    pub fn new() -> Self {
        SessionWatch {
            hub: Arc::new(Hub::default()),
            recheck: DEFAULT_RECHECK,
        }
    }

    /// Reads each watched session again from the store every `interval`:
    /// the bound on how late its end is noticed when no request of this
    /// instance, and no news, told of it. At least [`MIN_RECHECK`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use require_login::stream::SessionWatch;
    /// let watch = SessionWatch::new().with_recheck(Duration::from_secs(5));
    /// assert_eq!(watch.recheck(), Duration::from_secs(5));
    /// ```
    ///
    /// # Panics
    /// When `interval` is shorter than [`MIN_RECHECK`].
    #[must_use]
    pub fn with_recheck(mut self, interval: Duration) -> Self {
        if interval < MIN_RECHECK {
            panic!("SessionWatch::with_recheck: {interval:?} is shorter than MIN_RECHECK (100 ms): each re-check reads every watched session from the store");
        }
        self.recheck = interval;
        self
    }

    /// The re-check interval.
    ///
    /// ```
    /// # use require_login::stream::{SessionWatch, DEFAULT_RECHECK};
    /// assert_eq!(SessionWatch::default().recheck(), DEFAULT_RECHECK);
    /// ```
    pub fn recheck(&self) -> Duration {
        self.recheck
    }

    /// How many sessions have open streams on this instance.
    ///
    /// ```
    /// # use require_login::stream::SessionWatch;
    /// assert_eq!(SessionWatch::new().watched(), 0);
    /// ```
    pub fn watched(&self) -> usize {
        self.hub.lock().len()
    }

    /// Starts watching `session` (with id `id`) for a new stream, as
    /// `watching` says; the stream's end is the returned receiver's value.
    pub(crate) fn register(
        &self,
        id: i128,
        session: OwnedSession,
        watching: Watching,
        user: Option<Arc<Value>>,
    ) -> watch::Receiver<Option<EndReason>> {
        let mut sessions = self.hub.lock();
        if let Some(watched) = sessions.get(&id) {
            if watched.sender.borrow().is_none() {
                return watched.sender.subscribe();
            }
        }
        let (sender, receiver) = watch::channel(None);
        let sender = Arc::new(sender);
        let watched = Watched {
            sender: Arc::clone(&sender),
            user,
        };
        sessions.insert(id, watched);
        drop(sessions);
        tokio::spawn(watch_session(
            Arc::downgrade(&self.hub),
            id,
            sender,
            session,
            watching,
            self.recheck,
        ));
        receiver
    }

    /// The session `id` ended here: its streams end, and the other
    /// instances are told.
    pub(crate) fn session_ended(&self, id: i128) {
        self.hub.end(id, EndReason::LoggedOut);
        self.hub.publish(News::Session(id));
    }

    /// Ends the streams of every session of `user` (the value the guard's
    /// session key holds: what [`login`](crate::login()) was given; with
    /// axum-login, the user's id), here and, with news, on every instance:
    /// for a user the app removed, or logged out everywhere. Their final
    /// event says `removed`.
    ///
    /// It ends streams, not sessions: end those too (a session a guard
    /// still lets through can open a new stream), or, with axum-login,
    /// remove the user from the backend, which its `AuthSession` asks.
    ///
    /// ```
    /// use require_login::stream::SessionWatch;
    /// let watch = SessionWatch::new();
    /// watch.end_user("ada"); // no stream of hers is open here: nothing to end
    /// assert_eq!(watch.watched(), 0);
    /// ```
    pub fn end_user<U: Serialize + ?Sized>(&self, user: &U) {
        let Ok(user) = serde_json::to_value(user) else {
            tracing::error!(
                "require_login: SessionWatch::end_user: the user id does not serialize"
            );
            return;
        };
        self.hub.end_user(&user);
        self.hub.publish(News::User(user));
    }
}

/// What one instance tells the others.
#[derive(Debug)]
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
pub(crate) enum News {
    /// A session ended.
    Session(i128),
    /// Every session of a user ended ([`SessionWatch::end_user`]).
    User(Value),
}

/// A watched session: the sender its streams listen to, and whose it is.
struct Watched {
    sender: Arc<watch::Sender<Option<EndReason>>>,
    user: Option<Arc<Value>>,
}

/// The registry: a sender per watched session, which its streams listen to.
#[derive(Default)]
pub(crate) struct Hub {
    sessions: Mutex<HashMap<i128, Watched>>,
    #[cfg(feature = "redis")]
    pub(crate) news: std::sync::OnceLock<super::redis::Publisher>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("watched", &self.lock().len())
            .finish_non_exhaustive()
    }
}

impl Hub {
    fn lock(&self) -> MutexGuard<'_, HashMap<i128, Watched>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Ends the streams of session `id` on this instance.
    pub(crate) fn end(&self, id: i128, reason: EndReason) {
        if let Some(watched) = self.lock().remove(&id) {
            watched.sender.send_replace(Some(reason));
        }
    }

    /// Ends the streams of every session of `user` on this instance.
    pub(crate) fn end_user(&self, user: &Value) {
        let mut sessions = self.lock();
        sessions.retain(|_, watched| {
            let theirs = watched.user.as_deref() == Some(user);
            if theirs {
                watched.sender.send_replace(Some(EndReason::Removed));
            }
            !theirs
        });
    }

    /// Tells the other instances, when there is news.
    #[cfg(feature = "redis")]
    fn publish(&self, news: News) {
        if let Some(publisher) = self.news.get() {
            publisher.publish(news);
        }
    }

    /// Without the feature `redis` there is no news to tell.
    #[cfg(not(feature = "redis"))]
    #[allow(clippy::unused_self, clippy::needless_pass_by_value)]
    fn publish(&self, _news: News) {}

    /// Forgets `id` when `sender` is still its entry and nobody listens:
    /// under the lock, so that a stream registering meanwhile is not lost.
    fn forget_if_unwatched(
        &self,
        id: i128,
        sender: &Arc<watch::Sender<Option<EndReason>>>,
    ) -> bool {
        let mut sessions = self.lock();
        if sender.receiver_count() > 0 && sender.borrow().is_none() {
            return false;
        }
        if sessions
            .get(&id)
            .is_some_and(|watched| Arc::ptr_eq(&watched.sender, sender))
        {
            sessions.remove(&id);
        }
        true
    }
}

/// What the watch of one session needs: how to tell it still holds a user,
/// and its deadlines.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Watching {
    /// The session key the guard decides by; `None` (axum-login): the
    /// session's existence is what is checked.
    pub(crate) key: Option<&'static str>,
    pub(crate) store_timeout: Duration,
    pub(crate) deadlines: Option<Deadlines>,
    /// What the guard found left when the stream opened.
    pub(crate) left: Option<Left>,
}

/// What a re-read of the session found.
enum Checked {
    /// Still logged in; the next deadline, if any.
    Live(Option<Instant>),
    Ended(EndReason),
}

impl Watching {
    fn due(left: Option<Left>) -> Option<Instant> {
        let left = left?;
        let soonest = match (left.idle, left.absolute) {
            (Some(idle), Some(absolute)) => idle.min(absolute),
            (one, other) => one.or(other)?,
        };
        Some(Instant::now() + soonest)
    }

    async fn check(&self, session: &OwnedSession) -> Result<Checked, String> {
        let reloaded = session
            .reload(self.key, DEADLINE_KEY, self.store_timeout)
            .await
            .map_err(|error| error.to_string())?;
        let Some(reloaded) = reloaded.filter(|reloaded| reloaded.holds_user) else {
            return Ok(Checked::Ended(EndReason::LoggedOut));
        };
        let Some(deadlines) = self.deadlines else {
            return Ok(Checked::Live(None));
        };
        let record = reloaded.deadline.as_ref().and_then(Record::from_value);
        // A stream is no activity: it neither extends nor writes.
        Ok(
            match judge(record, &deadlines, now_ms(), Activity::Passive) {
                Verdict::Live { left, .. } => Checked::Live(Self::due(Some(left))),
                Verdict::Ended(reason) => Checked::Ended(reason.into()),
            },
        )
    }
}

/// The watch over one session, while it has streams: wakes at its next
/// deadline or re-check, reads it again, and ends its streams when it ended.
async fn watch_session(
    hub: Weak<Hub>,
    id: i128,
    sender: Arc<watch::Sender<Option<EndReason>>>,
    session: OwnedSession,
    watching: Watching,
    recheck: Duration,
) {
    let mut due = Watching::due(watching.left);
    loop {
        let recheck_at = Instant::now() + recheck;
        let wake = due.map_or(recheck_at, |due| due.min(recheck_at));
        tokio::select! {
            () = sender.closed() => {}
            () = tokio::time::sleep_until(wake) => {}
        }
        let Some(registry) = hub.upgrade() else {
            return;
        };
        if sender.borrow().is_some() || sender.receiver_count() == 0 {
            if registry.forget_if_unwatched(id, &sender) {
                return;
            }
            continue;
        }
        drop(registry);
        // Boxed: the read is rare, and the task sleeps most of its life
        // without carrying the store's future.
        match Box::pin(watching.check(&session)).await {
            Ok(Checked::Live(next)) => due = next,
            Ok(Checked::Ended(reason)) => {
                if let Some(registry) = hub.upgrade() {
                    registry.end(id, reason);
                }
                sender.send_replace(Some(reason));
                return;
            }
            // The streams stay: a store that cannot answer says nothing about
            // the session; it is asked again at the next re-check.
            Err(error) => {
                tracing::error!(
                    error = %error,
                    "require_login: could not read a watched session again; its streams stay open until the next re-check"
                );
                due = None;
            }
        }
    }
}
