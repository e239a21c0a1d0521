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
/// - an `Origin` that is not this site's, or `Origin: null` (sandboxed
///   frames, privacy redirects).
///
/// What "this site's" means:
/// - **with a [`PublicOrigin`]** in the request's extensions (declare it
///   once, `.layer(Extension(PublicOrigin::parse("https://app.example")?))`):
///   the `Origin`'s scheme, host and port must all be the declared ones;
///   `Host` is not read.
/// - **without one:** the `Origin`'s host and port must be `Host`'s. The
///   scheme is not compared, since the server cannot know its own behind a
///   proxy that ends TLS: a page of `http://app.example` passes on
///   `https://app.example`. Browsers with Fetch Metadata mark such a
///   request `cross-site` anyway; declare the public origin to refuse it
///   from older browsers too.
///
/// A request with neither header passes: it does not come from a current
/// browser's page, so no other site made it. Without a public origin,
/// behind a proxy, keep the public host in `Host` (the usual setting), or
/// every login is refused.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use axum::{body::Body, routing::post, Router};
/// use require_login::login::FromThisSite;
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
    /// use require_login::login::FromThisSite;
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
        if let Some(public) = parts.extensions.get::<PublicOrigin>() {
            let same = origin
                .to_str()
                .ok()
                .and_then(|origin| PublicOrigin::parse(origin).ok())
                .is_some_and(|origin| origin == *public);
            return if same {
                Ok(FromThisSite)
            } else {
                Err(CrossSiteRequest)
            };
        }
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

/// This site's public origin, as a visitor's browser sees it: scheme, host
/// and port. Put it in the request extensions and [`FromThisSite`]
/// compares all three with the `Origin` header, not `Host`.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use axum::{body::Body, routing::post, Extension, Router};
/// use require_login::login::{FromThisSite, PublicOrigin};
/// use tower::ServiceExt;
///
/// async fn log_in(_: FromThisSite) -> &'static str {
///     "welcome"
/// }
/// let public = PublicOrigin::parse("https://app.example").unwrap();
/// let app: Router = Router::new()
///     .route("/login", post(log_in))
///     .layer(Extension(public));
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
/// let plain_http = app.oneshot(from("http://app.example")).await.unwrap();
/// assert_eq!(plain_http.status(), 403);
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicOrigin {
    scheme: String,
    host: String,
    /// `None` for the scheme's default port, so `https://a` is `https://a:443`.
    port: Option<u16>,
}

impl PublicOrigin {
    /// Parses an origin as browsers write it in `Origin`: `scheme://host`
    /// with an optional `:port`, nothing after it but an optional `/`.
    /// Scheme and host are compared without case; a scheme's default port
    /// is the same as none.
    ///
    /// ```
    /// use require_login::login::PublicOrigin;
    ///
    /// assert_eq!(
    ///     PublicOrigin::parse("https://App.Example:443").unwrap(),
    ///     PublicOrigin::parse("https://app.example").unwrap(),
    /// );
    /// assert!(PublicOrigin::parse("app.example").is_err());
    /// assert!(PublicOrigin::parse("https://app.example/login").is_err());
    /// ```
    ///
    /// # Errors
    /// [`InvalidPublicOrigin`], saying what is wrong, for anything else.
    pub fn parse(origin: &str) -> Result<Self, InvalidPublicOrigin> {
        let invalid = |why| InvalidPublicOrigin {
            origin: origin.to_owned(),
            why,
        };
        let uri: Uri = origin.parse().map_err(|_| invalid("it is not a URL"))?;
        let scheme = uri
            .scheme_str()
            .ok_or_else(|| invalid("it has no scheme; write it as `https://host`"))?
            .to_ascii_lowercase();
        let authority = uri
            .authority()
            .ok_or_else(|| invalid("it has no host; write it as `https://host`"))?;
        if authority.as_str().contains('@') {
            return Err(invalid("an origin holds no user name or password"));
        }
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(invalid(
                "an origin has no path or query; write only `scheme://host:port`",
            ));
        }
        let default_port = match scheme.as_str() {
            "https" => 443,
            "http" => 80,
            _ => return Err(invalid("the scheme is not `http` or `https`")),
        };
        Ok(PublicOrigin {
            scheme,
            host: authority.host().to_ascii_lowercase(),
            port: authority.port_u16().filter(|&port| port != default_port),
        })
    }
}

impl std::fmt::Display for PublicOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        match self.port {
            Some(port) => write!(f, ":{port}"),
            None => Ok(()),
        }
    }
}

/// Why [`PublicOrigin::parse`] refused its text.
///
/// ```
/// let error = require_login::login::PublicOrigin::parse("app.example").unwrap_err();
/// assert!(error.to_string().contains("no scheme"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPublicOrigin {
    origin: String,
    why: &'static str,
}

impl std::fmt::Display for InvalidPublicOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} is not a public origin: {}", self.origin, self.why)
    }
}

impl std::error::Error for InvalidPublicOrigin {}

/// The answer to a request another site's page made: `403 Forbidden`,
/// saying why in plain text.
///
/// ```
/// use axum::response::IntoResponse;
///
/// let response = require_login::login::CrossSiteRequest.into_response();
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

    fn check_with_public(
        public: &str,
        headers: &[(&str, &str)],
    ) -> Result<FromThisSite, CrossSiteRequest> {
        let mut request = http::Request::post("/login");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut parts = request.body(()).unwrap().into_parts().0;
        parts
            .extensions
            .insert(PublicOrigin::parse(public).unwrap());
        FromThisSite::check(&parts)
    }

    #[test]
    fn a_public_origin_compares_the_scheme_host_and_port() {
        let https = "https://app.test";
        let with_host =
            |origin| check_with_public(https, &[("host", "app.test"), ("origin", origin)]);
        assert!(with_host("https://app.test").is_ok());
        assert!(with_host("https://APP.test:443").is_ok());
        assert!(with_host("http://app.test").is_err(), "the scheme");
        assert!(with_host("https://app.test:8443").is_err(), "the port");
        assert!(with_host("https://evil.test").is_err(), "the host");
        assert!(with_host("null").is_err());
        // `Host` is not read: a proxy may rewrite it.
        assert!(check_with_public(https, &[("host", "backend:3000"), ("origin", https)]).is_ok());
        assert!(
            check_with_public(https, &[]).is_ok(),
            "no Origin, no browser page"
        );
        assert!(check_with_public(
            https,
            &[("sec-fetch-site", "cross-site"), ("origin", https)]
        )
        .is_err());
    }

    #[test]
    fn without_a_public_origin_the_scheme_is_not_compared() {
        assert!(check(&[("host", "app.test"), ("origin", "http://app.test")]).is_ok());
    }

    #[test]
    fn public_origins_that_are_not_origins_are_refused() {
        for (text, why) in [
            ("app.test", "no scheme"),
            ("ftp://app.test", "not `http` or `https`"),
            ("https://app.test/login", "no path"),
            ("https://user@app.test", "no user name"),
            ("", "not a URL"),
        ] {
            let error = PublicOrigin::parse(text).unwrap_err().to_string();
            assert!(error.contains(why), "{text:?}: {error}");
        }
        assert_eq!(
            PublicOrigin::parse("HTTP://App.Test:80/")
                .unwrap()
                .to_string(),
            "http://app.test"
        );
        assert_eq!(
            PublicOrigin::parse("https://app.test:8443")
                .unwrap()
                .to_string(),
            "https://app.test:8443"
        );
    }
}
