//! The soak: a bounded load over real HTTP on loopback against two app
//! instances (separate processes) sharing one Redis. 50 clients, each with
//! its own session, make 400 guarded requests each (20,000 in all), mixing
//! navigations, `fetch()`, jQuery XHR and htmx calls on both instances;
//! half of them log out or let their session expire midway. Every answer
//! must be of the right kind for the session's state at that moment, none a
//! 5xx, and each instance's resident memory must stay flat. It stops itself
//! well under 2 minutes; the numbers are printed (BENCHMARKS.md, "Soak").
//!
//! `REQUIRE_LOGIN_SOAK_COMPARE=1` runs the same load afterwards against
//! instances whose routes do the benchmarks' hand-written check instead of
//! the guard, for comparison (throughput only: that check does not tell
//! `fetch()` or htmx from navigations, which is the point of the guard).

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::StatusCode;
use require_login_tests::instances::{shared_redis_url, wrong_answer, Browser, Instance, Kind};
use tokio::sync::Barrier;

const INSTANCE: &str = env!("CARGO_BIN_EXE_instance");
const CLIENTS: usize = 50;
const REQUESTS_PER_CLIENT: usize = 400;
/// Requests each client makes before the "before" memory reading.
const WARM_UP: usize = 40;
/// The instances' idle expiry; a client that lets its session expire waits longer.
const IDLE_SECONDS: u64 = 5;
const EXPIRY_WAIT: Duration = Duration::from_millis(IDLE_SECONDS * 1000 + 1500);
/// The whole run, start-up included, is cut off here.
const LIMIT: Duration = Duration::from_secs(110);
/// Resident memory may grow this much over the run (allocator slack), no more.
const RSS_SLACK_KIB: u64 = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    StaysLoggedIn,
    LogsOut,
    Expires,
}

#[derive(Default)]
struct ClientResult {
    latencies: Vec<Duration>,
    server_errors: Vec<String>,
    wrong: Vec<String>,
}

/// One client's whole run; `check` compares every answer with what it must be.
async fn client(
    index: usize,
    run: u128,
    bases: Arc<[String; 2]>,
    check: bool,
    warmed_up: Arc<Barrier>,
    measured: Arc<Barrier>,
) -> ClientResult {
    let fate = match (index % 2, (index / 2) % 2) {
        (0, _) => Fate::StaysLoggedIn,
        (_, 0) => Fate::LogsOut,
        _ => Fate::Expires,
    };
    // Where it leaves: spread over the run after the warm-up.
    let leaves_at = WARM_UP + 60 + (index * 37) % 200;
    let name = format!("soak{run}c{index}");
    let mut user = Some(name.as_str());
    let mut result = ClientResult::default();
    let mut browser = Browser::new();
    let login = browser.log_in(&bases[index % 2], &name).await;
    assert_eq!(
        login.status,
        StatusCode::NO_CONTENT,
        "client {index} logs in: {login:?}"
    );

    for n in 0..REQUESTS_PER_CLIENT {
        if n == WARM_UP {
            warmed_up.wait().await;
            measured.wait().await;
        }
        let base = &bases[(n + index) % 2];
        if n == leaves_at && fate != Fate::StaysLoggedIn {
            if fate == Fate::LogsOut {
                // A second tab still holds the cookie: it must not be served.
                let cookie = browser.cookie.clone();
                let reply = browser.log_out(base).await;
                if reply.status != StatusCode::NO_CONTENT {
                    result
                        .server_errors
                        .push(format!("client {index} logout: {reply:?}"));
                }
                browser.cookie = cookie;
            } else {
                tokio::time::sleep(EXPIRY_WAIT).await;
            }
            user = None;
        }
        let kind = Kind::ALL[(n + index) % Kind::ALL.len()];
        let sent = Instant::now();
        let reply = browser.call(base, kind).await;
        result.latencies.push(sent.elapsed());
        if reply.status.is_server_error() {
            result
                .server_errors
                .push(format!("client {index} request {n}: {reply:?}"));
        } else if check {
            if let Some(wrong) = wrong_answer(kind, user, &reply) {
                result.wrong.push(format!(
                    "client {index} ({fate:?}) request {n} on {base}: {wrong}"
                ));
            }
        }
    }
    result
}

struct Report {
    requests: usize,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
    max: Duration,
    rss: Vec<(u64, u64)>,
    server_errors: Vec<String>,
    wrong: Vec<String>,
    checked: bool,
}

