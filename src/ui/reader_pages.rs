//! What the reader draws for a source with pages (a PDF): a mark where each
//! page begins, with its number in the margin, and the running headers,
//! footers and page numbers of each page dimmed when the View menu says so.
//! Sources without pages draw nothing here.

use egui::{Align2, Color32, FontId, Pos2, Shape, Stroke, Ui, pos2};

use super::reader::{ReaderState, ReaderView};

/// Page starts drawn last frame: the page number and where its mark is.
pub type PageMarks = Vec<(usize, Pos2)>;

/// Draws page marks and dims furniture for what is on screen.
pub fn paint(ui: &Ui, reader: &ReaderState, view: &ReaderView<'_>) -> PageMarks {
    let layout = &view.doc.layout;
    let mut marks = Vec::new();
    if layout.pages.is_empty() && layout.furniture.is_empty() {
        return marks;
    }
    let painter = ui.painter();
    let weak = ui.visuals().weak_text_color();
    if view.dim_furniture {
        let bg = ui.visuals().panel_fill;
        let veil = Color32::from_rgba_unmultiplied(bg.r(), bg.g(), bg.b(), 190);
        for span in &layout.furniture {
            for r in reader.screen_rects(*span) {
                painter.rect_filled(r, 0.0, veil);
            }
        }
    }
    let clip = ui.clip_rect();
    for (i, &start) in layout.pages.iter().enumerate() {
        let Some(at) = reader.screen_pos_of(start) else {
            continue;
        };
        let y = at.y - view.font_size * 0.75;
        let stroke = Stroke::new(1.0, weak);
        painter.extend(Shape::dashed_line(
            &[pos2(clip.left() + 4.0, y), pos2(clip.right() - 4.0, y)],
            stroke,
            6.0,
            4.0,
        ));
        painter.text(
            pos2(clip.left() + 4.0, y + 2.0),
            Align2::LEFT_TOP,
            format!("p. {}", i + 1),
            FontId::proportional(11.0),
            weak,
        );
        marks.push((i + 1, pos2(clip.left(), y)));
    }
    marks
}

/// "Page 4" or "Pages 4–5" for an annotation's spans, when the source has pages.
pub fn pages_label(doc: &crate::model::Document, spans: &[crate::model::Span]) -> Option<String> {
    let first = spans.first()?;
    let last = spans.last()?;
    let (a, _) = doc.layout.pages_of(*first)?;
    let (_, b) = doc.layout.pages_of(*last)?;
    Some(if a == b {
        format!("Page {a}")
    } else {
        format!("Pages {a}–{b}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, Layout, SourceKind, Span};

    #[test]
    fn page_labels_name_the_pages_a_span_touches() {
        let doc = Document::new("r.pdf", "one\ntwo\nthree").with_source(
            SourceKind::Pdf,
            1,
            Layout {
                pages: vec![0, 4, 8],
                ..Layout::default()
            },
        );
        assert_eq!(pages_label(&doc, &[Span::new(5, 6)]).as_deref(), Some("Page 2"));
        assert_eq!(
            pages_label(&doc, &[Span::new(1, 2), Span::new(9, 10)]).as_deref(),
            Some("Pages 1–3")
        );
        assert_eq!(
            pages_label(&Document::new("a.txt", "x"), &[Span::new(0, 1)]),
            None
        );
    }
}
