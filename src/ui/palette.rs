//! The menu bar and the tag palette.

use egui::Ui;

use super::actions::Action;
use super::app::MarginaliaApp;
use super::command::Command;
use super::widgets::swatch;

/// The menu bar.
pub fn menu_bar(app: &mut MarginaliaApp, ui: &mut Ui) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Open folder…  (Ctrl+O)").clicked() {
                app.run_action(Action::OpenFolder);
                ui.close();
            }
            if ui.button("Open folder by path…").clicked() {
                app.ask_for_path("");
                ui.close();
            }
            ui.menu_button("Recent folders", |ui| {
                if app.prefs.recent.is_empty() {
                    ui.label("No recent folders yet");
                }
                for p in app.prefs.recent.clone() {
                    if ui.button(p.display().to_string()).clicked() {
                        app.open_folder(&p);
                        ui.close();
                    }
                }
            });
            ui.separator();
            if ui
                .add_enabled(app.ws.corpus.is_some(), egui::Button::new("Export…"))
                .clicked()
            {
                app.export = Some(super::export_dialog::new_dialog(app));
                ui.close();
            }
            if ui
                .add_enabled(
                    app.session().is_some(),
                    egui::Button::new("Compare with another copy…"),
                )
                .clicked()
            {
                app.prompt = Some(super::app::Prompt::CompareWith {
                    text: String::new(),
                    error: None,
                });
                ui.close();
            }
            if ui.button("Save now  (Ctrl+S)").clicked() {
                app.run_action(Action::Save);
                ui.close();
            }
            if ui.button("Your name…").clicked() {
                app.prompt = Some(super::app::Prompt::Annotator {
                    text: app.prefs.annotator.clone(),
                });
                ui.close();
            }
            ui.separator();
            if ui.button("Quit  (Ctrl+Q)").clicked() {
                app.run_action(Action::Quit);
                ui.close();
            }
        });
        ui.menu_button("Edit", |ui| {
            // One history for the workspace: the step named here may be in another document.
            let label = |verb: &str, step: Option<(&str, Vec<&str>)>| match step {
                None => verb.to_owned(),
                Some((d, docs)) if docs.len() > 1 => format!("{verb} {d} ({} documents)", docs.len()),
                Some((d, docs)) if docs.first().copied() != app.current.as_deref() => {
                    format!("{verb} {d} (in {})", docs.first().copied().unwrap_or_default())
                }
                Some((d, _)) => format!("{verb} {d}"),
            };
            let undo_text = label("Undo", app.ws.history.undo_step());
            let redo_text = label("Redo", app.ws.history.redo_step());
            let (can_undo, can_redo) = (
                app.ws.history.undo_step().is_some(),
                app.ws.history.redo_step().is_some(),
            );
            if ui.add_enabled(can_undo, egui::Button::new(undo_text)).clicked() {
                app.run(Command::Undo);
                ui.close();
            }
            if ui.add_enabled(can_redo, egui::Button::new(redo_text)).clicked() {
                app.run(Command::Redo);
                ui.close();
            }
            ui.separator();
            if ui.button("Find…  (Ctrl+F)").clicked() {
                app.run_action(Action::Find);
                ui.close();
            }
            if ui.button("Annotate all occurrences in the corpus…").clicked() {
                app.start_propagation();
                ui.close();
            }
            if ui.button("Delete annotation  (Delete)").clicked() {
                app.run(Command::DeleteSelected);
                ui.close();
            }
            ui.separator();
            suggestion_menu(app, ui);
        });
        ui.menu_button("View", |ui| {
            if ui.button("Larger text  (Ctrl++)").clicked() {
                app.run_action(Action::ZoomIn);
            }
            if ui.button("Smaller text  (Ctrl+-)").clicked() {
                app.run_action(Action::ZoomOut);
            }
            ui.checkbox(&mut app.prefs.snap_words, "Snap selection to words  (Ctrl+W)");
            ui.checkbox(&mut app.prefs.dim_furniture, "Dim page headers and footers")
                .on_hover_text("In documents with pages (PDF): running headers, footers and page numbers are shown faint");
            if ui.button("Usual text size  (Ctrl+0)").clicked() {
                app.run_action(Action::ZoomReset);
            }
            ui.separator();
            ui.menu_button("Theme", |ui| {
                for (choice, text) in super::theme::ThemeChoice::ALL {
                    if ui.radio(app.prefs.theme == choice, text).clicked() {
                        app.prefs.theme = choice;
                        ui.close();
                    }
                }
            });
            direction_menu(app, ui);
            ui.separator();
            ui.menu_button("Suggestions", |ui| {
                let e = &mut app.prefs.suggestions;
                ui.checkbox(&mut e.matcher, "Text tagged before (matcher)");
                ui.checkbox(&mut e.learner, "Learned from your tags (learner)");
                ui.checkbox(&mut e.detector, "Figures, dates and claim cues (detector)");
                ui.checkbox(&mut e.gazetteer, "Corpus gazetteer (gazetteer)");
            });
        });
        ui.menu_button("Help", |ui| {
            if ui.button("Help and keyboard shortcuts  (F1)").clicked() {
                app.show_help = true;
                ui.close();
            }
        });
    });
}

