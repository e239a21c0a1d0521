//! [`GuardedRouter`] and what it is built from: routes, nests, services,
//! fallbacks and layers, each item kept as given until `build`.

use std::any::TypeId;
use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;

use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, Route};
use axum::Router;
use tower_layer::Layer;
use tower_service::Service;

use super::method_routing::GuardedMethodRouter;
use crate::__private::guard_argument_types;
use crate::guard::{GuardConfig, LoginRoutes, RequireLoginLayer};
use crate::options::GuardOptions;

type Mount<S> = Box<dyn FnOnce(Router<S>, Option<GuardOptions>) -> Router<S> + Send>;
type Wrap<S> = Box<dyn FnOnce(Router<S>) -> Router<S> + Send>;

/// A `route_layer`, applied inside each route's guard: to a route's method
/// router (`per_route`), or to a router of nested services (`whole`).
pub(super) struct RouteLayer<S> {
    pub(super) per_route: Arc<dyn Fn(MethodRouter<S>) -> MethodRouter<S> + Send + Sync>,
    pub(super) whole: Arc<dyn Fn(Router<S>) -> Router<S> + Send + Sync>,
}

impl<S> Clone for RouteLayer<S> {
    fn clone(&self) -> Self {
        RouteLayer {
            per_route: self.per_route.clone(),
            whole: self.whole.clone(),
        }
    }
}

pub(super) enum Item<S> {
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
/// Add routes with the method functions of [`crate::router`] (`get`,
/// `post`, ..., the names of axum's), which see each handler's own guard,
/// or with axum's [`MethodRouter`], guarded with the app's default: a
/// handler's own `#[require_login]` options are not seen through it, so its
/// logged-out users get the default's login answer (see [`crate::router`]).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use axum::body::Body;
/// use require_login::router::{get, post};
/// use require_login::{client_script, require_login, CLIENT_SCRIPT_PATH, GuardedRouter};
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
/// A handler's own guard is only seen through [`crate::router`]'s
/// functions. An axum [`MethodRouter`] (`axum::routing::get(show)`) is
/// taken too, and guarded as a whole with the app's default: its handlers'
/// types are erased, so a handler's own `#[require_login]` options do not
/// reach logged-out users (the audit lists it as method `*`, `BY default`;
/// see [`crate::router`]).
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
    pub(super) default: Option<GuardOptions>,
    pub(super) items: Vec<Item<S>>,
    pub(super) configs: Vec<(TypeId, GuardOptions)>,
    pub(super) login_routes: Option<LoginRoutes>,
    pub(super) log_audit: bool,
}

/// A layer [`GuardedRouter::layer`] and [`GuardedRouter::route_layer`]
/// take: any layer [`axum::Router::layer`] takes (implemented for all of
/// them), named once so the two methods state it once.
///
/// ```
/// fn takes<L: require_login::router::RouterLayer>(_: L) {}
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
/// fn routable<T: require_login::router::LayeredRoute>(_: T) {}
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
/// fn nestable<T: require_login::router::NestedService>(_: T) {}
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

