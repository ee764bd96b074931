//! Word documents (`.docx`): the paragraphs of `word/document.xml` (headings
//! are paragraphs too), footnotes and endnotes numbered where they are cited
//! and gathered at the end, and title, author and language from
//! `docProps/core.xml`. Deleted text of tracked changes, field codes, headers
//! and footers of pages, and comments are left out.

use super::zipped::{Xml, Zipped, attr, dublin_core, join, name_of};
use super::{ExtractError, Limits};
use crate::model::{DocMeta, SourceKind};

/// The version of this extractor (see [`super::extractor_version`]).
pub const VERSION: u32 = 1;

const KIND: SourceKind = SourceKind::Docx;

/// The text and metadata of a Word document.
pub(super) fn extract(bytes: &[u8], limits: &Limits) -> Result<(String, DocMeta), ExtractError> {
    let mut z = Zipped::open(bytes, KIND, limits)?;
    let body = z.entry("word/document.xml")?.ok_or_else(|| {
        ExtractError::Damaged(
            KIND,
            "it holds no word/document.xml, so it is not a Word document".into(),
        )
    })?;
    let mut paragraphs = Vec::new();
    let mut cur = String::new();
    let mut in_text = false;
    let mut run = 0usize;
    // Notes in the order they are cited: (footnote or endnote, id).
    let mut cited: Vec<(bool, String)> = Vec::new();
    z.walk("word/document.xml", &body, |ev| match ev {
        Xml::Start(e) => match name_of(e) {
            "p" if !cur.is_empty() => paragraphs.push(std::mem::take(&mut cur)),
            "r" => run += 1,
            "t" => in_text = true,
            "tab" if run > 0 => cur.push('\t'),
            "br" | "cr" if run > 0 => cur.push('\n'),
            name @ ("footnoteReference" | "endnoteReference") => {
                if let Some(id) = attr(e, "id") {
                    cited.push((name == "footnoteReference", id));
                    cur.push_str(&format!("[{}]", cited.len()));
                }
            }
            _ => {}
        },
        Xml::End("p") => paragraphs.push(std::mem::take(&mut cur)),
        Xml::End("r") => run = run.saturating_sub(1),
        Xml::End("t") => in_text = false,
        Xml::End(_) => {}
        Xml::Text(t) => {
            if in_text {
                cur.push_str(t);
            }
        }
    })?;
    paragraphs.push(cur);
    if !cited.is_empty() {
        let footnotes = notes(&mut z, "word/footnotes.xml", "footnote")?;
        let endnotes = notes(&mut z, "word/endnotes.xml", "endnote")?;
        for (i, (foot, id)) in cited.iter().enumerate() {
            let table = if *foot { &footnotes } else { &endnotes };
            if let Some((_, text)) = table.iter().find(|(k, _)| k == id) {
                paragraphs.push(format!("[{}] {}", i + 1, text.trim()));
            }
        }
    }
    let meta = match z.entry("docProps/core.xml")? {
        Some(xml) => dublin_core(&z, "docProps/core.xml", &xml)?,
        None => DocMeta::default(),
    };
    Ok((join(&paragraphs), meta))
}

/// The notes of `entry` (`footnote` or `endnote` elements) by id, their
/// paragraphs joined by a space; separators Word keeps there are left out.
fn notes(z: &mut Zipped, entry: &str, element: &str) -> Result<Vec<(String, String)>, ExtractError> {
    let Some(xml) = z.entry(entry)? else {
        return Ok(Vec::new());
    };
    let mut out: Vec<(String, String)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    let mut in_text = false;
    z.walk(entry, &xml, |ev| match ev {
        Xml::Start(e) if name_of(e) == element => {
            let separator = attr(e, "type").is_some_and(|t| t != "normal");
            current = (!separator).then(|| (attr(e, "id").unwrap_or_default(), String::new()));
        }
        Xml::Start(e) => match name_of(e) {
            "t" => in_text = true,
            "p" => {
                if let Some((_, text)) = &mut current
                    && !text.is_empty()
                {
                    text.push(' ');
                }
            }
            _ => {}
        },
        Xml::End("t") => in_text = false,
        Xml::End(name) if name == element => out.extend(current.take()),
        Xml::End(_) => {}
        Xml::Text(t) => {
            if in_text && let Some((_, text)) = &mut current {
                text.push_str(t);
            }
        }
    })?;
    Ok(out)
}
