//! What Word and OpenDocument files share: a zip holding XML. Entries are read
//! up to a cap, and the XML is walked as events with a deadline, so a zip bomb
//! or a huge document stops with a message rather than filling memory or
//! running on.

use std::io::{Cursor, Read};
use std::time::Instant;

use quick_xml::events::{BytesStart, Event};

use super::{ExtractError, Limits};
use crate::model::SourceKind;

/// The first bytes of an OLE compound file: what Word writes for a document
/// protected by a password (the zip is encrypted inside it), and what old
/// `.doc` files are.
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// A zipped document being read.
pub(super) struct Zipped {
    zip: zip::ZipArchive<Cursor<Vec<u8>>>,
    kind: SourceKind,
    limits: Limits,
    start: Instant,
}

impl Zipped {
    /// Opens the zip in `bytes`; an OLE file is taken to be a protected document.
    pub(super) fn open(bytes: &[u8], kind: SourceKind, limits: &Limits) -> Result<Self, ExtractError> {
        if bytes.starts_with(OLE_MAGIC) {
            return Err(ExtractError::Encrypted(kind));
        }
        let zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec()))
            .map_err(|e| ExtractError::Damaged(kind, format!("it is not a zip file: {e}")))?;
        Ok(Self {
            zip,
            kind,
            limits: *limits,
            start: Instant::now(),
        })
    }

    /// The text of the entry `name`, `None` when there is none.
    pub(super) fn entry(&mut self, name: &str) -> Result<Option<String>, ExtractError> {
        let kind = self.kind;
        let f = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(zip::result::ZipError::UnsupportedArchive(m)) if m.to_lowercase().contains("password") => {
                return Err(ExtractError::Encrypted(kind));
            }
            Err(e) => return Err(ExtractError::Damaged(kind, format!("{name}: {e}"))),
        };
        if f.encrypted() {
            return Err(ExtractError::Encrypted(kind));
        }
        let cap = self.limits.unpacked;
        let mut bytes = Vec::new();
        f.take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ExtractError::Damaged(kind, format!("{name}: {e}")))?;
        if bytes.len() as u64 > cap {
            return Err(ExtractError::TooLarge(kind));
        }
        let bytes = bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .map(<[u8]>::to_vec)
            .unwrap_or(bytes);
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| ExtractError::Damaged(kind, format!("{name} is not UTF-8")))
    }

    /// Walks the XML `text` of entry `name`, giving `each` every element and text.
    pub(super) fn walk(
        &self,
        name: &str,
        text: &str,
        mut each: impl FnMut(Xml<'_>),
    ) -> Result<(), ExtractError> {
        let kind = self.kind;
        let mut reader = quick_xml::Reader::from_str(text);
        let bad = |r: &quick_xml::Reader<&[u8]>, e: String| {
            ExtractError::Damaged(
                kind,
                format!(
                    "{name} is not well-formed XML near byte {}: {e}",
                    r.buffer_position()
                ),
            )
        };
        let mut n = 0u32;
        loop {
            n = n.wrapping_add(1);
            if n.is_multiple_of(4096) && self.start.elapsed() > self.limits.time {
                return Err(ExtractError::TimedOut(kind));
            }
            match reader.read_event().map_err(|e| bad(&reader, e.to_string()))? {
                Event::Start(e) => each(Xml::Start(&e)),
                Event::Empty(e) => {
                    each(Xml::Start(&e));
                    each(Xml::End(local(e.name().as_ref())));
                }
                Event::End(e) => each(Xml::End(local(e.name().as_ref()))),
                Event::Text(t) => {
                    let s = t.xml10_content().map_err(|e| bad(&reader, e.to_string()))?;
                    each(Xml::Text(&s));
                }
                Event::CData(t) => each(Xml::Text(&String::from_utf8_lossy(&t))),
                Event::GeneralRef(r) => {
                    let c = r.resolve_char_ref().map_err(|e| bad(&reader, e.to_string()))?;
                    let mut buf = [0u8; 4];
                    match c {
                        Some(c) => each(Xml::Text(c.encode_utf8(&mut buf))),
                        None => {
                            let name = r.decode().map_err(|e| bad(&reader, e.to_string()))?;
                            if let Some(v) = quick_xml::escape::resolve_predefined_entity(&name) {
                                each(Xml::Text(v));
                            }
                        }
                    }
                }
                Event::Eof => return Ok(()),
                _ => {}
            }
        }
    }
}

/// An element's name without its namespace prefix, as text.
pub(super) fn local(name: &[u8]) -> &str {
    let name = name.rsplit(|&b| b == b':').next().unwrap_or(name);
    std::str::from_utf8(name).unwrap_or("")
}

/// The value of the attribute whose local name is `key`.
pub(super) fn attr(e: &BytesStart, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| local(a.key.as_ref()) == key)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// One thing met in the XML.
pub(super) enum Xml<'a> {
    /// An element begins (an empty element gives `Start` then `End`).
    Start(&'a BytesStart<'a>),
    /// An element ends: its local name.
    End(&'a str),
    /// Text, with references decoded.
    Text(&'a str),
}

/// The name of a starting element, without its prefix.
pub(super) fn name_of<'a>(e: &'a BytesStart<'_>) -> &'a str {
    local(e.local_name().into_inner())
}

/// Paragraphs joined by blank lines, empty ones left out.
pub(super) fn join(paragraphs: &[String]) -> String {
    let kept: Vec<&str> = paragraphs
        .iter()
        .map(|p| p.trim_end())
        .filter(|p| !p.trim().is_empty())
        .collect();
    kept.join("\n\n")
}

/// Title, author and language from Dublin Core elements (`docProps/core.xml`,
/// `meta.xml`).
pub(super) fn dublin_core(z: &Zipped, name: &str, xml: &str) -> Result<crate::model::DocMeta, ExtractError> {
    let mut meta = crate::model::DocMeta::default();
    let mut field: Option<&'static str> = None;
    let mut value = String::new();
    z.walk(name, xml, |ev| match ev {
        Xml::Start(e) => {
            field = match name_of(e) {
                "title" => Some("title"),
                "creator" | "initial-creator" => Some("author"),
                "language" => Some("language"),
                _ => None,
            };
            value.clear();
        }
        Xml::End(_) => {
            // The first of each: a document's creator before its last editor.
            if let Some(f) = field.take()
                && meta.get(f).is_some_and(str::is_empty)
            {
                meta.set(f, std::mem::take(&mut value));
            }
        }
        Xml::Text(t) => {
            if field.is_some() {
                value.push_str(t);
            }
        }
    })?;
    for f in crate::model::DocMeta::FIELDS {
        let v = meta
            .get(f)
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        meta.set(f, v);
    }
    Ok(meta)
}
