//! W3C Web Annotation (JSON-LD): one `AnnotationCollection` whose page holds
//! every annotation.
//!
//! Each annotation targets its source document with a `TextPositionSelector`
//! (code points, as the model requires) and a `TextQuoteSelector` (prefix,
//! exact, suffix; 32 code points of context). The label is a `tagging` body;
//! canonical ids are `identifying` bodies, notes `commenting` bodies. Claim
//! fields and free attributes go under a small `mrg:` vocabulary declared in
//! the context, since the W3C vocabulary has no terms for them.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::model::{
    Annotation, DocAnnotations, Document, Kind, Relation, Span, Speaker, document::CONTEXT_CHARS,
};

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
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn selector(doc: &Document, s: Span) -> Value {
    let prefix = doc.slice(Span::new(s.start.saturating_sub(CONTEXT_CHARS), s.start));
    let suffix = doc.slice(Span::new(s.end, (s.end + CONTEXT_CHARS).min(doc.len_chars())));
    json!([
        {"type": "TextPositionSelector", "start": s.start, "end": s.end},
        {"type": "TextQuoteSelector", "exact": doc.slice(s), "prefix": prefix, "suffix": suffix},
    ])
}

/// The Web Annotation of one annotation of `doc`.
pub fn annotation(doc: &Document, data: &DocAnnotations, a: &Annotation) -> Value {
    let mut body = vec![json!({"type": "TextualBody", "purpose": "tagging", "value": a.label})];
    if let Some(c) = a.canonical() {
        body.push(json!({"type": "TextualBody", "purpose": "identifying", "value": c}));
    }
    if !a.note.is_empty() {
        body.push(json!({"type": "TextualBody", "purpose": "commenting", "value": a.note}));
    }
    let targets: Vec<Value> = a
        .spans
        .iter()
        .map(|s| json!({"type": "SpecificResource", "source": doc.path, "selector": selector(doc, *s)}))
        .collect();
    let mut v = json!({
        "id": urn_uuid(&[&doc.path, &a.id]),
        "type": "Annotation",
        "motivation": "tagging",
        "body": body,
        "target": if targets.len() == 1 { targets[0].clone() } else { Value::Array(targets) },
        "mrg:id": a.id,
        "mrg:kind": if a.kind.is_claim() { "claim" } else { "entity" },
    });
    let m = v.as_object_mut().expect("built as an object");
    if !a.created.is_empty() {
        m.insert("created".into(), json!(a.created));
    }
    if !a.modified.is_empty() {
        m.insert("modified".into(), json!(a.modified));
    }
    if !a.annotator.is_empty() {
        m.insert("creator".into(), json!({"type": "Person", "name": a.annotator}));
    }
    if !a.attributes.is_empty() {
        m.insert("mrg:attributes".into(), json!(a.attributes));
    }
    if let Kind::Claim(c) = &a.kind {
        let speaker = match &c.speaker {
            Speaker::Unknown => Value::Null,
            Speaker::Author => json!({"kind": "author"}),
            Speaker::Entity(id) => json!({
                "kind": "entity",
                "id": urn_uuid(&[&doc.path, id]),
                "text": data.get(id).map(|e| e.quote.as_str()),
            }),
        };
        let cue = c.cue.as_ref().map(
            |q| json!({"type": "SpecificResource", "source": doc.path, "selector": selector(doc, q.span)}),
        );
        m.insert(
            "mrg:claim".into(),
            json!({
                "speaker": speaker,
                "cue": cue,
                "stance": c.stance.as_str(),
                "claimType": c.claim_type.as_str(),
                "proposition": c.proposition,
            }),
        );
    }
    v
}

/// A relation as a `linking` annotation whose targets are the two annotations' IRIs.
pub fn relation(doc: &Document, r: &Relation) -> Value {
    let to_doc = r.to.doc.as_deref().unwrap_or(&doc.path);
    json!({
        "id": urn_uuid(&[&doc.path, "relation", &r.id]),
        "type": "Annotation",
        "motivation": "linking",
        "body": {"type": "TextualBody", "purpose": "tagging", "value": r.kind},
        "target": [urn_uuid(&[&doc.path, &r.from]), urn_uuid(&[to_doc, &r.to.id])],
        "mrg:id": r.id,
        "mrg:kind": "relation",
    })
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

/// One item as it appears in [`collection_text`]: pretty JSON, not yet indented.
/// Rendered per document (on the export's worker threads) so the collection
/// need not be built as one large JSON tree.
pub fn item_text(item: &Value) -> String {
    serde_json::to_string_pretty(item).unwrap_or_default()
}

/// The text of [`collection`] around items already rendered by [`item_text`]:
/// the same bytes as `serde_json::to_string_pretty(&collection(label, items))`
/// followed by a newline.
pub fn collection_text(label: &str, items: &[String]) -> String {
    let mut shell = collection(label, Vec::new());
    shell["total"] = json!(items.len());
    shell["first"]["items"] = json!(ITEMS_MARK);
    let text = serde_json::to_string_pretty(&shell).unwrap_or_default();
    let mark = serde_json::to_string(ITEMS_MARK).unwrap_or_default();
    let list = if items.is_empty() {
        "[]".to_owned()
    } else {
        // JSON text has no raw newline inside strings, so indenting line by line is safe.
        let pad = "      ";
        let mut list = String::with_capacity(items.iter().map(|i| i.len() + i.len() / 8).sum::<usize>() + 16);
        list.push_str("[\n");
        for (k, item) in items.iter().enumerate() {
            if k > 0 {
                list.push_str(",\n");
            }
            for (l, line) in item.split('\n').enumerate() {
                if l > 0 {
                    list.push('\n');
                }
                list.push_str(pad);
                list.push_str(line);
            }
        }
        list.push_str("\n    ]");
        list
    };
    let mut out = text.replacen(&mark, &list, 1);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_text_is_the_pretty_collection() {
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
            let texts: Vec<String> = items.iter().map(item_text).collect();
            let mut want = serde_json::to_string_pretty(&collection("corpus \"one\"", items)).unwrap();
            want.push('\n');
            assert_eq!(collection_text("corpus \"one\"", &texts), want, "{n} items");
        }
    }
}
