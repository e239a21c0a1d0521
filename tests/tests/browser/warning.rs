//! The session warning in a real browser, on the demo's dashboard: the
//! dialog opens before the idle deadline with the focus on "Stay signed
//! in", Enter and Esc extend (the server's deadline moves), ten times in a
//! row, "Log out" logs out, running out lands on the login page with the
//! reason, another tab's activity and logout reach this tab, and axe-core
//! finds nothing to fix in the open dialog.
//!
//! The warning comes 20 s before the end (WCAG's least, and the crate's);
//! idle timeouts of 21 s (the dialog opens a second after each extension)
//! or 30 s keep the tests short.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use require_login_demo::DemoConfig;
use serde_json::json;

use crate::harness::*;

const WARNING: Duration = Duration::from_secs(20);

fn warning_test<F, Fut>(idle: Duration, scenario: F)
where
    F: FnOnce(Tab) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    demo_test(
        DemoConfig {
            idle,
            warning: Some(WARNING),
            ..DemoConfig::default()
        },
        scenario,
    );
}

fn demo_test<F, Fut>(config: DemoConfig, scenario: F)
where
    F: FnOnce(Tab) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    run_in_browser(move || test_app_with(config), scenario);
}

/// Logs in and lands on the dashboard, which carries the warning script.
async fn on_the_dashboard(tab: &Tab) {
    tab.goto("/dashboard").await;
    tab.wait_for("/login", Some("/dashboard"), "logged out")
        .await;
    tab.log_in("ada").await;
    tab.wait_for("/dashboard", None, "logged in").await;
}

async fn dialog_open(tab: &Tab) -> bool {
    let open = tab
        .client
        .execute(
            "var d = document.querySelector('dialog.require-login-warning'); return !!(d && d.open);",
            vec![],
        )
        .await
        .expect("ask the page");
    open == json!(true)
}

