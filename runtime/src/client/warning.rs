//! The session warning script: the dialog before the session ends, and
//! the news of a logout to every tab (`runtime/assets/session-warning.js`).

use std::sync::OnceLock;

use axum::response::Response;
use http::{HeaderMap, Uri};

use super::script::hash_served;
use super::serve::{serve_asset, versioned_tag, Served, TAG_END};
use crate::fnv;

/// Where the warning script is served: mount [`warning_script`] here.
///
/// ```
/// assert_eq!(require_login::client::WARNING_SCRIPT_PATH, "/require-login-warning.js");
/// ```
pub const WARNING_SCRIPT_PATH: &str = "/require-login-warning.js";

/// The `<script>` tag of the warning script, at its versioned URL (cached
/// for good). Put it after [`CLIENT_SCRIPT_TAG`](crate::CLIENT_SCRIPT_TAG),
/// on the pages that should warn before the session ends; the server's
/// [`Deadlines::with_warning`](crate::deadline::Deadlines::with_warning)
/// says how long before.
///
/// ```
/// use require_login::client::WARNING_SCRIPT_TAG;
/// assert!(WARNING_SCRIPT_TAG.starts_with(r#"<script src="/require-login-warning.js?v="#));
/// ```
pub const WARNING_SCRIPT_TAG: &str = match std::str::from_utf8(&TAG) {
    Ok(tag) => tag,
    Err(_) => panic!("the script tag is ASCII"),
};

/// The warning script as an axum handler, cached as the client script is
/// (`304` for a matching `If-None-Match`, `immutable` at the versioned URL
/// of [`WARNING_SCRIPT_TAG`]).
///
/// The script asks [`STATUS_PATH`](crate::deadline::STATUS_PATH) how long
/// the session has left, reads `X-Session-Left` on every same-origin
/// response, and opens an accessible modal dialog before the end: "Stay
/// signed in" (also Enter and Esc) extends the session, "Log out" posts to
/// the logout URL. A tab that logs out tells the others, which leave for
/// the login page. Its texts can be replaced per page (see the manual).
///
/// ```
/// use axum::{routing::get, Router};
/// use require_login::client::{warning_script, WARNING_SCRIPT_PATH};
///
/// let app: Router = Router::new().route(WARNING_SCRIPT_PATH, get(warning_script));
/// ```
pub async fn warning_script(uri: Uri, headers: HeaderMap) -> Response {
    static SERVED: OnceLock<Served> = OnceLock::new();
    serve_asset(&SERVED, ASSET, VERSION, &uri, &headers)
}

/// The script as written.
pub(super) const ASSET: &str = include_str!("../../assets/session-warning.js");

/// FNV-1a of the served bytes: the version, computed at compile time.
const VERSION: u64 = hash_served(fnv::OFFSET, ASSET);

const TAG_START: &[u8] = b"<script src=\"/require-login-warning.js?v=";

const TAG: [u8; TAG_START.len() + 16 + TAG_END.len()] = versioned_tag(TAG_START, VERSION);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::escape::hex16;
    use crate::client::script::push_served;

    fn served() -> String {
        let mut source = String::new();
        push_served(&mut source, ASSET);
        source
    }

    #[test]
    fn the_version_is_the_hash_of_what_is_served() {
        let source = served();
        assert_eq!(fnv::update(fnv::OFFSET, source.as_bytes()), VERSION);
        assert!(WARNING_SCRIPT_TAG.contains(&*String::from_utf8_lossy(&hex16(VERSION))));
    }

    #[test]
    fn the_warning_script_fits_its_budget() {
        // Its own budget, beside the client script's: 3.5 KB gzipped, as
        // the script proper's.
        let source = served();
        let size = super::super::script::tests::gzipped(&source);
        println!("session warning: {} bytes, {size} gzipped", source.len());
        assert!(
            size <= 3584,
            "{} bytes, {size} gzipped, over 3584",
            source.len()
        );
    }

    #[tokio::test]
    async fn it_is_served_as_javascript_cached_at_its_versioned_url() {
        let uri: Uri = WARNING_SCRIPT_TAG
            .trim_start_matches("<script src=\"")
            .trim_end_matches("\"></script>")
            .parse()
            .unwrap();
        let response = warning_script(uri, HeaderMap::new()).await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
    }
}
