//! Marginalia JSONL: one JSON object per document, lossless.
//!
//! Every line has the same keys with the same JSON types (arrays stay arrays,
//! absent values are `null`), so columnar readers such as Hugging Face
//! `datasets` infer one schema. Offsets are code points, so Python
//! `text[start:end]` and spaCy `doc.char_span(start, end)` read them as is.
//! The schema is described in `docs/formats.md`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::model::{
    Annotation, Claim, ClaimType, Cue, DocAnnotations, Document, Kind, Relation, Span, Speaker, Stance,
    Status, Target,
};

/// Value of the `format` key on every line, so importers recognise the file.
pub const FORMAT_TAG: &str = "marginalia-jsonl/1";

/// One document's line. Fields are declared in byte order, the order a
/// `serde_json::Value` keeps its keys in, so [`doc_line`] is the text of
/// [`doc_value`].
#[derive(Serialize)]
struct Line<'a> {
    claims: Vec<Map<String, Value>>,
    entities: Vec<Map<String, Value>>,
    extra: Vec<Pair<'a>>,
    format: &'static str,
    id: &'a str,
    /// What the document is cited by; left out when nothing is recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<&'a crate::model::DocMeta>,
    path: &'a str,
    relations: Vec<RelationLine<'a>>,
    /// The kind of file the text came from (`text`, `html`, `docx`, …).
    source_kind: &'static str,
    status: &'static str,
    text: &'a str,
}

/// A key/value field as an entry of a list: a list of such pairs has the same
/// type on every line, where a map's keys would make a column each.
#[derive(Serialize)]
struct Pair<'a> {
    key: &'a str,
    value: &'a str,
}

fn pairs<'a>(map: impl IntoIterator<Item = (&'a String, &'a String)>) -> Vec<Pair<'a>> {
    map.into_iter().map(|(key, value)| Pair { key, value }).collect()
}

/// One span of an annotation with its text.
#[derive(Serialize)]
struct SpanLine<'a> {
    end: usize,
    start: usize,
    text: &'a str,
}

#[derive(Serialize)]
struct RelationLine<'a> {
    from: &'a str,
    id: &'a str,
    to: &'a str,
    to_doc: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'a str,
}

/// Fields of the annotation's serde form that JSONL writes in a shape of its
/// own (or, for the selector, leaves to the text).
const RESHAPED: [&str; 8] = [
    "attributes",
    "extra",
    "kind",
    "origin",
    "prefix",
    "quote",
    "spans",
    "suffix",
];

/// An entity or a claim. Its fields come from the annotation's serde form, so
/// a field added to the model reaches JSONL as it is; JSONL's own shapes
/// (spans with their text, the extent, pairs for maps, the kind's fields
/// flattened, speakers resolved) replace the rest.
fn annotation(doc: &Document, data: &DocAnnotations, a: &Annotation) -> Map<String, Value> {
    let mut m = match serde_json::to_value(a) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    for key in RESHAPED {
        m.remove(key);
    }
    let mut put = |key: &str, v: Value| m.insert(key.to_owned(), v);
    let ext = a.extent();
    let spans: Vec<SpanLine> = a
        .spans
        .iter()
        .map(|s| SpanLine {
            end: s.end,
            start: s.start,
            text: doc.slice(*s),
        })
        .collect();
    let text = match spans.as_slice() {
        [one] => one.text,
        _ => doc.slice(ext),
    };
    put("start", json!(ext.start));
    put("end", json!(ext.end));
    put("text", json!(text));
    put("spans", json!(spans));
    // Every page any fragment touches, in order; empty when the source has no pages.
    let mut pages: Vec<usize> = Vec::new();
    for s in a.spans.iter() {
        if let Some((first, last)) = doc.layout.pages_of(*s) {
            pages.extend(first..=last);
        }
    }
    pages.sort_unstable();
    pages.dedup();
    put("pages", json!(pages));
    put("attributes", json!(pairs(&a.attributes)));
    put("extra", json!(pairs(&a.extra)));
    // Lower case, as the sidecar's readers and the command line name it.
    put("origin", json!(a.origin.map(|o| o.as_str())));
    match &a.kind {
        Kind::Entity { canonical } => {
            put("canonical", json!(canonical));
        }
        Kind::Claim(c) => {
            let (kind, id, quote, canonical) = match &c.speaker {
                Speaker::Unknown => ("unknown", None, None, None),
                Speaker::Author => ("author", None, None, None),
                Speaker::Entity(id) => {
                    let ent = data.get(id);
                    (
                        "entity",
                        Some(id.as_str()),
                        ent.map(|e| e.quote.as_str()),
                        ent.and_then(Annotation::canonical),
                    )
                }
            };
            put("speaker_kind", json!(kind));
            put("speaker_id", json!(id));
            put("speaker_text", json!(quote));
            put("speaker_canonical", json!(canonical));
            put("cue_start", json!(c.cue.as_ref().map(|q| q.span.start)));
            put("cue_end", json!(c.cue.as_ref().map(|q| q.span.end)));
            put("cue_text", json!(c.cue.as_ref().map(|q| q.quote.as_str())));
            put("stance", json!(c.stance.as_str()));
            put("type", json!(c.claim_type.as_str()));
            put("proposition", json!(c.proposition));
            if let Some(v) = &c.value {
                put("value", json!(v));
            }
        }
    }
    m
}

