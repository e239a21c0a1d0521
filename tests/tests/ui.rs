//! Every compile error `#[require_login]` promises, pinned with its message
//! and span (`tests/tests/ui/fail/*.stderr`). Regenerate after an intended change
//! with `TRYBUILD=overwrite cargo test -p require-login-tests --test ui`.

// The attribute's compile errors do not depend on the session line: pinned
// in the default line's run.
#![cfg(not(feature = "tower-sessions-014"))]

#[test]
fn compile_errors_point_at_the_argument() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
}