/// The Edit menu's suggestion entries: step, accept, reject, and accept all
/// of one label in the document.
fn suggestion_menu(app: &mut MarginaliaApp, ui: &mut Ui) {
    let list = app.suggestions_here().unwrap_or_default();
    let current = app.current_suggestion().is_some();
    let mut run = None;
    if ui
        .add_enabled(!list.is_empty(), egui::Button::new("Next suggestion  (N)"))
        .clicked()
    {
        run = Some(Command::StepSuggestion(true));
    }
    if ui
        .add_enabled(current, egui::Button::new("Accept suggestion  (Enter)"))
        .clicked()
    {
        run = Some(Command::AcceptSuggestion);
    }
    if ui
        .add_enabled(current, egui::Button::new("Reject suggestion  (Backspace)"))
        .clicked()
    {
        run = Some(Command::RejectSuggestion);
    }
    let mut labels: Vec<&str> = list.iter().map(|s| s.label.as_str()).collect();
    labels.sort_unstable();
    labels.dedup();
    ui.add_enabled_ui(!labels.is_empty(), |ui| {
        ui.menu_button("Accept all suggestions of a label", |ui| {
            for l in labels {
                let n = list.iter().filter(|s| s.label == l).count();
                if ui.button(format!("{l} ({n} in this document)")).clicked() {
                    run = Some(Command::AcceptAllSuggested(l.to_owned()));
                }
            }
        });
    });
    if let Some(c) = run {
        app.run(c);
        ui.close();
    }
}

/// The paragraph direction of the open document: following its text, or set
/// for this document (kept in the preferences, not the sidecar).
fn direction_menu(app: &mut MarginaliaApp, ui: &mut Ui) {
    use crate::model::bidi::TextDirection;
    let (Some(c), Some(s)) = (&app.ws.corpus, app.session()) else {
        return;
    };
    let (root, rel) = (c.root.clone(), s.doc.path.clone());
    ui.menu_button("Text direction of this document", |ui| {
        let current = app.prefs.direction(&root, &rel);
        for dir in TextDirection::ALL {
            if ui.radio(current == dir, dir.label()).clicked() {
                app.prefs.set_direction(&root, &rel, dir);
                ui.close();
            }
        }
    });
}

/// The tag palette: one button per label with its colour and hotkey.
pub fn palette(app: &mut MarginaliaApp, ui: &mut Ui) {
    let Some(c) = &app.ws.corpus else { return };
    let labels = c.tagset.labels.clone();
    let mut clicked = None;
    ui.horizontal_wrapped(|ui| {
        ui.label("Tags:");
        for l in &labels {
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = 3.0;
                swatch(ui, l.rgb());
                let text = match &l.hotkey {
                    Some(k) => format!("{k}  {}", l.name),
                    None => l.name.clone(),
                };
                let r = ui.button(text);
                let r = if l.description.is_empty() {
                    r
                } else {
                    r.on_hover_text(&l.description)
                };
                if r.clicked() {
                    clicked = Some(l.name.clone());
                }
            });
        }
    });
    if let Some(name) = clicked {
        app.run(Command::ApplyLabel(name));
    }
}
