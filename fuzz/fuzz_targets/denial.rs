//! The answer a logged-out request gets, for arbitrary methods, request
//! targets and header sets under each kind of login target: never panics,
//! is exactly the manual's shape (`require_login_tests::model::denial`),
//! and every URL in it is visible ASCII and local (or the external login
//! URL), with a local return-to link.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use require_login::{guard::LoginRoutes, GuardOptions};
use require_login_tests::{model, Answer};

#[path = "common.rs"]
mod common;

const STAFF_LOGIN: &str = "/staff/login#form";
const EXTERNAL: [&str; 1] = ["https://sso.example.com/start?app=1"];
const FIELDS: [&str; 2] = ["next", "return_to"];
const CONFIGS: [GuardOptions; 5] = [
    GuardOptions::new(),
    GuardOptions::new()
        .with_login("/admin/login?tab=1")
        .with_sentinel("ADMIN_LOGIN_REQUIRED")
        .with_status(401),
    GuardOptions::new()
        .with_login("https://sso.example.com/start?app=1")
        .with_redirect_field(Some("return_to")),
    GuardOptions::new().with_redirect_field(None),
    GuardOptions::new().with_login("staff-login"),
];

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    })
}

fn request(
    u: &mut Unstructured<'_>,
) -> libfuzzer_sys::arbitrary::Result<Option<http::request::Parts>> {
    let method: Vec<u8> = if u.ratio(3, 4)? {
        u.choose(&["GET", "HEAD", "POST", "PUT", "DELETE"])?
            .as_bytes()
            .to_vec()
    } else {
        u.arbitrary()?
    };
    let target: Vec<u8> = u.arbitrary()?;
    let headers = common::headers(u)?;
    let Ok(request) = http::Request::builder()
        .method(method.as_slice())
        .uri(target.as_slice())
        .body(())
    else {
        return Ok(None);
    };
    let (mut parts, ()) = request.into_parts();
    parts.headers = headers;
    Ok(Some(parts))
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(options) = u.choose(&CONFIGS).copied() else {
        return;
    };
    let Ok(Some(mut parts)) = request(&mut u) else {
        return;
    };
    parts
        .extensions
        .insert(LoginRoutes::new().insert("staff-login", STAFF_LOGIN));
    let expected = model::denial(
        &parts.method,
        &parts.uri,
        &parts.headers,
        &options,
        STAFF_LOGIN,
    );
    let response = require_login::__private::denial(&parts, &options);
    let answer = runtime().block_on(Answer::from_response(response));
    model::check_redirect_headers(&answer.headers, &EXTERNAL, &FIELDS);
    model::check(&expected, &answer, 0, false, "");
});
