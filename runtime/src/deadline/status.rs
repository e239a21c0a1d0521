//! The status endpoint: what the session has left, for the client script.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::HeaderValue;

use super::record::Activity;
use super::RequestDeadlines;
use crate::guard::decide;
use crate::login::FromThisSite;
use crate::options::GuardOptions;

/// Where the client script asks by default: mount [`status`] here.
pub const STATUS_PATH: &str = "/require-login/session";

/// The session's status endpoint, for [`STATUS_PATH`]: guarded with the
/// default options (a logged-out caller gets the sentinel), it answers
/// `{"idle": 1795, "absolute": null}`, the whole seconds left before each
/// deadline (`null` when there is none), and for the warning script how
/// long before the end it warns, where "Log out" posts and the login URL's
/// reason field: `"warn": 120, "logout": "/logout", "reason_field": "reason"`.
///
/// A `GET` is passive: asking does not extend the session. A `POST` from
/// this site ([`FromThisSite`]; it only extends, so no CSRF token is needed)
/// is "stay signed in": the idle deadline moves to a full idle timeout from
/// now (never past the absolute one).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use std::time::Duration;
/// use axum::{body::Body, Router};
/// use require_login::deadline::{self, DeadlineLayer, Deadlines, STATUS_PATH};
/// use tower::ServiceExt;
/// use tower_sessions::{MemoryStore, SessionManagerLayer};
///
/// let app: Router = Router::new()
///     .route(STATUS_PATH, deadline::status())
///     .layer(DeadlineLayer::new(Deadlines::new().with_idle(Duration::from_secs(60))))
///     .layer(SessionManagerLayer::new(MemoryStore::default()));
/// // Logged out: the sentinel, as for any guarded call.
/// let request = http::Request::get(STATUS_PATH).header("sec-fetch-mode", "cors");
/// let response = app.oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
/// assert_eq!(response.status(), 403);
/// # });
/// ```
pub fn status<S: Clone + Send + Sync + 'static>() -> MethodRouter<S> {
    axum::routing::get(read).post(extend)
}

async fn read(request: Request) -> Response {
    answer(request, Activity::Passive).await
}

async fn extend(_: FromThisSite, request: Request) -> Response {
    answer(request, Activity::Extend).await
}

async fn answer(request: Request, activity: Activity) -> Response {
    let (parts, _) = request.into_parts();
    if let Err(denied) = decide(&parts, &GuardOptions::new(), activity).await {
        return denied.into_response();
    }
    let deadlines = parts.extensions.get::<Arc<RequestDeadlines>>();
    let left = deadlines.and_then(|deadlines| deadlines.reported());
    let seconds = |left: Option<std::time::Duration>| {
        left.map_or_else(|| "null".to_owned(), |left| left.as_secs().to_string())
    };
    let (idle, absolute) = match left {
        Some(left) => (seconds(left.idle), seconds(left.absolute)),
        None => (seconds(None), seconds(None)),
    };
    let mut body = format!("{{\"idle\":{idle},\"absolute\":{absolute}");
    if let Some(deadlines) = deadlines.map(|state| state.deadlines) {
        // What the warning script needs (the URL and field are checked
        // visible ASCII without quotes: no escaping).
        let reason = deadlines
            .reason_field()
            .map_or_else(|| "null".to_owned(), |field| format!("\"{field}\""));
        let _ = write!(
            body,
            ",\"warn\":{},\"logout\":\"{}\",\"reason_field\":{reason}",
            deadlines.warning().as_secs(),
            deadlines.logout_url(),
        );
    }
    body.push('}');
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}
