//! The login URL a denial points at, with its return-to link.

use axum::extract::OriginalUri;
use http::header::{HOST, REFERER};
use http::request::Parts;
use http::{Method, Uri};

/// The return-to link for a navigation: the original path and query for
/// GET/HEAD (the page itself, the full URI even inside `Router::nest`); for
/// other methods the form's page, from a same-origin `Referer`.
pub(crate) fn for_navigation(parts: &Parts) -> Option<String> {
    if parts.method == Method::GET || parts.method == Method::HEAD {
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or(&parts.uri, |original| &original.0);
        return local_path_and_query(uri);
    }
    same_origin_page(parts, "referer")
}

/// The return-to link for an AJAX call: the page that made it (htmx's
/// `HX-Current-URL`, else a same-origin `Referer`), never the endpoint.
pub(crate) fn for_ajax(parts: &Parts) -> Option<String> {
    same_origin_page(parts, "hx-current-url").or_else(|| same_origin_page(parts, REFERER.as_str()))
}

fn same_origin_page(parts: &Parts, header: &str) -> Option<String> {
    let page: Uri = parts.headers.get(header)?.to_str().ok()?.parse().ok()?;
    let host = parts
        .headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))?;
    // Scheme is not compared: behind a TLS-terminating proxy the server sees http.
    if !page.authority()?.as_str().eq_ignore_ascii_case(host) {
        return None;
    }
    local_path_and_query(&page)
}

/// Path and query only; `None` for anything a browser could read as another
/// host (`//evil`, `/\evil`), so the login page can redirect to it safely.
fn local_path_and_query(uri: &Uri) -> Option<String> {
    let pq = uri.path_and_query()?.as_str();
    let bytes = pq.as_bytes();
    let is_local = bytes.first() == Some(&b'/') && !matches!(bytes.get(1), Some(b'/' | b'\\'));
    is_local.then(|| pq.to_owned())
}

/// `base` with `field=value` appended to its query, `value` percent-encoded.
pub(crate) fn append_query(base: &str, field: &str, value: &str) -> String {
    let (before_fragment, fragment) = match base.find('#') {
        Some(i) => base.split_at(i),
        None => (base, ""),
    };
    let separator = if before_fragment.contains('?') {
        '&'
    } else {
        '?'
    };
    let mut url = String::with_capacity(base.len() + field.len() + value.len() * 3 / 2 + 2);
    url.push_str(before_fragment);
    url.push(separator);
    url.push_str(field);
    url.push('=');
    percent_encode_into(&mut url, value);
    url.push_str(fragment);
    url
}

/// Encodes everything but RFC 3986 unreserved characters and `/`, which stays
/// readable and is safe in a query value.
fn percent_encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

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
    }

    #[test]
    fn navigation_get_returns_to_itself() {
        let p = parts("GET", "/dash?tab=2", &[]);
        assert_eq!(for_navigation(&p).as_deref(), Some("/dash?tab=2"));
    }

    #[test]
    fn navigation_post_returns_to_same_origin_referer_only() {
        let same = parts(
            "POST",
            "/save",
            &[
                ("host", "app.test"),
                ("referer", "http://app.test/form?id=1"),
            ],
        );
        assert_eq!(for_navigation(&same).as_deref(), Some("/form?id=1"));
        let other = parts(
            "POST",
            "/save",
            &[("host", "app.test"), ("referer", "http://evil.test/form")],
        );
        assert_eq!(for_navigation(&other), None);
        assert_eq!(for_navigation(&parts("POST", "/save", &[])), None);
    }

    #[test]
    fn ajax_prefers_htmx_current_url_then_referer() {
        let p = parts(
            "GET",
            "/api",
            &[
                ("host", "app.test"),
                ("hx-current-url", "http://app.test/page"),
                ("referer", "http://app.test/other"),
            ],
        );
        assert_eq!(for_ajax(&p).as_deref(), Some("/page"));
        let p = parts(
            "GET",
            "/api",
            &[("host", "app.test"), ("referer", "http://app.test/other")],
        );
        assert_eq!(for_ajax(&p).as_deref(), Some("/other"));
    }

    #[test]
    fn protocol_relative_paths_are_never_returned_to() {
        assert_eq!(
            local_path_and_query(&"//evil.test/x".parse().unwrap()),
            None
        );
    }
}
