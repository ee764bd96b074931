//! Lays the workbench out: menu and palette on top, document list left,
//! inspector right, status bar at the bottom, the reader in the middle.

use egui::{RichText, Ui};

use crate::model::{Kind, Span, Speaker};

use super::actions::{SHORTCUTS, describe};
use super::app::{MarginaliaApp, Prompt, Tab};
use super::command::Command;
use super::state::SaveState;
use super::widgets::{bare_field, text_field};
use super::{doc_list, inspector, palette};

/// Draws the whole workbench for one frame and handles its input.
pub fn show(app: &mut MarginaliaApp, ui: &mut Ui) {
    let ctx = ui.ctx().clone();
    // The reader's text size is the one zoom: egui's own Ctrl+plus/minus would
    // scale the whole interface instead, and only for some of the keys.
    ctx.options_mut(|o| o.zoom_with_keyboard = false);
    app.prefs.theme.apply(&ctx);
    // The window's close button: held open until every edit is on disk or the
    // analyst has decided about those that cannot be (see `ui::leaving`).
    if ctx.input(|i| i.viewport().close_requested()) && !app.may_close() {
        ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        app.request_quit();
    }
    app.tick(&ctx);
    app.handle_keys(&ctx);
    if app.leave.close_now {
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }

    egui::Panel::top("top").show(ui, |ui| {
        palette::menu_bar(app, ui);
        palette::palette(app, ui);
    });
    egui::Panel::bottom("status").show(ui, |ui| status_bar(app, ui));
    egui::Panel::left("documents")
        .resizable(true)
        .default_size(260.0)
        .show(ui, |ui| doc_list::show(app, ui));
    egui::Panel::right("inspector")
        .resizable(true)
        .default_size(320.0)
        .max_size(520.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("inspector")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    // Wrap rather than widen: a long quote must not push the reader aside.
                    ui.set_max_width(ui.available_width());
                    if let Some(command) = inspector::show(app, ui) {
                        app.run(command);
                    }
                });
        });
    egui::CentralPanel::default().show(ui, |ui| central(app, ui));
    dialogs(app, &ctx);
    if app.leave.to.is_some() && app.prompt.is_none() {
        // Leaving was asked for while drawing (a menu, a dialog): go on at once,
        // not at the next input.
        ctx.request_repaint();
    }
}

fn central(app: &mut MarginaliaApp, ui: &mut Ui) {
    let area = ui.max_rect();
    central_view(app, ui);
    let banners = super::banners::collect(app);
    super::banners::show(app, ui, area, &banners);
}

fn central_view(app: &mut MarginaliaApp, ui: &mut Ui) {
    ui.horizontal(|ui| {
        ui.selectable_value(&mut app.tab, Tab::Reader, "Reader");
        ui.selectable_value(&mut app.tab, Tab::Entities, "Entities");
        ui.selectable_value(&mut app.tab, Tab::Claims, "Claims");
        ui.selectable_value(&mut app.tab, Tab::Propositions, "Propositions");
        if app.compare.is_some() || app.adjudication.is_some() {
            ui.selectable_value(&mut app.tab, Tab::Compare, "Compare");
        }
        if app.ws.corpus.is_some() {
            let team = ui.selectable_value(&mut app.tab, Tab::Team, "Team");
            if team.clicked() && !app.team.reading && app.team.folder != app.ws.folder {
                app.team_refresh();
            }
        }
    });
    ui.separator();
    match app.tab {
        Tab::Reader => {}
        Tab::Entities => return super::entity_index::show(app, ui),
        Tab::Claims => return super::claims_board::show(app, ui),
        Tab::Propositions => {
            if let Some(command) = super::propositions::show(app, ui) {
                app.run(command);
            }
            return;
        }
        Tab::Compare if app.adjudication.is_some() => {
            if let Some(command) = super::adjudicate::show(app, ui) {
                app.run(command);
            }
            return;
        }
        Tab::Compare => return super::compare::show(app, ui),
        Tab::Team => {
            if let Some(command) = super::team::show(app, ui) {
                app.run(command);
            }
            return;
        }
    }
    if app.session().is_none() {
        if let (Some(rel), Some(p)) = (app.loading(), app.loading_preview()) {
            // A long PDF: its first page at once, read-only, while the rest is read.
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!(
                    "Page 1 of {} of {rel} shown; reading the rest. Annotating starts when the whole text is in.",
                    p.page_count
                ));
            });
            ui.separator();
            // In the reader's size, so that the page does not jump when the whole arrives.
            let size = app.prefs.font_size;
            egui::ScrollArea::vertical()
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    ui.add(egui::Label::new(RichText::new(p.text.as_str()).size(size)).wrap());
                });
        } else if let Some(rel) = app.loading() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("Loading {rel}…"));
            });
        } else if app.ws.corpus.is_none() {
            ui.centered_and_justified(|ui| {
                ui.label(
                    "Open a folder of documents with File → Open folder… (Ctrl+O), or drop a folder here.",
                )
            });
        }
        return;
    }
    if app.find.open {
        find_bar(app, ui);
    }
    app.refresh_find();
    let (Some(s), Some(v)) = (app.session(), app.view()) else {
        return;
    };
    let linked = linked_spans(s, v.selected.as_ref());
    let rel = s.doc.path.clone();
    let selected = v.selected.clone();
    // The reader's caches are drawn from while the app is borrowed: take them out for the frame.
    let v = app.views.get_mut(&rel).expect("open view");
    let mut reader = std::mem::take(&mut v.reader);
    let mut selection = v.selection;
    let suggestions = app.suggestions_here().unwrap_or_default();
    let current = app.current_suggestion();
    let shown = (suggestions.as_slice(), current.as_ref());
    let out = match app.reader_view(&app.ws.sessions[&rel], selected.as_deref(), &linked, shown) {
        Some(view) => reader.show(ui, &view, &mut selection),
        None => Default::default(),
    };
    let v = app.views.get_mut(&rel).expect("open view");
    v.reader = reader;
    v.selection = selection;
    app.after_reader(out);
}

