//! What `#[require_login]` expands to calls into here. Not public API: the
//! names may change in any release.
//!
//! A handler's options cannot be carried by a type of its own, because the
//! attribute cannot tell a free function from one in an `impl` block, where no
//! struct may be declared. So the attribute gives every guarded handler a
//! site id (shared by handlers with the same literal arguments, which have
//! the same options, so that their guard type is compiled once), inserts
//! `RequireLogin<Site<ID>>`, and registers the options under that id with
//! `inventory` from inside the handler's body. The registry also
//! lets [`LoginRoutes::check_guarded_handlers`](crate::guard::LoginRoutes::check_guarded_handlers)
//! see every login name in use.

use std::any::{type_name, TypeId};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

pub use inventory;

use crate::fnv;
use crate::guard::{DefaultLogin, GuardConfig, RequireLogin};
use crate::options::GuardOptions;
use crate::response::LoginRejection;

/// Where a guard's options come from: a [`GuardConfig`] type, or a site the
/// attribute registered.
pub trait ResolveOptions: 'static {
    /// The options, or `None` when a site was not registered.
    fn resolve() -> Option<&'static GuardOptions>;
}

struct ConfigRef<C>(C);
impl<C: GuardConfig> ConfigRef<C> {
    const OPTIONS: &'static GuardOptions = &C::OPTIONS;
}

impl<C: GuardConfig> ResolveOptions for C {
    fn resolve() -> Option<&'static GuardOptions> {
        Some(ConfigRef::<C>::OPTIONS)
    }
}

/// The site id of an attribute: FNV-1a (`crate::fnv`) over `parts`,
/// each followed by a `0xff` byte (which no UTF-8 text holds, so that
/// `["ab", "c"]` and `["a", "bc"]` differ). The attribute passes its
/// arguments as written, and where a value is a path also the crate, the
/// handler's name and its place in the source; it calls this in the guard's
/// type, `Site<{ site_id(&[...]) }>`, so the id is computed at compile time.
///
/// ```
/// use require_login::__private::site_id;
/// const ID: u64 = site_id(&[r#"login = "/admin/login""#]);
/// assert_eq!(ID, site_id(&[r#"login = "/admin/login""#]));
/// assert_ne!(site_id(&["ab", "c"]), site_id(&["a", "bc"]));
/// ```
pub const fn site_id(parts: &[&str]) -> u64 {
    let mut hash = fnv::OFFSET;
    let mut p = 0;
    while p < parts.len() {
        hash = fnv::step(fnv::update(hash, parts[p].as_bytes()), 0xff);
        p += 1;
    }
    hash
}

/// The guard configuration of the attributed handler with this site id.
#[derive(Debug)]
pub struct Site<const ID: u64>;

impl<const ID: u64> ResolveOptions for Site<ID> {
    fn resolve() -> Option<&'static GuardOptions> {
        site_options(ID)
    }
}

/// One attributed handler's options, as registered.
#[derive(Debug)]
pub struct SiteEntry {
    id: u64,
    options: GuardOptions,
}

inventory::collect!(SiteEntry);

/// The options an attribute was given, each set alone on a
/// [`GuardOptions`] by the builder method users call (`.with_login(...)`,
/// `.with_sentinel(...)`, ...), in a `const` of its own: so each bad value is a
/// compile error at its own argument, and the rules live in the builder
/// only. An option not given is `GuardOptions::new()`, the default.
#[derive(Debug, Clone, Copy)]
pub struct GivenOptions {
    /// Carries the login target.
    pub login: GuardOptions,
    /// Carries the sentinel.
    pub sentinel: GuardOptions,
    /// Carries the AJAX status.
    pub status: GuardOptions,
    /// Carries the return-to field.
    pub redirect_field: GuardOptions,
    /// Carries the session key.
    pub session_key: GuardOptions,
    /// Carries whether the route is passive.
    pub passive: GuardOptions,
}

impl SiteEntry {
    /// Built in the `static` that `inventory::submit!` declares, from
    /// options already checked: it only takes each field from the options
    /// that carry it.
    pub const fn new(id: u64, given: GivenOptions) -> Self {
        SiteEntry {
            id,
            options: GuardOptions {
                login: given.login.login,
                sentinel: given.sentinel.sentinel,
                status: given.status.status,
                redirect_field: given.redirect_field.redirect_field,
                logged_in_by: given.session_key.logged_in_by,
                passive: given.passive.passive,
                ..GuardOptions::new()
            },
        }
    }

    /// `#[require_login(axum_login = B)]`: axum-login's `AuthSession<B>` decides.
    #[cfg(feature = "axum-login")]
    #[must_use]
    pub const fn with_axum_login<B: AxumLoginBackend>(self) -> Self {
        SiteEntry {
            id: self.id,
            options: self.options.with_axum_login::<B>(),
        }
    }

    /// Without the feature, only the error on `B` remains.
    #[cfg(not(feature = "axum-login"))]
    #[must_use]
    pub const fn with_axum_login<B: AxumLoginBackend>(self) -> Self {
        self
    }
}

