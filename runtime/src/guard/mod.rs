//! The decision: whether a request's user is logged in, and what a
//! logged-out one gets instead of the handler.

#[cfg(feature = "axum-login")]
pub(crate) mod axum_login;
mod classify;
mod extract;
mod layer;
mod login_routes;
pub(crate) mod return_to;
pub(crate) mod session;

pub use classify::{classify, RequestKind};
pub(crate) use extract::{deny, LoggedIn};
pub use extract::{enforce, DefaultLogin, GuardConfig, RequireLogin};
pub use layer::{RequireLoginLayer, RequireLoginService};
pub use login_routes::{LoginRoutes, UnknownLoginRoutes};
