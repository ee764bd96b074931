//! The `# Marginalia` note of a brat annotation: a JSON object holding what
//! brat has no place for, written by the exporter and read back by the
//! importer through the one struct below.
//!
//! Keys are written in byte order (the fields are declared in that order),
//! compact, and only when they hold something, as earlier exports wrote them.
//! Characters some line readers break lines at (U+0085, U+2028, U+2029) are
//! written as `\u` escapes, so that the note stays on its line: brat reads
//! `.ann` files with Python's codecs, whose lines end at those too.
//! Reading ignores keys it does not know; a known key with a value of another
//! type makes the whole note unreadable, which the importer reports with the
//! line it came from.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Equivalence, Event, Relation};

/// A string field of the note: borrowed when written, owned when read.
type Text<'a> = Option<Cow<'a, str>>;

/// Free key → value fields: borrowed from the annotation when written.
type Fields<'a> = Cow<'a, BTreeMap<String, String>>;

/// The note's fields. Annotation fields keep their model names; `kind` is
/// `"claim"` for a claim, and `doc` rides on one annotation of a document.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct Note<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotator: Text<'a>,
    /// An event's arguments as `[role, id]` pairs with Marginalia ids, when
    /// the `E` line cannot hold them as they are (a role with white space or a
    /// colon, an argument that is not in the document).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Vec<(Cow<'a, str>, Cow<'a, str>)>>,
    /// Attributes that have no `A`, `N` or note line.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical: Text<'a>,
    /// A claim's type, when it cannot be an `A` line (on an event's trigger).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_type: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cue: Option<NoteCue<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<NoteDoc<'a>>,
    #[serde(skip_serializing_if = "is_empty")]
    pub extra: Fields<'a>,
    /// The annotation's id, when it is not its brat id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Text<'a>,
    /// The label, when brat's type had to change it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Text<'a>,
    /// The note, when `AnnotatorNotes` lines cannot hold it (it has a CR).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Text<'a>,
    /// Which kind of suggestion the annotation was accepted from (`"matcher"`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Text<'a>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub orphaned: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposition: Text<'a>,
    /// Relations to other documents, or without a brat `R` line.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<NoteRelation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speaker: Option<NoteSpeaker<'a>>,
    /// The spans on the brat text, when the fragments of the `T` line (cut at
    /// line breaks) do not give them back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spans: Option<Vec<(usize, usize)>>,
    /// A claim's stance, when it cannot be an `A` line (on an event's trigger).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stance: Text<'a>,
    /// On an event's note: the note of its trigger, which brat allows no line
    /// of its own besides the `T` line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<Box<Note<'a>>>,
}

fn is_empty(m: &Fields<'_>) -> bool {
    m.is_empty()
}

/// A claim's cue, on the brat text; the text is optional when read.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct NoteCue<'a> {
    pub end: usize,
    pub start: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Text<'a>,
}

/// Who makes a claim: `"author"` or `{"entity": id}` (an unknown speaker is left out).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum NoteSpeaker<'a> {
    Author,
    Entity(Cow<'a, str>),
}

/// The document's status and extra fields, and the events and equivalences
/// that have no `E` or `*` line (see `write.rs`), as the sidecar holds them.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct NoteDoc<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub equivalences: Vec<Equivalence>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    pub extra: Fields<'a>,
    /// Relations that start at nothing the `.ann` file holds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    pub status: Cow<'a, str>,
}

/// A relation the `.ann` file has no `R` line for.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct NoteRelation<'a> {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    pub id: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Text<'a>,
    pub to: Cow<'a, str>,
    #[serde(default)]
    pub to_doc: Text<'a>,
    #[serde(rename = "type")]
    pub kind: Cow<'a, str>,
}

impl Note<'_> {
    /// True when the note holds nothing, and need not be written.
    pub(super) fn is_empty(&self) -> bool {
        let mut out = String::new();
        self.write(&mut out);
        out == "{}"
    }

    /// Appends the note's JSON text.
    pub(super) fn write(&self, out: &mut String) {
        // Serializing plain strings, maps and numbers cannot fail.
        let json = serde_json::to_string(self).unwrap_or_default();
        // They can only stand inside strings, where an escape means the same.
        if json.contains(['\u{85}', '\u{2028}', '\u{2029}']) {
            for c in json.chars() {
                match c {
                    '\u{85}' | '\u{2028}' | '\u{2029}' => {
                        let _ = std::fmt::Write::write_fmt(out, format_args!("\\u{:04x}", u32::from(c)));
                    }
                    c => out.push(c),
                }
            }
        } else {
            out.push_str(&json);
        }
    }
}

/// Reads a note.
pub(super) fn parse(text: &str) -> Result<Note<'_>, serde_json::Error> {
    serde_json::from_str(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_ignored_and_wrong_types_refused() {
        let n = parse(r#"{"annotator":"chloé","id":"a1","note":"a \"b\"","later":[1,{"x":2}]}"#).unwrap();
        assert_eq!(n.annotator.as_deref(), Some("chloé"));
        assert_eq!(n.id.as_deref(), Some("a1"));
        assert_eq!(n.note.as_deref(), Some("a \"b\""));
        assert!(parse(r#"{"orphaned":"yes"}"#).is_err());
        assert!(parse(r#"{"cue":{"start":1}}"#).is_err());
        assert!(parse("{\"id\": ").is_err());
        assert!(parse(r#"{"speaker":{"entity":"e1"},"relations":[{"id":"r","to":"t","type":"k"}]}"#).is_ok());
    }

    #[test]
    fn only_fields_that_hold_something_are_written() {
        let mut out = String::new();
        Note::default().write(&mut out);
        assert_eq!(out, "{}");
        out.clear();
        Note {
            annotator: Some("".into()),
            speaker: Some(NoteSpeaker::Author),
            cue: Some(NoteCue {
                end: 3,
                start: 1,
                text: Some("ab".into()),
            }),
            ..Note::default()
        }
        .write(&mut out);
        assert_eq!(
            out,
            r#"{"annotator":"","cue":{"end":3,"start":1,"text":"ab"},"speaker":"author"}"#
        );
    }
}
