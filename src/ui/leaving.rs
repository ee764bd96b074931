//! The question asked when leaving a folder with edits that could not be
//! saved; what each answer does is in `app/leaving.rs`.

use std::path::PathBuf;

use super::app::leaving::Leaving;
use super::app::{MarginaliaApp, PickerMode, Prompt};
use super::widgets::text_field;

/// The question asked when leaving with edits that could not be saved.
pub fn unsaved_dialog(
    app: &mut MarginaliaApp,
    ctx: &egui::Context,
    mut copy_to: String,
    error: Option<String>,
) {
    let unsaved = app.unsaved_documents();
    let going = match &app.leave.to {
        Some(Leaving::OpenFolder(p)) => format!("open {}", p.display()),
        _ => "close Marginalia".to_owned(),
    };
    enum Choice {
        Retry,
        Copy,
        Pick,
        Discard,
        Cancel,
    }
    let mut choice = None;
    egui::Modal::new(egui::Id::unique("unsaved-edits")).show(ctx, |ui| {
        ui.set_max_width(560.0);
        ui.heading("Edits not saved");
        ui.label(format!(
            "You asked to {going}, but edits in {} could not be written to disk:",
            if unsaved.len() == 1 {
                "1 document".to_owned()
            } else {
                format!("{} documents", unsaved.len())
            }
        ));
        for rel in unsaved.iter().take(8) {
            let why = app
                .ws
                .sessions
                .get(rel)
                .and_then(|s| s.save_error.clone().or_else(|| s.read_only.clone()))
                .unwrap_or_else(|| "not saved yet".into());
            ui.label(format!("• {rel}: {why}"));
        }
        if unsaved.len() > 8 {
            ui.label(format!("• and {} more", unsaved.len() - 8));
        }
        ui.add_space(6.0);
        ui.label("Save a copy of the whole corpus, with these edits, in a new or empty folder:");
        ui.horizontal(|ui| {
            text_field(ui, "Copy to folder", &mut copy_to);
            if matches!(app.picker_mode, PickerMode::System) && ui.button("Choose…").clicked() {
                choice = Some(Choice::Pick);
            }
        });
        if let Some(e) = &error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui.button("Try saving again").clicked() {
                choice = Some(Choice::Retry);
            }
            if ui.button("Save a copy there").clicked() {
                choice = Some(Choice::Copy);
            }
            if ui.button("Discard these edits").clicked() {
                choice = Some(Choice::Discard);
            }
            if ui.button("Cancel").clicked() {
                choice = Some(Choice::Cancel);
            }
        });
    });
    match choice {
        Some(Choice::Retry) => app.retry_leaving(),
        Some(Choice::Discard) => app.discard_and_leave(),
        Some(Choice::Cancel) => app.cancel_leaving(),
        Some(Choice::Copy) => {
            let dest = PathBuf::from(copy_to.trim());
            if let Err(e) = app.copy_and_leave(&dest) {
                app.prompt = Some(Prompt::Unsaved {
                    copy_to,
                    error: Some(e),
                });
            }
        }
        Some(Choice::Pick) => {
            app.pick_copy_folder();
            app.prompt = Some(Prompt::Unsaved { copy_to, error });
        }
        None => app.prompt = Some(Prompt::Unsaved { copy_to, error }),
    }
}
