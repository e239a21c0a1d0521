//! Refusing cross-site requests to the login handler (login CSRF).

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HOST, ORIGIN};
use http::request::Parts;
use http::{HeaderName, HeaderValue, StatusCode, Uri};

static SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// An extractor that refuses a request another site's page made: put it
/// first in the login handler, so another site cannot log your visitors in
/// to an account of its choosing (login CSRF) through a form of its own.
///
/// Refused with [`CrossSiteRequest`] (`403`):
/// - `Sec-Fetch-Site: cross-site` (every current browser sends it);
/// - an `Origin` that is not this host's (compared with `Host`), or
///   `Origin: null` (sandboxed frames, privacy redirects).
///
/// A request with neither header passes: it does not come from a current
/// browser's page, so no other site made it. Behind a proxy, keep the
/// public host in `Host` (the usual setting), or every login is refused.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use axum::{body::Body, routing::post, Router};
/// use require_login::FromThisSite;
/// use tower::ServiceExt;
///
/// async fn log_in(_: FromThisSite) -> &'static str {
///     "welcome" // check the password, `require_login::login`, `redirect_after_login`
/// }
/// let app: Router = Router::new().route("/login", post(log_in));
///
/// let from = |origin: &str| {
///     http::Request::post("/login")
///         .header("host", "app.example")
///         .header("origin", origin)
///         .body(Body::empty())
///         .unwrap()
/// };
/// let ours = app.clone().oneshot(from("https://app.example")).await.unwrap();
/// assert_eq!(ours.status(), 200);
/// let theirs = app.oneshot(from("https://evil.example")).await.unwrap();
/// assert_eq!(theirs.status(), 403);
/// # });
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FromThisSite;

impl<S: Send + Sync> FromRequestParts<S> for FromThisSite {
    type Rejection = CrossSiteRequest;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, CrossSiteRequest> {
        FromThisSite::check(parts)
    }
}

impl FromThisSite {
    /// The extractor's check, for code that holds the request's [`Parts`].
    ///
    /// ```
    /// use require_login::FromThisSite;
    ///
    /// let (parts, ()) = http::Request::post("/login")
    ///     .header("sec-fetch-site", "cross-site")
    ///     .body(())
    ///     .unwrap()
    ///     .into_parts();
    /// assert!(FromThisSite::check(&parts).is_err());
    /// ```
    ///
    /// # Errors
    /// [`CrossSiteRequest`] when another site's page made the request.
    pub fn check(parts: &Parts) -> Result<Self, CrossSiteRequest> {
        let headers = &parts.headers;
        if headers
            .get(&SEC_FETCH_SITE)
            .is_some_and(|site| site.as_bytes().eq_ignore_ascii_case(b"cross-site"))
        {
            return Err(CrossSiteRequest);
        }
        let Some(origin) = headers.get(ORIGIN) else {
            return Ok(FromThisSite);
        };
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.authority().map(http::uri::Authority::as_str));
        let origin_host = origin
            .to_str()
            .ok()
            .and_then(|o| o.parse::<Uri>().ok())
            .filter(|o| o.scheme().is_some())
            .and_then(|o| Some(o.authority()?.as_str().to_owned()));
        match (origin_host, host) {
            (Some(origin_host), Some(host)) if origin_host.eq_ignore_ascii_case(host) => {
                Ok(FromThisSite)
            }
            _ => Err(CrossSiteRequest),
        }
    }
}

/// The answer to a request another site's page made: `403 Forbidden`,
/// saying why in plain text.
///
/// ```
/// use axum::response::IntoResponse;
///
/// let response = require_login::CrossSiteRequest.into_response();
/// assert_eq!(response.status(), 403);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrossSiteRequest;

impl std::fmt::Display for CrossSiteRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "Cross-site request refused: this form only accepts submissions from this site's own pages.",
        )
    }
}

impl std::error::Error for CrossSiteRequest {}

impl IntoResponse for CrossSiteRequest {
    fn into_response(self) -> Response {
        (
            StatusCode::FORBIDDEN,
            [
                (
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                ),
                (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            self.to_string(),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(headers: &[(&str, &str)]) -> Result<FromThisSite, CrossSiteRequest> {
        let mut request = http::Request::post("/login");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        FromThisSite::check(&request.body(()).unwrap().into_parts().0)
    }

    #[test]
    fn same_origin_and_headerless_requests_pass() {
        assert!(check(&[]).is_ok());
        assert!(check(&[
            ("host", "app.test:8080"),
            ("origin", "http://app.test:8080")
        ])
        .is_ok());
        assert!(check(&[("host", "App.Test"), ("origin", "https://app.test")]).is_ok());
        assert!(check(&[("sec-fetch-site", "same-origin"), ("host", "app.test")]).is_ok());
        assert!(check(&[("sec-fetch-site", "none")]).is_ok());
    }

    #[test]
    fn cross_site_requests_are_refused() {
        assert!(check(&[("sec-fetch-site", "cross-site")]).is_err());
        assert!(check(&[("sec-fetch-site", "Cross-Site"), ("host", "app.test")]).is_err());
        assert!(check(&[("host", "app.test"), ("origin", "https://evil.test")]).is_err());
        assert!(check(&[
            ("host", "app.test"),
            ("origin", "https://app.test.evil.test")
        ])
        .is_err());
        assert!(check(&[
            ("host", "app.test:8080"),
            ("origin", "http://app.test:9090")
        ])
        .is_err());
        assert!(check(&[("host", "app.test"), ("origin", "null")]).is_err());
        assert!(
            check(&[("origin", "https://app.test")]).is_err(),
            "no host to compare with"
        );
    }
}
