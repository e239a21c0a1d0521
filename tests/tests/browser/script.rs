//! The client script in a real browser: what it leaves alone (ordinary
//! responses, streams, other origins), how it recognises the sentinel
//! (text, binary, chunked), the requests it marks, its caching, and how it
//! stops a login loop.

use std::sync::PoisonError;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::*;

#[test]
fn ordinary_responses_pass_untouched() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/blank").await;
        let seen = run_in_page(
            &tab,
            "Promise.all([\
               fetch('/test/forbidden').then(function (r) { return r.status + ' ' + r.headers.get('content-type'); }),\
               fetch('/test/forbidden').then(function (r) { return r.text(); }),\
               fetch('/require-login.js').then(function (r) { return r.text(); }).then(function (t) { return t.length > 100; }),\
               new Promise(function (ok) { var x = new XMLHttpRequest(); x.open('GET', '/test/forbidden');\
                 x.onload = function () { ok(x.status + ' ' + x.responseText); }; x.send(); }),\
               fetch('/test/stream').then(function (r) {\
                 var reader = r.body.getReader(), text = '', decoder = new TextDecoder();\
                 function pump() { return reader.read().then(function (part) {\
                   if (part.done) { return r.status + ' ' + text; }\
                   text += decoder.decode(part.value); return pump(); }); }\
                 return pump(); }),\
               new Promise(function (ok) { var x = new XMLHttpRequest(); x.responseType = 'arraybuffer'; x.open('GET', '/test/forbidden');\
                 x.onload = function () { ok(x.response.byteLength); }; x.send(); })\
             ]).then(done, function (e) { done('error: ' + e); });",
            vec![],
        )
        .await;
        assert_eq!(
            seen,
            json!([
                "403 text/plain; charset=utf-8",
                "you may not",
                true,
                "403 you may not",
                "403 chunk0;chunk1;chunk2;",
                11
            ]),
            "ordinary responses reach the page untouched"
        );
        // Give a wrong redirect time to happen, then check it did not.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            tab.location().await,
            Location {
                path: "/test/blank".into(),
                next: None
            },
            "an ordinary 403 must not send the browser anywhere"
        );
    });
}

#[test]
fn bare_sentinel_body() {
    browser_test(LONG_IDLE, |tab| async move {
        // No X-Login-Url here: the script reads a clone of the body, whether
        // its length is known or it comes in chunks, and falls back to
        // /login?next=<this page>.
        for endpoint in ["/test/sentinel-only", "/test/stream-sentinel"] {
            tab.open("/test/blank").await;
            tab.start_recording(&format!(
                "fetch({}).then(function (r) {{ return r.text(); }})",
                json!(endpoint)
            ))
            .await;
            tab.wait_for(
                "/login",
                Some("/test/blank"),
                &format!("{endpoint}: the sentinel body alone sends the browser to the fallback login page"),
            )
            .await;
            assert_eq!(
                tab.recorded().await,
                json!(require_login::LOGIN_REQUIRED),
                "{endpoint}: the page's own code still read the whole body"
            );
        }
    });
}

#[test]
fn sentinel_in_xhr_text() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/blank").await;
        tab.start("var x = new XMLHttpRequest(); x.open('GET', '/test/sentinel-only'); x.send();")
            .await;
        tab.wait_for(
            "/login",
            Some("/test/blank"),
            "an XHR whose body is the sentinel sends the browser to the fallback login page",
        )
        .await;
    });
}

#[test]
fn redirects_again_after_back() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/blank").await;
        tab.start("window.beforeBack = true; fetch('/api/time');")
            .await;
        tab.wait_for("/login", Some("/test/blank"), "the first denied call")
            .await;
        tab.client.back().await.expect("go back");
        tab.wait_for("/test/blank", None, "back on the page").await;
        let restored = tab
            .client
            .execute("return window.beforeBack === true;", vec![])
            .await
            .expect("read the page");
        assert_eq!(
            restored,
            json!(true),
            "Chromium restores the page from its back/forward cache, script state and all (what this test is about)"
        );
        tab.start("fetch('/api/time');").await;
        tab.wait_for(
            "/login",
            Some("/test/blank"),
            "a denied call after Back redirects again",
        )
        .await;
    });
}

