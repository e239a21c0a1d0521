//! Deny by default: [`GuardedRouter`] builds an axum [`Router`](axum::Router)
//! in which every route is guarded unless it is declared public, checks the
//! result at start-up, and lists every route with its protection.
//!
#![doc = include_str!("../../docs/router.md")]

mod assemble;
mod audit;
mod builder;
mod check;
mod method_routing;
mod scope;

pub use audit::{assert_audit_table, audit_table, Access, GuardSource, RouteAudit, RouteKind};
pub use builder::{GuardedRouter, LayeredRoute, NestedService, RouterLayer};
pub use check::GuardedRouterError;
pub use method_routing::{
    any, connect, delete, get, head, options, patch, post, put, trace, GuardedMethodRouter,
};