/// Speaker and cue spans of the selected claim, outlined in the reader.
fn linked_spans(s: &super::state::Session, selected: Option<&crate::model::AnnId>) -> Vec<Span> {
    let Some(a) = selected.and_then(|id| s.data.get(id)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Kind::Claim(c) = &a.kind {
        if let Speaker::Entity(id) = &c.speaker
            && let Some(e) = s.data.get(id)
        {
            out.extend(e.spans.iter().copied());
        }
        if let Some(cue) = &c.cue {
            out.push(cue.span);
        }
    }
    out
}

fn find_bar(app: &mut MarginaliaApp, ui: &mut Ui) {
    let labels: Vec<String> = app
        .ws
        .corpus
        .as_ref()
        .map(|c| c.tagset.labels.iter().map(|l| l.name.clone()).collect())
        .unwrap_or_default();
    let mut step = None;
    let mut annotate = false;
    ui.horizontal_wrapped(|ui| {
        let r = bare_field(ui, "Find", &mut app.find.query, "Find in document", 220.0);
        if app.find.focus_query {
            r.request_focus();
            app.find.focus_query = false;
        }
        if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            step = Some(!ui.input(|i| i.modifiers.shift));
            r.request_focus();
        }
        ui.checkbox(&mut app.find.match_case, "Match case");
        ui.checkbox(&mut app.find.whole_word, "Whole words");
        let n = app.find.matches.len();
        match app.find.current {
            Some(c) if n > 0 => ui.label(format!("{} of {n}", c + 1)),
            _ => ui.label(format!("{n} matches")),
        };
        if ui
            .button("▲")
            .on_hover_text("Previous match (Shift+Enter)")
            .clicked()
        {
            step = Some(false);
        }
        if ui.button("▼").on_hover_text("Next match (Enter)").clicked() {
            step = Some(true);
        }
        egui::ComboBox::from_label("as")
            .selected_text(&app.find.label)
            .show_ui(ui, |ui| {
                for l in &labels {
                    ui.selectable_value(&mut app.find.label, l.clone(), l);
                }
            });
        if ui
            .add_enabled(n > 0, egui::Button::new(format!("Annotate all {n} matches")))
            .clicked()
        {
            annotate = true;
        }
    });
    if let Some(fwd) = step {
        app.refresh_find();
        app.step_match(fwd);
    }
    if annotate {
        app.run(Command::AnnotateAllMatches);
    }
}

