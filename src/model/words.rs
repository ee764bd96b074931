//! Word edges, by Unicode word boundaries (UAX #29), for snapping selections.

use unicode_segmentation::UnicodeSegmentation;

use super::annotation::Span;
use super::document::Document;

/// The text cut at Unicode word boundaries (UAX #29), as `unicode_segmentation` cuts it.
pub fn word_bounds(text: &str) -> unicode_segmentation::UWordBounds<'_> {
    text.split_word_bounds()
}

/// How far either side of a position to look for its word; words longer than this are cut.
const WINDOW: usize = 256;

/// True when a segment is a word (has a letter or digit) rather than space or punctuation.
fn is_word(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// The word segments (as code-point spans) in a window around `cp`.
fn segments_near(doc: &Document, cp: usize) -> Vec<(Span, bool)> {
    let start = cp.saturating_sub(WINDOW);
    let end = (cp + WINDOW).min(doc.len_chars());
    let text = doc.slice(Span::new(start, end));
    let mut out = Vec::new();
    let mut pos = start;
    for seg in word_bounds(text) {
        let n = seg.chars().count();
        out.push((Span::new(pos, pos + n), is_word(seg)));
        pos += n;
    }
    out
}

/// The word containing code point `cp`, or `None` when `cp` is on space or punctuation.
pub fn word_at(doc: &Document, cp: usize) -> Option<Span> {
    segments_near(doc, cp)
        .into_iter()
        .find(|(s, w)| *w && s.contains(cp))
        .map(|(s, _)| s)
}

/// Space and the punctuation that closes or opens a phrase, which a drag picks
/// up by accident. Signs that belong to a figure (`$`, `%`, `€`, `-`) are kept.
fn trimmed_at_edge(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            ',' | '.'
                | ';'
                | ':'
                | '!'
                | '?'
                | '"'
                | '\''
                | '('
                | ')'
                | '['
                | ']'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '«'
                | '»'
                | '„'
                | '…'
                | '—'
                | '–'
                | '、'
                | '。'
                | '，'
                | '،'
                | '؛'
                | '؟'
        )
}

/// Widens `span` to whole words at both ends and trims surrounding space, so a
/// sloppy drag selects exactly the words it touches.
pub fn snap_to_words(doc: &Document, span: Span) -> Span {
    if span.is_empty() {
        return span;
    }
    let mut start = span.start;
    let mut end = span.end;
    // Trim leading and trailing space and punctuation the drag picked up
    // ("annually," → "annually"); a selection of punctuation alone is kept.
    let text = doc.slice(span);
    let lead = text.chars().take_while(|&c| trimmed_at_edge(c)).count();
    let trail = text.chars().rev().take_while(|&c| trimmed_at_edge(c)).count();
    if lead + trail >= span.len() {
        return span;
    }
    start += lead;
    end -= trail;
    if let Some(w) = word_at(doc, start) {
        start = w.start;
    }
    if let Some(w) = word_at(doc, end - 1) {
        end = w.end;
    }
    Span::new(start, end)
}

/// Every occurrence of `needle` in the document as code-point spans, optionally
/// ignoring case and requiring word edges on both sides.
pub fn find_all(doc: &Document, needle: &str, match_case: bool, whole_word: bool) -> Vec<Span> {
    if needle.is_empty() {
        return Vec::new();
    }
    let n_chars = needle.chars().count();
    let mut out = Vec::new();
    let push = |byte: usize, out: &mut Vec<Span>| {
        let start = doc.cp_of(byte);
        let span = Span::new(start, start + n_chars);
        if !whole_word || at_word_edges(doc, span) {
            out.push(span);
        }
    };
    if match_case {
        for (b, _) in doc.text.match_indices(needle) {
            push(b, &mut out);
        }
    } else {
        // Case-folding can change byte lengths, so compare char by char on a lowered copy
        // only when lowering keeps every character one character.
        let lower: Vec<char> = doc.text.chars().flat_map(char::to_lowercase).collect();
        if lower.len() == doc.len_chars() {
            let needle: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
            if needle.len() == n_chars {
                let mut i = 0;
                while i + n_chars <= lower.len() {
                    if lower[i..i + n_chars] == needle[..] {
                        let span = Span::new(i, i + n_chars);
                        if !whole_word || at_word_edges(doc, span) {
                            out.push(span);
                        }
                        i += n_chars;
                    } else {
                        i += 1;
                    }
                }
                return out;
            }
        }
        let lower_text = doc.text.to_lowercase();
        let lower_needle = needle.to_lowercase();
        for (b, _) in lower_text.match_indices(&lower_needle) {
            if doc.text.is_char_boundary(b) {
                push(b, &mut out);
            }
        }
    }
    out
}

