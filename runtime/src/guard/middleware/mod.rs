//! The guard as a tower [`Layer`], for route groups: put it on a router with
//! [`Router::route_layer`](axum::Router::route_layer) and every route added
//! before it is guarded. It calls the same decision, [`enforce`], as the
//! [`RequireLogin`](crate::RequireLogin) extractor that `#[require_login]`
//! inserts, so both answer a request identically.

mod layer;
mod service;

pub use layer::RequireLoginLayer;
pub use service::RequireLoginService;
