//! Two app instances, each a process with its own HTTP server on its own
//! loopback port, sharing one Redis through `tower-sessions-redis-store`
//! 0.16 on tower-sessions 0.14: a session is one session on both, for
//! logging in, logging out, idle expiry, and a Redis outage.
//!
//! Needs `REQUIRE_LOGIN_REDIS_URL` (and `redis-server` on `PATH` for the
//! outage); `.ci/run` provides both and sets `REQUIRE_LOGIN_REDIS_TESTS=required`.

use std::time::{Duration, Instant};

use http::StatusCode;
use require_login_tests::instances::{
    shared_redis_url, wrong_answer, Browser, Instance, Kind, RedisServer,
};

const INSTANCE: &str = env!("CARGO_BIN_EXE_instance");

/// A user name no other test (or earlier run on the same Redis) uses.
fn unique_user(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{nanos}")
}

/// Every kind of request of `browser` on `base` is answered as for `user`.
async fn assert_answers(browser: &mut Browser, base: &str, user: Option<&str>, when: &str) {
    for kind in Kind::ALL {
        let reply = browser.call(base, kind).await;
        if let Some(wrong) = wrong_answer(kind, user, &reply) {
            panic!("{when}, on {base}: {wrong}");
        }
    }
}

#[tokio::test]
async fn logged_in_on_one_instance_is_logged_in_on_the_other() {
    let Some(redis) = shared_redis_url() else {
        return;
    };
    let (a, b) = Instance::pair(INSTANCE, &redis, &[]);
    let user = unique_user("ada");
    let mut browser = Browser::new();

    assert_answers(&mut browser, &b.base, None, "before logging in").await;
    assert_eq!(
        browser.log_in(&a.base, &user).await.status,
        StatusCode::NO_CONTENT
    );
    assert_answers(
        &mut browser,
        &b.base,
        Some(&user),
        "logged in on A, asking B",
    )
    .await;
    assert_answers(
        &mut browser,
        &a.base,
        Some(&user),
        "logged in on A, asking A",
    )
    .await;
}

#[tokio::test]
async fn logged_out_on_one_instance_is_logged_out_on_the_other() {
    let Some(redis) = shared_redis_url() else {
        return;
    };
    let (a, b) = Instance::pair(INSTANCE, &redis, &[]);
    let user = unique_user("bob");
    let mut browser = Browser::new();
    browser.log_in(&a.base, &user).await;
    assert_answers(&mut browser, &a.base, Some(&user), "logged in on A").await;
    // The cookie as it was before logging out, as a second tab still has it.
    let cookie_before_logout = browser.cookie.clone();

    assert_eq!(
        browser.log_out(&b.base).await.status,
        StatusCode::NO_CONTENT
    );
    browser.cookie = cookie_before_logout;
    let ajax = browser.call(&a.base, Kind::Fetch).await;
    assert_eq!(
        wrong_answer(Kind::Fetch, None, &ajax),
        None,
        "next AJAX call on A gets the sentinel"
    );
    let navigation = browser.call(&a.base, Kind::Navigation).await;
    assert_eq!(
        wrong_answer(Kind::Navigation, None, &navigation),
        None,
        "next navigation on A gets the login redirect"
    );
    assert_answers(&mut browser, &b.base, None, "logged out on B, asking B").await;
}

#[tokio::test]
async fn idle_expiry_is_shared() {
    let Some(redis) = shared_redis_url() else {
        return;
    };
    let idle = ["--idle-seconds", "2"];
    let (a, b) = Instance::pair(INSTANCE, &redis, &idle);
    let (idler, active) = (unique_user("idler"), unique_user("active"));
    let mut idle_browser = Browser::new();
    let mut active_browser = Browser::new();
    idle_browser.log_in(&a.base, &idler).await;
    active_browser.log_in(&b.base, &active).await;
    assert_answers(
        &mut idle_browser,
        &b.base,
        Some(&idler),
        "the idler, just logged in",
    )
    .await;

    // 3.5 s: the idler says nothing; the other calls every 400 ms, on A and
    // B in turn, so neither instance alone keeps it alive.
    let start = Instant::now();
    let mut turn = 0;
    while start.elapsed() < Duration::from_millis(3500) {
        let base = if turn % 2 == 0 { &a.base } else { &b.base };
        let kind = Kind::ALL[turn % Kind::ALL.len()];
        let reply = active_browser.call(base, kind).await;
        assert_eq!(
            wrong_answer(kind, Some(&active), &reply),
            None,
            "kept active, at {:?}",
            start.elapsed()
        );
        turn += 1;
        tokio::time::sleep(Duration::from_millis(400)).await;
    }

    assert_answers(
        &mut idle_browser,
        &a.base,
        None,
        "idle past the expiry, asking A",
    )
    .await;
    assert_answers(
        &mut idle_browser,
        &b.base,
        None,
        "idle past the expiry, asking B",
    )
    .await;
    assert_answers(
        &mut active_browser,
        &a.base,
        Some(&active),
        "kept active, asking A",
    )
    .await;
    assert_answers(
        &mut active_browser,
        &b.base,
        Some(&active),
        "kept active, asking B",
    )
    .await;
}

