//! [`RequireLoginService`]: the guard's decision before the inner service.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::response::{IntoResponse, Response};
use http::Request;
use tower_service::Service;

use crate::guard::{enforce, LoggedIn};
use crate::options::GuardOptions;

/// The service [`RequireLoginLayer`](super::RequireLoginLayer) wraps each route in: it runs
/// [`enforce`] and calls the route only when that lets the request through.
///
/// Usually made by the layer; it can also wrap any service that answers
/// axum [`Response`]s directly:
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use axum::{body::Body, response::Response};
/// use require_login::{guard::RequireLoginService, RequireLoginLayer};
/// use tower::{service_fn, Layer, ServiceExt};
///
/// let handler = service_fn(|_: http::Request<Body>| async {
///     Ok::<_, std::convert::Infallible>(Response::new(Body::from("secret")))
/// });
/// let guarded: RequireLoginService<_> = RequireLoginLayer::default().layer(handler);
/// // No session layer ran before it: a logged 500, and the handler did not run.
/// let response = guarded.oneshot(http::Request::new(Body::empty())).await.unwrap();
/// assert_eq!(response.status(), 500);
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct RequireLoginService<S> {
    pub(super) inner: S,
    pub(super) options: GuardOptions,
    pub(super) over_unseen: bool,
}

impl<S, B> Service<Request<B>> for RequireLoginService<S>
where
    S: Service<Request<B>> + Clone + Send + 'static,
    S::Response: IntoResponse,
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

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The service that was polled ready is the one to call; leave a clone
        // in its place for the next request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let (options, over_unseen) = (self.options, self.over_unseen);
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            if let Err(denied) = enforce(&parts, &options).await {
                return Ok(denied.into_response());
            }
            // A `#[require_login]` handler behind this layer checks no more.
            LoggedIn::mark(&mut parts.extensions, &options, over_unseen);
            let response = inner.call(Request::from_parts(parts, body)).await?;
            Ok(response.into_response())
        })
    }
}
