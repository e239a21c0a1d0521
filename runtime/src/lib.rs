//! Guard axum handlers with a login check that also does the right thing
//! for AJAX calls whose session has expired.
//!
//! # The problem
//!
//! A page that needs a logged-in user calls the server with `fetch()`,
//! `XMLHttpRequest`, jQuery or htmx. When the session expires, a plain redirect
//! to the login page is followed silently by the script's request: it gets
//! the login page's HTML, or an error, and the page looks dead.
//!
//! # The fix
//!
//! `#[require_login]` checks the session before the handler (and before any
//! of its extractors) runs:
//!
//! - a **browser navigation** of a logged-out user gets `303 See Other` to the
//!   login page, with `?next=` the page to come back to;
//! - an **AJAX call** gets `403` with the body [`LOGIN_REQUIRED`] (the
//!   *sentinel*) and the login URL in `X-Login-Url` (and `HX-Redirect` for
//!   htmx), which a small script on the page turns into a visit to the login
//!   page.
//!
//! ```
//! use axum::{routing::{get, post}, Json, Router};
//! use require_login::require_login;
//! use tower_sessions::{MemoryStore, Session, SessionManagerLayer};
//!
//! #[require_login]
//! async fn dashboard() -> &'static str {
//!     "only for logged-in users"
//! }
//!
//! /// The admin area has a login page of its own, and a 401 for scripts.
//! #[require_login(login = "/admin/login", status = 401)]
//! async fn save_settings(Json(settings): Json<serde_json::Value>) -> String {
//!     format!("saved {settings}") // the JSON is not even parsed for a logged-out user
//! }
//!
//! async fn log_in(session: Session) -> Result<&'static str, String> {
//!     // ...after checking the password:
//!     require_login::login(&session, "ada").await.map_err(|e| e.to_string())?;
//!     Ok("welcome")
//! }
//!
//! let app: Router = Router::new()
//!     .route("/dashboard", get(dashboard))
//!     .route("/admin/settings", post(save_settings))
//!     .route("/login", post(log_in))
//!     .layer(SessionManagerLayer::new(MemoryStore::default()));
//! ```
//!
//! # Options
//!
//! | argument | default | meaning |
//! |---|---|---|
//! | `login = "/login"` | `/login` | a single-slash path, an `https://` URL, a route name registered in [`LoginRoutes`], or a path to a `const &str` |
//! | `sentinel = "..."` | [`LOGIN_REQUIRED`] | the AJAX body: a literal or a `const &str`, 1–128 bytes of visible ASCII |
//! | `status = 403` | 403 | 401 or 403 |
//! | `redirect_field = "next"` | `next` | the return-to query parameter; `false` leaves it off |
//! | `session_key = "..."` | [`SESSION_KEY`] | the key whose presence means "logged in" |
//! | `crate = "..."` | `::require_login` | where this crate is, when you re-export it |
//! | `axum_login = Backend` | (off) | feature `axum-login`: logged in means axum-login's `AuthSession<Backend>` has a user (not with `session_key`) |
//!
//! Every value is checked at compile time, consts too: a bad one is a
//! compile error at the argument.
//!
//! # Deny by default
//!
//! [`GuardedRouter`] builds an app in which every route is guarded unless it
//! is declared public (`public_route`): a route added without a word is
//! guarded, with the handler's own `#[require_login]` options or the app's
//! default. It refuses, at start-up, a guarded login page, an unknown login
//! route name and a path both public and guarded, and lists every route
//! with its protection ([`GuardedRouter::audit`], [`audit_table`],
//! [`assert_audit_table`] to pin it in a test). Build its routes with
//! [`routing`]'s `get`, `post`, ... (axum's names).
//!
//! ```
//! use require_login::routing::get;
//! use require_login::GuardedRouter;
//!
//! let app: axum::Router = GuardedRouter::new()
//!     .route("/dashboard", get(|| async { "logged-in users only" }))
//!     .public_route("/login", get(|| async { "the login form" }))
//!     .build()
//!     .expect("the login page is public");
//! ```
//!
//! # Without the macro
//!
//! The attribute only inserts a [`RequireLogin`] extractor as the handler's
//! first argument; you can write it yourself, configured by a
//! [`GuardConfig`] type. To guard a whole group of routes, use
//! [`RequireLoginLayer`] with `Router::route_layer`: the same options, the
//! same decision ([`enforce`]).
//!
//! # On axum-login
//!
//! With the cargo feature `axum-login`, `#[require_login(axum_login = Backend)]`
//! (and `GuardOptions::new().axum_login::<Backend>()` for layers and
//! [`GuardConfig`] types) makes "logged in" mean that axum-login's
//! `AuthSession<Backend>` has a user. The guard reads what axum-login's
//! `AuthManagerLayer` already loaded and decides the rest as for a session
//! key. The README's "Already on axum-login?" shows the change from
//! `login_required!`.
//!
//! # Named login targets
//!
//! `login = "admin-login"` names a route that a [`LoginRoutes`] installed
//! on the router resolves at request time. Check at start-up that every name
//! in use is registered: [`LoginRoutes::check_guarded_handlers`] for the
//! attribute's, [`LoginRoutes::check_options`] for layers' and
//! [`GuardConfig`] types'.
//!
//! # Logging in and coming back
//!
//! The login handler takes [`FromThisSite`] first (another site's login POST
//! is a `403`: no login CSRF), logs the user in with [`login`], and ends with
//! [`redirect_after_login`]: `303` to the form's `next` when [`safe_next`]
//! accepts it, else to a default. Every `next` the guard emits passes
//! [`safe_next`] once decoded, and is never the login page itself. Client
//! libraries' page visits get their own answers ([`Navigator`]): htmx
//! `hx-boost` an `HX-Redirect` back to the boosted URL, Inertia a `409` with
//! `X-Inertia-Location`, Turbo the `303`.
//!
//! # Login before CSRF
//!
//! An expired session takes its CSRF token with it, so check the login
//! first: put a CSRF layer *inside* a [`RequireLoginLayer`] (added before it
//! with `.route_layer`), and with the attribute check CSRF in an extractor
//! after the inserted guard, never in a layer over guarded handlers. The
//! README's "Middleware ordering" shows both with `axum-tower-sessions-csrf`
//! and the small adapters of the demo's `csrf.rs`, to copy into your app.
//!
//! # The page side
//!
//! Serve the client script, built from the same sentinel, and put
//! [`CLIENT_SCRIPT_TAG`] in each page's `<head>`: it watches `fetch()` and
//! `XMLHttpRequest` (so jQuery and axios too) and sends the browser to the
//! `X-Login-Url` of a denial. htmx needs nothing: it follows `HX-Redirect`.
//! On pages that carry an owner tag ([`PageOwnerKey::meta_tag`]) it also
//! keeps what the user typed across the login round trip, and puts it back
//! into the same user's page ([`ClientScript::keep_forms`]; the README's
//! "Nothing typed is lost").
//!
//! ```
//! use axum::{routing::get, Router};
//! use require_login::{client_script, CLIENT_SCRIPT_PATH};
//!
//! let app: Router = Router::new().route(CLIENT_SCRIPT_PATH, get(client_script));
//! ```
//!
//! The jQuery snippet of the original recipe works unchanged against these
//! responses too, in place of the script (not beside it):
//!
//! ```js
//! $(document).ready(function() {
//!     $(document).ajaxComplete(
//!         function (event, request, options) {
//!             if (request.responseText === "LOGIN_REQUIRED") {
//!                 window.location.href = "/login";
//!             }
//!         }
//!     )
//! });
//! ```
//!
//! For the route's own login page and return-to link, write
//! `request.getResponseHeader("X-Login-Url") || "/login"` for the URL.

