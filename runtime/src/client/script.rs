//! The page side: a small, dependency-free script that turns the guard's
//! AJAX answer into a visit to the login page.
//!
//! The script's source is `runtime/assets/require-login.js`, unit-tested on
//! its own with Node (`node --test runtime/assets/require-login.test.js`). The crate serves it
//! with its configuration appended as a call
//! (`({sentinel: "LOGIN_REQUIRED", login: "/login", field: "next", mark: true});`),
//! so the sentinel is the guard's own constant (by default [`LOGIN_REQUIRED`])
//! and the two cannot drift apart; comment lines, indentation and blank
//! lines are left out of what is served. After the call comes the form
//! keeping part, `runtime/assets/keep-forms.js` (its own Node tests in
//! `keep-forms.test.js`), unless [`ClientScript::with_keep_forms`] leaves it out:
//! see [`PageOwnerKey`](crate::client::PageOwnerKey) and [Nothing typed
//! is lost](crate::client#nothing-typed-is-lost). The script announces each visit to a login page with a
//! `require-login:redirect` event on `document` (`detail.url`), which form
//! keeping listens for.
//!
//! It patches `window.fetch` and `XMLHttpRequest` (which also covers jQuery,
//! axios and most other libraries):
//!
//! - **The mark.** Its own page's same-origin requests get
//!   `X-Requested-With: XMLHttpRequest` when the page did not set it, so
//!   every browser's AJAX is told from a navigation, Fetch Metadata or not.
//!   Never a cross-origin request (that would need a CORS preflight), never a
//!   request of htmx, Inertia or Turbo (`HX-Request`, `X-Inertia`,
//!   `X-Turbo-Request-Id`), which keep their own protocol.
//!   [`ClientScript::with_mark_requests`] turns it off.
//! - **Denials.** A response is a denial when it comes from the page's own
//!   origin (its URL, or the request's when a browser or polyfill reports
//!   none), its status is 401 or 403, and it carries `X-Login-Url` or its
//!   whole body is the sentinel. The script goes to that URL when it is a
//!   single-slash path or an http(s) URL on this site or on the site of a
//!   configured login page, with nothing a URL parser would read
//!   differently; otherwise to its own login page ([`ClientScript::with_login`]).
//!   When that URL has no return-to field, the script adds one for the page
//!   the user is on (before any `#fragment`).
//! - **Bodies.** A fetch body is only looked at when it is `text/plain`, on a
//!   clone (so the page's own code still gets it), and only up to the
//!   sentinel's length (so a long or endless stream is never read to its end
//!   and reaches the page as it comes). An `XMLHttpRequest`'s body is compared
//!   for the `""`, `"text"`, `"arraybuffer"` and `"blob"` response types; a
//!   `"json"` or `"document"` one keeps no text, so there only `X-Login-Url`
//!   counts. Every other response passes through untouched, and a fetch's
//!   headers reach the network as the page gave them, iterators included.
//! - **Loops.** On the login page itself (the same path and query, every
//!   return-to field aside) the script does not navigate. A burst of denials
//!   is one visit; after a visit the page stayed on (a `beforeunload` prompt
//!   answered "Stay") the next click or key, or 5 seconds, re-arm it, as does
//!   the Back button restoring the page. And at most 3 automatic visits per
//!   tab in 30 seconds (counted in `sessionStorage`): then it stops and says
//!   why in the console. When `sessionStorage` cannot keep the count (full
//!   or disabled) it fails closed: no automatic visit, one console error.
//! - **Copies.** A second script, built for another guard's sentinel, adds
//!   that sentinel (with its own login page) to the first one's; a second
//!   script with a sentinel already known changes nothing.
//!
//! htmx requests (`HX-Request: true`) are left to htmx, which follows the
//! `HX-Redirect` header the guard adds for them: the two never both act.

use super::escape::{hex16, js_escape_ascii, js_string};
use super::serve::script_tag;
use crate::fnv;
use crate::options::LOGIN_REQUIRED;
use crate::options::{checked_sentinel, GuardOptions, LoginTarget};