/// What `axum_login = ...` names: the app's axum-login backend type. Its
/// own trait so that a wrong type is one message at the argument.
#[cfg(feature = "axum-login")]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an axum-login backend",
    label = "`axum_login = ...` names the type that implements `axum_login::AuthnBackend`"
)]
pub trait AxumLoginBackend: axum_login::AuthnBackend + 'static {}

#[cfg(feature = "axum-login")]
impl<B: axum_login::AuthnBackend + 'static> AxumLoginBackend for B {}

/// Without the `axum-login` feature no type is one.
#[cfg(not(feature = "axum-login"))]
#[diagnostic::on_unimplemented(
    message = "`axum_login = ...` needs the `axum-login` feature of require-login",
    label = "only with the `axum-login` feature",
    note = "in Cargo.toml: require-login = {{ version = \"...\", features = [\"axum-login\"] }}"
)]
pub trait AxumLoginBackend {}

/// The ids are already hashes: use them as they are.
#[derive(Default)]
struct IdHasher(u64);
impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, id: u64) {
        self.0 = id;
    }
}

type Registry = HashMap<u64, Option<&'static GuardOptions>, BuildHasherDefault<IdHasher>>;

/// id → options; `None` for an id two different sites share, so neither
/// guesses (the answer is a logged 500, never a wrong redirect).
fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut map = Registry::default();
        for entry in inventory::iter::<SiteEntry> {
            map.entry(entry.id)
                .and_modify(|existing| {
                    if *existing != Some(&entry.options) {
                        *existing = None;
                    }
                })
                .or_insert(Some(&entry.options));
        }
        map
    })
}

/// Every registered site's options.
pub(crate) fn registered_options() -> impl Iterator<Item = &'static GuardOptions> {
    inventory::iter::<SiteEntry>
        .into_iter()
        .map(|entry| &entry.options)
}

/// The crate's one JavaScript string escaper (for the demo's inline
/// snippets): a double-quoted literal that can close neither the string
/// nor a `<script>` element.
///
/// ```
/// assert_eq!(require_login::__private::js_string("</script>"), r#""\x3c/script\x3e""#);
/// ```
pub fn js_string(text: &str) -> String {
    crate::client::escape::js_string(text)
}

/// The crate's one HTML escaper (for the demo's pages): text and quoted
/// attribute values.
///
/// ```
/// assert_eq!(require_login::__private::escape_html(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
/// ```
pub fn escape_html(text: &str) -> String {
    crate::client::escape::escape_html(text)
}

// Entry points for the fuzz targets (`fuzz/`), which exercise the guard's
// pure parts without a session or a router.

/// The answer a logged-out request gets: the guard's denial, with the
/// classification, the return-to link and the login URL it is built from.
pub fn denial(parts: &http::request::Parts, options: &GuardOptions) -> axum::response::Response {
    axum::response::IntoResponse::into_response(crate::guard::deny(parts, options))
}

/// `base` with `field=value` appended to its query, `value` percent-encoded:
/// how a login URL gets its return-to link.
pub fn append_query(base: &str, field: &str, value: &str) -> String {
    crate::guard::return_to::append_query(base, field, value)
}

/// The options registered for the attributed handler with site id `id`;
/// `None` when none (or two different ones) were.
pub(crate) fn site_options(id: u64) -> Option<&'static GuardOptions> {
    registry().get(&id).copied().flatten()
}

/// The argument types of an axum handler (`Handler<T, S>`'s `T`): lets
/// [`crate::router`] read a handler's first argument, where
/// `#[require_login]` puts its guard.
pub trait HandlerArguments {
    /// What the first argument says about the handler's own guard.
    #[doc(hidden)]
    fn first_argument() -> OwnGuard;
}

/// No arguments (axum's `((),)`), or a method router used as a handler (`()`).
impl HandlerArguments for () {
    fn first_argument() -> OwnGuard {
        OwnGuard::None
    }
}

impl HandlerArguments for ((),) {
    fn first_argument() -> OwnGuard {
        OwnGuard::None
    }
}

/// axum's `(M, T1, ..., Tn)`: `M` marks how the last argument is extracted.
macro_rules! handler_arguments {
    ($($rest:ident),*) => {
        impl<M, T1: 'static, $($rest),*> HandlerArguments for (M, T1, $($rest,)*) {
                    fn first_argument() -> OwnGuard {
                OwnGuard::of_argument::<T1>()
            }
        }
    };
}

