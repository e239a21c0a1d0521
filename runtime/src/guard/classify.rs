//! Is this request a browser navigation or an AJAX call?

use http::header::{ACCEPT, UPGRADE};
use http::{HeaderMap, HeaderName};

use crate::response::ClientLibrary;

// Looked up by `HeaderName`, not `&str`: a `&str` name is parsed and
// validated again on every lookup, which was most of `classify`'s cost.
pub(crate) static HX_REQUEST: HeaderName = HeaderName::from_static("hx-request");
pub(crate) static X_REQUESTED_WITH: HeaderName = HeaderName::from_static("x-requested-with");
static SEC_FETCH_MODE: HeaderName = HeaderName::from_static("sec-fetch-mode");
static HX_BOOSTED: HeaderName = HeaderName::from_static("hx-boosted");
pub(crate) static X_INERTIA: HeaderName = HeaderName::from_static("x-inertia");
static X_TURBO_REQUEST_ID: HeaderName = HeaderName::from_static("x-turbo-request-id");

/// How a request was made, as far as the guard cares.
///
/// ```
/// use http::HeaderMap;
/// use require_login::guard::{classify, RequestKind};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("sec-fetch-mode", "cors".parse().unwrap());
/// assert_eq!(classify(&headers), RequestKind::Ajax { htmx: false });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// A page load or form submission: answered with a redirect to the login page.
    Navigation,
    /// A script's call: answered with the sentinel. `htmx` is set for htmx
    /// requests, which also get `HX-Redirect`.
    Ajax {
        /// The request carried `HX-Request: true`.
        htmx: bool,
    },
    /// A page visit made by a client-side navigation library (htmx's
    /// `hx-boost`, Inertia, Turbo; never plain [`ClientLibrary::Htmx`]),
    /// answered the way that library expects, with the visited URL (for
    /// GET) as the page to come back to.
    ///
    /// ```
    /// use http::HeaderMap;
    /// use require_login::guard::{classify, RequestKind};
    /// use require_login::response::ClientLibrary;
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("x-turbo-request-id", "5a4c".parse().unwrap());
    /// assert_eq!(classify(&headers), RequestKind::Visit(ClientLibrary::Turbo));
    /// ```
    Visit(ClientLibrary),
}

/// Classifies a request.
///
/// First the client-side navigation libraries, whose signals win over the
/// generic AJAX ones below (Inertia also sends `X-Requested-With`, Turbo
/// sends `Sec-Fetch-Mode: cors`, htmx `HX-Request`), each a
/// [`RequestKind::Visit`]:
/// - `X-Inertia: true`: [`ClientLibrary::Inertia`];
/// - `HX-Boosted: true`: [`ClientLibrary::HtmxBoost`];
/// - `X-Turbo-Request-Id` present: [`ClientLibrary::Turbo`].
///
/// Otherwise it is AJAX if any of these holds:
/// - `X-Requested-With: XMLHttpRequest` (jQuery sets it);
/// - `HX-Request: true` (htmx);
/// - `Sec-Fetch-Mode` is present and not `navigate` (every `fetch()` and
///   `XMLHttpRequest` of a current browser);
/// - `Accept` asks for JSON and not for HTML, or for `text/event-stream`
///   first (an `EventSource`);
/// - it is a WebSocket upgrade (`Upgrade` present).
///
/// Otherwise it is a navigation.
///
/// ```
/// use http::HeaderMap;
/// use require_login::guard::{classify, RequestKind};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("sec-fetch-mode", "navigate".parse().unwrap());
/// headers.insert("accept", "text/html,application/xhtml+xml".parse().unwrap());
/// assert_eq!(classify(&headers), RequestKind::Navigation);
///
/// headers.insert("hx-request", "true".parse().unwrap());
/// assert_eq!(classify(&headers), RequestKind::Ajax { htmx: true });
/// ```
pub fn classify(headers: &HeaderMap) -> RequestKind {
    let is_true = |name: &HeaderName| {
        headers
            .get(name)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"))
    };
    if is_true(&X_INERTIA) {
        return RequestKind::Visit(ClientLibrary::Inertia);
    }
    if is_true(&HX_BOOSTED) {
        return RequestKind::Visit(ClientLibrary::HtmxBoost);
    }
    if headers.contains_key(&X_TURBO_REQUEST_ID) {
        return RequestKind::Visit(ClientLibrary::Turbo);
    }
    let htmx = headers
        .get(&HX_REQUEST)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"));
    if htmx {
        return RequestKind::Ajax { htmx: true };
    }
    let ajax = headers
        .get(&X_REQUESTED_WITH)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"XMLHttpRequest"))
        || headers
            .get(&SEC_FETCH_MODE)
            .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"navigate"))
        || headers
            .get(ACCEPT)
            .is_some_and(|v| accepts_json_not_html(v.as_bytes()) || asks_for_events(v.as_bytes()))
        // A WebSocket upgrade: no browser follows a redirect for it.
        || headers.contains_key(UPGRADE);
    if ajax {
        RequestKind::Ajax { htmx: false }
    } else {
        RequestKind::Navigation
    }
}

