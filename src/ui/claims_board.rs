//! The claims board: every claim of the corpus in one sortable, filterable
//! table, optionally grouped by proposition key so that what each source
//! asserts about the same thing stands side by side.

use egui::Ui;

use crate::model::index::ClaimRow;

use super::app::MarginaliaApp;
use super::command::Command;
use super::state::BoardState;
use super::widgets::{bare_field, count};

/// Columns of the board.
pub const COLUMNS: [&str; 9] = [
    "Document",
    "Claim",
    "Speaker",
    "Speaker id",
    "Cue",
    "Stance",
    "Type",
    "Proposition",
    "Relations",
];

/// The text of a column of a row.
pub fn cell(r: &ClaimRow, col: usize) -> String {
    match col {
        0 => r.doc.clone(),
        1 => r.text.to_string(),
        2 => r.speaker.to_string(),
        3 => r.speaker_canonical.clone().unwrap_or_default(),
        4 => r.cue.to_string(),
        5 => r.stance.to_owned(),
        6 => r.claim_type.to_owned(),
        7 => r.proposition.clone().unwrap_or_default(),
        _ => r.relations.join("; "),
    }
}

/// Rows that pass the filter, in board order.
pub fn visible_rows(rows: &[ClaimRow], st: &BoardState) -> Vec<ClaimRow> {
    let f = st.filter.to_lowercase();
    let mut out: Vec<ClaimRow> = rows
        .iter()
        .filter(|r| f.is_empty() || (0..COLUMNS.len()).any(|c| cell(r, c).to_lowercase().contains(&f)))
        .cloned()
        .collect();
    out.sort_by(|a, b| {
        let o = cell(a, st.sort.0)
            .to_lowercase()
            .cmp(&cell(b, st.sort.0).to_lowercase())
            .then(a.start.cmp(&b.start));
        if st.sort.1 { o.reverse() } else { o }
    });
    out
}

/// Shows the board.
pub fn show(app: &mut MarginaliaApp, ui: &mut Ui) {
    let index = app.ws.index();
    if super::widgets::index_pending_note(&app.ws, ui) {
        return;
    }
    let mut st = app.board.clone();
    let relation_types: Vec<String> = app
        .ws
        .corpus
        .as_ref()
        .map(|c| c.tagset.relations.clone())
        .unwrap_or_default();
    ui.horizontal(|ui| {
        bare_field(ui, "Filter claims", &mut st.filter, "Filter claims", 220.0);
        ui.checkbox(&mut st.grouped, "Group by proposition");
        if ui.button("Export CSV…").clicked() {
            app.start_board_export(&visible_rows(&index.claims, &st));
        }
    });
    let rows = visible_rows(&index.claims, &st);
    ui.label(count(rows.len(), "claim", "claims"));
    let mut action = None;
    egui::ScrollArea::both()
        .id_salt("claims-board")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if st.grouped {
                let mut keys: Vec<Option<String>> = rows.iter().map(|r| r.proposition.clone()).collect();
                keys.sort();
                keys.dedup();
                for key in keys {
                    let group: Vec<&ClaimRow> = rows.iter().filter(|r| r.proposition == key).collect();
                    let sources: std::collections::BTreeSet<&str> =
                        group.iter().map(|r| r.doc.as_str()).collect();
                    let title = match &key {
                        Some(k) => format!(
                            "{k} — {} from {}",
                            count(group.len(), "claim", "claims"),
                            count(sources.len(), "source", "sources")
                        ),
                        None => format!("(no proposition key) — {}", count(group.len(), "claim", "claims")),
                    };
                    egui::CollapsingHeader::new(title)
                        .id_salt(("prop", &key))
                        .default_open(true)
                        .show(ui, |ui| {
                            table(
                                ui,
                                ("claims-grid", &key),
                                &group,
                                &mut st,
                                &mut action,
                                &relation_types,
                                key.is_some(),
                            );
                        });
                }
            } else {
                let all: Vec<&ClaimRow> = rows.iter().collect();
                table(
                    ui,
                    "claims-grid-all",
                    &all,
                    &mut st,
                    &mut action,
                    &relation_types,
                    false,
                );
            }
        });
    app.board = st;
    if let Some(command) = action {
        app.run(command);
    }
}

fn table(
    ui: &mut Ui,
    salt: impl std::hash::Hash + std::fmt::Debug,
    rows: &[&ClaimRow],
    st: &mut BoardState,
    action: &mut Option<Command>,
    relation_types: &[String],
    relate: bool,
) {
    egui::Grid::new(salt)
        .striped(true)
        .num_columns(COLUMNS.len())
        .show(ui, |ui| {
            for (i, name) in COLUMNS.iter().enumerate() {
                let arrow = if st.sort.0 == i {
                    if st.sort.1 { " ▼" } else { " ▲" }
                } else {
                    ""
                };
                if ui
                    .button(format!("{name}{arrow}"))
                    .on_hover_text("Sort by this column")
                    .clicked()
                {
                    st.sort = (i, st.sort.0 == i && !st.sort.1);
                }
            }
            ui.end_row();
            for r in rows {
                ui.label(&r.doc);
                let link = ui.link(r.text.as_str());
                if link.on_hover_text("Open the document at this claim").clicked() {
                    *action = Some(Command::Open {
                        doc: r.doc.clone(),
                        id: r.id.clone(),
                    });
                }
                ui.label(r.speaker.as_str());
                ui.label(r.speaker_canonical.as_deref().unwrap_or(""));
                ui.label(r.cue.as_str());
                ui.label(r.stance);
                ui.label(r.claim_type);
                let editing = st
                    .editing
                    .as_ref()
                    .is_some_and(|(d, i, _)| *d == r.doc && *i == r.id);
                if editing {
                    let (_, _, text) = st.editing.as_mut().expect("editing");
                    let resp = bare_field(ui, "Proposition key", text, "proposition key", 140.0);
                    if resp.lost_focus() {
                        let key = text.trim().to_owned();
                        *action = Some(Command::SetProposition {
                            doc: r.doc.clone(),
                            id: r.id.clone(),
                            key: (!key.is_empty()).then_some(key),
                        });
                        st.editing = None;
                    }
                } else if ui
                    .button(r.proposition.as_deref().unwrap_or("set…"))
                    .on_hover_text("Set the proposition key")
                    .clicked()
                {
                    st.editing = Some((
                        r.doc.clone(),
                        r.id.to_string(),
                        r.proposition.clone().unwrap_or_default(),
                    ));
                }
                ui.vertical(|ui| {
                    for rel in &r.relations {
                        ui.small(rel);
                    }
                    if relate {
                        egui::ComboBox::from_id_salt(("relate", &r.doc, &r.id))
                            .selected_text("relate…")
                            .show_ui(ui, |ui| {
                                for other in rows.iter().filter(|o| o.id != r.id) {
                                    for kind in relation_types {
                                        let text = format!("{kind} {}: {}", other.doc, other.text);
                                        if ui.selectable_label(false, text).clicked() {
                                            *action = Some(Command::Relate {
                                                from_doc: r.doc.clone(),
                                                from: r.id.clone(),
                                                to_doc: other.doc.clone(),
                                                to: other.id.clone(),
                                                kind: kind.clone(),
                                            });
                                        }
                                    }
                                }
                            });
                    }
                });
                ui.end_row();
            }
        });
}
