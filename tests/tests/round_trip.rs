//! The way back, at the HTTP level through a real `Router` and session
//! store: what each client library gets, the login page never nested into
//! `next`, and (property) every `next` the guard emits is one `safe_next`
//! accepts after one percent-decoding, and never a login page.

use std::sync::Arc;

use axum::body::Body;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use http::{header, HeaderMap, Method, Request, StatusCode};
use proptest::prelude::*;
use require_login::{enforce, login::safe_next, GuardOptions, RequireLoginLayer};
use require_login_tests::denial::{assert_htmx, assert_redirect, assert_sentinel};
use require_login_tests::{request, send, Answer};
use tower_sessions::{MemoryStore, Session, SessionManagerLayer};

fn app() -> Router {
    Router::new()
        .route(
            "/dashboard",
            get(|| async { "dashboard" }).post(|| async { "saved" }),
        )
        .route("/widget", get(|| async { "widget" }))
        .route_layer(RequireLoginLayer::default())
        .route("/login", get(|| async { "login page" }))
        .layer(SessionManagerLayer::new(MemoryStore::default()))
}

/// `method uri` with `headers`, from the site `app.example`.
async fn call(method: Method, uri: &str, headers: &[(&str, &str)]) -> Answer {
    let mut headers = headers.to_vec();
    headers.push(("host", "app.example"));
    send(
        &app(),
        request(method.as_str(), uri, &headers, Body::empty()),
    )
    .await
}

/// `fetch("/widget")` from `page`.
async fn widget_fetched_on(page: &str) -> Answer {
    let headers = [("sec-fetch-mode", "cors"), ("referer", page)];
    call(Method::GET, "/widget", &headers).await
}

/// htmx asking for `/widget` from `page`.
async fn widget_by_htmx_on(page: &str) -> Answer {
    let headers = [("hx-request", "true"), ("hx-current-url", page)];
    call(Method::GET, "/widget", &headers).await
}

/// An `hx-boost`ed link or form, on the page `current_url`, to `uri`.
async fn boosted(method: Method, uri: &str, current_url: &str) -> Answer {
    let headers = [
        ("hx-request", "true"),
        ("hx-boosted", "true"),
        ("hx-current-url", current_url),
        ("sec-fetch-mode", "cors"),
    ];
    call(method, uri, &headers).await
}

fn header<'a>(answer: &'a Answer, name: &str) -> Option<&'a str> {
    answer.headers.get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn boosted_link_returns_to_its_url() {
    let answer = boosted(
        Method::GET,
        "/dashboard?tab=2",
        "http://app.example/elsewhere",
    )
    .await;
    assert_htmx(&answer, "/login?next=/dashboard%3Ftab%3D2", "boosted link");
}

#[tokio::test]
async fn an_htmx_boosted_form_post_returns_to_the_page_it_was_on() {
    let answer = boosted(
        Method::POST,
        "/dashboard",
        "http://app.example/dashboard?tab=3",
    )
    .await;
    assert_eq!(
        header(&answer, "hx-redirect"),
        Some("/login?next=/dashboard%3Ftab%3D3")
    );
}

#[tokio::test]
async fn inertia_gets_409_with_its_location() {
    let answer = call(
        Method::GET,
        "/dashboard?tab=2",
        &[
            ("x-inertia", "true"),
            ("x-inertia-version", "1"),
            ("x-requested-with", "XMLHttpRequest"),
            ("accept", "text/html, application/xhtml+xml"),
            ("sec-fetch-mode", "cors"),
        ],
    )
    .await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(
        header(&answer, "x-inertia-location"),
        Some("/login?next=/dashboard%3Ftab%3D2")
    );
    assert_eq!(answer.body, "");
    assert_eq!(header(&answer, "hx-redirect"), None);
    assert_eq!(header(&answer, "cache-control"), Some("no-store"));
    assert!(header(&answer, "vary").unwrap().contains("X-Inertia"));
}

#[tokio::test]
async fn turbo_gets_the_navigation_answer() {
    let turbo = [
        ("x-turbo-request-id", "7c1a4e2b-5f0e-4c3b-9a55-0d7cf3c7a1b2"),
        ("sec-fetch-mode", "cors"),
        ("x-requested-with", "XMLHttpRequest"),
        (
            "accept",
            "text/vnd.turbo-stream.html, text/html, application/xhtml+xml",
        ),
    ];
    let visit = call(Method::GET, "/dashboard?tab=2", &turbo).await;
    assert_redirect(&visit, "/login?next=/dashboard%3Ftab%3D2", "Turbo visit");

    let mut form = turbo.to_vec();
    form.push(("referer", "http://app.example/dashboard?tab=4"));
    let submit = call(Method::POST, "/dashboard", &form).await;
    assert_redirect(&submit, "/login?next=/dashboard%3Ftab%3D4", "Turbo form");
}

#[tokio::test]
async fn login_page_calls_carry_its_next() {
    // fetch() from the login page: X-Login-Url is that page's own next.
    let fetch = widget_fetched_on("http://app.example/login?next=%2Fdashboard%3Ftab%3D2").await;
    assert_sentinel(&fetch, "/login?next=/dashboard%3Ftab%3D2", "fetch");

    // An already nested login page: unwrapped to the innermost page.
    let nested =
        widget_fetched_on("http://app.example/login?next=/login%3Fnext%3D/dashboard").await;
    assert_eq!(
        header(&nested, "x-login-url"),
        Some("/login?next=/dashboard")
    );

    // A login page whose own next is unsafe, or missing: no next at all.
    for page in [
        "http://app.example/login?next=%2F%2Fevil.example",
        "http://app.example/login",
    ] {
        let answer = widget_fetched_on(page).await;
        assert_eq!(header(&answer, "x-login-url"), Some("/login"), "{page}");
    }
}

