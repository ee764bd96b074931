//! A source document and the annotations that belong to it.

use std::collections::BTreeMap;

use compact_str::CompactString;
use sha2::{Digest, Sha256};

use super::annotation::{AnnId, Annotation, Relation, Span, Status};
use super::offsets::CharIndex;

/// How many code points of context are kept either side of a quote.
pub const CONTEXT_CHARS: usize = 32;

/// A decoded source text.
#[derive(Clone, Debug)]
pub struct Document {
    /// Path relative to the corpus root, with `/` separators.
    pub path: String,
    /// The decoded text (BOM removed, line endings kept as they are).
    pub text: String,
    /// Hex SHA-256 of the text's UTF-8 bytes.
    pub hash: String,
    /// The kind of file the text came from.
    pub kind: super::source::SourceKind,
    /// Pages, running headers and footers, and the map into a web page, as the
    /// extraction found them (empty for plain text; shared, as a document is
    /// copied for every background job).
    pub layout: std::sync::Arc<super::source::Layout>,
    /// The version of the extractor that produced the text (0 for plain text).
    pub extractor_version: u32,
    /// Number of code points.
    chars: usize,
    /// Built the first time an offset is converted: a CoNLL export, which
    /// counts code points as it cuts words, never needs it.
    index: std::sync::OnceLock<CharIndex>,
}

impl Document {
    /// Wraps a decoded text.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        Self {
            path: path.into(),
            hash: content_hash(&text),
            kind: super::source::SourceKind::Text,
            layout: std::sync::Arc::default(),
            extractor_version: 0,
            chars: text.chars().count(),
            index: std::sync::OnceLock::new(),
            text,
        }
    }

    /// The same document, with the kind of its file and what its extraction kept.
    pub fn with_source(
        mut self,
        kind: super::source::SourceKind,
        version: u32,
        layout: super::source::Layout,
    ) -> Self {
        self.kind = kind;
        self.extractor_version = version;
        self.layout = std::sync::Arc::new(layout);
        self
    }

    /// What the sidecar records of the extraction that produced the text; `None`
    /// for a source read as it is (plain text, Markdown).
    pub fn extraction(&self) -> Option<super::source::Extraction> {
        (!self.kind.is_plain()).then(|| super::source::Extraction {
            kind: self.kind,
            version: self.extractor_version,
            text_hash: self.hash.clone(),
        })
    }

    /// Number of code points.
    pub fn len_chars(&self) -> usize {
        self.chars
    }

    /// The offset index of the text.
    pub fn index(&self) -> &CharIndex {
        self.index.get_or_init(|| CharIndex::new(&self.text))
    }

    /// Byte offset of code point `cp` (clamped to the end).
    pub fn byte_of(&self, cp: usize) -> usize {
        self.index()
            .cp_to_byte(&self.text, cp.min(self.len_chars()))
            .unwrap_or(self.text.len())
    }

    /// Code-point offset of byte `byte` (rounded down to a character boundary).
    pub fn cp_of(&self, byte: usize) -> usize {
        let mut b = byte.min(self.text.len());
        while !self.text.is_char_boundary(b) {
            b -= 1;
        }
        self.index().byte_to_cp(&self.text, b).unwrap_or(0)
    }

    /// The text of a span (empty when out of range).
    pub fn slice(&self, span: Span) -> &str {
        let a = self.byte_of(span.start);
        let b = self.byte_of(span.end);
        &self.text[a..b.max(a)]
    }

    /// The text of `span` with up to `chars` code points before and after it:
    /// `(prefix, exact, suffix)`, what `slice` gives for the three spans, with
    /// two lookups in the index instead of six (exports write this for every
    /// annotation).
    pub fn slice_in_context(&self, span: Span, chars: usize) -> (&str, &str, &str) {
        if span.start > span.end || span.end > self.len_chars() {
            // A span read from a damaged file: the three spans clamped one by one.
            let before = Span::new(span.start.saturating_sub(chars), span.start);
            let after = Span::new(span.end, span.end.saturating_add(chars).min(self.len_chars()));
            return (self.slice(before), self.slice(span), self.slice(after));
        }
        let (a, b) = (self.byte_of(span.start), self.byte_of(span.end));
        let text = self.text.as_str();
        let before = super::offsets::back_chars(text, a, chars);
        let after = super::offsets::forward_chars(text, b, chars);
        (&text[before..a], &text[a..b], &text[b..after])
    }

    /// Quote, prefix and suffix of a set of spans, as stored in annotations.
    pub fn selector(&self, spans: &[Span]) -> (CompactString, String, String) {
        let mut quote = CompactString::default();
        for (i, s) in spans.iter().enumerate() {
            if i > 0 {
                quote.push(' ');
            }
            quote.push_str(self.slice(*s));
        }
        let first = spans.first().map_or(0, |s| s.start);
        let last = spans.last().map_or(0, |s| s.end);
        let around = Span {
            start: first,
            end: last,
        };
        let (prefix, _, suffix) = self.slice_in_context(around, CONTEXT_CHARS);
        (quote, prefix.to_owned(), suffix.to_owned())
    }

    /// A new annotation on `spans` of this document, with its quote and context
    /// filled in, a fresh id and the current time.
    pub fn annotate(
        &self,
        spans: Vec<Span>,
        label: &str,
        kind: super::annotation::Kind,
        annotator: &str,
    ) -> Annotation {
        let selector = self.selector(&spans);
        let now = super::annotation::now_rfc3339();
        Annotation::new(
            super::annotation::new_id(""),
            spans,
            selector,
            label,
            kind,
            annotator,
            &now,
        )
    }

    /// True when every span lies inside the text.
    pub fn spans_in_range(&self, spans: &[Span]) -> bool {
        spans
            .iter()
            .all(|s| s.start <= s.end && s.end <= self.len_chars())
    }
}

