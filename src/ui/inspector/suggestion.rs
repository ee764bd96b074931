//! The inspector for a suggestion: what it proposes, where from, how sure and
//! why, with Accept and Reject; and, for the document, how many suggestions
//! of each label there are, each with "accept all".

use egui::{RichText, Ui};

use crate::model::suggest::Suggestion;
use crate::ui::app::MarginaliaApp;
use crate::ui::command::Command;
use crate::ui::widgets::swatch;

/// The current suggestion.
pub(super) fn show(app: &MarginaliaApp, ui: &mut Ui, s: &Suggestion) -> Option<Command> {
    let session = app.session()?;
    let tagset = &app.ws.corpus.as_ref()?.tagset;
    let read_only = session.read_only.is_some();
    let mut command = None;
    ui.heading("Suggestion");
    ui.label("Not an annotation yet: accept it to add it, or reject it so it is not proposed again.");
    ui.separator();
    ui.horizontal(|ui| {
        swatch(ui, tagset.label(&s.label).map_or([128, 128, 128], |d| d.rgb()));
        ui.label(RichText::new(s.label.as_str()).strong());
    });
    ui.label(format!("“{}”", session.doc.slice(s.span)));
    ui.label(format!("From: {}", s.origin.as_str()));
    ui.label(format!("Score: {:.0}%", s.score.clamp(0.0, 1.0) * 100.0));
    if let Some(c) = &s.canonical {
        ui.label(format!("Canonical id: {c}"));
    }
    if let Some(h) = &s.claim {
        ui.label(format!(
            "Cue “{}” · {}",
            session.doc.slice(h.cue),
            h.stance.as_str()
        ));
        if let Some(sp) = h.speaker.as_ref().and_then(|id| session.data.get(id)) {
            ui.label(format!("Speaker: {}", sp.quote));
        }
    }
    ui.label(crate::workspace::suggest::why(s));
    ui.separator();
    ui.add_enabled_ui(!read_only, |ui| {
        ui.horizontal(|ui| {
            if ui.button("Accept  (Enter)").clicked() {
                command = Some(Command::AcceptSuggestion);
            }
            if ui.button("Reject  (Backspace)").clicked() {
                command = Some(Command::RejectSuggestion);
            }
        });
        let same = app
            .suggestions_here()
            .map_or(0, |l| l.iter().filter(|x| x.label == s.label).count());
        if same > 1
            && ui
                .button(format!("Accept all {same} {} suggestions here", s.label))
                .clicked()
        {
            command = Some(Command::AcceptAllSuggested(s.label.to_string()));
        }
    });
    ui.horizontal(|ui| {
        if ui.button("Previous  (Shift+N)").clicked() {
            command = Some(Command::StepSuggestion(false));
        }
        if ui.button("Next  (N)").clicked() {
            command = Some(Command::StepSuggestion(true));
        }
    });
    command
}

/// Counts of the document's suggestions by label, each with "accept all".
pub(super) fn summary(app: &MarginaliaApp, ui: &mut Ui) -> Option<Command> {
    let shown = app.ws.suggest.shown_for(app.current.as_deref()?)?;
    let (list, counts) = (&shown.list, &shown.counts);
    if list.is_empty() {
        return None;
    }
    let tagset = &app.ws.corpus.as_ref()?.tagset;
    let read_only = app.session().is_some_and(|s| s.read_only.is_some());
    let mut command = None;
    ui.separator();
    ui.label(RichText::new(format!("{} suggestions", list.len())).strong());
    ui.small("Dashed outlines in the text. N goes to the next; Enter accepts, Backspace rejects.");
    for (label, n) in counts.iter().map(|(l, n)| (l.as_str(), *n)) {
        ui.horizontal(|ui| {
            swatch(ui, tagset.label(label).map_or([128, 128, 128], |d| d.rgb()));
            ui.label(format!("{label}: {n}"));
            if ui
                .add_enabled(!read_only, egui::Button::new("Accept all"))
                .on_hover_text(format!("Tag all {n} as {label}, as one step (Ctrl+Z undoes it)"))
                .clicked()
            {
                command = Some(Command::AcceptAllSuggested(label.to_owned()));
            }
        });
    }
    command
}
