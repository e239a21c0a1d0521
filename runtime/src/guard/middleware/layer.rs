//! [`RequireLoginLayer`]: the guard's options, applied to a service.

use tower_layer::Layer;

use super::RequireLoginService;
use crate::guard::GuardConfig;
use crate::options::GuardOptions;

/// Guards every route of a group: logged-out users get the login answer
/// (redirect, sentinel, or a logged 500) and the route's handler, with all
/// its extractors, never runs for them.
///
/// Add it with [`Router::route_layer`](axum::Router::route_layer), inside (before, in
/// `.layer` order) the `SessionManagerLayer`. (With `Router::layer` it would
/// also wrap the router's fallback, so a logged-out user asking for a page
/// that does not exist would be sent to log in rather than get the 404.)
///
/// ```
/// use axum::{routing::{get, post}, Router};
/// use require_login::{GuardOptions, RequireLoginLayer};
/// use tower_sessions::{MemoryStore, SessionManagerLayer};
///
/// const ADMIN: GuardOptions = GuardOptions::new().with_login("/admin/login").with_status(401);
///
/// let admin = Router::new()
///     .route("/", get(|| async { "admin home" }))
///     .route("/settings", post(|| async { "saved" }))
///     .route_layer(RequireLoginLayer::new(ADMIN));
///
/// let app: Router = Router::new()
///     .route("/dashboard", get(|| async { "dashboard" }))
///     .route_layer(RequireLoginLayer::default())
///     // Added after the route layer: public.
///     .route("/login", get(|| async { "the login form" }))
///     .route("/admin/login", get(|| async { "the admin login form" }))
///     // A group with its own login page.
///     .nest("/admin", admin)
///     .layer(SessionManagerLayer::new(MemoryStore::default()));
/// ```
///
/// The options are the attribute's, with the same defaults; see
/// [`GuardOptions`].
///
/// # A named login target
///
/// A layer may name its login page (`.with_login("admin-login")`) and leave the
/// URL to the [`LoginRoutes`](crate::guard::LoginRoutes) installed on the router.
/// [`LoginRoutes::check_guarded_handlers`](crate::guard::LoginRoutes::check_guarded_handlers)
/// cannot see a layer's options, so check them at start-up with
/// [`LoginRoutes::check_options`](crate::guard::LoginRoutes::check_options);
/// otherwise a missing name shows up only as a logged 500 for the first
/// logged-out user.
///
/// ```
/// use axum::{routing::get, Extension, Router};
/// use require_login::{guard::{LoginRoutes, UnknownLoginRoutes}, GuardOptions, RequireLoginLayer};
///
/// const ADMIN: RequireLoginLayer = RequireLoginLayer::new(GuardOptions::new().with_login("admin-login"));
///
/// let routes = LoginRoutes::new().insert("login", "/login");
/// assert_eq!(
///     routes.check_options([ADMIN.options()]),
///     Err(UnknownLoginRoutes { names: vec!["admin-login"] })
/// );
///
/// let routes = routes.insert("admin-login", "/admin/login");
/// assert_eq!(routes.check_options([ADMIN.options()]), Ok(()));
/// let app: Router = Router::new()
///     .route("/admin", get(|| async { "admin home" }))
///     .route_layer(ADMIN)
///     .layer(Extension(routes));
/// ```
///
/// # With a handler's own `#[require_login]`
///
/// The rule: inside a group, a logged-out user gets the **group's** login
/// answer; the handler's own options win wherever its guard is reached (a
/// user logged in for the group but not for the handler's own
/// `session_key`, or a route outside the group). Why: the layer runs before
/// the handler and sees only a type-erased route, so it cannot know whether
/// the handler has a guard of its own, and passing logged-out requests on
/// would run the group's *unguarded* handlers for them.
///
/// So a handler whose own login page must answer logged-out users goes
/// outside the group: add its route after the group's `route_layer` (which
/// covers only the routes added before it), or give it a router of its own.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use axum::{body::Body, routing::post, Router};
/// use require_login::{require_login, RequireLoginLayer};
/// use tower::ServiceExt;
/// use tower_sessions::{MemoryStore, SessionManagerLayer};
///
/// #[require_login(login = "/billing/login")]
/// async fn pay() -> &'static str {
///     "paid"
/// }
///
/// let app: Router = Router::new()
///     .route("/notes", post(|| async { "noted" }))
///     .route("/in-group/pay", post(pay))
///     .route_layer(RequireLoginLayer::default())
///     // After the group's route layer: guarded only by its own attribute.
///     .route("/billing/pay", post(pay))
///     .layer(SessionManagerLayer::new(MemoryStore::default()));
///
/// // A logged-out form POST (no Referer, so no `?next=`): where does it go?
/// for (path, login) in [
///     ("/notes", "/login"),
///     ("/in-group/pay", "/login"), // inside the group: the group's login
///     ("/billing/pay", "/billing/login"), // outside: the handler's own
/// ] {
///     let request = http::Request::post(path).body(Body::empty()).unwrap();
///     let response = app.clone().oneshot(request).await.unwrap();
///     assert_eq!(response.status(), 303);
///     assert_eq!(response.headers()["location"], login);
/// }
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequireLoginLayer {
    options: GuardOptions,
    /// Guards an axum `MethodRouter` whose handlers' own guards the router
    /// could not see: they are told, so that they can warn.
    over_unseen: bool,
}

impl RequireLoginLayer {
    /// A layer guarding with `options`.
    ///
    /// ```
    /// use require_login::{GuardOptions, RequireLoginLayer};
    ///
    /// const ADMIN_GUARD: RequireLoginLayer =
    ///     RequireLoginLayer::new(GuardOptions::new().with_login("/admin/login"));
    /// assert_eq!(ADMIN_GUARD.options().login().as_str(), "/admin/login");
    /// ```
    pub const fn new(options: GuardOptions) -> Self {
        RequireLoginLayer {
            options,
            over_unseen: false,
        }
    }

    /// The layer `GuardedRouter` puts over an axum `MethodRouter`.
    pub(crate) const fn over_unseen_handlers(self) -> Self {
        RequireLoginLayer {
            over_unseen: true,
            ..self
        }
    }

    /// A layer guarding with the options of a [`GuardConfig`] type, as the
    /// [`RequireLogin<C>`](crate::RequireLogin) extractor does.
    ///
    /// ```
    /// use require_login::{GuardConfig, GuardOptions, RequireLoginLayer};
    ///
    /// struct Admin;
    /// impl GuardConfig for Admin {
    ///     const OPTIONS: GuardOptions = GuardOptions::new().with_login("/admin/login");
    /// }
    /// assert_eq!(RequireLoginLayer::from_config::<Admin>().options(), &Admin::OPTIONS);
    /// ```
    pub const fn from_config<C: GuardConfig>() -> Self {
        Self::new(C::OPTIONS)
    }

    /// The options this layer guards with.
    ///
    /// ```
    /// use require_login::{GuardOptions, RequireLoginLayer};
    /// assert_eq!(RequireLoginLayer::default().options(), &GuardOptions::new());
    /// ```
    pub const fn options(&self) -> &GuardOptions {
        &self.options
    }
}

impl Default for RequireLoginLayer {
    /// The attribute's defaults: [`GuardOptions::new`].
    fn default() -> Self {
        Self::new(GuardOptions::new())
    }
}

impl<S> Layer<S> for RequireLoginLayer {
    type Service = RequireLoginService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireLoginService {
            inner,
            options: self.options,
            over_unseen: self.over_unseen,
        }
    }
}
