//! Parses `#[require_login(...)]` arguments into [`Args`], collecting every
//! error instead of stopping at the first.

use proc_macro2::TokenStream;
use quote::quote;
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::{Expr, ExprLit, ExprPath, Lit, LitStr, Token, Type};

/// A string option: a literal, or a path to a `const &str` (checked by const evaluation).
pub(crate) enum StrValue {
    Literal(LitStr),
    Const(ExprPath),
}

/// `redirect_field = "next"` or `redirect_field = false`.
pub(crate) enum RedirectField {
    Named(StrValue),
    Off,
}

/// The parsed arguments; `None` means the default.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) login: Option<StrValue>,
    pub(crate) sentinel: Option<StrValue>,
    pub(crate) status: Option<u16>,
    pub(crate) redirect_field: Option<RedirectField>,
    pub(crate) session_key: Option<StrValue>,
    pub(crate) krate: Option<syn::Path>,
    /// `axum_login = Backend`: axum-login's `AuthSession<Backend>` decides.
    pub(crate) axum_login: Option<Type>,
    /// Every name given so far, valid value or not, to report a repeat.
    given: Vec<String>,
}

/// Every argument, with how to write it: the one list messages come from.
const ARGUMENTS: [(&str, &str); 7] = [
    ("login", "login = \"/login\""),
    ("sentinel", "sentinel = \"LOGIN_REQUIRED\""),
    ("status", "status = 403"),
    ("redirect_field", "redirect_field = \"next\""),
    ("session_key", "session_key = \"user_id\""),
    ("crate", "crate = \"my_reexports::require_login\""),
    ("axum_login", "axum_login = MyBackend"),
];

/// Arguments that make no sense together: (one, other, why).
const EXCLUSIVE: [(&str, &str, &str); 1] = [(
    "session_key",
    "axum_login",
    "with `axum_login`, axum-login's `AuthSession` decides who is logged in, not a session key",
)];

/// An argument's value: an expression, or for `axum_login` a type.
pub(crate) enum Value {
    Expr(Expr),
    Type(Type),
}

impl ToTokens for Value {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Value::Expr(expr) => expr.to_tokens(tokens),
            Value::Type(ty) => ty.to_tokens(tokens),
        }
    }
}

fn unknown_argument(name: &str) -> String {
    let known: Vec<String> = ARGUMENTS.iter().map(|(n, _)| format!("`{n}`")).collect();
    format!(
        "unknown argument `{name}`: #[require_login] takes {} or {}",
        known[..known.len() - 1].join(", "),
        known[known.len() - 1]
    )
}

impl Args {
    /// Parses one `name = value` pair. Every error goes to `errors` and
    /// parsing goes on with the next argument, so that all are reported.
    pub(crate) fn parse_one(
        &mut self,
        meta: ParseNestedMeta<'_>,
        errors: &mut Errors,
    ) -> syn::Result<()> {
        let name = path_name(&meta.path);
        let example = ARGUMENTS
            .iter()
            .find(|(known, _)| meta.path.is_ident(known))
            .map(|(_, example)| *example);
        let wants_type = meta.path.is_ident("axum_login");
        let Some(value) = argument_value(&meta, wants_type)? else {
            errors.push(syn::Error::new_spanned(
                &meta.path,
                match example {
                    Some(example) => format!("`{name}` needs a value: write `{example}`"),
                    None => unknown_argument(&name),
                },
            ));
            return Ok(());
        };
        if example.is_none() {
            let path = &meta.path;
            errors.push(syn::Error::new_spanned(
                quote!(#path = #value),
                unknown_argument(&name),
            ));
            return Ok(());
        }
        if self.given.contains(&name) {
            errors.push(syn::Error::new_spanned(
                &meta.path,
                format!("`{name}` is given more than once: keep one `{name} = ...`"),
            ));
            return Ok(());
        }
        self.given.push(name.clone());
        for (one, other, why) in EXCLUSIVE {
            let earlier = if name == one {
                other
            } else if name == other {
                one
            } else {
                continue;
            };
            if self.given.iter().any(|given| given == earlier) {
                errors.push(syn::Error::new_spanned(
                    &meta.path,
                    format!("`{earlier}` and `{name}` exclude each other: {why}; keep one"),
                ));
                return Ok(());
            }
        }
        let value = match value {
            Value::Type(ty) => {
                self.axum_login = Some(ty);
                return Ok(());
            }
            Value::Expr(expr) if wants_type => {
                errors.push(syn::Error::new_spanned(
                    &expr,
                    "`axum_login` takes your axum-login backend type, not a string: write `axum_login = MyBackend`",
                ));
                return Ok(());
            }
            Value::Expr(expr) => expr,
        };
        match name.as_str() {
            "login" => self.login = str_value(&name, value, errors),
            "sentinel" => self.sentinel = str_value(&name, value, errors),
            "session_key" => self.session_key = str_value(&name, value, errors),
            "status" => self.status = status(value, errors),
            "redirect_field" => self.redirect_field = redirect_field(value, errors),
            _ => self.krate = crate_path(value, errors),
        }
        Ok(())
    }
}

/// `a::b` as written, for messages.
fn path_name(path: &syn::Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segments.join("::")
}

/// The value after `name =` (a type when `wants_type`, unless it is a
/// literal), or `None` when the `=` or the value is missing; then whatever
/// stands before the next `,` is skipped, so that parsing goes on with the
/// next argument.
fn argument_value(meta: &ParseNestedMeta<'_>, wants_type: bool) -> syn::Result<Option<Value>> {
    if meta.input.peek(Token![=]) {
        let _ = meta.value()?;
        if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
            if wants_type && !meta.input.peek(Lit) {
                return meta.input.parse().map(|ty| Some(Value::Type(ty)));
            }
            return meta.input.parse().map(|expr| Some(Value::Expr(expr)));
        }
    }
    while !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        meta.input.parse::<proc_macro2::TokenTree>()?;
    }
    Ok(None)
}

