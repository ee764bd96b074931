//! The sidecar format: `dir/article.txt.ron` beside `dir/article.txt`.
//!
//! The writer is hand-made so that output is deterministic and line-oriented:
//! annotations sorted by (start, end, id), one field per line. Saving unchanged
//! data gives identical bytes, and two analysts who annotate different parts
//! of a document produce diffs that git merges without conflicts.
//!
//! Reading is `sidecar_read`: one pass over the text, straight into the model,
//! with line and column in its errors.

use std::fmt::Write as _;

use crate::model::merge::Conflict;
use crate::model::{
    Annotation, Attributes, DocAnnotations, DocMeta, Event, Extraction, Kind, Relation, Span, Speaker, Status,
};

use super::sidecar_read;
pub use super::sidecar_read::{FORMAT, MAJOR, MINOR, SidecarError};

/// Extension appended to a source's file name.
pub const EXTENSION: &str = ".ron";

/// A sidecar's parsed contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sidecar {
    /// `(major, minor)` read from the file; what is written back.
    pub version: (u32, u32),
    /// File name of the source (no folder).
    pub source: String,
    /// Content hash of the source when the annotations were last placed.
    pub source_hash: String,
    /// Which extraction produced the text the annotations are on (a web page,
    /// a Word file…); `None` for a source read as it is.
    pub extraction: Option<Extraction>,
    /// Annotations, relations, status.
    pub data: DocAnnotations,
}

/// Writes a string as a RON string literal.
fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    lit_into(&mut out, s);
    out
}

/// Appends `s` as a RON string literal: `"`, `\\` and the usual control
/// characters escaped by name, other control characters (U+0000–U+001F,
/// U+007F–U+009F) as `\u{…}`, everything else as it is.
fn lit_into(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends one `name: "value",` line of an annotation, without formatting machinery.
fn str_field(out: &mut String, indent: &str, name: &str, value: &str) {
    out.push_str(indent);
    out.push_str(name);
    out.push_str(": ");
    lit_into(out, value);
    out.push_str(",\n");
}

fn opt_lit(s: &Option<String>) -> String {
    match s {
        Some(s) => format!("Some({})", lit(s)),
        None => "None".into(),
    }
}

fn span_lit(s: &Span) -> String {
    format!("(start: {}, end: {})", s.start, s.end)
}

fn status_lit(s: Status) -> &'static str {
    match s {
        Status::NotStarted => "NotStarted",
        Status::InProgress => "InProgress",
        Status::Done => "Done",
    }
}

fn speaker_lit(s: &Speaker) -> String {
    match s {
        Speaker::Unknown => "Unknown".into(),
        Speaker::Author => "Author".into(),
        Speaker::Entity(id) => format!("Entity({})", lit(id)),
    }
}

fn write_annotation(out: &mut String, a: &Annotation) {
    let i = "            ";
    out.push_str("        (\n");
    str_field(out, i, "id", &a.id);
    let spans: Vec<String> = a.spans.iter().map(span_lit).collect();
    let _ = writeln!(out, "{i}spans: [{}],", spans.join(", "));
    str_field(out, i, "quote", &a.quote);
    str_field(out, i, "prefix", &a.prefix);
    str_field(out, i, "suffix", &a.suffix);
    str_field(out, i, "label", &a.label);
    match &a.kind {
        Kind::Entity { canonical } => {
            let _ = writeln!(out, "{i}kind: Entity(canonical: {}),", opt_lit(canonical));
        }
        Kind::Claim(c) => {
            let j = "                ";
            let _ = writeln!(out, "{i}kind: Claim((");
            let _ = writeln!(out, "{j}speaker: {},", speaker_lit(&c.speaker));
            match &c.cue {
                Some(cue) => {
                    let _ = writeln!(
                        out,
                        "{j}cue: Some((span: {}, quote: {})),",
                        span_lit(&cue.span),
                        lit(&cue.quote)
                    );
                }
                None => {
                    let _ = writeln!(out, "{j}cue: None,");
                }
            }
            let _ = writeln!(out, "{j}stance: {:?},", c.stance);
            let _ = writeln!(out, "{j}claim_type: {:?},", c.claim_type);
            let _ = writeln!(out, "{j}proposition: {},", opt_lit(&c.proposition));
            // Written only when set, so files without one stay as version 1.0 wrote them.
            if let Some(v) = &c.value {
                let num = |x: Option<f64>| x.map_or("None".to_owned(), |x| format!("Some({x:?})"));
                let _ = writeln!(
                    out,
                    "{j}value: Some((low: {}, high: {}, approximate: {}, unit: {}, rate: {})),",
                    num(v.low),
                    num(v.high),
                    v.approximate,
                    lit(&v.unit),
                    opt_lit(&v.rate)
                );
            }
            let _ = writeln!(out, "{i})),");
        }
    }
    attributes_field(out, i, &a.attributes);
    str_field(out, i, "note", &a.note);
    str_field(out, i, "annotator", &a.annotator);
    str_field(out, i, "created", &a.created);
    str_field(out, i, "modified", &a.modified);
    if a.orphaned {
        let _ = writeln!(out, "{i}orphaned: true,");
    }
    conflicts_field(out, i, &a.conflicts);
    // Written only when set, so hand-made annotations stay as 1.0 wrote them.
    if let Some(o) = a.origin {
        let _ = writeln!(out, "{i}origin: Some({o:?}),");
    }
    for (k, v) in &a.extra {
        let _ = writeln!(out, "{i}{k}: {v},");
    }
    out.push_str("        ),\n");
}

