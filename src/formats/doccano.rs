//! doccano and spaCy/Prodigy JSONL, read for import.
//!
//! doccano counts offsets in UTF-16 code units (what JavaScript strings count);
//! they are converted to code points here. spaCy and Prodigy `spans` already
//! count code points.

use std::collections::HashMap;

use serde_json::Value;

use crate::model::{
    AnnId, Annotation, DocAnnotations, Document, Kind, LabelKind, Relation, Span, TagSet, Target,
};

/// One labelled span read from a foreign line, in code points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignSpan {
    /// Id given by the tool, if any (doccano `entities` have one).
    pub id: Option<String>,
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// Label name.
    pub label: String,
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

/// What a foreign JSONL line holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForeignDoc {
    /// The text.
    pub text: String,
    /// Labelled spans.
    pub spans: Vec<ForeignSpan>,
    /// Relations (doccano only).
    pub relations: Vec<ForeignRelation>,
    /// Things that could not be read, in plain words.
    pub lost: Vec<String>,
    /// What the document is cited by, from the line's `meta`.
    pub meta: crate::model::DocMeta,
}

impl ForeignDoc {
    /// A document of `text`, with the metadata of the line `v`, before its spans are read.
    fn of(v: &Value, text: &str) -> Self {
        ForeignDoc {
            text: text.to_owned(),
            meta: v
                .get("meta")
                .map(super::jsonl::meta_from_json)
                .unwrap_or_default(),
            ..ForeignDoc::default()
        }
    }
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
    move |u| table.get(u as usize).copied().flatten()
}

fn id_string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// True when the line looks like doccano (`label` triples or `entities` with `start_offset`).
pub fn is_doccano(v: &Value) -> bool {
    v.get("entities").is_some() || v.get("label").is_some_and(Value::is_array)
}

/// Reads a doccano line.
pub fn read_doccano(v: &Value) -> Result<ForeignDoc, String> {
    let text = v
        .get("text")
        .and_then(Value::as_str)
        .ok_or("the field \"text\" is missing")?;
    let conv = utf16_to_cp(text);
    let mut out = ForeignDoc::of(v, text);
    let push =
        |id: Option<String>, s: Option<u64>, e: Option<u64>, label: Option<&str>, out: &mut ForeignDoc| {
            let (Some(s), Some(e), Some(label)) = (s, e, label) else {
                out.lost
                    .push("a span without start, end or label was skipped".into());
                return;
            };
            match (conv(s), conv(e)) {
            (Some(a), Some(b)) if a < b => out.spans.push(ForeignSpan {
                id,
                start: a,
                end: b,
                label: label.to_owned(),
            }),
            _ => out.lost.push(format!(
                "the span {s}–{e} ({label}) does not fall on characters of the text (UTF-16 offsets); skipped"
            )),
        }
        };
    if let Some(list) = v.get("label").and_then(Value::as_array) {
        for item in list {
            match item.as_array() {
                Some(t) if t.len() >= 3 => {
                    push(None, t[0].as_u64(), t[1].as_u64(), t[2].as_str(), &mut out);
                }
                _ => out.lost.push(format!(
                    "the label {item} is not a [start, end, label] triple; skipped"
                )),
            }
        }
    }
    if let Some(list) = v.get("entities").and_then(Value::as_array) {
        for e in list {
            push(
                id_string(e.get("id")),
                e.get("start_offset").and_then(Value::as_u64),
                e.get("end_offset").and_then(Value::as_u64),
                e.get("label").and_then(Value::as_str),
                &mut out,
            );
        }
    }
    if let Some(list) = v.get("relations").and_then(Value::as_array) {
        for (i, r) in list.iter().enumerate() {
            match (
                id_string(r.get("from_id")),
                id_string(r.get("to_id")),
                r.get("type").and_then(Value::as_str),
            ) {
                (Some(from), Some(to), Some(kind)) => out.relations.push(ForeignRelation {
                    id: id_string(r.get("id")).unwrap_or_else(|| format!("{}", i + 1)),
                    from,
                    to,
                    kind: kind.to_owned(),
                }),
                _ => out
                    .lost
                    .push(format!("relation {r} lacks from_id, to_id or type; skipped")),
            }
        }
    }
    Ok(out)
}

/// True when the line looks like spaCy/Prodigy (`spans` list).
pub fn is_spacy(v: &Value) -> bool {
    v.get("spans").is_some_and(Value::is_array)
}

/// Reads a spaCy/Prodigy span line (offsets in code points).
pub fn read_spacy(v: &Value) -> Result<ForeignDoc, String> {
    let text = v
        .get("text")
        .and_then(Value::as_str)
        .ok_or("the field \"text\" is missing")?;
    let len = text.chars().count();
    let mut out = ForeignDoc::of(v, text);
    for s in v.get("spans").and_then(Value::as_array).into_iter().flatten() {
        let start = s.get("start").and_then(Value::as_u64).map(|n| n as usize);
        let end = s.get("end").and_then(Value::as_u64).map(|n| n as usize);
        let label = s.get("label").and_then(Value::as_str);
        match (start, end, label) {
            (Some(a), Some(b), Some(l)) if a < b && b <= len => out.spans.push(ForeignSpan {
                id: id_string(s.get("id")),
                start: a,
                end: b,
                label: l.to_owned(),
            }),
            _ => out
                .lost
                .push(format!("the span {s} is outside the text or incomplete; skipped")),
        }
    }
    Ok(out)
}

/// A foreign document as Marginalia annotations: span ids become `d<id>`
/// (doccano) or `s<n>` (spaCy, by position); a label the tag set `set` knows
/// as a claim label makes a claim. Gives the text, the annotations and what
/// was lost.
pub fn to_model(f: ForeignDoc, set: &TagSet, now: &str) -> (String, DocAnnotations, Vec<String>) {
    let doc = Document::new("", f.text);
    let mut data = DocAnnotations {
        meta: Box::new(f.meta),
        ..Default::default()
    };
    let mut ids: HashMap<String, AnnId> = HashMap::new();
    for (n, s) in f.spans.into_iter().enumerate() {
        let id = match &s.id {
            Some(x) => compact_str::format_compact!("d{x}"),
            None => compact_str::format_compact!("s{}", n + 1),
        };
        if let Some(x) = s.id {
            ids.insert(x, id.clone());
        }
        let spans = vec![Span::new(s.start, s.end)];
        let (quote, prefix, suffix) = doc.selector(&spans);
        let kind = match set.label(&s.label).map(|l| l.kind) {
            Some(LabelKind::Claim) => Kind::claim(),
            _ => Kind::entity(),
        };
        data.annotations.push(Annotation::new(
            id,
            spans,
            (quote, prefix, suffix),
            &s.label,
            kind,
            "",
            now,
        ));
    }
    let mut lost = f.lost;
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
    (doc.text, data, lost)
}
