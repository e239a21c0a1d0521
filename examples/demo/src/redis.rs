//! Sessions in Redis, shared by every instance of an app that points at the
//! same server, through `tower-sessions-redis-store` 0.16.
//!
//! [`connect`] makes the connection pool an app (and the two-instance tests)
//! builds a `RedisStore` on: it fails fast at start-up, reconnects for ever
//! after it, and bounds the time of each command, so that during a Redis
//! outage requests fail (a logged 500 from the guard) instead of hanging,
//! and the app recovers by itself when Redis is back.
//!
//! `tower-sessions-redis-store` 0.16 is built on tower-sessions 0.14, and the
//! demo (with its CSRF crate) on 0.15: [`On014`] carries records between the
//! two so the demo keeps its 0.15 session layer. An app on Redis without
//! that constraint uses tower-sessions 0.14 directly, with require-login's
//! feature `tower-sessions-014` (the manual, "Deploying").

use std::time::Duration;

use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions_014 as ts014;
use tower_sessions_redis_store::fred::prelude::{
    Builder, ClientLike, Config, Error, Pool, ReconnectPolicy,
};
use tower_sessions_redis_store::RedisStore;

/// How long connecting, and each Redis command, may take before the request
/// it serves fails.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);

/// Connections in the pool.
const POOL_SIZE: usize = 4;

/// Connects to the Redis at `url` (`redis://host:port[/db]`) and returns a
/// tower-sessions 0.14 session store on it. `Err` is one line: which URL,
/// and what failed (not a Redis URL, refused, timed out).
///
/// ```no_run
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let store = require_login_demo::redis::connect("redis://127.0.0.1:6379").await?;
/// let _layer = tower_sessions_014::SessionManagerLayer::new(store);
/// # Ok::<_, String>(()) }).unwrap();
/// ```
///
/// # Errors
/// When the URL is not a Redis URL or the server cannot be reached.
pub async fn connect(url: &str) -> Result<RedisStore<Pool>, String> {
    connect_with_timeout(url, COMMAND_TIMEOUT).await
}

/// [`connect`] with another bound on connecting and on each command.
///
/// # Errors
/// As [`connect`].
pub async fn connect_with_timeout(
    url: &str,
    command_timeout: Duration,
) -> Result<RedisStore<Pool>, String> {
    let cannot = |error: &Error| format!("cannot use the session store {url}: {}", plain(error));
    let config = Config::from_url(url).map_err(|e| cannot(&e))?;
    let pool = Builder::from_config(config)
        .with_connection_config(|c| c.connection_timeout = command_timeout)
        .with_performance_config(|p| p.default_command_timeout = command_timeout)
        // After start-up, a lost connection is retried every 200 ms, for ever.
        .set_policy(ReconnectPolicy::new_constant(0, 200))
        .build_pool(POOL_SIZE)
        .map_err(|e| cannot(&e))?;
    // fred fails fast on the first connection (its default): it either
    // works or says why, rather than retrying in the background.
    pool.init().await.map_err(|e| cannot(&e))?;
    Ok(RedisStore::new(pool))
}

/// fred's message, with an I/O error's own message rather than its `Debug` form.
fn plain(error: &Error) -> String {
    let text = error.to_string();
    match text
        .split_once("message: \"")
        .and_then(|(_, rest)| rest.split_once('"'))
    {
        Some((message, _)) => message.to_lowercase(),
        None => text,
    }
}

/// A tower-sessions 0.14 store (such as `RedisStore`) as a 0.15 one: the
/// records are the same, field by field.
///
/// ```no_run
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use require_login_demo::redis::{connect, On014};
///
/// let store = On014(connect("redis://127.0.0.1:6379").await?);
/// let _layer = tower_sessions::SessionManagerLayer::new(store);
/// # Ok::<_, String>(()) }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct On014<S>(pub S);

fn to_014(record: &Record) -> ts014::session::Record {
    ts014::session::Record {
        id: ts014::session::Id(record.id.0),
        data: record.data.clone(),
        expiry_date: record.expiry_date,
    }
}

fn from_014(record: ts014::session::Record) -> Record {
    Record {
        id: Id(record.id.0),
        data: record.data,
        expiry_date: record.expiry_date,
    }
}

fn error_from_014(error: ts014::session_store::Error) -> session_store::Error {
    use ts014::session_store::Error as Old;
    match error {
        Old::Encode(why) => session_store::Error::Encode(why),
        Old::Decode(why) => session_store::Error::Decode(why),
        Old::Backend(why) => session_store::Error::Backend(why),
    }
}

#[async_trait::async_trait]
impl<S: ts014::SessionStore + Clone> SessionStore for On014<S> {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let mut old = to_014(record);
        self.0.create(&mut old).await.map_err(error_from_014)?;
        // The store may have picked another id, on a collision.
        record.id = Id(old.id.0);
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.0.save(&to_014(record)).await.map_err(error_from_014)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let loaded = self.0.load(&ts014::session::Id(id.0)).await;
        Ok(loaded.map_err(error_from_014)?.map(from_014))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let id = ts014::session::Id(id.0);
        self.0.delete(&id).await.map_err(error_from_014)
    }
}
