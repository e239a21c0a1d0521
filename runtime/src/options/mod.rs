//! What a guard is configured with: where to send logged-out users, which
//! sentinel and status AJAX calls get, and which session key marks a login.
//!
//! Every constructor here is a `const fn` that checks its input and panics on
//! bad values. Used in a `const` or `static`, that panic is a compile error:
//! that is how `#[require_login(sentinel = SOME_CONST)]` rejects a bad const.
//!
#![doc = include_str!("../../docs/options.md")]

#[cfg(feature = "axum-login")]
mod axum_login;
mod guard_options;

#[cfg(feature = "axum-login")]
pub(crate) use axum_login::AxumLoginUser;
#[cfg(feature = "axum-login")]
pub(crate) use guard_options::same_str;
pub use guard_options::{
    check_sentinel, DenyStatus, GuardOptions, LoginTarget, LOGIN_REQUIRED, MAX_SENTINEL_LEN,
    SESSION_KEY, STORE_TIMEOUT,
};
pub(crate) use guard_options::{checked_sentinel, is_query_name, LoggedInBy};
