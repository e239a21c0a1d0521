//! Named login targets: `#[require_login(login = "admin-login")]` resolved at
//! request time, so the URL lives in one place.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use http::Extensions;

use crate::options::{GuardOptions, LoginTarget};
use crate::response::GuardError;

/// Maps login route names to URLs. Install it on the router with
/// [`axum::Extension`], and check it at start-up: with
/// [`check_guarded_handlers`](LoginRoutes::check_guarded_handlers) for the
/// names `#[require_login]` attributes use, and with
/// [`check_options`](LoginRoutes::check_options) for the names in your
/// [`RequireLoginLayer`](crate::RequireLoginLayer)s and
/// [`GuardConfig`](crate::GuardConfig) types, which no registry can list.
/// A name that is not registered is otherwise found only when a logged-out
/// user meets it, as a logged 500.
///
/// ```
/// use axum::{routing::get, Extension, Router};
/// use require_login::{guard::LoginRoutes, GuardConfig, GuardOptions, RequireLoginLayer};
///
/// const STAFF: RequireLoginLayer = RequireLoginLayer::new(GuardOptions::new().with_login("staff-login"));
/// struct Admin;
/// impl GuardConfig for Admin {
///     const OPTIONS: GuardOptions = GuardOptions::new().with_login("admin-login");
/// }
///
/// let routes = LoginRoutes::new()
///     .insert("staff-login", "/staff/login")
///     .insert("admin-login", "/admin/login");
/// routes.check_guarded_handlers().expect("every name an attribute uses is registered");
/// routes.check_options([STAFF.options(), &Admin::OPTIONS]).expect("and every name a layer or config uses");
/// let app: Router = Router::new()
///     .route("/staff", get(|| async { "staff" }))
///     .route_layer(STAFF)
///     .layer(Extension(routes));
/// ```
#[derive(Clone, Default)]
pub struct LoginRoutes {
    urls: Arc<HashMap<&'static str, &'static str>>,
}

impl fmt::Debug for LoginRoutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.urls.iter()).finish()
    }
}

impl LoginRoutes {
    /// An empty registry.
    ///
    /// ```
    /// assert!(require_login::guard::LoginRoutes::new().url("login").is_none());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `name` for `url`: a single-slash path or an http(s) URL.
    ///
    /// # Panics
    /// When `url` is neither, as `Router::route` panics on a bad path: it is a
    /// start-up mistake.
    ///
    /// ```
    /// let routes = require_login::guard::LoginRoutes::new().insert("login", "/sign-in");
    /// assert_eq!(routes.url("login"), Some("/sign-in"));
    /// ```
    #[must_use]
    pub fn insert(mut self, name: &'static str, url: &'static str) -> Self {
        match LoginTarget::try_new(url) {
            Ok(LoginTarget::Path(_) | LoginTarget::Url(_)) => {}
            Ok(LoginTarget::Named(_)) => panic!(
                "LoginRoutes::insert({name:?}, {url:?}): the URL is a route name; write a path such as \"/login\" or an http(s) URL"
            ),
            Err(why) => panic!("LoginRoutes::insert({name:?}, {url:?}): {why}"),
        }
        Arc::make_mut(&mut self.urls).insert(name, url);
        self
    }

