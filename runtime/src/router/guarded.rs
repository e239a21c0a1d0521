//! Deny by default: [`GuardedRouter`] builds an axum [`Router`] in which
//! every route is guarded unless it is declared public, checks the result at
//! start-up, and lists every route with its protection.

use std::any::TypeId;
use std::convert::Infallible;
use std::fmt::{self, Write as _};
use std::sync::Arc;

use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, Route};
use axum::{Extension, Router};
use http::StatusCode;
use tower_layer::Layer;
use tower_service::Service;

use crate::__private::{guard_argument_types, site_options, OwnGuard};
use crate::guard::RequireLoginLayer;
use crate::guard::{DefaultLogin, GuardConfig};
use crate::guard::{LoginRoutes, UnknownLoginRoutes};
use crate::options::{GuardOptions, LoginTarget};
use crate::router::method_routing::GuardedMethodRouter;

type Mount<S> = Box<dyn FnOnce(Router<S>, Option<GuardOptions>) -> Router<S> + Send>;
type Wrap<S> = Box<dyn FnOnce(Router<S>) -> Router<S> + Send>;

/// A `route_layer`, applied inside each route's guard: to a route's method
/// router (`per_route`), or to a router of nested services (`whole`).
struct RouteLayer<S> {
    per_route: Arc<dyn Fn(MethodRouter<S>) -> MethodRouter<S> + Send + Sync>,
    whole: Arc<dyn Fn(Router<S>) -> Router<S> + Send + Sync>,
}

impl<S> Clone for RouteLayer<S> {
    fn clone(&self) -> Self {
        RouteLayer {
            per_route: self.per_route.clone(),
            whole: self.whole.clone(),
        }
    }
}

enum Item<S> {
    Route {
        path: String,
        methods: GuardedMethodRouter<S>,
        public: bool,
    },
    Nest {
        path: String,
        router: GuardedRouter<S>,
    },
    PublicNest {
        path: String,
        router: Router<S>,
    },
    NestService {
        path: String,
        public: bool,
        mount: Mount<S>,
    },
    Merge(GuardedRouter<S>),
    Fallback {
        methods: GuardedMethodRouter<S>,
        public: bool,
    },
    Layer(Wrap<S>),
    RouteLayer(RouteLayer<S>),
}

/// An axum [`Router`] builder that guards every route unless it is
/// declared public: deny by default, as Django's `LoginRequiredMiddleware`
/// with `@login_not_required`, or ASP.NET Core's fallback authorization
/// policy with `[AllowAnonymous]`.
///
/// - [`route`](Self::route), [`nest`](Self::nest),
///   [`nest_service`](Self::nest_service), [`fallback`](Self::fallback):
///   guarded. A handler with `#[require_login]` (or a
///   [`RequireLogin<C>`](crate::RequireLogin) first argument) keeps its own
///   login target, sentinel and status; every other route gets the app's
///   default ([`default_guard`](Self::default_guard), else
///   [`GuardOptions::new`]).
/// - [`public_route`](Self::public_route), [`public_nest`](Self::public_nest),
///   [`public_nest_service`](Self::public_nest_service),
///   [`public_fallback`](Self::public_fallback): public, for the login page,
///   the client script, assets and health checks.
/// - With no fallback, unknown paths get a guarded `404`: a logged-out user
///   is sent to log in and cannot probe which paths exist.
///
/// Build it with [`build`](Self::build), which refuses an app whose login
/// page is itself guarded, whose guards name a login route that
/// [`login_routes`](Self::login_routes) does not register, or whose path is
/// both public and guarded. [`audit`](Self::audit) lists every route.
///
/// Add routes with the method functions of [`crate::routing`] (`get`,
/// `post`, ..., the names of axum's), which see each handler's own guard.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use axum::body::Body;
/// use require_login::routing::{get, post};
/// use require_login::{client_script, require_login, GuardedRouter, CLIENT_SCRIPT_PATH};
/// use tower::ServiceExt;
/// use tower_sessions::{MemoryStore, SessionManagerLayer};
///
/// #[require_login(login = "/admin/login", status = 401)]
/// async fn admin_stats() -> &'static str { "admins only" }
///
/// let app = GuardedRouter::new()
///     .route("/dashboard", get(|| async { "for logged-in users" })) // guarded: the default
///     .route("/admin/stats", get(admin_stats)) // guarded: its own options
///     .public_route("/login", get(|| async { "the form" }).post(|| async { "welcome" }))
///     .public_route("/admin/login", get(|| async { "the admin form" }))
///     .public_route(CLIENT_SCRIPT_PATH, get(client_script))
///     .build()
///     .expect("the login pages are public")
///     .layer(SessionManagerLayer::new(MemoryStore::default()));
///
/// let visit = |path: &str| http::Request::get(path).body(Body::empty()).unwrap();
/// let dashboard = app.clone().oneshot(visit("/dashboard")).await.unwrap();
/// assert_eq!(dashboard.headers()["location"], "/login?next=/dashboard");
/// let admin = app.clone().oneshot(visit("/admin/stats")).await.unwrap();
/// assert_eq!(admin.headers()["location"], "/admin/login?next=/admin/stats");
/// let login = app.clone().oneshot(visit("/login")).await.unwrap();
/// assert_eq!(login.status(), 200);
/// # });
/// ```
///
/// # What is covered, exactly
///
/// Covered: every route added through this builder, whatever `layer` or
/// `route_layer` came before or after it (each route carries its own
/// guard); nested and merged `GuardedRouter`s; services added with
/// [`nest_service`](Self::nest_service) (as a whole, with the default
/// options: a service has no handler to read a guard from); the fallback,
/// the one you set or the built-in 404.
///
/// Not covered: routes added to the returned [`Router`] after
/// [`build`](Self::build); axum's own `405 Method Not Allowed` for a method a
/// path has no handler for (it tells a logged-out user that the path
/// exists, and nothing else); whatever is inside a
/// [`public_nest`](Self::public_nest) or
/// [`public_nest_service`](Self::public_nest_service), which is public as a
/// whole and listed as one row.
///
/// A handler's own guard is only seen through [`crate::routing`]'s
/// functions: there is no `route` taking axum's
/// [`MethodRouter`], whose handlers' types are erased.
///
/// # Checked once
///
/// A guarded route runs one [`RequireLoginLayer`] with the route's options,
/// outside its [`route_layer`](Self::route_layer)s. A handler whose own
/// guard is its first argument needs none when no route layer comes between
/// (the same check, with the same options, first thing). Under route layers
/// both run: the route's guard marks the request it lets through, and the
/// handler's own guard, with the same session key, reuses that answer
/// instead of reading the session again.
pub struct GuardedRouter<S = ()> {
    default: Option<GuardOptions>,
    items: Vec<Item<S>>,
    configs: Vec<(TypeId, GuardOptions)>,
    login_routes: Option<LoginRoutes>,
    log_audit: bool,
}

