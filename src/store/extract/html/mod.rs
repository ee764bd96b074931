//! Saved web pages: the article's text, its metadata, and where each piece of
//! the text sits in the page.
//!
//! The page is parsed with html5ever (through `scraper`), as a browser parses
//! it, so character references are decoded and scripts and styles are elements
//! like any other, never text. [`pick`] chooses the element holding the article
//! and says what inside it is not the article (share buttons, captions, …);
//! the walk here turns what is left into paragraphs, one per block element, and
//! records for every stretch of text the XPath of its text node and the offset in
//! it, so an export can point into the page itself.

mod meta;
mod pick;

use std::borrow::Cow;

use ego_tree::{NodeId, NodeRef};
use scraper::{Html, HtmlTreeSink, Node};

use super::{ExtractError, Limits};
use crate::model::SourceKind;

use crate::model::source::HtmlPiece;
use crate::model::{DocMeta, Layout};
use crate::store::decode::{NotText, decode};

/// The version of this extractor (see [`super::extractor_version`]).
pub const VERSION: u32 = 1;

/// A web page's extraction.
#[derive(Clone, Debug, Default)]
pub struct Page {
    /// The article's text: paragraphs and headings separated by blank lines.
    pub text: String,
    /// The map from the text into the page.
    pub layout: Layout,
    /// Title, author, outlet, date, address and language found in the page.
    pub meta: DocMeta,
}

/// The page's text: a byte-order mark or UTF-8 first, then the charset the page
/// declares in its first kilobyte, then a guess. Returns the encoding used and
/// whether it was guessed.
pub fn decode_page(bytes: &[u8]) -> Result<(String, &'static str, bool), NotText> {
    let d = decode(bytes)?;
    if d.guessed
        && let Some(enc) = declared_charset(bytes)
    {
        let (text, _, _) = enc.decode(bytes);
        return Ok((text.into_owned(), enc.name(), false));
    }
    Ok((d.text, d.encoding, d.guessed))
}

/// The encoding a `<meta charset=…>` or `content="text/html; charset=…"` in the
/// first kilobyte names, as browsers look for it.
fn declared_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(1024)];
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let at = memchr::memmem::find(&lower, b"charset=")? + b"charset=".len();
    let rest = &lower[at..];
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|b| matches!(b, b'"' | b'\'' | b';' | b'>' | b'/') || b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    encoding_rs::Encoding::for_label(&rest[..end])
}

/// Parses `page`, giving it to html5ever a piece at a time so that a page that
/// takes too long is stopped: html5ever's time grows with the square of how
/// deeply elements nest, and a hostile page can nest them a million deep.
fn parse(page: &str, limits: &Limits) -> Result<Html, ExtractError> {
    use html5ever::tendril::{StrTendril, TendrilSink};
    const PIECE: usize = 16 * 1024;
    let start = std::time::Instant::now();
    let mut parser =
        html5ever::driver::parse_document(HtmlTreeSink::new(Html::new_document()), Default::default());
    let mut rest = page;
    while !rest.is_empty() {
        let mut cut = rest.len().min(PIECE);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        parser.process(StrTendril::from_slice(&rest[..cut]));
        rest = &rest[cut..];
        if start.elapsed() >= limits.time {
            return Err(ExtractError::TimedOut(SourceKind::Html));
        }
    }
    Ok(parser.finish())
}

/// Extracts the article of a page, within the time `limits` allow.
pub fn extract(page: &str, limits: &Limits) -> Result<Page, ExtractError> {
    let doc = parse(page, limits)?;
    let meta = meta::read(&doc);
    let root = doc.tree.root();
    let body = root
        .descendants()
        .find(|n| element_name(n) == Some("body"))
        .unwrap_or(root);
    let container = pick::container(body);
    let mut w = Walker::default();
    if let Some(h1) = pick::headline(body, container, &meta.title) {
        w.walk(h1);
        w.block_break();
    }
    w.walk(container);
    Ok(Page {
        text: w.text,
        layout: Layout {
            html: w.pieces,
            ..Layout::default()
        },
        meta,
    })
}

/// The lower-case name of an element node.
pub(super) fn element_name<'a>(n: &NodeRef<'a, Node>) -> Option<&'a str> {
    n.value().as_element().map(|e| e.name())
}

/// Elements that begin and end a paragraph.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "blockquote"
            | "body"
            | "center"
            | "dd"
            | "details"
            | "div"
            | "dl"
            | "dt"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "li"
            | "main"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "caption"
            | "tr"
            | "ul"
    )
}

/// Elements nested deeper than this are read as plain runs of text: the walk
/// recurses, and a hostile page nesting a hundred thousand `<div>`s must not
/// exhaust the stack.
const MAX_DEPTH: usize = 200;

/// What goes between the text pushed so far and the next character.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Pending {
    #[default]
    Nothing,
    /// White space: one space, taken from this place of a text node.
    Space(Option<(NodeId, usize)>),
    /// A line break (`<br>`).
    Line,
    /// A paragraph break.
    Paragraph,
}

/// Builds the text and its map while walking the article.
#[derive(Default)]
struct Walker {
    text: String,
    /// Code points in `text`.
    cp: usize,
    pieces: Vec<HtmlPiece>,
    /// The text node of the last piece.
    last_node: Option<NodeId>,
    pending: Pending,
    /// Depth of `<pre>` elements around the walk: white space is kept there.
    pre: usize,
    /// Depth of elements around the walk.
    depth: usize,
}

