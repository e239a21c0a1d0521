//! What open redirects are made of, shared by the property tests of the way
//! back (`safe_next.rs`, `round_trip.rs`).

/// The percent-escapes open redirects are made of: encoded separators and
/// escapes (`%2F`, `%5C`, `%25`), dots, whitespace and control characters,
/// a Unicode line separator, a lone `%`, and the digits that follow a lone
/// `%` to make an escape after one more decoding (`%%35%63` is `%5c`).
pub const ESCAPES: &[&str] = &[
    "%",
    "%2F",
    "%2f",
    "%5C",
    "%25",
    "%2e",
    "%2E",
    "%3F",
    "%3D",
    "%26",
    "%20",
    "%09",
    "%0A",
    "%00",
    "%C2",
    "%E2%80%A8",
    "%E3%80%80",
    "%zz",
    "%32",
    "%35",
    "%46",
    "%63",
    "%66",
];
