//! One block's layout: where each code point is drawn, so that highlights,
//! the selection, the caret and hit-testing all use the same boxes.
//!
//! A block with no right-to-left text is one egui galley, as stored. A block
//! with right-to-left text is laid out here: egui shapes each chunk (a word, a
//! space, a mark) on its own, [`crate::model::bidi`] breaks the lines and orders
//! each line's chunks (UAX #9, after line breaking), and every code point gets a
//! cell: its line and the x range of its grapheme's glyphs. egui shapes Arabic
//! and Hebrew runs right to left but numbers the glyphs of such a run in visual
//! order, so a right-to-left chunk's cells are read back from its glyphs.

use std::ops::Range;
use std::sync::Arc;

use egui::{Galley, Painter, Pos2, Rect, Vec2, pos2, vec2};
use unicode_segmentation::UnicodeSegmentation;

use crate::model::bidi::{Paragraph, TextDirection, break_lines, mirror, needs_bidi};

/// Where one code point is drawn in a bidirectional block.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Cell {
    line: u32,
    x0: f32,
    x1: f32,
    /// Drawn right to left: its logical start is its right edge.
    rtl: bool,
}

/// A line of a bidirectional block.
#[derive(Clone, Debug)]
struct LineBox {
    top: f32,
    bottom: f32,
    /// Code points of the block on this line.
    chars: Range<usize>,
}

/// A block laid out with the bidirectional algorithm.
pub struct BidiBlock {
    size: Vec2,
    /// Chunk galleys and where they go in the block.
    runs: Vec<(Vec2, Arc<Galley>)>,
    lines: Vec<LineBox>,
    /// One per code point of the block.
    cells: Vec<Cell>,
}

/// How one block is drawn.
pub enum BlockLayout {
    /// Left-to-right text: one galley, glyph `i` is code point `i`.
    Plain(Arc<Galley>),
    /// Text with right-to-left parts.
    Bidi(BidiBlock),
}

/// What a block is laid out with.
pub struct Style {
    /// Font of the text.
    pub format: egui::TextFormat,
    /// Wrap width.
    pub wrap: f32,
    /// Paragraph direction.
    pub direction: TextDirection,
}

impl BlockLayout {
    /// Lays out `text` (one block, no newline).
    pub fn new(fonts: &mut egui::epaint::text::FontsView<'_>, text: &str, style: &Style) -> Self {
        if !needs_bidi(text, style.direction) {
            let mut job = egui::text::LayoutJob::single_section(text.to_owned(), style.format.clone());
            job.wrap.max_width = style.wrap;
            return Self::Plain(fonts.layout_job(job));
        }
        Self::Bidi(BidiBlock::new(fonts, text, style))
    }

    /// The block's size.
    pub fn size(&self) -> Vec2 {
        match self {
            Self::Plain(g) => g.rect.size(),
            Self::Bidi(b) => b.size,
        }
    }

    /// Draws the text with its top-left corner at `origin`.
    pub fn paint(&self, painter: &Painter, origin: Pos2, colour: egui::Color32) {
        match self {
            Self::Plain(g) => painter.galley(origin, g.clone(), colour),
            Self::Bidi(b) => {
                for (offset, g) in &b.runs {
                    painter.galley(origin + *offset, g.clone(), colour);
                }
            }
        }
    }

    /// The glyph galleys drawn and their offsets in the block (for tests and checks).
    pub fn galleys(&self) -> Vec<(Vec2, Arc<Galley>)> {
        match self {
            Self::Plain(g) => vec![(Vec2::ZERO, g.clone())],
            Self::Bidi(b) => b.runs.clone(),
        }
    }

    /// Rectangles (block coordinates) covering code points `lo..hi`: one per
    /// row in left-to-right text; in mixed text, one per visually contiguous
    /// piece (a logical range may be split on screen).
    pub fn rects(&self, lo: usize, hi: usize) -> Vec<Rect> {
        match self {
            Self::Plain(g) => super::range_rects(g, lo, hi),
            Self::Bidi(b) => b.rects(lo, hi),
        }
    }