#[tokio::test]
async fn an_htmx_call_made_on_the_login_page_gets_no_hx_redirect() {
    let on_login = widget_by_htmx_on("http://app.example/login?next=%2Fdashboard").await;
    // The sentinel answer without `HX-Redirect`.
    assert_sentinel(
        &on_login,
        "/login?next=/dashboard",
        "htmx on the login page",
    );

    // Control: the same call from another page is redirected.
    let elsewhere = widget_by_htmx_on("http://app.example/dashboard").await;
    assert_eq!(
        header(&elsewhere, "hx-redirect"),
        Some("/login?next=/dashboard")
    );
}

// ---------------------------------------------------------------------------
// Property: what the guard emits, the login page can use as it is.

/// The login URLs a denial carries, in any header.
fn login_urls(headers: &HeaderMap) -> Vec<String> {
    [
        "location",
        "x-login-url",
        "hx-redirect",
        "x-inertia-location",
    ]
    .iter()
    .filter_map(|name| headers.get(*name))
    .map(|v| v.to_str().unwrap().to_owned())
    .collect()
}

/// Path-and-query characters a client may send, with the ones that matter
/// for open redirects and nesting often.
fn path_and_query() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "/",
        "/",
        "a",
        "b",
        "login",
        "/login",
        "?",
        "?next=",
        "&",
        "=",
        ".",
        "..",
        ":",
        "@",
        "+",
        "~",
        "!",
        "$",
        "'",
        "(",
        ")",
        "*",
        ",",
        ";",
        "evil.example",
        "http:",
        "#",
    ];
    (
        prop_oneof![Just("/"), Just("/login?next="), Just("//"), Just("/%2F")],
        proptest::collection::vec(
            prop_oneof![
                2 => proptest::sample::select(PIECES),
                1 => proptest::sample::select(require_login_tests::open_redirect::ESCAPES),
            ],
            0..14,
        ),
    )
        .prop_map(|(start, pieces)| {
            let mut pq = String::from(start);
            pq.extend(pieces);
            pq
        })
}

#[derive(Debug, Clone)]
enum Client {
    Browser,
    Fetch,
    Htmx,
    HtmxBoost,
    Inertia,
    Turbo,
}

fn client() -> impl Strategy<Value = Client> {
    prop_oneof![
        Just(Client::Browser),
        Just(Client::Fetch),
        Just(Client::Htmx),
        Just(Client::HtmxBoost),
        Just(Client::Inertia),
        Just(Client::Turbo),
    ]
}

fn request_parts(
    method: &Method,
    uri: &str,
    client: &Client,
    page: &str,
) -> Option<http::request::Parts> {
    let page_url = format!("http://app.example{page}");
    let mut request = Request::builder()
        .method(method.clone())
        .uri(uri)
        .header(header::HOST, "app.example")
        .header(header::REFERER, &page_url);
    request = match client {
        Client::Browser => request.header("sec-fetch-mode", "navigate"),
        Client::Fetch => request.header("sec-fetch-mode", "cors"),
        Client::Htmx => request
            .header("hx-request", "true")
            .header("hx-current-url", &page_url),
        Client::HtmxBoost => request
            .header("hx-request", "true")
            .header("hx-boosted", "true")
            .header("hx-current-url", &page_url),
        Client::Inertia => request
            .header("x-inertia", "true")
            .header("x-requested-with", "XMLHttpRequest"),
        Client::Turbo => request.header("x-turbo-request-id", "1"),
    };
    let (mut parts, ()) = request.body(()).ok()?.into_parts();
    parts
        .extensions
        .insert(Session::new(None, Arc::new(MemoryStore::default()), None));
    Some(parts)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn every_emitted_next_is_safe(
        uri in path_and_query(),
        page in path_and_query(),
        client in client(),
        post in any::<bool>(),
    ) {
        let method = if post { Method::POST } else { Method::GET };
        // A URI or header value http refuses never reaches a handler.
        let Some(parts) = request_parts(&method, &uri, &client, &page) else {
            return Ok(());
        };
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let denial = runtime
            .block_on(enforce(&parts, &GuardOptions::new()))
            .expect_err("logged out")
            .into_response();
        let urls = login_urls(denial.headers());
        prop_assert!(!urls.is_empty(), "a denial without a login URL: {:?}", denial);
        for url in urls {
            let (path, query) = url.split_once('?').unwrap_or((&url, ""));
            prop_assert_eq!(path, "/login");
            let nexts: Vec<String> = form_urlencoded::parse(query.as_bytes())
                .filter(|(name, _)| name == "next")
                .map(|(_, value)| value.into_owned())
                .collect();
            prop_assert!(nexts.len() <= 1, "{}", url);
            if let Some(next) = nexts.first() {
                prop_assert_eq!(safe_next(next), Some(next.as_str()), "{} from {}", url, uri);
                let next_path = next.split(['?', '#']).next().unwrap();
                prop_assert_ne!(next_path, "/login", "nested login page in {}", url);
            }
        }
    }
}
