//! [`GuardOptions`] and the values it is built from.

use std::time::Duration;

use http::StatusCode;

#[cfg(feature = "axum-login")]
use super::AxumLoginUser;

/// How a guard decides "logged in": one value, so that a guard reads a
/// session key or asks an axum-login backend, never both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum LoggedInBy {
    /// The session holds a value other than `null` under this key.
    SessionKey(&'static str),
    /// axum-login's `AuthSession<B>` has a user.
    #[cfg(feature = "axum-login")]
    AxumLogin(AxumLoginUser),
}

/// The default sentinel: the whole body of an AJAX denial.
///
/// ```
/// assert_eq!(require_login::LOGIN_REQUIRED, "LOGIN_REQUIRED");
/// ```
pub const LOGIN_REQUIRED: &str = "LOGIN_REQUIRED";

/// The session key [`login()`](crate::login()) writes and guards read by default.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::sync::Arc;
/// use tower_sessions::{MemoryStore, Session};
///
/// let session = Session::new(None, Arc::new(MemoryStore::default()), None);
/// require_login::login(&session, &"ada").await.unwrap();
/// let user: Option<String> = session.get(require_login::options::SESSION_KEY).await.unwrap();
/// assert_eq!(user.as_deref(), Some("ada"));
/// # }
/// ```
pub const SESSION_KEY: &str = "require_login.user";

/// How long a guard waits for the session store by default before it gives
/// up and answers `500` (logged): 5 seconds.
///
/// A store read takes milliseconds; one that takes seconds is down or
/// overloaded, and a guard that waited for ever would hold the request, and
/// the user, with it. Five seconds leaves room for a slow reconnect without
/// looking like a hang. Set another bound with [`GuardOptions::with_store_timeout`].
///
/// The bound runs on Tokio's timer, which `#[tokio::main]` and
/// `axum::serve` provide. (Outside any Tokio runtime the read is not bounded.)
///
/// ```
/// assert_eq!(require_login::options::STORE_TIMEOUT, std::time::Duration::from_secs(5));
/// ```
pub const STORE_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest sentinel accepted, in bytes.
///
/// ```
/// use require_login::options::{check_sentinel, MAX_SENTINEL_LEN};
///
/// assert!(check_sentinel(&"X".repeat(MAX_SENTINEL_LEN)).is_ok());
/// assert!(check_sentinel(&"X".repeat(MAX_SENTINEL_LEN + 1)).is_err());
/// ```
pub const MAX_SENTINEL_LEN: usize = 128;