    /// The code point boundary nearest to `pos` (block coordinates), never inside a grapheme.
    pub fn cp_at(&self, text: &str, pos: Vec2) -> usize {
        match self {
            Self::Plain(g) => {
                let c = g.cursor_from_pos(pos).index.0;
                // Between two ASCII letters is always a grapheme boundary: skip the scan.
                let glyph = |i: usize| {
                    g.rows
                        .iter()
                        .flat_map(|r| r.row.glyphs.get(i))
                        .next()
                        .map(|g| g.chr)
                };
                let plain = |ch: Option<char>| ch.is_none_or(|ch| ch.is_ascii() && ch != '\r');
                if g.rows.len() == 1 && plain(glyph(c)) && plain(c.checked_sub(1).and_then(glyph)) {
                    return c;
                }
                let around = grapheme_around(text, c);
                if around.start == c || around.is_empty() {
                    return c;
                }
                // Inside a grapheme: the nearer of its edges on screen.
                let x0 = g.pos_from_cursor(egui::text::CCursor::new(around.start)).min.x;
                let x1 = g.pos_from_cursor(egui::text::CCursor::new(around.end)).min.x;
                if (pos.x - x0).abs() <= (pos.x - x1).abs() {
                    around.start
                } else {
                    around.end
                }
            }
            Self::Bidi(b) => b.cp_at(pos),
        }
    }

    /// The caret at code point boundary `cp`: a zero-width rectangle, block coordinates.
    pub fn caret(&self, cp: usize) -> Rect {
        match self {
            Self::Plain(g) => g.pos_from_cursor(egui::text::CCursor::new(cp)),
            Self::Bidi(b) => b.caret(cp),
        }
    }
}

/// The grapheme of `text` holding code point `cp`, as a code point range
/// (`cp..cp` at the end), so that a flag, a skin tone or a family of emoji is
/// selected as one unit.
pub fn grapheme_around(text: &str, cp: usize) -> Range<usize> {
    let mut at = 0;
    for g in text.graphemes(true) {
        let n = g.chars().count();
        if cp < at + n {
            return at..at + n;
        }
        at += n;
    }
    cp..cp
}

/// Cells of one chunk, relative to its galley: the x range of each code point's grapheme.
fn chunk_cells(text: &str, galley: &Galley, rtl: bool) -> Vec<(f32, f32)> {
    let n = text.chars().count();
    let width = galley.rect.width();
    let graphemes: Vec<(usize, usize)> = {
        let mut v = Vec::new();
        let mut at = 0;
        for g in text.graphemes(true) {
            let k = g.chars().count();
            v.push((at, at + k));
            at += k;
        }
        v
    };
    let glyphs: &[egui::epaint::text::Glyph] = galley.rows.first().map_or(&[], |r| &r.row.glyphs);
    let mut per_char: Option<Vec<(f32, f32)>> = None;
    if graphemes.len() == 1 {
        per_char = Some(vec![(0.0, width); n]);
    } else if !rtl && glyphs.len() == n {
        // egui keeps one glyph per code point in left-to-right runs.
        let row = &galley.rows[0].row;
        per_char = Some(
            (0..n)
                .map(|i| {
                    (
                        row.x_offset(egui::text::CharIndex(i)),
                        row.x_offset(egui::text::CharIndex(i + 1)),
                    )
                })
                .collect(),
        );
    } else if rtl {
        per_char = decode_rtl(text, glyphs, width);
    }
    // Each grapheme spans the union of its code points' ranges; without a
    // usable glyph map the chunk's width is shared out evenly.
    let mut out = vec![(0.0, 0.0); n];
    let count = graphemes.len().max(1) as f32;
    for (k, &(a, b)) in graphemes.iter().enumerate() {
        let (x0, x1) = match &per_char {
            Some(pc) => pc[a..b]
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &(p, q)| {
                    (lo.min(p), hi.max(q))
                }),
            None => {
                let step = width / count;
                let i = if rtl { graphemes.len() - 1 - k } else { k };
                (i as f32 * step, (i + 1) as f32 * step)
            }
        };
        for c in &mut out[a..b] {
            *c = (x0, x1);
        }
    }
    out
}

