//! The names the client script and the crate must agree on, each written
//! once on each side and checked here to match: a rename on one side alone
//! fails this test instead of a page in production.

use super::owner::PAGE_OWNER_META;
use super::script::{ClientScript, ASSET, KEEP_FORMS_ASSET};
use crate::guard::classify::{HX_REQUEST, X_INERTIA, X_REQUESTED_WITH};
use crate::response::{HX_REDIRECT, X_LOGIN_URL};

/// The `"..."` string `asset` declares as `var NAME = "...";`.
fn declared<'a>(asset: &'a str, name: &str) -> &'a str {
    let start = format!("var {name} = \"");
    let at = asset
        .find(&start)
        .unwrap_or_else(|| panic!("the script declares {name}"))
        + start.len();
    &asset[at..at + asset[at..].find('"').expect("the string ends")]
}

#[test]
fn the_page_owner_meta_is_the_one_form_keeping_reads() {
    assert_eq!(declared(KEEP_FORMS_ASSET, "OWNER"), PAGE_OWNER_META);
}

#[test]
fn the_script_marks_its_calls_with_the_header_the_guard_reads() {
    let mark = declared(ASSET, "MARK");
    assert!(
        mark.eq_ignore_ascii_case(X_REQUESTED_WITH.as_str()),
        "{mark}"
    );
    assert_eq!(declared(ASSET, "MARK_VALUE"), "XMLHttpRequest");
}

#[test]
fn the_script_reads_the_headers_the_guard_sends_and_reads() {
    for header in [&X_LOGIN_URL, &HX_REDIRECT, &HX_REQUEST, &X_INERTIA] {
        let written = ASSET
            .match_indices("get(\"")
            .map(|(at, _)| &ASSET[at + 5..at + 5 + ASSET[at + 5..].find('"').unwrap()])
            .find(|name| name.eq_ignore_ascii_case(header.as_str()));
        assert!(written.is_some(), "the script reads {header}");
    }
}

#[test]
fn the_scripts_own_example_is_the_configuration_the_crate_appends() {
    // The header comment shows the call the crate appends (`config_call`):
    // its field names are those the script reads.
    let example = ASSET
        .lines()
        .find_map(|line| {
            line.strip_prefix("// ")
                .filter(|call| call.starts_with("({"))
        })
        .expect("the script's header shows the configuration call");
    let served = ClientScript::new()
        .with_streams(false)
        .with_keep_forms(false)
        .source();
    assert!(
        served.ends_with(&format!("\n{example}\n")),
        "{example} is not how the crate configures the script"
    );
    for field in ["sentinel", "login", "field", "mark"] {
        assert!(example.contains(&format!("{field}: ")), "{field}");
        assert!(
            ASSET.contains(&format!(".{field}")),
            "the script reads {field}"
        );
    }
}
