//! The way back from the login page: which `next` values are safe to
//! redirect to, and the redirect that ends a successful login.

use std::borrow::Cow;

use axum::response::Redirect;

/// `Some(candidate)` when `candidate` is a local path that no browser can
/// read as another origin, so a login handler may redirect to it; `None`
/// for everything else.
///
/// Accepted: a single leading `/`, then visible ASCII only. Refused:
/// - anything else at the start: another scheme (`https:`, `javascript:`),
///   `//host`, a relative path, the empty string;
/// - a backslash anywhere, raw or as `%5C` (`/\host` is `//host` to a
///   browser);
/// - whitespace or control characters anywhere (browsers strip tabs and
///   newlines, so `/\t/host` is `//host`), and non-ASCII characters;
/// - percent-escapes in the first path segment that decode to `/`, `\`,
///   `%`, whitespace or control characters (`/%2F…`, `/%5C…`, `/%09/…`,
///   `/%252F…`), for servers and proxies that decode before they redirect;
/// - `.` and `..` path segments, raw or encoded, with `%2F` and `%5C`
///   counted as separators too (`/..//host` and `/a/..%2F%2Fhost` are
///   `//host` once decoded and the dots resolved).
///
/// **Closed under decoding:** whatever it accepts, one more
/// percent-decoding of it is accepted too, so a server or proxy that
/// decodes `next` again before it redirects cannot turn an accepted value
/// into a dangerous one (`/%%35%63host` decodes to `/%5chost`, and that to
/// `/\host`: refused). The decoding meant is that of escapes of visible
/// ASCII (`%21` to `%7E`); escapes of spaces, control characters and
/// non-ASCII bytes (`%20`, `%09`, `%C3%A9`) are refused in the first
/// segment, and after it they make no separator, no dot and no host
/// whether decoded or not (a dot segment hidden by tabs, `.%09.`, which a
/// browser would strip, is still a dot segment).
///
/// `"`, `'`, `<` and `>` are accepted. Browsers send `'` unencoded in paths
/// (`/o'brien`), and refusing the others would, by the closure, refuse
/// their escapes too (a search for a `%22phrase%22` could not come back
/// after login). A `next` written into HTML is escaped like any other value:
/// the login page of the guide shows how.
///
/// The guard's own `next` values always pass, once the login page has
/// percent-decoded them (as axum's `Query` and `Form` do).
///
/// ```
/// use require_login::login::safe_next;
///
/// assert_eq!(safe_next("/dashboard?tab=2"), Some("/dashboard?tab=2"));
/// assert_eq!(safe_next("/"), Some("/"));
///
/// assert_eq!(safe_next("https://evil.example/"), None);
/// assert_eq!(safe_next("//evil.example"), None);
/// assert_eq!(safe_next("/\\evil.example"), None);
/// assert_eq!(safe_next("/%2F%2Fevil.example"), None);
/// assert_eq!(safe_next("/%%32%66%%32%66evil.example"), None); // `//evil.example` after two decodings
/// assert_eq!(safe_next("/a/..%2F%2Fevil.example"), None); // `//evil.example` once the dots go
/// assert_eq!(safe_next("/\t/evil.example"), None);
/// assert_eq!(safe_next(""), None);
/// ```
#[must_use]
pub fn safe_next(candidate: &str) -> Option<&str> {
    let mut text = Cow::Borrowed(candidate.as_bytes());
    loop {
        if !is_local_path(&text) {
            return None;
        }
        // A decoding that changes anything is shorter, so this ends.
        match decode_visible_ascii_escapes(&text) {
            Some(decoded) => text = Cow::Owned(decoded),
            None => return Some(candidate),
        }
    }
}

/// The rules of [`safe_next`] for one decoding of the candidate.
fn is_local_path(bytes: &[u8]) -> bool {
    let single_leading_slash = bytes.first() == Some(&b'/') && bytes.get(1) != Some(&b'/');
    let visible_ascii = bytes.iter().all(|&b| b.is_ascii_graphic() && b != b'\\');
    if !(single_leading_slash && visible_ascii) {
        return false;
    }
    let path_end = bytes
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .unwrap_or(bytes.len());
    let path = &bytes[1..path_end];
    let first = path.split(|&b| b == b'/').next().unwrap_or_default();
    first_segment_is_plain(first) && !segments(path).any(is_dot_segment)
}