fn line<'a>(doc: &'a Document, data: &'a DocAnnotations) -> Line<'a> {
    let (mut claims, mut entities) = (Vec::new(), Vec::new());
    for a in &data.annotations {
        let list = if a.kind.is_claim() {
            &mut claims
        } else {
            &mut entities
        };
        list.push(annotation(doc, data, a));
    }
    Line {
        claims,
        entities,
        extra: pairs(&data.extra),
        format: FORMAT_TAG,
        id: &doc.path,
        meta: (!data.meta.is_empty()).then_some(&*data.meta),
        path: &doc.path,
        relations: data
            .relations
            .iter()
            .map(|r| RelationLine {
                from: &r.from,
                id: &r.id,
                to: &r.to.id,
                to_doc: r.to.doc.as_deref(),
                kind: &r.kind,
            })
            .collect(),
        source_kind: doc.kind.as_str(),
        status: data.status.key(),
        text: &doc.text,
    }
}

/// The JSON object of one document.
pub fn doc_value(doc: &Document, data: &DocAnnotations) -> Value {
    serde_json::to_value(line(doc, data)).unwrap_or(Value::Null)
}

/// One JSONL line (without the newline) for a document: the text of [`doc_value`].
pub fn doc_line(doc: &Document, data: &DocAnnotations) -> String {
    // Plain strings, numbers and maps with string keys: serializing cannot fail.
    escape_line_separators(serde_json::to_string(&line(doc, data)).unwrap_or_default())
}

/// JSON text with every U+2028 and U+2029 written as `\u2028`/`\u2029`.
///
/// JSON allows them raw inside strings, but JavaScript before ES2019 and
/// readers that split on Unicode line breaks (Python's `str.splitlines`) cut
/// a line there, so one document would read as two broken lines. They can
/// only stand inside strings (JSON has no other place for them), where the
/// escape means the same character.
pub fn escape_line_separators(json: String) -> String {
    if !json.contains(['\u{2028}', '\u{2029}']) {
        return json;
    }
    json.replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029")
}

/// True when a parsed line looks like Marginalia JSONL rather than doccano or spaCy.
pub fn is_marginalia(v: &Value) -> bool {
    v.get("format").and_then(Value::as_str) == Some(FORMAT_TAG)
        || (v.get("claims").is_some() && v.get("path").is_some())
}

fn str_field<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("the field \"{key}\" is missing or not a string"))
}

fn opt_str<S: for<'x> From<&'x str>>(v: &Value, key: &str) -> Option<S> {
    v.get(key).and_then(Value::as_str).map(S::from)
}

fn usize_field(v: &Value, key: &str) -> Result<usize, String> {
    v.get(key)
        .and_then(Value::as_u64)
        .map(|n| n as usize)
        .ok_or_else(|| format!("the field \"{key}\" is missing or not a whole number"))
}

