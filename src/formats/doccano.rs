//! doccano, spaCy and Prodigy JSONL records, read for import.
//!
//! doccano counts offsets in UTF-16 code units (what JavaScript strings count);
//! they are converted to code points here. spaCy and Prodigy `spans`, and
//! spaCy's `[start, end, label]` training triples under `entities`, already
//! count code points. Every key of a record is either read into the model or
//! named in [`ForeignDoc::unkept`], so an import can say what it left out.

use std::collections::HashMap;

use serde_json::Value;

use crate::model::{
    AnnId, Annotation, DocAnnotations, DocMeta, Document, Kind, LabelKind, Relation, Span, TagSet, Target,
};

/// One labelled span read from a foreign record, in code points.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForeignSpan {
    /// Id given by the tool, if any (doccano `entities` have one).
    pub id: Option<String>,
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// Label name.
    pub label: String,
    /// A knowledge-base id (spaCy's `kb_id`), kept as the entity's canonical id.
    pub canonical: Option<String>,
    /// Other plain fields of the span (`score`, `pattern`…), kept as attributes.
    pub attributes: Vec<(String, String)>,
}

/// A relation read from doccano, between ids of [`ForeignSpan`]s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignRelation {
    /// Relation id.
    pub id: String,
    /// Span id it starts from.
    pub from: String,
    /// Span id it points to.
    pub to: String,
    /// Relation type.
    pub kind: String,
}

/// What a foreign record holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForeignDoc {
    /// The record's `id`, which names the document.
    pub name: Option<String>,
    /// The text.
    pub text: String,
    /// Labelled spans.
    pub spans: Vec<ForeignSpan>,
    /// Relations (doccano only).
    pub relations: Vec<ForeignRelation>,
    /// Things that could not be read, in plain words.
    pub lost: Vec<String>,
    /// What the document is cited by, from the record's `meta` (and top-level keys of those names).
    pub meta: DocMeta,
    /// Who annotated the record (Prodigy's `_annotator_id`).
    pub annotator: String,
    /// When it was annotated, RFC 3339 UTC (Prodigy's `_timestamp`).
    pub created: Option<String>,
    /// Attributes every span of the record gets (Prodigy's `answer` and `accept`).
    pub attributes: Vec<(String, String)>,
    /// Keys of the record that were not kept, each with why (`meta.x`,
    /// `spans[].x` for keys inside lists).
    pub unkept: Vec<(String, &'static str)>,
}

/// Code-point offset of every UTF-16 offset that falls on a character boundary.
fn utf16_to_cp(text: &str) -> impl Fn(u64) -> Option<usize> + '_ {
    let mut table = Vec::with_capacity(text.len() + 1);
    for (cp, c) in text.chars().enumerate() {
        table.push(Some(cp));
        if c.len_utf16() == 2 {
            // The middle of a surrogate pair is not a character boundary.
            table.push(None);
        }
    }
    table.push(Some(text.chars().count()));
    move |u| {
        usize::try_from(u)
            .ok()
            .and_then(|u| table.get(u).copied().flatten())
    }
}

fn id_string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A plain JSON value as attribute text; `None` for lists, objects and `null`.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// True when a value holds nothing (`null`, `""`, `[]`, `{}`): leaving it out loses nothing.
fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Why keys that Marginalia has no place for are left out.
const NO_FIELD: &str = "Marginalia has no field for it";
/// Why keys derived from the text are left out.
const DERIVED: &str = "derived from the text, recomputed when needed";

/// Why a top-level key of a foreign record is not kept, for keys tools are known to write.
fn known_unkept(key: &str) -> Option<&'static str> {
    Some(match key {
        "tokens" => DERIVED,
        "_input_hash" | "_task_hash" => "Prodigy's hash of the task, recomputed by Prodigy",
        "_view_id" | "_session_id" | "_is_binary" => "Prodigy's session bookkeeping",
        "options" => "Prodigy's choice options; the chosen ones are kept from \"accept\"",
        "Comments" | "comments" => "doccano's comments on the whole document",
        _ => return None,
    })
}

/// A span's own keys, read into [`ForeignSpan`] fields (others become attributes).
const SPAN_KEYS: [&str; 6] = ["id", "start", "end", "label", "start_offset", "end_offset"];