/// Where a logged-out user is sent to log in.
///
/// ```
/// use require_login::options::LoginTarget;
///
/// const LOCAL: LoginTarget = LoginTarget::new("/login");
/// const EXTERNAL: LoginTarget = LoginTarget::new("https://sso.example.com/start");
/// const NAMED: LoginTarget = LoginTarget::new("admin-login");
/// assert_eq!(LOCAL, LoginTarget::Path("/login"));
/// assert_eq!(EXTERNAL, LoginTarget::Url("https://sso.example.com/start"));
/// assert_eq!(NAMED, LoginTarget::Named("admin-login"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoginTarget {
    /// A path on this site, starting with a single `/`.
    Path(&'static str),
    /// An absolute `http://` or `https://` URL, for an external sign-in service.
    Url(&'static str),
    /// A route name, resolved at request time through [`LoginRoutes`](crate::guard::LoginRoutes).
    Named(&'static str),
}

impl LoginTarget {
    /// Classifies `target`: a single-slash path, an `http(s)://` URL, or a route name.
    ///
    /// # Panics
    /// When `target` is none of those (`//evil.example`, `javascript:alert(1)`,
    /// `login page`). In a `const` context that is a compile error.
    ///
    /// ```
    /// # use require_login::options::LoginTarget;
    /// assert!(matches!(LoginTarget::new("/account/login?from=guard"), LoginTarget::Path(_)));
    /// ```
    pub const fn new(target: &'static str) -> Self {
        match Self::try_new(target) {
            Ok(target) => target,
            Err(why) => panic!("{}", why),
        }
    }

    /// Like [`LoginTarget::new`], but returns what is wrong instead of panicking.
    ///
    /// ```
    /// # use require_login::options::LoginTarget;
    /// assert!(LoginTarget::try_new("//evil.example").is_err());
    /// assert!(LoginTarget::try_new("javascript:alert(1)").is_err());
    /// assert!(LoginTarget::try_new("login page").is_err());
    /// ```
    ///
    /// # Errors
    /// What is wrong with `target`, and how to write it instead.
    pub const fn try_new(target: &'static str) -> Result<Self, &'static str> {
        let bytes = target.as_bytes();
        if bytes.is_empty() {
            return Err("the login target is empty: write a path such as \"/login\", an http(s) URL, or a route name such as \"login\"");
        }
        if !all_visible_ascii(bytes) {
            return Err("the login target has a space, a control character or non-ASCII: percent-encode it, or write a path such as \"/login\"");
        }
        if bytes[0] == b'/' {
            if bytes.len() > 1 && (bytes[1] == b'/' || bytes[1] == b'\\') {
                return Err("the login target starts with `//`, which browsers read as another host: write a path with a single leading slash such as \"/login\", or a full https:// URL");
            }
            return Ok(LoginTarget::Path(target));
        }
        if starts_with(bytes, b"https://") || starts_with(bytes, b"http://") {
            let host_start = if bytes[4] == b's' { 8 } else { 7 };
            if bytes.len() == host_start || bytes[host_start] == b'/' {
                return Err("the login URL has no host: write a full URL such as \"https://sso.example.com/login\"");
            }
            return Ok(LoginTarget::Url(target));
        }
        if is_route_name(bytes) {
            return Ok(LoginTarget::Named(target));
        }
        Err("the login target is neither a path starting with a single `/`, an http(s):// URL, nor a route name (letters, digits, `-`, `_`, `.`): write for example \"/login\", \"https://sso.example.com/login\" or \"login\"")
    }

    /// The string the target was written as.
    ///
    /// ```
    /// # use require_login::options::LoginTarget;
    /// assert_eq!(LoginTarget::new("login").as_str(), "login");
    /// ```
    pub const fn as_str(&self) -> &'static str {
        match self {
            LoginTarget::Path(s) | LoginTarget::Url(s) | LoginTarget::Named(s) => s,
        }
    }
}

/// Which status AJAX calls of logged-out users get.
///
/// ```
/// use require_login::options::DenyStatus;
/// assert_eq!(DenyStatus::Forbidden.code(), http::StatusCode::FORBIDDEN);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DenyStatus {
    /// `401 Unauthorized`.
    Unauthorized,
    /// `403 Forbidden`, the default, as the Masonite recipe does.
    #[default]
    Forbidden,
}

impl DenyStatus {
    /// `401` or `403`; anything else panics (a compile error in `const` context).
    ///
    /// ```
    /// # use require_login::options::DenyStatus;
    /// const S: DenyStatus = DenyStatus::from_code(401);
    /// assert_eq!(S, DenyStatus::Unauthorized);
    /// ```
    ///
    /// # Panics
    /// When `code` is neither 401 nor 403.
    pub const fn from_code(code: u16) -> Self {
        match code {
            401 => DenyStatus::Unauthorized,
            403 => DenyStatus::Forbidden,
            _ => panic!("the status must be 401 or 403"),
        }
    }

    /// The HTTP status code.
    ///
    /// ```
    /// # use require_login::options::DenyStatus;
    /// assert_eq!(DenyStatus::Unauthorized.code().as_u16(), 401);
    /// ```
    pub const fn code(self) -> StatusCode {
        match self {
            DenyStatus::Unauthorized => StatusCode::UNAUTHORIZED,
            DenyStatus::Forbidden => StatusCode::FORBIDDEN,
        }
    }
}

/// Everything a guard is configured with. Build it in a `const`:
///
/// ```
/// use require_login::{options::LoginTarget, GuardOptions};
///
/// const ADMIN: GuardOptions = GuardOptions::new()
///     .with_login("/admin/login")
///     .with_sentinel("ADMIN_LOGIN_REQUIRED")
///     .with_status(401)
///     .with_redirect_field(Some("return_to"));
/// assert_eq!(ADMIN.login(), LoginTarget::Path("/admin/login"));
/// assert_eq!(GuardOptions::new().sentinel(), require_login::LOGIN_REQUIRED);
/// ```
///
/// A bad value is a compile error there:
///
/// ```compile_fail
/// use require_login::GuardOptions;
/// const BAD: GuardOptions = GuardOptions::new().with_sentinel("has spaces");
/// ```
///
/// The fields are private, so the checking builder is the only way to set
/// them: options that reach a guard were checked.
///
/// ```compile_fail
/// use require_login::{options::LoginTarget, GuardOptions};
/// let mut options = GuardOptions::new();
/// options.login = LoginTarget::Path("//evil.example");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GuardOptions {
    pub(crate) login: LoginTarget,
    pub(crate) sentinel: &'static str,
    pub(crate) status: DenyStatus,
    pub(crate) redirect_field: Option<&'static str>,
    pub(crate) logged_in_by: LoggedInBy,
    pub(crate) store_timeout: Duration,
    pub(crate) passive: bool,
}

