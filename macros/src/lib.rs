//! The `#[require_login]` attribute. Use it through the `require-login`
//! crate, which re-exports it and holds everything it expands to.
//!
//! This crate only parses the arguments (`attr.rs`), checks the handler's
//! signature, and emits the guarded handler (`expand.rs`).

#![warn(missing_docs)]

use proc_macro::TokenStream;
use syn::ItemFn;

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
    let function = syn::parse_macro_input!(item as ItemFn);
    let mut errors = attr::Errors::default();
    let mut parsed = attr::Args::default();
    let parser = syn::meta::parser(|meta| parsed.parse_one(meta, &mut errors));
    if let Err(error) = syn::parse::Parser::parse(parser, args.clone()) {
        errors.push(error);
    }
    expand::check_signature(&function, &mut errors);
    match errors.into_result() {
        Ok(()) => {
            let site_id = site_id(&function, &args);
            expand::expand(&parsed, function, site_id).into()
        }
        // Emit the function as written too, so that only our errors show.
        Err(error) => {
            let mut output = error.to_compile_error();
            output.extend(quote::quote!(#function));
            output.into()
        }
    }
}

/// A stable id for this guarded handler: FNV-1a over the crate being built,
/// the handler's name and place in the source, and the arguments. Two
/// handlers share an id only if all of these collide.
fn site_id(function: &ItemFn, args: &TokenStream) -> u64 {
    let crate_name = std::env::var("CARGO_CRATE_NAME").unwrap_or_default();
    let place = format!("{:?}", function.sig.ident.span());
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        crate_name.as_str(),
        &function.sig.ident.to_string(),
        &place,
        &args.to_string(),
    ] {
        for &byte in part.as_bytes().iter().chain(&[0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}