    /// The URL registered for `name`.
    ///
    /// ```
    /// let routes = require_login::guard::LoginRoutes::new().insert("login", "/login");
    /// assert_eq!(routes.url("admin-login"), None);
    /// ```
    pub fn url(&self, name: &str) -> Option<&'static str> {
        self.urls.get(name).copied()
    }

    /// Checks that every route name used by a `#[require_login]` handler
    /// linked into this binary is registered. Call it at start-up, with
    /// [`check_options`](LoginRoutes::check_options) for your layers and
    /// [`GuardConfig`](crate::GuardConfig) types, which it cannot see.
    ///
    /// ```
    /// use require_login::{guard::{LoginRoutes, UnknownLoginRoutes}, require_login};
    ///
    /// #[require_login(login = "admin-login")]
    /// async fn admin_home() -> &'static str { "admins only" }
    ///
    /// // The handler need not be routed yet: linking it in is enough.
    /// let empty = LoginRoutes::new();
    /// assert_eq!(
    ///     empty.check_guarded_handlers(),
    ///     Err(UnknownLoginRoutes { names: vec!["admin-login"] })
    /// );
    /// let complete = empty.insert("admin-login", "/admin/login");
    /// assert_eq!(complete.check_guarded_handlers(), Ok(()));
    /// ```
    ///
    /// # Errors
    /// [`UnknownLoginRoutes`], naming every missing name.
    pub fn check_guarded_handlers(&self) -> Result<(), UnknownLoginRoutes> {
        self.check_options(crate::__private::registered_options())
    }

    /// Checks that every route name among `options` is registered: pass the
    /// options of your [`RequireLoginLayer`](crate::RequireLoginLayer)s
    /// ([`RequireLoginLayer::options`](crate::RequireLoginLayer::options))
    /// and [`GuardConfig`](crate::GuardConfig) types (`&C::OPTIONS`). Paths
    /// and URLs need no registration and always pass. Call it at start-up.
    ///
    /// ```
    /// use require_login::{guard::{LoginRoutes, UnknownLoginRoutes}, GuardConfig, GuardOptions, RequireLoginLayer};
    ///
    /// const STAFF: RequireLoginLayer = RequireLoginLayer::new(GuardOptions::new().with_login("staff-login"));
    /// struct Billing;
    /// impl GuardConfig for Billing {
    ///     const OPTIONS: GuardOptions = GuardOptions::new().with_login("billing-login");
    /// }
    /// const PLAIN: GuardOptions = GuardOptions::new().with_login("/login");
    ///
    /// let routes = LoginRoutes::new().insert("staff-login", "/staff/login");
    /// assert_eq!(
    ///     routes.check_options([STAFF.options(), &Billing::OPTIONS, &PLAIN]),
    ///     Err(UnknownLoginRoutes { names: vec!["billing-login"] })
    /// );
    /// let routes = routes.insert("billing-login", "/billing/login");
    /// assert_eq!(routes.check_options([STAFF.options(), &Billing::OPTIONS, &PLAIN]), Ok(()));
    /// ```
    ///
    /// # Errors
    /// [`UnknownLoginRoutes`], naming every missing name once, sorted.
    pub fn check_options<'a>(
        &self,
        options: impl IntoIterator<Item = &'a GuardOptions>,
    ) -> Result<(), UnknownLoginRoutes> {
        let mut names: Vec<&'static str> = options
            .into_iter()
            .filter_map(|options| match options.login() {
                LoginTarget::Named(name) if self.url(name).is_none() => Some(name),
                _ => None,
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        if names.is_empty() {
            Ok(())
        } else {
            Err(UnknownLoginRoutes { names })
        }
    }

    /// The URL a guard sends logged-out users to, before the return-to link.
    pub(crate) fn resolve(
        target: LoginTarget,
        extensions: &Extensions,
    ) -> Result<&'static str, GuardError> {
        match target {
            LoginTarget::Path(url) | LoginTarget::Url(url) => Ok(url),
            LoginTarget::Named(name) => {
                let routes = extensions.get::<LoginRoutes>();
                routes
                    .and_then(|routes| routes.url(name))
                    .ok_or(GuardError::UnknownLoginRoute {
                        name,
                        routes_installed: routes.is_some(),
                    })
            }
        }
    }
}

/// Route names used by guards but missing from a [`LoginRoutes`].
///
/// ```
/// let error = require_login::guard::UnknownLoginRoutes { names: vec!["admin-login"] };
/// assert!(error.to_string().contains("admin-login"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLoginRoutes {
    /// The missing names, sorted.
    pub names: Vec<&'static str>,
}

impl fmt::Display for UnknownLoginRoutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "guards use login route names that LoginRoutes does not register: {}",
            self.names.join(", ")
        )
    }
}

impl std::error::Error for UnknownLoginRoutes {}
