//! Logging in again in place, in a real browser, on the demo's
//! `/in-place` page: denied calls wait while the user logs in again in a
//! popup, then go through, each once, with the new session's CSRF token,
//! and the page never leaves; another user in the popup gets no replay; a
//! popup closed without logging in ends with the usual round trip; two
//! tabs each replay their own call.
//!
//! (A `ReadableStream` body cannot reach the server at all over HTTP/1.1
//! in Chromium, so that it is never sent again is the Node tests'.)

use std::time::{Duration, Instant};

use fantoccini::wd::WindowHandle;
use fantoccini::Locator;
use serde_json::{json, Value};

use crate::harness::*;

const IDLE: Duration = Duration::from_secs(300);

/// Logged in as ada on `/in-place`, its window marked.
async fn on_the_page(tab: &Tab) {
    tab.goto("/in-place").await;
    tab.wait_for("/login", Some("/in-place"), "logged out")
        .await;
    tab.log_in("ada").await;
    tab.wait_for("/in-place", None, "logged in").await;
    tab.mark_page().await;
}

/// The page's answers so far.
async fn answers(tab: &Tab) -> Vec<String> {
    let value = tab
        .client
        .execute("return window.answers || [];", vec![])
        .await
        .expect("read the page");
    serde_json::from_value(value).unwrap_or_default()
}

async fn wait_for_answers(tab: &Tab, count: usize, what: &str) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let now = answers(tab).await;
        if now.len() >= count {
            return now;
        }
        assert!(Instant::now() < deadline, "{what}: answers so far {now:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn dialog_open(tab: &Tab) -> bool {
    tab.client
        .execute(
            "var d = document.querySelector('dialog.require-login-relogin'); return !!(d && d.open);",
            vec![],
        )
        .await
        .expect("ask the page")
        == json!(true)
}