/// Appends `conflicts: [(field: …, ours: …, theirs: …)],`, only when there are
/// any: one a line, so that resolving one is a one-line change.
fn conflicts_field(out: &mut String, i: &str, conflicts: &[Conflict]) {
    if conflicts.is_empty() {
        return;
    }
    let _ = writeln!(out, "{i}conflicts: [");
    for c in conflicts {
        let _ = writeln!(
            out,
            "{i}    (field: {}, ours: {}, theirs: {}),",
            lit(&c.field),
            lit(&c.ours),
            lit(&c.theirs)
        );
    }
    let _ = writeln!(out, "{i}],");
}

/// Appends the `attributes: {…},` field, one attribute a line.
fn attributes_field(out: &mut String, i: &str, attributes: &Attributes) {
    if attributes.is_empty() {
        let _ = writeln!(out, "{i}attributes: {{}},");
    } else {
        let _ = writeln!(out, "{i}attributes: {{");
        for (k, v) in attributes {
            let _ = writeln!(out, "{i}    {}: {},", lit(k), lit(v));
        }
        let _ = writeln!(out, "{i}}},");
    }
}

/// Appends a relation's or an event's `attributes` and `note`, each only when
/// it holds something, so that files without them stay as 1.0 wrote them.
fn link_extras(out: &mut String, i: &str, attributes: &Attributes, note: &str) {
    if !attributes.is_empty() {
        attributes_field(out, i, attributes);
    }
    if !note.is_empty() {
        str_field(out, i, "note", note);
    }
}

fn write_event(out: &mut String, e: &Event) {
    let i = "            ";
    out.push_str("        (\n");
    str_field(out, i, "id", &e.id);
    str_field(out, i, "kind", &e.kind);
    str_field(out, i, "trigger", &e.trigger);
    if e.arguments.is_empty() {
        let _ = writeln!(out, "{i}arguments: [],");
    } else {
        let _ = writeln!(out, "{i}arguments: [");
        for a in &e.arguments {
            let _ = writeln!(out, "{i}    (role: {}, id: {}),", lit(&a.role), lit(&a.id));
        }
        let _ = writeln!(out, "{i}],");
    }
    link_extras(out, i, &e.attributes, &e.note);
    out.push_str("        ),\n");
}

/// The minor version the data needs: 3 for an annotation's origin or merge
/// conflicts; 2 for events, equivalences, or a relation's attributes or note;
/// 1 for document metadata or a claim's value; else 0.
fn minor_needed(data: &DocAnnotations) -> u32 {
    if !data.conflicts.is_empty()
        || data
            .annotations
            .iter()
            .any(|a| a.origin.is_some() || !a.conflicts.is_empty())
    {
        return 3;
    }
    if !data.events.is_empty()
        || !data.equivalences.is_empty()
        || data
            .relations
            .iter()
            .any(|r| !r.attributes.is_empty() || !r.note.is_empty())
    {
        return 2;
    }
    let uses_1_1 = !data.meta.is_empty()
        || data
            .annotations
            .iter()
            .any(|a| a.claim().is_some_and(|c| c.value.is_some()));
    u32::from(uses_1_1)
}

