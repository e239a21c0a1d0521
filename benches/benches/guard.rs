//! `cargo bench -p require-login-benches`: every request scenario through the
//! real Router, then the guard's decision on its own.

use std::hint::black_box;
use std::time::Duration;

use axum::response::IntoResponse;
use criterion::{criterion_group, criterion_main, Criterion};
use http::StatusCode;
use require_login::{enforce, options::DenyStatus, response, GuardOptions, LOGIN_REQUIRED};
use require_login_benches::{classify_cases, logged_out_parts, runtime, Bench, Scenario};

fn requests(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("request");
    for scenario in Scenario::ALL {
        let bench = rt.block_on(Bench::new(scenario));
        group.bench_function(scenario.name(), |b| {
            b.to_async(&rt)
                .iter(|| async { black_box(bench.send().await) });
        });
    }
    group.finish();
}

fn decision(c: &mut Criterion) {
    let mut group = c.benchmark_group("classify");
    for (name, headers) in classify_cases() {
        group.bench_function(name, |b| {
            b.iter(|| require_login::guard::classify(black_box(&headers)));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("respond");
    group.bench_function("navigation_denied", |b| {
        b.iter(|| response::navigation_denied(black_box("/login?next=/dash%3Ftab%3D2")));
    });
    group.bench_function("ajax_denied", |b| {
        b.iter(|| {
            response::ajax_denied(
                black_box(LOGIN_REQUIRED),
                DenyStatus::Forbidden,
                black_box("/login?next=/dashboard%3Fview%3Dweek"),
                false,
            )
        });
    });
    group.bench_function("ajax_denied_htmx", |b| {
        b.iter(|| {
            response::ajax_denied(
                black_box(LOGIN_REQUIRED),
                DenyStatus::Forbidden,
                black_box("/login?next=/dashboard"),
                true,
            )
        });
    });
    group.finish();

    // The guard's whole logged-out decision, as D and E make it inside the
    // router: `enforce` on parts whose session has no id (no cookie):
    // `is_empty`, login target, classify, return-to link, the rejection turned
    // into its response.
    let rt = runtime();
    let options = GuardOptions::new();
    let mut group = c.benchmark_group("enforce");
    for (name, ajax, status) in [
        ("logged_out_navigation", false, StatusCode::SEE_OTHER),
        ("logged_out_ajax", true, StatusCode::FORBIDDEN),
    ] {
        let parts = logged_out_parts(ajax);
        let denied = rt.block_on(enforce(&parts, &options));
        assert_eq!(
            denied.err().map(|r| r.status()),
            Some(status),
            "enforce/{name}"
        );
        group.bench_function(name, |b| {
            b.to_async(&rt).iter(|| async {
                let decided = enforce(black_box(&parts), &options).await;
                black_box(decided.map_err(IntoResponse::into_response))
            });
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = requests, decision
}
criterion_main!(benches);
