//! The edit journal: `article.txt.ron.journal` beside the sidecar, holding the
//! edits saved since the sidecar was last written, one per line.
//!
//! Rewriting the sidecar of a large document on every edit means rendering,
//! hashing and syncing megabytes; appending one line and syncing it is cheap.
//! The workbench therefore appends each save here ([`append`]) and later folds
//! the journal into the sidecar with a full atomic save (`corpus::save`), which
//! removes it. Loading replays it on top of the sidecar ([`replay`]).
//!
//! The file is line-oriented: a header naming the format and the sidecar it
//! applies to (the SHA-256 of the sidecar's bytes, or none when there was no
//! sidecar yet), then one record per line, each a single-line RON rendering of
//! a [`crate::model::Edit`]. A crash mid-append leaves at most an incomplete
//! last line, which replay ignores; any other line that does not parse means
//! the file is damaged, and it is then reported and never removed.

use std::io::{self, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::edit::apply;
use crate::model::{AnnId, Annotation, DocAnnotations, Edit, Equivalence, Event, Relation, Status};

mod append;

pub use super::disk::{FileMark, JOURNAL_EXTENSION as EXTENSION, JournalStamp, journal_path};
pub use append::append;
pub(crate) use append::{mark_folded, unmark_folded};

/// Value of the header's `format` field.
pub const FORMAT: &str = "marginalia-journal";
/// Journal version this build writes; a higher one is left alone.
pub const VERSION: u32 = 1;

// ---- records ----

/// The first line of a journal.
#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    /// SHA-256 of the sidecar bytes the edits apply to; `None` when there was no sidecar.
    base: Option<String>,
    /// Hash of the source text the edits' offsets refer to.
    source_hash: String,
}

/// One line after the header: an edit, or the marker a full save writes before
/// replacing the sidecar (see [`Record::FoldedInto`]).
#[derive(Serialize, Deserialize)]
enum Record {
    Add(Annotation),
    Remove(AnnId),
    Replace(Annotation),
    AddRelation(Relation),
    RemoveRelation(AnnId),
    AddEvent(Event),
    RemoveEvent(AnnId),
    ReplaceEvent(Event),
    AddEquivalence(Equivalence),
    RemoveEquivalence(Equivalence),
    SetStatus(Status),
    SetMeta(crate::model::DocMeta),
    Batch(Vec<Record>),
    /// The journal's edits were written into a sidecar hashing to this. A crash
    /// between that rename and the journal's removal leaves a journal whose base
    /// no longer matches; this marker tells that case apart from a sidecar
    /// replaced by someone else.
    FoldedInto(String),
}

impl From<&Edit> for Record {
    fn from(e: &Edit) -> Self {
        match e {
            Edit::Add(a) => Record::Add(a.clone()),
            Edit::Remove(id) => Record::Remove(id.clone()),
            Edit::Replace(a) => Record::Replace(a.clone()),
            Edit::AddRelation(r) => Record::AddRelation(r.clone()),
            Edit::RemoveRelation(id) => Record::RemoveRelation(id.clone()),
            Edit::AddEvent(e) => Record::AddEvent(e.clone()),
            Edit::RemoveEvent(id) => Record::RemoveEvent(id.clone()),
            Edit::ReplaceEvent(e) => Record::ReplaceEvent(e.clone()),
            Edit::AddEquivalence(q) => Record::AddEquivalence(q.clone()),
            Edit::RemoveEquivalence(q) => Record::RemoveEquivalence(q.clone()),
            Edit::SetStatus(s) => Record::SetStatus(*s),
            Edit::SetMeta(m) => Record::SetMeta((**m).clone()),
            Edit::Batch(v) => Record::Batch(v.iter().map(Record::from).collect()),
        }
    }
}

