//! Bidirectional text (Unicode Standard Annex #9), free of any drawing: the
//! reader cuts a paragraph into chunks that are shaped whole, breaks lines
//! between chunks, and orders each line's chunks for display with the rules
//! here. Offsets are code points relative to the paragraph, end-exclusive.
//!
//! The paragraph's embedding levels come from `unicode-bidi`; everything that
//! depends on glyph widths (line breaking, hit-testing) is the reader's.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use unicode_bidi::{BidiClass, Level, ParagraphBidiInfo, bidi_class};
use unicode_segmentation::UnicodeSegmentation;

/// The base direction of a document's paragraphs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TextDirection {
    /// Each paragraph follows its first strong character (UAX #9, rules P2 and P3).
    #[default]
    Auto,
    /// Every paragraph reads left to right.
    LeftToRight,
    /// Every paragraph reads right to left.
    RightToLeft,
}

impl TextDirection {
    /// All choices, in menu order.
    pub const ALL: [TextDirection; 3] = [Self::Auto, Self::LeftToRight, Self::RightToLeft];

    /// Words for the menu.
    pub fn label(self) -> &'static str {
        match self {
            Self::Auto => "Automatic (from each paragraph's text)",
            Self::LeftToRight => "Left to right",
            Self::RightToLeft => "Right to left",
        }
    }

    fn level(self) -> Option<Level> {
        match self {
            Self::Auto => None,
            Self::LeftToRight => Some(Level::ltr()),
            Self::RightToLeft => Some(Level::rtl()),
        }
    }
}

/// True if `text` needs the bidirectional algorithm under `dir`: it holds a
/// right-to-left character or a directional control, or is forced right to left.
/// Other paragraphs are laid out left to right as they are stored.
pub fn needs_bidi(text: &str, dir: TextDirection) -> bool {
    dir == TextDirection::RightToLeft
        || text.chars().any(|c| {
            // Below U+0590 only the explicit controls' block (U+202A..) matters, and it is above.
            c >= '\u{0590}'
                && matches!(
                    bidi_class(c),
                    BidiClass::R
                        | BidiClass::AL
                        | BidiClass::AN
                        | BidiClass::RLE
                        | BidiClass::RLO
                        | BidiClass::RLI
                        | BidiClass::LRE
                        | BidiClass::LRO
                        | BidiClass::LRI
                        | BidiClass::FSI
                )
        })
}