/// Hex SHA-256 of a text, used to notice that a source changed.
pub fn content_hash(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// Lower-case hexadecimal digits, by value.
pub(crate) const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex of bytes (hashes, ids). Every export checks each document's
/// hash, so this is a table lookup rather than a formatter call per byte.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(HEX_DIGITS[usize::from(b >> 4)] as char);
        out.push(HEX_DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// What an analyst cites a document by. Every field may be empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct DocMeta {
    /// The title.
    pub title: String,
    /// The outlet or publisher ("Human Rights Watch", "The Diplomat").
    pub outlet: String,
    /// The author or authors.
    pub author: String,
    /// The publication date, as ISO 8601 (`2012-03-12`) where known, so it sorts.
    pub published: String,
    /// Where it was published.
    pub url: String,
    /// Its language, as a BCP 47 tag (`en`, `ko`).
    pub language: String,
}

impl DocMeta {
    /// The fields with their names, in display order.
    pub const FIELDS: [&'static str; 6] = ["title", "outlet", "author", "published", "url", "language"];

    /// The value of a field by name.
    pub fn get(&self, field: &str) -> Option<&str> {
        Some(match field {
            "title" => &self.title,
            "outlet" => &self.outlet,
            "author" => &self.author,
            "published" => &self.published,
            "url" => &self.url,
            "language" => &self.language,
            _ => return None,
        })
    }

    /// Sets a field by name; false for an unknown field.
    pub fn set(&mut self, field: &str, value: String) -> bool {
        let slot = match field {
            "title" => &mut self.title,
            "outlet" => &mut self.outlet,
            "author" => &mut self.author,
            "published" => &mut self.published,
            "url" => &mut self.url,
            "language" => &mut self.language,
            _ => return false,
        };
        *slot = value;
        true
    }

    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        Self::FIELDS.iter().all(|f| self.get(f).is_none_or(str::is_empty))
    }
}

/// Everything an analyst records about one document: what a sidecar holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocAnnotations {
    /// Annotations, kept sorted by (start, end, id).
    pub annotations: Vec<Annotation>,
    /// Relations starting in this document.
    pub relations: Vec<Relation>,
    /// Events: triggers with role-labelled arguments (brat `E` lines).
    pub events: Vec<super::events::Event>,
    /// Sets of annotations that name the same thing (brat `*` lines).
    pub equivalences: Vec<super::events::Equivalence>,
    /// Workflow status.
    pub status: Status,
    /// What the document is cited by: title, outlet, date… (boxed: most
    /// copies of a document's annotations never look at it).
    pub meta: Box<DocMeta>,
    /// Document fields, relations and events two analysts changed
    /// differently, found when their versions were merged (ours kept).
    pub conflicts: Vec<super::merge::Conflict>,
    /// Top-level fields written by a newer version, kept verbatim.
    pub extra: BTreeMap<String, String>,
}

impl DocAnnotations {
    /// The annotation with this id.
    pub fn get(&self, id: &str) -> Option<&Annotation> {
        self.annotations.iter().find(|a| a.id == id)
    }

    /// Position of the annotation with this id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.annotations.iter().position(|a| a.id == id)
    }

    /// Restores the (start, end, id) order after an edit. Annotations equal in all
    /// three (a hand-edited file can repeat an id) are ordered by their whole content,
    /// so the order never depends on the order they were read in.
    pub fn sort(&mut self) {
        let order = |a: &Annotation, b: &Annotation| {
            a.sort_key()
                .cmp(&b.sort_key())
                .then_with(|| format!("{a:?}").cmp(&format!("{b:?}")))
        };
        // Edits keep the list in order and files are written in order, so a look
        // (linear) usually finds nothing to do; a full sort is O(n log n) per edit.
        // The order is total, so an unstable sort gives the same result, in place: a
        // stable one sets aside scratch room as large as the whole list.
        if !self.annotations.is_sorted_by(|a, b| order(a, b).is_le()) {
            self.annotations.sort_unstable_by(order);
        }
        let rel_order = |a: &Relation, b: &Relation| {
            (&a.from, &a.to, &a.kind, &a.id).cmp(&(&b.from, &b.to, &b.kind, &b.id))
        };
        if !self.relations.is_sorted_by(|a, b| rel_order(a, b).is_le()) {
            self.relations.sort_unstable_by(rel_order);
        }
        // Ties (a hand-edited file repeating an id) are broken on the whole
        // content, as for annotations.
        let event_order = |a: &super::events::Event, b: &super::events::Event| {
            a.sort_key()
                .cmp(&b.sort_key())
                .then_with(|| format!("{a:?}").cmp(&format!("{b:?}")))
        };
        if !self.events.is_sorted_by(|a, b| event_order(a, b).is_le()) {
            self.events.sort_unstable_by(event_order);
        }
        if !self.equivalences.is_sorted() {
            self.equivalences.sort_unstable();
        }
    }

    /// Relations that start or end at `id` (ends in this document only).
    pub fn relations_of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Relation> + 'a {
        self.relations
            .iter()
            .filter(move |r| r.from == id || (r.to.doc.is_none() && r.to.id == id))
    }

    /// Annotations covering code point `cp`, innermost (shortest) first.
    pub fn at(&self, cp: usize) -> Vec<&Annotation> {
        let mut hits: Vec<&Annotation> = self
            .annotations
            .iter()
            .filter(|a| a.spans.iter().any(|s| s.contains(cp)))
            .collect();
        hits.sort_by_key(|a| (a.extent().len(), a.extent().start));
        hits
    }

    /// Ids of all annotations.
    pub fn ids(&self) -> impl Iterator<Item = &AnnId> {
        self.annotations.iter().map(|a| &a.id)
    }
}