impl Record {
    fn into_edit(self) -> Result<Edit, String> {
        Ok(match self {
            Record::Add(a) => Edit::Add(a),
            Record::Remove(id) => Edit::Remove(id),
            Record::Replace(a) => Edit::Replace(a),
            Record::AddRelation(r) => Edit::AddRelation(r),
            Record::RemoveRelation(id) => Edit::RemoveRelation(id),
            Record::AddEvent(e) => Edit::AddEvent(e),
            Record::RemoveEvent(id) => Edit::RemoveEvent(id),
            Record::ReplaceEvent(e) => Edit::ReplaceEvent(e),
            Record::AddEquivalence(q) => Edit::AddEquivalence(q),
            Record::RemoveEquivalence(q) => Edit::RemoveEquivalence(q),
            Record::SetStatus(s) => Edit::SetStatus(s),
            Record::SetMeta(m) => Edit::SetMeta(Box::new(m)),
            Record::Batch(v) => Edit::Batch(v.into_iter().map(Record::into_edit).collect::<Result<_, _>>()?),
            Record::FoldedInto(_) => return Err("a FoldedInto marker inside a batch".into()),
        })
    }
}

/// One value as a single line of RON. The serializer escapes line breaks and
/// control characters inside strings, so the result never spans two lines.
fn one_line<T: Serialize>(value: &T) -> String {
    let config = ron::ser::PrettyConfig::new()
        .new_line("")
        .indentor("")
        .compact_arrays(true)
        .compact_structs(true)
        .compact_maps(true);
    let line = ron::ser::to_string_pretty(value, config).expect("journal records always serialize");
    debug_assert!(!line.contains('\n'), "a journal record spans lines: {line}");
    line
}

/// The line (with its newline) recording `edits` as one record, so that an
/// append is applied whole or, if cut short by a crash, not at all.
pub fn render_record(edits: &[Edit]) -> String {
    let mut line = match edits {
        [one] => one_line(&Record::from(one)),
        many => one_line(&Record::Batch(many.iter().map(Record::from).collect())),
    };
    line.push('\n');
    line
}

fn render_header(base: Option<&str>, source_hash: &str) -> String {
    let mut line = one_line(&Header {
        format: FORMAT.into(),
        version: VERSION,
        base: base.map(str::to_owned),
        source_hash: source_hash.to_owned(),
    });
    line.push('\n');
    line
}

// ---- reading ----

/// A journal as read from disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Journal {
    /// Hash of the sidecar the edits apply to (`None`: there was no sidecar);
    /// the outer `None` when the file holds no complete line at all.
    pub base: Option<Option<String>>,
    /// Hash of the source text the edits' offsets refer to.
    pub source_hash: Option<String>,
    /// The edits, each with its 1-based line number, in order.
    pub edits: Vec<(usize, Edit)>,
    /// The sidecar hash named by a [`Record::FoldedInto`] marker on the last line.
    pub folded_into: Option<String>,
    /// True when an incomplete last line (a crash mid-append) was ignored.
    pub torn: bool,
}

/// Why a journal cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JournalError {
    /// The file cannot be read (permissions, I/O error).
    Unreadable(String),
    /// A line other than the last does not parse.
    Damaged {
        /// 1-based line.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// Written by a newer version of Marginalia.
    Newer(u32),
}

/// A journal file found on disk.
#[derive(Clone, Debug)]
pub struct Found {
    /// The file as it was when read (`None` if even that failed).
    pub mark: Option<FileMark>,
    /// Its contents, or why they cannot be used.
    pub content: Result<Journal, JournalError>,
}

