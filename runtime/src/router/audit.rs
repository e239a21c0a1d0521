//! The audit: every route of a [`GuardedRouter`] as data, as a table, and
//! pinned in a test.

use std::fmt::Write as _;

use super::builder::{GuardedRouter, Item};
use super::check::GuardedRouterError;
use super::scope::{join, under, Scope};
use crate::options::{GuardOptions, LoginTarget};

/// Where a guarded route's options come from.
///
/// ```
/// use require_login::{router::{get, GuardSource}, GuardedRouter};
/// let audit = GuardedRouter::<()>::new().route("/", get(|| async { "home" })).audit().unwrap();
/// assert_eq!(audit[0].guard_source(), Some(GuardSource::AppDefault));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GuardSource {
    /// The app's default guard: the handler has none of its own, or the
    /// route was given as an axum `MethodRouter` (method `*`), which hides
    /// whether it has.
    AppDefault,
    /// The handler's own `#[require_login]` or `RequireLogin<C>`.
    Handler,
}

/// Whether a route is public or guarded, and with which options.
///
/// ```
/// use require_login::{router::{get, Access}, GuardedRouter};
/// let audit = GuardedRouter::<()>::new().public_route("/health", get(|| async { "ok" })).audit().unwrap();
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
    pub(super) fn handler_decides(&self) -> bool {
        matches!(self, Access::HandlerDecides { .. })
    }
}

/// What a row of the audit stands for.
///
/// ```
/// use require_login::{router::{get, RouteKind}, GuardedRouter};
/// let audit = GuardedRouter::<()>::new().route("/", get(|| async { "home" })).audit().unwrap();
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
/// use require_login::{require_login, router::get, GuardedRouter};
///
/// #[require_login(login = "/admin/login", status = 401, sentinel = "ADMIN_LOGIN")]
/// async fn stats() -> &'static str { "admins only" }
///
/// let audit = GuardedRouter::<()>::new()
///     .route("/admin/stats", get(stats))
///     .public_route("/admin/login", get(|| async { "the form" }))
///     .audit()
///     .unwrap();
/// let row = &audit[0];
/// assert_eq!((row.method, row.path.as_str()), ("GET", "/admin/stats"));
/// assert_eq!(row.login().unwrap().as_str(), "/admin/login");
/// assert_eq!(row.options().unwrap().status().code(), 401);
/// assert_eq!(row.options().unwrap().sentinel(), "ADMIN_LOGIN");
/// assert!(audit[1].is_public());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RouteAudit {
    /// `GET`, `POST`, ..., `ANY`, or `*` for an axum `MethodRouter`, which
    /// does not tell which methods it routes.
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
    /// # use require_login::{router::get, GuardedRouter};
    /// let audit = GuardedRouter::<()>::new().route("/", get(|| async { "home" })).audit().unwrap();
    /// assert!(!audit[0].is_public());
    /// ```
    pub fn is_public(&self) -> bool {
        self.access == Access::Public
    }

    pub(super) fn is_guarded(&self) -> bool {
        matches!(self.access, Access::Guarded { .. })
    }

    /// The guard's options (of the handler's own guard, for a handler that
    /// decides itself); `None` for a public route.
    ///
    /// ```
    /// # use require_login::{router::get, GuardedRouter, GuardOptions};
    /// let audit = GuardedRouter::<()>::new().route("/", get(|| async { "home" })).audit().unwrap();
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
    /// # use require_login::{options::LoginTarget, router::get, GuardedRouter};
    /// let audit = GuardedRouter::<()>::new().route("/", get(|| async { "home" })).audit().unwrap();
    /// assert_eq!(audit[0].login(), Some(LoginTarget::Path("/login")));
    /// ```
    pub fn login(&self) -> Option<LoginTarget> {
        self.options().map(GuardOptions::login)
    }

    /// Where the guard's options come from; `None` for a public route.
    ///
    /// ```
    /// # use require_login::{router::get, GuardedRouter};
    /// let audit = GuardedRouter::<()>::new().public_route("/", get(|| async { "home" })).audit().unwrap();
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

    pub(super) fn describe(&self) -> String {
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
/// use require_login::{router::{audit_table, get}, GuardedRouter};
///
/// let audit = GuardedRouter::<()>::new()
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
/// use require_login::{router::{assert_audit_table, get}, GuardedRouter};
///
/// let app = GuardedRouter::<()>::new()
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
/// # use require_login::{router::{assert_audit_table, get}, GuardedRouter};
/// // The dashboard was made public by mistake: the pinned table catches it.
/// let app = GuardedRouter::<()>::new().public_route("/dashboard", get(|| async { "dashboard" }));
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

impl<S> GuardedRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    pub(super) fn top_scope(&self) -> Scope {
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
    /// use require_login::{router::{audit_table, get}, GuardedRouter};
    ///
    /// let app = GuardedRouter::<()>::new()
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
}
