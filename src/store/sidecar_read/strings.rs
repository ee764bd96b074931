//! String and character literals, with every escape RON has.

use super::lex::Reader;

impl Reader<'_> {
    /// A string literal, escapes decoded as RON decodes them, as a `String` or
    /// a `CompactString` (the short fields: ids, labels, names, times, which
    /// fit inline without a heap block). Raw strings (`r"…"`, `r#"…"#`) read too.
    pub fn string<S: for<'x> From<&'x str> + From<String>>(&mut self) -> Option<S> {
        let b = self.src.as_bytes();
        match self.peek() {
            Some(b'"') => {}
            Some(b'r') if matches!(b.get(self.pos + 1), Some(b'"' | b'#')) => return self.raw_string(),
            _ => {
                let found = self.found();
                return self.fail(format!("expected a string in double quotes, found {found}"));
            }
        }
        let open = self.pos;
        let start = self.pos + 1;
        let unclosed = |r: &mut Self| {
            r.fail_at(
                open,
                "this string is not closed: its closing `\"` is missing".into(),
            )
        };
        let Some(at) = memchr::memchr2(b'"', b'\\', &b[start..]) else {
            return unclosed(self);
        };
        let mut i = start + at;
        if b[i] == b'"' {
            self.pos = i + 1;
            return Some(S::from(&self.src[start..i]));
        }
        let mut out = String::with_capacity(i - start + 16);
        out.push_str(&self.src[start..i]);
        loop {
            // b[i] is a backslash.
            let escape = i;
            let Some(&c) = b.get(i + 1) else {
                return unclosed(self);
            };
            i += 2;
            let decoded = match c {
                b'"' => Some(('"', i)),
                b'\\' => Some(('\\', i)),
                b'\'' => Some(('\'', i)),
                b'n' => Some(('\n', i)),
                b'r' => Some(('\r', i)),
                b't' => Some(('\t', i)),
                b'0' => Some(('\0', i)),
                // A backslash at the end of a line continues the string on the
                // next one, without the line break and the indentation.
                b'\n' => {
                    i = skip_continuation(b, i);
                    None
                }
                b'\r' if b.get(i) == Some(&b'\n') => {
                    i = skip_continuation(b, i + 1);
                    None
                }
                b'x' => match byte_escape(b, i) {
                    Some(d) => Some(d),
                    None => {
                        return self.fail_at(
                            escape,
                            "a bad `\\x` escape: write `\\xHH` with two hex digits, for an ASCII character or the bytes of one UTF-8 character".into(),
                        );
                    }
                },
                b'u' => match unicode_escape(b, i) {
                    Some(d) => Some(d),
                    None => {
                        return self.fail_at(
                            escape,
                            "a bad `\\u` escape: write `\\u{H}` with one to six hex digits naming a Unicode character".into(),
                        );
                    }
                },
                _ => {
                    self.pos = escape + 1;
                    let found = self.found();
                    return self.fail_at(
                        escape,
                        format!("unknown escape {found} after a backslash in a string; write `\\\\` for a backslash"),
                    );
                }
            };
            if let Some((ch, next)) = decoded {
                out.push(ch);
                i = next;
            }
            let run = i;
            let Some(at) = b.get(run..).and_then(|rest| memchr::memchr2(b'"', b'\\', rest)) else {
                return unclosed(self);
            };
            i += at;
            out.push_str(&self.src[run..i]);
            if b[i] == b'"' {
                self.pos = i + 1;
                return Some(S::from(out));
            }
        }
    }

    /// `r"…"` or `r#"…"#` (any number of `#`): the text as it stands.
    pub(super) fn raw_string<S: for<'x> From<&'x str>>(&mut self) -> Option<S> {
        let b = self.src.as_bytes();
        let open = self.pos;
        let mut i = self.pos + 1;
        let hashes = b[i..].iter().take_while(|&&c| c == b'#').count();
        i += hashes;
        if b.get(i) != Some(&b'"') {
            self.pos = i;
            return self.fail("expected `\"` to begin a raw string");
        }
        let start = i + 1;
        let mut at = start;
        loop {
            let Some(q) = memchr::memchr(b'"', &b[at..]) else {
                return self.fail_at(open, "this raw string is not closed".into());
            };
            let end = at + q;
            if b[end + 1..].iter().take(hashes).filter(|&&c| c == b'#').count() == hashes {
                self.pos = end + 1 + hashes;
                return Some(S::from(&self.src[start..end]));
            }
            at = end + 1;
        }
    }

    /// `'x'` or `'\n'`.
    pub(super) fn char_literal(&mut self) -> Option<()> {
        let start = self.pos;
        let rest = &self.src[start + 1..];
        let len = match rest.as_bytes().first() {
            Some(b'\\') => rest[1..].find('\'').map(|p| p + 1).filter(|&p| p > 1),
            Some(_) => rest.chars().next().map(char::len_utf8),
            None => None,
        };
        match len {
            Some(l) if rest.as_bytes().get(l) == Some(&b'\'') => {
                self.pos = start + 1 + l + 1;
                Some(())
            }
            _ => self.fail("a character literal is not closed with `'`"),
        }
    }
}

fn hex(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

/// Skips the spaces, tabs and line breaks after a line continuation.
fn skip_continuation(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// Two hex digits at `b[i..]`.
fn hex_byte(b: &[u8], i: usize) -> Option<u8> {
    Some((hex(*b.get(i)?)? * 16 + hex(*b.get(i + 1)?)?) as u8)
}

/// `\xHH` after the `x`: an ASCII character, or the first of up to four
/// `\xHH` escapes that together spell one UTF-8 character.
fn byte_escape(b: &[u8], mut i: usize) -> Option<(char, usize)> {
    let mut bytes = [hex_byte(b, i)?, 0, 0, 0];
    i += 2;
    if bytes[0].is_ascii() {
        return Some((char::from(bytes[0]), i));
    }
    for n in 1..4 {
        if b.get(i..i + 2)? != b"\\x" {
            return None;
        }
        bytes[n] = hex_byte(b, i + 2)?;
        i += 4;
        if let Ok(s) = std::str::from_utf8(&bytes[..=n]) {
            return Some((s.chars().next()?, i));
        }
    }
    None
}

/// `\u{H…}` after the `u`: one to six hex digits naming a Unicode scalar value.
fn unicode_escape(b: &[u8], mut i: usize) -> Option<(char, usize)> {
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    let mut value = 0u32;
    let mut digits = 0;
    while digits < 6 && b.get(i) != Some(&b'}') {
        value = value * 16 + hex(*b.get(i)?)?;
        digits += 1;
        i += 1;
    }
    if digits == 0 || b.get(i) != Some(&b'}') {
        return None;
    }
    Some((char::from_u32(value)?, i + 1))
}