fn read_pairs(v: &Value, key: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    match v.get(key) {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for it in items {
                out.insert(
                    str_field(it, "key")?.to_owned(),
                    str_field(it, "value")?.to_owned(),
                );
            }
        }
        // Accept a plain object too, as people write by hand.
        Some(Value::Object(m)) => {
            for (k, val) in m {
                let val = val.as_str().map_or_else(|| val.to_string(), str::to_owned);
                out.insert(k.clone(), val);
            }
        }
        Some(_) => return Err(format!("the field \"{key}\" is not a list")),
    }
    Ok(out)
}

/// Keys of a JSONL annotation that are not fields of the annotation's serde
/// form: its extent and text, and its kind's fields.
const OWN_KEYS: [&str; 15] = [
    "canonical",
    "cue_end",
    "cue_start",
    "cue_text",
    "end",
    "pages",
    "proposition",
    "speaker_canonical",
    "speaker_id",
    "speaker_kind",
    "speaker_text",
    "stance",
    "start",
    "text",
    "type",
];

/// Reads an annotation: spans, kind, maps and selector in JSONL's shapes, the
/// other fields through the annotation's serde form (so a field added to the
/// model is read back as [`doc_line`] writes it). A `null` counts as absent.
fn read_annotation(doc: &Document, v: &Value, kind: Kind) -> Result<Annotation, String> {
    let id = str_field(v, "id")?;
    let spans = match v.get("spans").and_then(Value::as_array) {
        Some(list) if !list.is_empty() => list
            .iter()
            .map(|s| Ok(Span::new(usize_field(s, "start")?, usize_field(s, "end")?)))
            .collect::<Result<Vec<_>, String>>()?,
        _ => vec![Span::new(usize_field(v, "start")?, usize_field(v, "end")?)],
    };
    let orphaned = v.get("orphaned").and_then(Value::as_bool).unwrap_or(false);
    if !orphaned && !doc.spans_in_range(&spans) {
        return Err(format!(
            "annotation \"{id}\" ends past the end of the text ({} code points)",
            doc.len_chars()
        ));
    }
    let mut m: Map<String, Value> = v
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| !v.is_null() && !OWN_KEYS.contains(&k.as_str()) && !RESHAPED.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let (quote, prefix, suffix) = doc.selector(&spans);
    let mut put = |key: &str, v: Value| m.insert(key.to_owned(), v);
    put("spans", json!(spans));
    put("quote", json!(quote));
    put("prefix", json!(prefix));
    put("suffix", json!(suffix));
    put("kind", serde_json::to_value(kind).map_err(|e| e.to_string())?);
    put("attributes", json!(read_pairs(v, "attributes")?));
    put("extra", json!(read_pairs(v, "extra")?));
    let origin = match v.get("origin") {
        None | Some(Value::Null) => None,
        Some(o) => Some(
            o.as_str()
                .and_then(crate::model::suggest::Origin::parse)
                .ok_or_else(|| {
                    format!("annotation \"{id}\": its origin must be \"matcher\", \"learner\", \"detector\", \"gazetteer\" or null, not {o}")
                })?,
        ),
    };
    put("origin", serde_json::to_value(origin).map_err(|e| e.to_string())?);
    serde_json::from_value(Value::Object(m)).map_err(|e| format!("annotation \"{id}\": {e}"))
}

fn read_claim(doc: &Document, v: &Value) -> Result<Claim, String> {
    let speaker = match v.get("speaker_kind").and_then(Value::as_str).unwrap_or("unknown") {
        "author" => Speaker::Author,
        "entity" => Speaker::Entity(str_field(v, "speaker_id")?.into()),
        _ => Speaker::Unknown,
    };
    let cue = match (
        v.get("cue_start").and_then(Value::as_u64),
        v.get("cue_end").and_then(Value::as_u64),
    ) {
        (Some(s), Some(e)) => {
            let span = Span::new(s as usize, e as usize);
            let quote = opt_str(v, "cue_text").unwrap_or_else(|| doc.slice(span).into());
            Some(Cue { span, quote })
        }
        _ => None,
    };
    let stance: String = opt_str(v, "stance").unwrap_or_default();
    let claim_type: String = opt_str(v, "type").unwrap_or_default();
    Ok(Claim {
        speaker,
        cue,
        stance: if stance.is_empty() {
            Stance::default()
        } else {
            Stance::parse(&stance).ok_or_else(|| format!("unknown stance \"{stance}\""))?
        },
        claim_type: if claim_type.is_empty() {
            ClaimType::default()
        } else {
            ClaimType::parse(&claim_type).ok_or_else(|| format!("unknown claim type \"{claim_type}\""))?
        },
        proposition: opt_str(v, "proposition"),
        value: match v.get("value") {
            None | Some(Value::Null) => None,
            Some(x) => Some(serde_json::from_value(x.clone()).map_err(|e| format!("its value: {e}"))?),
        },
    })
}

