//! From a source file's bytes to the text that is annotated: plain text and
//! Markdown are decoded as they are; web pages, Word and OpenDocument files have
//! their text extracted. The kind is chosen by the file's extension, here only,
//! so every reader of sources (the workbench, exports, `check`, `stats`) sees
//! the same text without asking what kind of file it came from.
//!
//! Extraction runs where loading runs: on the workspace's background jobs and
//! in the command-line tools, never when a folder is listed.

mod docx;
mod html;
mod odt;
pub mod pdf;
mod zipped;

use crate::model::{DocMeta, Layout, SourceKind, content_hash};

use super::decode::{NotText, decode, decode_owned};

pub use html::VERSION as HTML_VERSION;

/// The version of each extractor, recorded in the sidecar of every document it
/// produced. Raise one when its output changes: documents extracted by an
/// earlier version are then re-anchored on their next opening.
pub fn extractor_version(kind: SourceKind) -> u32 {
    match kind {
        SourceKind::Text | SourceKind::Markdown => 0,
        SourceKind::Html => html::VERSION,
        SourceKind::Docx => docx::VERSION,
        SourceKind::Odt => odt::VERSION,
        SourceKind::Pdf => pdf::EXTRACTOR_VERSION,
    }
}

/// What the extraction of a source gives.
#[derive(Clone, Debug)]
pub struct Extracted {
    /// The text annotations are placed on.
    pub text: String,
    /// The kind of the source.
    pub kind: SourceKind,
    /// The version of the extractor that produced the text.
    pub version: u32,
    /// Hex SHA-256 of `text`.
    pub text_hash: String,
    /// Pages, running headers and footers, and the map into a web page.
    pub layout: Layout,
    /// Title, author, outlet, date and language found in the file.
    pub meta: DocMeta,
    /// The encoding the text (or page) was read in.
    pub encoding: &'static str,
    /// True when that encoding was guessed.
    pub guessed: bool,
}

/// Limits an extractor works within, so that a hostile or broken file cannot
/// hang or exhaust the machine.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Longest an extraction may take.
    pub time: std::time::Duration,
    /// Most memory an extraction may hold for its output and working state, in bytes.
    pub memory: usize,
    /// Most bytes unpacked from a zipped document (`.docx`, `.odt`).
    pub unpacked: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            time: std::time::Duration::from_secs(10),
            memory: 512 * 1024 * 1024,
            unpacked: 256 * 1024 * 1024,
        }
    }
}

/// Why a source's text could not be had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExtractError {
    /// A plain-text source that is not text.
    NotText(NotText),
    /// A kind this build cannot read yet.
    NotYet(SourceKind),
    /// The file is encrypted or password-protected.
    Encrypted(SourceKind),
    /// The file holds no text, only images (a scanned document).
    NoTextLayer(SourceKind),
    /// The file is damaged or not of its kind; what went wrong.
    Damaged(SourceKind, String),
    /// Unpacking the file would take more than the limits allow.
    TooLarge(SourceKind),
    /// The extraction took longer than the limit allows.
    TimedOut(SourceKind),
}

/// "web page", "Word document", … for messages.
fn kind_words(kind: SourceKind) -> &'static str {
    kind.noun()
}

impl std::fmt::Display for ExtractError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExtractError::NotText(why) => write!(f, "{why}"),
            ExtractError::NotYet(kind) => write!(
                f,
                "this version of Marginalia cannot read the text of a {} yet; save it as plain text (.txt) beside it and annotate that",
                kind_words(*kind)
            ),
            ExtractError::Encrypted(kind) => write!(
                f,
                "this {} is protected by a password; save a copy without the password and open that",
                kind_words(*kind)
            ),
            ExtractError::NoTextLayer(kind) => write!(
                f,
                "this {} holds only images of pages, no text (a scan); run text recognition (OCR) on it and open the result",
                kind_words(*kind)
            ),
            ExtractError::Damaged(kind, why) => write!(
                f,
                "cannot be read as a {} ({why}); open it in the program that made it and save it again",
                kind_words(*kind)
            ),
            ExtractError::TooLarge(kind) => write!(
                f,
                "this {} is too large to unpack safely; split it into smaller files",
                kind_words(*kind)
            ),
            ExtractError::TimedOut(kind) => write!(
                f,
                "reading this {} took too long and was stopped; save it again in the program that made it, or as plain text",
                kind_words(*kind)
            ),
        }
    }
}

impl std::error::Error for ExtractError {}

/// The kind of the source at `name` (a path or file name); plain text for a name
/// without a known extension, which [`crate::store::scan`] never lists.
pub fn kind_of(name: &str) -> SourceKind {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    SourceKind::of_name(file).unwrap_or_default()
}