/// Serialises a sidecar. Equal inputs give identical bytes.
pub fn to_string(s: &Sidecar) -> String {
    render(
        s.version,
        &s.source,
        &s.source_hash,
        s.extraction.as_ref(),
        &s.data,
    )
}

/// Serialises a sidecar from its parts, without first gathering them into a
/// [`Sidecar`] (which would copy every annotation). Same bytes as [`to_string`].
pub fn render(
    version: (u32, u32),
    source: &str,
    source_hash: &str,
    extraction: Option<&Extraction>,
    data: &DocAnnotations,
) -> String {
    // Annotations are ordered below by their blocks; relations are ordered here by
    // reference, in the order `DocAnnotations::sort` gives, rather than sorting a copy.
    let mut relations: Vec<&Relation> = data.relations.iter().collect();
    relations.sort_by(|a, b| (&a.from, &a.to, &a.kind, &a.id).cmp(&(&b.from, &b.to, &b.kind, &b.id)));
    let mut out = String::with_capacity(512 + data.annotations.len() * 480);
    out.push_str(
        "// Marginalia annotations. Offsets count Unicode code points of the source, end-exclusive.\n",
    );
    out.push_str("(\n");
    let _ = writeln!(out, "    format: {},", lit(FORMAT));
    // 1.1 added `meta` and a claim's `value`, 1.2 events, equivalences and a
    // relation's attributes and note, 1.3 an annotation's origin and merge
    // conflicts: a file using them says so, so that an
    // older build opens it read-only rather than dropping them on save; a file
    // without them stays 1.0, byte for byte.
    // 1.3 added `extraction`, written only for a source whose text is extracted.
    let minor = version
        .1
        .max(minor_needed(data))
        .max(if extraction.is_some() { 3 } else { 0 });
    let _ = writeln!(out, "    version: \"{}.{minor}\",", version.0);
    let _ = writeln!(out, "    source: {},", lit(source));
    let _ = writeln!(out, "    source_hash: {},", lit(source_hash));
    if let Some(x) = extraction {
        let _ = writeln!(
            out,
            "    extraction: (kind: {}, version: {}, text_hash: {}),",
            lit(x.kind.as_str()),
            x.version,
            lit(&x.text_hash)
        );
    }
    let _ = writeln!(out, "    status: {},", status_lit(data.status));
    if !data.meta.is_empty() {
        out.push_str("    meta: (\n");
        for field in DocMeta::FIELDS {
            let _ = writeln!(
                out,
                "        {field}: {},",
                lit(data.meta.get(field).unwrap_or_default())
            );
        }
        out.push_str("    ),\n");
    }
    out.push_str("    annotations: [\n");
    // Ids are unique in valid data, but a hand-edited file may repeat one; breaking
    // ties on the written text keeps the output independent of the input order.
    let mut blocks: Vec<((usize, usize, &str), String)> = data
        .annotations
        .iter()
        .map(|a| {
            let mut block = String::with_capacity(768);
            write_annotation(&mut block, a);
            (a.sort_key(), block)
        })
        .collect();
    blocks.sort();
    for (_, block) in &blocks {
        out.push_str(block);
    }
    out.push_str("    ],\n");
    out.push_str("    relations: [\n");
    for r in relations {
        let i = "            ";
        out.push_str("        (\n");
        let _ = writeln!(out, "{i}id: {},", lit(&r.id));
        let _ = writeln!(out, "{i}from: {},", lit(&r.from));
        let _ = writeln!(
            out,
            "{i}to: (doc: {}, id: {}),",
            opt_lit(&r.to.doc),
            lit(&r.to.id)
        );
        let _ = writeln!(out, "{i}kind: {},", lit(&r.kind));
        link_extras(&mut out, i, &r.attributes, &r.note);
        out.push_str("        ),\n");
    }
    out.push_str("    ],\n");
    // Written only when there are some, as `meta` is.
    if !data.events.is_empty() {
        let mut events: Vec<&Event> = data.events.iter().collect();
        events.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let mut blocks: Vec<((&str, &str, &str), String)> = events
            .into_iter()
            .map(|e| {
                let mut block = String::with_capacity(256);
                write_event(&mut block, e);
                (e.sort_key(), block)
            })
            .collect();
        blocks.sort();
        out.push_str("    events: [\n");
        for (_, block) in &blocks {
            out.push_str(block);
        }
        out.push_str("    ],\n");
    }
    if !data.equivalences.is_empty() {
        let mut equivalences: Vec<_> = data.equivalences.iter().collect();
        equivalences.sort();
        out.push_str("    equivalences: [\n");
        for q in equivalences {
            let members: Vec<String> = q.members.iter().map(|m| lit(m)).collect();
            let _ = writeln!(
                out,
                "        (kind: {}, members: [{}]),",
                lit(&q.kind),
                members.join(", ")
            );
        }
        out.push_str("    ],\n");
    }
    conflicts_field(&mut out, "    ", &data.conflicts);
    for (k, v) in &data.extra {
        let _ = writeln!(out, "    {k}: {v},");
    }
    out.push_str(")\n");
    out
}