/// A layer [`GuardedRouter::layer`] and [`GuardedRouter::route_layer`]
/// take: any layer [`axum::Router::layer`] takes (implemented for all of
/// them), named once so the two methods state it once.
///
/// ```
/// fn takes<L: require_login::RouterLayer>(_: L) {}
/// takes(axum::Extension("shared"));
/// ```
pub trait RouterLayer: Layer<Route, Service: LayeredRoute> + Clone + Send + Sync + 'static {}

impl<L> RouterLayer for L where
    L: Layer<Route, Service: LayeredRoute> + Clone + Send + Sync + 'static
{
}

/// What a [`RouterLayer`] makes of a route: a service axum can route to
/// (implemented for all of them).
///
/// ```
/// use std::convert::Infallible;
///
/// fn routable<T: require_login::LayeredRoute>(_: T) {}
/// routable(tower::service_fn(|_: axum::extract::Request| async { Ok::<_, Infallible>("ok") }));
/// ```
pub trait LayeredRoute:
    Service<
        Request,
        Response: IntoResponse + 'static,
        Error: Into<Infallible> + 'static,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<T> LayeredRoute for T
where
    T: Service<Request> + Clone + Send + Sync + 'static,
    T::Response: IntoResponse + 'static,
    T::Error: Into<Infallible> + 'static,
    T::Future: Send + 'static,
{
}

/// A service [`GuardedRouter::nest_service`] and
/// [`GuardedRouter::public_nest_service`] take: any service
/// [`axum::Router::nest_service`] takes (implemented for all of them).
///
/// ```
/// use std::convert::Infallible;
///
/// fn nestable<T: require_login::NestedService>(_: T) {}
/// nestable(tower::service_fn(|_: axum::extract::Request| async { Ok::<_, Infallible>("a file") }));
/// ```
pub trait NestedService:
    Service<Request, Error = Infallible, Response: IntoResponse, Future: Send + 'static>
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<T> NestedService for T
where
    T: Service<Request, Error = Infallible> + Clone + Send + Sync + 'static,
    T::Response: IntoResponse,
    T::Future: Send + 'static,
{
}

impl<S> fmt::Debug for GuardedRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardedRouter")
            .field("default", &self.default)
            .field("items", &self.items.len())
            .field("login_routes", &self.login_routes)
            .finish_non_exhaustive()
    }
}

impl<S> Default for GuardedRouter<S> {
    fn default() -> Self {
        GuardedRouter {
            default: None,
            items: Vec::new(),
            configs: Vec::new(),
            login_routes: None,
            log_audit: false,
        }
    }
}

/// Where a guarded route's options come from.
///
/// ```
/// use require_login::{routing::get, GuardSource, GuardedRouter};
/// let audit = GuardedRouter::new().route("/", get(|| async { "home" })).audit().unwrap();
/// assert_eq!(audit[0].guard_source(), Some(GuardSource::AppDefault));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GuardSource {
    /// The app's default guard: the handler has none of its own.
    AppDefault,
    /// The handler's own `#[require_login]` or `RequireLogin<C>`.
    Handler,
}

/// Whether a route is public or guarded, and with which options.
///
/// ```
/// use require_login::{routing::get, Access, GuardedRouter};
/// let audit = GuardedRouter::new().public_route("/health", get(|| async { "ok" })).audit().unwrap();
/// assert_eq!(audit[0].access, Access::Public);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Anyone gets the handler.
    Public,
    /// Logged-out users get the login answer of these options.
    Guarded {
        /// The options the route's guard answers with.
        options: GuardOptions,
        /// Where they come from.
        source: GuardSource,
    },
    /// The handler runs for everyone and answers logged-out users itself:
    /// it takes `Option<RequireLogin<..>>` or `Result<RequireLogin<..>,
    /// LoginRejection>` first, whose guard has these options. No route
    /// guard runs before it, under `route` or `public_route`.
    HandlerDecides {
        /// The options of the handler's guard.
        options: GuardOptions,
    },
}

impl Access {
    fn handler_decides(&self) -> bool {
        matches!(self, Access::HandlerDecides { .. })
    }
}

/// What a row of the audit stands for.
///
/// ```
/// use require_login::{routing::get, GuardedRouter, RouteKind};
/// let audit = GuardedRouter::new().route("/", get(|| async { "home" })).audit().unwrap();
/// assert_eq!(audit[0].kind, RouteKind::Route);
/// assert_eq!(audit[1].kind, RouteKind::Fallback); // the built-in 404
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteKind {
    /// A path's handler for one method (`GET` also answers `HEAD`, as in axum).
    Route,
    /// Everything under a path: a nested service or a public nested router;
    /// the row's path ends in `/*`.
    Nested,
    /// What answers paths no route matches: `*`, or `/prefix/*` for a nested
    /// router's own fallback.
    Fallback,
}

/// One row of a [`GuardedRouter::audit`]: a method and path, and what a
/// logged-out user gets there.
///
/// ```
/// use require_login::{require_login, routing::get, GuardedRouter};
///
/// #[require_login(login = "/admin/login", status = 401, sentinel = "ADMIN_LOGIN")]
/// async fn stats() -> &'static str { "admins only" }
///
/// let audit = GuardedRouter::new()
///     .route("/admin/stats", get(stats))
///     .public_route("/admin/login", get(|| async { "the form" }))
///     .audit()
///     .unwrap();
/// let row = &audit[0];
/// assert_eq!((row.method, row.path.as_str()), ("GET", "/admin/stats"));
/// assert_eq!(row.login_target().unwrap().as_str(), "/admin/login");
/// assert_eq!(row.options().unwrap().deny_status().code(), 401);
/// assert_eq!(row.options().unwrap().sentinel_str(), "ADMIN_LOGIN");
/// assert!(audit[1].is_public());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RouteAudit {
    /// `GET`, `POST`, ..., or `ANY`.
    pub method: &'static str,
    /// The full path, as written in the router (`/users/{id}`), with nests'
    /// prefixes; `/prefix/*` for everything under a prefix, `*` for the
    /// app's fallback.
    pub path: String,
    /// What the row stands for.
    pub kind: RouteKind,
    /// Public, or guarded and how.
    pub access: Access,
}

