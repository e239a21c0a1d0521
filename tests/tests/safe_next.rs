//! `safe_next` against a corpus of open-redirect payloads, and as a
//! property: whatever it accepts stays on this origin in a browser's URL
//! parser (the WHATWG parser of the `url` crate), even after a server
//! decodes it once more.

use proptest::prelude::*;
use require_login::login::safe_next;
use serde::Deserialize;
use url::Url;

#[derive(Deserialize)]
struct Corpus {
    sources: std::collections::BTreeMap<String, String>,
    refused: Vec<Entry>,
    accepted: Vec<Entry>,
    refused_though_others_accept: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    payload: String,
    source: String,
}

fn corpus() -> Corpus {
    serde_json::from_str(include_str!("data/open_redirect_payloads.json"))
        .expect("tests/data/open_redirect_payloads.json is valid")
}

/// The page a login form is on; `next` is resolved against it.
const LOGIN_PAGE: &str = "https://app.example/accounts/login?next=x";

/// Where a browser goes for `next`, as a URL: `None` when it cannot parse.
fn browser_target(next: &str) -> Option<Url> {
    Url::parse(LOGIN_PAGE).unwrap().join(next).ok()
}

fn stays_on_this_origin(next: &str) -> bool {
    let base = Url::parse(LOGIN_PAGE).unwrap();
    browser_target(next).is_some_and(|url| url.origin() == base.origin())
}

/// `text` percent-decoded once, as a server decodes it.
fn percent_decoded(text: &str) -> String {
    decoded_where(text, |_| true)
}

/// `text` with the escapes of visible ASCII (`%21`..`%7E`) decoded once:
/// the decoding `safe_next` is closed under.
fn visible_ascii_decoded(text: &str) -> String {
    decoded_where(text, |byte| byte.is_ascii_graphic())
}

