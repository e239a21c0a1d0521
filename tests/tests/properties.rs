//! The guard's promises as properties, over arbitrary requests: methods,
//! paths, queries, header sets (repeated, empty, oversized, non-UTF-8
//! values, mixed-case names, contradicting AJAX signals, arbitrary
//! `Referer`/`HX-Current-URL`/`Host`) and session states (none, stale id,
//! garbage cookie, logged in, logged in under another key, `null` user, a
//! failing store, an undecodable record), through the attribute, the
//! extractor and the layer alike:
//!
//! - the handler body runs if and only if the session is logged in (for the
//!   guard's own session key);
//! - every other answer is exactly the documented shape the request's kind
//!   calls for ([`Shape`]), header for header;
//! - every URL the guard sends the browser to (`Location`, `X-Login-Url`,
//!   `HX-Redirect`, ...) is visible ASCII (no header injection) and a local
//!   path or the configured external login URL, whose return-to link is
//!   itself a local path;
//! - nothing panics.
//!
//! The expected answer comes from `require_login_tests::model`, written from
//! the manual's rules, not from the crate's code. `PROPTEST_CASES` overrides the case count
//! (10,000 by default, what `.ci/run` runs).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::routing::{any, post};
use axum::{Extension, Router};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, Uri};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use require_login::{
    guard::LoginRoutes, options::SESSION_KEY, require_login, GuardConfig, GuardOptions,
    RequireLogin, RequireLoginLayer,
};
use require_login_tests::model::{self, Shape};
use require_login_tests::sessions::Session;
use require_login_tests::*;
use tower::ServiceExt;

// ----- The guards under test: five configurations, three entry points each.

const DEFAULT: GuardOptions = GuardOptions::new();
const ADMIN: GuardOptions = GuardOptions::new()
    .with_login("/admin/login")
    .with_sentinel("ADMIN_LOGIN_REQUIRED")
    .with_status(401)
    .with_session_key("admin");
const SSO: GuardOptions = GuardOptions::new()
    .with_login("https://sso.example.com/start?app=1")
    .with_redirect_field(Some("return_to"));
const BARE: GuardOptions = GuardOptions::new().with_redirect_field(None);
const NAMED: GuardOptions = GuardOptions::new().with_login("staff-login");
const STAFF_LOGIN: &str = "/staff/login#form";

/// Each configuration's name (its path segment) and options.
const CONFIGS: [(&str, GuardOptions); 5] = [
    ("default", DEFAULT),
    ("admin", ADMIN),
    ("sso", SSO),
    ("bare", BARE),
    ("named", NAMED),
];

const BODY: &str = "HANDLER BODY";

async fn body(runs: &Runs) -> &'static str {
    runs.record();
    BODY
}

// The attribute, written out per configuration as an app would.
#[require_login]
async fn attr_default(State(runs): State<Runs>) -> &'static str {
    body(&runs).await
}
#[require_login(
    login = "/admin/login",
    sentinel = "ADMIN_LOGIN_REQUIRED",
    status = 401,
    session_key = "admin"
)]
async fn attr_admin(State(runs): State<Runs>) -> &'static str {
    body(&runs).await
}
#[require_login(
    login = "https://sso.example.com/start?app=1",
    redirect_field = "return_to"
)]
async fn attr_sso(State(runs): State<Runs>) -> &'static str {
    body(&runs).await
}
#[require_login(redirect_field = false)]
async fn attr_bare(State(runs): State<Runs>) -> &'static str {
    body(&runs).await
}
#[require_login(login = "staff-login")]
async fn attr_named(State(runs): State<Runs>) -> &'static str {
    body(&runs).await
}

// The extractor, configured by types holding the same options.
macro_rules! configs {
    ($($ty:ident = $options:expr;)*) => {$(
        struct $ty;
        impl GuardConfig for $ty {
            const OPTIONS: GuardOptions = $options;
        }
    )*};
}
configs! {
    DefaultConfig = DEFAULT;
    AdminConfig = ADMIN;
    SsoConfig = SSO;
    BareConfig = BARE;
    NamedConfig = NAMED;
}

