//! Word and OpenDocument files made by code, for the tests of sources: a zip
//! with the parts a word processor writes, and nothing more.

#![allow(dead_code)]

use std::io::Write;

use zip::write::SimpleFileOptions;

/// A zip of the named parts.
pub fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in parts {
        w.start_file(*name, SimpleFileOptions::default()).unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

/// A paragraph of `document.xml`, styled `style` (a heading) when given.
pub fn w_p(style: Option<&str>, runs: &str) -> String {
    let style = style.map_or(String::new(), |s| {
        format!(
            "<w:pPr><w:pStyle w:val=\"{s}\"/><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr>"
        )
    });
    format!("<w:p>{style}{runs}</w:p>")
}

/// A run of text.
pub fn w_r(text: &str) -> String {
    format!("<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">{text}</w:t></w:r>")
}

/// A Word report: a heading, two paragraphs, a footnote, a tab and a line
/// break, a deleted tracked change, and its properties.
pub fn docx_report() -> Vec<u8> {
    let body = [
        w_p(Some("Heading1"), &w_r("Detention Conditions in 2023")),
        w_p(
            None,
            &format!(
                "{}<w:r><w:footnoteReference w:id=\"2\"/></w:r>{}<w:del><w:r><w:delText>deleted words</w:delText></w:r></w:del>",
                w_r("Former detainees described forced labor &amp; beatings."),
                w_r(" More follows.")
            ),
        ),
        w_p(None, &format!("{}<w:r><w:tab/><w:t>tabbed</w:t><w:br/><w:t>next line</w:t></w:r>", w_r("Interviews were held in Seoul."))),
        w_p(None, ""),
    ]
    .concat();
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document {W}><w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    let footnotes = format!(
        "<?xml version=\"1.0\"?><w:footnotes {W}><w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id=\"2\"><w:p><w:r><w:t>Interview with a former guard, March 2023.</w:t></w:r></w:p></w:footnote></w:footnotes>"
    );
    let core = "<?xml version=\"1.0\"?><cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\"><dc:title>Detention Report</dc:title><dc:creator>Min-ji Lee</dc:creator><cp:lastModifiedBy>Editor</cp:lastModifiedBy><dc:language>en-GB</dc:language></cp:coreProperties>";
    zip_of(&[
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>",
        ),
        ("word/document.xml", &document),
        ("word/footnotes.xml", &footnotes),
        ("docProps/core.xml", core),
    ])
}

/// The text [`docx_report`] gives.
pub const DOCX_TEXT: &str = "Detention Conditions in 2023\n\nFormer detainees described forced labor & beatings.[1] More follows.\n\nInterviews were held in Seoul.\ttabbed\nnext line\n\n[1] Interview with a former guard, March 2023.";

/// An OpenDocument text: a heading, a paragraph with a note and spaces, a comment.
pub fn odt_note() -> Vec<u8> {
    let content = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><office:automatic-styles/><office:body><office:text><text:h text:outline-level=\"1\">Field Notes</text:h><text:p>Prices rose<text:s text:c=\"2\"/>sharply<text:note text:note-class=\"footnote\"><text:note-citation>1</text:note-citation><text:note-body><text:p>Market survey, Hyesan.</text:p></text:note-body></text:note> in May.<office:annotation><dc:creator>Reviewer</dc:creator><text:p>check this</text:p></office:annotation></text:p><text:p/></office:text></office:body></office:document-content>";
    let meta = "<?xml version=\"1.0\"?><office:document-meta xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><office:meta><dc:title>Field Notes</dc:title><meta:initial-creator>Jae Kim</meta:initial-creator><dc:creator>Someone Else</dc:creator></office:meta></office:document-meta>";
    zip_of(&[
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        ("content.xml", content),
        ("meta.xml", meta),
    ])
}

/// The text [`odt_note`] gives.
pub const ODT_TEXT: &str = "Field Notes\n\nPrices rose  sharply[1] in May.\n\n[1] Market survey, Hyesan.";