/// Runs the load against two instances started with `args`.
async fn load(redis: &str, args: &[&str], check: bool) -> Report {
    let idle = IDLE_SECONDS.to_string();
    // Redis commands may wait long on a loaded machine (CI shares its 2
    // cores): slow is measured, a timeout would be a 500.
    let mut all_args = vec![
        "--idle-seconds",
        idle.as_str(),
        "--command-timeout-seconds",
        "15",
    ];
    all_args.extend_from_slice(args);
    let (a, b) = Instance::pair(INSTANCE, redis, &all_args);
    let instances = [a, b];
    let bases = Arc::new([instances[0].base.clone(), instances[1].base.clone()]);
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let warmed_up = Arc::new(Barrier::new(CLIENTS + 1));
    let measured = Arc::new(Barrier::new(CLIENTS + 1));
    let start = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|index| {
            tokio::spawn(client(
                index,
                run,
                bases.clone(),
                check,
                warmed_up.clone(),
                measured.clone(),
            ))
        })
        .collect();
    warmed_up.wait().await;
    let before: Vec<u64> = instances.iter().map(Instance::rss_kib).collect();
    measured.wait().await;
    let mut results = Vec::new();
    for client in clients {
        results.push(client.await.expect("a client ran to its end"));
    }
    let elapsed = start.elapsed();
    let after: Vec<u64> = instances.iter().map(Instance::rss_kib).collect();

    let mut latencies: Vec<Duration> = results
        .iter()
        .flat_map(|r| r.latencies.iter().copied())
        .collect();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Report {
        requests: latencies.len(),
        elapsed,
        p50: at(0.50),
        p99: at(0.99),
        max: *latencies.last().unwrap(),
        rss: before.into_iter().zip(after).collect(),
        server_errors: results
            .iter()
            .flat_map(|r| r.server_errors.clone())
            .collect(),
        wrong: results.iter().flat_map(|r| r.wrong.clone()).collect(),
        checked: check,
    }
}

fn print(title: &str, report: &Report) {
    // Straight to stderr, past the test harness's capture, so CI shows it.
    let mut out = std::io::stderr().lock();
    let _ = writeln!(
        out,
        "soak, {title}: {} guarded requests from {CLIENTS} clients in {:.1} s = {:.0} req/s; \
         latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} 5xx, {}",
        report.requests,
        report.elapsed.as_secs_f64(),
        report.requests as f64 / report.elapsed.as_secs_f64(),
        report.p50.as_secs_f64() * 1e3,
        report.p99.as_secs_f64() * 1e3,
        report.max.as_secs_f64() * 1e3,
        report.server_errors.len(),
        match report.checked {
            true => format!("{} wrong answers", report.wrong.len()),
            false => "answers not checked".to_owned(),
        },
    );
    for (i, (before, after)) in report.rss.iter().enumerate() {
        let _ = writeln!(
            out,
            "soak, {title}: instance {i} RSS {before} KiB after warm-up, {after} KiB at the end"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_redis_answer_every_request_right_under_load() {
    let Some(redis) = shared_redis_url() else {
        return;
    };
    let report = tokio::time::timeout(LIMIT, load(&redis, &[], true))
        .await
        .unwrap_or_else(|_| panic!("the soak did not finish within {LIMIT:?}"));
    print("the guard", &report);

    assert!(report.requests >= 20_000, "{} requests", report.requests);
    assert!(
        report.server_errors.is_empty(),
        "5xx answers: {:#?}",
        &report.server_errors[..report.server_errors.len().min(10)]
    );
    assert!(
        report.wrong.is_empty(),
        "{} wrong answers, first: {:#?}",
        report.wrong.len(),
        &report.wrong[..report.wrong.len().min(10)]
    );
    for (i, (before, after)) in report.rss.iter().enumerate() {
        assert!(
            *after <= before + RSS_SLACK_KIB,
            "instance {i}'s resident memory grew from {before} KiB to {after} KiB"
        );
    }

    if std::env::var("REQUIRE_LOGIN_SOAK_COMPARE").is_ok_and(|v| v == "1") {
        let report = tokio::time::timeout(LIMIT, load(&redis, &["--check", "hand-written"], false))
            .await
            .unwrap_or_else(|_| panic!("the comparison did not finish within {LIMIT:?}"));
        print("the hand-written check", &report);
    }
}
