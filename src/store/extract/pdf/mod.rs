//! Text of a PDF in reading order, with its pages, running heads and feet, and
//! what the file says about itself.
//!
//! Pure Rust: `lopdf` parses the file, `pdf-extract` walks each page's content
//! stream and hands over positioned glyphs (`glyphs`); `line` groups them into
//! lines and fragments in logical order (right-to-left runs turned, ligatures
//! expanded), `furniture` finds running heads, feet and page numbers, and
//! `layout` reads columns one after the other and joins lines into paragraphs.
//!
//! Untrusted files: `extract` runs on its own thread, catches panics (page by
//! page, so one bad font costs one page) and gives up at the deadline, but a
//! thread cannot be stopped or its memory capped, so a runaway parse goes on in
//! the background. The app therefore uses `isolate::extract_isolated`, which runs
//! the same code in a child process of its own binary under operating-system
//! limits on memory and CPU time, and kills it at the deadline.

mod furniture;
mod glyphs;
pub mod isolate;
mod layout;
mod line;
mod meta;
mod quotes;

use std::collections::HashSet;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::model::Span;
use crate::model::document::DocMeta;

pub use isolate::{extract_isolated, extract_isolated_previewing, worker_main};

/// Changes whenever the same PDF may come out as different text, so sidecars
/// know to re-anchor annotations made on an older extraction.
pub const EXTRACTOR_VERSION: u32 = 1;

/// What one extraction may take.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
    /// Time allowed for the whole extraction, in milliseconds.
    pub max_millis: u64,
    /// Largest text produced, in bytes of UTF-8.
    pub max_text_bytes: usize,
    /// Memory a child-process extraction may use (address space, bytes); an
    /// extraction on a thread cannot be held to it.
    pub max_memory: u64,
}

impl Default for Limits {
    /// Generous for reports of several hundred pages, small enough that a
    /// hostile file cannot stall the app or eat the machine's memory.
    fn default() -> Self {
        Self {
            max_bytes: 256 << 20,
            max_millis: 30_000,
            max_text_bytes: 64 << 20,
            max_memory: 2 << 30,
        }
    }
}

/// The text of a PDF and where its pages and furniture are in it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdfText {
    /// Paragraphs separated by a blank line, pages likewise.
    pub text: String,
    /// Code-point offset where each page starts, one entry per page extracted
    /// (a blank page starts where the next one does).
    pub pages: Vec<usize>,
    /// Running heads and feet and page numbers, code points, end-exclusive,
    /// each one line, in text order.
    pub furniture: Vec<Span>,
    /// Title, author, date (ISO 8601) and language the file declares.
    pub meta: DocMeta,
    /// Pages (1-based) whose content could only be read in part or not at all.
    pub unreadable_pages: Vec<usize>,
    /// Pages in the file; more than `pages.len()` when only the first was extracted.
    pub page_count: usize,
}

impl PdfText {
    /// The page (1-based) holding a code-point offset.
    pub fn page_of(&self, offset: usize) -> Option<usize> {
        match self.pages.partition_point(|&start| start <= offset) {
            0 => None,
            n => Some(n),
        }
    }
}

/// Why a PDF gave no text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PdfError {
    /// It needs a password to be opened.
    Encrypted,
    /// Its pages are pictures (a scan) or blank: no text to annotate.
    NoTextLayer,
    /// It cannot be read as a PDF; the detail says where it broke.
    Damaged(String),
    /// It, or its text, is larger than the limits allow.
    TooLarge,
    /// Reading it took longer than the time allowed.
    TimedOut,
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfError::Encrypted => f.write_str(
                "This PDF is password-protected: open it in a PDF reader, print it to a new PDF without a password, and put that in the folder.",
            ),
            PdfError::NoTextLayer => f.write_str(
                "This PDF has no text, only pictures of pages (a scan): run it through text recognition (OCR) in a PDF tool, and put the result in the folder.",
            ),
            PdfError::Damaged(detail) => write!(
                f,
                "This PDF is damaged and cannot be read ({detail}): download it again, or open it in a PDF reader and save a new copy into the folder."
            ),
            PdfError::TooLarge => f.write_str(
                "This PDF is too large to open here: split it into smaller files with a PDF tool, and put those in the folder.",
            ),
            PdfError::TimedOut => f.write_str(
                "Reading this PDF took too long and was stopped: it may be damaged or unusually complex; open it in a PDF reader, save a new copy into the folder, and try again.",
            ),
        }
    }
}

