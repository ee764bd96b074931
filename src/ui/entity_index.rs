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

/// The group's name: its canonical id with the text of its mentions beside
/// it (the most frequent), or the text alone when it has no canonical id.
pub fn group_name(g: &EntityGroup) -> String {
    if !g.by_canonical {
        return format!("{} (no canonical id)", g.key);
    }
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for m in &g.mentions {
        *counts.entry(m.quote.as_str()).or_default() += 1;
    }
    match counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0))) {
        Some((text, _)) => format!("{} “{text}”", g.key),
        None => g.key.clone(),
    }
}

/// Context on one line: newlines in a prefix or suffix would break the row.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Set or rename the canonical id, and merge into another group: of the
/// same label unless the analyst asks for every group.
fn group_actions(
    ui: &mut Ui,
    g: &EntityGroup,
    all_groups: &[EntityGroup],
    st: &mut super::state::EntityIndexState,
    action: &mut Option<Rename>,
) {
    let renaming = st.renaming.as_ref().is_some_and(|(k, _)| *k == g.key);
    if renaming {
        let (_, name) = st.renaming.as_mut().expect("renaming");
        bare_field(ui, "New canonical id", name, "new canonical id", 180.0);
        if ui.button("Apply").clicked() {
            let to = name.trim().to_owned();
            *action = Some((mentions_of(g), (!to.is_empty()).then_some(to)));
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
    let any_label = st.merge_any_label;
    egui::ComboBox::new(("merge", &g.key), "Merge into")
        .selected_text("choose a group…")
        .show_ui(ui, |ui| {
            let fits = |t: &&EntityGroup| {
                t.key != g.key && (any_label || t.labels.iter().any(|l| g.labels.contains(l)))
            };
            let mut shown = 0;
            for target in all_groups.iter().filter(fits).take(200) {
                shown += 1;
                if ui.selectable_label(false, group_name(target)).clicked() {
                    // A target without a canonical id is named after its text, in the same step.
                    let mut mentions = mentions_of(g);
                    if !target.by_canonical {
                        mentions.extend(mentions_of(target));
                    }
                    *action = Some((mentions, Some(target.key.clone())));
                }
            }
            if shown == 0 {
                ui.label("No other group has this label.");
            }
        });
    ui.checkbox(&mut st.merge_any_label, "Offer groups of any label")
        .on_hover_text("Merge lists only groups that share a label unless this is ticked");
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
                    "{}  ({})  — {} in {}",
                    group_name(g),
                    labels.join(", "),
                    count(g.mentions.len(), "mention", "mentions"),
                    count(g.docs.len(), "document", "documents")
                );
                egui::CollapsingHeader::new(title)
                    .id_salt(("group", g.by_canonical, &g.key))
                    .show(ui, |ui| {
                        // Actions first: a group of hundreds of mentions must not hide them.
                        ui.horizontal_wrapped(|ui| {
                            group_actions(ui, g, &all_groups, &mut st, &mut action);
                        });
                        for m in &g.mentions {
                            let (before, after) = app.ws.context_of(&m.doc, &m.id).unwrap_or_default();
                            ui.horizontal_wrapped(|ui| {
                                ui.spacing_mut().item_spacing.x = 0.0;
                                if ui.link(format!("{}:", m.doc)).clicked() {
                                    open_at = Some((m.doc.to_string(), m.id.clone()));
                                }
                                ui.label(format!(" …{}", one_line(before)));
                                ui.label(
                                    egui::RichText::new(crate::model::bidi::display_order(&m.quote)).strong(),
                                );
                                ui.label(format!("{}…", one_line(after)));
                            });
                        }
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
