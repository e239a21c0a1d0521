//! Strings written into the served script and into HTML: escaped so that
//! they can close neither a string literal, an attribute, nor an element.

use std::fmt::Write as _;

pub(crate) const fn hex16(value: u64) -> [u8; 16] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 16];
    let mut i = 0;
    while i < 16 {
        out[i] = DIGITS[((value >> (60 - 4 * i)) & 0xf) as usize];
        i += 1;
    }
    out
}

/// `byte` (ASCII) as it stands in a JavaScript string literal: ASCII
/// letters, digits and `_-./:` as they are, anything else as `\xHH`, so a
/// literal can close neither the string nor a `<script>` element.
pub(crate) const fn js_escape_ascii(byte: u8) -> ([u8; 4], usize) {
    if byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.' | b'/' | b':') {
        ([byte, 0, 0, 0], 1)
    } else {
        let hex = hex16(byte as u64);
        ([b'\\', b'x', hex[14], hex[15]], 4)
    }
}

/// `s` as a double-quoted JavaScript string literal, safe inside a
/// `<script>` element: ASCII as [`js_escape_ascii`] writes it, other
/// characters as `\xHH` or `\uHHHH`.
pub(crate) fn js_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c.is_ascii() {
            let (escaped, len) = js_escape_ascii(c as u8);
            out.extend(escaped[..len].iter().map(|&b| b as char));
        } else if (c as u32) < 0x100 {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out.push('"');
    out
}

/// `text` escaped for HTML text and double- or single-quoted attributes.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_string_escapes_everything_but_a_safe_set() {
        assert_eq!(js_string("LOGIN_REQUIRED"), "\"LOGIN_REQUIRED\"");
        assert_eq!(js_string("/a?b=c&d"), "\"/a\\x3fb\\x3dc\\x26d\"");
        assert_eq!(js_string("\n\u{2028}é"), "\"\\x0a\\u2028\\xe9\"");
        assert_eq!(js_string("😀"), "\"\\ud83d\\ude00\"");
    }
}