impl RouteAudit {
    /// Whether the route is public: anyone gets its handler, which has no
    /// guard of its own. A handler that decides itself
    /// ([`Access::HandlerDecides`]) is not public.
    ///
    /// ```
    /// # use require_login::{routing::get, GuardedRouter};
    /// let audit = GuardedRouter::new().route("/", get(|| async { "home" })).audit().unwrap();
    /// assert!(!audit[0].is_public());
    /// ```
    pub fn is_public(&self) -> bool {
        self.access == Access::Public
    }

    fn is_guarded(&self) -> bool {
        matches!(self.access, Access::Guarded { .. })
    }

    /// The guard's options (of the handler's own guard, for a handler that
    /// decides itself); `None` for a public route.
    ///
    /// ```
    /// # use require_login::{routing::get, GuardedRouter, GuardOptions};
    /// let audit = GuardedRouter::new().route("/", get(|| async { "home" })).audit().unwrap();
    /// assert_eq!(audit[0].options(), Some(&GuardOptions::new()));
    /// ```
    pub fn options(&self) -> Option<&GuardOptions> {
        match &self.access {
            Access::Public => None,
            Access::Guarded { options, .. } | Access::HandlerDecides { options } => Some(options),
        }
    }

    /// Where a logged-out navigation goes; `None` for a public route.
    ///
    /// ```
    /// # use require_login::{routing::get, GuardedRouter, LoginTarget};
    /// let audit = GuardedRouter::new().route("/", get(|| async { "home" })).audit().unwrap();
    /// assert_eq!(audit[0].login_target(), Some(LoginTarget::Path("/login")));
    /// ```
    pub fn login_target(&self) -> Option<LoginTarget> {
        self.options().map(GuardOptions::login_target)
    }

    /// Where the guard's options come from; `None` for a public route.
    ///
    /// ```
    /// # use require_login::{routing::get, GuardedRouter};
    /// let audit = GuardedRouter::new().public_route("/", get(|| async { "home" })).audit().unwrap();
    /// assert_eq!(audit[0].guard_source(), None);
    /// ```
    pub fn guard_source(&self) -> Option<GuardSource> {
        match self.access {
            Access::Public => None,
            Access::Guarded { source, .. } => Some(source),
            Access::HandlerDecides { .. } => Some(GuardSource::Handler),
        }
    }

    fn cells(&self) -> [&str; 7] {
        let (access, by, options) = match &self.access {
            Access::Public => {
                return [self.method, &self.path, "public", "-", "-", "-", "-"];
            }
            Access::Guarded {
                options,
                source: GuardSource::AppDefault,
            } => ("guarded", "default", options),
            Access::Guarded {
                options,
                source: GuardSource::Handler,
            } => ("guarded", "handler", options),
            Access::HandlerDecides { options } => ("decides", "handler", options),
        };
        [
            self.method,
            &self.path,
            access,
            by,
            options.login.as_str(),
            match options.status.code().as_u16() {
                401 => "401",
                _ => "403",
            },
            options.sentinel,
        ]
    }

    fn describe(&self) -> String {
        match self.kind {
            RouteKind::Fallback => format!("the fallback `{}`", self.path),
            _ => format!("`{} {}`", self.method, self.path),
        }
    }
}

const HEADER: [&str; 7] = [
    "METHOD", "PATH", "ACCESS", "BY", "LOGIN", "STATUS", "SENTINEL",
];

/// The audit as an aligned text table, one row per route, as
/// [`GuardedRouter::log_audit`] logs it and [`assert_audit_table`] compares it.
///
/// ```
/// use require_login::{audit_table, routing::get, GuardedRouter};
///
/// let audit = GuardedRouter::new()
///     .route("/dashboard", get(|| async { "dashboard" }))
///     .public_route("/login", get(|| async { "the form" }))
///     .audit()
///     .unwrap();
/// assert_eq!(
///     audit_table(&audit),
///     "\
/// METHOD  PATH        ACCESS   BY       LOGIN   STATUS  SENTINEL
/// GET     /dashboard  guarded  default  /login  403     LOGIN_REQUIRED
/// GET     /login      public   -        -       -       -
/// ANY     *           guarded  default  /login  403     LOGIN_REQUIRED
/// "
/// );
/// ```
pub fn audit_table(audit: &[RouteAudit]) -> String {
    let rows: Vec<[&str; 7]> = std::iter::once(HEADER)
        .chain(audit.iter().map(RouteAudit::cells))
        .collect();
    let mut widths = [0; 7];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.len());
        }
    }
    let mut table = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                line.push_str(&" ".repeat(widths[i] - cell.len() + 2));
            }
        }
        table.push_str(line.trim_end());
        table.push('\n');
    }
    table
}

/// Pins an app's audit: panics, naming each changed row, unless `audit`'s
/// table is `expected` (compared cell by cell, so the alignment of
/// `expected` does not matter). Use it in a test, so that a change to any
/// route's protection fails until the table in the test is updated with it.
///
/// ```
/// use require_login::{assert_audit_table, routing::get, GuardedRouter};
///
/// let app = GuardedRouter::new()
///     .route("/dashboard", get(|| async { "dashboard" }))
///     .public_route("/login", get(|| async { "the form" }));
/// assert_audit_table(&app.audit().unwrap(), "
///     METHOD PATH       ACCESS  BY      LOGIN  STATUS SENTINEL
///     GET    /dashboard guarded default /login 403    LOGIN_REQUIRED
///     GET    /login     public  -       -      -      -
///     ANY    *          guarded default /login 403    LOGIN_REQUIRED
/// ");
/// ```
///
/// ```should_panic
/// # use require_login::{assert_audit_table, routing::get, GuardedRouter};
/// // The dashboard was made public by mistake: the pinned table catches it.
/// let app = GuardedRouter::new().public_route("/dashboard", get(|| async { "dashboard" }));
/// assert_audit_table(&app.audit().unwrap(), "
///     METHOD PATH       ACCESS  BY      LOGIN  STATUS SENTINEL
///     GET    /dashboard guarded default /login 403    LOGIN_REQUIRED
///     ANY    *          guarded default /login 403    LOGIN_REQUIRED
/// ");
/// ```
///
/// # Panics
/// When the tables differ; the message lists the rows expected and not
/// found, the rows found and not expected, and the whole table to paste.
#[track_caller]
pub fn assert_audit_table(audit: &[RouteAudit], expected: &str) {
    let actual = audit_table(audit);
    let rows = |table: &str| -> Vec<String> {
        table
            .lines()
            .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|line| !line.is_empty())
            .collect()
    };
    let (want, got) = (rows(expected), rows(&actual));
    if want == got {
        return;
    }
    let missing: Vec<&String> = want.iter().filter(|row| !got.contains(row)).collect();
    let unexpected: Vec<&String> = got.iter().filter(|row| !want.contains(row)).collect();
    let mut message = String::from("the app's route audit changed\n");
    for row in &missing {
        let _ = writeln!(message, "  - expected: {row}");
    }
    for row in &unexpected {
        let _ = writeln!(message, "  + found:    {row}");
    }
    if missing.is_empty() && unexpected.is_empty() {
        message.push_str("  (the same rows, in another order)\n");
    }
    message.push_str("the whole table now:\n");
    message.push_str(&actual);
    panic!("{message}");
}

