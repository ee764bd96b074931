//! W3C Web Annotation (JSON-LD): one `AnnotationCollection` whose page holds
//! every annotation.
//!
//! Each annotation targets its source document with a `TextPositionSelector`
//! (code points, as the model requires) and a `TextQuoteSelector` (prefix,
//! exact, suffix; 32 code points of context). The label is a `tagging` body;
//! canonical ids are `identifying` bodies, notes `commenting` bodies. Claim
//! fields and free attributes go under a small `mrg:` vocabulary declared in
//! the context, since the W3C vocabulary has no terms for them.

use std::io::{self, Write};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::model::{Annotation, DocAnnotations, Document, Relation, document::CONTEXT_CHARS};

/// The JSON-LD context of every export.
pub fn context() -> Value {
    json!(["http://www.w3.org/ns/anno.jsonld", {"mrg": "urn:marginalia:vocab#"}])
}

/// A stable `urn:uuid:` IRI derived from the given parts (name-based, SHA-256),
/// so that exporting the same data twice gives the same ids.
pub fn urn_uuid(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        hash_part(&mut h, p);
    }
    urn_text(&urn_of(h)).to_owned()
}

/// The text of an IRI [`urn_of`] wrote (only ASCII).
fn urn_text(urn: &[u8; URN_LEN]) -> &str {
    std::str::from_utf8(urn).unwrap_or_default()
}

/// Adds one part of a [`urn_uuid`] name to `h`.
fn hash_part(h: &mut Sha256, part: &str) {
    h.update(part.as_bytes());
    h.update([0]);
}

/// Length of `urn:uuid:` and a UUID's 36 characters.
const URN_LEN: usize = 45;

/// The `urn:uuid:` IRI of a name hashed into `h` (see [`urn_uuid`]), written
/// on the stack: an export makes one or more per annotation.
fn urn_of(h: Sha256) -> [u8; URN_LEN] {
    use crate::model::document::HEX_DIGITS as DIGITS;
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    // RFC 9562 version 8 (custom) with the RFC variant bits.
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut out = [b'-'; URN_LEN];
    out[..9].copy_from_slice(b"urn:uuid:");
    let mut at = 9;
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            at += 1; // the hyphen already there
        }
        out[at] = DIGITS[usize::from(byte >> 4)];
        out[at + 1] = DIGITS[usize::from(byte & 15)];
        at += 2;
    }
    out
}

/// The Web Annotation of one annotation of `doc`.
pub fn annotation(doc: &Document, data: &DocAnnotations, a: &Annotation) -> Value {
    serde_json::to_value(out::Source::new(doc, data).annotation(a)).unwrap_or(Value::Null)
}

/// A relation as a `linking` annotation whose targets are the two annotations' IRIs.
pub fn relation(doc: &Document, r: &Relation) -> Value {
    let empty = DocAnnotations::default();
    serde_json::to_value(out::Source::new(doc, &empty).relation(r)).unwrap_or(Value::Null)
}

/// Every annotation of one document in document order, then its relations.
pub fn doc_items(doc: &Document, data: &DocAnnotations) -> Vec<Value> {
    let mut out: Vec<Value> = data
        .annotations
        .iter()
        .map(|a| annotation(doc, data, a))
        .collect();
    out.extend(data.relations.iter().map(|r| relation(doc, r)));
    out
}

/// [`doc_items`] as a [`CollectionWriter`] writes them, serialized straight
/// from the model (no JSON tree per annotation). One set of structs (`out`)
/// serves both, so the two cannot differ.
pub fn doc_item_texts(doc: &Document, data: &DocAnnotations) -> ItemsText {
    // About 700 bytes per annotation in a corpus of short documents.
    let mut items = ItemsText {
        text: Vec::with_capacity(data.annotations.len() * 768 + data.relations.len() * 384),
        count: 0,
    };
    let source = out::Source::new(doc, data);
    for a in &data.annotations {
        items.push(&source.annotation(a));
    }
    for r in &data.relations {
        items.push(&source.relation(r));
    }
    items
}

/// Items ready for a [`CollectionWriter`]: each item compact, on a line of
/// its own indented to its place on the page, joined by `,\n`. Rendered per
/// document (on the export's worker threads) so the collection is never built
/// as one large JSON tree.
///
/// One line per annotation rather than serde_json's pretty layout: a change to
/// an annotation is a change to one line in a diff, `grep` finds whole
/// annotations, and the file is 40% smaller (indentation was over a third of
/// a pretty export's bytes).
#[derive(Debug, Default)]
pub struct ItemsText {
    /// JSON text (serde_json writes only UTF-8).
    text: Vec<u8>,
    count: usize,
}

