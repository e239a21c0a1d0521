//! On and back from the login page: guarded calls made on it leave it in
//! place, htmx boost and Turbo return to the right page, and another site's
//! login form is refused.

use std::sync::PoisonError;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::*;

#[test]
fn guarded_calls_do_not_reload_it() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/loop-login").await;
        tab.mark_page().await;
        let seen = run_in_page(
            &tab,
            "Promise.all([\
               fetch('/test/loop-api').then(function (r) { return r.status; }),\
               new Promise(function (ok) { var x = new XMLHttpRequest(); x.open('GET', '/test/loop-api');\
                 x.onload = function () { ok(x.status); }; x.send(); })\
             ]).then(done, function (e) { done('error: ' + e); });",
            vec![],
        )
        .await;
        assert_eq!(seen, json!([403, 403]), "both calls were denied");
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            tab.location().await,
            Location {
                path: "/test/loop-login".into(),
                next: None
            },
            "on the login page itself the script must not navigate (it would reload for ever)"
        );
        tab.assert_not_reloaded("the login page").await;
    });
}

#[test]
fn guarded_widgets_keep_it_in_place() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.goto("/test/badge-home?x=1").await;
        tab.wait_for(
            "/test/badge-login",
            Some("/test/badge-home?x=1"),
            "the guarded page",
        )
        .await;
        tab.mark_page().await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(
            tab.location().await,
            Location {
                path: "/test/badge-login".into(),
                next: Some("/test/badge-home?x=1".into())
            },
            "3 s later: same URL, nothing nested"
        );
        tab.assert_not_reloaded("the login page").await;
        assert_eq!(
            requests_for("/test/badge-login"),
            1,
            "one load of the login page"
        );
        assert!(
            hits("/test/badge", 403) >= 4,
            "htmx kept polling and fetch() called, each denied: {} denials",
            hits("/test/badge", 403) - hits("/test/badge-", 403)
        );
        tab.log_in("ada").await;
        tab.wait_for(
            "/test/badge-home",
            None,
            "logging in returns to the original page",
        )
        .await;
        assert!(tab.page_text().await.contains("badge home"));
    });
}

#[test]
fn hx_boost_returns_to_the_boosted_url() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/boost").await;
        tab.click("boosted").await;
        tab.wait_for("/login", Some("/dashboard?tab=2"), "the boosted link")
            .await;
        assert_eq!(
            hits("/dashboard?tab=2", 403),
            1,
            "htmx made the boosted request and followed HX-Redirect"
        );
        tab.log_in("ada").await;
        tab.wait_for("/dashboard", None, "back on the boosted URL")
            .await;
        let url = tab.client.current_url().await.expect("current URL");
        assert_eq!(url.query(), Some("tab=2"));
    });
}

#[test]
fn turbo_drive_visit_in_one_request() {
    browser_test(LONG_IDLE, |tab| async move {
        TURBO_REQUESTS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        tab.open("/test/turbo").await;
        tab.click("drive").await;
        tab.wait_for("/login", Some("/dashboard?tab=5"), "the Drive visit")
            .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            requests_for("/dashboard"),
            1,
            "one request to the guarded URL"
        );
        assert_eq!(hits("/dashboard?tab=5", 303), 1);
        assert!(
            turbo_requests().contains(&"/dashboard?tab=5".to_owned()),
            "Turbo made it: {:?}",
            turbo_requests()
        );
        tab.log_in("ada").await;
        tab.wait_for("/dashboard", None, "back on the visited page")
            .await;
    });
}

#[test]
fn turbo_frame_request() {
    browser_test(LONG_IDLE, |tab| async move {
        TURBO_REQUESTS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        tab.goto("/test/turbo-frame").await;
        tab.wait_for("/login", Some("/dashboard?tab=6"), "the frame's request")
            .await;
        assert!(
            turbo_requests().contains(&"/dashboard?tab=6".to_owned()),
            "Turbo made it: {:?}",
            turbo_requests()
        );
        assert!(tab.page_text().await.contains("Log in"));
    });
}

#[test]
fn cross_site_post_is_refused() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.client
            .goto(&tab.other_site("/test/attacker"))
            .await
            .expect("open the other site's page");
        let deadline = Instant::now() + WAIT;
        while !tab.page_text().await.contains("Cross-site request refused") {
            assert!(
                Instant::now() < deadline,
                "expected the refusal, the page says: {}",
                tab.page_text().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(hits("/login", 403), 1);
        tab.open("/").await;
        assert!(
            tab.page_text().await.contains("Not logged in"),
            "no one was logged in"
        );
    });
}
