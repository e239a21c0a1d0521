//! The guard: one decision, used by the [`RequireLogin`] extractor that
//! `#[require_login]` inserts (and by any other entry point).

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::response::Response;
use http::request::Parts;
use http::HeaderValue;

use crate::classify::{classify, Navigator, RequestKind};
use crate::options::GuardOptions;
use crate::routes::LoginRoutes;
use crate::session::RequestSession;
use crate::{respond, return_to};

/// Supplies the options of a [`RequireLogin`] guard, as a type, so each
/// handler's guard is configured at compile time.
///
/// ```
/// use require_login::{GuardConfig, GuardOptions, RequireLogin};
///
/// struct AdminLogin;
/// impl GuardConfig for AdminLogin {
///     const OPTIONS: GuardOptions = GuardOptions::new().login("/admin/login");
/// }
///
/// async fn admin_panel(_: RequireLogin<AdminLogin>) -> &'static str {
///     "only for admins"
/// }
/// # let _: axum::Router = axum::Router::new().route("/admin", axum::routing::get(admin_panel));
/// ```
pub trait GuardConfig: 'static {
    /// The options; a bad value here is a compile error.
    const OPTIONS: GuardOptions;
}

/// The default configuration: [`GuardOptions::new`].
///
/// ```
/// use require_login::{DefaultLogin, GuardConfig, GuardOptions};
/// assert_eq!(DefaultLogin::OPTIONS, GuardOptions::new());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultLogin;

impl GuardConfig for DefaultLogin {
    const OPTIONS: GuardOptions = GuardOptions::new();
}

/// An extractor that lets the handler run only for logged-in users.
///
/// Put it first among the handler's arguments, so that nothing after it (a
/// JSON body, a query) is even parsed for someone who is not logged in.
/// `#[require_login]` does exactly that for you.
///
/// A logged-out request gets, instead of the handler's response:
/// - a browser navigation: `303 See Other` to the login page, with
///   `?next=` the page to come back to;
/// - an AJAX call (fetch, XMLHttpRequest, jQuery, htmx; see [`classify`]):
///   the configured status (403) with the sentinel as its whole body, and the
///   login URL in `X-Login-Url` (and `HX-Redirect` for htmx).
///
/// A missing `SessionManagerLayer`, a failing session store or an unknown
/// named login target is a `500` with the cause logged through `tracing`.
///
/// ```
/// use axum::{routing::get, Router};
/// use require_login::RequireLogin;
/// use tower_sessions::{MemoryStore, SessionManagerLayer};
///
/// async fn dashboard(_: RequireLogin) -> &'static str {
///     "hello, logged-in user"
/// }
///
/// let app: Router = Router::new()
///     .route("/dashboard", get(dashboard))
///     .layer(SessionManagerLayer::new(MemoryStore::default()));
/// ```
pub struct RequireLogin<C = DefaultLogin>(PhantomData<fn() -> C>);

impl<C> std::fmt::Debug for RequireLogin<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequireLogin")
    }
}

impl<S, C> FromRequestParts<S> for RequireLogin<C>
where
    S: Send + Sync,
    C: crate::__private::ResolveOptions,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Response> {
        let Some(options) = C::resolve() else {
            tracing::error!(
                guard = std::any::type_name::<C>(),
                "require_login: this handler's guard options were not registered; \
                 was the binary linked without the handler's object file?"
            );
            return Err(respond::internal_error());
        };
        if !LoggedIn::already_checked(parts, options) {
            enforce(parts, options).await?;
        }
        Ok(RequireLogin(PhantomData))
    }
}

/// Left on a request by a [`RequireLoginLayer`](crate::RequireLoginLayer)
/// that let it through, so that a handler's own guard that decides the same
/// way (the same session key, the same axum-login backend) reuses that answer
/// instead of asking the session again.
#[derive(Clone, Copy)]
pub(crate) struct LoggedIn {
    session_key: &'static str,
    #[cfg(feature = "axum-login")]
    axum_login: Option<crate::axum_login::AxumLoginUser>,
}

impl LoggedIn {
    fn of(options: &GuardOptions) -> Self {
        LoggedIn {
            session_key: options.session_key,
            #[cfg(feature = "axum-login")]
            axum_login: options.axum_login,
        }
    }

    pub(crate) fn mark(extensions: &mut http::Extensions, options: &GuardOptions) {
        extensions.insert(Self::of(options));
    }

    /// Whether a layer already found a user the way `options` would.
    fn already_checked(parts: &Parts, options: &GuardOptions) -> bool {
        parts.extensions.get::<LoggedIn>().is_some_and(|checked| {
            let wanted = Self::of(options);
            #[cfg(feature = "axum-login")]
            if checked.axum_login != wanted.axum_login {
                return false;
            }
            checked.session_key == wanted.session_key
        })
    }
}

/// The guard's whole decision: `Ok(())` when the request's session holds a
/// logged-in user, otherwise the response to answer with (a redirect, the
/// sentinel, or a logged 500).
///
/// Every entry point (the extractor, the attribute) calls this one function.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use require_login::{enforce, GuardOptions};
///
/// let (parts, ()) = http::Request::get("/dash").body(()).unwrap().into_parts();
/// // No SessionManagerLayer ran, so there is no session: a 500, logged.
/// let denied = enforce(&parts, &GuardOptions::new()).await.unwrap_err();
/// assert_eq!(denied.status(), 500);
/// # });
/// ```
///
/// # Errors
/// The response to send instead of running the handler.
pub async fn enforce(parts: &Parts, options: &GuardOptions) -> Result<(), Response> {
    let Some(session) = RequestSession::for_guard(&parts.extensions, options) else {
        RequestSession::log_missing(options);
        return Err(respond::internal_error());
    };
    match session.logged_in(options.session_key).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(deny(parts, options)),
        Err(error) => {
            tracing::error!(%error, "require_login: the session store failed; answering 500");
            Err(respond::internal_error())
        }
    }
}

/// The answer for a request whose session holds no logged-in user.
fn deny(parts: &Parts, options: &GuardOptions) -> Response {
    let login = match LoginRoutes::resolve(options.login, &parts.extensions) {
        Ok(login) => login,
        Err(why) => {
            tracing::error!(target_name = options.login.as_str(), "require_login: {why}");
            return respond::internal_error();
        }
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
    // Into a header value without copying it again (the capacity is exact).
    let login_url = match HeaderValue::try_from(login_url) {
        Ok(value) => value,
        Err(error) => {
            // Built again only to log it: this cannot happen with a login
            // target that compiled and a percent-encoded return-to link.
            let login_url = match (options.redirect_field, &return_to) {
                (Some(field), Some(page)) => return_to::append_query(login, field, page),
                _ => login.to_owned(),
            };
            tracing::error!(%error, login_url, "require_login: the login URL is not a valid header value");
            return respond::internal_error();
        }
    };
    match kind {
        RequestKind::Navigation | RequestKind::Visit(Navigator::Turbo) => {
            respond::navigation_denied_to(login_url)
        }
        RequestKind::Visit(Navigator::Inertia) => respond::inertia_denied_to(login_url),
        RequestKind::Visit(Navigator::HtmxBoost) => {
            respond::ajax_denied_to(options.sentinel, options.status, login_url, true)
        }
        RequestKind::Ajax { htmx } => respond::ajax_denied_to(
            options.sentinel,
            options.status,
            login_url,
            htmx && !from_login_page,
        ),
    }
}
