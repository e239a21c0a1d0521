//! The guard's one decision, [`enforce`], that every entry point (the
//! extractor, the attribute, the layer) calls, and the denial it answers.

use std::sync::Arc;

use http::request::Parts;
use http::HeaderValue;

use crate::deadline::{self, Activity, Reason, RequestDeadlines};

use crate::guard::return_to;
use crate::guard::session::RequestSession;
use crate::guard::LoginRoutes;
use crate::guard::{classify, RequestKind};
use crate::options::{GuardOptions, LoggedInBy};
use crate::response::{ClientLibrary, GuardError, LoginRejection};
use crate::stream::Opening;

/// Left on a request by a [`RequireLoginLayer`](crate::RequireLoginLayer)
/// that let it through, so that a handler's own guard that decides the same
/// way (the same session key, the same axum-login backend) reuses that answer
/// instead of asking the session again.
#[derive(Clone, Copy)]
pub(crate) struct LoggedIn {
    by: LoggedInBy,
    /// The options of a `GuardedRouter`'s guard over an axum `MethodRouter`,
    /// which could not see whether its handlers have guards of their own.
    over_unseen: Option<GuardOptions>,
}

impl LoggedIn {
    pub(crate) fn mark(
        extensions: &mut http::Extensions,
        options: &GuardOptions,
        over_unseen: bool,
    ) {
        extensions.insert(LoggedIn {
            by: options.logged_in_by,
            over_unseen: over_unseen.then_some(*options),
        });
    }

    /// Whether a layer already found a user the way `options` would; warns
    /// when that layer stood for a router that could not see this guard.
    /// `guard` names the handler's guard type (one per `#[require_login]`).
    pub(crate) fn already_checked(
        parts: &Parts,
        options: &GuardOptions,
        guard: &'static str,
    ) -> bool {
        let Some(checked) = parts.extensions.get::<LoggedIn>() else {
            return false;
        };
        if let Some(route) = &checked.over_unseen {
            warn_unseen_guard(parts, route, options, guard);
        }
        checked.by == options.logged_in_by
    }
}

/// A handler with its own guard behind a `GuardedRouter` route given as an
/// axum `MethodRouter`: its logged-out users got the route's answer, not its
/// own. Said once per guard, at the first logged-in request that shows it
/// (by guard type, not by path, so that `/users/{id}` is said once too).
#[cold]
fn warn_unseen_guard(parts: &Parts, route: &GuardOptions, own: &GuardOptions, guard: &'static str) {
    static WARNED: std::sync::Mutex<std::collections::BTreeSet<&'static str>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let same_answer = route.login == own.login
        && route.sentinel == own.sentinel
        && route.status == own.status
        && route.redirect_field == own.redirect_field;
    if same_answer {
        return;
    }
    let first = WARNED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(guard);
    if first {
        tracing::warn!(
            target: "require_login::router",
            "`{} {}`: the handler has a guard of its own (login `{}`), but the route was given to GuardedRouter as an axum MethodRouter, which hides it: logged-out users get the app's default instead (login `{}`). Build the route with require_login::router::{} instead of axum::routing's.",
            parts.method,
            parts.uri.path(),
            own.login.as_str(),
            route.login.as_str(),
            parts.method.as_str().to_ascii_lowercase(),
        );
    }
}

/// The guard's whole decision: `Ok(())` when the request's session holds a
/// logged-in user, otherwise what to answer instead: a [`LoginRejection`]
/// (a redirect, the sentinel, or a logged 500), which turns into the
/// response with [`IntoResponse`](axum::response::IntoResponse).
///
/// Every entry point (the extractor, the attribute, the layer) calls this
/// one function.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use require_login::{enforce, response::GuardError, GuardOptions, LoginRejection};
///
/// let (parts, ()) = http::Request::get("/dash").body(()).unwrap().into_parts();
/// // No SessionManagerLayer ran, so there is no session: a 500, logged.
/// let denied = enforce(&parts, &GuardOptions::new()).await.unwrap_err();
/// assert!(matches!(denied, LoginRejection::ServerError(GuardError::NoSession)));
/// assert_eq!(denied.status(), 500);
/// # });
/// ```
///
/// # Errors
/// What to answer instead of running the handler.
pub async fn enforce(parts: &Parts, options: &GuardOptions) -> Result<(), LoginRejection> {
    decide(parts, options, Activity::Active).await
}