/// Reads the journal at `path`; `None` when there is none.
pub fn read(path: &Path) -> Option<Found> {
    let unreadable = |mark, e: io::Error| {
        Some(Found {
            mark,
            content: Err(JournalError::Unreadable(e.to_string())),
        })
    };
    let f = match super::safe_file::open_regular(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
        Err(e) => return unreadable(FileMark::read(path).ok().flatten(), e),
    };
    let mark = match f.metadata() {
        Ok(m) => FileMark::of(&m),
        Err(e) => return unreadable(None, e),
    };
    let cap = super::safe_file::MAX_SIDECAR_BYTES;
    if mark.len > cap {
        return unreadable(
            Some(mark),
            io::Error::other(format!(
                "the file is {} MB, more than the {} MB Marginalia reads of it",
                mark.len / 1_000_000,
                cap / 1_000_000
            )),
        );
    }
    let mut bytes = Vec::with_capacity(mark.len as usize);
    if let Err(e) = f.take(cap).read_to_end(&mut bytes) {
        return unreadable(Some(mark), e);
    }
    // Under the folder lock the file cannot grow while read, but a reader such as
    // `check` takes no lock: the mark must describe the bytes that were parsed.
    let mark = FileMark {
        len: bytes.len() as u64,
        ..mark
    };
    Some(Found {
        mark: Some(mark),
        content: parse(&bytes),
    })
}

/// Parses a journal's bytes.
pub fn parse(bytes: &[u8]) -> Result<Journal, JournalError> {
    let mut journal = Journal {
        base: None,
        source_hash: None,
        edits: Vec::new(),
        folded_into: None,
        torn: false,
    };
    let mut pieces: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    // What follows the last newline was cut short by a crash (or is empty).
    let tail = pieces.pop().unwrap_or_default();
    journal.torn = !tail.is_empty();
    let Some((first, records)) = pieces.split_first() else {
        // Not even the header is complete: the file was never acknowledged to hold anything.
        return Ok(journal);
    };
    let header: Header = std::str::from_utf8(first)
        .map_err(|e| e.to_string())
        .and_then(|s| ron::from_str(s).map_err(|e| e.to_string()))
        .map_err(|message| JournalError::Damaged {
            line: 1,
            message: format!("the header does not parse: {message}"),
        })?;
    if header.format != FORMAT {
        return Err(JournalError::Damaged {
            line: 1,
            message: format!("the format is {:?}, not {FORMAT:?}", header.format),
        });
    }
    if header.version > VERSION {
        return Err(JournalError::Newer(header.version));
    }
    journal.base = Some(header.base);
    journal.source_hash = Some(header.source_hash);
    let last = records.len();
    for (i, piece) in records.iter().enumerate() {
        let line = i + 2;
        if piece.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record = std::str::from_utf8(piece)
            .map_err(|e| e.to_string())
            .and_then(|s| ron::from_str::<Record>(s).map_err(|e| e.to_string()));
        let record = match record {
            Ok(r) => r,
            // A last line that does not parse was cut short too (its end zeroed by the file system).
            Err(_) if i + 1 == last && !journal.torn => {
                journal.torn = true;
                break;
            }
            Err(message) => return Err(JournalError::Damaged { line, message }),
        };
        journal.folded_into = None;
        match record {
            Record::FoldedInto(hash) => journal.folded_into = Some(hash),
            other => {
                let edit = other
                    .into_edit()
                    .map_err(|message| JournalError::Damaged { line, message })?;
                journal.edits.push((line, edit));
            }
        }
    }
    Ok(journal)
}

/// Why a journal was left unapplied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotApplied {
    /// See [`JournalError`].
    Error(JournalError),
    /// Its edits were made on top of another version of the sidecar (or before
    /// there was one, or on one since deleted).
    OtherBase {
        /// Number of edits in it.
        edits: usize,
    },
    /// The sidecar it belongs to cannot be read, so its base is unknown.
    SidecarUnreadable,
    /// An edit does not apply to the sidecar.
    Fails {
        /// 1-based line of the edit.
        line: usize,
        /// Why.
        message: String,
    },
}

