//! Real-browser tests: the demo app (exactly the one `cargo run -p
//! require-login-demo` serves) and the axum-login example in headless
//! Chromium, driven over WebDriver. Only what a browser can show is here;
//! the client script's logic is unit-tested under Node
//! (`runtime/assets/*.test.js`).
//!
//! Each test starts its own ChromeDriver on a free port, a fresh Chromium
//! profile, and the app on `127.0.0.1:0`; tests run one at a time. What the
//! harness needs installed is in `harness/driver.rs`.
//!
//! `cargo test -p require-login-tests --test browser`, with
//! `REQUIRE_LOGIN_BROWSER_TESTS=required` to fail rather than skip when
//! Chromium is missing; a topic alone: `-- script::`.

// The demo (and its CSRF, on tower-sessions 0.15 only) is the same app on
// both runs of the suite: its browser tests run in the default line's run.
#![cfg(not(feature = "tower-sessions-014"))]

mod harness;

mod forms;
mod login_page;
mod relogin;
mod round_trip;
mod script;
mod streams;
mod warning;
