//! The reader: a virtualised text view that draws only what is on screen.
//!
//! The text is cut into blocks (paragraphs, with very long lines split at
//! spaces). Each visible block is laid out on its own ([`layout::BlockLayout`]:
//! one galley for left-to-right text, the bidirectional algorithm for text with
//! right-to-left parts); heights are cached, estimated until a block is first
//! seen. Layouts are plain text, so adding, removing or relabelling annotations
//! never lays text out again: highlights are painted as shapes from the
//! layout's boxes of code points, the same boxes hit-testing uses.

use std::collections::HashMap;
use std::sync::Arc;

use egui::{Color32, CornerRadius, FontId, Galley, Pos2, Rect, Sense, Stroke, Ui, pos2, vec2};

use crate::model::bidi::TextDirection;
use crate::model::{DocAnnotations, Document, LabelKind, Span, TagSet};

pub mod layout;
mod suggestions;

use layout::{BlockLayout, Style};

/// Longest block laid out as one galley, in code points; longer lines are split at a space.
const MAX_BLOCK_CHARS: usize = 1500;

/// Line height as a multiple of the font size, leaving room for layered underlines.
const LINE_FACTOR: f32 = 1.75;

/// A paragraph (or piece of a very long one) laid out as one galley.
#[derive(Clone, Copy, Debug)]
struct Block {
    cp: Span,
    bytes: (usize, usize),
}

/// One annotation's piece inside one block, ready to paint.
#[derive(Clone, Debug)]
struct Piece {
    /// Index of the annotation in the document's list.
    ann: u32,
    /// Code points relative to the block start.
    local: (u32, u32),
    depth: u8,
}

/// Every block's pieces in one list, block after block: a list per block would
/// cost a header each for the thousands of blocks that have none.
#[derive(Default)]
struct Pieces {
    all: Vec<Piece>,
    /// Where each block's pieces start in `all`; one more entry than blocks.
    starts: Vec<u32>,
}

impl Pieces {
    fn of_block(&self, bi: usize) -> &[Piece] {
        match (self.starts.get(bi), self.starts.get(bi + 1)) {
            (Some(&a), Some(&b)) => &self.all[a as usize..b as usize],
            _ => &[],
        }
    }

    fn blocks(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }
}

pub use super::selection::Selection;

/// Layout and paint caches of one open document (UI state only).
#[derive(Default)]
pub struct ReaderState {
    blocks: Vec<Block>,
    heights: Vec<f32>,
    measured: Vec<bool>,
    tops: Vec<f32>,
    tops_dirty: bool,
    galleys: HashMap<usize, Arc<BlockLayout>>,
    layout_key: (u32, u32, TextDirection),
    pieces: Pieces,
    pieces_version: Option<u64>,
    /// Screen position and block index of each block drawn last frame.
    drawn: Vec<(usize, Pos2)>,
    /// A code point to bring into view next frame.
    pub scroll_to: Option<usize>,
    dragging: bool,
    /// Code point under the pointer last frame.
    pub hovered_cp: Option<usize>,
    /// Where the view is scrolled to, and how much it shows (see `reader_scroll`).
    pub(crate) scroll: super::reader_scroll::ScrollPos,
    /// Cues and relations drawn last frame.
    pub marks: super::reader_marks::Marks,
    /// Text options and font atlas fill the galleys were laid out with.
    atlas: Option<(egui::epaint::text::TextOptions, f32)>,
    /// The furthest end among the first suggestions, to find a block's quickly.
    suggestion_reach: suggestions::Reach,
}

/// What happened in the reader this frame.
#[derive(Debug, Default)]
pub struct ReaderOutput {
    /// A plain click (no drag) landed on this code point.
    pub clicked: Option<usize>,
    /// The selection changed by dragging or Shift+click, and the drag ended.
    pub selection_done: bool,
    /// A double-click landed on this code point.
    pub double_clicked: Option<usize>,
    /// Pick mode: the analyst clicked this code point.
    pub picked: Option<usize>,
}

