//! OpenDocument texts (`.odt`): the paragraphs and headings of `content.xml`,
//! notes numbered where they are cited and gathered at the end, and title,
//! author and language from `meta.xml`. Comments (office annotations) and
//! tracked deletions are left out.

use super::zipped::{Xml, Zipped, attr, dublin_core, join, name_of};
use super::{ExtractError, Limits};
use crate::model::{DocMeta, SourceKind};

/// The version of this extractor (see [`super::extractor_version`]).
pub const VERSION: u32 = 1;

const KIND: SourceKind = SourceKind::Odt;

/// The text and metadata of an OpenDocument text.
pub(super) fn extract(bytes: &[u8], limits: &Limits) -> Result<(String, DocMeta), ExtractError> {
    let mut z = Zipped::open(bytes, KIND, limits)?;
    let content = z.entry("content.xml")?.ok_or_else(|| {
        ExtractError::Damaged(
            KIND,
            "it holds no content.xml, so it is not an OpenDocument text".into(),
        )
    })?;
    let mut paragraphs = Vec::new();
    let mut cur = String::new();
    let mut notes: Vec<String> = Vec::new();
    // Inside a note's body: where its text goes.
    let mut note: Option<String> = None;
    // Depth inside elements whose text is never shown.
    let mut hidden = 0usize;
    let mut in_body = false;
    z.walk("content.xml", &content, |ev| match ev {
        Xml::Start(e) => {
            let name = name_of(e);
            match name {
                "text" => in_body = true,
                "annotation" | "note-citation" | "tracked-changes" | "deletion" => hidden += 1,
                "note" => {
                    notes.push(String::new());
                    cur.push_str(&format!("[{}]", notes.len()));
                    note = Some(String::new());
                }
                "p" | "h" => {
                    if let Some(n) = &mut note {
                        if !n.is_empty() {
                            n.push(' ');
                        }
                    } else if !cur.is_empty() {
                        paragraphs.push(std::mem::take(&mut cur));
                    }
                }
                "s" | "tab" | "line-break" if hidden == 0 => {
                    let s = match name {
                        "tab" => "\t".to_owned(),
                        "line-break" => "\n".to_owned(),
                        _ => " ".repeat(
                            attr(e, "c")
                                .and_then(|c| c.parse().ok())
                                .unwrap_or(1usize)
                                .min(64),
                        ),
                    };
                    note.as_mut().unwrap_or(&mut cur).push_str(&s);
                }
                _ => {}
            }
        }
        Xml::End(name) => match name {
            "annotation" | "note-citation" | "tracked-changes" | "deletion" => {
                hidden = hidden.saturating_sub(1)
            }
            "note" => {
                if let (Some(n), Some(last)) = (note.take(), notes.last_mut()) {
                    *last = n;
                }
            }
            "p" | "h" if note.is_none() => paragraphs.push(std::mem::take(&mut cur)),
            _ => {}
        },
        Xml::Text(t) => {
            if in_body && hidden == 0 {
                note.as_mut().unwrap_or(&mut cur).push_str(t);
            }
        }
    })?;
    paragraphs.push(cur);
    for (i, n) in notes.iter().enumerate() {
        paragraphs.push(format!("[{}] {}", i + 1, n.trim()));
    }
    let meta = match z.entry("meta.xml")? {
        Some(xml) => dublin_core(&z, "meta.xml", &xml)?,
        None => DocMeta::default(),
    };
    Ok((join(&paragraphs), meta))
}