impl GuardOptions {
    /// Where logged-out navigations go (default `/login`).
    ///
    /// ```
    /// use require_login::{options::LoginTarget, GuardOptions};
    /// assert_eq!(GuardOptions::new().login(), LoginTarget::Path("/login"));
    /// ```
    pub const fn login(&self) -> LoginTarget {
        self.login
    }

    /// The body AJAX calls of logged-out users get (default [`LOGIN_REQUIRED`]).
    ///
    /// ```
    /// # use require_login::GuardOptions;
    /// assert_eq!(GuardOptions::new().sentinel(), "LOGIN_REQUIRED");
    /// ```
    pub const fn sentinel(&self) -> &'static str {
        self.sentinel
    }

    /// The status AJAX calls of logged-out users get (default 403).
    ///
    /// ```
    /// use require_login::{options::DenyStatus, GuardOptions};
    /// assert_eq!(GuardOptions::new().status(), DenyStatus::Forbidden);
    /// ```
    pub const fn status(&self) -> DenyStatus {
        self.status
    }

    /// The query parameter carrying the return-to link (default `next`);
    /// `None` when it is left off.
    ///
    /// ```
    /// # use require_login::GuardOptions;
    /// assert_eq!(GuardOptions::new().redirect_field(), Some("next"));
    /// ```
    pub const fn redirect_field(&self) -> Option<&'static str> {
        self.redirect_field
    }

    /// The session key whose presence means "logged in" (default [`SESSION_KEY`]).
    ///
    /// ```
    /// # use require_login::GuardOptions;
    /// assert_eq!(GuardOptions::new().session_key(), Some(require_login::options::SESSION_KEY));
    /// ```
    pub const fn session_key(&self) -> Option<&'static str> {
        match self.logged_in_by {
            LoggedInBy::SessionKey(key) => Some(key),
            #[cfg(feature = "axum-login")]
            LoggedInBy::AxumLogin(_) => None,
        }
    }

    /// How long the guard waits for the session store (default [`STORE_TIMEOUT`]).
    ///
    /// ```
    /// # use require_login::GuardOptions;
    /// assert_eq!(GuardOptions::new().store_timeout(), require_login::options::STORE_TIMEOUT);
    /// ```
    pub const fn store_timeout(&self) -> Duration {
        self.store_timeout
    }

    /// Whether the route is passive: its requests do not extend the
    /// session's idle deadline (default `false`; see [`deadline`](crate::deadline)).
    ///
    /// ```
    /// # use require_login::GuardOptions;
    /// assert!(!GuardOptions::new().passive());
    /// ```
    pub const fn passive(&self) -> bool {
        self.passive
    }
}