/// What the reader draws besides text.
pub struct ReaderView<'a> {
    /// The document.
    pub doc: &'a Document,
    /// Its annotations.
    pub data: &'a DocAnnotations,
    /// Changes whenever `data` changes, so cached pieces are rebuilt.
    pub data_version: u64,
    /// Label colours and kinds.
    pub tagset: &'a TagSet,
    /// Font size in points.
    pub font_size: f32,
    /// The selected annotation, if any.
    pub selected: Option<&'a str>,
    /// Extra spans to outline (speaker and cue of a selected claim).
    pub linked: &'a [Span],
    /// Find matches, and which one is current.
    pub matches: &'a [Span],
    /// Index of the current find match.
    pub current_match: Option<usize>,
    /// True while the next click picks a target rather than selecting.
    pub picking: bool,
    /// Base direction of the document's paragraphs.
    pub direction: TextDirection,
    /// Suggestions to outline, sorted by start (never annotations).
    pub suggestions: &'a [crate::model::suggest::Suggestion],
    /// The current suggestion.
    pub current_suggestion: Option<&'a crate::model::suggest::Suggestion>,
    /// Dim the document's page furniture (running headers, footers).
    pub dim_furniture: bool,
}

fn colour(rgb: [u8; 3], alpha: u8) -> Color32 {
    Color32::from_rgba_unmultiplied(rgb[0], rgb[1], rgb[2], alpha)
}

impl ReaderState {
    /// Prepares the caches for a newly opened document.
    pub fn new(doc: &Document) -> Self {
        Self {
            blocks: split_blocks(doc),
            ..Default::default()
        }
    }

    /// How far the text is scrolled from its top, in points, as last drawn.
    pub fn scroll_offset(&self) -> f32 {
        self.scroll.offset
    }

    /// Screen position of code point `cp` if it was drawn last frame (top-left of its glyph).
    pub fn screen_pos_of(&self, cp: usize) -> Option<Pos2> {
        self.drawn.iter().find_map(|&(i, origin)| {
            let b = self.blocks[i];
            if cp < b.cp.start || cp > b.cp.end {
                return None;
            }
            let g = self.galleys.get(&i)?;
            let r = g.caret(cp - b.cp.start);
            Some(origin + r.min.to_vec2() + vec2(0.0, r.height() * 0.5))
        })
    }

    /// The code points drawn last frame, from the first drawn block's start to
    /// the last one's end; `None` before anything was drawn.
    pub fn drawn_span(&self) -> Option<Span> {
        let mut it = self.drawn.iter().map(|&(i, _)| self.blocks[i].cp);
        let first = it.next()?;
        Some(it.fold(Span::new(first.start, first.end), |s, b| {
            Span::new(s.start.min(b.start), s.end.max(b.end))
        }))
    }

    /// Screen rectangles (one per line) of `span`, for the parts drawn last frame.
    pub fn screen_rects(&self, span: Span) -> Vec<Rect> {
        let mut out = Vec::new();
        for &(i, origin) in &self.drawn {
            let b = self.blocks[i].cp;
            if span.end <= b.start || span.start >= b.end {
                continue;
            }
            let Some(g) = self.galleys.get(&i) else { continue };
            let lo = span.start.max(b.start) - b.start;
            let hi = span.end.min(b.end) - b.start;
            out.extend(g.rects(lo, hi).into_iter().map(|r| r.translate(origin.to_vec2())));
        }
        out
    }

    /// The code point boundary under screen position `p`, among the blocks drawn
    /// last frame: what a click there selects from.
    pub fn cp_at_screen(&self, doc: &Document, p: Pos2) -> Option<usize> {
        let &(bi, o) = self
            .drawn
            .iter()
            .rev()
            .find(|(_, o)| p.y >= o.y)
            .or_else(|| self.drawn.first())?;
        let g = self.galleys.get(&bi)?;
        let b = self.blocks[bi];
        let c = g.cp_at(&doc.text[b.bytes.0..b.bytes.1], p - o);
        Some(b.cp.start + c.min(b.cp.len()))
    }

