//! `cargo bench -p require-login-benches`: every request scenario through the
//! real Router, then the guard's decision on its own.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use require_login::{respond, DenyStatus, LOGIN_REQUIRED};
use require_login_benches::{classify_cases, runtime, Bench, Scenario};

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
            b.iter(|| require_login::classify(black_box(&headers)));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("respond");
    group.bench_function("navigation_denied", |b| {
        b.iter(|| respond::navigation_denied(black_box("/login?next=/dash%3Ftab%3D2")));
    });
    group.bench_function("ajax_denied", |b| {
        b.iter(|| {
            respond::ajax_denied(
                black_box(LOGIN_REQUIRED),
                DenyStatus::Forbidden,
                black_box("/login?next=/dashboard%3Fview%3Dweek"),
                false,
            )
        });
    });
    group.bench_function("ajax_denied_htmx", |b| {
        b.iter(|| {
            respond::ajax_denied(
                black_box(LOGIN_REQUIRED),
                DenyStatus::Forbidden,
                black_box("/login?next=/dashboard"),
                true,
            )
        });
    });
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
