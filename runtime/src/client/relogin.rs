//! Log in again in place (`runtime/assets/relogin.js`): the script that
//! keeps a denied call while the user logs in again in a popup, and the
//! page the popup comes back to.

use std::sync::OnceLock;

use axum::response::{Html, Response};
use http::{HeaderMap, Uri};

use super::escape::js_string;
use super::script::hash_served;
use super::serve::{serve_asset, versioned_tag, Served, TAG_END};
use super::PageOwner;
use crate::fnv;

/// Where the script is served: mount [`relogin_script`] here.
///
/// ```
/// assert_eq!(require_login::client::RELOGIN_SCRIPT_PATH, "/require-login-relogin.js");
/// ```
pub const RELOGIN_SCRIPT_PATH: &str = "/require-login-relogin.js";

/// Where the login popup comes back to (its `next`): mount a guarded
/// handler answering [`relogin_done_page`] here.
///
/// ```
/// assert_eq!(require_login::client::RELOGIN_DONE_PATH, "/require-login/relogin-done");
/// ```
pub const RELOGIN_DONE_PATH: &str = "/require-login/relogin-done";

/// The `<meta>` a kept call's new CSRF token is read from and written
/// to: `<meta name="csrf-token" content="…">`.
///
/// ```
/// assert_eq!(require_login::client::RELOGIN_CSRF_META, "csrf-token");
/// ```
pub const RELOGIN_CSRF_META: &str = "csrf-token";

/// The request header of a kept call that is given the new session's CSRF
/// token when the call is sent again.
///
/// ```
/// assert_eq!(require_login::client::RELOGIN_CSRF_HEADER, "X-CSRF-Token");
/// ```
pub const RELOGIN_CSRF_HEADER: &str = "X-CSRF-Token";

/// The `<script>` tag of the script, at its versioned URL (cached for good).
/// Put it after [`CLIENT_SCRIPT_TAG`](crate::CLIENT_SCRIPT_TAG) on the pages
/// that log in again in place; leave it out, and denials go to the login
/// page as always.
///
/// ```
/// use require_login::client::RELOGIN_SCRIPT_TAG;
/// assert!(RELOGIN_SCRIPT_TAG.starts_with(r#"<script src="/require-login-relogin.js?v="#));
/// ```
pub const RELOGIN_SCRIPT_TAG: &str = match std::str::from_utf8(&TAG) {
    Ok(tag) => tag,
    Err(_) => panic!("the script tag is ASCII"),
};

/// The script as an axum handler, cached as the client script is.
///
/// ```
/// use axum::{routing::get, Router};
/// use require_login::client::{relogin_script, RELOGIN_SCRIPT_PATH};
///
/// let app: Router = Router::new().route(RELOGIN_SCRIPT_PATH, get(relogin_script));
/// ```
pub async fn relogin_script(uri: Uri, headers: HeaderMap) -> Response {
    static SERVED: OnceLock<Served> = OnceLock::new();
    serve_asset(&SERVED, ASSET, VERSION, &uri, &headers)
}

/// The page the login popup comes back to, for the user just logged in:
/// it tells every tab of the site who that is (`owner`, the page owner
/// value the pages carry) and the new session's CSRF token (`csrf_token`),
/// then closes itself. Answer it from a guarded handler at
/// [`RELOGIN_DONE_PATH`], so that a popup not logged in is sent to log in.
///
/// ```
/// use require_login::client::{relogin_done_page, PageOwnerKey};
///
/// let key = PageOwnerKey::new([7u8; 32]).unwrap();
/// let owner = key.owner_of(require_login::options::SESSION_KEY, "ada").unwrap();
/// let page = relogin_done_page(Some(&owner), Some("t0k3n")).0;
/// assert!(page.contains(owner.as_str()));
/// assert!(page.contains("t0k3n"));
/// ```
pub fn relogin_done_page(owner: Option<&PageOwner>, csrf_token: Option<&str>) -> Html<String> {
    let owner = owner.map_or_else(|| "null".to_owned(), |owner| js_string(owner.as_str()));
    let csrf = csrf_token.map_or_else(|| "null".to_owned(), js_string);
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Logged in</title></head>\
         <body><main><p>You are logged in again. You can close this window.</p></main>\
         <script>(function () {{ var message = {{ type: \"logged-in\", owner: {owner}, csrf: {csrf} }};\
         try {{ new BroadcastChannel(\"require-login:relogin\").postMessage(message); }} catch (e) {{}}\
         window.close(); }})();</script></body></html>"
    ))
}

/// The script as written.
pub(super) const ASSET: &str = include_str!("../../assets/relogin.js");

/// FNV-1a of the served bytes: the version, computed at compile time.
const VERSION: u64 = hash_served(fnv::OFFSET, ASSET);

const TAG_START: &[u8] = b"<script src=\"/require-login-relogin.js?v=";

const TAG: [u8; TAG_START.len() + 16 + TAG_END.len()] = versioned_tag(TAG_START, VERSION);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::script::push_served;

    #[test]
    fn the_script_and_the_crate_name_the_same_paths_headers_and_channel() {
        for (name, value) in [
            ("DONE_PATH", RELOGIN_DONE_PATH),
            ("CSRF_META", RELOGIN_CSRF_META),
            ("CSRF_HEADER", RELOGIN_CSRF_HEADER),
            ("OWNER", super::super::PAGE_OWNER_META),
        ] {
            let line = format!("var {name} = \"{value}\";");
            assert!(ASSET.contains(&line), "relogin.js should say {line}");
        }
        let page = relogin_done_page(None, None).0;
        assert!(ASSET.contains("var CHANNEL = \"require-login:relogin\";"));
        assert!(page.contains("BroadcastChannel(\"require-login:relogin\")"));
        assert!(page.contains("owner: null, csrf: null"));
    }

    #[test]
    fn the_done_page_escapes_what_it_is_given() {
        let page = relogin_done_page(None, Some("</script><b>")).0;
        assert!(!page.contains("</script><b>"));
    }

    #[test]
    fn the_relogin_script_fits_its_budget() {
        // Its own budget, as the session warning's: 3.5 KB gzipped.
        let mut source = String::new();
        push_served(&mut source, ASSET);
        let size = super::super::script::tests::gzipped(&source);
        println!("relogin: {} bytes, {size} gzipped", source.len());
        assert!(
            size <= 3584,
            "{} bytes, {size} gzipped, over 3584",
            source.len()
        );
    }
}
