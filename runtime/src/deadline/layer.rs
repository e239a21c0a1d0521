//! [`DeadlineLayer`]: the app's [`Deadlines`] for every guard behind it, and
//! the seconds left on the responses they let through.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use axum::response::Response;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue, Request};
use tower_layer::Layer;
use tower_service::Service;

use super::record::Left;
use super::{Deadlines, SESSION_LEFT_HEADER};

static SESSION_LEFT: HeaderName = HeaderName::from_static(SESSION_LEFT_HEADER);

/// Applies `deadlines` to every guard behind it: a guard that finds a user
/// also checks the session's deadlines (a passed one is denied as a
/// logged-out request is, with the reason), records activity, and the
/// response says the seconds left in [`SESSION_LEFT_HEADER`].
///
/// Add it with `.layer`, beside the `SessionManagerLayer` (either side):
///
/// ```
/// use std::time::Duration;
/// use axum::{routing::get, Router};
/// use require_login::deadline::{DeadlineLayer, Deadlines};
/// use require_login::require_login;
/// use tower_sessions::{MemoryStore, SessionManagerLayer};
///
/// #[require_login]
/// async fn dashboard() -> &'static str {
///     "dashboard"
/// }
///
/// const DEADLINES: Deadlines = Deadlines::new().with_idle(Duration::from_secs(30 * 60));
///
/// let app: Router = Router::new()
///     .route("/dashboard", get(dashboard))
///     .layer(DeadlineLayer::new(DEADLINES))
///     .layer(SessionManagerLayer::new(MemoryStore::default()));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DeadlineLayer {
    deadlines: Deadlines,
}

impl DeadlineLayer {
    /// A layer applying `deadlines`.
    ///
    /// ```
    /// # use require_login::deadline::{DeadlineLayer, Deadlines};
    /// let layer = DeadlineLayer::new(Deadlines::new());
    /// assert_eq!(layer.deadlines(), Deadlines::new());
    /// ```
    pub const fn new(deadlines: Deadlines) -> Self {
        DeadlineLayer { deadlines }
    }

    /// The deadlines it applies.
    ///
    /// ```
    /// # use require_login::deadline::{DeadlineLayer, Deadlines};
    /// assert_eq!(DeadlineLayer::new(Deadlines::new()).deadlines().idle(), None);
    /// ```
    pub const fn deadlines(&self) -> Deadlines {
        self.deadlines
    }
}

/// Whether this process has built a [`DeadlineLayer`] into a service:
/// [`login`](crate::login()) then records the login time, so that the
/// clocks start at login. An app without deadlines keeps no record.
static IN_USE: AtomicBool = AtomicBool::new(false);

/// Whether a [`DeadlineLayer`] was applied in this process.
pub(crate) fn in_use() -> bool {
    IN_USE.load(Ordering::Relaxed)
}

impl<S> Layer<S> for DeadlineLayer {
    type Service = DeadlineService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        IN_USE.store(true, Ordering::Relaxed);
        DeadlineService {
            inner,
            deadlines: self.deadlines,
        }
    }
}

/// The service [`DeadlineLayer`] wraps the app in.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use axum::{body::Body, response::Response};
/// use require_login::deadline::{DeadlineLayer, DeadlineService, Deadlines};
/// use tower::{service_fn, Layer, ServiceExt};
///
/// let app = service_fn(|_: http::Request<Body>| async {
///     Ok::<_, std::convert::Infallible>(Response::new(Body::from("public")))
/// });
/// let with_deadlines: DeadlineService<_> = DeadlineLayer::new(Deadlines::new()).layer(app);
/// // No guard let this request through: no seconds left to say.
/// let response = with_deadlines.oneshot(http::Request::new(Body::empty())).await.unwrap();
/// assert!(response.headers().get("x-session-left").is_none());
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct DeadlineService<S> {
    inner: S,
    deadlines: Deadlines,
}

/// What a request carries for the guards behind a [`DeadlineLayer`]: the
/// deadlines, and where the guard that let it through leaves what is left.
#[derive(Debug)]
pub(crate) struct RequestDeadlines {
    pub(crate) deadlines: Deadlines,
    left: Mutex<Option<Left>>,
}

impl RequestDeadlines {
    /// Keeps what is left, for the response (the last guard's word).
    pub(crate) fn report(&self, left: Left) {
        *self.left.lock().unwrap_or_else(PoisonError::into_inner) = Some(left);
    }

    pub(crate) fn reported(&self) -> Option<Left> {
        *self.left.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<S, B> Service<Request<B>> for DeadlineService<S>
where
    S: Service<Request<B>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let state = Arc::new(RequestDeadlines {
            deadlines: self.deadlines,
            left: Mutex::new(None),
        });
        request.extensions_mut().insert(Arc::clone(&state));
        let future = self.inner.call(request);
        Box::pin(async move {
            let mut response = future.await?;
            if let Some(left) = state.reported() {
                let headers = response.headers_mut();
                if let Some(value) = left.header_value() {
                    headers.insert(SESSION_LEFT.clone(), value);
                }
                if state.deadlines.no_store_pages() && is_html(headers) {
                    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
                }
            }
            Ok(response)
        })
    }
}

/// Whether the answer is an HTML page.
fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("text/html")
        })
}