impl GuardOptions {
    /// The defaults: `/login`, [`LOGIN_REQUIRED`], 403, `next`, [`SESSION_KEY`].
    ///
    /// ```
    /// # use require_login::GuardOptions;
    /// assert_eq!(GuardOptions::new(), GuardOptions::default());
    /// ```
    pub const fn new() -> Self {
        GuardOptions {
            login: LoginTarget::Path("/login"),
            sentinel: LOGIN_REQUIRED,
            status: DenyStatus::Forbidden,
            redirect_field: Some("next"),
            logged_in_by: LoggedInBy::SessionKey(SESSION_KEY),
            store_timeout: STORE_TIMEOUT,
            passive: false,
        }
    }

    /// Sets the login target; see [`LoginTarget::new`] for what is accepted.
    ///
    /// ```
    /// # use require_login::GuardOptions;
    /// const O: GuardOptions = GuardOptions::new().with_login("admin-login");
    /// assert_eq!(O.login().as_str(), "admin-login");
    /// ```
    ///
    /// # Panics
    /// When [`LoginTarget::try_new`] refuses `target`.
    #[must_use]
    pub const fn with_login(self, target: &'static str) -> Self {
        GuardOptions {
            login: LoginTarget::new(target),
            ..self
        }
    }

    /// Sets the sentinel; see [`check_sentinel`] for what is accepted.
    ///
    /// ```
    /// # use require_login::GuardOptions;
    /// const O: GuardOptions = GuardOptions::new().with_sentinel("SESSION_EXPIRED");
    /// assert_eq!(O.sentinel(), "SESSION_EXPIRED");
    /// ```
    ///
    /// # Panics
    /// When [`check_sentinel`] refuses `sentinel`.
    #[must_use]
    pub const fn with_sentinel(self, sentinel: &'static str) -> Self {
        GuardOptions {
            sentinel: checked_sentinel(sentinel),
            ..self
        }
    }

    /// Sets the AJAX status: 401 or 403.
    ///
    /// ```
    /// # use require_login::{options::DenyStatus, GuardOptions};
    /// assert_eq!(GuardOptions::new().with_status(401).status(), DenyStatus::Unauthorized);
    /// ```
    #[must_use]
    pub const fn with_status(self, code: u16) -> Self {
        GuardOptions {
            status: DenyStatus::from_code(code),
            ..self
        }
    }

    /// Sets the return-to query parameter, or switches it off with `None`.
    ///
    /// ```
    /// # use require_login::GuardOptions;
    /// assert_eq!(GuardOptions::new().with_redirect_field(None).redirect_field(), None);
    /// ```
    ///
    /// # Panics
    /// When the name is empty or has other characters than letters, digits,
    /// `-`, `_`, `.` and `~`.
    #[must_use]
    pub const fn with_redirect_field(self, field: Option<&'static str>) -> Self {
        if let Some(name) = field {
            if !is_query_name(name) {
                panic!("the redirect field must be a non-empty query name of letters, digits, `-`, `_`, `.` or `~`, such as \"next\"");
            }
        }
        GuardOptions {
            redirect_field: field,
            ..self
        }
    }

    /// Sets the session key that marks a login; use the same key with [`login`](crate::login::login_with_key).
    ///
    /// ```
    /// # use require_login::GuardOptions;
    /// assert_eq!(GuardOptions::new().with_session_key("admin").session_key(), Some("admin"));
    /// ```
    ///
    /// # Panics
    /// When `key` is empty, or the guard decides by axum-login.
    #[must_use]
    pub const fn with_session_key(self, key: &'static str) -> Self {
        if key.is_empty() {
            panic!("the session key is empty: leave `session_key` out for the default, or name the key your login code writes, such as \"user_id\"");
        }
        #[cfg(feature = "axum-login")]
        if let LoggedInBy::AxumLogin(_) = self.logged_in_by {
            panic!("a guard deciding by axum-login reads no session key: leave `session_key` out");
        }
        GuardOptions {
            logged_in_by: LoggedInBy::SessionKey(key),
            ..self
        }
    }
}