/// The client script's configuration: which sentinel to recognise, where to
/// go when a denial names no usable login URL (the guard always sends a good
/// `X-Login-Url`, but a proxy may strip it, and a URL that is not a
/// single-slash path or an http(s) URL on this site or the fallback's, or
/// that holds whitespace, control characters or backslashes, is refused),
/// and whether to mark the page's requests. Build it in a `const`, like
/// [`GuardOptions`]; a bad value is then a compile error.
///
/// ```
/// use axum::Router;
/// use require_login::{CLIENT_SCRIPT_PATH, ClientScript};
///
/// const SENTINEL: &str = "SESSION_EXPIRED";
/// const SCRIPT: ClientScript = ClientScript::new().with_sentinel(SENTINEL).with_login("/sign-in");
///
/// assert!(SCRIPT.source().contains("SESSION_EXPIRED"));
/// let app: Router = Router::new().route(CLIENT_SCRIPT_PATH, SCRIPT.method_router());
/// // In the pages: SCRIPT.script_tag(CLIENT_SCRIPT_PATH)
/// ```
///
/// # What the script does
///
/// It marks the page's same-origin `fetch()` and `XMLHttpRequest` calls with
/// `X-Requested-With: XMLHttpRequest` (see [`mark_requests`](Self::with_mark_requests)),
/// and on a same-origin 401/403 that carries `X-Login-Url` or whose body is
/// the sentinel it goes to the login page, with the return-to link, at most
/// 3 times per tab in 30 seconds. [The page side](crate::client#the-page-side) has the
/// details; the source is `runtime/assets/require-login.js`.
///
/// # Caching
///
/// Served with a strong `ETag` (a hash of the bytes served, [`version`](Self::version))
/// and `304 Not Modified` for a matching `If-None-Match`. At its plain URL it
/// is `Cache-Control: no-cache` (revalidated); at its versioned URL
/// ([`src`](Self::src), [`script_tag`](Self::script_tag), [`CLIENT_SCRIPT_TAG`](crate::CLIENT_SCRIPT_TAG))
/// it is `public, max-age=31536000, immutable`, so a second page view does
/// not even ask. A `?v=` of another version (a page from before a deploy)
/// gets the current script, revalidated.
///
/// A sentinel the guard would refuse does not build:
///
/// ```compile_fail
/// const BAD: require_login::ClientScript = require_login::ClientScript::new().with_sentinel("two words");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientScript {
    sentinel: &'static str,
    login: &'static str,
    redirect_field: Option<&'static str>,
    mark_requests: bool,
    streams: bool,
    keep_forms: bool,
}

impl ClientScript {
    /// The defaults, matching [`GuardOptions::new`]: [`LOGIN_REQUIRED`],
    /// fallback `/login`, return-to field `next`; requests marked.
    ///
    /// ```
    /// use require_login::ClientScript;
    /// assert_eq!(ClientScript::new().sentinel(), require_login::LOGIN_REQUIRED);
    /// assert_eq!(ClientScript::new(), ClientScript::default());
    /// ```
    pub const fn new() -> Self {
        ClientScript {
            sentinel: LOGIN_REQUIRED,
            login: "/login",
            redirect_field: Some("next"),
            mark_requests: true,
            streams: true,
            keep_forms: true,
        }
    }

    /// The script for a guard configured with `options`: its sentinel, its
    /// return-to field, and its login path or URL as the fallback (a named
    /// target cannot be resolved in the browser, so it falls back to `/login`).
    ///
    /// ```
    /// use require_login::{ClientScript, GuardOptions};
    ///
    /// const ADMIN: GuardOptions = GuardOptions::new().with_login("/admin/login").with_sentinel("ADMIN_LOGIN");
    /// const SCRIPT: ClientScript = ClientScript::from_options(ADMIN);
    /// assert_eq!(SCRIPT.sentinel(), "ADMIN_LOGIN");
    /// assert_eq!(SCRIPT.login(), "/admin/login");
    /// ```
    pub const fn from_options(options: GuardOptions) -> Self {
        let login = match options.login {
            LoginTarget::Path(url) | LoginTarget::Url(url) => url,
            LoginTarget::Named(_) => "/login",
        };
        ClientScript {
            sentinel: options.sentinel,
            login,
            redirect_field: options.redirect_field,
            mark_requests: true,
            streams: true,
            keep_forms: true,
        }
    }