/// Waits until the dialog is open (or closed, with `open` false).
async fn wait_for_dialog(tab: &Tab, open: bool, within: Duration, what: &str) {
    let deadline = Instant::now() + within;
    while dialog_open(tab).await != open {
        assert!(
            Instant::now() < deadline,
            "{what}: the dialog is still {}",
            if open { "closed" } else { "open" }
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The idle seconds the server has left for the session (a passive read).
async fn idle_left(tab: &Tab) -> u64 {
    let status = run_in_page(
        tab,
        "fetch('/require-login/session', {headers: {'X-Session-Passive': '1'}})\
           .then(function (r) { return r.json(); }).then(done, function (e) { done('error: ' + e); });",
        vec![],
    )
    .await;
    status["idle"]
        .as_u64()
        .unwrap_or_else(|| panic!("status: {status}"))
}

async fn focused(tab: &Tab) -> String {
    let id = tab
        .client
        .execute(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await
        .expect("ask the page");
    id.as_str().unwrap_or_default().to_owned()
}

/// Presses `key` (a WebDriver key code) on the focused element.
async fn press(tab: &Tab, key: &str) {
    let element = tab
        .client
        .active_element()
        .await
        .expect("a focused element");
    element.send_keys(key).await.expect("press the key");
}

const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";

#[test]
fn opens_before_the_end_and_enter_extends() {
    warning_test(Duration::from_secs(30), |tab| async move {
        on_the_dashboard(&tab).await;
        wait_for_dialog(&tab, true, Duration::from_secs(15), "before the end").await;
        let left = idle_left(&tab).await;
        assert!((18..=21).contains(&left), "opened with {left} s left");
        assert_eq!(focused(&tab).await, "require-login-stay");
        press(&tab, ENTER).await;
        wait_for_dialog(&tab, false, Duration::from_secs(3), "after Enter").await;
        let left = idle_left(&tab).await;
        assert!(left >= 27, "the deadline moved: {left} s left");
    });
}

#[test]
fn ten_extensions_in_a_row() {
    warning_test(Duration::from_secs(21), |tab| async move {
        on_the_dashboard(&tab).await;
        for round in 1..=10 {
            let what = format!("round {round}");
            wait_for_dialog(&tab, true, Duration::from_secs(5), &what).await;
            tab.click("require-login-stay").await;
            wait_for_dialog(&tab, false, Duration::from_secs(3), &what).await;
        }
        assert!(idle_left(&tab).await >= 19, "still extended");
        assert_eq!(tab.location().await.path, "/dashboard");
    });
}

#[test]
fn escape_extends_and_log_out_logs_out() {
    warning_test(Duration::from_secs(21), |tab| async move {
        on_the_dashboard(&tab).await;
        wait_for_dialog(&tab, true, Duration::from_secs(5), "first").await;
        press(&tab, ESCAPE).await;
        wait_for_dialog(&tab, false, Duration::from_secs(3), "after Esc").await;
        assert!(idle_left(&tab).await >= 19, "Esc extended");
        wait_for_dialog(&tab, true, Duration::from_secs(5), "again").await;
        tab.click("require-login-logout").await;
        tab.wait_for("/login", None, "logged out by the dialog")
            .await;
        tab.goto("/dashboard").await;
        tab.wait_for("/login", Some("/dashboard"), "the session is gone")
            .await;
    });
}

#[test]
fn running_out_lands_on_the_login_page_with_the_reason() {
    warning_test(Duration::from_secs(21), |tab| async move {
        on_the_dashboard(&tab).await;
        wait_for_dialog(&tab, true, Duration::from_secs(5), "before the end").await;
        // The dashboard's badge is polled every 2 s, passively: it does not
        // keep the session alive.
        let unread = tab.client.find(Locator::Id("unread")).await.unwrap();
        let polled = Instant::now() + Duration::from_secs(5);
        while unread.text().await.unwrap() != "3" {
            assert!(Instant::now() < polled, "the badge is polled");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // No answer: the session ends, and the page goes to log in again.
        tab.wait_for_path("/login", Duration::from_secs(30), "the time ran out")
            .await;
        assert_eq!(tab.location().await.next.as_deref(), Some("/dashboard"));
        let url = tab.client.current_url().await.unwrap();
        assert!(
            url.query().unwrap_or_default().contains("reason=idle"),
            "{url}"
        );
        assert!(
            tab.page_text().await.contains("without activity"),
            "the login page says why"
        );
    });
}

#[test]
fn other_tabs_follow_activity_and_logout() {
    warning_test(Duration::from_secs(30), |tab| async move {
        on_the_dashboard(&tab).await;
        let first = tab.client.window().await.unwrap();
        let second = tab.client.new_window(true).await.unwrap().handle;
        tab.client.switch_to_window(second.clone()).await.unwrap();
        tab.goto("/dashboard").await;
        tab.wait_for("/dashboard", None, "the second tab").await;
        // Activity in the second tab, every second for 14 s: past the time
        // the first tab's dialog would have opened.
        for _ in 0..14 {
            tab.start("fetch('/api/time');").await;
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        tab.client.switch_to_window(first.clone()).await.unwrap();
        assert!(
            !dialog_open(&tab).await,
            "the other tab's activity kept it closed"
        );
        // The first tab notes (in storage both tabs share) when it leaves.
        tab.start(
            "window.addEventListener('pagehide', function () { localStorage.setItem('left-at', String(Date.now())); });",
        )
        .await;
        // Log out in the second tab, from its dialog, noting when.
        tab.client.switch_to_window(second).await.unwrap();
        wait_for_dialog(&tab, true, Duration::from_secs(15), "second tab").await;
        tab.start(
            "var out = document.getElementById('require-login-logout');\
             localStorage.setItem('clicked-at', String(Date.now())); out.click();",
        )
        .await;
        tab.client.switch_to_window(first).await.unwrap();
        tab.wait_for_path("/login", WAIT, "the other tab logged out")
            .await;
        let url = tab.client.current_url().await.unwrap();
        assert!(
            url.query()
                .unwrap_or_default()
                .contains("reason=logged-out"),
            "{url}"
        );
        let times = tab
            .client
            .execute(
                "return [Number(localStorage.getItem('clicked-at')), Number(localStorage.getItem('left-at'))];",
                vec![],
            )
            .await
            .unwrap();
        let (clicked, left) = (times[0].as_f64().unwrap(), times[1].as_f64().unwrap());
        assert!(
            clicked > 0.0 && left >= clicked && left - clicked <= 1000.0,
            "the first tab left {} ms after the logout",
            left - clicked
        );
    });
}

#[test]
fn axe_finds_nothing_in_the_open_dialog() {
    warning_test(Duration::from_secs(21), move |tab| async move {
        on_the_dashboard(&tab).await;
        wait_for_dialog(&tab, true, Duration::from_secs(5), "open").await;
        let dialog = tab
            .client
            .find(Locator::Css("dialog.require-login-warning"))
            .await
            .expect("the dialog");
        assert_eq!(
            dialog.attr("aria-modal").await.unwrap().as_deref(),
            Some("true")
        );
        let title = tab
            .client
            .find(Locator::Id("require-login-warning-title"))
            .await
            .expect("its title");
        assert!(!title.text().await.unwrap().is_empty());
        let violations = axe_violations(
            &tab,
            "document.querySelector('dialog.require-login-warning')",
        )
        .await;
        assert_eq!(violations, json!([]), "axe-core on the open dialog");
    });
}

#[test]
fn the_live_region_changes_at_most_every_15_seconds_before_the_last_10() {
    warning_test(Duration::from_secs(30), |tab| async move {
        on_the_dashboard(&tab).await;
        wait_for_dialog(&tab, true, Duration::from_secs(15), "open").await;
        // Record each change of the live region, with the time left then.
        tab.start(
            "window.liveChanges = []; window.liveStart = performance.now();\
             var live = document.getElementById('require-login-warning-live');\
             new MutationObserver(function () { window.liveChanges.push([performance.now(), live.textContent]); })\
               .observe(live, {childList: true, characterData: true, subtree: true});",
        )
        .await;
        tokio::time::sleep(Duration::from_secs(16)).await;
        let changes = tab
            .client
            .execute(
                "return window.liveChanges.map(function (c) { return c[0] - window.liveStart; });",
                vec![],
            )
            .await
            .unwrap();
        let after: Vec<f64> = changes
            .as_array()
            .expect("a list")
            .iter()
            .map(|at| at.as_f64().unwrap())
            .collect();
        // Opened with about 20 s left: no change in the next 8 s (at most
        // every 15 s), then each second in the last 10.
        let early = after.iter().filter(|at| **at < 8000.0).count();
        assert!(early <= 1, "announced {early} times in 8 s: {after:?}");
        assert!(after.len() >= 5, "each second near the end: {after:?}");
    });
}

#[test]
fn the_absolute_end_is_said_and_cannot_be_extended() {
    let config = DemoConfig {
        idle: Duration::from_secs(60),
        warning: Some(WARNING),
        absolute: Some(Duration::from_secs(23)),
        ..DemoConfig::default()
    };
    demo_test(config, |tab| async move {
        let started = Instant::now();
        on_the_dashboard(&tab).await;
        wait_for_dialog(
            &tab,
            true,
            Duration::from_secs(8),
            "before the absolute end",
        )
        .await;
        let body = tab
            .client
            .find(Locator::Id("require-login-warning-body"))
            .await
            .unwrap();
        assert!(body.text().await.unwrap().contains("cannot be extended"));
        let button = tab
            .client
            .find(Locator::Id("require-login-stay"))
            .await
            .unwrap();
        assert_eq!(button.text().await.unwrap(), "Close");
        button.click().await.unwrap();
        wait_for_dialog(&tab, false, Duration::from_secs(2), "closed").await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(!dialog_open(&tab).await, "closed for good");
        // Activity does not carry the session past its lifetime (up to 2 s
        // before it: the first request after the end is the one told why).
        while started.elapsed() < Duration::from_secs(21) {
            tab.start("fetch('/api/time');").await;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        tab.wait_for_path("/login", Duration::from_secs(10), "past the lifetime")
            .await;
        let url = tab.client.current_url().await.unwrap();
        assert!(
            url.query().unwrap_or_default().contains("reason=expired"),
            "{url}"
        );
    });
}

#[test]
fn back_after_logout_shows_the_login_page() {
    warning_test(Duration::from_secs(60), |tab| async move {
        on_the_dashboard(&tab).await;
        tab.goto("/logout").await;
        tab.click("logout").await;
        tab.wait_for("/login", None, "logged out").await;
        tab.client.back().await.unwrap();
        tab.client.back().await.unwrap();
        tab.wait_for_path("/login", Duration::from_secs(10), "Back after logout")
            .await;
        assert!(
            !tab.page_text().await.contains("Hello"),
            "nothing of the dashboard shows: {}",
            tab.page_text().await
        );
    });
}

#[test]
fn a_visitor_clock_hours_off_changes_nothing() {
    warning_test(Duration::from_secs(30), |tab| async move {
        on_the_dashboard(&tab).await;
        // The visitor's clock, three hours ahead from now on.
        tab.start(
            "var RealDate = Date, offset = 3 * 3600 * 1000;\
             window.Date = function () { return arguments.length ? new (Function.prototype.bind.apply(RealDate, [null].concat([].slice.call(arguments))))() : new RealDate(RealDate.now() + offset); };\
             window.Date.now = function () { return RealDate.now() + offset; };",
        )
        .await;
        wait_for_dialog(&tab, true, Duration::from_secs(15), "before the end").await;
        let left = idle_left(&tab).await;
        assert!((18..=21).contains(&left), "opened with {left} s left");
        press(&tab, ENTER).await;
        wait_for_dialog(&tab, false, Duration::from_secs(3), "extended").await;
        assert!(idle_left(&tab).await >= 27);
    });
}

#[test]
fn what_was_typed_comes_back_after_the_time_ran_out() {
    // 30 s: the dialog (modal, the page inert behind it) opens after typing.
    warning_test(Duration::from_secs(30), |tab| async move {
        tab.goto("/draft").await;
        tab.wait_for("/login", Some("/draft"), "logged out").await;
        tab.log_in("ada").await;
        tab.wait_for("/draft", None, "logged in").await;
        let title = tab.client.find(Locator::Id("title")).await.unwrap();
        title.send_keys("Shopping list").await.unwrap();
        wait_for_dialog(&tab, true, Duration::from_secs(15), "before the end").await;
        tab.wait_for_path(
            "/login",
            Duration::from_secs(30),
            "the time ran out on the draft",
        )
        .await;
        assert_eq!(tab.location().await.next.as_deref(), Some("/draft"));
        tab.log_in("ada").await;
        tab.wait_for("/draft", None, "back after logging in").await;
        let title = tab.client.find(Locator::Id("title")).await.unwrap();
        let restored = Instant::now() + WAIT;
        while title.prop("value").await.unwrap().as_deref() != Some("Shopping list") {
            assert!(Instant::now() < restored, "the title was not restored");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
}
