//! The entity index: every entity of the corpus grouped by canonical id (or by
//! normalised text), with rename and merge across the whole corpus.

use compact_str::CompactString;
use egui::Ui;

use crate::model::index::EntityGroup;

use super::app::{MarginaliaApp, Tab};
use super::command::Command;
use super::state::SortBy;
use super::widgets::{bare_field, count};

/// Mentions (document, id) to give a new canonical id (`None` clears it).
type Rename = (Vec<(String, String)>, Option<String>);

fn mentions_of(g: &EntityGroup) -> Vec<(String, String)> {
    g.mentions
        .iter()
        .map(|m| (m.doc.to_string(), m.id.to_string()))
        .collect()
}

/// Shows the index.
pub fn show(app: &mut MarginaliaApp, ui: &mut Ui) {
    let index = app.ws.index();
    if super::widgets::index_pending_note(&app.ws, ui) {
        return;
    }
    let mut st = app.entity_index.clone();
    ui.horizontal(|ui| {
        bare_field(ui, "Filter entities", &mut st.filter, "Filter entities", 220.0);
        ui.label("Sort:");
        ui.selectable_value(&mut st.sort, SortBy::Mentions, "mentions");
        ui.selectable_value(&mut st.sort, SortBy::Documents, "documents");
        ui.selectable_value(&mut st.sort, SortBy::Name, "name");
    });
    let f = st.filter.to_lowercase();
    let mut groups: Vec<&EntityGroup> = index
        .groups
        .iter()
        .filter(|g| {
            f.is_empty()
                || g.key.to_lowercase().contains(&f)
                || g.labels.iter().any(|l| l.to_lowercase().contains(&f))
                || g.mentions.iter().any(|m| m.quote.to_lowercase().contains(&f))
        })
        .collect();
    match st.sort {
        SortBy::Mentions => {}
        SortBy::Documents => groups.sort_by(|a, b| b.docs.len().cmp(&a.docs.len()).then(a.key.cmp(&b.key))),
        SortBy::Name => groups.sort_by_key(|g| g.key.to_lowercase()),
    }
    let mentions = groups.iter().map(|g| g.mentions.len()).sum::<usize>();
    ui.label(format!(
        "{}, {}",
        count(groups.len(), "entity", "entities"),
        count(mentions, "mention", "mentions")
    ));
    let all_groups = index.groups.clone();
    let mut open_at = None;
    let mut action: Option<Rename> = None;
    egui::ScrollArea::vertical()
        .id_salt("entity-index")
        .show(ui, |ui| {
            for g in groups {
                let labels: Vec<&str> = g.labels.iter().map(CompactString::as_str).collect();
                let title = format!(
                    "{}{}  ({})  — {} in {}",
                    g.key,
                    if g.by_canonical { "" } else { " (no canonical id)" },
                    labels.join(", "),
                    count(g.mentions.len(), "mention", "mentions"),
                    count(g.docs.len(), "document", "documents")
                );
                egui::CollapsingHeader::new(title)
                    .id_salt(("group", g.by_canonical, &g.key))
                    .show(ui, |ui| {
                        for m in &g.mentions {
                            if ui
                                .link(format!("{}: “{}” at {}", m.doc, m.quote, m.start))
                                .clicked()
                            {
                                open_at = Some((m.doc.to_string(), m.id.clone()));
                            }
                        }
                        ui.horizontal(|ui| {
                            let renaming = st.renaming.as_ref().is_some_and(|(k, _)| *k == g.key);
                            if renaming {
                                let (_, name) = st.renaming.as_mut().expect("renaming");
                                bare_field(ui, "New canonical id", name, "new canonical id", 180.0);
                                if ui.button("Apply").clicked() {
                                    let to = name.trim().to_owned();
                                    action = Some((mentions_of(g), (!to.is_empty()).then_some(to)));
                                }
                                if ui.button("Cancel").clicked() {
                                    st.renaming = None;
                                }
                            } else if ui
                                .button(if g.by_canonical {
                                    "Rename canonical id…"
                                } else {
                                    "Set canonical id…"
                                })
                                .clicked()
                            {
                                st.renaming = Some((
                                    g.key.clone(),
                                    if g.by_canonical {
                                        g.key.clone()
                                    } else {
                                        String::new()
                                    },
                                ));
                            }
                            egui::ComboBox::from_id_salt(("merge", &g.key))
                                .selected_text("Merge into…")
                                .show_ui(ui, |ui| {
                                    for target in all_groups.iter().filter(|t| t.key != g.key).take(200) {
                                        if ui.selectable_label(false, &target.key).clicked() {
                                            // A target without a canonical id is named after its text, in the same step.
                                            let mut mentions = mentions_of(g);
                                            if !target.by_canonical {
                                                mentions.extend(mentions_of(target));
                                            }
                                            action = Some((mentions, Some(target.key.clone())));
                                        }
                                    }
                                });
                        });
                    });
            }
        });
    if let Some((mentions, to)) = action {
        app.run(Command::SetCanonical { mentions, to });
        st.renaming = None;
    }
    app.entity_index = st;
    if let Some((doc, id)) = open_at {
        app.tab = Tab::Reader;
        app.follow(Some(&doc), &id);
    }
}
