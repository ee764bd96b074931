//! The Entities tab: a group's name keeps its text beside its id, actions come
//! before the mentions, mentions are shown in context, and merge offers groups
//! of the same label unless asked.

mod ui_common;

use egui_kittest::kittest::Queryable;
use marginalia::model::Kind;
use ui_common::*;

#[test]
fn a_group_shows_its_text_actions_first_and_mentions_in_context() {
    let dir = seeds_copy();
    annotate(
        dir.path(),
        CLINTON_DOC,
        &[
            (
                "North Korea",
                "PLACE",
                Kind::Entity {
                    canonical: Some("Q423".into()),
                },
            ),
            ("China", "PLACE", Kind::entity()),
            ("Hillary Clinton", "PERSON", Kind::entity()),
        ],
    );
    let mut h = harness(dir.path());
    h.get_by_label("Entities").click();
    h.run_steps(3);
    // The header keeps the surface text beside the id.
    h.get_by_label_contains("Q423 “North Korea”  (PLACE)").click();
    h.run_steps(2);
    let rename = h.get_by_label("Rename canonical id…").rect();
    let mention = h.get_by_label(&format!("{CLINTON_DOC}:")).rect();
    assert!(rename.top() < mention.top(), "actions come before the mentions");
    // The mention is shown with the words around it.
    let prefix = h.state().session().unwrap().data.annotations[0].prefix.clone();
    assert!(prefix.ends_with("The Repatriation of "), "{prefix}");
    let shown = format!(" …{}", prefix.split_whitespace().collect::<Vec<_>>().join(" "));
    assert!(h.query_by_label(&shown).is_some(), "{shown}");
    // Merge offers the other PLACE group, not the PERSON one…
    h.get_by_label("Merge into").click();
    h.run_steps(2);
    assert!(h.query_by_label("china (no canonical id)").is_some());
    assert!(h.query_by_label("hillary clinton (no canonical id)").is_none());
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    // …unless asked for every label.
    h.get_by_label("Offer groups of any label").click();
    h.run_steps(2);
    h.get_by_label("Merge into").click();
    h.run_steps(2);
    assert!(h.query_by_label("hillary clinton (no canonical id)").is_some());
}
