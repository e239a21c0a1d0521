//! What the manual promises for a logged-out request, written from its
//! rules and not from the crate's code: the property tests
//! (`tests/properties.rs`) and the fuzz targets (`fuzz/`) check the guard's
//! answers against it.

use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use require_login::{options::LoginTarget, GuardOptions};

use crate::Answer;

/// Every answer a guard may give. A new answer (a client library's own
/// denial) is one more variant here and one more arm in [`check`].
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// The handler ran, once, and its answer is untouched.
    Handler,
    /// `303 See Other` to `location` (navigations, Turbo visits).
    Navigation { location: String },
    /// `409 Conflict` with `X-Inertia-Location` (Inertia visits).
    Inertia { location: String },
    /// The sentinel with `status`, `X-Login-Url`, and `HX-Redirect` for htmx.
    Ajax {
        status: StatusCode,
        sentinel: &'static str,
        login_url: String,
        htmx: bool,
    },
    /// A plain `500`: the store failed.
    ServerError,
}

/// Every response header that sends a client somewhere; each must be safe.
pub const REDIRECT_HEADERS: [&str; 4] = [
    "location",
    "x-login-url",
    "hx-redirect",
    "x-inertia-location",
];

/// The first value of `name`: a repeated header counts by its first value.
fn first<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a [u8]> {
    headers.get(name).map(HeaderValue::as_bytes)
}

fn eq_ci(value: Option<&[u8]>, word: &str) -> bool {
    value.is_some_and(|v| v.eq_ignore_ascii_case(word.as_bytes()))
}

/// The manual's "an `Accept` that asks for JSON and not HTML": some media
/// range with q > 0 is JSON, none with q > 0 is HTML.
pub fn accept_asks_json_not_html(accept: &[u8]) -> bool {
    let accept = String::from_utf8_lossy(accept).to_ascii_lowercase();
    let ranges: Vec<(&str, bool)> = accept
        .split(',')
        .map(|range| {
            let mut params = range.split(';');
            let media = params.next().unwrap_or("").trim();
            let refused = params.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .is_some_and(|q| q.chars().all(|c| c == '0' || c == '.'))
            });
            (media, !refused)
        })
        .collect();
    let html = ranges
        .iter()
        .any(|(m, ok)| *ok && (*m == "text/html" || *m == "application/xhtml+xml"));
    let json = ranges
        .iter()
        .any(|(m, ok)| *ok && (*m == "application/json" || (m.len() > 5 && m.ends_with("+json"))));
    json && !html
}

/// How the manual says a request is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Navigation,
    Ajax { htmx: bool },
    Inertia,
    HtmxBoost,
    Turbo,
}

/// The client libraries' own visits first (`X-Inertia: true`,
/// `HX-Boosted: true`, any `X-Turbo-Request-Id`), then the AJAX signals.
pub fn kind(headers: &HeaderMap) -> Kind {
    if eq_ci(first(headers, "x-inertia"), "true") {
        return Kind::Inertia;
    }
    if eq_ci(first(headers, "hx-boosted"), "true") {
        return Kind::HtmxBoost;
    }
    if headers.contains_key("x-turbo-request-id") {
        return Kind::Turbo;
    }
    if eq_ci(first(headers, "hx-request"), "true") {
        return Kind::Ajax { htmx: true };
    }
    let ajax = eq_ci(first(headers, "x-requested-with"), "XMLHttpRequest")
        || first(headers, "sec-fetch-mode").is_some_and(|v| !v.eq_ignore_ascii_case(b"navigate"))
        || first(headers, "accept").is_some_and(accept_asks_json_not_html);
    if ajax {
        Kind::Ajax { htmx: false }
    } else {
        Kind::Navigation
    }
}

/// A path and query a browser reads as this site's: one leading `/`, not
/// `//host` nor `/\host`.
pub fn is_local(path_and_query: &str) -> bool {
    path_and_query.starts_with('/')
        && !path_and_query.starts_with("//")
        && !path_and_query.starts_with("/\\")
}