handler_arguments!();
handler_arguments!(T2);
handler_arguments!(T2, T3);
handler_arguments!(T2, T3, T4);
handler_arguments!(T2, T3, T4, T5);
handler_arguments!(T2, T3, T4, T5, T6);
handler_arguments!(T2, T3, T4, T5, T6, T7);
handler_arguments!(T2, T3, T4, T5, T6, T7, T8);
handler_arguments!(T2, T3, T4, T5, T6, T7, T8, T9);
handler_arguments!(T2, T3, T4, T5, T6, T7, T8, T9, T10);
handler_arguments!(T2, T3, T4, T5, T6, T7, T8, T9, T10, T11);
handler_arguments!(T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12);
handler_arguments!(T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13);
handler_arguments!(T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14);
handler_arguments!(T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15);
handler_arguments!(T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16);

/// What a handler's first argument says about its own guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum OwnGuard {
    /// Not a [`RequireLogin`] extractor: the handler has no guard of its own.
    None,
    /// `#[require_login]`: the site id its options are registered under.
    Site { id: u64, decides: bool },
    /// `RequireLogin<C>` for a [`GuardConfig`](crate::GuardConfig) type `C`,
    /// by the argument's type id; the router learns `C`'s options from
    /// [`GuardedRouter::guard_config`](crate::GuardedRouter::guard_config).
    Config {
        type_id: TypeId,
        config: &'static str,
        decides: bool,
    },
    /// An axum [`MethodRouter`](axum::routing::MethodRouter) given to
    /// [`GuardedRouter`](crate::GuardedRouter): its handlers' types are
    /// erased, so whether they have guards of their own cannot be seen.
    Unseen,
}

impl OwnGuard {
    /// Reads the guard off a handler's first argument type.
    pub(crate) fn of_argument<A: 'static>() -> OwnGuard {
        classify_argument(type_name::<A>(), TypeId::of::<A>())
    }

    /// Whether the handler takes `Option<RequireLogin<..>>` or
    /// `Result<RequireLogin<..>, LoginRejection>`: it runs for logged-out
    /// users too, and answers them itself.
    pub(crate) fn handler_decides(self) -> bool {
        match self {
            OwnGuard::None | OwnGuard::Unseen => false,
            OwnGuard::Site { decides, .. } | OwnGuard::Config { decides, .. } => decides,
        }
    }
}

/// The type ids a handler's first argument has when it is `C`'s guard:
/// `RequireLogin<C>`, and the two forms of a handler that decides itself.
pub(crate) fn guard_argument_types<C: ResolveOptions>() -> [TypeId; 3] {
    [
        TypeId::of::<RequireLogin<C>>(),
        TypeId::of::<Option<RequireLogin<C>>>(),
        TypeId::of::<Result<RequireLogin<C>, LoginRejection>>(),
    ]
}

/// `RequireLogin<...>` by its type name: a type name is the only thing a
/// generic function can read off a type it has no bound on. The prefixes
/// are taken from this build's own type names, not written out, so they
/// match whatever form the compiler prints.
fn classify_argument(name: &'static str, type_id: TypeId) -> OwnGuard {
    let option = type_name::<Option<()>>();
    let option = &option[..option.len() - "()>".len()];
    let (result, rejection) = type_name::<Result<(), LoginRejection>>()
        .split_once("()")
        .unwrap_or_default();
    let inner = name
        .strip_prefix(option)
        .and_then(|rest| rest.strip_suffix('>'))
        .or_else(|| {
            name.strip_prefix(result)
                .and_then(|rest| rest.strip_suffix(rejection))
        });
    match inner {
        Some(guard) => classify_guard(guard, type_id, true),
        None => classify_guard(name, type_id, false),
    }
}

fn classify_guard(name: &'static str, type_id: TypeId, decides: bool) -> OwnGuard {
    let guard = type_name::<RequireLogin<Site<0>>>();
    let guard = &guard[..guard.find('<').unwrap_or(guard.len())];
    // The compiler leaves a default type argument out of the name.
    if name == guard {
        return OwnGuard::Config {
            type_id,
            config: type_name::<DefaultLogin>(),
            decides,
        };
    }
    let site = type_name::<Site<0>>();
    let site = &site[..site.len() - "0>".len()];
    let Some(config) = name
        .strip_prefix(guard)
        .and_then(|rest| rest.strip_prefix('<'))
        .and_then(|rest| rest.strip_suffix('>'))
    else {
        return OwnGuard::None;
    };
    match config
        .strip_prefix(site)
        .and_then(|rest| rest.strip_suffix('>'))
        .and_then(|id| id.parse::<u64>().ok())
    {
        Some(id) => OwnGuard::Site { id, decides },
        None => OwnGuard::Config {
            type_id,
            config,
            decides,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_ids_are_those_the_attribute_computed_itself_before() {
        // The values of the hash the attribute computed itself before it
        // called `site_id`: moving it changed no id.
        assert_eq!(site_id(&[""]), 12_638_352_127_299_873_646);
        assert_eq!(
            site_id(&[r#"login = "/admin/login""#]),
            791_798_119_487_364_994
        );
        assert_eq!(
            site_id(&[
                "sentinel = consts :: SENTINEL",
                "app",
                "handler",
                "#0 bytes(10..20)"
            ]),
            3_743_271_566_678_413_641
        );
    }
}
