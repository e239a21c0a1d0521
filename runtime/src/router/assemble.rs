//! Building the axum router: each route under its route layers, and those
//! under its guard.

use axum::routing::MethodRouter;
use axum::{Extension, Router};
use http::StatusCode;

use super::audit::{audit_table, Access};
use super::builder::{GuardedRouter, Item, RouteLayer};
use super::check::GuardedRouterError;
use super::method_routing::GuardedMethodRouter;
use super::scope::Scope;
use crate::__private::OwnGuard;
use crate::guard::RequireLoginLayer;
use crate::options::GuardOptions;

impl<S> GuardedRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    /// Builds the axum [`Router`], after the checks of [`audit`](Self::audit);
    /// logs the audit when [`log_audit`](Self::log_audit) asked for it. Add
    /// the `SessionManagerLayer` to the result (or with [`layer`](Self::layer)).
    ///
    /// ```
    /// use require_login::{router::get, GuardedRouter};
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
    pub(super) fn assemble(self, scope: &Scope, outer: &[RouteLayer<S>]) -> Router<S> {
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
            } else if endpoint.own == OwnGuard::Unseen {
                // All of an axum method router, its fallback included, and
                // marked so that a handler's own guard behind it can tell.
                router.layer(RequireLoginLayer::new(self.default).over_unseen_handlers())
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
