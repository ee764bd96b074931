//! W3C Web Annotation (JSON-LD): one `AnnotationCollection` paged into
//! `AnnotationPage`s of [`PAGE_SIZE`] annotations.
//!
//! Each annotation targets its source document, named by an absolute IRI
//! (a `file://` URI by default, or under a base the user gives), with a
//! `TextPositionSelector` (code points of the decoded text, as the model
//! requires) and a `TextQuoteSelector` (prefix, exact, suffix; 32 code points
//! of context). The label is a `tagging` body; canonical ids are `identifying`
//! bodies, notes `commenting` bodies. Claim fields and free attributes go under
//! a small `mrg:` vocabulary declared in the context, since the W3C vocabulary
//! has no terms for them. What the document is cited by (title, outlet…) is
//! on the target's source.

pub mod iri;
mod out;

use std::io::{self, Write};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::model::{Annotation, DocAnnotations, Document, Relation};

/// Annotations per `AnnotationPage`.
pub const PAGE_SIZE: usize = 1000;

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

/// The IRI of a source document: `base` (ending in `/`) and its relative
/// path, percent-encoded.
pub fn source_iri(base: &str, rel: &str) -> String {
    format!("{base}{}", iri::encode_path(rel))
}

/// The Web Annotation of one annotation of `doc`, whose source is published under `base`.
pub fn annotation(doc: &Document, data: &DocAnnotations, base: &str, a: &Annotation) -> Value {
    serde_json::to_value(out::Source::new(doc, data, base).annotation(a)).unwrap_or(Value::Null)
}

/// A relation as a `linking` annotation whose targets are the two annotations' IRIs.
pub fn relation(doc: &Document, r: &Relation) -> Value {
    let empty = DocAnnotations::default();
    serde_json::to_value(out::Source::new(doc, &empty, "").relation(r)).unwrap_or(Value::Null)
}

/// Every annotation of one document in document order, then its relations.
pub fn doc_items(doc: &Document, data: &DocAnnotations, base: &str) -> Vec<Value> {
    let mut out: Vec<Value> = data
        .annotations
        .iter()
        .map(|a| annotation(doc, data, base, a))
        .collect();
    out.extend(data.relations.iter().map(|r| relation(doc, r)));
    out
}

/// [`doc_items`] as a [`CollectionWriter`] writes them, serialized straight
/// from the model (no JSON tree per annotation). One set of structs (`out`)
/// serves both, so the two cannot differ.
pub fn doc_item_texts(doc: &Document, data: &DocAnnotations, base: &str) -> ItemsText {
    // About 700 bytes per annotation in a corpus of short documents.
    let mut items = ItemsText {
        text: Vec::with_capacity(data.annotations.len() * 768 + data.relations.len() * 384),
        ends: Vec::with_capacity(data.annotations.len() + data.relations.len()),
    };
    let source = out::Source::new(doc, data, base);
    for a in &data.annotations {
        items.push(&source.annotation(a));
    }
    for r in &data.relations {
        items.push(&source.relation(r));
    }
    items
}

/// Items ready for a [`CollectionWriter`], each as compact JSON. Rendered per
/// document (on the export's worker threads) so the collection is never built
/// as one large JSON tree.
///
/// One line per annotation rather than serde_json's pretty layout: a change to
/// an annotation is a change to one line in a diff, `grep` finds whole
/// annotations, and the file is 40% smaller (indentation was over a third of
/// a pretty export's bytes).
#[derive(Debug, Default)]
pub struct ItemsText {
    /// The items' JSON text, one after another (serde_json writes only UTF-8).
    text: Vec<u8>,
    /// Where each item ends in `text`.
    ends: Vec<usize>,
}

impl ItemsText {
    /// Adds one item as compact JSON, with U+2028/U+2029 escaped so the item
    /// stays on one line for every reader (see [`super::jsonl::escape_line_separators`]).
    pub fn push(&mut self, item: &impl serde::Serialize) {
        let start = self.text.len();
        // The items hold strings, numbers and string-keyed maps: serializing cannot fail.
        let _ = serde_json::to_writer(&mut self.text, item);
        let written = &self.text[start..];
        if written.windows(3).any(|w| matches!(w, [0xE2, 0x80, 0xA8 | 0xA9])) {
            let escaped = String::from_utf8_lossy(written).into_owned();
            let escaped = super::jsonl::escape_line_separators(escaped);
            self.text.truncate(start);
            self.text.extend_from_slice(escaped.as_bytes());
        }
        self.ends.push(self.text.len());
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Each item's JSON text, in order.
    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(a, &b)| &self.text[a..b])
    }
}

