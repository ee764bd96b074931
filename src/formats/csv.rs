//! CSV of claims: one row per claim, for spreadsheets and the claims board.
//!
//! RFC 4180 quoting, UTF-8 without a byte-order mark, CRLF row ends (what
//! spreadsheet programs and Python's `csv` module write and expect).

use crate::model::{Annotation, DocAnnotations, Document, Speaker};

/// Column names, in order.
pub const HEADER: [&str; 14] = [
    "document",
    "claim_id",
    "label",
    "claim_text",
    "speaker_kind",
    "speaker_id",
    "speaker_text",
    "speaker_canonical",
    "cue",
    "stance",
    "type",
    "proposition",
    "start",
    "end",
];

/// One claim with the document it belongs to, as the claims board holds it.
#[derive(Clone, Copy, Debug)]
pub struct ClaimRow<'a> {
    /// The claim's document.
    pub doc: &'a Document,
    /// All annotations of that document, to resolve the speaker.
    pub data: &'a DocAnnotations,
    /// The claim itself; entities given here are skipped.
    pub claim: &'a Annotation,
}

/// Quotes one field when it holds a comma, quote or line break.
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn push_row(out: &mut String, cells: &[&str]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(c));
    }
    out.push_str("\r\n");
}

/// The header line of the claims CSV.
pub fn header() -> String {
    let mut out = String::new();
    push_row(&mut out, &HEADER);
    out
}

/// The CSV row of one claim (with its line end), or `None` for an entity.
pub fn claim_row(row: ClaimRow<'_>) -> Option<String> {
    let c = row.claim.claim()?;
    let (kind, id, text, canonical) = match &c.speaker {
        Speaker::Unknown => ("unknown", "", "", ""),
        Speaker::Author => ("author", "", "", ""),
        Speaker::Entity(id) => {
            let e = row.data.get(id);
            (
                "entity",
                id.as_str(),
                e.map_or("", |e| e.quote.as_str()),
                e.and_then(Annotation::canonical).unwrap_or(""),
            )
        }
    };
    let ext = row.claim.extent();
    let (start, end) = (ext.start.to_string(), ext.end.to_string());
    let mut out = String::new();
    push_row(
        &mut out,
        &[
            &row.doc.path,
            &row.claim.id,
            &row.claim.label,
            row.doc.slice(ext),
            kind,
            id,
            text,
            canonical,
            c.cue.as_ref().map_or("", |q| q.quote.as_str()),
            c.stance.as_str(),
            c.claim_type.as_str(),
            c.proposition.as_deref().unwrap_or(""),
            &start,
            &end,
        ],
    );
    Some(out)
}

/// The whole CSV (header and one row per claim) for a set of claims, in the given order.
pub fn claims_csv<'a>(rows: impl IntoIterator<Item = ClaimRow<'a>>) -> String {
    let mut out = header();
    for r in rows {
        if let Some(line) = claim_row(r) {
            out.push_str(&line);
        }
    }
    out
}

/// The rows of every claim of one document, in document order.
pub fn doc_rows(doc: &Document, data: &DocAnnotations) -> String {
    let mut out = String::new();
    for a in &data.annotations {
        if let Some(line) = claim_row(ClaimRow { doc, data, claim: a }) {
            out.push_str(&line);
        }
    }
    out
}
