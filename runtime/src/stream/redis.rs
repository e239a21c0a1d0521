//! News of ended sessions between instances, over Redis pub/sub (feature
//! `redis`), through fred, the client tower-sessions' Redis store uses.

use std::sync::{Arc, Weak};
use std::time::Duration;

use fred::clients::{Client, SubscriberClient};
use fred::prelude::{ClientLike, Config, EventInterface, PubsubInterface, ReconnectPolicy};
use fred::types::Builder;

use super::end::EndReason;
use super::watch::{Hub, News, SessionWatch};

/// The pub/sub channel the news goes on: one message per ended session,
/// its id, or per ended user ([`SessionWatch::end_user`]), `user:` and the
/// user's id as JSON.
pub const NEWS_CHANNEL: &str = "require-login:session-ended";

const USER_PREFIX: &str = "user:";

/// How long to wait between attempts to reach Redis again: the news is
/// late by at most this much after Redis is back.
const RECONNECT_DELAY_MS: u32 = 250;

/// How long a publish may wait for Redis before it is given up (logged): the
/// other instances then see the end at their next re-check.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(2);

/// A connection to Redis for news of ended sessions: one client that
/// publishes, one that listens. Both reconnect on their own, for ever;
/// while they are away, streams end at their deadlines and re-checks.
///
/// ```no_run
/// # async fn run() -> Result<(), fred::error::Error> {
/// use require_login::stream::{RedisNews, SessionWatch};
///
/// let news = RedisNews::connect("redis://127.0.0.1:6379").await?;
/// let watch = SessionWatch::new().with_news(news);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct RedisNews {
    publisher: Client,
    subscriber: SubscriberClient,
}

impl RedisNews {
    /// Connects to the Redis at `url` (`redis://host:port/db`) and
    /// subscribes to [`NEWS_CHANNEL`].
    ///
    /// # Errors
    /// When the URL is bad or Redis cannot be reached now.
    pub async fn connect(url: &str) -> Result<Self, fred::error::Error> {
        let config = Config::from_url(url)?;
        let policy = ReconnectPolicy::new_constant(0, RECONNECT_DELAY_MS);
        let publisher = Builder::from_config(config.clone())
            .set_policy(policy.clone())
            .build()?;
        let subscriber = Builder::from_config(config)
            .set_policy(policy)
            .build_subscriber_client()?;
        publisher.init().await?;
        subscriber.init().await?;
        // Subscribes again after every reconnection.
        let _resubscriber = subscriber.manage_subscriptions();
        subscriber.subscribe(NEWS_CHANNEL).await?;
        Ok(RedisNews {
            publisher,
            subscriber,
        })
    }
}

/// The half of the news the registry keeps: publishing.
#[derive(Debug)]
pub(crate) struct Publisher {
    client: Client,
}

impl Publisher {
    /// Publishes `news`, without waiting for it: a session's id, or
    /// `user:` and the user's id as JSON.
    pub(crate) fn publish(&self, news: News) {
        let message = match news {
            News::Session(id) => id.to_string(),
            News::User(user) => format!("{USER_PREFIX}{user}"),
        };
        let client = self.client.clone();
        tokio::spawn(async move {
            let sent = client.publish::<i64, _, _>(NEWS_CHANNEL, message);
            match tokio::time::timeout(PUBLISH_TIMEOUT, sent).await {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => tracing::warn!(
                    error = %error,
                    "require_login: could not publish a session's end; other instances end its streams at their next re-check"
                ),
                Err(_) => tracing::warn!(
                    "require_login: Redis did not take a session's end in time; other instances end its streams at their next re-check"
                ),
            }
        });
    }
}

impl SessionWatch {
    /// Tells other instances of the app, and hears from them, when a session
    /// ends, over Redis pub/sub ([`RedisNews`], feature `redis`): a logout
    /// on one instance then ends that session's streams on every instance
    /// at once, not at their next re-check.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), fred::error::Error> {
    /// use require_login::stream::{RedisNews, SessionWatch};
    /// let watch = SessionWatch::new()
    ///     .with_news(RedisNews::connect("redis://127.0.0.1:6379").await?);
    /// # Ok(()) }
    /// ```
    ///
    /// # Panics
    /// When this watch has news already.
    #[must_use]
    pub fn with_news(self, news: RedisNews) -> Self {
        let RedisNews {
            publisher,
            subscriber,
        } = news;
        if self.hub.news.set(Publisher { client: publisher }).is_err() {
            panic!("SessionWatch::with_news: this watch has news already");
        }
        tokio::spawn(listen(Arc::downgrade(&self.hub), subscriber));
        self
    }
}

/// Ends, here, the streams of each session another instance says ended.
async fn listen(hub: Weak<Hub>, subscriber: SubscriberClient) {
    let mut messages = subscriber.message_rx();
    loop {
        match messages.recv().await {
            Ok(message) => {
                let Some(hub) = hub.upgrade() else { return };
                if &*message.channel != NEWS_CHANNEL {
                    continue;
                }
                let text = message.value.as_str();
                let text = text.as_deref().unwrap_or_default();
                if let Some(user) = text.strip_prefix(USER_PREFIX) {
                    if let Ok(user) = serde_json::from_str(user) {
                        hub.end_user(&user);
                    } else {
                        tracing::warn!("require_login: a user on {NEWS_CHANNEL} that is not JSON");
                    }
                } else if let Ok(id) = text.parse() {
                    hub.end(id, EndReason::LoggedOut);
                } else {
                    tracing::warn!("require_login: a message on {NEWS_CHANNEL} that is not a session id");
                }
            }
            Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => tracing::warn!(
                missed,
                "require_login: missed news of ended sessions; their streams end at the next re-check"
            ),
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        }
    }
}
