//! Suggestions the analysts turned down, remembered per corpus.
//!
//! A rejection is kept by document, label, the text, a little context either
//! side, and where it was. The place is a hint, not the key: after an edit
//! elsewhere moves the text, the rejection holds for the occurrence of the
//! same text and label with the same context (the nearest, if several), so
//! small edits do not bring a rejected suggestion back. Every rejection of a
//! string also lowers the score of that string and label everywhere else in
//! the corpus.

use std::collections::{BTreeSet, HashMap};

use compact_str::CompactString;

use super::super::annotation::Span;
use super::super::document::Document;
use super::Suggestion;

/// Code points of context kept either side of a rejected text.
pub const CONTEXT: usize = 16;

/// How far (in code points) a rejected text may have moved and still be the
/// one that was rejected, when no other occurrence is nearer.
pub const DRIFT: usize = 2_000;

/// One rejected suggestion.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rejection {
    /// The document, by its path in the corpus.
    pub doc: String,
    /// The label that was proposed.
    pub label: CompactString,
    /// The rejected text.
    pub quote: String,
    /// Where it started when it was rejected, in code points.
    pub start: usize,
    /// Up to [`CONTEXT`] code points before it, white space runs as one
    /// space; empty when it was rejected without its document at hand.
    pub before: String,
    /// The same after it.
    pub after: String,
}

/// The context of `span` in `doc` as a rejection keeps it: (before, after).
pub fn context_of(doc: &Document, span: Span) -> (String, String) {
    let (before, _, after) = doc.slice_in_context(span, CONTEXT);
    (squeeze(before), squeeze(after))
}

/// True when context read now (`before`, `after`) is the context a rejection
/// kept. Near either end of the document one may be cut shorter than the
/// other, so the shorter need only be the part nearest the text.
pub(crate) fn same_context(r: &Rejection, before: &str, after: &str) -> bool {
    (before.ends_with(&r.before) || r.before.ends_with(before))
        && (after.starts_with(&r.after) || r.after.starts_with(after))
}

/// White space runs as one space, so re-wrapped lines keep the context.
fn squeeze(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

/// The suggestions rejected in one corpus.
#[derive(Default, Clone, Debug, PartialEq)]
pub struct Rejections {
    /// Every rejection, sorted (the file's order).
    items: BTreeSet<Rejection>,
    /// How many times each (label, lower-cased text) was rejected, anywhere.
    by_string: HashMap<(CompactString, String), u32>,
}

impl Rejections {
    /// Remembers that the suggestion `s` on `quote` in document `doc` was
    /// rejected, by place only; [`Rejections::reject_in`] also keeps the
    /// context, which holds better when the text around moves.
    pub fn reject(&mut self, doc: &str, s: &Suggestion, quote: &str) {
        self.insert(Rejection {
            doc: doc.to_owned(),
            label: s.label.clone(),
            quote: quote.to_owned(),
            start: s.span.start,
            before: String::new(),
            after: String::new(),
        });
    }

    /// Remembers that the suggestion `s` in `doc` was rejected, with its text
    /// and context read from the document.
    pub fn reject_in(&mut self, doc: &Document, s: &Suggestion) {
        let (before, after) = context_of(doc, s.span);
        self.insert(Rejection {
            doc: doc.path.clone(),
            label: s.label.clone(),
            quote: doc.slice(s.span).to_owned(),
            start: s.span.start,
            before,
            after,
        });
    }

    /// Adds one rejection (as read from the corpus's file).
    pub fn insert(&mut self, r: Rejection) {
        let key = (r.label.clone(), r.quote.to_lowercase());
        if self.items.insert(r) {
            *self.by_string.entry(key).or_default() += 1;
        }
    }

    /// True when the suggestion `s` on `quote` in `doc` was rejected: a
    /// rejection of the same label and text in the same document lies within
    /// [`DRIFT`] code points of it. `suggest`, which has the document, is
    /// stricter: where the same text occurs more than once, a rejection goes
    /// to the occurrence with its context, else to the nearest one.
    pub fn is_rejected(&self, doc: &str, s: &Suggestion, quote: &str) -> bool {
        self.near(doc, &s.label, quote, s.span.start).is_some()
    }

    /// The rejection of `label` on `quote` in `doc` nearest to `start`, within [`DRIFT`].
    pub(crate) fn near<'a>(
        &'a self,
        doc: &'a str,
        label: &str,
        quote: &str,
        start: usize,
    ) -> Option<&'a Rejection> {
        self.in_doc(doc)
            .filter(|r| r.label == label && r.quote == quote && r.start.abs_diff(start) <= DRIFT)
            .min_by_key(|r| r.start.abs_diff(start))
    }

    /// The rejections in one document.
    pub(crate) fn in_doc<'a>(&'a self, doc: &'a str) -> impl Iterator<Item = &'a Rejection> + 'a {
        let from = Rejection {
            doc: doc.to_owned(),
            label: CompactString::default(),
            quote: String::new(),
            start: 0,
            before: String::new(),
            after: String::new(),
        };
        self.items.range(from..).take_while(move |r| r.doc == doc)
    }

    /// How many times `label` was rejected on this text (any case), anywhere in the corpus.
    pub fn times_rejected(&self, label: &str, quote: &str) -> u32 {
        if self.by_string.is_empty() {
            return 0;
        }
        self.by_string
            .get(&(CompactString::from(label), quote.to_lowercase()))
            .copied()
            .unwrap_or(0)
    }

    /// Number of rejections.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing was rejected.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every rejection, sorted by document, label, text and place.
    pub fn iter(&self) -> impl Iterator<Item = &Rejection> {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Origin, Suggestion};
    use super::*;
    use crate::model::Span;

    fn sug(start: usize, end: usize, label: &str) -> Suggestion {
        Suggestion {
            span: Span::new(start, end),
            label: label.into(),
            score: 1.0,
            origin: Origin::Matcher,
            canonical: None,
            claim: None,
        }
    }

    #[test]
    fn a_rejection_follows_its_text_and_counts_for_the_string() {
        let mut r = Rejections::default();
        r.reject("a.txt", &sug(100, 105, "PLACE"), "China");
        r.reject("a.txt", &sug(100, 105, "PLACE"), "China");
        assert_eq!(r.len(), 1);
        assert!(r.is_rejected("a.txt", &sug(130, 135, "PLACE"), "China"));
        assert!(!r.is_rejected("a.txt", &sug(130, 135, "ORG"), "China"));
        assert!(!r.is_rejected("b.txt", &sug(100, 105, "PLACE"), "China"));
        assert!(!r.is_rejected("a.txt", &sug(100 + DRIFT + 1, 106 + DRIFT, "PLACE"), "China"));
        assert_eq!(r.times_rejected("PLACE", "CHINA"), 1);
        assert_eq!(r.times_rejected("ORG", "China"), 0);
    }

    #[test]
    fn context_is_kept_with_white_space_squeezed() {
        let d = Document::new("a.txt", "one two\n\n  three Gaza four\tfive six seven eight nine");
        let at = d.cp_of(d.text.find("Gaza").unwrap());
        let mut r = Rejections::default();
        r.reject_in(&d, &sug(at, at + 4, "PLACE"));
        let x = r.iter().next().unwrap();
        assert_eq!((x.quote.as_str(), x.before.as_str()), ("Gaza", "ne two three "));
        assert_eq!(x.after, " four five six s");
    }
}
