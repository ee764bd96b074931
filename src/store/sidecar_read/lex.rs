//! The reader's tokens: whitespace and comments, names, strings, numbers,
//! lists, maps and structs, and values of any type read past as text.
//!
//! Every function answers `None` on text it cannot read, after recording the
//! first error met (where and what) in the [`Reader`]; the caller turns that
//! into a line and a column.

use std::collections::BTreeMap;

use crate::model::{Span, Spans};

/// Nesting allowed inside an unknown field's value: deeper is refused rather
/// than risking the stack on a hostile file.
const MAX_DEPTH: usize = 64;

/// The lists annotations hold: `Vec`, and the inline `Spans`.
pub(super) trait Seq<T>: Default {
    fn push(&mut self, item: T);
    fn shrink(&mut self);
}

impl<T> Seq<T> for Vec<T> {
    fn push(&mut self, item: T) {
        Vec::push(self, item)
    }
    fn shrink(&mut self) {
        self.shrink_to_fit()
    }
}

impl Seq<Span> for Spans {
    fn push(&mut self, item: Span) {
        smallvec::SmallVec::push(self, item)
    }
    fn shrink(&mut self) {
        self.shrink_to_fit()
    }
}

/// Fills a field once; `None` when it was filled before (the caller names the duplicate).
pub(super) fn set<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

/// True when `b` may follow an identifier or a number here: RON would end the
/// token at the same place, and not read it as a raw identifier, a raw or byte
/// string, or a number with a suffix.
pub(super) fn ends_token(b: &[u8], i: usize) -> bool {
    match b.get(i) {
        None
        | Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | b'/' | b'(' | b')' | b',' | b':' | b']' | b'}') => {
            true
        }
        // The rarer white space `comments` skips: U+0085, U+200E, U+200F, U+2028, U+2029.
        Some(0xc2) => b.get(i + 1) == Some(&0x85),
        Some(0xe2) => b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0x8e | 0x8f | 0xa8 | 0xa9)),
        _ => false,
    }
}

/// The bytes an identifier continues with: ASCII letters, digits and `_`.
const IDENT: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    t
};