fn status_bar(app: &mut MarginaliaApp, ui: &mut Ui) {
    ui.horizontal(|ui| {
        let Some(s) = app.session() else {
            match app.loading() {
                Some(rel) => ui.label(format!("Loading {rel}…")),
                None => ui.label("No document open"),
            };
            return;
        };
        if let Some(c) = &app.ws.corpus {
            let pos = c.index_of(&s.doc.path).map_or(0, |p| p + 1);
            ui.label(format!("Document {pos} of {}", c.entries.len()));
        }
        ui.separator();
        ui.label(format!("{} annotations", s.data.annotations.len()));
        ui.separator();
        let sel = app.view().map(|v| v.selection).unwrap_or_default().span();
        if sel.is_empty() {
            ui.label(format!("Cursor {}", sel.start));
        } else {
            ui.label(format!(
                "Selection {}–{} ({} chars)",
                sel.start,
                sel.end,
                sel.len()
            ));
        }
        ui.separator();
        ui.label(if app.prefs.snap_words {
            "Snap to words: on"
        } else {
            "Snap to words: off"
        });
        ui.separator();
        match s.save_state() {
            SaveState::Saved => ui.label("Saved"),
            SaveState::Pending | SaveState::Saving => ui.label("Saving…"),
            SaveState::Failed(e) => ui.colored_label(ui.visuals().error_fg_color, e),
        };
        if s.read_only.is_some() {
            ui.separator();
            ui.colored_label(ui.visuals().error_fg_color, "Read-only");
        }
        ui.separator();
        name_field(app, ui);
    });
}

/// The name recorded on new annotations, editable in place. Empty means the
/// system's user name, shown as the hint.
fn name_field(app: &mut MarginaliaApp, ui: &mut Ui) {
    ui.label("Annotating as");
    let hint = super::app::system_user_name();
    let r = ui.add(
        egui::TextEdit::singleline(&mut app.prefs.annotator)
            .hint_text(hint)
            .desired_width(110.0),
    );
    r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Your name"));
    r.on_hover_text("Recorded on every annotation you make, so a team can tell who tagged what.");
}

