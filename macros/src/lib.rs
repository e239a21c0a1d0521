//! The `#[require_login]` attribute. Use it through the `require-login`
//! crate, which re-exports it and holds everything it expands to.
//!
//! This crate only parses the arguments into a typed `Args` (`attr.rs`) and
//! emits the guarded handler (`expand.rs`); everything the handler does
//! lives in the runtime crate, behind `require_login::__private`.

#![warn(missing_docs)]

use proc_macro::TokenStream;

mod attr;
mod expand;

/// Guards an async axum handler: only logged-in users reach its body.
///
/// Use it through the `require-login` crate, where it is documented with
/// every option: `require_login::require_login`.
///
/// ```
/// use require_login::require_login;
///
/// #[require_login(login = "/admin/login", status = 401)]
/// async fn admin_home() -> &'static str {
///     "admins only"
/// }
/// # let _: axum::Router = axum::Router::new().route("/admin", axum::routing::get(admin_home));
/// ```
#[proc_macro_attribute]
pub fn require_login(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::require_login(&args.into(), item.into()).into()
}