#![warn(missing_docs)]

#[cfg(feature = "axum-login")]
mod axum_login;
mod classify;
mod client;
mod from_this_site;
mod guard;
mod guarded;
mod layer;
mod next;
mod options;
mod owner;
mod rejection;
pub mod respond;
mod return_to;
mod routes;
pub mod routing;
mod session;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use classify::{classify, Navigator, RequestKind};
pub use client::{client_script, script_tag, ClientScript, CLIENT_SCRIPT_PATH, CLIENT_SCRIPT_TAG};
pub use from_this_site::{CrossSiteRequest, FromThisSite};
pub use guard::{enforce, DefaultLogin, GuardConfig, RequireLogin};
pub use guarded::{
    assert_audit_table, audit_table, Access, GuardSource, GuardedRouter, GuardedRouterError,
    LayeredRoute, NestedService, RouteAudit, RouteKind, RouterLayer,
};
pub use layer::{RequireLoginLayer, RequireLoginService};
pub use next::{redirect_after_login, safe_next};
pub use options::{
    check_sentinel, DenyStatus, GuardOptions, LoginTarget, MAX_SENTINEL_LEN, STORE_TIMEOUT,
};
pub use owner::{PageOwner, PageOwnerKey, SecretTooShort, PAGE_OWNER_META};
pub use rejection::{ClientLibrary, GuardError, LoginRejection};
pub use routes::{LoginRoutes, UnknownLoginRoutes};
pub use session::{login, login_with_key, logout, LoginSession, SESSION_KEY};

/// Guards an async axum handler: only logged-in users reach its body.
///
/// See the [crate documentation](crate) for what logged-out users get and
/// for every option.
///
/// ```
/// use require_login::require_login;
///
/// #[require_login(login = "/admin/login", sentinel = "ADMIN_LOGIN_REQUIRED")]
/// pub async fn admin_home() -> &'static str {
///     "admins only"
/// }
/// # let _: axum::Router = axum::Router::new().route("/admin", axum::routing::get(admin_home));
/// ```
///
/// It inserts the guard as the handler's first argument and leaves the rest
/// (visibility, docs, other attributes, body, return type) as written. With
/// `#[axum::debug_handler]`, put `#[require_login]` *above* it, so that
/// `debug_handler` checks the guarded handler; the other order fails with
/// "this function takes 1 argument but 0 arguments were supplied".
///
/// ```
/// use require_login::require_login;
///
/// #[require_login]
/// #[axum::debug_handler]
/// async fn dashboard() -> &'static str {
///     "checked by debug_handler, guarded"
/// }
/// # let _: axum::Router = axum::Router::new().route("/", axum::routing::get(dashboard));
/// ```
///
/// Const arguments inside an `impl` block are named through the type
/// (`sentinel = Pages::SENTINEL`), not `Self`: the checks the attribute emits
/// are items of their own.
pub use require_login_macros::require_login;

/// The default sentinel: the whole body of an AJAX denial.
///
/// ```
/// assert_eq!(require_login::LOGIN_REQUIRED, "LOGIN_REQUIRED");
/// ```
pub const LOGIN_REQUIRED: &str = "LOGIN_REQUIRED";