/// Maps the glyphs of a chunk shaped right to left back to its code points.
/// The glyphs come in visual order, each naming the first character of its
/// cluster, clusters falling from the logical end to the start; the glyphs of
/// marks have no advance and belong to their base. Returns each code point's x
/// range (a cluster's range for every code point in it), or `None` if the
/// glyphs do not read back as one right-to-left run.
fn decode_rtl(text: &str, glyphs: &[egui::epaint::text::Glyph], width: f32) -> Option<Vec<(f32, f32)>> {
    let chars: Vec<char> = text.chars().collect();
    let mut extent: Vec<Option<(f32, f32)>> = vec![None; chars.len()];
    let mut cur = chars.len();
    for g in glyphs {
        if g.advance_width <= 0.0 {
            continue;
        }
        let mirrored = mirror(g.chr);
        match (0..cur)
            .rev()
            .find(|&q| chars[q] == g.chr || chars[q] == mirrored)
        {
            Some(q) => cur = q,
            None if cur < chars.len() => {}
            None => return None,
        }
        let e = extent[cur].get_or_insert((g.pos.x, g.max_x()));
        e.0 = e.0.min(g.pos.x);
        e.1 = e.1.max(g.max_x());
    }
    extent[0]?;
    // Tile the chunk: each cluster reaches to where the next one (on screen)
    // begins, so that a highlight over neighbours has no seams.
    let mut starts: Vec<(f32, usize)> = extent
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.map(|e| (e.0, i)))
        .collect();
    starts.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (k, &(x0, i)) in starts.iter().enumerate() {
        let x0 = if k == 0 { 0.0 } else { x0 };
        let x1 = starts.get(k + 1).map_or(width, |n| n.0.min(width));
        extent[i] = Some((x0, x1));
    }
    let mut out = Vec::with_capacity(chars.len());
    let mut last = (0.0, 0.0);
    for e in extent {
        if let Some(e) = e {
            last = e;
        }
        out.push(last);
    }
    Some(out)
}

impl BidiBlock {
    fn new(fonts: &mut egui::epaint::text::FontsView<'_>, text: &str, style: &Style) -> Self {
        let para = Paragraph::new(text, style.direction);
        let line_h = style
            .format
            .line_height
            .unwrap_or(style.format.font_id.size * 1.5);
        let mut galleys = Vec::with_capacity(para.chunks.len());
        let mut widths = Vec::with_capacity(para.chunks.len());
        let mut cells_local = Vec::with_capacity(para.chunks.len());
        for c in &para.chunks {
            let s = &text[c.bytes.clone()];
            let rtl = c.level % 2 == 1;
            let shaped: String = if rtl {
                s.chars().map(mirror).collect()
            } else {
                s.to_owned()
            };
            let job = egui::text::LayoutJob::single_section(shaped, style.format.clone());
            let g = fonts.layout_job(job);
            widths.push(g.rect.width());
            cells_local.push(chunk_cells(s, &g, rtl));
            galleys.push(g);
        }
        let n: usize = para.chunks.last().map_or(0, |c| c.chars.end);
        let mut cells = vec![
            Cell {
                line: 0,
                x0: 0.0,
                x1: 0.0,
                rtl: false
            };
            n
        ];
        let mut runs = Vec::with_capacity(para.chunks.len());
        let mut lines = Vec::new();
        for (li, range) in break_lines(&para.chunks, &widths, style.wrap)
            .into_iter()
            .enumerate()
        {
            let top = li as f32 * line_h;
            let total: f32 = range.clone().map(|i| widths[i]).sum();
            let trailing: f32 = range
                .clone()
                .rev()
                .take_while(|&i| para.chunks[i].space)
                .map(|i| widths[i])
                .sum();
            let mut x = if para.is_rtl() {
                (style.wrap - total).max(-trailing)
            } else {
                0.0
            };
            for (ci, level) in para.visual_line(range.clone()) {
                let c = &para.chunks[ci];
                runs.push((vec2(x, top), galleys[ci].clone()));
                for (k, &(a, b)) in cells_local[ci].iter().enumerate() {
                    cells[c.chars.start + k] = Cell {
                        line: li as u32,
                        x0: x + a,
                        x1: x + b,
                        rtl: level % 2 == 1,
                    };
                }
                x += widths[ci];
            }
            let chars = match (range.start < range.end).then(|| &para.chunks[range.start..range.end]) {
                Some(cs) => cs[0].chars.start..cs[cs.len() - 1].chars.end,
                None => 0..0,
            };
            lines.push(LineBox {
                top,
                bottom: top + line_h,
                chars,
            });
        }
        Self {
            size: vec2(style.wrap, lines.len().max(1) as f32 * line_h),
            runs,
            lines,
            cells,
        }
    }

