//! The sidecar reader: RON text straight into the model in one pass, without
//! copying the text first.
//!
//! It reads RON as people write it by hand for this format: any layout, `//`
//! and nested `/* */` comments, fields in any order, trailing commas or not,
//! omitted fields that have defaults, every string escape RON has, raw strings,
//! struct names (`Annotation(…)`). Unknown fields of the file and of each
//! annotation are kept as the text they were written as (trimmed, without a
//! comment that follows), and written back on save. An unknown field below an
//! annotation (in a span, a claim, a relation) cannot be kept: a file of a newer
//! minor version holding one is refused as from a newer Marginalia, and any
//! other as damaged, rather than losing the field on the next save. Whatever it
//! cannot read is an error with a line, a column (in characters) and a message
//! saying what is wrong.
//!
//! A file can be read a window of text at a time ([`read_from`]): a large
//! sidecar held whole beside the annotations read from it nearly doubled the
//! memory opening it took. A step that meets the end of the window runs again
//! on more text, so the answer is the one the whole text gives.
//!
//! `tests/sidecar_oracle` checks it against a general RON reader (serde).

mod items;
mod lex;
mod strings;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Read};

/// Value of the `format` field.
pub const FORMAT: &str = "marginalia";
/// Major version this build reads and writes; a higher major is refused.
pub const MAJOR: u32 = 1;
/// Minor version this build writes; higher minors load, keeping unknown fields.
pub const MINOR: u32 = 3;
/// Why a sidecar could not be read. The file is then never overwritten.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SidecarError {
    /// 1-based line (0 when not known).
    pub line: usize,
    /// 1-based column (0 when not known).
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// True when the file is from a newer Marginalia rather than damaged.
    pub future_version: bool,
}

impl std::fmt::Display for SidecarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
        } else {
            write!(f, "{}", self.message)
        }
    }
}

impl std::error::Error for SidecarError {}

/// `"MAJOR.MINOR"` (or `"MAJOR"`) as numbers.
pub(crate) fn parse_version(v: &str) -> Option<(u32, u32)> {
    let (a, b) = v.split_once('.').unwrap_or((v, "0"));
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

use crate::model::{DocAnnotations, Status};

use lex::{Reader, set};

/// What a sidecar holds, before annotations are sorted and the version to
/// write back is chosen.
pub(super) struct Raw {
    pub version: (u32, u32),
    pub source: String,
    pub source_hash: String,
    pub extraction: Option<crate::model::Extraction>,
    pub data: DocAnnotations,
}

/// Why reading stopped.
enum Stop {
    Io(io::Error),
    Bad(SidecarError),
}

/// Reads a whole sidecar.
pub(super) fn read(src: &str) -> Result<Raw, SidecarError> {
    let mut input = Input {
        text: Cow::Borrowed(src),
        pos: 0,
        base: (1, 0),
        from: io::empty(),
        seen: &mut |_| {},
        pending: Vec::new(),
        at_start: false,
        eof: true,
        window: src.len(),
        size: None,
        read: 0,
        nested: None,
    };
    match input.raw() {
        Ok(raw) => Ok(raw),
        Err(Stop::Bad(e)) => Err(e),
        // Nothing is read from `io::empty`.
        Err(Stop::Io(e)) => Err(error(0, 0, e.to_string())),
    }
}

/// Text kept ahead of the reader while a file is read in pieces: more than
/// any annotation takes in practice (a larger one is read again with a
/// larger window), small beside the annotations of a large sidecar.
pub(super) const WINDOW: usize = 64 * 1024;

/// [`read`] for a sidecar read from `from`, a window of text at a time, so a
/// large file is never held whole beside the annotations read from it. A UTF-8
/// byte-order mark at the start is skipped. `seen` is given every byte read
/// (all of the file, when it reads). `window` is the text wanted ahead of each
/// step: [`WINDOW`], or less in tests. `size` is the file's size if known: a
/// small file is then read in one piece of its size rather than a window.
pub(super) fn read_from(
    from: impl Read,
    seen: &mut dyn FnMut(&[u8]),
    window: usize,
    size: Option<u64>,
) -> io::Result<Result<Raw, SidecarError>> {
    let mut input = Input {
        text: Cow::Owned(String::new()),
        pos: 0,
        base: (1, 0),
        from,
        seen,
        pending: Vec::new(),
        at_start: true,
        eof: false,
        window,
        size,
        read: 0,
        nested: None,
    };
    match input.raw() {
        Ok(raw) => Ok(Ok(raw)),
        Err(Stop::Bad(e)) => Ok(Err(e)),
        Err(Stop::Io(e)) => Err(e),
    }
}

fn error(line: usize, column: usize, message: String) -> SidecarError {
    SidecarError {
        line,
        column,
        message,
        future_version: false,
    }
}

pub(super) fn not_utf8(line: usize, column: usize) -> SidecarError {
    error(
        line,
        column,
        "the file is not UTF-8 text; save it as UTF-8".into(),
    )
}

fn newer(message: String) -> SidecarError {
    SidecarError {
        line: 0,
        column: 0,
        message,
        future_version: true,
    }
}

/// Line and column (1-based, the column in characters) of `text[at]`, where
/// `text` begins at line `base.0`, `base.1` characters into it.
fn locate(text: &str, at: usize, (line, column): (usize, usize)) -> (usize, usize) {
    let before = &text.as_bytes()[..at];
    let breaks = before.iter().filter(|&&b| b == b'\n').count();
    let count = |b: &[u8]| b.iter().filter(|&&b| b & 0xC0 != 0x80).count();
    match memchr::memrchr(b'\n', before) {
        Some(last) => (line + breaks, count(&before[last + 1..])),
        None => (line, column + count(before)),
    }
}

/// One field of the file, as read by one step of [`Input::raw`].
enum Field {
    Format(String),
    Version(String),
    Source(String),
    SourceHash(String),
    Status(Status),
    Meta(Box<crate::model::DocMeta>),
    Extraction(crate::model::Extraction),
    /// The value, a list, follows: read one annotation (or relation) at a time.
    Annotations,
    Relations,
    Events,
    Equivalences,
    Conflicts,
    Unknown(String),
}

/// The text a [`Reader`] runs over: all of it, or a window of a file that
/// moves on between steps.
struct Input<'s, R> {
    text: Cow<'s, str>,
    /// Where the next step starts in `text`.
    pos: usize,
    /// Line (1-based) and column (0-based, in characters) where `text` begins.
    base: (usize, usize),
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
    /// The first unknown field below the annotation level: line, column, what.
    nested: Option<(usize, usize, String)>,
}