fn dialogs(app: &mut MarginaliaApp, ctx: &egui::Context) {
    if app.show_help {
        let mut open = true;
        egui::Window::new("Help").open(&mut open).collapsible(false).vscroll(true).show(ctx, |ui| {
            claims_help(ui);
            ui.separator();
            ui.heading("Keyboard shortcuts");
            egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                for s in SHORTCUTS {
                    ui.label(describe(ctx, &s.keys));
                    ui.label(s.description);
                    ui.end_row();
                }
                if let Some(c) = &app.ws.corpus {
                    for l in &c.tagset.labels {
                        if let Some(k) = &l.hotkey {
                            ui.label(k.to_uppercase());
                            ui.label(format!("Tag the selection as {} (or relabel the selected annotation)", l.name));
                            ui.end_row();
                        }
                    }
                }
                for (keys, what) in super::app::SUGGESTION_HELP {
                    ui.label(*keys);
                    ui.label(*what);
                    ui.end_row();
                }
                for (keys, what) in super::reader_scroll::SCROLL_HELP {
                    ui.label(*keys);
                    ui.label(*what);
                    ui.end_row();
                }
                ui.label("Drag / double-click / Shift+click");
                ui.label("Select text / a word / extend the selection");
                ui.end_row();
                ui.label("Click");
                ui.label("Select the annotation under the pointer; click again to cycle through overlapping ones");
                ui.end_row();
            });
        });
        if !open {
            app.show_help = false;
        }
    }
    propagation_window(app, ctx);
    super::export_dialog::show(app, ctx);
    let Some(prompt) = app.prompt.clone() else { return };
    match prompt {
        Prompt::SetUpGit { missing } => {
            let (mut yes, mut no) = (false, false);
            egui::Modal::new(egui::Id::unique("set-up-git")).show(ctx, |ui| {
                ui.heading("Share annotations through git");
                ui.label(
                    "This folder is in a git repository. Set it up so that when two people annotate the same document, git merges their annotations instead of reporting a conflict?",
                );
                ui.label(format!("Missing in this copy: {}.", missing.join(", ")));
                ui.horizontal(|ui| {
                    yes = ui.button("Set up").clicked();
                    no = ui.button("Not now").clicked();
                });
            });
            if yes || no {
                app.prompt = None;
            }
            if yes {
                app.run(Command::Team(super::team::TeamCommand::SetUp));
            }
        }
        Prompt::CompareWith { mut text, error } => {
            let mut go = false;
            let mut cancel = false;
            egui::Modal::new(egui::Id::unique("compare-with")).show(ctx, |ui| {
                ui.heading("Compare with another copy");
                ui.label("The folder of another analyst's copy of this corpus (for example a second git checkout):");
                text_field(ui, "Other copy", &mut text);
                if let Some(e) = &error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                ui.horizontal(|ui| {
                    go = ui.button("Compare").clicked();
                    cancel = ui.button("Cancel").clicked();
                });
            });
            if cancel {
                app.prompt = None;
            } else if go {
                app.prompt = None;
                if let Err(e) = app.compare_with(std::path::Path::new(text.trim())) {
                    app.prompt = Some(Prompt::CompareWith { text, error: Some(e) });
                }
            } else {
                app.prompt = Some(Prompt::CompareWith { text, error });
            }
        }
        Prompt::ExportCsv { mut text, error } => {
            let mut go = false;
            let mut cancel = false;
            egui::Modal::new(egui::Id::unique("export-csv")).show(ctx, |ui| {
                ui.heading("Export claims as CSV");
                ui.label(format!(
                    "{} claims, as shown on the board.",
                    app.pending_csv.len()
                ));
                text_field(ui, "CSV file", &mut text);
                if let Some(e) = &error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                ui.horizontal(|ui| {
                    go = ui.button("Write CSV").clicked();
                    cancel = ui.button("Cancel").clicked();
                });
            });
            if cancel {
                app.prompt = None;
            } else if go {
                match app.write_board_csv(&text) {
                    Ok(msg) => {
                        app.prompt = None;
                        app.inform(msg);
                    }
                    Err(e) => app.prompt = Some(Prompt::ExportCsv { text, error: Some(e) }),
                }
            } else {
                app.prompt = Some(Prompt::ExportCsv { text, error });
            }
        }
        Prompt::ExportComparison {
            html,
            mut text,
            error,
        } => {
            let mut go = false;
            let mut cancel = false;
            egui::Modal::new(egui::Id::unique("export-comparison")).show(ctx, |ui| {
                ui.heading(if html { "Export the comparison as a report" } else { "Export the comparison as CSV" });
                ui.label(if html {
                    "A self-contained HTML page with every proposition, its figures on one axis and what each source says."
                } else {
                    "One row per claim: proposition, document, outlet, date, speaker, stance, quote, value, contested."
                });
                text_field(ui, if html { "HTML file" } else { "CSV file" }, &mut text);
                if let Some(e) = &error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                ui.horizontal(|ui| {
                    go = ui.button("Write").clicked();
                    cancel = ui.button("Cancel").clicked();
                });
            });
            if cancel {
                app.prompt = None;
            } else if go {
                match app.write_comparison(html, &text) {
                    Ok(msg) => {
                        app.prompt = None;
                        app.inform(msg);
                    }
                    Err(e) => {
                        app.prompt = Some(Prompt::ExportComparison {
                            html,
                            text,
                            error: Some(e),
                        })
                    }
                }
            } else {
                app.prompt = Some(Prompt::ExportComparison { html, text, error });
            }
        }
        Prompt::ExternalChange { rel, what } => {
            egui::Modal::new(egui::Id::unique("external-change")).show(ctx, |ui| {
                ui.heading("Changed on disk");
                ui.label(format!(
                    "{rel}: {}. You have edits here that are not saved yet.",
                    what.trim_end_matches('.')
                ));
                ui.horizontal(|ui| {
                    if ui.button("Reload from disk (drop my unsaved edits)").clicked() {
                        app.run(Command::Reload(rel.clone()));
                    }
                    if ui.button("Keep my version (overwrite the file)").clicked() {
                        app.run(Command::KeepMine(rel.clone()));
                    }
                });
            });
        }
        Prompt::TypePath {
            reason,
            mut text,
            error,
        } => {
            let mut open_it = false;
            let mut cancel = false;
            egui::Modal::new(egui::Id::unique("type-path")).show(ctx, |ui| {
                ui.heading("Open folder");
                if !reason.is_empty() {
                    ui.label(&reason);
                }
                let r = text_field(ui, "Folder path", &mut text);
                if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    open_it = true;
                }
                if let Some(e) = &error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                ui.horizontal(|ui| {
                    if ui.button("Open").clicked() {
                        open_it = true;
                    }
                    if ui.button("Cancel").clicked() {
                        cancel = true;
                    }
                });
            });
            if cancel {
                app.prompt = None;
            } else if open_it {
                if let Err(e) = app.open_typed_path(&text) {
                    app.prompt = Some(Prompt::TypePath {
                        reason,
                        text,
                        error: Some(e),
                    });
                }
            } else {
                app.prompt = Some(Prompt::TypePath { reason, text, error });
            }
        }
        Prompt::Unsaved { copy_to, error } => super::leaving::unsaved_dialog(app, ctx, copy_to, error),
        Prompt::Annotator { mut text } => {
            let mut done = false;
            egui::Modal::new(egui::Id::unique("annotator")).show(ctx, |ui| {
                ui.heading("Your name");
                ui.label("Recorded on every annotation you make, so a team can tell who tagged what.");
                let r = text_field(ui, "Name", &mut text);
                if (r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)))
                    || ui.button("OK").clicked()
                {
                    done = !text.trim().is_empty();
                }
            });
            if done {
                app.prefs.annotator = text.trim().to_owned();
                app.prompt = None;
            } else {
                app.prompt = Some(Prompt::Annotator { text });
            }
        }
    }
}

