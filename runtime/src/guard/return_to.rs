//! The login URL a denial points at, with its return-to link.

use std::ops::Deref;

use axum::extract::OriginalUri;
use http::header::{HOST, REFERER};
use http::request::Parts;
use http::{HeaderName, Method, Uri};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use crate::login::safe_next;

static HX_CURRENT_URL: HeaderName = HeaderName::from_static("hx-current-url");

/// A return-to link: the path and query of a local page. Borrowed from the
/// request when it is the request's own URI, so a denial copies it only
/// once, into the login URL.
#[derive(Debug, PartialEq)]
pub(crate) enum ReturnTo<'a> {
    /// The request's own path and query.
    Request(&'a str),
    /// A page named by a request header, parsed; its path and query are local.
    Page(Uri),
    /// A login page's own return-to link, percent-decoded.
    Decoded(String),
}

impl Deref for ReturnTo<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            ReturnTo::Request(pq) => pq,
            ReturnTo::Page(uri) => uri.path_and_query().map_or("", |pq| pq.as_str()),
            ReturnTo::Decoded(next) => next,
        }
    }
}

/// The return-to link for a navigation or a client library's visit: the
/// original path and query for GET/HEAD (the page itself, the full URI even
/// inside `Router::nest`); for other methods the form's page, as for AJAX.
pub(crate) fn for_navigation(parts: &Parts) -> Option<ReturnTo<'_>> {
    if parts.method == Method::GET || parts.method == Method::HEAD {
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or(&parts.uri, |original| &original.0);
        return local_path_and_query(uri).map(ReturnTo::Request);
    }
    for_ajax(parts)
}

/// The return-to link for an AJAX call: the page that made it (htmx's
/// `HX-Current-URL`, else a same-origin `Referer`), never the endpoint.
pub(crate) fn for_ajax(parts: &Parts) -> Option<ReturnTo<'_>> {
    same_origin_page(parts, &HX_CURRENT_URL).or_else(|| same_origin_page(parts, &REFERER))
}

fn same_origin_page<'a>(parts: &Parts, header: &HeaderName) -> Option<ReturnTo<'a>> {
    let page: Uri = parts.headers.get(header)?.to_str().ok()?.parse().ok()?;
    // The request's own host: an absolute-form target's authority wins over
    // `Host` (RFC 9112, 3.2.2), and an unreadable `Host` means no host to
    // compare with, not a fall back to another source.
    let host = match parts.uri.authority() {
        Some(authority) => authority.as_str(),
        None => parts.headers.get(HOST)?.to_str().ok()?,
    };
    // Scheme is not compared: behind a TLS-terminating proxy the server sees http.
    if !page.authority()?.as_str().eq_ignore_ascii_case(host) {
        return None;
    }
    local_path_and_query(&page)?;
    Some(ReturnTo::Page(page))
}

/// Path and query only; `None` for anything a browser could read as another
/// host (`//evil`, `/\evil`), so the login page can redirect to it safely.
fn local_path_and_query(uri: &Uri) -> Option<&str> {
    let pq = uri.path_and_query()?.as_str();
    let bytes = pq.as_bytes();
    let is_local = bytes.first() == Some(&b'/') && !matches!(bytes.get(1), Some(b'/' | b'\\'));
    is_local.then_some(pq)
}

/// The path of a login target on this site (`/login` of `/login?x=1`);
/// `None` for an external sign-in URL.
pub(crate) fn login_path(login: &str) -> Option<&str> {
    login.starts_with('/').then(|| path_of(login))
}

/// Whether `page` is the login page at `login_path`.
pub(crate) fn is_login_page(page: &str, login_path: Option<&str>) -> bool {
    login_path == Some(path_of(page))
}

fn path_of(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or_default()
}

/// The page to come back to, never a login page and always a `next` that
/// [`safe_next`] accepts: a login page (`/login?next=/a`) stands for its own
/// return-to link (`/a`), once percent-decoded, so denials made on the login
/// page never nest it into `next`; a login page without one stands for none.
pub(crate) fn never_the_login_page<'a>(
    mut page: ReturnTo<'a>,
    login_path: Option<&str>,
    field: &str,
) -> Option<ReturnTo<'a>> {
    // Each round takes a value out of the page's query, so it ends.
    while is_login_page(&page, login_path) {
        let query = page.split_once('?')?.1;
        let (_, own_next) =
            form_urlencoded::parse(query.as_bytes()).find(|(name, _)| name == field)?;
        page = ReturnTo::Decoded(own_next.into_owned());
    }
    safe_next(&page)?;
    Some(page)
}

/// `base` with `field=value` appended to its query, `value` percent-encoded.
///
/// The capacity is exact, so the login URL turns into a header value without
/// being copied again.
pub(crate) fn append_query(base: &str, field: &str, value: &str) -> String {
    // One pass over `base`: where its fragment starts, and whether a query
    // comes before it.
    let mut fragment_at = base.len();
    let mut has_query = false;
    for (i, &b) in base.as_bytes().iter().enumerate() {
        if b == b'#' {
            fragment_at = i;
            break;
        }
        has_query |= b == b'?';
    }
    let (before_fragment, fragment) = base.split_at(fragment_at);
    let separator = if has_query { '&' } else { '?' };
    // Each encoded byte becomes three (`%XX`): counted first, which costs
    // less than encoding twice.
    let encoded_bytes = value.bytes().filter(|&b| !is_kept(b)).count();
    let encoded_len = value.len() + 2 * encoded_bytes;
    let mut url = String::with_capacity(
        before_fragment.len() + field.len() + encoded_len + fragment.len() + 2,
    );
    url.push_str(before_fragment);
    url.push(separator);
    url.push_str(field);
    url.push('=');
    url.extend(utf8_percent_encode(value, ENCODED_IN_RETURN_TO));
    url.push_str(fragment);
    url
}