/// Why [`GuardedRouter::build`] refused an app.
///
/// ```
/// use require_login::{routing::get, GuardedRouter, GuardedRouterError};
///
/// // The login page was added with `route`, not `public_route`.
/// let error = GuardedRouter::new()
///     .route("/login", get(|| async { "the form" }))
///     .build()
///     .unwrap_err();
/// assert!(matches!(error, GuardedRouterError::LoginPageGuarded { ref login, .. } if login == "/login"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GuardedRouterError {
    /// A guard sends logged-out users to a login page that is itself
    /// guarded, so every logged-out visit would redirect to itself.
    LoginPageGuarded {
        /// The login page's path.
        login: String,
        /// The route that serves it, guarded (or the guarded fallback).
        served_by: String,
        /// A route whose guard sends logged-out users there.
        sent_from: String,
    },
    /// Guards name login routes that [`GuardedRouter::login_routes`] does
    /// not register (or no `LoginRoutes` was given).
    UnknownLoginRoutes(UnknownLoginRoutes),
    /// A path is declared public and guarded at once.
    PublicAndGuarded {
        /// The path.
        path: String,
        /// How.
        detail: String,
    },
    /// A handler's first argument is `RequireLogin<C>` for a [`GuardConfig`]
    /// type the router was not told about with
    /// [`GuardedRouter::guard_config`].
    UnknownGuardConfig {
        /// The config type, as the compiler names it.
        config: &'static str,
        /// The route.
        route: String,
    },
    /// A `#[require_login]` handler whose options were not registered (or
    /// registered twice, differently): the binary lost its registration.
    UnregisteredHandlerGuard {
        /// The route.
        route: String,
    },
}

impl fmt::Display for GuardedRouterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuardedRouterError::LoginPageGuarded { login, served_by, sent_from } => write!(
                f,
                "the login page {login} is guarded ({served_by}), so the guard of {sent_from} would send a logged-out user to a page that sends them on to itself: declare it with `public_route({login:?}, ...)`"
            ),
            GuardedRouterError::UnknownLoginRoutes(unknown) => write!(
                f,
                "{unknown}: register them with `GuardedRouter::login_routes(LoginRoutes::new().route(\"name\", \"/path\"))`"
            ),
            GuardedRouterError::PublicAndGuarded { path, detail } => {
                write!(f, "the path {path} is declared public and guarded at once: {detail}")
            }
            GuardedRouterError::UnknownGuardConfig { config, route } => write!(
                f,
                "the handler of {route} is guarded by `RequireLogin<{config}>`, whose options this router does not know: add `.guard_config::<{config}>()`"
            ),
            GuardedRouterError::UnregisteredHandlerGuard { route } => write!(
                f,
                "the #[require_login] handler of {route} has no registered options (was its object file left out of the link?)"
            ),
        }
    }
}

impl std::error::Error for GuardedRouterError {}

/// What nested routers inherit.
#[derive(Clone)]
struct Scope {
    default: GuardOptions,
    prefix: String,
    configs: Vec<(TypeId, GuardOptions)>,
}

impl Scope {
    fn enter<S>(&self, router: &GuardedRouter<S>, path: &str) -> Scope {
        let mut configs = self.configs.clone();
        configs.extend(router.configs.iter().copied());
        Scope {
            default: router.default.unwrap_or(self.default),
            prefix: join(&self.prefix, path),
            configs,
        }
    }

    /// A handler's own options, if it has a guard of its own.
    fn own_options(
        &self,
        own: OwnGuard,
        route: impl FnOnce() -> String,
    ) -> Result<Option<GuardOptions>, GuardedRouterError> {
        match own {
            OwnGuard::None => Ok(None),
            OwnGuard::Site { id, .. } => site_options(id)
                .copied()
                .map(Some)
                .ok_or_else(|| GuardedRouterError::UnregisteredHandlerGuard { route: route() }),
            OwnGuard::Config {
                type_id, config, ..
            } => {
                if guard_argument_types::<DefaultLogin>().contains(&type_id) {
                    return Ok(Some(DefaultLogin::OPTIONS));
                }
                self.configs
                    .iter()
                    .find(|(id, _)| *id == type_id)
                    .map(|(_, options)| Some(*options))
                    .ok_or_else(|| GuardedRouterError::UnknownGuardConfig {
                        config,
                        route: route(),
                    })
            }
        }
    }

    /// A route's access: `public` as declared, `own` the handler's guard.
    fn access(
        &self,
        public: bool,
        own: OwnGuard,
        path: &str,
        route: impl FnOnce() -> String,
    ) -> Result<Access, GuardedRouterError> {
        let route = route();
        let options = self.own_options(own, || route.clone())?;
        Ok(match (public, options) {
            (_, Some(options)) if own.handler_decides() => Access::HandlerDecides { options },
            (false, own) => self.guarded(own),
            (true, None) => Access::Public,
            (true, Some(_)) => {
                return Err(GuardedRouterError::PublicAndGuarded {
                    detail: format!(
                        "{route} is added as public, but its handler has a guard of its own (#[require_login] or RequireLogin<C>); take `Option<RequireLogin<C>>` for a handler that lets everyone in and decides itself"
                    ),
                    path: path.to_owned(),
                });
            }
        })
    }

    fn guarded(&self, own: Option<GuardOptions>) -> Access {
        match own {
            Some(options) => Access::Guarded {
                options,
                source: GuardSource::Handler,
            },
            None => Access::Guarded {
                options: self.default,
                source: GuardSource::AppDefault,
            },
        }
    }
}

/// `prefix` + `path`, as `Router::nest` joins them.
fn join(prefix: &str, path: &str) -> String {
    if path == "/" && !prefix.is_empty() {
        prefix.to_owned()
    } else {
        format!("{prefix}{path}")
    }
}

fn under(prefix: &str) -> String {
    if prefix.is_empty() {
        "*".to_owned()
    } else {
        format!("{prefix}/*")
    }
}