/// True when some media range with q > 0 is JSON (`application/json`,
/// `application/*+json`) and none with q > 0 is HTML.
fn accepts_json_not_html(accept: &[u8]) -> bool {
    let mut json = false;
    for range in accept.split(|&b| b == b',') {
        let mut params = range.split(|&b| b == b';');
        let media = trim(params.next().unwrap_or_default());
        if params.any(|p| is_zero_quality(trim(p))) {
            continue;
        }
        if media.eq_ignore_ascii_case(b"text/html")
            || media.eq_ignore_ascii_case(b"application/xhtml+xml")
        {
            return false;
        }
        json |= media.eq_ignore_ascii_case(b"application/json")
            || (media.len() > 5 && media[media.len() - 5..].eq_ignore_ascii_case(b"+json"));
    }
    json
}

/// Whether `Accept` asks for an event stream first: `text/event-stream`,
/// as an `EventSource` sends it (alone), and other SSE clients first. Read
/// no further than that, since every request through a
/// [`SessionWatch`](crate::stream::SessionWatch) is asked.
pub(crate) fn asks_for_events(accept: &[u8]) -> bool {
    const EVENT_STREAM: &[u8] = b"text/event-stream";
    let accept = trim(accept);
    accept
        .get(..EVENT_STREAM.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(EVENT_STREAM))
        && matches!(
            accept.get(EVENT_STREAM.len()),
            None | Some(b',' | b';' | b' ' | b'\t')
        )
}

fn is_zero_quality(param: &[u8]) -> bool {
    let Some(value) = param
        .strip_prefix(b"q=")
        .or_else(|| param.strip_prefix(b"Q="))
    else {
        return false;
    };
    value.iter().all(|&b| b == b'0' || b == b'.')
}

fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(pairs: &[(&'static str, &'static str)]) -> RequestKind {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, value.parse().unwrap());
        }
        classify(&headers)
    }

    #[test]
    fn bare_request_is_a_navigation() {
        assert_eq!(kind(&[]), RequestKind::Navigation);
    }

    #[test]
    fn each_ajax_signal_is_recognised() {
        let ajax = RequestKind::Ajax { htmx: false };
        assert_eq!(kind(&[("x-requested-with", "XMLHttpRequest")]), ajax);
        assert_eq!(kind(&[("x-requested-with", "xmlhttprequest")]), ajax);
        assert_eq!(kind(&[("sec-fetch-mode", "cors")]), ajax);
        assert_eq!(kind(&[("sec-fetch-mode", "same-origin")]), ajax);
        assert_eq!(kind(&[("accept", "application/json")]), ajax);
        assert_eq!(
            kind(&[("accept", "application/problem+json, */*;q=0.1")]),
            ajax
        );
        assert_eq!(
            kind(&[("hx-request", "true")]),
            RequestKind::Ajax { htmx: true }
        );
    }

    #[test]
    fn navigation_signals_stay_navigations() {
        let nav = RequestKind::Navigation;
        assert_eq!(kind(&[("sec-fetch-mode", "navigate")]), nav);
        assert_eq!(kind(&[("hx-request", "false")]), nav);
        assert_eq!(kind(&[("x-requested-with", "com.example.app")]), nav);
        assert_eq!(kind(&[("accept", "text/html,application/json;q=0.9")]), nav);
        assert_eq!(kind(&[("accept", "application/json;q=0")]), nav);
        assert_eq!(kind(&[("accept", "*/*")]), nav);
    }

    #[test]
    fn client_navigation_libraries_win_over_the_generic_ajax_signals() {
        let inertia = RequestKind::Visit(ClientLibrary::Inertia);
        assert_eq!(kind(&[("x-inertia", "true")]), inertia);
        assert_eq!(
            kind(&[
                ("x-inertia", "true"),
                ("x-requested-with", "XMLHttpRequest"),
                ("sec-fetch-mode", "cors"),
                ("accept", "application/json"),
            ]),
            inertia
        );
        assert_eq!(
            kind(&[("hx-request", "true"), ("hx-boosted", "true")]),
            RequestKind::Visit(ClientLibrary::HtmxBoost)
        );
        assert_eq!(
            kind(&[
                ("x-turbo-request-id", "0f6e5a3c"),
                ("sec-fetch-mode", "cors"),
                ("x-requested-with", "XMLHttpRequest"),
                (
                    "accept",
                    "text/vnd.turbo-stream.html, text/html, application/xhtml+xml"
                ),
            ]),
            RequestKind::Visit(ClientLibrary::Turbo)
        );
    }

    #[test]
    fn a_false_library_signal_is_no_signal() {
        assert_eq!(kind(&[("x-inertia", "false")]), RequestKind::Navigation);
        assert_eq!(
            kind(&[("hx-request", "true"), ("hx-boosted", "false")]),
            RequestKind::Ajax { htmx: true }
        );
    }

    #[test]
    fn html_refused_with_q_zero_does_not_block_json() {
        assert_eq!(
            kind(&[("accept", "text/html;q=0, application/json")]),
            RequestKind::Ajax { htmx: false }
        );
    }
}