/// True when the characters just outside `span` are not letters or digits.
fn at_word_edges(doc: &Document, span: Span) -> bool {
    let before = span
        .start
        .checked_sub(1)
        .map(|s| doc.slice(Span::new(s, span.start)));
    let after = doc.slice(Span::new(span.end, (span.end + 1).min(doc.len_chars())));
    !before.is_some_and(is_word) && !is_word(after)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Characters that exercise every ASCII rule and the places where ASCII
    /// meets other text: letters, digits, each mid and joiner character, spaces
    /// of every kind, accents (precomposed and combining), joiners, emoji, flags,
    /// Hebrew letters with quotes, CJK, Katakana.
    const ALPHABET: &[char] = &[
        'a',
        'Z',
        'q',
        '0',
        '7',
        '_',
        ':',
        ',',
        ';',
        '.',
        '\'',
        '"',
        '-',
        '(',
        ')',
        '!',
        '?',
        '/',
        '@',
        '#',
        ' ',
        ' ',
        '\t',
        '\n',
        '\r',
        '\u{b}',
        '\u{c}',
        '\u{a0}',
        '\u{2028}',
        '\u{3000}',
        'é',
        '\u{301}',
        '\u{200d}',
        '\u{200b}',
        '\u{ad}',
        '😀',
        '\u{1f1eb}',
        '\u{1f1f7}',
        'א',
        'ש',
        '語',
        'カ',
        '\u{ff0e}',
        '\u{2019}',
        '\u{b7}',
        '\u{fe0f}',
        '٣',
    ];

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(ALPHABET), 0..40)
            .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn word_bounds_are_unicode_segmentation_s(t in text()) {
            let want: Vec<&str> = t.split_word_bounds().collect();
            let got: Vec<&str> = word_bounds(&t).collect();
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn word_bounds_on_the_seed_articles_are_unicode_segmentation_s() {
        let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
        let mut checked = 0;
        for e in std::fs::read_dir(&seeds).expect("the bundled seeds/ folder") {
            let path = e.expect("a folder entry").path();
            if path.extension().is_some_and(|x| x == "txt") {
                let t = std::fs::read_to_string(&path).expect("a UTF-8 article");
                let want: Vec<&str> = t.split_word_bounds().collect();
                assert_eq!(word_bounds(&t).collect::<Vec<_>>(), want, "{}", path.display());
                checked += 1;
            }
        }
        assert!(checked >= 5, "only {checked} seed articles found");
    }

    #[test]
    fn ascii_rules_keep_numbers_contractions_and_abbreviations_whole() {
        let segs: Vec<&str> = word_bounds("can't 3.5,000 U.S. a:b x_1 e.g. (2,000); end.").collect();
        assert_eq!(
            segs,
            [
                "can't", " ", "3.5,000", " ", "U.S", ".", " ", "a:b", " ", "x_1", " ", "e.g", ".", " ", "(",
                "2,000", ")", ";", " ", "end", "."
            ]
        );
    }

    #[test]
    fn snapping_widens_to_words() {
        let d = Document::new("t", "said Hillary Clinton, the “Secretary”");
        assert_eq!(d.slice(snap_to_words(&d, Span::new(7, 15))), "Hillary Clinton");
        assert_eq!(d.slice(snap_to_words(&d, Span::new(4, 13))), "Hillary");
        let d = Document::new("t", "revised annually, at 50% (or \"$3\").");
        let at = |s: &str| d.text.find(s).unwrap();
        let span = |a: usize, b: usize| Span::new(a, b);
        // The comma the drag ended on is left out.
        assert_eq!(
            d.slice(snap_to_words(&d, span(at("nually"), at(" at")))),
            "annually"
        );
        assert_eq!(d.slice(snap_to_words(&d, span(at("50"), at(" (or")))), "50%");
        assert_eq!(d.slice(snap_to_words(&d, span(at("\"$3"), at(")")))), "$3");
        assert_eq!(d.slice(snap_to_words(&d, span(at(","), at(" at")))), ",");
        assert_eq!(word_at(&d, 20), None);
    }

    #[test]
    fn find_respects_case_and_words() {
        let d = Document::new("t", "Refugees and refugees; refugeeship");
        // "refugeeship" contains "refugees" too.
        assert_eq!(find_all(&d, "refugees", true, false).len(), 2);
        assert_eq!(find_all(&d, "refugees", false, false).len(), 3);
        assert_eq!(find_all(&d, "refugees", false, true).len(), 2);
        assert_eq!(find_all(&d, "refugees", true, true).len(), 1);
        assert_eq!(find_all(&d, "refugee", false, true).len(), 0);
        assert_eq!(find_all(&d, "refugee", false, false).len(), 3);
    }
}
