//! Rewrites the handler: inserts the guard extractor as its first argument
//! and registers its options. The body, return type, attributes and docs
//! stay as written.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn};

use crate::attr::{Args, Errors, RedirectField, StrValue};

/// Checks that `function` can be guarded.
pub(crate) fn check_signature(function: &ItemFn, errors: &mut Errors) {
    if function.sig.asyncness.is_none() {
        errors.push(syn::Error::new_spanned(
            function.sig.fn_token,
            "#[require_login] guards async axum handlers: write `async fn`",
        ));
    }
    for input in &function.sig.inputs {
        if let FnArg::Receiver(receiver) = input {
            errors.push(syn::Error::new_spanned(
                receiver,
                "#[require_login] handlers cannot take `self`: axum calls handlers without a receiver; use an associated function and `State` for shared data",
            ));
        }
    }
}

pub(crate) fn expand(args: &Args, mut function: ItemFn, site_id: u64) -> TokenStream {
    let krate = args
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::require_login));

    let guard = format_ident!("__require_login_guard", span = Span::mixed_site());
    function.sig.inputs.insert(
        0,
        syn::parse_quote! {
            #guard: #krate::RequireLogin<#krate::__private::Site<#site_id>>
        },
    );

    let mut checks = Vec::new();
    // Each value is bound once to a typed const (so a const of the wrong type
    // is one error, at the argument), then checked by const evaluation of the
    // runtime's rules (one implementation of them), spanned on the argument
    // so each bad value fails the build right there, all of them in one build.
    let mut check = |value: &StrValue, name: &str, checker: &str| {
        let bound = format_ident!("__REQUIRE_LOGIN_{}", name.to_uppercase());
        let checker = format_ident!("{checker}");
        let tokens = value.to_tokens();
        let (first, last) = value.span_range();
        let call = respan(quote!(#krate::__private::#checker(#bound)), first, last);
        checks.push(quote_spanned! {first=>
            const #bound: &str = #tokens;
            const _: () = #call;
        });
        quote!(#bound)
    };
    let login = match &args.login {
        Some(value) => check(value, "login", "check_login"),
        None => quote!("/login"),
    };
    let sentinel = match &args.sentinel {
        Some(value) => check(value, "sentinel", "check_sentinel_value"),
        None => quote!(#krate::LOGIN_REQUIRED),
    };
    let session_key = match &args.session_key {
        Some(value) => check(value, "session_key", "check_session_key"),
        None => quote!(#krate::SESSION_KEY),
    };
    let redirect_field = match &args.redirect_field {
        Some(RedirectField::Named(value)) => {
            let value = check(value, "redirect_field", "check_redirect_field");
            quote!(::core::option::Option::Some(#value))
        }
        Some(RedirectField::Off) => quote!(::core::option::Option::None),
        None => quote!(::core::option::Option::Some("next")),
    };
    let status = args.status.unwrap_or(403);
    // Spanned on the type, so that a type that is no axum-login backend (or
    // a build without the `axum-login` feature) is an error at the argument.
    let axum_login = args.axum_login.as_ref().map(|backend| {
        let span = backend.span();
        quote_spanned!(span=> .axum_login::<#backend>())
    });

    // One item, placed before the body's own statements: nothing runs
    // differently when the handler is called, and inside its own `const _`
    // block the names it declares cannot meet the body's.
    let registration: syn::Stmt = syn::parse_quote! {
        const _: () = {
            #(#checks)*
            #krate::__private::inventory::submit! {
                #krate::__private::SiteEntry::new(
                    #site_id, #login, #sentinel, #status, #redirect_field, #session_key,
                ) #axum_login
            }
        };
    };
    function.block.stmts.insert(0, registration);
    quote!(#function)
}

/// Spans the call `path(args)` from `first` to `last`: its path tokens get
/// `first` and its argument parentheses `last`, so that rustc reports an
/// error in the call (a const-evaluation panic) under the whole argument
/// (`consts::SENTINEL`, not only `consts`), not under the attribute.
fn respan(tokens: TokenStream, first: Span, last: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &token {
                let mut inner = Group::new(group.delimiter(), respan(group.stream(), first, last));
                inner.set_span(last);
                token = TokenTree::Group(inner);
            } else {
                token.set_span(first);
            }
            token
        })
        .collect()
}

impl StrValue {
    fn to_tokens(&self) -> TokenStream {
        match self {
            StrValue::Literal(lit) => quote!(#lit),
            StrValue::Const(path) => quote!(#path),
        }
    }

    /// The spans of the value's first and last tokens.
    fn span_range(&self) -> (Span, Span) {
        match self {
            StrValue::Literal(lit) => (lit.span(), lit.span()),
            StrValue::Const(path) => {
                let mut spans = path.to_token_stream().into_iter().map(|t| t.span());
                let first = spans.next().unwrap_or_else(Span::call_site);
                (first, spans.last().unwrap_or(first))
            }
        }
    }
}