impl ItemsText {
    /// Adds one item as compact JSON.
    pub fn push(&mut self, item: &impl serde::Serialize) {
        if self.count > 0 {
            self.text.extend_from_slice(b",\n");
        }
        self.text.extend_from_slice(ITEM_PAD.as_bytes());
        // The items hold strings, numbers and string-keyed maps: serializing cannot fail.
        let _ = serde_json::to_writer(&mut self.text, item);
        self.count += 1;
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// The W3C items as serde structs: each annotation targets its source with a
/// position and a quote selector; the label is a `tagging` body, a canonical
/// id an `identifying` one, a note a `commenting` one; claim fields go under
/// `mrg:claim`. Fields are declared in byte order, the order of a
/// `serde_json::Value`'s keys, so an item's text is that of its value.
mod out {
    use serde::{Serialize, Serializer};
    use sha2::{Digest, Sha256};

    use super::{CONTEXT_CHARS, URN_LEN, hash_part, urn_of, urn_text};
    use crate::model::{Annotation, Attributes, DocAnnotations, Document, Kind, Relation, Span, Speaker};

    /// One document's annotations being written: the hash of its path, which
    /// every id's name starts with, is taken once.
    pub struct Source<'d> {
        doc: &'d Document,
        data: &'d DocAnnotations,
        /// A hash that has taken the path as the first part of an id's name.
        named: Sha256,
    }

    /// An IRI of [`urn_of`], kept on the stack.
    pub struct Iri([u8; URN_LEN]);

    impl Serialize for Iri {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(urn_text(&self.0))
        }
    }

