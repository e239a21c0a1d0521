//! [`SessionWatch`] as a layer.

use tower_layer::Layer;

use super::service::SessionWatchService;
use super::watch::SessionWatch;

impl<S> Layer<S> for SessionWatch {
    type Service = SessionWatchService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SessionWatchService::new(inner, self.clone())
    }
}