/// Reads one Marginalia JSONL object back into a document and its annotations.
/// The document path is taken as written; callers check it before using it on disk.
pub fn from_value(v: &Value) -> Result<(Document, DocAnnotations), String> {
    let path = str_field(v, "path").or_else(|_| str_field(v, "id"))?;
    let doc = Document::new(path, str_field(v, "text")?);
    let mut data = DocAnnotations::default();
    let list = |key: &str| -> Result<Vec<Value>, String> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) => Ok(a.clone()),
            Some(_) => Err(format!("the field \"{key}\" is not a list")),
        }
    };
    for e in list("entities")? {
        let kind = Kind::Entity {
            canonical: opt_str(&e, "canonical"),
        };
        data.annotations.push(read_annotation(&doc, &e, kind)?);
    }
    for c in list("claims")? {
        let claim = read_claim(&doc, &c)?;
        data.annotations
            .push(read_annotation(&doc, &c, Kind::Claim(Box::new(claim)))?);
    }
    for r in list("relations")? {
        data.relations.push(Relation {
            id: str_field(&r, "id")?.into(),
            from: str_field(&r, "from")?.into(),
            to: Target {
                doc: opt_str(&r, "to_doc"),
                id: str_field(&r, "to")?.into(),
            },
            kind: str_field(&r, "type")?.to_owned(),
            ..Relation::default()
        });
    }
    let status: String = opt_str(v, "status").unwrap_or_default();
    data.status = if status.is_empty() {
        Status::default()
    } else {
        Status::parse(&status).ok_or_else(|| format!("unknown status \"{status}\""))?
    };
    data.extra = read_pairs(v, "extra")?;
    if let Some(m) = v.get("meta") {
        *data.meta = meta_from_json(m);
    }
    data.sort();
    Ok((doc, data))
}

/// The document field a metadata key names, under the names tools use
/// (`headline`, `publisher`, `authors`, `date`, `link`, `lang`…).
fn meta_field_name(key: &str) -> Option<&'static str> {
    Some(match key.to_lowercase().replace(['-', ' '], "_").as_str() {
        "title" | "headline" => "title",
        "outlet" | "publisher" | "publication" | "source" | "site" | "site_name" => "outlet",
        "author" | "authors" | "byline" => "author",
        "published" | "date" | "publication_date" | "pub_date" | "datepublished" | "published_at" => {
            "published"
        }
        "url" | "link" | "source_url" => "url",
        "language" | "lang" => "language",
        _ => return None,
    })
}

/// A document's metadata from a JSONL `meta` object, as Marginalia writes it
/// or as other tools do (doccano keeps whatever the user imported): the usual
/// names of each field are understood, other keys are left alone.
pub fn meta_from_json(v: &Value) -> crate::model::DocMeta {
    meta_fields(v).0
}

/// [`meta_from_json`], with the keys it did not use: keys that name no field,
/// values that are not text, and a second key for a field already set.
/// Empty values are not listed: leaving them out loses nothing.
pub fn meta_fields(v: &Value) -> (crate::model::DocMeta, Vec<String>) {
    let mut meta = crate::model::DocMeta::default();
    let mut unused = Vec::new();
    let Some(obj) = v.as_object() else {
        return (meta, unused);
    };
    let text = |x: &Value| match x {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Array(items) if items.iter().all(Value::is_string) => Some(
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::trim))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    for (key, x) in obj {
        let value = text(x);
        if value.as_deref() == Some("") || x.is_null() {
            continue;
        }
        match (meta_field_name(key), value) {
            (Some(field), Some(value)) if meta.get(field).is_some_and(str::is_empty) => {
                meta.set(field, value);
            }
            _ => unused.push(key.clone()),
        }
    }
    (meta, unused)
}

