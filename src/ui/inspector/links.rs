//! The inspector's part on events and equivalences: the events the selected
//! annotation states (as their trigger) with their arguments and roles, the
//! events it takes part in, and the annotations it is equivalent to. Each
//! name is a link that selects what it names.

use egui::{RichText, Ui};

use crate::model::{AnnId, Attributes, DocAnnotations, Event};

use super::Command;

/// A short name for an annotation or an event of `data`: an annotation's
/// label and text; an event's type and its trigger's text.
fn name_of(data: &DocAnnotations, id: &str) -> (String, Option<AnnId>) {
    if let Some(a) = data.get(id) {
        return (format!("{} “{}”", a.label, a.quote), Some(a.id.clone()));
    }
    if let Some(e) = data.event(id) {
        let trigger = data.get(&e.trigger);
        let quote = trigger.map_or("(no trigger)".to_owned(), |t| format!("“{}”", t.quote));
        return (format!("{} event {quote}", e.kind), trigger.map(|t| t.id.clone()));
    }
    (format!("{id} (not in this document)"), None)
}

/// Attributes and note of an event or relation, as one small line each.
fn extras(ui: &mut Ui, attributes: &Attributes, note: &str) {
    for (k, v) in attributes {
        let text = if v.is_empty() {
            k.clone()
        } else {
            format!("{k}: {v}")
        };
        ui.small(text);
    }
    if !note.is_empty() {
        ui.small(format!("Note: {note}"));
    }
}

/// One event, its type, trigger and arguments; a link selects what it names.
fn event_card(ui: &mut Ui, data: &DocAnnotations, e: &Event, command: &mut Option<Command>) {
    ui.indent(("event", e.id.as_str()), |ui| {
        for a in &e.arguments {
            let (name, select) = name_of(data, &a.id);
            let text = format!("{}: {name}", a.role);
            match select {
                Some(id) => {
                    if ui.link(text).on_hover_text("Select it").clicked() {
                        *command = Some(Command::Select(id));
                    }
                }
                None => {
                    ui.label(text);
                }
            }
        }
        if e.arguments.is_empty() {
            ui.small("No arguments");
        }
        extras(ui, &e.attributes, &e.note);
    });
}

/// Shows the events and equivalences `id` takes part in; gives the command
/// a click asked for.
pub(super) fn show(ui: &mut Ui, data: &DocAnnotations, id: &str) -> Option<Command> {
    let triggered: Vec<&Event> = data.events.iter().filter(|e| e.trigger == id).collect();
    let in_events: Vec<(&Event, &str)> = data
        .events
        .iter()
        .flat_map(|e| {
            e.arguments
                .iter()
                .filter(|a| a.id == id)
                .map(move |a| (e, a.role.as_str()))
        })
        .collect();
    let equivalent: Vec<_> = data.equivalences_of(id).collect();
    if triggered.is_empty() && in_events.is_empty() && equivalent.is_empty() {
        return None;
    }
    let mut command = None;
    ui.separator();
    if !triggered.is_empty() || !in_events.is_empty() {
        ui.label("Events");
    }
    for e in triggered {
        ui.horizontal(|ui| {
            ui.label(RichText::new(format!("States {} ({})", e.kind, e.id)).strong());
            if ui
                .small_button("Delete event")
                .on_hover_text("Removes the event; this annotation stays")
                .clicked()
            {
                command = Some(Command::DeleteEvent(e.id.clone()));
            }
        });
        event_card(ui, data, e, &mut command);
    }
    for (e, role) in in_events {
        let (name, select) = name_of(data, &e.id);
        let text = format!("{role} of the {name}");
        match select {
            Some(t) => {
                if ui.link(text).on_hover_text("Select its trigger").clicked() {
                    command = Some(Command::Select(t));
                }
            }
            None => {
                ui.label(text);
            }
        }
    }
    for q in equivalent {
        ui.label(format!("Equivalent ({})", q.kind));
        ui.indent(("equivalence", q.members.join(" ")), |ui| {
            for m in q.members.iter().filter(|m| *m != id) {
                let (name, select) = name_of(data, m);
                match select {
                    Some(t) => {
                        if ui.link(name).on_hover_text("Select it").clicked() {
                            command = Some(Command::Select(t));
                        }
                    }
                    None => {
                        ui.label(name);
                    }
                }
            }
        });
    }
    command
}
