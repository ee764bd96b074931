//! Marks the reader draws over the text besides highlights: claim cues (a
//! subtle dashed underline, shown whether or not the claim is selected) and
//! relations (an arc from one end to the other, with its type at the top, or
//! a margin tag where only one end is on screen).
//!
//! Kept apart from the reader's layout: it only asks the reader where spans
//! were drawn ([`ReaderState::screen_rects`]).

use std::collections::HashMap;

use egui::epaint::{CubicBezierShape, PathStroke};
use egui::{Align2, Color32, FontId, Pos2, Rect, Shape, Stroke, Ui, pos2, vec2};

use super::reader::{ReaderState, ReaderView};
use crate::model::Span;

/// Colour of a label, or grey for one the tag set does not know.
fn label_rgb(view: &ReaderView<'_>, label: &str) -> [u8; 3] {
    view.tagset.label(label).map_or([160, 160, 160], |d| d.rgb())
}

/// What was drawn last frame, for tests and tools that check the picture.
#[derive(Clone, Debug, Default)]
pub struct Marks {
    /// Underlined cue pieces, one rectangle per line.
    pub cues: Vec<Rect>,
    /// Relations drawn.
    pub relations: Vec<RelationMark>,
    /// Page starts drawn (see `reader_pages`).
    pub pages: super::reader_pages::PageMarks,
}

/// One relation as drawn.
#[derive(Clone, Debug)]
pub struct RelationMark {
    /// The text shown (the type, with the far document when it is elsewhere).
    pub text: String,
    /// Where the arc starts, if that end is on screen.
    pub from: Option<Pos2>,
    /// Where it ends, if that end is on screen.
    pub to: Option<Pos2>,
}

/// Draws cues and relations for what is on screen.
pub fn paint(ui: &Ui, reader: &ReaderState, view: &ReaderView<'_>) -> Marks {
    let mut marks = Marks::default();
    paint_cues(ui, reader, view, &mut marks);
    paint_relations(ui, reader, view, &mut marks);
    marks
}

fn paint_cues(ui: &Ui, reader: &ReaderState, view: &ReaderView<'_>, marks: &mut Marks) {
    let painter = ui.painter();
    for a in &view.data.annotations {
        let Some(cue) = a.claim().and_then(|c| c.cue.as_ref()) else {
            continue;
        };
        let rgb = label_rgb(view, &a.label);
        let stroke = Stroke::new(1.5, Color32::from_rgba_unmultiplied(rgb[0], rgb[1], rgb[2], 220));
        for r in reader.screen_rects(cue.span) {
            let y = r.bottom() - 4.0;
            painter.extend(Shape::dashed_line(
                &[pos2(r.left(), y), pos2(r.right(), y)],
                stroke,
                4.0,
                3.0,
            ));
            marks.cues.push(r);
        }
    }
}

fn paint_relations(ui: &Ui, reader: &ReaderState, view: &ReaderView<'_>, marks: &mut Marks) {
    if view.data.relations.is_empty() {
        return;
    }
    let Some(shown) = reader.drawn_span() else { return };
    // The first spans of the annotations on screen, by id, found once a frame:
    // looking each relation's ends up among all annotations cost a search of
    // the whole document per relation.
    let on_screen: HashMap<&str, Span> = view
        .data
        .annotations
        .iter()
        .filter_map(|a| {
            let first = *a.spans.first()?;
            (first.start < shown.end && first.end > shown.start).then_some((a.id.as_str(), first))
        })
        .collect();
    // Where a relation's end is drawn: the top middle of the first line of the
    // annotation's first span, if on screen.
    let end_rect = |id: &str| {
        on_screen
            .get(id)
            .and_then(|s| reader.screen_rects(*s).into_iter().next())
    };
    let painter = ui.painter();
    let base = ui.visuals().strong_text_color();
    let bg = ui.visuals().panel_fill;
    for r in &view.data.relations {
        let from = end_rect(&r.from);
        let to = if r.to.doc.is_none() {
            end_rect(&r.to.id)
        } else {
            None
        };
        let touches_selected = view
            .selected
            .is_some_and(|s| s == r.from.as_str() || (r.to.doc.is_none() && s == r.to.id.as_str()));
        let colour = if touches_selected {
            base
        } else {
            base.gamma_multiply(0.55)
        };
        let width = if touches_selected { 2.0 } else { 1.2 };
        match (from, to) {
            (Some(a), Some(b)) => {
                let p0 = a.center_top();
                let p3 = b.center_top();
                let rise = (12.0 + (p3 - p0).length() * 0.12).min(42.0);
                let top = p0.y.min(p3.y) - rise;
                let c1 = pos2(p0.x, top);
                let c2 = pos2(p3.x, top);
                painter.add(CubicBezierShape::from_points_stroke(
                    [p0, c1, c2, p3],
                    false,
                    Color32::TRANSPARENT,
                    PathStroke::new(width, colour),
                ));
                arrow_head(painter, p3, colour, width);
                // The curve's highest point is at its middle (t = 0.5).
                let mid = pos2((p0.x + p3.x) * 0.5, 0.25 * (p0.y + p3.y) * 0.5 + 0.75 * top);
                tag(painter, mid, &r.kind, colour, bg);
                marks.relations.push(RelationMark {
                    text: r.kind.clone(),
                    from: Some(p0),
                    to: Some(p3),
                });
            }
            (Some(a), None) => {
                let text = match &r.to.doc {
                    Some(d) => format!("{} → {d}", r.kind),
                    None => format!("{} →", r.kind),
                };
                tag(painter, a.right_top() + vec2(4.0, 2.0), &text, colour, bg);
                marks.relations.push(RelationMark {
                    text,
                    from: Some(a.center_top()),
                    to: None,
                });
            }
            (None, Some(b)) => {
                let text = format!("→ {}", r.kind);
                tag(painter, b.left_top() + vec2(-4.0, 2.0), &text, colour, bg);
                marks.relations.push(RelationMark {
                    text,
                    from: None,
                    to: Some(b.center_top()),
                });
            }
            (None, None) => {}
        }
    }
}

fn arrow_head(painter: &egui::Painter, tip: Pos2, colour: Color32, width: f32) {
    let s = 4.0 + width;
    painter.add(Shape::convex_polygon(
        vec![tip, tip + vec2(-s * 0.6, -s), tip + vec2(s * 0.6, -s)],
        colour,
        Stroke::NONE,
    ));
}

/// A small type name on the panel's background, centred on `at`.
fn tag(painter: &egui::Painter, at: Pos2, text: &str, colour: Color32, bg: Color32) {
    let galley = painter.layout_no_wrap(text.to_owned(), FontId::proportional(11.0), colour);
    let rect = Align2::CENTER_BOTTOM.anchor_size(at, galley.size()).expand(2.0);
    painter.rect_filled(rect, 3.0, bg);
    painter.galley(rect.min + vec2(2.0, 2.0), galley, colour);
}
