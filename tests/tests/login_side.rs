//! The login handler's side of the round trip, through a real `Router` and
//! a real session store: `FromThisSite` refuses another site's login POST
//! before the form is read, and `redirect_after_login` sends the user back
//! to a safe `next` only.

use axum::body::{to_bytes, Body};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use http::{header, Request, StatusCode};
use require_login::login::{redirect_after_login, FromThisSite};
use tower::ServiceExt;
use tower_sessions::{MemoryStore, Session, SessionManagerLayer};

#[derive(serde::Deserialize)]
struct LoginForm {
    user: String,
    next: Option<String>,
}

async fn log_in(_: FromThisSite, session: Session, Form(form): Form<LoginForm>) -> Response {
    match require_login::login(&session, &form.user).await {
        Ok(()) => redirect_after_login(form.next.as_deref(), "/home").into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn app() -> Router {
    Router::new()
        .route("/login", post(log_in))
        .layer(SessionManagerLayer::new(MemoryStore::default()))
}

fn login_post(body: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::post("/login")
        .header(header::HOST, "app.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

async fn send(request: Request<Body>) -> (StatusCode, Option<String>, bool, String) {
    let response = app().oneshot(request).await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|l| l.to_str().unwrap().to_owned());
    let session_cookie = response.headers().contains_key(header::SET_COOKIE);
    let body = to_bytes(response.into_body(), 1 << 16).await.unwrap();
    (
        status,
        location,
        session_cookie,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

#[tokio::test]
async fn cross_site_login_is_a_403_without_session() {
    for headers in [
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ][..],
        &[("origin", "https://evil.example")],
        &[("sec-fetch-site", "cross-site")],
        &[("origin", "null")],
    ] {
        let (status, location, session_cookie, body) =
            send(login_post("user=mallory&next=%2Fdash", headers)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(location, None);
        assert!(!session_cookie, "no one was logged in: {headers:?}");
        assert!(body.contains("Cross-site request refused"), "{body}");
    }
}

#[tokio::test]
async fn the_refusal_comes_before_the_form_is_read() {
    // Not even a form: a cross-site request gets the 403, not a 400/415.
    let request = Request::post("/login")
        .header(header::HOST, "app.example")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from("{not a form"))
        .unwrap();
    assert_eq!(send(request).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn same_site_login_goes_back_to_safe_next() {
    let same_origin = [
        ("sec-fetch-site", "same-origin"),
        ("origin", "https://app.example"),
    ];
    let (status, location, session_cookie, _) = send(login_post(
        "user=ada&next=%2Freports%3Fyear%3D2024",
        &same_origin,
    ))
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/reports?year=2024"));
    assert!(session_cookie, "logged in");

    for unsafe_next in [
        "%2F%2Fevil.example",
        "https%3A%2F%2Fevil.example",
        "%2F%5Cevil.example",
        "",
    ] {
        let body = format!("user=ada&next={unsafe_next}");
        let (status, location, _, _) = send(login_post(&body, &same_origin)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location.as_deref(), Some("/home"), "next={unsafe_next}");
    }
    let (_, location, _, _) = send(login_post("user=ada", &same_origin)).await;
    assert_eq!(location.as_deref(), Some("/home"));
}

#[tokio::test]
async fn a_client_without_fetch_metadata_or_origin_may_log_in() {
    // curl, an old browser: no other site's page can have made it.
    let (status, location, _, _) = send(login_post("user=ada&next=%2Fdash", &[])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/dash"));
}
