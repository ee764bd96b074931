//! Word edges, by Unicode word boundaries (UAX #29), for snapping selections.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use unicode_segmentation::UnicodeSegmentation;

use super::annotation::Span;
use super::document::Document;

/// The text cut at Unicode word boundaries (UAX #29): the same segments as
/// `unicode_segmentation`'s `split_word_bounds`, without its table lookup
/// per character where the text is ASCII (exports tokenize by the megabyte).
///
/// The text is cut first where an ASCII space character meets another ASCII
/// character: UAX #29 always breaks there, and none of its rules looks across
/// such a place at anything but "not a letter, digit or joiner", as the start
/// or end of a text also is. A piece of ASCII letters, digits and punctuation
/// is then cut by the ASCII rules below; any other piece (spaces, or text with
/// other characters) is left to `unicode_segmentation`, and how it was cut is
/// remembered for the next time the same piece comes (see [`SegmentCache`]).
pub fn word_bounds(text: &str) -> WordBounds<'_> {
    WordBounds {
        text,
        pos: 0,
        piece_end: 0,
        queued: Vec::new(),
        next_queued: 0,
    }
}

/// Iterator of [`word_bounds`].
pub struct WordBounds<'a> {
    text: &'a str,
    /// Where the next segment starts.
    pos: usize,
    /// End of the piece `pos` is in, when it is ASCII letters and punctuation.
    piece_end: usize,
    /// Byte lengths of the segments of a piece cut by `unicode_segmentation`.
    queued: Vec<u32>,
    /// The first of `queued` not handed out yet.
    next_queued: usize,
}

/// What a segment of [`WordBounds::next_segment`] holds, as far as the cut
/// already knows it without looking again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentKind {
    /// Only ASCII space characters (one code point per byte).
    Spaces,
    /// ASCII, and no space character (one code point per byte).
    Ascii,
    /// Anything else: at least one character that is not ASCII.
    Other,
}

impl<'a> WordBounds<'a> {
    /// The next segment and what kind of text it is: callers that count code
    /// points or look for space skip the look for ASCII segments.
    #[inline]
    pub fn next_segment(&mut self) -> Option<(&'a str, SegmentKind)> {
        let b = self.text.as_bytes();
        let start = self.pos;
        if self.next_queued >= self.queued.len() && start < b.len() && start >= self.piece_end {
            // Most pieces are one word between spaces, or the spaces between
            // words: those are whole segments, found in one pass, here where
            // the caller's loop can keep them inline.
            let first = class(b[start]);
            let run = |pred: fn(Class) -> bool| {
                let mut j = start + 1;
                while j < b.len() && pred(class(b[j])) {
                    j += 1;
                }
                j
            };
            if first == Class::Space {
                let j = run(|c| c == Class::Space);
                if j == b.len() || b[j].is_ascii() {
                    let len = space_segment(&b[start..j]);
                    self.pos += len;
                    return Some((&self.text[start..start + len], SegmentKind::Spaces));
                }
            } else if first.is_alnum() {
                // UAX #29 never breaks between ASCII letters and digits (WB5,
                // WB8, WB9, WB10), and always before the space that ends the piece.
                let j = run(Class::is_alnum);
                if j == b.len() || class(b[j]) == Class::Space {
                    self.pos = j;
                    return Some((&self.text[start..j], SegmentKind::Ascii));
                }
            }
        }
        self.next_in_piece()
    }