/// Whether a return-to value keeps `b` as it is: RFC 3986's unreserved
/// characters and `/`, which stays readable and is safe in a query value.
const fn is_kept(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/')
}

/// Everything [`is_kept`] does not keep, for `percent-encoding` (which also
/// encodes every byte outside ASCII).
const ENCODED_IN_RETURN_TO: &AsciiSet = &{
    // `CONTROLS` (0x00-0x1F, 0x7F), owned: `add` returns a new set.
    let mut set = CONTROLS.add(0);
    let mut b = 0;
    while b < 128 {
        if !is_kept(b) {
            set = set.add(b);
        }
        b += 1;
    }
    set
};

#[cfg(test)]
mod tests {
    use super::*;
    use http::Request;

    fn parts(method: &str, uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut builder = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn appends_encoded_value_with_right_separator() {
        assert_eq!(
            append_query("/login", "next", "/a?b=c&d"),
            "/login?next=/a%3Fb%3Dc%26d"
        );
        assert_eq!(append_query("/login?x=1", "next", "/"), "/login?x=1&next=/");
        assert_eq!(
            append_query("/login#top", "next", "/p q"),
            "/login?next=/p%20q#top"
        );
        assert_eq!(append_query("/l", "next", "/%20"), "/l?next=/%2520");
        // Unreserved characters and `/` stay; everything else is encoded,
        // bytes outside ASCII one by one.
        assert_eq!(
            append_query("/l", "next", "/aZ0-_.~/é+:@!\t"),
            "/l?next=/aZ0-_.~/%C3%A9%2B%3A%40%21%09"
        );
    }

    #[test]
    fn navigation_get_returns_to_itself() {
        let p = parts("GET", "/dash?tab=2", &[]);
        assert_eq!(for_navigation(&p).as_deref(), Some("/dash?tab=2"));
    }

    #[test]
    fn navigation_post_returns_to_same_origin_referer_only() {
        let post_from = |referer| {
            let headers = [("host", "app.test"), ("referer", referer)];
            for_navigation(&parts("POST", "/save", &headers)).map(|page| page.to_string())
        };
        assert_eq!(
            post_from("http://app.test/form?id=1").as_deref(),
            Some("/form?id=1")
        );
        assert_eq!(post_from("http://evil.test/form"), None);
        assert_eq!(for_navigation(&parts("POST", "/save", &[])), None);
    }

    #[test]
    fn ajax_prefers_htmx_current_url_then_referer() {
        let referer = ("referer", "http://app.test/other");
        let host = ("host", "app.test");
        let htmx = [host, ("hx-current-url", "http://app.test/page"), referer];
        assert_eq!(
            for_ajax(&parts("GET", "/api", &htmx)).as_deref(),
            Some("/page")
        );
        assert_eq!(
            for_ajax(&parts("GET", "/api", &[host, referer])).as_deref(),
            Some("/other")
        );
    }

    #[test]
    fn a_login_page_stands_for_its_own_next() {
        let login = login_path("/login?lang=en");
        assert_eq!(login, Some("/login"));
        let unnest = |page: &str| {
            never_the_login_page(ReturnTo::Request(page), login, "next").map(|p| p.to_string())
        };
        assert_eq!(unnest("/dash?tab=2").as_deref(), Some("/dash?tab=2"));
        assert_eq!(
            unnest("/login?next=%2Fdash%3Ftab%3D2").as_deref(),
            Some("/dash?tab=2")
        );
        assert_eq!(
            unnest("/login?next=/login%3Fnext%3D/login%253Fnext%253D%25252Fdeep").as_deref(),
            Some("/deep")
        );
        assert_eq!(unnest("/login"), None);
        assert_eq!(unnest("/login?other=1"), None);
        assert_eq!(unnest("/login?next=%2F%2Fevil.example"), None);
        assert_eq!(unnest("/login?next=https://evil.example"), None);
        // Not the login page: kept, even with a `next` of its own.
        assert_eq!(
            unnest("/login2?next=/x").as_deref(),
            Some("/login2?next=/x")
        );
        // An external login page is never one of ours.
        assert_eq!(login_path("https://sso.example/login"), None);
    }

    #[test]
    fn an_unsafe_page_is_never_returned_to() {
        let page = ReturnTo::Request("/%2F%2Fevil.example");
        assert_eq!(never_the_login_page(page, Some("/login"), "next"), None);
    }

    #[test]
    fn the_request_host_is_an_absolute_target_s_authority_over_host() {
        // Found by the property test: `Host` won over the authority of an
        // absolute-form target, which RFC 9112 says to use instead.
        let absolute = |referer: &str| {
            parts(
                "POST",
                "http://app.test/save",
                &[("host", "evil.test"), ("referer", referer)],
            )
        };
        assert_eq!(for_navigation(&absolute("http://evil.test/form")), None);
        assert_eq!(
            for_navigation(&absolute("http://app.test/form")).as_deref(),
            Some("/form")
        );
    }

    #[test]
    fn an_unreadable_host_has_no_same_origin_page() {
        let mut unreadable = parts("POST", "/save", &[("referer", "http://app.test/form")]);
        unreadable.headers.insert(
            HOST,
            http::HeaderValue::from_bytes(b"app.test\xe0").unwrap(),
        );
        assert_eq!(for_navigation(&unreadable), None);
    }

    #[test]
    fn protocol_relative_paths_are_never_returned_to() {
        assert_eq!(
            local_path_and_query(&"//evil.test/x".parse().unwrap()),
            None
        );
    }
}