async fn wait_for_dialog(tab: &Tab) {
    let deadline = Instant::now() + WAIT;
    while !dialog_open(tab).await {
        assert!(Instant::now() < deadline, "the dialog did not open");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The session ends (a logout in another window), then `calls` (a script
/// clicking the page's buttons) run: the dialog opens.
async fn denied_after_the_end(tab: &Tab, calls: &str) {
    tab.log_out_elsewhere("/logout", "/login").await;
    tab.start(calls).await;
    wait_for_dialog(tab).await;
}

/// Clicks "Log in again": this window, and the popup, switched to.
async fn open_the_popup(tab: &Tab) -> (WindowHandle, WindowHandle) {
    let here = tab.client.window().await.unwrap();
    let before = tab.client.windows().await.unwrap();
    tab.click("require-login-relogin-login").await;
    let deadline = Instant::now() + WAIT;
    let popup = loop {
        let now = tab.client.windows().await.unwrap();
        if let Some(new) = now.into_iter().find(|w| !before.contains(w)) {
            break new;
        }
        assert!(Instant::now() < deadline, "no popup opened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    tab.client.switch_to_window(popup.clone()).await.unwrap();
    (here, popup)
}

/// Clicks "Log in again" and logs in as `user` in the popup, which closes
/// itself; back in this window after.
async fn log_in_in_the_popup(tab: &Tab, user: &str) {
    let (here, popup) = open_the_popup(tab).await;
    tab.wait_for(
        "/login",
        Some("/require-login/relogin-done"),
        "the popup's login page",
    )
    .await;
    tab.log_in(user).await;
    let deadline = Instant::now() + WAIT;
    while tab.client.windows().await.unwrap().contains(&popup) {
        assert!(Instant::now() < deadline, "the popup did not close itself");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tab.client.switch_to_window(here).await.unwrap();
}

#[test]
fn denied_calls_wait_for_the_login_in_the_popup_and_go_through_once() {
    browser_test(IDLE, |tab| async move {
        on_the_page(&tab).await;
        denied_after_the_end(
            &tab,
            "document.getElementById('in-place-get').click();\
             document.getElementById('in-place-post').click();",
        )
        .await;
        assert_eq!(answers(&tab).await, Vec::<String>::new(), "both calls wait");
        assert_eq!((hits("/api/time", 403), hits("/api/echo", 403)), (1, 1));

        log_in_in_the_popup(&tab, "ada").await;
        let mut got = wait_for_answers(&tab, 2, "both calls answered").await;
        got.sort();
        assert!(got[0].starts_with("get: hello ada, call "), "{got:?}");
        // Through the demo's CSRF check, with the new session's token.
        assert!(
            got[1].starts_with("post: hello ada, echo posted, call "),
            "{got:?}"
        );
        assert_eq!(
            (hits("/api/time", 200), hits("/api/echo", 200)),
            (1, 1),
            "each handler ran once"
        );
        assert!(!dialog_open(&tab).await);
        tab.assert_not_reloaded("after the replay").await;
        assert_eq!(tab.location().await.path, "/in-place");
    });
}

#[test]
fn xhr_jquery_and_htmx_calls_are_sent_again_too_each_callback_once() {
    browser_test(IDLE, |tab| async move {
        on_the_page(&tab).await;
        denied_after_the_end(
            &tab,
            "document.getElementById('in-place-xhr').click();\
             document.getElementById('in-place-jquery').click();\
             document.getElementById('in-place-htmx').closest('form').requestSubmit();",
        )
        .await;
        log_in_in_the_popup(&tab, "ada").await;
        wait_for_answers(&tab, 3, "all three answered").await;
        // A second run of any callback would come within this.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut got = answers(&tab).await;
        got.sort();
        assert_eq!(got.len(), 3, "each callback once: {got:?}");
        assert!(
            got[0].starts_with("htmx: htmx post: hello ada, in place"),
            "{got:?}"
        );
        assert_eq!(got[1], "jquery: echo by jquery");
        assert_eq!(got[2], "xhr: echo by xhr");
        assert_eq!(hits("/api/echo", 200), 2);
        assert_eq!(hits("/htmx/fragment", 200), 1);
        tab.assert_not_reloaded("after the replay").await;
    });
}

#[test]
fn another_user_in_the_popup_gets_nothing_sent_again_and_the_page_reloads() {
    browser_test(IDLE, |tab| async move {
        on_the_page(&tab).await;
        denied_after_the_end(&tab, "document.getElementById('in-place-post').click();").await;
        log_in_in_the_popup(&tab, "bob").await;
        let deadline = Instant::now() + WAIT;
        loop {
            let reloaded = tab
                .client
                .execute("return window.stillHere !== true;", vec![])
                .await
                .unwrap_or(json!(false));
            if reloaded == json!(true) {
                break;
            }
            assert!(Instant::now() < deadline, "the page was not reloaded");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tab.wait_for("/in-place", None, "reloaded for bob").await;
        assert_eq!(hits("/api/echo", 200), 0, "nothing ran for bob");
        let who = tab.client.find(Locator::Id("who")).await;
        assert!(who.is_err() || !tab.page_text().await.contains("ada"));
    });
}

#[test]
fn a_popup_closed_without_logging_in_ends_in_the_usual_round_trip() {
    browser_test(IDLE, |tab| async move {
        on_the_page(&tab).await;
        denied_after_the_end(&tab, "document.getElementById('in-place-get').click();").await;
        let (here, _popup) = open_the_popup(&tab).await;
        tab.client.close_window().await.unwrap();
        tab.client.switch_to_window(here).await.unwrap();
        assert!(dialog_open(&tab).await, "the dialog waits for an answer");
        tab.click("require-login-relogin-leave").await;
        tab.wait_for("/login", Some("/in-place"), "the usual round trip")
            .await;
        let kept: Value = tab
            .client
            .execute(
                "return JSON.parse(sessionStorage.getItem('answers') || '[]');",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            kept,
            json!(["get: failed: RequireLoginLeft require-login: the user went to the login page"]),
            "the kept call failed with the documented error"
        );
        assert_eq!(hits("/api/time", 200), 0);
    });
}

#[test]
fn two_tabs_each_send_their_own_call_after_one_login() {
    browser_test(IDLE, |tab| async move {
        on_the_page(&tab).await;
        let first = tab.client.window().await.unwrap();
        let second = tab.client.new_window(true).await.unwrap().handle;
        tab.client.switch_to_window(second.clone()).await.unwrap();
        tab.goto("/in-place").await;
        tab.wait_for("/in-place", None, "the second tab").await;
        tab.mark_page().await;
        denied_after_the_end(&tab, "document.getElementById('in-place-get').click();").await;
        tab.client.switch_to_window(first.clone()).await.unwrap();
        tab.start("document.getElementById('in-place-post').click();")
            .await;
        wait_for_dialog(&tab).await;

        log_in_in_the_popup(&tab, "ada").await;
        let here = wait_for_answers(&tab, 1, "the first tab").await;
        assert!(here[0].starts_with("post: hello ada"), "{here:?}");
        tab.client.switch_to_window(second).await.unwrap();
        let there = wait_for_answers(&tab, 1, "the second tab").await;
        assert!(there[0].starts_with("get: hello ada"), "{there:?}");
        assert_eq!((hits("/api/time", 200), hits("/api/echo", 200)), (1, 1));
        tab.assert_not_reloaded("the second tab").await;
    });
}

#[test]
fn axe_finds_nothing_in_the_open_dialog() {
    browser_test(IDLE, |tab| async move {
        on_the_page(&tab).await;
        denied_after_the_end(&tab, "document.getElementById('in-place-get').click();").await;
        let focused = tab
            .client
            .execute("return document.activeElement.id;", vec![])
            .await
            .unwrap();
        assert_eq!(
            focused,
            json!("require-login-relogin-login"),
            "focus on Log in again"
        );
        let violations = axe_violations(
            &tab,
            "document.querySelector('dialog.require-login-relogin')",
        )
        .await;
        assert_eq!(violations, json!([]), "axe-core on the open dialog");
    });
}