    /// [`Self::next_segment`] for everything but whole ASCII words and space runs.
    #[inline(never)]
    fn next_in_piece(&mut self) -> Option<(&'a str, SegmentKind)> {
        if let Some(&len) = self.queued.get(self.next_queued) {
            self.next_queued += 1;
            let start = self.pos;
            self.pos += len as usize;
            let seg = &self.text[start..self.pos];
            return Some((seg, kind_of(seg)));
        }
        let b = self.text.as_bytes();
        let start = self.pos;
        if start >= b.len() {
            return None;
        }
        if start >= self.piece_end {
            let first = class(b[start]);
            // Find the piece: up to where an ASCII space meets another ASCII character.
            let mut end = start + 1;
            let mut plain = first != Class::Space && first != Class::NonAscii;
            while end < b.len() {
                let (x, y) = (class(b[end - 1]), class(b[end]));
                if x != Class::NonAscii && y != Class::NonAscii && (x == Class::Space) != (y == Class::Space)
                {
                    break;
                }
                plain &= y != Class::NonAscii;
                end += 1;
            }
            if !plain && b[start..end].iter().all(|&c| is_space(c)) {
                // Only ASCII space characters: cut here, without a lookup.
                let len = space_segment(&b[start..end]);
                self.pos += len;
                return Some((&self.text[start..start + len], SegmentKind::Spaces));
            }
            if !plain {
                self.queued.clear();
                SegmentCache::with(|cache| cache.cut(&self.text[start..end], &mut self.queued));
                self.next_queued = 0;
                return self.next_in_piece();
            }
            self.piece_end = end;
        }
        let end = self.piece_end;
        // Outside the piece is a space or the text's edge: no letter, digit or joiner.
        let cat = |i: usize| if i < end { ascii_category(b[i]) } else { Cat::Other };
        let (mut before, mut prev) = (Cat::Other, cat(start));
        let mut i = start + 1;
        while i < end {
            let here = cat(i);
            if ascii_breaks(before, prev, here, cat(i + 1)) {
                break;
            }
            (before, prev) = (prev, here);
            i += 1;
        }
        self.pos = i;
        Some((&self.text[start..i], SegmentKind::Ascii))
    }
}

/// The kind of a segment cut by `unicode_segmentation`.
fn kind_of(seg: &str) -> SegmentKind {
    if !seg.is_ascii() {
        SegmentKind::Other
    } else if seg.bytes().all(is_space) {
        SegmentKind::Spaces
    } else {
        SegmentKind::Ascii
    }
}

impl<'a> Iterator for WordBounds<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.next_segment().map(|(seg, _)| seg)
    }
}

/// A byte's part in cutting pieces: what [`WordBounds`] needs to know first.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// An ASCII space character ([`is_space`]).
    Space,
    /// An ASCII letter or digit.
    Alnum,
    /// Any other ASCII character.
    Punct,
    /// A byte of a character that is not ASCII.
    NonAscii,
}

impl Class {
    fn is_alnum(self) -> bool {
        self == Class::Alnum
    }
}

fn class(b: u8) -> Class {
    CLASSES[usize::from(b)]
}

/// [`Class`] of every byte, looked up once per byte.
const CLASSES: [Class; 256] = {
    let mut t = [Class::NonAscii; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = if is_space(b as u8) {
            Class::Space
        } else if (b as u8).is_ascii_alphanumeric() {
            Class::Alnum
        } else {
            Class::Punct
        };
        b += 1;
    }
    t
};

/// How each thread's pieces that are not plain ASCII were cut, by the piece's
/// text. Text repeats its words, and `unicode_segmentation` looks every
/// character up in its tables: in a CoNLL export of mixed-script documents that
/// was a sixth of the time (spaCy's tokenizer keeps the same kind of cache).
/// Bounded: emptied when full, and long pieces are not kept.
struct SegmentCache {
    cuts: HashMap<Box<str>, Box<[u32]>, BuildHasherDefault<PieceHasher>>,
}

impl SegmentCache {
    /// Pieces kept at most; a few hundred kilobytes.
    const CAPACITY: usize = 8192;
    /// Longer pieces are cut every time: they are rare and seldom repeat.
    const LONGEST: usize = 64;

    fn with<R>(f: impl FnOnce(&mut SegmentCache) -> R) -> R {
        thread_local! {
            static CACHE: RefCell<SegmentCache> = RefCell::new(SegmentCache { cuts: HashMap::default() });
        }
        CACHE.with(|c| f(&mut c.borrow_mut()))
    }

    /// Sets `lens` to the byte lengths of `piece`'s segments.
    fn cut(&mut self, piece: &str, lens: &mut Vec<u32>) {
        if let Some(known) = self.cuts.get(piece) {
            lens.extend_from_slice(known);
            return;
        }
        // A piece is at most the whole text, which is far under 4 GB (see `MAX_SOURCE_BYTES`).
        lens.extend(piece.split_word_bounds().map(|s| s.len() as u32));
        if piece.len() <= Self::LONGEST {
            if self.cuts.len() >= Self::CAPACITY {
                self.cuts.clear();
            }
            self.cuts.insert(piece.into(), lens.as_slice().into());
        }
    }
}

/// A word-at-a-time hash of a piece's bytes: short keys, hashed far faster
/// than by the standard map's SipHash, and no one chooses them to collide.
#[derive(Default)]
struct PieceHasher(u64);

