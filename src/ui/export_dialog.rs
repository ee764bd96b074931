//! File → Export…: the same export as `marginalia export`, run on a
//! background thread with a progress bar and a Cancel button.

use std::sync::atomic::Ordering;

use crate::formats::{ExportError, Format};

use super::app::MarginaliaApp;
use super::state::ExportDialog;
use super::widgets::text_field;

/// A dialog proposing `<corpus>-annotations.jsonl` beside the corpus folder.
pub fn new_dialog(app: &MarginaliaApp) -> ExportDialog {
    let format = Format::Jsonl;
    ExportDialog {
        format,
        path: default_path(app, format),
        only_done: false,
        force: false,
        base_uri: String::new(),
        csv_formulas: false,
        running: None,
        outcome: None,
    }
}

fn default_path(app: &MarginaliaApp, format: Format) -> String {
    let Some(c) = &app.ws.corpus else {
        return String::new();
    };
    let name = if format.is_folder() {
        format!("{}-{}", c.name(), format.as_str())
    } else {
        format!("{}-annotations.{}", c.name(), format.extension())
    };
    c.beside(&name)
}

/// Shows the export window while it is open.
pub fn show(app: &mut MarginaliaApp, ctx: &egui::Context) {
    let Some(mut d) = app.export.take() else { return };
    let mut open = true;
    let mut start = false;
    let mut reset_path = false;
    egui::Window::new("Export annotated dataset")
        .open(&mut open)
        .collapsible(false)
        .min_width(560.0)
        .show(ctx, |ui| {
            let before = d.format;
            egui::ComboBox::from_label("Format")
                .selected_text(d.format.title())
                .width(420.0)
                .show_ui(ui, |ui| {
                    for f in Format::ALL {
                        ui.selectable_value(&mut d.format, f, f.title());
                    }
                });
            reset_path = before != d.format;
            text_field(ui, "Destination", &mut d.path);
            ui.checkbox(&mut d.only_done, "Only documents marked done");
            ui.checkbox(&mut d.force, "Replace the destination if it exists");
            match d.format {
                Format::W3c => {
                    text_field(ui, "Web address of the documents (optional)", &mut d.base_uri);
                    ui.weak("Left empty, each document is named by its place on this computer.");
                }
                Format::Csv => {
                    ui.checkbox(
                        &mut d.csv_formulas,
                        "Keep cells that start with = + - @ as they are (spreadsheets may run them)",
                    );
                }
                _ => {}
            }
            if let Some(r) = &d.running {
                let (done, total) = (r.done.load(Ordering::Relaxed), r.total.load(Ordering::Relaxed));
                let frac = if total == 0 {
                    0.0
                } else {
                    done as f32 / total as f32
                };
                ui.add(egui::ProgressBar::new(frac).text(format!("{done} of {total} documents")));
                if ui.button("Cancel").clicked() {
                    r.cancel.store(true, Ordering::Relaxed);
                }
                ctx.request_repaint_after(std::time::Duration::from_millis(50));
            } else if ui.button("Export").clicked() {
                start = true;
            }
            match &d.outcome {
                Some(Ok(summary)) => {
                    ui.label(format!("Done: {summary}"));
                }
                Some(Err(e)) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                None => {}
            }
        });
    if reset_path {
        d.path = default_path(app, d.format);
    }
    let keep = open || d.running.is_some();
    if !open && let Some(r) = &d.running {
        r.cancel.store(true, Ordering::Relaxed);
    }
    app.export = keep.then_some(d);
    if start {
        app.start_export();
    }
}

/// What the export window says when an export did not happen: the same
/// facts as the command line's message, in the window's words.
pub fn message(e: &ExportError) -> String {
    match e {
        ExportError::Exists(p) => format!(
            "{} already exists. Choose another destination, or tick \"Replace the destination if it exists\".",
            p.display()
        ),
        ExportError::InsideCorpus(p) => format!(
            "{} is inside the corpus folder. Choose a destination outside it, so the export is not read back as documents.",
            p.display()
        ),
        ExportError::Unwritable(p, e) => format!(
            "Cannot write {}: {e}. Check that its folder exists and that you can write there.",
            p.display()
        ),
        ExportError::Corpus(p, e) => format!("Cannot read the corpus {}: {e}.", p.display()),
        ExportError::Strict(skips) => format!(
            "{} document(s) could not be exported; nothing was written.",
            skips.len()
        ),
        ExportError::Cancelled => "The export was cancelled; nothing was written.".to_owned(),
        ExportError::FolderToStream(f) => {
            format!("The {} export needs a folder as its destination.", f.as_str())
        }
        ExportError::BaseUri(why) => format!("The web address cannot be used: {why}."),
        ExportError::Stream(e) => format!("The export could not be written: {e}."),
        ExportError::Nothing(r) => {
            let mut why = Vec::new();
            if r.not_done > 0 {
                why.push(format!("{} not marked done", r.not_done));
            }
            if !r.skipped.is_empty() {
                why.push(format!("{} that cannot be exported", r.skipped.len()));
            }
            let why = if why.is_empty() {
                "the corpus has no documents".to_owned()
            } else {
                format!("the corpus has {}", why.join(" and "))
            };
            format!("There is no document to export ({why}); nothing was written.")
        }
    }
}
