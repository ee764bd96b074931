//! Marginalia JSONL: one JSON object per document, lossless.
//!
//! Every line has the same keys with the same JSON types (arrays stay arrays,
//! absent values are `null`), so columnar readers such as Hugging Face
//! `datasets` infer one schema. Offsets are code points, so Python
//! `text[start:end]` and spaCy `doc.char_span(start, end)` read them as is.
//! The schema is described in `docs/formats.md`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::json;
use crate::model::{
    AnnId, Annotation, Claim, ClaimType, Cue, DocAnnotations, Document, Kind, Relation, Span, Speaker,
    Stance, Status, Target,
};

/// Value of the `format` key on every line, so importers recognise the file.
pub const FORMAT_TAG: &str = "marginalia-jsonl/1";

fn pairs<'a>(map: impl IntoIterator<Item = (&'a String, &'a String)>) -> Value {
    Value::Array(
        map.into_iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect(),
    )
}

fn common(doc: &Document, a: &Annotation) -> Map<String, Value> {
    let ext = a.extent();
    let spans: Vec<Value> = a
        .spans
        .iter()
        .map(|s| json!({"start": s.start, "end": s.end, "text": doc.slice(*s)}))
        .collect();
    let mut m = Map::new();
    m.insert("id".into(), json!(a.id));
    m.insert("start".into(), json!(ext.start));
    m.insert("end".into(), json!(ext.end));
    m.insert("text".into(), json!(doc.slice(ext)));
    m.insert("spans".into(), Value::Array(spans));
    m.insert("label".into(), json!(a.label));
    m.insert("attributes".into(), pairs(&a.attributes));
    m.insert("note".into(), json!(a.note));
    m.insert("annotator".into(), json!(a.annotator));
    m.insert("created".into(), json!(a.created));
    m.insert("modified".into(), json!(a.modified));
    m.insert("orphaned".into(), json!(a.orphaned));
    m.insert("extra".into(), pairs(&a.extra));
    m
}

fn speaker_fields(data: &DocAnnotations, s: &Speaker) -> (Value, Value, Value, Value) {
    match s {
        Speaker::Unknown => (json!("unknown"), Value::Null, Value::Null, Value::Null),
        Speaker::Author => (json!("author"), Value::Null, Value::Null, Value::Null),
        Speaker::Entity(id) => {
            let ent = data.get(id);
            (
                json!("entity"),
                json!(id),
                ent.map_or(Value::Null, |e| json!(e.quote)),
                ent.and_then(Annotation::canonical)
                    .map_or(Value::Null, |c| json!(c)),
            )
        }
    }
}

/// The JSON object of one document.
pub fn doc_value(doc: &Document, data: &DocAnnotations) -> Value {
    let mut entities = Vec::new();
    let mut claims = Vec::new();
    for a in &data.annotations {
        let mut m = common(doc, a);
        match &a.kind {
            Kind::Entity { canonical } => {
                m.insert("canonical".into(), json!(canonical));
                entities.push(Value::Object(m));
            }
            Kind::Claim(c) => {
                let (kind, id, text, canonical) = speaker_fields(data, &c.speaker);
                m.insert("speaker_kind".into(), kind);
                m.insert("speaker_id".into(), id);
                m.insert("speaker_text".into(), text);
                m.insert("speaker_canonical".into(), canonical);
                m.insert("cue_start".into(), json!(c.cue.as_ref().map(|q| q.span.start)));
                m.insert("cue_end".into(), json!(c.cue.as_ref().map(|q| q.span.end)));
                m.insert("cue_text".into(), json!(c.cue.as_ref().map(|q| q.quote.as_str())));
                m.insert("stance".into(), json!(c.stance.as_str()));
                m.insert("type".into(), json!(c.claim_type.as_str()));
                m.insert("proposition".into(), json!(c.proposition));
                claims.push(Value::Object(m));
            }
        }
    }
    let relations: Vec<Value> = data
        .relations
        .iter()
        .map(|r| json!({"id": r.id, "from": r.from, "to": r.to.id, "to_doc": r.to.doc, "type": r.kind}))
        .collect();
    json!({
        "format": FORMAT_TAG,
        "id": doc.path,
        "path": doc.path,
        "text": doc.text,
        "status": data.status.key(),
        "entities": entities,
        "claims": claims,
        "relations": relations,
        "extra": pairs(&data.extra),
    })
}

// The line is written by hand (`super::json`) rather than through
// [`doc_value`]: building a `Value` tree copied every string and made JSONL the
// slowest of the single-file exports. Keys are written in the order `Value`
// sorts them (byte order), so both give the same text; a property test holds
// them equal.

fn pairs_into<'a>(out: &mut String, map: impl IntoIterator<Item = (&'a String, &'a String)>) {
    json::array(out, map, |out, (k, v)| {
        let mut o = json::Object::open(out);
        json::string(o.key("key"), k);
        json::string(o.key("value"), v);
        o.close();
    });
}

