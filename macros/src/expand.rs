//! Rewrites the handler: inserts the guard extractor as its first argument
//! and registers its options. The body, return type, attributes and docs
//! stay as written.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn};

use crate::attr::{Args, Errors, RedirectField, StrValue};

/// The attribute: `args` are its arguments, `item` the handler.
pub(crate) fn require_login(args: &TokenStream, item: TokenStream) -> TokenStream {
    let function = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(function) => function,
        Err(error) => {
            let message =
                format!("#[require_login] goes on an async axum handler (`async fn`): {error}");
            return with_error(item, syn::Error::new(error.span(), message));
        }
    };
    let mut errors = Errors::default();
    let parsed = Args::parse(args, &mut errors);
    check_signature(&function, &mut errors);
    match errors.into_result() {
        Ok(()) => {
            let parts = site_id_parts(&parsed, &function, args);
            expand(&parsed, function, &parts)
        }
        Err(error) => with_error(item, error),
    }
}

/// The item as written, followed by the errors: editors keep seeing the
/// function (completion, go-to-definition) while the errors are shown, and
/// only our errors show (as tokio-macros' `token_stream_with_error` does).
fn with_error(mut item: TokenStream, error: syn::Error) -> TokenStream {
    item.extend(error.into_compile_error());
    item
}

/// Checks that `function` can be guarded.
fn check_signature(function: &ItemFn, errors: &mut Errors) {
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

/// The parts of the handler's site id, the id its options are registered
/// under and its guard's type (`Site<ID>`) is named by: the arguments as
/// written, hashed at compile time by the runtime's `__private::site_id`,
/// so the crate has one hash. Handlers whose arguments are the same literals
/// have the same options, so they share the id, and with it one extractor
/// type that the compiler builds once (an id per handler made a 200-handler
/// crate build 1.4x as long as with the extractor written by hand; see
/// BENCHMARKS.md). Where a value is a path (a const, the axum-login backend
/// type), equal tokens may name different items, so the crate, the
/// handler's name and its place in the source are hashed too. Should two
/// different options still share an id, the runtime answers both with a
/// logged 500, never with the other's options.
fn site_id_parts(args: &Args, function: &ItemFn, tokens: &TokenStream) -> Vec<String> {
    let mut parts = vec![tokens.to_string()];
    if !args.literals_only() {
        parts.push(std::env::var("CARGO_CRATE_NAME").unwrap_or_default());
        parts.push(function.sig.ident.to_string());
        parts.push(format!("{:?}", function.sig.ident.span()));
    }
    parts
}

fn expand(args: &Args, mut function: ItemFn, site_id_parts: &[String]) -> TokenStream {
    let krate = args
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::require_login));
    let site_id = quote!(#krate::__private::site_id(&[#(#site_id_parts),*]));

    let guard = format_ident!("__require_login_guard", span = Span::mixed_site());
    function.sig.inputs.insert(
        0,
        syn::parse_quote! {
            #guard: #krate::RequireLogin<#krate::__private::Site<{ #site_id }>>
        },
    );

    // Each given option is set alone on a `GuardOptions` by the builder
    // method users call (so its rules live in one place), in a `const` of
    // its own spanned on the argument: a bad value fails the build right
    // there with the builder's message, every bad value in the same build.
    // The value is first bound to a typed const, so that a const of the
    // wrong type is one error, at the argument.
    let mut items = Vec::new();
    let mut given = |name: &str, value: &StrValue, set: fn(&Ident) -> TokenStream| {
        let upper = name.to_uppercase();
        let bound = format_ident!("__REQUIRE_LOGIN_{upper}_VALUE");
        let options = format_ident!("__REQUIRE_LOGIN_{upper}");
        let tokens = value.to_tokens();
        let (first, last) = value.span_range();
        let setter = set(&bound);
        let built = respan(quote!(#krate::GuardOptions::new().#setter), first, last);
        items.push(quote_spanned! {first=>
            const #bound: &str = #tokens;
            const #options: #krate::GuardOptions = #built;
        });
        quote_spanned!(first=> #options)
    };
    let default = quote!(#krate::GuardOptions::new());
    let login = match &args.login {
        Some(value) => given("login", value, |value| quote!(with_login(#value))),
        None => default.clone(),
    };
    let sentinel = match &args.sentinel {
        Some(value) => given("sentinel", value, |value| quote!(with_sentinel(#value))),
        None => default.clone(),
    };
    let session_key = match &args.session_key {
        Some(value) => given(
            "session_key",
            value,
            |value| quote!(with_session_key(#value)),
        ),
        None => default.clone(),
    };
    let redirect_field = match &args.redirect_field {
        Some(RedirectField::Named(value)) => given(
            "redirect_field",
            value,
            |value| quote!(with_redirect_field(::core::option::Option::Some(#value))),
        ),
        Some(RedirectField::Off) => {
            quote!(#default.with_redirect_field(::core::option::Option::None))
        }
        None => default.clone(),
    };
    let status = match args.status {
        Some(code) => quote!(#default.with_status(#code)),
        None => default.clone(),
    };
    let passive = match args.passive {
        Some(flag) => quote!(#default.with_passive(#flag)),
        None => default.clone(),
    };
    // Spanned on the type, so that a type that is no axum-login backend (or
    // a build without the `axum-login` feature) is an error at the argument.
    let axum_login = args.axum_login.as_ref().map(|backend| {
        let span = backend.span();
        quote_spanned!(span=> .with_axum_login::<#backend>())
    });

    // One item, placed before the body's own statements: nothing runs
    // differently when the handler is called, and inside its own `const _`
    // block the names it declares cannot meet the body's.
    let registration: syn::Stmt = syn::parse_quote! {
        const _: () = {
            #(#items)*
            #krate::__private::inventory::submit! {
                #krate::__private::SiteEntry::new(#site_id, #krate::__private::GivenOptions {
                    login: #login,
                    sentinel: #sentinel,
                    status: #status,
                    redirect_field: #redirect_field,
                    session_key: #session_key,
                    passive: #passive,
                }) #axum_login
            }
        };
    };
    function.block.stmts.insert(0, registration);
    quote!(#function)
}

/// Spans the expression `path.call(args)` from `first` to `last`: its
/// leading tokens get `first` and its parentheses `last`, so that rustc
/// reports an error in it (a const-evaluation panic) under the whole
/// argument (`consts::SENTINEL`, not only `consts`), not under the attribute.
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