impl GuardedRouter<()> {
    /// An empty app, guarded with [`GuardOptions::new`] unless
    /// [`default_guard`](Self::default_guard) says otherwise. For an app
    /// with state, start from `GuardedRouter::<AppState>::default()` and call
    /// `with_state` on the built router.
    ///
    /// ```
    /// use axum::extract::State;
    /// use require_login::{routing::get, GuardedRouter};
    ///
    /// let plain: axum::Router = GuardedRouter::new()
    ///     .public_route("/login", get(|| async { "the form" }))
    ///     .build()
    ///     .unwrap();
    /// let with_state: axum::Router = GuardedRouter::<u32>::default()
    ///     .route("/count", get(|State(n): State<u32>| async move { n.to_string() }))
    ///     .public_route("/login", get(|| async { "the form" }))
    ///     .build()
    ///     .unwrap()
    ///     .with_state(7);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

impl<S> GuardedRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    /// The options of every guarded route whose handler has none of its
    /// own. Nested and merged routers without a default of their own
    /// inherit it.
    ///
    /// ```
    /// use require_login::{routing::get, GuardOptions, GuardedRouter};
    ///
    /// let app = GuardedRouter::new()
    ///     .default_guard(GuardOptions::new().login("/sign-in").status(401))
    ///     .route("/", get(|| async { "home" }))
    ///     .public_route("/sign-in", get(|| async { "the form" }));
    /// assert_eq!(app.audit().unwrap()[0].login_target().unwrap().as_str(), "/sign-in");
    /// ```
    #[must_use]
    pub fn default_guard(mut self, options: GuardOptions) -> Self {
        self.default = Some(options);
        self
    }

    /// Tells the router the options of a [`GuardConfig`] type, so that a
    /// handler taking `RequireLogin<C>` first keeps them (and the audit shows
    /// them). Without it, [`build`](Self::build) refuses such a handler.
    ///
    /// ```
    /// use require_login::{routing::get, GuardConfig, GuardOptions, GuardedRouter, RequireLogin};
    ///
    /// struct Staff;
    /// impl GuardConfig for Staff {
    ///     const OPTIONS: GuardOptions = GuardOptions::new().login("/staff/login");
    /// }
    /// async fn rota(_: RequireLogin<Staff>) -> &'static str { "the rota" }
    ///
    /// let app = GuardedRouter::new()
    ///     .guard_config::<Staff>()
    ///     .route("/staff/rota", get(rota))
    ///     .public_route("/staff/login", get(|| async { "the form" }));
    /// assert_eq!(app.audit().unwrap()[0].login_target().unwrap().as_str(), "/staff/login");
    /// ```
    #[must_use]
    pub fn guard_config<C: GuardConfig>(mut self) -> Self {
        for type_id in guard_argument_types::<C>() {
            self.configs.push((type_id, C::OPTIONS));
        }
        self
    }

    /// The named login routes guards may use (`login = "admin-login"`):
    /// [`build`](Self::build) checks every name in use against them and
    /// installs them on the router (as `Extension(routes)`).
    ///
    /// ```
    /// use require_login::{routing::get, GuardOptions, GuardedRouter, LoginRoutes};
    ///
    /// let app = GuardedRouter::new()
    ///     .default_guard(GuardOptions::new().login("login"))
    ///     .login_routes(LoginRoutes::new().route("login", "/login"))
    ///     .route("/", get(|| async { "home" }))
    ///     .public_route("/login", get(|| async { "the form" }));
    /// assert!(app.build().is_ok());
    /// ```
    #[must_use]
    pub fn login_routes(mut self, routes: LoginRoutes) -> Self {
        self.login_routes = Some(routes);
        self
    }

    /// Logs the audit table through `tracing` (at `INFO`, target
    /// `require_login::audit`) when [`build`](Self::build) succeeds.
    ///
    /// ```
    /// use require_login::{routing::get, GuardedRouter};
    /// let app: axum::Router = GuardedRouter::new()
    ///     .route("/", get(|| async { "home" }))
    ///     .public_route("/login", get(|| async { "the form" }))
    ///     .log_audit()
    ///     .build()
    ///     .unwrap();
    /// ```
    #[must_use]
    pub fn log_audit(mut self) -> Self {
        self.log_audit = true;
        self
    }

    /// A guarded route: logged-out users get the login answer of the
    /// handler's own guard, or else of the app's default.
    ///
    /// # Panics
    /// As [`axum::Router::route`]: a bad path, or a method routed twice.
    ///
    /// ```
    /// use require_login::{routing::get, GuardedRouter};
    /// let app = GuardedRouter::new().route("/dashboard", get(|| async { "dashboard" }));
    /// assert!(!app.audit().unwrap()[0].is_public());
    /// ```
    #[must_use]
    pub fn route(mut self, path: &str, methods: GuardedMethodRouter<S>) -> Self {
        self.items.push(Item::Route {
            path: path.to_owned(),
            methods,
            public: false,
        });
        self
    }

    /// A public route: anyone gets the handler. For the login page itself,
    /// the client script, assets, health checks. A handler with a guard of
    /// its own cannot be public: [`build`](Self::build) refuses it.
    ///
    /// # Panics
    /// As [`axum::Router::route`].
    ///
    /// ```
    /// use require_login::{routing::get, GuardedRouter};
    /// let app = GuardedRouter::new().public_route("/health", get(|| async { "ok" }));
    /// assert!(app.audit().unwrap()[0].is_public());
    /// ```
    #[must_use]
    pub fn public_route(mut self, path: &str, methods: GuardedMethodRouter<S>) -> Self {
        self.items.push(Item::Route {
            path: path.to_owned(),
            methods,
            public: true,
        });
        self
    }

    /// Nests a guarded router under `path`, as [`axum::Router::nest`]. Its
    /// routes are guarded or public as it declares them; without a default
    /// guard of its own, it inherits this one's.
    ///
    /// ```
    /// use require_login::{routing::get, GuardOptions, GuardedRouter};
    ///
    /// let admin = GuardedRouter::new()
    ///     .default_guard(GuardOptions::new().login("/admin/login"))
    ///     .route("/", get(|| async { "admin home" }))
    ///     .public_route("/login", get(|| async { "the admin form" }));
    /// let app = GuardedRouter::new()
    ///     .nest("/admin", admin)
    ///     .public_route("/login", get(|| async { "the form" }));
    /// let audit = app.audit().unwrap();
    /// assert_eq!(audit[0].path, "/admin");
    /// assert_eq!(audit[0].login_target().unwrap().as_str(), "/admin/login");
    /// assert_eq!(audit[1].path, "/admin/login");
    /// ```
    #[must_use]
    pub fn nest(mut self, path: &str, router: GuardedRouter<S>) -> Self {
        self.items.push(Item::Nest {
            path: path.to_owned(),
            router,
        });
        self
    }