impl<S> GuardedRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    /// An empty app, guarded with [`GuardOptions::new`] unless
    /// [`default_guard`](Self::default_guard) says otherwise. As with
    /// [`axum::Router::new`], the state type is inferred, or named:
    /// `GuardedRouter::<AppState>::new()`, then `with_state` on the built
    /// router.
    ///
    /// ```
    /// use axum::extract::State;
    /// use require_login::{router::get, GuardedRouter};
    ///
    /// let plain: axum::Router = GuardedRouter::new()
    ///     .public_route("/login", get(|| async { "the form" }))
    ///     .build()
    ///     .unwrap();
    /// let with_state: axum::Router = GuardedRouter::<u32>::new()
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
    /// use require_login::{router::get, GuardedRouter, GuardOptions};
    ///
    /// let app = GuardedRouter::<()>::new()
    ///     .default_guard(GuardOptions::new().with_login("/sign-in").with_status(401))
    ///     .route("/", get(|| async { "home" }))
    ///     .public_route("/sign-in", get(|| async { "the form" }));
    /// assert_eq!(app.audit().unwrap()[0].login().unwrap().as_str(), "/sign-in");
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
    /// use require_login::{router::get, GuardConfig, GuardedRouter, GuardOptions, RequireLogin};
    ///
    /// struct Staff;
    /// impl GuardConfig for Staff {
    ///     const OPTIONS: GuardOptions = GuardOptions::new().with_login("/staff/login");
    /// }
    /// async fn rota(_: RequireLogin<Staff>) -> &'static str { "the rota" }
    ///
    /// let app = GuardedRouter::<()>::new()
    ///     .guard_config::<Staff>()
    ///     .route("/staff/rota", get(rota))
    ///     .public_route("/staff/login", get(|| async { "the form" }));
    /// assert_eq!(app.audit().unwrap()[0].login().unwrap().as_str(), "/staff/login");
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
    /// use require_login::{guard::LoginRoutes, router::get, GuardedRouter, GuardOptions};
    ///
    /// let app = GuardedRouter::<()>::new()
    ///     .default_guard(GuardOptions::new().with_login("login"))
    ///     .login_routes(LoginRoutes::new().insert("login", "/login"))
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
    /// use require_login::{router::get, GuardedRouter};
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
    /// handler's own guard, or else of the app's default. `methods` is one
    /// of [`crate::router`]'s method routers, or axum's [`MethodRouter`],
    /// whose handlers' own guards cannot be seen: the app's default answers
    /// for all of them.
    ///
    /// # Panics
    /// As [`axum::Router::route`]: a bad path, or a method routed twice.
    ///
    /// ```
    /// use require_login::{router::get, GuardedRouter};
    /// let app = GuardedRouter::<()>::new().route("/dashboard", get(|| async { "dashboard" }));
    /// assert!(!app.audit().unwrap()[0].is_public());
    /// ```
    #[must_use]
    pub fn route(mut self, path: &str, methods: impl Into<GuardedMethodRouter<S>>) -> Self {
        self.items.push(Item::Route {
            path: path.to_owned(),
            methods: methods.into(),
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
    /// use require_login::{router::get, GuardedRouter};
    /// let app = GuardedRouter::<()>::new().public_route("/health", get(|| async { "ok" }));
    /// assert!(app.audit().unwrap()[0].is_public());
    /// ```
    #[must_use]
    pub fn public_route(mut self, path: &str, methods: impl Into<GuardedMethodRouter<S>>) -> Self {
        self.items.push(Item::Route {
            path: path.to_owned(),
            methods: methods.into(),
            public: true,
        });
        self
    }

    /// Nests a guarded router under `path`, as [`axum::Router::nest`]. Its
    /// routes are guarded or public as it declares them; without a default
    /// guard of its own, it inherits this one's.
    ///
    /// ```
    /// use require_login::{router::get, GuardedRouter, GuardOptions};
    ///
    /// let admin = GuardedRouter::<()>::new()
    ///     .default_guard(GuardOptions::new().with_login("/admin/login"))
    ///     .route("/", get(|| async { "admin home" }))
    ///     .public_route("/login", get(|| async { "the admin form" }));
    /// let app = GuardedRouter::new()
    ///     .nest("/admin", admin)
    ///     .public_route("/login", get(|| async { "the form" }));
    /// let audit = app.audit().unwrap();
    /// assert_eq!(audit[0].path, "/admin");
    /// assert_eq!(audit[0].login().unwrap().as_str(), "/admin/login");
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
    /// use require_login::{router::{get, RouteKind}, GuardedRouter};
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
    /// use require_login::{router::RouteKind, GuardedRouter};
    ///
    /// let files = tower::service_fn(|_: axum::extract::Request| async {
    ///     Ok::<_, std::convert::Infallible>("a private file")
    /// });
    /// let audit = GuardedRouter::<()>::new().nest_service("/files", files).audit().unwrap();
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
    /// let audit = GuardedRouter::<()>::new().public_nest_service("/assets", assets).audit().unwrap();
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
    /// use require_login::{router::get, GuardedRouter};
    ///
    /// let api = GuardedRouter::new().route("/api/time", get(|| async { "12:00" }));
    /// let app = GuardedRouter::<()>::new().route("/", get(|| async { "home" })).merge(api);
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
    /// use require_login::{router::{any, RouteKind}, GuardedRouter};
    ///
    /// let app = GuardedRouter::<()>::new().fallback(any(|| async { "no such page" }));
    /// let audit = app.audit().unwrap();
    /// assert_eq!((audit[0].path.as_str(), audit[0].kind), ("*", RouteKind::Fallback));
    /// assert!(!audit[0].is_public());
    /// ```
    #[must_use]
    pub fn fallback(mut self, handler: impl Into<GuardedMethodRouter<S>>) -> Self {
        self.items.push(Item::Fallback {
            methods: handler.into(),
            public: false,
        });
        self
    }

    /// A public fallback: anyone gets it for paths no route matches.
    ///
    /// ```
    /// use require_login::{router::any, GuardedRouter};
    /// let app = GuardedRouter::<()>::new().public_fallback(any(|| async { "no such page" }));
    /// assert!(app.audit().unwrap()[0].is_public());
    /// ```
    #[must_use]
    pub fn public_fallback(mut self, handler: impl Into<GuardedMethodRouter<S>>) -> Self {
        self.items.push(Item::Fallback {
            methods: handler.into(),
            public: true,
        });
        self
    }

    /// Wraps the routes added so far (and the fallback) in `layer`, as
    /// [`axum::Router::layer`]. Routes added after it are still guarded:
    /// each carries its own guard.
    ///
    /// ```
    /// use require_login::{router::get, GuardedRouter};
    ///
    /// let app = GuardedRouter::<()>::new()
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
    /// use require_login::{router::get, GuardedRouter};
    ///
    /// let app = GuardedRouter::<()>::new()
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
}
