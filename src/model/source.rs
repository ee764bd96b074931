//! What kind of file a document's text came from, and what its extraction
//! kept beside the text: page starts, running headers and footers, and for a
//! web page where each piece of the text sits in the original HTML.
//!
//! Annotations are always on the text, in code points; these only describe it.

use super::annotation::Span;

/// The kind of file a source is, chosen by its extension.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKind {
    /// Plain text (`.txt`, `.text`).
    #[default]
    Text,
    /// Markdown (`.md`), shown as its text.
    Markdown,
    /// A saved web page (`.html`, `.htm`, `.xhtml`): the article's text.
    Html,
    /// A Word document (`.docx`).
    Docx,
    /// An OpenDocument text (`.odt`).
    Odt,
    /// A PDF file.
    Pdf,
}

impl SourceKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [SourceKind; 6] = [
        SourceKind::Text,
        SourceKind::Markdown,
        SourceKind::Html,
        SourceKind::Docx,
        SourceKind::Odt,
        SourceKind::Pdf,
    ];

    /// The kind a file name's extension gives, case-insensitively; `None` for a
    /// file that is not a source.
    pub fn of_name(name: &str) -> Option<SourceKind> {
        let (_, ext) = name.rsplit_once('.')?;
        let is = |x: &str| ext.eq_ignore_ascii_case(x);
        Some(if is("txt") || is("text") {
            SourceKind::Text
        } else if is("md") {
            SourceKind::Markdown
        } else if is("html") || is("htm") || is("xhtml") {
            SourceKind::Html
        } else if is("docx") {
            SourceKind::Docx
        } else if is("odt") {
            SourceKind::Odt
        } else if is("pdf") {
            SourceKind::Pdf
        } else {
            return None;
        })
    }

    /// The name written in sidecars, exports and reports (`text`, `html`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Text => "text",
            SourceKind::Markdown => "markdown",
            SourceKind::Html => "html",
            SourceKind::Docx => "docx",
            SourceKind::Odt => "odt",
            SourceKind::Pdf => "pdf",
        }
    }

    /// The kind [`SourceKind::as_str`] names.
    pub fn parse(s: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What the file is, in words: "web page", "Word document", …
    pub fn noun(self) -> &'static str {
        match self {
            SourceKind::Text => "text file",
            SourceKind::Markdown => "Markdown file",
            SourceKind::Html => "web page",
            SourceKind::Docx => "Word document",
            SourceKind::Odt => "OpenDocument text",
            SourceKind::Pdf => "PDF file",
        }
    }

    /// A short label for lists: `TXT`, `MD`, `WEB`, `DOCX`, `ODT`, `PDF`.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Text => "TXT",
            SourceKind::Markdown => "MD",
            SourceKind::Html => "WEB",
            SourceKind::Docx => "DOCX",
            SourceKind::Odt => "ODT",
            SourceKind::Pdf => "PDF",
        }
    }

    /// True when the text is read from the file as it is; false when it is
    /// extracted from a richer format (and the sidecar records the extraction).
    pub fn is_plain(self) -> bool {
        matches!(self, SourceKind::Text | SourceKind::Markdown)
    }
}

impl std::fmt::Display for SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which extraction produced a document's text, as its sidecar records it: if a
/// later version extracts a different text, the annotations are re-anchored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extraction {
    /// The kind of the source.
    pub kind: SourceKind,
    /// The version of the extractor of that kind.
    pub version: u32,
    /// Hex SHA-256 of the extracted text.
    pub text_hash: String,
}

/// One stretch of extracted text and the HTML text node it was taken from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HtmlPiece {
    /// First code point of the stretch in the extracted text.
    pub start: usize,
    /// Its length in code points.
    pub len: usize,
    /// XPath of the text node in the original page (`/html[1]/body[1]/p[3]/text()[1]`).
    pub xpath: String,
    /// Code point in that node's text where the stretch begins.
    pub node_offset: usize,
}

/// A place in the original HTML: a text node and a code point in its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HtmlPoint<'a> {
    /// XPath of the text node.
    pub xpath: &'a str,
    /// Code point within the node's text.
    pub offset: usize,
}