async fn extractor<C: GuardConfig>(_: RequireLogin<C>, State(runs): State<Runs>) -> &'static str {
    body(&runs).await
}

async fn unguarded(State(runs): State<Runs>) -> &'static str {
    body(&runs).await
}

/// `/{entry}/{config}` and everything under it, nested, so the return-to
/// link must be the full original path.
fn nested(handler: axum::routing::MethodRouter<Runs>) -> Router<Runs> {
    Router::new()
        .route("/", handler.clone())
        .route("/{*rest}", handler)
}

fn app(runs: &Runs, store: FaultyStore) -> Router {
    let attribute = [
        any(attr_default),
        any(attr_admin),
        any(attr_sso),
        any(attr_bare),
        any(attr_named),
    ];
    let extractor = [
        any(extractor::<DefaultConfig>),
        any(extractor::<AdminConfig>),
        any(extractor::<SsoConfig>),
        any(extractor::<BareConfig>),
        any(extractor::<NamedConfig>),
    ];
    let mut routes = Router::new();
    for (((name, options), attribute), extractor) in CONFIGS.iter().zip(attribute).zip(extractor) {
        let layer = nested(any(unguarded)).route_layer(RequireLoginLayer::new(*options));
        routes = routes
            .nest(&format!("/attr/{name}"), nested(attribute))
            .nest(&format!("/ext/{name}"), nested(extractor))
            .nest(&format!("/layer/{name}"), layer);
    }
    // Any other path, `//evil.example` included, reaches the default guard.
    let routes = routes
        .fallback(attr_default)
        .route("/test/null", post(null_user))
        .with_state(runs.clone())
        .layer(Extension(
            LoginRoutes::new().insert("staff-login", STAFF_LOGIN),
        ));
    with_sessions(routes, store)
}

/// A session whose user is `null` under both keys: logged out.
async fn null_user(session: Session) -> StatusCode {
    for key in [SESSION_KEY, "admin"] {
        session.insert(key, serde_json::Value::Null).await.unwrap();
    }
    StatusCode::NO_CONTENT
}

// ----- Session states.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SessionState {
    None,
    /// A well-formed id no store knows (expired, or made up).
    Stale,
    /// A cookie that is not a session id at all.
    Garbage,
    /// Logged in under [`SESSION_KEY`].
    LoggedIn,
    /// Logged in under `"admin"` only: logged out for the other guards.
    OtherKey,
    /// `null` under both keys.
    NullUser,
    /// The store fails for this session.
    StoreError,
    /// The stored record does not decode.
    Corrupt,
}

impl SessionState {
    /// Whether a guard reading `key` lets this session through.
    fn logged_in_for(self, key: &str) -> bool {
        match self {
            SessionState::LoggedIn => key == SESSION_KEY,
            SessionState::OtherKey => key == "admin",
            _ => false,
        }
    }

    fn store_fails(self) -> bool {
        matches!(self, SessionState::StoreError | SessionState::Corrupt)
    }
}

/// The cookie of each prepared state, made once through the app.
struct Cookies {
    logged_in: String,
    other_key: String,
    null_user: String,
    store_error: String,
    corrupt: String,
}

impl Cookies {
    async fn prepare(app: &Router, store: &FaultyStore) -> Cookies {
        let store_error = log_in(app, "").await;
        store.set_fault(&store_error, Fault::Error);
        let corrupt = log_in(app, "").await;
        store.set_fault(&corrupt, Fault::Corrupt);
        let null = send(app, request("POST", "/test/null", &[], Body::empty())).await;
        Cookies {
            logged_in: log_in(app, "").await,
            other_key: log_in(app, "?key=admin").await,
            null_user: cookie_of(&null),
            store_error,
            corrupt,
        }
    }

