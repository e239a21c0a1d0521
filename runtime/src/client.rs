//! The page side: a small, dependency-free script that turns the guard's
//! AJAX answer into a visit to the login page.
//!
//! The script is generated from the same sentinel the guard answers with
//! (by default [`LOGIN_REQUIRED`]), so the two cannot drift apart. It patches
//! `window.fetch` and `XMLHttpRequest` (which also covers jQuery, axios and
//! most other libraries), and when a response is a guard's denial it sends
//! the browser to the URL in the response's `X-Login-Url` header: the
//! route's own login page, with the return-to link pointing at the page the
//! user is on.
//!
//! A response is a denial when it comes from the page's own origin, its
//! status is 401 or 403 (the only statuses a guard uses), and it carries
//! `X-Login-Url` or its whole body is the sentinel. The script goes to that
//! URL when it is a single-slash path or an http(s) URL with nothing a URL
//! parser would read differently, and otherwise to its own login page
//! ([`ClientScript::login`]). A fetch body is only looked at when it is
//! `text/plain`, on a clone (so the page's own code still gets it), and only
//! up to the sentinel's length (so a long or endless stream is never read to
//! its end and reaches the page as it comes). An XMLHttpRequest's body is
//! compared for the `""`, `"text"`, `"arraybuffer"` and `"blob"` response
//! types; a `"json"` or `"document"` one keeps no text, so there only
//! `X-Login-Url` counts. Every other response passes through untouched.
//!
//! On the login page itself (the same path and query, the return-to field
//! aside) the script does not navigate: the page would reload for ever if
//! its own calls were guarded. After the browser's Back button restores a
//! page from its cache the next denial redirects again. Loading a second
//! script, built for another guard's sentinel, adds that sentinel (with its
//! own login page) to the first one's; a second script with a sentinel
//! already known changes nothing.
//!
//! htmx requests (`HX-Request: true`) are left to htmx, which follows the
//! `HX-Redirect` header the guard adds for them: the two never both act.

use axum::body::Body;
use axum::response::Response;
use axum::routing::MethodRouter;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use http::HeaderValue;

use crate::options::{check_sentinel, GuardOptions, LoginTarget};
use crate::LOGIN_REQUIRED;

/// Where the demo and the docs serve the script: mount [`client_script`] (or
/// a [`ClientScript::method_router`]) here.
///
/// ```
/// assert_eq!(require_login::CLIENT_SCRIPT_PATH, "/require-login.js");
/// ```
pub const CLIENT_SCRIPT_PATH: &str = "/require-login.js";

/// The `<script>` tag that loads the script from [`CLIENT_SCRIPT_PATH`].
/// Put it in the `<head>` of every page that makes AJAX calls, before other
/// scripts, so it sees their requests.
///
/// ```
/// assert_eq!(
///     require_login::CLIENT_SCRIPT_TAG,
///     r#"<script src="/require-login.js"></script>"#,
/// );
/// ```
pub const CLIENT_SCRIPT_TAG: &str = r#"<script src="/require-login.js"></script>"#;

/// The client script for the default guard ([`LOGIN_REQUIRED`], falling back
/// to `/login?next=<page>` when a denial carries no `X-Login-Url`), as a
/// ready axum handler.
///
/// ```
/// use axum::{routing::get, Router};
/// use require_login::{client_script, CLIENT_SCRIPT_PATH};
///
/// let app: Router = Router::new().route(CLIENT_SCRIPT_PATH, get(client_script));
/// ```
pub async fn client_script() -> Response {
    ClientScript::new().response()
}

/// An HTML `<script src="...">` tag for the script served at `src`, with
/// `src` escaped for the attribute.
///
/// ```
/// assert_eq!(
///     require_login::script_tag("/static/login.js?v=2&x=\"y\""),
///     r#"<script src="/static/login.js?v=2&amp;x=&quot;y&quot;"></script>"#,
/// );
/// ```
pub fn script_tag(src: &str) -> String {
    let mut tag = String::with_capacity(src.len() + 24);
    tag.push_str("<script src=\"");
    for c in src.chars() {
        match c {
            '&' => tag.push_str("&amp;"),
            '"' => tag.push_str("&quot;"),
            '<' => tag.push_str("&lt;"),
            '>' => tag.push_str("&gt;"),
            '\'' => tag.push_str("&#39;"),
            c => tag.push(c),
        }
    }
    tag.push_str("\"></script>");
    tag
}

