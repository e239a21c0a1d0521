//! The decision: whether a request's user is logged in, and what a
//! logged-out one gets instead of the handler.
//!
#![doc = include_str!("../../docs/guard.md")]

pub(crate) mod classify;
mod decide;
mod extract;
mod login_routes;
mod middleware;
pub(crate) mod return_to;
pub(crate) mod session;

pub use classify::{classify, RequestKind};
pub use decide::enforce;
pub(crate) use decide::{decide, deny, deny_because, failed, LoggedIn};
pub use extract::{DefaultLogin, GuardConfig, RequireLogin};
pub use login_routes::{LoginRoutes, UnknownLoginRoutes};
pub use middleware::{RequireLoginLayer, RequireLoginService};