    fn for_state(&self, state: SessionState, stale: &str) -> Option<String> {
        match state {
            SessionState::None => None,
            SessionState::Stale => Some(stale.to_owned()),
            SessionState::Garbage => Some("id=not-a-session-id; theme=dark".to_owned()),
            SessionState::LoggedIn => Some(self.logged_in.clone()),
            SessionState::OtherKey => Some(self.other_key.clone()),
            SessionState::NullUser => Some(self.null_user.clone()),
            SessionState::StoreError => Some(self.store_error.clone()),
            SessionState::Corrupt => Some(self.corrupt.clone()),
        }
    }
}

// ----- Arbitrary requests.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Attribute,
    Extractor,
    Layer,
}

#[derive(Debug, Clone)]
struct Case {
    method: Method,
    /// The request target: a path and query, or an absolute URL.
    target: String,
    /// `None` when the path is not under a guarded prefix (the fallback: the
    /// default attribute guard).
    routed: Option<(Entry, usize)>,
    headers: Vec<(HeaderName, HeaderValue)>,
    session: SessionState,
}

const HOSTS: [&str; 4] = ["app.test", "APP.test", "app.test:8080", "evil.test"];

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        4 => prop::sample::select(vec![
            Method::GET, Method::HEAD, Method::POST, Method::PUT, Method::DELETE,
            Method::PATCH, Method::OPTIONS, Method::TRACE, Method::CONNECT,
        ]),
        1 => "[A-Za-z!#$%&'*+.^_`|~-]{1,10}".prop_map(|m| Method::from_bytes(m.as_bytes()).unwrap()),
    ]
}

/// Path text: ordinary characters, percent escapes, dot segments, slashes
/// and backslashes where browsers would read a host.
fn path_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[A-Za-z0-9._~!$&'()*+,;=:@-]{1,8}",
        1 => Just("/".to_owned()),
        1 => Just("//".to_owned()),
        1 => Just("\\".to_owned()),
        1 => prop::sample::select(vec!["%2F", "%5C", "%0D%0A", "%00", "%E2%80%A8", "..", ".", "%", "é", "\"", "{}", "|"])
            .prop_map(str::to_owned),
        1 => "\\PC{1,3}",
    ];
    prop::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
}

fn query() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        "[A-Za-z0-9=&%/?._~+-]{0,20}",
        Just("next=//evil.test&next=/x".to_owned()),
        Just("a=%0D%0ASet-Cookie:%20x=1".to_owned()),
    ])
}

/// The path: under a guarded prefix, or anything else.
fn path() -> impl Strategy<Value = (String, Option<(Entry, usize)>)> {
    let entry = prop::sample::select(vec![Entry::Attribute, Entry::Extractor, Entry::Layer]);
    prop_oneof![
        3 => (entry, 0..CONFIGS.len(), prop::option::of(path_text())).prop_map(|(entry, config, tail)| {
            let prefix = match entry {
                Entry::Attribute => "attr",
                Entry::Extractor => "ext",
                Entry::Layer => "layer",
            };
            let name = CONFIGS[config].0;
            // A tail starting with a letter, so it stays under the prefix.
            let tail = tail.map(|t| format!("/x{t}")).unwrap_or_default();
            (format!("/{prefix}/{name}{tail}"), Some((entry, config)))
        }),
        1 => path_text().prop_map(|p| (format!("/{p}"), None)),
    ]
}