impl std::error::Error for PdfError {}

/// What an extraction reports while it runs: the first page as soon as it is
/// read (only when more pages follow), then the result.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Progress {
    /// The first page alone, as [`extract_first_page`] gives it.
    FirstPage(PdfText),
    /// The extraction's result.
    Done(Result<PdfText, PdfError>),
}

/// The whole text of a PDF, on a thread of its own (see the module's note on
/// what that can and cannot limit).
pub fn extract(bytes: &[u8], limits: &Limits) -> Result<PdfText, PdfError> {
    guarded(bytes, limits, None, None)
}

/// [`extract`], handing `first` the first page as soon as it is read, for
/// showing something at once while the rest is read. Not called for a PDF of
/// one page.
pub fn extract_previewing(
    bytes: &[u8],
    limits: &Limits,
    first: &mut dyn FnMut(PdfText),
) -> Result<PdfText, PdfError> {
    guarded(bytes, limits, None, Some(first))
}

/// The first page only, for showing something at once while the rest is read.
/// Running heads are recognised only by their look (a page number); the whole
/// extraction also finds the ones that repeat across pages.
pub fn extract_first_page(bytes: &[u8], limits: &Limits) -> Result<PdfText, PdfError> {
    guarded(bytes, limits, Some(1), None)
}

fn guarded(
    bytes: &[u8],
    limits: &Limits,
    pages: Option<usize>,
    mut first: Option<&mut dyn FnMut(PdfText)>,
) -> Result<PdfText, PdfError> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(PdfError::TooLarge);
    }
    let deadline = Instant::now() + Duration::from_millis(limits.max_millis);
    let owned = bytes.to_vec();
    let limits2 = limits.clone();
    let want_first = first.is_some();
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("pdf-extract".into())
        .spawn(move || {
            let mut send_first = |t: PdfText| {
                let _ = tx.send(Progress::FirstPage(t));
            };
            let result = catch_unwind(AssertUnwindSafe(|| {
                let on_first: Option<&mut dyn FnMut(PdfText)> =
                    if want_first { Some(&mut send_first) } else { None };
                run(&owned, &limits2, deadline, pages, on_first)
            }))
            .unwrap_or_else(|_| Err(PdfError::Damaged("its structure could not be followed".into())));
            let _ = tx.send(Progress::Done(result));
        });
    if spawned.is_err() {
        // No thread to be had: read here, panics still caught, without the
        // caller's deadline (the walk keeps its own).
        return catch_unwind(AssertUnwindSafe(|| run(bytes, limits, deadline, pages, first)))
            .unwrap_or_else(|_| Err(PdfError::Damaged("its structure could not be followed".into())));
    }
    loop {
        // The walk checks the deadline itself; the margin covers a parse that does not.
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now()) + Duration::from_millis(100))
        {
            Ok(Progress::FirstPage(t)) => {
                if let Some(f) = first.as_mut() {
                    f(t);
                }
            }
            Ok(Progress::Done(result)) => return result,
            Err(_) => return Err(PdfError::TimedOut),
        }
    }
}

