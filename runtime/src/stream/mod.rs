//! Streams that end with the session: Server-Sent Events and WebSockets
//! that a guard let through are ended when their session ends (a logout
//! from any tab or instance, a deadline, the store's word), and tell the
//! page where to log in again.
//!
#![doc = include_str!("../../docs/stream.md")]

mod end;
mod future;
mod layer;
#[cfg(feature = "redis")]
mod redis;
mod service;
mod sse;
mod watch;
#[cfg(feature = "ws")]
mod ws;

pub(crate) use end::Opening;
pub use end::{End, EndReason, SessionEnd};
pub use future::ResponseFuture;
#[cfg(feature = "redis")]
pub use redis::{RedisNews, NEWS_CHANNEL};
pub use service::SessionWatchService;
pub use watch::{SessionWatch, DEFAULT_RECHECK, MIN_RECHECK};
#[cfg(feature = "ws")]
pub use ws::SessionSocket;

/// The name of the last event of a guarded SSE stream whose session ended;
/// its data is JSON: `{"login": "<login URL>", "reason": "logged-out" | "idle" | "expired"}`.
/// The client script closes the `EventSource` on it (so it does not
/// reconnect) and goes to the login page.
pub const SESSION_ENDED_EVENT: &str = "require-login.session-ended";

/// The close code of a guarded WebSocket whose session ended (in the
/// 4000–4999 range for applications; 4401 after HTTP's 401). Its reason is
/// the login URL, or its path when the URL does not fit.
pub const CLOSE_CODE: u16 = 4401;
