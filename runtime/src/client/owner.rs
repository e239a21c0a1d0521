//! Whose page is this? An opaque per-user value the server renders into a
//! page, so that the client script puts back what a user typed before
//! logging in only into a page of the same user.
//!
//! # Why a keyed hash of the user id
//!
//! The client script keeps form values in `sessionStorage` when it sends
//! the user to the login page, and puts them back when the user returns.
//! A tab can change hands in between (a shared computer, a colleague who
//! logs in on it), so the values must only come back into a page rendered
//! for the user who typed them. The script therefore needs, on each page, a
//! value that is
//!
//! - **the same for the same user across logins**: the user logs in again
//!   between recording and restoring, which gives them a new session id and
//!   a new CSRF token, so neither can be that value;
//! - **different between users**, so a different login finds a different
//!   value and restores nothing;
//! - **not the user id**: the value sits in the page and in `sessionStorage`,
//!   readable by any script of the site and by anyone at the keyboard, and
//!   user ids are often e-mail addresses or small guessable numbers. A plain
//!   hash of the id is no better: guessing `sha256("42")` takes one try.
//!
//! An HMAC-SHA-256 of the user id under a key only the server holds has all
//! three properties: deterministic, collision-free in practice, and
//! impossible to invert or to compute for a guessed id without the key. It
//! is truncated to 128 bits (32 hex digits), enough to tell users apart.
//! The session key the user is stored under (for example an admin area's
//! own) is part of the input, so "ada" in the admin area and "ada" the user
//! are different owners.
//!
//! The key must outlive the round trip: with [`PageOwnerKey::generate`]
//! (a new key each process start) a restart between the denial and the
//! login means nothing is restored, which is the safe failure. Several
//! server instances behind one site must share one key
//! ([`PageOwnerKey::new`] with a secret from your configuration).
//! Rotating the key has the same effect as a restart.
//!
//! # How the script learns it
//!
//! Render [`PageOwnerKey::meta_tag`] into the `<head>` of each page whose
//! form fields may be kept:
//!
//! ```html
//! <meta name="require-login-owner" content="3f1c…">
//! ```
//!
//! A page without the tag (a public page, or one you want left alone) keeps
//! nothing. The script reads the tag from `<head>` only, so a copy in user
//! content in the `<body>` names no one; two tags in the head name no one
//! either.

use std::fmt;

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::login::LoginSession;
use crate::options::SESSION_KEY;

/// The `name` of the `<meta>` tag that carries a page's owner.
///
/// ```
/// assert_eq!(require_login::client::PAGE_OWNER_META, "require-login-owner");
/// ```
pub const PAGE_OWNER_META: &str = "require-login-owner";

/// Separates this use of the key from any other the application has for it.
const DOMAIN: &[u8] = b"require-login page owner v1\0";

/// How many bytes of the HMAC the owner value keeps (128 bits).
const OWNER_BYTES: usize = 16;

/// The server's secret for [`PageOwner`] values.
///
/// Create it once at start-up and share it (it is cheap to clone) with the
/// handlers that render pages.
///
/// ```
/// use require_login::client::PageOwnerKey;
///
/// let key = PageOwnerKey::new(b"a secret of at least 32 bytes from your config!")?;
/// let ada = key.owner_of(require_login::options::SESSION_KEY, "ada")?;
/// assert_eq!(ada, key.owner_of(require_login::options::SESSION_KEY, "ada")?); // stable
/// assert_ne!(ada, key.owner_of(require_login::options::SESSION_KEY, "bob")?); // per user
/// assert!(!ada.as_str().contains("ada")); // opaque
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct PageOwnerKey {
    mac: Hmac<Sha256>,
}

/// [`PageOwnerKey::new`] was given fewer than
/// [`PageOwnerKey::MIN_SECRET_LEN`] bytes.
///
/// ```
/// let error = require_login::client::PageOwnerKey::new(b"short").unwrap_err();
/// assert_eq!(error.len, 5);
/// assert!(error.to_string().contains("at least 32 bytes"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretTooShort {
    /// How many bytes the secret had.
    pub len: usize,
}

impl fmt::Display for SecretTooShort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the page owner secret has {} bytes; it needs at least {} bytes",
            self.len,
            PageOwnerKey::MIN_SECRET_LEN
        )
    }
}

impl std::error::Error for SecretTooShort {}

impl PageOwnerKey {
    /// The shortest secret [`PageOwnerKey::new`] accepts: 32 bytes, the size
    /// of the hash.
    ///
    /// ```
    /// assert_eq!(require_login::client::PageOwnerKey::MIN_SECRET_LEN, 32);
    /// ```
    pub const MIN_SECRET_LEN: usize = 32;

    /// A key from a secret of at least [`Self::MIN_SECRET_LEN`] random
    /// bytes, the same on every instance of the site and across restarts.
    ///
    /// ```
    /// let key = require_login::client::PageOwnerKey::new([7u8; 32])?;
    /// # Ok::<_, require_login::client::SecretTooShort>(())
    /// ```
    ///
    /// # Errors
    /// [`SecretTooShort`] when the secret is shorter.
    // Never panics: HMAC takes keys of any length.
    #[allow(clippy::missing_panics_doc)]
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, SecretTooShort> {
        let secret = secret.as_ref();
        if secret.len() < Self::MIN_SECRET_LEN {
            return Err(SecretTooShort { len: secret.len() });
        }
        let mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
        Ok(PageOwnerKey { mac })
    }