    /// A `TextualBody`; `purpose` is one of the W3C motivations.
    #[derive(Serialize)]
    pub struct Body<'a> {
        purpose: &'static str,
        #[serde(rename = "type")]
        ty: &'static str,
        value: &'a str,
    }

    fn body<'a>(purpose: &'static str, value: &'a str) -> Body<'a> {
        Body {
            purpose,
            ty: "TextualBody",
            value,
        }
    }

    #[derive(Serialize)]
    pub struct Creator<'a> {
        name: &'a str,
        #[serde(rename = "type")]
        ty: &'static str,
    }

    #[derive(Serialize)]
    pub struct Position {
        end: usize,
        start: usize,
        #[serde(rename = "type")]
        ty: &'static str,
    }

    #[derive(Serialize)]
    pub struct Quote<'a> {
        exact: &'a str,
        prefix: &'a str,
        suffix: &'a str,
        #[serde(rename = "type")]
        ty: &'static str,
    }

    #[derive(Serialize)]
    pub struct Target<'a> {
        selector: (Position, Quote<'a>),
        source: &'a str,
        #[serde(rename = "type")]
        ty: &'static str,
    }

    /// One target, or a list for a discontinuous annotation.
    #[derive(Serialize)]
    #[serde(untagged)]
    pub enum Targets<'a> {
        One(Target<'a>),
        Many(Vec<Target<'a>>),
    }

    #[derive(Serialize)]
    #[serde(untagged)]
    pub enum SpeakerOut<'a> {
        Author {
            kind: &'static str,
        },
        Entity {
            id: Iri,
            kind: &'static str,
            text: Option<&'a str>,
        },
    }

    #[derive(Serialize)]
    pub struct ClaimOut<'a> {
        #[serde(rename = "claimType")]
        claim_type: &'static str,
        cue: Option<Target<'a>>,
        proposition: Option<&'a str>,
        speaker: Option<SpeakerOut<'a>>,
        stance: &'static str,
    }

    #[derive(Serialize)]
    pub struct Item<'a> {
        body: Vec<Body<'a>>,
        #[serde(skip_serializing_if = "str::is_empty")]
        created: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        creator: Option<Creator<'a>>,
        id: Iri,
        #[serde(skip_serializing_if = "str::is_empty")]
        modified: &'a str,
        motivation: &'static str,
        #[serde(rename = "mrg:attributes", skip_serializing_if = "Attributes::is_empty")]
        attributes: &'a Attributes,
        #[serde(rename = "mrg:claim", skip_serializing_if = "Option::is_none")]
        claim: Option<ClaimOut<'a>>,
        #[serde(rename = "mrg:id")]
        mrg_id: &'a str,
        #[serde(rename = "mrg:kind")]
        kind: &'static str,
        target: Targets<'a>,
        #[serde(rename = "type")]
        ty: &'static str,
    }

    #[derive(Serialize)]
    pub struct RelationItem<'a> {
        body: Body<'a>,
        id: Iri,
        motivation: &'static str,
        #[serde(rename = "mrg:id")]
        mrg_id: &'a str,
        #[serde(rename = "mrg:kind")]
        kind: &'static str,
        target: [Iri; 2],
        #[serde(rename = "type")]
        ty: &'static str,
    }

    impl<'d> Source<'d> {
        pub fn new(doc: &'d Document, data: &'d DocAnnotations) -> Self {
            let mut named = Sha256::new();
            hash_part(&mut named, &doc.path);
            Source { doc, data, named }
        }

        /// The `urn:uuid:` of the name (this document's path, `parts`…).
        fn id(&self, parts: &[&str]) -> Iri {
            let mut h = self.named.clone();
            for p in parts {
                hash_part(&mut h, p);
            }
            Iri(urn_of(h))
        }

        fn target(&self, s: Span) -> Target<'d> {
            let (prefix, exact, suffix) = self.doc.slice_in_context(s, CONTEXT_CHARS);
            Target {
                selector: (
                    Position {
                        end: s.end,
                        start: s.start,
                        ty: "TextPositionSelector",
                    },
                    Quote {
                        exact,
                        prefix,
                        suffix,
                        ty: "TextQuoteSelector",
                    },
                ),
                source: &self.doc.path,
                ty: "SpecificResource",
            }
        }

        pub fn annotation<'a>(&self, a: &'a Annotation) -> Item<'a>
        where
            'd: 'a,
        {
            let mut bodies = vec![body("tagging", &a.label)];
            if let Some(c) = a.canonical() {
                bodies.push(body("identifying", c));
            }
            if !a.note.is_empty() {
                bodies.push(body("commenting", &a.note));
            }
            let claim = match &a.kind {
                Kind::Claim(c) => Some(ClaimOut {
                    claim_type: c.claim_type.as_str(),
                    cue: c.cue.as_ref().map(|q| self.target(q.span)),
                    proposition: c.proposition.as_deref(),
                    speaker: match &c.speaker {
                        Speaker::Unknown => None,
                        Speaker::Author => Some(SpeakerOut::Author { kind: "author" }),
                        Speaker::Entity(id) => Some(SpeakerOut::Entity {
                            id: self.id(&[id]),
                            kind: "entity",
                            text: self.data.get(id).map(|e| e.quote.as_str()),
                        }),
                    },
                    stance: c.stance.as_str(),
                }),
                Kind::Entity { .. } => None,
            };
            Item {
                body: bodies,
                created: &a.created,
                creator: (!a.annotator.is_empty()).then_some(Creator {
                    name: &a.annotator,
                    ty: "Person",
                }),
                id: self.id(&[&a.id]),
                modified: &a.modified,
                motivation: "tagging",
                attributes: &a.attributes,
                claim,
                mrg_id: &a.id,
                kind: if a.kind.is_claim() { "claim" } else { "entity" },
                target: match a.spans.as_slice() {
                    [one] => Targets::One(self.target(*one)),
                    many => Targets::Many(many.iter().map(|s| self.target(*s)).collect()),
                },
                ty: "Annotation",
            }
        }

        pub fn relation<'a>(&self, r: &'a Relation) -> RelationItem<'a> {
            let to = match r.to.doc.as_deref() {
                Some(to_doc) if to_doc != self.doc.path => {
                    let mut h = Sha256::new();
                    hash_part(&mut h, to_doc);
                    hash_part(&mut h, &r.to.id);
                    Iri(urn_of(h))
                }
                _ => self.id(&[&r.to.id]),
            };
            RelationItem {
                body: body("tagging", &r.kind),
                id: self.id(&["relation", &r.id]),
                motivation: "linking",
                mrg_id: &r.id,
                kind: "relation",
                target: [self.id(&[&r.from]), to],
                ty: "Annotation",
            }
        }
    }
}

/// The collection around the items; `label` names the export.
pub fn collection(label: &str, items: Vec<Value>) -> Value {
    let id = urn_uuid(&["collection", label]);
    let page = format!("{id}#page-1");
    json!({
        "@context": context(),
        "id": id,
        "type": "AnnotationCollection",
        "label": label,
        "total": items.len(),
        "first": {
            "id": page,
            "type": "AnnotationPage",
            "partOf": id,
            "startIndex": 0,
            "items": items,
        },
        "last": page,
    })
}

/// Where the items go in the collection's text; a JSON string can hold no NUL,
/// so no label or id can produce this.
const ITEMS_MARK: &str = "\u{0}items\u{0}";

/// The indentation of an item's line: where it sits in the collection's pretty text.
const ITEM_PAD: &str = "      ";