/// A step of reading over a piece of text (the whole file, or a window of it).
pub(super) struct Reader<'a> {
    pub src: &'a str,
    pub pos: usize,
    /// The first error met: where, and what is wrong.
    pub err: Option<(usize, String)>,
    /// The first field below the annotation level this build does not know:
    /// where, and a description. Reading goes on; the caller decides at the end
    /// (a newer minor version's field, or a mistake).
    pub nested: Option<(usize, String)>,
    /// Where the name of the field being read starts.
    key_at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(src: &'a str, pos: usize) -> Self {
        Self {
            src,
            pos,
            err: None,
            nested: None,
            key_at: pos,
        }
    }

    /// Records `message` as the error at `at` (unless one was recorded first).
    #[cold]
    #[inline(never)]
    pub fn fail_at<T>(&mut self, at: usize, message: String) -> Option<T> {
        if self.err.is_none() {
            self.err = Some((at, message));
        }
        None
    }

    /// Records `message` as the error here.
    #[cold]
    #[inline(never)]
    pub fn fail<T>(&mut self, message: impl Into<String>) -> Option<T> {
        self.fail_at(self.pos, message.into())
    }

    /// What stands at the reading position, for messages: `` `x` `` or a word.
    #[cold]
    pub fn found(&self) -> String {
        let rest = &self.src[self.pos..];
        let Some(c) = rest.chars().next() else {
            return "the end of the file".into();
        };
        if c.is_ascii_alphanumeric() || c == '_' {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(40)
                .collect();
            format!("`{word}`")
        } else if c.is_control() {
            format!("the control character U+{:04X}", u32::from(c))
        } else {
            format!("`{c}`")
        }
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    pub fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    pub fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// `b`, or an error saying it was expected `what` (formatted only then).
    #[inline]
    pub fn expect(&mut self, b: u8, what: impl std::fmt::Display) -> Option<()> {
        if self.eat(b) {
            return Some(());
        }
        self.expected(b, &what)
    }

    #[cold]
    #[inline(never)]
    fn expected(&mut self, b: u8, what: &dyn std::fmt::Display) -> Option<()> {
        let found = self.found();
        self.fail(format!("expected `{}` {what}, found {found}", b as char))
    }

    /// `,` then more, or the closing bracket: `true` after a comma.
    #[inline]
    pub fn comma_or(&mut self, close: u8, what: impl std::fmt::Display) -> Option<bool> {
        self.trivia()?;
        if self.eat(b',') {
            self.trivia()?;
            return Some(true);
        }
        if self.eat(close) {
            return Some(false);
        }
        self.no_comma(close, &what)
    }

    #[cold]
    #[inline(never)]
    fn no_comma(&mut self, close: u8, what: &dyn std::fmt::Display) -> Option<bool> {
        let found = self.found();
        self.fail(format!(
            "expected `,` or `{}` after {what}, found {found}; a comma may be missing",
            close as char
        ))
    }

    /// Skips whitespace and comments. The whitespace loop is inlined where it
    /// is called (three times a field): between tokens there is mostly none,
    /// or a line break and indentation, and the call itself cost as much.
    #[inline]
    pub fn trivia(&mut self) -> Option<()> {
        let b = self.src.as_bytes();
        let mut i = self.pos;
        // A line break, then indentation eight spaces at a time.
        if b.get(i) == Some(&b'\n') {
            i += 1;
            while let Some(w) = b.get(i..i + 8)
                && w == b"        "
            {
                i += 8;
            }
        }
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        self.pos = i;
        if matches!(b.get(i), Some(b'/' | 0x0b | 0x0c | 0xc2 | 0xe2)) {
            return self.comments();
        }
        Some(())
    }

    /// [`Reader::trivia`] from a `/` or a rarer whitespace character: comments
    /// (block comments nest, as in RON) and the whitespace between them.
    #[inline(never)]
    fn comments(&mut self) -> Option<()> {
        let b = self.src.as_bytes();
        let mut i = self.pos;
        loop {
            loop {
                match b.get(i) {
                    Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) => i += 1,
                    // U+0085, U+200E, U+200F, U+2028, U+2029: whitespace to RON as to Rust.
                    Some(0xc2) if b.get(i + 1) == Some(&0x85) => i += 2,
                    Some(0xe2)
                        if b.get(i + 1) == Some(&0x80)
                            && matches!(b.get(i + 2), Some(0x8e | 0x8f | 0xa8 | 0xa9)) =>
                    {
                        i += 3
                    }
                    _ => break,
                }
            }
            if b.get(i) != Some(&b'/') {
                self.pos = i;
                return Some(());
            }
            match b.get(i + 1) {
                Some(b'/') => {
                    let body = &b[i + 2..];
                    i += 2 + memchr::memchr(b'\n', body).unwrap_or(body.len());
                }
                Some(b'*') => {
                    let start = i;
                    let mut depth = 1;
                    i += 2;
                    while depth > 0 {
                        let Some(at) = memchr::memchr2(b'*', b'/', &b[i..]) else {
                            return self
                                .fail_at(start, "a `/*` comment is not closed: `*/` is missing".into());
                        };
                        i += at;
                        match (b[i], b.get(i + 1)) {
                            (b'*', Some(b'/')) => {
                                depth -= 1;
                                i += 2;
                            }
                            (b'/', Some(b'*')) => {
                                depth += 1;
                                i += 2;
                            }
                            _ => i += 1,
                        }
                    }
                }
                _ => {
                    self.pos = i;
                    return self.fail("a lone `/`: comments start with `//` or `/*`");
                }
            }
        }
    }

    /// An identifier of ASCII letters, digits and `_` (no error recorded when absent).
    pub fn ident(&mut self) -> Option<&'a str> {
        let b = self.src.as_bytes();
        let start = self.pos;
        if !b
            .get(start)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            return None;
        }
        let mut i = start + 1;
        while i < b.len() && IDENT[usize::from(b[i])] {
            i += 1;
        }
        if !ends_token(b, i) {
            return None;
        }
        self.pos = i;
        Some(&self.src[start..i])
    }

    /// A field's name; a raw identifier (`r#type`) is the name without its `r#`.
    pub fn key(&mut self) -> Option<&'a str> {
        if let Some(k) = self.ident() {
            return Some(k);
        }
        if self.src.as_bytes()[self.pos..].starts_with(b"r#") {
            self.pos += 2;
            if let Some(k) = self.ident() {
                return Some(k);
            }
            self.pos -= 2;
        }
        let found = self.found();
        self.fail(format!("expected a field name, found {found}"))
    }

    /// The value of a unit enum variant, looked up by name.
    pub fn variant<T: Copy>(&mut self, what: &str, names: &[(&str, T)]) -> Option<T> {
        let at = self.pos;
        if let Some(name) = self.ident()
            && let Some(&(_, v)) = names.iter().find(|(n, _)| *n == name)
        {
            return Some(v);
        }
        self.pos = at;
        let found = self.found();
        let names: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
        self.fail(format!(
            "{what} must be one of {}, found {found}",
            names.join(", ")
        ))
    }

    pub fn boolean(&mut self) -> Option<bool> {
        self.variant("this field", &[("true", true), ("false", false)])
    }

    /// A code-point offset: plain decimal digits, as the writer produces them.
    pub fn offset(&mut self) -> Option<usize> {
        let b = self.src.as_bytes();
        let start = self.pos;
        let mut i = start;
        let mut n: u64 = 0;
        let mut fits = true;
        while let Some(&c) = b.get(i)
            && c.is_ascii_digit()
        {
            match n.checked_mul(10).and_then(|n| n.checked_add(u64::from(c - b'0'))) {
                Some(m) => n = m,
                None => fits = false,
            }
            i += 1;
        }
        if i == start || !ends_token(b, i) {
            let found = self.found();
            return self.fail(format!(
                "expected a position (a whole number of characters written in digits, like 12), found {found}"
            ));
        }
        match usize::try_from(n) {
            Ok(n) if fits => {
                self.pos = i;
                Some(n)
            }
            _ => self.fail("this position is too large to be one in a text"),
        }
    }

    /// A number as a value: digits with an optional `-`, fraction and exponent.
    pub fn float(&mut self) -> Option<f64> {
        let start = self.pos;
        if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            let found = self.found();
            return self.fail(format!(
                "expected a number written like 41 or 1.5e3, found {found}"
            ));
        }
        self.number()?;
        match self.src[start..self.pos].parse::<f64>() {
            Ok(x) if x.is_finite() => Some(x),
            _ => self.fail_at(start, "expected a number written like 41 or 1.5e3".into()),
        }
    }

    /// `None` or `Some(…)` around what `inner` reads.
    pub fn option<T>(&mut self, inner: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.ident() {
            Some("None") => Some(None),
            Some("Some") => self.parenthesised(inner).map(Some),
            _ => {
                let found = self.found();
                self.fail(format!("expected `None` or `Some(…)`, found {found}"))
            }
        }
    }

    /// `(value)` with an optional trailing comma, as RON writes newtypes and `Some`.
    pub fn parenthesised<T>(&mut self, inner: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.trivia()?;
        self.expect(b'(', "here")?;
        self.trivia()?;
        let v = inner(self)?;
        self.trivia()?;
        if self.eat(b',') {
            self.trivia()?;
        }
        self.expect(b')', "to close the parentheses")?;
        Some(v)
    }

    /// `[a, b, …]`, without spare capacity: most span lists hold one span (a
    /// growing vector reserves four), and the annotation list is kept as long as
    /// the document is open.
    pub fn list<T, C: Seq<T>>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<C> {
        self.expect(b'[', "to begin a list")?;
        self.trivia()?;
        let mut out = C::default();
        while !self.eat(b']') {
            out.push(item(self)?);
            if !self.comma_or(b']', "an item of a list")? {
                break;
            }
        }
        out.shrink();
        Some(out)
    }

    /// `{"key": "value", …}`; a repeated key keeps its last value, as a map does.
    pub fn string_map<M: FromIterator<(String, String)>>(&mut self) -> Option<M> {
        self.expect(b'{', "to begin the attributes")?;
        self.trivia()?;
        let mut out = Vec::new();
        while !self.eat(b'}') {
            let k = self.string()?;
            self.trivia()?;
            self.expect(b':', "between an attribute's name and its value")?;
            self.trivia()?;
            let v = self.string()?;
            out.push((k, v));
            if !self.comma_or(b'}', "an attribute")? {
                break;
            }
        }
        Some(out.into_iter().collect())
    }

    /// The opening of a struct: `(`, or its type's name and `(`.
    pub fn open_struct(&mut self, names: &[&str], what: impl std::fmt::Display) -> Option<()> {
        if self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            let at = self.pos;
            match self.ident() {
                Some(name) if names.contains(&name) => self.trivia()?,
                _ => self.pos = at,
            }
        }
        self.expect(b'(', what)
    }

    /// A struct `(key: value, …)` whose writer puts its keys in `order`: each
    /// key is first looked for where the writer puts it, which is quicker than
    /// reading an identifier; any other order still reads. `field` is called
    /// with each key, the reader at its value, and where the value's text starts
    /// (after the spaces following the colon, before any comment). A field met
    /// twice is an error.
    pub fn fields_in_order(
        &mut self,
        (names, what): (&[&str], &str),
        order: &[&str],
        mut field: impl FnMut(&mut Self, &'a str, usize) -> Option<()>,
    ) -> Option<()> {
        self.open_struct(names, format_args!("to begin {what}"))?;
        self.trivia()?;
        let mut next = 0;
        loop {
            if self.eat(b')') {
                return Some(());
            }
            let at = self.pos;
            let key = match order.get(next) {
                Some(k)
                    if self.src.as_bytes()[self.pos..].starts_with(k.as_bytes())
                        && ends_token(self.src.as_bytes(), self.pos + k.len()) =>
                {
                    let key = &self.src[self.pos..self.pos + k.len()];
                    self.pos += k.len();
                    next += 1;
                    key
                }
                _ => {
                    let key = self.key()?;
                    if let Some(at) = order.iter().position(|k| *k == key) {
                        next = at + 1;
                    }
                    key
                }
            };
            self.key_at = at;
            self.trivia()?;
            self.expect(b':', format_args!("after the field name `{key}`"))?;
            self.spaces();
            let start = self.pos;
            self.trivia()?;
            if field(self, key, start).is_none() {
                return self.fail_at(
                    at,
                    format!("the field `{key}` appears twice in {what}; keep one of them"),
                );
            }
            if !self.comma_or(b')', format_args!("the value of `{key}`"))? {
                return Some(());
            }
        }
    }

    /// Skips white space, rarer kinds (U+2028, U+0085…) too, as `trivia` does.
    pub fn spaces(&mut self) {
        while let Some(c) = self.src[self.pos..].chars().next()
            && c.is_whitespace()
        {
            self.pos += c.len_utf8();
        }
    }

    /// An unknown field: its value is checked and kept as text (`start` is where it begins).
    pub fn unknown(&mut self, extra: &mut BTreeMap<String, String>, key: &str, start: usize) -> Option<()> {
        self.skip_value(0)?;
        let text = self.src[start..self.pos].to_owned();
        extra.insert(key.to_owned(), text).is_none().then_some(())
    }

    /// A field this build does not know below the annotation level: read past,
    /// and noted (the first one) for the caller to decide on.
    pub fn nested_unknown(&mut self, key: &str, known: &[&str], what: &str) -> Option<()> {
        if self.nested.is_none() {
            self.nested = Some((
                self.key_at,
                format!(
                    "unknown field `{key}` in {what} (the fields this build knows there are {})",
                    known.join(", ")
                ),
            ));
        }
        self.skip_value(0)
    }

    /// Checks one value of any type and stops right after it: strings (raw and
    /// byte strings too), characters, numbers, `true`/`false`, `None`/`Some(…)`,
    /// unit, tuple and struct values with or without a name, lists and maps.
    pub fn skip_value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return self.fail(format!("values nested more than {MAX_DEPTH} deep"));
        }
        let b = self.src.as_bytes();
        match self.peek() {
            Some(b'"') => self.string::<String>().map(drop),
            Some(b'r') if matches!(b.get(self.pos + 1), Some(b'"' | b'#')) => {
                self.raw_string::<String>().map(drop)
            }
            Some(b'b') if b.get(self.pos + 1) == Some(&b'"') => {
                self.pos += 1;
                self.string::<String>().map(drop)
            }
            Some(b'b')
                if b.get(self.pos + 1) == Some(&b'r') && matches!(b.get(self.pos + 2), Some(b'"' | b'#')) =>
            {
                self.pos += 1;
                self.raw_string::<String>().map(drop)
            }
            Some(b'\'') => self.char_literal(),
            Some(b'-' | b'+' | b'.' | b'0'..=b'9') => self.number(),
            Some(b'(') => self.skip_group(depth),
            Some(b'[') => {
                self.list::<(), Vec<()>>(|r| r.skip_value(depth + 1))?;
                Some(())
            }
            Some(b'{') => self.skip_map(depth),
            _ => match self.ident() {
                Some("Some") => self.parenthesised(|r| r.skip_value(depth + 1)),
                Some(_) => {
                    // A unit value ends at the name; a struct or tuple may follow it.
                    let end = self.pos;
                    self.trivia()?;
                    if self.peek() == Some(b'(') {
                        self.skip_group(depth)
                    } else {
                        self.pos = end;
                        Some(())
                    }
                }
                None => {
                    let found = self.found();
                    self.fail(format!("expected a value, found {found}"))
                }
            },
        }
    }

    /// A number, kept as text, never converted: `-12`, `3.25`, `1e5`, `2.5e-3`,
    /// `0x1F`, `0o17`, `0b101`. Rarer forms RON also reads (`_` between digits,
    /// a `+` sign, type suffixes, very long numbers) are refused with a message
    /// rather than risking a value RON would not read back.
    fn number(&mut self) -> Option<()> {
        let b = self.src.as_bytes();
        let start = self.pos;
        let count = |i: usize, ok: fn(&u8) -> bool| b[i.min(b.len())..].iter().take_while(|c| ok(c)).count();
        let mut i = start + usize::from(b[start] == b'-');
        let radix: Option<fn(&u8) -> bool> = match (b.get(i), b.get(i + 1)) {
            (Some(b'0'), Some(b'x')) => Some(u8::is_ascii_hexdigit),
            (Some(b'0'), Some(b'o')) => Some(|c| (b'0'..=b'7').contains(c)),
            (Some(b'0'), Some(b'b')) => Some(|c| matches!(c, b'0' | b'1')),
            _ => None,
        };
        let fits = if let Some(digit) = radix {
            let n = count(i + 2, digit);
            i += 2 + n;
            (1..=15).contains(&n)
        } else {
            let whole = count(i, u8::is_ascii_digit);
            i += whole;
            let mut fits = (1..=18).contains(&whole);
            if b.get(i) == Some(&b'.') {
                let frac = count(i + 1, u8::is_ascii_digit);
                i += 1 + frac;
                fits &= (1..=30).contains(&frac);
            }
            if b.get(i) == Some(&b'e') {
                i += 1 + usize::from(matches!(b.get(i + 1), Some(b'-' | b'+')));
                let exp = count(i, u8::is_ascii_digit);
                i += exp;
                fits &= (1..=3).contains(&exp);
            }
            fits
        };
        if !fits || !ends_token(b, i) {
            return self.fail(
                "a number in a form this build does not read: write digits, with an optional `-`, fraction and exponent (like -1.5e3), or 0x, 0o, 0b and digits",
            );
        }
        self.pos = i;
        Some(())
    }

    /// `(…)`: named fields when the first item is a name and a colon, else a tuple.
    fn skip_group(&mut self, depth: usize) -> Option<()> {
        self.expect(b'(', "here")?;
        self.trivia()?;
        let at = self.pos;
        let named = self.ident().is_some() && {
            self.trivia()?;
            self.peek() == Some(b':')
        };
        self.pos = at;
        loop {
            if self.eat(b')') {
                return Some(());
            }
            if named {
                self.key()?;
                self.trivia()?;
                self.expect(b':', "after a field name")?;
                self.trivia()?;
            }
            self.skip_value(depth + 1)?;
            if !self.comma_or(b')', "a value")? {
                return Some(());
            }
        }
    }

    fn skip_map(&mut self, depth: usize) -> Option<()> {
        self.expect(b'{', "here")?;
        self.trivia()?;
        loop {
            if self.eat(b'}') {
                return Some(());
            }
            self.skip_value(depth + 1)?;
            self.trivia()?;
            self.expect(b':', "between a key and its value")?;
            self.trivia()?;
            self.skip_value(depth + 1)?;
            if !self.comma_or(b'}', "an entry of a map")? {
                return Some(());
            }
        }
    }
}