/// During the outage every guarded request of a logged-in user is a 500:
/// never the handler's answer, never a login redirect or the sentinel.
async fn assert_outage_answers(browser: &mut Browser, instance: &Instance, user: &str) {
    for kind in Kind::ALL {
        let reply = browser.call(&instance.base, kind).await;
        assert_eq!(
            reply.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{kind:?} during the outage: {reply:?}"
        );
        assert_eq!(reply.location, None, "{kind:?}: no redirect");
        assert_eq!(reply.login_url, None, "{kind:?}: no login URL");
        assert!(
            !reply.body.contains(user),
            "{kind:?}: not the handler's answer: {reply:?}"
        );
        assert!(
            !reply.body.contains("LOGIN_REQUIRED"),
            "{kind:?}: not the sentinel"
        );
    }
    let log = instance.log();
    assert!(
        log.contains("require_login: the session store failed; answering 500"),
        "the guard logged the store's failure; the instance's log:\n{log}"
    );
}

#[tokio::test]
async fn outage_is_a_500_and_both_recover() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let url = redis.url();
    let (a, b) = Instance::pair(INSTANCE, &url, &[]);
    let user = unique_user("cy");
    let mut browser = Browser::new();
    browser.log_in(&a.base, &user).await;
    assert_answers(&mut browser, &b.base, Some(&user), "before the outage").await;
    let cookie = browser.cookie.clone();

    redis.stop();
    assert_outage_answers(&mut browser, &a, &user).await;
    browser.cookie = cookie.clone();
    assert_outage_answers(&mut browser, &b, &user).await;

    // Back, empty (no persistence): both reconnect by themselves.
    redis.restart();
    for instance in [&a, &b] {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            browser.cookie = cookie.clone();
            let reply = browser.call(&instance.base, Kind::Fetch).await;
            if reply.status != StatusCode::INTERNAL_SERVER_ERROR {
                // The session went with Redis's data: logged out, answered as such.
                assert_eq!(
                    wrong_answer(Kind::Fetch, None, &reply),
                    None,
                    "after the restart"
                );
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not recover: {reply:?}",
                instance.base
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let mut fresh = Browser::new();
    assert_eq!(
        fresh.log_in(&b.base, &user).await.status,
        StatusCode::NO_CONTENT
    );
    assert_answers(
        &mut fresh,
        &a.base,
        Some(&user),
        "logged in again after the restart, asking A",
    )
    .await;
    assert_answers(
        &mut fresh,
        &b.base,
        Some(&user),
        "logged in again after the restart, asking B",
    )
    .await;
}

#[tokio::test]
async fn the_deadline_is_the_sessions_not_the_instances() {
    let Some(redis) = shared_redis_url() else {
        return;
    };
    // The store keeps sessions for a minute; the guard's deadline is 2 s.
    let args = ["--idle-seconds", "60", "--deadline-seconds", "2"];
    let (a, b) = Instance::pair(INSTANCE, &redis, &args);
    let (idler, active) = (unique_user("idler"), unique_user("active"));
    let mut idle_browser = Browser::new();
    let mut active_browser = Browser::new();
    idle_browser.log_in(&a.base, &idler).await;
    active_browser.log_in(&b.base, &active).await;

    // 3 s of activity on A and B in turn: the deadline one moved, the
    // other sees.
    let start = Instant::now();
    let mut turn = 0;
    while start.elapsed() < Duration::from_secs(3) {
        let base = if turn % 2 == 0 { &a.base } else { &b.base };
        let reply = active_browser.call(base, Kind::Fetch).await;
        assert_eq!(
            wrong_answer(Kind::Fetch, Some(&active), &reply),
            None,
            "kept active, at {:?}",
            start.elapsed()
        );
        turn += 1;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // The idler's session passed its deadline on both: denied, with the reason.
    let reply = idle_browser.call(&b.base, Kind::Fetch).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{reply:?}");
    assert_eq!(
        reply.login_url.as_deref(),
        Some("/login?next=/page&reason=idle"),
        "{reply:?}"
    );
    // It ended for good: A has no session for it either.
    assert_answers(&mut idle_browser, &a.base, None, "after its deadline, on A").await;
}