    /// Sets the sentinel to recognise: the guard's `sentinel = ...`.
    ///
    /// # Panics
    /// When [`check_sentinel`](crate::options::check_sentinel) refuses it; in a `const` that is a compile error.
    ///
    /// ```
    /// const S: require_login::ClientScript = require_login::ClientScript::new().with_sentinel("EXPIRED");
    /// assert_eq!(S.sentinel(), "EXPIRED");
    /// ```
    #[must_use]
    pub const fn with_sentinel(self, sentinel: &'static str) -> Self {
        ClientScript {
            sentinel: checked_sentinel(sentinel),
            ..self
        }
    }

    /// Sets the fallback login page: a single-slash path or an http(s) URL.
    /// An `X-Login-Url` on that URL's site is followed too (an external
    /// sign-in); on any other site but the page's own, it is not.
    ///
    /// # Panics
    /// On anything else (`//evil.example`, `javascript:...`, a route name);
    /// in a `const` that is a compile error.
    ///
    /// ```
    /// let script = require_login::ClientScript::new().with_login("https://sso.example.com/start");
    /// assert_eq!(script.login(), "https://sso.example.com/start");
    /// ```
    #[must_use]
    pub const fn with_login(self, login: &'static str) -> Self {
        match LoginTarget::new(login) {
            LoginTarget::Path(login) | LoginTarget::Url(login) => ClientScript { login, ..self },
            LoginTarget::Named(_) => panic!(
                "the client script's fallback login must be a path such as \"/login\" or an http(s) URL, not a route name"
            ),
        }
    }

    /// Sets the return-to query parameter of the fallback URL, or leaves it off with `None`.
    ///
    /// # Panics
    /// As [`GuardOptions::with_redirect_field`] does, on a name that is not a plain query name.
    ///
    /// ```
    /// let script = require_login::ClientScript::new().with_redirect_field(Some("return_to"));
    /// assert!(script.source().contains("return_to"));
    /// ```
    #[must_use]
    pub const fn with_redirect_field(self, field: Option<&'static str>) -> Self {
        ClientScript {
            redirect_field: GuardOptions::new()
                .with_redirect_field(field)
                .redirect_field,
            ..self
        }
    }

    /// Whether the script adds `X-Requested-With: XMLHttpRequest` to the
    /// page's same-origin `fetch()` and `XMLHttpRequest` calls that lack it (on
    /// by default). Turn it off when your own handlers read that header and
    /// must not see it on every call; the guard then tells AJAX by Fetch
    /// Metadata, which browsers before Safari 16.4 and Firefox 90 do not send.
    /// With two scripts on a page, either one turning it off turns it off.
    ///
    /// A same-origin URL that redirects to another origin carries the mark
    /// there, and the browser then asks that origin first (a CORS preflight),
    /// as it does for jQuery's own `X-Requested-With`.
    ///
    /// ```
    /// const SCRIPT: require_login::ClientScript =
    ///     require_login::ClientScript::new().with_mark_requests(false);
    /// assert!(SCRIPT.source().contains("mark: false});\n"));
    /// ```
    #[must_use]
    pub const fn with_mark_requests(self, mark: bool) -> Self {
        ClientScript {
            mark_requests: mark,
            ..self
        }
    }

    /// Whether the script keeps what the user typed across the login round
    /// trip (on by default): the form keeping part,
    /// `runtime/assets/keep-forms.js`, served after the configuration call.
    /// It acts only on pages that carry an owner tag
    /// ([`PageOwnerKey::meta_tag`](crate::client::PageOwnerKey::meta_tag)); `false`
    /// leaves the part out of the served script altogether.
    ///
    /// ```
    /// use require_login::ClientScript;
    /// assert!(ClientScript::new().source().contains("require-login:kept:"));
    /// assert!(!ClientScript::new().with_keep_forms(false).source().contains("require-login:kept:"));
    /// ```
    #[must_use]
    pub const fn with_keep_forms(self, keep: bool) -> Self {
        ClientScript {
            keep_forms: keep,
            ..self
        }
    }