/// The extraction proper, on whatever thread or process calls it.
pub(crate) fn run(
    bytes: &[u8],
    limits: &Limits,
    deadline: Instant,
    max_pages: Option<usize>,
    mut first: Option<&mut dyn FnMut(PdfText)>,
) -> Result<PdfText, PdfError> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(PdfError::TooLarge);
    }
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(PdfError::Damaged("it does not begin as a PDF does".into()));
    }
    let mut doc = match lopdf::Document::load_mem(bytes) {
        Ok(doc) => doc,
        Err(lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword) => return Err(PdfError::Encrypted),
        Err(e) => return Err(PdfError::Damaged(e.to_string())),
    };
    if doc.is_encrypted() {
        return Err(PdfError::Encrypted);
    }
    if Instant::now() > deadline {
        return Err(PdfError::TimedOut);
    }
    let page_ids = doc.get_pages();
    let numbers: Vec<u32> = page_ids.keys().copied().collect();
    if numbers.is_empty() {
        return Err(PdfError::Damaged("it has no pages".into()));
    }
    let meta = meta::read(&doc);
    let mut budget = limits.max_text_bytes;
    let mut pages = Vec::new();
    let mut unreadable = Vec::new();
    let mut rewritten = HashSet::new();
    for (i, &number) in numbers.iter().take(max_pages.unwrap_or(usize::MAX)).enumerate() {
        if let Some(&id) = page_ids.get(&number) {
            quotes::rewrite(&mut doc, &[id], &mut rewritten, deadline);
        }
        let mut collector = glyphs::Collector::new(deadline, budget);
        let walked = catch_unwind(AssertUnwindSafe(|| {
            pdf_extract::output_doc_page(&doc, &mut collector, number)
        }));
        if let Some(why) = collector.stopped.take() {
            return Err(why);
        }
        if !matches!(walked, Ok(Ok(()))) {
            unreadable.push(i + 1);
        }
        budget = collector.budget;
        pages.push(collector.page);
        if i == 0
            && numbers.len() > 1
            && max_pages != Some(1)
            && let Some(f) = first.as_mut()
            && pages[0].glyphs.iter().any(|g| !g.text.trim().is_empty())
        {
            let mut t = assemble(&pages);
            t.meta = meta.clone();
            t.unreadable_pages = unreadable.clone();
            t.page_count = numbers.len();
            f(t);
        }
    }
    if pages
        .iter()
        .all(|p| p.glyphs.iter().all(|g| g.text.trim().is_empty()))
    {
        return Err(if unreadable.len() == pages.len() {
            PdfError::Damaged("none of its pages could be read".into())
        } else {
            PdfError::NoTextLayer
        });
    }
    let mut out = assemble(&pages);
    out.meta = meta;
    out.unreadable_pages = unreadable;
    out.page_count = numbers.len();
    Ok(out)
}

/// Pages of glyphs → one text with page starts and furniture spans.
fn assemble(pages: &[glyphs::PageGlyphs]) -> PdfText {
    let lines: Vec<Vec<line::Line>> = pages.iter().map(|p| line::lines(&p.glyphs)).collect();
    let page_lines: Vec<furniture::PageLines<'_>> = lines
        .iter()
        .zip(pages)
        .map(|(l, p)| furniture::PageLines {
            lines: l,
            bottom: p.bottom,
            top: p.top,
        })
        .collect();
    let furniture = furniture::detect(&page_lines);
    let mut out = PdfText::default();
    let mut chars = 0usize;
    // A blank page starts where the next page with text does.
    let mut starts: Vec<Option<usize>> = Vec::with_capacity(pages.len());
    for (page_lines, marks) in lines.iter().zip(&furniture) {
        let paras = page_paragraphs(page_lines, marks);
        starts.push(None);
        for p in paras {
            if chars > 0 {
                out.text.push_str("\n\n");
                chars += 2;
            }
            if let Some(start) = starts.last_mut().filter(|s| s.is_none()) {
                *start = Some(chars);
            }
            let len = p.text.chars().count();
            if p.furniture {
                out.furniture.push(Span::new(chars, chars + len));
            }
            out.text.push_str(&p.text);
            chars += len;
        }
    }
    let mut next = chars;
    out.pages = starts
        .iter()
        .rev()
        .map(|s| {
            next = s.unwrap_or(next);
            next
        })
        .collect();
    out.pages.reverse();
    out
}

/// A page's running heads first, then its body, then its feet.
fn page_paragraphs(lines: &[line::Line], furniture: &HashSet<usize>) -> Vec<layout::Para> {
    let body: Vec<&line::Line> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| !furniture.contains(i))
        .map(|(_, l)| l)
        .collect();
    let body_top = body.first().map_or(f32::MIN, |l| l.y);
    let rtl = {
        let frags = body.iter().flat_map(|l| &l.fragments);
        let (r, all) = frags.fold((0, 0), |(r, all), f| (r + f.rtl as usize, all + 1));
        r * 2 > all
    };
    let furniture_line = |l: &line::Line| layout::Para {
        text: l.text(),
        furniture: true,
    };
    let mut out: Vec<layout::Para> = Vec::new();
    let mut marks: Vec<usize> = furniture.iter().copied().collect();
    marks.sort_unstable();
    out.extend(
        marks
            .iter()
            .filter(|&&i| lines[i].y >= body_top)
            .map(|&i| furniture_line(&lines[i])),
    );
    out.extend(layout::body(&body, rtl).into_iter().map(|text| layout::Para {
        text,
        furniture: false,
    }));
    out.extend(
        marks
            .iter()
            .filter(|&&i| lines[i].y < body_top)
            .map(|&i| furniture_line(&lines[i])),
    );
    out.retain(|p| !p.text.is_empty());
    out
}
