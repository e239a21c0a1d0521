//! Every compile error `#[require_login]` promises, pinned with its message
//! and span (`tests/tests/ui/fail/*.stderr`), and the uses it promises to
//! accept (`tests/tests/ui/pass/*.rs`, built and run). Regenerate the
//! messages after an intended change with
//! `TRYBUILD=overwrite cargo test -p require-login-tests --test ui`.

// The attribute's compile errors do not depend on the session line: pinned
// in the default line's run.
#![cfg(not(feature = "tower-sessions-014"))]

// One test, so that trybuild builds the cases in one run (two tests would
// build the same dependencies twice, at once).
#[test]
fn compile_errors_and_accepted_uses() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}