    /// Whether the script follows guarded streams to the login page (on by
    /// default): the streams part, `runtime/assets/streams.js`, served after
    /// the configuration call. It wraps `EventSource` and `WebSocket`: on a
    /// stream's final event ([`SESSION_ENDED_EVENT`](crate::stream::SESSION_ENDED_EVENT))
    /// or a socket's close code ([`CLOSE_CODE`](crate::stream::CLOSE_CODE)) it goes to
    /// the login page the end names; when an `EventSource` fails for good, or
    /// a socket is refused before it opened, it asks the same URL again with
    /// `fetch`, so that a denial is followed as any other. `false` leaves the
    /// part out.
    ///
    /// ```
    /// use require_login::ClientScript;
    /// assert!(ClientScript::new().source().contains("require-login.session-ended"));
    /// assert!(!ClientScript::new().with_streams(false).source().contains("EventSource"));
    /// ```
    #[must_use]
    pub const fn with_streams(self, streams: bool) -> Self {
        ClientScript { streams, ..self }
    }

    /// The sentinel the script recognises.
    ///
    /// ```
    /// assert_eq!(require_login::ClientScript::new().sentinel(), "LOGIN_REQUIRED");
    /// ```
    pub const fn sentinel(&self) -> &'static str {
        self.sentinel
    }

    /// The fallback login page.
    ///
    /// ```
    /// assert_eq!(require_login::ClientScript::new().login(), "/login");
    /// ```
    pub const fn login(&self) -> &'static str {
        self.login
    }

    /// The JavaScript source as served: `runtime/assets/require-login.js`
    /// without comment lines, indentation and blank lines, then the call
    /// with this configuration, then (unless turned off) the [streams
    /// part](Self::with_streams), `runtime/assets/streams.js`, and the [form
    /// keeping part](Self::with_keep_forms), `runtime/assets/keep-forms.js`, stripped alike.
    /// Every configured string is written as an escaped JavaScript string
    /// literal, safe to inline in a `<script>` element too.
    ///
    /// ```
    /// let js = require_login::ClientScript::new().with_streams(false).with_keep_forms(false).source();
    /// assert!(js.ends_with(
    ///     "({sentinel: \"LOGIN_REQUIRED\", login: \"/login\", field: \"next\", mark: true});\n"
    /// ));
    /// assert!(js.contains("X-Login-Url"));
    /// ```
    pub fn source(&self) -> String {
        let mut out =
            String::with_capacity(ASSET.len() + STREAMS_ASSET.len() + KEEP_FORMS_ASSET.len());
        push_served(&mut out, ASSET);
        for piece in self.config_call() {
            match piece {
                Piece::Raw(text) => out.push_str(text),
                Piece::Js(text) => out.push_str(&js_string(text)),
            }
        }
        if self.streams {
            push_served(&mut out, STREAMS_ASSET);
        }
        if self.keep_forms {
            push_served(&mut out, KEEP_FORMS_ASSET);
        }
        out
    }

    /// The version of [`source`](Self::source): 16 hex digits of a hash of
    /// its bytes, computed at compile time in a `const`. The `ETag` and the
    /// `?v=` of the versioned URL.
    ///
    /// ```
    /// let version = require_login::ClientScript::new().version();
    /// assert_eq!(version.len(), 16);
    /// assert_ne!(version, require_login::ClientScript::new().with_sentinel("OTHER").version());
    /// ```
    pub fn version(&self) -> String {
        let hex = hex16(self.version_hash());
        String::from_utf8_lossy(&hex).into_owned()
    }

    /// The versioned URL of this script served at `path`: `path?v=<version>`,
    /// which the browser may keep for good (the server answers it
    /// `immutable`).
    ///
    /// ```
    /// use require_login::{CLIENT_SCRIPT_PATH, ClientScript};
    /// let script = ClientScript::new().with_sentinel("ADMIN_LOGIN");
    /// assert_eq!(script.src(CLIENT_SCRIPT_PATH), format!("/require-login.js?v={}", script.version()));
    /// ```
    pub fn src(&self, path: &str) -> String {
        format!("{path}?v={}", self.version())
    }

    /// The `<script>` tag for this script served at `path`, at its
    /// versioned URL ([`src`](Self::src)), escaped for the attribute.
    ///
    /// ```
    /// use require_login::{CLIENT_SCRIPT_PATH, CLIENT_SCRIPT_TAG, ClientScript};
    /// const ADMIN: ClientScript = ClientScript::new().with_sentinel("ADMIN_LOGIN");
    /// let tag = ADMIN.script_tag("/admin/require-login.js");
    /// assert_eq!(tag, format!(r#"<script src="/admin/require-login.js?v={}"></script>"#, ADMIN.version()));
    /// assert_eq!(ClientScript::new().script_tag(CLIENT_SCRIPT_PATH), CLIENT_SCRIPT_TAG);
    /// ```
    pub fn script_tag(&self, path: &str) -> String {
        script_tag(&self.src(path))
    }

    /// The call that follows the asset: its configuration, the strings to
    /// be written as JavaScript literals marked as such.
    const fn config_call(&self) -> [Piece; 9] {
        let field = match self.redirect_field {
            Some(field) => field,
            None => "",
        };
        [
            Piece::Raw("({sentinel: "),
            Piece::Js(self.sentinel),
            Piece::Raw(", login: "),
            Piece::Js(self.login),
            Piece::Raw(", field: "),
            Piece::Js(field),
            Piece::Raw(", mark: "),
            Piece::Raw(if self.mark_requests { "true" } else { "false" }),
            Piece::Raw("});\n"),
        ]
    }

    /// FNV-1a (64 bits, `crate::fnv`) of exactly the bytes
    /// [`source`](Self::source) writes, walked the same way, so that it can
    /// run in a `const`.
    pub(super) const fn version_hash(&self) -> u64 {
        let mut hash = hash_served(fnv::OFFSET, ASSET);
        let call = self.config_call();
        let mut p = 0;
        while p < call.len() {
            match call[p] {
                Piece::Raw(text) => hash = fnv::update(hash, text.as_bytes()),
                Piece::Js(text) => {
                    // Configured strings are visible ASCII (checked when set).
                    let bytes = text.as_bytes();
                    hash = fnv::step(hash, b'"');
                    let mut i = 0;
                    while i < bytes.len() {
                        let (escaped, len) = js_escape_ascii(bytes[i]);
                        let mut k = 0;
                        while k < len {
                            hash = fnv::step(hash, escaped[k]);
                            k += 1;
                        }
                        i += 1;
                    }
                    hash = fnv::step(hash, b'"');
                }
            }
            p += 1;
        }
        if self.streams {
            hash = hash_served(hash, STREAMS_ASSET);
        }
        if self.keep_forms {
            hash = hash_served(hash, KEEP_FORMS_ASSET);
        }
        hash
    }
}