/// Writes a collection whose items arrive one at a time, so that an export
/// never holds them all: the text before the items does not depend on how many
/// there are (keys are in bytewise order, and `total` comes after `first`), and
/// only the end waits for the count. The text is that of
/// `serde_json::to_string_pretty(&collection(label, items))` and a newline,
/// except that each item is compact, on one line (see [`ItemsText`]).
pub struct CollectionWriter {
    label: String,
    head: String,
    count: usize,
}

impl CollectionWriter {
    /// Writes the collection's opening, up to its first item.
    pub fn begin(w: &mut dyn Write, label: &str) -> io::Result<Self> {
        let (head, _) = shell(label, 0)?;
        w.write_all(head.as_bytes())?;
        Ok(Self {
            label: label.to_owned(),
            head,
            count: 0,
        })
    }

    /// Writes items, as [`doc_item_texts`] renders them.
    pub fn items(&mut self, w: &mut dyn Write, items: &ItemsText) -> io::Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        w.write_all(if self.count == 0 { b"[\n" } else { b",\n" })?;
        w.write_all(&items.text)?;
        self.count += items.count;
        Ok(())
    }

    /// Closes the items and writes the rest, with the number of items written.
    pub fn finish(self, w: &mut dyn Write) -> io::Result<()> {
        let (head, tail) = shell(&self.label, self.count)?;
        if head != self.head {
            return Err(io::Error::other("the collection's opening depends on its size"));
        }
        w.write_all(if self.count == 0 { b"[]" } else { b"\n    ]" })?;
        w.write_all(tail.as_bytes())?;
        w.write_all(b"\n")
    }
}

/// The collection's pretty text for `total` items, cut where the items go.
fn shell(label: &str, total: usize) -> io::Result<(String, String)> {
    let mut shell = collection(label, Vec::new());
    shell["total"] = json!(total);
    shell["first"]["items"] = json!(ITEMS_MARK);
    let text = serde_json::to_string_pretty(&shell)?;
    let mark = serde_json::to_string(ITEMS_MARK)?;
    let (head, tail) = text
        .split_once(&mark)
        .ok_or_else(|| io::Error::other("the collection lost its place for the items"))?;
    Ok((head.to_owned(), tail.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_collection_is_the_collection_with_one_item_a_line() {
        let item = |n: usize| {
            json!({
                "id": format!("urn:uuid:{n}"),
                "body": [{"type": "TextualBody", "value": "a \"quoted\"\nline"}],
                "target": {"selector": [{"exact": "x", "prefix": "", "suffix": "y"}]},
                "empty": [],
                "none": {},
            })
        };
        for n in [0, 1, 3] {
            let items: Vec<Value> = (0..n).map(item).collect();
            // Split unevenly, as documents split them.
            let mut texts = vec![ItemsText::default(), ItemsText::default(), ItemsText::default()];
            for (k, it) in items.iter().enumerate() {
                texts[k.min(1) * 2].push(it);
            }
            let mut got = Vec::new();
            let mut c = CollectionWriter::begin(&mut got, "corpus \"one\"").unwrap();
            for t in &texts {
                c.items(&mut got, t).unwrap();
            }
            c.finish(&mut got).unwrap();
            let got = String::from_utf8(got).unwrap();
            let parsed: Value = serde_json::from_str(&got).unwrap();
            assert_eq!(parsed, collection("corpus \"one\"", items.clone()), "{n} items");
            // The shell is laid out as serde_json lays it out; each item is one line.
            let mut shell = collection("corpus \"one\"", Vec::new());
            shell["total"] = json!(n);
            let lines: Vec<&str> = got.lines().collect();
            let item_lines: Vec<&str> = lines
                .iter()
                .copied()
                .filter(|l| l.starts_with(&format!("{ITEM_PAD}{{")))
                .collect();
            assert_eq!(item_lines.len(), n, "{got}");
            for (line, it) in item_lines.iter().zip(&items) {
                let line = line.trim_start().trim_end_matches(',');
                assert_eq!(line, serde_json::to_string(it).unwrap());
            }
            let rest: Vec<&str> = lines
                .iter()
                .copied()
                .filter(|l| !item_lines.contains(l))
                .collect();
            let pretty = serde_json::to_string_pretty(&shell).unwrap();
            if n == 0 {
                assert_eq!(got, format!("{pretty}\n"));
            } else {
                let want: Vec<&str> = pretty.lines().collect();
                let want: Vec<String> = want
                    .iter()
                    .map(|l| l.replace("\"items\": [],", "\"items\": ["))
                    .collect();
                let at = want.iter().position(|l| l.ends_with("\"items\": [")).unwrap();
                let mut want = want;
                want.insert(at + 1, "    ],".to_owned());
                assert_eq!(rest, want, "{got}");
            }
        }
    }
}
