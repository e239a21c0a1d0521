//! Streams end with the session in a real browser: the demo's live page
//! (a clock over an `EventSource`, an echo over a WebSocket) lands on the
//! login page once after a logout in another tab, and neither stream
//! tries again (counted on the server); htmx 2's SSE and WebSocket
//! extensions do not reconnect either; a stream opened after the end is
//! refused and the page still finds its way to the login page.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::json;

use crate::harness::*;

const IDLE: Duration = Duration::from_secs(300);

/// Long enough for an `EventSource`'s reconnection (3 s by default in
/// Chromium) or htmx's (0.5 s, doubling) to have come.
const RECONNECTION_WINDOW: Duration = Duration::from_secs(4);

async fn text_of(tab: &Tab, id: &str) -> String {
    match tab.client.find(Locator::Id(id)).await {
        Ok(element) => element.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Waits until `#id`'s text passes `test`.
async fn wait_for_text(tab: &Tab, id: &str, test: impl Fn(&str) -> bool, what: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let text = text_of(tab, id).await;
        if test(&text) {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: #{id} says {text:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Logs in from the login page `path` sent us to, and waits to be back.
async fn logged_in_at(tab: &Tab, path: &str) {
    tab.goto(path).await;
    tab.wait_for("/login", Some(path), "logged out").await;
    tab.log_in("ada").await;
    tab.wait_for(path, None, "logged in").await;
}

#[test]
fn the_live_page_lands_on_the_login_page_once_after_a_logout_in_another_tab() {
    browser_test(IDLE, |tab| async move {
        logged_in_at(&tab, "/live").await;
        wait_for_text(&tab, "clock", |t| t.ends_with("UTC"), "the clock ticks").await;
        wait_for_text(&tab, "echo-state", |t| t == "connected", "the socket opens").await;
        tab.start(
            "document.getElementById('echo-text').value = 'hello';\
             document.getElementById('echo-form').requestSubmit();",
        )
        .await;
        wait_for_text(&tab, "echoes", |t| t.contains("echo: hello"), "the echo").await;
        assert_eq!(
            axe_violations(&tab, "document").await,
            json!([]),
            "axe-core on /live"
        );
        assert_eq!(
            (requests_for("/live/clock"), requests_for("/live/echo")),
            (1, 1)
        );
        let login_visits = requests_for("/login?next=/live");

        tab.log_out_elsewhere("/logout", "/login").await;
        tab.wait_for("/login", Some("/live"), "the live page after the logout")
            .await;
        tokio::time::sleep(RECONNECTION_WINDOW).await;
        assert_eq!(
            requests_for("/live/clock"),
            1,
            "the EventSource tried again"
        );
        assert_eq!(requests_for("/live/echo"), 1, "the WebSocket tried again");
        assert_eq!(
            requests_for("/login?next=/live"),
            login_visits + 1,
            "one visit"
        );
        assert_eq!(tab.location().await.path, "/login");
    });
}

#[test]
fn htmx_sse_and_ws_extensions_do_not_reconnect_after_the_end() {
    browser_test(IDLE, |tab| async move {
        logged_in_at(&tab, "/live/htmx").await;
        wait_for_text(
            &tab,
            "htmx-clock",
            |t| t.ends_with("UTC"),
            "htmx swaps the clock in",
        )
        .await;
        let deadline = Instant::now() + WAIT;
        while hits("/live/echo", 101) == 0 {
            assert!(Instant::now() < deadline, "htmx's socket did not open");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(
            (requests_for("/live/clock"), requests_for("/live/echo")),
            (1, 1)
        );

        tab.log_out_elsewhere("/logout", "/login").await;
        tab.wait_for(
            "/login",
            Some("/live/htmx"),
            "the htmx page after the logout",
        )
        .await;
        tokio::time::sleep(RECONNECTION_WINDOW).await;
        assert_eq!(
            requests_for("/live/clock"),
            1,
            "htmx's SSE extension reconnected"
        );
        assert_eq!(
            requests_for("/live/echo"),
            1,
            "htmx's WebSocket extension reconnected"
        );
    });
}

/// Logs out in another window, then runs `opens` (a stream's opening) on
/// this page, and waits to be on the login page with the way back.
async fn refused_after_the_end(tab: &Tab, opens: &str, what: &str) {
    tab.log_out_elsewhere("/logout", "/login").await;
    tab.start(opens).await;
    tab.wait_for("/login", Some("/test/blank"), what).await;
}

#[test]
fn a_stream_refused_after_the_end_still_leads_to_the_login_page() {
    browser_test(IDLE, |tab| async move {
        logged_in_at(&tab, "/dashboard").await;
        tab.goto("/test/blank").await;
        // Refused with the sentinel, which an EventSource cannot read.
        let source = "window.source = new EventSource('/live/clock');";
        refused_after_the_end(&tab, source, "after a refused EventSource").await;
        // The EventSource's own request, and the script's probe.
        assert_eq!(hits("/live/clock", 403), 2);

        tab.log_in("ada").await;
        tab.wait_for("/test/blank", None, "logged in again").await;
        // Refused before it opened: the browser says only "1006".
        let socket = "window.socket = new WebSocket('ws://' + location.host + '/live/echo');";
        refused_after_the_end(&tab, socket, "after a refused WebSocket").await;
        // The upgrade, and the script's probe over plain HTTP.
        assert_eq!(hits("/live/echo", 403), 2);
    });
}
