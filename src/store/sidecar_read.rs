//! A single-pass sidecar reader: RON text straight into the model, without
//! copying the text first.
//!
//! The general reader in `sidecar.rs` cuts the file into field texts with
//! `ronscan` (to keep unknown fields) and then runs serde over it, which copies
//! a large sidecar several times over. This reader walks the text once. It
//! accepts RON as people write it by hand for this format (any layout, `//`
//! and `/* */` comments, fields in any order, trailing commas or not, omitted
//! fields that have defaults, every string escape RON has) and answers `None`
//! for anything else: raw strings, char literals, named structs, unknown
//! fields below the annotation level, duplicate fields, syntax errors. The
//! caller then runs the general reader, which gives the error message. Where it
//! answers, it reads exactly what the general reader would, and keeps unknown
//! fields as the same trimmed value text that `ronscan` cuts out.
//!
//! A file can be read a window of text at a time ([`read_from`]): a large
//! sidecar held whole beside the annotations read from it nearly doubled the
//! memory opening it took. A step that meets the end of the window runs again
//! on more text, so the answer is the one the whole text gives.
//!
//! Whitespace is the four ASCII characters; RON's other whitespace characters
//! (form feed, U+2028, …) are rare enough to leave to the general reader.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Read};

use crate::model::{
    Annotation, Attributes, Claim, ClaimType, Cue, DocAnnotations, Kind, Relation, Span, Spans, Speaker,
    Stance, Status, Target,
};

/// The fields of an annotation this version knows, in the order
/// `write_annotation` writes them (the single-pass reader looks for them so).
pub(super) const ANN_FIELDS: &[&str] = &[
    "id",
    "spans",
    "quote",
    "prefix",
    "suffix",
    "label",
    "kind",
    "attributes",
    "note",
    "annotator",
    "created",
    "modified",
    "orphaned",
];

/// What a reader that only exports leaves out of the annotations of a sidecar
/// written for the text as it is (see `sidecar::from_reader_fast`).
#[derive(Clone, Copy, Debug)]
pub struct LeaveOut<'a> {
    /// The hash of the source as it is now.
    pub unless_source: &'a str,
    /// Also the quote, note, annotator, times and attributes, for an export
    /// that writes only labels and spans (CoNLL).
    pub details: bool,
}