/// The client script's configuration: which sentinel to recognise, and
/// where to go when a denial names no usable login URL (the guard always
/// sends a good `X-Login-Url`, but a proxy may strip it, and a URL that is
/// not a single-slash path or an http(s) URL, or that holds whitespace,
/// control characters or backslashes, is refused). Build it in a `const`, like
/// [`GuardOptions`]; a bad value is then a compile error.
///
/// ```
/// use axum::Router;
/// use require_login::{ClientScript, CLIENT_SCRIPT_PATH};
///
/// const SENTINEL: &str = "SESSION_EXPIRED";
/// const SCRIPT: ClientScript = ClientScript::new().sentinel(SENTINEL).login("/sign-in");
///
/// assert!(SCRIPT.source().contains("SESSION_EXPIRED"));
/// let app: Router = Router::new().route(CLIENT_SCRIPT_PATH, SCRIPT.method_router());
/// ```
///
/// A sentinel the guard would refuse does not build:
///
/// ```compile_fail
/// const BAD: require_login::ClientScript = require_login::ClientScript::new().sentinel("two words");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientScript {
    sentinel: &'static str,
    login: &'static str,
    redirect_field: Option<&'static str>,
}

impl ClientScript {
    /// The defaults, matching [`GuardOptions::new`]: [`LOGIN_REQUIRED`],
    /// fallback `/login`, return-to field `next`.
    ///
    /// ```
    /// use require_login::ClientScript;
    /// assert_eq!(ClientScript::new().sentinel_str(), require_login::LOGIN_REQUIRED);
    /// assert_eq!(ClientScript::new(), ClientScript::default());
    /// ```
    pub const fn new() -> Self {
        ClientScript {
            sentinel: LOGIN_REQUIRED,
            login: "/login",
            redirect_field: Some("next"),
        }
    }