/// Reads the keys of a span object other than its extent and label: `kb_id`
/// becomes the canonical id, other plain values attributes, the rest is reported.
fn span_extras(obj: &serde_json::Map<String, Value>, list: &str, out: &mut ForeignDoc) -> ForeignSpan {
    let mut span = ForeignSpan::default();
    for (k, v) in obj {
        if SPAN_KEYS.contains(&k.as_str()) || is_blank(v) {
            continue;
        }
        match k.as_str() {
            "kb_id" => span.canonical = scalar_text(v),
            "text" | "token_start" | "token_end" => out.unkept.push((format!("{list}[].{k}"), DERIVED)),
            _ => match scalar_text(v) {
                Some(s) => span.attributes.push((k.clone(), s)),
                None => out.unkept.push((
                    format!("{list}[].{k}"),
                    "a list or object, not an attribute value",
                )),
            },
        }
    }
    span
}

/// Reads any record that is not Marginalia's own: doccano (`label`/`labels`
/// triples, `entities` objects with `start_offset`/`end_offset` and
/// `relations`, all in UTF-16 code units), spaCy (`spans`; `entities` as
/// `[start, end, label]` triples) and Prodigy (`spans` with `answer`,
/// `accept`, `_annotator_id`, `_timestamp`). A record with only `text` is a
/// document without spans.
pub fn read_foreign(v: &Value) -> Result<ForeignDoc, String> {
    let obj = v.as_object().ok_or("the record is not a JSON object")?;
    let text = obj
        .get("text")
        .and_then(Value::as_str)
        .ok_or("the field \"text\" is missing or not a string")?;
    let conv = utf16_to_cp(text);
    let len = text.chars().count();
    let mut out = ForeignDoc {
        text: text.to_owned(),
        ..ForeignDoc::default()
    };
    let mut answer_keys = Vec::new();
    let mut loose_meta = serde_json::Map::new();
    for (key, value) in obj {
        match key.as_str() {
            "text" => {}
            "id" => match id_string(Some(value)) {
                Some(id) => out.name = Some(id),
                None if is_blank(value) => {}
                None => out.unkept.push(("id".into(), "not a string or a number")),
            },
            "meta" => read_meta(value, &mut out),
            "label" | "labels" => read_triples(key, value, &conv, &mut out),
            "entities" => read_entities(value, &conv, len, &mut out),
            "relations" => read_relations(value, &mut out),
            "spans" => read_spans(value, len, &mut out),
            "answer" | "accept" => answer_keys.push(key.as_str()),
            "_annotator_id" => match scalar_text(value) {
                Some(a) => out.annotator = a,
                None => out.unkept.push((key.clone(), "not a string")),
            },
            "_timestamp" => match value.as_f64().filter(|t| t.is_finite() && *t >= 0.0) {
                // Prodigy writes seconds; a value past the year 5000 in seconds is milliseconds.
                Some(t) => {
                    let secs = if t > 1e11 { t / 1000.0 } else { t };
                    out.created = Some(crate::model::annotation::rfc3339_from_unix(secs as u64));
                }
                None => out.unkept.push((key.clone(), "not a time in seconds since 1970")),
            },
            _ if is_blank(value) => {}
            _ => match known_unkept(key) {
                Some(why) => out.unkept.push((key.clone(), why)),
                None => {
                    loose_meta.insert(key.clone(), value.clone());
                }
            },
        }
    }
    // Top-level keys named like a document field (doccano puts meta there on export).
    let (meta, unused) = super::jsonl::meta_fields(&Value::Object(loose_meta));
    for (field, value) in DocMeta::FIELDS.iter().map(|f| (*f, meta.get(f).unwrap_or(""))) {
        if !value.is_empty() && out.meta.get(field).is_some_and(str::is_empty) {
            out.meta.set(field, value.to_owned());
        }
    }
    out.unkept.extend(unused.into_iter().map(|k| (k, NO_FIELD)));
    for key in answer_keys {
        let value = &obj[key];
        let text = match value {
            Value::Array(items) => {
                let parts: Vec<String> = items.iter().filter_map(scalar_text).collect();
                (parts.len() == items.len()).then(|| parts.join(", "))
            }
            other => scalar_text(other),
        };
        match text {
            _ if out.spans.is_empty() => out
                .unkept
                .push((key.to_owned(), "the record has no span to carry it")),
            Some(t) => out.attributes.push((key.to_owned(), t)),
            None => out
                .unkept
                .push((key.to_owned(), "not a plain value or a list of them")),
        }
    }
    Ok(out)
}

fn read_meta(value: &Value, out: &mut ForeignDoc) {
    if value.as_object().is_none() {
        if !is_blank(value) {
            out.unkept.push(("meta".into(), "not an object"));
        }
        return;
    }
    let (meta, unused) = super::jsonl::meta_fields(value);
    out.meta = meta;
    out.unkept
        .extend(unused.into_iter().map(|k| (format!("meta.{k}"), NO_FIELD)));
}

