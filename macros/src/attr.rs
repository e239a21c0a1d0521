//! Parses `#[require_login(...)]` arguments into [`Args`], collecting every
//! error instead of stopping at the first.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
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
    /// `passive = true`: the route's requests do not extend the idle deadline.
    pub(crate) passive: Option<bool>,
    /// Every argument given so far, valid value or not, to report a repeat.
    given: Vec<Argument>,
}

/// The arguments `#[require_login]` takes. Every message that names them
/// comes from here, and every `match` on them is exhaustive: a new argument
/// cannot be parsed, described or dispatched by a catch-all.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Argument {
    Login,
    Sentinel,
    Status,
    RedirectField,
    SessionKey,
    Crate,
    AxumLogin,
    Passive,
}

impl Argument {
    /// In the order the messages list them.
    const ALL: [Argument; 8] = [
        Argument::Login,
        Argument::Sentinel,
        Argument::Status,
        Argument::RedirectField,
        Argument::SessionKey,
        Argument::Crate,
        Argument::AxumLogin,
        Argument::Passive,
    ];

    fn named(path: &syn::Path) -> Option<Argument> {
        Argument::ALL
            .into_iter()
            .find(|argument| path.is_ident(argument.name()))
    }

    fn name(self) -> &'static str {
        match self {
            Argument::Login => "login",
            Argument::Sentinel => "sentinel",
            Argument::Status => "status",
            Argument::RedirectField => "redirect_field",
            Argument::SessionKey => "session_key",
            Argument::Crate => "crate",
            Argument::AxumLogin => "axum_login",
            Argument::Passive => "passive",
        }
    }

    /// How to write it, for messages.
    fn example(self) -> &'static str {
        match self {
            Argument::Login => "login = \"/login\"",
            Argument::Sentinel => "sentinel = \"LOGIN_REQUIRED\"",
            Argument::Status => "status = 403",
            Argument::RedirectField => "redirect_field = \"next\"",
            Argument::SessionKey => "session_key = \"user_id\"",
            Argument::Crate => "crate = \"my_reexports::require_login\"",
            Argument::AxumLogin => "axum_login = MyBackend",
            Argument::Passive => "passive = true",
        }
    }

    /// The argument this one cannot be given with, and why.
    fn excludes(self) -> Option<(Argument, &'static str)> {
        const AXUM_LOGIN_DECIDES: &str = "with `axum_login`, axum-login's `AuthSession` decides who is logged in, not a session key";
        match self {
            Argument::SessionKey => Some((Argument::AxumLogin, AXUM_LOGIN_DECIDES)),
            Argument::AxumLogin => Some((Argument::SessionKey, AXUM_LOGIN_DECIDES)),
            Argument::Login
            | Argument::Sentinel
            | Argument::Status
            | Argument::RedirectField
            | Argument::Crate
            | Argument::Passive => None,
        }
    }
}

/// An argument's value: an expression, or for `axum_login` a type.
enum Value {
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
    let known: Vec<String> = Argument::ALL
        .iter()
        .map(|argument| format!("`{}`", argument.name()))
        .collect();
    let (last, rest) = known.split_last().expect("there are arguments");
    format!(
        "unknown argument `{name}`: #[require_login] takes {} or {last}",
        rest.join(", ")
    )
}

impl Args {
    /// Whether the options are fixed by the tokens alone: every value is a
    /// literal, none a path to a const or a type (which may name different
    /// items in different places).
    pub(crate) fn literals_only(&self) -> bool {
        let literal = |value: &Option<StrValue>| !matches!(value, Some(StrValue::Const(_)));
        literal(&self.login)
            && literal(&self.sentinel)
            && literal(&self.session_key)
            && !matches!(
                self.redirect_field,
                Some(RedirectField::Named(StrValue::Const(_)))
            )
            && self.axum_login.is_none()
    }

    /// Parses the attribute's arguments. Every error goes to `errors`, and
    /// parsing goes on with the next argument, so that all are reported.
    pub(crate) fn parse(args: &TokenStream, errors: &mut Errors) -> Args {
        let mut parsed = Args::default();
        let parser = syn::meta::parser(|meta| parsed.parse_one(&meta, errors));
        if let Err(error) = syn::parse::Parser::parse2(parser, args.clone()) {
            errors.push(error);
        }
        parsed
    }