    /// The script for a guard configured with `options`: its sentinel, its
    /// return-to field, and its login path or URL as the fallback (a named
    /// target cannot be resolved in the browser, so it falls back to `/login`).
    ///
    /// ```
    /// use require_login::{ClientScript, GuardOptions};
    ///
    /// const ADMIN: GuardOptions = GuardOptions::new().login("/admin/login").sentinel("ADMIN_LOGIN");
    /// const SCRIPT: ClientScript = ClientScript::from_options(ADMIN);
    /// assert_eq!(SCRIPT.sentinel_str(), "ADMIN_LOGIN");
    /// assert_eq!(SCRIPT.login_str(), "/admin/login");
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
        }
    }

    /// Sets the sentinel to recognise: the guard's `sentinel = ...`.
    ///
    /// # Panics
    /// When [`check_sentinel`] refuses it; in a `const` that is a compile error.
    ///
    /// ```
    /// const S: require_login::ClientScript = require_login::ClientScript::new().sentinel("EXPIRED");
    /// assert_eq!(S.sentinel_str(), "EXPIRED");
    /// ```
    pub const fn sentinel(self, sentinel: &'static str) -> Self {
        match check_sentinel(sentinel) {
            Ok(()) => ClientScript { sentinel, ..self },
            Err(why) => panic!("{}", why),
        }
    }

    /// Sets the fallback login page: a single-slash path or an http(s) URL.
    ///
    /// # Panics
    /// On anything else (`//evil.example`, `javascript:...`, a route name);
    /// in a `const` that is a compile error.
    ///
    /// ```
    /// let script = require_login::ClientScript::new().login("https://sso.example.com/start");
    /// assert_eq!(script.login_str(), "https://sso.example.com/start");
    /// ```
    pub const fn login(self, login: &'static str) -> Self {
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
    /// As [`GuardOptions::redirect_field`] does, on a name that is not a plain query name.
    ///
    /// ```
    /// let script = require_login::ClientScript::new().redirect_field(Some("return_to"));
    /// assert!(script.source().contains("return_to"));
    /// ```
    pub const fn redirect_field(self, field: Option<&'static str>) -> Self {
        ClientScript {
            redirect_field: GuardOptions::new().redirect_field(field).redirect_field,
            ..self
        }
    }

    /// The sentinel the script recognises.
    ///
    /// ```
    /// assert_eq!(require_login::ClientScript::new().sentinel_str(), "LOGIN_REQUIRED");
    /// ```
    pub const fn sentinel_str(&self) -> &'static str {
        self.sentinel
    }

    /// The fallback login page.
    ///
    /// ```
    /// assert_eq!(require_login::ClientScript::new().login_str(), "/login");
    /// ```
    pub const fn login_str(&self) -> &'static str {
        self.login
    }

    /// The JavaScript source. Every configured string is written as an
    /// escaped JavaScript string literal, safe to inline in a `<script>`
    /// element too.
    ///
    /// ```
    /// let js = require_login::ClientScript::new().source();
    /// assert!(js.contains(r#"var SENTINEL = "LOGIN_REQUIRED";"#));
    /// assert!(js.contains("X-Login-Url"));
    /// ```
    pub fn source(&self) -> String {
        SCRIPT_TEMPLATE
            .replace("__SENTINEL__", &js_string(self.sentinel))
            .replace("__LOGIN__", &js_string(self.login))
            .replace("__FIELD__", &js_string(self.redirect_field.unwrap_or("")))
    }

    /// The script as an HTTP response: `text/javascript`, `nosniff`,
    /// revalidated on every use (`no-cache`) so a changed sentinel is picked
    /// up at once.
    ///
    /// ```
    /// let response = require_login::ClientScript::new().response();
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.headers()["content-type"], "text/javascript; charset=utf-8");
    /// ```
    pub fn response(&self) -> Response {
        script_response(Body::from(self.source()))
    }

    /// A `GET` route serving this script, for `Router::route`. The source is
    /// generated once, here.
    ///
    /// ```
    /// use axum::Router;
    /// use require_login::ClientScript;
    ///
    /// const SCRIPT: ClientScript = ClientScript::new().sentinel("MY_APP_LOGIN");
    /// let app: Router = Router::new().route("/static/require-login.js", SCRIPT.method_router());
    /// ```
    pub fn method_router<S>(self) -> MethodRouter<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let source = axum::body::Bytes::from(self.source());
        axum::routing::get(move || {
            let response = script_response(Body::from(source.clone()));
            async move { response }
        })
    }
}

fn script_response(body: Body) -> Response {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

impl Default for ClientScript {
    fn default() -> Self {
        Self::new()
    }
}

/// `s` as a double-quoted JavaScript string literal. Only ASCII letters,
/// digits and `_-./:` stay as they are; everything else becomes `\xHH` or
/// `\uHHHH`, so the literal can close neither the string nor a `<script>`
/// element, whatever it holds.
fn js_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ':') {
            out.push(c);
        } else if (c as u32) < 0x100 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out.push('"');
    out
}

/// The script; `__SENTINEL__`, `__LOGIN__` and `__FIELD__` are replaced by
/// escaped string literals.
const SCRIPT_TEMPLATE: &str = r##"/* require-login client script: when an AJAX call is answered with the
 * login sentinel, go to the login page it names. Generated by the Rust crate
 * require-login from the guard's own sentinel. */