/// `text` with its words in the order they are shown, for a short label that
/// egui draws left to right: a word keeps its letters (egui joins and orders a
/// word's letters itself), brackets inside right-to-left runs are mirrored, and
/// text with no right-to-left character comes back as it is.
pub fn display_order(text: &str) -> std::borrow::Cow<'_, str> {
    if !needs_bidi(text, TextDirection::Auto) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let p = Paragraph::new(line, TextDirection::Auto);
        for (k, level) in p.visual_line(0..p.chunks.len()) {
            let piece = &line[p.chunks[k].bytes.clone()];
            if level % 2 == 1 {
                out.extend(piece.chars().map(mirror));
            } else {
                out.push_str(piece);
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A piece of a paragraph shaped as one unit: a word, a run of spaces, a
/// punctuation mark, or (inside right-to-left text) one grapheme of neutrals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// Code points in the paragraph.
    pub chars: Range<usize>,
    /// Bytes in the paragraph.
    pub bytes: Range<usize>,
    /// Embedding level before line breaking (odd: right to left).
    pub level: u8,
    /// A line may break before this chunk.
    pub break_before: bool,
    /// Only white space.
    pub space: bool,
}

/// A paragraph's levels and chunks.
pub struct Paragraph<'t> {
    info: ParagraphBidiInfo<'t>,
    /// The chunks, in logical order, covering the paragraph.
    pub chunks: Vec<Chunk>,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

impl<'t> Paragraph<'t> {
    /// Resolves the levels of `text` (one paragraph, no newline) and cuts it into chunks.
    pub fn new(text: &'t str, dir: TextDirection) -> Self {
        let info = ParagraphBidiInfo::new(text, dir.level());
        let mut chunks: Vec<Chunk> = Vec::new();
        let mut cp = 0usize;
        let mut prev_space = false;
        let mut prev_cjk = false;
        for (b0, word) in text.split_word_bound_indices() {
            let space = word.chars().all(char::is_whitespace);
            let first = word.chars().next().unwrap_or(' ');
            let cjk = is_cjk(first);
            let break_before = !chunks.is_empty() && (prev_space || cjk || prev_cjk) && !space;
            prev_space = space;
            prev_cjk = cjk;
            // Cut the word where its level changes ("ب1": letters right to left, digits left to right).
            let mut start: Option<(usize, usize, u8)> = None;
            let mut k = cp;
            let mut pieces: Vec<(usize, usize, usize, usize, u8)> = Vec::new();
            for (o, _) in word.char_indices() {
                let level = info.levels[b0 + o].number();
                match start {
                    Some((_, _, l)) if l == level => {}
                    Some((sb, sc, l)) => {
                        pieces.push((sb, b0 + o, sc, k, l));
                        start = Some((b0 + o, k, level));
                    }
                    None => start = Some((b0 + o, k, level)),
                }
                k += 1;
            }
            if let Some((sb, sc, l)) = start {
                pieces.push((sb, b0 + word.len(), sc, k, l));
            }
            for (i, (sb, eb, sc, ec, l)) in pieces.into_iter().enumerate() {
                let piece = &text[sb..eb];
                let strong_rtl = piece
                    .chars()
                    .any(|c| matches!(bidi_class(c), BidiClass::R | BidiClass::AL));
                let brk = i == 0 && break_before;
                if l % 2 == 1 && !strong_rtl && !space && piece.graphemes(true).nth(1).is_some() {
                    // Neutrals inside right-to-left text are shaped left to right by the
                    // font; one grapheme each so that reordering reverses them ("?!" → "!?").
                    let mut c = sc;
                    for (j, (o, g)) in piece.grapheme_indices(true).enumerate() {
                        let n = g.chars().count();
                        chunks.push(Chunk {
                            chars: c..c + n,
                            bytes: sb + o..sb + o + g.len(),
                            level: l,
                            break_before: brk && j == 0,
                            space: false,
                        });
                        c += n;
                    }
                } else {
                    chunks.push(Chunk {
                        chars: sc..ec,
                        bytes: sb..eb,
                        level: l,
                        break_before: brk,
                        space,
                    });
                }
            }
            cp = k;
        }
        Self { info, chunks }
    }

    /// True if the paragraph's base direction is right to left.
    pub fn is_rtl(&self) -> bool {
        self.info.paragraph_level.is_rtl()
    }

    /// The chunks of the line made of `chunks` (indices into [`Self::chunks`]),
    /// in visual order, left to right, each with its level on this line (rule L1
    /// puts trailing white space back to the paragraph's level).
    pub fn visual_line(&self, chunks: Range<usize>) -> Vec<(usize, u8)> {
        let Some(last) = chunks.end.checked_sub(1) else {
            return Vec::new();
        };
        let bytes = self.chunks[chunks.start].bytes.start..self.chunks[last].bytes.end;
        let levels = self.info.reordered_levels(bytes);
        let line: Vec<u8> = chunks
            .clone()
            .map(|i| levels[self.chunks[i].bytes.start].number())
            .collect();
        visual_order(&line)
            .into_iter()
            .map(|k| (chunks.start + k, line[k]))
            .collect()
    }
}

/// Rule L2: the visual order of items with embedding `levels`, as logical indices
/// left to right. Reverses every maximal run at each level from the highest
/// down to the lowest odd one.
pub fn visual_order(levels: &[u8]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..levels.len()).collect();
    let Some(&max) = levels.iter().max() else {
        return order;
    };
    let min_odd = levels
        .iter()
        .copied()
        .filter(|l| l % 2 == 1)
        .min()
        .unwrap_or(u8::MAX);
    let mut level = max;
    while level >= min_odd && level > 0 {
        let mut i = 0;
        while i < order.len() {
            if levels[order[i]] >= level {
                let start = i;
                while i < order.len() && levels[order[i]] >= level {
                    i += 1;
                }
                order[start..i].reverse();
            } else {
                i += 1;
            }
        }
        level -= 1;
    }
    order
}

/// Breaks a paragraph's chunks into lines no wider than `max_width` where the
/// chunks allow; returns each line's chunk range. White space at a line's end
/// does not count against the width (it hangs, as UAX #14 lets it).
/// A chunk wider than a line gets a line of its own.
pub fn break_lines(chunks: &[Chunk], widths: &[f32], max_width: f32) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut x = 0.0f32;
    // Last chunk index where a break is allowed within the current line.
    let mut last_break: Option<usize> = None;
    let mut i = 0;
    while i < chunks.len() {
        let c = &chunks[i];
        if i > start && c.break_before {
            last_break = Some(i);
        }
        if !c.space && i > start && x + widths[i] > max_width {
            let at = last_break.unwrap_or(i);
            lines.push(start..at);
            start = at;
            x = 0.0;
            last_break = None;
            i = at;
            continue;
        }
        x += widths[i];
        i += 1;
    }
    lines.push(start..chunks.len());
    lines
}

