//! File → Export…: the same export as `marginalia export`, run on a
//! background thread with a progress bar and a Cancel button.

use std::sync::atomic::Ordering;

use crate::formats::Format;

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
        .show(ctx, |ui| {
            let before = d.format;
            egui::ComboBox::from_label("Format")
                .selected_text(d.format.as_str())
                .show_ui(ui, |ui| {
                    for f in Format::ALL {
                        ui.selectable_value(&mut d.format, f, f.as_str());
                    }
                });
            reset_path = before != d.format;
            text_field(ui, "Destination", &mut d.path);
            ui.checkbox(&mut d.only_done, "Only documents marked done");
            ui.checkbox(&mut d.force, "Replace the destination if it exists");
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
