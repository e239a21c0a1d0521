//! Serving the client script: its route, its tag, and its caching.
//!
//! # Caching
//!
//! The script is served with a strong `ETag` (a hash of the bytes served)
//! and answers a matching `If-None-Match` with `304 Not Modified`. At its
//! plain URL it is `Cache-Control: no-cache` (revalidated, never downloaded
//! twice); at the versioned URL that [`CLIENT_SCRIPT_TAG`],
//! [`ClientScript::src`] and [`ClientScript::script_tag`] write
//! (`/require-login.js?v=<hash>`) it is `public, max-age=31536000, immutable`,
//! so a second page view does not even ask. A `?v=` of another version (a
//! page from before a deploy) gets the current script, revalidated.

use std::sync::OnceLock;

use axum::body::{Body, Bytes};
use axum::response::Response;
use axum::routing::MethodRouter;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, X_CONTENT_TYPE_OPTIONS};
use http::{HeaderMap, HeaderValue, StatusCode, Uri};

use super::escape::{escape_html, hex16};
use super::script::ClientScript;

/// Where the demo and the docs serve the script: mount [`client_script`] (or
/// a [`ClientScript::method_router`]) here.
///
/// ```
/// assert_eq!(require_login::CLIENT_SCRIPT_PATH, "/require-login.js");
/// ```
pub const CLIENT_SCRIPT_PATH: &str = "/require-login.js";

/// The `<script>` tag that loads the default script ([`client_script`]) from
/// [`CLIENT_SCRIPT_PATH`], at its versioned URL: cached for good by the
/// browser, and a new URL whenever the script changes. Put it in the
/// `<head>` of every page that makes AJAX calls, before other scripts, so it
/// sees their requests.
///
/// ```
/// use require_login::{CLIENT_SCRIPT_PATH, CLIENT_SCRIPT_TAG, ClientScript};
///
/// assert!(CLIENT_SCRIPT_TAG.starts_with(r#"<script src="/require-login.js?v="#));
/// assert_eq!(CLIENT_SCRIPT_TAG, ClientScript::new().script_tag(CLIENT_SCRIPT_PATH));
/// ```
pub const CLIENT_SCRIPT_TAG: &str = match std::str::from_utf8(&DEFAULT_TAG) {
    Ok(tag) => tag,
    Err(_) => panic!("the script tag is ASCII"),
};

/// The client script for the default guard ([`LOGIN_REQUIRED`](crate::LOGIN_REQUIRED), falling back
/// to `/login?next=<page>` when a denial carries no usable `X-Login-Url`),
/// as a ready axum handler, with the caching described on [`ClientScript`]:
/// `304` for a matching `If-None-Match`, `immutable` at the versioned URL of
/// [`CLIENT_SCRIPT_TAG`].
///
/// ```
/// use axum::{routing::get, Router};
/// use require_login::{client_script, CLIENT_SCRIPT_PATH};
///
/// let app: Router = Router::new().route(CLIENT_SCRIPT_PATH, get(client_script));
/// ```
pub async fn client_script(uri: Uri, headers: HeaderMap) -> Response {
    static DEFAULT: OnceLock<Served> = OnceLock::new();
    DEFAULT
        .get_or_init(|| Served::new(ClientScript::new()))
        .respond(uri.query(), &headers)
}

/// An HTML `<script src="...">` tag for the script served at `src`, with
/// `src` escaped for the attribute. (For the client script's own versioned
/// URL, see [`ClientScript::script_tag`].)
///
/// ```
/// assert_eq!(
///     require_login::client::script_tag("/static/login.js?v=2&x=\"y\""),
///     r#"<script src="/static/login.js?v=2&amp;x=&quot;y&quot;"></script>"#,
/// );
/// ```
pub fn script_tag(src: &str) -> String {
    format!("<script src=\"{}\"></script>", escape_html(src))
}

impl ClientScript {
    /// The script as a full HTTP response: `200`, `text/javascript`,
    /// `nosniff`, its strong `ETag`, `Cache-Control: no-cache` (revalidated
    /// on every use). [`method_router`](Self::method_router) and
    /// [`client_script`] also answer `304` and the versioned URL.
    ///
    /// ```
    /// let script = require_login::ClientScript::new();
    /// let response = script.response();
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.headers()["content-type"], "text/javascript; charset=utf-8");
    /// assert_eq!(response.headers()["etag"], format!("\"{}\"", script.version()));
    /// ```
    pub fn response(&self) -> Response {
        Served::new(*self).respond(None, &HeaderMap::new())
    }

    /// A `GET` (and `HEAD`) route serving this script, for `Router::route`
    /// or [`GuardedRouter::public_route`](crate::GuardedRouter::public_route),
    /// with `304` for a matching `If-None-Match` and `immutable` caching at
    /// its versioned URL. The source is generated once, here.
    ///
    /// ```
    /// use axum::Router;
    /// use require_login::{router::get, ClientScript, GuardedRouter};
    ///
    /// const SCRIPT: ClientScript = ClientScript::new().with_sentinel("MY_APP_LOGIN");
    /// let plain: Router = Router::new().route("/static/require-login.js", SCRIPT.method_router());
    /// let guarded: Router = GuardedRouter::new()
    ///     .public_route("/static/require-login.js", SCRIPT.method_router())
    ///     .public_route("/login", get(|| async { "the form" }))
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn method_router<S>(self) -> MethodRouter<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let served = std::sync::Arc::new(Served::new(self));
        axum::routing::get(move |uri: Uri, headers: HeaderMap| {
            let response = served.respond(uri.query(), &headers);
            async move { response }
        })
    }
}