/// Adds a span given in UTF-16 code units, or says why it cannot be placed.
fn push_utf16(
    conv: &impl Fn(u64) -> Option<usize>,
    (s, e, label): (Option<u64>, Option<u64>, Option<&str>),
    mut span: ForeignSpan,
    out: &mut ForeignDoc,
) {
    let (Some(s), Some(e), Some(label)) = (s, e, label) else {
        out.lost
            .push("a span without start, end or label was skipped".into());
        return;
    };
    match (conv(s), conv(e)) {
        (Some(a), Some(b)) if a < b => {
            span.start = a;
            span.end = b;
            span.label = label.to_owned();
            out.spans.push(span);
        }
        _ => out.lost.push(format!(
            "the span {s}–{e} ({label}) does not fall on characters of the text (UTF-16 offsets); skipped"
        )),
    }
}

/// Adds a span given in code points, or says why it cannot be placed.
fn push_cp(
    len: usize,
    (s, e, label): (Option<u64>, Option<u64>, Option<&str>),
    mut span: ForeignSpan,
    out: &mut ForeignDoc,
) {
    match (
        s.and_then(|n| usize::try_from(n).ok()),
        e.and_then(|n| usize::try_from(n).ok()),
        label,
    ) {
        (Some(a), Some(b), Some(l)) if a < b && b <= len => {
            span.start = a;
            span.end = b;
            span.label = l.to_owned();
            out.spans.push(span);
        }
        _ => out.lost.push(format!(
            "the span {}–{} ({}) is outside the text ({len} characters) or incomplete; skipped",
            s.map_or("?".into(), |n| n.to_string()),
            e.map_or("?".into(), |n| n.to_string()),
            label.unwrap_or("no label")
        )),
    }
}

/// doccano's `label`/`labels`: `[start, end, label]` triples in UTF-16 units,
/// or a list of category names for the whole text (not kept: labels tag spans).
fn read_triples(key: &str, value: &Value, conv: &impl Fn(u64) -> Option<usize>, out: &mut ForeignDoc) {
    let Some(list) = value.as_array() else {
        out.unkept.push((
            key.to_owned(),
            "a category of the whole text; Marginalia labels spans",
        ));
        return;
    };
    for item in list {
        match item.as_array() {
            Some(t) if t.len() >= 3 => {
                let span = ForeignSpan::default();
                push_utf16(conv, (t[0].as_u64(), t[1].as_u64(), t[2].as_str()), span, out);
            }
            _ if item.is_string() => out.unkept.push((
                key.to_owned(),
                "a category of the whole text; Marginalia labels spans",
            )),
            _ => out.lost.push(format!(
                "the {key} item {item} is not a [start, end, label] triple; skipped"
            )),
        }
    }
}

/// `entities`: doccano objects (UTF-16 units) or spaCy triples (code points).
fn read_entities(value: &Value, conv: &impl Fn(u64) -> Option<usize>, len: usize, out: &mut ForeignDoc) {
    let Some(list) = value.as_array() else {
        out.unkept.push(("entities".into(), "not a list"));
        return;
    };
    for e in list {
        if let Some(t) = e.as_array() {
            let triple = (
                t.first().and_then(Value::as_u64),
                t.get(1).and_then(Value::as_u64),
                t.get(2).and_then(Value::as_str),
            );
            push_cp(len, triple, ForeignSpan::default(), out);
            continue;
        }
        let Some(obj) = e.as_object() else {
            out.lost.push(format!(
                "the entity {e} is neither an object nor a triple; skipped"
            ));
            continue;
        };
        let mut span = span_extras(obj, "entities", out);
        span.id = id_string(obj.get("id"));
        let field = |k: &str| obj.get(k).and_then(Value::as_u64);
        let extent = (
            field("start_offset"),
            field("end_offset"),
            obj.get("label").and_then(Value::as_str),
        );
        push_utf16(conv, extent, span, out);
    }
}

fn read_relations(value: &Value, out: &mut ForeignDoc) {
    let Some(list) = value.as_array() else {
        out.unkept.push(("relations".into(), "not a list"));
        return;
    };
    for (i, r) in list.iter().enumerate() {
        match (
            id_string(r.get("from_id")),
            id_string(r.get("to_id")),
            r.get("type").and_then(Value::as_str),
        ) {
            (Some(from), Some(to), Some(kind)) => {
                out.relations.push(ForeignRelation {
                    id: id_string(r.get("id")).unwrap_or_else(|| format!("{}", i + 1)),
                    from,
                    to,
                    kind: kind.to_owned(),
                });
                for (k, v) in r.as_object().into_iter().flatten() {
                    if !["id", "from_id", "to_id", "type"].contains(&k.as_str()) && !is_blank(v) {
                        out.unkept.push((format!("relations[].{k}"), NO_FIELD));
                    }
                }
            }
            _ => out
                .lost
                .push(format!("relation {r} lacks from_id, to_id or type; skipped")),
        }
    }
}

