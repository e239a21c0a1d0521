//! Parses `#[require_login(...)]` arguments into [`Args`], collecting every
//! error instead of stopping at the first.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprPath, Lit, LitStr};

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
        let Some(name) = meta.path.get_ident().map(ToString::to_string) else {
            let value: Expr = meta.value()?.parse()?;
            errors.push(syn::Error::new(
                meta.path
                    .span()
                    .join(value.span())
                    .unwrap_or_else(|| meta.path.span()),
                format!("unknown argument: #[require_login] takes {KNOWN}"),
            ));
            return Ok(());
        };
        let value: Expr = meta.value()?.parse()?;
        let span = meta.path.span();
        let duplicate = match name.as_str() {
            "login" => set(&mut self.login, str_value(&name, value, errors)),
            "sentinel" => set(&mut self.sentinel, str_value(&name, value, errors)),
            "session_key" => set(&mut self.session_key, str_value(&name, value, errors)),
            "status" => set(&mut self.status, status(value, errors)),
            "redirect_field" => set(&mut self.redirect_field, redirect_field(value, errors)),
            "crate" => set(&mut self.krate, crate_path(value, errors)),
            other => {
                errors.push(syn::Error::new(
                    span,
                    format!("unknown argument `{other}`: #[require_login] takes {KNOWN}"),
                ));
                false
            }
        };
        if duplicate {
            errors.push(syn::Error::new(
                span,
                format!("`{name}` is given more than once: keep one `{name} = ...`"),
            ));
        }
        Ok(())
    }
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
        Expr::Path(path) => Some(StrValue::Const(path)),
        other => {
            errors.push(syn::Error::new(
                other.span(),
                format!("`{name}` takes a string literal or the path of a `const &str`, such as `{name} = \"...\"`"),
            ));
            None
        }
    }
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
    errors.push(syn::Error::new(
        value.span(),
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
        Expr::Path(path) => Some(RedirectField::Named(StrValue::Const(path))),
        other => {
            errors.push(syn::Error::new(
                other.span(),
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
    errors.push(syn::Error::new(
        value.span(),
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

    pub(crate) fn push_at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    pub(crate) fn into_result(self) -> Result<(), syn::Error> {
        self.0.map_or(Ok(()), Err)
    }
}
