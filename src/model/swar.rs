//! Eight bytes at a time: tests on a `u64` read from text, for the loops that
//! copy plain runs of text and look closer only where a byte needs it (the
//! JSON and RON string writers).

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Nonzero when one of the eight bytes of `x` is `b`. Exact for "any byte":
/// a borrow only runs past a byte that matched.
#[inline]
pub fn any_is(x: u64, b: u8) -> u64 {
    let v = x ^ (u64::from(b) * ONES);
    v.wrapping_sub(ONES) & !v & HIGH
}

/// Nonzero when one of the eight bytes of `x` is below `n` (`n` at most
/// 0x80), exact for "any byte" as [`any_is`] is.
#[inline]
pub fn any_below(x: u64, n: u8) -> u64 {
    debug_assert!(n <= 0x80);
    x.wrapping_sub(u64::from(n) * ONES) & !x & HIGH
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn the_word_tests_agree_with_a_byte_at_a_time(
            bytes in proptest::array::uniform8(proptest::prelude::any::<u8>()),
            b in proptest::prelude::any::<u8>(),
            n in 0u8..=0x80,
        ) {
            let x = u64::from_le_bytes(bytes);
            proptest::prop_assert_eq!(any_is(x, b) != 0, bytes.contains(&b));
            proptest::prop_assert_eq!(any_below(x, n) != 0, bytes.iter().any(|&c| c < n));
        }
    }

    #[test]
    fn a_match_next_to_its_neighbours_is_found() {
        // A byte just above the one looked for (a borrow's usual false lead).
        let x = u64::from_le_bytes(*b"\x01\x00aaaaaa");
        assert_ne!(any_is(x, 0), 0);
        assert_eq!(any_is(u64::from_le_bytes(*b"\x01\x01aaaaaa"), 0), 0);
        assert_ne!(any_below(u64::from_le_bytes(*b"aaaaaaa\x1f"), 0x20), 0);
        assert_eq!(any_below(u64::from_le_bytes(*b"aaaaaaa "), 0x20), 0);
    }
}