const TAG_START: &[u8] = b"<script src=\"/require-login.js?v=";
pub(super) const TAG_END: &[u8] = b"\"></script>";

/// [`CLIENT_SCRIPT_TAG`]'s bytes, built at compile time.
const DEFAULT_TAG: [u8; TAG_START.len() + 16 + TAG_END.len()] =
    versioned_tag(TAG_START, ClientScript::new().version_hash());

/// `start` (`<script src="PATH?v=`), `version` in 16 hex digits, and the
/// tag's end, at compile time; `N` is the whole length.
pub(super) const fn versioned_tag<const N: usize>(start: &[u8], version: u64) -> [u8; N] {
    let hex = hex16(version);
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = if i < start.len() {
            start[i]
        } else if i < start.len() + 16 {
            hex[i - start.len()]
        } else {
            TAG_END[i - start.len() - 16]
        };
        i += 1;
    }
    out
}

/// A script served apart from the client script (the session warning, log
/// in again in place): `asset` without comment lines, at `version` (the
/// hash of what is served), built once into `cell`.
pub(super) fn serve_asset(
    cell: &'static OnceLock<Served>,
    asset: &str,
    version: u64,
    uri: &Uri,
    headers: &HeaderMap,
) -> Response {
    cell.get_or_init(|| {
        let mut source = String::with_capacity(asset.len());
        super::script::push_served(&mut source, asset);
        let version = String::from_utf8_lossy(&hex16(version)).into_owned();
        Served::of(source, version)
    })
    .respond(uri.query(), headers)
}

/// A script ready to serve: its bytes, version and `ETag`.
pub(super) struct Served {
    body: Bytes,
    version: String,
    etag: HeaderValue,
}

impl Served {
    fn new(script: ClientScript) -> Served {
        Served::of(script.source(), script.version())
    }

    /// `source` at `version` (its hash, in hex).
    pub(super) fn of(source: String, version: String) -> Served {
        let etag = HeaderValue::from_str(&format!("\"{version}\"")).expect("hex digits in quotes");
        Served {
            body: Bytes::from(source),
            version,
            etag,
        }
    }

    /// The answer to a request with this `query` and these headers: `304`
    /// when `If-None-Match` names this version, else the script; `immutable`
    /// at this version's URL, `no-cache` at any other.
    pub(super) fn respond(&self, query: Option<&str>, headers: &HeaderMap) -> Response {
        let versioned = query.is_some_and(|query| {
            query
                .split('&')
                .any(|pair| pair.strip_prefix("v=") == Some(self.version.as_str()))
        });
        let not_modified = headers
            .get_all(IF_NONE_MATCH)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .any(|tag| tag == "*" || tag.trim_start_matches("W/") == self.etag);
        let mut response = if not_modified {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            response
        } else {
            Response::new(Body::from(self.body.clone()))
        };
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/javascript; charset=utf-8"),
        );
        headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static(if versioned {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            }),
        );
        headers.insert(ETAG, self.etag.clone());
        headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_is_javascript_revalidated_with_a_strong_etag() {
        let response = ClientScript::new().response();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        assert_eq!(response.headers()[CACHE_CONTROL], "no-cache");
        assert_eq!(response.headers()[X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(
            response.headers()[ETAG],
            format!("\"{}\"", ClientScript::new().version())
        );
    }

    fn if_none_match(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn a_matching_if_none_match_is_answered_304_without_a_body() {
        let served = Served::new(ClientScript::new());
        let etag = format!("\"{}\"", served.version);
        for value in [
            etag.clone(),
            format!("W/{etag}"),
            format!("\"other\", {etag}"),
            "*".to_owned(),
        ] {
            let response = served.respond(None, &if_none_match(&value));
            assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "{value}");
            assert_eq!(response.headers()[ETAG], etag.as_str());
            assert_eq!(response.headers()[CACHE_CONTROL], "no-cache");
        }
        for value in ["\"other\"", "\"\"", "W/\"other\""] {
            let response = served.respond(None, &if_none_match(value));
            assert_eq!(response.status(), StatusCode::OK, "{value}");
        }
        let other = Served::new(ClientScript::new().with_sentinel("OTHER"));
        assert_eq!(
            other.respond(None, &if_none_match(&etag)).status(),
            StatusCode::OK,
            "another script's ETag does not match"
        );
    }

    #[test]
    fn the_versioned_url_is_immutable_and_any_other_version_revalidated() {
        let served = Served::new(ClientScript::new());
        let this = format!("v={}", served.version);
        let immutable = served.respond(Some(&this), &HeaderMap::new());
        assert_eq!(immutable.status(), StatusCode::OK);
        assert_eq!(
            immutable.headers()[CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        for query in [Some("v=0123456789abcdef"), Some("x=1"), None] {
            let response = served.respond(query, &HeaderMap::new());
            assert_eq!(response.headers()[CACHE_CONTROL], "no-cache", "{query:?}");
        }
    }

    #[test]
    fn the_default_tag_is_the_default_scripts_versioned_url() {
        assert_eq!(
            CLIENT_SCRIPT_TAG,
            format!(
                "<script src=\"{CLIENT_SCRIPT_PATH}?v={}\"></script>",
                ClientScript::new().version()
            )
        );
        assert_eq!(
            ClientScript::new().script_tag(CLIENT_SCRIPT_PATH),
            CLIENT_SCRIPT_TAG
        );
    }

    #[test]
    fn script_tag_escapes_the_attribute() {
        assert_eq!(
            script_tag("\"><img src=x onerror=alert(1)>"),
            "<script src=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\"></script>"
        );
    }
}
