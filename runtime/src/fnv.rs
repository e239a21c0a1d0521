//! FNV-1a, 64 bits, the crate's one hash of its own: the client script's
//! version ([`ClientScript::version`](crate::ClientScript::version)) and the
//! site id of each `#[require_login]` ([`site_id`](crate::__private::site_id)).
//! Both run at compile time, in a `const`. Neither input is chosen by a
//! client, so a hash that is fast and simple is enough.

/// The hash of no bytes.
pub(crate) const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// `hash` with one more byte.
pub(crate) const fn step(hash: u64, byte: u8) -> u64 {
    (hash ^ byte as u64).wrapping_mul(0x0100_0000_01b3)
}

/// `hash` with each of `bytes`.
pub(crate) const fn update(mut hash: u64, bytes: &[u8]) -> u64 {
    let mut i = 0;
    while i < bytes.len() {
        hash = step(hash, bytes[i]);
        i += 1;
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_fnv_1a_64() {
        // The published test vectors (draft-eastlake-fnv, section 6).
        assert_eq!(update(OFFSET, b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(update(OFFSET, b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(update(OFFSET, b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(
            update(update(OFFSET, b"foo"), b"bar"),
            update(OFFSET, b"foobar")
        );
    }
}
