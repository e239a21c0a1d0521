//! Every page of the demo renders: each template in `pages/` and `static/`
//! gets exactly the values it names (`html::fill` panics otherwise), and
//! what a visitor typed comes back escaped.

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use tower::ServiceExt;

use require_login_demo::{app, DemoConfig, DEMO_PASSWORD};

struct Page {
    status: StatusCode,
    cookie: Option<String>,
    body: String,
}

async fn send(app: &Router, method: &str, uri: &str, cookie: &str, form: &str) -> Page {
    let mut request = Request::builder().method(method).uri(uri);
    if !cookie.is_empty() {
        request = request.header(header::COOKIE, cookie);
    }
    if !form.is_empty() {
        request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    let request = request.body(Body::from(form.to_owned())).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    Page {
        status,
        cookie,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

/// Logs in to the app and to the admin area, as `<b>"x"&'</b>`.
async fn logged_in(app: &Router) -> String {
    let name = "username=%3Cb%3E%22x%22%26%27%3C%2Fb%3E";
    let form = format!("{name}&password={DEMO_PASSWORD}");
    let login = send(app, "POST", "/login", "", &form).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    let cookie = login.cookie.expect("the login sets the session cookie");
    let admin = send(app, "POST", "/admin/login", &cookie, &form).await;
    assert_eq!(admin.status, StatusCode::SEE_OTHER, "{}", admin.body);
    // A login renews the session id.
    admin.cookie.unwrap_or(cookie)
}

const PAGES: [&str; 14] = [
    "/",
    "/login?next=/form",
    "/logout",
    "/admin/login",
    "/admin/logout",
    "/dashboard",
    "/fetch",
    "/xhr",
    "/jquery",
    "/jquery-seed",
    "/htmx",
    "/form?saved=hello",
    "/draft?saved=hello",
    "/admin",
];

#[tokio::test]
async fn every_page_renders_for_a_logged_in_user_with_the_name_escaped() {
    let app = app(DemoConfig::default());
    let cookie = logged_in(&app).await;
    for path in PAGES.into_iter().chain(["/draft?keep=off"]) {
        let page = send(&app, "GET", path, &cookie, "").await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(page.body.starts_with("<!doctype html>"), "{path}");
        assert!(page.body.contains("</h1>"), "{path}");
        assert!(!page.body.contains("<b>\"x\""), "{path}: unescaped name");
        assert!(
            !page.body.contains("{calls_js}"),
            "{path}: a placeholder left"
        );
    }
    for path in ["/", "/dashboard", "/admin"] {
        let page = send(&app, "GET", path, &cookie, "").await;
        assert!(
            page.body
                .contains("<b id=\"who\">&lt;b&gt;&quot;x&quot;&amp;&#39;&lt;/b&gt;</b>"),
            "{path}: {}",
            page.body
        );
    }
}

#[tokio::test]
async fn every_public_page_renders_logged_out_and_guarded_ones_go_to_log_in() {
    let app = app(DemoConfig::default());
    for path in PAGES {
        let page = send(&app, "GET", path, "", "").await;
        let public = ["/", "/login", "/logout", "/admin/login", "/admin/logout"]
            .contains(&path.split('?').next().unwrap());
        let expected = if public {
            StatusCode::OK
        } else {
            StatusCode::SEE_OTHER
        };
        assert_eq!(page.status, expected, "{path}: {}", page.body);
    }
}

#[tokio::test]
async fn what_a_visitor_sends_back_is_escaped_on_the_page() {
    let app = app(DemoConfig::default());
    let cookie = logged_in(&app).await;
    let hostile = "%3Cscript%3E%22%27%26%7Bsaved%7D";
    let escaped = "&lt;script&gt;&quot;&#39;&amp;{saved}";
    for page in ["/form", "/draft"] {
        let page = send(&app, "GET", &format!("{page}?saved={hostile}"), &cookie, "").await;
        assert!(
            page.body
                .contains(&format!("<p id=\"saved\">Saved: {escaped}</p>")),
            "{}",
            page.body
        );
    }
    let login = send(
        &app,
        "GET",
        &format!("/login?next=/form%3Fq%3D{hostile}"),
        "",
        "",
    )
    .await;
    assert!(
        login
            .body
            .contains(&format!("name=\"next\" value=\"/form?q={escaped}\"")),
        "{}",
        login.body
    );
}