fn str_value(name: &str, value: Expr, errors: &mut Errors) -> Option<StrValue> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(StrValue::Literal(lit)),
        Expr::Path(path) => const_path(name, path, errors).map(StrValue::Const),
        other => {
            errors.push(syn::Error::new_spanned(
                &other,
                format!("`{name}` takes a string literal or the path of a `const &str`, such as `{name} = \"...\"`"),
            ));
            None
        }
    }
}

/// A const's path. `Self::X` cannot work: the checks the attribute emits
/// are items of their own, where `Self` means nothing.
fn const_path(name: &str, path: ExprPath, errors: &mut Errors) -> Option<ExprPath> {
    let first = path.path.segments.first();
    if path.qself.is_none() && first.is_some_and(|segment| segment.ident == "Self") {
        let rest: Vec<String> = path
            .path
            .segments
            .iter()
            .skip(1)
            .map(|s| s.ident.to_string())
            .collect();
        errors.push(syn::Error::new_spanned(
            &path,
            format!(
                "`{name}` cannot name a const through `Self`: write the type's name instead, such as `{name} = Pages::{}`",
                rest.join("::")
            ),
        ));
        return None;
    }
    Some(path)
}

fn status(value: Expr, errors: &mut Errors) -> Option<u16> {
    if let Expr::Lit(ExprLit {
        lit: Lit::Int(int), ..
    }) = &value
    {
        if let Ok(code @ (401 | 403)) = int.base10_parse::<u16>() {
            return Some(code);
        }
    }
    errors.push(syn::Error::new_spanned(
        &value,
        "`status` must be 401 or 403: write `status = 403` (the default) or `status = 401`",
    ));
    None
}

fn redirect_field(value: Expr, errors: &mut Errors) -> Option<RedirectField> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) if !b.value => Some(RedirectField::Off),
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(RedirectField::Named(StrValue::Literal(lit))),
        Expr::Path(path) => const_path("redirect_field", path, errors)
            .map(|path| RedirectField::Named(StrValue::Const(path))),
        other => {
            errors.push(syn::Error::new_spanned(
                &other,
                "`redirect_field` takes a query parameter name such as `redirect_field = \"next\"`, or `redirect_field = false` to leave the return-to link off",
            ));
            None
        }
    }
}

fn crate_path(value: Expr, errors: &mut Errors) -> Option<syn::Path> {
    if let Expr::Lit(ExprLit {
        lit: Lit::Str(lit), ..
    }) = &value
    {
        if let Ok(path) = lit.parse::<syn::Path>() {
            return Some(path);
        }
    }
    errors.push(syn::Error::new_spanned(
        &value,
        "`crate` takes the path of the require_login crate as a string, such as `crate = \"my_reexports::require_login\"`",
    ));
    None
}

/// Errors collected while parsing and checking, emitted together.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(crate) fn into_result(self) -> Result<(), syn::Error> {
        self.0.map_or(Ok(()), Err)
    }
}