/// Extracts the text of the source named `name` from its bytes, with the
/// default [`Limits`].
pub fn extract(name: &str, bytes: Vec<u8>) -> Result<Extracted, ExtractError> {
    extract_with(name, bytes, &Limits::default())
}

/// The beginning of a long source, shown while the rest is read: for now the
/// first page of a PDF of several.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preview {
    /// The first page's text.
    pub text: String,
    /// Pages in the whole file.
    pub page_count: usize,
}

/// [`extract`] within `limits`.
pub fn extract_with(name: &str, bytes: Vec<u8>, limits: &Limits) -> Result<Extracted, ExtractError> {
    extract_previewing(name, bytes, limits, &mut |_| {})
}

/// [`extract_with`], handing `preview` the beginning of a long source as soon
/// as it is read (the first page of a PDF of several pages); not called for a
/// source read whole at once.
pub fn extract_previewing(
    name: &str,
    bytes: Vec<u8>,
    limits: &Limits,
    preview: &mut dyn FnMut(Preview),
) -> Result<Extracted, ExtractError> {
    let kind = kind_of(name);
    let (text, layout, meta, encoding, guessed) = match kind {
        SourceKind::Text | SourceKind::Markdown => {
            let d = decode_owned(bytes).map_err(ExtractError::NotText)?;
            (
                d.text,
                Layout::default(),
                DocMeta::default(),
                d.encoding,
                d.guessed,
            )
        }
        SourceKind::Html => {
            let (page, encoding, guessed) = html::decode_page(&bytes).map_err(ExtractError::NotText)?;
            let page = html::extract(&page, limits)?;
            (page.text, page.layout, page.meta, encoding, guessed)
        }
        SourceKind::Docx => {
            let (text, meta) = docx::extract(&bytes, limits)?;
            (text, Layout::default(), meta, "UTF-8", false)
        }
        SourceKind::Odt => {
            let (text, meta) = odt::extract(&bytes, limits)?;
            (text, Layout::default(), meta, "UTF-8", false)
        }
        SourceKind::Pdf => {
            // In a child process under the operating system's limits where the
            // running program can be one (the app); on a thread otherwise.
            let mut first = |t: pdf::PdfText| {
                preview(Preview {
                    text: t.text,
                    page_count: t.page_count,
                })
            };
            let t = pdf::extract_isolated_previewing(&bytes, &pdf::Limits::default(), &mut first).map_err(
                |e| match e {
                    pdf::PdfError::Encrypted => ExtractError::Encrypted(kind),
                    pdf::PdfError::NoTextLayer => ExtractError::NoTextLayer(kind),
                    pdf::PdfError::Damaged(why) => ExtractError::Damaged(kind, why),
                    pdf::PdfError::TooLarge => ExtractError::TooLarge(kind),
                    pdf::PdfError::TimedOut => ExtractError::TimedOut(kind),
                },
            )?;
            let layout = Layout {
                pages: t.pages,
                furniture: t.furniture,
                html: Vec::new(),
            };
            (t.text, layout, t.meta, "PDF text", false)
        }
    };
    Ok(Extracted {
        text_hash: content_hash(&text),
        text,
        kind,
        version: extractor_version(kind),
        layout,
        meta,
        encoding,
        guessed,
    })
}

/// True when the bytes of the source named `name` give a text (what `stats`
/// counts as a readable document).
pub fn is_readable(name: &str, bytes: &[u8]) -> bool {
    match kind_of(name) {
        SourceKind::Text | SourceKind::Markdown => decode(bytes).is_ok(),
        _ => extract(name, bytes.to_vec()).is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_decoded_as_before() {
        let e = extract("a/b.txt", b"caf\xc3\xa9".to_vec()).unwrap();
        assert_eq!(e.text, "café");
        assert_eq!(e.kind, SourceKind::Text);
        assert_eq!(e.version, 0);
        assert!(e.layout.is_empty());
        assert_eq!(
            extract("x.md", b"a\0b".to_vec()).unwrap_err(),
            ExtractError::NotText(NotText::Binary)
        );
    }

    #[test]
    fn a_damaged_pdf_says_what_to_do() {
        let e = extract("report.PDF", b"%PDF-1.7".to_vec()).unwrap_err();
        assert!(matches!(e, ExtractError::Damaged(SourceKind::Pdf, _)), "{e:?}");
        assert!(e.to_string().contains("save it again"), "{e}");
    }

    #[test]
    fn damaged_word_files_say_so() {
        for name in ["r.docx", "r.odt"] {
            let e = extract(name, b"not a zip at all".to_vec()).unwrap_err();
            assert!(matches!(e, ExtractError::Damaged(..)), "{e:?}");
            assert!(e.to_string().contains("save it again"), "{e}");
        }
    }
}