fn url_value() -> impl Strategy<Value = Vec<u8>> {
    let host = prop::sample::select(HOSTS.to_vec());
    let scheme = prop::sample::select(vec!["http://", "https://", "HTTP://", "//", ""]);
    let trick = prop::sample::select(vec![
        "",
        "/",
        "//evil.test/",
        "/\\evil.test",
        "@evil.test/",
        "#@evil.test/",
        ":80@evil.test/",
        "/%2F%2Fevil.test",
        "/%0D%0ALocation:%20http://evil.test",
        "\t/",
    ]);
    prop_oneof![
        4 => (scheme, host, trick, path_text(), query()).prop_map(|(scheme, host, trick, path, query)| {
            let query = query.map(|q| format!("?{q}")).unwrap_or_default();
            format!("{scheme}{host}{trick}/{path}{query}").into_bytes()
        }),
        1 => prop::sample::select(vec![
            "javascript:alert(1)", "/relative/page", "about:blank", "null",
            // The login pages themselves, with a `next` of their own.
            "http://app.test/login?next=%2Fdash%3Ftab%3D2",
            "http://app.test/login?next=/login%3Fnext%3D%252F%252Fevil.test",
            "http://app.test/admin/login?next=//evil.test",
            "http://app.test/staff/login?lang=en",
            "http://app.test/login",
        ])
            .prop_map(|v| v.as_bytes().to_vec()),
    ]
}

/// Values of every kind: the signals' own words in any case, URLs, empty,
/// oversized, non-UTF-8, arbitrary text.
fn value() -> impl Strategy<Value = Vec<u8>> {
    let word = prop::sample::select(vec![
        "XMLHttpRequest",
        "xmlhttprequest",
        "true",
        "TRUE",
        "false",
        "1",
        "cors",
        "no-cors",
        "same-origin",
        "navigate",
        "NAVIGATE",
        "websocket",
        "application/json",
        "text/html",
        "*/*",
        "application/json;q=0",
        "application/json, text/html",
        "text/html;q=0, application/json",
        "application/ld+json",
        "application/json;q=0.0, text/plain",
        "text/html;Q=0,application/json",
        "application/xhtml+xml,application/json",
        " application/json ",
        "application/json;q=0.001",
    ]);
    prop_oneof![
        6 => word.prop_map(|w| w.as_bytes().to_vec()),
        4 => url_value(),
        1 => Just(Vec::new()),
        1 => (1usize..4).prop_map(|kib| {
            let mut value = b"application/json,".repeat(kib * 1024 / 17);
            value.extend_from_slice(b"/x");
            value
        }),
        1 => prop::collection::vec(0x80u8..=0xff, 1..16),
        2 => prop::collection::vec(prop_oneof![0x20u8..=0x7e, Just(b'\t'), 0x80u8..=0xff], 0..40),
    ]
}

/// A header name: one the guard reads, in any case, or any other.
fn name() -> impl Strategy<Value = HeaderName> {
    let known = prop::sample::select(vec![
        "X-Requested-With",
        "HX-Request",
        "Sec-Fetch-Mode",
        "Accept",
        "HX-Current-URL",
        "Referer",
        "Host",
        "HX-Boosted",
        "X-Inertia",
        "Turbo-Frame",
        "X-Turbo-Request-Id",
        "Origin",
        "Sec-Fetch-Dest",
        "X-Forwarded-Host",
        "Content-Type",
    ]);
    prop_oneof![
        6 => (known, prop::num::u64::ANY).prop_map(|(name, case_bits)| {
            HeaderName::from_bytes(mixed_case(name, case_bits).as_bytes()).unwrap()
        }),
        1 => "[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,20}".prop_map(|n| HeaderName::from_bytes(n.as_bytes()).unwrap()),
    ]
}

/// A header the guard reads, with a value that means something to it.
fn signal() -> impl Strategy<Value = (HeaderName, Vec<u8>)> {
    let word = |name: &'static str, words: &'static [&'static str]| {
        prop::sample::select(words.to_vec()).prop_map(move |w| (name, w.as_bytes().to_vec()))
    };
    let signal = prop_oneof![
        word("HX-Request", &["true", "TRUE", "false"]),
        word("HX-Boosted", &["true", "false"]),
        word("X-Inertia", &["true", "True", "false"]),
        word("X-Turbo-Request-Id", &["0f6e5a3c", ""]),
        word("X-Requested-With", &["XMLHttpRequest", "xmlhttprequest"]),
        word("Sec-Fetch-Mode", &["cors", "navigate", "no-cors"]),
        word(
            "Accept",
            &[
                "application/json",
                "text/html",
                "application/json, text/html;q=0"
            ]
        ),
        word("Host", &HOSTS),
        url_value().prop_map(|url| ("HX-Current-URL", url)),
        url_value().prop_map(|url| ("Referer", url)),
    ];
    (signal, prop::num::u64::ANY).prop_map(|((name, value), case_bits)| {
        (
            HeaderName::from_bytes(mixed_case(name, case_bits).as_bytes()).unwrap(),
            value,
        )
    })
}