/// Keys of a Marginalia JSONL line that [`from_value`] reads.
const LINE_KEYS: [&str; 11] = [
    "claims",
    "entities",
    "extra",
    "format",
    "id",
    "meta",
    "path",
    "relations",
    "source_kind",
    "status",
    "text",
];

/// Keys of a Marginalia JSONL line that [`from_value`] does not keep, as
/// `key`, `meta.key`, `entities[].key`, `claims[].key` or `relations[].key`
/// (keys with `null` or empty values are not listed: nothing is lost).
pub fn unread_keys(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(obj) = v.as_object() else { return out };
    let blank = |x: &Value| x.is_null() || x.as_str() == Some("");
    for (k, x) in obj {
        if !LINE_KEYS.contains(&k.as_str()) && !blank(x) {
            out.push(k.clone());
        }
    }
    if let Some(m) = obj.get("meta") {
        out.extend(meta_fields(m).1.into_iter().map(|k| format!("meta.{k}")));
    }
    // The annotation's own fields, as its serde form names them, so a field
    // added to the model is read here without a change.
    let model_keys: Vec<String> = serde_json::to_value(Annotation::new(
        "x".into(),
        vec![Span::new(0, 0)],
        Default::default(),
        "",
        Kind::claim(),
        "",
        "",
    ))
    .ok()
    .and_then(|v| v.as_object().map(|m| m.keys().cloned().collect()))
    .unwrap_or_default();
    let known = |k: &str| {
        OWN_KEYS.contains(&k) || RESHAPED.contains(&k) || k == "value" || model_keys.iter().any(|m| m == k)
    };
    for list in ["entities", "claims"] {
        for a in obj.get(list).and_then(Value::as_array).into_iter().flatten() {
            for (k, x) in a.as_object().into_iter().flatten() {
                let key = format!("{list}[].{k}");
                if !known(k) && !blank(x) && !out.contains(&key) {
                    out.push(key);
                }
            }
        }
    }
    for r in obj
        .get("relations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for (k, x) in r.as_object().into_iter().flatten() {
            let key = format!("relations[].{k}");
            if !["id", "from", "to", "to_doc", "type"].contains(&k.as_str())
                && !blank(x)
                && !out.contains(&key)
            {
                out.push(key);
            }
        }
    }
    out
}

#[cfg(test)]
mod meta_tests {
    use super::*;

    #[test]
    fn metadata_is_read_under_the_names_tools_use() {
        let v = json!({"headline": " A title ", "publisher": "Daily NK", "authors": ["A", "B"],
            "date": "2012-03-12", "link": "https://example.org/a", "lang": "en", "other": 3});
        let m = meta_from_json(&v);
        assert_eq!(m.title, "A title");
        assert_eq!(m.outlet, "Daily NK");
        assert_eq!(m.author, "A, B");
        assert_eq!(m.published, "2012-03-12");
        assert_eq!(m.url, "https://example.org/a");
        assert_eq!(m.language, "en");
        assert!(meta_from_json(&json!("not an object")).is_empty());
    }

    #[test]
    fn a_line_carries_the_metadata_and_a_claims_value_both_ways() {
        let doc = Document::new("a.txt", "At least 41 refugees fled.");
        let mut data = DocAnnotations::default();
        data.meta.outlet = "Daily NK".into();
        data.meta.published = "2012-03-12".into();
        let claim = crate::model::Claim {
            value: Some(crate::model::quantity::Quantity {
                low: Some(41.0),
                unit: "refugees".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        data.annotations.push(doc.annotate(
            vec![crate::model::Span::new(0, 20)],
            "CLAIM",
            Kind::Claim(Box::new(claim)),
            "t",
        ));
        let v: Value = serde_json::from_str(doc_line(&doc, &data).trim()).unwrap();
        assert_eq!(v["meta"]["outlet"], "Daily NK");
        let (_, back) = from_value(&v).unwrap();
        assert_eq!(back.meta, data.meta);
        assert_eq!(
            back.annotations[0].claim().unwrap().value,
            data.annotations[0].claim().unwrap().value
        );
    }
}
