//! Side-by-side comparison of one document as annotated in two copies of the
//! corpus (two analysts), with every disagreement listed and marked.

use egui::{RichText, Ui};

use crate::agree::Disagreement;
use crate::model::Span;

use super::app::MarginaliaApp;
use super::reader::ReaderView;

fn spans_of(d: &Disagreement, side_a: bool) -> Vec<Span> {
    let side = if side_a { &d.a } else { &d.b };
    side.as_ref().map(|s| s.spans.clone()).unwrap_or_default()
}

/// Shows the comparison.
pub fn show(app: &mut MarginaliaApp, ui: &mut Ui) {
    let Some(tagset) = app.ws.corpus.as_ref().map(|c| c.tagset.clone()) else {
        return;
    };
    let font_size = app.prefs.font_size;
    let Some(cmp) = app.compare.as_mut() else {
        ui.label("Use File → Compare with another copy… to compare this document with a colleague's copy.");
        return;
    };
    ui.horizontal_wrapped(|ui| {
        ui.strong(&cmp.rel);
        ui.label(format!(
            "— this copy: {} annotations; {}: {} annotations; {} disagreements",
            cmp.a.annotations.len(),
            cmp.other.display(),
            cmp.b.annotations.len(),
            cmp.disagreements.len()
        ));
    });
    let mut pick = None;
    egui::ScrollArea::vertical()
        .id_salt("disagreements")
        .max_height(150.0)
        .show(ui, |ui| {
            for (i, d) in cmp.disagreements.iter().enumerate() {
                let side = |s: &Option<crate::agree::AnnSide>| {
                    s.as_ref()
                        .map_or("—".to_owned(), |s| format!("{} “{}”", s.label, s.quote))
                };
                let text = format!(
                    "{} at {}: A {} · B {}",
                    d.kind.as_str(),
                    d.start(),
                    side(&d.a),
                    side(&d.b)
                );
                if ui.selectable_label(cmp.current == Some(i), text).clicked() {
                    pick = Some(i);
                }
            }
            if cmp.disagreements.is_empty() {
                ui.label(RichText::new("The two copies agree on this document.").strong());
            }
        });
    if let Some(i) = pick {
        cmp.current = Some(i);
        let at = cmp.disagreements[i].start();
        cmp.reader_a.scroll_to = Some(at);
        cmp.reader_b.scroll_to = Some(at);
    }
    // Every disagreement is outlined on both sides; the picked one is also highlighted.
    let outline_a: Vec<Span> = cmp.disagreements.iter().flat_map(|d| spans_of(d, true)).collect();
    let outline_b: Vec<Span> = cmp
        .disagreements
        .iter()
        .flat_map(|d| spans_of(d, false))
        .collect();
    let current: Vec<Span> = cmp
        .current
        .and_then(|i| cmp.disagreements.get(i))
        .map(|d| {
            let mut v = spans_of(d, true);
            v.extend(spans_of(d, false));
            v
        })
        .unwrap_or_default();
    ui.separator();
    ui.columns(2, |cols| {
        for (k, col) in cols.iter_mut().enumerate() {
            let (reader, data, sel, outline, title) = if k == 0 {
                (
                    &mut cmp.reader_a,
                    &cmp.a,
                    &mut cmp.sel_a,
                    &outline_a,
                    "This copy (A)".to_owned(),
                )
            } else {
                (
                    &mut cmp.reader_b,
                    &cmp.b,
                    &mut cmp.sel_b,
                    &outline_b,
                    format!("{} (B)", cmp.other.display()),
                )
            };
            col.strong(title);
            col.push_id(k, |ui| {
                let view = ReaderView {
                    doc: &cmp.doc,
                    data,
                    data_version: 1,
                    tagset: &tagset,
                    font_size,
                    selected: None,
                    linked: outline,
                    matches: &current,
                    current_match: None,
                    picking: false,
                    direction: Default::default(),
                    suggestions: &[],
                    current_suggestion: None,
                    dim_furniture: true,
                };
                reader.show(ui, &view, sel);
            });
        }
    });
}
