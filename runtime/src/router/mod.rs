//! Deny by default: a router whose every route is guarded unless it is
//! declared public, its audit, and its start-up checks.

mod guarded;
pub mod method_routing;

pub use guarded::{
    assert_audit_table, audit_table, Access, GuardSource, GuardedRouter, GuardedRouterError,
    LayeredRoute, NestedService, RouteAudit, RouteKind, RouterLayer,
};
