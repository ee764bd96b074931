//! The document list: every source with its annotation count and status.

use egui::Ui;

use crate::model::Status;

use super::app::MarginaliaApp;
use super::command::Command;
use super::widgets::text_field;

fn status_mark(s: Status) -> &'static str {
    match s {
        Status::NotStarted => "○",
        Status::InProgress => "◐",
        Status::Done => "●",
    }
}

/// Shows the list; clicking a row opens the document.
pub fn show(app: &mut MarginaliaApp, ui: &mut Ui) {
    let Some(c) = &app.ws.corpus else {
        ui.label("No folder open. Use File → Open folder….");
        return;
    };
    ui.heading(c.name());
    ui.label(super::widgets::count(c.entries.len(), "document", "documents"));
    text_field(ui, "Filter", &mut app.filter);
    ui.separator();
    let shown = app.filtered_documents();
    let rows = shown.as_ref().map_or(c.entries.len(), Vec::len);
    let mut open = None;
    let mut set_status = None;
    egui::ScrollArea::vertical()
        .id_salt("doc_list")
        .show_rows(ui, 22.0, rows, |ui, range| {
            let Some(c) = &app.ws.corpus else { return };
            for row in range {
                let rel = &c.entries[shown.as_ref().map_or(row, |s| s[row])].rel;
                let (count, status, broken) = match app.ws.sessions.get(rel) {
                    Some(s) => (s.data.annotations.len(), s.data.status, s.read_only.is_some()),
                    None => {
                        let sum = c.summaries.get(rel).copied().unwrap_or_default();
                        (sum.count, sum.status, sum.broken)
                    }
                };
                let current = app.current.as_deref() == Some(rel.as_str());
                let kind = crate::store::extract::kind_of(rel);
                let mut text = format!("{} {rel}  ({count})", status_mark(status));
                // Plain text is what a folder mostly holds: only other kinds are labelled.
                if !kind.is_plain() {
                    text.push_str("  ");
                    text.push_str(kind.label());
                }
                if broken {
                    text.push_str("  ⚠ read-only");
                }
                let r = ui.selectable_label(current, text).on_hover_text(format!(
                    "{rel}: a {}, {count} annotations, {}",
                    kind.noun(),
                    status.as_str()
                ));
                if r.clicked() {
                    open = Some(rel.clone());
                }
                r.context_menu(|ui| {
                    for st in Status::ALL {
                        if ui.button(format!("Mark {}", st.as_str())).clicked() {
                            set_status = Some((rel.clone(), st));
                            ui.close();
                        }
                    }
                });
            }
        });
    if let Some(rel) = open {
        app.open_document(&rel);
    }
    if let Some((rel, st)) = set_status {
        app.run(Command::SetStatusOf(rel, st));
    }
}