fn decoded_where(text: &str, decode: impl Fn(u8) -> bool) -> String {
    let mut bytes = Vec::with_capacity(text.len());
    let raw = text.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if raw[i] == b'%' && i + 2 < raw.len() {
            if let (Some(hi), Some(lo)) = (hex(raw[i + 1]), hex(raw[i + 2])) {
                let byte = u8::try_from(hi * 16 + lo).unwrap();
                if decode(byte) {
                    bytes.push(byte);
                    i += 3;
                    continue;
                }
            }
        }
        bytes.push(raw[i]);
        i += 1;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `next` and what it becomes after one, two and three more decodings.
fn decodings(next: &str) -> Vec<String> {
    std::iter::successors(Some(next.to_owned()), |text| Some(percent_decoded(text)))
        .take(4)
        .collect()
}

#[test]
fn every_payload_of_the_corpus_is_refused() {
    let corpus = corpus();
    assert!(corpus.refused.len() >= 60, "at least 60 payloads");
    let accepted: Vec<&str> = corpus
        .refused
        .iter()
        .chain(&corpus.refused_though_others_accept)
        .map(|entry| entry.payload.as_str())
        .filter(|payload| safe_next(payload).is_some())
        .collect();
    assert_eq!(accepted, Vec::<&str>::new(), "payloads safe_next accepted");
}

#[test]
fn local_paths_are_kept() {
    let corpus = corpus();
    for entry in &corpus.accepted {
        let path = entry.payload.as_str();
        assert_eq!(safe_next(path), Some(path), "{path:?} ({})", entry.source);
        for (times, decoded) in decodings(path).iter().enumerate() {
            assert!(
                stays_on_this_origin(decoded),
                "{path:?}, decoded {times} times more, leaves the origin"
            );
        }
    }
}

#[test]
fn every_entry_names_a_listed_source() {
    let corpus = corpus();
    let all = corpus
        .refused
        .iter()
        .chain(&corpus.accepted)
        .chain(&corpus.refused_though_others_accept);
    for entry in all {
        assert!(
            corpus.sources.contains_key(&entry.source),
            "{:?}: unknown source {:?}",
            entry.payload,
            entry.source
        );
    }
}

/// The corpus's refused payloads are refused for a reason: a sample of
/// them really does leave the origin in a browser's parser.
#[test]
fn the_classic_payloads_really_leave_the_origin() {
    for payload in [
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "http:evil.example", // against an https page; the reverse holds too
        "http:/\\/\\evil.example",
        " //evil.example",
    ] {
        assert!(!stays_on_this_origin(payload), "{payload:?}");
        assert_eq!(safe_next(payload), None, "{payload:?}");
    }
}

/// Candidates built from the characters open redirects are made of.
fn candidate() -> impl Strategy<Value = String> {
    const PREFIXES: &[&str] = &[
        "//", "/\\", "/%2F", "/%5c", "/.", "/%2e", "/%25", "", "http:", "\\", " /", "/%09",
        "/%C2%A0", "/a/", "~/", "/%", "/a/..",
    ];
    // Pieces a local path may hold (escapes included), and pieces that
    // always make it unsafe, a quarter as often, so that accepted
    // candidates are common enough to test.
    const PIECES: &[&str] = &[
        "/",
        "/",
        ".",
        "..",
        ":",
        "?",
        "#",
        "@",
        "&",
        "=",
        "a",
        "b",
        "evil.example",
        "http",
        "https:",
        "~",
        ";",
        "<",
    ];
    const UNSAFE_PIECES: &[&str] = &[
        "\\", " ", "\t", "\n", "\r", "\0", "\u{7f}", "é", "\u{3000}", "\u{FF0F}", "\u{2028}",
        "\u{202E}",
    ];
    let piece = prop_oneof![
        2 => proptest::sample::select(PIECES),
        2 => proptest::sample::select(require_login_tests::open_redirect::ESCAPES),
        1 => proptest::sample::select(UNSAFE_PIECES),
    ];
    (
        prop_oneof![
            2 => Just("/"),
            2 => Just("/a/"),
            1 => proptest::sample::select(PREFIXES),
        ],
        proptest::collection::vec(piece, 0..12),
    )
        .prop_map(|(prefix, pieces)| {
            let mut candidate = String::from(prefix);
            candidate.extend(pieces);
            candidate
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// Whatever safe_next accepts, a browser resolves on this origin, and
    /// so it does after a server percent-decodes it once, twice or three
    /// times more.
    #[test]
    fn nothing_safe_next_accepts_is_off_site(candidate in candidate()) {
        if let Some(next) = safe_next(&candidate) {
            prop_assert_eq!(next, candidate.as_str());
            for (times, decoded) in decodings(next).iter().enumerate() {
                prop_assert!(stays_on_this_origin(decoded),
                    "{:?} decoded {} times to {:?} leaves the origin", next, times, decoded);
            }
        }
    }

    /// Closed under decoding: one more decoding of what safe_next accepts
    /// (of its visible-ASCII escapes) is accepted too.
    #[test]
    fn safe_next_is_closed_under_decoding(candidate in candidate()) {
        if safe_next(&candidate).is_some() {
            let decoded = visible_ascii_decoded(&candidate);
            prop_assert!(safe_next(&decoded).is_some(),
                "{:?} is accepted, but not {:?}, its decoding", candidate, decoded);
        }
    }

    /// A path of plain characters, with a query of plain characters and
    /// escapes of punctuation, is always accepted: the strictness does not
    /// refuse ordinary pages. (`%5C` is refused anywhere, and `%25` makes
    /// an escape of what follows.)
    #[test]
    fn ordinary_paths_are_accepted(segments in proptest::collection::vec("[a-z0-9_-]{1,8}", 0..5),
                                   query in proptest::option::of("([a-z0-9=&/]|%2[0-46-9a-fA-F]|%[34][0-9a-fA-F]){0,12}")) {
        let mut path = format!("/{}", segments.join("/"));
        if let Some(query) = query {
            path.push('?');
            path.push_str(&query);
        }
        prop_assert_eq!(safe_next(&path), Some(path.as_str()));
    }
}