fn mixed_case(name: &str, case_bits: u64) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if case_bits >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

fn headers() -> impl Strategy<Value = Vec<(HeaderName, HeaderValue)>> {
    // Values a header cannot hold (CR, LF, NUL) are refused by `http`
    // before any server sees them: only valid ones are sent.
    let header = prop_oneof![2 => (name(), value()), 1 => signal()].prop_filter_map(
        "not a header value",
        |(name, value)| {
            HeaderValue::from_bytes(&value)
                .ok()
                .map(|value| (name, value))
        },
    );
    prop::collection::vec(header, 0..10)
}

fn session_state() -> impl Strategy<Value = SessionState> {
    prop::sample::select(vec![
        SessionState::None,
        SessionState::Stale,
        SessionState::Garbage,
        SessionState::LoggedIn,
        SessionState::LoggedIn,
        SessionState::OtherKey,
        SessionState::NullUser,
        SessionState::None,
        SessionState::Stale,
        SessionState::StoreError,
        SessionState::Corrupt,
    ])
}

fn case() -> impl Strategy<Value = Case> {
    let absolute = prop::option::of(prop::sample::select(HOSTS.to_vec()));
    (
        method(),
        path(),
        query(),
        absolute,
        headers(),
        session_state(),
    )
        .prop_filter_map(
            "not a request target",
            |(method, (path, routed), query, absolute, headers, session)| {
                let query = query.map(|q| format!("?{q}")).unwrap_or_default();
                let target = match absolute {
                    Some(host) => format!("http://{host}{path}{query}"),
                    None => format!("{path}{query}"),
                };
                let uri: Uri = target.parse().ok()?;
                // A path the router would send elsewhere than where the case
                // says (a guarded prefix reached by chance, the test routes).
                if routed.is_none()
                    && ["/attr/", "/ext/", "/layer/", "/test/"]
                        .iter()
                        .any(|prefix| uri.path().starts_with(prefix))
                {
                    return None;
                }
                Some(Case {
                    method,
                    target,
                    routed,
                    headers,
                    session,
                })
            },
        )
}

// ----- Checking an answer against the model (`require_login_tests::model`).

/// The login URLs of the external configurations, and the return-to fields.
const EXTERNAL: [&str; 1] = ["https://sso.example.com/start?app=1"];
const FIELDS: [&str; 2] = ["next", "return_to"];

fn expected(case: &Case, request: &Request<Body>, options: &GuardOptions) -> Shape {
    if case.session.store_fails() {
        return Shape::ServerError;
    }
    if case
        .session
        .logged_in_for(options.session_key().expect("a session-key guard"))
    {
        return Shape::Handler;
    }
    model::denial(
        request.method(),
        request.uri(),
        request.headers(),
        options,
        STAFF_LOGIN,
    )
}

// ----- The property.

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