/// Writes an annotation's spans and returns the text of its extent: its one
/// span's, already cut out, when it has one.
fn spans_into<'a>(out: &mut String, doc: &'a Document, a: &Annotation) -> &'a str {
    let mut single = None;
    json::array(out, &a.spans, |out, s| {
        let text = doc.slice(*s);
        single = Some(text);
        let mut o = json::Object::open(out);
        json::number(o.key("end"), s.end);
        json::number(o.key("start"), s.start);
        json::string(o.key("text"), text);
        o.close();
    });
    match single {
        Some(text) if a.spans.len() == 1 => text,
        _ => doc.slice(a.extent()),
    }
}

/// An entity or a claim: the fields both have, and those of its kind among
/// them in key order.
fn annotation_into(out: &mut String, doc: &Document, a: &Annotation, data: &DocAnnotations) {
    let ext = a.extent();
    let mut o = json::Object::open(out);
    json::string(o.key("annotator"), &a.annotator);
    pairs_into(o.key("attributes"), &a.attributes);
    let claim = match &a.kind {
        Kind::Entity { canonical } => {
            json::opt_string(o.key("canonical"), canonical.as_deref());
            None
        }
        Kind::Claim(c) => Some(c),
    };
    json::string(o.key("created"), &a.created);
    if let Some(c) = claim {
        json::opt_number(o.key("cue_end"), c.cue.as_ref().map(|q| q.span.end));
        json::opt_number(o.key("cue_start"), c.cue.as_ref().map(|q| q.span.start));
        json::opt_string(o.key("cue_text"), c.cue.as_ref().map(|q| q.quote.as_str()));
    }
    json::number(o.key("end"), ext.end);
    pairs_into(o.key("extra"), &a.extra);
    json::string(o.key("id"), &a.id);
    json::string(o.key("label"), &a.label);
    json::string(o.key("modified"), &a.modified);
    json::string(o.key("note"), &a.note);
    json::boolean(o.key("orphaned"), a.orphaned);
    if let Some(c) = claim {
        json::opt_string(o.key("proposition"), c.proposition.as_deref());
    }
    let text = spans_into(o.key("spans"), doc, a);
    if let Some(c) = claim {
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
        json::opt_string(o.key("speaker_canonical"), canonical);
        json::opt_string(o.key("speaker_id"), id);
        json::string(o.key("speaker_kind"), kind);
        json::opt_string(o.key("speaker_text"), quote);
        json::string(o.key("stance"), c.stance.as_str());
    }
    json::number(o.key("start"), ext.start);
    json::string(o.key("text"), text);
    if let Some(c) = claim {
        json::string(o.key("type"), c.claim_type.as_str());
    }
    o.close();
}

/// One JSONL line (without the newline) for a document: the text of [`doc_value`].
pub fn doc_line(doc: &Document, data: &DocAnnotations) -> String {
    let mut out = String::with_capacity(doc.text.len() + 64 + data.annotations.len() * 320);
    let mut o = json::Object::open(&mut out);
    let claims = data.annotations.iter().filter(|a| a.kind.is_claim());
    json::array(o.key("claims"), claims, |out, a| {
        annotation_into(out, doc, a, data)
    });
    let entities = data.annotations.iter().filter(|a| !a.kind.is_claim());
    json::array(o.key("entities"), entities, |out, a| {
        annotation_into(out, doc, a, data)
    });
    pairs_into(o.key("extra"), &data.extra);
    json::string(o.key("format"), FORMAT_TAG);
    json::string(o.key("id"), &doc.path);
    json::string(o.key("path"), &doc.path);
    json::array(o.key("relations"), &data.relations, |out, r| {
        let mut o = json::Object::open(out);
        json::string(o.key("from"), &r.from);
        json::string(o.key("id"), &r.id);
        json::string(o.key("to"), &r.to.id);
        json::opt_string(o.key("to_doc"), r.to.doc.as_deref());
        json::string(o.key("type"), &r.kind);
        o.close();
    });
    json::string(o.key("status"), data.status.key());
    json::string(o.key("text"), &doc.text);
    o.close();
    out
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

fn read_annotation(doc: &Document, v: &Value, kind: Kind) -> Result<Annotation, String> {
    let id = AnnId::from(str_field(v, "id")?);
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
    let (quote, prefix, suffix) = doc.selector(&spans);
    Ok(Annotation {
        id,
        spans: spans.into(),
        quote,
        prefix,
        suffix,
        label: str_field(v, "label")?.into(),
        kind,
        attributes: read_pairs(v, "attributes")?.into(),
        note: opt_str(v, "note").unwrap_or_default(),
        annotator: opt_str(v, "annotator").unwrap_or_default(),
        created: opt_str(v, "created").unwrap_or_default(),
        modified: opt_str(v, "modified").unwrap_or_default(),
        orphaned,
        extra: read_pairs(v, "extra")?,
    })
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
        value: None,
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
        });
    }
    let status: String = opt_str(v, "status").unwrap_or_default();
    data.status = if status.is_empty() {
        Status::default()
    } else {
        Status::parse(&status).ok_or_else(|| format!("unknown status \"{status}\""))?
    };
    data.extra = read_pairs(v, "extra")?;
    data.sort();
    Ok((doc, data))
}