impl<R: Read> Input<'_, R> {
    /// An error at `text[at]`.
    fn bad(&self, at: usize, message: String) -> Stop {
        let (line, column) = locate(&self.text, at, self.base);
        Stop::Bad(error(line, column + 1, message))
    }

    fn raw(&mut self) -> Result<Raw, Stop> {
        let mut format = None;
        let mut version = None;
        let mut source = None;
        let mut source_hash = None;
        let mut status = None;
        let mut meta = None;
        let mut extraction = None;
        let mut annotations = None;
        let mut relations = None;
        let mut events = None;
        let mut equivalences = None;
        let mut conflicts = None;
        let mut extra = BTreeMap::new();
        self.step(|r| {
            r.trivia()?;
            if r.at_end() {
                return r.fail("the annotation file is empty; remove it, or restore it from a copy");
            }
            if r.src[r.pos..].starts_with("#!") {
                return r.fail(
                    "RON extensions (`#![enable(…)]`) are not used in annotation files; remove that line",
                );
            }
            r.open_struct(&["Sidecar", "FileRecord"], "to begin the file")?;
            r.trivia()
        })?;
        // The steps below read the fields of the top-level struct, cut where a
        // list's items can be read one by one.
        let close = loop {
            // A field and what follows it are one step, so that a value is only
            // taken once the text after it is seen (a unit name may begin a struct).
            let (key_at, start, key, field, more) = self.step(|r| {
                let key_at = r.pos;
                if r.eat(b')') {
                    return Some((key_at, key_at, String::new(), None, None));
                }
                let key = r.key()?;
                r.trivia()?;
                r.expect(b':', format_args!("after the field name `{key}`"))?;
                // An unknown value's text starts after the spaces, before any
                // comment (as the annotation level and the oracle cut it).
                r.spaces();
                let start = r.pos;
                r.trivia()?;
                let field = match key {
                    "format" => Field::Format(r.string()?),
                    "version" => Field::Version(r.string()?),
                    "source" => Field::Source(r.string()?),
                    "source_hash" => Field::SourceHash(r.string()?),
                    "meta" => Field::Meta(Box::new(r.meta()?)),
                    "extraction" => Field::Extraction(r.extraction()?),
                    "status" => Field::Status(r.variant(
                        "the status",
                        &[
                            ("NotStarted", Status::NotStarted),
                            ("InProgress", Status::InProgress),
                            ("Done", Status::Done),
                        ],
                    )?),
                    "annotations" => {
                        return Some((key_at, start, key.to_owned(), Some(Field::Annotations), None));
                    }
                    "relations" => {
                        return Some((key_at, start, key.to_owned(), Some(Field::Relations), None));
                    }
                    "events" => {
                        return Some((key_at, start, key.to_owned(), Some(Field::Events), None));
                    }
                    "equivalences" => {
                        return Some((key_at, start, key.to_owned(), Some(Field::Equivalences), None));
                    }
                    "conflicts" => {
                        return Some((key_at, start, key.to_owned(), Some(Field::Conflicts), None));
                    }
                    _ => {
                        r.skip_value(0)?;
                        Field::Unknown(r.src[start..r.pos].to_owned())
                    }
                };
                let more = r.comma_or(b')', format_args!("the value of `{key}`"))?;
                Some((key_at, start, key.to_owned(), Some(field), Some(more)))
            })?;
            let Some(field) = field else { break key_at };
            let twice = |input: &Self| {
                input.bad(
                    key_at,
                    format!("the field `{key}` appears twice in the file; keep one of them"),
                )
            };
            let done = match field {
                Field::Format(v) => {
                    if v != FORMAT {
                        return Err(self.bad(
                            start,
                            format!("the format field is \"{v}\", not \"{FORMAT}\": this is not a Marginalia annotation file"),
                        ));
                    }
                    set(&mut format, v)
                }
                Field::Version(v) => {
                    let Some(parsed) = parse_version(&v) else {
                        return Err(self.bad(
                            start,
                            format!("the version \"{v}\" is not of the form MAJOR.MINOR (like \"{MAJOR}.{MINOR}\")"),
                        ));
                    };
                    if parsed.0 > MAJOR {
                        // Its other fields may have another shape: not read further.
                        return Err(Stop::Bad(newer(format!(
                            "it was written by a newer Marginalia (format version {}.{}; this build reads {MAJOR}.x); update Marginalia to edit it",
                            parsed.0, parsed.1
                        ))));
                    }
                    set(&mut version, parsed)
                }
                Field::Source(v) => set(&mut source, v),
                Field::SourceHash(v) => set(&mut source_hash, v),
                Field::Status(v) => set(&mut status, v),
                Field::Meta(v) => set(&mut meta, v),
                Field::Extraction(v) => set(&mut extraction, v),
                Field::Annotations => {
                    if annotations.is_some() {
                        return Err(twice(self));
                    }
                    annotations = Some(self.list(|r| r.annotation())?);
                    Some(())
                }
                Field::Relations => {
                    if relations.is_some() {
                        return Err(twice(self));
                    }
                    relations = Some(self.list(|r| r.relation())?);
                    Some(())
                }
                Field::Events => {
                    if events.is_some() {
                        return Err(twice(self));
                    }
                    events = Some(self.list(|r| r.event())?);
                    Some(())
                }
                Field::Equivalences => {
                    if equivalences.is_some() {
                        return Err(twice(self));
                    }
                    equivalences = Some(self.list(|r| r.equivalence())?);
                    Some(())
                }
                Field::Conflicts => {
                    if conflicts.is_some() {
                        return Err(twice(self));
                    }
                    conflicts = Some(self.list(|r| r.conflict())?);
                    Some(())
                }
                Field::Unknown(text) => extra.insert(key.clone(), text).is_none().then_some(()),
            };
            if done.is_none() {
                return Err(twice(self));
            }
            let more = match more {
                Some(more) => more,
                None => self.step(|r| r.comma_or(b')', format_args!("the value of `{key}`")))?,
            };
            if !more {
                break self.pos - 1;
            }
        };
        let missing = |input: &Self, field: &str| {
            input.bad(
                close,
                format!("the file has no `{field}` field; a Marginalia annotation file begins with `format: \"{FORMAT}\", version: \"{MAJOR}.{MINOR}\",`"),
            )
        };
        if format.is_none() {
            return Err(missing(self, "format"));
        }
        let Some(version) = version else {
            return Err(missing(self, "version"));
        };
        self.step(|r| {
            r.trivia()?;
            if !r.at_end() {
                let found = r.found();
                return r.fail(format!(
                    "unexpected {found} after the closing `)` of the file; remove it"
                ));
            }
            Some(())
        })?;
        if let Some((line, column, what)) = self.nested.take() {
            return Err(Stop::Bad(if version.1 > MINOR {
                newer(format!(
                    "it was written by a newer Marginalia (format version {}.{}) with a field this build cannot keep ({what}, line {line}); update Marginalia to edit it",
                    version.0, version.1
                ))
            } else {
                error(line, column, format!("{what}; correct its name or remove it"))
            }));
        }
        Ok(Raw {
            version,
            source: source.unwrap_or_default(),
            source_hash: source_hash.unwrap_or_default(),
            extraction,
            data: DocAnnotations {
                annotations: annotations.unwrap_or_default(),
                relations: relations.unwrap_or_default(),
                events: events.unwrap_or_default(),
                equivalences: equivalences.unwrap_or_default(),
                status: status.unwrap_or_default(),
                meta: meta.unwrap_or_default(),
                conflicts: conflicts.unwrap_or_default(),
                extra,
            },
        })
    }

    /// A list, one step per item, so the window moves on between items.
    fn list<T>(&mut self, item: impl Fn(&mut Reader) -> Option<T>) -> Result<Vec<T>, Stop> {
        self.step(|r| {
            r.expect(b'[', "to begin a list")?;
            r.trivia()
        })?;
        let mut out = Vec::new();
        loop {
            let next = self.step(|r| {
                if r.eat(b']') {
                    return Some(None);
                }
                let v = item(r)?;
                Some(Some((v, r.comma_or(b']', "an item of a list")?)))
            })?;
            match next {
                None => break,
                Some((v, more)) => {
                    out.push(v);
                    if !more {
                        break;
                    }
                }
            }
        }
        out.shrink_to_fit();
        Ok(out)
    }

    /// Runs `read` on the text from `pos`, with at least a window of text ahead
    /// (or the rest of the file). A step that fails, or reads up to the end of
    /// the window (where it may have met a token or comment cut short), runs
    /// again on twice as much text, until the file's end is in the window: only
    /// then is a failure the text's.
    fn step<T>(&mut self, read: impl Fn(&mut Reader) -> Option<T>) -> Result<T, Stop> {
        let mut want = self.window;
        loop {
            self.fill(want)?;
            let mut r = Reader::new(&self.text, self.pos);
            let got = read(&mut r);
            if self.eof || (got.is_some() && r.pos < r.src.len()) {
                let (pos, err, nested) = (r.pos, r.err, r.nested);
                let Some(got) = got else {
                    let (at, message) = err.unwrap_or_else(|| (pos, "unexpected text".into()));
                    return Err(self.bad(at, message));
                };
                if let Some((at, what)) = nested
                    && self.nested.is_none()
                {
                    let (line, column) = locate(&self.text, at, self.base);
                    self.nested = Some((line, column + 1, what));
                }
                self.pos = pos;
                return Ok(got);
            }
            want = want.saturating_mul(2);
        }
    }

    /// Reads until `want` bytes of text follow `pos` or the file has ended.
    fn fill(&mut self, want: usize) -> Result<(), Stop> {
        if self.eof || self.text.len() - self.pos >= want {
            return Ok(());
        }
        self.base = locate(&self.text, self.pos, self.base);
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
                Err(e) => return Err(Stop::Io(e)),
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
            match crate::store::decode::utf8(&self.pending[..whole]) {
                Ok(s) => text.push_str(s),
                Err(e) => {
                    let good = e.valid_up_to();
                    text.push_str(std::str::from_utf8(&self.pending[..good]).unwrap_or_default());
                    let (line, column) = locate(text, text.len(), self.base);
                    return Err(Stop::Bad(not_utf8(line, column + 1)));
                }
            }
            self.pending.drain(..whole);
        }
        Ok(())
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