/// The lists annotations hold: `Vec`, and the inline `Spans`.
trait Seq<T>: Default {
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

/// Nesting allowed inside an unknown field's value. `ron` stops at 128 levels
/// of its own, which count up to two per level here; staying well below keeps
/// every value this reader accepts one that `ron` accepts too.
const MAX_DEPTH: usize = 32;

/// What a sidecar holds, before the format and version rules are applied.
pub(super) struct Raw {
    pub format: String,
    pub version: String,
    /// The version value as written (quotes, escapes), for the early check
    /// of newer major versions that looks at the text.
    pub version_text: String,
    pub source: String,
    pub source_hash: String,
    pub data: DocAnnotations,
}

/// Reads a whole sidecar, or `None` when it is not in the subset of RON this reader handles.
pub(super) fn read(src: &str) -> Option<Raw> {
    let mut input = Input {
        text: Cow::Borrowed(src),
        pos: 0,
        from: io::empty(),
        seen: &mut |_| {},
        pending: Vec::new(),
        at_start: false,
        eof: true,
        window: src.len(),
        size: None,
        read: 0,
        leave_out: None,
        keep_context: true,
        keep_details: true,
    };
    input.raw().ok().flatten()
}

/// Text kept ahead of the reader while a file is read in pieces: more than
/// any annotation takes in practice (a larger one is read again with a
/// larger window), small beside the annotations of a large sidecar.
pub(super) const WINDOW: usize = 64 * 1024;

/// [`read`] for a sidecar read from `from`, a window of text at a time, so a
/// large file is never held whole beside the annotations read from it. A UTF-8
/// byte-order mark at the start is skipped. `seen` is given every byte read.
/// `Ok(None)` for text this reader does not handle, and for bytes that are not
/// UTF-8; the file then goes to the general reader. `window` is the text
/// wanted ahead of each step: [`WINDOW`], or less in tests.
///
/// With `leave_out` naming the hash of the source as it is now, a sidecar
/// whose `source_hash` (read before its annotations) names that same text keeps
/// no `prefix` and `suffix`: they only serve to place annotations again on a
/// changed text, and a reader that only exports or counts never saves them.
/// With `details` too, no quote, note, annotator, times or attributes either.
/// `size` is the file's size if known: a small file is then read in one piece
/// of its size rather than a window.
pub(super) fn read_from(
    from: impl Read,
    seen: &mut dyn FnMut(&[u8]),
    window: usize,
    leave_out: Option<LeaveOut<'_>>,
    size: Option<u64>,
) -> io::Result<Option<Raw>> {
    Input {
        text: Cow::Owned(String::new()),
        pos: 0,
        from,
        seen,
        pending: Vec::new(),
        at_start: true,
        eof: false,
        window,
        size,
        read: 0,
        leave_out,
        keep_context: true,
        keep_details: true,
    }
    .raw()
}

/// One field of the file, as read by one step of [`Input::raw`].
enum Field {
    Format(String),
    Version(String, String),
    Source(String),
    SourceHash(String),
    Status(Status),
    /// The value, a list, follows: read one annotation (or relation) at a time.
    Annotations,
    Relations,
    Unknown(String, String),
}

/// The text a [`Reader`] runs over: all of it, or a window of a file that
/// moves on between steps.
struct Input<'s, R> {
    text: Cow<'s, str>,
    /// Where the next step starts in `text`.
    pos: usize,
    from: R,
    seen: &'s mut dyn FnMut(&[u8]),
    /// Bytes read but not yet in `text`: a character cut at the end of a read.
    pending: Vec<u8>,
    /// Nothing read yet (a byte-order mark may come).
    at_start: bool,
    eof: bool,
    /// Text wanted ahead of `pos` before each step.
    window: usize,
    /// The file's size as its metadata gave it, if known (it may change meanwhile).
    size: Option<u64>,
    /// Bytes read so far.
    read: u64,
    /// See [`read_from`].
    leave_out: Option<LeaveOut<'s>>,
    /// False once the sidecar named the text `leave_out` is the hash of.
    keep_context: bool,
    /// False once it did, when `leave_out` leaves details out too.
    keep_details: bool,
}

