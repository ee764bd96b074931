//! Title, author, date and language from the Info dictionary, the catalog's
//! `/Lang` and the XMP packet; the Info dictionary wins where both say.

use lopdf::{Document, Object};

use crate::model::document::DocMeta;

/// What the PDF says about itself; empty fields where it says nothing.
pub(crate) fn read(doc: &Document) -> DocMeta {
    let mut meta = DocMeta::default();
    if let Some(info) = info(doc) {
        meta.title = clean_title(&text(doc, info.get(b"Title").ok()));
        meta.author = text(doc, info.get(b"Author").ok());
        meta.published = pdf_date(&text(doc, info.get(b"CreationDate").ok()));
    }
    if let Ok(catalog) = doc.catalog() {
        meta.language = text(doc, catalog.get(b"Lang").ok());
        if let Some(xmp) = catalog
            .get(b"Metadata")
            .ok()
            .and_then(|o| resolve(doc, o))
            .and_then(|o| o.as_stream().ok())
        {
            let raw = xmp.decompressed_content().unwrap_or_else(|_| xmp.content.clone());
            let xml = String::from_utf8_lossy(&raw);
            let fill = |slot: &mut String, value: Option<String>| {
                if slot.is_empty() {
                    *slot = value.unwrap_or_default();
                }
            };
            fill(
                &mut meta.title,
                xmp_values(&xml, "dc:title").map(|v| clean_title(&v[0])),
            );
            fill(
                &mut meta.author,
                xmp_values(&xml, "dc:creator").map(|v| v.join("; ")),
            );
            fill(
                &mut meta.published,
                xmp_values(&xml, "xmp:CreateDate")
                    .or_else(|| xmp_values(&xml, "dc:date"))
                    .map(|v| iso_date(&v[0])),
            );
            fill(
                &mut meta.language,
                xmp_values(&xml, "dc:language").map(|v| v[0].clone()),
            );
        }
    }
    meta
}

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    match o {
        Object::Reference(id) => doc.get_object(*id).ok(),
        o => Some(o),
    }
}

fn info(doc: &Document) -> Option<&lopdf::Dictionary> {
    resolve(doc, doc.trailer.get(b"Info").ok()?)?.as_dict().ok()
}

/// A PDF text string: UTF-16BE or UTF-8 with their marks, else PDFDocEncoding.
fn text(doc: &Document, o: Option<&Object>) -> String {
    let Some(Object::String(bytes, _)) = o.and_then(|o| resolve(doc, o)) else {
        return String::new();
    };
    decode_text_string(bytes).trim().to_string()
}

/// Decodes a PDF text string (PDF 32000-2 §7.9.2.2).
pub(crate) fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    // PDFDocEncoding: Latin-1 but for 0x80–0x9F (and a few below 0x20, never in titles).
    const HIGH: [char; 32] = [
        '•', '†', '‡', '…', '—', '–', 'ƒ', '⁄', '‹', '›', '−', '‰', '„', '“', '”', '‘', '’', '‚', '™', 'ﬁ',
        'ﬂ', 'Ł', 'Œ', 'Š', 'Ÿ', 'Ž', 'ı', 'ł', 'œ', 'š', 'ž', '\u{FFFD}',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[(b - 0x80) as usize],
            b => b as char,
        })
        .collect()
}

/// "Microsoft Word - report.docx" is the file a PDF was printed from, not a title.
fn clean_title(title: &str) -> String {
    let t = title.trim();
    for prefix in ["Microsoft Word - ", "Microsoft PowerPoint - "] {
        if let Some(rest) = t.strip_prefix(prefix) {
            return rest.trim().to_string();
        }
    }
    t.to_string()
}

/// `D:20120312093000+01'00'` → `2012-03-12` (as much of the date as is given).
pub(crate) fn pdf_date(s: &str) -> String {
    let digits: String = s
        .trim()
        .trim_start_matches("D:")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    match digits.len() {
        0..=3 => String::new(),
        4..=5 => digits[..4].to_string(),
        6..=7 => format!("{}-{}", &digits[..4], &digits[4..6]),
        _ => format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..8]),
    }
}

/// An XMP date (`2012-03-12T09:30:00+01:00`) cut to its date.
fn iso_date(s: &str) -> String {
    let s = s.trim();
    let date: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    if date.len() >= 4 {
        date.trim_end_matches('-').to_string()
    } else {
        String::new()
    }
}

/// The values of an XMP property: its `rdf:li` items, or its text.
fn xmp_values(xml: &str, tag: &str) -> Option<Vec<String>> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let start = xml.find(&open)?;
    let after_open = start + xml[start..].find('>')? + 1;
    if xml[start..after_open].ends_with("/>") {
        return None;
    }
    let end = after_open + xml[after_open..].find(&close)?;
    let inner = &xml[after_open..end];
    let mut values = Vec::new();
    let mut rest = inner;
    while let Some(li) = rest.find("<rdf:li") {
        let Some(gt) = rest[li..].find('>') else { break };
        let body_start = li + gt + 1;
        let Some(body_end) = rest[body_start..].find("</rdf:li>") else {
            break;
        };
        values.push(unescape(rest[body_start..body_start + body_end].trim()));
        rest = &rest[body_start + body_end..];
    }
    if values.is_empty() && !inner.contains('<') {
        values.push(unescape(inner.trim()));
    }
    values.retain(|v| !v.is_empty());
    (!values.is_empty()).then_some(values)
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_iso() {
        assert_eq!(pdf_date("D:20120312093000+01'00'"), "2012-03-12");
        assert_eq!(pdf_date("D:2012"), "2012");
        assert_eq!(pdf_date("D:201203"), "2012-03");
        assert_eq!(pdf_date("garbage"), "");
        assert_eq!(iso_date("2019-05-01T10:00:00Z"), "2019-05-01");
    }

    #[test]
    fn text_strings_decode() {
        assert_eq!(decode_text_string(b"\xFE\xFF\x00A\x06\x33"), "A\u{0633}");
        assert_eq!(decode_text_string(b"Caf\xE9 \x93"), "Café ﬁ");
    }

    #[test]
    fn xmp_lists_and_plain_values() {
        let xml = r#"<x><dc:creator><rdf:Seq><rdf:li>Ann Lee</rdf:li><rdf:li>Bo &amp; Co</rdf:li></rdf:Seq></dc:creator>
            <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Report</rdf:li></rdf:Alt></dc:title><xmp:CreateDate>2019-05-01T10:00:00Z</xmp:CreateDate></x>"#;
        assert_eq!(xmp_values(xml, "dc:creator").unwrap(), ["Ann Lee", "Bo & Co"]);
        assert_eq!(xmp_values(xml, "dc:title").unwrap(), ["Report"]);
        assert_eq!(
            xmp_values(xml, "xmp:CreateDate").unwrap(),
            ["2019-05-01T10:00:00Z"]
        );
        assert!(xmp_values(xml, "dc:language").is_none());
    }
}