(function () {
  "use strict";
  var SENTINEL = __SENTINEL__;
  var LOGIN = __LOGIN__;
  var FIELD = __FIELD__;
  var config = { sentinel: SENTINEL, login: LOGIN, field: FIELD };
  /* A second copy (say, built for another guard's sentinel) adds its
   * sentinel to the first copy's instead of wrapping fetch and XHR again. */
  var first = window.requireLogin;
  if (first) {
    if (first.configs && !findConfig(first.configs, config.sentinel)) { first.configs.push(config); }
    return;
  }
  var configs = [config];
  var redirecting = false;
  /* Back from the login page may restore this page, flag and all, from the
   * back/forward cache: its next denial must redirect again. */
  window.addEventListener("pageshow", function (event) { if (event.persisted) { redirecting = false; } });

  function findConfig(list, text) {
    for (var i = 0; i < list.length; i++) { if (list[i].sentinel === text) { return list[i]; } }
    return null;
  }
  function longestSentinel() {
    var longest = 0;
    for (var i = 0; i < configs.length; i++) { longest = Math.max(longest, configs[i].sentinel.length); }
    return longest;
  }
  function isSentinelLength(length) {
    for (var i = 0; i < configs.length; i++) { if (configs[i].sentinel.length === length) { return true; } }
    return false;
  }
  function isDenied(status) { return status === 401 || status === 403; }
  function isTrue(value) { return value != null && String(value).toLowerCase() === "true"; }
  /* `url` parsed against this page, or null: a bad URL, or a browser
   * without the URL parser. */
  function parse(url) {
    if (typeof URL !== "function") { return null; }
    try { return new URL(url, window.location.href); } catch (e) { return null; }
  }
  /* Only this site's own answers are obeyed: a third-party API answering
   * 401 with an X-Login-Url must not send the user anywhere. ("" is a
   * response made in the page, such as a service worker's.) */
  function isSameOrigin(url) {
    if (!url) { return true; }
    var parsed = parse(url);
    return parsed ? parsed.origin === window.location.origin : url.indexOf(window.location.origin + "/") === 0;
  }
  /* A path on this site or an http(s) URL, with nothing a URL parser would
   * drop or read differently (whitespace, control characters, backslashes). */
  function isSafe(url) {
    return typeof url === "string" && !/[\u0000-\u0020\u007f\\]/.test(url) &&
      (/^\/(?!\/)/.test(url) || /^https?:\/\/[^\/]/i.test(url));
  }
  /* The query without the return-to field, in a fixed order. */
  function withoutField(query, field) {
    return query.replace(/^\?/, "").split("&").filter(function (pair) {
      return pair !== "" && pair.split("=")[0] !== field;
    }).sort().join("&");
  }
  /* Whether `target` is the page the browser is on, return-to link aside. */
  function isThisPage(target, field) {
    var resolved = parse(target);
    if (resolved && resolved.origin !== window.location.origin) { return false; }
    var beforeFragment = target.split("#")[0];
    var path = resolved ? resolved.pathname : beforeFragment.split("?")[0];
    var query = resolved ? resolved.search : (beforeFragment.split("?")[1] || "");
    return path === window.location.pathname &&
      withoutField(query, field) === withoutField(window.location.search, field);
  }
  function fallbackUrl(matched) {
    if (!matched.field) { return matched.login; }
    var page = window.location.pathname + window.location.search;
    return matched.login + (matched.login.indexOf("?") < 0 ? "?" : "&") + matched.field + "=" + encodeURIComponent(page);
  }
  /* Goes to `url`, or, when it is missing or unusable (the guard never
   * sends such a one), to the script's own login page. */
  function redirect(url, matched) {
    if (redirecting) { return; }
    var target = isSafe(url) && (parse(url) || typeof URL !== "function") ? url : fallbackUrl(matched);
    /* Already on that login page (its own calls are guarded too): going
     * there again would reload it for ever. */
    if (isThisPage(target, matched.field)) { return; }
    redirecting = true;
    window.location.assign(target);
  }
  function checkBody(text) {
    var matched = text == null ? null : findConfig(configs, text);
    if (matched) { redirect(null, matched); }
  }
  function decode(bytes) {
    return typeof TextDecoder === "function" ? new TextDecoder().decode(bytes) : String.fromCharCode.apply(null, bytes);
  }
  /* The body of a response (a clone), or null once it is longer than
   * `limit`: a long or endless stream is never read to its end. Without
   * readable streams only a body known to be short is read. */
  function readUpTo(response, limit, lengthKnown) {
    if (!response.body || typeof response.body.getReader !== "function") {
      return lengthKnown ? response.text() : Promise.resolve(null);
    }
    var reader = response.body.getReader(), parts = [], size = 0;
    function pump() {
      return reader.read().then(function (part) {
        if (part.done) {
          var bytes = new Uint8Array(size), at = 0;
          for (var i = 0; i < parts.length; i++) { bytes.set(parts[i], at); at += parts[i].length; }
          return decode(bytes);
        }
        size += part.value.length;
        if (size > limit) { reader.cancel(); return null; }
        parts.push(part.value);
        return pump();
      });
    }
    return pump();
  }
  /* htmx follows HX-Redirect itself: leave its requests to it. */
  function leftToHtmx(htmxRequest, getHeader) {
    return htmxRequest && !!window.htmx && !!getHeader("HX-Redirect");
  }

  var originalFetch = window.fetch;
  if (typeof originalFetch === "function") {
    var fetchHtmxHeader = function (input, init) {
      try {
        if (init && init.headers) { return isTrue(new Headers(init.headers).get("HX-Request")); }
        if (typeof Request === "function" && input instanceof Request) { return isTrue(input.headers.get("HX-Request")); }
      } catch (e) { /* unreadable headers: not htmx */ }
      return false;
    };
    var inspect = function (response, htmxRequest) {
      if (!response || !isDenied(response.status) || !isSameOrigin(response.url)) { return response; }
      var headers = response.headers;
      var get = function (name) { return headers.get(name); };
      if (leftToHtmx(htmxRequest, get)) { return response; }
      var url = get("X-Login-Url");
      if (url) { redirect(url, configs[0]); return response; }
      /* No X-Login-Url (a proxy dropped it): compare the body, read from a
       * clone so the page still gets it, and only a short text/plain one. */
      if ((get("Content-Type") || "").toLowerCase().indexOf("text/plain") !== 0) { return response; }
      var length = get("Content-Length");
      var lengthKnown = length !== null && !get("Content-Encoding");
      if (lengthKnown && !isSentinelLength(Number(length))) { return response; }
      /* Whatever goes wrong in the check, the page still gets its response. */
      var check = readUpTo(response.clone(), longestSentinel(), lengthKnown).then(checkBody).then(null, function () {});
      /* A body of a sentinel's length is checked before the page sees it; one
       * of unknown length (chunked, compressed) alongside, so that a stream
       * reaches the page as it comes. */
      return lengthKnown ? check.then(function () { return response; }) : response;
    };
    window.fetch = function (input, init) {
      var htmxRequest = fetchHtmxHeader(input, init);
      return originalFetch.apply(this, arguments).then(function (response) {
        try { return inspect(response, htmxRequest); } catch (e) { return response; }
      });
    };
  }

  var Xhr = window.XMLHttpRequest;
  if (Xhr && Xhr.prototype) {
    var proto = Xhr.prototype;
    var originalOpen = proto.open;
    var originalSetRequestHeader = proto.setRequestHeader;
    var onReadyStateChange = function () {
      var xhr = this;
      if (xhr.readyState !== 4 || !isDenied(xhr.status) || !isSameOrigin(xhr.responseURL)) { return; }
      var get = function (name) { return xhr.getResponseHeader(name); };
      var state = requests.get(xhr);
      if (leftToHtmx(state && state.htmx, get)) { return; }
      var url = get("X-Login-Url");
      if (url) { redirect(url, configs[0]); return; }
      var type = xhr.responseType, body = xhr.response, limit = longestSentinel();
      if (type === "" || type === "text") {
        checkBody(xhr.responseText);
      } else if (type === "arraybuffer" && body && body.byteLength <= limit) {
        checkBody(decode(new Uint8Array(body)));
      } else if (type === "blob" && body && body.size <= limit && typeof body.text === "function") {
        body.text().then(checkBody).then(null, function () {});
      }
      /* A "json" or "document" response keeps no text to compare: there
       * only X-Login-Url, which the guard always sends, is seen. */
    };
    /* Each XMLHttpRequest seen, and whether its current request is htmx's. */
    var requests = new WeakMap();
    /* Listening from open() on runs this check before handlers that pages
     * and libraries such as jQuery attach after open(). */
    proto.open = function () {
      if (!requests.has(this)) { this.addEventListener("readystatechange", onReadyStateChange); }
      requests.set(this, { htmx: false });
      return originalOpen.apply(this, arguments);
    };
    proto.setRequestHeader = function (name, value) {
      var state = requests.get(this);
      if (state && String(name).toLowerCase() === "hx-request" && isTrue(value)) { state.htmx = true; }
      return originalSetRequestHeader.apply(this, arguments);
    };
  }

  window.requireLogin = { configs: configs };
})();
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_script_embeds_the_guards_own_sentinel() {
        let js = ClientScript::new().source();
        assert!(js.contains(&format!("var SENTINEL = \"{LOGIN_REQUIRED}\";")));
        assert!(js.contains("var LOGIN = \"/login\";"));
        assert!(js.contains("var FIELD = \"next\";"));
        assert!(
            !js.contains("__SENTINEL__") && !js.contains("__LOGIN__") && !js.contains("__FIELD__")
        );
    }

    #[test]
    fn script_from_guard_options_follows_them() {
        const OPTIONS: GuardOptions = GuardOptions::new()
            .login("/admin/login")
            .sentinel("ADMIN_LOGIN")
            .redirect_field(None);
        let js = ClientScript::from_options(OPTIONS).source();
        assert!(js.contains("var SENTINEL = \"ADMIN_LOGIN\";"));
        assert!(js.contains("var LOGIN = \"/admin/login\";"));
        assert!(js.contains("var FIELD = \"\";"));
    }

    #[test]
    fn named_login_targets_fall_back_to_slash_login() {
        let script = ClientScript::from_options(GuardOptions::new().login("admin-login"));
        assert_eq!(script.login_str(), "/login");
    }

    #[test]
    fn sentinel_with_quotes_backslashes_and_script_end_is_escaped() {
        const NASTY: &str = r#"a"b'c\d</script><!--e`${f}"#;
        assert!(check_sentinel(NASTY).is_ok());
        let js = ClientScript::new().sentinel(NASTY).source();
        let line = js
            .lines()
            .find(|l| l.contains("var SENTINEL"))
            .expect("sentinel line");
        assert_eq!(
            line.trim(),
            r#"var SENTINEL = "a\x22b\x27c\x5cd\x3c/script\x3e\x3c\x21--e\x60\x24\x7bf\x7d";"#
        );
        assert!(!js.contains("</script"));
    }

    #[test]
    fn js_string_escapes_everything_but_a_safe_set() {
        assert_eq!(js_string("LOGIN_REQUIRED"), "\"LOGIN_REQUIRED\"");
        assert_eq!(js_string("/a?b=c&d"), "\"/a\\x3fb\\x3dc\\x26d\"");
        assert_eq!(js_string("\n\u{2028}é"), "\"\\x0a\\u2028\\xe9\"");
        assert_eq!(js_string("😀"), "\"\\ud83d\\ude00\"");
    }

    #[test]
    fn login_url_with_query_is_escaped() {
        let js = ClientScript::new()
            .login("https://sso.example.com/start?app=1")
            .source();
        assert!(js.contains(r#"var LOGIN = "https://sso.example.com/start\x3fapp\x3d1";"#));
    }

    #[test]
    #[should_panic(expected = "sentinel")]
    fn bad_sentinel_panics() {
        let _ = ClientScript::new().sentinel("two words");
    }

    #[test]
    #[should_panic(expected = "route name")]
    fn route_name_as_fallback_login_panics() {
        let _ = ClientScript::new().login("login");
    }

    #[test]
    #[should_panic(expected = "//")]
    fn protocol_relative_fallback_login_panics() {
        let _ = ClientScript::new().login("//evil.example/login");
    }

    #[test]
    fn script_watches_fetch_and_xhr_and_leaves_htmx_alone() {
        let js = ClientScript::new().source();
        for needle in [
            "window.fetch = function",
            "proto.open = function",
            "proto.setRequestHeader = function",
            "readUpTo(response.clone()",
            "\"HX-Redirect\"",
            "\"X-Login-Url\"",
            "\"Content-Length\"",
        ] {
            assert!(js.contains(needle), "the script lacks {needle}");
        }
    }

    #[test]
    fn response_is_javascript_and_revalidated() {
        let response = ClientScript::new().response();
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        assert_eq!(response.headers()[CACHE_CONTROL], "no-cache");
        assert_eq!(response.headers()[X_CONTENT_TYPE_OPTIONS], "nosniff");
    }

    #[test]
    fn script_tag_escapes_the_attribute() {
        assert_eq!(
            script_tag(CLIENT_SCRIPT_PATH),
            CLIENT_SCRIPT_TAG,
            "the constant tag and the helper agree"
        );
        assert_eq!(
            script_tag("\"><img src=x onerror=alert(1)>"),
            "<script src=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\"></script>"
        );
    }
}