#[test]
fn body_runs_iff_logged_in() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let runs = Runs::default();
    let store = FaultyStore::default();
    let app = app(&runs, store.clone());
    let cookies = runtime.block_on(Cookies::prepare(&app, &store));
    let stale = unknown_session_cookie();
    let app = Arc::new(app);

    let seen = std::cell::RefCell::new(Seen::default());
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&case(), |case| {
            let mut request = Request::builder()
                .method(case.method.clone())
                .uri(&case.target)
                .body(Body::empty())
                .unwrap();
            for (name, value) in &case.headers {
                request.headers_mut().append(name.clone(), value.clone());
            }
            if let Some(cookie) = cookies.for_state(case.session, &stale) {
                request
                    .headers_mut()
                    .append("cookie", HeaderValue::from_str(&cookie).unwrap());
            }
            let options = match case.routed {
                Some((_, config)) => &CONFIGS[config].1,
                None => &DEFAULT,
            };
            let shape = expected(&case, &request, options);
            seen.borrow_mut().record(&case, &shape);
            // axum leaves out the body of HEAD answers and of CONNECT's 2xx.
            let bodiless = case.method == Method::HEAD || case.method == Method::CONNECT;
            let before = runs.count();
            let answer = runtime.block_on(async {
                let response = (*app).clone().oneshot(request).await.unwrap();
                Answer::from_response(response).await
            });
            model::check_redirect_headers(&answer.headers, &EXTERNAL, &FIELDS);
            model::check(&shape, &answer, runs.count() - before, bodiless, BODY);
            Ok(())
        })
        .unwrap();
    seen.into_inner().assert_every_kind_was_tried(cases());
}

/// How often each kind of case came up, so the property cannot pass by
/// never trying one.
#[derive(Default, Debug)]
struct Seen {
    shapes: std::collections::BTreeMap<&'static str, u32>,
}

impl Seen {
    fn record(&mut self, case: &Case, shape: &Shape) {
        let shape = match shape {
            Shape::Handler => "handler ran",
            Shape::Navigation { location } if location.contains('=') => "redirect with return-to",
            Shape::Navigation { .. } => "redirect",
            Shape::Ajax { htmx: true, .. } => "htmx denial",
            Shape::Ajax { login_url, .. } if login_url.contains('=') => {
                "ajax denial with return-to"
            }
            Shape::Ajax { .. } => "ajax denial",
            Shape::Inertia { .. } => "inertia denial",
            Shape::ServerError => "500",
        };
        let entry = match case.routed {
            Some((Entry::Attribute, _)) => "attribute",
            Some((Entry::Extractor, _)) => "extractor",
            Some((Entry::Layer, _)) => "layer",
            None => "any other path",
        };
        for key in [shape, entry] {
            *self.shapes.entry(key).or_default() += 1;
        }
    }

    fn assert_every_kind_was_tried(&self, cases: u32) {
        eprintln!("cases by kind: {:?}", self.shapes);
        for key in [
            "handler ran",
            "redirect with return-to",
            "redirect",
            "htmx denial",
            "ajax denial with return-to",
            "ajax denial",
            "500",
            "attribute",
            "extractor",
            "layer",
            "any other path",
        ] {
            let count = self.shapes.get(key).copied().unwrap_or(0);
            assert!(
                count * 100 >= cases,
                "only {count} of {cases} cases were \"{key}\": {:?}",
                self.shapes
            );
        }
    }
}

/// The classification alone, against the same model, on many more header
/// sets than the router property sends.
#[test]
fn classify_follows_the_documented_signals() {
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&headers(), |headers| {
            let mut map = HeaderMap::new();
            for (name, value) in headers {
                map.append(name, value);
            }
            use require_login::{guard::RequestKind, response::ClientLibrary};
            let expected = match model::kind(&map) {
                model::Kind::Navigation => RequestKind::Navigation,
                model::Kind::Ajax { htmx } => RequestKind::Ajax { htmx },
                model::Kind::Inertia => RequestKind::Visit(ClientLibrary::Inertia),
                model::Kind::HtmxBoost => RequestKind::Visit(ClientLibrary::HtmxBoost),
                model::Kind::Turbo => RequestKind::Visit(ClientLibrary::Turbo),
            };
            prop_assert_eq!(require_login::guard::classify(&map), expected);
            Ok(())
        })
        .unwrap();
}
