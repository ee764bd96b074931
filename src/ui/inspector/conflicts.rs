//! Merge conflicts in the inspector: a field two analysts changed differently,
//! with a button to keep this version's value and one to take the other's.

use egui::{RichText, Ui};

use crate::model::Annotation;
use crate::model::merge::{DELETED, describe};

use super::super::command::Command;
use super::super::team::TeamCommand;

/// Shows an annotation's merge conflicts, if it has any.
pub(super) fn show(ui: &mut Ui, a: &Annotation) -> Option<Command> {
    if a.conflicts.is_empty() {
        return None;
    }
    let mut out = None;
    ui.group(|ui| {
        ui.label(
            RichText::new("Changed differently by two analysts")
                .strong()
                .color(ui.visuals().warn_fg_color),
        );
        for (i, c) in a.conflicts.iter().enumerate() {
            ui.label(describe(c));
            let deleted_there = c.field == DELETED && c.theirs == "null";
            ui.horizontal(|ui| {
                if ui.button("Keep this").clicked() {
                    out = Some(Command::Team(TeamCommand::Resolve {
                        id: a.id.clone(),
                        index: i,
                        theirs: false,
                    }));
                }
                let theirs = if deleted_there {
                    "Delete it, as the other did"
                } else {
                    "Use the other's"
                };
                if (c.field != DELETED || deleted_there) && ui.button(theirs).clicked() {
                    out = Some(Command::Team(TeamCommand::Resolve {
                        id: a.id.clone(),
                        index: i,
                        theirs: true,
                    }));
                }
            });
        }
    });
    out
}
