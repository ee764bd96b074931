//! Suggestions in the reader: a dashed outline in the label's colour and no
//! fill, so that a proposal is never taken for an annotation (which is filled
//! and underlined). The outline follows the same per-code-point boxes as
//! highlights, so right-to-left and mixed lines are outlined where their
//! letters are.

use egui::{Color32, Painter, Pos2, Rect, Shape, Stroke, pos2, vec2};

use crate::model::Span;
use crate::model::suggest::Suggestion;

use super::ReaderView;
use super::layout::BlockLayout;

/// For each suggestion of a list sorted by start, the furthest end among it
/// and those before it: nondecreasing, so the first suggestion that may reach
/// into a block is found by bisection, even among nested ones.
/// Recomputed every frame: one pass over 10,000 suggestions takes
/// microseconds, and a list changed in place is never missed.
#[derive(Default)]
pub(super) struct Reach {
    ends: Vec<usize>,
}

impl Reach {
    /// Computes the reach of `list`.
    pub(super) fn update(&mut self, list: &[Suggestion]) {
        self.ends.clear();
        let mut m = 0;
        for s in list {
            m = m.max(s.span.end);
            self.ends.push(m);
        }
    }

    /// Indices of the suggestions that overlap `block`.
    fn within(&self, list: &[Suggestion], block: Span) -> impl Iterator<Item = usize> {
        let first = self.ends.partition_point(|&e| e <= block.start);
        let last = list.partition_point(|s| s.span.start < block.end);
        (first..last.max(first)).filter(move |&i| list[i].span.overlaps(&block))
    }
}

/// Outlines the suggestions in one block laid out at `origin`; `focus` rings the current one.
pub(super) fn paint(
    painter: &Painter,
    view: &ReaderView<'_>,
    reach: &Reach,
    block: Span,
    g: &BlockLayout,
    (origin, focus): (Pos2, Stroke),
) {
    if view.suggestions.is_empty() || reach.ends.len() != view.suggestions.len() {
        return;
    }
    for i in reach.within(view.suggestions, block) {
        let s = &view.suggestions[i];
        let rgb = view.tagset.label(&s.label).map_or([128, 128, 128], |d| d.rgb());
        let current = view.current_suggestion == Some(s);
        let colour = Color32::from_rgb(rgb[0], rgb[1], rgb[2]);
        let stroke = Stroke::new(if current { 2.5 } else { 1.5 }, colour);
        let lo = s.span.start.max(block.start) - block.start;
        let hi = s.span.end.min(block.end) - block.start;
        for r in g.rects(lo, hi) {
            let r = r.translate(origin.to_vec2()).shrink2(vec2(0.0, 1.0));
            dashed_rect(painter, r, stroke, if current { 3.0 } else { 4.0 });
            if current {
                // A solid ring around the dashes says which one Enter and Backspace act on.
                painter.rect_stroke(r.expand(2.5), 4.0, focus, egui::StrokeKind::Outside);
            }
        }
    }
}

/// A dashed rectangle: egui has dashed lines, not dashed rectangles.
fn dashed_rect(painter: &Painter, r: Rect, stroke: Stroke, dash: f32) {
    let path = [
        r.left_top(),
        r.right_top(),
        r.right_bottom(),
        r.left_bottom(),
        pos2(r.left(), r.top()),
    ];
    painter.extend(Shape::dashed_line(&path, stroke, dash, dash * 0.75));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::suggest::Origin;

    fn s(start: usize, end: usize) -> Suggestion {
        Suggestion {
            span: Span::new(start, end),
            label: "PERSON".into(),
            score: 1.0,
            origin: Origin::Matcher,
            canonical: None,
            claim: None,
        }
    }

    #[test]
    fn a_block_finds_every_suggestion_that_reaches_into_it() {
        // A long one first, nested short ones after: an end-sorted search would miss it.
        let list = vec![s(0, 50), s(2, 4), s(10, 12), s(30, 35), s(60, 70)];
        let mut reach = Reach::default();
        reach.update(&list);
        let got: Vec<usize> = reach.within(&list, Span::new(20, 40)).collect();
        assert_eq!(got, [0, 3]);
        let got: Vec<usize> = reach.within(&list, Span::new(50, 60)).collect();
        assert!(got.is_empty(), "{got:?}");
        let got: Vec<usize> = reach.within(&list, Span::new(65, 66)).collect();
        assert_eq!(got, [4]);
    }
}
