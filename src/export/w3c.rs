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
        h.update(p.as_bytes());
        h.update([0]);
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    // RFC 9562 version 8 (custom) with the RFC variant bits.
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = crate::model::document::hex(&b);
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The Web Annotation of one annotation of `doc`.
pub fn annotation(doc: &Document, data: &DocAnnotations, a: &Annotation) -> Value {
    let mut text = String::new();
    out::annotation(&mut text, doc, data, a);
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A relation as a `linking` annotation whose targets are the two annotations' IRIs.
pub fn relation(doc: &Document, r: &Relation) -> Value {
    let mut text = String::new();
    out::relation(&mut text, doc, r);
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
    let mut items = ItemsText::default();
    for a in &data.annotations {
        items.push(|text| out::annotation(text, doc, data, a));
    }
    for r in &data.relations {
        items.push(|text| out::relation(text, doc, r));
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
    use super::{CONTEXT_CHARS, urn_uuid};
    use crate::export::json::{self, Object};
    use crate::model::{Annotation, DocAnnotations, Document, Kind, Relation, Span, Speaker};

    fn body(out: &mut String, purpose: &str, value: &str) {
        let mut o = Object::open(out);
        json::string(o.key("purpose"), purpose);
        json::string(o.key("type"), "TextualBody");
        json::string(o.key("value"), value);
        o.close();
    }

    fn target(out: &mut String, doc: &Document, s: Span) {
        let (prefix, exact, suffix) = doc.slice_in_context(s, CONTEXT_CHARS);
        let mut o = Object::open(out);
        let selector = o.key("selector");
        selector.push('[');
        let mut p = Object::open(selector);
        json::number(p.key("end"), s.end);
        json::number(p.key("start"), s.start);
        json::string(p.key("type"), "TextPositionSelector");
        p.close();
        selector.push(',');
        let mut q = Object::open(selector);
        json::string(q.key("exact"), exact);
        json::string(q.key("prefix"), prefix);
        json::string(q.key("suffix"), suffix);
        json::string(q.key("type"), "TextQuoteSelector");
        q.close();
        selector.push(']');
        json::string(o.key("source"), &doc.path);
        json::string(o.key("type"), "SpecificResource");
        o.close();
    }

    /// Writes `s` as a string unless it is empty, under `key`.
    fn non_empty(o: &mut Object<'_>, key: &str, s: &str) {
        if !s.is_empty() {
            json::string(o.key(key), s);
        }
    }

    pub fn annotation(out: &mut String, doc: &Document, data: &DocAnnotations, a: &Annotation) {
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
            let mut c = Object::open(o.key("creator"));
            json::string(c.key("name"), &a.annotator);
            json::string(c.key("type"), "Person");
            c.close();
        }
        json::string(o.key("id"), &urn_uuid(&[&doc.path, &a.id]));
        non_empty(&mut o, "modified", &a.modified);
        json::string(o.key("motivation"), "tagging");
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
                Some(q) => target(m.key("cue"), doc, q.span),
                None => m.key("cue").push_str("null"),
            }
            json::opt_string(m.key("proposition"), c.proposition.as_deref());
            let speaker = m.key("speaker");
            match &c.speaker {
                Speaker::Unknown => speaker.push_str("null"),
                Speaker::Author => speaker.push_str("{\"kind\":\"author\"}"),
                Speaker::Entity(id) => {
                    let mut e = Object::open(speaker);
                    json::string(e.key("id"), &urn_uuid(&[&doc.path, id]));
                    json::string(e.key("kind"), "entity");
                    json::opt_string(e.key("text"), data.get(id).map(|e| e.quote.as_str()));
                    e.close();
                }
            }
            json::string(m.key("stance"), c.stance.as_str());
            m.close();
        }
        json::string(o.key("mrg:id"), &a.id);
        json::string(
            o.key("mrg:kind"),
            if a.kind.is_claim() { "claim" } else { "entity" },
        );
        match a.spans.as_slice() {
            [one] => target(o.key("target"), doc, *one),
            many => json::array(o.key("target"), many, |out, s| target(out, doc, *s)),
        }
        json::string(o.key("type"), "Annotation");
        o.close();
    }

    pub fn relation(out: &mut String, doc: &Document, r: &Relation) {
        let to_doc = r.to.doc.as_deref().unwrap_or(&doc.path);
        let mut o = Object::open(out);
        body(o.key("body"), "tagging", &r.kind);
        json::string(o.key("id"), &urn_uuid(&[&doc.path, "relation", &r.id]));
        json::string(o.key("motivation"), "linking");
        json::string(o.key("mrg:id"), &r.id);
        json::string(o.key("mrg:kind"), "relation");
        let targets = [urn_uuid(&[&doc.path, &r.from]), urn_uuid(&[to_doc, &r.to.id])];
        json::array(o.key("target"), &targets, |out, t| json::string(out, t));
        json::string(o.key("type"), "Annotation");
        o.close();
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
