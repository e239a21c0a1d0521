//! Adding the return-to link to a login URL, for arbitrary login URLs and
//! pages: never panics, the link decodes back to the page exactly, the
//! result is visible ASCII whatever the page holds (no header injection),
//! and it matches the manual's rule (`require_login_tests::model::with_return_to`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use require_login_tests::model;

fuzz_target!(|input: (&str, bool, &str)| {
    let (page, named_field, base) = input;
    // A login URL is visible ASCII: `LoginTarget` refuses anything else at
    // compile time (and LoginRoutes URLs are checked the same way).
    if !base.bytes().all(|b| b.is_ascii_graphic()) {
        return;
    }
    let field = if named_field { "return_to" } else { "next" };
    let url = require_login::__private::append_query(base, field, page);
    assert_eq!(url, model::with_return_to(base, field, page));
    let added = &url[base.split('#').next().unwrap().len()..];
    assert!(added.bytes().all(|b| b.is_ascii_graphic()), "{url:?}");
    let encoded = added
        .split_once('=')
        .map(|(_, v)| v.split('#').next().unwrap())
        .unwrap();
    assert!(!encoded.contains(['&', '#', '?', '=', ' ']), "{encoded:?}");
    assert_eq!(model::percent_decode(encoded), page.as_bytes());
});