/// The id of page `n` (from 1) of the collection `collection`.
pub fn page_id(collection: &str, n: usize) -> String {
    format!("{collection}#page-{n}")
}

/// A JSON string literal.
fn lit(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Writes a collection whose items arrive one at a time, so that an export
/// never holds them all, paged every [`PAGE_SIZE`] items. The text is pretty
/// JSON except that each item is compact, on one line (see [`ItemsText`]):
///
/// ```text
/// {"@context": …, "id": C, "type": "AnnotationCollection", "label": …,
///  "first": {"id": "C#page-1", "type": "AnnotationPage", "partOf": C,
///            "startIndex": 0, "items": [ …1,000 items… ], "next": "C#page-2"},
///  "@included": [ {"id": "C#page-2", …, "prev": "C#page-1", "items": […]} … ],
///  "last": "C#page-N", "total": n}
/// ```
///
/// The first page is embedded as `first`; the others are JSON-LD `@included`
/// nodes of the same document, linked by `next`/`prev` (IRIs, as the W3C
/// model requires). `last` and `total` come at the end, once known.
pub struct CollectionWriter {
    id: String,
    /// Items written so far.
    total: usize,
    /// Items on the open page.
    on_page: usize,
    /// The open page's number, from 1.
    page: usize,
}

impl CollectionWriter {
    /// Writes the collection's opening, up to its first item. `id` is the
    /// collection's IRI; `label` names the export.
    pub fn begin(w: &mut dyn Write, label: &str, id: &str) -> io::Result<Self> {
        let context = serde_json::to_string_pretty(&json!({ "@context": context() }))?;
        // The context object's lines, without its braces, indented as a key of the collection.
        let context = context
            .trim_start_matches('{')
            .trim_end_matches('}')
            .trim_matches('\n');
        write!(
            w,
            "{{\n{context},\n  \"id\": {},\n  \"type\": \"AnnotationCollection\",\n  \"label\": {},\n  \"first\": {{\n",
            lit(id),
            lit(label)
        )?;
        let mut c = Self {
            id: id.to_owned(),
            total: 0,
            on_page: 0,
            page: 1,
        };
        c.open_page(w)?;
        Ok(c)
    }

    /// Indentation of the open page's keys: the first page is a value of the
    /// collection, the others items of `@included`.
    fn pad(&self) -> &'static str {
        if self.page == 1 { "    " } else { "      " }
    }

    fn open_page(&mut self, w: &mut dyn Write) -> io::Result<()> {
        let pad = self.pad();
        write!(
            w,
            "{pad}\"id\": {},\n{pad}\"type\": \"AnnotationPage\",\n{pad}\"partOf\": {},\n{pad}\"startIndex\": {},\n",
            lit(&page_id(&self.id, self.page)),
            lit(&self.id),
            self.total
        )?;
        if self.page > 1 {
            writeln!(w, "{pad}\"prev\": {},", lit(&page_id(&self.id, self.page - 1)))?;
        }
        write!(w, "{pad}\"items\": [")
    }

    /// Ends the open page's items (and, with `next`, points to the next page).
    fn close_items(&self, w: &mut dyn Write, next: bool) -> io::Result<()> {
        let pad = self.pad();
        if self.on_page > 0 {
            write!(w, "\n{pad}]")?;
        } else {
            w.write_all(b"]")?;
        }
        if next {
            write!(w, ",\n{pad}\"next\": {}", lit(&page_id(&self.id, self.page + 1)))?;
        }
        // Close the page object.
        if self.page == 1 {
            w.write_all(b"\n  }")
        } else {
            w.write_all(b"\n    }")
        }
    }

    /// Writes items, as [`doc_item_texts`] renders them, starting a new page
    /// every [`PAGE_SIZE`] items.
    pub fn items(&mut self, w: &mut dyn Write, items: &ItemsText) -> io::Result<()> {
        for item in items.iter() {
            if self.on_page == PAGE_SIZE {
                self.close_items(w, true)?;
                w.write_all(if self.page == 1 {
                    b",\n  \"@included\": [\n    {\n"
                } else {
                    b",\n    {\n"
                })?;
                self.page += 1;
                self.on_page = 0;
                self.open_page(w)?;
            }
            w.write_all(if self.on_page == 0 { b"\n" } else { b",\n" })?;
            w.write_all(if self.page == 1 { b"      " } else { b"        " })?;
            w.write_all(item)?;
            self.on_page += 1;
            self.total += 1;
        }
        Ok(())
    }

    /// Closes the last page and writes `last` and `total`.
    pub fn finish(self, w: &mut dyn Write) -> io::Result<()> {
        self.close_items(w, false)?;
        if self.page > 1 {
            w.write_all(b"\n  ]")?;
        }
        write!(
            w,
            ",\n  \"last\": {},\n  \"total\": {}\n}}\n",
            lit(&page_id(&self.id, self.page)),
            self.total
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `n` small items split over documents of uneven size and parses the result.
    fn written(n: usize) -> (String, Value) {
        let mut docs = vec![ItemsText::default(), ItemsText::default(), ItemsText::default()];
        for k in 0..n {
            let item = json!({"id": format!("urn:uuid:{k}"), "type": "Annotation",
                "body": [{"type": "TextualBody", "value": "a \"quoted\"\nline \u{2028}"}]});
            docs[(k * 7 / n.max(1)).min(2)].push(&item);
        }
        let mut got = Vec::new();
        let mut c = CollectionWriter::begin(&mut got, "corpus \"one\"", "file:///x/out.jsonld").unwrap();
        for d in &docs {
            c.items(&mut got, d).unwrap();
        }
        c.finish(&mut got).unwrap();
        let text = String::from_utf8(got).unwrap();
        let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        (text, v)
    }

    #[test]
    fn pages_hold_a_thousand_items_and_link_to_each_other() {
        for n in [0, 1, 999, 1000, 1001, 2500] {
            let (text, v) = written(n);
            let c = "file:///x/out.jsonld";
            assert_eq!(v["id"], c);
            assert_eq!(v["type"], "AnnotationCollection");
            assert_eq!(v["label"], "corpus \"one\"");
            assert_eq!(v["total"], n);
            assert_eq!(v["@context"], context());
            let mut pages = vec![v["first"].clone()];
            pages.extend(v["@included"].as_array().cloned().unwrap_or_default());
            let want_pages = n.div_ceil(PAGE_SIZE).max(1);
            assert_eq!(pages.len(), want_pages, "{n} items");
            assert_eq!(v["last"], page_id(c, want_pages));
            let mut seen = 0;
            for (i, p) in pages.iter().enumerate() {
                assert_eq!(p["id"], page_id(c, i + 1));
                assert_eq!(p["type"], "AnnotationPage");
                assert_eq!(p["partOf"], c);
                assert_eq!(p["startIndex"], seen);
                let items = p["items"].as_array().unwrap();
                for (k, it) in items.iter().enumerate() {
                    assert_eq!(it["id"], format!("urn:uuid:{}", seen + k));
                }
                seen += items.len();
                assert!(items.len() <= PAGE_SIZE);
                match i {
                    0 => assert!(p.get("prev").is_none()),
                    _ => assert_eq!(p["prev"], page_id(c, i)),
                }
                if i + 1 < pages.len() {
                    assert_eq!(items.len(), PAGE_SIZE);
                    assert_eq!(p["next"], page_id(c, i + 2));
                } else {
                    assert!(p.get("next").is_none());
                }
            }
            assert_eq!(seen, n);
            // Each item on a line of its own, with no raw line separator in it.
            let item_lines = text
                .lines()
                .filter(|l| l.trim_start().starts_with("{\"body\""))
                .count();
            assert_eq!(item_lines, n);
            assert!(!text.contains('\u{2028}'));
        }
    }
}