impl<R: Read> Input<'_, R> {
    fn raw(&mut self) -> io::Result<Option<Raw>> {
        let mut format = None;
        let mut version = None;
        let mut source = None;
        let mut source_hash = None;
        let mut status = None;
        let mut annotations = None;
        let mut relations = None;
        let mut extra = BTreeMap::new();
        let opened = self.step(|r| {
            r.trivia()?;
            r.expect(b'(')?;
            r.trivia()
        })?;
        if opened.is_none() {
            return Ok(None);
        }
        // The steps below are `Reader::fields` of the top-level struct, cut
        // where a list's items can be read one by one.
        loop {
            // A field and what follows it are one step, so that a value is only
            // taken once the text after it is seen (a unit name may begin a struct).
            let Some(step) = self.step(|r| {
                if r.eat(b')') {
                    return Some(None);
                }
                let key = r.ident()?;
                r.spaces();
                r.expect(b':')?;
                r.spaces();
                let start = r.pos;
                r.trivia()?;
                let field = match key {
                    "format" => Field::Format(r.string()?),
                    "version" => {
                        let v = r.string()?;
                        Field::Version(v, r.src[start..r.pos].to_owned())
                    }
                    "source" => Field::Source(r.string()?),
                    "source_hash" => Field::SourceHash(r.string()?),
                    "status" => Field::Status(r.variant(&[
                        ("NotStarted", Status::NotStarted),
                        ("InProgress", Status::InProgress),
                        ("Done", Status::Done),
                    ])?),
                    "annotations" => return Some(Some((Field::Annotations, None))),
                    "relations" => return Some(Some((Field::Relations, None))),
                    _ => {
                        r.skip_value(0)?;
                        Field::Unknown(key.to_owned(), r.src[start..r.pos].to_owned())
                    }
                };
                Some(Some((field, Some(r.after_field()?))))
            })?
            else {
                return Ok(None);
            };
            let Some((field, more)) = step else { break };
            let done = match field {
                Field::Format(v) => set(&mut format, v),
                Field::Version(v, text) => set(&mut version, (v, text)),
                Field::Source(v) => set(&mut source, v),
                Field::SourceHash(v) => {
                    let same = self.leave_out.filter(|l| l.unless_source == v.as_str());
                    self.keep_context = same.is_none();
                    self.keep_details = !same.is_some_and(|l| l.details);
                    set(&mut source_hash, v)
                }
                Field::Status(v) => set(&mut status, v),
                Field::Annotations => self
                    .list(|r| r.annotation())?
                    .and_then(|l| set(&mut annotations, l)),
                Field::Relations => self.list(|r| r.relation())?.and_then(|l| set(&mut relations, l)),
                Field::Unknown(key, text) => extra.insert(key, text).is_none().then_some(()),
            };
            let more = match more {
                Some(more) => Some(more),
                None => self.step(|r| r.after_field())?,
            };
            match (done, more) {
                (Some(()), Some(true)) => {}
                (Some(()), Some(false)) => break,
                _ => return Ok(None),
            }
        }
        if self.step(|r| r.trivia())?.is_none() || !self.eof || self.pos != self.text.len() {
            return Ok(None);
        }
        let Some((version, version_text)) = version else {
            return Ok(None);
        };
        Ok(format.map(|format| Raw {
            format,
            version,
            version_text,
            source: source.unwrap_or_default(),
            source_hash: source_hash.unwrap_or_default(),
            data: DocAnnotations {
                annotations: annotations.unwrap_or_default(),
                relations: relations.unwrap_or_default(),
                status: status.unwrap_or_default(),
                meta: Default::default(),
                extra,
            },
        }))
    }

    /// [`Reader::list`], one step per item, so the window moves on between items.
    fn list<T>(&mut self, item: impl Fn(&mut Reader) -> Option<T>) -> io::Result<Option<Vec<T>>> {
        if self
            .step(|r| {
                r.expect(b'[')?;
                r.trivia()
            })?
            .is_none()
        {
            return Ok(None);
        }
        let mut out = Vec::new();
        loop {
            let next = self.step(|r| {
                if r.eat(b']') {
                    return Some(None);
                }
                let v = item(r)?;
                r.trivia()?;
                let more = if r.eat(b',') {
                    r.trivia()?;
                    true
                } else {
                    r.expect(b']')?;
                    false
                };
                Some(Some((v, more)))
            })?;
            match next {
                None => return Ok(None),
                Some(None) => break,
                Some(Some((v, more))) => {
                    out.push(v);
                    if !more {
                        break;
                    }
                }
            }
        }
        out.shrink_to_fit();
        Ok(Some(out))
    }

    /// Runs `read` on the text from `pos`, with at least a window of text ahead
    /// (or the rest of the file). A step that fails, or reads up to the end of
    /// the window (where it may have met a token or comment cut short), runs
    /// again on twice as much text, until the file's end is in the window: only
    /// then is a failure the text's.
    fn step<T>(&mut self, read: impl Fn(&mut Reader) -> Option<T>) -> io::Result<Option<T>> {
        let mut want = self.window;
        loop {
            if !self.fill(want)? {
                return Ok(None);
            }
            let mut r = Reader {
                src: &self.text,
                pos: self.pos,
                keep_context: self.keep_context,
                keep_details: self.keep_details,
            };
            let got = read(&mut r);
            if self.eof || (got.is_some() && r.pos < r.src.len()) {
                if got.is_some() {
                    self.pos = r.pos;
                }
                return Ok(got);
            }
            want = want.saturating_mul(2);
        }
    }

    /// Reads until `want` bytes of text follow `pos` or the file has ended;
    /// `false` when the bytes are not UTF-8.
    fn fill(&mut self, want: usize) -> io::Result<bool> {
        if self.eof || self.text.len() - self.pos >= want {
            return Ok(true);
        }
        let text = self.text.to_mut();
        text.drain(..self.pos);
        self.pos = 0;
        while text.len() < want && !self.eof {
            let had = self.pending.len();
            // Pieces of a window each (a file is never read far ahead of the
            // reader), or less where the file's size says less is left: the
            // piece is zeroed before it is read into. One byte more than is
            // left, and the next read finds the end.
            let piece = match self.size {
                Some(size) if self.read <= size => usize::try_from(size - self.read)
                    .unwrap_or(usize::MAX)
                    .saturating_add(1)
                    .min(self.window),
                _ => self.window,
            }
            .max(4);
            self.pending.resize(had + piece, 0);
            let read = self.from.read(&mut self.pending[had..]);
            self.pending.truncate(had + read.as_ref().map_or(0, |&n| n));
            match read {
                Ok(0) => self.eof = true,
                Ok(n) => {
                    self.read += n as u64;
                    (self.seen)(&self.pending[had..]);
                    // Fewer bytes than asked for, and all the size said: the
                    // end, without a read that finds nothing.
                    if n < piece && self.size == Some(self.read) {
                        self.eof = true;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            if self.at_start && (self.pending.len() >= 3 || self.eof) {
                self.at_start = false;
                if self.pending.starts_with(b"\xEF\xBB\xBF") {
                    self.pending.drain(..3);
                }
            }
            if self.at_start {
                continue;
            }
            let whole = if self.eof {
                self.pending.len()
            } else {
                whole_chars(&self.pending)
            };
            match super::decode::utf8(&self.pending[..whole]) {
                Ok(s) => text.push_str(s),
                Err(_) => return Ok(false),
            }
            self.pending.drain(..whole);
        }
        Ok(true)
    }
}

/// Length of the part of `b` that ends on a character boundary: all of it,
/// unless it ends inside a multi-byte UTF-8 sequence.
fn whole_chars(b: &[u8]) -> usize {
    for back in 1..=b.len().min(3) {
        let lead = b[b.len() - back];
        if lead & 0xC0 != 0x80 {
            let len = match lead {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF7 => 4,
                _ => 1,
            };
            return if len > back { b.len() - back } else { b.len() };
        }
    }
    b.len()
}

/// A string read past: checked like any other, and not copied.
struct Unkept;

impl From<&str> for Unkept {
    fn from(_: &str) -> Self {
        Unkept
    }
}

impl From<String> for Unkept {
    fn from(_: String) -> Self {
        Unkept
    }
}

/// Fills a field once; a second occurrence is a duplicate, which serde refuses.
fn set<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

/// True when `b` may follow an identifier or a number here: RON would end the
/// token at the same place, and not read it as a raw identifier, a raw or byte
/// string, or a number with a suffix.
fn ends_token(b: Option<&u8>) -> bool {
    matches!(
        b,
        None | Some(b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'(' | b')' | b',' | b':' | b']' | b'}')
    )
}

fn hex(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
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

struct Reader<'a> {
    src: &'a str,
    pos: usize,
    /// False when `prefix` and `suffix` are read past rather than kept (see [`read_from`]).
    keep_context: bool,
    /// False when the quote, note, annotator, times and attributes are read past too.
    keep_details: bool,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        self.eat(b).then_some(())
    }

    fn spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Skips whitespace and comments. The whitespace loop is inlined where it
    /// is called (three times a field): between tokens there is mostly none,
    /// or a line break and indentation, and the call itself cost as much.
    #[inline]
    fn trivia(&mut self) -> Option<()> {
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
        if b.get(i) == Some(&b'/') {
            return self.comments();
        }
        Some(())
    }

    /// [`Reader::trivia`] from a `/`: comments and the whitespace between them.
    #[inline(never)]
    fn comments(&mut self) -> Option<()> {
        let b = self.src.as_bytes();
        let mut i = self.pos;
        loop {
            while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
                i += 1;
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
                    // RON nests block comments and `ronscan` does not; a comment
                    // holding `/*` is left to the general reader.
                    let body = &b[i + 2..];
                    let end = memchr::memmem::find(body, b"*/")?;
                    if memchr::memmem::find(&body[..end + 1], b"/*").is_some() {
                        return None;
                    }
                    i += 2 + end + 2;
                }
                _ => return None,
            }
        }
    }

    /// An identifier of ASCII letters, digits and `_`.
    fn ident(&mut self) -> Option<&'a str> {
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
        if !ends_token(b.get(i)) {
            return None;
        }
        self.pos = i;
        Some(&self.src[start..i])
    }

    /// The value of a unit enum variant, looked up by name.
    fn variant<T: Copy>(&mut self, names: &[(&str, T)]) -> Option<T> {
        let name = self.ident()?;
        names.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
    }

    fn boolean(&mut self) -> Option<bool> {
        self.variant(&[("true", true), ("false", false)])
    }

    /// A code-point offset: plain decimal digits, as the writer produces them.
    fn offset(&mut self) -> Option<usize> {
        let b = self.src.as_bytes();
        let start = self.pos;
        let mut i = start;
        let mut n: u64 = 0;
        while let Some(&c) = b.get(i)
            && c.is_ascii_digit()
        {
            n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
            i += 1;
        }
        if i == start || !ends_token(b.get(i)) {
            return None;
        }
        self.pos = i;
        usize::try_from(n).ok()
    }

    /// A string literal, escapes decoded as RON decodes them.
    /// A string literal, as a `String` or a `CompactString` (the short fields:
    /// ids, labels, names, times, which fit inline without a heap block).
    fn string<S: for<'x> From<&'x str> + From<String>>(&mut self) -> Option<S> {
        let b = self.src.as_bytes();
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.pos + 1;
        let mut i = start + memchr::memchr2(b'"', b'\\', &b[start..])?;
        if b[i] == b'"' {
            self.pos = i + 1;
            return Some(S::from(&self.src[start..i]));
        }
        let mut out = String::with_capacity(i - start + 16);
        out.push_str(&self.src[start..i]);
        loop {
            // b[i] is a backslash.
            let c = *b.get(i + 1)?;
            i += 2;
            match c {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'\'' => out.push('\''),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'0' => out.push('\0'),
                // A backslash at the end of a line continues the string on the
                // next one, without the line break and the indentation.
                b'\n' => i = skip_continuation(b, i),
                b'\r' if b.get(i) == Some(&b'\n') => i = skip_continuation(b, i + 1),
                b'x' => {
                    let (ch, next) = byte_escape(b, i)?;
                    out.push(ch);
                    i = next;
                }
                b'u' => {
                    let (ch, next) = unicode_escape(b, i)?;
                    out.push(ch);
                    i = next;
                }
                _ => return None,
            }
            let run = i;
            i += memchr::memchr2(b'"', b'\\', b.get(run..)?)?;
            out.push_str(&self.src[run..i]);
            if b[i] == b'"' {
                self.pos = i + 1;
                return Some(S::from(out));
            }
        }
    }

    /// A `prefix` or `suffix`: the string, or an empty one when context is not kept.
    fn context(&mut self) -> Option<String> {
        if self.keep_context {
            return self.string();
        }
        self.string::<Unkept>()?;
        Some(String::new())
    }

    /// A string the reader keeps unless it leaves details out (see [`read_from`]).
    fn detail<S: Default + for<'x> From<&'x str> + From<String>>(&mut self) -> Option<S> {
        if self.keep_details {
            return self.string();
        }
        self.string::<Unkept>()?;
        Some(S::default())
    }

    /// `None` or `Some(…)` around what `inner` reads.
    fn option<T>(&mut self, inner: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.ident()? {
            "None" => Some(None),
            "Some" => self.parenthesised(inner).map(Some),
            _ => None,
        }
    }

    /// `(value)` with an optional trailing comma, as RON writes newtypes and `Some`.
    fn parenthesised<T>(&mut self, inner: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.trivia()?;
        self.expect(b'(')?;
        self.trivia()?;
        let v = inner(self)?;
        self.trivia()?;
        if self.eat(b',') {
            self.trivia()?;
        }
        self.expect(b')')?;
        Some(v)
    }

    /// `[a, b, …]`, without spare capacity: most span lists hold one span (a
    /// growing vector reserves four), and the annotation list is kept as long as
    /// the document is open.
    fn list<T, C: Seq<T>>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<C> {
        self.expect(b'[')?;
        self.trivia()?;
        let mut out = C::default();
        loop {
            if self.eat(b']') {
                break;
            }
            out.push(item(self)?);
            self.trivia()?;
            if self.eat(b',') {
                self.trivia()?;
            } else {
                self.expect(b']')?;
                break;
            }
        }
        out.shrink();
        Some(out)
    }

    /// `{"key": "value", …}`; a repeated key keeps its last value, as serde's map does.
    fn string_map<M: FromIterator<(String, String)>>(&mut self) -> Option<M> {
        self.expect(b'{')?;
        self.trivia()?;
        let mut out = Vec::new();
        loop {
            if self.eat(b'}') {
                return Some(out.into_iter().collect());
            }
            let k = self.string()?;
            self.trivia()?;
            self.expect(b':')?;
            self.trivia()?;
            let v = self.string()?;
            out.push((k, v));
            self.trivia()?;
            if self.eat(b',') {
                self.trivia()?;
            } else {
                self.expect(b'}')?;
                return Some(out.into_iter().collect());
            }
        }
    }

    /// A struct `(key: value, …)`. `field` is called with each key, the reader
    /// at its value, and where the value's text starts as `ronscan` cuts it
    /// (after the spaces following the colon, before any comment).
    ///
    /// `scanned` is set for the structs whose unknown fields are kept (the file
    /// and each annotation): `ronscan` gives up on a comment between a key and
    /// its colon there, which leaves such a file to the general reader.
    fn fields(
        &mut self,
        scanned: bool,
        field: impl FnMut(&mut Self, &'a str, usize) -> Option<()>,
    ) -> Option<()> {
        self.fields_in_order(scanned, &[], field)
    }

    /// [`Reader::fields`] for a struct whose writer puts its keys in `order`:
    /// each key is first looked for where the writer puts it, which is quicker
    /// than reading an identifier; any other order still reads.
    fn fields_in_order(
        &mut self,
        scanned: bool,
        order: &[&str],
        mut field: impl FnMut(&mut Self, &'a str, usize) -> Option<()>,
    ) -> Option<()> {
        self.expect(b'(')?;
        self.trivia()?;
        let mut next = 0;
        loop {
            if self.eat(b')') {
                return Some(());
            }
            let key = match order.get(next) {
                Some(k)
                    if self.src.as_bytes()[self.pos..].starts_with(k.as_bytes())
                        && ends_token(self.src.as_bytes().get(self.pos + k.len())) =>
                {
                    let key = &self.src[self.pos..self.pos + k.len()];
                    self.pos += k.len();
                    next += 1;
                    key
                }
                _ => {
                    let key = self.ident()?;
                    if let Some(at) = order.iter().position(|k| *k == key) {
                        next = at + 1;
                    }
                    key
                }
            };
            if scanned {
                self.spaces();
            } else {
                self.trivia()?;
            }
            self.expect(b':')?;
            self.spaces();
            let start = self.pos;
            self.trivia()?;
            field(self, key, start)?;
            self.trivia()?;
            if self.eat(b',') {
                self.trivia()?;
            } else {
                return self.expect(b')');
            }
        }
    }

    /// What follows a field's value in a struct: `true` after a comma, `false`
    /// after the closing parenthesis.
    fn after_field(&mut self) -> Option<bool> {
        self.trivia()?;
        if self.eat(b',') {
            self.trivia()?;
            Some(true)
        } else {
            self.expect(b')')?;
            Some(false)
        }
    }

    /// An unknown field: its value is checked and kept as text.
    fn unknown(&mut self, extra: &mut BTreeMap<String, String>, key: &str, start: usize) -> Option<()> {
        self.skip_value(0)?;
        let text = self.src[start..self.pos].to_owned();
        extra.insert(key.to_owned(), text).is_none().then_some(())
    }

    fn annotation(&mut self) -> Option<Annotation> {
        let mut id = None;
        let mut spans = None;
        let mut quote = None;
        let mut prefix = None;
        let mut suffix = None;
        let mut label = None;
        let mut kind = None;
        let mut attributes = None;
        let mut note = None;
        let mut annotator = None;
        let mut created = None;
        let mut modified = None;
        let mut orphaned = None;
        let mut extra = BTreeMap::new();
        self.fields_in_order(true, ANN_FIELDS, |r, key, start| match key {
            "id" => set(&mut id, r.string()?),
            "spans" => set(&mut spans, r.list(Reader::span)?),
            "quote" => set(&mut quote, r.detail()?),
            "prefix" => set(&mut prefix, r.context()?),
            "suffix" => set(&mut suffix, r.context()?),
            "label" => set(&mut label, r.string()?),
            "kind" => set(&mut kind, r.kind()?),
            "attributes" => set(
                &mut attributes,
                if r.keep_details {
                    r.string_map::<Attributes>()?
                } else {
                    r.skip_value(0)?;
                    Attributes::default()
                },
            ),
            "note" => set(&mut note, r.detail()?),
            "annotator" => set(&mut annotator, r.detail()?),
            "created" => set(&mut created, r.detail()?),
            "modified" => set(&mut modified, r.detail()?),
            "orphaned" => set(&mut orphaned, r.boolean()?),
            _ => r.unknown(&mut extra, key, start),
        })?;
        Some(Annotation {
            id: id?,
            spans: spans?,
            quote: quote.unwrap_or_default(),
            prefix: prefix.unwrap_or_default(),
            suffix: suffix.unwrap_or_default(),
            label: label?,
            kind: kind?,
            attributes: attributes.unwrap_or_default(),
            note: note.unwrap_or_default(),
            annotator: annotator.unwrap_or_default(),
            created: created.unwrap_or_default(),
            modified: modified.unwrap_or_default(),
            orphaned: orphaned.unwrap_or_default(),
            extra,
        })
    }

    fn span(&mut self) -> Option<Span> {
        let mut start = None;
        let mut end = None;
        self.fields_in_order(false, &["start", "end"], |r, key, _| match key {
            "start" => set(&mut start, r.offset()?),
            "end" => set(&mut end, r.offset()?),
            _ => None,
        })?;
        Some(Span {
            start: start?,
            end: end?,
        })
    }

    fn kind(&mut self) -> Option<Kind> {
        match self.ident()? {
            "Entity" => {
                let mut canonical = None;
                self.trivia()?;
                self.fields(false, |r, key, _| match key {
                    "canonical" => set(&mut canonical, r.option(Reader::string)?),
                    _ => None,
                })?;
                Some(Kind::Entity {
                    canonical: canonical.flatten(),
                })
            }
            "Claim" => self
                .parenthesised(Reader::claim)
                .map(|c| Kind::Claim(Box::new(c))),
            _ => None,
        }
    }

    fn claim(&mut self) -> Option<Claim> {
        let mut speaker = None;
        let mut cue = None;
        let mut stance = None;
        let mut claim_type = None;
        let mut proposition = None;
        const ORDER: &[&str] = &["speaker", "cue", "stance", "claim_type", "proposition"];
        self.fields_in_order(false, ORDER, |r, key, _| match key {
            "speaker" => set(&mut speaker, r.speaker()?),
            "cue" => set(&mut cue, r.option(Reader::cue)?),
            "stance" => set(
                &mut stance,
                r.variant(&[
                    ("Asserts", Stance::Asserts),
                    ("Denies", Stance::Denies),
                    ("Questions", Stance::Questions),
                    ("Reports", Stance::Reports),
                ])?,
            ),
            "claim_type" => set(
                &mut claim_type,
                r.variant(&[
                    ("Fact", ClaimType::Fact),
                    ("Opinion", ClaimType::Opinion),
                    ("Prediction", ClaimType::Prediction),
                    ("Quote", ClaimType::Quote),
                ])?,
            ),
            "proposition" => set(&mut proposition, r.option(Reader::string)?),
            _ => None,
        })?;
        Some(Claim {
            speaker: speaker.unwrap_or_default(),
            cue: cue.flatten(),
            stance: stance.unwrap_or_default(),
            claim_type: claim_type.unwrap_or_default(),
            proposition: proposition.flatten(),
            value: None,
        })
    }

    fn speaker(&mut self) -> Option<Speaker> {
        match self.ident()? {
            "Unknown" => Some(Speaker::Unknown),
            "Author" => Some(Speaker::Author),
            "Entity" => self.parenthesised(Reader::string).map(Speaker::Entity),
            _ => None,
        }
    }

    fn cue(&mut self) -> Option<Cue> {
        let mut span = None;
        let mut quote = None;
        self.fields(false, |r, key, _| match key {
            "span" => set(&mut span, r.span()?),
            "quote" => set(&mut quote, r.string()?),
            _ => None,
        })?;
        Some(Cue {
            span: span?,
            quote: quote?,
        })
    }

    fn relation(&mut self) -> Option<Relation> {
        let mut id = None;
        let mut from = None;
        let mut to = None;
        let mut kind = None;
        self.fields(false, |r, key, _| match key {
            "id" => set(&mut id, r.string()?),
            "from" => set(&mut from, r.string()?),
            "to" => set(&mut to, r.target()?),
            "kind" => set(&mut kind, r.string()?),
            _ => None,
        })?;
        Some(Relation {
            id: id?,
            from: from?,
            to: to?,
            kind: kind?,
        })
    }

    fn target(&mut self) -> Option<Target> {
        let mut doc = None;
        let mut id = None;
        self.fields(false, |r, key, _| match key {
            "doc" => set(&mut doc, r.option(Reader::string)?),
            "id" => set(&mut id, r.string()?),
            _ => None,
        })?;
        // serde reads a missing `Option` field as `None`.
        Some(Target {
            doc: doc.flatten(),
            id: id?,
        })
    }

    /// Checks one value of any type, as serde's `IgnoredAny` reads it through
    /// `ron`, within a subset: strings, decimal numbers, `true`/`false`,
    /// `None`/`Some(…)`, unit, tuple and struct values with or without a name,
    /// lists and maps. Stops right after the value.
    fn skip_value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.string::<String>().map(drop),
            b'-' | b'0'..=b'9' => self.number(),
            b'(' => self.skip_group(depth),
            b'[' => {
                self.list::<(), Vec<()>>(|r| r.skip_value(depth + 1))?;
                Some(())
            }
            b'{' => self.skip_map(depth),
            _ => match self.ident()? {
                "true" | "false" | "None" => Some(()),
                "Some" => self.parenthesised(|r| r.skip_value(depth + 1)),
                // Float literals that `ron` reads as numbers.
                "inf" | "inff32" | "inff64" | "NaN" | "NaNf32" | "NaNf64" => None,
                _ => {
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
            },
        }
    }

    /// `-12`, `3.25`: what fits an `i64` or is a plain decimal fraction.
    fn number(&mut self) -> Option<()> {
        let b = self.src.as_bytes();
        let mut i = self.pos + usize::from(b[self.pos] == b'-');
        let digits = |i: usize| b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        let whole = digits(i);
        if whole == 0 || whole > 18 {
            return None;
        }
        i += whole;
        if b.get(i) == Some(&b'.') {
            let frac = digits(i + 1);
            if frac == 0 || frac > 30 {
                return None;
            }
            i += 1 + frac;
        }
        if !ends_token(b.get(i)) {
            return None;
        }
        self.pos = i;
        Some(())
    }

    /// `(…)`: named fields when the first item is a name and a colon, else a tuple.
    fn skip_group(&mut self, depth: usize) -> Option<()> {
        self.expect(b'(')?;
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
                self.ident()?;
                self.trivia()?;
                self.expect(b':')?;
                self.trivia()?;
            }
            self.skip_value(depth + 1)?;
            self.trivia()?;
            if self.eat(b',') {
                self.trivia()?;
            } else {
                return self.expect(b')');
            }
        }
    }

    fn skip_map(&mut self, depth: usize) -> Option<()> {
        self.expect(b'{')?;
        self.trivia()?;
        loop {
            if self.eat(b'}') {
                return Some(());
            }
            self.skip_value(depth + 1)?;
            self.trivia()?;
            self.expect(b':')?;
            self.trivia()?;
            self.skip_value(depth + 1)?;
            self.trivia()?;
            if self.eat(b',') {
                self.trivia()?;
            } else {
                return self.expect(b'}');
            }
        }
    }
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
