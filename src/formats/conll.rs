//! CoNLL-2003 style IOB2: one token per line, three columns separated by one
//! space: the token, its start in the document (code points), its tag.
//!
//! Every document starts with `-DOCSTART- PATH O` (the same three columns, so
//! conlleval, which wants one column count for every line, reads it), PATH
//! being the document's path with white space and `%` percent-encoded; with
//! the start column a consumer maps every token back to its text.
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

/// The first column of the line written before every document.
pub const DOCSTART: &str = "-DOCSTART-";

/// True for a character that column readers split on: Rust's and Unicode's
/// white space, and the four separators (U+001C–U+001F) that Python's
/// `str.split()` adds.
pub fn splits_columns(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The line that starts a document: `-DOCSTART- PATH O`.
pub fn docstart_line(path: &str) -> String {
    use std::fmt::Write as _;
    let mut out = format!("{DOCSTART} ");
    for c in path.chars() {
        if splits_columns(c) || c == '%' {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out.push_str(" O");
    out
}

/// A token as its column: a character that would split the line into more
/// columns (a control character segmentation keeps as a word) becomes `_`.
fn token_column(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(splits_columns) {
        text.replace(splits_columns, "_").into()
    } else {
        text.into()
    }
}

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
    if label.contains(splits_columns) {
        label
            .split(splits_columns)
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("_")
            .into()
    } else {
        label.into()
    }
}

/// The IOB2 block of one document (starting with its [`docstart_line`]) and the number of
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
    let mut out = String::with_capacity(doc.text.len() * 3);
    out.push_str(&docstart_line(&doc.path));
    out.push_str("\n\n");
    let mut open = false;
    for (t, tag) in tokens.iter().zip(&tags) {
        use std::fmt::Write as _;
        out.push_str(&token_column(t.text));
        let _ = write!(out, " {} ", t.span.start);
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
