//! CSV of claims: one row per claim, for spreadsheets and the claims board.
//!
//! RFC 4180 quoting, UTF-8 without a byte-order mark, CRLF row ends (what
//! spreadsheet programs and Python's `csv` module write and expect). Text
//! cells a spreadsheet would run as a formula are guarded (see [`Formulas`]).

use std::borrow::Cow;

use crate::model::{Annotation, DocAnnotations, Document, Speaker};

/// What to do with a text cell that begins with a character a spreadsheet
/// takes as the start of a formula (`=`, `+`, `-`, `@`, tab or carriage
/// return: the OWASP list). Opening a CSV whose cells hold, say,
/// `=HYPERLINK(…)` from an untrusted source text would run it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Formulas {
    /// Put a `'` before such a cell, so spreadsheets show it as text (the default).
    #[default]
    Guard,
    /// Write every cell as it is, for programs that read the CSV as data.
    Keep,
}

/// True when a spreadsheet would read a cell starting like `s` as a formula.
pub fn looks_like_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// One text cell as written: guarded as `formulas` says, then quoted when it
/// holds a comma, quote or line break.
pub fn field(s: &str, formulas: Formulas) -> Cow<'_, str> {
    let guarded: Cow<'_, str> = if formulas == Formulas::Guard && looks_like_formula(s) {
        format!("'{s}").into()
    } else {
        s.into()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\"")).into()
    } else {
        guarded
    }
}

/// Column names, in order: the claim, then the metadata of its document, then
/// which kind of suggestion the claim was accepted from (empty when made by hand).
pub const HEADER: [&str; 21] = [
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
    "title",
    "outlet",
    "author",
    "published",
    "url",
    "language",
    "origin",
];

/// Columns holding numbers this module writes: never guarded, so a spreadsheet
/// still reads them as numbers.
const NUMBER_COLUMNS: [usize; 2] = [12, 13];

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

fn push_row(out: &mut String, cells: &[&str], formulas: Formulas) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let formulas = if NUMBER_COLUMNS.contains(&i) {
            Formulas::Keep
        } else {
            formulas
        };
        out.push_str(&field(c, formulas));
    }
    out.push_str("\r\n");
}

/// The header line of the claims CSV.
pub fn header() -> String {
    let mut out = String::new();
    push_row(&mut out, &HEADER, Formulas::Keep);
    out
}

/// The CSV row of one claim (with its line end), or `None` for an entity.
pub fn claim_row(row: ClaimRow<'_>, formulas: Formulas) -> Option<String> {
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
    let meta = &row.data.meta;
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
            &meta.title,
            &meta.outlet,
            &meta.author,
            &meta.published,
            &meta.url,
            &meta.language,
            row.claim.origin.map_or("", |o| o.as_str()),
        ],
        formulas,
    );
    Some(out)
}

/// The whole CSV (header and one row per claim) for a set of claims, in the given order.
pub fn claims_csv<'a>(rows: impl IntoIterator<Item = ClaimRow<'a>>, formulas: Formulas) -> String {
    let mut out = header();
    for r in rows {
        if let Some(line) = claim_row(r, formulas) {
            out.push_str(&line);
        }
    }
    out
}

/// The rows of every claim of one document, in document order.
pub fn doc_rows(doc: &Document, data: &DocAnnotations, formulas: Formulas) -> String {
    let mut out = String::new();
    for a in &data.annotations {
        if let Some(line) = claim_row(ClaimRow { doc, data, claim: a }, formulas) {
            out.push_str(&line);
        }
    }
    out
}
