//! brat standoff: `X.txt` + `X.ann`, and `annotation.conf` from the tag set.
//!
//! brat reads `.txt` files with universal newlines, so CRLF counts as one
//! character there. Export writes LF-only text and maps every offset onto it;
//! import normalises CRLF and lone CR to LF the same way, so offsets in `.ann`
//! files always refer to the text as brat sees it.
//!
//! Mapping (see `docs/formats.md`): entities and claims are `T` lines; free
//! attributes whose key and value hold no white space are `A` lines; claims
//! get `A Stance` and `A ClaimType`; canonical ids are `N Reference` lines;
//! notes are `# AnnotatorNotes` lines (one per note line); same-document
//! relations are `R` lines. Whatever brat has no place for (Marginalia ids
//! that are not `T<n>`, annotator, timestamps, speaker, cue, proposition,
//! status, other attributes) travels in one `# Marginalia` note per
//! annotation holding a JSON object, which the importer reads back.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use smallvec::SmallVec;

use crate::model::{
    AnnId, Annotation, Claim, ClaimType, Cue, DocAnnotations, Document, Kind, LabelDef, LabelKind, Relation,
    Span, Speaker, Stance, Status, TagSet, Target, tagset::AttributeDef, tagset::NAMED_COLOURS,
};

mod conf;
mod links;
mod note;
mod read;
mod write;

pub use conf::*;
pub use read::*;
pub use write::*;

/// Note type of the JSON note carrying Marginalia-only fields.
pub const META_NOTE: &str = "Marginalia";
/// Attribute name of a claim's stance.
pub const STANCE_ATTR: &str = "Stance";
/// Attribute name of a claim's type.
pub const CLAIM_TYPE_ATTR: &str = "ClaimType";
/// Attribute key keeping the text of a brat `N Reference` line when it differs from the id.
pub const NORM_TEXT_KEY: &str = "brat:norm_text";
/// Prefix of attribute keys keeping further `N` lines: `brat:N <type> <kb:id>`.
pub const EXTRA_NORM_PREFIX: &str = "brat:N ";
/// Prefix of attribute keys keeping notes of other types than AnnotatorNotes: `brat:note <type>`.
pub const OTHER_NOTE_PREFIX: &str = "brat:note ";
/// Knowledge-base name given to canonical ids that have none.
const OWN_KB: &str = "Marginalia";

/// Offsets of a text before and after universal-newline normalisation.
#[derive(Clone, Debug, Default)]
pub struct NewlineMap {
    /// Code-point index (in the original text) of every LF that follows a CR.
    crlf_lf: Vec<usize>,
}

impl NewlineMap {
    /// Normalises CRLF and lone CR to LF, as brat and Python read text files.
    pub fn normalise(text: &str) -> (String, NewlineMap) {
        if memchr::memchr(b'\r', text.as_bytes()).is_none() {
            return (text.to_owned(), NewlineMap::default());
        }
        let mut out = String::with_capacity(text.len());
        let mut map = NewlineMap::default();
        let mut prev_cr = false;
        for (i, c) in text.chars().enumerate() {
            match c {
                '\r' => out.push('\n'),
                '\n' if prev_cr => map.crlf_lf.push(i),
                c => out.push(c),
            }
            prev_cr = c == '\r';
        }
        (out, map)
    }

    fn before(&self, i: usize) -> usize {
        self.crlf_lf.partition_point(|&p| p < i)
    }

    fn inside_pair(&self, i: usize) -> bool {
        self.crlf_lf.binary_search(&i).is_ok()
    }

    /// Maps a start offset; a start between CR and LF moves back onto the line break.
    pub fn start(&self, i: usize) -> usize {
        let k = self.before(i);
        if self.inside_pair(i) { i - k - 1 } else { i - k }
    }

    /// Maps an end offset; an end between CR and LF moves past the line break.
    pub fn end(&self, i: usize) -> usize {
        i - self.before(i)
    }