    /// Nests a plain axum router under `path`, public as a whole: nothing in
    /// it is guarded by this router (its own `#[require_login]` handlers
    /// and layers still are). Listed as one row, `path/*`.
    ///
    /// ```
    /// use require_login::{routing::get, GuardedRouter, RouteKind};
    ///
    /// let docs: axum::Router = axum::Router::new().route("/", axum::routing::get(|| async { "docs" }));
    /// let audit = GuardedRouter::new().public_nest("/docs", docs).audit().unwrap();
    /// assert_eq!((audit[0].path.as_str(), audit[0].kind), ("/docs/*", RouteKind::Nested));
    /// assert!(audit[0].is_public());
    /// ```
    #[must_use]
    pub fn public_nest(mut self, path: &str, router: Router<S>) -> Self {
        self.items.push(Item::PublicNest {
            path: path.to_owned(),
            router,
        });
        self
    }

    /// Mounts a service under `path`, as [`axum::Router::nest_service`],
    /// guarded as a whole with the default options.
    ///
    /// ```
    /// use require_login::{GuardedRouter, RouteKind};
    ///
    /// let files = tower::service_fn(|_: axum::extract::Request| async {
    ///     Ok::<_, std::convert::Infallible>("a private file")
    /// });
    /// let audit = GuardedRouter::new().nest_service("/files", files).audit().unwrap();
    /// assert_eq!((audit[0].path.as_str(), audit[0].kind), ("/files/*", RouteKind::Nested));
    /// assert!(!audit[0].is_public());
    /// ```
    #[must_use]
    pub fn nest_service<T: NestedService>(self, path: &str, service: T) -> Self {
        self.push_service(path, service, false)
    }

    /// Mounts a public service under `path` (static assets).
    ///
    /// ```
    /// use require_login::GuardedRouter;
    ///
    /// let assets = tower::service_fn(|_: axum::extract::Request| async {
    ///     Ok::<_, std::convert::Infallible>("body { }")
    /// });
    /// let audit = GuardedRouter::new().public_nest_service("/assets", assets).audit().unwrap();
    /// assert!(audit[0].is_public());
    /// ```
    #[must_use]
    pub fn public_nest_service<T: NestedService>(self, path: &str, service: T) -> Self {
        self.push_service(path, service, true)
    }

    fn push_service<T: NestedService>(mut self, path: &str, service: T, public: bool) -> Self {
        let at = path.to_owned();
        self.items.push(Item::NestService {
            path: path.to_owned(),
            public,
            mount: Box::new(move |router, guard| match guard {
                None => router.nest_service(&at, service),
                Some(options) => {
                    router.nest_service(&at, RequireLoginLayer::new(options).layer(service))
                }
            }),
        });
        self
    }

    /// Merges another guarded router's routes into this one, as
    /// [`axum::Router::merge`]; without a default guard of its own, it
    /// inherits this one's.
    ///
    /// ```
    /// use require_login::{routing::get, GuardedRouter};
    ///
    /// let api = GuardedRouter::new().route("/api/time", get(|| async { "12:00" }));
    /// let app = GuardedRouter::new().route("/", get(|| async { "home" })).merge(api);
    /// assert_eq!(app.audit().unwrap()[1].path, "/api/time");
    /// ```
    #[must_use]
    pub fn merge(mut self, other: GuardedRouter<S>) -> Self {
        self.configs.extend(other.configs.iter().copied());
        self.items.push(Item::Merge(other));
        self
    }

    /// A guarded fallback, for paths no route matches (see
    /// [`axum::Router::fallback`]). Without one, the built app answers them
    /// with a guarded `404`.
    ///
    /// ```
    /// use require_login::{routing::any, GuardedRouter, RouteKind};
    ///
    /// let app = GuardedRouter::new().fallback(any(|| async { "no such page" }));
    /// let audit = app.audit().unwrap();
    /// assert_eq!((audit[0].path.as_str(), audit[0].kind), ("*", RouteKind::Fallback));
    /// assert!(!audit[0].is_public());
    /// ```
    #[must_use]
    pub fn fallback(mut self, handler: GuardedMethodRouter<S>) -> Self {
        self.items.push(Item::Fallback {
            methods: handler,
            public: false,
        });
        self
    }

    /// A public fallback: anyone gets it for paths no route matches.
    ///
    /// ```
    /// use require_login::{routing::any, GuardedRouter};
    /// let app = GuardedRouter::new().public_fallback(any(|| async { "no such page" }));
    /// assert!(app.audit().unwrap()[0].is_public());
    /// ```
    #[must_use]
    pub fn public_fallback(mut self, handler: GuardedMethodRouter<S>) -> Self {
        self.items.push(Item::Fallback {
            methods: handler,
            public: true,
        });
        self
    }

    /// Wraps the routes added so far (and the fallback) in `layer`, as
    /// [`axum::Router::layer`]. Routes added after it are still guarded:
    /// each carries its own guard.
    ///
    /// ```
    /// use require_login::{routing::get, GuardedRouter};
    ///
    /// let app = GuardedRouter::new()
    ///     .route("/a", get(|| async { "a" }))
    ///     .layer(axum::Extension("shared"))
    ///     .route("/b", get(|| async { "b" })); // guarded too
    /// assert!(app.audit().unwrap().iter().all(|row| !row.is_public()));
    /// ```
    #[must_use]
    pub fn layer<L: RouterLayer>(mut self, layer: L) -> Self {
        self.items
            .push(Item::Layer(Box::new(move |router| router.layer(layer))));
        self
    }

    /// Wraps the routes added so far in `layer`, as
    /// [`axum::Router::route_layer`], but *inside* each route's guard: the
    /// guard runs first, so a CSRF check added here sees only logged-in
    /// users (a logged-out user whose session, and CSRF token, expired gets
    /// the login answer, not a CSRF error). Services added with
    /// [`nest_service`](Self::nest_service) are the exception: the layer
    /// wraps them outside their guard, as `Router::route_layer` would.
    ///
    /// ```
    /// use require_login::{routing::get, GuardedRouter};
    ///
    /// let app = GuardedRouter::new()
    ///     .route("/a", get(|| async { "a" }))
    ///     .route_layer(axum::Extension("shared"));
    /// # let _ = app;
    /// ```
    #[must_use]
    pub fn route_layer<L: RouterLayer>(mut self, layer: L) -> Self {
        let for_routes = layer.clone();
        self.items.push(Item::RouteLayer(RouteLayer {
            per_route: Arc::new(move |router| router.layer(for_routes.clone())),
            whole: Arc::new(move |router| router.route_layer(layer.clone())),
        }));
        self
    }

    fn top_scope(&self) -> Scope {
        Scope {
            default: self.default.unwrap_or_default(),
            prefix: String::new(),
            configs: self.configs.clone(),
        }
    }