    /// Parses one `name = value` pair.
    fn parse_one(&mut self, meta: &ParseNestedMeta<'_>, errors: &mut Errors) -> syn::Result<()> {
        let argument = Argument::named(&meta.path);
        let value = argument_value(meta, argument == Some(Argument::AxumLogin))?;
        let path = &meta.path;
        let (argument, value) = match (argument, value) {
            (Some(argument), Some(value)) => (argument, value),
            (Some(argument), None) => {
                let (name, example) = (argument.name(), argument.example());
                errors.push(syn::Error::new_spanned(
                    path,
                    format!("`{name}` needs a value: write `{example}`"),
                ));
                return Ok(());
            }
            (None, value) => {
                let unknown = unknown_argument(&path_name(path));
                errors.push(match value {
                    Some(value) => syn::Error::new_spanned(quote!(#path = #value), unknown),
                    None => syn::Error::new_spanned(path, unknown),
                });
                return Ok(());
            }
        };
        if !self.first_of_its_kind(argument, path, errors) {
            return Ok(());
        }
        match argument {
            Argument::Login => self.login = str_value(argument, value, errors),
            Argument::Sentinel => self.sentinel = str_value(argument, value, errors),
            Argument::SessionKey => self.session_key = str_value(argument, value, errors),
            Argument::Status => self.status = status(&value, errors),
            Argument::RedirectField => self.redirect_field = redirect_field(value, errors),
            Argument::Crate => self.krate = crate_path(&value, errors),
            Argument::AxumLogin => self.axum_login = backend(value, errors),
            Argument::Passive => self.passive = passive(&value, errors),
        }
        Ok(())
    }

    /// Records `argument` as given; `false` (with the error) when it was
    /// given before or excludes one given before.
    fn first_of_its_kind(
        &mut self,
        argument: Argument,
        path: &syn::Path,
        errors: &mut Errors,
    ) -> bool {
        let name = argument.name();
        if self.given.contains(&argument) {
            errors.push(syn::Error::new_spanned(
                path,
                format!("`{name}` is given more than once: keep one `{name} = ...`"),
            ));
            return false;
        }
        self.given.push(argument);
        if let Some((other, why)) = argument.excludes() {
            if self.given.contains(&other) {
                let other = other.name();
                errors.push(syn::Error::new_spanned(
                    path,
                    format!("`{other}` and `{name}` exclude each other: {why}; keep one"),
                ));
                return false;
            }
        }
        true
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

fn str_value(argument: Argument, value: Value, errors: &mut Errors) -> Option<StrValue> {
    let name = argument.name();
    match value {
        Value::Expr(Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        })) => Some(StrValue::Literal(lit)),
        Value::Expr(Expr::Path(path)) => const_path(argument, path, errors).map(StrValue::Const),
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
fn const_path(argument: Argument, path: ExprPath, errors: &mut Errors) -> Option<ExprPath> {
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
                "`{name}` cannot name a const through `Self`: write the type's name instead, such as `{name} = Pages::{rest}`",
                name = argument.name(),
                rest = rest.join("::")
            ),
        ));
        return None;
    }
    Some(path)
}

/// A literal 401 or 403. The same rule holds in `GuardOptions::with_status`, which
/// the registered options are built with; it is checked here as well because
/// const evaluation reports nothing while the attribute has errors of its
/// own, and a bad status should be reported with them.
fn status(value: &Value, errors: &mut Errors) -> Option<u16> {
    let code = |lit: &Lit| match lit {
        Lit::Int(int) => int
            .base10_parse::<u16>()
            .ok()
            .filter(|code| matches!(code, 401 | 403)),
        _ => None,
    };
    literal(
        value,
        code,
        errors,
        "`status` must be 401 or 403: write `status = 403` (the default) or `status = 401`",
    )
}

fn passive(value: &Value, errors: &mut Errors) -> Option<bool> {
    let flag = |lit: &Lit| match lit {
        Lit::Bool(flag) => Some(flag.value),
        _ => None,
    };
    literal(
        value,
        flag,
        errors,
        "`passive` takes `true` or `false`: write `passive = true` for a route whose requests (a poll, a status check) must not keep the session alive",
    )
}

fn redirect_field(value: Value, errors: &mut Errors) -> Option<RedirectField> {
    match value {
        Value::Expr(Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        })) if !b.value => Some(RedirectField::Off),
        Value::Expr(Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        })) => Some(RedirectField::Named(StrValue::Literal(lit))),
        Value::Expr(Expr::Path(path)) => const_path(Argument::RedirectField, path, errors)
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

fn crate_path(value: &Value, errors: &mut Errors) -> Option<syn::Path> {
    let path = |lit: &Lit| match lit {
        Lit::Str(string) => string.parse::<syn::Path>().ok(),
        _ => None,
    };
    literal(value, path, errors, "`crate` takes the path of the require_login crate as a string, such as `crate = \"my_reexports::require_login\"`")
}

/// What `accept` makes of the literal `value`; else `message`, at `value`.
fn literal<T>(
    value: &Value,
    accept: impl Fn(&Lit) -> Option<T>,
    errors: &mut Errors,
    message: &str,
) -> Option<T> {
    let accepted = match value {
        Value::Expr(Expr::Lit(ExprLit { lit, .. })) => accept(lit),
        Value::Expr(_) | Value::Type(_) => None,
    };
    if accepted.is_none() {
        errors.push(syn::Error::new_spanned(value, message));
    }
    accepted
}

fn backend(value: Value, errors: &mut Errors) -> Option<Type> {
    match value {
        Value::Type(ty) => Some(ty),
        Value::Expr(expr) => {
            errors.push(syn::Error::new_spanned(
                &expr,
                "`axum_login` takes your axum-login backend type, not a string: write `axum_login = MyBackend`",
            ));
            None
        }
    }
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