#[test]
fn sentinel_in_binary_xhr() {
    browser_test(LONG_IDLE, |tab| async move {
        for response_type in ["arraybuffer", "blob"] {
            tab.open("/test/blank").await;
            tab.client
                .execute(
                    "var x = new XMLHttpRequest(); x.responseType = arguments[0];\
                     x.open('GET', '/test/sentinel-only'); x.send();",
                    vec![json!(response_type)],
                )
                .await
                .expect("start the XHR");
            tab.wait_for(
                "/login",
                Some("/test/blank"),
                &format!("an XHR ({response_type}) whose body is the sentinel goes to the fallback login page"),
            )
            .await;
        }
    });
}

#[test]
fn ignores_other_origins() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/blank").await;
        let foreign = tab.other_site("/test/foreign-denial");
        let seen = run_in_page(
            &tab,
            "var url = arguments[0];\
             Promise.all([\
               fetch(url).then(function (r) { return r.status + ' ' + r.headers.get('x-login-url'); }),\
               new Promise(function (ok) { var x = new XMLHttpRequest(); x.open('GET', url);\
                 x.onload = function () { ok(x.status + ' ' + x.responseText); }; x.send(); })\
             ]).then(done, function (e) { done('error: ' + e); });",
            vec![json!(foreign)],
        )
        .await;
        assert_eq!(
            seen,
            json!([
                "401 https://example.invalid/phish",
                format!("401 {}", require_login::LOGIN_REQUIRED)
            ]),
            "the page itself reads the other origin's answers"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            tab.location().await,
            Location {
                path: "/test/blank".into(),
                next: None
            },
            "another origin's 401 must not send the browser anywhere"
        );
    });
}

#[test]
fn stream_reaches_the_page_at_once() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/blank").await;
        let seen = run_in_page(
            &tab,
            "var start = Date.now();\
             fetch('/test/paused-stream').then(function (r) { return r.body.getReader().read(); })\
               .then(function (part) { done([new TextDecoder().decode(part.value), Date.now() - start]); },\
                     function (e) { done('error: ' + e); });",
            vec![],
        )
        .await;
        assert_eq!(seen[0], json!("first;"), "the page reads the first chunk");
        let waited = seen[1].as_u64().expect("milliseconds");
        assert!(
            waited < (STREAM_PAUSE / 2).as_millis() as u64,
            "the page got its first chunk after {waited} ms: the script held the response back for the stream's pause"
        );
    });
}

#[test]
fn refuses_a_login_url_read_as_another_host() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/blank").await;
        tab.start("fetch('/test/tab-login-url');").await;
        tab.wait_for(
            "/login",
            Some("/test/blank"),
            "a login URL with a tab in it goes to the script's own login page, not evil.example",
        )
        .await;
    });
}

#[test]
fn marks_same_origin_requests_only() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/elsewhere").await;
        let foreign = tab.other_site("/test/echo-headers");
        let seen = run_in_page(
            &tab,
            "var foreign = arguments[0];\
             function text(r) { return r.text(); }\
             function viaXhr(url) { return new Promise(function (ok) { var x = new XMLHttpRequest(); x.open('GET', url);\
               x.onload = function () { ok(x.responseText); }; x.onerror = function () { ok('xhr error'); }; x.send(); }); }\
             function viaHtmx() { return new Promise(function (ok) {\
               htmx.ajax('GET', '/test/echo-headers', { target: '#blank' }).then(function () { ok(document.getElementById('blank').textContent); }); }); }\
             Promise.all([\
               fetch('/test/echo-headers').then(text),\
               viaXhr('/test/echo-headers'),\
               $.ajax({ url: '/test/echo-headers', dataType: 'text' }),\
               fetch(foreign).then(text, function (e) { return 'fetch error ' + e; }),\
               viaXhr(foreign),\
               viaHtmx(),\
               fetch('/test/echo-headers', { headers: new Map([['Authorization', 'Bearer t']]).entries() }).then(text)\
             ]).then(done, function (e) { done('error: ' + e); });",
            vec![json!(foreign)],
        )
        .await;
        assert_eq!(
            seen,
            json!([
                "x-requested-with=XMLHttpRequest;authorization=none",
                "x-requested-with=XMLHttpRequest;authorization=none",
                "x-requested-with=XMLHttpRequest;authorization=none",
                "x-requested-with=none;authorization=none",
                "x-requested-with=none;authorization=none",
                "x-requested-with=none;authorization=none",
                "x-requested-with=XMLHttpRequest;authorization=Bearer t"
            ]),
            "same-origin fetch, XHR and jQuery are marked; another origin's (no preflight) and htmx's are not; \
             headers from an iterator arrive"
        );
    });
}