    fn block_of_cp(&self, cp: usize) -> usize {
        self.blocks
            .partition_point(|b| b.cp.end < cp)
            .min(self.blocks.len().saturating_sub(1))
    }

    fn relayout_if_needed(&mut self, wrap: f32, font_size: f32, direction: TextDirection) {
        let key = (wrap.to_bits(), font_size.to_bits(), direction);
        if key == self.layout_key && self.heights.len() == self.blocks.len() {
            return;
        }
        self.layout_key = key;
        self.galleys.clear();
        let row = font_size * LINE_FACTOR;
        let chars_per_row = (wrap / (font_size * 0.5)).max(8.0);
        self.heights = self
            .blocks
            .iter()
            .map(|b| ((b.cp.len() as f32 / chars_per_row).ceil().max(1.0)) * row)
            .collect();
        self.measured = vec![false; self.blocks.len()];
        self.tops_dirty = true;
    }

    /// Galleys point into the font atlas, which egui rebuilds when the text
    /// options change (a theme switch) or when it fills up (its fill then
    /// drops); painting a kept galley after that draws the wrong glyphs.
    fn drop_galleys_of_an_old_atlas(&mut self, ui: &Ui) {
        let options = ui.visuals().text_options;
        let fill = ui.fonts(|f| f.font_atlas_fill_ratio());
        if let Some((o, f)) = self.atlas
            && (o != options || fill < f)
        {
            self.galleys.clear();
        }
        self.atlas = Some((options, fill));
    }

    fn update_tops(&mut self) {
        if !self.tops_dirty {
            return;
        }
        self.tops.clear();
        self.tops.reserve(self.heights.len() + 1);
        let mut y = 0.0;
        for h in &self.heights {
            self.tops.push(y);
            y += h;
        }
        self.tops.push(y);
        self.tops_dirty = false;
    }

    fn rebuild_pieces(&mut self, data: &DocAnnotations, version: u64) {
        if self.pieces_version == Some(version) && self.pieces.blocks() == self.blocks.len() {
            return;
        }
        self.pieces_version = Some(version);
        let depths = nesting_depths(data);
        // Two passes over the same pieces: count each block's, then place them,
        // in annotation order within each block.
        let mut starts = vec![0u32; self.blocks.len() + 1];
        self.each_piece(data, |bi, _, _| starts[bi + 1] += 1);
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut all = vec![
            Piece {
                ann: 0,
                local: (0, 0),
                depth: 0
            };
            starts.last().map_or(0, |&n| n as usize)
        ];
        self.each_piece(data, |bi, ai, local| {
            all[next[bi] as usize] = Piece {
                ann: ai as u32,
                local,
                depth: depths[ai],
            };
            next[bi] += 1;
        });
        self.pieces = Pieces { all, starts };
    }

    /// Calls `f(block, annotation, code points in the block)` for every part of
    /// an annotation's spans that lies in a block.
    fn each_piece(&self, data: &DocAnnotations, mut f: impl FnMut(usize, usize, (u32, u32))) {
        for (ai, a) in data.annotations.iter().enumerate() {
            if a.orphaned {
                continue;
            }
            for s in &a.spans {
                let mut bi = self.block_of_cp(s.start);
                while bi < self.blocks.len() && self.blocks[bi].cp.start < s.end.max(s.start + 1) {
                    let b = self.blocks[bi].cp;
                    let lo = s.start.max(b.start);
                    let hi = s.end.min(b.end);
                    if lo < hi {
                        // Blocks are paragraphs: far under 2^32 code points.
                        f(bi, ai, ((lo - b.start) as u32, (hi - b.start) as u32));
                    }
                    bi += 1;
                }
            }
        }
    }