    fn rects(&self, lo: usize, hi: usize) -> Vec<Rect> {
        let mut out = Vec::new();
        for line in &self.lines {
            let a = lo.max(line.chars.start);
            let b = hi.min(line.chars.end);
            if a >= b {
                continue;
            }
            let mut spans: Vec<(f32, f32)> = self.cells[a..b].iter().map(|c| (c.x0, c.x1)).collect();
            spans.sort_by(|p, q| p.0.total_cmp(&q.0));
            let mut merged: Vec<(f32, f32)> = Vec::new();
            for (x0, x1) in spans {
                match merged.last_mut() {
                    Some(m) if x0 <= m.1 + 0.5 => m.1 = m.1.max(x1),
                    _ => merged.push((x0, x1)),
                }
            }
            out.extend(
                merged
                    .into_iter()
                    .filter(|(x0, x1)| x1 > x0)
                    .map(|(x0, x1)| Rect::from_min_max(pos2(x0, line.top), pos2(x1, line.bottom))),
            );
        }
        out
    }

    fn cp_at(&self, pos: Vec2) -> usize {
        let Some(line) = self.lines.iter().find(|l| pos.y < l.bottom).or(self.lines.last()) else {
            return 0;
        };
        if line.chars.is_empty() {
            return line.chars.start;
        }
        // The nearest grapheme on the line, then the nearer of its two logical edges.
        let mut best = line.chars.start;
        let mut best_d = f32::INFINITY;
        for i in line.chars.clone() {
            let c = &self.cells[i];
            let d = if pos.x < c.x0 {
                c.x0 - pos.x
            } else if pos.x > c.x1 {
                pos.x - c.x1
            } else {
                0.0
            };
            if d < best_d {
                best_d = d;
                best = i;
            }
        }
        let c = self.cells[best];
        let mut start = best;
        while start > line.chars.start && self.cells[start - 1] == c {
            start -= 1;
        }
        let mut end = best + 1;
        while end < line.chars.end && self.cells[end] == c {
            end += 1;
        }
        let mid = (c.x0 + c.x1) * 0.5;
        let before = if c.rtl { pos.x >= mid } else { pos.x < mid };
        if before { start } else { end }
    }