/// What an extraction keeps beside the text. Empty for plain text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// Code point where each page starts, in order (empty when the source has no pages).
    pub pages: Vec<usize>,
    /// Running headers and footers, page numbers: text a reader may hide.
    pub furniture: Vec<Span>,
    /// For a web page, where each stretch of the text came from, in text order.
    pub html: Vec<HtmlPiece>,
}

impl Layout {
    /// The 1-based page holding code point `cp`, when the source has pages.
    pub fn page_of(&self, cp: usize) -> Option<usize> {
        if self.pages.is_empty() {
            return None;
        }
        Some(self.pages.partition_point(|&p| p <= cp).max(1))
    }

    /// The pages a span touches, first and last (1-based).
    pub fn pages_of(&self, span: Span) -> Option<(usize, usize)> {
        let first = self.page_of(span.start)?;
        let last = self.page_of(span.end.saturating_sub(1).max(span.start))?;
        Some((first, last))
    }

    /// The place in the original HTML of code point `cp` of the text: the piece
    /// holding it, or for a start that falls on a separator the extraction added
    /// (a paragraph break), the start of the next piece. `end` asks for the end of
    /// a span instead: the piece that holds the code point before it.
    pub fn html_point(&self, cp: usize, end: bool) -> Option<HtmlPoint<'_>> {
        if self.html.is_empty() {
            return None;
        }
        if end {
            let i = self.html.partition_point(|p| p.start < cp);
            let piece = &self.html[i.checked_sub(1)?];
            let within = (cp - piece.start).min(piece.len);
            return Some(HtmlPoint {
                xpath: &piece.xpath,
                offset: piece.node_offset + within,
            });
        }
        let i = self.html.partition_point(|p| p.start + p.len <= cp);
        let piece = self.html.get(i)?;
        let within = cp.saturating_sub(piece.start);
        Some(HtmlPoint {
            xpath: &piece.xpath,
            offset: piece.node_offset + within,
        })
    }

    /// True when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty() && self.furniture.is_empty() && self.html.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_extension() {
        assert_eq!(SourceKind::of_name("a.TXT"), Some(SourceKind::Text));
        assert_eq!(SourceKind::of_name("dir.x/a.Htm"), Some(SourceKind::Html));
        assert_eq!(SourceKind::of_name("a.xhtml"), Some(SourceKind::Html));
        assert_eq!(SourceKind::of_name("r.docx"), Some(SourceKind::Docx));
        assert_eq!(SourceKind::of_name("r.pdf"), Some(SourceKind::Pdf));
        assert_eq!(SourceKind::of_name("a.ron"), None);
        assert_eq!(SourceKind::of_name("txt"), None);
        for k in SourceKind::ALL {
            assert_eq!(SourceKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn pages_count_from_one() {
        let l = Layout {
            pages: vec![0, 10, 25],
            ..Layout::default()
        };
        assert_eq!(l.page_of(0), Some(1));
        assert_eq!(l.page_of(9), Some(1));
        assert_eq!(l.page_of(10), Some(2));
        assert_eq!(l.page_of(400), Some(3));
        assert_eq!(l.pages_of(Span::new(5, 10)), Some((1, 1)));
        assert_eq!(l.pages_of(Span::new(5, 11)), Some((1, 2)));
        assert_eq!(Layout::default().page_of(3), None);
    }

    #[test]
    fn html_points_skip_added_breaks() {
        let piece = |start, len, x: &str| HtmlPiece {
            start,
            len,
            xpath: x.into(),
            node_offset: 2,
        };
        // "Hello" from p[1], "\n\n" added, "World" from p[2].
        let l = Layout {
            html: vec![piece(0, 5, "/p[1]/text()[1]"), piece(7, 5, "/p[2]/text()[1]")],
            ..Layout::default()
        };
        let p = l.html_point(1, false).unwrap();
        assert_eq!((p.xpath, p.offset), ("/p[1]/text()[1]", 3));
        let p = l.html_point(5, false).unwrap();
        assert_eq!((p.xpath, p.offset), ("/p[2]/text()[1]", 2));
        let p = l.html_point(5, true).unwrap();
        assert_eq!((p.xpath, p.offset), ("/p[1]/text()[1]", 7));
        let p = l.html_point(12, true).unwrap();
        assert_eq!((p.xpath, p.offset), ("/p[2]/text()[1]", 7));
        assert!(l.html_point(12, false).is_none());
    }
}