// ---- reading ----

/// Parses a sidecar from the bytes of its file: they must be UTF-8; a leading
/// byte-order mark (added by some editors) is ignored.
pub fn from_bytes(bytes: &[u8]) -> Result<Sidecar, SidecarError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match super::decode::utf8(bytes) {
        Ok(src) => from_str(src),
        Err(e) => {
            // Name the place of the first bad byte so it can be found in an editor.
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
            Err(sidecar_read::not_utf8(line, column))
        }
    }
}

/// Parses a sidecar. Errors carry line and column and say what is wrong; a
/// newer major version, or fields of a newer minor version that cannot be kept,
/// are errors with `future_version` set; other unknown fields of a newer minor
/// version are kept. A leading byte-order mark is ignored.
pub fn from_str(src: &str) -> Result<Sidecar, SidecarError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    sidecar_read::read(src).map(finish)
}

/// [`from_bytes`] on a file, read a window at a time so that a large sidecar is
/// never held whole beside its annotations. `seen` is given every byte read
/// (for a hash). `size` is the file's size as its metadata says (it may change
/// meanwhile), so that a small file is read in one piece of its size.
pub fn from_reader(
    from: impl std::io::Read,
    size: Option<u64>,
    mut seen: impl FnMut(&[u8]),
) -> std::io::Result<Result<Sidecar, SidecarError>> {
    Ok(sidecar_read::read_from(from, &mut seen, sidecar_read::WINDOW, size)?.map(finish))
}

/// [`from_reader`] with `window` bytes of text ahead of each step instead
/// of the usual 64 KiB, so that tests move the window across small files.
#[doc(hidden)]
pub fn from_reader_in(
    window: usize,
    from: impl std::io::Read,
    mut seen: impl FnMut(&[u8]),
) -> std::io::Result<Result<Sidecar, SidecarError>> {
    Ok(sidecar_read::read_from(from, &mut seen, window, None)?.map(finish))
}

/// Annotation order, and the version written back.
fn finish(raw: sidecar_read::Raw) -> Sidecar {
    let mut data = raw.data;
    data.sort();
    // Written back as read (never lowered); the writer raises it to 1.1 when the
    // data uses what 1.1 added.
    Sidecar {
        version: (MAJOR, raw.version.1),
        source: raw.source,
        source_hash: raw.source_hash,
        extraction: raw.extraction,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_read_back_through_ron() {
        let samples = [
            "plain",
            "\"quoted\"",
            "back\\slash",
            "line\nbreak\r\ttab",
            "\0\u{1f}\u{7f}\u{85}\u{9f}",
            "\u{a0}«é😀",
            "",
        ];
        for s in samples {
            let mut out = String::new();
            lit_into(&mut out, s);
            assert!(!out[1..out.len() - 1].chars().any(|c| c.is_control()), "{out}");
            assert_eq!(ron::from_str::<String>(&out).unwrap(), s, "{out}");
        }
    }
}