    fn galley(
        &mut self,
        ui: &Ui,
        doc: &Document,
        i: usize,
        wrap: f32,
        view: &ReaderView<'_>,
    ) -> Arc<BlockLayout> {
        let font_size = view.font_size;
        if let Some(g) = self.galleys.get(&i) {
            return g.clone();
        }
        // Keep memory bounded on long scrolls: drop everything when the cache grows large.
        if self.galleys.len() > 600 {
            self.galleys.clear();
        }
        let b = self.blocks[i];
        let text = &doc.text[b.bytes.0..b.bytes.1];
        let style = Style {
            format: egui::TextFormat {
                font_id: FontId::proportional(font_size),
                // Coloured when painted, so a change of theme needs no new layout.
                color: Color32::PLACEHOLDER,
                line_height: Some(font_size * LINE_FACTOR),
                valign: egui::Align::Center,
                ..Default::default()
            },
            wrap,
            direction: view.direction,
        };
        let g = Arc::new(ui.fonts_mut(|f| BlockLayout::new(f, text, &style)));
        let h = g.size().y.max(font_size * LINE_FACTOR);
        if !self.measured[i] || (self.heights[i] - h).abs() > 0.5 {
            self.heights[i] = h;
            self.measured[i] = true;
            self.tops_dirty = true;
        }
        self.galleys.insert(i, g.clone());
        g
    }