#[test]
fn cached_on_the_second_view() {
    browser_test(LONG_IDLE, |tab| async move {
        // The default tag: the versioned, immutable URL.
        tab.open("/test/blank").await;
        tab.open("/test/second-page").await;
        tab.open("/test/blank").await;
        assert_eq!(
            hits("/require-login.js", 200),
            1,
            "the script was downloaded once: {:?}",
            HITS.lock().unwrap_or_else(PoisonError::into_inner)
        );
        assert_eq!(
            requests_for("/require-login.js"),
            1,
            "at its versioned URL the browser does not even ask again"
        );
        // The plain URL: asked again, answered 304 Not Modified.
        tab.open("/test/plain-url").await;
        tab.open("/test/second-page").await;
        tab.open("/test/plain-url").await;
        assert_eq!(
            hits("/require-login.js", 200),
            2,
            "the plain URL downloaded once more, the first time only: {:?}",
            HITS.lock().unwrap_or_else(PoisonError::into_inner)
        );
        assert_eq!(
            hits("/require-login.js", 304),
            1,
            "the second view of the plain URL revalidated it"
        );
    });
}

#[test]
fn stops_a_login_loop() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.goto("/test/loop-page").await;
        // Let the loop run out: it would go on for ever without the breaker.
        let deadline = Instant::now() + WAIT;
        while tab
            .client
            .execute("return sessionStorage.getItem('console');", vec![])
            .await
            .ok()
            .filter(|v| v.is_string())
            .is_none()
        {
            assert!(
                Instant::now() < deadline,
                "no console message after {WAIT:?}; visits: {}",
                requests_for("/test/bounce")
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert_eq!(
            requests_for("/test/bounce"),
            3,
            "three automatic visits, then none"
        );
        assert_eq!(tab.location().await.path, "/test/loop-page");
        let message = tab
            .client
            .execute("return sessionStorage.getItem('console');", vec![])
            .await
            .expect("read sessionStorage");
        let message = message.as_str().unwrap_or_default();
        assert!(
            message.starts_with("require-login: not going to /test/bounce?next=%2Ftest%2Floop-page again: 3 automatic visits"),
            "{message}"
        );
    });
}

#[test]
fn full_session_storage_makes_no_visit() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/").await;
        // Not `goto` (nor a navigation WebDriver waits for), which would
        // wait for a loop to end: without a count that survives the page
        // load it never does; failing closed, it never starts.
        tab.start("setTimeout(function () { location.href = '/test/full-loop-page'; }, 100);")
            .await;
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert_eq!(
            requests_for("/test/full-bounce"),
            0,
            "no automatic visit when sessionStorage cannot keep the count"
        );
        assert_eq!(requests_for("/test/full-loop-page"), 1, "one page load");
        assert_eq!(tab.location().await.path, "/test/full-loop-page");
        let errors = tab
            .client
            .execute("return window.errors;", vec![])
            .await
            .expect("read the console errors");
        let errors = errors.as_array().cloned().unwrap_or_default();
        assert_eq!(errors.len(), 1, "one console error: {errors:?}");
        let message = errors[0].as_str().unwrap_or_default();
        assert!(
            message.starts_with(
                "require-login: not going to /test/full-bounce?next=%2Ftest%2Ffull-loop-page: \
                 sessionStorage cannot keep the count"
            ) && message.ends_with("(QuotaExceededError)"),
            "{message}"
        );
    });
}

#[test]
fn retries_after_a_cancelled_visit() {
    browser_test(LONG_IDLE, |tab| async move {
        tab.open("/test/stay").await;
        // The first click's visit to the slow login page is cancelled by the
        // page itself (window.stop() after 0.7 s), as a "Leave site?" prompt
        // answered "Stay" cancels it.
        tab.click("call").await;
        tokio::time::sleep(SLOW_LOGIN + Duration::from_millis(500)).await;
        assert_eq!(
            requests_for("/test/slow-login"),
            1,
            "the first denied call started a visit"
        );
        assert_eq!(
            tab.location().await,
            Location {
                path: "/test/stay".into(),
                next: None
            },
            "the cancelled visit left the browser on the page"
        );
        tab.click("call").await;
        tab.wait_for(
            "/test/slow-login",
            Some("/test/stay"),
            "the next denied call, after the cancelled visit, goes to the login page",
        )
        .await;
    });
}