impl Hasher for PieceHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Eight bytes at a time, mixed as rustc's FxHasher mixes words: a piece
        // is hashed on every lookup, and byte by byte that was half of a lookup.
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("eight bytes"));
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            // The length keeps "a" and "a\0" apart.
            let w = u64::from_le_bytes(last) ^ ((rest.len() as u64) << 59);
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The length of the first segment of `spaces`, which are all ASCII space
/// characters: a run of U+0020 (WB3d keeps horizontal space together), a CR
/// LF pair (WB3), or any other one alone (line breaks stand alone by WB3a and
/// WB3b; tab is not a word-separating space in UAX #29, and breaks everywhere).
fn space_segment(spaces: &[u8]) -> usize {
    match spaces {
        [b' ', ..] => spaces.iter().take_while(|&&c| c == b' ').count(),
        [b'\r', b'\n', ..] => 2,
        _ => 1,
    }
}

/// ASCII characters that separate words: what `char::is_ascii_whitespace` holds,
/// and vertical tab.
const fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// The UAX #29 word-break property of an ASCII character that is not a space.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cat {
    Letter,
    Digit,
    /// `_`
    Joiner,
    /// `:`
    MidLetter,
    /// `,` and `;`
    MidNum,
    /// `.` and `'` (MidNumLet and Single_Quote, which act alike without Hebrew letters)
    MidBoth,
    Other,
}

fn ascii_category(b: u8) -> Cat {
    CATEGORIES[usize::from(b & 0x7f)]
}

/// [`category_of`] for every ASCII character, looked up once per byte.
const CATEGORIES: [Cat; 128] = {
    let mut t = [Cat::Other; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = category_of(b as u8);
        b += 1;
    }
    t
};

const fn category_of(b: u8) -> Cat {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Cat::Letter,
        b'0'..=b'9' => Cat::Digit,
        b'_' => Cat::Joiner,
        b':' => Cat::MidLetter,
        b',' | b';' => Cat::MidNum,
        b'.' | b'\'' => Cat::MidBoth,
        _ => Cat::Other,
    }
}

/// Whether UAX #29 breaks between `b` and `c`, with `a` before them and `d`
/// after (rules WB5 to WB13b; the others need characters that are not ASCII).
fn ascii_breaks(a: Cat, b: Cat, c: Cat, d: Cat) -> bool {
    use Cat::*;
    let mid_letter = |x: Cat| matches!(x, MidLetter | MidBoth);
    let mid_num = |x: Cat| matches!(x, MidNum | MidBoth);
    let joins = match (b, c) {
        // Letters and digits first: most of a text is runs of them.
        (Letter | Digit, Letter | Digit) => true,
        (Letter, m) if mid_letter(m) => d == Letter,
        (m, Letter) if mid_letter(m) => a == Letter,
        (Digit, m) if mid_num(m) => d == Digit,
        (m, Digit) if mid_num(m) => a == Digit,
        (Letter | Digit | Joiner, Joiner) | (Joiner, Letter | Digit) => true,
        _ => false,
    };
    !joins
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

/// Widens `span` to whole words at both ends and trims surrounding space, so a
/// sloppy drag selects exactly the words it touches.
pub fn snap_to_words(doc: &Document, span: Span) -> Span {
    if span.is_empty() {
        return span;
    }
    let mut start = span.start;
    let mut end = span.end;
    // Trim leading and trailing non-word characters the drag picked up.
    let text = doc.slice(span);
    let lead = text.chars().take_while(|c| c.is_whitespace()).count();
    let trail = text.chars().rev().take_while(|c| c.is_whitespace()).count();
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
            prop_assert_eq!(&got, &want);
            // Again, now with every short piece cut from the cache.
            let again: Vec<&str> = word_bounds(&t).collect();
            prop_assert_eq!(again, want);
        }

        #[test]
        fn segment_kinds_say_what_the_segment_holds(t in text()) {
            let mut segments = word_bounds(&t);
            while let Some((seg, kind)) = segments.next_segment() {
                let holds = if !seg.is_ascii() {
                    SegmentKind::Other
                } else if seg.chars().all(|c| c.is_ascii_whitespace() || c == '\u{b}') {
                    SegmentKind::Spaces
                } else {
                    SegmentKind::Ascii
                };
                prop_assert_eq!(kind, holds, "{:?}", seg);
            }
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
