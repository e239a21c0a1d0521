//! Streams end with the session across instances: two app processes on one
//! Redis, a stream open on A, the logout on B. With news (Redis pub/sub)
//! the stream ends at once; with the news server down, at A's re-check;
//! with it back, at once again.
//!
//! Needs `REQUIRE_LOGIN_REDIS_URL` and `redis-server` on `PATH` (the news
//! server is the test's own, stopped and started again); `.ci/run` provides
//! both and sets `REQUIRE_LOGIN_REDIS_TESTS=required`.

use std::time::{Duration, Instant};

use http::StatusCode;
use require_login_tests::events::Events;
use require_login_tests::instances::{shared_redis_url, Browser, Instance, RedisServer};

const INSTANCE: &str = env!("CARGO_BIN_EXE_instance");

/// Logs `user` in on `b` and opens a stream on `a` with that session.
async fn stream_on_a(a: &Instance, b: &Instance, user: &str) -> (Browser, Events) {
    let mut browser = Browser::new();
    let logged_in = browser.log_in(&b.base, user).await;
    assert_eq!(logged_in.status, StatusCode::NO_CONTENT);
    let cookie = browser.cookie.clone().expect("a session cookie");
    let opened = reqwest::Client::new()
        .get(format!("{}/events", a.base))
        .header("cookie", &cookie)
        .header("accept", "text/event-stream")
        .header("sec-fetch-mode", "cors")
        .send()
        .await
        .unwrap();
    let mut events = Events::new(opened);
    assert_eq!(events.next().await.unwrap().data, "tick 0");
    (browser, events)
}

/// One try: log in on B, open a stream on A, log out on B; how long after
/// the logout A's stream ended (with the final event).
async fn logout_on_b_ends_a_stream_on_a(a: &Instance, b: &Instance, user: &str) -> Duration {
    let (mut browser, mut events) = stream_on_a(a, b, user).await;
    let logged_out = Instant::now();
    let answer = browser.log_out(&b.base).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let end = events.final_event().await;
    assert_eq!(end["reason"], "logged-out");
    logged_out.elapsed()
}

fn user(n: usize) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("streamer-{nanos}-{n}")
}

#[tokio::test]
async fn a_logout_on_one_instance_ends_the_streams_on_the_other_at_once() {
    let Some(redis) = shared_redis_url() else {
        return;
    };
    // A re-check far off: only the news can end the stream in time.
    let args = ["--news", &redis, "--recheck-ms", "600000"];
    let (a, b) = Instance::pair(INSTANCE, &redis, &args);
    let mut took = Vec::new();
    for n in 0..100 {
        took.push(logout_on_b_ends_a_stream_on_a(&a, &b, &user(n)).await);
    }
    took.sort();
    let (median, worst) = (took[took.len() / 2], took[took.len() - 1]);
    println!("logout on B to the end of A's stream, 100 tries: median {median:?}, worst {worst:?}");
    assert!(
        worst < Duration::from_secs(1),
        "worst {worst:?}; A's log: {}",
        a.log()
    );

    // A user removed on B: their stream on A ends too.
    let removed_user = user(100);
    let (_browser, mut events) = stream_on_a(&a, &b, &removed_user).await;
    let removed = Instant::now();
    let answer = reqwest::Client::new()
        .post(format!("{}/remove?user={removed_user}", b.base))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 204);
    assert_eq!(events.final_event().await["reason"], "removed");
    let took = removed.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "ended {took:?} after the removal"
    );
}

#[tokio::test]
async fn with_the_news_down_the_recheck_bounds_the_end_and_the_news_comes_back() {
    let Some(redis) = shared_redis_url() else {
        return;
    };
    let Some(mut news) = RedisServer::start() else {
        return;
    };
    let recheck = Duration::from_secs(3);
    let recheck_ms = recheck.as_millis().to_string();
    let args = ["--news", &news.url(), "--recheck-ms", &recheck_ms];
    let (a, b) = Instance::pair(INSTANCE, &redis, &args);
    assert!(logout_on_b_ends_a_stream_on_a(&a, &b, &user(0)).await < Duration::from_secs(1));

    news.stop();
    let took = logout_on_b_ends_a_stream_on_a(&a, &b, &user(1)).await;
    println!("with the news down: ended {took:?} after the logout (re-check {recheck:?})");
    assert!(
        took > Duration::from_secs(1),
        "{took:?}: the news was not down"
    );
    assert!(
        took < recheck + Duration::from_millis(500),
        "{took:?}: later than the re-check bound {recheck:?}"
    );

    news.restart();
    // Both instances reconnect (every 250 ms) and subscribe again.
    let back = Instant::now();
    let mut n = 2;
    loop {
        let took = logout_on_b_ends_a_stream_on_a(&a, &b, &user(n)).await;
        if took < Duration::from_secs(1) {
            println!("news back {:?} after Redis came back", back.elapsed());
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "no news 10 s after Redis came back; A's log: {}",
            a.log()
        );
        n += 1;
    }
}