    /// A random key, for a single server process: after a restart, values
    /// kept before it are not restored.
    ///
    /// ```
    /// use require_login::{client::PageOwnerKey, options::SESSION_KEY};
    ///
    /// let (a, b) = (PageOwnerKey::generate(), PageOwnerKey::generate());
    /// assert_ne!(a.owner_of(SESSION_KEY, "ada")?, b.owner_of(SESSION_KEY, "ada")?);
    /// # Ok::<_, serde_json::Error>(())
    /// ```
    ///
    /// # Panics
    /// When the operating system has no random numbers to give.
    pub fn generate() -> Self {
        let mut secret = [0u8; Self::MIN_SECRET_LEN];
        getrandom::fill(&mut secret).expect("the operating system's random number generator");
        Self::new(secret).expect("the secret is long enough")
    }

    /// The owner value of `user_id`, logged in under `session_key` (for
    /// [`login`](crate::login()), [`SESSION_KEY`]).
    ///
    /// The id is hashed as the JSON the session stores, so this agrees with
    /// [`PageOwnerKey::owner`] for the same user.
    ///
    /// ```
    /// use require_login::{client::PageOwnerKey, options::SESSION_KEY};
    ///
    /// let key = PageOwnerKey::new([1u8; 32])?;
    /// let owner = key.owner_of(SESSION_KEY, &42)?;
    /// assert_eq!(owner.as_str().len(), 32);
    /// assert_ne!(owner, key.owner_of("admin", &42)?, "another session key, another owner");
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// When `user_id` does not serialize to JSON (as [`login`](crate::login()) would fail too).
    pub fn owner_of<U: Serialize + ?Sized>(
        &self,
        session_key: &str,
        user_id: &U,
    ) -> Result<PageOwner, serde_json::Error> {
        Ok(self.owner_of_value(session_key, &serde_json::to_value(user_id)?))
    }

    /// Hashes the canonical JSON of the id: a struct and the `Value` the
    /// session gives back serialize alike.
    fn owner_of_value(&self, session_key: &str, user_id: &serde_json::Value) -> PageOwner {
        let mut mac = self.mac.clone();
        mac.update(DOMAIN);
        mac.update(session_key.as_bytes());
        mac.update(b"\0");
        mac.update(user_id.to_string().as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut hex = String::with_capacity(OWNER_BYTES * 2);
        for byte in &digest[..OWNER_BYTES] {
            hex.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
            hex.push(char::from(HEX_DIGITS[usize::from(byte & 0xf)]));
        }
        PageOwner(hex)
    }

    /// The owner of the page rendered for `session` (of either
    /// tower-sessions line, see [`LoginSession`]): its user logged in with
    /// [`login`](crate::login()), or `None` when nobody is.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use std::sync::Arc;
    /// use require_login::{client::PageOwnerKey, options::SESSION_KEY};
    /// use tower_sessions::{MemoryStore, Session};
    ///
    /// let key = PageOwnerKey::new([3u8; 32]).unwrap();
    /// let session = Session::new(None, Arc::new(MemoryStore::default()), None);
    /// assert_eq!(key.owner(&session).await?, None);
    /// require_login::login(&session, "ada").await?;
    /// assert_eq!(key.owner(&session).await?, Some(key.owner_of(SESSION_KEY, "ada").unwrap()));
    /// # Ok::<_, tower_sessions::session::Error>(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    /// When the session store fails.
    pub async fn owner<S: LoginSession>(&self, session: &S) -> Result<Option<PageOwner>, S::Error> {
        self.owner_with_key(session, SESSION_KEY).await
    }

    /// Like [`PageOwnerKey::owner`], for a user logged in under a session
    /// key of your own ([`login_with_key`](crate::login::login_with_key)).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use std::sync::Arc;
    /// # use tower_sessions::{MemoryStore, Session};
    /// let key = require_login::client::PageOwnerKey::new([3u8; 32]).unwrap();
    /// let session = Session::new(None, Arc::new(MemoryStore::default()), None);
    /// require_login::login::login_with_key(&session, "admin", &7).await?;
    /// assert_eq!(key.owner(&session).await?, None);
    /// assert_eq!(key.owner_with_key(&session, "admin").await?, Some(key.owner_of("admin", &7).unwrap()));
    /// # Ok::<_, tower_sessions::session::Error>(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    /// When the session store fails.
    pub async fn owner_with_key<S: LoginSession>(
        &self,
        session: &S,
        session_key: &str,
    ) -> Result<Option<PageOwner>, S::Error> {
        let user = session.get_value(session_key).await?;
        Ok(user.map(|user| self.owner_of_value(session_key, &user)))
    }

    /// The `<meta>` tag for the page rendered for `session` (the user of
    /// [`SESSION_KEY`]), or an empty string when nobody is logged in. Put it
    /// in the page's `<head>`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use std::sync::Arc;
    /// # use tower_sessions::{MemoryStore, Session};
    /// let key = require_login::client::PageOwnerKey::new([3u8; 32]).unwrap();
    /// let session = Session::new(None, Arc::new(MemoryStore::default()), None);
    /// assert_eq!(key.meta_tag(&session).await?, "");
    /// require_login::login(&session, "ada").await?;
    /// let tag = key.meta_tag(&session).await?;
    /// assert!(tag.starts_with(r#"<meta name="require-login-owner" content=""#));
    /// # Ok::<_, tower_sessions::session::Error>(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    /// When the session store fails.
    pub async fn meta_tag<S: LoginSession>(&self, session: &S) -> Result<String, S::Error> {
        Ok(self
            .owner(session)
            .await?
            .map(|owner| owner.meta_tag())
            .unwrap_or_default())
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

impl fmt::Debug for PageOwnerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the secret.
        f.write_str("PageOwnerKey(..)")
    }
}

/// An opaque value naming the user a page was rendered for: 32 lowercase
/// hex digits, from [`PageOwnerKey`].
///
/// ```
/// let key = require_login::client::PageOwnerKey::new([9u8; 32]).unwrap();
/// let owner = key.owner_of(require_login::options::SESSION_KEY, "ada").unwrap();
/// assert!(owner.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
/// assert_eq!(owner.to_string(), owner.as_str());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageOwner(String);

impl PageOwner {
    /// The value, as the page carries it.
    ///
    /// ```
    /// let key = require_login::client::PageOwnerKey::new([9u8; 32]).unwrap();
    /// assert_eq!(key.owner_of("k", "ada").unwrap().as_str().len(), 32);
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `<meta name="require-login-owner" content="...">`, for the page's `<head>`.
    /// The value is hex digits only, so it needs no escaping.
    ///
    /// ```
    /// let key = require_login::client::PageOwnerKey::new([9u8; 32]).unwrap();
    /// let owner = key.owner_of("k", "ada").unwrap();
    /// assert_eq!(
    ///     owner.meta_tag(),
    ///     format!(r#"<meta name="require-login-owner" content="{owner}">"#),
    /// );
    /// ```
    pub fn meta_tag(&self) -> String {
        format!(r#"<meta name="{PAGE_OWNER_META}" content="{}">"#, self.0)
    }
}

impl fmt::Display for PageOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> PageOwnerKey {
        PageOwnerKey::new([byte; 32]).unwrap()
    }

