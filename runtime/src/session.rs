//! Marking a tower-sessions [`Session`] as logged in, and ending it.

use serde::Serialize;
use tower_sessions::session::Error;
use tower_sessions::Session;

/// The session key [`login`] writes and guards read by default.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::sync::Arc;
/// use tower_sessions::{MemoryStore, Session};
///
/// let session = Session::new(None, Arc::new(MemoryStore::default()), None);
/// require_login::login(&session, &"ada").await.unwrap();
/// let user: Option<String> = session.get(require_login::SESSION_KEY).await.unwrap();
/// assert_eq!(user.as_deref(), Some("ada"));
/// # }
/// ```
pub const SESSION_KEY: &str = "require_login.user";

/// Marks `session` as logged in as `user_id`, under [`SESSION_KEY`].
///
/// The session id is cycled first, so an id planted before login (session
/// fixation) is worth nothing after it.
///
/// ```
/// # tokio_test_block_on(async {
/// use std::sync::Arc;
/// use tower_sessions::{MemoryStore, Session};
///
/// let session = Session::new(None, Arc::new(MemoryStore::default()), None);
/// require_login::login(&session, &"ada").await?;
/// assert_eq!(session.get::<String>(require_login::SESSION_KEY).await?.as_deref(), Some("ada"));
/// require_login::logout(&session).await?;
/// assert!(session.is_empty().await);
/// # Ok::<_, tower_sessions::session::Error>(()) }).unwrap();
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
///
/// # Errors
/// When the store fails or `user_id` does not serialize.
pub async fn login<U: Serialize + ?Sized + Sync>(
    session: &Session,
    user_id: &U,
) -> Result<(), Error> {
    login_with_key(session, SESSION_KEY, user_id).await
}

/// Like [`login`], under a key of your own, for guards with `session_key = "..."`.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use std::sync::Arc;
/// # use tower_sessions::{MemoryStore, Session};
/// let session = Session::new(None, Arc::new(MemoryStore::default()), None);
/// require_login::login_with_key(&session, "admin", &42).await?;
/// assert_eq!(session.get::<u32>("admin").await?, Some(42));
/// # Ok::<_, tower_sessions::session::Error>(()) }).unwrap();
/// ```
///
/// # Errors
/// When the store fails or `user_id` does not serialize.
pub async fn login_with_key<U: Serialize + ?Sized + Sync>(
    session: &Session,
    key: &str,
    user_id: &U,
) -> Result<(), Error> {
    session.cycle_id().await?;
    session.insert(key, user_id).await
}

/// Ends the session: clears its data, deletes it from the store, and expires the cookie.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use std::sync::Arc;
/// # use tower_sessions::{MemoryStore, Session};
/// let session = Session::new(None, Arc::new(MemoryStore::default()), None);
/// require_login::login(&session, "ada").await?;
/// require_login::logout(&session).await?;
/// assert_eq!(session.get::<String>(require_login::SESSION_KEY).await?, None);
/// # Ok::<_, tower_sessions::session::Error>(()) }).unwrap();
/// ```
///
/// # Errors
/// When the store fails to delete the session.
pub async fn logout(session: &Session) -> Result<(), Error> {
    session.flush().await
}
