//! doccano and spaCy/Prodigy JSONL, read for import.
//!
//! doccano counts offsets in UTF-16 code units (what JavaScript strings count);
//! they are converted to code points here. spaCy and Prodigy `spans` already
//! count code points.

use serde_json::Value;

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
    let mut out = ForeignDoc {
        text: text.to_owned(),
        ..ForeignDoc::default()
    };
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
    let mut out = ForeignDoc {
        text: text.to_owned(),
        ..ForeignDoc::default()
    };
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