/// `bytes` with every escape of visible ASCII decoded once; `None` when it
/// holds none.
fn decode_visible_ascii_escapes(bytes: &[u8]) -> Option<Vec<u8>> {
    let ascii_escape = |at| escaped_byte(bytes, at).filter(u8::is_ascii_graphic);
    let first = (0..bytes.len()).find(|&at| ascii_escape(at).is_some())?;
    let mut decoded = bytes[..first].to_vec();
    let mut i = first;
    while i < bytes.len() {
        if let Some(byte) = ascii_escape(i) {
            decoded.push(byte);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    Some(decoded)
}

/// The segments of `path`, ended by `/`, `%2F` or `%5C`: a server that
/// decodes once more reads the escapes as separators.
fn segments(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(path);
    std::iter::from_fn(move || {
        let text = rest?;
        let mut i = 0;
        while i < text.len() {
            let width = match &text[i..] {
                [b'/', ..] => 1,
                [b'%', hi, lo, ..]
                    if *hi == b'2' && lo.eq_ignore_ascii_case(&b'f')
                        || *hi == b'5' && lo.eq_ignore_ascii_case(&b'c') =>
                {
                    3
                }
                _ => 0,
            };
            if width > 0 {
                rest = Some(&text[i + width..]);
                return Some(&text[..i]);
            }
            i += 1;
        }
        rest = None;
        Some(text)
    })
}

/// The first segment decides where a path that a server decodes once more
/// leads: it must not decode to a separator, an escape, or anything a
/// browser strips or reads as the end of the path.
fn first_segment_is_plain(segment: &[u8]) -> bool {
    let mut decoded = Vec::new();
    let mut i = 0;
    while i < segment.len() {
        if let Some(byte) = escaped_byte(segment, i) {
            let unsafe_ascii = matches!(byte, b'/' | b'\\' | b'%')
                || (byte.is_ascii() && !byte.is_ascii_graphic());
            if unsafe_ascii {
                return false;
            }
            decoded.push(byte);
            i += 3;
        } else {
            decoded.push(segment[i]);
            i += 1;
        }
    }
    // Encoded non-ASCII: refused when it is not UTF-8, or is Unicode
    // whitespace or a control character (`%C2%A0`, `%E2%80%A8`, `%C2%85`).
    match std::str::from_utf8(&decoded) {
        Ok(text) => !text.chars().any(|c| c.is_whitespace() || c.is_control()),
        Err(_) => false,
    }
}

/// The byte `%XX` at `at` stands for, if it is a well-formed escape.
fn escaped_byte(bytes: &[u8], at: usize) -> Option<u8> {
    if bytes[at] != b'%' {
        return None;
    }
    let hex = bytes.get(at + 1..at + 3)?;
    let digit = |b: u8| char::from(b).to_digit(16);
    let value = digit(hex[0])? * 16 + digit(hex[1])?;
    u8::try_from(value).ok()
}

/// `.` or `..`, with any dot written as `%2E`, and with the escaped tabs
/// and newlines a browser strips once they are decoded (`.%09.`).
fn is_dot_segment(segment: &[u8]) -> bool {
    let mut dots = 0;
    let mut i = 0;
    while i < segment.len() {
        match (segment[i], escaped_byte(segment, i)) {
            (b'.', _) | (_, Some(b'.')) => dots += 1,
            (_, Some(b'\t' | b'\n' | b'\r')) => {}
            _ => return false,
        }
        i += if segment[i] == b'%' { 3 } else { 1 };
    }
    (1..=2).contains(&dots)
}

/// The redirect that finishes a login handler: `303 See Other` to `next`
/// when [`safe_next`] accepts it, else to `default`.
///
/// Call it after the password checked out and
/// [`login`](crate::login()) succeeded, with the `next` the login form carried
/// (already percent-decoded, as `Form` and `Query` give it).
///
/// ```
/// use axum::{extract::Query, response::{IntoResponse, Redirect}, Form};
/// use require_login::login::redirect_after_login;
///
/// #[derive(serde::Deserialize)]
/// struct LoginForm { user: String, next: Option<String> }
///
/// async fn log_in(session: tower_sessions::Session, Form(form): Form<LoginForm>) -> Redirect {
///     // ...check the password, then:
///     require_login::login(&session, &form.user).await.expect("session store");
///     redirect_after_login(form.next.as_deref(), "/dashboard")
/// }
///
/// let back = redirect_after_login(Some("/reports?year=2024"), "/").into_response();
/// assert_eq!(back.status(), 303);
/// assert_eq!(back.headers()["location"], "/reports?year=2024");
///
/// let home = redirect_after_login(Some("//evil.example"), "/").into_response();
/// assert_eq!(home.headers()["location"], "/");
/// ```
pub fn redirect_after_login(next: Option<&str>, default: &str) -> Redirect {
    Redirect::to(next.and_then(safe_next).unwrap_or(default))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each of `paths` (separated by white space) is refused, named in
    /// the failure.
    fn assert_refused(paths: &str) {
        for path in paths.split_whitespace() {
            assert_eq!(safe_next(path), None, "{path}");
        }
    }

    #[test]
    fn local_paths_pass_unchanged() {
        for path in [
            "/",
            "/a",
            "/a/b?c=d&e=%2F#top",
            "/%7Euser",
            "/a/b%2Fc",
            "/a/%2F",
            "/?next=//x",
            "/a/.b",
            "/...",
        ] {
            assert_eq!(safe_next(path), Some(path), "{path}");
        }
    }

    #[test]
    fn dot_segments_are_refused_anywhere_in_the_path_only() {
        assert_refused("/. /.. /a/../b /%2e%2E/x /a/.%2e /./x");
        // `%2F` and `%5C` end a segment too: decoded, these are `/a/..//x`.
        assert_refused(
            "/a/..%2F%2Fevil.example /a/..%2f /a/..%5Cevil.example \
             /a/.%2E%2F/evil.example /a/b%2F..%2Fc /a/%2e%2e%5c",
        );
        assert_eq!(safe_next("/a/..b%2Fc"), Some("/a/..b%2Fc"));
        assert_eq!(safe_next("/a?x=/../"), Some("/a?x=/../"));
    }

    #[test]
    fn escapes_in_the_first_segment_that_decode_to_danger_are_refused() {
        assert_refused(
            "/%2F /%2f /a%2Fb /%5C /%5c /%09/x /x%0A /%20 /%25 /%7F /%C2%A0 \
             /%E2%80%A8 /%C2%85 /%FF",
        );
        // Later segments may hold them: they cannot move the host.
        assert_eq!(safe_next("/a/%2F%2Fx"), Some("/a/%2F%2Fx"));
        // A `%` that starts no escape stays as it is...
        assert_eq!(safe_next("/%zz"), Some("/%zz"));
        // ...unless decoding what follows makes one: these are `/%5c...`
        // and `/%2f%2f...` once decoded, `/\...` and `///...` twice.
        assert_refused(
            "/%%35%63evil.example /%%32%66%%32%66evil.example \
             /%%32%46evil.example /%2525%32%46",
        );
    }

    #[test]
    fn escapes_of_spaces_and_non_ascii_bytes_pass_after_the_first_segment() {
        for path in [
            "/a/caf%C3%A9",
            "/caf%C3%A9",
            "/search?q=%22a%20phrase%22",
            "/a/%09x",
        ] {
            assert_eq!(safe_next(path), Some(path), "{path}");
        }
        // ...but not where a browser strips them and dots are left.
        assert_refused("/a/.%09.%2F%2Fevil.example /a/%0A.. /a/%2e%0d/x");
    }

    #[test]
    fn a_backslash_is_refused_anywhere_raw_or_escaped() {
        assert_refused("/a\\b /a?q=\\ /a/%5Cb /a?q=%5c /a/%255C");
    }

    #[test]
    fn redirect_after_login_falls_back_to_the_default() {
        use axum::response::IntoResponse;
        let location = |next| {
            redirect_after_login(next, "/home")
                .into_response()
                .headers()["location"]
                .to_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(location(None), "/home");
        assert_eq!(location(Some("")), "/home");
        assert_eq!(location(Some("https://evil.example")), "/home");
        assert_eq!(location(Some("/back")), "/back");
    }
}
