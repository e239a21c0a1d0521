//! Method routers that know their handlers' own guards, for
//! [`GuardedRouter`](crate::GuardedRouter).
//!
//! [`GuardedRouter::route`](crate::GuardedRouter::route) takes axum's own
//! [`MethodRouter`] too (`axum::routing::get(show)`), and guards it with the
//! app's default: switching `Router::new()` to `GuardedRouter::new()` is the
//! whole migration. **But an axum `MethodRouter` erases its handlers'
//! types**, so the router cannot see that a handler carries
//! `#[require_login(login = "/admin/login")]` (or a
//! [`RequireLogin<C>`](crate::RequireLogin) first argument): a logged-out
//! user of such a handler gets the *default's* login answer, not the
//! handler's own. The audit shows such a route as method `*`, `BY default`;
//! and the first logged-in request that reaches such a handler logs a
//! warning naming the route (the handler's own guard sees that the route's
//! guard had other options).
//!
//! The functions here have axum's names (`get`, `post`, ..., `any`) and
//! chaining (`get(show).post(save)`), and look at each handler's first
//! argument when the route is added, so a handler's own options are kept.
//! Import the module beside `axum::routing` and name which `get` you mean
//! by its module: `routing::get` is axum's, `router::get` this crate's.
//!
//! ```
//! use axum::routing;
//! use require_login::{require_login, router, GuardedRouter};
//!
//! #[require_login(login = "/admin/login")]
//! async fn save() -> &'static str { "saved" }
//!
//! let app = GuardedRouter::new()
//!     .route("/settings", router::get(|| async { "the form" }).post(save))
//!     .route("/legacy", routing::get(|| async { "as before" })) // the app's default
//!     .public_route("/login", routing::get(|| async { "log in" }))
//!     .public_route("/admin/login", routing::get(|| async { "admins log in" }));
//! let audit = app.audit().unwrap();
//! assert_eq!(audit[1].method, "POST");
//! assert_eq!(audit[1].login().unwrap().as_str(), "/admin/login"); // the handler's own
//! assert_eq!((audit[2].method, audit[2].path.as_str()), ("*", "/legacy"));
//! # let _: axum::Router = app.build().unwrap();
//! ```

use axum::handler::Handler;
use axum::routing::MethodRouter;

use crate::__private::{HandlerArguments, OwnGuard};

/// The audit's method for an axum [`MethodRouter`]: it does not tell which
/// methods it routes.
pub(crate) const UNSEEN_METHODS: &str = "*";

/// One method's handler, as added.
pub(crate) struct Endpoint<S> {
    pub(crate) method: &'static str,
    pub(crate) own: OwnGuard,
    pub(crate) router: MethodRouter<S>,
}

/// The handlers of one path, by method, each with its own guard (if it has
/// one) known. Built with [`get`], [`post`], ... of this module, and added
/// to a [`GuardedRouter`](crate::GuardedRouter) with `route` or
/// `public_route`.
///
/// ```
/// use require_login::router::{get, GuardedMethodRouter};
///
/// let notes: GuardedMethodRouter = get(|| async { "notes" }).post(|| async { "saved" });
/// let app = require_login::GuardedRouter::new().route("/notes", notes);
/// # let _ = app;
/// ```
pub struct GuardedMethodRouter<S = ()> {
    pub(crate) endpoints: Vec<Endpoint<S>>,
}

impl<S> std::fmt::Debug for GuardedMethodRouter<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.endpoints.iter().map(|e| (e.method, e.own)))
            .finish()
    }
}

/// An axum [`MethodRouter`], guarded as a whole with the app's default:
/// its handlers' own guards cannot be seen (see [`crate::router`]).
///
/// ```
/// use require_login::router::{GuardSource, GuardedMethodRouter};
///
/// let legacy = GuardedMethodRouter::from(axum::routing::get(|| async { "as before" }));
/// let audit = require_login::GuardedRouter::<()>::new().route("/legacy", legacy).audit().unwrap();
/// assert_eq!(audit[0].method, "*");
/// assert_eq!(audit[0].guard_source(), Some(GuardSource::AppDefault));
/// ```
impl<S> From<MethodRouter<S>> for GuardedMethodRouter<S> {
    fn from(router: MethodRouter<S>) -> Self {
        GuardedMethodRouter {
            endpoints: vec![Endpoint {
                method: UNSEEN_METHODS,
                own: OwnGuard::Unseen,
                router,
            }],
        }
    }
}

impl<S> Default for GuardedMethodRouter<S> {
    fn default() -> Self {
        GuardedMethodRouter {
            endpoints: Vec::new(),
        }
    }
}