    /// Shows the document; returns what the pointer did.
    pub fn show(&mut self, ui: &mut Ui, view: &ReaderView<'_>, selection: &mut Selection) -> ReaderOutput {
        let mut out = ReaderOutput::default();
        let margin = 24.0;
        let avail = ui.available_width();
        let wrap = (avail - 2.0 * margin).clamp(120.0, view.font_size * 42.0);
        self.relayout_if_needed(wrap, view.font_size, view.direction);
        self.drop_galleys_of_an_old_atlas(ui);
        self.rebuild_pieces(view.data, view.data_version);
        self.suggestion_reach.update(view.suggestions);
        self.update_tops();

        // One scroll state per document: another document's offset never carries over.
        let mut scroll = egui::ScrollArea::vertical()
            .id_salt(("reader", view.doc.path.as_str()))
            .auto_shrink([false, false]);
        if let Some(cp) = self.scroll_to.take() {
            let bi = self.block_of_cp(cp);
            let y = self.tops.get(bi).copied().unwrap_or(0.0);
            scroll = scroll.vertical_scroll_offset((y - 80.0).max(0.0));
        } else if let Some(y) = self.scroll.wanted.take() {
            scroll = scroll.vertical_scroll_offset(y);
        }
        super::reader_scroll::style_scrollbar(ui);
        let shown = scroll.show_viewport(ui, |ui, viewport| {
            let total = *self.tops.last().unwrap_or(&0.0) + margin * 2.0;
            let content = Rect::from_min_size(ui.max_rect().min, vec2(avail, total));
            let response = ui.allocate_rect(content, Sense::click_and_drag());
            self.scroll.text_id = Some(response.id);
            response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Document, true, "Document text"));
            let origin = content.min + vec2(margin, margin);
            // Lay out what is visible; measuring may shift later blocks, so lay out then paint.
            let first = self
                .tops
                .partition_point(|&t| t <= viewport.min.y - margin)
                .saturating_sub(1);
            let mut visible = Vec::new();
            let mut i = first;
            while i < self.blocks.len() {
                self.update_tops();
                if self.tops[i] > viewport.max.y {
                    break;
                }
                self.galley(ui, view.doc, i, wrap, view);
                visible.push(i);
                i += 1;
            }
            self.update_tops();
            self.drawn = visible
                .iter()
                .map(|&i| (i, origin + vec2(0.0, self.tops[i])))
                .collect();
            // Measuring may have grown the text. (Not `set_min_height`: that counts
            // from the cursor, below the text, and doubled the scrollable height,
            // so its second half was blank.)
            let measured = *self.tops.last().unwrap_or(&0.0) + margin * 2.0;
            ui.expand_to_include_rect(Rect::from_min_size(content.min, vec2(avail, measured)));

            // Pointer → code point.
            let pointer = response.interact_pointer_pos().or(response.hover_pos());
            let cp_at = |this: &Self, p: Pos2| this.cp_at_screen(view.doc, p);
            self.hovered_cp = response.hover_pos().and_then(|p| cp_at(self, p));
            if let Some(p) = pointer {
                let cp = cp_at(self, p);
                if let Some(cp) = cp {
                    let shift = ui.input(|i| i.modifiers.shift);
                    if view.picking {
                        if response.clicked() {
                            out.picked = Some(cp);
                        }
                    } else if response.double_clicked() {
                        out.double_clicked = Some(cp);
                    } else if response.drag_started() {
                        self.dragging = true;
                        // Anchor where the button went down, not where the drag was recognised.
                        let origin = ui
                            .input(|i| i.pointer.press_origin())
                            .and_then(|o| cp_at(self, o));
                        if shift {
                            selection.extend_to(cp);
                        } else {
                            *selection = Selection {
                                anchor: origin.unwrap_or(cp),
                                focus: cp,
                            };
                        }
                    } else if self.dragging && response.dragged() {
                        selection.focus = cp;
                    } else if response.clicked() {
                        if shift {
                            selection.extend_to(cp);
                            out.selection_done = true;
                        } else {
                            *selection = Selection::caret(cp);
                            out.clicked = Some(cp);
                        }
                    }
                }
            }
            if self.dragging && response.drag_stopped() {
                self.dragging = false;
                out.selection_done = true;
            }

            self.paint(ui, view, selection, &visible);
            self.marks = super::reader_marks::paint(ui, self, view);
            self.marks.pages = super::reader_pages::paint(ui, self, view);
            if let Some(cp) = self.hovered_cp
                && !self.dragging
            {
                let hits = view.data.at(cp);
                if !hits.is_empty() {
                    response.on_hover_ui_at_pointer(|ui| {
                        for a in hits {
                            hover_text(ui, a, view);
                        }
                    });
                }
            }
        });
        self.scroll.seen(&shown);
        out
    }

    fn paint(&self, ui: &Ui, view: &ReaderView<'_>, selection: &Selection, visible: &[usize]) {
        let painter = ui.painter();
        let colours = super::theme::ReaderColours::of(ui.visuals());
        let text_colour = colours.text;
        let sel = selection.span();
        let sel_fill = ui.visuals().selection.bg_fill.gamma_multiply(0.7);
        let outline = Stroke::new(2.0, ui.visuals().strong_text_color());
        for &(bi, origin) in &self.drawn {
            if !visible.contains(&bi) {
                continue;
            }
            let Some(g) = self.galleys.get(&bi) else { continue };
            let block = self.blocks[bi];
            let pieces = self.pieces.of_block(bi);
            // Backgrounds of entities, layered: each adds its tint, so nesting shows as depth.
            for p in pieces {
                let a = &view.data.annotations[p.ann as usize];
                let def = view.tagset.label(&a.label);
                let rgb = def.map_or([160, 160, 160], |d| d.rgb());
                let is_claim = a.kind.is_claim() || def.is_some_and(|d| d.kind == LabelKind::Claim);
                if is_claim {
                    continue;
                }
                for r in g.rects(p.local.0 as usize, p.local.1 as usize) {
                    let r = r
                        .translate(origin.to_vec2())
                        .shrink2(vec2(0.0, f32::from(p.depth) * 1.5));
                    // Opaque, and deeper ones on top: text sits on one fill whose contrast is known.
                    painter.rect_filled(r, CornerRadius::same(3), colours.highlight(rgb));
                }
            }
            // Find matches.
            for (mi, m) in view.matches.iter().enumerate() {
                if m.end <= block.cp.start || m.start >= block.cp.end {
                    continue;
                }
                let lo = m.start.max(block.cp.start) - block.cp.start;
                let hi = m.end.min(block.cp.end) - block.cp.start;
                let current = view.current_match == Some(mi);
                for r in g.rects(lo, hi) {
                    let r = r.translate(origin.to_vec2());
                    painter.rect_filled(
                        r,
                        2.0,
                        Color32::from_rgba_unmultiplied(255, 200, 0, if current { 150 } else { 70 }),
                    );
                }
            }
            // Selection.
            if !sel.is_empty() && sel.end > block.cp.start && sel.start < block.cp.end {
                let lo = sel.start.max(block.cp.start) - block.cp.start;
                let hi = sel.end.min(block.cp.end) - block.cp.start;
                for r in g.rects(lo, hi) {
                    painter.rect_filled(r.translate(origin.to_vec2()), 0.0, sel_fill);
                }
            }
            g.paint(painter, origin, text_colour);
            // Underlines by depth: entities thin and solid; claims as a thicker bracket.
            for p in pieces {
                let a = &view.data.annotations[p.ann as usize];
                let def = view.tagset.label(&a.label);
                let rgb = def.map_or([160, 160, 160], |d| d.rgb());
                let is_claim = a.kind.is_claim();
                let rects = g.rects(p.local.0 as usize, p.local.1 as usize);
                let n = rects.len();
                for (k, r) in rects.into_iter().enumerate() {
                    let r = r.translate(origin.to_vec2());
                    let y = r.bottom() - 1.0 - f32::from(p.depth) * 3.0;
                    if is_claim {
                        let stroke = Stroke::new(2.5, colour(rgb, 255));
                        let y = r.bottom() - 0.5;
                        painter.line_segment([pos2(r.left(), y), pos2(r.right(), y)], stroke);
                        let global_start = block.cp.start + p.local.0 as usize;
                        let global_end = block.cp.start + p.local.1 as usize;
                        if k == 0 && a.spans.iter().any(|s| s.start == global_start) {
                            painter.line_segment([pos2(r.left(), r.top() + 2.0), pos2(r.left(), y)], stroke);
                        }
                        if k + 1 == n && a.spans.iter().any(|s| s.end == global_end) {
                            painter
                                .line_segment([pos2(r.right(), r.top() + 2.0), pos2(r.right(), y)], stroke);
                        }
                    } else {
                        painter.line_segment(
                            [pos2(r.left(), y), pos2(r.right(), y)],
                            Stroke::new(1.5, colour(rgb, 230)),
                        );
                    }
                    if view.selected == Some(a.id.as_str()) {
                        painter.rect_stroke(r.expand(1.0), 3.0, outline, egui::StrokeKind::Outside);
                    }
                }
            }
            suggestions::paint(
                painter,
                view,
                &self.suggestion_reach,
                block.cp,
                g,
                (origin, outline),
            );
            // Speaker and cue of a selected claim.
            for s in view.linked {
                if s.end <= block.cp.start || s.start >= block.cp.end {
                    continue;
                }
                let lo = s.start.max(block.cp.start) - block.cp.start;
                let hi = s.end.min(block.cp.end) - block.cp.start;
                for r in g.rects(lo, hi) {
                    let stroke = Stroke::new(1.5, ui.visuals().strong_text_color());
                    painter.rect_stroke(
                        r.translate(origin.to_vec2()).expand(1.0),
                        3.0,
                        stroke,
                        egui::StrokeKind::Outside,
                    );
                }
            }
        }
    }
}

