//! CoNLL-2003 style IOB2: one token per line with its tag.
//!
//! Tokens are the Unicode word-boundary segments (UAX #29) that are not
//! white space. A sentence ends after `.`, `!`, `?` or `…`, and at every line
//! break. Only entities are written (claims are not named entities).
//!
//! IOB2 cannot hold overlapping entities, so one rule picks: the longest entity
//! (in code points) wins, then the earliest, then the smaller id. An entity that
//! shares a token with one already placed is dropped and counted. A
//! discontinuous entity becomes one chunk per fragment, each starting with `B-`.

use crate::model::{DocAnnotations, Document, Kind, Span};

/// The line written before every document.
pub const DOCSTART: &str = "-DOCSTART- -X- -X- O";

/// A token: its text and code-point span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    /// The token's text.
    pub text: &'a str,
    /// Where it is in the document.
    pub span: Span,
    /// True when a sentence ends after this token.
    pub ends_sentence: bool,
}

/// Splits a text into tokens by Unicode word boundaries.
pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    use crate::model::words::word_bounds;
    // About one token in six bytes of text; the vector is dropped with the document.
    let mut out: Vec<Token<'_>> = Vec::with_capacity(text.len() / 6 + 1);
    let mut cp = 0;
    for seg in word_bounds(text) {
        // One look at each character for its length, whether it is space, and line breaks.
        let (len, space, line_break) = seg.chars().fold((0, true, false), |(n, space, line), c| {
            (
                n + 1,
                space && c.is_whitespace(),
                line || matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}'),
            )
        });
        if space {
            if line_break && let Some(last) = out.last_mut() {
                last.ends_sentence = true;
            }
        } else {
            out.push(Token {
                text: seg,
                span: Span::new(cp, cp + len),
                ends_sentence: matches!(seg, "." | "!" | "?" | "…"),
            });
        }
        cp += len;
    }
    out
}

/// Tags must not contain the column separator.
fn tag_label(label: &str) -> std::borrow::Cow<'_, str> {
    if label.contains(char::is_whitespace) {
        label.split_whitespace().collect::<Vec<_>>().join("_").into()
    } else {
        label.into()
    }
}

/// The IOB2 block of one document (starting with [`DOCSTART`]) and the number of
/// entities dropped because they overlapped a longer or earlier one.
pub fn doc_conll(doc: &Document, data: &DocAnnotations) -> (String, usize) {
    let tokens = tokenize(&doc.text);
    // Each tagged token holds its entity's place in `labels` and whether it begins a chunk.
    let mut tags: Vec<Option<(usize, bool)>> = vec![None; tokens.len()];
    // The few labels of a document, each once: a tag points into this list
    // rather than holding a copy per entity.
    let mut labels: Vec<std::borrow::Cow<'_, str>> = Vec::new();
    let mut entities: Vec<_> = data
        .annotations
        .iter()
        .filter(|a| matches!(a.kind, Kind::Entity { .. }) && !a.spans.is_empty())
        .collect();
    entities.sort_by(|a, b| {
        let (ea, eb) = (a.extent(), b.extent());
        eb.len()
            .cmp(&ea.len())
            .then(ea.start.cmp(&eb.start))
            .then(a.id.cmp(&b.id))
    });
    let mut dropped = 0;
    // Token ranges of the entity being placed, one per fragment.
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for e in entities {
        ranges.clear();
        ranges.extend(
            e.spans
                .iter()
                .map(|s| {
                    let first = tokens.partition_point(|t| t.span.end <= s.start);
                    let last = tokens.partition_point(|t| t.span.start < s.end);
                    (first, last.max(first))
                })
                .filter(|(a, b)| a < b),
        );
        if ranges.is_empty()
            || ranges
                .iter()
                .any(|&(a, b)| tags[a..b].iter().any(Option::is_some))
        {
            dropped += 1;
            continue;
        }
        let tag = tag_label(&e.label);
        let label = match labels.iter().position(|l| *l == tag) {
            Some(i) => i,
            None => {
                labels.push(tag);
                labels.len() - 1
            }
        };
        for &(a, b) in &ranges {
            for (i, t) in tags[a..b].iter_mut().enumerate() {
                *t = Some((label, i == 0));
            }
        }
    }
    let mut out = String::with_capacity(doc.text.len() * 2);
    out.push_str(DOCSTART);
    out.push_str("\n\n");
    let mut open = false;
    for (t, tag) in tokens.iter().zip(&tags) {
        out.push_str(t.text);
        out.push(' ');
        match tag {
            // A chunk cut by a sentence break restarts with B-, as IOB2 requires.
            Some((l, first)) if *first || !open => {
                out.push_str("B-");
                out.push_str(&labels[*l]);
            }
            Some((l, _)) => {
                out.push_str("I-");
                out.push_str(&labels[*l]);
            }
            None => out.push('O'),
        }
        out.push('\n');
        open = true;
        if t.ends_sentence {
            out.push('\n');
            open = false;
        }
    }
    if open {
        out.push('\n');
    }
    (out, dropped)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use unicode_segmentation::UnicodeSegmentation;

    use super::*;

    proptest! {
        #[test]
        fn tokens_are_the_word_segments_that_are_not_space(
            t in proptest::collection::vec(
                proptest::sample::select(&[
                    "a", "Kim", "’s", "7", ".", "…", "!", " ", "  ", "\t", "\n", "\r\n", "\r", "\u{b}",
                    "\u{2028}", "\u{3000}", "北朝鮮", "😀", "é", "e\u{301}", ",", "'", "«", "\u{a0}",
                ][..]),
                0..30,
            ).prop_map(|v| v.concat())
        ) {
            let tokens = tokenize(&t);
            let chars: Vec<char> = t.chars().collect();
            for tok in &tokens {
                // Each token is its span's text, and not space.
                let at: String = chars[tok.span.start..tok.span.end].iter().collect();
                prop_assert_eq!(tok.text, at.as_str());
                prop_assert!(!tok.text.chars().all(char::is_whitespace));
            }
            let words: Vec<&str> = t
                .split_word_bounds()
                .filter(|s| !s.chars().all(char::is_whitespace))
                .collect();
            prop_assert_eq!(tokens.iter().map(|t| t.text).collect::<Vec<_>>(), words);
        }
    }

    #[test]
    fn sentences_end_at_stops_and_line_breaks() {
        let ends: Vec<(&str, bool)> = tokenize("Kim said so\r\nThen « 7 » ! Done\u{2028}x")
            .iter()
            .map(|t| (t.text, t.ends_sentence))
            .collect();
        assert_eq!(
            ends,
            [
                ("Kim", false),
                ("said", false),
                ("so", true),
                ("Then", false),
                ("«", false),
                ("7", false),
                ("»", false),
                ("!", true),
                ("Done", true),
                ("x", false)
            ]
        );
    }
}