    /// Every route of the app, in the order added (nested ones in place),
    /// with the built-in 404 fallback last when there is no other: method,
    /// path, public or guarded, and the guard's options. It lists an app as
    /// it is; [`build`](Self::build) also checks it.
    ///
    /// ```
    /// use require_login::{audit_table, routing::get, GuardedRouter};
    ///
    /// let app = GuardedRouter::new()
    ///     .route("/dashboard", get(|| async { "dashboard" }))
    ///     .public_route("/login", get(|| async { "the form" }));
    /// let audit = app.audit().unwrap();
    /// assert_eq!(audit.len(), 3);
    /// println!("{}", audit_table(&audit));
    /// ```
    ///
    /// # Errors
    /// [`GuardedRouterError::UnknownGuardConfig`] and
    /// [`GuardedRouterError::UnregisteredHandlerGuard`]: a route whose
    /// guard's options cannot be known.
    pub fn audit(&self) -> Result<Vec<RouteAudit>, GuardedRouterError> {
        let scope = self.top_scope();
        let mut rows = Vec::new();
        self.walk(&scope, &mut rows)?;
        if !rows
            .iter()
            .any(|row| row.kind == RouteKind::Fallback && row.path == "*")
        {
            rows.push(RouteAudit {
                method: "ANY",
                path: "*".to_owned(),
                kind: RouteKind::Fallback,
                access: scope.guarded(None),
            });
        }
        Ok(rows)
    }

    fn walk(&self, scope: &Scope, rows: &mut Vec<RouteAudit>) -> Result<(), GuardedRouterError> {
        for item in &self.items {
            match item {
                Item::Route {
                    path,
                    methods,
                    public,
                } => {
                    let path = join(&scope.prefix, path);
                    for endpoint in &methods.endpoints {
                        let access = scope.access(*public, endpoint.own, &path, || {
                            format!("`{} {path}`", endpoint.method)
                        })?;
                        rows.push(RouteAudit {
                            method: endpoint.method,
                            path: path.clone(),
                            kind: RouteKind::Route,
                            access,
                        });
                    }
                }
                Item::Nest { path, router } => router.walk(&scope.enter(router, path), rows)?,
                Item::PublicNest { path, .. } => rows.push(RouteAudit {
                    method: "ANY",
                    path: under(&join(&scope.prefix, path)),
                    kind: RouteKind::Nested,
                    access: Access::Public,
                }),
                Item::NestService { path, public, .. } => rows.push(RouteAudit {
                    method: "ANY",
                    path: under(&join(&scope.prefix, path)),
                    kind: RouteKind::Nested,
                    access: if *public {
                        Access::Public
                    } else {
                        scope.guarded(None)
                    },
                }),
                Item::Merge(other) => other.walk(&scope.enter(other, ""), rows)?,
                Item::Fallback { methods, public } => {
                    let path = under(&scope.prefix);
                    for endpoint in &methods.endpoints {
                        let access = scope.access(*public, endpoint.own, &path, || {
                            format!("the fallback `{path}`")
                        })?;
                        rows.push(RouteAudit {
                            method: endpoint.method,
                            path: path.clone(),
                            kind: RouteKind::Fallback,
                            access,
                        });
                    }
                }
                Item::Layer(_) | Item::RouteLayer(_) => {}
            }
        }
        Ok(())
    }