/// The page a header names, when it is on this request's host.
fn same_origin_page(headers: &HeaderMap, uri: &Uri, name: &str) -> Option<String> {
    let page: Uri = headers.get(name)?.to_str().ok()?.parse().ok()?;
    // An absolute-form target's authority, else `Host` (RFC 9112, 3.2.2).
    let host = match uri.authority() {
        Some(authority) => authority.as_str().to_owned(),
        None => headers.get("host")?.to_str().ok()?.to_owned(),
    };
    if !page.authority()?.as_str().eq_ignore_ascii_case(&host) {
        return None;
    }
    let pq = page.path_and_query()?.as_str();
    is_local(pq).then(|| pq.to_owned())
}

/// The manual's return-to link, before the login page is taken out: a
/// GET/HEAD navigation's (or visit's) own path and query; otherwise the page
/// (`HX-Current-URL`, else a same-origin `Referer`).
pub fn return_to(method: &Method, uri: &Uri, headers: &HeaderMap, ajax: bool) -> Option<String> {
    if !ajax && (method == Method::GET || method == Method::HEAD) {
        let pq = uri.path_and_query()?.as_str();
        return is_local(pq).then(|| pq.to_owned());
    }
    same_origin_page(headers, uri, "hx-current-url")
        .or_else(|| same_origin_page(headers, uri, "referer"))
}

fn path_of(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or_default()
}

/// The login page's path, for a login target on this site.
fn login_path(login: &str) -> Option<&str> {
    login.starts_with('/').then(|| path_of(login))
}

/// "Never the login page itself": a login page stands for its own `next`
/// (decoded as a form would), and only what `safe_next` accepts is kept.
fn never_the_login_page(mut page: String, login_path: Option<&str>, field: &str) -> Option<String> {
    while login_path == Some(path_of(&page)) {
        let query = page.split_once('?')?.1.to_owned();
        page = form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == field)?
            .1
            .into_owned();
    }
    require_login::login::safe_next(&page)?;
    Some(page)
}

/// Unreserved characters and `/` as they are, everything else `%XX`.
pub fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Reverses [`percent_encode`] (and any other `%XX`); a stray `%` stays.
pub fn percent_decode(value: &str) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        // Two hex digits exactly: `from_str_radix` alone would take "+A".
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// `base` with `field=<page, encoded>` added to its query, before any fragment.
pub fn with_return_to(base: &str, field: &str, page: &str) -> String {
    let (before, fragment) = base.split_at(base.find('#').unwrap_or(base.len()));
    let separator = if before.contains('?') { '&' } else { '?' };
    format!(
        "{before}{separator}{field}={}{fragment}",
        percent_encode(page)
    )
}

/// The login base a guard with `options` sends to (`named` resolves a
/// route name).
pub fn login_base<'a>(options: &GuardOptions, named: &'a str) -> &'a str {
    match options.login() {
        LoginTarget::Path(url) | LoginTarget::Url(url) => url,
        LoginTarget::Named(_) => named,
    }
}

/// The denial the manual promises a logged-out request.
pub fn denial(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    options: &GuardOptions,
    named: &str,
) -> Shape {
    let kind = kind(headers);
    let base = login_base(options, named);
    let page = return_to(method, uri, headers, matches!(kind, Kind::Ajax { .. }));
    let from_login_page = page
        .as_deref()
        .is_some_and(|page| login_path(base) == Some(path_of(page)));
    let login_url = match (options.redirect_field(), page) {
        (Some(field), Some(page)) => match never_the_login_page(page, login_path(base), field) {
            Some(page) => with_return_to(base, field, &page),
            None => base.to_owned(),
        },
        _ => base.to_owned(),
    };
    let ajax = |htmx| Shape::Ajax {
        status: options.status().code(),
        sentinel: options.sentinel(),
        login_url: login_url.clone(),
        htmx,
    };
    match kind {
        Kind::Navigation | Kind::Turbo => Shape::Navigation {
            location: login_url,
        },
        Kind::Inertia => Shape::Inertia {
            location: login_url,
        },
        Kind::HtmxBoost => ajax(true),
        Kind::Ajax { htmx } => ajax(htmx && !from_login_page),
    }
}