    /// Maps a span.
    pub fn span(&self, s: Span) -> Span {
        Span::new(self.start(s.start), self.end(s.end))
    }
}

/// The two files of one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BratFiles {
    /// The LF-only text.
    pub txt: String,
    /// The standoff annotations.
    pub ann: String,
}

fn brat_number(id: &str, prefix: char) -> Option<u64> {
    id.strip_prefix(prefix)?
        .parse()
        .ok()
        .filter(|_| id[1..].bytes().all(|b| b.is_ascii_digit()))
}

/// True for the characters that end a line of an `.ann` file as brat reads
/// it: Python's codecs reader cuts lines wherever `str.splitlines` does, at
/// CR and LF and also at U+000B, U+000C, U+001C–U+001E, U+0085, U+2028 and
/// U+2029. A `T` fragment or a line's text never holds one.
pub fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{1c}'..='\u{1e}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// True when a text cannot stand on one `.ann` line.
fn has_line_break(s: &str) -> bool {
    s.chars().any(is_line_break)
}

/// White space as brat's fields are split on (Python's `str.split()`, which
/// counts U+001C–U+001F too), and line breaks.
fn brat_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(brat_space)
}

/// A role or type as brat can hold it in a `Role:Id` pair: no white space, no colon.
fn is_role(s: &str) -> bool {
    is_token(s) && !s.contains(':')
}

/// The fragments of a `T` line for `spans` of the LF text of `doc`: each span
/// cut at line breaks, as brat makes them when an annotator selects across
/// lines, the breaks themselves left out. Spans that hold nothing but line
/// breaks leave no fragment; if none is left, one empty fragment where the
/// first span starts stands for the annotation.
pub fn fragments(doc: &Document, spans: &[Span]) -> Vec<Span> {
    let mut out = Vec::with_capacity(spans.len());
    for s in spans {
        let text = doc.slice(*s);
        if !has_line_break(text) {
            if !s.is_empty() || spans.len() == 1 {
                out.push(*s);
            }
            continue;
        }
        let mut start = s.start;
        for (i, c) in text.chars().enumerate() {
            if is_line_break(c) {
                if start < s.start + i {
                    out.push(Span::new(start, s.start + i));
                }
                start = s.start + i + 1;
            }
        }
        if start < s.end {
            out.push(Span::new(start, s.end));
        }
    }
    if out.is_empty() {
        let at = spans.first().map_or(0, |s| s.start);
        out.push(Span::new(at, at));
    }
    out
}

/// The spans of an annotation read from brat `fragments` (sorted): fragments
/// separated by nothing but line breaks are one span again, the breaks inside
/// it. [`fragments`] of the result gives the fragments back.
pub fn join_fragments(doc: &Document, fragments: &[Span]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::with_capacity(fragments.len());
    for f in fragments {
        if let Some(last) = out.last_mut()
            && last.end < f.start
            && doc.slice(Span::new(last.end, f.start)).chars().all(is_line_break)
        {
            last.end = f.end;
            continue;
        }
        out.push(*f);
    }
    out
}

/// Gives every item a brat id: its own when it already is `<prefix><n>` and unique, else a fresh one.
fn assign_ids<'a>(ids: impl Iterator<Item = &'a str> + Clone, prefix: char) -> HashMap<String, String> {
    let mut taken: BTreeSet<u64> = BTreeSet::new();
    let mut out = HashMap::new();
    for id in ids.clone() {
        if let Some(n) = brat_number(id, prefix)
            && taken.insert(n)
        {
            out.insert(id.to_owned(), id.to_owned());
        }
    }
    let mut next = 1;
    for id in ids {
        if out.contains_key(id) {
            continue;
        }
        while taken.contains(&next) {
            next += 1;
        }
        taken.insert(next);
        out.insert(id.to_owned(), format!("{prefix}{next}"));
    }
    out
}

