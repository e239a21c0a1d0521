//! `LoginRejection`, the guard's decision as a value: each kind of request
//! gets its variant, the variant turns into exactly the response the guard
//! answers with, and an app can match on it to answer its own way.

use std::sync::{Arc, Mutex};

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use http::StatusCode;
use require_login::{
    guard::{DefaultLogin, LoginRoutes},
    options::DenyStatus,
    require_login,
    response::{ClientLibrary, GuardError},
    GuardConfig, GuardOptions, LoginRejection, RequireLogin, LOGIN_REQUIRED,
};
use require_login_tests::denial::{assert_sentinel, Login};
use require_login_tests::*;

struct Named;
impl GuardConfig for Named {
    const OPTIONS: GuardOptions = GuardOptions::new().with_login("named-login");
}

/// What the last wrapped request was decided, as text.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

fn describe(rejection: &LoginRejection) -> String {
    match rejection {
        LoginRejection::Redirect { login_url, .. } => format!("redirect {login_url:?}"),
        LoginRejection::AjaxDenied {
            login_url,
            sentinel,
            status,
            ..
        } => format!("ajax {status:?} {sentinel} {login_url:?}"),
        LoginRejection::ClientLibrary {
            library: library @ (ClientLibrary::Htmx | ClientLibrary::HtmxBoost),
            login_url,
            status,
            ..
        } => format!("{library} {status:?} {login_url:?}"),
        LoginRejection::ClientLibrary {
            library: library @ (ClientLibrary::Inertia | ClientLibrary::Turbo),
            login_url,
            ..
        } => format!("{library} {login_url:?}"),
        LoginRejection::ServerError(GuardError::NoSession) => "500 no session".into(),
        LoginRejection::ServerError(GuardError::SessionStore(_)) => "500 store".into(),
        LoginRejection::ServerError(GuardError::UnknownLoginRoute {
            name,
            routes_installed,
            ..
        }) => format!("500 unknown route {name} installed={routes_installed}"),
        other => format!("other {other}"),
    }
}

/// The same page twice: `/plain` guarded as usual, `/wrapped` taking the
/// rejection, recording its variant, and answering with it unchanged.
fn pages(seen: &Seen) -> Router {
    #[require_login]
    async fn plain() -> &'static str {
        "page"
    }
    /// Records the decision of a `RequireLogin<C>` and answers with it.
    async fn wrapped<C: GuardConfig>(
        Extension(seen): Extension<Seen>,
        guard: Result<RequireLogin<C>, LoginRejection>,
    ) -> Response {
        match guard {
            Ok(_) => "page".into_response(),
            Err(rejection) => {
                seen.0.lock().unwrap().push(describe(&rejection));
                let status = rejection.status();
                let response = rejection.into_response();
                assert_eq!(response.status(), status, "status() says what it answers");
                response
            }
        }
    }
    Router::new()
        .route("/plain", get(plain))
        .route("/wrapped", get(wrapped::<DefaultLogin>))
        .route("/named", get(wrapped::<Named>))
        .layer(Extension(seen.clone()))
}

fn assert_same(wrapped: &Answer, plain: &Answer) {
    assert_eq!(wrapped.status, plain.status);
    assert_eq!(wrapped.headers, plain.headers);
    assert_eq!(wrapped.body, plain.body);
}

#[tokio::test]
async fn each_kind_gets_its_variant() {
    let seen = Seen::default();
    let app = with_memory_sessions(pages(&seen));
    let cases: [(&[(&str, &str)], &str); 7] = [
        (&[], "redirect \"/login?next=/wrapped\""),
        (
            &[
                ("sec-fetch-mode", "cors"),
                ("referer", "http://app.test/page"),
                ("host", "app.test"),
            ],
            "ajax Forbidden LOGIN_REQUIRED \"/login?next=/page\"",
        ),
        (
            &[("x-requested-with", "XMLHttpRequest")],
            "ajax Forbidden LOGIN_REQUIRED \"/login\"",
        ),
        (
            &[
                ("hx-request", "true"),
                ("hx-current-url", "http://app.test/p"),
                ("host", "app.test"),
            ],
            "htmx Forbidden \"/login?next=/p\"",
        ),
        (
            &[("hx-request", "true"), ("hx-boosted", "true")],
            "htmx hx-boost Forbidden \"/login?next=/wrapped\"",
        ),
        (&[("x-inertia", "true")], "Inertia \"/login?next=/wrapped\""),
        (
            &[("x-turbo-request-id", "1"), ("sec-fetch-mode", "cors")],
            "Turbo \"/login?next=/wrapped\"",
        ),
    ];
    for (headers, decided) in cases {
        let wrapped = send(&app, get_with("/wrapped", headers)).await;
        assert_eq!(seen.take(), [decided], "{headers:?}");
        // A page visit comes back to the page itself, so the plain page's
        // answer names `/plain` where the wrapped one names `/wrapped`.
        let mut plain = send(&app, get_with("/plain", headers)).await;
        for value in plain.headers.values_mut() {
            let text = value
                .to_str()
                .unwrap()
                .replace("next=/plain", "next=/wrapped");
            *value = text.parse().unwrap();
        }
        assert_same(&wrapped, &plain);
        if decided.starts_with("ajax") || decided.starts_with("htmx") {
            assert_eq!(wrapped.body, LOGIN_REQUIRED);
        }
    }
}