/// What a claim is made of, with a worked example: the shortcut table alone
/// does not say what speaker, cue, stance and proposition mean.
fn claims_help(ui: &mut Ui) {
    ui.heading("Claims");
    ui.label(
        "A claim is a statement someone makes in the text. Select the statement and press C \
         (or the claim label's key); then, in the inspector on the right:",
    );
    egui::Grid::new("claim-parts").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
        for (part, what) in [
            ("Speaker", "Who makes it: an entity tagged in the text (Pick speaker in text), the document's author, or unknown."),
            ("Cue", "The words that introduce it, such as “said” or “according to”: select them and click Cue from selection. The cue stays underlined."),
            ("Stance", "How the document presents it: asserts, reports, denies or questions"),
            ("Proposition", "A short key you choose for what is claimed, the same in every document that makes the same claim, so the Propositions tab can set sources side by side."),
        ] {
            ui.strong(part);
            ui.label(what);
            ui.end_row();
        }
    });
    ui.add_space(4.0);
    ui.label("Example. In: The ministry said 1,200 refugees were returned in March.");
    egui::Grid::new("claim-example")
        .num_columns(2)
        .spacing([12.0, 2.0])
        .show(ui, |ui| {
            for (part, value) in [
                ("Claim", "“1,200 refugees were returned in March”"),
                ("Speaker", "“The ministry” (tagged ORG)"),
                ("Cue", "“said”"),
                ("Stance", "reports"),
                ("Proposition", "refugees-returned-march"),
            ] {
                ui.label(part);
                ui.label(value);
                ui.end_row();
            }
        });
}

fn propagation_window(app: &mut MarginaliaApp, ctx: &egui::Context) {
    if app.propagation.is_none() {
        return;
    }
    app.compute_propagation();
    let labels: Vec<String> = app
        .ws
        .corpus
        .as_ref()
        .map(|c| c.tagset.labels.iter().map(|l| l.name.clone()).collect())
        .unwrap_or_default();
    let mut open = true;
    let mut confirm = false;
    let Some(mut p) = app.propagation.take() else {
        return;
    };
    egui::Window::new("Annotate all occurrences in the corpus")
        .open(&mut open)
        .default_size([640.0, 480.0])
        .show(ctx, |ui| {
            ui.horizontal_wrapped(|ui| {
                bare_field(ui, "Occurrences of", &mut p.text, "text to find", 200.0);
                ui.checkbox(&mut p.match_case, "Match case");
                ui.checkbox(&mut p.whole_word, "Whole words");
                egui::ComboBox::from_label("Label").selected_text(&p.label).show_ui(ui, |ui| {
                    for l in &labels {
                        ui.selectable_value(&mut p.label, l.clone(), l);
                    }
                });
            });
            let new = p.rows.iter().filter(|r| !r.already).count();
            let ticked = p.rows.iter().filter(|r| r.ticked && !r.already).count();
            ui.label(format!(
                "{} matches in {} documents: {new} not yet annotated as {}, {ticked} ticked. Untick false hits.",
                p.rows.len(),
                {
                    let mut d: Vec<&str> = p.rows.iter().map(|r| r.doc.as_str()).collect();
                    d.dedup();
                    d.len()
                },
                p.label
            ));
            egui::ScrollArea::vertical().max_height(340.0).show(ui, |ui| {
                for (i, r) in p.rows.iter_mut().enumerate() {
                    ui.horizontal(|ui| {
                        if r.already {
                            ui.add_enabled(false, egui::Checkbox::new(&mut true, ""));
                        } else {
                            let name = format!("Keep match {}", i + 1);
                            let resp = ui.checkbox(&mut r.ticked, "");
                            resp.widget_info(move || egui::WidgetInfo::labeled(egui::Role::CheckBox, true, &name));
                        }
                        ui.label(format!("{}:", r.doc));
                        ui.label(format!("…{}", r.before));
                        ui.label(RichText::new(&r.text).strong());
                        ui.label(format!("{}…", r.after));
                        if r.already {
                            ui.small("(already annotated)");
                        }
                    });
                }
            });
            confirm = ui.add_enabled(ticked > 0, egui::Button::new(format!("Annotate {ticked} occurrences"))).clicked();
        });
    app.propagation = open.then_some(p);
    if confirm {
        app.run(Command::ConfirmPropagation);
    }
}