/// What holds of any answer whatever the model says: every header that
/// sends the client somewhere is visible ASCII (so nothing was injected
/// into it), a local path or starts with one of `external` login URLs, and
/// its return-to link (`fields`) decodes to a local path.
pub fn check_redirect_headers(headers: &HeaderMap, external: &[&str], fields: &[&str]) {
    for name in REDIRECT_HEADERS {
        for value in headers.get_all(name) {
            assert!(
                value.as_bytes().iter().all(u8::is_ascii_graphic),
                "{name} is not visible ASCII: {value:?}"
            );
            let url = value.to_str().unwrap();
            assert!(
                is_local(url) || external.iter().any(|e| url.starts_with(e)),
                "{name} leaves the site: {url}"
            );
            let query = url.split_once('?').map_or("", |(_, q)| q);
            let query = query.split('#').next().unwrap_or("");
            for pair in query.split('&') {
                if let Some((field, page)) = pair.split_once('=') {
                    if fields.contains(&field) {
                        let page = String::from_utf8_lossy(&percent_decode(page)).into_owned();
                        assert!(
                            is_local(&page),
                            "{name}'s return-to is not local: {page:?} in {url}"
                        );
                    }
                }
            }
        }
    }
}

/// Checks an answer against `shape`: status, headers and body, header for
/// header. `ran` is how often the handler body ran; `bodiless` allows an
/// answer without its body (HEAD, CONNECT).
pub fn check(shape: &Shape, answer: &Answer, ran: usize, bodiless: bool, handler_body: &str) {
    let header = |name: &str| {
        answer
            .headers
            .get(name)
            .map(|v| v.to_str().expect("visible ASCII"))
    };
    let body_is = |expected: &str| answer.body == expected || (bodiless && answer.body.is_empty());
    match shape {
        Shape::Handler => {
            assert_eq!(ran, 1, "the handler did not run for a logged-in user");
            assert_eq!(answer.status, StatusCode::OK);
            assert!(
                body_is(handler_body),
                "the handler's answer was changed: {answer:?}"
            );
            return;
        }
        Shape::Navigation { location } => {
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{answer:?}");
            assert_eq!(header("location"), Some(location.as_str()), "{answer:?}");
            assert_eq!(answer.body, "");
        }
        Shape::Inertia { location } => {
            assert_eq!(answer.status, StatusCode::CONFLICT, "{answer:?}");
            assert_eq!(
                header("x-inertia-location"),
                Some(location.as_str()),
                "{answer:?}"
            );
            assert_eq!(answer.body, "");
        }
        Shape::Ajax {
            status,
            sentinel,
            login_url,
            htmx,
        } => {
            assert_eq!(answer.status, *status, "{answer:?}");
            assert!(body_is(sentinel), "not the sentinel: {answer:?}");
            assert_eq!(
                header("x-login-url"),
                Some(login_url.as_str()),
                "{answer:?}"
            );
            assert_eq!(
                header("hx-redirect"),
                htmx.then_some(login_url.as_str()),
                "{answer:?}"
            );
            assert_eq!(header("content-type"), Some("text/plain; charset=utf-8"));
        }
        Shape::ServerError => {
            assert_eq!(
                answer.status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "{answer:?}"
            );
            assert_ne!(answer.body, handler_body);
            for name in REDIRECT_HEADERS {
                assert!(
                    answer.headers.get(name).is_none(),
                    "{name} on a 500: {answer:?}"
                );
            }
        }
    }
    assert_eq!(ran, 0, "the handler ran for a logged-out user");
    assert_eq!(header("cache-control"), Some("no-store"), "{answer:?}");
    if !matches!(shape, Shape::Navigation { .. }) {
        assert!(
            answer.headers.get("location").is_none(),
            "a Location on {shape:?}: {answer:?}"
        );
    }
    if !matches!(shape, Shape::Inertia { .. }) {
        assert!(
            answer.headers.get("x-inertia-location").is_none(),
            "an X-Inertia-Location on {shape:?}: {answer:?}"
        );
    }
    if !matches!(shape, Shape::Ajax { .. }) {
        assert!(
            answer.headers.get("x-login-url").is_none(),
            "an X-Login-Url on {shape:?}: {answer:?}"
        );
        assert!(
            answer.headers.get("hx-redirect").is_none(),
            "an HX-Redirect on {shape:?}: {answer:?}"
        );
    }
}
