//! The guard over real HTTP on loopback, with a real client keeping cookies
//! in a jar: log in, call, log out, call again.

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use http::StatusCode;
use require_login::require_login;
use require_login_tests::denial::{assert_redirect, assert_sentinel};
use require_login_tests::sessions::{MemoryStore, Session, SessionManagerLayer};
use require_login_tests::Answer;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::redirect::Policy;

#[require_login]
async fn balance() -> &'static str {
    "balance: 42"
}

async fn log_in(session: Session) -> StatusCode {
    require_login::login(&session, "ada").await.unwrap();
    StatusCode::NO_CONTENT
}

async fn log_out(session: Session) -> StatusCode {
    require_login::logout(&session).await.unwrap();
    StatusCode::NO_CONTENT
}

/// What came over the wire, as the in-process tests see it.
async fn read(response: reqwest::Response) -> Answer {
    Answer {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

/// Serves the app on an ephemeral loopback port; returns its base URL.
async fn serve() -> String {
    let app = Router::new()
        .route("/api/balance", get(balance))
        .route("/login", post(log_in))
        .route("/logout", post(log_out))
        .layer(SessionManagerLayer::new(MemoryStore::default()).with_secure(false));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn log_in_call_log_out_call_again_over_real_http() {
    let base = serve().await;
    let jar = Arc::new(Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(Policy::none())
        .build()
        .unwrap();
    let balance = format!("{base}/api/balance");
    // What a browser's fetch() sends.
    let fetch = || {
        client
            .get(&balance)
            .header("sec-fetch-mode", "cors")
            .header("referer", format!("{base}/account"))
    };

    let answer = read(fetch().send().await.unwrap()).await;
    assert_sentinel(&answer, "/login?next=/account", "fetch before login");

    let answer = client.post(format!("{base}/login")).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    assert!(
        jar.cookies(&base.parse().unwrap()).is_some(),
        "the session cookie is in the jar"
    );

    let answer = fetch().send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.text().await.unwrap(), "balance: 42");

    let answer = client.post(format!("{base}/logout")).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);

    let answer = read(fetch().send().await.unwrap()).await;
    assert_sentinel(&answer, "/login?next=/account", "fetch after logout");

    // A navigation after logout is sent to the login page, returning here.
    let answer = read(client.get(&balance).send().await.unwrap()).await;
    assert_redirect(&answer, "/login?next=/api/balance", "navigation");
}