fn hover_text(ui: &mut Ui, a: &crate::model::Annotation, view: &ReaderView<'_>) {
    let mut line = a.label.clone();
    if let Some(c) = a.canonical() {
        line.push_str(&format!(" → {c}"));
    }
    if let Some(c) = a.claim() {
        let speaker = match &c.speaker {
            crate::model::Speaker::Unknown => "speaker unknown".to_owned(),
            crate::model::Speaker::Author => "speaker: author of the document".to_owned(),
            crate::model::Speaker::Entity(id) => format!(
                "speaker: {}",
                view.data.get(id).map_or("(missing entity)", |e| e.quote.as_str())
            ),
        };
        line.push_str(&format!(
            " · {} · {} · {speaker}",
            c.stance.as_str(),
            c.claim_type.as_str()
        ));
        if let Some(p) = &c.proposition {
            line.push_str(&format!(" · proposition {p}"));
        }
    }
    ui.strong(line.as_str());
    for (k, v) in &a.attributes {
        ui.label(format!("{k}: {v}"));
    }
}

/// Rectangles (galley coordinates) covering characters `lo..hi` of a galley, one per row.
pub fn range_rects(g: &Galley, lo: usize, hi: usize) -> Vec<Rect> {
    let mut out = Vec::new();
    let mut row_start = 0;
    for row in &g.rows {
        let n = row.row.char_count_excluding_newline().0;
        let row_end = row_start + n;
        let a = lo.max(row_start);
        let b = hi.min(row_end);
        if a < b {
            let x0 = row.pos.x + row.row.x_offset(egui::text::CharIndex(a - row_start));
            let x1 = row.pos.x + row.row.x_offset(egui::text::CharIndex(b - row_start));
            let r = row.rect();
            out.push(Rect::from_min_max(pos2(x0, r.top()), pos2(x1, r.bottom())));
        }
        row_start += row.char_count_including_newline().0;
        if row_start >= hi {
            break;
        }
    }
    out
}