    /// The start-up checks over the whole table.
    fn check(&self, rows: &[RouteAudit]) -> Result<(), GuardedRouterError> {
        // A path with public and guarded methods.
        for (i, row) in rows.iter().enumerate() {
            if row.kind != RouteKind::Route {
                continue;
            }
            // A handler that decides itself sits beside either.
            if row.access.handler_decides() {
                continue;
            }
            if let Some(other) = rows[..i].iter().find(|o| {
                o.kind == RouteKind::Route
                    && o.path == row.path
                    && !o.access.handler_decides()
                    && o.is_public() != row.is_public()
            }) {
                let (public, guarded) = if row.is_public() {
                    (row, other)
                } else {
                    (other, row)
                };
                return Err(GuardedRouterError::PublicAndGuarded {
                    path: row.path.clone(),
                    detail: format!(
                        "{} is public and {} is guarded; make the whole path one or the other, or give them different paths",
                        public.method, guarded.method
                    ),
                });
            }
        }
        // Named login targets.
        let routes = self.login_routes.clone().unwrap_or_default();
        routes
            .check_options(rows.iter().filter_map(RouteAudit::options))
            .map_err(GuardedRouterError::UnknownLoginRoutes)?;
        // Login pages that are guarded themselves.
        for row in rows {
            let Some(options) = row.options() else {
                continue;
            };
            let login = match options.login {
                LoginTarget::Path(path) => path,
                LoginTarget::Named(name) => match routes.url(name) {
                    Some(url) if url.starts_with('/') => url,
                    _ => continue,
                },
                LoginTarget::Url(_) => continue,
            };
            let login = login.split(['?', '#']).next().unwrap_or(login);
            // A login page that decides itself (to greet a logged-in
            // visitor, say) shows its form to logged-out ones.
            if let Some(serving) = serving_row(rows, login) {
                if serving.is_guarded() {
                    return Err(GuardedRouterError::LoginPageGuarded {
                        login: login.to_owned(),
                        served_by: serving.describe(),
                        sent_from: row.describe(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Builds the axum [`Router`], after the checks of [`audit`](Self::audit);
    /// logs the audit when [`log_audit`](Self::log_audit) asked for it. Add
    /// the `SessionManagerLayer` to the result (or with [`layer`](Self::layer)).
    ///
    /// ```
    /// use require_login::{routing::get, GuardedRouter};
    /// use tower_sessions::{MemoryStore, SessionManagerLayer};
    ///
    /// let app: axum::Router = GuardedRouter::new()
    ///     .route("/", get(|| async { "home" }))
    ///     .public_route("/login", get(|| async { "the form" }))
    ///     .build()
    ///     .unwrap()
    ///     .layer(SessionManagerLayer::new(MemoryStore::default()));
    /// ```
    ///
    /// # Errors
    /// [`GuardedRouterError`]: the first problem found.
    pub fn build(self) -> Result<Router<S>, GuardedRouterError> {
        let rows = self.audit()?;
        self.check(&rows)?;
        if self.log_audit {
            tracing::info!(
                target: "require_login::audit",
                "routes of this app, and what a logged-out user gets:\n{}",
                audit_table(&rows)
            );
        }
        let scope = self.top_scope();
        let has_fallback = self.has_own_fallback();
        let login_routes = self.login_routes.clone();
        let mut router = self.assemble(&scope, &[]);
        if !has_fallback {
            let not_found = guard_method_router(
                axum::routing::any(|| async { StatusCode::NOT_FOUND }),
                "ANY",
                scope.default,
            );
            router = router.fallback(not_found);
        }
        if let Some(routes) = login_routes {
            router = router.layer(Extension(routes));
        }
        Ok(router)
    }

    fn has_own_fallback(&self) -> bool {
        self.items.iter().any(|item| match item {
            Item::Fallback { .. } => true,
            Item::Merge(other) => other.has_own_fallback(),
            _ => false,
        })
    }

    /// The axum router; `outer` are the route layers of enclosing routers
    /// added after this one was nested, which wrap its routes too.
    fn assemble(self, scope: &Scope, outer: &[RouteLayer<S>]) -> Router<S> {
        // The route layers each item is under: those added after it here,
        // first-added innermost, then the enclosing routers'.
        let mut under = Vec::with_capacity(self.items.len());
        let mut following: Vec<RouteLayer<S>> = outer.to_vec();
        for item in self.items.iter().rev() {
            under.push(following.clone());
            if let Item::RouteLayer(layer) = item {
                following.insert(0, layer.clone());
            }
        }
        under.reverse();
        let mut router = Router::new();
        for (item, layers) in self.items.into_iter().zip(under) {
            router = match item {
                Item::Route {
                    path,
                    methods,
                    public,
                } => router.route(&path, scope.method_router(methods, public, &layers)),
                Item::Nest {
                    path,
                    router: inner,
                } => {
                    let inner_scope = scope.enter(&inner, &path);
                    router.nest(&path, inner.assemble(&inner_scope, &layers))
                }
                Item::PublicNest {
                    path,
                    router: inner,
                } => router.nest(&path, layers.iter().fold(inner, |r, l| (l.whole)(r))),
                Item::NestService { public, mount, .. } => {
                    let mounted = mount(Router::new(), (!public).then_some(scope.default));
                    router.merge(layers.iter().fold(mounted, |r, l| (l.whole)(r)))
                }
                Item::Merge(other) => {
                    let inner_scope = scope.enter(&other, "");
                    router.merge(other.assemble(&inner_scope, &layers))
                }
                // As in axum, route layers do not wrap the fallback.
                Item::Fallback { methods, public } => {
                    router.fallback(scope.method_router(methods, public, &[]))
                }
                Item::Layer(wrap) => wrap(router),
                Item::RouteLayer(_) => router,
            };
        }
        router
    }
}

impl Scope {
    /// One axum method router for a path: each method's handler under its
    /// route layers, and those under its guard (unless public), then merged.
    ///
    /// A handler whose own guard is its first argument, with no route layer
    /// to run before it, needs no second guard: it is the same check with
    /// the same options, first thing. Under route layers the route's guard
    /// goes outside them (login before CSRF), and the handler's own guard
    /// reuses its answer.
    fn method_router<S>(
        &self,
        methods: GuardedMethodRouter<S>,
        public: bool,
        layers: &[RouteLayer<S>],
    ) -> MethodRouter<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let mut merged = MethodRouter::new();
        for endpoint in methods.endpoints {
            let router = layers
                .iter()
                .fold(endpoint.router, |router, layer| (layer.per_route)(router));
            let router = if public || endpoint.own.handler_decides() {
                router
            } else {
                // Checked by `audit` before anything is assembled.
                let own = self.own_options(endpoint.own, String::new).ok().flatten();
                if own.is_some() && layers.is_empty() {
                    router
                } else {
                    let Access::Guarded { options, .. } = self.guarded(own) else {
                        unreachable!("`guarded` always guards")
                    };
                    guard_method_router(router, endpoint.method, options)
                }
            };
            merged = merged.merge(router);
        }
        merged
    }
}

/// Wraps a one-method router's handler in a guard. `any` routes its handler
/// as the method router's fallback, which only `layer` reaches; for one
/// method, `route_layer` leaves axum's `405` for the other methods alone.
fn guard_method_router<S>(
    router: MethodRouter<S>,
    method: &str,
    options: GuardOptions,
) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    if method == "ANY" {
        router.layer(RequireLoginLayer::new(options))
    } else {
        router.route_layer(RequireLoginLayer::new(options))
    }
}

/// The row that answers a GET of `path`: a route written for it, else one
/// whose pattern matches it, else the longest nested prefix, else the
/// nearest fallback. `None` when the path has routes but none for GET (a
/// 405, not a loop).
fn serving_row<'a>(rows: &'a [RouteAudit], path: &str) -> Option<&'a RouteAudit> {
    let gets = |row: &&RouteAudit| matches!(row.method, "GET" | "ANY");
    let routes = || rows.iter().filter(|row| row.kind == RouteKind::Route);
    if routes().any(|row| row.path == path) {
        return routes().filter(gets).find(|row| row.path == path);
    }
    if routes().any(|row| pattern_matches(&row.path, path)) {
        return routes()
            .filter(gets)
            .find(|row| pattern_matches(&row.path, path));
    }
    let longest_prefix = |kind: RouteKind| {
        rows.iter()
            .filter(|row| row.kind == kind)
            .filter(|row| {
                let prefix = row.path.strip_suffix('*').unwrap_or(&row.path);
                let prefix = prefix.strip_suffix('/').unwrap_or(prefix);
                prefix.is_empty() || path == prefix || path.starts_with(&format!("{prefix}/"))
            })
            .max_by_key(|row| row.path.len())
    };
    longest_prefix(RouteKind::Nested).or_else(|| longest_prefix(RouteKind::Fallback))
}

/// Whether an axum path pattern (`/users/{id}`, `/files/{*rest}`) matches `path`.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w.starts_with("{*") => return !g.is_empty(),
            (Some(w), Some(g)) if w.starts_with('{') && w.ends_with('}') => {
                if g.is_empty() {
                    return false;
                }
            }
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_as_axum_routes_do() {
        assert!(pattern_matches("/users/{id}", "/users/7"));
        assert!(!pattern_matches("/users/{id}", "/users/"));
        assert!(!pattern_matches("/users/{id}", "/users/7/edit"));
        assert!(pattern_matches("/files/{*rest}", "/files/a/b"));
        assert!(!pattern_matches("/files/{*rest}", "/files/"));
        assert!(pattern_matches("/login", "/login"));
        assert!(!pattern_matches("/login", "/login/x"));
    }

    #[test]
    fn nests_join_as_axum_does() {
        assert_eq!(join("/admin", "/"), "/admin");
        assert_eq!(join("/admin", "/x"), "/admin/x");
        assert_eq!(join("", "/"), "/");
        assert_eq!(under(""), "*");
        assert_eq!(under("/admin"), "/admin/*");
    }
}
