//! JSON written by hand, for the exports (JSONL, W3C) that write the same few
//! shapes for every annotation of a corpus. The text is serde_json's compact
//! text (`Value::to_string`), which the JSONL property test and the W3C golden
//! file hold it to; serde's derived serializers spent a tenth of those exports
//! escaping strings a byte at a time, where [`string`] looks at eight bytes at
//! once.

/// Appends `s` as a JSON string: quotes, and escapes where serde_json puts
/// them (`"`, `\`, and control characters below U+0020; nothing else).
#[inline]
pub fn string(out: &mut String, s: &str) {
    out.push('"');
    let b = s.as_bytes();
    // `run` is where the text not yet copied starts.
    let (mut run, mut i) = (0, 0);
    while i < b.len() {
        if let Some(word) = b.get(i..i + 8) {
            let x = u64::from_le_bytes(word.try_into().unwrap_or_default());
            if !needs_escape(x) {
                i += 8;
                continue;
            }
        }
        // Somewhere in the next eight bytes (or the last few): one at a time.
        let end = (i + 8).min(b.len());
        while i < end {
            if let Some(esc) = escape(b[i]) {
                out.push_str(&s[run..i]);
                out.push_str(esc.as_str());
                run = i + 1;
            }
            i += 1;
        }
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// `s` as a string, or `null`.
#[inline]
pub fn opt_string(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.push_str("null"),
    }
}

/// Appends a whole number.
#[inline]
pub fn number(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// An object being written: `key` writes the separator and the key, and
/// returns the text to write its value into.
pub struct Object<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Object<'a> {
    /// Opens an object.
    #[inline]
    pub fn open(out: &'a mut String) -> Self {
        out.push('{');
        Self { out, first: true }
    }

    /// Writes `"key":` (keys are plain ASCII, written as they are); the value follows.
    #[inline]
    pub fn key(&mut self, key: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
        self.out
    }

    /// Writes a string-valued entry whose key may need escaping (a map's key).
    pub fn entry(&mut self, key: &str, value: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        string(self.out, key);
        self.out.push(':');
        string(self.out, value);
    }

    /// Closes the object.
    #[inline]
    pub fn close(self) {
        self.out.push('}');
    }
}

/// Writes `items` as an array, each by `item`.
pub fn array<T>(out: &mut String, items: impl IntoIterator<Item = T>, mut item: impl FnMut(&mut String, T)) {
    out.push('[');
    for (k, it) in items.into_iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        item(out, it);
    }
    out.push(']');
}

/// True when one of the eight bytes in `x` is `"`, `\` or below 0x20.
#[inline]
fn needs_escape(x: u64) -> bool {
    use crate::model::swar::{any_below, any_is};
    (any_below(x, 0x20) | any_is(x, b'"') | any_is(x, b'\\')) != 0
}

/// An escape as serde_json writes it.
struct Escape {
    text: [u8; 6],
    len: usize,
}

impl Escape {
    fn as_str(&self) -> &str {
        // Only ASCII is ever put in `text`.
        std::str::from_utf8(&self.text[..self.len]).unwrap_or_default()
    }
}

/// The escape of byte `b`, if it needs one.
fn escape(b: u8) -> Option<Escape> {
    let short = |c: u8| Escape {
        text: [b'\\', c, 0, 0, 0, 0],
        len: 2,
    };
    Some(match b {
        b'"' => short(b'"'),
        b'\\' => short(b'\\'),
        b'\n' => short(b'n'),
        b'\r' => short(b'r'),
        b'\t' => short(b't'),
        0x08 => short(b'b'),
        0x0c => short(b'f'),
        0..0x20 => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            Escape {
                text: [
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 0xf)],
                ],
                len: 6,
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        let chars = proptest::sample::select(vec![
            'a', 'Z', ' ', '"', '\\', '/', '\n', '\r', '\t', '\u{0}', '\u{1}', '\u{8}', '\u{c}', '\u{1f}',
            '\u{7f}', '\u{85}', 'é', '漢', '😀', '\u{2028}', '!', '#', '[', '~',
        ]);
        proptest::collection::vec(chars, 0..40).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn strings_are_serde_jsons(s in text()) {
            let mut out = String::new();
            string(&mut out, &s);
            prop_assert_eq!(out, serde_json::to_string(&s).unwrap());
        }

        #[test]
        fn numbers_are_serde_jsons(n in any::<usize>()) {
            let mut out = String::new();
            number(&mut out, n);
            prop_assert_eq!(out, n.to_string());
        }
    }

    #[test]
    fn every_byte_below_0x80_is_escaped_as_serde_json_does() {
        for b in 0u8..0x80 {
            let s = String::from(char::from(b)).repeat(9);
            let mut out = String::new();
            string(&mut out, &s);
            assert_eq!(out, serde_json::to_string(&s).unwrap(), "byte {b:#x}");
        }
    }

    #[test]
    fn objects_and_arrays_are_compact() {
        let mut out = String::new();
        let mut o = Object::open(&mut out);
        string(o.key("a"), "x");
        array(o.key("b"), [1, 2], number);
        opt_string(o.key("c"), None);
        array(o.key("e"), Vec::<usize>::new(), number);
        o.close();
        assert_eq!(out, r#"{"a":"x","b":[1,2],"c":null,"e":[]}"#);
    }
}