/// Cuts a document into blocks: one per line, long lines split at a space.
fn split_blocks(doc: &Document) -> Vec<Block> {
    let mut out = Vec::new();
    let text = &doc.text;
    let mut cp = 0usize;
    let mut byte = 0usize;
    for line in text.split('\n') {
        let content = line.strip_suffix('\r').unwrap_or(line);
        let mut start_b = byte;
        let mut start_cp = cp;
        let mut count = 0usize;
        let mut last_space: Option<(usize, usize)> = None;
        for (off, ch) in content.char_indices() {
            if count >= MAX_BLOCK_CHARS {
                let (sb, scp) = last_space.unwrap_or((byte + off, start_cp + count));
                out.push(Block {
                    cp: Span::new(start_cp, scp),
                    bytes: (start_b, sb),
                });
                count -= scp - start_cp;
                start_b = sb;
                start_cp = scp;
                last_space = None;
            }
            count += 1;
            if ch == ' ' {
                last_space = Some((byte + off + 1, start_cp + count));
            }
        }
        out.push(Block {
            cp: Span::new(start_cp, start_cp + count),
            bytes: (start_b, byte + content.len()),
        });
        let line_chars = start_cp + count - cp + usize::from(line.len() != content.len());
        cp += line_chars + 1;
        byte += line.len() + 1;
    }
    out
}

/// Nesting depth of each annotation: the smallest level not taken by an
/// overlapping annotation that starts earlier, so overlaps stack visibly.
fn nesting_depths(data: &DocAnnotations) -> Vec<u8> {
    let mut depths = vec![0u8; data.annotations.len()];
    // (end, depth) of annotations still open at the current start.
    let mut open: Vec<(usize, u8)> = Vec::new();
    for (i, a) in data.annotations.iter().enumerate() {
        let e = a.extent();
        open.retain(|&(end, _)| end > e.start);
        let mut d = 0u8;
        while open.iter().any(|&(_, od)| od == d) && d < 6 {
            d += 1;
        }
        depths[i] = d;
        open.push((e.end, d));
    }
    depths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_the_text_and_skip_newlines() {
        let doc = Document::new("t", "ab\r\ncd\n\nef");
        let blocks = split_blocks(&doc);
        let texts: Vec<&str> = blocks.iter().map(|b| &doc.text[b.bytes.0..b.bytes.1]).collect();
        assert_eq!(texts, ["ab", "cd", "", "ef"]);
        for b in &blocks {
            assert_eq!(doc.slice(b.cp), &doc.text[b.bytes.0..b.bytes.1]);
        }
    }

    #[test]
    fn long_lines_split_at_spaces_with_exact_offsets() {
        let word = "한국어 😀 text ";
        let text = word.repeat(900);
        let doc = Document::new("t", text.clone());
        let blocks = split_blocks(&doc);
        assert!(blocks.len() > 1);
        let mut joined = String::new();
        for b in &blocks {
            assert!(b.cp.len() <= MAX_BLOCK_CHARS);
            assert_eq!(doc.slice(b.cp), &doc.text[b.bytes.0..b.bytes.1]);
            joined.push_str(doc.slice(b.cp));
        }
        assert_eq!(joined, text);
    }
}
