//! [`Deadlines`]: how long a session may stay idle, and live at all.

use std::time::Duration;

use crate::options::is_query_name;

/// The response header that says how many whole seconds the session has
/// left, on every guarded response that let the request through: a
/// structured-field dictionary (RFC 8941), `idle=1795, absolute=28000`,
/// each member there when that deadline is set. Seconds left, never a time
/// of day: a visitor's clock may be hours off.
pub const SESSION_LEFT_HEADER: &str = "x-session-left";

/// The request header that makes a request passive: answered as usual, but
/// not counted as activity, so it does not extend the idle deadline. Any
/// value; the client script sends `1` for its own checks.
pub const PASSIVE_HEADER: &str = "x-session-passive";

/// The session key under which the guard keeps a session's deadlines.
pub const DEADLINE_KEY: &str = "require_login.deadline";

/// The default query field that tells the login page why the session ended.
pub const REASON_FIELD: &str = "reason";

/// How long before the end the warning script opens its dialog by default.
pub const DEFAULT_WARNING: Duration = Duration::from_secs(120);

/// The shortest warning: WCAG 2.2.1 asks for at least 20 seconds to answer.
pub const MIN_WARNING: Duration = Duration::from_secs(20);

/// The longest the recorded activity may lag behind the real one.
const MAX_WRITE_INTERVAL: Duration = Duration::from_secs(60);

/// How long a session may stay idle, and how long it may live at all.
///
/// Installed with a [`DeadlineLayer`](super::DeadlineLayer), they apply to
/// every guard behind it. Both are off in [`Deadlines::new`].
///
/// ```
/// use std::time::Duration;
/// use require_login::deadline::Deadlines;
///
/// const DEADLINES: Deadlines = Deadlines::new()
///     .with_idle(Duration::from_secs(30 * 60))
///     .with_absolute(Duration::from_secs(8 * 60 * 60));
/// assert_eq!(DEADLINES.idle(), Some(Duration::from_secs(1800)));
/// // Activity is written at most once a minute (a tenth of the idle timeout, at most 60 s).
/// assert_eq!(DEADLINES.write_interval(), Some(Duration::from_secs(60)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Deadlines {
    idle: Option<Duration>,
    absolute: Option<Duration>,
    reason_field: Option<&'static str>,
    warning: Duration,
    logout_url: &'static str,
    no_store_pages: bool,
}

impl Deadlines {
    /// No deadline, and [`REASON_FIELD`] for the reason.
    ///
    /// ```
    /// # use require_login::deadline::Deadlines;
    /// assert_eq!(Deadlines::new().idle(), None);
    /// assert_eq!(Deadlines::new().absolute(), None);
    /// ```
    pub const fn new() -> Self {
        Deadlines {
            idle: None,
            absolute: None,
            reason_field: Some(REASON_FIELD),
            warning: DEFAULT_WARNING,
            logout_url: "/logout",
            no_store_pages: false,
        }
    }

    /// Ends a session after `timeout` without activity.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use require_login::deadline::Deadlines;
    /// const IDLE: Deadlines = Deadlines::new().with_idle(Duration::from_secs(900));
    /// assert_eq!(IDLE.idle(), Some(Duration::from_secs(900)));
    /// ```
    ///
    /// # Panics
    /// When `timeout` is under a second: no page could warn in time.
    #[must_use]
    pub const fn with_idle(self, timeout: Duration) -> Self {
        if timeout.as_millis() < 1000 {
            panic!("the idle timeout is under a second: give at least one second, such as Duration::from_secs(30 * 60)");
        }
        Deadlines {
            idle: Some(timeout),
            ..self
        }
    }

    /// Ends a session `lifetime` after its login, however active it is.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use require_login::deadline::Deadlines;
    /// const WORKDAY: Deadlines = Deadlines::new().with_absolute(Duration::from_secs(8 * 3600));
    /// assert_eq!(WORKDAY.absolute(), Some(Duration::from_secs(28_800)));
    /// ```
    ///
    /// # Panics
    /// When `lifetime` is under a second.
    #[must_use]
    pub const fn with_absolute(self, lifetime: Duration) -> Self {
        if lifetime.as_millis() < 1000 {
            panic!("the absolute lifetime is under a second: give at least one second, such as Duration::from_secs(8 * 3600)");
        }
        Deadlines {
            absolute: Some(lifetime),
            ..self
        }
    }

    /// Sets the query field of the login URL that says why the session
    /// ended (`idle` or `expired`), or leaves the reason out with `None`.
    ///
    /// ```
    /// # use require_login::deadline::Deadlines;
    /// assert_eq!(Deadlines::new().with_reason_field(Some("why")).reason_field(), Some("why"));
    /// ```
    ///
    /// # Panics
    /// When the name is empty or has other characters than letters, digits,
    /// `-`, `_`, `.` and `~`.
    #[must_use]
    pub const fn with_reason_field(self, field: Option<&'static str>) -> Self {
        if let Some(name) = field {
            if !is_query_name(name) {
                panic!("the reason field must be a non-empty query name of letters, digits, `-`, `_`, `.` or `~`, such as \"reason\"");
            }
        }
        Deadlines {
            reason_field: field,
            ..self
        }
    }