macro_rules! method_functions {
    ($($name:ident => $method:literal),* $(,)?) => {
        $(
            #[doc = concat!("Routes `", $method, "` requests to `handler`, as [`axum::routing::", stringify!($name), "`] does, remembering the handler's own guard.")]
            ///
            /// ```
            #[doc = concat!("use require_login::router::", stringify!($name), ";")]
            ///
            #[doc = concat!("let app = require_login::GuardedRouter::<()>::new().route(\"/x\", ", stringify!($name), "(|| async { \"hi\" }));")]
            #[doc = concat!("assert_eq!(app.audit().unwrap()[0].method, \"", $method, "\");")]
            /// ```
            pub fn $name<H, T, S>(handler: H) -> GuardedMethodRouter<S>
            where
                H: Handler<T, S>,
                T: HandlerArguments + 'static,
                S: Clone + Send + Sync + 'static,
            {
                GuardedMethodRouter::default().$name(handler)
            }
        )*

        impl<S: Clone + Send + Sync + 'static> GuardedMethodRouter<S> {
            $(
                #[doc = concat!("Adds `handler` for `", $method, "` requests, as axum's [`MethodRouter`](axum::routing::MethodRouter)`::", stringify!($name), "` does.")]
                ///
                /// # Panics
                /// When this method already has a handler, as axum does.
                ///
                /// ```
                /// # use require_login::router::*;
                #[doc = concat!("let _ = GuardedMethodRouter::<()>::default().", stringify!($name), "(|| async { \"hi\" });")]
                /// ```
                #[must_use]
                pub fn $name<H, T>(mut self, handler: H) -> Self
                where
                    H: Handler<T, S>,
                    T: HandlerArguments + 'static,
                {
                    if let Some(existing) = self.endpoints.iter().find(|e| e.method == $method || matches!(e.method, "ANY" | UNSEEN_METHODS) || $method == "ANY") {
                        panic!(
                            "Overlapping method route. Cannot add two method routes that both handle `{}` (already: `{}`)",
                            $method, existing.method
                        );
                    }
                    self.endpoints.push(Endpoint {
                        method: $method,
                        own: T::first_argument(),
                        router: axum::routing::$name(handler),
                    });
                    self
                }
            )*
        }
    };
}

method_functions! {
    get => "GET",
    post => "POST",
    put => "PUT",
    patch => "PATCH",
    delete => "DELETE",
    head => "HEAD",
    options => "OPTIONS",
    trace => "TRACE",
    connect => "CONNECT",
    any => "ANY",
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::__private::Site;
    use crate::guard::{GuardConfig, RequireLogin};
    use crate::options::GuardOptions;
    use crate::response::LoginRejection;
    use std::any::TypeId;

    struct Admin;
    impl GuardConfig for Admin {
        const OPTIONS: GuardOptions = GuardOptions::new();
    }

    #[test]
    fn reads_the_guard_off_the_first_argument_type() {
        assert_eq!(
            OwnGuard::of_argument::<RequireLogin<Site<1_234_567_890_123>>>(),
            OwnGuard::Site {
                id: 1_234_567_890_123,
                decides: false
            }
        );
        assert!(matches!(
            OwnGuard::of_argument::<RequireLogin<Admin>>(),
            OwnGuard::Config { type_id, config, decides: false } if type_id == TypeId::of::<RequireLogin<Admin>>() && config.ends_with("Admin")
        ));
        assert!(matches!(
            OwnGuard::of_argument::<RequireLogin>(),
            OwnGuard::Config { config, decides: false, .. } if config.ends_with("DefaultLogin")
        ));
        assert_eq!(OwnGuard::of_argument::<String>(), OwnGuard::None);
        assert_eq!(OwnGuard::of_argument::<Option<String>>(), OwnGuard::None);
    }

    #[test]
    fn a_guard_in_an_option_or_a_result_is_a_handler_that_decides() {
        assert!(matches!(
            OwnGuard::of_argument::<Option<RequireLogin>>(),
            OwnGuard::Config { config, decides: true, .. } if config.ends_with("DefaultLogin")
        ));
        assert!(matches!(
            OwnGuard::of_argument::<Result<RequireLogin<Admin>, LoginRejection>>(),
            OwnGuard::Config { type_id, config, decides: true }
                if type_id == TypeId::of::<Result<RequireLogin<Admin>, LoginRejection>>() && config.ends_with("Admin")
        ));
        assert_eq!(
            OwnGuard::of_argument::<Option<RequireLogin<Site<7>>>>(),
            OwnGuard::Site {
                id: 7,
                decides: true
            }
        );
        assert_eq!(
            OwnGuard::of_argument::<Result<RequireLogin, String>>(),
            OwnGuard::None
        );
    }
}