fn read_spans(value: &Value, len: usize, out: &mut ForeignDoc) {
    let Some(list) = value.as_array() else {
        out.unkept.push(("spans".into(), "not a list"));
        return;
    };
    for s in list {
        let Some(obj) = s.as_object() else {
            out.lost.push(format!("the span {s} is not an object; skipped"));
            continue;
        };
        let mut span = span_extras(obj, "spans", out);
        span.id = id_string(obj.get("id"));
        let field = |k: &str| obj.get(k).and_then(Value::as_u64);
        let extent = (
            field("start"),
            field("end"),
            obj.get("label").and_then(Value::as_str),
        );
        push_cp(len, extent, span, out);
    }
}

/// What [`to_model`] makes of a foreign record.
#[derive(Debug)]
pub struct Converted {
    /// The text.
    pub text: String,
    /// Its annotations, metadata included.
    pub data: DocAnnotations,
    /// What could not be kept, in plain words.
    pub lost: Vec<String>,
    /// Spans left out because an earlier one had the same extent and label.
    pub duplicates: usize,
}

/// A foreign document as Marginalia annotations: span ids become `d<id>`
/// (doccano) or `s<n>` (by position); a label the tag set `set` knows as a
/// claim label makes a claim. A span with the extent and label of an earlier
/// one is left out (relations to it go to the earlier one) and counted.
/// Annotations are timed at the record's `_timestamp`, else at `now`.
pub fn to_model(f: ForeignDoc, set: &TagSet, now: &str) -> Converted {
    let doc = Document::new("", f.text);
    let mut data = DocAnnotations {
        meta: Box::new(f.meta),
        ..Default::default()
    };
    let time = f.created.as_deref().unwrap_or(now);
    let mut ids: HashMap<String, AnnId> = HashMap::new();
    let mut seen: HashMap<(usize, usize, &str), AnnId> = HashMap::new();
    let mut duplicates = 0;
    let mut lost = f.lost;
    for (n, s) in f.spans.iter().enumerate() {
        if let Some(first) = seen.get(&(s.start, s.end, s.label.as_str())) {
            duplicates += 1;
            if let Some(x) = &s.id {
                ids.insert(x.clone(), first.clone());
            }
            continue;
        }
        let mut id = match &s.id {
            Some(x) => compact_str::format_compact!("d{x}"),
            None => compact_str::format_compact!("s{}", n + 1),
        };
        // Two spans given one id by the tool: the second gets its position instead.
        if data.get(&id).is_some() {
            id = compact_str::format_compact!("s{}", n + 1);
        }
        if let Some(x) = &s.id {
            ids.entry(x.clone()).or_insert_with(|| id.clone());
        }
        seen.insert((s.start, s.end, s.label.as_str()), id.clone());
        let spans = vec![Span::new(s.start, s.end)];
        let selector = doc.selector(&spans);
        let kind = match set.label(&s.label).map(|l| l.kind) {
            Some(LabelKind::Claim) => Kind::claim(),
            _ => Kind::Entity {
                canonical: s.canonical.clone(),
            },
        };
        if s.canonical.is_some() && kind.is_claim() {
            lost.push(format!(
                "the knowledge-base id of the claim {}–{} ({}); claims have none",
                s.start, s.end, s.label
            ));
        }
        let mut a = Annotation::new(id, spans, selector, &s.label, kind, &f.annotator, time);
        a.attributes
            .extend(f.attributes.iter().chain(&s.attributes).cloned());
        data.annotations.push(a);
    }
    for r in f.relations {
        match (ids.get(&r.from), ids.get(&r.to)) {
            (Some(a), Some(b)) => data.relations.push(Relation {
                id: compact_str::format_compact!("r{}", r.id),
                from: a.clone(),
                to: Target {
                    doc: None,
                    id: b.clone(),
                },
                kind: r.kind,
                ..Relation::default()
            }),
            _ => lost.push(format!(
                "relation {} joins {} and {}, which are not both imported spans; skipped",
                r.id, r.from, r.to
            )),
        }
    }
    data.sort();
    Converted {
        text: doc.text,
        data,
        lost,
        duplicates,
    }
}
