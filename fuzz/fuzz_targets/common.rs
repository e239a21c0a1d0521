//! Building requests from fuzz input, shared by the targets.

use libfuzzer_sys::arbitrary::{Result, Unstructured};

/// Header names the guard reads, and a few it must ignore.
const NAMES: &[&str] = &[
    "x-requested-with",
    "hx-request",
    "sec-fetch-mode",
    "accept",
    "hx-current-url",
    "referer",
    "host",
    "hx-boosted",
    "x-inertia",
    "origin",
];

/// Header sets: known names in any case (or any name), any bytes as values,
/// repeated names allowed; what `http` refuses is left out, as a server
/// never sees it.
pub fn headers(u: &mut Unstructured<'_>) -> Result<http::HeaderMap> {
    let mut headers = http::HeaderMap::new();
    for _ in 0..u.int_in_range(0..=8)? {
        let name: Vec<u8> = if u.ratio(7, 8)? {
            let name = *u.choose(NAMES)?;
            let mut mixed = name.as_bytes().to_vec();
            for b in &mut mixed {
                if u.arbitrary()? {
                    b.make_ascii_uppercase();
                }
            }
            mixed
        } else {
            u.arbitrary()?
        };
        let value: Vec<u8> = u.arbitrary()?;
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(&name),
            http::HeaderValue::from_bytes(&value),
        ) {
            headers.append(name, value);
        }
    }
    Ok(headers)
}