/// The mirrored form of a bracket shown right to left (rule L4), for the pairs
/// common in text; other characters are returned as they are.
pub fn mirror(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text_of(p: &Paragraph<'_>, text: &str, line: Range<usize>) -> String {
        p.visual_line(line)
            .into_iter()
            .map(|(i, l)| {
                let s = &text[p.chunks[i].bytes.clone()];
                if l % 2 == 1 {
                    s.chars().rev().collect::<String>()
                } else {
                    s.to_owned()
                }
            })
            .collect()
    }

    #[test]
    fn hebrew_words_run_right_to_left() {
        let text = "שלום עולם";
        let p = Paragraph::new(text, TextDirection::Auto);
        assert!(p.is_rtl());
        // Shown left to right: the last word first.
        assert_eq!(text_of(&p, text, 0..p.chunks.len()), "םלוע םולש");
    }

    #[test]
    fn mixed_line_keeps_english_and_numbers_left_to_right() {
        let text = "قال Human Rights Watch في 2012.";
        let p = Paragraph::new(text, TextDirection::Auto);
        assert!(p.is_rtl());
        let visual = text_of(&p, text, 0..p.chunks.len());
        assert_eq!(visual, ".2012 يف Human Rights Watch لاق");
    }

    #[test]
    fn english_paragraph_with_an_arabic_word() {
        let text = "The word سلام means peace.";
        let p = Paragraph::new(text, TextDirection::Auto);
        assert!(!p.is_rtl());
        assert_eq!(text_of(&p, text, 0..p.chunks.len()), "The word مالس means peace.");
    }

    #[test]
    fn override_sets_the_base_direction() {
        let p = Paragraph::new("abc def", TextDirection::RightToLeft);
        assert!(p.is_rtl());
        assert!(needs_bidi("abc", TextDirection::RightToLeft));
        assert!(!needs_bidi("abc 한국어 😀", TextDirection::Auto));
        assert!(needs_bidi("abc שלום", TextDirection::Auto));
    }

    #[test]
    fn neutrals_inside_rtl_are_reordered() {
        let text = "שלום?!";
        let p = Paragraph::new(text, TextDirection::Auto);
        assert_eq!(text_of(&p, text, 0..p.chunks.len()), "!?םולש");
    }

    #[test]
    fn lines_break_at_spaces() {
        let text = "aa bb cc";
        let p = Paragraph::new(text, TextDirection::Auto);
        let widths: Vec<f32> = p.chunks.iter().map(|c| c.chars.len() as f32).collect();
        let lines = break_lines(&p.chunks, &widths, 5.0);
        let texts: Vec<&str> = lines
            .iter()
            .map(|l| &text[p.chunks[l.start].bytes.start..p.chunks[l.end - 1].bytes.end])
            .collect();
        assert_eq!(texts, ["aa bb ", "cc"]);
    }

    fn any_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("שלום"),
                Just("עולם"),
                Just("كتاب"),
                Just("abc"),
                Just("12"),
                Just("٣٤"),
                Just(" "),
                Just("."),
                Just("(x)"),
                Just("😀"),
                Just("👨‍👩‍👧"),
                Just("漢字"),
            ],
            0..16,
        )
        .prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn chunks_cover_the_paragraph(text in any_text(), dir in 0..3usize) {
            let p = Paragraph::new(&text, TextDirection::ALL[dir]);
            let mut cp = 0;
            let mut b = 0;
            for c in &p.chunks {
                prop_assert_eq!(c.chars.start, cp);
                prop_assert_eq!(c.bytes.start, b);
                prop_assert_eq!(text[c.bytes.clone()].chars().count(), c.chars.len());
                cp = c.chars.end;
                b = c.bytes.end;
            }
            prop_assert_eq!(b, text.len());
        }

        #[test]
        fn visual_order_is_a_permutation_and_inverts(levels in proptest::collection::vec(0u8..5, 0..40)) {
            let order = visual_order(&levels);
            let mut inverse = vec![usize::MAX; order.len()];
            for (v, &l) in order.iter().enumerate() {
                prop_assert_eq!(inverse[l], usize::MAX);
                inverse[l] = v;
            }
            for (l, &v) in inverse.iter().enumerate() {
                prop_assert_eq!(order[v], l);
            }
        }

        #[test]
        fn lines_cover_every_chunk_once(text in any_text(), width in 1.0f32..30.0) {
            let p = Paragraph::new(&text, TextDirection::Auto);
            let widths: Vec<f32> = p.chunks.iter().map(|c| c.chars.len() as f32).collect();
            let lines = break_lines(&p.chunks, &widths, width);
            let mut next = 0;
            for l in &lines {
                prop_assert_eq!(l.start, next);
                next = l.end;
                let mut seen: Vec<usize> = p.visual_line(l.clone()).into_iter().map(|(i, _)| i).collect();
                seen.sort_unstable();
                prop_assert_eq!(seen, l.clone().collect::<Vec<_>>());
            }
            prop_assert_eq!(next, p.chunks.len());
        }
    }

    #[test]
    fn labels_show_right_to_left_words_in_reading_order() {
        assert_eq!(display_order("plain text (1)"), "plain text (1)");
        // Two Arabic words: the first (rightmost on screen) comes last.
        assert_eq!(display_order("كوريا الشمالية"), "الشمالية كوريا");
        // Digits inside stay left to right; brackets in the run are mirrored.
        assert_eq!(display_order("عام 2012"), "2012 عام");
        assert_eq!(
            display_order("The 31 (واحد وثلاثين) refugees"),
            "The 31 (وثلاثين واحد) refugees"
        );
    }
}
