//! Parses `#[require_login(...)]` arguments into [`Args`], collecting every
//! error instead of stopping at the first.

use quote::quote;
use syn::meta::ParseNestedMeta;
use syn::{Expr, ExprLit, ExprPath, Lit, LitStr, Token};

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
}

const KNOWN: &str = "`login`, `sentinel`, `status`, `redirect_field`, `session_key` or `crate`";

impl Args {
    /// Parses one `name = value` pair; errors about the value go to `errors`
    /// so that parsing goes on with the next argument.
    pub(crate) fn parse_one(
        &mut self,
        meta: ParseNestedMeta<'_>,
        errors: &mut Errors,
    ) -> syn::Result<()> {
        let name = path_name(&meta.path);
        let value = argument_value(&meta, &name)?;
        let Some(ident) = meta.path.get_ident() else {
            let path = &meta.path;
            errors.push(syn::Error::new_spanned(
                quote!(#path = #value),
                format!("unknown argument `{name}`: #[require_login] takes {KNOWN}"),
            ));
            return Ok(());
        };
        let duplicate = match ident.to_string().as_str() {
            "login" => set(&mut self.login, str_value(&name, value, errors)),
            "sentinel" => set(&mut self.sentinel, str_value(&name, value, errors)),
            "session_key" => set(&mut self.session_key, str_value(&name, value, errors)),
            "status" => set(&mut self.status, status(value, errors)),
            "redirect_field" => set(&mut self.redirect_field, redirect_field(value, errors)),
            "crate" => set(&mut self.krate, crate_path(value, errors)),
            _ => {
                errors.push(syn::Error::new_spanned(
                    ident,
                    format!("unknown argument `{name}`: #[require_login] takes {KNOWN}"),
                ));
                false
            }
        };
        if duplicate {
            errors.push(syn::Error::new_spanned(
                ident,
                format!("`{name}` is given more than once: keep one `{name} = ...`"),
            ));
        }
        Ok(())
    }
}

/// `a::b` as written, for messages.
fn path_name(path: &syn::Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segments.join("::")
}

/// The value after `name =`; a missing `=` or value is an error at the name
/// that says what to write, rather than syn's bare "expected `=`".
fn argument_value(meta: &ParseNestedMeta<'_>, name: &str) -> syn::Result<Expr> {
    let example = match name {
        "login" => "login = \"/login\"",
        "sentinel" => "sentinel = \"LOGIN_REQUIRED\"",
        "status" => "status = 403",
        "redirect_field" => "redirect_field = \"next\"",
        "session_key" => "session_key = \"user_id\"",
        "crate" => "crate = \"my_reexports::require_login\"",
        _ => "name = value",
    };
    let missing = || {
        syn::Error::new_spanned(
            &meta.path,
            format!("`{name}` needs a value: write `{example}`"),
        )
    };
    if !meta.input.peek(Token![=]) {
        return Err(missing());
    }
    let _ = meta.value()?;
    if meta.input.is_empty() || meta.input.peek(Token![,]) {
        return Err(missing());
    }
    meta.input.parse()
}

/// Stores `value` unless the slot is taken; returns whether it was.
fn set<T>(slot: &mut Option<T>, value: Option<T>) -> bool {
    if slot.is_some() {
        return true;
    }
    *slot = value;
    false
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
