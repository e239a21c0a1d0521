// The crate's front page is its guide, `runtime/README.md` (also the
// package's readme), so the two are one text. The manual is in `docs/`:
// each module's part is included there, the crate-wide parts here.
#![doc = include_str!("../README.md")]
#![doc = include_str!("../docs/deploying.md")]
#![cfg_attr(feature = "axum-login", doc = include_str!("../docs/axum_login.md"))]
#![doc = include_str!("../docs/security.md")]
#![warn(missing_docs)]

pub mod client;
pub mod deadline;
mod fnv;
pub mod guard;
pub mod login;
pub mod options;
pub mod response;
pub mod router;
pub mod stream;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use client::{client_script, ClientScript, CLIENT_SCRIPT_PATH, CLIENT_SCRIPT_TAG};
pub use guard::{enforce, GuardConfig, RequireLogin, RequireLoginLayer};
pub use login::{login, logout};
pub use options::{GuardOptions, LOGIN_REQUIRED};
pub use response::LoginRejection;
pub use router::GuardedRouter;

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
