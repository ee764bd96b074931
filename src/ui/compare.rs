//! Side-by-side comparison of one document as annotated in two copies of the
//! corpus (two analysts), with every disagreement listed and marked.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::{RichText, Ui};

use crate::agree::{Disagreement, disagreements, load_pair};
use crate::model::{DocAnnotations, Document, Span};

use super::app::MarginaliaApp;
use super::reader::{ReaderState, ReaderView, Selection};

/// One document compared across two corpus copies.
pub struct Comparison {
    /// The other copy's root folder.
    pub other: PathBuf,
    /// Document path.
    pub rel: String,
    /// The text (the same in both copies).
    pub doc: Arc<Document>,
    /// This copy's annotations.
    pub a: DocAnnotations,
    /// The other copy's annotations.
    pub b: DocAnnotations,
    /// Where they differ, in text order.
    pub disagreements: Vec<Disagreement>,
    /// The disagreement shown, if one was picked.
    pub current: Option<usize>,
    reader_a: ReaderState,
    reader_b: ReaderState,
    sel_a: Selection,
    sel_b: Selection,
}

impl MarginaliaApp {
    /// Compares the current document with the same document in `other`.
    pub fn compare_with(&mut self, other: &Path) -> Result<(), String> {
        let (Some(c), Some(rel)) = (&self.ws.corpus, self.current.clone()) else {
            return Err("Open a document first.".into());
        };
        if !other.is_dir() {
            return Err(format!(
                "{} is not a folder that exists here. Check the spelling.",
                other.display()
            ));
        }
        let root = c.root.clone();
        // Compare what is on disk in both copies, so unsaved edits go first.
        self.ws.save_all_blocking();
        let (a, b) = load_pair(&root, other, &rel).map_err(|warnings| {
            let text: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
            format!("Cannot compare {rel}: {}", text.join("; "))
        })?;
        let found = disagreements(&a.doc, &a.data, &b.data);
        let doc = Arc::new(a.doc);
        self.compare = Some(Comparison {
            other: other.to_path_buf(),
            rel,
            reader_a: ReaderState::new(&doc),
            reader_b: ReaderState::new(&doc),
            doc,
            a: a.data,
            b: b.data,
            disagreements: found,
            current: None,
            sel_a: Selection::default(),
            sel_b: Selection::default(),
        });
        self.tab = super::app::Tab::Compare;
        Ok(())
    }
}

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
                };
                reader.show(ui, &view, sel);
            });
        }
    });
}