    #[test]
    fn same_user_same_key_same_owner_across_key_copies() {
        let a = key(1);
        let b = key(1);
        assert_eq!(
            a.owner_of(SESSION_KEY, "ada").unwrap(),
            b.owner_of(SESSION_KEY, "ada").unwrap()
        );
    }

    #[test]
    fn owner_is_the_hmac_sha256_of_domain_session_key_and_json_id_truncated() {
        // Computed independently: HMAC-SHA256(key = 32 x 0x01,
        // "require-login page owner v1\0require_login.user\0\"ada\"").
        let mut mac = Hmac::<Sha256>::new_from_slice(&[1u8; 32]).unwrap();
        mac.update(b"require-login page owner v1\0require_login.user\0\"ada\"");
        let full = mac.finalize().into_bytes();
        let expected: String = full[..16]
            .iter()
            .fold(String::new(), |hex, b| hex + &format!("{b:02x}"));
        assert_eq!(
            key(1).owner_of(SESSION_KEY, "ada").unwrap().as_str(),
            expected
        );
    }

    #[test]
    fn different_users_keys_and_session_keys_give_different_owners() {
        let ada = key(1).owner_of(SESSION_KEY, "ada").unwrap();
        assert_ne!(ada, key(1).owner_of(SESSION_KEY, "bob").unwrap());
        assert_ne!(ada, key(2).owner_of(SESSION_KEY, "ada").unwrap());
        assert_ne!(ada, key(1).owner_of("demo.admin", "ada").unwrap());
        // A number and the string of its digits are different ids.
        assert_ne!(
            key(1).owner_of(SESSION_KEY, &42).unwrap(),
            key(1).owner_of(SESSION_KEY, "42").unwrap()
        );
    }

    #[test]
    fn struct_ids_hash_as_the_session_gives_them_back() {
        #[derive(Serialize)]
        struct User {
            name: &'static str,
            id: u32,
        }
        let user = User { name: "ada", id: 7 };
        let from_struct = key(1).owner_of(SESSION_KEY, &user).unwrap();
        let stored: serde_json::Value = serde_json::to_value(&user).unwrap();
        let from_value = key(1).owner_of_value(SESSION_KEY, &stored);
        assert_eq!(from_struct, from_value);
    }

    #[test]
    fn secrets_shorter_than_32_bytes_are_refused() {
        assert_eq!(
            PageOwnerKey::new([0u8; 31]).unwrap_err(),
            SecretTooShort { len: 31 }
        );
        assert!(PageOwnerKey::new([0u8; 32]).is_ok());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        assert_eq!(format!("{:?}", key(0x41)), "PageOwnerKey(..)");
    }
}