impl Default for ClientScript {
    fn default() -> Self {
        Self::new()
    }
}

/// The script's source, as written (comments and all).
pub(super) const ASSET: &str = include_str!("../../assets/require-login.js");

/// The streams part, served after the configuration call.
pub(super) const STREAMS_ASSET: &str = include_str!("../../assets/streams.js");

/// The form keeping part, served after the configuration call and the streams part.
pub(super) const KEEP_FORMS_ASSET: &str = include_str!("../../assets/keep-forms.js");

/// Appends the served lines of `asset` ([`served_line`]), each ended by `\n`.
pub(super) fn push_served(out: &mut String, asset: &str) {
    let mut at = 0;
    while let Some((start, end, next)) = served_line(asset.as_bytes(), at) {
        out.push_str(&asset[start..end]);
        out.push('\n');
        at = next;
    }
}

/// FNV-1a of what [`push_served`] appends for `asset`, from `hash` on.
pub(super) const fn hash_served(mut hash: u64, asset: &str) -> u64 {
    let asset = asset.as_bytes();
    let mut at = 0;
    while let Some((start, end, next)) = served_line(asset, at) {
        let line = asset.split_at(end).0.split_at(start).1;
        hash = fnv::step(fnv::update(hash, line), b'\n');
        at = next;
    }
    hash
}