impl Walker {
    fn walk(&mut self, node: NodeRef<'_, Node>) {
        match node.value() {
            Node::Text(t) => self.text_node(node, t),
            Node::Element(e) => {
                let name = e.name();
                if pick::skipped(node) {
                    return;
                }
                if self.depth >= MAX_DEPTH {
                    self.block_break();
                    for d in node.descendants() {
                        if let Node::Text(t) = d.value() {
                            self.text_node(d, t);
                            self.space(None);
                        }
                    }
                    self.block_break();
                    return;
                }
                match name {
                    "br" => {
                        if self.pending != Pending::Paragraph && !self.text.is_empty() {
                            self.pending = Pending::Line;
                        }
                        return;
                    }
                    "td" | "th" => self.space(None),
                    // A page's own header inside the article holds its title and its
                    // byline, date and share buttons: only the headings are kept.
                    "header" => {
                        for h in node.descendants().filter(|d| {
                            element_name(d)
                                .is_some_and(|n| matches!(n, "h1" | "h2" | "h3" | "h4" | "h5" | "h6"))
                        }) {
                            self.block_break();
                            self.walk(h);
                            self.block_break();
                        }
                        return;
                    }
                    _ => {}
                }
                let block = is_block(name);
                let pre = name == "pre";
                if block {
                    self.block_break();
                }
                self.pre += usize::from(pre);
                let mark = block.then(|| self.mark());
                self.depth += 1;
                for child in node.children() {
                    self.walk(child);
                }
                self.depth -= 1;
                self.pre -= usize::from(pre);
                if let Some(mark) = mark
                    && pick::boilerplate(&self.text[mark.0..])
                {
                    self.undo(mark);
                }
                if block {
                    self.block_break();
                }
            }
            _ => {}
        }
    }

    fn text_node(&mut self, node: NodeRef<'_, Node>, t: &str) {
        for (i, c) in t.chars().enumerate() {
            if self.pre == 0 && matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
                self.space(Some((node.id(), i)));
            } else {
                self.push(c, Some((node, i)));
            }
        }
    }

    /// White space: one space before the next character, if any comes in this paragraph.
    fn space(&mut self, at: Option<(NodeId, usize)>) {
        if self.pending == Pending::Nothing && !self.text.is_empty() {
            self.pending = Pending::Space(at);
        }
    }

    fn block_break(&mut self) {
        if !self.text.is_empty() {
            self.pending = Pending::Paragraph;
        }
    }

    /// Where the text is now, to undo a block found to be boilerplate.
    fn mark(&self) -> (usize, usize, usize, Option<NodeId>, Pending) {
        (
            self.text.len(),
            self.cp,
            self.pieces.len(),
            self.last_node,
            self.pending,
        )
    }

    fn undo(&mut self, (len, cp, pieces, last, pending): (usize, usize, usize, Option<NodeId>, Pending)) {
        self.text.truncate(len);
        self.cp = cp;
        self.pieces.truncate(pieces);
        self.last_node = last;
        self.pending = pending;
    }

    fn push(&mut self, c: char, from: Option<(NodeRef<'_, Node>, usize)>) {
        match std::mem::take(&mut self.pending) {
            Pending::Nothing => {}
            Pending::Line => self.push_raw('\n', None),
            Pending::Paragraph => {
                self.push_raw('\n', None);
                self.push_raw('\n', None);
            }
            Pending::Space(at) => {
                // The space maps to the white space it stands for when that is in
                // the node the next character comes from.
                let at = at
                    .zip(from)
                    .and_then(|((id, i), (node, _))| (id == node.id()).then_some((node, i)));
                self.push_raw(' ', at);
            }
        }
        self.push_raw(c, from);
    }

    fn push_raw(&mut self, c: char, from: Option<(NodeRef<'_, Node>, usize)>) {
        if let Some((node, offset)) = from {
            let cp = self.cp;
            match self.pieces.last_mut() {
                Some(p)
                    if self.last_node == Some(node.id())
                        && p.start + p.len == cp
                        && p.node_offset + p.len == offset =>
                {
                    p.len += 1;
                }
                _ => {
                    self.pieces.push(HtmlPiece {
                        start: cp,
                        len: 1,
                        xpath: xpath(node).into_owned(),
                        node_offset: offset,
                    });
                    self.last_node = Some(node.id());
                }
            }
        }
        self.text.push(c);
        self.cp += 1;
    }
}

/// The XPath of a node from the document: `/html[1]/body[1]/p[2]/text()[1]`.
fn xpath<'a>(node: NodeRef<'a, Node>) -> Cow<'a, str> {
    let mut steps = Vec::new();
    let mut at = Some(node);
    while let Some(n) = at {
        match n.value() {
            Node::Text(_) => {
                let k = n.prev_siblings().filter(|s| s.value().is_text()).count() + 1;
                steps.push(format!("text()[{k}]"));
            }
            Node::Element(e) => {
                let name = e.name();
                let k = n
                    .prev_siblings()
                    .filter(|s| element_name(s) == Some(name))
                    .count()
                    + 1;
                steps.push(format!("{name}[{k}]"));
            }
            _ => break,
        }
        at = n.parent();
    }
    steps.reverse();
    Cow::Owned(format!("/{}", steps.join("/")))
}

#[cfg(test)]
mod tests;