    fn caret(&self, cp: usize) -> Rect {
        let (c, at_start) = match self.cells.get(cp) {
            Some(c) => (Some(*c), true),
            None => (cp.checked_sub(1).and_then(|p| self.cells.get(p)).copied(), false),
        };
        let Some(c) = c else {
            let h = self.lines.first().map_or(0.0, |l| l.bottom);
            return Rect::from_min_max(pos2(0.0, 0.0), pos2(0.0, h));
        };
        let x = if c.rtl == at_start { c.x1 } else { c.x0 };
        let l = &self.lines[c.line as usize];
        Rect::from_min_max(pos2(x, l.top), pos2(x, l.bottom))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphemes_hold_whole_emoji_sequences() {
        let text = "a👨‍👩‍👧🇰🇷b";
        // The family is code points 1..6, the flag 6..8.
        assert_eq!(grapheme_around(text, 0), 0..1);
        for cp in 1..6 {
            assert_eq!(grapheme_around(text, cp), 1..6);
        }
        assert_eq!(grapheme_around(text, 7), 6..8);
        assert_eq!(grapheme_around(text, 9), 9..9);
    }

    fn layout(text: &str, dir: TextDirection, wrap: f32) -> BlockLayout {
        let ctx = egui::Context::default();
        crate::ui::fonts::install_bundled(&ctx);
        let mut out = ctx.run_ui(egui::RawInput::default(), |_| {});
        out.textures_delta.clear();
        let style = Style {
            format: egui::TextFormat {
                font_id: egui::FontId::proportional(17.0),
                line_height: Some(17.0 * 1.75),
                valign: egui::Align::Center,
                ..Default::default()
            },
            wrap,
            direction: dir,
        };
        ctx.fonts_mut(|f| BlockLayout::new(f, text, &style))
    }

    fn any_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        proptest::collection::vec(
            prop_oneof![
                Just("שלום"),
                Just("כְּתָב"),
                Just("كتاب"),
                Just("اللاجئون"),
                Just("abc"),
                Just("2012"),
                Just(" "),
                Just("."),
                Just("(x)"),
                Just("👍🏽"),
                Just("🇰🇷"),
            ],
            1..12,
        )
        .prop_map(|v| v.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// A click on either half of a grapheme lands on its edge on that side,
        /// in logical terms; graphemes on a line never overlap on screen.
        #[test]
        fn hit_testing_agrees_with_what_is_drawn(text in any_text(), dir in 0..3usize, wrap in 60.0f32..400.0) {
            let dir = TextDirection::ALL[dir];
            let BlockLayout::Bidi(b) = layout(&text, dir, wrap) else {
                proptest::prop_assume!(false);
                unreachable!()
            };
            let mut at = 0;
            let mut boxes: Vec<(u32, f32, f32)> = Vec::new();
            for g in text.graphemes(true) {
                let n = g.chars().count();
                let c = b.cells[at];
                for k in at..at + n {
                    proptest::prop_assert_eq!(b.cells[k], c);
                }
                if c.x1 - c.x0 > 2.0 && !g.chars().all(char::is_whitespace) {
                    let l = &b.lines[c.line as usize];
                    let y = (l.top + l.bottom) * 0.5;
                    let (start_x, end_x) = if c.rtl { (c.x1 - 0.5, c.x0 + 0.5) } else { (c.x0 + 0.5, c.x1 - 0.5) };
                    let near_start = b.cp_at(vec2(start_x * 0.75 + end_x * 0.25, y));
                    let near_end = b.cp_at(vec2(start_x * 0.25 + end_x * 0.75, y));
                    // Ligatures share one box: the edge may be that of a neighbour in the box.
                    proptest::prop_assert!(near_start <= at, "{g:?} at {at}: {near_start}");
                    proptest::prop_assert!(near_end >= at + n, "{g:?} at {at}: {near_end}");
                    let rects = b.rects(at, at + n);
                    proptest::prop_assert_eq!(rects.len(), 1);
                    proptest::prop_assert!((rects[0].left() - c.x0).abs() < 0.01 && (rects[0].right() - c.x1).abs() < 0.01);
                    boxes.push((c.line, c.x0, c.x1));
                }
                at += n;
            }
            boxes.sort_by(|p, q| (p.0, p.1).partial_cmp(&(q.0, q.1)).unwrap());
            boxes.dedup();
            for w in boxes.windows(2) {
                if w[0].0 == w[1].0 {
                    proptest::prop_assert!(w[0].2 <= w[1].1 + 0.01, "overlap {:?}", w);
                }
            }
        }
    }
}
