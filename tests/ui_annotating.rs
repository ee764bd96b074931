//! Annotating without surprises: Shift+click, snapping, duplicates, relation
//! types and their labels.

mod ui_common;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use marginalia::ui::MarginaliaApp;
use marginalia::ui::command::Command;
use ui_common::*;

fn selection(h: &Harness<'_, MarginaliaApp>) -> (usize, usize) {
    let s = h.state().view().unwrap().selection.span();
    (s.start, s.end)
}

#[test]
fn shift_click_moves_the_nearer_edge() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    let the = cp_of(&h, "the international community");
    let again = cp_of(&h, "again failed") + "again".len();
    drag_cp(&mut h, the, again - 1);
    assert_eq!(selection(&h), (the, again));
    // Inside, near the start: the start moves, the end stays.
    let intl = cp_of(&h, "international community");
    click_cp(&mut h, intl + 2, Modifiers::SHIFT);
    assert_eq!(selection(&h), (intl, again));
    // Inside, near the end: the end moves back, the start stays.
    let has = cp_of(&h, "has once again");
    click_cp(&mut h, has + 1, Modifiers::SHIFT);
    assert_eq!(selection(&h), (intl, has + 3));
    // Beyond the end: the end moves on.
    let battle = cp_of(&h, "battle to save");
    click_cp(&mut h, battle + 2, Modifiers::SHIFT);
    assert_eq!(selection(&h), (intl, battle + "battle".len()));
}

#[test]
fn a_drag_that_ends_on_a_comma_does_not_take_it() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    step_document(&mut h, true);
    let start = cp_of(&h, "annually, their");
    drag_cp(&mut h, start + 1, start + "annually,".len());
    let (a, b) = selection(&h);
    let s = h.state().session().unwrap();
    assert_eq!(s.doc.slice(marginalia::model::Span::new(a, b)), "annually");
}

#[test]
fn the_same_words_cannot_carry_the_same_label_twice() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    let china = cp_of(&h, "China in the last");
    drag_cp(&mut h, china, china + 5);
    h.key_press(Key::Num3);
    h.run_steps(2);
    assert_eq!(h.state().session().unwrap().data.annotations.len(), 1);
    drag_cp(&mut h, china, china + 5);
    h.key_press(Key::Num3);
    h.run_steps(2);
    assert_eq!(h.state().session().unwrap().data.annotations.len(), 1);
    let notice = h.state().notice.clone().unwrap_or_default();
    assert!(notice.contains("“China” is already tagged PLACE"), "{notice}");
    // Another label on the same words is fine.
    drag_cp(&mut h, china, china + 5);
    h.key_press(Key::Num9);
    h.run_steps(2);
    assert_eq!(h.state().session().unwrap().data.annotations.len(), 2);
}

#[test]
fn a_relation_type_joins_only_the_labels_it_declares() {
    let dir = seeds_copy();
    let tagset = marginalia::model::tagset::DEFAULT_TAGSET.replace(
        "relations: [\"supports\", \"contradicts\", \"refers-to\"],",
        "relations: [\"supports\", \"contradicts\", \"refers-to\", \"located-in\"],\n    relation_labels: {\"located-in\": (from: [\"GROUP\"], to: [\"PLACE\"])},",
    );
    assert!(tagset.contains("located-in"));
    std::fs::write(dir.path().join("marginalia.ron"), tagset).unwrap();
    annotate(
        dir.path(),
        CLINTON_DOC,
        &[
            (
                "North Korean refugees",
                "GROUP",
                marginalia::model::Kind::Entity { canonical: None },
            ),
            (
                "China",
                "PLACE",
                marginalia::model::Kind::Entity { canonical: None },
            ),
        ],
    );
    let mut h = harness(dir.path());
    let ids: Vec<_> = h
        .state()
        .session()
        .unwrap()
        .data
        .annotations
        .iter()
        .map(|a| a.id.clone())
        .collect();
    // PLACE → GROUP is the wrong way round: refused, with the reason.
    h.state_mut().run(Command::AddRelation {
        from: ids[1].clone(),
        doc: None,
        to: ids[0].clone(),
        kind: "located-in".into(),
    });
    h.run_steps(2);
    assert!(h.state().session().unwrap().data.relations.is_empty());
    let notice = h.state().notice.clone().unwrap_or_default();
    assert!(
        notice.contains("goes from GROUP to PLACE, not from PLACE to GROUP"),
        "{notice}"
    );
    h.state_mut().run(Command::AddRelation {
        from: ids[0].clone(),
        doc: None,
        to: ids[1].clone(),
        kind: "located-in".into(),
    });
    h.run_steps(2);
    assert_eq!(h.state().session().unwrap().data.relations.len(), 1);
}

#[test]
fn a_first_run_starts_annotating_at_once_under_the_system_user_name() {
    use egui_kittest::kittest::Queryable;
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    // As on a first run: no name typed yet, and nothing asks for one.
    h.state_mut().prefs.annotator = String::new();
    h.run_steps(2);
    assert_eq!(h.state().prompt, None);
    let china = cp_of(&h, "China in the last");
    drag_cp(&mut h, china, china + 5);
    h.key_press(Key::Num3);
    h.run_steps(2);
    let system = marginalia::ui::app::system_user_name();
    assert!(!system.is_empty());
    let first = &h.state().session().unwrap().data.annotations[0];
    assert_eq!(first.annotator.as_str(), system);
    // The name is shown and editable in the status bar.
    h.get_by_label("Your name").focus();
    h.run_steps(1);
    h.get_by_label("Your name").type_text("Ana");
    h.run_steps(1);
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert_eq!(h.state().prefs.annotator, "Ana");
    let refugees = cp_of(&h, "North Korean refugees");
    drag_cp(&mut h, refugees, refugees + 12);
    h.key_press(Key::Num6);
    h.run_steps(2);
    let s = h.state().session().unwrap();
    assert!(s.data.annotations.iter().any(|a| a.annotator.as_str() == "Ana"));
}
