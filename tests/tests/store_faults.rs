//! The guard when the session store fails: a store that errors, one that
//! never answers, and one whose record does not decode. Each is a `500`
//! with a logged error, never the handler's body, never a redirect or the
//! sentinel, for the attribute, the extractor and the layer alike; and the
//! server keeps serving every other request meanwhile.

use std::time::Duration;

use axum::extract::State;
use axum::routing::{any, get};
use axum::Router;
use require_login::{
    require_login, GuardConfig, GuardOptions, RequireLogin, RequireLoginLayer, LOGIN_REQUIRED,
};
use require_login_tests::denial::assert_store_500;
use require_login_tests::*;

/// The extractor's and the quick layer's bound, short so the tests do not
/// wait out the 5 s default for them; the attribute keeps the default.
const QUICK: Duration = Duration::from_millis(300);

struct QuickGuard;
impl GuardConfig for QuickGuard {
    const OPTIONS: GuardOptions = GuardOptions::new().with_store_timeout(QUICK);
}

const BODY: &str = "the handler's body";

#[require_login]
async fn attribute(State(runs): State<Runs>) -> &'static str {
    runs.record();
    BODY
}

async fn extractor(_: RequireLogin<QuickGuard>, State(runs): State<Runs>) -> &'static str {
    runs.record();
    BODY
}

async fn unguarded(State(runs): State<Runs>) -> &'static str {
    runs.record();
    BODY
}

/// Every entry point, each on its own path; `/public` is not guarded.
fn routes(runs: &Runs) -> Router {
    let quick_layer =
        Router::new()
            .route("/layer", any(unguarded))
            .route_layer(RequireLoginLayer::new(
                GuardOptions::new().with_store_timeout(QUICK),
            ));
    let default_layer = Router::new()
        .route("/default-layer", any(unguarded))
        .route_layer(RequireLoginLayer::default());
    Router::new()
        .route("/attribute", any(attribute))
        .route("/extractor", any(extractor))
        .merge(quick_layer)
        .merge(default_layer)
        .route("/public", get(|| async { "public" }))
        .with_state(runs.clone())
}

/// [`assert_store_500`], and the handler's body was not sent.
#[track_caller]
fn assert_plain_500(answer: &Answer, case: &str) {
    assert_store_500(answer, case);
    assert_ne!(answer.body, BODY, "{case}");
}

const KINDS: [(&str, &[(&str, &str)]); 3] = [
    ("navigation", &[]),
    ("fetch", &[("sec-fetch-mode", "cors")]),
    ("htmx", &[("hx-request", "true")]),
];

#[tokio::test]
async fn every_store_fault_is_a_logged_500() {
    let runs = Runs::default();
    let store = FaultyStore::default();
    let app = with_sessions(routes(&runs), store.clone());
    let faults = [
        (Fault::Error, "store is down"),
        (Fault::Corrupt, "Decoding failed"),
        (Fault::Hang, "did not answer in time"),
    ];
    let mut cases = Vec::new();
    for (fault, logged) in faults {
        for path in ["/attribute", "/extractor", "/layer"] {
            for (kind, headers) in KINDS {
                // A logged-in session, then the fault: only the store stands
                // between this request and the body.
                let cookie = log_in(&app, "").await;
                store.set_fault(&cookie, fault);
                let app = app.clone();
                cases.push(async move {
                    let mut headers = headers.to_vec();
                    headers.push(("cookie", cookie.as_str()));
                    let case = format!("{fault:?} {path} {kind}");
                    let (answer, log) = with_log(send(&app, get_with(path, &headers))).await;
                    assert_plain_500(&answer, &case);
                    assert!(
                        log.contains("ERROR")
                            && log.contains("require_login")
                            && log.contains("answering 500")
                            && log.contains(logged),
                        "{case}: the log does not say {logged:?}: {log}"
                    );
                });
            }
        }
    }
    // All at once: the hanging ones wait out their bounds together. Not a
    // timed test of speed: a bound far above the attribute's 5 s default, so
    // an unbounded wait fails here instead of hanging the suite.
    tokio::time::timeout(
        require_login::options::STORE_TIMEOUT * 6,
        futures_util::future::join_all(cases),
    )
    .await
    .expect("the guard's wait for a hanging store is bounded");
    assert_eq!(runs.count(), 0, "a handler body ran on a store fault");
    assert_eq!(store.hanging(), 0, "a timed-out read is still waiting");
}

/// Serves `app` on an ephemeral loopback port; returns its base URL.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_requests_are_served_while_the_store_hangs_or_fails_for_some_sessions() {
    let runs = Runs::default();
    let store = FaultyStore::default();
    let app = with_sessions(routes(&runs), store.clone());
    let base = serve(app.clone()).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let healthy = log_in(&app, "").await;
    let hanging = log_in(&app, "").await;
    let failing = log_in(&app, "").await;
    let corrupt = log_in(&app, "").await;
    store.set_fault(&hanging, Fault::Hang);
    store.set_fault(&failing, Fault::Error);
    store.set_fault(&corrupt, Fault::Corrupt);

    let get = |path: &str, cookie: Option<&str>, ajax: bool| {
        let mut request = client.get(format!("{base}{path}"));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        if ajax {
            request = request.header("sec-fetch-mode", "cors");
        }
        request.send()
    };

    // Requests on the hanging session, under the 5 s default bound.
    let mut stuck = Vec::new();
    for path in ["/attribute", "/default-layer"] {
        for ajax in [false, true] {
            stuck.push(tokio::spawn(get(path, Some(&hanging), ajax)));
        }
    }
    let stuck_count = stuck.len();
    while store.hanging() < stuck_count {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // Meanwhile: every other kind of request, on every entry point.
    for round in 0..3 {
        for path in ["/attribute", "/extractor", "/layer", "/default-layer"] {
            let served = get(path, Some(&healthy), false).await.unwrap();
            assert_eq!(served.status(), 200, "round {round} {path}");
            assert_eq!(served.text().await.unwrap(), BODY);

            let navigation = get(path, None, false).await.unwrap();
            assert_eq!(navigation.status(), 303, "round {round} {path}");
            assert_eq!(
                navigation.headers()["location"],
                format!("/login?next={path}")
            );

            let fetch = get(path, None, true).await.unwrap();
            assert_eq!(fetch.status(), 403, "round {round} {path}");
            assert_eq!(fetch.text().await.unwrap(), LOGIN_REQUIRED);

            for faulty in [&failing, &corrupt] {
                let failed = get(path, Some(faulty), false).await.unwrap();
                assert_eq!(failed.status(), 500, "round {round} {path}");
                assert!(failed.headers().get("location").is_none());
            }
        }
        let public = get("/public", Some(&hanging), false).await.unwrap();
        assert_eq!(
            public.status(),
            200,
            "a public route does not read the session"
        );
    }
    assert_eq!(
        runs.count(),
        12,
        "exactly the healthy session's requests ran"
    );
    // Everything above was answered while the hanging requests still waited.
    assert_eq!(
        store.hanging(),
        stuck_count,
        "the hanging requests ended before the others were served"
    );

    for request in stuck {
        let answer = request.await.unwrap().unwrap();
        assert_eq!(answer.status(), 500);
        assert!(answer.headers().get("location").is_none());
        assert!(answer.headers().get("x-login-url").is_none());
    }
    assert_eq!(store.hanging(), 0);
    assert_eq!(runs.count(), 12);
}
