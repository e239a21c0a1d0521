// The crate's front page is its guide, `runtime/README.md` (also the
// package's readme), so the two are one text; the repository's top-level
// README is the manual the guide points to.
#![doc = include_str!("../README.md")]
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
pub use from_this_site::{CrossSiteRequest, FromThisSite, InvalidPublicOrigin, PublicOrigin};
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