/// A label or type as brat can hold it: white space (which separates brat fields) becomes `_`.
pub fn brat_type(name: &str) -> String {
    brat_type_cow(name).into_owned()
}

/// [`brat_type`], borrowed when the name is already one (nearly always).
fn brat_type_cow(name: &str) -> std::borrow::Cow<'_, str> {
    if is_token(name) {
        return name.into();
    }
    let t = name
        .split(brat_space)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    if t.is_empty() { "_".into() } else { t.into() }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;

    /// Text with what JSON must escape, and some that it must not.
    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(
                &[
                    "a", "Z", " ", "\"", "\\", "\n", "\r", "\t", "\u{1}", "é", "😀", "/", "\u{7f}",
                ][..],
            ),
            0..6,
        )
        .prop_map(|v| v.concat())
    }

    fn map() -> impl Strategy<Value = BTreeMap<String, String>> {
        proptest::collection::btree_map(text(), text(), 0..3)
    }

    proptest! {
        /// The note is the text serde_json gives its own value (keys in byte
        /// order, compact), as the exports before it wrote it, and reads back.
        #[test]
        fn the_meta_note_is_serde_json_text(
            strings in proptest::collection::vec(text(), 8),
            attributes in map(),
            extra in map(),
            doc_extra in map(),
            flags in proptest::collection::vec(any::<bool>(), 10),
            numbers in (0usize..100_000, 0usize..100_000),
            speaker in 0..3u8,
        ) {
            let speaker = match speaker {
                0 => None,
                1 => Some(note::NoteSpeaker::Author),
                _ => Some(note::NoteSpeaker::Entity(strings[4].as_str().into())),
            };
            let relation = |id: &str, to_doc: Option<&str>| note::NoteRelation {
                id: id.to_owned().into(),
                to: strings[7].as_str().into(),
                to_doc: to_doc.map(|d| d.to_owned().into()),
                kind: strings[0].as_str().into(),
                attributes: BTreeMap::new(),
                note: None,
            };
            let meta = note::Note {
                annotator: Some(strings[0].as_str().into()),
                attributes: attributes.clone(),
                canonical: flags[0].then_some(strings[1].as_str().into()),
                created: Some(strings[2].as_str().into()),
                cue: flags[1].then_some(note::NoteCue {
                    end: numbers.1,
                    start: numbers.0,
                    text: Some(strings[3].as_str().into()),
                }),
                doc: flags[2].then_some(note::NoteDoc {
                    extra: Cow::Borrowed(&doc_extra),
                    status: "done".into(),
                    ..note::NoteDoc::default()
                }),
                extra: Cow::Borrowed(&extra),
                id: flags[4].then_some(strings[4].as_str().into()),
                kind: flags[5].then_some("claim".into()),
                label: flags[6].then_some(strings[5].as_str().into()),
                modified: Some(strings[6].as_str().into()),
                note: flags[7].then_some(strings[7].as_str().into()),
                orphaned: flags[8],
                proposition: flags[9].then_some(strings[1].as_str().into()),
                relations: [relation(&strings[5], flags[9].then_some(strings[6].as_str())), relation("r2", None)]
                    .into_iter()
                    .take(usize::from(flags[0]) + usize::from(flags[1]))
                    .collect(),
                speaker,
                ..note::Note::default()
            };
            let mut text = String::new();
            meta.write(&mut text);
            let value: Value = serde_json::from_str(&text).expect("valid JSON");
            prop_assert_eq!(value.to_string(), text.clone());
            prop_assert_eq!(value["annotator"].as_str(), Some(strings[0].as_str()));
            prop_assert_eq!(value.get("note").and_then(Value::as_str), meta.note.as_deref());
            prop_assert_eq!(value.get("orphaned").is_some(), flags[8]);
            prop_assert_eq!(value.get("extra").is_some(), !extra.is_empty());
            // And it reads back as written.
            let mut again = String::new();
            note::parse(&text).expect("readable").write(&mut again);
            prop_assert_eq!(again, text);
        }
    }
}
