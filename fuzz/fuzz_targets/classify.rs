//! `classify` on arbitrary header sets: never panics, and always agrees
//! with the manual's rules (`require_login_tests::model::kind`).
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use require_login::{guard::{classify, RequestKind}, response::ClientLibrary};
use require_login_tests::model::Kind;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(headers) = common::headers(&mut Unstructured::new(data)) else {
        return;
    };
    let expected = match require_login_tests::model::kind(&headers) {
        Kind::Navigation => RequestKind::Navigation,
        Kind::Ajax { htmx } => RequestKind::Ajax { htmx },
        Kind::Inertia => RequestKind::Visit(ClientLibrary::Inertia),
        Kind::HtmxBoost => RequestKind::Visit(ClientLibrary::HtmxBoost),
        Kind::Turbo => RequestKind::Visit(ClientLibrary::Turbo),
    };
    assert_eq!(classify(&headers), expected, "{headers:?}");
});