/// A piece of the configuration call: as is, or as a JavaScript string literal.
#[derive(Clone, Copy)]
enum Piece {
    Raw(&'static str),
    Js(&'static str),
}

/// The next line of `src` from `at` that is served, as (start, end, next
/// line's start), its indentation left out; comment lines (`//`) and blank
/// lines are skipped. `None` at the end.
const fn served_line(src: &[u8], mut at: usize) -> Option<(usize, usize, usize)> {
    while at < src.len() {
        let mut end = at;
        while end < src.len() && src[end] != b'\n' {
            end += 1;
        }
        let next = if end < src.len() { end + 1 } else { end };
        let mut start = at;
        while start < end && (src[start] == b' ' || src[start] == b'\t') {
            start += 1;
        }
        let mut trimmed_end = end;
        while trimmed_end > start && src[trimmed_end - 1] == b'\r' {
            trimmed_end -= 1;
        }
        let comment = trimmed_end - start >= 2 && src[start] == b'/' && src[start + 1] == b'/';
        if start < trimmed_end && !comment {
            return Some((start, trimmed_end, next));
        }
        at = next;
    }
    None
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The size of `source` gzipped at the best level, as a server that
    /// compresses sends it.
    pub(in crate::client) fn gzipped(source: &str) -> usize {
        use std::io::Write as _;
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(source.as_bytes()).unwrap();
        gzip.finish().unwrap().len()
    }

    #[test]
    fn the_served_script_fits_its_budgets() {
        // The bytes `source` serves, not a copy of its rule: the script
        // proper at most 3.5 KB gzipped, with form keeping at most 6.25 KB;
        // the streams part adds at most 1 KB to either.
        let proper = ClientScript::new().with_streams(false);
        for (script, budget) in [
            (proper.with_keep_forms(false), 3584),
            (proper, 6400),
            (ClientScript::new().with_keep_forms(false), 3584 + 1024),
            (ClientScript::new(), 6400 + 1024),
        ] {
            let source = script.source();
            let size = gzipped(&source);
            // Shown with `--nocapture`: the figures of BENCHMARKS.md.
            println!("{script:?}: {} bytes, {size} gzipped", source.len());
            assert!(
                size <= budget,
                "{script:?}: {} bytes, {size} gzipped, over its budget of {budget}",
                source.len()
            );
        }
    }

    /// The configuration call, the line after the asset.
    fn call_of(script: ClientScript) -> String {
        let source = script.source();
        let start = source.find("\n({").expect("the configuration call") + 1;
        let end = start + source[start..].find('\n').expect("the call's line end") + 1;
        source[start..end].to_owned()
    }

    /// The served lines of an asset as written.
    fn code_lines(asset: &str) -> Vec<&str> {
        asset
            .lines()
            .map(str::trim_start)
            .filter(|line| !line.is_empty() && !line.starts_with("//"))
            .collect()
    }

    #[test]
    fn default_script_ends_with_the_guards_own_configuration() {
        assert_eq!(
            call_of(ClientScript::new()),
            format!(
                "({{sentinel: \"{LOGIN_REQUIRED}\", login: \"/login\", field: \"next\", mark: true}});\n"
            )
        );
    }

    #[test]
    fn script_from_guard_options_follows_them() {
        const OPTIONS: GuardOptions = GuardOptions::new()
            .with_login("/admin/login")
            .with_sentinel("ADMIN_LOGIN")
            .with_redirect_field(None);
        assert_eq!(
            call_of(ClientScript::from_options(OPTIONS)),
            "({sentinel: \"ADMIN_LOGIN\", login: \"/admin/login\", field: \"\", mark: true});\n"
        );
    }

    #[test]
    fn the_mark_can_be_turned_off() {
        assert!(
            call_of(ClientScript::new().with_mark_requests(false)).ends_with("mark: false});\n")
        );
    }

    #[test]
    fn named_login_targets_fall_back_to_slash_login() {
        let script = ClientScript::from_options(GuardOptions::new().with_login("admin-login"));
        assert_eq!(script.login(), "/login");
    }

    #[test]
    fn served_source_is_the_asset_without_comments_indentation_or_blank_lines() {
        let source = ClientScript::new().source();
        let (code, streams, keep) = (
            code_lines(ASSET),
            code_lines(STREAMS_ASSET),
            code_lines(KEEP_FORMS_ASSET),
        );
        let served: Vec<&str> = source.lines().collect();
        assert_eq!(&served[..code.len()], &code[..], "the script proper");
        assert!(
            served[code.len()].starts_with("({sentinel: "),
            "then the call"
        );
        let after_call = &served[code.len() + 1..];
        assert_eq!(&after_call[..streams.len()], &streams[..], "then streams");
        assert_eq!(&after_call[streams.len()..], &keep[..], "then form keeping");
        assert!(
            code.len() > 100 && streams.len() > 30 && keep.len() > 50,
            "all of each is served"
        );
        assert!(!source.contains("\n//") && !source.contains("\n "));
        let without: Vec<String> = ClientScript::new()
            .with_streams(false)
            .with_keep_forms(false)
            .source()
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            without,
            served[..=code.len()],
            "streams(false) and keep_forms(false) leave the parts out"
        );
    }

    #[test]
    fn version_is_a_hash_of_exactly_the_bytes_served() {
        const NASTY: &str = r#"a"b'c\d</script><!--e`${f}"#;
        for script in [
            ClientScript::new(),
            ClientScript::new().with_sentinel(NASTY),
            ClientScript::new().with_login("https://sso.example.com/start?app=1&x=%20#form"),
            ClientScript::new()
                .with_redirect_field(None)
                .with_mark_requests(false),
            ClientScript::new().with_redirect_field(Some("return_to")),
            ClientScript::new().with_keep_forms(false),
            ClientScript::new().with_streams(false),
        ] {
            assert_eq!(
                script.version(),
                String::from_utf8(
                    hex16(fnv::update(fnv::OFFSET, script.source().as_bytes())).to_vec()
                )
                .unwrap(),
                "{script:?}"
            );
        }
        assert_ne!(
            ClientScript::new().version(),
            ClientScript::new().with_mark_requests(false).version()
        );
        assert_ne!(
            ClientScript::new().version(),
            ClientScript::new().with_keep_forms(false).version()
        );
        assert_ne!(
            ClientScript::new().version(),
            ClientScript::new().with_streams(false).version()
        );
    }

    #[test]
    fn sentinel_with_quotes_backslashes_and_script_end_is_escaped() {
        const NASTY: &str = r#"a"b'c\d</script><!--e`${f}"#;
        assert!(crate::options::check_sentinel(NASTY).is_ok());
        let js = ClientScript::new().with_sentinel(NASTY).source();
        assert!(
            call_of(ClientScript::new().with_sentinel(NASTY)).starts_with(
                r#"({sentinel: "a\x22b\x27c\x5cd\x3c/script\x3e\x3c\x21--e\x60\x24\x7bf\x7d", "#
            )
        );
        assert!(!js.contains("</script"));
    }

    #[test]
    fn login_url_with_query_is_escaped() {
        let call = call_of(ClientScript::new().with_login("https://sso.example.com/start?app=1"));
        assert!(call.contains(r#"login: "https://sso.example.com/start\x3fapp\x3d1""#));
    }

    #[test]
    #[should_panic(expected = "sentinel")]
    fn bad_sentinel_panics() {
        let _ = ClientScript::new().with_sentinel("two words");
    }

    #[test]
    #[should_panic(expected = "route name")]
    fn route_name_as_fallback_login_panics() {
        let _ = ClientScript::new().with_login("login");
    }

    #[test]
    #[should_panic(expected = "//")]
    fn protocol_relative_fallback_login_panics() {
        let _ = ClientScript::new().with_login("//evil.example/login");
    }
}
