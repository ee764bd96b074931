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

// The line is written from borrowed structs rather than through [`doc_value`]:
// building a `Value` tree copied every string and made JSONL the slowest of the
// single-file exports. Fields are declared in the order `Value` sorts its keys
// (byte order), so both give the same text; a test holds them equal.

#[derive(Serialize)]
struct PairOut<'a> {
    key: &'a str,
    value: &'a str,
}

fn pairs_out<'a>(map: impl IntoIterator<Item = (&'a String, &'a String)>) -> Vec<PairOut<'a>> {
    map.into_iter()
        .map(|(k, v)| PairOut { key: k, value: v })
        .collect()
}

#[derive(Serialize)]
struct SpanOut<'a> {
    end: usize,
    start: usize,
    text: &'a str,
}

#[derive(Serialize)]
struct EntityOut<'a> {
    annotator: &'a str,
    attributes: Vec<PairOut<'a>>,
    canonical: Option<&'a str>,
    created: &'a str,
    end: usize,
    extra: Vec<PairOut<'a>>,
    id: &'a str,
    label: &'a str,
    modified: &'a str,
    note: &'a str,
    orphaned: bool,
    spans: Vec<SpanOut<'a>>,
    start: usize,
    text: &'a str,
}

#[derive(Serialize)]
struct ClaimOut<'a> {
    annotator: &'a str,
    attributes: Vec<PairOut<'a>>,
    created: &'a str,
    cue_end: Option<usize>,
    cue_start: Option<usize>,
    cue_text: Option<&'a str>,
    end: usize,
    extra: Vec<PairOut<'a>>,
    id: &'a str,
    label: &'a str,
    modified: &'a str,
    note: &'a str,
    orphaned: bool,
    proposition: Option<&'a str>,
    spans: Vec<SpanOut<'a>>,
    speaker_canonical: Option<&'a str>,
    speaker_id: Option<&'a str>,
    speaker_kind: &'static str,
    speaker_text: Option<&'a str>,
    stance: &'static str,
    start: usize,
    text: &'a str,
    #[serde(rename = "type")]
    claim_type: &'static str,
}

#[derive(Serialize)]
struct RelationOut<'a> {
    from: &'a str,
    id: &'a str,
    to: &'a str,
    to_doc: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'a str,
}

#[derive(Serialize)]
struct DocOut<'a> {
    claims: Vec<ClaimOut<'a>>,
    entities: Vec<EntityOut<'a>>,
    extra: Vec<PairOut<'a>>,
    format: &'static str,
    id: &'a str,
    path: &'a str,
    relations: Vec<RelationOut<'a>>,
    status: &'static str,
    text: &'a str,
}

fn spans_out<'a>(doc: &'a Document, a: &Annotation) -> Vec<SpanOut<'a>> {
    a.spans
        .iter()
        .map(|s| SpanOut {
            end: s.end,
            start: s.start,
            text: doc.slice(*s),
        })
        .collect()
}

/// The text of an annotation's extent: its one span's, already cut out.
fn extent_text<'a>(doc: &'a Document, spans: &[SpanOut<'a>], ext: Span) -> &'a str {
    match spans {
        [one] if one.start == ext.start && one.end == ext.end => one.text,
        _ => doc.slice(ext),
    }
}

/// One JSONL line (without the newline) for a document: the text of [`doc_value`].
pub fn doc_line(doc: &Document, data: &DocAnnotations) -> String {
    let mut entities = Vec::new();
    let mut claims = Vec::new();
    for a in &data.annotations {
        let ext = a.extent();
        match &a.kind {
            Kind::Entity { canonical } => {
                let spans = spans_out(doc, a);
                entities.push(EntityOut {
                    annotator: &a.annotator,
                    attributes: pairs_out(&a.attributes),
                    canonical: canonical.as_deref(),
                    created: &a.created,
                    end: ext.end,
                    extra: pairs_out(&a.extra),
                    id: &a.id,
                    label: &a.label,
                    modified: &a.modified,
                    note: &a.note,
                    orphaned: a.orphaned,
                    text: extent_text(doc, &spans, ext),
                    spans,
                    start: ext.start,
                })
            }
            Kind::Claim(c) => {
                let (speaker_kind, speaker_id, speaker_text, speaker_canonical) = match &c.speaker {
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
                let spans = spans_out(doc, a);
                claims.push(ClaimOut {
                    annotator: &a.annotator,
                    attributes: pairs_out(&a.attributes),
                    created: &a.created,
                    cue_end: c.cue.as_ref().map(|q| q.span.end),
                    cue_start: c.cue.as_ref().map(|q| q.span.start),
                    cue_text: c.cue.as_ref().map(|q| q.quote.as_str()),
                    end: ext.end,
                    extra: pairs_out(&a.extra),
                    id: &a.id,
                    label: &a.label,
                    modified: &a.modified,
                    note: &a.note,
                    orphaned: a.orphaned,
                    proposition: c.proposition.as_deref(),
                    text: extent_text(doc, &spans, ext),
                    spans,
                    speaker_canonical,
                    speaker_id,
                    speaker_kind,
                    speaker_text,
                    stance: c.stance.as_str(),
                    start: ext.start,
                    claim_type: c.claim_type.as_str(),
                });
            }
        }
    }
    let line = DocOut {
        claims,
        entities,
        extra: pairs_out(&data.extra),
        format: FORMAT_TAG,
        id: &doc.path,
        path: &doc.path,
        relations: data
            .relations
            .iter()
            .map(|r| RelationOut {
                from: &r.from,
                id: &r.id,
                to: &r.to.id,
                to_doc: r.to.doc.as_deref(),
                kind: &r.kind,
            })
            .collect(),
        status: data.status.key(),
        text: &doc.text,
    };
    serde_json::to_string(&line).unwrap_or_default()
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
