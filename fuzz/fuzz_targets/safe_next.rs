//! `safe_next` on arbitrary strings: never panics, and whatever it accepts
//! is the input itself, visible ASCII, a single-slash path without
//! backslashes or dot segments, and stays on this site when a browser
//! resolves it (the `url` crate's WHATWG parser standing in for one), also
//! after a server or proxy percent-decodes it once more.
#![no_main]

use libfuzzer_sys::fuzz_target;
use require_login::login::safe_next;
use require_login_tests::model;

/// Where `candidate` lands when a browser on `https://app.test/login`
/// follows it: `None` when it leaves the site (or does not parse).
fn lands_on_this_site(candidate: &str) -> bool {
    let base = url::Url::parse("https://app.test/login").unwrap();
    match base.join(candidate) {
        Ok(url) => {
            url.scheme() == "https" && url.host_str() == Some("app.test") && url.port().is_none()
        }
        Err(_) => false,
    }
}

fuzz_target!(|candidate: &str| {
    let Some(accepted) = safe_next(candidate) else {
        return;
    };
    assert_eq!(accepted, candidate);
    assert!(model::is_local(accepted), "{accepted:?}");
    assert!(
        accepted.bytes().all(|b| b.is_ascii_graphic()),
        "{accepted:?}"
    );
    assert!(!accepted.contains('\\'), "{accepted:?}");
    let path = accepted.split(['?', '#']).next().unwrap();
    for segment in path.split('/') {
        let decoded = model::percent_decode(segment).to_ascii_lowercase();
        assert!(
            decoded != b"." && decoded != b"..",
            "a dot segment in {accepted:?}"
        );
    }
    assert!(
        lands_on_this_site(accepted),
        "leaves the site: {accepted:?}"
    );
    // A server or proxy that decodes once before it redirects.
    let decoded = String::from_utf8_lossy(&model::percent_decode(accepted)).into_owned();
    assert!(
        lands_on_this_site(&decoded),
        "leaves the site once decoded: {accepted:?} -> {decoded:?}"
    );
});