impl NotApplied {
    /// A plain message naming the journal and the sidecar (as the caller wants
    /// them shown) and saying what to do.
    pub fn message(&self, journal: &str, sidecar: &str) -> String {
        let name = journal.rsplit(['/', '\\']).next().unwrap_or(journal);
        match self {
            NotApplied::Error(JournalError::Unreadable(e)) => format!(
                "cannot read {journal} ({e}), which holds edits not yet written into {sidecar}. \
                 The document is read-only until then; fix or replace the file and reopen the document."
            ),
            NotApplied::Error(JournalError::Damaged { line, message }) => format!(
                "{journal}: line {line} is damaged ({message}), so the edits saved in it were not applied. \
                 The document is read-only and the file is left untouched; it is plain text with one edit \
                 per line: repair or remove that line (or delete the file to drop its edits), then reopen the document."
            ),
            NotApplied::Error(JournalError::Newer(v)) => format!(
                "{journal} was written by a newer version of Marginalia (journal version {v}), so its edits \
                 were not applied. The document is read-only and the file is left untouched; open the \
                 document with that version to write them into {sidecar}, or update Marginalia."
            ),
            NotApplied::OtherBase { edits } => format!(
                "{journal} holds {edits} edit{} made on another version of {sidecar} (it was replaced since, \
                 for example by git checkout or pull), so they were not applied. The document is read-only \
                 and the journal is left untouched. To keep those edits, put back the version of {sidecar} \
                 they were made on and reopen the document; to drop them, delete {name} and reopen.",
                if *edits == 1 { "" } else { "s" }
            ),
            NotApplied::SidecarUnreadable => format!(
                "{journal} holds edits for {sidecar}, which cannot be read, so they were not applied; \
                 the journal is left untouched. Fix {sidecar} first (or put back the version the edits \
                 were made on), then reopen the document."
            ),
            NotApplied::Fails { line, message } => format!(
                "{journal}: the edit on line {line} does not apply to {sidecar} ({message}), so none of its \
                 edits were applied. The document is read-only and the file is left untouched; remove that \
                 line (it is plain text, one edit per line) or delete the file to drop its edits, then reopen the document."
            ),
        }
    }
}

/// What became of the journal beside a sidecar when it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Replayed {
    /// There is no journal.
    None,
    /// Its edits were applied (none, if they were already in the sidecar).
    Applied {
        /// Number of edits (records) applied.
        edits: usize,
        /// The journal as read.
        mark: FileMark,
        /// Hash of the source text the edits were made on, when the journal names one.
        source_hash: Option<String>,
        /// True when more edits may be appended to it as it is: it names this
        /// sidecar and ends with a complete line. Otherwise the next save must
        /// be a full one (a line appended after a torn one would damage the file).
        appendable: bool,
    },
    /// It was not applied and must be kept; the data is the sidecar's alone.
    Kept {
        /// The journal as read, if it could be.
        mark: Option<FileMark>,
        /// Why.
        why: NotApplied,
    },
}

impl Replayed {
    /// The stamp a save must expect for this journal.
    pub fn stamp(&self) -> Option<JournalStamp> {
        match self {
            Replayed::None => None,
            Replayed::Applied { mark, .. } => Some(JournalStamp {
                mark: *mark,
                applied: true,
            }),
            Replayed::Kept { mark, .. } => mark.map(|mark| JournalStamp { mark, applied: false }),
        }
    }
}

