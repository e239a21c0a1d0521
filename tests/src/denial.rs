//! What a denial looks like, asserted one way for every test file: the
//! redirect a navigation gets, the sentinel answer of an AJAX call, htmx's
//! answer, and the plain 500 of a failing store.
//!
//! Each assertion checks the whole answer (status, body, the headers that
//! carry the login URL and the ones that must be absent, caching), so a
//! test says only what it expects: `assert_redirect(&answer, "/login?next=/dash", case)`.

use http::StatusCode;
use require_login::LOGIN_REQUIRED;

use crate::Answer;

/// The `Vary` of every denial: the request headers the guard reads.
pub const VARY: &str = "Cookie, X-Inertia, HX-Boosted, X-Turbo-Request-Id, X-Requested-With, \
     HX-Request, Sec-Fetch-Mode, Accept, HX-Current-URL, Referer";

/// The login URL a denial must carry: all of it, or only its path when the
/// return-to link is not what the test is about.
#[derive(Debug, Clone, Copy)]
pub enum Login<'a> {
    /// The whole URL, return-to link included.
    Exact(&'a str),
    /// The path, whatever the query.
    Path(&'a str),
}

impl<'a> From<&'a str> for Login<'a> {
    fn from(url: &'a str) -> Self {
        Login::Exact(url)
    }
}

impl Login<'_> {
    #[track_caller]
    fn assert_matches(self, header: &str, url: &str, case: &str) {
        match self {
            Login::Exact(expected) => assert_eq!(url, expected, "{case}: {header}"),
            Login::Path(expected) => {
                let path = url.split('?').next().unwrap_or(url);
                assert_eq!(path, expected, "{case}: {header} {url}");
            }
        }
    }
}

/// A navigation's denial: `303 See Other` to `login`, empty, uncacheable,
/// and none of the AJAX headers.
#[track_caller]
pub fn assert_redirect<'a>(answer: &Answer, login: impl Into<Login<'a>>, case: &str) {
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{case}: {answer:?}");
    login
        .into()
        .assert_matches("location", answer.header("location"), case);
    assert_eq!(answer.body, "", "{case}: a redirect has no body");
    assert_uncacheable(answer, case);
    for absent in ["x-login-url", "hx-redirect"] {
        assert!(answer.headers.get(absent).is_none(), "{case}: {answer:?}");
    }
}

/// An AJAX call's denial with the defaults: `403`, the body exactly
/// [`LOGIN_REQUIRED`], `X-Login-Url: login`, no `HX-Redirect`.
#[track_caller]
pub fn assert_sentinel<'a>(answer: &Answer, login: impl Into<Login<'a>>, case: &str) {
    assert_ajax(answer, Ajax::default(), login, case);
}

/// htmx's denial with the defaults: [`assert_sentinel`]'s, and `HX-Redirect`
/// to the same login URL, which htmx follows itself.
#[track_caller]
pub fn assert_htmx<'a>(answer: &Answer, login: impl Into<Login<'a>>, case: &str) {
    assert_ajax(
        answer,
        Ajax {
            htmx: true,
            ..Ajax::default()
        },
        login,
        case,
    );
}

/// How an AJAX denial is answered: its status and sentinel (a route's own
/// options can change both), and whether the request was htmx's.
#[derive(Debug, Clone, Copy)]
pub struct Ajax<'a> {
    pub status: StatusCode,
    pub sentinel: &'a str,
    pub htmx: bool,
}

impl Default for Ajax<'_> {
    fn default() -> Self {
        Ajax {
            status: StatusCode::FORBIDDEN,
            sentinel: LOGIN_REQUIRED,
            htmx: false,
        }
    }
}

/// An AJAX denial as `ajax` says: its status, the sentinel as a `text/plain`
/// body, `X-Login-Url` (and for htmx `HX-Redirect`) to `login`, no
/// `Location`, uncacheable.
#[track_caller]
pub fn assert_ajax<'a>(answer: &Answer, ajax: Ajax<'_>, login: impl Into<Login<'a>>, case: &str) {
    assert_eq!(answer.status, ajax.status, "{case}: {answer:?}");
    assert_eq!(answer.body, ajax.sentinel, "{case}");
    assert_eq!(
        answer.header("content-type"),
        "text/plain; charset=utf-8",
        "{case}"
    );
    let login = login.into();
    login.assert_matches("x-login-url", answer.header("x-login-url"), case);
    if ajax.htmx {
        login.assert_matches("hx-redirect", answer.header("hx-redirect"), case);
    } else {
        assert!(
            answer.headers.get("hx-redirect").is_none(),
            "{case}: {answer:?}"
        );
    }
    assert!(
        answer.headers.get("location").is_none(),
        "{case}: {answer:?}"
    );
    assert_uncacheable(answer, case);
}

/// A store failure's answer: a plain `500` that carries no login URL and no
/// sentinel, since whether the user is logged in is unknown.
#[track_caller]
pub fn assert_store_500(answer: &Answer, case: &str) {
    assert_eq!(
        answer.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{case}: {answer:?}"
    );
    for header in ["location", "x-login-url", "hx-redirect"] {
        assert!(
            answer.headers.get(header).is_none(),
            "{case}: {header} on a store failure: {answer:?}"
        );
    }
    assert_ne!(answer.body, LOGIN_REQUIRED, "{case}");
}

/// Every denial is `no-store` and varies on what the guard reads, so no
/// cache hands one user's answer to another.
#[track_caller]
fn assert_uncacheable(answer: &Answer, case: &str) {
    assert_eq!(answer.header("cache-control"), "no-store", "{case}");
    assert_eq!(answer.header("vary"), VARY, "{case}");
}