/// [`enforce`] for a request doing `activity` to the session's idle
/// deadline (the status endpoint reads passively, or extends).
pub(crate) async fn decide(
    parts: &Parts,
    options: &GuardOptions,
    activity: Activity,
) -> Result<(), LoginRejection> {
    let Some(session) = RequestSession::for_guard(&parts.extensions, options) else {
        // Logged by the session seam, which knows which layer is missing.
        RequestSession::log_missing(options);
        return Err(LoginRejection::ServerError(GuardError::NoSession));
    };
    match session
        .logged_in(
            options.session_key().unwrap_or_default(),
            options.store_timeout,
        )
        .await
    {
        Ok(true) => {
            if let Some(deadlines) = parts.extensions.get::<Arc<RequestDeadlines>>() {
                deadline::check(parts, options, deadlines, activity).await?;
            }
            // A request that opens a stream: what its watch needs. Boxed,
            // so that every other request's future has no room for it.
            if let Some(opening) = parts.extensions.get::<Arc<Opening>>() {
                Box::pin(opening.fill(parts, options)).await;
            }
            Ok(())
        }
        Ok(false) => Err(deny(parts, options)),
        Err(error) => Err(failed(GuardError::SessionStore(error))),
    }
}

/// A server error: logged here, where its cause is known, so it is logged
/// even when the app answers the rejection its own way.
#[cold]
pub(crate) fn failed(error: GuardError) -> LoginRejection {
    // Worded as before the typed rejection: operators grep for it.
    if let GuardError::SessionStore(cause) = &error {
        tracing::error!(error = %cause, "require_login: the session store failed; answering 500");
    } else {
        tracing::error!("require_login: {error}; answering 500");
    }
    LoginRejection::ServerError(error)
}

/// The answer for a request whose session holds no logged-in user.
pub(crate) fn deny(parts: &Parts, options: &GuardOptions) -> LoginRejection {
    deny_because(parts, options, None)
}

/// [`deny`], telling the login page why the session ended, under a query
/// field, when that is known.
pub(crate) fn deny_because(
    parts: &Parts,
    options: &GuardOptions,
    reason: Option<(&'static str, Reason)>,
) -> LoginRejection {
    let login = match LoginRoutes::resolve(options.login, &parts.extensions) {
        Ok(login) => login,
        Err(error) => return failed(error),
    };
    let kind = classify(&parts.headers);
    let return_to = match kind {
        RequestKind::Navigation | RequestKind::Visit(_) => return_to::for_navigation(parts),
        RequestKind::Ajax { .. } => return_to::for_ajax(parts),
    };
    let login_path = return_to::login_path(login);
    // An htmx call made on the login page itself gets no `HX-Redirect`:
    // the user is already there, and following it would reload for ever.
    let from_login_page = return_to
        .as_deref()
        .is_some_and(|page| return_to::is_login_page(page, login_path));
    let return_to = match (options.redirect_field, return_to) {
        (Some(field), Some(page)) => return_to::never_the_login_page(page, login_path, field),
        _ => None,
    };
    let login_url = match (options.redirect_field, &return_to) {
        (Some(field), Some(page)) => return_to::append_query(login, field, page),
        _ => login.to_owned(),
    };
    let login_url = match reason {
        Some((field, reason)) => return_to::append_query(&login_url, field, reason.as_str()),
        None => login_url,
    };
    // Into a header value without copying it again (the capacity is exact).
    let login_url = match HeaderValue::try_from(login_url) {
        Ok(value) => value,
        Err(error) => {
            // Built again only to report it: this cannot happen with a login
            // target that compiled and a percent-encoded return-to link.
            let login_url = match (options.redirect_field, &return_to) {
                (Some(field), Some(page)) => return_to::append_query(login, field, page),
                _ => login.to_owned(),
            };
            return failed(GuardError::InvalidLoginUrl { login_url, error });
        }
    };
    match kind {
        RequestKind::Navigation => LoginRejection::Redirect { login_url },
        RequestKind::Ajax { htmx } if !htmx || from_login_page => LoginRejection::AjaxDenied {
            login_url,
            sentinel: options.sentinel,
            status: options.status,
        },
        RequestKind::Ajax { .. } => LoginRejection::ClientLibrary {
            library: ClientLibrary::Htmx,
            login_url,
            sentinel: options.sentinel,
            status: options.status,
        },
        RequestKind::Visit(library) => LoginRejection::ClientLibrary {
            library,
            login_url,
            sentinel: options.sentinel,
            status: options.status,
        },
    }
}
