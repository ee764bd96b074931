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
    let mut text = String::new();
    out::Source::new(doc, data).annotation(&mut text, a);
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A relation as a `linking` annotation whose targets are the two annotations' IRIs.
pub fn relation(doc: &Document, r: &Relation) -> Value {
    let mut text = String::new();
    out::Source::new(doc, &DocAnnotations::default()).relation(&mut text, r);
    serde_json::from_str(&text).unwrap_or(Value::Null)
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

/// [`doc_items`] as a [`CollectionWriter`] writes them, rendered straight
/// from the model (no JSON tree per annotation: the export spends its time
/// here). One renderer (`out`) serves both, so the two cannot differ.
pub fn doc_item_texts(doc: &Document, data: &DocAnnotations) -> ItemsText {
    // About 700 bytes per annotation in a corpus of short documents.
    let mut items = ItemsText {
        text: String::with_capacity(data.annotations.len() * 768 + data.relations.len() * 384),
        count: 0,
    };
    let source = out::Source::new(doc, data);
    for a in &data.annotations {
        items.push(|text| source.annotation(text, a));
    }
    for r in &data.relations {
        items.push(|text| source.relation(text, r));
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
    text: String,
    count: usize,
}

impl ItemsText {
    /// Adds one item, which `write` writes as compact JSON.
    pub fn push(&mut self, write: impl FnOnce(&mut String)) {
        if self.count > 0 {
            self.text.push_str(",\n");
        }
        self.text.push_str(ITEM_PAD);
        write(&mut self.text);
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

/// The W3C items written by hand (`super::json`): each annotation targets its
/// source with a position and a quote selector; the label is a `tagging` body,
/// a canonical id an `identifying` one, a note a `commenting` one; claim fields
/// go under `mrg:claim`. Keys are written in the order `serde_json::Value`
/// sorts them (bytewise), so the text is that of the JSON value [`annotation`]
/// and [`relation`] read back from it.
mod out {
    use sha2::{Digest, Sha256};

    use super::{CONTEXT_CHARS, URN_LEN, hash_part, urn_of, urn_text};
    use crate::export::json::{self, Object};
    use crate::model::{Annotation, DocAnnotations, Document, Kind, Relation, Span, Speaker};

    /// One document's annotations being written: what every one of its items
    /// repeats is prepared once (the source's JSON string, the hash of its path).
    pub struct Source<'d> {
        doc: &'d Document,
        data: &'d DocAnnotations,
        /// `doc.path` as a JSON string, quotes included.
        path_json: String,
        /// A hash that has taken the path as the first part of an id's name.
        named: Sha256,
    }

    impl<'d> Source<'d> {
        pub fn new(doc: &'d Document, data: &'d DocAnnotations) -> Self {
            let mut path_json = String::with_capacity(doc.path.len() + 2);
            json::string(&mut path_json, &doc.path);
            let mut named = Sha256::new();
            hash_part(&mut named, &doc.path);
            Source {
                doc,
                data,
                path_json,
                named,
            }
        }

        /// Writes the `urn:uuid:` of the name (this document's path, `parts`…) as a JSON string.
        fn id(&self, out: &mut String, parts: &[&str]) {
            let mut h = self.named.clone();
            for p in parts {
                hash_part(&mut h, p);
            }
            iri(out, &urn_of(h));
        }

        fn target(&self, out: &mut String, s: Span) {
            let (prefix, exact, suffix) = self.doc.slice_in_context(s, CONTEXT_CHARS);
            out.push_str("{\"selector\":[{\"end\":");
            json::number(out, s.end);
            out.push_str(",\"start\":");
            json::number(out, s.start);
            out.push_str(",\"type\":\"TextPositionSelector\"},{\"exact\":");
            json::string(out, exact);
            out.push_str(",\"prefix\":");
            json::string(out, prefix);
            out.push_str(",\"suffix\":");
            json::string(out, suffix);
            out.push_str(",\"type\":\"TextQuoteSelector\"}],\"source\":");
            out.push_str(&self.path_json);
            out.push_str(",\"type\":\"SpecificResource\"}");
        }

        pub fn annotation(&self, out: &mut String, a: &Annotation) {
            let mut o = Object::open(out);
            let bodies = o.key("body");
            bodies.push('[');
            body(bodies, "tagging", &a.label);
            if let Some(c) = a.canonical() {
                bodies.push(',');
                body(bodies, "identifying", c);
            }
            if !a.note.is_empty() {
                bodies.push(',');
                body(bodies, "commenting", &a.note);
            }
            bodies.push(']');
            non_empty(&mut o, "created", &a.created);
            if !a.annotator.is_empty() {
                let c = o.key("creator");
                c.push_str("{\"name\":");
                json::string(c, &a.annotator);
                c.push_str(",\"type\":\"Person\"}");
            }
            self.id(o.key("id"), &[&a.id]);
            non_empty(&mut o, "modified", &a.modified);
            o.key("motivation").push_str("\"tagging\"");
            if !a.attributes.is_empty() {
                let mut m = Object::open(o.key("mrg:attributes"));
                for (k, v) in a.attributes.iter() {
                    m.entry(k, v);
                }
                m.close();
            }
            if let Kind::Claim(c) = &a.kind {
                let mut m = Object::open(o.key("mrg:claim"));
                json::string(m.key("claimType"), c.claim_type.as_str());
                match &c.cue {
                    Some(q) => self.target(m.key("cue"), q.span),
                    None => m.key("cue").push_str("null"),
                }
                json::opt_string(m.key("proposition"), c.proposition.as_deref());
                let speaker = m.key("speaker");
                match &c.speaker {
                    Speaker::Unknown => speaker.push_str("null"),
                    Speaker::Author => speaker.push_str("{\"kind\":\"author\"}"),
                    Speaker::Entity(id) => {
                        let mut e = Object::open(speaker);
                        self.id(e.key("id"), &[id]);
                        e.key("kind").push_str("\"entity\"");
                        json::opt_string(e.key("text"), self.data.get(id).map(|e| e.quote.as_str()));
                        e.close();
                    }
                }
                json::string(m.key("stance"), c.stance.as_str());
                m.close();
            }
            json::string(o.key("mrg:id"), &a.id);
            o.key("mrg:kind").push_str(if a.kind.is_claim() {
                "\"claim\""
            } else {
                "\"entity\""
            });
            match a.spans.as_slice() {
                [one] => self.target(o.key("target"), *one),
                many => json::array(o.key("target"), many, |out, s| self.target(out, *s)),
            }
            o.key("type").push_str("\"Annotation\"");
            o.close();
        }

        pub fn relation(&self, out: &mut String, r: &Relation) {
            let mut o = Object::open(out);
            body(o.key("body"), "tagging", &r.kind);
            self.id(o.key("id"), &["relation", &r.id]);
            o.key("motivation").push_str("\"linking\"");
            json::string(o.key("mrg:id"), &r.id);
            o.key("mrg:kind").push_str("\"relation\"");
            let targets = o.key("target");
            targets.push('[');
            self.id(targets, &[&r.from]);
            targets.push(',');
            match r.to.doc.as_deref() {
                Some(to_doc) if to_doc != self.doc.path => {
                    let mut h = Sha256::new();
                    hash_part(&mut h, to_doc);
                    hash_part(&mut h, &r.to.id);
                    iri(targets, &urn_of(h));
                }
                _ => self.id(targets, &[&r.to.id]),
            }
            targets.push(']');
            o.key("type").push_str("\"Annotation\"");
            o.close();
        }
    }

    /// Writes an IRI of [`urn_of`] as a JSON string: ASCII letters, digits, `:` and `-`.
    fn iri(out: &mut String, urn: &[u8; URN_LEN]) {
        out.push('"');
        out.push_str(urn_text(urn));
        out.push('"');
    }

    /// A `TextualBody`; `purpose` is one of the W3C motivations (plain ASCII).
    fn body(out: &mut String, purpose: &str, value: &str) {
        out.push_str("{\"purpose\":\"");
        out.push_str(purpose);
        out.push_str("\",\"type\":\"TextualBody\",\"value\":");
        json::string(out, value);
        out.push('}');
    }

    /// Writes `s` as a string unless it is empty, under `key`.
    fn non_empty(o: &mut Object<'_>, key: &str, s: &str) {
        if !s.is_empty() {
            json::string(o.key(key), s);
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
        w.write_all(items.text.as_bytes())?;
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
                texts[k.min(1) * 2].push(|text| text.push_str(&serde_json::to_string(it).unwrap()));
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