impl GuardOptions {
    /// Sets how long the guard waits for the session store to read the
    /// session; past it the request gets a `500` and the wait is logged.
    /// Zero is refused (every read would fail).
    ///
    /// ```
    /// use std::time::Duration;
    /// use require_login::GuardOptions;
    ///
    /// const QUICK: GuardOptions = GuardOptions::new().with_store_timeout(Duration::from_millis(500));
    /// assert_eq!(QUICK.store_timeout(), Duration::from_millis(500));
    /// ```
    ///
    /// ```compile_fail
    /// # use require_login::GuardOptions;
    /// const NEVER: GuardOptions = GuardOptions::new().with_store_timeout(std::time::Duration::ZERO);
    /// ```
    ///
    /// # Panics
    /// When `timeout` is zero.
    #[must_use]
    pub const fn with_store_timeout(self, timeout: Duration) -> Self {
        if timeout.is_zero() {
            panic!("the store timeout is zero, so every session read would fail: leave it out for the default (5 s), or give a positive duration");
        }
        GuardOptions {
            store_timeout: timeout,
            ..self
        }
    }
}

impl GuardOptions {
    /// Makes the route passive, or active again: a passive route (a badge
    /// polled every 30 s, a status check) is answered as usual, but its
    /// requests are not activity, so they never keep a session alive.
    ///
    /// ```
    /// # use require_login::GuardOptions;
    /// const POLL: GuardOptions = GuardOptions::new().with_passive(true);
    /// assert!(POLL.passive());
    /// ```
    #[must_use]
    pub const fn with_passive(self, passive: bool) -> Self {
        GuardOptions { passive, ..self }
    }
}

impl Default for GuardOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// Checks a sentinel: 1 to 128 bytes of visible ASCII (no spaces, no control
/// characters), so it survives every HTTP client and compares exactly.
///
/// ```
/// use require_login::options::check_sentinel;
/// assert!(check_sentinel("LOGIN_REQUIRED").is_ok());
/// assert!(check_sentinel("").is_err());
/// assert!(check_sentinel("LOGIN REQUIRED").is_err());
/// ```
///
/// # Errors
/// What is wrong with `sentinel`, and how to write it instead.
pub const fn check_sentinel(sentinel: &str) -> Result<(), &'static str> {
    let bytes = sentinel.as_bytes();
    if bytes.is_empty() {
        return Err(
            "the sentinel is empty: use a short visible-ASCII marker such as \"LOGIN_REQUIRED\"",
        );
    }
    if bytes.len() > MAX_SENTINEL_LEN {
        return Err(
            "the sentinel is longer than 128 bytes: use a short marker such as \"LOGIN_REQUIRED\"",
        );
    }
    if !all_visible_ascii(bytes) {
        return Err("the sentinel must be visible ASCII without spaces or control characters, such as \"LOGIN_REQUIRED\"");
    }
    Ok(())
}

/// `sentinel` when [`check_sentinel`] accepts it; else a panic with its
/// message (a compile error in a `const`). For the builders that take one.
pub(crate) const fn checked_sentinel(sentinel: &'static str) -> &'static str {
    match check_sentinel(sentinel) {
        Ok(()) => sentinel,
        Err(why) => panic!("{}", why),
    }
}

/// `a == b`, in a `const fn`.
#[cfg(feature = "axum-login")]
pub(crate) const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn starts_with(bytes: &[u8], prefix: &[u8]) -> bool {
    if bytes.len() < prefix.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if bytes[i].to_ascii_lowercase() != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn all_visible_ascii(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_graphic() {
            return false;
        }
        i += 1;
    }
    true
}

const fn is_route_name(bytes: &[u8]) -> bool {
    if !bytes[0].is_ascii_alphabetic() {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.') {
            return false;
        }
        i += 1;
    }
    true
}

/// A query parameter name safe unencoded: not empty, unreserved characters only.
pub(crate) const fn is_query_name(name: &str) -> bool {
    !name.is_empty() && all_unreserved(name.as_bytes())
}

/// RFC 3986 unreserved characters: safe unencoded in a query name.
pub(crate) const fn all_unreserved(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' || b == b'~') {
            return false;
        }
        i += 1;
    }
    true
}