#[tokio::test]
async fn server_errors_carry_their_cause_and_answer_the_same_500() {
    let seen = Seen::default();
    let no_sessions = pages(&seen);
    let wrapped = send(&no_sessions, get_with("/wrapped", &[])).await;
    assert_eq!(seen.take(), ["500 no session"]);
    assert_same(&wrapped, &send(&no_sessions, get_with("/plain", &[])).await);
    assert_eq!(wrapped.status, StatusCode::INTERNAL_SERVER_ERROR);

    let failing = with_sessions(pages(&seen), FailingStore);
    let cookie = unknown_session_cookie();
    let headers = [("cookie", cookie.as_str())];
    let (wrapped, log) = with_log(send(&failing, get_with("/wrapped", &headers))).await;
    assert_eq!(seen.take(), ["500 store"]);
    assert!(log.contains("store is down"), "the cause is logged: {log}");
    assert_same(
        &wrapped,
        &send(&failing, get_with("/plain", &headers)).await,
    );

    let app = with_memory_sessions(pages(&seen));
    send(&app, get_with("/named", &[])).await;
    let routes = app.layer(Extension(LoginRoutes::new().insert("other", "/other")));
    send(&routes, get_with("/named", &[])).await;
    assert_eq!(
        seen.take(),
        [
            "500 unknown route named-login installed=false",
            "500 unknown route named-login installed=true"
        ]
    );
}

#[tokio::test]
async fn rejection_explains_itself() {
    let (mut parts, ()) = http::Request::get("/dash?tab=2")
        .header("accept", "application/json")
        .body(())
        .unwrap()
        .into_parts();
    parts.extensions.insert(sessions::Session::new(
        None,
        Arc::new(sessions::MemoryStore::default()),
        None,
    ));
    let options = GuardOptions::new()
        .with_status(401)
        .with_redirect_field(None);
    let rejection = require_login::enforce(&parts, &options).await.unwrap_err();
    assert!(matches!(
        rejection,
        LoginRejection::AjaxDenied {
            status: DenyStatus::Unauthorized,
            ..
        }
    ));
    assert_eq!(rejection.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(rejection.login_url(), Some("/login"));
    assert_eq!(
        rejection.to_string(),
        "login required: script call answered 401 with the sentinel, login at /login"
    );
    assert!(std::error::Error::source(&rejection).is_none());

    let (bare, ()) = http::Request::get("/dash").body(()).unwrap().into_parts();
    let failed = require_login::enforce(&bare, &options).await.unwrap_err();
    assert_eq!(failed.login_url(), None);
    let cause = std::error::Error::source(&failed).expect("a server error has a cause");
    assert!(cause.to_string().contains("SessionManagerLayer"), "{cause}");
}

/// The wrapping the rejection is for: one area shows its own login page to
/// navigations, and every denial is counted by kind, while scripts still get
/// the sentinel the client script knows.
#[tokio::test]
async fn app_answers_with_its_own_page() {
    #[derive(Clone, Default)]
    struct Denials(Arc<Mutex<Vec<&'static str>>>);

    async fn reports(
        Extension(denials): Extension<Denials>,
        guard: Result<RequireLogin, LoginRejection>,
    ) -> Response {
        let rejection = match guard {
            Ok(_) => return "the reports".into_response(),
            Err(rejection) => rejection,
        };
        let kind = match &rejection {
            LoginRejection::Redirect { .. } => "navigation",
            LoginRejection::AjaxDenied { .. } | LoginRejection::ClientLibrary { .. } => "script",
            _ => "error",
        };
        denials.0.lock().unwrap().push(kind);
        match rejection {
            LoginRejection::Redirect { login_url, .. } => (
                StatusCode::UNAUTHORIZED,
                [("content-type", "text/html")],
                format!(
                    "<a href=\"{}\">Log in to see the reports</a>",
                    login_url.to_str().unwrap()
                ),
            )
                .into_response(),
            other => other.into_response(),
        }
    }

    let denials = Denials::default();
    let app = with_memory_sessions(
        Router::new()
            .route("/reports", get(reports))
            .layer(Extension(denials.clone())),
    );
    let page = send(&app, get_with("/reports", &[])).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        page.body,
        "<a href=\"/login?next=/reports\">Log in to see the reports</a>"
    );
    let script = send(&app, get_with("/reports", &[("sec-fetch-mode", "cors")])).await;
    assert_sentinel(&script, Login::Path("/login"), "the script's call");

    let cookie = log_in(&app, "").await;
    let logged_in = send(&app, get_with("/reports", &[("cookie", cookie.as_str())])).await;
    assert_eq!(logged_in.body, "the reports");
    assert_eq!(*denials.0.lock().unwrap(), ["navigation", "script"]);
}
