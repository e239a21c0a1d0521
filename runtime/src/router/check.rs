//! The start-up checks [`GuardedRouter::build`] runs over the audit.

use std::fmt;

use super::audit::{RouteAudit, RouteKind};
use super::builder::GuardedRouter;
use super::method_routing::UNSEEN_METHODS;
use crate::guard::UnknownLoginRoutes;
use crate::options::LoginTarget;

/// Why [`GuardedRouter::build`] refused an app.
///
/// ```
/// use require_login::{router::{get, GuardedRouterError}, GuardedRouter};
///
/// // The login page was added with `route`, not `public_route`.
/// let error = GuardedRouter::<()>::new()
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
    /// A handler's first argument is `RequireLogin<C>` for a [`GuardConfig`](crate::GuardConfig)
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
                "{unknown}: register them with `GuardedRouter::login_routes(LoginRoutes::new().insert(\"name\", \"/path\"))`"
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

impl<S> GuardedRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    /// The start-up checks over the whole table.
    pub(super) fn check(&self, rows: &[RouteAudit]) -> Result<(), GuardedRouterError> {
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
}

/// The row that answers a GET of `path`: a route written for it, else one
/// whose pattern matches it, else the longest nested prefix, else the
/// nearest fallback. `None` when the path has routes but none for GET (a
/// 405, not a loop).
fn serving_row<'a>(rows: &'a [RouteAudit], path: &str) -> Option<&'a RouteAudit> {
    let gets = |row: &&RouteAudit| matches!(row.method, "GET" | "ANY" | UNSEEN_METHODS);
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
}