    /// How long before the session ends the warning script
    /// ([`WARNING_SCRIPT_TAG`](crate::client::WARNING_SCRIPT_TAG)) opens its
    /// dialog (default [`DEFAULT_WARNING`], 2 minutes).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use require_login::deadline::Deadlines;
    /// const D: Deadlines = Deadlines::new().with_warning(Duration::from_secs(60));
    /// assert_eq!(D.warning(), Duration::from_secs(60));
    /// ```
    ///
    /// # Panics
    /// Under [`MIN_WARNING`] (20 s): WCAG 2.2.1 gives the user at least
    /// 20 seconds to extend.
    #[must_use]
    pub const fn with_warning(self, before: Duration) -> Self {
        if before.as_millis() < MIN_WARNING.as_millis() {
            panic!("the warning comes less than 20 seconds before the end, too late to answer (WCAG 2.2.1): give at least Duration::from_secs(20)");
        }
        Deadlines {
            warning: before,
            ..self
        }
    }

    /// Where the warning's "Log out" posts a form (default `/logout`).
    ///
    /// ```
    /// # use require_login::deadline::Deadlines;
    /// assert_eq!(Deadlines::new().with_logout_url("/sign-out").logout_url(), "/sign-out");
    /// ```
    ///
    /// # Panics
    /// When `url` is not a path starting with a single `/`.
    #[must_use]
    pub const fn with_logout_url(self, url: &'static str) -> Self {
        let bytes = url.as_bytes();
        if bytes.is_empty() || bytes[0] != b'/' || (bytes.len() > 1 && bytes[1] == b'/') {
            panic!("the logout URL must be a path on this site, such as \"/logout\"");
        }
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_graphic() || bytes[i] == b'"' || bytes[i] == b'\\' {
                panic!("the logout URL must be visible ASCII without quotes or backslashes, such as \"/logout\"");
            }
            i += 1;
        }
        Deadlines {
            logout_url: url,
            ..self
        }
    }

    /// Keeps guarded HTML pages out of every cache, the browser's
    /// back/forward cache included (`Cache-Control: no-store` on each
    /// guarded `text/html` answer), so that Back after a logout shows the
    /// login page, not the guarded page as it was.
    ///
    /// The trade-off: Back and Forward between guarded pages load them
    /// again from the server instead of restoring them at once. Without
    /// it, the warning script still asks the server when a page comes back
    /// from that cache and leaves it if the session ended, but the page
    /// shows for that moment.
    ///
    /// ```
    /// # use require_login::deadline::Deadlines;
    /// assert!(Deadlines::new().with_no_store_pages(true).no_store_pages());
    /// ```
    #[must_use]
    pub const fn with_no_store_pages(self, no_store: bool) -> Self {
        Deadlines {
            no_store_pages: no_store,
            ..self
        }
    }

    /// Whether guarded HTML pages are `Cache-Control: no-store`.
    ///
    /// ```
    /// # use require_login::deadline::Deadlines;
    /// assert!(!Deadlines::new().no_store_pages());
    /// ```
    pub const fn no_store_pages(&self) -> bool {
        self.no_store_pages
    }

    /// How long before the end the warning opens.
    ///
    /// ```
    /// # use require_login::deadline::Deadlines;
    /// assert_eq!(Deadlines::new().warning(), require_login::deadline::DEFAULT_WARNING);
    /// ```
    pub const fn warning(&self) -> Duration {
        self.warning
    }

    /// Where the warning's "Log out" posts.
    ///
    /// ```
    /// # use require_login::deadline::Deadlines;
    /// assert_eq!(Deadlines::new().logout_url(), "/logout");
    /// ```
    pub const fn logout_url(&self) -> &'static str {
        self.logout_url
    }

    /// The idle timeout, if any.
    ///
    /// ```
    /// # use require_login::deadline::Deadlines;
    /// assert_eq!(Deadlines::default().idle(), None);
    /// ```
    pub const fn idle(&self) -> Option<Duration> {
        self.idle
    }

    /// The absolute lifetime, if any.
    ///
    /// ```
    /// # use require_login::deadline::Deadlines;
    /// assert_eq!(Deadlines::default().absolute(), None);
    /// ```
    pub const fn absolute(&self) -> Option<Duration> {
        self.absolute
    }

    /// The login URL's query field for the reason (default [`REASON_FIELD`]).
    ///
    /// ```
    /// # use require_login::deadline::Deadlines;
    /// assert_eq!(Deadlines::default().reason_field(), Some("reason"));
    /// ```
    pub const fn reason_field(&self) -> Option<&'static str> {
        self.reason_field
    }

    /// How often activity is written to the session: a tenth of the idle
    /// timeout, at most a minute; `None` without an idle timeout.
    ///
    /// Activity within an interval of the last one written is not written
    /// again, so a session ends up to this much *earlier* than its last
    /// request plus the idle timeout, never later.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use require_login::deadline::Deadlines;
    /// let short = Deadlines::new().with_idle(Duration::from_secs(20));
    /// assert_eq!(short.write_interval(), Some(Duration::from_secs(2)));
    /// ```
    pub fn write_interval(&self) -> Option<Duration> {
        self.idle.map(|idle| (idle / 10).min(MAX_WRITE_INTERVAL))
    }
}

impl Default for Deadlines {
    fn default() -> Self {
        Self::new()
    }
}

/// Why a session ended, as the login URL's reason field says it.
///
/// ```
/// use require_login::deadline::Reason;
/// assert_eq!(Reason::Idle.as_str(), "idle");
/// assert_eq!(Reason::Expired.as_str(), "expired");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The idle timeout passed without activity.
    Idle,
    /// The absolute lifetime passed.
    Expired,
}

impl Reason {
    /// The reason field's value: `idle` or `expired`.
    ///
    /// ```
    /// # use require_login::deadline::Reason;
    /// assert_eq!(Reason::Expired.as_str(), "expired");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::Idle => "idle",
            Reason::Expired => "expired",
        }
    }
}