/// Applies the journal beside the sidecar `side` to `data`, which holds what
/// the sidecar's bytes (hashing to `base`, `None` when there is no sidecar)
/// say. `base` is only computed when a journal exists. On any problem `data`
/// is left as the sidecar has it and the journal is reported, never changed.
pub fn replay(side: &Path, base: impl FnOnce() -> Option<String>, data: &mut DocAnnotations) -> Replayed {
    let Some(found) = read(&journal_path(side)) else {
        return Replayed::None;
    };
    let kept = |why| Replayed::Kept {
        mark: found.mark,
        why,
    };
    let journal = match found.content {
        Ok(j) => j,
        Err(e) => return kept(NotApplied::Error(e)),
    };
    let Some(mark) = found.mark else {
        return kept(NotApplied::Error(JournalError::Unreadable(
            "no file information".into(),
        )));
    };
    let base = base();
    let Some(journal_base) = &journal.base else {
        return Replayed::Applied {
            edits: 0,
            mark,
            source_hash: None,
            appendable: false,
        };
    };
    if *journal_base != base {
        if journal.folded_into.is_some() && journal.folded_into == base {
            // Folded into this very sidecar by a save that stopped before removing the journal.
            return Replayed::Applied {
                edits: 0,
                mark,
                source_hash: None,
                appendable: false,
            };
        }
        return kept(NotApplied::OtherBase {
            edits: journal.edits.len(),
        });
    }
    let edits = journal.edits.len();
    let mut undo = Vec::with_capacity(edits);
    for (line, edit) in journal.edits {
        match apply(data, edit) {
            Ok(inverse) => undo.push(inverse),
            Err(e) => {
                // Undo what was applied, so the caller gets the sidecar's data unchanged.
                for inverse in undo.into_iter().rev() {
                    let _ = apply(data, inverse);
                }
                return kept(NotApplied::Fails {
                    line,
                    message: e.to_string(),
                });
            }
        }
    }
    Replayed::Applied {
        edits,
        mark,
        source_hash: journal.source_hash,
        appendable: !journal.torn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Span;

    fn ann(id: &str, note: &str) -> Annotation {
        let mut a = Annotation::new(
            id.into(),
            vec![Span::new(1, 4)],
            ("abc".into(), "x".into(), "y\nz".into()),
            "ORG",
            crate::model::Kind::claim(),
            "ana",
            "2026-01-01T00:00:00Z",
        );
        a.note = note.into();
        a.extra.insert("future".into(), "(a: 1,\n b: \"x\")".into());
        a
    }

    #[test]
    fn records_are_one_line_and_read_back() {
        let edits = vec![
            Edit::Add(ann(
                "a1",
                "line\nbreak \"quoted\" \\ tab\t nul\u{0} bidi\u{2028} é 😀",
            )),
            Edit::Batch(vec![Edit::Remove("a1".into()), Edit::SetStatus(Status::Done)]),
        ];
        let mut text = render_header(Some("abc"), "def");
        for e in &edits {
            let line = render_record(std::slice::from_ref(e));
            assert_eq!(line.matches('\n').count(), 1, "{line}");
            text.push_str(&line);
        }
        let j = parse(text.as_bytes()).unwrap();
        assert_eq!(j.base, Some(Some("abc".into())));
        assert_eq!(j.source_hash.as_deref(), Some("def"));
        assert!(!j.torn);
        let got: Vec<Edit> = j.edits.into_iter().map(|(_, e)| e).collect();
        assert_eq!(got, edits);
    }

    #[test]
    fn a_torn_last_line_is_ignored_and_a_damaged_middle_line_is_not() {
        let mut text = render_header(None, "h");
        text.push_str(&render_record(&[Edit::SetStatus(Status::Done)]));
        let whole = text.clone();
        text.push_str("Add((id: \"cut");
        let j = parse(text.as_bytes()).unwrap();
        assert!(j.torn);
        assert_eq!(j.edits.len(), 1);
        // A complete but unparsable last line counts as torn too.
        let j = parse(format!("{whole}\0\0\0\n").as_bytes()).unwrap();
        assert!(j.torn);
        assert_eq!(j.edits.len(), 1);
        let damaged = format!(
            "{whole}garbage\n{}",
            render_record(&[Edit::SetStatus(Status::Done)])
        );
        assert_eq!(
            parse(damaged.as_bytes()).unwrap_err(),
            JournalError::Damaged {
                line: 3,
                message: parse_error("garbage")
            }
        );
    }

    fn parse_error(s: &str) -> String {
        ron::from_str::<Record>(s).map(|_| ()).unwrap_err().to_string()
    }

    #[test]
    fn an_empty_or_headless_file_holds_nothing() {
        assert_eq!(parse(b"").unwrap().base, None);
        let j = parse(b"(format: \"marginalia-jou").unwrap();
        assert!(j.torn);
        assert!(j.edits.is_empty());
    }
}
