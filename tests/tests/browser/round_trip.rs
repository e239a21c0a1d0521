//! The round trip in a real browser: after a logout elsewhere or an idle
//! expiry, each kind of call (fetch, XHR, jQuery, htmx, a form post) lands
//! on its route's login page and logging in comes back to the page.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::json;

use crate::harness::*;

/// On axum-login (its own backend, login form and sessions), the guard and
/// the shipped client script: a fetch of a page whose session expired lands
/// on the login page, and logging in returns to the page.
#[test]
fn axum_login_example_fetch_after_expiry() {
    run_in_browser(
        || axum_login_example(SHORT_IDLE),
        |tab| async move {
            let (user, password) = require_login_axum_login_example::ACCOUNTS[0];
            tab.goto("/dashboard").await;
            tab.wait_for(
                "/login",
                Some("/dashboard"),
                "the page sends a logged-out user to log in",
            )
            .await;
            tab.log_in_with(user, password).await;
            tab.wait_for("/dashboard", None, "logging in returns to the page")
                .await;
            tab.click("call").await;
            tab.wait_for_result("fetch: hello ada", "the fetch of a logged-in user")
                .await;
            // Idle past the expiry; nothing happens by itself meanwhile.
            let idle_until = Instant::now() + SHORT_IDLE + Duration::from_millis(1500);
            while Instant::now() < idle_until {
                assert_eq!(tab.location().await.path, "/dashboard");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            tab.click("call").await;
            tab.wait_for(
                "/login",
                Some("/dashboard"),
                "the expired session's fetch lands on the login page, next = the page",
            )
            .await;
            tab.log_in_with(user, password).await;
            tab.wait_for("/dashboard", None, "logging in again returns to the page")
                .await;
            tab.click("call").await;
            tab.wait_for_result("fetch: hello ada", "the fetch after logging in again")
                .await;
        },
    );
}

/// One page of the demo and how to drive it.
struct ClientKind {
    /// The page, e.g. `/fetch`.
    page: &'static str,
    /// Its login page.
    login: &'static str,
    /// Its logout page (with a `#logout` button) and where logging out lands.
    logout: (&'static str, &'static str),
    /// The button making the AJAX call.
    button: &'static str,
    /// What `#result` shows when the call worked.
    worked: &'static str,
}

const FETCH: ClientKind = ClientKind {
    page: "/fetch",
    login: "/login",
    logout: ("/logout", "/login"),
    button: "call",
    worked: "fetch: hello ada",
};
const XHR: ClientKind = ClientKind {
    page: "/xhr",
    login: "/login",
    logout: ("/logout", "/login"),
    button: "call",
    worked: "xhr: hello ada, echo ping",
};
const JQUERY_OUR_SCRIPT: ClientKind = ClientKind {
    page: "/jquery",
    login: "/login",
    logout: ("/logout", "/login"),
    button: "call",
    worked: "jquery: hello ada",
};
const JQUERY_SEED_SNIPPET: ClientKind = ClientKind {
    page: "/jquery-seed",
    login: "/login",
    logout: ("/logout", "/login"),
    button: "call",
    worked: "jquery: hello ada",
};
const HTMX_GET: ClientKind = ClientKind {
    page: "/htmx",
    login: "/login",
    logout: ("/logout", "/login"),
    button: "call",
    worked: "htmx get: hello ada",
};
const HTMX_POST: ClientKind = ClientKind {
    button: "post",
    worked: "htmx post: hello ada, posted",
    ..HTMX_GET
};
const ADMIN_FETCH: ClientKind = ClientKind {
    page: "/admin",
    login: "/admin/login",
    logout: ("/admin/logout", "/admin/login"),
    button: "call",
    worked: "admin: hello ada",
};

/// Opening the page logged out goes to its login page, and logging in comes back.
async fn log_in_through_the_page(tab: &Tab, kind: &ClientKind) {
    tab.goto(kind.page).await;
    tab.wait_for(
        kind.login,
        Some(kind.page),
        "opening the page logged out goes to its login page",
    )
    .await;
    tab.log_in("ada").await;
    tab.wait_for(kind.page, None, "logging in goes back to the page")
        .await;
}

/// The call works and updates the page, with no redirect.
async fn call_works(tab: &Tab, kind: &ClientKind) {
    tab.click(kind.button).await;
    tab.wait_for_result(kind.worked, "the AJAX call of a logged-in user")
        .await;
    assert_eq!(
        tab.location().await,
        Location {
            path: kind.page.to_owned(),
            next: None
        },
        "a logged-in AJAX call must not move the browser"
    );
}

/// The call of a logged-out page lands on the right login page, with
/// `next` the page (not the endpoint); logging in comes back to the page,
/// where the call works again.
async fn call_lands_on_login_and_back(tab: &Tab, kind: &ClientKind) {
    tab.click(kind.button).await;
    tab.wait_for(
        kind.login,
        Some(kind.page),
        "the AJAX call of an ended session goes to the login page, next = the page",
    )
    .await;
    tab.log_in("ada").await;
    tab.wait_for(kind.page, None, "logging in again returns to the page")
        .await;
    call_works(tab, kind).await;
}

/// The whole round trip for one client kind, the session ended by logging
/// out in a second window.
async fn round_trip_after_logout_elsewhere(tab: &Tab, kind: &ClientKind) {
    log_in_through_the_page(tab, kind).await;
    call_works(tab, kind).await;
    tab.log_out_elsewhere(kind.logout.0, kind.logout.1).await;
    assert_eq!(
        tab.location().await.path,
        kind.page,
        "the page stays put until its next call"
    );
    call_lands_on_login_and_back(tab, kind).await;
}

/// The round trip, the session ended by idle expiry: before the expiry the
/// page does not move by itself; its next call after it goes to login.
async fn round_trip_after_idle_expiry(tab: &Tab, kind: &ClientKind) {
    log_in_through_the_page(tab, kind).await;
    call_works(tab, kind).await;
    // Idle past the expiry, checking that nothing happens by itself meanwhile.
    let idle_until = Instant::now() + SHORT_IDLE + Duration::from_millis(1500);
    while Instant::now() < idle_until {
        assert_eq!(
            tab.location().await.path,
            kind.page,
            "an idle page must not redirect before its next AJAX call"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    call_lands_on_login_and_back(tab, kind).await;
}

#[test]
fn fetch_after_logout() {
    browser_test(LONG_IDLE, |tab| async move {
        round_trip_after_logout_elsewhere(&tab, &FETCH).await;
    });
}

#[test]
fn xhr_after_logout() {
    browser_test(LONG_IDLE, |tab| async move {
        round_trip_after_logout_elsewhere(&tab, &XHR).await;
    });
}

#[test]
fn jquery_after_logout() {
    browser_test(LONG_IDLE, |tab| async move {
        round_trip_after_logout_elsewhere(&tab, &JQUERY_OUR_SCRIPT).await;
    });
}

#[test]
fn jquery_seed_snippet_after_logout() {
    browser_test(LONG_IDLE, |tab| async move {
        round_trip_after_logout_elsewhere(&tab, &JQUERY_SEED_SNIPPET).await;
    });
}

#[test]
fn htmx_get_and_post_after_logout() {
    browser_test(LONG_IDLE, |tab| async move {
        round_trip_after_logout_elsewhere(&tab, &HTMX_GET).await;
        // Still logged in, on the page: now the hx-post form.
        call_works(&tab, &HTMX_POST).await;
        tab.log_out_elsewhere("/logout", "/login").await;
        call_lands_on_login_and_back(&tab, &HTMX_POST).await;
    });
}

#[test]
fn admin_call_goes_to_the_admin_login() {
    browser_test(LONG_IDLE, |tab| async move {
        // Logged in as a user is not logged in to the admin area.
        tab.goto("/login").await;
        tab.log_in("ada").await;
        tab.wait_for(
            "/dashboard",
            None,
            "a login without next goes to the dashboard",
        )
        .await;
        round_trip_after_logout_elsewhere(&tab, &ADMIN_FETCH).await;
        // The user's own session was untouched by the admin logout.
        tab.goto("/dashboard").await;
        tab.wait_for("/dashboard", None, "the user is still logged in")
            .await;
    });
}

#[test]
fn fetch_after_idle_expiry() {
    browser_test(SHORT_IDLE, |tab| async move {
        round_trip_after_idle_expiry(&tab, &FETCH).await;
    });
}

#[test]
fn htmx_after_idle_expiry() {
    browser_test(SHORT_IDLE, |tab| async move {
        round_trip_after_idle_expiry(&tab, &HTMX_POST).await;
    });
}

#[test]
fn jquery_seed_after_idle_expiry() {
    browser_test(SHORT_IDLE, |tab| async move {
        round_trip_after_idle_expiry(&tab, &JQUERY_SEED_SNIPPET).await;
    });
}

#[test]
fn dashboard_buttons_after_logout() {
    browser_test(LONG_IDLE, |tab| async move {
        let fetch = ClientKind {
            page: "/dashboard",
            button: "call-fetch",
            ..FETCH
        };
        let xhr = ClientKind {
            page: "/dashboard",
            button: "call-xhr",
            worked: "xhr: hello ada, echo ping",
            ..FETCH
        };
        round_trip_after_logout_elsewhere(&tab, &fetch).await;
        call_works(&tab, &xhr).await;
        tab.log_out_elsewhere("/logout", "/login").await;
        call_lands_on_login_and_back(&tab, &xhr).await;
    });
}

#[test]
fn htmx_follows_hx_redirect_itself() {
    browser_test(LONG_IDLE, |tab| async move {
        log_in_through_the_page(&tab, &HTMX_GET).await;
        call_works(&tab, &HTMX_GET).await;
        tab.log_out_elsewhere("/logout", "/login").await;
        // htmx navigates through `htmx.location`: catch its redirect there, so
        // that any navigation that still happens can only be the client script's.
        tab.start("htmx.location = { href: '', reload: function () {} };")
            .await;
        tab.click(HTMX_GET.button).await;
        let deadline = Instant::now() + WAIT;
        let htmx_went = loop {
            // `null` once the page is gone: something else navigated.
            let href = tab
                .client
                .execute("return window.htmx ? htmx.location.href : null;", vec![])
                .await
                .unwrap_or(serde_json::Value::Null);
            assert!(
                !href.is_null(),
                "the client script must leave htmx's requests to htmx, but the browser left the page for {:?}",
                tab.location().await
            );
            if href != json!("") {
                break href;
            }
            assert!(
                Instant::now() < deadline,
                "htmx did not follow HX-Redirect within {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(
            htmx_went,
            json!("/login?next=/htmx"),
            "htmx follows HX-Redirect to the login page, next = the page"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            tab.location().await,
            Location {
                path: "/htmx".into(),
                next: None
            },
            "the client script must leave htmx's requests to htmx, not navigate as well"
        );
    });
}

#[test]
fn form_post_after_expiry() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.goto("/form").await;
        tab.wait_for("/login", Some("/form"), "the form page logged out")
            .await;
        tab.log_in("ada").await;
        tab.wait_for("/form", None, "logging in returns to the form")
            .await;
        tab.log_out_elsewhere("/logout", "/login").await;
        tab.click("save").await;
        tab.wait_for(
            "/login",
            Some("/form"),
            "a form POST of an ended session goes to login, next = the form's page",
        )
        .await;
        tab.log_in("ada").await;
        tab.wait_for("/form", None, "logging in returns to the form's page")
            .await;
        tab.click("save").await;
        // The POST answers with the form's page again, now saying what was
        // saved: wait for that, not for the URL, which is /form all along.
        let deadline = Instant::now() + WAIT;
        loop {
            let saved = match tab.client.find(Locator::Id("saved")).await {
                Ok(saved) => saved.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if saved == "Saved: hello" {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the form posts again: #saved says {saved:?} at {:?} after {WAIT:?}",
                tab.location().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(
            tab.location().await,
            Location {
                path: "/form".into(),
                next: None
            }
        );
    });
}

#[test]
fn each_kind_follows_the_routes_login_url() {
    browser_test(LONG_IDLE, |tab| async move {
        // Each call goes to the admin area's endpoint; the page's script
        // would fall back to /elsewhere, so landing on /admin/login means
        // X-Login-Url (or, for htmx, HX-Redirect) was followed.
        let calls = [
            ("fetch", "fetch('/admin/api/stats');"),
            (
                "XMLHttpRequest",
                "var x = new XMLHttpRequest(); x.open('GET', '/admin/api/stats'); x.send();",
            ),
            (
                "jQuery",
                "$.ajax({ url: '/admin/api/stats', dataType: 'json' });",
            ),
            (
                "htmx",
                "htmx.ajax('GET', '/admin/api/stats', { target: '#blank' });",
            ),
        ];
        for (kind, call) in calls {
            tab.open("/test/elsewhere").await;
            tab.start(call).await;
            tab.wait_for(
                "/admin/login",
                Some("/test/elsewhere"),
                &format!("a logged-out {kind} call to an admin endpoint goes to the admin login"),
            )
            .await;
        }
    });
}
