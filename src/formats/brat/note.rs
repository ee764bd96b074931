//! The `# Marginalia` note of a brat annotation: a JSON object holding what
//! brat has no place for, written by the exporter and read back by the
//! importer through the one struct below.
//!
//! Keys are written in byte order (the fields are declared in that order),
//! compact, and only when they hold something, as earlier exports wrote them.
//! Reading ignores keys it does not know; a known key with a value of another
//! type makes the whole note unreadable, which the importer reports with the
//! line it came from.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
    /// Attributes that have no `A`, `N` or note line.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical: Text<'a>,
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
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub orphaned: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposition: Text<'a>,
    /// Relations to other documents, or without a brat `R` line.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<NoteRelation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speaker: Option<NoteSpeaker<'a>>,
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

/// The document's status and extra fields.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct NoteDoc<'a> {
    pub extra: Fields<'a>,
    pub status: Cow<'a, str>,
}

/// A relation the `.ann` file has no `R` line for.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct NoteRelation<'a> {
    pub id: Cow<'a, str>,
    pub to: Cow<'a, str>,
    #[serde(default)]
    pub to_doc: Text<'a>,
    #[serde(rename = "type")]
    pub kind: Cow<'a, str>,
}

impl Note<'_> {
    /// Appends the note's JSON text.
    pub(super) fn write(&self, out: &mut String) {
        // Serializing plain strings, maps and numbers cannot fail.
        out.push_str(&serde_json::to_string(self).unwrap_or_default());
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
